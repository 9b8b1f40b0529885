/* naive.c - the bench's baseline, not part of the product: attention as the straightforward
   triple loops, built by emcc with the product's flags (tests/bench/bench.js loads it as
   impl "wasm-naive"). No checks; the bench passes valid buffers. */
#include <math.h>
#include <stddef.h>

// full: weights (n, n) materialised, out (n, d) = softmax(q kᵀ / sqrt(d)) v
void naive_full(float *out, float *weights, const float *q, const float *k, const float *v, int n, int d) {
    float scale = 1.0f / sqrtf((float)d);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            float s = 0.0f;
            for (int p = 0; p < d; p++) s += q[i * d + p] * k[j * d + p];
            weights[(size_t)i * n + j] = s * scale;
        }
    for (int i = 0; i < n; i++) {
        float *w = weights + (size_t)i * n, max = -INFINITY, sum = 0.0f;
        for (int j = 0; j < n; j++) if (w[j] > max) max = w[j];
        for (int j = 0; j < n; j++) { w[j] = expf(w[j] - max); sum += w[j]; }
        for (int j = 0; j < n; j++) w[j] /= sum;
    }
    for (int i = 0; i < n; i++)
        for (int c = 0; c < d; c++) {
            float acc = 0.0f;
            for (int j = 0; j < n; j++) acc += weights[(size_t)i * n + j] * v[j * d + c];
            out[i * d + c] = acc;
        }
}

// streaming: one query row at a time with an online softmax; window > 0 is the causal
// sliding window (keys i-window+1..i), window 0 means every key
void naive_streaming(float *out, const float *q, const float *k, const float *v, int n, int d, int window) {
    float scale = 1.0f / sqrtf((float)d);
    for (int i = 0; i < n; i++) {
        float m = -INFINITY, l = 0.0f, *o = out + i * d;
        int j0 = window > 0 ? (i - window + 1 > 0 ? i - window + 1 : 0) : 0, j1 = window > 0 ? i + 1 : n;
        for (int c = 0; c < d; c++) o[c] = 0.0f;
        for (int j = j0; j < j1; j++) {
            float s = 0.0f;
            for (int p = 0; p < d; p++) s += q[i * d + p] * k[j * d + p];
            s *= scale;
            float m_new = s > m ? s : m, corr = expf(m - m_new), e = expf(s - m_new);
            l = l * corr + e;
            for (int c = 0; c < d; c++) o[c] = o[c] * corr + e * v[j * d + c];
            m = m_new;
        }
        for (int c = 0; c < d; c++) o[c] /= l;
    }
}

static float phi(float x) { return x > 0.0f ? x + 1.0f : expf(x); }

// linear attention with phi = elu + 1, all keys; scratch holds d*d + d floats
void naive_linear(float *out, const float *q, const float *k, const float *v, int n, int d, float *scratch) {
    float *S = scratch, *z = scratch + d * d;
    for (int i = 0; i < d * d + d; i++) scratch[i] = 0.0f;
    for (int j = 0; j < n; j++)
        for (int p = 0; p < d; p++) {
            float f = phi(k[j * d + p]);
            z[p] += f;
            for (int c = 0; c < d; c++) S[p * d + c] += f * v[j * d + c];
        }
    for (int i = 0; i < n; i++) {
        float denom = 0.0f;
        for (int p = 0; p < d; p++) denom += phi(q[i * d + p]) * z[p];
        for (int c = 0; c < d; c++) {
            float acc = 0.0f;
            for (int p = 0; p < d; p++) acc += phi(q[i * d + p]) * S[p * d + c];
            out[i * d + c] = acc / denom;
        }
    }
}

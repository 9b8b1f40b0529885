/* attn_long.c - attention for long contexts: streaming (online softmax, never n x n),
   linear attention, and small helpers for demos and plots. See attn.h for the contracts. */
#include "attn.h"
#include "attn_checks.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

// ---------------------------------------------------------------------------------------
// Streaming attention

int attn_head_streaming(float *out, const float *q, const float *k, const float *v,
                        int n, int d_k, int d_v, const attn_options *opt,
                        int row_begin, int row_end, int *blocked_rows) {
    attn_options defaults = attn_default_options();
    size_t nk, nv;
    int rc;
    if (!opt) opt = &defaults;
    if (!out || !q || !k || !v) return ATTN_ERR_NULL;
    if ((rc = attn_checked_count(&nk, n, d_k)) || (rc = attn_checked_count(&nv, n, d_v))) return rc;
    if (row_begin < 0 || row_end > n || row_begin >= row_end) return ATTN_ERR_INDEX;
    if ((rc = attn_check_options(opt))) return rc;
    if (!attn_all_finite(q, nk) || !attn_all_finite(k, nk) || !attn_all_finite(v, nv)) return ATTN_ERR_NONFINITE;
    const float scale = attn_effective_scale(opt, d_k);
    const float t = opt->temperature;
    int blocked = 0;
    for (int i = row_begin; i < row_end; i++) {
        const float *qi = q + (size_t)i * d_k;
        float *oi = out + (size_t)i * d_v;
        float m = -INFINITY, l = 0.0f;   // running max and running sum of exp
        for (int c = 0; c < d_v; c++) oi[c] = 0.0f;
        for (int j = 0; j < n; j++) {
            if (!attn_mask_allows(opt, n, i, j)) continue;
            const float *kj = k + (size_t)j * d_k;
            float s = 0.0f;
            for (int p = 0; p < d_k; p++) s += qi[p] * kj[p];
            s = s * scale / t;
            if (!isfinite(s)) return ATTN_ERR_NONFINITE;
            // online softmax: rescale what was summed so far when the max grows
            float m_new = s > m ? s : m;
            float correction = expf(m - m_new), e = expf(s - m_new);
            l = l * correction + e;
            const float *vj = v + (size_t)j * d_v;
            for (int c = 0; c < d_v; c++) oi[c] = oi[c] * correction + e * vj[c];
            m = m_new;
        }
        if (l == 0.0f) { blocked++; continue; }
        float inv = 1.0f / l;
        for (int c = 0; c < d_v; c++) oi[c] *= inv;
    }
    if (blocked_rows) *blocked_rows = blocked;
    return ATTN_OK;
}

// ---------------------------------------------------------------------------------------
// Linear attention

static float phi(float x) { return x > 0.0f ? x + 1.0f : expf(x); }   // elu(x) + 1

size_t attn_linear_scratch_floats(int d_k, int d_v) {
    size_t kv;
    if (attn_checked_count(&kv, d_k, d_v)) return 0;
    return kv + 2 * (size_t)d_k;   // S, z, and phi(q_i)
}

int attn_linear(float *out, float *weights, const float *q, const float *k, const float *v,
                int n, int d_k, int d_v, int causal, float *scratch, size_t scratch_floats) {
    size_t nk, nv, kv;
    int rc;
    if (!out || !q || !k || !v || !scratch) return ATTN_ERR_NULL;
    if ((rc = attn_checked_count(&nk, n, d_k)) || (rc = attn_checked_count(&nv, n, d_v)) ||
        (rc = attn_checked_count(&kv, d_k, d_v))) return rc;
    if (weights && (rc = attn_checked_count(&kv, n, n))) return rc;
    if (scratch_floats < attn_linear_scratch_floats(d_k, d_v)) return ATTN_ERR_SCRATCH;
    if (!attn_all_finite(q, nk) || !attn_all_finite(k, nk) || !attn_all_finite(v, nv)) return ATTN_ERR_NONFINITE;
    float *S = scratch, *z = S + (size_t)d_k * d_v, *pq = z + d_k;
    memset(S, 0, sizeof(float) * ((size_t)d_k * d_v + d_k));
    // non-causal: sum over every key first; causal: add key i just before query i
    for (int j = 0; j < n && !causal; j++)
        for (int p = 0; p < d_k; p++) {
            float f = phi(k[(size_t)j * d_k + p]);
            z[p] += f;
            for (int c = 0; c < d_v; c++) S[(size_t)p * d_v + c] += f * v[(size_t)j * d_v + c];
        }
    for (int i = 0; i < n; i++) {
        if (causal)
            for (int p = 0; p < d_k; p++) {
                float f = phi(k[(size_t)i * d_k + p]);
                z[p] += f;
                for (int c = 0; c < d_v; c++) S[(size_t)p * d_v + c] += f * v[(size_t)i * d_v + c];
            }
        float denom = 0.0f;
        for (int p = 0; p < d_k; p++) {
            pq[p] = phi(q[(size_t)i * d_k + p]);
            denom += pq[p] * z[p];
        }
        float inv = denom > 0.0f ? 1.0f / denom : 0.0f;
        for (int c = 0; c < d_v; c++) {
            float acc = 0.0f;
            for (int p = 0; p < d_k; p++) acc += pq[p] * S[(size_t)p * d_v + c];
            out[(size_t)i * d_v + c] = acc * inv;
        }
        if (weights)   // w_ij = phi(q_i)·phi(k_j) / denom, for the keys this row sums over
            for (int j = 0; j < n; j++) {
                float dot = 0.0f;
                for (int p = 0; p < d_k && (!causal || j <= i); p++) dot += pq[p] * phi(k[(size_t)j * d_k + p]);
                weights[(size_t)i * n + j] = (!causal || j <= i) ? dot * inv : 0.0f;
            }
    }
    return attn_all_finite(out, nv) ? ATTN_OK : ATTN_ERR_NONFINITE;
}

// ---------------------------------------------------------------------------------------
// Helpers for demos and plots

int attn_fill_random(float *out, size_t count, unsigned seed) {
    if (!out) return ATTN_ERR_NULL;
    if (count == 0) return ATTN_ERR_SIZE;
    uint32_t state = seed ? (uint32_t)seed : 1u;
    for (size_t i = 0; i < count; i++) {
        state ^= state << 13; state ^= state >> 17; state ^= state << 5;
        out[i] = (float)(state >> 8) / 8388608.0f - 1.0f;   // [-1, 1)
    }
    return ATTN_OK;
}

int attn_log_positions(float *out, const float *values, int count, float lo, float hi) {
    if (!out || !values) return ATTN_ERR_NULL;
    if (count <= 0) return ATTN_ERR_SIZE;
    if (!(lo > 0.0f) || !(hi > 0.0f) || lo == hi || !isfinite(lo) || !isfinite(hi)) return ATTN_ERR_SCALE;
    const double l0 = log10(lo), span = log10(hi) - l0;
    for (int i = 0; i < count; i++) {
        if (!(values[i] > 0.0f) || !isfinite(values[i])) return ATTN_ERR_NONFINITE;
        out[i] = (float)((log10(values[i]) - l0) / span);
    }
    return ATTN_OK;
}

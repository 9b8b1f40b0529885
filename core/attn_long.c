/* attn_long.c - attention for long contexts: streaming (online softmax, never n x n),
   linear attention, and small helpers for demos and plots. See attn.h for the contracts. */
#include "attn.h"
#include "attn_checks.h"
#include "attn_fast.h"
#include "attn_simd.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

// ---------------------------------------------------------------------------------------
// Streaming attention

// Tile shape: TILE_Q query rows against TILE_K key rows; the scores tile (4 KB) lives on the
// stack, so memory stays O(n·d) whatever n is.
#define TILE_Q 16
#define TILE_K 64

attn__dense_fn *attn__dense_kernel = attn__stream_dense;

// Could any query row in [i0, i1) see any key in [j0, j1)? (validated opt; false skips the tile)
static int tile_any_allowed(const attn_options *opt, int n, int i0, int i1, int j0, int j1) {
    switch (opt->mask) {
    case ATTN_MASK_CAUSAL: return j0 <= i1 - 1;
    case ATTN_MASK_WINDOW: return j0 <= i1 - 1 && j1 - 1 > i0 - opt->window;
    case ATTN_MASK_BLOCK_SPARSE:
        return i0 < opt->globals || j0 < opt->globals ||
               (j0 / opt->window <= (i1 - 1) / opt->window && i0 / opt->window <= (j1 - 1) / opt->window);
    case ATTN_MASK_EXPLICIT:
        for (int i = i0; i < i1; i++)
            for (int j = j0; j < j1; j++)
                if (attn__mask_allows(opt, n, i, j)) return 1;
        return 0;
    default: return 1;
    }
}

// May every query row in [i0, i1) see every key in [j0, j1)? (true skips the per-entry mask)
static int tile_all_allowed(const attn_options *opt, int i0, int i1, int j0, int j1) {
    switch (opt->mask) {
    case ATTN_MASK_NONE:   return 1;
    case ATTN_MASK_CAUSAL: return j1 - 1 <= i0;
    case ATTN_MASK_WINDOW: return j1 - 1 <= i0 && j0 > i1 - 1 - opt->window;
    default:               return 0;
    }
}

int attn_head_streaming(float *out, const float *q, const float *k, const float *v,
                        int n, int d_k, int d_v, const attn_options *opt,
                        int row_begin, int row_end, int *blocked_rows) {
    attn_options defaults = attn_default_options();
    size_t nk, nv;
    int rc;
    if (!opt) opt = &defaults;
    if (!out || !q || !k || !v) return ATTN_ERR_NULL;
    if ((rc = attn__checked_count(&nk, n, d_k)) || (rc = attn__checked_count(&nv, n, d_v))) return rc;
    if (row_begin < 0 || row_end > n || row_begin >= row_end) return ATTN_ERR_INDEX;
    if ((rc = attn__check_options(opt))) return rc;
    if (!attn__all_finite(q, nk) || !attn__all_finite(k, nk) || !attn__all_finite(v, nv)) return ATTN_ERR_NONFINITE;
    const float scale = attn__effective_scale(opt, d_k);
    const float t = opt->temperature;
    if ((opt->mask == ATTN_MASK_NONE || opt->mask == ATTN_MASK_CAUSAL) && d_k <= ATTN__FAST_MAX_D &&
        d_v <= ATTN__FAST_MAX_D) {
        // the dense kernel: transposed tiles, no per-entry mask test (attn_fast.c)
        float work[ATTN__FAST_WORK(ATTN__FAST_MAX_D, ATTN__FAST_MAX_D)];
        // 1/t overflows for t below ~3e-39: FLT_MAX instead keeps (max - max) * inv_t = 0
        const float inv_t = 1.0f / t < FLT_MAX ? 1.0f / t : FLT_MAX;
        rc = attn__dense_kernel(out, q, k, v, n, d_k, d_v, scale, inv_t, opt->mask == ATTN_MASK_CAUSAL,
                                row_begin, row_end, work);
        if (rc < 0) return rc;
        if (blocked_rows) *blocked_rows = rc;
        return ATTN_OK;
    }
    float s[TILE_Q * TILE_K];
    float m[TILE_Q], l[TILE_Q], correction[TILE_Q];
    int blocked = 0;
    for (int i0 = row_begin; i0 < row_end; i0 += TILE_Q) {
        const int rows = row_end - i0 < TILE_Q ? row_end - i0 : TILE_Q, i1 = i0 + rows;
        float *o = out + (size_t)i0 * d_v;
        for (int r = 0; r < rows; r++) { m[r] = -INFINITY; l[r] = 0.0f; }
        memset(o, 0, (size_t)rows * d_v * sizeof(float));
        for (int j0 = 0; j0 < n; j0 += TILE_K) {
            const int cols = n - j0 < TILE_K ? n - j0 : TILE_K, j1 = j0 + cols;
            if (!tile_any_allowed(opt, n, i0, i1, j0, j1)) continue;
            const int dense = tile_all_allowed(opt, i0, i1, j0, j1);
            attn__blk_dots(s, TILE_K, q + (size_t)i0 * d_k, (size_t)d_k, rows,
                          k + (size_t)j0 * d_k, (size_t)d_k, cols, d_k);
            for (int r = 0; r < rows; r++) {
                float *sr = s + r * TILE_K, mt = -INFINITY;
                if (dense) {   // scale, check and take the max 4 at a time
                    if (!attn__scale_max(sr, cols, scale, &mt)) return ATTN_ERR_NONFINITE;
                } else {
                    for (int c = 0; c < cols; c++) {
                        float x = sr[c] * scale;
                        if (!isfinite(x)) return ATTN_ERR_NONFINITE;   // 1e30 * 1e30 overflows
                        if (!attn__mask_allows(opt, n, i0 + r, j0 + c)) x = -INFINITY;
                        sr[c] = x;
                        if (x > mt) mt = x;
                    }
                }
                if (mt == -INFINITY) {   // nothing in this tile for row r: weight 0 for all
                    correction[r] = 1.0f;
                    memset(sr, 0, (size_t)cols * sizeof(float));
                    continue;
                }
                // online softmax: rescale what was summed so far when the max grows
                float m_new = mt > m[r] ? mt : m[r];
                correction[r] = expf((m[r] - m_new) / t);
                l[r] = l[r] * correction[r] + attn__blk_exp_shift(sr, cols, m_new, t);
                m[r] = m_new;
            }
            // o = correction * o + P · V over this tile's keys
            attn__blk_gemm(o, (size_t)d_v, s, TILE_K, v + (size_t)j0 * d_v, (size_t)d_v,
                          rows, cols, d_v, correction);
        }
        for (int r = 0; r < rows; r++) {
            float *orow = o + (size_t)r * d_v;
            if (l[r] == 0.0f) { blocked++; continue; }   // no allowed key: output stays 0
            float inv = 1.0f / l[r];
            for (int c = 0; c < d_v; c++) orow[c] *= inv;
            // the unnormalised sum overflows when values are near FLT_MAX
            if (!attn__all_finite(orow, (size_t)d_v)) return ATTN_ERR_NONFINITE;
        }
    }
    if (blocked_rows) *blocked_rows = blocked;
    return ATTN_OK;
}

// ---------------------------------------------------------------------------------------
// Linear attention

static float phi(float x) { return x > 0.0f ? x + 1.0f : expf(x); }   // elu(x) + 1

size_t attn_linear_scratch_floats(int d_k, int d_v) {
    size_t kv;
    if (attn__checked_count(&kv, d_k, d_v)) return 0;
    return kv + 2 * (size_t)d_k;   // S, z, and phi(q_i)
}

int attn_linear(float *out, float *weights, const float *q, const float *k, const float *v,
                int n, int d_k, int d_v, int causal, float *scratch, size_t scratch_floats) {
    size_t nk, nv, kv;
    int rc;
    if (!out || !q || !k || !v || !scratch) return ATTN_ERR_NULL;
    if ((rc = attn__checked_count(&nk, n, d_k)) || (rc = attn__checked_count(&nv, n, d_v)) ||
        (rc = attn__checked_count(&kv, d_k, d_v))) return rc;
    if (weights && (rc = attn__checked_count(&kv, n, n))) return rc;
    if (scratch_floats < attn_linear_scratch_floats(d_k, d_v)) return ATTN_ERR_SCRATCH;
    if (!attn__all_finite(q, nk) || !attn__all_finite(k, nk) || !attn__all_finite(v, nv)) return ATTN_ERR_NONFINITE;
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
        // phi > 0, so denom is 0 or inf only when float under- or overflowed (q, k around
        // -100 or 1e38): the weights are not computable then, so say so instead of giving 0
        float inv = 1.0f / denom;
        if (!(denom > 0.0f) || !isfinite(denom) || !isfinite(inv)) return ATTN_ERR_NONFINITE;
        // out_i = phi(q_i)ᵀ S: a row of S at a time, so the inner loop runs along d_v
        float *oi = out + (size_t)i * d_v;
        attn__blk_gemm(oi, (size_t)d_v, pq, (size_t)d_k, S, (size_t)d_v, 1, d_k, d_v, NULL);
        for (int c = 0; c < d_v; c++) oi[c] *= inv;
        if (weights)   // w_ij = phi(q_i)·phi(k_j) / denom, for the keys this row sums over
            for (int j = 0; j < n; j++) {
                float dot = 0.0f;
                for (int p = 0; p < d_k && (!causal || j <= i); p++) dot += pq[p] * phi(k[(size_t)j * d_k + p]);
                weights[(size_t)i * n + j] = (!causal || j <= i) ? dot * inv : 0.0f;
            }
    }
    return attn__all_finite(out, nv) ? ATTN_OK : ATTN_ERR_NONFINITE;
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
    if (!(lo > 0.0f) || !(hi > 0.0f) || lo == hi || !isfinite(lo) || !isfinite(hi)) return ATTN_ERR_RANGE;
    const double l0 = log10(lo), span = log10(hi) - l0;
    for (int i = 0; i < count; i++) {
        if (!(values[i] > 0.0f) || !isfinite(values[i])) return ATTN_ERR_NONFINITE;
        out[i] = (float)((log10(values[i]) - l0) / span);
    }
    return ATTN_OK;
}

int attn_power_line(float *out, const float *xs, int count, float x0, float y0, float exponent) {
    if (!out || !xs) return ATTN_ERR_NULL;
    if (count <= 0) return ATTN_ERR_SIZE;
    if (!(x0 > 0.0f) || !isfinite(x0)) return ATTN_ERR_RANGE;
    if (!isfinite(y0) || !isfinite(exponent)) return ATTN_ERR_NONFINITE;
    for (int i = 0; i < count; i++) {
        if (!(xs[i] > 0.0f) || !isfinite(xs[i])) return ATTN_ERR_RANGE;
        double y = (double)y0 * pow((double)xs[i] / x0, exponent);
        if (!(fabs(y) <= FLT_MAX)) return ATTN_ERR_NONFINITE;
        out[i] = (float)y;
    }
    return ATTN_OK;
}

int attn_log_slope(float *slope, const float *xs, const float *ys, int count) {
    if (!slope || !xs || !ys) return ATTN_ERR_NULL;
    if (count < 2) return ATTN_ERR_SIZE;
    double mean_x = 0.0, mean_y = 0.0;
    for (int i = 0; i < count; i++) {
        if (!(xs[i] > 0.0f) || !isfinite(xs[i]) || !(ys[i] > 0.0f) || !isfinite(ys[i])) return ATTN_ERR_RANGE;
        mean_x += log(xs[i]);
        mean_y += log(ys[i]);
    }
    mean_x /= count;
    mean_y /= count;
    // centred sums: no cancellation when the xs are large and close together
    double sxx = 0.0, sxy = 0.0;
    for (int i = 0; i < count; i++) {
        const double dx = log(xs[i]) - mean_x;
        sxx += dx * dx;
        sxy += dx * (log(ys[i]) - mean_y);
    }
    if (!(sxx > 0.0)) return ATTN_ERR_RANGE;
    *slope = (float)(sxy / sxx);
    return ATTN_OK;
}

int attn_top_k(int *indices, const float *values, int count, int k) {
    if (!indices || !values) return ATTN_ERR_NULL;
    if (count <= 0 || k <= 0) return ATTN_ERR_SIZE;
    if (attn__any_nan(values, (size_t)count)) return ATTN_ERR_NONFINITE;
    const int m = k < count ? k : count;
    // insertion into a sorted prefix: k is small (the page asks for 3); strictly greater moves
    // up, so of equal values the lower index stays first
    for (int i = 0; i < count; i++) {
        int at = i < m ? i : m;
        while (at > 0 && values[i] > values[indices[at - 1]]) {
            if (at < m) indices[at] = indices[at - 1];
            at--;
        }
        if (at < m) indices[at] = i;
    }
    return m;
}

// ---------------------------------------------------------------------------------------
// What each kernel of the lab needs

int attn_kernel_bytes(size_t *bytes, int kernel, int n, int d, int window) {
    size_t nd, work;
    int rc;
    if (!bytes) return ATTN_ERR_NULL;
    *bytes = 0;
    if ((rc = attn__checked_count(&nd, n, d))) return rc;
    if (kernel == ATTN_KERNEL_WINDOW && window < 1) return ATTN_ERR_MASK;
    switch (kernel) {
    case ATTN_KERNEL_FULL:
        if ((rc = attn__checked_count(&work, n, n))) return rc;
        break;
    case ATTN_KERNEL_STREAMING:   // d <= 128: the dense kernel's Qᵀ, scores, output rows, m, l, ...
        work = d <= ATTN__FAST_MAX_D ? ATTN__FAST_WORK(d, d) : TILE_Q * TILE_K + 3 * TILE_Q;
        break;
    case ATTN_KERNEL_WINDOW:   // the window cuts the work, not the memory: K and V stay whole
        work = TILE_Q * TILE_K + 3 * TILE_Q;   // the scores tile and the running max, sum, rescale
        break;
    case ATTN_KERNEL_LINEAR:
        work = attn_linear_scratch_floats(d, d);
        if (!work) return ATTN_ERR_OVERFLOW;
        break;
    default:
        return ATTN_ERR_KERNEL;
    }
    // Q, K, V and the output, plus the kernel's own floats (nd, work <= 2^29: no wrap)
    const size_t floats = 4 * nd + work;
    if (floats > SIZE_MAX / sizeof(float)) return ATTN_ERR_OVERFLOW;
    *bytes = floats * sizeof(float);
    return ATTN_OK;
}

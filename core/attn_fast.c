/* attn_fast.c - the dense streaming kernel: attention over blocks of 32 query rows (128 for
   long inputs) against tiles of 64 keys with an online softmax, never n x n (see attn_fast.h).
   Compiled three ways from this one source: plain C in the native build, 128-bit WASM SIMD in
   the Emscripten build, and alone with relaxed SIMD (fused multiply-add) by clang-16 into
   web/core/attn-fast.js, which the page installs when the browser validates it. So that last
   module can share the core's memory, this file calls nothing (no libc), keeps no static data
   and puts no arrays on the stack: every buffer comes from the caller. */
#include "attn.h"
#include "attn_fast.h"
#include "attn_simd.h"

int attn__stream_dense(float *out, const float *q, const float *k, const float *v, int n, int d_k,
                       int d_v, float scale, float inv_t, int causal, int row_begin, int row_end,
                       float *work) {
    const int block = n >= ATTN__FAST_LONG_N ? ATTN__FAST_ROWS_LONG : ATTN__FAST_ROWS_SHORT;
    float *qt = work, *st = qt + (size_t)block * d_k, *o = st + block * ATTN__FAST_KEYS;
    float *m = o + (size_t)block * d_v, *l = m + block, *corr = l + block, *tmax = corr + block;
    int blocked = 0;
    for (int i0 = row_begin; i0 < row_end; i0 += block) {
        const int rows = row_end - i0 < block ? row_end - i0 : block;
        const int rq = (rows + 7) & ~7;   // padded with zero rows of Q, whose results are dropped
        attn__pack_t(qt, rq, q + (size_t)i0 * d_k, (size_t)d_k, rows, d_k);
        for (int r = 0; r < rq; r++) { m[r] = -INFINITY; l[r] = 0.0f; }
        for (size_t i = 0; i < (size_t)rq * d_v; i++) o[i] = 0.0f;
        // causal: row i sees keys 0..i, so the block's keys end at its last row
        const int keys = causal ? i0 + rows : n;
        for (int j0 = 0; j0 < keys; j0 += ATTN__FAST_KEYS) {
            const int cols = keys - j0 < ATTN__FAST_KEYS ? keys - j0 : ATTN__FAST_KEYS;
            // a tile reaching past the block's first row holds keys some rows may not see
            const int diag = causal && j0 + cols - 1 > i0;
            if (!attn__blk_scores_t(st, tmax, k + (size_t)j0 * d_k, (size_t)d_k, cols, qt, rq, d_k, scale,
                                    diag, j0 - i0))
                return ATTN_ERR_NONFINITE;   // 1e30 * 1e30 overflows
            attn__blk_softmax_t(st, cols, rq, m, l, corr, tmax, inv_t);
            attn__blk_pv_t(o, (size_t)d_v, st, rq, v + (size_t)j0 * d_v, (size_t)d_v, cols, d_v, corr);
        }
        for (int r = 0; r < rows; r++) {
            float *dst = out + (size_t)(i0 + r) * d_v;
            const float *src = o + (size_t)r * d_v;
            if (l[r] == 0.0f) {   // no key for this row: its output is 0
                blocked++;
                for (int j = 0; j < d_v; j++) dst[j] = 0.0f;
                continue;
            }
            const float inv = 1.0f / l[r];
            for (int j = 0; j < d_v; j++) dst[j] = src[j] * inv;
            // the unnormalised sum overflows when values are near FLT_MAX
            if (!attn__all_finite(dst, (size_t)d_v)) return ATTN_ERR_NONFINITE;
        }
    }
    return blocked;
}

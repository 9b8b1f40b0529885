/* attn_simd.h - private to core/: the block kernels the fast paths share (dot products of a
   block of rows against a block of rows, a small GEMM that can rescale what it accumulates,
   and exp over a row, plus the checks and scalings around them). Under __wasm_simd128__ they
   use 128-bit WASM SIMD, 4 floats wide, blocked over 4 rows so each load feeds several
   multiply-adds; elsewhere they are plain C loops of the same shape (native builds, where gcc
   may auto-vectorise them); this is the only file of core/ with #ifdef __wasm_simd128__.
   Sizes need not be multiples of 4: the tails run one float at a time. Callers check
   arguments; these trust them. */
#ifndef ATTN_SIMD_H
#define ATTN_SIMD_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>

// a*b + c. With relaxed SIMD (only the clang-16 build of attn_fast.c, web/core/attn-fast.js)
// this is one fused multiply-add where the engine fuses (x86 with FMA3, ARM), rounding once
// instead of twice; elsewhere a multiply then an add.
#ifdef __wasm_relaxed_simd__
static inline v128_t attn__vmadd(v128_t a, v128_t b, v128_t c) {
    return (v128_t)__builtin_wasm_relaxed_madd_f32x4((__f32x4)a, (__f32x4)b, (__f32x4)c);
}
#else
static inline v128_t attn__vmadd(v128_t a, v128_t b, v128_t c) {
    return wasm_f32x4_add(wasm_f32x4_mul(a, b), c);
}
#endif

// lanes 0..3 of four vectors summed into one vector: [sum a, sum b, sum c, sum d]
static inline v128_t attn__simd_hsum4(v128_t a, v128_t b, v128_t c, v128_t d) {
    v128_t ab = wasm_f32x4_add(wasm_i32x4_shuffle(a, b, 0, 4, 2, 6), wasm_i32x4_shuffle(a, b, 1, 5, 3, 7));
    v128_t cd = wasm_f32x4_add(wasm_i32x4_shuffle(c, d, 0, 4, 2, 6), wasm_i32x4_shuffle(c, d, 1, 5, 3, 7));
    return wasm_f32x4_add(wasm_i32x4_shuffle(ab, cd, 0, 1, 4, 5), wasm_i32x4_shuffle(ab, cd, 2, 3, 6, 7));
}

static inline float attn__simd_hsum(v128_t a) {
    v128_t s = wasm_f32x4_add(a, wasm_i32x4_shuffle(a, a, 2, 3, 0, 1));
    s = wasm_f32x4_add(s, wasm_i32x4_shuffle(s, s, 1, 0, 3, 2));
    return wasm_f32x4_extract_lane(s, 0);
}

// exp(x) per lane, relative error ~1e-7 (Cephes expf: x = k ln2 + r with ln2 split in two
// parts so r is exact, |r| <= ln2/2, a degree-6 polynomial, then 2^k through the exponent
// bits). x below -87.3 (where exp leaves the normal floats), -inf included, gives 0; x is
// clamped at 88 above. Softmax only feeds it x <= 0.
static inline v128_t attn__simd_exp(v128_t x) {
    const v128_t lo = wasm_f32x4_splat(-87.33654f), hi = wasm_f32x4_splat(88.0f);
    const v128_t magic = wasm_f32x4_splat(12582912.0f);   // 1.5 * 2^23: rounds to an integer
    v128_t under = wasm_f32x4_lt(x, lo);
    // pmin/pmax are single instructions on x86 (min/max must handle NaN, which never comes here)
    x = wasm_f32x4_pmin(wasm_f32x4_pmax(x, lo), hi);
    v128_t k = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)));
    // a*b + c through attn__vmadd: the same roundings as before without relaxed SIMD (x - k*c
    // is x + k*(-c) exactly), one fused step each with it
    v128_t r = attn__vmadd(k, wasm_f32x4_splat(-0.693359375f), x);
    r = attn__vmadd(k, wasm_f32x4_splat(2.12194440e-4f), r);
    v128_t p = wasm_f32x4_splat(1.9875691500e-4f);
    p = attn__vmadd(p, r, wasm_f32x4_splat(1.3981999507e-3f));
    p = attn__vmadd(p, r, wasm_f32x4_splat(8.3334519073e-3f));
    p = attn__vmadd(p, r, wasm_f32x4_splat(4.1665795894e-2f));
    p = attn__vmadd(p, r, wasm_f32x4_splat(1.6666665459e-1f));
    p = attn__vmadd(p, r, wasm_f32x4_splat(5.0000001201e-1f));
    v128_t y = wasm_f32x4_add(attn__vmadd(wasm_f32x4_mul(p, r), r, r), wasm_f32x4_splat(1.0f));
    // 2^k: k in [-126, 127] after the clamps, so the biased exponent stays in 1..254; the
    // integer k is the low bits of k + magic (cheaper than a saturating convert)
    v128_t ki = wasm_i32x4_sub(wasm_f32x4_add(k, magic), magic);
    v128_t pow2 = wasm_i32x4_shl(wasm_i32x4_add(ki, wasm_i32x4_splat(127)), 23);
    return wasm_v128_andnot(wasm_f32x4_mul(y, pow2), under);
}
#endif

// Each helper below has two bodies with one contract: 128-bit WASM SIMD, 4 floats at a time
// (the page), and a plain C twin of the same loop (native builds, the sanitizer tests and the
// fuzzers), so the native tests run the structure the page runs.

// 1 when none of x[0..count) is NaN or infinite (4 at a time: one float at a time costs as
// much as a pass of real work over n x n scores)
static inline int attn__all_finite(const float *x, size_t count) {
    size_t i = 0;
    int all = 1;
#ifdef __wasm_simd128__
    const v128_t inf = wasm_f32x4_splat(INFINITY);
    v128_t ok = wasm_i32x4_splat(-1);
    for (; i + 4 <= count; i += 4) ok = wasm_v128_and(ok, wasm_f32x4_lt(wasm_f32x4_abs(wasm_v128_load(x + i)), inf));
    all = wasm_i32x4_all_true(ok);
#else
    for (; i + 4 <= count; i += 4)
        all &= (fabsf(x[i]) < INFINITY) & (fabsf(x[i + 1]) < INFINITY) &
               (fabsf(x[i + 2]) < INFINITY) & (fabsf(x[i + 3]) < INFINITY);
#endif
    for (; i < count; i++) all &= isfinite(x[i]) != 0;
    return all;
}

// 1 when some x[0..count) is NaN
static inline int attn__any_nan(const float *x, size_t count) {
    size_t i = 0;
    int any = 0;
#ifdef __wasm_simd128__
    v128_t bad = wasm_i32x4_splat(0);
    for (; i + 4 <= count; i += 4) {
        v128_t v = wasm_v128_load(x + i);
        bad = wasm_v128_or(bad, wasm_f32x4_ne(v, v));
    }
    any = wasm_v128_any_true(bad);
#else
    for (; i + 4 <= count; i += 4)
        any |= (x[i] != x[i]) | (x[i + 1] != x[i + 1]) | (x[i + 2] != x[i + 2]) | (x[i + 3] != x[i + 3]);
#endif
    for (; i < count; i++) any |= isnan(x[i]) != 0;
    return any;
}

// The largest of x[0..count) (no NaN in x); -INFINITY when count is 0
static inline float attn__row_max(const float *x, int count) {
    float max = -INFINITY;
    int j = 0;
#ifdef __wasm_simd128__
    v128_t vmax = wasm_f32x4_splat(-INFINITY);
    for (; j + 4 <= count; j += 4) vmax = wasm_f32x4_pmax(vmax, wasm_v128_load(x + j));
    float lanes[4];
    wasm_v128_store(lanes, vmax);
#else
    float lanes[4] = { -INFINITY, -INFINITY, -INFINITY, -INFINITY };
    for (; j + 4 <= count; j += 4)
        for (int u = 0; u < 4; u++) lanes[u] = x[j + u] > lanes[u] ? x[j + u] : lanes[u];
#endif
    for (int u = 0; u < 4; u++)
        if (lanes[u] > max) max = lanes[u];
    for (; j < count; j++)
        if (x[j] > max) max = x[j];
    return max;
}

// out[i] = in[i] * scale, 4 at a time, while every product of a chunk is finite. Returns how
// many were done (a multiple of 4): the caller finishes the rest one at a time, where a chunk
// holding inf or NaN gets its exact treatment.
static inline size_t attn__scale_finite(float *out, const float *in, size_t count, float scale) {
    size_t i = 0;
#ifdef __wasm_simd128__
    const v128_t vs = wasm_f32x4_splat(scale), inf = wasm_f32x4_splat(INFINITY);
    for (; i + 4 <= count; i += 4) {
        v128_t x = wasm_f32x4_mul(wasm_v128_load(in + i), vs);
        if (!wasm_i32x4_all_true(wasm_f32x4_lt(wasm_f32x4_abs(x), inf))) break;
        wasm_v128_store(out + i, x);
    }
#else
    for (; i + 4 <= count; i += 4) {
        float x[4];
        int ok = 1;
        for (int u = 0; u < 4; u++) { x[u] = in[i + u] * scale; ok &= fabsf(x[u]) < INFINITY; }
        if (!ok) break;
        for (int u = 0; u < 4; u++) out[i + u] = x[u];
    }
#endif
    return i;
}

// x[i] *= f for i < count
static inline void attn__scale_by(float *x, int count, float f) {
    int j = 0;
#ifdef __wasm_simd128__
    const v128_t vf = wasm_f32x4_splat(f);
    for (; j + 4 <= count; j += 4) wasm_v128_store(x + j, wasm_f32x4_mul(wasm_v128_load(x + j), vf));
#endif
    for (; j < count; j++) x[j] *= f;
}

// x[i] *= scale for i < count, and *max = the largest product. Returns 0 when a product is
// not finite (x then holds partial results), else 1.
static inline int attn__scale_max(float *x, int count, float scale, float *max) {
    float mt = -INFINITY;
    int j = 0, ok = 1;
#ifdef __wasm_simd128__
    const v128_t vscale = wasm_f32x4_splat(scale), inf = wasm_f32x4_splat(INFINITY);
    v128_t vmax = wasm_f32x4_splat(-INFINITY), vok = wasm_i32x4_splat(-1);
    for (; j + 4 <= count; j += 4) {
        v128_t v = wasm_f32x4_mul(wasm_v128_load(x + j), vscale);
        vok = wasm_v128_and(vok, wasm_f32x4_lt(wasm_f32x4_abs(v), inf));
        vmax = wasm_f32x4_pmax(vmax, v);
        wasm_v128_store(x + j, v);
    }
    ok = wasm_i32x4_all_true(vok);
    float lanes[4];
    wasm_v128_store(lanes, vmax);
#else
    float lanes[4] = { -INFINITY, -INFINITY, -INFINITY, -INFINITY };
    for (; j + 4 <= count; j += 4)
        for (int u = 0; u < 4; u++) {
            float v = x[j + u] * scale;
            ok &= fabsf(v) < INFINITY;
            lanes[u] = v > lanes[u] ? v : lanes[u];
            x[j + u] = v;
        }
#endif
    for (int u = 0; u < 4; u++)
        if (lanes[u] > mt) mt = lanes[u];
    for (; j < count; j++) {
        float v = x[j] * scale;
        ok &= isfinite(v) != 0;
        if (v > mt) mt = v;
        x[j] = v;
    }
    *max = mt;
    return ok;
}

// s[r*lds + c] = q_r · k_c for r < rows, c < cols; q_r = q + r*ldq, k_c = k + c*ldk, d wide.
static inline void attn__blk_dots(float *s, size_t lds, const float *q, size_t ldq, int rows,
                                 const float *k, size_t ldk, int cols, int d) {
#ifdef __wasm_simd128__
    int r = 0;
    // 4 query rows against 2 key rows: 8 accumulators, 6 loads per 8 multiply-adds
    for (; r + 4 <= rows; r += 4) {
        const float *q0 = q + r * ldq, *q1 = q0 + ldq, *q2 = q1 + ldq, *q3 = q2 + ldq;
        int c = 0;
        for (; c + 2 <= cols; c += 2) {
            const float *ka = k + c * ldk, *kb = ka + ldk;
            v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            int p = 0;
            for (; p + 4 <= d; p += 4) {
                v128_t x0 = wasm_v128_load(q0 + p), x1 = wasm_v128_load(q1 + p);
                v128_t x2 = wasm_v128_load(q2 + p), x3 = wasm_v128_load(q3 + p);
                v128_t ya = wasm_v128_load(ka + p), yb = wasm_v128_load(kb + p);
                a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(x0, ya)); b0 = wasm_f32x4_add(b0, wasm_f32x4_mul(x0, yb));
                a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(x1, ya)); b1 = wasm_f32x4_add(b1, wasm_f32x4_mul(x1, yb));
                a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(x2, ya)); b2 = wasm_f32x4_add(b2, wasm_f32x4_mul(x2, yb));
                a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(x3, ya)); b3 = wasm_f32x4_add(b3, wasm_f32x4_mul(x3, yb));
            }
            v128_t sa = attn__simd_hsum4(a0, a1, a2, a3), sb = attn__simd_hsum4(b0, b1, b2, b3);
            float ta[4], tb[4];
            wasm_v128_store(ta, sa);
            wasm_v128_store(tb, sb);
            for (; p < d; p++) {
                ta[0] += q0[p] * ka[p]; tb[0] += q0[p] * kb[p];
                ta[1] += q1[p] * ka[p]; tb[1] += q1[p] * kb[p];
                ta[2] += q2[p] * ka[p]; tb[2] += q2[p] * kb[p];
                ta[3] += q3[p] * ka[p]; tb[3] += q3[p] * kb[p];
            }
            for (int i = 0; i < 4; i++) {
                s[(r + i) * lds + c] = ta[i];
                s[(r + i) * lds + c + 1] = tb[i];
            }
        }
        for (; c < cols; c++) {
            const float *kc = k + c * ldk;
            v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
            int p = 0;
            for (; p + 4 <= d; p += 4) {
                v128_t y = wasm_v128_load(kc + p);
                a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(q0 + p), y));
                a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(q1 + p), y));
                a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(q2 + p), y));
                a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(q3 + p), y));
            }
            float t[4];
            wasm_v128_store(t, attn__simd_hsum4(a0, a1, a2, a3));
            for (; p < d; p++) {
                t[0] += q0[p] * kc[p]; t[1] += q1[p] * kc[p];
                t[2] += q2[p] * kc[p]; t[3] += q3[p] * kc[p];
            }
            for (int i = 0; i < 4; i++) s[(r + i) * lds + c] = t[i];
        }
    }
    for (; r < rows; r++) {   // the last rows % 4 query rows, one at a time
        const float *qr = q + r * ldq;
        for (int c = 0; c < cols; c++) {
            const float *kc = k + c * ldk;
            v128_t a = wasm_f32x4_splat(0);
            int p = 0;
            for (; p + 4 <= d; p += 4)
                a = wasm_f32x4_add(a, wasm_f32x4_mul(wasm_v128_load(qr + p), wasm_v128_load(kc + p)));
            float t = attn__simd_hsum(a);
            for (; p < d; p++) t += qr[p] * kc[p];
            s[r * lds + c] = t;
        }
    }
#else
    // 8 independent partial sums: without -ffast-math a compiler may not reorder one running
    // sum, but it can vectorise 8 separate ones (gcc -O3 does)
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            const float *qr = q + r * ldq, *kc = k + c * ldk;
            float acc[8] = { 0 };
            int p = 0;
            for (; p + 8 <= d; p += 8)
                for (int u = 0; u < 8; u++) acc[u] += qr[p + u] * kc[p + u];
            float t = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
            for (; p < d; p++) t += qr[p] * kc[p];
            s[r * lds + c] = t;
        }
#endif
}

// out_r (cols) = row_scale[r] * out_r + a_r · b  for r < rows, a_r = a + r*lda (kdim wide),
// b (kdim, cols) with row stride ldb. row_scale NULL means out_r = a_r · b (out overwritten).
static inline void attn__blk_gemm(float *out, size_t ldo, const float *a, size_t lda,
                                 const float *b, size_t ldb, int rows, int kdim, int cols,
                                 const float *row_scale) {
#ifdef __wasm_simd128__
    int r = 0;
    // 4 rows of a, 8 columns of b at a time: 8 accumulators stay in registers over kdim
    for (; r + 4 <= rows; r += 4) {
        float *o0 = out + r * ldo, *o1 = o0 + ldo, *o2 = o1 + ldo, *o3 = o2 + ldo;
        const float *a0 = a + r * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
        v128_t z = wasm_f32x4_splat(0);
        v128_t f0 = row_scale ? wasm_f32x4_splat(row_scale[r]) : z;
        v128_t f1 = row_scale ? wasm_f32x4_splat(row_scale[r + 1]) : z;
        v128_t f2 = row_scale ? wasm_f32x4_splat(row_scale[r + 2]) : z;
        v128_t f3 = row_scale ? wasm_f32x4_splat(row_scale[r + 3]) : z;
        int c = 0;
        for (; c + 8 <= cols; c += 8) {
            v128_t c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
            if (row_scale) {
                c00 = wasm_f32x4_mul(f0, wasm_v128_load(o0 + c)); c01 = wasm_f32x4_mul(f0, wasm_v128_load(o0 + c + 4));
                c10 = wasm_f32x4_mul(f1, wasm_v128_load(o1 + c)); c11 = wasm_f32x4_mul(f1, wasm_v128_load(o1 + c + 4));
                c20 = wasm_f32x4_mul(f2, wasm_v128_load(o2 + c)); c21 = wasm_f32x4_mul(f2, wasm_v128_load(o2 + c + 4));
                c30 = wasm_f32x4_mul(f3, wasm_v128_load(o3 + c)); c31 = wasm_f32x4_mul(f3, wasm_v128_load(o3 + c + 4));
            }
            for (int p = 0; p < kdim; p++) {
                const float *bp = b + p * ldb + c;
                v128_t y0 = wasm_v128_load(bp), y1 = wasm_v128_load(bp + 4), x;
                x = wasm_f32x4_splat(a0[p]);
                c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(x, y0)); c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(x, y1));
                x = wasm_f32x4_splat(a1[p]);
                c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(x, y0)); c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(x, y1));
                x = wasm_f32x4_splat(a2[p]);
                c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(x, y0)); c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(x, y1));
                x = wasm_f32x4_splat(a3[p]);
                c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(x, y0)); c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(x, y1));
            }
            wasm_v128_store(o0 + c, c00); wasm_v128_store(o0 + c + 4, c01);
            wasm_v128_store(o1 + c, c10); wasm_v128_store(o1 + c + 4, c11);
            wasm_v128_store(o2 + c, c20); wasm_v128_store(o2 + c + 4, c21);
            wasm_v128_store(o3 + c, c30); wasm_v128_store(o3 + c + 4, c31);
        }
        for (; c + 4 <= cols; c += 4) {
            v128_t c0 = z, c1 = z, c2 = z, c3 = z;
            if (row_scale) {
                c0 = wasm_f32x4_mul(f0, wasm_v128_load(o0 + c)); c1 = wasm_f32x4_mul(f1, wasm_v128_load(o1 + c));
                c2 = wasm_f32x4_mul(f2, wasm_v128_load(o2 + c)); c3 = wasm_f32x4_mul(f3, wasm_v128_load(o3 + c));
            }
            for (int p = 0; p < kdim; p++) {
                v128_t y = wasm_v128_load(b + p * ldb + c);
                c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(wasm_f32x4_splat(a0[p]), y));
                c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(wasm_f32x4_splat(a1[p]), y));
                c2 = wasm_f32x4_add(c2, wasm_f32x4_mul(wasm_f32x4_splat(a2[p]), y));
                c3 = wasm_f32x4_add(c3, wasm_f32x4_mul(wasm_f32x4_splat(a3[p]), y));
            }
            wasm_v128_store(o0 + c, c0); wasm_v128_store(o1 + c, c1);
            wasm_v128_store(o2 + c, c2); wasm_v128_store(o3 + c, c3);
        }
        for (; c < cols; c++) {   // the last cols % 4 columns
            float t0 = row_scale ? row_scale[r] * o0[c] : 0.0f, t1 = row_scale ? row_scale[r + 1] * o1[c] : 0.0f;
            float t2 = row_scale ? row_scale[r + 2] * o2[c] : 0.0f, t3 = row_scale ? row_scale[r + 3] * o3[c] : 0.0f;
            for (int p = 0; p < kdim; p++) {
                float y = b[p * ldb + c];
                t0 += a0[p] * y; t1 += a1[p] * y; t2 += a2[p] * y; t3 += a3[p] * y;
            }
            o0[c] = t0; o1[c] = t1; o2[c] = t2; o3[c] = t3;
        }
    }
    for (; r < rows; r++) {   // the last rows % 4 rows, one at a time
        float *o = out + r * ldo;
        const float *ar = a + r * lda;
        int c = 0;
        for (; c + 4 <= cols; c += 4) {
            v128_t acc = row_scale ? wasm_f32x4_mul(wasm_f32x4_splat(row_scale[r]), wasm_v128_load(o + c))
                                   : wasm_f32x4_splat(0);
            for (int p = 0; p < kdim; p++)
                acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_f32x4_splat(ar[p]), wasm_v128_load(b + p * ldb + c)));
            wasm_v128_store(o + c, acc);
        }
        for (; c < cols; c++) {
            float t = row_scale ? row_scale[r] * o[c] : 0.0f;
            for (int p = 0; p < kdim; p++) t += ar[p] * b[p * ldb + c];
            o[c] = t;
        }
    }
#else
    // i-p-j order over chunks of 16 columns: the inner loop walks b contiguously and the
    // chunk's sums stay in a local array the compiler keeps in vector registers
    for (int r = 0; r < rows; r++) {
        float *o = out + r * ldo;
        const float *ar = a + r * lda;
        const float f = row_scale ? row_scale[r] : 0.0f;
        for (int c0 = 0; c0 < cols; c0 += 16) {
            const int w = cols - c0 < 16 ? cols - c0 : 16;
            float acc[16];
            for (int c = 0; c < w; c++) acc[c] = row_scale ? f * o[c0 + c] : 0.0f;
            if (w == 16) {
                for (int p = 0; p < kdim; p++)
                    for (int c = 0; c < 16; c++) acc[c] += ar[p] * b[p * ldb + c0 + c];
            } else {
                for (int p = 0; p < kdim; p++)
                    for (int c = 0; c < w; c++) acc[c] += ar[p] * b[p * ldb + c0 + c];
            }
            for (int c = 0; c < w; c++) o[c0 + c] = acc[c];
        }
    }
#endif
}

// exp(y) for y <= 0 in plain C: the Cephes polynomial of attn__simd_exp, branch-free so gcc
// -O3 vectorises the loops that call it (a call to expf per entry would not be); y below -87.3,
// -inf included, gives 0
static inline float attn__exp_plain(float y) {
    int under = y < -87.33654f;
    y = y < -87.33654f ? -87.33654f : y;
    float k = (float)(int)(y * 1.44269504088896341f + (y < 0 ? -0.5f : 0.5f));
    float r = y - k * 0.693359375f - k * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    union { float f; int32_t i; } pow2 = { .i = ((int32_t)k + 127) << 23 };
    return under ? 0.0f : (p * r * r + r + 1.0f) * pow2.f;
}

// x[j] = exp((x[j] - shift) / t) for j < count, x[j] <= shift; returns the sum. -inf gives 0.
static inline float attn__blk_exp_shift(float *x, int count, float shift, float t) {
    // 1/t overflows for t below ~3e-39: FLT_MAX instead keeps (max - max) * inv_t = 0 (exp 1)
    // rather than 0 * inf = NaN
    const float inv_t = 1.0f / t < 3.40282347e38f ? 1.0f / t : 3.40282347e38f;
#ifdef __wasm_simd128__
    // times 1/t rather than a divide per entry: at most an ulp apart, and much cheaper
    v128_t vs = wasm_f32x4_splat(shift), vt = wasm_f32x4_splat(inv_t), acc = wasm_f32x4_splat(0);
    int j = 0;
    for (; j + 4 <= count; j += 4) {
        v128_t e = attn__simd_exp(wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(x + j), vs), vt));
        wasm_v128_store(x + j, e);
        acc = wasm_f32x4_add(acc, e);
    }
    float sum = attn__simd_hsum(acc);
    if (j < count) {   // the tail, through the same vector exp so every entry rounds alike
        float tail[4] = { -INFINITY, -INFINITY, -INFINITY, -INFINITY };
        for (int i = j; i < count; i++) tail[i - j] = x[i];
        v128_t e = attn__simd_exp(wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(tail), vs), vt));
        wasm_v128_store(tail, e);
        for (int i = j; i < count; i++) { x[i] = tail[i - j]; sum += tail[i - j]; }
    }
    return sum;
#else
    float sum = 0.0f;
    for (int j = 0; j < count; j++) x[j] = attn__exp_plain((x[j] - shift) * inv_t);
    float part[8] = { 0 };   // 8 partial sums, again so the loop vectorises
    int j = 0;
    for (; j + 8 <= count; j += 8)
        for (int u = 0; u < 8; u++) part[u] += x[j + u];
    for (; j < count; j++) sum += x[j];
    return sum + ((part[0] + part[4]) + (part[1] + part[5])) + ((part[2] + part[6]) + (part[3] + part[7]));
#endif
}

// ---------------------------------------------------------------------------------------
// The blocks of the dense streaming kernel (attn_fast.c). Scores are kept transposed, keys by
// query rows (st[c*rq + r]), and Q is packed transposed too (qt[p*rq + r]): Q·Kᵀ and P·V are
// then both "broadcast one float, multiply a vector" GEMMs with no horizontal sums, and the
// softmax over keys runs down columns, 4 query rows per vector. rq (query rows, padded with
// zero rows of Q) is a multiple of 8.

// qt[p*rq + r] = q[r*ldq + p] for r < rows, p < d; 0 for rows <= r < rq
static inline void attn__pack_t(float *qt, int rq, const float *q, size_t ldq, int rows, int d) {
    for (int r = 0; r < rq; r++)
        for (int p = 0; p < d; p++) qt[(size_t)p * rq + r] = r < rows ? q[(size_t)r * ldq + p] : 0.0f;
}

// st[c*rq + r] = scale * (k_c · q_r) for c < cols, r < rq, k_c = k + c*ldk; when diag, entries
// with c + shift > r (a key after the query row) are -inf instead. tmax[r] = the largest of
// column r (-inf when all are masked). Returns 0 when a score is not finite, else 1.
static inline int attn__blk_scores_t(float *st, float *tmax, const float *k, size_t ldk, int cols,
                                     const float *qt, int rq, int d, float scale, int diag, int shift) {
#ifdef __wasm_simd128__
    const v128_t vscale = wasm_f32x4_splat(scale);
    const v128_t ninf = wasm_f32x4_splat(-INFINITY), z = wasm_f32x4_splat(0.0f);
    v128_t bad = z;
    for (int r = 0; r < rq; r += 8) {
        const v128_t row0 = wasm_i32x4_make(r, r + 1, r + 2, r + 3), row1 = wasm_i32x4_make(r + 4, r + 5, r + 6, r + 7);
        v128_t mx0 = ninf, mx1 = ninf;
        // one key's 8 scores: scale, check, mask, fold into the max, store
#define ATTN__SCORES_OUT(acc0, acc1, key)                                                          \
        do {                                                                                      \
            v128_t s0 = wasm_f32x4_mul(acc0, vscale), s1 = wasm_f32x4_mul(acc1, vscale);          \
            /* x * 0 is 0 for finite x, NaN for inf or NaN: bad stays 0 while all are finite */   \
            bad = attn__vmadd(s0, z, attn__vmadd(s1, z, bad));                                    \
            if (diag) {                                                                           \
                v128_t kc = wasm_i32x4_splat((key) + shift);                                      \
                s0 = wasm_v128_bitselect(ninf, s0, wasm_i32x4_gt(kc, row0));                      \
                s1 = wasm_v128_bitselect(ninf, s1, wasm_i32x4_gt(kc, row1));                      \
            }                                                                                     \
            mx0 = wasm_f32x4_pmax(mx0, s0); mx1 = wasm_f32x4_pmax(mx1, s1);                       \
            wasm_v128_store(st + (size_t)(key) * rq + r, s0);                                     \
            wasm_v128_store(st + (size_t)(key) * rq + r + 4, s1);                                 \
        } while (0)
        int c = 0;
        // 4 keys x 8 query rows: 8 accumulators; per p, 2 loads of Qᵀ and 4 broadcasts of K
        for (; c + 4 <= cols; c += 4) {
            const float *k0 = k + (size_t)c * ldk, *k1 = k0 + ldk, *k2 = k1 + ldk, *k3 = k2 + ldk;
            v128_t a0 = z, b0 = z, a1 = z, b1 = z, a2 = z, b2 = z, a3 = z, b3 = z;
            const float *qp = qt + r;
            for (int p = 0; p < d; p++, qp += rq) {
                v128_t x0 = wasm_v128_load(qp), x1 = wasm_v128_load(qp + 4), y;
                y = wasm_v128_load32_splat(k0 + p); a0 = attn__vmadd(y, x0, a0); b0 = attn__vmadd(y, x1, b0);
                y = wasm_v128_load32_splat(k1 + p); a1 = attn__vmadd(y, x0, a1); b1 = attn__vmadd(y, x1, b1);
                y = wasm_v128_load32_splat(k2 + p); a2 = attn__vmadd(y, x0, a2); b2 = attn__vmadd(y, x1, b2);
                y = wasm_v128_load32_splat(k3 + p); a3 = attn__vmadd(y, x0, a3); b3 = attn__vmadd(y, x1, b3);
            }
            ATTN__SCORES_OUT(a0, b0, c);
            ATTN__SCORES_OUT(a1, b1, c + 1);
            ATTN__SCORES_OUT(a2, b2, c + 2);
            ATTN__SCORES_OUT(a3, b3, c + 3);
        }
        for (; c < cols; c++) {   // the last cols % 4 keys, one at a time
            const float *k0 = k + (size_t)c * ldk, *qp = qt + r;
            v128_t a0 = z, b0 = z;
            for (int p = 0; p < d; p++, qp += rq) {
                v128_t y = wasm_v128_load32_splat(k0 + p);
                a0 = attn__vmadd(y, wasm_v128_load(qp), a0);
                b0 = attn__vmadd(y, wasm_v128_load(qp + 4), b0);
            }
            ATTN__SCORES_OUT(a0, b0, c);
        }
#undef ATTN__SCORES_OUT
        wasm_v128_store(tmax + r, mx0);
        wasm_v128_store(tmax + r + 4, mx1);
    }
    return wasm_i32x4_all_true(wasm_f32x4_eq(bad, z));
#else
    int ok = 1;
    for (int r = 0; r < rq; r++) tmax[r] = -INFINITY;
    for (int c = 0; c < cols; c++) {
        const float *kc = k + (size_t)c * ldk;
        float *sc = st + (size_t)c * rq;
        for (int r = 0; r < rq; r++) sc[r] = 0.0f;
        for (int p = 0; p < d; p++) {   // i-p-j order: the inner loop runs along Qᵀ's rows
            const float y = kc[p], *qp = qt + (size_t)p * rq;
            for (int r = 0; r < rq; r++) sc[r] += y * qp[r];
        }
        for (int r = 0; r < rq; r++) {
            float x = sc[r] * scale;
            ok &= fabsf(x) < INFINITY;
            if (diag && c + shift > r) x = -INFINITY;
            sc[r] = x;
            tmax[r] = x > tmax[r] ? x : tmax[r];
        }
    }
    return ok;
#endif
}

// Online softmax over one tile of transposed scores (cols keys x rq rows): m_new = max(m, tmax),
// corr = exp((m - m_new)/t) (what the sums so far are rescaled by), st = exp((st - m_new)/t),
// l = l*corr + the column sums, m = m_new. A column whose max is still -inf shifts by 0, so
// -inf - -inf never makes a NaN: its entries and corr are 0. tmax is overwritten (scratch).
static inline void attn__blk_softmax_t(float *st, int cols, int rq, float *m, float *l, float *corr,
                                       float *tmax, float inv_t) {
#ifdef __wasm_simd128__
    const v128_t vt = wasm_f32x4_splat(inv_t), ninf = wasm_f32x4_splat(-INFINITY), z = wasm_f32x4_splat(0.0f);
    for (int r = 0; r < rq; r += 4) {
        v128_t mo = wasm_v128_load(m + r), mn = wasm_f32x4_pmax(mo, wasm_v128_load(tmax + r));
        v128_t sh = wasm_v128_bitselect(z, mn, wasm_f32x4_eq(mn, ninf));
        v128_t cr = attn__simd_exp(wasm_f32x4_mul(wasm_f32x4_sub(mo, sh), vt));
        v128_t acc0 = z, acc1 = z;
        int c = 0;
        for (; c + 2 <= cols; c += 2) {   // two keys at a time: two independent exp chains
            float *s0 = st + (size_t)c * rq + r, *s1 = s0 + rq;
            v128_t e0 = attn__simd_exp(wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(s0), sh), vt));
            v128_t e1 = attn__simd_exp(wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(s1), sh), vt));
            wasm_v128_store(s0, e0); wasm_v128_store(s1, e1);
            acc0 = wasm_f32x4_add(acc0, e0); acc1 = wasm_f32x4_add(acc1, e1);
        }
        for (; c < cols; c++) {
            float *s0 = st + (size_t)c * rq + r;
            v128_t e0 = attn__simd_exp(wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(s0), sh), vt));
            wasm_v128_store(s0, e0);
            acc0 = wasm_f32x4_add(acc0, e0);
        }
        wasm_v128_store(l + r, attn__vmadd(wasm_v128_load(l + r), cr, wasm_f32x4_add(acc0, acc1)));
        wasm_v128_store(corr + r, cr);
        wasm_v128_store(m + r, mn);
    }
#else
    for (int r = 0; r < rq; r++) {
        float mn = tmax[r] > m[r] ? tmax[r] : m[r];
        float sh = mn == -INFINITY ? 0.0f : mn;
        corr[r] = attn__exp_plain((m[r] - sh) * inv_t);
        m[r] = mn;
        tmax[r] = sh;   // the shift, for the pass below
        l[r] *= corr[r];
    }
    for (int c = 0; c < cols; c++) {
        float *sc = st + (size_t)c * rq;
        for (int r = 0; r < rq; r++) {
            sc[r] = attn__exp_plain((sc[r] - tmax[r]) * inv_t);
            l[r] += sc[r];
        }
    }
#endif
}

// o_r = corr[r] * o_r + sum over c < cols of pt[c*rq + r] * v_c, for r < rq (a multiple of 4),
// o_r = o + r*ldo and v_c = v + c*ldv, dv wide: P·V with P transposed.
static inline void attn__blk_pv_t(float *o, size_t ldo, const float *pt, int rq, const float *v, size_t ldv,
                                  int cols, int dv, const float *corr) {
#ifdef __wasm_simd128__
    for (int r = 0; r < rq; r += 4) {
        float *o0 = o + (size_t)r * ldo, *o1 = o0 + ldo, *o2 = o1 + ldo, *o3 = o2 + ldo;
        const v128_t f0 = wasm_f32x4_splat(corr[r]), f1 = wasm_f32x4_splat(corr[r + 1]);
        const v128_t f2 = wasm_f32x4_splat(corr[r + 2]), f3 = wasm_f32x4_splat(corr[r + 3]);
        int j = 0;
        // 4 rows x 8 columns: 8 accumulators; per key, 2 loads of V and 4 broadcasts of P
        for (; j + 8 <= dv; j += 8) {
            v128_t c00 = wasm_f32x4_mul(f0, wasm_v128_load(o0 + j)), c01 = wasm_f32x4_mul(f0, wasm_v128_load(o0 + j + 4));
            v128_t c10 = wasm_f32x4_mul(f1, wasm_v128_load(o1 + j)), c11 = wasm_f32x4_mul(f1, wasm_v128_load(o1 + j + 4));
            v128_t c20 = wasm_f32x4_mul(f2, wasm_v128_load(o2 + j)), c21 = wasm_f32x4_mul(f2, wasm_v128_load(o2 + j + 4));
            v128_t c30 = wasm_f32x4_mul(f3, wasm_v128_load(o3 + j)), c31 = wasm_f32x4_mul(f3, wasm_v128_load(o3 + j + 4));
            const float *pc = pt + r, *vc = v + j;
            for (int c = 0; c < cols; c++, pc += rq, vc += ldv) {
                v128_t y0 = wasm_v128_load(vc), y1 = wasm_v128_load(vc + 4), x;
                x = wasm_v128_load32_splat(pc);     c00 = attn__vmadd(x, y0, c00); c01 = attn__vmadd(x, y1, c01);
                x = wasm_v128_load32_splat(pc + 1); c10 = attn__vmadd(x, y0, c10); c11 = attn__vmadd(x, y1, c11);
                x = wasm_v128_load32_splat(pc + 2); c20 = attn__vmadd(x, y0, c20); c21 = attn__vmadd(x, y1, c21);
                x = wasm_v128_load32_splat(pc + 3); c30 = attn__vmadd(x, y0, c30); c31 = attn__vmadd(x, y1, c31);
            }
            wasm_v128_store(o0 + j, c00); wasm_v128_store(o0 + j + 4, c01);
            wasm_v128_store(o1 + j, c10); wasm_v128_store(o1 + j + 4, c11);
            wasm_v128_store(o2 + j, c20); wasm_v128_store(o2 + j + 4, c21);
            wasm_v128_store(o3 + j, c30); wasm_v128_store(o3 + j + 4, c31);
        }
        for (; j + 4 <= dv; j += 4) {
            v128_t c0 = wasm_f32x4_mul(f0, wasm_v128_load(o0 + j)), c1 = wasm_f32x4_mul(f1, wasm_v128_load(o1 + j));
            v128_t c2 = wasm_f32x4_mul(f2, wasm_v128_load(o2 + j)), c3 = wasm_f32x4_mul(f3, wasm_v128_load(o3 + j));
            const float *pc = pt + r, *vc = v + j;
            for (int c = 0; c < cols; c++, pc += rq, vc += ldv) {
                v128_t y = wasm_v128_load(vc);
                c0 = attn__vmadd(wasm_v128_load32_splat(pc), y, c0);
                c1 = attn__vmadd(wasm_v128_load32_splat(pc + 1), y, c1);
                c2 = attn__vmadd(wasm_v128_load32_splat(pc + 2), y, c2);
                c3 = attn__vmadd(wasm_v128_load32_splat(pc + 3), y, c3);
            }
            wasm_v128_store(o0 + j, c0); wasm_v128_store(o1 + j, c1);
            wasm_v128_store(o2 + j, c2); wasm_v128_store(o3 + j, c3);
        }
        for (; j < dv; j++) {   // the last dv % 4 columns
            float t0 = corr[r] * o0[j], t1 = corr[r + 1] * o1[j], t2 = corr[r + 2] * o2[j], t3 = corr[r + 3] * o3[j];
            const float *pc = pt + r;
            for (int c = 0; c < cols; c++, pc += rq) {
                const float y = v[(size_t)c * ldv + j];
                t0 += pc[0] * y; t1 += pc[1] * y; t2 += pc[2] * y; t3 += pc[3] * y;
            }
            o0[j] = t0; o1[j] = t1; o2[j] = t2; o3[j] = t3;
        }
    }
#else
    for (int r = 0; r < rq; r++) {
        float *orow = o + (size_t)r * ldo;
        for (int j = 0; j < dv; j++) orow[j] *= corr[r];
        for (int c = 0; c < cols; c++) {   // i-p-j order: the inner loop runs along V's rows
            const float x = pt[(size_t)c * rq + r], *vc = v + (size_t)c * ldv;
            for (int j = 0; j < dv; j++) orow[j] += x * vc[j];
        }
    }
#endif
}

#endif // ATTN_SIMD_H

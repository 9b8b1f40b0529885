/* attn_checks.h - private to core/: the argument checks and the mask rule every kernel
   shares, so each entry point validates the same way. Not part of the public API; like every
   private helper shared between files of core/, their names start with attn__ (two
   underscores). The finiteness checks live with the block kernels in attn_simd.h. */
#ifndef ATTN_CHECKS_H
#define ATTN_CHECKS_H

#include "attn.h"

#include <math.h>
#include <stddef.h>

// Largest element count of one buffer: its byte size must fit a 32-bit size_t (WASM).
#define ATTN_MAX_ELEMENTS ((size_t)1 << 29)

// *count = a * b elements, or ATTN_ERR_SIZE / ATTN_ERR_OVERFLOW.
static inline int attn__checked_count(size_t *count, int a, int b) {
    if (a <= 0 || b <= 0) return ATTN_ERR_SIZE;
    if ((size_t)a > ATTN_MAX_ELEMENTS / (size_t)b) return ATTN_ERR_OVERFLOW;
    *count = (size_t)a * (size_t)b;
    return ATTN_OK;
}

static inline int attn__check_temperature(float t) {
    return (isfinite(t) && t > 0.0f) ? ATTN_OK : ATTN_ERR_TEMPERATURE;
}

// Validates opt: scale, temperature, mask kind and its parameters.
static inline int attn__check_options(const attn_options *opt) {
    if (!isfinite(opt->scale) || opt->scale < 0.0f) return ATTN_ERR_SCALE;
    int rc = attn__check_temperature(opt->temperature);
    if (rc) return rc;
    switch (opt->mask) {
    case ATTN_MASK_NONE:
    case ATTN_MASK_CAUSAL:       return ATTN_OK;
    case ATTN_MASK_WINDOW:       return opt->window >= 1 ? ATTN_OK : ATTN_ERR_MASK;
    case ATTN_MASK_EXPLICIT:     return opt->allowed ? ATTN_OK : ATTN_ERR_MASK;
    case ATTN_MASK_BLOCK_SPARSE: return opt->window >= 1 && opt->globals >= 0 ? ATTN_OK : ATTN_ERR_MASK;
    default:                     return ATTN_ERR_MASK;
    }
}

// May token i look at token j (of n) under a validated opt?
static inline int attn__mask_allows(const attn_options *opt, int n, int i, int j) {
    switch (opt->mask) {
    case ATTN_MASK_CAUSAL:       return j <= i;
    case ATTN_MASK_WINDOW:       return j <= i && j > i - opt->window;
    case ATTN_MASK_EXPLICIT:     return opt->allowed[(size_t)i * (size_t)n + (size_t)j] != 0;
    case ATTN_MASK_BLOCK_SPARSE: return i / opt->window == j / opt->window || j < opt->globals ||
                                        i < opt->globals;
    default:                     return 1;
    }
}

// The scale actually used: 0 means 1/sqrt(d_k).
static inline float attn__effective_scale(const attn_options *opt, int d_k) {
    return opt->scale > 0.0f ? opt->scale : 1.0f / sqrtf((float)d_k);
}

#endif // ATTN_CHECKS_H

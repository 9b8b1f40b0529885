/* attn_fast.h - private to core/: the dense streaming kernel (attn_fast.c), shared by
   attn_head_streaming (attn_long.c), which checks the arguments and calls it for masks none and
   causal, and by the WebAssembly build, which can swap in the same kernel compiled with relaxed
   SIMD (web/core/attn-fast.js, see attn_wasm.c). */
#ifndef ATTN_FAST_H
#define ATTN_FAST_H

#include <stddef.h>

// Query rows per block (the width of the transposed tiles): 32, or 128 from n = 2048 on, where
// K and V (2 MB at n = 4096, d = 64) no longer fit in L2 and each pass over them should serve
// more rows (measured: 5-8% faster at n = 4096; at n = 1024 the causal case is 8% slower with
// 128). Keys per tile: 64.
#define ATTN__FAST_ROWS_SHORT 32
#define ATTN__FAST_ROWS_LONG 128
#define ATTN__FAST_LONG_N 2048
#define ATTN__FAST_KEYS 64
// The kernel takes d_k, d_v up to this; attn_head_streaming keeps its tile loop for larger ones
#define ATTN__FAST_MAX_D 128
// Floats of work the kernel may need: Qᵀ, the scores tile, the output rows, m, l, corr and tmax
#define ATTN__FAST_WORK(d_k, d_v) ((size_t)ATTN__FAST_ROWS_LONG * ((size_t)(d_k) + ATTN__FAST_KEYS + (size_t)(d_v) + 4))

// Rows [row_begin, row_end) of softmax(q kᵀ · scale / t) v with no mask (causal 0) or the causal
// mask (causal 1), arguments already checked (d_k, d_v <= ATTN__FAST_MAX_D, inv_t = 1/t > 0,
// q, k, v finite). work: ATTN__FAST_WORK(d_k, d_v) floats. Returns the number of rows that saw
// no key (0 for these masks) or ATTN_ERR_NONFINITE when a score or an output overflows.
typedef int attn__dense_fn(float *out, const float *q, const float *k, const float *v, int n, int d_k,
                           int d_v, float scale, float inv_t, int causal, int row_begin, int row_end,
                           float *work);

attn__dense_fn attn__stream_dense;

// What attn_head_streaming calls: attn__stream_dense, unless the WebAssembly build's page
// installed the relaxed-SIMD twin (attn_wasm.c)
extern attn__dense_fn *attn__dense_kernel;

#endif // ATTN_FAST_H

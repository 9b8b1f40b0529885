/* attn_wasm.c - the WebAssembly build's own exports, compiled only by emcc (the native build
   and the fuzzers leave this file out): the one file of core/ that knows about Emscripten and
   its allocator. Not declared in attn.h, which stays the portable API. */
#include <emscripten.h>
#include <malloc.h>
#include <stddef.h>

size_t attn_heap_in_use(void);

// Bytes the allocator has handed out and not yet had back (dlmalloc's uordblks): the bridge
// and the leak tests read it, since the WASM memory itself only ever grows, in 64 KiB pages.
EMSCRIPTEN_KEEPALIVE size_t attn_heap_in_use(void) {
    struct mallinfo info = mallinfo();
    return (size_t)info.uordblks;
}

// Which dense streaming kernel attn_head_streaming calls: 0 for the core's own
// (attn__stream_dense, plain 128-bit SIMD), else an index in this module's function table where
// the bridge put the relaxed-SIMD build of the same source (web/core/attn-fast.js), after the
// browser validated it. The bridge is the only caller: a wrong index traps at the next call.
#include <stdint.h>
#include "attn_fast.h"

int attn_wasm_dense_kernel(int table_index);

EMSCRIPTEN_KEEPALIVE int attn_wasm_dense_kernel(int table_index) {
    attn__dense_kernel = table_index ? (attn__dense_fn *)(uintptr_t)table_index : attn__stream_dense;
    return 0;
}

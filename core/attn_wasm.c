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

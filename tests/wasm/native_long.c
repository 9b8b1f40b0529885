/* native_long.c - the native build (portable C path) as an oracle for the WASM long-context
   tests: reads one call from stdin, runs it natively, writes the result to stdout, so the
   tests can show the WASM SIMD path gives the portable path's numbers.
   In (little-endian): int32 kernel (0 attn_head, 1 attn_head_streaming over all rows,
   2 attn_linear), n, d_k, d_v, mask, window, globals, causal (linear only);
   float32 scale, temperature; then q (n, d_k), k (n, d_k), v (n, d_v).
   Out: int32 status; then float32 output (n, d_v) when the status is 0. */
#include "attn.h"

#include "oracle_io.h"

int main(void) {
    int hdr[8];
    float sc[2];
    read_header(hdr, sc);
    int kernel = hdr[0], n = hdr[1], dk = hdr[2], dv = hdr[3];
    if (n <= 0 || dk <= 0 || dv <= 0 || n > 4096 || dk > 4096 || dv > 4096) return 3;
    float *q = read_floats((size_t)n * dk), *k = read_floats((size_t)n * dk), *v = read_floats((size_t)n * dv);
    float *out = malloc((size_t)n * dv * sizeof *out);
    attn_options opt = { sc[0], sc[1], hdr[4], hdr[5], NULL, hdr[6] };
    int rc;
    if (kernel == 0) {
        float *weights = malloc((size_t)n * n * sizeof *weights);
        attn_trace tr = { .weights = weights };
        rc = attn_head(out, &tr, q, k, v, n, dk, dv, &opt);
    } else if (kernel == 1) {
        rc = attn_head_streaming(out, q, k, v, n, dk, dv, &opt, 0, n, NULL);
    } else {
        size_t floats = attn_linear_scratch_floats(dk, dv);
        float *scratch = malloc((floats + 1) * sizeof *scratch);
        rc = attn_linear(out, NULL, q, k, v, n, dk, dv, hdr[7], scratch, floats);
    }
    fwrite(&rc, sizeof rc, 1, stdout);
    if (rc == ATTN_OK) fwrite(out, sizeof *out, (size_t)n * dv, stdout);
    return 0;
}

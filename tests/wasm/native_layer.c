/* native_layer.c - the native build as an oracle for the WASM tests: reads one layer call
   from stdin, runs attn_layer() natively, writes the results to stdout.
   In (little-endian): int32 n, d_model, n_heads, d_head, d_out, mask, window, has_wo;
   float32 scale, temperature; then x (n, d_model), w_q, w_k, w_v (n_heads, d_model, d_head),
   and w_o (n_heads*d_head, d_out) when has_wo.
   Out: int32 status; then float32 output (n, width) and weights (n_heads, n, n). */
#include "attn.h"

#include "oracle_io.h"

int main(void) {
    int hdr[8];
    float sc[2];
    read_header(hdr, sc);
    int n = hdr[0], dm = hdr[1], nh = hdr[2], dh = hdr[3], dout = hdr[4];
    if (n <= 0 || dm <= 0 || nh <= 0 || dh <= 0 || n > 4096) return 3;
    size_t wsize = (size_t)nh * dm * dh;
    float *x = read_floats((size_t)n * dm), *wq = read_floats(wsize), *wk = read_floats(wsize),
          *wv = read_floats(wsize), *wo = hdr[7] ? read_floats((size_t)nh * dh * dout) : NULL;
    attn_layer_weights w = { dm, nh, dh, dout, wq, wk, wv, wo };
    attn_options opt = { sc[0], sc[1], hdr[5], hdr[6], NULL, 0 };
    size_t width = wo ? (size_t)dout : (size_t)nh * dh, nn = (size_t)n * n;
    float *out = malloc((size_t)n * width * sizeof *out), *weights = malloc(nh * nn * sizeof *weights);
    size_t need = attn_layer_scratch_floats(n, &w);
    float *scratch = malloc((need + 1) * sizeof *scratch);
    attn_trace tr = { .weights = weights };
    int rc = attn_layer(out, &tr, x, n, &w, &opt, scratch, need);
    fwrite(&rc, sizeof rc, 1, stdout);
    if (rc == ATTN_OK) {
        fwrite(out, sizeof *out, (size_t)n * width, stdout);
        fwrite(weights, sizeof *weights, nh * nn, stdout);
    }
    return 0;
}

/* brown_pack.c - the shipped Brown weights: the int8 weight file made from the float32
   checkpoint, and the held-out perplexity of both (the quantised one must stay within 2%).

     build/brown_pack models/brown-f32.aewt models/brown.aewt [build/brown/heldout.bin]

   Prints both perplexities and writes them, with the file sizes, to models/brown-quant.json
   (next to the output file). */
#define _POSIX_C_SOURCE 200809L
#include "brown_common.h"

static int fail(const char *what, const char *detail) {
    fprintf(stderr, "brown_pack: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 3) return fail("usage", "brown_pack F32_FILE INT8_FILE [HELDOUT_BIN]");
    const char *in_path = argv[1], *out_path = argv[2];
    const char *held_path = argc > 3 ? argv[3] : "build/brown/heldout.bin";
    size_t len;
    unsigned char *f32 = brown_read_file(in_path, &len);
    if (!f32 || !len) return fail("cannot read", in_path);
    attn_gpt_config cfg;
    int format, rc = attn_weights_read_header(&cfg, &format, f32, len);
    if (rc < 0) return fail(in_path, attn_strerror(rc));
    if (format != ATTN_WEIGHTS_F32) return fail(in_path, "not a float32 weight file");
    size_t np = attn_gpt_param_floats(&cfg);
    float *params = malloc(np * sizeof(float)), *dequant = malloc(np * sizeof(float));
    if (!params || !dequant) return fail("out of memory", NULL);
    if ((rc = attn_weights_load(params, np, f32, len)) < 0) return fail(in_path, attn_strerror(rc));

    size_t cap = attn_weights_size(&cfg, ATTN_WEIGHTS_INT8), written;
    unsigned char *int8 = malloc(cap);
    if (!int8) return fail("out of memory", NULL);
    if ((rc = attn_weights_save(int8, cap, &written, &cfg, params, ATTN_WEIGHTS_INT8)) < 0)
        return fail("quantising", attn_strerror(rc));
    FILE *f = fopen(out_path, "wb");
    if (!f || fwrite(int8, 1, written, f) != written || fclose(f) != 0) return fail("cannot write", out_path);
    // evaluate what a reader of the file gets: load it back
    if ((rc = attn_weights_load(dequant, np, int8, written)) < 0) return fail(out_path, attn_strerror(rc));

    long n_held;
    int *held = brown_read_ids(held_path, &n_held);
    if (!held) return 1;
    int batch = 16, seq = cfg.context;
    float *acts = malloc(attn_gpt_activation_floats(&cfg, batch, seq) * sizeof(float));
    if (!acts) return fail("out of memory", NULL);
    double t0 = brown_now();
    long counted;
    double loss32 = brown_eval(params, &cfg, acts, held, n_held, batch, seq, 0, &counted);
    double loss8 = brown_eval(dequant, &cfg, acts, held, n_held, batch, seq, 0, NULL);
    double max_diff = 0;
    for (size_t i = 0; i < np; i++) {
        double d = fabs((double)params[i] - dequant[i]);
        if (d > max_diff) max_diff = d;
    }
    double ppl32 = exp(loss32), ppl8 = exp(loss8);
    printf("float32 %s: %zu bytes, held-out perplexity %.3f (loss %.5f)\n", in_path, len, ppl32, loss32);
    printf("int8    %s: %zu bytes, held-out perplexity %.3f (loss %.5f), %+.2f%% vs float32\n",
           out_path, written, ppl8, loss8, 100 * (ppl8 / ppl32 - 1));
    printf("largest parameter change from quantising: %.3g; %ld held-out targets; %.1f s\n",
           max_diff, counted, brown_now() - t0);

    char json_path[4096];
    const char *slash = strrchr(out_path, '/');
    snprintf(json_path, sizeof json_path, "%.*sbrown-quant.json",
             slash ? (int)(slash - out_path + 1) : 0, out_path);
    f = fopen(json_path, "w");
    if (!f) return fail("cannot write", json_path);
    fprintf(f, "{\"heldout_targets\": %ld,\n \"float32\": {\"file\": \"%s\", \"bytes\": %zu, \"loss\": %.6f, \"perplexity\": %.4f},\n"
               " \"int8\": {\"file\": \"%s\", \"bytes\": %zu, \"loss\": %.6f, \"perplexity\": %.4f},\n"
               " \"int8_vs_float32_percent\": %.4f, \"max_param_change\": %.6g}\n",
            counted, in_path, len, loss32, ppl32, out_path, written, loss8, ppl8,
            100 * (ppl8 / ppl32 - 1), max_diff);
    if (fclose(f) != 0) return fail("cannot write", json_path);
    printf("wrote %s and %s\n", out_path, json_path);
    return ppl8 <= 1.02 * ppl32 && written <= 1000000 ? 0 : 3;
}

/* gen_weights_corpus.c - writes the seed corpus of fuzz_weights: one small valid weight file
   per storage format and model variant, saved by the core itself.
   Usage: gen_weights_corpus DIR   (`make fuzz-corpus` runs it into tests/fuzz/corpus/fuzz_weights) */
#include "attn.h"

#include <stdio.h>
#include <stdlib.h>

static int write_one(const char *dir, const char *name, const attn_gpt_config *cfg, int format) {
    size_t floats = attn_gpt_param_floats(cfg), cap = attn_weights_size(cfg, format), len = 0;
    float *params = malloc(floats * sizeof *params);
    unsigned char *buf = malloc(cap);
    if (!params || !buf) return 1;
    attn_fill_random(params, floats, 42);
    int rc = attn_weights_save(buf, cap, &len, cfg, params, format);
    if (rc) { fprintf(stderr, "%s: %s\n", name, attn_strerror(rc)); return 1; }
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) { perror(path); return 1; }
    printf("%s: %zu bytes\n", path, len);
    free(params);
    free(buf);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: gen_weights_corpus DIR\n"); return 2; }
    // attention-only without LayerNorm (the induction model's shape), and MLP + LayerNorm
    const attn_gpt_config attn_only = { 5, 4, 4, 2, 1, 0, 1, 0 };
    const attn_gpt_config full = { 5, 3, 4, 1, 1, 8, 0, 1 };
    return write_one(argv[1], "attn_only_f32", &attn_only, ATTN_WEIGHTS_F32) |
           write_one(argv[1], "attn_only_int8", &attn_only, ATTN_WEIGHTS_INT8) |
           write_one(argv[1], "mlp_layernorm_f32", &full, ATTN_WEIGHTS_F32) |
           write_one(argv[1], "mlp_layernorm_int8", &full, ATTN_WEIGHTS_INT8);
}

/* brown_common.h - what the Brown tools share (train_brown.c, brown_pack.c; test_brown.c reads
   files with it): the model's shape, reading files and the id streams, and the held-out
   evaluation every number in the model card comes from. Tools allocate and print; the core
   does not. */
#ifndef BROWN_COMMON_H
#define BROWN_COMMON_H

#include "attn.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// The shipped model: GPT-shaped, 4 layers x 4 heads, d_model 64, context 64, MLP 256,
// pre-LayerNorm, tied embeddings, over the 4096-id vocabulary of brown_data.c.
static inline attn_gpt_config brown_config(void) {
    attn_gpt_config cfg = {.vocab = 4096, .context = 64, .d_model = 64, .n_heads = 4,
                           .n_layers = 4, .d_mlp = 256, .attention_only = 0, .layernorm = 1};
    return cfg;
}

// A whole file plus a terminating 0 (the bytes stay readable as text); *len gets its size
// without the 0. NULL when it cannot be read.
static inline unsigned char *brown_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) { fclose(f); free(buf); return NULL; }
    fclose(f);
    buf[n] = 0;
    *len = (size_t)n;
    return buf;
}

// A uint16 little-endian id file as ints; *count gets how many. NULL (after a message) on error.
static inline int *brown_read_ids(const char *path, long *count) {
    size_t bytes;
    unsigned char *raw = brown_read_file(path, &bytes);
    if (!raw) { fprintf(stderr, "cannot read %s (run `make brown-data` first)\n", path); return NULL; }
    int *ids = malloc(sizeof(int) * (bytes / 2 + 1));
    if (!ids) { fprintf(stderr, "out of memory for %s\n", path); free(raw); return NULL; }
    for (size_t i = 0; i < bytes / 2; i++) ids[i] = raw[2 * i] | raw[2 * i + 1] << 8;
    free(raw);
    *count = (long)(bytes / 2);
    return ids;
}

// Held-out evaluation: the stream cut into consecutive, non-overlapping windows of `seq`
// targets (inputs ids[s .. s+seq), targets ids[s+1 .. s+seq]), at most max_windows of them
// (0 = all), `batch` windows per forward pass. Returns the mean cross-entropy in nats over
// every target (so exp() of it is the perplexity), or NAN on an error. acts must hold
// attn_gpt_activation_floats(cfg, batch, seq) floats.
static inline double brown_eval(const float *params, const attn_gpt_config *cfg, float *acts,
                         const int *ids, long count, int batch, int seq, long max_windows,
                         long *targets_counted) {
    long windows = (count - 1) / seq;
    if (max_windows > 0 && windows > max_windows) windows = max_windows;
    int *tok = malloc(sizeof(int) * (size_t)batch * seq), *tgt = malloc(sizeof(int) * (size_t)batch * seq);
    double sum = 0;
    long counted = 0;
    for (long w0 = 0; w0 < windows; w0 += batch) {
        int b_here = (int)(windows - w0 < batch ? windows - w0 : batch);
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < seq; t++) {
                long s = (w0 + b) * seq + t;
                // rows past the last window are padding: ignored targets
                tok[b * seq + t] = b < b_here ? ids[s] : 0;
                tgt[b * seq + t] = b < b_here ? ids[s + 1] : -1;
            }
        float loss;
        int rc = attn_gpt_forward(acts, &loss, params, cfg, tok, tgt, batch, seq, NULL, 0);
        if (rc < 0) { fprintf(stderr, "eval: %s\n", attn_strerror(rc)); sum = NAN; break; }
        sum += (double)loss * b_here * seq;            // loss is the mean over counted targets
        counted += (long)b_here * seq;
    }
    free(tok); free(tgt);
    if (targets_counted) *targets_counted = counted;
    return counted ? sum / (double)counted : NAN;
}

// seconds on a monotonic clock (tools define _POSIX_C_SOURCE before any include)
static inline double brown_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif

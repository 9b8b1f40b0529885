/* train_native.c - impl "native" of the training benchmark: attn_gpt_train_step, the core's
   portable C built with gcc -O3 -march=native, one thread (no OpenMP: the per-core speed the
   WASM build is compared with). The batch is the induction task's (vocab 33 models) or seeded
   random tokens (the GPT-shaped model), as tests/bench/train_bench.js feeds the other impls.
   Usage: train_native VOCAB CONTEXT D_MODEL HEADS LAYERS D_MLP ATTN_ONLY LAYERNORM BATCH BUDGET_MS
   Prints one JSON object: median ms per step, the steps timed, the first and last loss, and
   every step's ms (sorted). */
#define _POSIX_C_SOURCE 199309L   // clock_gettime under -std=c11
#include "attn.h"

#include <stdio.h>
#include <stdlib.h>
#include "bench_clock.h"

// the batch of a step: the induction task when the model has its vocabulary of 33, else
// tokens from xorshift32 seeded by the step (the same stream train_bench.js draws)
static void batch_of(int *tokens, int *targets, const attn_gpt_config *c, int B, int T, int step) {
    if (c->vocab == 33) {
        attn_induction_batch(tokens, targets, NULL, B, T, c->vocab, 8, 16, 1, step);
        return;
    }
    unsigned s = 2463534242u ^ (unsigned)step;
    for (int i = 0; i < B * T; i++) {
        s ^= s << 13; s ^= s >> 17; s ^= s << 5;
        tokens[i] = (int)(s % (unsigned)c->vocab);
    }
    for (int i = 0; i < B * T; i++) targets[i] = (i + 1) % T ? tokens[i + 1] : -1;
}

int main(int argc, char **argv) {
    if (argc != 11) {
        fprintf(stderr, "usage: train_native VOCAB CONTEXT D_MODEL HEADS LAYERS D_MLP ATTN_ONLY LAYERNORM BATCH BUDGET_MS\n");
        return 2;
    }
    attn_gpt_config cfg = { atoi(argv[1]), atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]),
                            atoi(argv[6]), atoi(argv[7]), atoi(argv[8]) };
    const int B = atoi(argv[9]), T = cfg.context;
    const double budget = atof(argv[10]);
    size_t np = attn_gpt_param_floats(&cfg), na = attn_gpt_activation_floats(&cfg, B, T);
    if (!np || !na) { printf("{\"error\": \"bad shape\"}\n"); return 1; }
    float *params = malloc(np * 4), *grads = malloc(np * 4), *m = calloc(np, 4), *v = calloc(np, 4);
    float *acts = malloc(na * 4);
    int *tokens = malloc((size_t)B * T * 4), *targets = malloc((size_t)B * T * 4);
    attn_gpt_init(params, &cfg, 1);
    attn_adamw_options opt = attn_adamw_default_options();
    opt.lr = 1e-3f;
    double times[64];
    int runs = 0;
    double total = 0;
    float loss = 0, first = 0;
    // one warm-up step, then steps until the budget or 64 steps (at least 1)
    for (int step = 1; step <= 65; step++) {
        batch_of(tokens, targets, &cfg, B, T, step);
        double t0 = now_ms();
        int rc = attn_gpt_train_step(params, grads, m, v, acts, &cfg, tokens, targets, B, T, step, &opt, &loss, NULL);
        double t = now_ms() - t0;
        if (rc) { printf("{\"error\": \"%s\"}\n", attn_strerror(rc)); return 1; }
        if (step == 1) { first = loss; continue; }
        times[runs++] = t;
        total += t;
        if ((total >= budget && runs >= 1) || runs == 64) break;
    }
    qsort(times, runs, sizeof *times, cmp_doubles);
    double median = runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    printf("{\"ms\": %.4f, \"runs\": %d, \"first_loss\": %.6f, \"last_loss\": %.6f, \"times\": [", median, runs,
           (double)first, (double)loss);
    for (int i = 0; i < runs; i++) printf("%s%.4f", i ? "," : "", times[i]);
    printf("]}\n");
    return 0;
}

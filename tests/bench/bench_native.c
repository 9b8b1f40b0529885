/* bench_native.c - impl "native" of `make bench`: the core's own kernels (the portable C
   path) built with gcc -O3 -march=native. Usage: bench_native KERNEL N D BUDGET_MS
   (KERNEL full|streaming|window|linear). Prints one JSON object: the median ms and the runs. */
#define _POSIX_C_SOURCE 199309L   // clock_gettime under -std=c11
#include "attn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench_clock.h"

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: bench_native full|streaming|window|linear N D BUDGET_MS\n"); return 2; }
    const char *kernel = argv[1];
    int n = atoi(argv[2]), d = atoi(argv[3]);
    double budget = atof(argv[4]);
    size_t nd = (size_t)n * d;
    float *q = malloc(nd * 4), *k = malloc(nd * 4), *v = malloc(nd * 4), *out = malloc(nd * 4);
    float *weights = strcmp(kernel, "full") == 0 ? malloc((size_t)n * n * 4) : NULL;
    size_t floats = attn_linear_scratch_floats(d, d);
    float *scratch = malloc(floats * 4);
    attn_fill_random(q, nd, 1); attn_fill_random(k, nd, 2); attn_fill_random(v, nd, 3);
    attn_options opt = attn_default_options();
    if (strcmp(kernel, "window") == 0) { opt.mask = ATTN_MASK_WINDOW; opt.window = 256; }
    double times[15];
    int runs = 0;
    double total = 0;
    // one warm-up, then repeats until the budget or 15 runs; a run longer than the budget
    // is its own single measurement
    for (int r = 0; r < 16; r++) {
        double t0 = now_ms();
        int rc;
        if (weights) {
            attn_trace tr = { .weights = weights };
            rc = attn_head(out, &tr, q, k, v, n, d, d, &opt);
        } else if (strcmp(kernel, "linear") == 0) {
            rc = attn_linear(out, NULL, q, k, v, n, d, d, 0, scratch, floats);
        } else {
            rc = attn_head_streaming(out, q, k, v, n, d, d, &opt, 0, n, NULL);
        }
        double t = now_ms() - t0;
        if (rc) { printf("{\"error\": \"%s\"}\n", attn_strerror(rc)); return 1; }
        if (r == 0 && t < budget) continue;   // warm-up
        times[runs++] = t;
        total += t;
        if (total >= budget || runs == 15) break;
    }
    qsort(times, runs, sizeof *times, cmp_doubles);
    double median = runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    printf("{\"ms\": %.6f, \"runs\": %d, \"check\": %.6f}\n", median, runs, (double)out[nd / 2]);
    return 0;
}

/* bench_clock.h - what the native bench programs share: a monotonic clock in milliseconds and
   the comparison qsort needs for a median. Define _POSIX_C_SOURCE before any include. */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H

#include <time.h>

static inline double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// ascending doubles, for qsort
static inline int cmp_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#endif

/* check.h - the tiny test kit of the native tests: counted checks that show their evidence.
   Each test program includes it, calls check*() from plain test_*() functions and ends with
   `return check_summary("name");`, which prints "name: N passed, M failed" (the line the
   test runner sums) and returns non-zero on any failure. */
#ifndef CHECK_H
#define CHECK_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static int check_passed_count, check_failed_count;

// One assertion: prints only when it fails, with the printf-style label.
static inline void check(int ok, const char *fmt, ...) {
    if (ok) { check_passed_count++; return; }
    check_failed_count++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stdout, "  FAIL: ");
    vfprintf(stdout, fmt, ap);
    fprintf(stdout, "\n");
    va_end(ap);
}

// got (float, n) against want (double reference, n): one check; on failure prints the first
// pairs and the max abs difference.
static inline void check_close(const float *got, const double *want, size_t n, double tol,
                        const char *label) {
    double max_diff = 0.0;
    size_t worst = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - want[i]);
        if (!(d <= max_diff)) { max_diff = d; worst = i; }   // also catches NaN
    }
    int ok = max_diff <= tol;
    check(ok, "%s: max |diff| %.3g at [%zu] (tol %.1g)", label, max_diff, worst, tol);
    if (!ok) {
        for (size_t i = 0; i < n && i < 5; i++)
            fprintf(stdout, "    [%zu] got %.7f want %.7f\n", i, (double)got[i], want[i]);
    }
}

static inline int check_summary(const char *name) {
    printf("%s: %d passed, %d failed\n", name, check_passed_count, check_failed_count);
    return check_failed_count ? 1 : 0;
}

#endif // CHECK_H

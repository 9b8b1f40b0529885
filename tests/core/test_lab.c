/* test_lab.c - the entry points the pages' lab and figures call so that every number they
   show comes from C: attn_head_rows (full attention by row ranges, with its scale) against a
   double reference and attn_head(); the bytes each kernel needs; the reference power line;
   top-k ranking; printing without a leading zero and a row with its sum; the temperature
   clamp; the ABI table; and the status messages these use. */
#include "attn.h"
#include "check.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rng_state = 4242u;
static float rnd(void) {   // uniform in [-1, 1)
    rng_state ^= rng_state << 13; rng_state ^= rng_state >> 17; rng_state ^= rng_state << 5;
    return (float)(rng_state >> 8) / 8388608.0f - 1.0f;
}
static void fill(float *x, size_t count) { for (size_t i = 0; i < count; i++) x[i] = rnd(); }

// out (n, dv) and weights (n, n) = softmax(mask(q kᵀ / sqrt(dk)) / t) v, in double.
static void ref_head(double *out, double *weights, const float *q, const float *k, const float *v,
                     int n, int dk, int dv, int causal, double t) {
    for (int i = 0; i < n; i++) {
        double *w = weights + (size_t)i * n, max = -1e300, sum = 0;
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int p = 0; p < dk; p++) s += (double)q[i * dk + p] * k[j * dk + p];
            w[j] = s / sqrt((double)dk) / t;
            if ((!causal || j <= i) && w[j] > max) max = w[j];
        }
        for (int j = 0; j < n; j++) sum += (w[j] = (!causal || j <= i) ? exp(w[j] - max) : 0.0);
        for (int j = 0; j < n; j++) w[j] /= sum;
        for (int c = 0; c < dv; c++) {
            double acc = 0;
            for (int j = 0; j < n; j++) acc += w[j] * v[j * dv + c];
            out[(size_t)i * dv + c] = acc;
        }
    }
}

static void test_head_rows(void) {
    const int shapes[][3] = { { 1, 1, 1 }, { 7, 5, 3 }, { 33, 9, 13 }, { 130, 64, 64 }, { 257, 17, 8 } };
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        const int n = shapes[s][0], dk = shapes[s][1], dv = shapes[s][2];
        float *q = malloc(sizeof(float) * n * dk), *k = malloc(sizeof(float) * n * dk);
        float *v = malloc(sizeof(float) * n * dv), *out = malloc(sizeof(float) * n * dv);
        float *w = malloc(sizeof(float) * n * n), *whole = malloc(sizeof(float) * n * dv);
        float *tw = malloc(sizeof(float) * n * n);
        double *ro = malloc(sizeof(double) * n * dv), *rw = malloc(sizeof(double) * n * n);
        fill(q, (size_t)n * dk); fill(k, (size_t)n * dk); fill(v, (size_t)n * dv);
        for (int causal = 0; causal <= 1; causal++) {
            attn_options opt = attn_default_options();
            opt.mask = causal ? ATTN_MASK_CAUSAL : ATTN_MASK_NONE;
            opt.temperature = causal ? 0.7f : 1.0f;
            ref_head(ro, rw, q, k, v, n, dk, dv, causal, opt.temperature);
            // in uneven pieces, the way the lab spreads a run over frames
            int ok = 1, blocked_total = 0;
            float scale = -1;
            for (int r0 = 0, piece = 1; r0 < n; r0 += piece, piece = piece * 3 % 37 + 1) {
                int r1 = r0 + piece < n ? r0 + piece : n, blocked = -1;
                ok &= attn_head_rows(out, w + (size_t)r0 * n, q, k, v, n, dk, dv, &opt, r0, r1, &scale,
                                     &blocked) == ATTN_OK;
                blocked_total += blocked;
            }
            check(ok && blocked_total == 0, "head_rows n=%d dk=%d causal=%d: status, no blocked rows", n, dk, causal);
            check(fabs(scale - 1.0 / sqrt((double)dk)) < 1e-7, "head_rows reports scale %g for d_k %d", (double)scale, dk);
            char label[80];
            snprintf(label, sizeof label, "head_rows output n=%d dk=%d dv=%d causal=%d", n, dk, dv, causal);
            check_close(out, ro, (size_t)n * dv, 1e-5, label);
            snprintf(label, sizeof label, "head_rows weights n=%d causal=%d", n, causal);
            check_close(w, rw, (size_t)n * n, 1e-6, label);
            attn_trace tr = { .weights = tw };
            attn_head(whole, &tr, q, k, v, n, dk, dv, &opt);
            int same = 1;
            for (size_t i = 0; i < (size_t)n * dv; i++) same &= fabsf(whole[i] - out[i]) <= 1e-6f;
            check(same, "head_rows gives attn_head's output (n=%d causal=%d)", n, causal);
        }
        free(q); free(k); free(v); free(out); free(w); free(whole); free(tw); free(ro); free(rw);
    }

    // its checks are attn_head's, plus the row range
    float q[12], k[12], v[12], out[12], w[16], scale = 0;
    int blocked = 7;
    fill(q, 12); fill(k, 12); fill(v, 12);
    attn_options opt = attn_default_options();
    check(attn_head_rows(out, w, q, k, v, 4, 3, 3, NULL, 0, 4, NULL, NULL) == ATTN_OK, "head_rows: NULL opt and outs");
    check(attn_head_rows(NULL, w, q, k, NULL, 4, 3, 3, &opt, 1, 2, &scale, &blocked) == ATTN_OK,
          "head_rows: weights only");
    check(attn_head_rows(out, NULL, q, k, v, 4, 3, 3, &opt, 0, 4, NULL, NULL) == ATTN_ERR_NULL, "head_rows: no weights");
    check(attn_head_rows(out, w, q, k, NULL, 4, 3, 3, &opt, 0, 4, NULL, NULL) == ATTN_ERR_NULL, "head_rows: out without v");
    check(attn_head_rows(out, w, q, k, v, 0, 3, 3, &opt, 0, 1, NULL, NULL) == ATTN_ERR_SIZE, "head_rows: n = 0");
    check(attn_head_rows(out, w, q, k, v, 4, 3, 3, &opt, 2, 2, NULL, NULL) == ATTN_ERR_INDEX, "head_rows: empty range");
    check(attn_head_rows(out, w, q, k, v, 4, 3, 3, &opt, 3, 5, NULL, NULL) == ATTN_ERR_INDEX, "head_rows: range past n");
    check(attn_head_rows(out, w, q, k, v, 4, 3, 3, &opt, -1, 2, NULL, NULL) == ATTN_ERR_INDEX, "head_rows: negative row");
    opt.temperature = 0;
    check(attn_head_rows(out, w, q, k, v, 4, 3, 3, &opt, 0, 4, NULL, NULL) == ATTN_ERR_TEMPERATURE, "head_rows: T = 0");
    opt = attn_default_options();
    opt.mask = 9;
    check(attn_head_rows(out, w, q, k, v, 4, 3, 3, &opt, 0, 4, NULL, NULL) == ATTN_ERR_MASK, "head_rows: bad mask");
    opt = attn_default_options();
    k[11] = NAN;
    check(attn_head_rows(out, w, q, k, v, 4, 3, 3, &opt, 0, 1, NULL, NULL) == ATTN_ERR_NONFINITE, "head_rows: NaN in a key");
    k[11] = 1e30f; q[0] = q[1] = q[2] = 1e30f;
    check(attn_head_rows(out, w, q, k, v, 4, 3, 3, &opt, 0, 1, NULL, NULL) == ATTN_ERR_NONFINITE, "head_rows: overflowing scores");
    opt.mask = ATTN_MASK_WINDOW; opt.window = 1;
    fill(q, 12); fill(k, 12);
    check(attn_head_rows(out, w, q, k, v, 4, 3, 3, &opt, 1, 3, NULL, &blocked) == ATTN_OK && blocked == 0 &&
          w[0] == 0.0f && w[1] == 1.0f && w[4 + 2] == 1.0f, "head_rows: window 1 looks only at itself");
}

static void test_kernel_bytes(void) {
    size_t b = 1;
    check(attn_kernel_bytes(&b, ATTN_KERNEL_FULL, 1024, 64, 0) == ATTN_OK && b == 4u * (4u * 1024 * 64 + 1024u * 1024),
          "full: Q, K, V, out and the n x n weights (%zu)", b);
    check(attn_kernel_bytes(&b, ATTN_KERNEL_STREAMING, 1024, 64, 0) == ATTN_OK && b == 4u * (4u * 1024 * 64 + 128 * (64 + 64 + 64 + 4)),
          "streaming: Q, K, V, out and the dense kernel's tiles (%zu)", b);
    check(attn_kernel_bytes(&b, ATTN_KERNEL_STREAMING, 1024, 200, 0) == ATTN_OK && b == 4u * (4u * 1024 * 200 + 16 * 64 + 48),
          "streaming, d > 128: the tile loop's one tile (%zu)", b);
    size_t w = 0;
    check(attn_kernel_bytes(&w, ATTN_KERNEL_WINDOW, 1024, 64, 256) == ATTN_OK && w == 4u * (4u * 1024 * 64 + 16 * 64 + 48),
          "window: one tile of scores (%zu)", w);
    check(attn_kernel_bytes(&b, ATTN_KERNEL_LINEAR, 1024, 64, 0) == ATTN_OK &&
          b == 4u * (4u * 1024 * 64 + attn_linear_scratch_floats(64, 64)), "linear: plus its d x d state");
    size_t full_small, full_big;
    attn_kernel_bytes(&full_small, ATTN_KERNEL_FULL, 2048, 64, 0);
    attn_kernel_bytes(&full_big, ATTN_KERNEL_FULL, 4096, 64, 0);
    check(full_big > 3 * full_small, "full grows like n^2");
    check(attn_kernel_bytes(&b, 7, 16, 4, 0) == ATTN_ERR_KERNEL && b == 0, "unknown kernel: ATTN_ERR_KERNEL, 0 bytes");
    check(attn_kernel_bytes(&b, -1, 16, 4, 0) == ATTN_ERR_KERNEL, "kernel -1");
    check(attn_kernel_bytes(&b, ATTN_KERNEL_WINDOW, 16, 4, 0) == ATTN_ERR_MASK, "window 0");
    check(attn_kernel_bytes(&b, ATTN_KERNEL_FULL, 0, 4, 0) == ATTN_ERR_SIZE, "n = 0");
    check(attn_kernel_bytes(&b, ATTN_KERNEL_FULL, 1 << 20, 4, 0) == ATTN_ERR_OVERFLOW, "n = 2^20: n x n does not fit");
    check(attn_kernel_bytes(NULL, ATTN_KERNEL_FULL, 16, 4, 0) == ATTN_ERR_NULL, "no output");
}

static void test_power_line_and_top_k(void) {
    const float xs[4] = { 64, 128, 1000, 16384 };
    float ys[4];
    check(attn_power_line(ys, xs, 4, 64, 0.5f, 2) == ATTN_OK, "power line status");
    const double want[4] = { 0.5, 2.0, 0.5 * pow(1000 / 64.0, 2), 0.5 * 65536 };
    check_close(ys, want, 4, 1e-9 * 32768, "n^2 through (64, 0.5)");
    attn_power_line(ys, xs, 4, 128, 3, 1);
    const double lin[4] = { 1.5, 3, 3 * 1000 / 128.0, 3 * 128 };
    check_close(ys, lin, 4, 1e-5, "n through (128, 3)");
    check(attn_power_line(ys, xs, 4, 0, 1, 2) == ATTN_ERR_RANGE, "power line: x0 = 0");
    check(attn_power_line(ys, xs, 4, NAN, 1, 2) == ATTN_ERR_RANGE, "power line: x0 NaN");
    const float bad[2] = { 1, -3 };
    check(attn_power_line(ys, bad, 2, 1, 1, 2) == ATTN_ERR_RANGE, "power line: x <= 0");
    check(attn_power_line(ys, xs, 4, 1, 1e30f, 3) == ATTN_ERR_NONFINITE, "power line: overflow");
    check(attn_power_line(ys, xs, 4, 1, INFINITY, 2) == ATTN_ERR_NONFINITE, "power line: y0 inf");
    check(attn_power_line(ys, xs, 0, 1, 1, 2) == ATTN_ERR_SIZE, "power line: count 0");

    const float v[8] = { 0.1f, 0.4f, 0.4f, -INFINITY, 0.05f, 0.4f, 0.9f, 0.0f };
    int idx[8] = { -1, -1, -1, -1, -1, -1, -1, -1 };
    check(attn_top_k(idx, v, 8, 3) == 3 && idx[0] == 6 && idx[1] == 1 && idx[2] == 2 && idx[3] == -1,
          "top 3: largest first, ties to the lower index (%d %d %d)", idx[0], idx[1], idx[2]);
    check(attn_top_k(idx, v, 8, 20) == 8 && idx[3] == 5 && idx[4] == 0 && idx[5] == 4 && idx[6] == 7 && idx[7] == 3,
          "top 20 of 8: all, -inf last");
    // against a plain selection on random values with many ties
    int ok = 1;
    for (int trial = 0; trial < 200; trial++) {
        float r[50];
        int got[50], used[50] = { 0 }, count = 1 + trial % 50, k = 1 + trial % 7;
        for (int i = 0; i < count; i++) r[i] = (float)(int)(rnd() * 4);
        int m = attn_top_k(got, r, count, k);
        ok &= m == (k < count ? k : count);
        for (int t = 0; t < m; t++) {
            int best = -1;
            for (int i = 0; i < count; i++)
                if (!used[i] && (best < 0 || r[i] > r[best])) best = i;
            used[best] = 1;
            ok &= got[t] == best;
        }
    }
    check(ok, "top_k equals repeated selection of the first largest, 200 random rows");
    const float nan_row[3] = { 0.1f, NAN, 0.2f };
    check(attn_top_k(idx, nan_row, 3, 1) == ATTN_ERR_NONFINITE, "top_k: NaN");
    check(attn_top_k(idx, v, 8, 0) == ATTN_ERR_SIZE && attn_top_k(idx, v, 0, 1) == ATTN_ERR_SIZE, "top_k: k or count 0");
    check(attn_top_k(NULL, v, 8, 1) == ATTN_ERR_NULL, "top_k: NULL");
}

static void test_printing(void) {
    const float v[7] = { 0.734f, -0.5f, 1.25f, 0.0f, -0.0001f, -INFINITY, 12.0f };
    char buf[128];
    int len = attn_format_numbers_flags(buf, sizeof buf, v, 7, 3, ATTN_FORMAT_NO_LEADING_ZERO);
    check(len == (int)strlen(buf) && strcmp(buf, ".734\n-.500\n1.250\n.000\n.000\n-inf\n12.000\n") == 0,
          "no leading zero: [%s]", buf);
    attn_format_numbers_flags(buf, sizeof buf, v, 7, 0, ATTN_FORMAT_NO_LEADING_ZERO);
    check(strcmp(buf, "1\n-0\n1\n0\n0\n-inf\n12\n") == 0, "0 decimals: no point, nothing to drop [%s]", buf);
    char plain[128];
    attn_format_numbers_flags(buf, sizeof buf, v, 7, 3, 0);
    attn_format_numbers(plain, sizeof plain, v, 7, 3);
    check(strcmp(buf, plain) == 0 && strncmp(plain, "0.734\n-0.500\n", 13) == 0, "flags 0 is attn_format_numbers");
    // exactly enough room, and one byte short
    check(attn_format_numbers_flags(buf, 6, v, 1, 3, ATTN_FORMAT_NO_LEADING_ZERO) == ATTN_ERR_SCRATCH && buf[0] == 0,
          "one byte short of the text before the zero is dropped: an error, nothing written");
    check(attn_format_numbers_flags(buf, 7, v, 1, 3, ATTN_FORMAT_NO_LEADING_ZERO) == 5 && strcmp(buf, ".734\n") == 0,
          "room for the leading zero before it is dropped");

    const float row[4] = { 0.25f, 0.125f, 0.5f, 0.125f };
    len = attn_format_row_report(buf, sizeof buf, row, 4, 3, 0);
    check(len > 0 && strcmp(buf, "0.250\n0.125\n0.500\n0.125\n1.000\n") == 0, "row report: numbers then sum [%s]", buf);
    attn_format_row_report(buf, sizeof buf, row, 4, 2, ATTN_FORMAT_NO_LEADING_ZERO);
    check(strcmp(buf, ".25\n.13\n.50\n.13\n1.00\n") == 0 || strcmp(buf, ".25\n.12\n.50\n.12\n1.00\n") == 0,
          "row report without leading zeros [%s]", buf);
    float third[3] = { 1.0f / 3, 1.0f / 3, 1.0f / 3 }, sum;
    attn_row_sums(&sum, third, 1, 3);
    char want[16];
    attn_format_numbers(want, sizeof want, &sum, 1, 6);
    attn_format_row_report(buf, sizeof buf, third, 3, 6, 0);
    check(strstr(buf, want) != NULL && strcmp(buf + strlen(buf) - strlen(want), want) == 0,
          "row report's sum is attn_row_sums' sum, printed alike");
    check(attn_format_row_report(buf, 20, row, 4, 3, 0) == ATTN_ERR_SCRATCH, "row report: no room for the sum");
    check(attn_format_row_report(buf, sizeof buf, row, 0, 3, 0) == ATTN_ERR_SIZE, "row report: empty row");
    check(attn_format_row_report(buf, sizeof buf, NULL, 4, 3, 0) == ATTN_ERR_NULL, "row report: NULL");
}

static void test_clamp_and_messages(void) {
    double t = -1;
    check(attn_clamp_temperature(&t, 0.7) == ATTN_CLAMP_NONE && t == 0.7, "clamp: 0.7 stays");
    check(attn_clamp_temperature(&t, 0.05) == ATTN_CLAMP_NONE && t == 0.05, "clamp: the bounds stay");
    check(attn_clamp_temperature(&t, 0.01) == ATTN_CLAMP_LOW && t == ATTN_TEMPERATURE_MIN, "clamp: 0.01 -> min");
    check(attn_clamp_temperature(&t, 1e300) == ATTN_CLAMP_HIGH && t == ATTN_TEMPERATURE_MAX, "clamp: huge -> max");
    check(attn_clamp_temperature(&t, 0) == ATTN_CLAMP_INVALID && t == 1.0, "clamp: 0 -> default");
    check(attn_clamp_temperature(&t, -2) == ATTN_CLAMP_INVALID && t == 1.0, "clamp: negative -> default");
    check(attn_clamp_temperature(&t, NAN) == ATTN_CLAMP_INVALID && t == 1.0, "clamp: NaN -> default");
    check(attn_clamp_temperature(&t, INFINITY) == ATTN_CLAMP_INVALID, "clamp: inf -> default");
    check(attn_clamp_temperature(NULL, 1) == ATTN_ERR_NULL, "clamp: NULL");

    // the message for ATTN_ERR_SCALE agrees with attn_scale, which rejects 0
    float x = 1, y;
    check(attn_scale(&y, &x, 1, 0.0f) == ATTN_ERR_SCALE, "attn_scale rejects 0");
    const char *m = attn_strerror(ATTN_ERR_SCALE);
    check(strstr(m, "greater than 0") && strstr(m, "options may give 0"), "scale message: > 0, 0 only in options [%s]", m);
    check(strcmp(attn_strerror(ATTN_ERR_KERNEL), attn_strerror(-999)) != 0 &&
          strcmp(attn_strerror(ATTN_ERR_RANGE), attn_strerror(-999)) != 0, "new codes have their own messages");
    float vals[2] = { 1, 10 }, pos[2];
    check(attn_log_positions(pos, vals, 2, -1, 10) == ATTN_ERR_RANGE, "log axis bounds: a range error, not a scale error");
}

static void test_abi_table(void) {
    const int count = attn_abi_count();
    int unique = 1, finite = 1;
    for (int i = 0; i < count; i++) {
        finite &= attn_abi_name(i) != NULL && isfinite(attn_abi_value(i));
        for (int j = 0; j < i; j++) unique &= strcmp(attn_abi_name(i), attn_abi_name(j)) != 0;
    }
    check(count > 50 && unique && finite, "abi: %d named, unique, finite entries", count);
    check(attn_abi_name(count) == NULL && isnan(attn_abi_value(-1)), "abi: out of range is NULL / NaN");
    double mask = NAN, window = NAN, size = NAN;
    for (int i = 0; i < count; i++) {
        if (!strcmp(attn_abi_name(i), "ATTN_MASK_BLOCK_SPARSE")) mask = attn_abi_value(i);
        if (!strcmp(attn_abi_name(i), "attn_options.window")) window = attn_abi_value(i);
        if (!strcmp(attn_abi_name(i), "sizeof attn_trace")) size = attn_abi_value(i);
    }
    check(mask == ATTN_MASK_BLOCK_SPARSE && window == (double)offsetof(attn_options, window) &&
          size == (double)sizeof(attn_trace), "abi: a constant, an offset and a size by name");
}

// The slope of a measured cost on log-log axes, against costs built with a known exponent and
// against the textbook least-squares formula in double on noisy points.
static void test_log_slope(void) {
    const float xs[5] = { 16, 64, 256, 1024, 4096 };
    float ys[5], slope = -1;
    for (int k = 0; k <= 2; k++) {
        for (int i = 0; i < 5; i++) ys[i] = 3e-4f * powf(xs[i], (float)k);
        check(attn_log_slope(&slope, xs, ys, 5) == ATTN_OK && fabsf(slope - (float)k) < 1e-5f,
              "exact n^%d: slope %.6f", k, slope);
    }
    // y = 5 (flat) then growing: a fit over the first two points is 0, over the last two is 1
    const float bend[4] = { 5, 5, 20, 80 }, xb[4] = { 16, 32, 128, 512 };
    attn_log_slope(&slope, xb, bend, 2);
    check(fabsf(slope) < 1e-6f, "flat start: slope 0 (%.6f)", slope);
    attn_log_slope(&slope, xb + 2, bend + 2, 2);
    check(fabsf(slope - 1.0f) < 1e-5f, "two points a factor 4 apart in both: slope 1 (%.6f)", slope);
    // noisy points against the formula slope = (n Sxy - Sx Sy) / (n Sxx - Sx^2) in double
    float xr[9], yr[9], noise[9];
    attn_fill_random(noise, 9, 7);
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < 9; i++) {
        xr[i] = (float)(16 << i);
        yr[i] = (float)(0.01 * pow(xr[i], 1.7) * (1.0 + 0.3 * noise[i]));
        const double lx = log((double)xr[i]), ly = log((double)yr[i]);
        sx += lx; sy += ly; sxx += lx * lx; sxy += lx * ly;
    }
    const double want = (9 * sxy - sx * sy) / (9 * sxx - sx * sx);
    check(attn_log_slope(&slope, xr, yr, 9) == ATTN_OK && fabs(slope - want) < 1e-5,
          "noisy n^1.7: %.6f, formula %.6f", slope, want);
    check(attn_log_slope(&slope, xs, ys, 1) == ATTN_ERR_SIZE, "one point: no slope");
    const float same[3] = { 8, 8, 8 };
    check(attn_log_slope(&slope, same, ys, 3) == ATTN_ERR_RANGE, "all xs equal");
    const float zero[2] = { 1, 0 }, two[2] = { 1, 2 };
    check(attn_log_slope(&slope, two, zero, 2) == ATTN_ERR_RANGE, "a cost of 0 has no log");
    const float nan_x[2] = { 1, NAN };
    check(attn_log_slope(&slope, nan_x, two, 2) == ATTN_ERR_RANGE, "NaN x");
    check(attn_log_slope(NULL, xs, ys, 5) == ATTN_ERR_NULL, "no output");
}

int main(void) {
    test_log_slope();
    test_head_rows();
    test_kernel_bytes();
    test_power_line_and_top_k();
    test_printing();
    test_clamp_and_messages();
    test_abi_table();
    return check_summary("test_lab");
}

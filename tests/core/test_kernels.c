/* test_kernels.c - the attention steps and whole calls against hand-worked examples and an
   independent double-precision reference written here, plus every error path. */
#include "attn.h"
#include "check.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// ---------------------------------------------------------------------------------------
// An independent reference, in double, straight from the formula

static int ref_allows(int mask, int window, const unsigned char *allowed, int n, int i, int j) {
    if (mask == ATTN_MASK_CAUSAL) return j <= i;
    if (mask == ATTN_MASK_WINDOW) return j <= i && i - j < window;
    if (mask == ATTN_MASK_EXPLICIT) return allowed[i * n + j] != 0;
    return 1;
}

// weights (n, n) and out (n, dv) = softmax(mask(q kᵀ * scale) / t) v
static void ref_head(double *out, double *weights, const float *q, const float *k,
                     const float *v, int n, int dk, int dv, double scale, double t,
                     int mask, int window, const unsigned char *allowed) {
    for (int i = 0; i < n; i++) {
        double *w = weights + (size_t)i * n;
        double max = -1e300;
        int any = 0;
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int p = 0; p < dk; p++) s += (double)q[i * dk + p] * k[j * dk + p];
            w[j] = s * scale / t;
            if (ref_allows(mask, window, allowed, n, i, j)) {
                any = 1;
                if (w[j] > max) max = w[j];
            }
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            w[j] = ref_allows(mask, window, allowed, n, i, j) ? exp(w[j] - max) : 0.0;
            sum += w[j];
        }
        for (int j = 0; j < n; j++) w[j] = any ? w[j] / sum : 0.0;
        for (int c = 0; c < dv; c++) {
            double acc = 0;
            for (int j = 0; j < n; j++) acc += w[j] * v[j * dv + c];
            out[(size_t)i * dv + c] = acc;
        }
    }
}

// A seeded generator so every run checks the same shapes.
static uint32_t rng_state = 12345u;
static float rnd(void) {   // uniform in [-1, 1)
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((rng_state >> 8) * (1.0 / 8388608.0)) - 1.0f;
}
static int rnd_int(int lo, int hi) { return lo + (int)(((rnd() + 1.0f) * 0.5f) * (float)(hi - lo + 1)) % (hi - lo + 1); }
static void fill(float *x, size_t count) { for (size_t i = 0; i < count; i++) x[i] = rnd(); }

static double max_row_sum_error(const float *w, int rows, int cols, int skip_zero_rows) {
    double worst = 0;
    for (int r = 0; r < rows; r++) {
        double s = 0;
        for (int c = 0; c < cols; c++) s += w[(size_t)r * cols + c];
        if (skip_zero_rows && s == 0.0) continue;
        if (fabs(s - 1.0) > worst) worst = fabs(s - 1.0);
    }
    return worst;
}

// ---------------------------------------------------------------------------------------
// Hand-worked examples

// 2x2, d = 2, default scale 1/sqrt(2): scores are I/sqrt(2), so each row is
// softmax([0.70710678, 0]) = [1/(1+e^-0.70710678), ...] = [0.66976155, 0.33023845].
static void test_two_by_two(void) {
    float q[4] = { 1, 0, 0, 1 }, k[4] = { 1, 0, 0, 1 }, v[4] = { 1, 2, 3, 4 };
    float out[4], weights[4], raw[4], scaled[4];
    attn_trace tr = { .weights = weights, .raw = raw, .scaled = scaled };
    int rc = attn_head(out, &tr, q, k, v, 2, 2, 2, NULL);
    check(rc == ATTN_OK, "2x2: status %d", rc);
    const double raw_want[4] = { 1, 0, 0, 1 };
    const double scaled_want[4] = { 0.70710678, 0, 0, 0.70710678 };
    const double w_want[4] = { 0.66976155, 0.33023845, 0.33023845, 0.66976155 };
    // row 0: 0.66976155*[1,2] + 0.33023845*[3,4]
    const double out_want[4] = { 1.6604769, 2.6604769, 2.3395231, 3.3395231 };
    check_close(raw, raw_want, 4, 1e-7, "2x2 raw scores");
    check_close(scaled, scaled_want, 4, 1e-6, "2x2 scaled scores");
    check_close(weights, w_want, 4, 1e-6, "2x2 weights");
    check_close(out, out_want, 4, 1e-6, "2x2 output");
}

// 3x3, d = 1, scale 1: k = [0, 1, 2] and q = [ln 2, ln 3, 0] make every row a ratio of
// small integers: row 0 = [1, 2, 4]/7, row 1 = [1, 3, 9]/13, row 2 = [1, 1, 1]/3.
// v = [1, 2, 3] then gives 17/7, 34/13 and 2. Under the causal mask: [1], [1, 3]/4, [1,1,1]/3.
static void test_three_by_three(void) {
    float q[3] = { (float)log(2.0), (float)log(3.0), 0 }, k[3] = { 0, 1, 2 }, v[3] = { 1, 2, 3 };
    float out[3], weights[9], masked[9];
    attn_options opt = attn_default_options();
    opt.scale = 1.0f;
    attn_trace tr = { .weights = weights, .masked = masked };
    check(attn_head(out, &tr, q, k, v, 3, 1, 1, &opt) == ATTN_OK, "3x3 status");
    const double w_want[9] = { 1 / 7., 2 / 7., 4 / 7., 1 / 13., 3 / 13., 9 / 13., 1 / 3., 1 / 3., 1 / 3. };
    const double out_want[3] = { 17 / 7., 34 / 13., 2 };
    check_close(weights, w_want, 9, 1e-6, "3x3 weights, no mask");
    check_close(out, out_want, 3, 1e-5, "3x3 output, no mask");

    opt.mask = ATTN_MASK_CAUSAL;
    check(attn_head(out, &tr, q, k, v, 3, 1, 1, &opt) == ATTN_OK, "3x3 causal status");
    const double wc_want[9] = { 1, 0, 0, 0.25, 0.75, 0, 1 / 3., 1 / 3., 1 / 3. };
    const double outc_want[3] = { 1, 1.75, 2 };
    check_close(weights, wc_want, 9, 1e-6, "3x3 weights, causal");
    check_close(out, outc_want, 3, 1e-6, "3x3 output, causal");
    check(isinf(masked[1]) && masked[1] < 0 && isinf(masked[2]) && isinf(masked[5]),
          "3x3 causal: masked scores are -inf above the diagonal");
}

// ---------------------------------------------------------------------------------------
// Softmax behaviour

static void test_softmax_shapes(void) {
    float s[6] = { 2, 2, 2, 2, 2, 2 }, p[6], h[1];
    attn_softmax_rows(p, s, 1, 6, 1.0f, NULL);
    const double uniform[6] = { 1 / 6., 1 / 6., 1 / 6., 1 / 6., 1 / 6., 1 / 6. };
    check_close(p, uniform, 6, 1e-7, "equal scores give a uniform row");
    attn_entropy_bits(h, p, 1, 6);
    const double h_max = log2(6.0);
    check_close(h, &h_max, 1, 1e-5, "uniform row has entropy log2(6) bits");

    float c[6] = { 3.0f, 2.5f, 2.0f, 1.2f, 0.8f, 0.1f };
    attn_softmax_rows(p, c, 1, 6, 0.05f, NULL);
    check(p[0] > 0.9999f, "T = 0.05 is nearly one-hot: top %.6f", (double)p[0]);
    attn_softmax_rows(p, c, 1, 6, 1000.0f, NULL);
    double dev = 0;
    for (int j = 0; j < 6; j++) dev = fmax(dev, fabs(p[j] - 1 / 6.));
    check(dev < 1e-3, "T = 1000 is nearly uniform: max deviation %.2g", dev);
    // temperatures in between: the top weight falls as T rises
    float prev = 2.0f;
    for (float t = 0.05f; t <= 3.0f; t += 0.05f) {
        attn_softmax_rows(p, c, 1, 6, t, NULL);
        check(p[0] < prev && max_row_sum_error(p, 1, 6, 0) < 1e-6, "T %.2f: top falls, sums to 1", (double)t);
        prev = p[0];
    }
    attn_entropy_bits(h, p, 1, 6);
    check(h[0] > 2.0f && h[0] < (float)log2(6.0), "T = 3 entropy %.3f bits is high", (double)h[0]);
}

static void test_softmax_extremes(void) {
    float p[4];
    int blocked = -1;
    // nothing allowed: zeros, reported, never NaN
    float none[3] = { -INFINITY, -INFINITY, -INFINITY };
    check(attn_softmax_rows(p, none, 1, 3, 1.0f, &blocked) == ATTN_OK && blocked == 1 &&
          p[0] == 0 && p[1] == 0 && p[2] == 0, "a fully blocked row gives zeros and is counted");
    // +inf shares the weight (the limit of softmax)
    float infs[3] = { INFINITY, 1.0f, INFINITY };
    attn_softmax_rows(p, infs, 1, 3, 1.0f, &blocked);
    check(p[0] == 0.5f && p[1] == 0.0f && p[2] == 0.5f && blocked == 0, "+inf entries share the weight");
    // the largest finite floats do not overflow: subtract the max first
    float huge[2] = { FLT_MAX, -FLT_MAX };
    attn_softmax_rows(p, huge, 1, 2, 1.0f, NULL);
    check(p[0] == 1.0f && p[1] == 0.0f, "FLT_MAX and -FLT_MAX give [1, 0]");
    // a tiny temperature is one-hot, not NaN
    float close[3] = { 1.0f, 0.999f, -2.0f };
    attn_softmax_rows(p, close, 1, 3, 1e-30f, NULL);
    check(p[0] == 1.0f && p[1] == 0.0f && p[2] == 0.0f, "T = 1e-30 is exactly one-hot");
    float nan_in[2] = { NAN, 1.0f };
    check(attn_softmax_rows(p, nan_in, 1, 2, 1.0f, NULL) == ATTN_ERR_NONFINITE, "NaN score is an error");
    // in place
    float inplace[4] = { 1, 2, 3, 4 };
    attn_softmax_rows(inplace, inplace, 2, 2, 1.0f, NULL);
    check(max_row_sum_error(inplace, 2, 2, 0) < 1e-6 && inplace[1] > inplace[0], "softmax in place");
}

// ---------------------------------------------------------------------------------------
// Masks

static void test_masks(void) {
    enum { N = 7 };
    float q[N * 3], k[N * 3], v[N * 2], out[N * 2], w[N * N];
    fill(q, N * 3); fill(k, N * 3); fill(v, N * 2);
    attn_trace tr = { .weights = w };
    attn_options opt = attn_default_options();

    opt.mask = ATTN_MASK_CAUSAL;
    attn_head(out, &tr, q, k, v, N, 3, 2, &opt);
    int zero_beyond = 1;
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++) zero_beyond &= w[i * N + j] == 0.0f;
    check(zero_beyond, "causal: row i is exactly zero beyond i");
    check(w[0] == 1.0f, "causal: the first token can only look at itself");
    check(max_row_sum_error(w, N, N, 0) < 1e-6, "causal rows sum to 1");

    opt.mask = ATTN_MASK_WINDOW;
    opt.window = 3;
    attn_head(out, &tr, q, k, v, N, 3, 2, &opt);
    int outside_zero = 1, inside_positive = 1;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int inside = j <= i && i - j < 3;
            if (inside) inside_positive &= w[i * N + j] > 0.0f;
            else outside_zero &= w[i * N + j] == 0.0f;
        }
    check(outside_zero, "sliding window: zero outside the band");
    check(inside_positive, "sliding window: positive inside the band");
    check(max_row_sum_error(w, N, N, 0) < 1e-6, "window rows sum to 1");

    unsigned char allowed[N * N], filled[N * N];
    for (int i = 0; i < N * N; i++) allowed[i] = (unsigned char)((i * 7) % 3 != 0);
    memset(allowed + 2 * N, 0, N);   // row 2 sees nothing
    opt.mask = ATTN_MASK_EXPLICIT;
    opt.allowed = allowed;
    check(attn_mask_fill(filled, N, &opt) == ATTN_OK && memcmp(filled, allowed, sizeof allowed) == 0,
          "explicit mask_fill copies the map");
    attn_head(out, &tr, q, k, v, N, 3, 2, &opt);
    check(tr.blocked_rows == 1, "explicit: one fully blocked row reported (%d)", tr.blocked_rows);
    int row2_zero = 1;
    for (int j = 0; j < N; j++) row2_zero &= w[2 * N + j] == 0.0f;
    check(row2_zero && out[4] == 0.0f && out[5] == 0.0f, "blocked row: zero weights and zero output");
    check(max_row_sum_error(w, N, N, 1) < 1e-6, "explicit: other rows sum to 1");

    opt = attn_default_options();
    opt.mask = ATTN_MASK_CAUSAL;
    attn_mask_fill(filled, N, &opt);
    check(filled[0] == 1 && filled[1] == 0 && filled[N] == 1 && filled[N + 1] == 1, "causal mask_fill");
}

// ---------------------------------------------------------------------------------------
// Random shapes against the reference

static void test_random_heads(void) {
    enum { MAXN = 40, MAXD = 33 };
    static float q[MAXN * MAXD], k[MAXN * MAXD], v[MAXN * MAXD], out[MAXN * MAXD], w[MAXN * MAXN];
    static double ow[MAXN * MAXD], ww[MAXN * MAXN];
    static unsigned char allowed[MAXN * MAXN];
    double worst_w = 0, worst_o = 0, worst_sum = 0;
    int failures = 0;
    for (int trial = 0; trial < 300; trial++) {
        int n = rnd_int(1, MAXN), dk = rnd_int(1, MAXD), dv = rnd_int(1, MAXD);
        attn_options opt = attn_default_options();
        opt.mask = trial % 4;
        opt.window = rnd_int(1, 6);
        opt.temperature = 0.05f + (rnd() + 1.0f) * 1.5f;   // [0.05, 3.05)
        if (trial % 3 == 0) opt.scale = 0.25f + (rnd() + 1.0f);
        for (int i = 0; i < n * n; i++) allowed[i] = rnd() > -0.6f;
        for (int i = 0; i < n; i++) allowed[i * n + i] = 1;   // no blocked rows here
        opt.allowed = allowed;
        fill(q, (size_t)n * dk); fill(k, (size_t)n * dk); fill(v, (size_t)n * dv);
        attn_trace tr = { .weights = w };
        if (attn_head(out, &tr, q, k, v, n, dk, dv, &opt) != ATTN_OK) { failures++; continue; }
        double scale = opt.scale > 0 ? opt.scale : 1.0 / sqrt((double)dk);
        ref_head(ow, ww, q, k, v, n, dk, dv, scale, opt.temperature, opt.mask, opt.window, allowed);
        for (int i = 0; i < n * n; i++) worst_w = fmax(worst_w, fabs(w[i] - ww[i]));
        for (int i = 0; i < n * dv; i++) worst_o = fmax(worst_o, fabs(out[i] - ow[i]));
        worst_sum = fmax(worst_sum, max_row_sum_error(w, n, n, 0));
    }
    check(failures == 0, "random heads: %d calls failed", failures);
    check(worst_w <= 1e-5, "random heads: weights within 1e-5 of reference (max %.2g)", worst_w);
    check(worst_o <= 1e-5, "random heads: outputs within 1e-5 of reference (max %.2g)", worst_o);
    check(worst_sum <= 1e-6, "random heads: every row sums to 1 within 1e-6 (max %.2g)", worst_sum);
}

// The whole layer: projections, heads, concat, output projection.
static void test_random_layers(void) {
    enum { MAXN = 24, MAXDM = 20, MAXH = 5, MAXDH = 9, MAXDO = 11 };
    static float x[MAXN * MAXDM], wq[MAXH * MAXDM * MAXDH], wk[MAXH * MAXDM * MAXDH],
        wv[MAXH * MAXDM * MAXDH], wo[MAXH * MAXDH * MAXDO], out[MAXN * MAXDO * MAXH],
        tw[MAXH * MAXN * MAXN], tq[MAXH * MAXN * MAXDH], tcat[MAXN * MAXH * MAXDH];
    static float scratch[8192], qh[MAXN * MAXDH], kh[MAXN * MAXDH], vh[MAXN * MAXDH];
    static double ref_out[MAXN * MAXH * MAXDH], ho[MAXN * MAXDH], hw[MAXN * MAXN], cat[MAXN * MAXH * MAXDH];
    double worst = 0, worst_w = 0;
    int failures = 0;
    for (int trial = 0; trial < 60; trial++) {
        int n = rnd_int(1, MAXN), dm = rnd_int(1, MAXDM), nh = rnd_int(1, MAXH),
            dh = rnd_int(1, MAXDH), dout = rnd_int(1, MAXDO), use_wo = trial % 2;
        attn_layer_weights lw = { dm, nh, dh, dout, wq, wk, wv, use_wo ? wo : NULL };
        fill(x, (size_t)n * dm); fill(wq, (size_t)nh * dm * dh); fill(wk, (size_t)nh * dm * dh);
        fill(wv, (size_t)nh * dm * dh); fill(wo, (size_t)nh * dh * dout);
        attn_options opt = attn_default_options();
        opt.mask = trial % 3 == 0 ? ATTN_MASK_CAUSAL : ATTN_MASK_NONE;
        opt.temperature = 0.5f + (float)(trial % 5) * 0.5f;
        attn_trace tr = { .weights = tw, .q = tq, .concat = tcat };
        size_t need = attn_layer_scratch_floats(n, &lw);
        if (need == 0 || need > sizeof scratch / sizeof *scratch ||
            attn_layer(out, &tr, x, n, &lw, &opt, scratch, need) != ATTN_OK) { failures++; continue; }
        // reference: per head, project in double... from float projections of the same math
        for (int h = 0; h < nh; h++) {
            for (int i = 0; i < n; i++)
                for (int c = 0; c < dh; c++) {
                    double aq = 0, ak = 0, av = 0;
                    for (int p = 0; p < dm; p++) {
                        size_t wi = (size_t)h * dm * dh + (size_t)p * dh + c;
                        aq += (double)x[i * dm + p] * wq[wi];
                        ak += (double)x[i * dm + p] * wk[wi];
                        av += (double)x[i * dm + p] * wv[wi];
                    }
                    qh[i * dh + c] = (float)aq; kh[i * dh + c] = (float)ak; vh[i * dh + c] = (float)av;
                    worst = fmax(worst, fabs(tq[(size_t)h * n * dh + i * dh + c] - aq));
                }
            ref_head(ho, hw, qh, kh, vh, n, dh, dh, 1.0 / sqrt((double)dh), opt.temperature,
                     opt.mask, 0, NULL);
            for (int i = 0; i < n * n; i++) worst_w = fmax(worst_w, fabs(tw[(size_t)h * n * n + i] - hw[i]));
            for (int i = 0; i < n; i++)
                for (int c = 0; c < dh; c++) cat[(size_t)i * nh * dh + h * dh + c] = ho[i * dh + c];
        }
        int width = nh * dh, outw = use_wo ? dout : width;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < outw; c++) {
                double acc = 0;
                if (use_wo)
                    for (int p = 0; p < width; p++) acc += cat[(size_t)i * width + p] * wo[(size_t)p * dout + c];
                else
                    acc = cat[(size_t)i * width + c];
                ref_out[(size_t)i * outw + c] = acc;
            }
        for (int i = 0; i < n * outw; i++) worst = fmax(worst, fabs(out[i] - ref_out[i]));
        for (int i = 0; i < n * width; i++) worst = fmax(worst, fabs(tcat[i] - cat[i]));
        worst = fmax(worst, max_row_sum_error(tw, nh * n, n, 0));
    }
    check(failures == 0, "random layers: %d calls failed", failures);
    check(worst_w <= 1e-5, "random layers: weights within 1e-5 of reference (max %.2g)", worst_w);
    check(worst <= 1e-5, "random layers: q, concat, output within 1e-5, rows sum to 1 (max %.2g)", worst);
}

// ---------------------------------------------------------------------------------------
// Every error code, and nothing written past a buffer

static void test_errors(void) {
    float q[4] = { 1, 2, 3, 4 }, k[4] = { 1, 0, 0, 1 }, v[4] = { 1, 1, 1, 1 }, out[4], w[4], s[4];
    attn_trace tr = { .weights = w };
    attn_options opt = attn_default_options();

    check(attn_head(out, NULL, q, k, v, 2, 2, 2, NULL) == ATTN_ERR_NULL, "NULL trace");
    check(attn_head(out, &tr, NULL, k, v, 2, 2, 2, NULL) == ATTN_ERR_NULL, "NULL q");
    check(attn_head(out, &tr, q, k, NULL, 2, 2, 2, NULL) == ATTN_ERR_NULL, "NULL v with an output");
    check(attn_head(NULL, &tr, q, k, NULL, 2, 2, 2, NULL) == ATTN_OK, "weights only, no v");
    check(attn_matmul(out, q, NULL, 2, 2, 2) == ATTN_ERR_NULL, "matmul NULL");
    check(attn_head(out, &tr, q, k, v, 0, 2, 2, NULL) == ATTN_ERR_SIZE, "n = 0");
    check(attn_head(out, &tr, q, k, v, 2, -1, 2, NULL) == ATTN_ERR_SIZE, "d = -1");
    check(attn_head(out, &tr, q, k, v, 2, 2, 0, NULL) == ATTN_ERR_SIZE, "d_v = 0");
    check(attn_softmax_rows(s, q, 0, 4, 1.0f, NULL) == ATTN_ERR_SIZE, "softmax rows = 0");
    check(attn_scale(s, q, 0, 1.0f) == ATTN_ERR_SIZE, "scale count 0");
    check(attn_head(out, &tr, q, k, v, 1 << 20, 2, 2, NULL) == ATTN_ERR_OVERFLOW, "n*n overflows");
    check(attn_head(out, &tr, q, k, v, 1 << 16, 1 << 16, 2, NULL) == ATTN_ERR_OVERFLOW, "n*d overflows");
    check(attn_matmul(out, q, k, 1 << 30, 4, 1) == ATTN_ERR_OVERFLOW, "matmul n*k overflows");
    const float bad_t[4] = { 0.0f, -1.0f, NAN, INFINITY };
    for (int i = 0; i < 4; i++) {
        opt.temperature = bad_t[i];
        check(attn_head(out, &tr, q, k, v, 2, 2, 2, &opt) == ATTN_ERR_TEMPERATURE, "temperature %g", (double)bad_t[i]);
        check(attn_softmax_rows(s, q, 1, 4, bad_t[i], NULL) == ATTN_ERR_TEMPERATURE, "softmax temperature %g", (double)bad_t[i]);
    }
    opt = attn_default_options();
    const float bad_scale[3] = { -1.0f, NAN, INFINITY };
    for (int i = 0; i < 3; i++) {
        opt.scale = bad_scale[i];
        check(attn_head(out, &tr, q, k, v, 2, 2, 2, &opt) == ATTN_ERR_SCALE, "scale %g", (double)bad_scale[i]);
    }
    check(attn_scale(s, q, 4, 0.0f) == ATTN_ERR_SCALE, "attn_scale by 0");
    opt = attn_default_options();
    opt.mask = 7;
    check(attn_head(out, &tr, q, k, v, 2, 2, 2, &opt) == ATTN_ERR_MASK, "unknown mask kind");
    opt.mask = ATTN_MASK_WINDOW;
    opt.window = 0;
    check(attn_head(out, &tr, q, k, v, 2, 2, 2, &opt) == ATTN_ERR_MASK, "window 0");
    opt.mask = ATTN_MASK_EXPLICIT;
    opt.allowed = NULL;
    check(attn_head(out, &tr, q, k, v, 2, 2, 2, &opt) == ATTN_ERR_MASK, "explicit mask without a map");

    float nan_q[4] = { 1, NAN, 0, 0 }, inf_v[4] = { 1, 1, INFINITY, 1 }, huge[4] = { 1e30f, 1e30f, 1e30f, 1e30f };
    check(attn_head(out, &tr, nan_q, k, v, 2, 2, 2, NULL) == ATTN_ERR_NONFINITE, "NaN in q");
    check(attn_head(out, &tr, q, k, inf_v, 2, 2, 2, NULL) == ATTN_ERR_NONFINITE, "inf in v");
    check(attn_head(out, &tr, huge, huge, v, 2, 2, 2, NULL) == ATTN_ERR_NONFINITE, "1e30 * 1e30 overflows");
    check(attn_matmul(out, huge, huge, 2, 2, 2) == ATTN_ERR_NONFINITE, "matmul overflow");
    check(attn_entropy_bits(s, nan_q, 1, 4) == ATTN_ERR_NONFINITE, "entropy of NaN");

    attn_layer_weights lw = { 2, 1, 2, 2, k, k, k, NULL };
    float scratch[64];
    size_t need = attn_layer_scratch_floats(2, &lw);
    check(need > 0 && attn_layer(out, NULL, q, 2, &lw, NULL, scratch, need - 1) == ATTN_ERR_SCRATCH, "scratch too small");
    check(attn_layer(out, NULL, q, 2, &lw, NULL, scratch, need) == ATTN_OK, "layer with exact scratch");
    check(attn_layer(out, NULL, q, 2, NULL, NULL, scratch, need) == ATTN_ERR_NULL, "layer without weights");
    attn_layer_weights bad = lw;
    bad.n_heads = 0;
    check(attn_layer_scratch_floats(2, &bad) == 0 && attn_layer(out, NULL, q, 2, &bad, NULL, scratch, 64) == ATTN_ERR_SIZE,
          "zero heads");

    char buf[8];
    float three[3] = { 0.5f, 0.25f, 0.125f };
    check(attn_format_numbers(buf, sizeof buf, three, 3, 3) == ATTN_ERR_SCRATCH && strlen(buf) < sizeof buf,
          "format: too small a buffer is reported, and the text stays terminated");

    // every code has its own sentence
    const int codes[] = { ATTN_OK, ATTN_ERR_NULL, ATTN_ERR_SIZE, ATTN_ERR_OVERFLOW, ATTN_ERR_TEMPERATURE,
                          ATTN_ERR_SCALE, ATTN_ERR_MASK, ATTN_ERR_NONFINITE, ATTN_ERR_SCRATCH,
                          ATTN_ERR_EMPTY, ATTN_ERR_INDEX };
    int distinct = 1;
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
        for (size_t j = 0; j < i; j++) distinct &= strcmp(attn_strerror(codes[i]), attn_strerror(codes[j])) != 0;
    check(distinct, "every status code has a distinct message");
    check(strcmp(attn_strerror(-999), "unknown error") == 0, "unknown code");
}

static void test_row_sums(void) {
    float m[6] = { 0.25f, 0.5f, 0.25f, 1.0f, -2.0f, 0.5f }, sums[2];
    const double want[2] = { 1.0, -0.5 };
    check(attn_row_sums(sums, m, 2, 3) == ATTN_OK, "row sums status");
    check_close(sums, want, 2, 1e-7, "row sums");
    check(attn_row_sums(sums, m, 2, 0) == ATTN_ERR_SIZE && attn_row_sums(NULL, m, 1, 1) == ATTN_ERR_NULL,
          "row sums errors");
}

static void test_format(void) {
    char buf[128];
    float vals[5] = { 0.7342f, -0.0001f, -INFINITY, 2.0f, 0.0005f };
    int len = attn_format_numbers(buf, sizeof buf, vals, 5, 3);
    check(len > 0 && strcmp(buf, "0.734\n0.000\n-inf\n2.000\n0.001\n") == 0, "format: [%s]", buf);
}

// Found by the libFuzzer targets (tests/fuzz/): each returned ATTN_OK with outputs that broke
// the contract. Now they must be errors.
static void test_fuzz_findings(void) {
    // attn_head_streaming: values near FLT_MAX overflowed the unnormalised running sum, giving
    // +inf outputs with ATTN_OK (attn_head returns FLT_MAX for the same input)
    float q[4] = { 0 }, k[4] = { 0 }, v[4] = { FLT_MAX, FLT_MAX, FLT_MAX, FLT_MAX }, out[4];
    int blocked = -1;
    int rc = attn_head_streaming(out, q, k, v, 4, 1, 1, NULL, 0, 4, &blocked);
    check(rc == ATTN_ERR_NONFINITE, "streaming, v near FLT_MAX: status %d, want NONFINITE", rc);
    float w[16];
    attn_trace tr = { .weights = w };
    rc = attn_head(out, &tr, q, k, v, 4, 1, 1, NULL);
    check(rc == ATTN_OK && out[0] == FLT_MAX, "attn_head, v near FLT_MAX: status %d, out %g", rc, (double)out[0]);

    // attn_linear: phi(q) = exp(q) underflows to 0 for q around -1e20, so the row's
    // denominator was 0 and the row's weights were all 0 (not summing to 1) with ATTN_OK
    float lq[4] = { -1.47e20f, -1, -1, -1 }, lk[4] = { -1, -1, -1, -1 }, lv[4] = { 1, 2, 3, 4 };
    float lout[4], lw[16], scratch[8];
    size_t floats = attn_linear_scratch_floats(1, 1);
    check(floats <= 8, "linear scratch for d 1: %zu floats", floats);
    rc = attn_linear(lout, lw, lq, lk, lv, 4, 1, 1, 0, scratch, floats);
    check(rc == ATTN_ERR_NONFINITE, "linear, phi(q) underflows: status %d, want NONFINITE", rc);
    // ...and overflow of the same sum (z = sum phi(k) = inf) gave weights 0 as well
    float bk[4] = { 3e38f, 3e38f, 3e38f, 3e38f }, bq[4] = { 1, 1, 1, 1 };
    rc = attn_linear(lout, lw, bq, bk, lv, 4, 1, 1, 0, scratch, floats);
    check(rc == ATTN_ERR_NONFINITE, "linear, sum of phi(k) overflows: status %d, want NONFINITE", rc);
    // a denormal temperature: 1/T overflowed to inf in the softmax's exp, so the row's max
    // entry became 0 * inf = NaN (undefined behaviour in the native float-to-int step)
    float scores[6] = { 0, -1, -INFINITY, 2, 2, 1 }, p[6];
    int rows_blocked = -1;
    rc = attn_softmax_rows(p, scores, 2, 3, 1e-45f, &rows_blocked);
    check(rc == ATTN_OK && p[0] == 1 && p[1] == 0 && p[2] == 0 && p[3] == 0.5f && p[4] == 0.5f && p[5] == 0,
          "softmax, T = 1e-45: status %d, rows %g %g %g / %g %g %g", rc, (double)p[0], (double)p[1],
          (double)p[2], (double)p[3], (double)p[4], (double)p[5]);
    attn_options tiny = attn_default_options();
    tiny.temperature = 1e-45f;
    float tq[3] = { 1, 2, 3 }, tk[3] = { 1, 2, 3 }, tv[3] = { 10, 20, 30 }, tout[3], tw[9];
    attn_trace ttr = { .weights = tw };
    rc = attn_head(tout, &ttr, tq, tk, tv, 3, 1, 1, &tiny);
    check(rc == ATTN_OK && tout[0] == 30 && tout[2] == 30, "attn_head, T = 1e-45: status %d, out %g %g",
          rc, (double)tout[0], (double)tout[2]);
    rc = attn_head_streaming(tout, tq, tk, tv, 3, 1, 1, &tiny, 0, 3, NULL);
    check(rc == ATTN_OK && tout[0] == 30 && tout[2] == 30, "streaming, T = 1e-45: status %d, out %g %g",
          rc, (double)tout[0], (double)tout[2]);
    // ordinary values still work, rows summing to 1
    float oq[4] = { 0.5f, -0.5f, 1, -1 };
    rc = attn_linear(lout, lw, oq, lk, lv, 4, 1, 1, 1, scratch, floats);
    double sum = 0;
    for (int j = 0; j < 4; j++) sum += lw[3 * 4 + j];
    check(rc == ATTN_OK && fabs(sum - 1.0) < 1e-5, "linear, ordinary values: status %d, row 3 sums to %g", rc, sum);
}

int main(void) {
    test_two_by_two();
    test_three_by_three();
    test_softmax_shapes();
    test_softmax_extremes();
    test_masks();
    test_random_heads();
    test_random_layers();
    test_errors();
    test_row_sums();
    test_format();
    test_fuzz_findings();
    return check_summary("test_kernels");
}

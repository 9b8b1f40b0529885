/* test_long.c - the long-context functions: streaming attention against the materialised
   attn_head() and a double reference (no mask, causal, window, block-sparse, explicit) on
   random shapes with n and d off multiples of 4 and row ranges split in pieces; linear
   attention and the block-sparse mask against direct references written here; the helpers;
   and every error path. */
#include "attn.h"
#include "attn_simd.h"   // private: the block kernels, tested directly below
#include "check.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// ---------------------------------------------------------------------------------------
// Independent references, in double, straight from the definitions

static int ref_allows(const attn_options *o, int n, int i, int j) {
    switch (o->mask) {
    case ATTN_MASK_CAUSAL: return j <= i;
    case ATTN_MASK_WINDOW: return j <= i && i - j < o->window;
    case ATTN_MASK_EXPLICIT: return o->allowed[i * n + j] != 0;
    case ATTN_MASK_BLOCK_SPARSE: {
        // same local block, or either token is one of the first `globals`
        int same_block = (i / o->window) == (j / o->window);
        return same_block || j < o->globals || i < o->globals;
    }
    default: return 1;
    }
}

// out (n, dv) = softmax(mask(q kᵀ * scale) / t) v; rows with no allowed key are 0.
static void ref_head(double *out, const float *q, const float *k, const float *v, int n, int dk,
                     int dv, double scale, const attn_options *o) {
    double *w = malloc(sizeof *w * (size_t)n);
    for (int i = 0; i < n; i++) {
        double max = -1e300;
        int any = 0;
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int p = 0; p < dk; p++) s += (double)q[i * dk + p] * k[j * dk + p];
            w[j] = s * scale / o->temperature;
            if (ref_allows(o, n, i, j)) { any = 1; if (w[j] > max) max = w[j]; }
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            w[j] = ref_allows(o, n, i, j) ? exp(w[j] - max) : 0.0;
            sum += w[j];
        }
        for (int c = 0; c < dv; c++) {
            double acc = 0;
            for (int j = 0; j < n && any; j++) acc += w[j] / sum * v[j * dv + c];
            out[(size_t)i * dv + c] = acc;
        }
    }
    free(w);
}

static double ref_phi(double x) { return x > 0 ? x + 1 : exp(x); }

// linear attention, each output straight from the sums over j (all j, or j <= i)
static void ref_linear(double *out, double *weights, const float *q, const float *k,
                       const float *v, int n, int dk, int dv, int causal) {
    for (int i = 0; i < n; i++) {
        int last = causal ? i : n - 1;
        double denom = 0;
        for (int j = 0; j <= last; j++) {
            double dot = 0;
            for (int p = 0; p < dk; p++) dot += ref_phi(q[i * dk + p]) * ref_phi(k[j * dk + p]);
            weights[(size_t)i * n + j] = dot;
            denom += dot;
        }
        for (int j = last + 1; j < n; j++) weights[(size_t)i * n + j] = 0;
        for (int j = 0; j < n; j++) weights[(size_t)i * n + j] /= denom;
        for (int c = 0; c < dv; c++) {
            double acc = 0;
            for (int j = 0; j <= last; j++) acc += weights[(size_t)i * n + j] * v[j * dv + c];
            out[(size_t)i * dv + c] = acc;
        }
    }
}

static uint32_t rng_state = 777u;
static float rnd(void) {   // uniform in [-1, 1)
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((rng_state >> 8) * (1.0 / 8388608.0)) - 1.0f;
}
static int rnd_int(int lo, int hi) {   // uniform in [lo, hi]
    rng_state = rng_state * 1664525u + 1013904223u;
    return lo + (int)((rng_state >> 8) % (uint32_t)(hi - lo + 1));
}
static void fill(float *x, size_t count, float amp) { for (size_t i = 0; i < count; i++) x[i] = amp * rnd(); }

static const char *mask_name(int mask) {
    static const char *names[] = { "none", "causal", "window", "explicit", "block-sparse" };
    return names[mask];
}

// ---------------------------------------------------------------------------------------
// Streaming equals materialised

// Runs streaming over [0, n) cut into random pieces; returns the status of the first failure
// (or 0) and sums the blocked rows.
static int streaming_in_pieces(float *out, const float *q, const float *k, const float *v, int n,
                               int dk, int dv, const attn_options *opt, int *blocked) {
    *blocked = 0;
    for (int begin = 0; begin < n;) {
        int end = begin + rnd_int(1, n < 40 ? n : 40);
        if (end > n) end = n;
        int b = -1;
        int rc = attn_head_streaming(out, q, k, v, n, dk, dv, opt, begin, end, &b);
        if (rc) return rc;
        *blocked += b;
        begin = end;
    }
    return ATTN_OK;
}

static void compare_streaming(int n, int dk, int dv, const attn_options *opt, float amp) {
    size_t nk = (size_t)n * dk, nv = (size_t)n * dv;
    float *q = calloc(nk, 4), *k = calloc(nk, 4), *v = calloc(nv, 4);
    float *full = malloc(nv * 4), *stream = malloc(nv * 4), *weights = malloc((size_t)n * n * 4);
    double *want = malloc(nv * 8), *fullD = malloc(nv * 8);
    fill(q, nk, amp); fill(k, nk, amp); fill(v, nv, 1.0f);
    attn_trace tr = { .weights = weights };
    int rc1 = attn_head(full, &tr, q, k, v, n, dk, dv, opt);
    int blocked = -1;
    for (size_t i = 0; i < nv; i++) stream[i] = NAN;   // every output must be written
    int rc2 = streaming_in_pieces(stream, q, k, v, n, dk, dv, opt, &blocked);
    check(rc1 == ATTN_OK && rc2 == ATTN_OK, "streaming n=%d dk=%d dv=%d mask=%s: status %d %d",
          n, dk, dv, mask_name(opt->mask), rc1, rc2);
    char label[160];
    for (size_t i = 0; i < nv; i++) fullD[i] = full[i];
    snprintf(label, sizeof label, "streaming = attn_head, n=%d dk=%d dv=%d mask=%s w=%d g=%d T=%g",
             n, dk, dv, mask_name(opt->mask), opt->window, opt->globals, (double)opt->temperature);
    check_close(stream, fullD, nv, 1e-5, label);
    double scale = opt->scale > 0 ? opt->scale : 1.0 / sqrt((double)dk);
    ref_head(want, q, k, v, n, dk, dv, scale, opt);
    snprintf(label, sizeof label, "streaming = double reference, n=%d dk=%d dv=%d mask=%s", n, dk, dv,
             mask_name(opt->mask));
    check_close(stream, want, nv, 1e-5, label);
    check(blocked == tr.blocked_rows, "streaming blocked rows %d = attn_head's %d (mask %s)", blocked,
          tr.blocked_rows, mask_name(opt->mask));
    free(q); free(k); free(v); free(full); free(stream); free(weights); free(want); free(fullD);
}

static void test_streaming_random(void) {
    const int ns[] = { 1, 2, 3, 5, 7, 16, 17, 31, 63, 64, 65, 100, 129, 200 };
    const int ds[] = { 1, 2, 3, 4, 5, 7, 8, 13, 16, 33, 64, 67 };
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++) {
        for (int rep = 0; rep < 3; rep++) {
            int n = ns[a], dk = ds[rnd_int(0, 11)], dv = ds[rnd_int(0, 11)];
            attn_options opt = attn_default_options();
            for (int mask = ATTN_MASK_NONE; mask <= ATTN_MASK_BLOCK_SPARSE; mask++) {
                if (mask == ATTN_MASK_EXPLICIT) continue;   // its own test below
                opt.mask = mask;
                opt.window = rnd_int(1, n + 2);
                opt.globals = rnd_int(0, 3);
                opt.temperature = rep == 1 ? 0.3f : rep == 2 ? 2.5f : 1.0f;
                opt.scale = rep == 2 ? 0.5f : 0.0f;
                compare_streaming(n, dk, dv, &opt, rep == 1 ? 3.0f : 1.0f);
            }
        }
    }
    // a long row of keys: many tiles and a running max that moves
    attn_options opt = attn_default_options();
    compare_streaming(700, 64, 64, &opt, 2.0f);
    opt.mask = ATTN_MASK_WINDOW; opt.window = 100;
    compare_streaming(700, 61, 66, &opt, 2.0f);
    opt.mask = ATTN_MASK_BLOCK_SPARSE; opt.window = 50; opt.globals = 3;
    compare_streaming(333, 19, 8, &opt, 2.0f);
    // from n = 2048 the dense kernel takes 128-row blocks: odd n and d, both masks, d = 128 too
    opt = attn_default_options();
    compare_streaming(2085, 21, 13, &opt, 1.0f);
    opt.mask = ATTN_MASK_CAUSAL;
    compare_streaming(2085, 21, 13, &opt, 1.0f);
    compare_streaming(2048, 128, 128, &opt, 1.0f);
    // a subnormal temperature: one-hot rows, never NaN (1/T overflows to inf)
    opt = attn_default_options(); opt.temperature = 1e-40f;
    compare_streaming(45, 7, 5, &opt, 1.0f);
}

// Explicit mask with fully blocked rows: zeros, counted, never NaN.
static void test_streaming_explicit(void) {
    const int n = 37, dk = 6, dv = 5;
    unsigned char allowed[37 * 37];
    for (int i = 0; i < n * n; i++) allowed[i] = (unsigned char)(rnd() > 0.3f);
    for (int j = 0; j < n; j++) allowed[4 * n + j] = allowed[20 * n + j] = 0;   // rows 4, 20 blocked
    attn_options opt = attn_default_options();
    opt.mask = ATTN_MASK_EXPLICIT;
    opt.allowed = allowed;
    compare_streaming(n, dk, dv, &opt, 1.0f);

    float q[37 * 6], k[37 * 6], v[37 * 5], out[37 * 5];
    fill(q, sizeof q / 4, 1); fill(k, sizeof k / 4, 1); fill(v, sizeof v / 4, 1);
    int blocked = -1;
    int rc = attn_head_streaming(out, q, k, v, n, dk, dv, &opt, 0, n, &blocked);
    int zeros = 1;
    for (int c = 0; c < dv; c++) zeros &= out[4 * dv + c] == 0.0f && out[20 * dv + c] == 0.0f;
    check(rc == ATTN_OK && blocked == 2 && zeros, "explicit: 2 blocked rows of zeros (rc %d, %d)", rc, blocked);
}

// Large score gaps: a row dominated by one key, then one far below (exp underflows to 0).
static void test_streaming_extremes(void) {
    const int n = 70, d = 4;
    float q[70 * 4], k[70 * 4], v[70 * 4], out[70 * 4], full[70 * 4], weights[70 * 70];
    fill(q, sizeof q / 4, 1); fill(k, sizeof k / 4, 1); fill(v, sizeof v / 4, 1);
    for (int p = 0; p < d; p++) { k[66 * d + p] = 40.0f; q[p] = 40.0f; k[3 * d + p] = -40.0f; }
    attn_options opt = attn_default_options();
    attn_trace tr = { .weights = weights };
    check(attn_head(full, &tr, q, k, v, n, d, d, &opt) == ATTN_OK, "extremes: attn_head");
    check(attn_head_streaming(out, q, k, v, n, d, d, &opt, 0, n, NULL) == ATTN_OK, "extremes: streaming");
    double fullD[70 * 4];
    for (int i = 0; i < n * d; i++) fullD[i] = full[i];
    check_close(out, fullD, (size_t)n * d, 1e-5, "extremes: streaming = attn_head");
    check_close(out, (double[]){ v[66 * d], v[66 * d + 1], v[66 * d + 2], v[66 * d + 3] }, 4, 1e-6,
                "extremes: row 0 is value row 66");
}

// ---------------------------------------------------------------------------------------
// Block-sparse mask, linear attention

static void test_block_sparse_mask(void) {
    const int n = 23;
    unsigned char allowed[23 * 23];
    for (int window = 1; window <= 9; window += 4)
        for (int globals = 0; globals <= 3; globals++) {
            attn_options opt = attn_default_options();
            opt.mask = ATTN_MASK_BLOCK_SPARSE;
            opt.window = window;
            opt.globals = globals;
            int rc = attn_mask_fill(allowed, n, &opt), bad = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) bad += allowed[i * n + j] != ref_allows(&opt, n, i, j);
            check(rc == ATTN_OK && bad == 0, "block-sparse w=%d g=%d: %d cells differ (rc %d)", window,
                  globals, bad, rc);
        }
    // a hand-checked case: blocks of 2, one global token, n = 5
    attn_options opt = attn_default_options();
    opt.mask = ATTN_MASK_BLOCK_SPARSE; opt.window = 2; opt.globals = 1;
    unsigned char a[25];
    attn_mask_fill(a, 5, &opt);
    const unsigned char want[25] = { 1, 1, 1, 1, 1,   1, 1, 0, 0, 0,   1, 0, 1, 1, 0,
                                     1, 0, 1, 1, 0,   1, 0, 0, 0, 1 };
    check(memcmp(a, want, 25) == 0, "block-sparse w=2 g=1 n=5 hand-checked");
}

static void test_linear(void) {
    const int shapes[][3] = { { 1, 1, 1 }, { 3, 2, 5 }, { 17, 7, 3 }, { 64, 16, 16 }, { 101, 33, 9 }, { 200, 64, 64 } };
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        int n = shapes[s][0], dk = shapes[s][1], dv = shapes[s][2];
        size_t nk = (size_t)n * dk, nv = (size_t)n * dv, nn = (size_t)n * n;
        float *q = malloc(nk * 4), *k = malloc(nk * 4), *v = malloc(nv * 4), *out = malloc(nv * 4);
        float *w = malloc(nn * 4);
        double *want = malloc(nv * 8), *wwant = malloc(nn * 8);
        size_t floats = attn_linear_scratch_floats(dk, dv);
        float *scratch = malloc(floats * 4);
        fill(q, nk, 2); fill(k, nk, 2); fill(v, nv, 1);
        for (int causal = 0; causal <= 1; causal++) {
            int rc = attn_linear(out, w, q, k, v, n, dk, dv, causal, scratch, floats);
            ref_linear(want, wwant, q, k, v, n, dk, dv, causal);
            char label[96];
            snprintf(label, sizeof label, "linear n=%d dk=%d dv=%d causal=%d output", n, dk, dv, causal);
            check(rc == ATTN_OK, "%s: status %d", label, rc);
            check_close(out, want, nv, 1e-5, label);
            snprintf(label, sizeof label, "linear n=%d dk=%d dv=%d causal=%d weights", n, dk, dv, causal);
            check_close(w, wwant, nn, 1e-5, label);
            // without weights the output is the same
            float *out2 = malloc(nv * 4);
            rc = attn_linear(out2, NULL, q, k, v, n, dk, dv, causal, scratch, floats);
            check(rc == ATTN_OK && memcmp(out, out2, nv * 4) == 0, "linear without weights: same output");
            free(out2);
        }
        free(q); free(k); free(v); free(out); free(w); free(want); free(wwant); free(scratch);
    }
}

// ---------------------------------------------------------------------------------------
// Helpers and errors

static void test_helpers(void) {
    float a[100], b[100], c[100];
    check(attn_fill_random(a, 100, 5) == ATTN_OK && attn_fill_random(b, 100, 5) == ATTN_OK &&
          attn_fill_random(c, 100, 6) == ATTN_OK, "fill_random status");
    int in_range = 1;
    for (int i = 0; i < 100; i++) in_range &= a[i] >= -1.0f && a[i] < 1.0f;
    check(in_range && memcmp(a, b, sizeof a) == 0 && memcmp(a, c, sizeof a) != 0,
          "fill_random: in [-1,1), same seed same numbers, other seed other numbers");
    // xorshift32 from seed 1: state 270369 -> (270369 >> 8) / 2^23 - 1
    attn_fill_random(a, 1, 0);
    const double first = (270369u >> 8) / 8388608.0 - 1.0;
    check_close(a, &first, 1, 1e-7, "fill_random: seed 0 is seed 1, first value");

    float vals[4] = { 16, 160, 1600, 16384 }, pos[4];
    check(attn_log_positions(pos, vals, 4, 16, 16384) == ATTN_OK, "log_positions status");
    const double want[4] = { 0, 1 / log10(1024.0), 2 / log10(1024.0), 1 };
    check_close(pos, want, 4, 1e-6, "log_positions on 16..16384");
    vals[1] = 0;
    check(attn_log_positions(pos, vals, 4, 16, 16384) == ATTN_ERR_NONFINITE, "log_positions: 0 value");
    check(attn_log_positions(pos, vals, 4, 16, 16) == ATTN_ERR_RANGE, "log_positions: lo == hi");
}

static void test_errors(void) {
    float q[12], k[12], v[12], out[12], scratch[64];
    fill(q, 12, 1); fill(k, 12, 1); fill(v, 12, 1);
    attn_options opt = attn_default_options();
    check(attn_head_streaming(NULL, q, k, v, 4, 3, 3, &opt, 0, 4, NULL) == ATTN_ERR_NULL, "streaming NULL out");
    check(attn_head_streaming(out, q, NULL, v, 4, 3, 3, &opt, 0, 4, NULL) == ATTN_ERR_NULL, "streaming NULL k");
    check(attn_head_streaming(out, q, k, v, 0, 3, 3, &opt, 0, 0, NULL) == ATTN_ERR_SIZE, "streaming n = 0");
    check(attn_head_streaming(out, q, k, v, 4, 0, 3, &opt, 0, 4, NULL) == ATTN_ERR_SIZE, "streaming d_k = 0");
    check(attn_head_streaming(out, q, k, v, 4, 3, -1, &opt, 0, 4, NULL) == ATTN_ERR_SIZE, "streaming d_v < 0");
    check(attn_head_streaming(out, q, k, v, 1 << 30, 4, 4, &opt, 0, 4, NULL) == ATTN_ERR_OVERFLOW, "streaming n*d overflow");
    check(attn_head_streaming(out, q, k, v, 4, 3, 3, &opt, 2, 2, NULL) == ATTN_ERR_INDEX, "streaming empty range");
    check(attn_head_streaming(out, q, k, v, 4, 3, 3, &opt, -1, 2, NULL) == ATTN_ERR_INDEX, "streaming begin < 0");
    check(attn_head_streaming(out, q, k, v, 4, 3, 3, &opt, 0, 5, NULL) == ATTN_ERR_INDEX, "streaming end > n");
    opt.temperature = 0;
    check(attn_head_streaming(out, q, k, v, 4, 3, 3, &opt, 0, 4, NULL) == ATTN_ERR_TEMPERATURE, "streaming T = 0");
    opt = attn_default_options(); opt.mask = ATTN_MASK_WINDOW; opt.window = 0;
    check(attn_head_streaming(out, q, k, v, 4, 3, 3, &opt, 0, 4, NULL) == ATTN_ERR_MASK, "streaming window 0");
    opt = attn_default_options(); opt.mask = ATTN_MASK_BLOCK_SPARSE; opt.window = 2; opt.globals = -1;
    check(attn_head_streaming(out, q, k, v, 4, 3, 3, &opt, 0, 4, NULL) == ATTN_ERR_MASK, "streaming globals < 0");
    opt = attn_default_options(); opt.mask = ATTN_MASK_EXPLICIT;
    check(attn_head_streaming(out, q, k, v, 4, 3, 3, &opt, 0, 4, NULL) == ATTN_ERR_MASK, "streaming explicit without mask");
    opt = attn_default_options(); opt.scale = -1;
    check(attn_head_streaming(out, q, k, v, 4, 3, 3, &opt, 0, 4, NULL) == ATTN_ERR_SCALE, "streaming scale < 0");
    opt = attn_default_options();
    q[5] = NAN;
    check(attn_head_streaming(out, q, k, v, 4, 3, 3, &opt, 0, 4, NULL) == ATTN_ERR_NONFINITE, "streaming NaN in q");
    q[5] = 0.5f; v[11] = INFINITY;
    check(attn_head_streaming(out, q, k, v, 4, 3, 3, &opt, 0, 4, NULL) == ATTN_ERR_NONFINITE, "streaming inf in v");
    v[11] = 0.5f; q[0] = 1e30f; k[0] = 1e30f;
    check(attn_head_streaming(out, q, k, v, 4, 3, 3, &opt, 0, 4, NULL) == ATTN_ERR_NONFINITE, "streaming score overflow");
    q[0] = k[0] = 0.5f;

    size_t floats = attn_linear_scratch_floats(3, 3);
    check(floats == 9 + 6, "linear scratch for 3x3: %zu", floats);
    check(attn_linear_scratch_floats(0, 3) == 0 && attn_linear_scratch_floats(1 << 20, 1 << 20) == 0,
          "linear scratch 0 for bad shapes");
    check(attn_linear(NULL, NULL, q, k, v, 4, 3, 3, 0, scratch, floats) == ATTN_ERR_NULL, "linear NULL out");
    check(attn_linear(out, NULL, q, k, v, 4, 3, 3, 0, NULL, floats) == ATTN_ERR_NULL, "linear NULL scratch");
    check(attn_linear(out, NULL, q, k, v, 0, 3, 3, 0, scratch, floats) == ATTN_ERR_SIZE, "linear n = 0");
    check(attn_linear(out, NULL, q, k, v, 4, 3, 3, 0, scratch, floats - 1) == ATTN_ERR_SCRATCH, "linear scratch short");
    k[2] = NAN;
    check(attn_linear(out, NULL, q, k, v, 4, 3, 3, 1, scratch, floats) == ATTN_ERR_NONFINITE, "linear NaN in k");
    k[2] = 0.5f;
    check(attn_linear(out, NULL, q, k, v, 4, 3, 3, 1, scratch, floats) == ATTN_OK, "linear ok after the fixes");

    check(attn_fill_random(NULL, 3, 1) == ATTN_ERR_NULL && attn_fill_random(out, 0, 1) == ATTN_ERR_SIZE,
          "fill_random errors");
    check(attn_log_positions(out, NULL, 3, 1, 10) == ATTN_ERR_NULL && attn_log_positions(out, q, 0, 1, 10) == ATTN_ERR_SIZE &&
          attn_log_positions(out, v, 3, -1, 10) == ATTN_ERR_RANGE, "log_positions errors");
}

// The block kernels the streaming path is built from (here their native, plain-C form; the
// WASM SIMD form is checked by tests/wasm/long.test.js): exp to ~1e-7 relative over the
// softmax's range, 0 below -87.3 and for -inf; dots and the rescaling GEMM on odd shapes.
static void test_block_kernels(void) {
    enum { N = 20001 };
    static float x[N];
    for (int i = 0; i < N; i++) x[i] = -87.0f * (float)i / (N - 1);
    float sum = attn__blk_exp_shift(x, N, 0.0f, 1.0f);
    double worst = 0, want_sum = 0;
    for (int i = 0; i < N; i++) {
        double arg = (double)(-87.0f * (float)i / (N - 1)), want = exp(arg);
        want_sum += want;
        double rel = fabs(x[i] - want) / want;
        if (!(rel <= worst)) worst = rel;
    }
    check(worst <= 3e-7, "exp over [-87, 0]: worst relative error %.3g", worst);
    check(fabs(sum - want_sum) <= 1e-5 * want_sum, "exp: the returned sum %.7g vs %.7g", (double)sum, want_sum);
    float far[6] = { -100.0f, -1e30f, -INFINITY, -88.0f, 2.0f, 1.5f };
    attn__blk_exp_shift(far, 6, 2.0f, 0.5f);   // (x - 2) / 0.5
    check(far[0] == 0 && far[1] == 0 && far[2] == 0 && far[3] == 0 && far[4] == 1.0f &&
          fabs(far[5] - exp(-1.0)) < 1e-7, "exp: far below -> 0, -inf -> 0, shift -> 1, temperature");
    float tiny[3] = { 1.0f, 1.0f - 1e-6f, -5.0f };   // subnormal temperature: 1/t is inf
    float tsum = attn__blk_exp_shift(tiny, 3, 1.0f, 1e-40f);
    check(tsum == 1.0f && tiny[0] == 1.0f && tiny[1] == 0.0f && tiny[2] == 0.0f,
          "exp: subnormal temperature gives one-hot, not NaN (%g %g %g)", (double)tiny[0], (double)tiny[1], (double)tiny[2]);

    float q[7 * 9], k[5 * 9], s[7 * 5], b[9 * 11], o[7 * 11], f[7];
    fill(q, sizeof q / 4, 1); fill(k, sizeof k / 4, 1); fill(b, sizeof b / 4, 1); fill(o, sizeof o / 4, 1);
    fill(f, 7, 1);
    double sw[7 * 5], ow[7 * 11];
    for (int r = 0; r < 7; r++) {
        for (int c = 0; c < 5; c++) {
            double t = 0;
            for (int p = 0; p < 9; p++) t += (double)q[r * 9 + p] * k[c * 9 + p];
            sw[r * 5 + c] = t;
        }
        for (int c = 0; c < 11; c++) {
            double t = (double)f[r] * o[r * 11 + c];
            for (int p = 0; p < 9; p++) t += (double)q[r * 9 + p] * b[p * 11 + c];
            ow[r * 11 + c] = t;
        }
    }
    // softmax_rows natively runs the page's kernels (the block exp and its scaling), so the
    // sanitizers and fuzzers cover them: bit for bit what the block kernels give
    float row[37], mine[37], got[37];
    fill(row, 37, 6);
    memcpy(mine, row, sizeof row);
    float max = row[0];
    for (int j = 1; j < 37; j++) max = row[j] > max ? row[j] : max;
    attn__scale_by(mine, 37, 1.0f / attn__blk_exp_shift(mine, 37, max, 0.8f));
    check(attn_softmax_rows(got, row, 1, 37, 0.8f, NULL) == ATTN_OK && memcmp(got, mine, sizeof got) == 0,
          "softmax_rows is the block exp and scale, bit for bit");

    attn__blk_dots(s, 5, q, 9, 7, k, 9, 5, 9);
    check_close(s, sw, 35, 1e-6, "block dots 7x5, d = 9");
    attn__blk_gemm(o, 11, q, 9, b, 11, 7, 9, 11, f);
    check_close(o, ow, 77, 1e-6, "block gemm 7x11, k = 9, rows rescaled first");
}

int main(void) {
    test_block_kernels();
    test_streaming_random();
    test_streaming_explicit();
    test_streaming_extremes();
    test_block_sparse_mask();
    test_linear();
    test_helpers();
    test_errors();
    return check_summary("test_long");
}

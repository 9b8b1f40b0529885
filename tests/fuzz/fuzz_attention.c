/* fuzz_attention.c - libFuzzer target: the attention API on fuzzer-chosen shapes (n <= 64,
   d <= 32, 1..4 heads), masks, scales, temperatures and float bit patterns.
   Invariant: a call returns an error (with a message), or every output is finite and every
   row the mask leaves open sums to 1. Invalid options or sizes must be errors. Every buffer
   is an exact-size heap block, so ASan catches a read or write outside it. */
#include "fuzz_input.h"

static void free_options(fuzz_options *f) { free(f->allowed); }

// attn_head with every trace buffer or some of them.
static void fuzz_head(fuzz_input *in) {
    int bad = 0;
    int n = fuzz_size(in, 64, &bad), d_k = fuzz_size(in, 32, &bad), d_v = fuzz_size(in, 32, &bad);
    uint8_t flags = fuzz_byte(in);
    int mode = fuzz_byte(in) % FUZZ_FLOAT_MODES;
    fuzz_options f = fuzz_read_options(in, n);
    if (bad) {   // buffers of one float: the core must reject the size before reading them
        float one[1] = { 0 }, w[1];
        attn_trace tr = { .weights = w };
        int rc = attn_head(one, &tr, one, one, one, n, d_k, d_v, &f.opt);
        fuzz_check_status(rc, "attn_head");
        if (rc == ATTN_OK) FUZZ_FAIL("attn_head accepted n=%d d_k=%d d_v=%d", n, d_k, d_v);
        free_options(&f);
        return;
    }
    size_t nn = (size_t)n * n;
    float *q = fuzz_floats(in, (size_t)n * d_k, mode), *k = fuzz_floats(in, (size_t)n * d_k, mode);
    float *v = fuzz_floats(in, (size_t)n * d_v, fuzz_byte(in) & 0x80 ? FUZZ_FLOATS_HUGE : mode);
    float *out = flags & 1 ? malloc((size_t)n * d_v * sizeof *out) : NULL;
    attn_trace tr = {
        .raw = flags & 2 ? malloc(nn * sizeof(float)) : NULL,
        .scaled = flags & 4 ? malloc(nn * sizeof(float)) : NULL,
        .masked = flags & 8 ? malloc(nn * sizeof(float)) : NULL,
        .weights = malloc(nn * sizeof(float)),
    };
    int rc = attn_head(out, &tr, q, k, out ? v : (flags & 16 ? NULL : v), n, d_k, d_v, &f.opt);
    fuzz_check_status(rc, "attn_head");
    if (!f.valid && rc == ATTN_OK) FUZZ_FAIL("attn_head accepted invalid options");
    if (rc == ATTN_OK) {
        if (tr.raw) fuzz_check_finite(tr.raw, nn, "raw");
        if (tr.scaled) fuzz_check_finite(tr.scaled, nn, "scaled");
        if (tr.masked)
            for (size_t i = 0; i < nn; i++)
                if (!isfinite(tr.masked[i]) && tr.masked[i] != -INFINITY)
                    FUZZ_FAIL("masked[%zu] = %g", i, (double)tr.masked[i]);
        int blocked = fuzz_check_weights(tr.weights, n, n, &f.opt, "attn_head weights");
        if (blocked != tr.blocked_rows)
            FUZZ_FAIL("attn_head reported %d blocked rows, the mask blocks %d", tr.blocked_rows, blocked);
        if (out) fuzz_check_finite(out, (size_t)n * d_v, "attn_head out");
    }
    free(q); free(k); free(v); free(out);
    free(tr.raw); free(tr.scaled); free(tr.masked); free(tr.weights);
    free_options(&f);
}

// attn_layer: projections, heads, concat and an optional output projection.
static void fuzz_layer(fuzz_input *in) {
    int bad = 0;
    int n = fuzz_size(in, 64, &bad);
    attn_layer_weights w = { 0 };
    w.d_model = fuzz_size(in, 32, &bad);
    w.n_heads = fuzz_size(in, 4, &bad);
    w.d_head = fuzz_size(in, 32, &bad);
    int bad_d_out = 0;
    w.d_out = fuzz_size(in, 32, &bad_d_out);
    uint8_t flags = fuzz_byte(in);
    int mode = fuzz_byte(in) % FUZZ_FLOAT_MODES;
    fuzz_options f = fuzz_read_options(in, n);
    int has_wo = flags & 1;
    if (bad || (bad_d_out && has_wo)) {   // d_out is ignored without w_o
        float one[1] = { 0 }, scratch[1];
        w.w_q = w.w_k = w.w_v = one;
        w.w_o = has_wo ? one : NULL;
        size_t need = attn_layer_scratch_floats(n, &w);
        if (need != 0) FUZZ_FAIL("attn_layer_scratch_floats gave %zu for an invalid shape", need);
        int rc = attn_layer(one, NULL, one, n, &w, &f.opt, scratch, 1);
        fuzz_check_status(rc, "attn_layer");
        if (rc == ATTN_OK) FUZZ_FAIL("attn_layer accepted an invalid shape");
        free_options(&f);
        return;
    }
    const size_t wsize = (size_t)w.n_heads * w.d_model * w.d_head, width = (size_t)w.n_heads * w.d_head;
    const size_t nn = (size_t)n * n, hd = (size_t)w.n_heads * n * w.d_head;
    float *x = fuzz_floats(in, (size_t)n * w.d_model, mode);
    float *wq = fuzz_floats(in, wsize, mode), *wk = fuzz_floats(in, wsize, mode), *wv = fuzz_floats(in, wsize, mode);
    float *wo = has_wo ? fuzz_floats(in, width * w.d_out, mode) : NULL;
    w.w_q = wq; w.w_k = wk; w.w_v = wv; w.w_o = wo;
    const size_t out_width = has_wo ? (size_t)w.d_out : width;
    size_t need = attn_layer_scratch_floats(n, &w);
    if (need == 0) FUZZ_FAIL("attn_layer_scratch_floats is 0 for a valid shape");
    // now and then one float too little: must be ATTN_ERR_SCRATCH, not a write past the end
    size_t given = flags & 2 ? need - 1 : need;
    float *scratch = malloc((given ? given : 1) * sizeof *scratch);
    float *out = flags & 4 ? malloc((size_t)n * out_width * sizeof *out) : NULL;
    attn_trace tr = {
        .q = flags & 8 ? malloc(hd * sizeof(float)) : NULL,
        .k = flags & 8 ? malloc(hd * sizeof(float)) : NULL,
        .v = flags & 8 ? malloc(hd * sizeof(float)) : NULL,
        .raw = flags & 16 ? malloc(w.n_heads * nn * sizeof(float)) : NULL,
        .scaled = flags & 16 ? malloc(w.n_heads * nn * sizeof(float)) : NULL,
        .masked = flags & 16 ? malloc(w.n_heads * nn * sizeof(float)) : NULL,
        .weights = flags & 32 ? malloc(w.n_heads * nn * sizeof(float)) : NULL,
        .head_out = flags & 64 ? malloc(hd * sizeof(float)) : NULL,
        .concat = flags & 128 ? malloc((size_t)n * width * sizeof(float)) : NULL,
    };
    int rc = attn_layer(out, &tr, x, n, &w, &f.opt, scratch, given);
    fuzz_check_status(rc, "attn_layer");
    if (!f.valid && rc == ATTN_OK) FUZZ_FAIL("attn_layer accepted invalid options");
    if (given < need && rc == ATTN_OK)
        FUZZ_FAIL("attn_layer accepted %zu scratch floats, needs %zu", given, need);
    if (rc == ATTN_OK) {
        if (tr.q) { fuzz_check_finite(tr.q, hd, "q"); fuzz_check_finite(tr.k, hd, "k"); fuzz_check_finite(tr.v, hd, "v"); }
        if (tr.raw) { fuzz_check_finite(tr.raw, w.n_heads * nn, "raw"); fuzz_check_finite(tr.scaled, w.n_heads * nn, "scaled"); }
        if (tr.weights) {
            int blocked = fuzz_check_weights(tr.weights, w.n_heads * n, n, &f.opt, "attn_layer weights");
            if (blocked != tr.blocked_rows)
                FUZZ_FAIL("attn_layer reported %d blocked rows, the mask blocks %d", tr.blocked_rows, blocked);
        }
        if (tr.head_out) fuzz_check_finite(tr.head_out, hd, "head_out");
        if (tr.concat) fuzz_check_finite(tr.concat, (size_t)n * width, "concat");
        if (out) fuzz_check_finite(out, (size_t)n * out_width, "attn_layer out");
    }
    free(x); free(wq); free(wk); free(wv); free(wo); free(scratch); free(out);
    free(tr.q); free(tr.k); free(tr.v); free(tr.raw); free(tr.scaled); free(tr.masked);
    free(tr.weights); free(tr.head_out); free(tr.concat);
    free_options(&f);
}

// attn_softmax_rows on anything, -inf and +inf included, in place or not.
static void fuzz_softmax(fuzz_input *in) {
    int bad = 0;
    int rows = fuzz_size(in, 64, &bad), cols = fuzz_size(in, 64, &bad);
    uint8_t flags = fuzz_byte(in);
    float t = fuzz_temperature(in);
    int mode = fuzz_byte(in) % FUZZ_FLOAT_MODES;
    if (bad) {
        float one[1] = { 0 };
        int rc = attn_softmax_rows(one, one, rows, cols, t, NULL);
        fuzz_check_status(rc, "attn_softmax_rows");
        if (rc == ATTN_OK) FUZZ_FAIL("attn_softmax_rows accepted rows=%d cols=%d", rows, cols);
        return;
    }
    size_t count = (size_t)rows * cols;
    float *x = fuzz_floats(in, count, mode);
    if (flags & 1)   // block some entries with -inf, the way a mask does
        for (size_t i = 0; i < count; i++)
            if (fuzz_byte(in) & 1) x[i] = -INFINITY;
    float *copy = malloc(count * sizeof *copy);
    memcpy(copy, x, count * sizeof *copy);
    float *out = flags & 2 ? x : malloc(count * sizeof *out);
    int blocked = -1;
    int rc = attn_softmax_rows(out, x, rows, cols, t, flags & 4 ? NULL : &blocked);
    fuzz_check_status(rc, "attn_softmax_rows");
    int t_ok = isfinite(t) && t > 0.0f, has_nan = 0;
    for (size_t i = 0; i < count; i++) has_nan |= isnan(copy[i]);
    if ((!t_ok || has_nan) && rc == ATTN_OK) FUZZ_FAIL("attn_softmax_rows accepted t=%g / NaN input", (double)t);
    if (rc == ATTN_OK) {
        int want_blocked = 0;
        for (int r = 0; r < rows; r++) {
            const float *src = copy + (size_t)r * cols, *row = out + (size_t)r * cols;
            int open = 0, tops = 0;
            double sum = 0.0;
            for (int j = 0; j < cols; j++) {
                open |= src[j] != -INFINITY;
                tops += src[j] == INFINITY;
                if (!(row[j] >= 0.0f && row[j] <= 1.0f + 1e-5f)) FUZZ_FAIL("softmax [%d][%d] = %g", r, j, (double)row[j]);
                if (src[j] == -INFINITY && row[j] != 0.0f) FUZZ_FAIL("softmax [%d][%d]: blocked entry got weight", r, j);
                sum += row[j];
            }
            if (!open) {
                want_blocked++;
                if (sum != 0.0) FUZZ_FAIL("softmax row %d: fully blocked but sums to %g", r, sum);
            } else if (fabs(sum - 1.0) > 1e-4) {
                FUZZ_FAIL("softmax row %d sums to %.9g", r, sum);
            }
            if (tops > 0)   // +inf entries share the row equally
                for (int j = 0; j < cols; j++)
                    if ((src[j] == INFINITY) != (row[j] > 0.0f))
                        FUZZ_FAIL("softmax row %d: +inf entries must take the whole weight", r);
        }
        if (!(flags & 4) && blocked != want_blocked)
            FUZZ_FAIL("softmax reported %d blocked rows, want %d", blocked, want_blocked);
    }
    if (out != x) free(out);
    free(x); free(copy);
}

// attn_head_streaming on a row range; rows outside the range must stay untouched.
static void fuzz_streaming(fuzz_input *in) {
    int bad = 0;
    int n = fuzz_size(in, 64, &bad), d_k = fuzz_size(in, 32, &bad), d_v = fuzz_size(in, 32, &bad);
    int mode = fuzz_byte(in) % FUZZ_FLOAT_MODES;
    fuzz_options f = fuzz_read_options(in, n);
    int row_begin = (int)fuzz_byte(in) % 70 - 2, row_end = (int)fuzz_byte(in) % 70 - 2;
    if (fuzz_byte(in) & 1) { row_begin = 0; row_end = n; }   // the common whole-range call
    if (bad) {
        float one[1] = { 0 };
        int rc = attn_head_streaming(one, one, one, one, n, d_k, d_v, &f.opt, 0, 1, NULL);
        fuzz_check_status(rc, "attn_head_streaming");
        if (rc == ATTN_OK) FUZZ_FAIL("attn_head_streaming accepted n=%d d_k=%d d_v=%d", n, d_k, d_v);
        free_options(&f);
        return;
    }
    float *q = fuzz_floats(in, (size_t)n * d_k, mode), *k = fuzz_floats(in, (size_t)n * d_k, mode);
    float *v = fuzz_floats(in, (size_t)n * d_v, fuzz_byte(in) & 0x80 ? FUZZ_FLOATS_HUGE : mode);
    size_t nv = (size_t)n * d_v;
    float *out = malloc(nv * sizeof *out);
    const float sentinel = 12345.0f;
    for (size_t i = 0; i < nv; i++) out[i] = sentinel;
    int blocked = -1;
    int rc = attn_head_streaming(out, q, k, v, n, d_k, d_v, &f.opt, row_begin, row_end, &blocked);
    fuzz_check_status(rc, "attn_head_streaming");
    int range_ok = row_begin >= 0 && row_end <= n && row_begin < row_end;
    if ((!f.valid || !range_ok) && rc == ATTN_OK) FUZZ_FAIL("attn_head_streaming accepted invalid options/range");
    if (rc == ATTN_OK) {
        int want_blocked = 0;
        for (int i = 0; i < n; i++) {
            const float *row = out + (size_t)i * d_v;
            if (i < row_begin || i >= row_end) {
                for (int c = 0; c < d_v; c++)
                    if (row[c] != sentinel) FUZZ_FAIL("streaming wrote row %d outside [%d, %d)", i, row_begin, row_end);
                continue;
            }
            fuzz_check_finite(row, (size_t)d_v, "attn_head_streaming out");
            if (fuzz_row_blocked(&f.opt, n, i)) {
                want_blocked++;
                for (int c = 0; c < d_v; c++)
                    if (row[c] != 0.0f) FUZZ_FAIL("streaming: fully masked row %d is not 0", i);
            }
        }
        if (blocked != want_blocked) FUZZ_FAIL("streaming reported %d blocked rows, want %d", blocked, want_blocked);
    }
    free(q); free(k); free(v); free(out);
    free_options(&f);
}

// attn_linear, causal or not, with and without the weights for display.
static void fuzz_linear(fuzz_input *in) {
    int bad = 0;
    int n = fuzz_size(in, 64, &bad), d_k = fuzz_size(in, 32, &bad), d_v = fuzz_size(in, 32, &bad);
    uint8_t flags = fuzz_byte(in);
    int mode = fuzz_byte(in) % FUZZ_FLOAT_MODES, causal = flags & 1;
    if (bad) {
        float one[1] = { 0 };
        int rc = attn_linear(one, one, one, one, one, n, d_k, d_v, causal, one, 1);
        fuzz_check_status(rc, "attn_linear");
        if (rc == ATTN_OK) FUZZ_FAIL("attn_linear accepted n=%d d_k=%d d_v=%d", n, d_k, d_v);
        size_t s = attn_linear_scratch_floats(d_k, d_v);
        int shape_bad = d_k <= 0 || d_v <= 0 || d_k == INT_MAX || d_v == INT_MAX;
        if (shape_bad ? s != 0 : s == 0) FUZZ_FAIL("attn_linear_scratch_floats(%d, %d) = %zu", d_k, d_v, s);
        return;
    }
    float *q = fuzz_floats(in, (size_t)n * d_k, mode), *k = fuzz_floats(in, (size_t)n * d_k, mode);
    float *v = fuzz_floats(in, (size_t)n * d_v, fuzz_byte(in) & 0x80 ? FUZZ_FLOATS_HUGE : mode);
    size_t need = attn_linear_scratch_floats(d_k, d_v), given = flags & 2 ? need - 1 : need;
    float *scratch = malloc(given * sizeof *scratch);
    float *out = malloc((size_t)n * d_v * sizeof *out);
    float *weights = flags & 4 ? malloc((size_t)n * n * sizeof *weights) : NULL;
    int rc = attn_linear(out, weights, q, k, v, n, d_k, d_v, causal, scratch, given);
    fuzz_check_status(rc, "attn_linear");
    if (given < need && rc == ATTN_OK) FUZZ_FAIL("attn_linear accepted a short scratch");
    if (rc == ATTN_OK) {
        fuzz_check_finite(out, (size_t)n * d_v, "attn_linear out");
        if (weights) {
            attn_options causal_mask = attn_default_options();
            causal_mask.mask = ATTN_MASK_CAUSAL;
            fuzz_check_weights(weights, n, n, causal ? &causal_mask : NULL, "attn_linear weights");
        }
    }
    free(q); free(k); free(v); free(scratch); free(out); free(weights);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_input in = { data, size, 0 };
    switch (fuzz_byte(&in) % 5) {
    case 0: fuzz_head(&in); break;
    case 1: fuzz_layer(&in); break;
    case 2: fuzz_softmax(&in); break;
    case 3: fuzz_streaming(&in); break;
    default: fuzz_linear(&in); break;
    }
    return 0;
}

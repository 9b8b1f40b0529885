/* attn_kernels.c - scaled dot-product and multi-head attention, step by step.
   Portable C11 on caller-owned buffers; see attn.h for every contract. The heavy loops
   (matmul, Q·Kᵀ, scale, softmax) run the block kernels of attn_simd.h: WASM SIMD on the page,
   their plain C twins natively, so the native tests and fuzzers exercise the same code. */
#include "attn.h"
#include "attn_checks.h"
#include "attn_simd.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

// ---------------------------------------------------------------------------------------
// Status messages

const char *attn_strerror(int status) {
    switch (status) {
    case ATTN_OK:              return "ok";
    case ATTN_ERR_NULL:        return "a required buffer is missing (NULL pointer)";
    case ATTN_ERR_SIZE:        return "a size is zero or negative";
    case ATTN_ERR_OVERFLOW:    return "the input is too large: its buffers would not fit in memory";
    case ATTN_ERR_TEMPERATURE: return "temperature must be a finite number greater than 0";
    case ATTN_ERR_SCALE:       return "scale must be a finite number greater than 0 (attention options may give 0, meaning 1/sqrt(d))";
    case ATTN_ERR_MASK:        return "unknown mask, a sliding window narrower than 1, or a missing explicit mask";
    case ATTN_ERR_NONFINITE:   return "the numbers include NaN or infinity, or are too large to multiply";
    case ATTN_ERR_SCRATCH:     return "the scratch or output buffer is too small";
    case ATTN_ERR_EMPTY:       return "the text has no words in it";
    case ATTN_ERR_CONFIG:      return "the model configuration is invalid (a size below 1, or heads that do not divide d_model)";
    case ATTN_ERR_STATE:       return "the activations do not hold a forward pass of this shape (run attn_gpt_forward first, without ablation), or the KV cache was not made for this model";
    case ATTN_ERR_INDEX:       return "an index (head, token, dimension or row) is out of range";
    case ATTN_ERR_KERNEL:      return "unknown kernel: use full, streaming, window or linear";
    case ATTN_ERR_RANGE:       return "a plot bound or value is out of range (log axes need finite values above 0, and two different bounds)";
    case ATTN_ERR_FORMAT:      return "not a weight file (wrong magic number, header size or storage format)";
    case ATTN_ERR_VERSION:     return "the weight file has a version this core cannot read";
    case ATTN_ERR_TRUNCATED:   return "the weight file is truncated (it ends before its header or data)";
    case ATTN_ERR_PAYLOAD:     return "the weight file's data size does not match its model shape";
    case ATTN_ERR_CHECKSUM:    return "the weight file is corrupted (checksum mismatch)";
    case ATTN_ERR_VOCAB:       return "the vocabulary is malformed (empty, an empty line, or no <unk>)";
    case ATTN_ERR_CONTEXT:     return "the model's context is full: it has no position left for another token";
    default:                   return "unknown error";
    }
}

attn_options attn_default_options(void) {
    attn_options opt = { 0.0f, 1.0f, ATTN_MASK_NONE, 0, NULL, 0 };
    return opt;
}

int attn_clamp_temperature(double *out, double t) {
    if (!out) return ATTN_ERR_NULL;
    if (!isfinite(t) || t <= 0.0) { *out = ATTN_TEMPERATURE_DEFAULT; return ATTN_CLAMP_INVALID; }
    if (t < ATTN_TEMPERATURE_MIN) { *out = ATTN_TEMPERATURE_MIN; return ATTN_CLAMP_LOW; }
    if (t > ATTN_TEMPERATURE_MAX) { *out = ATTN_TEMPERATURE_MAX; return ATTN_CLAMP_HIGH; }
    *out = t;
    return ATTN_CLAMP_NONE;
}

// ---------------------------------------------------------------------------------------
// The steps

int attn_matmul(float *out, const float *a, const float *b, int n, int k, int m) {
    size_t na, nb, no;
    int rc;
    if (!out || !a || !b) return ATTN_ERR_NULL;
    if ((rc = attn__checked_count(&na, n, k)) || (rc = attn__checked_count(&nb, k, m)) ||
        (rc = attn__checked_count(&no, n, m))) return rc;
    if (!attn__all_finite(a, na) || !attn__all_finite(b, nb)) return ATTN_ERR_NONFINITE;
    attn__blk_gemm(out, (size_t)m, a, (size_t)k, b, (size_t)m, n, k, m, NULL);
    return attn__all_finite(out, no) ? ATTN_OK : ATTN_ERR_NONFINITE;
}

// scores (rows, n) = q's rows (rows, d) · k (n, d)ᵀ, in tiles of 64 query rows x 256 keys so
// the keys in use stay in cache. Returns 0 when a dot product overflowed (1e30 * 1e30).
static int score_rows(float *scores, const float *q, int rows, const float *k, int n, int d) {
    for (int i0 = 0; i0 < rows; i0 += 64)
        for (int j0 = 0; j0 < n; j0 += 256)
            attn__blk_dots(scores + (size_t)i0 * n + j0, (size_t)n, q + (size_t)i0 * d, (size_t)d,
                           rows - i0 < 64 ? rows - i0 : 64, k + (size_t)j0 * d, (size_t)d,
                           n - j0 < 256 ? n - j0 : 256, d);
    return attn__all_finite(scores, (size_t)rows * n);
}

int attn_scores(float *scores, const float *q, const float *k, int n, int d) {
    size_t nd, nn;
    int rc;
    if (!scores || !q || !k) return ATTN_ERR_NULL;
    if ((rc = attn__checked_count(&nd, n, d)) || (rc = attn__checked_count(&nn, n, n))) return rc;
    if (!attn__all_finite(q, nd) || !attn__all_finite(k, nd)) return ATTN_ERR_NONFINITE;
    return score_rows(scores, q, n, k, n, d) ? ATTN_OK : ATTN_ERR_NONFINITE;
}

int attn_scale(float *out, const float *in, size_t count, float scale) {
    if (!out || !in) return ATTN_ERR_NULL;
    if (count == 0) return ATTN_ERR_SIZE;
    if (!isfinite(scale) || scale <= 0.0f) return ATTN_ERR_SCALE;
    // 4 at a time while every product is finite; a chunk with inf or NaN goes to the loop below
    size_t i = attn__scale_finite(out, in, count, scale);
    for (; i < count; i++) {
        float x = in[i] * scale;
        if (isnan(x) || (isinf(x) && !isinf(in[i]))) return ATTN_ERR_NONFINITE;
        out[i] = x;
    }
    return ATTN_OK;
}

int attn_mask_fill(unsigned char *allowed, int n, const attn_options *opt) {
    size_t nn;
    int rc;
    if (!allowed || !opt) return ATTN_ERR_NULL;
    if ((rc = attn__checked_count(&nn, n, n)) || (rc = attn__check_options(opt))) return rc;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            allowed[(size_t)i * n + j] = (unsigned char)attn__mask_allows(opt, n, i, j);
    return ATTN_OK;
}

int attn_mask_apply(float *scores, int n, const attn_options *opt) {
    size_t nn;
    int rc;
    if (!scores || !opt) return ATTN_ERR_NULL;
    if ((rc = attn__checked_count(&nn, n, n)) || (rc = attn__check_options(opt))) return rc;
    if (opt->mask == ATTN_MASK_NONE) return ATTN_OK;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (!attn__mask_allows(opt, n, i, j)) scores[(size_t)i * n + j] = -INFINITY;
    return ATTN_OK;
}

// One row: out = softmax(in / t). Returns 1 when nothing in the row is allowed.
static int softmax_row(float *out, const float *in, int cols, float t) {
    // find max value (for numerical stability); -inf entries are blocked
    const float max = attn__row_max(in, cols);
    if (max == -INFINITY) {
        for (int j = 0; j < cols; j++) out[j] = 0.0f;
        return 1;
    }
    if (max == INFINITY) {
        // the limit of softmax: the +inf entries share the whole weight
        int tops = 0;
        for (int j = 0; j < cols; j++) tops += in[j] == INFINITY;
        for (int j = 0; j < cols; j++) out[j] = in[j] == INFINITY ? 1.0f / (float)tops : 0.0f;
        return 0;
    }
    // (x - max) <= 0, so exp() never overflows; the max entry gives 1, so sum >= 1
    if (out != in) memcpy(out, in, (size_t)cols * sizeof(float));
    attn__scale_by(out, cols, 1.0f / attn__blk_exp_shift(out, cols, max, t));
    return 0;
}

int attn_softmax_rows(float *out, const float *in, int rows, int cols, float temperature,
                      int *blocked_rows) {
    size_t count;
    int rc;
    if (!out || !in) return ATTN_ERR_NULL;
    if ((rc = attn__checked_count(&count, rows, cols)) || (rc = attn__check_temperature(temperature)))
        return rc;
    if (attn__any_nan(in, count)) return ATTN_ERR_NONFINITE;
    int blocked = 0;
    for (int r = 0; r < rows; r++)
        blocked += softmax_row(out + (size_t)r * cols, in + (size_t)r * cols, cols, temperature);
    if (blocked_rows) *blocked_rows = blocked;
    return ATTN_OK;
}

int attn_weighted_sum(float *out, const float *p, const float *v, int n, int d_v) {
    size_t nn, nd;
    int rc;
    if (!out || !p || !v) return ATTN_ERR_NULL;
    if ((rc = attn__checked_count(&nn, n, n)) || (rc = attn__checked_count(&nd, n, d_v))) return rc;
    return attn_matmul(out, p, v, n, n, d_v);
}

int attn_entropy_bits(float *out, const float *p, int rows, int cols) {
    size_t count;
    int rc;
    if (!out || !p) return ATTN_ERR_NULL;
    if ((rc = attn__checked_count(&count, rows, cols))) return rc;
    if (!attn__all_finite(p, count)) return ATTN_ERR_NONFINITE;
    for (int r = 0; r < rows; r++) {
        const float *row = p + (size_t)r * cols;
        double sum = 0.0, h = 0.0;
        for (int j = 0; j < cols; j++) sum += row[j] > 0.0f ? row[j] : 0.0;
        // H = -sum p log2 p over the normalised row; 0 log 0 counts as 0
        for (int j = 0; j < cols && sum > 0.0; j++) {
            double pj = row[j] > 0.0f ? row[j] / sum : 0.0;
            if (pj > 0.0) h -= pj * log2(pj);
        }
        out[r] = (float)h;
    }
    return ATTN_OK;
}

int attn_row_sums(float *out, const float *m, int rows, int cols) {
    size_t count;
    int rc;
    if (!out || !m) return ATTN_ERR_NULL;
    if ((rc = attn__checked_count(&count, rows, cols))) return rc;
    for (int r = 0; r < rows; r++) {
        double sum = 0.0;
        for (int j = 0; j < cols; j++) sum += m[(size_t)r * cols + j];
        out[r] = (float)sum;
    }
    return ATTN_OK;
}

// ---------------------------------------------------------------------------------------
// Whole calls

int attn_head(float *out, attn_trace *trace, const float *q, const float *k, const float *v,
              int n, int d_k, int d_v, const attn_options *opt) {
    attn_options defaults = attn_default_options();
    size_t nn, nd;
    int rc;
    if (!opt) opt = &defaults;
    if (!trace || !trace->weights || !q || !k || (out && !v)) return ATTN_ERR_NULL;
    if ((rc = attn__checked_count(&nn, n, n)) || (rc = attn__checked_count(&nd, n, d_k))) return rc;
    if (out && (rc = attn__checked_count(&nd, n, d_v))) return rc;
    if ((rc = attn__check_options(opt))) return rc;

    // the weights buffer carries each step in turn; copies go to the trace on the way
    float *work = trace->weights;
    if ((rc = attn_scores(work, q, k, n, d_k))) return rc;
    if (trace->raw) memcpy(trace->raw, work, nn * sizeof(float));
    if ((rc = attn_scale(work, work, nn, attn__effective_scale(opt, d_k)))) return rc;
    if (trace->scaled) memcpy(trace->scaled, work, nn * sizeof(float));
    if ((rc = attn_mask_apply(work, n, opt))) return rc;
    if (trace->masked) memcpy(trace->masked, work, nn * sizeof(float));
    int blocked = 0;
    if ((rc = attn_softmax_rows(work, work, n, n, opt->temperature, &blocked))) return rc;
    trace->blocked_rows = blocked;
    if (out) return attn_weighted_sum(out, work, v, n, d_v);
    return ATTN_OK;
}

int attn_head_rows(float *out, float *weights, const float *q, const float *k, const float *v,
                   int n, int d_k, int d_v, const attn_options *opt, int row_begin, int row_end,
                   float *scale_used, int *blocked_rows) {
    attn_options defaults = attn_default_options();
    size_t nn, nd, nv;
    int rc;
    if (!opt) opt = &defaults;
    if (!weights || !q || !k || (out && !v)) return ATTN_ERR_NULL;
    if ((rc = attn__checked_count(&nn, n, n)) || (rc = attn__checked_count(&nd, n, d_k))) return rc;
    if (out && (rc = attn__checked_count(&nv, n, d_v))) return rc;
    if (row_begin < 0 || row_end > n || row_begin >= row_end) return ATTN_ERR_INDEX;
    if ((rc = attn__check_options(opt))) return rc;
    const int rows = row_end - row_begin;
    const float *q_rows = q + (size_t)row_begin * d_k;
    if (!attn__all_finite(q_rows, (size_t)rows * d_k) || !attn__all_finite(k, nd)) return ATTN_ERR_NONFINITE;

    // attn_head()'s steps on a block of rows: Q·Kᵀ, scale, mask, softmax, · V
    const float scale = attn__effective_scale(opt, d_k);
    if (!score_rows(weights, q_rows, rows, k, n, d_k)) return ATTN_ERR_NONFINITE;
    if ((rc = attn_scale(weights, weights, (size_t)rows * n, scale))) return rc;
    if (opt->mask != ATTN_MASK_NONE)
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < n; j++)
                if (!attn__mask_allows(opt, n, row_begin + r, j)) weights[(size_t)r * n + j] = -INFINITY;
    int blocked = 0;
    if ((rc = attn_softmax_rows(weights, weights, rows, n, opt->temperature, &blocked))) return rc;
    if (out && (rc = attn_matmul(out + (size_t)row_begin * d_v, weights, v, rows, n, d_v))) return rc;
    if (scale_used) *scale_used = scale;
    if (blocked_rows) *blocked_rows = blocked;
    return ATTN_OK;
}

// Checks a layer's shape for n tokens; *scratch_floats gets what attn_layer() needs.
static int check_layer(const attn_layer_weights *w, int n, size_t *scratch_floats) {
    size_t nd, hd, nn, cat, outc;
    int rc;
    if (!w) return ATTN_ERR_NULL;
    if (!w->w_q || !w->w_k || !w->w_v) return ATTN_ERR_NULL;
    if ((rc = attn__checked_count(&nd, n, w->d_model)) || (rc = attn__checked_count(&nn, n, n)) ||
        (rc = attn__checked_count(&hd, n, w->d_head)) || (rc = attn__checked_count(&cat, w->n_heads, w->d_head)) ||
        (rc = attn__checked_count(&cat, n, w->n_heads * w->d_head)))  // product bounded just above
        return rc;
    if (w->w_o && (rc = attn__checked_count(&outc, n, w->d_out))) return rc;
    // q, k, v and the weights of one head, and the concat of all heads
    size_t need = 3 * hd + nn + cat;
    if (need > ATTN_MAX_ELEMENTS) return ATTN_ERR_OVERFLOW;
    *scratch_floats = need;
    return ATTN_OK;
}

size_t attn_layer_scratch_floats(int n, const attn_layer_weights *w) {
    size_t need = 0;
    return check_layer(w, n, &need) == ATTN_OK ? need : 0;
}

int attn_layer(float *out, attn_trace *trace, const float *x, int n,
               const attn_layer_weights *w, const attn_options *opt,
               float *scratch, size_t scratch_floats) {
    attn_options defaults = attn_default_options();
    attn_trace none = { 0 };
    size_t need, hd, nn, wsize;
    int rc;
    if (!opt) opt = &defaults;
    if (!trace) trace = &none;
    if (!x || !scratch) return ATTN_ERR_NULL;
    if ((rc = check_layer(w, n, &need)) || (rc = attn__check_options(opt))) return rc;
    if (scratch_floats < need) return ATTN_ERR_SCRATCH;
    if ((rc = attn__checked_count(&wsize, w->d_model, w->d_head))) return rc;
    hd = (size_t)n * w->d_head;
    nn = (size_t)n * n;
    const int width = w->n_heads * w->d_head;   // bounded by check_layer

    float *q = scratch, *k = q + hd, *v = k + hd, *weights = v + hd, *concat = weights + nn;
    int blocked = 0;
    for (int h = 0; h < w->n_heads; h++) {
        // this head's projections, and where its trace goes (if wanted)
        float *qh = trace->q ? trace->q + h * hd : q;
        float *kh = trace->k ? trace->k + h * hd : k;
        float *vh = trace->v ? trace->v + h * hd : v;
        if ((rc = attn_matmul(qh, x, w->w_q + h * wsize, n, w->d_model, w->d_head)) ||
            (rc = attn_matmul(kh, x, w->w_k + h * wsize, n, w->d_model, w->d_head)) ||
            (rc = attn_matmul(vh, x, w->w_v + h * wsize, n, w->d_model, w->d_head)))
            return rc;
        attn_trace head = {
            .raw = trace->raw ? trace->raw + h * nn : NULL,
            .scaled = trace->scaled ? trace->scaled + h * nn : NULL,
            .masked = trace->masked ? trace->masked + h * nn : NULL,
            .weights = trace->weights ? trace->weights + h * nn : weights,
        };
        float *oh = trace->head_out ? trace->head_out + h * hd : q;  // q is free once scored
        if ((rc = attn_head(oh, &head, qh, kh, vh, n, w->d_head, w->d_head, opt))) return rc;
        blocked += head.blocked_rows;
        // place this head's output in its columns of the concat
        for (int i = 0; i < n; i++)
            memcpy(concat + (size_t)i * width + (size_t)h * w->d_head,
                   oh + (size_t)i * w->d_head, (size_t)w->d_head * sizeof(float));
    }
    trace->blocked_rows = blocked;
    if (trace->concat) memcpy(trace->concat, concat, (size_t)n * width * sizeof(float));
    if (!out) return ATTN_OK;
    if (!w->w_o) {
        memcpy(out, concat, (size_t)n * width * sizeof(float));
        return ATTN_OK;
    }
    return attn_matmul(out, concat, w->w_o, n, width, w->d_out);
}

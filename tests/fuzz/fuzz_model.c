/* fuzz_model.c - libFuzzer target: the lesson model on arbitrary text, the way the page runs
   it: attn_tokenize -> attn_embed -> attn_layer(attn_model()) -> attn_format_numbers.
   Input: a temperature selector byte (4 more bytes when it asks for raw bits), a mask kind
   byte, a window byte, a globals byte, then the text.
   Invariants: any text gives tokens or ATTN_ERR_EMPTY; embeddings are finite; with valid
   options the layer succeeds (the page must never fail on text) and every output is
   finite; every row of every head sums to 1 within 1e-4, except rows the mask blocks
   entirely, which are all zeros and counted in blocked_rows; invalid options are errors;
   the streaming kernel agrees with the layer's heads.
   Speed: the model runs on the first FUZZ_MODEL_TOKENS tokens, and the streaming cross-check
   on one head per input. Under ASan + UBSan every multiply-add costs ~10 ns, and the work
   grows with n^2: with the page's 256 tokens and all four heads cross-checked, the inputs
   libFuzzer grows towards its longest seed took ~0.1 s each (~30 inputs/s). 32 tokens keep
   every path (masks, windows and global tokens up to 37 wide, several sentences); the
   256-token limit itself is the tokenizer's to test (fuzz_tokenize.c, tests/core/test_text.c). */
#include "fuzz_input.h"

#define FUZZ_MODEL_TOKENS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_input in = { data, size, 0 };
    attn_options opt = attn_default_options();
    opt.temperature = fuzz_temperature(&in);
    uint8_t kind = fuzz_byte(&in);
    opt.mask = kind % 6 == 5 ? 7 : kind % 6;          // 7: an unknown mask kind
    opt.window = (int)fuzz_byte(&in) % 40 - 2;
    opt.globals = (int)fuzz_byte(&in) % 40 - 2;
    if (in.pos > size || size - in.pos > 1 << 16) return 0;

    // the text: an exact NUL-terminated heap copy of the rest
    const size_t text_size = size - in.pos;
    char *text = malloc(text_size + 1);
    if (!text) abort();
    if (text_size) memcpy(text, data + in.pos, text_size);
    text[text_size] = '\0';

    int starts[FUZZ_MODEL_TOKENS], ends[FUZZ_MODEL_TOKENS], total = 0;
    int n = attn_tokenize(starts, ends, FUZZ_MODEL_TOKENS, text, (int)text_size, &total);
    fuzz_check_status(n > 0 ? 0 : n, "attn_tokenize");
    if (n < 0) {
        if (n != ATTN_ERR_EMPTY) FUZZ_FAIL("attn_tokenize returned %d", n);
        float x1[ATTN_MODEL_DIM];
        if (attn_embed(x1, text, starts, ends, 0) >= 0) FUZZ_FAIL("attn_embed accepted 0 tokens");
        free(text);
        return 0;
    }
    if (n > FUZZ_MODEL_TOKENS || total < n || (total > n) != (n == FUZZ_MODEL_TOKENS && total > FUZZ_MODEL_TOKENS))
        FUZZ_FAIL("tokenize: n %d total %d", n, total);

    // an explicit mask drawn from the text, so it changes with the input
    unsigned char *allowed = NULL;
    if (opt.mask == ATTN_MASK_EXPLICIT && !(kind & 0x80)) {
        allowed = malloc((size_t)n * n);
        uint32_t state = 2166136261u;
        for (size_t i = 0; i < text_size; i++) state = (state ^ (uint8_t)text[i]) * 16777619u;
        for (size_t i = 0; i < (size_t)n * n; i++) {
            state ^= state << 13; state ^= state >> 17; state ^= state << 5;
            allowed[i] = (state & 7) != 0 || (kind & 0x40);
        }
        opt.allowed = allowed;
    }
    const int valid = isfinite(opt.temperature) && opt.temperature > 0.0f &&
        (opt.mask == ATTN_MASK_NONE || opt.mask == ATTN_MASK_CAUSAL ||
         (opt.mask == ATTN_MASK_WINDOW && opt.window >= 1) ||
         (opt.mask == ATTN_MASK_EXPLICIT && opt.allowed) ||
         (opt.mask == ATTN_MASK_BLOCK_SPARSE && opt.window >= 1 && opt.globals >= 0));

    const attn_layer_weights *model = attn_model();
    const int H = model->n_heads, D = model->d_head, width = H * D;
    if (model->d_model != ATTN_MODEL_DIM || H != ATTN_MODEL_HEADS || D != ATTN_HEAD_DIM)
        FUZZ_FAIL("attn_model() shape %d/%d/%d", model->d_model, H, D);
    const size_t nn = (size_t)n * n, hd = (size_t)H * n * D;

    float *x = malloc((size_t)n * ATTN_MODEL_DIM * sizeof *x);
    int rc = attn_embed(x, text, starts, ends, n);
    if (rc != ATTN_OK) FUZZ_FAIL("attn_embed returned %d (%s)", rc, attn_strerror(rc));
    fuzz_check_finite(x, (size_t)n * ATTN_MODEL_DIM, "embedding");

    size_t need = attn_layer_scratch_floats(n, model);
    float *scratch = malloc(need * sizeof *scratch);
    float *out = malloc((size_t)n * width * sizeof *out);
    attn_trace tr = {
        .q = malloc(hd * sizeof(float)), .k = malloc(hd * sizeof(float)), .v = malloc(hd * sizeof(float)),
        .raw = malloc(H * nn * sizeof(float)), .scaled = malloc(H * nn * sizeof(float)),
        .masked = malloc(H * nn * sizeof(float)), .weights = malloc(H * nn * sizeof(float)),
        .head_out = malloc(hd * sizeof(float)), .concat = malloc((size_t)n * width * sizeof(float)),
    };
    rc = attn_layer(out, &tr, x, n, model, &opt, scratch, need);
    fuzz_check_status(rc, "attn_layer");
    if (!valid && rc == ATTN_OK) FUZZ_FAIL("attn_layer accepted invalid options");
    if (valid && rc != ATTN_OK)
        FUZZ_FAIL("the lesson model failed on text with valid options (T=%g mask %d): %s",
                  (double)opt.temperature, opt.mask, attn_strerror(rc));
    if (rc == ATTN_OK) {
        fuzz_check_finite(tr.q, hd, "q");
        fuzz_check_finite(tr.k, hd, "k");
        fuzz_check_finite(tr.v, hd, "v");
        fuzz_check_finite(tr.raw, H * nn, "raw");
        fuzz_check_finite(tr.scaled, H * nn, "scaled");
        fuzz_check_finite(tr.head_out, hd, "head_out");
        fuzz_check_finite(tr.concat, (size_t)n * width, "concat");
        fuzz_check_finite(out, (size_t)n * width, "out");
        int blocked = fuzz_check_weights(tr.weights, H * n, n, &opt, "model weights");
        if (blocked != tr.blocked_rows)
            FUZZ_FAIL("blocked_rows %d, the mask blocks %d rows over %d heads", tr.blocked_rows, blocked, H);

        // the page prints weights with attn_format_numbers: exactly 6 characters each
        size_t cap = (size_t)n * 6 + 1;
        char *digits = malloc(cap);
        int len = attn_format_numbers(digits, (int)cap, tr.weights, n, 3);
        if (len != n * 6 || digits[len] != '\0') FUZZ_FAIL("format_numbers wrote %d of %d", len, n * 6);
        len = attn_format_numbers(digits, (int)cap - 1, tr.weights, n, 3);
        if (len != ATTN_ERR_SCRATCH || strlen(digits) >= cap - 1) FUZZ_FAIL("format_numbers overflowed a short buffer");
        // ...and a row with its sum in one call, without leading zeros: ".734" (5 + 1 each)
        cap = (size_t)(n + 1) * 7 + 1;
        digits = realloc(digits, cap);
        len = attn_format_row_report(digits, (int)cap, tr.weights, n, 3, ATTN_FORMAT_NO_LEADING_ZERO);
        if (len < 0 || strstr(digits, "0.") == digits || strstr(digits, "\n0.") != NULL)
            FUZZ_FAIL("row report %d: [%.40s]", len, len >= 0 ? digits : "");
        free(digits);

        // the top three of a row, as the page ranks them: descending, ties to the lower index
        int top[3];
        const int m = attn_top_k(top, tr.weights, n, 3);
        if (m != (n < 3 ? n : 3)) FUZZ_FAIL("top_k gave %d of %d", m, n);
        for (int t = 1; t < m; t++)
            if (tr.weights[top[t]] > tr.weights[top[t - 1]] ||
                (tr.weights[top[t]] == tr.weights[top[t - 1]] && top[t] < top[t - 1]))
                FUZZ_FAIL("top_k order: [%d] %g after [%d] %g", top[t], (double)tr.weights[top[t]],
                          top[t - 1], (double)tr.weights[top[t - 1]]);

        // streaming must agree with the heads (moderate temperatures: near-ties stay near);
        // one head per input, picked by the input, as the four share every code path
        if (opt.temperature >= 0.1f) {
            float *s_out = malloc((size_t)n * D * sizeof *s_out);
            for (int h = (int)(text_size % (size_t)H), once = 1; once; once = 0) {
                const float *qh = tr.q + (size_t)h * n * D, *kh = tr.k + (size_t)h * n * D, *vh = tr.v + (size_t)h * n * D;
                int b = -1;
                rc = attn_head_streaming(s_out, qh, kh, vh, n, D, D, &opt, 0, n, &b);
                if (rc != ATTN_OK) FUZZ_FAIL("streaming head %d: %s", h, attn_strerror(rc));
                if (b * H != blocked) FUZZ_FAIL("streaming head %d: %d blocked rows", h, b);
                const float *want = tr.head_out + (size_t)h * n * D;
                for (size_t i = 0; i < (size_t)n * D; i++)
                    if (!(fabsf(s_out[i] - want[i]) <= 1e-3f))
                        FUZZ_FAIL("streaming head %d [%zu] = %g, layer %g", h, i, (double)s_out[i], (double)want[i]);
            }
            free(s_out);
        }
    }
    free(x); free(scratch); free(out); free(allowed); free(text);
    free(tr.q); free(tr.k); free(tr.v); free(tr.raw); free(tr.scaled); free(tr.masked);
    free(tr.weights); free(tr.head_out); free(tr.concat);
    return 0;
}

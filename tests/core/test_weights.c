/* test_weights.c - the weight file: float32 round trips bit for bit, int8 stays within half a
   quantisation step per row, the header reads back as written (parsed here by hand, with an
   independent table-driven CRC-32), and every kind of corrupt or inconsistent file is rejected
   with its own status code, leaving the caller's parameters untouched. */
#include "attn.h"

#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// ---------------------------------------------------------------------------------------
// An independent reader: byte-wise CRC-32 with a full 256-entry table, little-endian fields

static uint32_t crc_table[256];

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32_of(const unsigned char *p, size_t n, uint32_t crc) {
    for (size_t i = 0; i < n; i++) crc = crc_table[(crc ^ p[i]) & 255] ^ (crc >> 8);
    return crc;
}

static uint32_t le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

// the file's CRC as the format defines it: header bytes 0..59, then the payload
static uint32_t file_crc(const unsigned char *buf, size_t len) {
    uint32_t c = crc32_of(buf, 60, 0xFFFFFFFFu);
    return ~crc32_of(buf + 64, len - 64, c);
}

static void fix_crc(unsigned char *buf, size_t len) { put32(buf + 60, file_crc(buf, len)); }

// ---------------------------------------------------------------------------------------
// Models to save

static const attn_gpt_config TINY_ATTN = { 13, 8, 16, 2, 2, 0, 1, 0 };   // attention-only
static const attn_gpt_config TINY_FULL = { 11, 6, 12, 3, 2, 24, 0, 1 };  // MLP + LayerNorm

static float *random_params(const attn_gpt_config *cfg, size_t *floats, unsigned seed) {
    *floats = attn_gpt_param_floats(cfg);
    float *p = malloc(*floats * sizeof *p);
    attn_fill_random(p, *floats, seed);
    for (size_t i = 0; i < *floats; i++) p[i] *= (float)(1 + i % 7);   // rows of different ranges
    // the first row of the first tensor all zeros: a scale of 0 must round trip
    const char *name;
    size_t off;
    int rows, cols;
    attn_gpt_tensor_info(cfg, 0, &name, &off, &rows, &cols);
    memset(p + off, 0, (size_t)cols * sizeof *p);
    return p;
}

static unsigned char *saved(const attn_gpt_config *cfg, const float *params, int format, size_t *len) {
    size_t cap = attn_weights_size(cfg, format);
    unsigned char *buf = malloc(cap + 16);
    int rc = attn_weights_save(buf, cap, len, cfg, params, format);
    check(rc == ATTN_OK && *len == cap, "save format %d: status %d, %zu of %zu bytes", format, rc, *len, cap);
    return buf;
}

// ---------------------------------------------------------------------------------------
// Tests

static void test_crc_reference(void) {
    const unsigned char s[] = "123456789";
    check(~crc32_of(s, 9, 0xFFFFFFFFu) == 0xCBF43926u, "the test's CRC-32 gives the standard check value");
}

// the size the format promises, counted from the tensor list
static size_t expected_size(const attn_gpt_config *cfg, int format) {
    size_t bytes = 64;
    for (int t = 0; t < attn_gpt_tensor_count(cfg); t++) {
        const char *name;
        size_t off;
        int rows, cols;
        attn_gpt_tensor_info(cfg, t, &name, &off, &rows, &cols);
        size_t e = (size_t)rows * cols;
        bytes += format == ATTN_WEIGHTS_INT8 && rows > 1 && cols > 1 ? 4 * (size_t)rows + e : 4 * e;
    }
    return bytes;
}

static void test_header(const attn_gpt_config *cfg, const char *label) {
    size_t floats, len;
    float *params = random_params(cfg, &floats, 3);
    for (int format = 0; format <= 1; format++) {
        check(attn_weights_size(cfg, format) == expected_size(cfg, format), "%s format %d: size %zu, want %zu",
              label, format, attn_weights_size(cfg, format), expected_size(cfg, format));
        unsigned char *buf = saved(cfg, params, format, &len);
        const int want[8] = { cfg->vocab, cfg->context, cfg->d_model, cfg->n_heads, cfg->n_layers,
                              cfg->d_mlp, cfg->attention_only, cfg->layernorm };
        int fields_ok = memcmp(buf, "AEWT", 4) == 0 && le32(buf + 4) == 1 && le32(buf + 8) == 64 &&
                        le32(buf + 44) == (uint32_t)format &&
                        le32(buf + 48) == (uint32_t)attn_gpt_tensor_count(cfg) &&
                        le32(buf + 52) == len - 64 && le32(buf + 56) == 0;
        for (int i = 0; i < 8; i++) fields_ok &= le32(buf + 12 + 4 * i) == (uint32_t)want[i];
        check(fields_ok, "%s format %d: header fields at their offsets", label, format);
        check(le32(buf + 60) == file_crc(buf, len), "%s format %d: stored CRC-32 %08x matches ours %08x",
              label, format, le32(buf + 60), file_crc(buf, len));
        attn_gpt_config got;
        int fmt = -1, rc = attn_weights_read_header(&got, &fmt, buf, len);
        check(rc == ATTN_OK && fmt == format && memcmp(&got, cfg, sizeof got) == 0,
              "%s format %d: read_header gives the config back (status %d)", label, format, rc);
        free(buf);
    }
    free(params);
}

static void test_float32_exact(const attn_gpt_config *cfg, const char *label) {
    size_t floats, len;
    float *params = random_params(cfg, &floats, 7);
    unsigned char *buf = saved(cfg, params, ATTN_WEIGHTS_F32, &len);
    float *back = malloc(floats * sizeof *back);
    int rc = attn_weights_load(back, floats, buf, len);
    check(rc == ATTN_OK, "%s float32 load: %s", label, attn_strerror(rc));
    check(memcmp(back, params, floats * sizeof *back) == 0, "%s float32: every bit round trips", label);
    free(back);
    free(buf);
    free(params);
}

static void test_int8_tolerance(const attn_gpt_config *cfg, const char *label) {
    size_t floats, len;
    float *params = random_params(cfg, &floats, 11);
    unsigned char *buf = saved(cfg, params, ATTN_WEIGHTS_INT8, &len);
    float *back = malloc(floats * sizeof *back);
    int rc = attn_weights_load(back, floats, buf, len);
    check(rc == ATTN_OK, "%s int8 load: %s", label, attn_strerror(rc));
    double worst_ratio = 0;   // error / (absmax of its row / 127), must stay <= 0.5
    int exact_1d = 1, quantised_rows = 0, distinct = 1;
    for (int t = 0; t < attn_gpt_tensor_count(cfg); t++) {
        const char *name;
        size_t off;
        int rows, cols;
        attn_gpt_tensor_info(cfg, t, &name, &off, &rows, &cols);
        if (rows == 1 || cols == 1) {
            exact_1d &= memcmp(back + off, params + off, (size_t)rows * cols * sizeof *back) == 0;
            continue;
        }
        for (int r = 0; r < rows; r++) {
            const float *x = params + off + (size_t)r * cols, *y = back + off + (size_t)r * cols;
            double absmax = 0;
            for (int j = 0; j < cols; j++) absmax = fmax(absmax, fabs(x[j]));
            double step = absmax / 127.0;
            for (int j = 0; j < cols; j++) {
                double err = fabs((double)x[j] - y[j]);
                if (step == 0) { if (err != 0) worst_ratio = 1e9; continue; }
                worst_ratio = fmax(worst_ratio, err / step);
            }
            quantised_rows++;
        }
    }
    // a quantised file must actually differ from the original (else int8 was not used)
    distinct = memcmp(back, params, floats * sizeof *back) != 0;
    check(exact_1d, "%s int8: one-row tensors stay float32, exact", label);
    check(quantised_rows > 0 && distinct, "%s int8: %d rows quantised", label, quantised_rows);
    check(worst_ratio <= 0.5 + 1e-4, "%s int8: worst error %.4f of a step (absmax/127), want <= 0.5",
          label, worst_ratio);
    check(len < attn_weights_size(cfg, ATTN_WEIGHTS_F32), "%s int8 file %zu bytes < float32 %zu", label, len,
          attn_weights_size(cfg, ATTN_WEIGHTS_F32));
    free(back);
    free(buf);
    free(params);
}

// loads a corrupted copy; checks the status and that params kept their sentinel
static void expect_reject(const unsigned char *buf, size_t len, size_t floats, int want, const char *what) {
    float *params = malloc((floats + 1) * sizeof *params);
    for (size_t i = 0; i <= floats; i++) params[i] = 12345.0f;
    int rc = attn_weights_load(params, floats, buf, len);
    int untouched = 1;
    for (size_t i = 0; i <= floats; i++) untouched &= params[i] == 12345.0f;
    check(rc == want, "%s: status %d (%s), want %d (%s)", what, rc, attn_strerror(rc), want, attn_strerror(want));
    check(untouched, "%s: params untouched", what);
    free(params);
}

static void test_corruption(int format) {
    const attn_gpt_config *cfg = &TINY_FULL;
    size_t floats, len;
    float *params = random_params(cfg, &floats, 5);
    unsigned char *good = saved(cfg, params, format, &len);
    unsigned char *b = malloc(len + 8);
    char what[96];
#define RESET() memcpy(b, good, len)

    // truncated: every length shorter than the header, and a spread of shorter payloads
    int trunc_ok = 1;
    float sentinel[4];
    for (size_t n = 0; n < 64; n++) trunc_ok &= attn_weights_load(sentinel, 4, good, n) == ATTN_ERR_TRUNCATED;
    check(trunc_ok, "format %d: every length 0..63 is ATTN_ERR_TRUNCATED", format);
    trunc_ok = 1;
    attn_gpt_config hc;
    int hf;
    for (size_t n = 0; n < 64; n++) trunc_ok &= attn_weights_read_header(&hc, &hf, good, n) == ATTN_ERR_TRUNCATED;
    check(trunc_ok, "format %d: read_header of 0..63 bytes is ATTN_ERR_TRUNCATED", format);
    for (size_t n = 64; n < len; n += (len - 64) / 7 + 1) {
        snprintf(what, sizeof what, "format %d: cut at %zu of %zu bytes", format, n, len);
        expect_reject(good, n, floats, ATTN_ERR_TRUNCATED, what);
    }
    expect_reject(good, len - 1, floats, ATTN_ERR_TRUNCATED, "one byte short");

    RESET(); b[len] = 0;
    expect_reject(b, len + 1, floats, ATTN_ERR_PAYLOAD, "one byte after the payload");
    RESET(); b[0] = 'X';
    expect_reject(b, len, floats, ATTN_ERR_FORMAT, "wrong magic");
    RESET(); put32(b + 4, 2);
    expect_reject(b, len, floats, ATTN_ERR_VERSION, "version 2");
    RESET(); put32(b + 4, 0);
    expect_reject(b, len, floats, ATTN_ERR_VERSION, "version 0");
    RESET(); put32(b + 8, 128);
    expect_reject(b, len, floats, ATTN_ERR_FORMAT, "header size 128");
    RESET(); put32(b + 44, 7);
    expect_reject(b, len, floats, ATTN_ERR_FORMAT, "storage format 7");
    RESET(); put32(b + 12 + 4 * 6, 2);
    expect_reject(b, len, floats, ATTN_ERR_CONFIG, "attention_only flag 2");

    // an inconsistent or absurd config: the config check's code, or the payload disagrees
    RESET(); put32(b + 12 + 4 * 3, 0);
    expect_reject(b, len, floats, ATTN_ERR_CONFIG, "n_heads 0");
    RESET(); put32(b + 12 + 4 * 3, 5);
    expect_reject(b, len, floats, ATTN_ERR_CONFIG, "5 heads do not divide d_model 12");
    RESET(); put32(b + 12, 0x7FFFFFFF);
    expect_reject(b, len, floats, ATTN_ERR_OVERFLOW, "vocab 2^31-1");
    RESET(); put32(b + 12 + 4 * 2, 0xFFFFFFF4u);
    expect_reject(b, len, floats, ATTN_ERR_CONFIG, "d_model -12");
    RESET(); put32(b + 12, (uint32_t)cfg->vocab + 1);   // a valid config of another size
    expect_reject(b, len, floats, ATTN_ERR_PAYLOAD, "vocab one larger than the payload holds");
    RESET(); put32(b + 48, le32(b + 48) + 1);
    expect_reject(b, len, floats, ATTN_ERR_PAYLOAD, "tensor count + 1");
    RESET(); put32(b + 52, le32(b + 52) + 4);
    expect_reject(b, len, floats, ATTN_ERR_PAYLOAD, "payload size + 4");
    RESET(); put32(b + 56, 1);
    expect_reject(b, len, floats, ATTN_ERR_PAYLOAD, "payload size + 2^32");

    // flipped bits anywhere the CRC covers
    int flips = 0, flips_ok = 1;
    for (size_t i = 64; i < len; i += 37, flips++) {
        RESET(); b[i] ^= 0x10;
        float *p = malloc(floats * sizeof *p);
        flips_ok &= attn_weights_load(p, floats, b, len) == ATTN_ERR_CHECKSUM;
        free(p);
    }
    check(flips_ok, "format %d: %d payload bit flips are each ATTN_ERR_CHECKSUM", format, flips);
    RESET(); b[60] ^= 1;
    expect_reject(b, len, floats, ATTN_ERR_CHECKSUM, "flipped stored CRC");

    // non-finite values behind a valid checksum: the first tensor's first stored number (a
    // scale for int8, a value for float32), then the last float32 value (a LayerNorm/bias)
    const uint32_t bad[3] = { 0x7FC00000u, 0x7F800000u, 0xFF800000u };   // NaN, +inf, -inf
    for (int k = 0; k < 3; k++) {
        RESET(); put32(b + 64, bad[k]); fix_crc(b, len);
        snprintf(what, sizeof what, "format %d: %s in the first tensor", format, k ? "infinity" : "NaN");
        expect_reject(b, len, floats, ATTN_ERR_NONFINITE, what);
        RESET(); put32(b + len - 4, bad[k]); fix_crc(b, len);
        snprintf(what, sizeof what, "format %d: %s in the last tensor", format, k ? "infinity" : "NaN");
        expect_reject(b, len, floats, ATTN_ERR_NONFINITE, what);
    }
    if (format == ATTN_WEIGHTS_INT8) {
        RESET(); put32(b + 64, 0xBF800000u); fix_crc(b, len);   // scale -1
        expect_reject(b, len, floats, ATTN_ERR_NONFINITE, "negative int8 scale");
        RESET(); put32(b + 64, 0x7F7FFFFFu); fix_crc(b, len);   // FLT_MAX: q * scale overflows
        expect_reject(b, len, floats, ATTN_ERR_NONFINITE, "int8 scale FLT_MAX");
    }

    // the caller's buffer and pointers
    expect_reject(good, len, floats - 1, ATTN_ERR_SCRATCH, "params one float short");
    float one;
    check(attn_weights_load(NULL, floats, good, len) == ATTN_ERR_NULL, "NULL params");
    check(attn_weights_load(&one, 1, NULL, len) == ATTN_ERR_NULL, "NULL buffer");
    check(attn_weights_read_header(NULL, &hf, good, len) == ATTN_ERR_NULL, "read_header NULL config");
    RESET();
    check(attn_weights_load(params, floats, b, len) == ATTN_OK, "format %d: the untouched copy still loads", format);
#undef RESET
    free(b);
    free(good);
    free(params);
}

// logits of one forward pass over a fixed token sequence (batch 1, the whole context)
static float *logits_of(const attn_gpt_config *cfg, const float *params, int *count) {
    int T = cfg->context, *tokens = malloc((size_t)T * sizeof *tokens);
    for (int t = 0; t < T; t++) tokens[t] = (t * 7 + 3) % cfg->vocab;
    size_t na = attn_gpt_activation_floats(cfg, 1, T);
    float *acts = malloc(na * sizeof *acts), *out = malloc((size_t)T * cfg->vocab * sizeof *out);
    int rc = attn_gpt_forward(acts, NULL, params, cfg, tokens, NULL, 1, T, NULL, 0);
    check(rc == ATTN_OK, "forward: %s", attn_strerror(rc));
    memcpy(out, attn_gpt_logits(acts, cfg, 1, T), (size_t)T * cfg->vocab * sizeof *out);
    *count = T * cfg->vocab;
    free(acts);
    free(tokens);
    return out;
}

// A model saved as int8 predicts almost what the float32 model predicts: logits within 3% of
// their range and next-token probabilities within 0.02 (measured: 1.7% and 0.011 on the tiny
// LayerNorm model, 0.3% on the induction shape); the float32 file predicts exactly.
static void test_int8_forward(const attn_gpt_config *cfg, const char *label) {
    size_t floats = attn_gpt_param_floats(cfg), len;
    float *params = malloc(floats * sizeof *params), *back = malloc(floats * sizeof *back);
    attn_gpt_init(params, cfg, 17);
    for (size_t i = 0; i < floats; i++) params[i] *= 5.0f;   // init is N(0, 0.02); trained weights are wider
    int n;
    float *want = logits_of(cfg, params, &n);
    for (int format = 0; format <= 1; format++) {
        unsigned char *buf = saved(cfg, params, format, &len);
        check(attn_weights_load(back, floats, buf, len) == ATTN_OK, "%s format %d loads", label, format);
        float *got = logits_of(cfg, back, &n);
        double range = 0, worst = 0, worst_p = 0;
        for (int i = 0; i < n; i++) {
            range = fmax(range, fabs(want[i]));
            worst = fmax(worst, fabs((double)got[i] - want[i]));
        }
        for (int r = 0; r < n / cfg->vocab; r++) {   // softmax of each row, in double
            const float *a = want + (size_t)r * cfg->vocab, *b = got + (size_t)r * cfg->vocab;
            double ma = -1e30, mb = -1e30, sa = 0, sb = 0;
            for (int j = 0; j < cfg->vocab; j++) { ma = fmax(ma, a[j]); mb = fmax(mb, b[j]); }
            for (int j = 0; j < cfg->vocab; j++) { sa += exp(a[j] - ma); sb += exp(b[j] - mb); }
            for (int j = 0; j < cfg->vocab; j++)
                worst_p = fmax(worst_p, fabs(exp(a[j] - ma) / sa - exp(b[j] - mb) / sb));
        }
        if (format == ATTN_WEIGHTS_F32)
            check(worst == 0, "%s float32 file: logits identical (max |diff| %.3g)", label, worst);
        else
            check(worst <= 0.03 * range && worst_p <= 0.02 && worst > 0,
                  "%s int8 file: max |logit diff| %.4f of range %.3f (want <= 3%%, > 0), max |prob diff| %.4f",
                  label, worst, range, worst_p);
        printf("  %s %s: max |logit diff| %.5f (logits up to %.3f), max |prob diff| %.5f, %zu bytes\n", label,
               format ? "int8" : "float32", worst, range, worst_p, len);
        free(got);
        free(buf);
    }
    free(want);
    free(back);
    free(params);
}

static void test_save_errors(void) {
    const attn_gpt_config *cfg = &TINY_ATTN;
    size_t floats, len = 99;
    float *params = random_params(cfg, &floats, 9);
    size_t cap = attn_weights_size(cfg, ATTN_WEIGHTS_F32);
    unsigned char *buf = malloc(cap);
    check(attn_weights_save(buf, cap - 1, &len, cfg, params, ATTN_WEIGHTS_F32) == ATTN_ERR_SCRATCH && len == 0,
          "save into one byte too few: ATTN_ERR_SCRATCH, nothing written");
    check(attn_weights_save(buf, cap, &len, cfg, params, 2) == ATTN_ERR_FORMAT, "save in format 2");
    check(attn_weights_size(cfg, 2) == 0 && attn_weights_size(cfg, -1) == 0, "size of an unknown format is 0");
    attn_gpt_config bad = *cfg;
    bad.n_layers = 0;
    check(attn_weights_size(&bad, ATTN_WEIGHTS_F32) == 0, "size of a bad config is 0");
    check(attn_weights_save(buf, cap, &len, &bad, params, ATTN_WEIGHTS_F32) < 0, "save of a bad config fails");
    check(attn_weights_size(NULL, 0) == 0 && attn_weights_save(NULL, cap, &len, cfg, params, 0) == ATTN_ERR_NULL,
          "NULL config and buffer");
    params[floats / 2] = NAN;
    check(attn_weights_save(buf, cap, &len, cfg, params, ATTN_WEIGHTS_F32) == ATTN_ERR_NONFINITE, "save NaN params");
    params[floats / 2] = INFINITY;
    check(attn_weights_save(buf, cap, &len, cfg, params, ATTN_WEIGHTS_INT8) == ATTN_ERR_NONFINITE,
          "save infinite params as int8");
    free(buf);
    free(params);
}

int main(void) {
    crc_init();
    test_crc_reference();
    test_header(&TINY_ATTN, "attention-only");
    test_header(&TINY_FULL, "mlp+layernorm");
    test_float32_exact(&TINY_ATTN, "attention-only");
    test_float32_exact(&TINY_FULL, "mlp+layernorm");
    test_int8_tolerance(&TINY_ATTN, "attention-only");
    test_int8_tolerance(&TINY_FULL, "mlp+layernorm");
    test_int8_forward(&TINY_ATTN, "attention-only");
    test_int8_forward(&TINY_FULL, "mlp+layernorm");
    test_int8_forward(&(attn_gpt_config){ 33, 48, 64, 4, 2, 0, 1, 0 }, "induction shape");
    test_corruption(ATTN_WEIGHTS_F32);
    test_corruption(ATTN_WEIGHTS_INT8);
    test_save_errors();
    return check_summary("test_weights");
}

/* fuzz_input.h - shared by the libFuzzer targets: reads shapes, options and floats from the
   fuzzer's bytes, and the invariant checks every attention output must pass. A failed
   invariant prints what broke and aborts, which libFuzzer reports as a crash. */
#ifndef FUZZ_INPUT_H
#define FUZZ_INPUT_H

#include "attn.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// ---------------------------------------------------------------------------------------
// Reading the input: once the bytes run out every read gives 0, so any input is complete.

typedef struct {
    const uint8_t *data;
    size_t size, pos;
} fuzz_input;

static inline uint8_t fuzz_byte(fuzz_input *in) {
    return in->pos < in->size ? in->data[in->pos++] : 0;
}

static inline uint32_t fuzz_u32(fuzz_input *in) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)fuzz_byte(in) << (8 * i);
    return v;
}

static inline float fuzz_bits_to_float(uint32_t bits) {
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

// The values that break naive float code.
static const float fuzz_special_floats[] = {
    0.0f, -0.0f, 1.0f, -1.0f, 1e-45f /* smallest denormal */, -1e-45f, 1e-40f, FLT_MIN,
    FLT_MAX, -FLT_MAX, 1e19f, -1e19f, 1e30f, -1e30f, 1e-30f, 65504.0f,
    INFINITY, -INFINITY, NAN, -NAN,
};
#define FUZZ_SPECIALS (sizeof fuzz_special_floats / sizeof fuzz_special_floats[0])

// How a buffer's floats are drawn: ordinary values (where the maths is exercised), ordinary
// values with the odd special among them, raw bit patterns (anything at all), finite values
// of any magnitude, or values near FLT_MAX (sums of them overflow).
enum { FUZZ_FLOATS_SMALL, FUZZ_FLOATS_SPICED, FUZZ_FLOATS_RAW, FUZZ_FLOATS_WIDE, FUZZ_FLOATS_HUGE,
       FUZZ_FLOAT_MODES };

static inline float fuzz_float(fuzz_input *in, int mode) {
    switch (mode) {
    case FUZZ_FLOATS_SMALL:
        return ((float)fuzz_byte(in) - 128.0f) / 32.0f;             // [-4, 4) in steps of 1/32
    case FUZZ_FLOATS_SPICED: {
        uint8_t b = fuzz_byte(in);
        if (b >= 0xF0) return fuzz_special_floats[fuzz_byte(in) % FUZZ_SPECIALS];
        return ((float)b - 120.0f) / 16.0f;
    }
    case FUZZ_FLOATS_WIDE: {                                         // finite, any magnitude
        int8_t e = (int8_t)fuzz_byte(in);
        return ldexpf(((float)fuzz_byte(in) - 128.0f) / 128.0f, e);
    }
    case FUZZ_FLOATS_HUGE: {
        uint8_t b = fuzz_byte(in);
        return (b & 1 ? -FLT_MAX : FLT_MAX) / (float)(1 + (b >> 1) % 8);
    }
    default:
        return fuzz_bits_to_float(fuzz_u32(in));
    }
}

// An exact-size heap buffer of count floats from the input (count >= 1), so ASan sees any
// read or write past its end.
static inline float *fuzz_floats(fuzz_input *in, size_t count, int mode) {
    float *p = malloc(count * sizeof *p);
    if (!p) abort();
    for (size_t i = 0; i < count; i++) p[i] = fuzz_float(in, mode);
    return p;
}

// Temperature and scale: usual values, edge values, invalid values, or raw bits.
static inline float fuzz_temperature(fuzz_input *in) {
    static const float table[] = { 1.0f, 0.5f, 2.0f, 0.1f, 10.0f, 1e-3f, 1e3f, 1e-30f, 1e30f,
                                   FLT_MIN, 1e-45f, FLT_MAX, 0.0f, -0.0f, -1.0f, NAN, INFINITY,
                                   -INFINITY };
    uint8_t b = fuzz_byte(in);
    if (b >= 0xF8) return fuzz_bits_to_float(fuzz_u32(in));
    return table[b % (sizeof table / sizeof table[0])];
}

static inline float fuzz_scale(fuzz_input *in) {
    static const float table[] = { 0.0f, 0.0f, 1.0f, 0.25f, 4.0f, 1e-30f, 1e30f, 1e-45f,
                                   FLT_MAX, -1.0f, NAN, INFINITY, -0.0f };
    uint8_t b = fuzz_byte(in);
    if (b >= 0xF8) return fuzz_bits_to_float(fuzz_u32(in));
    return table[b % (sizeof table / sizeof table[0])];
}

// A size in 1..max, or now and then one of the invalid sizes (0, negative, too large to
// multiply): the core must turn those into an error before it touches a buffer.
static inline int fuzz_size(fuzz_input *in, int max, int *invalid) {
    static const int bad[] = { 0, -1, INT_MIN, INT_MAX };
    uint8_t b = fuzz_byte(in);
    if (b >= 0xFC) { *invalid = 1; return bad[b - 0xFC]; }
    return 1 + b % max;
}

// ---------------------------------------------------------------------------------------
// Options: a mask chosen from the input, and the rule it means, computed independently

typedef struct {
    attn_options opt;
    unsigned char *allowed;       // (n, n) heap copy for ATTN_MASK_EXPLICIT, else NULL
    int valid;                    // the options are ones the core must accept
} fuzz_options;

// Reads scale, temperature and mask for n tokens (n may be invalid: then no explicit mask).
static inline fuzz_options fuzz_read_options(fuzz_input *in, int n) {
    fuzz_options f = { attn_default_options(), NULL, 1 };
    f.opt.scale = fuzz_scale(in);
    f.opt.temperature = fuzz_temperature(in);
    uint8_t kind = fuzz_byte(in);
    f.opt.mask = kind % 7 == 5 ? 99 : kind % 7 == 6 ? -1 : kind % 7;
    f.opt.window = (int)fuzz_byte(in) % 70 - 3;       // -3..66: invalid, narrow and wide
    f.opt.globals = (int)fuzz_byte(in) % 70 - 3;
    if (f.opt.mask == ATTN_MASK_EXPLICIT && n > 0 && n <= 64 && fuzz_byte(in) != 0xFF) {
        // one bit of input per pair; mostly allowed, so rows with nothing allowed stay rare
        // enough to mean something but do happen
        size_t nn = (size_t)n * (size_t)n;
        f.allowed = malloc(nn);
        if (!f.allowed) abort();
        uint8_t bits = 0, density = fuzz_byte(in) % 4;
        for (size_t i = 0; i < nn; i++) {
            if (i % 8 == 0) bits = fuzz_byte(in);
            f.allowed[i] = density == 0 ? (bits >> (i % 8)) & 1 : (bits >> (i % 8)) & 1 ? 1 : (i % 4 != 0);
        }
        f.opt.allowed = f.allowed;
    }
    int scale_ok = isfinite(f.opt.scale) && f.opt.scale >= 0.0f;
    int temp_ok = isfinite(f.opt.temperature) && f.opt.temperature > 0.0f;
    int mask_ok = f.opt.mask == ATTN_MASK_NONE || f.opt.mask == ATTN_MASK_CAUSAL ||
                  (f.opt.mask == ATTN_MASK_WINDOW && f.opt.window >= 1) ||
                  (f.opt.mask == ATTN_MASK_EXPLICIT && f.opt.allowed) ||
                  (f.opt.mask == ATTN_MASK_BLOCK_SPARSE && f.opt.window >= 1 && f.opt.globals >= 0);
    f.valid = scale_ok && temp_ok && mask_ok;
    return f;
}

// May token i see token j? Written from the header's definitions, not from the core.
static inline int fuzz_allows(const attn_options *o, int n, int i, int j) {
    switch (o->mask) {
    case ATTN_MASK_CAUSAL:       return j <= i;
    case ATTN_MASK_WINDOW:       return j <= i && i - j < o->window;
    case ATTN_MASK_EXPLICIT:     return o->allowed[(size_t)i * n + j] != 0;
    case ATTN_MASK_BLOCK_SPARSE: return i / o->window == j / o->window || j < o->globals || i < o->globals;
    default:                     return 1;
    }
}

static inline int fuzz_row_blocked(const attn_options *o, int n, int i) {
    for (int j = 0; j < n; j++)
        if (fuzz_allows(o, n, i, j)) return 0;
    return 1;
}

// ---------------------------------------------------------------------------------------
// Invariants

#define FUZZ_FAIL(...) do { fprintf(stderr, "fuzz invariant broken: " __VA_ARGS__); \
                            fprintf(stderr, "\n"); abort(); } while (0)

// A status is 0 or a known error with a message.
static inline void fuzz_check_status(int rc, const char *call) {
    if (rc > 0 || rc < ATTN_ERR_INDEX) FUZZ_FAIL("%s returned unknown status %d", call, rc);
    const char *msg = attn_strerror(rc);
    if (!msg || !msg[0]) FUZZ_FAIL("%s: attn_strerror(%d) is empty", call, rc);
}

static inline void fuzz_check_finite(const float *x, size_t count, const char *what) {
    for (size_t i = 0; i < count; i++)
        if (!isfinite(x[i])) FUZZ_FAIL("%s[%zu] = %g after a call that returned ok", what, i, (double)x[i]);
}

// weights (rows, n): a row the mask allows something in sums to 1 within 1e-4, holds only
// values in [0, 1] and 0 where blocked; a fully blocked row is all zeros. Returns the
// number of fully blocked rows. opt NULL: nothing is masked.
static inline int fuzz_check_weights(const float *w, int rows, int n, const attn_options *opt,
                                     const char *what) {
    int blocked = 0;
    for (int i = 0; i < rows; i++) {
        const float *row = w + (size_t)i * n;
        int row_blocked = opt ? fuzz_row_blocked(opt, n, i % n) : 0;
        double sum = 0.0;
        for (int j = 0; j < n; j++) {
            if (!(row[j] >= 0.0f && row[j] <= 1.0f + 1e-5f))
                FUZZ_FAIL("%s row %d col %d = %.9g, not in [0, 1] (rounding aside)", what, i, j, (double)row[j]);
            if (opt && row[j] != 0.0f && !fuzz_allows(opt, n, i % n, j))
                FUZZ_FAIL("%s row %d col %d = %g where the mask blocks", what, i, j, (double)row[j]);
            sum += row[j];
        }
        if (row_blocked) {
            if (sum != 0.0) FUZZ_FAIL("%s row %d is fully masked but sums to %g", what, i, sum);
            blocked++;
        } else if (fabs(sum - 1.0) > 1e-4) {
            FUZZ_FAIL("%s row %d sums to %.9g, not 1", what, i, sum);
        }
    }
    return blocked;
}

#endif // FUZZ_INPUT_H

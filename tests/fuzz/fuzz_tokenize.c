/* fuzz_tokenize.c - libFuzzer target: attn_tokenize on arbitrary bytes.
   Invariants: tokens are non-empty, in order, inside the text and hold no ASCII space or
   control byte; on valid UTF-8 no token starts or ends inside a code point; at most
   max_tokens are written and *total_tokens > returned count reports truncation; a smaller
   max_tokens gives a prefix of the same tokens; empty or blank text is ATTN_ERR_EMPTY. */
#include "fuzz_input.h"

// Strict UTF-8 validity, written here independently of core/attn_utf8.h.
static int valid_utf8(const unsigned char *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        unsigned char b = s[i];
        size_t extra;
        uint32_t cp, min;
        if (b < 0x80) { i++; continue; }
        if ((b & 0xE0) == 0xC0) { extra = 1; cp = b & 0x1F; min = 0x80; }
        else if ((b & 0xF0) == 0xE0) { extra = 2; cp = b & 0x0F; min = 0x800; }
        else if ((b & 0xF8) == 0xF0) { extra = 3; cp = b & 0x07; min = 0x10000; }
        else return 0;
        if (i + extra >= len) return 0;   // truncated at the end
        for (size_t j = 1; j <= extra; j++) {
            if ((s[i + j] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        i += extra + 1;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 20) return 0;
    // a NUL-terminated heap copy of exactly size + 1 bytes, as the page would pass it
    char *text = malloc(size + 1);
    if (!text) abort();
    if (size) memcpy(text, data, size);
    text[size] = '\0';
    const int len = (int)size;

    // every token: one start and one end per byte is always enough
    const int cap = len > 0 ? len : 1;
    int *starts = malloc((size_t)cap * sizeof *starts), *ends = malloc((size_t)cap * sizeof *ends);
    int total = -1;
    int count = attn_tokenize(starts, ends, cap, text, len, &total);
    fuzz_check_status(count > 0 ? 0 : count, "attn_tokenize");
    if (count < 0) {
        if (count != ATTN_ERR_EMPTY) FUZZ_FAIL("attn_tokenize returned %d on %d bytes", count, len);
        if (total != 0) FUZZ_FAIL("empty result but total_tokens = %d", total);
        // a printable ASCII byte is always (part of) a token
        for (size_t i = 0; i < size; i++)
            if (text[i] > 0x20 && text[i] < 0x7F) FUZZ_FAIL("text with '%c' gave ATTN_ERR_EMPTY", text[i]);
    } else {
        if (count == 0 || count > cap) FUZZ_FAIL("count %d of cap %d", count, cap);
        if (total != count) FUZZ_FAIL("total %d != count %d with room for every token", total, count);
        const int utf8 = valid_utf8((const unsigned char *)text, size);
        int covered = 0;   // non-blank ASCII bytes that lie inside some token
        for (int i = 0; i < count; i++) {
            if (starts[i] < 0 || ends[i] > len || starts[i] >= ends[i])
                FUZZ_FAIL("token %d = [%d, %d) outside text of %d bytes", i, starts[i], ends[i], len);
            if (i > 0 && starts[i] < ends[i - 1])
                FUZZ_FAIL("token %d starts at %d before token %d ends at %d", i, starts[i], i - 1, ends[i - 1]);
            for (int b = starts[i]; b < ends[i]; b++) {
                unsigned char c = (unsigned char)text[b];
                if (c <= 0x20 || c == 0x7F) FUZZ_FAIL("token %d holds blank byte 0x%02x at %d", i, c, b);
                covered += c < 0x80;
            }
            if (utf8) {
                // a continuation byte 10xxxxxx is never the first byte of a code point
                if ((text[starts[i]] & 0xC0) == 0x80) FUZZ_FAIL("token %d starts inside a code point", i);
                if (ends[i] < len && (text[ends[i]] & 0xC0) == 0x80) FUZZ_FAIL("token %d ends inside a code point", i);
            }
        }
        // no printable ASCII byte is dropped: each one lies in a token
        int printable = 0;
        for (int b = 0; b < len; b++) {
            unsigned char c = (unsigned char)text[b];
            printable += c > 0x20 && c < 0x7F;
        }
        if (covered != printable) FUZZ_FAIL("%d printable ASCII bytes, %d inside tokens", printable, covered);

        // truncation: a smaller limit writes a prefix and reports the full total
        int limit = count > 1 ? count / 2 : 0;
        int *s2 = malloc((size_t)(limit ? limit : 1) * sizeof *s2), *e2 = malloc((size_t)(limit ? limit : 1) * sizeof *e2);
        int total2 = -1;
        int count2 = attn_tokenize(s2, e2, limit, text, len, &total2);
        if (count2 != limit || total2 != count)
            FUZZ_FAIL("limit %d: returned %d, total %d (want %d, %d)", limit, count2, total2, limit, count);
        for (int i = 0; i < limit; i++)
            if (s2[i] != starts[i] || e2[i] != ends[i]) FUZZ_FAIL("limit %d: token %d differs", limit, i);
        free(s2); free(e2);

        // the lesson model's limit, as the page calls it
        int s3[ATTN_MAX_TOKENS], e3[ATTN_MAX_TOKENS], total3 = -1;
        int count3 = attn_tokenize(s3, e3, ATTN_MAX_TOKENS, text, len, &total3);
        int want3 = count < ATTN_MAX_TOKENS ? count : ATTN_MAX_TOKENS;
        if (count3 != want3 || total3 != count || count3 > ATTN_MAX_TOKENS)
            FUZZ_FAIL("ATTN_MAX_TOKENS: returned %d total %d, want %d and %d", count3, total3, want3, count);
        if ((total3 > count3) != (count > ATTN_MAX_TOKENS)) FUZZ_FAIL("truncation not reported");
    }
    // NULL total is allowed, and must give the same count
    int again = attn_tokenize(starts, ends, cap, text, len, NULL);
    if (again != count) FUZZ_FAIL("second call returned %d, first %d", again, count);
    free(starts); free(ends); free(text);
    return 0;
}

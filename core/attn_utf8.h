/* attn_utf8.h - private to core/: one strict UTF-8 decoder for the tokenizer, the model and
   the command-line tool. Not part of the public API. */
#ifndef ATTN_UTF8_H
#define ATTN_UTF8_H

// Decodes the code point at s[0..len) (len >= 1). Returns the bytes it takes (1 to 4) and
// sets *cp; an invalid sequence (stray continuation, truncated, overlong, surrogate, above
// U+10FFFF) takes exactly one byte and sets *cp = -1.
static inline int attn__utf8_decode(const unsigned char *s, int len, long *cp) {
    unsigned char b = s[0];
    int extra;
    long min, c;
    if (b < 0x80) { *cp = b; return 1; }
    if (b >= 0xC2 && b <= 0xDF)      { extra = 1; min = 0x80;    c = b & 0x1F; }
    else if (b >= 0xE0 && b <= 0xEF) { extra = 2; min = 0x800;   c = b & 0x0F; }
    else if (b >= 0xF0 && b <= 0xF4) { extra = 3; min = 0x10000; c = b & 0x07; }
    else { *cp = -1; return 1; }
    if (extra >= len) { *cp = -1; return 1; }
    for (int i = 1; i <= extra; i++) {
        if ((s[i] & 0xC0) != 0x80) { *cp = -1; return 1; }
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) { *cp = -1; return 1; }
    *cp = c;
    return extra + 1;
}

#endif // ATTN_UTF8_H

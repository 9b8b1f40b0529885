/* attn_text.c - the word-level tokenizer: UTF-8 text -> byte ranges of words, numbers,
   punctuation and symbols, the way a lesson on attention splits a sentence.

   Token rules (a token is a byte range [start, end) of the text):
   - White space separates tokens and is never part of one: ASCII spaces and control bytes
     (NUL included), C1 controls, Unicode spaces (U+00A0, U+2000..U+200B, U+3000, ...),
     bidi and other invisible format marks, and the byte order mark.
   - A word is a run of letters and digits, with combining marks attached. Any code point
     that is not listed as a space, mark, punctuation, symbol or ideograph counts as a letter,
     so accented Latin, Cyrillic, Greek, Arabic, Hebrew, Hangul, Devanagari... are words.
     Inside a word these join:
       '  or U+2019  between a letter/digit and a letter   didn't, it's, trophy's, didn’t
       -  U+2010 U+2011 U+05BE  before a letter or digit   well-known, COVID-19
       .  between digits                                    3.14, v1.2
       ,  between digits, before exactly three digits       1,000  (but 1,2,3 splits)
   - Each CJK ideograph, kana or bopomofo character is its own token (no dictionary).
   - A run of full stops is one token ("..." stays together); every other punctuation
     character is its own token.
   - A symbol (emoji, currency, math, ...) is one token together with what extends it:
     combining marks, variation selectors, skin-tone modifiers, tag characters, keycap
     marks, and further symbols glued on by a zero width joiner (a family emoji is one
     token). Two regional indicators make one flag token.
   - Combining marks always stay with the character before them.
   - Invalid UTF-8 (stray continuation bytes, truncated sequences, overlongs, surrogates,
     code points past U+10FFFF) never joins anything: each invalid byte is its own token.
   One pass, no allocation, O(len). */
#include <stddef.h>
#include <stdint.h>

#include "attn.h"
#include "attn_utf8.h"                 // attn__utf8_decode(): strict, shared with the model

// ---------------------------------------------------------------------------------------
// Character classes

enum {
    CH_END,        // past the end of the text
    CH_INVALID,    // a byte that does not start valid UTF-8
    CH_SPACE,      // separates tokens, never inside one
    CH_LETTER,     // the default for code points not listed below
    CH_DIGIT,
    CH_EXTEND,     // combining marks, variation selectors, skin tones, tags, ZWNJ
    CH_ZWJ,        // zero width joiner: extends, and glues emoji together
    CH_APOSTROPHE, // ' and U+2019: inside words (didn't), else punctuation
    CH_HYPHEN,     // - and Unicode hyphens: inside words (well-known), else punctuation
    CH_DOT,        // .
    CH_COMMA,      // ,
    CH_PUNCT,      // other ASCII punctuation
    CH_SYMBOL,     // non-ASCII punctuation and symbols, emoji
    CH_FLAG,       // regional indicator: two make a flag
    CH_IDEOGRAPH,  // CJK ideographs, kana, bopomofo: one token each
};

// Classes of non-ASCII code points, sorted by lo; anything not covered is a letter.
typedef struct { uint32_t lo, hi; unsigned char cls; } char_range;

static const char_range RANGES[] = {
    {0x0080, 0x00A0, CH_SPACE},      // C1 controls, no-break space
    {0x00A1, 0x00A9, CH_SYMBOL},     // ¡ ¢ £ ¤ ¥ ¦ § ¨ ©
    {0x00AB, 0x00AC, CH_SYMBOL},     // « ¬   (U+00AA ª is a letter)
    {0x00AD, 0x00AD, CH_EXTEND},     // soft hyphen: invisible, stays in its word
    {0x00AE, 0x00B4, CH_SYMBOL},     // ® ¯ ° ± ² ³ ´
    {0x00B6, 0x00B9, CH_SYMBOL},     // ¶ · ¸ ¹   (U+00B5 µ is a letter)
    {0x00BB, 0x00BF, CH_SYMBOL},     // » ¼ ½ ¾ ¿ (U+00BA º is a letter)
    {0x00D7, 0x00D7, CH_SYMBOL},     // ×
    {0x00F7, 0x00F7, CH_SYMBOL},     // ÷
    {0x0300, 0x036F, CH_EXTEND},     // combining diacritical marks
    {0x037E, 0x037E, CH_SYMBOL},     // Greek question mark
    {0x0387, 0x0387, CH_SYMBOL},     // Greek ano teleia
    {0x0483, 0x0489, CH_EXTEND},     // Cyrillic combining marks
    {0x055A, 0x055F, CH_SYMBOL},     // Armenian punctuation
    {0x0589, 0x058A, CH_SYMBOL},
    {0x0591, 0x05BD, CH_EXTEND},     // Hebrew points and cantillation
    {0x05BE, 0x05BE, CH_HYPHEN},     // Hebrew maqaf joins words like a hyphen
    {0x05BF, 0x05BF, CH_EXTEND},
    {0x05C0, 0x05C0, CH_SYMBOL},
    {0x05C1, 0x05C2, CH_EXTEND},
    {0x05C3, 0x05C3, CH_SYMBOL},     // sof pasuq
    {0x05C4, 0x05C5, CH_EXTEND},
    {0x05C6, 0x05C6, CH_SYMBOL},
    {0x05C7, 0x05C7, CH_EXTEND},
    {0x0606, 0x060F, CH_SYMBOL},     // Arabic comma, signs
    {0x0610, 0x061A, CH_EXTEND},     // Arabic marks
    {0x061B, 0x061F, CH_SYMBOL},     // Arabic semicolon, question mark
    {0x064B, 0x065F, CH_EXTEND},     // Arabic harakat
    {0x0660, 0x0669, CH_DIGIT},      // Arabic-Indic digits
    {0x066A, 0x066D, CH_SYMBOL},     // Arabic percent, separators, star
    {0x0670, 0x0670, CH_EXTEND},
    {0x06D4, 0x06D4, CH_SYMBOL},     // Arabic full stop
    {0x06D6, 0x06DC, CH_EXTEND},
    {0x06DF, 0x06E4, CH_EXTEND},
    {0x06E7, 0x06E8, CH_EXTEND},
    {0x06EA, 0x06ED, CH_EXTEND},
    {0x06F0, 0x06F9, CH_DIGIT},      // Extended Arabic-Indic digits
    {0x0964, 0x0965, CH_SYMBOL},     // Devanagari danda
    {0x0966, 0x096F, CH_DIGIT},      // Devanagari digits
    {0x1680, 0x1680, CH_SPACE},      // Ogham space
    {0x1AB0, 0x1AFF, CH_EXTEND},     // combining marks extended
    {0x1DC0, 0x1DFF, CH_EXTEND},     // combining marks supplement
    {0x2000, 0x200B, CH_SPACE},      // en/em/thin/hair spaces, zero width space
    {0x200C, 0x200C, CH_EXTEND},     // zero width non-joiner (Persian words)
    {0x200D, 0x200D, CH_ZWJ},
    {0x200E, 0x200F, CH_SPACE},      // left-to-right / right-to-left marks
    {0x2010, 0x2011, CH_HYPHEN},     // hyphen, non-breaking hyphen
    {0x2012, 0x2018, CH_SYMBOL},     // dashes, quotes
    {0x2019, 0x2019, CH_APOSTROPHE}, // ’ typographic apostrophe
    {0x201A, 0x2027, CH_SYMBOL},     // quotes, bullets, … (one character already)
    {0x2028, 0x202F, CH_SPACE},      // line/paragraph separators, bidi embeddings, NNBSP
    {0x2030, 0x205E, CH_SYMBOL},     // ‰ ′ ‹ › ‼ ⁉ ...
    {0x205F, 0x206F, CH_SPACE},      // medium math space, word joiner, bidi isolates
    {0x20A0, 0x20CF, CH_SYMBOL},     // currency signs
    {0x20D0, 0x20FF, CH_EXTEND},     // combining marks for symbols (keycap U+20E3)
    {0x2100, 0x218F, CH_SYMBOL},     // letterlike symbols, number forms
    {0x2190, 0x27FF, CH_SYMBOL},     // arrows, math, technical, shapes, misc symbols, dingbats
    {0x2900, 0x2BFF, CH_SYMBOL},     // more arrows and math (braille, before, is letters)
    {0x2E00, 0x2E7F, CH_SYMBOL},     // supplemental punctuation
    {0x2E80, 0x2FDF, CH_IDEOGRAPH},  // CJK and Kangxi radicals
    {0x3000, 0x3000, CH_SPACE},      // ideographic space
    {0x3001, 0x3004, CH_SYMBOL},     // 、 。 〃 〄
    {0x3005, 0x3007, CH_IDEOGRAPH},  // 々 〆 〇
    {0x3008, 0x3020, CH_SYMBOL},     // CJK brackets 「」『』【】 ...
    {0x3021, 0x3029, CH_IDEOGRAPH},  // Hangzhou numerals
    {0x302A, 0x302F, CH_EXTEND},     // ideographic tone marks
    {0x3030, 0x3030, CH_SYMBOL},     // wavy dash
    {0x3031, 0x3035, CH_IDEOGRAPH},  // kana repeat marks
    {0x3036, 0x303F, CH_SYMBOL},
    {0x3041, 0x3096, CH_IDEOGRAPH},  // hiragana
    {0x3099, 0x309A, CH_EXTEND},     // combining (han)dakuten
    {0x309B, 0x30FA, CH_IDEOGRAPH},  // hiragana marks, katakana
    {0x30FB, 0x30FB, CH_SYMBOL},     // katakana middle dot
    {0x30FC, 0x30FF, CH_IDEOGRAPH},  // prolonged sound mark, katakana marks
    {0x3105, 0x312F, CH_IDEOGRAPH},  // bopomofo
    {0x3190, 0x31FF, CH_IDEOGRAPH},  // kanbun, bopomofo extended, strokes, katakana ext.
    {0x3200, 0x33FF, CH_SYMBOL},     // enclosed CJK, CJK compatibility (㊗ ㎏)
    {0x3400, 0x4DBF, CH_IDEOGRAPH},  // CJK extension A
    {0x4DC0, 0x4DFF, CH_SYMBOL},     // Yijing hexagrams
    {0x4E00, 0x9FFF, CH_IDEOGRAPH},  // CJK unified ideographs
    {0xE000, 0xF8FF, CH_SYMBOL},     // private use
    {0xF900, 0xFAFF, CH_IDEOGRAPH},  // CJK compatibility ideographs
    {0xFE00, 0xFE0F, CH_EXTEND},     // variation selectors (emoji / text style)
    {0xFE10, 0xFE1F, CH_SYMBOL},     // vertical forms
    {0xFE20, 0xFE2F, CH_EXTEND},     // combining half marks
    {0xFE30, 0xFE6F, CH_SYMBOL},     // CJK compatibility forms, small forms
    {0xFEFF, 0xFEFF, CH_SPACE},      // byte order mark
    {0xFF01, 0xFF0F, CH_SYMBOL},     // fullwidth punctuation
    {0xFF10, 0xFF19, CH_DIGIT},      // fullwidth digits
    {0xFF1A, 0xFF20, CH_SYMBOL},
    {0xFF3B, 0xFF40, CH_SYMBOL},
    {0xFF5B, 0xFF65, CH_SYMBOL},
    {0xFF66, 0xFF9D, CH_IDEOGRAPH},  // halfwidth katakana
    {0xFF9E, 0xFF9F, CH_EXTEND},     // halfwidth (han)dakuten
    {0xFFE0, 0xFFFF, CH_SYMBOL},     // fullwidth signs, specials, replacement character
    {0x1D000, 0x1D24F, CH_SYMBOL},   // musical symbols
    {0x1F000, 0x1F1E5, CH_SYMBOL},   // mahjong, dominoes, cards, enclosed alphanumerics
    {0x1F1E6, 0x1F1FF, CH_FLAG},     // regional indicators A..Z
    {0x1F200, 0x1F3FA, CH_SYMBOL},   // enclosed ideographs, pictographs
    {0x1F3FB, 0x1F3FF, CH_EXTEND},   // skin-tone modifiers
    {0x1F400, 0x1FBFF, CH_SYMBOL},   // pictographs, emoticons, transport, ..., legacy computing
    {0x20000, 0x3FFFF, CH_IDEOGRAPH},// CJK extensions B.., compatibility supplement
    {0xE0000, 0xE007F, CH_EXTEND},   // tags (subdivision flags like England's)
    {0xE0100, 0xE01EF, CH_EXTEND},   // variation selectors supplement
    {0xF0000, 0x10FFFF, CH_SYMBOL},  // supplementary private use
};

static int char_class(uint32_t cp) {
    if (cp < 0x80) {
        if (cp <= 0x20 || cp == 0x7F) return CH_SPACE;     // controls, NUL, space, DEL
        if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') return CH_LETTER;
        if (cp >= '0' && cp <= '9') return CH_DIGIT;
        if (cp == '\'') return CH_APOSTROPHE;
        if (cp == '-') return CH_HYPHEN;
        if (cp == '.') return CH_DOT;
        if (cp == ',') return CH_COMMA;
        return CH_PUNCT;
    }
    // binary search for the last range with lo <= cp
    int lo = 0, hi = (int)(sizeof(RANGES) / sizeof(RANGES[0])) - 1, found = -1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (RANGES[mid].lo <= cp) { found = mid; lo = mid + 1; }
        else hi = mid - 1;
    }
    if (found >= 0 && cp <= RANGES[found].hi) return RANGES[found].cls;
    return CH_LETTER;
}

// ---------------------------------------------------------------------------------------
// A cursor over the text

typedef struct {
    const unsigned char *s;
    int len;
} text_view;

// Class and byte length of the character at pos (an invalid byte counts as one byte;
// CH_END with length 0 at the end).
static int peek(const text_view *t, int pos, int *cls) {
    if (pos >= t->len) { *cls = CH_END; return 0; }
    long cp = -1;
    int n = attn__utf8_decode(t->s + pos, t->len - pos, &cp);
    *cls = cp < 0 ? CH_INVALID : char_class((uint32_t)cp);   // an invalid byte: n == 1
    return n;
}

static int is_word_char(int cls) { return cls == CH_LETTER || cls == CH_DIGIT; }

// Skips what extends the character before pos (marks, selectors, modifiers, ZWJ).
static int skip_extends(const text_view *t, int pos) {
    int cls, n;
    while ((n = peek(t, pos, &cls)) > 0 && (cls == CH_EXTEND || cls == CH_ZWJ)) pos += n;
    return pos;
}

// True when exactly three digits (marks allowed after each) start at pos, and no
// fourth digit follows: the thousands group after a comma in 1,000.
static int three_digits_at(const text_view *t, int pos) {
    int cls;
    for (int i = 0; i < 3; i++) {
        int n = peek(t, pos, &cls);
        if (cls != CH_DIGIT) return 0;
        pos = skip_extends(t, pos + n);
    }
    peek(t, pos, &cls);
    return cls != CH_DIGIT;
}

// ---------------------------------------------------------------------------------------
// Scanning one token; each returns the end of the token that starts at pos

// A word or number: letters and digits, joined by ' - . , where the rules at the top allow.
static int scan_word(const text_view *t, int pos, int first_cls, int first_len) {
    int last = first_cls;                      // class of the last letter/digit (marks skipped)
    pos += first_len;
    for (;;) {
        int cls, n = peek(t, pos, &cls);
        if (is_word_char(cls)) { last = cls; pos += n; continue; }
        if (cls == CH_EXTEND || cls == CH_ZWJ) { pos += n; continue; }
        if (cls != CH_APOSTROPHE && cls != CH_HYPHEN && cls != CH_DOT && cls != CH_COMMA) break;
        int next, m = peek(t, pos + n, &next);
        int joins = 0;
        if (cls == CH_APOSTROPHE) joins = next == CH_LETTER;             // didn't, 90's
        else if (cls == CH_HYPHEN) joins = is_word_char(next);           // well-known
        else if (cls == CH_DOT) joins = last == CH_DIGIT && next == CH_DIGIT;  // 3.14
        else joins = last == CH_DIGIT && three_digits_at(t, pos + n);    // 1,000
        if (!joins) break;
        last = next;
        pos += n + m;
    }
    return pos;
}

// Punctuation or a symbol: the character, what extends it, and emoji joined by ZWJ.
static int scan_symbol(const text_view *t, int pos, int first_len) {
    pos += first_len;
    for (;;) {
        int cls, n = peek(t, pos, &cls);
        if (cls == CH_EXTEND) { pos += n; continue; }
        if (cls != CH_ZWJ) break;
        pos += n;                              // the joiner always stays with the symbol
        int next, m = peek(t, pos, &next);
        if (next == CH_SYMBOL) pos += m;       // 👨‍👩‍👧: the joined emoji too
    }
    return pos;
}

// Returns the end of the token starting at pos (a non-space character of class cls).
static int scan_token(const text_view *t, int pos, int cls, int n) {
    switch (cls) {
    case CH_INVALID:
        return pos + 1;                        // one byte, joins nothing
    case CH_LETTER:
    case CH_DIGIT:
        return scan_word(t, pos, cls, n);
    case CH_IDEOGRAPH:
        return skip_extends(t, pos + n);
    case CH_FLAG: {
        int next, m = peek(t, pos + n, &next);
        if (next == CH_FLAG) n += m;           // a pair of regional indicators is a flag
        return skip_extends(t, pos + n);
    }
    case CH_DOT: {
        int next;
        pos += n;
        while (peek(t, pos, &next) > 0 && next == CH_DOT) pos++;   // "..." is one token
        return skip_extends(t, pos);
    }
    default:                                   // punctuation, symbols, a mark with no base
        return scan_symbol(t, pos, n);
    }
}

// ---------------------------------------------------------------------------------------
// The tokenizer

int attn_tokenize(int *starts, int *ends, int max_tokens, const char *text, int text_len,
                  int *total_tokens) {
    if (total_tokens) *total_tokens = 0;
    if (!starts || !ends) return ATTN_ERR_NULL;
    if (text_len < 0 || max_tokens < 0) return ATTN_ERR_SIZE;
    if (!text && text_len > 0) return ATTN_ERR_NULL;
    if (text_len == 0) return ATTN_ERR_EMPTY;

    text_view t = { (const unsigned char *)text, text_len };
    int count = 0, pos = 0;
    while (pos < text_len) {
        int cls, n = peek(&t, pos, &cls);
        if (cls == CH_SPACE) { pos += n; continue; }
        int end = scan_token(&t, pos, cls, n);
        if (count < max_tokens) { starts[count] = pos; ends[count] = end; }
        count++;                               // keeps counting past max_tokens
        pos = end;
    }
    if (total_tokens) *total_tokens = count;
    if (count == 0) return ATTN_ERR_EMPTY;
    return count < max_tokens ? count : max_tokens;
}

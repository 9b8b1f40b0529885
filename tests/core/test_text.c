/* test_text.c - native tests of attn_tokenize(): exact tokens and offsets for the lesson's
   sentences and the hard cases (contractions, numbers, emoji, combining marks, CJK, RTL,
   invalid UTF-8), every status code, and invariants over pseudo-random byte strings. */
#include <string.h>

#include "attn.h"
#include "check.h"

#define CAP 512
static int starts[CAP], ends[CAP];

// ---------------------------------------------------------------------------------------
// Helpers

// Tokenizes text[0..len) and checks that the tokens are exactly want (NULL-terminated).
static void expect_len(const char *text, int len, const char *const *want, const char *label) {
    int total = -1;
    int n = attn_tokenize(starts, ends, CAP, text, len, &total);
    int nwant = 0;
    while (want[nwant]) nwant++;
    check(n == nwant && total == nwant, "%s: %d tokens (total %d), want %d", label, n, total,
          nwant);
    int ok = n == nwant;
    for (int i = 0; ok && i < n; i++) {
        int w = (int)strlen(want[i]);
        ok = ends[i] - starts[i] == w && memcmp(text + starts[i], want[i], (size_t)w) == 0;
        check(ok, "%s: token %d is \"%.*s\", want \"%s\"", label, i, ends[i] - starts[i],
              text + starts[i], want[i]);
    }
    if (!ok) {
        printf("    got:");
        for (int i = 0; i < n && i < 40; i++)
            printf(" [%.*s]", ends[i] - starts[i], text + starts[i]);
        printf("\n");
    }
}

static void expect(const char *text, const char *const *want, const char *label) {
    expect_len(text, (int)strlen(text), want, label);
}

#define TOKENS(...) ((const char *const[]){__VA_ARGS__, NULL})

// An independent strict UTF-8 decoder for the invariants: length of the code point at s
// (1..4) with *cp, or 0 when s[0] is an invalid byte.
static int ref_decode(const unsigned char *s, int n, unsigned long *cp) {
    static const unsigned long min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    int len = s[0] < 0x80 ? 1 : s[0] >= 0xC0 && s[0] < 0xE0 ? 2 : s[0] >= 0xE0 && s[0] < 0xF0 ? 3
            : s[0] >= 0xF0 && s[0] < 0xF8 ? 4 : 0;
    if (len == 0 || len > n) return 0;
    unsigned long v = len == 1 ? s[0] : s[0] & (0x7Fu >> len);
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (v < min_for_len[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return len;
}

static int ref_is_space(unsigned long cp) {
    return cp <= 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0xA0) || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200B) || cp == 0x200E || cp == 0x200F ||
           (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x205F && cp <= 0x206F) ||
           cp == 0x3000 || cp == 0xFEFF;
}

// Checks the tokenizer's promises on any input; returns 1 when all hold (quiet on success
// so the property test can run thousands of strings).
static int invariants_hold(const unsigned char *s, int len, const char *label) {
    static int st[4096], en[4096];
    static unsigned char boundary[4097], in_token[4097], invalid[4097];
    int total = -1;
    int n = attn_tokenize(st, en, 4096, (const char *)s, len, &total);
    if (n == ATTN_ERR_EMPTY) n = 0;
    int ok = n >= 0 && total == n;
    // reference: code point boundaries and which code points are white space
    memset(boundary, 0, (size_t)len + 1);
    memset(in_token, 0, (size_t)len + 1);
    memset(invalid, 0, (size_t)len + 1);
    for (int p = 0; p < len;) {
        unsigned long cp = 0;
        int k = ref_decode(s + p, len - p, &cp);
        boundary[p] = 1;
        if (k == 0) { invalid[p] = 1; k = 1; }
        p += k;
    }
    boundary[len] = 1;
    for (int i = 0; ok && i < n; i++) {
        ok = st[i] >= 0 && st[i] < en[i] && en[i] <= len && (i == 0 || st[i] >= en[i - 1]);
        ok = ok && boundary[st[i]] && boundary[en[i]];
        if (ok && invalid[st[i]]) ok = en[i] == st[i] + 1;   // an invalid byte stands alone
        for (int p = st[i]; ok && p < en[i]; p++) {
            in_token[p] = 1;
            if (p > st[i] && invalid[p]) ok = 0;             // never inside a longer token
        }
    }
    // every code point is either in a token or white space, never both
    for (int p = 0; ok && p < len;) {
        unsigned long cp = 0;
        int k = ref_decode(s + p, len - p, &cp);
        if (k == 0) { ok = in_token[p]; k = 1; }
        else ok = in_token[p] != ref_is_space(cp);
        p += k;
    }
    if (!ok) {
        check(0, "%s: invariants broken (n %d, total %d, len %d)", label, n, total, len);
        printf("    bytes:");
        for (int p = 0; p < len && p < 64; p++) printf(" %02x", s[p]);
        printf("\n    tokens:");
        for (int i = 0; i < n && i < 32; i++) printf(" [%d,%d)", st[i], en[i]);
        printf("\n");
    }
    return ok;
}

// ---------------------------------------------------------------------------------------
// The lesson's sentences

static void test_lesson_sentences(void) {
    const char *s = "The trophy didn't fit in the suitcase because it was too big.";
    expect(s, TOKENS("The", "trophy", "didn't", "fit", "in", "the", "suitcase", "because",
                     "it", "was", "too", "big", "."), "trophy");
    static const int want_start[13] = {0, 4, 11, 18, 22, 25, 29, 38, 46, 49, 53, 57, 60};
    static const int want_end[13] = {3, 10, 17, 21, 24, 28, 37, 45, 48, 52, 56, 60, 61};
    int total = 0;
    int n = attn_tokenize(starts, ends, CAP, s, (int)strlen(s), &total);
    check(n == 13 && total == 13, "trophy: 13 tokens, got %d", n);
    int same = n == 13;
    for (int i = 0; same && i < 13; i++)
        same = starts[i] == want_start[i] && ends[i] == want_end[i];
    check(same, "trophy: byte offsets");

    expect("The agent paid the merchant after checking its budget.",
           TOKENS("The", "agent", "paid", "the", "merchant", "after", "checking", "its",
                  "budget", "."), "agent");
    expect("The animal didn't cross the road because it was tired.",
           TOKENS("The", "animal", "didn't", "cross", "the", "road", "because", "it", "was",
                  "tired", "."), "animal");
    expect("The cat sat on the mat because it was soft.",
           TOKENS("The", "cat", "sat", "on", "the", "mat", "because", "it", "was", "soft",
                  "."), "cat");
    expect("  The trophy\tdidn’t\nfit.  ", TOKENS("The", "trophy", "didn’t", "fit", "."),
           "leading, trailing and mixed white space");
}

// ---------------------------------------------------------------------------------------
// Words: contractions, hyphens, numbers, punctuation

static void test_contractions(void) {
    expect("didn't it's trophy's I'm they're y'all",
           TOKENS("didn't", "it's", "trophy's", "I'm", "they're", "y'all"), "ASCII apostrophe");
    expect("didn’t it’s trophy’s", TOKENS("didn’t", "it’s", "trophy’s"),
           "typographic apostrophe U+2019");
    expect("rock'n'roll the 90's", TOKENS("rock'n'roll", "the", "90's"), "inner apostrophes");
    expect("'quoted' students' ’tis",
           TOKENS("'", "quoted", "'", "students", "'", "’", "tis"),
           "apostrophes at word edges are punctuation");
    expect("‘hi’ \"yes\"", TOKENS("‘", "hi", "’", "\"", "yes", "\""), "quotes");
    expect("it' s", TOKENS("it", "'", "s"), "apostrophe before a space");
}

static void test_hyphens(void) {
    expect("well-known COVID-19 e-mail state-of-the-art",
           TOKENS("well-known", "COVID-19", "e-mail", "state-of-the-art"), "hyphenated words");
    expect("a - b -- re- -5 x--y",
           TOKENS("a", "-", "b", "-", "-", "re", "-", "-", "5", "x", "-", "-", "y"),
           "hyphens outside words");
    expect("non\xE2\x80\x91stop", TOKENS("non\xE2\x80\x91stop"), "non-breaking hyphen U+2011");
    expect("2020\xE2\x80\x93" "2026", TOKENS("2020", "\xE2\x80\x93", "2026"), "en dash splits");
}

static void test_numbers(void) {
    expect("3.14 1,000 2026 1,000,000 0.5 1,000.25",
           TOKENS("3.14", "1,000", "2026", "1,000,000", "0.5", "1,000.25"), "numbers");
    expect("1,2,3 10,00 3. .5 1.2.3",
           TOKENS("1", ",", "2", ",", "3", "10", ",", "00", "3", ".", ".", "5", "1.2.3"),
           "commas and dots that do not make a number");
    expect("It costs $4.99, or 5%.",
           TOKENS("It", "costs", "$", "4.99", ",", "or", "5", "%", "."), "prices");
    expect("3rd mp3 v1.2", TOKENS("3rd", "mp3", "v1.2"), "letters and digits mix");
    expect("a.b end.Next", TOKENS("a", ".", "b", "end", ".", "Next"),
           "a dot between letters splits");
    expect("\xD9\xA1\xD9\xA2\xD9\xA3.\xD9\xA4", TOKENS("\xD9\xA1\xD9\xA2\xD9\xA3.\xD9\xA4"),
           "Arabic-Indic digits with a decimal dot");
}

static void test_punctuation(void) {
    expect("Hi!? (yes) [no]; a:b",
           TOKENS("Hi", "!", "?", "(", "yes", ")", "[", "no", "]", ";", "a", ":", "b"),
           "each punctuation mark is a token");
    expect("Wait... what.. ok.", TOKENS("Wait", "...", "what", "..", "ok", "."),
           "a run of dots is one token");
    expect("Wait\xE2\x80\xA6", TOKENS("Wait", "\xE2\x80\xA6"), "U+2026 ellipsis");
    expect("<script>alert(1)</script>",
           TOKENS("<", "script", ">", "alert", "(", "1", ")", "<", "/", "script", ">"),
           "markup is just punctuation");
    expect("\xC2\xBFQu\xC3\xA9? \xC2\xA1S\xC3\xAD!",
           TOKENS("\xC2\xBF", "Qu\xC3\xA9", "?", "\xC2\xA1", "S\xC3\xAD", "!"), "Spanish marks");
    expect("a_b #tag @me", TOKENS("a", "_", "b", "#", "tag", "@", "me"), "ASCII symbols");
}

// ---------------------------------------------------------------------------------------
// Unicode: emoji, combining marks, scripts, spaces

static void test_emoji(void) {
    expect("I \xE2\x9D\xA4\xEF\xB8\x8F pizza \xF0\x9F\x8D\x95",
           TOKENS("I", "\xE2\x9D\xA4\xEF\xB8\x8F", "pizza", "\xF0\x9F\x8D\x95"),
           "heart with variation selector, pizza");
    const char *family = "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D"
                         "\xF0\x9F\x91\xA7\xE2\x80\x8D\xF0\x9F\x91\xA6";   // family
    expect(family, TOKENS(family), "ZWJ family is one token");
    expect("\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA",
           TOKENS("\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7", "\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA"),
           "two flags side by side are two tokens");
    expect("\xF0\x9F\x87\xAB", TOKENS("\xF0\x9F\x87\xAB"), "a lone regional indicator");
    expect("ok\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD!",
           TOKENS("ok", "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD", "!"), "skin tone stays on thumbs up");
    expect("1\xEF\xB8\x8F\xE2\x83\xA3 #\xEF\xB8\x8F\xE2\x83\xA3",
           TOKENS("1\xEF\xB8\x8F\xE2\x83\xA3", "#\xEF\xB8\x8F\xE2\x83\xA3"), "keycaps");
    const char *rainbow = "\xF0\x9F\x8F\xB3\xEF\xB8\x8F\xE2\x80\x8D\xF0\x9F\x8C\x88";
    expect(rainbow, TOKENS(rainbow), "rainbow flag (VS + ZWJ)");
    const char *england = "\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xA5"
                          "\xF3\xA0\x81\xAE\xF3\xA0\x81\xA7\xF3\xA0\x81\xBF";
    expect(england, TOKENS(england), "tag sequence flag (England)");
    const char *coder = "\xF0\x9F\xA7\x91\xF0\x9F\x8F\xBF\xE2\x80\x8D\xF0\x9F\x92\xBB";
    expect(coder, TOKENS(coder), "skin tone inside a ZWJ sequence");
    expect("hi\xF0\x9F\x98\x80there\xF0\x9F\x98\x80\xF0\x9F\x98\x80",
           TOKENS("hi", "\xF0\x9F\x98\x80", "there", "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"),
           "emoji between words; two emoji are two tokens");
    expect("\xE2\x80\x8D\xF0\x9F\x98\x80", TOKENS("\xE2\x80\x8D", "\xF0\x9F\x98\x80"),
           "a leading joiner has no base: its own token");
    expect("\xF0\x9F\x98\x80\xE2\x80\x8D" "a", TOKENS("\xF0\x9F\x98\x80\xE2\x80\x8D", "a"),
           "a joiner before a letter stays with the emoji only");
}

static void test_combining_marks(void) {
    expect("cafe\xCC\x81 na\xC3\xAFve", TOKENS("cafe\xCC\x81", "na\xC3\xAFve"),
           "decomposed and precomposed accents");
    expect("e\xCC\x81\xCC\x82\xCC\xA3x", TOKENS("e\xCC\x81\xCC\x82\xCC\xA3x"),
           "stacked marks stay in the word");
    expect("!\xCC\x81 9\xCC\x81", TOKENS("!\xCC\x81", "9\xCC\x81"),
           "a mark stays on punctuation and digits");
    expect("\xCC\x81" "a", TOKENS("\xCC\x81", "a"), "a mark with no base is its own token");
    expect("a \xCC\x81\xCC\x81", TOKENS("a", "\xCC\x81\xCC\x81"), "marks after a space");
    expect("\xE6\xBC\xA2\xF3\xA0\x84\x80\xE5\xAD\x97",
           TOKENS("\xE6\xBC\xA2\xF3\xA0\x84\x80", "\xE5\xAD\x97"),
           "ideographic variation selector stays on its ideograph");
    expect("\xE3\x81\x8B\xE3\x82\x99", TOKENS("\xE3\x81\x8B\xE3\x82\x99"),
           "combining dakuten stays on its kana");
}

static void test_scripts(void) {
    expect("\xE6\x88\x91\xE7\x88\xB1\xE4\xBD\xA0\xE3\x80\x82",   // 我爱你。
           TOKENS("\xE6\x88\x91", "\xE7\x88\xB1", "\xE4\xBD\xA0", "\xE3\x80\x82"),
           "Chinese: one ideograph per token");
    expect("\xE6\x97\xA5\xE6\x9C\xAC\xE3\x81\xAE\xE3\x83\x86\xE3\x82\xAD",  // 日本のテキ
           TOKENS("\xE6\x97\xA5", "\xE6\x9C\xAC", "\xE3\x81\xAE", "\xE3\x83\x86",
                  "\xE3\x82\xAD"), "Japanese: kanji and kana one each");
    expect("AI\xE6\x98\xAF" "ok", TOKENS("AI", "\xE6\x98\xAF", "ok"), "Latin around CJK");
    expect("\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4 \xEB\xAC\xB8\xEC\x9E\xA5",  // 한국어 문장
           TOKENS("\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4", "\xEB\xAC\xB8\xEC\x9E\xA5"),
           "Korean words are split by spaces");
    // مرحبا بالعالم، كيف؟
    expect("\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 \xD8\xA8\xD8\xA7\xD9\x84\xD8\xB9\xD8\xA7"
           "\xD9\x84\xD9\x85\xD8\x8C \xD9\x83\xD9\x8A\xD9\x81\xD8\x9F",
           TOKENS("\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7",
                  "\xD8\xA8\xD8\xA7\xD9\x84\xD8\xB9\xD8\xA7\xD9\x84\xD9\x85", "\xD8\x8C",
                  "\xD9\x83\xD9\x8A\xD9\x81", "\xD8\x9F"), "Arabic with its comma and ?");
    // مَرْحَبًا: harakat are marks inside the word
    expect("\xD9\x85\xD9\x8E\xD8\xB1\xD9\x92\xD8\xAD\xD9\x8E\xD8\xA8\xD9\x8B\xD8\xA7",
           TOKENS("\xD9\x85\xD9\x8E\xD8\xB1\xD9\x92\xD8\xAD\xD9\x8E\xD8\xA8\xD9\x8B\xD8\xA7"),
           "Arabic with harakat");
    // שָׁלוֹם עוֹלָם and בֵּית־סֵפֶר (maqaf joins)
    expect("\xD7\xA9\xD7\x81\xD6\xB8\xD7\x9C\xD7\x95\xD6\xB9\xD7\x9D \xD7\xA2\xD7\x95\xD7\x9C"
           "\xD7\x9D.",
           TOKENS("\xD7\xA9\xD7\x81\xD6\xB8\xD7\x9C\xD7\x95\xD6\xB9\xD7\x9D",
                  "\xD7\xA2\xD7\x95\xD7\x9C\xD7\x9D", "."), "Hebrew with points");
    expect("\xD7\x91\xD7\x99\xD7\xAA\xD6\xBE\xD7\xA1\xD7\xA4\xD7\xA8",
           TOKENS("\xD7\x91\xD7\x99\xD7\xAA\xD6\xBE\xD7\xA1\xD7\xA4\xD7\xA8"),
           "Hebrew maqaf joins like a hyphen");
    expect("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82, \xD0\xBC\xD0\xB8\xD1\x80!",
           TOKENS("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82", ",",
                  "\xD0\xBC\xD0\xB8\xD1\x80", "!"), "Cyrillic");
    expect("\xCE\xBA\xCF\x8C\xCF\x83\xCE\xBC\xCE\xB5\xCD\xBE",            // κόσμε;
           TOKENS("\xCE\xBA\xCF\x8C\xCF\x83\xCE\xBC\xCE\xB5", "\xCD\xBE"),
           "Greek with its question mark");
    expect("\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87 "
           "\xE0\xA4\xA6\xE0\xA5\x81\xE0\xA4\xA8\xE0\xA4\xBF\xE0\xA4\xAF\xE0\xA4\xBE\xE0\xA5\xA4",
           TOKENS("\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87",
                  "\xE0\xA4\xA6\xE0\xA5\x81\xE0\xA4\xA8\xE0\xA4\xBF\xE0\xA4\xAF\xE0\xA4\xBE",
                  "\xE0\xA5\xA4"), "Devanagari with danda");
    expect("The \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D caf\xC3\xA9 \xE6\x9D\xB1 \xF0\x9F\x98\x80 42",
           TOKENS("The", "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D", "caf\xC3\xA9", "\xE6\x9D\xB1",
                  "\xF0\x9F\x98\x80", "42"), "mixed scripts");
}

static void test_white_space(void) {
    expect("a\xC2\xA0" "b\xE3\x80\x80" "c\xE2\x80\x83" "d\xE2\x80\xAF" "e\xEF\xBB\xBF" "f",
           TOKENS("a", "b", "c", "d", "e", "f"), "NBSP, ideographic, em, narrow NBSP, BOM");
    expect_len("a\0b\x01\x7F" "c", 6, TOKENS("a", "b", "c"), "NUL and control bytes");
    expect("\xE2\x80\x8F\xD7\x90\xE2\x80\x8E" "b", TOKENS("\xD7\x90", "b"),
           "RLM and LRM are white space");
    expect("x\xE2\x80\x8By", TOKENS("x", "y"), "zero width space separates");
    expect("\xD9\x85\xD9\x8A\xE2\x80\x8C\xD8\xAE\xD9\x88\xD8\xA7\xD9\x87\xD9\x85",
           TOKENS("\xD9\x85\xD9\x8A\xE2\x80\x8C\xD8\xAE\xD9\x88\xD8\xA7\xD9\x87\xD9\x85"),
           "ZWNJ stays inside a Persian word");
}

// ---------------------------------------------------------------------------------------
// Invalid UTF-8

static void test_invalid_utf8(void) {
    expect("\x80", TOKENS("\x80"), "stray continuation byte");
    expect("a\xFF" "b", TOKENS("a", "\xFF", "b"), "an invalid byte splits a word");
    expect("\xC0\xAF", TOKENS("\xC0", "\xAF"), "overlong '/' is two bytes");
    expect("\xE0\x80\xAF", TOKENS("\xE0", "\x80", "\xAF"), "overlong 3-byte");
    expect("\xF0\x80\x80\xAF", TOKENS("\xF0", "\x80", "\x80", "\xAF"), "overlong 4-byte");
    expect("\xED\xA0\x80", TOKENS("\xED", "\xA0", "\x80"), "surrogate U+D800");
    expect("\xF4\x90\x80\x80", TOKENS("\xF4", "\x90", "\x80", "\x80"), "past U+10FFFF");
    expect("\xF5\xBF\xBF\xBF", TOKENS("\xF5", "\xBF", "\xBF", "\xBF"), "lead byte F5");
    expect("ab\xE2\x82", TOKENS("ab", "\xE2", "\x82"), "truncated at the end");
    expect("\xE2\x82x", TOKENS("\xE2", "\x82", "x"), "truncated before ASCII");
    expect("\xF0\x9F\x98 ok", TOKENS("\xF0", "\x9F", "\x98", "ok"), "truncated emoji");
    expect("\xC3\xA9\x80\xC3\xA9", TOKENS("\xC3\xA9", "\x80", "\xC3\xA9"),
           "valid letters around an invalid byte");
    expect("\xF0\x9F\x98\x80\xCC", TOKENS("\xF0\x9F\x98\x80", "\xCC"),
           "truncated mark after an emoji");
    expect("\xE2\x80\xA8\xE2\x80", TOKENS("\xE2", "\x80"),
           "a valid separator, then a truncated one");
    expect("\xEF\xBF\xBF\xF4\x8F\xBF\xBF", TOKENS("\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF"),
           "U+FFFF and U+10FFFF are valid code points");
}

// ---------------------------------------------------------------------------------------
// Status codes, counting and truncation

static void test_status_codes(void) {
    int total = 123;
    int rc = attn_tokenize(starts, ends, CAP, "", 0, &total);
    check(rc == ATTN_ERR_EMPTY && total == 0, "empty text: %d total %d", rc, total);
    total = 123;
    rc = attn_tokenize(starts, ends, CAP, " \t\r\n\xC2\xA0\xE3\x80\x80", 10, &total);
    check(rc == ATTN_ERR_EMPTY && total == 0, "white space only: %d total %d", rc, total);
    rc = attn_tokenize(starts, ends, CAP, NULL, 0, &total);
    check(rc == ATTN_ERR_EMPTY && total == 0, "NULL text of length 0: %d", rc);
    rc = attn_tokenize(starts, ends, CAP, "abc", 0, NULL);
    check(rc == ATTN_ERR_EMPTY, "length 0 ignores the bytes: %d", rc);
    rc = attn_tokenize(starts, ends, CAP, NULL, 3, &total);
    check(rc == ATTN_ERR_NULL && total == 0, "NULL text of length 3: %d", rc);
    rc = attn_tokenize(NULL, ends, CAP, "abc", 3, &total);
    check(rc == ATTN_ERR_NULL, "NULL starts: %d", rc);
    rc = attn_tokenize(starts, NULL, CAP, "abc", 3, &total);
    check(rc == ATTN_ERR_NULL, "NULL ends: %d", rc);
    rc = attn_tokenize(starts, ends, CAP, "abc", -1, &total);
    check(rc == ATTN_ERR_SIZE && total == 0, "negative length: %d", rc);
    rc = attn_tokenize(starts, ends, -1, "abc", 3, &total);
    check(rc == ATTN_ERR_SIZE, "negative max_tokens: %d", rc);
    rc = attn_tokenize(starts, ends, CAP, "a b", 3, NULL);
    check(rc == 2, "total_tokens may be NULL: %d", rc);
    rc = attn_tokenize(starts, ends, CAP, "abc def", 3, &total);
    check(rc == 1 && total == 1 && ends[0] == 3, "text_len limits the text: %d", rc);
}

static void test_truncation(void) {
    static char text[300 * 8];
    int len = 0;
    for (int i = 0; i < 300; i++) len += sprintf(text + len, "w%d ", i);
    int total = 0;
    int n = attn_tokenize(starts, ends, ATTN_MAX_TOKENS, text, len, &total);
    check(n == 256 && total == 300, "300 words, max 256: %d of %d", n, total);
    check(memcmp(text + starts[255], "w255", 4) == 0 && ends[255] - starts[255] == 4,
          "token 255 is w255");

    for (int i = 0; i < CAP; i++) starts[i] = ends[i] = -7;
    n = attn_tokenize(starts, ends, 0, text, len, &total);
    check(n == 0 && total == 300, "max_tokens 0 only counts: %d of %d", n, total);
    check(starts[0] == -7 && ends[0] == -7, "max_tokens 0 writes nothing");

    n = attn_tokenize(starts, ends, 3, "a b c", 5, &total);
    check(n == 3 && total == 3, "exactly max tokens: %d of %d", n, total);
    check(starts[3] == -7, "nothing written past max_tokens");
    n = attn_tokenize(starts, ends, 1, "   ", 3, &total);
    check(n == ATTN_ERR_EMPTY && total == 0, "white space with max 1: %d", n);
}

// ---------------------------------------------------------------------------------------
// Properties over pseudo-random byte strings

// A seeded LCG (glibc's constants) kept below 2^31, so no arithmetic ever wraps.
static unsigned long long lcg_state = 12345;
static unsigned lcg_next(void) {
    lcg_state = (lcg_state * 1103515245ull + 12345ull) & 0x7FFFFFFFull;
    return (unsigned)(lcg_state >> 8);
}

static void test_random_invariants(void) {
    // pieces that exercise every rule, mixed with raw random bytes
    static const char *pieces[] = {
        "a", "Z", "\xC3\xA9", "\xD0\xB6", "\xD7\xA9", "\xD9\x85", "\xE6\xBC\xA2", "\xE3\x81\x8B",
        "1", "0", "\xD9\xA3", "'", "\xE2\x80\x99", "-", "\xE2\x80\x91", ".", ",", "!", " ",
        "\t", "\n", "\xC2\xA0", "\xE3\x80\x80", "\xCC\x81", "\xE2\x80\x8D", "\xE2\x80\x8C",
        "\xEF\xB8\x8F", "\xF0\x9F\x98\x80", "\xF0\x9F\x91\xA9", "\xF0\x9F\x8F\xBD",
        "\xF0\x9F\x87\xAB", "\xF3\xA0\x81\xA7", "\xE2\x83\xA3", "\xE2\x9D\xA4", "\x80", "\xFF",
        "\xC0", "\xE2\x82", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF0\x9F\x98", "\xE2\x80\x8F",
    };
    int npieces = (int)(sizeof(pieces) / sizeof(pieces[0]));
    static unsigned char buf[600];
    int failures = 0, runs = 4000;
    for (int r = 0; r < runs && failures < 5; r++) {
        int len = 0, target = (int)(lcg_next() % 120);
        while (len < target) {
            if (r % 3 == 0) {
                buf[len++] = (unsigned char)lcg_next();           // raw bytes
            } else {
                const char *p = pieces[lcg_next() % (unsigned)npieces];
                size_t k = strlen(p);
                memcpy(buf + len, p, k);
                len += (int)k;
            }
        }
        if (!invariants_hold(buf, len, "random")) failures++;
        // a truncated call reports the same first tokens and the same total
        int total = 0, t2 = 0;
        int full = attn_tokenize(starts, ends, CAP, (const char *)buf, len, &total);
        int s0 = full > 0 ? starts[0] : -1, e0 = full > 0 ? ends[0] : -1;
        int one = attn_tokenize(starts, ends, 1, (const char *)buf, len, &t2);
        if (!(t2 == total && (full <= 0 ? one == full : one == 1 && starts[0] == s0 &&
                                                        ends[0] == e0))) {
            check(0, "random %d: truncated call disagrees (%d/%d vs %d/%d)", r, one, t2,
                  full, total);
            failures++;
        }
    }
    check(failures == 0, "%d random strings keep the invariants", runs);

    // every single byte value, and every pair of bytes
    int bad = 0;
    for (int a = 0; a < 256; a++) {
        for (int b = 0; b < 256; b++) {
            buf[0] = (unsigned char)a;
            buf[1] = (unsigned char)b;
            if (!invariants_hold(buf, 2, "byte pair") && ++bad > 3) break;
        }
        if (bad > 3) break;
    }
    check(bad == 0, "all 65536 two-byte strings keep the invariants");

    // the curated cases above also keep the invariants
    static const char *samples[] = {
        "The trophy didn't fit in the suitcase because it was too big.",
        "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 \xF0\x9F\x87\xAB"
        "\xF0\x9F\x87\xB7\xF0\x9F\x87\xA9 1,000.5 well-known didn\xE2\x80\x99t \xCC\x81\xCC\x81",
    };
    for (int i = 0; i < 2; i++)
        check(invariants_hold((const unsigned char *)samples[i], (int)strlen(samples[i]),
                              "sample"), "sample %d invariants", i);
}

int main(void) {
    test_lesson_sentences();
    test_contractions();
    test_hyphens();
    test_numbers();
    test_punctuation();
    test_emoji();
    test_combining_marks();
    test_scripts();
    test_white_space();
    test_invalid_utf8();
    test_status_codes();
    test_truncation();
    test_random_invariants();
    return check_summary("test_text");
}

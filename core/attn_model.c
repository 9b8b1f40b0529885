/* attn_model.c - the lesson model: made-up embeddings by readable rules, and designed heads.

   Every embedding dimension has a name (noun, person, plural, ...). Each head's W_Q, W_K and
   W_V are written down below, entry by entry, with what they are built to do. Attention
   weights are never stored: the core computes softmax(QKᵀ/√d/T) from these vectors. */
#include "attn.h"
#include "attn_lexicon.h"
#include "attn_utf8.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

// ---------------------------------------------------------------------------------------
// Embedding dimensions

enum {
    F_CONSTANT, F_FIRST, F_SENTENCE_START,
    F_NOUN, F_PROPER, F_PRONOUN, F_VERB, F_AUXILIARY, F_DETERMINER, F_ADJECTIVE, F_ADVERB,
    F_PREPOSITION, F_CONJUNCTION, F_PUNCTUATION, F_NUMBER, F_SYMBOL,
    F_PERSON, F_ANIMAL, F_THING, F_MALE, F_FEMALE, F_PLURAL,
    F_SUBJECT, F_POSITION,
    F_WAVE,                       // 8 dims: sin and cos of the position at 4 periods
    F_COUNT = F_WAVE + 8
};
_Static_assert(F_COUNT == ATTN_MODEL_DIM, "every embedding dimension is named");

static const char *const feature_names[ATTN_MODEL_DIM] = {
    "constant", "first token", "sentence start",
    "noun", "proper name", "pronoun", "verb", "auxiliary", "determiner", "adjective", "adverb",
    "preposition", "conjunction", "punctuation", "number", "symbol",
    "person", "animal", "thing", "male", "female", "plural",
    "subject", "position",
    "wave 2.5 sin", "wave 2.5 cos", "wave 8 sin", "wave 8 cos",
    "wave 28 sin", "wave 28 cos", "wave 35 sin", "wave 35 cos",
};

// Periods (in tokens) of the position waves. Chosen so that the sum of the four cosines of
// (i - j) is 4 only at i == j and at most 2.8 for any other offset up to 255 tokens: that
// lets the previous-word head pick out exactly one position.
static const float wave_periods[4] = { 2.5f, 8.0f, 28.0f, 35.0f };

const char *attn_feature_name(int dim) {
    return dim >= 0 && dim < ATTN_MODEL_DIM ? feature_names[dim] : NULL;
}

// ---------------------------------------------------------------------------------------
// Word classes of one token

static int is_ascii_punct(long c) {
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
           (c >= '{' && c <= '~');
}

// Punctuation outside ASCII: Latin-1 signs, general punctuation, CJK and fullwidth marks.
static int is_unicode_punct(long c) {
    return (c >= 0xA1 && c <= 0xBF) || c == 0xD7 || c == 0xF7 || (c >= 0x2000 && c <= 0x206F) ||
           (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF01 && c <= 0xFF0F) || c == 0x060C ||
           c == 0x061F || c == 0x06D4;
}

// Emoji, arrows, shapes, dingbats and other pictographs.
static int is_symbol(long c) {
    return (c >= 0x2100 && c <= 0x2BFF) || (c >= 0x1F000 && c <= 0x1FAFF) ||
           (c >= 0xFE00 && c <= 0xFE0F) || c < 0;
}

static int is_sentence_end(const char *t, int len) {
    return len >= 1 && (t[0] == '.' || t[0] == '!' || t[0] == '?' ||
                        (len == 3 && memcmp(t, "\xE2\x80\xA6", 3) == 0));   // …
}

// Fills the class and meaning features of one token (row is zeroed by the caller).
// sentence_start: the token opens a sentence, so a capital letter says nothing.
static void classify(float *row, const char *t, int len, int sentence_start) {
    long c;
    attn__utf8_decode((const unsigned char *)t, len, &c);
    if (c >= '0' && c <= '9') { row[F_NUMBER] = 1; return; }
    if (is_ascii_punct(c) || is_unicode_punct(c)) { row[F_PUNCTUATION] = 1; return; }
    if (is_symbol(c)) { row[F_SYMBOL] = 1; return; }

    attn__lexeme lex;
    if (attn__lexicon_lookup(&lex, t, len)) {
        // the word's most common class; meanings only for words that name something
        static const struct { unsigned bit; int feature; } classes[] = {
            { LEX_NOUN, F_NOUN }, { LEX_PROPER, F_PROPER }, { LEX_PRONOUN, F_PRONOUN },
            { LEX_VERB, F_VERB }, { LEX_AUXILIARY, F_AUXILIARY }, { LEX_DETERMINER, F_DETERMINER },
            { LEX_ADJECTIVE, F_ADJECTIVE }, { LEX_ADVERB, F_ADVERB },
            { LEX_PREPOSITION, F_PREPOSITION }, { LEX_CONJUNCTION, F_CONJUNCTION },
        };
        for (size_t i = 0; i < sizeof classes / sizeof *classes; i++)
            if (lex.primary == classes[i].bit) row[classes[i].feature] = 1;
        // "it's" is a pronoun first, and an auxiliary too
        if ((lex.flags & LEX_PRONOUN) && (lex.flags & LEX_AUXILIARY)) row[F_PRONOUN] = 1;
        if (row[F_NOUN] || row[F_PROPER] || row[F_PRONOUN]) {
            static const struct { unsigned bit; int feature; } meanings[] = {
                { LEX_PERSON, F_PERSON }, { LEX_ANIMAL, F_ANIMAL }, { LEX_THING, F_THING },
                { LEX_MALE, F_MALE }, { LEX_FEMALE, F_FEMALE }, { LEX_PLURAL, F_PLURAL },
            };
            for (size_t i = 0; i < sizeof meanings / sizeof *meanings; i++)
                if (lex.flags & meanings[i].bit) row[meanings[i].feature] = 1;
        }
        return;
    }

    // unknown words: readable rules, first match wins
    int upper = c >= 'A' && c <= 'Z';
    if (upper && !sentence_start) { row[F_PROPER] = 1; return; }
    if (len > 4 && memcmp(t + len - 2, "ly", 2) == 0) { row[F_ADVERB] = 1; return; }
    if ((len > 4 && memcmp(t + len - 3, "ing", 3) == 0) ||
        (len > 3 && memcmp(t + len - 2, "ed", 2) == 0)) { row[F_VERB] = 1; return; }
    row[F_NOUN] = 1;
}

int attn_embed(float *x, const char *text, const int *starts, const int *ends, int n) {
    if (!x || !text || !starts || !ends) return ATTN_ERR_NULL;
    if (n <= 0) return ATTN_ERR_SIZE;
    if (n > ATTN_MAX_TOKENS) return ATTN_ERR_OVERFLOW;
    for (int i = 0; i < n; i++)
        if (starts[i] < 0 || ends[i] <= starts[i] || (i > 0 && starts[i] < ends[i - 1]))
            return ATTN_ERR_INDEX;

    memset(x, 0, sizeof(float) * (size_t)n * ATTN_MODEL_DIM);
    int sentence_start = 1, subject_found = 0;
    for (int i = 0; i < n; i++) {
        float *row = x + (size_t)i * ATTN_MODEL_DIM;
        const char *t = text + starts[i];
        int len = ends[i] - starts[i];
        row[F_CONSTANT] = 1;
        row[F_FIRST] = i == 0;
        row[F_SENTENCE_START] = (float)sentence_start;
        classify(row, t, len, sentence_start);

        // the subject: the first noun, name or pronoun of a sentence before its first verb
        if (!subject_found && (row[F_NOUN] || row[F_PROPER] || row[F_PRONOUN])) {
            row[F_SUBJECT] = 1;
            subject_found = 1;
        }
        if (row[F_VERB] || row[F_AUXILIARY]) subject_found = 1;

        row[F_POSITION] = n > 1 ? (float)i / (float)(n - 1) : 0.0f;
        for (int f = 0; f < 4; f++) {
            float angle = 6.2831853f * (float)i / wave_periods[f];
            row[F_WAVE + 2 * f] = sinf(angle);
            row[F_WAVE + 2 * f + 1] = cosf(angle);
        }
        sentence_start = is_sentence_end(t, len);
        if (sentence_start) subject_found = 0;
    }
    return ATTN_OK;
}

// ---------------------------------------------------------------------------------------
// The designed heads: W_Q, W_K, W_V written down entry by entry

#define HD ATTN_HEAD_DIM
#define HEAD_WEIGHTS (ATTN_MODEL_HEADS * ATTN_MODEL_DIM * HD)

static float w_q[HEAD_WEIGHTS], w_k[HEAD_WEIGHTS], w_v[HEAD_WEIGHTS];

// w[head][feature][dim] += value: "head h's query dim d reads this feature with this weight"
static void put(float *w, int head, int feature, int dim, float value) {
    w[((size_t)head * ATTN_MODEL_DIM + feature) * HD + dim] += value;
}

typedef struct {
    const char *name, *description;
    const char *q[HD], *k[HD], *v[HD];   // what each dimension of q, k and v stands for
} head_info;

static const head_info heads[ATTN_MODEL_HEADS] = {
    { "coreference",
      "A pronoun looks for the noun it refers to: same kind (person, animal, thing), same "
      "gender and number, preferring the subject and earlier nouns; other words rest on the "
      "first token.",
      { "wants a thing", "wants an animal", "wants a person", "gender wanted", "wants plural",
        "looks for a noun", "rests on first token", "avoids pronouns" },
      { "is a thing", "is an animal", "is a person", "male minus female", "is plural",
        "antecedent (noun, subject, early)", "is the first token", "is a pronoun" },
      { "person", "animal", "thing", "male", "female", "plural", "noun", "proper name" } },
    { "previous word",
      "Every token looks at the token right before it, by matching its position shifted back "
      "one step against every other position.",
      { "2.5 sin, one back", "2.5 cos, one back", "8 sin, one back", "8 cos, one back",
        "28 sin, one back", "28 cos, one back", "35 sin, one back", "35 cos, one back" },
      { "wave 2.5 sin", "wave 2.5 cos", "wave 8 sin", "wave 8 cos",
        "wave 28 sin", "wave 28 cos", "wave 35 sin", "wave 35 cos" },
      { "noun", "pronoun", "verb", "determiner", "adjective", "preposition", "conjunction",
        "punctuation" } },
    { "start of sentence",
      "Every token looks at the first token, a resting place many real heads use when they "
      "have nothing better to do.",
      { "constant", "unused", "unused", "unused", "unused", "unused", "unused", "unused" },
      { "is the first token", "unused", "unused", "unused", "unused", "unused", "unused", "unused" },
      { "first token", "sentence start", "noun", "verb", "determiner", "pronoun", "subject",
        "position" } },
    { "unnamed",
      "Seeded random projections: a diffuse pattern with no single story, like most heads of a "
      "trained model.",
      { "mix 1", "mix 2", "mix 3", "mix 4", "mix 5", "mix 6", "mix 7", "mix 8" },
      { "mix 1", "mix 2", "mix 3", "mix 4", "mix 5", "mix 6", "mix 7", "mix 8" },
      { "mix 1", "mix 2", "mix 3", "mix 4", "mix 5", "mix 6", "mix 7", "mix 8" } },
};

// Head 0, coreference. Scores are q·k summed over 8 dims, then divided by √8 ≈ 2.83.
// A pronoun's query copies its own meaning (it: a thing; she: a female person); a noun's
// query cancels its meaning (meaning minus noun), so nouns do not chase each other.
static void design_coreference(void) {
    const int h = ATTN_HEAD_COREFERENCE;
    const float KIND = 4.0f;       // same kind of referent (thing, animal, person)
    const float GENDER = 5.0f;     // he/she must match: outweighs subject and order
    const float NUMBER = 3.0f;     // they wants plural, it/he/she singular
    const float SEEK = 6.0f;       // pronouns look for nouns at all
    const float SUBJECT = 0.5f;    // ...preferring the sentence's subject
    const float EARLY = 0.8f;      // ...and earlier nouns (position runs 0..1)
    const float REST = 10.0f;      // everything else rests on the first token
    const float SHY = 2.0f;        // pronouns do not refer to pronouns (or themselves)

    // dim 0: a thing. "it" wants things (so do "its"); nouns cancel out
    put(w_q, h, F_THING, 0, KIND);     put(w_q, h, F_NOUN, 0, -KIND);   put(w_q, h, F_PROPER, 0, -KIND);
    put(w_k, h, F_THING, 0, 1);
    // dim 1: an animal. "it" accepts animals as readily as things
    put(w_q, h, F_ANIMAL, 1, KIND);    put(w_q, h, F_THING, 1, KIND);
    put(w_q, h, F_NOUN, 1, -2 * KIND); put(w_q, h, F_PROPER, 1, -2 * KIND);
    put(w_k, h, F_ANIMAL, 1, 1);
    // dim 2: a person. he, she, I, you ... want people
    put(w_q, h, F_PERSON, 2, KIND);    put(w_q, h, F_NOUN, 2, -KIND);   put(w_q, h, F_PROPER, 2, -KIND);
    put(w_k, h, F_PERSON, 2, 1);
    // dim 3: gender, +1 male, -1 female: a match adds, a mismatch subtracts
    put(w_q, h, F_MALE, 3, GENDER);    put(w_q, h, F_FEMALE, 3, -GENDER);
    put(w_k, h, F_MALE, 3, 1);         put(w_k, h, F_FEMALE, 3, -1);
    // dim 4: number. plural pronouns want plural nouns; singular pronouns avoid them
    put(w_q, h, F_PLURAL, 4, 2 * NUMBER); put(w_q, h, F_PRONOUN, 4, -NUMBER);
    put(w_k, h, F_PLURAL, 4, 1);
    // dim 5: a pronoun looks for an antecedent: a noun or name, the subject, early on
    put(w_q, h, F_PRONOUN, 5, SEEK);
    put(w_k, h, F_NOUN, 5, 1);         put(w_k, h, F_PROPER, 5, 1);
    put(w_k, h, F_SUBJECT, 5, SUBJECT); put(w_k, h, F_POSITION, 5, -EARLY);
    // dim 6: every word but a pronoun rests on the first token
    put(w_q, h, F_CONSTANT, 6, REST);  put(w_q, h, F_PRONOUN, 6, -REST);
    put(w_k, h, F_FIRST, 6, 1);
    // dim 7: pronouns look past other pronouns, themselves included
    put(w_q, h, F_PRONOUN, 7, -SHY);
    put(w_k, h, F_PRONOUN, 7, 1);

    // values: what the pronoun takes from its noun
    static const int v_features[HD] = { F_PERSON, F_ANIMAL, F_THING, F_MALE, F_FEMALE, F_PLURAL,
                                        F_NOUN, F_PROPER };
    for (int d = 0; d < HD; d++) put(w_v, h, v_features[d], d, 1);
}

// Head 1, previous word. Position i is a point on four circles (the waves); rotating it one
// step back on each circle gives position i-1, which matches only the key of token i-1.
static void design_previous(void) {
    const int h = ATTN_HEAD_PREVIOUS;
    const float GAIN = 3.8f;       // GAIN² / √8 ≈ 5.1 per unit of matching cosine
    for (int f = 0; f < 4; f++) {
        float step = 6.2831853f / wave_periods[f];
        float c = cosf(step), s = sinf(step);
        int xs = F_WAVE + 2 * f, xc = xs + 1, ds = 2 * f, dc = ds + 1;
        // sin(a - step) = sin a cos step - cos a sin step; cos(a - step) = cos a cos step + sin a sin step
        put(w_q, h, xs, ds, GAIN * c);  put(w_q, h, xc, ds, -GAIN * s);
        put(w_q, h, xc, dc, GAIN * c);  put(w_q, h, xs, dc, GAIN * s);
        put(w_k, h, xs, ds, GAIN);      put(w_k, h, xc, dc, GAIN);
        // the first token has nothing before it: its query is set back to its own position
        // (sin 0, cos 0) = (0, 1), so it looks at itself instead of some later token
        put(w_q, h, F_FIRST, ds, GAIN * s);
        put(w_q, h, F_FIRST, dc, GAIN * (1.0f - c));
    }
    static const int v_features[HD] = { F_NOUN, F_PRONOUN, F_VERB, F_DETERMINER, F_ADJECTIVE,
                                        F_PREPOSITION, F_CONJUNCTION, F_PUNCTUATION };
    for (int d = 0; d < HD; d++) put(w_v, h, v_features[d], d, 1);
}

// Head 2, start of sentence: every query is the same constant, and only the first token has
// a key, so every row peaks there (scaled score 20/√8 ≈ 7.1 against 0).
static void design_first(void) {
    const int h = ATTN_HEAD_FIRST;
    put(w_q, h, F_CONSTANT, 0, 4.0f);
    put(w_k, h, F_FIRST, 0, 5.0f);
    static const int v_features[HD] = { F_FIRST, F_SENTENCE_START, F_NOUN, F_VERB, F_DETERMINER,
                                        F_PRONOUN, F_SUBJECT, F_POSITION };
    for (int d = 0; d < HD; d++) put(w_v, h, v_features[d], d, 1);
}

// Head 3, unnamed: every entry drawn from a fixed-seed generator (xorshift32), uniform in
// [-0.6, 0.6]. Small weights give small scores, so no token stands out for long.
static void design_unnamed(void) {
    const int h = ATTN_HEAD_UNNAMED;
    uint32_t state = 20260503u;
    float *mats[3] = { w_q, w_k, w_v };
    for (int m = 0; m < 3; m++)
        for (int f = 0; f < ATTN_MODEL_DIM; f++)
            for (int d = 0; d < HD; d++) {
                state ^= state << 13; state ^= state >> 17; state ^= state << 5;
                float u = (float)(state >> 8) / 16777216.0f;   // [0, 1)
                put(mats[m], h, f, d, (u * 2.0f - 1.0f) * 0.6f);
            }
}

static const attn_layer_weights model = {
    ATTN_MODEL_DIM, ATTN_MODEL_HEADS, HD, 0, w_q, w_k, w_v, NULL
};

const attn_layer_weights *attn_model(void) {
    static int designed = 0;
    if (!designed) {
        design_coreference();
        design_previous();
        design_first();
        design_unnamed();
        designed = 1;
    }
    return &model;
}

const char *attn_head_name(int h) {
    return h >= 0 && h < ATTN_MODEL_HEADS ? heads[h].name : NULL;
}

const char *attn_head_description(int h) {
    return h >= 0 && h < ATTN_MODEL_HEADS ? heads[h].description : NULL;
}

const char *attn_head_dim_name(int h, char part, int dim) {
    if (h < 0 || h >= ATTN_MODEL_HEADS || dim < 0 || dim >= HD) return NULL;
    switch (part) {
    case 'q': return heads[h].q[dim];
    case 'k': return heads[h].k[dim];
    case 'v': return heads[h].v[dim];
    default:  return NULL;
    }
}

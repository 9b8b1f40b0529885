/* attn_model.c - the lesson model: made-up embeddings by readable rules, and designed heads.

   Every embedding dimension has a name (noun, person, plural, ...). Each head's W_Q, W_K and
   W_V are written down entry by entry, with what they are built to do, in
   tools/design_model.c, which generates the const tables of attn_model_weights.h. Attention
   weights are never stored: the core computes softmax(QKᵀ/√d/T) from these vectors. */
#include "attn.h"
#include "attn_features.h"
#include "attn_lexicon.h"
#include "attn_utf8.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

// ---------------------------------------------------------------------------------------
// Embedding dimensions
// (their names, F_* in attn_features.h, are shared with tools/design_model.c)

static const char *const feature_names[ATTN_MODEL_DIM] = {
    "constant", "first token", "sentence start",
    "noun", "proper name", "pronoun", "verb", "auxiliary", "determiner", "adjective", "adverb",
    "preposition", "conjunction", "punctuation", "number", "symbol",
    "person", "animal", "thing", "male", "female", "plural",
    "subject", "position",
    "wave 2.5 sin", "wave 2.5 cos", "wave 8 sin", "wave 8 cos",
    "wave 28 sin", "wave 28 cos", "wave 35 sin", "wave 35 cos",
};

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

// model_w_q, model_w_k, model_w_v: const tables generated from the design written out entry
// by entry, with what each weight is for, in tools/design_model.c
#include "attn_model_weights.h"

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

static const attn_layer_weights model = {
    ATTN_MODEL_DIM, ATTN_MODEL_HEADS, HD, 0, model_w_q, model_w_k, model_w_v, NULL
};

const attn_layer_weights *attn_model(void) { return &model; }

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

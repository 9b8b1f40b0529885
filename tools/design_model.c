/* design_model.c - the lesson model's designed heads, W_Q, W_K and W_V written down entry by
   entry with what they are built to do; prints core/attn_model_weights.h, the const tables
   the core ships (`make model-weights` regenerates it; the build never needs this tool).
   tests/core/test_model_design.c recomputes the design and checks the shipped tables equal it
   to the bit, so an edit here without regenerating fails the tests. */
#include "../core/attn_features.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

#define HD ATTN_HEAD_DIM
#define HEAD_WEIGHTS (ATTN_MODEL_HEADS * ATTN_MODEL_DIM * HD)

static float w_q[HEAD_WEIGHTS], w_k[HEAD_WEIGHTS], w_v[HEAD_WEIGHTS];

// w[head][feature][dim] += value: "head h's query dim d reads this feature with this weight"
static void put(float *w, int head, int feature, int dim, float value) {
    w[((size_t)head * ATTN_MODEL_DIM + feature) * HD + dim] += value;
}

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

// Every head, into w_q, w_k and w_v (zero before).
static void design_model(void) {
    design_coreference();
    design_previous();
    design_first();
    design_unnamed();
}

#ifndef DESIGN_MODEL_NO_MAIN
static void print_table(const char *name, const float *w) {
    printf("static const float %s[ATTN_MODEL_HEADS * ATTN_MODEL_DIM * ATTN_HEAD_DIM] = {\n", name);
    for (int h = 0; h < ATTN_MODEL_HEADS; h++)
        for (int f = 0; f < ATTN_MODEL_DIM; f++) {
            printf("   ");
            for (int d = 0; d < HD; d++) printf(" %.9g,", (double)w[((size_t)h * ATTN_MODEL_DIM + f) * HD + d]);
            printf("   // head %d, feature %d\n", h, f);
        }
    printf("};\n");
}

int main(void) {
    design_model();
    printf("/* attn_model_weights.h - GENERATED by tools/design_model.c (`make model-weights`); do not\n"
           "   edit. The designed heads' W_Q, W_K and W_V, (head, feature, dim) row-major, as const\n"
           "   tables: nothing is computed or filled at run time. */\n");
    print_table("model_w_q", w_q);
    print_table("model_w_k", w_k);
    print_table("model_w_v", w_v);
    return 0;
}
#endif

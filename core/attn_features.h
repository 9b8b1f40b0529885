/* attn_features.h - private to core/ (and tools/design_model.c): the named dimensions of the
   lesson model's embedding and the periods of its position waves, shared by the embedding
   (attn_model.c) and the design of the heads' weights (tools/design_model.c). */
#ifndef ATTN_FEATURES_H
#define ATTN_FEATURES_H

#include "attn.h"

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

// Periods (in tokens) of the position waves. Chosen so that the sum of the four cosines of
// (i - j) is 4 only at i == j and at most 2.8 for any other offset up to 255 tokens: that
// lets the previous-word head pick out exactly one position.
static const float wave_periods[4] = { 2.5f, 8.0f, 28.0f, 35.0f };

#endif // ATTN_FEATURES_H

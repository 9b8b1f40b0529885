/* attn_lexicon.h - private to core/: what the compiled-in lexicon knows about a word.
   Not part of the public API (attn.h); attn_embed() turns these bits into named features. */
#ifndef ATTN_LEXICON_H
#define ATTN_LEXICON_H

// One bit per word class or feature. A word may carry several classes ("light": noun,
// adjective, verb); the lexicon lists the word's most common class first in `primary`.
#define LEX_NOUN         (1u << 0)
#define LEX_PROPER       (1u << 1)   // a name: Alice, Paris
#define LEX_PRONOUN      (1u << 2)
#define LEX_VERB         (1u << 3)
#define LEX_AUXILIARY    (1u << 4)   // be, have, do, modals and their contractions
#define LEX_DETERMINER   (1u << 5)   // the, a, this, my, its, some ...
#define LEX_ADJECTIVE    (1u << 6)
#define LEX_ADVERB       (1u << 7)
#define LEX_PREPOSITION  (1u << 8)
#define LEX_CONJUNCTION  (1u << 9)
#define LEX_PERSON       (1u << 10)  // nouns and pronouns for people (he, she, brother, queen)
#define LEX_ANIMAL       (1u << 11)
#define LEX_THING        (1u << 12)  // objects, places, abstractions: not a person or animal
#define LEX_MALE         (1u << 13)
#define LEX_FEMALE       (1u << 14)
#define LEX_PLURAL       (1u << 15)  // plural nouns and pronouns (they, trophies, children)
#define LEX_POSSESSIVE   (1u << 16)  // its, his, her, their, my, your, our, whose

typedef struct {
    unsigned flags;                  // LEX_* bits
    unsigned primary;                // the single LEX_* class bit most common for this word
} attn__lexeme;

// Looks up one word (bytes word[0..len), any case; ASCII letters are folded to lower case).
// Knows plural forms of listed nouns (trophies -> trophy + LEX_PLURAL). Returns 1 and fills
// *out when the word is known, else 0 (and *out is zeroed).
int attn__lexicon_lookup(attn__lexeme *out, const char *word, int len);

// Number of entries in the compiled-in table (for tests and the README).
int attn__lexicon_size(void);

#endif // ATTN_LEXICON_H

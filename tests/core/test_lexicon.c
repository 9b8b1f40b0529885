/* test_lexicon.c - native tests of the compiled-in lexicon: the lesson's words, every
   pronoun, plural and possessive rules, case folding, unknown words, and the table itself
   (size, sorted, no duplicate keys, consistent bits). */
#include <string.h>

#include "attn.h"
#include "attn_lexicon.h"
#include "check.h"

// Test-only accessor defined in attn_lexicon.c (not part of attn_lexicon.h).
const char *attn__lexicon_key(int i);

#define CLASS_BITS (LEX_NOUN | LEX_PROPER | LEX_PRONOUN | LEX_VERB | LEX_AUXILIARY | \
                    LEX_DETERMINER | LEX_ADJECTIVE | LEX_ADVERB | LEX_PREPOSITION |    \
                    LEX_CONJUNCTION)
#define ALL_BITS ((LEX_POSSESSIVE << 1) - 1u)

// ---------------------------------------------------------------------------------------
// Helpers

static attn__lexeme look(const char *w) {
    attn__lexeme e = {0xDEAD, 0xBEEF};
    if (!attn__lexicon_lookup(&e, w, (int)strlen(w))) {
        check(e.flags == 0 && e.primary == 0, "%s: unknown words zero *out", w);
        e.flags = e.primary = 0;
    }
    return e;
}

// The word is known, has every bit of `must`, none of `must_not`, and `primary` (when given).
static void expect_word(const char *w, unsigned must, unsigned must_not, unsigned primary) {
    attn__lexeme e = look(w);
    check(e.flags != 0, "%s: known", w);
    check((e.flags & must) == must, "%s: flags 0x%x lack 0x%x", w, e.flags, must & ~e.flags);
    check((e.flags & must_not) == 0, "%s: flags 0x%x must not have 0x%x", w, e.flags,
          e.flags & must_not);
    if (primary) check(e.primary == primary, "%s: primary 0x%x, want 0x%x", w, e.primary, primary);
}

static void expect_unknown(const char *w) {
    attn__lexeme e = look(w);
    check(e.flags == 0, "%s: should be unknown, got flags 0x%x", w, e.flags);
}

// ---------------------------------------------------------------------------------------
// The lesson's sentences

static void test_lesson_words(void) {
    // The trophy didn't fit in the suitcase because it was too big.
    expect_word("The", LEX_DETERMINER, 0, LEX_DETERMINER);
    expect_word("trophy", LEX_NOUN | LEX_THING, LEX_PERSON | LEX_ANIMAL | LEX_PLURAL, LEX_NOUN);
    expect_word("didn't", LEX_AUXILIARY, 0, LEX_AUXILIARY);
    expect_word("fit", LEX_VERB, 0, LEX_VERB);
    expect_word("in", LEX_PREPOSITION, 0, LEX_PREPOSITION);
    expect_word("suitcase", LEX_NOUN | LEX_THING, LEX_PERSON | LEX_ANIMAL, LEX_NOUN);
    expect_word("because", LEX_CONJUNCTION, 0, LEX_CONJUNCTION);
    expect_word("it", LEX_PRONOUN | LEX_THING, LEX_PERSON | LEX_PLURAL, LEX_PRONOUN);
    expect_word("was", LEX_AUXILIARY | LEX_VERB, LEX_NOUN | LEX_PLURAL, LEX_AUXILIARY);
    expect_word("too", LEX_ADVERB, 0, LEX_ADVERB);
    expect_word("big", LEX_ADJECTIVE, LEX_NOUN, LEX_ADJECTIVE);
    // The agent paid the merchant after checking its budget.
    expect_word("agent", LEX_NOUN | LEX_PERSON, LEX_THING | LEX_ANIMAL, LEX_NOUN);
    expect_word("paid", LEX_VERB, LEX_NOUN, LEX_VERB);
    expect_word("merchant", LEX_NOUN | LEX_PERSON, LEX_THING | LEX_ANIMAL, LEX_NOUN);
    expect_word("after", LEX_PREPOSITION | LEX_CONJUNCTION, 0, 0);
    expect_word("checking", LEX_VERB, 0, LEX_VERB);
    expect_word("its", LEX_PRONOUN | LEX_POSSESSIVE | LEX_THING, LEX_PERSON | LEX_PLURAL, 0);
    expect_word("budget", LEX_NOUN | LEX_THING, LEX_PERSON, LEX_NOUN);
    // The animal didn't cross the road because it was tired.
    expect_word("animal", LEX_NOUN | LEX_ANIMAL, LEX_PERSON | LEX_THING, LEX_NOUN);
    expect_word("cross", LEX_VERB, 0, LEX_VERB);
    expect_word("road", LEX_NOUN | LEX_THING, 0, LEX_NOUN);
    expect_word("tired", LEX_ADJECTIVE, 0, LEX_ADJECTIVE);
    // The cat sat on the mat because it was soft.
    expect_word("cat", LEX_NOUN | LEX_ANIMAL, LEX_PERSON | LEX_THING, LEX_NOUN);
    expect_word("sat", LEX_VERB, 0, LEX_VERB);
    expect_word("on", LEX_PREPOSITION, 0, LEX_PREPOSITION);
    expect_word("mat", LEX_NOUN | LEX_THING, 0, LEX_NOUN);
    expect_word("soft", LEX_ADJECTIVE, 0, LEX_ADJECTIVE);

    // every token of the four sentences, as the tokenizer cuts them, is known (but the '.')
    static const char *sentences[] = {
        "The trophy didn't fit in the suitcase because it was too big.",
        "The agent paid the merchant after checking its budget.",
        "The animal didn\xE2\x80\x99t cross the road because it was tired.",
        "The cat sat on the mat because it was soft.",
    };
    for (int s = 0; s < 4; s++) {
        int st[32], en[32];
        int n = attn_tokenize(st, en, 32, sentences[s], (int)strlen(sentences[s]), NULL);
        int known = 0;
        for (int i = 0; i < n; i++) {
            attn__lexeme e;
            known += attn__lexicon_lookup(&e, sentences[s] + st[i], en[i] - st[i]);
        }
        check(n > 1 && known == n - 1, "sentence %d: %d of %d tokens known", s, known, n - 1);
    }
}

// ---------------------------------------------------------------------------------------
// Pronouns and the closed classes

static void test_pronouns(void) {
    const unsigned P = LEX_PRONOUN, PER = LEX_PERSON, POS = LEX_POSSESSIVE, PL = LEX_PLURAL;
    const unsigned M = LEX_MALE, F = LEX_FEMALE, T = LEX_THING;
    // personal
    expect_word("I", P | PER, PL | T, LEX_PRONOUN);
    expect_word("me", P | PER, PL | T, LEX_PRONOUN);
    expect_word("you", P | PER, T, LEX_PRONOUN);
    expect_word("he", P | PER | M, F | PL | T, LEX_PRONOUN);
    expect_word("him", P | PER | M, F | PL | T, LEX_PRONOUN);
    expect_word("she", P | PER | F, M | PL | T, LEX_PRONOUN);
    expect_word("her", P | PER | F | POS, M | PL | T, LEX_PRONOUN);
    expect_word("it", P | T, PER | PL, LEX_PRONOUN);
    expect_word("we", P | PER | PL, T, LEX_PRONOUN);
    expect_word("us", P | PER | PL, T | LEX_NOUN, LEX_PRONOUN);
    expect_word("they", P | PL, M | F, LEX_PRONOUN);
    expect_word("them", P | PL, M | F, LEX_PRONOUN);
    // possessive
    expect_word("my", P | PER | POS, PL, 0);
    expect_word("your", P | PER | POS, 0, 0);
    expect_word("his", P | PER | M | POS, F | PL, LEX_PRONOUN);
    expect_word("its", P | T | POS, PER | PL, LEX_PRONOUN);
    expect_word("our", P | PER | PL | POS, 0, 0);
    expect_word("their", P | PL | POS, 0, LEX_PRONOUN);
    expect_word("mine", P | PER | POS, 0, 0);
    expect_word("yours", P | PER | POS, 0, 0);
    expect_word("hers", P | PER | F | POS, M, 0);
    expect_word("ours", P | PER | PL | POS, 0, 0);
    expect_word("theirs", P | PL | POS, 0, 0);
    expect_word("whose", P | POS, 0, 0);
    // reflexive
    expect_word("myself", P | PER, 0, 0);
    expect_word("yourself", P | PER, 0, 0);
    expect_word("himself", P | PER | M, F, 0);
    expect_word("herself", P | PER | F, M, 0);
    expect_word("itself", P | T, PER, 0);
    expect_word("ourselves", P | PER | PL, 0, 0);
    expect_word("yourselves", P | PER | PL, 0, 0);
    expect_word("themselves", P | PL, 0, 0);
    // demonstrative, relative, interrogative, indefinite
    expect_word("this", P | LEX_DETERMINER, PL, LEX_DETERMINER);
    expect_word("that", P | LEX_DETERMINER | LEX_CONJUNCTION, PL, LEX_DETERMINER);
    expect_word("these", P | LEX_DETERMINER | PL, 0, LEX_DETERMINER);
    expect_word("those", P | LEX_DETERMINER | PL, 0, LEX_DETERMINER);
    expect_word("who", P | PER, 0, LEX_PRONOUN);
    expect_word("whom", P | PER, 0, LEX_PRONOUN);
    expect_word("which", P, 0, LEX_PRONOUN);
    expect_word("what", P, 0, LEX_PRONOUN);
    expect_word("whoever", P | PER, 0, 0);
    expect_word("whatever", P, 0, 0);
    expect_word("someone", P | PER, 0, LEX_PRONOUN);
    expect_word("everybody", P | PER, 0, 0);
    expect_word("something", P | T, 0, LEX_PRONOUN);
    expect_word("nothing", P | T, 0, 0);
    expect_word("none", P, 0, 0);
}

static void test_closed_classes(void) {
    static const char *determiners[] = {"the", "a", "an", "every", "some", "any", "no", "each",
        "either", "neither", "all", "both", "many", "much", "few", "several", "another", "two"};
    for (size_t i = 0; i < sizeof(determiners) / sizeof(determiners[0]); i++)
        expect_word(determiners[i], LEX_DETERMINER, 0, 0);
    static const char *prepositions[] = {"about", "above", "across", "after", "against", "at",
        "before", "behind", "between", "by", "during", "for", "from", "in", "into", "of", "off",
        "on", "over", "through", "to", "toward", "under", "until", "with", "without", "like"};
    for (size_t i = 0; i < sizeof(prepositions) / sizeof(prepositions[0]); i++)
        expect_word(prepositions[i], LEX_PREPOSITION, 0, 0);
    static const char *conjunctions[] = {"and", "but", "or", "nor", "so", "yet", "because",
        "although", "though", "after", "before", "while", "if", "when", "unless", "since",
        "until", "whether", "whereas"};
    for (size_t i = 0; i < sizeof(conjunctions) / sizeof(conjunctions[0]); i++)
        expect_word(conjunctions[i], LEX_CONJUNCTION, 0, 0);
    static const char *auxiliaries[] = {"be", "am", "is", "are", "was", "were", "been", "being",
        "have", "has", "had", "do", "does", "did", "can", "could", "will", "would", "shall",
        "should", "may", "might", "must", "don't", "didn't", "can't", "won't", "wasn't",
        "isn't", "couldn't", "shouldn't", "doesn't", "haven't", "weren't", "wouldn't"};
    for (size_t i = 0; i < sizeof(auxiliaries) / sizeof(auxiliaries[0]); i++)
        expect_word(auxiliaries[i], LEX_AUXILIARY, LEX_NOUN | LEX_PLURAL, LEX_AUXILIARY);
    expect_word("it's", LEX_PRONOUN | LEX_THING | LEX_AUXILIARY, LEX_POSSESSIVE, LEX_PRONOUN);
    expect_word("it\xE2\x80\x99s", LEX_PRONOUN | LEX_THING | LEX_AUXILIARY, LEX_POSSESSIVE, 0);
    expect_word("he's", LEX_PRONOUN | LEX_PERSON | LEX_MALE | LEX_AUXILIARY, 0, LEX_PRONOUN);
    expect_word("she'll", LEX_PRONOUN | LEX_PERSON | LEX_FEMALE | LEX_AUXILIARY, 0, 0);
    expect_word("they're", LEX_PRONOUN | LEX_PLURAL | LEX_AUXILIARY, 0, LEX_PRONOUN);
    expect_word("I'm", LEX_PRONOUN | LEX_PERSON | LEX_AUXILIARY, 0, LEX_PRONOUN);
    expect_word("we've", LEX_PRONOUN | LEX_PLURAL | LEX_AUXILIARY, 0, 0);
    expect_word("didn\xE2\x80\x99t", LEX_AUXILIARY, 0, LEX_AUXILIARY);
    expect_word("not", LEX_ADVERB, 0, LEX_ADVERB);
    expect_word("very", LEX_ADVERB, 0, LEX_ADVERB);
    expect_word("also", LEX_ADVERB, 0, LEX_ADVERB);
}

// ---------------------------------------------------------------------------------------
// Open classes

static void test_open_classes(void) {
    static const char *verbs[] = {"go", "went", "gone", "goes", "going", "take", "took",
        "taken", "see", "saw", "seen", "pay", "pays", "paying", "fit", "fitted", "fitting",
        "stop", "stopped", "stopping", "try", "tries", "tried", "make", "making", "die",
        "dying", "carry", "carries", "watch", "watches", "swim", "swam", "swum", "lie", "lay"};
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        expect_word(verbs[i], LEX_VERB, 0, 0);
    expect_word("light", LEX_NOUN | LEX_ADJECTIVE | LEX_VERB, 0, LEX_NOUN);
    expect_word("happy", LEX_ADJECTIVE, 0, LEX_ADJECTIVE);
    expect_word("quickly", LEX_ADVERB, 0, LEX_ADVERB);
    // people with gender where English marks it
    expect_word("man", LEX_NOUN | LEX_PERSON | LEX_MALE, LEX_FEMALE | LEX_PLURAL, LEX_NOUN);
    expect_word("woman", LEX_NOUN | LEX_PERSON | LEX_FEMALE, LEX_MALE, LEX_NOUN);
    expect_word("brother", LEX_PERSON | LEX_MALE, LEX_FEMALE, 0);
    expect_word("sister", LEX_PERSON | LEX_FEMALE, LEX_MALE, 0);
    expect_word("king", LEX_PERSON | LEX_MALE, LEX_FEMALE, 0);
    expect_word("queen", LEX_PERSON | LEX_FEMALE, LEX_MALE, 0);
    expect_word("mother", LEX_PERSON | LEX_FEMALE, LEX_MALE, 0);
    expect_word("father", LEX_PERSON | LEX_MALE, LEX_FEMALE, 0);
    expect_word("teacher", LEX_NOUN | LEX_PERSON, LEX_MALE | LEX_FEMALE | LEX_THING, LEX_NOUN);
    expect_word("doctor", LEX_NOUN | LEX_PERSON, LEX_MALE | LEX_FEMALE, LEX_NOUN);
    expect_word("friend", LEX_NOUN | LEX_PERSON, LEX_THING, LEX_NOUN);
    expect_word("child", LEX_NOUN | LEX_PERSON, LEX_PLURAL, LEX_NOUN);
    expect_word("person", LEX_NOUN | LEX_PERSON, LEX_PLURAL, LEX_NOUN);
    // animals and things
    static const char *animals[] = {"dog", "bird", "horse", "mouse", "fish", "elephant"};
    for (size_t i = 0; i < sizeof(animals) / sizeof(animals[0]); i++)
        expect_word(animals[i], LEX_NOUN | LEX_ANIMAL, LEX_PERSON | LEX_THING, LEX_NOUN);
    static const char *things[] = {"table", "car", "book", "house", "city", "water", "money",
        "idea", "box", "suitcase", "window"};
    for (size_t i = 0; i < sizeof(things) / sizeof(things[0]); i++)
        expect_word(things[i], LEX_NOUN | LEX_THING, LEX_PERSON | LEX_ANIMAL, LEX_NOUN);
    // first names
    static const char *men[] = {"Bob", "John", "James", "David", "Ahmed"};
    static const char *women[] = {"Alice", "Mary", "Sarah", "Emma", "Fatima"};
    for (int i = 0; i < 5; i++) {
        expect_word(men[i], LEX_PROPER | LEX_PERSON | LEX_MALE, LEX_FEMALE, LEX_PROPER);
        expect_word(women[i], LEX_PROPER | LEX_PERSON | LEX_FEMALE, LEX_MALE, LEX_PROPER);
    }
    expect_word("Alex", LEX_PROPER | LEX_PERSON, LEX_MALE | LEX_FEMALE, LEX_PROPER);
}

// ---------------------------------------------------------------------------------------
// Rules: plurals, possessives, case, unknown words

static void test_plurals(void) {
    const unsigned PL = LEX_PLURAL;
    expect_word("trophies", LEX_NOUN | LEX_THING | PL, 0, LEX_NOUN);
    expect_word("boxes", LEX_NOUN | LEX_THING | PL, 0, LEX_NOUN);
    expect_word("cities", LEX_NOUN | LEX_THING | PL, 0, LEX_NOUN);
    expect_word("dogs", LEX_NOUN | LEX_ANIMAL | PL, 0, LEX_NOUN);
    expect_word("horses", LEX_NOUN | LEX_ANIMAL | PL, 0, LEX_NOUN);
    expect_word("agents", LEX_NOUN | LEX_PERSON | PL, 0, LEX_NOUN);
    expect_word("brothers", LEX_PERSON | LEX_MALE | PL, 0, LEX_NOUN);
    expect_word("churches", LEX_NOUN | PL, 0, LEX_NOUN);
    expect_word("Trophies", LEX_NOUN | PL, 0, LEX_NOUN);
    expect_word("TROPHIES", LEX_NOUN | PL, 0, LEX_NOUN);
    // irregular plurals are entries
    expect_word("children", LEX_NOUN | LEX_PERSON | PL, 0, LEX_NOUN);
    expect_word("people", LEX_NOUN | LEX_PERSON | PL, 0, LEX_NOUN);
    expect_word("men", LEX_PERSON | LEX_MALE | PL, 0, LEX_NOUN);
    expect_word("women", LEX_PERSON | LEX_FEMALE | PL, 0, LEX_NOUN);
    expect_word("mice", LEX_ANIMAL | PL, 0, LEX_NOUN);
    expect_word("feet", LEX_THING | PL, 0, LEX_NOUN);
    expect_word("knives", LEX_THING | PL, 0, LEX_NOUN);
    // a verb's -s form that is also a noun plural carries both
    expect_word("checks", LEX_VERB | LEX_NOUN | PL, 0, 0);
    // the rule never turns verbs and function words into plural nouns
    static const char *not_plural[] = {"was", "is", "has", "does", "this", "its", "his",
        "yes", "thus", "goes", "sits", "seems", "brings", "always", "less", "plus"};
    for (size_t i = 0; i < sizeof(not_plural) / sizeof(not_plural[0]); i++)
        expect_word(not_plural[i], 0, LEX_PLURAL, 0);
    expect_unknown("bigs");          // an adjective has no plural
    expect_unknown("thes");
    expect_unknown("childrens");     // no plural of a plural
    expect_unknown("alices");        // nor of a name
    expect_unknown("trophys");
    expect_unknown("trophyes");
    expect_unknown("dogses");
    expect_unknown("s");
    expect_unknown("es");
    expect_unknown("ies");
}

static void test_possessives(void) {
    expect_word("trophy's", LEX_NOUN | LEX_THING | LEX_POSSESSIVE, LEX_PLURAL, LEX_NOUN);
    expect_word("trophy\xE2\x80\x99s", LEX_NOUN | LEX_THING | LEX_POSSESSIVE, 0, LEX_NOUN);
    expect_word("Alice's", LEX_PROPER | LEX_PERSON | LEX_FEMALE | LEX_POSSESSIVE, 0, LEX_PROPER);
    expect_word("children's", LEX_PERSON | LEX_PLURAL | LEX_POSSESSIVE, 0, LEX_NOUN);
    expect_word("someone's", LEX_PRONOUN | LEX_PERSON | LEX_POSSESSIVE, 0, 0);
    expect_word("it's", LEX_AUXILIARY, LEX_POSSESSIVE, 0);     // listed: "it is"
    expect_unknown("big's");
    expect_unknown("'s");
}

static void test_case_and_bytes(void) {
    attn__lexeme a = look("the"), b = look("The"), c = look("THE"), d = look("tHe");
    check(a.flags == b.flags && b.flags == c.flags && c.flags == d.flags &&
          a.primary == d.primary && a.flags != 0, "case folding of the");
    attn__lexeme e = look("DIDN'T"), f = look("didn\xE2\x80\x99t");
    check(e.flags == look("didn't").flags && f.flags == e.flags && e.flags != 0,
          "case and U+2019 in didn't");

    attn__lexeme out = {1, 1};
    check(attn__lexicon_lookup(&out, "trophy suitcase", 6) == 1 && (out.flags & LEX_THING),
          "only len bytes are read");
    out.flags = out.primary = 7;
    check(attn__lexicon_lookup(&out, "trophy", 0) == 0 && out.flags == 0 && out.primary == 0,
          "len 0 is unknown and zeroes *out");
    out.flags = 7;
    check(attn__lexicon_lookup(&out, "trophy", -3) == 0 && out.flags == 0, "negative len");
    out.flags = 7;
    check(attn__lexicon_lookup(&out, NULL, 5) == 0 && out.flags == 0, "NULL word");
    check(attn__lexicon_lookup(NULL, "the", 3) == 0, "NULL out");
    check(attn__lexicon_lookup(&out, "th\0e", 4) == 0, "NUL inside the word");
    check(attn__lexicon_lookup(&out, "the\0", 4) == 0, "NUL after the word");

    expect_unknown("xyzzy");
    expect_unknown("caf\xC3\xA9");                 // non-ASCII: unknown
    expect_unknown("\xD0\xB8\xD1\x82");
    expect_unknown("\xE2\x80\x99");
    expect_unknown("didn\xE2\x80");                // truncated U+2019
    expect_unknown("trophy\xE2\x80\x98s");         // U+2018 is not an apostrophe
    expect_unknown("...");
    expect_unknown("-");
    char longw[80];
    memset(longw, 'a', sizeof(longw));
    check(attn__lexicon_lookup(&out, longw, (int)sizeof(longw)) == 0, "80-letter word");
    check(attn__lexicon_lookup(&out, "internationalization", 20) == 0, "a long unknown word");
    check(attn__lexicon_lookup(&out, "grandchildren", 13) == 1, "a 13-letter word");
}

// ---------------------------------------------------------------------------------------
// The table itself

static void test_table(void) {
    int n = attn__lexicon_size();
    check(n >= 1500, "table has %d entries (>= 1500)", n);
    check(attn__lexicon_key(-1) == NULL && attn__lexicon_key(n) == NULL, "key out of range");
    int sorted = 1, found = 1, sane = 1, clean = 1;
    for (int i = 0; i < n; i++) {
        const char *k = attn__lexicon_key(i);
        if (!k) { sorted = 0; break; }
        if (i > 0 && strcmp(attn__lexicon_key(i - 1), k) >= 0) {
            if (sorted) check(0, "keys %d/%d out of order or duplicate: %s, %s", i - 1, i,
                              attn__lexicon_key(i - 1), k);
            sorted = 0;
        }
        size_t len = strlen(k);
        for (size_t j = 0; j < len; j++)
            if (!((k[j] >= 'a' && k[j] <= 'z') || k[j] == '\'' || k[j] == '-')) clean = 0;
        if (len == 0 || len > 13) clean = 0;
        attn__lexeme e;
        if (!attn__lexicon_lookup(&e, k, (int)len)) { found = 0; continue; }
        unsigned p = e.primary;
        int one_bit = p != 0 && (p & (p - 1)) == 0;
        if (!(one_bit && (p & CLASS_BITS) && (e.flags & p) && !(e.flags & ~ALL_BITS) &&
              !((e.flags & LEX_MALE) && (e.flags & LEX_FEMALE)))) {
            if (sane) check(0, "%s: primary 0x%x, flags 0x%x", k, p, e.flags);
            sane = 0;
        }
    }
    check(sorted, "table sorted, no duplicate keys");
    check(found, "every key is found by lookup");
    check(sane, "every entry: one primary class bit, within its flags, not male and female");
    check(clean, "every key is lower-case ASCII letters, ' or -, 1..13 bytes");
}

int main(void) {
    test_lesson_words();
    test_pronouns();
    test_closed_classes();
    test_open_classes();
    test_plurals();
    test_possessives();
    test_case_and_bytes();
    test_table();
    return check_summary("test_lexicon");
}

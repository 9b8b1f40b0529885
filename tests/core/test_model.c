/* test_model.c - the lesson model: embeddings with named features, and what each designed
   head must do on the lesson's sentences (coreference, previous word, first token, diffuse). */
#include "attn.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>

// ---------------------------------------------------------------------------------------
// Running the model on a sentence

typedef struct {
    int n, total;
    int starts[ATTN_MAX_TOKENS], ends[ATTN_MAX_TOKENS];
    float x[ATTN_MAX_TOKENS * ATTN_MODEL_DIM];
    float weights[ATTN_MODEL_HEADS * ATTN_MAX_TOKENS * ATTN_MAX_TOKENS];
    float out[ATTN_MAX_TOKENS * ATTN_MODEL_HEADS * ATTN_HEAD_DIM];
    const char *text;
} run_t;

static run_t R;
static float scratch[ATTN_MAX_TOKENS * ATTN_MAX_TOKENS + 8 * ATTN_MAX_TOKENS * ATTN_MODEL_DIM];

// Tokenizes, embeds and runs every head; returns the status of the first failing step.
static int run(const char *text, int mask, float temperature) {
    R.text = text;
    R.n = attn_tokenize(R.starts, R.ends, ATTN_MAX_TOKENS, text, (int)strlen(text), &R.total);
    if (R.n < 0) return R.n;
    int rc = attn_embed(R.x, text, R.starts, R.ends, R.n);
    if (rc) return rc;
    attn_options opt = attn_default_options();
    opt.mask = mask;
    opt.temperature = temperature;
    attn_trace tr = { .weights = R.weights };
    const attn_layer_weights *m = attn_model();
    size_t need = attn_layer_scratch_floats(R.n, m);
    if (need > sizeof scratch / sizeof *scratch) return ATTN_ERR_SCRATCH;
    return attn_layer(R.out, &tr, R.x, R.n, m, &opt, scratch, need);
}

static const float *row(int head, int i) { return R.weights + ((size_t)head * R.n + i) * R.n; }

static int token_is(int i, const char *word) {
    int len = R.ends[i] - R.starts[i];
    return (int)strlen(word) == len && memcmp(R.text + R.starts[i], word, (size_t)len) == 0;
}

static int find(const char *word) {
    for (int i = 0; i < R.n; i++) if (token_is(i, word)) return i;
    return -1;
}

static int argmax(const float *r, int n) {
    int best = 0;
    for (int j = 1; j < n; j++) if (r[j] > r[best]) best = j;
    return best;
}

static int feature(const char *name) {
    for (int d = 0; d < ATTN_MODEL_DIM; d++) if (strcmp(attn_feature_name(d), name) == 0) return d;
    return -1;
}

static float feat(int token, const char *name) { return R.x[(size_t)token * ATTN_MODEL_DIM + feature(name)]; }

// ---------------------------------------------------------------------------------------
// The lesson's sentences

static void check_pronoun(const char *sentence, const char *pronoun, const char *noun,
                          const char *rival, float min_weight, float min_margin) {
    check(run(sentence, ATTN_MASK_NONE, 1.0f) == ATTN_OK, "runs: %s", sentence);
    int p = find(pronoun), a = find(noun), b = rival ? find(rival) : -1;
    if (p < 0 || a < 0) { check(0, "tokens found in: %s", sentence); return; }
    const float *r = row(ATTN_HEAD_COREFERENCE, p);
    check(argmax(r, R.n) == a, "'%s' looks most at '%s' (weight %.3f; argmax is token %d)", pronoun, noun,
          (double)r[a], argmax(r, R.n));
    check(r[a] >= min_weight, "'%s' -> '%s' weight %.3f >= %.2f", pronoun, noun, (double)r[a], (double)min_weight);
    if (b >= 0)
        check(r[a] - r[b] >= min_margin, "'%s': '%s' %.3f beats '%s' %.3f by >= %.2f", pronoun, noun,
              (double)r[a], rival, (double)r[b], (double)min_margin);
}

static void test_coreference(void) {
    check_pronoun("The trophy didn't fit in the suitcase because it was too big.", "it", "trophy", "suitcase", 0.5f, 0.15f);
    check_pronoun("The agent paid the merchant after checking its budget.", "its", "agent", "merchant", 0.4f, 0.1f);
    check_pronoun("The animal didn't cross the road because it was tired.", "it", "animal", "road", 0.5f, 0.15f);
    // gender beats subject-and-order; number picks plural nouns
    check_pronoun("The king thanked the queen because she was kind.", "she", "queen", "king", 0.5f, 0.3f);
    check_pronoun("Mary told John that he should call her later.", "he", "John", "Mary", 0.5f, 0.3f);
    check_pronoun("The dogs chased the cat because they were hungry.", "they", "dogs", "cat", 0.5f, 0.3f);
    // the same holds under the causal mask (the noun comes before the pronoun)
    check(run("The trophy didn't fit in the suitcase because it was too big.", ATTN_MASK_CAUSAL, 1.0f) == ATTN_OK, "causal run");
    check(argmax(row(0, find("it")), R.n) == find("trophy"), "causal: it -> trophy");
    // other words rest on the first token
    check(run("The trophy didn't fit in the suitcase because it was too big.", ATTN_MASK_NONE, 1.0f) == ATTN_OK, "run");
    check(argmax(row(0, find("fit")), R.n) == 0, "coreference: a verb rests on the first token");
}

static const char *const sentences[] = {
    "The trophy didn't fit in the suitcase because it was too big.",
    "The agent paid the merchant after checking its budget.",
    "The animal didn't cross the road because it was tired.",
    "The cat sat on the mat because it was soft.",
    "Zorblax quickly glorbed 42 wugs in Zürich, didn't she? 😀 Yes!",
};

// Every token after the first looks at the one before it, and every token at the first.
static void check_position_heads(const char *label) {
    int prev_ok = 1, first_ok = 1;
    float prev_min = 1.0f, first_min = 1.0f;
    for (int i = 0; i < R.n; i++) {
        const float *p = row(ATTN_HEAD_PREVIOUS, i), *f = row(ATTN_HEAD_FIRST, i);
        if (i > 0) {
            prev_ok &= argmax(p, R.n) == i - 1;
            if (p[i - 1] < prev_min) prev_min = p[i - 1];
        }
        first_ok &= argmax(f, R.n) == 0;
        if (f[0] < first_min) first_min = f[0];
    }
    check(prev_ok && prev_min >= 0.6f, "%s: previous-word head, min weight on i-1 is %.3f", label, (double)prev_min);
    check(first_ok && first_min >= 0.6f, "%s: first-token head, min weight on token 0 is %.3f", label, (double)first_min);
}

static void test_position_heads(void) {
    for (size_t s = 0; s < sizeof sentences / sizeof *sentences; s++) {
        check(run(sentences[s], ATTN_MASK_NONE, 1.0f) == ATTN_OK, "runs: %s", sentences[s]);
        check_position_heads(sentences[s]);
        check(argmax(row(ATTN_HEAD_PREVIOUS, 0), R.n) == 0, "previous-word head: the first token looks at itself");
    }
    // the longest text the model takes: 256 tokens
    static char longest[ATTN_MAX_TOKENS * 8 + 1];
    const char *words[] = { "the", "cat", "sat", "on", "mat", "and", "it", "was", "soft", "." };
    longest[0] = '\0';
    for (int i = 0; i < ATTN_MAX_TOKENS; i++) {
        strcat(longest, words[(i * 7) % 10]);
        strcat(longest, " ");
    }
    check(run(longest, ATTN_MASK_NONE, 1.0f) == ATTN_OK && R.n == ATTN_MAX_TOKENS, "256-token text runs");
    check_position_heads("256 tokens");
}

static void test_unnamed_head(void) {
    check(run(sentences[0], ATTN_MASK_NONE, 1.0f) == ATTN_OK, "trophy sentence");
    int diffuse = 0;
    for (int i = 0; i < R.n; i++) {
        const float *r = row(ATTN_HEAD_UNNAMED, i);
        diffuse += r[argmax(r, R.n)] <= 0.5f;
    }
    check(diffuse * 2 > R.n, "unnamed head: %d of %d rows have no weight above 0.5", diffuse, R.n);
}

// Every row of every head sums to 1, with and without the mask, at every temperature.
static void test_rows_sum_to_one(void) {
    double worst = 0;
    int failures = 0;
    for (size_t s = 0; s < sizeof sentences / sizeof *sentences; s++)
        for (int mask = 0; mask <= 1; mask++)
            for (float t = 0.05f; t <= 3.0001f; t += 0.05f) {
                if (run(sentences[s], mask, t) != ATTN_OK) { failures++; continue; }
                for (int r = 0; r < ATTN_MODEL_HEADS * R.n; r++) {
                    double sum = 0;
                    for (int j = 0; j < R.n; j++) sum += R.weights[(size_t)r * R.n + j];
                    if (fabs(sum - 1.0) > worst) worst = fabs(sum - 1.0);
                }
            }
    check(failures == 0, "every run at T in [0.05, 3], with and without the mask, succeeds (%d failed)", failures);
    check(worst <= 1e-5, "every row of every head sums to 1 within 1e-5 (worst %.2g)", worst);
}

// ---------------------------------------------------------------------------------------
// Features

static void test_features(void) {
    // every dimension has a distinct name
    int named = 1;
    for (int d = 0; d < ATTN_MODEL_DIM; d++) {
        named &= attn_feature_name(d) && attn_feature_name(d)[0];
        for (int e = 0; e < d; e++) named &= strcmp(attn_feature_name(d), attn_feature_name(e)) != 0;
    }
    check(named, "every embedding dimension has its own name");
    check(!attn_feature_name(-1) && !attn_feature_name(ATTN_MODEL_DIM), "feature names out of range are NULL");

    check(run("The trophy didn't fit in the suitcase because it was too big.", 0, 1.0f) == ATTN_OK, "trophy");
    int trophy = find("trophy"), it = find("it"), suitcase = find("suitcase");
    check(feat(trophy, "noun") == 1 && feat(trophy, "thing") == 1 && feat(trophy, "subject") == 1,
          "trophy: a noun, a thing, the subject");
    check(feat(suitcase, "noun") == 1 && feat(suitcase, "subject") == 0, "suitcase: a noun, not the subject");
    check(feat(it, "pronoun") == 1 && feat(it, "thing") == 1 && feat(it, "person") == 0, "it: a pronoun for a thing");
    check(feat(0, "first token") == 1 && feat(1, "first token") == 0 && feat(0, "determiner") == 1,
          "The: first token, determiner");
    check(feat(find("."), "punctuation") == 1, ".: punctuation");
    check(feat(find("didn't"), "auxiliary") == 1 || feat(find("didn't"), "verb") == 1, "didn't: a verb form");
    check(feat(0, "position") == 0 && feat(R.n - 1, "position") == 1, "position runs 0..1");

    check(run("The queen and her brothers met Alice.", 0, 1.0f) == ATTN_OK, "queen");
    check(feat(find("queen"), "female") == 1 && feat(find("queen"), "person") == 1, "queen: a female person");
    check(feat(find("brothers"), "male") == 1 && feat(find("brothers"), "plural") == 1, "brothers: male, plural");
    check(feat(find("Alice"), "proper name") == 1, "Alice: a name");

    // readable rules for unknown words
    check(run("Then Zorblax blorply glorbed 42 wugs 😀 ,", 0, 1.0f) == ATTN_OK, "unknown words");
    check(feat(find("Zorblax"), "proper name") == 1, "capitalised mid-sentence -> proper name");
    check(feat(find("blorply"), "adverb") == 1, "-ly -> adverb");
    check(feat(find("glorbed"), "verb") == 1, "-ed -> verb");
    check(feat(find("42"), "number") == 1, "digits -> number");
    check(feat(find("wugs"), "noun") == 1, "otherwise -> noun");
    check(feat(find("😀"), "symbol") == 1, "emoji -> symbol");
    check(feat(find(","), "punctuation") == 1, "comma -> punctuation");

    // sentence starts reset with each sentence
    check(run("It rained. The dog slept.", 0, 1.0f) == ATTN_OK, "two sentences");
    check(feat(find("The"), "sentence start") == 1 && feat(find("dog"), "subject") == 1, "second sentence's subject");
}

static void test_heads_described(void) {
    int ok = 1;
    for (int h = 0; h < ATTN_MODEL_HEADS; h++) {
        ok &= attn_head_name(h) && attn_head_description(h) && strlen(attn_head_description(h)) > 20;
        for (int d = 0; d < ATTN_HEAD_DIM; d++)
            ok &= attn_head_dim_name(h, 'q', d) && attn_head_dim_name(h, 'k', d) && attn_head_dim_name(h, 'v', d);
    }
    check(ok, "every head has a name, a description and named q/k/v dimensions");
    check(strcmp(attn_head_name(0), "coreference") == 0 && strcmp(attn_head_name(1), "previous word") == 0 &&
          strcmp(attn_head_name(2), "start of sentence") == 0 && strcmp(attn_head_name(3), "unnamed") == 0,
          "heads in the lesson's order");
    check(!attn_head_name(-1) && !attn_head_name(ATTN_MODEL_HEADS) && !attn_head_dim_name(0, 'x', 0) &&
          !attn_head_dim_name(0, 'q', ATTN_HEAD_DIM), "out of range -> NULL");
    const attn_layer_weights *m = attn_model();
    check(m == attn_model() && m->d_model == ATTN_MODEL_DIM && m->n_heads == ATTN_MODEL_HEADS &&
          m->d_head == ATTN_HEAD_DIM && m->w_o == NULL, "the model's shape");
}

// ---------------------------------------------------------------------------------------
// Any text: defined output, or a clear error

static void test_any_text(void) {
    const char *texts[] = {
        "a", "!!!", "42", "😀😀😀", "مرحبا بالعالم", "שלום עולם", "日本語のテキスト", "e\xCC\x81t\xC3\xA9",
        "<script>alert(1)</script>", "\xFF\xFE invalid \xC3", "word", "A. B. C. D.",
    };
    int ok = 1;
    for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
        int rc = run(texts[t], ATTN_MASK_CAUSAL, 0.7f);
        ok &= rc == ATTN_OK;
        for (size_t i = 0; rc == ATTN_OK && i < (size_t)ATTN_MODEL_HEADS * R.n * R.n; i++) ok &= isfinite(R.weights[i]);
        if (rc) printf("    %s -> %s\n", texts[t], attn_strerror(rc));
    }
    check(ok, "unknown words, numbers, emoji, other scripts, markup, invalid UTF-8: defined output");
    check(run("", 0, 1.0f) == ATTN_ERR_EMPTY && run(" \t\n ", 0, 1.0f) == ATTN_ERR_EMPTY, "empty text is reported");

    // longer than the limit: the first 256 tokens are used, and the truncation is reported
    static char many[20000];
    many[0] = '\0';
    for (int i = 0; i < 1000; i++) strcat(many, "word ");
    check(run(many, 0, 1.0f) == ATTN_OK && R.n == ATTN_MAX_TOKENS && R.total == 1000, "1000 words -> 256 used, 1000 reported");

    float x[ATTN_MODEL_DIM];
    int s = 0, e = 3;
    check(attn_embed(NULL, "abc", &s, &e, 1) == ATTN_ERR_NULL, "embed NULL");
    check(attn_embed(x, "abc", &s, &e, 0) == ATTN_ERR_SIZE, "embed n = 0");
    check(attn_embed(x, "abc", &s, &e, ATTN_MAX_TOKENS + 1) == ATTN_ERR_OVERFLOW, "embed n > limit");
    int bad_s = 2, bad_e = 1;
    check(attn_embed(x, "abc", &bad_s, &bad_e, 1) == ATTN_ERR_INDEX, "embed with end before start");
}

int main(void) {
    test_coreference();
    test_position_heads();
    test_unnamed_head();
    test_rows_sum_to_one();
    test_features();
    test_heads_described();
    test_any_text();
    return check_summary("test_model");
}

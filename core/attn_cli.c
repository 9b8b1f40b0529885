/* attn_cli.c - build/attn: the lesson model and the trained Brown model from the command
   line, for slides and tests.

     build/attn "The trophy didn't fit in the suitcase because it was too big."
     build/attn --json --causal --temperature 0.7 --vectors "some sentence"
     echo "text" | build/attn --json -
     build/attn --model brown --json "The jury said"      # trained heads + next words
     build/attn --model brown --atlas --json              # the head atlas
     build/attn --model brown --generate 10 --seed 2 --temperature 0.8 --json "The jury said"

   Prints each designed head's attention weights (a table, or JSON with --json). Bad input
   gets a message on stderr and a non-zero exit status. */
#include "attn.h"
#include "attn_utf8.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXT (1 << 20)

static const char usage[] =
    "usage: attn [options] TEXT     (TEXT '-' reads standard input)\n"
    "  --json             print JSON: tokens, and per head name, description, weights\n"
    "  --causal           decoder mask: each token sees only itself and earlier tokens\n"
    "  --window W         causal sliding window of W tokens\n"
    "  --temperature T    softmax temperature, a number > 0 (default 1)\n"
    "  --vectors          also print each head's q, k, v and output vectors (JSON)\n"
    "  --features         also print each token's embedding with dimension names (JSON)\n"
    "  --decimals D       digits after the point, 0..9 (default 3)\n"
    "the trained model:\n"
    "  --model brown      the model trained on the Brown corpus: every layer's and head's\n"
    "                     weights and the 10 likeliest next words (full precision in --json)\n"
    "  --weights FILE     its weight file (default models/brown.aewt, found from the current\n"
    "                     directory or beside the build/ folder of this program)\n"
    "  --vocab FILE       its vocabulary (default models/brown-vocab.txt)\n"
    "  --atlas            print the head atlas: recomputed from the held-out data when it\n"
    "                     exists (--heldout DIR, default build/brown: heldout.bin +\n"
    "                     heldout.pos from `make brown-data`), else the committed\n"
    "                     models/brown-atlas.json; \"source\" says which\n"
    "  --atlas-out FILE   with --atlas, also write the recomputed atlas to FILE\n"
    "  --generate N       write N words after TEXT (the prompt; may be empty), one at a time:\n"
    "                     each step's 10 likeliest words, the one drawn, the sum of the\n"
    "                     probabilities over the vocabulary, multiply-adds and cache size\n"
    "  --seed S           the sampler's seed, 0..4294967295 (default 1): the same seed, the same text\n"
    "  --temperature T    with --generate: a number >= 0; 0 is greedy (the likeliest word)\n"
    "  --no-cache         with --generate: recompute every position at every step instead of\n"
    "                     keeping a KV cache (the same words; more multiply-adds)\n"
    "                     Generation stops when the model's 64 positions are full.\n"
    "  --ablate L,H,KIND  also ablate head H of layer L (KIND uniform, shuffle or zero) and\n"
    "                     print the effect on the next word (\"ablation\" in --json)\n"
    "  --ablate-seed S    the shuffle's seed (default 1)\n"
    "  --ablation-grid KIND  every head ablated in turn on held-out sentences (--sentences\n"
    "                     FILE, default models/brown-heldout-sentences.txt): mean KL, change\n"
    "                     in probability of the likeliest word, share of changed top words\n";

static int fail(const char *what, const char *detail) {
    fprintf(stderr, "attn: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    return 1;
}

// ---------------------------------------------------------------------------------------
// Output helpers

// A JSON string: escapes quotes, backslashes and control bytes; invalid UTF-8 becomes U+FFFD.
static void fprint_json_string(FILE *out, const char *s, int len) {
    fputc('"', out);
    for (int i = 0; i < len;) {
        long cp;
        int step = attn__utf8_decode((const unsigned char *)s + i, len - i, &cp);
        if (cp < 0) fputs("\\ufffd", out);
        else if (cp == '"' || cp == '\\') fprintf(out, "\\%c", (int)cp);
        else if (cp < 0x20) fprintf(out, "\\u%04x", (unsigned)cp);
        else fwrite(s + i, 1, (size_t)step, out);
        i += step;
    }
    fputc('"', out);
}

static void print_json_string(const char *s, int len) { fprint_json_string(stdout, s, len); }

static char numbers[64 * 1024];

// One row of numbers, as the core formats them, joined by sep.
static void print_row(const float *values, int count, int decimals, const char *sep) {
    attn_format_numbers(numbers, sizeof numbers, values, count, decimals);
    for (char *p = numbers, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
        *nl = '\0';
        // JSON has no -inf: a blocked score prints as null
        fputs(strcmp(p, "-inf") == 0 && sep[0] == ',' ? "null" : p, stdout);
        if (nl[1]) fputs(sep, stdout);
    }
}

static void print_json_matrix(const float *m, int rows, int cols, int decimals) {
    putchar('[');
    for (int r = 0; r < rows; r++) {
        putchar('[');
        print_row(m + (size_t)r * cols, cols, decimals, ", ");
        printf("]%s", r + 1 < rows ? ", " : "");
    }
    putchar(']');
}

// ---------------------------------------------------------------------------------------
// The trained model (--model brown)

typedef struct {
    const char *name, *weights, *vocab, *heldout, *atlas_out, *sentences;
    int atlas;
    int generate;                      // words to write (0: no generation)
    unsigned seed;
    float temperature;
    int no_cache;
    int ablate_layer, ablate_head, ablate_kind, grid_kind;   // kind ATTN_ABLATE_NONE: not asked
    unsigned ablate_seed;
} model_args;

static const char *const KIND_NAMES[] = { "none", "uniform", "shuffle", "zero" };

// "uniform" | "shuffle" | "zero" -> ATTN_ABLATE_*, or -1
static int kind_of(const char *name) {
    for (int k = ATTN_ABLATE_UNIFORM; k <= ATTN_ABLATE_ZERO; k++)
        if (strcmp(name, KIND_NAMES[k]) == 0) return k;
    return -1;
}

// A whole file, plus a terminating 0 (NULL when it cannot be read).
static char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        if (n + 65536 + 1 > cap) {
            char *grown = realloc(buf, cap = 2 * cap + 65536 + 1);
            if (!grown) { free(buf); fclose(f); return NULL; }
            buf = grown;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0);
    int bad = ferror(f);
    fclose(f);
    if (bad) { free(buf); return NULL; }
    buf[n] = '\0';
    *len = n;
    return buf;
}

// `given` when set; else rel from the current directory, else beside this program's build/
// folder (build/attn -> build/../rel). buf gets the path.
static const char *model_path(const char *given, const char *argv0, const char *rel, char *buf,
                              size_t cap) {
    if (given) return given;
    FILE *f = fopen(rel, "rb");
    if (f) { fclose(f); return rel; }
    const char *slash = strrchr(argv0, '/');
    if (!slash) return rel;
    snprintf(buf, cap, "%.*s/../%s", (int)(slash - argv0), argv0, rel);
    return buf;
}

typedef struct {
    attn_gpt_config cfg;
    float *params;
    char *vocab;
    int vocab_len;
    char weights_path[4096], vocab_path[4096];
} loaded_model;

static int load_model(loaded_model *m, const model_args *args, const char *argv0) {
    char buf[4096];
    const char *wpath = model_path(args->weights, argv0, "models/brown.aewt", buf, sizeof buf);
    snprintf(m->weights_path, sizeof m->weights_path, "%s", wpath);
    size_t len;
    unsigned char *file = (unsigned char *)read_all(wpath, &len);
    if (!file) return fail("cannot read the weight file", wpath);
    int format, rc = attn_weights_read_header(&m->cfg, &format, file, len);
    size_t np = rc == ATTN_OK ? attn_gpt_param_floats(&m->cfg) : 0;
    m->params = np ? malloc(np * sizeof(float)) : NULL;
    if (rc == ATTN_OK && !m->params) rc = ATTN_ERR_OVERFLOW;
    if (rc == ATTN_OK) rc = attn_weights_load(m->params, np, file, len);
    free(file);
    if (rc < 0) return fail(wpath, attn_strerror(rc));

    const char *vpath = model_path(args->vocab, argv0, "models/brown-vocab.txt", buf, sizeof buf);
    snprintf(m->vocab_path, sizeof m->vocab_path, "%s", vpath);
    size_t vlen;
    m->vocab = read_all(vpath, &vlen);
    if (!m->vocab) return fail("cannot read the vocabulary", vpath);
    if (vlen > 0 && m->vocab[vlen - 1] == '\n') vlen--;   // the last line's newline ends it
    if (vlen == 0 || vlen > (1u << 30)) return fail(vpath, attn_strerror(ATTN_ERR_VOCAB));
    m->vocab_len = (int)vlen;
    int words = attn_vocab_count(m->vocab, m->vocab_len);
    if (words < 0) return fail(vpath, attn_strerror(words));
    if (words != m->cfg.vocab) return fail(vpath, "its word count differs from the model's vocabulary size");
    int start, wlen;
    if (attn_vocab_word(&start, &wlen, m->vocab, m->vocab_len, 0) < 0 || wlen != 3 ||
        memcmp(m->vocab + start, "<s>", 3) != 0)
        return fail(vpath, "id 0 must be the boundary token <s>");
    return 0;
}

// A float with every digit it needs to read back the same (JSON has no NaN/inf: null).
static void print_full(float v) {
    if (isfinite(v)) printf("%.9g", (double)v);
    else fputs("null", stdout);
}

static void print_vocab_word(const loaded_model *m, int id) {
    int start = 0, wlen = 0;
    attn_vocab_word(&start, &wlen, m->vocab, m->vocab_len, id);
    print_json_string(m->vocab + start, wlen);
}

// order[0..top) = the ids of the top likeliest: a partial selection sort (ties: the smaller id)
static void top_k(int *order, const float *probs, int vocab, int top) {
    for (int i = 0; i < vocab; i++) order[i] = i;
    for (int r = 0; r < top; r++) {
        int best = r;
        for (int i = r + 1; i < vocab; i++)
            if (probs[order[i]] > probs[order[best]] ||
                (probs[order[i]] == probs[order[best]] && order[i] < order[best])) best = i;
        int t = order[r]; order[r] = order[best]; order[best] = t;
    }
}

// [{"word", "id", "logit", "prob"}, ...] of the ids order[0..top), without the brackets
static void print_next(const loaded_model *m, const float *logits, const float *probs,
                       const int *order, int top) {
    for (int r = 0; r < top; r++) {
        printf("%s{\"word\": ", r ? ", " : "");
        print_vocab_word(m, order[r]);
        printf(", \"id\": %d, \"logit\": ", order[r]);
        print_full(logits[order[r]]);
        printf(", \"prob\": ");
        print_full(probs[order[r]]);
        printf("}");
    }
}

// The model on <s> + the text's tokens: every head's weights and the 10 likeliest next words.
static int run_model(const model_args *args, const char *argv0, const char *text, int len, int json) {
    loaded_model m;
    if (load_model(&m, args, argv0)) return 1;
    const attn_gpt_config *cfg = &m.cfg;
    if (args->ablate_kind != ATTN_ABLATE_NONE &&
        (args->ablate_layer < 0 || args->ablate_layer >= cfg->n_layers || args->ablate_head < 0 ||
         args->ablate_head >= cfg->n_heads)) {
        fprintf(stderr, "attn: --ablate: the model has layers 0..%d and heads 0..%d\n", cfg->n_layers - 1,
                cfg->n_heads - 1);
        return 1;
    }
    static int starts[ATTN_MAX_TOKENS], ends[ATTN_MAX_TOKENS];
    int total = 0;
    int n = attn_tokenize(starts, ends, ATTN_MAX_TOKENS, text, len, &total);
    if (n < 0) return fail("cannot read the text", attn_strerror(n));
    int max_text = cfg->context - 1;                 // one place goes to <s>
    if (total > max_text)
        fprintf(stderr, "attn: the text has %d tokens; the model reads the first %d\n", total, max_text);
    if (n > max_text) n = max_text;

    const int seq = n + 1;
    int ids[ATTN_MAX_TOKENS + 1];
    unsigned char unknown[ATTN_MAX_TOKENS];
    ids[0] = 0;
    int rc = attn_vocab_ids(ids + 1, unknown, m.vocab, m.vocab_len, text, starts, ends, n);
    if (rc < 0) return fail("cannot look up the words", attn_strerror(rc));
    size_t na = attn_gpt_activation_floats(cfg, 1, seq);
    float *acts = na ? malloc(na * sizeof(float)) : NULL;
    float *probs = malloc((size_t)cfg->vocab * sizeof(float));
    int *order = malloc((size_t)cfg->vocab * sizeof(int));
    if (!acts || !probs || !order) return fail("out of memory", NULL);
    rc = attn_gpt_forward(acts, NULL, m.params, cfg, ids, NULL, 1, seq, NULL, 0);
    if (rc < 0) return fail("cannot run the model", attn_strerror(rc));
    const float *logits = attn_gpt_logits(acts, cfg, 1, seq) + (size_t)(seq - 1) * cfg->vocab;
    rc = attn_softmax_rows(probs, logits, 1, cfg->vocab, 1.0f, NULL);
    if (rc < 0) return fail("cannot compute probabilities", attn_strerror(rc));
    int top = cfg->vocab < 10 ? cfg->vocab : 10;
    top_k(order, probs, cfg->vocab, top);

    if (!json) {
        printf("model %s (%s): %d tokens after <s>", args->name, m.weights_path, n);
        for (int i = 0; i < n; i++)
            printf("%s%.*s%s", i ? " " : ": ", ends[i] - starts[i], text + starts[i], unknown[i] ? "(?)" : "");
        printf("\n  (?) = not in the vocabulary, read as its class\nnext word after the last token:\n");
        for (int r = 0; r < top; r++) {
            int start, wlen;
            attn_vocab_word(&start, &wlen, m.vocab, m.vocab_len, order[r]);
            printf("  %-14.*s p %.4f  logit %.3f\n", wlen, m.vocab + start, (double)probs[order[r]],
                   (double)logits[order[r]]);
        }
        printf("(--json prints every head's weights)\n");
        return 0;
    }

    printf("{\"model\": \"%s\", \"tokens\": [\"<s>\"", args->name);
    for (int i = 0; i < n; i++) {
        printf(", ");
        print_json_string(text + starts[i], ends[i] - starts[i]);
    }
    printf("], \"ids\": [");
    for (int i = 0; i < seq; i++) printf("%s%d", i ? ", " : "", ids[i]);
    printf("], \"vocab_words\": [");
    for (int i = 0; i < seq; i++) { if (i) printf(", "); print_vocab_word(&m, ids[i]); }
    printf("], \"unknown\": [");
    for (int i = 0, first = 1; i < n; i++)
        if (unknown[i]) { printf("%s%d", first ? "" : ", ", i + 1); first = 0; }
    printf("], \"total_tokens\": %d, \"truncated\": %s, \"layers\": [", total, total > n ? "true" : "false");
    // how sharp each head and layer is on this text (mean row entropy, bits; as the atlas)
    float *head_entropy = malloc(sizeof(float) * (size_t)cfg->n_layers * (size_t)cfg->n_heads);
    float layer_entropy[ATTN_GPT_MAX_LAYERS];
    if (!head_entropy) return fail("out of memory", NULL);
    rc = attn_atlas_entropy(head_entropy, layer_entropy, acts, cfg, seq);
    if (rc < 0) return fail("cannot measure entropy", attn_strerror(rc));
    for (int l = 0; l < cfg->n_layers; l++) {
        printf("%s{\"entropy\": ", l ? ", " : "");
        print_full(layer_entropy[l]);
        printf(", \"heads\": [");
        for (int h = 0; h < cfg->n_heads; h++) {
            const float *w = attn_gpt_weights(acts, cfg, 1, seq, l, h);
            printf("%s{\"name\": \"L%dH%d\", \"layer\": %d, \"head\": %d, \"entropy\": ", h ? ", " : "", l, h, l, h);
            print_full(head_entropy[l * cfg->n_heads + h]);
            printf(", \"weights\": [");
            for (int i = 0; i < seq; i++) {
                printf("%s[", i ? ", " : "");
                for (int j = 0; j < seq; j++) { if (j) printf(", "); print_full(w[(size_t)i * seq + j]); }
                printf("]");
            }
            printf("]}");
        }
        printf("]}");
    }
    printf("], \"next\": [");
    print_next(&m, logits, probs, order, top);
    printf("]");
    if (args->ablate_kind != ATTN_ABLATE_NONE) {
        // the same text with one head ablated: the effect on the last prediction
        float *before = malloc((size_t)cfg->vocab * sizeof(float));
        if (!before) return fail("out of memory", NULL);
        memcpy(before, logits, (size_t)cfg->vocab * sizeof(float));
        attn_gpt_ablation ab = { args->ablate_layer, args->ablate_head, args->ablate_kind };
        rc = attn_gpt_forward(acts, NULL, m.params, cfg, ids, NULL, 1, seq, &ab, args->ablate_seed);
        if (rc < 0) return fail("cannot run the ablated model", attn_strerror(rc));
        const float *after = attn_gpt_logits(acts, cfg, 1, seq) + (size_t)(seq - 1) * cfg->vocab;
        attn_ablation_effect e;
        rc = attn_ablation_effect_of(&e, before, after, cfg->vocab);
        if (rc == ATTN_OK) rc = attn_softmax_rows(probs, after, 1, cfg->vocab, 1.0f, NULL);
        if (rc < 0) return fail("cannot compare the predictions", attn_strerror(rc));
        top_k(order, probs, cfg->vocab, top);
        printf(", \"ablation\": {\"layer\": %d, \"head\": %d, \"kind\": \"%s\", \"seed\": %u, \"top_before\": ",
               ab.layer, ab.head, KIND_NAMES[ab.kind], args->ablate_seed);
        print_vocab_word(&m, e.top_before);
        printf(", \"top_before_id\": %d, \"top_after\": ", e.top_before);
        print_vocab_word(&m, e.top_after);
        printf(", \"top_after_id\": %d, \"p_top_before\": ", e.top_after);
        print_full(e.p_top_before);
        printf(", \"p_top_after\": ");
        print_full(e.p_top_after);
        printf(", \"delta\": ");
        print_full(e.delta);
        printf(", \"kl\": ");
        print_full(e.kl);
        printf(", \"next_after\": [");
        print_next(&m, after, probs, order, top);
        printf("]}");
        free(before);
    }
    printf("}\n");
    return 0;
}

// ---------------------------------------------------------------------------------------
// Every head ablated in turn on held-out sentences (--model brown --ablation-grid KIND)

static int run_grid(const model_args *args, const char *argv0) {
    char buf[4096];
    const char *path = model_path(args->sentences, argv0, "models/brown-heldout-sentences.txt", buf, sizeof buf);
    size_t len;
    char *text = read_all(path, &len);
    if (!text) return fail("cannot read the sentences", path);
    loaded_model m;
    if (load_model(&m, args, argv0)) return 1;
    const attn_gpt_config *cfg = &m.cfg;
    // each line as run_model reads text: <s>, then its first context - 1 tokens
    int lines = 1;
    for (size_t i = 0; i < len; i++) lines += text[i] == '\n';
    int *ids = malloc(sizeof(int) * (size_t)lines * (size_t)cfg->context);
    int *lengths = malloc(sizeof(int) * (size_t)lines);
    if (!ids || !lengths) return fail("out of memory", NULL);
    static int starts[ATTN_MAX_TOKENS], ends[ATTN_MAX_TOKENS];
    int n_sentences = 0, at = 0, max_len = 1;
    for (char *line = text, *nl; line < text + len; line = nl + 1) {
        nl = strchr(line, '\n');
        if (!nl) nl = text + len;
        int n = attn_tokenize(starts, ends, ATTN_MAX_TOKENS, line, (int)(nl - line), NULL);
        if (n == ATTN_ERR_EMPTY) continue;
        if (n < 0) return fail(path, attn_strerror(n));
        if (n > cfg->context - 1) n = cfg->context - 1;
        ids[at] = 0;
        int rc = attn_vocab_ids(ids + at + 1, NULL, m.vocab, m.vocab_len, line, starts, ends, n);
        if (rc < 0) return fail(path, attn_strerror(rc));
        lengths[n_sentences++] = n + 1;
        if (n + 1 > max_len) max_len = n + 1;
        at += n + 1;
    }
    if (!n_sentences) return fail(path, "holds no sentence");
    size_t bytes = attn_ablation_job_bytes(cfg, max_len);
    double *job = bytes ? malloc(bytes) : NULL;
    int heads_n = cfg->n_layers * cfg->n_heads;
    attn_ablation_head *heads = malloc(sizeof(attn_ablation_head) * (size_t)heads_n);
    if (!job || !heads) return fail("out of memory", NULL);
    int rc = attn_ablation_job_init(job, bytes, m.params, cfg, ids, lengths, n_sentences, args->grid_kind,
                                    args->ablate_seed);
    while (rc > 0 || rc == ATTN_OK) {
        rc = attn_ablation_job_step(job, 64);
        if (rc == 0) break;
    }
    if (rc == ATTN_OK) rc = attn_ablation_job_results(heads, job);
    if (rc < 0) return fail("cannot run the ablation grid", attn_strerror(rc));
    printf("{\"model\": \"%s\", \"kind\": \"%s\", \"seed\": %u, \"sentences\": %d, \"file\": ",
           args->name, KIND_NAMES[args->grid_kind], args->ablate_seed, n_sentences);
    print_json_string(path, (int)strlen(path));
    printf(", \"predictions\": %ld, \"heads\": [", heads[0].predictions);
    for (int h = 0; h < heads_n; h++) {
        const attn_ablation_head *a = &heads[h];
        printf("%s\n  {\"name\": \"L%dH%d\", \"layer\": %d, \"head\": %d, \"kl\": ", h ? "," : "",
               h / cfg->n_heads, h % cfg->n_heads, h / cfg->n_heads, h % cfg->n_heads);
        print_full(a->kl);
        printf(", \"delta\": ");
        print_full(a->delta);
        printf(", \"flip_rate\": ");
        print_full(a->flip_rate);
        printf(", \"max_kl\": ");
        print_full(a->max_kl);
        printf(", \"flips\": %ld, \"predictions\": %ld}", a->flips, a->predictions);
    }
    printf("\n]}\n");
    return 0;
}

// ---------------------------------------------------------------------------------------
// Generation (--model brown --generate N)

// One step's top 10 as JSON.
static void print_top(const loaded_model *m, const float *probs, int *order) {
    int count = attn_top_k(order, probs, m->cfg.vocab, 10);
    printf("[");
    for (int r = 0; r < count; r++) {
        printf("%s{\"word\": ", r ? ", " : "");
        print_vocab_word(m, order[r]);
        printf(", \"id\": %d, \"prob\": ", order[r]);
        print_full(probs[order[r]]);
        printf("}");
    }
    printf("]");
}

// <s> + the prompt's tokens, then `generate` words, each from the logits of the last position:
// with the KV cache (one new position per step) or recomputing every position.
static int run_generate(const model_args *args, const char *argv0, const char *text, int len, int json) {
    loaded_model m;
    if (load_model(&m, args, argv0)) return 1;
    const attn_gpt_config *cfg = &m.cfg;
    static int starts[ATTN_MAX_TOKENS], ends[ATTN_MAX_TOKENS];
    int total = 0;
    int n = attn_tokenize(starts, ends, ATTN_MAX_TOKENS, text, len, &total);
    if (n == ATTN_ERR_EMPTY) n = total = 0;          // an empty prompt: start from <s> alone
    if (n < 0) return fail("cannot read the prompt", attn_strerror(n));
    if (total > cfg->context - 1) {
        fprintf(stderr, "attn: the prompt has %d tokens; the model's context holds %d positions (<s> and %d "
                "words), so there is no room to write. Shorten it.\n", total, cfg->context, cfg->context - 1);
        return 1;
    }
    const int V = cfg->vocab, ctx = cfg->context;
    int *seq = malloc(sizeof(int) * (size_t)(ctx + args->generate + 1));
    unsigned char unknown[ATTN_MAX_TOKENS];
    size_t nkv = attn_gpt_kv_floats(cfg), na = attn_gpt_activation_floats(cfg, 1, ctx);
    float *kv = malloc(nkv * sizeof(float)), *acts = args->no_cache ? malloc(na * sizeof(float)) : NULL;
    float *logits = malloc((size_t)V * sizeof(float)), *probs = malloc((size_t)V * sizeof(float));
    int *order = malloc(sizeof(int) * (size_t)V);
    if (!seq || !kv || (args->no_cache && !acts) || !logits || !probs || !order) return fail("out of memory", NULL);
    seq[0] = 0;
    int rc = n ? attn_vocab_ids(seq + 1, unknown, m.vocab, m.vocab_len, text, starts, ends, n) : 0;
    if (rc < 0) return fail("cannot look up the words", attn_strerror(rc));
    int unknown_count = rc;
    attn_gpt_kv_init(kv, nkv, cfg);
    int count = n + 1, fed = 0, steps = 0;
    const char *stopped = NULL;

    if (json) {
        printf("{\"model\": \"%s\", \"prompt\": [\"<s>\"", args->name);
        for (int i = 0; i < n; i++) { printf(", "); print_json_string(text + starts[i], ends[i] - starts[i]); }
        printf("], \"ids\": [");
        for (int i = 0; i < count; i++) printf("%s%d", i ? ", " : "", seq[i]);
        printf("], \"vocab_words\": [");
        for (int i = 0; i < count; i++) { if (i) printf(", "); print_vocab_word(&m, seq[i]); }
        printf("], \"unknown\": [");
        for (int i = 0, first = 1; i < n; i++)
            if (unknown[i]) { printf("%s%d", first ? "" : ", ", i + 1); first = 0; }
        printf("], \"temperature\": ");
        print_full(args->temperature);
        printf(", \"seed\": %u, \"cache\": %s, \"context\": %d, \"steps\": [", args->seed,
               args->no_cache ? "false" : "true", ctx);
    } else {
        printf("model %s, temperature %g, seed %u, %s: <s>", args->name, (double)args->temperature, args->seed,
               args->no_cache ? "no cache (every position recomputed each step)" : "KV cache");
        for (int i = 0; i < n; i++) printf(" %.*s%s", ends[i] - starts[i], text + starts[i], unknown[i] ? "(?)" : "");
        printf("\n");
        if (unknown_count == n && n > 0) printf("  (no word of the prompt is in the vocabulary: the model sees only unknown classes)\n");
    }

    for (int s = 0; s < args->generate; s++) {
        if (count > ctx) { stopped = "context"; break; }
        double madds = 0.0, one;
        if (args->no_cache) {
            rc = attn_gpt_next_logits(logits, &madds, acts, m.params, cfg, seq, count);
        } else {
            for (rc = 0; fed < count && rc >= 0; fed++, madds += one)
                rc = attn_gpt_kv_append(logits, NULL, &one, kv, nkv, m.params, cfg, seq[fed]);
        }
        if (rc < 0) return fail("cannot run the model", attn_strerror(rc));
        double sum = 0.0, madds_cached, madds_full;
        int next = attn_sample_next(probs, &sum, logits, V, args->temperature, args->seed, s);
        if (next < 0) return fail("cannot sample", attn_strerror(next));
        attn_gpt_step_madds(&madds_cached, cfg, count, 1);
        attn_gpt_step_madds(&madds_full, cfg, count, 0);
        int rows = args->no_cache ? 0 : attn_gpt_kv_rows(kv, nkv, cfg);
        if (json) {
            printf("%s{\"step\": %d, \"position\": %d, \"id\": %d, \"word\": ", s ? ", " : "", s, count - 1, next);
            print_vocab_word(&m, next);
            printf(", \"prob\": ");
            print_full(probs[next]);
            printf(", \"prob_sum\": %.9g, \"madds\": %.0f, \"madds_cached\": %.0f, \"madds_full\": %.0f, "
                   "\"cache_rows\": %d, \"cache_bytes\": %zu, \"top\": ", sum, madds, madds_cached, madds_full,
                   rows, attn_gpt_kv_bytes(cfg, rows));
            print_top(&m, probs, order);
            printf("}");
        } else {
            int start, wlen;
            attn_vocab_word(&start, &wlen, m.vocab, m.vocab_len, next);
            printf("  step %2d  %-14.*s p %.4f  (sum over %d words %.6f)  %.0f multiply-adds, cache %d rows\n",
                   s + 1, wlen, m.vocab + start, (double)probs[next], V, sum, madds, rows);
        }
        seq[count++] = next;
        steps++;
    }
    if (!stopped && count > ctx && steps < args->generate) stopped = "context";
    if (json) {
        printf("], \"generated\": [");
        for (int i = n + 1; i < count; i++) { if (i > n + 1) printf(", "); print_vocab_word(&m, seq[i]); }
        printf("], \"stopped\": %s}\n", stopped ? "\"context\"" : "null");
    } else if (stopped) {
        printf("stopped after %d words: the model's %d positions are full (its positions are learned, so the "
               "window cannot slide)\n", steps, ctx);
    }
    free(seq); free(kv); free(acts); free(logits); free(probs); free(order);
    return 0;
}

// ---------------------------------------------------------------------------------------
// The head atlas (--model brown --atlas)

static void atlas_json(FILE *out, const attn_atlas_head *heads, const attn_atlas_summary *sum,
                       const attn_gpt_config *cfg, const char *heldout) {
    fprintf(out, "{\"model\": \"brown\", \"heldout\": ");
    fprint_json_string(out, heldout, (int)strlen(heldout));
    fprintf(out, ", \"seq\": %d,\n"
                 " \"plain\": {\"windows\": %d, \"targets\": %ld, \"loss\": %.9g, \"perplexity\": %.9g},\n"
                 " \"repeated\": {\"windows\": %d, \"period\": %d, \"loss_first_copy\": %.9g, \"loss_second_copy\": %.9g},\n"
                 " \"thresholds\": \"induction: prefix_match >= 0.30 and >= 3 x prefix_baseline; determiner, verb-noun: score >= 0.40 and >= baseline + 0.15 and >= 1.5 x baseline; previous-token: previous >= 0.40, first-token: first >= 0.50, both >= 3 x uniform; else diffuse. Content baselines: the head's own mean weight at the same cells over all plain windows\",\n"
                 " \"layers\": [",
            sum->seq, sum->windows, sum->heldout_targets, sum->heldout_loss,
            exp(sum->heldout_loss), sum->repeated_windows, sum->period, sum->loss_first_copy,
            sum->loss_second_copy);
    for (int l = 0; l < cfg->n_layers; l++) {
        fprintf(out, "%s\n  {\"heads\": [", l ? "," : "");
        for (int h = 0; h < cfg->n_heads; h++) {
            const attn_atlas_head *a = &heads[l * cfg->n_heads + h];
            fprintf(out, "%s\n   {\"name\": \"L%dH%d\", \"layer\": %d, \"head\": %d, \"habit\": \"%s\", \"habits\": [",
                    h ? "," : "", l, h, l, h, attn_habit_name(a->habit));
            for (int k = 1, first = 1; k < ATTN_HABITS; k++)
                if (a->habits & (1 << k)) { fprintf(out, "%s\"%s\"", first ? "" : ", ", attn_habit_name(k)); first = 0; }
            fprintf(out, "], \"entropy\": %.9g, \"entropy_uniform\": %.9g, \"previous\": %.9g, \"first\": %.9g, "
                         "\"uniform\": %.9g, \"prefix_match\": %.9g, \"prefix_baseline\": %.9g, \"det_noun\": %.9g, "
                         "\"det_baseline\": %.9g, \"verb_noun\": %.9g, \"verb_baseline\": %.9g, \"rows\": %ld, "
                         "\"prefix_cells\": %ld, \"det_pairs\": %ld, \"verb_pairs\": %ld}",
                    (double)a->entropy, (double)a->entropy_uniform, (double)a->previous, (double)a->first,
                    (double)a->uniform, (double)a->prefix_match, (double)a->prefix_baseline,
                    (double)a->det_noun, (double)a->det_baseline, (double)a->verb_noun,
                    (double)a->verb_baseline, a->rows, a->prefix_pairs, a->det_pairs, a->verb_pairs);
        }
        fprintf(out, "]}");
    }
    fprintf(out, "\n ]}\n");
}

static int run_atlas(const model_args *args, const char *argv0, int json) {
    char buf[4096], ids_path[4096], pos_path[4096];
    const char *dir = args->heldout ? args->heldout : "build/brown";
    snprintf(ids_path, sizeof ids_path, "%s/heldout.bin", dir);
    snprintf(pos_path, sizeof pos_path, "%s/heldout.pos", dir);
    size_t ids_len = 0, pos_len = 0;
    char *ids_raw = read_all(ids_path, &ids_len), *pos_raw = read_all(pos_path, &pos_len);

    if (!ids_raw || !pos_raw) {
        if (args->heldout) return fail("cannot read the held-out data", ids_raw ? pos_path : ids_path);
        if (args->atlas_out) return fail("--atlas-out", "needs the held-out data (make brown-data)");
        const char *path = model_path(NULL, argv0, "models/brown-atlas.json", buf, sizeof buf);
        size_t len;
        char *atlas = read_all(path, &len);
        if (!atlas) return fail("no held-out data and no committed atlas", path);
        if (json) {
            printf("{\"source\": \"committed\", \"file\": ");
            print_json_string(path, (int)strlen(path));
            printf(", \"atlas\": %s}\n", atlas);
        }
        else printf("the committed atlas (%s; no held-out data in %s to recompute it):\n%s", path, dir, atlas);
        return 0;
    }
    if (ids_len % 2 || ids_len / 2 != pos_len || pos_len > (1u << 30))
        return fail(dir, "heldout.bin and heldout.pos do not hold the same number of tokens");
    int n = (int)pos_len;
    int *ids = malloc(sizeof(int) * (size_t)n);
    if (!ids) return fail("out of memory", NULL);
    for (int i = 0; i < n; i++)
        ids[i] = (unsigned char)ids_raw[2 * i] | (unsigned char)ids_raw[2 * i + 1] << 8;

    loaded_model m;
    if (load_model(&m, args, argv0)) return 1;
    const attn_gpt_config *cfg = &m.cfg;
    size_t nacc = attn_atlas_doubles(cfg, cfg->context), nw = attn_atlas_work_floats(cfg);
    size_t ni = attn_atlas_work_ints(cfg);
    int heads_n = cfg->n_layers * cfg->n_heads;
    double *acc = malloc(nacc * sizeof(double));
    float *work = malloc(nw * sizeof(float));
    int *iwork = malloc(ni * sizeof(int));
    attn_atlas_head *heads = malloc(sizeof(attn_atlas_head) * (size_t)heads_n);
    if (!acc || !work || !iwork || !heads) return fail("out of memory", NULL);
    attn_atlas_summary sum;
    int rc = attn_atlas_measure(heads, &sum, m.params, cfg, ids, (const unsigned char *)pos_raw, n,
                                512, acc, work, nw, iwork, ni);
    if (rc < 0) return fail("cannot measure the atlas", attn_strerror(rc));
    if (args->atlas_out) {
        FILE *f = fopen(args->atlas_out, "w");
        if (!f) return fail("cannot write", args->atlas_out);
        atlas_json(f, heads, &sum, cfg, dir);
        if (fclose(f) != 0) return fail("cannot write", args->atlas_out);
    }
    if (json) {
        printf("{\"source\": \"recomputed\", \"heldout\": ");
        print_json_string(dir, (int)strlen(dir));
        printf(", \"tokens\": %d, \"atlas\": ", n);
        atlas_json(stdout, heads, &sum, cfg, dir);
        printf("}\n");
        return 0;
    }
    printf("head atlas recomputed from %s (%d tokens; held-out perplexity %.2f; repeated passages: "
           "loss %.3f on the first copy, %.3f on the second)\n", dir, n, exp(sum.heldout_loss),
           sum.loss_first_copy, sum.loss_second_copy);
    printf("head  habit           entropy  prev  first  prefix(base)  det(base)    verb(base)\n");
    for (int h = 0; h < heads_n; h++) {
        const attn_atlas_head *a = &heads[h];
        printf("L%dH%d  %-14s  %5.2f  %5.3f  %5.3f  %5.3f(%5.3f) %5.3f(%5.3f) %5.3f(%5.3f)\n",
               h / cfg->n_heads, h % cfg->n_heads, attn_habit_name(a->habit), (double)a->entropy,
               (double)a->previous, (double)a->first, (double)a->prefix_match, (double)a->prefix_baseline,
               (double)a->det_noun, (double)a->det_baseline, (double)a->verb_noun, (double)a->verb_baseline);
    }
    return 0;
}

// ---------------------------------------------------------------------------------------

int main(int argc, char **argv) {
    int json = 0, vectors = 0, features = 0, decimals = 3;
    const char *text_arg = NULL;
    attn_options opt = attn_default_options();
    model_args trained = {0};
    trained.seed = 1;
    trained.ablate_seed = 1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (strcmp(a, "--json") == 0) json = 1;
        else if (strcmp(a, "--vectors") == 0) vectors = 1;
        else if (strcmp(a, "--features") == 0) features = 1;
        else if (strcmp(a, "--causal") == 0) opt.mask = ATTN_MASK_CAUSAL;
        else if (strcmp(a, "--temperature") == 0 && next) {
            errno = 0;
            opt.temperature = strtof(next, &end);
            // 0 is greedy generation; anywhere else the temperature must be above 0 (checked below)
            if (*end || errno || !isfinite(opt.temperature) || opt.temperature < 0)
                return fail("--temperature", attn_strerror(ATTN_ERR_TEMPERATURE));
            i++;
        } else if (strcmp(a, "--generate") == 0 && next) {
            long g = strtol(next, &end, 10);
            if (*end || g < 1 || g > 10000) return fail("--generate", "a whole number from 1 to 10000");
            trained.generate = (int)g;
            i++;
        } else if (strcmp(a, "--seed") == 0 && next) {
            errno = 0;
            unsigned long long sd = strtoull(next, &end, 10);
            if (*end || errno || next[0] == '-' || sd > 4294967295ull) return fail("--seed", "a whole number from 0 to 4294967295");
            trained.seed = (unsigned)sd;
            i++;
        } else if (strcmp(a, "--no-cache") == 0) {
            trained.no_cache = 1;
        } else if (strcmp(a, "--window") == 0 && next) {
            long w = strtol(next, &end, 10);
            if (*end || w < 1 || w > ATTN_MAX_TOKENS) return fail("--window", "a whole number from 1 to 256");
            opt.mask = ATTN_MASK_WINDOW;
            opt.window = (int)w;
            i++;
        } else if (strcmp(a, "--decimals") == 0 && next) {
            long d = strtol(next, &end, 10);
            if (*end || d < 0 || d > 9) return fail("--decimals", "a whole number from 0 to 9");
            decimals = (int)d;
            i++;
        } else if (strcmp(a, "--model") == 0 && next) {
            if (strcmp(next, "brown") != 0) return fail("--model", "the only trained model is brown");
            trained.name = next;
            i++;
        } else if (strcmp(a, "--weights") == 0 && next) { trained.weights = next; i++; }
        else if (strcmp(a, "--vocab") == 0 && next) { trained.vocab = next; i++; }
        else if (strcmp(a, "--heldout") == 0 && next) { trained.heldout = next; i++; }
        else if (strcmp(a, "--atlas-out") == 0 && next) { trained.atlas_out = next; i++; }
        else if (strcmp(a, "--atlas") == 0) trained.atlas = 1;
        else if (strcmp(a, "--sentences") == 0 && next) { trained.sentences = next; i++; }
        else if (strcmp(a, "--ablate") == 0 && next) {
            char kind[16];
            int used = 0;
            if (sscanf(next, "%d,%d,%15[a-z]%n", &trained.ablate_layer, &trained.ablate_head, kind, &used) != 3 ||
                next[used] || kind_of(kind) < 0)
                return fail("--ablate", "LAYER,HEAD,KIND with KIND uniform, shuffle or zero (e.g. 2,3,zero)");
            trained.ablate_kind = kind_of(kind);
            i++;
        } else if (strcmp(a, "--ablate-seed") == 0 && next) {
            unsigned long seed = strtoul(next, &end, 10);
            if (*end || !*next || next[0] == '-' || seed > 0xFFFFFFFFul) return fail("--ablate-seed", "a whole number from 0 to 4294967295");
            trained.ablate_seed = (unsigned)seed;
            i++;
        } else if (strcmp(a, "--ablation-grid") == 0 && next) {
            if (kind_of(next) < 0) return fail("--ablation-grid", "uniform, shuffle or zero");
            trained.grid_kind = kind_of(next);
            i++;
        }
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if ((a[0] == '-' && a[1] != '\0') || text_arg) {
            fprintf(stderr, "attn: unexpected argument '%s'\n%s", a, usage);
            return 2;
        } else text_arg = a;
    }
    if (trained.atlas && !trained.name) return fail("--atlas", "needs --model brown");
    if (trained.generate && !trained.name) return fail("--generate", "needs --model brown");
    if (!trained.generate && opt.temperature == 0.0f) return fail("--temperature", attn_strerror(ATTN_ERR_TEMPERATURE));
    trained.temperature = opt.temperature;
    if ((trained.ablate_kind || trained.grid_kind) && !trained.name)
        return fail(trained.grid_kind ? "--ablation-grid" : "--ablate", "needs --model brown");
    if (trained.ablate_kind && !json) return fail("--ablate", "prints its effect with --json");
    if (trained.grid_kind) {
        if (text_arg) return fail("--ablation-grid", "takes no text (the sentences come from --sentences FILE)");
        return run_grid(&trained, argv[0]);
    }
    if (trained.name && trained.atlas) {
        if (text_arg) return fail("--atlas", "takes no text");
        return run_atlas(&trained, argv[0], json);
    }
    if (!text_arg) {
        fputs(usage, stderr);
        return 2;
    }

    static char text[MAX_TEXT + 1];
    int len;
    if (strcmp(text_arg, "-") == 0) {
        size_t got = fread(text, 1, MAX_TEXT + 1, stdin);
        if (got > MAX_TEXT) return fail("the text is too long", "at most 1 MiB");
        len = (int)got;
    } else {
        size_t l = strlen(text_arg);
        if (l > MAX_TEXT) return fail("the text is too long", "at most 1 MiB");
        memcpy(text, text_arg, l);
        len = (int)l;
    }

    if (trained.name && trained.generate) return run_generate(&trained, argv[0], text, len, json);
    if (trained.name) return run_model(&trained, argv[0], text, len, json);

    // tokens, embeddings, then every head through the core
    static int starts[ATTN_MAX_TOKENS], ends[ATTN_MAX_TOKENS];
    int total = 0;
    int n = attn_tokenize(starts, ends, ATTN_MAX_TOKENS, text, len, &total);
    if (n < 0) return fail("cannot read the text", attn_strerror(n));
    if (total > n)
        fprintf(stderr, "attn: the text has %d tokens; only the first %d are used\n", total, n);

    static float x[ATTN_MAX_TOKENS * ATTN_MODEL_DIM];
    static float q[ATTN_MODEL_HEADS * ATTN_MAX_TOKENS * ATTN_HEAD_DIM], k[sizeof q / sizeof *q],
        v[sizeof q / sizeof *q], head_out[sizeof q / sizeof *q];
    static float weights[ATTN_MODEL_HEADS * ATTN_MAX_TOKENS * ATTN_MAX_TOKENS];
    static float scratch[4 * ATTN_MAX_TOKENS * ATTN_MODEL_DIM + ATTN_MAX_TOKENS * ATTN_MAX_TOKENS];
    int rc = attn_embed(x, text, starts, ends, n);
    const attn_layer_weights *model = attn_model();
    attn_trace trace = { .q = q, .k = k, .v = v, .weights = weights, .head_out = head_out };
    size_t need = attn_layer_scratch_floats(n, model);
    if (need > sizeof scratch / sizeof *scratch) return fail("internal", "scratch too small");
    if (rc == ATTN_OK) rc = attn_layer(NULL, &trace, x, n, model, &opt, scratch, need);
    if (rc < 0) return fail("cannot compute attention", attn_strerror(rc));

    const size_t nn = (size_t)n * n, nd = (size_t)n * ATTN_HEAD_DIM;
    if (!json) {
        for (int h = 0; h < ATTN_MODEL_HEADS; h++) {
            printf("head %d: %s\n  %s\n", h, attn_head_name(h), attn_head_description(h));
            for (int i = 0; i < n; i++) {
                printf("  %-14.*s ", ends[i] - starts[i] > 14 ? 14 : ends[i] - starts[i], text + starts[i]);
                print_row(weights + h * nn + (size_t)i * n, n, decimals, " ");
                putchar('\n');
            }
        }
        return 0;
    }

    printf("{\"tokens\": [");
    for (int i = 0; i < n; i++) {
        print_json_string(text + starts[i], ends[i] - starts[i]);
        printf("%s", i + 1 < n ? ", " : "");
    }
    printf("], \"total_tokens\": %d, \"truncated\": %s, \"temperature\": ", total, total > n ? "true" : "false");
    print_row(&opt.temperature, 1, 3, "");
    printf(", \"mask\": \"%s\"", opt.mask == ATTN_MASK_CAUSAL ? "causal" : opt.mask == ATTN_MASK_WINDOW ? "window" : "none");
    if (features) {
        printf(", \"feature_names\": [");
        for (int d = 0; d < ATTN_MODEL_DIM; d++) {
            const char *name = attn_feature_name(d);
            print_json_string(name, (int)strlen(name));
            printf("%s", d + 1 < ATTN_MODEL_DIM ? ", " : "");
        }
        printf("], \"features\": ");
        print_json_matrix(x, n, ATTN_MODEL_DIM, decimals);
    }
    printf(", \"heads\": [");
    for (int h = 0; h < ATTN_MODEL_HEADS; h++) {
        printf("{\"name\": ");
        print_json_string(attn_head_name(h), (int)strlen(attn_head_name(h)));
        printf(", \"description\": ");
        print_json_string(attn_head_description(h), (int)strlen(attn_head_description(h)));
        printf(", \"weights\": ");
        print_json_matrix(weights + h * nn, n, n, decimals);
        if (vectors) {
            const char *parts[4] = { "q", "k", "v", "output" };
            const float *mats[4] = { q + h * nd, k + h * nd, v + h * nd, head_out + h * nd };
            for (int p = 0; p < 4; p++) {
                printf(", \"%s\": ", parts[p]);
                print_json_matrix(mats[p], n, ATTN_HEAD_DIM, decimals);
            }
        }
        printf("}%s", h + 1 < ATTN_MODEL_HEADS ? ", " : "");
    }
    printf("]}\n");
    return 0;
}

/* attn_cli.c - build/attn: the lesson model and the trained Brown model from the command
   line, for slides and tests.

     build/attn "The trophy didn't fit in the suitcase because it was too big."
     build/attn --json --causal --temperature 0.7 --vectors "some sentence"
     echo "text" | build/attn --json -
     build/attn --model brown --json "The jury said"      # trained heads + next words
     build/attn --model brown --atlas --json              # the head atlas

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
    "  --atlas-out FILE   with --atlas, also write the recomputed atlas to FILE\n";

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
    const char *name, *weights, *vocab, *heldout, *atlas_out;
    int atlas;
} model_args;

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

// The model on <s> + the text's tokens: every head's weights and the 10 likeliest next words.
static int run_model(const model_args *args, const char *argv0, const char *text, int len, int json) {
    loaded_model m;
    if (load_model(&m, args, argv0)) return 1;
    const attn_gpt_config *cfg = &m.cfg;
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
    // the 10 likeliest: a partial selection sort (ties: the smaller id first)
    for (int i = 0; i < cfg->vocab; i++) order[i] = i;
    int top = cfg->vocab < 10 ? cfg->vocab : 10;
    for (int r = 0; r < top; r++) {
        int best = r;
        for (int i = r + 1; i < cfg->vocab; i++)
            if (probs[order[i]] > probs[order[best]]) best = i;
        int t = order[r]; order[r] = order[best]; order[best] = t;
    }

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
    for (int r = 0; r < top; r++) {
        printf("%s{\"word\": ", r ? ", " : "");
        print_vocab_word(&m, order[r]);
        printf(", \"id\": %d, \"logit\": ", order[r]);
        print_full(logits[order[r]]);
        printf(", \"prob\": ");
        print_full(probs[order[r]]);
        printf("}");
    }
    printf("]}\n");
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
            if (*end || errno || !isfinite(opt.temperature) || opt.temperature <= 0)
                return fail("--temperature", attn_strerror(ATTN_ERR_TEMPERATURE));
            i++;
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
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if ((a[0] == '-' && a[1] != '\0') || text_arg) {
            fprintf(stderr, "attn: unexpected argument '%s'\n%s", a, usage);
            return 2;
        } else text_arg = a;
    }
    if (trained.atlas && !trained.name) return fail("--atlas", "needs --model brown");
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

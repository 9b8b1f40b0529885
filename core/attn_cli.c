/* attn_cli.c - build/attn: the lesson model from the command line, for slides and tests.

     build/attn "The trophy didn't fit in the suitcase because it was too big."
     build/attn --json --causal --temperature 0.7 --vectors "some sentence"
     echo "text" | build/attn --json -

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
    "  --decimals D       digits after the point, 0..9 (default 3)\n";

static int fail(const char *what, const char *detail) {
    fprintf(stderr, "attn: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    return 1;
}

// ---------------------------------------------------------------------------------------
// Output helpers

// A JSON string: escapes quotes, backslashes and control bytes; invalid UTF-8 becomes U+FFFD.
static void print_json_string(const char *s, int len) {
    putchar('"');
    for (int i = 0; i < len;) {
        long cp;
        int step = attn__utf8_decode((const unsigned char *)s + i, len - i, &cp);
        if (cp < 0) fputs("\\ufffd", stdout);
        else if (cp == '"' || cp == '\\') printf("\\%c", (int)cp);
        else if (cp < 0x20) printf("\\u%04x", (unsigned)cp);
        else fwrite(s + i, 1, (size_t)step, stdout);
        i += step;
    }
    putchar('"');
}

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

int main(int argc, char **argv) {
    int json = 0, vectors = 0, features = 0, decimals = 3;
    const char *text_arg = NULL;
    attn_options opt = attn_default_options();

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
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if ((a[0] == '-' && a[1] != '\0') || text_arg) {
            fprintf(stderr, "attn: unexpected argument '%s'\n%s", a, usage);
            return 2;
        } else text_arg = a;
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

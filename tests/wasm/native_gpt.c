/* native_gpt.c - the native build as an oracle for tests/wasm/gpt.test.js: the same training
   loop and forward pass web/attn-model-bridge.js runs in WASM, printed as JSON (%.9g, so
   every float32 survives).
     native_gpt train key=value...   keys as createTrainingJob's options: vocab context d_model
        n_heads n_layers d_mlp attention_only layernorm seed batch seq minPeriod maxPeriod lr
        lrMin warmup totalSteps weightDecay clipNorm steps, and save=PATH format=float32|int8
        -> {"losses": [...], "gradNorm", "measure": {"loss", "lossFirst", "lossRepeat",
            "prefixMatch": [...]}}
     native_gpt forward FILE t0,t1,...  -> {"config": [...], "logits": [last row],
        "probs": [...], "weights": [layer][head][row-major n x n]}
   Exits 1 with a message on any core error. */
#include "attn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what, int rc) {
    fprintf(stderr, "native_gpt: %s: %s\n", what, attn_strerror(rc));
    exit(1);
}

#define CHECK(call) do { int rc_ = (call); if (rc_ < 0) die(#call, rc_); } while (0)

static void print_floats(const float *x, size_t n) {
    putchar('[');
    for (size_t i = 0; i < n; i++) printf("%s%.9g", i ? "," : "", (double)x[i]);
    putchar(']');
}

static double arg(int argc, char **argv, const char *key, double fallback) {
    size_t k = strlen(key);
    for (int i = 2; i < argc; i++)
        if (strncmp(argv[i], key, k) == 0 && argv[i][k] == '=') return atof(argv[i] + k + 1);
    return fallback;
}

static const char *arg_str(int argc, char **argv, const char *key) {
    size_t k = strlen(key);
    for (int i = 2; i < argc; i++)
        if (strncmp(argv[i], key, k) == 0 && argv[i][k] == '=') return argv[i] + k + 1;
    return NULL;
}

static int train(int argc, char **argv) {
    // defaults: INDUCTION_DEFAULTS of web/attn-model-bridge.js (schedule=1 for warm-up + cosine)
    attn_gpt_config cfg = { (int)arg(argc, argv, "vocab", 33), (int)arg(argc, argv, "context", 40),
        (int)arg(argc, argv, "d_model", 64), (int)arg(argc, argv, "n_heads", 4),
        (int)arg(argc, argv, "n_layers", 2), (int)arg(argc, argv, "d_mlp", 0),
        (int)arg(argc, argv, "attention_only", 1), (int)arg(argc, argv, "layernorm", 0) };
    unsigned seed = (unsigned)arg(argc, argv, "seed", 1);
    int B = (int)arg(argc, argv, "batch", 32), T = (int)arg(argc, argv, "seq", cfg.context);
    int minp = (int)arg(argc, argv, "minPeriod", 8), maxp = (int)arg(argc, argv, "maxPeriod", 16);
    float lr = (float)arg(argc, argv, "lr", 1e-2), lr_min = (float)arg(argc, argv, "lrMin", 1e-3);
    int warmup = (int)arg(argc, argv, "warmup", 0), total = (int)arg(argc, argv, "totalSteps", 0);
    int schedule = (int)arg(argc, argv, "schedule", 0);
    int steps = (int)arg(argc, argv, "steps", 10);
    attn_adamw_options opt = { lr, 0.9f, 0.95f, 1e-8f, (float)arg(argc, argv, "weightDecay", 0.01),
                               (float)arg(argc, argv, "clipNorm", 1.0) };
    CHECK(attn_gpt_check_config(&cfg));
    size_t P = attn_gpt_param_floats(&cfg), A = attn_gpt_activation_floats(&cfg, B, T);
    if (!A) die("activation_floats", ATTN_ERR_SIZE);
    float *params = malloc(P * 4), *grads = malloc(P * 4), *m = calloc(P, 4), *v = calloc(P, 4);
    float *acts = malloc(A * 4), *pos = malloc((size_t)B * T * 4);
    float *prefix = malloc((size_t)cfg.n_layers * cfg.n_heads * 4);
    int *tokens = malloc((size_t)B * T * 4), *targets = malloc((size_t)B * T * 4), *periods = malloc((size_t)B * 4);
    CHECK(attn_gpt_init(params, &cfg, seed));
    float loss = 0, norm = 0;
    printf("{\"losses\": [");
    for (int s = 1; s <= steps; s++) {
        CHECK(attn_induction_batch(tokens, targets, periods, B, T, cfg.vocab, minp, maxp, seed, s));
        opt.lr = schedule ? attn_lr_schedule(s, warmup, total, lr, lr_min) : lr;
        CHECK(attn_gpt_train_step(params, grads, m, v, acts, &cfg, tokens, targets, B, T, s, &opt, &loss, &norm));
        printf("%s%.9g", s > 1 ? "," : "", (double)loss);
    }
    printf("], \"gradNorm\": %.9g", (double)norm);
    // measure: the model now on the next step's batch, as createTrainingJob().measure()
    CHECK(attn_induction_batch(tokens, targets, periods, B, T, cfg.vocab, minp, maxp, seed, steps + 1));
    CHECK(attn_gpt_forward(acts, &loss, params, &cfg, tokens, targets, B, T, NULL, 0));
    float first, repeat;
    CHECK(attn_gpt_position_losses(pos, acts, &cfg, targets, B, T));
    CHECK(attn_induction_split_loss(&first, &repeat, pos, periods, B, T));
    CHECK(attn_prefix_match(prefix, acts, &cfg, tokens, B, T));
    printf(", \"measure\": {\"loss\": %.9g, \"lossFirst\": %.9g, \"lossRepeat\": %.9g, \"prefixMatch\": ",
           (double)loss, (double)first, (double)repeat);
    print_floats(prefix, (size_t)cfg.n_layers * cfg.n_heads);
    printf("}}\n");
    const char *save = arg_str(argc, argv, "save"), *format = arg_str(argc, argv, "format");
    if (save) {
        int f = format && strcmp(format, "int8") == 0 ? ATTN_WEIGHTS_INT8 : ATTN_WEIGHTS_F32;
        size_t cap = attn_weights_size(&cfg, f), len;
        unsigned char *buf = malloc(cap);
        CHECK(attn_weights_save(buf, cap, &len, &cfg, params, f));
        FILE *out = fopen(save, "wb");
        if (!out || fwrite(buf, 1, len, out) != len || fclose(out)) { perror(save); return 1; }
        free(buf);
    }
    free(params); free(grads); free(m); free(v); free(acts); free(pos); free(prefix);
    free(tokens); free(targets); free(periods);
    return 0;
}

static int forward(const char *path, const char *list) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return 1; }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)len + 1);
    if (fread(buf, 1, (size_t)len, f) != (size_t)len) { perror(path); return 1; }
    fclose(f);
    attn_gpt_config cfg;
    int format;
    CHECK(attn_weights_read_header(&cfg, &format, buf, (size_t)len));
    size_t P = attn_gpt_param_floats(&cfg);
    float *params = malloc(P * 4);
    CHECK(attn_weights_load(params, P, buf, (size_t)len));
    int tokens[4096], n = 0;
    for (const char *p = list; *p && n < 4096;) {
        tokens[n++] = atoi(p);
        while (*p && *p != ',') p++;
        if (*p == ',') p++;
    }
    size_t A = attn_gpt_activation_floats(&cfg, 1, n);
    if (!A) die("activation_floats", ATTN_ERR_SIZE);
    float *acts = malloc(A * 4), *probs = malloc((size_t)cfg.vocab * 4);
    CHECK(attn_gpt_forward(acts, NULL, params, &cfg, tokens, NULL, 1, n, NULL, 0));
    const float *last = attn_gpt_logits(acts, &cfg, 1, n) + (size_t)(n - 1) * cfg.vocab;
    CHECK(attn_softmax_rows(probs, last, 1, cfg.vocab, 1.0f, NULL));
    printf("{\"config\": [%d,%d,%d,%d,%d,%d,%d,%d], \"format\": %d, \"logits\": ", cfg.vocab, cfg.context,
           cfg.d_model, cfg.n_heads, cfg.n_layers, cfg.d_mlp, cfg.attention_only, cfg.layernorm, format);
    print_floats(last, (size_t)cfg.vocab);
    printf(", \"probs\": ");
    print_floats(probs, (size_t)cfg.vocab);
    printf(", \"weights\": [");
    for (int l = 0; l < cfg.n_layers; l++) {
        printf("%s[", l ? "," : "");
        for (int h = 0; h < cfg.n_heads; h++) {
            if (h) putchar(',');
            print_floats(attn_gpt_weights(acts, &cfg, 1, n, l, h), (size_t)n * n);
        }
        putchar(']');
    }
    printf("]}\n");
    free(buf); free(params); free(acts); free(probs);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "train") == 0) return train(argc, argv);
    if (argc == 4 && strcmp(argv[1], "forward") == 0) return forward(argv[2], argv[3]);
    fprintf(stderr, "usage: native_gpt train key=value... | native_gpt forward FILE t0,t1,...\n");
    return 2;
}

/* test_gpt.c - the transformer that learns: every gradient tensor against finite differences
   of an independent double-precision reference (gpt_ref.h), for the GPT variant (LayerNorm +
   MLP) and the attention-only variant without LayerNorm; the loss against the reference;
   the trace and ablations; AdamW and the schedule against hand computations; training that
   lowers the loss; the induction task forming a prefix-matching head; bad input codes. */
#include "attn.h"
#include "check.h"
#include "gpt_ref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// ---------------------------------------------------------------------------------------
// A model and its buffers

typedef struct {
    attn_gpt_config cfg;
    int B, T;
    size_t np, na;
    float *params, *grads, *m, *v, *acts;
    int *tokens, *targets;
} model_t;

static int model_open(model_t *M, attn_gpt_config cfg, int B, int T, unsigned seed) {
    memset(M, 0, sizeof *M);
    M->cfg = cfg;
    M->B = B;
    M->T = T;
    M->np = attn_gpt_param_floats(&cfg);
    M->na = attn_gpt_activation_floats(&cfg, B, T);
    if (!M->np || !M->na) return 0;
    M->params = malloc(M->np * sizeof(float));
    M->grads = malloc(M->np * sizeof(float));
    M->m = calloc(M->np, sizeof(float));
    M->v = calloc(M->np, sizeof(float));
    M->acts = malloc(M->na * sizeof(float));
    M->tokens = malloc((size_t)B * T * sizeof(int));
    M->targets = malloc((size_t)B * T * sizeof(int));
    return attn_gpt_init(M->params, &cfg, seed) == ATTN_OK;
}

static void model_close(model_t *M) {
    free(M->params); free(M->grads); free(M->m); free(M->v); free(M->acts);
    free(M->tokens); free(M->targets);
}

// random tokens and next-token targets, one ignored position per sequence
static void random_data(model_t *M, unsigned seed) {
    unsigned s = seed * 2654435761u + 7;
    for (int i = 0; i < M->B * M->T; i++) {
        s ^= s << 13; s ^= s >> 17; s ^= s << 5;
        M->tokens[i] = (int)(s % (unsigned)M->cfg.vocab);
    }
    for (int b = 0; b < M->B; b++)
        for (int t = 0; t < M->T; t++) {
            int i = b * M->T + t;
            M->targets[i] = t + 1 < M->T ? M->tokens[i + 1] : (b % 2 ? -1 : M->tokens[b * M->T]);
        }
}

#define INDUCTION_TEST_STEPS 300      // seed 1 passes 0.4 at step ~240 with lr 2e-2

static const attn_gpt_config GPT = { .vocab = 37, .context = 9, .d_model = 32, .n_heads = 4, .n_layers = 2,
                                     .d_mlp = 40, .attention_only = 0, .layernorm = 1 };
static const attn_gpt_config ATTN_ONLY = { .vocab = 11, .context = 8, .d_model = 16, .n_heads = 2,
                                           .n_layers = 2, .d_mlp = 0, .attention_only = 1, .layernorm = 0 };

// ---------------------------------------------------------------------------------------
// Gradients

static void gradcheck(const char *label, attn_gpt_config cfg, int B, int T, int per_tensor) {
    model_t M;
    check(model_open(&M, cfg, B, T, 3), "%s: model opens", label);
    ref_perturb(M.params, M.np, 0.3, 11);
    random_data(&M, 5);
    float loss = 0;
    int rc = attn_gpt_forward(M.acts, &loss, M.params, &cfg, M.tokens, M.targets, B, T, NULL, 0);
    check(rc == ATTN_OK, "%s: forward ok (%s)", label, attn_strerror(rc));
    rc = attn_gpt_backward(M.grads, M.acts, M.params, &cfg, M.tokens, M.targets, B, T);
    check(rc == ATTN_OK, "%s: backward ok (%s)", label, attn_strerror(rc));
    int count = attn_gpt_tensor_count(&cfg);
    ref_tensor_check *res = calloc((size_t)count, sizeof *res);
    double want = 0;
    ref_gradcheck(res, &cfg, M.params, M.grads, M.tokens, M.targets, B, T, per_tensor, &want);
    check(fabs(loss - want) < 1e-5 * (1 + want), "%s: loss %.7f matches the double reference %.7f", label,
          (double)loss, want);
    double worst = 0;
    for (int t = 0; t < count; t++) {
        // the key bias's true gradient is 0 (softmax ignores a shift common to a row): absolute
        if (res[t].max_ref < 1e-8) {
            check(res[t].max_abs_err < 1e-6, "%s: %s (zero gradient) abs err %.2e", label, res[t].name,
                  res[t].max_abs_err);
            continue;
        }
        check(res[t].rel_err < 1e-4, "%s: %s rel err %.2e (max |grad| %.2e, %d checked)",
              label, res[t].name, res[t].rel_err, res[t].max_ref, res[t].checked);
        if (res[t].rel_err > worst) worst = res[t].rel_err;
    }
    printf("  %s: %d tensors, max relative error %.2e\n", label, count, worst);
    free(res);
    model_close(&M);
}

static void test_gradients(void) {
    gradcheck("gpt (LayerNorm + MLP)", GPT, 3, 7, 24);
    gradcheck("attention-only, no LayerNorm", ATTN_ONLY, 2, 8, 1000000);
}

// ---------------------------------------------------------------------------------------
// Configs, layout, bad input

static void test_config_errors(void) {
    attn_gpt_config c = GPT;
    check(attn_gpt_check_config(NULL) == ATTN_ERR_NULL, "NULL config");
    check(attn_gpt_check_config(&c) == ATTN_OK, "good config");
    c.vocab = 0;
    check(attn_gpt_check_config(&c) == ATTN_ERR_CONFIG && attn_gpt_param_floats(&c) == 0, "vocab 0");
    c = GPT; c.n_heads = 5;
    check(attn_gpt_check_config(&c) == ATTN_ERR_CONFIG, "heads not dividing d_model");
    c = GPT; c.n_layers = ATTN_GPT_MAX_LAYERS + 1;
    check(attn_gpt_check_config(&c) == ATTN_ERR_CONFIG, "too many layers");
    c = GPT; c.attention_only = 2;
    check(attn_gpt_check_config(&c) == ATTN_ERR_CONFIG, "flag not 0/1");
    c = GPT; c.d_mlp = 0;
    check(attn_gpt_check_config(&c) == ATTN_ERR_CONFIG, "MLP without width");
    c.attention_only = 1;
    check(attn_gpt_check_config(&c) == ATTN_OK, "attention-only ignores d_mlp");
    c = GPT; c.vocab = 1 << 30;
    check(attn_gpt_check_config(&c) == ATTN_ERR_OVERFLOW && attn_gpt_param_floats(&c) == 0, "vocab too large");
    check(attn_gpt_activation_floats(&GPT, 2, GPT.context + 1) == 0, "seq beyond context has no size");
    check(attn_gpt_activation_floats(&GPT, 0, 4) == 0, "batch 0 has no size");
    check(attn_gpt_activation_floats(&GPT, 1 << 20, GPT.context) == 0, "huge batch has no size");
    check(strcmp(attn_strerror(ATTN_ERR_CONFIG), "unknown error") != 0 &&
          strcmp(attn_strerror(ATTN_ERR_STATE), "unknown error") != 0, "new codes have sentences");
}

static void test_layout(void) {
    const attn_gpt_config *cfgs[2] = { &GPT, &ATTN_ONLY };
    const int want_count[2] = { 2 + 2 * 16 + 2, 2 + 2 * 8 };
    for (int k = 0; k < 2; k++) {
        const attn_gpt_config *c = cfgs[k];
        int count = attn_gpt_tensor_count(c);
        check(count == want_count[k], "config %d: %d tensors (want %d)", k, count, want_count[k]);
        size_t next = 0;
        int contiguous = 1;
        for (int t = 0; t < count; t++) {
            const char *name;
            size_t off;
            int rows, cols;
            check(attn_gpt_tensor_info(c, t, &name, &off, &rows, &cols) == ATTN_OK, "tensor %d info", t);
            contiguous &= off == next;
            next = off + (size_t)rows * cols;
            if (strcmp(name, "wte") == 0) check(rows == c->vocab && cols == c->d_model, "wte shape");
            if (strcmp(name, "l1.wq") == 0) check(rows == c->d_model && cols == c->d_model, "wq shape");
            if (strcmp(name, "l0.wfc") == 0) check(rows == c->d_model && cols == c->d_mlp, "wfc shape");
            if (strcmp(name, "l0.bfc") == 0) check(rows == 1 && cols == c->d_mlp, "bfc shape");
        }
        check(contiguous && next == attn_gpt_param_floats(c), "config %d: tensors tile the block (%zu floats)", k, next);
        check(attn_gpt_tensor_info(c, count, NULL, NULL, NULL, NULL) == ATTN_ERR_INDEX &&
              attn_gpt_tensor_info(c, -1, NULL, NULL, NULL, NULL) == ATTN_ERR_INDEX, "config %d: index out of range", k);
    }
    const char *name;
    attn_gpt_tensor_info(&GPT, 2, &name, NULL, NULL, NULL);
    check(strcmp(name, "l0.ln1.g") == 0, "third tensor is l0.ln1.g (got %s)", name);
    attn_gpt_tensor_info(&ATTN_ONLY, 2, &name, NULL, NULL, NULL);
    check(strcmp(name, "l0.wq") == 0, "without LayerNorm the third tensor is l0.wq (got %s)", name);
    attn_gpt_tensor_info(&GPT, attn_gpt_tensor_count(&GPT) - 1, &name, NULL, NULL, NULL);
    check(strcmp(name, "lnf.b") == 0, "last tensor is lnf.b (got %s)", name);
}

static void test_bad_input(void) {
    model_t M;
    attn_gpt_config c = ATTN_ONLY;
    model_open(&M, c, 2, 8, 1);
    random_data(&M, 2);
    float loss;
    check(attn_gpt_forward(NULL, &loss, M.params, &c, M.tokens, M.targets, 2, 8, NULL, 0) == ATTN_ERR_NULL, "NULL acts");
    check(attn_gpt_forward(M.acts, NULL, M.params, &c, M.tokens, M.targets, 2, 8, NULL, 0) == ATTN_ERR_NULL, "targets without loss");
    check(attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, M.targets, 1, 9, NULL, 0) == ATTN_ERR_INDEX, "seq > context");
    check(attn_gpt_backward(M.grads, M.acts, M.params, &c, M.tokens, M.targets, 2, 8) == ATTN_ERR_STATE,
          "backward before any forward");
    M.tokens[3] = c.vocab;
    check(attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, M.targets, 2, 8, NULL, 0) == ATTN_ERR_INDEX, "token = vocab");
    M.tokens[3] = -1;
    check(attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, M.targets, 2, 8, NULL, 0) == ATTN_ERR_INDEX, "token < 0");
    M.tokens[3] = 0;
    M.targets[2] = c.vocab;
    check(attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, M.targets, 2, 8, NULL, 0) == ATTN_ERR_INDEX, "target = vocab");
    random_data(&M, 2);
    // a forward of another shape, an ablated forward, a second backward: all refused
    check(attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, M.targets, 1, 8, NULL, 0) == ATTN_OK, "forward (1, 8)");
    check(attn_gpt_backward(M.grads, M.acts, M.params, &c, M.tokens, M.targets, 2, 8) == ATTN_ERR_STATE,
          "backward of another shape");
    attn_gpt_ablation ab = { 1, 0, ATTN_ABLATE_UNIFORM };
    check(attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, M.targets, 2, 8, &ab, 0) == ATTN_OK, "ablated forward");
    check(attn_gpt_backward(M.grads, M.acts, M.params, &c, M.tokens, M.targets, 2, 8) == ATTN_ERR_STATE,
          "backward after an ablated forward");
    check(attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, M.targets, 2, 8, NULL, 0) == ATTN_OK &&
          attn_gpt_backward(M.grads, M.acts, M.params, &c, M.tokens, M.targets, 2, 8) == ATTN_OK, "forward, backward");
    check(attn_gpt_backward(M.grads, M.acts, M.params, &c, M.tokens, M.targets, 2, 8) == ATTN_ERR_STATE,
          "second backward (logits already consumed)");
    ab.head = c.n_heads;
    check(attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, M.targets, 2, 8, &ab, 0) == ATTN_ERR_INDEX, "ablated head out of range");
    ab.head = 0; ab.kind = 9;
    check(attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, M.targets, 2, 8, &ab, 0) == ATTN_ERR_INDEX, "unknown ablation");
    // NaN in the parameters: a status, never a crash
    M.params[5] = NAN;
    check(attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, M.targets, 2, 8, NULL, 0) == ATTN_ERR_NONFINITE, "NaN weight");
    // huge weights: the logits overflow to inf
    attn_gpt_init(M.params, &c, 1);
    for (size_t i = 0; i < (size_t)c.vocab * c.d_model; i++) M.params[i] = 1e20f;
    check(attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, M.targets, 2, 8, NULL, 0) == ATTN_ERR_NONFINITE, "overflowing logits");
    // AdamW refuses a NaN gradient and leaves everything as it was
    float p[3] = { 1, 2, 3 }, g[3] = { 0.1f, NAN, 0.3f }, m[3] = { 0 }, v[3] = { 0 }, norm;
    attn_adamw_options o = attn_adamw_default_options();
    check(attn_adamw_step(p, g, m, v, 3, 1, &o, &norm) == ATTN_ERR_NONFINITE && p[0] == 1 && p[1] == 2 && m[0] == 0,
          "NaN gradient: ATTN_ERR_NONFINITE, nothing changed");
    g[1] = 0.2f;
    check(attn_adamw_step(p, g, m, v, 3, 0, &o, &norm) == ATTN_ERR_SIZE, "step 0 (steps count from 1)");
    o.beta1 = 1.0f;
    check(attn_adamw_step(p, g, m, v, 3, 1, &o, &norm) == ATTN_ERR_SCALE, "beta1 = 1");
    model_close(&M);
}

// ---------------------------------------------------------------------------------------
// The trace

static void test_trace(void) {
    model_t M;
    attn_gpt_config c = ATTN_ONLY;
    const int B = 2, T = 8, C = c.d_model, hs = C / c.n_heads;
    model_open(&M, c, B, T, 4);
    ref_perturb(M.params, M.np, 0.2, 3);
    random_data(&M, 9);
    float loss;
    check(attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, NULL, B, T, NULL, 0) == ATTN_OK, "forward without targets");
    // the residual stream entering block 0 is wte[token] + wpe[t]
    const float *x0 = attn_gpt_residual(M.acts, &c, B, T, 0);
    double max_diff = 0;
    for (int i = 0; i < B * T; i++)
        for (int d = 0; d < C; d++) {
            double want = (double)M.params[(size_t)M.tokens[i] * C + d] + M.params[(size_t)c.vocab * C + (size_t)(i % T) * C + d];
            max_diff = fmax(max_diff, fabs(x0[(size_t)i * C + d] - want));
        }
    check(max_diff < 1e-6, "residual 0 = token + position embedding (max diff %.2g)", max_diff);
    // head 1 of layer 0: q = x0 · wq + bq (its columns), weights = causal softmax of the scores
    size_t wq = ref_tensor(&c, 0, "wq"), bq = ref_tensor(&c, 0, "bq");
    const float *q = attn_gpt_q(M.acts, &c, B, T, 0, 1), *k = attn_gpt_k(M.acts, &c, B, T, 0, 1);
    const float *w = attn_gpt_weights(M.acts, &c, B, T, 0, 1), *sc = attn_gpt_scores(M.acts, &c, B, T, 0, 1);
    const float *v = attn_gpt_v(M.acts, &c, B, T, 0, 1), *o = attn_gpt_head_out(M.acts, &c, B, T, 0, 1);
    double dq = 0, dw = 0, dout = 0, row_err = 0;
    int above_ok = 1;
    for (int i = 0; i < B * T; i++) {
        for (int d = 0; d < hs; d++) {
            double s = M.params[bq + hs + d];
            for (int p = 0; p < C; p++) s += (double)x0[(size_t)i * C + p] * M.params[wq + (size_t)p * C + hs + d];
            dq = fmax(dq, fabs(q[(size_t)i * hs + d] - s));
        }
    }
    for (int b = 0; b < B; b++)
        for (int i = 0; i < T; i++) {
            const float *wr = w + ((size_t)b * T + i) * T, *sr = sc + ((size_t)b * T + i) * T;
            double max = -INFINITY, sum = 0, total = 0, e[64];
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int d = 0; d < hs; d++) s += (double)q[((size_t)b * T + i) * hs + d] * k[((size_t)b * T + j) * hs + d];
                e[j] = s / sqrt((double)hs);
                max = fmax(max, e[j]);
            }
            for (int j = 0; j <= i; j++) sum += (e[j] = exp(e[j] - max));
            for (int j = 0; j < T; j++) {
                if (j <= i) { dw = fmax(dw, fabs(wr[j] - e[j] / sum)); total += wr[j]; }
                else above_ok &= wr[j] == 0.0f && sr[j] == -INFINITY;
            }
            row_err = fmax(row_err, fabs(total - 1));
            for (int d = 0; d < hs; d++) {
                double s = 0;
                for (int j = 0; j <= i; j++) s += (double)wr[j] * v[((size_t)b * T + j) * hs + d];
                dout = fmax(dout, fabs(o[((size_t)b * T + i) * hs + d] - s));
            }
        }
    check(dq < 1e-5, "q of head 1 = x·wq + bq (max diff %.2g)", dq);
    check(dw < 1e-6 && row_err < 1e-6, "weights = causal softmax(q·kᵀ/sqrt(d_head)) (max diff %.2g, rows sum to 1 within %.2g)", dw, row_err);
    check(above_ok, "above the diagonal: weight 0, score -inf");
    check(dout < 1e-6, "head output = weights · v (max diff %.2g)", dout);
    // logits = final residual · wteᵀ (no final LayerNorm here)
    const float *xl = attn_gpt_residual(M.acts, &c, B, T, c.n_layers), *lg = attn_gpt_logits(M.acts, &c, B, T);
    double dl = 0;
    for (int i = 0; i < B * T; i++)
        for (int t = 0; t < c.vocab; t++) {
            double s = 0;
            for (int d = 0; d < C; d++) s += (double)xl[(size_t)i * C + d] * M.params[(size_t)t * C + d];
            dl = fmax(dl, fabs(lg[(size_t)i * c.vocab + t] - s));
        }
    check(dl < 1e-5, "logits = final residual · wteᵀ (max diff %.2g)", dl);
    check(attn_gpt_weights(M.acts, &c, B, T, c.n_layers, 0) == NULL && attn_gpt_q(M.acts, &c, B, T, 0, c.n_heads) == NULL &&
          attn_gpt_residual(M.acts, &c, B, T, c.n_layers + 1) == NULL, "accessors: NULL out of range");
    model_close(&M);
}

static void test_ablation(void) {
    model_t M;
    attn_gpt_config c = ATTN_ONLY;
    const int B = 2, T = 8, hs = c.d_model / c.n_heads;
    const size_t tt = (size_t)B * T * T;
    model_open(&M, c, B, T, 4);
    ref_perturb(M.params, M.np, 0.3, 5);
    random_data(&M, 1);
    float loss, plain[2 * 8 * 8], other[2 * 8 * 8];
    attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, M.targets, B, T, NULL, 0);
    memcpy(plain, attn_gpt_weights(M.acts, &c, B, T, 1, 1), sizeof plain);
    memcpy(other, attn_gpt_weights(M.acts, &c, B, T, 1, 0), sizeof other);
    attn_gpt_ablation ab = { 1, 1, ATTN_ABLATE_UNIFORM };
    attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, M.targets, B, T, &ab, 0);
    const float *w = attn_gpt_weights(M.acts, &c, B, T, 1, 1);
    int uniform = 1;
    for (size_t r = 0; r < (size_t)B * T; r++)
        for (int j = 0; j < T; j++) uniform &= fabsf(w[r * T + j] - (j <= (int)(r % T) ? 1.0f / (float)(r % T + 1) : 0.0f)) < 1e-7f;
    check(uniform, "uniform ablation: weight 1/(i+1) on 0..i");
    check(memcmp(other, attn_gpt_weights(M.acts, &c, B, T, 1, 0), sizeof other) == 0, "the other head is untouched");
    ab.kind = ATTN_ABLATE_ZERO;
    attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, M.targets, B, T, &ab, 0);
    const float *o = attn_gpt_head_out(M.acts, &c, B, T, 1, 1);
    int zero = 1;
    for (size_t i = 0; i < (size_t)B * T * hs; i++) zero &= o[i] == 0.0f;
    check(zero, "zero ablation: the head outputs 0");
    ab.kind = ATTN_ABLATE_SHUFFLE;
    attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, M.targets, B, T, &ab, 77);
    float shuffled[2 * 8 * 8];
    memcpy(shuffled, attn_gpt_weights(M.acts, &c, B, T, 1, 1), sizeof shuffled);
    int permutation = 1, moved = 0;
    for (size_t r = 0; r < (size_t)B * T; r++) {
        int i = (int)(r % T);
        for (int j = 0; j < T; j++) {
            if (j > i) { permutation &= shuffled[r * T + j] == 0.0f; continue; }
            // every weight of the row is found in the original row as often
            int a = 0, b = 0;
            for (int l = 0; l <= i; l++) { a += shuffled[r * T + l] == shuffled[r * T + j]; b += plain[r * T + l] == shuffled[r * T + j]; }
            permutation &= a == b;
            moved += shuffled[r * T + j] != plain[r * T + j];
        }
    }
    check(permutation && moved > 0, "shuffle ablation: each row a permutation over 0..i (%d weights moved)", moved);
    attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, M.targets, B, T, &ab, 77);
    check(memcmp(shuffled, attn_gpt_weights(M.acts, &c, B, T, 1, 1), tt * sizeof(float)) == 0, "same seed, same shuffle");
    model_close(&M);
}

// head h of layer l made silent through its weights: the columns of wv and bv it reads are 0,
// so its values (and its output, whatever it attends to) are 0, as ATTN_ABLATE_ZERO makes them
static void silence_values(float *params, const attn_gpt_config *c, int l, int h) {
    const int C = c->d_model, hs = C / c->n_heads;
    char wv[16], bv[16];
    snprintf(wv, sizeof wv, "l%d.wv", l);
    snprintf(bv, sizeof bv, "l%d.bv", l);
    for (int t = 0; t < attn_gpt_tensor_count(c); t++) {
        const char *name;
        size_t off;
        attn_gpt_tensor_info(c, t, &name, &off, NULL, NULL);
        if (strcmp(name, wv) == 0)
            for (int r = 0; r < C; r++) memset(params + off + (size_t)r * C + (size_t)h * hs, 0, (size_t)hs * sizeof(float));
        if (strcmp(name, bv) == 0) memset(params + off + (size_t)h * hs, 0, (size_t)hs * sizeof(float));
    }
}

// the logits of the forward now in M.acts, copied out (caller frees)
static float *logits_copy(const model_t *M) {
    const size_t n = (size_t)M->B * M->T * M->cfg.vocab;
    float *out = malloc(n * sizeof(float));
    memcpy(out, attn_gpt_logits(M->acts, &M->cfg, M->B, M->T), n * sizeof(float));
    return out;
}

static float max_diff(const float *a, const float *b, size_t n) {
    float d = 0.0f;
    for (size_t i = 0; i < n; i++) d = fmaxf(d, fabsf(a[i] - b[i]));
    return d;
}

// A set of heads switched off in one pass (attn_gpt_forward_ablated): the same as switching one
// off through its weights and the other through the pass, in either order; not the same as either
// alone; the list's order does not matter; bad lists are refused.
static void test_ablation_sets(void) {
    model_t M, E;
    attn_gpt_config c = GPT;
    const int B = 2, T = 9;
    const size_t nl = (size_t)B * T * c.vocab;
    model_open(&M, c, B, T, 4);
    model_open(&E, c, B, T, 4);
    ref_perturb(M.params, M.np, 0.3, 6);
    random_data(&M, 2);
    float loss, l1, l2;
    const attn_gpt_ablation a = { 0, 1, ATTN_ABLATE_ZERO }, b = { 1, 2, ATTN_ABLATE_ZERO };
    const attn_gpt_ablation both[2] = { a, b }, swapped[2] = { b, a };
    check(attn_gpt_forward_ablated(M.acts, &loss, M.params, &c, M.tokens, M.targets, B, T, both, 2, 0) == ATTN_OK,
          "two heads off in one pass");
    float *two = logits_copy(&M);
    // a off through its weights, then b through the pass; and the other way round
    memcpy(E.params, M.params, M.np * sizeof(float));
    silence_values(E.params, &c, a.layer, a.head);
    attn_gpt_forward(M.acts, &l1, E.params, &c, M.tokens, M.targets, B, T, &b, 0);
    float *ab = logits_copy(&M);
    memcpy(E.params, M.params, M.np * sizeof(float));
    silence_values(E.params, &c, b.layer, b.head);
    attn_gpt_forward(M.acts, &l2, E.params, &c, M.tokens, M.targets, B, T, &a, 0);
    float *ba = logits_copy(&M);
    check(max_diff(two, ab, nl) == 0.0f && loss == l1, "L0H1 off by its weights, then L1H2 off: the same logits and loss (%g %g)", loss, l1);
    check(max_diff(two, ba, nl) == 0.0f && loss == l2, "L1H2 off by its weights, then L0H1 off: the same logits and loss (%g %g)", loss, l2);
    // either alone is something else
    float single_a, single_b;
    attn_gpt_forward(M.acts, &single_a, M.params, &c, M.tokens, M.targets, B, T, &a, 0);
    float *only_a = logits_copy(&M);
    attn_gpt_forward(M.acts, &single_b, M.params, &c, M.tokens, M.targets, B, T, &b, 0);
    float *only_b = logits_copy(&M);
    check(max_diff(two, only_a, nl) > 1e-4f && max_diff(two, only_b, nl) > 1e-4f && loss != single_a && loss != single_b,
          "two heads off differ from either alone (loss %g; %g, %g alone)", loss, single_a, single_b);
    // a list of one is attn_gpt_forward with that one
    attn_gpt_forward_ablated(M.acts, &l1, M.params, &c, M.tokens, M.targets, B, T, &a, 1, 0);
    float *list_a = logits_copy(&M);
    check(memcmp(list_a, only_a, nl * sizeof(float)) == 0 && l1 == single_a, "a list of one head = the one ablation");
    // the order of the list does not matter, nor for shuffles
    attn_gpt_forward_ablated(M.acts, &l1, M.params, &c, M.tokens, M.targets, B, T, swapped, 2, 0);
    float *sw = logits_copy(&M);
    check(memcmp(sw, two, nl * sizeof(float)) == 0 && l1 == loss, "the list's order does not matter");
    const attn_gpt_ablation mix[3] = { { 1, 0, ATTN_ABLATE_SHUFFLE }, { 1, 3, ATTN_ABLATE_SHUFFLE }, { 0, 2, ATTN_ABLATE_UNIFORM } };
    const attn_gpt_ablation xim[3] = { mix[2], mix[1], mix[0] };
    attn_gpt_forward_ablated(M.acts, &l1, M.params, &c, M.tokens, M.targets, B, T, mix, 3, 9);
    float w0[2 * 9 * 9];
    memcpy(w0, attn_gpt_weights(M.acts, &c, B, T, 1, 0), sizeof w0);
    float *m1 = logits_copy(&M);
    attn_gpt_forward_ablated(M.acts, &l2, M.params, &c, M.tokens, M.targets, B, T, xim, 3, 9);
    check(memcmp(m1, attn_gpt_logits(M.acts, &c, B, T), nl * sizeof(float)) == 0 && l1 == l2 &&
          memcmp(w0, attn_gpt_weights(M.acts, &c, B, T, 1, 0), sizeof w0) == 0, "shuffles and uniform: the order does not matter");
    const float *u = attn_gpt_weights(M.acts, &c, B, T, 0, 2);
    int uniform = 1;
    for (int r = 0; r < B * T; r++) uniform &= fabsf(u[r * T] - 1.0f / (float)(r % T + 1)) < 1e-7f;
    // a shuffled head's weights do not depend on what else of its layer the list holds (the seed
    // is the layer's and the sequence's, not the list's)
    const attn_gpt_ablation fewer[2] = { mix[2], mix[0] };
    attn_gpt_forward_ablated(E.acts, &l2, M.params, &c, M.tokens, M.targets, B, T, fewer, 2, 9);
    check(uniform && memcmp(w0, attn_gpt_weights(E.acts, &c, B, T, 1, 0), sizeof w0) == 0,
          "every listed head overridden; a shuffled head as without its neighbour listed");
    // entries of kind NONE are skipped; a pass with only those may be trained on
    const attn_gpt_ablation with_none[2] = { { 7, 7, ATTN_ABLATE_NONE }, a };
    attn_gpt_forward_ablated(M.acts, &l1, M.params, &c, M.tokens, M.targets, B, T, with_none, 2, 0);
    check(l1 == single_a, "an entry of kind NONE is skipped");
    check(attn_gpt_backward(M.grads, M.acts, M.params, &c, M.tokens, M.targets, B, T) == ATTN_ERR_STATE, "no backward after an ablated pass");
    check(attn_gpt_forward_ablated(M.acts, &l1, M.params, &c, M.tokens, M.targets, B, T, with_none, 1, 0) == ATTN_OK &&
          attn_gpt_backward(M.grads, M.acts, M.params, &c, M.tokens, M.targets, B, T) == ATTN_OK, "backward after a list of NONE only");
    attn_gpt_forward(M.acts, &l2, M.params, &c, M.tokens, M.targets, B, T, NULL, 0);
    check(attn_gpt_forward_ablated(M.acts, &l1, M.params, &c, M.tokens, M.targets, B, T, NULL, 0, 0) == ATTN_OK && l1 == l2 &&
          l2 != loss, "an empty list (NULL, 0) is the plain pass (%g)", l2);
    // bad lists
    const struct { attn_gpt_ablation list[2]; int n, want; const char *what; } bad[] = {
        { { a, { 2, 0, ATTN_ABLATE_ZERO } }, 2, ATTN_ERR_INDEX, "layer = n_layers" },
        { { a, { -1, 0, ATTN_ABLATE_ZERO } }, 2, ATTN_ERR_INDEX, "layer < 0" },
        { { a, { 1, 4, ATTN_ABLATE_ZERO } }, 2, ATTN_ERR_INDEX, "head = n_heads" },
        { { { 1, -1, ATTN_ABLATE_ZERO }, a }, 2, ATTN_ERR_INDEX, "head < 0" },
        { { a, { 1, 0, 4 } }, 2, ATTN_ERR_INDEX, "unknown kind" },
        { { a, { 1, 0, -1 } }, 2, ATTN_ERR_INDEX, "negative kind" },
        { { a, { 0, 1, ATTN_ABLATE_UNIFORM } }, 2, ATTN_ERR_INDEX, "a head listed twice" },
        { { a, a }, 2, ATTN_ERR_INDEX, "the same entry twice" },
        { { a, b }, -1, ATTN_ERR_SIZE, "a negative count" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = attn_gpt_forward_ablated(M.acts, &l1, M.params, &c, M.tokens, M.targets, B, T, bad[i].list, bad[i].n, 0);
        check(rc == bad[i].want, "refused: %s (%d, want %d)", bad[i].what, rc, bad[i].want);
    }
    check(attn_gpt_forward_ablated(M.acts, &l1, M.params, &c, M.tokens, M.targets, B, T, NULL, 2, 0) == ATTN_ERR_NULL,
          "refused: NULL list of 2");
    free(two); free(ab); free(ba); free(only_a); free(only_b); free(list_a); free(sw); free(m1);
    model_close(&M);
    model_close(&E);
}

// ---------------------------------------------------------------------------------------
// The optimiser

static void test_adamw(void) {
    float p[3] = { 0.5f, -1.0f, 2.0f }, g[3] = { 3.0f, -4.0f, 0.0f }, m[3] = { 0 }, v[3] = { 0 }, norm = 0;
    attn_adamw_options o = { 0.1f, 0.9f, 0.99f, 1e-8f, 0.5f, 2.5f };
    double P[3] = { 0.5, -1.0, 2.0 }, Mm[3] = { 0 }, Vv[3] = { 0 };
    for (int step = 1; step <= 3; step++) {
        check(attn_adamw_step(p, g, m, v, 3, step, &o, &norm) == ATTN_OK, "adamw step %d", step);
        // by hand: norm 5 is clipped to 2.5 (gradient halved), bias-corrected moments, decoupled decay
        for (int i = 0; i < 3; i++) {
            double gi = g[i] * 0.5;
            Mm[i] = 0.9 * Mm[i] + 0.1 * gi;
            Vv[i] = 0.99 * Vv[i] + 0.01 * gi * gi;
            double mh = Mm[i] / (1 - pow(0.9, step)), vh = Vv[i] / (1 - pow(0.99, step));
            P[i] -= 0.1 * (mh / (sqrt(vh) + 1e-8) + 0.5 * P[i]);
        }
    }
    check(fabsf(norm - 5.0f) < 1e-6f, "grad norm %.6f = 5", (double)norm);
    check_close(p, P, 3, 1e-6, "adamw: three clipped steps against the hand computation");
    // a model's block: decay on matrices only (zero gradient: only the decay moves anything)
    model_t M;
    attn_gpt_config c = GPT;
    model_open(&M, c, 1, 2, 2);
    for (size_t i = 0; i < M.np; i++) { M.params[i] = 1.0f; M.grads[i] = 0.0f; }
    attn_adamw_options d = attn_adamw_default_options();
    d.lr = 0.1f; d.weight_decay = 0.5f;
    check(attn_gpt_adamw_step(M.params, M.grads, M.m, M.v, &c, 1, &d, NULL) == ATTN_OK, "gpt adamw step");
    int count = attn_gpt_tensor_count(&c), ok = 1;
    for (int t = 0; t < count; t++) {
        const char *name;
        size_t off;
        attn_gpt_tensor_info(&c, t, &name, &off, NULL, NULL);
        int matrix = name[strlen(name) - 2] == 'w' || strcmp(name, "wte") == 0 || strcmp(name, "wpe") == 0 ||
                     strstr(name, ".w") != NULL;
        float want = matrix ? 1.0f - 0.1f * 0.5f : 1.0f;
        if (fabsf(M.params[off] - want) > 1e-7f) { ok = 0; printf("    %s: %.6f want %.6f\n", name, (double)M.params[off], (double)want); }
    }
    check(ok, "weight decay on wte, wpe, wq, wk, wv, wo, wfc, wproj only");
    model_close(&M);
}

static void test_schedule(void) {
    check(fabsf(attn_lr_schedule(1, 10, 100, 1.0f, 0.1f) - 0.1f) < 1e-7f, "warm-up step 1 of 10: lr_max / 10");
    check(fabsf(attn_lr_schedule(10, 10, 100, 1.0f, 0.1f) - 1.0f) < 1e-7f, "end of warm-up: lr_max");
    check(fabsf(attn_lr_schedule(55, 10, 100, 1.0f, 0.1f) - 0.55f) < 1e-6f, "half-way through the cosine: the mean");
    check(fabsf(attn_lr_schedule(100, 10, 100, 1.0f, 0.1f) - 0.1f) < 1e-7f && attn_lr_schedule(500, 10, 100, 1.0f, 0.1f) == 0.1f,
          "at and after total: lr_min");
}

// ---------------------------------------------------------------------------------------
// Training

static void test_determinism(void) {
    model_t A, Bm;
    model_open(&A, GPT, 2, 7, 42);
    model_open(&Bm, GPT, 2, 7, 42);
    check(memcmp(A.params, Bm.params, A.np * sizeof(float)) == 0, "same seed, same initialisation");
    attn_gpt_init(Bm.params, &GPT, 43);
    check(memcmp(A.params, Bm.params, A.np * sizeof(float)) != 0, "another seed, another initialisation");
    double sum = 0, sq = 0;
    size_t n = (size_t)GPT.vocab * GPT.d_model;
    for (size_t i = 0; i < n; i++) { sum += A.params[i]; sq += (double)A.params[i] * A.params[i]; }
    double sd = sqrt(sq / n - (sum / n) * (sum / n));
    check(fabs(sd - 0.02) < 0.002 && fabs(sum / n) < 0.002, "wte ~ N(0, 0.02): mean %.4f sd %.4f", sum / n, sd);
    random_data(&A, 3);
    float l1, l2;
    attn_gpt_forward(A.acts, &l1, A.params, &GPT, A.tokens, A.targets, 2, 7, NULL, 0);
    attn_gpt_backward(A.grads, A.acts, A.params, &GPT, A.tokens, A.targets, 2, 7);
    memcpy(Bm.grads, A.grads, A.np * sizeof(float));
    attn_gpt_forward(A.acts, &l2, A.params, &GPT, A.tokens, A.targets, 2, 7, NULL, 0);
    attn_gpt_backward(A.grads, A.acts, A.params, &GPT, A.tokens, A.targets, 2, 7);
    check(l1 == l2 && memcmp(Bm.grads, A.grads, A.np * sizeof(float)) == 0, "same input, bit-identical loss and gradients");
    model_close(&A);
    model_close(&Bm);
}

// A tiny task: sequences counting up modulo the vocabulary; the next token is always known.
static void test_tiny_training(void) {
    model_t M;
    attn_gpt_config c = GPT;
    const int B = 4, T = 8;
    model_open(&M, c, B, T, 7);
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            M.tokens[b * T + t] = (3 * b + 5 * t) % c.vocab;
            M.targets[b * T + t] = (3 * b + 5 * t + 5) % c.vocab;
        }
    attn_adamw_options o = attn_adamw_default_options();
    o.lr = 1e-2f;
    float first = 0, loss = 0;
    int rc = ATTN_OK;
    for (int step = 1; step <= 60 && !rc; step++) {
        rc = attn_gpt_train_step(M.params, M.grads, M.m, M.v, M.acts, &c, M.tokens, M.targets, B, T, step, &o, &loss, NULL);
        if (step == 1) first = loss;
    }
    check(rc == ATTN_OK, "60 training steps run (%s)", attn_strerror(rc));
    check(fabsf(first - logf((float)c.vocab)) < 0.1f, "first loss %.3f ~ ln(vocab) %.3f", (double)first, log(c.vocab));
    check(loss < 0.1f * first, "training lowers the loss: %.3f -> %.4f", (double)first, (double)loss);
    model_close(&M);
}

// ---------------------------------------------------------------------------------------
// The induction task

static void test_induction_data(void) {
    enum { B = 6, T = 40 };
    int tok[B * T], tgt[B * T], per[B], tok2[B * T], tgt2[B * T];
    check(attn_induction_batch(tok, tgt, per, B, T, 33, 8, 16, 5, 3) == ATTN_OK, "induction batch");
    attn_induction_batch(tok2, tgt2, NULL, B, T, 33, 8, 16, 5, 3);
    check(memcmp(tok, tok2, sizeof tok) == 0, "same seed and step, same batch");
    attn_induction_batch(tok2, tgt2, NULL, B, T, 33, 8, 16, 5, 4);
    check(memcmp(tok, tok2, sizeof tok) != 0, "next step, another batch");
    int ok = 1, periods_differ = 0;
    for (int b = 0; b < B; b++) {
        const int *s = tok + b * T, P = per[b];
        ok &= s[0] == ATTN_INDUCTION_BOS && P >= 8 && P <= 16;
        for (int t = 1; t < T; t++) ok &= s[t] >= 1 && s[t] < 33 && (t <= P || s[t] == s[t - P]);
        for (int t = 1; t <= P; t++)
            for (int u = 1; u < t; u++) ok &= s[t] != s[u];
        for (int t = 0; t + 1 < T; t++) ok &= tgt[b * T + t] == s[t + 1];
        ok &= tgt[b * T + T - 1] == -1;
        periods_differ |= per[b] != per[0];
    }
    check(ok, "BOS, a block of distinct symbols repeated with its period, targets = next token");
    check(periods_differ, "the period varies between sequences");
    check(attn_induction_batch(tok, tgt, per, B, T, 10, 8, 16, 5, 3) == ATTN_ERR_INDEX, "too few symbols for the period");
    check(attn_induction_batch(tok, tgt, per, B, 17, 33, 8, 16, 5, 3) == ATTN_ERR_INDEX, "too short for one repeat");
    // the split: positions 0..period are the first part, the rest the repeats
    float losses[B * T], first, repeat;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) losses[b * T + t] = t + 1 == T ? 100.0f : (t <= per[b] ? 1.0f : 3.0f);
    attn_induction_split_loss(&first, &repeat, losses, per, B, T);
    check(first == 1.0f && repeat == 3.0f, "split loss: first %.3f (want 1), repeat %.3f (want 3)", (double)first, (double)repeat);
}

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1                    // gcc -fsanitize=address: train briefly (time), check it runs
#else
#define SANITIZED 0
#endif

// The phase change from a loss history: a synthetic sudden fall is found where it is, a slow
// drift and a too-short history are not phase changes, bad input gets its codes (the real run
// is in test_induction_training).
static void test_phase_change(void) {
    enum { N = 120 };
    float h[N], drop = -1;
    int at = 7;
    // a plateau at 3.4, a fall over 6 points starting at 70, then 0.3; a little noise
    for (int i = 0; i < N; i++) {
        double base = i < 70 ? 3.4 : i < 76 ? 3.4 - (i - 69) * (3.1 / 6.0) : 0.3;
        h[i] = (float)(base + 0.02 * ((i * 37 % 11) - 5) / 5.0);
    }
    check(attn_phase_change(&at, &drop, h, N, 8, 0.5f) == ATTN_OK, "phase change: ok");
    check(at >= 70 && at <= 76, "a sudden fall at points 70..75 is found there (at %d, fall %.3f)", at, (double)drop);
    check(drop > 2.0f, "the fall is most of the 3.1 nats (%.3f)", (double)drop);
    // a slow drift of 1 nat over 120 points never falls 0.5 between two windows of 8
    for (int i = 0; i < N; i++) h[i] = 3.4f - i / 120.0f;
    check(attn_phase_change(&at, &drop, h, N, 8, 0.5f) == ATTN_OK && at == -1 && drop > 0.06f && drop < 0.08f,
          "a slow drift is no phase change (at %d, fall %.4f, want 8/120)", at, (double)drop);
    check(attn_phase_change(&at, &drop, h, 15, 8, 0.0f) == ATTN_OK && at == -1 && drop == 0.0f,
          "fewer than two windows of points: none yet");
    check(attn_phase_change(&at, NULL, h, 16, 8, 0.0f) == ATTN_OK && at == 8, "exactly two windows: the one candidate");
    check(attn_phase_change(&at, NULL, NULL, 0, 8, 0.5f) == ATTN_OK && at == -1, "an empty history");
    check(attn_phase_change(NULL, NULL, h, N, 8, 0.5f) == ATTN_ERR_NULL, "NULL index");
    check(attn_phase_change(&at, NULL, NULL, 4, 8, 0.5f) == ATTN_ERR_NULL, "NULL history");
    check(attn_phase_change(&at, NULL, h, N, 0, 0.5f) == ATTN_ERR_SIZE, "window 0");
    check(attn_phase_change(&at, NULL, h, -1, 8, 0.5f) == ATTN_ERR_SIZE, "count < 0");
    check(attn_phase_change(&at, NULL, h, N, 8, NAN) == ATTN_ERR_NONFINITE, "min_drop NaN");
    h[3] = INFINITY;
    check(attn_phase_change(&at, NULL, h, N, 8, 0.5f) == ATTN_ERR_NONFINITE, "inf in the history");
}

static void test_induction_training(void) {
    // the setting: 2-layer attention-only, no LayerNorm, d_model 64, 4 heads, batch 32;
    // lr 2e-2 (lr 1e-2 needs ~400 steps for the same seed)
    attn_gpt_config c = { .vocab = 33, .context = 40, .d_model = 64, .n_heads = 4, .n_layers = 2,
                          .d_mlp = 0, .attention_only = 1, .layernorm = 0 };
    const int B = 32, T = 40, steps = SANITIZED ? 5 : INDUCTION_TEST_STEPS;
    const unsigned seed = 1;
    model_t M;
    check(model_open(&M, c, B, T, seed), "induction model opens");
    int *periods = malloc(sizeof(int) * B);
    float *losses = malloc(sizeof(float) * B * T), pm[2 * 4], loss = 0;
    attn_adamw_options o = attn_adamw_default_options();
    o.lr = 2e-2f;
    o.weight_decay = 0.01f;
    // each step as attn_gpt_train_step does it, with the repeated-part loss and the scores of
    // the batch measured before its update (as build/attn-train reports them)
    int rc = ATTN_OK, crossed = -1;
    float *repeats = malloc(sizeof(float) * steps), part;
    for (int step = 1; step <= steps && !rc; step++) {
        rc = attn_induction_batch(M.tokens, M.targets, periods, B, T, c.vocab, 8, 16, seed, step);
        if (!rc) rc = attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, M.targets, B, T, NULL, 0);
        if (!rc) rc = attn_gpt_position_losses(losses, M.acts, &c, M.targets, B, T);
        if (!rc) rc = attn_induction_split_loss(&part, &repeats[step - 1], losses, periods, B, T);
        if (!rc) rc = attn_prefix_match(pm, M.acts, &c, M.tokens, B, T);
        for (int h = 4; h < 8 && !rc; h++) if (pm[h] > 0.4f && crossed < 0) crossed = step;
        if (!rc) rc = attn_gpt_backward(M.grads, M.acts, M.params, &c, M.tokens, M.targets, B, T);
        if (!rc) rc = attn_gpt_adamw_step(M.params, M.grads, M.m, M.v, &c, step, &o, NULL);
    }
    check(rc == ATTN_OK, "induction training runs (%s)", attn_strerror(rc));
    // the phase change: the repeated-part loss falls fastest where the head forms
    int at = -1, early = 0;
    float fall = 0;
    check(attn_phase_change(&at, &fall, repeats, steps, 10, 0.3f) == ATTN_OK, "phase change of the run");
    check(attn_phase_change(&early, NULL, repeats, steps < 150 ? steps : 150, 10, 0.3f) == ATTN_OK,
          "phase change of its first 150 steps");
    printf("  phase change at step %d (fall %.3f nats between 10-step windows); prefix-match above 0.4 at step %d\n",
           at + 1, (double)fall, crossed);
    // measure on a fresh batch
    attn_induction_batch(M.tokens, M.targets, periods, B, T, c.vocab, 8, 16, seed + 1000, 0);
    attn_gpt_forward(M.acts, &loss, M.params, &c, M.tokens, M.targets, B, T, NULL, 0);
    attn_gpt_position_losses(losses, M.acts, &c, M.targets, B, T);
    float first, repeat;
    attn_induction_split_loss(&first, &repeat, losses, periods, B, T);
    check(attn_prefix_match(pm, M.acts, &c, M.tokens, B, T) == ATTN_OK, "prefix match");
    // the score by its definition, from the periods: position i > period looks at i - period + 1
    double want = 0;
    long n = 0;
    const float *w = attn_gpt_weights(M.acts, &c, B, T, 1, 0);
    for (int b = 0; b < B; b++)
        for (int i = periods[b] + 1; i < T; i++, n++) want += w[((size_t)b * T + i) * T + i - periods[b] + 1];
    check(fabs(pm[4] - want / n) < 1e-6, "prefix match of head 1.0: %.6f = %.6f from the periods", (double)pm[4], want / n);
    float best = 0;
    for (int h = 0; h < 4; h++) best = pm[4 + h] > best ? pm[4 + h] : best;
    printf("  induction, seed %u, %d steps: loss %.3f, first part %.3f, repeated part %.3f, layer-1 prefix-match %.3f %.3f %.3f %.3f\n",
           seed, steps, (double)loss, (double)first, (double)repeat, (double)pm[4], (double)pm[5], (double)pm[6], (double)pm[7]);
    if (!SANITIZED) {
        check(best > 0.4f, "a layer-1 head matches prefixes: best score %.3f > 0.4 after %d steps", (double)best, steps);
        check(repeat < first, "the repeated part is easier than the first: %.3f < %.3f", (double)repeat, (double)first);
        check(crossed > 0 && at >= 0 && abs(at + 1 - crossed) <= 30,
              "the sudden fall (step %d) is within 30 steps of the head forming (step %d)", at + 1, crossed);
        check(early == -1, "the plateau of the first 150 steps holds no phase change (found %d)", early);
    }
    free(repeats);
    free(periods);
    free(losses);
    model_close(&M);
}

int main(void) {
    test_config_errors();
    test_layout();
    test_bad_input();
    test_gradients();
    test_trace();
    test_ablation();
    test_ablation_sets();
    test_adamw();
    test_schedule();
    test_determinism();
    test_tiny_training();
    test_induction_data();
    test_induction_training();
    test_phase_change();
    return check_summary("gpt");
}

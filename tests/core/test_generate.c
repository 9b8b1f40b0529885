/* test_generate.c - generation: the KV-cached step against the full recompute (logits and the
   new attention row at every position, on random models and on the shipped Brown model up to
   its context limit), the multiply-add counts against the formula, the seeded sampler (the
   same draws for the same seed, frequencies that follow the probabilities, greedy = argmax,
   probabilities summing to 1), and every bad argument's status code. */
#define _POSIX_C_SOURCE 200809L   // brown_common.h's clock, under -std=c11
#include "attn.h"
#include "check.h"
#include "../../tools/brown_common.h"   // brown_read_file

#include <math.h>
#include <stdlib.h>
#include <string.h>

// Largest |cached - full| over the logits allowed, relative to the largest |logit| (at least 1):
// the attention row's dot products are summed in another order than attn_head()'s, which
// changes float rounding and nothing else.
#define LOGIT_TOL  1e-5
#define WEIGHT_TOL 1e-5

// multiply-adds, written out independently of the core: per position 4 C^2 (q, k, v, output)
// + 2 C F (MLP) per layer + C V (logits); attention 2 (keys) C per layer for one row, the
// whole T x T square for the full forward
static double want_madds(const attn_gpt_config *c, int seq, int cached) {
    double C = c->d_model, F = c->attention_only ? 0 : c->d_mlp, L = c->n_layers, T = seq;
    double per = L * (4 * C * C + 2 * C * F) + C * c->vocab;
    return cached ? per + L * 2 * T * C : T * per + L * 2 * T * T * C;
}

// Generates `steps` tokens after `prompt` both ways and compares them at every position;
// returns the largest logit difference. Sampling draws from the cached logits; the full path
// must pick the same token from its own.
static double compare_paths(const float *params, const attn_gpt_config *cfg, const int *prompt,
                            int prompt_n, int steps, float temperature, unsigned seed, const char *label) {
    size_t nkv = attn_gpt_kv_floats(cfg), na = attn_gpt_activation_floats(cfg, 1, cfg->context);
    float *kv = malloc(nkv * sizeof(float)), *acts = malloc(na * sizeof(float));
    float *lc = malloc((size_t)cfg->vocab * sizeof(float)), *lf = malloc((size_t)cfg->vocab * sizeof(float));
    float *pc = malloc((size_t)cfg->vocab * sizeof(float)), *pf = malloc((size_t)cfg->vocab * sizeof(float));
    size_t nw = (size_t)cfg->n_layers * cfg->n_heads * cfg->context;
    float *w = malloc(nw * sizeof(float));
    int *seq = malloc(sizeof(int) * (size_t)(cfg->context + 1));
    double worst = 0.0, worst_w = 0.0, largest = 1.0;
    int madds_ok = 1, same_tokens = 1, rows_ok = 1, n = 0;
    check(attn_gpt_kv_init(kv, nkv, cfg) == ATTN_OK, "%s: init", label);
    for (int i = 0; i < prompt_n; i++) seq[n++] = prompt[i];
    int fed = 0;                       // tokens of seq already in the cache
    for (int s = 0; s < steps && n <= cfg->context; s++) {
        double m = 0.0;
        while (fed < n) {
            int rc = attn_gpt_kv_append(lc, w, &m, kv, nkv, params, cfg, seq[fed]);
            rows_ok &= rc == fed + 1 && attn_gpt_kv_rows(kv, nkv, cfg) == fed + 1;
            double want;
            attn_gpt_step_madds(&want, cfg, fed + 1, 1);
            madds_ok &= m == want && want == want_madds(cfg, fed + 1, 1);
            fed++;
        }
        double mf = 0.0;
        int rc = attn_gpt_next_logits(lf, &mf, acts, params, cfg, seq, n);
        check(rc == ATTN_OK, "%s: full forward at %d: %s", label, n, attn_strerror(rc));
        madds_ok &= mf == want_madds(cfg, n, 0);
        for (int v = 0; v < cfg->vocab; v++) {
            double d = fabs((double)lc[v] - lf[v]);
            if (!(d <= worst)) worst = d;
            largest = fmax(largest, fabs((double)lf[v]));
        }
        // the new row of every head against row n-1 of the full forward's weights
        for (int l = 0; l < cfg->n_layers; l++)
            for (int h = 0; h < cfg->n_heads; h++) {
                const float *full = attn_gpt_weights(acts, cfg, 1, n, l, h) + (size_t)(n - 1) * n;
                const float *mine = w + ((size_t)l * cfg->n_heads + h) * cfg->context;
                for (int j = 0; j < cfg->context; j++) {
                    double d = fabs((double)mine[j] - (j < n ? full[j] : 0.0));
                    if (!(d <= worst_w)) worst_w = d;
                }
            }
        int a = attn_sample_next(pc, NULL, lc, cfg->vocab, temperature, seed, s);
        int b = attn_sample_next(pf, NULL, lf, cfg->vocab, temperature, seed, s);
        same_tokens &= a == b && a >= 0;
        seq[n++] = a;
    }
    check(worst <= LOGIT_TOL * largest, "%s: cached and full logits agree at every step: max |diff| %.3g "
          "(tol %.0e x largest |logit| %.1f)", label, worst, LOGIT_TOL, largest);
    check(worst_w <= WEIGHT_TOL, "%s: the new attention rows agree: max |diff| %.3g (tol %.0e)", label, worst_w, WEIGHT_TOL);
    check(madds_ok, "%s: multiply-adds as counted = the formula, both paths", label);
    check(same_tokens, "%s: both paths sample the same tokens", label);
    check(rows_ok, "%s: the cache grows one row per token", label);
    printf("  %s: %d positions, max |logit diff| %.3g (largest |logit| %.1f), max |weight diff| %.3g\n",
           label, n - 1, worst, largest, worst_w);
    free(kv); free(acts); free(lc); free(lf); free(pc); free(pf); free(w); free(seq);
    return worst;
}

static void test_random_models(void) {
    attn_gpt_config configs[2] = {
        { .vocab = 50, .context = 24, .d_model = 32, .n_heads = 4, .n_layers = 2, .d_mlp = 64,
          .attention_only = 0, .layernorm = 1 },
        { .vocab = 33, .context = 20, .d_model = 16, .n_heads = 2, .n_layers = 3, .d_mlp = 0,
          .attention_only = 1, .layernorm = 0 },
    };
    const char *labels[2] = { "random GPT-2 block (LN + MLP)", "attention-only, no LayerNorm" };
    for (int k = 0; k < 2; k++) {
        attn_gpt_config *c = &configs[k];
        float *params = malloc(attn_gpt_param_floats(c) * sizeof(float));
        attn_gpt_init(params, c, 7 + k);
        // larger weights than the init's 0.02, so attention rows are not all near-uniform
        for (size_t i = 0; i < attn_gpt_param_floats(c); i++) params[i] *= 20.0f;
        int prompt[3] = { 1, 5, 9 };
        compare_paths(params, c, prompt, 3, c->context, 1.0f, 3, labels[k]);
        free(params);
    }
}

static attn_gpt_config brown_cfg;
static float *brown_params;

static int load_brown(void) {
    size_t len;
    unsigned char *file = brown_read_file("models/brown.aewt", &len);
    if (!file) return -1;
    int format, rc = attn_weights_read_header(&brown_cfg, &format, file, len);
    if (rc == ATTN_OK) {
        size_t np = attn_gpt_param_floats(&brown_cfg);
        brown_params = malloc(np * sizeof(float));
        rc = attn_weights_load(brown_params, np, file, len);
    }
    free(file);
    return rc;
}

// The shipped model from <s> "the jury said" to its last position, sampled and greedy; then
// the full cache refuses another token with ATTN_ERR_CONTEXT and stays as it was.
static void test_brown(void) {
    check(load_brown() == ATTN_OK, "models/brown.aewt loads (run from the repository root)");
    if (!brown_params) return;
    const attn_gpt_config *c = &brown_cfg;
    int prompt[4] = { 0, 0, 0, 0 };
    // ids of "the jury said" from the vocabulary
    size_t vlen;
    char *vocab = (char *)brown_read_file("models/brown-vocab.txt", &vlen);
    check(vocab != NULL, "models/brown-vocab.txt reads");
    if (!vocab) return;
    if (vlen && vocab[vlen - 1] == '\n') vlen--;
    const char *text = "the jury said";
    int starts[8], ends[8];
    int n = attn_tokenize(starts, ends, 8, text, (int)strlen(text), NULL);
    check(n == 3 && attn_vocab_ids(prompt + 1, NULL, vocab, (int)vlen, text, starts, ends, 3) == 0,
          "the prompt's words are in the vocabulary");
    compare_paths(brown_params, c, prompt, 4, c->context, 0.8f, 2, "Brown, T 0.8 seed 2, to the context limit");
    compare_paths(brown_params, c, prompt, 4, 12, 0.0f, 0, "Brown, greedy, 12 steps");

    // a full cache: one more token is ATTN_ERR_CONTEXT, rows and logits unchanged
    size_t nkv = attn_gpt_kv_floats(c);
    float *kv = malloc(nkv * sizeof(float)), *logits = malloc((size_t)c->vocab * sizeof(float));
    attn_gpt_kv_init(kv, nkv, c);
    int rc = 0;
    for (int t = 0; t < c->context; t++) rc = attn_gpt_kv_append(logits, NULL, NULL, kv, nkv, brown_params, c, t % 50);
    check(rc == c->context, "the cache holds %d rows after %d tokens (%d)", c->context, c->context, rc);
    logits[0] = 12345.0f;
    check(attn_gpt_kv_append(logits, NULL, NULL, kv, nkv, brown_params, c, 1) == ATTN_ERR_CONTEXT,
          "a token past the context is ATTN_ERR_CONTEXT");
    check(attn_gpt_kv_rows(kv, nkv, c) == c->context && logits[0] == 12345.0f, "and changes nothing");
    check(attn_gpt_kv_bytes(c, c->context) == 2u * 4 * 64 * 64 * 4, "a full Brown cache is 2 x 4 layers x 64 rows x 64 floats (%zu bytes)",
          attn_gpt_kv_bytes(c, c->context));
    int *toks = malloc(sizeof(int) * (size_t)(c->context + 1));
    for (int t = 0; t <= c->context; t++) toks[t] = 1;
    float *acts = malloc(attn_gpt_activation_floats(c, 1, c->context) * sizeof(float));
    check(attn_gpt_next_logits(logits, NULL, acts, brown_params, c, toks, c->context + 1) == ATTN_ERR_CONTEXT,
          "the full path past the context is ATTN_ERR_CONTEXT");
    free(kv); free(logits); free(toks); free(acts); free(vocab);
}

// The sampler on fixed logits: reproducible, frequencies follow the probabilities, greedy.
static void test_sampling(void) {
    float logits[5] = { logf(0.5f), logf(0.3f), logf(0.15f), logf(0.05f), -INFINITY };
    float probs[5];
    double sum = 0.0;
    int counts[5] = {0}, draws = 40000, same = 1, differs = 0;
    for (int s = 0; s < draws; s++) {
        int a = attn_sample_next(probs, &sum, logits, 5, 1.0f, 42, s);
        int b = attn_sample_next(probs, NULL, logits, 5, 1.0f, 42, s);
        same &= a == b;
        differs += a != attn_sample_next(probs, NULL, logits, 5, 1.0f, 43, s);
        if (a >= 0 && a < 5) counts[a]++;
    }
    check(same, "the same (seed, step) draws the same token");
    check(differs > draws / 4, "another seed draws other tokens (%d of %d differ)", differs, draws);
    const double want[5] = { 0.5, 0.3, 0.15, 0.05, 0.0 };
    double worst = 0.0;
    for (int i = 0; i < 5; i++) worst = fmax(worst, fabs((double)counts[i] / draws - want[i]));
    check(worst < 0.01 && counts[4] == 0, "frequencies follow the probabilities: max |diff| %.4f over %d draws, "
          "never a blocked token", worst, draws);
    check(fabs(sum - 1.0) < 1e-6, "probabilities sum to 1 (%.9f)", sum);
    check(attn_sample_next(probs, &sum, logits, 5, 0.0f, 42, 0) == 0, "temperature 0: greedy");
    double p0 = probs[0];
    check(fabs(p0 - 0.5) < 1e-6, "greedy shows the model's own probabilities (%.6f)", p0);
    float tie[3] = { 2.0f, 5.0f, 5.0f };
    check(attn_sample_next(probs, NULL, tie, 3, 0.0f, 1, 0) == 1, "greedy ties go to the lower id");
    // a temperature reshapes: p_i proportional to p_i^(1/T), against a double reference
    attn_sample_next(probs, &sum, logits, 5, 0.5f, 1, 0);
    double ref[5], z = 0.0;
    for (int i = 0; i < 4; i++) z += ref[i] = pow(want[i], 2.0);
    for (int i = 0; i < 4; i++) ref[i] /= z;
    ref[4] = 0.0;
    check_close(probs, ref, 5, 1e-6, "T 0.5: softmax(logits / T)");
}

static void test_bad_arguments(void) {
    attn_gpt_config c = { .vocab = 20, .context = 8, .d_model = 8, .n_heads = 2, .n_layers = 1, .d_mlp = 16,
                          .attention_only = 0, .layernorm = 1 };
    size_t nkv = attn_gpt_kv_floats(&c);
    float *params = calloc(attn_gpt_param_floats(&c), sizeof(float)), *kv = calloc(nkv, sizeof(float));
    float logits[20], probs[20];
    double m;
    check(nkv > 0 && attn_gpt_kv_floats(NULL) == 0, "kv_floats: a size for a config, 0 for NULL");
    attn_gpt_config bad = c;
    bad.n_heads = 3;
    check(attn_gpt_kv_floats(&bad) == 0 && attn_gpt_kv_init(kv, nkv, &bad) == ATTN_ERR_CONFIG, "a bad config");
    check(attn_gpt_kv_bytes(&c, -1) == 0 && attn_gpt_kv_bytes(&c, 9) == 0 && attn_gpt_kv_bytes(&c, 3) == 2u * 3 * 8 * 4,
          "kv_bytes: rows outside 0..context give 0");
    check(attn_gpt_kv_append(logits, NULL, NULL, kv, nkv, params, &c, 1) == ATTN_ERR_STATE, "a cache never initialised");
    check(attn_gpt_kv_rows(kv, nkv, &c) == ATTN_ERR_STATE, "rows of a cache never initialised");
    check(attn_gpt_kv_init(NULL, nkv, &c) == ATTN_ERR_NULL && attn_gpt_kv_init(kv, nkv, NULL) == ATTN_ERR_NULL, "init: NULL");
    check(attn_gpt_kv_init(kv, nkv - 1, &c) == ATTN_ERR_SCRATCH, "init: a buffer too small");
    check(attn_gpt_kv_init(kv, nkv, &c) == ATTN_OK && attn_gpt_kv_rows(kv, nkv, &c) == 0, "init: empty");
    check(attn_gpt_kv_append(logits, NULL, NULL, kv, nkv - 1, params, &c, 1) == ATTN_ERR_SCRATCH, "append: too small");
    check(attn_gpt_kv_append(NULL, NULL, NULL, kv, nkv, params, &c, 1) == ATTN_ERR_NULL, "append: no logits");
    check(attn_gpt_kv_append(logits, NULL, NULL, kv, nkv, NULL, &c, 1) == ATTN_ERR_NULL, "append: no params");
    check(attn_gpt_kv_append(logits, NULL, NULL, kv, nkv, params, &c, -1) == ATTN_ERR_INDEX &&
          attn_gpt_kv_append(logits, NULL, NULL, kv, nkv, params, &c, 20) == ATTN_ERR_INDEX, "append: a token outside the vocabulary");
    attn_gpt_config other = c;
    other.vocab = 21;
    check(attn_gpt_kv_append(logits, NULL, NULL, kv, attn_gpt_kv_floats(&other), params, &other, 1) == ATTN_ERR_STATE,
          "append with another model's config");
    check(attn_gpt_kv_rows(kv, nkv, &c) == 0, "refused calls leave the cache empty");
    check(attn_gpt_kv_append(logits, NULL, &m, kv, nkv, params, &c, 1) == 1, "then a good token goes in");
    kv[1] = 100.0f;
    check(attn_gpt_kv_append(logits, NULL, NULL, kv, nkv, params, &c, 1) == ATTN_ERR_STATE, "a row count out of range");
    check(attn_gpt_step_madds(NULL, &c, 1, 1) == ATTN_ERR_NULL && attn_gpt_step_madds(&m, &c, 0, 1) == ATTN_ERR_SIZE &&
          attn_gpt_step_madds(&m, &c, 9, 0) == ATTN_ERR_CONTEXT && attn_gpt_step_madds(&m, &c, 2, 2) == ATTN_ERR_INDEX,
          "step_madds: NULL, seq 0, past the context, cached not 0/1");
    int toks[2] = { 1, 99 };
    float *acts = malloc(attn_gpt_activation_floats(&c, 1, 2) * sizeof(float));
    check(attn_gpt_next_logits(logits, NULL, acts, params, &c, toks, 2) == ATTN_ERR_INDEX, "next_logits: a bad token");
    check(attn_gpt_next_logits(logits, NULL, acts, params, &c, toks, 0) == ATTN_ERR_SIZE, "next_logits: seq 0");
    check(attn_gpt_next_logits(NULL, NULL, acts, params, &c, toks, 1) == ATTN_ERR_NULL, "next_logits: NULL");
    for (int i = 0; i < 20; i++) logits[i] = 0.0f;
    check(attn_sample_next(probs, NULL, logits, 20, -1.0f, 1, 0) == ATTN_ERR_TEMPERATURE &&
          attn_sample_next(probs, NULL, logits, 20, NAN, 1, 0) == ATTN_ERR_TEMPERATURE &&
          attn_sample_next(probs, NULL, logits, 20, INFINITY, 1, 0) == ATTN_ERR_TEMPERATURE, "sample: bad temperatures");
    check(attn_sample_next(probs, NULL, logits, 0, 1.0f, 1, 0) == ATTN_ERR_SIZE &&
          attn_sample_next(probs, NULL, logits, 20, 1.0f, 1, -1) == ATTN_ERR_SIZE, "sample: vocab 0, step -1");
    check(attn_sample_next(NULL, NULL, logits, 20, 1.0f, 1, 0) == ATTN_ERR_NULL, "sample: NULL");
    logits[3] = NAN;
    check(attn_sample_next(probs, NULL, logits, 20, 1.0f, 1, 0) == ATTN_ERR_NONFINITE, "sample: NaN logits");
    check(strstr(attn_strerror(ATTN_ERR_CONTEXT), "context") != NULL, "ATTN_ERR_CONTEXT has its own sentence");
    free(params); free(kv); free(acts);
}

int main(void) {
    test_bad_arguments();
    test_sampling();
    test_random_models();
    test_brown();
    free(brown_params);
    return check_summary("test_generate");
}

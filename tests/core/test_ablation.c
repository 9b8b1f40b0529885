/* test_ablation.c - the ablation effect (top word, change in probability, KL divergence) and
   the every-head job, against an independent double-precision computation: softmax as
   exp(l) / sum exp(l) after a shift, KL as sum p log(p / q), means summed here. */
#include "attn.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>

// ---------------------------------------------------------------------------------------
// An independent reference

static void ref_softmax(double *p, const float *logits, int n) {
    double max = -INFINITY, sum = 0.0;
    for (int i = 0; i < n; i++) max = fmax(max, (double)logits[i]);
    for (int i = 0; i < n; i++) sum += p[i] = exp((double)logits[i] - max);
    for (int i = 0; i < n; i++) p[i] /= sum;
}

typedef struct { int top_before, top_after; double p_before, p_after, kl; } ref_effect;

static ref_effect ref_effect_of(const float *before, const float *after, int n) {
    double *p = malloc(sizeof(double) * (size_t)n), *q = malloc(sizeof(double) * (size_t)n);
    ref_softmax(p, before, n);
    ref_softmax(q, after, n);
    ref_effect r = { 0, 0, 0, 0, 0 };
    for (int i = 0; i < n; i++) {
        if (p[i] > p[r.top_before]) r.top_before = i;
        if (q[i] > q[r.top_after]) r.top_after = i;
        if (p[i] > 0) r.kl += p[i] * log(p[i] / q[i]);
    }
    r.p_before = p[r.top_before];
    r.p_after = q[r.top_before];
    free(p);
    free(q);
    return r;
}

static unsigned rng_state = 12345;
static float uniform(float lo, float hi) {
    rng_state = rng_state * 1103515245u + 12345u;
    return lo + (hi - lo) * (float)((rng_state >> 8) & 0xFFFF) / 65535.0f;
}

// ---------------------------------------------------------------------------------------
// One prediction

static void test_effect_closed_form(void) {
    // p = (1/4, 3/4), q = (1/2, 1/2): KL = 1/4 log(1/2) + 3/4 log(3/2)
    float before[2] = { 0.0f, logf(3.0f) }, after[2] = { 0.0f, 0.0f };
    attn_ablation_effect e;
    check(attn_ablation_effect_of(&e, before, after, 2) == ATTN_OK, "closed form: ok");
    double want = 0.25 * log(0.5) + 0.75 * log(1.5);
    check(fabs(e.kl - want) < 1e-7, "closed form: kl %.9f want %.9f", (double)e.kl, want);
    check(e.top_before == 1 && e.top_after == 0, "closed form: top 1 before, 0 after (tie -> lower id), got %d %d",
          e.top_before, e.top_after);
    check(fabs(e.p_top_before - 0.75) < 1e-7 && fabs(e.p_top_after - 0.5) < 1e-7, "closed form: p 0.75 -> 0.5");
    check(fabs(e.delta + 0.25) < 1e-7, "closed form: delta %.7f want -0.25", (double)e.delta);
}

static void test_effect_against_reference(void) {
    enum { V = 300 };
    float before[V], after[V];
    for (int trial = 0; trial < 20; trial++) {
        float spread = trial < 10 ? 3.0f : 30.0f;   // flat and very peaked rows
        for (int i = 0; i < V; i++) {
            before[i] = uniform(-spread, spread);
            after[i] = before[i] + uniform(-1.0f, 1.0f) * (float)(trial % 5);
        }
        attn_ablation_effect e;
        check(attn_ablation_effect_of(&e, before, after, V) == ATTN_OK, "reference %d: ok", trial);
        ref_effect r = ref_effect_of(before, after, V);
        float got[4] = { e.kl, e.p_top_before, e.p_top_after, e.delta };
        double want[4] = { r.kl, r.p_before, r.p_after, r.p_after - r.p_before };
        char label[64];
        snprintf(label, sizeof label, "reference %d: kl, p before, p after, delta", trial);
        check_close(got, want, 4, 1e-6, label);
        check(e.top_before == r.top_before && e.top_after == r.top_after, "reference %d: top words", trial);
        check(e.kl >= 0.0f, "reference %d: kl >= 0", trial);
        if (trial % 5 == 0) check(e.kl == 0.0f && e.delta == 0.0f, "reference %d: same logits, no effect", trial);
    }
}

static void test_effect_stable(void) {
    // a shift of every logit changes nothing (softmax is shift-invariant), even far from 0
    enum { V = 64 };
    float a[V], b[V], a2[V], b2[V];
    for (int i = 0; i < V; i++) {
        a[i] = uniform(-5, 5); b[i] = uniform(-5, 5);
        a2[i] = a[i] + 1000.0f; b2[i] = b[i] - 1000.0f;
    }
    attn_ablation_effect e1, e2;
    attn_ablation_effect_of(&e1, a, b, V);
    check(attn_ablation_effect_of(&e2, a2, b2, V) == ATTN_OK, "shifted by +-1000: ok");
    check(fabs(e1.kl - e2.kl) < 2e-4 && isfinite(e2.kl), "shifted: kl %.6f vs %.6f", (double)e1.kl, (double)e2.kl);
    check(e1.top_before == e2.top_before && e1.top_after == e2.top_after, "shifted: same top words");
}

static void test_effect_errors(void) {
    float a[3] = { 1, 2, 3 }, b[3] = { 1, NAN, 3 }, c[3] = { 1, INFINITY, 3 };
    attn_ablation_effect e;
    check(attn_ablation_effect_of(NULL, a, a, 3) == ATTN_ERR_NULL, "NULL out");
    check(attn_ablation_effect_of(&e, NULL, a, 3) == ATTN_ERR_NULL, "NULL before");
    check(attn_ablation_effect_of(&e, a, NULL, 3) == ATTN_ERR_NULL, "NULL after");
    check(attn_ablation_effect_of(&e, a, a, 0) == ATTN_ERR_SIZE, "vocab 0");
    check(attn_ablation_effect_of(&e, a, b, 3) == ATTN_ERR_NONFINITE, "NaN logit");
    check(attn_ablation_effect_of(&e, c, a, 3) == ATTN_ERR_NONFINITE, "infinite logit");
}

// ---------------------------------------------------------------------------------------
// The job, on a small random model

static const attn_gpt_config CFG = { .vocab = 23, .context = 8, .d_model = 16, .n_heads = 2,
                                     .n_layers = 2, .d_mlp = 32, .attention_only = 0, .layernorm = 1 };
static const int LENGTHS[3] = { 5, 8, 1 };
static int IDS[14];

// mean effects per head over every position of every sentence, computed here from forwards
static void ref_job(double *kl, double *delta, double *flips, double *max_kl, long *count,
                    const float *params, int kind, unsigned seed) {
    const int heads = CFG.n_layers * CFG.n_heads, V = CFG.vocab;
    float *acts = malloc(sizeof(float) * attn_gpt_activation_floats(&CFG, 1, CFG.context));
    float *plain = malloc(sizeof(float) * (size_t)CFG.context * V);
    for (int h = 0; h < heads; h++) kl[h] = delta[h] = flips[h] = max_kl[h] = 0, count[h] = 0;
    for (int s = 0, at = 0; s < 3; at += LENGTHS[s], s++) {
        const int T = LENGTHS[s];
        attn_gpt_forward(acts, NULL, params, &CFG, IDS + at, NULL, 1, T, NULL, 0);
        memcpy(plain, attn_gpt_logits(acts, &CFG, 1, T), sizeof(float) * (size_t)T * V);
        for (int h = 0; h < heads; h++) {
            attn_gpt_ablation ab = { h / CFG.n_heads, h % CFG.n_heads, kind };
            attn_gpt_forward(acts, NULL, params, &CFG, IDS + at, NULL, 1, T, &ab, seed + (unsigned)s);
            const float *after = attn_gpt_logits(acts, &CFG, 1, T);
            for (int i = 0; i < T; i++) {
                ref_effect r = ref_effect_of(plain + (size_t)i * V, after + (size_t)i * V, V);
                kl[h] += r.kl;
                delta[h] += r.p_after - r.p_before;
                flips[h] += r.top_after != r.top_before;
                max_kl[h] = fmax(max_kl[h], r.kl);
                count[h]++;
            }
        }
    }
    for (int h = 0; h < heads; h++) kl[h] /= count[h], delta[h] /= count[h], flips[h] /= count[h];
    free(acts);
    free(plain);
}

static void test_job(void) {
    const int heads = CFG.n_layers * CFG.n_heads;
    float *params = malloc(sizeof(float) * attn_gpt_param_floats(&CFG));
    attn_gpt_init(params, &CFG, 7);
    // GPT-2's initial weights (0.02) make every head nearly irrelevant; scaled up, heads matter
    for (size_t i = 0; i < attn_gpt_param_floats(&CFG); i++) params[i] *= 40.0f;
    for (int i = 0; i < 14; i++) IDS[i] = (i * 7 + 3) % CFG.vocab;
    size_t bytes = attn_ablation_job_bytes(&CFG, 8);
    check(bytes > 0, "job bytes %zu", bytes);
    double *job = malloc(bytes), *job2 = malloc(bytes);   // double: 8-byte aligned

    const int kinds[3] = { ATTN_ABLATE_UNIFORM, ATTN_ABLATE_SHUFFLE, ATTN_ABLATE_ZERO };
    for (int k = 0; k < 3; k++) {
        check(attn_ablation_job_init(job, bytes, params, &CFG, IDS, LENGTHS, 3, kinds[k], 5) == ATTN_OK,
              "kind %d: init", kinds[k]);
        int done = -1, total = -1;
        attn_ablation_job_progress(job, &done, &total);
        check(done == 0 && total == 3 * (1 + heads), "kind %d: progress 0 of %d (got %d of %d)", kinds[k],
              3 * (1 + heads), done, total);
        // in slices of 2 passes
        int left, steps = 0;
        while ((left = attn_ablation_job_step(job, 2)) > 0) steps++;
        check(left == 0, "kind %d: finishes (last %d)", kinds[k], left);
        check(steps == (total + 1) / 2 - 1, "kind %d: %d slices of 2", kinds[k], steps + 1);
        check(attn_ablation_job_step(job, 2) == 0, "kind %d: a step after the end runs nothing", kinds[k]);
        attn_ablation_head got[4];
        check(attn_ablation_job_results(got, job) == ATTN_OK, "kind %d: results", kinds[k]);

        double kl[4], delta[4], flips[4], max_kl[4];
        long count[4];
        ref_job(kl, delta, flips, max_kl, count, params, kinds[k], 5);
        float g[16];
        double w[16];
        for (int h = 0; h < heads; h++) {
            g[h] = got[h].kl, w[h] = kl[h];
            g[4 + h] = got[h].delta, w[4 + h] = delta[h];
            g[8 + h] = got[h].flip_rate, w[8 + h] = flips[h];
            g[12 + h] = got[h].max_kl, w[12 + h] = max_kl[h];
            check(got[h].predictions == 14 && count[h] == 14, "kind %d head %d: 14 predictions", kinds[k], h);
            check(got[h].flips == (long)lround(flips[h] * 14), "kind %d head %d: %ld flips, want %.0f", kinds[k], h,
                  got[h].flips, flips[h] * 14);
        }
        char label[64];
        snprintf(label, sizeof label, "kind %d: kl, delta, flip rate, max kl per head", kinds[k]);
        check_close(g, w, 16, 1e-5, label);
        double total_kl = 0;
        for (int h = 0; h < heads; h++) total_kl += kl[h];
        check(total_kl > 1e-2, "kind %d: ablating a head changes a random model (sum kl %.5f)", kinds[k], total_kl);

        // the same job in one go gives the same numbers bit for bit
        attn_ablation_job_init(job2, bytes, params, &CFG, IDS, LENGTHS, 3, kinds[k], 5);
        check(attn_ablation_job_step(job2, 1000) == 0, "kind %d: one step of 1000 passes", kinds[k]);
        attn_ablation_head got2[4];
        attn_ablation_job_results(got2, job2);
        check(memcmp(got, got2, sizeof got) == 0, "kind %d: slices of 2 == one slice", kinds[k]);
    }

    // partial results: after the plain pass and the first head of sentence 0, only head 0 counts
    attn_ablation_job_init(job, bytes, params, &CFG, IDS, LENGTHS, 3, ATTN_ABLATE_ZERO, 5);
    check(attn_ablation_job_step(job, 2) == 3 * (1 + heads) - 2, "partial: passes left");
    attn_ablation_head part[4];
    attn_ablation_job_results(part, job);
    check(part[0].predictions == 5 && part[1].predictions == 0 && part[1].kl == 0.0f, "partial: head 0 over 5, head 1 none");

    // bad input
    check(attn_ablation_job_bytes(&CFG, 9) == 0 && attn_ablation_job_bytes(&CFG, 0) == 0, "bytes: length outside 1..context");
    check(attn_ablation_job_bytes(NULL, 4) == 0, "bytes: NULL config");
    check(attn_ablation_job_init(job, bytes - 1, params, &CFG, IDS, LENGTHS, 3, ATTN_ABLATE_ZERO, 0) == ATTN_ERR_SCRATCH, "init: buffer too small");
    check(attn_ablation_job_init((char *)job + 4, bytes - 8, params, &CFG, IDS, LENGTHS, 3, ATTN_ABLATE_ZERO, 0) == ATTN_ERR_SCRATCH, "init: unaligned");
    check(attn_ablation_job_init(job, bytes, params, &CFG, IDS, LENGTHS, 3, ATTN_ABLATE_NONE, 0) == ATTN_ERR_INDEX, "init: kind none");
    check(attn_ablation_job_init(job, bytes, params, &CFG, IDS, LENGTHS, 3, 9, 0) == ATTN_ERR_INDEX, "init: kind 9");
    check(attn_ablation_job_init(job, bytes, params, &CFG, IDS, LENGTHS, 0, ATTN_ABLATE_ZERO, 0) == ATTN_ERR_SIZE, "init: no sentences");
    check(attn_ablation_job_init(NULL, bytes, params, &CFG, IDS, LENGTHS, 3, ATTN_ABLATE_ZERO, 0) == ATTN_ERR_NULL, "init: NULL job");
    int long_lengths[1] = { 9 }, zero_lengths[1] = { 0 };
    check(attn_ablation_job_init(job, bytes, params, &CFG, IDS, long_lengths, 1, ATTN_ABLATE_ZERO, 0) == ATTN_ERR_SIZE, "init: sentence longer than the context");
    check(attn_ablation_job_init(job, bytes, params, &CFG, IDS, zero_lengths, 1, ATTN_ABLATE_ZERO, 0) == ATTN_ERR_SIZE, "init: empty sentence");
    int bad_ids[2] = { 1, 23 }, two[1] = { 2 };
    check(attn_ablation_job_init(job, bytes, params, &CFG, bad_ids, two, 1, ATTN_ABLATE_ZERO, 0) == ATTN_ERR_INDEX, "init: id outside the vocabulary");
    attn_gpt_config bad = CFG;
    bad.n_heads = 3;
    check(attn_ablation_job_init(job, bytes, params, &bad, IDS, LENGTHS, 3, ATTN_ABLATE_ZERO, 0) == ATTN_ERR_CONFIG, "init: bad config");
    memset(job2, 0, bytes);
    check(attn_ablation_job_step(job2, 1) == ATTN_ERR_STATE, "step: not a job");
    check(attn_ablation_job_results(part, job2) == ATTN_ERR_STATE, "results: not a job");
    check(attn_ablation_job_progress(job2, NULL, NULL) == ATTN_ERR_STATE, "progress: not a job");
    attn_ablation_job_init(job, bytes, params, &CFG, IDS, LENGTHS, 3, ATTN_ABLATE_ZERO, 0);
    check(attn_ablation_job_step(job, 0) == ATTN_ERR_SIZE, "step: 0 passes");
    check(attn_ablation_job_step(NULL, 1) == ATTN_ERR_NULL, "step: NULL");
    free(job);
    free(job2);
    free(params);
}

int main(void) {
    test_effect_closed_form();
    test_effect_against_reference();
    test_effect_stable();
    test_effect_errors();
    test_job();
    return check_summary("test_ablation");
}

/* attn_ablation.c - what replacing one head's attention weights does to a trained model's
   next-word prediction: the effect on one prediction (top word before and after, the change in
   probability of the word that was likeliest, KL divergence), and a job that measures every
   head on a set of sentences a few forward passes at a time, in a buffer the caller owns. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "attn.h"

// ---------------------------------------------------------------------------------------
// One prediction

// log of sum exp(l - max) and the max, in double (softmax denominator, stable)
static void log_partition(const float *logits, int vocab, double *max_out, double *log_sum) {
    double max = logits[0];
    for (int i = 1; i < vocab; i++)
        if (logits[i] > max) max = logits[i];
    double sum = 0.0;
    for (int i = 0; i < vocab; i++) sum += exp((double)logits[i] - max);
    *max_out = max;
    *log_sum = log(sum);
}

// the first index of the largest logit (ties: the lower index, as attn_top_k)
static int argmax(const float *logits, int vocab) {
    int best = 0;
    for (int i = 1; i < vocab; i++)
        if (logits[i] > logits[best]) best = i;
    return best;
}

static int all_finite(const float *v, int n) {
    for (int i = 0; i < n; i++)
        if (!isfinite(v[i])) return 0;
    return 1;
}

int attn_ablation_effect_of(attn_ablation_effect *out, const float *logits_before,
                            const float *logits_after, int vocab) {
    if (!out || !logits_before || !logits_after) return ATTN_ERR_NULL;
    if (vocab < 1) return ATTN_ERR_SIZE;
    if (!all_finite(logits_before, vocab) || !all_finite(logits_after, vocab)) return ATTN_ERR_NONFINITE;
    double max_p, lse_p, max_q, lse_q;
    log_partition(logits_before, vocab, &max_p, &lse_p);
    log_partition(logits_after, vocab, &max_q, &lse_q);
    // KL(p || q) = sum p (log p - log q), with log p = l - max - lse; terms with p = 0 add 0
    double kl = 0.0;
    for (int i = 0; i < vocab; i++) {
        double log_p = (double)logits_before[i] - max_p - lse_p;
        double log_q = (double)logits_after[i] - max_q - lse_q;
        double p = exp(log_p);
        if (p > 0.0) kl += p * (log_p - log_q);
    }
    const int top = argmax(logits_before, vocab);
    const double p_before = exp((double)logits_before[top] - max_p - lse_p);
    const double p_after = exp((double)logits_after[top] - max_q - lse_q);
    out->top_before = top;
    out->top_after = argmax(logits_after, vocab);
    out->p_top_before = (float)p_before;
    out->p_top_after = (float)p_after;
    out->delta = (float)(p_after - p_before);
    out->kl = (float)(kl > 0.0 ? kl : 0.0);   // rounding can leave -1e-17 for equal rows
    return ATTN_OK;
}

// ---------------------------------------------------------------------------------------
// The job: every head, every sentence

#define JOB_MAGIC 0x41424c54u   // "ABLT"

// per head sums, in double
typedef struct { double kl, delta, flips, max_kl; long predictions; } head_sums;

typedef struct {
    unsigned magic;
    attn_gpt_config cfg;
    const float *params;
    const int *ids, *lengths;
    int n_sentences, kind, max_len;
    unsigned seed;
    int sentence, pass;        // next pass: of sentence `sentence`, 0 = plain, 1 + h = head h
    int offset;                // where `sentence` starts in ids
    int done, total;           // forward passes
    size_t acts_floats;        // acts for (1, max_len)
    head_sums heads[ATTN_GPT_MAX_LAYERS * 64];
} job_state;

#define MAX_JOB_HEADS (ATTN_GPT_MAX_LAYERS * 64)

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

// layout: job_state, acts (1, max_len) floats, logits before (max_len, vocab) floats
static size_t job_layout(const attn_gpt_config *cfg, int max_len, size_t *acts_at, size_t *before_at) {
    if (attn_gpt_check_config(cfg) != ATTN_OK || max_len < 1 || max_len > cfg->context) return 0;
    if (cfg->n_layers * cfg->n_heads > MAX_JOB_HEADS) return 0;
    size_t acts = attn_gpt_activation_floats(cfg, 1, max_len);
    if (!acts) return 0;
    size_t before = (size_t)max_len * (size_t)cfg->vocab;
    if (before > (SIZE_MAX / 4 - acts) / sizeof(float)) return 0;
    size_t a = align8(sizeof(job_state)), b = align8(a + acts * sizeof(float));
    size_t end = b + before * sizeof(float);
    if (acts_at) *acts_at = a;
    if (before_at) *before_at = b;
    return end > (size_t)UINT32_MAX ? 0 : end;
}

size_t attn_ablation_job_bytes(const attn_gpt_config *cfg, int max_len) {
    if (!cfg) return 0;
    return job_layout(cfg, max_len, NULL, NULL);
}

int attn_ablation_job_init(void *job, size_t job_bytes, const float *params,
                           const attn_gpt_config *cfg, const int *ids, const int *lengths,
                           int n_sentences, int kind, unsigned seed) {
    if (!job || !params || !cfg || !ids || !lengths) return ATTN_ERR_NULL;
    if ((uintptr_t)job % 8) return ATTN_ERR_SCRATCH;
    int rc = attn_gpt_check_config(cfg);
    if (rc) return rc;
    if (n_sentences < 1) return ATTN_ERR_SIZE;
    if (kind != ATTN_ABLATE_UNIFORM && kind != ATTN_ABLATE_SHUFFLE && kind != ATTN_ABLATE_ZERO)
        return ATTN_ERR_INDEX;
    const int heads = cfg->n_layers * cfg->n_heads;
    if (heads > MAX_JOB_HEADS) return ATTN_ERR_CONFIG;
    int max_len = 0;
    long passes = 0;
    for (int s = 0; s < n_sentences; s++) {
        if (lengths[s] < 1 || lengths[s] > cfg->context) return ATTN_ERR_SIZE;
        if (lengths[s] > max_len) max_len = lengths[s];
        passes += 1 + heads;
        if (passes > INT32_MAX) return ATTN_ERR_OVERFLOW;
    }
    size_t need = job_layout(cfg, max_len, NULL, NULL);
    if (!need) return ATTN_ERR_OVERFLOW;
    if (job_bytes < need) return ATTN_ERR_SCRATCH;
    for (int s = 0, at = 0; s < n_sentences; at += lengths[s], s++)
        for (int i = 0; i < lengths[s]; i++)
            if (ids[at + i] < 0 || ids[at + i] >= cfg->vocab) return ATTN_ERR_INDEX;

    job_state *j = job;
    memset(j, 0, sizeof *j);
    j->cfg = *cfg;
    j->params = params;
    j->ids = ids;
    j->lengths = lengths;
    j->n_sentences = n_sentences;
    j->kind = kind;
    j->seed = seed;
    j->max_len = max_len;
    j->total = (int)passes;
    j->acts_floats = attn_gpt_activation_floats(cfg, 1, max_len);
    j->magic = JOB_MAGIC;
    return ATTN_OK;
}

static job_state *job_of(void *job) {
    job_state *j = job;
    return j && j->magic == JOB_MAGIC ? j : NULL;
}

int attn_ablation_job_step(void *job, int max_forwards) {
    if (!job) return ATTN_ERR_NULL;
    job_state *j = job_of(job);
    if (!j) return ATTN_ERR_STATE;
    if (max_forwards < 1) return ATTN_ERR_SIZE;
    size_t acts_at = 0, before_at = 0;
    // init checked this layout; a job whose header was overwritten is refused, never followed
    if (!job_layout(&j->cfg, j->max_len, &acts_at, &before_at)) return ATTN_ERR_STATE;
    float *acts = (float *)((unsigned char *)job + acts_at);
    float *before = (float *)((unsigned char *)job + before_at);
    const int V = j->cfg.vocab, NH = j->cfg.n_heads, heads = j->cfg.n_layers * NH;

    for (int k = 0; k < max_forwards && j->done < j->total; k++) {
        const int T = j->lengths[j->sentence];
        const int *tokens = j->ids + j->offset;
        if (j->pass == 0) {
            int rc = attn_gpt_forward(acts, NULL, j->params, &j->cfg, tokens, NULL, 1, T, NULL, 0);
            if (rc) return rc;
            memcpy(before, attn_gpt_logits(acts, &j->cfg, 1, T), sizeof(float) * (size_t)T * V);
        } else {
            const int h = j->pass - 1;
            attn_gpt_ablation ab = { .layer = h / NH, .head = h % NH, .kind = j->kind };
            int rc = attn_gpt_forward(acts, NULL, j->params, &j->cfg, tokens, NULL, 1, T, &ab,
                                      j->seed + (unsigned)j->sentence);
            if (rc) return rc;
            const float *after = attn_gpt_logits(acts, &j->cfg, 1, T);
            head_sums *sum = &j->heads[h];
            for (int i = 0; i < T; i++) {
                attn_ablation_effect e;
                rc = attn_ablation_effect_of(&e, before + (size_t)i * V, after + (size_t)i * V, V);
                if (rc) return rc;
                sum->kl += e.kl;
                sum->delta += e.delta;
                sum->flips += e.top_after != e.top_before;
                if (e.kl > sum->max_kl) sum->max_kl = e.kl;
                sum->predictions++;
            }
        }
        j->done++;
        if (++j->pass > heads) {
            j->pass = 0;
            j->offset += T;
            j->sentence++;
        }
    }
    return j->total - j->done;
}

int attn_ablation_job_progress(const void *job, int *done, int *total) {
    if (!job) return ATTN_ERR_NULL;
    const job_state *j = job;
    if (j->magic != JOB_MAGIC) return ATTN_ERR_STATE;
    if (done) *done = j->done;
    if (total) *total = j->total;
    return ATTN_OK;
}

int attn_ablation_job_results(attn_ablation_head *heads, const void *job) {
    if (!heads || !job) return ATTN_ERR_NULL;
    const job_state *j = job;
    if (j->magic != JOB_MAGIC) return ATTN_ERR_STATE;
    for (int h = 0; h < j->cfg.n_layers * j->cfg.n_heads; h++) {
        const head_sums *s = &j->heads[h];
        const double n = s->predictions > 0 ? (double)s->predictions : 1.0;
        heads[h].kl = (float)(s->kl / n);
        heads[h].delta = (float)(s->delta / n);
        heads[h].flip_rate = (float)(s->flips / n);
        heads[h].max_kl = (float)s->max_kl;
        heads[h].flips = (long)s->flips;
        heads[h].predictions = s->predictions;
    }
    return ATTN_OK;
}

/* attn_atlas.c - the head atlas: per head of a trained model, the scores a researcher would
   read (entropy, previous-token, first-token, prefix matching, part-of-speech relations),
   each against a baseline, and the habit the numbers support.

   Thresholds, fixed before any model was measured (they are not tuned to produce labels):
   a head gets a habit when its score clears BOTH an absolute level and a margin over its
   baseline. Content relations are judged against the head's own position-only baseline (its
   mean weight at the same cells over all plain windows), so a previous-token head does not
   pass for a determiner head just because determiners often sit right before their nouns.
     induction      prefix_match >= 0.30 and >= 3 x prefix_baseline      (>= 100 cells)
     determiner     det_noun     >= 0.40 and >= baseline + 0.15 and >= 1.5 x baseline
     verb-noun      verb_noun    >= 0.40 and >= baseline + 0.15 and >= 1.5 x baseline
     previous-token previous     >= 0.40 and >= 3 x uniform causal attention
     first-token    first        >= 0.50 and >= 3 x uniform causal attention
   Otherwise "diffuse". */
#include <math.h>
#include <stddef.h>

#include "attn.h"

#define MIN_CELLS 100

static const double PREFIX_MIN = 0.30, PREFIX_RATIO = 3.0;
static const double RELATION_MIN = 0.40, RELATION_MARGIN = 0.15, RELATION_RATIO = 1.5;
static const double PREVIOUS_MIN = 0.40, FIRST_MIN = 0.50, POSITION_RATIO = 3.0;

// Accumulator layout (doubles):
//   [0] plain windows, [1] repeated windows, [2..7] unused
//   det_count, verb_count, prefix_count   (seq, seq) each: cells the relations use
//   then per head: cell_sum (seq, seq), then HEAD_SCALARS sums
enum { SUM_ENTROPY, SUM_PREVIOUS, SUM_FIRST, SUM_PREFIX, SUM_DET, SUM_VERB, HEAD_SCALARS = 8 };
#define HEADER 8

static int shape_ok(const attn_gpt_config *cfg, int seq) {
    return attn_gpt_check_config(cfg) == ATTN_OK && seq >= 2 && seq <= cfg->context;
}

static size_t cells(int seq) { return (size_t)seq * (size_t)seq; }

static size_t head_offset(int seq, int head) {
    return HEADER + 3 * cells(seq) + (size_t)head * (cells(seq) + HEAD_SCALARS);
}

size_t attn_atlas_doubles(const attn_gpt_config *cfg, int seq) {
    if (!cfg || !shape_ok(cfg, seq)) return 0;
    size_t heads = (size_t)cfg->n_layers * (size_t)cfg->n_heads;
    return HEADER + 3 * cells(seq) + heads * (cells(seq) + HEAD_SCALARS);
}

// j of a noun's determiner for the noun at i, or -1: the nearest determiner at most 4 back
// with only modifiers or nouns between
static int determiner_of(const unsigned char *pos, int i) {
    for (int j = i - 1; j >= 0 && j >= i - 4; j--) {
        if (pos[j] == ATTN_POS_DET) return j;
        if (pos[j] != ATTN_POS_MODIFIER && pos[j] != ATTN_POS_NOUN) return -1;
    }
    return -1;
}

// j of the nearest noun before the verb at i in the same sentence, or -1
static int noun_before(const unsigned char *pos, int i) {
    for (int j = i - 1; j >= 0; j--) {
        if (pos[j] == ATTN_POS_BOUNDARY) return -1;
        if (pos[j] == ATTN_POS_NOUN) return j;
    }
    return -1;
}

int attn_atlas_add_plain(double *acc, const float *acts, const attn_gpt_config *cfg,
                         const unsigned char *pos, int batch, int seq) {
    if (!acc || !acts || !cfg || !pos) return ATTN_ERR_NULL;
    if (batch <= 0) return ATTN_ERR_SIZE;
    if (!shape_ok(cfg, seq)) return ATTN_ERR_CONFIG;
    for (size_t i = 0; i < (size_t)batch * seq; i++)
        if (pos[i] > ATTN_POS_BOUNDARY) return ATTN_ERR_INDEX;
    int heads = cfg->n_layers * cfg->n_heads;
    double *det_count = acc + HEADER, *verb_count = det_count + cells(seq);
    for (int b = 0; b < batch; b++) {
        const unsigned char *p = pos + (size_t)b * seq;
        for (int i = 1; i < seq; i++) {
            int d = p[i] == ATTN_POS_NOUN ? determiner_of(p, i) : -1;
            int n = p[i] == ATTN_POS_VERB ? noun_before(p, i) : -1;
            if (d >= 0) det_count[(size_t)i * seq + d] += 1;
            if (n >= 0) verb_count[(size_t)i * seq + n] += 1;
        }
    }
    for (int h = 0; h < heads; h++) {
        const float *w = attn_gpt_weights(acts, cfg, batch, seq, h / cfg->n_heads, h % cfg->n_heads);
        if (!w) return ATTN_ERR_STATE;
        double *cell = acc + head_offset(seq, h), *sum = cell + cells(seq);
        for (int b = 0; b < batch; b++) {
            const unsigned char *p = pos + (size_t)b * seq;
            const float *wb = w + (size_t)b * cells(seq);
            for (int i = 1; i < seq; i++) {
                const float *row = wb + (size_t)i * seq;
                double entropy = 0;
                for (int j = 0; j <= i; j++) {
                    cell[(size_t)i * seq + j] += row[j];
                    if (row[j] > 0) entropy -= row[j] * log2(row[j]);
                }
                sum[SUM_ENTROPY] += entropy;
                sum[SUM_PREVIOUS] += row[i - 1];
                sum[SUM_FIRST] += row[0];
                int d = p[i] == ATTN_POS_NOUN ? determiner_of(p, i) : -1;
                int n = p[i] == ATTN_POS_VERB ? noun_before(p, i) : -1;
                if (d >= 0) sum[SUM_DET] += row[d];
                if (n >= 0) sum[SUM_VERB] += row[n];
            }
        }
    }
    acc[0] += batch;
    return ATTN_OK;
}

int attn_atlas_add_repeated(double *acc, const float *acts, const attn_gpt_config *cfg,
                            int batch, int seq, int period) {
    if (!acc || !acts || !cfg) return ATTN_ERR_NULL;
    if (batch <= 0 || period <= 0) return ATTN_ERR_SIZE;
    if (!shape_ok(cfg, seq)) return ATTN_ERR_CONFIG;
    if (2 * period > seq) return ATTN_ERR_INDEX;
    int heads = cfg->n_layers * cfg->n_heads;
    double *prefix_count = acc + HEADER + 2 * cells(seq);
    for (int i = period; i < 2 * period; i++) prefix_count[(size_t)i * seq + i - period + 1] += batch;
    for (int h = 0; h < heads; h++) {
        const float *w = attn_gpt_weights(acts, cfg, batch, seq, h / cfg->n_heads, h % cfg->n_heads);
        if (!w) return ATTN_ERR_STATE;
        double *sum = acc + head_offset(seq, h) + cells(seq);
        for (int b = 0; b < batch; b++)
            for (int i = period; i < 2 * period; i++)
                sum[SUM_PREFIX] += w[(size_t)b * cells(seq) + (size_t)i * seq + i - period + 1];
    }
    acc[1] += batch;
    return ATTN_OK;
}

// the head's position-only expectation over the cells of count: sum count * mean weight
static double baseline(const double *count, const double *cell, double windows, int seq) {
    double pairs = 0, expected = 0;
    for (size_t c = 0; c < cells(seq); c++) {
        if (count[c] == 0) continue;
        pairs += count[c];
        expected += count[c] * cell[c] / windows;
    }
    return pairs > 0 ? expected / pairs : 0;
}

static double total(const double *count, int seq) {
    double pairs = 0;
    for (size_t c = 0; c < cells(seq); c++) pairs += count[c];
    return pairs;
}

int attn_atlas_finish(attn_atlas_head *heads, const double *acc, const attn_gpt_config *cfg,
                      int seq) {
    if (!heads || !acc || !cfg) return ATTN_ERR_NULL;
    if (!shape_ok(cfg, seq)) return ATTN_ERR_CONFIG;
    double windows = acc[0], repeated = acc[1];
    if (!(windows > 0)) return ATTN_ERR_EMPTY;
    const double *det_count = acc + HEADER, *verb_count = det_count + cells(seq);
    const double *prefix_count = verb_count + cells(seq);
    double det_pairs = total(det_count, seq), verb_pairs = total(verb_count, seq);
    double prefix_pairs = total(prefix_count, seq);
    double rows = windows * (seq - 1), uniform = 0, entropy_uniform = 0;
    for (int i = 1; i < seq; i++) {
        uniform += 1.0 / (i + 1) / (seq - 1);
        entropy_uniform += log2((double)(i + 1)) / (seq - 1);
    }
    for (int h = 0; h < cfg->n_layers * cfg->n_heads; h++) {
        const double *cell = acc + head_offset(seq, h), *sum = cell + cells(seq);
        attn_atlas_head *o = &heads[h];
        o->rows = (long)rows;
        o->entropy = (float)(sum[SUM_ENTROPY] / rows);
        o->entropy_uniform = (float)entropy_uniform;
        o->previous = (float)(sum[SUM_PREVIOUS] / rows);
        o->first = (float)(sum[SUM_FIRST] / rows);
        o->uniform = (float)uniform;
        o->prefix_pairs = (long)prefix_pairs;
        o->prefix_match = prefix_pairs > 0 ? (float)(sum[SUM_PREFIX] / prefix_pairs) : 0;
        o->prefix_baseline = (float)baseline(prefix_count, cell, windows, seq);
        o->det_pairs = (long)det_pairs;
        o->det_noun = det_pairs > 0 ? (float)(sum[SUM_DET] / det_pairs) : 0;
        o->det_baseline = (float)baseline(det_count, cell, windows, seq);
        o->verb_pairs = (long)verb_pairs;
        o->verb_noun = verb_pairs > 0 ? (float)(sum[SUM_VERB] / verb_pairs) : 0;
        o->verb_baseline = (float)baseline(verb_count, cell, windows, seq);

        int habits = 0;
        if (repeated > 0 && prefix_pairs >= MIN_CELLS && o->prefix_match >= PREFIX_MIN &&
            o->prefix_match >= PREFIX_RATIO * o->prefix_baseline)
            habits |= 1 << ATTN_HABIT_INDUCTION;
        if (det_pairs >= MIN_CELLS && o->det_noun >= RELATION_MIN &&
            o->det_noun >= o->det_baseline + RELATION_MARGIN &&
            o->det_noun >= RELATION_RATIO * o->det_baseline)
            habits |= 1 << ATTN_HABIT_DET_NOUN;
        if (verb_pairs >= MIN_CELLS && o->verb_noun >= RELATION_MIN &&
            o->verb_noun >= o->verb_baseline + RELATION_MARGIN &&
            o->verb_noun >= RELATION_RATIO * o->verb_baseline)
            habits |= 1 << ATTN_HABIT_VERB_NOUN;
        if (o->previous >= PREVIOUS_MIN && o->previous >= POSITION_RATIO * uniform)
            habits |= 1 << ATTN_HABIT_PREVIOUS;
        if (o->first >= FIRST_MIN && o->first >= POSITION_RATIO * uniform)
            habits |= 1 << ATTN_HABIT_FIRST;
        o->habits = habits;
        o->habit = ATTN_HABIT_DIFFUSE;
        for (int k = 1; k < ATTN_HABITS; k++)
            if (habits & (1 << k)) { o->habit = k; break; }
    }
    return ATTN_OK;
}

int attn_atlas_entropy(float *head_entropy, float *layer_entropy, const float *acts,
                       const attn_gpt_config *cfg, int seq) {
    if (!head_entropy || !acts || !cfg) return ATTN_ERR_NULL;
    int rc = attn_gpt_check_config(cfg);
    if (rc < 0) return rc;
    if (seq < 1 || seq > cfg->context) return ATTN_ERR_SIZE;
    for (int l = 0; l < cfg->n_layers; l++) {
        double layer_sum = 0;
        for (int h = 0; h < cfg->n_heads; h++) {
            const float *w = attn_gpt_weights(acts, cfg, 1, seq, l, h);
            if (!w) return ATTN_ERR_STATE;
            double sum = 0;
            for (int i = 1; i < seq; i++) {
                const float *row = w + (size_t)i * seq;
                for (int j = 0; j <= i; j++)
                    if (row[j] > 0) sum -= row[j] * log2(row[j]);
            }
            double mean = seq > 1 ? sum / (seq - 1) : 0;
            head_entropy[l * cfg->n_heads + h] = (float)mean;
            layer_sum += mean;
        }
        if (layer_entropy) layer_entropy[l] = (float)(layer_sum / cfg->n_heads);
    }
    return ATTN_OK;
}

const char *attn_habit_name(int habit) {
    static const char *const NAMES[ATTN_HABITS] = {
        "diffuse", "induction", "determiner", "verb-noun", "previous-token", "first-token",
    };
    return habit >= 0 && habit < ATTN_HABITS ? NAMES[habit] : NULL;
}

// ---------------------------------------------------------------------------------------
// The whole measurement

size_t attn_atlas_work_floats(const attn_gpt_config *cfg) {
    if (!cfg || attn_gpt_check_config(cfg) != ATTN_OK) return 0;
    size_t acts = attn_gpt_activation_floats(cfg, ATTN_ATLAS_BATCH, cfg->context);
    return acts ? acts + (size_t)ATTN_ATLAS_BATCH * cfg->context : 0;
}

size_t attn_atlas_work_ints(const attn_gpt_config *cfg) {
    if (!cfg || attn_gpt_check_config(cfg) != ATTN_OK) return 0;
    return 2 * (size_t)ATTN_ATLAS_BATCH * cfg->context;
}

int attn_atlas_measure(attn_atlas_head *heads, attn_atlas_summary *summary, const float *params,
                       const attn_gpt_config *cfg, const int *ids, const unsigned char *pos,
                       int n, int max_repeated, double *acc, float *work, size_t work_floats,
                       int *int_work, size_t work_ints) {
    if (!heads || !summary || !params || !cfg || !ids || !pos || !acc || !work || !int_work)
        return ATTN_ERR_NULL;
    int rc = attn_gpt_check_config(cfg);
    if (rc < 0) return rc;
    const int seq = cfg->context, period = seq / 2, B = ATTN_ATLAS_BATCH;
    if (seq < 4 || max_repeated < 0) return ATTN_ERR_SIZE;
    if (n < seq + 1) return ATTN_ERR_SIZE;
    if (work_floats < attn_atlas_work_floats(cfg) || work_ints < attn_atlas_work_ints(cfg))
        return ATTN_ERR_SCRATCH;
    for (int i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= cfg->vocab) return ATTN_ERR_INDEX;
    size_t acc_doubles = attn_atlas_doubles(cfg, seq);
    for (size_t i = 0; i < acc_doubles; i++) acc[i] = 0;
    float *acts = work, *losses = work + attn_gpt_activation_floats(cfg, B, seq);
    int *tokens = int_work, *targets = int_work + (size_t)B * seq;
    unsigned char pos_batch[ATTN_ATLAS_BATCH * 1024];
    if (seq > 1024) return ATTN_ERR_OVERFLOW;

    // plain windows: ids[w*seq .. w*seq+seq), targets one further
    const int windows = (n - 1) / seq;
    double loss_sum = 0;
    long counted = 0;
    for (int w0 = 0; w0 < windows; w0 += B) {
        int rows = windows - w0 < B ? windows - w0 : B;
        for (int b = 0; b < rows; b++)
            for (int t = 0; t < seq; t++) {
                size_t s = (size_t)(w0 + b) * seq + t;
                tokens[b * seq + t] = ids[s];
                targets[b * seq + t] = ids[s + 1];
                pos_batch[b * seq + t] = pos[s];
            }
        float loss;
        rc = attn_gpt_forward(acts, &loss, params, cfg, tokens, targets, rows, seq, NULL, 0);
        if (rc < 0) return rc;
        loss_sum += (double)loss * rows * seq;
        counted += (long)rows * seq;
        rc = attn_atlas_add_plain(acc, acts, cfg, pos_batch, rows, seq);
        if (rc < 0) return rc;
    }

    // repeated windows: a passage of `period` held-out tokens, then the same again
    int repeats = n / period < max_repeated ? n / period : max_repeated;
    double first_sum = 0, second_sum = 0;
    long first_n = 0, second_n = 0;
    for (int r0 = 0; r0 < repeats; r0 += B) {
        int rows = repeats - r0 < B ? repeats - r0 : B;
        for (int b = 0; b < rows; b++)
            for (int t = 0; t < seq; t++) {
                const int *passage = ids + (size_t)(r0 + b) * period;
                tokens[b * seq + t] = passage[t % period];
                // the last position has no next token inside the window
                targets[b * seq + t] = t + 1 < 2 * period ? passage[(t + 1) % period] : -1;
            }
        float loss;
        rc = attn_gpt_forward(acts, &loss, params, cfg, tokens, targets, rows, seq, NULL, 0);
        if (rc < 0) return rc;
        rc = attn_gpt_position_losses(losses, acts, cfg, targets, rows, seq);
        if (rc < 0) return rc;
        for (int b = 0; b < rows; b++) {
            // first copy: targets inside it (t = 0..period-2); second: t = period..2*period-2
            for (int t = 0; t + 1 < period; t++) { first_sum += losses[b * seq + t]; first_n++; }
            for (int t = period; t + 1 < 2 * period; t++) { second_sum += losses[b * seq + t]; second_n++; }
        }
        rc = attn_atlas_add_repeated(acc, acts, cfg, rows, seq, period);
        if (rc < 0) return rc;
    }

    summary->seq = seq;
    summary->windows = windows;
    summary->repeated_windows = repeats;
    summary->period = period;
    summary->heldout_targets = counted;
    summary->heldout_loss = counted ? loss_sum / (double)counted : 0;
    summary->loss_first_copy = first_n ? first_sum / (double)first_n : 0;
    summary->loss_second_copy = second_n ? second_sum / (double)second_n : 0;
    return attn_atlas_finish(heads, acc, cfg, seq);
}

/* test_brown.c - the trained Brown model as shipped: the vocabulary lookup, the int8 weight
   file against the float32 checkpoint, the head atlas recomputed on committed held-out text
   (tests/data/brown) against the committed atlas and against scores computed here directly,
   and a tiny training run on that text that lowers its held-out loss. Run from the repo root. */
#define _POSIX_C_SOURCE 200809L   // brown_common.h's clock, under -std=c11
#include "attn.h"
#include "check.h"
#include "../../tools/brown_common.h"   // brown_read_file, as the Brown tools read files

#include <stdlib.h>
#include <string.h>

// ---------------------------------------------------------------------------------------
// Vocabulary

static void test_vocab(void) {
    static const char vocab[] = "<s>\n<unk>\n<unk-num>\n<unk-cap>\n<unk-hyph>\n<unk-ing>\n<unk-ed>\n"
                                "<unk-ly>\n<unk-s>\nthe\njury\nsaid\n.\ndidn't";
    const int len = (int)sizeof vocab - 1;
    check(attn_vocab_count(vocab, len) == 14, "14 words");
    const char *text = "The JURY said 1961 Fulton well-known running walked quickly dogs zzz didn't.";
    int starts[32], ends[32];
    int n = attn_tokenize(starts, ends, 32, text, (int)strlen(text), NULL);
    check(n == 13, "13 tokens (got %d)", n);
    int ids[32];
    unsigned char unknown[32];
    int unk = attn_vocab_ids(ids, unknown, vocab, len, text, starts, ends, n);
    // the, jury, said (lower-cased), then a class for each unknown word
    const int want[13] = {9, 10, 11, 2, 3, 4, 5, 6, 7, 8, 1, 13, 12};
    int same = 1;
    for (int i = 0; i < 13; i++) same &= ids[i] == want[i];
    check(same, "ids of known words and classes of unknown ones");
    check(unk == 8 && unknown[3] && !unknown[0] && !unknown[11], "8 unknown, flagged (got %d)", unk);
    const char *name = NULL;
    check(attn_vocab_unknown_class("Zebra-like", 10, &name) == ATTN_UNK_CAP && !strcmp(name, "<unk-cap>"),
          "a capital comes before a hyphen");
    int start, wlen;
    check(attn_vocab_word(&start, &wlen, vocab, len, 13) == ATTN_OK && wlen == 6 &&
          !memcmp(vocab + start, "didn't", 6), "word of the last id");
    check(attn_vocab_word(&start, &wlen, vocab, len, 14) == ATTN_ERR_INDEX, "id past the end");
    check(attn_vocab_count("a\n\nb", 4) == ATTN_ERR_VOCAB, "an empty line is refused");
    check(attn_vocab_ids(ids, NULL, "the\njury", 8, text, starts, ends, n) == ATTN_ERR_VOCAB,
          "a vocabulary without <unk> is refused");
    check(attn_vocab_ids(NULL, NULL, vocab, len, text, starts, ends, n) == ATTN_ERR_NULL, "NULL ids");
    check(attn_vocab_ids(ids, NULL, vocab, 0, text, starts, ends, n) == ATTN_ERR_SIZE, "empty vocabulary");

    // the shipped vocabulary
    size_t vlen;
    char *shipped = (char *)brown_read_file("models/brown-vocab.txt", &vlen);
    check(shipped != NULL, "models/brown-vocab.txt reads");
    if (!shipped) return;
    int count = attn_vocab_count(shipped, (int)vlen - 1);   // without the final newline
    check(count == 4096, "4096 words in the shipped vocabulary (got %d)", count);
    check(attn_vocab_word(&start, &wlen, shipped, (int)vlen - 1, 9) == ATTN_OK && wlen == 3 &&
          !memcmp(shipped + start, "the", 3), "id 9 is 'the', the most frequent word");
    free(shipped);
}

// ---------------------------------------------------------------------------------------
// The shipped weights and the held-out sample

typedef struct {
    attn_gpt_config cfg;
    float *params;
    size_t bytes;
} model;

static int load(model *m, const char *path) {
    size_t len;
    unsigned char *file = brown_read_file(path, &len);
    if (!file) return -1;
    int format, rc = attn_weights_read_header(&m->cfg, &format, file, len);
    if (rc == ATTN_OK) {
        size_t np = attn_gpt_param_floats(&m->cfg);
        m->params = malloc(np * sizeof(float));
        rc = attn_weights_load(m->params, np, file, len);
        // corrupt copies are refused: cut short, one payload bit flipped
        check(attn_weights_load(m->params, np, file, len - 1) == ATTN_ERR_TRUNCATED, "%s cut short", path);
        file[len / 2] ^= 0x10;
        check(attn_weights_load(m->params, np, file, len) == ATTN_ERR_CHECKSUM, "%s with a flipped bit", path);
        file[len / 2] ^= 0x10;
        if (rc == ATTN_OK) rc = attn_weights_load(m->params, np, file, len);
    }
    free(file);
    m->bytes = len;
    return rc;
}

static int *sample_ids, sample_n;
static unsigned char *sample_pos;

static int load_sample(void) {
    size_t ids_len, pos_len;
    unsigned char *raw = brown_read_file("tests/data/brown/heldout.bin", &ids_len);
    sample_pos = brown_read_file("tests/data/brown/heldout.pos", &pos_len);
    if (!raw || !sample_pos || ids_len != 2 * pos_len) return -1;
    sample_n = (int)pos_len;
    sample_ids = malloc(sizeof(int) * pos_len);
    for (size_t i = 0; i < pos_len; i++) sample_ids[i] = raw[2 * i] | raw[2 * i + 1] << 8;
    free(raw);
    return 0;
}

// mean loss over the sample's windows [first, first + count) of seq tokens, batch 8
static double sample_loss(const model *m, int seq, int first, int count) {
    float *acts = malloc(attn_gpt_activation_floats(&m->cfg, 8, seq) * sizeof(float));
    int tok[8 * 64], tgt[8 * 64];
    double sum = 0;
    for (int w0 = first; w0 < first + count; w0 += 8) {
        for (int b = 0; b < 8; b++)
            for (int t = 0; t < seq; t++) {
                tok[b * seq + t] = sample_ids[(w0 + b) * seq + t];
                tgt[b * seq + t] = sample_ids[(w0 + b) * seq + t + 1];
            }
        float loss = NAN;
        int rc = attn_gpt_forward(acts, &loss, m->params, &m->cfg, tok, tgt, 8, seq, NULL, 0);
        if (rc < 0) { sum = NAN; break; }
        sum += loss;
    }
    free(acts);
    return sum / (count / 8);
}

static model f32, int8;

static void test_shipped_file(void) {
    int rc8 = load(&int8, "models/brown.aewt"), rc32 = load(&f32, "models/brown-f32.aewt");
    check(rc8 == ATTN_OK, "models/brown.aewt loads (%s)", attn_strerror(rc8));
    check(rc32 == ATTN_OK, "models/brown-f32.aewt loads (%s)", attn_strerror(rc32));
    if (rc8 || rc32) return;
    attn_gpt_config want = {4096, 64, 64, 4, 4, 256, 0, 1};
    check(!memcmp(&int8.cfg, &want, sizeof want) && !memcmp(&f32.cfg, &want, sizeof want),
          "both files hold the 4 x 4, d_model 64, context 64 model");
    check(int8.bytes <= 1000000, "the shipped file is at most 1 MB (%zu bytes)", int8.bytes);
    printf("  shipped %zu bytes, float32 %zu bytes\n", int8.bytes, f32.bytes);

    // the same windows through both: probabilities close, perplexity within 2%
    const int seq = 64, B = 4;
    float *a8 = malloc(attn_gpt_activation_floats(&want, B, seq) * sizeof(float));
    float *a32 = malloc(attn_gpt_activation_floats(&want, B, seq) * sizeof(float));
    float *p8 = malloc(4096 * sizeof(float)), *p32 = malloc(4096 * sizeof(float));
    int tok[4 * 64];
    for (int i = 0; i < B * seq; i++) tok[i] = sample_ids[i];
    attn_gpt_forward(a8, NULL, int8.params, &int8.cfg, tok, NULL, B, seq, NULL, 0);
    attn_gpt_forward(a32, NULL, f32.params, &f32.cfg, tok, NULL, B, seq, NULL, 0);
    double worst = 0;
    for (int r = 0; r < B * seq; r++) {
        attn_softmax_rows(p8, attn_gpt_logits(a8, &want, B, seq) + (size_t)r * 4096, 1, 4096, 1, NULL);
        attn_softmax_rows(p32, attn_gpt_logits(a32, &want, B, seq) + (size_t)r * 4096, 1, 4096, 1, NULL);
        for (int v = 0; v < 4096; v++) worst = fmax(worst, fabs((double)p8[v] - p32[v]));
    }
    check(worst <= 0.02, "next-word probabilities of int8 and float32 within 0.02 (max %.4f)", worst);
    double l8 = sample_loss(&int8, seq, 0, 64), l32 = sample_loss(&f32, seq, 0, 64);
    printf("  sample perplexity: float32 %.2f, int8 %.2f (%+.2f%%)\n", exp(l32), exp(l8),
           100 * (exp(l8 - l32) - 1));
    check(fabs(exp(l8 - l32) - 1) <= 0.02, "int8 perplexity within 2%% of float32 on the sample");
    // the unigram baseline on the whole held-out text is 286: a model that learned is far below
    check(exp(l32) < 200, "the model predicts held-out text (perplexity %.1f < 200)", exp(l32));
    free(a8); free(a32); free(p8); free(p32);
}

// ---------------------------------------------------------------------------------------
// The atlas

// the habits of the committed atlas, head by head, read off its "habit" fields
static int committed_habits(int *habit, int heads) {
    size_t len;
    char *json = (char *)brown_read_file("models/brown-atlas.json", &len);
    if (!json) return -1;
    const char *p = json;
    int h = 0;
    while (h < heads && (p = strstr(p, "\"habit\": \""))) {
        p += 10;
        habit[h] = -1;
        for (int k = 0; k < ATTN_HABITS; k++) {
            const char *name = attn_habit_name(k);
            if (!strncmp(p, name, strlen(name)) && p[strlen(name)] == '"') habit[h] = k;
        }
        h++;
    }
    free(json);
    return h;
}

static void test_atlas(void) {
    if (!int8.params) return;
    const attn_gpt_config *cfg = &int8.cfg;
    const int heads = cfg->n_layers * cfg->n_heads, seq = cfg->context, period = seq / 2;
    // half the sample (64 windows, 64 repeated ones) keeps the sanitizer build to a minute
    const int n = sample_n < 64 * seq + 1 ? sample_n : 64 * seq + 1, max_repeated = 64;
    size_t nacc = attn_atlas_doubles(cfg, seq), nw = attn_atlas_work_floats(cfg), ni = attn_atlas_work_ints(cfg);
    double *acc = malloc(nacc * sizeof(double));
    float *work = malloc(nw * sizeof(float));
    int *iwork = malloc(ni * sizeof(int));
    attn_atlas_head got[16];
    attn_atlas_summary sum;
    int rc = attn_atlas_measure(got, &sum, int8.params, cfg, sample_ids, sample_pos, n, max_repeated,
                                acc, work, nw, iwork, ni);
    check(rc == ATTN_OK, "the atlas measures the sample (%s)", attn_strerror(rc));
    if (rc) return;
    check(sum.windows == (n - 1) / seq && sum.repeated_windows == (n / period < max_repeated ? n / period : max_repeated),
          "every window counted (%d plain, %d repeated)", sum.windows, sum.repeated_windows);
    check(attn_atlas_measure(got, &sum, int8.params, cfg, sample_ids, sample_pos, seq, 512, acc,
                             work, nw, iwork, ni) == ATTN_ERR_SIZE, "a stream shorter than a window + 1");
    check(attn_atlas_measure(got, &sum, int8.params, cfg, sample_ids, sample_pos, n, max_repeated,
                             acc, work, nw - 1, iwork, ni) == ATTN_ERR_SCRATCH, "too little work space");

    // the same scores computed here, directly from the weights of each window
    double prev[16] = {0}, first[16] = {0}, det[16] = {0}, prefix[16] = {0};
    long rows = 0, det_n = 0, prefix_n = 0;
    float *acts = malloc(attn_gpt_activation_floats(cfg, 1, seq) * sizeof(float));
    for (int w = 0; w < sum.windows; w++) {
        const int *tok = sample_ids + w * seq;
        const unsigned char *pos = sample_pos + w * seq;
        attn_gpt_forward(acts, NULL, int8.params, cfg, tok, NULL, 1, seq, NULL, 0);
        for (int h = 0; h < heads; h++) {
            const float *a = attn_gpt_weights(acts, cfg, 1, seq, h / cfg->n_heads, h % cfg->n_heads);
            for (int i = 1; i < seq; i++) {
                prev[h] += a[i * seq + i - 1];
                first[h] += a[i * seq];
                // a noun's determiner: up to 4 back, over modifiers and nouns only
                if (pos[i] != ATTN_POS_NOUN) continue;
                for (int j = i - 1; j >= 0 && i - j <= 4; j--) {
                    if (pos[j] == ATTN_POS_DET) { det[h] += a[i * seq + j]; det_n += h == 0; break; }
                    if (pos[j] != ATTN_POS_MODIFIER && pos[j] != ATTN_POS_NOUN) break;
                }
            }
        }
        rows += seq - 1;
    }
    int repeated[64];
    for (int r = 0; r < sum.repeated_windows; r++) {
        for (int t = 0; t < seq; t++) repeated[t] = sample_ids[r * period + t % period];
        attn_gpt_forward(acts, NULL, int8.params, cfg, repeated, NULL, 1, seq, NULL, 0);
        for (int h = 0; h < heads; h++) {
            const float *a = attn_gpt_weights(acts, cfg, 1, seq, h / cfg->n_heads, h % cfg->n_heads);
            for (int i = period; i < 2 * period; i++) prefix[h] += a[i * seq + i - period + 1];
        }
        prefix_n += period;
    }
    double worst = 0;
    for (int h = 0; h < heads; h++) {
        worst = fmax(worst, fabs(got[h].previous - prev[h] / rows));
        worst = fmax(worst, fabs(got[h].first - first[h] / rows));
        worst = fmax(worst, fabs(got[h].det_noun - det[h] / det_n));
        worst = fmax(worst, fabs(got[h].prefix_match - prefix[h] / prefix_n));
    }
    check(worst < 1e-5 && got[0].det_pairs == det_n,
          "atlas scores match a direct computation (max |diff| %.2g, %ld determiner pairs)", worst, det_n);
    free(acts);

    // the committed atlas (whole held-out text): every habit it names holds on this sample too
    int habit[16];
    int named = committed_habits(habit, heads);
    check(named == heads, "the committed atlas names a habit for each of %d heads (got %d)", heads, named);
    int labelled = 0;
    for (int h = 0; h < heads && named == heads; h++) {
        printf("  L%dH%d  %-14s sample: prev %.3f first %.3f prefix %.3f (base %.3f) det %.3f (base %.3f) verb %.3f (base %.3f)\n",
               h / cfg->n_heads, h % cfg->n_heads, habit[h] >= 0 ? attn_habit_name(habit[h]) : "?",
               (double)got[h].previous, (double)got[h].first, (double)got[h].prefix_match,
               (double)got[h].prefix_baseline, (double)got[h].det_noun, (double)got[h].det_baseline,
               (double)got[h].verb_noun, (double)got[h].verb_baseline);
        check(habit[h] >= 0, "L%dH%d: a known habit name", h / cfg->n_heads, h % cfg->n_heads);
        if (habit[h] <= ATTN_HABIT_DIFFUSE) continue;
        labelled++;
        check(got[h].habits & (1 << habit[h]), "L%dH%d is still '%s' on the sample",
              h / cfg->n_heads, h % cfg->n_heads, attn_habit_name(habit[h]));
    }
    printf("  %d of %d heads carry a habit; repeated passages: loss %.3f on the first copy, %.3f on the second\n",
           labelled, heads, sum.loss_first_copy, sum.loss_second_copy);
    free(acc); free(work); free(iwork);
}

// ---------------------------------------------------------------------------------------
// A tiny training run: seconds, and the held-out part of the sample gets easier

static void test_tiny_training(void) {
    model tiny = {.cfg = {4096, 16, 16, 2, 1, 32, 0, 1}};
    const int B = 8, T = 16, train_windows = 384;      // windows 0..383 train, 384..511 held out
    size_t np = attn_gpt_param_floats(&tiny.cfg);
    tiny.params = malloc(np * sizeof(float));
    float *grads = malloc(np * sizeof(float)), *m = calloc(np, sizeof(float)), *v = calloc(np, sizeof(float));
    float *acts = malloc(attn_gpt_activation_floats(&tiny.cfg, B, T) * sizeof(float));
    attn_gpt_init(tiny.params, &tiny.cfg, 5);
    double before = sample_loss(&tiny, T, train_windows, 128);
    attn_adamw_options opt = attn_adamw_default_options();
    opt.lr = 1e-2f;
    int tok[8 * 16], tgt[8 * 16], ok = 1;
    for (int step = 1; step <= 60; step++) {
        for (int b = 0; b < B; b++) {
            int w = ((step - 1) * B + b) % train_windows;
            for (int t = 0; t < T; t++) {
                tok[b * T + t] = sample_ids[w * T + t];
                tgt[b * T + t] = sample_ids[w * T + t + 1];
            }
        }
        float loss;
        ok &= attn_gpt_train_step(tiny.params, grads, m, v, acts, &tiny.cfg, tok, tgt, B, T, step,
                                  &opt, &loss, NULL) == ATTN_OK;
    }
    double after = sample_loss(&tiny, T, train_windows, 128);
    printf("  tiny model, 60 steps: held-out loss %.3f -> %.3f\n", before, after);
    check(ok, "every training step succeeds");
    check(after < before - 1.0, "60 steps lower the held-out loss by more than 1 nat (%.3f -> %.3f)", before, after);
    free(tiny.params); free(grads); free(m); free(v); free(acts);
}

// attn_atlas_entropy on one held-out window against each row's entropy computed here in
// double from the weights; one token gives zeros; bad arguments are refused.
static void test_sentence_entropy(void) {
    if (!int8.params) return;
    const attn_gpt_config *cfg = &int8.cfg;
    const int L = cfg->n_layers, H = cfg->n_heads;
    float head[64], layer[8];
    for (int seq = 1; seq <= 40; seq += 39) {
        float *acts = malloc(attn_gpt_activation_floats(cfg, 1, seq) * sizeof(float));
        int rc = attn_gpt_forward(acts, NULL, int8.params, cfg, sample_ids, NULL, 1, seq, NULL, 0);
        check(rc == ATTN_OK, "forward on %d tokens", seq);
        rc = attn_atlas_entropy(head, layer, acts, cfg, seq);
        check(rc == ATTN_OK, "attn_atlas_entropy on %d tokens (%s)", seq, attn_strerror(rc));
        double worst = 0, lworst = 0;
        for (int l = 0; l < L; l++) {
            double lsum = 0;
            for (int h = 0; h < H; h++) {
                const float *w = attn_gpt_weights(acts, cfg, 1, seq, l, h);
                double total = 0;
                for (int i = 1; i < seq; i++)
                    for (int j = 0; j < seq; j++) {
                        double p = w[i * seq + j];
                        if (p > 0) total -= p * log(p) / log(2.0);
                    }
                double want = seq > 1 ? total / (seq - 1) : 0;
                lsum += want;
                double d = fabs(want - head[l * H + h]);
                if (!(d <= worst)) worst = d;
            }
            double d = fabs(lsum / H - layer[l]);
            if (!(d <= lworst)) lworst = d;
        }
        check(worst <= 1e-5 && lworst <= 1e-5, "%d tokens: head and layer entropies as computed here "
              "(max |diff| %.2g, %.2g)", seq, worst, lworst);
        if (seq == 40) check(head[0] > 0.5f && head[0] < log2(40.0), "a real head is neither certain nor uniform (%.3f)", (double)head[0]);
        else check(head[0] == 0 && layer[L - 1] == 0, "one token: nothing to choose, entropy 0");
        check(attn_atlas_entropy(head, NULL, acts, cfg, seq) == ATTN_OK, "layer_entropy may be NULL");
        check(attn_atlas_entropy(NULL, layer, acts, cfg, seq) == ATTN_ERR_NULL, "NULL head_entropy");
        check(attn_atlas_entropy(head, layer, NULL, cfg, seq) == ATTN_ERR_NULL, "NULL acts");
        check(attn_atlas_entropy(head, layer, acts, cfg, 0) == ATTN_ERR_SIZE, "0 tokens");
        check(attn_atlas_entropy(head, layer, acts, cfg, cfg->context + 1) == ATTN_ERR_SIZE, "past the context");
        attn_gpt_config bad = *cfg;
        bad.n_heads = 0;
        check(attn_atlas_entropy(head, layer, acts, &bad, seq) == ATTN_ERR_CONFIG, "an invalid config");
        free(acts);
    }
}

int main(void) {
    test_vocab();
    int have_sample = load_sample() == 0;
    check(have_sample, "tests/data/brown reads");
    if (have_sample) {
        test_shipped_file();
        test_atlas();
        test_sentence_entropy();
        test_tiny_training();
    }
    return check_summary("brown");
}

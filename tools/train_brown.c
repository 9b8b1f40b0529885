/* train_brown.c - `make train`: the Brown model, trained by the core (attn_gpt_*), native.

     build/train_brown --steps 4000 [--seed 1] [--batch 32] [--lr 3e-3] [--repeat 0.1]
                       [--data build/brown] [--out models/brown] [--eval-every 200]
     build/train_brown --measure 20        # tokens/s of 20 steps, then stop (to size --steps)

   Data: build/brown/{train,heldout}.bin from tools/brown_data.c. Batches are deterministic
   from (seed, step): each of the batch rows is a window of context + 1 tokens at an offset
   drawn from the train stream. A fraction --repeat of the rows (default 0.1) instead holds a
   passage followed by itself: a random length h in 8..context/2, the h tokens from the offset,
   then the stream again from the same offset (so the row reads A A' where A' starts with A);
   an induction head has something to copy there. Held-out text is never repeated.

   Optimiser: AdamW (betas 0.9/0.95, weight decay 0.1 on matrices and embeddings, gradient
   clipped to norm 1), learning rate warmed up linearly over the first 5% of steps (at most
   200) to --lr, then cosine down to --lr/10 at the last step.

   Writes OUT-f32.aewt (the float32 weight file; tools/brown_pack.c makes the shipped int8
   file from it) and OUT-train.json (config, options, and
   a log: step, train loss (mean since the previous entry), held-out loss on the first
   --eval-windows windows every --eval-every steps, tokens, seconds), then the final held-out
   loss on every held-out window. Threads: OpenMP inside the core (OMP_NUM_THREADS). */
#define _POSIX_C_SOURCE 200809L
#include "brown_common.h"

static void die(const char *what, const char *detail) {
    fprintf(stderr, "train_brown: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

// splitmix64: a well-mixed stream per (seed, step, row)
static uint64_t mix(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// tokens, targets (batch, seq) for step; *repeated gets how many rows hold a repeated passage
static void make_batch(int *tokens, int *targets, const int *ids, long count, int batch,
                       int seq, unsigned seed, int step, double repeat_frac, int *repeated) {
    *repeated = 0;
    for (int b = 0; b < batch; b++) {
        uint64_t r = mix(mix((uint64_t)seed * 0x100000001B3ull + (uint64_t)step) + (uint64_t)b);
        long offset = (long)(r % (uint64_t)(count - seq - 1));
        uint64_t r2 = mix(r);
        int h = 0;                                    // 0: plain window
        if ((double)(r2 % 1000000) / 1e6 < repeat_frac) {
            h = 8 + (int)(mix(r2) % (uint64_t)(seq / 2 - 7));
            (*repeated)++;
        }
        int row[1024];
        for (int t = 0; t <= seq; t++) row[t] = h && t >= h ? ids[offset + t - h] : ids[offset + t];
        for (int t = 0; t < seq; t++) {
            tokens[b * seq + t] = row[t];
            targets[b * seq + t] = row[t + 1];
        }
    }
}

static const char *arg_value(int argc, char **argv, int *i) {
    if (*i + 1 >= argc) die("missing value after", argv[*i]);
    return argv[++*i];
}

int main(int argc, char **argv) {
    const char *data = "build/brown", *out = "models/brown";
    int steps = 0, measure = 0, batch = 32, eval_every = 200, eval_windows = 256, log_every = 25;
    unsigned seed = 1;
    float lr = 3e-3f;
    double repeat_frac = 0.1;
    int tiny = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--steps")) steps = atoi(arg_value(argc, argv, &i));
        else if (!strcmp(a, "--measure")) measure = atoi(arg_value(argc, argv, &i));
        else if (!strcmp(a, "--seed")) seed = (unsigned)strtoul(arg_value(argc, argv, &i), NULL, 10);
        else if (!strcmp(a, "--batch")) batch = atoi(arg_value(argc, argv, &i));
        else if (!strcmp(a, "--lr")) lr = strtof(arg_value(argc, argv, &i), NULL);
        else if (!strcmp(a, "--repeat")) repeat_frac = strtod(arg_value(argc, argv, &i), NULL);
        else if (!strcmp(a, "--data")) data = arg_value(argc, argv, &i);
        else if (!strcmp(a, "--out")) out = arg_value(argc, argv, &i);
        else if (!strcmp(a, "--eval-every")) eval_every = atoi(arg_value(argc, argv, &i));
        else if (!strcmp(a, "--eval-windows")) eval_windows = atoi(arg_value(argc, argv, &i));
        else if (!strcmp(a, "--tiny")) tiny = 1;
        else die("unknown option", a);
    }
    if (measure > 0) steps = measure;
    if (steps < 1 || batch < 1 || !(lr > 0) || eval_every < 1 || repeat_frac < 0 || repeat_frac > 1)
        die("usage", "train_brown --steps N [--seed S] [--batch B] [--lr LR] [--repeat F] ...");

    attn_gpt_config cfg = brown_config();
    if (tiny) {                     // the seconds-long run of the tests: same data, tiny model
        cfg.d_model = 16; cfg.n_heads = 2; cfg.n_layers = 1; cfg.d_mlp = 32; cfg.context = 16;
    }
    int seq = cfg.context;
    char path[4096];
    long n_train, n_held;
    snprintf(path, sizeof path, "%s/train.bin", data);
    int *train = brown_read_ids(path, &n_train);
    snprintf(path, sizeof path, "%s/heldout.bin", data);
    int *held = brown_read_ids(path, &n_held);
    if (!train || !held) return 1;

    size_t np = attn_gpt_param_floats(&cfg);
    int eval_batch = 16;
    size_t na = attn_gpt_activation_floats(&cfg, batch, seq);
    size_t na_eval = attn_gpt_activation_floats(&cfg, eval_batch, seq);
    if (!np || !na || !na_eval) die("bad config", NULL);
    float *params = malloc(np * sizeof(float)), *grads = malloc(np * sizeof(float));
    float *m = calloc(np, sizeof(float)), *v = calloc(np, sizeof(float));
    float *acts = malloc((na > na_eval ? na : na_eval) * sizeof(float));
    int *tokens = malloc(sizeof(int) * (size_t)batch * seq), *targets = malloc(sizeof(int) * (size_t)batch * seq);
    if (!params || !grads || !m || !v || !acts || !tokens || !targets) die("out of memory", NULL);
    int rc = attn_gpt_init(params, &cfg, seed);
    if (rc < 0) die("init", attn_strerror(rc));

    attn_adamw_options opt = attn_adamw_default_options();
    opt.weight_decay = 0.1f;
    opt.clip_norm = 1.0f;
    int warmup = steps / 20 < 200 ? steps / 20 : 200;
    if (warmup < 1) warmup = 1;
    float lr_min = lr / 10;

    printf("train_brown: %zu parameters, %ld train / %ld held-out tokens, batch %d x %d, %d steps, "
           "lr %g (warm-up %d, cosine to %g), repeat %.3f, seed %u\n",
           np, n_train, n_held, batch, seq, steps, lr, warmup, lr_min, repeat_frac, seed);
    fflush(stdout);

    // the log, kept as text and written at the end (and at every held-out evaluation)
    size_t log_cap = 1 << 20, log_len = 0;
    char *log_text = malloc(log_cap);
    if (!log_text) die("out of memory", NULL);
    log_text[0] = 0;

    double t0 = brown_now(), loss_sum = 0, eval_seconds = 0;
    int loss_steps = 0, repeated_rows = 0;
    double last_heldout = NAN;
    for (int step = 1; step <= steps; step++) {
        int rep;
        make_batch(tokens, targets, train, n_train, batch, seq, seed, step, repeat_frac, &rep);
        repeated_rows += rep;
        opt.lr = attn_lr_schedule(step, warmup, steps, lr, lr_min);
        float loss, norm;
        rc = attn_gpt_train_step(params, grads, m, v, acts, &cfg, tokens, targets, batch, seq,
                                 step, &opt, &loss, &norm);
        if (rc < 0 || !isfinite(loss)) {
            fprintf(stderr, "train_brown: step %d: %s (loss %g): diverged, stopping\n", step,
                    rc < 0 ? attn_strerror(rc) : "non-finite loss", (double)loss);
            return 2;
        }
        loss_sum += loss;
        loss_steps++;
        int do_eval = !measure && (step % eval_every == 0 || step == steps || step == 1);
        if (step % log_every == 0 || do_eval || step == steps) {
            double seconds = brown_now() - t0 - eval_seconds;
            double heldout = NAN;
            if (do_eval) {
                double e0 = brown_now();
                heldout = brown_eval(params, &cfg, acts, held, n_held, eval_batch, seq, eval_windows, NULL);
                eval_seconds += brown_now() - e0;
                last_heldout = heldout;
            }
            double mean = loss_sum / loss_steps;
            long tokens_seen = (long)step * batch * seq;
            printf("step %5d  loss %.4f  lr %.2e  |g| %.3f  %s%.4f  %.0f tok/s  %.0f s\n", step,
                   mean, (double)opt.lr, (double)norm, do_eval ? "held-out " : "held-out (last) ",
                   do_eval ? heldout : last_heldout, tokens_seen / seconds, seconds);
            fflush(stdout);
            if (log_len + 256 > log_cap) {
                log_cap *= 2;
                log_text = realloc(log_text, log_cap);
                if (!log_text) die("out of memory", NULL);
            }
            char heldout_text[32] = "null";          // held-out loss only where measured
            if (do_eval) snprintf(heldout_text, sizeof heldout_text, "%.6f", heldout);
            log_len += (size_t)snprintf(log_text + log_len, log_cap - log_len,
                                        "%s\n  {\"step\": %d, \"loss\": %.6f, \"heldout_loss\": %s, \"lr\": %.6g, \"tokens\": %ld, \"seconds\": %.2f}",
                                        log_len ? "," : "", step, mean, heldout_text,
                                        (double)opt.lr, tokens_seen, seconds);
            loss_sum = 0;
            loss_steps = 0;
        }
    }
    double train_seconds = brown_now() - t0 - eval_seconds;
    long tokens_total = (long)steps * batch * seq;
    printf("trained %d steps, %ld tokens in %.1f s (%.0f tokens/s, evaluation excluded; %.1f s of evaluation)\n",
           steps, tokens_total, train_seconds, tokens_total / train_seconds, eval_seconds);
    if (measure) return 0;

    long counted;
    double e0 = brown_now();
    double final_loss = brown_eval(params, &cfg, acts, held, n_held, eval_batch, seq, 0, &counted);
    printf("held-out (all %ld targets): loss %.4f, perplexity %.2f (%.1f s)\n", counted, final_loss,
           exp(final_loss), brown_now() - e0);

    // the float32 checkpoint, as a weight file (tools/brown_pack.c makes the int8 one from it)
    size_t cap = attn_weights_size(&cfg, ATTN_WEIGHTS_F32), written;
    unsigned char *file = malloc(cap);
    if (!file) die("out of memory", NULL);
    rc = attn_weights_save(file, cap, &written, &cfg, params, ATTN_WEIGHTS_F32);
    if (rc < 0) die("saving the weights", attn_strerror(rc));
    snprintf(path, sizeof path, "%s-f32.aewt", out);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(file, 1, written, f) != written || fclose(f) != 0) die("cannot write", path);
    free(file);

    snprintf(path, sizeof path, "%s-train.json", out);
    f = fopen(path, "w");
    if (!f) die("cannot write", path);
    fprintf(f, "{\"model\": {\"vocab\": %d, \"context\": %d, \"d_model\": %d, \"n_heads\": %d, \"n_layers\": %d, "
               "\"d_mlp\": %d, \"layernorm\": %d, \"tied_embeddings\": true, \"parameters\": %zu},\n"
               " \"training\": {\"steps\": %d, \"batch\": %d, \"seq\": %d, \"tokens\": %ld, \"seed\": %u, "
               "\"lr_max\": %g, \"lr_min\": %g, \"warmup\": %d, \"schedule\": \"linear warm-up, cosine\", "
               "\"optimizer\": \"AdamW beta1 %g beta2 %g eps %g weight_decay %g (matrices and embeddings) clip_norm %g\", "
               "\"repeat_fraction\": %g, \"repeated_rows\": %d, \"seconds\": %.1f, \"eval_seconds\": %.1f, "
               "\"tokens_per_second\": %.1f},\n"
               " \"heldout\": {\"targets\": %ld, \"loss\": %.6f, \"perplexity\": %.4f, "
               "\"periodic_eval_targets\": %d},\n \"log\": [%s\n ]}\n",
            cfg.vocab, cfg.context, cfg.d_model, cfg.n_heads, cfg.n_layers, cfg.d_mlp, cfg.layernorm, np,
            steps, batch, seq, tokens_total, seed, lr, lr_min, warmup, (double)opt.beta1,
            (double)opt.beta2, (double)opt.eps, (double)opt.weight_decay, (double)opt.clip_norm,
            repeat_frac, repeated_rows, train_seconds, eval_seconds, tokens_total / train_seconds,
            counted, final_loss, exp(final_loss), eval_windows * seq, log_text);
    if (fclose(f) != 0) die("cannot write", path);
    printf("wrote %s-f32.aewt and %s-train.json\n", out, out);
    return 0;
}

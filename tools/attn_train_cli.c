/* attn_train_cli.c - build/attn-train: the transformer that learns, from the command line.

     build/attn-train gradcheck [--json]
     build/attn-train induction --seed S --steps N [--json] [options]
     build/attn-train speed [--batch B] [--steps N] [--json]     (OMP_NUM_THREADS=1|2)

   gradcheck: every parameter tensor of two tiny models (GPT: LayerNorm + MLP; attention-only
   without LayerNorm) against central differences of a double-precision reference
   (tests/core/gpt_ref.h); prints the max relative error per tensor; exit status 1 above 1e-4.
   induction: trains a 2-layer attention-only model on the induction task of attn.h and prints
   every --every steps the loss, the first-part and repeated-part losses and the prefix-matching
   score of every head, then a summary (JSON lines with --json).
   speed: tokens per second of whole training steps (forward + backward + AdamW) for the
   Brown model shape (vocab 4096, context 64, d_model 64, 4 layers x 4 heads, d_mlp 256).
   Built natively with -O3 -march=native -fopenmp; results do not depend on the thread count. */
#define _POSIX_C_SOURCE 199309L
#include "attn.h"
#include "gpt_ref.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static const char usage[] =
    "usage: attn-train gradcheck [--json]\n"
    "       attn-train induction --seed S --steps N [--json] [--every K] [--heads H] [--d-model D]\n"
    "                  [--lr LR] [--batch B] [--seq T] [--vocab V] [--min-period P] [--max-period P]\n"
    "                  [--phase-window W [--phase-drop NATS] [--after-phase N]]\n"
    "                  [--layernorm] [--stop-at X]   (stop once layer-1 prefix-match > X)\n"
    "       attn-train speed [--batch B] [--steps N] [--json]\n";

static int fail(const char *what, const char *detail) {
    fprintf(stderr, "attn-train: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    return 2;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int threads(void) {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

// "--name value" as a number; returns 1 when argv[*i] is that option (and consumes it).
static int opt_number(int argc, char **argv, int *i, const char *name, double *out, int *bad) {
    if (strcmp(argv[*i], name) != 0) return 0;
    char *end;
    if (*i + 1 >= argc) { *bad = 1; return 1; }
    *out = strtod(argv[++*i], &end);
    if (*end || !isfinite(*out)) *bad = 1;
    return 1;
}

// ---------------------------------------------------------------------------------------
// gradcheck

static int gradcheck_one(const char *variant, attn_gpt_config cfg, int B, int T, int per_tensor,
                         int json, double *worst) {
    size_t np = attn_gpt_param_floats(&cfg), na = attn_gpt_activation_floats(&cfg, B, T);
    float *params = malloc(np * sizeof(float)), *grads = malloc(np * sizeof(float));
    float *acts = malloc(na * sizeof(float));
    int *tokens = malloc(sizeof(int) * (size_t)B * T), *targets = malloc(sizeof(int) * (size_t)B * T);
    attn_gpt_init(params, &cfg, 1);
    ref_perturb(params, np, 0.3, 11);   // away from the initialisation: every gradient sizeable
    unsigned s = 12345;
    for (int i = 0; i < B * T; i++) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; tokens[i] = (int)(s % (unsigned)cfg.vocab); }
    for (int i = 0; i < B * T; i++) targets[i] = (i + 1) % T ? tokens[i + 1] : -1;
    float loss;
    int rc = attn_gpt_forward(acts, &loss, params, &cfg, tokens, targets, B, T, NULL, 0);
    if (!rc) rc = attn_gpt_backward(grads, acts, params, &cfg, tokens, targets, B, T);
    if (rc) return fail("gradcheck", attn_strerror(rc));
    int count = attn_gpt_tensor_count(&cfg), bad = 0;
    ref_tensor_check *res = calloc((size_t)count, sizeof *res);
    double ref = 0;
    ref_gradcheck(res, &cfg, params, grads, tokens, targets, B, T, per_tensor, &ref);
    if (json)
        printf("{\"variant\":\"%s\",\"loss\":%.9g,\"reference_loss\":%.9g}\n", variant, (double)loss, ref);
    else
        printf("%s: loss %.7f, double reference %.7f\n", variant, (double)loss, ref);
    for (int t = 0; t < count; t++) {
        // the key bias has a true gradient of exactly 0 (a shift common to a softmax row)
        int zero = res[t].max_ref < 1e-8;
        int ok = zero ? res[t].max_abs_err < 1e-6 : res[t].rel_err < 1e-4;
        bad += !ok;
        if (!zero && res[t].rel_err > *worst) *worst = res[t].rel_err;
        if (json)
            printf("{\"variant\":\"%s\",\"tensor\":\"%s\",\"checked\":%d,\"max_abs_grad\":%.3e,"
                   "\"max_abs_err\":%.3e,\"max_rel_err\":%.3e,\"ok\":%s}\n",
                   variant, res[t].name, res[t].checked, res[t].max_ref, res[t].max_abs_err,
                   zero ? 0.0 : res[t].rel_err, ok ? "true" : "false");
        else
            printf("  %-10s %5d checked  max|grad| %.3e  max rel err %.3e%s%s\n", res[t].name,
                   res[t].checked, res[t].max_ref, zero ? res[t].max_abs_err : res[t].rel_err,
                   zero ? " (abs; true gradient 0)" : "", ok ? "" : "  FAIL");
    }
    free(res); free(params); free(grads); free(acts); free(tokens); free(targets);
    return bad;
}

static int cmd_gradcheck(int argc, char **argv) {
    int json = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = 1;
        else return fail("unknown option", argv[i]);
    }
    attn_gpt_config gpt = { .vocab = 37, .context = 9, .d_model = 32, .n_heads = 4, .n_layers = 2,
                            .d_mlp = 40, .attention_only = 0, .layernorm = 1 };
    attn_gpt_config attn_only = { .vocab = 11, .context = 8, .d_model = 16, .n_heads = 2, .n_layers = 2,
                                  .d_mlp = 0, .attention_only = 1, .layernorm = 0 };
    double worst = 0;
    int bad = gradcheck_one("gpt", gpt, 3, 7, 64, json, &worst);
    bad += gradcheck_one("attention-only", attn_only, 2, 8, 1 << 30, json, &worst);
    if (json) printf("{\"summary\":true,\"max_rel_err\":%.3e,\"failed_tensors\":%d}\n", worst, bad);
    else printf("max relative error %.3e over every tensor; %d failed (tolerance 1e-4)\n", worst, bad);
    return bad ? 1 : 0;
}

// ---------------------------------------------------------------------------------------
// induction

static int cmd_induction(int argc, char **argv) {
    double seed = 1, steps = 600, every = 25, heads = 4, d_model = 64, lr = 1e-2, batch = 32, seq = 40;
    double vocab = 33, min_p = 8, max_p = 16, stop_at = 0, phase_window = 0, phase_drop = 0.3, after_phase = -1;
    int json = 0, layernorm = 0;
    for (int i = 2; i < argc; i++) {
        int bad = 0;
        if (strcmp(argv[i], "--json") == 0) json = 1;
        else if (strcmp(argv[i], "--layernorm") == 0) layernorm = 1;
        else if (opt_number(argc, argv, &i, "--seed", &seed, &bad) || opt_number(argc, argv, &i, "--steps", &steps, &bad) ||
                 opt_number(argc, argv, &i, "--every", &every, &bad) || opt_number(argc, argv, &i, "--heads", &heads, &bad) ||
                 opt_number(argc, argv, &i, "--d-model", &d_model, &bad) || opt_number(argc, argv, &i, "--lr", &lr, &bad) ||
                 opt_number(argc, argv, &i, "--batch", &batch, &bad) || opt_number(argc, argv, &i, "--seq", &seq, &bad) ||
                 opt_number(argc, argv, &i, "--vocab", &vocab, &bad) || opt_number(argc, argv, &i, "--min-period", &min_p, &bad) ||
                 opt_number(argc, argv, &i, "--max-period", &max_p, &bad) || opt_number(argc, argv, &i, "--stop-at", &stop_at, &bad) ||
                 opt_number(argc, argv, &i, "--phase-window", &phase_window, &bad) ||
                 opt_number(argc, argv, &i, "--phase-drop", &phase_drop, &bad) ||
                 opt_number(argc, argv, &i, "--after-phase", &after_phase, &bad)) {
            if (bad) return fail("option needs a number", argv[i]);
        } else {
            return fail("unknown option", argv[i]);
        }
    }
    if (steps < 1 || every < 1 || batch < 1 || seed < 0) return fail("bad --steps, --every, --batch or --seed", NULL);
    attn_gpt_config cfg = { .vocab = (int)vocab, .context = (int)seq, .d_model = (int)d_model, .n_heads = (int)heads,
                            .n_layers = 2, .d_mlp = 0, .attention_only = 1, .layernorm = layernorm };
    const int B = (int)batch, T = (int)seq, L = cfg.n_layers, H = cfg.n_heads;
    size_t np = attn_gpt_param_floats(&cfg), na = attn_gpt_activation_floats(&cfg, B, T);
    if (!np || !na) return fail("bad model shape", attn_strerror(attn_gpt_check_config(&cfg)));
    float *params = malloc(np * sizeof(float)), *grads = malloc(np * sizeof(float));
    float *m = calloc(np, sizeof(float)), *v = calloc(np, sizeof(float)), *acts = malloc(na * sizeof(float));
    float *losses = malloc(sizeof(float) * (size_t)B * T), *pm = malloc(sizeof(float) * (size_t)L * H);
    int *tokens = malloc(sizeof(int) * (size_t)B * T), *targets = malloc(sizeof(int) * (size_t)B * T);
    int *periods = malloc(sizeof(int) * (size_t)B);
    // --phase-window W: the repeated-part loss of every step, and the phase change in it
    // (attn_phase_change, checked every 5 steps as Figure 2.3 does), with the seconds it took
    float *repeats = malloc(sizeof(float) * (size_t)steps), phase_fall = 0;
    double *elapsed = malloc(sizeof(double) * (size_t)steps), *cpu = malloc(sizeof(double) * (size_t)steps);
    const clock_t c0 = clock();   // CPU time too: wall time on a shared machine mostly measures the others
    int phase_at = -1, phase_seen = -1;
    attn_gpt_init(params, &cfg, (unsigned)seed);
    attn_adamw_options opt = attn_adamw_default_options();
    opt.lr = (float)lr;
    opt.weight_decay = 0.01f;
    int first_above = -1, rc = ATTN_OK, step;
    float loss = 0, first = 0, repeat = 0, best_pm = 0;
    double t0 = now_seconds();
    for (step = 1; step <= (int)steps; step++) {
        rc = attn_induction_batch(tokens, targets, periods, B, T, cfg.vocab, (int)min_p, (int)max_p, (unsigned)seed, step);
        if (!rc) rc = attn_gpt_forward(acts, &loss, params, &cfg, tokens, targets, B, T, NULL, 0);
        int report = step == 1 || step % (int)every == 0 || step == (int)steps;
        if (!rc && (report || stop_at > 0 || phase_window > 0)) {
            attn_gpt_position_losses(losses, acts, &cfg, targets, B, T);
            attn_induction_split_loss(&first, &repeat, losses, periods, B, T);
            attn_prefix_match(pm, acts, &cfg, tokens, B, T);
            best_pm = 0;
            for (int h = 0; h < H; h++) if (pm[H + h] > best_pm) best_pm = pm[H + h];
            if (best_pm > 0.4f && first_above < 0) first_above = step;
            repeats[step - 1] = repeat;
        }
        if (!rc) rc = attn_gpt_backward(grads, acts, params, &cfg, tokens, targets, B, T);
        if (!rc) rc = attn_gpt_adamw_step(params, grads, m, v, &cfg, step, &opt, NULL);
        if (rc) break;
        if (report) {
            if (json) {
                printf("{\"step\":%d,\"loss\":%.5f,\"loss_first_half\":%.5f,\"loss_repeat_half\":%.5f,\"prefix_match\":[",
                       step, (double)loss, (double)first, (double)repeat);
                for (int l = 0; l < L; l++) {
                    printf("%s[", l ? "," : "");
                    for (int h = 0; h < H; h++) printf("%s%.4f", h ? "," : "", (double)pm[l * H + h]);
                    printf("]");
                }
                printf("]}\n");
            } else {
                printf("step %4d  loss %.4f  first %.4f  repeat %.4f  prefix-match", step, (double)loss,
                       (double)first, (double)repeat);
                for (int l = 0; l < L; l++) {
                    printf("  L%d:", l);
                    for (int h = 0; h < H; h++) printf(" %.3f", (double)pm[l * H + h]);
                }
                printf("\n");
            }
            fflush(stdout);
        }
        elapsed[step - 1] = now_seconds() - t0;
        cpu[step - 1] = (double)(clock() - c0) / CLOCKS_PER_SEC;
        if (phase_window > 0 && step % 5 == 0) {
            attn_phase_change(&phase_at, &phase_fall, repeats, step, (int)phase_window, (float)phase_drop);
            if (phase_at >= 0 && phase_seen < 0) phase_seen = step;
            if (after_phase >= 0 && phase_seen > 0 && step >= phase_seen + (int)after_phase) break;
        }
        if (stop_at > 0 && best_pm > stop_at) break;
    }
    double secs = now_seconds() - t0;
    if (rc) return fail("training failed", attn_strerror(rc));
    int done = step > (int)steps ? (int)steps : step;
    if (phase_window > 0) attn_phase_change(&phase_at, &phase_fall, repeats, done, (int)phase_window, (float)phase_drop);
    if (json)
        printf("{\"summary\":true,\"seed\":%d,\"steps\":%d,\"seconds\":%.2f,\"threads\":%d,\"loss\":%.5f,"
               "\"loss_first_half\":%.5f,\"loss_repeat_half\":%.5f,\"best_layer1_prefix_match\":%.4f,"
               "\"first_step_above_0_4\":%d,\"phase_step\":%d,\"phase_seconds\":%.3f,\"phase_cpu_seconds\":%.3f,"
               "\"phase_found_at\":%d,\"phase_fall\":%.4f,\"cpu_seconds\":%.3f}\n",
               (int)seed, done, secs, threads(), (double)loss, (double)first, (double)repeat, (double)best_pm, first_above,
               phase_at >= 0 ? phase_at + 1 : -1, phase_at >= 0 ? elapsed[phase_at] : -1.0, phase_at >= 0 ? cpu[phase_at] : -1.0, phase_seen, (double)phase_fall,
               done > 0 ? cpu[done - 1] : 0.0);
    else
        printf("seed %d: %d steps in %.2f s (%d threads); loss %.4f, first part %.4f, repeated part %.4f; "
               "best layer-1 prefix-match %.3f; first above 0.4 at step %d\n",
               (int)seed, done, secs, threads(), (double)loss, (double)first, (double)repeat, (double)best_pm, first_above);
    if (!json && phase_window > 0)
        printf("phase change at step %d (%.2f s, %.2f CPU s; fall %.3f nats between %d-step windows), first seen at step %d\n",
               phase_at >= 0 ? phase_at + 1 : -1, phase_at >= 0 ? elapsed[phase_at] : -1.0,
               phase_at >= 0 ? cpu[phase_at] : -1.0, (double)phase_fall,
               (int)phase_window, phase_seen);
    free(repeats); free(elapsed); free(cpu);
    free(params); free(grads); free(m); free(v); free(acts); free(losses); free(pm);
    free(tokens); free(targets); free(periods);
    return 0;
}

// ---------------------------------------------------------------------------------------
// speed

static int cmd_speed(int argc, char **argv) {
    double batch = 32, steps = 5;
    int json = 0;
    for (int i = 2; i < argc; i++) {
        int bad = 0;
        if (strcmp(argv[i], "--json") == 0) json = 1;
        else if (opt_number(argc, argv, &i, "--batch", &batch, &bad) || opt_number(argc, argv, &i, "--steps", &steps, &bad)) {
            if (bad) return fail("option needs a number", argv[i]);
        } else {
            return fail("unknown option", argv[i]);
        }
    }
    attn_gpt_config cfg = { .vocab = 4096, .context = 64, .d_model = 64, .n_heads = 4, .n_layers = 4,
                            .d_mlp = 256, .attention_only = 0, .layernorm = 1 };
    const int B = (int)batch, T = 64;
    size_t np = attn_gpt_param_floats(&cfg), na = attn_gpt_activation_floats(&cfg, B, T);
    if (!np || !na || steps < 1) return fail("bad --batch or --steps", NULL);
    float *params = malloc(np * sizeof(float)), *grads = malloc(np * sizeof(float));
    float *m = calloc(np, sizeof(float)), *v = calloc(np, sizeof(float)), *acts = malloc(na * sizeof(float));
    int *tokens = malloc(sizeof(int) * (size_t)B * T), *targets = malloc(sizeof(int) * (size_t)B * T);
    unsigned s = 99;
    for (int i = 0; i < B * T; i++) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; tokens[i] = (int)(s % 4096u); }
    for (int i = 0; i < B * T; i++) targets[i] = (i + 1) % T ? tokens[i + 1] : -1;
    attn_gpt_init(params, &cfg, 1);
    attn_adamw_options opt = attn_adamw_default_options();
    float loss = 0;
    double fwd = 0, bwd = 0, upd = 0, cpu0 = 0;
    int rc = ATTN_OK;
    for (int step = 0; step <= (int)steps && !rc; step++) {   // step 0 warms the caches up
        double t0 = now_seconds();
        rc = attn_gpt_forward(acts, &loss, params, &cfg, tokens, targets, B, T, NULL, 0);
        double t1 = now_seconds();
        if (!rc) rc = attn_gpt_backward(grads, acts, params, &cfg, tokens, targets, B, T);
        double t2 = now_seconds();
        if (!rc) rc = attn_gpt_adamw_step(params, grads, m, v, &cfg, step + 1, &opt, NULL);
        double t3 = now_seconds();
        if (step > 0) { fwd += t1 - t0; bwd += t2 - t1; upd += t3 - t2; }
        else cpu0 = (double)clock() / CLOCKS_PER_SEC;
    }
    // CPU seconds of all threads: on a shared machine, tokens per CPU second of one thread is
    // what the core does when it has a core to itself
    double cpu = (double)clock() / CLOCKS_PER_SEC - cpu0;
    if (rc) return fail("step failed", attn_strerror(rc));
    double per_step = (fwd + bwd + upd) / steps, tps = B * T / per_step, tpcpu = B * T * steps / cpu;
    if (json)
        printf("{\"model\":\"brown\",\"params\":%zu,\"batch\":%d,\"seq\":%d,\"threads\":%d,\"steps\":%d,"
               "\"ms_forward\":%.2f,\"ms_backward\":%.2f,\"ms_adamw\":%.2f,\"tokens_per_s\":%.0f,"
               "\"tokens_per_cpu_s\":%.0f,\"loss\":%.9g}\n",
               np, B, T, threads(), (int)steps, 1e3 * fwd / steps, 1e3 * bwd / steps, 1e3 * upd / steps, tps, tpcpu,
               (double)loss);
    else
        printf("brown model (%zu params), batch %d x %d, %d threads: forward %.1f ms, backward %.1f ms, "
               "AdamW %.1f ms per step: %.0f tokens/s (%.0f per CPU second; last loss %.9g)\n",
               np, B, T, threads(), 1e3 * fwd / steps, 1e3 * bwd / steps, 1e3 * upd / steps, tps, tpcpu, (double)loss);
    free(params); free(grads); free(m); free(v); free(acts); free(tokens); free(targets);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) { fputs(usage, stderr); return 2; }
    if (strcmp(argv[1], "gradcheck") == 0) return cmd_gradcheck(argc, argv);
    if (strcmp(argv[1], "induction") == 0) return cmd_induction(argc, argv);
    if (strcmp(argv[1], "speed") == 0) return cmd_speed(argc, argv);
    fputs(usage, stderr);
    return 2;
}

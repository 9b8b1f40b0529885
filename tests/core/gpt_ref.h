/* gpt_ref.h - an independent double-precision reference of the transformer of attn.h (the
   loss only, written straight from the formulas, one sequence at a time), and the gradient
   check built on it: central finite differences of the double loss against the float
   gradients of attn_gpt_backward(). Shared by tests/core/test_gpt.c and `attn-train
   gradcheck`. Test code: it allocates, and it is slow on purpose (plain loops). */
#ifndef GPT_REF_H
#define GPT_REF_H

#include "attn.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Offset of the tensor called name (layer l, or -1 for wte, wpe, lnf.*), or SIZE_MAX.
static size_t ref_tensor(const attn_gpt_config *c, int l, const char *name) {
    char full[32];
    if (l >= 0) snprintf(full, sizeof full, "l%d.%s", l, name);
    else snprintf(full, sizeof full, "%s", name);
    int count = attn_gpt_tensor_count(c);
    for (int i = 0; i < count; i++) {
        const char *nm;
        size_t off;
        if (attn_gpt_tensor_info(c, i, &nm, &off, NULL, NULL) == ATTN_OK && strcmp(nm, full) == 0) return off;
    }
    return SIZE_MAX;
}

// out (T, C) = layernorm of each row of x (T, C), gain g, shift b (eps 1e-5)
static void ref_layernorm(double *out, const double *x, const double *g, const double *b, int T, int C) {
    for (int t = 0; t < T; t++) {
        double mean = 0, var = 0;
        for (int i = 0; i < C; i++) mean += x[t * C + i];
        mean /= C;
        for (int i = 0; i < C; i++) var += (x[t * C + i] - mean) * (x[t * C + i] - mean);
        var /= C;
        for (int i = 0; i < C; i++) out[t * C + i] = (x[t * C + i] - mean) / sqrt(var + 1e-5) * g[i] + b[i];
    }
}

// out (T, m) = x (T, k) · w (k, m) + b (m)
static void ref_linear(double *out, const double *x, const double *w, const double *b, int T, int k, int m) {
    for (int t = 0; t < T; t++)
        for (int j = 0; j < m; j++) {
            double s = b[j];
            for (int p = 0; p < k; p++) s += x[t * k + p] * w[p * m + j];
            out[t * m + j] = s;
        }
}

// The mean cross-entropy over targets >= 0 of the model with parameters p (double copy of
// the float block) on tokens (B, T).
static double ref_loss(const attn_gpt_config *c, const double *p, const int *tokens, const int *targets,
                       int B, int T) {
    const int C = c->d_model, NH = c->n_heads, hs = C / NH, V = c->vocab, F = c->d_mlp;
    const int mlp = !c->attention_only, ln = c->layernorm;
    double *x = calloc((size_t)T * C, sizeof(double)), *h = calloc((size_t)T * C, sizeof(double));
    double *q = calloc((size_t)T * C, sizeof(double)), *k = calloc((size_t)T * C, sizeof(double));
    double *v = calloc((size_t)T * C, sizeof(double)), *o = calloc((size_t)T * C, sizeof(double));
    double *y = calloc((size_t)T * C, sizeof(double)), *u = calloc((size_t)T * (F > 0 ? F : 1), sizeof(double));
    double *a = calloc((size_t)T, sizeof(double));
    double total = 0;
    int counted = 0;
    for (int b = 0; b < B; b++) {
        const int *tok = tokens + b * T;
        for (int t = 0; t < T; t++)
            for (int i = 0; i < C; i++)
                x[t * C + i] = p[ref_tensor(c, -1, "wte") + (size_t)tok[t] * C + i] + p[ref_tensor(c, -1, "wpe") + (size_t)t * C + i];
        for (int l = 0; l < c->n_layers; l++) {
            if (ln) ref_layernorm(h, x, p + ref_tensor(c, l, "ln1.g"), p + ref_tensor(c, l, "ln1.b"), T, C);
            else memcpy(h, x, sizeof(double) * T * C);
            ref_linear(q, h, p + ref_tensor(c, l, "wq"), p + ref_tensor(c, l, "bq"), T, C, C);
            ref_linear(k, h, p + ref_tensor(c, l, "wk"), p + ref_tensor(c, l, "bk"), T, C, C);
            ref_linear(v, h, p + ref_tensor(c, l, "wv"), p + ref_tensor(c, l, "bv"), T, C, C);
            for (int hd = 0; hd < NH; hd++)
                for (int i = 0; i < T; i++) {
                    double max = -INFINITY, sum = 0;
                    for (int j = 0; j <= i; j++) {
                        double s = 0;
                        for (int d = 0; d < hs; d++) s += q[i * C + hd * hs + d] * k[j * C + hd * hs + d];
                        a[j] = s / sqrt((double)hs);
                        if (a[j] > max) max = a[j];
                    }
                    for (int j = 0; j <= i; j++) { a[j] = exp(a[j] - max); sum += a[j]; }
                    for (int d = 0; d < hs; d++) {
                        double s = 0;
                        for (int j = 0; j <= i; j++) s += a[j] / sum * v[j * C + hd * hs + d];
                        o[i * C + hd * hs + d] = s;
                    }
                }
            ref_linear(y, o, p + ref_tensor(c, l, "wo"), p + ref_tensor(c, l, "bo"), T, C, C);
            for (int i = 0; i < T * C; i++) x[i] += y[i];
            if (!mlp) continue;
            if (ln) ref_layernorm(h, x, p + ref_tensor(c, l, "ln2.g"), p + ref_tensor(c, l, "ln2.b"), T, C);
            else memcpy(h, x, sizeof(double) * T * C);
            ref_linear(u, h, p + ref_tensor(c, l, "wfc"), p + ref_tensor(c, l, "bfc"), T, C, F);
            for (int i = 0; i < T * F; i++)
                u[i] = 0.5 * u[i] * (1.0 + tanh(sqrt(2.0 / 3.14159265358979323846) * (u[i] + 0.044715 * u[i] * u[i] * u[i])));
            ref_linear(y, u, p + ref_tensor(c, l, "wproj"), p + ref_tensor(c, l, "bproj"), T, F, C);
            for (int i = 0; i < T * C; i++) x[i] += y[i];
        }
        if (ln) ref_layernorm(h, x, p + ref_tensor(c, -1, "lnf.g"), p + ref_tensor(c, -1, "lnf.b"), T, C);
        else memcpy(h, x, sizeof(double) * T * C);
        const double *wte = p + ref_tensor(c, -1, "wte");
        for (int t = 0; t < T; t++) {
            int target = targets[b * T + t];
            if (target < 0) continue;
            double max = -INFINITY, sum = 0, logit_target = 0;
            for (int vv = 0; vv < V; vv++) {
                double s = 0;
                for (int i = 0; i < C; i++) s += h[t * C + i] * wte[(size_t)vv * C + i];
                if (s > max) max = s;
                if (vv == target) logit_target = s;
            }
            for (int vv = 0; vv < V; vv++) {
                double s = 0;
                for (int i = 0; i < C; i++) s += h[t * C + i] * wte[(size_t)vv * C + i];
                sum += exp(s - max);
            }
            total += log(sum) + max - logit_target;
            counted++;
        }
    }
    free(x); free(h); free(q); free(k); free(v); free(o); free(y); free(u); free(a);
    return counted ? total / counted : 0.0;
}

// Result of checking one tensor.
typedef struct {
    const char *name;
    int checked;                       // entries compared
    double max_abs_err;                // max |float grad - finite difference|
    double max_ref;                    // max |finite difference| over the checked entries
    double rel_err;                    // max_abs_err / max(max_ref, 1e-8)
} ref_tensor_check;

// Compares the gradients of attn_gpt_backward() (grads, float) with central differences of
// ref_loss() at params, for every tensor: all entries when a tensor has <= max_per_tensor,
// else max_per_tensor entries spread over it (first and last included). out gets one entry
// per tensor (attn_gpt_tensor_count); *ref_loss_out (may be NULL) the double loss.
static void ref_gradcheck(ref_tensor_check *out, const attn_gpt_config *c, const float *params,
                            const float *grads, const int *tokens, const int *targets, int B, int T,
                            int max_per_tensor, double *ref_loss_out) {
    const size_t np = attn_gpt_param_floats(c);
    double *p = malloc(np * sizeof(double));
    for (size_t i = 0; i < np; i++) p[i] = params[i];
    const double base = ref_loss(c, p, tokens, targets, B, T);
    if (ref_loss_out) *ref_loss_out = base;
    const int count = attn_gpt_tensor_count(c);
    for (int t = 0; t < count; t++) {
        size_t off;
        int rows, cols;
        attn_gpt_tensor_info(c, t, &out[t].name, &off, &rows, &cols);
        const size_t n = (size_t)rows * cols;
        const size_t checks = n <= (size_t)max_per_tensor ? n : (size_t)max_per_tensor;
        out[t].checked = (int)checks;
        out[t].max_abs_err = out[t].max_ref = 0;
        for (size_t s = 0; s < checks; s++) {
            size_t i = off + (checks == n ? s : (checks > 1 ? s * (n - 1) / (checks - 1) : 0));
            const double h = 1e-5, keep = p[i];
            p[i] = keep + h;
            double up = ref_loss(c, p, tokens, targets, B, T);
            p[i] = keep - h;
            double down = ref_loss(c, p, tokens, targets, B, T);
            p[i] = keep;
            double fd = (up - down) / (2 * h), err = fabs(fd - (double)grads[i]);
            if (!(err <= out[t].max_abs_err)) out[t].max_abs_err = err;   // NaN propagates
            if (fabs(fd) > out[t].max_ref) out[t].max_ref = fabs(fd);
        }
        out[t].rel_err = out[t].max_abs_err / (out[t].max_ref > 1e-8 ? out[t].max_ref : 1e-8);
    }
    free(p);
}

// A point away from the initialisation, so every gradient is large enough to check: params
// get uniform noise of the given amplitude (LayerNorm gains stay near 1).
static void ref_perturb(float *params, size_t n, double amplitude, uint64_t seed) {
    uint64_t s = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        params[i] += (float)(amplitude * ((double)(s >> 11) / 9007199254740992.0 * 2.0 - 1.0));
    }
}

#endif // GPT_REF_H

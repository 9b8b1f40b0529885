/* attn_gpt_stub.c - TEMPORARY: the tensor layout the gpt branch's header documents, so the
   weight file code links before that branch's implementation lands. Deleted at that merge. */
#include "attn.h"

#include <stdio.h>

int attn_gpt_check_config(const attn_gpt_config *c) {
    if (!c) return ATTN_ERR_NULL;
    if (c->vocab < 1 || c->context < 1 || c->d_model < 1 || c->n_heads < 1 || c->n_layers < 1 ||
        c->d_model % c->n_heads || (!c->attention_only && c->d_mlp < 1) ||
        (c->attention_only != 0 && c->attention_only != 1) || (c->layernorm != 0 && c->layernorm != 1))
        return ATTN_ERR_CONFIG;
    if (c->vocab > 1 << 22 || c->context > 1 << 16 || c->d_model > 1 << 14 || c->n_layers > 256 ||
        c->d_mlp > 1 << 16) return ATTN_ERR_OVERFLOW;
    return ATTN_OK;
}

// walks the documented order; fills tensor `want` and returns the count
static int walk(const attn_gpt_config *c, int want, const char **name, size_t *offset, int *rows, int *cols) {
    static char names[64][24];
    int t = 0;
    size_t off = 0;
#define T(nm, r, k) do { \
        if (t == want) { \
            snprintf(names[t % 64], 24, "%s", nm); \
            if (name) *name = names[t % 64]; \
            if (offset) *offset = off; \
            if (rows) *rows = (r); \
            if (cols) *cols = (k); \
        } \
        off += (size_t)(r) * (size_t)(k); \
        t++; \
    } while (0)
    int C = c->d_model, F = c->d_mlp;
    T("wte", c->vocab, C);
    T("wpe", c->context, C);
    for (int l = 0; l < c->n_layers; l++) {
        if (c->layernorm) { T("ln1.g", 1, C); T("ln1.b", 1, C); }
        T("wq", C, C); T("bq", 1, C); T("wk", C, C); T("bk", 1, C); T("wv", C, C); T("bv", 1, C);
        T("wo", C, C); T("bo", 1, C);
        if (!c->attention_only) {
            if (c->layernorm) { T("ln2.g", 1, C); T("ln2.b", 1, C); }
            T("wfc", C, F); T("bfc", 1, F); T("wproj", F, C); T("bproj", 1, C);
        }
    }
    if (c->layernorm) { T("lnf.g", 1, C); T("lnf.b", 1, C); }
#undef T
    if (want == -1 && offset) *offset = off;
    return t;
}

int attn_gpt_tensor_count(const attn_gpt_config *c) {
    return attn_gpt_check_config(c) ? 0 : walk(c, -2, NULL, NULL, NULL, NULL);
}

int attn_gpt_tensor_info(const attn_gpt_config *c, int i, const char **name, size_t *offset, int *rows, int *cols) {
    int n = attn_gpt_tensor_count(c);
    if (n == 0) return c ? attn_gpt_check_config(c) : ATTN_ERR_NULL;
    if (i < 0 || i >= n) return ATTN_ERR_INDEX;
    walk(c, i, name, offset, rows, cols);
    return ATTN_OK;
}

size_t attn_gpt_param_floats(const attn_gpt_config *c) {
    if (attn_gpt_check_config(c)) return 0;
    size_t off = 0;
    walk(c, -1, NULL, &off, NULL, NULL);
    return off;
}

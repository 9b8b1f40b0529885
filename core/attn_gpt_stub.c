/* attn_gpt_stub.c - TEMPORARY: the config -> tensor list of the gpt branch, so the weight
   file code builds before that branch lands. Deleted at the merge. */
#include "attn.h"

#include "attn_checks.h"

int attn_gpt_check_config(const attn_gpt_config *c) {
    if (!c) return ATTN_ERR_NULL;
    if (c->vocab <= 0 || c->context <= 0 || c->d_model <= 0 || c->n_heads <= 0 || c->n_layers <= 0 ||
        (!c->attention_only && c->d_mlp <= 0)) return ATTN_ERR_SIZE;
    if (c->d_model % c->n_heads) return ATTN_ERR_SIZE;
    if (c->vocab > 1 << 20 || c->context > 1 << 14 || c->d_model > 1 << 12 || c->n_layers > 64 ||
        c->d_mlp > 1 << 14) return ATTN_ERR_OVERFLOW;
    return ATTN_OK;
}

int attn_gpt_tensor_count(const attn_gpt_config *c) {
    if (attn_gpt_check_config(c)) return attn_gpt_check_config(c);
    return 2 + c->n_layers * (c->attention_only ? 4 : 10) + 2;
}

int attn_gpt_tensor_info(const attn_gpt_config *c, int i, const char **name, size_t *offset,
                         int *rows, int *cols) {
    int n = attn_gpt_tensor_count(c);
    if (n < 0) return n;
    if (i < 0 || i >= n) return ATTN_ERR_INDEX;
    size_t off = 0;
    int C = c->d_model;
    for (int t = 0; t <= i; t++) {
        int r, k;
        const char *nm;
        if (t == 0) { nm = "wte"; r = c->vocab; k = C; }
        else if (t == 1) { nm = "wpe"; r = c->context; k = C; }
        else if (t >= n - 2) { nm = t == n - 2 ? "lnf_w" : "lnf_b"; r = 1; k = C; }
        else {
            // per layer: ln1_w ln1_b qkv_w attn_proj_w [ln2_w ln2_b fc_w fc_b proj_w proj_b]
            static const char *names[10] = { "ln1_w", "ln1_b", "qkv_w", "attn_proj_w", "ln2_w",
                                             "ln2_b", "fc_w", "fc_b", "proj_w", "proj_b" };
            const int per = c->attention_only ? 4 : 10, j = (t - 2) % per;
            const int shape[10][2] = { { 1, C }, { 1, C }, { C, 3 * C }, { C, C }, { 1, C }, { 1, C },
                                       { C, c->d_mlp }, { 1, c->d_mlp }, { c->d_mlp, C }, { 1, C } };
            nm = names[j]; r = shape[j][0]; k = shape[j][1];
        }
        if (t == i) { *name = nm; *offset = off; *rows = r; *cols = k; return ATTN_OK; }
        off += (size_t)r * k;
    }
    return ATTN_ERR_INDEX;
}

size_t attn_gpt_param_floats(const attn_gpt_config *c) {
    int n = attn_gpt_tensor_count(c);
    if (n < 0) return 0;
    const char *nm; size_t off; int r, k;
    attn_gpt_tensor_info(c, n - 1, &nm, &off, &r, &k);
    return off + (size_t)r * k;
}

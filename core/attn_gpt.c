/* attn_gpt.c - a GPT-2-shaped transformer on caller-owned memory: layout of the parameter
   and activation blocks, forward and backward passes layer by layer (encoder, layernorm,
   matmul, attention, gelu, residual, cross-entropy), each forward with its backward beside
   it and the same shape comments. Attention goes through attn_head() (attn_kernels.c), so the
   model's heads use the softmax and causal mask the figures use.

   Speed: the matmuls are register-blocked (4 rows x NR columns of accumulators, inner loop
   over contiguous memory so the compiler vectorises it). Under OpenMP (the native trainer
   build only) loops run in parallel over OUTPUT rows only: every output element is computed
   by the same sequence of float operations whatever the thread count, so results are
   bit-identical with 1 or 2 threads. */
#include "attn.h"
#include "attn_checks.h"
#include "attn_simd.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

// Size and speed: the WebAssembly build (clang) compiles the bookkeeping for size, so the model
// adds little to the page's module; the kernels that carry the arithmetic stay out of line
// and fully optimised.
#if defined(__clang__)
#define COLD __attribute__((minsize))
#else
#define COLD
#endif
#define HOT __attribute__((noinline))

#ifdef _OPENMP
#define ATTN_PARALLEL_FOR        _Pragma("omp parallel for schedule(static)")
#define ATTN_PARALLEL_FOR_STATUS _Pragma("omp parallel for schedule(static) reduction(min:status)")
#else
#define ATTN_PARALLEL_FOR
#define ATTN_PARALLEL_FOR_STATUS
#endif

// ---------------------------------------------------------------------------------------
// Layout: the parameter tensors, in order

enum {                                 // tensors of one block, in parameter order
    T_LN1G, T_LN1B, T_WQ, T_BQ, T_WK, T_BK, T_WV, T_BV, T_WO, T_BO,
    T_LN2G, T_LN2B, T_WFC, T_BFC, T_WPROJ, T_BPROJ, T_PER_LAYER
};
#define T_WTE  (-1)
#define T_WPE  (-2)
#define T_LNFG (-3)
#define T_LNFB (-4)

// "l<layer>.<tensor>", as char arrays (no pointer table: the WebAssembly module stays small)
#define LAYER_NAMES(l) { "l" #l ".ln1.g", "l" #l ".ln1.b", "l" #l ".wq", "l" #l ".bq", \
    "l" #l ".wk", "l" #l ".bk", "l" #l ".wv", "l" #l ".bv", "l" #l ".wo", "l" #l ".bo", \
    "l" #l ".ln2.g", "l" #l ".ln2.b", "l" #l ".wfc", "l" #l ".bfc", "l" #l ".wproj", "l" #l ".bproj" }
static const char layer_names[ATTN_GPT_MAX_LAYERS][T_PER_LAYER][9] = {
    LAYER_NAMES(0), LAYER_NAMES(1), LAYER_NAMES(2), LAYER_NAMES(3),
    LAYER_NAMES(4), LAYER_NAMES(5), LAYER_NAMES(6), LAYER_NAMES(7)
};

#define ABSENT SIZE_MAX

// Float offsets of every tensor (ABSENT when the config has no such tensor).
typedef struct {
    size_t wte, wpe, lnfg, lnfb;
    size_t layer[ATTN_GPT_MAX_LAYERS][T_PER_LAYER];
    size_t total;
    int count;
} param_layout;

COLD static int has_tensor(const attn_gpt_config *c, int kind) {
    int ln = c->layernorm, mlp = !c->attention_only;
    switch (kind) {
    case T_LN1G: case T_LN1B: return ln;
    case T_LN2G: case T_LN2B: return ln && mlp;
    case T_WFC: case T_BFC: case T_WPROJ: case T_BPROJ: return mlp;
    default: return 1;
    }
}

// rows, cols of a block tensor kind
COLD static void tensor_shape(const attn_gpt_config *c, int kind, int *rows, int *cols) {
    int C = c->d_model;
    *rows = 1;
    switch (kind) {
    case T_WQ: case T_WK: case T_WV: case T_WO: *rows = C; *cols = C; break;
    case T_WFC: *rows = C; *cols = c->d_mlp; break;
    case T_WPROJ: *rows = c->d_mlp; *cols = C; break;
    case T_BFC: *cols = c->d_mlp; break;
    default: *cols = C; break;
    }
}

COLD int attn_gpt_check_config(const attn_gpt_config *c) {
    if (!c) return ATTN_ERR_NULL;
    if (c->vocab < 1 || c->context < 1 || c->d_model < 1 || c->n_heads < 1 || c->n_layers < 1 ||
        c->n_layers > ATTN_GPT_MAX_LAYERS || c->d_model % c->n_heads != 0 ||
        (c->attention_only != 0 && c->attention_only != 1) || (c->layernorm != 0 && c->layernorm != 1) ||
        (!c->attention_only && c->d_mlp < 1))
        return ATTN_ERR_CONFIG;
    // every single tensor and the whole block must stay addressable in 32 bits (WASM)
    size_t n;
    int rc;
    if ((rc = attn__checked_count(&n, c->vocab, c->d_model)) || (rc = attn__checked_count(&n, c->context, c->d_model)) ||
        (rc = attn__checked_count(&n, c->d_model, c->d_model)))
        return rc;
    if (!c->attention_only && (rc = attn__checked_count(&n, c->d_model, c->d_mlp))) return rc;
    double total = ((double)c->vocab + c->context) * c->d_model +
                   (double)c->n_layers * (4.0 * c->d_model * (c->d_model + 1.0) + 4.0 * c->d_model +
                                          (c->attention_only ? 0.0 : 2.0 * c->d_model * c->d_mlp + c->d_mlp + 3.0 * c->d_model));
    if (total > (double)ATTN_MAX_ELEMENTS) return ATTN_ERR_OVERFLOW;
    return ATTN_OK;
}

// Fills lay for a config already checked.
COLD static void param_layout_of(const attn_gpt_config *c, param_layout *lay) {
    size_t off = 0, C = (size_t)c->d_model;
    lay->count = 0;
    lay->wte = off; off += (size_t)c->vocab * C; lay->count++;
    lay->wpe = off; off += (size_t)c->context * C; lay->count++;
    for (int l = 0; l < c->n_layers; l++)
        for (int k = 0; k < T_PER_LAYER; k++) {
            if (!has_tensor(c, k)) { lay->layer[l][k] = ABSENT; continue; }
            int rows, cols;
            tensor_shape(c, k, &rows, &cols);
            lay->layer[l][k] = off;
            off += (size_t)rows * (size_t)cols;
            lay->count++;
        }
    lay->lnfg = lay->lnfb = ABSENT;
    if (c->layernorm) {
        lay->lnfg = off; off += C; lay->count++;
        lay->lnfb = off; off += C; lay->count++;
    }
    lay->total = off;
}

size_t attn_gpt_param_floats(const attn_gpt_config *cfg) {
    if (attn_gpt_check_config(cfg)) return 0;
    param_layout lay;
    param_layout_of(cfg, &lay);
    return lay.total;
}

int attn_gpt_tensor_count(const attn_gpt_config *cfg) {
    if (attn_gpt_check_config(cfg)) return 0;
    param_layout lay;
    param_layout_of(cfg, &lay);
    return lay.count;
}

// The tensor at index: kind (T_* or a block kind) and layer (-1 outside blocks).
COLD static int tensor_at(const attn_gpt_config *c, int index, int *kind, int *layer) {
    int i = 0;
    *layer = -1;
    if (index == i++) { *kind = T_WTE; return 1; }
    if (index == i++) { *kind = T_WPE; return 1; }
    for (int l = 0; l < c->n_layers; l++)
        for (int k = 0; k < T_PER_LAYER; k++)
            if (has_tensor(c, k) && index == i++) { *kind = k; *layer = l; return 1; }
    if (c->layernorm && index == i++) { *kind = T_LNFG; return 1; }
    if (c->layernorm && index == i++) { *kind = T_LNFB; return 1; }
    return 0;
}

COLD int attn_gpt_tensor_info(const attn_gpt_config *cfg, int index, const char **name,
                         size_t *offset, int *rows, int *cols) {
    int rc = attn_gpt_check_config(cfg);
    if (rc) return rc;
    int kind, layer, r = 1, k = cfg->d_model;
    if (index < 0 || !tensor_at(cfg, index, &kind, &layer)) return ATTN_ERR_INDEX;
    param_layout lay;
    param_layout_of(cfg, &lay);
    const char *nm;
    size_t off;
    switch (kind) {
    case T_WTE:  nm = "wte";   off = lay.wte;  r = cfg->vocab; break;
    case T_WPE:  nm = "wpe";   off = lay.wpe;  r = cfg->context; break;
    case T_LNFG: nm = "lnf.g"; off = lay.lnfg; break;
    case T_LNFB: nm = "lnf.b"; off = lay.lnfb; break;
    default:
        nm = layer_names[layer][kind];
        off = lay.layer[layer][kind];
        tensor_shape(cfg, kind, &r, &k);
        break;
    }
    if (name) *name = nm;
    if (offset) *offset = off;
    if (rows) *rows = r;
    if (cols) *cols = k;
    return ATTN_OK;
}

// Is the tensor at index a matrix (weight decay applies)?
COLD static int tensor_is_matrix(const attn_gpt_config *cfg, int index) {
    int kind, layer;
    if (!tensor_at(cfg, index, &kind, &layer)) return 0;
    return kind == T_WTE || kind == T_WPE || kind == T_WQ || kind == T_WK || kind == T_WV ||
           kind == T_WO || kind == T_WFC || kind == T_WPROJ;
}

// ---------------------------------------------------------------------------------------
// Layout: the activations (the trace) and the backward's scratch

#define HEADER_FLOATS 16               // state of the last forward: shape, ablation, done
#define STATE_MAGIC   20260.0f

// Float offsets in acts; per-layer arrays are n_layers copies, `*_stride` apart.
typedef struct {
    size_t resid;                      // (L+1, N, C): residual stream entering each block
    size_t ln1, ln1_mean, ln1_rstd;    // (L, N, C), (L, N), (L, N)
    size_t q, k, v;                    // (L, NH, B, T, hs) each
    size_t scores, att;                // (L, NH, B, T, T) each
    size_t head_out;                   // (L, NH, B, T, hs)
    size_t atty;                       // (L, N, C) head outputs side by side
    size_t resid_mid;                  // (L, N, C) after attention (MLP blocks only)
    size_t ln2, ln2_mean, ln2_rstd;    // (L, N, C), (L, N), (L, N)
    size_t fch, fch_gelu;              // (L, N, F) each
    size_t lnf, lnf_mean, lnf_rstd;    // (N, C), (N), (N)
    size_t logits;                     // (N, V)
    size_t losses;                     // (N)
    // backward scratch
    size_t dresid, dx, drow;           // (N, C) each
    size_t dq, dk, dv, dhead;          // (NH, B, T, hs) each
    size_t datt;                       // (NH, B, T, T)
    size_t dfch;                       // (N, F)
    size_t wt;                         // max(V, F, C) * C: a transposed weight
    size_t total;
    size_t nc, nf, nn;                 // N*C, N*F, NH*B*T*T
} act_layout;

static size_t round16(size_t n) { return (n + 15) & ~(size_t)15; }

// Returns ATTN_OK and fills lay, or a status for a bad shape.
COLD static int act_layout_of(const attn_gpt_config *c, int B, int T, act_layout *lay) {
    int rc = attn_gpt_check_config(c);
    if (rc) return rc;
    if (B < 1 || T < 1) return ATTN_ERR_SIZE;
    if (T > c->context) return ATTN_ERR_INDEX;
    size_t N, tt;
    if ((rc = attn__checked_count(&N, B, T)) || (rc = attn__checked_count(&tt, T, T))) return rc;
    // a generous bound in double first, so no size_t product below can wrap
    const double L = c->n_layers, C = c->d_model, F = c->attention_only ? 0 : c->d_mlp;
    double bound = (double)N * ((L + 1) * C + L * (10 * C + 2 * F + 6) + 2 * C + c->vocab + 8 + 8 * C + F) +
                   (2 * L + 1) * c->n_heads * (double)B * (double)tt + (c->vocab + F + C) * C + 64 * (L * 30 + 40);
    if (bound > (double)ATTN_MAX_ELEMENTS) return ATTN_ERR_OVERFLOW;
    const size_t Ls = (size_t)c->n_layers, Cs = (size_t)c->d_model, Fs = (size_t)F;
    const size_t nc = round16(N * Cs), nf = round16(N * Fs), nh = round16(N), nn = round16((size_t)c->n_heads * B * tt);
    const int ln = c->layernorm, mlp = !c->attention_only;
    size_t off = HEADER_FLOATS;
#define TAKE(field, n) (lay->field = off, off += (n))
    TAKE(resid, (Ls + 1) * nc);
    TAKE(ln1, ln ? Ls * nc : 0);
    TAKE(ln1_mean, ln ? Ls * nh : 0);
    TAKE(ln1_rstd, ln ? Ls * nh : 0);
    TAKE(q, Ls * nc);
    TAKE(k, Ls * nc);
    TAKE(v, Ls * nc);
    TAKE(scores, Ls * nn);
    TAKE(att, Ls * nn);
    TAKE(head_out, Ls * nc);
    TAKE(atty, Ls * nc);
    TAKE(resid_mid, mlp ? Ls * nc : 0);
    TAKE(ln2, ln && mlp ? Ls * nc : 0);
    TAKE(ln2_mean, ln && mlp ? Ls * nh : 0);
    TAKE(ln2_rstd, ln && mlp ? Ls * nh : 0);
    TAKE(fch, mlp ? Ls * nf : 0);
    TAKE(fch_gelu, mlp ? Ls * nf : 0);
    TAKE(lnf, ln ? nc : 0);
    TAKE(lnf_mean, ln ? nh : 0);
    TAKE(lnf_rstd, ln ? nh : 0);
    TAKE(logits, round16(N * (size_t)c->vocab));
    TAKE(losses, nh);
    TAKE(dresid, nc);
    TAKE(dx, nc);
    TAKE(drow, nc);
    TAKE(dq, nc);
    TAKE(dk, nc);
    TAKE(dv, nc);
    TAKE(dhead, nc);
    TAKE(datt, nn);
    TAKE(dfch, nf);
    size_t widest = (size_t)c->vocab > Fs ? (size_t)c->vocab : Fs;
    if (Cs > widest) widest = Cs;
    TAKE(wt, round16(widest * Cs));
#undef TAKE
    lay->total = off;
    lay->nc = nc;
    lay->nf = nf;
    lay->nn = nn;
    return off > ATTN_MAX_ELEMENTS ? ATTN_ERR_OVERFLOW : ATTN_OK;
}

size_t attn_gpt_activation_floats(const attn_gpt_config *cfg, int batch, int seq) {
    act_layout lay;
    return act_layout_of(cfg, batch, seq, &lay) == ATTN_OK ? lay.total : 0;
}

// ---------------------------------------------------------------------------------------
// Random numbers: splitmix64, integer-exact so native and WASM draw the same values

static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// uniform integer in 0..n-1 (n >= 1); the modulo bias is below 2^-32 for our n
static int random_below(uint64_t *state, int n) {
    return (int)((splitmix64(state) >> 16) % (uint64_t)n);
}

// approximately N(0, 1): the sum of 12 uniforms minus 6 (Irwin-Hall), exact in double, so the
// same on every platform (no libm), bounded by 6
COLD static double random_normal(uint64_t *state) {
    double sum = 0.0;
    for (int i = 0; i < 12; i++) sum += (double)(splitmix64(state) >> 40) * (1.0 / 16777216.0);
    return sum - 6.0;
}

COLD int attn_gpt_init(float *params, const attn_gpt_config *cfg, unsigned seed) {
    if (!params) return ATTN_ERR_NULL;
    int rc = attn_gpt_check_config(cfg);
    if (rc) return rc;
    uint64_t state = 0x5EEDull ^ ((uint64_t)seed << 32) ^ seed;
    const double std = 0.02, resid_std = 0.02 / sqrt(2.0 * cfg->n_layers);
    int count = attn_gpt_tensor_count(cfg);
    for (int i = 0; i < count; i++) {
        int kind, layer, rows, cols;
        size_t off;
        tensor_at(cfg, i, &kind, &layer);
        attn_gpt_tensor_info(cfg, i, NULL, &off, &rows, &cols);
        size_t n = (size_t)rows * (size_t)cols;
        float *p = params + off;
        if (kind == T_LN1G || kind == T_LN2G || kind == T_LNFG) {
            for (size_t j = 0; j < n; j++) p[j] = 1.0f;
        } else if (tensor_is_matrix(cfg, i)) {
            double s = (kind == T_WO || kind == T_WPROJ) ? resid_std : std;
            for (size_t j = 0; j < n; j++) p[j] = (float)(s * random_normal(&state));
        } else {
            for (size_t j = 0; j < n; j++) p[j] = 0.0f;
        }
    }
    return ATTN_OK;
}

// ---------------------------------------------------------------------------------------
// Matmul: out (n, m) (+)= a (n, k) · b (k, m), register-blocked

#define MR 4                           // rows of a block of accumulators
#ifdef __wasm_simd128__
#define NR 16                          // columns of a block (as fast as 32 in V8, less code)
#else
#define NR 32                          // columns of a block: the vectorised inner loop
#endif
#define KC 128                         // depth of one pass (keeps b's panel in cache)
#define ROWS_PER_TASK 32               // rows of out one parallel task owns

// out[r*ldo + j] for r < mr, j < nr: acc = (accumulate ? out : 0) + sum_p a(r, p) * b[p*ldb + j],
// where a(r, p) = a[r*a_rs + p*a_cs]. Each element is summed over p in order, the same way on
// every path, so blocking and threads never change a result.
static void gemm_block(float *out, size_t ldo, const float *a, size_t a_rs, size_t a_cs,
                       const float *b, size_t ldb, int mr, int nr, int k, int accumulate) {
    float acc[MR][NR];
    if (mr == MR && nr == NR) {
        for (int r = 0; r < MR; r++)
            for (int j = 0; j < NR; j++) acc[r][j] = accumulate ? out[r * ldo + j] : 0.0f;
        for (int p = 0; p < k; p++) {
            const float *bp = b + (size_t)p * ldb;
            const float *ap = a + (size_t)p * a_cs;
            for (int r = 0; r < MR; r++) {
                const float ar = ap[r * a_rs];
                for (int j = 0; j < NR; j++) acc[r][j] += ar * bp[j];
            }
        }
        for (int r = 0; r < MR; r++)
            for (int j = 0; j < NR; j++) out[r * ldo + j] = acc[r][j];
        return;
    }
    for (int r = 0; r < mr; r++)
        for (int j = 0; j < nr; j++) acc[r][j] = accumulate ? out[r * ldo + j] : 0.0f;
    for (int p = 0; p < k; p++) {
        const float *bp = b + (size_t)p * ldb;
        const float *ap = a + (size_t)p * a_cs;
        for (int r = 0; r < mr; r++) {
            const float ar = ap[r * a_rs];
            for (int j = 0; j < nr; j++) acc[r][j] += ar * bp[j];
        }
    }
    for (int r = 0; r < mr; r++)
        for (int j = 0; j < nr; j++) out[r * ldo + j] = acc[r][j];
}

// out (n, m) (+)= A (n, k) · b (k, m) with A(i, p) = a[i*a_rs + p*a_cs]; parallel over rows of out.
// b is copied panel by panel (KC x NR) into a contiguous buffer first: rows of a wide b lie
// far apart and map to the same cache sets. Copying never changes a value.
HOT static void gemm(float *out, const float *a, size_t a_rs, size_t a_cs, const float *b,
                 int n, int k, int m, int accumulate) {
    const int tasks = (n + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
    ATTN_PARALLEL_FOR
    for (int task = 0; task < tasks; task++) {
        float panel[KC * NR];
        const int i0 = task * ROWS_PER_TASK, i1 = i0 + ROWS_PER_TASK < n ? i0 + ROWS_PER_TASK : n;
        for (int p0 = 0; p0 < k; p0 += KC) {
            const int kc = k - p0 < KC ? k - p0 : KC;
            const int acc = accumulate || p0 > 0;
            for (int j0 = 0; j0 < m; j0 += NR) {
                const int nr = m - j0 < NR ? m - j0 : NR;
                const float *bp = b + (size_t)p0 * m + j0;
                for (int p = 0; p < kc; p++)
                    for (int j = 0; j < nr; j++) panel[p * nr + j] = bp[(size_t)p * m + j];
                for (int i = i0; i < i1; i += MR) {
                    const int mr = i1 - i < MR ? i1 - i : MR;
                    gemm_block(out + (size_t)i * m + j0, (size_t)m, a + (size_t)i * a_rs + (size_t)p0 * a_cs,
                               a_rs, a_cs, panel, (size_t)nr, mr, nr, kc, acc);
                }
            }
        }
    }
}

// out (cols, rows) = in (rows, cols)ᵀ
COLD HOT static void transpose(float *out, const float *in, int rows, int cols) {
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) out[(size_t)c * rows + r] = in[(size_t)r * cols + c];
}

// out (N, OC) = inp (N, C) · w (C, OC) + bias (OC, may be NULL)
COLD HOT static void matmul_forward(float *out, const float *inp, const float *w, const float *bias,
                           int N, int C, int OC) {
    gemm(out, inp, (size_t)C, 1, w, N, C, OC, 0);
    if (bias) {
        ATTN_PARALLEL_FOR
        for (int i = 0; i < N; i++)
            for (int j = 0; j < OC; j++) out[(size_t)i * OC + j] += bias[j];
    }
}

// dinp (N, C) (+)= dout (N, OC) · wᵀ, dw (C, OC) += inpᵀ · dout, dbias (OC) += column sums
// of dout. wt is scratch of OC * C floats. dinp may be NULL (not wanted).
COLD HOT static void matmul_backward(float *dinp, float *dw, float *dbias, const float *dout,
                            const float *inp, const float *w, float *wt, int N, int C, int OC,
                            int accumulate_dinp) {
    if (dinp) {
        transpose(wt, w, C, OC);       // (OC, C), so the inner loop walks memory in order
        gemm(dinp, dout, (size_t)OC, 1, wt, N, OC, C, accumulate_dinp);
    }
    // dw row p = sum_i inp[i, p] * dout[i, :]: A(p, i) = inp[i*C + p]
    gemm(dw, inp, 1, (size_t)C, dout, C, N, OC, 1);
    if (dbias) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < OC; j++) dbias[j] += dout[(size_t)i * OC + j];
    }
}

// out[i] += in[i] for n floats: the residual connections
COLD HOT static void residual_add(float *out, const float *in, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] += in[i];
}

// ---------------------------------------------------------------------------------------
// Encoder: token + position embeddings

// out (B, T, C) = wte[tokens] + wpe[t]
COLD static void encoder_forward(float *out, const int *tokens, const float *wte, const float *wpe,
                            int B, int T, int C) {
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            float *o = out + ((size_t)b * T + t) * C;
            const float *te = wte + (size_t)tokens[b * T + t] * C, *pe = wpe + (size_t)t * C;
            for (int i = 0; i < C; i++) o[i] = te[i] + pe[i];
        }
}

COLD static void encoder_backward(float *dwte, float *dwpe, const float *dout, const int *tokens,
                             int B, int T, int C) {
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            const float *d = dout + ((size_t)b * T + t) * C;
            float *dte = dwte + (size_t)tokens[b * T + t] * C, *dpe = dwpe + (size_t)t * C;
            for (int i = 0; i < C; i++) { dte[i] += d[i]; dpe[i] += d[i]; }
        }
}

// ---------------------------------------------------------------------------------------
// LayerNorm

#define LN_EPS 1e-5f

// out (N, C) = (inp - mean) * rstd * g + b per row; mean, rstd (N) kept for the backward
COLD HOT static void layernorm_forward(float *out, float *mean, float *rstd, const float *inp,
                              const float *g, const float *bias, int N, int C) {
    ATTN_PARALLEL_FOR
    for (int i = 0; i < N; i++) {
        const float *x = inp + (size_t)i * C;
        float m = 0.0f, var = 0.0f;
        for (int j = 0; j < C; j++) m += x[j];
        m /= (float)C;
        for (int j = 0; j < C; j++) var += (x[j] - m) * (x[j] - m);
        var /= (float)C;
        float s = 1.0f / sqrtf(var + LN_EPS);
        float *o = out + (size_t)i * C;
        for (int j = 0; j < C; j++) o[j] = (x[j] - m) * s * g[j] + bias[j];
        mean[i] = m;
        rstd[i] = s;
    }
}

// dinp (N, C) += the gradient through the normalisation; dg, db (C) += their gradients
COLD HOT static void layernorm_backward(float *dinp, float *dg, float *db, const float *dout,
                               const float *inp, const float *g, const float *mean,
                               const float *rstd, int N, int C) {
    ATTN_PARALLEL_FOR
    for (int i = 0; i < N; i++) {
        const float *d = dout + (size_t)i * C, *x = inp + (size_t)i * C;
        float *dx = dinp + (size_t)i * C;
        float dnorm_mean = 0.0f, dnorm_norm_mean = 0.0f;
        for (int j = 0; j < C; j++) {
            float norm = (x[j] - mean[i]) * rstd[i], dnorm = g[j] * d[j];
            dnorm_mean += dnorm;
            dnorm_norm_mean += dnorm * norm;
        }
        dnorm_mean /= (float)C;
        dnorm_norm_mean /= (float)C;
        for (int j = 0; j < C; j++) {
            float norm = (x[j] - mean[i]) * rstd[i], dnorm = g[j] * d[j];
            dx[j] += (dnorm - dnorm_mean - norm * dnorm_norm_mean) * rstd[i];
        }
    }
    // the parameter gradients sum over rows: serial, in row order (deterministic)
    for (int i = 0; i < N; i++) {
        const float *d = dout + (size_t)i * C, *x = inp + (size_t)i * C;
        for (int j = 0; j < C; j++) {
            db[j] += d[j];
            dg[j] += (x[j] - mean[i]) * rstd[i] * d[j];
        }
    }
}

// ---------------------------------------------------------------------------------------
// exp without libm: plain arithmetic the compiler vectorises (the cross-entropy over the
// vocabulary and GELU's tanh call it millions of times per step), identical on every platform

// exp(x), relative error ~1e-7 (Cephes expf: x = k ln2 + r, ln2 split in two so r is exact, a
// degree-6 polynomial, 2^k through the exponent bits). 0 below -87.3 (-inf included); x is
// clamped at 88 above (exp(88) ~ 1.65e38, finite).
static inline float fast_expf(float x) {
    const float lo = -87.33654f, hi = 88.0f;
    const int under = x < lo;
    x = x < lo ? lo : (x > hi ? hi : x);
    float k = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;   // round to nearest
    float r = x - k * 0.693359375f;
    r = r - k * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * r * r + r + 1.0f;
    int32_t bits = ((int32_t)k + 127) << 23;
    float pow2;
    memcpy(&pow2, &bits, sizeof pow2);
    return under ? 0.0f : y * pow2;
}

// tanh(u) = 1 - 2 / (exp(2u) + 1): saturates to +-1, absolute error ~1e-7
static inline float fast_tanhf(float u) {
    return 1.0f - 2.0f / (fast_expf(2.0f * u) + 1.0f);
}

// ---------------------------------------------------------------------------------------
// GELU, tanh approximation

#define GELU_K 0.7978845608028654f     // sqrt(2 / pi)

COLD HOT static void gelu_forward(float *out, const float *inp, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float x = inp[i];
        out[i] = 0.5f * x * (1.0f + fast_tanhf(GELU_K * (x + 0.044715f * x * x * x)));
    }
}

// dinp = gelu'(inp) * dout (dinp may be dout)
COLD HOT static void gelu_backward(float *dinp, const float *inp, const float *dout, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float x = inp[i];
        float th = fast_tanhf(GELU_K * (x + 0.044715f * x * x * x));
        float sech2 = 1.0f - th * th;
        float local = 0.5f * (1.0f + th) + 0.5f * x * sech2 * GELU_K * (1.0f + 3.0f * 0.044715f * x * x);
        dinp[i] = local * dout[i];
    }
}

// ---------------------------------------------------------------------------------------
// Attention: heads laid out (NH, B, T, hs), one attn_head() call per (head, sequence)

// dst (NH, B, T, hs) = the columns of each head of src (B*T, C)
COLD static void split_heads(float *dst, const float *src, int B, int T, int C, int NH) {
    const int hs = C / NH;
    for (int h = 0; h < NH; h++)
        for (size_t i = 0; i < (size_t)B * T; i++)
            for (int d = 0; d < hs; d++) dst[((size_t)h * B * T + i) * hs + d] = src[i * C + (size_t)h * hs + d];
}

// dst (B*T, C) = the heads of src (NH, B, T, hs) side by side
COLD static void merge_heads(float *dst, const float *src, int B, int T, int C, int NH) {
    const int hs = C / NH;
    for (int h = 0; h < NH; h++)
        for (size_t i = 0; i < (size_t)B * T; i++)
            for (int d = 0; d < hs; d++) dst[i * C + (size_t)h * hs + d] = src[((size_t)h * B * T + i) * hs + d];
}

// Overrides the weights (T, T) of one head on one sequence for an ablation.
COLD static void ablate_weights(float *att, int T, int kind, uint64_t seed) {
    for (int i = 0; i < T; i++) {
        float *row = att + (size_t)i * T;
        if (kind == ATTN_ABLATE_UNIFORM) {
            for (int j = 0; j <= i; j++) row[j] = 1.0f / (float)(i + 1);
        } else if (kind == ATTN_ABLATE_ZERO) {
            for (int j = 0; j <= i; j++) row[j] = 0.0f;
        } else {
            // Fisher-Yates over the allowed positions 0..i
            uint64_t state = seed ^ ((uint64_t)i * 0x9E3779B97F4A7C15ull);
            for (int j = i; j > 0; j--) {
                int r = random_below(&state, j + 1);
                float tmp = row[j]; row[j] = row[r]; row[r] = tmp;
            }
        }
    }
}

// The kind (ATTN_ABLATE_*) the list asks for head h of layer l (ATTN_ABLATE_NONE: not listed).
static int ablation_kind(const attn_gpt_ablation *list, int n, int l, int h) {
    for (int i = 0; i < n; i++)
        if (list[i].kind != ATTN_ABLATE_NONE && list[i].layer == l && list[i].head == h) return list[i].kind;
    return ATTN_ABLATE_NONE;
}

// scores, att (NH, B, T, T), out (NH, B, T, hs) from q, k, v (NH, B, T, hs); the heads of
// layer l that ablations[0..n_ablations-1] lists get their weights overridden (a shuffle is
// seeded per layer and sequence, as it was when one head could be ablated: the same results)
HOT static int attention_forward(float *out, float *scores, float *att, const float *q,
                             const float *k, const float *v, int B, int T, int NH, int hs, int l,
                             const attn_gpt_ablation *ablations, int n_ablations, uint64_t ablate_seed) {
    attn_options opt = attn_default_options();
    opt.mask = ATTN_MASK_CAUSAL;
    const size_t th = (size_t)T * hs, tt = (size_t)T * T;
    int status = ATTN_OK;
    ATTN_PARALLEL_FOR_STATUS
    for (int hb = 0; hb < NH * B; hb++) {
        attn_trace tr = { .masked = scores + hb * tt, .weights = att + hb * tt };
        int rc = attn_head(NULL, &tr, q + hb * th, k + hb * th, NULL, T, hs, hs, &opt);
        const int kind = ablation_kind(ablations, n_ablations, l, hb / B);
        if (!rc && kind != ATTN_ABLATE_NONE)
            ablate_weights(att + hb * tt, T, kind, ablate_seed + (uint64_t)(hb % B) * 0xD1B54A32D192ED03ull);
        if (!rc) rc = attn_weighted_sum(out + hb * th, att + hb * tt, v + hb * th, T, hs);
        if (rc < status) status = rc;
    }
    return status;
}

// dq, dk, dv (NH, B, T, hs) = the gradients from dout (NH, B, T, hs); datt (NH, B, T, T) scratch
HOT static void attention_backward(float *dq, float *dk, float *dv, float *datt, const float *dout,
                               const float *q, const float *k, const float *v, const float *att,
                               int B, int T, int NH, int hs) {
    const size_t th = (size_t)T * hs, tt = (size_t)T * T;
    const float scale = 1.0f / sqrtf((float)hs);
    ATTN_PARALLEL_FOR
    for (int hb = 0; hb < NH * B; hb++) {
        const float *qh = q + hb * th, *kh = k + hb * th, *vh = v + hb * th, *dh = dout + hb * th;
        const float *a = att + hb * tt;
        float *dqh = dq + hb * th, *dkh = dk + hb * th, *dvh = dv + hb * th, *da = datt + hb * tt;
        memset(dqh, 0, th * sizeof(float));
        memset(dkh, 0, th * sizeof(float));
        memset(dvh, 0, th * sizeof(float));
        for (int i = 0; i < T; i++) {
            const float *ai = a + (size_t)i * T, *doi = dh + (size_t)i * hs;
            float *dai = da + (size_t)i * T;
            // through out_i = sum_j att_ij v_j
            for (int j = 0; j <= i; j++) {
                const float *vj = vh + (size_t)j * hs;
                float *dvj = dvh + (size_t)j * hs;
                float s = 0.0f;
                for (int c = 0; c < hs; c++) { s += doi[c] * vj[c]; dvj[c] += ai[j] * doi[c]; }
                dai[j] = s;
            }
            // through the softmax: dscore_ij = att_ij (datt_ij - sum_l att_il datt_il)
            float dot = 0.0f;
            for (int j = 0; j <= i; j++) dot += ai[j] * dai[j];
            for (int j = 0; j <= i; j++) dai[j] = ai[j] * (dai[j] - dot) * scale;
            // through score_ij = scale * q_i · k_j
            const float *qi = qh + (size_t)i * hs;
            float *dqi = dqh + (size_t)i * hs;
            for (int j = 0; j <= i; j++) {
                const float *kj = kh + (size_t)j * hs;
                float *dkj = dkh + (size_t)j * hs;
                for (int c = 0; c < hs; c++) { dqi[c] += dai[j] * kj[c]; dkj[c] += dai[j] * qi[c]; }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Cross-entropy over the vocabulary

// losses (N) = -log softmax(logits)[target] (0 where target < 0); returns the counted rows.
HOT static int crossentropy_forward(float *losses, const float *logits, const int *targets, int N, int V) {
    int counted = 0;
    ATTN_PARALLEL_FOR
    for (int i = 0; i < N; i++) {
        if (targets[i] < 0) { losses[i] = 0.0f; continue; }
        const float *row = logits + (size_t)i * V;
        float max = row[0];
        for (int j = 1; j < V; j++) if (row[j] > max) max = row[j];
        float sum = 0.0f;
        for (int j = 0; j < V; j++) sum += fast_expf(row[j] - max);
        losses[i] = logf(sum) + max - row[targets[i]];
    }
    for (int i = 0; i < N; i++) counted += targets[i] >= 0;
    return counted;
}

// logits (N, V) in place become d(mean loss)/d(logits) = (softmax - onehot) / counted
HOT static void crossentropy_backward(float *logits, const int *targets, int N, int V, int counted) {
    const float inv = counted > 0 ? 1.0f / (float)counted : 0.0f;
    ATTN_PARALLEL_FOR
    for (int i = 0; i < N; i++) {
        float *row = logits + (size_t)i * V;
        if (targets[i] < 0) { memset(row, 0, (size_t)V * sizeof(float)); continue; }
        float max = row[0];
        for (int j = 1; j < V; j++) if (row[j] > max) max = row[j];
        float sum = 0.0f;
        for (int j = 0; j < V; j++) { row[j] = fast_expf(row[j] - max); sum += row[j]; }
        const float scale = inv / sum;
        for (int j = 0; j < V; j++) row[j] *= scale;
        row[targets[i]] -= inv;
    }
}

// ---------------------------------------------------------------------------------------
// The whole model

// Pointers to one block's parameters (NULL where the config has none).
typedef struct {
    float *ln1g, *ln1b, *wq, *bq, *wk, *bk, *wv, *bv, *wo, *bo;
    float *ln2g, *ln2b, *wfc, *bfc, *wproj, *bproj;
} block_params;

COLD static block_params block_of(float *base, const param_layout *lay, int l) {
    float *p[T_PER_LAYER];
    for (int k = 0; k < T_PER_LAYER; k++) p[k] = lay->layer[l][k] == ABSENT ? NULL : base + lay->layer[l][k];
    block_params b = { p[T_LN1G], p[T_LN1B], p[T_WQ], p[T_BQ], p[T_WK], p[T_BK], p[T_WV], p[T_BV],
                       p[T_WO], p[T_BO], p[T_LN2G], p[T_LN2B], p[T_WFC], p[T_BFC], p[T_WPROJ], p[T_BPROJ] };
    return b;
}

COLD static int check_tokens(const int *tokens, size_t n, int vocab) {
    for (size_t i = 0; i < n; i++)
        if (tokens[i] < 0 || tokens[i] >= vocab) return ATTN_ERR_INDEX;
    return ATTN_OK;
}

COLD int attn_gpt_forward(float *acts, float *loss, const float *params, const attn_gpt_config *cfg,
                     const int *tokens, const int *targets, int batch, int seq,
                     const attn_gpt_ablation *ablation, unsigned ablation_seed) {
    return attn_gpt_forward_ablated(acts, loss, params, cfg, tokens, targets, batch, seq,
                                    ablation, ablation ? 1 : 0, ablation_seed);
}

COLD int attn_gpt_forward_ablated(float *acts, float *loss, const float *params, const attn_gpt_config *cfg,
                             const int *tokens, const int *targets, int batch, int seq,
                             const attn_gpt_ablation *ablations, int n_ablations, unsigned ablation_seed) {
    if (!acts || !params || !cfg || !tokens || (targets && !loss) || (n_ablations > 0 && !ablations))
        return ATTN_ERR_NULL;
    act_layout A;
    int rc = act_layout_of(cfg, batch, seq, &A);
    if (rc) return rc;
    const int B = batch, T = seq, C = cfg->d_model, NH = cfg->n_heads, L = cfg->n_layers, V = cfg->vocab;
    const int F = cfg->attention_only ? 0 : cfg->d_mlp, hs = C / NH, N = B * T;
    if ((rc = check_tokens(tokens, (size_t)N, V))) return rc;
    if (targets)
        for (int i = 0; i < N; i++)
            if (targets[i] >= V) return ATTN_ERR_INDEX;
    if (n_ablations < 0) return ATTN_ERR_SIZE;
    int ablated = 0;                   // heads overridden (entries of kind NONE do not count)
    for (int i = 0; i < n_ablations; i++) {
        const attn_gpt_ablation *a = &ablations[i];
        if (a->kind == ATTN_ABLATE_NONE) continue;
        if (a->kind < ATTN_ABLATE_NONE || a->kind > ATTN_ABLATE_ZERO) return ATTN_ERR_INDEX;
        if (a->layer < 0 || a->layer >= L || a->head < 0 || a->head >= NH) return ATTN_ERR_INDEX;
        if (ablation_kind(ablations, i, a->layer, a->head) != ATTN_ABLATE_NONE) return ATTN_ERR_INDEX;  // listed twice
        ablated++;
    }
    acts[0] = 0.0f;                    // not a valid forward until the end
    param_layout P;
    param_layout_of(cfg, &P);
    float *pw = (float *)(uintptr_t)params;   // read-only here; block_of() serves grads too
    const int ln = cfg->layernorm, mlp = !cfg->attention_only;

    encoder_forward(acts + A.resid, tokens, params + P.wte, params + P.wpe, B, T, C);
    for (int l = 0; l < L; l++) {
        block_params w = block_of(pw, &P, l);
        float *resid = acts + A.resid + (size_t)l * A.nc, *next = acts + A.resid + (size_t)(l + 1) * A.nc;
        float *x = resid;
        if (ln) {
            x = acts + A.ln1 + (size_t)l * A.nc;
            layernorm_forward(x, acts + A.ln1_mean + (size_t)l * round16((size_t)N),
                              acts + A.ln1_rstd + (size_t)l * round16((size_t)N), resid, w.ln1g, w.ln1b, N, C);
        }
        float *q = acts + A.q + (size_t)l * A.nc, *k = acts + A.k + (size_t)l * A.nc, *v = acts + A.v + (size_t)l * A.nc;
        float *row = acts + A.drow;    // scratch: one projection, row-major
        matmul_forward(row, x, w.wq, w.bq, N, C, C); split_heads(q, row, B, T, C, NH);
        matmul_forward(row, x, w.wk, w.bk, N, C, C); split_heads(k, row, B, T, C, NH);
        matmul_forward(row, x, w.wv, w.bv, N, C, C); split_heads(v, row, B, T, C, NH);
        float *ho = acts + A.head_out + (size_t)l * A.nc, *atty = acts + A.atty + (size_t)l * A.nc;
        rc = attention_forward(ho, acts + A.scores + (size_t)l * A.nn, acts + A.att + (size_t)l * A.nn,
                               q, k, v, B, T, NH, hs, l, ablations, n_ablations,
                               (uint64_t)ablation_seed * 0x9E3779B97F4A7C15ull + (uint64_t)l);
        if (rc) return rc;
        merge_heads(atty, ho, B, T, C, NH);
        float *mid = mlp ? acts + A.resid_mid + (size_t)l * A.nc : next;
        matmul_forward(mid, atty, w.wo, w.bo, N, C, C);
        residual_add(mid, resid, (size_t)N * C);
        if (!mlp) continue;
        float *x2 = mid;
        if (ln) {
            x2 = acts + A.ln2 + (size_t)l * A.nc;
            layernorm_forward(x2, acts + A.ln2_mean + (size_t)l * round16((size_t)N),
                              acts + A.ln2_rstd + (size_t)l * round16((size_t)N), mid, w.ln2g, w.ln2b, N, C);
        }
        float *fch = acts + A.fch + (size_t)l * A.nf, *fg = acts + A.fch_gelu + (size_t)l * A.nf;
        matmul_forward(fch, x2, w.wfc, w.bfc, N, C, F);
        gelu_forward(fg, fch, (size_t)N * F);
        matmul_forward(next, fg, w.wproj, w.bproj, N, F, C);
        residual_add(next, mid, (size_t)N * C);
    }
    float *final = acts + A.resid + (size_t)L * A.nc;
    if (ln) {
        layernorm_forward(acts + A.lnf, acts + A.lnf_mean, acts + A.lnf_rstd, final,
                          params + P.lnfg, params + P.lnfb, N, C);
        final = acts + A.lnf;
    }
    // logits = final · wteᵀ: wte transposed once (C, V) so the inner loop runs along the vocab
    float *logits = acts + A.logits, *wt = acts + A.wt;
    transpose(wt, params + P.wte, V, C);
    gemm(logits, final, (size_t)C, 1, wt, N, C, V, 0);
    if (!attn__all_finite(logits, (size_t)N * V)) return ATTN_ERR_NONFINITE;
    if (targets) {
        int counted = crossentropy_forward(acts + A.losses, logits, targets, N, V);
        double sum = 0.0;
        for (int i = 0; i < N; i++) sum += acts[A.losses + i];
        *loss = counted > 0 ? (float)(sum / counted) : 0.0f;
        if (!isfinite(*loss)) return ATTN_ERR_NONFINITE;
    } else if (loss) {
        *loss = 0.0f;
    }
    acts[1] = (float)B;
    acts[2] = (float)T;
    acts[3] = ablated ? 1.0f : 0.0f;
    acts[0] = STATE_MAGIC;
    return ATTN_OK;
}

// Does acts hold a forward of (B, T) (with its logits intact)?
static int forward_done(const float *acts, int B, int T) {
    return acts[0] == STATE_MAGIC && acts[1] == (float)B && acts[2] == (float)T;
}

COLD int attn_gpt_backward(float *grads, float *acts, const float *params, const attn_gpt_config *cfg,
                      const int *tokens, const int *targets, int batch, int seq) {
    if (!grads || !acts || !params || !cfg || !tokens || !targets) return ATTN_ERR_NULL;
    act_layout A;
    int rc = act_layout_of(cfg, batch, seq, &A);
    if (rc) return rc;
    if (!forward_done(acts, batch, seq) || acts[3] != 0.0f) return ATTN_ERR_STATE;
    const int B = batch, T = seq, C = cfg->d_model, NH = cfg->n_heads, L = cfg->n_layers, V = cfg->vocab;
    const int F = cfg->attention_only ? 0 : cfg->d_mlp, hs = C / NH, N = B * T;
    if ((rc = check_tokens(tokens, (size_t)N, V))) return rc;
    int counted = 0;
    for (int i = 0; i < N; i++) {
        if (targets[i] >= V) return ATTN_ERR_INDEX;
        counted += targets[i] >= 0;
    }
    param_layout P;
    param_layout_of(cfg, &P);
    memset(grads, 0, P.total * sizeof(float));
    acts[0] = STATE_MAGIC + 1.0f;      // the logits are about to become their gradient
    float *pw = (float *)(uintptr_t)params;
    const int ln = cfg->layernorm, mlp = !cfg->attention_only;
    const size_t nh = round16((size_t)N);
    float *dresid = acts + A.dresid, *dx = acts + A.dx, *drow = acts + A.drow, *wt = acts + A.wt;

    // logits = final · wteᵀ
    float *dlogits = acts + A.logits;
    crossentropy_backward(dlogits, targets, N, V, counted);
    const float *final = ln ? acts + A.lnf : acts + A.resid + (size_t)L * A.nc;
    float *dfinal = ln ? dx : dresid;
    gemm(dfinal, dlogits, (size_t)V, 1, params + P.wte, N, V, C, 0);                 // (N,V)·(V,C)
    gemm(grads + P.wte, dlogits, 1, (size_t)V, final, V, N, C, 1);                   // (V,N)·(N,C)
    if (ln) {
        memset(dresid, 0, (size_t)N * C * sizeof(float));
        layernorm_backward(dresid, grads + P.lnfg, grads + P.lnfb, dx, acts + A.resid + (size_t)L * A.nc,
                           params + P.lnfg, acts + A.lnf_mean, acts + A.lnf_rstd, N, C);
    }
    for (int l = L - 1; l >= 0; l--) {
        block_params w = block_of(pw, &P, l), g = block_of(grads, &P, l);
        const float *resid = acts + A.resid + (size_t)l * A.nc;
        if (mlp) {
            // dresid is d/d(block output) = d/d(mid) directly + through the MLP
            const float *mid = acts + A.resid_mid + (size_t)l * A.nc;
            const float *x2 = ln ? acts + A.ln2 + (size_t)l * A.nc : mid;
            const float *fch = acts + A.fch + (size_t)l * A.nf, *fg = acts + A.fch_gelu + (size_t)l * A.nf;
            float *dfch = acts + A.dfch;
            matmul_backward(dfch, g.wproj, g.bproj, dresid, fg, w.wproj, wt, N, F, C, 0);
            gelu_backward(dfch, fch, dfch, (size_t)N * F);
            if (ln) {
                matmul_backward(dx, g.wfc, g.bfc, dfch, x2, w.wfc, wt, N, C, F, 0);
                layernorm_backward(dresid, g.ln2g, g.ln2b, dx, mid, w.ln2g,
                                   acts + A.ln2_mean + (size_t)l * nh, acts + A.ln2_rstd + (size_t)l * nh, N, C);
            } else {
                matmul_backward(dresid, g.wfc, g.bfc, dfch, x2, w.wfc, wt, N, C, F, 1);
            }
        }
        // dresid is now d/d(mid): mid = resid + atty · wo + bo
        const float *x = ln ? acts + A.ln1 + (size_t)l * A.nc : resid;
        const float *atty = acts + A.atty + (size_t)l * A.nc;
        matmul_backward(drow, g.wo, g.bo, dresid, atty, w.wo, wt, N, C, C, 0);
        float *dhead = acts + A.dhead, *dq = acts + A.dq, *dk = acts + A.dk, *dv = acts + A.dv;
        split_heads(dhead, drow, B, T, C, NH);
        attention_backward(dq, dk, dv, acts + A.datt, dhead, acts + A.q + (size_t)l * A.nc,
                           acts + A.k + (size_t)l * A.nc, acts + A.v + (size_t)l * A.nc,
                           acts + A.att + (size_t)l * A.nn, B, T, NH, hs);
        // through q, k, v = x · w + b; without LayerNorm x is resid, so accumulate straight in
        float *dxin = ln ? dx : dresid;
        merge_heads(drow, dq, B, T, C, NH);
        matmul_backward(dxin, g.wq, g.bq, drow, x, w.wq, wt, N, C, C, !ln);
        merge_heads(drow, dk, B, T, C, NH);
        matmul_backward(dxin, g.wk, g.bk, drow, x, w.wk, wt, N, C, C, 1);
        merge_heads(drow, dv, B, T, C, NH);
        matmul_backward(dxin, g.wv, g.bv, drow, x, w.wv, wt, N, C, C, 1);
        if (ln)
            layernorm_backward(dresid, g.ln1g, g.ln1b, dx, resid, w.ln1g,
                               acts + A.ln1_mean + (size_t)l * nh, acts + A.ln1_rstd + (size_t)l * nh, N, C);
    }
    encoder_backward(grads + P.wte, grads + P.wpe, dresid, tokens, B, T, C);
    return attn__all_finite(grads, P.total) ? ATTN_OK : ATTN_ERR_NONFINITE;
}

// ---------------------------------------------------------------------------------------
// The trace

COLD static const float *head_array(const float *acts, const attn_gpt_config *cfg, int B, int T,
                               int layer, int head, int which) {
    act_layout A;
    if (!acts || act_layout_of(cfg, B, T, &A)) return NULL;
    if (layer < 0 || layer >= cfg->n_layers || head < 0 || head >= cfg->n_heads) return NULL;
    const size_t per_head_tt = (size_t)B * T * T, per_head_hs = (size_t)B * T * (cfg->d_model / cfg->n_heads);
    switch (which) {
    case 0: return acts + A.att + layer * A.nn + head * per_head_tt;
    case 1: return acts + A.scores + layer * A.nn + head * per_head_tt;
    case 2: return acts + A.q + layer * A.nc + head * per_head_hs;
    case 3: return acts + A.k + layer * A.nc + head * per_head_hs;
    case 4: return acts + A.v + layer * A.nc + head * per_head_hs;
    default: return acts + A.head_out + layer * A.nc + head * per_head_hs;
    }
}

const float *attn_gpt_weights(const float *acts, const attn_gpt_config *cfg, int batch, int seq, int layer, int head) {
    return head_array(acts, cfg, batch, seq, layer, head, 0);
}
const float *attn_gpt_scores(const float *acts, const attn_gpt_config *cfg, int batch, int seq, int layer, int head) {
    return head_array(acts, cfg, batch, seq, layer, head, 1);
}
const float *attn_gpt_q(const float *acts, const attn_gpt_config *cfg, int batch, int seq, int layer, int head) {
    return head_array(acts, cfg, batch, seq, layer, head, 2);
}
const float *attn_gpt_k(const float *acts, const attn_gpt_config *cfg, int batch, int seq, int layer, int head) {
    return head_array(acts, cfg, batch, seq, layer, head, 3);
}
const float *attn_gpt_v(const float *acts, const attn_gpt_config *cfg, int batch, int seq, int layer, int head) {
    return head_array(acts, cfg, batch, seq, layer, head, 4);
}
const float *attn_gpt_head_out(const float *acts, const attn_gpt_config *cfg, int batch, int seq, int layer, int head) {
    return head_array(acts, cfg, batch, seq, layer, head, 5);
}

const float *attn_gpt_logits(const float *acts, const attn_gpt_config *cfg, int batch, int seq) {
    act_layout A;
    if (!acts || act_layout_of(cfg, batch, seq, &A)) return NULL;
    return acts + A.logits;
}

const float *attn_gpt_residual(const float *acts, const attn_gpt_config *cfg, int batch, int seq, int layer) {
    act_layout A;
    if (!acts || act_layout_of(cfg, batch, seq, &A) || layer < 0 || layer > cfg->n_layers) return NULL;
    return acts + A.resid + (size_t)layer * A.nc;
}

COLD int attn_gpt_position_losses(float *out, const float *acts, const attn_gpt_config *cfg,
                             const int *targets, int batch, int seq) {
    if (!out || !acts || !cfg || !targets) return ATTN_ERR_NULL;
    act_layout A;
    int rc = act_layout_of(cfg, batch, seq, &A);
    if (rc) return rc;
    if (!forward_done(acts, batch, seq)) return ATTN_ERR_STATE;
    const int N = batch * seq;
    for (int i = 0; i < N; i++)
        if (targets[i] >= cfg->vocab) return ATTN_ERR_INDEX;
    crossentropy_forward(out, acts + A.logits, targets, N, cfg->vocab);
    return ATTN_OK;
}

// ---------------------------------------------------------------------------------------
// Optimiser: AdamW, the learning-rate schedule, one training step

attn_adamw_options attn_adamw_default_options(void) {
    attn_adamw_options o = { 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 1.0f };
    return o;
}

COLD static int check_adamw(const attn_adamw_options *o, int step) {
    if (step < 1) return ATTN_ERR_SIZE;
    if (!isfinite(o->lr) || o->lr < 0.0f || !(o->beta1 >= 0.0f && o->beta1 < 1.0f) ||
        !(o->beta2 >= 0.0f && o->beta2 < 1.0f) || !(o->eps > 0.0f) || !isfinite(o->eps) ||
        !isfinite(o->weight_decay) || o->weight_decay < 0.0f || !isfinite(o->clip_norm) || o->clip_norm < 0.0f)
        return ATTN_ERR_SCALE;
    return ATTN_OK;
}

// the global L2 norm of grads, in double, in order
HOT static double grad_norm_of(const float *grads, size_t count) {
    double sum = 0.0;
    for (size_t i = 0; i < count; i++) sum += (double)grads[i] * grads[i];
    return sqrt(sum);
}

// AdamW on [begin, end) of the block with a given decay and gradient scale.
HOT static void adamw_range(float *params, const float *grads, float *m, float *v, size_t begin, size_t end,
                        const attn_adamw_options *o, float decay, float grad_scale, float bc1, float bc2) {
    for (size_t i = begin; i < end; i++) {
        float g = grads[i] * grad_scale;
        m[i] = o->beta1 * m[i] + (1.0f - o->beta1) * g;
        v[i] = o->beta2 * v[i] + (1.0f - o->beta2) * g * g;
        float mhat = m[i] / bc1, vhat = v[i] / bc2;
        params[i] -= o->lr * (mhat / (sqrtf(vhat) + o->eps) + decay * params[i]);
    }
}

// The shared start of both steps: checks, the norm and the clipping scale.
// x^n for n >= 1 by repeated squaring in double: exact enough, and the same on every platform
static double power(double x, int n) {
    double result = 1.0;
    for (; n > 0; n >>= 1, x *= x)
        if (n & 1) result *= x;
    return result;
}

COLD static int adamw_prepare(const float *grads, size_t count, int step, const attn_adamw_options *o,
                         float *grad_norm, float *scale, float *bc1, float *bc2) {
    int rc = check_adamw(o, step);
    if (rc) return rc;
    double norm = grad_norm_of(grads, count);
    if (grad_norm) *grad_norm = (float)norm;
    if (!isfinite(norm)) return ATTN_ERR_NONFINITE;
    *scale = (o->clip_norm > 0.0f && norm > o->clip_norm) ? (float)(o->clip_norm / norm) : 1.0f;
    *bc1 = (float)(1.0 - power(o->beta1, step));
    *bc2 = (float)(1.0 - power(o->beta2, step));
    return ATTN_OK;
}

COLD int attn_adamw_step(float *params, const float *grads, float *m, float *v, size_t count,
                    int step, const attn_adamw_options *opt, float *grad_norm) {
    if (!params || !grads || !m || !v || !opt) return ATTN_ERR_NULL;
    if (count == 0) return ATTN_ERR_SIZE;
    float scale, bc1, bc2;
    int rc = adamw_prepare(grads, count, step, opt, grad_norm, &scale, &bc1, &bc2);
    if (rc) return rc;
    adamw_range(params, grads, m, v, 0, count, opt, opt->weight_decay, scale, bc1, bc2);
    return ATTN_OK;
}

COLD int attn_gpt_adamw_step(float *params, const float *grads, float *m, float *v,
                        const attn_gpt_config *cfg, int step, const attn_adamw_options *opt,
                        float *grad_norm) {
    if (!params || !grads || !m || !v || !opt || !cfg) return ATTN_ERR_NULL;
    int rc = attn_gpt_check_config(cfg);
    if (rc) return rc;
    float scale, bc1, bc2;
    const size_t count = attn_gpt_param_floats(cfg);
    if ((rc = adamw_prepare(grads, count, step, opt, grad_norm, &scale, &bc1, &bc2))) return rc;
    const int tensors = attn_gpt_tensor_count(cfg);
    for (int t = 0; t < tensors; t++) {
        size_t off;
        int rows, cols;
        attn_gpt_tensor_info(cfg, t, NULL, &off, &rows, &cols);
        float decay = tensor_is_matrix(cfg, t) ? opt->weight_decay : 0.0f;
        adamw_range(params, grads, m, v, off, off + (size_t)rows * cols, opt, decay, scale, bc1, bc2);
    }
    return ATTN_OK;
}

// cos(pi x) for x in [0, 1] by its Taylor series (error < 1e-10): no libm, so the schedule is
// the same number natively and in WebAssembly
static double cos_pi(double x) {
    const double pi = 3.14159265358979323846;
    double sign = 1.0;
    if (x > 0.5) { x = 1.0 - x; sign = -1.0; }   // cos(pi - t) = -cos(t)
    double t2 = (pi * x) * (pi * x), term = 1.0, sum = 1.0;
    for (int k = 1; k <= 9; k++) {
        term *= -t2 / ((2.0 * k - 1.0) * (2.0 * k));
        sum += term;
    }
    return sign * sum;
}

float attn_lr_schedule(int step, int warmup, int total, float lr_max, float lr_min) {
    if (warmup > 0 && step <= warmup) return lr_max * (float)step / (float)warmup;
    if (step >= total || total <= warmup) return lr_min;
    double progress = (double)(step - warmup) / (double)(total - warmup);
    return lr_min + (float)(0.5 * (1.0 + cos_pi(progress)) * ((double)lr_max - lr_min));
}

COLD int attn_gpt_train_step(float *params, float *grads, float *m, float *v, float *acts,
                        const attn_gpt_config *cfg, const int *tokens, const int *targets,
                        int batch, int seq, int step, const attn_adamw_options *opt,
                        float *loss, float *grad_norm) {
    if (!targets || !opt) return ATTN_ERR_NULL;
    float l = 0.0f;
    int rc = attn_gpt_forward(acts, &l, params, cfg, tokens, targets, batch, seq, NULL, 0);
    if (loss) *loss = l;
    if (rc) return rc;
    if ((rc = attn_gpt_backward(grads, acts, params, cfg, tokens, targets, batch, seq))) return rc;
    return attn_gpt_adamw_step(params, grads, m, v, cfg, step, opt, grad_norm);
}

// ---------------------------------------------------------------------------------------
// The induction task

COLD int attn_induction_batch(int *tokens, int *targets, int *periods, int batch, int seq,
                         int vocab, int min_period, int max_period, unsigned seed, int step) {
    if (!tokens || !targets) return ATTN_ERR_NULL;
    if (batch < 1 || seq < 1 || vocab < 2 || min_period < 1 || step < 0) return ATTN_ERR_SIZE;
    if (max_period < min_period || vocab - 1 < max_period || seq <= max_period + 1) return ATTN_ERR_INDEX;
    if ((size_t)batch > ATTN_MAX_ELEMENTS / (size_t)seq) return ATTN_ERR_OVERFLOW;
    int symbols[1024];
    if (vocab - 1 > 1024) return ATTN_ERR_INDEX;
    for (int b = 0; b < batch; b++) {
        uint64_t state = ((uint64_t)seed << 32 | (uint32_t)step) ^ ((uint64_t)b * 0xD1B54A32D192ED03ull);
        splitmix64(&state);
        const int period = min_period + random_below(&state, max_period - min_period + 1);
        // a block of distinct symbols: a partial Fisher-Yates shuffle of 1..vocab-1
        for (int s = 0; s < vocab - 1; s++) symbols[s] = s + 1;
        for (int s = 0; s < period; s++) {
            int r = s + random_below(&state, vocab - 1 - s);
            int tmp = symbols[s]; symbols[s] = symbols[r]; symbols[r] = tmp;
        }
        int *tok = tokens + (size_t)b * seq, *tgt = targets + (size_t)b * seq;
        tok[0] = ATTN_INDUCTION_BOS;
        for (int t = 1; t < seq; t++) tok[t] = symbols[(t - 1) % period];
        for (int t = 0; t + 1 < seq; t++) tgt[t] = tok[t + 1];
        tgt[seq - 1] = -1;
        if (periods) periods[b] = period;
    }
    return ATTN_OK;
}

COLD int attn_induction_split_loss(float *loss_first, float *loss_repeat, const float *position_losses,
                              const int *periods, int batch, int seq) {
    if (!loss_first || !loss_repeat || !position_losses || !periods) return ATTN_ERR_NULL;
    if (batch < 1 || seq < 2) return ATTN_ERR_SIZE;
    double first = 0.0, repeat = 0.0;
    long n_first = 0, n_repeat = 0;
    for (int b = 0; b < batch; b++) {
        if (periods[b] < 1) return ATTN_ERR_INDEX;
        for (int t = 0; t + 1 < seq; t++) {
            double l = position_losses[(size_t)b * seq + t];
            if (t <= periods[b]) { first += l; n_first++; }
            else { repeat += l; n_repeat++; }
        }
    }
    *loss_first = n_first ? (float)(first / n_first) : 0.0f;
    *loss_repeat = n_repeat ? (float)(repeat / n_repeat) : 0.0f;
    return ATTN_OK;
}

COLD int attn_prefix_match(float *out, const float *acts, const attn_gpt_config *cfg,
                      const int *tokens, int batch, int seq) {
    if (!out || !acts || !cfg || !tokens) return ATTN_ERR_NULL;
    act_layout A;
    int rc = act_layout_of(cfg, batch, seq, &A);
    if (rc) return rc;
    // the weights survive the backward (which marks acts with STATE_MAGIC + 1)
    if (acts[1] != (float)batch || acts[2] != (float)seq || (acts[0] != STATE_MAGIC && acts[0] != STATE_MAGIC + 1.0f))
        return ATTN_ERR_STATE;
    if ((rc = check_tokens(tokens, (size_t)batch * seq, cfg->vocab))) return rc;
    for (int l = 0; l < cfg->n_layers; l++)
        for (int h = 0; h < cfg->n_heads; h++) {
            const float *w = attn_gpt_weights(acts, cfg, batch, seq, l, h);
            double sum = 0.0;
            long count = 0;
            for (int b = 0; b < batch; b++) {
                const int *tok = tokens + (size_t)b * seq;
                const float *wb = w + (size_t)b * seq * seq;
                for (int i = 1; i < seq; i++) {
                    int j = i - 1;
                    while (j >= 0 && tok[j] != tok[i]) j--;
                    if (j < 0) continue;
                    sum += wb[(size_t)i * seq + j + 1];
                    count++;
                }
            }
            out[l * cfg->n_heads + h] = count ? (float)(sum / count) : 0.0f;
        }
    return ATTN_OK;
}

// ---------------------------------------------------------------------------------------
// Generation: one position at a time with a KV cache, the full recompute, sampling
//
// The cached step runs the same kernels as attn_gpt_forward() (layernorm_forward,
// matmul_forward, gelu_forward) on one row, so its logits match the full recompute's to
// float rounding (the attention row's dot products are summed in another order).

#define KV_HEADER 16
#define KV_MAGIC  40960.0f

// Float offsets in a cache; K and V are (L, NH, context, hs).
typedef struct {
    size_t k, v;                       // the stacks
    size_t x, h, q, kn, vn, atty, mid, h2, stats, fch, fg, scores;   // one position's work
    size_t total;
} kv_layout;

// Returns ATTN_OK and fills lay for a valid cfg.
COLD static int kv_layout_of(const attn_gpt_config *c, kv_layout *lay) {
    int rc = attn_gpt_check_config(c);
    if (rc) return rc;
    const double L = c->n_layers, C = c->d_model, F = c->attention_only ? 0 : c->d_mlp;
    if (2.0 * L * c->context * C + 16.0 * (C + F + c->context + 64) > (double)ATTN_MAX_ELEMENTS)
        return ATTN_ERR_OVERFLOW;
    const size_t stack = (size_t)c->n_layers * (size_t)c->context * (size_t)c->d_model;
    const size_t Cs = round16((size_t)c->d_model), Fs = round16((size_t)F);
    size_t off = KV_HEADER;
#define TAKE(field, n) (lay->field = off, off += (n))
    TAKE(k, round16(stack));
    TAKE(v, round16(stack));
    TAKE(x, Cs); TAKE(h, Cs); TAKE(q, Cs); TAKE(kn, Cs); TAKE(vn, Cs);
    TAKE(atty, Cs); TAKE(mid, Cs); TAKE(h2, Cs);
    TAKE(stats, 16);
    TAKE(fch, Fs); TAKE(fg, Fs);
    TAKE(scores, round16((size_t)c->context));
#undef TAKE
    lay->total = off;
    return ATTN_OK;
}

size_t attn_gpt_kv_floats(const attn_gpt_config *cfg) {
    kv_layout lay;
    return kv_layout_of(cfg, &lay) == ATTN_OK ? lay.total : 0;
}

size_t attn_gpt_kv_bytes(const attn_gpt_config *cfg, int rows) {
    kv_layout lay;
    if (kv_layout_of(cfg, &lay) || rows < 0 || rows > cfg->context) return 0;
    return 2 * (size_t)cfg->n_layers * (size_t)rows * (size_t)cfg->d_model * sizeof(float);
}

// the config as the cache's header records it
static void kv_header_config(float *h, const attn_gpt_config *c) {
    h[2] = (float)c->vocab; h[3] = (float)c->context; h[4] = (float)c->d_model;
    h[5] = (float)c->n_heads; h[6] = (float)c->n_layers; h[7] = (float)c->d_mlp;
    h[8] = (float)c->attention_only; h[9] = (float)c->layernorm;
}

// Is kv (kv_floats) a cache made by attn_gpt_kv_init() for cfg? *lay filled when it is.
COLD static int kv_check(const float *kv, size_t kv_floats, const attn_gpt_config *cfg, kv_layout *lay) {
    if (!kv || !cfg) return ATTN_ERR_NULL;
    int rc = kv_layout_of(cfg, lay);
    if (rc) return rc;
    if (kv_floats < lay->total) return ATTN_ERR_SCRATCH;
    float want[KV_HEADER] = {0};
    kv_header_config(want, cfg);
    if (kv[0] != KV_MAGIC || !(kv[1] >= 0.0f && kv[1] <= (float)cfg->context)) return ATTN_ERR_STATE;
    for (int i = 2; i < 10; i++)
        if (kv[i] != want[i]) return ATTN_ERR_STATE;
    return ATTN_OK;
}

COLD int attn_gpt_kv_init(float *kv, size_t kv_floats, const attn_gpt_config *cfg) {
    if (!kv || !cfg) return ATTN_ERR_NULL;
    kv_layout lay;
    int rc = kv_layout_of(cfg, &lay);
    if (rc) return rc;
    if (kv_floats < lay.total) return ATTN_ERR_SCRATCH;
    memset(kv, 0, KV_HEADER * sizeof(float));
    kv_header_config(kv, cfg);
    kv[1] = 0.0f;
    kv[0] = KV_MAGIC;
    return ATTN_OK;
}

int attn_gpt_kv_rows(const float *kv, size_t kv_floats, const attn_gpt_config *cfg) {
    kv_layout lay;
    int rc = kv_check(kv, kv_floats, cfg, &lay);
    return rc ? rc : (int)kv[1];
}

// Multiply-adds of the position-wise work of one position (projections, MLP, logits).
static double position_madds(const attn_gpt_config *c) {
    const double C = c->d_model, F = c->attention_only ? 0 : c->d_mlp;
    return c->n_layers * (4.0 * C * C + 2.0 * C * F) + C * (double)c->vocab;
}

COLD int attn_gpt_step_madds(double *madds, const attn_gpt_config *cfg, int seq, int cached) {
    if (!madds) return ATTN_ERR_NULL;
    int rc = attn_gpt_check_config(cfg);
    if (rc) return rc;
    if (seq < 1) return ATTN_ERR_SIZE;
    if (seq > cfg->context) return ATTN_ERR_CONTEXT;
    if (cached != 0 && cached != 1) return ATTN_ERR_INDEX;
    const double L = cfg->n_layers, C = cfg->d_model, T = seq;
    // attention: every head scores its row against each key and sums the values, d_head each;
    // the full forward's attn_head() does so over the whole T x T square (masked cells too)
    *madds = cached ? position_madds(cfg) + L * 2.0 * T * C
                    : T * position_madds(cfg) + L * 2.0 * T * T * C;
    return ATTN_OK;
}

COLD int attn_gpt_kv_append(float *logits, float *weights, double *madds, float *kv, size_t kv_floats,
                            const float *params, const attn_gpt_config *cfg, int token) {
    if (!logits || !params) return ATTN_ERR_NULL;
    kv_layout K;
    int rc = kv_check(kv, kv_floats, cfg, &K);
    if (rc) return rc;
    if (token < 0 || token >= cfg->vocab) return ATTN_ERR_INDEX;
    const int t = (int)kv[1];          // the new position
    if (t >= cfg->context) return ATTN_ERR_CONTEXT;
    const int C = cfg->d_model, NH = cfg->n_heads, L = cfg->n_layers, V = cfg->vocab, hs = C / NH;
    const int F = cfg->attention_only ? 0 : cfg->d_mlp, ctx = cfg->context;
    const int ln = cfg->layernorm, mlp = !cfg->attention_only;
    param_layout P;
    param_layout_of(cfg, &P);
    float *pw = (float *)(uintptr_t)params;   // read-only here, as in attn_gpt_forward()
    float *x = kv + K.x, *stats = kv + K.stats, *scores = kv + K.scores;
    const float scale = 1.0f / sqrtf((float)hs);
    double count = 0.0;

    // token embedding + the embedding of position t
    for (int i = 0; i < C; i++) x[i] = params[P.wte + (size_t)token * C + i] + params[P.wpe + (size_t)t * C + i];
    for (int l = 0; l < L; l++) {
        block_params w = block_of(pw, &P, l);
        float *h = x;
        if (ln) {
            h = kv + K.h;
            layernorm_forward(h, stats, stats + 1, x, w.ln1g, w.ln1b, 1, C);
        }
        float *q = kv + K.q, *kn = kv + K.kn, *vn = kv + K.vn, *atty = kv + K.atty;
        matmul_forward(q, h, w.wq, w.bq, 1, C, C);
        matmul_forward(kn, h, w.wk, w.bk, 1, C, C);
        matmul_forward(vn, h, w.wv, w.bv, 1, C, C);
        count += 3.0 * C * C;
        for (int hd = 0; hd < NH; hd++) {
            // the new K and V rows go on the stacks; then one row of attention over rows 0..t
            float *ks = kv + K.k + ((size_t)l * NH + hd) * (size_t)ctx * hs;
            float *vs = kv + K.v + ((size_t)l * NH + hd) * (size_t)ctx * hs;
            memcpy(ks + (size_t)t * hs, kn + hd * hs, (size_t)hs * sizeof(float));
            memcpy(vs + (size_t)t * hs, vn + hd * hs, (size_t)hs * sizeof(float));
            const float *qh = q + hd * hs;
            for (int j = 0; j <= t; j++) {
                const float *kj = ks + (size_t)j * hs;
                float s = 0.0f;
                for (int c = 0; c < hs; c++) s += qh[c] * kj[c];
                scores[j] = s * scale;
            }
            rc = attn_softmax_rows(scores, scores, 1, t + 1, 1.0f, NULL);
            if (rc) return rc;
            float *out = atty + hd * hs;
            for (int c = 0; c < hs; c++) out[c] = 0.0f;
            for (int j = 0; j <= t; j++) {
                const float *vj = vs + (size_t)j * hs;
                for (int c = 0; c < hs; c++) out[c] += scores[j] * vj[c];
            }
            count += 2.0 * (t + 1) * hs;
            if (weights) {
                float *row = weights + ((size_t)l * NH + hd) * (size_t)ctx;
                for (int j = 0; j < ctx; j++) row[j] = j <= t ? scores[j] : 0.0f;
            }
        }
        float *mid = kv + K.mid;
        matmul_forward(mid, atty, w.wo, w.bo, 1, C, C);
        residual_add(mid, x, (size_t)C);
        count += (double)C * C;
        if (mlp) {
            float *h2 = mid;
            if (ln) {
                h2 = kv + K.h2;
                layernorm_forward(h2, stats, stats + 1, mid, w.ln2g, w.ln2b, 1, C);
            }
            float *fch = kv + K.fch, *fg = kv + K.fg;
            matmul_forward(fch, h2, w.wfc, w.bfc, 1, C, F);
            gelu_forward(fg, fch, (size_t)F);
            matmul_forward(x, fg, w.wproj, w.bproj, 1, F, C);
            residual_add(x, mid, (size_t)C);
            count += 2.0 * C * F;
        } else {
            memcpy(x, mid, (size_t)C * sizeof(float));
        }
    }
    const float *final = x;
    if (ln) {
        layernorm_forward(kv + K.h, stats, stats + 1, x, params + P.lnfg, params + P.lnfb, 1, C);
        final = kv + K.h;
    }
    // logits = final · wteᵀ, each summed over the width in order as the full forward's gemm does
    const float *wte = params + P.wte;
    for (int v = 0; v < V; v++) {
        const float *e = wte + (size_t)v * C;
        float s = 0.0f;
        for (int c = 0; c < C; c++) s += final[c] * e[c];
        logits[v] = s;
    }
    count += (double)C * V;
    if (!attn__all_finite(logits, (size_t)V)) return ATTN_ERR_NONFINITE;
    kv[1] = (float)(t + 1);
    if (madds) *madds = count;
    return t + 1;
}

COLD int attn_gpt_next_logits(float *logits, double *madds, float *acts, const float *params,
                              const attn_gpt_config *cfg, const int *tokens, int seq) {
    if (!logits || !acts || !params || !cfg || !tokens) return ATTN_ERR_NULL;
    int rc = attn_gpt_check_config(cfg);
    if (rc) return rc;
    if (seq > cfg->context) return ATTN_ERR_CONTEXT;
    if ((rc = attn_gpt_forward(acts, NULL, params, cfg, tokens, NULL, 1, seq, NULL, 0))) return rc;
    const float *all = attn_gpt_logits(acts, cfg, 1, seq);
    memcpy(logits, all + (size_t)(seq - 1) * cfg->vocab, (size_t)cfg->vocab * sizeof(float));
    if (madds) attn_gpt_step_madds(madds, cfg, seq, 0);
    return ATTN_OK;
}

COLD int attn_sample_next(float *probs, double *prob_sum, const float *logits, int vocab,
                          float temperature, unsigned seed, int step) {
    if (!probs || !logits) return ATTN_ERR_NULL;
    if (vocab < 1 || step < 0) return ATTN_ERR_SIZE;
    if (!isfinite(temperature) || temperature < 0.0f) return ATTN_ERR_TEMPERATURE;
    int rc = attn_softmax_rows(probs, logits, 1, vocab, temperature > 0.0f ? temperature : 1.0f, NULL);
    if (rc) return rc;
    double sum = 0.0;
    for (int i = 0; i < vocab; i++) sum += probs[i];
    if (prob_sum) *prob_sum = sum;
    int best = 0;
    if (temperature == 0.0f) {
        for (int i = 1; i < vocab; i++)
            if (logits[i] > logits[best]) best = i;
        return best;
    }
    // u in [0, 1) from (seed, step) alone: a link with a seed replays the same text
    uint64_t state = ((uint64_t)seed << 32) ^ (uint32_t)step ^ 0x6E6578745F746F6Bull;
    splitmix64(&state);
    const double u = (double)(splitmix64(&state) >> 11) * (1.0 / 9007199254740992.0);
    const double target = u * sum;
    double run = 0.0;
    for (int i = 0; i < vocab; i++) {
        if (probs[i] <= 0.0f) continue;
        run += probs[i];
        best = i;                      // the last token with a share, should rounding leave u past the end
        if (target < run) return i;
    }
    return best;
}
COLD int attn_phase_change(int *index, float *drop, const float *history, int count, int window,
                           float min_drop) {
    if (!index || (!history && count > 0)) return ATTN_ERR_NULL;
    if (count < 0 || window < 1) return ATTN_ERR_SIZE;
    if (!isfinite(min_drop)) return ATTN_ERR_NONFINITE;
    for (int i = 0; i < count; i++)
        if (!isfinite(history[i])) return ATTN_ERR_NONFINITE;
    *index = -1;
    if (drop) *drop = 0.0f;
    if (count < 2 * window) return ATTN_OK;
    // sliding sums of the `window` points before i and of the `window` points from i on
    double before = 0.0, after = 0.0, best = -INFINITY;
    int best_at = -1;
    for (int j = 0; j < window; j++) { before += history[j]; after += history[window + j]; }
    for (int i = window; ; i++) {
        double fall = (before - after) / window;
        if (fall > best) { best = fall; best_at = i; }   // the first of equal falls wins
        if (i + window >= count) break;
        before += (double)history[i] - history[i - window];
        after += (double)history[i + window] - history[i];
    }
    if (drop) *drop = (float)best;
    if (best >= min_drop) *index = best_at;
    return ATTN_OK;
}

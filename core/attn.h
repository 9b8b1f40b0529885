/* attn.h - the whole public API of Attention Explorer's C core.

   Scaled dot-product and multi-head attention on caller-owned, row-major float buffers,
   every intermediate step available, plus the lesson model: a word tokenizer, readable
   made-up embeddings and a few designed heads. C11, libm only, never allocates, never
   prints, never aborts: every entry point checks its arguments and returns a status.

   Usage, one head on three tokens:

     float q[3*2] = {...}, k[3*2] = {...}, v[3*2] = {...};   // (n, d) row-major
     float out[3*2], weights[3*3];
     attn_options opt = attn_default_options();            // scale 1/sqrt(d), T = 1, no mask
     opt.mask = ATTN_MASK_CAUSAL;
     attn_trace trace = { .weights = weights };
     int rc = attn_head(out, &trace, q, k, v, 3, 2, 2, &opt);
     if (rc < 0) fprintf(stderr, "attention: %s\n", attn_strerror(rc));

   Usage, the lesson model on a sentence:

     int starts[ATTN_MAX_TOKENS], ends[ATTN_MAX_TOKENS], total;
     int n = attn_tokenize(starts, ends, ATTN_MAX_TOKENS, text, (int)strlen(text), &total);
     float x[ATTN_MAX_TOKENS * ATTN_MODEL_DIM];
     attn_embed(x, text, starts, ends, n);
     const attn_layer_weights *model = attn_model();        // the designed heads
     // ...then attn_layer(out, &trace, x, n, model, &opt, scratch, scratch_floats)

   Conventions: outputs first, then inputs, then sizes. Sizes are ints (> 0). Shapes are
   written (rows, cols) beside each pointer. A status is 0 (ATTN_OK) or a negative ATTN_ERR_*;
   attn_strerror() turns it into a sentence. Functions that count something return the count
   (>= 0) or a negative status.
*/
#ifndef ATTN_H
#define ATTN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---------------------------------------------------------------------------------------
// Status codes

#define ATTN_OK               0
#define ATTN_ERR_NULL        -1   // a required pointer is NULL
#define ATTN_ERR_SIZE        -2   // a size is zero or negative
#define ATTN_ERR_OVERFLOW    -3   // a buffer of this shape would be too large (n*n, n*d, ...)
#define ATTN_ERR_TEMPERATURE -4   // temperature is not a finite number > 0
#define ATTN_ERR_SCALE       -5   // scale is NaN, infinite, negative, or 0 where no default applies
#define ATTN_ERR_MASK        -6   // unknown mask kind, window < 1, or no explicit mask given
#define ATTN_ERR_NONFINITE   -7   // an input holds NaN or infinity, or scores overflowed
#define ATTN_ERR_SCRATCH     -8   // the scratch or output buffer is too small
#define ATTN_ERR_EMPTY       -9   // the text holds no tokens (empty or only white space)
#define ATTN_ERR_INDEX       -10  // a head, token or dimension index is out of range
#define ATTN_ERR_CONFIG      -11  // a model config is invalid (sizes, heads not dividing d_model)
#define ATTN_ERR_STATE       -12  // acts do not hold a forward pass of this shape (or it was ablated)
#define ATTN_ERR_KERNEL      -13  // unknown kernel (not one of ATTN_KERNEL_*)
#define ATTN_ERR_RANGE       -14  // a plot bound or value outside its range (log axes: finite, > 0)

// A sentence for a status code (never NULL; unknown codes get a generic sentence).
const char *attn_strerror(int status);

// Every constant of this header and every field offset and size of its structs, by name
// ("ATTN_ERR_NULL", "attn_options.window", "sizeof attn_trace"), for bindings to other
// languages: the JS bridge reads this table at load instead of copying numbers by hand.
// attn_abi_name(i) is NULL and attn_abi_value(i) NaN when i is not in 0..attn_abi_count()-1.
int attn_abi_count(void);
const char *attn_abi_name(int i);
double attn_abi_value(int i);

// ---------------------------------------------------------------------------------------
// Options shared by every attention call

#define ATTN_MASK_NONE     0      // encoder: every token sees every token
#define ATTN_MASK_CAUSAL   1      // decoder: token i sees tokens 0..i
#define ATTN_MASK_WINDOW   2      // causal sliding window: token i sees i-window+1..i
#define ATTN_MASK_EXPLICIT 3      // allowed[i*n + j] != 0 means token i may see token j
#define ATTN_MASK_BLOCK_SPARSE 4  // local blocks of `window` tokens plus `globals` global tokens:
                                  // i sees j when i/window == j/window, or j < globals, or i < globals

typedef struct {
    float scale;                  // multiplies Q·Kᵀ; 0 means the default 1/sqrt(d_k)
    float temperature;            // divides the scaled scores before softmax; finite, > 0
    int   mask;                   // ATTN_MASK_*
    int   window;                 // width for ATTN_MASK_WINDOW (>= 1)
    const unsigned char *allowed; // (n, n) for ATTN_MASK_EXPLICIT, else ignored
    int   globals;                // global tokens for ATTN_MASK_BLOCK_SPARSE (>= 0)
} attn_options;

// Scale 0 (= 1/sqrt(d_k)), temperature 1, no mask.
attn_options attn_default_options(void);

// The temperatures the lesson offers (its slider), and the one used when none is usable.
#define ATTN_TEMPERATURE_MIN     0.05
#define ATTN_TEMPERATURE_MAX     3.0
#define ATTN_TEMPERATURE_DEFAULT 1.0

#define ATTN_CLAMP_NONE    0      // t was in range: *out = t
#define ATTN_CLAMP_LOW     1      // t was below the range: *out = ATTN_TEMPERATURE_MIN
#define ATTN_CLAMP_HIGH    2      // t was above the range: *out = ATTN_TEMPERATURE_MAX
#define ATTN_CLAMP_INVALID 3      // t was NaN, infinite or <= 0: *out = ATTN_TEMPERATURE_DEFAULT

// *out = t clamped into [ATTN_TEMPERATURE_MIN, ATTN_TEMPERATURE_MAX]. Returns which ATTN_CLAMP_*
// case applied (>= 0), or ATTN_ERR_NULL. Every page control and URL value goes through it.
int attn_clamp_temperature(double *out, double t);

// Every intermediate of an attention call. Each pointer may be NULL (not wanted); the
// per-head arrays are stacked head after head. attn_head() uses only raw..weights.
typedef struct {
    float *q, *k, *v;             // (n_heads, n, d_head) each: the projections of x
    float *raw;                   // (n_heads, n, n) Q·Kᵀ
    float *scaled;                // (n_heads, n, n) raw * scale
    float *masked;                // (n_heads, n, n) scaled, -INFINITY where blocked
    float *weights;               // (n_heads, n, n) softmax(masked / T) per row
    float *head_out;              // (n_heads, n, d_head) weights · V
    float *concat;                // (n, n_heads * d_head) head outputs side by side
    int    blocked_rows;          // out: rows with no allowed key (weights all 0), all heads
} attn_trace;

// ---------------------------------------------------------------------------------------
// The steps, one function each

// out (n, m) = a (n, k) · b (k, m). Projections X·W use this.
int attn_matmul(float *out, const float *a, const float *b, int n, int k, int m);

// scores (n, n) = q (n, d) · k (n, d)ᵀ, raw dot products.
int attn_scores(float *scores, const float *q, const float *k, int n, int d);

// out[i] = in[i] * scale, for count values (in place allowed). scale 0 is an error here.
int attn_scale(float *out, const float *in, size_t count, float scale);

// allowed (n, n): 1 where token i may look at token j under the mask, else 0.
int attn_mask_fill(unsigned char *allowed, int n, const attn_options *opt);

// scores (n, n) in place: -INFINITY where the mask blocks.
int attn_mask_apply(float *scores, int n, const attn_options *opt);

// out (rows, cols) = softmax(in / temperature) per row, computed after subtracting the row
// max. -INFINITY entries are blocked (weight 0); a row with nothing allowed gets all zeros and
// is counted in *blocked_rows (may be NULL). +INFINITY entries share the row equally (the
// limit). NaN in the input is ATTN_ERR_NONFINITE. In place allowed.
int attn_softmax_rows(float *out, const float *in, int rows, int cols, float temperature,
                      int *blocked_rows);

// out (n, d_v) = p (n, n) · v (n, d_v), the weighted sum of the values.
int attn_weighted_sum(float *out, const float *p, const float *v, int n, int d_v);

// out[r] = entropy in bits of row r of p (rows, cols); rows need not be normalised (zeros ok).
int attn_entropy_bits(float *out, const float *p, int rows, int cols);

// out[r] = sum of row r of m (rows, cols), added in double: "the weights sum to 1".
int attn_row_sums(float *out, const float *m, int rows, int cols);

// ---------------------------------------------------------------------------------------
// Whole calls

// One head: out (n, d_v) = softmax(mask(q·kᵀ · scale) / T) · v, with q, k (n, d_k) and
// v (n, d_v). trace must give .weights (n, n), which is also the work area; .raw, .scaled and
// .masked are filled when given. out may be NULL (then v may be too) when only the weights
// are wanted. opt may be NULL for the defaults.
int attn_head(float *out, attn_trace *trace, const float *q, const float *k, const float *v,
              int n, int d_k, int d_v, const attn_options *opt);

// attn_head() on the query rows [row_begin, row_end) only, with attn_head()'s checks, so a
// long run can be spread over time: rows of out (n, d_v) get the output, weights
// (row_end - row_begin, n) those rows' weights (also the work area). out may be NULL (then v
// may be too). *scale_used (may be NULL) gets the scale applied (1/sqrt(d_k) for scale 0),
// *blocked_rows (may be NULL) the rows of the range with no allowed key.
int attn_head_rows(float *out, float *weights, const float *q, const float *k, const float *v,
                   int n, int d_k, int d_v, const attn_options *opt, int row_begin, int row_end,
                   float *scale_used, int *blocked_rows);

// The weights of a multi-head layer (read-only to the core).
typedef struct {
    int d_model;                  // width of each input row
    int n_heads;                  // number of heads
    int d_head;                   // width of each head's q, k and v
    int d_out;                    // width of each output row; ignored when w_o is NULL
    const float *w_q;             // (n_heads, d_model, d_head)
    const float *w_k;             // (n_heads, d_model, d_head)
    const float *w_v;             // (n_heads, d_model, d_head)
    const float *w_o;             // (n_heads * d_head, d_out), or NULL: out is the concat
} attn_layer_weights;

// Floats of scratch attn_layer() needs for n tokens (0 if the shape is invalid/too large).
size_t attn_layer_scratch_floats(int n, const attn_layer_weights *w);

// A whole multi-head layer on x (n, d_model): per head Q = xW_q, K = xW_k, V = xW_v,
// attention as in attn_head(), then the heads side by side, then · w_o. out is (n, d_out),
// or (n, n_heads*d_head) without w_o; out may be NULL when only the trace is wanted.
int attn_layer(float *out, attn_trace *trace, const float *x, int n,
               const attn_layer_weights *w, const attn_options *opt,
               float *scratch, size_t scratch_floats);

// ---------------------------------------------------------------------------------------
// Long contexts: streaming and cheaper variants

// Streaming attention (online softmax over tiles of keys, FlashAttention-style): rows
// [row_begin, row_end) of out (n, d_v) = softmax(mask(q·kᵀ · scale) / T) · v, never
// materialising the n x n matrix (memory O(tile·d), no scratch). Matches attn_head() within
// 1e-5. Key tiles the mask blocks entirely are skipped, so causal and window masks also cut
// the work. Call it on successive row ranges to spread a long run over time. *blocked_rows
// (may be NULL) gets the rows of the range with no allowed key (their output is 0).
int attn_head_streaming(float *out, const float *q, const float *k, const float *v,
                        int n, int d_k, int d_v, const attn_options *opt,
                        int row_begin, int row_end, int *blocked_rows);

// Linear attention with the positive feature map phi(x) = elu(x) + 1:
//   out_i = phi(q_i)ᵀ S / (phi(q_i)ᵀ z),  S = sum_j phi(k_j) v_jᵀ (d_k, d_v),  z = sum_j phi(k_j)
// with the sums over every j, or over j <= i when causal. Cost O(n·d_k·d_v), memory
// O(d_k·d_v) in scratch (attn_linear_scratch_floats()). weights (n, n) may be NULL; when given
// (small n, for display) it gets the attention weights this implies, rows summing to 1.
int attn_linear(float *out, float *weights, const float *q, const float *k, const float *v,
                int n, int d_k, int d_v, int causal, float *scratch, size_t scratch_floats);
size_t attn_linear_scratch_floats(int d_k, int d_v);

// The kernels of the quadratic-cost lab, and the bytes each needs for n tokens of width d
// (all four of Q, K, V and the output, plus the kernel's own working memory: the n x n
// weights for full attention, tiles of scores (and for streaming with d <= 128, Q and output
// rows: 128 x (2d + 68) floats) for streaming and window, the d x d state for
// linear). window matters only to ATTN_KERNEL_WINDOW (>= 1). ATTN_ERR_OVERFLOW when the count
// does not fit a size_t.
#define ATTN_KERNEL_FULL      0   // attn_head_rows: materialises the n x n weights
#define ATTN_KERNEL_STREAMING 1   // attn_head_streaming
#define ATTN_KERNEL_WINDOW    2   // attn_head_streaming with ATTN_MASK_WINDOW
#define ATTN_KERNEL_LINEAR    3   // attn_linear
int attn_kernel_bytes(size_t *bytes, int kernel, int n, int d, int window);

// count seeded uniform random numbers in [-1, 1) (xorshift32; seed 0 is taken as 1).
int attn_fill_random(float *out, size_t count, unsigned seed);

// out[i] = where values[i] > 0 falls on a log10 axis from lo to hi (0 at lo, 1 at hi), for
// plots of cost against length. lo and hi must be finite, > 0 and differ (else
// ATTN_ERR_RANGE); a value <= 0 or not finite is ATTN_ERR_NONFINITE.
int attn_log_positions(float *out, const float *values, int count, float lo, float hi);

// out[i] = y0 * (xs[i] / x0)^exponent, in double: a reference line through (x0, y0), e.g.
// n^2 or n beside measured costs. x0 and xs[i] finite and > 0 (else ATTN_ERR_RANGE), y0 and
// exponent finite; a result that overflows float is ATTN_ERR_NONFINITE.
int attn_power_line(float *out, const float *xs, int count, float x0, float y0, float exponent);

// *slope = the least-squares slope of log(ys) against log(xs): the k of a cost that grows like
// x^k, measured (log-log axes show it as a straight line of that slope). count >= 2 (else
// ATTN_ERR_SIZE); every x and y finite and > 0 (else ATTN_ERR_RANGE); the xs must not all be
// equal (ATTN_ERR_RANGE). Sums in double.
int attn_log_slope(float *slope, const float *xs, const float *ys, int count);

// indices (min(k, count)) = positions of the k largest values, largest first, ties to the
// lower index; -INFINITY ranks last, NaN is ATTN_ERR_NONFINITE. Returns how many were written.
int attn_top_k(int *indices, const float *values, int count, int k);

// ---------------------------------------------------------------------------------------
// Text: a word-level tokenizer, UTF-8 safe

#define ATTN_MAX_TOKENS 256       // tokens the lesson model takes; longer text is truncated

// Split UTF-8 text into words, numbers, punctuation and symbols ("didn't" stays one token).
// starts/ends get byte offsets (end exclusive) of the first max_tokens tokens. Returns how
// many were written; *total_tokens (may be NULL) gets how many the whole text holds, so
// *total_tokens > return value reports truncation. Empty or white-space-only text is
// ATTN_ERR_EMPTY. Never splits a code point; invalid UTF-8 bytes become one-byte tokens.
int attn_tokenize(int *starts, int *ends, int max_tokens, const char *text, int text_len,
                  int *total_tokens);

// ---------------------------------------------------------------------------------------
// The lesson model: readable made-up embeddings and designed heads

#define ATTN_MODEL_DIM   32       // width of an embedding; every dimension has a name
#define ATTN_MODEL_HEADS 4        // designed heads, in the lesson's order
#define ATTN_HEAD_DIM    8        // width of each head's q, k and v

#define ATTN_HEAD_COREFERENCE 0   // a pronoun looks for the noun it refers to
#define ATTN_HEAD_PREVIOUS    1   // every token looks at the token before it
#define ATTN_HEAD_FIRST       2   // every token looks at the first token
#define ATTN_HEAD_UNNAMED     3   // seeded random projections: diffuse, hard to name

// Name of embedding dimension dim ("noun", "person", ...), or NULL when out of range.
const char *attn_feature_name(int dim);

// x (n, ATTN_MODEL_DIM): the embedding of each token of text, from the lexicon, the rules
// for unknown words, and the token's place in the sentence. starts/ends as from attn_tokenize.
int attn_embed(float *x, const char *text, const int *starts, const int *ends, int n);

// The designed heads as a layer (d_model ATTN_MODEL_DIM, ATTN_MODEL_HEADS heads of
// ATTN_HEAD_DIM, no output projection). Never NULL.
const attn_layer_weights *attn_model(void);

// Name and one-sentence description of head h, or NULL when out of range.
const char *attn_head_name(int h);
const char *attn_head_description(int h);

// Name of dimension dim of head h's query, key or value (part 'q', 'k' or 'v'), or NULL.
const char *attn_head_dim_name(int h, char part, int dim);

// ---------------------------------------------------------------------------------------
// Printing numbers: the page shows exactly the text the core prints

// Writes count values as fixed-point text with `decimals` digits (0..9), each followed by
// '\n', then a terminating 0. -INFINITY prints "-inf". Returns the length written (without
// the 0) or ATTN_ERR_SCRATCH when cap is too small.
int attn_format_numbers(char *buf, int cap, const float *values, int count, int decimals);

#define ATTN_FORMAT_NO_LEADING_ZERO 1   // ".734" and "-.5" instead of "0.734" and "-0.5"

// attn_format_numbers() with ATTN_FORMAT_* flags (0 gives exactly attn_format_numbers()).
int attn_format_numbers_flags(char *buf, int cap, const float *values, int count, int decimals,
                              unsigned flags);

// One row for display in one call: its count values as attn_format_numbers_flags() prints
// them, then one more line with their sum (added in double, as attn_row_sums()).
int attn_format_row_report(char *buf, int cap, const float *row, int count, int decimals,
                           unsigned flags);
// ---------------------------------------------------------------------------------------
// A transformer that learns: GPT-2-shaped forward, exact backward, AdamW
//
// A decoder-only transformer on caller-owned memory: token + learned position embeddings,
// n_layers blocks of (pre-LayerNorm) causal multi-head attention and a GELU MLP (tanh
// approximation) with residual connections, a final LayerNorm, logits through the tied token
// embedding (logits = final hidden · wteᵀ). attention_only drops the MLPs; layernorm 0 drops
// every LayerNorm (the standard object for studying induction heads). Attention runs through
// attn_head() (causal mask, softmax of attn_softmax_rows()).
//
// Usage, one training step (the caller owns every buffer; sizes from the functions below):
//
//   attn_gpt_config cfg = { .vocab = 33, .context = 48, .d_model = 64, .n_heads = 4,
//                           .n_layers = 2, .attention_only = 1, .layernorm = 0 };
//   size_t np = attn_gpt_param_floats(&cfg), na = attn_gpt_activation_floats(&cfg, B, T);
//   float *params = malloc(np * 4), *grads = ..., *m = calloc(np, 4), *v = calloc(np, 4);
//   float *acts = malloc(na * 4);
//   attn_gpt_init(params, &cfg, seed);
//   attn_adamw_options opt = attn_adamw_default_options();   // then opt.lr = ...
//   float loss, norm;
//   attn_gpt_forward(acts, &loss, params, &cfg, tokens, targets, B, T, NULL, 0);
//   attn_gpt_backward(grads, acts, params, &cfg, tokens, targets, B, T);  // grads overwritten
//   attn_gpt_adamw_step(params, grads, m, v, &cfg, step, &opt, &norm);   // step from 1
//   // or all three (and zeroing) in one call: attn_gpt_train_step(...)
//
// Parameter layout (one block of floats; attn_gpt_tensor_info() lists name, offset, shape):
//   wte (vocab, d_model), wpe (context, d_model), then per layer l (name prefix "l<l>."):
//   [ln1.g, ln1.b (d_model)] wq, wk, wv (d_model, d_model) bq, bk, bv (d_model)
//   wo (d_model, d_model) bo (d_model), and unless attention_only: [ln2.g, ln2.b (d_model)]
//   wfc (d_model, d_mlp) bfc (d_mlp) wproj (d_mlp, d_model) bproj (d_model); finally
//   [lnf.g, lnf.b (d_model)]. [...] only when layernorm. Matrices are (in, out): y = x·W + b.
//   Head h uses columns h*d_head .. (h+1)*d_head-1 of wq, wk, wv (d_head = d_model/n_heads).
//   Exact order of the tensors: l<l>.ln1.g ln1.b wq bq wk bk wv bv wo bo ln2.g ln2.b wfc bfc
//   wproj bproj (those that exist), then lnf.g lnf.b.

#define ATTN_GPT_MAX_LAYERS  8    // blocks a config may have

#define ATTN_ABLATE_NONE     0    // no override
#define ATTN_ABLATE_UNIFORM  1    // the head's weights: 1/(i+1) on every allowed position
#define ATTN_ABLATE_SHUFFLE  2    // each row's weights permuted across its allowed positions
#define ATTN_ABLATE_ZERO     3    // all weights 0 (the head outputs 0)

typedef struct {
    int vocab;                    // token ids 0..vocab-1
    int context;                  // max sequence length (positions)
    int d_model, n_heads, n_layers;
    int d_mlp;                    // MLP hidden width (ignored when attention_only)
    int attention_only;           // 1: blocks have no MLP
    int layernorm;                // 1: pre-LN blocks + final LN (GPT-2); 0: no LayerNorm anywhere
} attn_gpt_config;

// One head whose attention weights the forward pass overrides (after softmax).
typedef struct { int layer, head, kind; } attn_gpt_ablation;   // kind: ATTN_ABLATE_*

// AdamW (decoupled weight decay: p -= lr * (m̂/(sqrt(v̂)+eps) + weight_decay * p)).
// clip_norm > 0 rescales the gradient so its global L2 norm is at most clip_norm; 0 disables.
typedef struct { float lr, beta1, beta2, eps, weight_decay, clip_norm; } attn_adamw_options;

// ATTN_OK, ATTN_ERR_CONFIG (a size < 1, d_model not divisible by n_heads, d_mlp < 1 with an
// MLP, flags not 0/1) or ATTN_ERR_OVERFLOW (a buffer would exceed the 32-bit address space).
int    attn_gpt_check_config(const attn_gpt_config *cfg);
// Floats of the parameter block (also of the gradients, and of AdamW's m and v each); 0 if invalid.
size_t attn_gpt_param_floats(const attn_gpt_config *cfg);
// How many parameter tensors (0 if invalid).
int    attn_gpt_tensor_count(const attn_gpt_config *cfg);
// Tensor index (0..count-1): *name ("wte", "wpe", "l0.ln1.g", "l0.wq", ..., "lnf.b"; static
// storage), float *offset in the parameter block, *rows, *cols (vectors are 1 x n). Any out
// pointer may be NULL. ATTN_ERR_INDEX when index is out of range.
int    attn_gpt_tensor_info(const attn_gpt_config *cfg, int index, const char **name,
                            size_t *offset, int *rows, int *cols);
// Floats of acts for a forward + backward of (batch, seq) with seq <= context: every
// intermediate (the trace) plus the backward's scratch. 0 if invalid or too large.
size_t attn_gpt_activation_floats(const attn_gpt_config *cfg, int batch, int seq);
// GPT-2 initialisation from seed: matrices and embeddings N(0, 0.02), the residual
// projections wo and wproj N(0, 0.02/sqrt(2 n_layers)), biases 0, LayerNorm gains 1.
int    attn_gpt_init(float *params, const attn_gpt_config *cfg, unsigned seed);

// Forward pass on tokens (batch, seq) (ids in 0..vocab-1). Fills acts (the trace below).
// targets (batch, seq) may be NULL (no loss; *loss may then be NULL too); otherwise *loss
// gets the mean cross-entropy over positions with target >= 0 (negative = ignored; 0 when
// none counts). ablation may be NULL; ablation_seed drives ATTN_ABLATE_SHUFFLE.
// ATTN_ERR_NONFINITE when the loss or the logits are not finite.
int attn_gpt_forward(float *acts, float *loss, const float *params, const attn_gpt_config *cfg,
                     const int *tokens, const int *targets, int batch, int seq,
                     const attn_gpt_ablation *ablation, unsigned ablation_seed);
// The same forward pass with a set of heads overridden at once: ablations[0..n_ablations-1]
// (may be NULL when n_ablations is 0; entries of kind ATTN_ABLATE_NONE are skipped); shuffled
// heads of one layer share its seed (each row's permutation). attn_gpt_forward() is this with
// its one ablation.
// ATTN_ERR_INDEX when a layer, head or kind is out of range or a head is listed twice,
// ATTN_ERR_SIZE when n_ablations < 0.
int attn_gpt_forward_ablated(float *acts, float *loss, const float *params, const attn_gpt_config *cfg,
                             const int *tokens, const int *targets, int batch, int seq,
                             const attn_gpt_ablation *ablations, int n_ablations, unsigned ablation_seed);
// Backward pass after attn_gpt_forward() with the same arguments (targets required): grads
// (param_floats) is OVERWRITTEN with d(mean loss)/d(params) (the caller need not zero it).
// It overwrites the logits in acts with their gradient; the rest of the trace is kept.
// ATTN_ERR_STATE when acts do not hold an un-ablated forward of this (batch, seq).
int attn_gpt_backward(float *grads, float *acts, const float *params, const attn_gpt_config *cfg,
                      const int *tokens, const int *targets, int batch, int seq);

// The trace, read from acts after attn_gpt_forward(batch, seq); NULL when an index is out of
// range or the shape is invalid. Per-head arrays are contiguous per (layer, head).
// logits (batch, seq, vocab)
const float *attn_gpt_logits(const float *acts, const attn_gpt_config *cfg, int batch, int seq);
// attention weights (batch, seq, seq) of one head; row i sums to 1 over columns 0..i
const float *attn_gpt_weights(const float *acts, const attn_gpt_config *cfg, int batch, int seq, int layer, int head);
// scores (batch, seq, seq) of one head: q·kᵀ / sqrt(d_head), -INFINITY above the diagonal
const float *attn_gpt_scores(const float *acts, const attn_gpt_config *cfg, int batch, int seq, int layer, int head);
// q, k, v and the head output weights·v, each (batch, seq, d_head), of one head
const float *attn_gpt_q(const float *acts, const attn_gpt_config *cfg, int batch, int seq, int layer, int head);
const float *attn_gpt_k(const float *acts, const attn_gpt_config *cfg, int batch, int seq, int layer, int head);
const float *attn_gpt_v(const float *acts, const attn_gpt_config *cfg, int batch, int seq, int layer, int head);
const float *attn_gpt_head_out(const float *acts, const attn_gpt_config *cfg, int batch, int seq, int layer, int head);
// the residual stream (batch, seq, d_model) entering block layer (0..n_layers; n_layers is
// the output of the last block, before the final LayerNorm)
const float *attn_gpt_residual(const float *acts, const attn_gpt_config *cfg, int batch, int seq, int layer);

// out (batch, seq): the cross-entropy of each position against targets (0 where target < 0),
// from the logits of the last forward (call before attn_gpt_backward()).
int attn_gpt_position_losses(float *out, const float *acts, const attn_gpt_config *cfg,
                             const int *targets, int batch, int seq);

// lr 1e-3, betas 0.9 / 0.95, eps 1e-8, weight decay 0.1, clip_norm 1.
attn_adamw_options attn_adamw_default_options(void);
// One AdamW step (step is 1-based, for bias correction) on count floats, weight decay on
// every float. *grad_norm (may be NULL) gets the global gradient L2 norm before clipping.
// ATTN_ERR_NONFINITE (params, m, v unchanged) when the gradient holds NaN/inf.
int   attn_adamw_step(float *params, const float *grads, float *m, float *v, size_t count,
                      int step /*1-based*/, const attn_adamw_options *opt, float *grad_norm);
// The same on a model's parameter block, weight decay on the matrices only (wte, wpe, wq, wk,
// wv, wo, wfc, wproj), never on biases or LayerNorm gains and shifts.
int   attn_gpt_adamw_step(float *params, const float *grads, float *m, float *v,
                          const attn_gpt_config *cfg, int step, const attn_adamw_options *opt,
                          float *grad_norm);
// Learning rate at step (1-based): linear warm-up over `warmup` steps to lr_max, then cosine
// decay to lr_min at step `total` (and lr_min after).
float attn_lr_schedule(int step, int warmup, int total, float lr_max, float lr_min);

// forward + backward + AdamW in one call (decay on matrices only); *loss and *grad_norm may
// be NULL. m, v start zeroed; step 1-based. grads and acts are scratch here.
int attn_gpt_train_step(float *params, float *grads, float *m, float *v, float *acts,
                        const attn_gpt_config *cfg, const int *tokens, const int *targets,
                        int batch, int seq, int step, const attn_adamw_options *opt,
                        float *loss, float *grad_norm);

// ---------------------------------------------------------------------------------------
// Generation: one token at a time, with a KV cache or by recomputing everything
//
// A generating model predicts the token after the last one, appends it and predicts again.
// Recomputing every position at every step repeats the same work; a KV cache keeps each
// layer's keys and values of the positions seen so far, so a step runs one new position
// (one new row of attention per head) instead of the whole sequence:
//
//   size_t n = attn_gpt_kv_floats(&cfg);                  // the cache and one row's work area
//   float *kv = malloc(n * 4), *logits = malloc(cfg.vocab * 4), *probs = ...;
//   attn_gpt_kv_init(kv, n, &cfg);
//   for each id of <s> + prompt: attn_gpt_kv_append(logits, NULL, &madds, kv, n, params, &cfg, id);
//   for (int step = 0; ; step++) {
//       int next = attn_sample_next(probs, &sum, logits, cfg.vocab, temperature, seed, step);
//       if (attn_gpt_kv_append(logits, NULL, &madds, kv, n, params, &cfg, next) == ATTN_ERR_CONTEXT)
//           break;                                        // all cfg.context positions used
//   }
//
// Positions are the model's learned absolute embeddings (wpe), so a cache cannot slide: its
// rows would all shift. When the context is full, generation stops (ATTN_ERR_CONTEXT).
// Multiply-adds count the matmuls (q, k, v, output, MLP, logits) and attention's scores and
// weighted sums, as the code runs them; LayerNorm, GELU and softmax are left out.

#define ATTN_ERR_CONTEXT   -40    // the model's context is full: no position left for a token

// Floats of a KV cache for cfg: K and V of cfg->context positions in every layer, plus the
// work area of one position (0 if cfg is invalid).
size_t attn_gpt_kv_floats(const attn_gpt_config *cfg);
// Bytes that the K and V rows of `rows` positions take in every layer together:
// 2 * n_layers * rows * d_model * sizeof(float) (0 if cfg is invalid or rows not in 0..context).
size_t attn_gpt_kv_bytes(const attn_gpt_config *cfg, int rows);
// Empties the cache kv (kv_floats >= attn_gpt_kv_floats(cfg)) for a model of config cfg.
int    attn_gpt_kv_init(float *kv, size_t kv_floats, const attn_gpt_config *cfg);
// Positions the cache holds (>= 0), or ATTN_ERR_STATE when kv is not a cache of cfg.
int    attn_gpt_kv_rows(const float *kv, size_t kv_floats, const attn_gpt_config *cfg);
// Runs token at the next position (the cache's row count), appends its K and V rows to every
// layer and writes logits (vocab) of that position. weights (n_layers, n_heads, context) may be
// NULL: the new row's attention weights per layer and head, columns 0..row (zeros after).
// *madds (may be NULL) gets the multiply-adds of this call. Returns the rows held now (>= 1);
// ATTN_ERR_CONTEXT when the cache is full (nothing changes), ATTN_ERR_INDEX for a token
// outside 0..vocab-1, ATTN_ERR_STATE when kv is not a cache of cfg.
int    attn_gpt_kv_append(float *logits, float *weights, double *madds, float *kv, size_t kv_floats,
                          const float *params, const attn_gpt_config *cfg, int token);
// The full recompute: attn_gpt_forward() on tokens (1, seq) into acts (attn_gpt_activation_floats
// (cfg, 1, seq)), then logits (vocab) = the last position's row. The trace stays in acts
// (attn_gpt_weights(acts, cfg, 1, seq, ...) gives every row). *madds as above.
int    attn_gpt_next_logits(float *logits, double *madds, float *acts, const float *params,
                            const attn_gpt_config *cfg, const int *tokens, int seq);
// *madds = the multiply-adds of predicting from position seq - 1: with a cache holding the
// seq - 1 positions before it (cached 1: one position), or recomputing all seq (cached 0).
int    attn_gpt_step_madds(double *madds, const attn_gpt_config *cfg, int seq, int cached);
// The next token from logits (vocab). probs (vocab) = softmax(logits / temperature). With
// temperature > 0, a uniform draw u in [0, 1) made from (seed, step) alone (splitmix64, the same
// natively and in WebAssembly) picks the token where u * sum falls in the running sum of probs,
// in id order; temperature 0 is greedy: probs are the model's own (temperature 1) and the
// likeliest token is taken (ties: the lower id). *prob_sum (may be NULL) gets the sum of probs
// over the vocabulary, added in double. Returns the token id (>= 0), ATTN_ERR_TEMPERATURE for
// a temperature that is negative or not finite, ATTN_ERR_NONFINITE for NaN logits.
int    attn_sample_next(float *probs, double *prob_sum, const float *logits, int vocab,
                        float temperature, unsigned seed, int step);

// ---------------------------------------------------------------------------------------
// The induction task: repeated random tokens, and the prefix-matching score

#define ATTN_INDUCTION_BOS 0      // token 0 starts every sequence; symbols are 1..vocab-1

// A batch of the induction task, deterministic from (seed, step): each sequence is BOS then
// a block of `period` distinct random symbols (1..vocab-1) repeated to fill seq, with period
// drawn per sequence from min_period..max_period (needs vocab-1 >= max_period and
// seq > max_period + 1). tokens, targets (batch, seq): targets[t] = tokens[t+1], the last is -1.
// periods (batch) may be NULL.
int attn_induction_batch(int *tokens, int *targets, int *periods, int batch, int seq,
                         int vocab, int min_period, int max_period, unsigned seed, int step);
// From per-position losses (batch, seq) (attn_gpt_position_losses) and periods: the mean
// loss of the first part (positions 0..period, whose token has not occurred before, so their
// next token cannot be copied) and of the repeated part (positions period+1..seq-2, whose
// next token is the one after the previous occurrence of their token).
int attn_induction_split_loss(float *loss_first, float *loss_repeat, const float *position_losses,
                              const int *periods, int batch, int seq);
// out (n_layers, n_heads): per head the prefix-matching score, the mean attention weight
// a position puts on the token right after the most recent earlier occurrence of its own
// token (over positions whose token occurred before), from the last forward's weights.
int attn_prefix_match(float *out, const float *acts, const attn_gpt_config *cfg,
                      const int *tokens, int batch, int seq);
// The phase change of an induction run: the sudden fall of the repeated-part loss. history
// holds that loss at count equally spaced points in training order (e.g. one per step). The
// fall at point i is the mean of the `window` points before i minus the mean of the `window`
// points from i on; *index gets the i (window..count-window) with the largest fall (the first
// of equal ones) when that fall is at least min_drop, else -1 (no phase change yet, also when
// count < 2 * window). *drop (may be NULL) gets the largest fall (0 when none is measured).
// ATTN_ERR_SIZE (count < 0, window < 1), ATTN_ERR_NONFINITE (NaN/inf in history or min_drop).
int attn_phase_change(int *index, float *drop, const float *history, int count, int window,
                      float min_drop);

// Weight files: a trained model's parameters in one versioned, checksummed byte buffer
//
// A 64-byte little-endian header (magic "AEWT", version, the attn_gpt_config, storage
// format, tensor count, payload bytes, CRC-32 of header and payload; see attn_weights.c),
// then every tensor in attn_gpt_tensor_info() order. ATTN_WEIGHTS_INT8 stores each tensor
// with more than one row and column as int8 with one float32 scale per row (absmax / 127);
// one-row tensors (LayerNorm gains, biases) stay float32.
//
//   size_t cap = attn_weights_size(&cfg, ATTN_WEIGHTS_INT8), len;
//   attn_weights_save(buf, cap, &len, &cfg, params, ATTN_WEIGHTS_INT8);
//   ...
//   attn_weights_read_header(&cfg, &format, buf, len);      // config first, to size params
//   attn_weights_load(params, attn_gpt_param_floats(&cfg), buf, len);

#define ATTN_WEIGHTS_F32          0   // float32, exact
#define ATTN_WEIGHTS_INT8         1   // int8 per row with a float32 scale per row
#define ATTN_WEIGHTS_VERSION      1
#define ATTN_WEIGHTS_HEADER_BYTES 64

#define ATTN_ERR_FORMAT    -20    // not a weight file: wrong magic, header size or storage format
#define ATTN_ERR_VERSION   -21    // a weight file version this core does not read
#define ATTN_ERR_TRUNCATED -22    // the buffer ends before the header or payload does
#define ATTN_ERR_PAYLOAD   -23    // payload size or tensor count disagrees with the config, or
                                  // bytes follow the payload
#define ATTN_ERR_CHECKSUM  -24    // the contents do not match the file's CRC-32 (corrupted)

// Bytes a weight file of cfg takes in format (header included), or 0 when cfg or format is
// invalid or the file would not fit in memory.
size_t attn_weights_size(const attn_gpt_config *cfg, int format);

// Writes params (attn_gpt_param_floats(cfg) floats, all finite) as a weight file into buf
// (cap bytes); *written gets its length. ATTN_ERR_SCRATCH when cap is too small.
int attn_weights_save(unsigned char *buf, size_t cap, size_t *written, const attn_gpt_config *cfg,
                      const float *params, int format);

// Reads and checks the header of the weight file in buf (len bytes): its config and storage
// format. Does not look at the payload (attn_weights_load() does).
int attn_weights_read_header(attn_gpt_config *cfg, int *format, const unsigned char *buf, size_t len);

// Checks the whole weight file in buf (len bytes: header, sizes, checksum, every value finite),
// then fills params (param_floats >= attn_gpt_param_floats of its config), dequantising int8.
// On any error params is left untouched.
int attn_weights_load(float *params, size_t param_floats, const unsigned char *buf, size_t len);
// ---------------------------------------------------------------------------------------
// A word vocabulary (the trained Brown model's): token text -> id, unknown words by class
//
// A vocabulary is text, one word per line ('\n'), line k (0-based) being id k, as written by
// tools/brown_data.c (models/brown-vocab.txt). Words are matched lower-cased (ASCII letters);
// a word not in it gets the id of its unknown class, the first of these that fits the word
// as written: <unk-num> (holds a digit), <unk-cap> (starts with a capital), <unk-hyph>
// (holds a hyphen), <unk-ing>, <unk-ed>, <unk-ly>, <unk-s> (ends so), else <unk>; a class
// missing from the vocabulary falls back to <unk>.

#define ATTN_ERR_VOCAB     -30    // the vocabulary is malformed (empty, an empty line, no <unk>)

#define ATTN_UNK           0      // unknown classes, as attn_vocab_unknown_class() returns them
#define ATTN_UNK_NUM       1
#define ATTN_UNK_CAP       2
#define ATTN_UNK_HYPH      3
#define ATTN_UNK_ING       4
#define ATTN_UNK_ED        5
#define ATTN_UNK_LY        6
#define ATTN_UNK_S         7
#define ATTN_UNK_CLASSES   8

// Words in the vocabulary (lines), or ATTN_ERR_VOCAB / ATTN_ERR_NULL / ATTN_ERR_SIZE.
int attn_vocab_count(const char *vocab, int vocab_len);

// The unknown class (ATTN_UNK_*) of the word word[0..len) as written; its name ("<unk-num>",
// ...) in *name when name is not NULL.
int attn_vocab_unknown_class(const char *word, int len, const char **name);

// ids (n): the id of each token text[starts[i] .. ends[i]), or of its unknown class;
// unknown (n, may be NULL) gets 1 where the token is not in the vocabulary, else 0.
// Returns how many tokens were unknown.
int attn_vocab_ids(int *ids, unsigned char *unknown, const char *vocab, int vocab_len,
                   const char *text, const int *starts, const int *ends, int n);

// The word of id: *start and *len (bytes) locate it inside vocab. ATTN_ERR_INDEX when id is
// not a line of the vocabulary.
int attn_vocab_word(int *start, int *len, const char *vocab, int vocab_len, int id);

// ---------------------------------------------------------------------------------------
// The head atlas: what each head of a trained model does, measured on held-out text
//
// Accumulate window after window (after attn_gpt_forward() on them), then finish:
//
//   double *acc = calloc(attn_atlas_doubles(&cfg, seq), sizeof(double));
//   for each batch of plain held-out windows:   forward, then
//       attn_atlas_add_plain(acc, acts, &cfg, pos, batch, seq);
//   for each batch of repeated windows (a passage of `period` tokens, then the same again):
//       forward, then attn_atlas_add_repeated(acc, acts, &cfg, batch, seq, period);
//   attn_atlas_head heads[n_layers * n_heads];
//   attn_atlas_finish(heads, acc, &cfg, seq);
//
// Scores (rows i >= 1 of every window; weights w[i][j] of one head):
//   entropy       mean row entropy in bits (uniform causal attention: entropy_uniform)
//   previous      mean w[i][i-1];  first: mean w[i][0]; both against uniform = mean 1/(i+1)
//   prefix_match  on repeated windows, rows i in the second copy: mean w[i][i-period+1], the
//                 token after the previous occurrence of the current token
//   det_noun      a noun's weight on its determiner (the nearest determiner before it, at
//                 most 4 tokens back, with only modifiers or nouns between)
//   verb_noun     a verb's weight on the nearest noun before it in the same sentence
// Each content score (prefix_match, det_noun, verb_noun) comes with a position-only
// baseline: the head's own mean weight at the same (row, column) cells over all plain
// windows, i.e. what its habits by position alone would put there.

#define ATTN_POS_OTHER     0      // part-of-speech classes of tokens, for the atlas
#define ATTN_POS_DET       1      // determiners and articles (Brown at, dt*)
#define ATTN_POS_NOUN      2      // common and proper nouns (nn*, np*)
#define ATTN_POS_VERB      3      // main verbs (vb*)
#define ATTN_POS_MODIFIER  4      // may stand between a determiner and its noun (jj*, cd, od, ap, ...)
#define ATTN_POS_BOUNDARY  5      // a sentence boundary token

#define ATTN_HABIT_DIFFUSE   0    // no score clears its threshold
#define ATTN_HABIT_INDUCTION 1    // prefix matching on repeated text
#define ATTN_HABIT_DET_NOUN  2    // a noun attends to its determiner
#define ATTN_HABIT_VERB_NOUN 3    // a verb attends to the noun before it
#define ATTN_HABIT_PREVIOUS  4    // the previous token
#define ATTN_HABIT_FIRST     5    // the first token (a resting place)
#define ATTN_HABITS          6

typedef struct {
    float entropy, entropy_uniform;
    float previous, first, uniform;
    float prefix_match, prefix_baseline;
    float det_noun, det_baseline;
    float verb_noun, verb_baseline;
    long  rows, prefix_pairs, det_pairs, verb_pairs;   // how many cells each mean is over
    int   habits;                 // bit (1 << ATTN_HABIT_*) for every threshold cleared
    int   habit;                  // the first cleared in ATTN_HABIT_* order, or DIFFUSE
} attn_atlas_head;

// Doubles of the accumulator for cfg's heads and windows of seq tokens (0 if invalid).
size_t attn_atlas_doubles(const attn_gpt_config *cfg, int seq);

// Adds the weights of a forward pass on plain windows; pos (batch, seq) holds ATTN_POS_*.
int attn_atlas_add_plain(double *acc, const float *acts, const attn_gpt_config *cfg,
                         const unsigned char *pos, int batch, int seq);

// Adds the weights of a forward pass on windows that hold a passage of `period` tokens and
// then the same tokens again (2 * period <= seq).
int attn_atlas_add_repeated(double *acc, const float *acts, const attn_gpt_config *cfg,
                            int batch, int seq, int period);

// heads (n_layers * n_heads, layer-major): the scores, baselines and habits (thresholds in
// core/attn_atlas.c). ATTN_ERR_EMPTY when no plain window was added.
int attn_atlas_finish(attn_atlas_head *heads, const double *acc, const attn_gpt_config *cfg,
                      int seq);

// The whole measurement on a held-out stream, in one call: ids (n) with pos (n) (ATTN_POS_*),
// cut into consecutive windows of cfg->context tokens (the plain windows, also scored as
// next-token prediction), plus up to max_repeated windows made of a passage of
// context/2 held-out tokens followed by itself (passage r = ids[r*period ..]).
typedef struct {
    int    seq, windows, repeated_windows, period;
    long   heldout_targets;
    double heldout_loss;          // mean cross-entropy (nats) over every target of the windows
    double loss_first_copy;       // on repeated windows: mean loss predicting inside the first copy
    double loss_second_copy;      // ... and inside the second (copying makes it easy)
} attn_atlas_summary;

#define ATTN_ATLAS_BATCH 16       // windows per forward pass of attn_atlas_measure()

// Floats of work and ints of int_work attn_atlas_measure() needs (0 if cfg is invalid).
size_t attn_atlas_work_floats(const attn_gpt_config *cfg);
size_t attn_atlas_work_ints(const attn_gpt_config *cfg);

// heads (n_layers * n_heads) and *summary from the model params on the stream; acc
// (attn_atlas_doubles(cfg, cfg->context)) is zeroed here. ATTN_ERR_SIZE when n is shorter
// than one window plus one token.
int attn_atlas_measure(attn_atlas_head *heads, attn_atlas_summary *summary, const float *params,
                       const attn_gpt_config *cfg, const int *ids, const unsigned char *pos,
                       int n, int max_repeated, double *acc, float *work, size_t work_floats,
                       int *int_work, size_t work_ints);

// How sharp each head is on one text, after attn_gpt_forward() on it (batch 1, seq tokens):
// head_entropy (n_layers * n_heads, layer-major) gets each head's mean row entropy in bits
// over rows 1..seq-1 (row 0 can only look at itself), as the atlas measures it on held-out
// text; layer_entropy (n_layers, may be NULL) the mean over each layer's heads. seq == 1 gives
// zeros (no row has a choice); ATTN_ERR_SIZE when seq is outside 1..context. acts must hold
// a forward pass of batch 1 and seq tokens (the core cannot tell).
int attn_atlas_entropy(float *head_entropy, float *layer_entropy, const float *acts,
                       const attn_gpt_config *cfg, int seq);

// "diffuse", "induction", "determiner", "verb-noun", "previous-token", "first-token"; NULL
// when out of range.
const char *attn_habit_name(int habit);

// ---------------------------------------------------------------------------------------
// Ablation: what replacing one head's weights does to the next-word prediction
//
// One prediction: two forward passes (attn_gpt_forward without and with an attn_gpt_ablation),
// then attn_ablation_effect_of() on the two rows of logits. Every held-out sentence and every
// head: a job in a caller-owned buffer, run a few forward passes at a time:
//
//   size_t bytes = attn_ablation_job_bytes(&cfg, max_len);
//   void *job = malloc(bytes);                              // 8-byte aligned
//   attn_ablation_job_init(job, bytes, params, &cfg, ids, lengths, n_sentences, kind, seed);
//   while (attn_ablation_job_step(job, 4) > 0) { ...let the page draw... }
//   attn_ablation_head heads[n_layers * n_heads];
//   attn_ablation_job_results(heads, job);
//   free(job);                                              // cancelling is just this
//
// The job keeps pointers to params, cfg's values (copied), ids and lengths: they must stay
// unchanged until the last step.

typedef struct {
    int   top_before, top_after;  // the likeliest next id before and after (ties: the lower id)
    float p_top_before;           // probability of top_before before the ablation
    float p_top_after;            // probability of the same word top_before after it
    float delta;                  // p_top_after - p_top_before
    float kl;                     // KL(p_before || p_after) in nats (>= 0)
} attn_ablation_effect;

// *out from the logits (vocab) of one position before and after an ablation, softmax at
// temperature 1, all in double. ATTN_ERR_NONFINITE when a logit is NaN or infinite.
int attn_ablation_effect_of(attn_ablation_effect *out, const float *logits_before,
                            const float *logits_after, int vocab);

// One head's average effect over every prediction of the job's sentences (one per position).
typedef struct {
    float kl;                     // mean KL(p_before || p_after), nats
    float delta;                  // mean change in probability of the word that was likeliest
    float flip_rate;              // share of predictions whose likeliest word changed
    float max_kl;                 // the largest KL of one prediction
    long  flips;                  // predictions whose likeliest word changed
    long  predictions;            // how many predictions the means are over (so far)
} attn_ablation_head;

// Bytes of a job buffer for sentences of at most max_len tokens (1..context); 0 if invalid.
size_t attn_ablation_job_bytes(const attn_gpt_config *cfg, int max_len);

// Prepares job (job_bytes from attn_ablation_job_bytes with max_len >= every length). The
// sentences are ids, one after the other, lengths[s] tokens each (1..context, ids in
// 0..vocab-1); kind is ATTN_ABLATE_UNIFORM, SHUFFLE or ZERO; sentence s is shuffled with
// ablation seed `seed + s`. Nothing runs yet.
int attn_ablation_job_init(void *job, size_t job_bytes, const float *params,
                           const attn_gpt_config *cfg, const int *ids, const int *lengths,
                           int n_sentences, int kind, unsigned seed);

// Runs up to max_forwards forward passes (per sentence: one plain, then one per head, each
// head ablated in turn). Returns the passes still to run (0: done), or a negative status.
int attn_ablation_job_step(void *job, int max_forwards);

// *done and *total forward passes (either may be NULL).
int attn_ablation_job_progress(const void *job, int *done, int *total);

// heads (n_layers * n_heads, layer-major): the means over the predictions measured so far.
int attn_ablation_job_results(attn_ablation_head *heads, const void *job);

#ifdef __cplusplus
}
#endif

#endif // ATTN_H

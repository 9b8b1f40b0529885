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
#define ATTN_ERR_SCALE       -5   // scale is negative, NaN or infinite
#define ATTN_ERR_MASK        -6   // unknown mask kind, window < 1, or no explicit mask given
#define ATTN_ERR_NONFINITE   -7   // an input holds NaN or infinity, or scores overflowed
#define ATTN_ERR_SCRATCH     -8   // the scratch or output buffer is too small
#define ATTN_ERR_EMPTY       -9   // the text holds no tokens (empty or only white space)
#define ATTN_ERR_INDEX       -10  // a head, token or dimension index is out of range

// A sentence for a status code (never NULL; unknown codes get a generic sentence).
const char *attn_strerror(int status);

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

// count seeded uniform random numbers in [-1, 1) (xorshift32; seed 0 is taken as 1).
int attn_fill_random(float *out, size_t count, unsigned seed);

// out[i] = where values[i] > 0 falls on a log10 axis from lo to hi (0 at lo, 1 at hi), for
// plots of cost against length. lo and hi must be > 0 and differ.
int attn_log_positions(float *out, const float *values, int count, float lo, float hi);

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

// ---------------------------------------------------------------------------------------
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

#ifdef __cplusplus
}
#endif

#endif // ATTN_H

/* attn_abi.c - every constant of attn.h and the layout of its structs, by name, for bindings
   to other languages (the JS bridge builds its constants and struct offsets from this table
   at load). The compiler fills in the values, so they cannot drift from the header; a test
   (tests/wasm/abi.test.js) parses attn.h and fails when a constant or field is missing here. */
#include "attn.h"

#include <math.h>
#include <stddef.h>

typedef struct {
    const char *name;
    double value;
} abi_entry;

#define CONSTANT(x)  { #x, (double)(x) }
#define FIELD(s, f)  { #s "." #f, (double)offsetof(s, f) }
#define SIZE(s)      { "sizeof " #s, (double)sizeof(s) }

static const abi_entry table[] = {
    CONSTANT(ATTN_OK), CONSTANT(ATTN_ERR_NULL), CONSTANT(ATTN_ERR_SIZE), CONSTANT(ATTN_ERR_OVERFLOW),
    CONSTANT(ATTN_ERR_TEMPERATURE), CONSTANT(ATTN_ERR_SCALE), CONSTANT(ATTN_ERR_MASK),
    CONSTANT(ATTN_ERR_NONFINITE), CONSTANT(ATTN_ERR_SCRATCH), CONSTANT(ATTN_ERR_EMPTY),
    CONSTANT(ATTN_ERR_INDEX), CONSTANT(ATTN_ERR_KERNEL), CONSTANT(ATTN_ERR_RANGE),

    CONSTANT(ATTN_MASK_NONE), CONSTANT(ATTN_MASK_CAUSAL), CONSTANT(ATTN_MASK_WINDOW),
    CONSTANT(ATTN_MASK_EXPLICIT), CONSTANT(ATTN_MASK_BLOCK_SPARSE),

    CONSTANT(ATTN_TEMPERATURE_MIN), CONSTANT(ATTN_TEMPERATURE_MAX), CONSTANT(ATTN_TEMPERATURE_DEFAULT),
    CONSTANT(ATTN_CLAMP_NONE), CONSTANT(ATTN_CLAMP_LOW), CONSTANT(ATTN_CLAMP_HIGH),
    CONSTANT(ATTN_CLAMP_INVALID),

    CONSTANT(ATTN_KERNEL_FULL), CONSTANT(ATTN_KERNEL_STREAMING), CONSTANT(ATTN_KERNEL_WINDOW),
    CONSTANT(ATTN_KERNEL_LINEAR),

    CONSTANT(ATTN_MAX_TOKENS), CONSTANT(ATTN_MODEL_DIM), CONSTANT(ATTN_MODEL_HEADS),
    CONSTANT(ATTN_HEAD_DIM), CONSTANT(ATTN_HEAD_COREFERENCE), CONSTANT(ATTN_HEAD_PREVIOUS),
    CONSTANT(ATTN_HEAD_FIRST), CONSTANT(ATTN_HEAD_UNNAMED),

    CONSTANT(ATTN_FORMAT_NO_LEADING_ZERO),

    SIZE(attn_options),
    FIELD(attn_options, scale), FIELD(attn_options, temperature), FIELD(attn_options, mask),
    FIELD(attn_options, window), FIELD(attn_options, allowed), FIELD(attn_options, globals),

    SIZE(attn_trace),
    FIELD(attn_trace, q), FIELD(attn_trace, k), FIELD(attn_trace, v), FIELD(attn_trace, raw),
    FIELD(attn_trace, scaled), FIELD(attn_trace, masked), FIELD(attn_trace, weights),
    FIELD(attn_trace, head_out), FIELD(attn_trace, concat), FIELD(attn_trace, blocked_rows),

    SIZE(attn_layer_weights),
    FIELD(attn_layer_weights, d_model), FIELD(attn_layer_weights, n_heads),
    FIELD(attn_layer_weights, d_head), FIELD(attn_layer_weights, d_out),
    FIELD(attn_layer_weights, w_q), FIELD(attn_layer_weights, w_k), FIELD(attn_layer_weights, w_v),
    FIELD(attn_layer_weights, w_o),

    SIZE(size_t), SIZE(void *),
};

#define ABI_COUNT ((int)(sizeof table / sizeof table[0]))

int attn_abi_count(void) { return ABI_COUNT; }

const char *attn_abi_name(int i) { return i >= 0 && i < ABI_COUNT ? table[i].name : NULL; }

double attn_abi_value(int i) { return i >= 0 && i < ABI_COUNT ? table[i].value : NAN; }

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

    // the trained model: transformer, weight files, vocabulary, atlas
    CONSTANT(ATTN_ERR_CONFIG), CONSTANT(ATTN_ERR_STATE), CONSTANT(ATTN_GPT_MAX_LAYERS),
    CONSTANT(ATTN_ABLATE_NONE), CONSTANT(ATTN_ABLATE_UNIFORM), CONSTANT(ATTN_ABLATE_SHUFFLE),
    CONSTANT(ATTN_ABLATE_ZERO), CONSTANT(ATTN_INDUCTION_BOS), CONSTANT(ATTN_WEIGHTS_F32),
    CONSTANT(ATTN_WEIGHTS_INT8), CONSTANT(ATTN_WEIGHTS_VERSION),
    CONSTANT(ATTN_WEIGHTS_HEADER_BYTES), CONSTANT(ATTN_ERR_FORMAT), CONSTANT(ATTN_ERR_VERSION),
    CONSTANT(ATTN_ERR_TRUNCATED), CONSTANT(ATTN_ERR_PAYLOAD), CONSTANT(ATTN_ERR_CHECKSUM),
    CONSTANT(ATTN_ERR_VOCAB), CONSTANT(ATTN_UNK), CONSTANT(ATTN_UNK_NUM), CONSTANT(ATTN_UNK_CAP),
    CONSTANT(ATTN_UNK_HYPH), CONSTANT(ATTN_UNK_ING), CONSTANT(ATTN_UNK_ED), CONSTANT(ATTN_UNK_LY),
    CONSTANT(ATTN_UNK_S), CONSTANT(ATTN_UNK_CLASSES), CONSTANT(ATTN_POS_OTHER),
    CONSTANT(ATTN_POS_DET), CONSTANT(ATTN_POS_NOUN), CONSTANT(ATTN_POS_VERB),
    CONSTANT(ATTN_POS_MODIFIER), CONSTANT(ATTN_POS_BOUNDARY), CONSTANT(ATTN_HABIT_DIFFUSE),
    CONSTANT(ATTN_HABIT_INDUCTION), CONSTANT(ATTN_HABIT_DET_NOUN), CONSTANT(ATTN_HABIT_VERB_NOUN),
    CONSTANT(ATTN_HABIT_PREVIOUS), CONSTANT(ATTN_HABIT_FIRST), CONSTANT(ATTN_HABITS),
    CONSTANT(ATTN_ATLAS_BATCH),
    CONSTANT(ATTN_ERR_CONTEXT),

    SIZE(attn_gpt_config),
    FIELD(attn_gpt_config, vocab), FIELD(attn_gpt_config, context), FIELD(attn_gpt_config, d_model),
    FIELD(attn_gpt_config, n_heads), FIELD(attn_gpt_config, n_layers),
    FIELD(attn_gpt_config, d_mlp), FIELD(attn_gpt_config, attention_only),
    FIELD(attn_gpt_config, layernorm),

    SIZE(attn_gpt_ablation),
    FIELD(attn_gpt_ablation, layer), FIELD(attn_gpt_ablation, head), FIELD(attn_gpt_ablation, kind),

    SIZE(attn_adamw_options),
    FIELD(attn_adamw_options, lr), FIELD(attn_adamw_options, beta1),
    FIELD(attn_adamw_options, beta2), FIELD(attn_adamw_options, eps),
    FIELD(attn_adamw_options, weight_decay), FIELD(attn_adamw_options, clip_norm),

    SIZE(attn_atlas_head),
    FIELD(attn_atlas_head, entropy), FIELD(attn_atlas_head, entropy_uniform),
    FIELD(attn_atlas_head, previous), FIELD(attn_atlas_head, first),
    FIELD(attn_atlas_head, uniform), FIELD(attn_atlas_head, prefix_match),
    FIELD(attn_atlas_head, prefix_baseline), FIELD(attn_atlas_head, det_noun),
    FIELD(attn_atlas_head, det_baseline), FIELD(attn_atlas_head, verb_noun),
    FIELD(attn_atlas_head, verb_baseline), FIELD(attn_atlas_head, rows),
    FIELD(attn_atlas_head, prefix_pairs), FIELD(attn_atlas_head, det_pairs),
    FIELD(attn_atlas_head, verb_pairs), FIELD(attn_atlas_head, habits),
    FIELD(attn_atlas_head, habit),

    SIZE(attn_atlas_summary),
    FIELD(attn_atlas_summary, seq), FIELD(attn_atlas_summary, windows),
    FIELD(attn_atlas_summary, repeated_windows), FIELD(attn_atlas_summary, period),
    FIELD(attn_atlas_summary, heldout_targets), FIELD(attn_atlas_summary, heldout_loss),
    FIELD(attn_atlas_summary, loss_first_copy), FIELD(attn_atlas_summary, loss_second_copy),

    SIZE(attn_ablation_effect),
    FIELD(attn_ablation_effect, top_before), FIELD(attn_ablation_effect, top_after),
    FIELD(attn_ablation_effect, p_top_before), FIELD(attn_ablation_effect, p_top_after),
    FIELD(attn_ablation_effect, delta), FIELD(attn_ablation_effect, kl),

    SIZE(attn_ablation_head),
    FIELD(attn_ablation_head, kl), FIELD(attn_ablation_head, delta),
    FIELD(attn_ablation_head, flip_rate), FIELD(attn_ablation_head, max_kl), FIELD(attn_ablation_head, flips),
    FIELD(attn_ablation_head, predictions),

    SIZE(size_t), SIZE(void *),
};

#define ABI_COUNT ((int)(sizeof table / sizeof table[0]))

int attn_abi_count(void) { return ABI_COUNT; }

const char *attn_abi_name(int i) { return i >= 0 && i < ABI_COUNT ? table[i].name : NULL; }

double attn_abi_value(int i) { return i >= 0 && i < ABI_COUNT ? table[i].value : NAN; }

/* test_model_design.c - the lesson model's weights are const tables (core/attn_model_weights.h)
   generated from the design in tools/design_model.c: recomputes the design here and checks
   the shipped tables equal it bit for bit, so an edit of the design that was not regenerated
   (`make model-weights`) fails; and the tables live in read-only data, filled at compile time. */
#define DESIGN_MODEL_NO_MAIN
#include "../../tools/design_model.c"

#include "check.h"

#include <string.h>

int main(void) {
    const attn_layer_weights *m = attn_model();
    check(m->w_q && m->w_k && m->w_v && !m->w_o, "attn_model: q, k, v tables, no output projection");
    design_model();
    const float *shipped[3] = { m->w_q, m->w_k, m->w_v }, *designed[3] = { w_q, w_k, w_v };
    const char part[3] = { 'q', 'k', 'v' };
    for (int p = 0; p < 3; p++) {
        int first_diff = -1;
        for (int i = 0; i < HEAD_WEIGHTS && first_diff < 0; i++)
            if (memcmp(&shipped[p][i], &designed[p][i], sizeof(float)) != 0) first_diff = i;
        check(first_diff < 0, "W_%c as designed, bit for bit (first difference at %d: run `make model-weights`)",
              part[p], first_diff);
    }
    // nonzero where the design writes: the tables are not left empty
    int nonzero = 0;
    for (int i = 0; i < HEAD_WEIGHTS; i++) nonzero += m->w_q[i] != 0.0f;
    check(nonzero > 3 * ATTN_MODEL_DIM, "W_Q has %d nonzero weights", nonzero);
    // the same pointer every call, and usable before any other call (no lazy fill)
    check(m == attn_model(), "attn_model is one constant object");
    return check_summary("test_model_design");
}

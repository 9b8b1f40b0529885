/* attn_format.c - numbers as text, so the page, the tests and the command-line tool all
   show exactly the same digits. */
#include "attn.h"

#include <math.h>
#include <stdio.h>

int attn_format_numbers(char *buf, int cap, const float *values, int count, int decimals) {
    if (!buf || (!values && count > 0)) return ATTN_ERR_NULL;
    if (cap <= 0 || count < 0 || decimals < 0 || decimals > 9) return ATTN_ERR_SIZE;
    // values that round to zero print as 0.000, never -0.000
    const double half_ulp = 0.5 * pow(10.0, -decimals);
    int len = 0;
    buf[0] = '\0';
    for (int i = 0; i < count; i++) {
        double v = values[i];
        int room = cap - len, wrote;
        if (isnan(v))                wrote = snprintf(buf + len, (size_t)room, "nan\n");
        else if (isinf(v))           wrote = snprintf(buf + len, (size_t)room, v < 0 ? "-inf\n" : "inf\n");
        else {
            if (fabs(v) < half_ulp) v = 0.0;
            wrote = snprintf(buf + len, (size_t)room, "%.*f\n", decimals, v);
        }
        if (wrote < 0 || wrote >= room) {
            buf[len] = '\0';   // leave what fitted, terminated
            return ATTN_ERR_SCRATCH;
        }
        len += wrote;
    }
    return len;
}

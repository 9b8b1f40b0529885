/* attn_format.c - numbers as text, so the page, the tests and the command-line tool all
   show exactly the same digits. */
#include "attn.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

// Appends one value and '\n' at buf[len] (room = cap - len). Returns the new length, or
// ATTN_ERR_SCRATCH with buf cut back to len (still terminated) when it does not fit.
static int format_one(char *buf, int len, int room, double v, int decimals, unsigned flags) {
    int wrote;
    if (isnan(v))      wrote = snprintf(buf + len, (size_t)room, "nan\n");
    else if (isinf(v)) wrote = snprintf(buf + len, (size_t)room, v < 0 ? "-inf\n" : "inf\n");
    else {
        // values that round to zero print as 0.000, never -0.000
        if (fabs(v) < 0.5 * pow(10.0, -decimals)) v = 0.0;
        wrote = snprintf(buf + len, (size_t)room, "%.*f\n", decimals, v);
    }
    if (wrote < 0 || wrote >= room) {
        buf[len] = '\0';   // leave what fitted, terminated
        return ATTN_ERR_SCRATCH;
    }
    char *s = buf + len + (buf[len] == '-');
    if ((flags & ATTN_FORMAT_NO_LEADING_ZERO) && s[0] == '0' && s[1] == '.') {
        memmove(s, s + 1, strlen(s + 1) + 1);   // "0.734" -> ".734", "-0.5" -> "-.5"
        wrote--;
    }
    return len + wrote;
}

int attn_format_numbers_flags(char *buf, int cap, const float *values, int count, int decimals,
                              unsigned flags) {
    if (!buf || (!values && count > 0)) return ATTN_ERR_NULL;
    if (cap <= 0 || count < 0 || decimals < 0 || decimals > 9) return ATTN_ERR_SIZE;
    int len = 0;
    buf[0] = '\0';
    for (int i = 0; i < count; i++)
        if ((len = format_one(buf, len, cap - len, values[i], decimals, flags)) < 0) return len;
    return len;
}

int attn_format_numbers(char *buf, int cap, const float *values, int count, int decimals) {
    return attn_format_numbers_flags(buf, cap, values, count, decimals, 0);
}

int attn_format_row_report(char *buf, int cap, const float *row, int count, int decimals,
                           unsigned flags) {
    float sum;
    int rc, len;
    if (!buf || !row) return ATTN_ERR_NULL;
    if (count <= 0) return ATTN_ERR_SIZE;
    if ((rc = attn_row_sums(&sum, row, 1, count))) return rc;
    if ((len = attn_format_numbers_flags(buf, cap, row, count, decimals, flags)) < 0) return len;
    return format_one(buf, len, cap - len, sum, decimals, flags);
}

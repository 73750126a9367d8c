/* The partition-value text helpers (pvalue_text.c) that pvalue.c's parse and format call: each
 * reads the trimmed range [b, e) and returns false when it is not the type's text, or prints
 * into a 64-byte buffer. Internal to src/delta/pvalue*.c. */
#ifndef LML_DELTA_PVALUE_INTERNAL_H
#define LML_DELTA_PVALUE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* [b, e) equals the lowercase ASCII word, ignoring ASCII case. */
static inline bool lml_delta_ieq(const char *b, const char *e, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(e - b) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = b[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return false;
    }
    return true;
}

/* Java's Double.parseDouble / Float.parseFloat text (decimal only); is_float rounds to float. */
bool lml_delta_pv_parse_float(const char *b, const char *e, bool is_float, double *out);
/* The unscaled value at `scale`, rounded half-up; false past `precision` digits. */
bool lml_delta_pv_parse_decimal(const char *b, const char *e, int precision, int scale, uint64_t *lo, int64_t *hi);
/* [+-]yyyy-M-d as days since 1970-01-01. */
bool lml_delta_pv_parse_date(const char *b, const char *e, int64_t *days);
/* A date with optional time, fraction and (utc only) zone offset, as microseconds since the epoch. */
bool lml_delta_pv_parse_timestamp(const char *b, const char *e, bool utc, int64_t *out);

/* Java's Float.toString. */
void lml_delta_pv_format_float_java(float f, char buf[64]);
/* BigDecimal.toPlainString of the 128-bit unscaled value (lo, hi) at scale 0..38. */
void lml_delta_pv_format_decimal(uint64_t lo, int64_t hi, int scale, char buf[64]);
/* LocalDate.toString; returns the text's length. */
size_t lml_delta_pv_format_date(int64_t days, char buf[64]);
/* ISO UTC with 6 fraction digits and Z (utc), else "yyyy-MM-dd HH:mm:ss[.f]". */
void lml_delta_pv_format_timestamp(int64_t us, bool utc, char buf[64]);

#endif

/* One cell as text, as Spark 3.5's show() renders it (the ToPrettyString expression, which is a
 * cast to string that prints nulls as "NULL"): doubles as Java's Double.toString, dates
 * yyyy-MM-dd, timestamps "yyyy-MM-dd HH:mm:ss" in UTC with the fraction only when non-zero and
 * without trailing zeros, vectors as Spark's DenseVector/SparseVector toString, binary and
 * nested values as ToPrettyString renders them (see put_nested). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"

/* Spark 3.5 prints a null cell as "NULL" (SPARK-43063, apache/spark#40699 and #40922, merged
 * April 2023, before branch-3.5 was cut); Spark 3.4 and older printed "null". */
#define NULL_TEXT "NULL"

/* A writer that keeps counting past the caller's capacity, snprintf-style. */
typedef struct out {
    char *buf;
    size_t cap, len;
} out;

static void put(out *o, const char *s, size_t n)
{
    if (o->len < o->cap) {
        size_t room = o->cap - o->len;
        memcpy(o->buf + o->len, s, n < room ? n : room);
    }
    o->len += n;
}

static void puts_(out *o, const char *s) { put(o, s, strlen(s)); }

static void put_double(out *o, double x)
{
    char b[LML_DOUBLE_BUF];
    put(o, b, lml_format_double_java(x, b));
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void lml_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Java's "yyyy" (year of era, at least 4 digits, '+' beyond 9999; the era itself not shown). */
static void put_date(out *o, int64_t days)
{
    int64_t y;
    int m, d;
    lml_civil_from_days(days, &y, &m, &d);
    int64_t yoe = y > 0 ? y : 1 - y;
    char b[48];
    int n = snprintf(b, sizeof b, "%s%04" PRId64 "-%02d-%02d", yoe > 9999 ? "+" : "", yoe, m, d);
    put(o, b, (size_t)n);
}

static void put_timestamp(out *o, int64_t us)
{
    int64_t days = floor_div(us, INT64_C(86400000000));
    int64_t rem = us - days * INT64_C(86400000000);
    put_date(o, days);
    int64_t secs = rem / 1000000, frac = rem % 1000000;
    char b[32];
    int n = snprintf(b, sizeof b, " %02d:%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    put(o, b, (size_t)n);
    if (frac) {
        n = snprintf(b, sizeof b, ".%06d", (int)frac);
        while (b[n - 1] == '0')
            n--;
        put(o, b, (size_t)n);
    }
}

static void put_vector(out *o, const lml_column *c, size_t i)
{
    char b[32];
    if (!c->sparse) {
        const double *v = c->vvalues + i * c->vec_size;
        put(o, "[", 1);
        for (size_t k = 0; k < c->vec_size; k++) {
            if (k)
                put(o, ",", 1);
            put_double(o, v[k]);
        }
        put(o, "]", 1);
        return;
    }
    size_t a = (size_t)c->indptr[i], e = (size_t)c->indptr[i + 1];
    put(o, b, (size_t)snprintf(b, sizeof b, "(%zu,[", c->vec_size));
    for (size_t k = a; k < e; k++)
        put(o, b, (size_t)snprintf(b, sizeof b, k > a ? ",%d" : "%d", c->indices[k]));
    put(o, "],[", 3);
    for (size_t k = a; k < e; k++) {
        if (k > a)
            put(o, ",", 1);
        put_double(o, c->vvalues[k]);
    }
    put(o, "])", 2);
}

static void put_cell(out *o, const lml_column *c, size_t i);

/* Spark 3.5's ToPrettyString of nested values: arrays "[1, 2, NULL]", structs "{1, a}", maps
 * "{a -> 1, b -> NULL}", elements formatted as top-level cells (strings unquoted, nulls "NULL");
 * binary as upper-case hex bytes "[01 02 0A]". */
static void put_nested(out *o, const lml_column *c, size_t i)
{
    char b[8];
    switch (c->type) {
    case LML_BINARY: {
        put(o, "[", 1);
        for (int32_t k = c->offsets[i]; k < c->offsets[i + 1]; k++)
            put(o, b, (size_t)snprintf(b, sizeof b, k > c->offsets[i] ? " %02X" : "%02X",
                                       ((const uint8_t *)c->values)[k]));
        put(o, "]", 1);
        return;
    }
    case LML_LIST:
        put(o, "[", 1);
        for (int32_t k = c->offsets[i]; k < c->offsets[i + 1]; k++) {
            if (k > c->offsets[i])
                put(o, ", ", 2);
            put_cell(o, c->children[0], (size_t)k);
        }
        put(o, "]", 1);
        return;
    case LML_STRUCT:
        put(o, "{", 1);
        for (size_t k = 0; k < c->nchildren; k++) {
            if (k)
                put(o, ", ", 2);
            put_cell(o, c->children[k], i);
        }
        put(o, "}", 1);
        return;
    case LML_MAP: {
        const lml_column *e = c->children[0];
        put(o, "{", 1);
        for (int32_t k = c->offsets[i]; k < c->offsets[i + 1]; k++) {
            if (k > c->offsets[i])
                put(o, ", ", 2);
            put_cell(o, e->children[0], (size_t)k);
            put(o, " -> ", 4);
            put_cell(o, e->children[1], (size_t)k);
        }
        put(o, "}", 1);
        return;
    }
    default: return;
    }
}

static void put_cell(out *o, const lml_column *c, size_t i)
{
    char b[32];
    if (!c || i >= c->length || (c->validity && !lml_bit_get(c->validity, i))) {
        puts_(o, NULL_TEXT);
        return;
    }
    switch (c->type) {
    case LML_BOOL: puts_(o, lml_bit_get(c->values, i) ? "true" : "false"); break;
    case LML_INT32: put(o, b, (size_t)snprintf(b, sizeof b, "%" PRId32, ((const int32_t *)c->values)[i])); break;
    case LML_INT64: put(o, b, (size_t)snprintf(b, sizeof b, "%" PRId64, ((const int64_t *)c->values)[i])); break;
    case LML_DOUBLE: put_double(o, ((const double *)c->values)[i]); break;
    case LML_STRING:
        put(o, (const char *)c->values + c->offsets[i], (size_t)(c->offsets[i + 1] - c->offsets[i]));
        break;
    case LML_DATE: put_date(o, ((const int32_t *)c->values)[i]); break;
    case LML_TIMESTAMP:
    case LML_TIMESTAMP_NTZ: put_timestamp(o, ((const int64_t *)c->values)[i]); break; /* ntz: the wall clock as stored */
    case LML_VECTOR: put_vector(o, c, i); break;
    case LML_FLOAT: put(o, b, lml_format_float_java(((const float *)c->values)[i], b)); break;
    case LML_INT8: put(o, b, (size_t)snprintf(b, sizeof b, "%d", ((const int8_t *)c->values)[i])); break;
    case LML_INT16: put(o, b, (size_t)snprintf(b, sizeof b, "%d", ((const int16_t *)c->values)[i])); break;
    case LML_DECIMAL: { /* BigDecimal.toPlainString: every digit of the scale, no exponent */
        char d[64];
        put(o, d, lml_decimal_format((const uint8_t *)c->values + i * 16, c->scale, d, sizeof d));
        break;
    }
    case LML_BINARY:
    case LML_LIST:
    case LML_STRUCT:
    case LML_MAP: put_nested(o, c, i); break;
    }
}

size_t lml_format_value(const lml_column *c, size_t i, char *buf, size_t cap)
{
    out o = {buf, cap ? cap - 1 : 0, 0};
    put_cell(&o, c, i);
    if (cap)
        buf[o.len < cap ? o.len : cap - 1] = '\0';
    return o.len;
}

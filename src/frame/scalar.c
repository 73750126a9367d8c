/* The narrower and exact scalar types Parquet and Spark bring: float, byte, short,
 * timestamp_ntz and decimal(p,s) (Arrow decimal128: 16-byte little-endian two's complement
 * unscaled values). Constructors, accessors, and the text helpers show() and printSchema use. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"

/* GCC and Clang's 128-bit integers: the natural arithmetic for decimal128 (__extension__ keeps
 * -Wpedantic quiet about a type ISO C lacks). */
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

static i128 dec_load(const uint8_t *v)
{
    uint64_t lo, hi;
    memcpy(&lo, v, 8);
    memcpy(&hi, v + 8, 8);
    return (i128)(((u128)hi << 64) | lo);
}

/* 10^p for p ≤ 38 (10^38 < 2^127). */
static u128 pow10_u128(int p)
{
    u128 r = 1;
    for (int i = 0; i < p; i++)
        r *= 10;
    return r;
}

size_t lml_decimal_format(const uint8_t *v, int scale, char *buf, size_t cap)
{
    i128 x = dec_load(v);
    bool neg = x < 0;
    u128 m = neg ? (u128)0 - (u128)x : (u128)x; /* also right for the most negative value */
    char digits[48];
    int n = 0;
    do {
        digits[n++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m);
    while (n <= scale) /* at least one digit before the point */
        digits[n++] = '0';
    char out[64];
    size_t k = 0;
    if (neg)
        out[k++] = '-';
    for (int i = n - 1; i >= 0; i--) {
        out[k++] = digits[i];
        if (i == scale && scale > 0)
            out[k++] = '.';
    }
    out[k] = '\0';
    if (cap) {
        size_t c = k < cap ? k : cap - 1;
        memcpy(buf, out, c);
        buf[c] = '\0';
    }
    return k;
}

double lml_decimal_to_double(const uint8_t *v, int scale)
{
    char buf[64];
    lml_decimal_format(v, scale, buf, sizeof buf);
    return strtod(buf, NULL); /* correctly rounded, unlike dividing by 10^scale */
}

/* ---------------------------------------------------------------- constructors */

static lml_column *from_fixed(lml_type type, const void *values, const uint8_t *validity, size_t n, size_t w,
                              lml_error *err)
{
    if (n && !values)
        return lml_error_set(err, LML_EINVAL, "%s column: values are NULL", lml_type_name(type)), NULL;
    lml_column *c = lml_column_alloc(type, n, 0, validity != NULL, err);
    if (!c)
        return NULL;
    if (n)
        memcpy(c->values, values, n * w);
    if (validity) {
        memcpy(c->validity, validity, lml_bitmap_bytes(n));
        if (n % 8) /* bits past the last row are not rows */
            c->validity[lml_bitmap_bytes(n) - 1] &= (uint8_t)((1u << (n % 8)) - 1);
        for (size_t i = 0; i < n; i++) /* null slots hold zero, as every lakeml column promises */
            if (!lml_bit_get(c->validity, i))
                memset((char *)c->values + i * w, 0, w);
    }
    return lml_column_seal(c);
}

lml_column *lml_column_from_floats(const float *values, const uint8_t *validity, size_t n, lml_error *err)
{
    return from_fixed(LML_FLOAT, values, validity, n, sizeof(float), err);
}

lml_column *lml_column_from_int8s(const int8_t *values, const uint8_t *validity, size_t n, lml_error *err)
{
    return from_fixed(LML_INT8, values, validity, n, 1, err);
}

lml_column *lml_column_from_int16s(const int16_t *values, const uint8_t *validity, size_t n, lml_error *err)
{
    return from_fixed(LML_INT16, values, validity, n, sizeof(int16_t), err);
}

lml_column *lml_column_from_timestamps_ntz(const int64_t *values, const uint8_t *validity, size_t n, lml_error *err)
{
    return from_fixed(LML_TIMESTAMP_NTZ, values, validity, n, sizeof(int64_t), err);
}

lml_column *lml_column_from_decimals(const uint8_t *values, const uint8_t *validity, size_t n, int precision,
                                     int scale, lml_error *err)
{
    if (precision < 1 || precision > 38 || scale < 0 || scale > precision)
        return lml_error_set(err, LML_EINVAL, "decimal(%d,%d): precision must be 1..38 and scale 0..precision",
                             precision, scale), NULL;
    u128 limit = pow10_u128(precision);
    for (size_t i = 0; i < n; i++) {
        if (validity && !lml_bit_get(validity, i))
            continue;
        i128 x = dec_load(values + i * 16);
        u128 m = x < 0 ? (u128)0 - (u128)x : (u128)x;
        if (m >= limit) {
            char text[64];
            lml_decimal_format(values + i * 16, scale, text, sizeof text);
            return lml_error_set(err, LML_EINVAL, "decimal(%d,%d) column: row %zu holds %s, more than %d digits",
                                 precision, scale, i, text, precision), NULL;
        }
    }
    lml_column *c = from_fixed(LML_DECIMAL, values, validity, n, 16, err);
    if (c) {
        c->precision = precision;
        c->scale = scale;
    }
    return c;
}

/* ---------------------------------------------------------------- accessors */

const float *lml_column_floats(const lml_column *col) { return col->type == LML_FLOAT ? col->values : NULL; }
const int8_t *lml_column_int8s(const lml_column *col) { return col->type == LML_INT8 ? col->values : NULL; }
const int16_t *lml_column_int16s(const lml_column *col) { return col->type == LML_INT16 ? col->values : NULL; }
const uint8_t *lml_column_decimals(const lml_column *col) { return col->type == LML_DECIMAL ? col->values : NULL; }
int lml_column_decimal_precision(const lml_column *col) { return col->type == LML_DECIMAL ? col->precision : 0; }
int lml_column_decimal_scale(const lml_column *col) { return col->type == LML_DECIMAL ? col->scale : 0; }

const char *lml_column_type_string(const lml_column *col, char *buf, size_t cap)
{
    if (col->type == LML_DECIMAL) /* Spark's DecimalType.typeName */
        snprintf(buf, cap, "decimal(%d,%d)", col->precision, col->scale);
    else
        snprintf(buf, cap, "%s", lml_type_name(col->type));
    return buf;
}

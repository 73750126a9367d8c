/* Spark 3.5's (non-ANSI) cast between lakeml's types, one value at a time and a whole column.
 *
 * string → int/long: UTF8String.toInt/toLong (trimmed, optional sign, a fractional part allowed
 * and dropped, overflow → null); string → double: Java's Double.parseDouble (trimmed, "NaN",
 * "Infinity", hex, a d/f suffix) then Spark's "inf"/"nan" spellings in any case; string → bool:
 * t/true/y/yes/1 and f/false/n/no/0 in any case; string → date/timestamp: DateTimeUtils'
 * stringToDate/stringToTimestamp forms (timestamps in UTC). double → int/long: the JVM's
 * conversion (toward zero, saturating, NaN → 0); long → int wraps; date → number or bool is
 * null; timestamp ↔ number in seconds; anything → string as show() prints it. */
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/internal.h"
#include "frame/internal.h"

static bool is_ws(unsigned char c) { return c <= 0x20 || c == 0x7F; }

static void trim(const char **s, size_t *len)
{
    while (*len && is_ws((unsigned char)(*s)[0])) {
        (*s)++;
        (*len)--;
    }
    while (*len && is_ws((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

/* UTF8String.toLong with allowDecimal: note "." and "+." parse as 0, as in Spark. */
static bool parse_long(const char *s, size_t len, int64_t lo, int64_t hi, int64_t *out)
{
    trim(&s, &len);
    if (!len)
        return false;
    size_t i = 0;
    bool neg = s[0] == '-';
    if (neg || s[0] == '+') {
        if (len == 1)
            return false;
        i++;
    }
    int64_t r = 0; /* accumulated negatively so that the minimum fits */
    for (; i < len; i++) {
        if (s[i] == '.') {
            i++;
            break;
        }
        if (s[i] < '0' || s[i] > '9')
            return false;
        int d = s[i] - '0';
        if (r < lo / 10 || (r == lo / 10 && -(int64_t)d < lo % 10))
            return false;
        r = r * 10 - d;
    }
    for (; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    if (!neg) {
        if (r < -hi)
            return false;
        r = -r;
    }
    *out = r;
    return true;
}

/* strtod in the "C" locale, whatever LC_NUMERIC the host application chose. */
static locale_t c_loc;
static pthread_once_t c_loc_once = PTHREAD_ONCE_INIT;
static void make_c_loc(void) { c_loc = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

static double strtod_c(const char *s)
{
    pthread_once(&c_loc_once, make_c_loc);
    return c_loc ? strtod_l(s, NULL, c_loc) : strtod(s, NULL);
}

/* Java's Double.parseDouble grammar, then strtod (correctly rounded, as Java is). */
static bool parse_java_double(const char *s, size_t len, double *out)
{
    trim(&s, &len);
    if (!len)
        return false;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        i++;
    }
    if (len - i == 3 && memcmp(s + i, "NaN", 3) == 0) {
        *out = NAN;
        return true;
    }
    if (len - i == 8 && memcmp(s + i, "Infinity", 8) == 0) {
        *out = neg ? -INFINITY : INFINITY;
        return true;
    }
    size_t end = len;
    if (end > i && strchr("fFdD", s[end - 1]))
        end--;
    size_t j = i, digits = 0;
    bool hex = end - j > 2 && s[j] == '0' && (s[j + 1] == 'x' || s[j + 1] == 'X');
    if (hex) {
        j += 2;
        for (; j < end && (strchr("0123456789abcdefABCDEF", s[j]) && s[j]); j++)
            digits++;
        if (j < end && s[j] == '.')
            for (j++; j < end && (strchr("0123456789abcdefABCDEF", s[j]) && s[j]); j++)
                digits++;
        if (!digits || j >= end || (s[j] != 'p' && s[j] != 'P'))
            return false;
    } else {
        for (; j < end && s[j] >= '0' && s[j] <= '9'; j++)
            digits++;
        if (j < end && s[j] == '.')
            for (j++; j < end && s[j] >= '0' && s[j] <= '9'; j++)
                digits++;
        if (!digits)
            return false;
        if (j == end)
            goto convert;
        if (s[j] != 'e' && s[j] != 'E')
            return false;
    }
    j++; /* exponent: [sign] digits+ */
    if (j < end && (s[j] == '+' || s[j] == '-'))
        j++;
    if (j >= end)
        return false;
    for (; j < end; j++)
        if (s[j] < '0' || s[j] > '9')
            return false;
convert:;
    char small[128], *copy = end < sizeof small ? small : malloc(end + 1);
    if (!copy)
        return false;
    memcpy(copy, s, end);
    copy[end] = '\0';
    *out = strtod_c(copy);
    if (copy != small)
        free(copy);
    return true;
}

static bool parse_double(const char *s, size_t len, double *out)
{
    if (parse_java_double(s, len, out))
        return true;
    trim(&s, &len); /* Cast.processFloatingPointSpecialLiterals */
    static const char *const pos[] = {"inf", "+inf", "infinity", "+infinity"};
    for (size_t k = 0; k < 4; k++)
        if (len == strlen(pos[k]) && strncasecmp(s, pos[k], len) == 0)
            return *out = INFINITY, true;
    if ((len == 4 && strncasecmp(s, "-inf", 4) == 0) || (len == 9 && strncasecmp(s, "-infinity", 9) == 0))
        return *out = -INFINITY, true;
    if (len == 3 && strncasecmp(s, "nan", 3) == 0)
        return *out = NAN, true;
    return false;
}

static bool parse_bool(const char *s, size_t len, bool *out)
{
    trim(&s, &len);
    static const char *const t[] = {"t", "true", "y", "yes", "1"}, *const f[] = {"f", "false", "n", "no", "0"};
    for (size_t k = 0; k < 5; k++) {
        if (len == strlen(t[k]) && strncasecmp(s, t[k], len) == 0)
            return *out = true, true;
        if (len == strlen(f[k]) && strncasecmp(s, f[k], len) == 0)
            return *out = false, true;
    }
    return false;
}

static bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* Day number of a valid proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static bool days_from_civil(int64_t y, int m, int d, int64_t *days)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap(y)))
        return false;
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *days = era * 146097 + doe - 719468;
    return true;
}

/* DateTimeUtils.stringToDate: [+-]yyyy[y..][-[m]m[-[d]d]] then, after the day, ' ' or 'T' and
 * anything. *rest receives where the date part stopped. */
static bool parse_date_part(const char *s, size_t len, int64_t *days, size_t *rest)
{
    int64_t seg[3] = {1, 1, 1};
    int i = 0, ndig = 0, sign = 1;
    int64_t cur = 0;
    size_t j = 0;
    if (!len)
        return false;
    if (s[0] == '-' || s[0] == '+') {
        sign = s[0] == '-' ? -1 : 1;
        j++;
    }
    for (; j < len && i < 3 && s[j] != ' ' && s[j] != 'T'; j++) {
        if (i < 2 && s[j] == '-') {
            if (!(i == 0 ? ndig >= 4 && ndig <= 7 : ndig >= 1 && ndig <= 2))
                return false;
            seg[i++] = cur;
            cur = 0;
            ndig = 0;
        } else if (s[j] >= '0' && s[j] <= '9') {
            cur = cur * 10 + (s[j] - '0');
            if (++ndig > 7)
                return false;
        } else {
            return false;
        }
    }
    if (!(i == 0 ? ndig >= 4 && ndig <= 7 : ndig >= 1 && ndig <= 2))
        return false;
    if (i < 2 && j < len) /* yyyy and yyyy-mm must be the whole input */
        return false;
    seg[i] = cur;
    *rest = j;
    return days_from_civil(sign * seg[0], (int)seg[1], (int)seg[2], days);
}

static bool parse_date(const char *s, size_t len, int32_t *out)
{
    trim(&s, &len);
    int64_t days;
    size_t rest;
    if (!parse_date_part(s, len, &days, &rest) || days < INT32_MIN || days > INT32_MAX)
        return false;
    *out = (int32_t)days;
    return true;
}

/* Up to `max` digits of s[*j..end) into *v; false when there are none. */
static bool digits(const char *s, size_t end, size_t *j, int max, int *v, int *n)
{
    *v = 0;
    *n = 0;
    while (*j < end && *n < max && s[*j] >= '0' && s[*j] <= '9') {
        *v = *v * 10 + (s[*j] - '0');
        (*j)++;
        (*n)++;
    }
    return *n > 0;
}

/* Zone suffix: Z, UTC/GMT/UT (optionally followed by an offset), or ±h[h][[:]mm]. */
static bool parse_zone(const char *s, size_t len, int64_t *offset_us)
{
    size_t j = 0;
    while (j < len && s[j] == ' ')
        j++;
    *offset_us = 0;
    if (j == len)
        return true;
    if (len - j == 1 && (s[j] == 'Z' || s[j] == 'z'))
        return true;
    if (len - j >= 3 && (strncasecmp(s + j, "UTC", 3) == 0 || strncasecmp(s + j, "GMT", 3) == 0))
        j += 3;
    else if (len - j >= 2 && strncasecmp(s + j, "UT", 2) == 0)
        j += 2;
    if (j == len)
        return true;
    if (s[j] != '+' && s[j] != '-')
        return false;
    int sign = s[j++] == '-' ? -1 : 1, h, m = 0, n;
    if (!digits(s, len, &j, 2, &h, &n))
        return false;
    if (j < len && s[j] == ':')
        j++;
    if (j < len && (!digits(s, len, &j, 2, &m, &n) || n != 2))
        return false;
    if (j != len || h > 18 || m > 59)
        return false;
    *offset_us = sign * ((int64_t)h * 3600 + m * 60) * 1000000;
    return true;
}

/* DateTimeUtils.stringToTimestamp for a date with an optional time and zone. Time-only input
 * (which Spark places on the current day) and region zone names are not supported: null. */
static bool parse_timestamp(const char *s, size_t len, int64_t *out)
{
    trim(&s, &len);
    int64_t days;
    size_t j;
    if (!parse_date_part(s, len, &days, &j))
        return false;
    int64_t us = 0;
    if (j < len) {
        j++; /* ' ' or 'T' */
        int h, mi, sec = 0, n, frac = 0;
        if (!digits(s, len, &j, 2, &h, &n) || j >= len || s[j++] != ':' || !digits(s, len, &j, 2, &mi, &n))
            return false;
        if (j < len && s[j] == ':') {
            j++;
            if (!digits(s, len, &j, 2, &sec, &n))
                return false;
            if (j < len && s[j] == '.') {
                j++;
                int kept = 0;
                while (j < len && s[j] >= '0' && s[j] <= '9') {
                    if (kept < 6) { /* Spark keeps microseconds and drops further digits */
                        frac = frac * 10 + (s[j] - '0');
                        kept++;
                    }
                    j++;
                }
                while (kept++ < 6)
                    frac *= 10;
            }
        }
        if (h > 23 || mi > 59 || sec > 59)
            return false;
        int64_t off;
        if (!parse_zone(s + j, len - j, &off))
            return false;
        us = ((int64_t)h * 3600 + mi * 60 + sec) * 1000000 + frac - off;
    }
    if (days > INT64_MAX / 86400000000 - 1 || days < INT64_MIN / 86400000000 + 1)
        return false;
    *out = days * INT64_C(86400000000) + us;
    return true;
}

/* The JVM's d2i / d2l: toward zero, saturating, NaN → 0. */
static int32_t java_d2i(double d)
{
    if (isnan(d))
        return 0;
    if (d >= 2147483647.0)
        return INT32_MAX;
    if (d <= -2147483648.0)
        return INT32_MIN;
    return (int32_t)d;
}

int64_t lml_java_d2l(double d)
{
    if (isnan(d))
        return 0;
    if (d >= 9223372036854775807.0)
        return INT64_MAX;
    if (d <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)d;
}

/* TimeUnit.SECONDS.toMicros saturates. */
static int64_t secs_to_micros(int64_t s)
{
    if (s > INT64_MAX / 1000000)
        return INT64_MAX;
    if (s < INT64_MIN / 1000000)
        return INT64_MIN;
    return s * 1000000;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static bool can_cast(lml_type from, lml_type to)
{
    if (from == to)
        return true;
    if (to == LML_STRING) /* the new scalar types print as show() prints them, which is Spark's cast */
        return from <= LML_VECTOR || from >= LML_FLOAT;
    if (from == LML_VECTOR || to == LML_VECTOR || from > LML_VECTOR || to > LML_VECTOR)
        return false; /* binary and nested casts are not supported: an LML_ETYPE error */
    if (to == LML_DATE) /* Spark casts only strings and timestamps to dates */
        return from == LML_STRING || from == LML_TIMESTAMP;
    return true;
}

bool lml_value_cast(const lml_value *in, lml_type to, lml_value *out, lml_error *err)
{
    if (!can_cast(in->type, to) || (to == LML_STRING && in->type != LML_STRING))
        return lml_error_set(err, LML_ETYPE, "cannot cast %s to %s", lml_type_name(in->type), lml_type_name(to));
    *out = (lml_value){.type = to, .is_null = in->is_null};
    if (in->is_null || in->type == to) {
        if (!in->is_null)
            *out = *in;
        return true;
    }
    bool ok = true;
    int64_t l = 0;
    double d = 0;
    switch (in->type) {
    case LML_BOOL: l = in->v.b; d = in->v.b; break;
    case LML_INT32: l = in->v.i32; d = in->v.i32; break;
    case LML_INT64: l = in->v.i64; d = (double)in->v.i64; break;
    case LML_DOUBLE: d = in->v.f64; break;
    case LML_DATE: l = in->v.i32; break;
    case LML_TIMESTAMP: l = in->v.i64; d = (double)in->v.i64 / 1e6; break;
    case LML_STRING: {
        const char *s = in->v.str.ptr;
        size_t n = in->v.str.len;
        switch (to) {
        case LML_BOOL: ok = parse_bool(s, n, &out->v.b); break;
        case LML_INT32:
            ok = parse_long(s, n, INT32_MIN, INT32_MAX, &l);
            out->v.i32 = (int32_t)l;
            break;
        case LML_INT64: ok = parse_long(s, n, INT64_MIN, INT64_MAX, &out->v.i64); break;
        case LML_DOUBLE: ok = parse_double(s, n, &out->v.f64); break;
        case LML_DATE: ok = parse_date(s, n, &out->v.i32); break;
        case LML_TIMESTAMP: ok = parse_timestamp(s, n, &out->v.i64); break;
        default: break;
        }
        out->is_null = !ok;
        return true;
    }
    default: break;
    }
    switch (to) {
    case LML_BOOL:
        if (in->type == LML_DATE)
            out->is_null = true;
        else
            out->v.b = in->type == LML_DOUBLE ? d != 0 : l != 0;
        break;
    case LML_INT32:
        if (in->type == LML_DATE)
            out->is_null = true;
        else if (in->type == LML_DOUBLE)
            out->v.i32 = java_d2i(d);
        else if (in->type == LML_TIMESTAMP)
            out->v.i32 = (int32_t)(uint32_t)floor_div(l, 1000000);
        else
            out->v.i32 = (int32_t)(uint32_t)(uint64_t)l; /* long → int wraps */
        break;
    case LML_INT64:
        if (in->type == LML_DATE)
            out->is_null = true;
        else
            out->v.i64 = in->type == LML_DOUBLE ? lml_java_d2l(d) : in->type == LML_TIMESTAMP ? floor_div(l, 1000000) : l;
        break;
    case LML_DOUBLE:
        if (in->type == LML_DATE)
            out->is_null = true;
        else
            out->v.f64 = d;
        break;
    case LML_DATE: /* from a timestamp */
        out->v.i32 = (int32_t)floor_div(l, INT64_C(86400000000));
        break;
    case LML_TIMESTAMP:
        if (in->type == LML_DATE) {
            out->is_null = __builtin_mul_overflow(l, INT64_C(86400000000), &out->v.i64);
        } else if (in->type == LML_BOOL) {
            out->v.i64 = l; /* true is one microsecond, as in Spark */
        } else if (in->type == LML_DOUBLE) {
            if (isnan(d) || isinf(d))
                out->is_null = true;
            else
                out->v.i64 = lml_java_d2l(d * 1e6);
        } else {
            out->v.i64 = secs_to_micros(l);
        }
        break;
    default: break;
    }
    return true;
}

/* Every row of c as show() prints it, into a new string column (nulls stay null). */
static lml_column *cast_to_string(const lml_column *c, lml_error *err)
{
    lml_strbuf sb = {0};
    int32_t *offs = malloc((c->length + 1) * sizeof *offs);
    if (!offs) {
        lml_error_set(err, LML_ENOMEM, "out of memory casting %zu rows to string", c->length);
        return NULL;
    }
    char small[64];
    offs[0] = 0;
    for (size_t i = 0; i < c->length; i++) {
        if (!(c->validity && !lml_bit_get(c->validity, i))) {
            size_t len = lml_format_value(c, i, small, sizeof small);
            if (len < sizeof small) {
                lml_strbuf_append(&sb, small, len);
            } else {
                char *s = malloc(len + 1);
                if (!s) {
                    sb.failed = true;
                } else {
                    lml_format_value(c, i, s, len + 1);
                    lml_strbuf_append(&sb, s, len);
                    free(s);
                }
            }
        }
        if (sb.len > INT32_MAX) {
            sb.failed = true;
            break;
        }
        offs[i + 1] = (int32_t)sb.len;
    }
    lml_column *o = NULL;
    if (!sb.failed)
        o = lml_column_alloc(LML_STRING, c->length, sb.len, c->validity != NULL, err);
    else
        lml_error_set(err, LML_ENOMEM, "casting %zu rows to string: out of memory or over 2 GiB", c->length);
    if (o) {
        memcpy(o->offsets, offs, (c->length + 1) * sizeof *offs);
        if (sb.len)
            memcpy(o->values, sb.data, sb.len);
        if (c->validity)
            memcpy(o->validity, c->validity, lml_bitmap_bytes(c->length));
        lml_column_seal(o);
    }
    free(offs);
    lml_strbuf_free(&sb);
    return o;
}

static lml_column *cast_column(const lml_column *c, lml_type to, lml_error *err)
{
    if (to == LML_STRING)
        return cast_to_string(c, err);
    lml_column *o = lml_column_alloc(to, c->length, 0, true, err);
    if (!o)
        return NULL;
    for (size_t i = 0; i < c->length; i++) {
        lml_value in = lml_column_get(c, i), v;
        lml_value_cast(&in, to, &v, NULL); /* can_cast was checked for the whole column */
        if (v.is_null)
            continue;
        lml_bit_set(o->validity, i);
        switch (to) {
        case LML_BOOL:
            if (v.v.b)
                lml_bit_set(o->values, i);
            break;
        case LML_INT32:
        case LML_DATE: ((int32_t *)o->values)[i] = v.v.i32; break;
        case LML_INT64:
        case LML_TIMESTAMP: ((int64_t *)o->values)[i] = v.v.i64; break;
        case LML_DOUBLE: ((double *)o->values)[i] = v.v.f64; break;
        default: break;
        }
    }
    return lml_column_seal(o);
}

lml_frame *lml_frame_cast(const lml_frame *f, const char *column, lml_type type, lml_error *err)
{
    if (!f || !column) {
        lml_error_set(err, LML_EINVAL, "cast needs a frame and a column name");
        return NULL;
    }
    long at = lml_frame_column_index(f, column);
    if (at < 0) {
        lml_frame_column_by_name(f, column, err);
        return NULL;
    }
    const lml_column *c = f->fields[at].col;
    if ((unsigned)type > LML_VECTOR || !can_cast(c->type, type)) {
        lml_error_set(err, LML_ETYPE, "cannot cast column '%s' from %s to %s", f->fields[at].name,
                      lml_type_name(c->type), lml_type_name(type));
        return NULL;
    }
    if (c->type == type)
        return lml_frame_retain(f);
    lml_column *o = cast_column(c, type, err);
    if (!o)
        return NULL;
    lml_field *fields = lml_frame_copy_fields(f, 0, err);
    if (!fields) {
        lml_column_free(o);
        return NULL;
    }
    lml_column_free(fields[at].col);
    fields[at].col = o;
    free(fields[at].metadata); /* a cast column carries no ML attributes */
    fields[at].metadata = NULL;
    return lml_frame_adopt(fields, f->ncols, err);
}

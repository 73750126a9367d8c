/* Paths and partition values (delta.md §2.3, §8.4, §8.5).
 *
 * A partition directory is Hive-escaped (`:` → %3A), then the whole relative path is URI-encoded
 * for add.path the way Spark's Hadoop Path → java.net.URI does it, so the escape's own '%'
 * becomes %25: value "2021-09-08 11:11:11" → dir "as_timestamp=2021-09-08 11%3A11%3A11" → add.path
 * "as_timestamp=2021-09-08%2011%253A11%253A11/…". Readers decode add.path once and never read
 * values back out of directory names; the values come from partitionValues, parsed here. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/internal.h"
#include "pvalue.h"
#include "pvalue_internal.h"

static const char HEX[] = "0123456789ABCDEF";

static void put_escape(lml_strbuf *sb, unsigned char c)
{
    char e[3] = {'%', HEX[c >> 4], HEX[c & 15]};
    lml_strbuf_append(sb, e, 3);
}

/* Hive's escapePathName set (non-Windows), §8.4. */
static bool hive_escaped(unsigned char c)
{
    if (c >= 0x01 && c <= 0x1F)
        return true;
    switch (c) {
    case '"': case '#': case '%': case '\'': case '*': case '/': case ':': case '=': case '?':
    case '\\': case 0x7F: case '{': case '[': case ']': case '^':
        return true;
    default:
        return false;
    }
}

char *lml_delta_hive_escape(const char *s, lml_error *err)
{
    if (!s) {
        lml_error_set(err, LML_EINVAL, "hive escape: NULL text");
        return NULL;
    }
    lml_strbuf sb = {0};
    lml_strbuf_append(&sb, "", 0);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (hive_escaped(*p))
            put_escape(&sb, *p);
        else
            lml_strbuf_putc(&sb, (char)*p);
    }
    return lml_strbuf_finish(&sb, err);
}

/* ASCII bytes java.net.URI keeps in a path: unreserved (alphanumerics and -_.!~*'()), the path
 * punctuation :@&=+$,; and '/'. Everything else (space, %, ", <, >, \, ^, `, {, |, }, [, ], #,
 * ?, controls) is quoted. */
static bool uri_path_keeps(unsigned char c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("-_.!~*'():@&=+$,;/", c) != NULL;
}

/* Length of the valid UTF-8 sequence at p (≥ 2 bytes, 0 if invalid) and its code point. */
static size_t utf8_seq(const unsigned char *p, uint32_t *cp)
{
    unsigned char c = p[0];
    size_t n;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) { /* a NUL terminator fails this test, so no overrun */
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* java.net.URI quotes a non-ASCII character only when it is an ISO control or a Unicode space
 * (Character.isSpaceChar); other characters stay raw in add.path, as Spark writes them. */
static bool java_quotes_codepoint(uint32_t cp)
{
    if (cp <= 0x9F || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A))
        return true;
    return cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

char *lml_delta_uri_encode_path(const char *path, lml_error *err)
{
    if (!path) {
        lml_error_set(err, LML_EINVAL, "add.path encoding: NULL path");
        return NULL;
    }
    lml_strbuf sb = {0};
    lml_strbuf_append(&sb, "", 0);
    const unsigned char *p = (const unsigned char *)path;
    while (*p) {
        if (*p < 0x80) {
            if (uri_path_keeps(*p))
                lml_strbuf_putc(&sb, (char)*p);
            else
                put_escape(&sb, *p);
            p++;
            continue;
        }
        uint32_t cp;
        size_t n = utf8_seq(p, &cp);
        if (n == 0) { /* not UTF-8: escape the byte so decoding gives it back */
            put_escape(&sb, *p++);
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            if (java_quotes_codepoint(cp))
                put_escape(&sb, p[i]);
            else
                lml_strbuf_putc(&sb, (char)p[i]);
        }
        p += n;
    }
    return lml_strbuf_finish(&sb, err);
}

char *lml_delta_uri_decode(const char *s, lml_error *err)
{
    if (!s) {
        lml_error_set(err, LML_EINVAL, "URI decode: NULL text");
        return NULL;
    }
    size_t len = strlen(s);
    char *out = malloc(len + 1);
    if (!out) {
        lml_error_set(err, LML_ENOMEM, "URI decode: out of memory for %zu bytes", len);
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '%') {
            out[k++] = s[i];
            continue;
        }
        int hi = i + 1 < len ? lml_hex_digit(s[i + 1]) : -1;
        int lo = hi >= 0 && i + 2 < len ? lml_hex_digit(s[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            lml_error_set(err, LML_EFORMAT, "add.path \"%.300s\": %s at offset %zu", s,
                          hi == 0 && lo == 0 ? "encoded NUL byte" : "'%' not followed by two hex digits", i);
            free(out);
            return NULL;
        }
        out[k++] = (char)(hi << 4 | lo);
        i += 2;
    }
    out[k] = '\0';
    return out;
}

/* ---- partition values */

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* Spark's cast from string trims surrounding whitespace before parsing non-string types. */
static void trim(const char **b, const char **e)
{
    while (*b < *e && is_space(**b))
        (*b)++;
    while (*e > *b && is_space((*e)[-1]))
        (*e)--;
}

static bool bad(lml_error *err, const char *s, lml_type type, const char *why)
{
    return lml_error_set(err, LML_EFORMAT, "partition value \"%.200s\": %s as %s", s, why, lml_type_name(type));
}

static bool parse_int(const char *b, const char *e, int64_t min, int64_t max, int64_t *out)
{
    bool neg = false;
    if (b < e && (*b == '-' || *b == '+'))
        neg = *b++ == '-';
    if (b == e)
        return false;
    uint64_t limit = neg ? (uint64_t)0 - (uint64_t)min : (uint64_t)max, v = 0;
    for (; b < e; b++) {
        if (*b < '0' || *b > '9')
            return false;
        unsigned d = (unsigned)(*b - '0');
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)((uint64_t)0 - v) : (int64_t)v;
    return true;
}

static bool parse_bool(const char *b, const char *e, bool *out)
{
    /* Spark's StringUtils.isTrueString / isFalseString, case-insensitive. */
    static const char *const yes[] = {"true", "t", "yes", "y", "1"};
    static const char *const no[] = {"false", "f", "no", "n", "0"};
    for (size_t i = 0; i < 5; i++) {
        if (lml_delta_ieq(b, e, yes[i]))
            return *out = true, true;
        if (lml_delta_ieq(b, e, no[i]))
            return *out = false, true;
    }
    return false;
}


bool lml_delta_pvalue_parse(const char *s, lml_type type, int precision, int scale, lml_value *out,
                            lml_error *err)
{
    if (!out)
        return lml_error_set(err, LML_EINVAL, "partition value: no output value");
    memset(out, 0, sizeof *out);
    out->type = type;
    if (type == LML_DECIMAL) {
        if (precision < 1 || precision > 38 || scale < 0 || scale > precision)
            return lml_error_set(err, LML_EINVAL, "partition value: bad decimal(%d,%d)", precision, scale);
        out->v.dec.precision = precision;
        out->v.dec.scale = scale;
    }
    if (!s || !*s) {
        out->is_null = true;
        return true;
    }
    const char *b = s, *e = s + strlen(s);
    if (type == LML_STRING || type == LML_BINARY) {
        out->v.str.ptr = s;
        out->v.str.len = (size_t)(e - b);
        return true;
    }
    trim(&b, &e);
    int64_t i;
    switch (type) {
    case LML_BOOL:
        return parse_bool(b, e, &out->v.b) || bad(err, s, type, "cannot parse");
    case LML_INT8:
    case LML_INT16:
    case LML_INT32: {
        int64_t lo = type == LML_INT8 ? INT8_MIN : type == LML_INT16 ? INT16_MIN : INT32_MIN;
        int64_t hi = type == LML_INT8 ? INT8_MAX : type == LML_INT16 ? INT16_MAX : INT32_MAX;
        if (!parse_int(b, e, lo, hi, &i))
            return bad(err, s, type, "not an integer in range");
        out->v.i32 = (int32_t)i;
        return true;
    }
    case LML_INT64:
        if (!parse_int(b, e, INT64_MIN, INT64_MAX, &out->v.i64))
            return bad(err, s, type, "not an integer in range");
        return true;
    case LML_FLOAT:
    case LML_DOUBLE:
        return lml_delta_pv_parse_float(b, e, type == LML_FLOAT, &out->v.f64) || bad(err, s, type, "cannot parse");
    case LML_DECIMAL:
        return lml_delta_pv_parse_decimal(b, e, precision, scale, &out->v.dec.lo, &out->v.dec.hi) ||
               bad(err, s, type, "cannot parse or does not fit the precision");
    case LML_DATE: {
        int64_t days;
        if (!lml_delta_pv_parse_date(b, e, &days) || days < INT32_MIN || days > INT32_MAX)
            return bad(err, s, type, "not a valid yyyy-MM-dd date");
        out->v.i32 = (int32_t)days;
        return true;
    }
    case LML_TIMESTAMP:
    case LML_TIMESTAMP_NTZ:
        return lml_delta_pv_parse_timestamp(b, e, type == LML_TIMESTAMP, &out->v.i64) ||
               bad(err, s, type, "not a valid timestamp");
    default:
        return lml_error_set(err, LML_EUNSUPPORTED, "partition value \"%.200s\": %s columns cannot be partition columns",
                             s, lml_type_name(type));
    }
}

static char *copy_bytes(const lml_value *v, lml_error *err)
{
    size_t len = v->v.str.len;
    if (len && (!v->v.str.ptr || memchr(v->v.str.ptr, '\0', len))) {
        lml_error_set(err, LML_EUNSUPPORTED, "partition value of type %s: a NUL byte cannot be written",
                      lml_type_name(v->type));
        return NULL;
    }
    char *out = malloc(len + 1);
    if (!out) {
        lml_error_set(err, LML_ENOMEM, "partition value: out of memory for %zu bytes", len);
        return NULL;
    }
    if (len)
        memcpy(out, v->v.str.ptr, len);
    out[len] = '\0';
    return out;
}

char *lml_delta_pvalue_format(const lml_value *v, lml_error *err)
{
    lml_error_clear(err);
    if (!v || v->is_null)
        return NULL;
    char buf[64];
    switch (v->type) {
    case LML_BOOL:
        return lml_strdup(v->v.b ? "true" : "false", err);
    case LML_INT8:
    case LML_INT16:
    case LML_INT32:
        snprintf(buf, sizeof buf, "%d", (int)v->v.i32);
        return lml_strdup(buf, err);
    case LML_INT64:
        snprintf(buf, sizeof buf, "%lld", (long long)v->v.i64);
        return lml_strdup(buf, err);
    case LML_DOUBLE:
        lml_format_double_java(v->v.f64, buf);
        return lml_strdup(buf, err);
    case LML_FLOAT:
        lml_delta_pv_format_float_java((float)v->v.f64, buf);
        return lml_strdup(buf, err);
    case LML_DECIMAL:
        if (v->v.dec.scale < 0 || v->v.dec.scale > 38) {
            lml_error_set(err, LML_EINVAL, "partition value: bad decimal scale %d", v->v.dec.scale);
            return NULL;
        }
        lml_delta_pv_format_decimal(v->v.dec.lo, v->v.dec.hi, v->v.dec.scale, buf);
        return lml_strdup(buf, err);
    case LML_STRING:
    case LML_BINARY:
        return copy_bytes(v, err);
    case LML_DATE:
        lml_delta_pv_format_date(v->v.i32, buf);
        return lml_strdup(buf, err);
    case LML_TIMESTAMP:
    case LML_TIMESTAMP_NTZ:
        lml_delta_pv_format_timestamp(v->v.i64, v->type == LML_TIMESTAMP, buf);
        return lml_strdup(buf, err);
    default:
        lml_error_set(err, LML_EUNSUPPORTED, "partition value: %s columns cannot be partition columns",
                      lml_type_name(v->type));
        return NULL;
    }
}

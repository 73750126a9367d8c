/* The built-in functions. Strings are processed a column at a time into exactly-sized buffers;
 * lower/upper map ASCII, Latin-1, Greek and Cyrillic letters (the one-to-one mappings that keep a
 * character's UTF-8 length; Java's special cases such as ß → SS are left as they are); trim,
 * ltrim and rtrim remove spaces (U+0020) only, as Spark's do; length counts characters. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "frame/expr/ast.h"

static const char *sv(const vec *v, size_t i, size_t *len)
{
    size_t r = vrow(v, i);
    const int32_t *o = v->c->offsets;
    *len = (size_t)(o[r + 1] - o[r]);
    return (const char *)v->c->values + o[r];
}

static bool all_scalar(const vec *args, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!args[k].scalar)
            return false;
    return true;
}

/* Code point → its lower (to_upper false) or upper case partner of the same UTF-8 length. */
static uint32_t map_case(uint32_t c, bool to_upper)
{
    if (to_upper) {
        if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7) || (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) ||
            (c >= 0x430 && c <= 0x44F))
            return c - 0x20;
        if (c >= 0x450 && c <= 0x45F)
            return c - 0x50;
        if (c == 0x3C2) /* final sigma */
            return 0x3A3;
    } else {
        if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) ||
            (c >= 0x410 && c <= 0x42F))
            return c + 0x20;
        if (c >= 0x400 && c <= 0x40F)
            return c + 0x50;
    }
    return c;
}

/* Rewrites two-byte UTF-8 sequences in place (every mapped pair stays two bytes). */
static void case_bytes(char *s, size_t len, bool to_upper)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            s[i] = (char)map_case(c, to_upper);
        } else if ((c & 0xE0) == 0xC0 && i + 1 < len && ((unsigned char)s[i + 1] & 0xC0) == 0x80) {
            uint32_t cp = (uint32_t)(c & 0x1F) << 6 | ((unsigned char)s[i + 1] & 0x3F);
            uint32_t m = map_case(cp, to_upper);
            if (m != cp && m >= 0x80 && m < 0x800) {
                s[i] = (char)(0xC0 | (m >> 6));
                s[i + 1] = (char)(0x80 | (m & 0x3F));
            }
            i++;
        }
    }
}

/* The kept byte range of a string for trim/ltrim/rtrim. */
static void trim_range(expr_fn fn, const char *s, size_t len, size_t *a, size_t *b)
{
    *a = 0;
    *b = len;
    if (fn != FN_RTRIM)
        while (*a < *b && s[*a] == ' ')
            (*a)++;
    if (fn != FN_LTRIM)
        while (*b > *a && s[*b - 1] == ' ')
            (*b)--;
}

static bool string_fn(eval_ctx *cx, const bnode *b, const vec *args, size_t len, vec *out)
{
    size_t na = b->nkids, bytes = 0;
    lml_column *o;
    /* Pass 1: the output size; a row is NULL when any argument is. */
    for (size_t i = 0; i < len; i++) {
        bool null = false;
        for (size_t k = 0; k < na && !null; k++)
            null = vnull(&args[k], i);
        if (null)
            continue;
        for (size_t k = 0; k < na; k++) {
            size_t l, x, y;
            const char *s = sv(&args[k], i, &l);
            if (b->fn == FN_TRIM || b->fn == FN_LTRIM || b->fn == FN_RTRIM) {
                trim_range(b->fn, s, l, &x, &y);
                l = y - x;
            }
            bytes += l;
        }
    }
    if (!(o = lml_column_alloc(LML_STRING, len, bytes, true, cx->err)))
        return false;
    size_t at = 0;
    char *d = o->values;
    for (size_t i = 0; i < len; i++) {
        bool null = false;
        for (size_t k = 0; k < na && !null; k++)
            null = vnull(&args[k], i);
        if (!null) {
            lml_bit_set(o->validity, i);
            for (size_t k = 0; k < na; k++) {
                size_t l, x = 0, y;
                const char *s = sv(&args[k], i, &l);
                y = l;
                if (b->fn == FN_TRIM || b->fn == FN_LTRIM || b->fn == FN_RTRIM)
                    trim_range(b->fn, s, l, &x, &y);
                if (y > x)
                    memcpy(d + at, s + x, y - x);
                if (b->fn == FN_LOWER || b->fn == FN_UPPER)
                    case_bytes(d + at, y - x, b->fn == FN_UPPER);
                at += y - x;
            }
        }
        o->offsets[i + 1] = (int32_t)at;
    }
    out->c = vec_seal(o);
    return true;
}

/* round(x, d) HALF_UP for integers: d ≥ 0 keeps x; d < 0 rounds to a multiple of 10^-d. */
static int64_t round_int(int64_t x, int d)
{
    if (d >= 0)
        return x;
    if (d < -18)
        return 0;
    int64_t p = 1;
    for (int k = 0; k < -d; k++)
        p *= 10;
    int64_t q = x / p, r = x % p;
    if (r >= p - r || -r >= p + r) /* |r| * 2 >= p without overflow */
        q += r > 0 ? 1 : -1;
    return (int64_t)((uint64_t)q * (uint64_t)p);
}

static bool numeric_fn(eval_ctx *cx, const bnode *b, const vec *a, size_t len, vec *out)
{
    lml_column *o = vec_alloc(cx, b->type, len, 0, a, NULL);
    if (!o)
        return false;
    lml_type in = a->c->type;
    for (size_t i = 0; i < len; i++) {
        size_t r = vrow(a, i);
        int64_t iv = in == LML_INT32 ? ((const int32_t *)a->c->values)[r]
                   : in == LML_INT64 ? ((const int64_t *)a->c->values)[r] : 0;
        double dv = in == LML_DOUBLE ? ((const double *)a->c->values)[r] : 0;
        switch (b->fn) {
        case FN_ABS:
            if (in == LML_INT32)
                ((int32_t *)o->values)[i] = iv < 0 ? (int32_t)(0u - (uint32_t)iv) : (int32_t)iv;
            else if (in == LML_INT64)
                ((int64_t *)o->values)[i] = iv < 0 ? (int64_t)(0u - (uint64_t)iv) : iv;
            else
                ((double *)o->values)[i] = fabs(dv);
            break;
        case FN_ROUND:
            if (in == LML_INT32)
                ((int32_t *)o->values)[i] = (int32_t)(uint32_t)(uint64_t)round_int(iv, b->scale);
            else if (in == LML_INT64)
                ((int64_t *)o->values)[i] = round_int(iv, b->scale);
            else
                ((double *)o->values)[i] = expr_round_half_up(dv, b->scale);
            break;
        case FN_FLOOR:
        case FN_CEIL:
            ((int64_t *)o->values)[i] = in != LML_DOUBLE ? iv : lml_java_d2l(b->fn == FN_FLOOR ? floor(dv) : ceil(dv));
            break;
        default: {
            int64_t y;
            int m, d;
            lml_civil_from_days(((const int32_t *)a->c->values)[r], &y, &m, &d);
            ((int32_t *)o->values)[i] = b->fn == FN_YEAR ? (int32_t)y : b->fn == FN_MONTH ? m : d;
            break;
        }
        }
    }
    out->c = vec_seal(o);
    return true;
}

static bool length_fn(eval_ctx *cx, const vec *a, size_t len, vec *out)
{
    lml_column *o = vec_alloc(cx, LML_INT32, len, 0, a, NULL);
    if (!o)
        return false;
    for (size_t i = 0; i < len; i++) {
        size_t l, n = 0;
        const char *s = sv(a, i, &l);
        for (size_t k = 0; k < l; k++)
            n += ((unsigned char)s[k] & 0xC0) != 0x80;
        ((int32_t *)o->values)[i] = (int32_t)n;
    }
    out->c = vec_seal(o);
    return true;
}

static bool coalesce(eval_ctx *cx, const bnode *b, const vec *args, size_t len, vec *out)
{
    int32_t *pick = malloc((len ? len : 1) * sizeof *pick);
    if (!pick)
        return lml_error_set(cx->err, LML_ENOMEM, "out of memory evaluating coalesce over %zu rows", len);
    for (size_t i = 0; i < len; i++) {
        pick[i] = -1;
        for (size_t k = 0; k < b->nkids; k++)
            if (!vnull(&args[k], i)) {
                pick[i] = (int32_t)k;
                break;
            }
    }
    eval_ctx one = *cx;
    one.n = len;
    bool ok = vec_gather(&one, b->type, args, pick, out);
    free(pick);
    return ok;
}

bool eval_function(eval_ctx *cx, const bnode *b, vec *args, vec *out)
{
    bool scalar = all_scalar(args, b->nkids);
    size_t len = scalar ? 1 : cx->n;
    bool ok;
    switch (b->fn) {
    case FN_COALESCE: ok = coalesce(cx, b, args, len, out); break;
    case FN_LOWER:
    case FN_UPPER:
    case FN_TRIM:
    case FN_LTRIM:
    case FN_RTRIM:
    case FN_CONCAT: ok = string_fn(cx, b, args, len, out); break;
    case FN_LENGTH: ok = length_fn(cx, &args[0], len, out); break;
    case FN_CURRENT_DATE:
    case FN_CURRENT_TIMESTAMP: {
        int64_t days = cx->now_us / INT64_C(86400000000) - (cx->now_us % INT64_C(86400000000) < 0);
        lml_value v = {.type = b->type};
        if (b->fn == FN_CURRENT_DATE)
            v.v.i32 = (int32_t)days;
        else
            v.v.i64 = cx->now_us;
        ok = vec_scalar(cx, &v, out);
        break;
    }
    default: ok = numeric_fn(cx, b, &args[0], len, out); break;
    }
    if (ok)
        out->scalar = scalar;
    return ok;
}

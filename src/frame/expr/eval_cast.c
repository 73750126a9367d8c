/* CAST and the implicit casts the binder inserted. Widening (int → bigint/double, byte/short →
 * int, float/decimal → double) are plain loops; casts to string print each value as Spark's
 * show() does (lml_format_value); everything else goes through lml_value_cast, Spark's non-ANSI
 * rules for one value (an unparsable string becomes NULL). Casts to tinyint/smallint wrap as the
 * JVM does (a string out of range is NULL); decimal(p,s) is carried as a double rounded HALF_UP
 * to s digits, NULL when it needs more than p - s integer digits. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/expr/ast.h"

double expr_round_half_up(double x, int d)
{
    if (!isfinite(x) || x == 0)
        return x;
    char buf[LML_DOUBLE_BUF], dig[LML_DOUBLE_BUF + 2];
    size_t len = lml_format_double_shortest(x, buf), nd = 0;
    long pt = 0, exp10 = 0; /* value = 0.dig × 10^pt */
    bool neg = buf[0] == '-', seen_point = false, leading = true;
    for (size_t i = neg; i < len; i++) {
        char c = buf[i];
        if (c == '.') {
            seen_point = true;
        } else if (c == 'e' || c == 'E') {
            exp10 = strtol(buf + i + 1, NULL, 10);
            break;
        } else if (c >= '0' && c <= '9') {
            if (leading && c == '0') {
                if (seen_point)
                    pt--;
                continue;
            }
            leading = false;
            dig[nd++] = c;
            if (!seen_point)
                pt++;
        }
    }
    pt += exp10;
    long keep = pt + d;
    if (keep >= (long)nd)
        return x;
    if (keep < 0)
        return neg ? -0.0 : 0.0;
    bool up = dig[keep] >= '5';
    size_t k = (size_t)keep;
    if (up) { /* add one at the last kept digit, carrying */
        long i = keep - 1;
        while (i >= 0 && dig[i] == '9')
            dig[i--] = '0';
        if (i >= 0) {
            dig[i]++;
        } else {
            memmove(dig + 1, dig, k);
            dig[0] = '1';
            k++;
            pt++;
        }
    }
    if (k == 0)
        return neg ? -0.0 : 0.0;
    char out[LML_DOUBLE_BUF + 32];
    snprintf(out, sizeof out, "%s%.*se%ld", neg ? "-" : "", (int)k, dig, pt - (long)k);
    lml_value s = {.type = LML_STRING, .v.str = {out, strlen(out)}}, r;
    lml_value_cast(&s, LML_DOUBLE, &r, NULL); /* locale-independent parse */
    return r.v.f64;
}

static bool to_string(eval_ctx *cx, const vec *in, size_t len, vec *out)
{
    lml_strbuf sb = {0};
    int32_t *offs = malloc((len + 1) * sizeof *offs);
    if (!offs)
        return lml_error_set(cx->err, LML_ENOMEM, "out of memory casting %zu rows to string", len);
    char small[64];
    offs[0] = 0;
    for (size_t i = 0; i < len && !sb.failed; i++) {
        if (!vnull(in, i)) {
            size_t n = lml_format_value(in->c, i, small, sizeof small);
            if (n < sizeof small) {
                lml_strbuf_append(&sb, small, n);
            } else {
                char *s = malloc(n + 1);
                if (s) {
                    lml_format_value(in->c, i, s, n + 1);
                    lml_strbuf_append(&sb, s, n);
                }
                sb.failed |= !s;
                free(s);
            }
        }
        sb.failed |= sb.len > INT32_MAX;
        offs[i + 1] = (int32_t)sb.len;
    }
    lml_column *o = NULL;
    if (sb.failed)
        lml_error_set(cx->err, LML_ENOMEM, "casting %zu rows to string: out of memory or over 2 GiB", len);
    else
        o = vec_alloc(cx, LML_STRING, len, sb.len, in, NULL);
    if (o) {
        memcpy(o->offsets, offs, (len + 1) * sizeof *offs);
        if (sb.len)
            memcpy(o->values, sb.data, sb.len);
        out->c = vec_seal(o);
    }
    free(offs);
    lml_strbuf_free(&sb);
    return o != NULL;
}

/* The plain widening loops; false when from → to is not one of them. */
static bool widen(lml_column *o, const lml_column *c, size_t len)
{
    lml_type from = c->type, to = o->type;
    if (from == LML_INT32 && to == LML_INT64)
        for (size_t i = 0; i < len; i++)
            ((int64_t *)o->values)[i] = ((const int32_t *)c->values)[i];
    else if (from == LML_INT32 && to == LML_DOUBLE)
        for (size_t i = 0; i < len; i++)
            ((double *)o->values)[i] = ((const int32_t *)c->values)[i];
    else if (from == LML_INT64 && to == LML_DOUBLE)
        for (size_t i = 0; i < len; i++)
            ((double *)o->values)[i] = (double)((const int64_t *)c->values)[i];
    else if (from == LML_INT8 && to == LML_INT32)
        for (size_t i = 0; i < len; i++)
            ((int32_t *)o->values)[i] = ((const int8_t *)c->values)[i];
    else if (from == LML_INT16 && to == LML_INT32)
        for (size_t i = 0; i < len; i++)
            ((int32_t *)o->values)[i] = ((const int16_t *)c->values)[i];
    else if (from == LML_FLOAT && to == LML_DOUBLE)
        for (size_t i = 0; i < len; i++)
            ((double *)o->values)[i] = ((const float *)c->values)[i];
    else if (from == LML_DECIMAL && to == LML_DOUBLE)
        for (size_t i = 0; i < len; i++)
            ((double *)o->values)[i] = lml_decimal_to_double((const uint8_t *)c->values + 16 * i, c->scale);
    else if (from == LML_TIMESTAMP_NTZ && to == LML_TIMESTAMP) /* the session zone is UTC */
        memcpy(o->values, c->values, len * sizeof(int64_t));
    else
        return false;
    return true;
}

/* One value of the basic types cast to `to` (tinyint/smallint/float/decimal included). */
static bool cast_one(const bnode *b, const lml_value *in, lml_value *v)
{
    lml_type to = b->type;
    if (to == LML_INT8 || to == LML_INT16) {
        int64_t lo = to == LML_INT8 ? INT8_MIN : INT16_MIN, hi = to == LML_INT8 ? INT8_MAX : INT16_MAX;
        lml_value w;
        /* UTF8String.toShort/toByte and a timestamp's seconds must fit; numbers wrap as (short) (int) x */
        lml_value_cast(in, in->type == LML_STRING || in->type == LML_TIMESTAMP ? LML_INT64 : LML_INT32, &w, NULL);
        int64_t x = w.type == LML_INT64 ? w.v.i64 : w.v.i32;
        if (w.is_null || ((in->type == LML_STRING || in->type == LML_TIMESTAMP) && (x < lo || x > hi)))
            return false;
        v->v.i32 = to == LML_INT8 ? (int8_t)(uint8_t)(uint64_t)x : (int16_t)(uint16_t)(uint64_t)x;
        return true;
    }
    if (to == LML_FLOAT || (to == LML_DOUBLE && b->is_decimal)) {
        lml_value w;
        lml_value_cast(in, LML_DOUBLE, &w, NULL);
        if (w.is_null)
            return false;
        if (to == LML_FLOAT) {
            v->v.f64 = (float)w.v.f64;
            return true;
        }
        if (!isfinite(w.v.f64))
            return false;
        double r = expr_round_half_up(w.v.f64, b->scale);
        v->v.f64 = r;
        return fabs(r) < pow(10, b->prec - b->scale);
    }
    lml_value_cast(in, to, v, NULL);
    return !v->is_null;
}

bool eval_cast(eval_ctx *cx, const bnode *b, const vec *in, vec *out)
{
    size_t len = in->scalar ? 1 : cx->n;
    lml_type to = b->type;
    out->scalar = in->scalar;
    if (b->kids[0]->type == EXPR_T_NULL) { /* NULL as any type */
        lml_column *o = lml_column_alloc(to == EXPR_T_NULL ? LML_BOOL : to, len, 0, true, cx->err);
        return o && (out->c = vec_seal(o));
    }
    if (to == LML_STRING)
        return to_string(cx, in, len, out);
    lml_column *o = vec_alloc(cx, to, len, 0, in, NULL);
    if (!o)
        return false;
    if (!b->is_decimal && widen(o, in->c, len)) {
        out->c = vec_seal(o);
        return true;
    }
    if (!o->validity) {
        if (!(o->validity = lml_aligned_malloc(lml_bitmap_bytes(len)))) {
            lml_column_free(o);
            return lml_error_set(cx->err, LML_ENOMEM, "out of memory casting %zu rows", len);
        }
        memset(o->validity, 0xFF, lml_bitmap_bytes(len));
    }
    for (size_t i = 0; i < len; i++) {
        if (!lml_bit_get(o->validity, i))
            continue;
        lml_value x = lml_column_get(in->c, i), v = {.type = to};
        if (!cast_one(b, &x, &v)) {
            lml_bit_clear(o->validity, i);
            continue;
        }
        switch (to) {
        case LML_BOOL:
            if (v.v.b)
                lml_bit_set(o->values, i);
            break;
        case LML_INT8: ((int8_t *)o->values)[i] = (int8_t)v.v.i32; break;
        case LML_INT16: ((int16_t *)o->values)[i] = (int16_t)v.v.i32; break;
        case LML_INT32: case LML_DATE: ((int32_t *)o->values)[i] = v.v.i32; break;
        case LML_INT64: case LML_TIMESTAMP: ((int64_t *)o->values)[i] = v.v.i64; break;
        case LML_FLOAT: ((float *)o->values)[i] = (float)v.v.f64; break;
        default: ((double *)o->values)[i] = v.v.f64; break;
        }
    }
    out->c = vec_seal(o);
    return true;
}

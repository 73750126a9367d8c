/* CASE WHEN and the row gather it shares with coalesce: each row takes its value from the source
 * its branch picked. Every branch is computed over all rows first (they cannot fail on data:
 * division by zero and bad casts are NULLs), then one pass copies the picked values. */
#include <stdlib.h>
#include <string.h>
#include "frame/expr/ast.h"

static size_t width(lml_type t)
{
    switch (t) {
    case LML_INT8: return 1;
    case LML_INT16: return 2;
    case LML_INT32: case LML_DATE: case LML_FLOAT: return 4;
    default: return 8;
    }
}

bool vec_gather(eval_ctx *cx, lml_type type, const vec *srcs, const int32_t *pick, vec *out)
{
    size_t n = cx->n, bytes = 0;
    if (type == EXPR_T_NULL)
        type = LML_BOOL;
    if (type == LML_STRING)
        for (size_t i = 0; i < n; i++) {
            const vec *s = pick[i] >= 0 ? &srcs[pick[i]] : NULL;
            if (s && !vnull(s, i)) {
                size_t r = vrow(s, i);
                bytes += (size_t)(s->c->offsets[r + 1] - s->c->offsets[r]);
            }
        }
    lml_column *o = lml_column_alloc(type, n, bytes, true, cx->err);
    if (!o)
        return false;
    size_t w = width(type), at = 0;
    for (size_t i = 0; i < n; i++) {
        const vec *s = pick[i] >= 0 ? &srcs[pick[i]] : NULL;
        bool present = s && !vnull(s, i);
        size_t r = s ? vrow(s, i) : 0;
        if (present)
            lml_bit_set(o->validity, i);
        if (type == LML_STRING) {
            if (present) {
                size_t a = (size_t)s->c->offsets[r], l = (size_t)s->c->offsets[r + 1] - a;
                if (l)
                    memcpy((char *)o->values + at, (const char *)s->c->values + a, l);
                at += l;
            }
            o->offsets[i + 1] = (int32_t)at;
        } else if (type == LML_BOOL) {
            if (present && lml_bit_get(s->c->values, r))
                lml_bit_set(o->values, i);
        } else if (present) {
            memcpy((char *)o->values + i * w, (const char *)s->c->values + r * w, w);
        }
    }
    out->c = vec_seal(o);
    out->scalar = false;
    return true;
}

bool eval_case(eval_ctx *cx, const bnode *b, vec *out)
{
    size_t nk = b->nkids, nconds = nk / 2;
    vec *v = calloc(nk, sizeof *v), *vals = calloc(nconds + 1, sizeof *vals);
    int32_t *pick = NULL;
    bool ok = v && vals;
    size_t done = 0;
    if (!ok)
        lml_error_set(cx->err, LML_ENOMEM, "out of memory evaluating CASE");
    for (; ok && done < nk; done++)
        ok = expr_eval_node(cx, b->kids[done], &v[done]);
    if (ok) {
        bool all_scalar = true;
        for (size_t k = 0; k < nk; k++)
            all_scalar &= v[k].scalar;
        eval_ctx one = *cx;
        if (all_scalar)
            one.n = 1;
        pick = malloc((one.n ? one.n : 1) * sizeof *pick);
        if (!(ok = pick != NULL))
            lml_error_set(cx->err, LML_ENOMEM, "out of memory evaluating CASE over %zu rows", one.n);
        for (size_t i = 0; ok && i < one.n; i++) {
            int32_t p = b->has_else ? (int32_t)nconds : -1;
            for (size_t k = 0; k < nconds; k++) {
                const vec *c = &v[2 * k];
                if (!vnull(c, i) && lml_bit_get(c->c->values, vrow(c, i))) { /* a NULL condition is not true */
                    p = (int32_t)k;
                    break;
                }
            }
            pick[i] = p;
        }
        for (size_t k = 0; k < nconds; k++)
            vals[k] = v[2 * k + 1];
        if (b->has_else)
            vals[nconds] = v[nk - 1];
        if (ok) {
            ok = vec_gather(&one, b->type, vals, pick, out);
            out->scalar = all_scalar;
        }
    }
    for (size_t k = 0; k < done && v; k++)
        if (v[k].c)
            vec_free(&v[k]);
    free(v);
    free(vals);
    free(pick);
    return ok;
}

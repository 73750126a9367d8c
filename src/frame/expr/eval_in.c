/* x IN (…). In general it is (x = a) OR (x = b) OR …, which is exactly SQL's three-valued IN
 * (true when found, else NULL when x or any item is NULL, else false). A long list of constants,
 * the usual shape, is instead sorted once and each row binary-searched, so a thousand-item list
 * over millions of rows costs a few comparisons per row instead of a thousand passes. */
#include <stdlib.h>
#include <string.h>
#include "frame/expr/ast.h"

enum { SET_MIN = 8 }; /* shorter lists: the comparison chain is as fast */

typedef struct key {
    int64_t i; /* int, bigint, date, timestamp */
    double d;
    const char *s;
    size_t len;
} key;

static int cmp_int(const void *pa, const void *pb)
{
    const key *a = pa, *b = pb;
    return (a->i > b->i) - (a->i < b->i);
}

/* NaN equals NaN and sorts last, as Spark orders doubles; -0.0 equals 0.0. */
static int cmp_double(const void *pa, const void *pb)
{
    const key *a = pa, *b = pb;
    bool na = a->d != a->d, nb = b->d != b->d;
    if (na || nb)
        return na - nb;
    return (a->d > b->d) - (a->d < b->d);
}

static int cmp_string(const void *pa, const void *pb)
{
    const key *a = pa, *b = pb;
    size_t m = a->len < b->len ? a->len : b->len;
    int c = m ? memcmp(a->s, b->s, m) : 0;
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

static key key_at(const vec *v, size_t i)
{
    key k = {0};
    size_t r = vrow(v, i);
    switch (v->c->type) {
    case LML_INT32: case LML_DATE: k.i = ((const int32_t *)v->c->values)[r]; break;
    case LML_INT64: case LML_TIMESTAMP: k.i = ((const int64_t *)v->c->values)[r]; break;
    case LML_DOUBLE: k.d = ((const double *)v->c->values)[r]; break;
    default:
        k.s = (const char *)v->c->values + v->c->offsets[r];
        k.len = (size_t)(v->c->offsets[r + 1] - v->c->offsets[r]);
        break;
    }
    return k;
}

/* The sorted-set path: every item is a scalar of x's type. */
static bool in_set(eval_ctx *cx, const vec *x, const vec *items, size_t n, vec *out)
{
    key *keys = malloc(n * sizeof *keys);
    if (!keys)
        return lml_error_set(cx->err, LML_ENOMEM, "out of memory for an IN list of %zu items", n);
    size_t nk = 0;
    bool list_null = false;
    for (size_t k = 0; k < n; k++) {
        if (vnull(&items[k], 0))
            list_null = true;
        else
            keys[nk++] = key_at(&items[k], 0);
    }
    lml_type t = x->c->type;
    int (*cmp)(const void *, const void *) = t == LML_DOUBLE ? cmp_double : t == LML_STRING ? cmp_string : cmp_int;
    qsort(keys, nk, sizeof *keys, cmp);
    size_t len = x->scalar ? 1 : cx->n;
    lml_column *o = lml_column_alloc(LML_BOOL, len, 0, true, cx->err);
    if (!o) {
        free(keys);
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (vnull(x, i))
            continue;
        key want = key_at(x, i);
        bool found = nk && bsearch(&want, keys, nk, sizeof *keys, cmp) != NULL;
        if (found || !list_null)
            lml_bit_set(o->validity, i);
        if (found)
            lml_bit_set(o->values, i);
    }
    free(keys);
    out->c = vec_seal(o);
    out->scalar = x->scalar;
    return true;
}

static bool settable(lml_type t)
{
    return t == LML_INT32 || t == LML_INT64 || t == LML_DOUBLE || t == LML_STRING || t == LML_DATE ||
           t == LML_TIMESTAMP;
}

bool eval_in(eval_ctx *cx, const bnode *b, vec *out)
{
    size_t n = b->nkids - 1;
    vec x = {0}, *items = calloc(n ? n : 1, sizeof *items);
    if (!items)
        return lml_error_set(cx->err, LML_ENOMEM, "out of memory for an IN list of %zu items", n);
    bool ok = expr_eval_node(cx, b->kids[0], &x);
    size_t done = 0;
    for (; ok && done < n; done++)
        ok = expr_eval_node(cx, b->kids[done + 1], &items[done]);
    if (ok) {
        bool all_scalar = n >= SET_MIN && settable(x.c->type);
        for (size_t k = 0; k < n && all_scalar; k++)
            all_scalar = items[k].scalar;
        if (all_scalar) {
            ok = in_set(cx, &x, items, n, out);
        } else {
            vec acc = {0};
            for (size_t k = 0; ok && k < n; k++) {
                vec eq, o;
                if (!(ok = eval_cmp(cx, OP_EQ, &x, &items[k], &eq)))
                    break;
                if (!acc.c) {
                    acc = eq;
                    continue;
                }
                ok = eval_and_or(cx, false, &acc, &eq, &o);
                vec_free(&acc);
                vec_free(&eq);
                acc = o;
            }
            if (ok)
                *out = acc;
            else if (acc.c)
                vec_free(&acc);
        }
    }
    if (x.c)
        vec_free(&x);
    for (size_t k = 0; k < done; k++)
        if (items[k].c)
            vec_free(&items[k]);
    free(items);
    return ok;
}

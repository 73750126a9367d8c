/* Type rules of the built-in functions, as Spark's ImplicitCastInputTypes apply them: string
 * functions take any scalar as its string form, numeric ones read strings as double, the date
 * parts read strings and timestamps as dates; coalesce takes its arguments' wider type. */
#include <stdlib.h>
#include "frame/expr/ast.h"

static bool scalar_type(lml_type t) { return t <= LML_TIMESTAMP || t == EXPR_T_NULL; }

static bnode *fail(bnode **k, size_t n)
{
    for (size_t i = 0; i < n; i++)
        expr_bnode_free(k[i]);
    return NULL;
}

static bnode *arg_error(const lml_expr *e, bnode **k, size_t n, size_t i, const char *need, lml_error *err)
{
    lml_error_set(err, LML_ETYPE, "type mismatch at position %zu: argument %zu of %s must be %s, got %s", e->pos, i + 1,
                  expr_fn_name(e->fn), need, expr_type_name(k[i]->type));
    return fail(k, n);
}

bnode *bind_function(const lml_expr *e, bnode **k, size_t n, lml_error *err)
{
    lml_type t = EXPR_T_NULL;
    switch (e->fn) {
    case FN_COALESCE:
        for (size_t i = 0; i < n; i++)
            if (!bind_wider(t, k[i]->type, &t)) {
                lml_error_set(err, LML_ETYPE, "type mismatch at position %zu: coalesce mixes %s and %s", e->pos,
                              expr_type_name(t), expr_type_name(k[i]->type));
                return fail(k, n);
            }
        break;
    case FN_LOWER:
    case FN_UPPER:
    case FN_TRIM:
    case FN_LTRIM:
    case FN_RTRIM:
    case FN_CONCAT:
    case FN_LENGTH:
        for (size_t i = 0; i < n; i++)
            if (!scalar_type(k[i]->type))
                return arg_error(e, k, n, i, "a string", err);
        t = e->fn == FN_LENGTH ? LML_INT32 : LML_STRING;
        for (size_t i = 0; i < n; i++)
            k[i] = bnode_cast(k[i], LML_STRING);
        break;
    case FN_ABS:
    case FN_ROUND:
    case FN_FLOOR:
    case FN_CEIL: {
        lml_type a = k[0]->type == LML_STRING || k[0]->type == EXPR_T_NULL ? LML_DOUBLE : k[0]->type;
        if (!bind_is_numeric(a))
            return arg_error(e, k, n, 0, "numeric", err);
        k[0] = bnode_cast(k[0], a);
        t = e->fn == FN_FLOOR || e->fn == FN_CEIL ? LML_INT64 : a;
        if (n == 2 && !(k[1]->kind == B_LIT && k[1]->type == LML_INT32)) {
            lml_error_set(err, LML_ETYPE, "type mismatch at position %zu: the scale of round must be an int literal",
                          e->kids[1]->pos);
            return fail(k, n);
        }
        break;
    }
    case FN_YEAR:
    case FN_MONTH:
    case FN_DAY: {
        lml_type a = k[0]->type;
        if (a != LML_DATE && a != LML_TIMESTAMP && a != LML_STRING && a != EXPR_T_NULL)
            return arg_error(e, k, n, 0, "a date", err);
        k[0] = bnode_cast(k[0], LML_DATE);
        t = LML_INT32;
        break;
    }
    case FN_CURRENT_DATE: t = LML_DATE; break;
    case FN_CURRENT_TIMESTAMP: t = LML_TIMESTAMP; break;
    }
    if (e->fn == FN_COALESCE)
        for (size_t i = 0; i < n; i++)
            k[i] = bnode_cast(k[i], t);
    bnode *r = bnode_new(B_FUNC, t, e);
    bool ok = r != NULL;
    if (r) {
        r->fn = e->fn;
        if (e->fn == FN_ROUND)
            r->scale = n == 2 ? k[1]->lit.v.i32 : 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (ok && k[i]) {
            ok = bnode_add(r, k[i]);
        } else {
            ok = false;
            expr_bnode_free(k[i]);
        }
    }
    if (!ok) {
        expr_bnode_free(r);
        lml_error_set(err, LML_ENOMEM, "out of memory binding %s", expr_fn_name(e->fn));
        return NULL;
    }
    return r;
}

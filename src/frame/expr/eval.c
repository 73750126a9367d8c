/* Evaluation driver: binds the expression, walks the bound tree a whole column at a time, and
 * hands back a column or a row mask. Constant subtrees are computed on one row (a "scalar" vec)
 * and broadcast only where they meet a column, so `a > 5` never materialises a column of fives. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "frame/expr/ast.h"

void vec_free(vec *v)
{
    lml_column_free(v->c);
    v->c = NULL;
}

static void and_validity(uint8_t *dst, size_t n, const vec *v)
{
    if (!v || !v->c->validity)
        return;
    if (v->scalar) {
        if (!lml_bit_get(v->c->validity, 0))
            memset(dst, 0, lml_bitmap_bytes(n));
        return;
    }
    const uint8_t *s = v->c->validity;
    for (size_t i = 0, nb = lml_bitmap_bytes(n); i < nb; i++)
        dst[i] &= s[i];
}

lml_column *vec_alloc(eval_ctx *cx, lml_type type, size_t n, size_t bytes, const vec *a, const vec *b)
{
    bool need = (a && a->c->validity) || (b && b->c->validity);
    lml_column *c = lml_column_alloc(type, n, bytes, need, cx->err);
    if (!c || !need)
        return c;
    memset(c->validity, 0xFF, lml_bitmap_bytes(n));
    and_validity(c->validity, n, a);
    and_validity(c->validity, n, b);
    return c;
}

lml_column *vec_seal(lml_column *c)
{
    if (c->validity) {
        size_t w = 0;
        switch (c->type) {
        case LML_INT8: w = 1; break;
        case LML_INT16: w = 2; break;
        case LML_INT32: case LML_DATE: case LML_FLOAT: w = 4; break;
        case LML_INT64: case LML_DOUBLE: case LML_TIMESTAMP: case LML_TIMESTAMP_NTZ: w = 8; break;
        case LML_BOOL:
            for (size_t i = 0, nb = lml_bitmap_bytes(c->length); i < nb; i++)
                ((uint8_t *)c->values)[i] &= c->validity[i];
            break;
        default: break;
        }
        if (w)
            for (size_t i = 0; i < c->length; i++)
                if (!lml_bit_get(c->validity, i))
                    memset((char *)c->values + i * w, 0, w);
    }
    if (c->type == LML_BOOL && c->length % 8) /* no stray bits past the last row */
        ((uint8_t *)c->values)[c->length / 8] &= (uint8_t)((1u << (c->length % 8)) - 1);
    return lml_column_seal(c);
}

bool vec_scalar(eval_ctx *cx, const lml_value *v, vec *out)
{
    lml_type t = v->type == EXPR_T_NULL ? LML_BOOL : v->type;
    size_t bytes = t == LML_STRING && !v->is_null ? v->v.str.len : 0;
    lml_column *c = lml_column_alloc(t, 1, bytes, v->is_null, cx->err);
    if (!c)
        return false;
    if (!v->is_null) {
        switch (t) {
        case LML_BOOL:
            if (v->v.b)
                lml_bit_set(c->values, 0);
            break;
        case LML_INT32: case LML_DATE: *(int32_t *)c->values = v->v.i32; break;
        case LML_INT64: case LML_TIMESTAMP: *(int64_t *)c->values = v->v.i64; break;
        case LML_DOUBLE: *(double *)c->values = v->v.f64; break;
        case LML_STRING:
            if (bytes)
                memcpy(c->values, v->v.str.ptr, bytes);
            c->offsets[1] = (int32_t)bytes;
            break;
        default: break;
        }
    }
    out->c = lml_column_seal(c);
    out->scalar = true;
    return true;
}

bool expr_eval_node(eval_ctx *cx, const bnode *b, vec *out)
{
    vec a = {0}, c = {0};
    bool ok;
    switch (b->kind) {
    case B_LIT: return vec_scalar(cx, &b->lit, out);
    case B_COL:
        out->c = lml_column_retain(b->col);
        out->scalar = false;
        return true;
    case B_IN: return eval_in(cx, b, out);
    case B_CASE: return eval_case(cx, b, out);
    case B_FUNC: {
        vec small[4], *args = b->nkids <= 4 ? small : calloc(b->nkids, sizeof *args);
        if (!args)
            return lml_error_set(cx->err, LML_ENOMEM, "out of memory evaluating %s", expr_fn_name(b->fn));
        size_t n = 0;
        ok = true;
        for (; ok && n < b->nkids; n++)
            if (!(ok = expr_eval_node(cx, b->kids[n], &args[n])))
                break;
        ok = ok && eval_function(cx, b, args, out);
        for (size_t i = 0; i < n; i++)
            vec_free(&args[i]);
        if (args != small)
            free(args);
        return ok;
    }
    default: break;
    }
    if (!expr_eval_node(cx, b->kids[0], &a))
        return false;
    if (b->nkids > 1 && !expr_eval_node(cx, b->kids[1], &c)) {
        vec_free(&a);
        return false;
    }
    switch (b->kind) {
    case B_CAST: ok = eval_cast(cx, b, &a, out); break;
    case B_NEG: ok = eval_neg(cx, &a, out); break;
    case B_ARITH: ok = eval_arith(cx, b, &a, &c, out); break;
    case B_CMP: ok = eval_cmp(cx, b->op, &a, &c, out); break;
    case B_AND: ok = eval_and_or(cx, true, &a, &c, out); break;
    case B_OR: ok = eval_and_or(cx, false, &a, &c, out); break;
    case B_NOT: ok = eval_not(cx, &a, out); break;
    case B_ISNULL: ok = eval_isnull(cx, b->negated, &a, out); break;
    case B_LIKE: ok = eval_like(cx, b, &a, &c, out); break;
    default: ok = lml_error_set(cx->err, LML_EINVAL, "unexpected expression node"); break;
    }
    vec_free(&a);
    if (c.c)
        vec_free(&c);
    return ok;
}

/* The common row count of the inputs (one row when there are none: a constant expression). */
static bool input_rows(const lml_expr_input *inputs, size_t ninputs, size_t *n, lml_error *err)
{
    *n = 1;
    for (size_t k = 0; k < ninputs; k++) {
        if (!inputs[k].frame)
            return lml_error_set(err, LML_EINVAL, "expression input %zu has no frame", k);
        size_t r = lml_frame_num_rows(inputs[k].frame);
        if (k && r != *n)
            return lml_error_set(err, LML_EINVAL, "expression inputs have different row counts (%zu and %zu)", *n, r);
        *n = r;
    }
    return true;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Evaluates e over the inputs into *out (a full column of n rows) and its type. */
static bool evaluate(const lml_expr *e, const lml_expr_input *inputs, size_t ninputs, vec *out, lml_type *type,
                     lml_error *err)
{
    size_t n;
    if (!input_rows(inputs, ninputs, &n, err))
        return false;
    bnode *b = expr_bind(e, inputs, ninputs, err);
    if (!b)
        return false;
    eval_ctx cx = {.n = n, .now_us = now_us(), .err = err};
    *type = b->type;
    bool ok = expr_eval_node(&cx, b, out);
    expr_bnode_free(b);
    if (ok && out->scalar && n != 1) { /* a constant: one value for every row */
        int32_t *pick = calloc(n ? n : 1, sizeof *pick);
        vec full;
        ok = pick && vec_gather(&cx, out->c->type, out, pick, &full);
        if (!pick)
            lml_error_set(err, LML_ENOMEM, "out of memory broadcasting a constant to %zu rows", n);
        free(pick);
        vec_free(out);
        if (ok)
            *out = full;
    }
    return ok;
}

lml_column *lml_expr_eval(const lml_expr *e, const lml_expr_input *inputs, size_t ninputs, lml_error *err)
{
    vec v;
    lml_type t;
    if (!evaluate(e, inputs, ninputs, &v, &t, err))
        return NULL;
    return v.c;
}

bool lml_expr_eval_mask(const lml_expr *e, const lml_expr_input *inputs, size_t ninputs, uint8_t **mask,
                        lml_error *err)
{
    lml_type t;
    if (!mask)
        return lml_error_set(err, LML_EINVAL, "lml_expr_eval_mask needs somewhere to put the mask");
    *mask = NULL;
    if (!lml_expr_result_type(e, inputs, ninputs, &t, err))
        return false;
    if (t != LML_BOOL)
        return lml_error_set(err, LML_ETYPE, "the condition '%s' is %s, not boolean", e->text ? e->text : "",
                             expr_type_name(t));
    vec v;
    if (!evaluate(e, inputs, ninputs, &v, &t, err))
        return false;
    size_t n = v.c->length, nb = lml_bitmap_bytes(n);
    uint8_t *m = malloc(nb ? nb : 1);
    if (!m) {
        vec_free(&v);
        return lml_error_set(err, LML_ENOMEM, "out of memory for a %zu-row mask", n);
    }
    const uint8_t *bits = v.c->values, *valid = v.c->validity;
    for (size_t i = 0; i < nb; i++)
        m[i] = valid ? (uint8_t)(bits[i] & valid[i]) : bits[i];
    if (n % 8)
        m[nb - 1] &= (uint8_t)((1u << (n % 8)) - 1);
    vec_free(&v);
    *mask = m;
    return true;
}

bool lml_expr_result_type(const lml_expr *e, const lml_expr_input *inputs, size_t ninputs, lml_type *out,
                          lml_error *err)
{
    bnode *b = expr_bind(e, inputs, ninputs, err);
    if (!b)
        return false;
    /* A bare NULL has Spark's NullType; a predicate of it behaves as a boolean NULL. */
    if (out)
        *out = b->type == EXPR_T_NULL ? LML_BOOL : b->type;
    expr_bnode_free(b);
    return true;
}

/* Name resolution and type checking for one evaluation, with Spark's (non-ANSI) implicit casts
 * made explicit as B_CAST nodes:
 *  - arithmetic: strings become double, ints widen int < bigint < double; `/` is always double;
 *    date ± int is a date (date_add / date_sub);
 *  - comparisons (findCommonTypeForBinaryComparison): a string against a number takes the
 *    number's type, against a date/timestamp/boolean that type; date vs timestamp → timestamp;
 *  - IN, CASE and coalesce take the wider type of all their values (findWiderCommonType: a
 *    string with a number or date makes everything a string);
 *  - byte/short columns act as int, float and decimal columns as double. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "frame/expr/ast.h"

typedef struct binder {
    const lml_expr_input *inputs;
    size_t ninputs;
    lml_error *err;
} binder;

bnode *bnode_new(bkind kind, lml_type type, const lml_expr *src)
{
    bnode *b = calloc(1, sizeof *b);
    if (b) {
        b->kind = kind;
        b->type = type;
        b->src = src;
    }
    return b;
}

bool bnode_add(bnode *parent, bnode *kid)
{
    bnode **k = kid ? realloc(parent->kids, (parent->nkids + 1) * sizeof *k) : NULL;
    if (!k) {
        expr_bnode_free(kid);
        return false;
    }
    parent->kids = k;
    k[parent->nkids++] = kid;
    return true;
}

void expr_bnode_free(bnode *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->nkids; i++)
        expr_bnode_free(b->kids[i]);
    free(b->kids);
    free(b);
}

bnode *bnode_cast(bnode *kid, lml_type to)
{
    if (!kid || kid->type == to)
        return kid;
    bnode *c = bnode_new(B_CAST, to, kid->src);
    if (!c || !bnode_add(c, kid)) {
        if (!c)
            expr_bnode_free(kid);
        free(c);
        return NULL;
    }
    return c;
}

bnode *bnode_widen(bnode *kid)
{
    if (!kid)
        return NULL;
    switch ((int)kid->type) {
    case LML_INT8:
    case LML_INT16: return bnode_cast(kid, LML_INT32);
    case LML_FLOAT:
    case LML_DECIMAL: return bnode_cast(kid, LML_DOUBLE);
    case LML_TIMESTAMP_NTZ: return bnode_cast(kid, LML_TIMESTAMP);
    default: return kid;
    }
}

bool bind_is_numeric(lml_type t) { return t == LML_INT32 || t == LML_INT64 || t == LML_DOUBLE; }

/* The types operators work on once narrow kinds are widened (vector and below, without vector). */
static bool sql_scalar(lml_type t) { return t < LML_VECTOR || t == EXPR_T_NULL; }

static int num_rank(lml_type t) { return t == LML_INT32 ? 0 : t == LML_INT64 ? 1 : 2; }

bool bind_wider(lml_type a, lml_type b, lml_type *out)
{
    if (!sql_scalar(a) || !sql_scalar(b))
        return false;
    if (a == b || b == EXPR_T_NULL)
        return *out = a, true;
    if (a == EXPR_T_NULL)
        return *out = b, true;
    if (bind_is_numeric(a) && bind_is_numeric(b))
        return *out = num_rank(a) >= num_rank(b) ? a : b, true;
    bool dt_a = a == LML_DATE || a == LML_TIMESTAMP, dt_b = b == LML_DATE || b == LML_TIMESTAMP;
    if (dt_a && dt_b)
        return *out = LML_TIMESTAMP, true;
    if ((a == LML_STRING && (bind_is_numeric(b) || dt_b)) || (b == LML_STRING && (bind_is_numeric(a) || dt_a)))
        return *out = LML_STRING, true;
    return false;
}

static bool cmp_type(lml_type a, lml_type b, lml_type *out)
{
    if (!sql_scalar(a) || !sql_scalar(b))
        return false; /* vectors, binary and nested values have no SQL comparison here */
    if (a == b || b == EXPR_T_NULL)
        return *out = a == EXPR_T_NULL ? LML_BOOL : a, true;
    if (a == EXPR_T_NULL)
        return *out = b, true;
    if (bind_is_numeric(a) && bind_is_numeric(b))
        return *out = num_rank(a) >= num_rank(b) ? a : b, true;
    if ((a == LML_DATE && b == LML_TIMESTAMP) || (a == LML_TIMESTAMP && b == LML_DATE))
        return *out = LML_TIMESTAMP, true;
    lml_type other = a == LML_STRING ? b : b == LML_STRING ? a : EXPR_T_NULL;
    if (other != EXPR_T_NULL && (bind_is_numeric(other) || other == LML_DATE || other == LML_TIMESTAMP ||
                                 other == LML_BOOL))
        return *out = other, true;
    return false;
}

static bnode *mismatch2(binder *bd, const lml_expr *e, const char *op, const char *need, lml_type a, lml_type b)
{
    lml_error_set(bd->err, LML_ETYPE, "type mismatch at position %zu: '%s' needs %s, got %s and %s", e->pos, op, need,
                  expr_type_name(a), expr_type_name(b));
    return NULL;
}

static bnode *nomem(binder *bd)
{
    lml_error_set(bd->err, LML_ENOMEM, "out of memory binding an expression");
    return NULL;
}

static bnode *bind(binder *bd, const lml_expr *e);

static bnode *bind_col(binder *bd, const lml_expr *e)
{
    const lml_column *col = NULL;
    const char *first = NULL;
    for (size_t k = 0; k < bd->ninputs; k++) {
        const lml_expr_input *in = &bd->inputs[k];
        if (e->qual && !(in->alias && strcasecmp(in->alias, e->qual) == 0))
            continue;
        long at = in->frame ? lml_frame_column_index(in->frame, e->name) : -1;
        if (at < 0)
            continue;
        if (col) {
            lml_error_set(bd->err, LML_EINVAL,
                          "column reference '%s' at position %zu is ambiguous: it is a column of input '%s' and of "
                          "input '%s' (qualify it)",
                          e->name, e->pos, first ? first : "(unnamed)", in->alias ? in->alias : "(unnamed)");
            return NULL;
        }
        col = lml_frame_column(in->frame, (size_t)at);
        first = in->alias;
    }
    if (!col) {
        if (e->qual)
            lml_error_set(bd->err, LML_ENOTFOUND, "column '%s.%s' at position %zu does not exist", e->qual, e->name,
                          e->pos);
        else
            lml_error_set(bd->err, LML_ENOTFOUND, "column '%s' at position %zu does not exist", e->name, e->pos);
        return NULL;
    }
    bnode *b = bnode_new(B_COL, lml_column_type(col), e);
    if (!b)
        return nomem(bd);
    b->col = col;
    return b;
}

/* r (a new node) with the given kids, or NULL (everything freed) when one is NULL or on ENOMEM. */
static bnode *adopt(binder *bd, bnode *r, bnode **kids, size_t n)
{
    bool ok = r != NULL;
    for (size_t i = 0; i < n; i++) {
        if (ok && kids[i])
            ok = bnode_add(r, kids[i]);
        else {
            ok = false;
            expr_bnode_free(kids[i]);
        }
    }
    if (!ok) {
        expr_bnode_free(r);
        return nomem(bd);
    }
    return r;
}

/* Operands of + - * %: strings as double, nulls as the other side's type. */
static lml_type arith_operand(lml_type t) { return t == LML_STRING ? LML_DOUBLE : t; }

static bnode *bind_arith(binder *bd, const lml_expr *e, bnode *x, bnode *y)
{
    lml_type a = x->type, b = y->type, ta = arith_operand(a), tb = arith_operand(b), t;
    bnode *r = bnode_new(B_ARITH, LML_DOUBLE, e);
    if (!r) {
        expr_bnode_free(x);
        expr_bnode_free(y);
        return nomem(bd);
    }
    r->op = e->op;
    bool ok = true;
    if ((e->op == OP_ADD || e->op == OP_SUB) && ta == LML_DATE && (tb == LML_INT32 || tb == EXPR_T_NULL)) {
        r->type = LML_DATE;
        y = bnode_cast(y, LML_INT32);
    } else if (e->op == OP_ADD && tb == LML_DATE && (ta == LML_INT32 || ta == EXPR_T_NULL)) {
        r->type = LML_DATE; /* int + date: swap so that the date comes first */
        bnode *s = bnode_cast(x, LML_INT32);
        x = y;
        y = s;
    } else if ((bind_is_numeric(ta) || ta == EXPR_T_NULL) && (bind_is_numeric(tb) || tb == EXPR_T_NULL)) {
        if (e->op == OP_DIV)
            t = LML_DOUBLE;
        else if (!bind_wider(ta, tb, &t) || t == EXPR_T_NULL)
            t = LML_DOUBLE;
        r->type = t;
        x = bnode_cast(x, t);
        y = bnode_cast(y, t);
    } else {
        ok = false;
    }
    if (!ok) {
        expr_bnode_free(x);
        expr_bnode_free(y);
        expr_bnode_free(r);
        return mismatch2(bd, e, expr_op_text(e->op), "numeric operands", a, b);
    }
    bnode *k[2] = {x, y};
    return adopt(bd, r, k, 2);
}

static bnode *bind_bool_op(binder *bd, const lml_expr *e, bkind kind, bnode **k, size_t n, const char *op)
{
    for (size_t i = 0; i < n; i++)
        if (k[i]->type != LML_BOOL && k[i]->type != EXPR_T_NULL) {
            if (n == 2)
                mismatch2(bd, e, op, "boolean operands", k[0]->type, k[1]->type);
            else
                lml_error_set(bd->err, LML_ETYPE, "type mismatch at position %zu: '%s' needs a boolean operand, got %s",
                              e->pos, op, expr_type_name(k[i]->type));
            for (size_t j = 0; j < n; j++)
                expr_bnode_free(k[j]);
            return NULL;
        }
    for (size_t i = 0; i < n; i++)
        k[i] = bnode_cast(k[i], LML_BOOL);
    return adopt(bd, bnode_new(kind, LML_BOOL, e), k, n);
}

static bool castable(lml_type from, lml_type to)
{
    bool scalar_from = from <= LML_TIMESTAMP || from == EXPR_T_NULL || (from >= LML_FLOAT && from <= LML_DECIMAL);
    if (!scalar_from)
        return from == to;
    if (to == LML_DATE)
        return from == LML_STRING || from == LML_DATE || from == LML_TIMESTAMP || from == LML_TIMESTAMP_NTZ ||
               from == EXPR_T_NULL;
    return true;
}

static bnode *bind_cast(binder *bd, const lml_expr *e, bnode *x)
{
    if (!castable(x->type, e->cast_to)) {
        lml_error_set(bd->err, LML_ETYPE, "type mismatch at position %zu: cannot cast %s to %s", e->pos,
                      expr_type_name(x->type), e->is_decimal ? "decimal" : expr_type_name(e->cast_to));
        expr_bnode_free(x);
        return NULL;
    }
    /* A string target formats the value as it is (a float as Float.toString); every other
     * target reads the widened value. */
    if (e->cast_to != LML_STRING && !(x = bnode_widen(x)))
        return nomem(bd);
    bnode *r = bnode_new(B_CAST, e->cast_to, e);
    if (r) {
        r->is_decimal = e->is_decimal;
        r->prec = e->prec;
        r->scale = e->scale;
    }
    return adopt(bd, r, &x, 1);
}

/* The wider type of kids[from..] stepping by step, for IN/CASE; casts them. */
static bool unify(binder *bd, const lml_expr *e, bnode **k, size_t from, size_t n, size_t step, lml_type *out,
                  const char *what)
{
    lml_type t = EXPR_T_NULL;
    for (size_t i = from; i < n; i += step)
        if (!bind_wider(t, k[i]->type, &t)) {
            lml_error_set(bd->err, LML_ETYPE, "type mismatch at position %zu: %s mixes %s and %s", e->pos, what,
                          expr_type_name(t), expr_type_name(k[i]->type));
            return false;
        }
    for (size_t i = from; i < n; i += step)
        k[i] = bnode_cast(k[i], t == EXPR_T_NULL ? EXPR_T_NULL : t);
    *out = t;
    return true;
}

static bnode *bind_node(binder *bd, const lml_expr *e, bnode **k, size_t n)
{
    lml_type t;
    switch (e->kind) {
    case N_NEG: {
        lml_type a = arith_operand(k[0]->type);
        if (a == EXPR_T_NULL)
            a = LML_DOUBLE;
        if (!bind_is_numeric(a)) {
            lml_error_set(bd->err, LML_ETYPE, "type mismatch at position %zu: unary '-' needs a numeric operand, got %s",
                          e->pos, expr_type_name(k[0]->type));
            expr_bnode_free(k[0]);
            return NULL;
        }
        k[0] = bnode_cast(k[0], a);
        return adopt(bd, bnode_new(B_NEG, a, e), k, 1);
    }
    case N_ARITH: return bind_arith(bd, e, k[0], k[1]);
    case N_CMP:
        if (!cmp_type(k[0]->type, k[1]->type, &t)) {
            mismatch2(bd, e, expr_op_text(e->op), "comparable operands", k[0]->type, k[1]->type);
            break;
        }
        k[0] = bnode_cast(k[0], t);
        k[1] = bnode_cast(k[1], t);
        bnode *r = bnode_new(B_CMP, LML_BOOL, e);
        if (r)
            r->op = e->op;
        return adopt(bd, r, k, 2);
    case N_AND: return bind_bool_op(bd, e, B_AND, k, 2, "AND");
    case N_OR: return bind_bool_op(bd, e, B_OR, k, 2, "OR");
    case N_NOT: return bind_bool_op(bd, e, B_NOT, k, 1, "NOT");
    case N_ISNULL: {
        bnode *isn = bnode_new(B_ISNULL, LML_BOOL, e);
        if (isn)
            isn->negated = e->negated;
        return adopt(bd, isn, k, 1);
    }
    case N_IN:
        if (!unify(bd, e, k, 0, n, 1, &t, "IN"))
            break;
        return adopt(bd, bnode_new(B_IN, LML_BOOL, e), k, n);
    case N_LIKE:
        for (size_t i = 0; i < 2; i++) {
            lml_type a = k[i]->type;
            if (!(a <= LML_TIMESTAMP || a == EXPR_T_NULL || (a >= LML_FLOAT && a <= LML_DECIMAL))) {
                lml_error_set(bd->err, LML_ETYPE, "type mismatch at position %zu: LIKE needs strings, got %s", e->pos,
                              expr_type_name(a));
                goto fail;
            }
            k[i] = bnode_cast(k[i], LML_STRING);
        }
        if (e->kids[1]->kind == N_LIT && e->kids[1]->lit.type == LML_STRING &&
            !expr_like_check(e->kids[1]->lit.v.str.ptr, e->kids[1]->lit.v.str.len, e->escape, e->pos, bd->err))
            goto fail;
        bnode *l = bnode_new(B_LIKE, LML_BOOL, e);
        if (l)
            l->escape = e->escape;
        return adopt(bd, l, k, 2);
    case N_CASE: {
        size_t nconds = n / 2;
        for (size_t i = 0; i < nconds; i++) {
            if (k[2 * i]->type != LML_BOOL && k[2 * i]->type != EXPR_T_NULL) {
                lml_error_set(bd->err, LML_ETYPE, "type mismatch at position %zu: a WHEN condition must be boolean, "
                              "got %s", e->kids[2 * i]->pos, expr_type_name(k[2 * i]->type));
                goto fail;
            }
            k[2 * i] = bnode_cast(k[2 * i], LML_BOOL);
        }
        /* THEN values at odd indexes, the ELSE value (when n is odd) last. */
        t = EXPR_T_NULL;
        for (size_t i = 1; i < n + n % 2; i += 2) {
            size_t j = i < n ? i : n - 1;
            if (!bind_wider(t, k[j]->type, &t)) {
                lml_error_set(bd->err, LML_ETYPE, "type mismatch at position %zu: CASE mixes %s and %s", e->pos,
                              expr_type_name(t), expr_type_name(k[j]->type));
                goto fail;
            }
        }
        for (size_t i = 1; i < n; i += 2)
            k[i] = bnode_cast(k[i], t);
        if (n % 2)
            k[n - 1] = bnode_cast(k[n - 1], t);
        bnode *c = bnode_new(B_CASE, t, e);
        if (c)
            c->has_else = n % 2;
        return adopt(bd, c, k, n);
    }
    case N_CAST: return bind_cast(bd, e, k[0]);
    case N_FUNC: return bind_function(e, k, n, bd->err);
    default: break;
    }
fail:
    for (size_t i = 0; i < n; i++)
        expr_bnode_free(k[i]);
    return NULL;
}

static bnode *bind(binder *bd, const lml_expr *e)
{
    if (e->kind == N_LIT) {
        bnode *b = bnode_new(B_LIT, e->lit.type, e);
        if (!b)
            return nomem(bd);
        b->lit = e->lit;
        return b;
    }
    if (e->kind == N_COL)
        return bind_col(bd, e);
    bnode *small[4], **k = e->nkids <= 4 ? small : calloc(e->nkids, sizeof *k);
    if (!k)
        return nomem(bd);
    size_t n = 0;
    bnode *r = NULL;
    for (; n < e->nkids; n++) {
        if (!(k[n] = bind(bd, e->kids[n])))
            break;
        /* Every operator reads byte/short as int and float/decimal as double; CAST and IS NULL
         * see the column as it is. */
        if (e->kind != N_CAST && e->kind != N_ISNULL && !(k[n] = bnode_widen(k[n]))) {
            nomem(bd);
            break;
        }
    }
    if (n == e->nkids)
        r = bind_node(bd, e, k, n);
    else
        for (size_t i = 0; i < n; i++)
            expr_bnode_free(k[i]);
    if (k != small)
        free(k);
    return r;
}

bnode *expr_bind(const lml_expr *e, const lml_expr_input *inputs, size_t ninputs, lml_error *err)
{
    if (!e) {
        lml_error_set(err, LML_EINVAL, "no expression to evaluate");
        return NULL;
    }
    if (ninputs && !inputs) {
        lml_error_set(err, LML_EINVAL, "%zu inputs but no input array", ninputs);
        return NULL;
    }
    binder bd = {inputs, ninputs, err};
    return bind(&bd, e);
}

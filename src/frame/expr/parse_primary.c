/* The primaries of the expression grammar: numbers typed as Spark types them, strings (adjacent
 * ones concatenated), DATE '…' / TIMESTAMP '…', NULL/TRUE/FALSE, column names (qualified and
 * back-quoted), parenthesised expressions, CASE, CAST(x AS type) and function calls. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/internal.h"
#include "frame/expr/parse.h"

lml_expr *ep_number(parser *p, bool neg, size_t pos, size_t off)
{
    const token *t = &p->cur;
    lml_value s = {.type = LML_STRING, .v.str = {t->val, t->vlen}}, d;
    lml_expr *e = NULL;
    if (t->kind == T_INT && (!t->suffix || strchr("LSY", t->suffix))) {
        uint64_t v = 0;
        bool big = false;
        for (size_t i = 0; i < t->vlen; i++) {
            if (v > (UINT64_MAX - 9) / 10)
                big = true;
            else
                v = v * 10 + (uint64_t)(t->val[i] - '0');
        }
        uint64_t lim32 = neg ? UINT64_C(2147483648) : INT32_MAX, lim64 = neg ? UINT64_C(1) << 63 : INT64_MAX;
        uint64_t lim = t->suffix == 'S' ? (neg ? 32768 : 32767) : t->suffix == 'Y' ? (neg ? 128 : 127) : lim32;
        if (!big && v <= lim && t->suffix != 'L') {
            e = ep_literal(p, LML_INT32, pos);
            if (e)
                e->lit.v.i32 = (int32_t)(neg ? (uint32_t)0 - (uint32_t)v : (uint32_t)v);
        } else if (!big && v <= lim64 && t->suffix != 'S' && t->suffix != 'Y') {
            e = ep_literal(p, LML_INT64, pos);
            if (e)
                e->lit.v.i64 = (int64_t)(neg ? (uint64_t)0 - v : v);
        } else if (t->suffix) {
            lml_error_set(p->err, LML_EINVAL, "numeric literal %s%s at position %zu is out of range for its type",
                          neg ? "-" : "", t->val, pos);
            p->failed = true;
            return NULL;
        }
    }
    if (!e && !p->failed) {
        lml_value_cast(&s, LML_DOUBLE, &d, NULL);
        e = ep_literal(p, LML_DOUBLE, pos);
        if (e)
            e->lit.v.f64 = neg ? -d.v.f64 : d.v.f64;
    }
    if (!ep_advance(p)) {
        expr_node_free(e);
        return ep_syntax(p, "an expression");
    }
    return ep_finish(p, e, off);
}

/* One or more adjacent string tokens (Spark concatenates 'a' 'b'). */
static lml_expr *string_lit(parser *p, size_t pos, size_t off)
{
    lml_strbuf sb = {0};
    lml_strbuf_append(&sb, "", 0);
    while (p->cur.kind == T_STR) {
        lml_strbuf_append(&sb, p->cur.val, p->cur.vlen);
        if (!ep_advance(p)) {
            lml_strbuf_free(&sb);
            return ep_syntax(p, "an expression");
        }
    }
    lml_expr *e = sb.failed ? NULL : ep_literal(p, LML_STRING, pos);
    if (!e) {
        lml_strbuf_free(&sb);
        return ep_nomem(p);
    }
    e->str = sb.data;
    e->lit.v.str.ptr = sb.data;
    e->lit.v.str.len = sb.len;
    return ep_finish(p, e, off);
}

/* DATE '…' / TIMESTAMP '…': the cur token is the keyword, next the string. */
static lml_expr *typed_literal(parser *p, lml_type t, size_t pos, size_t off)
{
    ep_advance(p);
    lml_value s = {.type = LML_STRING, .v.str = {p->cur.val, p->cur.vlen}}, v;
    lml_value_cast(&s, t, &v, NULL);
    if (v.is_null) {
        lml_error_set(p->err, LML_EINVAL, "invalid %s literal '%.*s' at position %zu", t == LML_DATE ? "DATE" : "TIMESTAMP",
                      (int)(p->cur.vlen > 60 ? 60 : p->cur.vlen), p->cur.val, pos);
        p->failed = true;
        return NULL;
    }
    lml_expr *e = ep_literal(p, t, pos);
    if (!e)
        return NULL;
    e->lit = v;
    if (!ep_advance(p)) {
        expr_node_free(e);
        return ep_syntax(p, "an expression");
    }
    return ep_finish(p, e, off);
}

static bool parse_type(parser *p, lml_expr *cast)
{
    static const struct { const char *name; lml_type t; } types[] = {
        {"int", LML_INT32}, {"integer", LML_INT32}, {"bigint", LML_INT64}, {"long", LML_INT64},
        {"double", LML_DOUBLE}, {"float", LML_FLOAT}, {"real", LML_FLOAT}, {"string", LML_STRING},
        {"varchar", LML_STRING}, {"char", LML_STRING}, {"date", LML_DATE}, {"timestamp", LML_TIMESTAMP},
        {"boolean", LML_BOOL}, {"bool", LML_BOOL}, {"short", LML_INT16}, {"smallint", LML_INT16},
        {"byte", LML_INT8}, {"tinyint", LML_INT8}, {"decimal", LML_DECIMAL}, {"dec", LML_DECIMAL},
        {"numeric", LML_DECIMAL},
    };
    if (p->cur.kind != T_IDENT)
        return ep_syntax(p, "a type name"), false;
    size_t k = 0, nt = sizeof types / sizeof *types;
    while (k < nt && !ep_is_kw(&p->cur, types[k].name))
        k++;
    if (k == nt) {
        lml_error_set(p->err, LML_EINVAL, "unsupported type '%s' in CAST at position %zu", p->cur.val, p->cur.pos);
        p->failed = true;
        return false;
    }
    cast->cast_to = types[k].t;
    bool sized = types[k].t == LML_DECIMAL || types[k].t == LML_STRING;
    if (!ep_advance(p))
        return ep_syntax(p, "')'"), false;
    if (types[k].t == LML_DECIMAL) {
        cast->cast_to = LML_DOUBLE; /* decimals are carried as doubles, rounded to the scale */
        cast->is_decimal = true;
        cast->prec = 10;
        cast->scale = 0;
    }
    if (sized && p->cur.kind == T_LP) {
        int v[2] = {0, 0}, nv = 0;
        ep_advance(p);
        while (nv < 2 && p->cur.kind == T_INT && !p->cur.suffix) {
            v[nv++] = p->cur.vlen > 3 ? 1000 : atoi(p->cur.val);
            if (!ep_advance(p) || p->cur.kind != T_COMMA || nv == 2)
                break;
            ep_advance(p);
        }
        if (!nv)
            return ep_syntax(p, "a number"), false;
        if (!ep_expect(p, T_RP, "')'"))
            return false;
        if (cast->is_decimal) {
            cast->prec = v[0];
            cast->scale = nv > 1 ? v[1] : 0;
            if (cast->prec < 1 || cast->prec > 38 || cast->scale > cast->prec) {
                lml_error_set(p->err, LML_EINVAL, "invalid decimal(%d,%d) at position %zu: precision must be 1..38 "
                              "and scale at most the precision", cast->prec, cast->scale, cast->pos);
                p->failed = true;
                return false;
            }
        }
    }
    return true;
}

static lml_expr *parse_cast(parser *p, size_t pos, size_t off)
{
    ep_advance(p);
    if (!ep_expect(p, T_LP, "'('"))
        return NULL;
    lml_expr *x = ep_parse_or(p);
    if (!x)
        return NULL;
    lml_expr *e = ep_node2(p, N_CAST, 0, pos, off, x, NULL);
    if (!e)
        return NULL;
    if (!ep_is_kw(&p->cur, "AS")) {
        expr_node_free(e);
        return ep_syntax(p, "AS");
    }
    ep_advance(p);
    if (!parse_type(p, e) || !ep_expect(p, T_RP, "')'")) {
        expr_node_free(e);
        return NULL;
    }
    return ep_finish(p, e, off);
}

static lml_expr *parse_case(parser *p, size_t pos, size_t off)
{
    ep_advance(p);
    lml_expr *operand = NULL, *e = expr_node_new(N_CASE, pos);
    if (!e)
        return ep_nomem(p);
    if (!ep_is_kw(&p->cur, "WHEN") && !(operand = ep_parse_or(p)))
        goto fail;
    while (ep_is_kw(&p->cur, "WHEN")) {
        ep_advance(p);
        lml_expr *w = ep_parse_or(p);
        if (w && operand) {
            lml_expr *c = expr_node_copy(operand);
            w = c ? ep_node2(p, N_CMP, OP_EQ, w->pos, w->off, c, w) : (expr_node_free(w), ep_nomem(p));
        }
        if (!w || !expr_node_add(e, w) || (!ep_is_kw(&p->cur, "THEN") && !ep_syntax(p, "THEN")))
            goto fail;
        ep_advance(p);
        lml_expr *t = ep_parse_or(p);
        if (!t || !expr_node_add(e, t))
            goto fail;
    }
    if (!e->nkids) {
        ep_syntax(p, "WHEN");
        goto fail;
    }
    if (ep_is_kw(&p->cur, "ELSE")) {
        ep_advance(p);
        lml_expr *x = ep_parse_or(p);
        if (!x || !expr_node_add(e, x))
            goto fail;
        e->negated = true; /* marks the ELSE branch */
    }
    if (!ep_is_kw(&p->cur, "END")) {
        ep_syntax(p, "END");
        goto fail;
    }
    ep_advance(p);
    expr_node_free(operand);
    return ep_finish(p, e, off);
fail:
    if (!p->failed)
        ep_nomem(p);
    expr_node_free(operand);
    expr_node_free(e);
    return NULL;
}

static lml_expr *parse_call(parser *p, expr_fn fn, size_t pos, size_t off, bool parens)
{
    lml_expr *e = expr_node_new(N_FUNC, pos);
    if (!e)
        return ep_nomem(p);
    e->fn = fn;
    ep_advance(p);
    if (parens) {
        ep_advance(p); /* '(' */
        if (!ep_parse_args(p, e, true)) {
            expr_node_free(e);
            return NULL;
        }
    }
    static const struct { expr_fn fn; int lo, hi; } arity[] = {
        {FN_COALESCE, 1, 1 << 20}, {FN_LOWER, 1, 1}, {FN_UPPER, 1, 1}, {FN_TRIM, 1, 1}, {FN_LTRIM, 1, 1},
        {FN_RTRIM, 1, 1}, {FN_LENGTH, 1, 1}, {FN_ABS, 1, 1}, {FN_ROUND, 1, 2}, {FN_FLOOR, 1, 1},
        {FN_CEIL, 1, 1}, {FN_YEAR, 1, 1}, {FN_MONTH, 1, 1}, {FN_DAY, 1, 1}, {FN_CONCAT, 0, 1 << 20},
        {FN_CURRENT_DATE, 0, 0}, {FN_CURRENT_TIMESTAMP, 0, 0},
    };
    for (size_t k = 0; k < sizeof arity / sizeof *arity; k++)
        if (arity[k].fn == fn && ((int)e->nkids < arity[k].lo || (int)e->nkids > arity[k].hi)) {
            lml_error_set(p->err, LML_EINVAL, "function %s at position %zu takes %d%s argument%s, not %zu",
                          expr_fn_name(fn), pos, arity[k].lo, arity[k].hi > arity[k].lo ? " or more" : "",
                          arity[k].lo == 1 && arity[k].hi == 1 ? "" : "s", e->nkids);
            if (fn == FN_ROUND)
                lml_error_set(p->err, LML_EINVAL, "function round at position %zu takes 1 or 2 arguments, not %zu",
                              pos, e->nkids);
            p->failed = true;
            expr_node_free(e);
            return NULL;
        }
    return ep_finish(p, e, off);
}

static char *dup_val(parser *p)
{
    char *s = malloc(p->cur.vlen + 1);
    if (s) {
        memcpy(s, p->cur.val, p->cur.vlen);
        s[p->cur.vlen] = '\0';
    }
    return s;
}

static lml_expr *parse_column(parser *p, size_t pos, size_t off)
{
    lml_expr *e = expr_node_new(N_COL, pos);
    if (!e || !(e->name = dup_val(p))) {
        expr_node_free(e);
        return ep_nomem(p);
    }
    ep_advance(p);
    if (p->cur.kind == T_DOT) {
        ep_advance(p);
        if (p->cur.kind != T_IDENT && p->cur.kind != T_QIDENT) {
            expr_node_free(e);
            return ep_syntax(p, "a column name after '.'");
        }
        e->qual = e->name;
        if (!(e->name = dup_val(p))) {
            expr_node_free(e);
            return ep_nomem(p);
        }
        ep_advance(p);
        if (p->cur.kind == T_DOT) {
            lml_error_set(p->err, LML_EUNSUPPORTED, "nested field reference at position %zu: only column and "
                          "qualifier.column names are supported", pos);
            p->failed = true;
            expr_node_free(e);
            return NULL;
        }
    }
    return ep_finish(p, e, off);
}

static const char *const reserved[] = {"AND", "OR", "NOT", "IN", "IS", "LIKE", "BETWEEN", "WHEN", "THEN",
                                       "ELSE", "END", "AS", "ESCAPE", "DISTINCT", "FROM"};

lml_expr *ep_parse_primary(parser *p)
{
    size_t pos = p->cur.pos, off = p->cur.off;
    switch (p->cur.kind) {
    case T_INT:
    case T_DEC: return ep_number(p, false, pos, off);
    case T_STR: return string_lit(p, pos, off);
    case T_QIDENT: return parse_column(p, pos, off);
    case T_LP: {
        ep_advance(p);
        lml_expr *e = ep_parse_or(p);
        if (e && !ep_expect(p, T_RP, "')'")) {
            expr_node_free(e);
            return NULL;
        }
        return e;
    }
    case T_IDENT: break;
    default: return ep_syntax(p, "an expression");
    }
    if (ep_is_kw(&p->cur, "NULL") || ep_is_kw(&p->cur, "TRUE") || ep_is_kw(&p->cur, "FALSE")) {
        lml_expr *e = ep_literal(p, ep_is_kw(&p->cur, "NULL") ? EXPR_T_NULL : LML_BOOL, pos);
        if (e && e->lit.type == LML_BOOL)
            e->lit.v.b = ep_is_kw(&p->cur, "TRUE");
        ep_advance(p);
        return ep_finish(p, e, off);
    }
    if ((ep_is_kw(&p->cur, "DATE") || ep_is_kw(&p->cur, "TIMESTAMP")) && p->next.kind == T_STR)
        return typed_literal(p, ep_is_kw(&p->cur, "DATE") ? LML_DATE : LML_TIMESTAMP, pos, off);
    if (ep_is_kw(&p->cur, "CASE"))
        return parse_case(p, pos, off);
    if (ep_is_kw(&p->cur, "CAST") && p->next.kind == T_LP)
        return parse_cast(p, pos, off);
    expr_fn fn;
    if (p->next.kind == T_LP) {
        if (!expr_fn_lookup(p->cur.val, p->cur.vlen, &fn)) {
            lml_error_set(p->err, LML_ENOTFOUND, "unknown function '%s' at position %zu", p->cur.val, pos);
            p->failed = true;
            return NULL;
        }
        return parse_call(p, fn, pos, off, true);
    }
    if (ep_is_kw(&p->cur, "CURRENT_DATE") || ep_is_kw(&p->cur, "CURRENT_TIMESTAMP"))
        return parse_call(p, ep_is_kw(&p->cur, "CURRENT_DATE") ? FN_CURRENT_DATE : FN_CURRENT_TIMESTAMP, pos, off, false);
    for (size_t k = 0; k < sizeof reserved / sizeof *reserved; k++)
        if (ep_is_kw(&p->cur, reserved[k]))
            return ep_syntax(p, "an expression");
    return parse_column(p, pos, off);
}


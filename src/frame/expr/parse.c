/* Recursive-descent parser for Spark SQL expressions, with Spark's precedence (loosest first):
 * OR; AND; NOT; comparisons; [NOT] IN / BETWEEN / LIKE and IS …; + - ||; * / %; unary - +.
 * Like Spark's AstBuilder it desugars: a <> b → NOT (a = b); x BETWEEN a AND b →
 * (x >= a) AND (x <= b); x NOT IN/LIKE/BETWEEN … → NOT (…); CASE x WHEN v → CASE WHEN x = v;
 * x IS [NOT] TRUE → [NOT] (x <=> TRUE); x IS DISTINCT FROM y → NOT (x <=> y) and
 * x IS NOT DISTINCT FROM y → x <=> y. The primaries (literals, names, CASE, CAST, calls) are in
 * parse_primary.c. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/internal.h"
#include "frame/expr/parse.h"

/* Recursion limits. MAX_DEPTH bounds the parser's own recursion (parentheses and prefix
 * operators); MAX_TREE bounds the tree's depth, which also grows without recursion (a long
 * a OR b OR c … chain), so that binding, evaluating, printing and freeing stay within the stack.
 * MAX_DEPTH is twice MAX_TREE because the printed form spends up to two levels per tree level
 * ("(NOT (NOT …))"), and it must parse back. */
#define MAX_TREE 250
#define MAX_DEPTH (2 * MAX_TREE + 4)

bool ep_advance(parser *p)
{
    p->prev_end = p->cur.off + p->cur.len;
    free(p->cur.val);
    p->cur = p->next;
    p->next = (token){0};
    if (p->cur.kind == T_ERROR)
        return false;
    if (p->cur.kind != T_END && expr_lex(&p->lx, &p->next, p->err) == T_ERROR)
        p->next.kind = T_ERROR; /* its message stands unless an earlier token fails first */
    return true;
}

bool ep_is_kw(const token *t, const char *kw)
{
    return t->kind == T_IDENT && t->len == strlen(kw) && strncasecmp(t->val, kw, t->len) == 0;
}

/* "… at position N: expected X but found 'Y'". */
lml_expr *ep_syntax(parser *p, const char *expected)
{
    if (p->failed)
        return NULL;
    p->failed = true;
    if (p->cur.kind == T_ERROR)
        return NULL; /* the lexer has already described it */
    if (p->cur.kind == T_END)
        lml_error_set(p->err, LML_EINVAL, "syntax error at position %zu: expected %s but found end of input",
                      p->cur.pos, expected);
    else
        lml_error_set(p->err, LML_EINVAL, "syntax error at position %zu: expected %s but found '%.*s'", p->cur.pos,
                      expected, (int)(p->cur.len > 40 ? 40 : p->cur.len), p->lx.text + p->cur.off);
    return NULL;
}

lml_expr *ep_nomem(parser *p)
{
    if (!p->failed)
        lml_error_set(p->err, LML_ENOMEM, "out of memory parsing an expression");
    p->failed = true;
    return NULL;
}

bool ep_expect(parser *p, tok_kind k, const char *what)
{
    if (p->cur.kind != k) {
        ep_syntax(p, what);
        return false;
    }
    return ep_advance(p) || (ep_syntax(p, what), false);
}

lml_expr *ep_finish(parser *p, lml_expr *e, size_t off)
{
    if (e && e->depth > MAX_TREE) {
        if (!p->failed)
            lml_error_set(p->err, LML_EINVAL, "expression nested too deeply at position %zu (over %d levels)", e->pos,
                          MAX_TREE);
        p->failed = true;
        expr_node_free(e);
        return NULL;
    }
    if (e) {
        e->off = off;
        e->end = p->prev_end;
    }
    return e;
}

/* A node with one or two children (all freed on failure). */
lml_expr *ep_node2(parser *p, expr_kind k, int op, size_t pos, size_t off, lml_expr *a, lml_expr *b)
{
    lml_expr *e = expr_node_new(k, pos);
    if (!e) {
        expr_node_free(a);
        expr_node_free(b);
        return ep_nomem(p);
    }
    bool ok = expr_node_add(e, a); /* frees a on failure */
    if (b && (!ok || !expr_node_add(e, b))) {
        if (!ok)
            expr_node_free(b);
        ok = false;
    }
    if (!ok) {
        expr_node_free(e);
        return ep_nomem(p);
    }
    e->op = op;
    return ep_finish(p, e, off);
}

static lml_expr *wrap_not(parser *p, lml_expr *e, size_t pos)
{
    return e ? ep_node2(p, N_NOT, 0, pos, e->off, e, NULL) : NULL;
}

static lml_expr *parse_add(parser *p);

static bool enter(parser *p)
{
    if (++p->depth > MAX_DEPTH) {
        if (!p->failed)
            lml_error_set(p->err, LML_EINVAL, "expression nested too deeply at position %zu (over %d levels)",
                          p->cur.pos, MAX_TREE);
        p->failed = true;
        return false;
    }
    return true;
}

lml_expr *ep_literal(parser *p, lml_type t, size_t pos)
{
    lml_expr *e = expr_node_new(N_LIT, pos);
    if (!e)
        return ep_nomem(p);
    e->lit = (lml_value){.type = t, .is_null = t == EXPR_T_NULL};
    return e;
}

/* A number token (negated when neg) as Spark types it: int if it fits, else bigint, else (as
 * Spark's decimal) double; suffixes L/S/Y pick bigint/smallint/tinyint (the latter two carried
 * as int), D/F/BD double. */
static lml_expr *parse_unary(parser *p)
{
    size_t pos = p->cur.pos, off = p->cur.off;
    if (p->cur.kind != T_MINUS && p->cur.kind != T_PLUS)
        return ep_parse_primary(p);
    if (!enter(p)) /* each prefix operator is a level of recursion */
        return NULL;
    lml_expr *e;
    bool minus = p->cur.kind == T_MINUS;
    ep_advance(p);
    if (minus && (p->cur.kind == T_INT || p->cur.kind == T_DEC)) { /* -2147483648 is an int */
        e = ep_number(p, true, pos, off);
    } else {
        lml_expr *x = parse_unary(p);
        if (x && minus && x->kind == N_LIT && !x->lit.is_null &&
            (x->lit.type == LML_INT32 || x->lit.type == LML_INT64 || x->lit.type == LML_DOUBLE)) {
            /* - (number) is a negative literal, as "- 2" is in Spark's grammar (wrapping, as the
             * evaluation of unary minus would): the printed "-2" then reads back the same */
            if (x->lit.type == LML_INT32)
                x->lit.v.i32 = (int32_t)(0u - (uint32_t)x->lit.v.i32);
            else if (x->lit.type == LML_INT64)
                x->lit.v.i64 = (int64_t)(0u - (uint64_t)x->lit.v.i64);
            else
                x->lit.v.f64 = -x->lit.v.f64;
            x->pos = pos;
            e = ep_finish(p, x, off);
        } else {
            e = !x ? NULL : minus ? ep_node2(p, N_NEG, 0, pos, off, x, NULL) : x;
        }
    }
    p->depth--;
    return e;
}

static lml_expr *parse_mul(parser *p)
{
    size_t off = p->cur.off;
    lml_expr *e = parse_unary(p);
    while (e && (p->cur.kind == T_STAR || p->cur.kind == T_SLASH || p->cur.kind == T_PCT)) {
        int op = p->cur.kind == T_STAR ? OP_MUL : p->cur.kind == T_SLASH ? OP_DIV : OP_MOD;
        size_t pos = p->cur.pos;
        ep_advance(p);
        lml_expr *r = parse_unary(p);
        e = r ? ep_node2(p, N_ARITH, op, pos, off, e, r) : (expr_node_free(e), NULL);
    }
    return e;
}

static lml_expr *parse_add(parser *p)
{
    size_t off = p->cur.off;
    lml_expr *e = parse_mul(p);
    while (e && (p->cur.kind == T_PLUS || p->cur.kind == T_MINUS || p->cur.kind == T_CONCAT)) {
        tok_kind k = p->cur.kind;
        size_t pos = p->cur.pos;
        ep_advance(p);
        lml_expr *r = parse_mul(p);
        if (r && k == T_CONCAT) { /* a || b is concat(a, b) */
            lml_expr *c = expr_node_new(N_FUNC, pos);
            if (c && (c->fn = FN_CONCAT, expr_node_add(c, e))) {
                e = expr_node_add(c, r) ? ep_finish(p, c, off) : (expr_node_free(c), ep_nomem(p));
            } else {
                expr_node_free(c);
                expr_node_free(e);
                expr_node_free(r);
                e = ep_nomem(p);
            }
            continue;
        }
        e = r ? ep_node2(p, N_ARITH, k == T_PLUS ? OP_ADD : OP_SUB, pos, off, e, r) : (expr_node_free(e), NULL);
    }
    return e;
}

static lml_expr *parse_cmp(parser *p)
{
    size_t off = p->cur.off;
    lml_expr *e = parse_add(p);
    while (e && p->cur.kind >= T_EQ && p->cur.kind <= T_NSEQ) {
        tok_kind k = p->cur.kind;
        size_t pos = p->cur.pos;
        ep_advance(p);
        lml_expr *r = parse_add(p);
        int op = k == T_EQ || k == T_NE ? OP_EQ : k == T_LT ? OP_LT : k == T_LE ? OP_LE : k == T_GT ? OP_GT
               : k == T_GE ? OP_GE : OP_NSEQ;
        e = r ? ep_node2(p, N_CMP, op, pos, off, e, r) : (expr_node_free(e), NULL);
        if (e && k == T_NE)
            e = wrap_not(p, e, pos);
    }
    return e;
}


bool ep_parse_args(parser *p, lml_expr *e, bool allow_empty)
{
    if (allow_empty && p->cur.kind == T_RP) {
        ep_advance(p);
        return true;
    }
    for (;;) {
        lml_expr *a = ep_parse_or(p);
        if (!a || !expr_node_add(e, a)) { /* expr_node_add frees a when it fails */
            ep_nomem(p); /* keeps an earlier syntax error */
            return false;
        }
        if (p->cur.kind != T_COMMA)
            break;
        ep_advance(p);
    }
    return ep_expect(p, T_RP, "',' or ')'");
}

/* The IN list after "IN": ( e, e, … ). */
static lml_expr *parse_in(parser *p, lml_expr *x, size_t pos, size_t off)
{
    lml_expr *e = ep_node2(p, N_IN, 0, pos, off, x, NULL);
    if (!e)
        return NULL;
    if (!ep_expect(p, T_LP, "'('")) {
        expr_node_free(e);
        return NULL;
    }
    if (!ep_parse_args(p, e, false)) {
        expr_node_free(e);
        return NULL;
    }
    return ep_finish(p, e, off);
}

static lml_expr *parse_between(parser *p, lml_expr *x, size_t pos, size_t off)
{
    lml_expr *lo = parse_add(p), *hi = NULL, *x2 = NULL;
    if (lo && !ep_is_kw(&p->cur, "AND"))
        ep_syntax(p, "AND");
    else if (lo) {
        ep_advance(p);
        hi = parse_add(p);
    }
    if (!hi || !(x2 = expr_node_copy(x))) {
        expr_node_free(lo);
        expr_node_free(hi);
        expr_node_free(x);
        return p->failed ? NULL : ep_nomem(p);
    }
    lml_expr *ge = ep_node2(p, N_CMP, OP_GE, pos, off, x, lo);
    lml_expr *le = ep_node2(p, N_CMP, OP_LE, pos, off, x2, hi);
    if (!ge || !le) {
        expr_node_free(ge);
        expr_node_free(le);
        return NULL;
    }
    return ep_node2(p, N_AND, 0, pos, off, ge, le);
}

static lml_expr *parse_like(parser *p, lml_expr *x, size_t pos, size_t off)
{
    lml_expr *pat = parse_add(p);
    lml_expr *e = pat ? ep_node2(p, N_LIKE, 0, pos, off, x, pat) : (expr_node_free(x), NULL);
    if (!e)
        return NULL;
    e->escape = '\\';
    if (ep_is_kw(&p->cur, "ESCAPE")) {
        ep_advance(p);
        if (p->cur.kind != T_STR || p->cur.vlen != 1) {
            expr_node_free(e);
            if (p->cur.kind == T_STR) {
                lml_error_set(p->err, LML_EINVAL, "the ESCAPE string at position %zu must be one character",
                              p->cur.pos);
                p->failed = true;
                return NULL;
            }
            return ep_syntax(p, "a one-character string");
        }
        e->escape = p->cur.val[0];
        ep_advance(p);
    }
    return ep_finish(p, e, off);
}

/* x IS [NOT] NULL | TRUE | FALSE | UNKNOWN | DISTINCT FROM y; cur is the token after IS. */
static lml_expr *parse_is(parser *p, lml_expr *x, size_t pos, size_t off)
{
    bool neg = ep_is_kw(&p->cur, "NOT");
    if (neg)
        ep_advance(p);
    lml_expr *e;
    if (ep_is_kw(&p->cur, "NULL") || ep_is_kw(&p->cur, "UNKNOWN")) {
        ep_advance(p);
        e = ep_node2(p, N_ISNULL, 0, pos, off, x, NULL);
        if (e)
            e->negated = neg;
        return e;
    }
    if (ep_is_kw(&p->cur, "TRUE") || ep_is_kw(&p->cur, "FALSE")) {
        lml_expr *b = ep_literal(p, LML_BOOL, p->cur.pos);
        if (b) {
            b->lit.v.b = ep_is_kw(&p->cur, "TRUE");
            b->off = p->cur.off;
            b->end = p->cur.off + p->cur.len;
        }
        ep_advance(p);
        e = b ? ep_node2(p, N_CMP, OP_NSEQ, pos, off, x, b) : (expr_node_free(x), NULL);
    } else if (ep_is_kw(&p->cur, "DISTINCT")) {
        ep_advance(p);
        if (!ep_is_kw(&p->cur, "FROM")) {
            expr_node_free(x);
            return ep_syntax(p, "FROM");
        }
        ep_advance(p);
        lml_expr *y = parse_add(p);
        e = y ? ep_node2(p, N_CMP, OP_NSEQ, pos, off, x, y) : (expr_node_free(x), NULL);
        neg = !neg; /* IS DISTINCT FROM is NOT (x <=> y) */
    } else {
        expr_node_free(x);
        return ep_syntax(p, "NULL, TRUE, FALSE or DISTINCT FROM");
    }
    return neg ? wrap_not(p, e, pos) : e;
}

static lml_expr *parse_predicate(parser *p)
{
    size_t off = p->cur.off;
    lml_expr *e = parse_cmp(p);
    while (e) {
        size_t pos = p->cur.pos;
        if (ep_is_kw(&p->cur, "IS")) {
            ep_advance(p);
            e = parse_is(p, e, pos, off);
            continue;
        }
        bool neg = ep_is_kw(&p->cur, "NOT") &&
                   (ep_is_kw(&p->next, "IN") || ep_is_kw(&p->next, "BETWEEN") || ep_is_kw(&p->next, "LIKE"));
        if (neg)
            ep_advance(p);
        if (ep_is_kw(&p->cur, "IN")) {
            ep_advance(p);
            e = parse_in(p, e, pos, off);
        } else if (ep_is_kw(&p->cur, "BETWEEN")) {
            ep_advance(p);
            e = parse_between(p, e, pos, off);
        } else if (ep_is_kw(&p->cur, "LIKE")) {
            ep_advance(p);
            e = parse_like(p, e, pos, off);
        } else {
            break;
        }
        if (neg)
            e = wrap_not(p, e, pos);
    }
    return e;
}

static lml_expr *parse_not(parser *p)
{
    if (!ep_is_kw(&p->cur, "NOT") && p->cur.kind != T_BANG)
        return parse_predicate(p);
    if (!enter(p))
        return NULL;
    size_t pos = p->cur.pos, off = p->cur.off;
    ep_advance(p);
    lml_expr *x = parse_not(p);
    lml_expr *e = x ? ep_node2(p, N_NOT, 0, pos, off, x, NULL) : NULL;
    p->depth--;
    return e;
}

static lml_expr *parse_and(parser *p)
{
    size_t off = p->cur.off;
    lml_expr *e = parse_not(p);
    while (e && ep_is_kw(&p->cur, "AND")) {
        size_t pos = p->cur.pos;
        ep_advance(p);
        lml_expr *r = parse_not(p);
        e = r ? ep_node2(p, N_AND, 0, pos, off, e, r) : (expr_node_free(e), NULL);
    }
    return e;
}

lml_expr *ep_parse_or(parser *p)
{
    if (!enter(p))
        return NULL;
    size_t off = p->cur.off;
    lml_expr *e = parse_and(p);
    while (e && ep_is_kw(&p->cur, "OR")) {
        size_t pos = p->cur.pos;
        ep_advance(p);
        lml_expr *r = parse_and(p);
        e = r ? ep_node2(p, N_OR, 0, pos, off, e, r) : (expr_node_free(e), NULL);
    }
    p->depth--;
    return e;
}

/* Gives the root and every node lml_expr_conjuncts can hand out (the non-AND nodes under the
 * top-level ANDs) their own text. */
static bool conjunct_texts(lml_expr *e, const char *text, bool root)
{
    if (root || e->kind != N_AND) {
        size_t a = root ? 0 : e->off, b = root ? strlen(text) : e->end;
        if (b < a)
            b = a;
        if (!(e->text = malloc(b - a + 1)))
            return false;
        memcpy(e->text, text + a, b - a);
        e->text[b - a] = '\0';
    }
    if (e->kind == N_AND)
        for (size_t i = 0; i < e->nkids; i++)
            if (!conjunct_texts(e->kids[i], text, false))
                return false;
    return true;
}

lml_expr *lml_expr_parse(const char *text, lml_error *err)
{
    if (!text) {
        lml_error_set(err, LML_EINVAL, "lml_expr_parse needs a text");
        return NULL;
    }
    parser p = {.lx = {.text = text, .len = strlen(text), .pos = 1}, .err = err};
    p.cur.kind = T_END;
    if (expr_lex(&p.lx, &p.next, err) == T_ERROR)
        p.next.kind = T_ERROR;
    lml_expr *e = NULL;
    if (ep_advance(&p)) {
        e = ep_parse_or(&p);
        if (e && p.cur.kind != T_END) {
            ep_syntax(&p, "end of input");
            expr_node_free(e);
            e = NULL;
        }
    }
    free(p.cur.val);
    free(p.next.val);
    if (e && !conjunct_texts(e, text, true)) {
        expr_node_free(e);
        lml_error_set(err, LML_ENOMEM, "out of memory parsing an expression");
        return NULL;
    }
    return e;
}

void lml_expr_free(lml_expr *e) { expr_node_free(e); }

const char *lml_expr_text(const lml_expr *e) { return e ? e->text : NULL; }

/* Parse-tree nodes (new, copy, free) and the name tables shared by the parser, the binder and the
 * SQL printer. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "frame/expr/ast.h"

lml_expr *expr_node_new(expr_kind kind, size_t pos)
{
    lml_expr *e = calloc(1, sizeof *e);
    if (e) {
        e->kind = kind;
        e->pos = pos;
    }
    return e;
}

bool expr_node_add(lml_expr *parent, lml_expr *kid)
{
    lml_expr **k = realloc(parent->kids, (parent->nkids + 1) * sizeof *k);
    if (!k) {
        expr_node_free(kid);
        return false;
    }
    parent->kids = k;
    k[parent->nkids++] = kid;
    if (kid->depth + 1 > parent->depth)
        parent->depth = kid->depth + 1;
    return true;
}

static char *dup_bytes(const char *s, size_t n, bool *ok)
{
    if (!s)
        return NULL;
    char *d = malloc(n + 1);
    if (!d) {
        *ok = false;
        return NULL;
    }
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

lml_expr *expr_node_copy(const lml_expr *e)
{
    lml_expr *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    *c = *e;
    c->kids = NULL;
    c->nkids = 0;
    c->depth = 0;
    c->text = NULL;
    bool ok = true;
    c->str = dup_bytes(e->str, e->lit.v.str.len, &ok);
    if (c->str)
        c->lit.v.str.ptr = c->str;
    c->qual = e->qual ? dup_bytes(e->qual, strlen(e->qual), &ok) : NULL;
    c->name = e->name ? dup_bytes(e->name, strlen(e->name), &ok) : NULL;
    for (size_t i = 0; ok && i < e->nkids; i++) {
        lml_expr *k = expr_node_copy(e->kids[i]);
        ok = k && expr_node_add(c, k);
    }
    if (!ok) {
        expr_node_free(c);
        return NULL;
    }
    return c;
}

void expr_node_free(lml_expr *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nkids; i++)
        expr_node_free(e->kids[i]);
    free(e->kids);
    free(e->str);
    free(e->qual);
    free(e->name);
    free(e->text);
    free(e);
}

static const struct {
    const char *name;
    expr_fn fn;
} fns[] = {
    {"coalesce", FN_COALESCE}, {"lower", FN_LOWER}, {"lcase", FN_LOWER}, {"upper", FN_UPPER},
    {"ucase", FN_UPPER}, {"trim", FN_TRIM}, {"ltrim", FN_LTRIM}, {"rtrim", FN_RTRIM},
    {"length", FN_LENGTH}, {"char_length", FN_LENGTH}, {"character_length", FN_LENGTH},
    {"abs", FN_ABS}, {"round", FN_ROUND}, {"floor", FN_FLOOR}, {"ceil", FN_CEIL},
    {"ceiling", FN_CEIL}, {"year", FN_YEAR}, {"month", FN_MONTH}, {"day", FN_DAY},
    {"dayofmonth", FN_DAY}, {"concat", FN_CONCAT}, {"current_date", FN_CURRENT_DATE},
    {"current_timestamp", FN_CURRENT_TIMESTAMP}, {"now", FN_CURRENT_TIMESTAMP},
};

const char *expr_fn_name(expr_fn fn)
{
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++)
        if (fns[i].fn == fn)
            return fns[i].name;
    return "?";
}

bool expr_fn_lookup(const char *name, size_t len, expr_fn *out)
{
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++)
        if (strlen(fns[i].name) == len && strncasecmp(fns[i].name, name, len) == 0) {
            *out = fns[i].fn;
            return true;
        }
    return false;
}

const char *expr_op_text(int op)
{
    static const char *const t[] = {"+", "-", "*", "/", "%", "=", "<", "<=", ">", ">=", "<=>"};
    return op >= 0 && op <= OP_NSEQ ? t[op] : "?";
}

const char *expr_type_sql(lml_type t)
{
    switch ((int)t) {
    case LML_BOOL: return "BOOLEAN";
    case LML_INT32: return "INT";
    case LML_INT64: return "BIGINT";
    case LML_DOUBLE: return "DOUBLE";
    case LML_STRING: return "STRING";
    case LML_DATE: return "DATE";
    case LML_TIMESTAMP: return "TIMESTAMP";
    case LML_FLOAT: return "FLOAT";
    case LML_INT8: return "TINYINT";
    case LML_INT16: return "SMALLINT";
    case LML_DECIMAL: return "DECIMAL";
    case LML_TIMESTAMP_NTZ: return "TIMESTAMP_NTZ";
    case LML_BINARY: return "BINARY";
    case EXPR_T_NULL: return "VOID";
    default: return "?";
    }
}

const char *expr_type_name(lml_type t)
{
    switch ((int)t) {
    case LML_INT32: return "int";
    case LML_INT64: return "bigint";
    case LML_INT8: return "tinyint";
    case LML_INT16: return "smallint";
    case EXPR_T_NULL: return "void";
    default: return lml_type_name(t);
    }
}

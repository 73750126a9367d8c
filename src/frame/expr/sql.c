/* lml_expr_sql: the expression as Spark prints a resolved predicate in a Delta commit's
 * operationParameters, fully parenthesised ("((a = 1) AND (b < 2))"), strings in single quotes
 * with Spark's escapes, longs with an L suffix, names back-quoted only when they need it. The
 * text parses back to the same tree. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/internal.h"
#include "frame/expr/ast.h"

static void put_name(lml_strbuf *sb, const char *s)
{
    static const char *const kw[] = {"AND", "OR", "NOT", "IN", "IS", "LIKE", "BETWEEN", "CASE", "WHEN", "THEN", "ELSE",
                                     "END", "AS", "ESCAPE", "DISTINCT", "FROM", "NULL", "TRUE", "FALSE", "CAST",
                                     "CURRENT_DATE", "CURRENT_TIMESTAMP", "UNKNOWN", "DATE", "TIMESTAMP"};
    bool plain = s[0] && !(s[0] >= '0' && s[0] <= '9');
    for (const char *p = s; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_';
    for (size_t k = 0; plain && k < sizeof kw / sizeof *kw; k++)
        plain = strcasecmp(s, kw[k]) != 0;
    if (plain) {
        lml_strbuf_puts(sb, s);
        return;
    }
    lml_strbuf_putc(sb, '`');
    for (const char *p = s; *p; p++) {
        if (*p == '`')
            lml_strbuf_putc(sb, '`');
        lml_strbuf_putc(sb, *p);
    }
    lml_strbuf_putc(sb, '`');
}

static void put_string(lml_strbuf *sb, const char *s, size_t len)
{
    lml_strbuf_putc(sb, '\'');
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\'' || c == '\\') {
            lml_strbuf_putc(sb, '\\');
            lml_strbuf_putc(sb, c);
        } else if (c == '\0') {
            lml_strbuf_puts(sb, "\\u0000");
        } else {
            lml_strbuf_putc(sb, c);
        }
    }
    lml_strbuf_putc(sb, '\'');
}

static void put_date(lml_strbuf *sb, int64_t days)
{
    int64_t y;
    int m, d;
    lml_civil_from_days(days, &y, &m, &d);
    lml_strbuf_printf(sb, "%04" PRId64 "-%02d-%02d", y, m, d);
}

static void put_literal(lml_strbuf *sb, const lml_value *v)
{
    char buf[LML_DOUBLE_BUF];
    if (v->is_null) {
        lml_strbuf_puts(sb, "NULL");
        return;
    }
    switch (v->type) {
    case LML_BOOL: lml_strbuf_puts(sb, v->v.b ? "true" : "false"); break;
    case LML_INT32: lml_strbuf_printf(sb, "%" PRId32, v->v.i32); break;
    case LML_INT64: lml_strbuf_printf(sb, "%" PRId64 "L", v->v.i64); break;
    case LML_DOUBLE:
        if (!isfinite(v->v.f64)) {
            lml_strbuf_printf(sb, "CAST('%s' AS DOUBLE)", isnan(v->v.f64) ? "NaN" : v->v.f64 > 0 ? "Infinity" : "-Infinity");
        } else {
            lml_format_double_java(v->v.f64, buf);
            lml_strbuf_puts(sb, buf);
        }
        break;
    case LML_STRING: put_string(sb, v->v.str.ptr, v->v.str.len); break;
    case LML_DATE:
        lml_strbuf_puts(sb, "DATE '");
        put_date(sb, v->v.i32);
        lml_strbuf_putc(sb, '\'');
        break;
    case LML_TIMESTAMP: {
        int64_t us = v->v.i64, day = us / INT64_C(86400000000) - (us % INT64_C(86400000000) < 0);
        int64_t rest = us - day * INT64_C(86400000000), secs = rest / 1000000, frac = rest % 1000000;
        lml_strbuf_puts(sb, "TIMESTAMP '");
        put_date(sb, day);
        lml_strbuf_printf(sb, " %02d:%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
        if (frac) {
            char f[8];
            snprintf(f, sizeof f, "%06d", (int)frac);
            for (int k = 5; k > 0 && f[k] == '0'; k--)
                f[k] = '\0';
            lml_strbuf_printf(sb, ".%s", f);
        }
        lml_strbuf_putc(sb, '\'');
        break;
    }
    default: lml_strbuf_puts(sb, "NULL"); break;
    }
}

static void put(lml_strbuf *sb, const lml_expr *e)
{
    switch (e->kind) {
    case N_LIT: put_literal(sb, &e->lit); return;
    case N_COL:
        if (e->qual) {
            put_name(sb, e->qual);
            lml_strbuf_putc(sb, '.');
        }
        put_name(sb, e->name);
        return;
    case N_NEG:
        lml_strbuf_puts(sb, "(- ");
        put(sb, e->kids[0]);
        lml_strbuf_putc(sb, ')');
        return;
    case N_ARITH:
    case N_CMP:
    case N_AND:
    case N_OR:
        lml_strbuf_putc(sb, '(');
        put(sb, e->kids[0]);
        lml_strbuf_printf(sb, " %s ", e->kind == N_AND ? "AND" : e->kind == N_OR ? "OR" : expr_op_text(e->op));
        put(sb, e->kids[1]);
        lml_strbuf_putc(sb, ')');
        return;
    case N_NOT:
        lml_strbuf_puts(sb, "(NOT ");
        put(sb, e->kids[0]);
        lml_strbuf_putc(sb, ')');
        return;
    case N_ISNULL:
        lml_strbuf_putc(sb, '(');
        put(sb, e->kids[0]);
        lml_strbuf_puts(sb, e->negated ? " IS NOT NULL)" : " IS NULL)");
        return;
    case N_IN:
        lml_strbuf_putc(sb, '(');
        put(sb, e->kids[0]);
        lml_strbuf_puts(sb, " IN (");
        for (size_t i = 1; i < e->nkids; i++) {
            if (i > 1)
                lml_strbuf_puts(sb, ", ");
            put(sb, e->kids[i]);
        }
        lml_strbuf_puts(sb, "))");
        return;
    case N_LIKE:
        lml_strbuf_putc(sb, '(');
        put(sb, e->kids[0]);
        lml_strbuf_puts(sb, " LIKE ");
        put(sb, e->kids[1]);
        if (e->escape != '\\') {
            lml_strbuf_puts(sb, " ESCAPE ");
            put_string(sb, &e->escape, 1);
        }
        lml_strbuf_putc(sb, ')');
        return;
    case N_CASE:
        lml_strbuf_puts(sb, "CASE");
        for (size_t i = 0; i + 1 < e->nkids; i += 2) {
            lml_strbuf_puts(sb, " WHEN ");
            put(sb, e->kids[i]);
            lml_strbuf_puts(sb, " THEN ");
            put(sb, e->kids[i + 1]);
        }
        if (e->nkids % 2) {
            lml_strbuf_puts(sb, " ELSE ");
            put(sb, e->kids[e->nkids - 1]);
        }
        lml_strbuf_puts(sb, " END");
        return;
    case N_CAST:
        lml_strbuf_puts(sb, "CAST(");
        put(sb, e->kids[0]);
        if (e->is_decimal)
            lml_strbuf_printf(sb, " AS DECIMAL(%d,%d))", e->prec, e->scale);
        else
            lml_strbuf_printf(sb, " AS %s)", expr_type_sql(e->cast_to));
        return;
    case N_FUNC:
        lml_strbuf_printf(sb, "%s(", expr_fn_name(e->fn));
        for (size_t i = 0; i < e->nkids; i++) {
            if (i)
                lml_strbuf_puts(sb, ", ");
            put(sb, e->kids[i]);
        }
        lml_strbuf_putc(sb, ')');
        return;
    }
}

char *lml_expr_sql(const lml_expr *e, lml_error *err)
{
    if (!e) {
        lml_error_set(err, LML_EINVAL, "lml_expr_sql needs an expression");
        return NULL;
    }
    lml_strbuf sb = {0};
    lml_strbuf_append(&sb, "", 0);
    put(&sb, e);
    return lml_strbuf_finish(&sb, err);
}

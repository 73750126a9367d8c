/* Parsing: syntax and type errors with positions, printing back as Spark's SQL text, and the
 * planner helpers (conjuncts, join keys, skipping predicates, column visits). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "../expr_support.h"

static void parse_error(const char *text, lml_errcode code, const char *message)
{
    lml_error err = {0};
    lml_expr *e = lml_expr_parse(text, &err);
    cr_expect_null(e, "%s should not parse", text);
    lml_expr_free(e);
    cr_expect_eq(err.code, code, "%s: %s", text, err.message);
    cr_expect_str_eq(err.message, message, "%s", text);
}

Test(expr_parse, syntax_errors_name_the_position_and_the_token)
{
    parse_error("a +", LML_EINVAL, "syntax error at position 4: expected an expression but found end of input");
    parse_error("(a = 1", LML_EINVAL, "syntax error at position 7: expected ')' but found end of input");
    parse_error("a = 1 AND AND b", LML_EINVAL, "syntax error at position 11: expected an expression but found 'AND'");
    parse_error("1 2", LML_EINVAL, "syntax error at position 3: expected end of input but found '2'");
    parse_error("'abc", LML_EINVAL, "syntax error at position 1: unterminated string literal");
    parse_error("a # b", LML_EINVAL, "syntax error at position 3: unexpected character '#'");
    parse_error("'\xc3\xa9' = x y", LML_EINVAL, "syntax error at position 9: expected end of input but found 'y'");
    parse_error("a IN ()", LML_EINVAL, "syntax error at position 7: expected an expression but found ')'");
    parse_error("CAST(a AS)", LML_EINVAL, "syntax error at position 10: expected a type name but found ')'");
    parse_error("1abc", LML_EINVAL, "syntax error at position 1: invalid number literal");
    parse_error("`abc", LML_EINVAL, "syntax error at position 1: unterminated back-quoted name");
    parse_error("", LML_EINVAL, "syntax error at position 1: expected an expression but found end of input");
    parse_error("CASE WHEN a THEN 1", LML_EINVAL, "syntax error at position 19: expected END but found end of input");
    parse_error("a BETWEEN 1 OR 2", LML_EINVAL, "syntax error at position 13: expected AND but found 'OR'");
    parse_error("nosuch(1)", LML_ENOTFOUND, "unknown function 'nosuch' at position 1");
    parse_error("2147483648S", LML_EINVAL, "numeric literal 2147483648 at position 1 is out of range for its type");
    parse_error("DATE '2024-13-01'", LML_EINVAL, "invalid DATE literal '2024-13-01' at position 1");
    parse_error("x LIKE 'a' ESCAPE 'ab'", LML_EINVAL, "the ESCAPE string at position 19 must be one character");
    parse_error("t.a.b = 1", LML_EUNSUPPORTED,
                "nested field reference at position 1: only column and qualifier.column names are supported");
}

Test(expr_parse, deep_nesting_is_an_error_not_a_crash)
{
    size_t depth = 5000;
    char *s = malloc(3 * depth + 2);
    memset(s, '(', depth);
    s[depth] = '1';
    memset(s + depth + 1, ')', depth);
    s[2 * depth + 1] = '\0';
    lml_error err = {0};
    cr_expect_null(lml_expr_parse(s, &err));
    cr_expect_eq(err.code, LML_EINVAL);
    cr_expect(strstr(err.message, "nested too deeply") != NULL, "%s", err.message);
    for (size_t k = 0; k < depth; k++)
        memcpy(s + 2 * k, "- ", 2);
    strcpy(s + 2 * depth, "1");
    cr_expect_null(lml_expr_parse(s, &err));
    cr_expect(strstr(err.message, "nested too deeply") != NULL, "%s", err.message);
    free(s);
    /* a long OR chain is deep without any parentheses: bounded too */
    size_t terms = 400;
    char *chain = malloc(terms * 12 + 1), *w = chain;
    for (size_t k = 0; k < terms; k++)
        w += sprintf(w, k ? " OR a = %zu" : "a = %zu", k);
    cr_expect_null(lml_expr_parse(chain, &err));
    cr_expect(strstr(err.message, "nested too deeply") != NULL, "%s", err.message);
    /* 200 terms parse, evaluate, and print as text that parses back */
    chain[0] = '\0';
    w = chain;
    for (size_t k = 0; k < 200; k++)
        w += sprintf(w, k ? " OR a = %zu" : "a = %zu", k);
    lml_expr *e = lml_expr_parse(chain, &err);
    cr_assert_not_null(e, "%s", err.message);
    char *sql = lml_expr_sql(e, &err);
    lml_expr *again = lml_expr_parse(sql, &err);
    cr_expect_not_null(again, "%s", err.message);
    cr_expect_eq(strncmp(sql, "((((((((", 8), 0);
    lml_expr_free(again);
    free(sql);
    lml_expr_free(e);
    free(chain);
    /* 150 levels are fine */
    char ok[400];
    memset(ok, '(', 150);
    ok[150] = '7';
    memset(ok + 151, ')', 150);
    ok[301] = '\0';
    EX_CONST(ok, "7");
}

Test(expr_parse, bind_errors_name_operator_position_and_types)
{
    lml_frame *f = ex_frame();
    ex_fails_as(f, "'a' + TRUE", LML_ETYPE,
                "type mismatch at position 5: '+' needs numeric operands, got string and boolean");
    ex_fails_as(f, "NOT 5", LML_ETYPE, "type mismatch at position 1: 'NOT' needs a boolean operand, got int");
    ex_fails_as(f, "i AND b", LML_ETYPE,
                "type mismatch at position 3: 'AND' needs boolean operands, got int and boolean");
    ex_fails_as(f, "i + zz", LML_ENOTFOUND, "column 'zz' at position 5 does not exist");
    ex_fails_as(f, "CASE WHEN 1 THEN 2 END", LML_ETYPE,
                "type mismatch at position 11: a WHEN condition must be boolean, got int");
    ex_fails_as(f, "b = 1", LML_ETYPE,
                "type mismatch at position 3: '=' needs comparable operands, got boolean and int");
    EX_EQ(f, "-s", "NULL,NULL,NULL,NULL,NULL"); /* strings are read as doubles: not an error */
    ex_fails_as(f, "i IN (1, b)", LML_ETYPE, NULL);
    ex_fails_as(f, "-b", LML_ETYPE, NULL);
    ex_fails_as(f, "dt * 2", LML_ETYPE, NULL);
    lml_frame_free(f);
}

static void sql_is(const char *text, const char *want)
{
    lml_error err = {0};
    lml_expr *e = lml_expr_parse(text, &err);
    cr_assert_not_null(e, "%s: %s", text, err.message);
    cr_expect_str_eq(lml_expr_text(e), text);
    char *s = lml_expr_sql(e, &err);
    cr_assert_not_null(s, "%s", err.message);
    cr_expect_str_eq(s, want, "%s", text);
    /* the printed form parses back to the same tree */
    lml_expr *again = lml_expr_parse(s, &err);
    cr_assert_not_null(again, "reparse %s: %s", s, err.message);
    char *s2 = lml_expr_sql(again, &err);
    cr_expect_str_eq(s2, s);
    free(s2);
    free(s);
    lml_expr_free(again);
    lml_expr_free(e);
}

Test(expr_parse, sql_is_fully_parenthesised_like_spark)
{
    sql_is("a = 1 AND b < 2", "((a = 1) AND (b < 2))");
    sql_is("x <> 'it''s'", "(NOT (x = 'it\\'s'))");
    sql_is("i BETWEEN 1 AND 2", "((i >= 1) AND (i <= 2))");
    sql_is("t.`weird name` IS NOT NULL", "(t.`weird name` IS NOT NULL)");
    sql_is("`a``b` IS NULL", "(`a``b` IS NULL)");
    sql_is("`and` = 1", "(`and` = 1)");
    sql_is("CAST(a AS decimal(10,2))", "CAST(a AS DECIMAL(10,2))");
    sql_is("cast(a as bigint) + cast(b as short)", "(CAST(a AS BIGINT) + CAST(b AS SMALLINT))");
    sql_is("lower(s) LIKE 'a%'", "(lower(s) LIKE 'a%')");
    sql_is("s LIKE 'a#%' ESCAPE '#'", "(s LIKE 'a#%' ESCAPE '#')");
    sql_is("s NOT LIKE 'x\\_y'", "(NOT (s LIKE 'x\\\\_y'))");
    sql_is("d > 1.5 OR d < 1e10", "((d > 1.5) OR (d < 1.0E10))");
    sql_is("l = 3000000000", "(l = 3000000000L)");
    sql_is("dt = DATE '2024-01-31'", "(dt = DATE '2024-01-31')");
    sql_is("ts < TIMESTAMP '2024-01-31 10:00:00.5'", "(ts < TIMESTAMP '2024-01-31 10:00:00.5')");
    sql_is("CASE WHEN a THEN 1 ELSE 2 END", "CASE WHEN a THEN 1 ELSE 2 END");
    sql_is("CASE x WHEN 1 THEN 'a' END", "CASE WHEN (x = 1) THEN 'a' END");
    sql_is("-a", "(- a)");
    sql_is("a - -5", "(a - -5)");
    sql_is("- + (2)", "-2"); /* a negated number is a negative literal */
    sql_is("-(-1.5)", "1.5");
    sql_is("-(9223372036854775807L + 1)", "(- (9223372036854775807L + 1))");
    sql_is("a IN (1, 2, 3)", "(a IN (1, 2, 3))");
    sql_is("a NOT IN (1)", "(NOT (a IN (1)))");
    sql_is("NOT a AND b OR c", "(((NOT a) AND b) OR c)");
    sql_is("a || b", "concat(a, b)");
    sql_is("x IS DISTINCT FROM y", "(NOT (x <=> y))");
    sql_is("b IS TRUE", "(b <=> true)");
    sql_is("current_date", "current_date()");
    sql_is("coalesce(a, NULL, 'x')", "coalesce(a, NULL, 'x')");
    sql_is("'a\\\\b'", "'a\\\\b'");
    sql_is("a % 2 = 0 AND b / 2 > 1 - c * 3", "(((a % 2) = 0) AND ((b / 2) > (1 - (c * 3))))");
    sql_is("x <=> NULL", "(x <=> NULL)");
    sql_is("d = CAST('NaN' AS DOUBLE)", "(d = CAST('NaN' AS DOUBLE))");
}

Test(expr_parse, conjuncts_flatten_top_level_ands_in_order)
{
    lml_error err = {0};
    lml_expr *e = lml_expr_parse("a = 1 AND (b < 2 AND c IS NULL) AND d IN (3)", &err);
    cr_assert_not_null(e, "%s", err.message);
    const lml_expr *c[8] = {0};
    cr_assert_eq(lml_expr_conjuncts(e, c, 8), 4);
    cr_expect_str_eq(lml_expr_text(c[0]), "a = 1");
    cr_expect_str_eq(lml_expr_text(c[1]), "b < 2");
    cr_expect_str_eq(lml_expr_text(c[2]), "c IS NULL");
    cr_expect_str_eq(lml_expr_text(c[3]), "d IN (3)");
    char *s = lml_expr_sql(c[2], &err);
    cr_expect_str_eq(s, "(c IS NULL)");
    free(s);
    const lml_expr *two[3] = {NULL, NULL, NULL};
    cr_expect_eq(lml_expr_conjuncts(e, two, 2), 4);
    cr_expect(two[0] == c[0] && two[1] == c[1] && two[2] == NULL);
    cr_expect_eq(lml_expr_conjuncts(e, NULL, 0), 4);
    lml_expr_free(e);

    e = lml_expr_parse("a = 1 OR b = 2", &err);
    cr_expect_eq(lml_expr_conjuncts(e, c, 8), 1);
    cr_expect(c[0] == e);
    cr_expect_str_eq(lml_expr_text(c[0]), "a = 1 OR b = 2");
    lml_expr_free(e);

    /* BETWEEN splits, as Spark's resolved And(>=, <=) does; a conjunct evaluates on its own */
    e = lml_expr_parse("i BETWEEN 1 AND 2 AND s LIKE 'a%'", &err);
    cr_assert_eq(lml_expr_conjuncts(e, c, 8), 3);
    lml_frame *f = ex_frame();
    lml_expr_input in = {NULL, f};
    lml_column *col = lml_expr_eval(c[1], &in, 1, &err);
    cr_assert_not_null(col, "%s", err.message);
    cr_expect(lml_column_bool_at(col, 0) && lml_column_bool_at(col, 1) && !lml_column_bool_at(col, 3) &&
              lml_column_bool_at(col, 4)); /* i <= 2 */
    lml_column_free(col);
    lml_frame_free(f);
    lml_expr_free(e);
}

Test(expr_parse, column_equalities_for_join_keys)
{
    lml_error err = {0};
    const char *la = "?", *ln = "?", *ra = "?", *rn = "?";
    lml_expr *e = lml_expr_parse("t.id = s.`key`", &err);
    cr_assert(lml_expr_is_column_equality(e, &la, &ln, &ra, &rn));
    cr_expect_str_eq(la, "t");
    cr_expect_str_eq(ln, "id");
    cr_expect_str_eq(ra, "s");
    cr_expect_str_eq(rn, "key");
    lml_expr_free(e);
    e = lml_expr_parse("id = key", &err);
    cr_assert(lml_expr_is_column_equality(e, &la, &ln, &ra, &rn));
    cr_expect(la == NULL && ra == NULL);
    lml_expr_free(e);
    const char *no[] = {"id = 1", "t.id = s.id + 1", "t.id <=> s.id", "t.id < s.id", "t.id <> s.id"};
    for (size_t k = 0; k < sizeof no / sizeof *no; k++) {
        e = lml_expr_parse(no[k], &err);
        cr_assert_not_null(e);
        cr_expect_not(lml_expr_is_column_equality(e, NULL, NULL, NULL, NULL), "%s", no[k]);
        lml_expr_free(e);
    }
}

static lml_parquet_predicate pred(const char *text, bool want, const char **alias)
{
    lml_error err = {0};
    lml_expr *e = lml_expr_parse(text, &err);
    cr_assert_not_null(e, "%s", err.message);
    lml_parquet_predicate p = {0};
    static char col[64];
    static lml_expr *keep;
    lml_expr_free(keep); /* the predicate borrows from the expression: keep it until the next call */
    keep = e;
    cr_expect_eq(lml_expr_as_predicate(e, alias, &p), want, "%s", text);
    if (want && p.column) {
        snprintf(col, sizeof col, "%s", p.column);
        p.column = col;
    }
    return p;
}

Test(expr_parse, skipping_predicates)
{
    const char *alias = "?";
    lml_parquet_predicate p = pred("id >= 5", true, &alias);
    cr_expect_str_eq(p.column, "id");
    cr_expect_eq(p.op, LML_PQ_OP_GE);
    cr_expect(p.value.type == LML_INT32 && p.value.v.i32 == 5 && alias == NULL);
    p = pred("5 > id", true, NULL);
    cr_expect_eq(p.op, LML_PQ_OP_LT);
    p = pred("10 <= t.x", true, &alias);
    cr_expect_eq(p.op, LML_PQ_OP_GE);
    cr_expect_str_eq(alias, "t");
    p = pred("t.name = 'x''y'", true, &alias);
    cr_expect_eq(p.op, LML_PQ_OP_EQ);
    cr_expect(p.value.type == LML_STRING && p.value.v.str.len == 3 && memcmp(p.value.v.str.ptr, "x'y", 3) == 0);
    p = pred("x IS NULL", true, NULL);
    cr_expect_eq(p.op, LML_PQ_OP_IS_NULL);
    p = pred("x IS NOT NULL", true, NULL);
    cr_expect_eq(p.op, LML_PQ_OP_IS_NOT_NULL);
    p = pred("x IN (3)", true, NULL);
    cr_expect(p.op == LML_PQ_OP_EQ && p.value.v.i32 == 3);
    p = pred("dt < DATE '2024-01-01'", true, NULL);
    cr_expect(p.op == LML_PQ_OP_LT && p.value.type == LML_DATE && p.value.v.i32 == 19723);
    p = pred("d > -1.5", true, NULL);
    cr_expect(p.op == LML_PQ_OP_GT && p.value.type == LML_DOUBLE && p.value.v.f64 == -1.5);
    p = pred("l = 3000000000", true, NULL);
    cr_expect(p.value.type == LML_INT64 && p.value.v.i64 == 3000000000LL);
    const char *no[] = {"x IN (3, 4)", "x = y", "x = NULL", "x <> 1", "x + 1 = 2", "x <=> 1", "x LIKE 'a%'",
                        "1 = 1", "NOT x = 1", "x = 1 AND y = 2"};
    for (size_t k = 0; k < sizeof no / sizeof *no; k++)
        pred(no[k], false, NULL);
    pred("1 = 1", false, NULL); /* frees the last kept expression */
    lml_expr_free(lml_expr_parse("1", NULL));
}

typedef struct names {
    char buf[256];
    int calls, stop_after;
} names;

static bool collect(const char *alias, const char *name, void *ctx)
{
    names *n = ctx;
    size_t l = strlen(n->buf);
    snprintf(n->buf + l, sizeof n->buf - l, "%s%s%s%s", l ? "," : "", alias ? alias : "", alias ? "." : "", name);
    return ++n->calls != n->stop_after;
}

Test(expr_parse, visiting_columns_and_constants)
{
    lml_expr *e = lml_expr_parse("t.a + b > coalesce(c, 1) AND CASE WHEN `d d` THEN 1 END = 1", NULL);
    cr_assert_not_null(e);
    names n = {.stop_after = -1};
    cr_expect(lml_expr_visit_columns(e, collect, &n));
    cr_expect_str_eq(n.buf, "t.a,b,c,d d");
    names m = {.stop_after = 2};
    cr_expect_not(lml_expr_visit_columns(e, collect, &m));
    cr_expect_str_eq(m.buf, "t.a,b");
    cr_expect_not(lml_expr_is_constant(e));
    lml_expr_free(e);
    const char *constant[] = {"1 = 1", "current_date() > DATE '2020-01-01'", "NULL", "'a' LIKE 'b'"};
    for (size_t k = 0; k < 4; k++) {
        e = lml_expr_parse(constant[k], NULL);
        cr_expect(lml_expr_is_constant(e), "%s", constant[k]);
        lml_expr_free(e);
    }
    lml_expr_free(NULL);
    cr_expect_null(lml_expr_text(NULL));
}

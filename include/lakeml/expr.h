/* SQL expressions over frames, as Spark SQL writes them (`expr("…")`, `df.filter("…")`, a Delta
 * predicate): parsed once, type-checked against the inputs' columns, evaluated a column at a
 * time. Literals (integers, decimals as doubles, 'strings', DATE '…', TIMESTAMP '…', NULL, TRUE,
 * FALSE), column references (`id`, `t.id`, back-quoted `weird name`), + - * / % and unary minus,
 * = <> != < <= > >= <=>, AND / OR / NOT with SQL's three-valued logic, IN (…), BETWEEN, IS [NOT]
 * NULL, [NOT] LIKE, CASE WHEN … THEN … ELSE … END (and CASE x WHEN …), CAST(x AS type), and the
 * functions coalesce, lower, upper, trim, ltrim, rtrim, length, abs, round, floor, ceil, year,
 * month, day (dayofmonth), concat, current_date, current_timestamp. Keywords and function names
 * are case-insensitive; column names resolve case-insensitively, as Spark does. */
#ifndef LAKEML_EXPR_H
#define LAKEML_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include "error.h"
#include "frame.h"
#include "parquet.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lml_expr lml_expr;

/* Parses `text`. A syntax error is LML_EINVAL naming the 1-based character position and what
 * was found there ("… at position 12: expected ')' but found 'AND'"); an unknown function is
 * LML_ENOTFOUND with its position. Free with lml_expr_free. Positions count UTF-8 characters.
 * As Spark's parser does, `a <> b` becomes NOT (a = b), `x BETWEEN a AND b` becomes
 * (x >= a) AND (x <= b), and x NOT IN/LIKE … becomes NOT (x IN/LIKE …). Nesting deeper than 200
 * levels is LML_EINVAL (never a stack overflow). */
LML_API lml_expr *lml_expr_parse(const char *text, lml_error *err);
LML_API void lml_expr_free(lml_expr *e);
/* The text the expression was parsed from. For a conjunct handed out by lml_expr_conjuncts, its
 * own part of that text (both halves of a BETWEEN share the BETWEEN's text). */
LML_API const char *lml_expr_text(const lml_expr *e);
/* The expression printed the way Spark shows a resolved predicate in operationParameters,
 * fully parenthesised, e.g. "((a = 1) AND (b < 2))". malloc'd; NULL only on ENOMEM. */
LML_API char *lml_expr_sql(const lml_expr *e, lml_error *err);

/* One input of an evaluation: a frame and the alias that may qualify its columns (NULL: none).
 * All inputs of one evaluation have the same number of rows; row i of the result is computed
 * from row i of each. An unqualified name must be a column of exactly one input (else
 * LML_EINVAL "ambiguous"); an unknown name is LML_ENOTFOUND naming it and its position. */
typedef struct lml_expr_input {
    const char *alias;
    const lml_frame *frame;
} lml_expr_input;

/* The type the expression yields over these inputs (only their schemas are looked at): checks
 * every name and operand type (LML_ETYPE naming the operator, its position and the types).
 * Implicit casts follow Spark's non-ANSI rules: ints widen int < bigint < double, a string in
 * arithmetic is a double, a string compared with a number/date/timestamp/boolean takes that
 * type, date vs timestamp compares as timestamps, IN/CASE/coalesce use the wider type of all
 * their values (a string with a number makes strings). byte/short columns act as int, float and
 * decimal columns as double. A bare NULL (Spark's NullType) is reported as LML_BOOL. */
LML_API bool lml_expr_result_type(const lml_expr *e, const lml_expr_input *inputs, size_t ninputs, lml_type *out,
                                  lml_error *err);
/* Evaluates the expression over the inputs' rows. Integer overflow wraps as Spark's default
 * (non-ANSI) mode does, division by zero and invalid casts give NULL. With no inputs (a constant
 * expression) the result has one row. current_date()/current_timestamp() are read once per call,
 * so every row sees the same value. The column is new (or a new reference to an input column
 * when the expression is a bare column name); free it with lml_column_free. */
LML_API lml_column *lml_expr_eval(const lml_expr *e, const lml_expr_input *inputs, size_t ninputs, lml_error *err);
/* A boolean predicate evaluated as a row mask: true rows set, false and NULL rows clear (SQL's
 * WHERE). *mask receives lml_bitmap-style bits (bit i of byte i/8), malloc'd, n = rows. A
 * non-boolean expression is LML_ETYPE. */
LML_API bool lml_expr_eval_mask(const lml_expr *e, const lml_expr_input *inputs, size_t ninputs, uint8_t **mask,
                                lml_error *err);

/* ---- for planners (Delta's file skipping, MERGE's join keys) */

/* The top-level AND conjuncts of e (e itself when it is not an AND), borrowed from e, in
 * textual order; returns how many there are (writing at most cap). */
LML_API size_t lml_expr_conjuncts(const lml_expr *e, const lml_expr **out, size_t cap);
/* True when e is `<column> = <column>`: the qualifier (NULL when absent) and name of each side. */
LML_API bool lml_expr_is_column_equality(const lml_expr *e, const char **lalias, const char **lname,
                                         const char **ralias, const char **rname);
/* True when e is `<column> <op> <literal>` (or the literal first, flipped), `<column> IS [NOT]
 * NULL`, or `<column> IN (<literals>)` with one literal: the qualifier (NULL when absent) and a
 * predicate whose value is borrowed from e. op is =, <, <=, > or >= (not <=>, and never a NULL
 * literal); the value has the literal's own type (int, bigint, double, string, boolean, date,
 * timestamp), which may differ from the column's: Spark compares them after the casts described
 * at lml_expr_result_type. */
LML_API bool lml_expr_as_predicate(const lml_expr *e, const char **alias, lml_parquet_predicate *out);
/* Calls fn for every column reference in e (qualifier may be NULL); stops early and returns
 * false when fn does. */
LML_API bool lml_expr_visit_columns(const lml_expr *e, bool (*fn)(const char *alias, const char *name, void *ctx),
                                    void *ctx);
/* True when e mentions no column (a constant expression, e.g. `1 = 1`). */
LML_API bool lml_expr_is_constant(const lml_expr *e);

/* ---- frame operations (pyspark's df.filter("…") and df.withColumn(name, expr("…"))) */

/* The rows of f for which `condition` is true (NULL counts as false). */
LML_API lml_frame *lml_frame_filter_expr(const lml_frame *f, const char *condition, lml_error *err);
/* f with column `name` set to the expression's value (replacing a column of that name, else
 * appended). */
LML_API lml_frame *lml_frame_with_column_expr(const lml_frame *f, const char *name, const char *expression,
                                              lml_error *err);

#ifdef __cplusplus
}
#endif

#endif

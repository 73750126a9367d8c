/* Helpers for the expression tests (tests/unit/test_expr_*.c). */
#ifndef LML_TEST_EXPR_SUPPORT_H
#define LML_TEST_EXPR_SUPPORT_H

#include "lakeml/lakeml.h"

/* The five-row frame most tests use:
 *   i  int     1, 2, NULL, 4, -5
 *   l  bigint  10, NULL, 3000000000, -1, 0
 *   d  double  1.5, NaN, NULL, -0.5, 2.0
 *   s  string  'a', 'abc', NULL, 'x_y', 'Abc'
 *   b  boolean true, false, NULL, true, false
 *   dt date    2024-01-31, 2024-02-29, NULL, 1970-01-01, 1969-12-31
 *   ts timestamp 2024-01-31 10:00:00, NULL, 1970-01-01 00:00:00, 2024-02-29 23:59:59.5, 1969-12-31 23:59:59 */
lml_frame *ex_frame(void);
/* A frame of one column per name/column pair. */
lml_frame *ex_frame_of(size_t n, const char *const *names, lml_column *const *cols);
/* Every row of `expr` over f (no alias), as show() formats it, joined with ','; asserts success.
 * malloc'd. */
char *ex_eval(const lml_frame *f, const char *expr);
/* The same for a constant expression (no inputs: one row). */
char *ex_const(const char *expr);
/* The result type over f; asserts success. */
lml_type ex_type(const lml_frame *f, const char *expr);
/* Parses and evaluates over f, expecting failure: returns the code, message into msg (≥ 512). */
lml_errcode ex_fail(const lml_frame *f, const char *expr, char *msg);
/* Expects expr over f to fail with code and, unless want is NULL, exactly the message want. */
void ex_fails_as(const lml_frame *f, const char *expr, lml_errcode code, const char *want);

/* Asserts that expr over f prints `want`. */
#define EX_EQ(f, expr, want)                                                                   \
    do {                                                                                       \
        char *got_ = ex_eval(f, expr);                                                         \
        cr_expect_str_eq(got_, want, "%s", expr);                                              \
        free(got_);                                                                            \
    } while (0)
#define EX_CONST(expr, want)                                                                   \
    do {                                                                                       \
        char *got_ = ex_const(expr);                                                           \
        cr_expect_str_eq(got_, want, "%s", expr);                                              \
        free(got_);                                                                            \
    } while (0)

#endif

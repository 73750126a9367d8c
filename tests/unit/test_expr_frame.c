/* Expressions on frames: df.filter("…"), df.withColumn(name, expr("…")), the speed of a filter
 * over millions of rows, and `lakeml show --where`. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../cli_support.h"
#include "../expr_support.h"
#include "../support.h"

Test(expr_frame, filter_keeps_rows_where_the_condition_is_true)
{
    lml_frame *f = ex_frame();
    lml_error err = {0};
    lml_frame *g = lml_frame_filter_expr(f, "i > 1", &err);
    cr_assert_not_null(g, "%s", err.message);
    cr_expect_eq(lml_frame_num_rows(g), 2);
    cr_expect_eq(lml_frame_num_cols(g), 7);
    const lml_column *s = lml_frame_column_by_name(g, "s", NULL);
    size_t len;
    cr_expect(memcmp(lml_column_string_at(s, 0, &len), "abc", 3) == 0 && len == 3);
    cr_expect(memcmp(lml_column_string_at(s, 1, &len), "x_y", 3) == 0 && len == 3);
    lml_frame_free(g);

    g = lml_frame_filter_expr(f, "i IS NULL OR s LIKE 'A%'", &err);
    cr_assert_not_null(g, "%s", err.message);
    cr_expect_eq(lml_frame_num_rows(g), 2);
    cr_expect(lml_column_is_null(lml_frame_column(g, 0), 0));
    cr_expect_eq(lml_column_int32s(lml_frame_column(g, 0))[1], -5);
    lml_frame_free(g);

    g = lml_frame_filter_expr(f, "NULL", &err); /* NULL counts as false */
    cr_assert_not_null(g, "%s", err.message);
    cr_expect_eq(lml_frame_num_rows(g), 0);
    cr_expect_eq(lml_frame_num_cols(g), 7);
    lml_frame_free(g);

    g = lml_frame_filter_expr(f, "1 = 1", &err);
    cr_assert_not_null(g, "%s", err.message);
    cr_expect_eq(lml_frame_num_rows(g), 5);
    lml_frame_free(g);

    cr_expect_null(lml_frame_filter_expr(f, "zz > 1", &err));
    cr_expect_eq(err.code, LML_ENOTFOUND);
    cr_expect_null(lml_frame_filter_expr(f, "i + 1", &err));
    cr_expect_eq(err.code, LML_ETYPE);
    cr_expect_null(lml_frame_filter_expr(f, "i >", &err));
    cr_expect_eq(err.code, LML_EINVAL);
    cr_expect_null(lml_frame_filter_expr(NULL, "TRUE", &err));
    cr_expect_eq(err.code, LML_EINVAL);
    lml_frame_free(f);
}

Test(expr_frame, with_column_appends_or_replaces)
{
    lml_frame *f = ex_frame();
    lml_error err = {0};
    lml_frame *g = lml_frame_with_column_expr(f, "j", "i * 2 + l", &err);
    cr_assert_not_null(g, "%s", err.message);
    cr_expect_eq(lml_frame_num_cols(g), 8);
    cr_expect_str_eq(lml_frame_column_name(g, 7), "j");
    const lml_column *j = lml_frame_column(g, 7);
    cr_expect_eq(lml_column_type(j), LML_INT64);
    cr_expect_eq(lml_column_int64s(j)[0], 12);
    cr_expect(lml_column_is_null(j, 1) && lml_column_is_null(j, 2));
    cr_expect_eq(lml_column_int64s(j)[3], 7);
    cr_expect_eq(lml_column_int64s(j)[4], -10);
    lml_frame_free(g);

    g = lml_frame_with_column_expr(f, "I", "upper(s)", &err); /* replaces i in place */
    cr_assert_not_null(g, "%s", err.message);
    cr_expect_eq(lml_frame_num_cols(g), 7);
    cr_expect_eq(lml_column_type(lml_frame_column(g, 0)), LML_STRING);
    size_t len;
    cr_expect(memcmp(lml_column_string_at(lml_frame_column(g, 0), 4, &len), "ABC", 3) == 0);
    lml_frame_free(g);

    g = lml_frame_with_column_expr(f, "k", "'const'", &err); /* a constant fills every row */
    cr_assert_not_null(g, "%s", err.message);
    const lml_column *k = lml_frame_column(g, 7);
    cr_expect_eq(lml_column_length(k), 5);
    cr_expect(memcmp(lml_column_string_at(k, 4, &len), "const", 5) == 0 && len == 5);
    lml_frame_free(g);

    cr_expect_null(lml_frame_with_column_expr(f, "k", "'a' + TRUE", &err));
    cr_expect_eq(err.code, LML_ETYPE);
    lml_frame_free(f);
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* `a > 5 AND b = 'x'` over 3M rows: the mask must be right, and the time is reported (this build
 * may run under sanitizers, so it is not asserted). */
Test(expr_frame, three_million_row_filter, .timeout = 120)
{
    const size_t n = 3000000;
    int32_t *a = malloc(n * sizeof *a);
    const char **b = malloc(n * sizeof *b);
    static const char *const words[] = {"x", "y", "zz"};
    size_t want = 0;
    for (size_t i = 0; i < n; i++) {
        a[i] = (int32_t)(i * 7 % 10);
        b[i] = words[i % 3];
        want += a[i] > 5 && i % 3 == 0;
    }
    lml_column *cols[] = {lml_column_from_int32s(a, NULL, n, NULL), lml_column_from_strings(b, n, NULL)};
    free(a);
    free(b);
    lml_frame *f = ex_frame_of(2, (const char *[]){"a", "b"}, cols);
    lml_error err = {0};
    lml_expr *e = lml_expr_parse("a > 5 AND b = 'x'", &err);
    lml_expr_input in = {NULL, f};
    uint8_t *mask = NULL;
    double t0 = seconds();
    cr_assert(lml_expr_eval_mask(e, &in, 1, &mask, &err), "%s", err.message);
    double t1 = seconds();
    size_t got = 0;
    for (size_t i = 0; i < n; i++)
        got += (mask[i / 8] >> (i % 8)) & 1;
    cr_expect_eq(got, want);
    cr_expect_eq(got, 400000); /* a > 5 for 4 of every 10 rows, b = 'x' for 1 of 3, independent over 30 */
    fprintf(stderr, "expr_frame: a > 5 AND b = 'x' over %zu rows: %.1f ms\n", n, (t1 - t0) * 1e3);
    free(mask);
    lml_expr_free(e);
    lml_frame_free(f);
}

Test(expr_frame, show_where_filters_before_showing)
{
    const char *p = lml_test_write_temp("w.csv", LML_TEST_SMALL_CSV);
    lml_test_expect_ok(lml_test_run("show", "--where", "b > 3 OR c = 'x'", p), "+---+---+---+\n"
                                                                             "|  a|  b|  c|\n"
                                                                             "+---+---+---+\n"
                                                                             "|  1|2.5|  x|\n"
                                                                             "|  3|4.0|  z|\n"
                                                                             "+---+---+---+\n"
                                                                             "\n");
    lml_test_expect_ok(lml_test_run("show", p, "-n", "1", "--where", "b IS NULL OR a >= 2"), "+---+----+---+\n"
                                                                                   "|  a|   b|  c|\n"
                                                                                   "+---+----+---+\n"
                                                                                   "|  2|NULL|  y|\n"
                                                                                   "+---+----+---+\n"
                                                                                   "only showing top 1 row\n"
                                                                                   "\n");
    lml_test_expect_fail(lml_test_run("show", "--where", "zz = 1", p), 1, "column 'zz' at position 1 does not exist");
    lml_test_expect_fail(lml_test_run("show", "--where", "a >", p), 1, "position 4");
}

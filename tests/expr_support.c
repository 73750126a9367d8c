/* Helpers for the expression tests. */
#include "expr_support.h"
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

lml_frame *ex_frame_of(size_t n, const char *const *names, lml_column *const *cols)
{
    lml_error err = {0};
    lml_frame *f = lml_frame_new(n, names, cols, &err);
    cr_assert_not_null(f, "%s", err.message);
    for (size_t k = 0; k < n; k++)
        lml_column_free(cols[k]);
    return f;
}

static lml_column *bools(void)
{
    lml_column_builder *b = lml_column_builder_new(LML_BOOL, 5, NULL);
    const int v[] = {1, 0, -1, 1, 0};
    for (int k = 0; k < 5; k++) {
        if (v[k] < 0)
            lml_column_builder_append_null(b, NULL);
        else
            lml_column_builder_append_bool(b, v[k], NULL);
    }
    return lml_column_builder_finish(b, NULL);
}

lml_frame *ex_frame(void)
{
    const uint8_t no2 = 0x1B /* rows 0, 1, 3, 4 */, no1 = 0x1D /* rows 0, 2, 3, 4 */;
    int32_t i[] = {1, 2, 0, 4, -5};
    int64_t l[] = {10, 0, 3000000000LL, -1, 0};
    double d[] = {1.5, NAN, 0, -0.5, 2.0};
    const char *s[] = {"a", "abc", NULL, "x_y", "Abc"};
    int32_t dt[] = {19753, 19782, 0, 0, -1}; /* 2024-01-31, 2024-02-29, -, 1970-01-01, 1969-12-31 */
    int64_t ts[] = {19753LL * 86400000000LL + 36000000000LL, 0, 0, 19782LL * 86400000000LL + 86399500000LL,
                    -1000000};
    lml_column_builder *db = lml_column_builder_new(LML_DATE, 5, NULL), *tb = lml_column_builder_new(LML_TIMESTAMP, 5, NULL);
    for (int k = 0; k < 5; k++) {
        if (k == 2)
            lml_column_builder_append_null(db, NULL);
        else
            lml_column_builder_append_int32(db, dt[k], NULL);
        if (k == 1)
            lml_column_builder_append_null(tb, NULL);
        else
            lml_column_builder_append_int64(tb, ts[k], NULL);
    }
    lml_column *cols[] = {
        lml_column_from_int32s(i, &no2, 5, NULL), lml_column_from_int64s(l, &no1, 5, NULL),
        lml_column_from_doubles(d, &no2, 5, NULL), lml_column_from_strings(s, 5, NULL),
        bools(), lml_column_builder_finish(db, NULL), lml_column_builder_finish(tb, NULL),
    };
    for (int k = 0; k < 7; k++)
        cr_assert_not_null(cols[k]);
    return ex_frame_of(7, (const char *[]){"i", "l", "d", "s", "b", "dt", "ts"}, cols);
}

static char *render(const lml_column *c)
{
    size_t n = lml_column_length(c), cap = 64 * (n + 1), at = 0;
    char *out = malloc(cap);
    cr_assert_not_null(out);
    out[0] = '\0';
    for (size_t r = 0; r < n; r++) {
        char buf[256];
        lml_format_value(c, r, buf, sizeof buf);
        size_t l = strlen(buf);
        if (at + l + 2 >= cap) {
            cap = 2 * (cap + l);
            out = realloc(out, cap);
            cr_assert_not_null(out);
        }
        if (r)
            out[at++] = ',';
        memcpy(out + at, buf, l + 1);
        at += l;
    }
    return out;
}

char *ex_eval(const lml_frame *f, const char *expr)
{
    lml_error err = {0};
    lml_expr *e = lml_expr_parse(expr, &err);
    cr_assert_not_null(e, "parse %s: %s", expr, err.message);
    lml_expr_input in = {NULL, f};
    lml_column *c = lml_expr_eval(e, &in, f ? 1 : 0, &err);
    cr_assert_not_null(c, "eval %s: %s", expr, err.message);
    cr_assert_eq(lml_column_length(c), f ? lml_frame_num_rows(f) : 1, "%s", expr);
    lml_type t;
    cr_assert(lml_expr_result_type(e, &in, f ? 1 : 0, &t, &err), "%s", err.message);
    cr_assert_eq(lml_column_type(c), t, "%s: column type %d vs result type %d", expr, lml_column_type(c), t);
    char *s = render(c);
    lml_column_free(c);
    lml_expr_free(e);
    return s;
}

char *ex_const(const char *expr) { return ex_eval(NULL, expr); }

lml_type ex_type(const lml_frame *f, const char *expr)
{
    lml_error err = {0};
    lml_expr *e = lml_expr_parse(expr, &err);
    cr_assert_not_null(e, "parse %s: %s", expr, err.message);
    lml_expr_input in = {NULL, f};
    lml_type t = LML_BOOL;
    cr_assert(lml_expr_result_type(e, &in, f ? 1 : 0, &t, &err), "%s: %s", expr, err.message);
    lml_expr_free(e);
    return t;
}

lml_errcode ex_fail(const lml_frame *f, const char *expr, char *msg)
{
    lml_error err = {0};
    lml_expr *e = lml_expr_parse(expr, &err);
    if (e) {
        lml_expr_input in = {NULL, f};
        lml_column *c = lml_expr_eval(e, &in, f ? 1 : 0, &err);
        cr_assert_null(c, "%s should fail", expr);
        lml_expr_free(e);
    }
    cr_assert_neq(err.code, LML_OK, "%s", expr);
    strcpy(msg, err.message);
    return err.code;
}

void ex_fails_as(const lml_frame *f, const char *expr, lml_errcode code, const char *want)
{
    char msg[LML_ERROR_MESSAGE_MAX];
    cr_expect_eq(ex_fail(f, expr, msg), code, "%s: %s", expr, msg);
    if (want) cr_expect_str_eq(msg, want, "%s", expr);
}

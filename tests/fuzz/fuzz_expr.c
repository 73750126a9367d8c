/* libFuzzer target for SQL expressions: the input is the expression text. Whatever parses is
 * printed back as SQL, which must parse again to the same text; then it is bound and evaluated
 * over a small frame of every basic type (with nulls, NaN and extreme values), as a column and as
 * a mask, and through the planner helpers; every conjunct is evaluated on its own too. Any
 * crash, leak or sanitizer report is a bug; so is a result whose type differs from
 * lml_expr_result_type. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/lakeml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lml_frame *frame;

static lml_frame *make_frame(void)
{
    const uint8_t some = 0x2D; /* rows 0, 2, 3, 5 present */
    int32_t i[] = {1, INT32_MIN, 0, INT32_MAX, -5, 7};
    int64_t l[] = {INT64_MIN, 0, 3000000000LL, INT64_MAX, -1, 10};
    double d[] = {1.5, NAN, 0, -0.0, INFINITY, -1e308};
    const char *s[] = {"a", "", NULL, "x_y%\\", "\xc3\xa9t\xc3\xa9", "2024-01-31"};
    lml_column_builder *b = lml_column_builder_new(LML_BOOL, 6, NULL), *dt = lml_column_builder_new(LML_DATE, 6, NULL),
                       *ts = lml_column_builder_new(LML_TIMESTAMP, 6, NULL);
    for (int k = 0; k < 6; k++) {
        if (k == 1) {
            lml_column_builder_append_null(b, NULL);
            lml_column_builder_append_null(dt, NULL);
            lml_column_builder_append_null(ts, NULL);
            continue;
        }
        lml_column_builder_append_bool(b, k % 2, NULL);
        lml_column_builder_append_int32(dt, k == 4 ? INT32_MIN : 19753 * (k - 2), NULL);
        lml_column_builder_append_int64(ts, k == 4 ? INT64_MAX : (int64_t)k * 86400000000LL - 1, NULL);
    }
    lml_column *cols[] = {lml_column_from_int32s(i, &some, 6, NULL), lml_column_from_int64s(l, NULL, 6, NULL),
                          lml_column_from_doubles(d, &some, 6, NULL), lml_column_from_strings(s, 6, NULL),
                          lml_column_builder_finish(b, NULL),        lml_column_builder_finish(dt, NULL),
                          lml_column_builder_finish(ts, NULL)};
    lml_frame *f = lml_frame_new(7, (const char *[]){"i", "l", "d", "s", "b", "dt", "ts"}, cols, NULL);
    for (int k = 0; k < 7; k++)
        lml_column_free(cols[k]);
    if (!f)
        __builtin_trap();
    return f;
}

static bool visit(const char *alias, const char *name, void *ctx)
{
    (void)alias;
    (void)ctx;
    return name != NULL;
}

static void evaluate(const lml_expr *e)
{
    lml_expr_input in = {"t", frame};
    lml_error err = {0};
    lml_type t;
    bool typed = lml_expr_result_type(e, &in, 1, &t, &err);
    lml_column *c = lml_expr_eval(e, &in, 1, &err);
    /* Only a LIKE pattern read from a column can fail once the types are right. */
    if ((!typed && c) || (typed && !c && !(err.code == LML_EINVAL && strstr(err.message, "LIKE"))))
        __builtin_trap();
    if (c && (lml_column_type(c) != t || lml_column_length(c) != 6))
        __builtin_trap();
    char buf[128];
    for (size_t r = 0; c && r < 6; r++)
        lml_format_value(c, r, buf, sizeof buf);
    lml_column_free(c);
    uint8_t *mask = NULL;
    if (lml_expr_eval_mask(e, &in, 1, &mask, &err) && (!typed || t != LML_BOOL))
        __builtin_trap();
    free(mask);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    if (!frame) {
        lml_set_num_threads(1);
        frame = make_frame();
    }
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    lml_error err = {0};
    lml_expr *e = lml_expr_parse(text, &err);
    free(text);
    if (!e)
        return 0;
    char *sql = lml_expr_sql(e, &err);
    if (!sql)
        __builtin_trap();
    lml_expr *again = lml_expr_parse(sql, &err);
    char *sql2 = again ? lml_expr_sql(again, &err) : NULL;
    if (!sql2 || strcmp(sql, sql2) != 0)
        __builtin_trap(); /* the printed form must read back as the same expression */
    free(sql);
    free(sql2);
    lml_expr_free(again);

    evaluate(e);
    const lml_expr *conj[16];
    size_t n = lml_expr_conjuncts(e, conj, 16);
    for (size_t k = 0; k < n && k < 16; k++) {
        if (!lml_expr_text(conj[k]))
            __builtin_trap();
        if (n > 1)
            evaluate(conj[k]);
        const char *alias;
        lml_parquet_predicate p;
        if (lml_expr_as_predicate(conj[k], &alias, &p) && !p.column)
            __builtin_trap();
        lml_expr_is_column_equality(conj[k], NULL, NULL, NULL, NULL);
    }
    lml_expr_visit_columns(e, visit, NULL);
    lml_expr_is_constant(e);
    lml_expr_free(e);
    return 0;
}

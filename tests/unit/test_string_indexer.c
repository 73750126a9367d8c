/* StringIndexer / StringIndexerModel: label orders and tie-breaks, numeric casts, handleInvalid,
 * multi-column, nominal metadata, and the Titanic labels (spec §4). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "lakeml/csv.h"
#include "lakeml/log.h"
#include "lakeml/ml/feature.h"
#include "support.h"

static lml_frame *frame1(const char *name, lml_column *c)
{
    lml_frame *f = lml_frame_new(1, (const char *[]){name}, &c, NULL);
    lml_column_free(c);
    return f;
}

static lml_frame *strings(const char *const *v, size_t n)
{
    return frame1("s", lml_column_from_strings(v, n, NULL));
}

/* Fits with the given order and checks the labels. */
static void expect_labels(const lml_frame *f, const char *order, const char *const *want, size_t nwant)
{
    lml_error err = {0};
    lml_stage *si = lml_string_indexer_new("s", "i");
    if (order)
        cr_assert(lml_set_string(si, "stringOrderType", order, &err), "%s", err.message);
    lml_stage *m = lml_fit(si, f, &err);
    cr_assert_not_null(m, "%s", err.message);
    size_t n;
    const char *const *labels = lml_string_indexer_model_labels(m, 0, &n, &err);
    cr_assert_eq(n, nwant, "order %s: %zu labels", order ? order : "default", n);
    for (size_t i = 0; i < n; i++)
        cr_expect_str_eq(labels[i], want[i], "order %s, label %zu", order ? order : "default", i);
    lml_stage_free(m);
    lml_stage_free(si);
}

Test(string_indexer, frequency_orders_break_ties_by_string_ascending)
{
    /* counts: b 3, a 2, c 2, d 1; a null is never a label */
    const char *v[] = {"b", "c", "a", "b", "d", "c", NULL, "a", "b"};
    lml_frame *f = strings(v, 9);
    expect_labels(f, NULL, (const char *[]){"b", "a", "c", "d"}, 4);
    expect_labels(f, "frequencyAsc", (const char *[]){"d", "a", "c", "b"}, 4);
    expect_labels(f, "alphabetAsc", (const char *[]){"a", "b", "c", "d"}, 4);
    expect_labels(f, "alphabetDesc", (const char *[]){"d", "c", "b", "a"}, 4);
    lml_frame_free(f);
}

Test(string_indexer, ties_follow_java_utf16_order_not_bytes)
{
    /* U+1F600 (a surrogate pair in UTF-16) sorts before U+FF21 in Java, after it in UTF-8 bytes;
     * "B" < "a" (code units), and a prefix sorts first. */
    const char *v[] = {"\xEF\xBC\xA1", "\xF0\x9F\x98\x80", "a", "B", "ab"};
    lml_frame *f = strings(v, 5);
    expect_labels(f, NULL, (const char *[]){"B", "a", "ab", "\xF0\x9F\x98\x80", "\xEF\xBC\xA1"}, 5);
    lml_frame_free(f);
}

Test(string_indexer, numeric_input_is_cast_to_string_like_spark)
{
    lml_error err = {0};
    lml_frame *fi = frame1("s", lml_column_from_int32s((int32_t[]){3, 1, 3, 10}, NULL, 4, NULL));
    expect_labels(fi, "alphabetAsc", (const char *[]){"1", "10", "3"}, 3);
    lml_frame_free(fi);
    /* doubles: Java's Double.toString, and NaN is treated as null */
    lml_frame *fd = frame1("s", lml_column_from_doubles((double[]){3.0, 0.5, NAN, 3.0, 1e7}, NULL, 5, NULL));
    expect_labels(fd, NULL, (const char *[]){"3.0", "0.5", "1.0E7"}, 3);
    /* NaN at transform time is a null: an error by default */
    lml_stage *si = lml_string_indexer_new("s", "i");
    lml_stage *m = lml_fit(si, fd, &err);
    cr_assert_null(lml_transform(m, fd, &err));
    cr_expect(strstr(err.message, "null value in column 's' at row 2") != NULL, "%s", err.message);
    lml_stage_free(m);
    lml_stage_free(si);
    lml_frame_free(fd);
}

static double cell(const lml_frame *f, const char *col, size_t i)
{
    return lml_column_get_double(lml_frame_column_by_name(f, col, NULL), i);
}

Test(string_indexer, handle_invalid_error_skip_keep)
{
    lml_error err = {0};
    lml_frame *train = strings((const char *[]){"x", "y", "x"}, 3);
    lml_frame *test = strings((const char *[]){"y", "z", NULL, "x"}, 4);
    lml_stage *si = lml_string_indexer_new("s", "i");
    lml_stage *m = lml_fit(si, train, &err);
    cr_assert_not_null(m, "%s", err.message);

    cr_assert_null(lml_transform(m, test, &err));
    char want[160];
    snprintf(want, sizeof want, "%s: unseen label 'z' in column 's' at row 1 (handleInvalid=error", lml_stage_uid(m));
    cr_expect(strncmp(err.message, want, strlen(want)) == 0, "%s", err.message);

    cr_assert(lml_set_string(m, "handleInvalid", "skip", &err));
    lml_frame *o = lml_transform(m, test, &err);
    cr_assert_not_null(o, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(o), 2);
    cr_expect_eq(cell(o, "i", 0), 1.0);
    cr_expect_eq(cell(o, "i", 1), 0.0);
    lml_frame_free(o);

    cr_assert(lml_set_string(m, "handleInvalid", "keep", &err));
    o = lml_transform(m, test, &err);
    cr_assert_not_null(o, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(o), 4);
    double want_idx[] = {1, 2, 2, 0};
    for (size_t i = 0; i < 4; i++)
        cr_expect_eq(cell(o, "i", i), want_idx[i], "row %zu", i);
    cr_expect_eq(lml_column_type(lml_frame_column_by_name(o, "i", NULL)), LML_DOUBLE);
    cr_expect_str_eq(lml_frame_column_metadata(o, 1),
                     "{\"ml_attr\":{\"type\":\"nominal\",\"name\":\"i\",\"vals\":[\"x\",\"y\",\"__unknown\"]}}");
    lml_frame_free(o);
    lml_stage_free(m);
    lml_stage_free(si);
    lml_frame_free(train);
    lml_frame_free(test);
}

static int warnings;
static void count_warn(void *user, lml_log_level level, const char *module, const char *msg)
{
    (void)user, (void)module, (void)msg;
    warnings += level == LML_LOG_WARN;
}

Test(string_indexer, multi_column_labels_are_independent_and_missing_inputs_are_skipped)
{
    lml_error err = {0};
    lml_column *cols[2] = {lml_column_from_strings((const char *[]){"a", "b", "b"}, 3, NULL),
                           lml_column_from_int64s((int64_t[]){7, 7, 5}, NULL, 3, NULL)};
    lml_frame *f = lml_frame_new(2, (const char *[]){"p", "q"}, cols, NULL);
    lml_column_free(cols[0]);
    lml_column_free(cols[1]);
    lml_stage *si = lml_string_indexer_new2((const char *[]){"p", "q", NULL}, (const char *[]){"pi", "qi", NULL});
    lml_stage *m = lml_fit(si, f, &err);
    cr_assert_not_null(m, "%s", err.message);
    cr_assert_eq(lml_string_indexer_model_num_columns(m, NULL), 2);
    size_t n;
    const char *const *l1 = lml_string_indexer_model_labels(m, 1, &n, &err);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(l1[0], "7");
    cr_expect_str_eq(l1[1], "5");
    cr_expect_null(lml_string_indexer_model_labels(m, 2, &n, &err));
    cr_expect_eq(err.code, LML_ERANGE);

    lml_frame *only_q = lml_frame_select(f, (const char *[]){"q", NULL}, NULL);
    warnings = 0;
    lml_log_set_callback(count_warn, NULL);
    lml_frame *o = lml_transform(m, only_q, &err);
    lml_log_set_callback(NULL, NULL);
    cr_assert_not_null(o, "%s", err.message);
    cr_expect_eq(warnings, 1);
    cr_expect_eq(lml_frame_num_cols(o), 2);
    cr_expect_eq(lml_frame_column_index(o, "pi"), -1);
    cr_expect_eq(cell(o, "qi", 2), 1.0);
    lml_frame_free(o);
    lml_frame_free(only_q);
    lml_stage_free(m);
    lml_stage_free(si);
    lml_frame_free(f);
}

Test(string_indexer, single_and_multi_column_params_are_exclusive)
{
    lml_error err = {0};
    lml_frame *f = strings((const char *[]){"a"}, 1);
    lml_stage *si = lml_string_indexer_new("s", NULL);
    cr_assert(lml_set_strings(si, "inputCols", (const char *[]){"s", NULL}, &err));
    cr_assert_null(lml_fit(si, f, &err));
    cr_expect(strstr(err.message, "mutually exclusive") != NULL, "%s", err.message);
    cr_expect_not(lml_set_string(si, "stringOrderType", "bogus", &err));
    lml_stage_free(si);
    /* a missing input column at fit is an error naming the stage and the column */
    si = lml_string_indexer_new("nope", NULL);
    cr_assert_null(lml_fit(si, f, &err));
    cr_expect(strncmp(err.message, lml_stage_uid(si), strlen(lml_stage_uid(si))) == 0 &&
                  strstr(err.message, "nope") != NULL,
              "%s", err.message);
    lml_stage_free(si);
    /* default output column is <uid>__output */
    si = lml_string_indexer_new("s", NULL);
    lml_stage *m = lml_fit(si, f, &err);
    lml_frame *o = lml_transform(m, f, &err);
    cr_assert_not_null(o, "%s", err.message);
    char want[128];
    snprintf(want, sizeof want, "%s__output", lml_stage_uid(si));
    cr_expect_str_eq(lml_frame_column_name(o, 1), want);
    lml_frame_free(o);
    lml_stage_free(m);
    lml_stage_free(si);
    lml_frame_free(f);
}

Test(string_indexer, titanic_sex_and_pclass_labels)
{
    LML_REQUIRE_SHARED(path, "datasets/titanic.csv");
    lml_error err = {0};
    lml_frame *df = lml_csv_read(path, &(lml_csv_options){.header = true, .infer_schema = true}, &err);
    cr_assert_not_null(df, "%s", err.message);
    lml_frame *sel = lml_frame_select(df, (const char *[]){"Survived", "Pclass", "Sex", "Age", "Fare", NULL}, &err);
    lml_frame *data = lml_frame_drop_nulls(sel, NULL, &err);
    cr_assert_eq(lml_frame_num_rows(data), 714);
    lml_stage *si = lml_string_indexer_new2((const char *[]){"Sex", "Pclass", NULL},
                                            (const char *[]){"SexIndex", "PclassIndex", NULL});
    lml_stage *m = lml_fit(si, data, &err);
    cr_assert_not_null(m, "%s", err.message);
    size_t n;
    const char *const *sex = lml_string_indexer_model_labels(m, 0, &n, &err);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(sex[0], "male");
    cr_expect_str_eq(sex[1], "female");
    const char *const *pc = lml_string_indexer_model_labels(m, 1, &n, &err);
    cr_assert_eq(n, 3);
    cr_expect_str_eq(pc[0], "3");
    cr_expect_str_eq(pc[1], "1");
    cr_expect_str_eq(pc[2], "2");
    lml_frame *o = lml_transform(m, data, &err);
    cr_assert_not_null(o, "%s", err.message);
    size_t males = 0, third = 0;
    for (size_t i = 0; i < 714; i++) {
        males += cell(o, "SexIndex", i) == 0.0;
        third += cell(o, "PclassIndex", i) == 0.0;
    }
    cr_expect_eq(males, 453);
    cr_expect_eq(third, 355);
    lml_frame_free(o);
    lml_stage_free(m);
    lml_stage_free(si);
    lml_frame_free(data);
    lml_frame_free(sel);
    lml_frame_free(df);
}

Test(index_to_string, maps_indices_back_through_metadata_or_labels)
{
    lml_error err = {0};
    lml_frame *f = strings((const char *[]){"b", "a", "b", "c", "b", "a"}, 6);
    lml_stage *si = lml_string_indexer_new("s", "i");
    lml_stage *m = lml_fit(si, f, &err);
    lml_frame *o = lml_transform(m, f, &err);
    cr_assert_not_null(o, "%s", err.message);
    lml_stage *its = lml_index_to_string_new("i", "back");
    lml_frame *back = lml_transform(its, o, &err);
    cr_assert_not_null(back, "%s", err.message);
    const lml_column *c = lml_frame_column_by_name(back, "back", NULL);
    cr_assert_eq(lml_column_type(c), LML_STRING);
    for (size_t i = 0; i < 6; i++) {
        size_t a, b;
        const char *x = lml_column_string_at(c, i, &a), *y = lml_column_string_at(lml_frame_column(f, 0), i, &b);
        cr_expect(a == b && memcmp(x, y, a) == 0, "row %zu", i);
    }
    lml_frame_free(back);
    /* explicit labels win over metadata; an index past them is an error naming the row */
    cr_assert(lml_set_strings(its, "labels", (const char *[]){"X", "Y", NULL}, &err));
    cr_assert_null(lml_transform(its, o, &err));
    cr_expect(strstr(err.message, "unseen index 2 in column 'i' at row 3") != NULL, "%s", err.message);
    lml_stage_free(its);
    /* a plain double column without metadata has no labels */
    lml_frame *plain = frame1("i", lml_column_from_doubles((double[]){0}, NULL, 1, NULL));
    its = lml_index_to_string_new("i", "back");
    cr_assert_null(lml_transform(its, plain, &err));
    cr_expect(strstr(err.message, "labels") != NULL, "%s", err.message);
    lml_stage_free(its);
    lml_frame_free(plain);
    lml_frame_free(o);
    lml_stage_free(m);
    lml_stage_free(si);
    lml_frame_free(f);
}

Test(string_indexer, skip_drops_rows_invalid_in_any_column_and_copies_share_labels)
{
    lml_error err = {0};
    lml_column *cols[2] = {lml_column_from_strings((const char *[]){"a", "b", "a", NULL}, 4, NULL),
                           lml_column_from_strings((const char *[]){"x", "x", "y", "x"}, 4, NULL)};
    lml_frame *f = lml_frame_new(2, (const char *[]){"p", "q"}, cols, NULL);
    lml_column_free(cols[0]);
    lml_column_free(cols[1]);
    lml_frame *train = lml_frame_head(f, 2, NULL); /* q only sees "x" */
    lml_stage *si = lml_string_indexer_new2((const char *[]){"p", "q", NULL}, (const char *[]){"pi", "qi", NULL});
    cr_assert(lml_set_string(si, "handleInvalid", "skip", &err));
    lml_stage *m = lml_fit(si, train, &err);
    cr_assert_not_null(m, "%s", err.message);
    lml_stage *copy = lml_stage_copy(m, &err);
    lml_stage_free(m);
    cr_assert_not_null(copy, "%s", err.message);
    lml_frame *o = lml_transform(copy, f, &err);
    cr_assert_not_null(o, "%s", err.message);
    /* row 2 has unseen q "y", row 3 a null p: rows 0 and 1 remain */
    cr_assert_eq(lml_frame_num_rows(o), 2);
    cr_expect_eq(cell(o, "pi", 0), 0.0);
    cr_expect_eq(cell(o, "pi", 1), 1.0);
    cr_expect_eq(cell(o, "qi", 1), 0.0);
    lml_frame_free(o);
    lml_stage_free(copy);
    lml_stage_free(si);
    lml_frame_free(train);
    lml_frame_free(f);
}

/* VectorAssembler: concatenation of numeric/bool/vector inputs, the dense-vs-sparse rule,
 * handleInvalid, slot names in the output metadata, and the Titanic feature pipeline (spec §6). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "lakeml/csv.h"
#include "lakeml/ml/feature.h"
#include "lakeml/ml/pipeline.h"
#include "support.h"

static lml_frame *frame(size_t n, const char *const *names, lml_column **cols)
{
    lml_frame *f = lml_frame_new(n, names, cols, NULL);
    for (size_t i = 0; i < n; i++)
        lml_column_free(cols[i]);
    return f;
}

/* Row i of a vector column as dense values. */
static void row(const lml_column *v, size_t i, double *out)
{
    size_t d = lml_column_vector_size(v);
    if (!lml_column_vector_is_sparse(v)) {
        memcpy(out, lml_column_vector_dense(v) + i * d, d * sizeof *out);
        return;
    }
    memset(out, 0, d * sizeof *out);
    const int64_t *p = lml_column_vector_indptr(v);
    for (int64_t k = p[i]; k < p[i + 1]; k++)
        out[lml_column_vector_indices(v)[k]] = lml_column_vector_values(v)[k];
}

Test(vector_assembler, concatenates_numbers_bools_and_vectors_dense_when_no_row_is_sparse)
{
    lml_error err = {0};
    lml_column_builder *b = lml_column_builder_new(LML_BOOL, 2, NULL);
    lml_column_builder_append_bool(b, true, NULL);
    lml_column_builder_append_bool(b, false, NULL);
    lml_column *cols[] = {lml_column_from_int32s((int32_t[]){4, 5}, NULL, 2, NULL), lml_column_builder_finish(b, NULL),
                          lml_column_vector_from_dense((double[]){1, 2, 3, 0}, 2, 2, NULL)};
    lml_frame *f = frame(3, (const char *[]){"i", "b", "v"}, cols);
    lml_stage *va = lml_vector_assembler_new((const char *[]){"v", "i", "b", NULL}, "features");
    lml_frame *o = lml_transform(va, f, &err);
    cr_assert_not_null(o, "%s", err.message);
    const lml_column *v = lml_frame_column_by_name(o, "features", NULL);
    cr_assert_eq(lml_column_vector_size(v), 4);
    /* row nnz 4 and 2: 1.5 * (2 + 1) = 4.5 >= 4, so both dense in Spark */
    cr_expect_not(lml_column_vector_is_sparse(v));
    double r[4];
    row(v, 0, r);
    cr_expect(r[0] == 1 && r[1] == 2 && r[2] == 4 && r[3] == 1);
    row(v, 1, r);
    cr_expect(r[0] == 3 && r[1] == 0 && r[2] == 5 && r[3] == 0);
    cr_expect_str_eq(lml_frame_column_metadata(o, 3),
                     "{\"ml_attr\":{\"attrs\":{\"numeric\":[{\"name\":\"v_0\",\"idx\":0},{\"name\":\"v_1\",\"idx\":1},"
                     "{\"name\":\"i\",\"idx\":2},{\"name\":\"b\",\"idx\":3}]},\"num_attrs\":4}}");
    lml_frame_free(o);
    lml_stage_free(va);
    lml_frame_free(f);
}

Test(vector_assembler, output_is_sparse_when_any_row_would_be_sparse)
{
    lml_error err = {0};
    /* size 5: row 0 has nnz 1, 1.5 * 2 = 3 < 5 → sparse in Spark; nnz 3 would give 6 → dense */
    lml_column *cols[] = {lml_column_vector_from_dense((double[]){1, 0, 0, 0, 2, 3, 4, 0}, 2, 4, NULL),
                          lml_column_from_doubles((double[]){0, 5}, NULL, 2, NULL)};
    lml_frame *f = frame(2, (const char *[]){"v", "x"}, cols);
    lml_stage *va = lml_vector_assembler_new((const char *[]){"v", "x", NULL}, "out");
    lml_frame *o = lml_transform(va, f, &err);
    cr_assert_not_null(o, "%s", err.message);
    const lml_column *v = lml_frame_column_by_name(o, "out", NULL);
    cr_expect(lml_column_vector_is_sparse(v));
    double r[5];
    row(v, 0, r);
    cr_expect(r[0] == 1 && r[1] == 0 && r[2] == 0 && r[3] == 0 && r[4] == 0);
    row(v, 1, r);
    cr_expect(r[0] == 2 && r[1] == 3 && r[2] == 4 && r[3] == 0 && r[4] == 5);
    lml_frame_free(o);
    lml_frame_free(f);
    /* the same sizes with nnz >= 3 in every row stay dense */
    lml_column *c2[] = {lml_column_vector_from_dense((double[]){1, 1, 0, 0, 2, 3, 4, 0}, 2, 4, NULL),
                        lml_column_from_doubles((double[]){1, 5}, NULL, 2, NULL)};
    f = frame(2, (const char *[]){"v", "x"}, c2);
    o = lml_transform(va, f, &err);
    cr_assert_not_null(o, "%s", err.message);
    cr_expect_not(lml_column_vector_is_sparse(lml_frame_column_by_name(o, "out", NULL)));
    lml_frame_free(o);
    lml_frame_free(f);
    lml_stage_free(va);
}

static lml_frame *with_invalid(void)
{
    lml_column_builder *b = lml_column_builder_new(LML_INT32, 3, NULL);
    lml_column_builder_append_int32(b, 1, NULL);
    lml_column_builder_append_int32(b, 2, NULL);
    lml_column_builder_append_null(b, NULL);
    lml_column *cols[] = {lml_column_from_doubles((double[]){0.5, NAN, 1.5}, NULL, 3, NULL),
                          lml_column_builder_finish(b, NULL)};
    return frame(2, (const char *[]){"a", "n"}, cols);
}

Test(vector_assembler, handle_invalid_error_skip_keep)
{
    lml_error err = {0};
    lml_frame *f = with_invalid();
    lml_stage *va = lml_vector_assembler_new((const char *[]){"a", "n", NULL}, "out");
    cr_assert_null(lml_transform(va, f, &err));
    char want[160];
    snprintf(want, sizeof want, "%s: NaN value in column 'a' at row 1", lml_stage_uid(va));
    cr_expect(strncmp(err.message, want, strlen(want)) == 0, "%s", err.message);

    cr_assert(lml_set_string(va, "handleInvalid", "skip", &err));
    lml_frame *o = lml_transform(va, f, &err);
    cr_assert_not_null(o, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(o), 1);
    double r[2];
    row(lml_frame_column_by_name(o, "out", NULL), 0, r);
    cr_expect(r[0] == 0.5 && r[1] == 1);
    lml_frame_free(o);

    cr_assert(lml_set_string(va, "handleInvalid", "keep", &err));
    o = lml_transform(va, f, &err);
    cr_assert_not_null(o, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(o), 3);
    const lml_column *v = lml_frame_column_by_name(o, "out", NULL);
    row(v, 1, r);
    cr_expect(isnan(r[0]) && r[1] == 2);
    row(v, 2, r);
    cr_expect(r[0] == 1.5 && isnan(r[1]));
    lml_frame_free(o);
    lml_stage_free(va);
    lml_frame_free(f);
}

Test(vector_assembler, rejects_strings_and_missing_columns)
{
    lml_error err = {0};
    lml_column *cols[] = {lml_column_from_strings((const char *[]){"x"}, 1, NULL)};
    lml_frame *f = frame(1, (const char *[]){"s"}, cols);
    lml_stage *va = lml_vector_assembler_new((const char *[]){"s", NULL}, "out");
    cr_assert_null(lml_transform(va, f, &err));
    cr_expect(strstr(err.message, "'s' must be numeric, boolean or vector, got string") != NULL, "%s", err.message);
    cr_expect_eq(err.code, LML_ETYPE);
    lml_stage_free(va);
    va = lml_vector_assembler_new((const char *[]){"nope", NULL}, "out");
    cr_assert_null(lml_transform(va, f, &err));
    cr_expect(strstr(err.message, "nope") != NULL, "%s", err.message);
    lml_stage_free(va);
    lml_frame_free(f);
}

Test(vector_assembler, titanic_pipeline_slots_and_encoder_sizes)
{
    LML_REQUIRE_SHARED(path, "datasets/titanic.csv");
    lml_error err = {0};
    lml_frame *df = lml_csv_read(path, &(lml_csv_options){.header = true, .infer_schema = true}, &err);
    cr_assert_not_null(df, "%s", err.message);
    lml_frame *sel = lml_frame_select(df, (const char *[]){"Survived", "Pclass", "Sex", "Age", "Fare", NULL}, &err);
    lml_frame *data = lml_frame_drop_nulls(sel, NULL, &err);
    cr_assert_eq(lml_frame_num_rows(data), 714);
    lml_stage *stages[] = {
        lml_string_indexer_new("Sex", "SexIndex"), lml_string_indexer_new("Pclass", "PclassIndex"),
        lml_one_hot_encoder_new2((const char *[]){"SexIndex", "PclassIndex", NULL},
                                 (const char *[]){"SexVec", "PclassVec", NULL}),
        lml_vector_assembler_new((const char *[]){"PclassVec", "SexVec", "Age", "Fare", NULL}, "features"), NULL};
    lml_stage *pipe = lml_pipeline_new(stages, &err);
    cr_assert_not_null(pipe, "%s", err.message);
    lml_stage *prep = lml_fit(pipe, data, &err);
    cr_assert_not_null(prep, "%s", err.message);
    size_t n;
    const int64_t *sizes = lml_one_hot_encoder_model_category_sizes(lml_pipeline_stage(prep, 2), &n, &err);
    cr_assert_not_null(sizes, "%s", err.message);
    cr_assert_eq(n, 2);
    cr_expect_eq(sizes[0], 2); /* Sex: 2 categories → SexVec size 1 */
    cr_expect_eq(sizes[1], 3); /* Pclass: 3 categories → PclassVec size 2 */
    lml_frame *o = lml_transform(prep, data, &err);
    cr_assert_not_null(o, "%s", err.message);
    cr_expect_eq(lml_column_vector_size(lml_frame_column_by_name(o, "SexVec", NULL)), 1);
    cr_expect_eq(lml_column_vector_size(lml_frame_column_by_name(o, "PclassVec", NULL)), 2);
    long fi = lml_frame_column_index(o, "features");
    cr_assert_geq(fi, 0);
    cr_expect_eq(lml_column_vector_size(lml_frame_column(o, (size_t)fi)), 5);
    cr_expect_str_eq(lml_frame_column_metadata(o, (size_t)fi),
                     "{\"ml_attr\":{\"attrs\":{\"numeric\":[{\"name\":\"Age\",\"idx\":3},{\"name\":\"Fare\",\"idx\":4}],"
                     "\"binary\":[{\"name\":\"PclassVec_3\",\"idx\":0},{\"name\":\"PclassVec_1\",\"idx\":1},"
                     "{\"name\":\"SexVec_male\",\"idx\":2}]},\"num_attrs\":5}}");
    /* first row of titanic.csv after na.drop: 3rd class male, 22, 7.25 → [1, 0, 1, 22, 7.25] */
    double r[5];
    row(lml_frame_column(o, (size_t)fi), 0, r);
    cr_expect(r[0] == 1 && r[1] == 0 && r[2] == 1 && r[3] == 22 && r[4] == 7.25, "[%g %g %g %g %g]", r[0], r[1],
              r[2], r[3], r[4]);
    lml_frame_free(o);
    lml_stage_free(prep);
    lml_stage_free(pipe);
    lml_frame_free(data);
    lml_frame_free(sel);
    lml_frame_free(df);
}

Test(vector_assembler, boundary_row_stays_dense_and_nominal_inputs_keep_their_values)
{
    lml_error err = {0};
    /* size 3, nnz 1: 1.5 * 2 = 3 is not < 3, so dense */
    lml_column *cols[] = {lml_column_from_doubles((double[]){1, 0}, NULL, 2, NULL),
                          lml_column_from_doubles((double[]){0, 2}, NULL, 2, NULL),
                          lml_column_from_doubles((double[]){0, 3}, NULL, 2, NULL)};
    lml_frame *raw = frame(3, (const char *[]){"a", "b", "c"}, cols);
    lml_frame *f = lml_frame_with_metadata(raw, "a", "{\"ml_attr\":{\"type\":\"nominal\",\"name\":\"old\",\"vals\":[\"u\",\"v\"]}}",
                                           &err);
    cr_assert_not_null(f, "%s", err.message);
    lml_stage *va = lml_vector_assembler_new((const char *[]){"a", "b", "c", NULL}, "out");
    lml_frame *o = lml_transform(va, f, &err);
    cr_assert_not_null(o, "%s", err.message);
    cr_expect_not(lml_column_vector_is_sparse(lml_frame_column_by_name(o, "out", NULL)));
    cr_expect_str_eq(lml_frame_column_metadata(o, 3),
                     "{\"ml_attr\":{\"attrs\":{\"numeric\":[{\"name\":\"b\",\"idx\":1},{\"name\":\"c\",\"idx\":2}],"
                     "\"nominal\":[{\"name\":\"a\",\"idx\":0,\"vals\":[\"u\",\"v\"]}]},\"num_attrs\":3}}");
    lml_frame_free(o);
    lml_stage_free(va);
    lml_frame_free(f);
    lml_frame_free(raw);
}

Test(vector_assembler, null_vector_rows_follow_handle_invalid)
{
    lml_error err = {0};
    /* a one-hot column with a null row (OneHotEncoder writes null for null input) */
    lml_column_builder *b = lml_column_builder_new(LML_DOUBLE, 3, NULL);
    lml_column_builder_append_double(b, 0, NULL);
    lml_column_builder_append_null(b, NULL);
    lml_column_builder_append_double(b, 1, NULL);
    lml_column *cols[] = {lml_column_builder_finish(b, NULL)};
    lml_frame *f = frame(1, (const char *[]){"k"}, cols);
    lml_stage *e = lml_one_hot_encoder_new("k", "kv");
    cr_assert(lml_set_bool(e, "dropLast", false, &err));
    lml_stage *m = lml_fit(e, f, &err);
    cr_assert_not_null(m, "%s", err.message);
    lml_frame *enc = lml_transform(m, f, &err);
    cr_assert_not_null(enc, "%s", err.message);
    cr_expect(lml_column_is_null(lml_frame_column_by_name(enc, "kv", NULL), 1));
    lml_stage *va = lml_vector_assembler_new((const char *[]){"kv", NULL}, "out");
    cr_assert_null(lml_transform(va, enc, &err));
    cr_expect(strstr(err.message, "null value in column 'kv' at row 1") != NULL, "%s", err.message);
    cr_assert(lml_set_string(va, "handleInvalid", "keep", &err));
    lml_frame *o = lml_transform(va, enc, &err);
    cr_assert_not_null(o, "%s", err.message);
    double r[2];
    row(lml_frame_column_by_name(o, "out", NULL), 1, r);
    cr_expect(isnan(r[0]) && isnan(r[1]));
    row(lml_frame_column_by_name(o, "out", NULL), 2, r);
    cr_expect(r[0] == 0 && r[1] == 1, "[%g %g]", r[0], r[1]);
    lml_frame_free(o);
    cr_assert(lml_set_string(va, "handleInvalid", "skip", &err));
    o = lml_transform(va, enc, &err);
    cr_assert_not_null(o, "%s", err.message);
    cr_expect_eq(lml_frame_num_rows(o), 2);
    lml_frame_free(o);
    lml_stage_free(va);
    lml_frame_free(enc);
    lml_stage_free(m);
    lml_stage_free(e);
    lml_frame_free(f);
}

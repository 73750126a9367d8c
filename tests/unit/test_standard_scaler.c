/* StandardScaler: sample std, std 0 → 0, withMean/withStd, dense and sparse input (spec §12). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "lakeml/ml/feature.h"

static lml_frame *frame_v(lml_column *c)
{
    lml_frame *f = lml_frame_new(1, (const char *[]){"v"}, &c, NULL);
    lml_column_free(c);
    return f;
}

/* rows (1, 5, 0), (2, 5, 0), (4, 5, 3): mean (7/3, 5, 1); sample std (sqrt(7/3), 0, sqrt(3)) */
static const double X[] = {1, 5, 0, 2, 5, 0, 4, 5, 3};

Test(standard_scaler, learns_mean_and_sample_std)
{
    lml_error err = {0};
    lml_frame *f = frame_v(lml_column_vector_from_dense(X, 3, 3, NULL));
    lml_stage *s = lml_standard_scaler_new("v", "z");
    lml_stage *m = lml_fit(s, f, &err);
    cr_assert_not_null(m, "%s", err.message);
    size_t n;
    const double *mean = lml_standard_scaler_model_mean(m, &n, &err), *sd = lml_standard_scaler_model_std(m, &n, &err);
    cr_assert_eq(n, 3);
    cr_expect_float_eq(mean[0], 7.0 / 3, 1e-15);
    cr_expect_float_eq(mean[1], 5.0, 1e-15);
    cr_expect_float_eq(mean[2], 1.0, 1e-15);
    cr_expect_float_eq(sd[0], sqrt(7.0 / 3), 1e-14);
    cr_expect_eq(sd[1], 0.0);
    cr_expect_float_eq(sd[2], sqrt(3.0), 1e-14);

    /* default withMean=false, withStd=true; the constant feature scales to 0 */
    lml_frame *o = lml_transform(m, f, &err);
    cr_assert_not_null(o, "%s", err.message);
    const double *z = lml_column_vector_dense(lml_frame_column_by_name(o, "z", NULL));
    cr_assert_not_null(z);
    cr_expect_float_eq(z[6], 4 / sqrt(7.0 / 3), 1e-14);
    cr_expect_eq(z[7], 0.0);
    cr_expect_float_eq(z[8], 3 / sqrt(3.0), 1e-14);
    cr_expect_str_eq(lml_frame_column_metadata(o, 1), "{\"ml_attr\":{\"num_attrs\":3}}");
    lml_frame_free(o);

    cr_assert(lml_set_bool(m, "withMean", true, &err));
    cr_assert(lml_set_bool(m, "withStd", false, &err));
    o = lml_transform(m, f, &err);
    cr_assert_not_null(o, "%s", err.message);
    z = lml_column_vector_dense(lml_frame_column_by_name(o, "z", NULL));
    cr_expect_float_eq(z[0], 1 - 7.0 / 3, 1e-15);
    cr_expect_eq(z[4], 0.0);
    cr_expect_float_eq(z[8], 2.0, 1e-15);
    lml_frame_free(o);
    lml_stage_free(m);
    lml_stage_free(s);
    lml_frame_free(f);
}

Test(standard_scaler, sparse_input_gives_the_same_statistics_and_stays_sparse)
{
    lml_error err = {0};
    /* the same matrix as X in CSR */
    int64_t indptr[] = {0, 2, 4, 7};
    int32_t idx[] = {0, 1, 0, 1, 0, 1, 2};
    double val[] = {1, 5, 2, 5, 4, 5, 3};
    lml_frame *f = frame_v(lml_column_vector_from_csr(indptr, idx, val, 3, 3, NULL));
    lml_stage *s = lml_standard_scaler_new("v", "z");
    lml_stage *m = lml_fit(s, f, &err);
    cr_assert_not_null(m, "%s", err.message);
    size_t n;
    const double *sd = lml_standard_scaler_model_std(m, &n, &err);
    cr_expect_float_eq(sd[0], sqrt(7.0 / 3), 1e-14);
    cr_expect_float_eq(sd[2], sqrt(3.0), 1e-14);
    lml_frame *o = lml_transform(m, f, &err);
    cr_assert_not_null(o, "%s", err.message);
    const lml_column *z = lml_frame_column_by_name(o, "z", NULL);
    cr_assert(lml_column_vector_is_sparse(z));
    cr_expect_float_eq(lml_column_vector_values(z)[6], 3 / sqrt(3.0), 1e-14);
    lml_frame_free(o);
    lml_stage_free(m);
    lml_stage_free(s);
    lml_frame_free(f);
}

Test(standard_scaler, rejects_non_vectors_and_empty_frames)
{
    lml_error err = {0};
    lml_frame *f = frame_v(lml_column_from_doubles((double[]){1, 2}, NULL, 2, NULL));
    lml_stage *s = lml_standard_scaler_new("v", "z");
    cr_assert_null(lml_fit(s, f, &err));
    cr_expect(strstr(err.message, "'v' must be a vector column, got double") != NULL, "%s", err.message);
    lml_frame_free(f);
    f = frame_v(lml_column_vector_from_dense(X, 0, 3, NULL));
    cr_assert_null(lml_fit(s, f, &err));
    cr_expect(strstr(err.message, "empty") != NULL, "%s", err.message);
    lml_frame_free(f);
    lml_stage_free(s);
}

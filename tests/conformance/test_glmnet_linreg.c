/* LinearRegression on California housing against R glmnet / lm reference coefficients
 * (../shared/reference/housing_linreg_glmnet.json, see its README): solver auto and normal must
 * match `spark_expected` (population-std variant), solver l-bfgs the std_sample variant. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "lakeml/csv.h"
#include "lakeml/ml/regression.h"
#include "../support.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)len + 1);
    cr_assert(fread(s, 1, (size_t)len, f) == (size_t)len);
    s[len] = 0;
    fclose(f);
    return s;
}

/* housing.csv, null total_bedrooms dropped, the JSON's features assembled as a dense vector
 * column "features" next to the label. */
static lml_frame *housing_frame(const cJSON *ref, const char *csv_path)
{
    lml_error err = {0};
    lml_csv_options o = {.header = true, .infer_schema = true};
    lml_frame *raw = lml_csv_read(csv_path, &o, &err);
    cr_assert(raw, "%s", err.message);
    const char *subset[] = {"total_bedrooms", NULL};
    lml_na_drop_options na = {.how = "any", .thresh = -1, .subset = subset};
    lml_frame *df = lml_frame_drop_nulls(raw, &na, &err);
    cr_assert(df, "%s", err.message);
    lml_frame_free(raw);
    size_t n = lml_frame_num_rows(df);
    cr_assert_eq(n, 20433, "rows after dropping null total_bedrooms: %zu", n);
    const cJSON *feats = cJSON_GetObjectItem(ref, "features");
    size_t d = (size_t)cJSON_GetArraySize(feats);
    double *X = malloc(n * d * sizeof(double));
    for (size_t j = 0; j < d; j++) {
        const lml_column *c = lml_frame_column_by_name(df, cJSON_GetArrayItem(feats, (int)j)->valuestring, &err);
        cr_assert(c, "%s", err.message);
        for (size_t i = 0; i < n; i++)
            X[i * d + j] = lml_column_get_double(c, i);
    }
    lml_column *fc = lml_column_vector_from_dense(X, n, d, &err);
    free(X);
    cr_assert(fc, "%s", err.message);
    lml_frame *out = lml_frame_with_column(df, "features", fc, &err);
    cr_assert(out, "%s", err.message);
    lml_column_free(fc);
    lml_frame_free(df);
    return out;
}

static void check_solution(const lml_stage *model, const cJSON *sol, double tol, const char *what)
{
    lml_error err = {0};
    size_t d;
    const double *coef = lml_linear_regression_coefficients(model, &d, &err);
    cr_assert(coef, "%s", err.message);
    const cJSON *rc = cJSON_GetObjectItem(sol, "coefficients");
    cr_assert_eq(d, (size_t)cJSON_GetArraySize(rc));
    double ri = cJSON_GetObjectItem(sol, "intercept")->valuedouble;
    double b = lml_linear_regression_intercept(model, &err);
    cr_expect(fabs(b - ri) <= tol * fmax(1.0, fabs(ri)), "%s: intercept %.12g, reference %.12g", what, b, ri);
    for (size_t j = 0; j < d; j++) {
        double r = cJSON_GetArrayItem(rc, (int)j)->valuedouble;
        cr_expect(fabs(coef[j] - r) <= tol * fmax(1.0, fabs(r)), "%s: coefficient %zu = %.12g, reference %.12g",
                  what, j, coef[j], r);
        if (r == 0.0)
            cr_expect(coef[j] == 0.0, "%s: coefficient %zu must be exactly 0 under L1, got %g", what, j, coef[j]);
    }
}

static lml_stage *fit_case(const lml_frame *df, const char *label, const cJSON *c, const char *solver)
{
    lml_error err = {0};
    lml_stage *lr = lml_linear_regression_new();
    cr_assert(lml_set_string(lr, "labelCol", label, &err), "%s", err.message);
    cr_assert(lml_set_string(lr, "solver", solver, &err), "%s", err.message);
    cr_assert(lml_set_double(lr, "regParam", cJSON_GetObjectItem(c, "regParam")->valuedouble, &err));
    cr_assert(lml_set_double(lr, "elasticNetParam", cJSON_GetObjectItem(c, "elasticNetParam")->valuedouble, &err));
    cr_assert(lml_set_int(lr, "maxIter", 1000, &err));
    cr_assert(lml_set_double(lr, "tol", 1e-12, &err));
    lml_stage *m = lml_fit(lr, df, &err);
    cr_assert(m, "solver %s: %s", solver, err.message);
    lml_stage_free(lr);
    return m;
}

Test(glmnet_linreg, housing_coefficients_match_glmnet_for_every_solver)
{
    /* lml_test_shared_path returns a static buffer: read the JSON before asking for the CSV. */
    LML_REQUIRE_SHARED(ref_path, "reference/housing_linreg_glmnet.json");
    char *text = slurp(ref_path);
    LML_REQUIRE_SHARED(csv_path, "datasets/housing.csv");
    cJSON *ref = cJSON_Parse(text);
    free(text);
    cr_assert(ref);
    lml_frame *df = housing_frame(ref, csv_path);
    const char *label = cJSON_GetObjectItem(ref, "label")->valuestring;
    double tol = cJSON_GetObjectItem(cJSON_GetObjectItem(ref, "tolerance"), "value")->valuedouble;
    cr_assert_eq(tol, 1e-4);
    const cJSON *cases = cJSON_GetObjectItem(ref, "cases");
    int checked = 0;
    for (int ci = 0; ci < cJSON_GetArraySize(cases); ci++) {
        const cJSON *c = cJSON_GetArrayItem(cases, ci);
        const cJSON *expected = cJSON_GetObjectItem(c, "spark_expected");
        cr_assert_str_eq(cJSON_GetObjectItem(expected, "variant")->valuestring, "std_population");
        char what[128];
        const char *solvers[] = {"auto", "normal"};
        for (int s = 0; s < 2; s++) {
            lml_stage *m = fit_case(df, label, c, solvers[s]);
            snprintf(what, sizeof what, "case %d (regParam %g, elasticNet %g) solver %s", ci,
                     cJSON_GetObjectItem(c, "regParam")->valuedouble,
                     cJSON_GetObjectItem(c, "elasticNetParam")->valuedouble, solvers[s]);
            check_solution(m, expected, tol, what);
            lml_stage_free(m);
            checked++;
        }
        const cJSON *sample = cJSON_GetObjectItem(cJSON_GetObjectItem(c, "solutions"), "std_sample");
        if (sample) {
            lml_stage *m = fit_case(df, label, c, "l-bfgs");
            snprintf(what, sizeof what, "case %d solver l-bfgs (std_sample)", ci);
            check_solution(m, sample, tol, what);
            lml_stage_free(m);
            checked++;
        }
    }
    cr_assert_eq(checked, 15, "expected 5 cases × 3 solvers, checked %d", checked);
    cJSON_Delete(ref);
    lml_frame_free(df);
}

/* OLS summary against values computed independently (Python, math.fsum normal equations and a
 * Gauss-Jordan inverse of [X, 1]'[X, 1]; its coefficients agree with lm's to 1e-12):
 * se_j = sqrt(SSE/(n − 9) · [(X'X)⁻¹]_jj), r2, mae, rmse. */
Test(glmnet_linreg, housing_ols_summary_is_consistent)
{
    LML_REQUIRE_SHARED(ref_path, "reference/housing_linreg_glmnet.json");
    char *text = slurp(ref_path);
    cJSON *ref = cJSON_Parse(text);
    free(text);
    const char *csv_path = lml_test_shared_path("datasets/housing.csv");
    cr_assert(csv_path);
    lml_frame *df = housing_frame(ref, csv_path);
    const cJSON *ols_case = cJSON_GetArrayItem(cJSON_GetObjectItem(ref, "cases"), 0);
    cr_assert_eq(cJSON_GetObjectItem(ols_case, "regParam")->valuedouble, 0.0);
    lml_stage *m = fit_case(df, "median_house_value", ols_case, "normal");
    lml_error err = {0};
    const lml_linear_regression_summary *s = lml_linear_regression_summary_of(m, &err);
    cr_assert(s, "%s", err.message);
    cr_assert_eq(s->num_instances, 20433);
    cr_assert_eq(s->degrees_of_freedom, 20433 - 8 - 1);
    cr_assert_eq(s->num_stats, 9);
    static const double se_ref[9] = {717.08696549095, 676.9515567289275, 43.38859705759737, 0.7942606855615185,
                                     6.930591977502182, 1.0841212348987288, 7.546555487167312, 337.207171752613,
                                     62900.542832827654};
    size_t d;
    const double *coef = lml_linear_regression_coefficients(m, &d, &err);
    for (size_t j = 0; j < 9; j++) {
        double est = j < 8 ? coef[j] : lml_linear_regression_intercept(m, &err);
        cr_expect(fabs(s->coefficient_standard_errors[j] - se_ref[j]) < 1e-6 * se_ref[j], "se %zu: %.12g vs %.12g", j,
                  s->coefficient_standard_errors[j], se_ref[j]);
        cr_expect(fabs(s->t_values[j] - est / se_ref[j]) < 1e-6 * fabs(s->t_values[j]));
    }
    cr_expect(fabs(s->r2 - 0.6369116857335634) < 1e-9, "r2 %.12g", s->r2);
    cr_expect(fabs(s->mean_absolute_error - 50799.630729003155) < 1e-6, "mae %.12g", s->mean_absolute_error);
    cr_expect(fabs(s->root_mean_squared_error - 69556.14839566677) < 1e-6, "rmse %.12g", s->root_mean_squared_error);
    /* |t| of median_income is ~120 at 20424 degrees of freedom: p underflows towards 0. */
    cr_expect(s->p_values[7] < 1e-300, "median_income p-value %g", s->p_values[7]);
    cr_expect(s->p_values[3] > 1e-30 && s->p_values[3] < 1e-20, "total_rooms p-value %g (t = %g)", s->p_values[3],
              s->t_values[3]);
    lml_stage_free(m);
    cJSON_Delete(ref);
    lml_frame_free(df);
}

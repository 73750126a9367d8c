/* LinearRegression (spec §8) on small cases worked out by hand. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/ml/regression.h"
#include "lakeml/threads.h"

/* A frame with "features" (dense, n × d), "label" and, when w != NULL, "weight". */
static lml_frame *make_frame(const double *X, size_t n, size_t d, const double *y, const double *w)
{
    lml_error err = {0};
    lml_column *cols[3];
    const char *names[] = {"features", "label", "weight"};
    cols[0] = lml_column_vector_from_dense(X, n, d, &err);
    cols[1] = lml_column_from_doubles(y, NULL, n, &err);
    cols[2] = w ? lml_column_from_doubles(w, NULL, n, &err) : NULL;
    cr_assert(cols[0] && cols[1], "%s", err.message);
    lml_frame *f = lml_frame_new(w ? 3 : 2, names, cols, &err);
    cr_assert(f, "%s", err.message);
    for (int i = 0; i < (w ? 3 : 2); i++)
        lml_column_free(cols[i]);
    return f;
}

static lml_stage *fit_full(const lml_frame *df, const char *solver, double reg, double alpha, bool intercept,
                           const char *weight_col, bool standardization)
{
    lml_error err = {0};
    lml_stage *lr = lml_linear_regression_new();
    cr_assert(lml_set_bool(lr, "standardization", standardization, &err), "%s", err.message);
    cr_assert(lml_set_string(lr, "solver", solver, &err), "%s", err.message);
    cr_assert(lml_set_double(lr, "regParam", reg, &err), "%s", err.message);
    cr_assert(lml_set_double(lr, "elasticNetParam", alpha, &err), "%s", err.message);
    cr_assert(lml_set_bool(lr, "fitIntercept", intercept, &err), "%s", err.message);
    cr_assert(lml_set_double(lr, "tol", 1e-12, &err));
    cr_assert(lml_set_int(lr, "maxIter", 1000, &err));
    if (weight_col)
        cr_assert(lml_set_string(lr, "weightCol", weight_col, &err));
    lml_stage *m = lml_fit(lr, df, &err);
    cr_assert(m, "solver %s: %s", solver, err.message);
    lml_stage_free(lr);
    return m;
}

static lml_stage *fit_with(const lml_frame *df, const char *solver, double reg, double alpha, bool intercept,
                           const char *weight_col)
{
    return fit_full(df, solver, reg, alpha, intercept, weight_col, true);
}

/* x = 1..4, y = (3, 5, 7, 10): x̄ = 2.5, ȳ = 6.25, Sxx = 5, Sxy = 11.5 → β = 2.3, b = 0.5;
 * fitted 2.8, 5.1, 7.4, 9.7; residuals 0.2, −0.1, −0.4, 0.3; SSE = 0.3; SStot = 26.75. */
static const double X1[] = {1, 2, 3, 4}, Y1[] = {3, 5, 7, 10};

Test(linear_regression, ols_by_every_solver_matches_hand_computed_fit)
{
    lml_frame *df = make_frame(X1, 4, 1, Y1, NULL);
    const char *solvers[] = {"auto", "normal", "l-bfgs"};
    for (int s = 0; s < 3; s++) {
        lml_stage *m = fit_with(df, solvers[s], 0, 0, true, NULL);
        lml_error err = {0};
        size_t d;
        const double *c = lml_linear_regression_coefficients(m, &d, &err);
        cr_assert_eq(d, 1);
        cr_expect(fabs(c[0] - 2.3) < 1e-9, "%s: beta %.15g", solvers[s], c[0]);
        cr_expect(fabs(lml_linear_regression_intercept(m, &err) - 0.5) < 1e-9, "%s", solvers[s]);
        cr_expect_eq(lml_linear_regression_scale(m, &err), 1.0);
        cr_expect_eq(lml_linear_regression_num_features(m, &err), 1);
        lml_frame *p = lml_transform(m, df, &err);
        cr_assert(p, "%s", err.message);
        const lml_column *pc = lml_frame_column_by_name(p, "prediction", &err);
        cr_assert(pc, "%s", err.message);
        cr_expect(fabs(lml_column_get_double(pc, 3) - 9.7) < 1e-9);
        cr_expect(fabs(lml_linear_regression_predict(m, (const double[]){10}, &err) - 23.5) < 1e-9);
        lml_frame_free(p);
        lml_stage_free(m);
    }
    lml_frame_free(df);
}

Test(linear_regression, summary_metrics_and_standard_errors_match_hand_values)
{
    lml_frame *df = make_frame(X1, 4, 1, Y1, NULL);
    lml_stage *m = fit_with(df, "normal", 0, 0, true, NULL);
    lml_error err = {0};
    const lml_linear_regression_summary *s = lml_linear_regression_summary_of(m, &err);
    cr_assert(s, "%s", err.message);
    cr_expect(fabs(s->mean_squared_error - 0.075) < 1e-12);
    cr_expect(fabs(s->root_mean_squared_error - sqrt(0.075)) < 1e-12);
    cr_expect(fabs(s->mean_absolute_error - 0.25) < 1e-12);
    cr_expect(fabs(s->r2 - (1 - 0.3 / 26.75)) < 1e-12, "r2 %.15g", s->r2);
    cr_expect(fabs(s->r2adj - (1 - 0.3 / 26.75 * 3.0 / 2.0)) < 1e-12);
    cr_expect(fabs(s->explained_variance - 2.3 * 2.3 * 5 / 4) < 1e-9); /* β²Sxx/n = 6.6125 */
    cr_expect_eq(s->num_instances, 4);
    cr_expect_eq(s->degrees_of_freedom, 2);
    cr_expect(fabs(s->deviance_residuals[0] + 0.4) < 1e-9 && fabs(s->deviance_residuals[1] - 0.3) < 1e-9);
    cr_expect(fabs(s->residual_min + 0.4) < 1e-9 && fabs(s->residual_max - 0.3) < 1e-9);
    cr_expect(fabs(s->residual_mean) < 1e-12);
    cr_expect_eq(s->objective_history_len, 1);
    cr_expect_eq(s->objective_history[0], 0.0);
    cr_expect_eq(s->total_iterations, 0);
    /* σ² = 0.3/2 = 0.15; se(β) = √(σ²/Sxx) = √0.03; se(b) = √(σ²(1/n + x̄²/Sxx)) = √0.225. */
    cr_assert_eq(s->num_stats, 2);
    cr_expect(fabs(s->coefficient_standard_errors[0] - sqrt(0.03)) < 1e-12);
    cr_expect(fabs(s->coefficient_standard_errors[1] - sqrt(0.225)) < 1e-12);
    double t0 = 2.3 / sqrt(0.03), t1 = 0.5 / sqrt(0.225);
    cr_expect(fabs(s->t_values[0] - t0) < 1e-9);
    cr_expect(fabs(s->t_values[1] - t1) < 1e-9);
    /* Student t with 2 degrees of freedom: P(|T| > t) = 1 − t/√(t² + 2). */
    cr_expect(fabs(s->p_values[0] - (1 - t0 / sqrt(t0 * t0 + 2))) < 1e-12, "p %.15g", s->p_values[0]);
    cr_expect(fabs(s->p_values[1] - (1 - t1 / sqrt(t1 * t1 + 2))) < 1e-12, "p %.15g", s->p_values[1]);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(linear_regression, lbfgs_summary_has_history_and_no_standard_errors)
{
    lml_frame *df = make_frame(X1, 4, 1, Y1, NULL);
    lml_stage *m = fit_with(df, "l-bfgs", 0, 0, true, NULL);
    lml_error err = {0};
    const lml_linear_regression_summary *s = lml_linear_regression_summary_of(m, &err);
    cr_assert(s);
    cr_expect(s->coefficient_standard_errors == NULL && s->num_stats == 0);
    cr_expect_geq(s->total_iterations, 1);
    cr_expect_eq(s->objective_history_len, (size_t)s->total_iterations + 1);
    /* Start (β = 0) in the scaled space: ½ Σ((y − ȳ)/σ_y)²/n with the sample σ_y² = 26.75/3 → ½ · 3/4. */
    cr_expect(fabs(s->objective_history[0] - 0.375) < 1e-12, "f0 %.15g", s->objective_history[0]);
    cr_expect(s->objective_history[s->objective_history_len - 1] < s->objective_history[0]);
    lml_stage_free(m);
    lml_frame_free(df);
}

/* Points (0,0), (1,1) weight 1 and (2,4) weight 2: W = 4, x̄ = 1.25, ȳ = 2.25, Sxx = 2.75, Sxy = 5.75
 * → β = 5.75/2.75, b = 2.25 − 1.25β; the same as the unweighted fit with (2,4) twice. */
Test(linear_regression, weights_act_like_repeated_rows)
{
    const double X[] = {0, 1, 2}, Y[] = {0, 1, 4}, W[] = {1, 1, 2};
    const double Xd[] = {0, 1, 2, 2}, Yd[] = {0, 1, 4, 4};
    lml_frame *dw = make_frame(X, 3, 1, Y, W), *dd = make_frame(Xd, 4, 1, Yd, NULL);
    const char *solvers[] = {"normal", "l-bfgs"};
    for (int s = 0; s < 2; s++) {
        lml_stage *mw = fit_with(dw, solvers[s], 0, 0, true, "weight");
        lml_stage *md = fit_with(dd, solvers[s], 0, 0, true, NULL);
        lml_error err = {0};
        size_t d;
        double beta = 5.75 / 2.75;
        cr_expect(fabs(lml_linear_regression_coefficients(mw, &d, &err)[0] - beta) < 1e-9, "%s", solvers[s]);
        cr_expect(fabs(lml_linear_regression_intercept(mw, &err) - (2.25 - 1.25 * beta)) < 1e-9);
        const lml_linear_regression_summary *sw = lml_linear_regression_summary_of(mw, &err),
                                            *sd = lml_linear_regression_summary_of(md, &err);
        cr_expect(fabs(sw->mean_squared_error - sd->mean_squared_error) < 1e-12);
        /* r2 is where weights and repeats differ: Spark's SStot is the weighted unbiased
         * variance × (W − 1) = M2/(W − ΣW²/W)·(W − 1) = 1.2·M2 here, M2 = Σw(y − ȳ)² = 12.75. */
        double sse = sd->mean_squared_error * 4;
        cr_expect(fabs(sd->r2 - (1 - sse / 12.75)) < 1e-9, "r2 %g", sd->r2);
        cr_expect(fabs(sw->r2 - (1 - sse / (1.2 * 12.75))) < 1e-9, "r2 %g", sw->r2);
        cr_expect_eq(sw->num_instances, 3); /* unweighted row count */
        lml_stage_free(mw);
        lml_stage_free(md);
    }
    /* Ridge with weights (l-bfgs uses the weighted sample variance, W − ΣW²/W = 2.5): hand-solved
     * below in closed form for one feature. */
    lml_stage *m = fit_with(dw, "l-bfgs", 0.5, 0, true, "weight");
    lml_error err = {0};
    size_t d;
    double sx = sqrt(2.75 / 2.5), ssy = 0 + 0, ym = 2.25;
    ssy = (1 * pow(0 - ym, 2) + 1 * pow(1 - ym, 2) + 2 * pow(4 - ym, 2));
    double sy = sqrt(ssy / 2.5);
    /* Scaled-space optimum: β' = (Sxy/(W σx σy)) / (Sxx/(W σx²) + λ/σy). */
    double bp = (5.75 / (4 * sx * sy)) / (2.75 / (4 * sx * sx) + 0.5 / sy);
    cr_expect(fabs(lml_linear_regression_coefficients(m, &d, &err)[0] - bp * sy / sx) < 1e-9);
    lml_stage_free(m);
    lml_frame_free(dw);
    lml_frame_free(dd);
}

Test(linear_regression, zero_variance_feature_gets_zero_coefficient)
{
    const double X[] = {1, 5, 2, 5, 3, 5, 4, 5};
    lml_frame *df = make_frame(X, 4, 2, Y1, NULL);
    const char *solvers[] = {"auto", "normal", "l-bfgs"};
    for (int s = 0; s < 3; s++) {
        lml_stage *m = fit_with(df, solvers[s], 0, 0, true, NULL);
        lml_error err = {0};
        size_t d;
        const double *c = lml_linear_regression_coefficients(m, &d, &err);
        cr_assert_eq(d, 2);
        cr_expect(fabs(c[0] - 2.3) < 1e-9, "%s: %g", solvers[s], c[0]);
        cr_expect_eq(c[1], 0.0, "%s: %g", solvers[s], c[1]);
        cr_expect(fabs(lml_linear_regression_intercept(m, &err) - 0.5) < 1e-9);
        const lml_linear_regression_summary *su = lml_linear_regression_summary_of(m, &err);
        if (s < 2) {
            cr_assert_eq(su->num_stats, 3);
            cr_expect(isnan(su->coefficient_standard_errors[1]));
            /* degreesOfFreedom counts every coefficient (Spark): 4 − 2 − 1 = 1, σ² = 0.3 */
            cr_expect_eq(su->degrees_of_freedom, 1);
            cr_expect(fabs(su->coefficient_standard_errors[0] - sqrt(0.3 / 5)) < 1e-12);
        }
        lml_stage_free(m);
    }
    lml_frame_free(df);
}

/* One standardized feature: ridge β = (Sxy/Sxx)/(1 + λ/σ_y), lasso β = (σ_y/σ_x)·max(0, ρ − λ/σ_y)
 * with population stds for the normal solver and sample stds for l-bfgs (ρ the correlation). */
Test(linear_regression, ridge_and_lasso_use_the_solver_specific_std)
{
    lml_frame *df = make_frame(X1, 4, 1, Y1, NULL);
    lml_error err = {0};
    size_t d;
    double syp = sqrt(26.75 / 4), sys = sqrt(26.75 / 3), sxp = sqrt(5.0 / 4);
    double rho = 11.5 / sqrt(5.0 * 26.75);
    lml_stage *m = fit_with(df, "normal", syp, 0, true, NULL);
    cr_expect(fabs(lml_linear_regression_coefficients(m, &d, &err)[0] - 1.15) < 1e-9);
    cr_expect(fabs(lml_linear_regression_intercept(m, &err) - (6.25 - 2.5 * 1.15)) < 1e-9);
    lml_stage_free(m);
    /* l-bfgs: the scaled Gram entry is the population variance over the sample one, 3/4, so
     * β = (Sxy/n)/σ_x² / (3/4 + λ/σ_y) with sample σ_x² = 5/3. */
    m = fit_with(df, "l-bfgs", 1.0, 0, true, NULL);
    cr_expect(fabs(lml_linear_regression_coefficients(m, &d, &err)[0] - (11.5 / 4) / (5.0 / 3) / (0.75 + 1.0 / sys)) <
              1e-9);
    lml_stage_free(m);
    /* standardization off: the L2 weight in the scaled space is λ/σ_y/σ_x² = 1/1.25 → β = 2.3/1.8 */
    m = fit_full(df, "normal", syp, 0, true, NULL, false);
    cr_expect(fabs(lml_linear_regression_coefficients(m, &d, &err)[0] - 2.3 / 1.8) < 1e-9);
    lml_stage_free(m);
    m = fit_with(df, "auto", 0.5 * syp, 1.0, true, NULL); /* L1 → OWL-QN inside the normal solver */
    cr_expect(fabs(lml_linear_regression_coefficients(m, &d, &err)[0] - syp / sxp * (rho - 0.5)) < 1e-7);
    cr_expect_null(lml_linear_regression_summary_of(m, &err)->coefficient_standard_errors);
    lml_stage_free(m);
    m = fit_with(df, "normal", 2.0 * syp, 1.0, true, NULL); /* λ/σ_y > ρ: exactly zero */
    cr_expect_eq(lml_linear_regression_coefficients(m, &d, &err)[0], 0.0);
    cr_expect(fabs(lml_linear_regression_intercept(m, &err) - 6.25) < 1e-12);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(linear_regression, no_intercept_fits_through_origin)
{
    const double Y[] = {2, 4, 7, 8};
    lml_frame *df = make_frame(X1, 4, 1, Y, NULL);
    const char *solvers[] = {"normal", "l-bfgs"};
    for (int s = 0; s < 2; s++) {
        lml_stage *m = fit_with(df, solvers[s], 0, 0, false, NULL);
        lml_error err = {0};
        size_t d;
        /* β = Σxy/Σx² = 63/30 = 2.1 */
        cr_expect(fabs(lml_linear_regression_coefficients(m, &d, &err)[0] - 2.1) < 1e-9, "%s", solvers[s]);
        cr_expect_eq(lml_linear_regression_intercept(m, &err), 0.0);
        const lml_linear_regression_summary *su = lml_linear_regression_summary_of(m, &err);
        /* throughOrigin: r2 = 1 − SSE/Σy², residuals −0.1, −0.2, 0.7, −0.4 → SSE 0.7, Σy² = 133 */
        cr_expect(fabs(su->r2 - (1 - 0.7 / 133)) < 1e-9, "r2 %.15g", su->r2);
        cr_expect_eq(su->degrees_of_freedom, 3);
        lml_stage_free(m);
    }
    lml_frame_free(df);
}

Test(linear_regression, constant_label_gives_zero_coefficients_without_training)
{
    const double Y[] = {7, 7, 7, 7};
    lml_frame *df = make_frame(X1, 4, 1, Y, NULL);
    lml_stage *m = fit_with(df, "l-bfgs", 0.3, 0, true, NULL);
    lml_error err = {0};
    size_t d;
    cr_expect_eq(lml_linear_regression_coefficients(m, &d, &err)[0], 0.0);
    cr_expect_eq(lml_linear_regression_intercept(m, &err), 7.0);
    const lml_linear_regression_summary *su = lml_linear_regression_summary_of(m, &err);
    cr_expect(su->objective_history_len == 1 && su->objective_history[0] == 0.0);
    lml_stage_free(m);
    /* Without an intercept the label is scaled by |ȳ|; regularisation is then an error. */
    lml_stage *lr = lml_linear_regression_new();
    cr_assert(lml_set_bool(lr, "fitIntercept", false, &err));
    cr_assert(lml_set_double(lr, "regParam", 0.1, &err));
    cr_expect_null(lml_fit(lr, df, &err));
    cr_expect(strstr(err.message, "standard deviation of the label is zero"), "%s", err.message);
    cr_assert(lml_set_double(lr, "regParam", 0.0, &err));
    m = lml_fit(lr, df, &err);
    cr_assert(m, "%s", err.message);
    cr_expect(fabs(lml_linear_regression_coefficients(m, &d, &err)[0] - 7.0 * 10 / 30) < 1e-9); /* Σxy/Σx² */
    lml_stage_free(m);
    lml_stage_free(lr);
    lml_frame_free(df);
}

Test(linear_regression, sparse_features_give_the_dense_answer)
{
    /* Rows of the zero-variance test as CSR with the constant column first: [5, x]. */
    const int64_t indptr[] = {0, 2, 4, 6, 8};
    const int32_t idx[] = {0, 1, 0, 1, 0, 1, 0, 1};
    const double val[] = {5, 1, 5, 2, 5, 3, 5, 4};
    lml_error err = {0};
    lml_column *cols[2] = {lml_column_vector_from_csr(indptr, idx, val, 4, 3, &err),
                           lml_column_from_doubles(Y1, NULL, 4, &err)};
    cr_assert(cols[0], "%s", err.message);
    lml_frame *df = lml_frame_new(2, (const char *[]){"features", "label"}, cols, &err);
    lml_column_free(cols[0]);
    lml_column_free(cols[1]);
    lml_stage *m = fit_with(df, "normal", 0, 0, true, NULL);
    size_t d;
    const double *c = lml_linear_regression_coefficients(m, &d, &err);
    cr_assert_eq(d, 3);
    cr_expect(c[0] == 0.0 && fabs(c[1] - 2.3) < 1e-9 && c[2] == 0.0);
    lml_frame *p = lml_transform(m, df, &err);
    cr_assert(p, "%s", err.message);
    cr_expect(fabs(lml_column_get_double(lml_frame_column_by_name(p, "prediction", &err), 0) - 2.8) < 1e-9);
    lml_frame_free(p);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(linear_regression, bad_input_is_an_error_naming_column_and_row)
{
    lml_error err = {0};
    lml_stage *lr = lml_linear_regression_new();
    const double Xn[] = {1, NAN, 3, 4};
    lml_frame *df = make_frame(Xn, 4, 1, Y1, NULL);
    cr_expect_null(lml_fit(lr, df, &err));
    cr_expect(strstr(err.message, "'features'") && strstr(err.message, "row 1"), "%s", err.message);
    lml_frame_free(df);

    const double Yn[] = {3, 5, 7, NAN};
    df = make_frame(X1, 4, 1, Yn, NULL);
    cr_expect_null(lml_fit(lr, df, &err));
    cr_expect(strstr(err.message, "'label'") && strstr(err.message, "row 3"), "%s", err.message);
    lml_frame_free(df);

    const double Wn[] = {1, -1, 1, 1};
    df = make_frame(X1, 4, 1, Y1, Wn);
    cr_assert(lml_set_string(lr, "weightCol", "weight", &err));
    cr_expect_null(lml_fit(lr, df, &err));
    cr_expect(strstr(err.message, "'weight'") && strstr(err.message, "row 1"), "%s", err.message);
    cr_assert(lml_clear_param(lr, "weightCol", &err));
    cr_assert(lml_set_string(lr, "labelCol", "nope", &err));
    cr_expect_null(lml_fit(lr, df, &err));
    cr_expect(strstr(err.message, "nope"), "%s", err.message);
    cr_assert(lml_clear_param(lr, "labelCol", &err));

    lml_frame *empty = lml_frame_head(df, 0, &err);
    cr_assert(empty);
    cr_expect_null(lml_fit(lr, empty, &err));
    cr_expect(strstr(err.message, "empty"), "%s", err.message);
    lml_frame_free(empty);

    cr_assert(lml_set_string(lr, "loss", "huber", &err));
    cr_assert(lml_set_string(lr, "solver", "normal", &err));
    cr_expect_null(lml_fit(lr, df, &err));
    cr_expect(strstr(err.message, "huber") && strstr(err.message, "normal"), "%s", err.message);
    cr_assert(lml_set_string(lr, "solver", "auto", &err));
    cr_assert(lml_set_double(lr, "elasticNetParam", 0.5, &err));
    cr_expect_null(lml_fit(lr, df, &err));
    cr_expect(strstr(err.message, "L2"), "%s", err.message);
    cr_assert(lml_clear_param(lr, "elasticNetParam", &err));
    cr_expect_not(lml_set_string(lr, "solver", "sgd", &err));
    cr_expect(strstr(err.message, "solver"), "%s", err.message);
    cr_expect_not(lml_set_double(lr, "epsilon", 1.0, &err));
    cr_expect_not(lml_set_double(lr, "elasticNetParam", 1.5, &err));
    lml_frame_free(df);
    lml_stage_free(lr);

    /* More than 4096 features with solver normal (Spark's WeightedLeastSquares limit). */
    size_t n = 2, dd = 4097;
    double *X = calloc(n * dd, sizeof(double));
    X[0] = 1;
    df = make_frame(X, n, dd, (const double[]){1, 2}, NULL);
    free(X);
    lr = lml_linear_regression_new();
    cr_assert(lml_set_string(lr, "solver", "normal", &err));
    cr_expect_null(lml_fit(lr, df, &err));
    cr_expect(strstr(err.message, "4096"), "%s", err.message);
    lml_stage_free(lr);
    lml_frame_free(df);
}

Test(linear_regression, estimator_defaults_and_names_follow_spark)
{
    lml_error err = {0};
    lml_stage *lr = lml_linear_regression_new();
    cr_assert_str_eq(lml_stage_name(lr), "LinearRegression");
    cr_assert_str_eq(lml_stage_class(lr), "org.apache.spark.ml.regression.LinearRegression");
    int64_t it;
    double v;
    cr_assert(lml_get_int(lr, "maxIter", &it, &err) && it == 100);
    cr_assert(lml_get_double(lr, "tol", &v, &err) && v == 1e-6);
    cr_assert(lml_get_double(lr, "epsilon", &v, &err) && v == 1.35);
    cr_assert_str_eq(lml_get_string(lr, "solver", &err), "auto");
    cr_assert_str_eq(lml_get_string(lr, "loss", &err), "squaredError");
    cr_assert(lml_get_int(lr, "aggregationDepth", &it, &err) && it == 2);
    cr_expect(!lml_is_defined(lr, "weightCol"));
    lml_frame *df = make_frame(X1, 4, 1, Y1, NULL);
    lml_stage *m = lml_fit(lr, df, &err);
    cr_assert(m, "%s", err.message);
    cr_expect_str_eq(lml_stage_name(m), "LinearRegressionModel");
    cr_expect_str_eq(lml_stage_uid(m), lml_stage_uid(lr));
    cr_expect(isnan(lml_linear_regression_intercept(lr, &err)));
    cr_expect_eq(err.code, LML_ETYPE);
    lml_stage_free(m);
    lml_stage_free(lr);
    lml_frame_free(df);
}

/* More than 4096 features: the l-bfgs solver evaluates the objective by passes over the rows
 * instead of a Gram matrix. Columns that are all zero have no variance and get 0, so a CSR frame
 * with the varying columns at indices 0, 1 and 4999 must give the 3-column dense fit (whose
 * l-bfgs path uses the Gram matrix) for OLS, ridge and elastic net alike. */
Test(linear_regression, lbfgs_over_rows_matches_gram_path_with_many_features)
{
    enum { N = 40, D = 5000 };
    double Xd[N * 3], y[N], w[N];
    int64_t indptr[N + 1];
    int32_t idx[N * 3];
    double val[N * 3];
    for (int i = 0; i < N; i++) {
        Xd[i * 3] = (i % 7) - 3.0;
        Xd[i * 3 + 1] = (i % 5 == 0) ? 0.0 : 0.5 * (i % 11);
        Xd[i * 3 + 2] = 10.0 + (i * 37 % 13);
        y[i] = 1.5 * Xd[i * 3] - 2.0 * Xd[i * 3 + 1] + 0.25 * Xd[i * 3 + 2] + ((i * 53) % 17) / 17.0;
        w[i] = 1.0 + (i % 3);
    }
    int64_t nnz = 0;
    for (int i = 0; i < N; i++) {
        indptr[i] = nnz;
        const int32_t cols[3] = {0, 1, D - 1};
        for (int k = 0; k < 3; k++)
            if (Xd[i * 3 + k] != 0.0) {
                idx[nnz] = cols[k];
                val[nnz++] = Xd[i * 3 + k];
            }
    }
    indptr[N] = nnz;
    lml_error err = {0};
    lml_column *cols[3] = {lml_column_vector_from_csr(indptr, idx, val, N, D, &err),
                           lml_column_from_doubles(y, NULL, N, &err), lml_column_from_doubles(w, NULL, N, &err)};
    cr_assert(cols[0], "%s", err.message);
    lml_frame *sparse = lml_frame_new(3, (const char *[]){"features", "label", "weight"}, cols, &err);
    for (int k = 0; k < 3; k++)
        lml_column_free(cols[k]);
    lml_frame *dense = make_frame(Xd, N, 3, y, w);
    const double regs[][2] = {{0, 0}, {0.3, 0}, {0.2, 0.5}};
    for (int c = 0; c < 3; c++)
        for (int std = 0; std < 2; std++) {
            lml_stage *ms = fit_full(sparse, "auto", regs[c][0], regs[c][1], true, "weight", std);
            lml_stage *md = fit_full(dense, "l-bfgs", regs[c][0], regs[c][1], true, "weight", std);
            size_t ds, dd;
            const double *cs = lml_linear_regression_coefficients(ms, &ds, &err);
            const double *cd = lml_linear_regression_coefficients(md, &dd, &err);
            cr_assert_eq(ds, (size_t)D);
            const size_t map[3] = {0, 1, D - 1};
            for (int k = 0; k < 3; k++)
                cr_expect(fabs(cs[map[k]] - cd[k]) < 1e-6 * fmax(1, fabs(cd[k])),
                          "case %d std %d coef %d: %.12g vs %.12g", c, std, k, cs[map[k]], cd[k]);
            cr_expect_eq(cs[2], 0.0);
            cr_expect(fabs(lml_linear_regression_intercept(ms, &err) - lml_linear_regression_intercept(md, &err)) <
                      1e-6);
            const lml_linear_regression_summary *ss = lml_linear_regression_summary_of(ms, &err),
                                                *sd = lml_linear_regression_summary_of(md, &err);
            /* the same objective in the same scaled space, from the same start */
            cr_expect(fabs(ss->objective_history[0] - sd->objective_history[0]) < 1e-12);
            cr_expect(fabs(ss->objective_history[ss->objective_history_len - 1] -
                           sd->objective_history[sd->objective_history_len - 1]) < 1e-9);
            lml_stage_free(ms);
            lml_stage_free(md);
        }
    lml_frame_free(sparse);
    lml_frame_free(dense);
}

/* The Gram matrix is summed over row chunks whose number depends on the data only, in a fixed
 * order, so 1 and 4 threads give bit-identical coefficients (20,000 rows → 5 chunks). */
Test(linear_regression, result_does_not_depend_on_thread_count)
{
    enum { N = 20000, D = 4 };
    double *X = malloc(N * D * sizeof(double)), *y = malloc(N * sizeof(double));
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < D; j++)
            X[i * D + j] = sin(0.37 * (j + 1) * i + j) * (j + 1) + 0.001 * i;
        y[i] = X[i * D] - 0.5 * X[i * D + 2] + 0.01 * cos(1.3 * i);
    }
    lml_frame *df = make_frame(X, N, D, y, NULL);
    free(X);
    free(y);
    double coef[2][D + 1];
    int threads[2] = {1, 4};
    int saved = lml_get_num_threads();
    for (int t = 0; t < 2; t++) {
        lml_set_num_threads(threads[t]);
        lml_stage *m = fit_with(df, "normal", 0, 0, true, NULL);
        lml_error err = {0};
        size_t d;
        memcpy(coef[t], lml_linear_regression_coefficients(m, &d, &err), D * sizeof(double));
        coef[t][D] = lml_linear_regression_intercept(m, &err);
        lml_stage_free(m);
    }
    lml_set_num_threads(saved);
    cr_expect(memcmp(coef[0], coef[1], sizeof coef[0]) == 0, "1 thread: %.17g, 4 threads: %.17g", coef[0][0],
              coef[1][0]);
    cr_expect(fabs(coef[0][0] - 1.0) < 0.01, "β0 %g", coef[0][0]); /* y was built with β0 = 1 */
    lml_frame_free(df);
}

/* x₂ = 2x₁: the standardized normal matrix is [[1, 1], [1, 1]]. Solver normal reports it; auto
 * retries with quasi-Newton like Spark and lands on a least-squares solution (β₁ + 2β₂ = 2.3). */
Test(linear_regression, singular_normal_equations_error_or_fall_back)
{
    const double X[] = {1, 2, 2, 4, 3, 6, 4, 8};
    lml_frame *df = make_frame(X, 4, 2, Y1, NULL);
    lml_error err = {0};
    lml_stage *lr = lml_linear_regression_new();
    cr_assert(lml_set_string(lr, "solver", "normal", &err));
    cr_expect_null(lml_fit(lr, df, &err));
    cr_expect(strstr(err.message, "singular"), "%s", err.message);
    lml_stage_free(lr);
    lml_stage *m = fit_with(df, "auto", 0, 0, true, NULL);
    size_t d;
    const double *c = lml_linear_regression_coefficients(m, &d, &err);
    cr_expect(fabs(c[0] + 2 * c[1] - 2.3) < 1e-9, "%g %g", c[0], c[1]);
    cr_expect(fabs(lml_linear_regression_intercept(m, &err) - 0.5) < 1e-9);
    cr_expect_null(lml_linear_regression_summary_of(m, &err)->coefficient_standard_errors);
    lml_stage_free(m);
    lml_frame_free(df);
}

/* Huber with ε so large that every residual stays in the quadratic zone: the objective is
 * ½(σ + mean(r²)/σ), minimised by the OLS fit and σ = √mse. */
Test(linear_regression, huber_with_huge_epsilon_is_ols_with_scale_rmse)
{
    lml_frame *df = make_frame(X1, 4, 1, Y1, NULL);
    lml_error err = {0};
    lml_stage *lr = lml_linear_regression_new();
    cr_assert(lml_set_string(lr, "loss", "huber", &err));
    cr_assert(lml_set_double(lr, "epsilon", 1e6, &err));
    cr_assert(lml_set_double(lr, "tol", 1e-12, &err));
    cr_assert(lml_set_int(lr, "maxIter", 1000, &err));
    lml_stage *m = lml_fit(lr, df, &err);
    cr_assert(m, "%s", err.message);
    size_t d;
    cr_expect(fabs(lml_linear_regression_coefficients(m, &d, &err)[0] - 2.3) < 1e-6);
    cr_expect(fabs(lml_linear_regression_intercept(m, &err) - 0.5) < 1e-6);
    cr_expect(fabs(lml_linear_regression_scale(m, &err) - sqrt(0.075)) < 1e-6, "scale %.12g",
              lml_linear_regression_scale(m, &err));
    cr_expect_null(lml_linear_regression_summary_of(m, &err)->coefficient_standard_errors);
    lml_stage_free(m);
    lml_stage_free(lr);
    lml_frame_free(df);
}

/* Huber objective in original units, computed independently of the library. */
static double huber_objective(const double *X, const double *y, int n, double beta, double b, double sigma, double eps)
{
    double f = 0;
    for (int i = 0; i < n; i++) {
        double r = y[i] - beta * X[i] - b;
        f += fabs(r) <= eps * sigma ? sigma + r * r / sigma : sigma + 2 * eps * fabs(r) - eps * eps * sigma;
    }
    return f / (2.0 * n);
}

/* With an outlier and the default ε = 1.35 the fit is a stationary point of the objective above
 * plus ½λ(s β)² (s = sample std of x = √6), central differences ≈ 0 in β, b and σ, and without
 * regularisation it stays near the clean line y = 2x + 1, unlike OLS. */
Test(linear_regression, huber_fit_is_optimal_and_resists_an_outlier)
{
    const double X[] = {0, 1, 2, 3, 4, 5, 6, 7}, Y[] = {1.1, 2.9, 5.2, 6.8, 9.1, 11.0, 12.9, 40.0};
    lml_frame *df = make_frame(X, 8, 1, Y, NULL);
    lml_error err = {0};
    for (int ri = 0; ri < 2; ri++) {
        double lam = ri ? 0.5 : 0.0;
        lml_stage *lr = lml_linear_regression_new();
        cr_assert(lml_set_double(lr, "regParam", lam, &err));
        cr_assert(lml_set_string(lr, "loss", "huber", &err));
        cr_assert(lml_set_double(lr, "tol", 1e-12, &err));
        cr_assert(lml_set_int(lr, "maxIter", 1000, &err));
        lml_stage *m = lml_fit(lr, df, &err);
        cr_assert(m, "%s", err.message);
        size_t d;
        double beta = lml_linear_regression_coefficients(m, &d, &err)[0];
        double b = lml_linear_regression_intercept(m, &err), sigma = lml_linear_regression_scale(m, &err);
        double h = 1e-6, p[3] = {beta, b, sigma};
        for (int k = 0; k < 3; k++) {
            double up[3] = {p[0], p[1], p[2]}, dn[3] = {p[0], p[1], p[2]};
            up[k] += h;
            dn[k] -= h;
            double g = (huber_objective(X, Y, 8, up[0], up[1], up[2], 1.35) + 0.5 * lam * 6 * up[0] * up[0] -
                        huber_objective(X, Y, 8, dn[0], dn[1], dn[2], 1.35) - 0.5 * lam * 6 * dn[0] * dn[0]) / (2 * h);
            cr_expect(fabs(g) < 1e-6, "λ %g: d/dparam %d = %g at (%g, %g, %g)", lam, k, g, beta, b, sigma);
        }
        if (lam == 0.0)
            cr_expect(fabs(beta - 2.0) < 0.1, "huber slope %g", beta);
        else
            cr_expect(beta < 1.9, "the penalty shrinks the slope: %g", beta);
        cr_expect(sigma > 0);
        lml_stage_free(m);
        lml_stage_free(lr);
    }
    lml_error err2 = {0};
    size_t d;
    lml_stage *ols = fit_with(df, "normal", 0, 0, true, NULL);
    cr_expect(fabs(lml_linear_regression_coefficients(ols, &d, &err2)[0] - 2.0) > 1.0); /* OLS is pulled away */
    lml_stage_free(ols);
    lml_frame_free(df);
}

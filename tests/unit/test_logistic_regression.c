/* LogisticRegression: optimality of the multinomial fit, binomial/multinomial agreement,
 * special cases, outputs and threshold rules, determinism, and the error cases of spec §7. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/ml/classification.h"
#include "lakeml/threads.h"
#include "frame/internal.h"
#include "ml/linear/logreg_internal.h"

/* A frame of features (dense n × d), label and optional weight columns. */
static lml_frame *make_frame(const double *X, size_t n, size_t d, const double *y, const double *w)
{
    lml_error err = {0};
    lml_column *fc = lml_column_vector_from_dense(X, n, d, &err);
    lml_column *lc = lml_column_from_doubles(y, NULL, n, &err);
    lml_column *wc = w ? lml_column_from_doubles(w, NULL, n, &err) : NULL;
    cr_assert(fc && lc && (!w || wc), "%s", err.message);
    const char *names[] = {"features", "label", "weight"};
    lml_column *cols[] = {fc, lc, wc};
    lml_frame *f = lml_frame_new(w ? 3 : 2, names, cols, &err);
    cr_assert(f, "%s", err.message);
    lml_column_free(fc), lml_column_free(lc), lml_column_free(wc);
    return f;
}

static uint64_t rng_state = 88172645463325252ull;
static double urand(void) /* xorshift64 in [0, 1) */
{
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* n rows, d features with different scales; labels from a noisy linear rule into K classes. */
static void synth(size_t n, size_t d, size_t K, double *X, double *y)
{
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t j = 0; j < d; j++) {
            X[i * d + j] = (urand() - 0.3) * (double)(j + 1) * 3.0;
            s += X[i * d + j] * (j % 2 ? -0.7 : 0.5) / (double)(j + 1);
        }
        s += 1.5 * (urand() - 0.5);
        double c = floor((s + 2.0) / 4.0 * (double)K);
        y[i] = c < 0 ? 0 : c >= (double)K ? (double)K - 1 : c;
    }
}

static lml_stage *fit(const lml_frame *df, const char *family, double reg, double en, lml_error *err)
{
    lml_stage *lr = lml_logistic_regression_new();
    cr_assert(lr);
    cr_assert(lml_set_string(lr, "family", family, err), "%s", err->message);
    cr_assert(lml_set_double(lr, "regParam", reg, err));
    cr_assert(lml_set_double(lr, "elasticNetParam", en, err));
    cr_assert(lml_set_int(lr, "maxIter", 1000, err));
    cr_assert(lml_set_double(lr, "tol", 1e-12, err));
    lml_stage *m = lml_fit(lr, df, err);
    lml_stage_free(lr);
    return m;
}

Test(logistic_regression, multinomial_fit_satisfies_kkt_of_spark_objective)
{
    enum { N = 400, D = 3, K = 3 };
    static double X[N * D], y[N];
    synth(N, D, K, X, y);
    lml_frame *df = make_frame(X, N, D, y, NULL);
    lml_error err = {0};
    const double lambda = 0.1;
    lml_stage *m = fit(df, "multinomial", lambda, 0.0, &err);
    cr_assert(m, "%s", err.message);
    size_t rows, cols, nb;
    const double *B = lml_logistic_regression_coefficient_matrix(m, &rows, &cols, &err);
    const double *b = lml_logistic_regression_intercept_vector(m, &nb, &err);
    cr_assert_eq(rows, K);
    cr_assert_eq(cols, D);
    cr_assert_eq(nb, K);
    cr_assert_eq(lml_logistic_regression_num_classes(m, &err), K);
    /* Independent gradient of (1/n) Σ [log Σ_k e^{m_ik} − m_{i,y_i}] + λ/2 Σ (σ_j β_kj)² with σ
     * the sample std, in the original space. */
    double sd[D];
    for (size_t j = 0; j < D; j++) {
        double mu = 0, ss = 0;
        for (size_t i = 0; i < N; i++)
            mu += X[i * D + j] / N;
        for (size_t i = 0; i < N; i++)
            ss += (X[i * D + j] - mu) * (X[i * D + j] - mu);
        sd[j] = sqrt(ss / (N - 1));
    }
    double G[K][D] = {{0}}, Gb[K] = {0};
    for (size_t i = 0; i < N; i++) {
        double mm[K], mx = -INFINITY, s = 0;
        for (size_t k = 0; k < K; k++) {
            mm[k] = b[k];
            for (size_t j = 0; j < D; j++)
                mm[k] += B[k * D + j] * X[i * D + j];
            mx = fmax(mx, mm[k]);
        }
        for (size_t k = 0; k < K; k++)
            s += exp(mm[k] - mx);
        for (size_t k = 0; k < K; k++) {
            double r = exp(mm[k] - mx) / s - (y[i] == (double)k);
            Gb[k] += r / N;
            for (size_t j = 0; j < D; j++)
                G[k][j] += r * X[i * D + j] / N;
        }
    }
    double isum = 0.0;
    for (size_t k = 0; k < K; k++) {
        cr_expect(fabs(Gb[k]) < 1e-5, "intercept gradient %zu = %g", k, Gb[k]);
        isum += b[k];
        for (size_t j = 0; j < D; j++) {
            double g = G[k][j] + lambda * sd[j] * sd[j] * B[k * D + j];
            cr_expect(fabs(g) < 1e-5, "gradient (%zu,%zu) = %g", k, j, g);
            cr_expect(B[k * D + j] != 0.0);
        }
    }
    cr_expect(fabs(isum) < 1e-12, "intercepts are centred: sum %g", isum);
    cr_expect(isnan(lml_logistic_regression_area_under_roc(m, &err)));
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(logistic_regression, multinomial_difference_equals_binomial_without_regularisation)
{
    enum { N = 300, D = 3 };
    static double X[N * D], y[N];
    synth(N, D, 2, X, y);
    lml_frame *df = make_frame(X, N, D, y, NULL);
    lml_error err = {0};
    lml_stage *bin = fit(df, "binomial", 0.0, 0.0, &err);
    cr_assert(bin, "%s", err.message);
    lml_stage *mul = fit(df, "multinomial", 0.0, 0.0, &err);
    cr_assert(mul, "%s", err.message);
    const double *bc = lml_logistic_regression_coefficients(bin, &err);
    const double *mc = lml_logistic_regression_coefficient_matrix(mul, NULL, NULL, &err);
    const double *mi = lml_logistic_regression_intercept_vector(mul, NULL, &err);
    for (size_t j = 0; j < D; j++) {
        cr_expect(fabs((mc[D + j] - mc[j]) - bc[j]) < 1e-6 * fmax(1, fabs(bc[j])), "coefficient %zu: %g vs %g", j,
                  mc[D + j] - mc[j], bc[j]);
        /* λ = 0: coefficients are centred across classes */
        cr_expect(fabs(mc[D + j] + mc[j]) < 1e-12);
    }
    double bi = lml_logistic_regression_intercept(bin, &err);
    cr_expect(fabs((mi[1] - mi[0]) - bi) < 1e-6 * fmax(1, fabs(bi)), "intercept: %g vs %g", mi[1] - mi[0], bi);
    cr_expect_null(lml_logistic_regression_coefficients(mul, &err));
    cr_expect_eq(err.code, LML_EUNSUPPORTED);
    lml_stage_free(bin);
    lml_stage_free(mul);
    lml_frame_free(df);
}

Test(logistic_regression, constant_feature_gets_zero_and_intercept_is_log_odds)
{
    /* x is constant (σ = 0): coefficient exactly 0, intercept log(3/1) (three 1s, one 0). */
    double X[] = {5, 5, 5, 5}, y[] = {1, 1, 0, 1};
    lml_frame *df = make_frame(X, 4, 1, y, NULL);
    lml_error err = {0};
    lml_stage *m = fit(df, "auto", 0.0, 0.0, &err);
    cr_assert(m, "%s", err.message);
    cr_assert_eq(lml_logistic_regression_coefficients(m, &err)[0], 0.0);
    cr_assert_float_eq(lml_logistic_regression_intercept(m, &err), log(3.0), 1e-12);
    cr_assert_eq(lml_logistic_regression_num_classes(m, &err), 2);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(logistic_regression, one_class_with_intercept_skips_optimisation)
{
    double X[] = {1, 2, 3}, y[] = {1, 1, 1};
    lml_frame *df = make_frame(X, 3, 1, y, NULL);
    lml_error err = {0};
    lml_stage *m = fit(df, "auto", 0.0, 0.0, &err);
    cr_assert(m, "%s", err.message);
    cr_assert(isinf(lml_logistic_regression_intercept(m, &err)) && lml_logistic_regression_intercept(m, &err) > 0);
    cr_assert_eq(lml_logistic_regression_coefficients(m, &err)[0], 0.0);
    size_t nh;
    const double *h = lml_logistic_regression_objective_history(m, &nh, &err);
    cr_assert_eq(nh, 1);
    cr_assert_eq(h[0], 0.0);
    cr_assert_eq(lml_logistic_regression_total_iterations(m, &err), 0);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(logistic_regression, summary_auc_counts_ordered_pairs)
{
    /* One increasing feature: scores follow x. Positives {3,5,6}, negatives {1,2,4}: 8 of 9
     * (positive, negative) pairs are ordered → AUC 8/9. */
    double X[] = {1, 2, 3, 4, 5, 6}, y[] = {0, 0, 1, 0, 1, 1};
    lml_frame *df = make_frame(X, 6, 1, y, NULL);
    lml_error err = {0};
    lml_stage *m = fit(df, "auto", 0.0, 0.0, &err);
    cr_assert(m, "%s", err.message);
    cr_assert_gt(lml_logistic_regression_coefficients(m, &err)[0], 0.0);
    cr_assert_float_eq(lml_logistic_regression_area_under_roc(m, &err), 8.0 / 9.0, 1e-12);
    size_t nh;
    const double *h = lml_logistic_regression_objective_history(m, &nh, &err);
    /* the start: β = 0, b = log(3/3) = 0 → loss log 2 */
    cr_assert_float_eq(h[0], log(2.0), 1e-12);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(logistic_regression, auc_ties_count_half_and_bins_merge_points)
{
    double s1[] = {0.5, 0.5}, l1[] = {1, 0};
    cr_assert_float_eq(lml_lr_area_under_roc(s1, l1, NULL, 2, 100), 0.5, 1e-15);
    double s2[] = {4, 3, 2, 1}, l2[] = {1, 0, 1, 0};
    /* all four points: (0,.5) (.5,.5) (.5,1) (1,1) → 0.75 */
    cr_assert_float_eq(lml_lr_area_under_roc(s2, l2, NULL, 4, 0), 0.75, 1e-15);
    /* numBins 2 → groups of ⌊4/2⌋ = 2: points (.5,.5) (1,1) → 0.5 */
    cr_assert_float_eq(lml_lr_area_under_roc(s2, l2, NULL, 4, 2), 0.5, 1e-15);
    double w[] = {3, 1, 1, 1};
    /* weight 3 on the top positive: TPR steps .75 then 1 → (0,.75) (.5,.75) (.5,1) (1,1) = .875 */
    cr_assert_float_eq(lml_lr_area_under_roc(s2, l2, w, 4, 0), 0.875, 1e-15);
}

static const double *vec_row(const lml_frame *f, const char *name, size_t i)
{
    const lml_column *c = lml_frame_column_by_name(f, name, NULL);
    cr_assert(c && lml_column_type(c) == LML_VECTOR && !lml_column_vector_is_sparse(c));
    return lml_column_vector_dense(c) + i * lml_column_vector_size(c);
}

Test(logistic_regression, binomial_outputs_and_threshold_rules)
{
    double X[] = {1, 2, 3, 4, 5, 6}, y[] = {0, 0, 1, 0, 1, 1};
    lml_frame *df = make_frame(X, 6, 1, y, NULL);
    lml_error err = {0};
    lml_stage *m = fit(df, "auto", 0.0, 0.0, &err);
    cr_assert(m, "%s", err.message);
    double beta = lml_logistic_regression_coefficients(m, &err)[0], b = lml_logistic_regression_intercept(m, &err);
    lml_frame *p = lml_transform(m, df, &err);
    cr_assert(p, "%s", err.message);
    const lml_column *pc = lml_frame_column_by_name(p, "prediction", &err);
    cr_assert(pc && lml_column_type(pc) == LML_DOUBLE);
    for (size_t i = 0; i < 6; i++) {
        double mg = b + beta * X[i];
        const double *raw = vec_row(p, "rawPrediction", i), *prob = vec_row(p, "probability", i);
        cr_expect_float_eq(raw[0], -mg, 1e-12);
        cr_expect_float_eq(raw[1], mg, 1e-12);
        cr_expect_float_eq(prob[0], 1.0 / (1.0 + exp(mg)), 1e-12);
        cr_expect_float_eq(prob[1], 1.0 - 1.0 / (1.0 + exp(mg)), 1e-12);
        cr_expect_eq(lml_column_doubles(pc)[i], mg > 0 ? 1.0 : 0.0);
    }
    lml_frame_free(p);
    /* threshold t: predict 1 iff m > log(t/(1−t)); t = 0 → always 1, t = 1 → always 0;
     * thresholds [t0, t1] ≡ t = 1/(1 + t0/t1). */
    const double ts[] = {0.0, 0.3, 0.9, 1.0};
    for (size_t k = 0; k < 4; k++) {
        cr_assert(lml_set_double(m, "threshold", ts[k], &err), "%s", err.message);
        p = lml_transform(m, df, &err);
        cr_assert(p, "%s", err.message);
        const double *pr = lml_column_doubles(lml_frame_column_by_name(p, "prediction", NULL));
        for (size_t i = 0; i < 6; i++) {
            double mg = b + beta * X[i];
            double want = ts[k] == 0 ? 1.0 : ts[k] == 1 ? 0.0 : (mg > log(ts[k] / (1 - ts[k])) ? 1.0 : 0.0);
            cr_expect_eq(pr[i], want, "t=%g row %zu", ts[k], i);
        }
        lml_frame_free(p);
    }
    cr_assert(lml_clear_param(m, "threshold", &err));
    const double th[] = {0.3, 0.7};
    cr_assert(lml_set_doubles(m, "thresholds", th, 2, &err));
    p = lml_transform(m, df, &err);
    cr_assert(p, "%s", err.message);
    const double *pr = lml_column_doubles(lml_frame_column_by_name(p, "prediction", NULL));
    for (size_t i = 0; i < 6; i++)
        cr_expect_eq(pr[i], b + beta * X[i] > log(0.7 / 0.3) ? 1.0 : 0.0);
    lml_frame_free(p);
    /* A zero threshold wins always: [0.5, 0] → all 1, [0, 0.5] → all 0. */
    for (int z = 0; z < 2; z++) {
        const double tz[2] = {z ? 0.0 : 0.5, z ? 0.5 : 0.0};
        cr_assert(lml_set_doubles(m, "thresholds", tz, 2, &err));
        p = lml_transform(m, df, &err);
        cr_assert(p, "%s", err.message);
        pr = lml_column_doubles(lml_frame_column_by_name(p, "prediction", NULL));
        for (size_t i = 0; i < 6; i++)
            cr_expect_eq(pr[i], z ? 0.0 : 1.0, "thresholds [%g, %g] row %zu", tz[0], tz[1], i);
        lml_frame_free(p);
    }
    /* threshold and thresholds both set must agree (Spark's consistency check). */
    cr_assert(lml_set_double(m, "threshold", 0.2, &err));
    cr_expect_null(lml_transform(m, df, &err));
    cr_expect(strstr(err.message, "inconsistent") != NULL, "%s", err.message);
    cr_assert(lml_clear_param(m, "threshold", &err));
    /* An empty column name disables that output. */
    cr_assert(lml_set_string(m, "rawPredictionCol", "", &err));
    p = lml_transform(m, df, &err);
    cr_assert(p);
    cr_expect_eq(lml_frame_column_index(p, "rawPrediction"), -1);
    cr_expect_geq(lml_frame_column_index(p, "probability"), 0);
    /* Transforming a frame that already has the outputs is an error naming the column. */
    lml_frame *again = lml_transform(m, p, &err);
    cr_expect_null(again);
    cr_expect(strstr(err.message, "probability") != NULL, "%s", err.message);
    lml_frame_free(p);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(logistic_regression, multinomial_prediction_is_argmax_and_thresholds_scale_probabilities)
{
    enum { N = 200, D = 2, K = 3 };
    static double X[N * D], y[N];
    synth(N, D, K, X, y);
    lml_frame *df = make_frame(X, N, D, y, NULL);
    lml_error err = {0};
    lml_stage *m = fit(df, "auto", 0.01, 0.0, &err);
    cr_assert(m, "%s", err.message);
    cr_assert(lml_logistic_regression_is_multinomial(m));
    const double th[] = {1.0, 0.05, 1.0};
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            cr_assert(lml_set_doubles(m, "thresholds", th, 3, &err), "%s", err.message);
        lml_frame *p = lml_transform(m, df, &err);
        cr_assert(p, "%s", err.message);
        const double *pr = lml_column_doubles(lml_frame_column_by_name(p, "prediction", NULL));
        size_t ones = 0;
        for (size_t i = 0; i < N; i++) {
            const double *raw = vec_row(p, "rawPrediction", i), *prob = vec_row(p, "probability", i);
            double s = 0, mx = fmax(raw[0], fmax(raw[1], raw[2]));
            for (size_t k = 0; k < K; k++)
                s += exp(raw[k] - mx);
            size_t best = 0;
            for (size_t k = 0; k < K; k++) {
                cr_expect_float_eq(prob[k], exp(raw[k] - mx) / s, 1e-12);
                double v = pass ? prob[k] / th[k] : raw[k], bv = pass ? prob[best] / th[best] : raw[best];
                if (v > bv)
                    best = k;
            }
            cr_expect_eq(pr[i], (double)best);
            ones += pr[i] == 1.0;
        }
        if (pass == 1) /* a low threshold on class 1 makes it win more often */
            cr_expect_gt(ones, 0);
        lml_frame_free(p);
    }
    cr_assert(lml_set_doubles(m, "thresholds", th, 2, &err));
    lml_frame *bad = lml_transform(m, df, &err);
    cr_expect_null(bad);
    cr_expect(strstr(err.message, "thresholds") != NULL, "%s", err.message);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(logistic_regression, weights_equal_duplicated_rows_and_thread_count_does_not_matter)
{
    enum { N = 3000, D = 4 };
    static double X[N * D], y[N], w[N], X2[(N + 1) * D], y2[N + 1];
    synth(N, D, 2, X, y);
    for (size_t i = 0; i < N; i++)
        w[i] = i == 7 ? 2.0 : 1.0;
    memcpy(X2, X, sizeof X);
    memcpy(y2, y, sizeof y);
    memcpy(X2 + N * D, X + 7 * D, D * sizeof(double));
    y2[N] = y[7];
    lml_frame *dw = make_frame(X, N, D, y, w), *dd = make_frame(X2, N + 1, D, y2, NULL);
    lml_error err = {0};
    lml_stage *lr = lml_logistic_regression_new();
    cr_assert(lml_set_string(lr, "weightCol", "weight", &err));
    cr_assert(lml_set_double(lr, "regParam", 0.05, &err));
    cr_assert(lml_set_double(lr, "tol", 1e-12, &err));
    int saved = lml_get_num_threads();
    lml_set_num_threads(1);
    lml_stage *m1 = lml_fit(lr, dw, &err);
    lml_set_num_threads(4);
    lml_stage *m4 = lml_fit(lr, dw, &err);
    lml_set_num_threads(saved);
    cr_assert(m1 && m4, "%s", err.message);
    cr_assert(lml_clear_param(lr, "weightCol", &err));
    lml_stage *md = lml_fit(lr, dd, &err);
    cr_assert(md, "%s", err.message);
    const double *c1 = lml_logistic_regression_coefficients(m1, &err), *c4 = lml_logistic_regression_coefficients(m4, &err);
    const double *cd = lml_logistic_regression_coefficients(md, &err);
    cr_expect(memcmp(c1, c4, D * sizeof(double)) == 0, "1 vs 4 threads differ");
    cr_expect_eq(lml_logistic_regression_intercept(m1, &err), lml_logistic_regression_intercept(m4, &err));
    for (size_t j = 0; j < D; j++)
        cr_expect(fabs(c1[j] - cd[j]) < 1e-7, "coef %zu: weighted %g, duplicated %g", j, c1[j], cd[j]);
    lml_stage_free(m1), lml_stage_free(m4), lml_stage_free(md), lml_stage_free(lr);
    lml_frame_free(dw), lml_frame_free(dd);
}

Test(logistic_regression, sparse_features_give_the_dense_fit)
{
    enum { N = 200, D = 5 };
    static double X[N * D], y[N];
    synth(N, D, 2, X, y);
    for (size_t i = 0; i < N; i++) /* make it genuinely sparse */
        for (size_t j = 0; j < D; j++)
            if ((i + j) % 3 == 0)
                X[i * D + j] = 0.0;
    int64_t indptr[N + 1];
    int32_t idx[N * D];
    double val[N * D];
    size_t nz = 0;
    for (size_t i = 0; i < N; i++) {
        indptr[i] = (int64_t)nz;
        for (size_t j = 0; j < D; j++)
            if (X[i * D + j] != 0.0)
                idx[nz] = (int32_t)j, val[nz++] = X[i * D + j];
    }
    indptr[N] = (int64_t)nz;
    lml_error err = {0};
    lml_frame *dense = make_frame(X, N, D, y, NULL);
    lml_column *sc = lml_column_vector_from_csr(indptr, idx, val, N, D, &err);
    cr_assert(sc, "%s", err.message);
    lml_frame *sparse = lml_frame_with_column(dense, "features", sc, &err);
    lml_column_free(sc);
    cr_assert(sparse, "%s", err.message);
    lml_stage *a = fit(dense, "auto", 0.02, 0.5, &err), *b = fit(sparse, "auto", 0.02, 0.5, &err);
    cr_assert(a && b, "%s", err.message);
    const double *ca = lml_logistic_regression_coefficients(a, &err), *cb = lml_logistic_regression_coefficients(b, &err);
    for (size_t j = 0; j < D; j++)
        cr_expect(fabs(ca[j] - cb[j]) < 1e-8, "coef %zu: %g vs %g", j, ca[j], cb[j]);
    cr_expect(fabs(lml_logistic_regression_intercept(a, &err) - lml_logistic_regression_intercept(b, &err)) < 1e-8);
    lml_frame *p = lml_transform(b, sparse, &err);
    cr_assert(p, "%s", err.message);
    lml_frame_free(p);
    lml_stage_free(a), lml_stage_free(b);
    lml_frame_free(dense), lml_frame_free(sparse);
}

static void expect_fit_error(const lml_frame *df, const char *family, const char *needle1, const char *needle2)
{
    lml_error err = {0};
    lml_stage *lr = lml_logistic_regression_new();
    cr_assert(lml_set_string(lr, "family", family, &err));
    lml_stage *m = lml_fit(lr, df, &err);
    cr_expect_null(m);
    cr_expect(err.code != LML_OK);
    cr_expect(strstr(err.message, needle1) != NULL, "'%s' not in: %s", needle1, err.message);
    if (needle2)
        cr_expect(strstr(err.message, needle2) != NULL, "'%s' not in: %s", needle2, err.message);
    cr_expect(strstr(err.message, "LogisticRegression_") != NULL, "stage not named: %s", err.message);
    lml_stage_free(m);
    lml_stage_free(lr);
}

Test(logistic_regression, bad_input_errors_name_column_and_row)
{
    double X[] = {1, 2, 3, 4}, y3[] = {0, 1, 2, 1}, yfrac[] = {0, 1, 0.5, 1}, y[] = {0, 1, 0, 1};
    lml_frame *f = make_frame(X, 4, 1, y3, NULL);
    expect_fit_error(f, "binomial", "'label' row 2", "found 3"); /* 3 classes under binomial */
    lml_frame_free(f);
    f = make_frame(X, 4, 1, yfrac, NULL);
    expect_fit_error(f, "auto", "'label' row 2", "0.5");
    lml_frame_free(f);
    double Xn[] = {1, NAN, 3, 4};
    f = make_frame(Xn, 4, 1, y, NULL);
    expect_fit_error(f, "auto", "'features' row 1", "NaN");
    lml_frame_free(f);
    f = make_frame(X, 0, 1, y, NULL);
    expect_fit_error(f, "auto", "empty", NULL);
    lml_frame_free(f);
    double wneg[] = {1, -1, 1, 1};
    f = make_frame(X, 4, 1, y, wneg);
    lml_error err = {0};
    lml_stage *lr = lml_logistic_regression_new();
    cr_assert(lml_set_string(lr, "weightCol", "weight", &err));
    cr_expect_null(lml_fit(lr, f, &err));
    cr_expect(strstr(err.message, "'weight' row 1") != NULL, "%s", err.message);
    cr_assert(lml_set_string(lr, "labelCol", "nope", &err));
    cr_expect_null(lml_fit(lr, f, &err));
    cr_expect(strstr(err.message, "nope") != NULL, "%s", err.message);
    cr_expect_eq(err.code, LML_ENOTFOUND);
    /* param checks */
    cr_expect_not(lml_set_string(lr, "family", "poisson", &err));
    cr_expect_not(lml_set_double(lr, "elasticNetParam", 1.5, &err));
    cr_expect_not(lml_set_double(lr, "regParam", -1, &err));
    const double two_zeros[] = {0, 0};
    cr_expect_not(lml_set_doubles(lr, "thresholds", two_zeros, 2, &err));
    lml_stage_free(lr);
    lml_frame_free(f);
    /* Transform on vectors of another size. */
    f = make_frame(X, 4, 1, y, NULL);
    lml_stage *m = fit(f, "auto", 0.0, 0.0, &err);
    cr_assert(m, "%s", err.message);
    double X2[] = {1, 2, 3, 4};
    lml_frame *g = make_frame(X2, 2, 2, y, NULL);
    cr_expect_null(lml_transform(m, g, &err));
    cr_expect(strstr(err.message, "size 1") != NULL && strstr(err.message, "size 2") != NULL, "%s", err.message);
    lml_frame_free(g);
    lml_stage_free(m);
    lml_frame_free(f);
}

Test(logistic_regression, default_params_are_sparks)
{
    lml_stage *lr = lml_logistic_regression_new();
    lml_error err = {0};
    cr_assert_str_eq(lml_stage_name(lr), "LogisticRegression");
    cr_assert_eq(lml_param_int(lr, "maxIter"), 100);
    cr_assert_eq(lml_param_double(lr, "tol"), 1e-6);
    cr_assert_eq(lml_param_double(lr, "threshold"), 0.5);
    cr_assert_eq(lml_param_int(lr, "aggregationDepth"), 2);
    cr_assert_str_eq(lml_param_string(lr, "family"), "auto");
    cr_assert_str_eq(lml_param_string(lr, "rawPredictionCol"), "rawPrediction");
    cr_assert(lml_param_bool(lr, "standardization") && lml_param_bool(lr, "fitIntercept"));
    cr_assert_not(lml_is_defined(lr, "weightCol"));
    cr_assert_not(lml_is_defined(lr, "thresholds"));
    cr_assert_eq(lml_logistic_regression_num_classes(lr, &err), 0);
    cr_assert_eq(err.code, LML_ETYPE);
    lml_stage_free(lr);
}

Test(logistic_regression, label_metadata_sets_the_number_of_classes)
{
    double X[] = {1, 2, 3, 4, 5, 6}, y[] = {0, 0, 1, 0, 1, 1};
    lml_frame *f = make_frame(X, 6, 1, y, NULL);
    lml_error err = {0};
    lml_frame *g = lml_frame_with_metadata(f, "label", "{\"ml_attr\":{\"type\":\"nominal\",\"vals\":[\"a\",\"b\",\"c\"]}}", &err);
    cr_assert(g, "%s", err.message);
    lml_stage *lr = lml_logistic_regression_new();
    cr_assert(lml_set_double(lr, "regParam", 0.1, &err));
    cr_assert(lml_set_int(lr, "maxIter", 30, &err));
    lml_stage *m = lml_fit(lr, g, &err);
    cr_assert(m, "%s", err.message);
    cr_expect_eq(lml_logistic_regression_num_classes(m, &err), 3);
    cr_expect(lml_logistic_regression_is_multinomial(m));
    size_t rows, cols;
    cr_expect(lml_logistic_regression_coefficient_matrix(m, &rows, &cols, &err) != NULL);
    cr_expect_eq(rows, 3);
    cr_expect_eq(cols, 1);
    lml_stage_free(m);
    /* Binomial on 3 declared classes is an error. */
    cr_assert(lml_set_string(lr, "family", "binomial", &err));
    cr_expect_null(lml_fit(lr, g, &err));
    cr_expect(strstr(err.message, "found 3") != NULL, "%s", err.message);
    lml_frame_free(g);
    /* Metadata declaring fewer classes than the labels use. */
    double y2[] = {0, 2, 1, 0, 1, 1};
    lml_frame *f2 = make_frame(X, 6, 1, y2, NULL);
    g = lml_frame_with_metadata(f2, "label", "{\"ml_attr\":{\"type\":\"binary\"}}", &err);
    cr_assert(g, "%s", err.message);
    cr_assert(lml_set_string(lr, "family", "auto", &err));
    cr_expect_null(lml_fit(lr, g, &err));
    cr_expect(strstr(err.message, "'label'") != NULL && strstr(err.message, "2 classes") != NULL, "%s", err.message);
    lml_frame_free(g), lml_frame_free(f2), lml_frame_free(f);
    lml_stage_free(lr);
}

Test(logistic_regression, null_features_are_an_error_naming_the_row)
{
    double X[] = {1, 2, 3, 4}, y[] = {0, 1, 0, 1};
    lml_error err = {0};
    lml_column *fc = lml_column_vector_from_dense(X, 4, 1, &err);
    cr_assert(fc);
    /* Mark row 2 null through the column internals (no public builder makes null vectors). */
    fc->validity = lml_aligned_calloc(1);
    cr_assert(fc->validity);
    fc->validity[0] = 0x0b; /* rows 0, 1, 3 present */
    fc->null_count = 1;
    lml_column *lc = lml_column_from_doubles(y, NULL, 4, &err);
    const char *names[] = {"features", "label"};
    lml_column *cols[] = {fc, lc};
    lml_frame *f = lml_frame_new(2, names, cols, &err);
    cr_assert(f, "%s", err.message);
    lml_column_free(fc), lml_column_free(lc);
    expect_fit_error(f, "auto", "'features' row 2", "null");
    lml_frame_free(f);
}

Test(logistic_regression, elastic_net_without_standardization_meets_kkt)
{
    /* standardization = false: the penalty is on β itself, λ[(1−α)/2 Σβ² + α Σ|β|]. KKT: for
     * β_j ≠ 0, g_j + λ(1−α)β_j + λα·sign(β_j) = 0; for β_j = 0, |g_j| ≤ λα. */
    enum { N = 500, D = 6 };
    static double X[N * D], y[N];
    synth(N, D, 2, X, y);
    for (size_t i = 0; i < N; i++) /* two pure-noise features, likely zeroed by L1 */
        X[i * D + 4] = urand() - 0.5, X[i * D + 5] = 0.1 * (urand() - 0.5);
    lml_frame *df = make_frame(X, N, D, y, NULL);
    lml_error err = {0};
    const double lambda = 0.02, alpha = 0.5;
    lml_stage *lr = lml_logistic_regression_new();
    cr_assert(lml_set_bool(lr, "standardization", false, &err));
    cr_assert(lml_set_double(lr, "regParam", lambda, &err));
    cr_assert(lml_set_double(lr, "elasticNetParam", alpha, &err));
    cr_assert(lml_set_int(lr, "maxIter", 1000, &err));
    cr_assert(lml_set_double(lr, "tol", 1e-12, &err));
    lml_stage *m = lml_fit(lr, df, &err);
    cr_assert(m, "%s", err.message);
    const double *beta = lml_logistic_regression_coefficients(m, &err);
    double b = lml_logistic_regression_intercept(m, &err), g[D] = {0}, gb = 0;
    for (size_t i = 0; i < N; i++) {
        double mg = b;
        for (size_t j = 0; j < D; j++)
            mg += beta[j] * X[i * D + j];
        double r = 1.0 / (1.0 + exp(-mg)) - y[i];
        gb += r / N;
        for (size_t j = 0; j < D; j++)
            g[j] += r * X[i * D + j] / N;
    }
    cr_expect(fabs(gb) < 1e-6, "intercept gradient %g", gb);
    size_t zeros = 0;
    for (size_t j = 0; j < D; j++) {
        if (beta[j] != 0.0) {
            double kkt = g[j] + lambda * (1 - alpha) * beta[j] + lambda * alpha * (beta[j] > 0 ? 1 : -1);
            cr_expect(fabs(kkt) < 1e-6, "feature %zu: β %g, KKT residual %g", j, beta[j], kkt);
        } else {
            zeros++;
            cr_expect(fabs(g[j]) <= lambda * alpha + 1e-9, "feature %zu at 0 with |g| %g > λα", j, fabs(g[j]));
        }
    }
    cr_expect_gt(zeros, 0, "the noise features should be exactly zero");
    lml_stage_free(m);
    lml_stage_free(lr);
    lml_frame_free(df);
}

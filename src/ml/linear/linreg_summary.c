/* LinearRegressionTrainingSummary (spec §8.4): RegressionMetrics (§10.3) on the training rows with
 * throughOrigin = !fitIntercept, plus the normal solver's standard errors, t and p values. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "linreg_internal.h"

void lml_linreg_summary_clear(lml_linear_regression_summary *s)
{
    if (!s)
        return;
    free((void *)s->objective_history);
    free((void *)s->coefficient_standard_errors);
    memset(s, 0, sizeof *s);
}

bool lml_linreg_summarize(const lml_linreg_data *dt, const lml_linreg_fit *fit, bool fit_intercept,
                          lml_linear_regression_summary *s, lml_error *err)
{
    memset(s, 0, sizeof *s);
    size_t n = dt->n, d = dt->d;
    /* First pass: weighted means of the label (for SStot and explained variance). */
    double W = 0, W2 = 0, sy = 0;
    for (size_t i = 0; i < n; i++) {
        double w = dt->w ? dt->w[i] : 1.0;
        W += w;
        W2 += w * w;
        sy += w * dt->y[i];
    }
    double ymean = sy / W;
    double sse = 0, sae = 0, syy = 0, m2 = 0, sreg = 0, rsum = 0;
    double rmin = INFINITY, rmax = -INFINITY, dmin = INFINITY, dmax = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double w = dt->w ? dt->w[i] : 1.0;
        double yhat = lml_linreg_predict_row(dt, i, fit->coef, fit->intercept);
        double e = dt->y[i] - yhat;
        sse += w * e * e;
        sae += w * fabs(e);
        syy += w * dt->y[i] * dt->y[i];
        m2 += w * (dt->y[i] - ymean) * (dt->y[i] - ymean);
        sreg += w * (yhat - ymean) * (yhat - ymean);
        rsum += e;
        rmin = fmin(rmin, e);
        rmax = fmax(rmax, e);
        double de = sqrt(w) * e;
        dmin = fmin(dmin, de);
        dmax = fmax(dmax, de);
    }
    s->mean_squared_error = sse / W;
    s->root_mean_squared_error = sqrt(s->mean_squared_error);
    s->mean_absolute_error = sae / W;
    s->explained_variance = sreg / W;
    /* RegressionMetrics' SStot: the weighted unbiased variance times (W − 1), which is Σw(y − ȳ)²
     * for unit weights. */
    double denom = W - W2 / W;
    double sstot = denom > 0 ? m2 / denom * (W - 1.0) : 0.0;
    s->r2 = fit_intercept ? 1.0 - sse / sstot : 1.0 - sse / syy;
    int64_t d0 = fit_intercept ? 1 : 0;
    s->num_instances = (int64_t)n;
    s->degrees_of_freedom = (int64_t)n - (int64_t)d - d0;
    s->r2adj = 1.0 - (1.0 - s->r2) * (double)((int64_t)n - d0) / (double)s->degrees_of_freedom;
    s->deviance_residuals[0] = dmin;
    s->deviance_residuals[1] = dmax;
    s->residual_min = rmin;
    s->residual_max = rmax;
    s->residual_mean = rsum / (double)n;
    double *hist = malloc(fit->nhistory * sizeof(double));
    if (!hist)
        return lml_error_set(err, LML_ENOMEM, "LinearRegression summary: out of memory");
    memcpy(hist, fit->history, fit->nhistory * sizeof(double));
    s->objective_history = hist;
    s->objective_history_len = fit->nhistory;
    s->total_iterations = (int)fit->nhistory - 1;
    if (fit->diag_inv) {
        size_t k = fit->ndiag;
        double *st = malloc(3 * k * sizeof(double));
        if (!st) {
            lml_linreg_summary_clear(s);
            return lml_error_set(err, LML_ENOMEM, "LinearRegression summary: out of memory");
        }
        /* Spark: σ² = weighted RSS / degreesOfFreedom; se = √(diag((X'WX)⁻¹) σ²). */
        double sigma2 = sse / (double)s->degrees_of_freedom;
        double dof = (double)s->degrees_of_freedom;
        for (size_t j = 0; j < k; j++) {
            double est = j < d ? fit->coef[j] : fit->intercept;
            double se = sqrt(fit->diag_inv[j] * sigma2);
            double t = est / se;
            st[j] = se;
            st[k + j] = t;
            /* 2·Q(|t|) is Spark's 2·(1 − cdf(|t|)) without the cancellation for large |t|. */
            st[2 * k + j] = isnan(t) || !(dof > 0) ? NAN : 2.0 * gsl_cdf_tdist_Q(fabs(t), dof);
        }
        s->coefficient_standard_errors = st;
        s->t_values = st + k;
        s->p_values = st + 2 * k;
        s->num_stats = k;
    }
    return true;
}

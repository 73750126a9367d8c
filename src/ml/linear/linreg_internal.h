/* LinearRegression internals shared by linreg.c (stage), linreg_normal.c (solvers) and
 * linreg_summary.c (training summary). Never installed. */
#ifndef LML_ML_LINREG_INTERNAL_H
#define LML_ML_LINREG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include "lakeml/ml/regression.h"

/* Training rows as plain arrays, validated: labels and features finite, weights >= 0. */
typedef struct lml_linreg_data {
    size_t n, d;
    const double *X;        /* dense row-major n × d, or NULL for CSR */
    const int64_t *indptr;  /* CSR (when X is NULL) */
    const int32_t *indices;
    const double *values;
    const double *y;        /* n labels */
    const double *w;        /* n weights, or NULL for all 1 */
} lml_linreg_data;

typedef enum lml_linreg_solver { LML_LINREG_AUTO = 0, LML_LINREG_NORMAL, LML_LINREG_LBFGS } lml_linreg_solver;

typedef struct lml_linreg_options {
    lml_linreg_solver solver;
    double reg, alpha, tol;
    int max_iter;
    bool fit_intercept, standardization;
} lml_linreg_options;

/* The result of a fit (all arrays malloc'd; release with lml_linreg_fit_clear). */
typedef struct lml_linreg_fit {
    double *coef; /* d */
    double intercept;
    double scale; /* 1.0, or Huber's σ */
    double *history;
    size_t nhistory;
    /* Spark's diagInvAtWA: diag((X'WX)⁻¹) in original units (d, then the intercept), or NULL when
     * the solver was not Cholesky. */
    double *diag_inv;
    size_t ndiag;
} lml_linreg_fit;

/* Fits squared-error linear regression (spec §8.2–8.3) on validated data. */
bool lml_linreg_solve(const lml_linreg_data *data, const lml_linreg_options *o, lml_linreg_fit *out,
                      lml_error *err);
void lml_linreg_fit_clear(lml_linreg_fit *f);
/* Huber loss (Spark's robust regression; α must be 0), L-BFGS over (β', b, σ); o->solver is
 * ignored, the caller rejects "normal". */
bool lml_linreg_solve_huber(const lml_linreg_data *data, const lml_linreg_options *o, double epsilon,
                            lml_linreg_fit *out, lml_error *err);
/* Weighted means and Spark's Summarizer (sample, ÷(W − Σw²/W)) stds of the features (d each) and
 * of the label; *W receives Σw. */
void lml_linreg_row_moments(const lml_linreg_data *data, double *mean, double *sd, double *W, double *ymean,
                            double *ysd);

/* β·x_i + b for row i. */
double lml_linreg_predict_row(const lml_linreg_data *data, size_t i, const double *coef, double intercept);

/* Fills the summary's metrics from the training data and the fit (standard errors from
 * fit->diag_inv when present). Arrays in *s are malloc'd: release with lml_linreg_summary_clear. */
bool lml_linreg_summarize(const lml_linreg_data *data, const lml_linreg_fit *fit, bool fit_intercept,
                          lml_linear_regression_summary *s, lml_error *err);
void lml_linreg_summary_clear(lml_linear_regression_summary *s);

#endif

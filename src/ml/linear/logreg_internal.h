/* LogisticRegression internals shared by logreg.c (stage, transform, accessors), logreg_fit.c
 * (checks, statistics, optimisation) and logreg_loss.c (the fused loss/gradient pass). */
#ifndef LML_ML_LOGREG_INTERNAL_H
#define LML_ML_LOGREG_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ml/stage_internal.h"

/* The learned state of a LogisticRegressionModel (immutable, reference-counted). */
typedef struct lml_logreg_state {
    atomic_long refs;
    bool multinomial;
    size_t num_classes;  /* K */
    size_t d;            /* features */
    size_t rows;         /* 1 (binomial) or K */
    double *coef;        /* rows × d, row-major */
    double *intercept;   /* rows */
    double *history;     /* objective history */
    size_t nhistory;
    double auc;          /* binomial training areaUnderROC, else NaN */
} lml_logreg_state;

void lml_logreg_state_release(void *state);

/* The training rows as the loss reads them: features dense (n × d row-major) or CSR. */
typedef struct lml_lr_data {
    size_t n, d;
    const double *dense;
    const int64_t *indptr;
    const int32_t *indices;
    const double *values;
    double *y;    /* labels, owned */
    double *w;    /* weights, owned (all 1 when no weightCol) */
    double wsum;
} lml_lr_data;

/* The smooth part of Spark's objective in the standardised space (spec §7.3). Parameters are
 * laid out as [rows × d coefficients β' (row-major), then `rows` intercepts when fitting one]. */
typedef struct lml_lr_problem {
    const lml_lr_data *data;
    size_t rows;          /* 1 binomial, K multinomial */
    bool multinomial;
    bool fit_intercept;
    const double *mean;   /* d; used for virtual centring when fit_intercept */
    const double *invstd; /* d; 1/σ_j, 0 when σ_j = 0 */
    double l2;            /* λ(1 − α) */
    bool standardization;
    /* scratch, set up by lml_lr_problem_init */
    size_t nparams, block_rows, nblocks, stride;
    double *partial;      /* nblocks × stride: per-block gradient sums, multiplier sums, loss */
    double *coef_scaled;  /* rows × d: β'_kj / σ_j */
    double *offset;       /* rows: b_k − Σ_j β'_kj μ_j / σ_j */
    double *scratch;      /* per worker: chunk × rows margins */
    int nworkers;
} lml_lr_problem;

bool lml_lr_problem_init(lml_lr_problem *p, lml_error *err);
void lml_lr_problem_free(lml_lr_problem *p);
/* The objective and its gradient at x (lml_optim_fn signature; ctx is the problem). */
double lml_lr_objective(const double *x, double *grad, void *ctx);

/* Spark's areaUnderROC of BinaryClassificationMetrics with numBins bins (spec §10.1): scores,
 * labels (positive iff > 0.5) and weights (NULL → 1). NaN when out of memory. */
double lml_lr_area_under_roc(const double *score, const double *label, const double *w, size_t n, size_t num_bins);

/* Fits LogisticRegression with the params of `est` on df: returns the model state or NULL with
 * err set (errors name the stage, the column and the row). */
lml_logreg_state *lml_logreg_fit_state(const lml_stage *est, const lml_frame *df, lml_error *err);

/* The model's margins for one row of d features (dense x): out[rows]. */
void lml_logreg_margins_dense(const lml_logreg_state *s, const double *x, double *out);

/* How a model turns margins into a prediction: a multinomial model takes the argmax of
 * probability / thresholds (th, borrowed) or of the margins (th NULL); a binomial one compares its
 * margin with cutoff = log(t / (1 − t)) for the threshold t, or predicts 1 always (t ≤ 0, rule 1)
 * or 0 always (t ≥ 1, rule 2). */
typedef struct lml_logreg_rule {
    const double *th;
    int binary_rule; /* 0: margin > cutoff */
    double cutoff;
} lml_logreg_rule;
/* The rule of model `self` with state s from its threshold / thresholds params, with Spark's
 * checks (LML_EINVAL: thresholds of the wrong length, threshold and thresholds that disagree). */
bool lml_logreg_rule_of(const lml_stage *self, const lml_logreg_state *s, lml_logreg_rule *r, lml_error *err);
/* rawPrediction (K), probability (K) and prediction of one row from its margins m (1 for a
 * binomial model, K for a multinomial one; m may be raw). Shared with the embedded scorer so the
 * two give the same bits. */
void lml_logreg_outputs(bool multinomial, size_t K, const double *m, const lml_logreg_rule *r, double *raw,
                        double *prob, double *pred);

#endif

/* LogisticRegression.fit: data checks and class count (spec §7.2), feature statistics, the
 * initial point and optimiser choice (§7.4), special cases (§7.5) and the map back from the
 * standardised space. */
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/internal.h"
#include "ml/attr.h"
#include "ml/linear/logreg_internal.h"
#include "ml/optim/optim.h"

static bool fail(lml_error *err, const lml_stage *est, lml_errcode code, const char *msg)
{
    return lml_error_set(err, code, "%s: %s", est->uid, msg);
}

/* Reads the features (a vector column without nulls or non-finite values). */
static bool read_features(const lml_stage *est, const lml_frame *df, lml_lr_data *D, lml_error *err)
{
    const char *name = lml_param_string(est, "featuresCol");
    const lml_column *c = lml_frame_column_by_name(df, name, err);
    if (!c) {
        lml_error_prefix(err, "%s: featuresCol", est->uid);
        return false;
    }
    if (lml_column_type(c) != LML_VECTOR)
        return lml_error_set(err, LML_ETYPE, "%s: column '%s' must be a vector column, got %s", est->uid, name,
                             lml_type_name(lml_column_type(c)));
    size_t n = lml_column_length(c), d = lml_column_vector_size(c);
    if (lml_column_null_count(c) > 0)
        for (size_t i = 0; i < n; i++)
            if (lml_column_is_null(c, i))
                return lml_error_set(err, LML_EINVAL, "%s: column '%s' row %zu: features are null", est->uid, name, i);
    D->n = n;
    D->d = d;
    if (lml_column_vector_is_sparse(c)) {
        D->indptr = lml_column_vector_indptr(c);
        D->indices = lml_column_vector_indices(c);
        D->values = lml_column_vector_values(c);
        for (size_t i = 0; i < n; i++)
            for (int64_t z = D->indptr[i]; z < D->indptr[i + 1]; z++)
                if (!isfinite(D->values[z]))
                    return lml_error_set(err, LML_EINVAL, "%s: column '%s' row %zu: feature %d is %g (NaN and infinity "
                                         "are not allowed)", est->uid, name, i, D->indices[z], D->values[z]);
    } else {
        D->dense = lml_column_vector_dense(c);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++)
                if (!isfinite(D->dense[i * d + j]))
                    return lml_error_set(err, LML_EINVAL, "%s: column '%s' row %zu: feature %zu is %g (NaN and infinity "
                                         "are not allowed)", est->uid, name, i, j, D->dense[i * d + j]);
    }
    return true;
}

static const lml_column *numeric_col(const lml_stage *est, const lml_frame *df, const char *param, long *idx,
                                     lml_error *err)
{
    const char *name = lml_param_string(est, param);
    const lml_column *c = lml_frame_column_by_name(df, name, err);
    if (!c) {
        lml_error_prefix(err, "%s: %s", est->uid, param);
        return NULL;
    }
    lml_type t = lml_column_type(c);
    if (t != LML_DOUBLE && t != LML_INT32 && t != LML_INT64) {
        lml_error_set(err, LML_ETYPE, "%s: column '%s' (%s) must be numeric, got %s", est->uid, name, param,
                      lml_type_name(t));
        return NULL;
    }
    *idx = lml_frame_column_index(df, name);
    return c;
}

/* Labels and weights; *num_classes from the label metadata or max label + 1. */
static bool read_labels(const lml_stage *est, const lml_frame *df, lml_lr_data *D, size_t *num_classes,
                        lml_error *err)
{
    long li;
    const lml_column *lc = numeric_col(est, df, "labelCol", &li, err);
    if (!lc)
        return false;
    const char *lname = lml_frame_column_name(df, (size_t)li);
    size_t n = D->n;
    D->y = malloc((n ? n : 1) * sizeof(double));
    D->w = malloc((n ? n : 1) * sizeof(double));
    if (!D->y || !D->w)
        return fail(err, est, LML_ENOMEM, "out of memory for labels");
    double maxl = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (lml_column_is_null(lc, i))
            return lml_error_set(err, LML_EINVAL, "%s: column '%s' row %zu: label is null", est->uid, lname, i);
        double y = lml_column_get_double(lc, i);
        if (!(y >= 0) || y != floor(y) || y > 2147483647.0)
            return lml_error_set(err, LML_EINVAL, "%s: column '%s' row %zu: label %g is not a class index (labels must "
                                 "be integers >= 0)", est->uid, lname, i, y);
        D->y[i] = y;
        maxl = fmax(maxl, y);
    }
    const char *wname = lml_param_string(est, "weightCol");
    D->wsum = 0.0;
    if (wname && *wname) {
        long wi;
        const lml_column *wc = numeric_col(est, df, "weightCol", &wi, err);
        if (!wc)
            return false;
        for (size_t i = 0; i < n; i++) {
            double w = lml_column_is_null(wc, i) ? NAN : lml_column_get_double(wc, i);
            if (!(w >= 0) || !isfinite(w))
                return lml_error_set(err, LML_EINVAL, "%s: column '%s' row %zu: weight %g must be finite and >= 0",
                                     est->uid, wname, i, w);
            D->w[i] = w;
            D->wsum += w;
        }
        if (!(D->wsum > 0))
            return lml_error_set(err, LML_EINVAL, "%s: column '%s': the weights sum to 0", est->uid, wname);
    } else {
        for (size_t i = 0; i < n; i++)
            D->w[i] = 1.0;
        D->wsum = (double)n;
    }
    lml_error e2 = {0};
    long meta = lml_attr_num_values(lml_frame_column_metadata(df, (size_t)li), &e2);
    if (meta == -2)
        return lml_error_set(err, e2.code, "%s: column '%s': %s", est->uid, lname, e2.message);
    size_t k = (size_t)maxl + 1;
    if (meta >= 0) {
        if ((size_t)meta < k)
            return lml_error_set(err, LML_EINVAL, "%s: column '%s': its metadata declares %ld classes but the label %g "
                                 "occurs", est->uid, lname, meta, maxl);
        k = (size_t)meta;
    }
    *num_classes = k;
    return true;
}

/* Weighted mean and sample standard deviation of every feature (Spark's Summarizer: the
 * unbiased variance with reliability weights, Σw − Σw²/Σw in the denominator). */
static bool feature_stats(const lml_lr_data *D, double *mean, double *invstd, double *std)
{
    size_t n = D->n, d = D->d;
    double *s1 = calloc(d ? d : 1, sizeof(double)), *s2 = calloc(d ? d : 1, sizeof(double));
    if (!s1 || !s2) {
        free(s1), free(s2);
        return false;
    }
    double W = D->wsum, W2 = 0.0;
    for (size_t i = 0; i < n; i++)
        W2 += D->w[i] * D->w[i];
    for (size_t i = 0; i < n; i++)
        if (D->dense) {
            for (size_t j = 0; j < d; j++)
                s1[j] += D->w[i] * D->dense[i * d + j];
        } else {
            for (int64_t z = D->indptr[i]; z < D->indptr[i + 1]; z++)
                s1[D->indices[z]] += D->w[i] * D->values[z];
        }
    for (size_t j = 0; j < d; j++)
        mean[j] = s1[j] / W;
    /* Second pass about the mean for accuracy; implicit sparse zeros contribute w·μ². */
    for (size_t i = 0; i < n; i++)
        if (D->dense) {
            for (size_t j = 0; j < d; j++) {
                double t = D->dense[i * d + j] - mean[j];
                s2[j] += D->w[i] * t * t;
            }
        } else {
            for (int64_t z = D->indptr[i]; z < D->indptr[i + 1]; z++) {
                size_t j = (size_t)D->indices[z];
                double t = D->values[z] - mean[j];
                s2[j] += D->w[i] * (t * t - mean[j] * mean[j]);
            }
        }
    double denom = W - W2 / W;
    for (size_t j = 0; j < d; j++) {
        if (!D->dense)
            s2[j] += W * mean[j] * mean[j];
        double var = denom > 0 ? s2[j] / denom : 0.0;
        std[j] = var > 0 ? sqrt(var) : 0.0;
        invstd[j] = std[j] > 0 ? 1.0 / std[j] : 0.0;
    }
    free(s1), free(s2);
    return true;
}

static lml_logreg_state *state_new(bool multinomial, size_t K, size_t d)
{
    size_t cells;
    if (!lml_mul_ok(multinomial ? K : 1, d, &cells) || cells > SIZE_MAX / sizeof(double))
        return NULL;
    lml_logreg_state *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    atomic_init(&s->refs, 1);
    s->multinomial = multinomial;
    s->num_classes = K;
    s->d = d;
    s->rows = multinomial ? K : 1;
    s->coef = calloc(cells > 0 ? cells : 1, sizeof(double));
    s->intercept = calloc(s->rows, sizeof(double));
    s->auc = NAN;
    if (!s->coef || !s->intercept) {
        lml_logreg_state_release(s);
        return NULL;
    }
    return s;
}

/* Binomial training AUC, scored by probability[1] with 100 bins (spec §7.7). */
static double training_auc(const lml_logreg_state *s, const lml_lr_data *D)
{
    double *score = malloc((D->n ? D->n : 1) * sizeof(double));
    if (!score)
        return NAN;
    for (size_t i = 0; i < D->n; i++) {
        double m = s->intercept[0];
        if (D->dense)
            for (size_t j = 0; j < D->d; j++)
                m += s->coef[j] * D->dense[i * D->d + j];
        else
            for (int64_t z = D->indptr[i]; z < D->indptr[i + 1]; z++)
                m += s->coef[D->indices[z]] * D->values[z];
        score[i] = 1.0 - 1.0 / (1.0 + exp(m));
    }
    double auc = lml_lr_area_under_roc(score, D->y, D->w, D->n, 100);
    free(score);
    return auc;
}

static bool check_family(const lml_stage *est, const lml_lr_data *D, size_t K, bool *multinomial, lml_error *err)
{
    const char *family = lml_param_string(est, "family");
    if (strcasecmp(family, "binomial") == 0) {
        if (K > 2) {
            const char *lname = lml_param_string(est, "labelCol");
            for (size_t i = 0; i < D->n; i++)
                if (D->y[i] > 1.0)
                    return lml_error_set(err, LML_EINVAL, "%s: column '%s' row %zu: label %g is not 0 or 1; Binomial "
                                         "family only supports 1 or 2 outcome classes but found %zu", est->uid, lname, i,
                                         D->y[i], K);
            return lml_error_set(err, LML_EINVAL, "%s: Binomial family only supports 1 or 2 outcome classes but found %zu "
                                 "(column '%s' metadata)", est->uid, K, lname);
        }
        *multinomial = false;
    } else {
        *multinomial = strcasecmp(family, "multinomial") == 0 || K > 2;
    }
    size_t nt = 0;
    const double *t = lml_get_doubles(est, "thresholds", &nt, NULL);
    if (lml_is_set(est, "thresholds") && nt > 0) {
        if (!*multinomial && nt != 2)
            return lml_error_set(err, LML_EINVAL, "%s: binary classification needs thresholds of length 2, got %zu",
                                 est->uid, nt);
        if (*multinomial && nt != K)
            return lml_error_set(err, LML_EINVAL, "%s: thresholds has length %zu but there are %zu classes", est->uid, nt, K);
        if (!*multinomial && lml_is_set(est, "threshold")) {
            double th = lml_param_double(est, "threshold"), tt = 1.0 / (1.0 + t[0] / t[1]);
            if (fabs(th - tt) > 1e-5)
                return lml_error_set(err, LML_EINVAL, "%s: inconsistent values for threshold (%g) and thresholds (equivalent "
                                     "to %g)", est->uid, th, tt);
        }
    }
    return true;
}

static bool optimise(const lml_stage *est, lml_lr_data *D, lml_logreg_state *s, const double *hist,
                     const double *mean, const double *invstd, lml_error *err)
{
    size_t d = D->d, R = s->rows;
    bool fi = lml_param_bool(est, "fitIntercept"), stdz = lml_param_bool(est, "standardization");
    double lambda = lml_param_double(est, "regParam"), alpha = lml_param_double(est, "elasticNetParam");
    lml_lr_problem p = {.data = D, .rows = R, .multinomial = s->multinomial, .fit_intercept = fi, .mean = mean,
                        .invstd = invstd, .l2 = lambda * (1.0 - alpha), .standardization = stdz};
    if (!lml_lr_problem_init(&p, err))
        return false;
    double *x = calloc(p.nparams ? p.nparams : 1, sizeof(double));
    double *l1 = lambda * alpha > 0 ? calloc(p.nparams ? p.nparams : 1, sizeof(double)) : NULL;
    bool ok = false;
    if (!x || (lambda * alpha > 0 && !l1)) {
        fail(err, est, LML_ENOMEM, "out of memory for the coefficients");
        goto done;
    }
    if (l1)
        for (size_t k = 0; k < R; k++)
            for (size_t j = 0; j < d; j++)
                l1[k * d + j] = stdz ? lambda * alpha : lambda * alpha * invstd[j];
    if (fi) {
        if (!s->multinomial) {
            x[d] = log(hist[1] / hist[0]);
        } else {
            double mu = 0.0;
            for (size_t k = 0; k < R; k++)
                mu += (x[R * d + k] = log1p(hist[k])) / (double)R;
            for (size_t k = 0; k < R; k++)
                x[R * d + k] -= mu;
        }
    }
    lml_optim_options o = {.max_iter = (int)lml_param_int(est, "maxIter"), .tol = lml_param_double(est, "tol"),
                           .history = 10, .l1 = l1};
    lml_optim_result res;
    if (!lml_optim_minimize(p.nparams, x, lml_lr_objective, &p, &o, &res, err)) {
        lml_error_prefix(err, "%s", est->uid);
        goto done;
    }
    s->history = res.history;
    s->nhistory = res.nhistory;
    for (size_t k = 0; k < R; k++) {
        double b = fi ? x[R * d + k] : 0.0;
        for (size_t j = 0; j < d; j++) {
            double c = x[k * d + j] * invstd[j];
            s->coef[k * d + j] = c;
            if (fi)
                b -= c * mean[j];
        }
        s->intercept[k] = b;
    }
    ok = true;
done:
    lml_lr_problem_free(&p);
    free(x), free(l1);
    return ok;
}

/* Multinomial without bounds: centre coefficients per feature when λ = 0 (the objective is then
 * invariant to adding a constant per feature) and intercepts always (spec §7.5). */
static void centre(lml_logreg_state *s, double lambda, bool fi)
{
    size_t K = s->rows, d = s->d;
    if (lambda == 0.0)
        for (size_t j = 0; j < d; j++) {
            double mu = 0.0;
            for (size_t k = 0; k < K; k++)
                mu += s->coef[k * d + j] / (double)K;
            for (size_t k = 0; k < K; k++)
                s->coef[k * d + j] -= mu;
        }
    if (fi) {
        double mu = 0.0;
        for (size_t k = 0; k < K; k++)
            mu += s->intercept[k] / (double)K;
        for (size_t k = 0; k < K; k++)
            s->intercept[k] -= mu;
    }
}

lml_logreg_state *lml_logreg_fit_state(const lml_stage *est, const lml_frame *df, lml_error *err)
{
    lml_lr_data D = {0};
    lml_logreg_state *s = NULL;
    double *buf = NULL;
    size_t K = 0;
    bool multinomial = false;
    if (lml_frame_num_rows(df) == 0) {
        fail(err, est, LML_EINVAL, "the training data is empty (0 rows)");
        goto out;
    }
    if (!read_features(est, df, &D, err) || !read_labels(est, df, &D, &K, err) || !check_family(est, &D, K, &multinomial, err))
        goto out;
    size_t d = D.d, nh = K < 2 ? 2 : K;
    buf = calloc(3 * d + nh + 1, sizeof(double));
    s = state_new(multinomial, K, d);
    if (!buf || !s) {
        fail(err, est, LML_ENOMEM, "out of memory");
        goto fail;
    }
    double *mean = buf, *invstd = buf + d, *std = buf + 2 * d, *hist = buf + 3 * d;
    if (!feature_stats(&D, mean, invstd, std)) {
        fail(err, est, LML_ENOMEM, "out of memory for feature statistics");
        goto fail;
    }
    for (size_t i = 0; i < D.n; i++)
        hist[(size_t)D.y[i]] += D.w[i];
    size_t present = 0, which = 0;
    for (size_t k = 0; k < nh; k++)
        if (hist[k] != 0.0)
            present++, which = k;
    bool fi = lml_param_bool(est, "fitIntercept");
    if (fi && present == 1) {
        /* One class only: the MLE puts all mass on it; no optimisation (spec §7.5). Spark writes
         * +∞ when numClasses == 2 (the class present is then 1); we use the class present. */
        s->history = malloc(sizeof(double));
        if (!s->history) {
            fail(err, est, LML_ENOMEM, "out of memory");
            goto fail;
        }
        s->history[0] = 0.0;
        s->nhistory = 1;
        if (multinomial)
            s->intercept[which] = INFINITY;
        else
            s->intercept[0] = which == 1 ? INFINITY : -INFINITY;
    } else {
        /* BLAS runs single-threaded inside the library's parallel regions (GUIDE §3). */
        openblas_set_num_threads(1);
        if (!optimise(est, &D, s, hist, mean, invstd, err))
            goto fail;
        if (multinomial)
            centre(s, lml_param_double(est, "regParam"), fi);
    }
    if (!multinomial)
        s->auc = training_auc(s, &D);
    goto out;
fail:
    lml_logreg_state_release(s);
    s = NULL;
out:
    free(D.y), free(D.w), free(buf);
    return s;
}

/* LinearRegression solvers (spec §8.2–8.3). Squared-error loss is a quadratic in the
 * coefficients, so one parallel pass builds the weighted Gram matrix of [x, y, 1] and every solver
 * works from it: Cholesky on the standardized normal equations (Spark's WeightedLeastSquares,
 * population stds), or L-BFGS / OWL-QN on the same quadratic (WLS's quasi-Newton path with L1,
 * and the l-bfgs solver with sample stds). Centring is done on the Gram matrix, which gives the
 * optimum Spark gets by solving for the unpenalised intercept alongside the coefficients. */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../../core/internal.h"
#include "../optim/optim.h"
#include "linreg_internal.h"

/* Spark's WeightedLeastSquares.MAX_NUM_FEATURES. */
#define LINREG_MAX_NORMAL_FEATURES 4096
#define BLOCK_ROWS 256
/* Per-chunk partial Gram matrices are capped at this many bytes in total. */
#define GRAM_PARTIAL_BYTES ((size_t)256 << 20)

/* OpenBLAS's thread control (declared by its cblas.h, not by the reference one). */
extern void openblas_set_num_threads(int n);
extern int openblas_get_num_threads(void);

double lml_linreg_predict_row(const lml_linreg_data *data, size_t i, const double *coef, double intercept)
{
    double s = intercept;
    if (data->X) {
        const double *x = data->X + i * data->d;
        for (size_t j = 0; j < data->d; j++)
            s += coef[j] * x[j];
    } else {
        for (int64_t p = data->indptr[i]; p < data->indptr[i + 1]; p++)
            s += coef[data->indices[p]] * data->values[p];
    }
    return s;
}

void lml_linreg_fit_clear(lml_linreg_fit *f)
{
    if (!f)
        return;
    free(f->coef);
    free(f->history);
    free(f->diag_inv);
    memset(f, 0, sizeof *f);
}

/* ---- the Gram pass */

typedef struct gram_ctx {
    const lml_linreg_data *data;
    size_t k; /* d + 2: features, label, constant 1 */
    size_t rows_per_chunk;
    const double *shift; /* d + 1: row 0's features and label, subtracted for accuracy */
    double *partial;     /* nchunks × k × k, upper triangles */
    double *bufs;        /* one BLOCK_ROWS × k buffer per worker */
} gram_ctx;

static void gram_task(void *vctx, size_t task, int worker)
{
    gram_ctx *c = vctx;
    const lml_linreg_data *dt = c->data;
    size_t k = c->k, d = dt->d;
    size_t lo = task * c->rows_per_chunk, hi = lo + c->rows_per_chunk;
    if (hi > dt->n)
        hi = dt->n;
    double *G = c->partial + task * k * k;
    double *buf = c->bufs + (size_t)worker * BLOCK_ROWS * k;
    for (size_t r0 = lo; r0 < hi; r0 += BLOCK_ROWS) {
        size_t nb = hi - r0 < BLOCK_ROWS ? hi - r0 : BLOCK_ROWS;
        for (size_t r = 0; r < nb; r++) {
            size_t i = r0 + r;
            double sw = dt->w ? sqrt(dt->w[i]) : 1.0;
            double *row = buf + r * k;
            if (dt->X) {
                const double *x = dt->X + i * d;
                for (size_t j = 0; j < d; j++)
                    row[j] = (x[j] - c->shift[j]) * sw;
            } else {
                for (size_t j = 0; j < d; j++)
                    row[j] = -c->shift[j] * sw;
                for (int64_t p = dt->indptr[i]; p < dt->indptr[i + 1]; p++)
                    row[dt->indices[p]] += dt->values[p] * sw;
            }
            row[d] = (dt->y[i] - c->shift[d]) * sw;
            row[d + 1] = sw;
        }
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)k, (int)nb, 1.0, buf, (int)k, 1.0, G, (int)k);
    }
}

/* Weighted moments of [x, y]: means (d + 1) and the centred covariance (d + 1)², divided by W. */
typedef struct moments {
    double W, W2;
    double *mean;
    double *cov;
} moments;

static bool compute_moments(const lml_linreg_data *dt, moments *mo, lml_error *err)
{
    size_t d = dt->d, k = d + 2, kk, part_bytes;
    if (!lml_mul_ok(k, k, &kk) || !lml_mul_ok(kk, sizeof(double), &part_bytes))
        return lml_error_set(err, LML_ENOMEM, "LinearRegression: %zu features is too many", d);
    /* The chunk count depends on n and d only, so the fixed-order sum below does not depend on
     * the number of threads. */
    size_t nchunks = (dt->n + 4095) / 4096;
    size_t cap = GRAM_PARTIAL_BYTES / part_bytes;
    if (nchunks > cap)
        nchunks = cap ? cap : 1;
    if (nchunks > 256)
        nchunks = 256;
    size_t rpc = (dt->n + nchunks - 1) / nchunks;
    nchunks = (dt->n + rpc - 1) / rpc;
    int workers = lml_pool_size();
    if (workers < 1)
        workers = 1;
    double *shift = calloc(d + 1, sizeof(double));
    if (!shift)
        return lml_error_set(err, LML_ENOMEM, "LinearRegression: out of memory");
    if (dt->X)
        memcpy(shift, dt->X, d * sizeof(double));
    else
        for (int64_t p = dt->indptr[0]; p < dt->indptr[1]; p++)
            shift[dt->indices[p]] = dt->values[p];
    shift[d] = dt->y[0];

    gram_ctx c = {.data = dt, .k = k, .rows_per_chunk = rpc, .shift = shift};
    c.partial = calloc(nchunks * kk, sizeof(double));
    c.bufs = malloc((size_t)workers * BLOCK_ROWS * k * sizeof(double));
    mo->mean = malloc((d + 1) * sizeof(double));
    mo->cov = malloc((d + 1) * (d + 1) * sizeof(double));
    if (!c.partial || !c.bufs || !mo->mean || !mo->cov) {
        free(c.partial);
        free(c.bufs);
        free(shift);
        return lml_error_set(err, LML_ENOMEM, "LinearRegression: out of memory for the Gram matrix (%zu features)", d);
    }
    /* BLAS stays single-threaded inside the pool's tasks (GUIDE §3). */
    int blas_threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    lml_parallel_for(nchunks, gram_task, &c);
    openblas_set_num_threads(blas_threads);
    double *G = c.partial;
    for (size_t t = 1; t < nchunks; t++) {
        const double *P = c.partial + t * kk;
        for (size_t a = 0; a < k; a++)
            for (size_t b = a; b < k; b++)
                G[a * k + b] += P[a * k + b];
    }
    free(c.bufs);
    double W = G[(d + 1) * k + d + 1];
    if (!(W > 0)) {
        free(c.partial);
        free(shift);
        return lml_error_set(err, LML_EINVAL, "LinearRegression: the sum of the weights is 0");
    }
    mo->W = W;
    if (dt->w) {
        mo->W2 = 0;
        for (size_t i = 0; i < dt->n; i++)
            mo->W2 += dt->w[i] * dt->w[i];
    } else {
        mo->W2 = (double)dt->n;
    }
    for (size_t a = 0; a <= d; a++)
        mo->mean[a] = shift[a] + G[a * k + d + 1] / W;
    for (size_t a = 0; a <= d; a++)
        for (size_t b = a; b <= d; b++) {
            double v = (G[a * k + b] - G[a * k + d + 1] * G[b * k + d + 1] / W) / W;
            if (a == b && v < 0)
                v = 0; /* rounding of a constant column */
            mo->cov[a * (d + 1) + b] = mo->cov[b * (d + 1) + a] = v;
        }
    free(c.partial);
    free(shift);
    return true;
}

/* ---- the quadratic ½ c0 − b'β + ½ β'Aβ over the active (non-constant) features */

typedef struct quad {
    size_t m;
    double *A, *b;
    double c0;
} quad;

static double quad_fn(const double *x, double *grad, void *vctx)
{
    const quad *q = vctx;
    cblas_dsymv(CblasRowMajor, CblasUpper, (int)q->m, 1.0, q->A, (int)q->m, x, 1, 0.0, grad, 1);
    double f = 0.5 * q->c0;
    for (size_t p = 0; p < q->m; p++) {
        f += x[p] * (0.5 * grad[p] - q->b[p]);
        grad[p] -= q->b[p];
    }
    return f;
}

static bool set_history_zero(lml_linreg_fit *out, lml_error *err)
{
    out->history = malloc(sizeof(double));
    if (!out->history)
        return lml_error_set(err, LML_ENOMEM, "LinearRegression: out of memory");
    out->history[0] = 0.0;
    out->nhistory = 1;
    return true;
}

/* Solves A x = b by Cholesky and fills the standard-error diagonal; false (no error set) when A
 * is not positive definite. */
static bool cholesky_solve(const quad *q, const moments *mo, const size_t *act, const double *sd, size_t d,
                           bool intercept, double *x, lml_linreg_fit *out, lml_error *err, bool *failed)
{
    size_t m = q->m;
    *failed = false;
    double *L = malloc((m * m + 2 * m + 1) * sizeof(double));
    out->ndiag = d + (intercept ? 1 : 0);
    out->diag_inv = malloc(out->ndiag * sizeof(double));
    if (!L || !out->diag_inv) {
        free(L);
        return lml_error_set(err, LML_ENOMEM, "LinearRegression: out of memory");
    }
    double *v = L + m * m; /* standardized feature means, then A⁻¹ times them */
    memcpy(L, q->A, m * m * sizeof(double));
    memcpy(x, q->b, m * sizeof(double));
    if (m > 0 && LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', (lapack_int)m, L, (lapack_int)m) != 0) {
        free(L);
        *failed = true;
        return false;
    }
    if (m > 0)
        LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'U', (lapack_int)m, 1, L, (lapack_int)m, x, 1);
    for (size_t p = 0; p < m; p++)
        v[p] = mo->mean[act[p]] / sd[act[p]];
    double mv = 0;
    if (intercept && m > 0) {
        double *tmp = v + m;
        memcpy(tmp, v, m * sizeof(double));
        LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'U', (lapack_int)m, 1, L, (lapack_int)m, tmp, 1);
        for (size_t p = 0; p < m; p++)
            mv += v[p] * tmp[p];
    }
    if (m > 0)
        LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'U', (lapack_int)m, L, (lapack_int)m);
    for (size_t j = 0; j < d; j++)
        out->diag_inv[j] = NAN; /* zero-variance features have no standard error */
    /* Spark's diagInvAtWA: the standardized inverse mapped back to original units. The intercept
     * entry is the corner of the inverse of [[A, v], [v', 1]], i.e. 1 + v'A⁻¹v. */
    for (size_t p = 0; p < m; p++)
        out->diag_inv[act[p]] = L[p * m + p] / (mo->W * sd[act[p]] * sd[act[p]]);
    if (intercept)
        out->diag_inv[d] = (1.0 + mv) / mo->W;
    free(L);
    return true;
}

/* ---- l-bfgs by passes over the rows (more features than a Gram matrix allows) */

typedef struct rows_ctx {
    const lml_linreg_data *dt;
    bool intercept, standardization;
    double W, ymean, ysd, lam2;
    const double *mean, *sd; /* features (sample stds) */
    double *coef;            /* β'_j/σ_j: coefficients on raw x for the scaled label */
    double offset;
    size_t rows_per_chunk, nchunks;
    double *part; /* nchunks × (d + 2): Σ w r x_j, Σ w r, Σ w r² */
} rows_ctx;

static void rows_task(void *vctx, size_t task, int worker)
{
    (void)worker;
    rows_ctx *c = vctx;
    const lml_linreg_data *dt = c->dt;
    size_t d = dt->d, lo = task * c->rows_per_chunk, hi = lo + c->rows_per_chunk;
    if (hi > dt->n)
        hi = dt->n;
    double *G = c->part + task * (d + 2);
    memset(G, 0, (d + 2) * sizeof(double));
    for (size_t i = lo; i < hi; i++) {
        double w = dt->w ? dt->w[i] : 1.0;
        /* residual in the scaled space: Σ coef_j (x_j − μ_j) − (y − ȳ)/σ_y with an intercept */
        double r = lml_linreg_predict_row(dt, i, c->coef, c->offset) - dt->y[i] / c->ysd;
        double wr = w * r;
        if (dt->X) {
            const double *x = dt->X + i * d;
            for (size_t j = 0; j < d; j++)
                G[j] += wr * x[j];
        } else {
            for (int64_t p = dt->indptr[i]; p < dt->indptr[i + 1]; p++)
                G[dt->indices[p]] += wr * dt->values[p];
        }
        G[d] += wr;
        G[d + 1] += wr * r;
    }
}

static double rows_fn(const double *x, double *grad, void *vctx)
{
    rows_ctx *c = vctx;
    size_t d = c->dt->d;
    c->offset = c->intercept ? c->ymean / c->ysd : 0.0;
    for (size_t j = 0; j < d; j++) {
        c->coef[j] = c->sd[j] > 0 ? x[j] / c->sd[j] : 0.0;
        if (c->intercept)
            c->offset -= c->coef[j] * c->mean[j];
    }
    lml_parallel_for(c->nchunks, rows_task, c);
    double *G = c->part; /* chunks summed in a fixed order */
    for (size_t t = 1; t < c->nchunks; t++)
        for (size_t j = 0; j < d + 2; j++)
            G[j] += c->part[t * (d + 2) + j];
    double f = G[d + 1] / (2.0 * c->W);
    for (size_t j = 0; j < d; j++) {
        if (!(c->sd[j] > 0)) {
            grad[j] = 0.0;
            continue;
        }
        grad[j] = (G[j] - (c->intercept ? c->mean[j] * G[d] : 0.0)) / (c->W * c->sd[j]);
        double l2 = c->standardization ? c->lam2 : c->lam2 / (c->sd[j] * c->sd[j]);
        f += 0.5 * l2 * x[j] * x[j];
        grad[j] += l2 * x[j];
    }
    return f;
}

void lml_linreg_row_moments(const lml_linreg_data *dt, double *mean, double *sd, double *W_out, double *ymean,
                            double *ysd)
{
    size_t d = dt->d;
    double W = 0, W2 = 0, sy = 0, m2y = 0;
    memset(mean, 0, d * sizeof(double));
    memset(sd, 0, d * sizeof(double));
    for (size_t i = 0; i < dt->n; i++) {
        double w = dt->w ? dt->w[i] : 1.0;
        W += w;
        W2 += w * w;
        sy += w * dt->y[i];
        if (dt->X)
            for (size_t j = 0; j < d; j++)
                mean[j] += w * dt->X[i * d + j];
        else
            for (int64_t p = dt->indptr[i]; p < dt->indptr[i + 1]; p++)
                mean[dt->indices[p]] += w * dt->values[p];
    }
    for (size_t j = 0; j < d; j++)
        mean[j] /= W;
    *ymean = sy / W;
    /* M2 about the mean; for CSR the implicit zeros contribute W_zero · μ², added as W μ² minus
     * the stored entries' share. */
    for (size_t i = 0; i < dt->n; i++) {
        double w = dt->w ? dt->w[i] : 1.0;
        m2y += w * (dt->y[i] - *ymean) * (dt->y[i] - *ymean);
        if (dt->X)
            for (size_t j = 0; j < d; j++) {
                double e = dt->X[i * d + j] - mean[j];
                sd[j] += w * e * e;
            }
        else
            for (int64_t p = dt->indptr[i]; p < dt->indptr[i + 1]; p++) {
                size_t j = (size_t)dt->indices[p];
                double e = dt->values[p] - mean[j];
                sd[j] += w * (e * e - mean[j] * mean[j]);
            }
    }
    double denom = W - W2 / W;
    for (size_t j = 0; j < d; j++) {
        double m2 = dt->X ? sd[j] : sd[j] + W * mean[j] * mean[j];
        sd[j] = denom > 0 && m2 > 0 ? sqrt(m2 / denom) : 0.0;
    }
    *ysd = denom > 0 ? sqrt(m2y / denom) : 0.0;
    *W_out = W;
}

static bool solve_rows(const lml_linreg_data *dt, const lml_linreg_options *o, lml_linreg_fit *out, lml_error *err)
{
    size_t d = dt->d;
    bool ok = false;
    rows_ctx c = {.dt = dt, .intercept = o->fit_intercept, .standardization = o->standardization};
    c.nchunks = (dt->n + 8191) / 8192;
    if (c.nchunks > 64)
        c.nchunks = 64;
    c.rows_per_chunk = (dt->n + c.nchunks - 1) / c.nchunks;
    c.nchunks = (dt->n + c.rows_per_chunk - 1) / c.rows_per_chunk;
    size_t cells;
    double *mem = NULL;
    if (lml_mul_ok(c.nchunks + 6, d + 2, &cells))
        mem = calloc(cells, sizeof(double));
    out->coef = calloc(d, sizeof(double));
    if (!mem || !out->coef) {
        lml_error_set(err, LML_ENOMEM, "LinearRegression: out of memory for %zu features", d);
        goto done;
    }
    double *mean = mem, *sd = mean + d, *x = sd + d, *l1 = x + d;
    c.coef = l1 + d;
    c.part = c.coef + d;
    c.mean = mean;
    c.sd = sd;
    lml_linreg_row_moments(dt, mean, sd, &c.W, &c.ymean, &c.ysd);
    if (!(c.W > 0)) {
        lml_error_set(err, LML_EINVAL, "LinearRegression: the sum of the weights is 0");
        goto done;
    }
    if (c.ysd == 0.0) {
        if (o->fit_intercept || c.ymean == 0.0) {
            out->intercept = c.ymean;
            out->scale = 1.0;
            ok = set_history_zero(out, err);
            goto done;
        }
        if (o->reg > 0) {
            lml_error_set(err, LML_EINVAL,
                          "LinearRegression: the standard deviation of the label is zero, so the model "
                          "cannot be regularized (regParam %g > 0)", o->reg);
            goto done;
        }
        c.ysd = fabs(c.ymean);
    }
    c.lam2 = (1.0 - o->alpha) * o->reg / c.ysd;
    double lam1 = o->alpha * o->reg / c.ysd;
    for (size_t j = 0; j < d; j++)
        l1[j] = !(sd[j] > 0) ? 0.0 : o->standardization ? lam1 : lam1 / sd[j];
    lml_optim_options oo = {.max_iter = o->max_iter, .tol = o->tol, .history = 10, .l1 = lam1 > 0 ? l1 : NULL};
    lml_optim_result res = {0};
    if (!lml_optim_minimize(d, x, rows_fn, &c, &oo, &res, err))
        goto done;
    out->history = res.history;
    out->nhistory = res.nhistory;
    double b = c.ymean;
    for (size_t j = 0; j < d; j++) {
        out->coef[j] = sd[j] > 0 ? x[j] * c.ysd / sd[j] : 0.0;
        b -= out->coef[j] * mean[j];
    }
    out->intercept = o->fit_intercept ? b : 0.0;
    ok = true;
done:
    free(mem);
    if (!ok)
        lml_linreg_fit_clear(out);
    return ok;
}

bool lml_linreg_solve(const lml_linreg_data *dt, const lml_linreg_options *o, lml_linreg_fit *out, lml_error *err)
{
    memset(out, 0, sizeof *out);
    out->scale = 1.0;
    size_t d = dt->d;
    bool normal = o->solver == LML_LINREG_NORMAL || (o->solver == LML_LINREG_AUTO && d <= LINREG_MAX_NORMAL_FEATURES);
    if (o->solver == LML_LINREG_NORMAL && d > LINREG_MAX_NORMAL_FEATURES)
        return lml_error_set(err, LML_EINVAL,
                             "LinearRegression: solver 'normal' supports at most %d features, got %zu; use "
                             "solver 'l-bfgs'", LINREG_MAX_NORMAL_FEATURES, d);
    if (!normal && d > LINREG_MAX_NORMAL_FEATURES)
        return solve_rows(dt, o, out, err); /* a d × d Gram matrix would be too large */
    moments mo = {0};
    if (!compute_moments(dt, &mo, err)) {
        free(mo.mean);
        free(mo.cov);
        return false;
    }
    bool ok = false;
    size_t D = d + 1; /* stride of mo.cov; index d is the label */
    double *sd = malloc((d + 1) * sizeof(double));
    size_t *act = malloc((d + 1) * sizeof(size_t));
    quad q = {0};
    out->coef = calloc(d ? d : 1, sizeof(double));
    if (!sd || !act || !out->coef) {
        lml_error_set(err, LML_ENOMEM, "LinearRegression: out of memory");
        goto done;
    }
    /* WeightedLeastSquares standardizes with population stds (÷W), the l-bfgs path with Spark's
     * Summarizer stds (÷(W − Σw²/W), n − 1 for unit weights). */
    double denom = mo.W - mo.W2 / mo.W;
    double var_scale = normal ? 1.0 : (denom > 0 ? mo.W / denom : 0.0);
    for (size_t j = 0; j <= d; j++)
        sd[j] = sqrt(mo.cov[j * D + j] * var_scale);
    double ymean = mo.mean[d], ysd = sd[d];
    if (ysd == 0.0) {
        if (o->fit_intercept || ymean == 0.0) {
            out->intercept = ymean;
            ok = set_history_zero(out, err);
            goto done;
        }
        if (o->reg > 0) {
            lml_error_set(err, LML_EINVAL,
                          "LinearRegression: the standard deviation of the label is zero, so the model "
                          "cannot be regularized (regParam %g > 0)", o->reg);
            goto done;
        }
        ysd = fabs(ymean);
    }
    size_t m = 0;
    for (size_t j = 0; j < d; j++)
        if (sd[j] > 0)
            act[m++] = j;
    q.m = m;
    q.A = malloc((m * m + 3 * m + 1) * sizeof(double));
    if (!q.A) {
        lml_error_set(err, LML_ENOMEM, "LinearRegression: out of memory");
        goto done;
    }
    q.b = q.A + m * m;
    double *x = q.b + m;
    double *l1 = x + m; /* per-coordinate L1 weights for OWL-QN */
    double lam2 = (1.0 - o->alpha) * o->reg / ysd, lam1 = o->alpha * o->reg / ysd;
    for (size_t p = 0; p < m; p++) {
        size_t jp = act[p];
        for (size_t r = 0; r < m; r++) {
            size_t jr = act[r];
            double e = mo.cov[jp * D + jr];
            if (!o->fit_intercept)
                e += mo.mean[jp] * mo.mean[jr];
            q.A[p * m + r] = e / (sd[jp] * sd[jr]);
        }
        q.A[p * m + p] += o->standardization ? lam2 : lam2 / (sd[jp] * sd[jp]);
        double e = mo.cov[jp * D + d] + (o->fit_intercept ? 0.0 : mo.mean[jp] * ymean);
        q.b[p] = e / (sd[jp] * ysd);
        l1[p] = o->standardization ? lam1 : lam1 / sd[jp];
    }
    q.c0 = (mo.cov[d * D + d] + (o->fit_intercept ? 0.0 : ymean * ymean)) / (ysd * ysd);

    bool solved = false;
    if (normal && lam1 == 0.0) {
        bool failed;
        if (cholesky_solve(&q, &mo, act, sd, d, o->fit_intercept, x, out, err, &failed)) {
            solved = set_history_zero(out, err);
            if (!solved) {
                goto done;
            }
        } else if (!failed || o->solver == LML_LINREG_NORMAL) {
            if (failed)
                lml_error_set(err, LML_EINVAL,
                              "LinearRegression: solver 'normal': the normal equations are singular "
                              "(collinear features); use solver 'auto' or 'l-bfgs', or regParam > 0");
            goto done;
        } else {
            /* Spark's auto solver retries a singular system with quasi-Newton, without L1. */
            free(out->diag_inv);
            out->diag_inv = NULL;
            out->ndiag = 0;
        }
    }
    if (!solved) {
        for (size_t p = 0; p < m; p++)
            x[p] = 0.0;
        lml_optim_options oo = {.max_iter = o->max_iter, .tol = o->tol, .history = 10,
                                .l1 = lam1 > 0 ? l1 : NULL};
        lml_optim_result res = {0};
        if (m > 0) {
            if (!lml_optim_minimize(m, x, quad_fn, &q, &oo, &res, err)) {
                goto done;
            }
            out->history = res.history;
            out->nhistory = res.nhistory;
        } else if (!set_history_zero(out, err)) {
            goto done;
        }
    }
    double b = ymean;
    for (size_t p = 0; p < m; p++) {
        size_t j = act[p];
        out->coef[j] = x[p] * ysd / sd[j];
        b -= out->coef[j] * mo.mean[j];
    }
    out->intercept = o->fit_intercept ? b : 0.0;
    ok = true;
done:
    if (!ok)
        lml_linreg_fit_clear(out);
    free(q.A);
    free(sd);
    free(act);
    free(mo.mean);
    free(mo.cov);
    return ok;
}

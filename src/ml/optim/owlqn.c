/* OWL-QN (Andrew & Gao 2007) as Breeze runs it for Spark's elastic net (spec §7.4): L-BFGS on
 * the pseudo-gradient of f + Σ l1_i |x_i|, the direction clipped to the pseudo-gradient's
 * orthant, a backtracking line search whose trial points are projected onto the orthant of the
 * current point, so coordinates can become exactly zero. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "optim.h"

static double l1_term(const double *x, const double *l1, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += l1[i] * fabs(x[i]);
    return s;
}

/* The minimum-norm subgradient of f + Σ l1_i |x_i|. */
static void pseudo_gradient(const double *x, const double *g, const double *l1, size_t n, double *pg)
{
    for (size_t i = 0; i < n; i++) {
        double w = l1[i];
        if (w == 0.0)
            pg[i] = g[i];
        else if (x[i] > 0.0)
            pg[i] = g[i] + w;
        else if (x[i] < 0.0)
            pg[i] = g[i] - w;
        else if (g[i] + w < 0.0)
            pg[i] = g[i] + w;
        else if (g[i] - w > 0.0)
            pg[i] = g[i] - w;
        else
            pg[i] = 0.0;
    }
}

bool lml_optim_run_owlqn(size_t n, double *x, lml_optim_fn f, void *ctx, const lml_optim_options *opts,
                         lml_optim_result *res, lml_error *err)
{
    size_t m = opts->history > 0 ? (size_t)opts->history : 10, cap = 0;
    const double *l1 = opts->l1;
    lml_lbfgs_memory mem;
    if (!lml_lbfgs_memory_init(&mem, n, m, err))
        return false;
    size_t nb = n ? n : 1;
    double *g = malloc(nb * sizeof(double)), *pg = malloc(nb * sizeof(double));
    double *dir = malloc(nb * sizeof(double)), *orth = malloc(nb * sizeof(double));
    double *xt = malloc(nb * sizeof(double)), *gt = malloc(nb * sizeof(double));
    bool ok = false;
    if (!g || !pg || !dir || !orth || !xt || !gt) {
        lml_error_set(err, LML_ENOMEM, "optimizer: out of memory for %zu coordinates", n);
        goto done;
    }
    lml_optim_conv conv;
    lml_optim_stop why = LML_OPTIM_MAX_ITER;
    double fs = f(x, g, ctx);
    double fx = fs + l1_term(x, l1, n);
    pseudo_gradient(x, g, l1, n, pg);
    int iter = 0;
    bool failed_once = false;
    if (!lml_optim_record(res, fx, &cap, err))
        goto done;
    if (!isfinite(fx)) {
        why = LML_OPTIM_SEARCH_FAILED;
        goto finished;
    }
    if (lml_optim_converged(&conv, opts, 0, fx, lml_optim_norm(pg, n), &why))
        goto finished;
    for (;;) {
        lml_lbfgs_direction(&mem, pg, dir);
        /* Keep only the components that descend along the pseudo-gradient. */
        for (size_t i = 0; i < n; i++)
            if (dir[i] * pg[i] >= 0.0)
                dir[i] = 0.0;
        for (size_t i = 0; i < n; i++)
            orth[i] = x[i] != 0.0 ? (x[i] > 0 ? 1.0 : -1.0) : (pg[i] < 0 ? 1.0 : pg[i] > 0 ? -1.0 : 0.0);
        bool found = false;
        double fnew = fx, fsnew = fs;
        if (lml_optim_dot(dir, pg, n) < 0.0) {
            double gn = lml_optim_norm(g, n);
            double alpha = iter == 0 && gn > 0 ? 0.5 / gn : 1.0, shrink = iter == 0 ? 0.1 : 0.5;
            for (int t = 0; t < 20 && !found; t++, alpha *= shrink) {
                for (size_t i = 0; i < n; i++) {
                    double v = x[i] + alpha * dir[i];
                    /* Leaving the orthant means stopping at zero. */
                    xt[i] = (v > 0 && orth[i] > 0) || (v < 0 && orth[i] < 0) ? v : 0.0;
                }
                double fst = f(xt, gt, ctx);
                double ft = fst + l1_term(xt, l1, n);
                double dec = 0.0;
                for (size_t i = 0; i < n; i++)
                    dec += pg[i] * (xt[i] - x[i]);
                if (isfinite(ft) && ft <= fx + 1e-4 * dec) {
                    found = true;
                    fnew = ft;
                    fsnew = fst;
                }
            }
        }
        if (!found) {
            int r = lml_optim_search_failed(res, fx, &cap, &failed_once, &mem, err);
            if (r < 0)
                goto done;
            if (r > 0) {
                why = LML_OPTIM_SEARCH_FAILED;
                break;
            }
            continue;
        }
        failed_once = false;
        lml_optim_accept(&mem, x, xt, g, gt, n);
        fx = fnew;
        fs = fsnew;
        pseudo_gradient(x, g, l1, n, pg);
        iter++;
        if (!lml_optim_record(res, fx, &cap, err))
            goto done;
        if (lml_optim_converged(&conv, opts, iter, fx, lml_optim_norm(pg, n), &why))
            break;
    }
finished:
    res->iterations = (int)(res->nhistory - 1);
    res->stop = why;
    ok = true;
done:
    free(g), free(pg), free(dir), free(orth), free(xt), free(gt);
    lml_lbfgs_memory_free(&mem);
    return ok;
}

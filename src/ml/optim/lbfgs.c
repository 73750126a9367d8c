/* L-BFGS with a strong-Wolfe line search (Breeze's LBFGS as Spark runs it, spec §7.4), plus the
 * pieces OWL-QN shares: the (s, y) memory, the two-loop recursion and the convergence rules. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "optim.h"

double lml_optim_dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

double lml_optim_norm(const double *v, size_t n) { return sqrt(lml_optim_dot(v, v, n)); }

bool lml_lbfgs_memory_init(lml_lbfgs_memory *mem, size_t n, size_t m, lml_error *err)
{
    memset(mem, 0, sizeof *mem);
    mem->n = n;
    mem->m = m;
    size_t nm;
    if (__builtin_mul_overflow(n, m, &nm) || nm > SIZE_MAX / sizeof(double))
        return lml_error_set(err, LML_ENOMEM, "optimizer: history of %zu × %zu too large", m, n);
    mem->s = malloc((nm ? nm : 1) * sizeof(double));
    mem->y = malloc((nm ? nm : 1) * sizeof(double));
    mem->rho = malloc((m ? m : 1) * sizeof(double));
    mem->alpha = malloc((m ? m : 1) * sizeof(double));
    if (!mem->s || !mem->y || !mem->rho || !mem->alpha) {
        lml_lbfgs_memory_free(mem);
        return lml_error_set(err, LML_ENOMEM, "optimizer: out of memory for the L-BFGS history");
    }
    return true;
}

void lml_lbfgs_memory_free(lml_lbfgs_memory *mem)
{
    free(mem->s);
    free(mem->y);
    free(mem->rho);
    free(mem->alpha);
    memset(mem, 0, sizeof *mem);
}

void lml_lbfgs_memory_reset(lml_lbfgs_memory *mem)
{
    mem->count = 0;
    mem->head = 0;
}

void lml_lbfgs_memory_push(lml_lbfgs_memory *mem, const double *x0, const double *x1, const double *g0,
                           const double *g1)
{
    size_t n = mem->n;
    if (mem->m == 0)
        return;
    double sy = 0.0;
    for (size_t i = 0; i < n; i++)
        sy += (x1[i] - x0[i]) * (g1[i] - g0[i]);
    /* Without positive curvature the pair would make H indefinite; a strong-Wolfe step always
     * has it, a backtracking (OWL-QN) step may not. */
    if (!(sy > 0.0) || !isfinite(sy))
        return;
    /* When full, the oldest pair (at head) is overwritten. */
    size_t slot = mem->count == mem->m ? mem->head : (mem->head + mem->count) % mem->m;
    double *s = mem->s + slot * n, *y = mem->y + slot * n;
    for (size_t i = 0; i < n; i++) {
        s[i] = x1[i] - x0[i];
        y[i] = g1[i] - g0[i];
    }
    mem->rho[slot] = 1.0 / sy;
    if (mem->count == mem->m)
        mem->head = (mem->head + 1) % mem->m;
    else
        mem->count++;
}

void lml_lbfgs_direction(lml_lbfgs_memory *mem, const double *g, double *dir)
{
    size_t n = mem->n, m = mem->m;
    for (size_t i = 0; i < n; i++)
        dir[i] = -g[i];
    for (size_t k = mem->count; k-- > 0;) { /* newest to oldest */
        size_t slot = (mem->head + k) % m;
        const double *s = mem->s + slot * n, *y = mem->y + slot * n;
        double a = mem->rho[slot] * lml_optim_dot(s, dir, n);
        mem->alpha[slot] = a;
        for (size_t i = 0; i < n; i++)
            dir[i] -= a * y[i];
    }
    if (mem->count > 0) {
        size_t slot = (mem->head + mem->count - 1) % m;
        const double *y = mem->y + slot * n;
        double yy = lml_optim_dot(y, y, n);
        double scale = (1.0 / mem->rho[slot]) / yy;
        for (size_t i = 0; i < n; i++)
            dir[i] *= scale;
    }
    for (size_t k = 0; k < mem->count; k++) { /* oldest to newest */
        size_t slot = (mem->head + k) % m;
        const double *s = mem->s + slot * n, *y = mem->y + slot * n;
        double b = mem->rho[slot] * lml_optim_dot(y, dir, n);
        for (size_t i = 0; i < n; i++)
            dir[i] += (mem->alpha[slot] - b) * s[i];
    }
}

bool lml_optim_converged(lml_optim_conv *c, const lml_optim_options *o, int iter, double f, double gnorm,
                         lml_optim_stop *why)
{
    if (iter == 0) {
        c->f0 = fabs(f);
        c->nwin = c->pos = 0;
    } else {
        /* Breeze seeds its window with +∞ and appends every later value, keeping 20: the rule
         * can first fire at iteration 20 and then compares f_k with the max of f_{k−19..k}. */
        c->win[c->pos] = f;
        c->pos = (c->pos + 1) % 20;
        if (c->nwin < 20)
            c->nwin++;
    }
    if (o->max_iter >= 0 && iter >= o->max_iter) {
        *why = LML_OPTIM_MAX_ITER;
        return true;
    }
    if (gnorm <= fmax(o->tol * fabs(f), 1e-8)) {
        *why = LML_OPTIM_GRADIENT;
        return true;
    }
    if (c->nwin == 20) {
        double mx = c->win[0];
        for (size_t i = 1; i < 20; i++)
            mx = fmax(mx, c->win[i]);
        if (fabs(f - mx) <= o->tol * c->f0) {
            *why = LML_OPTIM_FUNCTION_VALUES;
            return true;
        }
    }
    return false;
}

bool lml_optim_record(lml_optim_result *res, double f, size_t *cap, lml_error *err)
{
    if (res->nhistory == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        double *h = realloc(res->history, nc * sizeof(double));
        if (!h)
            return lml_error_set(err, LML_ENOMEM, "optimizer: out of memory for the objective history");
        res->history = h;
        *cap = nc;
    }
    res->history[res->nhistory++] = f;
    return true;
}

/* A failed line search leaves the state unchanged (recorded once more in the history). As in
 * Breeze, the first failure resets the L-BFGS memory and retries; a second one in a row stops.
 * Returns 0 to retry, 1 to stop, -1 on an allocation failure. */
int lml_optim_search_failed(lml_optim_result *res, double fx, size_t *cap, bool *failed_once, lml_lbfgs_memory *mem,
                            lml_error *err)
{
    if (!lml_optim_record(res, fx, cap, err))
        return -1;
    if (*failed_once)
        return 1;
    *failed_once = true;
    lml_lbfgs_memory_reset(mem);
    return 0;
}

/* Moves to the accepted point (xnew, gnew), remembering the step in the L-BFGS memory. */
void lml_optim_accept(lml_lbfgs_memory *mem, double *x, const double *xnew, double *g, const double *gnew, size_t n)
{
    lml_lbfgs_memory_push(mem, x, xnew, g, gnew);
    memcpy(x, xnew, n * sizeof(double));
    memcpy(g, gnew, n * sizeof(double));
}

void lml_optim_result_clear(lml_optim_result *res)
{
    if (!res)
        return;
    free(res->history);
    memset(res, 0, sizeof *res);
}

/* ---- strong-Wolfe line search on φ(α) = f(x + α d) */

typedef struct wolfe_ctx {
    size_t n;
    const double *x, *dir;
    lml_optim_fn f;
    void *ctx;
    double *xt, *gt;     /* the trial point */
    double *xbest, *gbest; /* the accepted point */
} wolfe_ctx;

static double phi(wolfe_ctx *w, double a, double *dphi)
{
    for (size_t i = 0; i < w->n; i++)
        w->xt[i] = w->x[i] + a * w->dir[i];
    double v = w->f(w->xt, w->gt, w->ctx);
    *dphi = lml_optim_dot(w->gt, w->dir, w->n);
    return v;
}

static void keep(wolfe_ctx *w)
{
    memcpy(w->xbest, w->xt, w->n * sizeof(double));
    memcpy(w->gbest, w->gt, w->n * sizeof(double));
}

/* Breeze's CubicLineSearch.interp: the minimiser of the cubic through (a0, f0, d0) and
 * (a1, f1, d1), clamped to the middle 80% of the bracket (the midpoint when the cubic has no
 * real minimiser). */
static double cubic(double a0, double f0, double d0, double a1, double f1, double d1)
{
    if (a0 > a1) { /* interp wants the left end first */
        double t;
        t = a0, a0 = a1, a1 = t;
        t = f0, f0 = f1, f1 = t;
        t = d0, d0 = d1, d1 = t;
    }
    double t1 = d0 + d1 - 3.0 * (f0 - f1) / (a0 - a1);
    double t2 = sqrt(t1 * t1 - d0 * d1);
    double a = a1 - (a1 - a0) * (d1 + t2 - t1) / (d1 - d0 + 2.0 * t2);
    double lo = a0 + 0.1 * (a1 - a0), hi = a0 + 0.9 * (a1 - a0);
    if (!isfinite(a))
        return 0.5 * (a0 + a1);
    return a < lo ? lo : a > hi ? hi : a;
}

/* Breeze's StrongWolfeLineSearch (c1 = 1e-4, c2 = 0.9, at most 10 search and 10 zoom
 * iterations, steps grow by 1.5, a non-finite value halves the step). Returns the step, or a
 * value <= 0 when none was found (Breeze throws; the caller handles the failure). */
static double strong_wolfe(wolfe_ctx *w, double f0, double d0, double init, double *fout)
{
    const double c1 = 1e-4, c2 = 0.9;
    double t = init, lo = 0.0, flo = f0, dlo = d0, hi = 0, fhi = 0, dhi = 0;
    bool zoom = false;
    for (int it = 0; it < 10 && !zoom; it++) {
        double dc, fc = phi(w, t, &dc);
        if (!isfinite(fc)) {
            t /= 2.0;
            continue;
        }
        if (fc > f0 + c1 * t * d0 || (fc >= flo && it > 0)) {
            hi = t, fhi = fc, dhi = dc; /* zoom(low, c) */
            zoom = true;
            break;
        }
        if (fabs(dc) <= c2 * fabs(d0)) {
            keep(w);
            *fout = fc;
            return t;
        }
        if (dc >= 0.0) { /* zoom(c, low) */
            hi = lo, fhi = flo, dhi = dlo;
            lo = t, flo = fc, dlo = dc;
            zoom = true;
            break;
        }
        lo = t, flo = fc, dlo = dc;
        t *= 1.5;
    }
    if (!zoom)
        return -1.0;
    for (int it = 0; it < 10; it++) {
        double at = cubic(lo, flo, dlo, hi, fhi, dhi);
        double dc, fc = phi(w, at, &dc);
        if (!isfinite(fc) || fc > f0 + c1 * at * d0 || fc >= flo) {
            hi = at, fhi = fc, dhi = dc;
        } else {
            if (fabs(dc) <= c2 * fabs(d0)) {
                keep(w);
                *fout = fc;
                return at;
            }
            if (dc * (hi - lo) >= 0.0)
                hi = lo, fhi = flo, dhi = dlo;
            lo = at, flo = fc, dlo = dc;
        }
    }
    return -1.0;
}

bool lml_optim_run_lbfgs(size_t n, double *x, lml_optim_fn f, void *ctx, const lml_optim_options *opts,
                         lml_optim_result *res, lml_error *err)
{
    size_t m = opts->history > 0 ? (size_t)opts->history : 10, cap = 0;
    lml_lbfgs_memory mem;
    if (!lml_lbfgs_memory_init(&mem, n, m, err))
        return false;
    size_t nb = n ? n : 1;
    double *g = malloc(nb * sizeof(double)), *dir = malloc(nb * sizeof(double));
    double *xt = malloc(nb * sizeof(double)), *gt = malloc(nb * sizeof(double));
    double *xb = malloc(nb * sizeof(double)), *gb = malloc(nb * sizeof(double));
    bool ok = false;
    if (!g || !dir || !xt || !gt || !xb || !gb) {
        lml_error_set(err, LML_ENOMEM, "optimizer: out of memory for %zu coordinates", n);
        goto done;
    }
    lml_optim_conv conv;
    double fx = f(x, g, ctx);
    int iter = 0;
    bool failed_once = false;
    if (!lml_optim_record(res, fx, &cap, err))
        goto done;
    lml_optim_stop why = LML_OPTIM_MAX_ITER;
    if (!isfinite(fx)) {
        why = LML_OPTIM_SEARCH_FAILED;
        goto finished;
    }
    if (lml_optim_converged(&conv, opts, 0, fx, lml_optim_norm(g, n), &why))
        goto finished;
    for (;;) {
        lml_lbfgs_direction(&mem, g, dir);
        double d0 = lml_optim_dot(dir, g, n);
        double step = -1.0, fnew = fx;
        if (d0 < 0.0) {
            double init = iter == 0 ? 1.0 / lml_optim_norm(dir, n) : 1.0;
            wolfe_ctx w = {n, x, dir, f, ctx, xt, gt, xb, gb};
            step = strong_wolfe(&w, fx, d0, init, &fnew);
            if (step > 0.0 && step * lml_optim_norm(g, n) < 1e-10) /* Breeze's StepSizeUnderflow */
                step = -1.0;
        }
        if (step <= 0.0) {
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
        lml_optim_accept(&mem, x, xb, g, gb, n);
        fx = fnew;
        iter++;
        if (!lml_optim_record(res, fx, &cap, err))
            goto done;
        if (lml_optim_converged(&conv, opts, iter, fx, lml_optim_norm(g, n), &why))
            break;
    }
finished:
    res->iterations = (int)(res->nhistory - 1);
    res->stop = why;
    ok = true;
done:
    free(g), free(dir), free(xt), free(gt), free(xb), free(gb);
    lml_lbfgs_memory_free(&mem);
    return ok;
}

bool lml_optim_minimize(size_t n, double *x, lml_optim_fn f, void *ctx, const lml_optim_options *opts,
                        lml_optim_result *res, lml_error *err)
{
    memset(res, 0, sizeof *res);
    if (!opts || !(opts->tol >= 0.0))
        return lml_error_set(err, LML_EINVAL, "optimizer: tol must be >= 0");
    bool l1 = false;
    if (opts->l1) {
        for (size_t i = 0; i < n; i++) {
            if (!(opts->l1[i] >= 0.0) || !isfinite(opts->l1[i]))
                return lml_error_set(err, LML_EINVAL, "optimizer: L1 weight %zu must be finite and >= 0, got %g", i,
                                     opts->l1[i]);
            l1 = l1 || opts->l1[i] > 0.0;
        }
    }
    bool ok = l1 ? lml_optim_run_owlqn(n, x, f, ctx, opts, res, err) : lml_optim_run_lbfgs(n, x, f, ctx, opts, res, err);
    if (!ok)
        lml_optim_result_clear(res);
    return ok;
}

/* Reusable first-order minimisers (src/ml/optim): L-BFGS with a strong-Wolfe line search and
 * OWL-QN (L-BFGS with per-coordinate L1 weights), following Breeze 2.1 as Spark uses it
 * (spec §7.4). Internal header, never installed. */
#ifndef LML_ML_OPTIM_H
#define LML_ML_OPTIM_H

#include <stdbool.h>
#include <stddef.h>
#include "lakeml/error.h"

/* The smooth objective: returns f(x) and writes ∇f(x) to grad (n entries). A non-finite return
 * value makes the line search shrink the step. */
typedef double (*lml_optim_fn)(const double *x, double *grad, void *ctx);

typedef struct lml_optim_options {
    int max_iter;      /* stop once this many iterations were done (the start is iteration 0) */
    double tol;        /* relative tolerance of the gradient and function-value rules */
    int history;       /* L-BFGS memory m; <= 0 → 10 */
    const double *l1;  /* per-coordinate L1 weights (>= 0), or NULL: any weight > 0 → OWL-QN */
} lml_optim_options;

typedef enum lml_optim_stop {
    LML_OPTIM_MAX_ITER = 0,
    LML_OPTIM_GRADIENT,
    LML_OPTIM_FUNCTION_VALUES,
    LML_OPTIM_SEARCH_FAILED
} lml_optim_stop;

typedef struct lml_optim_result {
    double *history;   /* objective (f + L1 term) of every state, the start included; malloc'd */
    size_t nhistory;   /* = iterations + 1 */
    int iterations;
    lml_optim_stop stop;
} lml_optim_result;

/* Minimises f + Σ l1_i |x_i| from the start point in x (n coordinates); x receives the last
 * state. Fills *res (free its history with lml_optim_result_clear). False only on allocation
 * failure or bad options (LML_ENOMEM / LML_EINVAL); not converging within max_iter is success. */
bool lml_optim_minimize(size_t n, double *x, lml_optim_fn f, void *ctx, const lml_optim_options *opts,
                        lml_optim_result *res, lml_error *err);
void lml_optim_result_clear(lml_optim_result *res);

/* ---- shared between lbfgs.c and owlqn.c */

/* The L-BFGS memory of (s, y) pairs, a ring of up to m entries. */
typedef struct lml_lbfgs_memory {
    size_t n, m, count, head; /* head: index of the oldest pair */
    double *s, *y, *rho, *alpha;
} lml_lbfgs_memory;

bool lml_lbfgs_memory_init(lml_lbfgs_memory *mem, size_t n, size_t m, lml_error *err);
void lml_lbfgs_memory_free(lml_lbfgs_memory *mem);
void lml_lbfgs_memory_reset(lml_lbfgs_memory *mem);
/* Adds the pair s = x1 − x0, y = g1 − g0; pairs without positive curvature are skipped. */
void lml_lbfgs_memory_push(lml_lbfgs_memory *mem, const double *x0, const double *x1, const double *g0,
                           const double *g1);
/* dir = −H·g by the two-loop recursion (H0 = (s·y / y·y) I from the newest pair, else I). */
void lml_lbfgs_direction(lml_lbfgs_memory *mem, const double *g, double *dir);

/* Convergence bookkeeping of spec §7.4 (Breeze's default check). */
typedef struct lml_optim_conv {
    double f0;        /* |initial adjusted value| scale */
    double win[20];   /* the last values f_1 … f_k (ring) */
    size_t nwin, pos;
} lml_optim_conv;

/* Whether the state (iteration iter, adjusted value f, adjusted gradient norm gnorm) stops the
 * run; sets *why. Call once per state in order, the start (iter 0) first. */
bool lml_optim_converged(lml_optim_conv *c, const lml_optim_options *o, int iter, double f, double gnorm,
                         lml_optim_stop *why);
double lml_optim_norm(const double *v, size_t n);
double lml_optim_dot(const double *a, const double *b, size_t n);

bool lml_optim_run_lbfgs(size_t n, double *x, lml_optim_fn f, void *ctx, const lml_optim_options *opts,
                         lml_optim_result *res, lml_error *err);
bool lml_optim_run_owlqn(size_t n, double *x, lml_optim_fn f, void *ctx, const lml_optim_options *opts,
                         lml_optim_result *res, lml_error *err);
/* Appends to res->history (capacity grows); false on allocation failure. */
bool lml_optim_record(lml_optim_result *res, double f, size_t *cap, lml_error *err);
/* Shared by L-BFGS and OWL-QN: a failed line search (0 retry, 1 stop, -1 error), an accepted step. */
int lml_optim_search_failed(lml_optim_result *res, double fx, size_t *cap, bool *failed_once, lml_lbfgs_memory *mem,
                            lml_error *err);
void lml_optim_accept(lml_lbfgs_memory *mem, double *x, const double *xnew, double *g, const double *gnew, size_t n);

#endif

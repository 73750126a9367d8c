/* L-BFGS and OWL-QN (src/ml/optim) on problems with known minimisers. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "ml/optim/optim.h"

static double rosenbrock(const double *x, double *g, void *ctx)
{
    (void)ctx;
    double a = 1.0 - x[0], b = x[1] - x[0] * x[0];
    g[0] = -2.0 * a - 400.0 * x[0] * b;
    g[1] = 200.0 * b;
    return a * a + 100.0 * b * b;
}

Test(optim, lbfgs_finds_rosenbrock_minimum_at_one_one)
{
    double x[2] = {-1.2, 1.0};
    lml_optim_options o = {.max_iter = 500, .tol = 1e-12};
    lml_optim_result r;
    lml_error err = {0};
    cr_assert(lml_optim_minimize(2, x, rosenbrock, NULL, &o, &r, &err), "%s", err.message);
    cr_assert_float_eq(x[0], 1.0, 1e-6);
    cr_assert_float_eq(x[1], 1.0, 1e-6);
    /* history starts at f(-1.2, 1) = 4.4² + 100·0.44² = 24.2 */
    cr_assert_float_eq(r.history[0], 24.2, 1e-12);
    cr_assert_eq(r.nhistory, (size_t)r.iterations + 1);
    cr_assert(r.history[r.nhistory - 1] < 1e-12);
    cr_assert_lt(r.iterations, 200);
    lml_optim_result_clear(&r);
}

/* f(x) = ½ xᵀAx − bᵀx with A = [[4,1,0],[1,3,1],[0,1,2]], b = (1,2,3): x* = A⁻¹b. */
static double quad(const double *x, double *g, void *ctx)
{
    (void)ctx;
    static const double A[3][3] = {{4, 1, 0}, {1, 3, 1}, {0, 1, 2}}, b[3] = {1, 2, 3};
    double f = 0.0;
    for (int i = 0; i < 3; i++) {
        double ax = 0.0;
        for (int j = 0; j < 3; j++)
            ax += A[i][j] * x[j];
        g[i] = ax - b[i];
        f += 0.5 * x[i] * ax - b[i] * x[i];
    }
    return f;
}

Test(optim, lbfgs_solves_quadratic_exactly)
{
    double x[3] = {0, 0, 0};
    lml_optim_options o = {.max_iter = 100, .tol = 1e-10};
    lml_optim_result r;
    cr_assert(lml_optim_minimize(3, x, quad, NULL, &o, &r, NULL));
    /* A⁻¹b by hand: det A = 18; x* = (1/18)·(5·1 − 2·2 + 1·3, −2·1 + 8·2 − 4·3, 1·1 − 4·2 + 11·3)
     * = (4/18, 2/18, 26/18). */
    cr_assert_float_eq(x[0], 4.0 / 18, 1e-8);
    cr_assert_float_eq(x[1], 2.0 / 18, 1e-8);
    cr_assert_float_eq(x[2], 26.0 / 18, 1e-8);
    cr_assert_eq(r.history[0], 0.0);
    cr_assert_eq(r.stop, LML_OPTIM_GRADIENT);
    lml_optim_result_clear(&r);
}

Test(optim, max_iter_bounds_the_history)
{
    double x[2] = {-1.2, 1.0};
    lml_optim_options o = {.max_iter = 3, .tol = 1e-12};
    lml_optim_result r;
    cr_assert(lml_optim_minimize(2, x, rosenbrock, NULL, &o, &r, NULL));
    cr_assert_eq(r.nhistory, 4);
    cr_assert_eq(r.iterations, 3);
    cr_assert_eq(r.stop, LML_OPTIM_MAX_ITER);
    for (size_t i = 1; i < r.nhistory; i++)
        cr_assert(r.history[i] <= r.history[i - 1]);
    lml_optim_result_clear(&r);
}

/* ½ Σ d_i (x_i − c_i)² + Σ w_i |x_i| has the soft-threshold minimiser
 * x_i = sign(c_i) · max(|c_i| − w_i/d_i, 0). */
static const double C[5] = {3.0, -2.0, 0.5, -0.25, 1.0}, D[5] = {1.0, 2.0, 1.0, 4.0, 0.5};

static double sep(const double *x, double *g, void *ctx)
{
    (void)ctx;
    double f = 0.0;
    for (int i = 0; i < 5; i++) {
        g[i] = D[i] * (x[i] - C[i]);
        f += 0.5 * D[i] * (x[i] - C[i]) * (x[i] - C[i]);
    }
    return f;
}

Test(optim, owlqn_finds_sparse_soft_threshold_solution)
{
    double x[5] = {0};
    const double w[5] = {1.0, 1.0, 1.0, 2.0, 0.0};
    lml_optim_options o = {.max_iter = 200, .tol = 1e-12, .l1 = w};
    lml_optim_result r;
    cr_assert(lml_optim_minimize(5, x, sep, NULL, &o, &r, NULL));
    cr_assert_float_eq(x[0], 2.0, 1e-8);   /* 3 − 1 */
    cr_assert_float_eq(x[1], -1.5, 1e-8);  /* −(2 − 1/2) */
    cr_assert_eq(x[2], 0.0);               /* |0.5| < 1: exactly zero */
    cr_assert_eq(x[3], 0.0);               /* |−0.25| < 2/4 */
    cr_assert_float_eq(x[4], 1.0, 1e-8);   /* unpenalised */
    /* f(0) = ½(9 + 2·4 + 0.25 + 4·0.0625 + 0.5·1) = 9 */
    cr_assert_float_eq(r.history[0], 9.0, 1e-12);
    /* optimum value: ½(1 + 2·0.25 + 0.25 + 4·0.0625) + (2 + 1.5) = 1 + 3.5 = 4.5 */
    cr_assert_float_eq(r.history[r.nhistory - 1], 4.5, 1e-10);
    lml_optim_result_clear(&r);
}

/* A coupled L1 problem: ½‖x − c‖² + ½ (x₀ + x₁)² with weight 1 on both: at x₁ = 0,
 * x₀ minimises ½(x₀ − 3)² + ½x₀² + |x₀| → 2x₀ − 3 + 1 = 0 → x₀ = 1, and the subgradient of x₁
 * there is (0 − 0.2) + 1 = 0.8 ∈ [−1, 1], so x₁ = 0 exactly. */
static double coupled(const double *x, double *g, void *ctx)
{
    (void)ctx;
    double s = x[0] + x[1];
    g[0] = (x[0] - 3.0) + s;
    g[1] = (x[1] - 0.2) + s;
    return 0.5 * ((x[0] - 3.0) * (x[0] - 3.0) + (x[1] - 0.2) * (x[1] - 0.2) + s * s);
}

Test(optim, owlqn_keeps_coupled_coordinate_at_exact_zero)
{
    double x[2] = {0.0, 0.0};
    const double w[2] = {1.0, 1.0};
    lml_optim_options o = {.max_iter = 200, .tol = 1e-12, .l1 = w};
    lml_optim_result r;
    cr_assert(lml_optim_minimize(2, x, coupled, NULL, &o, &r, NULL));
    cr_assert_float_eq(x[0], 1.0, 1e-8);
    cr_assert_eq(x[1], 0.0);
    lml_optim_result_clear(&r);
}

Test(optim, rejects_negative_l1_weight)
{
    double x[2] = {0, 0};
    const double w[2] = {1.0, -1.0};
    lml_optim_options o = {.max_iter = 10, .tol = 1e-6, .l1 = w};
    lml_optim_result r;
    lml_error err = {0};
    cr_assert_not(lml_optim_minimize(2, x, coupled, NULL, &o, &r, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "L1 weight 1") != NULL, "%s", err.message);
}

Test(optim, function_value_rule_needs_a_full_window_of_twenty)
{
    /* tol 1e-6 · |f0| = 1e-5; values fall by 1e-7 per iteration, so once the window holds
     * f_1 … f_20 the spread is 1.9e-6 and the rule fires — at iteration 20, not before. */
    lml_optim_conv c;
    lml_optim_options o = {.max_iter = 1000, .tol = 1e-6};
    lml_optim_stop why;
    cr_assert_not(lml_optim_converged(&c, &o, 0, 10.0, 1.0, &why));
    for (int k = 1; k < 20; k++)
        cr_assert_not(lml_optim_converged(&c, &o, k, 10.0 - k * 1e-7, 1.0, &why), "fired at %d", k);
    cr_assert(lml_optim_converged(&c, &o, 20, 10.0 - 20 * 1e-7, 1.0, &why));
    cr_assert_eq(why, LML_OPTIM_FUNCTION_VALUES);
    /* gradient rule: ‖g‖ ≤ max(tol·|f|, 1e-8) */
    cr_assert(lml_optim_converged(&c, &o, 21, 10.0, 9e-6, &why));
    cr_assert_eq(why, LML_OPTIM_GRADIENT);
}

/* Finite only at the start point: every line search fails. */
static double cliff(const double *x, double *g, void *ctx)
{
    (void)ctx;
    g[0] = 1.0;
    return x[0] == 0.0 ? 1.0 : NAN;
}

Test(optim, two_line_search_failures_stop_and_repeat_the_last_value)
{
    double x[1] = {0.0};
    lml_optim_options o = {.max_iter = 100, .tol = 1e-6};
    lml_optim_result r;
    cr_assert(lml_optim_minimize(1, x, cliff, NULL, &o, &r, NULL));
    cr_assert_eq(r.stop, LML_OPTIM_SEARCH_FAILED);
    /* Breeze yields the unchanged state after each failure: [f0, f0 (reset), f0 (give up)]. */
    cr_assert_eq(r.nhistory, 3);
    cr_assert_eq(r.history[2], 1.0);
    cr_assert_eq(x[0], 0.0);
    lml_optim_result_clear(&r);
}

/* bench/logreg, the lakeml side: LogisticRegression on the data set of gen_data.
 *
 *   logreg_bench DATA_DIR REG_PARAM ELASTIC_NET TOL MAX_ITER THREADS COEF_OUT [PASSES]
 *
 * Reads train_X.f64 / train_y.f64 into a frame ("features" dense vector column, "label"),
 * fits LogisticRegression with regParam, elasticNetParam, tol, maxIter, standardization=false
 * and family binomial (the features are N(0, 1) already, so every tool minimises the same
 * objective), and writes the intercept and the coefficients, one per line, to COEF_OUT.
 *
 * Then it times PASSES (default 5) evaluations of the fused loss/gradient pass the optimiser
 * calls (lml_lr_objective, an internal function: this program links the static library) at the
 * fitted point and reports the median: seconds per pass over the data, to set beside the
 * memory-bandwidth bound bytes(X) / 18 GB/s.
 *
 * Prints one line of key=value pairs: seconds (the lml_fit call alone: statistics, optimisation
 * and the training summary), iterations (totalIterations), objective (the last entry of
 * objectiveHistory, lakeml's own value), pass_seconds (median), pass_min_seconds (fastest), x_bytes,
 * threads. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lakeml/frame.h"
#include "lakeml/ml/classification.h"
#include "lakeml/ml/stage.h"
#include "lakeml/threads.h"
#include "ml/linear/logreg_internal.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int fail(const char *what, const lml_error *err)
{
    fprintf(stderr, "logreg_bench: %s: %s\n", what, err ? err->message : strerror(errno));
    return 1;
}

/* Reads exactly count doubles from DIR/NAME into a new buffer (NULL and a message on failure). */
static double *read_f64(const char *dir, const char *name, size_t count)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        fprintf(stderr, "logreg_bench: path too long: %s/%s\n", dir, name);
        return NULL;
    }
    if (count > SIZE_MAX / sizeof(double)) {
        fprintf(stderr, "logreg_bench: %s: %zu values is too many\n", path, count);
        return NULL;
    }
    double *v = malloc(count ? count * sizeof(double) : 1);
    FILE *f = fopen(path, "rb");
    if (!v || !f) {
        fprintf(stderr, "logreg_bench: %s: %s\n", path, strerror(errno));
        free(v);
        if (f)
            fclose(f);
        return NULL;
    }
    size_t got = fread(v, sizeof(double), count, f);
    fclose(f);
    if (got != count) {
        fprintf(stderr, "logreg_bench: %s: expected %zu values, read %zu\n", path, count, got);
        free(v);
        return NULL;
    }
    return v;
}

/* A whole-string number (NAN when the text is not one). */
static double number(const char *text)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    return (end == text || *end || errno) ? NAN : v;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median seconds of `passes` evaluations of the loss/gradient pass at the model (b, beta), and
 * the fastest in *fastest (the least disturbed by other load on the machine). The problem is set
 * up unstandardised (mean 0, 1/σ = 1): the pass costs the same for any values. */
static double time_pass(const double *X, const double *y, size_t n, size_t d, double lambda, double alpha,
                        double b, const double *beta, int passes, double *fastest, lml_error *err)
{
    double *w = malloc(n * sizeof(double)), *ycopy = malloc(n * sizeof(double));
    double *mean = calloc(d, sizeof(double)), *invstd = malloc(d * sizeof(double));
    double *x = malloc((d + 1) * sizeof(double)), *grad = malloc((d + 1) * sizeof(double));
    double *secs = malloc((size_t)passes * sizeof(double));
    double result = NAN;
    lml_lr_data D = {.n = n, .d = d, .dense = X, .y = ycopy, .w = w, .wsum = (double)n};
    lml_lr_problem p = {.data = &D, .rows = 1, .multinomial = false, .fit_intercept = true, .mean = mean,
                        .invstd = invstd, .l2 = lambda * (1.0 - alpha), .standardization = false};
    if (!w || !ycopy || !mean || !invstd || !x || !grad || !secs) {
        fprintf(stderr, "logreg_bench: out of memory\n");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        w[i] = 1.0;
        ycopy[i] = y[i];
    }
    for (size_t j = 0; j < d; j++) {
        invstd[j] = 1.0;
        x[j] = beta[j];
    }
    x[d] = b;
    if (!lml_lr_problem_init(&p, err)) {
        fail("setting up the loss pass", err);
        goto out;
    }
    for (int k = 0; k < passes; k++) {
        double t0 = now();
        double f = lml_lr_objective(x, grad, &p);
        secs[k] = now() - t0;
        if (!isfinite(f)) {
            fprintf(stderr, "logreg_bench: the loss pass returned %g\n", f);
            lml_lr_problem_free(&p);
            goto out;
        }
    }
    lml_lr_problem_free(&p);
    qsort(secs, (size_t)passes, sizeof(double), cmp_double);
    result = secs[passes / 2];
    *fastest = secs[0];
out:
    free(w);
    free(ycopy);
    free(mean);
    free(invstd);
    free(x);
    free(grad);
    free(secs);
    return result;
}

int main(int argc, char **argv)
{
    if (argc != 8 && argc != 9) {
        fprintf(stderr, "usage: logreg_bench DATA_DIR REG_PARAM ELASTIC_NET TOL MAX_ITER THREADS COEF_OUT [PASSES]\n");
        return 2;
    }
    const char *dir = argv[1], *out = argv[7];
    double lambda = number(argv[2]), alpha = number(argv[3]), tol = number(argv[4]);
    double max_iter = number(argv[5]), threads = number(argv[6]), passes = argc > 8 ? number(argv[8]) : 5;
    /* Range checks of the params themselves are lml_set_*'s; these only guard the casts. */
    if (isnan(lambda) || isnan(alpha) || isnan(tol) || !(max_iter >= 0 && max_iter <= 1e9) ||
        !(threads >= 1 && threads <= 1024) || !(passes >= 1 && passes <= 1000)) {
        fprintf(stderr, "logreg_bench: bad number among the arguments (THREADS 1..1024, PASSES 1..1000)\n");
        return 2;
    }
    lml_set_num_threads((int)threads);

    char path[4096];
    snprintf(path, sizeof path, "%s/meta.txt", dir);
    FILE *fm = fopen(path, "r");
    size_t n = 0, n_test = 0, d = 0;
    if (!fm || fscanf(fm, "%zu %zu %zu", &n, &n_test, &d) != 3 || n == 0 || d == 0) {
        fprintf(stderr, "logreg_bench: cannot read 'n_train n_test d' from %s\n", path);
        if (fm)
            fclose(fm);
        return 1;
    }
    fclose(fm);
    if (n > SIZE_MAX / d)
        return fprintf(stderr, "logreg_bench: %zu x %zu overflows\n", n, d), 1;
    double *X = read_f64(dir, "train_X.f64", n * d), *y = read_f64(dir, "train_y.f64", n);
    if (!X || !y) {
        free(X);
        free(y);
        return 1;
    }

    lml_error err = {0};
    int rc = 1;
    lml_column *cols[2] = {lml_column_vector_from_dense(X, n, d, &err), NULL};
    if (cols[0])
        cols[1] = lml_column_from_doubles(y, NULL, n, &err);
    lml_frame *df = cols[1] ? lml_frame_new(2, (const char *[]){"features", "label"}, cols, &err) : NULL;
    lml_column_free(cols[0]);
    lml_column_free(cols[1]);
    /* The frame holds its own copy: drop ours so that peak RSS counts X once, as for the peers. */
    free(X);
    X = NULL;
    lml_stage *lr = NULL, *model = NULL;
    if (!df) {
        fail("building the training frame", &err);
        goto out;
    }
    lr = lml_logistic_regression_new();
    if (!lr || !lml_set_double(lr, "regParam", lambda, &err) ||
        !lml_set_double(lr, "elasticNetParam", alpha, &err) || !lml_set_double(lr, "tol", tol, &err) ||
        !lml_set_int(lr, "maxIter", (int64_t)max_iter, &err) || !lml_set_bool(lr, "standardization", false, &err) ||
        !lml_set_string(lr, "family", "binomial", &err)) {
        fail("setting LogisticRegression params", lr ? &err : NULL);
        goto out;
    }

    double t0 = now();
    model = lml_fit(lr, df, &err);
    double fit_secs = now() - t0;
    if (!model) {
        fail("fitting", &err);
        goto out;
    }
    const double *beta = lml_logistic_regression_coefficients(model, &err);
    double b = lml_logistic_regression_intercept(model, &err);
    size_t nh = 0;
    const double *hist = lml_logistic_regression_objective_history(model, &nh, &err);
    long iters = lml_logistic_regression_total_iterations(model, &err);
    if (!beta || !hist || nh == 0 || iters < 0 || isnan(b)) {
        fail("reading the model", &err);
        goto out;
    }
    FILE *fo = fopen(out, "w");
    if (!fo) {
        fail(out, NULL);
        goto out;
    }
    fprintf(fo, "%.17g\n", b);
    for (size_t j = 0; j < d; j++)
        fprintf(fo, "%.17g\n", beta[j]);
    if (fclose(fo) != 0) {
        fail(out, NULL);
        goto out;
    }

    /* Time the pass over the very buffer the fit read. */
    const double *Xf = lml_column_vector_dense(lml_frame_column(df, 0));
    double pass_min = NAN;
    double pass = time_pass(Xf, y, n, d, lambda, alpha, b, beta, (int)passes, &pass_min, &err);
    if (isnan(pass))
        goto out;
    printf("seconds=%.4f iterations=%ld objective=%.12e pass_seconds=%.6f pass_min_seconds=%.6f x_bytes=%zu "
           "threads=%d\n",
           fit_secs, iters, hist[nh - 1], pass, pass_min, n * d * sizeof(double), (int)threads);
    rc = 0;
out:
    lml_stage_free(model);
    lml_stage_free(lr);
    lml_frame_free(df);
    free(X);
    free(y);
    return rc;
}

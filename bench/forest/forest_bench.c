/* bench/forest, the lakeml side: RandomForestClassifier / RandomForestRegressor on the data set
 * of gen_forest_data.
 *
 *   forest_bench DATA_DIR cls|reg NUM_TREES MAX_DEPTH STRATEGY THREADS SEED PRED_OUT [MAX_BINS]
 *
 * Reads train_X.f64 straight into the buffer of a dense vector column "features" (no second copy
 * of X: the peers hold it once too) and train_y.f64 into a double column "label", fits the forest
 * with numTrees, maxDepth, featureSubsetStrategy STRATEGY (sqrt, onethird, ...), seed, maxBins
 * MAX_BINS (default 32, Spark's) and every other param at Spark's default (bootstrap,
 * subsamplingRate 1, minInstancesPerNode 1), timing the lml_fit call alone (binning included). Then it frees the training frame, reads
 * the test set the same way, transforms it and writes one float64 per test row to PRED_OUT: the
 * probability of class 1 (cls) or the prediction (reg), for bench/forest/evaluate.py.
 *
 * Prints one line of key=value pairs: seconds (the fit), rss_mb (peak resident set so far,
 * getrusage ru_maxrss, MB = 10^6 bytes), auc (lakeml's BinaryClassificationEvaluator on
 * probability, numBins 0 = exact) or rmse (RegressionEvaluator), nodes (total over the trees),
 * threads. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "frame/internal.h"
#include "lakeml/frame.h"
#include "lakeml/ml/evaluation.h"
#include "lakeml/ml/stage.h"
#include "lakeml/ml/tree.h"
#include "lakeml/threads.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss * 1024.0 / 1e6; /* Linux reports kB */
}

static int fail(const char *what, const lml_error *err)
{
    fprintf(stderr, "forest_bench: %s: %s\n", what, err ? err->message : strerror(errno));
    return 1;
}

/* Reads exactly count doubles from DIR/NAME into dst. */
static bool read_f64(const char *dir, const char *name, double *dst, size_t count)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        fprintf(stderr, "forest_bench: path too long: %s/%s\n", dir, name);
        return false;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "forest_bench: %s: %s\n", path, strerror(errno));
        return false;
    }
    size_t got = fread(dst, sizeof(double), count, f);
    fclose(f);
    if (got != count) {
        fprintf(stderr, "forest_bench: %s: expected %zu values, read %zu\n", path, count, got);
        return false;
    }
    return true;
}

/* A frame ("features" dense n x d vector, "label" double) read from PART_X.f64 / PART_y.f64.
 * lml_column_vector_from_dense copies its input, and lml_column_alloc has no vector case, so the
 * vector column is made empty by the public constructor and then given an n x d buffer of the
 * library's own allocator, which fread fills: X exists once, in the frame. */
static lml_frame *read_part(const char *dir, const char *part, size_t n, size_t d, lml_error *err)
{
    char xname[64], yname[64];
    snprintf(xname, sizeof xname, "%s_X.f64", part);
    snprintf(yname, sizeof yname, "%s_y.f64", part);
    lml_column *x = lml_column_vector_from_dense(NULL, 0, d, err), *y = NULL;
    lml_frame *df = NULL;
    if (!x)
        goto out;
    lml_aligned_free(x->vvalues);
    x->vvalues = lml_aligned_malloc(n * d * sizeof(double));
    if (!x->vvalues) {
        lml_error_set(err, LML_ENOMEM, "out of memory for %s: %zu x %zu doubles", xname, n, d);
        goto out;
    }
    x->length = n;
    y = lml_column_alloc(LML_DOUBLE, n, 0, false, err);
    if (!y)
        goto out;
    if (!read_f64(dir, xname, x->vvalues, n * d) || !read_f64(dir, yname, y->values, n)) {
        lml_error_set(err, LML_EIO, "cannot read the %s set from %s", part, dir);
        goto out;
    }
    lml_column_seal(y);
    df = lml_frame_new(2, (const char *[]){"features", "label"}, (lml_column *[]){x, y}, err);
out:
    lml_column_free(x); /* the frame holds its own references */
    lml_column_free(y);
    return df;
}

/* A whole-string number (NAN when the text is not one). */
static double number(const char *text)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    return (end == text || *end || errno) ? NAN : v;
}

/* Writes the test predictions (P(class 1) or the regression prediction) to path. */
static bool write_predictions(const lml_frame *pred, bool cls, const char *path, lml_error *err)
{
    const lml_column *c = lml_frame_column_by_name(pred, cls ? "probability" : "prediction", err);
    if (!c)
        return false;
    size_t n = lml_column_length(c);
    const double *v = cls ? lml_column_vector_dense(c) : lml_column_doubles(c);
    if (!v || (cls && lml_column_vector_size(c) != 2)) {
        lml_error_set(err, LML_ETYPE, "column '%s' is not what forest_bench expects",
                      cls ? "probability" : "prediction");
        return false;
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return lml_error_set(err, LML_EIO, "%s: %s", path, strerror(errno)), false;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++)
        ok = fwrite(cls ? &v[2 * i + 1] : &v[i], sizeof(double), 1, f) == 1;
    if (fclose(f) != 0 || !ok)
        return lml_error_set(err, LML_EIO, "writing %s failed", path), false;
    return true;
}

int main(int argc, char **argv)
{
    if ((argc != 9 && argc != 10) || (strcmp(argv[2], "cls") != 0 && strcmp(argv[2], "reg") != 0)) {
        fprintf(stderr, "usage: forest_bench DATA_DIR cls|reg NUM_TREES MAX_DEPTH STRATEGY THREADS SEED PRED_OUT "
                        "[MAX_BINS]\n");
        return 2;
    }
    const char *dir = argv[1], *strategy = argv[5], *out = argv[8];
    bool cls = strcmp(argv[2], "cls") == 0;
    double trees = number(argv[3]), depth = number(argv[4]), threads = number(argv[6]), seed = number(argv[7]);
    double max_bins = argc > 9 ? number(argv[9]) : 32;
    /* Range checks of the params are lml_set_*'s; these only guard the casts. */
    if (!(trees >= 1 && trees <= 1e6) || !(depth >= 0 && depth <= 1e3) || !(threads >= 1 && threads <= 1024) ||
        !(fabs(seed) <= 9e15) || !(max_bins >= 0 && max_bins <= 1e9)) {
        fprintf(stderr, "forest_bench: bad number among the arguments\n");
        return 2;
    }
    lml_set_num_threads((int)threads);

    char path[4096];
    snprintf(path, sizeof path, "%s/meta.txt", dir);
    FILE *fm = fopen(path, "r");
    size_t n = 0, n_test = 0, d = 0;
    if (!fm || fscanf(fm, "%zu %zu %zu", &n, &n_test, &d) != 3 || n == 0 || n_test == 0 || d == 0 ||
        n > SIZE_MAX / sizeof(double) / d || n_test > SIZE_MAX / sizeof(double) / d) {
        fprintf(stderr, "forest_bench: cannot read 'n_train n_test d' from %s\n", path);
        if (fm)
            fclose(fm);
        return 1;
    }
    fclose(fm);

    lml_error err = {0};
    int rc = 1;
    lml_stage *rf = cls ? lml_random_forest_classifier_new() : lml_random_forest_regressor_new();
    lml_stage *model = NULL, *ev = NULL;
    lml_frame *df = NULL, *pred = NULL;
    if (!rf || !lml_set_int(rf, "numTrees", (int64_t)trees, &err) ||
        !lml_set_int(rf, "maxDepth", (int64_t)depth, &err) ||
        !lml_set_string(rf, "featureSubsetStrategy", strategy, &err) ||
        !lml_set_int(rf, "seed", (int64_t)seed, &err) || !lml_set_int(rf, "maxBins", (int64_t)max_bins, &err)) {
        fail("setting the forest's params", rf ? &err : NULL);
        goto out;
    }
    df = read_part(dir, "train", n, d, &err);
    if (!df) {
        fail("reading the training set", &err);
        goto out;
    }
    double t0 = now();
    model = lml_fit(rf, df, &err);
    double fit_secs = now() - t0;
    if (!model) {
        fail("fitting", &err);
        goto out;
    }
    double fit_rss = peak_rss_mb();
    lml_frame_free(df);
    df = read_part(dir, "test", n_test, d, &err);
    if (!df) {
        fail("reading the test set", &err);
        goto out;
    }
    pred = lml_transform(model, df, &err);
    if (!pred || !write_predictions(pred, cls, out, &err)) {
        fail("predicting the test set", &err);
        goto out;
    }
    ev = cls ? lml_binary_classification_evaluator_new() : lml_regression_evaluator_new();
    if (!ev || (cls && (!lml_set_string(ev, "rawPredictionCol", "probability", &err) ||
                        !lml_set_int(ev, "numBins", 0, &err)))) {
        fail("setting up the evaluator", ev ? &err : NULL);
        goto out;
    }
    double metric = lml_evaluate(ev, pred, &err);
    int64_t nodes = lml_random_forest_total_num_nodes(model, &err);
    if (isnan(metric) || nodes < 0) {
        fail("evaluating", &err);
        goto out;
    }
    printf("seconds=%.4f rss_mb=%.1f fit_rss_mb=%.1f %s=%.6f nodes=%lld threads=%d max_bins=%d\n", fit_secs,
           peak_rss_mb(), fit_rss, cls ? "auc" : "rmse", metric, (long long)nodes, (int)threads, (int)max_bins);
    rc = 0;
out:
    lml_stage_free(ev);
    lml_frame_free(pred);
    lml_frame_free(df);
    lml_stage_free(model);
    lml_stage_free(rf);
    return rc;
}

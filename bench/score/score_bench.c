/* bench/score, the lakeml side: batch scoring of 1,000,000 rows with a saved PipelineModel.
 *
 *   score_bench prep TRAIN_DIR SCORE_DIR N_TRAIN THREADS SEED WORK
 *       Reads the first N_TRAIN rows of TRAIN_DIR/train_{X,y}.f64 and all rows of
 *       SCORE_DIR/train_{X,y}.f64 (gen_forest_data's layout; SCORE_DIR/meta.txt gives the count)
 *       as frames of d double columns f0 … f{d-1} plus "label", writes the scoring rows to
 *       WORK/score.parquet, fits two pipelines on the training rows and saves them (lml_save,
 *       Spark's layout) as WORK/lr_model and WORK/rf_model:
 *         lr: VectorAssembler(f0 … f{d-1} → features) + LogisticRegression (Spark's defaults:
 *             maxIter 100, regParam 0, standardization on)
 *         rf: VectorAssembler + RandomForestClassifier(numTrees 100, maxDepth 10,
 *             featureSubsetStrategy sqrt, seed SEED)
 *       Prints "lr_fit_seconds=… rf_fit_seconds=…".
 *
 *   score_bench score MODEL_DIR PARQUET THREADS PRED_OUT
 *       Loads the model and the Parquet file (not timed), then times ONE lml_transform of the
 *       PipelineModel on the frame in memory (the headline: what sklearn's predict_proba on an
 *       in-memory array is compared with), then each stage's transform alone (the breakdown).
 *       Writes P(class 1) per row as float64 to PRED_OUT (for evaluate.py) and checks the output
 *       (after the timed runs) on every 97th row: the assembled features equal the Parquet
 *       columns, and the probability equals an independent row-by-row computation from the
 *       model's own parameters (LR: intercept + Σ coef·x in index order, then 1 − 1/(1 + e^m);
 *       RF: each tree walked node by node with lml_tree_leaf_of, s[c]/tot summed in tree order,
 *       normalised) bit for bit.
 *       Prints one line of key=value pairs: seconds, cpu_seconds (of the transform, all threads),
 *       va_seconds, model_seconds, rows, rss_mb (ru_maxrss), features (csr or dense: the assembler
 *       makes CSR when some row has fewer than 2/3 non-zeros, Spark's rule), nnz (stored entries
 *       of the features column), checked, mismatches.
 *
 *   score_bench scorer MODEL_DIR PARQUET THREADS PRED_OUT
 *       Loads the model and the Parquet file (not timed), compiles the model with lml_scorer_new
 *       (timed alone: compile_seconds), then times ONE lml_scorer_predict_frame on the frame in
 *       memory (the fused batch scorer: no features column; the output buffer is allocated, not
 *       touched, before the call). Writes P(class 1) per row to PRED_OUT, then checks every 97th
 *       row: the scorer's prediction, probability and rawPrediction equal lml_transform's outputs
 *       bit for bit (the transform runs after the timed call and after rss_mb is taken).
 *       Prints seconds, cpu_seconds, compile_seconds, rows, rss_mb, threads, checked, mismatches. */
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
#include "lakeml/ml/classification.h"
#include "lakeml/ml/tree.h"
#include "lakeml/ml/feature.h"
#include "lakeml/ml/persist.h"
#include "lakeml/ml/pipeline.h"
#include "lakeml/ml/scorer.h"
#include "lakeml/ml/stage.h"
#include "lakeml/parquet.h"
#include "lakeml/threads.h"
#include "ml/tree/tree_internal.h"

#define CHECK_STRIDE 97

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec +
           1e-6 * (double)ru.ru_stime.tv_usec;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss * 1024.0 / 1e6;
}

static int fail(const char *what, const lml_error *err)
{
    fprintf(stderr, "score_bench: %s: %s\n", what, err ? err->message : strerror(errno));
    return 1;
}

static bool read_meta(const char *dir, size_t *n, size_t *n_test, size_t *d)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/meta.txt", dir);
    FILE *f = fopen(path, "r");
    bool ok = f && fscanf(f, "%zu %zu %zu", n, n_test, d) == 3 && *n > 0 && *d > 0 && *d < 100000;
    if (f)
        fclose(f);
    if (!ok)
        fprintf(stderr, "score_bench: cannot read 'n_train n_test d' from %s\n", path);
    return ok;
}

/* The first n rows of DIR/train_{X,y}.f64 as d double columns f0 … and "label". */
static lml_frame *read_rows(const char *dir, size_t n, size_t d, lml_error *err)
{
    char path[4096];
    double *x = malloc(n * d * sizeof *x);
    lml_column **cols = calloc(d + 1, sizeof *cols);
    char **names = calloc(d + 1, sizeof *names);
    lml_frame *df = NULL;
    if (!x || !cols || !names) {
        lml_error_set(err, LML_ENOMEM, "out of memory for %zu x %zu", n, d);
        goto out;
    }
    snprintf(path, sizeof path, "%s/train_X.f64", dir);
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(x, sizeof(double), n * d, f) : 0;
    if (f)
        fclose(f);
    if (got != n * d) {
        lml_error_set(err, LML_EIO, "%s: expected %zu values, read %zu", path, n * d, got);
        goto out;
    }
    for (size_t j = 0; j <= d; j++) {
        names[j] = malloc(24);
        cols[j] = lml_column_alloc(LML_DOUBLE, n, 0, false, err);
        if (!names[j] || !cols[j])
            goto out;
        snprintf(names[j], 24, j < d ? "f%zu" : "label", j);
        double *v = cols[j]->values;
        for (size_t i = 0; j < d && i < n; i++)
            v[i] = x[i * d + j];
    }
    snprintf(path, sizeof path, "%s/train_y.f64", dir);
    f = fopen(path, "rb");
    got = f ? fread(cols[d]->values, sizeof(double), n, f) : 0;
    if (f)
        fclose(f);
    if (got != n) {
        lml_error_set(err, LML_EIO, "%s: expected %zu values, read %zu", path, n, got);
        goto out;
    }
    for (size_t j = 0; j <= d; j++)
        lml_column_seal(cols[j]);
    df = lml_frame_new(d + 1, (const char *const *)names, cols, err);
out:
    for (size_t j = 0; cols && names && j <= d; j++)
        lml_column_free(cols[j]), free(names[j]);
    free(cols), free(names), free(x);
    return df;
}

static lml_stage *assembler(size_t d, lml_error *err)
{
    char **in = calloc(d + 1, sizeof *in);
    lml_stage *va = NULL;
    for (size_t j = 0; in && j < d; j++)
        if ((in[j] = malloc(24)))
            snprintf(in[j], 24, "f%zu", j);
    bool ok = in != NULL;
    for (size_t j = 0; ok && j < d; j++)
        ok = in[j] != NULL;
    if (ok)
        va = lml_vector_assembler_new((const char *const *)in, "features");
    else
        lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t j = 0; in && j < d; j++)
        free(in[j]);
    free(in);
    return va;
}

/* Fits VectorAssembler + est on df and saves the PipelineModel at path. */
static bool fit_save(lml_stage *est, size_t d, const lml_frame *df, const char *path, double *secs, lml_error *err)
{
    lml_stage *va = assembler(d, err);
    if (!va || !est) {
        lml_stage_free(va), lml_stage_free(est);
        return false;
    }
    lml_stage *pl = lml_pipeline_new((lml_stage *[]){va, est, NULL}, err); /* takes both */
    if (!pl)
        return false;
    double t0 = now();
    lml_stage *m = lml_fit(pl, df, err);
    *secs = now() - t0;
    bool ok = m && lml_save(m, path, LML_SAVE_OVERWRITE, err);
    lml_stage_free(m);
    lml_stage_free(pl);
    return ok;
}

static int prep(char **argv)
{
    const char *train_dir = argv[2], *score_dir = argv[3], *work = argv[7];
    size_t n_train = strtoull(argv[4], NULL, 10), n, nt, d, n2, d2;
    int threads = atoi(argv[5]);
    int64_t seed = strtoll(argv[6], NULL, 10);
    if (!read_meta(train_dir, &n, &nt, &d) || !read_meta(score_dir, &n2, &nt, &d2))
        return 1;
    if (n_train == 0 || n_train > n || d != d2 || threads < 1)
        return fprintf(stderr, "score_bench: N_TRAIN %zu of %zu, d %zu vs %zu\n", n_train, n, d, d2), 1;
    lml_set_num_threads(threads);
    lml_error err = {0};
    char path[4096];
    lml_frame *sc = read_rows(score_dir, n2, d, &err);
    snprintf(path, sizeof path, "%s/score.parquet", work);
    if (!sc || !lml_parquet_write(sc, path, NULL, &err))
        return lml_frame_free(sc), fail("writing the scoring rows", &err);
    lml_frame_free(sc);
    lml_frame *tr = read_rows(train_dir, n_train, d, &err);
    if (!tr)
        return fail("reading the training rows", &err);
    double lr_s = 0, rf_s = 0;
    lml_stage *rf = lml_random_forest_classifier_new();
    snprintf(path, sizeof path, "%s/lr_model", work);
    bool ok = fit_save(lml_logistic_regression_new(), d, tr, path, &lr_s, &err);
    ok = ok && rf && lml_set_int(rf, "numTrees", 100, &err) && lml_set_int(rf, "maxDepth", 10, &err) &&
         lml_set_string(rf, "featureSubsetStrategy", "sqrt", &err) && lml_set_int(rf, "seed", seed, &err);
    snprintf(path, sizeof path, "%s/rf_model", work);
    if (ok)
        ok = fit_save(rf, d, tr, path, &rf_s, &err);
    else
        lml_stage_free(rf);
    lml_frame_free(tr);
    if (!ok)
        return fail("fitting / saving", &err);
    printf("lr_fit_seconds=%.3f rf_fit_seconds=%.3f n_train=%zu n_score=%zu d=%zu\n", lr_s, rf_s, n_train, n2, d);
    return 0;
}

/* The check of the module comment on rows 0, 97, 194, …; returns the mismatches. */
static size_t check(const lml_stage *model, const lml_frame *in, const lml_frame *out, size_t *checked,
                    lml_error *err)
{
    const lml_stage *last = lml_pipeline_stage(model, lml_pipeline_num_stages(model) - 1);
    const lml_column *fc = lml_frame_column_by_name(out, "features", err);
    const lml_column *pc = lml_frame_column_by_name(out, "probability", err);
    if (!fc || !pc)
        return SIZE_MAX;
    size_t n = lml_column_length(fc), d = lml_column_vector_size(fc), bad = 0;
    const double *P = lml_column_vector_dense(pc);
    /* The assembler makes CSR when some row has fewer than 2/3 non-zeros (Spark's rule), as here. */
    lml_tree_data dt = {.n = n, .d = d, .X = lml_column_vector_dense(fc), .indptr = lml_column_vector_indptr(fc),
                        .indices = lml_column_vector_indices(fc), .values = lml_column_vector_values(fc)};
    bool is_lr = strcmp(lml_stage_name(last), "LogisticRegressionModel") == 0;
    const double *coef = is_lr ? lml_logistic_regression_coefficients(last, err) : NULL;
    double icpt = is_lr ? lml_logistic_regression_intercept(last, err) : 0;
    size_t rd = 0, K = 0, T = 0;
    const lml_tree *trees = is_lr ? NULL : lml_rf_model_trees(last, &rd, &K, &T, err);
    if ((is_lr && !coef) || (!is_lr && (!trees || K != 2))) {
        if (!err->code)
            lml_error_set(err, LML_EINVAL, "the last stage %s is not a binary LR or RF model", lml_stage_name(last));
        return SIZE_MAX;
    }
    *checked = 0;
    for (size_t i = 0; i < n; i += CHECK_STRIDE, ++*checked) {
        for (size_t j = 0; j < d; j++)
            bad += lml_tree_feature(&dt, i, j) != lml_column_doubles(lml_frame_column(in, j))[i];
        double p1;
        if (is_lr) {
            /* lakeml's order: the stored entries in index order (all d for a dense row) */
            double m = icpt;
            if (dt.X)
                for (size_t j = 0; j < d; j++)
                    m += coef[j] * dt.X[i * d + j];
            else
                for (int64_t z = dt.indptr[i]; z < dt.indptr[i + 1]; z++)
                    m += coef[dt.indices[z]] * dt.values[z];
            p1 = 1.0 - 1.0 / (1.0 + exp(m));
        } else {
            double raw[2] = {0, 0};
            for (size_t t = 0; t < T; t++) {
                const double *s = trees[t].stats + trees[t].nodes[lml_tree_leaf_of(&trees[t], &dt, i)].stats;
                double tot = s[0] + s[1];
                if (tot > 0)
                    raw[0] += s[0] / tot, raw[1] += s[1] / tot;
            }
            double tot = raw[0] + raw[1];
            p1 = tot > 0 ? raw[1] / tot : 0.0;
        }
        bad += memcmp(&p1, &P[2 * i + 1], sizeof p1) != 0;
    }
    return bad;
}

/* The common arguments of `score` and `scorer`: MODEL_DIR PARQUET THREADS (argv[2..4]), loaded.
 * Returns 0, or the exit status after a message. */
static int load_inputs(char **argv, int *threads, lml_stage **model, lml_frame **in)
{
    *threads = atoi(argv[4]);
    if (*threads < 1)
        return fprintf(stderr, "score_bench: bad THREADS\n"), 2;
    lml_set_num_threads(*threads);
    lml_error err = {0};
    if (!(*model = lml_load(argv[2], &err)))
        return fail("loading the model", &err);
    if (!(*in = lml_parquet_read(argv[3], NULL, &err)))
        return lml_stage_free(*model), fail("reading the Parquet file", &err);
    return 0;
}

/* Writes P(class 1) of n rows, v[i * stride], as raw float64 for evaluate.py. */
static bool write_p1(const char *path, const double *v, size_t n, size_t stride)
{
    FILE *f = fopen(path, "wb");
    bool ok = f != NULL;
    for (size_t i = 0; ok && i < n; i++)
        ok = fwrite(&v[i * stride], sizeof(double), 1, f) == 1;
    if (f && fclose(f) != 0)
        ok = false;
    return ok;
}

static int score(char **argv)
{
    const char *pred_out = argv[5];
    int threads;
    lml_stage *model;
    lml_frame *in;
    int rc = load_inputs(argv, &threads, &model, &in);
    if (rc)
        return rc;
    lml_error err = {0};
    double c0 = cpu_now(), t0 = now();
    lml_frame *out = lml_transform(model, in, &err);
    double secs = now() - t0, cpu = cpu_now() - c0;
    if (!out)
        return fail("transforming", &err);
    double rss = peak_rss_mb();
    /* breakdown: the assembler, then the model on its output */
    const lml_stage *va = lml_pipeline_stage(model, 0), *last = lml_pipeline_stage(model, 1);
    t0 = now();
    lml_frame *mid = lml_transform(va, in, &err);
    double va_s = now() - t0;
    t0 = now();
    lml_frame *o2 = mid ? lml_transform(last, mid, &err) : NULL;
    double m_s = now() - t0;
    if (!o2)
        return fail("transforming stage by stage", &err);
    lml_frame_free(o2), lml_frame_free(mid);

    size_t n = lml_frame_num_rows(out), checked = 0;
    const lml_column *pc = lml_frame_column_by_name(out, "probability", &err);
    if (!pc || !write_p1(pred_out, lml_column_vector_dense(pc) + 1, n, 2))
        return fail("writing the predictions", pc ? NULL : &err);
    const lml_column *fc = lml_frame_column_by_name(out, "features", &err);
    size_t nnz = !fc ? 0 : lml_column_vector_is_sparse(fc) ? (size_t)lml_column_vector_indptr(fc)[n]
                                                           : n * lml_column_vector_size(fc);
    printf("seconds=%.4f cpu_seconds=%.3f va_seconds=%.4f model_seconds=%.4f rows=%zu rss_mb=%.1f threads=%d "
           "features=%s nnz=%zu",
           secs, cpu, va_s, m_s, n, rss, threads, fc && lml_column_vector_is_sparse(fc) ? "csr" : "dense", nnz);
    fflush(stdout);
    size_t bad = check(model, in, out, &checked, &err);
    if (bad == SIZE_MAX)
        return printf("\n"), fail("checking", &err);
    printf(" checked=%zu mismatches=%zu\n", checked, bad);
    lml_frame_free(out), lml_frame_free(in), lml_stage_free(model);
    return bad ? 3 : 0;
}

/* The scorer's outputs of row i against lml_transform's columns, bit for bit. */
static size_t check_scorer(const double *o, size_t no, const lml_frame *out, size_t *checked, lml_error *err)
{
    const lml_column *pc = lml_frame_column_by_name(out, "prediction", err);
    const lml_column *pr = lml_frame_column_by_name(out, "probability", err);
    const lml_column *rc = lml_frame_column_by_name(out, "rawPrediction", err);
    if (!pc || !pr || !rc || no != 5 || lml_column_vector_is_sparse(pr) || lml_column_vector_is_sparse(rc)) {
        if (!err->code)
            lml_error_set(err, LML_EINVAL, "unexpected output columns (%zu scorer outputs)", no);
        return SIZE_MAX;
    }
    size_t n = lml_column_length(pc), bad = 0;
    const double *P = lml_column_vector_dense(pr), *R = lml_column_vector_dense(rc);
    *checked = 0;
    for (size_t i = 0; i < n; i += CHECK_STRIDE, ++*checked) {
        double want[5] = {lml_column_doubles(pc)[i], P[2 * i], P[2 * i + 1], R[2 * i], R[2 * i + 1]};
        bad += memcmp(want, o + i * no, sizeof want) != 0;
    }
    return bad;
}

static int scorer(char **argv)
{
    const char *pred_out = argv[5];
    int threads;
    lml_stage *model;
    lml_frame *in;
    int rc = load_inputs(argv, &threads, &model, &in);
    if (rc)
        return rc;
    lml_error err = {0};
    double t0 = now();
    lml_scorer *s = lml_scorer_new(model, &err);
    double compile_s = now() - t0;
    if (!s)
        return fail("compiling the scorer", &err);
    size_t n = lml_frame_num_rows(in), no = lml_scorer_num_outputs(s);
    double *o = malloc(n * no * sizeof *o);
    if (!o)
        return fprintf(stderr, "score_bench: out of memory\n"), 1;
    double c0 = cpu_now();
    t0 = now();
    bool ok = lml_scorer_predict_frame(s, in, o, NULL, &err);
    double secs = now() - t0, cpu = cpu_now() - c0;
    if (!ok)
        return fail("scoring", &err);
    double rss = peak_rss_mb();
    if (no != 5 || !write_p1(pred_out, o + 2, n, no))
        return fail("writing the predictions", NULL);
    printf("seconds=%.4f cpu_seconds=%.3f compile_seconds=%.4f rows=%zu rss_mb=%.1f threads=%d", secs, cpu, compile_s,
           n, rss, threads);
    fflush(stdout);
    lml_frame *out = lml_transform(model, in, &err);
    size_t checked = 0, bad = out ? check_scorer(o, no, out, &checked, &err) : SIZE_MAX;
    if (bad == SIZE_MAX)
        return printf("\n"), fail("checking", &err);
    printf(" checked=%zu mismatches=%zu\n", checked, bad);
    free(o);
    lml_scorer_free(s);
    lml_frame_free(out), lml_frame_free(in), lml_stage_free(model);
    return bad ? 3 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 8 && strcmp(argv[1], "prep") == 0)
        return prep(argv);
    if (argc == 6 && strcmp(argv[1], "score") == 0)
        return score(argv);
    if (argc == 6 && strcmp(argv[1], "scorer") == 0)
        return scorer(argv);
    fprintf(stderr, "usage: score_bench prep TRAIN_DIR SCORE_DIR N_TRAIN THREADS SEED WORK\n"
                    "       score_bench score MODEL_DIR PARQUET THREADS PRED_OUT\n"
                    "       score_bench scorer MODEL_DIR PARQUET THREADS PRED_OUT\n");
    return 2;
}

/* bench/latency, the lakeml side: single-row scoring latency of the embedded scorer
 * (include/lakeml/ml/scorer.h).
 *
 *   latency_bench prep-titanic CSV MODEL_DIR
 *       Spark's Titanic pipeline on the rows of CSV with Survived, Pclass, Sex, Age, Fare all
 *       present: StringIndexer(Sex), StringIndexer(Pclass), OneHotEncoder, VectorAssembler
 *       [PclassVec, SexVec, Age, Fare], LogisticRegression(maxIter 10, labelCol Survived), fitted
 *       and saved with lml_save as one PipelineModel.
 *   latency_bench run MODEL_DIR titanic:CSV|forest:DATA_DIR CALLS ROWS_OUT
 *       Loads the model, takes up to 1000 input rows (the Titanic rows as read, or the first 1000
 *       rows of DATA_DIR/train_X.f64 as f0 … f{d-1}), compiles the scorer, checks that it gives
 *       the bits of lml_transform on those rows (probability of class 1), then times CALLS calls of
 *       lml_scorer_predict, cycling through the rows (1000 warm-up calls first, not counted). Each
 *       call is timed alone with clock_gettime(CLOCK_MONOTONIC); the cost of the clock itself (the
 *       median of back-to-back pairs) is printed too and NOT subtracted. Writes the rows and the
 *       expected probabilities to ROWS_OUT for export_driver.c (one line "NIN TYPES", where TYPES
 *       has s for a string input and d for a number, then one line per row of NIN tab-separated
 *       fields — strings as they are, numbers as hex floats — and the expected value).
 *       Prints "median_ns=… p99_ns=… mean_ns=… clock_ns=… calls=… rows=… inputs=… mismatches=…". */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frame/internal.h"
#include "lakeml/csv.h"
#include "lakeml/frame.h"
#include "lakeml/ml/classification.h"
#include "lakeml/ml/feature.h"
#include "lakeml/ml/persist.h"
#include "lakeml/ml/pipeline.h"
#include "lakeml/ml/scorer.h"
#include "lakeml/ml/stage.h"
#include "lakeml/threads.h"
#include "latency_stats.h"

#define MAX_ROWS 1000
#define WARMUP 1000

static int fail(const char *what, const lml_error *err)
{
    fprintf(stderr, "latency_bench: %s: %s\n", what, err ? err->message : strerror(errno));
    return 1;
}

static lml_frame *titanic_rows(const char *csv, lml_error *err)
{
    lml_frame *df = lml_csv_read(csv, &(lml_csv_options){.header = true, .infer_schema = true}, err);
    lml_frame *sel = df ? lml_frame_select(df, (const char *[]){"Survived", "Pclass", "Sex", "Age", "Fare", NULL}, err)
                        : NULL;
    lml_frame *data = sel ? lml_frame_drop_nulls(sel, NULL, err) : NULL;
    lml_frame_free(df), lml_frame_free(sel);
    return data;
}

static int prep_titanic(const char *csv, const char *dir)
{
    lml_error err = {0};
    lml_frame *data = titanic_rows(csv, &err);
    if (!data)
        return fail("reading the Titanic rows", &err);
    lml_stage *lr = lml_logistic_regression_new();
    if (!lr || !lml_set_int(lr, "maxIter", 10, &err) || !lml_set_string(lr, "labelCol", "Survived", &err))
        return fail("setting up LogisticRegression", &err);
    lml_stage *stages[] = {
        lml_string_indexer_new("Sex", "SexIndex"), lml_string_indexer_new("Pclass", "PclassIndex"),
        lml_one_hot_encoder_new2((const char *[]){"SexIndex", "PclassIndex", NULL},
                                 (const char *[]){"SexVec", "PclassVec", NULL}),
        lml_vector_assembler_new((const char *[]){"PclassVec", "SexVec", "Age", "Fare", NULL}, "features"), lr, NULL};
    lml_stage *pl = lml_pipeline_new(stages, &err);
    lml_stage *m = pl ? lml_fit(pl, data, &err) : NULL;
    bool ok = m && lml_save(m, dir, LML_SAVE_OVERWRITE, &err);
    printf("titanic rows=%zu saved=%s\n", lml_frame_num_rows(data), ok ? dir : "no");
    lml_stage_free(m), lml_stage_free(pl), lml_frame_free(data);
    return ok ? 0 : fail("fitting / saving the Titanic pipeline", &err);
}

/* The first n rows of DIR/train_X.f64 (d from DIR/meta.txt) as double columns f0 …. */
static lml_frame *forest_rows(const char *dir, lml_error *err)
{
    char path[4096];
    size_t n = 0, nt = 0, d = 0;
    snprintf(path, sizeof path, "%s/meta.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f || fscanf(f, "%zu %zu %zu", &n, &nt, &d) != 3 || d == 0 || d > 100000) {
        if (f)
            fclose(f);
        return lml_error_set(err, LML_EIO, "cannot read %s", path), NULL;
    }
    fclose(f);
    n = n < MAX_ROWS ? n : MAX_ROWS;
    double *x = malloc(n * d * sizeof *x);
    snprintf(path, sizeof path, "%s/train_X.f64", dir);
    f = fopen(path, "rb");
    size_t got = f && x ? fread(x, sizeof(double), n * d, f) : 0;
    if (f)
        fclose(f);
    lml_column **cols = calloc(d, sizeof *cols);
    char **names = calloc(d, sizeof *names);
    lml_frame *df = NULL;
    if (got != n * d || !cols || !names) {
        lml_error_set(err, LML_EIO, "cannot read %zu x %zu values from %s", n, d, path);
        goto out;
    }
    for (size_t j = 0; j < d; j++) {
        names[j] = malloc(24);
        cols[j] = lml_column_alloc(LML_DOUBLE, n, 0, false, err);
        if (!names[j] || !cols[j])
            goto out;
        snprintf(names[j], 24, "f%zu", j);
        for (size_t i = 0; i < n; i++)
            ((double *)cols[j]->values)[i] = x[i * d + j];
        lml_column_seal(cols[j]);
    }
    df = lml_frame_new(d, (const char *const *)names, cols, err);
out:
    for (size_t j = 0; cols && names && j < d; j++)
        lml_column_free(cols[j]), free(names[j]);
    free(cols), free(names), free(x);
    return df;
}

/* Writes one input value for export_driver.c: strings as they are (numbers a string input
 * receives formatted as Spark casts an integer), numbers as hex floats. */
static void put_value(FILE *f, const lml_value *v, bool is_string)
{
    if (v->is_null) {
        fputs(is_string ? "\\N" : "nan", f);
    } else if (v->type == LML_STRING) {
        fwrite(v->v.str.ptr, 1, v->v.str.len, f);
    } else {
        double x = v->type == LML_INT32 ? v->v.i32 : v->type == LML_INT64 ? (double)v->v.i64 : v->v.f64;
        if (is_string)
            fprintf(f, "%" PRId64, (int64_t)x);
        else
            fprintf(f, "%a", x);
    }
}

static int run(const char *model_dir, const char *source, long calls, const char *rows_out)
{
    lml_error err = {0};
    lml_set_num_threads(1);
    lml_stage *model = lml_load(model_dir, &err);
    if (!model)
        return fail("loading the model", &err);
    lml_frame *df = strncmp(source, "titanic:", 8) == 0  ? titanic_rows(source + 8, &err)
                    : strncmp(source, "forest:", 7) == 0 ? forest_rows(source + 7, &err)
                                                         : NULL;
    if (!df)
        return fail("reading the rows", err.code ? &err : NULL);
    lml_scorer *sc = lml_scorer_new(model, &err);
    if (!sc)
        return fail("compiling the scorer", &err);
    lml_frame *ref = lml_transform(model, df, &err);
    const lml_column *pc = ref ? lml_frame_column_by_name(ref, "probability", &err) : NULL;
    if (!pc)
        return fail("transforming the rows", &err);
    size_t nin = lml_scorer_num_inputs(sc), nout = lml_scorer_num_outputs(sc), n = lml_frame_num_rows(df);
    n = n < MAX_ROWS ? n : MAX_ROWS;
    lml_value *rows = calloc(n * nin, sizeof *rows);
    double *out = calloc(nout, sizeof *out);
    void *ws = malloc(lml_scorer_workspace_size(sc));
    int64_t *lat = malloc((size_t)calls * sizeof *lat);
    if (!rows || !out || !ws || !lat)
        return fail("out of memory", NULL);
    for (size_t k = 0; k < nin; k++) {
        long ci = lml_frame_column_index(df, lml_scorer_input_name(sc, k));
        if (ci < 0)
            return fprintf(stderr, "latency_bench: no column %s\n", lml_scorer_input_name(sc, k)), 1;
        for (size_t i = 0; i < n; i++)
            rows[i * nin + k] = lml_column_get(lml_frame_column(df, (size_t)ci), i);
    }
    /* the scorer's outputs: prediction, K probabilities, K raw predictions */
    size_t bad = 0;
    FILE *rf = fopen(rows_out, "w");
    if (!rf)
        return fail(rows_out, NULL);
    fprintf(rf, "%zu ", nin);
    for (size_t k = 0; k < nin; k++)
        fputc(lml_scorer_input_is_string(sc, k) ? 's' : 'd', rf);
    fputc('\n', rf);
    for (size_t i = 0; i < n; i++) {
        int rc = lml_scorer_predict(sc, rows + i * nin, out, ws);
        double want = lml_column_vector_dense(pc)[2 * i + 1];
        bad += rc != 0 || memcmp(&out[2], &want, sizeof want) != 0;
        for (size_t k = 0; k < nin; k++) {
            put_value(rf, &rows[i * nin + k], lml_scorer_input_is_string(sc, k));
            fputc('\t', rf);
        }
        fprintf(rf, "%a\n", want);
    }
    if (fclose(rf) != 0)
        return fail(rows_out, NULL);
    volatile double sink = 0;
    for (long c = 0; c < WARMUP; c++) {
        lml_scorer_predict(sc, rows + (size_t)(c % (long)n) * nin, out, ws);
        sink += out[2];
    }
    for (long c = 0; c < calls; c++) {
        const lml_value *row = rows + (size_t)(c % (long)n) * nin;
        int64_t t0 = ns_now();
        lml_scorer_predict(sc, row, out, ws);
        lat[c] = ns_now() - t0;
        sink += out[2];
    }
    latency_report(lat, calls);
    printf(" rows=%zu inputs=%zu mismatches=%zu\n", n, nin, bad);
    (void)sink;
    free(rows), free(out), free(ws), free(lat);
    lml_scorer_free(sc), lml_frame_free(ref), lml_frame_free(df), lml_stage_free(model);
    return bad ? 3 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "prep-titanic") == 0)
        return prep_titanic(argv[2], argv[3]);
    if (argc == 6 && strcmp(argv[1], "run") == 0 && atol(argv[4]) > 0)
        return run(argv[2], argv[3], atol(argv[4]), argv[5]);
    fprintf(stderr, "usage: latency_bench prep-titanic CSV MODEL_DIR\n"
                    "       latency_bench run MODEL_DIR titanic:CSV|forest:DATA_DIR CALLS ROWS_OUT\n");
    return 2;
}

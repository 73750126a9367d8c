/* The embedded scorer (lml_scorer_*): every output of every row equals lml_transform's bit for
 * bit, for pipelines fitted here on 1,200 generated rows with nulls and NaN; rejected rows give
 * the documented codes and lml_scorer_explain the library's message; two threads agree. */
#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/lakeml.h"
#include "scorer_support.h"
#include "support.h"

#define N 1200

static void fit_and_check(lml_stage *est, bool onehot, size_t outputs)
{
    lml_frame *df = sc_make_frame(7);
    lml_stage *st[8];
    size_t n = sc_feature_stages(st, onehot);
    lml_stage *m = sc_fit(st, n, est, df);
    sc_check_all(m, df, outputs);
    lml_frame *other = sc_make_frame(99); /* rows the model was not fitted on */
    sc_check_all(m, other, outputs);
    lml_frame_free(other);
    lml_stage_free(m);
    lml_frame_free(df);
}

static lml_stage *with_label(lml_stage *est, const char *label)
{
    lml_error err = {0};
    cr_assert(lml_set_string(est, "labelCol", label, &err), "%s", err.message);
    return est;
}

Test(scorer, binomial_logistic_pipeline_matches_transform_bit_for_bit)
{
    fit_and_check(with_label(lml_logistic_regression_new(), "y"), true, 5);
}

Test(scorer, multinomial_logistic_with_thresholds_matches_transform)
{
    lml_error err = {0};
    lml_stage *lr = with_label(lml_logistic_regression_new(), "y3");
    cr_assert(lml_set_string(lr, "family", "multinomial", &err) && lml_set_double(lr, "regParam", 0.01, &err) &&
              lml_set_doubles(lr, "thresholds", (double[]){0.5, 0.3, 0.2}, 3, &err), "%s", err.message);
    fit_and_check(lr, true, 7);
}

Test(scorer, linear_regression_matches_transform)
{
    fit_and_check(with_label(lml_linear_regression_new(), "yr"), true, 1);
}

Test(scorer, random_forest_classifier_and_regressor_match_transform)
{
    lml_error err = {0};
    lml_stage *rf = with_label(lml_random_forest_classifier_new(), "y3");
    cr_assert(lml_set_int(rf, "numTrees", 25, &err) && lml_set_int(rf, "maxDepth", 6, &err), "%s", err.message);
    fit_and_check(rf, true, 7);
    lml_stage *rr = with_label(lml_random_forest_regressor_new(), "yr");
    cr_assert(lml_set_int(rr, "numTrees", 15, &err), "%s", err.message);
    fit_and_check(rr, false, 1);
}

Test(scorer, gbt_classifier_and_regressor_match_transform)
{
    lml_error err = {0};
    lml_stage *g = with_label(lml_gbt_classifier_new(), "y");
    cr_assert(lml_set_int(g, "maxIter", 15, &err), "%s", err.message);
    fit_and_check(g, false, 5);
    lml_stage *gr = with_label(lml_gbt_regressor_new(), "yr");
    cr_assert(lml_set_int(gr, "maxIter", 10, &err), "%s", err.message);
    fit_and_check(gr, true, 1);
}

Test(scorer, decision_tree_with_categorical_splits_matches_transform)
{
    /* the indices go straight into the assembler, so catIdx and clsIdx are nominal features */
    lml_error err = {0};
    lml_stage *dt = with_label(lml_decision_tree_classifier_new(), "y3");
    cr_assert(lml_set_int(dt, "maxDepth", 8, &err), "%s", err.message);
    lml_frame *df = sc_make_frame(7);
    lml_stage *st[8];
    size_t n = sc_feature_stages(st, false);
    lml_stage *m = sc_fit(st, n, dt, df);
    const lml_stage *tree = lml_pipeline_stage(m, n);
    cr_assert_gt(lml_decision_tree_num_nodes(tree, &err), 7);
    sc_check_all(m, df, 7);
    lml_stage_free(m);
    lml_stage *dr = with_label(lml_decision_tree_regressor_new(), "yr");
    n = sc_feature_stages(st, false);
    m = sc_fit(st, n, dr, df);
    sc_check_all(m, df, 1);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(scorer, imputer_and_standard_scaler_pipeline_matches_transform)
{
    lml_error err = {0};
    lml_frame *df = sc_make_frame(11);
    lml_stage *st[10];
    st[0] = lml_imputer_new2((const char *[]){"x1", "x2", NULL}, (const char *[]){"x1i", "x2i", NULL});
    cr_assert(lml_set_string(st[0], "strategy", "median", &err), "%s", err.message);
    st[1] = lml_vector_assembler_new((const char *[]){"x1i", "x2i", NULL}, "raw");
    st[2] = lml_standard_scaler_new("raw", "features");
    cr_assert(lml_set_bool(st[2], "withMean", true, &err), "%s", err.message);
    lml_stage *m = sc_fit(st, 3, with_label(lml_logistic_regression_new(), "y"), df);
    sc_check_all(m, df, 5);
    lml_stage_free(m);
    lml_frame_free(df);
}

/* ---- rejections */

static lml_value str(const char *s) { return (lml_value){.type = LML_STRING, .v.str = {s, s ? strlen(s) : 0}, .is_null = !s}; }
static lml_value num(double x) { return (lml_value){.type = LML_DOUBLE, .v.f64 = x}; }

/* A scorer for SI(cat, mode) → OHE → VA(catVec, x1; va_mode) → LR, inputs in the order cat, x1. */
static lml_scorer *small_scorer(const char *si_mode, const char *va_mode, lml_stage **model)
{
    lml_error err = {0};
    lml_frame *df = sc_make_frame(5);
    const lml_column *cat = lml_frame_column_by_name(df, "cat", &err), *x1 = lml_frame_column_by_name(df, "x1", &err);
    lml_column_builder *mb = lml_column_builder_new(LML_BOOL, N, &err);
    for (size_t i = 0; i < N; i++)
        lml_column_builder_append_bool(mb, !lml_column_is_null(cat, i) && !isnan(lml_column_get_double(x1, i)), &err);
    lml_column *mask = lml_column_builder_finish(mb, &err);
    lml_frame *fit_on = lml_frame_filter(df, mask, &err);
    lml_column_free(mask);
    cr_assert_not_null(fit_on, "%s", err.message);
    lml_stage *st[6] = {lml_string_indexer_new("cat", "catIdx"), lml_one_hot_encoder_new("catIdx", "catVec"),
                        lml_vector_assembler_new((const char *[]){"catVec", "x1", NULL}, "features")};
    cr_assert(lml_set_string(st[0], "handleInvalid", si_mode, &err) &&
              lml_set_string(st[2], "handleInvalid", va_mode, &err), "%s", err.message);
    *model = sc_fit(st, 3, with_label(lml_logistic_regression_new(), "y"), fit_on);
    lml_scorer *s = lml_scorer_new(*model, &err);
    cr_assert_not_null(s, "%s", err.message);
    cr_assert_eq(lml_scorer_num_inputs(s), 2);
    cr_assert_str_eq(lml_scorer_input_name(s, 0), "cat");
    cr_assert(lml_scorer_input_is_string(s, 0));
    cr_assert_str_eq(lml_scorer_input_name(s, 1), "x1");
    cr_assert_not(lml_scorer_input_is_string(s, 1));
    lml_frame_free(fit_on);
    lml_frame_free(df);
    return s;
}

static int score(const lml_scorer *s, lml_value a, lml_value b, double *out)
{
    lml_value row[2] = {a, b};
    char ws[4096];
    cr_assert_leq(lml_scorer_workspace_size(s), sizeof ws);
    return lml_scorer_predict(s, row, out, (void *)((uintptr_t)(ws + 7) & ~(uintptr_t)7));
}

Test(scorer, unseen_and_null_labels_follow_handle_invalid)
{
    lml_stage *m;
    lml_error err = {0};
    double out[8];
    lml_scorer *s = small_scorer("error", "error", &m);
    cr_assert_eq(score(s, str("a"), num(1.5), out), LML_OK);
    cr_assert_eq(score(s, str("zzz"), num(1.5), out), LML_EINVAL);
    lml_value row[2] = {str("zzz"), num(1.5)};
    cr_assert_not(lml_scorer_explain(s, row, &err));
    cr_assert(strstr(err.message, "unseen label 'zzz' in column 'cat'"), "%s", err.message);
    cr_assert(strstr(err.message, "StringIndexer_"), "%s", err.message);
    row[0] = str(NULL);
    cr_assert_eq(score(s, row[0], row[1], out), LML_EINVAL);
    cr_assert_not(lml_scorer_explain(s, row, &err));
    cr_assert(strstr(err.message, "null value in column 'cat'"), "%s", err.message);
    row[0] = str("a");
    cr_assert(lml_scorer_explain(s, row, &err), "a valid row explains as true");
    lml_scorer_free(s);
    lml_stage_free(m);

    s = small_scorer("skip", "error", &m);
    cr_assert_eq(score(s, str("zzz"), num(1.5), out), LML_SCORER_SKIPPED);
    row[0] = str("zzz");
    cr_assert_not(lml_scorer_explain(s, row, &err));
    cr_assert(strstr(err.message, "dropped (handleInvalid=skip)") && strstr(err.message, "StringIndexer_"), "%s",
              err.message);
    lml_scorer_free(s);
    lml_stage_free(m);

    /* keep: the extra bucket, which OneHotEncoder (dropLast) encodes as all zeros */
    s = small_scorer("keep", "error", &m);
    double a_out[8], b_out[8];
    cr_assert_eq(score(s, str("zzz"), num(1.5), out), LML_OK);
    cr_assert_eq(score(s, str(NULL), num(1.5), a_out), LML_OK);
    cr_assert(memcmp(out, a_out, 5 * sizeof *out) == 0, "unseen and null share the bucket");
    cr_assert_eq(score(s, str("a"), num(1.5), b_out), LML_OK);
    cr_assert(memcmp(out, b_out, 5 * sizeof *out) != 0, "the bucket differs from label a");
    lml_scorer_free(s);
    lml_stage_free(m);
}

Test(scorer, nan_into_error_assembler_and_wrong_types)
{
    lml_stage *m;
    lml_error err = {0};
    double out[8];
    lml_scorer *s = small_scorer("error", "error", &m);
    lml_value row[2] = {str("a"), num(NAN)};
    cr_assert_eq(score(s, row[0], row[1], out), LML_EINVAL);
    cr_assert_not(lml_scorer_explain(s, row, &err));
    cr_assert(strstr(err.message, "NaN value in column 'x1'") && strstr(err.message, "VectorAssembler_"), "%s",
              err.message);
    row[1] = (lml_value){.type = LML_DOUBLE, .is_null = true};
    cr_assert_eq(score(s, row[0], row[1], out), LML_EINVAL);
    cr_assert_not(lml_scorer_explain(s, row, &err));
    cr_assert(strstr(err.message, "null value in column 'x1'"), "%s", err.message);
    /* a string where a number goes */
    row[1] = str("1.5");
    cr_assert_eq(score(s, row[0], row[1], out), LML_ETYPE);
    cr_assert_not(lml_scorer_explain(s, row, &err));
    cr_assert_eq(err.code, LML_ETYPE, "%s", err.message);
    cr_assert(strstr(err.message, "'x1'"), "%s", err.message);
    /* numbers of other types convert; an int64 gives the double's bits */
    double o1[8], o2[8];
    cr_assert_eq(score(s, str("b"), (lml_value){.type = LML_INT64, .v.i64 = 3}, o1), LML_OK);
    cr_assert_eq(score(s, str("b"), num(3.0), o2), LML_OK);
    cr_assert(memcmp(o1, o2, 5 * sizeof *o1) == 0);
    lml_scorer_free(s);
    lml_stage_free(m);

    s = small_scorer("error", "keep", &m);
    cr_assert_eq(score(s, str("a"), num(NAN), out), LML_OK);
    cr_assert(isnan(out[1]) && isnan(out[3]), "keep lets NaN through to the margin");
    lml_scorer_free(s);
    lml_stage_free(m);
    s = small_scorer("error", "skip", &m);
    cr_assert_eq(score(s, str("a"), num(NAN), out), LML_SCORER_SKIPPED);
    lml_scorer_free(s);
    lml_stage_free(m);
}

Test(scorer, unsupported_stage_is_named)
{
    lml_error err = {0};
    lml_frame *df = sc_make_frame(3);
    lml_stage *st[4] = {lml_string_indexer_new("cat", "catIdx")};
    lml_set_string(st[0], "handleInvalid", "keep", &err);
    lml_stage *p = lml_pipeline_new(st, &err);
    lml_stage *m = lml_fit(p, df, &err);
    cr_assert_not_null(m, "%s", err.message);
    cr_assert_null(lml_scorer_new(m, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
    cr_assert(strstr(err.message, "no predictor"), "%s", err.message);
    lml_stage_free(m);
    lml_stage_free(p);
    lml_frame_free(df);
}

/* ---- threads */

typedef struct {
    const lml_scorer *s;
    const lml_frame *df;
    double *out;
} job;

static void *run_job(void *p)
{
    job *j = p;
    size_t no = lml_scorer_num_outputs(j->s);
    void *ws = malloc(lml_scorer_workspace_size(j->s));
    lml_value row[16];
    for (size_t i = 0; i < N; i++) {
        sc_row(j->s, j->df, i, row);
        if (lml_scorer_predict(j->s, row, j->out + i * no, ws) != LML_OK)
            j->out[i * no] = -1;
    }
    free(ws);
    return NULL;
}

Test(scorer, two_threads_with_own_workspaces_give_the_same_bits)
{
    lml_error err = {0};
    lml_frame *df = sc_make_frame(21);
    lml_stage *st[8];
    size_t n = sc_feature_stages(st, true);
    lml_stage *rf = with_label(lml_random_forest_classifier_new(), "y3");
    lml_stage *m = sc_fit(st, n, rf, df);
    lml_scorer *s = lml_scorer_new(m, &err);
    cr_assert_not_null(s, "%s", err.message);
    size_t no = lml_scorer_num_outputs(s);
    job j[3];
    pthread_t th[2];
    for (int k = 0; k < 3; k++)
        j[k] = (job){s, df, calloc(N * no, sizeof(double))};
    for (int k = 0; k < 2; k++)
        cr_assert_eq(pthread_create(&th[k], NULL, run_job, &j[k]), 0);
    run_job(&j[2]);
    for (int k = 0; k < 2; k++)
        pthread_join(th[k], NULL);
    cr_assert(memcmp(j[0].out, j[2].out, N * no * sizeof(double)) == 0);
    cr_assert(memcmp(j[1].out, j[2].out, N * no * sizeof(double)) == 0);
    size_t ones = 0;
    for (size_t i = 0; i < N; i++)
        ones += j[2].out[i * no] == 1.0;
    cr_assert(ones > 0 && ones < N, "predictions vary (%zu of class 1)", ones);
    for (int k = 0; k < 3; k++)
        free(j[k].out);
    lml_scorer_free(s);
    lml_stage_free(m);
    lml_frame_free(df);
}

/* ---- Spark-saved models (../shared/conformance/spark-models) */

#define MODELS "conformance/spark-models/"

/* Scores every row of df; rows the transform drops must give LML_SCORER_SKIPPED, the others
 * equal the transform's surviving rows, in order, bit for bit. preds (n) receives the scorer's
 * predictions (NaN for skipped rows). Returns the number of skipped rows. */
static size_t score_frame(const lml_stage *model, const lml_frame *df, double *preds)
{
    lml_error err = {0};
    lml_scorer *s = lml_scorer_new(model, &err);
    cr_assert_not_null(s, "%s", err.message);
    lml_frame *out = lml_transform(model, df, &err);
    cr_assert_not_null(out, "%s", err.message);
    size_t n = lml_frame_num_rows(df), no = lml_scorer_num_outputs(s), K = lml_scorer_num_classes(s), j = 0;
    void *ws = malloc(lml_scorer_workspace_size(s));
    lml_value *row = calloc(lml_scorer_num_inputs(s) + 1, sizeof *row);
    double got[64], want[64];
    for (size_t i = 0; i < n; i++) {
        sc_row(s, df, i, row);
        int rc = lml_scorer_predict(s, row, got, ws);
        if (rc == LML_SCORER_SKIPPED) {
            preds[i] = NAN;
            continue;
        }
        cr_assert_eq(rc, LML_OK, "row %zu: code %d", i, rc);
        cr_assert_lt(j, lml_frame_num_rows(out), "row %zu scores but the transform dropped it", i);
        sc_expected(out, j++, K, want);
        for (size_t k = 0; k < no; k++)
            cr_assert(memcmp(&got[k], &want[k], sizeof(double)) == 0, "row %zu %s: scorer %a, transform %a", i,
                      lml_scorer_output_name(s, k), got[k], want[k]);
        preds[i] = got[0];
    }
    cr_assert_eq(j, lml_frame_num_rows(out), "the transform kept rows the scorer skipped");
    free(ws);
    free(row);
    lml_frame_free(out);
    lml_scorer_free(s);
    return n - j;
}

/* The "prediction" field of each line of an expected JSONL file. */
static size_t expected_predictions(const char *rel, double *pred, size_t cap)
{
    char *text = lml_test_slurp(lml_test_shared_path(rel));
    cr_assert_not_null(text, "%s", rel);
    size_t n = 0;
    for (char *p = strstr(text, "\"prediction\": "); p && n < cap; p = strstr(p + 1, "\"prediction\": "))
        pred[n++] = strtod(p + 14, NULL);
    free(text);
    return n;
}

static void libsvm_model(const char *model_rel, const char *features_col, const char *expected_rel)
{
    LML_REQUIRE_SHARED(dir, model_rel);
    lml_error err = {0};
    lml_stage *m = lml_load(dir, &err);
    cr_assert_not_null(m, "%s", err.message);
    lml_frame *raw = lml_libsvm_read(lml_test_shared_path(MODELS "spark-ml-serving/data/sample_libsvm_data.txt"),
                                     &(lml_libsvm_options){.num_features = 692}, &err);
    cr_assert_not_null(raw, "%s", err.message);
    lml_frame *df = strcmp(features_col, "features") == 0
                        ? lml_frame_retain(raw)
                        : lml_frame_with_column_renamed(raw, "features", features_col, &err);
    cr_assert_not_null(df, "%s", err.message);
    double got[100], want[100];
    cr_assert_eq(lml_frame_num_rows(df), 100);
    cr_assert_eq(score_frame(m, df, got), 0);
    cr_assert_eq(expected_predictions(expected_rel, want, 100), 100);
    for (size_t i = 0; i < 100; i++)
        cr_assert_eq(got[i], want[i], "row %zu: %g, Spark %g", i, got[i], want[i]);
    lml_frame_free(df);
    lml_frame_free(raw);
    lml_stage_free(m);
}

Test(scorer, spark_saved_logistic_regression_scores_its_expected_rows)
{
    libsvm_model(MODELS "spark-ml-serving/py_log_reg", "features", MODELS "expected/py_log_reg.jsonl");
}

Test(scorer, spark_saved_random_forest_scores_its_expected_rows)
{
    libsvm_model(MODELS "spark-ml-serving/py_rforest_cls", "indexedFeatures", MODELS "expected/py_rforest_cls.jsonl");
}

Test(scorer, nyc_taxi_forest_scores_its_expected_rows)
{
    LML_REQUIRE_SHARED(dir, MODELS "nyc-taxi-rf-regressor/model");
    lml_error err = {0};
    lml_stage *m = lml_load(dir, &err);
    cr_assert_not_null(m, "%s", err.message);
    char *text = lml_test_slurp(lml_test_shared_path(MODELS "expected/nyc_taxi_rf.jsonl"));
    cr_assert_not_null(text);
    double X[64 * 8], want[64], got[64];
    size_t n = 0;
    for (char *p = strstr(text, "\"features\": ["); p && n < 64; p = strstr(p + 1, "\"features\": [")) {
        char *q = p + 13;
        for (size_t j = 0; j < 8; j++) {
            X[n * 8 + j] = strtod(q, &q);
            q += strspn(q, ", ");
        }
        char *pp = strstr(q, "\"prediction\": ");
        cr_assert_not_null(pp);
        want[n++] = strtod(pp + 14, NULL);
    }
    free(text);
    cr_assert_eq(n, 29);
    lml_column *fc = lml_column_vector_from_dense(X, n, 8, &err);
    const char *name = "indexedFeatures";
    lml_frame *df = lml_frame_new(1, &name, &fc, &err);
    cr_assert_not_null(df, "%s", err.message);
    lml_column_free(fc);
    cr_assert_eq(score_frame(m, df, got), 0);
    for (size_t i = 0; i < n; i++)
        cr_assert(fabs(got[i] - want[i]) <= 1e-12 * fabs(want[i]), "row %zu: %.17g, Spark %.17g", i, got[i], want[i]);
    lml_frame_free(df);
    lml_stage_free(m);
}

Test(scorer, cugoapo_pipeline_skips_the_rows_spark_drops)
{
    LML_REQUIRE_SHARED(dir, MODELS "cugoapo-streaming-pipeline/pipeline_model");
    lml_error err = {0};
    lml_stage *m = lml_load(dir, &err);
    cr_assert_not_null(m, "%s", err.message);
    lml_scorer *s = lml_scorer_new(m, &err);
    cr_assert_not_null(s, "%s", err.message);
    for (size_t i = 0; i < lml_scorer_num_inputs(s); i++)
        cr_assert_str_neq(lml_scorer_input_name(s, i), "ekonomik_durum", "the label indexer is left out");
    lml_scorer_free(s);
    lml_frame *df = lml_csv_read(lml_test_shared_path(MODELS "cugoapo-streaming-pipeline/data/simple_data.csv"),
                                 &(lml_csv_options){.header = true, .infer_schema = true}, &err);
    cr_assert_not_null(df, "%s", err.message);
    double got[64], want[64];
    size_t n = lml_frame_num_rows(df);
    cr_assert_leq(n, 64);
    cr_assert_eq(score_frame(m, df, got), 2, "Berber and Tuhafiyeci are unseen (handleInvalid=skip)");
    size_t ne = expected_predictions(MODELS "expected/cugoapo_simple_data.jsonl", want, 64), k = 0;
    cr_assert_eq(ne, n - 2);
    for (size_t i = 0; i < n; i++)
        if (!isnan(got[i])) {
            cr_assert_eq(got[i], want[k], "row %zu", i);
            k++;
        }
    lml_frame_free(df);
    lml_stage_free(m);
}

Test(scorer, label_indexer_is_left_out_and_index_to_string_gives_labels)
{
    lml_error err = {0};
    lml_frame *df = sc_make_frame(13);
    lml_stage *st[10];
    size_t n = sc_feature_stages(st, true);
    st[n++] = lml_string_indexer_new("cls", "clsLabel"); /* the label, indexed after the features */
    lml_stage *lr = with_label(lml_logistic_regression_new(), "clsLabel");
    cr_assert(lml_set_string(lr, "family", "multinomial", &err), "%s", err.message);
    st[n++] = lr;
    st[n] = lml_index_to_string_new("prediction", "predictedCls");
    cr_assert(lml_set_strings(st[n], "labels", (const char *[]){"L0", "L1", "L2", NULL}, &err), "%s", err.message);
    st[n + 1] = NULL;
    lml_stage *p = lml_pipeline_new(st, &err);
    lml_stage *m = p ? lml_fit(p, df, &err) : NULL;
    cr_assert_not_null(m, "%s", err.message);
    lml_scorer *s = lml_scorer_new(m, &err);
    cr_assert_not_null(s, "%s", err.message);
    /* cls still feeds the features (clsIdx); the label indexer adds nothing */
    cr_assert_eq(lml_scorer_num_inputs(s), 4);
    lml_frame *out = lml_transform(m, df, &err);
    cr_assert_not_null(out, "%s", err.message);
    const lml_column *pl = lml_frame_column_by_name(out, "predictedCls", &err);
    cr_assert_not_null(pl, "%s", err.message);
    void *ws = malloc(lml_scorer_workspace_size(s));
    lml_value row[8];
    double o[16];
    for (size_t i = 0; i < lml_frame_num_rows(df); i++) {
        sc_row(s, df, i, row);
        cr_assert_eq(lml_scorer_predict(s, row, o, ws), LML_OK);
        lml_value v = lml_column_get(pl, i);
        const char *lab = lml_scorer_label(s, o[0]);
        cr_assert_not_null(lab);
        cr_assert(strlen(lab) == v.v.str.len && memcmp(lab, v.v.str.ptr, v.v.str.len) == 0, "row %zu: %s", i, lab);
    }
    cr_assert_null(lml_scorer_label(s, 3.0), "3 classes: no label 3");
    cr_assert_null(lml_scorer_label(s, 0.5));
    free(ws);
    lml_frame_free(out);
    lml_scorer_free(s);
    lml_stage_free(m);
    lml_stage_free(p);
    lml_frame_free(df);
}

Test(scorer, multi_column_string_indexer_matches_transform)
{
    lml_error err = {0};
    lml_frame *df = sc_make_frame(17);
    lml_stage *st[8] = {
        /* x2 (int32) and x1 (double, with nulls and NaN) are indexed as Spark casts them to strings */
        lml_string_indexer_new2((const char *[]){"cat", "cls", "x2", "x1", NULL},
                                (const char *[]){"catIdx", "clsIdx", "x2Idx", "x1Idx", NULL}),
        lml_imputer_new("x1", "x1i"),
        lml_one_hot_encoder_new2((const char *[]){"catIdx", "clsIdx", NULL}, (const char *[]){"catVec", "clsVec", NULL}),
        lml_vector_assembler_new((const char *[]){"clsVec", "x2", "catVec", "x1i", "x2Idx", "x1Idx", NULL}, "features")};
    cr_assert(lml_set_string(st[0], "handleInvalid", "keep", &err) &&
              lml_set_bool(st[2], "dropLast", false, &err), "%s", err.message);
    lml_stage *m = sc_fit(st, 4, with_label(lml_logistic_regression_new(), "y"), df);
    sc_check_all(m, df, 5);
    lml_stage_free(m);
    lml_frame_free(df);
}

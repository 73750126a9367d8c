/* Saving and loading the tree stages (spec §4.7, §4.8): round trips of the six models fitted on a
 * frame with a categorical and a continuous feature (every output cell bit-identical, the node
 * table's Parquet schema as Spark writes it), the forests Spark wrote (spark-ml-serving's PySpark
 * 2.3 RF classifier, the 3.4 nyc-taxi RF regressor with categorical splits) scored against the
 * independently computed outputs in conformance/spark-models/expected, and hostile node tables. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/lakeml.h"
#include "lakeml/libsvm.h"
#include "lakeml/ml/tree.h"
#include "lakeml/parquet.h"
#include "persist_support.h"
#include "support.h"

#define MODELS "conformance/spark-models/"
#define N 48

/* Feature 0 nominal with 4 values, feature 1 continuous; labels depend on both so that trees use
 * categorical and continuous splits. kind: 0 three classes, 1 binary, 2 regression. */
static lml_frame *train_frame(int kind)
{
    double X[N * 2], y[N];
    for (int i = 0; i < N; i++) {
        int c = (i * 7) % 4;
        double x = (double)((i * 13) % 17) + 0.25 * (i % 3);
        X[2 * i] = c, X[2 * i + 1] = x;
        int cls = (c == 1 || c == 3) ? (x > 8.0 ? 1 : 0) : (x > 4.0 ? 2 : 0);
        y[i] = kind == 0 ? cls : kind == 1 ? (cls != 0) : 3.0 * c + 0.5 * x + (i % 5) * 0.125;
    }
    lml_error err = {0};
    const char *names[] = {"features", "label"};
    lml_column *cols[2] = {lml_column_vector_from_dense(X, N, 2, &err), lml_column_from_doubles(y, NULL, N, &err)};
    cr_assert(cols[0] && cols[1], "%s", err.message);
    lml_frame *f0 = lml_frame_new(2, names, cols, &err);
    cr_assert(f0, "%s", err.message);
    lml_column_free(cols[0]), lml_column_free(cols[1]);
    lml_frame *f = lml_frame_with_metadata(
        f0, "features",
        "{\"ml_attr\":{\"attrs\":{\"nominal\":[{\"idx\":0,\"name\":\"c\",\"num_vals\":4}],"
        "\"numeric\":[{\"idx\":1,\"name\":\"x\"}]},\"num_attrs\":2}}",
        &err);
    cr_assert(f, "%s", err.message);
    lml_frame_free(f0);
    return f;
}

static lml_stage *fit(lml_stage *est, const lml_frame *df)
{
    lml_error err = {0};
    lml_stage *m = lml_fit(est, df, &err);
    cr_assert(m, "%s", err.message);
    lml_stage_free(est);
    return m;
}

static const lml_column *child(const lml_column *s, const char *name, lml_type t)
{
    const lml_column *c = lml_column_struct_field(s, name);
    cr_assert_not_null(c, "field %s missing", name);
    cr_assert_eq(lml_column_type(c), t, "field %s type %d", name, (int)lml_column_type(c));
    return c;
}

/* The node struct's fields (§4.7, 3.x layout) and the row metadata Spark reads. Returns the
 * number of categorical splits found. */
static size_t check_nodes(const lml_column *nodes, size_t want_stats)
{
    child(nodes, "id", LML_INT32);
    child(nodes, "prediction", LML_DOUBLE);
    child(nodes, "impurity", LML_DOUBLE);
    const lml_column *st = child(nodes, "impurityStats", LML_LIST);
    cr_assert_eq(lml_column_type(lml_column_child(st, 0)), LML_DOUBLE);
    const lml_column *raw = child(nodes, "rawCount", LML_INT64);
    child(nodes, "gain", LML_DOUBLE);
    const lml_column *lc = child(nodes, "leftChild", LML_INT32);
    child(nodes, "rightChild", LML_INT32);
    const lml_column *sp = child(nodes, "split", LML_STRUCT);
    child(sp, "featureIndex", LML_INT32);
    const lml_column *cats = child(sp, "leftCategoriesOrThreshold", LML_LIST);
    const lml_column *nc = child(sp, "numCategories", LML_INT32);
    size_t n = lml_column_length(nodes), ncat = 0;
    const int32_t *off = lml_column_offsets(st), *coff = lml_column_offsets(cats);
    for (size_t r = 0; r < n; r++) {
        cr_assert_eq((size_t)(off[r + 1] - off[r]), want_stats, "row %zu impurityStats length", r);
        cr_assert(lml_column_int64s(raw)[r] >= 1, "row %zu rawCount %lld", r, (long long)lml_column_int64s(raw)[r]);
        int32_t k = lml_column_int32s(nc)[r], m = coff[r + 1] - coff[r];
        if (lml_column_int32s(lc)[r] < 0)
            cr_assert(k == -1 && m == 0, "leaf row %zu split {-1, [], -1}", r);
        else if (k == -1)
            cr_assert_eq(m, 1, "continuous split row %zu holds one threshold", r);
        else {
            cr_assert(k == 4 && m >= 1 && m < 4, "categorical split row %zu: %d of %d", r, m, k);
            ncat++;
        }
    }
    return ncat;
}

/* Reads <dir>/data's Parquet file and checks its schema; returns the categorical split count. */
static size_t check_data_schema(const char *dir, bool ensemble, size_t want_stats)
{
    char sub[4200];
    snprintf(sub, sizeof sub, "%s", ps_data_file(dir, "data"));
    lml_error err = {0};
    lml_parquet_file *pf = lml_parquet_open(sub, &err);
    cr_assert_not_null(pf, "%s", err.message);
    const char *rowmeta = lml_parquet_metadata_get(pf, "org.apache.spark.sql.parquet.row.metadata");
    cr_assert_not_null(rowmeta);
    /* lml_parquet_write declares every column nullable (Spark reads that fine); the types must match */
    cr_assert_not_null(strstr(rowmeta, "{\"name\":\"rawCount\",\"type\":\"long\","), "%s", rowmeta);
    cr_assert_not_null(strstr(rowmeta, "{\"name\":\"leftCategoriesOrThreshold\",\"type\":{\"type\":\"array\","
                                       "\"elementType\":\"double\""), "%s", rowmeta);
    lml_frame *f = lml_parquet_file_read(pf, NULL, &err);
    cr_assert_not_null(f, "%s", err.message);
    size_t ncat;
    if (ensemble) {
        cr_assert_eq(lml_parquet_num_fields(pf), 2);
        cr_assert_str_eq(lml_parquet_field_at(pf, 0)->name, "treeID");
        cr_assert_eq(lml_parquet_field_at(pf, 0)->type, LML_INT32);
        cr_assert_str_eq(lml_parquet_field_at(pf, 1)->name, "nodeData");
        cr_assert_eq(lml_parquet_field_at(pf, 1)->type, LML_STRUCT);
        ncat = check_nodes(lml_frame_column(f, 1), want_stats);
    } else {
        static const char *const want[9] = {"id", "prediction", "impurity", "impurityStats", "rawCount",
                                            "gain", "leftChild", "rightChild", "split"};
        cr_assert_eq(lml_parquet_num_fields(pf), 9);
        for (size_t i = 0; i < 9; i++)
            cr_assert_str_eq(lml_parquet_field_at(pf, i)->name, want[i]);
        /* the same checks through a struct made of the columns */
        lml_column *cols[9];
        for (size_t i = 0; i < 9; i++)
            cols[i] = (lml_column *)lml_frame_column(f, i);
        lml_column *s = lml_column_struct_new(lml_frame_num_rows(f), 9, want, cols, NULL, &err);
        cr_assert_not_null(s, "%s", err.message);
        ncat = check_nodes(s, want_stats);
        lml_column_free(s);
    }
    lml_frame_free(f);
    lml_parquet_close(pf);
    return ncat;
}

static void check_trees_metadata(const char *dir, size_t T, const char *tree_class, double step)
{
    lml_error err = {0};
    lml_frame *f = lml_parquet_read(ps_data_file(dir, "treesMetadata"), NULL, &err);
    cr_assert_not_null(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(f), T);
    const lml_column *id = lml_frame_column_by_name(f, "treeID", &err);
    const lml_column *m = lml_frame_column_by_name(f, "metadata", &err);
    const lml_column *w = lml_frame_column_by_name(f, "weights", &err);
    cr_assert(id && m && w, "%s", err.message);
    for (size_t t = 0; t < T; t++) {
        cr_assert_eq(lml_column_int32s(id)[t], (int32_t)t);
        cr_assert_eq(lml_column_doubles(w)[t], t == 0 ? 1.0 : step);
        size_t len;
        const char *s = lml_column_string_at(m, t, &len);
        char *z = strndup(s, len);
        cJSON *j = cJSON_Parse(z);
        cr_assert_not_null(j, "%s", z);
        cr_assert_str_eq(cJSON_GetObjectItem(j, "class")->valuestring, tree_class);
        cr_assert(cJSON_IsObject(cJSON_GetObjectItem(j, "paramMap")));
        cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "defaultParamMap"), "impurity")->valuestring,
                         strstr(tree_class, "Classification") ? "gini" : "variance");
        cJSON_Delete(j);
        free(z);
    }
    lml_frame_free(f);
}

/* Saves m, loads it, checks metadata extras and that both transform df to identical frames. */
static const char *roundtrip(const lml_stage *m, const lml_frame *df, lml_stage **loaded, const char *extras)
{
    const char *dir;
    lml_stage *l = ps_roundtrip(m, &dir);
    ps_assert_params_identical(m, l);
    char *meta = ps_meta_line(dir);
    cr_assert_not_null(strstr(meta, extras), "%s lacks %s", meta, extras);
    free(meta);
    lml_error err = {0};
    lml_frame *a = lml_transform(m, df, &err);
    cr_assert_not_null(a, "%s", err.message);
    lml_frame *b = lml_transform(l, df, &err);
    cr_assert_not_null(b, "%s", err.message);
    ps_assert_frames_identical(a, b);
    lml_frame_free(a), lml_frame_free(b);
    *loaded = l;
    return dir;
}

Test(persist_trees, decision_tree_classifier_round_trip)
{
    lml_frame *df = train_frame(0);
    lml_stage *m = fit(lml_decision_tree_classifier_new(), df), *l;
    const char *dir = roundtrip(m, df, &l, "\"numFeatures\":2,\"numClasses\":3}");
    cr_assert_gt(check_data_schema(dir, false, 3), 0, "the tree uses a categorical split");
    lml_error err = {0};
    cr_assert_eq(lml_decision_tree_num_nodes(l, &err), lml_decision_tree_num_nodes(m, &err));
    cr_assert_eq(lml_decision_tree_depth(l, &err), lml_decision_tree_depth(m, &err));
    size_t d;
    const double *ia = lml_decision_tree_feature_importances(m, &d, &err);
    const double *ib = lml_decision_tree_feature_importances(l, &d, &err);
    cr_assert(d == 2 && memcmp(ia, ib, 2 * sizeof(double)) == 0);
    char *sa = lml_decision_tree_debug_string(m, &err), *sb = lml_decision_tree_debug_string(l, &err);
    cr_assert_str_eq(sa, sb);
    free(sa), free(sb);
    for (int64_t k = 0; k < lml_decision_tree_num_nodes(m, &err); k++) {
        lml_tree_node_info a, b;
        cr_assert(lml_decision_tree_node(m, (size_t)k, &a, &err) && lml_decision_tree_node(l, (size_t)k, &b, &err));
        cr_assert(a.weight == b.weight && a.gain == b.gain && a.impurity == b.impurity && a.left == b.left,
                  "node %lld", (long long)k);
    }
    lml_stage_free(l), lml_stage_free(m), lml_frame_free(df);
}

Test(persist_trees, decision_tree_regressor_round_trip)
{
    lml_frame *df = train_frame(2);
    lml_stage *est = lml_decision_tree_regressor_new();
    lml_error err = {0};
    cr_assert(lml_set_string(est, "varianceCol", "var", &err), "%s", err.message);
    lml_stage *m = fit(est, df), *l;
    const char *dir = roundtrip(m, df, &l, "\"numFeatures\":2}");
    cr_assert_gt(check_data_schema(dir, false, 3), 0);
    lml_stage_free(l), lml_stage_free(m), lml_frame_free(df);
}

Test(persist_trees, random_forest_classifier_round_trip)
{
    lml_frame *df = train_frame(0);
    lml_stage *est = lml_random_forest_classifier_new();
    lml_error err = {0};
    cr_assert(lml_set_int(est, "numTrees", 5, &err) && lml_set_string(est, "leafCol", "leaves", &err), "%s",
              err.message);
    lml_stage *m = fit(est, df), *l;
    const char *dir = roundtrip(m, df, &l, "\"numFeatures\":2,\"numClasses\":3,\"numTrees\":5}");
    cr_assert_gt(check_data_schema(dir, true, 3), 0);
    check_trees_metadata(dir, 5, "org.apache.spark.ml.classification.DecisionTreeClassificationModel", 1.0);
    cr_assert_eq(lml_random_forest_total_num_nodes(l, &err), lml_random_forest_total_num_nodes(m, &err));
    size_t d;
    const double *ia = lml_random_forest_feature_importances(m, &d, &err);
    const double *ib = lml_random_forest_feature_importances(l, &d, &err);
    cr_assert(d == 2 && memcmp(ia, ib, 2 * sizeof(double)) == 0);
    lml_stage_free(l), lml_stage_free(m), lml_frame_free(df);
}

Test(persist_trees, random_forest_regressor_round_trip)
{
    lml_frame *df = train_frame(2);
    lml_stage *est = lml_random_forest_regressor_new();
    lml_error err = {0};
    cr_assert(lml_set_int(est, "numTrees", 4, &err), "%s", err.message);
    lml_stage *m = fit(est, df), *l;
    const char *dir = roundtrip(m, df, &l, "\"numFeatures\":2,\"numTrees\":4}");
    cr_assert_gt(check_data_schema(dir, true, 3), 0);
    check_trees_metadata(dir, 4, "org.apache.spark.ml.regression.DecisionTreeRegressionModel", 1.0);
    lml_stage_free(l), lml_stage_free(m), lml_frame_free(df);
}

Test(persist_trees, gbt_classifier_round_trip)
{
    lml_frame *df = train_frame(1);
    lml_stage *est = lml_gbt_classifier_new();
    lml_error err = {0};
    cr_assert(lml_set_int(est, "maxIter", 6, &err) && lml_set_double(est, "stepSize", 0.3, &err), "%s", err.message);
    lml_stage *m = fit(est, df), *l;
    const char *dir = roundtrip(m, df, &l, "\"numFeatures\":2,\"numTrees\":6}");
    check_data_schema(dir, true, 3);
    check_trees_metadata(dir, 6, "org.apache.spark.ml.regression.DecisionTreeRegressionModel", 0.3);
    size_t na, nb;
    const double *wa = lml_gbt_tree_weights(m, &na, &err), *wb = lml_gbt_tree_weights(l, &nb, &err);
    cr_assert(na == 6 && nb == 6 && memcmp(wa, wb, 6 * sizeof(double)) == 0);
    size_t d;
    const double *ia = lml_gbt_feature_importances(m, &d, &err), *ib = lml_gbt_feature_importances(l, &d, &err);
    cr_assert(d == 2 && memcmp(ia, ib, 2 * sizeof(double)) == 0);
    lml_stage_free(l), lml_stage_free(m), lml_frame_free(df);
}

Test(persist_trees, gbt_regressor_round_trip)
{
    lml_frame *df = train_frame(2);
    lml_stage *est = lml_gbt_regressor_new();
    lml_error err = {0};
    cr_assert(lml_set_int(est, "maxIter", 5, &err), "%s", err.message);
    lml_stage *m = fit(est, df), *l;
    const char *dir = roundtrip(m, df, &l, "\"numFeatures\":2,\"numTrees\":5}");
    cr_assert_gt(check_data_schema(dir, true, 3), 0);
    check_trees_metadata(dir, 5, "org.apache.spark.ml.regression.DecisionTreeRegressionModel", 0.1);
    lml_stage_free(l), lml_stage_free(m), lml_frame_free(df);
}

Test(persist_trees, estimators_round_trip_as_metadata_only)
{
    lml_stage *e[6] = {lml_decision_tree_classifier_new(), lml_decision_tree_regressor_new(),
                       lml_random_forest_classifier_new(), lml_random_forest_regressor_new(),
                       lml_gbt_classifier_new(), lml_gbt_regressor_new()};
    lml_error err = {0};
    for (int i = 0; i < 6; i++) {
        cr_assert(lml_set_int(e[i], "maxDepth", 3 + i, &err), "%s", err.message);
        char path[4200];
        snprintf(path, sizeof path, "%s/est%d", lml_test_temp_dir(), i);
        cr_assert(lml_save(e[i], path, LML_SAVE_ERROR_IF_EXISTS, &err), "%s", err.message);
        lml_stage *l = lml_load(path, &err);
        cr_assert_not_null(l, "%s", err.message);
        ps_assert_params_identical(e[i], l);
        lml_stage_free(l), lml_stage_free(e[i]);
    }
}

/* ---------------------------------------------------------------- models Spark wrote */

Test(persist_trees, pyspark_23_random_forest_classifier_scores_sample_libsvm_data)
{
    LML_REQUIRE_SHARED(dir, MODELS "spark-ml-serving/py_rforest_cls");
    lml_error err = {0};
    lml_stage *m = lml_load(dir, &err);
    cr_assert_not_null(m, "%s", err.message);
    cr_assert_eq(lml_random_forest_num_trees(m, &err), 10);
    cr_assert_eq(lml_random_forest_total_num_nodes(m, &err), 62);
    cr_assert_str_eq(lml_get_string(m, "featuresCol", &err), "indexedFeatures");
    char data_path[4096], exp_path[4096];
    snprintf(data_path, sizeof data_path, "%s", lml_test_shared_path(MODELS "spark-ml-serving/data/sample_libsvm_data.txt"));
    snprintf(exp_path, sizeof exp_path, "%s", lml_test_shared_path(MODELS "expected/py_rforest_cls.jsonl"));
    lml_frame *df = lml_libsvm_read(data_path, &(lml_libsvm_options){.num_features = 692}, &err);
    cr_assert_not_null(df, "%s", err.message);
    cr_assert(lml_set_string(m, "featuresCol", "features", &err), "%s", err.message);
    lml_frame *out = lml_transform(m, df, &err);
    cr_assert_not_null(out, "%s", err.message);
    cr_assert_eq(ps_check_binary_scores(out, exp_path, 0, true), 99,
                 "README: 99 of 100 rows are predicted as their label");
    lml_frame_free(out), lml_frame_free(df);
    lml_stage_free(m);
}

Test(persist_trees, pyspark_23_random_forest_root_split_and_resave)
{
    LML_REQUIRE_SHARED(dir, MODELS "spark-ml-serving/py_rforest_cls");
    lml_error err = {0};
    lml_stage *m = lml_load(dir, &err);
    cr_assert_not_null(m, "%s", err.message);
    /* saved again by lakeml (3.5 layout, rawCount -1 carried over) it loads back and scores the same */
    const char *d2;
    lml_stage *again = ps_roundtrip(m, &d2);
    ps_assert_params_identical(m, again);
    cr_assert_eq(lml_random_forest_total_num_nodes(again, &err), 62);
    lml_frame *data = lml_parquet_read(ps_data_file(d2, "data"), NULL, &err);
    cr_assert_not_null(data, "%s", err.message);
    const lml_column *nd = lml_frame_column_by_name(data, "nodeData", &err);
    const lml_column *tid = lml_frame_column_by_name(data, "treeID", &err);
    cr_assert(nd && tid, "%s", err.message);
    const lml_column *sp = lml_column_struct_field(nd, "split");
    const lml_column *fi = lml_column_struct_field(sp, "featureIndex");
    const lml_column *th = lml_column_struct_field(sp, "leftCategoriesOrThreshold");
    const lml_column *id = lml_column_struct_field(nd, "id");
    const lml_column *raw = lml_column_struct_field(nd, "rawCount");
    bool found = false;
    for (size_t r = 0; r < lml_frame_num_rows(data); r++) {
        cr_assert_eq(lml_column_int64s(raw)[r], -1, "2.x files have no rawCount");
        if (lml_column_int32s(tid)[r] == 0 && lml_column_int32s(id)[r] == 0) {
            cr_assert_eq(lml_column_int32s(fi)[r], 434);
            const int32_t *off = lml_column_offsets(th);
            cr_assert_eq(off[r + 1] - off[r], 1);
            cr_assert_eq(lml_column_doubles(lml_column_child(th, 0))[off[r]], 70.5);
            found = true;
        }
    }
    cr_assert(found);
    lml_frame_free(data);
    lml_stage_free(again), lml_stage_free(m);
}

Test(persist_trees, spark34_nyc_taxi_random_forest_regressor_scores)
{
    LML_REQUIRE_SHARED(dir, MODELS "nyc-taxi-rf-regressor/model");
    lml_error err = {0};
    lml_stage *m = lml_load(dir, &err);
    cr_assert_not_null(m, "%s", err.message);
    cr_assert_eq(lml_random_forest_num_trees(m, &err), 20);
    cr_assert_eq(lml_random_forest_total_num_nodes(m, &err), 1260);
    char *text = lml_test_slurp(lml_test_shared_path(MODELS "expected/nyc_taxi_rf.jsonl"));
    cr_assert_not_null(text);
    double X[64 * 8], want[64];
    int rows = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *j = cJSON_Parse(line);
        cr_assert_not_null(j);
        cr_assert_lt(rows, 64);
        const cJSON *fv = cJSON_GetObjectItem(j, "features");
        cr_assert_eq(cJSON_GetArraySize(fv), 8);
        for (int k = 0; k < 8; k++)
            X[rows * 8 + k] = cJSON_GetArrayItem(fv, k)->valuedouble;
        want[rows++] = cJSON_GetObjectItem(j, "prediction")->valuedouble;
        cJSON_Delete(j);
    }
    free(text);
    cr_assert_eq(rows, 29);
    lml_column *c = lml_column_vector_from_dense(X, (size_t)rows, 8, &err);
    lml_frame *f = lml_frame_new(1, (const char *[]){"indexedFeatures"}, &c, &err);
    cr_assert_not_null(f, "%s", err.message);
    lml_column_free(c);
    lml_frame *out = lml_transform(m, f, &err);
    cr_assert_not_null(out, "%s", err.message);
    const double *pred = lml_column_doubles(lml_frame_column_by_name(out, "prediction", &err));
    for (int r = 0; r < rows; r++)
        ps_close_rel(pred[r], want[r], 1e-12, 0, "prediction", r, 0);
    lml_frame_free(out), lml_frame_free(f);
    lml_stage_free(m);
}

/* ---------------------------------------------------------------- hostile node tables */

/* Saves a small fitted tree, replaces its data/ file with `nodes` and expects a clean EFORMAT. */
static void expect_bad_table(lml_frame *nodes, const char *needle)
{
    lml_frame *df = train_frame(2);
    lml_stage *m = fit(lml_decision_tree_regressor_new(), df);
    char path[4200];
    snprintf(path, sizeof path, "%s/bad", lml_test_temp_dir());
    lml_error err = {0};
    cr_assert(lml_save(m, path, LML_SAVE_ERROR_IF_EXISTS, &err), "%s", err.message);
    char file[4400];
    snprintf(file, sizeof file, "%s", ps_data_file(path, "data"));
    remove(file);
    cr_assert(lml_parquet_write(nodes, file, NULL, &err), "%s", err.message);
    lml_stage *l = lml_load(path, &err);
    cr_assert_null(l);
    cr_assert_eq(err.code, LML_EFORMAT, "%s", err.message);
    cr_assert_not_null(strstr(err.message, needle), "%s", err.message);
    lml_stage_free(m), lml_frame_free(df);
}

/* A node table of n nodes with the given children/feature/threshold, regression stats. */
static lml_frame *table(size_t n, const int32_t *id, const int32_t *lc, const int32_t *rc, const int32_t *fi,
                        const int32_t *ncat, size_t nstats)
{
    lml_error err = {0};
    double z[64] = {0};
    int64_t raw[16];
    int32_t soff[17], coff[17];
    for (size_t i = 0; i <= n; i++)
        soff[i] = (int32_t)(i * nstats);
    coff[0] = 0;
    for (size_t i = 0; i < n; i++) {
        raw[i] = 1;
        coff[i + 1] = coff[i] + (lc[i] >= 0 ? 1 : 0);
    }
    lml_column *sd = lml_column_from_doubles(z, NULL, (size_t)soff[n], &err);
    lml_column *cd = lml_column_from_doubles(z, NULL, (size_t)coff[n], &err);
    lml_column *sp[3] = {lml_column_from_int32s(fi, NULL, n, &err), lml_column_list_new(coff, NULL, n, cd, &err),
                         lml_column_from_int32s(ncat, NULL, n, &err)};
    const char *sn[3] = {"featureIndex", "leftCategoriesOrThreshold", "numCategories"};
    lml_column *c[9] = {lml_column_from_int32s(id, NULL, n, &err), lml_column_from_doubles(z, NULL, n, &err),
                        lml_column_from_doubles(z, NULL, n, &err), lml_column_list_new(soff, NULL, n, sd, &err),
                        lml_column_from_int64s(raw, NULL, n, &err), lml_column_from_doubles(z, NULL, n, &err),
                        lml_column_from_int32s(lc, NULL, n, &err), lml_column_from_int32s(rc, NULL, n, &err),
                        lml_column_struct_new(n, 3, sn, sp, NULL, &err)};
    const char *names[9] = {"id", "prediction", "impurity", "impurityStats", "rawCount",
                            "gain", "leftChild", "rightChild", "split"};
    lml_frame *f = lml_frame_new(9, names, c, &err);
    cr_assert_not_null(f, "%s", err.message);
    for (int i = 0; i < 9; i++)
        lml_column_free(c[i]);
    for (int i = 0; i < 3; i++)
        lml_column_free(sp[i]);
    lml_column_free(sd), lml_column_free(cd);
    return f;
}

Test(persist_trees, hostile_node_tables_fail_cleanly)
{
    /* a cycle: node 1's child is the root */
    lml_frame *f = table(3, (int32_t[]){0, 1, 2}, (int32_t[]){1, 0, -1}, (int32_t[]){2, 2, -1},
                         (int32_t[]){0, 0, -1}, (int32_t[]){-1, -1, -1}, 3);
    expect_bad_table(f, "pre-order tree");
    lml_frame_free(f);
}

Test(persist_trees, hostile_missing_id)
{
    lml_frame *f = table(3, (int32_t[]){0, 1, 5}, (int32_t[]){1, -1, -1}, (int32_t[]){2, -1, -1},
                         (int32_t[]){0, -1, -1}, (int32_t[]){-1, -1, -1}, 3);
    expect_bad_table(f, "node ids must be");
    lml_frame_free(f);
}

Test(persist_trees, hostile_feature_out_of_range)
{
    lml_frame *f = table(3, (int32_t[]){0, 1, 2}, (int32_t[]){1, -1, -1}, (int32_t[]){2, -1, -1},
                         (int32_t[]){7, -1, -1}, (int32_t[]){-1, -1, -1}, 3);
    expect_bad_table(f, "featureIndex 7");
    lml_frame_free(f);
}

Test(persist_trees, hostile_wrong_stats_length_and_unreachable_node)
{
    lml_frame *f = table(3, (int32_t[]){0, 1, 2}, (int32_t[]){1, -1, -1}, (int32_t[]){2, -1, -1},
                         (int32_t[]){0, -1, -1}, (int32_t[]){-1, -1, -1}, 2);
    expect_bad_table(f, "impurityStats has 2 values");
    lml_frame_free(f);
}

Test(persist_trees, hostile_unreachable_node)
{
    lml_frame *f = table(2, (int32_t[]){0, 1}, (int32_t[]){-1, -1}, (int32_t[]){-1, -1}, (int32_t[]){-1, -1},
                         (int32_t[]){-1, -1}, 3);
    expect_bad_table(f, "not reachable");
    lml_frame_free(f);
}

Test(persist_trees, hostile_categorical_split_with_bad_category)
{
    /* numCategories 1 is not a split */
    lml_frame *f = table(3, (int32_t[]){0, 1, 2}, (int32_t[]){1, -1, -1}, (int32_t[]){2, -1, -1},
                         (int32_t[]){0, -1, -1}, (int32_t[]){1, -1, -1}, 3);
    expect_bad_table(f, "categorical split");
    lml_frame_free(f);
}

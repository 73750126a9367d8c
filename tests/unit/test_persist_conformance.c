/* Loading models that Spark wrote (../shared/conformance/spark-models): the PySpark 2.3
 * LogisticRegressionModel of spark-ml-serving (no defaultParamMap, sparse row-major coefficient
 * matrix), scored on Spark's sample_libsvm_data.txt against independently computed outputs, and
 * the cugoapo 3.0.0-preview2 PipelineModel (its feature stages, and all 7 stages scored on its CSVs). */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/lakeml.h"
#include "lakeml/libsvm.h"
#include "persist_support.h"
#include "support.h"

#define MODELS "conformance/spark-models/"

Test(persist_conformance, pyspark_23_logistic_regression_loads)
{
    LML_REQUIRE_SHARED(dir, MODELS "spark-ml-serving/py_log_reg");
    lml_error err = {0};
    lml_stage *m = lml_load(dir, &err);
    cr_assert_not_null(m, "%s", err.message);
    cr_assert_str_eq(lml_stage_uid(m), "LogisticRegression_4e3fbe1b6c7b7678aa1a");
    cr_assert_eq(lml_logistic_regression_num_classes(m, &err), 2);
    cr_assert_eq(lml_logistic_regression_num_features(m, &err), 692);
    cr_assert(lml_logistic_regression_is_multinomial(m));
    size_t nb, r, c;
    const double *b = lml_logistic_regression_intercept_vector(m, &nb, &err);
    cr_assert_eq(nb, 2);
    cr_assert_eq(b[0], -0.12065879445860686);
    cr_assert_eq(b[1], 0.12065879445860686);
    const double *B = lml_logistic_regression_coefficient_matrix(m, &r, &c, &err);
    cr_assert(r == 2 && c == 692);
    size_t nnz = 0, first = 0;
    for (size_t i = 0; i < r * c; i++)
        if (B[i] != 0 && nnz++ == 0)
            first = i % c;
    cr_assert_eq(nnz, 58);
    cr_assert_eq(first, 244, "first non-zero feature index");
    /* params from the 2.3 paramMap (every param set, no defaultParamMap) */
    double reg, en;
    int64_t it;
    cr_assert(lml_get_double(m, "regParam", &reg, &err) && reg == 0.3);
    cr_assert(lml_get_double(m, "elasticNetParam", &en, &err) && en == 0.8);
    cr_assert(lml_get_int(m, "maxIter", &it, &err) && it == 10);
    cr_assert_str_eq(lml_get_string(m, "family", &err), "multinomial");
    cr_assert(lml_is_set(m, "tol"));

    /* saved again by lakeml (3.5 layout) it loads back identical */
    lml_stage *again = ps_roundtrip(m, NULL);
    ps_assert_params_identical(m, again);
    const double *B2 = lml_logistic_regression_coefficient_matrix(again, &r, &c, &err);
    cr_assert(memcmp(B, B2, 2 * 692 * sizeof(double)) == 0);
    lml_stage_free(again);
    lml_stage_free(m);
}

Test(persist_conformance, pyspark_23_logistic_regression_scores_sample_libsvm_data)
{
    LML_REQUIRE_SHARED(dir, MODELS "spark-ml-serving/py_log_reg");
    lml_error err = {0};
    lml_stage *m = lml_load(dir, &err);
    cr_assert_not_null(m, "%s", err.message);
    char data_path[4096], exp_path[4096];
    snprintf(data_path, sizeof data_path, "%s", lml_test_shared_path(MODELS "spark-ml-serving/data/sample_libsvm_data.txt"));
    snprintf(exp_path, sizeof exp_path, "%s", lml_test_shared_path(MODELS "expected/py_log_reg.jsonl"));
    lml_frame *df = lml_libsvm_read(data_path, &(lml_libsvm_options){.num_features = 692}, &err);
    cr_assert_not_null(df, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(df), 100);
    lml_frame *out = lml_transform(m, df, &err);
    cr_assert_not_null(out, "%s", err.message);
    cr_assert_eq(lml_column_vector_size(lml_frame_column_by_name(out, "rawPrediction", &err)), 2);
    cr_assert_not(lml_column_vector_is_sparse(lml_frame_column_by_name(out, "rawPrediction", &err)));
    cr_assert_eq(ps_check_binary_scores(out, exp_path, 1e-15, false), 99,
                 "README: 99 of 100 rows are predicted as their label");
    lml_frame_free(out);
    lml_frame_free(df);
    lml_stage_free(m);
}

#define CUGOAPO MODELS "cugoapo-streaming-pipeline/pipeline_model/stages/"

Test(persist_conformance, spark3_preview_feature_stages_load)
{
    LML_REQUIRE_SHARED(si_dir, CUGOAPO "0_StringIndexer_0dff1afedfd0");
    lml_error err = {0};
    lml_stage *si = lml_load(si_dir, &err);
    cr_assert_not_null(si, "%s", err.message);
    cr_assert_str_eq(lml_stage_class(si), "org.apache.spark.ml.feature.StringIndexerModel");
    cr_assert_str_eq(lml_get_string(si, "handleInvalid", &err), "skip");
    cr_assert_str_eq(lml_get_string(si, "inputCol", &err), "meslek");
    size_t n;
    const char *const *labels = lml_string_indexer_model_labels(si, 0, &n, &err);
    cr_assert_eq(n, 6);
    static const char *const want[6] = {"Pazarlamaci", "Doktor", "Memur", "Isci", "M\xEF\xBF\xBDzisyen",
                                        "Tornac\xEF\xBF\xBD"};
    for (size_t i = 0; i < 6; i++)
        cr_assert_str_eq(labels[i], want[i]);
    lml_stage_free(si);

    const char *ohe_dir = lml_test_shared_path(CUGOAPO "2_OneHotEncoder_b00654c11d42");
    lml_stage *ohe = lml_load(ohe_dir, &err);
    cr_assert_not_null(ohe, "%s", err.message);
    const int64_t *sizes = lml_one_hot_encoder_model_category_sizes(ohe, &n, &err);
    cr_assert(n == 2 && sizes[0] == 6 && sizes[1] == 6);
    bool drop;
    cr_assert(lml_get_bool(ohe, "dropLast", &drop, &err) && drop);
    cr_assert_not(lml_is_set(ohe, "dropLast"), "a default stays a default");
    lml_stage_free(ohe);

    const char *va_dir = lml_test_shared_path(CUGOAPO "3_VectorAssembler_b607992e492e");
    lml_stage *va = lml_load(va_dir, &err);
    cr_assert_not_null(va, "%s", err.message);
    const char *const *ins = lml_get_strings(va, "inputCols", &n, &err);
    cr_assert(n == 4 && strcmp(ins[1], "meslek_encoded") == 0);
    lml_stage_free(va);

    const char *ss_dir = lml_test_shared_path(CUGOAPO "5_StandardScaler_efe63767d769");
    lml_stage *ss = lml_load(ss_dir, &err);
    cr_assert_not_null(ss, "%s", err.message);
    const double *mean = lml_standard_scaler_model_mean(ss, &n, &err);
    cr_assert_eq(n, 12);
    cr_assert_float_eq(mean[0], 33.4, 1e-12);
    cr_assert_float_eq(mean[11], 7320.0, 1e-9);
    const double *sd = lml_standard_scaler_model_std(ss, &n, &err);
    cr_assert_float_eq(sd[0], 6.149977, 1e-6);
    cr_assert_float_eq(sd[11], 5031.025961, 1e-6);
    /* transform with the loaded scaler: withStd only, Spark multiplies by 1/std */
    double row[12] = {40, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9000};
    lml_column *vc = lml_column_vector_from_dense(row, 1, 12, &err);
    lml_frame *f = lml_frame_new(1, (const char *[]){"vectorized_features"}, &vc, &err);
    lml_column_free(vc);
    lml_frame *out = lml_transform(ss, f, &err);
    cr_assert_not_null(out, "%s", err.message);
    const double *scaled = lml_column_vector_dense(lml_frame_column_by_name(out, "features", &err));
    cr_assert_float_eq(scaled[0], 40.0 * (1.0 / sd[0]), 1e-15);
    lml_frame_free(out), lml_frame_free(f);
    lml_stage_free(ss);
}

/* Scores one CSV with the whole 7-stage PipelineModel (with_label: the training script's
 * ekonomik_durum column added, which stage 4 indexes) against expected/cugoapo_<name>[_with_label].jsonl:
 * the surviving rows in file order, their scaled features, rawPrediction, probability, prediction. */
static void score_cugoapo(const lml_stage *m, const char *name, bool with_label)
{
    lml_error err = {0};
    char rel[512], exp_rel[512];
    snprintf(rel, sizeof rel, MODELS "cugoapo-streaming-pipeline/data/%s.csv", name);
    snprintf(exp_rel, sizeof exp_rel, MODELS "expected/cugoapo_%s%s.jsonl", name, with_label ? "_with_label" : "");
    /* Spark decoded these files as UTF-8, each malformed sequence becoming U+FFFD (Java's
     * decoder), and the model's labels hold U+FFFD: lml_csv_read decodes the same way. */
    lml_frame *df = lml_csv_read(lml_test_shared_path(rel), &(lml_csv_options){.header = true, .infer_schema = true},
                                 &err);
    cr_assert_not_null(df, "%s", err.message);
    if (with_label) {
        size_t n = lml_frame_num_rows(df);
        const lml_column *g = lml_frame_column_by_name(df, "aylik_gelir", &err);
        cr_assert_not_null(g, "%s", err.message);
        const char **lab = calloc(n ? n : 1, sizeof *lab);
        for (size_t i = 0; i < n; i++)
            lab[i] = lml_column_get_double(g, i) > 7000 ? "iyi" : "k\xC3\xB6t\xC3\xBC";
        lml_column *lc = lml_column_from_strings(lab, n, &err);
        free(lab);
        lml_frame *df2 = lc ? lml_frame_with_column(df, "ekonomik_durum", lc, &err) : NULL;
        cr_assert_not_null(df2, "%s", err.message);
        lml_column_free(lc);
        lml_frame_free(df);
        df = df2;
    }
    lml_frame *out = lml_transform(m, df, &err);
    cr_assert_not_null(out, "%s: %s", name, err.message);
    const lml_column *key = lml_frame_column_by_name(out, "sira_no", &err);
    const lml_column *feat = lml_frame_column_by_name(out, "features", &err);
    const lml_column *raw = lml_frame_column_by_name(out, "rawPrediction", &err);
    const lml_column *prob = lml_frame_column_by_name(out, "probability", &err);
    const lml_column *pred = lml_frame_column_by_name(out, "prediction", &err);
    cr_assert(key && feat && raw && prob && pred, "%s", err.message);
    const lml_column *label = with_label ? lml_frame_column_by_name(out, "label", &err) : NULL;
    cr_assert(!with_label || label, "%s", err.message);
    char *text = lml_test_slurp(lml_test_shared_path(exp_rel));
    cr_assert_not_null(text);
    size_t r = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"), r++) {
        cJSON *j = cJSON_Parse(line);
        cr_assert_not_null(j);
        cr_assert_lt(r, lml_frame_num_rows(out), "%s: fewer rows than expected", name);
        int row = (int)r;
        cr_assert_eq(lml_column_get_double(key, r), cJSON_GetObjectItem(j, "sira_no")->valuedouble, "%s row %zu", name, r);
        const cJSON *fv = cJSON_GetObjectItem(j, "features");
        cr_assert_eq(lml_column_vector_size(feat), 12);
        for (int k = 0; k < 12; k++) {
            double got = lml_column_vector_is_sparse(feat) ? NAN : lml_column_vector_dense(feat)[r * 12 + (size_t)k];
            if (lml_column_vector_is_sparse(feat)) {
                got = 0.0;
                const int64_t *ip = lml_column_vector_indptr(feat);
                for (int64_t q = ip[r]; q < ip[r + 1]; q++)
                    if (lml_column_vector_indices(feat)[q] == k)
                        got = lml_column_vector_values(feat)[q];
            }
            ps_close_rel(got, cJSON_GetArrayItem(fv, k)->valuedouble, 1e-12, 0, "features", row, k);
        }
        for (int k = 0; k < 2; k++) {
            ps_close_rel(lml_column_vector_dense(raw)[2 * r + (size_t)k],
                      cJSON_GetArrayItem(cJSON_GetObjectItem(j, "rawPrediction"), k)->valuedouble, 1e-12, 0,
                      "rawPrediction", row, k);
            ps_close_rel(lml_column_vector_dense(prob)[2 * r + (size_t)k],
                      cJSON_GetArrayItem(cJSON_GetObjectItem(j, "probability"), k)->valuedouble, 1e-12, 0,
                      "probability", row, k);
        }
        cr_assert_eq(lml_column_doubles(pred)[r], cJSON_GetObjectItem(j, "prediction")->valuedouble, "%s row %zu",
                     name, r);
        if (with_label)
            cr_assert_eq(lml_column_get_double(label, r), cJSON_GetObjectItem(j, "label")->valuedouble);
        cJSON_Delete(j);
    }
    cr_assert_eq(r, lml_frame_num_rows(out), "%s: row count", name);
    free(text);
    lml_frame_free(out);
    lml_frame_free(df);
}

Test(persist_conformance, spark3_preview_pipeline_model_scores_its_csvs)
{
    LML_REQUIRE_SHARED(dir, MODELS "cugoapo-streaming-pipeline/pipeline_model");
    lml_error err = {0};
    lml_stage *m = lml_load(dir, &err);
    cr_assert_not_null(m, "%s", err.message);
    cr_assert_eq(lml_pipeline_num_stages(m), 7);
    static const char *const files[4] = {"simple_data", "simple_data2", "simple_data3", "simple_data4"};
    for (int i = 0; i < 4; i++) {
        score_cugoapo(m, files[i], true);
        score_cugoapo(m, files[i], false);
    }
    lml_stage_free(m);
}

/* The defaultParamMap keys of a metadata file. */
static char *default_keys(const char *dir)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/metadata/part-00000", dir);
    char *text = lml_test_slurp(p);
    cr_assert_not_null(text, "%s", p);
    cJSON *j = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(j);
    const cJSON *dm = cJSON_GetObjectItem(j, "defaultParamMap");
    size_t n = (size_t)cJSON_GetArraySize(dm), k = 0;
    const char **names = calloc(n + 1, sizeof *names);
    const cJSON *e;
    cJSON_ArrayForEach(e, dm) names[k++] = e->string;
    for (size_t a = 0; a < n; a++) /* sorted: Spark 3.5 writes hash order */
        for (size_t b = a + 1; b < n; b++)
            if (strcmp(names[b], names[a]) < 0) {
                const char *t = names[a];
                names[a] = names[b];
                names[b] = t;
            }
    char *out = calloc(1, 1024);
    for (size_t i = 0; i < n; i++)
        snprintf(out + strlen(out), 1024 - strlen(out), "%s,", names[i]);
    free(names);
    cJSON_Delete(j);
    return out;
}

Test(persist_conformance, lakeml_writes_the_default_param_maps_spark_writes)
{
    LML_REQUIRE_SHARED(stages, CUGOAPO "0_StringIndexer_0dff1afedfd0");
    (void)stages;
    static const char *const spark_dirs[4] = {"0_StringIndexer_0dff1afedfd0", "2_OneHotEncoder_b00654c11d42",
                                              "3_VectorAssembler_b607992e492e", "5_StandardScaler_efe63767d769"};
    lml_stage *mine[4] = {lml_string_indexer_new("a", "b"), lml_one_hot_encoder_new("b", "c"),
                          lml_vector_assembler_new((const char *[]){"c", NULL}, "v"), lml_standard_scaler_new("v", "w")};
    for (int i = 0; i < 4; i++) {
        char rel[512];
        snprintf(rel, sizeof rel, CUGOAPO "%s", spark_dirs[i]);
        char *theirs = default_keys(lml_test_shared_path(rel));
        const char *dir;
        lml_stage *l = ps_roundtrip(mine[i], &dir);
        char *ours = default_keys(dir);
        cr_assert_str_eq(ours, theirs, "%s", spark_dirs[i]);
        free(ours), free(theirs);
        lml_stage_free(l), lml_stage_free(mine[i]);
    }
}

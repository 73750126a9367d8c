/* lml_save / lml_load of CrossValidator(Model) and TrainValidationSplit(Model) (spec §6): the
 * saved files are checked on their own with cJSON (classes, paramMap with every validator param,
 * estimatorParamMaps in Spark's doubly-encoded form, metrics bit for bit, directory layout), and
 * the loaded stages give back the same grid, metrics, best model predictions and sub-models.
 * PySpark's pure-Python variant loads; hostile metadata fails with the file and field named. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lakeml/lakeml.h"
#include "persist_support.h"
#include "support.h"

#define N 60

/* A Titanic-like frame: Sex (string), Pclass, Age, Fare (doubles), Survived (0/1), deterministic. */
static lml_frame *frame(void)
{
    const char *sex[N];
    double pclass[N], age[N], fare[N], surv[N];
    uint64_t s = 0x9E3779B97F4A7C15ull;
    double u[2];
    for (int i = 0; i < N; i++) {
        for (int k = 0; k < 2; k++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            u[k] = (double)(s >> 11) / 9007199254740992.0;
        }
        sex[i] = i % 3 == 0 ? "female" : "male";
        pclass[i] = 1 + i % 3;
        age[i] = 5 + (i * 7) % 60;
        fare[i] = 80.0 / pclass[i] + 10 * u[0];
        /* noisy enough that no fold separates perfectly and the grid's maps score differently */
        double score = (i % 3 == 0 ? 0.6 : -0.4) - 0.3 * (pclass[i] - 2) + 0.01 * (age[i] - 30) + (u[1] - 0.5) * 3;
        surv[i] = score > 0 ? 1 : 0;
    }
    lml_error err = {0};
    lml_column *c[5] = {lml_column_from_strings(sex, N, &err), lml_column_from_doubles(pclass, NULL, N, &err),
                        lml_column_from_doubles(age, NULL, N, &err), lml_column_from_doubles(fare, NULL, N, &err),
                        lml_column_from_doubles(surv, NULL, N, &err)};
    lml_frame *f = lml_frame_new(5, (const char *[]){"Sex", "Pclass", "Age", "Fare", "Survived"}, c, &err);
    cr_assert_not_null(f, "%s", err.message);
    for (int i = 0; i < 5; i++)
        lml_column_free(c[i]);
    return f;
}

typedef struct parts {
    lml_stage *pipe, *eval;
    lml_param_grid *grid;
    char si_uid[64], va_uid[64], lr_uid[64];
} parts;

/* StringIndexer → VectorAssembler → LogisticRegression, a BinaryClassificationEvaluator, and a
 * grid: regParam {0.01, 1.0} × elasticNetParam {0.0, 0.5} (cv) or maxIter {5, 20} × regParam
 * {0.01, 0.3} with elasticNetParam 1.0 (tvs), both based on family = "binomial". */
static parts make_parts(bool cv)
{
    lml_error err = {0};
    parts p;
    lml_stage *si = lml_string_indexer_new("Sex", "SexIndex");
    lml_stage *va = lml_vector_assembler_new((const char *[]){"SexIndex", "Pclass", "Age", "Fare", NULL}, "features");
    lml_stage *lr = lml_logistic_regression_new();
    cr_assert(lml_set_string(lr, "labelCol", "Survived", &err) && lml_set_int(lr, "maxIter", 30, &err), "%s",
              err.message);
    snprintf(p.si_uid, sizeof p.si_uid, "%s", lml_stage_uid(si));
    snprintf(p.va_uid, sizeof p.va_uid, "%s", lml_stage_uid(va));
    snprintf(p.lr_uid, sizeof p.lr_uid, "%s", lml_stage_uid(lr));
    p.grid = lml_param_grid_new();
    if (cv)
        cr_assert(lml_param_grid_add_double(p.grid, lr, "regParam", (double[]){0.01, 1.0}, 2, &err) &&
                      lml_param_grid_add_double(p.grid, lr, "elasticNetParam", (double[]){0.0, 0.5}, 2, &err),
                  "%s", err.message);
    else
        cr_assert(lml_param_grid_add_int(p.grid, lr, "maxIter", (int64_t[]){5, 20}, 2, &err) &&
                      lml_param_grid_add_double(p.grid, lr, "regParam", (double[]){0.01, 0.3}, 2, &err) &&
                      lml_param_grid_base_on_double(p.grid, lr, "elasticNetParam", 1.0, &err),
                  "%s", err.message);
    cr_assert(lml_param_grid_base_on_string(p.grid, lr, "family", "binomial", &err), "%s", err.message);
    p.pipe = lml_pipeline_new((lml_stage *[]){si, va, lr, NULL}, &err);
    cr_assert_not_null(p.pipe, "%s", err.message);
    p.eval = lml_binary_classification_evaluator_new();
    cr_assert(lml_set_string(p.eval, "labelCol", "Survived", &err), "%s", err.message);
    return p;
}

static lml_stage *make_cv(bool collect)
{
    lml_error err = {0};
    parts p = make_parts(true);
    lml_stage *cv = lml_cross_validator_new(p.pipe, p.grid, p.eval, &err);
    cr_assert_not_null(cv, "%s", err.message);
    cr_assert(lml_set_int(cv, "seed", 42, &err) && lml_set_bool(cv, "collectSubModels", collect, &err), "%s",
              err.message);
    return cv;
}

static char *path_in(const char *dir, const char *rel)
{
    static char buf[4][4096];
    static int slot;
    char *b = buf[slot++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", dir, rel);
    return b;
}

static bool exists(const char *dir, const char *rel)
{
    struct stat st;
    return stat(path_in(dir, rel), &st) == 0;
}

static cJSON *meta_of(const char *dir)
{
    char *line = ps_meta_line(dir);
    cJSON *j = cJSON_Parse(line);
    cr_assert_not_null(j, "metadata of %s is not JSON", dir);
    free(line);
    return j;
}

static const char *class_of(const char *dir)
{
    static char buf[256];
    cJSON *j = meta_of(dir);
    snprintf(buf, sizeof buf, "%s", cJSON_GetObjectItem(j, "class")->valuestring);
    cJSON_Delete(j);
    return buf;
}

/* The keys of obj, sorted, joined by ','. */
static char *keys_of(const cJSON *obj)
{
    const char *k[64];
    int n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, obj) k[n++] = e->string;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(k[j - 1], k[j]) > 0; j--) {
            const char *t = k[j];
            k[j] = k[j - 1];
            k[j - 1] = t;
        }
    static char out[1024];
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? "," : "", k[i]);
    return out;
}

static void assert_grids_equal(const lml_param_grid *a, const lml_param_grid *b)
{
    size_t n = lml_param_grid_num_maps(a);
    cr_assert_eq(lml_param_grid_num_maps(b), n);
    for (size_t j = 0; j < n; j++) {
        char *sa = lml_param_grid_map_string(a, j, NULL), *sb = lml_param_grid_map_string(b, j, NULL);
        cr_assert_str_eq(sb, sa, "param map %zu", j);
        free(sa);
        free(sb);
    }
}

static void assert_same_predictions(const lml_stage *a, const lml_stage *b, const lml_frame *df)
{
    lml_error err = {0};
    lml_frame *fa = lml_transform(a, df, &err);
    cr_assert_not_null(fa, "%s", err.message);
    lml_frame *fb = lml_transform(b, df, &err);
    cr_assert_not_null(fb, "%s", err.message);
    ps_assert_frames_identical(fa, fb);
    lml_frame_free(fa);
    lml_frame_free(fb);
}

Test(persist_tuning, cross_validator_model_files_and_round_trip)
{
    lml_error err = {0};
    lml_frame *df = frame();
    lml_stage *cv = make_cv(false);
    lml_stage *m = lml_fit(cv, df, &err);
    cr_assert_not_null(m, "%s", err.message);
    const char *lr_uid = lml_stage_uid(lml_pipeline_stage(lml_tuning_estimator(cv, NULL), 2));
    const char *si_uid = lml_stage_uid(lml_pipeline_stage(lml_tuning_estimator(cv, NULL), 0));
    size_t nm = 0;
    const double *avg = lml_tuning_model_metrics(m, &nm, &err);
    cr_assert_eq(nm, 4);
    /* the comparisons below mean something only if the maps score differently */
    cr_assert(avg[0] != avg[3] && avg[0] < 1 && avg[3] < 1, "avgMetrics %.17g %.17g %.17g %.17g", avg[0], avg[1],
              avg[2], avg[3]);

    const char *dir;
    lml_stage *l = ps_roundtrip(m, &dir);

    /* ---- the files, read without the loader */
    cJSON *j = meta_of(dir);
    cr_assert_str_eq(cJSON_GetObjectItem(j, "class")->valuestring, "org.apache.spark.ml.tuning.CrossValidatorModel");
    cr_assert_str_eq(cJSON_GetObjectItem(j, "uid")->valuestring, lml_stage_uid(cv));
    const cJSON *pm = cJSON_GetObjectItem(j, "paramMap"), *dm = cJSON_GetObjectItem(j, "defaultParamMap");
    /* every CrossValidatorModel param, set or not, and nothing the Scala model lacks */
    cr_assert_str_eq(keys_of(pm), "estimatorParamMaps,foldCol,numFolds,seed");
    cr_assert_eq(cJSON_GetObjectItem(pm, "numFolds")->valuedouble, 3);
    cr_assert_eq(cJSON_GetObjectItem(pm, "seed")->valuedouble, 42);
    cr_assert_str_eq(cJSON_GetObjectItem(pm, "foldCol")->valuestring, "");
    cr_assert_str_eq(keys_of(dm), "foldCol,numFolds,seed");
    cr_assert_eq(cJSON_GetObjectItem(dm, "seed")->valuedouble, -1191137437);
    const cJSON *epm = cJSON_GetObjectItem(pm, "estimatorParamMaps");
    cr_assert(cJSON_IsArray(epm));
    cr_assert_eq(cJSON_GetArraySize(epm), 4);
    /* PySpark's order: the first added param varies slowest */
    static const char *const reg[] = {"0.01", "0.01", "1.0", "1.0"}, *const en[] = {"0.0", "0.5", "0.0", "0.5"};
    for (int k = 0; k < 4; k++) {
        const cJSON *map = cJSON_GetArrayItem(epm, k);
        cr_assert_eq(cJSON_GetArraySize(map), 3);
        const char *want_name[] = {"regParam", "elasticNetParam", "family"};
        const char *want_val[] = {reg[k], en[k], "\"binomial\""};
        for (int e = 0; e < 3; e++) {
            const cJSON *o = cJSON_GetArrayItem(map, e);
            cr_assert_str_eq(keys_of(o), "isJson,name,parent,value");
            cr_assert_str_eq(cJSON_GetObjectItem(o, "parent")->valuestring, lr_uid);
            cr_assert_str_eq(cJSON_GetObjectItem(o, "name")->valuestring, want_name[e]);
            cr_assert(cJSON_IsString(cJSON_GetObjectItem(o, "value")), "map %d entry %d: value is a string", k, e);
            cr_assert_str_eq(cJSON_GetObjectItem(o, "value")->valuestring, want_val[e]);
            cr_assert_str_eq(cJSON_GetObjectItem(o, "isJson")->valuestring, "true");
        }
    }
    const cJSON *am = cJSON_GetObjectItem(j, "avgMetrics");
    cr_assert_eq(cJSON_GetArraySize(am), 4);
    for (int k = 0; k < 4; k++)
        cr_assert(memcmp(&cJSON_GetArrayItem(am, k)->valuedouble, &avg[k], 8) == 0, "avgMetrics[%d]: %.17g vs %.17g",
                  k, cJSON_GetArrayItem(am, k)->valuedouble, avg[k]);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "persistSubModels")));
    cJSON_Delete(j);
    /* the exact text Spark's writer produces for one entry, with the doubly-encoded string */
    char *line = ps_meta_line(dir), want[256];
    snprintf(want, sizeof want, "{\"parent\":\"%s\",\"name\":\"regParam\",\"value\":\"0.01\",\"isJson\":\"true\"}",
             lr_uid);
    cr_assert_not_null(strstr(line, want), "%s", line);
    snprintf(want, sizeof want, "{\"parent\":\"%s\",\"name\":\"family\",\"value\":\"\\\"binomial\\\"\",\"isJson\":\"true\"}",
             lr_uid);
    cr_assert_not_null(strstr(line, want), "%s", line);
    free(line);
    /* layout */
    char rel[256];
    cr_assert(exists(dir, "metadata/_SUCCESS"));
    cr_assert_str_eq(class_of(path_in(dir, "estimator")), "org.apache.spark.ml.Pipeline");
    snprintf(rel, sizeof rel, "estimator/stages/2_%s", lr_uid);
    cr_assert_str_eq(class_of(path_in(dir, rel)), "org.apache.spark.ml.classification.LogisticRegression");
    cr_assert_str_eq(class_of(path_in(dir, "evaluator")), "org.apache.spark.ml.evaluation.BinaryClassificationEvaluator");
    cr_assert_not(exists(dir, "evaluator/data"));
    cr_assert_str_eq(class_of(path_in(dir, "bestModel")), "org.apache.spark.ml.PipelineModel");
    snprintf(rel, sizeof rel, "bestModel/stages/0_%s/data/_SUCCESS", si_uid);
    cr_assert(exists(dir, rel), "%s", rel);
    snprintf(rel, sizeof rel, "bestModel/stages/2_%s", lr_uid);
    cr_assert_str_eq(class_of(path_in(dir, rel)), "org.apache.spark.ml.classification.LogisticRegressionModel");
    cr_assert_not(exists(dir, "subModels"));

    /* ---- the loaded model */
    cr_assert_str_eq(lml_stage_class(l), "org.apache.spark.ml.tuning.CrossValidatorModel");
    cr_assert_str_eq(lml_stage_uid(l), lml_stage_uid(m));
    int64_t seed = 0;
    cr_assert(lml_get_int(l, "seed", &seed, &err) && seed == 42);
    assert_grids_equal(lml_tuning_grid(m, NULL), lml_tuning_grid(l, NULL));
    size_t nl = 0, ns = 0, nsl = 0;
    const double *lavg = lml_tuning_model_metrics(l, &nl, &err);
    cr_assert(nl == 4 && memcmp(lavg, avg, 4 * sizeof *avg) == 0);
    const double *sd = lml_tuning_model_std_metrics(m, &ns, &err), *lsd = lml_tuning_model_std_metrics(l, &nsl, &err);
    cr_assert_not_null(lsd, "%s", err.message);
    cr_assert(ns == 4 && nsl == 4 && memcmp(sd, lsd, 4 * sizeof *sd) == 0);
    cr_assert_eq(lml_tuning_model_best_index(l, NULL), lml_tuning_model_best_index(m, NULL));
    const lml_stage *est = lml_tuning_estimator(l, NULL);
    cr_assert_eq(lml_pipeline_num_stages(est), 3);
    cr_assert_str_eq(lml_stage_uid(lml_pipeline_stage(est, 2)), lr_uid);
    cr_assert_str_eq(lml_stage_class(lml_tuning_evaluator(l, NULL)),
                     "org.apache.spark.ml.evaluation.BinaryClassificationEvaluator");
    assert_same_predictions(lml_tuning_model_best_model(m, NULL), lml_tuning_model_best_model(l, NULL), df);
    assert_same_predictions(m, l, df);
    cr_assert_null(lml_tuning_model_sub_model(l, 0, 0, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);

    lml_stage_free(l);
    lml_stage_free(m);
    lml_stage_free(cv);
    lml_frame_free(df);
}

Test(persist_tuning, cross_validator_estimator_reloads_and_refits_identically)
{
    lml_error err = {0};
    lml_frame *df = frame();
    lml_stage *cv = make_cv(false);
    const char *dir;
    lml_stage *l = ps_roundtrip(cv, &dir);
    cJSON *j = meta_of(dir);
    cr_assert_str_eq(cJSON_GetObjectItem(j, "class")->valuestring, "org.apache.spark.ml.tuning.CrossValidator");
    cr_assert_str_eq(keys_of(cJSON_GetObjectItem(j, "paramMap")),
                     "collectSubModels,estimatorParamMaps,foldCol,numFolds,parallelism,seed");
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "paramMap"), "collectSubModels")));
    cr_assert_null(cJSON_GetObjectItem(j, "avgMetrics"));
    cJSON_Delete(j);
    cr_assert_not(exists(dir, "bestModel"));
    assert_grids_equal(lml_tuning_grid(cv, NULL), lml_tuning_grid(l, NULL));
    lml_stage *m1 = lml_fit(cv, df, &err);
    cr_assert_not_null(m1, "%s", err.message);
    lml_stage *m2 = lml_fit(l, df, &err);
    cr_assert_not_null(m2, "%s", err.message);
    size_t n1, n2;
    const double *a1 = lml_tuning_model_metrics(m1, &n1, NULL), *a2 = lml_tuning_model_metrics(m2, &n2, NULL);
    cr_assert(n1 == 4 && n2 == 4 && memcmp(a1, a2, 4 * sizeof *a1) == 0, "refit metrics differ");
    assert_same_predictions(m1, m2, df);
    lml_stage_free(m1);
    lml_stage_free(m2);
    lml_stage_free(l);
    lml_stage_free(cv);
    lml_frame_free(df);
}

Test(persist_tuning, cross_validator_sub_models_are_saved_when_collected)
{
    lml_error err = {0};
    lml_frame *df = frame();
    lml_stage *cv = make_cv(true);
    lml_stage *m = lml_fit(cv, df, &err);
    cr_assert_not_null(m, "%s", err.message);
    const char *dir;
    lml_stage *l = ps_roundtrip(m, &dir);
    cJSON *j = meta_of(dir);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "persistSubModels")));
    cJSON_Delete(j);
    char rel[64];
    for (int f = 0; f < 3; f++)
        for (int k = 0; k < 4; k++) {
            snprintf(rel, sizeof rel, "subModels/fold%d/%d", f, k);
            cr_assert_str_eq(class_of(path_in(dir, rel)), "org.apache.spark.ml.PipelineModel", "%s", rel);
            const lml_stage *a = lml_tuning_model_sub_model(m, (size_t)f, (size_t)k, &err);
            const lml_stage *b = lml_tuning_model_sub_model(l, (size_t)f, (size_t)k, &err);
            cr_assert(a && b, "%s", err.message);
            assert_same_predictions(a, b, df);
        }
    cr_assert_not(exists(dir, "subModels/fold3"));
    cr_assert_not(exists(dir, "subModels/fold0/4"));
    lml_stage_free(l);
    lml_stage_free(m);
    lml_stage_free(cv);
    lml_frame_free(df);
}

Test(persist_tuning, train_validation_split_model_files_and_round_trip)
{
    lml_error err = {0};
    lml_frame *df = frame();
    parts p = make_parts(false);
    lml_stage *tvs = lml_train_validation_split_new(p.pipe, p.grid, p.eval, &err);
    cr_assert_not_null(tvs, "%s", err.message);
    cr_assert(lml_set_double(tvs, "trainRatio", 0.7, &err) && lml_set_int(tvs, "seed", 11, &err) &&
                  lml_set_bool(tvs, "collectSubModels", true, &err),
              "%s", err.message);
    lml_stage *m = lml_fit(tvs, df, &err);
    cr_assert_not_null(m, "%s", err.message);
    size_t n = 0;
    const double *vm = lml_tuning_model_metrics(m, &n, &err);
    cr_assert_eq(n, 4);
    cr_assert(vm[0] != vm[3] && vm[0] < 1, "validationMetrics %.17g %.17g %.17g %.17g", vm[0], vm[1], vm[2], vm[3]);
    const char *dir;
    lml_stage *l = ps_roundtrip(m, &dir);

    cJSON *j = meta_of(dir);
    cr_assert_str_eq(cJSON_GetObjectItem(j, "class")->valuestring,
                     "org.apache.spark.ml.tuning.TrainValidationSplitModel");
    const cJSON *pm = cJSON_GetObjectItem(j, "paramMap");
    cr_assert_str_eq(keys_of(pm), "estimatorParamMaps,seed,trainRatio");
    cr_assert_eq(cJSON_GetObjectItem(pm, "trainRatio")->valuedouble, 0.7);
    cr_assert_str_eq(keys_of(cJSON_GetObjectItem(j, "defaultParamMap")), "seed,trainRatio");
    const cJSON *e0 = cJSON_GetArrayItem(cJSON_GetArrayItem(cJSON_GetObjectItem(pm, "estimatorParamMaps"), 3), 0);
    cr_assert_str_eq(cJSON_GetObjectItem(e0, "name")->valuestring, "maxIter");
    cr_assert_str_eq(cJSON_GetObjectItem(e0, "value")->valuestring, "20");
    cr_assert_str_eq(cJSON_GetObjectItem(e0, "parent")->valuestring, p.lr_uid);
    const cJSON *jm = cJSON_GetObjectItem(j, "validationMetrics");
    cr_assert_eq(cJSON_GetArraySize(jm), 4);
    for (int k = 0; k < 4; k++)
        cr_assert(memcmp(&cJSON_GetArrayItem(jm, k)->valuedouble, &vm[k], 8) == 0, "validationMetrics[%d]", k);
    cr_assert_null(cJSON_GetObjectItem(j, "avgMetrics"));
    cr_assert_null(cJSON_GetObjectItem(j, "stdMetrics"));
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "persistSubModels")));
    cJSON_Delete(j);
    for (int k = 0; k < 4; k++) {
        char rel[32];
        snprintf(rel, sizeof rel, "subModels/%d", k);
        cr_assert_str_eq(class_of(path_in(dir, rel)), "org.apache.spark.ml.PipelineModel", "%s", rel);
        assert_same_predictions(lml_tuning_model_sub_model(m, 0, (size_t)k, NULL),
                                lml_tuning_model_sub_model(l, 0, (size_t)k, NULL), df);
    }
    cr_assert_not(exists(dir, "subModels/fold0"));

    cr_assert_str_eq(lml_stage_class(l), "org.apache.spark.ml.tuning.TrainValidationSplitModel");
    cr_assert_str_eq(lml_stage_uid(l), lml_stage_uid(tvs));
    assert_grids_equal(lml_tuning_grid(m, NULL), lml_tuning_grid(l, NULL));
    size_t nl;
    cr_assert(memcmp(lml_tuning_model_metrics(l, &nl, NULL), vm, 4 * sizeof *vm) == 0 && nl == 4);
    cr_assert_eq(lml_tuning_model_best_index(l, NULL), lml_tuning_model_best_index(m, NULL));
    double ratio = 0;
    cr_assert(lml_get_double(l, "trainRatio", &ratio, &err) && ratio == 0.7);
    assert_same_predictions(lml_tuning_model_best_model(m, NULL), lml_tuning_model_best_model(l, NULL), df);
    lml_stage_free(l);
    lml_stage_free(m);
    lml_stage_free(tvs);
    lml_frame_free(df);
}

/* ---- PySpark's pure-Python variant, written by hand */

Test(persist_tuning, pyspark_python_variant_cross_validator_model_loads)
{
    lml_error err = {0};
    lml_frame *df = frame();
    parts p = make_parts(true);
    lml_stage *best = lml_fit(p.pipe, df, &err);
    cr_assert_not_null(best, "%s", err.message);
    const char *root = lml_test_temp_dir();
    char dir[512], sub[600];
    snprintf(dir, sizeof dir, "%s/cvm", root);
    cr_assert(mkdir(dir, 0755) == 0 && mkdir(path_in(dir, "metadata"), 0755) == 0);
    snprintf(sub, sizeof sub, "%s/estimator", dir);
    cr_assert(lml_save(p.pipe, sub, LML_SAVE_ERROR_IF_EXISTS, &err), "%s", err.message);
    snprintf(sub, sizeof sub, "%s/evaluator", dir);
    cr_assert(lml_save(p.eval, sub, LML_SAVE_ERROR_IF_EXISTS, &err), "%s", err.message);
    snprintf(sub, sizeof sub, "%s/bestModel", dir);
    cr_assert(lml_save(best, sub, LML_SAVE_ERROR_IF_EXISTS, &err), "%s", err.message);
    /* What PySpark's _ValidatorSharedReadWrite.saveImpl writes (json.dumps, separators ',' ':'):
     * raw values, boolean isJson, every param in paramMap, stdMetrics; the second map is not a
     * product row of the first (a user-built list). */
    char meta[2048];
    snprintf(meta, sizeof meta,
             "{\"class\":\"pyspark.ml.tuning.CrossValidatorModel\",\"timestamp\":1700000000000,\"sparkVersion\":\"3.5.1\","
             "\"uid\":\"CrossValidatorModel_3f9a1c2b7d4e\",\"paramMap\":{\"seed\":7,\"numFolds\":4,\"foldCol\":\"\","
             "\"estimatorParamMaps\":[[{\"parent\":\"%s\",\"name\":\"regParam\",\"value\":0.25,\"isJson\":true},"
             "{\"parent\":\"%s\",\"name\":\"family\",\"value\":\"binomial\",\"isJson\":true}],"
             "[{\"parent\":\"%s\",\"name\":\"maxIter\",\"value\":7,\"isJson\":true},"
             "{\"parent\":\"%s\",\"name\":\"handleInvalid\",\"value\":\"keep\",\"isJson\":true},"
             "{\"parent\":\"%s\",\"name\":\"fitIntercept\",\"value\":false,\"isJson\":true}]]},"
             "\"defaultParamMap\":{\"seed\":-5197526399618498213,\"numFolds\":3,\"foldCol\":\"\"},"
             "\"avgMetrics\":[0.8125,0.71875],\"stdMetrics\":[0.0625,0.125],\"persistSubModels\":false}\n",
             p.lr_uid, p.lr_uid, p.lr_uid, p.si_uid, p.lr_uid);
    ps_write(path_in(dir, "metadata/part-00000"), meta);
    lml_stage *l = lml_load(dir, &err);
    cr_assert_not_null(l, "%s", err.message);
    cr_assert_str_eq(lml_stage_class(l), "org.apache.spark.ml.tuning.CrossValidatorModel");
    cr_assert_str_eq(lml_stage_uid(l), "CrossValidatorModel_3f9a1c2b7d4e");
    int64_t folds = 0, seed = 0;
    cr_assert(lml_get_int(l, "numFolds", &folds, &err) && folds == 4);
    cr_assert(lml_get_int(l, "seed", &seed, &err) && seed == 7);
    const lml_param_grid *g = lml_tuning_grid(l, NULL);
    cr_assert_eq(lml_param_grid_num_maps(g), 2);
    char *s0 = lml_param_grid_map_string(g, 0, NULL), *s1 = lml_param_grid_map_string(g, 1, NULL), w[512];
    snprintf(w, sizeof w, "{%s.regParam: 0.25, %s.family: binomial}", p.lr_uid, p.lr_uid);
    cr_assert_str_eq(s0, w);
    snprintf(w, sizeof w, "{%s.maxIter: 7, %s.handleInvalid: keep, %s.fitIntercept: false}", p.lr_uid, p.si_uid,
             p.lr_uid);
    cr_assert_str_eq(s1, w);
    free(s0);
    free(s1);
    size_t n;
    const double *am = lml_tuning_model_metrics(l, &n, NULL), *sd = lml_tuning_model_std_metrics(l, NULL, NULL);
    cr_assert(n == 2 && am[0] == 0.8125 && am[1] == 0.71875 && sd && sd[0] == 0.0625 && sd[1] == 0.125);
    cr_assert_eq(lml_tuning_model_best_index(l, NULL), 0, "areaUnderROC: larger is better");
    assert_same_predictions(best, l, df);
    /* saved again by lakeml, it is the Scala layout with the Scala class name */
    const char *d2;
    lml_stage *l2 = ps_roundtrip(l, &d2);
    cr_assert_str_eq(class_of(d2), "org.apache.spark.ml.tuning.CrossValidatorModel");
    assert_grids_equal(g, lml_tuning_grid(l2, NULL));
    char *line = ps_meta_line(d2);
    snprintf(w, sizeof w, "{\"parent\":\"%s\",\"name\":\"handleInvalid\",\"value\":\"\\\"keep\\\"\",\"isJson\":\"true\"}",
             p.si_uid);
    cr_assert_not_null(strstr(line, w), "%s", line);
    free(line);
    lml_stage_free(l2);
    lml_stage_free(l);
    lml_stage_free(best);
    lml_stage_free(p.pipe);
    lml_stage_free(p.eval);
    lml_param_grid_free(p.grid);
    lml_frame_free(df);
}

/* ---- hostile metadata: a saved CrossValidator whose metadata line is edited */

static lml_stage *cv_lr(char *lr_uid, size_t cap)
{
    lml_error err = {0};
    lml_stage *lr = lml_logistic_regression_new();
    snprintf(lr_uid, cap, "%s", lml_stage_uid(lr));
    lml_param_grid *g = lml_param_grid_new();
    cr_assert(lml_param_grid_add_double(g, lr, "regParam", (double[]){0.1, 1.0}, 2, &err), "%s", err.message);
    lml_stage *cv = lml_cross_validator_new(lr, g, lml_binary_classification_evaluator_new(), &err);
    cr_assert_not_null(cv, "%s", err.message);
    return cv;
}

/* Saves a CV, replaces `from` by `to` in its metadata line (which must occur), loads it; the load
 * must fail with `code` and a message holding each of the NULL-terminated `needles`. */
static void expect_load_error(const char *from, const char *to, lml_errcode code, const char *const *needles)
{
    char lr_uid[64], f[256], t[256];
    lml_stage *cv = cv_lr(lr_uid, sizeof lr_uid);
    const char *dir;
    lml_stage *ok = ps_roundtrip(cv, &dir);
    lml_stage_free(ok);
    snprintf(f, sizeof f, from, lr_uid);
    snprintf(t, sizeof t, to, lr_uid);
    char *line = ps_meta_line(dir), *hit = strstr(line, f);
    cr_assert_not_null(hit, "'%s' not in %s", f, line);
    char *edited = malloc(strlen(line) + strlen(t) + 2);
    sprintf(edited, "%.*s%s%s\n", (int)(hit - line), line, t, hit + strlen(f));
    ps_write(path_in(dir, "metadata/part-00000"), edited);
    lml_error err = {0};
    cr_assert_null(lml_load(dir, &err), "loaded despite %s", t);
    cr_assert_eq(err.code, code, "code %d: %s", err.code, err.message);
    for (const char *const *n = needles; *n; n++)
        cr_assert_not_null(strstr(err.message, *n), "'%s' not in: %s", *n, err.message);
    cr_assert_not_null(strstr(err.message, dir), "the path is named: %s", err.message);
    free(edited);
    free(line);
    lml_stage_free(cv);
}

Test(persist_tuning, hostile_parent_uid_not_found)
{
    expect_load_error("\"parent\":\"%s\",\"name\":\"regParam\",\"value\":\"1.0\"",
                      "\"parent\":\"logreg_000000000000\",\"name\":\"regParam\",\"value\":\"1.0\"", LML_EFORMAT,
                      (const char *[]){"metadata", "estimatorParamMaps[1][0]", "logreg_000000000000", "regParam", NULL});
}

Test(persist_tuning, hostile_estimator_param_maps_not_an_array)
{
    expect_load_error("\"estimatorParamMaps\":[", "\"estimatorParamMaps\":\"oops\",\"x\":[", LML_EFORMAT,
                      (const char *[]){"metadata", "estimatorParamMaps", "must be an array", NULL});
}

Test(persist_tuning, hostile_value_of_the_wrong_type)
{
    expect_load_error("\"value\":\"0.1\"", "\"value\":\"\\\"abc\\\"\"", LML_EFORMAT,
                      (const char *[]){"metadata", "estimatorParamMaps[0][0]", "regParam", "a double", "\"abc\"", NULL});
}

Test(persist_tuning, hostile_value_not_json_in_the_scala_variant)
{
    expect_load_error("\"value\":\"0.1\"", "\"value\":0.1", LML_EFORMAT,
                      (const char *[]){"estimatorParamMaps[0][0].value", "string holding JSON", NULL});
}

Test(persist_tuning, stage_valued_grid_entry_is_refused_naming_the_param)
{
    expect_load_error("\"name\":\"regParam\",\"value\":\"0.1\",\"isJson\":\"true\"",
                      "\"name\":\"regParam\",\"value\":\"\\\"epm_regParam0\\\"\",\"isJson\":\"false\"",
                      LML_EUNSUPPORTED, (const char *[]){"regParam", "epm_regParam0", "holds a stage", NULL});
}

Test(persist_tuning, hostile_missing_estimator_directory)
{
    char lr_uid[64], cmd[700];
    lml_stage *cv = cv_lr(lr_uid, sizeof lr_uid);
    const char *dir;
    lml_stage_free(ps_roundtrip(cv, &dir));
    snprintf(cmd, sizeof cmd, "rm -rf '%s/estimator'", dir);
    cr_assert_eq(system(cmd), 0);
    lml_error err = {0};
    cr_assert_null(lml_load(dir, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND, "%s", err.message);
    cr_assert_not_null(strstr(err.message, "estimator"), "%s", err.message);
    cr_assert_not_null(strstr(err.message, dir), "%s", err.message);
    lml_stage_free(cv);
}

Test(persist_tuning, save_refuses_a_grid_param_outside_the_estimator)
{
    lml_error err = {0};
    lml_stage *lr = lml_logistic_regression_new(), *other = lml_logistic_regression_new();
    lml_param_grid *g = lml_param_grid_new();
    cr_assert(lml_param_grid_add_double(g, other, "regParam", (double[]){0.1}, 1, &err), "%s", err.message);
    lml_stage *cv = lml_cross_validator_new(lr, g, lml_binary_classification_evaluator_new(), &err);
    cr_assert_not_null(cv, "%s", err.message);
    char path[512];
    snprintf(path, sizeof path, "%s/cv", lml_test_temp_dir());
    cr_assert_not(lml_save(cv, path, LML_SAVE_ERROR_IF_EXISTS, &err));
    cr_assert_eq(err.code, LML_EINVAL, "%s", err.message);
    cr_assert_not_null(strstr(err.message, lml_stage_uid(other)), "%s", err.message);
    cr_assert_not_null(strstr(err.message, "regParam"), "%s", err.message);
    struct stat st;
    cr_assert_neq(stat(path, &st), 0, "nothing left at the path");
    lml_stage_free(cv);
    lml_stage_free(other);
}

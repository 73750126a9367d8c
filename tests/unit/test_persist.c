/* lml_save / lml_load round trips (spec/spark-ml-format.md): every covered stage transforms a
 * frame bit-identically after loading, with identical params; the saved files are checked
 * independently of the loader (metadata JSON with cJSON, data schemas with lml_parquet_open). */
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

static uint64_t rng = 88172645463325252ull;
static double urand(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* n rows of d features (every third feature mostly zero) and labels in K classes. */
static lml_frame *synth(size_t n, size_t d, size_t K)
{
    double *X = calloc(n * d, sizeof *X), *y = calloc(n, sizeof *y);
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < d; j++) {
            X[i * d + j] = j % 3 == 2 && urand() < 0.8 ? 0.0 : (urand() - 0.4) * (double)(j + 1);
            s += X[i * d + j] * (j % 2 ? -0.6 : 0.4);
        }
        s += urand() - 0.5;
        double c = floor((s + 1.5) / 3.0 * (double)K);
        y[i] = c < 0 ? 0 : c >= (double)K ? (double)K - 1 : c;
    }
    lml_error err = {0};
    lml_column *c[2] = {lml_column_vector_from_dense(X, n, d, &err), lml_column_from_doubles(y, NULL, n, &err)};
    lml_frame *f = lml_frame_new(2, (const char *[]){"features", "label"}, c, &err);
    cr_assert_not_null(f, "%s", err.message);
    lml_column_free(c[0]), lml_column_free(c[1]);
    free(X), free(y);
    return f;
}

static lml_stage *fit_lr(const lml_frame *df, const char *family, double reg)
{
    lml_error err = {0};
    lml_stage *lr = lml_logistic_regression_new();
    cr_assert(lml_set_string(lr, "family", family, &err));
    cr_assert(lml_set_double(lr, "regParam", reg, &err));
    cr_assert(lml_set_int(lr, "maxIter", 50, &err));
    lml_stage *m = lml_fit(lr, df, &err);
    cr_assert_not_null(m, "%s", err.message);
    lml_stage_free(lr);
    return m;
}

static cJSON *meta_json(const char *dir)
{
    char *line = ps_meta_line(dir);
    cJSON *j = cJSON_Parse(line);
    cr_assert_not_null(j, "metadata of %s is not JSON: %s", dir, line);
    free(line);
    return j;
}

static const lml_parquet_field *field(const lml_parquet_file *f, const char *name)
{
    for (size_t i = 0; i < lml_parquet_num_fields(f); i++)
        if (strcmp(lml_parquet_field_at(f, i)->name, name) == 0)
            return lml_parquet_field_at(f, i);
    cr_assert_fail("data file has no field %s", name);
    return NULL;
}

Test(persist, binomial_logistic_regression_round_trip_is_bit_identical)
{
    lml_frame *df = synth(120, 5, 2);
    lml_stage *m = fit_lr(df, "binomial", 0.01);
    ps_assert_roundtrip_transforms(m, df);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(persist, multinomial_logistic_regression_round_trip_and_files)
{
    lml_frame *df = synth(150, 4, 3);
    lml_error err = {0};
    lml_stage *m = fit_lr(df, "multinomial", 0.0);
    cr_assert(lml_set_doubles(m, "thresholds", (double[]){0.5, 0.25, 0.25}, 3, &err), "%s", err.message);
    ps_assert_roundtrip_transforms(m, df);

    const char *dir;
    lml_stage *l = ps_roundtrip(m, &dir);
    size_t r1, c1, r2, c2;
    const double *A = lml_logistic_regression_coefficient_matrix(m, &r1, &c1, &err);
    const double *B = lml_logistic_regression_coefficient_matrix(l, &r2, &c2, &err);
    cr_assert(r1 == 3 && r2 == 3 && c1 == 4 && c2 == 4);
    cr_assert(memcmp(A, B, 12 * sizeof(double)) == 0);
    cr_assert(lml_logistic_regression_is_multinomial(l));

    /* metadata, parsed on its own */
    cJSON *j = meta_json(dir);
    cr_assert_str_eq(cJSON_GetObjectItem(j, "class")->valuestring,
                     "org.apache.spark.ml.classification.LogisticRegressionModel");
    cr_assert_str_eq(cJSON_GetObjectItem(j, "uid")->valuestring, lml_stage_uid(m));
    cr_assert_str_eq(cJSON_GetObjectItem(j, "sparkVersion")->valuestring, "3.5.1");
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(j, "timestamp")));
    cr_assert_gt(cJSON_GetObjectItem(j, "timestamp")->valuedouble, 1.6e12);
    const cJSON *pm = cJSON_GetObjectItem(j, "paramMap"), *dm = cJSON_GetObjectItem(j, "defaultParamMap");
    cr_assert_str_eq(cJSON_GetObjectItem(pm, "family")->valuestring, "multinomial");
    cr_assert_eq(cJSON_GetObjectItem(pm, "maxIter")->valueint, 50);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(pm, "thresholds")), 3);
    cr_assert_null(cJSON_GetObjectItem(pm, "tol"), "unset params are not in paramMap");
    static const char *const defaults[] = {"aggregationDepth", "elasticNetParam", "family", "featuresCol",
        "fitIntercept", "labelCol", "maxBlockSizeInMB", "maxIter", "predictionCol", "probabilityCol",
        "rawPredictionCol", "regParam", "standardization", "threshold", "tol"};
    cr_assert_eq(cJSON_GetArraySize(dm), 15, "Spark 3.5's defaultParamMap of LogisticRegression has 15 entries");
    for (size_t i = 0; i < 15; i++)
        cr_assert_not_null(cJSON_GetObjectItem(dm, defaults[i]), "defaultParamMap.%s", defaults[i]);
    cJSON_Delete(j);
    /* the exact text of doubles: Java style, always with '.' or exponent */
    char *line = ps_meta_line(dir);
    cr_assert_not_null(strstr(line, "\"regParam\":0.0"), "%s", line);
    cr_assert_not_null(strstr(line, "\"tol\":1.0E-6"), "%s", line);
    cr_assert_not_null(strstr(line, "\"thresholds\":[0.5,0.25,0.25]"), "%s", line);
    cr_assert_not_null(strstr(line, "\"maxBlockSizeInMB\":0.0"), "%s", line);
    cr_assert_not_null(strstr(line, "\"aggregationDepth\":2,"), "%s", line);
    cr_assert_null(strchr(line, ' '), "compact JSON: %s", line);
    free(line);

    /* data, read as plain Parquet */
    lml_parquet_file *pf = lml_parquet_open(ps_data_file(dir, "data"), &err);
    cr_assert_not_null(pf, "%s", err.message);
    cr_assert_eq(lml_parquet_num_rows(pf), 1);
    cr_assert_eq(lml_parquet_num_fields(pf), 5);
    cr_assert_eq(field(pf, "numClasses")->type, LML_INT32);
    cr_assert_eq(field(pf, "numFeatures")->type, LML_INT32);
    cr_assert_eq(field(pf, "isMultinomial")->type, LML_BOOL);
    cr_assert_eq(field(pf, "interceptVector")->type, LML_STRUCT);
    cr_assert_eq(field(pf, "coefficientMatrix")->type, LML_STRUCT);
    const char *rm = lml_parquet_metadata_get(pf, "org.apache.spark.sql.parquet.row.metadata");
    cr_assert_not_null(rm);
    cJSON *schema = cJSON_Parse(rm);
    cr_assert_not_null(schema);
    const cJSON *fl = cJSON_GetObjectItem(schema, "fields");
    const cJSON *iv = cJSON_GetArrayItem(fl, 2), *cm = cJSON_GetArrayItem(fl, 3);
    cr_assert_str_eq(cJSON_GetObjectItem(iv, "name")->valuestring, "interceptVector");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(iv, "type"), "class")->valuestring,
                     "org.apache.spark.ml.linalg.VectorUDT");
    cr_assert_str_eq(cJSON_GetObjectItem(cm, "name")->valuestring, "coefficientMatrix");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(cm, "type"), "class")->valuestring,
                     "org.apache.spark.ml.linalg.MatrixUDT");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(cm, "type"), "pyClass")->valuestring,
                     "pyspark.ml.linalg.MatrixUDT");
    cJSON_Delete(schema);
    lml_frame *data = lml_parquet_file_read(pf, NULL, &err);
    cr_assert_not_null(data, "%s", err.message);
    const lml_column *mat = lml_frame_column_by_name(data, "coefficientMatrix", &err);
    cr_assert_eq(lml_column_int8s(lml_column_struct_field(mat, "type"))[0], 1, "a full 3x4 matrix is stored dense");
    cr_assert_eq(lml_column_int32s(lml_column_struct_field(mat, "numRows"))[0], 3);
    cr_assert_eq(lml_column_int32s(lml_column_struct_field(mat, "numCols"))[0], 4);
    cr_assert(lml_column_bool_at(lml_column_struct_field(mat, "isTransposed"), 0), "row-major");
    const lml_column *vals = lml_column_struct_field(mat, "values");
    cr_assert(memcmp(lml_column_doubles(lml_column_child(vals, 0)), A, 12 * sizeof(double)) == 0);
    lml_frame_free(data);
    lml_parquet_close(pf);
    lml_stage_free(l);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(persist, sparse_coefficients_are_saved_compressed_and_read_back)
{
    /* Strong L1 zeroes most coefficients: Spark's compressed() picks a sparse layout. */
    lml_frame *df = synth(200, 30, 2);
    lml_error err = {0};
    lml_stage *lr = lml_logistic_regression_new();
    lml_set_double(lr, "regParam", 0.08, &err);
    lml_set_double(lr, "elasticNetParam", 1.0, &err);
    lml_stage *m = lml_fit(lr, df, &err);
    cr_assert_not_null(m, "%s", err.message);
    const double *beta = lml_logistic_regression_coefficients(m, &err);
    size_t nnz = 0;
    for (size_t j = 0; j < 30; j++)
        nnz += beta[j] != 0;
    /* 1 x 30: CSR (12 nnz + 53 bytes) beats dense (261) and CSC (12 nnz + 169) up to 17 non-zeros. */
    cr_assert(nnz > 0 && nnz <= 17, "the fixture needs a sparse model, got %zu non-zeros", nnz);
    const char *dir;
    lml_stage *l = ps_roundtrip(m, &dir);
    lml_frame *data = lml_parquet_read(ps_data_file(dir, "data"), NULL, &err);
    cr_assert_not_null(data, "%s", err.message);
    const lml_column *mat = lml_frame_column_by_name(data, "coefficientMatrix", &err);
    cr_assert_eq(lml_column_int8s(lml_column_struct_field(mat, "type"))[0], 0, "sparse");
    cr_assert(lml_column_bool_at(lml_column_struct_field(mat, "isTransposed"), 0), "CSR");
    cr_assert_eq(lml_column_offsets(lml_column_struct_field(mat, "colPtrs"))[1], 2, "numRows + 1 row pointers");
    const lml_column *vals = lml_column_struct_field(mat, "values");
    cr_assert_eq(lml_column_offsets(vals)[1], (int32_t)nnz);
    lml_frame_free(data);
    cr_assert(memcmp(lml_logistic_regression_coefficients(l, &err), beta, 30 * sizeof(double)) == 0);
    lml_frame *a = lml_transform(m, df, &err), *b = lml_transform(l, df, &err);
    ps_assert_frames_identical(a, b);
    lml_frame_free(a), lml_frame_free(b);
    lml_stage_free(l), lml_stage_free(m), lml_stage_free(lr);
    lml_frame_free(df);
}

Test(persist, linear_regression_round_trip_and_schema)
{
    lml_frame *df = synth(80, 4, 7);
    lml_error err = {0};
    lml_stage *lr = lml_linear_regression_new();
    cr_assert(lml_set_double(lr, "regParam", 0.1, &err));
    cr_assert(lml_set_string(lr, "loss", "huber", &err), "%s", err.message);
    lml_stage *m = lml_fit(lr, df, &err);
    cr_assert_not_null(m, "%s", err.message);
    ps_assert_roundtrip_transforms(m, df);
    const char *dir;
    lml_stage *l = ps_roundtrip(m, &dir);
    double s1 = lml_linear_regression_scale(m, &err), s2 = lml_linear_regression_scale(l, &err);
    cr_assert(s1 != 1.0 && memcmp(&s1, &s2, 8) == 0, "huber scale %.17g survives", s1);
    lml_parquet_file *pf = lml_parquet_open(ps_data_file(dir, "data"), &err);
    cr_assert_eq(lml_parquet_num_fields(pf), 3);
    cr_assert_eq(field(pf, "intercept")->type, LML_DOUBLE);
    cr_assert_eq(field(pf, "coefficients")->type, LML_STRUCT);
    cr_assert_eq(field(pf, "scale")->type, LML_DOUBLE);
    lml_parquet_close(pf);
    cJSON *j = meta_json(dir);
    cr_assert_str_eq(cJSON_GetObjectItem(j, "class")->valuestring, "org.apache.spark.ml.regression.LinearRegressionModel");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "paramMap"), "loss")->valuestring, "huber");
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "defaultParamMap"), "epsilon")->valuedouble, 1.35);
    cJSON_Delete(j);
    lml_stage_free(l), lml_stage_free(m), lml_stage_free(lr);
    lml_frame_free(df);
}

static lml_stage *titanic_pipeline(void)
{
    lml_error err = {0};
    lml_stage *imp = lml_imputer_new2((const char *[]){"Age", "Fare", NULL}, (const char *[]){"AgeI", "FareI", NULL});
    cr_assert(lml_set_string(imp, "strategy", "median", &err));
    lml_stage *scaler = lml_standard_scaler_new("raw", "scaled");
    cr_assert(lml_set_bool(scaler, "withMean", true, &err));
    lml_stage *lr = lml_logistic_regression_new();
    lml_set_string(lr, "featuresCol", "scaled", &err);
    lml_set_string(lr, "labelCol", "Survived", &err);
    lml_set_double(lr, "regParam", 0.1, &err);
    lml_stage *its = lml_index_to_string_new("SexIdx", "SexAgain");
    lml_stage *stages[] = {
        lml_string_indexer_new2((const char *[]){"Sex", "Pclass", NULL}, (const char *[]){"SexIdx", "PclassIdx", NULL}),
        its,
        lml_one_hot_encoder_new2((const char *[]){"SexIdx", "PclassIdx", NULL},
                                 (const char *[]){"SexVec", "PclassVec", NULL}),
        imp,
        lml_vector_assembler_new((const char *[]){"PclassVec", "SexVec", "AgeI", "FareI", NULL}, "raw"),
        scaler,
        lr,
        NULL};
    lml_stage *p = lml_pipeline_new(stages, &err);
    cr_assert_not_null(p, "%s", err.message);
    return p;
}

Test(persist, pipeline_model_of_every_feature_stage_round_trips)
{
    lml_frame *df = ps_titanic();
    lml_error err = {0};
    lml_stage *p = titanic_pipeline();
    lml_stage *m = lml_fit(p, df, &err);
    cr_assert_not_null(m, "%s", err.message);
    ps_assert_roundtrip_transforms(m, df);

    const char *dir;
    lml_stage *l = ps_roundtrip(m, &dir);
    cJSON *j = meta_json(dir);
    cr_assert_str_eq(cJSON_GetObjectItem(j, "class")->valuestring, "org.apache.spark.ml.PipelineModel");
    const cJSON *uids = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "paramMap"), "stageUids");
    cr_assert_eq(cJSON_GetArraySize(uids), 7);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "defaultParamMap")), 0);
    static const char *const classes[7] = {"feature.StringIndexerModel", "feature.IndexToString",
        "feature.OneHotEncoderModel", "feature.ImputerModel", "feature.VectorAssembler", "feature.StandardScalerModel",
        "classification.LogisticRegressionModel"};
    for (int i = 0; i < 7; i++) {
        const char *uid = cJSON_GetArrayItem(uids, i)->valuestring;
        cr_assert_str_eq(uid, lml_stage_uid(lml_pipeline_stage(m, (size_t)i)));
        char sd[4096], want[200];
        snprintf(sd, sizeof sd, "%s/stages/%d_%s", dir, i, uid);
        cJSON *sj = meta_json(sd);
        snprintf(want, sizeof want, "org.apache.spark.ml.%s", classes[i]);
        cr_assert_str_eq(cJSON_GetObjectItem(sj, "class")->valuestring, want);
        char dd[4200];
        snprintf(dd, sizeof dd, "%s/data", sd);
        struct stat st;
        bool has_data = i != 1 && i != 4;
        cr_assert_eq(stat(dd, &st) == 0, has_data, "%s: data/ only for models with learned data", sd);
        cJSON_Delete(sj);
    }
    cJSON_Delete(j);

    /* the data tables of the feature models, read as plain Parquet */
    char sd[4096];
    snprintf(sd, sizeof sd, "%s/stages/0_%s", dir, lml_stage_uid(lml_pipeline_stage(m, 0)));
    lml_frame *si = lml_parquet_read(ps_data_file(sd, "data"), NULL, &err);
    cr_assert_not_null(si, "%s", err.message);
    const lml_column *la = lml_frame_column_by_name(si, "labelsArray", &err);
    cr_assert_eq(lml_column_type(la), LML_LIST);
    const lml_column *inner = lml_column_child(la, 0), *strs = lml_column_child(inner, 0);
    cr_assert_eq(lml_column_offsets(la)[1], 2, "two input columns");
    cr_assert_eq(lml_column_offsets(inner)[1], 2, "Sex has 2 labels");
    cr_assert_eq(lml_column_offsets(inner)[2], 5, "Pclass has 3 labels");
    size_t len;
    const char *s0 = lml_column_string_at(strs, 0, &len);
    cr_assert(len == 4 && memcmp(s0, "male", 4) == 0, "frequencyDesc: 5 male, 3 female");
    s0 = lml_column_string_at(strs, 2, &len);
    cr_assert(len == 1 && s0[0] == '3', "Pclass 3 is the most frequent");
    lml_frame_free(si);
    snprintf(sd, sizeof sd, "%s/stages/2_%s", dir, lml_stage_uid(lml_pipeline_stage(m, 2)));
    lml_frame *oh = lml_parquet_read(ps_data_file(sd, "data"), NULL, &err);
    const lml_column *cs = lml_frame_column_by_name(oh, "categorySizes", &err);
    cr_assert_eq(lml_column_int32s(lml_column_child(cs, 0))[0], 2);
    cr_assert_eq(lml_column_int32s(lml_column_child(cs, 0))[1], 3);
    lml_frame_free(oh);
    snprintf(sd, sizeof sd, "%s/stages/3_%s", dir, lml_stage_uid(lml_pipeline_stage(m, 3)));
    lml_frame *im = lml_parquet_read(ps_data_file(sd, "data"), NULL, &err);
    cr_assert_eq(lml_frame_num_cols(im), 2);
    cr_assert_eq(lml_column_doubles(lml_frame_column_by_name(im, "Age", &err))[0], 27.0, "median of the 7 known ages");
    cr_assert_not_null(lml_frame_column_by_name(im, "Fare", &err));
    lml_frame_free(im);
    snprintf(sd, sizeof sd, "%s/stages/5_%s", dir, lml_stage_uid(lml_pipeline_stage(m, 5)));
    lml_parquet_file *pf = lml_parquet_open(ps_data_file(sd, "data"), &err);
    cr_assert_eq(lml_parquet_num_fields(pf), 2);
    cr_assert_str_eq(lml_parquet_field_at(pf, 0)->name, "std");
    cr_assert_str_eq(lml_parquet_field_at(pf, 1)->name, "mean");
    cr_assert_not_null(strstr(lml_parquet_metadata_get(pf, "org.apache.spark.sql.parquet.row.metadata"), "VectorUDT"));
    lml_parquet_close(pf);

    lml_stage_free(l), lml_stage_free(m), lml_stage_free(p);
    lml_frame_free(df);
}

Test(persist, unfitted_pipeline_round_trips_and_fits_the_same)
{
    lml_frame *df = ps_titanic();
    lml_error err = {0};
    lml_stage *p = titanic_pipeline();
    const char *dir;
    lml_stage *l = ps_roundtrip(p, &dir);
    ps_assert_params_identical(p, l);
    cJSON *j = meta_json(dir);
    cr_assert_str_eq(cJSON_GetObjectItem(j, "class")->valuestring, "org.apache.spark.ml.Pipeline");
    cJSON_Delete(j);
    char sd[4096];
    snprintf(sd, sizeof sd, "%s/stages/6_%s", dir, lml_stage_uid(lml_pipeline_stage(p, 6)));
    j = meta_json(sd);
    cr_assert_str_eq(cJSON_GetObjectItem(j, "class")->valuestring, "org.apache.spark.ml.classification.LogisticRegression");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "paramMap"), "labelCol")->valuestring, "Survived");
    cJSON_Delete(j);
    snprintf(sd, sizeof sd, "%s/stages/0_%s", dir, lml_stage_uid(lml_pipeline_stage(p, 0)));
    j = meta_json(sd);
    char want[200];
    snprintf(want, sizeof want, "%s__output", lml_stage_uid(lml_pipeline_stage(p, 0)));
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "defaultParamMap"), "outputCol")->valuestring, want,
                     "Spark's HasOutputCol default");
    cJSON_Delete(j);
    lml_stage *m1 = lml_fit(p, df, &err), *m2 = lml_fit(l, df, &err);
    cr_assert(m1 && m2, "%s", err.message);
    lml_frame *a = lml_transform(m1, df, &err), *b = lml_transform(m2, df, &err);
    ps_assert_frames_identical(a, b);
    lml_frame_free(a), lml_frame_free(b);
    lml_stage_free(m1), lml_stage_free(m2), lml_stage_free(l), lml_stage_free(p);
    lml_frame_free(df);
}

Test(persist, pipeline_with_ten_stages_pads_the_index)
{
    lml_error err = {0};
    lml_stage *st[11];
    for (int i = 0; i < 10; i++) {
        char in[8], out[8];
        snprintf(in, sizeof in, "c%d", i);
        snprintf(out, sizeof out, "c%d", i + 1);
        st[i] = lml_vector_assembler_new((const char *[]){in, NULL}, out);
    }
    st[10] = NULL;
    lml_stage *p = lml_pipeline_new(st, &err);
    cr_assert_not_null(p, "%s", err.message);
    const char *dir;
    lml_stage *l = ps_roundtrip(p, &dir);
    ps_assert_params_identical(p, l);
    char sd[4096];
    struct stat s;
    snprintf(sd, sizeof sd, "%s/stages/00_%s/metadata/part-00000", dir, lml_stage_uid(lml_pipeline_stage(p, 0)));
    cr_assert_eq(stat(sd, &s), 0, "%s", sd);
    snprintf(sd, sizeof sd, "%s/stages/09_%s/metadata/part-00000", dir, lml_stage_uid(lml_pipeline_stage(p, 9)));
    cr_assert_eq(stat(sd, &s), 0, "%s", sd);
    lml_stage_free(l), lml_stage_free(p);
}

Test(persist, evaluators_and_estimators_save_their_params)
{
    lml_error err = {0};
    lml_stage *ev[3] = {lml_binary_classification_evaluator_new(), lml_multiclass_classification_evaluator_new(),
                        lml_regression_evaluator_new()};
    cr_assert(lml_set_string(ev[0], "metricName", "areaUnderPR", &err));
    cr_assert(lml_set_string(ev[1], "metricName", "accuracy", &err));
    cr_assert(lml_set_string(ev[2], "metricName", "mae", &err));
    cr_assert(lml_set_string(ev[2], "labelCol", "y", &err));
    for (int i = 0; i < 3; i++) {
        const char *dir;
        lml_stage *l = ps_roundtrip(ev[i], &dir);
        ps_assert_params_identical(ev[i], l);
        cJSON *j = meta_json(dir);
        cr_assert_not_null(strstr(cJSON_GetObjectItem(j, "class")->valuestring, "org.apache.spark.ml.evaluation."));
        cJSON_Delete(j);
        lml_stage_free(l);
        lml_stage_free(ev[i]);
    }
    lml_stage *est[] = {lml_string_indexer_new("a", "b"), lml_one_hot_encoder_new("b", "c"),
                        lml_standard_scaler_new("v", "w"), lml_imputer_new("x", "y"), lml_linear_regression_new()};
    lml_set_string(est[0], "handleInvalid", "keep", &err);
    lml_set_double(est[3], "missingValue", -1.0, &err);
    lml_set_double(est[4], "tol", 1e-9, &err);
    for (size_t i = 0; i < sizeof est / sizeof est[0]; i++) {
        const char *dir;
        lml_stage *l = ps_roundtrip(est[i], &dir);
        ps_assert_params_identical(est[i], l);
        struct stat s;
        char dd[4200];
        snprintf(dd, sizeof dd, "%s/data", dir);
        cr_assert_neq(stat(dd, &s), 0, "an unfitted estimator has no data/");
        lml_stage_free(l);
        lml_stage_free(est[i]);
    }
}

Test(persist, nan_and_infinite_doubles_are_strings)
{
    lml_error err = {0};
    lml_stage *imp = lml_imputer_new("x", "y"); /* missingValue defaults to NaN */
    lml_stage *lr = lml_logistic_regression_new();
    const char *dir;
    lml_stage *l = ps_roundtrip(imp, &dir);
    char *line = ps_meta_line(dir);
    cr_assert_not_null(strstr(line, "\"missingValue\":\"NaN\""), "%s", line);
    free(line);
    ps_assert_params_identical(imp, l);
    lml_stage_free(l);
    cr_assert(lml_set_double(imp, "missingValue", -INFINITY, &err));
    l = ps_roundtrip(imp, &dir);
    line = ps_meta_line(dir);
    cr_assert_not_null(strstr(line, "\"paramMap\":{\"inputCol\":\"x\",\"outputCol\":\"y\",\"missingValue\":\"-Inf\"}"),
                       "%s", line);
    free(line);
    ps_assert_params_identical(imp, l);
    lml_stage_free(l), lml_stage_free(imp), lml_stage_free(lr);
}

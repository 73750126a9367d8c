/* lml_save modes and atomicity, and lml_load on hostile or old directories: truncated or wrong
 * metadata, unknown classes and params, missing or lying data, Spark 2.x layouts (spec §8) and
 * Spark 4's metadata file name. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lakeml/lakeml.h"
#include "persist_support.h"
#include "support.h"
#include "toy_stage.h"

static lml_stage *small_lr_model(double shift)
{
    lml_error err = {0};
    double X[] = {0, 1, 1, 0, 2, 2, 3, 1, 0.5, 0.2, 4, 3, 1, 1, 2.5, 0};
    double y[] = {0, 0, 1, 0, 0, 1, 1, 1};
    for (int i = 0; i < 16; i++)
        X[i] += shift;
    lml_column *c[2] = {lml_column_vector_from_dense(X, 8, 2, &err), lml_column_from_doubles(y, NULL, 8, &err)};
    lml_frame *f = lml_frame_new(2, (const char *[]){"features", "label"}, c, &err);
    lml_column_free(c[0]), lml_column_free(c[1]);
    lml_stage *lr = lml_logistic_regression_new();
    lml_set_double(lr, "regParam", 0.1, &err);
    lml_stage *m = lml_fit(lr, f, &err);
    cr_assert_not_null(m, "%s", err.message);
    lml_stage_free(lr);
    lml_frame_free(f);
    return m;
}

static char *path_in(const char *dir, const char *name)
{
    static char p[4][8192];
    static int slot;
    char tmp[8192];
    snprintf(tmp, sizeof tmp, "%.4000s/%.4000s", dir, name);
    char *out = p[slot++ % 4];
    memcpy(out, tmp, sizeof tmp);
    return out;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

Test(persist_errors, default_mode_refuses_and_overwrite_replaces)
{
    lml_error err = {0};
    const char *base = lml_test_temp_dir();
    const char *path = path_in(base, "m");
    lml_stage *a = small_lr_model(0), *b = small_lr_model(1);
    cr_assert(lml_save(a, path, LML_SAVE_ERROR_IF_EXISTS, &err), "%s", err.message);
    cr_assert_not(lml_save(b, path, LML_SAVE_ERROR_IF_EXISTS, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_not_null(strstr(err.message, "path already exists"), "%s", err.message);
    cr_assert_not_null(strstr(err.message, path), "%s", err.message);
    lml_stage *l = lml_load(path, &err);
    cr_assert_str_eq(lml_stage_uid(l), lml_stage_uid(a), "the refused save left the old model");
    lml_stage_free(l);
    cr_assert(lml_save(b, path, LML_SAVE_OVERWRITE, &err), "%s", err.message);
    l = lml_load(path, &err);
    cr_assert_not_null(l, "%s", err.message);
    cr_assert_str_eq(lml_stage_uid(l), lml_stage_uid(b));
    ps_assert_params_identical(b, l);
    cr_assert(memcmp(lml_logistic_regression_coefficients(l, &err), lml_logistic_regression_coefficients(b, &err),
                     2 * sizeof(double)) == 0);
    lml_stage_free(l);
    cr_assert_eq(count_entries(base), 1, "no temporary or old directory is left beside the model");
    /* overwrite onto a path that does not exist yet also works */
    cr_assert(lml_save(a, path_in(base, "fresh"), LML_SAVE_OVERWRITE, &err), "%s", err.message);
    cr_assert_eq(count_entries(base), 2);
    lml_stage_free(a), lml_stage_free(b);
}

Test(persist_errors, failed_save_leaves_nothing)
{
    lml_error err = {0};
    const char *base = lml_test_temp_dir();
    lml_stage *a = small_lr_model(0);
    cr_assert_not(lml_save(a, path_in(base, "no/such/dir/m"), LML_SAVE_OVERWRITE, &err));
    cr_assert_eq(err.code, LML_EIO, "%s", err.message);
    cr_assert_eq(count_entries(base), 0);
    cr_assert_not(lml_save(NULL, path_in(base, "m"), LML_SAVE_OVERWRITE, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_null(lml_load(NULL, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    lml_stage_free(a);
}

static const char *saved_model(void)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/m", lml_test_temp_dir());
    lml_error err = {0};
    lml_stage *a = small_lr_model(0);
    cr_assert(lml_save(a, path, LML_SAVE_ERROR_IF_EXISTS, &err), "%s", err.message);
    lml_stage_free(a);
    return path;
}

static void replace_meta(const char *dir, const char *text) { ps_write(path_in(dir, "metadata/part-00000"), text); }

Test(persist_errors, truncated_metadata_is_a_format_error_naming_the_file)
{
    const char *dir = saved_model();
    char *line = ps_meta_line(dir);
    line[strlen(line) / 2] = '\0';
    replace_meta(dir, line);
    free(line);
    lml_error err = {0};
    cr_assert_null(lml_load(dir, &err));
    cr_assert_eq(err.code, LML_EFORMAT, "%s", err.message);
    cr_assert_not_null(strstr(err.message, "metadata/part-00000"), "%s", err.message);
    replace_meta(dir, "");
    cr_assert_null(lml_load(dir, &err));
    cr_assert_eq(err.code, LML_EFORMAT, "%s", err.message);
    replace_meta(dir, "[1,2]\n");
    cr_assert_null(lml_load(dir, &err));
    cr_assert_eq(err.code, LML_EFORMAT, "%s", err.message);
}

Test(persist_errors, missing_or_mistyped_keys_name_the_field)
{
    const char *dir = saved_model();
    lml_error err = {0};
    replace_meta(dir, "{\"class\":\"org.apache.spark.ml.feature.VectorAssembler\",\"sparkVersion\":\"3.5.1\","
                      "\"paramMap\":{},\"defaultParamMap\":{}}\n");
    cr_assert_null(lml_load(dir, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert_not_null(strstr(err.message, "'uid'"), "%s", err.message);
    replace_meta(dir, "{\"class\":\"org.apache.spark.ml.feature.VectorAssembler\",\"sparkVersion\":\"three\","
                      "\"uid\":\"u\",\"paramMap\":{},\"defaultParamMap\":{}}\n");
    cr_assert_null(lml_load(dir, &err));
    cr_assert_not_null(strstr(err.message, "sparkVersion"), "%s", err.message);
    replace_meta(dir, "{\"class\":\"org.apache.spark.ml.feature.VectorAssembler\",\"sparkVersion\":\"3.5.1\","
                      "\"uid\":\"u\",\"paramMap\":{}}\n");
    cr_assert_null(lml_load(dir, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert_not_null(strstr(err.message, "defaultParamMap"), "3.x requires defaultParamMap: %s", err.message);
    replace_meta(dir, "{\"class\":\"org.apache.spark.ml.feature.VectorAssembler\",\"sparkVersion\":\"3.5.1\","
                      "\"uid\":\"u\",\"paramMap\":{\"handleInvalid\":3},\"defaultParamMap\":{}}\n");
    cr_assert_null(lml_load(dir, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert_not_null(strstr(err.message, "paramMap.handleInvalid: expected a string, got 3"), "%s", err.message);
    replace_meta(dir, "{\"class\":\"org.apache.spark.ml.classification.LogisticRegression\",\"sparkVersion\":\"3.5.1\","
                      "\"uid\":\"u\",\"paramMap\":{\"regParam\":-1.0},\"defaultParamMap\":{}}\n");
    cr_assert_null(lml_load(dir, &err));
    cr_assert_not_null(strstr(err.message, "regParam"), "a value out of range names the param: %s", err.message);
}

Test(persist_errors, unknown_class_and_unknown_param)
{
    const char *dir = saved_model();
    lml_error err = {0};
    replace_meta(dir, "{\"class\":\"org.apache.spark.ml.feature.Word2VecModel\",\"timestamp\":1,\"sparkVersion\":\"3.5.1\","
                      "\"uid\":\"w2v\",\"paramMap\":{},\"defaultParamMap\":{}}\n");
    cr_assert_null(lml_load(dir, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
    cr_assert_not_null(strstr(err.message, "org.apache.spark.ml.feature.Word2VecModel"), "%s", err.message);
    cr_assert_not_null(strstr(err.message, "'class'"), "%s", err.message);
    replace_meta(dir, "{\"class\":\"org.apache.spark.ml.feature.VectorAssembler\",\"timestamp\":1,\"sparkVersion\":"
                      "\"3.5.1\",\"uid\":\"va\",\"paramMap\":{\"bogusParam\":1},\"defaultParamMap\":{}}\n");
    cr_assert_null(lml_load(dir, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_not_null(strstr(err.message, "paramMap.bogusParam"), "%s", err.message);
    cr_assert_not_null(strstr(err.message, "metadata/part-00000"), "%s", err.message);
}

Test(persist_errors, missing_metadata_or_data_is_not_found)
{
    const char *dir = saved_model();
    lml_error err = {0};
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "rm -r '%s/data'", dir);
    cr_assert_eq(system(cmd), 0);
    cr_assert_null(lml_load(dir, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND, "%s", err.message);
    cr_assert_not_null(strstr(err.message, "/data"), "%s", err.message);
    snprintf(cmd, sizeof cmd, "rm '%s/metadata/part-00000'", dir);
    cr_assert_eq(system(cmd), 0);
    cr_assert_null(lml_load(dir, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND, "%s", err.message);
    cr_assert_null(lml_load(path_in(lml_test_temp_dir(), "nothing"), &err));
    cr_assert_eq(err.code, LML_ENOTFOUND, "%s", err.message);
}

Test(persist_errors, garbage_data_file_is_a_format_error)
{
    const char *dir = saved_model();
    ps_write(ps_data_file(dir, "data"), "PAR1 this is not parquet at all PAR1");
    lml_error err = {0};
    cr_assert_null(lml_load(dir, &err));
    cr_assert_eq(err.code, LML_EFORMAT, "%s", err.message);
}

/* Writes a one-row data table from columns. */
static void write_data(const char *dir, size_t n, const char *const *names, lml_column *const *cols)
{
    lml_error err = {0};
    char d[8192];
    snprintf(d, sizeof d, "%.4000s/data", dir);
    mkdir(d, 0755);
    lml_frame *f = lml_frame_new(n, names, cols, &err);
    cr_assert_not_null(f, "%s", err.message);
    cr_assert(lml_parquet_write(f, path_in(d, "part-00000.parquet"), NULL, &err), "%s", err.message);
    lml_frame_free(f);
    for (size_t i = 0; i < n; i++)
        lml_column_free(cols[i]);
}

static lml_column *int_col(int32_t v) { return lml_column_from_int32s(&v, NULL, 1, NULL); }

Test(persist_errors, lying_model_data_is_rejected)
{
    const char *dir = saved_model();
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "rm -r '%s/data'", dir);
    cr_assert_eq(system(cmd), 0);
    /* numFeatures 5 but the vector columns are a 1 x 2 dense matrix given as a plain vector */
    lml_error err = {0};
    lml_column *bc = NULL;
    lml_column_builder *b = lml_column_builder_new(LML_BOOL, 1, &err);
    lml_column_builder_append_bool(b, false, &err);
    bc = lml_column_builder_finish(b, &err);
    double iv = 0.5, cm[2] = {1, 2};
    write_data(dir, 5, (const char *[]){"numClasses", "numFeatures", "interceptVector", "coefficientMatrix", "isMultinomial"},
               (lml_column *[]){int_col(2), int_col(5), lml_column_vector_from_dense(&iv, 1, 1, &err),
                                lml_column_vector_from_dense(cm, 1, 2, &err), bc});
    cr_assert_null(lml_load(dir, &err));
    cr_assert_eq(err.code, LML_EFORMAT, "%s", err.message);
    cr_assert_not_null(strstr(err.message, "coefficientMatrix"), "%s", err.message);
    cr_assert_not_null(strstr(err.message, "Matrix"), "%s", err.message);
}

Test(persist_errors, wrong_column_types_are_rejected)
{
    const char *dir = saved_model();
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "rm -r '%s/data'", dir);
    cr_assert_eq(system(cmd), 0);
    int64_t two = 2;
    lml_error err = {0};
    write_data(dir, 1, (const char *[]){"numClasses"}, (lml_column *[]){lml_column_from_int64s(&two, NULL, 1, &err)});
    cr_assert_null(lml_load(dir, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert_not_null(strstr(err.message, "'numClasses' must be integer (int32), got"), "%s", err.message);
}

Test(persist_errors, spark2_string_indexer_labels_column)
{
    /* The verified 2.4.4 fixture of spec §4.3, rebuilt: metadata as Spark wrote it, data `labels`. */
    const char *dir = path_in(lml_test_temp_dir(), "strIndexerModel");
    mkdir(dir, 0755);
    mkdir(path_in(dir, "metadata"), 0755);
    replace_meta(dir, "{\"class\":\"org.apache.spark.ml.feature.StringIndexerModel\",\"timestamp\":1577831053235,"
                      "\"sparkVersion\":\"2.4.4\",\"uid\":\"myStringIndexerModel\",\"paramMap\":{\"inputCol\":"
                      "\"myInputCol\",\"outputCol\":\"myOutputCol\",\"handleInvalid\":\"skip\"},\"defaultParamMap\":"
                      "{\"outputCol\":\"myStringIndexerModel__output\",\"handleInvalid\":\"error\"}}\n");
    lml_error err = {0};
    lml_column *s = lml_column_from_strings((const char *[]){"b", "c", "a"}, 3, &err);
    int32_t off[2] = {0, 3};
    lml_column *l = lml_column_list_new(off, NULL, 1, s, &err);
    lml_column_free(s);
    write_data(dir, 1, (const char *[]){"labels"}, (lml_column *[]){l});
    lml_stage *m = lml_load(dir, &err);
    cr_assert_not_null(m, "%s", err.message);
    cr_assert_str_eq(lml_stage_uid(m), "myStringIndexerModel");
    cr_assert_str_eq(lml_get_string(m, "handleInvalid", &err), "skip");
    cr_assert_not(lml_is_set(m, "stringOrderType"));
    size_t n;
    const char *const *labels = lml_string_indexer_model_labels(m, 0, &n, &err);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(labels[0], "b");
    cr_assert_str_eq(labels[2], "a");
    lml_column *in = lml_column_from_strings((const char *[]){"a", "b", "z", "c"}, 4, &err);
    lml_frame *f = lml_frame_new(1, (const char *[]){"myInputCol"}, &in, &err);
    lml_column_free(in);
    lml_frame *out = lml_transform(m, f, &err);
    cr_assert_not_null(out, "%s", err.message);
    const lml_column *o = lml_frame_column_by_name(out, "myOutputCol", &err);
    cr_assert_eq(lml_column_length(o), 3, "skip drops the unseen 'z'");
    cr_assert_eq(lml_column_doubles(o)[0], 2.0);
    cr_assert_eq(lml_column_doubles(o)[1], 0.0);
    cr_assert_eq(lml_column_doubles(o)[2], 1.0);
    lml_frame_free(out), lml_frame_free(f), lml_stage_free(m);
}

Test(persist_errors, spark22_linear_regression_has_no_scale_and_spark20_logreg_old_layout)
{
    lml_error err = {0};
    const char *dir = path_in(lml_test_temp_dir(), "linReg");
    mkdir(dir, 0755);
    mkdir(path_in(dir, "metadata"), 0755);
    replace_meta(dir, "{\"class\":\"org.apache.spark.ml.regression.LinearRegressionModel\",\"timestamp\":1,"
                      "\"sparkVersion\":\"2.2.0\",\"uid\":\"linReg_1\",\"paramMap\":{\"regParam\":0.3}}\n");
    double icpt = 1.5, coef[3] = {2, 0, -1};
    write_data(dir, 2, (const char *[]){"intercept", "coefficients"},
               (lml_column *[]){lml_column_from_doubles(&icpt, NULL, 1, &err), lml_column_vector_from_dense(coef, 1, 3, &err)});
    lml_stage *m = lml_load(dir, &err);
    cr_assert_not_null(m, "%s", err.message);
    cr_assert_eq(lml_linear_regression_intercept(m, &err), 1.5);
    cr_assert_eq(lml_linear_regression_scale(m, &err), 1.0);
    cr_assert_eq(lml_linear_regression_predict(m, (double[]){1, 5, 2}, &err), 1.5);
    double rp;
    cr_assert(lml_get_double(m, "regParam", &rp, &err));
    cr_assert_eq(rp, 0.3);
    lml_stage_free(m);

    dir = path_in(lml_test_temp_dir(), "logreg");
    mkdir(dir, 0755);
    mkdir(path_in(dir, "metadata"), 0755);
    replace_meta(dir, "{\"class\":\"org.apache.spark.ml.classification.LogisticRegressionModel\",\"timestamp\":1,"
                      "\"sparkVersion\":\"2.0.2\",\"uid\":\"logreg_1\",\"paramMap\":{}}\n");
    write_data(dir, 4, (const char *[]){"numClasses", "numFeatures", "intercept", "coefficients"},
               (lml_column *[]){int_col(2), int_col(3), lml_column_from_doubles(&icpt, NULL, 1, &err),
                                lml_column_vector_from_dense(coef, 1, 3, &err)});
    m = lml_load(dir, &err);
    cr_assert_not_null(m, "%s", err.message);
    cr_assert_not(lml_logistic_regression_is_multinomial(m));
    cr_assert_eq(lml_logistic_regression_intercept(m, &err), 1.5);
    cr_assert_eq(lml_logistic_regression_coefficients(m, &err)[2], -1.0);
    lml_stage_free(m);
}

Test(persist_errors, spark4_metadata_file_name_and_crc_files_are_accepted)
{
    const char *dir = saved_model();
    char from[8400], to[8400];
    snprintf(from, sizeof from, "%s/metadata/part-00000", dir);
    snprintf(to, sizeof to, "%s/metadata/part-00000-3f1c2b9e-1a2b-4c3d-9e8f-0123456789ab-c000.txt", dir);
    cr_assert_eq(rename(from, to), 0);
    ps_write(path_in(dir, "metadata/.part-00000.crc"), "garbage that must be ignored");
    ps_write(path_in(dir, "data/.part-00000.crc"), "garbage");
    lml_error err = {0};
    lml_stage *m = lml_load(dir, &err);
    cr_assert_not_null(m, "%s", err.message);
    cr_assert_str_eq(lml_stage_class(m), "org.apache.spark.ml.classification.LogisticRegressionModel");
    lml_stage_free(m);
}

Test(persist_errors, pipeline_stage_directory_must_match_its_uid)
{
    lml_error err = {0};
    lml_stage *p = lml_pipeline_new((lml_stage *[]){lml_vector_assembler_new((const char *[]){"a", NULL}, "v"), NULL}, &err);
    const char *dir;
    lml_stage *l = ps_roundtrip(p, &dir);
    lml_stage_free(l);
    char from[8400], to[8400];
    snprintf(from, sizeof from, "%s/stages/0_%s", dir, lml_stage_uid(lml_pipeline_stage(p, 0)));
    snprintf(to, sizeof to, "%s/stages/0_other", dir);
    cr_assert_eq(rename(from, to), 0);
    cr_assert_null(lml_load(dir, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND, "%s", err.message);
    cr_assert_eq(rename(to, from), 0);
    replace_meta(dir, "{\"class\":\"org.apache.spark.ml.Pipeline\",\"timestamp\":1,\"sparkVersion\":\"3.5.1\","
                      "\"uid\":\"p\",\"paramMap\":{\"stageUids\":\"notalist\"},\"defaultParamMap\":{}}\n");
    cr_assert_null(lml_load(dir, &err));
    cr_assert_eq(err.code, LML_EFORMAT, "%s", err.message);
    cr_assert_not_null(strstr(err.message, "stageUids"), "%s", err.message);
    lml_stage_free(p);
}

Test(persist_errors, stage_lakeml_cannot_save_is_refused_whole)
{
    lml_error err = {0};
    const char *base = lml_test_temp_dir();
    lml_stage *p = lml_pipeline_new((lml_stage *[]){lml_vector_assembler_new((const char *[]){"a", NULL}, "v"),
                                                    lml_stage_create(&toy_est_vt, NULL, NULL, NULL), NULL}, &err);
    cr_assert_not_null(p, "%s", err.message);
    cr_assert_not(lml_save(p, path_in(base, "p"), LML_SAVE_ERROR_IF_EXISTS, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED, "%s", err.message);
    cr_assert_not_null(strstr(err.message, "test.MeanCenterer"), "%s", err.message);
    cr_assert_not_null(strstr(err.message, "stage 1"), "%s", err.message);
    cr_assert_eq(count_entries(base), 0, "no half-saved pipeline and no temporary directory remain");
    /* a failed overwrite leaves the old model in place and whole */
    lml_stage *a = small_lr_model(0);
    cr_assert(lml_save(a, path_in(base, "m"), LML_SAVE_ERROR_IF_EXISTS, &err), "%s", err.message);
    cr_assert_not(lml_save(p, path_in(base, "m"), LML_SAVE_OVERWRITE, &err));
    cr_assert_eq(count_entries(base), 1);
    lml_stage *l = lml_load(path_in(base, "m"), &err);
    cr_assert_not_null(l, "%s", err.message);
    ps_assert_params_identical(a, l);
    lml_stage_free(l), lml_stage_free(a);
    lml_stage_free(p);
}

/* A one-row MatrixUDT struct column from raw parts (colPtrs/rowIndices NULL = null lists). */
static lml_column *matrix_col(int8_t type, int32_t rows, int32_t cols, const int32_t *ptr, size_t np,
                              const int32_t *idx, size_t ni, const double *val, size_t nv, bool tr)
{
    lml_error err = {0};
    static const int32_t zi = 0;
    int32_t o[3][2] = {{0, (int32_t)np}, {0, (int32_t)ni}, {0, (int32_t)nv}};
    uint8_t v1 = ptr != NULL, v2 = idx != NULL, one = 1;
    lml_column *pc = lml_column_from_int32s(ptr ? ptr : &zi, NULL, ptr ? np : 0, &err);
    lml_column *ic = lml_column_from_int32s(idx ? idx : &zi, NULL, idx ? ni : 0, &err);
    lml_column *vc = lml_column_from_doubles(val, NULL, nv, &err);
    if (!ptr)
        o[0][1] = 0;
    if (!idx)
        o[1][1] = 0;
    lml_column_builder *b = lml_column_builder_new(LML_BOOL, 1, &err);
    lml_column_builder_append_bool(b, tr, &err);
    lml_column *ch[7] = {lml_column_from_int8s(&type, NULL, 1, &err), int_col(rows), int_col(cols),
                         lml_column_list_new(o[0], &v1, 1, pc, &err), lml_column_list_new(o[1], &v2, 1, ic, &err),
                         lml_column_list_new(o[2], &one, 1, vc, &err), lml_column_builder_finish(b, &err)};
    static const char *const names[7] = {"type", "numRows", "numCols", "colPtrs", "rowIndices", "values",
                                         "isTransposed"};
    lml_column *m = lml_column_struct_new(1, 7, names, ch, NULL, &err);
    cr_assert_not_null(m, "%s", err.message);
    for (int i = 0; i < 7; i++)
        lml_column_free(ch[i]);
    lml_column_free(pc), lml_column_free(ic), lml_column_free(vc);
    return m;
}

static lml_error load_lr_with_matrix(lml_column *mat, int32_t nfeat)
{
    const char *dir = saved_model();
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "rm -r '%s/data'", dir);
    cr_assert_eq(system(cmd), 0);
    lml_error err = {0};
    double iv = 0.5;
    lml_column_builder *b = lml_column_builder_new(LML_BOOL, 1, &err);
    lml_column_builder_append_bool(b, false, &err);
    write_data(dir, 5, (const char *[]){"numClasses", "numFeatures", "interceptVector", "coefficientMatrix", "isMultinomial"},
               (lml_column *[]){int_col(2), int_col(nfeat), lml_column_vector_from_dense(&iv, 1, 1, &err), mat,
                                lml_column_builder_finish(b, &err)});
    lml_stage *m = lml_load(dir, &err);
    if (m) {
        const double *beta = lml_logistic_regression_coefficients(m, NULL);
        cr_assert_eq(lml_logistic_regression_num_features(m, NULL), (size_t)nfeat);
        lml_error ok = {0};
        ok.code = LML_OK;
        snprintf(ok.message, sizeof ok.message, "%g %g %g %g", beta[0], beta[1], beta[2], beta[3]);
        lml_stage_free(m);
        return ok;
    }
    return err;
}

Test(persist_errors, every_matrix_form_reads_and_lying_sparse_matrices_fail)
{
    /* the same 1 x 4 row [0, 2, 0, -1] as CSR, CSC, dense column-major */
    lml_error e = load_lr_with_matrix(matrix_col(0, 1, 4, (int32_t[]){0, 2}, 2, (int32_t[]){1, 3}, 2,
                                                 (double[]){2, -1}, 2, true), 4);
    cr_assert_eq(e.code, LML_OK, "%s", e.message);
    cr_assert_str_eq(e.message, "0 2 0 -1");
    e = load_lr_with_matrix(matrix_col(0, 1, 4, (int32_t[]){0, 0, 1, 1, 2}, 5, (int32_t[]){0, 0}, 2,
                                       (double[]){2, -1}, 2, false), 4);
    cr_assert_eq(e.code, LML_OK, "%s", e.message);
    cr_assert_str_eq(e.message, "0 2 0 -1");
    e = load_lr_with_matrix(matrix_col(1, 1, 4, NULL, 0, NULL, 0, (double[]){0, 2, 0, -1}, 4, false), 4);
    cr_assert_eq(e.code, LML_OK, "%s", e.message);
    cr_assert_str_eq(e.message, "0 2 0 -1");
    /* lies: colPtrs ending past the values, an index beyond numCols, too few dense values */
    e = load_lr_with_matrix(matrix_col(0, 1, 4, (int32_t[]){0, 3}, 2, (int32_t[]){1, 3}, 2, (double[]){2, -1}, 2,
                                       true), 4);
    cr_assert_eq(e.code, LML_EFORMAT, "%s", e.message);
    cr_assert_not_null(strstr(e.message, "coefficientMatrix"), "%s", e.message);
    e = load_lr_with_matrix(matrix_col(0, 1, 4, (int32_t[]){0, 2}, 2, (int32_t[]){1, 9}, 2, (double[]){2, -1}, 2,
                                       true), 4);
    cr_assert_eq(e.code, LML_EFORMAT, "%s", e.message);
    cr_assert_not_null(strstr(e.message, "index 9 out of range"), "%s", e.message);
    e = load_lr_with_matrix(matrix_col(0, 1, 4, (int32_t[]){0, -5}, 2, (int32_t[]){1, 3}, 2, (double[]){2, -1}, 2,
                                       true), 4);
    cr_assert_eq(e.code, LML_EFORMAT, "%s", e.message);
    e = load_lr_with_matrix(matrix_col(1, 1, 4, NULL, 0, NULL, 0, (double[]){0, 2, 0}, 3, false), 4);
    cr_assert_eq(e.code, LML_EFORMAT, "%s", e.message);
    e = load_lr_with_matrix(matrix_col(1, 2000000000, 2000000000, NULL, 0, NULL, 0, (double[]){0}, 1, false), 4);
    cr_assert_eq(e.code, LML_EFORMAT, "%s", e.message);
    cr_assert_not_null(strstr(e.message, "shape"), "%s", e.message);
    /* numFeatures disagreeing with the matrix */
    e = load_lr_with_matrix(matrix_col(1, 1, 4, NULL, 0, NULL, 0, (double[]){0, 2, 0, -1}, 4, false), 5);
    cr_assert_eq(e.code, LML_EFORMAT, "%s", e.message);
    cr_assert_not_null(strstr(e.message, "numFeatures 5"), "%s", e.message);
}

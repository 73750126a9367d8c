/* `lakeml score` and the rows a model rejects: without --bad-records the first one stops the job
 * naming its row; with it they land in the file (with the CSV reader's malformed records) and the
 * other rows are scored as lml_transform scores them; rows a handleInvalid=skip stage drops are
 * counted and recorded. Also Spark's own saved model scoring its sample data. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_score_support.h"
#include "cli_support.h"
#include "lakeml/lakeml.h"
#include "support.h"

Test(cli_score, rejected_rows_stop_the_job_naming_the_row_or_land_in_the_bad_records_file)
{
    fixture fx = fixture_setup();
    char *text = make_csv(NROWS, 57, 120);
    const char *bad = write_text("bad.csv", text);
    free(text);
    const char *out = tmp_path("o.parquet");
    lml_test_result r = lml_test_run("score", "--model", fx.model, "--input", bad, "--output", out, "--batch-rows",
                                     "64");
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "row 57: ") && strstr(r.err, "unseen label 'violet'") && !strstr(r.err, "at row 0"),
              "%s", r.err);
    lml_test_result_free(&r);
    struct stat st;
    cr_expect(stat(out, &st) != 0, "nothing at the output after a failure");

    const char *bad_path = tmp_path("bad.jsonl");
    for (int fmt = 0; fmt < 2; fmt++) {
        const char *input = bad;
        if (fmt == 1) { /* the same rows from a Parquet file */
            lml_frame *f = read_csv(bad);
            input = tmp_path("bad.parquet");
            cr_assert(lml_parquet_write(f, input, &(lml_parquet_write_options){.row_group_size = 1500}, NULL));
            lml_frame_free(f);
        }
        unlink(bad_path);
        cJSON *j = run_ok((const char *[]){"--model", fx.model, "--input", input, "--output", out, "--mode",
                                           "overwrite", "--batch-rows", "64", "--bad-records", bad_path, NULL});
        expect_counts(j, NROWS, NROWS - 2, 2, 0, -1);
        cJSON_Delete(j);
        size_t n;
        cJSON **lines = bad_lines(bad_path, &n);
        cr_assert_eq(n, 2);
        cr_expect_eq(cJSON_GetObjectItem(lines[0], "row")->valuedouble, 57);
        cr_expect(strstr(cJSON_GetObjectItem(lines[0], "error")->valuestring, "unseen label 'violet' in column 'cat'"));
        const cJSON *v = cJSON_GetObjectItem(lines[0], "values");
        cr_expect_str_eq(cJSON_GetObjectItem(v, "cat")->valuestring, "violet");
        cr_expect_eq(cJSON_GetObjectItem(v, "id")->valuedouble, 57);
        cr_expect_eq(cJSON_GetArraySize(v), 5, "the input's columns only");
        cr_expect_eq(cJSON_GetObjectItem(lines[1], "row")->valuedouble, 120);
        cr_expect(strstr(cJSON_GetObjectItem(lines[1], "error")->valuestring, "null value in column 'x1'"), "%s",
                  cJSON_GetObjectItem(lines[1], "error")->valuestring);
        cr_expect(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(lines[1], "values"), "x1")));
        free_lines(lines, n);
        /* the other rows are scored exactly as transform scores the clean rows */
        lml_frame *all = read_csv(bad);
        lml_frame *clean = without_rows(all, (const size_t[]){57, 120, 0});
        lml_frame *want = expected(fx.model, clean, default_cols);
        lml_frame *got = read_output(out);
        assert_same_rows(got, want, "scored rows around the bad ones");
        lml_frame_free(got);
        lml_frame_free(want);
        lml_frame_free(clean);
        lml_frame_free(all);
    }
    fixture_teardown(&fx);
}

Test(cli_score, rows_a_skip_stage_drops_are_counted_and_recorded_with_the_stage)
{
    fixture fx = fixture_setup();
    const char *model = fit_and_save(lr_pipeline("skip"), fx.in);
    char *text = make_csv(NROWS, 90, 0);
    const char *in = write_text("skip.csv", text);
    free(text);
    const char *out = tmp_path("o.csv"), *bad_path = tmp_path("bad.jsonl");
    cJSON *j = run_ok((const char *[]){"--model", model, "--input", in, "--output", out, "--batch-rows", "32", NULL});
    expect_counts(j, NROWS, NROWS - 1, 0, 1, -1);
    cJSON_Delete(j);
    j = run_ok((const char *[]){"--model", model, "--input", in, "--output", out, "--mode", "overwrite",
                                "--batch-rows", "32", "--bad-records", bad_path, NULL});
    expect_counts(j, NROWS, NROWS - 1, 0, 1, -1);
    cJSON_Delete(j);
    size_t n;
    cJSON **lines = bad_lines(bad_path, &n);
    cr_assert_eq(n, 1);
    cr_expect_eq(cJSON_GetObjectItem(lines[0], "row")->valuedouble, 90);
    const char *why = cJSON_GetObjectItem(lines[0], "error")->valuestring;
    cr_expect(strstr(why, "dropped by StringIndexer") && strstr(why, "handleInvalid=skip"), "%s", why);
    free_lines(lines, n);
    lml_frame *all = read_csv(in);
    lml_frame *kept = without_rows(all, (const size_t[]){90, 0});
    lml_frame *want = expected(model, kept, default_cols);
    lml_frame *got = read_output(out);
    assert_same_rows(got, want, "rows around the skipped one");
    lml_frame_free(got);
    lml_frame_free(want);
    lml_frame_free(kept);
    lml_frame_free(all);
    fixture_teardown(&fx);
}

Test(cli_score, csv_malformed_records_and_model_rejections_share_the_bad_records_file)
{
    fixture fx = fixture_setup();
    /* line 11 (row 10) holds "abc" in the double column x1 */
    char *text = make_csv(NROWS, 0, 0);
    char *line = strstr(text, "\n10,");
    cr_assert_not_null(line);
    char *x1 = strchr(strchr(line + 1, ',') + 1, ',') + 1; /* after id and cat */
    char *end = strchr(x1, ',');
    memmove(x1 + 3, end, strlen(end) + 1);
    memcpy(x1, "abc", 3);
    const char *in = write_text("malformed.csv", text);
    free(text);
    const char *out = tmp_path("o.csv"), *bad_path = tmp_path("bad.jsonl");
    /* PERMISSIVE: the reader records the line and makes x1 null; the model then rejects the row */
    const char *schema = "id int, cat string, x1 double, x2 double, label int"; /* inference would make x1 a string */
    cJSON *j = run_ok((const char *[]){"--model", fx.model, "--input", in, "--output", out, "--bad-records", bad_path,
                                       "--schema", schema, NULL});
    expect_counts(j, NROWS, NROWS - 1, 1, 0, 1);
    cJSON_Delete(j);
    size_t n;
    cJSON **lines = bad_lines(bad_path, &n);
    cr_assert_eq(n, 2, "the reader's record and the model's");
    cr_expect_eq(cJSON_GetObjectItem(lines[0], "line")->valuedouble, 11);
    cr_expect(strstr(cJSON_GetObjectItem(lines[0], "record")->valuestring, "10,"));
    cr_expect_eq(cJSON_GetObjectItem(lines[1], "row")->valuedouble, 10);
    cr_expect(strstr(cJSON_GetObjectItem(lines[1], "error")->valuestring, "null value in column 'x1'"));
    free_lines(lines, n);
    /* DROPMALFORMED: the reader drops and records the line; the model sees the other rows */
    unlink(bad_path);
    j = run_ok((const char *[]){"--model", fx.model, "--input", in, "--output", out, "--mode", "overwrite", "--mode",
                                "DROPMALFORMED", "--bad-records", bad_path, "--schema", schema, NULL});
    expect_counts(j, NROWS - 1, NROWS - 1, 0, 0, 1);
    cJSON_Delete(j);
    lines = bad_lines(bad_path, &n);
    cr_assert_eq(n, 1);
    cr_expect_eq(cJSON_GetObjectItem(lines[0], "line")->valuedouble, 11);
    free_lines(lines, n);
    lml_frame *kept = without_rows(fx.in, (const size_t[]){10, 0});
    lml_frame *want = expected(fx.model, kept, default_cols);
    lml_frame *got = read_output(out);
    assert_same_rows(got, want, "DROPMALFORMED");
    lml_frame_free(got);
    lml_frame_free(want);
    lml_frame_free(kept);
    fixture_teardown(&fx);
}

/* Spark's own model (saved by Spark 2.3) scores Spark's sample LIBSVM data, stored as Parquet with
 * a VectorUDT features column as Spark would store it: the predictions are Spark's. */
Test(cli_score, spark_saved_py_log_reg_scores_its_libsvm_data_stored_as_parquet)
{
    LML_REQUIRE_SHARED(model, "conformance/spark-models/spark-ml-serving/py_log_reg");
    char model_dir[4096], data[4096], exp_path[4096];
    snprintf(model_dir, sizeof model_dir, "%s", model);
    snprintf(data, sizeof data, "%s",
             lml_test_shared_path("conformance/spark-models/spark-ml-serving/data/sample_libsvm_data.txt"));
    snprintf(exp_path, sizeof exp_path, "%s", lml_test_shared_path("conformance/spark-models/expected/py_log_reg.jsonl"));
    lml_error err = {0};
    lml_frame *df = lml_libsvm_read(data, &(lml_libsvm_options){.num_features = 692}, &err);
    cr_assert_not_null(df, "%s", err.message);
    const char *in = tmp_path("libsvm.parquet"), *out = tmp_path("scores.parquet");
    cr_assert(lml_parquet_write(df, in, &(lml_parquet_write_options){.row_group_size = 8192}, &err), "%s",
              err.message);
    cJSON *j = run_ok((const char *[]){"--model", model_dir, "--input", in, "--output", out, "--batch-rows", "7", NULL});
    expect_counts(j, 100, 100, 0, 0, -1);
    cr_expect_str_eq(cJSON_GetObjectItem(j, "model")->valuestring, "LogisticRegressionModel");
    cJSON_Delete(j);
    lml_frame *got = read_output(out);
    lml_frame *want = expected(model_dir, df, (const char *[]){"label", "features", "rawPrediction", "probability",
                                                                "prediction", NULL});
    assert_same_rows(got, want, "py_log_reg");
    /* and Spark's predictions, row by row */
    char *text = lml_test_slurp(exp_path);
    cr_assert_not_null(text);
    const lml_column *pred = lml_frame_column_by_name(got, "prediction", &err);
    size_t row = 0, agree = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"), row++) {
        cJSON *e = cJSON_Parse(line);
        cr_assert_not_null(e);
        cr_assert_eq(cJSON_GetObjectItem(e, "row")->valuedouble, (double)row);
        cr_expect_eq(lml_column_doubles(pred)[row], cJSON_GetObjectItem(e, "prediction")->valuedouble, "row %zu", row);
        agree += lml_column_doubles(pred)[row] == cJSON_GetObjectItem(e, "label")->valuedouble;
        double p[2];
        cr_assert_eq(cell_doubles(lml_frame_column_by_name(got, "probability", &err), row, p, 2), 2);
        double want1 = cJSON_GetArrayItem(cJSON_GetObjectItem(e, "probability"), 1)->valuedouble;
        cr_expect(fabs(p[1] - want1) <= 1e-12 * fmax(fabs(want1), 1e-300) + 1e-15, "row %zu: %.17g vs Spark %.17g",
                  row, p[1], want1);
        cJSON_Delete(e);
    }
    cr_expect_eq(row, 100);
    cr_expect_eq(agree, 99, "Spark's README: 99 of 100 rows predicted as their label");
    free(text);
    lml_frame_free(got);
    lml_frame_free(want);
    lml_frame_free(df);
}

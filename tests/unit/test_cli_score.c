/* `lakeml score`: batch scoring with a saved model. Each test fits and saves a small pipeline
 * (StringIndexer + OneHotEncoder + VectorAssembler + LogisticRegression, or a RandomForest),
 * scores CSV / Parquet / Delta inputs into each output format, and checks the written rows
 * against lml_transform of the whole input bit for bit, the JSON summary, the save modes, that a
 * failed run leaves the output as it was, bad records, --columns, and that batch sizes change
 * nothing. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
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

Test(cli_score, every_input_format_into_every_output_format_equals_transform_of_the_whole_input)
{
    fixture fx = fixture_setup();
    lml_frame *want = expected(fx.model, fx.in, default_cols);
    const char *inputs[] = {fx.csv, fx.parquet, fx.delta};
    const char *outs[] = {"o.csv", "o.parquet", "o_table"};
    for (int i = 0; i < 3; i++)
        for (int o = 0; o < 3; o++) {
            const char *out = tmp_path(outs[o]);
            cJSON *j = run_ok((const char *[]){"--model", fx.model, "--input", inputs[i], "--output", out,
                                               "--batch-rows", "64", NULL});
            /* CSV: 64-row reader batches; Parquet and Delta: pieces cut to 64 rows */
            expect_counts(j, NROWS, NROWS, 0, 0, i == 0 ? 4 : -1);
            cr_expect_str_eq(cJSON_GetObjectItem(j, "model")->valuestring, "PipelineModel");
            cr_expect_eq(cJSON_GetObjectItem(j, "output_version") != NULL, o == 2, "output_version only for Delta");
            if (o == 2)
                cr_expect_eq(num(j, "output_version"), 0);
            cJSON_Delete(j);
            lml_frame *got = read_output(out);
            char what[64];
            snprintf(what, sizeof what, "input %d output %s", i, outs[o]);
            assert_same_rows(got, want, what);
            lml_frame_free(got);
        }
    lml_frame_free(want);
    fixture_teardown(&fx);
}

Test(cli_score, batch_sizes_one_three_and_large_give_byte_identical_output)
{
    fixture fx = fixture_setup();
    const char *sizes[] = {"1", "3", "1000000"};
    char *first = NULL;
    size_t first_len = 0;
    for (int s = 0; s < 3; s++)
        for (int i = 0; i < 2; i++) {
            const char *out = tmp_path("o.csv");
            cJSON *j = run_ok((const char *[]){"--model", fx.model, "--input", i ? fx.parquet : fx.csv, "--output",
                                               out, "--batch-rows", sizes[s], NULL});
            double batches = num(j, "batches");
            if (s == 0)
                cr_expect_eq(batches, NROWS, "one row per batch");
            if (s == 1)
                cr_expect_eq(batches >= (NROWS + 2) / 3, 1, "at least ceil(200/3) batches, got %g", batches);
            cJSON_Delete(j);
            size_t len;
            char *bytes = lml_test_slurp_n(out, &len);
            cr_assert_not_null(bytes);
            if (!first) {
                first = bytes;
                first_len = len;
            } else {
                cr_expect(len == first_len && memcmp(bytes, first, len) == 0, "batch size %s, input %d differs",
                          sizes[s], i);
                free(bytes);
            }
        }
    free(first);
    fixture_teardown(&fx);
}

Test(cli_score, random_forest_pipeline_scores_parquet_into_delta_as_transform_does)
{
    fixture fx = fixture_setup();
    const char *model = fit_and_save(rf_pipeline(), fx.in);
    const char *out = tmp_path("rf_table");
    cJSON *j = run_ok((const char *[]){"--model", model, "--input", fx.parquet, "--output", out, "--batch-rows", "17",
                                       NULL});
    expect_counts(j, NROWS, NROWS, 0, 0, -1);
    cJSON_Delete(j);
    lml_frame *want = expected(model, fx.in, default_cols);
    lml_frame *got = read_output(out);
    assert_same_rows(got, want, "random forest");
    lml_frame_free(got);
    lml_frame_free(want);
    fixture_teardown(&fx);
}

static bool same_bytes(const char *path, const char *bytes, size_t len)
{
    size_t n;
    char *now = lml_test_slurp_n(path, &n);
    bool same = now && n == len && memcmp(now, bytes, len) == 0;
    free(now);
    return same;
}

static int count_log_entries(const char *table)
{
    char log[600];
    snprintf(log, sizeof log, "%s/_delta_log", table);
    DIR *d = opendir(log);
    cr_assert_not_null(d, "%s", log);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strstr(e->d_name, ".json") != NULL;
    closedir(d);
    return n;
}

Test(cli_score, save_modes_errorifexists_overwrite_append_and_a_failed_run_leaves_the_output_untouched)
{
    fixture fx = fixture_setup();
    lml_frame *want = expected(fx.model, fx.in, default_cols);
    /* CSV */
    const char *out = tmp_path("o.csv");
    cJSON_Delete(run_ok((const char *[]){"--model", fx.model, "--input", fx.csv, "--output", out, NULL}));
    size_t len;
    char *before = lml_test_slurp_n(out, &len);
    lml_test_expect_fail(lml_test_run("score", "--model", fx.model, "--input", fx.csv, "--output", out), 1,
                         "already exists");
    cr_expect(same_bytes(out, before, len));
    /* a bad row and no --bad-records: the overwrite fails and leaves the file as it was */
    char *text = make_csv(NROWS, 57, 0);
    const char *bad = write_text("bad.csv", text);
    free(text);
    lml_test_expect_fail(lml_test_run("score", "--model", fx.model, "--input", bad, "--output", out, "--mode",
                                      "overwrite"),
                         1, "row 57");
    cr_expect(same_bytes(out, before, len), "a failed overwrite changed %s", out);
    lml_test_expect_fail(lml_test_run("score", "--model", fx.model, "--input", bad, "--output", out, "--mode",
                                      "append"),
                         1, "row 57");
    cr_expect(same_bytes(out, before, len), "a failed append changed %s", out);
    cJSON *j = run_ok((const char *[]){"--model", fx.model, "--input", fx.csv, "--output", out, "--mode", "append",
                                       NULL});
    expect_counts(j, NROWS, NROWS, 0, 0, -1);
    cJSON_Delete(j);
    lml_frame *got = read_csv(out);
    cr_expect_eq(lml_frame_num_rows(got), 2 * NROWS, "append adds rows, one header");
    lml_frame *second = lml_frame_slice(got, NROWS, NROWS, NULL);
    lml_frame *first = lml_frame_slice(got, 0, NROWS, NULL);
    assert_same_rows(first, want, "CSV before the append");
    assert_same_rows(second, want, "CSV appended rows");
    lml_frame_free(first);
    lml_frame_free(second);
    lml_frame_free(got);
    cJSON_Delete(run_ok((const char *[]){"--model", fx.model, "--input", fx.csv, "--output", out, "--mode",
                                         "overwrite", NULL}));
    got = read_csv(out);
    assert_same_rows(got, want, "CSV overwritten");
    lml_frame_free(got);
    free(before);

    /* Parquet: no append */
    const char *pq = tmp_path("o.parquet");
    lml_test_expect_fail(lml_test_run("score", "--model", fx.model, "--input", fx.csv, "--output", pq, "--mode",
                                      "append"),
                         2, "Delta table");
    struct stat st;
    cr_expect(stat(pq, &st) != 0, "nothing written");
    cJSON_Delete(run_ok((const char *[]){"--model", fx.model, "--input", fx.csv, "--output", pq, NULL}));
    before = lml_test_slurp_n(pq, &len);
    lml_test_expect_fail(lml_test_run("score", "--model", fx.model, "--input", bad, "--output", pq, "--mode",
                                      "overwrite"),
                         1, "row 57");
    cr_expect(same_bytes(pq, before, len), "a failed overwrite changed %s", pq);
    free(before);

    /* Delta: append is one commit, overwrite another; a failed run commits nothing */
    const char *table = tmp_path("o_table");
    cJSON_Delete(run_ok((const char *[]){"--model", fx.model, "--input", fx.csv, "--output", table, NULL}));
    lml_test_expect_fail(lml_test_run("score", "--model", fx.model, "--input", fx.csv, "--output", table), 1,
                         "already exists");
    j = run_ok((const char *[]){"--model", fx.model, "--input", fx.parquet, "--output", table, "--mode", "append",
                                "--batch-rows", "50", NULL});
    cr_expect_eq(num(j, "output_version"), 1, "the whole append is one commit");
    cJSON_Delete(j);
    got = read_output(table);
    cr_expect_eq(lml_frame_num_rows(got), 2 * NROWS);
    lml_frame_free(got);
    lml_test_expect_fail(lml_test_run("score", "--model", fx.model, "--input", bad, "--output", table, "--mode",
                                      "overwrite"),
                         1, "row 57");
    cr_expect_eq(count_log_entries(table), 2, "a failed run adds no commit");
    j = run_ok((const char *[]){"--model", fx.model, "--input", fx.delta, "--output", table, "--mode", "overwrite",
                                NULL});
    cr_expect_eq(num(j, "output_version"), 2);
    cJSON_Delete(j);
    got = read_output(table);
    assert_same_rows(got, want, "Delta overwritten");
    lml_frame_free(got);
    lml_frame_free(want);
    fixture_teardown(&fx);
}

Test(cli_score, delta_input_is_read_at_the_version_asked_for)
{
    fixture fx = fixture_setup();
    lml_error err = {0};
    lml_frame *head = lml_frame_head(fx.in, 30, &err);
    cr_assert(lml_delta_write(head, fx.delta, &(lml_delta_write_options){.mode = LML_DELTA_OVERWRITE}, NULL, &err),
              "%s", err.message);
    const char *out = tmp_path("o.parquet");
    cJSON *j = run_ok((const char *[]){"--model", fx.model, "--input", fx.delta, "--output", out, NULL});
    expect_counts(j, 30, 30, 0, 0, -1);
    cJSON_Delete(j);
    j = run_ok((const char *[]){"--model", fx.model, "--input", fx.delta, "--output", out, "--mode", "overwrite",
                                "--version", "0", NULL});
    expect_counts(j, NROWS, NROWS, 0, 0, -1);
    cJSON_Delete(j);
    lml_frame *want = expected(fx.model, fx.in, default_cols);
    lml_frame *got = read_output(out);
    assert_same_rows(got, want, "version 0");
    lml_frame_free(got);
    lml_frame_free(want);
    lml_frame_free(head);
    lml_test_expect_fail(lml_test_run("score", "--model", fx.model, "--input", fx.csv, "--output", tmp_path("x.csv"),
                                      "--version", "0"),
                         1, "apply to Delta tables");
    fixture_teardown(&fx);
}

Test(cli_score, columns_selects_exactly_those_and_an_unknown_one_lists_what_exists)
{
    fixture fx = fixture_setup();
    const char *out = tmp_path("o.csv");
    cJSON_Delete(run_ok((const char *[]){"--model", fx.model, "--input", fx.parquet, "--output", out, "--columns",
                                         "id,features,prediction", NULL}));
    lml_frame *want = expected(fx.model, fx.in, (const char *[]){"id", "features", "prediction", NULL});
    lml_frame *got = read_output(out);
    cr_expect_eq(lml_frame_num_cols(got), 3);
    cr_expect_str_eq(lml_frame_column_name(got, 1), "features");
    lml_frame *ids = lml_frame_select(got, (const char *[]){"id", NULL}, NULL);
    lml_frame *wids = lml_frame_select(want, (const char *[]){"id", NULL}, NULL);
    assert_same_rows(ids, wids, "ids");
    lml_frame_free(ids);
    lml_frame_free(wids);
    lml_frame_free(got);
    lml_frame_free(want);
    const char *out2 = tmp_path("o2.csv");
    lml_test_expect_fail(lml_test_run("score", "--model", fx.model, "--input", fx.csv, "--output", out2, "--columns",
                                      "id,score"),
                         1, "no column 'score'");
    lml_test_result r = lml_test_run("score", "--model", fx.model, "--input", fx.csv, "--output", out2, "--columns",
                                     "id,score");
    cr_expect(strstr(r.err, "there are: id, cat, x1, x2, label, catIdx, catVec, features, rawPrediction, "
                            "probability, prediction"),
              "%s", r.err);
    lml_test_result_free(&r);
    struct stat st;
    cr_expect(stat(out2, &st) != 0);
    fixture_teardown(&fx);
}

Test(cli_score, usage_errors)
{
    lml_test_expect_fail(lml_test_run("score", "--input", "a.csv", "--output", "b.csv"), 2, "missing --model");
    lml_test_expect_fail(lml_test_run("score", "--model", "m", "--input", "a.csv", "--output", "-"), 2,
                         "standard output");
    lml_test_expect_fail(lml_test_run("score", "--model", "m", "--input", "a.csv", "--output", "b", "--batch-rows",
                                      "0"),
                         2, "--batch-rows");
    lml_test_expect_fail(lml_test_run("score", "--model", "m", "--input", "a.csv", "--output", "b", "--format", "orc"),
                         2, "--format");
    lml_test_result r = lml_test_run("score", "--help");
    cr_expect_eq(r.status, 0);
    cr_expect(strstr(r.out, "--bad-records PATH") && strstr(r.out, "--batch-rows N"), "%s", r.out);
    lml_test_result_free(&r);
}

/* Peak memory must not grow with the input: going from 20,000 to 200,000 rows, scoring in
 * 1,000-row batches may add only a fraction of what scoring the rows in one batch adds (that
 * run holds the whole input with its features, rawPrediction and probability columns). */
Test(cli_score, peak_memory_does_not_grow_with_the_input, .timeout = 300)
{
    lml_frame *train = NULL;
    {
        char *text = make_csv(NROWS, 0, 0);
        train = read_csv(write_text("train.csv", text));
        free(text);
    }
    const char *model = fit_and_save(lr_pipeline(NULL), train);
    lml_frame_free(train);
    /* AddressSanitizer keeps freed memory in quarantine (256 MB by default), which would make any
     * allocation count toward the peak; without it, the peak is what is live. */
    const char *asan = getenv("ASAN_OPTIONS");
    char *saved = asan ? strdup(asan) : NULL;
    char opts[512];
    snprintf(opts, sizeof opts, "%s%squarantine_size_mb=0", asan ? asan : "", asan ? ":" : "");
    setenv("ASAN_OPTIONS", opts, 1);
    size_t sizes[2] = {20000, 200000};
    const char *batch[2] = {"1000", "1000000"};
    double peak[2][2];
    for (int k = 0; k < 2; k++) {
        char *text = make_csv(sizes[k], 0, 0);
        const char *in = write_text("big.csv", text);
        free(text);
        for (int b = 0; b < 2; b++) {
            const char *out = tmp_path("o.csv");
            cJSON *j = run_ok((const char *[]){"--model", model, "--input", in, "--output", out, "--batch-rows",
                                               batch[b], NULL});
            expect_counts(j, (double)sizes[k], (double)sizes[k], 0, 0, b == 0 ? (double)(sizes[k] / 1000) : 1);
            peak[k][b] = num(j, "peak_rss_mb");
            cJSON_Delete(j);
            unlink(out);
        }
        unlink(in);
    }
    if (saved)
        setenv("ASAN_OPTIONS", saved, 1);
    else
        unsetenv("ASAN_OPTIONS");
    free(saved);
    double whole = peak[1][1] - peak[0][1], streamed = peak[1][0] - peak[0][0];
    cr_expect(whole > 15, "one batch of 200,000 rows should take visibly more memory than one of 20,000: "
                          "%.1f MB vs %.1f MB", peak[1][1], peak[0][1]);
    cr_expect(streamed < whole / 3, "streamed peak grew %.1f MB (%.1f -> %.1f) from 20,000 to 200,000 rows; "
                                    "in one batch it grew %.1f MB", streamed, peak[0][0], peak[1][0], whole);
}


/* `lakeml delta delete|update|merge|optimize|zorder|vacuum|changes`: the built binary run on
 * small tables written with lml_delta_write; its JSON line parsed with cJSON, the table read back
 * with lml_delta_read, and the usage errors of the new options. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_support.h"
#include "lakeml/lakeml.h"
#include "support.h"

static lml_frame *csv_frame(const char *text)
{
    lml_error err = {0};
    lml_frame *f = lml_csv_read(lml_test_write_temp("rows.csv", text), &(lml_csv_options){.header = true, .infer_schema = true},
                                &err);
    cr_assert(f, "%s", err.message);
    return f;
}

/* A table at temp/NAME: one commit per CSV text (the first creates it with `props`). */
static const char *make_table(const char *name, const char *const *props, const char *const *commits)
{
    static char path[4][512];
    static int slot;
    char *p = path[slot++ % 4];
    snprintf(p, 512, "%s/%s", lml_test_temp_dir(), name);
    for (size_t i = 0; commits[i]; i++) {
        lml_frame *f = csv_frame(commits[i]);
        lml_error err = {0};
        lml_delta_write_options o = {.mode = i ? LML_DELTA_APPEND : LML_DELTA_ERROR_IF_EXISTS, .properties = props};
        cr_assert(lml_delta_write(f, p, &o, NULL, &err), "%s", err.message);
        lml_frame_free(f);
    }
    return p;
}

static int by_leading_number(const void *a, const void *b)
{
    long long x = strtoll(*(char *const *)a, NULL, 10), y = strtoll(*(char *const *)b, NULL, 10);
    return (x > y) - (x < y);
}

/* The table's rows as "1,2.5,a|3,4,c", sorted by the first column (a number), nulls as "null". */
static char *rows_text(const char *table)
{
    lml_error err = {0};
    lml_frame *f = lml_delta_read(table, NULL, NULL, &err);
    cr_assert(f, "%s", err.message);
    size_t n = lml_frame_num_rows(f), ncol = lml_frame_num_cols(f);
    char **rows = calloc(n + 1, sizeof *rows);
    for (size_t i = 0; i < n; i++) {
        char buf[512];
        size_t len = 0;
        for (size_t c = 0; c < ncol; c++) {
            lml_value v = lml_column_get(lml_frame_column(f, c), i);
            const char *sep = c ? "," : "";
            if (v.is_null)
                len += (size_t)snprintf(buf + len, sizeof buf - len, "%snull", sep);
            else if (v.type == LML_INT64)
                len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%lld", sep, (long long)v.v.i64);
            else if (v.type == LML_INT32)
                len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%d", sep, v.v.i32);
            else if (v.type == LML_DOUBLE)
                len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%g", sep, v.v.f64);
            else if (v.type == LML_BOOL)
                len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", sep, v.v.b ? "true" : "false");
            else if (v.type == LML_STRING)
                len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%.*s", sep, (int)v.v.str.len, v.v.str.ptr);
            else
                cr_assert_fail("column %zu: unexpected type %d", c, (int)v.type);
        }
        rows[i] = strdup(buf);
    }
    qsort(rows, n, sizeof *rows, by_leading_number);
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += strlen(rows[i]) + 1;
    char *out = calloc(total, 1);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(out, "|");
        strcat(out, rows[i]);
        free(rows[i]);
    }
    free(rows);
    lml_frame_free(f);
    return out;
}

static void expect_rows(const char *table, const char *want)
{
    char *got = rows_text(table);
    cr_expect_str_eq(got, want, "rows of %s", table);
    free(got);
}

/* The one JSON line a successful action prints (its last line; earlier ones, a dry run's paths,
 * go to *before when asked). Frees r. */
static cJSON *json_result(lml_test_result r, char **before)
{
    cr_assert_eq(r.status, 0, "exit status %d, stderr: %s", r.status, r.err);
    cr_expect_str_empty(r.err);
    size_t len = strlen(r.out);
    cr_assert(len > 0 && r.out[len - 1] == '\n', "output ends with a newline: '%s'", r.out);
    r.out[len - 1] = '\0';
    char *last = strrchr(r.out, '\n');
    char *line = last ? last + 1 : r.out;
    if (before)
        *before = strndup(r.out, last ? (size_t)(last + 1 - r.out) : 0);
    else
        cr_assert_null(last, "one line only: %s", r.out);
    cJSON *o = cJSON_Parse(line);
    cr_assert(cJSON_IsObject(o), "not a JSON object: %s", line);
    lml_test_result_free(&r);
    return o;
}

static const char *str_field(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert(cJSON_IsString(v), "\"%s\" is not a string", key);
    return v->valuestring;
}

static double num_field(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert(cJSON_IsNumber(v), "\"%s\" is not a number", key);
    return v->valuedouble;
}

static bool bool_field(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert(cJSON_IsBool(v), "\"%s\" is not a boolean", key);
    return cJSON_IsTrue(v);
}

/* operationMetrics[key]: Delta writes every value as a string. */
static const char *metric(const cJSON *o, const char *key)
{
    return str_field(cJSON_GetObjectItemCaseSensitive(o, "metrics"), key);
}

/* Expects a committed result of that operation at that version. */
static void committed_as(const cJSON *o, const char *operation, double version)
{
    cr_expect_str_eq(str_field(o, "operation"), operation);
    cr_expect_eq(num_field(o, "version"), version, "version of %s", operation);
    cr_expect(bool_field(o, "committed"), "%s committed", operation);
}

/* Expects each key, value pair of the NULL-terminated list among the result's metrics. */
static void metrics_are(const cJSON *o, const char *const *kv)
{
    for (size_t i = 0; kv[i]; i += 2) cr_expect_str_eq(metric(o, kv[i]), kv[i + 1], "metric %s", kv[i]);
}

static const char *const TARGET[] = {"id,v,name\n1,1.5,a\n2,2.5,b\n", "id,v,name\n3,3.5,c\n4,4.5,d\n", NULL};

Test(cli_delta_dml, delete_prints_one_json_line_and_removes_the_matching_rows)
{
    const char *t = make_table("del", NULL, TARGET);
    cJSON *o = json_result(lml_test_run("delta", "delete", t, "--where", "id % 2 = 0 OR name = 'c'"), NULL);
    committed_as(o, "DELETE", 2);
    cr_expect_str_eq(str_field(o, "table"), t);
    metrics_are(o, (const char *const[]){"numDeletedRows", "3", "numRemovedFiles", "2", NULL});
    cJSON_Delete(o);
    expect_rows(t, "1,1.5,a");
    /* Nothing matches: no commit, the table's version. Options may come before the action. */
    o = json_result(lml_test_run("delta", "--where", "id > 100", "--threads", "1", "delete", t), NULL);
    cr_expect_eq(num_field(o, "version"), 2);
    cr_expect_not(bool_field(o, "committed"));
    cJSON_Delete(o);
    /* No --where: every row. */
    o = json_result(lml_test_run("delta", "delete", t), NULL);
    cr_expect_eq(num_field(o, "version"), 3);
    cr_expect(bool_field(o, "committed"));
    cJSON_Delete(o);
    expect_rows(t, "");
}

Test(cli_delta_dml, update_applies_every_set_with_commas_inside_expressions)
{
    const char *t = make_table("upd", NULL, TARGET);
    cJSON *o = json_result(lml_test_run("delta", "update", t, "--set", "v = v * 10", "--set",
                                        "name = concat(name, ',', upper(name)), id = id + 100", "--where", "id >= 3"),
                           NULL);
    committed_as(o, "UPDATE", 2);
    cr_expect_str_eq(metric(o, "numUpdatedRows"), "2");
    cJSON_Delete(o);
    expect_rows(t, "1,1.5,a|2,2.5,b|103,35,c,C|104,45,d,D");
}

Test(cli_delta_dml, merge_runs_the_clauses_in_order_with_their_conditions)
{
    const char *t = make_table("merge", NULL, TARGET);
    const char *src = lml_test_write_temp("src.csv", "id,v,name,del\n3,30.0,C,false\n4,40.0,D,true\n5,50.0,E,false\n"
                                                     "6,60.0,F,false\n");
    char srcpath[512];
    snprintf(srcpath, sizeof srcpath, "%s", src);
    cJSON *o = json_result(
        lml_test_run("delta", "merge", t, "--source", srcpath, "--on", "t.id = s.id",
                     "--when-matched-delete", "--if", "s.del",
                     "--when-matched-update", "v = s.v, name = concat(s.name, '!')",
                     "--when-not-matched-insert", "id = s.id, v = s.v, name = s.name", "--if", "s.id < 6",
                     "--when-not-matched-by-source-update", "v = t.v + 100", "--if", "t.id = 1"),
        NULL);
    committed_as(o, "MERGE", 2);
    metrics_are(o, (const char *const[]){"numSourceRows", "4",
                                         "numTargetRowsInserted", "1",
                                         "numTargetRowsUpdated", "2",
                                         "numTargetRowsMatchedUpdated", "1",
                                         "numTargetRowsNotMatchedBySourceUpdated", "1",
                                         "numTargetRowsDeleted", "1",
                                         "numTargetRowsMatchedDeleted", "1", NULL});
    cJSON_Delete(o);
    expect_rows(t, "1,101.5,a|2,2.5,b|3,30,C!|5,50,E");
}

/* A Parquet source (--format), then a Delta source at a version (--version) with other aliases,
 * update-all / insert-all and schema evolution. */
Test(cli_delta_dml, merge_reads_parquet_and_delta_sources_with_aliases_and_schema_evolution)
{
    const char *t = make_table("merge2", NULL, TARGET);
    char pq[600];
    snprintf(pq, sizeof pq, "%s/src.data", lml_test_temp_dir()); /* no .parquet suffix: --format decides */
    lml_frame *f = csv_frame("id,v,name\n2,20.5,B\n9,90.5,I\n");
    lml_error err = {0};
    cr_assert(lml_parquet_write(f, pq, NULL, &err), "%s", err.message);
    lml_frame_free(f);
    cJSON *o = json_result(lml_test_run("delta", "merge", t, "--source", pq, "--format", "parquet", "--on",
                                        "tgt.id = src.id", "--target-alias", "tgt", "--source-alias", "src",
                                        "--when-matched-update-all", "--when-not-matched-insert-all"),
                           NULL);
    metrics_are(o, (const char *const[]){"numTargetRowsUpdated", "1", "numTargetRowsInserted", "1", NULL});
    cJSON_Delete(o);
    expect_rows(t, "1,1.5,a|2,20.5,B|3,3.5,c|4,4.5,d|9,90.5,I");

    /* The source table's version 0 has id 1 with a new column w; version 1 would add id 7. */
    const char *s = make_table("merge2src", NULL,
                               (const char *const[]){"id,v,name,w\n1,0.25,A,7\n", "id,v,name,w\n7,7.5,G,8\n", NULL});
    char sp[512];
    snprintf(sp, sizeof sp, "%s", s);
    o = json_result(lml_test_run("delta", "merge", t, "--source", sp, "--version", "0", "--on", "t.id = s.id",
                                 "--when-matched-update-all", "--schema-evolution"),
                    NULL);
    metrics_are(o, (const char *const[]){"numTargetRowsUpdated", "1", "numTargetRowsInserted", "0", NULL});
    cJSON_Delete(o);
    expect_rows(t, "1,0.25,A,7|2,20.5,B,null|3,3.5,c,null|4,4.5,d,null|9,90.5,I,null");
}

Test(cli_delta_dml, merge_library_errors_exit_1_and_leave_the_table)
{
    const char *t = make_table("merge3", NULL, TARGET);
    char dup[512];
    snprintf(dup, sizeof dup, "%s", lml_test_write_temp("dup.csv", "id,v,name\n3,1.0,x\n3,2.0,y\n"));
    lml_test_expect_fail(lml_test_run("delta", "merge", t, "--source", dup, "--on", "t.id = s.id",
                                      "--when-matched-update-all"),
                         1, "DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE");
    lml_test_expect_fail(lml_test_run("delta", "merge", t, "--source", dup, "--on", "t.id = s.nosuch",
                                      "--when-matched-delete"),
                         1, "nosuch");
    lml_test_expect_fail(lml_test_run("delta", "merge", t, "--source", "/nonexistent/x.csv", "--on", "t.id = s.id",
                                      "--when-matched-delete"),
                         1, "/nonexistent/x.csv");
    expect_rows(t, "1,1.5,a|2,2.5,b|3,3.5,c|4,4.5,d");
}

/* The table's live files (paths relative to it). */
static size_t live_files(const char *table)
{
    lml_error err = {0};
    lml_delta_table *d = lml_delta_table_open(table, NULL, &err);
    cr_assert(d, "%s", err.message);
    size_t n = lml_delta_table_num_files(d);
    lml_delta_table_free(d);
    return n;
}

Test(cli_delta_dml, optimize_compacts_small_files_and_then_has_nothing_to_do)
{
    const char *t = make_table("opt", NULL,
                               (const char *const[]){"id,v\n1,1.5\n", "id,v\n2,2.5\n", "id,v\n3,3.5\n", "id,v\n4,4.5\n",
                                                     NULL});
    cr_assert_eq(live_files(t), 4);
    cJSON *o = json_result(lml_test_run("delta", "optimize", t), NULL);
    committed_as(o, "OPTIMIZE", 4);
    metrics_are(o, (const char *const[]){"numRemovedFiles", "4", "numAddedFiles", "1", NULL});
    cJSON_Delete(o);
    cr_expect_eq(live_files(t), 1);
    expect_rows(t, "1,1.5|2,2.5|3,3.5|4,4.5");
    o = json_result(lml_test_run("delta", "optimize", t, "--max-file-size", "64m"), NULL);
    cr_expect_not(bool_field(o, "committed"));
    cr_expect_eq(num_field(o, "version"), 4);
    cJSON_Delete(o);
}

Test(cli_delta_dml, zorder_rewrites_the_files_and_records_the_columns)
{
    const char *t = make_table("z", NULL,
                               (const char *const[]){"x,y,id\n1,9,1\n8,2,2\n", "x,y,id\n5,5,3\n0,7,4\n", NULL});
    cJSON *o = json_result(lml_test_run("delta", "zorder", t, "--by", "x, y", "--max-file-size", "1m"), NULL);
    committed_as(o, "OPTIMIZE", 2);
    cr_expect_str_eq(metric(o, "numRemovedFiles"), "2");
    cJSON_Delete(o);
    expect_rows(t, "0,7,4|1,9,1|5,5,3|8,2,2");
    char log[700];
    snprintf(log, sizeof log, "%s/_delta_log/00000000000000000002.json", t);
    char *text = lml_test_slurp(log);
    cr_assert_not_null(text, "%s", log);
    cr_expect(strstr(text, "\"zOrderBy\":\"[\\\"x\\\",\\\"y\\\"]\""), "zOrderBy in the commit: %s", text);
    free(text);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

Test(cli_delta_dml, vacuum_dry_run_lists_what_the_real_run_deletes)
{
    const char *t = make_table("vac", NULL, TARGET);
    cJSON *o = json_result(lml_test_run("delta", "optimize", t), NULL); /* removes the 2 files */
    cJSON_Delete(o);
    lml_test_expect_fail(lml_test_run("delta", "vacuum", t, "--retention-hours", "0"), 1, "retention");

    char *paths = NULL;
    o = json_result(lml_test_run("delta", "vacuum", t, "--retention-hours", "0", "--disable-retention-check",
                                 "--dry-run"),
                    &paths);
    cr_expect_str_eq(str_field(o, "operation"), "VACUUM");
    cr_expect(bool_field(o, "dryRun"));
    cr_expect_not(bool_field(o, "committed"));
    cr_expect_eq(num_field(o, "files"), 2);
    cJSON_Delete(o);
    char *line[3] = {0};
    size_t n = 0;
    for (char *save = NULL, *p = strtok_r(paths, "\n", &save); p; p = strtok_r(NULL, "\n", &save))
        if (n < 3)
            line[n++] = p;
    cr_assert_eq(n, 2, "two paths: %s", paths);
    for (size_t i = 0; i < 2; i++) {
        cr_expect(line[i][0] == '/' && strncmp(line[i], t, strlen(t)) == 0, "absolute, under the table: %s", line[i]);
        cr_expect(strstr(line[i], ".parquet") && exists(line[i]), "a data file still there: %s", line[i]);
    }

    o = json_result(lml_test_run("delta", "vacuum", t, "--retention-hours", "0", "--disable-retention-check"), NULL);
    cr_expect_not(bool_field(o, "dryRun"));
    cr_expect(bool_field(o, "committed"));
    cr_expect_eq(num_field(o, "files"), 2);
    cJSON_Delete(o);
    for (size_t i = 0; i < 2; i++)
        cr_expect_not(exists(line[i]), "deleted: %s", line[i]);
    free(paths);
    expect_rows(t, "1,1.5,a|2,2.5,b|3,3.5,c|4,4.5,d");
}

Test(cli_delta_dml, changes_prints_or_writes_the_change_data_feed)
{
    const char *t = make_table("cdf", (const char *const[]){"delta.enableChangeDataFeed", "true", NULL}, TARGET);
    cJSON *o = json_result(lml_test_run("delta", "delete", t, "--where", "id = 2"), NULL);
    cr_assert_eq(num_field(o, "version"), 2);
    cJSON_Delete(o);

    lml_test_result r = lml_test_run("delta", "changes", t, "--from", "2", "--no-truncate");
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "|_change_type"), "%s", r.out);
    cr_expect(strstr(r.out, "|2 ") && strstr(r.out, "|delete"), "the deleted row: %s", r.out);
    cr_expect_not(strstr(r.out, "|insert"), "only version 2: %s", r.out);
    lml_test_result_free(&r);

    char out[600];
    snprintf(out, sizeof out, "%s/changes.csv", lml_test_temp_dir());
    lml_test_expect_ok(lml_test_run("delta", "changes", t, "--from", "0", "--to", "2", "--output", out), "");
    lml_error err = {0};
    lml_frame *f = lml_csv_read(out, &(lml_csv_options){.header = true, .infer_schema = true}, &err);
    cr_assert(f, "%s", err.message);
    const lml_column *type = lml_frame_column_by_name(f, "_change_type", &err);
    const lml_column *ver = lml_frame_column_by_name(f, "_commit_version", &err);
    cr_assert(type && ver, "%s", err.message);
    int inserts = 0, deletes = 0;
    for (size_t i = 0; i < lml_frame_num_rows(f); i++) {
        size_t len;
        const char *s = lml_column_string_at(type, i, &len);
        int64_t v = lml_column_get(ver, i).v.i64;
        if (len == 6 && memcmp(s, "insert", 6) == 0)
            inserts += v <= 1;
        else if (len == 6 && memcmp(s, "delete", 6) == 0)
            deletes += v == 2;
    }
    cr_expect_eq(lml_frame_num_rows(f), 5);
    cr_expect_eq(inserts, 4);
    cr_expect_eq(deletes, 1);
    lml_frame_free(f);
}

Test(cli_delta_dml, help_lists_the_new_actions)
{
    lml_test_result r = lml_test_run("delta", "merge", "--help");
    cr_expect_eq(r.status, 0);
    cr_expect(strstr(r.out, "Usage: lakeml delta ACTION") && strstr(r.out, "--when-not-matched-by-source-delete") &&
                  strstr(r.out, "--retention-hours") && strstr(r.out, "\"committed\":true"),
              "%s", r.out);
    lml_test_result_free(&r);
    r = lml_test_run("delta", "--help");
    cr_expect(strstr(r.out, "  zorder ") && strstr(r.out, "  history "), "%s", r.out);
    lml_test_result_free(&r);
}

Test(cli_delta_dml, usage_errors_exit_2_before_touching_the_table)
{
    const char *t = make_table("usage", NULL, TARGET);
    const char *src = "x.csv";
    lml_test_expect_fail(lml_test_run("delta", "update", t), 2, "update needs at least one --set");
    lml_test_expect_fail(lml_test_run("delta", "update", t, "--set", "v"), 2, "expected column = expression, got 'v'");
    lml_test_expect_fail(lml_test_run("delta", "update", t, "--set", "v = 1,"), 2, "expected column = expression");
    lml_test_expect_fail(lml_test_run("delta", "update", t, "--set", "v <= 1"), 2, "expected column = expression");
    lml_test_expect_fail(lml_test_run("delta", "delete", t, "--by", "x"), 2, "--by does not apply to delete");
    lml_test_expect_fail(lml_test_run("delta", "delete", t, "--version", "0"), 2, "latest version");
    lml_test_expect_fail(lml_test_run("delta", "delete", t, "--delimiter", ";"), 2, "--delimiter applies to");
    lml_test_expect_fail(lml_test_run("delta", "merge", t, "--on", "t.id = s.id", "--when-matched-delete"), 2,
                         "--source PATH and --on");
    lml_test_expect_fail(lml_test_run("delta", "merge", t, "--source", src, "--on", "t.id = s.id"), 2,
                         "at least one --when");
    lml_test_expect_fail(lml_test_run("delta", "merge", t, "--source", src, "--if", "s.x", "--when-matched-delete"), 2,
                         "no --when-… clause before it");
    lml_test_expect_fail(lml_test_run("delta", "merge", t, "--source", src, "--when-matched-delete", "--if", "s.a",
                                      "--if", "s.b"),
                         2, "has a condition already ('s.a')");
    lml_test_expect_fail(lml_test_run("delta", "merge", t, "--source", src, "--format", "orc"), 2,
                         "expected csv, parquet or delta");
    lml_test_expect_fail(lml_test_run("delta", "zorder", t), 2, "zorder needs --by");
    lml_test_expect_fail(lml_test_run("delta", "zorder", t, "--by", "x,,y"), 2, "--by: expected");
    lml_test_expect_fail(lml_test_run("delta", "optimize", t, "--max-file-size", "0"), 2, "--max-file-size");
    lml_test_expect_fail(lml_test_run("delta", "optimize", t, "--max-file-size", "12q"), 2, "--max-file-size");
    lml_test_expect_fail(lml_test_run("delta", "vacuum", t, "--retention-hours", "abc"), 2, "--retention-hours");
    lml_test_expect_fail(lml_test_run("delta", "changes", t), 2, "--from V or --from-timestamp T");
    lml_test_expect_fail(lml_test_run("delta", "changes", t, "--from", "0", "--to-timestamp", "2024-01-01"), 2,
                         "not both");
    lml_test_expect_fail(lml_test_run("delta", "changes", t, "--from", "-1"), 2, "--from: expected a table version");
    lml_test_expect_fail(lml_test_run("delta", "changes", t, "--from", "0", "--format", "csv"), 2,
                         "--format applies to --output");
    lml_test_expect_fail(lml_test_run("delta", "vacuum", t, "--where", "x"), 2, "--where does not apply to vacuum");
    lml_test_expect_fail(lml_test_run("delta", "delete", t, "extra"), 2, "expected ACTION and TABLE");
    lml_test_expect_fail(lml_test_run("delta", "compact", t), 2, "unknown action 'compact'");
    expect_rows(t, "1,1.5,a|2,2.5,b|3,3.5,c|4,4.5,d");
}

Test(cli_delta_dml, library_errors_exit_1_with_the_library_message)
{
    const char *t = make_table("liberr", NULL, TARGET);
    lml_test_expect_fail(lml_test_run("delta", "delete", t, "--where", "nosuch = 1"), 1, "nosuch");
    lml_test_expect_fail(lml_test_run("delta", "delete", t, "--where", "id = = 1"), 1, "position");
    lml_test_expect_fail(lml_test_run("delta", "update", t, "--set", "v = 'x' + "), 1, "position");
    lml_test_expect_fail(lml_test_run("delta", "zorder", t, "--by", "nosuch"), 1, "nosuch");
    lml_test_expect_fail(lml_test_run("delta", "optimize", t, "--where", "id = 1"), 1, "partition");
    lml_test_expect_fail(lml_test_run("delta", "delete", lml_test_temp_dir()), 1, "not a Delta table");
    expect_rows(t, "1,1.5,a|2,2.5,b|3,3.5,c|4,4.5,d");
}

/* Delta writes: create / append / overwrite / restore with time travel to every version, the
 * commit JSON checked field by field without lakeml's reader, schema enforcement and evolution,
 * Hive partition directories, replaceWhere, save modes, idempotent transactions and
 * checkpoints. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lakeml/delta.h"
#include "delta_dml_support.h"
#include "support.h"

static int64_t write_ok(const lml_frame *f, const char *path, const lml_delta_write_options *o) {
    lml_error err = {0};
    int64_t v = -1;
    cr_assert(lml_delta_write(f, path, o, &v, &err), "%s", err.message);
    return v;
}

/* Sum of ids and row count of the table at a version (-1 = latest). */
static void totals(const char *path, int64_t version, int64_t *sum, size_t *n) {
    lml_error err = {0};
    lml_delta_open_options o = {.has_version = version >= 0, .version = version};
    lml_frame *f = lml_delta_read(path, &o, NULL, &err);
    cr_assert(f, "v%lld: %s", (long long)version, err.message);
    const lml_column *id = lml_frame_column_by_name(f, "id", &err);
    *sum = 0;
    *n = lml_frame_num_rows(f);
    for (size_t i = 0; i < *n; i++) *sum += lml_column_int64s(id)[i];
    lml_frame_free(f);
}

static int64_t range_sum(int64_t from, int64_t n) { return n * from + n * (n - 1) / 2; }

Test(delta_write, create_appends_overwrite_restore_and_time_travel) {
    char path[512];
    snprintf(path, sizeof path, "%s", dml_table_dir("t"));
    lml_frame *a = dml_rows(0, 10, 0), *b = dml_rows(10, 5, 0), *c = dml_rows(15, 7, 0), *d = dml_rows(100, 3, 0), *e = dml_rows(22, 4, 0);
    cr_assert_eq(write_ok(a, path, NULL), 0);
    lml_delta_write_options app = {.mode = LML_DELTA_APPEND}, ow = {.mode = LML_DELTA_OVERWRITE};
    cr_assert_eq(write_ok(b, path, &app), 1);
    cr_assert_eq(write_ok(c, path, &app), 2);
    cr_assert_eq(write_ok(e, path, &app), 3);
    cr_assert_eq(write_ok(d, path, &ow), 4);
    lml_error err = {0};
    int64_t v;
    cr_assert(lml_delta_restore_to_version(path, 2, &v, &err), "%s", err.message);
    cr_assert_eq(v, 5);
    struct { int64_t sum; size_t n; } want[] = {{range_sum(0, 10), 10}, {range_sum(0, 15), 15}, {range_sum(0, 22), 22},
                                                  {range_sum(0, 26), 26}, {range_sum(100, 3), 3}, {range_sum(0, 22), 22}};
    for (int64_t ver = 0; ver <= 5; ver++) {
        int64_t sum;
        size_t n;
        totals(path, ver, &sum, &n);
        cr_assert_eq(n, want[ver].n, "version %lld rows", (long long)ver);
        cr_assert_eq(sum, want[ver].sum, "version %lld sum of ids", (long long)ver);
    }
    /* History: newest first, Spark's operation names and parameters. */
    lml_delta_table *t = lml_delta_table_open(path, NULL, &err);
    cr_assert(t, "%s", err.message);
    lml_frame *h = lml_delta_table_history(t, 0, &err);
    cr_assert(h, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(h), 6);
    const lml_column *op = lml_frame_column_by_name(h, "operation", &err);
    const char *ops[] = {"RESTORE", "WRITE", "WRITE", "WRITE", "WRITE", "WRITE"};
    for (size_t i = 0; i < 6; i++) {
        size_t len;
        const char *s = lml_column_string_at(op, i, &len);
        cr_assert(len == strlen(ops[i]) && memcmp(s, ops[i], len) == 0, "history row %zu: %.*s", i, (int)len, s);
    }
    lml_frame_free(h);
    lml_delta_table_free(t);
    lml_frame_free(a), lml_frame_free(b), lml_frame_free(c), lml_frame_free(d), lml_frame_free(e);
}

/* The commit files, read as plain JSON lines: what Spark and delta-rs will see. */
Test(delta_write, commit_json_matches_the_protocol) {
    const char *path = dml_table_dir("j");
    lml_frame *a = dml_rows(0, 20, 3);
    write_ok(a, path, &(lml_delta_write_options){.partition_by = (const char *[]){"part", NULL}});
    char log0[600];
    snprintf(log0, sizeof log0, "%s/_delta_log/00000000000000000000.json", path);
    FILE *fp = fopen(log0, "r");
    cr_assert(fp);
    char line[8192];
    int n = 0, adds = 0;
    int64_t records = 0;
    while (fgets(line, sizeof line, fp)) {
        cJSON *o = cJSON_Parse(line);
        cr_assert(o, "line %d is not JSON", n);
        cr_assert_eq(cJSON_GetArraySize(o), 1, "one action per line");
        const cJSON *ci = cJSON_GetObjectItem(o, "commitInfo"), *pr = cJSON_GetObjectItem(o, "protocol"),
                    *md = cJSON_GetObjectItem(o, "metaData"), *ad = cJSON_GetObjectItem(o, "add");
        if (n == 0) {
            cr_assert(ci, "commitInfo comes first");
            cr_assert_str_eq(cJSON_GetObjectItem(ci, "operation")->valuestring, "WRITE");
            const cJSON *params = cJSON_GetObjectItem(ci, "operationParameters");
            cr_assert_str_eq(cJSON_GetObjectItem(params, "mode")->valuestring, "ErrorIfExists");
            cr_assert_str_eq(cJSON_GetObjectItem(params, "partitionBy")->valuestring, "[\"part\"]");
            cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(ci, "isBlindAppend")));
            cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(ci, "operationMetrics"), "numOutputRows")->valuestring, "20");
        }
        if (pr) {
            cr_assert_eq(cJSON_GetObjectItem(pr, "minReaderVersion")->valueint, 1);
            cr_assert_eq(cJSON_GetObjectItem(pr, "minWriterVersion")->valueint, 2);
        }
        if (md) {
            cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(md, "format"), "provider")->valuestring, "parquet");
            cr_assert_eq(strlen(cJSON_GetObjectItem(md, "id")->valuestring), 36);
            cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(md, "partitionColumns"), 0)->valuestring, "part");
            cJSON *schema = cJSON_Parse(cJSON_GetObjectItem(md, "schemaString")->valuestring);
            cr_assert(schema);
            const cJSON *fields = cJSON_GetObjectItem(schema, "fields");
            cr_assert_eq(cJSON_GetArraySize(fields), 3);
            cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(fields, 0), "type")->valuestring, "long");
            cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(fields, 2), "type")->valuestring, "integer");
            cJSON_Delete(schema);
        }
        if (ad) {
            adds++;
            const char *p = cJSON_GetObjectItem(ad, "path")->valuestring;
            cr_assert(strncmp(p, "part=", 5) == 0 && strstr(p, "/part-") && strstr(p, "-c000.snappy.parquet"), "path %s", p);
            const char *pv = cJSON_GetObjectItem(cJSON_GetObjectItem(ad, "partitionValues"), "part")->valuestring;
            cr_assert(strncmp(p + 5, pv, strlen(pv)) == 0 && p[5 + strlen(pv)] == '/', "directory matches partitionValues");
            cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(ad, "dataChange")));
            char file[1024];
            snprintf(file, sizeof file, "%s/%s", path, p);
            struct stat st;
            cr_assert(stat(file, &st) == 0, "data file %s exists", file);
            cr_assert_eq((double)st.st_size, cJSON_GetObjectItem(ad, "size")->valuedouble);
            cJSON *stats = cJSON_Parse(cJSON_GetObjectItem(ad, "stats")->valuestring);
            cr_assert(stats);
            records += (int64_t)cJSON_GetObjectItem(stats, "numRecords")->valuedouble;
            cr_assert(cJSON_GetObjectItem(cJSON_GetObjectItem(stats, "minValues"), "id"));
            cr_assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(stats, "minValues"), "part"), "no stats for partitions");
            cJSON_Delete(stats);
        }
        cJSON_Delete(o);
        n++;
    }
    fclose(fp);
    cr_assert_eq(adds, 3, "one file per partition value");
    cr_assert_eq(records, 20);
    lml_frame_free(a);
}

Test(delta_write, schema_enforcement_and_merge) {
    const char *path = dml_table_dir("s");
    lml_frame *a = dml_rows(0, 5, 0);
    write_ok(a, path, NULL);
    lml_error err = {0};
    /* An extra column is refused without mergeSchema, naming it. */
    double x[5] = {1, 2, 3, 4, 5};
    lml_column *xc = lml_column_from_doubles(x, NULL, 5, &err);
    lml_frame *b = lml_frame_with_column(a, "extra", xc, &err);
    lml_column_free(xc);
    lml_delta_write_options app = {.mode = LML_DELTA_APPEND};
    cr_assert_not(lml_delta_write(b, path, &app, NULL, &err));
    cr_assert(strstr(err.message, "extra"), "%s", err.message);
    /* A column of another type is LML_ETYPE naming both types. */
    lml_frame *c = lml_frame_cast(a, "id", LML_DOUBLE, &err);
    cr_assert(c, "%s", err.message);
    cr_assert_not(lml_delta_write(c, path, &app, NULL, &err));
    cr_assert_eq(err.code, LML_ETYPE, "%s", err.message);
    cr_assert(strstr(err.message, "id") && strstr(err.message, "double") && strstr(err.message, "long"), "%s", err.message);
    /* mergeSchema adds the column; older rows read it as null. */
    app.merge_schema = true;
    cr_assert_eq(write_ok(b, path, &app), 1);
    lml_frame *all = lml_delta_read(path, NULL, NULL, &err);
    cr_assert(all, "%s", err.message);
    cr_assert_eq(lml_frame_num_cols(all), 4);
    cr_assert_str_eq(lml_frame_column_name(all, 3), "extra");
    cr_assert_eq(lml_column_null_count(lml_frame_column(all, 3)), 5);
    /* A missing nullable column is written as null. */
    lml_frame *d = lml_frame_drop(a, (const char *[]){"name", NULL}, &err);
    app.merge_schema = false;
    cr_assert_eq(write_ok(d, path, &app), 2);
    lml_frame_free(all);
    all = lml_delta_read(path, NULL, NULL, &err);
    cr_assert_eq(lml_frame_num_rows(all), 15);
    /* overwriteSchema replaces schema and partitioning. */
    lml_delta_write_options ow = {.mode = LML_DELTA_OVERWRITE, .overwrite_schema = true,
                                  .partition_by = (const char *[]){"part", NULL}};
    cr_assert_eq(write_ok(c, path, &ow), 3);
    lml_delta_table *t = lml_delta_table_open(path, NULL, &err);
    cr_assert_eq(lml_delta_table_num_partition_columns(t), 1);
    lml_frame *sch = lml_delta_table_schema(t, &err);
    cr_assert_eq(lml_column_type(lml_frame_column(sch, 0)), LML_DOUBLE);
    lml_frame_free(sch);
    lml_delta_table_free(t);
    lml_frame_free(all), lml_frame_free(a), lml_frame_free(b), lml_frame_free(c), lml_frame_free(d);
}

Test(delta_write, save_modes_and_idempotent_transactions) {
    const char *path = dml_table_dir("m");
    lml_frame *a = dml_rows(0, 4, 0);
    write_ok(a, path, NULL);
    lml_error err = {0};
    cr_assert_not(lml_delta_write(a, path, NULL, NULL, &err), "ErrorIfExists on an existing table");
    cr_assert(strstr(err.message, "already exists"), "%s", err.message);
    int64_t v = 99;
    cr_assert(lml_delta_write(a, path, &(lml_delta_write_options){.mode = LML_DELTA_IGNORE}, &v, &err));
    cr_assert_eq(v, 0, "Ignore writes nothing");
    lml_delta_write_options tx = {.mode = LML_DELTA_APPEND, .txn_app_id = "job-7", .txn_version = 3};
    cr_assert_eq(write_ok(a, path, &tx), 1);
    cr_assert_eq(write_ok(a, path, &tx), 1, "the same batch again is skipped");
    tx.txn_version = 2;
    cr_assert_eq(write_ok(a, path, &tx), 1, "an older batch is skipped");
    tx.txn_version = 4;
    cr_assert_eq(write_ok(a, path, &tx), 2);
    int64_t sum;
    size_t n;
    totals(path, -1, &sum, &n);
    cr_assert_eq(n, 12);
    lml_frame_free(a);
}

Test(delta_write, replace_where_replaces_only_matching_partitions) {
    const char *path = dml_table_dir("rw");
    lml_frame *a = dml_rows(0, 30, 3); /* parts 0, 1, 2 */
    write_ok(a, path, &(lml_delta_write_options){.partition_by = (const char *[]){"part", NULL}});
    lml_frame *b = dml_rows(1000, 6, 0); /* all part 0 */
    lml_delta_write_options o = {.mode = LML_DELTA_OVERWRITE, .replace_where = "part = 0"};
    cr_assert_eq(write_ok(b, path, &o), 1);
    int64_t sum;
    size_t n;
    totals(path, -1, &sum, &n);
    int64_t kept = 0;
    for (int64_t i = 0; i < 30; i++) kept += i % 3 ? i : 0;
    cr_assert_eq(n, 20 + 6);
    cr_assert_eq(sum, kept + range_sum(1000, 6));
    /* Rows outside the predicate are refused. */
    lml_frame *c = dml_rows(0, 3, 3);
    lml_error err = {0};
    cr_assert_not(lml_delta_write(c, path, &o, NULL, &err));
    cr_assert(strstr(err.message, "DELTA_REPLACE_WHERE_MISMATCH"), "%s", err.message);
    lml_frame_free(a), lml_frame_free(b), lml_frame_free(c);
}

/* commitInfo of a version (the first line of its commit file), parsed. */
static cJSON *commit_info_of(const char *path, int64_t version) {
    char *text = dml_commit_text(path, version);
    *strchr(text, '\n') = '\0';
    cJSON *o = cJSON_Parse(text);
    free(text);
    cr_assert(o && cJSON_GetObjectItem(o, "commitInfo"), "%s version %lld", path, (long long)version);
    return o;
}

static const char *metric(const cJSON *ci, const char *key) {
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(ci, "operationMetrics"), key);
    return v ? v->valuestring : "(absent)";
}

Test(delta_write, replace_where_on_data_columns_rewrites_only_matching_rows) {
    const char *path = dml_table_dir("rw_data");
    lml_frame *a = dml_rows(0, 30, 0);
    /* Three files: ids 0-9, 10-19, 20-29. */
    write_ok(a, path, &(lml_delta_write_options){.max_records_per_file = 10});
    lml_frame *b = dml_rows(12, 2, 0); /* ids 12, 13 replace ids 12, 13, 14 */
    lml_delta_write_options o = {.mode = LML_DELTA_OVERWRITE, .replace_where = "id >= 12 AND id < 15"};
    cr_assert_eq(write_ok(b, path, &o), 1);
    int64_t sum;
    size_t n;
    totals(path, -1, &sum, &n);
    cr_assert_eq(n, 29);
    cr_assert_eq(sum, range_sum(0, 30) - 14);
    cJSON *o1 = commit_info_of(path, 1);
    const cJSON *ci = cJSON_GetObjectItem(o1, "commitInfo");
    cr_assert_str_eq(cJSON_GetObjectItem(ci, "operation")->valuestring, "WRITE");
    const cJSON *params = cJSON_GetObjectItem(ci, "operationParameters");
    cr_assert_str_eq(cJSON_GetObjectItem(params, "mode")->valuestring, "Overwrite");
    cr_assert_str_eq(cJSON_GetObjectItem(params, "predicate")->valuestring, "[\"((id >= 12) AND (id < 15))\"]");
    /* Only the file of ids 10-19 is touched: 3 rows deleted, 7 copied into its rewrite, plus the
     * file of the 2 new rows. */
    cr_assert_str_eq(metric(ci, "numRemovedFiles"), "1");
    cr_assert_str_eq(metric(ci, "numDeletedRows"), "3");
    cr_assert_str_eq(metric(ci, "numCopiedRows"), "7");
    cr_assert_str_eq(metric(ci, "numFiles"), "2");
    cr_assert_str_eq(metric(ci, "numOutputRows"), "2");
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(ci, "isBlindAppend")));
    cJSON_Delete(o1);
    lml_error err = {0};
    lml_delta_table *t = lml_delta_table_open(path, NULL, &err);
    cr_assert(t, "%s", err.message);
    cr_assert_eq(lml_delta_table_num_files(t), 4);
    lml_delta_table_free(t);

    /* A row outside the condition is refused and nothing is committed. */
    lml_frame *c = dml_rows(40, 1, 0);
    cr_assert_not(lml_delta_write(c, path, &o, NULL, &err));
    cr_assert(strstr(err.message, "DELTA_REPLACE_WHERE_MISMATCH"), "%s", err.message);
    cr_assert(strstr(err.message, "row 0"), "%s", err.message);
    /* An unknown column in the condition names it. */
    lml_delta_write_options bad = {.mode = LML_DELTA_OVERWRITE, .replace_where = "nope = 1"};
    cr_assert_not(lml_delta_write(b, path, &bad, NULL, &err));
    cr_assert(strstr(err.message, "nope"), "%s", err.message);
    t = lml_delta_table_open(path, NULL, &err);
    cr_assert_eq(lml_delta_table_version(t), 1);
    lml_delta_table_free(t);
    lml_frame_free(a), lml_frame_free(b), lml_frame_free(c);
}

Test(delta_write, partition_values_with_special_characters_and_nulls) {
    const char *path = dml_table_dir("pv");
    lml_error err = {0};
    const char *keys[] = {"a/b", "c d", "x=y%z", NULL, "", "é"};
    int64_t ids[] = {1, 2, 3, 4, 5, 6};
    lml_column *k = lml_column_from_strings(keys, 6, &err), *id = lml_column_from_int64s(ids, NULL, 6, &err);
    lml_frame *f = lml_frame_new(2, (const char *[]){"id", "k"}, (lml_column *[]){id, k}, &err);
    lml_column_free(k), lml_column_free(id);
    write_ok(f, path, &(lml_delta_write_options){.partition_by = (const char *[]){"k", NULL}});
    lml_frame *back = lml_delta_read(path, NULL, NULL, &err);
    cr_assert(back, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(back), 6);
    const lml_column *bk = lml_frame_column_by_name(back, "k", &err), *bi = lml_frame_column_by_name(back, "id", &err);
    for (size_t r = 0; r < 6; r++) {
        int64_t i = lml_column_int64s(bi)[r];
        const char *want = keys[i - 1];
        if (!want || !*want) { /* null and "" are both a null partition value, as in Spark */
            cr_assert(lml_column_is_null(bk, r), "id %lld: null partition", (long long)i);
            continue;
        }
        size_t len;
        const char *s = lml_column_string_at(bk, r, &len);
        cr_assert(len == strlen(want) && memcmp(s, want, len) == 0, "id %lld: '%.*s' vs '%s'", (long long)i, (int)len, s, want);
    }
    char dir[600];
    snprintf(dir, sizeof dir, "%s/k=__HIVE_DEFAULT_PARTITION__", path);
    struct stat st;
    cr_assert(stat(dir, &st) == 0 && S_ISDIR(st.st_mode), "null partition directory");
    snprintf(dir, sizeof dir, "%s/k=a%%2Fb", path);
    cr_assert(stat(dir, &st) == 0, "'/' escaped in the directory name");
    lml_frame_free(back), lml_frame_free(f);
}

Test(delta_write, checkpoint_every_ten_commits) {
    const char *path = dml_table_dir("cp");
    lml_frame *a = dml_rows(0, 2, 0);
    write_ok(a, path, NULL);
    lml_delta_write_options app = {.mode = LML_DELTA_APPEND};
    for (int i = 1; i <= 11; i++) write_ok(a, path, &app);
    char f[600];
    snprintf(f, sizeof f, "%s/_delta_log/00000000000000000010.checkpoint.parquet", path);
    struct stat st;
    cr_assert(stat(f, &st) == 0, "checkpoint at version 10");
    snprintf(f, sizeof f, "%s/_delta_log/_last_checkpoint", path);
    FILE *fp = fopen(f, "r");
    cr_assert(fp);
    char text[2048] = "";
    cr_assert(fread(text, 1, sizeof text - 1, fp) > 0);
    fclose(fp);
    cJSON *o = cJSON_Parse(text);
    cr_assert_eq(cJSON_GetObjectItem(o, "version")->valueint, 10);
    cJSON_Delete(o);
    /* With the commits before the checkpoint gone, the table still opens at 10 and 11. */
    for (int v = 0; v < 10; v++) {
        snprintf(f, sizeof f, "%s/_delta_log/%020d.json", path, v);
        cr_assert(unlink(f) == 0);
    }
    int64_t sum;
    size_t n;
    totals(path, -1, &sum, &n);
    cr_assert_eq(n, 24);
    totals(path, 10, &sum, &n);
    cr_assert_eq(n, 22);
    lml_error err = {0};
    lml_delta_open_options o9 = {.has_version = true, .version = 9};
    cr_assert_null(lml_delta_table_open(path, &o9, &err));
    cr_assert(strstr(err.message, "Available versions: [10, 11]"), "%s", err.message);
    lml_frame_free(a);
}

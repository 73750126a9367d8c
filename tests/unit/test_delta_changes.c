/* Change Data Feed reads (src/delta/changes*.c, spec/delta.md §14): the two Spark-written CDF
 * tables of ../shared (cdc files, in-commit timestamps, a log that starts at a checkpoint) with
 * the expected changes derived here from the logs and the Parquet files themselves; tables written
 * by lakeml (append, overwrite → inserts and deletes); deletion vectors added and widened in a
 * commit; dataChange=false commits; version and timestamp ranges; Spark's errors. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "delta/dv.h"
#include "lakeml/delta.h"
#include "lakeml/parquet.h"
#include "delta_dml_support.h"
#include "support.h"

/* ---- reading the result */

static const lml_column *col(const lml_frame *f, const char *name) {
    lml_error err = {0};
    const lml_column *c = lml_frame_column_by_name(f, name, &err);
    cr_assert_not_null(c, "%s", err.message);
    return c;
}

static bool str_is(const lml_column *c, size_t i, const char *want) {
    size_t len = 0;
    const char *s = lml_column_string_at(c, i, &len);
    return s && len == strlen(want) && memcmp(s, want, len) == 0;
}

/* Rows with this change type (and version, -1 = any). */
static size_t count(const lml_frame *f, const char *type, int64_t version) {
    const lml_column *t = col(f, "_change_type"), *v = col(f, "_commit_version");
    size_t n = 0;
    for (size_t i = 0; i < lml_frame_num_rows(f); i++)
        n += str_is(t, i, type) && (version < 0 || lml_column_int64s(v)[i] == version);
    return n;
}

/* The index of the row whose string column `key` is `value` with this change type, or -1. */
static long find(const lml_frame *f, const char *key, const char *value, const char *type) {
    const lml_column *k = col(f, key), *t = col(f, "_change_type");
    for (size_t i = 0; i < lml_frame_num_rows(f); i++)
        if (str_is(k, i, value) && str_is(t, i, type)) return (long)i;
    return -1;
}

/* ---- what the log and the files say, independently of src/delta */

typedef struct expected {
    size_t insert, delete, pre, post;
} expected;

static size_t rows_of(const char *path) {
    lml_error err = {0};
    lml_frame *f = lml_parquet_read(path, NULL, &err);
    cr_assert_not_null(f, "%s: %s", path, err.message);
    size_t n = lml_frame_num_rows(f);
    lml_frame_free(f);
    return n;
}

/* Percent-decoding of a log path (the paths of these tables only escape '%'). */
static void decode(const char *in, char *out) {
    for (; *in; in++)
        if (in[0] == '%' && in[1] && in[2]) {
            char hex[3] = {in[1], in[2], 0};
            *out++ = (char)strtol(hex, NULL, 16);
            in += 2;
        } else {
            *out++ = *in;
        }
    *out = 0;
}

/* Version v's changes: its cdc files' _change_type values when it has cdc files, else the rows
 * of its dataChange adds (inserts) and removes (deletes). */
static void expect_version(const char *root, int64_t v, expected *e) {
    char *text = dml_commit_text(root, v);
    bool cdc = strstr(text, "{\"cdc\":") != NULL;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *j = cJSON_Parse(line);
        const char *kinds[] = {"cdc", "add", "remove"};
        for (int k = 0; k < 3; k++) {
            cJSON *a = cJSON_GetObjectItem(j, kinds[k]);
            if (!a || (cdc && k > 0) || (!cdc && k == 0) || (k > 0 && !cJSON_IsTrue(cJSON_GetObjectItem(a, "dataChange"))))
                continue;
            char rel[512], file[1024];
            decode(cJSON_GetObjectItem(a, "path")->valuestring, rel);
            snprintf(file, sizeof file, "%s/%s", root, rel);
            if (k == 1) e->insert += rows_of(file);
            if (k == 2) e->delete += rows_of(file);
            if (k == 0) {
                lml_error err = {0};
                lml_frame *f = lml_parquet_read(file, NULL, &err);
                cr_assert_not_null(f, "%s", err.message);
                const lml_column *t = col(f, "_change_type");
                for (size_t i = 0; i < lml_frame_num_rows(f); i++) {
                    e->insert += str_is(t, i, "insert");
                    e->delete += str_is(t, i, "delete");
                    e->pre += str_is(t, i, "update_preimage");
                    e->post += str_is(t, i, "update_postimage");
                }
                lml_frame_free(f);
            }
        }
        cJSON_Delete(j);
    }
    free(text);
}

static void check_counts(const lml_frame *f, const char *root, int64_t from, int64_t to) {
    size_t total = 0;
    for (int64_t v = from; v <= to; v++) {
        expected e = {0};
        expect_version(root, v, &e);
        cr_assert_eq(count(f, "insert", v), e.insert, "v%lld inserts", (long long)v);
        cr_assert_eq(count(f, "delete", v), e.delete, "v%lld deletes", (long long)v);
        cr_assert_eq(count(f, "update_preimage", v), e.pre, "v%lld preimages", (long long)v);
        cr_assert_eq(count(f, "update_postimage", v), e.post, "v%lld postimages", (long long)v);
        total += e.insert + e.delete + e.pre + e.post;
    }
    cr_assert_eq(lml_frame_num_rows(f), total);
}

static lml_frame *changes(const char *root, int64_t start, int64_t end) {
    lml_error err = {0};
    lml_delta_changes_options o = {.starting_version = start, .has_ending_version = end >= 0, .ending_version = end};
    lml_frame *f = lml_delta_table_changes(root, &o, &err);
    cr_assert_not_null(f, "%s", err.message);
    return f;
}

/* ---- Spark-written tables */

Test(delta_changes, cdc_ict_table_reads_cdc_files_inserts_and_in_commit_timestamps) {
    LML_REQUIRE_SHARED(root, "conformance/delta/delta-rs/cdc_ict_table");
    lml_frame *f = changes(root, 0, -1);
    check_counts(f, root, 0, 3);
    cr_assert_eq(lml_frame_num_rows(f), 4 + 2 + 4);
    const char *names[] = {"name", "birthyear", "age", "_change_type", "_commit_version", "_commit_timestamp"};
    cr_assert_eq(lml_frame_num_cols(f), 6);
    for (size_t i = 0; i < 6; i++) cr_assert_str_eq(lml_frame_column_name(f, i), names[i]);
    cr_assert_eq(lml_column_type(col(f, "_commit_timestamp")), LML_TIMESTAMP);
    cr_assert_eq(lml_column_type(col(f, "_commit_version")), LML_INT64);
    /* Dave (1995, 22) was deleted by version 2's DELETE; Steve aged from 40 to 41 in version 3. */
    long d = find(f, "name", "Dave", "delete");
    cr_assert_geq(d, 0);
    cr_assert_eq(lml_column_int32s(col(f, "birthyear"))[d], 1995);
    cr_assert_eq(lml_column_int32s(col(f, "age"))[d], 22);
    cr_assert_eq(lml_column_int64s(col(f, "_commit_version"))[d], 2);
    cr_assert_eq(lml_column_int64s(col(f, "_commit_timestamp"))[d], 1783874212175LL * 1000);
    long pre = find(f, "name", "Steve", "update_preimage"), post = find(f, "name", "Steve", "update_postimage");
    cr_assert(pre >= 0 && post >= 0);
    cr_assert_eq(lml_column_int32s(col(f, "age"))[pre], 40);
    cr_assert_eq(lml_column_int32s(col(f, "age"))[post], 41);
    cr_assert_eq(lml_column_int32s(col(f, "birthyear"))[post], 1986);
    /* Version 1's in-commit timestamp is taken as written, even though it is before version 0's. */
    long kate = find(f, "name", "Kate", "insert");
    cr_assert_geq(kate, 0);
    cr_assert_eq(lml_column_int64s(col(f, "_commit_version"))[kate], 1);
    cr_assert_eq(lml_column_int64s(col(f, "_commit_timestamp"))[kate], 1683874206883LL * 1000);
    lml_frame_free(f);

    f = changes(root, 2, 2);
    cr_assert_eq(lml_frame_num_rows(f), 2);
    cr_assert_eq(count(f, "delete", 2), 2);
    cr_assert_geq(find(f, "name", "Dan", "delete"), 0);
    lml_frame_free(f);
}

Test(delta_changes, checkpoint_cdf_table_reads_from_the_checkpoint_version_on) {
    LML_REQUIRE_SHARED(root, "conformance/delta/delta-rs/checkpoint-cdf-table");
    lml_frame *f = changes(root, 3, 5);
    check_counts(f, root, 3, 5);
    cr_assert_eq(count(f, "insert", 4), 4);
    long o = find(f, "name", "Ossama", "update_postimage");
    cr_assert_geq(o, 0);
    cr_assert_eq(lml_column_int64s(col(f, "_commit_version"))[o], 5);
    long dennis = find(f, "name", "Dennis", "delete");
    cr_assert_geq(dennis, 0);
    cr_assert_eq(lml_column_int64s(col(f, "_commit_version"))[dennis], 3);
    lml_frame_free(f);
    /* Versions 0-2 were cleaned up: the start snapshot cannot be rebuilt. */
    lml_error err = {0};
    lml_delta_changes_options opt = {.starting_version = 0};
    cr_assert_null(lml_delta_table_changes(root, &opt, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND, "%d %s", err.code, err.message);
}

/* ---- tables written by lakeml */

static lml_frame *ids(int64_t from, size_t n) {
    lml_error err = {0};
    int64_t id[64];
    const char *name[64];
    char buf[64][16];
    cr_assert_leq(n, 64);
    for (size_t i = 0; i < n; i++) {
        id[i] = from + (int64_t)i;
        snprintf(buf[i], sizeof buf[i], "r%lld", (long long)id[i]);
        name[i] = buf[i];
    }
    lml_column *cols[2] = {lml_column_from_int64s(id, NULL, n, &err), lml_column_from_strings(name, n, &err)};
    lml_frame *f = lml_frame_new(2, (const char *[]){"id", "name"}, cols, &err);
    cr_assert(f, "%s", err.message);
    lml_column_free(cols[0]);
    lml_column_free(cols[1]);
    return f;
}

static void write_ids(const char *root, int64_t from, size_t n, lml_delta_mode mode, bool cdf) {
    lml_frame *f = ids(from, n);
    lml_delta_write_options o = {
        .mode = mode,
        .properties = cdf ? (const char *[]){"delta.enableChangeDataFeed", "true", "delta.enableDeletionVectors", "true", NULL} : NULL};
    lml_error err = {0};
    cr_assert(lml_delta_write(f, root, &o, NULL, &err), "%s", err.message);
    lml_frame_free(f);
}

static void table(char root[512], bool cdf) {
    snprintf(root, 512, "%s/t", lml_test_temp_dir());
    write_ids(root, 0, 5, LML_DELTA_ERROR_IF_EXISTS, cdf); /* v0: 0..4 */
    write_ids(root, 5, 3, LML_DELTA_APPEND, false);        /* v1: 5..7 */
    write_ids(root, 100, 2, LML_DELTA_OVERWRITE, false);   /* v2: 100, 101; removes 0..7 */
}

static int64_t sum_ids(const lml_frame *f, const char *type, int64_t version) {
    const lml_column *t = col(f, "_change_type"), *v = col(f, "_commit_version"), *id = col(f, "id");
    int64_t s = 0;
    for (size_t i = 0; i < lml_frame_num_rows(f); i++)
        if (str_is(t, i, type) && lml_column_int64s(v)[i] == version) s += lml_column_int64s(id)[i];
    return s;
}

Test(delta_changes, lakeml_append_and_overwrite_are_inserts_and_deletes) {
    char root[512];
    table(root, true);
    lml_frame *f = changes(root, 0, -1);
    cr_assert_eq(lml_frame_num_rows(f), 5 + 3 + 8 + 2);
    cr_assert_eq(count(f, "insert", 0), 5);
    cr_assert_eq(sum_ids(f, "insert", 0), 0 + 1 + 2 + 3 + 4);
    cr_assert_eq(count(f, "insert", 1), 3);
    cr_assert_eq(sum_ids(f, "insert", 1), 5 + 6 + 7);
    cr_assert_eq(count(f, "delete", 2), 8);
    cr_assert_eq(sum_ids(f, "delete", 2), 28);
    cr_assert_eq(count(f, "insert", 2), 2);
    cr_assert_eq(sum_ids(f, "insert", 2), 201);
    long r6 = find(f, "name", "r6", "delete");
    cr_assert_geq(r6, 0);
    cr_assert_eq(lml_column_int64s(col(f, "id"))[r6], 6);
    /* _commit_timestamp: each commit file's mtime, made increasing. */
    struct stat st;
    char p[1024];
    snprintf(p, sizeof p, "%s/_delta_log/%020d.json", root, 0);
    cr_assert_eq(stat(p, &st), 0);
    long r0 = find(f, "name", "r0", "insert");
    int64_t ms0 = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
    cr_assert_eq(lml_column_int64s(col(f, "_commit_timestamp"))[r0], ms0 * 1000);
    lml_frame_free(f);

    f = changes(root, 1, 1);
    cr_assert_eq(lml_frame_num_rows(f), 3);
    cr_assert_eq(count(f, "insert", 1), 3);
    lml_frame_free(f);
}

static void set_mtime(const char *root, int v, time_t t) {
    char p[1024];
    snprintf(p, sizeof p, "%s/_delta_log/%020d.json", root, v);
    struct timespec ts[2] = {{.tv_sec = t}, {.tv_sec = t}};
    cr_assert_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
}

Test(delta_changes, timestamp_ranges_pick_the_commits_around_them) {
    char root[512];
    table(root, true);
    set_mtime(root, 0, 1704067200); /* 2024-01-01 00:00:00 UTC */
    set_mtime(root, 1, 1704153600); /* 2024-01-02 */
    set_mtime(root, 2, 1704240000); /* 2024-01-03 */
    lml_error err = {0};
    lml_delta_changes_options o = {.starting_timestamp = "2024-01-01 12:00:00", .ending_timestamp = "2024-01-02 12:00:00"};
    lml_frame *f = lml_delta_table_changes(root, &o, &err);
    cr_assert_not_null(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(f), 3, "only version 1");
    cr_assert_eq(count(f, "insert", 1), 3);
    cr_assert_eq(lml_column_int64s(col(f, "_commit_timestamp"))[0], 1704153600LL * 1000000);
    lml_frame_free(f);
    o = (lml_delta_changes_options){.starting_timestamp = "2024-01-02"};
    f = lml_delta_table_changes(root, &o, &err);
    cr_assert_not_null(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(f), 3 + 10, "versions 1 and 2");
    lml_frame_free(f);
    o = (lml_delta_changes_options){.starting_timestamp = "2023-06-01", .ending_timestamp = "2030-01-01"};
    f = lml_delta_table_changes(root, &o, &err);
    cr_assert_not_null(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(f), 18, "everything");
    lml_frame_free(f);
    o = (lml_delta_changes_options){.starting_timestamp = "2024-01-04"};
    cr_assert_null(lml_delta_table_changes(root, &o, &err));
    cr_assert(strstr(err.message, "DELTA_TIMESTAMP_GREATER_THAN_COMMIT"), "%s", err.message);
    o = (lml_delta_changes_options){.starting_timestamp = "yesterday"};
    cr_assert_null(lml_delta_table_changes(root, &o, &err));
    cr_assert_eq(err.code, LML_EINVAL);
}

Test(delta_changes, bad_ranges_and_tables_without_the_feed_fail_as_spark) {
    char root[512];
    table(root, true);
    lml_error err = {0};
    lml_delta_changes_options o = {.starting_version = 2, .has_ending_version = true, .ending_version = 1};
    cr_assert_null(lml_delta_table_changes(root, &o, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "CDC range from start 2 to end 1 was invalid. End cannot be before start."), "%s",
              err.message);
    o = (lml_delta_changes_options){.starting_version = 9};
    cr_assert_null(lml_delta_table_changes(root, &o, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    cr_assert(strstr(err.message, "Provided Start version(9) for reading change data is invalid. Start version cannot "
                                  "be greater than the latest version of the table(2)."),
              "%s", err.message);
    /* An ending version past the latest reads up to the latest (Spark clamps it). */
    o = (lml_delta_changes_options){.starting_version = 2, .has_ending_version = true, .ending_version = 50};
    lml_frame *f = lml_delta_table_changes(root, &o, &err);
    cr_assert_not_null(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(f), 10);
    lml_frame_free(f);

    char plain[512];
    table(plain, false);
    o = (lml_delta_changes_options){.starting_version = 0, .has_ending_version = true, .ending_version = 2};
    cr_assert_null(lml_delta_table_changes(plain, &o, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "Error getting change data for range [0 , 2] as change data was not recorded for "
                                  "version [0]"),
              "%s", err.message);
    cr_assert(strstr(err.message, "DELTA_MISSING_CHANGE_DATA"), "%s", err.message);
}

/* ---- hand-made commits: metadata turning the feed off, deletion vectors, dataChange=false */

static char *line_of(const char *root, int v, const char *kind, const char *contains) {
    char p[1024];
    snprintf(p, sizeof p, "%s/_delta_log/%020d.json", root, v);
    char *text = lml_test_slurp(p), *hit = NULL;
    for (char *line = strtok(text, "\n"); line && !hit; line = strtok(NULL, "\n")) {
        char key[32];
        snprintf(key, sizeof key, "{\"%s\":", kind);
        if (strncmp(line, key, strlen(key)) == 0 && (!contains || strstr(line, contains))) hit = strdup(line);
    }
    free(text);
    cr_assert_not_null(hit, "no %s in version %d", kind, v);
    return hit;
}

static void put_commit(const char *root, int v, const char *body) {
    char p[1024];
    snprintf(p, sizeof p, "%s/_delta_log/%020d.json", root, v);
    FILE *f = fopen(p, "wb");
    cr_assert_not_null(f);
    fprintf(f, "{\"commitInfo\":{\"timestamp\":%lld,\"operation\":\"MANUAL\"}}\n%s", (long long)time(NULL) * 1000, body);
    fclose(f);
}

Test(delta_changes, a_version_that_turns_the_feed_off_stops_the_read) {
    char root[512];
    table(root, true);
    char *meta = line_of(root, 0, "metaData", NULL);
    char *on = strstr(meta, "\"delta.enableChangeDataFeed\":\"true\"");
    cr_assert_not_null(on);
    /* The same metaData with the value "false": "true" becomes "fals" plus an inserted 'e'. */
    memcpy(on + strlen("\"delta.enableChangeDataFeed\":\""), "fals", 4);
    char body[8192];
    size_t at = (size_t)(on - meta) + strlen("\"delta.enableChangeDataFeed\":\"") + 4;
    snprintf(body, sizeof body, "%.*se%s\n", (int)at, meta, meta + at);
    cr_assert(strstr(body, "\"delta.enableChangeDataFeed\":\"false\""), "%s", body);
    put_commit(root, 3, body);
    free(meta);
    lml_error err = {0};
    lml_delta_changes_options o = {.starting_version = 0};
    cr_assert_null(lml_delta_table_changes(root, &o, &err));
    cr_assert(strstr(err.message, "range [0 , 3] as change data was not recorded for version [3]"), "%s", err.message);
    o = (lml_delta_changes_options){.starting_version = 0, .has_ending_version = true, .ending_version = 2};
    lml_frame *f = lml_delta_table_changes(root, &o, &err);
    cr_assert_not_null(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(f), 18);
    lml_frame_free(f);
}

/* The v2 add of id 100/101 re-added with a DV of `rows` (remove with the previous DV, if any). */
static void readd_with_dv(const char *root, int v, const char *prev_add, const uint64_t *rows, size_t n,
                          char **new_add) {
    lml_dv_descriptor d;
    char *owned;
    lml_error err = {0};
    cr_assert(lml_dv_write(root, rows, n, &d, &owned, &err), "%s", err.message);
    cJSON *a = cJSON_Parse(prev_add), *add = cJSON_GetObjectItem(a, "add");
    cJSON *rm = cJSON_Duplicate(add, true);
    cJSON_DeleteItemFromObject(rm, "stats");
    cJSON_DeleteItemFromObject(rm, "modificationTime");
    cJSON_AddNumberToObject(rm, "deletionTimestamp", (double)time(NULL) * 1000);
    cJSON_DeleteItemFromObject(add, "deletionVector");
    cJSON *dv = cJSON_CreateObject();
    cJSON_AddStringToObject(dv, "storageType", "u");
    cJSON_AddStringToObject(dv, "pathOrInlineDv", owned);
    cJSON_AddNumberToObject(dv, "offset", 1);
    cJSON_AddNumberToObject(dv, "sizeInBytes", (double)d.size_in_bytes);
    cJSON_AddNumberToObject(dv, "cardinality", (double)n);
    cJSON_AddItemToObject(add, "deletionVector", dv);
    cJSON *r = cJSON_CreateObject();
    cJSON_AddItemToObject(r, "remove", rm);
    char *rs = cJSON_PrintUnformatted(r), *as = cJSON_PrintUnformatted(a);
    char body[16384];
    snprintf(body, sizeof body, "%s\n%s\n", rs, as);
    put_commit(root, v, body);
    *new_add = strdup(as);
    free(rs), free(as), free(owned);
    cJSON_Delete(r);
    cJSON_Delete(a);
}

Test(delta_changes, deletion_vectors_added_and_widened_are_deletes_of_the_new_rows) {
    char root[512];
    snprintf(root, sizeof root, "%s/t", lml_test_temp_dir());
    write_ids(root, 0, 10, LML_DELTA_ERROR_IF_EXISTS, true); /* v0: one file, ids 0..9 at rows 0..9 */
    char *add0 = line_of(root, 0, "add", NULL), *add1, *add2;
    static const uint64_t first[] = {1, 3}, second[] = {1, 3, 4, 8};
    readd_with_dv(root, 1, add0, first, 2, &add1);
    readd_with_dv(root, 2, add1, second, 4, &add2);
    lml_frame *f = changes(root, 1, 2);
    cr_assert_eq(lml_frame_num_rows(f), 4);
    cr_assert_eq(count(f, "delete", 1), 2);
    cr_assert_eq(sum_ids(f, "delete", 1), 1 + 3);
    cr_assert_eq(count(f, "delete", 2), 2);
    cr_assert_eq(sum_ids(f, "delete", 2), 4 + 8);
    lml_frame_free(f);
    /* Back to the first DV (a RESTORE): rows 4 and 8 come back as inserts. */
    char *add3;
    readd_with_dv(root, 3, add2, first, 2, &add3);
    f = changes(root, 3, 3);
    cr_assert_eq(lml_frame_num_rows(f), 2);
    cr_assert_eq(sum_ids(f, "insert", 3), 4 + 8);
    lml_frame_free(f);
    /* The table reads rows 0..9 minus 1 and 3. */
    lml_error err = {0};
    lml_frame *now = lml_delta_read(root, NULL, NULL, &err);
    cr_assert_not_null(now, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(now), 8);
    lml_frame_free(now);
    free(add0), free(add1), free(add2), free(add3);
}

Test(delta_changes, data_change_false_commits_contribute_nothing) {
    char root[512];
    table(root, true);
    /* An OPTIMIZE-like rewrite: the v2 files removed and re-added with dataChange=false. */
    char *add = line_of(root, 2, "add", NULL);
    char *dc = strstr(add, "\"dataChange\":true");
    cr_assert_not_null(dc);
    char body[8192];
    snprintf(body, sizeof body, "%.*s\"dataChange\":false%s\n", (int)(dc - add), add, dc + strlen("\"dataChange\":true"));
    put_commit(root, 3, body);
    free(add);
    lml_frame *f = changes(root, 3, 3);
    cr_assert_eq(lml_frame_num_rows(f), 0);
    cr_assert_eq(lml_frame_num_cols(f), 5);
    cr_assert_str_eq(lml_frame_column_name(f, 4), "_commit_timestamp");
    cr_assert_eq(lml_column_type(col(f, "_commit_timestamp")), LML_TIMESTAMP);
    cr_assert_eq(lml_column_type(col(f, "id")), LML_INT64);
    lml_frame_free(f);
}

/* ---- changes written by lakeml's own DELETE and UPDATE */

static void cdf_table(char root[512], bool dv) {
    snprintf(root, 512, "%s/t", lml_test_temp_dir());
    lml_frame *f = ids(0, 10);
    const char *props_dv[] = {"delta.enableChangeDataFeed", "true", "delta.enableDeletionVectors", "true", NULL};
    const char *props[] = {"delta.enableChangeDataFeed", "true", NULL};
    lml_delta_write_options o = {.properties = dv ? props_dv : props};
    lml_error err = {0};
    cr_assert(lml_delta_write(f, root, &o, NULL, &err), "%s", err.message);
    lml_frame_free(f);
}

static void check_dml(bool dv) {
    char root[512];
    cdf_table(root, dv);
    lml_error err = {0};
    lml_delta_result r = {0};
    cr_assert(lml_delta_delete(root, "id < 2", NULL, &r, &err), "%s", err.message);
    cr_assert_eq(r.version, 1);
    lml_delta_result_clear(&r);
    const char *set[] = {"name", "'changed'", NULL};
    cr_assert(lml_delta_update(root, "id = 3", set, NULL, &r, &err), "%s", err.message);
    cr_assert_eq(r.version, 2);
    lml_delta_result_clear(&r);
    lml_frame *f = changes(root, 1, 2);
    /* Version 1: ids 0 and 1 deleted, the 8 other rows of the file are not changes. */
    cr_assert_eq(count(f, "delete", 1), 2, "%zu rows", lml_frame_num_rows(f));
    cr_assert_eq(sum_ids(f, "delete", 1), 1);
    cr_assert_eq(count(f, "insert", 1), 0);
    /* Version 2: id 3 before and after. */
    long pre = find(f, "name", "r3", "update_preimage"), post = find(f, "name", "changed", "update_postimage");
    cr_assert(pre >= 0 && post >= 0, "pre %ld post %ld", pre, post);
    cr_assert_eq(lml_column_int64s(col(f, "id"))[post], 3);
    cr_assert_eq(lml_column_int64s(col(f, "_commit_version"))[post], 2);
    cr_assert_eq(lml_frame_num_rows(f), 4);
    lml_frame_free(f);
}

Test(delta_changes, lakeml_delete_and_update_changes_copy_on_write) { check_dml(false); }

Test(delta_changes, lakeml_delete_and_update_changes_with_deletion_vectors) { check_dml(true); }

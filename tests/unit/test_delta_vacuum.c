/* VACUUM (src/delta/vacuum*.c, spec/delta.md §12): a table written by lml_delta_write with an
 * overwrite (tombstones), orphan, hidden, fresh and _change_data files, file ages set with
 * utimensat; exactly which paths go (dry run and real), the VACUUM START / END commits read as
 * JSON, the retention checks, the table still reading, time travel then failing on the vacuumed
 * files, deletion-vector files kept or deleted, and the duration parser. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "delta/dv.h"
#include "delta/vacuum_internal.h"
#include "lakeml/delta.h"
#include "delta_dml_support.h"
#include "support.h"

#define DAY_S (86400)

/* A frame (id long, part int) with ids [from, from + n), part = id % 2. */
static lml_frame *rows(int64_t from, size_t n) {
    lml_error err = {0};
    int64_t id[64];
    int32_t part[64];
    cr_assert_leq(n, 64);
    for (size_t i = 0; i < n; i++) {
        id[i] = from + (int64_t)i;
        part[i] = (int32_t)(id[i] % 2);
    }
    lml_column *cols[2] = {lml_column_from_int64s(id, NULL, n, &err), lml_column_from_int32s(part, NULL, n, &err)};
    lml_frame *f = lml_frame_new(2, (const char *[]){"id", "part"}, cols, &err);
    cr_assert(f, "%s", err.message);
    lml_column_free(cols[0]);
    lml_column_free(cols[1]);
    return f;
}

static void write_rows(const char *path, int64_t from, size_t n, lml_delta_mode mode, const char *const *props) {
    lml_frame *f = rows(from, n);
    lml_delta_write_options o = {.mode = mode, .partition_by = (const char *[]){"part", NULL}, .properties = props};
    lml_error err = {0};
    cr_assert(lml_delta_write(f, path, &o, NULL, &err), "%s", err.message);
    lml_frame_free(f);
}

static void put_file(const char *root, const char *rel, const char *text) {
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "wb");
    cr_assert_not_null(f, "cannot create %s", p);
    fputs(text, f);
    fclose(f);
}

static void mk(const char *root, const char *rel) {
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    cr_assert_eq(mkdir(p, 0755), 0, "mkdir %s", p);
}

static void set_age(const char *path, time_t seconds_ago) {
    struct timespec ts[2];
    clock_gettime(CLOCK_REALTIME, &ts[0]);
    ts[0].tv_sec -= seconds_ago;
    ts[1] = ts[0];
    cr_assert_eq(utimensat(AT_FDCWD, path, ts, 0), 0, "utimensat %s", path);
}

/* Every regular file outside _delta_log becomes 30 days old. */
static int age_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)ftw;
    if (flag == FTW_F && S_ISREG(sb->st_mode) && !strstr(p, "/_delta_log/")) set_age(p, 30 * DAY_S);
    return 0;
}

static void age_everything(const char *root) { cr_assert_eq(nftw(root, age_one, 16, FTW_PHYS), 0); }

static bool exists(const char *root, const char *rel) {
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    struct stat st;
    return stat(p, &st) == 0;
}

static long long fsize(const char *root, const char *rel) {
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    struct stat st;
    cr_assert_eq(stat(p, &st), 0, "%s", p);
    return (long long)st.st_size;
}

/* The table's data files (relative paths) of the add actions of commit v, from the JSON. */
static size_t adds_of(const char *root, int64_t v, const char *kind, char out[][256], size_t cap) {
    char *text = dml_commit_text(root, v);
    size_t n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *j = cJSON_Parse(line);
        cJSON *a = cJSON_GetObjectItem(j, kind);
        if (a && n < cap) snprintf(out[n++], 256, "%s", cJSON_GetObjectItem(a, "path")->valuestring);
        cJSON_Delete(j);
    }
    free(text);
    return n;
}

/* The one line of an empty commit (asserts it is only a commitInfo). */
static cJSON *commit_info(const char *root, int64_t v) {
    char *text = dml_commit_text(root, v);
    char *nl = strchr(text, '\n');
    cr_assert_not_null(nl);
    cr_assert_eq(nl[1], '\0', "version %lld holds one action: %s", (long long)v, text);
    cJSON *j = cJSON_Parse(text);
    free(text);
    cJSON *ci = cJSON_DetachItemFromObject(j, "commitInfo");
    cr_assert_not_null(ci);
    cJSON_Delete(j);
    return ci;
}

static const char *str_of(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItem(o, k);
    cr_assert(cJSON_IsString(v), "%s is a string", k);
    return v->valuestring;
}

static void sum_rows(const char *root, int64_t version, int64_t *sum, size_t *n, lml_error *err, bool *ok) {
    lml_delta_open_options o = {.has_version = version >= 0, .version = version};
    lml_frame *f = lml_delta_read(root, &o, NULL, err);
    *ok = f != NULL;
    if (!f) return;
    const lml_column *id = lml_frame_column_by_name(f, "id", err);
    *n = lml_frame_num_rows(f);
    *sum = 0;
    for (size_t i = 0; i < *n; i++) *sum += lml_column_int64s(id)[i];
    lml_frame_free(f);
}

/* v0: ids 0..9, v1: append 10..14, v2: overwrite with 100..102 (tombstones for v0 and v1),
 * plus the strays every test looks for. root receives the table's real path. */
static void build(char root[512], const char *const *props) {
    char *real = realpath(lml_test_temp_dir(), NULL);
    snprintf(root, 512, "%s/t", real);
    free(real);
    write_rows(root, 0, 10, LML_DELTA_ERROR_IF_EXISTS, props);
    write_rows(root, 10, 5, LML_DELTA_APPEND, NULL);
    write_rows(root, 100, 3, LML_DELTA_OVERWRITE, NULL);
    put_file(root, "stray.txt", "orphan at the root");
    put_file(root, "part=0/orphan.snappy.parquet", "orphan in a partition");
    put_file(root, "fresh.txt", "written a moment ago");
    put_file(root, ".hidden", "hidden file");
    mk(root, "_tmp");
    put_file(root, "_tmp/x.parquet", "hidden directory");
    mk(root, "_change_data");
    put_file(root, "_change_data/cdc-00000-old.c000.snappy.parquet", "change data");
    mk(root, "emptydir");
    mk(root, "emptydir/sub");
    put_file(root, "_delta_log/stale.tmp", "never touched");
    age_everything(root);
    char p[1024];
    snprintf(p, sizeof p, "%s/_delta_log/stale.tmp", root);
    set_age(p, 30 * DAY_S);
    snprintf(p, sizeof p, "%s/fresh.txt", root);
    set_age(p, -3600); /* an hour ahead: younger than any cutoff */
}

static void expect_paths(const lml_frame *f, const char *root, const char *const *rel, size_t n) {
    cr_assert_eq(lml_frame_num_cols(f), 1);
    cr_assert_str_eq(lml_frame_column_name(f, 0), "path");
    cr_assert_eq(lml_frame_num_rows(f), n, "%zu paths, want %zu", lml_frame_num_rows(f), n);
    const lml_column *c = lml_frame_column(f, 0);
    for (size_t i = 0; i < n; i++) {
        char want[1024];
        snprintf(want, sizeof want, "%s/%s", root, rel[i]);
        size_t len = 0;
        const char *got = lml_column_string_at(c, i, &len);
        cr_assert(len == strlen(want) && memcmp(got, want, len) == 0, "row %zu: %.*s, want %s", i, (int)len, got, want);
    }
}

static const char *const default_candidates[] = {"_change_data/cdc-00000-old.c000.snappy.parquet", "emptydir",
                                                  "emptydir/sub", "part=0/orphan.snappy.parquet", "stray.txt"};

Test(delta_vacuum, dry_run_lists_orphans_and_empty_dirs_and_changes_nothing) {
    char root[512];
    build(root, NULL);
    lml_error err = {0};
    lml_frame *files = NULL;
    lml_delta_result r = {0};
    lml_delta_vacuum_options o = {.dry_run = true};
    cr_assert(lml_delta_vacuum(root, &o, &files, &r, &err), "%s", err.message);
    expect_paths(files, root, default_candidates, 5);
    cr_assert_not(r.committed);
    cr_assert_eq(r.version, 2);
    long long bytes = fsize(root, default_candidates[0]) + fsize(root, default_candidates[3]) + fsize(root, default_candidates[4]);
    char want[128];
    snprintf(want, sizeof want, "{\"numFilesToDelete\":\"5\",\"sizeOfDataToDelete\":\"%lld\"}", bytes);
    cr_assert_str_eq(r.metrics, want);
    for (size_t i = 0; i < 5; i++) cr_assert(exists(root, default_candidates[i]), "%s", default_candidates[i]);
    cr_assert_not(exists(root, "_delta_log/00000000000000000003.json"), "a dry run commits nothing");
    lml_frame_free(files);
    lml_delta_result_clear(&r);
}

Test(delta_vacuum, default_retention_deletes_orphans_keeps_tombstoned_files_and_logs_start_end) {
    char root[512];
    build(root, NULL);
    char v0[8][256], v1[8][256], v2[8][256];
    size_t n0 = adds_of(root, 0, "add", v0, 8), n1 = adds_of(root, 1, "add", v1, 8), n2 = adds_of(root, 2, "add", v2, 8);
    cr_assert_eq(n0, 2);
    cr_assert_eq(n1, 2);
    cr_assert_eq(n2, 2);
    long long bytes = fsize(root, default_candidates[0]) + fsize(root, default_candidates[3]) + fsize(root, default_candidates[4]);
    lml_error err = {0};
    lml_frame *files = NULL;
    lml_delta_result r = {0};
    cr_assert(lml_delta_vacuum(root, NULL, &files, &r, &err), "%s", err.message);
    expect_paths(files, root, default_candidates, 5);
    cr_assert(r.committed);
    cr_assert_eq(r.version, 4);
    for (size_t i = 0; i < 5; i++) cr_assert_not(exists(root, default_candidates[i]), "%s", default_candidates[i]);
    /* Kept: every data file (tombstones are younger than a week), the fresh orphan, hidden
     * names, the _change_data directory itself (it held an old file) and the log. */
    for (size_t i = 0; i < 2; i++) {
        cr_assert(exists(root, v0[i]), "%s", v0[i]);
        cr_assert(exists(root, v1[i]), "%s", v1[i]);
        cr_assert(exists(root, v2[i]), "%s", v2[i]);
    }
    const char *kept[] = {"fresh.txt", ".hidden", "_tmp/x.parquet", "_change_data", "_delta_log/stale.tmp",
                          "_delta_log/00000000000000000000.json", "part=0", "part=1"};
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) cr_assert(exists(root, kept[i]), "%s", kept[i]);

    cJSON *s = commit_info(root, 3), *e = commit_info(root, 4);
    cr_assert_str_eq(str_of(s, "operation"), "VACUUM START");
    char *params = cJSON_PrintUnformatted(cJSON_GetObjectItem(s, "operationParameters"));
    cr_assert_str_eq(params, "{\"retentionCheckEnabled\":true,\"defaultRetentionMillis\":604800000}");
    free(params);
    const cJSON *m = cJSON_GetObjectItem(s, "operationMetrics");
    cr_assert_str_eq(str_of(m, "numFilesToDelete"), "5");
    char b[32];
    snprintf(b, sizeof b, "%lld", bytes);
    cr_assert_str_eq(str_of(m, "sizeOfDataToDelete"), b);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(s, "isBlindAppend")));
    cr_assert_str_eq(str_of(s, "isolationLevel"), "SnapshotIsolation");
    cr_assert_eq(cJSON_GetObjectItem(s, "readVersion")->valueint, 2);
    cr_assert_str_eq(str_of(e, "operation"), "VACUUM END");
    params = cJSON_PrintUnformatted(cJSON_GetObjectItem(e, "operationParameters"));
    cr_assert_str_eq(params, "{\"status\":\"COMPLETED\"}");
    free(params);
    m = cJSON_GetObjectItem(e, "operationMetrics");
    cr_assert_str_eq(str_of(m, "numDeletedFiles"), "5");
    /* Listed directories: part=0, part=1, _change_data, emptydir, emptydir/sub, plus the root. */
    cr_assert_str_eq(str_of(m, "numVacuumedDirectories"), "6");
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(e, "isBlindAppend")));
    cr_assert_str_eq(str_of(e, "isolationLevel"), "SnapshotIsolation");
    cr_assert_eq(cJSON_GetObjectItem(e, "readVersion")->valueint, 3);
    cJSON_Delete(s);
    cJSON_Delete(e);

    int64_t sum = 0;
    size_t n = 0;
    bool ok;
    sum_rows(root, -1, &sum, &n, &err, &ok);
    cr_assert(ok, "%s", err.message);
    cr_assert_eq(n, 3);
    cr_assert_eq(sum, 100 + 101 + 102);
    sum_rows(root, 1, &sum, &n, &err, &ok);
    cr_assert(ok, "version 1 still reads: %s", err.message);
    cr_assert_eq(n, 15);
    cr_assert_eq(sum, 14 * 15 / 2);
    lml_frame_free(files);
    lml_delta_result_clear(&r);
}

Test(delta_vacuum, zero_retention_deletes_tombstoned_files_and_time_travel_then_fails) {
    char root[512];
    build(root, NULL);
    char v0[8][256], v1[8][256], v2[8][256];
    adds_of(root, 0, "add", v0, 8);
    adds_of(root, 1, "add", v1, 8);
    adds_of(root, 2, "add", v2, 8);
    lml_error err = {0};
    lml_delta_vacuum_options o = {.has_retention_hours = true, .retention_hours = 0, .dry_run = true,
                                  .disable_retention_check = true};
    lml_frame *files = NULL;
    cr_assert(lml_delta_vacuum(root, &o, &files, NULL, &err), "%s", err.message);
    /* The four files of versions 0 and 1 join the five strays; sorted by path. */
    const char *want[9];
    size_t k = 0;
    for (size_t i = 0; i < 5; i++) want[k++] = default_candidates[i];
    for (size_t i = 0; i < 2; i++) want[k++] = v0[i], want[k++] = v1[i];
    for (size_t i = 1; i < 9; i++)
        for (size_t j = i; j > 0 && strcmp(want[j - 1], want[j]) > 0; j--) {
            const char *x = want[j];
            want[j] = want[j - 1];
            want[j - 1] = x;
        }
    expect_paths(files, root, want, 9);
    lml_frame_free(files);

    o.dry_run = false;
    lml_delta_result r = {0};
    cr_assert(lml_delta_vacuum(root, &o, &files, &r, &err), "%s", err.message);
    expect_paths(files, root, want, 9);
    for (size_t i = 0; i < 2; i++) {
        cr_assert_not(exists(root, v0[i]), "%s", v0[i]);
        cr_assert_not(exists(root, v1[i]), "%s", v1[i]);
        cr_assert(exists(root, v2[i]), "%s", v2[i]);
    }
    cr_assert(exists(root, "_delta_log/stale.tmp"), "nothing under _delta_log is ever deleted");
    cr_assert(exists(root, "_tmp/x.parquet") && exists(root, ".hidden") && exists(root, "fresh.txt"));
    cJSON *s = commit_info(root, 3);
    char *params = cJSON_PrintUnformatted(cJSON_GetObjectItem(s, "operationParameters"));
    cr_assert_str_eq(params,
                     "{\"retentionCheckEnabled\":false,\"defaultRetentionMillis\":604800000,\"specifiedRetentionMillis\":0}");
    free(params);
    cJSON_Delete(s);
    int64_t sum = 0;
    size_t n = 0;
    bool ok;
    sum_rows(root, -1, &sum, &n, &err, &ok);
    cr_assert(ok, "%s", err.message);
    cr_assert_eq(sum, 303);
    sum_rows(root, 0, &sum, &n, &err, &ok);
    cr_assert_not(ok, "version 0 cannot read after its files were vacuumed");
    cr_assert(strstr(err.message, "part=") && strstr(err.message, ".parquet"), "names the missing file: %s", err.message);
    cr_assert(err.code == LML_ENOTFOUND || err.code == LML_EIO, "code %d: %s", err.code, err.message);
    lml_frame_free(files);
    lml_delta_result_clear(&r);
}

Test(delta_vacuum, short_and_negative_retention_are_refused_as_spark) {
    char root[512];
    build(root, NULL);
    lml_error err = {0};
    lml_delta_vacuum_options o = {.has_retention_hours = true, .retention_hours = 0};
    cr_assert_not(lml_delta_vacuum(root, &o, NULL, NULL, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT"), "%s", err.message);
    cr_assert(strstr(err.message, "not less than \"168 hours\""), "%s", err.message);
    cr_assert(strstr(err.message, "retentionDurationCheck.enabled = false"), "%s", err.message);
    o.retention_hours = 167.4; /* rounds to 167 < 168 */
    cr_assert_not(lml_delta_vacuum(root, &o, NULL, NULL, &err));
    o = (lml_delta_vacuum_options){.has_retention_hours = true, .retention_hours = -1, .disable_retention_check = true};
    cr_assert_not(lml_delta_vacuum(root, &o, NULL, NULL, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "can't be less than 0"), "%s", err.message);
    cr_assert(exists(root, "stray.txt"));
    cr_assert_not(exists(root, "_delta_log/00000000000000000003.json"), "a refused VACUUM commits nothing");
    /* 167.5 hours rounds up to 168: allowed. */
    o = (lml_delta_vacuum_options){.has_retention_hours = true, .retention_hours = 167.5, .dry_run = true};
    lml_frame *files = NULL;
    cr_assert(lml_delta_vacuum(root, &o, &files, NULL, &err), "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(files), 5);
    lml_frame_free(files);
}

Test(delta_vacuum, table_retention_property_sets_default_and_check) {
    char root[512];
    build(root, (const char *[]){"delta.deletedFileRetentionDuration", "interval 36 hours", NULL});
    lml_error err = {0};
    lml_delta_vacuum_options o = {.has_retention_hours = true, .retention_hours = 35};
    cr_assert_not(lml_delta_vacuum(root, &o, NULL, NULL, &err));
    cr_assert(strstr(err.message, "not less than \"36 hours\""), "%s", err.message);
    o.retention_hours = 36;
    lml_delta_result r = {0};
    cr_assert(lml_delta_vacuum(root, &o, NULL, &r, &err), "%s", err.message);
    cJSON *s = commit_info(root, 3);
    char *params = cJSON_PrintUnformatted(cJSON_GetObjectItem(s, "operationParameters"));
    cr_assert_str_eq(params, "{\"retentionCheckEnabled\":true,\"defaultRetentionMillis\":129600000,"
                             "\"specifiedRetentionMillis\":129600000}");
    free(params);
    cJSON_Delete(s);
    lml_delta_result_clear(&r);
}

/* ---- deletion vectors */

/* Commits version 3: the v2 file of part=0 gets a DV (its row 0 deleted): remove + add. */
static void add_dv(const char *root, char dv_rel[256]) {
    char p[1024];
    snprintf(p, sizeof p, "%s/_delta_log/%020d.json", root, 2);
    char *text = lml_test_slurp(p);
    cJSON *add = NULL;
    for (char *line = strtok(text, "\n"); line && !add; line = strtok(NULL, "\n")) {
        cJSON *j = cJSON_Parse(line);
        cJSON *a = cJSON_GetObjectItem(j, "add");
        if (a && strstr(cJSON_GetObjectItem(a, "path")->valuestring, "part=0")) add = cJSON_Duplicate(a, true);
        cJSON_Delete(j);
    }
    free(text);
    cr_assert_not_null(add);
    lml_dv_descriptor d;
    char *owned;
    uint64_t row = 0;
    lml_error err = {0};
    cr_assert(lml_dv_write(root, &row, 1, &d, &owned, &err), "%s", err.message);
    char *abs = lml_dv_file_path(root, &d, &err);
    snprintf(dv_rel, 256, "%s", abs + strlen(root) + 1);
    free(abs);
    cJSON *rm = cJSON_CreateObject();
    cJSON_AddStringToObject(rm, "path", cJSON_GetObjectItem(add, "path")->valuestring);
    cJSON_AddNumberToObject(rm, "deletionTimestamp", (double)time(NULL) * 1000);
    cJSON_AddBoolToObject(rm, "dataChange", true);
    cJSON *dv = cJSON_CreateObject();
    cJSON_AddStringToObject(dv, "storageType", "u");
    cJSON_AddStringToObject(dv, "pathOrInlineDv", owned);
    cJSON_AddNumberToObject(dv, "offset", 1);
    cJSON_AddNumberToObject(dv, "sizeInBytes", (double)d.size_in_bytes);
    cJSON_AddNumberToObject(dv, "cardinality", 1);
    cJSON_AddItemToObject(add, "deletionVector", dv);
    cJSON *l1 = cJSON_CreateObject(), *l2 = cJSON_CreateObject();
    cJSON_AddItemToObject(l1, "remove", rm);
    cJSON_AddItemToObject(l2, "add", add);
    char *a = cJSON_PrintUnformatted(l1), *b = cJSON_PrintUnformatted(l2);
    snprintf(p, sizeof p, "_delta_log/%020d.json", 3);
    char line[8192];
    snprintf(line, sizeof line, "{\"commitInfo\":{\"timestamp\":%lld,\"operation\":\"DELETE\"}}\n%s\n%s\n",
             (long long)time(NULL) * 1000, a, b);
    put_file(root, p, line);
    free(a), free(b), free(owned);
    cJSON_Delete(l1);
    cJSON_Delete(l2);
}

Test(delta_vacuum, referenced_deletion_vector_files_stay_orphans_go) {
    char root[512];
    build(root, NULL);
    char dv[256], orphan_dv[256];
    add_dv(root, dv);
    /* An unreferenced DV file, as a failed DELETE would leave. */
    lml_dv_descriptor d;
    char *owned;
    uint64_t row = 1;
    cr_assert(lml_dv_write(root, &row, 1, &d, &owned, NULL));
    char *abs = lml_dv_file_path(root, &d, NULL);
    snprintf(orphan_dv, sizeof orphan_dv, "%s", abs + strlen(root) + 1);
    free(abs);
    free(owned);
    age_everything(root);
    char p[1024];
    snprintf(p, sizeof p, "%s/fresh.txt", root);
    set_age(p, -3600);
    lml_error err = {0};
    lml_delta_vacuum_options o = {.dry_run = true};
    lml_frame *files = NULL;
    cr_assert(lml_delta_vacuum(root, &o, &files, NULL, &err), "%s", err.message);
    const char *want[6] = {default_candidates[0], orphan_dv, default_candidates[1], default_candidates[2],
                           default_candidates[3], default_candidates[4]};
    expect_paths(files, root, want, 6);
    lml_frame_free(files);
    o.dry_run = false;
    cr_assert(lml_delta_vacuum(root, &o, NULL, NULL, &err), "%s", err.message);
    cr_assert(exists(root, dv), "the referenced DV file stays");
    cr_assert_not(exists(root, orphan_dv));
    int64_t sum = 0;
    size_t n = 0;
    bool ok;
    sum_rows(root, -1, &sum, &n, &err, &ok);
    cr_assert(ok, "%s", err.message);
    cr_assert_eq(n, 2, "row 0 of the part=0 file (id 100) is deleted by the DV");
    cr_assert_eq(sum, 101 + 102);
}

Test(delta_vacuum, missing_table_is_not_found) {
    lml_error err = {0};
    char p[600];
    snprintf(p, sizeof p, "%s/none", lml_test_temp_dir());
    cr_assert_not(lml_delta_vacuum(p, NULL, NULL, NULL, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND, "%d %s", err.code, err.message);
}

/* ---- durations */

Test(delta_vacuum, intervals_parse_as_spark_counts_them) {
    struct {
        const char *text;
        int64_t ms;
    } ok[] = {{"interval 1 week", 604800000LL},       {"interval 7 days", 604800000LL},
              {"INTERVAL 36 HOURS", 129600000LL},     {"1 day", 86400000LL},
              {"interval 2 days 12 hours", 216000000LL}, {"interval 90 minutes", 5400000LL},
              {"interval 1.5 seconds", 1500LL},       {"interval 250 milliseconds", 250LL},
              {"interval 2500 microseconds", 2LL},    {"interval 1 day -1 hour", 82800000LL},
              {"interval 0 seconds", 0}};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        int64_t ms = -1;
        lml_error err = {0};
        cr_assert(lml_delta_interval_ms(ok[i].text, "p", &ms, &err), "%s: %s", ok[i].text, err.message);
        cr_assert_eq(ms, ok[i].ms, "%s: %lld", ok[i].text, (long long)ms);
    }
    const char *bad[] = {"", "interval", "1 fortnight", "interval 1 month", "interval 2 years", "interval -1 day",
                         "interval 1.5 days", "interval x days", "7"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int64_t ms;
        lml_error err = {0};
        cr_assert_not(lml_delta_interval_ms(bad[i], "delta.deletedFileRetentionDuration", &ms, &err), "%s", bad[i]);
        cr_assert_eq(err.code, LML_EINVAL);
        cr_assert(strstr(err.message, "delta.deletedFileRetentionDuration"), "%s", err.message);
    }
}

/* ---- a Spark-written table: in-commit timestamps, change data, Hadoop .crc files */

/* The inCommitTimestamp of version v's first line, which must be its commitInfo's first field. */
static int64_t ict_of(const char *root, int v) {
    char p[1024];
    snprintf(p, sizeof p, "%s/_delta_log/%020d.json", root, v);
    char *text = lml_test_slurp(p);
    cr_assert_not_null(text, "%s", p);
    *strchr(text, '\n') = 0;
    cJSON *j = cJSON_Parse(text);
    free(text);
    const cJSON *first = cJSON_GetObjectItem(j, "commitInfo")->child;
    cr_assert_str_eq(first->string, "inCommitTimestamp", "the in-commit timestamp comes first");
    int64_t ts = (int64_t)first->valuedouble;
    cJSON_Delete(j);
    return ts;
}

Test(delta_vacuum, spark_cdf_table_loses_expired_tombstones_and_change_data_keeps_crc_files) {
    LML_REQUIRE_SHARED(src, "conformance/delta/delta-rs/cdc_ict_table");
    char root[512];
    char *real = realpath(lml_test_temp_dir(), NULL);
    snprintf(root, sizeof root, "%s/cdc", real);
    free(real);
    dml_copy_tree(src, root);
    age_everything(root);
    /* The tombstones of versions 2 and 3 were deleted in July 2026, long before a week ago; the
     * four change-data files are not in the table state at all. */
    const char *gone[] = {"_change_data/birthyear=1986/cdc-00000-c152e2a0-72eb-4ee8-b81e-e0a0c44cf026.c000.snappy.parquet",
                          "_change_data/birthyear=1995/cdc-00000-2a898d42-80c6-40a8-a045-dc92579b0c52.c000.snappy.parquet",
                          "_change_data/birthyear=1995/cdc-00001-9da205b2-1d33-46f8-b32c-39a4e737391d.c000.snappy.parquet",
                          "_change_data/birthyear=1995/cdc-00001-e4b7260f-837c-4dda-97a8-9c977874b3da.c000.snappy.parquet",
                          "birthyear=1986/part-00000-519aea05-1b52-43d5-a82d-c02771989707.c000.snappy.parquet",
                          "birthyear=1995/part-00001-3af00d15-974f-4ecb-ab9a-46e29b2c75dd.c000.snappy.parquet",
                          "birthyear=1995/part-00002-447012a2-6468-4283-8994-a83d6e53dd3e.c000.snappy.parquet",
                          "birthyear=1995/part-00003-c263fb0e-2009-4fa5-8d8d-2c0c8251cd8b.c000.snappy.parquet"};
    lml_error err = {0};
    lml_frame *files = NULL;
    lml_delta_result r = {0};
    cr_assert(lml_delta_vacuum(root, NULL, &files, &r, &err), "%s", err.message);
    expect_paths(files, root, gone, 8);
    for (size_t i = 0; i < 8; i++) cr_assert_not(exists(root, gone[i]), "%s", gone[i]);
    cr_assert(exists(root, "birthyear=1986/part-00000-3abf7009-9786-4927-a502-256082acae29.c000.snappy.parquet"));
    cr_assert(exists(root, "birthyear=1995/.part-00002-447012a2-6468-4283-8994-a83d6e53dd3e.c000.snappy.parquet.crc"),
              "hidden files are never listed, so never deleted");
    cr_assert(exists(root, "_change_data/birthyear=1986"), "a directory that held an old file stays this time");
    cr_assert_eq(r.version, 5);
    int64_t t3 = ict_of(root, 3), t4 = ict_of(root, 4), t5 = ict_of(root, 5);
    cr_assert_eq(t3, 1783874213881LL);
    cr_assert_gt(t4, t3);
    cr_assert_gt(t5, t4, "in-commit timestamps increase: %lld then %lld", (long long)t4, (long long)t5);
    lml_frame_free(files);
    lml_delta_result_clear(&r);

    lml_frame *now = lml_delta_read(root, NULL, NULL, &err);
    cr_assert_not_null(now, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(now), 2);
    lml_frame_free(now);
    /* The change feed of version 3 lived in the deleted change-data files. */
    lml_delta_changes_options o = {.starting_version = 3, .has_ending_version = true, .ending_version = 3};
    cr_assert_null(lml_delta_table_changes(root, &o, &err));
    cr_assert(strstr(err.message, "cdc-00000-c152e2a0") || strstr(err.message, "cdc-00001-e4b7260f"), "%s", err.message);
    cr_assert(strstr(err.message, "DELTA_CHANGE_DATA_FILE_NOT_FOUND"), "%s", err.message);
    cr_assert_eq(err.code, LML_ENOTFOUND);
}

Test(delta_vacuum, a_partition_emptied_by_vacuum_goes_at_the_next_vacuum) {
    char root[512];
    char *real = realpath(lml_test_temp_dir(), NULL);
    snprintf(root, sizeof root, "%s/t", real);
    free(real);
    write_rows(root, 0, 4, LML_DELTA_ERROR_IF_EXISTS, NULL); /* part=0 and part=1 */
    lml_frame *even = rows(10, 1);                          /* id 10: part=0 only */
    lml_delta_write_options o = {.mode = LML_DELTA_OVERWRITE};
    lml_error err = {0};
    cr_assert(lml_delta_write(even, root, &o, NULL, &err), "%s", err.message);
    lml_frame_free(even);
    age_everything(root);
    lml_delta_vacuum_options v = {.has_retention_hours = true, .retention_hours = 0, .disable_retention_check = true};
    lml_frame *files = NULL;
    cr_assert(lml_delta_vacuum(root, &v, &files, NULL, &err), "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(files), 2, "the two files of version 0; part=1 still held an old file");
    lml_frame_free(files);
    cr_assert(exists(root, "part=1"));
    v.dry_run = true;
    cr_assert(lml_delta_vacuum(root, &v, &files, NULL, &err), "%s", err.message);
    expect_paths(files, root, (const char *[]){"part=1"}, 1);
    lml_frame_free(files);
    v.dry_run = false;
    lml_delta_result r = {0};
    cr_assert(lml_delta_vacuum(root, &v, &files, &r, &err), "%s", err.message);
    expect_paths(files, root, (const char *[]){"part=1"}, 1);
    cr_assert_not(exists(root, "part=1"));
    cr_assert(exists(root, "part=0"));
    cr_assert_str_eq(r.metrics, "{\"numFilesToDelete\":\"1\",\"sizeOfDataToDelete\":\"0\",\"numDeletedFiles\":\"1\","
                                "\"numVacuumedDirectories\":\"3\"}");
    lml_frame_free(files);
    lml_delta_result_clear(&r);
}

/* DELETE (delta.md §10.1): copy-on-write rewrites, SQL's three-valued logic, whole-file deletes
 * on partition columns, no-op deletes, idempotent transactions, deletion vectors (the DV file
 * decoded here byte by byte), the change data feed, a Spark-written DV table, and a bad
 * condition leaving the table untouched; and history, the change feed and RESTORE across every
 * DML operation and OPTIMIZE. Commits are checked in the JSON the log holds. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lakeml/delta.h"
#include "lakeml/parquet.h"
#include "delta_dml_support.h"
#include "support.h"

/* Asserts the table's ids, sorted, are those in [0, 20) for which keep(id) holds. */
static void ids_are(const char *path, bool (*keep)(int64_t)) {
    char *got = dml_ids_text(path), want[20 * 21 + 1] = "";
    for (int64_t i = 0; i < 20; i++)
        if (keep(i)) sprintf(want + strlen(want), "%s%lld", *want ? "," : "", (long long)i);
    cr_assert_str_eq(got, want);
    free(got);
}

static bool del_q(int64_t id) { return !(id < 10 && id % 4 == 1); }

Test(delta_delete, copy_on_write_rewrites_only_touched_files) {
    const char *path = dml_table_dir("cow");
    dml_make_table(path, 0, NULL);
    lml_error err = {0};
    lml_delta_result r = {0};
    cr_assert(lml_delta_delete(path, "id % 4 = 1 AND id < 10", NULL, &r, &err), "%s", err.message);
    cr_assert(r.committed);
    cr_assert_not(r.skipped);
    cr_assert_eq(r.version, 2);
    ids_are(path, del_q);
    cJSON **l = dml_commit_lines(path, 2);
    const cJSON *ci = dml_first_kind(l, "commitInfo");
    cr_assert_str_eq(cJSON_GetObjectItem(ci, "operation")->valuestring, "DELETE");
    cr_assert_eq(cJSON_GetObjectItem(ci, "readVersion")->valuedouble, 1);
    cr_assert_str_eq(cJSON_GetObjectItem(ci, "isolationLevel")->valuestring, "Serializable");
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(ci, "isBlindAppend")));
    /* predicate: a JSON array (inside a string) of one SQL text naming id. */
    cJSON *pred = cJSON_Parse(cJSON_GetObjectItem(cJSON_GetObjectItem(ci, "operationParameters"), "predicate")->valuestring);
    cr_assert(cJSON_IsArray(pred) && cJSON_GetArraySize(pred) == 1);
    cr_assert(strstr(cJSON_GetArrayItem(pred, 0)->valuestring, "id"), "%s", cJSON_GetArrayItem(pred, 0)->valuestring);
    cJSON_Delete(pred);
    /* File 1 (ids 0..9) lost 1, 5, 9 and kept 7 rows; file 2 was pruned by its stats. */
    cr_assert_eq(dml_count_kind(l, "remove"), 1);
    cr_assert_eq(dml_count_kind(l, "add"), 1);
    dml_assert_lines_metric(l, "numRemovedFiles", "1");
    dml_assert_lines_metric(l, "numAddedFiles", "1");
    dml_assert_lines_metric(l, "numDeletedRows", "3");
    dml_assert_lines_metric(l, "numCopiedRows", "7");
    dml_assert_lines_metric(l, "numDeletionVectorsAdded", "0");
    dml_assert_lines_metric(l, "numDeletionVectorsRemoved", "0");
    dml_assert_lines_metric(l, "numDeletionVectorsUpdated", "0");
    dml_assert_lines_metric(l, "numAddedChangeFiles", "0");
    const char *keys[] = {"executionTimeMs", "scanTimeMs", "rewriteTimeMs", "numRemovedBytes", "numAddedBytes"};
    for (int k = 0; k < 5; k++) cr_assert(dml_lines_metric(l, keys[k]), "%s", keys[k]);
    const cJSON *add = dml_first_kind(l, "add"), *rm = dml_first_kind(l, "remove");
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(rm, "dataChange")));
    cJSON *st = cJSON_Parse(cJSON_GetObjectItem(add, "stats")->valuestring);
    cr_assert_eq(cJSON_GetObjectItem(st, "numRecords")->valuedouble, 7);
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "minValues"), "id")->valuedouble, 0);
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "maxValues"), "id")->valuedouble, 8);
    char sz[32];
    snprintf(sz, sizeof sz, "%.0f", cJSON_GetObjectItem(rm, "size")->valuedouble);
    dml_assert_lines_metric(l, "numRemovedBytes", sz);
    snprintf(sz, sizeof sz, "%.0f", cJSON_GetObjectItem(add, "size")->valuedouble);
    dml_assert_lines_metric(l, "numAddedBytes", sz);
    cJSON_Delete(st);
    dml_free_lines(l);
    lml_delta_result_clear(&r);
    cr_assert_null(r.metrics);
}

static bool null_kept(int64_t id) { return id == 2 || id % 7 == 3; }

/* name <> 'n2' is NULL where name is null: those rows stay (WHERE keeps only true). */
Test(delta_delete, null_condition_rows_are_kept) {
    const char *path = dml_table_dir("tvl");
    dml_make_table(path, 0, NULL);
    lml_error err = {0};
    lml_delta_result r = {0};
    cr_assert(lml_delta_delete(path, "name <> 'n2'", NULL, &r, &err), "%s", err.message);
    ids_are(path, null_kept);
    cJSON **l = dml_commit_lines(path, 2);
    dml_assert_lines_metric(l, "numDeletedRows", "16"); /* 20 rows - id 2 - ids 3, 10, 17 (null names) */
    dml_assert_lines_metric(l, "numCopiedRows", "4");
    dml_free_lines(l);
    lml_delta_result_clear(&r);
}

static bool not_part1(int64_t id) { return id % 3 != 1; }

Test(delta_delete, partition_condition_removes_whole_files_unread) {
    const char *path = dml_table_dir("part");
    dml_make_table(path, 3, NULL);
    lml_error err = {0};
    lml_delta_result r = {0};
    cr_assert(lml_delta_delete(path, "part = 1", NULL, &r, &err), "%s", err.message);
    ids_are(path, not_part1);
    cJSON **l = dml_commit_lines(path, 2);
    cr_assert_eq(dml_count_kind(l, "remove"), 2); /* part=1 of each of the two commits */
    cr_assert_eq(dml_count_kind(l, "add"), 0);
    dml_assert_lines_metric(l, "numRemovedFiles", "2");
    dml_assert_lines_metric(l, "numAddedFiles", "0");
    cr_assert_null(dml_lines_metric(l, "numDeletedRows"), "no row counts for a metadata-only delete");
    cr_assert_null(dml_lines_metric(l, "numCopiedRows"));
    dml_free_lines(l);
    lml_delta_result_clear(&r);
    /* No condition: every file goes. */
    cr_assert(lml_delta_delete(path, NULL, NULL, &r, &err), "%s", err.message);
    cr_assert_eq(r.version, 3);
    char *got = dml_ids_text(path);
    cr_assert_str_eq(got, "");
    free(got);
    l = dml_commit_lines(path, 3);
    dml_assert_lines_metric(l, "numRemovedFiles", "4");
    cJSON *pred = cJSON_Parse(cJSON_GetObjectItem(cJSON_GetObjectItem(dml_first_kind(l, "commitInfo"), "operationParameters"),
                                                  "predicate")->valuestring);
    cr_assert_str_eq(cJSON_GetArrayItem(pred, 0)->valuestring, "true");
    cJSON_Delete(pred);
    dml_free_lines(l);
    lml_delta_result_clear(&r);
}

static bool every(int64_t id) { return id >= 0; }

Test(delta_delete, no_match_commits_nothing_and_bad_column_fails_untouched) {
    const char *path = dml_table_dir("noop");
    dml_make_table(path, 0, NULL);
    size_t before = dml_dir_entries(path, "_delta_log"), files = dml_dir_entries(path, ".");
    lml_error err = {0};
    lml_delta_result r = {0};
    cr_assert(lml_delta_delete(path, "id > 1000", NULL, &r, &err), "%s", err.message);
    cr_assert_not(r.committed);
    cr_assert_eq(r.version, 1);
    cJSON *m = cJSON_Parse(r.metrics);
    cr_assert_str_eq(cJSON_GetObjectItem(m, "numDeletedRows")->valuestring, "0");
    cJSON_Delete(m);
    lml_delta_result_clear(&r);
    cr_assert_eq(dml_dir_entries(path, "_delta_log"), before);
    cr_assert_not(lml_delta_delete(path, "nosuch = 1", NULL, &r, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND, "%d %s", err.code, err.message);
    cr_assert(strstr(err.message, "nosuch"), "%s", err.message);
    cr_assert_not(lml_delta_delete(path, "id +", NULL, &r, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_not(lml_delta_delete(path, "id + 1", NULL, &r, &err));
    cr_assert_eq(err.code, LML_ETYPE, "%s", err.message);
    cr_assert_eq(dml_dir_entries(path, "_delta_log"), before);
    cr_assert_eq(dml_dir_entries(path, "."), files, "no data file written");
    ids_are(path, every);
}

Test(delta_delete, txn_commits_once) {
    const char *path = dml_table_dir("txn");
    dml_make_table(path, 0, NULL);
    lml_error err = {0};
    lml_delta_result r = {0};
    lml_delta_dml_options o = {.txn_app_id = "job-7", .txn_version = 3, .user_metadata = "nightly"};
    cr_assert(lml_delta_delete(path, "id = 4", &o, &r, &err), "%s", err.message);
    cr_assert(r.committed);
    lml_delta_result_clear(&r);
    cJSON **l = dml_commit_lines(path, 2);
    const cJSON *txn = dml_first_kind(l, "txn");
    cr_assert(txn);
    cr_assert_str_eq(cJSON_GetObjectItem(txn, "appId")->valuestring, "job-7");
    cr_assert_eq(cJSON_GetObjectItem(txn, "version")->valuedouble, 3);
    cr_assert_str_eq(cJSON_GetObjectItem(dml_first_kind(l, "commitInfo"), "userMetadata")->valuestring, "nightly");
    dml_free_lines(l);
    cr_assert(lml_delta_delete(path, "id = 5", &o, &r, &err), "%s", err.message);
    cr_assert(r.skipped);
    cr_assert_not(r.committed);
    cr_assert_eq(r.version, 2);
    lml_delta_result_clear(&r);
    char *got = dml_ids_text(path);
    cr_assert(strstr(got, ",5,") && !strstr(got, ",4,"), "%s", got);
    free(got);
}

/* ---- deletion vectors */

/* An independent reader of a DV file (§7.4) holding one DV at offset 1 whose Roaring buckets
 * are array containers only: the deleted rows, ascending. */
static size_t dv_rows(const char *file, uint64_t *out, size_t cap) {
    size_t len;
    uint8_t *b = (uint8_t *)lml_test_slurp_n(file, &len);
    cr_assert(b && len > 13 && b[0] == 1, "%s", file);
    uint32_t size = (uint32_t)b[1] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 8 | b[4];
    cr_assert_eq(len, 1 + 4 + size + 4);
    const uint8_t *p = b + 5;
#define LE32(q) ((uint32_t)(q)[0] | (uint32_t)(q)[1] << 8 | (uint32_t)(q)[2] << 16 | (uint32_t)(q)[3] << 24)
#define LE16(q) ((uint32_t)(q)[0] | (uint32_t)(q)[1] << 8)
    cr_assert_eq(LE32(p), 1681511377u);
    uint64_t nb = LE32(p + 4) | (uint64_t)LE32(p + 8) << 32;
    p += 12;
    size_t n = 0;
    for (uint64_t k = 0; k < nb; k++) {
        uint64_t key = LE32(p);
        const uint8_t *bm = p + 4;
        cr_assert_eq(LE32(bm), 12346u, "array containers with an offset header expected");
        uint32_t count = LE32(bm + 4);
        const uint8_t *q = bm + 8 + 8 * (size_t)count; /* past keys/cardinalities and offsets */
        for (uint32_t c = 0; c < count; c++) {
            uint32_t hi = LE16(bm + 8 + 4 * c), card = LE16(bm + 10 + 4 * c) + 1;
            for (uint32_t i = 0; i < card && n < cap; i++, q += 2) out[n++] = key << 32 | hi << 16 | LE16(q);
        }
        p = q;
    }
#undef LE32
#undef LE16
    free(b);
    return n;
}

/* The one deletion_vector_*.bin under path whose name is not in `seen` ("" at first). */
static void newest_dv(const char *path, char *seen, char *out, size_t cap) {
    DIR *d = opendir(path);
    cr_assert(d);
    out[0] = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strncmp(e->d_name, "deletion_vector_", 16) == 0 && !strstr(seen, e->d_name)) {
            cr_assert_eq(out[0], 0, "one new DV file expected");
            snprintf(out, cap, "%s/%s", path, e->d_name);
            strcat(seen, e->d_name);
        }
    closedir(d);
    cr_assert(out[0], "no new DV file");
}

static bool dv_kept(int64_t id) { return id >= 10 || (id % 3 != 0 && id != 1 && id != 2); }
static bool dv_gone(int64_t id) { return id >= 10; }

Test(delta_delete, deletion_vectors_mark_rows_and_keep_the_file) {
    const char *path = dml_table_dir("dv");
    dml_make_table(path, 0, (const char *[]){"delta.enableDeletionVectors", "true", NULL});
    cJSON **l0 = dml_commit_lines(path, 0);
    const char *fileA = cJSON_GetObjectItem(dml_first_kind(l0, "add"), "path")->valuestring;
    char full[1024];
    snprintf(full, sizeof full, "%s/%s", path, fileA);
    size_t len0, len1;
    char *bytes0 = lml_test_slurp_n(full, &len0);
    lml_error err = {0};
    lml_delta_result r = {0};
    cr_assert(lml_delta_delete(path, "id % 3 = 0 AND id < 10", NULL, &r, &err), "%s", err.message);
    lml_delta_result_clear(&r);
    cJSON **l = dml_commit_lines(path, 2);
    cr_assert_eq(dml_count_kind(l, "add"), 1);
    cr_assert_eq(dml_count_kind(l, "remove"), 1);
    const cJSON *add = dml_first_kind(l, "add"), *rm = dml_first_kind(l, "remove");
    cr_assert_str_eq(cJSON_GetObjectItem(add, "path")->valuestring, fileA);
    cr_assert_str_eq(cJSON_GetObjectItem(rm, "path")->valuestring, fileA);
    cr_assert_null(cJSON_GetObjectItem(rm, "deletionVector"));
    const cJSON *dv = cJSON_GetObjectItem(add, "deletionVector");
    cr_assert_str_eq(cJSON_GetObjectItem(dv, "storageType")->valuestring, "u");
    cr_assert_eq(cJSON_GetObjectItem(dv, "cardinality")->valuedouble, 4);
    /* The stats are the original text with only tightBounds turned false (exact bounds kept). */
    const char *orig = cJSON_GetObjectItem(dml_first_kind(l0, "add"), "stats")->valuestring;
    const char *tb = strstr(orig, "\"tightBounds\":true");
    cr_assert(tb, "%s", orig);
    char expect_stats[2048];
    snprintf(expect_stats, sizeof expect_stats, "%.*sfalse%s", (int)(tb - orig + 14), orig, tb + 18);
    cr_assert_str_eq(cJSON_GetObjectItem(add, "stats")->valuestring, expect_stats);
    cJSON *st = cJSON_Parse(cJSON_GetObjectItem(add, "stats")->valuestring);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(st, "tightBounds")));
    cr_assert_eq(cJSON_GetObjectItem(st, "numRecords")->valuedouble, 10);
    cJSON_Delete(st);
    dml_assert_lines_metric(l, "numDeletionVectorsAdded", "1");
    dml_assert_lines_metric(l, "numDeletionVectorsUpdated", "0");
    dml_assert_lines_metric(l, "numRemovedFiles", "0");
    dml_assert_lines_metric(l, "numAddedFiles", "0");
    dml_assert_lines_metric(l, "numDeletedRows", "4");
    dml_assert_lines_metric(l, "numCopiedRows", "0");
    dml_free_lines(l);
    char seen[4096] = "", dvf[1024];
    uint64_t got[64];
    newest_dv(path, seen, dvf, sizeof dvf);
    cr_assert_eq(dv_rows(dvf, got, 64), 4);
    cr_assert(got[0] == 0 && got[1] == 3 && got[2] == 6 && got[3] == 9);
    char *bytes1 = lml_test_slurp_n(full, &len1);
    cr_assert(len0 == len1 && memcmp(bytes0, bytes1, len0) == 0, "the data file is unchanged");
    free(bytes1);

    /* A second delete in the same file: the new DV holds the old rows too; remove carries the old DV. */
    cr_assert(lml_delta_delete(path, "id = 1 OR id = 2", NULL, &r, &err), "%s", err.message);
    lml_delta_result_clear(&r);
    l = dml_commit_lines(path, 3);
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(dml_first_kind(l, "remove"), "deletionVector"), "cardinality")->valuedouble, 4);
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(dml_first_kind(l, "add"), "deletionVector"), "cardinality")->valuedouble, 6);
    dml_assert_lines_metric(l, "numDeletionVectorsUpdated", "1");
    dml_assert_lines_metric(l, "numDeletionVectorsAdded", "0");
    dml_free_lines(l);
    newest_dv(path, seen, dvf, sizeof dvf);
    cr_assert_eq(dv_rows(dvf, got, 64), 6);
    uint64_t want6[] = {0, 1, 2, 3, 6, 9};
    for (int i = 0; i < 6; i++) cr_assert_eq(got[i], want6[i]);
    ids_are(path, dv_kept);

    /* Every remaining row of the file: the file is removed, its DV with it. */
    cr_assert(lml_delta_delete(path, "id < 10", NULL, &r, &err), "%s", err.message);
    lml_delta_result_clear(&r);
    l = dml_commit_lines(path, 4);
    cr_assert_eq(dml_count_kind(l, "add"), 0);
    cr_assert_eq(dml_count_kind(l, "remove"), 1);
    dml_assert_lines_metric(l, "numRemovedFiles", "1");
    dml_assert_lines_metric(l, "numDeletionVectorsRemoved", "1");
    dml_assert_lines_metric(l, "numDeletedRows", "4");
    dml_free_lines(l);
    ids_are(path, dv_gone);
    free(bytes0);
    dml_free_lines(l0);
}

/* ---- change data feed */

static bool mult5(int64_t id) { return id % 5 != 0; }

Test(delta_delete, change_data_feed_files_hold_the_deleted_rows) {
    const char *path = dml_table_dir("cdf");
    dml_make_table(path, 3, (const char *[]){"delta.enableChangeDataFeed", "true", NULL});
    cJSON **l = dml_commit_lines(path, 0);
    const cJSON *proto = dml_first_kind(l, "protocol");
    cr_assert_geq(cJSON_GetObjectItem(proto, "minWriterVersion")->valuedouble, 4);
    dml_free_lines(l);
    lml_error err = {0};
    lml_delta_result r = {0};
    cr_assert(lml_delta_delete(path, "id % 5 = 0", NULL, &r, &err), "%s", err.message);
    lml_delta_result_clear(&r);
    ids_are(path, mult5);
    l = dml_commit_lines(path, 2);
    /* Deleted ids 0, 15 (part 0), 10 (part 1), 5 (part 2): one cdc file per partition. */
    dml_assert_lines_metric(l, "numAddedChangeFiles", "3");
    int seen = 0;
    int64_t total = 0;
    for (size_t i = 0; l[i]; i++) {
        const cJSON *c = cJSON_GetObjectItem(l[i], "cdc");
        if (!c) continue;
        seen++;
        cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(c, "dataChange")));
        const char *cp = cJSON_GetObjectItem(c, "path")->valuestring;
        cr_assert(strncmp(cp, "_change_data/part=", 18) == 0 && strstr(cp, "/cdc-"), "%s", cp);
        int part = atoi(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "partitionValues"), "part")->valuestring);
        char full[1024];
        snprintf(full, sizeof full, "%s/%s", path, cp);
        lml_frame *f = lml_parquet_read(full, NULL, &err);
        cr_assert(f, "%s", err.message);
        cr_assert_lt(lml_frame_column_index(f, "part"), 0, "partition columns are not stored");
        const lml_column *ct = lml_frame_column_by_name(f, "_change_type", &err), *id = lml_frame_column_by_name(f, "id", &err);
        cr_assert(ct && id);
        for (size_t k = 0; k < lml_frame_num_rows(f); k++) {
            size_t n;
            const char *s = lml_column_string_at(ct, k, &n);
            cr_assert(n == 6 && memcmp(s, "delete", 6) == 0);
            int64_t v = lml_column_int64s(id)[k];
            cr_assert(v % 5 == 0 && v % 3 == part, "id %lld in part %d", (long long)v, part);
            total += v;
        }
        lml_frame_free(f);
    }
    cr_assert_eq(seen, 3);
    cr_assert_eq(total, 0 + 5 + 10 + 15);
    dml_free_lines(l);
}

/* ---- a Spark-written table with deletion vectors (and a checkpoint) */

Test(delta_delete, spark_dv_table_takes_further_deletes) {
    LML_REQUIRE_SHARED(src, "conformance/delta/golden/dv-partitioned-with-checkpoint");
    const char *path;
    lml_frame *before = dml_golden_copy(src, "golden", &path);
    lml_error err = {0};
    size_t n = lml_frame_num_rows(before), kept = 0;
    int32_t *want = malloc((n + 1) * sizeof *want);
    const lml_column *c1 = lml_frame_column_by_name(before, "col1", &err);
    for (size_t i = 0; i < n; i++) {
        int32_t v = lml_column_int32s(c1)[i];
        if (v % 3 != 1) want[kept++] = v;
    }
    cr_assert_gt(n - kept, 0, "the delete has rows to remove");
    lml_frame_free(before);
    lml_delta_result r = {0};
    cr_assert(lml_delta_delete(path, "col1 % 3 = 1", NULL, &r, &err), "%s", err.message);
    cr_assert(r.committed);
    cr_assert_eq(r.version, 16);
    cJSON *m = cJSON_Parse(r.metrics);
    char del[32];
    snprintf(del, sizeof del, "%zu", n - kept);
    cr_assert_str_eq(cJSON_GetObjectItem(m, "numDeletedRows")->valuestring, del);
    cJSON_Delete(m);
    lml_delta_result_clear(&r);
    lml_frame *after = lml_delta_read(path, NULL, NULL, &err);
    cr_assert(after, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(after), kept);
    const lml_column *a1 = lml_frame_column_by_name(after, "col1", &err);
    int32_t *got = malloc((kept + 1) * sizeof *got);
    memcpy(got, lml_column_int32s(a1), kept * sizeof *got);
    for (size_t i = 0; i < kept; i++)
        for (size_t j = i + 1; j < kept; j++) {
            if (got[j] < got[i]) { int32_t t = got[i]; got[i] = got[j]; got[j] = t; }
            if (want[j] < want[i]) { int32_t t = want[i]; want[i] = want[j]; want[j] = t; }
        }
    for (size_t i = 0; i < kept; i++) cr_assert_eq(got[i], want[i], "row %zu", i);
    free(got);
    free(want);
    lml_frame_free(after);
}

Test(delta_delete, append_only_table_refuses) {
    const char *path = dml_table_dir("appendonly");
    dml_make_table(path, 0, (const char *[]){"delta.appendOnly", "true", NULL});
    lml_error err = {0};
    lml_delta_result r = {0};
    cr_assert_not(lml_delta_delete(path, "id = 1", NULL, &r, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
    cr_assert(strstr(err.message, "DELTA_CANNOT_MODIFY_APPEND_ONLY"), "%s", err.message);
    cr_assert_eq(dml_dir_entries(path, "_delta_log"), 2);
}

/* DELETE, UPDATE, MERGE and OPTIMIZE on a table with deletion vectors and a change data feed,
 * then RESTORE across them all: history lists each operation as Spark would, the feed holds each
 * operation's rows, and the restored table equals the version restored to. */
Test(delta_delete, history_changes_and_restore_across_dml_and_optimize) {
    const char *path = dml_table_dir("across");
    const char *props[] = {"delta.enableDeletionVectors", "true", "delta.enableChangeDataFeed", "true", NULL};
    dml_make_table(path, 0, props); /* v0: ids 0-9, v1: ids 10-19 */
    lml_error err = {0};
    lml_delta_result r = {0};
    cr_assert(lml_delta_delete(path, "id % 5 = 0", NULL, &r, &err), "%s", err.message); /* v2 */
    cr_assert_eq(r.version, 2);
    lml_delta_result_clear(&r);
    char *at2 = dml_ids_text(path);
    cr_assert_str_eq(at2, "1,2,3,4,6,7,8,9,11,12,13,14,16,17,18,19");
    cr_assert(lml_delta_update(path, "id = 7", (const char *[]){"name", "'u'", NULL}, NULL, &r, &err), "%s",
              err.message); /* v3 */
    lml_delta_result_clear(&r);
    lml_frame *src = dml_rows(8, 1, 0), *ins = dml_rows(30, 1, 0);
    lml_frame *source = lml_frame_union_by_name((const lml_frame *[]){src, ins}, 2, &err);
    lml_delta_merge *m = lml_delta_merge_new(path, "t", source, "s", "t.id = s.id", &err);
    cr_assert(m, "%s", err.message);
    cr_assert(lml_delta_merge_when_matched_update(m, NULL, (const char *[]){"name", "'m'", NULL}, &err), "%s", err.message);
    cr_assert(lml_delta_merge_when_not_matched_insert_all(m, NULL, &err), "%s", err.message);
    cr_assert(lml_delta_merge_execute(m, NULL, &r, &err), "%s", err.message); /* v4 */
    lml_delta_merge_free(m);
    lml_delta_result_clear(&r);
    cr_assert(lml_delta_optimize(path, NULL, &r, &err), "%s", err.message); /* v5 */
    cr_assert(r.committed);
    lml_delta_result_clear(&r);
    char *at5 = dml_ids_text(path);
    cr_assert_str_eq(at5, "1,2,3,4,6,7,8,9,11,12,13,14,16,17,18,19,30");

    /* The feed: v2 four deletes; v3 one pre- and one post-image; v4 the same plus one insert;
     * v5 (OPTIMIZE, dataChange false) nothing. */
    lml_frame *ch = lml_delta_table_changes(path, &(lml_delta_changes_options){.starting_version = 2}, &err);
    cr_assert(ch, "%s", err.message);
    const lml_column *ty = lml_frame_column_by_name(ch, "_change_type", &err),
                     *cv = lml_frame_column_by_name(ch, "_commit_version", &err),
                     *cid = lml_frame_column_by_name(ch, "id", &err);
    char got[512] = "";
    for (size_t i = 0; i < lml_frame_num_rows(ch); i++) {
        size_t len;
        const char *t = lml_column_string_at(ty, i, &len);
        snprintf(got + strlen(got), sizeof got - strlen(got), "%lld:%.*s:%lld ", (long long)lml_column_int64s(cv)[i],
                 (int)len, t, (long long)lml_column_int64s(cid)[i]);
    }
    /* Within a version the order is the files', so compare as sets of tokens. */
    const char *want[] = {"2:delete:0",          "2:delete:5",          "2:delete:10", "2:delete:15",
                          "3:update_preimage:7", "3:update_postimage:7", "4:update_preimage:8",
                          "4:update_postimage:8", "4:insert:30"};
    size_t nwant = sizeof want / sizeof *want;
    cr_assert_eq(lml_frame_num_rows(ch), nwant, "%s", got);
    for (size_t i = 0; i < nwant; i++) {
        char tok[64];
        snprintf(tok, sizeof tok, "%s ", want[i]);
        cr_assert(strstr(got, tok), "%s missing from %s", want[i], got);
    }
    lml_frame_free(ch);

    cr_assert(lml_delta_restore_to_version(path, 2, NULL, &err), "%s", err.message); /* v6 */
    char *at6 = dml_ids_text(path);
    cr_assert_str_eq(at6, at2);
    lml_frame *now = lml_delta_read(path, NULL, NULL, &err);
    const lml_column *nid = lml_frame_column_by_name(now, "id", &err), *nn = lml_frame_column_by_name(now, "name", &err);
    for (size_t i = 0; i < lml_frame_num_rows(now); i++) {
        if (lml_column_int64s(nid)[i] != 7 && lml_column_int64s(nid)[i] != 8) continue;
        size_t len;
        const char *s = lml_column_string_at(nn, i, &len);
        char want_name[8];
        snprintf(want_name, sizeof want_name, "n%lld", (long long)lml_column_int64s(nid)[i]);
        cr_assert(len == strlen(want_name) && memcmp(s, want_name, len) == 0, "id %lld: %.*s",
                  (long long)lml_column_int64s(nid)[i], (int)len, s);
    }
    lml_frame_free(now);

    lml_delta_table *t = lml_delta_table_open(path, NULL, &err);
    lml_frame *h = lml_delta_table_history(t, 0, &err);
    cr_assert(h, "%s", err.message);
    const char *ops[] = {"RESTORE", "OPTIMIZE", "MERGE", "UPDATE", "DELETE", "WRITE", "WRITE"};
    const char *iso[] = {"Serializable", "SnapshotIsolation", "Serializable", "Serializable", "Serializable"};
    cr_assert_eq(lml_frame_num_rows(h), 7);
    const lml_column *op = lml_frame_column_by_name(h, "operation", &err), *il = lml_frame_column_by_name(h, "isolationLevel", &err),
                     *rv = lml_frame_column_by_name(h, "readVersion", &err);
    for (size_t i = 0; i < 7; i++) {
        size_t len;
        const char *s = lml_column_string_at(op, i, &len);
        cr_assert(len == strlen(ops[i]) && memcmp(s, ops[i], len) == 0, "row %zu: %.*s", i, (int)len, s);
        if (i < 5) {
            s = lml_column_string_at(il, i, &len);
            cr_assert(len == strlen(iso[i]) && memcmp(s, iso[i], len) == 0, "row %zu: %.*s", i, (int)len, s);
            cr_assert_eq(lml_column_int64s(rv)[i], (int64_t)(5 - i), "row %zu", i);
        }
    }
    lml_frame_free(h);
    lml_delta_table_free(t);
    free(at2), free(at5), free(at6);
    lml_frame_free(src), lml_frame_free(ins), lml_frame_free(source);
}

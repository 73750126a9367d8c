/* Delta conformance: every table under ../shared/conformance/delta (Spark's golden tables and
 * delta-rs's test tables) opened at every version its MANIFEST lists, with the file and row
 * counts stated there, the latest snapshot compared cell by cell with expected/<table>.jsonl
 * (rows in any order), the tables meant to be refused refused, and the traps the MANIFEST names
 * (double-encoded paths, physical names, stats_parsed without stats, INT96 and non-UTC
 * timestamps, deletion vectors keyed by path and DV) each checked. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json_cells.h"
#include "lakeml/delta.h"
#include "support.h"

#define DIR "conformance/delta/"

static const char *table_path(const char *table) {
    static char buf[1024];
    char rel[256];
    snprintf(rel, sizeof rel, DIR "%s", table);
    const char *p = lml_test_shared_path(rel);
    if (!p) return NULL;
    snprintf(buf, sizeof buf, "%s", p);
    return buf;
}

static lml_delta_table *open_at(const char *table, int64_t version) {
    lml_error err = {0};
    lml_delta_open_options o = {.has_version = version >= 0, .version = version};
    lml_delta_table *t = lml_delta_table_open(table_path(table), &o, &err);
    cr_assert(t, "%s@%lld: %s", table, (long long)version, err.message);
    return t;
}

/* ---- rows against expected/<table>.latest.jsonl, in any order */

static void check_rows(const char *table, const lml_frame *f) {
    char rel[256];
    snprintf(rel, sizeof rel, DIR "expected/%s.latest.jsonl", table);
    const char *jp = lml_test_shared_path(rel);
    cr_assert(jp, "no expected rows for %s", table);
    char *text = lml_test_slurp(jp);
    size_t n = lml_frame_num_rows(f), matched = 0;
    bool *used = calloc(n + 1, 1);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *obj = cJSON_Parse(line);
        cr_assert(obj, "%s: bad expected line", table);
        cr_assert_eq((size_t)cJSON_GetArraySize(obj), lml_frame_num_cols(f), "%s: column count", table);
        bool found = false;
        char why[512] = "";
        for (size_t r = 0; r < n && !found; r++) {
            if (used[r]) continue;
            bool all = true;
            for (size_t c = 0; c < lml_frame_num_cols(f) && all; c++)
                all = lml_test_cell_matches(lml_frame_column(f, c), r,
                                            cJSON_GetObjectItemCaseSensitive(obj, lml_frame_column_name(f, c)), why,
                                            sizeof why);
            if (all) used[r] = found = true;
        }
        cr_assert(found, "%s: no row read matches expected %s", table, line);
        matched++;
        cJSON_Delete(obj);
    }
    cr_assert_eq(matched, n, "%s: %zu expected rows, %zu read", table, matched, n);
    free(used);
    free(text);
}

/* ---- the MANIFEST's facts for one table */

typedef struct version_fact {
    int64_t version;
    long files, rows; /* rows -1: data absent */
    long dv_rows;
} version_fact;

/* Parses "### <table>" … "- per version (…): v0:1f/10r@… v1:2f/5(stats)r-2dv@…" and
 * "- latest version: **N**". Returns the number of versions found. */
static size_t manifest_facts(const char *table, version_fact *out, size_t cap, int64_t *latest) {
    const char *mp = lml_test_shared_path(DIR "MANIFEST.md");
    cr_assert(mp);
    char *text = lml_test_slurp(mp);
    char head[256];
    snprintf(head, sizeof head, "### %s\n", table);
    char *sec = strstr(text, head);
    cr_assert(sec, "MANIFEST has no section for %s", table);
    char *end = strstr(sec + 4, "\n### ");
    if (end) *end = 0;
    char *lv = strstr(sec, "- latest version: **");
    cr_assert(lv);
    *latest = strtoll(lv + 20, NULL, 10);
    size_t n = 0;
    char *pv = strstr(sec, "- per version");
    if (pv) {
        char *eol = strchr(pv, '\n');
        if (eol) *eol = 0;
        pv = strstr(pv, "): ");
        for (char *tok = strtok(pv + 3, " "); tok && n < cap; tok = strtok(NULL, " ")) {
            if (tok[0] != 'v') continue;
            version_fact *f = &out[n];
            char *p = tok + 1;
            f->version = strtoll(p, &p, 10);
            cr_assert(*p == ':', "MANIFEST token %s", tok);
            f->files = strtol(p + 1, &p, 10);
            cr_assert(*p == 'f' && p[1] == '/');
            p += 2;
            f->rows = *p == '?' ? -1 : strtol(p, &p, 10);
            if (strncmp(p, "(stats)", 7) == 0) f->rows = -1; /* a count from the log: the data files are absent */
            f->dv_rows = 0;
            char *dv = strstr(p, "r-");
            if (dv && strstr(dv, "dv")) f->dv_rows = strtol(dv + 2, NULL, 10);
            n++;
        }
    }
    free(text);
    return n;
}

/* Opens the table at every version the MANIFEST lists: file count, row count. */
static void check_versions(const char *table) {
    if (!table_path(table)) cr_skip_test("SKIPPED: ../shared/" DIR "%s not found; conformance data absent", table);
    version_fact facts[64];
    int64_t latest;
    size_t n = manifest_facts(table, facts, 64, &latest);
    lml_delta_table *t = open_at(table, -1);
    cr_assert_eq(lml_delta_table_version(t), latest, "%s: latest version", table);
    lml_delta_table_free(t);
    for (size_t i = 0; i < n; i++) {
        t = open_at(table, facts[i].version);
        cr_assert_eq((long)lml_delta_table_num_files(t), facts[i].files, "%s@%lld: files", table,
                     (long long)facts[i].version);
        if (facts[i].rows >= 0) {
            lml_error err = {0};
            lml_frame *f = lml_delta_table_read(t, NULL, &err);
            cr_assert(f, "%s@%lld: %s", table, (long long)facts[i].version, err.message);
            cr_assert_eq((long)lml_frame_num_rows(f), facts[i].rows - facts[i].dv_rows, "%s@%lld: rows", table,
                         (long long)facts[i].version);
            lml_frame_free(f);
        }
        lml_delta_table_free(t);
    }
}

static void check_latest(const char *table) {
    if (!table_path(table)) cr_skip_test("SKIPPED: ../shared/" DIR "%s not found; conformance data absent", table);
    lml_delta_table *t = open_at(table, -1);
    lml_error err = {0};
    lml_frame *f = lml_delta_table_read(t, NULL, &err);
    cr_assert(f, "%s: %s", table, err.message);
    check_rows(table, f);
    lml_frame_free(f);
    lml_delta_table_free(t);
}

#define TABLE_TEST(name, table)                                  \
    Test(delta_read, name##_every_version) { check_versions(table); } \
    Test(delta_read, name##_latest_rows) { check_latest(table); }

TABLE_TEST(iterator_bug, "golden/125-iterator-bug")
TABLE_TEST(inserts_deletes_checkpoint, "golden/basic-with-inserts-deletes-checkpoint")
TABLE_TEST(inserts_overwrite_restore, "golden/basic-with-inserts-overwrite-restore")
TABLE_TEST(corrupted_last_checkpoint, "golden/corrupted-last-checkpoint-kernel")
TABLE_TEST(escaped_chars, "golden/data-reader-escaped-chars")
TABLE_TEST(partition_values, "golden/data-reader-partition-values")
TABLE_TEST(primitives, "golden/data-reader-primitives")
TABLE_TEST(stats_all_types, "golden/data-skipping-basic-stats-all-types")
TABLE_TEST(dv_partitioned_checkpoint, "golden/dv-partitioned-with-checkpoint")
TABLE_TEST(timestamp_int96, "golden/kernel-timestamp-INT96")
TABLE_TEST(timestamp_micros, "golden/kernel-timestamp-TIMESTAMP_MICROS")
TABLE_TEST(dv_key_cases, "golden/log-replay-dv-key-cases")
TABLE_TEST(latest_metadata_protocol, "golden/log-replay-latest-metadata-protocol")
TABLE_TEST(multi_part_checkpoint, "golden/multi-part-checkpoint")
TABLE_TEST(only_checkpoint_files, "golden/only-checkpoint-files")
TABLE_TEST(parquet_all_types, "golden/parquet-all-types")
TABLE_TEST(snapshot_data2_deleted, "golden/snapshot-data2-deleted")
TABLE_TEST(column_mapping_name, "golden/table-with-columnmapping-mode-name")
TABLE_TEST(schema_changes, "golden/time-travel-schema-changes-b")
TABLE_TEST(start20_start40, "golden/time-travel-start-start20-start40")
TABLE_TEST(v2_checkpoint_json, "golden/v2-checkpoint-json")
TABLE_TEST(cdc_ict, "delta-rs/cdc_ict_table")
TABLE_TEST(checkpoint_cdf, "delta-rs/checkpoint-cdf-table")
TABLE_TEST(special_partition, "delta-rs/delta-0.8.0-special-partition")
TABLE_TEST(only_struct_stats, "delta-rs/delta-1.2.1-only-struct-stats")
TABLE_TEST(http_requests, "delta-rs/http_requests")
TABLE_TEST(simple_table, "delta-rs/simple_table")
TABLE_TEST(column_mapping_photon, "delta-rs/table_with_column_mapping")

/* Log-only fixtures (no data files): versions and file counts only. */
Test(delta_read, checkpoint_log_only_every_version) { check_versions("golden/checkpoint"); }
Test(delta_read, checkpoint_without_last_checkpoint) { check_versions("delta-rs/with_checkpoint_no_last_checkpoint"); }

/* ---- tables meant to be refused, and the traps the MANIFEST names */

static void expect_open_error(const char *table, int64_t version, lml_errcode code, const char *needle) {
    if (!table_path(table)) cr_skip_test("SKIPPED: ../shared/" DIR "%s not found; conformance data absent", table);
    lml_error err = {0};
    lml_delta_open_options o = {.has_version = version >= 0, .version = version};
    cr_assert_null(lml_delta_table_open(table_path(table), &o, &err), "%s should be refused", table);
    cr_assert_eq(err.code, code, "%s: %s", table, err.message);
    cr_assert(strstr(err.message, needle), "%s: '%s' not in %s", table, needle, err.message);
}

Test(delta_read, invalid_protocol_version_is_refused) {
    expect_open_error("golden/deltalog-invalid-protocol-version", -1, LML_EUNSUPPORTED, "reader version 99");
}
Test(delta_read, missing_commit_is_refused) {
    expect_open_error("golden/versions-not-contiguous", -1, LML_EFORMAT, "not contiguous");
}
Test(delta_read, state_without_protocol_is_refused) {
    expect_open_error("golden/deltalog-state-reconstruction-without-protocol", -1, LML_EFORMAT, "no protocol");
}
Test(delta_read, versions_before_the_oldest_checkpoint_cannot_be_travelled_to) {
    for (int v = 0; v < 3; v++)
        expect_open_error("delta-rs/checkpoint-cdf-table", v, LML_ENOTFOUND, "Available versions: [3, 5]");
}

/* Files known only from a checkpoint with stats_parsed and no JSON stats still have numRecords. */
Test(delta_read, num_records_from_stats_parsed) {
    if (!table_path("delta-rs/delta-1.2.1-only-struct-stats")) cr_skip_test("SKIPPED: conformance data absent");
    lml_delta_table *t = open_at("delta-rs/delta-1.2.1-only-struct-stats", -1);
    lml_error err = {0};
    lml_frame *f = lml_delta_table_files(t, &err);
    cr_assert(f, "%s", err.message);
    const lml_column *nr = lml_frame_column_by_name(f, "numRecords", &err);
    cr_assert_eq(lml_frame_num_rows(f), 12);
    cr_assert_eq(lml_column_null_count(nr), 0);
    int64_t sum = 0;
    for (size_t i = 0; i < 12; i++) sum += lml_column_int64s(nr)[i];
    cr_assert_eq(sum, 12);
    lml_frame_free(f);
    lml_delta_table_free(t);
}

/* add.path is URI-encoded once more than the directory: the partition value comes from the log. */
Test(delta_read, double_encoded_paths_and_partition_values_from_the_log) {
    if (!table_path("golden/data-reader-escaped-chars")) cr_skip_test("SKIPPED: conformance data absent");
    lml_delta_table *t = open_at("golden/data-reader-escaped-chars", -1);
    lml_error err = {0};
    lml_frame *files = lml_delta_table_files(t, &err);
    size_t len;
    const char *p = lml_column_string_at(lml_frame_column_by_name(files, "path", &err), 0, &len);
    cr_assert(len > 12 && memcmp(p, "_2=bar+%2521/", 13) == 0, "decoded once: %.*s", (int)len, p);
    lml_frame_free(files);
    lml_delta_table_free(t);
}

/* Skipping: a filter on a partition column reads only its files; one on a data column uses
 * min/max stats. */
Test(delta_read, filters_skip_files_by_partition_values_and_stats) {
    if (!table_path("golden/basic-with-inserts-deletes-checkpoint")) cr_skip_test("SKIPPED: conformance data absent");
    lml_delta_table *t = open_at("golden/basic-with-inserts-deletes-checkpoint", -1);
    lml_parquet_predicate p = {.column = "id", .op = LML_PQ_OP_GE, .value = {.type = LML_INT64, .v.i64 = 60}};
    lml_delta_read_options o = {.filters = &p, .num_filters = 1};
    lml_error err = {0};
    lml_frame *f = lml_delta_table_read(t, &o, &err);
    cr_assert(f, "%s", err.message);
    /* ids 50-59 and 60-65 live in two files (50-59 one, 60-65 the other): only the latter can match */
    cr_assert_eq(lml_frame_num_rows(f), 6, "only the file with ids 60-65 is read");
    lml_frame_free(f);
    lml_delta_table_free(t);
    t = open_at("golden/dv-partitioned-with-checkpoint", -1);
    lml_parquet_predicate q = {.column = "part", .op = LML_PQ_OP_EQ, .value = {.type = LML_INT32, .v.i32 = 3}};
    o = (lml_delta_read_options){.filters = &q, .num_filters = 1};
    f = lml_delta_table_read(t, &o, &err);
    cr_assert(f, "%s", err.message);
    const lml_column *part = lml_frame_column_by_name(f, "part", &err);
    cr_assert_gt(lml_frame_num_rows(f), 0);
    for (size_t i = 0; i < lml_frame_num_rows(f); i++) cr_assert_eq(lml_column_int32s(part)[i], 3);
    lml_frame_free(f);
    lml_delta_table_free(t);
}

/* OPTIMIZE bin-packing (delta.md §11.1): files before and after, rows kept as a multiset, the
 * commit JSON read as plain lines (dataChange=false on every add and remove, operation and
 * parameters), the metrics recomputed from the files, deletion vectors purged on a Spark-written
 * table, the partition predicate, the no-op cases and the errors. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "delta/schema.h"
#include "delta/stats.h"
#include "lakeml/delta.h"
#include "delta_dml_support.h"
#include "support.h"

/* A frame (id long, x double, part int) with ids [from, from + n). */
static lml_frame *rows(int64_t from, size_t n, int parts) {
    lml_error err = {0};
    int64_t *id = malloc(n * sizeof *id);
    double *x = malloc(n * sizeof *x);
    int32_t *part = malloc(n * sizeof *part);
    for (size_t i = 0; i < n; i++) {
        id[i] = from + (int64_t)i;
        x[i] = (double)((id[i] * 7919) % 1000) / 10.0;
        part[i] = parts ? (int32_t)(id[i] % parts) : 0;
    }
    lml_column *cols[3] = {lml_column_from_int64s(id, NULL, n, &err), lml_column_from_doubles(x, NULL, n, &err),
                           lml_column_from_int32s(part, NULL, n, &err)};
    lml_frame *f = lml_frame_new(3, (const char *[]){"id", "x", "part"}, cols, &err);
    cr_assert(f, "%s", err.message);
    for (int k = 0; k < 3; k++) lml_column_free(cols[k]);
    free(id), free(x), free(part);
    return f;
}

/* nfiles appends of `per` rows each (one file per partition value per append). */
static char *make_table(int nfiles, size_t per, int parts) {
    char *dir = strdup(lml_test_temp_dir());
    const char *pb[] = {"part", NULL};
    for (int i = 0; i < nfiles; i++) {
        lml_frame *f = rows((int64_t)i * (int64_t)per, per, parts);
        lml_delta_write_options o = {.mode = LML_DELTA_APPEND, .partition_by = parts ? pb : NULL};
        lml_error err = {0};
        cr_assert(lml_delta_write(f, dir, &o, NULL, &err), "%s", err.message);
        lml_frame_free(f);
    }
    return dir;
}

/* The table's values of a long column, sorted (a multiset). */
static int64_t *sorted_ids(const char *path, const char *col, size_t *n) {
    lml_error err = {0};
    lml_delta_read_options ro = {.columns = (const char *[]){col, NULL}};
    lml_frame *f = lml_delta_read(path, NULL, &ro, &err);
    cr_assert(f, "%s", err.message);
    *n = lml_frame_num_rows(f);
    const lml_column *c = lml_frame_column(f, 0);
    int64_t *v = malloc((*n + 1) * sizeof *v);
    for (size_t i = 0; i < *n; i++) v[i] = lml_column_get(c, i).v.i64;
    qsort(v, *n, sizeof *v, dml_cmp_i64);
    lml_frame_free(f);
    return v;
}

/* The live files' sizes (sorted) and their count. */
static size_t file_sizes(const char *path, int64_t *sizes, size_t cap) {
    lml_error err = {0};
    lml_delta_table *t = lml_delta_table_open(path, NULL, &err);
    cr_assert(t, "%s", err.message);
    lml_frame *f = lml_delta_table_files(t, &err);
    cr_assert(f, "%s", err.message);
    size_t n = lml_frame_num_rows(f);
    cr_assert(n <= cap);
    const lml_column *c = lml_frame_column(f, (size_t)lml_frame_column_index(f, "size"));
    for (size_t i = 0; i < n; i++) sizes[i] = lml_column_get(c, i).v.i64;
    qsort(sizes, n, sizeof *sizes, dml_cmp_i64);
    lml_frame_free(f);
    lml_delta_table_free(t);
    return n;
}

typedef struct commit_summary {
    int adds, removes, adds_no_change, removes_no_change, adds_with_dv, removes_with_dv;
    char operation[32], isolation[32];
    cJSON *params, *metrics;
} commit_summary;

static void summarize(const char *text, commit_summary *s) {
    memset(s, 0, sizeof *s);
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        cJSON *j = cJSON_ParseWithLength(line, len);
        cr_assert(j, "bad commit line");
        cJSON *a;
        if ((a = cJSON_GetObjectItem(j, "add"))) {
            s->adds++;
            s->adds_no_change += cJSON_IsFalse(cJSON_GetObjectItem(a, "dataChange"));
            s->adds_with_dv += cJSON_GetObjectItem(a, "deletionVector") != NULL;
        } else if ((a = cJSON_GetObjectItem(j, "remove"))) {
            s->removes++;
            s->removes_no_change += cJSON_IsFalse(cJSON_GetObjectItem(a, "dataChange"));
            s->removes_with_dv += cJSON_GetObjectItem(a, "deletionVector") != NULL;
        } else if ((a = cJSON_GetObjectItem(j, "commitInfo"))) {
            snprintf(s->operation, sizeof s->operation, "%s", cJSON_GetObjectItem(a, "operation")->valuestring);
            snprintf(s->isolation, sizeof s->isolation, "%s", cJSON_GetObjectItem(a, "isolationLevel")->valuestring);
            s->params = cJSON_Duplicate(cJSON_GetObjectItem(a, "operationParameters"), true);
            s->metrics = cJSON_Duplicate(cJSON_GetObjectItem(a, "operationMetrics"), true);
        }
        cJSON_Delete(j);
        line += len + (nl ? 1 : 0);
    }
}

static void summary_free(commit_summary *s) {
    cJSON_Delete(s->params);
    cJSON_Delete(s->metrics);
}

static long long metric(const cJSON *m, const char *key) {
    const cJSON *v = cJSON_GetObjectItem(m, key);
    cr_assert(cJSON_IsString(v), "metric %s missing", key);
    return atoll(v->valuestring);
}

static int64_t sum(const int64_t *v, size_t n) {
    int64_t s = 0;
    for (size_t i = 0; i < n; i++) s += v[i];
    return s;
}

Test(delta_optimize, compacts_small_files_into_one_with_data_change_false) {
    char *dir = make_table(10, 100, 0);
    int64_t before[64], after[64];
    size_t nb = file_sizes(dir, before, 64);
    cr_assert_eq(nb, 10);
    size_t n0, n1;
    int64_t *ids0 = sorted_ids(dir, "id", &n0);
    lml_delta_result r;
    lml_error err = {0};
    cr_assert(lml_delta_optimize(dir, NULL, &r, &err), "%s", err.message);
    cr_assert(r.committed);
    cr_assert_eq(r.version, 10);
    size_t na = file_sizes(dir, after, 64);
    cr_assert_eq(na, 1);
    int64_t *ids1 = sorted_ids(dir, "id", &n1);
    cr_assert_eq(n1, 1000);
    cr_assert_eq(n0, n1);
    cr_assert_eq(memcmp(ids0, ids1, n0 * sizeof *ids0), 0);

    char *text = dml_commit_text(dir, 10);
    commit_summary s;
    summarize(text, &s);
    cr_assert_str_eq(s.operation, "OPTIMIZE");
    cr_assert_str_eq(s.isolation, "SnapshotIsolation");
    cr_assert_eq(s.adds, 1);
    cr_assert_eq(s.removes, 10);
    cr_assert_eq(s.adds_no_change, 1);
    cr_assert_eq(s.removes_no_change, 10);
    cr_assert_str_eq(cJSON_GetObjectItem(s.params, "predicate")->valuestring, "[]");
    cr_assert_str_eq(cJSON_GetObjectItem(s.params, "zOrderBy")->valuestring, "[]");
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(s.params, "auto")));
    cr_assert_eq(metric(s.metrics, "numAddedFiles"), 1);
    cr_assert_eq(metric(s.metrics, "numRemovedFiles"), 10);
    cr_assert_eq(metric(s.metrics, "numRemovedBytes"), sum(before, nb));
    cr_assert_eq(metric(s.metrics, "numAddedBytes"), after[0]);
    cr_assert_eq(metric(s.metrics, "minFileSize"), after[0]);
    cr_assert_eq(metric(s.metrics, "p50FileSize"), after[0]);
    cr_assert_eq(metric(s.metrics, "maxFileSize"), after[0]);
    cr_assert_eq(metric(s.metrics, "numDeletionVectorsRemoved"), 0);
    /* The result carries the same metrics object. */
    cJSON *rm = cJSON_Parse(r.metrics);
    cr_assert_eq(metric(rm, "numRemovedBytes"), sum(before, nb));
    cJSON_Delete(rm);
    /* Fresh, tight stats over all 1000 rows of the new file. */
    cr_assert(strstr(text, "\\\"numRecords\\\":1000,\\\"minValues\\\":{\\\"id\\\":0,"), "%s", text);
    cr_assert(strstr(text, "\\\"maxValues\\\":{\\\"id\\\":999,"), "%s", text);
    cr_assert(strstr(text, "\\\"tightBounds\\\":true"));
    summary_free(&s);
    free(text);
    free(ids0), free(ids1), free(r.metrics), free(dir);
}

Test(delta_optimize, bins_stay_within_max_file_size) {
    char *dir = make_table(8, 200, 0);
    int64_t before[16], after[16];
    size_t nb = file_sizes(dir, before, 16);
    cr_assert_eq(nb, 8);
    /* Any two files fit, no three do: sizes are within 20% of each other. */
    cr_assert(before[0] * 5 > before[7] * 4, "file sizes %lld..%lld", (long long)before[0], (long long)before[7]);
    int64_t max = 2 * before[7] + before[0] / 2;
    lml_delta_optimize_options o = {.max_file_size = max};
    lml_delta_result r;
    lml_error err = {0};
    cr_assert(lml_delta_optimize(dir, &o, &r, &err), "%s", err.message);
    size_t na = file_sizes(dir, after, 16);
    cr_assert_eq(na, 4);
    cJSON *m = cJSON_Parse(r.metrics);
    cr_assert_eq(metric(m, "numAddedFiles"), 4);
    cr_assert_eq(metric(m, "numRemovedFiles"), 8);
    cr_assert_eq(metric(m, "numAddedBytes"), sum(after, na));
    /* FileSizeStatsWithHistogram: sorted[(int)(count * p)]. */
    cr_assert_eq(metric(m, "minFileSize"), after[0]);
    cr_assert_eq(metric(m, "p25FileSize"), after[1]);
    cr_assert_eq(metric(m, "p50FileSize"), after[2]);
    cr_assert_eq(metric(m, "p75FileSize"), after[3]);
    cr_assert_eq(metric(m, "maxFileSize"), after[3]);
    cJSON_Delete(m);
    size_t n1;
    int64_t *ids = sorted_ids(dir, "id", &n1);
    cr_assert_eq(n1, 1600);
    for (size_t i = 0; i < n1; i++) cr_assert_eq(ids[i], (int64_t)i);
    free(ids), free(r.metrics), free(dir);
}

Test(delta_optimize, nothing_to_compact_commits_nothing) {
    char *dir = make_table(3, 50, 0);
    lml_delta_optimize_options o = {.min_file_size = 1}; /* no file is smaller than one byte */
    lml_delta_result r;
    lml_error err = {0};
    cr_assert(lml_delta_optimize(dir, &o, &r, &err), "%s", err.message);
    cr_assert(!r.committed);
    cr_assert_eq(r.version, 2);
    cJSON *m = cJSON_Parse(r.metrics);
    cr_assert_eq(metric(m, "numAddedFiles"), 0);
    cr_assert_eq(metric(m, "numRemovedFiles"), 0);
    cJSON_Delete(m);
    free(r.metrics);
    char p[4096];
    snprintf(p, sizeof p, "%s/_delta_log/%020d.json", dir, 3);
    cr_assert(access(p, F_OK) != 0, "no version 3 may exist");
    free(dir);

    /* A single small file is already compact. */
    dir = make_table(1, 50, 0);
    cr_assert(lml_delta_optimize(dir, NULL, &r, &err), "%s", err.message);
    cr_assert(!r.committed);
    cr_assert_eq(r.version, 0);
    free(r.metrics), free(dir);
}

Test(delta_optimize, where_restricts_work_to_matching_partitions) {
    char *dir = make_table(3, 90, 3); /* 3 appends × 3 partitions = 9 files */
    int64_t sizes[16];
    cr_assert_eq(file_sizes(dir, sizes, 16), 9);
    lml_delta_optimize_options o = {.where = "part = 1"};
    lml_delta_result r;
    lml_error err = {0};
    cr_assert(lml_delta_optimize(dir, &o, &r, &err), "%s", err.message);
    cr_assert(r.committed);
    cr_assert_eq(file_sizes(dir, sizes, 16), 7);
    char *text = dml_commit_text(dir, r.version);
    commit_summary s;
    summarize(text, &s);
    cr_assert_eq(s.removes, 3);
    cr_assert_eq(s.adds, 1);
    cr_assert_str_eq(cJSON_GetObjectItem(s.params, "predicate")->valuestring, "[\"(part = 1)\"]");
    /* Every file touched belongs to part=1, and the new one sits in its directory. */
    int touched = 0;
    for (const char *p = text; (p = strstr(p, "\"partitionValues\":{\"part\":\"")); p++) {
        cr_assert_eq(p[strlen("\"partitionValues\":{\"part\":\"")], '1');
        touched++;
    }
    cr_assert_eq(touched, 4);
    cr_assert(strstr(text, "\"path\":\"part=1/part-"));
    summary_free(&s);
    free(text);
    size_t n;
    int64_t *ids = sorted_ids(dir, "id", &n);
    cr_assert_eq(n, 270);
    for (size_t i = 0; i < n; i++) cr_assert_eq(ids[i], (int64_t)i);
    free(ids), free(r.metrics);

    /* A predicate on a data column is refused. */
    o.where = "id > 3";
    cr_assert(!lml_delta_optimize(dir, &o, &r, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "non-partition column 'id'"), "%s", err.message);
    free(dir);
}

Test(delta_optimize, zorder_column_errors) {
    char *dir = make_table(2, 10, 2);
    lml_delta_result r;
    lml_error err = {0};
    lml_delta_optimize_options o = {.zorder_by = (const char *[]){"part", NULL}};
    cr_assert(!lml_delta_optimize(dir, &o, &r, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "part is a partition column"), "%s", err.message);
    o.zorder_by = (const char *[]){"x", "nope", NULL};
    cr_assert(!lml_delta_optimize(dir, &o, &r, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    cr_assert(strstr(err.message, "nope"), "%s", err.message);
    cr_assert_eq(file_sizes(dir, (int64_t[8]){0}, 8), 4);
    free(dir);
}

/* Spark's dv-partitioned-with-checkpoint: 15 files over 10 partitions, 2 with deletion vectors
 * (35 visible rows). OPTIMIZE compacts every partition with more than one file and rewrites the
 * DV-bearing files alone if need be: afterwards no DV is left and the deleted rows stay deleted. */
Test(delta_optimize, purges_deletion_vectors_of_a_spark_table) {
    LML_REQUIRE_SHARED(src, "conformance/delta/golden/dv-partitioned-with-checkpoint");
    char *dir = strdup(lml_test_temp_dir());
    dml_copy_tree(src, dir);
    lml_error err = {0};
    lml_delta_table *t = lml_delta_table_open(dir, NULL, &err);
    cr_assert(t, "%s", err.message);
    lml_frame *files = lml_delta_table_files(t, &err);
    cr_assert(files);
    const lml_column *del = lml_frame_column(files, (size_t)lml_frame_column_index(files, "deletedRows"));
    int with_dv = 0;
    for (size_t i = 0; i < lml_frame_num_rows(files); i++) with_dv += lml_column_get(del, i).v.i64 > 0;
    cr_assert_eq(with_dv, 2);
    lml_frame_free(files);
    lml_delta_table_free(t);
    size_t n0, n1;
    int64_t *v0 = sorted_ids(dir, "col1", &n0);
    cr_assert_eq(n0, 35);

    lml_delta_result r;
    cr_assert(lml_delta_optimize(dir, NULL, &r, &err), "%s", err.message);
    cr_assert(r.committed);
    cr_assert_eq(r.version, 16);
    char *text = dml_commit_text(dir, 16);
    commit_summary s;
    summarize(text, &s);
    cr_assert_eq(s.removes_with_dv, 2);
    cr_assert_eq(s.removes, s.removes_no_change);
    cr_assert_eq(s.adds, s.adds_no_change);
    cr_assert_eq(metric(s.metrics, "numDeletionVectorsRemoved"), 2);
    cr_assert_eq(s.adds_with_dv, 0);
    summary_free(&s);
    free(text);

    t = lml_delta_table_open(dir, NULL, &err);
    cr_assert(t, "%s", err.message);
    files = lml_delta_table_files(t, &err);
    del = lml_frame_column(files, (size_t)lml_frame_column_index(files, "deletedRows"));
    for (size_t i = 0; i < lml_frame_num_rows(files); i++) cr_assert_eq(lml_column_get(del, i).v.i64, 0);
    cr_assert_eq(lml_frame_num_rows(files), 10); /* one file per partition */
    lml_frame_free(files);
    lml_delta_table_free(t);
    int64_t *v1 = sorted_ids(dir, "col1", &n1);
    cr_assert_eq(n1, 35);
    cr_assert_eq(memcmp(v0, v1, n0 * sizeof *v0), 0);
    free(v0), free(v1), free(r.metrics), free(dir);
}

/* The streaming stats OPTIMIZE writes: accumulated over slices (each bound found in a different
 * slice, nulls spread over them, a string bound longer than 32 characters, one all-null slice of
 * a column) they are byte for byte the one-frame stats of the whole. */
Test(delta_optimize, stats_accumulated_by_slices_equal_one_frame_stats) {
    lml_error err = {0};
    enum { N = 9 };
    int64_t id[N] = {5, -3, 8, 0, 12, 7, -9, 1, 4};
    double x[N] = {0.5, 2.5, -1.0, 3.0, 0.0, -7.25, 1.0, 9.5, 2.0};
    uint8_t xvalid[2] = {0xFB, 0x01}; /* row 2 null */
    const char *str[N] = {"m", NULL, "zz", "a", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", NULL, NULL, "b", "zzz"};
    lml_column *cols[3] = {lml_column_from_int64s(id, NULL, N, &err), lml_column_from_doubles(x, xvalid, N, &err),
                           lml_column_from_strings(str, N, &err)};
    lml_frame *f = lml_frame_new(3, (const char *[]){"id", "x", "s"}, cols, &err);
    cr_assert(f, "%s", err.message);
    lml_delta_schema schema;
    cr_assert(lml_delta_schema_from_frame(f, &schema, &err), "%s", err.message);
    char *whole = lml_delta_stats_json(f, &schema, 32, false, &err);
    cr_assert(whole, "%s", err.message);
    cr_assert_str_eq(whole, "{\"numRecords\":9,\"minValues\":{\"id\":-9,\"x\":-7.25,\"s\":\"a\"},"
                            "\"maxValues\":{\"id\":12,\"x\":9.5,\"s\":\"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\x7f\"},"
                            "\"nullCount\":{\"id\":0,\"x\":1,\"s\":3},\"tightBounds\":true}");
    size_t cuts[][2] = {{0, 3}, {3, 2}, {5, 2}, {7, 2}};
    lml_delta_stats_acc *a = lml_delta_stats_acc_new(&schema, 32, false, &err);
    for (size_t k = 0; k < 4; k++) {
        lml_frame *part = lml_frame_slice(f, cuts[k][0], cuts[k][1], &err);
        cr_assert(lml_delta_stats_acc_add(a, part, &err), "%s", err.message);
        lml_frame_free(part);
    }
    char *acc = lml_delta_stats_acc_json(a, &err);
    cr_assert_str_eq(acc, whole);
    cr_assert_eq(lml_delta_stats_acc_rows(a), N);
    lml_delta_stats_acc_free(a);
    free(acc), free(whole);
    lml_delta_schema_clear(&schema);
    lml_frame_free(f);
    for (int k = 0; k < 3; k++) lml_column_free(cols[k]);
}

/* Idempotent OPTIMIZE (txnAppId / txnVersion): the commit carries the txn action, and the same
 * application version again is skipped without reading or writing anything. */
Test(delta_optimize, txn_app_id_makes_it_idempotent) {
    char *dir = make_table(4, 20, 0);
    lml_delta_dml_options dml = {.txn_app_id = "compactor", .txn_version = 7, .user_metadata = "nightly"};
    lml_delta_optimize_options o = {.dml = &dml};
    lml_delta_result r;
    lml_error err = {0};
    cr_assert(lml_delta_optimize(dir, &o, &r, &err), "%s", err.message);
    cr_assert(r.committed && !r.skipped);
    free(r.metrics);
    char *text = dml_commit_text(dir, 4);
    cr_assert(strstr(text, "{\"txn\":{\"appId\":\"compactor\",\"version\":7"), "%s", text);
    cr_assert(strstr(text, "\"userMetadata\":\"nightly\""));
    free(text);
    /* More small files, then the same application version: nothing happens. */
    lml_frame *f = rows(1000, 10, 0);
    lml_delta_write_options wo = {.mode = LML_DELTA_APPEND};
    cr_assert(lml_delta_write(f, dir, &wo, NULL, &err), "%s", err.message);
    cr_assert(lml_delta_write(f, dir, &wo, NULL, &err), "%s", err.message);
    lml_frame_free(f);
    cr_assert(lml_delta_optimize(dir, &o, &r, &err), "%s", err.message);
    cr_assert(r.skipped && !r.committed);
    cr_assert_eq(r.version, 6);
    cr_assert_null(r.metrics);
    int64_t sizes[8];
    cr_assert_eq(file_sizes(dir, sizes, 8), 3);
    dml.txn_version = 8;
    cr_assert(lml_delta_optimize(dir, &o, &r, &err), "%s", err.message);
    cr_assert(r.committed && !r.skipped);
    cr_assert_eq(file_sizes(dir, sizes, 8), 1);
    free(r.metrics), free(dir);
}

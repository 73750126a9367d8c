/* The streaming Delta scan and writer: lml_delta_scan pieces concatenated equal
 * lml_delta_table_read (conformance tables with deletion vectors, partitions and column mapping;
 * tables lakeml writes with several files and row groups; filters), one piece per (file, row
 * group) left; lml_delta_writer batches → one commit with Spark's metrics, partitioned writes,
 * abort, schema mismatch across batches, IGNORE and ERROR_IF_EXISTS. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lakeml/delta.h"
#include "lakeml/lakeml.h"
#include "lakeml/parquet.h"
#include "pq_support.h"
#include "support.h"

/* ---- scanning */

/* Row groups of every live file of t (opened independently of the scan). */
static size_t row_groups_of(const lml_delta_table *t, const char *root) {
    lml_error err = {0};
    lml_frame *files = lml_delta_table_files(t, &err);
    cr_assert(files, "%s", err.message);
    const lml_column *paths = lml_frame_column_by_name(files, "path", &err);
    size_t total = 0;
    for (size_t i = 0; i < lml_frame_num_rows(files); i++) {
        size_t len;
        const char *rel = lml_column_string_at(paths, i, &len);
        char full[4096];
        snprintf(full, sizeof full, "%s/%.*s", root, (int)len, rel);
        lml_parquet_file *pf = lml_parquet_open(full, &err);
        cr_assert(pf, "%s", err.message);
        total += lml_parquet_num_row_groups(pf);
        lml_parquet_close(pf);
    }
    lml_frame_free(files);
    return total;
}

/* Scans t with opt; checks the pieces concatenated equal lml_delta_table_read and returns the
 * number of pieces. */
static size_t scan_matches_read(const lml_delta_table *t, const lml_delta_read_options *opt, const char *what) {
    lml_error err = {0};
    lml_frame *whole = lml_delta_table_read(t, opt, &err);
    cr_assert(whole, "%s: %s", what, err.message);
    lml_delta_scan *s = lml_delta_scan_open(t, opt, &err);
    cr_assert(s, "%s: %s", what, err.message);
    size_t n = 0, cap = 16;
    lml_frame **pieces = malloc(cap * sizeof *pieces);
    for (;;) {
        lml_frame *p = NULL;
        cr_assert(lml_delta_scan_next(s, &p, &err), "%s: %s", what, err.message);
        if (!p) break;
        cr_assert_eq(lml_frame_num_cols(p), lml_frame_num_cols(whole), "%s", what);
        if (n == cap) pieces = realloc(pieces, (cap *= 2) * sizeof *pieces);
        pieces[n++] = p;
    }
    int64_t total = lml_delta_scan_total_rows(s);
    cr_assert(total == -1 || total == (int64_t)lml_frame_num_rows(whole), "%s: total_rows %lld, %zu rows read", what,
              (long long)total, lml_frame_num_rows(whole));
    lml_delta_scan_free(s);
    if (n == 0) {
        cr_assert_eq(lml_frame_num_rows(whole), 0, "%s", what);
    } else {
        lml_frame *all = lml_frame_union_by_name((const lml_frame *const *)pieces, n, &err);
        cr_assert(all, "%s: %s", what, err.message);
        lml_test_assert_frames_equal(all, whole);
        lml_frame_free(all);
    }
    for (size_t i = 0; i < n; i++) lml_frame_free(pieces[i]);
    free(pieces);
    lml_frame_free(whole);
    return n;
}

Test(delta_stream, conformance_tables_scan_as_they_read) {
    LML_REQUIRE_SHARED(base, "conformance/delta");
    static const char *const tables[] = {"golden/dv-partitioned-with-checkpoint", "golden/table-with-columnmapping-mode-name",
                                         "golden/data-reader-partition-values", "golden/basic-with-inserts-deletes-checkpoint",
                                         "golden/data-reader-primitives", "golden/parquet-all-types",
                                         "delta-rs/table_with_column_mapping", "delta-rs/simple_table"};
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        char root[4096];
        snprintf(root, sizeof root, "%s/%s", base, tables[i]);
        lml_error err = {0};
        lml_delta_table *t = lml_delta_table_open(root, NULL, &err);
        cr_assert(t, "%s: %s", tables[i], err.message);
        size_t pieces = scan_matches_read(t, NULL, tables[i]);
        cr_assert_eq(pieces, row_groups_of(t, root), "%s: %zu pieces", tables[i], pieces);
        /* A projection of the last column alone (a partition column in the partitioned tables). */
        lml_frame *whole = lml_delta_table_read(t, NULL, &err);
        const char *cols[2] = {lml_frame_column_name(whole, lml_frame_num_cols(whole) - 1), NULL};
        lml_delta_read_options o = {.columns = cols};
        scan_matches_read(t, &o, tables[i]);
        lml_frame_free(whole);
        lml_delta_table_free(t);
    }
}

/* n rows: id (long, start…), p (int, id % 3), x (double, null every 5th), s (string). */
static lml_frame *rows(size_t start, size_t n) {
    lml_error err = {0};
    lml_column_builder *ib = lml_column_builder_new(LML_INT64, n, &err), *pb = lml_column_builder_new(LML_INT32, n, &err),
                       *xb = lml_column_builder_new(LML_DOUBLE, n, &err), *sb = lml_column_builder_new(LML_STRING, n, &err);
    char s[32];
    for (size_t i = 0; i < n; i++) {
        size_t r = start + i;
        cr_assert(lml_column_builder_append_int64(ib, (int64_t)r, &err));
        cr_assert(lml_column_builder_append_int32(pb, (int32_t)(r % 3), &err));
        cr_assert(r % 5 ? lml_column_builder_append_double(xb, (double)r * 1.5, &err) : lml_column_builder_append_null(xb, &err));
        int len = snprintf(s, sizeof s, "v%zu", r % 11);
        cr_assert(lml_column_builder_append_string(sb, s, (size_t)len, &err));
    }
    lml_column *cols[4] = {lml_column_builder_finish(ib, &err), lml_column_builder_finish(pb, &err),
                           lml_column_builder_finish(xb, &err), lml_column_builder_finish(sb, &err)};
    lml_frame *f = lml_frame_new(4, (const char *const[]){"id", "p", "x", "s"}, cols, &err);
    cr_assert(f, "%s", err.message);
    for (int k = 0; k < 4; k++) lml_column_free(cols[k]);
    return f;
}

static const char *table_dir(const char *name) {
    static char buf[2][4096];
    static int slot;
    char *b = buf[slot++ % 2];
    snprintf(b, 4096, "%s/%s", lml_test_temp_dir(), name);
    return b;
}

/* Writes batches of the given sizes (rows numbered on from 0) as one write; returns the version. */
static int64_t write_batches(const char *path, const lml_delta_write_options *o, const size_t *sizes, size_t k) {
    lml_error err = {0};
    lml_delta_writer *w = lml_delta_writer_open(path, o, &err);
    cr_assert(w, "%s", err.message);
    size_t start = 0;
    for (size_t i = 0; i < k; i++) {
        lml_frame *f = rows(start, sizes[i]);
        cr_assert(lml_delta_writer_write(w, f, &err), "%s", err.message);
        lml_frame_free(f);
        start += sizes[i];
    }
    int64_t v = -7;
    cr_assert(lml_delta_writer_commit(w, &v, &err), "%s", err.message);
    return v;
}

Test(delta_stream, lakeml_table_with_files_and_row_groups_scans_one_piece_per_row_group) {
    /* 300-row files with 2000-byte row groups (id, p, x ≈ 20 + string bytes a row): several
     * row groups per file. */
    const char *path = table_dir("multi");
    lml_delta_write_options o = {.max_records_per_file = 300, .row_group_size = 2000};
    cr_assert_eq(write_batches(path, &o, (const size_t[]){400, 250, 350}, 3), 0);
    lml_error err = {0};
    lml_delta_table *t = lml_delta_table_open(path, NULL, &err);
    cr_assert(t, "%s", err.message);
    cr_assert_eq(lml_delta_table_num_files(t), 4); /* 300, 300, 300, 100 */
    size_t groups = row_groups_of(t, path);
    cr_assert_gt(groups, 8);
    cr_assert_eq(scan_matches_read(t, NULL, "multi"), groups);
    lml_frame *back = lml_delta_table_read(t, NULL, &err), *want = rows(0, 1000);
    lml_test_assert_frames_equal(back, want);
    lml_frame_free(back), lml_frame_free(want);
    lml_delta_scan *s = lml_delta_scan_open(t, NULL, &err);
    cr_assert_eq(lml_delta_scan_total_rows(s), 1000);
    lml_delta_scan_free(s);
    lml_delta_table_free(t);
}

Test(delta_stream, partition_filter_skips_files_and_pieces) {
    const char *path = table_dir("parts");
    const char *const by[] = {"p", NULL};
    lml_delta_write_options o = {.partition_by = by, .row_group_size = 1000};
    cr_assert_eq(write_batches(path, &o, (const size_t[]){300, 300}, 2), 0);
    lml_error err = {0};
    lml_delta_table *t = lml_delta_table_open(path, NULL, &err);
    cr_assert_eq(lml_delta_table_num_files(t), 3); /* one per partition value: batches share a file */
    lml_parquet_predicate pred = {.column = "p", .op = LML_PQ_OP_EQ, .value = {.type = LML_INT32, .v.i32 = 1}};
    lml_delta_read_options ro = {.filters = &pred, .num_filters = 1};
    size_t all = row_groups_of(t, path), pieces = scan_matches_read(t, &ro, "p = 1");
    cr_assert_gt(pieces, 1);
    cr_assert_lt(pieces, all);
    cr_assert_eq(pieces * 3, all); /* the three partitions hold 200 rows each */
    lml_delta_scan *s = lml_delta_scan_open(t, &ro, &err);
    cr_assert_eq(lml_delta_scan_total_rows(s), 200);
    lml_frame *p = NULL;
    size_t n = 0;
    while (lml_delta_scan_next(s, &p, &err) && p) {
        const int32_t *pv = lml_column_int32s(lml_frame_column_by_name(p, "p", &err));
        const int64_t *id = lml_column_int64s(lml_frame_column_by_name(p, "id", &err));
        for (size_t i = 0; i < lml_frame_num_rows(p); i++, n++) cr_assert(pv[i] == 1 && id[i] % 3 == 1);
        lml_frame_free(p);
    }
    cr_assert_eq(n, 200);
    lml_delta_scan_free(s);
    lml_delta_table_free(t);
}

/* ---- writing */

static size_t log_entries(const char *table) {
    char d[4096];
    snprintf(d, sizeof d, "%s/_delta_log", table);
    return lml_test_dir_entries(d);
}

/* The operationMetrics value `key` of the commitInfo of version v. */
static long long commit_metric(const char *table, int64_t v, const char *key) {
    char p[4096];
    snprintf(p, sizeof p, "%s/_delta_log/%020lld.json", table, (long long)v);
    char *text = lml_test_slurp(p);
    cr_assert(text, "%s", p);
    long long out = -1;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *o = cJSON_Parse(line), *ci = cJSON_GetObjectItem(o, "commitInfo");
        if (ci) {
            cr_assert_str_eq(cJSON_GetObjectItem(ci, "operation")->valuestring, "WRITE");
            cJSON *m = cJSON_GetObjectItem(cJSON_GetObjectItem(ci, "operationMetrics"), key);
            cr_assert(m && cJSON_IsString(m), "no %s", key);
            out = atoll(m->valuestring);
        }
        cJSON_Delete(o);
    }
    free(text);
    return out;
}

static size_t count_adds(const char *table, int64_t v) {
    char p[4096];
    snprintf(p, sizeof p, "%s/_delta_log/%020lld.json", table, (long long)v);
    char *text = lml_test_slurp(p);
    size_t n = 0;
    for (char *s = text; (s = strstr(s, "{\"add\":")); s++) n++;
    free(text);
    return n;
}

Test(delta_stream, three_batches_make_one_commit) {
    const char *path = table_dir("three");
    lml_delta_write_options o = {.max_records_per_file = 120};
    cr_assert_eq(write_batches(path, &o, (const size_t[]){100, 250, 50}, 3), 0);
    cr_assert_eq(log_entries(path), 1); /* 00000000000000000000.json only */
    /* 400 rows in files of 120: 120, 120, 120 and the last 40 */
    cr_assert_eq(count_adds(path, 0), 4);
    cr_assert_eq(commit_metric(path, 0, "numFiles"), 4);
    cr_assert_eq(commit_metric(path, 0, "numOutputRows"), 400);
    lml_error err = {0};
    lml_frame *back = lml_delta_read(path, NULL, NULL, &err), *want = rows(0, 400);
    cr_assert(back, "%s", err.message);
    lml_test_assert_frames_equal(back, want);
    lml_frame_free(back), lml_frame_free(want);
    /* an append of two more batches is version 1 */
    lml_delta_write_options a = {.mode = LML_DELTA_APPEND};
    lml_delta_writer *w = lml_delta_writer_open(path, &a, &err);
    lml_frame *b1 = rows(400, 10), *b2 = rows(410, 5);
    cr_assert(lml_delta_writer_write(w, b1, &err) && lml_delta_writer_write(w, b2, &err), "%s", err.message);
    int64_t v = -1;
    cr_assert(lml_delta_writer_commit(w, &v, &err), "%s", err.message);
    cr_assert_eq(v, 1);
    cr_assert_eq(commit_metric(path, 1, "numOutputRows"), 15);
    cr_assert_eq(commit_metric(path, 1, "numFiles"), 1);
    back = lml_delta_read(path, NULL, NULL, &err);
    cr_assert_eq(lml_frame_num_rows(back), 415);
    lml_frame_free(back), lml_frame_free(b1), lml_frame_free(b2);
}

Test(delta_stream, partitioned_batches_share_one_file_per_partition) {
    const char *path = table_dir("pw");
    const char *const by[] = {"p", NULL};
    lml_delta_write_options o = {.partition_by = by};
    cr_assert_eq(write_batches(path, &o, (const size_t[]){7, 30, 13}, 3), 0);
    cr_assert_eq(count_adds(path, 0), 3);
    cr_assert_eq(commit_metric(path, 0, "numOutputRows"), 50);
    lml_error err = {0};
    for (int k = 0; k < 3; k++) {
        char d[4096];
        snprintf(d, sizeof d, "%s/p=%d", path, k);
        cr_assert_eq(lml_test_dir_entries(d), 1, "p=%d", k);
        lml_parquet_predicate pred = {.column = "p", .op = LML_PQ_OP_EQ, .value = {.type = LML_INT32, .v.i32 = k}};
        lml_delta_read_options ro = {.filters = &pred, .num_filters = 1};
        lml_frame *f = lml_delta_read(path, NULL, &ro, &err);
        cr_assert(f, "%s", err.message);
        const int64_t *id = lml_column_int64s(lml_frame_column_by_name(f, "id", &err));
        /* ids k, k+3, … in order: the three batches' rows of this partition, concatenated */
        cr_assert_eq(lml_frame_num_rows(f), (size_t)(50 - k + 2) / 3);
        for (size_t i = 0; i < lml_frame_num_rows(f); i++) cr_assert_eq(id[i], (int64_t)(3 * i) + k);
        lml_frame_free(f);
    }
}

Test(delta_stream, abort_leaves_the_log_unchanged) {
    const char *path = table_dir("abort");
    cr_assert_eq(write_batches(path, NULL, (const size_t[]){20}, 1), 0);
    lml_error err = {0};
    lml_delta_write_options a = {.mode = LML_DELTA_OVERWRITE};
    lml_delta_writer *w = lml_delta_writer_open(path, &a, &err);
    lml_frame *f = rows(100, 500);
    cr_assert(lml_delta_writer_write(w, f, &err), "%s", err.message);
    lml_delta_writer_abort(w);
    cr_assert_eq(log_entries(path), 1);
    lml_frame *back = lml_delta_read(path, NULL, NULL, &err), *want = rows(0, 20);
    lml_test_assert_frames_equal(back, want);
    lml_frame_free(back), lml_frame_free(want), lml_frame_free(f);
}

Test(delta_stream, a_batch_with_another_schema_is_refused) {
    const char *path = table_dir("mismatch");
    lml_error err = {0};
    lml_delta_writer *w = lml_delta_writer_open(path, NULL, &err);
    lml_frame *a = rows(0, 10), *c = rows(10, 10);
    cr_assert(lml_delta_writer_write(w, a, &err), "%s", err.message);
    lml_column *xs = lml_column_from_int32s((const int32_t[]){1, 2}, NULL, 2, &err);
    lml_frame *two = lml_frame_head(a, 2, &err), *bad = lml_frame_with_column(two, "x", xs, &err);
    cr_assert_not(lml_delta_writer_write(w, bad, &err));
    cr_assert(err.code == LML_EINVAL && strstr(err.message, "column 'x'") && strstr(err.message, "double"), "%s",
              err.message);
    cr_assert(lml_delta_writer_write(w, c, &err), "%s", err.message);
    int64_t v = -1;
    cr_assert(lml_delta_writer_commit(w, &v, &err), "%s", err.message);
    cr_assert_eq(v, 0);
    lml_frame *back = lml_delta_read(path, NULL, NULL, &err), *want = rows(0, 20);
    lml_test_assert_frames_equal(back, want);
    lml_frame_free(back), lml_frame_free(want), lml_frame_free(a), lml_frame_free(c), lml_frame_free(two);
    lml_frame_free(bad), lml_column_free(xs);
}

Test(delta_stream, ignore_and_error_if_exists_behave_as_lml_delta_write) {
    const char *path = table_dir("modes");
    cr_assert_eq(write_batches(path, NULL, (const size_t[]){5}, 1), 0);
    cr_assert_eq(write_batches(path, &(lml_delta_write_options){.mode = LML_DELTA_APPEND}, (const size_t[]){5}, 1), 1);
    size_t before = lml_test_dir_entries(path);
    lml_error err = {0};
    /* IGNORE: writes and commit do nothing and report the existing version */
    lml_delta_write_options ig = {.mode = LML_DELTA_IGNORE};
    lml_delta_writer *w = lml_delta_writer_open(path, &ig, &err);
    lml_frame *f = rows(0, 50);
    cr_assert(w && lml_delta_writer_write(w, f, &err) && lml_delta_writer_write(w, f, &err), "%s", err.message);
    int64_t v = -1;
    cr_assert(lml_delta_writer_commit(w, &v, &err), "%s", err.message);
    cr_assert_eq(v, 1);
    cr_assert_eq(lml_test_dir_entries(path), before);
    cr_assert_eq(log_entries(path), 2);
    int64_t v2 = -1;
    cr_assert(lml_delta_write(f, path, &ig, &v2, &err), "%s", err.message);
    cr_assert_eq(v2, 1);
    /* ERROR_IF_EXISTS: refused at open, as lml_delta_write refuses it */
    err = (lml_error){0};
    cr_assert_null(lml_delta_writer_open(path, NULL, &err));
    cr_assert(err.code == LML_EINVAL && strstr(err.message, "already exists"), "%s", err.message);
    lml_error e2 = {0};
    cr_assert_not(lml_delta_write(f, path, NULL, NULL, &e2));
    cr_assert_eq(e2.code, err.code);
    cr_assert_str_eq(e2.message, err.message);
    cr_assert_eq(lml_test_dir_entries(path), before);
    /* IGNORE on a new table writes it */
    const char *fresh = table_dir("modes-new");
    w = lml_delta_writer_open(fresh, &ig, &err);
    cr_assert(lml_delta_writer_write(w, f, &err) && lml_delta_writer_commit(w, &v, &err), "%s", err.message);
    cr_assert_eq(v, 0);
    lml_frame *back = lml_delta_read(fresh, NULL, NULL, &err);
    lml_test_assert_frames_equal(back, f);
    lml_frame_free(back), lml_frame_free(f);
}

/* OPTIMIZE … ZORDER BY (delta.md §11.2): Spark's interleave_bits on hand-computed keys, the
 * range bounds, and the point of it all — after ZORDER BY (x, y) a box query on two uncorrelated
 * columns can skip most files by their min/max stats, with the rows unchanged. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "delta/optimize_internal.h"
#include "lakeml/delta.h"
#include "delta_dml_support.h"
#include "support.h"

static void expect_bytes(const uint8_t *got, const uint8_t *want, size_t n) {
    for (size_t i = 0; i < n; i++) cr_assert_eq(got[i], want[i], "byte %zu: %02x, expected %02x", i, got[i], want[i]);
}

Test(delta_zorder, interleave_bits_match_hand_computed_keys) {
    uint8_t out[12];
    /* (1, 2): the last four emitted bits are b1 of 1 (0), b1 of 2 (1), b0 of 1 (1), b0 of 2 (0)
     * → 0110 in bits 3..0 of byte 7. */
    lml_zorder_interleave((const uint32_t[]){1, 2}, 2, out);
    expect_bytes(out, (const uint8_t[]){0, 0, 0, 0, 0, 0, 0, 0x06}, 8);
    /* All ones in the first column: every even bit set. */
    lml_zorder_interleave((const uint32_t[]){0xFFFFFFFFu, 0}, 2, out);
    expect_bytes(out, (const uint8_t[]){0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA}, 8);
    /* Bit 31 of column 0 is the first bit out (bit 7 of byte 0); bit 0 of column 1 the last. */
    lml_zorder_interleave((const uint32_t[]){0x80000000u, 1}, 2, out);
    expect_bytes(out, (const uint8_t[]){0x80, 0, 0, 0, 0, 0, 0, 0x01}, 8);
    /* Three columns, 999 = 0b1111100111, 5 = 0b101, 0: bits 9..0 of (999, 5, 0) interleaved are
     * 100 100 100 100 100 000 000 110 100 110 — the last 30 of 96 bits. */
    lml_zorder_interleave((const uint32_t[]){999, 5, 0}, 3, out);
    /* bit string (96): 66 zeros, then 100100100100100000000110100110
     * bytes 8..11 cover bits 64..95: 00 100100 | 10010010 | 00000001 | 10100110 */
    expect_bytes(out, (const uint8_t[]){0, 0, 0, 0, 0, 0, 0, 0, 0x24, 0x92, 0x01, 0xA6}, 12);
}

Test(delta_zorder, range_bounds_follow_spark_determine_bounds) {
    uint64_t *v = malloc(10000 * sizeof *v), bounds[1000];
    for (size_t i = 0; i < 10000; i++) v[i] = i;
    size_t nb = lml_zorder_bounds(v, 10000, 1000, bounds);
    cr_assert_eq(nb, 999);
    for (size_t j = 0; j < nb; j++) cr_assert_eq(bounds[j], 10 * j + 9);
    cr_assert_eq(lml_zorder_range_id(bounds, nb, 0), 0);
    cr_assert_eq(lml_zorder_range_id(bounds, nb, 9), 0);
    cr_assert_eq(lml_zorder_range_id(bounds, nb, 10), 1);
    cr_assert_eq(lml_zorder_range_id(bounds, nb, 9999), 999);
    /* Duplicates never make two equal bounds. */
    for (size_t i = 0; i < 100; i++) v[i] = i < 90 ? 5 : 7;
    nb = lml_zorder_bounds(v, 100, 1000, bounds);
    cr_assert_eq(nb, 2);
    cr_assert_eq(bounds[0], 5);
    cr_assert_eq(bounds[1], 7);
    cr_assert_eq(lml_zorder_range_id(bounds, nb, 6), 1);
    free(v);
}

/* ---- the effect on data skipping */

static uint64_t next_random(uint64_t *s) { /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

#define NFILES 40
#define PER 500

static char *make_xy_table(void) {
    char *dir = strdup(lml_test_temp_dir());
    uint64_t seed = 42;
    int64_t id[PER];
    double x[PER], y[PER];
    for (int f = 0; f < NFILES; f++) {
        for (int i = 0; i < PER; i++) {
            id[i] = (int64_t)f * PER + i;
            x[i] = (double)(next_random(&seed) >> 11) / 9007199254740992.0;
            y[i] = (double)(next_random(&seed) >> 11) / 9007199254740992.0;
        }
        lml_error err = {0};
        lml_column *cols[3] = {lml_column_from_int64s(id, NULL, PER, &err), lml_column_from_doubles(x, NULL, PER, &err),
                               lml_column_from_doubles(y, NULL, PER, &err)};
        lml_frame *fr = lml_frame_new(3, (const char *[]){"id", "x", "y"}, cols, &err);
        cr_assert(fr, "%s", err.message);
        lml_delta_write_options o = {.mode = LML_DELTA_APPEND};
        cr_assert(lml_delta_write(fr, dir, &o, NULL, &err), "%s", err.message);
        for (int k = 0; k < 3; k++) lml_column_free(cols[k]);
        lml_frame_free(fr);
    }
    return dir;
}

/* Files whose min/max stats allow a row with x in [a, b] and y in [c, d]; *bytes gets the
 * total size of all files, *nfiles their count. */
static int matching_files(const char *dir, double a, double b, double c, double d, int64_t *bytes, size_t *nfiles) {
    lml_error err = {0};
    lml_delta_table *t = lml_delta_table_open(dir, NULL, &err);
    cr_assert(t, "%s", err.message);
    lml_frame *f = lml_delta_table_files(t, &err);
    cr_assert(f, "%s", err.message);
    const lml_column *mn = lml_frame_column(f, (size_t)lml_frame_column_index(f, "minValues"));
    const lml_column *mx = lml_frame_column(f, (size_t)lml_frame_column_index(f, "maxValues"));
    const lml_column *sz = lml_frame_column(f, (size_t)lml_frame_column_index(f, "size"));
    int match = 0;
    *bytes = 0;
    *nfiles = lml_frame_num_rows(f);
    for (size_t i = 0; i < *nfiles; i++) {
        size_t l1, l2;
        const char *s1 = lml_column_string_at(mn, i, &l1), *s2 = lml_column_string_at(mx, i, &l2);
        cJSON *jmin = cJSON_ParseWithLength(s1, l1), *jmax = cJSON_ParseWithLength(s2, l2);
        cr_assert(jmin && jmax);
        double x0 = cJSON_GetObjectItem(jmin, "x")->valuedouble, x1 = cJSON_GetObjectItem(jmax, "x")->valuedouble;
        double y0 = cJSON_GetObjectItem(jmin, "y")->valuedouble, y1 = cJSON_GetObjectItem(jmax, "y")->valuedouble;
        match += x0 <= b && x1 >= a && y0 <= d && y1 >= c;
        *bytes += lml_column_get(sz, i).v.i64;
        cJSON_Delete(jmin);
        cJSON_Delete(jmax);
    }
    lml_frame_free(f);
    lml_delta_table_free(t);
    return match;
}

Test(delta_zorder, zorder_by_x_y_lets_box_queries_skip_files) {
    char *dir = make_xy_table();
    int64_t bytes;
    size_t nfiles;
    int before = matching_files(dir, 0.40, 0.50, 0.70, 0.80, &bytes, &nfiles);
    cr_assert_eq(nfiles, NFILES);
    cr_assert_eq(before, NFILES); /* random data: every file spans nearly all of [0, 1)² */

    /* The same number of files: max_file_size = total / 40 gives total / max = 40 outputs. */
    lml_delta_optimize_options o = {.zorder_by = (const char *[]){"x", "Y", NULL}, .max_file_size = bytes / NFILES};
    lml_delta_result r;
    lml_error err = {0};
    cr_assert(lml_delta_optimize(dir, &o, &r, &err), "%s", err.message);
    cr_assert(r.committed);
    int64_t bytes2;
    int after = matching_files(dir, 0.40, 0.50, 0.70, 0.80, &bytes2, &nfiles);
    cr_assert_eq(nfiles, NFILES);
    printf("ZORDER BY (x, y): files a box query x∈[0.4,0.5] ∧ y∈[0.7,0.8] must read: %d before, %d after (%.1fx)\n",
           before, after, (double)before / after);
    cr_assert(after >= 1);
    cr_assert(before >= 5 * after, "only %d -> %d files", before, after);

    /* Rows unchanged (as a multiset; each output holds 500 of them). */
    lml_frame *all = lml_delta_read(dir, NULL, NULL, &err);
    cr_assert(all, "%s", err.message);
    size_t n = lml_frame_num_rows(all);
    cr_assert_eq(n, NFILES * PER);
    int64_t *ids = malloc(n * sizeof *ids);
    const lml_column *c = lml_frame_column(all, 0);
    for (size_t i = 0; i < n; i++) ids[i] = lml_column_get(c, i).v.i64;
    qsort(ids, n, sizeof *ids, dml_cmp_i64);
    for (size_t i = 0; i < n; i++) cr_assert_eq(ids[i], (int64_t)i);
    free(ids);
    lml_frame_free(all);

    char p[4096];
    snprintf(p, sizeof p, "%s/_delta_log/%020d.json", dir, NFILES);
    char *text = lml_test_slurp(p);
    cr_assert(text);
    cr_assert(strstr(text, "\"zOrderBy\":\"[\\\"x\\\",\\\"y\\\"]\""), "%s", text);
    cr_assert(!strstr(text, "\"dataChange\":true"));
    cr_assert(strstr(text, "\\\"numRecords\\\":500,"));
    free(text), free(r.metrics), free(dir);
}

Test(delta_zorder, a_single_file_is_rewritten) {
    char *dir = strdup(lml_test_temp_dir());
    lml_error err = {0};
    int64_t id[4] = {4, 3, 2, 1};
    double x[4] = {0.5, 0.1, 0.9, 0.3};
    lml_column *cols[2] = {lml_column_from_int64s(id, NULL, 4, &err), lml_column_from_doubles(x, NULL, 4, &err)};
    lml_frame *fr = lml_frame_new(2, (const char *[]){"id", "x"}, cols, &err);
    cr_assert(lml_delta_write(fr, dir, NULL, NULL, &err), "%s", err.message);
    lml_delta_optimize_options o = {.zorder_by = (const char *[]){"x", NULL}};
    lml_delta_result r;
    cr_assert(lml_delta_optimize(dir, &o, &r, &err), "%s", err.message);
    cr_assert(r.committed);
    cr_assert_eq(r.version, 1);
    cJSON *m = cJSON_Parse(r.metrics);
    cr_assert_str_eq(cJSON_GetObjectItem(m, "numAddedFiles")->valuestring, "1");
    cr_assert_str_eq(cJSON_GetObjectItem(m, "numRemovedFiles")->valuestring, "1");
    cJSON_Delete(m);
    lml_frame *back = lml_delta_read(dir, NULL, NULL, &err);
    cr_assert_eq(lml_frame_num_rows(back), 4);
    lml_frame_free(back);
    free(r.metrics);

    /* A max_file_size far below the data asks for more files than rows: one row per file (each
     * file's minValues is exactly its row), no row lost. */
    o.max_file_size = 1;
    cr_assert(lml_delta_optimize(dir, &o, &r, &err), "%s", err.message);
    m = cJSON_Parse(r.metrics);
    cr_assert_str_eq(cJSON_GetObjectItem(m, "numAddedFiles")->valuestring, "4");
    cJSON_Delete(m);
    lml_delta_table *t = lml_delta_table_open(dir, NULL, &err);
    lml_frame *files = lml_delta_table_files(t, &err);
    cr_assert_eq(lml_frame_num_rows(files), 4);
    const lml_column *mn = lml_frame_column(files, (size_t)lml_frame_column_index(files, "minValues"));
    int seen = 0;
    for (size_t i = 0; i < 4; i++) {
        size_t len;
        const char *s = lml_column_string_at(mn, i, &len);
        for (int k = 0; k < 4; k++) {
            char want[64];
            snprintf(want, sizeof want, "{\"id\":%d,\"x\":%s}", (int)id[k], (const char *[]){"0.5", "0.1", "0.9", "0.3"}[k]);
            if (len == strlen(want) && memcmp(s, want, len) == 0) seen |= 1 << k;
        }
    }
    cr_assert_eq(seen, 15, "each row in its own file");
    lml_frame_free(files);
    lml_delta_table_free(t);
    back = lml_delta_read(dir, NULL, NULL, &err);
    cr_assert_eq(lml_frame_num_rows(back), 4);
    lml_frame_free(back);
    for (int k = 0; k < 2; k++) lml_column_free(cols[k]);
    lml_frame_free(fr);
    free(r.metrics), free(dir);
}

/* Z-order rewrites every file of every partition, single files included, and purges deletion
 * vectors on the way: Spark's dv-partitioned-with-checkpoint (15 files over 10 partitions, 2 DVs,
 * 35 visible rows) becomes one file per partition with the same rows. */
Test(delta_zorder, zorder_rewrites_each_partition_of_a_spark_dv_table) {
    LML_REQUIRE_SHARED(src, "conformance/delta/golden/dv-partitioned-with-checkpoint");
    char *dir = strdup(lml_test_temp_dir());
    dml_copy_tree(src, dir);
    lml_error err = {0};
    lml_delta_read_options ro = {.columns = (const char *[]){"col1", NULL}};
    lml_frame *before = lml_delta_read(dir, NULL, &ro, &err);
    cr_assert(before, "%s", err.message);
    size_t n = lml_frame_num_rows(before);
    cr_assert_eq(n, 35);
    lml_delta_optimize_options o = {.zorder_by = (const char *[]){"col1", NULL}};
    lml_delta_result r;
    cr_assert(lml_delta_optimize(dir, &o, &r, &err), "%s", err.message);
    cr_assert(r.committed);
    cJSON *m = cJSON_Parse(r.metrics);
    cr_assert_str_eq(cJSON_GetObjectItem(m, "numRemovedFiles")->valuestring, "15");
    cr_assert_str_eq(cJSON_GetObjectItem(m, "numAddedFiles")->valuestring, "10");
    cr_assert_str_eq(cJSON_GetObjectItem(m, "numDeletionVectorsRemoved")->valuestring, "2");
    cJSON_Delete(m);
    lml_frame *after = lml_delta_read(dir, NULL, &ro, &err);
    cr_assert(after, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(after), n);
    int64_t a[64], b[64];
    for (size_t i = 0; i < n; i++) {
        a[i] = lml_column_get(lml_frame_column(before, 0), i).v.i64;
        b[i] = lml_column_get(lml_frame_column(after, 0), i).v.i64;
    }
    qsort(a, n, sizeof *a, dml_cmp_i64);
    qsort(b, n, sizeof *b, dml_cmp_i64);
    cr_assert_eq(memcmp(a, b, n * sizeof *a), 0);
    lml_frame_free(before);
    lml_frame_free(after);
    free(r.metrics), free(dir);
}

/* ZORDER BY with a partition predicate rewrites only the partitions it selects. */
Test(delta_zorder, where_limits_zorder_to_selected_partitions) {
    char *dir = strdup(lml_test_temp_dir());
    lml_error err = {0};
    for (int a = 0; a < 2; a++) {
        int64_t id[6];
        double x[6];
        int32_t part[6];
        for (int i = 0; i < 6; i++) id[i] = a * 6 + i, x[i] = (double)((i * 5) % 6), part[i] = i % 2;
        lml_column *cols[3] = {lml_column_from_int64s(id, NULL, 6, &err), lml_column_from_doubles(x, NULL, 6, &err),
                               lml_column_from_int32s(part, NULL, 6, &err)};
        lml_frame *fr = lml_frame_new(3, (const char *[]){"id", "x", "part"}, cols, &err);
        lml_delta_write_options wo = {.mode = LML_DELTA_APPEND, .partition_by = (const char *[]){"part", NULL}};
        cr_assert(lml_delta_write(fr, dir, &wo, NULL, &err), "%s", err.message);
        for (int k = 0; k < 3; k++) lml_column_free(cols[k]);
        lml_frame_free(fr);
    }
    lml_delta_optimize_options o = {.where = "part = 0", .zorder_by = (const char *[]){"x", NULL}};
    lml_delta_result r;
    cr_assert(lml_delta_optimize(dir, &o, &r, &err), "%s", err.message);
    cr_assert(r.committed);
    char p[4096];
    snprintf(p, sizeof p, "%s/_delta_log/%020d.json", dir, 2);
    char *text = lml_test_slurp(p);
    cr_assert(text);
    cr_assert(!strstr(text, "\"part\":\"1\""), "part=1 must not be touched: %s", text);
    int removes = 0;
    for (const char *q = text; (q = strstr(q, "{\"remove\":")); q++) removes++;
    cr_assert_eq(removes, 2);
    cr_assert(strstr(text, "\"predicate\":\"[\\\"(part = 0)\\\"]\",\"zOrderBy\":\"[\\\"x\\\"]\""), "%s", text);
    free(text);
    lml_frame *back = lml_delta_read(dir, NULL, NULL, &err);
    cr_assert_eq(lml_frame_num_rows(back), 12);
    lml_frame_free(back);
    free(r.metrics), free(dir);
}

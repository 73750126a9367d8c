/* lml_parquet_writer_*: a frame written batch by batch against lml_parquet_write of the whole
 * frame (identical bytes when the batches buffer into one row group, identical row groups when
 * they are cut at the same rows), row groups flushed to disk as rows arrive, schema checks across
 * batches, abort and failed close leaving the target untouched, and round trips. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "io/parquet/meta.h"
#include "lakeml/lakeml.h"
#include "lakeml/parquet.h"
#include "pq_support.h"
#include "support.h"

/* n rows: l int64 (row i → i * 977), d double with a null every 7th row. Exactly 16 uncompressed
 * bytes a row, so rows per row group = row_group_size / 16. */
static lml_frame *fixed_rows(size_t start, size_t n) {
    lml_error err = {0};
    int64_t *l = malloc((n + 1) * sizeof *l);
    double *d = malloc((n + 1) * sizeof *d);
    uint8_t *valid = calloc(n / 8 + 1, 1);
    for (size_t i = 0; i < n; i++) {
        l[i] = (int64_t)(start + i) * 977;
        d[i] = (double)(start + i) * 0.25;
        if ((start + i) % 7) valid[i / 8] |= (uint8_t)(1u << (i % 8));
    }
    lml_column *cols[2] = {lml_column_from_int64s(l, NULL, n, &err), lml_column_from_doubles(d, valid, n, &err)};
    cr_assert(cols[0] && cols[1], "%s", err.message);
    lml_frame *f = lml_frame_new(2, (const char *const[]){"l", "d"}, cols, &err);
    cr_assert(f, "%s", err.message);
    lml_column_free(cols[0]), lml_column_free(cols[1]);
    free(l), free(d), free(valid);
    return f;
}

/* n rows of string (with nulls), int32 and a dense 3-vector, starting at row `start`. */
static lml_frame *mixed_rows(size_t start, size_t n) {
    lml_error err = {0};
    lml_column_builder *sb = lml_column_builder_new(LML_STRING, n, &err), *ib = lml_column_builder_new(LML_INT32, n, &err);
    double *v = malloc((3 * n + 1) * sizeof *v);
    char s[32];
    for (size_t i = 0; i < n; i++) {
        size_t r = start + i;
        int len = snprintf(s, sizeof s, "row-%zu", r % 37);
        cr_assert(r % 5 ? lml_column_builder_append_string(sb, s, (size_t)len, &err) : lml_column_builder_append_null(sb, &err));
        cr_assert(lml_column_builder_append_int32(ib, (int32_t)(r * 31 % 1000), &err));
        for (int k = 0; k < 3; k++) v[3 * i + (size_t)k] = (double)r + k * 0.5;
    }
    lml_column *cols[3] = {lml_column_builder_finish(sb, &err), lml_column_builder_finish(ib, &err),
                           lml_column_vector_from_dense(v, n, 3, &err)};
    cr_assert(cols[0] && cols[1] && cols[2], "%s", err.message);
    lml_frame *f = lml_frame_new(3, (const char *const[]){"s", "i", "features"}, cols, &err);
    cr_assert(f, "%s", err.message);
    for (int k = 0; k < 3; k++) lml_column_free(cols[k]);
    free(v);
    return f;
}

/* lml_parquet_read returns a VectorUDT column as its sqlType struct: the other columns of
 * mixed_rows(0, n) compare whole, the vector's values element by element. */
static void assert_mixed_read_back(const lml_frame *back, const lml_frame *want, size_t n) {
    lml_error err = {0};
    const char *const vec[] = {"features", NULL};
    lml_frame *want_flat = lml_frame_drop(want, vec, &err), *back_flat = lml_frame_drop(back, vec, &err);
    lml_test_assert_frames_equal(back_flat, want_flat);
    lml_frame_free(want_flat), lml_frame_free(back_flat);
    const lml_column *values = lml_column_struct_field(lml_frame_column_by_name(back, "features", &err), "values");
    cr_assert(values && lml_column_type(values) == LML_LIST);
    const int32_t *off = lml_column_offsets(values);
    const double *d = lml_column_doubles(lml_column_child(values, 0));
    cr_assert_eq(off[n], 3 * (int32_t)n);
    for (size_t r = 0; r < n; r++)
        for (size_t k = 0; k < 3; k++) cr_assert_eq(d[3 * r + k], (double)r + (double)k * 0.5, "row %zu", r);
}

/* Writes f as batches of the given sizes (which sum to its rows). */
static void write_batches(const lml_frame *f, const size_t *sizes, size_t k, const char *path,
                          const lml_parquet_write_options *o) {
    lml_error err = {0};
    lml_parquet_writer *w = lml_parquet_writer_open(path, o, &err);
    cr_assert(w, "%s", err.message);
    size_t r0 = 0;
    for (size_t i = 0; i < k; i++) {
        lml_frame *b = lml_frame_slice(f, r0, sizes[i], &err);
        cr_assert(b && lml_frame_num_rows(b) == sizes[i]);
        cr_assert(lml_parquet_writer_write(w, b, &err), "%s", err.message);
        lml_frame_free(b);
        r0 += sizes[i];
    }
    cr_assert_eq(r0, lml_frame_num_rows(f));
    cr_assert(lml_parquet_writer_close(w, &err), "%s", err.message);
}

Test(parquet_writer_stream, small_batches_in_one_row_group_give_the_one_shot_bytes) {
    lml_frame *f = mixed_rows(0, 1000);
    const char *one = lml_test_pq_tmp_path("one.parquet"), *many = lml_test_pq_tmp_path("many.parquet");
    lml_test_pq_write_ok(f, one, NULL);
    write_batches(f, (const size_t[]){1, 99, 400, 0, 333, 167}, 6, many, NULL);
    size_t n1, n2;
    char *a = lml_test_slurp_n(one, &n1), *b = lml_test_slurp_n(many, &n2);
    cr_assert_eq(n1, n2);
    cr_assert(memcmp(a, b, n1) == 0);
    lml_test_pq_file pf = lml_test_pq_load(many);
    cr_assert_eq(pf.meta.num_row_groups, 1);
    cr_assert_eq(pf.meta.num_rows, 1000);
    lml_test_pq_unload(&pf);
    free(a), free(b);
    lml_frame_free(f);
}

/* The row groups of two files: same count, rows and column-chunk bytes. */
static void assert_same_row_groups(const char *p1, const char *p2, const int64_t *rows, size_t ngroups) {
    lml_test_pq_file a = lml_test_pq_load(p1), b = lml_test_pq_load(p2);
    cr_assert_eq(a.meta.num_row_groups, ngroups);
    cr_assert_eq(b.meta.num_row_groups, ngroups);
    for (size_t g = 0; g < ngroups; g++) {
        lml_pq_row_group *x = &a.meta.row_groups[g], *y = &b.meta.row_groups[g];
        cr_assert_eq(x->num_rows, rows[g], "group %zu: %lld rows", g, (long long)x->num_rows);
        cr_assert_eq(y->num_rows, rows[g], "group %zu: %lld rows", g, (long long)y->num_rows);
        cr_assert_eq(x->num_columns, y->num_columns);
        for (size_t c = 0; c < x->num_columns; c++) {
            lml_pq_column_meta *cx = &x->columns[c].meta, *cy = &y->columns[c].meta;
            int64_t ox = cx->has_dictionary_page_offset ? cx->dictionary_page_offset : cx->data_page_offset;
            int64_t oy = cy->has_dictionary_page_offset ? cy->dictionary_page_offset : cy->data_page_offset;
            cr_assert_eq(cx->total_compressed_size, cy->total_compressed_size);
            cr_assert(memcmp(a.buf + ox, b.buf + oy, (size_t)cx->total_compressed_size) == 0, "group %zu column %zu", g, c);
        }
    }
    lml_test_pq_unload(&a), lml_test_pq_unload(&b);
}

Test(parquet_writer_stream, batches_larger_than_a_row_group_give_the_one_shot_row_groups) {
    /* 16-byte rows, 8000-byte groups: 500 rows a group. Batches of 1000, 1500 and 500 rows each
     * exceed a group and end on the one-shot writer's group edges; the last 230 rows make the
     * final short group in both files. */
    lml_parquet_write_options o = {.codec = LML_PARQUET_SNAPPY, .row_group_size = 8000};
    lml_frame *f = fixed_rows(0, 3230);
    const char *one = lml_test_pq_tmp_path("one.parquet"), *many = lml_test_pq_tmp_path("many.parquet");
    lml_test_pq_write_ok(f, one, &o);
    write_batches(f, (const size_t[]){1000, 1500, 500, 230}, 4, many, &o);
    assert_same_row_groups(one, many, (const int64_t[]){500, 500, 500, 500, 500, 500, 230}, 7);
    /* Nothing else differs either: the footers hold the same offsets and statistics. */
    size_t n1, n2;
    char *a = lml_test_slurp_n(one, &n1), *b = lml_test_slurp_n(many, &n2);
    cr_assert(n1 == n2 && memcmp(a, b, n1) == 0);
    free(a), free(b);
    lml_frame_free(f);
}

/* Size of the one temporary file beside path (the writer's file in progress). */
static long long temp_file_size(const char *dir) {
    DIR *d = opendir(dir);
    cr_assert(d);
    struct dirent *e;
    long long size = -1;
    int n = 0;
    char p[4096];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2]))) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        cr_assert(stat(p, &st) == 0);
        size = st.st_size, n++;
    }
    closedir(d);
    cr_assert_eq(n, 1, "%d files in %s", n, dir);
    return size;
}

Test(parquet_writer_stream, row_groups_reach_the_disk_as_batches_arrive) {
    lml_parquet_write_options o = {.codec = LML_PARQUET_UNCOMPRESSED, .disable_dictionary = true, .row_group_size = 8000};
    const char *path = lml_test_pq_tmp_path("flush.parquet");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    lml_error err = {0};
    lml_parquet_writer *w = lml_parquet_writer_open(path, &o, &err);
    cr_assert(w, "%s", err.message);
    cr_assert_eq(temp_file_size(dir), 4); /* "PAR1" */
    for (size_t b = 0; b < 12; b++) {
        lml_frame *f = fixed_rows(b * 100, 100);
        cr_assert(lml_parquet_writer_write(w, f, &err), "%s", err.message);
        lml_frame_free(f);
        long long size = temp_file_size(dir);
        if (b < 4) cr_assert_eq(size, 4, "batch %zu: %lld bytes", b, size); /* 100..400 rows buffered */
        else if (b == 4 || b == 9) /* 500 / 1000 rows: a group of 500 written, its 8000 value bytes at least */
            cr_assert_gt(size, 4 + (long long)(b == 4 ? 1 : 2) * 500 * 15, "batch %zu: %lld bytes", b, size);
    }
    cr_assert_eq(lml_test_dir_entries(dir), 1);
    cr_assert(access(path, F_OK) != 0); /* nothing at path before close */
    cr_assert(lml_parquet_writer_close(w, &err), "%s", err.message);
    lml_test_pq_file pf = lml_test_pq_load(path);
    cr_assert_eq(pf.meta.num_row_groups, 3);
    cr_assert_eq(pf.meta.row_groups[0].num_rows, 500);
    cr_assert_eq(pf.meta.row_groups[1].num_rows, 500);
    cr_assert_eq(pf.meta.row_groups[2].num_rows, 200);
    cr_assert_eq(pf.meta.num_rows, 1200);
    lml_test_pq_unload(&pf);
    lml_frame *back = lml_parquet_read(path, NULL, &err), *want = fixed_rows(0, 1200);
    cr_assert(back, "%s", err.message);
    lml_test_assert_frames_equal(back, want);
    lml_frame_free(back), lml_frame_free(want);
}

Test(parquet_writer_stream, a_batch_with_another_schema_is_refused_naming_the_column) {
    const char *path = lml_test_pq_tmp_path("schema.parquet");
    lml_error err = {0};
    lml_parquet_writer *w = lml_parquet_writer_open(path, NULL, &err);
    lml_frame *a = mixed_rows(0, 10);
    cr_assert(lml_parquet_writer_write(w, a, &err), "%s", err.message);
    /* i as long instead of integer */
    lml_column *l = lml_column_from_int64s((const int64_t[]){1, 2}, NULL, 2, &err);
    lml_frame *two = lml_frame_head(a, 2, &err);
    lml_frame *bad = lml_frame_with_column(two, "i", l, &err);
    cr_assert(bad, "%s", err.message);
    cr_assert_not(lml_parquet_writer_write(w, bad, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "column 'i'") && strstr(err.message, "long") && strstr(err.message, "int"),
              "%s", err.message);
    /* a renamed column */
    lml_frame *renamed = lml_frame_with_column_renamed(two, "s", "t", &err);
    err = (lml_error){0};
    cr_assert_not(lml_parquet_writer_write(w, renamed, &err));
    cr_assert(err.code == LML_EINVAL && strstr(err.message, "'t'") && strstr(err.message, "'s'"), "%s", err.message);
    /* a missing column */
    lml_frame *fewer = lml_frame_drop(two, (const char *const[]){"features", NULL}, &err);
    err = (lml_error){0};
    cr_assert_not(lml_parquet_writer_write(w, fewer, &err));
    cr_assert(err.code == LML_EINVAL && strstr(err.message, "2 columns"), "%s", err.message);
    /* The refused batches left nothing behind: the file holds the good batches only. */
    lml_frame *b = mixed_rows(10, 5);
    cr_assert(lml_parquet_writer_write(w, b, &err), "%s", err.message);
    cr_assert(lml_parquet_writer_close(w, &err), "%s", err.message);
    lml_frame *back = lml_parquet_read(path, NULL, &err), *want = mixed_rows(0, 15);
    cr_assert(back, "%s", err.message);
    assert_mixed_read_back(back, want, 15);
    lml_frame_free(back), lml_frame_free(want), lml_frame_free(a), lml_frame_free(b), lml_frame_free(two);
    lml_frame_free(bad), lml_frame_free(renamed), lml_frame_free(fewer);
    lml_column_free(l);
}

Test(parquet_writer_stream, abort_and_failed_close_keep_the_existing_file) {
    const char *path = lml_test_pq_tmp_path("keep.parquet");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    lml_frame *old = fixed_rows(0, 50);
    lml_test_pq_write_ok(old, path, NULL);
    size_t n0, n1;
    char *before = lml_test_slurp_n(path, &n0);
    lml_error err = {0};
    lml_parquet_writer *w = lml_parquet_writer_open(path, NULL, &err);
    lml_frame *f = mixed_rows(0, 100);
    cr_assert(lml_parquet_writer_write(w, f, &err), "%s", err.message);
    cr_assert_eq(lml_test_dir_entries(dir), 2); /* the target and the temporary file */
    lml_parquet_writer_abort(w);
    cr_assert_eq(lml_test_dir_entries(dir), 1);
    char *after = lml_test_slurp_n(path, &n1);
    cr_assert(n0 == n1 && memcmp(before, after, n0) == 0);
    free(after);
    /* close without a batch: no schema, an error, and the old file stays */
    w = lml_parquet_writer_open(path, NULL, &err);
    cr_assert_not(lml_parquet_writer_close(w, &err));
    cr_assert(err.code == LML_EINVAL && strstr(err.message, "no batch"), "%s", err.message);
    cr_assert_eq(lml_test_dir_entries(dir), 1);
    after = lml_test_slurp_n(path, &n1);
    cr_assert(n0 == n1 && memcmp(before, after, n0) == 0);
    /* a directory that does not exist fails at open */
    char missing[4200];
    snprintf(missing, sizeof missing, "%s/no/such/dir/x.parquet", dir);
    err = (lml_error){0};
    cr_assert_null(lml_parquet_writer_open(missing, NULL, &err));
    cr_assert_eq(err.code, LML_EIO);
    free(before), free(after);
    lml_frame_free(old), lml_frame_free(f);
}

Test(parquet_writer_stream, batches_round_trip_through_lml_parquet_read) {
    /* 2000-byte groups force many row groups, whose edges fall inside batches. */
    lml_error err = {0};
    const char *path = lml_test_pq_tmp_path("rt.parquet");
    lml_parquet_write_options o = {.codec = LML_PARQUET_ZSTD, .row_group_size = 2000};
    lml_parquet_writer *w = lml_parquet_writer_open(path, &o, &err);
    lml_frame *parts[3] = {mixed_rows(0, 70), mixed_rows(70, 3), mixed_rows(73, 300)};
    for (int k = 0; k < 3; k++) cr_assert(lml_parquet_writer_write(w, parts[k], &err), "%s", err.message);
    cr_assert(lml_parquet_writer_close(w, &err), "%s", err.message);
    lml_frame *want = lml_frame_union_by_name((const lml_frame *const *)parts, 3, &err);
    lml_frame *back = lml_parquet_read(path, NULL, &err);
    cr_assert(back, "%s", err.message);
    assert_mixed_read_back(back, want, 373);
    lml_parquet_file *pf = lml_parquet_open(path, &err);
    cr_assert_gt(lml_parquet_num_row_groups(pf), 3);
    const char *meta = lml_parquet_metadata_get(pf, "org.apache.spark.sql.parquet.row.metadata");
    cr_assert(meta && strstr(meta, "org.apache.spark.ml.linalg.VectorUDT"));
    lml_parquet_close(pf);
    lml_frame_free(want), lml_frame_free(back);
    for (int k = 0; k < 3; k++) lml_frame_free(parts[k]);
}

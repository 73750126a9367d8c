/* lml_parquet_write, how values are laid out in pages and row groups: the dictionary policy
 * (dictionary pages, fallback to PLAIN past the limit or when it does not pay), row groups split
 * by size with their statistics, and the temp-file-then-rename guarantee on failure. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "io/parquet/codec.h"
#include "io/parquet/encoding.h"
#include "io/parquet/meta.h"
#include "lakeml/lakeml.h"
#include "lakeml/parquet.h"
#include "pq_support.h"
#include "support.h"

Test(parquet_write, repeated_strings_get_a_dictionary_page) {
    lml_error err = {0};
    const char *vals[1000];
    const char *pool[3] = {"red", "green", "blue"};
    for (int i = 0; i < 1000; i++) vals[i] = pool[i % 3];
    lml_frame *fr = lml_test_frame1("c", lml_column_from_strings(vals, 1000, &err));
    const char *path = lml_test_pq_tmp_path("dict.parquet");
    lml_test_pq_write_ok(fr, path, &(lml_parquet_write_options){.codec = LML_PARQUET_UNCOMPRESSED});
    lml_test_pq_file f = lml_test_pq_load(path);
    lml_pq_column_meta *cm = &f.meta.row_groups[0].columns[0].meta;
    cr_assert(cm->has_dictionary_page_offset && cm->dictionary_page_offset == 4);
    cr_assert_gt(cm->data_page_offset, 4);
    cr_assert_eq(cm->num_encodings, 3);
    cr_assert_eq(cm->encodings[2], LML_PQ_RLE_DICTIONARY);
    cr_assert_eq(cm->num_encoding_stats, 2);
    cr_assert_eq(cm->encoding_stats[0].page_type, LML_PQ_DICTIONARY_PAGE);
    cr_assert_eq(cm->encoding_stats[1].encoding, LML_PQ_RLE_DICTIONARY);
    lml_pq_page_header h;
    size_t next;
    uint8_t *body = lml_test_pq_page_at(&f, 4, LML_PQ_UNCOMPRESSED, &h, &next);
    cr_assert(h.type == LML_PQ_DICTIONARY_PAGE && h.dict_num_values == 3 && h.dict_encoding == LML_PQ_PLAIN);
    cr_assert_eq(h.uncompressed_page_size, 3 * 4 + 3 + 5 + 4);
    cr_assert(memcmp(body, "\x03\0\0\0red\x05\0\0\0green\x04\0\0\0blue", 24) == 0);
    free(body);
    lml_pq_page_header_clear(&h);
    cr_assert_eq(next, (size_t)cm->data_page_offset);
    body = lml_test_pq_page_at(&f, next, LML_PQ_UNCOMPRESSED, &h, &next);
    cr_assert_eq(h.dp_encoding, LML_PQ_RLE_DICTIONARY);
    uint32_t def[1000], idx[1000];
    size_t at = lml_test_pq_levels(body, 1, def, 1000);
    cr_assert_eq(body[at], 2, "bit width for 3 entries");
    size_t used;
    cr_assert(lml_pq_rle_decode(body + at + 1, (size_t)h.uncompressed_page_size - at - 1, 2, idx, 1000, &used, "t", &err));
    for (int i = 0; i < 1000; i++) cr_assert_eq(idx[i], (uint32_t)(i % 3));
    free(body);
    lml_pq_page_header_clear(&h);
    lml_test_pq_unload(&f);
    lml_frame_free(fr);
}

Test(parquet_write, dictionary_falls_back_to_plain_past_its_limit) {
    lml_error err = {0};
    enum { N = 2000 };
    static char buf[N][16];
    const char *vals[N];
    for (int i = 0; i < N; i++) {
        snprintf(buf[i], 16, "v%05d", i < 100 ? i % 4 : i); /* the first page repeats: the dictionary pays */
        vals[i] = buf[i];
    }
    lml_frame *fr = lml_test_frame1("c", lml_column_from_strings(vals, N, &err));
    const char *path = lml_test_pq_tmp_path("fallback.parquet");
    lml_test_pq_write_ok(fr, path,
             &(lml_parquet_write_options){.codec = LML_PARQUET_ZSTD, .page_row_limit = 100, .dictionary_page_size = 400});
    lml_test_pq_file f = lml_test_pq_load(path);
    lml_pq_column_meta *cm = &f.meta.row_groups[0].columns[0].meta;
    cr_assert(cm->has_dictionary_page_offset);
    cr_assert_eq(cm->num_encoding_stats, 3);
    cr_assert_eq(cm->encoding_stats[1].encoding, LML_PQ_RLE_DICTIONARY);
    cr_assert_eq(cm->encoding_stats[2].encoding, LML_PQ_PLAIN);
    cr_assert_eq(cm->encoding_stats[1].count + cm->encoding_stats[2].count, N / 100);
    cr_assert_geq(cm->encoding_stats[1].count, 1);
    cr_assert_geq(cm->encoding_stats[2].count, 1);
    cr_assert_eq(cm->codec, LML_PQ_ZSTD);
    lml_test_pq_unload(&f);
    lml_frame_free(fr);
}

Test(parquet_write, random_doubles_drop_the_dictionary_after_the_first_page) {
    lml_error err = {0};
    enum { N = 5000 };
    double *v = malloc(N * sizeof *v);
    for (int i = 0; i < N; i++) v[i] = sin(i) * 1e6;
    lml_frame *fr = lml_test_frame1("x", lml_column_from_doubles(v, NULL, N, &err));
    free(v);
    const char *path = lml_test_pq_tmp_path("rand.parquet");
    lml_test_pq_write_ok(fr, path, NULL);
    lml_test_pq_file f = lml_test_pq_load(path);
    lml_pq_column_meta *cm = &f.meta.row_groups[0].columns[0].meta;
    cr_assert(!cm->has_dictionary_page_offset);
    cr_assert_eq(cm->num_encoding_stats, 1);
    cr_assert_eq(cm->encoding_stats[0].encoding, LML_PQ_PLAIN);
    lml_test_pq_unload(&f);
    lml_frame_free(fr);
}

Test(parquet_write, row_groups_split_by_size) {
    lml_error err = {0};
    enum { N = 10000 };
    int64_t *v = malloc(N * sizeof *v);
    for (int i = 0; i < N; i++) v[i] = i * 7 - 3;
    lml_frame *fr = lml_test_frame1("n", lml_column_from_int64s(v, NULL, N, &err));
    free(v);
    const char *path = lml_test_pq_tmp_path("groups.parquet");
    /* 8 bytes a row → 1000 rows per group. */
    lml_test_pq_write_ok(fr, path, &(lml_parquet_write_options){.row_group_size = 8000, .codec = LML_PARQUET_GZIP});
    lml_test_pq_file f = lml_test_pq_load(path);
    cr_assert_eq(f.meta.num_row_groups, 10);
    cr_assert_eq(f.meta.num_rows, N);
    int64_t prev = 0;
    for (size_t g = 0; g < 10; g++) {
        lml_pq_row_group *rg = &f.meta.row_groups[g];
        cr_assert_eq(rg->num_rows, 1000);
        cr_assert(rg->has_ordinal && rg->ordinal == (int16_t)g);
        cr_assert_gt(rg->file_offset, prev);
        prev = rg->file_offset;
        lml_pq_statistics *st = &rg->columns[0].meta.statistics;
        int64_t lo, hi;
        memcpy(&lo, st->min_value.data, 8);
        memcpy(&hi, st->max_value.data, 8);
        cr_assert_eq(lo, (int64_t)g * 1000 * 7 - 3);
        cr_assert_eq(hi, ((int64_t)g * 1000 + 999) * 7 - 3);
    }
    lml_test_pq_unload(&f);
    lml_frame_free(fr);
}

Test(parquet_write, failures_leave_nothing_behind) {
    lml_error err = {0};
    lml_frame *fr = lml_test_frame1("a", lml_column_from_int32s((int32_t[]){1, 2}, NULL, 2, &err));
    char dir[512];
    snprintf(dir, sizeof dir, "%s", lml_test_temp_dir());
    char path[600];
    snprintf(path, sizeof path, "%s/missing/x.parquet", dir);
    cr_assert(!lml_parquet_write(fr, path, NULL, &err));
    cr_assert_eq(err.code, LML_EIO);
    cr_assert(strstr(err.message, "x.parquet"), "%s", err.message);
    cr_assert_eq(lml_test_dir_entries(dir), 0);

    /* No columns: refused before any file appears. */
    lml_frame *empty = lml_frame_new(0, NULL, NULL, &err);
    cr_assert(empty, "%s", err.message);
    snprintf(path, sizeof path, "%s/empty.parquet", dir);
    cr_assert(!lml_parquet_write(empty, path, NULL, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_eq(lml_test_dir_entries(dir), 0);
    lml_frame_free(empty);

    /* A bad codec value: refused before any file appears. */
    cr_assert(!lml_parquet_write(fr, path, &(lml_parquet_write_options){.codec = (lml_parquet_codec)99}, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_eq(lml_test_dir_entries(dir), 0);

    if (geteuid() != 0) { /* root ignores directory permissions */
        cr_assert(chmod(dir, 0555) == 0);
        cr_assert(!lml_parquet_write(fr, path, NULL, &err));
        cr_assert_eq(err.code, LML_EIO);
        cr_assert(chmod(dir, 0755) == 0);
        cr_assert_eq(lml_test_dir_entries(dir), 0);
    }
    /* And a write that works replaces nothing but its own file. */
    cr_assert(lml_parquet_write(fr, path, NULL, &err), "%s", err.message);
    cr_assert_eq(lml_test_dir_entries(dir), 1);
    lml_frame_free(fr);
}

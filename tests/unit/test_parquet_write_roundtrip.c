/* lml_parquet_write then lml_parquet_read: every flat type with nulls through every codec, with
 * and without dictionaries, over several row groups and small pages at any thread count, and
 * with zero rows. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/parquet/codec.h"
#include "io/parquet/encoding.h"
#include "io/parquet/meta.h"
#include "lakeml/lakeml.h"
#include "lakeml/parquet.h"
#include "pq_support.h"
#include "support.h"

/* n rows of every flat type, each with nulls in a different pattern. */
static lml_frame *every_type(size_t n) {
    lml_error err = {0};
    lml_type types[] = {LML_BOOL, LML_INT32, LML_INT64, LML_DOUBLE, LML_STRING, LML_DATE, LML_TIMESTAMP};
    const char *names[] = {"b", "i", "l", "d", "s", "dt", "ts", "bin"};
    lml_column *cols[8];
    char s[64];
    for (int k = 0; k < 7; k++) {
        lml_column_builder *b = lml_column_builder_new(types[k], n, &err);
        for (size_t i = 0; i < n; i++) {
            bool ok;
            if ((i * 7 + (size_t)k) % (size_t)(k + 3) == 0) ok = lml_column_builder_append_null(b, &err);
            else switch (types[k]) {
            case LML_BOOL: ok = lml_column_builder_append_bool(b, (i * 2654435761u) & 8, &err); break;
            case LML_INT32: ok = lml_column_builder_append_int32(b, (int32_t)(i * 2654435761u), &err); break;
            case LML_DATE: ok = lml_column_builder_append_int32(b, (int32_t)(i % 40000) - 20000, &err); break;
            case LML_INT64:
            case LML_TIMESTAMP: ok = lml_column_builder_append_int64(b, (int64_t)(i * 0x9E3779B97F4A7C15u), &err); break;
            case LML_DOUBLE: ok = lml_column_builder_append_double(b, i % 11 == 1 ? NAN : (i % 5 ? i * 0.37 : -0.0), &err); break;
            default: {
                int len = snprintf(s, sizeof s, "%s%zu", i % 3 ? "k" : "\xc3\xa9t\xc3\xa9-", i % 50);
                ok = lml_column_builder_append_string(b, s, (size_t)len, &err);
            }
            }
            cr_assert(ok, "%s", err.message);
        }
        cols[k] = lml_column_builder_finish(b, &err);
        cr_assert(cols[k], "%s", err.message);
    }
    int32_t *off = malloc((n + 1) * sizeof *off);
    uint8_t *data = malloc(n * 3 + 1), *valid = calloc((n + 7) / 8, 1);
    off[0] = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = i % 4;
        for (size_t j = 0; j < len; j++) data[off[i] + j] = (uint8_t)(i * 31 + j);
        off[i + 1] = off[i] + (int32_t)len;
        if (i % 6) valid[i / 8] |= (uint8_t)(1u << (i % 8));
    }
    cols[7] = lml_column_from_binary(off, data, valid, n, &err);
    cr_assert(cols[7], "%s", err.message);
    free(off), free(data), free(valid);
    lml_frame *fr = lml_frame_new(8, names, cols, &err);
    cr_assert(fr, "%s", err.message);
    for (int k = 0; k < 8; k++) lml_column_free(cols[k]);
    return fr;
}

Test(parquet_write, every_flat_type_round_trips_with_every_codec) {
    lml_frame *fr = every_type(25000); /* more than one page (20,000 rows) */
    lml_parquet_codec codecs[] = {LML_PARQUET_UNCOMPRESSED, LML_PARQUET_SNAPPY, LML_PARQUET_GZIP, LML_PARQUET_ZSTD,
                                  LML_PARQUET_LZ4_RAW};
    int ids[] = {LML_PQ_UNCOMPRESSED, LML_PQ_SNAPPY, LML_PQ_GZIP, LML_PQ_ZSTD, LML_PQ_LZ4_RAW};
    for (int c = 0; c < 5; c++) {
        for (int dict = 0; dict < 2; dict++) {
            const char *path = lml_test_pq_tmp_path("all.parquet");
            lml_test_pq_write_ok(fr, path, &(lml_parquet_write_options){.codec = codecs[c], .disable_dictionary = dict});
            lml_test_pq_file f = lml_test_pq_load(path);
            cr_assert_eq(f.meta.row_groups[0].columns[4].meta.codec, ids[c]);
            cr_assert_eq(f.meta.row_groups[0].columns[4].meta.has_dictionary_page_offset, !dict, "strings: 100 distinct");
            lml_test_pq_unload(&f);
            lml_error err = {0};
            lml_frame *back = lml_parquet_read(path, NULL, &err);
            cr_assert(back, "codec %d: %s", c, err.message);
            lml_test_assert_frames_equal(fr, back);
            lml_frame_free(back);
        }
    }
    lml_frame_free(fr);
}

/* Flat columns are filled row group by row group in parallel (validity bytes shared at the
 * boundaries, string offsets rebased): every thread count must give the same frame. */
Test(parquet_write, several_row_groups_and_small_pages_round_trip_at_any_thread_count) {
    lml_frame *fr = every_type(3000);
    const char *path = lml_test_pq_tmp_path("rg.parquet");
    lml_test_pq_write_ok(fr, path, &(lml_parquet_write_options){.row_group_size = 20000, .page_size = 500, .dictionary_page_size = 64});
    lml_test_pq_file f = lml_test_pq_load(path);
    cr_assert_gt(f.meta.num_row_groups, 3);
    bool odd = false; /* a row group boundary inside a validity byte */
    for (size_t g = 0; g < f.meta.num_row_groups; g++) odd |= f.meta.row_groups[g].num_rows % 8 != 0;
    cr_assert(odd, "every row group holds a multiple of 8 rows: the test would not cross a bitmap byte");
    lml_test_pq_unload(&f);
    int saved = lml_get_num_threads();
    for (int threads = 1; threads <= 5; threads += 2) {
        lml_set_num_threads(threads);
        lml_error err = {0};
        lml_frame *back = lml_parquet_read(path, NULL, &err);
        cr_assert(back, "%d threads: %s", threads, err.message);
        lml_test_assert_frames_equal(fr, back);
        lml_frame_free(back);
    }
    lml_set_num_threads(saved);
    lml_frame_free(fr);
}

Test(parquet_write, zero_rows_write_a_file_without_row_groups) {
    lml_frame *fr = every_type(0);
    const char *path = lml_test_pq_tmp_path("zero.parquet");
    lml_test_pq_write_ok(fr, path, NULL);
    lml_test_pq_file f = lml_test_pq_load(path);
    cr_assert_eq(f.meta.num_row_groups, 0);
    cr_assert_eq(f.meta.num_schema, 9);
    lml_test_pq_unload(&f);
    lml_error err = {0};
    lml_frame *back = lml_parquet_read(path, NULL, &err);
    cr_assert(back, "%s", err.message);
    lml_test_assert_frames_equal(fr, back);
    lml_frame_free(back);
    lml_frame_free(fr);
}

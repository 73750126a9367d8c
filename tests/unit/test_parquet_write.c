/* lml_parquet_write, flat columns: file layout and page bytes checked by hand, footer metadata
 * as Spark writes it (schema annotations, statistics) for every flat type, including float,
 * byte, short, timestamp_ntz and decimal. Dictionaries and row groups are in
 * test_parquet_write_pages.c, nested and vector columns in test_parquet_write_nested.c, round
 * trips through lml_parquet_read in test_parquet_write_roundtrip.c. */
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

Test(parquet_write, tiny_int32_column_has_hand_checked_layout_and_page_bytes) {
    lml_error err = {0};
    uint8_t valid = 0x5; /* rows 0 and 2 */
    lml_frame *fr = lml_test_frame1("a", lml_column_from_int32s((int32_t[]){1, 0, 3}, &valid, 3, &err));
    const char *path = lml_test_pq_tmp_path("tiny.parquet");
    lml_test_pq_write_ok(fr, path, &lml_test_pq_plain_uncompressed);
    lml_test_pq_file f = lml_test_pq_load(path);
    lml_pq_file_meta *m = &f.meta;

    cr_assert_eq(m->version, 1);
    cr_assert_eq(m->num_rows, 3);
    cr_assert_str_eq(m->created_by, "lakeml version " LML_VERSION_STRING);
    cr_assert_eq(m->num_schema, 2);
    cr_assert_str_eq(m->schema[0].name, "spark_schema");
    cr_assert(m->schema[0].has_num_children && m->schema[0].num_children == 1 && !m->schema[0].has_type);
    cr_assert_str_eq(m->schema[1].name, "a");
    cr_assert(m->schema[1].has_type && m->schema[1].type == LML_PQ_INT32);
    cr_assert(m->schema[1].has_repetition && m->schema[1].repetition == LML_PQ_OPTIONAL);
    cr_assert(!m->schema[1].has_converted_type && m->schema[1].logical.kind == LML_PQ_LT_NONE);
    cr_assert_eq(m->num_kv, 1);
    cr_assert_str_eq(m->kv[0].key, "org.apache.spark.sql.parquet.row.metadata");
    cr_assert_str_eq(m->kv[0].value,
                     "{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}}]}");
    cr_assert_eq(m->num_column_orders, 1);
    cr_assert_eq(m->column_orders[0], 1);

    cr_assert_eq(m->num_row_groups, 1);
    lml_pq_row_group *rg = &m->row_groups[0];
    cr_assert_eq(rg->num_rows, 3);
    cr_assert_eq(rg->num_columns, 1);
    lml_pq_column_meta *cm = &rg->columns[0].meta;
    cr_assert_eq(cm->type, LML_PQ_INT32);
    cr_assert_eq(cm->codec, LML_PQ_UNCOMPRESSED);
    cr_assert_eq(cm->num_values, 3);
    cr_assert_eq(cm->path_len, 1);
    cr_assert_str_eq(cm->path_in_schema[0], "a");
    cr_assert_eq(cm->data_page_offset, 4);
    cr_assert(!cm->has_dictionary_page_offset);
    /* The chunk runs from byte 4 to the footer. */
    uint32_t footer_len = (uint32_t)(f.len - 8 - (size_t)(4 + cm->total_compressed_size));
    cr_assert_eq(footer_len, f.buf[f.len - 8] | f.buf[f.len - 7] << 8 | f.buf[f.len - 6] << 16);
    cr_assert_eq(cm->total_uncompressed_size, cm->total_compressed_size);
    cr_assert_eq(cm->num_encodings, 2);
    cr_assert_eq(cm->encodings[0], LML_PQ_PLAIN);
    cr_assert_eq(cm->encodings[1], LML_PQ_RLE);
    cr_assert_eq(cm->num_encoding_stats, 1);
    cr_assert_eq(cm->encoding_stats[0].page_type, LML_PQ_DATA_PAGE);
    cr_assert_eq(cm->encoding_stats[0].encoding, LML_PQ_PLAIN);
    cr_assert_eq(cm->encoding_stats[0].count, 1);
    lml_pq_statistics *st = &cm->statistics;
    cr_assert(st->has_null_count && st->null_count == 1);
    cr_assert(st->min_value.len == 4 && memcmp(st->min_value.data, "\x01\0\0\0", 4) == 0);
    cr_assert(st->max_value.len == 4 && memcmp(st->max_value.data, "\x03\0\0\0", 4) == 0);
    cr_assert(st->min.len == 4 && memcmp(st->min.data, "\x01\0\0\0", 4) == 0, "signed order: deprecated min too");
    cr_assert(st->max.len == 4 && memcmp(st->max.data, "\x03\0\0\0", 4) == 0);

    lml_pq_page_header h;
    size_t next;
    uint8_t *body = lml_test_pq_page_at(&f, 4, LML_PQ_UNCOMPRESSED, &h, &next);
    cr_assert_eq(next, 4 + (size_t)cm->total_compressed_size);
    cr_assert_eq(h.type, LML_PQ_DATA_PAGE);
    cr_assert(h.has_data_page && h.dp_num_values == 3 && h.dp_encoding == LML_PQ_PLAIN && h.dp_def_encoding == LML_PQ_RLE);
    cr_assert(h.statistics.present && h.statistics.null_count == 1);
    uint32_t def[3];
    size_t at = lml_test_pq_levels(body, 1, def, 3);
    cr_assert(def[0] == 1 && def[1] == 0 && def[2] == 1);
    /* Only the two present values, PLAIN int32 LE. */
    cr_assert_eq((size_t)h.uncompressed_page_size, at + 8);
    cr_assert(memcmp(body + at, "\x01\0\0\0\x03\0\0\0", 8) == 0);
    free(body);
    lml_pq_page_header_clear(&h);
    lml_test_pq_unload(&f);
    lml_frame_free(fr);
}

Test(parquet_write, schema_annotations_follow_spark_for_every_flat_type) {
    lml_error err = {0};
    const char *names[] = {"b", "i", "l", "d", "s", "dt", "ts", "bin"};
    lml_type types[] = {LML_BOOL, LML_INT32, LML_INT64, LML_DOUBLE, LML_STRING, LML_DATE, LML_TIMESTAMP};
    lml_column *cols[8];
    for (int k = 0; k < 7; k++) {
        lml_column_builder *b = lml_column_builder_new(types[k], 2, &err);
        cr_assert(lml_column_builder_append_null(b, &err));
        lml_value v = {.type = types[k], .v.i64 = 1};
        if (types[k] == LML_STRING) v.v.str.ptr = "x", v.v.str.len = 1;
        if (types[k] == LML_DOUBLE) v.v.f64 = 1.0;
        if (types[k] == LML_INT32 || types[k] == LML_DATE) v.v.i32 = 1;
        if (types[k] == LML_BOOL) v.v.b = true;
        cr_assert(lml_column_builder_append_value(b, &v, &err), "%s", err.message);
        cols[k] = lml_column_builder_finish(b, &err);
        cr_assert(cols[k], "%s", err.message);
    }
    cols[7] = lml_column_from_binary((int32_t[]){0, 1, 2}, (const uint8_t *)"\x00\xff", NULL, 2, &err);
    cr_assert(cols[7], "%s", err.message);
    lml_frame *fr = lml_frame_new(8, names, cols, &err);
    cr_assert(fr, "%s", err.message);
    for (int k = 0; k < 8; k++) lml_column_free(cols[k]);
    const char *path = lml_test_pq_tmp_path("types.parquet");
    lml_test_pq_write_ok(fr, path, NULL);
    lml_test_pq_file f = lml_test_pq_load(path);
    lml_pq_schema_element *s = f.meta.schema;
    cr_assert_eq(f.meta.num_schema, 9);
    int phys[] = {LML_PQ_BOOLEAN, LML_PQ_INT32, LML_PQ_INT64, LML_PQ_DOUBLE, LML_PQ_BYTE_ARRAY, LML_PQ_INT32,
                  LML_PQ_INT64, LML_PQ_BYTE_ARRAY};
    for (int k = 0; k < 8; k++) {
        cr_assert_str_eq(s[k + 1].name, names[k]);
        cr_assert_eq(s[k + 1].type, phys[k], "column %s", names[k]);
        cr_assert_eq(s[k + 1].repetition, LML_PQ_OPTIONAL);
        cr_assert_eq(f.meta.row_groups[0].columns[k].meta.codec, LML_PQ_SNAPPY, "SNAPPY is the default");
    }
    cr_assert(s[5].has_converted_type && s[5].converted_type == LML_PQ_CT_UTF8 && s[5].logical.kind == LML_PQ_LT_STRING);
    cr_assert(s[6].converted_type == LML_PQ_CT_DATE && s[6].logical.kind == LML_PQ_LT_DATE);
    cr_assert(s[7].converted_type == LML_PQ_CT_TIMESTAMP_MICROS && s[7].logical.kind == LML_PQ_LT_TIMESTAMP);
    cr_assert(s[7].logical.adjusted_to_utc && s[7].logical.unit == LML_PQ_MICROS);
    cr_assert(!s[8].has_converted_type && s[8].logical.kind == LML_PQ_LT_NONE, "binary carries no annotation");
    cr_assert(strstr(f.meta.kv[0].value, "{\"name\":\"ts\",\"type\":\"timestamp\",\"nullable\":true,\"metadata\":{}}"));
    cr_assert(strstr(f.meta.kv[0].value, "{\"name\":\"bin\",\"type\":\"binary\""));
    cr_assert(strstr(f.meta.kv[0].value, "{\"name\":\"l\",\"type\":\"long\""));
    /* Binary stats: unsigned byte order, 0x00 < 0xff; min != max so no deprecated pair. */
    lml_pq_statistics *st = &f.meta.row_groups[0].columns[7].meta.statistics;
    cr_assert(st->min_value.len == 1 && st->min_value.data[0] == 0x00);
    cr_assert(st->max_value.len == 1 && st->max_value.data[0] == 0xff);
    cr_assert(!st->min.data && !st->max.data);
    lml_test_pq_unload(&f);
    lml_frame_free(fr);
}

Test(parquet_write, double_statistics_skip_nan_and_widen_zero_bounds) {
    lml_error err = {0};
    uint8_t valid = 0x0f;
    lml_frame *fr = lml_test_frame1("x", lml_column_from_doubles((double[]){NAN, 0.0, 2.5, 1.0, 0}, &valid, 5, &err));
    const char *path = lml_test_pq_tmp_path("nan.parquet");
    lml_test_pq_write_ok(fr, path, &lml_test_pq_plain_uncompressed);
    lml_test_pq_file f = lml_test_pq_load(path);
    lml_pq_statistics *st = &f.meta.row_groups[0].columns[0].meta.statistics;
    double lo, hi;
    cr_assert(st->min_value.len == 8 && st->max_value.len == 8);
    memcpy(&lo, st->min_value.data, 8);
    memcpy(&hi, st->max_value.data, 8);
    cr_assert(lo == 0.0 && signbit(lo), "a zero minimum is written as -0.0");
    cr_assert_eq(hi, 2.5);
    cr_assert_eq(st->null_count, 1);
    lml_test_pq_unload(&f);
    lml_frame_free(fr);

    fr = lml_test_frame1("x", lml_column_from_doubles((double[]){NAN, NAN}, NULL, 2, &err));
    lml_test_pq_write_ok(fr, path, &lml_test_pq_plain_uncompressed);
    f = lml_test_pq_load(path);
    st = &f.meta.row_groups[0].columns[0].meta.statistics;
    cr_assert(!st->min_value.data && !st->max_value.data && !st->min.data, "only NaNs: no bounds");
    cr_assert(st->has_null_count && st->null_count == 0);
    lml_test_pq_unload(&f);
    lml_frame_free(fr);
}

Test(parquet_write, string_statistics_use_unsigned_byte_order) {
    lml_error err = {0};
    lml_frame *fr = lml_test_frame1("s", lml_column_from_strings((const char *[]){"b", "\xc3\xa9", "a", NULL, "ab"}, 5, &err));
    const char *path = lml_test_pq_tmp_path("str.parquet");
    lml_test_pq_write_ok(fr, path, NULL);
    lml_test_pq_file f = lml_test_pq_load(path);
    lml_pq_statistics *st = &f.meta.row_groups[0].columns[0].meta.statistics;
    cr_assert(st->min_value.len == 1 && st->min_value.data[0] == 'a');
    cr_assert(st->max_value.len == 2 && memcmp(st->max_value.data, "\xc3\xa9", 2) == 0, "é (0xc3…) sorts after b");
    cr_assert(!st->min.data && !st->max.data, "no deprecated min/max for strings");
    cr_assert_eq(st->null_count, 1);
    lml_test_pq_unload(&f);
    lml_frame_free(fr);

    fr = lml_test_frame1("s", lml_column_from_strings((const char *[]){"same", "same"}, 2, &err));
    lml_test_pq_write_ok(fr, path, NULL);
    f = lml_test_pq_load(path);
    st = &f.meta.row_groups[0].columns[0].meta.statistics;
    cr_assert(st->min.len == 4 && memcmp(st->min.data, "same", 4) == 0, "min == max: deprecated pair written");
    lml_test_pq_unload(&f);
    lml_frame_free(fr);
}

/* ---------------------------------------------------------------- float, byte, short, timestamp_ntz, decimal */

static void dec16(int64_t v, uint8_t out[16]) {
    memcpy(out, &v, 8);
    memset(out + 8, v < 0 ? 0xff : 0, 8);
}

Test(parquet_write, narrow_float_ntz_and_decimal_columns_follow_spark) {
    lml_error err = {0};
    uint8_t valid = 0xb; /* row 2 null */
    uint8_t d5[64], d15[64], d30[64];
    int64_t v5[4] = {12345, -1, 0, 0}, v15[4] = {100000000000000, -5, 0, 3}, v30[4] = {-1, 256, 0, 1};
    for (int i = 0; i < 4; i++) dec16(v5[i], d5 + 16 * i), dec16(v15[i], d15 + 16 * i), dec16(v30[i], d30 + 16 * i);
    lml_column *cols[7] = {
        lml_column_from_floats((float[]){1.5f, NAN, 0, -2.25f}, &valid, 4, &err),
        lml_column_from_int8s((int8_t[]){-128, 127, 0, 5}, &valid, 4, &err),
        lml_column_from_int16s((int16_t[]){-300, 300, 0, 7}, &valid, 4, &err),
        lml_column_from_timestamps_ntz((int64_t[]){1, 2, 0, 3}, &valid, 4, &err),
        lml_column_from_decimals(d5, &valid, 4, 5, 2, &err),
        lml_column_from_decimals(d15, &valid, 4, 15, 3, &err),
        lml_column_from_decimals(d30, &valid, 4, 30, 4, &err),
    };
    for (int k = 0; k < 7; k++) cr_assert(cols[k], "%d: %s", k, err.message);
    const char *names[7] = {"f", "b8", "s16", "ntz", "d5", "d15", "d30"};
    lml_frame *fr = lml_frame_new(7, names, cols, &err);
    cr_assert(fr, "%s", err.message);
    for (int k = 0; k < 7; k++) lml_column_free(cols[k]);
    const char *path = lml_test_pq_tmp_path("narrow.parquet");
    lml_test_pq_write_ok(fr, path, &lml_test_pq_plain_uncompressed);
    lml_test_pq_file f = lml_test_pq_load(path);
    lml_pq_schema_element *s = f.meta.schema;
    cr_assert_eq(s[1].type, LML_PQ_FLOAT);
    cr_assert(s[2].type == LML_PQ_INT32 && s[2].converted_type == LML_PQ_CT_INT_8 && s[2].logical.bit_width == 8);
    cr_assert(s[3].type == LML_PQ_INT32 && s[3].converted_type == LML_PQ_CT_INT_16 && s[3].logical.is_signed);
    cr_assert(s[4].type == LML_PQ_INT64 && s[4].logical.kind == LML_PQ_LT_TIMESTAMP && !s[4].logical.adjusted_to_utc);
    cr_assert(s[5].type == LML_PQ_INT32 && s[5].converted_type == LML_PQ_CT_DECIMAL && s[5].precision == 5 && s[5].scale == 2);
    cr_assert(s[5].logical.kind == LML_PQ_LT_DECIMAL && s[5].logical.precision == 5 && s[5].logical.scale == 2);
    cr_assert(s[6].type == LML_PQ_INT64 && s[6].precision == 15);
    cr_assert(s[7].type == LML_PQ_FIXED_LEN_BYTE_ARRAY && s[7].has_type_length && s[7].type_length == 13,
              "decimal(30) takes 13 bytes as Spark writes it");
    const char *json = f.meta.kv[0].value;
    cr_assert(strstr(json, "\"name\":\"f\",\"type\":\"float\"") && strstr(json, "\"name\":\"b8\",\"type\":\"byte\""));
    cr_assert(strstr(json, "\"type\":\"short\"") && strstr(json, "\"type\":\"timestamp_ntz\""));
    cr_assert(strstr(json, "\"name\":\"d30\",\"type\":\"decimal(30,4)\""), "%s", json);

    lml_pq_column_chunk *cm = f.meta.row_groups[0].columns;
    float flo, fhi;
    memcpy(&flo, cm[0].meta.statistics.min_value.data, 4);
    memcpy(&fhi, cm[0].meta.statistics.max_value.data, 4);
    cr_assert(flo == -2.25f && fhi == 1.5f, "NaN skipped: [%g, %g]", flo, fhi);
    int32_t lo, hi;
    memcpy(&lo, cm[1].meta.statistics.min_value.data, 4);
    memcpy(&hi, cm[1].meta.statistics.max_value.data, 4);
    cr_assert(lo == -128 && hi == 127);
    memcpy(&lo, cm[4].meta.statistics.min_value.data, 4);
    memcpy(&hi, cm[4].meta.statistics.max_value.data, 4);
    cr_assert(lo == -1 && hi == 12345);
    lml_pq_statistics *ds = &cm[6].meta.statistics;
    cr_assert(ds->min_value.len == 13 && ds->max_value.len == 13);
    for (int i = 0; i < 13; i++) cr_assert_eq(ds->min_value.data[i], 0xff, "min -1 (signed order, not unsigned)");
    cr_assert(ds->max_value.data[11] == 1 && ds->max_value.data[12] == 0 && ds->max_value.data[0] == 0, "max 256");
    /* The d30 page: def levels, then -1, 256, 1 as 13-byte big-endian two's complement. */
    lml_pq_page_header h;
    size_t next;
    uint8_t *body = lml_test_pq_page_at(&f, (size_t)cm[6].meta.data_page_offset, LML_PQ_UNCOMPRESSED, &h, &next);
    uint32_t def[4];
    size_t at = lml_test_pq_levels(body, 1, def, 4);
    cr_assert(def[0] == 1 && def[1] == 1 && def[2] == 0 && def[3] == 1);
    cr_assert_eq((size_t)h.uncompressed_page_size, at + 39);
    static const uint8_t want[39] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0,
                                     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    cr_assert(memcmp(body + at, want, 39) == 0);
    free(body);
    lml_pq_page_header_clear(&h);
    /* The int8 page widens to INT32. */
    body = lml_test_pq_page_at(&f, (size_t)cm[1].meta.data_page_offset, LML_PQ_UNCOMPRESSED, &h, &next);
    at = lml_test_pq_levels(body, 1, def, 4);
    cr_assert(memcmp(body + at, "\x80\xff\xff\xff\x7f\0\0\0\x05\0\0\0", 12) == 0);
    free(body);
    lml_pq_page_header_clear(&h);
    lml_test_pq_unload(&f);

    lml_frame *back = lml_parquet_read(path, NULL, &err);
    cr_assert(back, "%s", err.message);
    for (size_t c = 0; c < 7; c++) {
        const lml_column *x = lml_frame_column(fr, c), *y = lml_frame_column(back, c);
        for (size_t i = 0; i < 4; i++) {
            cr_assert_eq(lml_column_is_null(x, i), lml_column_is_null(y, i), "column %s row %zu", names[c], i);
            if (lml_column_is_null(x, i)) continue;
            if (c == 3) cr_assert_eq(lml_column_get(x, i).v.i64, lml_column_get(y, i).v.i64);
            else {
                double p = lml_column_get_double(x, i), q = lml_column_get_double(y, i);
                cr_assert(p == q || (isnan(p) && isnan(q)), "column %s row %zu: %g vs %g", names[c], i, p, q);
            }
        }
    }
    lml_frame_free(back);
    lml_frame_free(fr);
}

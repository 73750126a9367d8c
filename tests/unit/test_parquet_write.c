/* lml_parquet_write: file layout and page bytes checked by hand, footer metadata as Spark writes
 * it (schema, statistics, encodings, row groups), dictionary policy, VectorUDT shredding, every
 * codec, the temp-file-then-rename guarantee, and round trips through lml_parquet_read. */
#include <criterion/criterion.h>
#include <dirent.h>
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
#include "support.h"

typedef struct pqfile {
    uint8_t *buf;
    size_t len;
    lml_pq_file_meta meta;
} pqfile;

static pqfile load(const char *path) {
    pqfile f = {0};
    FILE *fp = fopen(path, "rb");
    cr_assert(fp, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    f.len = (size_t)ftell(fp);
    fseek(fp, 0, SEEK_SET);
    f.buf = malloc(f.len);
    cr_assert(fread(f.buf, 1, f.len, fp) == f.len);
    fclose(fp);
    cr_assert(f.len >= 12);
    cr_assert(memcmp(f.buf, "PAR1", 4) == 0 && memcmp(f.buf + f.len - 4, "PAR1", 4) == 0);
    uint32_t n = f.buf[f.len - 8] | f.buf[f.len - 7] << 8 | f.buf[f.len - 6] << 16 | (uint32_t)f.buf[f.len - 5] << 24;
    cr_assert(n > 0 && n <= f.len - 12);
    lml_error err = {0};
    cr_assert(lml_pq_file_meta_decode(f.buf + f.len - 8 - n, n, path, &f.meta, &err), "%s", err.message);
    return f;
}

static void unload(pqfile *f) {
    lml_pq_file_meta_clear(&f->meta);
    free(f->buf);
}

/* Decodes the page header at off and returns its decompressed body (malloc'd). */
static uint8_t *page_at(const pqfile *f, size_t off, int codec, lml_pq_page_header *h, size_t *next) {
    lml_error err = {0};
    size_t used;
    cr_assert(lml_pq_page_header_decode(f->buf + off, f->len - off, "t", h, &used, &err), "%s", err.message);
    const uint8_t *stored = f->buf + off + used;
    cr_assert(h->has_crc && h->crc == lml_pq_crc32(stored, (size_t)h->compressed_page_size), "page CRC");
    uint8_t *body = malloc((size_t)h->uncompressed_page_size + 1);
    if (codec == LML_PQ_UNCOMPRESSED) {
        cr_assert_eq(h->compressed_page_size, h->uncompressed_page_size);
        memcpy(body, stored, (size_t)h->uncompressed_page_size);
    } else {
        cr_assert(lml_pq_decompress(codec, stored, (size_t)h->compressed_page_size, body,
                                    (size_t)h->uncompressed_page_size, "t", &err), "%s", err.message);
    }
    *next = off + used + (size_t)h->compressed_page_size;
    return body;
}

/* Decodes a v1 level section (u32 length + RLE hybrid) of n entries; returns bytes consumed. */
static size_t levels(const uint8_t *p, int max, uint32_t *out, size_t n) {
    uint32_t L = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
    size_t used;
    lml_error err = {0};
    cr_assert(lml_pq_rle_decode(p + 4, L, lml_pq_bit_width((uint64_t)max), out, n, &used, "t", &err), "%s", err.message);
    return 4 + L;
}

static lml_frame *frame1(const char *name, lml_column *c) {
    lml_error err = {0};
    lml_frame *f = lml_frame_new(1, (const char *[]){name}, &c, &err);
    cr_assert(f, "%s", err.message);
    lml_column_free(c);
    return f;
}

static const char *tmp_path(const char *name) {
    static char buf[4][512];
    static int slot;
    char *p = buf[slot++ % 4];
    snprintf(p, 512, "%s/%s", lml_test_temp_dir(), name);
    return p;
}

static void write_ok(const lml_frame *f, const char *path, const lml_parquet_write_options *o) {
    lml_error err = {0};
    cr_assert(lml_parquet_write(f, path, o, &err), "%s", err.message);
}

static const lml_parquet_write_options plain_uncompressed = {.codec = LML_PARQUET_UNCOMPRESSED, .disable_dictionary = true};

Test(parquet_write, tiny_int32_column_has_hand_checked_layout_and_page_bytes) {
    lml_error err = {0};
    uint8_t valid = 0x5; /* rows 0 and 2 */
    lml_frame *fr = frame1("a", lml_column_from_int32s((int32_t[]){1, 0, 3}, &valid, 3, &err));
    const char *path = tmp_path("tiny.parquet");
    write_ok(fr, path, &plain_uncompressed);
    pqfile f = load(path);
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
    uint8_t *body = page_at(&f, 4, LML_PQ_UNCOMPRESSED, &h, &next);
    cr_assert_eq(next, 4 + (size_t)cm->total_compressed_size);
    cr_assert_eq(h.type, LML_PQ_DATA_PAGE);
    cr_assert(h.has_data_page && h.dp_num_values == 3 && h.dp_encoding == LML_PQ_PLAIN && h.dp_def_encoding == LML_PQ_RLE);
    cr_assert(h.statistics.present && h.statistics.null_count == 1);
    uint32_t def[3];
    size_t at = levels(body, 1, def, 3);
    cr_assert(def[0] == 1 && def[1] == 0 && def[2] == 1);
    /* Only the two present values, PLAIN int32 LE. */
    cr_assert_eq((size_t)h.uncompressed_page_size, at + 8);
    cr_assert(memcmp(body + at, "\x01\0\0\0\x03\0\0\0", 8) == 0);
    free(body);
    lml_pq_page_header_clear(&h);
    unload(&f);
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
    const char *path = tmp_path("types.parquet");
    write_ok(fr, path, NULL);
    pqfile f = load(path);
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
    unload(&f);
    lml_frame_free(fr);
}

Test(parquet_write, double_statistics_skip_nan_and_widen_zero_bounds) {
    lml_error err = {0};
    uint8_t valid = 0x0f;
    lml_frame *fr = frame1("x", lml_column_from_doubles((double[]){NAN, 0.0, 2.5, 1.0, 0}, &valid, 5, &err));
    const char *path = tmp_path("nan.parquet");
    write_ok(fr, path, &plain_uncompressed);
    pqfile f = load(path);
    lml_pq_statistics *st = &f.meta.row_groups[0].columns[0].meta.statistics;
    double lo, hi;
    cr_assert(st->min_value.len == 8 && st->max_value.len == 8);
    memcpy(&lo, st->min_value.data, 8);
    memcpy(&hi, st->max_value.data, 8);
    cr_assert(lo == 0.0 && signbit(lo), "a zero minimum is written as -0.0");
    cr_assert_eq(hi, 2.5);
    cr_assert_eq(st->null_count, 1);
    unload(&f);
    lml_frame_free(fr);

    fr = frame1("x", lml_column_from_doubles((double[]){NAN, NAN}, NULL, 2, &err));
    write_ok(fr, path, &plain_uncompressed);
    f = load(path);
    st = &f.meta.row_groups[0].columns[0].meta.statistics;
    cr_assert(!st->min_value.data && !st->max_value.data && !st->min.data, "only NaNs: no bounds");
    cr_assert(st->has_null_count && st->null_count == 0);
    unload(&f);
    lml_frame_free(fr);
}

Test(parquet_write, string_statistics_use_unsigned_byte_order) {
    lml_error err = {0};
    lml_frame *fr = frame1("s", lml_column_from_strings((const char *[]){"b", "\xc3\xa9", "a", NULL, "ab"}, 5, &err));
    const char *path = tmp_path("str.parquet");
    write_ok(fr, path, NULL);
    pqfile f = load(path);
    lml_pq_statistics *st = &f.meta.row_groups[0].columns[0].meta.statistics;
    cr_assert(st->min_value.len == 1 && st->min_value.data[0] == 'a');
    cr_assert(st->max_value.len == 2 && memcmp(st->max_value.data, "\xc3\xa9", 2) == 0, "é (0xc3…) sorts after b");
    cr_assert(!st->min.data && !st->max.data, "no deprecated min/max for strings");
    cr_assert_eq(st->null_count, 1);
    unload(&f);
    lml_frame_free(fr);

    fr = frame1("s", lml_column_from_strings((const char *[]){"same", "same"}, 2, &err));
    write_ok(fr, path, NULL);
    f = load(path);
    st = &f.meta.row_groups[0].columns[0].meta.statistics;
    cr_assert(st->min.len == 4 && memcmp(st->min.data, "same", 4) == 0, "min == max: deprecated pair written");
    unload(&f);
    lml_frame_free(fr);
}

Test(parquet_write, repeated_strings_get_a_dictionary_page) {
    lml_error err = {0};
    const char *vals[1000];
    const char *pool[3] = {"red", "green", "blue"};
    for (int i = 0; i < 1000; i++) vals[i] = pool[i % 3];
    lml_frame *fr = frame1("c", lml_column_from_strings(vals, 1000, &err));
    const char *path = tmp_path("dict.parquet");
    write_ok(fr, path, &(lml_parquet_write_options){.codec = LML_PARQUET_UNCOMPRESSED});
    pqfile f = load(path);
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
    uint8_t *body = page_at(&f, 4, LML_PQ_UNCOMPRESSED, &h, &next);
    cr_assert(h.type == LML_PQ_DICTIONARY_PAGE && h.dict_num_values == 3 && h.dict_encoding == LML_PQ_PLAIN);
    cr_assert_eq(h.uncompressed_page_size, 3 * 4 + 3 + 5 + 4);
    cr_assert(memcmp(body, "\x03\0\0\0red\x05\0\0\0green\x04\0\0\0blue", 24) == 0);
    free(body);
    lml_pq_page_header_clear(&h);
    cr_assert_eq(next, (size_t)cm->data_page_offset);
    body = page_at(&f, next, LML_PQ_UNCOMPRESSED, &h, &next);
    cr_assert_eq(h.dp_encoding, LML_PQ_RLE_DICTIONARY);
    uint32_t def[1000], idx[1000];
    size_t at = levels(body, 1, def, 1000);
    cr_assert_eq(body[at], 2, "bit width for 3 entries");
    size_t used;
    cr_assert(lml_pq_rle_decode(body + at + 1, (size_t)h.uncompressed_page_size - at - 1, 2, idx, 1000, &used, "t", &err));
    for (int i = 0; i < 1000; i++) cr_assert_eq(idx[i], (uint32_t)(i % 3));
    free(body);
    lml_pq_page_header_clear(&h);
    unload(&f);
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
    lml_frame *fr = frame1("c", lml_column_from_strings(vals, N, &err));
    const char *path = tmp_path("fallback.parquet");
    write_ok(fr, path,
             &(lml_parquet_write_options){.codec = LML_PARQUET_ZSTD, .page_row_limit = 100, .dictionary_page_size = 400});
    pqfile f = load(path);
    lml_pq_column_meta *cm = &f.meta.row_groups[0].columns[0].meta;
    cr_assert(cm->has_dictionary_page_offset);
    cr_assert_eq(cm->num_encoding_stats, 3);
    cr_assert_eq(cm->encoding_stats[1].encoding, LML_PQ_RLE_DICTIONARY);
    cr_assert_eq(cm->encoding_stats[2].encoding, LML_PQ_PLAIN);
    cr_assert_eq(cm->encoding_stats[1].count + cm->encoding_stats[2].count, N / 100);
    cr_assert_geq(cm->encoding_stats[1].count, 1);
    cr_assert_geq(cm->encoding_stats[2].count, 1);
    cr_assert_eq(cm->codec, LML_PQ_ZSTD);
    unload(&f);
    lml_frame_free(fr);
}

Test(parquet_write, random_doubles_drop_the_dictionary_after_the_first_page) {
    lml_error err = {0};
    enum { N = 5000 };
    double *v = malloc(N * sizeof *v);
    for (int i = 0; i < N; i++) v[i] = sin(i) * 1e6;
    lml_frame *fr = frame1("x", lml_column_from_doubles(v, NULL, N, &err));
    free(v);
    const char *path = tmp_path("rand.parquet");
    write_ok(fr, path, NULL);
    pqfile f = load(path);
    lml_pq_column_meta *cm = &f.meta.row_groups[0].columns[0].meta;
    cr_assert(!cm->has_dictionary_page_offset);
    cr_assert_eq(cm->num_encoding_stats, 1);
    cr_assert_eq(cm->encoding_stats[0].encoding, LML_PQ_PLAIN);
    unload(&f);
    lml_frame_free(fr);
}

Test(parquet_write, row_groups_split_by_size) {
    lml_error err = {0};
    enum { N = 10000 };
    int64_t *v = malloc(N * sizeof *v);
    for (int i = 0; i < N; i++) v[i] = i * 7 - 3;
    lml_frame *fr = frame1("n", lml_column_from_int64s(v, NULL, N, &err));
    free(v);
    const char *path = tmp_path("groups.parquet");
    /* 8 bytes a row → 1000 rows per group. */
    write_ok(fr, path, &(lml_parquet_write_options){.row_group_size = 8000, .codec = LML_PARQUET_GZIP});
    pqfile f = load(path);
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
    unload(&f);
    lml_frame_free(fr);
}

Test(parquet_write, vectors_are_written_as_spark_vector_udt) {
    lml_error err = {0};
    lml_column *cols[2];
    cols[0] = lml_column_vector_from_dense((double[]){0.5, 1.5, 2.5, 3.5}, 2, 2, &err);
    cols[1] = lml_column_vector_from_csr((int64_t[]){0, 2, 2}, (int32_t[]){1, 3}, (double[]){2.0, 4.0}, 2, 5, &err);
    cr_assert(cols[0] && cols[1], "%s", err.message);
    lml_frame *fr = lml_frame_new(2, (const char *[]){"dense", "sparse"}, cols, &err);
    lml_column_free(cols[0]);
    lml_column_free(cols[1]);
    const char *path = tmp_path("vec.parquet");
    write_ok(fr, path, &plain_uncompressed);
    pqfile f = load(path);
    lml_pq_file_meta *m = &f.meta;
    cr_assert_eq(m->num_schema, 19);
    const char *shape[9] = {"dense", "type", "size", "indices", "list", "element", "values", "list", "element"};
    for (int k = 0; k < 9; k++) cr_assert_str_eq(m->schema[1 + k].name, shape[k]);
    cr_assert(m->schema[2].repetition == LML_PQ_REQUIRED && m->schema[2].converted_type == LML_PQ_CT_INT_8);
    cr_assert(m->schema[2].logical.kind == LML_PQ_LT_INTEGER && m->schema[2].logical.bit_width == 8);
    cr_assert(m->schema[4].converted_type == LML_PQ_CT_LIST && m->schema[5].repetition == LML_PQ_REPEATED);
    cr_assert(m->schema[9].type == LML_PQ_DOUBLE && m->schema[9].repetition == LML_PQ_REQUIRED);
    cr_assert(strstr(m->kv[0].value, "\"class\":\"org.apache.spark.ml.linalg.VectorUDT\""));
    lml_pq_row_group *rg = &m->row_groups[0];
    cr_assert_eq(rg->num_columns, 8);
    lml_pq_column_meta *vals = &rg->columns[3].meta;
    cr_assert_eq(vals->path_len, 4);
    cr_assert_str_eq(vals->path_in_schema[1], "values");
    cr_assert_str_eq(vals->path_in_schema[3], "element");
    cr_assert_eq(vals->num_values, 4);
    /* dense.values: rep 0,1,0,1; def 3 ×4; values 0.5 1.5 2.5 3.5. */
    lml_pq_page_header h;
    size_t next;
    uint8_t *body = page_at(&f, (size_t)vals->data_page_offset, LML_PQ_UNCOMPRESSED, &h, &next);
    uint32_t rep[4], def[4];
    size_t at = levels(body, 1, rep, 4);
    at += levels(body + at, 3, def, 4);
    for (int i = 0; i < 4; i++) cr_assert(rep[i] == (uint32_t)(i & 1) && def[i] == 3);
    double d[4];
    memcpy(d, body + at, 32);
    cr_assert(d[0] == 0.5 && d[1] == 1.5 && d[2] == 2.5 && d[3] == 3.5);
    free(body);
    lml_pq_page_header_clear(&h);
    /* sparse.indices: row 0 {1, 3} → (0,3)(1,3); row 1 empty → (0,2); values 1, 3. */
    lml_pq_column_meta *ind = &rg->columns[6].meta;
    cr_assert_eq(ind->num_values, 3);
    body = page_at(&f, (size_t)ind->data_page_offset, LML_PQ_UNCOMPRESSED, &h, &next);
    at = levels(body, 1, rep, 3);
    at += levels(body + at, 3, def, 3);
    cr_assert(rep[0] == 0 && rep[1] == 1 && rep[2] == 0 && def[0] == 3 && def[1] == 3 && def[2] == 2);
    cr_assert(memcmp(body + at, "\x01\0\0\0\x03\0\0\0", 8) == 0);
    free(body);
    lml_pq_page_header_clear(&h);
    /* sparse.size: def 2 for both rows, value 5 twice; sparse.type: 0 twice. */
    lml_pq_column_meta *size = &rg->columns[5].meta;
    body = page_at(&f, (size_t)size->data_page_offset, LML_PQ_UNCOMPRESSED, &h, &next);
    at = levels(body, 2, def, 2);
    cr_assert(def[0] == 2 && def[1] == 2);
    cr_assert(memcmp(body + at, "\x05\0\0\0\x05\0\0\0", 8) == 0);
    free(body);
    lml_pq_page_header_clear(&h);
    unload(&f);
    lml_frame_free(fr);
}

static size_t dir_entries(const char *dir) {
    DIR *d = opendir(dir);
    cr_assert(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

Test(parquet_write, failures_leave_nothing_behind) {
    lml_error err = {0};
    lml_frame *fr = frame1("a", lml_column_from_int32s((int32_t[]){1, 2}, NULL, 2, &err));
    char dir[512];
    snprintf(dir, sizeof dir, "%s", lml_test_temp_dir());
    char path[600];
    snprintf(path, sizeof path, "%s/missing/x.parquet", dir);
    cr_assert(!lml_parquet_write(fr, path, NULL, &err));
    cr_assert_eq(err.code, LML_EIO);
    cr_assert(strstr(err.message, "x.parquet"), "%s", err.message);
    cr_assert_eq(dir_entries(dir), 0);

    /* No columns: refused before any file appears. */
    lml_frame *empty = lml_frame_new(0, NULL, NULL, &err);
    cr_assert(empty, "%s", err.message);
    snprintf(path, sizeof path, "%s/empty.parquet", dir);
    cr_assert(!lml_parquet_write(empty, path, NULL, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_eq(dir_entries(dir), 0);
    lml_frame_free(empty);

    /* A bad codec value: refused before any file appears. */
    cr_assert(!lml_parquet_write(fr, path, &(lml_parquet_write_options){.codec = (lml_parquet_codec)99}, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_eq(dir_entries(dir), 0);

    if (geteuid() != 0) { /* root ignores directory permissions */
        cr_assert(chmod(dir, 0555) == 0);
        cr_assert(!lml_parquet_write(fr, path, NULL, &err));
        cr_assert_eq(err.code, LML_EIO);
        cr_assert(chmod(dir, 0755) == 0);
        cr_assert_eq(dir_entries(dir), 0);
    }
    /* And a write that works replaces nothing but its own file. */
    cr_assert(lml_parquet_write(fr, path, NULL, &err), "%s", err.message);
    cr_assert_eq(dir_entries(dir), 1);
    lml_frame_free(fr);
}

/* ---------------------------------------------------------------- round trips through the reader */

static void assert_frames_equal(const lml_frame *a, const lml_frame *b) {
    cr_assert_eq(lml_frame_num_cols(a), lml_frame_num_cols(b));
    cr_assert_eq(lml_frame_num_rows(a), lml_frame_num_rows(b));
    for (size_t c = 0; c < lml_frame_num_cols(a); c++) {
        const lml_column *x = lml_frame_column(a, c), *y = lml_frame_column(b, c);
        cr_assert_str_eq(lml_frame_column_name(a, c), lml_frame_column_name(b, c));
        cr_assert_eq(lml_column_type(x), lml_column_type(y), "column %zu", c);
        for (size_t i = 0; i < lml_column_length(x); i++) {
            lml_value u = lml_column_get(x, i), v = lml_column_get(y, i);
            cr_assert_eq(u.is_null, v.is_null, "column %zu row %zu", c, i);
            if (u.is_null) continue;
            switch (u.type) {
            case LML_BOOL: cr_assert_eq(u.v.b, v.v.b); break;
            case LML_INT32:
            case LML_DATE: cr_assert_eq(u.v.i32, v.v.i32, "column %zu row %zu", c, i); break;
            case LML_DOUBLE: cr_assert(memcmp(&u.v.f64, &v.v.f64, 8) == 0, "column %zu row %zu", c, i); break;
            case LML_STRING:
            case LML_BINARY:
                cr_assert_eq(u.v.str.len, v.v.str.len, "column %zu row %zu", c, i);
                cr_assert(memcmp(u.v.str.ptr, v.v.str.ptr, u.v.str.len) == 0, "column %zu row %zu", c, i);
                break;
            case LML_VECTOR: {
                size_t d = lml_column_vector_size(x);
                cr_assert_eq(d, lml_column_vector_size(y));
                for (size_t j = 0; j < d; j++) {
                    /* compare through the dense form whichever layout the reader chose */
                    double p = 0, q = 0;
                    if (lml_column_vector_is_sparse(x)) {
                        const int64_t *ip = lml_column_vector_indptr(x);
                        for (int64_t k = ip[i]; k < ip[i + 1]; k++)
                            if ((size_t)lml_column_vector_indices(x)[k] == j) p = lml_column_vector_values(x)[k];
                    } else p = lml_column_vector_dense(x)[i * d + j];
                    if (lml_column_vector_is_sparse(y)) {
                        const int64_t *ip = lml_column_vector_indptr(y);
                        for (int64_t k = ip[i]; k < ip[i + 1]; k++)
                            if ((size_t)lml_column_vector_indices(y)[k] == j) q = lml_column_vector_values(y)[k];
                    } else q = lml_column_vector_dense(y)[i * d + j];
                    cr_assert_eq(p, q, "vector column %zu row %zu slot %zu", c, i, j);
                }
                break;
            }
            default: cr_assert_eq(u.v.i64, v.v.i64, "column %zu row %zu", c, i);
            }
        }
    }
}

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
            const char *path = tmp_path("all.parquet");
            write_ok(fr, path, &(lml_parquet_write_options){.codec = codecs[c], .disable_dictionary = dict});
            pqfile f = load(path);
            cr_assert_eq(f.meta.row_groups[0].columns[4].meta.codec, ids[c]);
            cr_assert_eq(f.meta.row_groups[0].columns[4].meta.has_dictionary_page_offset, !dict, "strings: 100 distinct");
            unload(&f);
            lml_error err = {0};
            lml_frame *back = lml_parquet_read(path, NULL, &err);
            cr_assert(back, "codec %d: %s", c, err.message);
            assert_frames_equal(fr, back);
            lml_frame_free(back);
        }
    }
    lml_frame_free(fr);
}

Test(parquet_write, several_row_groups_and_small_pages_round_trip) {
    lml_frame *fr = every_type(3000);
    const char *path = tmp_path("rg.parquet");
    write_ok(fr, path, &(lml_parquet_write_options){.row_group_size = 20000, .page_size = 500, .dictionary_page_size = 64});
    pqfile f = load(path);
    cr_assert_gt(f.meta.num_row_groups, 3);
    unload(&f);
    lml_error err = {0};
    lml_frame *back = lml_parquet_read(path, NULL, &err);
    cr_assert(back, "%s", err.message);
    assert_frames_equal(fr, back);
    lml_frame_free(back);
    lml_frame_free(fr);
}

Test(parquet_write, zero_rows_write_a_file_without_row_groups) {
    lml_frame *fr = every_type(0);
    const char *path = tmp_path("zero.parquet");
    write_ok(fr, path, NULL);
    pqfile f = load(path);
    cr_assert_eq(f.meta.num_row_groups, 0);
    cr_assert_eq(f.meta.num_schema, 9);
    unload(&f);
    lml_error err = {0};
    lml_frame *back = lml_parquet_read(path, NULL, &err);
    cr_assert(back, "%s", err.message);
    assert_frames_equal(fr, back);
    lml_frame_free(back);
    lml_frame_free(fr);
}

/* A vector column against its VectorUDT struct form {type, size, indices, values}. */
static void assert_vector_struct(const lml_column *vec, const lml_column *st) {
    cr_assert_eq(lml_column_type(st), LML_STRUCT);
    const lml_column *type = lml_column_struct_field(st, "type"), *size = lml_column_struct_field(st, "size");
    const lml_column *ind = lml_column_struct_field(st, "indices"), *val = lml_column_struct_field(st, "values");
    cr_assert(type && size && ind && val);
    const lml_column *ie = lml_column_child(ind, 0), *ve = lml_column_child(val, 0);
    const int32_t *io = lml_column_offsets(ind), *vo = lml_column_offsets(val);
    bool sparse = lml_column_vector_is_sparse(vec);
    size_t d = lml_column_vector_size(vec);
    for (size_t i = 0; i < lml_column_length(vec); i++) {
        cr_assert(!lml_column_is_null(st, i));
        cr_assert_eq(lml_column_get_double(type, i), sparse ? 0 : 1, "row %zu", i);
        if (!sparse) {
            cr_assert(lml_column_is_null(size, i) && lml_column_is_null(ind, i));
            cr_assert_eq((size_t)(vo[i + 1] - vo[i]), d);
            for (size_t j = 0; j < d; j++)
                cr_assert_eq(lml_column_get_double(ve, (size_t)vo[i] + j), lml_column_vector_dense(vec)[i * d + j]);
            continue;
        }
        cr_assert_eq(lml_column_get_double(size, i), (double)d);
        const int64_t *ip = lml_column_vector_indptr(vec);
        cr_assert_eq(io[i + 1] - io[i], ip[i + 1] - ip[i], "row %zu", i);
        cr_assert_eq(vo[i + 1] - vo[i], ip[i + 1] - ip[i]);
        for (int64_t k = 0; k < ip[i + 1] - ip[i]; k++) {
            cr_assert_eq(lml_column_get_double(ie, (size_t)(io[i] + k)), lml_column_vector_indices(vec)[ip[i] + k]);
            cr_assert_eq(lml_column_get_double(ve, (size_t)(vo[i] + k)), lml_column_vector_values(vec)[ip[i] + k]);
        }
    }
}

Test(parquet_write, vectors_round_trip) {
    lml_error err = {0};
    enum { N = 300 };
    double *dense = malloc(N * 3 * sizeof *dense);
    for (int i = 0; i < N * 3; i++) dense[i] = i * 0.25 - 7;
    int64_t ip[N + 1];
    int32_t idx[N * 2];
    double vals[N * 2];
    ip[0] = 0;
    for (int i = 0, k = 0; i < N; i++) {
        if (i % 3) idx[k] = i % 7, vals[k++] = i;
        if (i % 2) idx[k] = 7 + i % 5, vals[k++] = -i;
        ip[i + 1] = k;
    }
    lml_column *cols[2] = {lml_column_vector_from_dense(dense, N, 3, &err),
                           lml_column_vector_from_csr(ip, idx, vals, N, 12, &err)};
    free(dense);
    cr_assert(cols[0] && cols[1], "%s", err.message);
    lml_frame *fr = lml_frame_new(2, (const char *[]){"features", "sp"}, cols, &err);
    lml_column_free(cols[0]), lml_column_free(cols[1]);
    const char *path = tmp_path("vecrt.parquet");
    write_ok(fr, path, NULL);
    lml_frame *back = lml_parquet_read(path, NULL, &err);
    cr_assert(back, "%s", err.message);
    if (lml_column_type(lml_frame_column(back, 0)) == LML_VECTOR) assert_frames_equal(fr, back);
    else /* a reader without VectorUDT mapping returns Spark's sqlType struct: check it field by field */
        for (size_t c = 0; c < 2; c++) assert_vector_struct(lml_frame_column(fr, c), lml_frame_column(back, c));
    lml_frame_free(back);
    lml_frame_free(fr);
}

/* ---------------------------------------------------------------- nested columns */

Test(parquet_write, list_column_is_shredded_as_spark_three_level_list) {
    lml_error err = {0};
    /* rows: null, [], [1, null, 2], [4] (spec §5.3) */
    lml_column *elems = lml_column_from_int32s((int32_t[]){1, 0, 2, 4}, (uint8_t[]){0xd}, 4, &err);
    lml_column *list = lml_column_list_new((int32_t[]){0, 0, 0, 3, 4}, (uint8_t[]){0xe}, 4, elems, &err);
    cr_assert(list, "%s", err.message);
    lml_column_free(elems);
    lml_frame *fr = frame1("xs", list);
    const char *path = tmp_path("list.parquet");
    write_ok(fr, path, &plain_uncompressed);
    pqfile f = load(path);
    lml_pq_file_meta *m = &f.meta;
    cr_assert_eq(m->num_schema, 4);
    cr_assert(m->schema[1].converted_type == LML_PQ_CT_LIST && m->schema[1].logical.kind == LML_PQ_LT_LIST);
    cr_assert(m->schema[1].repetition == LML_PQ_OPTIONAL);
    cr_assert_str_eq(m->schema[2].name, "list");
    cr_assert_eq(m->schema[2].repetition, LML_PQ_REPEATED);
    cr_assert_str_eq(m->schema[3].name, "element");
    cr_assert(m->schema[3].repetition == LML_PQ_OPTIONAL && m->schema[3].type == LML_PQ_INT32);
    cr_assert(strstr(m->kv[0].value, "\"type\":{\"type\":\"array\",\"elementType\":\"integer\",\"containsNull\":true}"));
    lml_pq_column_meta *cm = &m->row_groups[0].columns[0].meta;
    cr_assert_eq(cm->path_len, 3);
    cr_assert_str_eq(cm->path_in_schema[2], "element");
    cr_assert_eq(cm->num_values, 6);
    cr_assert_eq(cm->statistics.null_count, 3, "null list, empty list and null element hold no value");
    lml_pq_page_header h;
    size_t next;
    uint8_t *body = page_at(&f, (size_t)cm->data_page_offset, LML_PQ_UNCOMPRESSED, &h, &next);
    uint32_t rep[6], def[6];
    size_t at = levels(body, 1, rep, 6);
    at += levels(body + at, 3, def, 6);
    uint32_t want_r[6] = {0, 0, 0, 1, 1, 0}, want_d[6] = {0, 1, 3, 2, 3, 3};
    for (int i = 0; i < 6; i++) cr_assert(rep[i] == want_r[i] && def[i] == want_d[i], "entry %d: (%u,%u)", i, rep[i], def[i]);
    cr_assert(memcmp(body + at, "\x01\0\0\0\x02\0\0\0\x04\0\0\0", 12) == 0);
    free(body);
    lml_pq_page_header_clear(&h);
    unload(&f);
    lml_frame *back = lml_parquet_read(path, NULL, &err);
    cr_assert(back, "%s", err.message);
    const lml_column *b = lml_frame_column(back, 0);
    cr_assert_eq(lml_column_type(b), LML_LIST);
    cr_assert(lml_column_is_null(b, 0) && !lml_column_is_null(b, 1));
    const int32_t *o = lml_column_offsets(b);
    cr_assert(o[1] - o[0] == 0 && o[2] - o[1] == 0 && o[3] - o[2] == 3 && o[4] - o[3] == 1);
    const lml_column *e = lml_column_child(b, 0);
    cr_assert(lml_column_get(e, (size_t)o[2]).v.i32 == 1 && lml_column_is_null(e, (size_t)o[2] + 1));
    cr_assert(lml_column_get(e, (size_t)o[2] + 2).v.i32 == 2 && lml_column_get(e, (size_t)o[3]).v.i32 == 4);
    lml_frame_free(back);
    lml_frame_free(fr);
}

Test(parquet_write, struct_and_map_columns_round_trip) {
    lml_error err = {0};
    enum { N = 500 };
    /* struct<a: long, t: string> with null rows; map<string, double> with null, empty and null values. */
    int64_t av[N];
    const char *tv[N];
    char tb[N][8];
    uint8_t sv[(N + 7) / 8] = {0}, mv[(N + 7) / 8] = {0};
    for (int i = 0; i < N; i++) {
        av[i] = (int64_t)i * 1000003;
        snprintf(tb[i], 8, "t%d", i % 13);
        tv[i] = i % 4 == 1 ? NULL : tb[i];
        if (i % 5) sv[i / 8] |= (uint8_t)(1u << (i % 8));
        if (i % 7) mv[i / 8] |= (uint8_t)(1u << (i % 8));
    }
    lml_column *a = lml_column_from_int64s(av, NULL, N, &err), *t = lml_column_from_strings(tv, N, &err);
    lml_column *st = lml_column_struct_new(N, 2, (const char *[]){"a", "t"}, (lml_column *[]){a, t}, sv, &err);
    cr_assert(st, "%s", err.message);
    int32_t off[N + 1];
    const char *keys[3 * N];
    double vals[3 * N];
    uint8_t vvalid[(3 * N + 7) / 8] = {0};
    off[0] = 0;
    int k = 0;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < i % 4; j++, k++) {
            keys[k] = tb[(i + j) % N];
            vals[k] = i + j * 0.5;
            if ((i + j) % 3) vvalid[k / 8] |= (uint8_t)(1u << (k % 8));
        }
        off[i + 1] = k;
    }
    lml_column *kc = lml_column_from_strings(keys, (size_t)k, &err), *vc = lml_column_from_doubles(vals, vvalid, (size_t)k, &err);
    lml_column *mp = lml_column_map_new(off, mv, N, kc, vc, &err);
    cr_assert(mp, "%s", err.message);
    lml_column *cols[2] = {st, mp};
    lml_frame *fr = lml_frame_new(2, (const char *[]){"s", "m"}, cols, &err);
    cr_assert(fr, "%s", err.message);
    lml_column_free(a), lml_column_free(t), lml_column_free(st), lml_column_free(kc), lml_column_free(vc), lml_column_free(mp);
    const char *path = tmp_path("nested.parquet");
    write_ok(fr, path, &(lml_parquet_write_options){.page_row_limit = 64});
    pqfile f = load(path);
    cr_assert_eq(f.meta.num_schema, 1 + 3 + 4);
    cr_assert_str_eq(f.meta.schema[5].name, "key_value");
    cr_assert(f.meta.schema[4].converted_type == LML_PQ_CT_MAP && f.meta.schema[4].logical.kind == LML_PQ_LT_MAP);
    cr_assert(f.meta.schema[6].repetition == LML_PQ_REQUIRED && f.meta.schema[7].repetition == LML_PQ_OPTIONAL);
    cr_assert(strstr(f.meta.kv[0].value, "{\"type\":\"map\",\"keyType\":\"string\",\"valueType\":\"double\",\"valueContainsNull\":true}"));
    cr_assert(strstr(f.meta.kv[0].value, "{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":\"long\""));
    cr_assert_eq(f.meta.row_groups[0].num_columns, 4);
    unload(&f);
    lml_frame *back = lml_parquet_read(path, NULL, &err);
    cr_assert(back, "%s", err.message);
    const lml_column *bs = lml_frame_column(back, 0), *bm = lml_frame_column(back, 1);
    cr_assert_eq(lml_column_type(bs), LML_STRUCT);
    cr_assert_eq(lml_column_type(bm), LML_MAP);
    const lml_column *ba = lml_column_struct_field(bs, "a"), *bt = lml_column_struct_field(bs, "t");
    const lml_column *bk = lml_column_map_keys(bm), *bv = lml_column_map_values(bm);
    const int32_t *bo = lml_column_offsets(bm);
    for (int i = 0; i < N; i++) {
        cr_assert_eq(lml_column_is_null(bs, (size_t)i), i % 5 == 0, "struct row %d", i);
        if (i % 5) {
            cr_assert_eq(lml_column_get(ba, (size_t)i).v.i64, av[i]);
            cr_assert_eq(lml_column_is_null(bt, (size_t)i), tv[i] == NULL);
            if (tv[i]) cr_assert(strncmp(lml_column_get(bt, (size_t)i).v.str.ptr, tv[i], strlen(tv[i])) == 0);
        }
        cr_assert_eq(lml_column_is_null(bm, (size_t)i), i % 7 == 0, "map row %d", i);
        if (i % 7 == 0) continue;
        cr_assert_eq(bo[i + 1] - bo[i], off[i + 1] - off[i], "map row %d", i);
        for (int j = 0; j < off[i + 1] - off[i]; j++) {
            size_t x = (size_t)(bo[i] + j), y = (size_t)(off[i] + j);
            lml_value kv = lml_column_get(bk, x);
            cr_assert(kv.v.str.len == strlen(keys[y]) && memcmp(kv.v.str.ptr, keys[y], kv.v.str.len) == 0);
            bool null = !((vvalid[y / 8] >> (y % 8)) & 1);
            cr_assert_eq(lml_column_is_null(bv, x), null, "map row %d entry %d", i, j);
            if (!null) cr_assert_eq(lml_column_get(bv, x).v.f64, vals[y]);
        }
    }
    lml_frame_free(back);
    lml_frame_free(fr);
}

Test(parquet_write, unwritable_nested_shapes_fail_before_any_file) {
    lml_error err = {0};
    lml_column *empty = lml_column_struct_new(2, 0, NULL, NULL, NULL, &err);
    cr_assert(empty, "%s", err.message);
    lml_frame *fr = frame1("e", empty);
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s", lml_test_temp_dir());
    snprintf(path, sizeof path, "%s/e.parquet", dir);
    cr_assert(!lml_parquet_write(fr, path, NULL, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
    cr_assert(strstr(err.message, "'e'"), "%s", err.message);
    cr_assert_eq(dir_entries(dir), 0);
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
    const char *path = tmp_path("narrow.parquet");
    write_ok(fr, path, &plain_uncompressed);
    pqfile f = load(path);
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
    uint8_t *body = page_at(&f, (size_t)cm[6].meta.data_page_offset, LML_PQ_UNCOMPRESSED, &h, &next);
    uint32_t def[4];
    size_t at = levels(body, 1, def, 4);
    cr_assert(def[0] == 1 && def[1] == 1 && def[2] == 0 && def[3] == 1);
    cr_assert_eq((size_t)h.uncompressed_page_size, at + 39);
    static const uint8_t want[39] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0,
                                     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    cr_assert(memcmp(body + at, want, 39) == 0);
    free(body);
    lml_pq_page_header_clear(&h);
    /* The int8 page widens to INT32. */
    body = page_at(&f, (size_t)cm[1].meta.data_page_offset, LML_PQ_UNCOMPRESSED, &h, &next);
    at = levels(body, 1, def, 4);
    cr_assert(memcmp(body + at, "\x80\xff\xff\xff\x7f\0\0\0\x05\0\0\0", 12) == 0);
    free(body);
    lml_pq_page_header_clear(&h);
    unload(&f);

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

/* The Parquet read API: footer facts, field mapping, projection, row-group selection, statistics
 * pruning, streaming by row group, and clean errors for missing, foreign, truncated and corrupt
 * files (../shared/conformance/parquet, apache/parquet-testing). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/frame.h"
#include "lakeml/parquet.h"
#include "support.h"

#define DIR "conformance/parquet/"

static uint8_t *slurp(const char *path, size_t *len) {
    FILE *fp = fopen(path, "rb");
    cr_assert(fp, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, fp);
    fclose(fp);
    return buf;
}

static const char *write_bytes(const char *name, const uint8_t *p, size_t n) {
    static char path[4][1024];
    static int slot;
    char *out = path[slot++ & 3];
    snprintf(out, 1024, "%s/%s", lml_test_temp_dir(), name);
    FILE *fp = fopen(out, "wb");
    cr_assert(fp);
    fwrite(p, 1, n, fp);
    fclose(fp);
    return out;
}

Test(parquet_read, open_reports_footer_facts_and_spark_field_types) {
    LML_REQUIRE_SHARED(path, DIR "alltypes_plain.parquet");
    lml_error err = {0};
    lml_parquet_file *f = lml_parquet_open(path, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_parquet_num_rows(f), 8);
    cr_assert_eq(lml_parquet_num_row_groups(f), 1);
    cr_assert_eq(lml_parquet_row_group_num_rows(f, 0), 8);
    cr_assert_eq(lml_parquet_row_group_num_rows(f, 1), -1);
    cr_assert_str_eq(lml_parquet_created_by(f), "impala version 1.3.0-INTERNAL (build 8a48ddb1eff84592b3fc06bc6f51ec120e1fffc9)");
    cr_assert_eq(lml_parquet_num_fields(f), 11);
    static const struct { const char *name; lml_type type; } want[] = {
        {"id", LML_INT32}, {"bool_col", LML_BOOL}, {"tinyint_col", LML_INT32}, {"smallint_col", LML_INT32},
        {"int_col", LML_INT32}, {"bigint_col", LML_INT64}, {"float_col", LML_FLOAT}, {"double_col", LML_DOUBLE},
        {"date_string_col", LML_BINARY}, {"string_col", LML_BINARY}, {"timestamp_col", LML_TIMESTAMP}};
    for (size_t i = 0; i < 11; i++) {
        const lml_parquet_field *fd = lml_parquet_field_at(f, i);
        cr_assert_str_eq(fd->name, want[i].name);
        cr_assert_eq(fd->type, want[i].type, "%s", fd->name);
        cr_assert(fd->nullable && fd->supported);
    }
    cr_assert_null(lml_parquet_field_at(f, 11));
    lml_parquet_close(f);
    lml_parquet_close(NULL);
}

Test(parquet_read, key_value_metadata_and_nested_field_types) {
    LML_REQUIRE_SHARED(path, DIR "int96_from_spark.parquet");
    lml_error err = {0};
    lml_parquet_file *f = lml_parquet_open(path, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_parquet_num_metadata(f), 2);
    cr_assert_str_eq(lml_parquet_metadata_get(f, "org.apache.spark.version"), "3.4.3");
    const char *k, *v;
    cr_assert(lml_parquet_metadata_at(f, 1, &k, &v));
    cr_assert_str_eq(k, "org.apache.spark.sql.parquet.row.metadata");
    cr_assert(strstr(v, "\"type\":\"timestamp\""));
    cr_assert_not(lml_parquet_metadata_at(f, 2, &k, &v));
    cr_assert_null(lml_parquet_metadata_get(f, "absent"));
    lml_parquet_close(f);

    const char *nm = lml_test_shared_path(DIR "nested_maps.snappy.parquet");
    f = lml_parquet_open(nm, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_parquet_field_at(f, 0)->type, LML_MAP);
    cr_assert_eq(lml_parquet_field_at(f, 1)->type, LML_INT32);
    lml_parquet_close(f);
    f = lml_parquet_open(lml_test_shared_path(DIR "list_columns.parquet"), &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_parquet_field_at(f, 0)->type, LML_LIST);
    lml_parquet_close(f);
}

/* The footer's file-level num_rows is 0 in repeated_no_annotation.parquet; the row group and
 * the levels say 6. */
Test(parquet_read, row_count_comes_from_row_groups_not_the_file_total) {
    LML_REQUIRE_SHARED(path, DIR "repeated_no_annotation.parquet");
    lml_error err = {0};
    lml_parquet_file *f = lml_parquet_open(path, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_parquet_num_rows(f), 6);
    lml_frame *fr = lml_parquet_file_read(f, NULL, &err);
    cr_assert(fr, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(fr), 6);
    cr_assert_eq(lml_column_int32s(lml_frame_column(fr, 0))[5], 6);
    lml_frame_free(fr);
    lml_parquet_close(f);
}

Test(parquet_read, projection_keeps_the_asked_order_and_matches_names_case_insensitively) {
    LML_REQUIRE_SHARED(path, DIR "alltypes_plain.parquet");
    lml_error err = {0};
    lml_parquet_read_options o = {.columns = (const char *[]){"double_col", "ID", NULL}};
    lml_frame *f = lml_parquet_read(path, &o, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_cols(f), 2);
    cr_assert_str_eq(lml_frame_column_name(f, 0), "double_col");
    cr_assert_str_eq(lml_frame_column_name(f, 1), "id");
    static const int32_t ids[8] = {4, 5, 6, 7, 2, 3, 0, 1};
    const int32_t *id = lml_column_int32s(lml_frame_column(f, 1));
    const double *d = lml_column_doubles(lml_frame_column(f, 0));
    for (size_t i = 0; i < 8; i++) {
        cr_assert_eq(id[i], ids[i]);
        cr_assert_float_eq(d[i], (ids[i] % 2) * 10.1, 1e-12, "row %zu", i);
    }
    lml_frame_free(f);

    o.columns = (const char *[]){"timestamp_col", NULL};
    f = lml_parquet_read(path, &o, &err);
    cr_assert(f, "%s", err.message);
    /* row 0: 2009-03-01 00:00:00 UTC (an INT96 from Impala) */
    cr_assert_eq(lml_column_int64s(lml_frame_column(f, 0))[0], 1235865600000000LL);
    lml_frame_free(f);

    o.columns = (const char *[]){NULL};
    f = lml_parquet_read(path, &o, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_cols(f), 0);
    lml_frame_free(f);
}

Test(parquet_read, unknown_column_is_enotfound_naming_it) {
    LML_REQUIRE_SHARED(path, DIR "alltypes_plain.parquet");
    lml_error err = {0};
    lml_parquet_read_options o = {.columns = (const char *[]){"id", "nope", NULL}};
    cr_assert_null(lml_parquet_read(path, &o, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    cr_assert(strstr(err.message, "'nope'"), "%s", err.message);
}

/* sort_columns.parquet: two row groups, each (a, b) = (null, "a"), (2, "b"), (1, "c"). */
Test(parquet_read, row_group_selection_and_streaming) {
    LML_REQUIRE_SHARED(path, DIR "sort_columns.parquet");
    lml_error err = {0};
    lml_parquet_file *f = lml_parquet_open(path, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_parquet_num_row_groups(f), 2);
    lml_frame *fr = lml_parquet_file_read(f, &(lml_parquet_read_options){.row_groups = (size_t[]){1}, .num_row_groups = 1}, &err);
    cr_assert(fr, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(fr), 3);
    lml_frame_free(fr);
    fr = lml_parquet_file_read(f, &(lml_parquet_read_options){.row_groups = (size_t[]){1, 0, 1}, .num_row_groups = 3}, &err);
    cr_assert(fr, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(fr), 9);
    lml_frame_free(fr);
    fr = lml_parquet_file_read(f, &(lml_parquet_read_options){.row_groups = (size_t[]){0}, .num_row_groups = 0}, &err);
    cr_assert(fr, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(fr), 0);
    cr_assert_eq(lml_frame_num_cols(fr), 2);
    lml_frame_free(fr);

    cr_assert_null(lml_parquet_file_read(f, &(lml_parquet_read_options){.row_groups = (size_t[]){2}, .num_row_groups = 1}, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "row group 2"), "%s", err.message);

    fr = lml_parquet_read_row_group(f, 1, (const char *[]){"b", NULL}, &err);
    cr_assert(fr, "%s", err.message);
    cr_assert_eq(lml_frame_num_cols(fr), 1);
    size_t n;
    const char *s = lml_column_string_at(lml_frame_column(fr, 0), 2, &n);
    cr_assert(n == 1 && s[0] == 'c');
    lml_frame_free(fr);
    fr = lml_parquet_read_row_group(f, 0, NULL, &err);
    cr_assert(fr, "%s", err.message);
    const lml_column *a = lml_frame_column(fr, 0);
    cr_assert(lml_column_is_null(a, 0));
    cr_assert_eq(lml_column_int64s(a)[1], 2);
    cr_assert_eq(lml_column_int64s(a)[2], 1);
    lml_frame_free(fr);
    lml_parquet_close(f);
}

static size_t rows_with(const char *path, lml_parquet_predicate p) {
    lml_error err = {0};
    lml_frame *f = lml_parquet_read(path, &(lml_parquet_read_options){.predicate = &p}, &err);
    cr_assert(f, "%s", err.message);
    size_t n = lml_frame_num_rows(f);
    lml_frame_free(f);
    return n;
}

/* Both row groups of sort_columns have a in [1, 2] with one null, b in ["a", "c"]. */
Test(parquet_read, statistics_prune_row_groups_that_cannot_match) {
    LML_REQUIRE_SHARED(path, DIR "sort_columns.parquet");
    lml_value i5 = {.type = LML_INT64, .v.i64 = 5}, i2 = {.type = LML_INT64, .v.i64 = 2}, i1 = {.type = LML_INT32, .v.i32 = 1};
    cr_assert_eq(rows_with(path, (lml_parquet_predicate){"a", LML_PQ_OP_GT, i5}), 0);
    cr_assert_eq(rows_with(path, (lml_parquet_predicate){"a", LML_PQ_OP_EQ, i2}), 6);
    cr_assert_eq(rows_with(path, (lml_parquet_predicate){"a", LML_PQ_OP_GT, i2}), 0);
    cr_assert_eq(rows_with(path, (lml_parquet_predicate){"a", LML_PQ_OP_GE, i2}), 6);
    cr_assert_eq(rows_with(path, (lml_parquet_predicate){"a", LML_PQ_OP_LT, i1}), 0);
    cr_assert_eq(rows_with(path, (lml_parquet_predicate){"a", LML_PQ_OP_LE, i1}), 6);
    cr_assert_eq(rows_with(path, (lml_parquet_predicate){"a", LML_PQ_OP_IS_NULL, {0}}), 6);
    cr_assert_eq(rows_with(path, (lml_parquet_predicate){"a", LML_PQ_OP_IS_NOT_NULL, {0}}), 6);
    lml_value z = {.type = LML_STRING, .v.str = {"z", 1}}, b = {.type = LML_STRING, .v.str = {"b", 1}};
    cr_assert_eq(rows_with(path, (lml_parquet_predicate){"b", LML_PQ_OP_EQ, z}), 0);
    cr_assert_eq(rows_with(path, (lml_parquet_predicate){"B", LML_PQ_OP_EQ, b}), 6);
    cr_assert_eq(rows_with(path, (lml_parquet_predicate){"b", LML_PQ_OP_IS_NULL, {0}}), 0);

    lml_error err = {0};
    lml_parquet_predicate bad = {"b", LML_PQ_OP_EQ, i2};
    cr_assert_null(lml_parquet_read(path, &(lml_parquet_read_options){.predicate = &bad}, &err));
    cr_assert_eq(err.code, LML_ETYPE);
    bad.column = "zz";
    cr_assert_null(lml_parquet_read(path, &(lml_parquet_read_options){.predicate = &bad}, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
}

/* nan_in_stats.parquet holds 1.0 and NaN with max = NaN: the bound is not trusted, and as NaN
 * sorts above everything in Spark the row group must stay for x > 5. */
Test(parquet_read, nan_statistics_never_prune) {
    LML_REQUIRE_SHARED(path, DIR "nan_in_stats.parquet");
    lml_value five = {.type = LML_DOUBLE, .v.f64 = 5.0};
    cr_assert_eq(rows_with(path, (lml_parquet_predicate){"x", LML_PQ_OP_GT, five}), 2);
    cr_assert_eq(rows_with(path, (lml_parquet_predicate){"x", LML_PQ_OP_LT, (lml_value){.type = LML_DOUBLE, .v.f64 = 0.5}}), 0);
}

/* ---- errors */

Test(parquet_read, missing_file_is_eio_naming_it) {
    lml_error err = {0};
    cr_assert_null(lml_parquet_open("/nonexistent/dir/file.parquet", &err));
    cr_assert_eq(err.code, LML_EIO);
    cr_assert(strstr(err.message, "/nonexistent/dir/file.parquet"), "%s", err.message);
    cr_assert_null(lml_parquet_read("/nonexistent/x.parquet", NULL, &err));
    cr_assert_eq(err.code, LML_EIO);
}

Test(parquet_read, foreign_and_short_files_are_eformat) {
    lml_error err = {0};
    const char *txt = lml_test_write_temp("not.parquet", "id,name\n1,a\n2,b\n3,c\n");
    cr_assert_null(lml_parquet_open(txt, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "not a Parquet file"), "%s", err.message);
    const char *tiny = write_bytes("tiny.parquet", (const uint8_t *)"PAR1PAR1", 8);
    cr_assert_null(lml_parquet_open(tiny, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    const char *empty = write_bytes("empty.parquet", (const uint8_t *)"", 0);
    cr_assert_null(lml_parquet_open(empty, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert_null(lml_parquet_open(lml_test_temp_dir(), &err));
    cr_assert_eq(err.code, LML_EIO);
}

Test(parquet_read, truncated_and_damaged_files_fail_cleanly) {
    LML_REQUIRE_SHARED(path, DIR "alltypes_plain.parquet");
    size_t n;
    uint8_t *buf = slurp(path, &n);
    lml_error err = {0};
    /* cut in the middle: the trailing magic is gone */
    cr_assert_null(lml_parquet_open(write_bytes("cut.parquet", buf, n / 2), &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    /* footer length larger than the file */
    uint8_t *b2 = malloc(n);
    memcpy(b2, buf, n);
    b2[n - 5] = 0x7f;
    cr_assert_null(lml_parquet_open(write_bytes("len.parquet", b2, n), &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "footer length"), "%s", err.message);
    /* data pages cut away but the footer kept: the chunks point past the data area */
    size_t flen = (size_t)buf[n - 8] | (size_t)buf[n - 7] << 8;
    size_t keep = 4, tail = flen + 8;
    uint8_t *b3 = malloc(keep + tail);
    memcpy(b3, buf, keep);
    memcpy(b3 + keep, buf + n - tail, tail);
    lml_parquet_file *f = lml_parquet_open(write_bytes("nodata.parquet", b3, keep + tail), &err);
    cr_assert(f, "%s", err.message);
    cr_assert_null(lml_parquet_file_read(f, NULL, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "column 'id', row group 0"), "%s", err.message);
    lml_parquet_close(f);
    /* every byte of the data area flipped in turn must give a frame or a clean error */
    for (size_t i = 4; i < n - 8 - flen; i += 7) {
        memcpy(b2, buf, n);
        b2[i] ^= 0x5a;
        lml_frame *fr = lml_parquet_read(write_bytes("flip.parquet", b2, n), NULL, &err);
        if (fr) lml_frame_free(fr);
        else cr_assert(err.code == LML_EFORMAT || err.code == LML_EUNSUPPORTED || err.code == LML_ERANGE,
                       "byte %zu: %d %s", i, err.code, err.message);
    }
    free(b3);
    free(b2);
    free(buf);
}

/* ---- bad_data/ (apache/parquet-testing robustness inputs) */

static void expect_error(const char *file, lml_errcode code, const char *fragment) {
    char rel[256];
    snprintf(rel, sizeof rel, DIR "bad_data/%s", file);
    LML_REQUIRE_SHARED(path, rel);
    lml_error err = {0};
    cr_assert_null(lml_parquet_read(path, NULL, &err), "%s should fail", file);
    cr_assert_eq(err.code, code, "%s: %d %s", file, err.code, err.message);
    cr_assert(strstr(err.message, fragment), "%s: %s", file, err.message);
}

Test(parquet_read, bad_data_files_give_clean_errors) {
    expect_error("PARQUET-1481.parquet", LML_EFORMAT, "no valid physical type");
    expect_error("ARROW-RS-GH-6229-DICTHEADER.parquet", LML_EFORMAT, "column 'nation_key', row group 0");
    expect_error("ARROW-RS-GH-6229-LEVELS.parquet", LML_EFORMAT, "column 'outer.list.item.c'");
    expect_error("ARROW-GH-45185.parquet", LML_EFORMAT, "first repetition level is 1");
    expect_error("ARROW-GH-47662.parquet", LML_EFORMAT, "column 'flba_field'");
}

/* A dictionary-index page of bit width 0 (Polars): every index is 0, as DuckDB and hyparquet read. */
Test(parquet_read, bad_data_zero_width_dictionary_indexes_read_best_effort) {
    LML_REQUIRE_SHARED(path, DIR "bad_data/ARROW-GH-43605.parquet");
    lml_error err = {0};
    lml_frame *f = lml_parquet_read(path, NULL, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(f), 21186);
    const lml_column *c = lml_frame_column(f, 0);
    size_t nonzero = 0;
    for (size_t i = 0; i < 21186; i++) nonzero += !lml_column_is_null(c, i) && lml_column_int32s(c)[i] != 0;
    cr_assert_eq(nonzero, 0);
    lml_frame_free(f);
}

/* ---- hand-built files: one leaf column, pages given as (header, body) byte by byte */

#include "../../src/io/parquet/codec.h"
#include "../../src/io/parquet/meta.h"

typedef struct page { lml_pq_page_header h; const uint8_t *body; size_t len; } page;

/* Writes "PAR1", the pages, and a footer with schema root + `leaf` and one row group whose chunk
 * starts at the first page (data_page_offset, no dictionary_page_offset: the parquet-mr 1.8
 * quirk of spec §1.1 when the first page is a dictionary page). */
static const char *build_file(const char *name, lml_pq_schema_element leaf, int codec, const page *pages, size_t np,
                              int64_t num_values, int64_t num_rows) {
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    lml_error err = {0};
    uint8_t magic[4] = {'P', 'A', 'R', '1'};
    buf = malloc(4);
    memcpy(buf, magic, 4);
    len = cap = 4;
    for (size_t i = 0; i < np; i++) {
        cr_assert(lml_pq_page_header_encode(&pages[i].h, &buf, &len, &cap, &err), "%s", err.message);
        if (len + pages[i].len > cap) {
            cap = len + pages[i].len;
            buf = realloc(buf, cap);
        }
        memcpy(buf + len, pages[i].body, pages[i].len);
        len += pages[i].len;
    }
    lml_pq_schema_element schema[2] = {{.name = "schema", .has_num_children = true, .num_children = 1}, leaf};
    int32_t encs[2] = {LML_PQ_PLAIN, LML_PQ_RLE};
    char *path[1] = {leaf.name};
    lml_pq_column_chunk cc = {.file_offset = 4, .has_meta_data = true,
                              .meta = {.type = leaf.type, .num_encodings = 2, .encodings = encs, .path_len = 1,
                                       .path_in_schema = path, .codec = codec, .num_values = num_values,
                                       .total_uncompressed_size = (int64_t)len - 4,
                                       .total_compressed_size = (int64_t)len - 4, .data_page_offset = 4}};
    lml_pq_row_group rg = {.num_columns = 1, .columns = &cc, .total_byte_size = (int64_t)len - 4, .num_rows = num_rows};
    lml_pq_file_meta m = {.version = 1, .num_schema = 2, .schema = schema, .num_rows = num_rows, .num_row_groups = 1,
                          .row_groups = &rg};
    size_t start = len;
    cr_assert(lml_pq_file_meta_encode(&m, &buf, &len, &cap, &err), "%s", err.message);
    uint32_t flen = (uint32_t)(len - start);
    buf = realloc(buf, len + 8);
    for (int i = 0; i < 4; i++) buf[len + (size_t)i] = (uint8_t)(flen >> (8 * i));
    memcpy(buf + len + 4, magic, 4);
    const char *out = write_bytes(name, buf, len + 8);
    free(buf);
    return out;
}

static const lml_pq_schema_element opt_int32 = {.name = "x", .has_type = true, .type = LML_PQ_INT32,
                                                .has_repetition = true, .repetition = LML_PQ_OPTIONAL};

static void expect_x(const char *path, const int32_t *want, const bool *present, size_t n) {
    lml_error err = {0};
    lml_frame *f = lml_parquet_read(path, NULL, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(f), n);
    const lml_column *c = lml_frame_column(f, 0);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(!lml_column_is_null(c, i), present[i], "row %zu", i);
        if (present[i]) cr_assert_eq(lml_column_int32s(c)[i], want[i], "row %zu", i);
    }
    lml_frame_free(f);
}

static const int32_t X[5] = {7, 0, 9, 0, 11};
static const bool XP[5] = {true, false, true, false, true};
/* PLAIN int32 7, 9, 11 */
#define XVALS 7, 0, 0, 0, 9, 0, 0, 0, 11, 0, 0, 0

/* Deprecated BIT_PACKED definition levels (MSB first, no length prefix): 1 0 1 0 1 → 0xA8. */
Test(parquet_read, v1_page_with_bit_packed_levels) {
    static const uint8_t body[] = {0xA8, XVALS};
    page p = {.h = {.type = LML_PQ_DATA_PAGE, .uncompressed_page_size = sizeof body, .compressed_page_size = sizeof body,
                    .has_data_page = true, .dp_num_values = 5, .dp_encoding = LML_PQ_PLAIN,
                    .dp_def_encoding = LML_PQ_BIT_PACKED, .dp_rep_encoding = LML_PQ_BIT_PACKED},
              .body = body, .len = sizeof body};
    expect_x(build_file("bp.parquet", opt_int32, LML_PQ_UNCOMPRESSED, &p, 1, 5, 5), X, XP, 5);
}

/* RLE levels with the v1 4-byte prefix: one bit-packed group 1 0 1 0 1 → 03 15, and a CRC that
 * must match the stored body. */
Test(parquet_read, v1_page_with_rle_levels_and_checksum) {
    static const uint8_t body[] = {2, 0, 0, 0, 0x03, 0x15, XVALS};
    page p = {.h = {.type = LML_PQ_DATA_PAGE, .uncompressed_page_size = sizeof body, .compressed_page_size = sizeof body,
                    .has_crc = true, .crc = lml_pq_crc32(body, sizeof body), .has_data_page = true, .dp_num_values = 5,
                    .dp_encoding = LML_PQ_PLAIN, .dp_def_encoding = LML_PQ_RLE, .dp_rep_encoding = LML_PQ_BIT_PACKED},
              .body = body, .len = sizeof body};
    expect_x(build_file("crc.parquet", opt_int32, LML_PQ_UNCOMPRESSED, &p, 1, 5, 5), X, XP, 5);
    p.h.crc ^= 1;
    lml_error err = {0};
    const char *bad = build_file("badcrc.parquet", opt_int32, LML_PQ_UNCOMPRESSED, &p, 1, 5, 5);
    cr_assert_null(lml_parquet_read(bad, NULL, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "column 'x', row group 0, page 0 at offset 4: page CRC mismatch"), "%s", err.message);
    lml_frame *f = lml_parquet_read(bad, &(lml_parquet_read_options){.skip_checksums = true}, &err);
    cr_assert(f, "%s", err.message);
    lml_frame_free(f);
}

/* v2: levels raw at the start (no prefix), values not compressed although the chunk codec is
 * SNAPPY (is_compressed = false): the codec must not see them. */
Test(parquet_read, v2_page_uncompressed_values_in_a_snappy_chunk) {
    static const uint8_t body[] = {0x03, 0x15, XVALS};
    page p = {.h = {.type = LML_PQ_DATA_PAGE_V2, .uncompressed_page_size = sizeof body,
                    .compressed_page_size = sizeof body, .has_data_page_v2 = true, .v2_num_values = 5,
                    .v2_num_nulls = 2, .v2_num_rows = 5, .v2_encoding = LML_PQ_PLAIN, .v2_def_length = 2,
                    .v2_rep_length = 0, .v2_is_compressed = false},
              .body = body, .len = sizeof body};
    expect_x(build_file("v2.parquet", opt_int32, LML_PQ_SNAPPY, &p, 1, 5, 5), X, XP, 5);
}

/* Dictionary ["a", "b"] then indices 0 1 1 0 (bit width 1, one bit-packed group: 01 | 03 06),
 * the chunk starting at the dictionary page through data_page_offset. */
Test(parquet_read, dictionary_page_found_through_data_page_offset) {
    static const uint8_t dict[] = {1, 0, 0, 0, 'a', 1, 0, 0, 0, 'b'};
    static const uint8_t data[] = {0x01, 0x03, 0x06};
    page p[2] = {{.h = {.type = LML_PQ_DICTIONARY_PAGE, .uncompressed_page_size = sizeof dict,
                        .compressed_page_size = sizeof dict, .has_dictionary_page = true, .dict_num_values = 2,
                        .dict_encoding = LML_PQ_PLAIN_DICTIONARY},
                  .body = dict, .len = sizeof dict},
                 {.h = {.type = LML_PQ_DATA_PAGE, .uncompressed_page_size = sizeof data,
                        .compressed_page_size = sizeof data, .has_data_page = true, .dp_num_values = 4,
                        .dp_encoding = LML_PQ_PLAIN_DICTIONARY, .dp_def_encoding = LML_PQ_RLE,
                        .dp_rep_encoding = LML_PQ_RLE},
                  .body = data, .len = sizeof data}};
    lml_pq_schema_element s = {.name = "s", .has_type = true, .type = LML_PQ_BYTE_ARRAY, .has_repetition = true,
                               .repetition = LML_PQ_REQUIRED, .has_converted_type = true,
                               .converted_type = LML_PQ_CT_UTF8};
    lml_error err = {0};
    lml_frame *f = lml_parquet_read(build_file("dict.parquet", s, LML_PQ_UNCOMPRESSED, p, 2, 4, 4), NULL, &err);
    cr_assert(f, "%s", err.message);
    const lml_column *c = lml_frame_column(f, 0);
    cr_assert_eq(lml_column_type(c), LML_STRING);
    cr_assert_eq(lml_column_null_count(c), 0);
    const char *want = "abba";
    for (size_t i = 0; i < 4; i++) {
        size_t n;
        const char *v = lml_column_string_at(c, i, &n);
        cr_assert(n == 1 && v[0] == want[i], "row %zu", i);
    }
    lml_frame_free(f);
    /* an index outside the dictionary */
    static const uint8_t bad[] = {0x02, 0x03, 0x09};
    p[1].body = bad;
    cr_assert_null(lml_parquet_read(build_file("dict2.parquet", s, LML_PQ_UNCOMPRESSED, p, 2, 4, 4), NULL, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "dictionary index 2 out of range"), "%s", err.message);
}

/* A row group that claims more rows than its levels hold, and a page with more values than the
 * chunk announces, are both format errors. */
Test(parquet_read, counts_are_cross_checked) {
    static const uint8_t body[] = {0xA8, XVALS};
    page p = {.h = {.type = LML_PQ_DATA_PAGE, .uncompressed_page_size = sizeof body, .compressed_page_size = sizeof body,
                    .has_data_page = true, .dp_num_values = 5, .dp_encoding = LML_PQ_PLAIN,
                    .dp_def_encoding = LML_PQ_BIT_PACKED, .dp_rep_encoding = LML_PQ_BIT_PACKED},
              .body = body, .len = sizeof body};
    lml_error err = {0};
    cr_assert_null(lml_parquet_read(build_file("rows.parquet", opt_int32, LML_PQ_UNCOMPRESSED, &p, 1, 5, 6), NULL, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "5 rows decoded, footer says 6"), "%s", err.message);
    cr_assert_null(lml_parquet_read(build_file("vals.parquet", opt_int32, LML_PQ_UNCOMPRESSED, &p, 1, 4, 4), NULL, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "exceeds the chunk's 4"), "%s", err.message);
}

/* Spark's annotations on INT32/INT64: INT(8) → byte, UINT(64) → decimal(20,0),
 * TIMESTAMP(not UTC, MILLIS) → timestamp_ntz µs, and an INT(8) value of 300 is out of range. */
Test(parquet_read, integer_and_timestamp_annotations) {
    static const uint8_t i8[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0}; /* -1, 127 */
    page p = {.h = {.type = LML_PQ_DATA_PAGE, .uncompressed_page_size = sizeof i8, .compressed_page_size = sizeof i8,
                    .has_data_page = true, .dp_num_values = 2, .dp_encoding = LML_PQ_PLAIN,
                    .dp_def_encoding = LML_PQ_RLE, .dp_rep_encoding = LML_PQ_RLE},
              .body = i8, .len = sizeof i8};
    lml_pq_schema_element s = {.name = "b", .has_type = true, .type = LML_PQ_INT32, .has_repetition = true,
                               .repetition = LML_PQ_REQUIRED, .logical = {.kind = LML_PQ_LT_INTEGER, .bit_width = 8,
                                                                          .is_signed = true}};
    lml_error err = {0};
    lml_frame *f = lml_parquet_read(build_file("i8.parquet", s, LML_PQ_UNCOMPRESSED, &p, 1, 2, 2), NULL, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_column_type(lml_frame_column(f, 0)), LML_INT8);
    cr_assert_eq(lml_column_int8s(lml_frame_column(f, 0))[0], -1);
    cr_assert_eq(lml_column_int8s(lml_frame_column(f, 0))[1], 127);
    lml_frame_free(f);
    static const uint8_t big[] = {0x2C, 0x01, 0, 0, 0, 0, 0, 0}; /* 300 */
    p.body = big;
    cr_assert_null(lml_parquet_read(build_file("i8bad.parquet", s, LML_PQ_UNCOMPRESSED, &p, 1, 2, 2), NULL, &err));
    cr_assert_eq(err.code, LML_ERANGE);
    cr_assert(strstr(err.message, "value 300"), "%s", err.message);

    static const uint8_t u64[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 5, 0, 0, 0, 0, 0, 0, 0};
    p.h.uncompressed_page_size = p.h.compressed_page_size = sizeof u64;
    p.body = u64;
    p.len = sizeof u64;
    s.type = LML_PQ_INT64;
    s.logical = (lml_pq_logical_type){.kind = LML_PQ_LT_INTEGER, .bit_width = 64, .is_signed = false};
    f = lml_parquet_read(build_file("u64.parquet", s, LML_PQ_UNCOMPRESSED, &p, 1, 2, 2), NULL, &err);
    cr_assert(f, "%s", err.message);
    const lml_column *c = lml_frame_column(f, 0);
    cr_assert_eq(lml_column_type(c), LML_DECIMAL);
    cr_assert_eq(lml_column_decimal_precision(c), 20);
    char txt[64];
    lml_format_value(c, 0, txt, sizeof txt);
    cr_assert_str_eq(txt, "18446744073709551615");
    lml_frame_free(f);

    s.logical = (lml_pq_logical_type){.kind = LML_PQ_LT_TIMESTAMP, .adjusted_to_utc = false, .unit = LML_PQ_MILLIS};
    f = lml_parquet_read(build_file("ntz.parquet", s, LML_PQ_UNCOMPRESSED, &p, 1, 2, 2), NULL, &err);
    cr_assert(f, "%s", err.message);
    c = lml_frame_column(f, 0);
    cr_assert_eq(lml_column_type(c), LML_TIMESTAMP_NTZ);
    cr_assert_eq(lml_column_int64s(c)[0], -1000); /* -1 ms */
    cr_assert_eq(lml_column_int64s(c)[1], 5000);
    lml_frame_free(f);
}

/* UUID (FLBA 16) reads as its text form; INTERVAL is refused naming the column and feature,
 * while the file still opens and describes it. */
Test(parquet_read, uuid_text_and_interval_refused) {
    static const uint8_t u[16] = {0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00};
    page p = {.h = {.type = LML_PQ_DATA_PAGE, .uncompressed_page_size = 16, .compressed_page_size = 16,
                    .has_data_page = true, .dp_num_values = 1, .dp_encoding = LML_PQ_PLAIN,
                    .dp_def_encoding = LML_PQ_RLE, .dp_rep_encoding = LML_PQ_RLE},
              .body = u, .len = 16};
    lml_pq_schema_element s = {.name = "id", .has_type = true, .type = LML_PQ_FIXED_LEN_BYTE_ARRAY,
                               .has_type_length = true, .type_length = 16, .has_repetition = true,
                               .repetition = LML_PQ_REQUIRED, .logical = {.kind = LML_PQ_LT_UUID}};
    lml_error err = {0};
    lml_frame *f = lml_parquet_read(build_file("uuid.parquet", s, LML_PQ_UNCOMPRESSED, &p, 1, 1, 1), NULL, &err);
    cr_assert(f, "%s", err.message);
    size_t n;
    const char *t = lml_column_string_at(lml_frame_column(f, 0), 0, &n);
    cr_assert_eq(n, 36);
    cr_assert(memcmp(t, "123e4567-e89b-12d3-a456-426614174000", 36) == 0, "%.36s", t);
    lml_frame_free(f);

    static const uint8_t iv[12] = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0};
    p.body = iv;
    p.len = 12;
    p.h.uncompressed_page_size = p.h.compressed_page_size = 12;
    s = (lml_pq_schema_element){.name = "span", .has_type = true, .type = LML_PQ_FIXED_LEN_BYTE_ARRAY,
                                .has_type_length = true, .type_length = 12, .has_repetition = true,
                                .repetition = LML_PQ_REQUIRED, .has_converted_type = true,
                                .converted_type = LML_PQ_CT_INTERVAL};
    const char *path = build_file("interval.parquet", s, LML_PQ_UNCOMPRESSED, &p, 1, 1, 1);
    lml_parquet_file *pf = lml_parquet_open(path, &err);
    cr_assert(pf, "%s", err.message);
    const lml_parquet_field *fd = lml_parquet_field_at(pf, 0);
    cr_assert_not(fd->supported);
    cr_assert_str_eq(fd->unsupported_reason, "INTERVAL type");
    cr_assert_null(lml_parquet_file_read(pf, NULL, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
    cr_assert(strstr(err.message, "column 'span': INTERVAL type"), "%s", err.message);
    lml_parquet_close(pf);
}

/* A Spark 3.x StandardScaler model file: `std` is an ML vector (VectorUDT) stored as
 * struct<type: byte, size: int, indices: array<int>, values: array<double>> (spec §5.6); this
 * one is dense (type 1, size and indices null). */
Test(parquet_read, spark_vector_udt_reads_as_struct_of_lists) {
    LML_REQUIRE_SHARED(path, "conformance/spark-models/cugoapo-streaming-pipeline/pipeline_model/stages/"
                             "5_StandardScaler_efe63767d769/data/part-00000-7bcd26fe-99e8-4430-8f3f-96f5cf2c2216-c000.snappy.parquet");
    lml_error err = {0};
    lml_frame *f = lml_parquet_read(path, &(lml_parquet_read_options){.columns = (const char *[]){"std", NULL}}, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(f), 1);
    const lml_column *v = lml_frame_column(f, 0);
    cr_assert_eq(lml_column_type(v), LML_STRUCT);
    cr_assert_eq(lml_column_num_children(v), 4);
    const lml_column *type = lml_column_struct_field(v, "type"), *size = lml_column_struct_field(v, "size");
    const lml_column *ind = lml_column_struct_field(v, "indices"), *val = lml_column_struct_field(v, "values");
    cr_assert(type && size && ind && val);
    cr_assert_eq(lml_column_type(type), LML_INT8);
    cr_assert_eq(lml_column_int8s(type)[0], 1);
    cr_assert(lml_column_is_null(size, 0));
    cr_assert(lml_column_is_null(ind, 0));
    cr_assert_eq(lml_column_type(val), LML_LIST);
    const int32_t *off = lml_column_offsets(val);
    const lml_column *el = lml_column_child(val, 0);
    cr_assert_gt(off[1] - off[0], 4);
    cr_assert_eq(lml_column_null_count(el), 0);
    cr_assert_float_eq(lml_column_doubles(el)[off[0]], 6.149977416399366, 1e-15);
    cr_assert_float_eq(lml_column_doubles(el)[off[0] + 4], sqrt(0.1), 1e-15);
    lml_frame_free(f);
}

/* Lying page sizes: a compressed size running past the file, an uncompressed size of 2 GiB for a
 * 14-byte snappy body (a decompression bomb's claim), and a negative size. Each is LML_EFORMAT
 * naming the column, and nothing is allocated for the claim. */
Test(parquet_read, absurd_page_sizes_are_eformat) {
    static const uint8_t body[] = {2, 0, 0, 0, 0x03, 0x15, XVALS};
    const struct { int32_t compressed, uncompressed; int codec; const char *name; } cases[] = {
        {1 << 30, (int32_t)sizeof body, LML_PQ_UNCOMPRESSED, "past_end.parquet"},
        {(int32_t)sizeof body, INT32_MAX, LML_PQ_SNAPPY, "bomb.parquet"},
        {-5, (int32_t)sizeof body, LML_PQ_UNCOMPRESSED, "negative.parquet"},
        {(int32_t)sizeof body, -1, LML_PQ_UNCOMPRESSED, "negative_uncompressed.parquet"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        page p = {.h = {.type = LML_PQ_DATA_PAGE, .uncompressed_page_size = cases[k].uncompressed,
                        .compressed_page_size = cases[k].compressed, .has_data_page = true, .dp_num_values = 5,
                        .dp_encoding = LML_PQ_PLAIN, .dp_def_encoding = LML_PQ_RLE,
                        .dp_rep_encoding = LML_PQ_BIT_PACKED},
                  .body = body, .len = sizeof body};
        lml_error err = {0};
        const char *path = build_file(cases[k].name, opt_int32, cases[k].codec, &p, 1, 5, 5);
        cr_assert_null(lml_parquet_read(path, NULL, &err), "%s read", cases[k].name);
        cr_assert_eq(err.code, LML_EFORMAT, "%s: %d %s", cases[k].name, err.code, err.message);
        cr_assert(strstr(err.message, "column 'x'"), "%s: %s", cases[k].name, err.message);
    }
}

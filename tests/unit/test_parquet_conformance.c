/* Parquet conformance: every file of ../shared/conformance/parquet (apache/parquet-testing) read
 * with lml_parquet_read and compared cell by cell with expected/<file>.jsonl (rows another reader
 * produced, see MANIFEST.md) or the upstream *_expect.csv files. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/frame.h"
#include "lakeml/parquet.h"
#include "json_cells.h"
#include "support.h"

#define DIR "conformance/parquet/"

/* Reads the file and checks every row against expected/<file>.jsonl; `skip` names a column
 * left out of the comparison (NULL = none). */
static void check_jsonl(const char *file, const char *skip) {
    char rel[256];
    snprintf(rel, sizeof rel, DIR "%s", file);
    LML_REQUIRE_SHARED(path, rel);
    char ppath[1024];
    snprintf(ppath, sizeof ppath, "%s", path);
    snprintf(rel, sizeof rel, DIR "expected/%s.jsonl", file);
    const char *jpath = lml_test_shared_path(rel);
    cr_assert(jpath, "no expected rows for %s", file);
    char *text = lml_test_slurp(jpath);
    cr_assert(text);
    lml_error err = {0};
    lml_frame *f = lml_parquet_read(ppath, NULL, &err);
    cr_assert(f, "%s: %s", file, err.message);
    size_t row = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"), row++) {
        cJSON *obj = cJSON_Parse(line);
        cr_assert(obj, "%s: bad JSON line %zu", file, row);
        cr_assert_lt(row, lml_frame_num_rows(f), "%s: more expected rows than the %zu read", file, lml_frame_num_rows(f));
        for (size_t k = 0; k < lml_frame_num_cols(f); k++) {
            const char *name = lml_frame_column_name(f, k);
            if (skip && strcmp(skip, name) == 0) continue;
            char why[512];
            cr_assert(cJSON_HasObjectItem(obj, name), "%s: expected rows have no column '%s'", file, name);
            cr_assert(lml_test_cell_matches(lml_frame_column(f, k), row, cJSON_GetObjectItemCaseSensitive(obj, name), why, sizeof why),
                      "%s: column '%s': %s", file, name, why);
        }
        cr_assert_eq((size_t)cJSON_GetArraySize(obj), lml_frame_num_cols(f), "%s: column count", file);
        cJSON_Delete(obj);
    }
    cr_assert_eq(row, lml_frame_num_rows(f), "%s: %zu expected rows, %zu read", file, row, lml_frame_num_rows(f));
    lml_frame_free(f);
    free(text);
}

#define JSONL_TEST(name, file) \
    Test(parquet_conformance, name) { check_jsonl(file, NULL); }

JSONL_TEST(alltypes_plain, "alltypes_plain.parquet")
JSONL_TEST(alltypes_plain_snappy, "alltypes_plain.snappy.parquet")
JSONL_TEST(alltypes_dictionary, "alltypes_dictionary.parquet")
JSONL_TEST(binary, "binary.parquet")
JSONL_TEST(byte_array_decimal, "byte_array_decimal.parquet")
JSONL_TEST(byte_stream_split_zstd, "byte_stream_split.zstd.parquet")
JSONL_TEST(byte_stream_split_extended_gzip, "byte_stream_split_extended.gzip.parquet")
JSONL_TEST(column_chunk_key_value_metadata, "column_chunk_key_value_metadata.parquet")
JSONL_TEST(datapage_v2_snappy, "datapage_v2.snappy.parquet")
JSONL_TEST(datapage_v2_empty_datapage, "datapage_v2_empty_datapage.snappy.parquet")
JSONL_TEST(delta_length_byte_array, "delta_length_byte_array.parquet")
JSONL_TEST(dict_page_offset_zero, "dict-page-offset-zero.parquet")
JSONL_TEST(fixed_length_byte_array, "fixed_length_byte_array.parquet")
JSONL_TEST(fixed_length_decimal, "fixed_length_decimal.parquet")
JSONL_TEST(float16_nonzeros_and_nans, "float16_nonzeros_and_nans.parquet")
JSONL_TEST(float16_zeros_and_nans, "float16_zeros_and_nans.parquet")
JSONL_TEST(hadoop_lz4_compressed, "hadoop_lz4_compressed.parquet")
JSONL_TEST(incorrect_map_schema, "incorrect_map_schema.parquet")
JSONL_TEST(int32_decimal, "int32_decimal.parquet")
JSONL_TEST(int32_with_null_pages, "int32_with_null_pages.parquet")
JSONL_TEST(int64_decimal, "int64_decimal.parquet")
JSONL_TEST(list_columns, "list_columns.parquet")
JSONL_TEST(lz4_raw_compressed, "lz4_raw_compressed.parquet")
JSONL_TEST(nan_in_stats, "nan_in_stats.parquet")
/* best effort: its chunk sizes under-count the pages; DuckDB reads the 25 rows and so do we */
JSONL_TEST(nation_dict_malformed, "nation.dict-malformed.parquet")
JSONL_TEST(nested_lists_snappy, "nested_lists.snappy.parquet")
JSONL_TEST(nested_maps_snappy, "nested_maps.snappy.parquet")
JSONL_TEST(nonnullable_impala, "nonnullable.impala.parquet")
JSONL_TEST(nullable_impala, "nullable.impala.parquet")
JSONL_TEST(nulls_snappy, "nulls.snappy.parquet")
JSONL_TEST(null_list, "null_list.parquet")
JSONL_TEST(old_list_structure, "old_list_structure.parquet")
JSONL_TEST(page_v2_empty_compressed, "page_v2_empty_compressed.parquet")
JSONL_TEST(plain_dict_uncompressed_checksum, "plain-dict-uncompressed-checksum.parquet")
JSONL_TEST(repeated_no_annotation, "repeated_no_annotation.parquet")
JSONL_TEST(repeated_primitive_no_list, "repeated_primitive_no_list.parquet")
JSONL_TEST(rle_boolean_encoding, "rle_boolean_encoding.parquet")
JSONL_TEST(single_nan, "single_nan.parquet")
JSONL_TEST(sort_columns, "sort_columns.parquet")
JSONL_TEST(unknown_logical_type, "unknown-logical-type.parquet")

/* map_no_value: hyparquet (the only reader that accepts it) shows the key-only map as a struct
 * {key_value: [{key}]}; lakeml reads it as a map whose values are all null. The other columns are
 * compared as usual and the key-only map by hand. */
Test(parquet_conformance, map_no_value) {
    check_jsonl("map_no_value.parquet", "my_map_no_v");
    LML_REQUIRE_SHARED(path, DIR "map_no_value.parquet");
    lml_error err = {0};
    lml_frame *f = lml_parquet_read(path, NULL, &err);
    cr_assert(f, "%s", err.message);
    const lml_column *m = lml_frame_column_by_name(f, "my_map_no_v", &err);
    cr_assert(m && lml_column_type(m) == LML_MAP);
    const int32_t *off = lml_column_offsets(m);
    const lml_column *k = lml_column_map_keys(m), *v = lml_column_map_values(m);
    cr_assert_eq(off[1] - off[0], 3);
    cr_assert_eq(lml_column_int32s(k)[off[0]], 1);
    cr_assert_eq(lml_column_int32s(k)[off[1]], 4); /* row 2 starts with key 4 */
    cr_assert_eq(lml_column_null_count(v), lml_column_length(v));
    lml_frame_free(f);
}

/* ---- checksums */

static void expect_eformat(const char *file) {
    char rel[256];
    snprintf(rel, sizeof rel, DIR "%s", file);
    LML_REQUIRE_SHARED(path, rel);
    lml_error err = {0};
    lml_frame *f = lml_parquet_read(path, NULL, &err);
    cr_assert_null(f, "%s: a corrupt page CRC must fail", file);
    cr_assert_eq(err.code, LML_EFORMAT, "%s: %s", file, err.message);
    cr_assert(strstr(err.message, "CRC"), "%s: %s", file, err.message);
}

Test(parquet_conformance, corrupt_checksums_fail) {
    expect_eformat("datapage_v1-corrupt-checksum.parquet");
    expect_eformat("rle-dict-uncompressed-corrupt-checksum.parquet");
}

static void sums(const char *file, bool skip_crc, int64_t want_a, int64_t want_b) {
    char rel[256];
    snprintf(rel, sizeof rel, DIR "%s", file);
    LML_REQUIRE_SHARED(path, rel);
    lml_error err = {0};
    lml_parquet_read_options o = {.skip_checksums = skip_crc};
    lml_frame *f = lml_parquet_read(path, &o, &err);
    cr_assert(f, "%s: %s", file, err.message);
    cr_assert_eq(lml_frame_num_rows(f), 5120);
    int64_t s[2] = {0, 0};
    for (size_t k = 0; k < 2; k++) {
        const int32_t *v = lml_column_int32s(lml_frame_column(f, k));
        cr_assert(v);
        for (size_t i = 0; i < 5120; i++) s[k] += v[i];
    }
    cr_assert_eq(s[0], want_a, "%s: sum(a) %lld", file, (long long)s[0]);
    cr_assert_eq(s[1], want_b, "%s: sum(b) %lld", file, (long long)s[1]);
    lml_frame_free(f);
}

Test(parquet_conformance, datapage_v1_checksum_sums) {
    sums("datapage_v1-uncompressed-checksum.parquet", false, 43118090240LL, 129016125440LL);
    sums("datapage_v1-snappy-compressed-checksum.parquet", false, 43118090240LL, 129016125440LL);
    /* with verification off the corrupted bytes come through, as INDEX.json records */
    sums("datapage_v1-corrupt-checksum.parquet", true, 43118090496LL, 129016190976LL);
}

/* ---- upstream *_expect.csv */

/* Splits one CSV line into fields (quotes with "" escapes); an unquoted empty field is NULL. */
static size_t csv_fields(char *line, char **out, size_t cap) {
    size_t n = 0;
    char *p = line;
    while (n < cap) {
        if (*p == '"') {
            char *w = ++p, *start = p;
            while (*p && !(*p == '"' && p[1] != '"')) {
                if (*p == '"') p++;
                *w++ = *p++;
            }
            if (*p == '"') p++;
            out[n++] = start;
            *w = 0;
            if (*p != ',') break;
            *p++ = 0;
            continue;
        }
        char *start = p;
        while (*p && *p != ',' && *p != '\r') p++;
        char sep = *p;
        *p = 0;
        out[n++] = p == start ? NULL : start;
        if (sep != ',') break;
        p++;
    }
    return n;
}

static void check_csv(const char *file, const char *csv) {
    char rel[256];
    snprintf(rel, sizeof rel, DIR "%s", file);
    LML_REQUIRE_SHARED(path, rel);
    char ppath[1024];
    snprintf(ppath, sizeof ppath, "%s", path);
    snprintf(rel, sizeof rel, DIR "%s", csv);
    char *text = lml_test_slurp(lml_test_shared_path(rel));
    cr_assert(text);
    lml_error err = {0};
    lml_frame *f = lml_parquet_read(ppath, NULL, &err);
    cr_assert(f, "%s: %s", file, err.message);
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    char *hdr[128];
    size_t nh = csv_fields(line, hdr, 128);
    cr_assert_eq(nh, lml_frame_num_cols(f), "%s: %zu CSV columns, %zu read", file, nh, lml_frame_num_cols(f));
    char *names[128];
    for (size_t k = 0; k < nh; k++) names[k] = strdup(hdr[k]);
    size_t row = 0;
    for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save), row++) {
        char *cell[128];
        size_t n = csv_fields(line, cell, 128);
        cr_assert_eq(n, nh, "%s: CSV row %zu", file, row);
        for (size_t k = 0; k < nh; k++) {
            const lml_column *c = lml_frame_column(f, k);
            /* delta_encoding_required_column names its columns "c_customer_sk:" while its CSV
             * header says "c_customer_sk" (and " c_customer_id"): compare them trimmed. */
            const char *pn = lml_frame_column_name(f, k), *cn = names[k];
            while (*cn == ' ') cn++;
            size_t pl = strlen(pn);
            if (pl && pn[pl - 1] == ':' && cn[strlen(cn) - 1] != ':') pl--;
            cr_assert(strlen(cn) == pl && strncmp(pn, cn, pl) == 0, "%s: column %zu is '%s', CSV says '%s'", file, k, pn,
                      cn);
            if (!cell[k]) {
                cr_assert(lml_column_is_null(c, row), "%s: '%s' row %zu should be null", file, names[k], row);
                continue;
            }
            cr_assert(!lml_column_is_null(c, row), "%s: '%s' row %zu is null", file, names[k], row);
            if (lml_column_type(c) == LML_STRING) {
                size_t len;
                const char *s = lml_column_string_at(c, row, &len);
                cr_assert(len == strlen(cell[k]) && memcmp(s, cell[k], len) == 0, "%s: '%s' row %zu: '%.*s' vs '%s'",
                          file, names[k], row, (int)len, s, cell[k]);
            } else {
                int64_t v = lml_column_type(c) == LML_INT32 ? lml_column_int32s(c)[row] : lml_column_int64s(c)[row];
                cr_assert_eq(v, strtoll(cell[k], NULL, 10), "%s: '%s' row %zu: %lld vs %s", file, names[k], row,
                             (long long)v, cell[k]);
            }
        }
    }
    cr_assert_eq(row, lml_frame_num_rows(f), "%s: %zu CSV rows, %zu read", file, row, lml_frame_num_rows(f));
    for (size_t k = 0; k < nh; k++) free(names[k]);
    lml_frame_free(f);
    free(text);
}

Test(parquet_conformance, delta_binary_packed) { check_csv("delta_binary_packed.parquet", "delta_binary_packed_expect.csv"); }
Test(parquet_conformance, delta_byte_array) { check_csv("delta_byte_array.parquet", "delta_byte_array_expect.csv"); }
Test(parquet_conformance, delta_encoding_required_column) {
    check_csv("delta_encoding_required_column.parquet", "delta_encoding_required_column_expect.csv");
}

/* The expected rows name the column a_epoch_micros (UTC µs, hand-written from upstream facts);
 * the last one is Spark's wrapped 64-bit value for year 290000. */
Test(parquet_conformance, int96_from_spark) {
    LML_REQUIRE_SHARED(path, DIR "int96_from_spark.parquet");
    lml_error err = {0};
    lml_frame *f = lml_parquet_read(path, NULL, &err);
    cr_assert(f, "%s", err.message);
    const lml_column *c = lml_frame_column(f, 0);
    cr_assert_eq(lml_column_type(c), LML_TIMESTAMP);
    cr_assert_eq(lml_column_length(c), 6);
    static const int64_t want[6] = {1704141296123456LL, 1704070800000000LL, 253402225200000000LL, 1735599600000000LL, 0,
                                    9089380393200000000LL};
    for (size_t i = 0; i < 6; i++) {
        cr_assert_eq(lml_column_is_null(c, i), i == 4, "row %zu", i);
        if (i != 4) cr_assert_eq(lml_column_int64s(c)[i], want[i], "row %zu: %lld", i, (long long)lml_column_int64s(c)[i]);
    }
    lml_frame_free(f);
}

/* ---- every Parquet file Spark and Delta wrote for the other conformance suites */

static size_t swept;
static char sweep_fail[1024];

static int sweep_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)ftw;
    size_t n = strlen(path);
    if (flag != FTW_F || n < 8 || strcmp(path + n - 8, ".parquet") != 0) return 0;
    lml_error err = {0};
    lml_frame *f = lml_parquet_read(path, NULL, &err);
    if (!f) {
        snprintf(sweep_fail, sizeof sweep_fail, "%s", err.message);
        return 1;
    }
    lml_frame_free(f);
    swept++;
    return 0;
}

Test(parquet_conformance, spark_and_delta_files_all_read) {
    LML_REQUIRE_SHARED(delta, "conformance/delta");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", delta);
    swept = 0;
    cr_assert_eq(nftw(dir, sweep_one, 16, FTW_PHYS), 0, "%s", sweep_fail);
    const char *models = lml_test_shared_path("conformance/spark-models");
    cr_assert(models);
    snprintf(dir, sizeof dir, "%s", models);
    cr_assert_eq(nftw(dir, sweep_one, 16, FTW_PHYS), 0, "%s", sweep_fail);
    cr_assert_geq(swept, 200, "only %zu Parquet files found", swept);
}

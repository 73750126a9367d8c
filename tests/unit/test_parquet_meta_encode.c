/* Parquet metadata encode (src/io/parquet/meta_write.c): decode -> encode -> decode of real
 * footers (identical structs, byte-identical where every field is modelled), a hand-built
 * footer and page headers against hand-computed bytes, and every truncation of a footer. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/io/parquet/meta.h"
#include "pq_support.h"
#include "support.h"

/* ---- deep comparison */

static bool str_eq(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }

static bool bytes_eq(const lml_pq_bytes *a, const lml_pq_bytes *b)
{
    return (!a->data && !b->data) || (a->data && b->data && a->len == b->len && memcmp(a->data, b->data, a->len) == 0);
}

static bool stats_eq(const lml_pq_statistics *a, const lml_pq_statistics *b)
{
    return a->present == b->present && bytes_eq(&a->max, &b->max) && bytes_eq(&a->min, &b->min) &&
           bytes_eq(&a->max_value, &b->max_value) && bytes_eq(&a->min_value, &b->min_value) &&
           a->has_null_count == b->has_null_count && a->null_count == b->null_count &&
           a->has_distinct_count == b->has_distinct_count && a->distinct_count == b->distinct_count &&
           a->has_nan_count == b->has_nan_count && a->nan_count == b->nan_count &&
           a->has_is_max_value_exact == b->has_is_max_value_exact && a->is_max_value_exact == b->is_max_value_exact &&
           a->has_is_min_value_exact == b->has_is_min_value_exact && a->is_min_value_exact == b->is_min_value_exact;
}

static bool kv_eq(const lml_pq_key_value *a, size_t na, const lml_pq_key_value *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!str_eq(a[i].key, b[i].key) || !str_eq(a[i].value, b[i].value))
            return false;
    return true;
}

static bool meta_eq(const lml_pq_column_meta *a, const lml_pq_column_meta *b)
{
    if (a->type != b->type || a->num_encodings != b->num_encodings || a->path_len != b->path_len ||
        a->codec != b->codec || a->num_values != b->num_values ||
        a->total_uncompressed_size != b->total_uncompressed_size ||
        a->total_compressed_size != b->total_compressed_size || !kv_eq(a->kv, a->num_kv, b->kv, b->num_kv) ||
        a->data_page_offset != b->data_page_offset || a->has_index_page_offset != b->has_index_page_offset ||
        a->index_page_offset != b->index_page_offset ||
        a->has_dictionary_page_offset != b->has_dictionary_page_offset ||
        a->dictionary_page_offset != b->dictionary_page_offset || !stats_eq(&a->statistics, &b->statistics) ||
        a->num_encoding_stats != b->num_encoding_stats || a->has_bloom_filter_offset != b->has_bloom_filter_offset ||
        a->bloom_filter_offset != b->bloom_filter_offset || a->has_bloom_filter_length != b->has_bloom_filter_length ||
        a->bloom_filter_length != b->bloom_filter_length)
        return false;
    for (size_t i = 0; i < a->num_encodings; i++)
        if (a->encodings[i] != b->encodings[i])
            return false;
    for (size_t i = 0; i < a->path_len; i++)
        if (!str_eq(a->path_in_schema[i], b->path_in_schema[i]))
            return false;
    for (size_t i = 0; i < a->num_encoding_stats; i++)
        if (memcmp(&a->encoding_stats[i], &b->encoding_stats[i], sizeof a->encoding_stats[i]) != 0)
            return false;
    return true;
}

static bool file_meta_eq(const lml_pq_file_meta *a, const lml_pq_file_meta *b)
{
    if (a->version != b->version || a->num_schema != b->num_schema || a->num_rows != b->num_rows ||
        a->num_row_groups != b->num_row_groups || !kv_eq(a->kv, a->num_kv, b->kv, b->num_kv) ||
        !str_eq(a->created_by, b->created_by) || a->num_column_orders != b->num_column_orders ||
        a->encrypted != b->encrypted)
        return false;
    for (size_t i = 0; i < a->num_schema; i++) {
        const lml_pq_schema_element *x = &a->schema[i], *y = &b->schema[i];
        if (!str_eq(x->name, y->name) || x->has_type != y->has_type || x->type != y->type ||
            x->has_type_length != y->has_type_length || x->type_length != y->type_length ||
            x->has_repetition != y->has_repetition || x->repetition != y->repetition ||
            x->has_num_children != y->has_num_children || x->num_children != y->num_children ||
            x->has_converted_type != y->has_converted_type || x->converted_type != y->converted_type ||
            x->has_scale != y->has_scale || x->scale != y->scale || x->has_precision != y->has_precision ||
            x->precision != y->precision || x->has_field_id != y->has_field_id || x->field_id != y->field_id ||
            memcmp(&x->logical, &y->logical, sizeof x->logical) != 0)
            return false;
    }
    for (size_t g = 0; g < a->num_row_groups; g++) {
        const lml_pq_row_group *x = &a->row_groups[g], *y = &b->row_groups[g];
        if (x->num_columns != y->num_columns || x->total_byte_size != y->total_byte_size ||
            x->num_rows != y->num_rows || x->num_sorting_columns != y->num_sorting_columns ||
            x->has_file_offset != y->has_file_offset || x->file_offset != y->file_offset ||
            x->has_total_compressed_size != y->has_total_compressed_size ||
            x->total_compressed_size != y->total_compressed_size || x->has_ordinal != y->has_ordinal ||
            x->ordinal != y->ordinal)
            return false;
        for (size_t i = 0; i < x->num_sorting_columns; i++)
            if (memcmp(&x->sorting_columns[i], &y->sorting_columns[i], sizeof x->sorting_columns[i]) != 0)
                return false;
        for (size_t c = 0; c < x->num_columns; c++) {
            const lml_pq_column_chunk *p = &x->columns[c], *q = &y->columns[c];
            if (!str_eq(p->file_path, q->file_path) || p->file_offset != q->file_offset ||
                p->has_meta_data != q->has_meta_data || !meta_eq(&p->meta, &q->meta) ||
                p->has_offset_index != q->has_offset_index || p->offset_index_offset != q->offset_index_offset ||
                p->offset_index_length != q->offset_index_length || p->has_column_index != q->has_column_index ||
                p->column_index_offset != q->column_index_offset || p->column_index_length != q->column_index_length ||
                p->encrypted != q->encrypted)
                return false;
        }
    }
    for (size_t i = 0; i < a->num_column_orders; i++)
        if (a->column_orders[i] != b->column_orders[i])
            return false;
    return true;
}

/* decode -> encode -> decode: identical structs; returns whether the bytes were identical too. */
static bool round_trip(const char *rel)
{
    LML_REQUIRE_SHARED(path, rel);
    lml_test_pq_footer f;
    lml_pq_file_meta m, m2;
    lml_error err = {0};
    lml_test_pq_decode_file(path, &f, &m);
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    cr_assert(lml_pq_file_meta_encode(&m, &buf, &len, &cap, &err), "%s", err.message);
    cr_assert(lml_pq_file_meta_decode(buf, len, "re-encoded", &m2, &err), "%s", err.message);
    cr_assert(file_meta_eq(&m, &m2), "%s: structs differ after a round trip", rel);
    bool same = len == f.footer_len && memcmp(buf, f.footer, len) == 0;
    lml_pq_file_meta_clear(&m);
    lml_pq_file_meta_clear(&m2);
    free(buf);
    free(f.data);
    return same;
}

/* ---- real footers, re-encoded */

Test(parquet_meta, round_trip_is_byte_identical_for_parquet_mr_and_impala_footers)
{
    cr_assert(round_trip("conformance/parquet/alltypes_plain.parquet"));
    cr_assert(round_trip("conformance/parquet/datapage_v2.snappy.parquet"));
    cr_assert(round_trip("conformance/parquet/delta_binary_packed.parquet"));
    cr_assert(round_trip("conformance/parquet/int32_with_null_pages.parquet"));
    cr_assert(round_trip("conformance/parquet/sort_columns.parquet"));
    cr_assert(round_trip("conformance/delta/golden/parquet-all-types/"
                         "part-00000-bf6680d4-5e83-4fce-8ebb-d2b60d7e69c9-c000.snappy.parquet"));
}

/* Footers with fields we do not model (SizeStatistics, an unknown LogicalType's contents) still
 * round-trip to identical structs; the bytes shrink by what was skipped. */
Test(parquet_meta, round_trip_keeps_structs_when_fields_are_dropped)
{
    cr_assert_not(round_trip("conformance/parquet/old_list_structure.parquet"));
    cr_assert_not(round_trip("conformance/parquet/unknown-logical-type.parquet"));
    cr_assert_not(round_trip("conformance/parquet/repeated_primitive_no_list.parquet"));
}

/* Every footer of the parquet conformance corpus decodes and survives decode -> encode -> decode
 * as an identical struct. */
Test(parquet_meta, every_conformance_footer_round_trips)
{
    LML_REQUIRE_SHARED(dir, "conformance/parquet");
    char base[1024];
    snprintf(base, sizeof base, "%s", dir);
    DIR *d = opendir(base);
    cr_assert(d);
    int files = 0, identical = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 9 || strcmp(e->d_name + n - 8, ".parquet") != 0)
            continue;
        char rel[512];
        snprintf(rel, sizeof rel, "conformance/parquet/%s", e->d_name);
        identical += round_trip(rel);
        files++;
    }
    closedir(d);
    cr_assert_eq(files, 49, "files in conformance/parquet: %d", files);
    /* all but old_list_structure and repeated_primitive_no_list (SizeStatistics), dict-page-offset-zero
     * (a draft field 15) and unknown-logical-type (the unknown member's contents) */
    cr_assert_eq(identical, 45, "byte-identical re-encodings: %d", identical);
}

/* ---- hand-built metadata, byte-exact */

static const uint8_t HAND_FOOTER[] = {
    0x15, 0x02,                                      /* 1: version 1 */
    0x19, 0x2c,                                      /* 2: schema, list of 2 structs */
    0x48, 0x01, 's', 0x15, 0x02, 0x00,               /*   root "s", num_children 1 */
    0x15, 0x04, 0x25, 0x02, 0x18, 0x02, 't', 's',    /*   INT64, OPTIONAL, "ts" */
    0x25, 0x14,                                      /*   6: TIMESTAMP_MICROS */
    0x4c, 0x8c, 0x11, 0x1c, 0x2c, 0x00, 0x00, 0x00, 0x00, /* 10: TIMESTAMP(true, MICROS) (spec §3.4) */
    0x00,
    0x16, 0x06,                                      /* 3: num_rows 3 */
    0x19, 0x1c,                                      /* 4: row_groups, 1 struct */
    0x19, 0x1c,                                      /*   1: columns, 1 struct */
    0x26, 0x08,                                      /*     2: file_offset 4 */
    0x1c,                                            /*     3: meta_data */
    0x15, 0x04, 0x19, 0x25, 0x00, 0x06,              /*       type INT64, encodings [PLAIN, RLE] */
    0x19, 0x18, 0x02, 't', 's',                      /*       path ["ts"] */
    0x15, 0x02, 0x16, 0x06, 0x16, 0x64, 0x16, 0x50,  /*       SNAPPY, 3 values, 50, 40 bytes */
    0x26, 0x08,                                      /*       9: data_page_offset 4 */
    0x3c, 0x36, 0x00,                                /*       12: statistics {3: null_count 0, */
    0x28, 0x08, 3, 0, 0, 0, 0, 0, 0, 0,              /*         5: max_value 3, */
    0x18, 0x08, 1, 0, 0, 0, 0, 0, 0, 0, 0x00,        /*         6: min_value 1} */
    0x00, 0x00,                                      /*     end ColumnMetaData, ColumnChunk */
    0x16, 0x64, 0x16, 0x06, 0x00,                    /*   total_byte_size 50, num_rows 3 */
    0x19, 0x1c, 0x18, 0x01, 'k', 0x18, 0x01, 'v', 0x00, /* 5: key_value_metadata [k=v] */
    0x18, 0x06, 'l', 'a', 'k', 'e', 'm', 'l',        /* 6: created_by */
    0x19, 0x1c, 0x1c, 0x00, 0x00,                    /* 7: column_orders [TYPE_ORDER] */
    0x00};

static void hand_meta(lml_pq_file_meta *m, lml_pq_schema_element *schema, lml_pq_row_group *rg,
                      lml_pq_column_chunk *cc, lml_pq_key_value *kv, int32_t *orders)
{
    static int32_t encodings[] = {LML_PQ_PLAIN, LML_PQ_RLE};
    static char *path[] = {"ts"};
    static uint8_t maxv[8] = {3}, minv[8] = {1};
    memset(m, 0, sizeof *m);
    memset(schema, 0, 2 * sizeof *schema);
    memset(rg, 0, sizeof *rg);
    memset(cc, 0, sizeof *cc);
    m->version = 1;
    m->num_schema = 2;
    m->schema = schema;
    schema[0].name = "s";
    schema[0].has_num_children = true;
    schema[0].num_children = 1;
    schema[1] = (lml_pq_schema_element){.has_type = true, .type = LML_PQ_INT64, .has_repetition = true,
        .repetition = LML_PQ_OPTIONAL, .name = "ts", .has_converted_type = true,
        .converted_type = LML_PQ_CT_TIMESTAMP_MICROS,
        .logical = {.kind = LML_PQ_LT_TIMESTAMP, .adjusted_to_utc = true, .unit = LML_PQ_MICROS}};
    m->num_rows = 3;
    m->num_row_groups = 1;
    m->row_groups = rg;
    rg->num_columns = 1;
    rg->columns = cc;
    rg->total_byte_size = 50;
    rg->num_rows = 3;
    cc->file_offset = 4;
    cc->has_meta_data = true;
    cc->meta = (lml_pq_column_meta){.type = LML_PQ_INT64, .num_encodings = 2, .encodings = encodings,
        .path_len = 1, .path_in_schema = path, .codec = LML_PQ_SNAPPY, .num_values = 3,
        .total_uncompressed_size = 50, .total_compressed_size = 40, .data_page_offset = 4,
        .statistics = {.present = true, .has_null_count = true, .null_count = 0,
                       .max_value = {maxv, 8}, .min_value = {minv, 8}}};
    kv->key = "k";
    kv->value = "v";
    m->num_kv = 1;
    m->kv = kv;
    m->created_by = "lakeml";
    orders[0] = 1;
    m->num_column_orders = 1;
    m->column_orders = orders;
}

Test(parquet_meta, hand_built_file_meta_encodes_to_hand_computed_bytes)
{
    lml_pq_file_meta m, back;
    lml_pq_schema_element schema[2];
    lml_pq_row_group rg;
    lml_pq_column_chunk cc;
    lml_pq_key_value kv;
    int32_t orders[1];
    hand_meta(&m, schema, &rg, &cc, &kv, orders);
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    lml_error err = {0};
    cr_assert(lml_pq_file_meta_encode(&m, &buf, &len, &cap, &err), "%s", err.message);
    cr_assert_eq(len, sizeof HAND_FOOTER);
    for (size_t i = 0; i < len; i++)
        cr_assert_eq(buf[i], HAND_FOOTER[i], "byte %zu: %02x, expected %02x", i, buf[i], HAND_FOOTER[i]);
    cr_assert(lml_pq_file_meta_decode(HAND_FOOTER, sizeof HAND_FOOTER, "hand", &back, &err), "%s", err.message);
    cr_assert(file_meta_eq(&m, &back));
    lml_pq_file_meta_clear(&back);
    free(buf);
}

/* spec §3.8: {1: DATA_PAGE, 2: 10, 3: 12, 4: crc, 5: {1: 1, 2: PLAIN, 3: RLE, 4: BIT_PACKED}} */
Test(parquet_meta, page_header_v1_bytes)
{
    const uint8_t want[] = {0x15, 0x00, 0x15, 0x14, 0x15, 0x18, 0x15, 0x01, 0x1c, 0x15, 0x02,
                            0x15, 0x00, 0x15, 0x06, 0x15, 0x08, 0x00, 0x00, 0xaa};
    lml_pq_page_header h = {.type = LML_PQ_DATA_PAGE, .uncompressed_page_size = 10, .compressed_page_size = 12,
        .has_crc = true, .crc = 0xffffffffu, .has_data_page = true, .dp_num_values = 1, .dp_encoding = LML_PQ_PLAIN,
        .dp_def_encoding = LML_PQ_RLE, .dp_rep_encoding = LML_PQ_BIT_PACKED};
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, used;
    cr_assert(lml_pq_page_header_encode(&h, &buf, &len, &cap, NULL));
    cr_assert_eq(len, sizeof want - 1);
    cr_assert_eq(memcmp(buf, want, len), 0);
    lml_pq_page_header d;
    cr_assert(lml_pq_page_header_decode(want, sizeof want, "page", &d, &used, NULL));
    cr_assert_eq(used, sizeof want - 1, "the page body (0xaa) is not consumed");
    cr_assert_eq(d.crc, 0xffffffffu);
    cr_assert_eq(d.dp_def_encoding, LML_PQ_RLE);
    cr_assert_eq(d.dp_rep_encoding, LML_PQ_BIT_PACKED);
    cr_assert_not(d.statistics.present);
    lml_pq_page_header_clear(&d);

    /* v2, uncompressed: is_compressed=false is written; statistics go into the v2 header (field 8) */
    lml_pq_page_header v2 = {.type = LML_PQ_DATA_PAGE_V2, .uncompressed_page_size = 4, .compressed_page_size = 4,
        .has_data_page_v2 = true, .v2_num_values = 5, .v2_num_nulls = 1, .v2_num_rows = 5,
        .v2_encoding = LML_PQ_PLAIN, .v2_def_length = 2, .v2_rep_length = 0, .v2_is_compressed = false,
        .statistics = {.present = true, .has_null_count = true, .null_count = 1}};
    const uint8_t want2[] = {0x15, 0x06, 0x15, 0x08, 0x15, 0x08, 0x5c, 0x15, 0x0a, 0x15, 0x02, 0x15, 0x0a,
                             0x15, 0x00, 0x15, 0x04, 0x15, 0x00, 0x12, 0x1c, 0x36, 0x02, 0x00, 0x00, 0x00};
    len = 0;
    cr_assert(lml_pq_page_header_encode(&v2, &buf, &len, &cap, NULL));
    cr_assert_eq(len, sizeof want2);
    cr_assert_eq(memcmp(buf, want2, len), 0);
    cr_assert(lml_pq_page_header_decode(want2, sizeof want2, "page", &d, &used, NULL));
    cr_assert_not(d.v2_is_compressed);
    cr_assert_eq(d.statistics.null_count, 1);
    lml_pq_page_header_clear(&d);
    free(buf);
}

Test(parquet_meta, truncated_footers_fail_at_every_length)
{
    for (size_t n = 0; n < sizeof HAND_FOOTER; n++)
        lml_test_pq_decode_fail(HAND_FOOTER, n);
    LML_REQUIRE_SHARED(path, "conformance/parquet/alltypes_plain.parquet");
    lml_test_pq_footer f;
    lml_test_pq_load_footer(path, &f);
    for (size_t n = 0; n < f.footer_len; n++) {
        /* a copy of exactly n bytes so ASan catches any read past them */
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, f.footer, n);
        lml_test_pq_decode_fail(cut, n);
        free(cut);
    }
    free(f.data);
}

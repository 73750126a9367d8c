/* Parquet metadata decode/encode (src/io/parquet/meta_read.c, meta_write.c): footers of real
 * files in ../shared/conformance, byte-exact re-encoding, hand-computed bytes, hostile footers. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/io/parquet/meta.h"
#include "support.h"

typedef struct pqfile {
    uint8_t *data;
    size_t size;
    const uint8_t *footer; /* FileMetaData bytes */
    size_t footer_len;
} pqfile;

/* Reads a whole file and locates its footer as spec/parquet.md §1 says. */
static void load(const char *path, pqfile *f)
{
    FILE *fp = fopen(path, "rb");
    cr_assert(fp, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    cr_assert(n >= 12, "%s: too short", path);
    f->data = malloc((size_t)n);
    cr_assert(fread(f->data, 1, (size_t)n, fp) == (size_t)n);
    fclose(fp);
    f->size = (size_t)n;
    cr_assert_eq(memcmp(f->data + f->size - 4, "PAR1", 4), 0, "%s: no trailing magic", path);
    const uint8_t *p = f->data + f->size - 8;
    uint32_t len = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    cr_assert(len > 0 && len <= f->size - 12, "%s: footer length %u", path, len);
    f->footer = f->data + f->size - 8 - len;
    f->footer_len = len;
}

static void decode_file(const char *path, pqfile *f, lml_pq_file_meta *m)
{
    lml_error err = {0};
    load(path, f);
    cr_assert(lml_pq_file_meta_decode(f->footer, f->footer_len, path, m, &err), "%s", err.message);
}

#define SHARED_FILE(var, rel) LML_REQUIRE_SHARED(var, rel)

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
    SHARED_FILE(path, rel);
    pqfile f;
    lml_pq_file_meta m, m2;
    lml_error err = {0};
    decode_file(path, &f, &m);
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

/* ---- real footers */

Test(parquet_meta, alltypes_plain_footer)
{
    SHARED_FILE(path, "conformance/parquet/alltypes_plain.parquet");
    pqfile f;
    lml_pq_file_meta m;
    decode_file(path, &f, &m);
    cr_assert_eq(m.version, 1);
    cr_assert_eq(m.num_rows, 8);
    cr_assert_str_eq(m.created_by, "impala version 1.3.0-INTERNAL (build 8a48ddb1eff84592b3fc06bc6f51ec120e1fffc9)");
    cr_assert_eq(m.num_schema, 12);
    cr_assert_str_eq(m.schema[0].name, "schema");
    cr_assert_eq(m.schema[0].num_children, 11);
    const char *names[] = {"id", "bool_col", "tinyint_col", "smallint_col", "int_col", "bigint_col", "float_col",
                           "double_col", "date_string_col", "string_col", "timestamp_col"};
    const int types[] = {LML_PQ_INT32, LML_PQ_BOOLEAN, LML_PQ_INT32, LML_PQ_INT32, LML_PQ_INT32, LML_PQ_INT64,
                         LML_PQ_FLOAT, LML_PQ_DOUBLE, LML_PQ_BYTE_ARRAY, LML_PQ_BYTE_ARRAY, LML_PQ_INT96};
    for (int i = 0; i < 11; i++) {
        cr_assert_str_eq(m.schema[i + 1].name, names[i]);
        cr_assert(m.schema[i + 1].has_type);
        cr_assert_eq(m.schema[i + 1].type, types[i], "%s", names[i]);
        cr_assert_eq(m.schema[i + 1].repetition, LML_PQ_OPTIONAL);
        cr_assert_eq(m.schema[i + 1].logical.kind, LML_PQ_LT_NONE);
    }
    cr_assert_eq(m.num_row_groups, 1);
    lml_pq_row_group *rg = &m.row_groups[0];
    cr_assert_eq(rg->num_rows, 8);
    cr_assert_eq(rg->num_columns, 11);
    cr_assert_eq(rg->total_byte_size, 671);
    lml_pq_column_meta *id = &rg->columns[0].meta;
    cr_assert_eq(id->codec, LML_PQ_UNCOMPRESSED);
    cr_assert_eq(id->num_values, 8);
    cr_assert_eq(id->num_encodings, 3);
    cr_assert_eq(id->encodings[0], LML_PQ_RLE);
    cr_assert_eq(id->encodings[1], LML_PQ_PLAIN_DICTIONARY);
    cr_assert_eq(id->encodings[2], LML_PQ_PLAIN);
    cr_assert(id->has_dictionary_page_offset);
    cr_assert_eq(id->dictionary_page_offset, 4);
    cr_assert_eq(id->data_page_offset, 49);
    cr_assert_eq(id->path_len, 1);
    cr_assert_str_eq(id->path_in_schema[0], "id");
    lml_pq_column_meta *ts = &rg->columns[10].meta;
    cr_assert_eq(ts->type, LML_PQ_INT96);
    cr_assert_eq(ts->dictionary_page_offset, 929);
    cr_assert_eq(ts->data_page_offset, 1040);
    for (int c = 0; c < 11; c++)
        cr_assert_eq(rg->columns[c].meta.codec, LML_PQ_UNCOMPRESSED);
    cr_assert_not(m.encrypted);
    lml_pq_file_meta_clear(&m);
    free(f.data);
}

/* A Spark 3.x (parquet-mr 1.13.1) file from Delta's golden tables: modern LogicalType members. */
Test(parquet_meta, spark_logical_types)
{
    SHARED_FILE(path, "conformance/delta/golden/parquet-all-types/"
                      "part-00000-bf6680d4-5e83-4fce-8ebb-d2b60d7e69c9-c000.snappy.parquet");
    pqfile f;
    lml_pq_file_meta m;
    decode_file(path, &f, &m);
    cr_assert_eq(m.num_rows, 200);
    cr_assert_eq(m.num_schema, 45);
    cr_assert_str_eq(m.schema[0].name, "spark_schema");
    cr_assert_eq(m.schema[0].num_children, 20);
    cr_assert_str_eq(m.created_by, "parquet-mr version 1.13.1 (build db4183109d5b734ec5930d870cdae161e408ddba)");
    cr_assert_eq(m.num_kv, 2);
    cr_assert_eq(m.num_column_orders, 24);
    cr_assert_eq(m.column_orders[0], 1, "TYPE_ORDER");
    const lml_pq_schema_element *s;
    s = &m.schema[1];
    cr_assert_str_eq(s->name, "ByteType");
    cr_assert_eq(s->converted_type, LML_PQ_CT_INT_8);
    cr_assert_eq(s->logical.kind, LML_PQ_LT_INTEGER);
    cr_assert_eq(s->logical.bit_width, 8);
    cr_assert(s->logical.is_signed);
    s = &m.schema[7];
    cr_assert_str_eq(s->name, "decimal");
    cr_assert_eq(s->type, LML_PQ_INT64);
    cr_assert_eq(s->logical.kind, LML_PQ_LT_DECIMAL);
    cr_assert_eq(s->logical.scale, 2);
    cr_assert_eq(s->logical.precision, 10);
    cr_assert(s->has_scale && s->scale == 2 && s->has_precision && s->precision == 10);
    s = &m.schema[9];
    cr_assert_str_eq(s->name, "StringType");
    cr_assert_eq(s->logical.kind, LML_PQ_LT_STRING);
    cr_assert(s->has_converted_type && s->converted_type == LML_PQ_CT_UTF8);
    s = &m.schema[11];
    cr_assert_str_eq(s->name, "DateType");
    cr_assert_eq(s->logical.kind, LML_PQ_LT_DATE);
    s = &m.schema[12];
    cr_assert_str_eq(s->name, "TimestampType");
    cr_assert_eq(s->type, LML_PQ_INT96, "Spark writes TimestampType as INT96 by default");
    cr_assert_eq(s->logical.kind, LML_PQ_LT_NONE);
    s = &m.schema[13];
    cr_assert_str_eq(s->name, "TimestampNTZType");
    cr_assert_eq(s->type, LML_PQ_INT64);
    cr_assert_eq(s->logical.kind, LML_PQ_LT_TIMESTAMP);
    cr_assert_not(s->logical.adjusted_to_utc);
    cr_assert_eq(s->logical.unit, LML_PQ_MICROS);
    cr_assert_eq(s->converted_type, LML_PQ_CT_TIMESTAMP_MICROS);
    cr_assert_eq(m.schema[30].logical.kind, LML_PQ_LT_MAP);
    cr_assert_str_eq(m.schema[30].name, "map_of_prims");
    cr_assert_eq(m.schema[18].logical.kind, LML_PQ_LT_LIST);
    /* chunk statistics: ByteType has 3 nulls */
    const lml_pq_column_meta *bt = &m.row_groups[0].columns[0].meta;
    cr_assert(bt->statistics.present && bt->statistics.has_null_count);
    cr_assert_eq(bt->statistics.null_count, 3);
    cr_assert_eq(bt->codec, LML_PQ_SNAPPY);
    lml_pq_file_meta_clear(&m);
    free(f.data);
}

Test(parquet_meta, delta_binary_packed_has_66_columns)
{
    SHARED_FILE(path, "conformance/parquet/delta_binary_packed.parquet");
    pqfile f;
    lml_pq_file_meta m;
    decode_file(path, &f, &m);
    cr_assert_eq(m.num_rows, 200);
    cr_assert_eq(m.num_schema, 67);
    cr_assert_eq(m.schema[0].num_children, 66);
    cr_assert_eq(m.row_groups[0].num_columns, 66);
    cr_assert_eq(m.num_column_orders, 66);
    cr_assert_str_eq(m.schema[1].name, "bitwidth0");
    cr_assert_eq(m.schema[1].type, LML_PQ_INT64);
    for (size_t c = 0; c < 66; c++) {
        const lml_pq_column_meta *cm = &m.row_groups[0].columns[c].meta;
        cr_assert_eq(cm->num_values, 200);
        cr_assert_str_eq(cm->path_in_schema[0], m.schema[c + 1].name);
    }
    lml_pq_file_meta_clear(&m);
    free(f.data);
}

/* datapage_v2.snappy.parquet (parquet-mr 1.8.1): data_page_offset points at the dictionary page
 * (spec §1.1); the DATA_PAGE_V2 header follows the dictionary page's body. */
Test(parquet_meta, datapage_v2_page_headers)
{
    SHARED_FILE(path, "conformance/parquet/datapage_v2.snappy.parquet");
    pqfile f;
    lml_pq_file_meta m;
    lml_error err = {0};
    decode_file(path, &f, &m);
    cr_assert_eq(m.num_rows, 5);
    const lml_pq_column_meta *a = &m.row_groups[0].columns[0].meta;
    cr_assert_str_eq(a->path_in_schema[0], "a");
    cr_assert_eq(a->codec, LML_PQ_SNAPPY);
    cr_assert_not(a->has_dictionary_page_offset);
    cr_assert_eq(a->data_page_offset, 4);

    size_t off = (size_t)a->data_page_offset, used;
    lml_pq_page_header h;
    cr_assert(lml_pq_page_header_decode(f.data + off, f.size - off, path, &h, &used, &err), "%s", err.message);
    cr_assert_eq(h.type, LML_PQ_DICTIONARY_PAGE);
    cr_assert_eq(used, 13);
    cr_assert(h.has_dictionary_page);
    cr_assert_eq(h.dict_num_values, 1);
    cr_assert_eq(h.dict_encoding, LML_PQ_PLAIN);
    cr_assert_eq(h.compressed_page_size, 9);
    cr_assert_eq(h.uncompressed_page_size, 7);
    /* re-encoding gives the same 13 bytes */
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    cr_assert(lml_pq_page_header_encode(&h, &buf, &len, &cap, NULL));
    cr_assert_eq(len, used);
    cr_assert_eq(memcmp(buf, f.data + off, len), 0);
    off += used + (size_t)h.compressed_page_size;
    lml_pq_page_header_clear(&h);

    cr_assert(lml_pq_page_header_decode(f.data + off, f.size - off, path, &h, &used, &err), "%s", err.message);
    cr_assert_eq(h.type, LML_PQ_DATA_PAGE_V2);
    cr_assert(h.has_data_page_v2);
    cr_assert_eq(h.uncompressed_page_size, 4);
    cr_assert_eq(h.compressed_page_size, 6);
    cr_assert_eq(h.v2_num_values, 5);
    cr_assert_eq(h.v2_num_nulls, 1);
    cr_assert_eq(h.v2_num_rows, 5);
    cr_assert_eq(h.v2_encoding, LML_PQ_RLE_DICTIONARY);
    cr_assert_eq(h.v2_def_length, 2);
    cr_assert_eq(h.v2_rep_length, 0);
    cr_assert(h.v2_is_compressed, "absent is_compressed defaults to true");
    cr_assert(h.statistics.present);
    cr_assert_eq(h.statistics.max.len, 3);
    cr_assert_eq(memcmp(h.statistics.max.data, "abc", 3), 0);
    cr_assert_eq(memcmp(h.statistics.min.data, "abc", 3), 0);
    cr_assert_eq(h.statistics.null_count, 1);
    len = 0;
    cr_assert(lml_pq_page_header_encode(&h, &buf, &len, &cap, NULL));
    cr_assert_eq(len, used);
    cr_assert_eq(memcmp(buf, f.data + off, len), 0);
    free(buf);
    lml_pq_page_header_clear(&h);
    lml_pq_file_meta_clear(&m);
    free(f.data);
}

Test(parquet_meta, unknown_logical_type_member_is_kept)
{
    SHARED_FILE(path, "conformance/parquet/unknown-logical-type.parquet");
    pqfile f;
    lml_pq_file_meta m;
    decode_file(path, &f, &m);
    cr_assert_str_eq(m.schema[1].name, "column with known type");
    cr_assert_eq(m.schema[1].logical.kind, LML_PQ_LT_STRING);
    cr_assert_str_eq(m.schema[2].name, "column with unknown type");
    cr_assert_eq(m.schema[2].logical.kind, 2555);
    cr_assert_eq(m.schema[2].type, LML_PQ_BYTE_ARRAY);
    lml_pq_file_meta_clear(&m);
    free(f.data);
}

/* dict-page-offset-zero.parquet carries a list in ColumnMetaData field 15 (bloom_filter_length,
 * an i32 today): skipped like an unknown field, as parquet-mr/Arrow do. */
Test(parquet_meta, known_optional_field_of_wrong_wire_type_is_skipped)
{
    SHARED_FILE(path, "conformance/parquet/dict-page-offset-zero.parquet");
    pqfile f;
    lml_pq_file_meta m;
    decode_file(path, &f, &m);
    const lml_pq_column_meta *cm = &m.row_groups[0].columns[0].meta;
    cr_assert_not(cm->has_bloom_filter_length);
    cr_assert(cm->has_dictionary_page_offset);
    cr_assert_eq(cm->dictionary_page_offset, 0);
    cr_assert_eq(m.num_rows, 39);
    lml_pq_file_meta_clear(&m);
    free(f.data);
}

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

Test(parquet_meta, sorting_columns_decode)
{
    SHARED_FILE(path, "conformance/parquet/sort_columns.parquet");
    pqfile f;
    lml_pq_file_meta m;
    decode_file(path, &f, &m);
    cr_assert_eq(m.num_row_groups, 2);
    const lml_pq_row_group *g = &m.row_groups[0];
    cr_assert_eq(g->num_sorting_columns, 2);
    cr_assert_eq(g->sorting_columns[0].column_idx, 0);
    cr_assert(g->sorting_columns[0].descending);
    cr_assert(g->sorting_columns[0].nulls_first);
    cr_assert_eq(g->sorting_columns[1].column_idx, 1);
    cr_assert_not(g->sorting_columns[1].descending);
    cr_assert_not(g->sorting_columns[1].nulls_first);
    lml_pq_file_meta_clear(&m);
    free(f.data);
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

/* ---- hostile footers */

static lml_error decode_fail(const uint8_t *buf, size_t len)
{
    lml_pq_file_meta m;
    lml_error err = {0};
    cr_assert_not(lml_pq_file_meta_decode(buf, len, "bad.parquet", &m, &err), "decoded %zu bytes", len);
    cr_assert_eq(err.code, LML_EFORMAT, "%s", err.message);
    cr_assert_eq(m.schema, NULL, "cleared on failure");
    return err;
}

Test(parquet_meta, truncated_footers_fail_at_every_length)
{
    for (size_t n = 0; n < sizeof HAND_FOOTER; n++)
        decode_fail(HAND_FOOTER, n);
    SHARED_FILE(path, "conformance/parquet/alltypes_plain.parquet");
    pqfile f;
    load(path, &f);
    for (size_t n = 0; n < f.footer_len; n++) {
        /* a copy of exactly n bytes so ASan catches any read past them */
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, f.footer, n);
        decode_fail(cut, n);
        free(cut);
    }
    free(f.data);
}

Test(parquet_meta, hostile_sizes_are_eformat)
{
    /* schema list announcing 2^31-1 structs in a 12-byte footer */
    const uint8_t biglist[] = {0x15, 0x02, 0x19, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00, 0x00, 0x00};
    lml_error e = decode_fail(biglist, sizeof biglist);
    cr_assert(strstr(e.message, "list of 2147483647 struct elements cannot fit"), "%s", e.message);
    /* created_by with a length past the end */
    const uint8_t bigstr[] = {0x15, 0x02, 0x58, 0xff, 0xff, 0xff, 0x7f, 'a', 'b'};
    e = decode_fail(bigstr, sizeof bigstr);
    cr_assert(strstr(e.message, "bad.parquet: offset 7: binary length 268435455 exceeds the 2 bytes left"), "%s",
              e.message);
}

Test(parquet_meta, deep_nesting_in_unknown_field_is_eformat)
{
    static uint8_t buf[300];
    size_t n = 0;
    buf[n++] = 0x15;
    buf[n++] = 0x02;
    buf[n++] = 0x0c; /* long form: field 20, struct */
    buf[n++] = 0x28;
    for (int i = 0; i < 100; i++)
        buf[n++] = 0x1c;
    memset(buf + n, 0, 110);
    n += 110;
    lml_error e = decode_fail(buf, n);
    cr_assert(strstr(e.message, "nesting deeper than 64 levels"), "%s", e.message);
}

Test(parquet_meta, missing_required_field_names_struct_and_field)
{
    /* FileMetaData without num_rows */
    const uint8_t nonum[] = {0x15, 0x02, 0x19, 0x1c, 0x48, 0x01, 's', 0x00, 0x29, 0x0c, 0x00};
    lml_error e = decode_fail(nonum, sizeof nonum);
    cr_assert(strstr(e.message, "FileMetaData: required field 'num_rows' (3) missing"), "%s", e.message);
    /* SchemaElement without name */
    const uint8_t noname[] = {0x15, 0x02, 0x19, 0x1c, 0x15, 0x02, 0x00, 0x16, 0x00, 0x19, 0x0c, 0x00};
    e = decode_fail(noname, sizeof noname);
    cr_assert(strstr(e.message, "SchemaElement: required field 'name' (4) missing"), "%s", e.message);
    /* KeyValue without key inside an otherwise complete footer */
    const uint8_t nokey[] = {0x15, 0x02, 0x19, 0x1c, 0x48, 0x01, 's', 0x00, 0x16, 0x00, 0x19, 0x0c,
                             0x19, 0x1c, 0x28, 0x01, 'v', 0x00, 0x00};
    e = decode_fail(nokey, sizeof nokey);
    cr_assert(strstr(e.message, "KeyValue: required field 'key' (1) missing"), "%s", e.message);
}

Test(parquet_meta, wrong_wire_type_for_required_field_is_eformat)
{
    /* version sent as binary, num_rows as i32, schema as a struct */
    const uint8_t badver[] = {0x18, 0x01, 'x', 0x19, 0x1c, 0x48, 0x01, 's', 0x00, 0x16, 0x00, 0x19, 0x0c, 0x00};
    lml_error e = decode_fail(badver, sizeof badver);
    cr_assert(strstr(e.message, "FileMetaData: required field 'version' (1) has wire type binary, expected i32"),
              "%s", e.message);
    const uint8_t badrows[] = {0x15, 0x02, 0x19, 0x1c, 0x48, 0x01, 's', 0x00, 0x15, 0x00, 0x19, 0x0c, 0x00};
    e = decode_fail(badrows, sizeof badrows);
    cr_assert(strstr(e.message, "'num_rows' (3) has wire type i32, expected i64"), "%s", e.message);
    /* schema as list<i32>: the element type is checked */
    const uint8_t badelem[] = {0x15, 0x02, 0x19, 0x15, 0x02, 0x16, 0x00, 0x19, 0x0c, 0x00};
    e = decode_fail(badelem, sizeof badelem);
    cr_assert(strstr(e.message, "FileMetaData.schema: expected list<struct>, found list<i32>"), "%s", e.message);
    /* a known field appearing twice */
    const uint8_t twice[] = {0x15, 0x02, 0x19, 0x1c, 0x48, 0x01, 's', 0x08, 0x08, 0x01, 't', 0x00, 0x16, 0x00, 0x19,
                             0x0c, 0x00};
    e = decode_fail(twice, sizeof twice);
    cr_assert(strstr(e.message, "SchemaElement.name (field 4) appears twice"), "%s", e.message);
    /* LogicalType with two members set */
    const uint8_t twomembers[] = {0x15, 0x02, 0x19, 0x1c, 0x48, 0x01, 's', 0x6c, 0x1c, 0x00, 0x1c, 0x00, 0x00,
                                  0x00, 0x16, 0x00, 0x19, 0x0c, 0x00};
    e = decode_fail(twomembers, sizeof twomembers);
    cr_assert(strstr(e.message, "LogicalType: union has more than one member set (field 2)"), "%s", e.message);
}

/* Minimal valid footer with extra fields: an extension field 32767, FileMetaData field 8
 * (encryption_algorithm) and ColumnChunk field 8 (crypto_metadata). */
Test(parquet_meta, extension_field_skipped_and_encryption_marked)
{
    const uint8_t in[] = {0x15, 0x02, 0x19, 0x1c, 0x48, 0x01, 's', 0x00, 0x16, 0x02,
                          0x19, 0x1c,                                      /* one row group */
                          0x19, 0x1c, 0x26, 0x00, 0x6c, 0x00, 0x00,        /* chunk: file_offset 0, 8: {} */
                          0x16, 0x00, 0x16, 0x02, 0x00,
                          0x4c, 0x00,                                      /* 8: encryption_algorithm {} */
                          0x08, 0xfe, 0xff, 0x03, 0x02, 0xab, 0xcd,        /* 32767: binary */
                          0x00};
    lml_pq_file_meta m;
    lml_error err = {0};
    cr_assert(lml_pq_file_meta_decode(in, sizeof in, "enc", &m, &err), "%s", err.message);
    cr_assert(m.encrypted);
    cr_assert(m.row_groups[0].columns[0].encrypted);
    cr_assert_not(m.row_groups[0].columns[0].has_meta_data);
    cr_assert_eq(m.num_rows, 1);
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    cr_assert_not(lml_pq_file_meta_encode(&m, &buf, &len, &cap, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
    cr_assert_eq(len, 0);
    m.encrypted = false; /* the column's crypto_metadata alone is refused too */
    cr_assert_not(lml_pq_file_meta_encode(&m, &buf, &len, &cap, &err));
    cr_assert(strstr(err.message, "row group 0 column 0: encrypted column metadata"), "%s", err.message);
    free(buf);
    lml_pq_file_meta_clear(&m);
}

/* bad_data/: footers either decode or fail cleanly. PARQUET-1481's corrupted physical type (-7)
 * decodes: enum ranges are checked by the reader, not here. */
Test(parquet_meta, bad_data_footers)
{
    const char *files[] = {"ARROW-GH-43605.parquet", "ARROW-GH-45185.parquet", "ARROW-GH-47662.parquet",
                           "ARROW-RS-GH-6229-DICTHEADER.parquet", "ARROW-RS-GH-6229-LEVELS.parquet",
                           "PARQUET-1481.parquet"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "conformance/parquet/bad_data/%s", files[i]);
        SHARED_FILE(path, rel);
        pqfile f;
        lml_pq_file_meta m;
        decode_file(path, &f, &m);
        cr_assert_gt(m.num_schema, 1, "%s", files[i]);
        if (strcmp(files[i], "PARQUET-1481.parquet") == 0) {
            cr_assert_eq(m.num_rows, 34);
            cr_assert_str_eq(m.schema[1].name, "Handle");
            cr_assert(m.schema[1].has_type);
            cr_assert_eq(m.schema[1].type, -7, "corrupt type kept as read for the reader to refuse");
            cr_assert_eq(m.row_groups[0].columns[0].meta.type, -7);
        }
        lml_pq_file_meta_clear(&m);
        free(f.data);
    }
}

/* Every footer of the parquet conformance corpus decodes and survives decode -> encode -> decode
 * as an identical struct. */
Test(parquet_meta, every_conformance_footer_round_trips)
{
    SHARED_FILE(dir, "conformance/parquet");
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

/* Parquet metadata decode (src/io/parquet/meta_read.c): footers and page headers of real files
 * in ../shared/conformance, including the bad_data corpus. Re-encoding and hand-computed bytes
 * are in test_parquet_meta_encode.c, hostile footers in test_parquet_meta_hostile.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/io/parquet/meta.h"
#include "pq_support.h"
#include "support.h"

/* ---- real footers */

Test(parquet_meta, alltypes_plain_footer)
{
    LML_REQUIRE_SHARED(path, "conformance/parquet/alltypes_plain.parquet");
    lml_test_pq_footer f;
    lml_pq_file_meta m;
    lml_test_pq_decode_file(path, &f, &m);
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
    LML_REQUIRE_SHARED(path, "conformance/delta/golden/parquet-all-types/"
                      "part-00000-bf6680d4-5e83-4fce-8ebb-d2b60d7e69c9-c000.snappy.parquet");
    lml_test_pq_footer f;
    lml_pq_file_meta m;
    lml_test_pq_decode_file(path, &f, &m);
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
    LML_REQUIRE_SHARED(path, "conformance/parquet/delta_binary_packed.parquet");
    lml_test_pq_footer f;
    lml_pq_file_meta m;
    lml_test_pq_decode_file(path, &f, &m);
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
    LML_REQUIRE_SHARED(path, "conformance/parquet/datapage_v2.snappy.parquet");
    lml_test_pq_footer f;
    lml_pq_file_meta m;
    lml_error err = {0};
    lml_test_pq_decode_file(path, &f, &m);
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
    LML_REQUIRE_SHARED(path, "conformance/parquet/unknown-logical-type.parquet");
    lml_test_pq_footer f;
    lml_pq_file_meta m;
    lml_test_pq_decode_file(path, &f, &m);
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
    LML_REQUIRE_SHARED(path, "conformance/parquet/dict-page-offset-zero.parquet");
    lml_test_pq_footer f;
    lml_pq_file_meta m;
    lml_test_pq_decode_file(path, &f, &m);
    const lml_pq_column_meta *cm = &m.row_groups[0].columns[0].meta;
    cr_assert_not(cm->has_bloom_filter_length);
    cr_assert(cm->has_dictionary_page_offset);
    cr_assert_eq(cm->dictionary_page_offset, 0);
    cr_assert_eq(m.num_rows, 39);
    lml_pq_file_meta_clear(&m);
    free(f.data);
}

Test(parquet_meta, sorting_columns_decode)
{
    LML_REQUIRE_SHARED(path, "conformance/parquet/sort_columns.parquet");
    lml_test_pq_footer f;
    lml_pq_file_meta m;
    lml_test_pq_decode_file(path, &f, &m);
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
        LML_REQUIRE_SHARED(path, rel);
        lml_test_pq_footer f;
        lml_pq_file_meta m;
        lml_test_pq_decode_file(path, &f, &m);
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

/* Parquet metadata decode of hostile footers (src/io/parquet/meta_read.c): sizes past the
 * buffer, deep nesting, missing required fields, wrong wire types, and the extension and
 * encryption fields that are skipped or marked rather than decoded. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/io/parquet/meta.h"
#include "pq_support.h"
#include "support.h"

Test(parquet_meta, hostile_sizes_are_eformat)
{
    /* schema list announcing 2^31-1 structs in a 12-byte footer */
    const uint8_t biglist[] = {0x15, 0x02, 0x19, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00, 0x00, 0x00};
    lml_error e = lml_test_pq_decode_fail(biglist, sizeof biglist);
    cr_assert(strstr(e.message, "list of 2147483647 struct elements cannot fit"), "%s", e.message);
    /* created_by with a length past the end */
    const uint8_t bigstr[] = {0x15, 0x02, 0x58, 0xff, 0xff, 0xff, 0x7f, 'a', 'b'};
    e = lml_test_pq_decode_fail(bigstr, sizeof bigstr);
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
    lml_error e = lml_test_pq_decode_fail(buf, n);
    cr_assert(strstr(e.message, "nesting deeper than 64 levels"), "%s", e.message);
}

Test(parquet_meta, missing_required_field_names_struct_and_field)
{
    /* FileMetaData without num_rows */
    const uint8_t nonum[] = {0x15, 0x02, 0x19, 0x1c, 0x48, 0x01, 's', 0x00, 0x29, 0x0c, 0x00};
    lml_error e = lml_test_pq_decode_fail(nonum, sizeof nonum);
    cr_assert(strstr(e.message, "FileMetaData: required field 'num_rows' (3) missing"), "%s", e.message);
    /* SchemaElement without name */
    const uint8_t noname[] = {0x15, 0x02, 0x19, 0x1c, 0x15, 0x02, 0x00, 0x16, 0x00, 0x19, 0x0c, 0x00};
    e = lml_test_pq_decode_fail(noname, sizeof noname);
    cr_assert(strstr(e.message, "SchemaElement: required field 'name' (4) missing"), "%s", e.message);
    /* KeyValue without key inside an otherwise complete footer */
    const uint8_t nokey[] = {0x15, 0x02, 0x19, 0x1c, 0x48, 0x01, 's', 0x00, 0x16, 0x00, 0x19, 0x0c,
                             0x19, 0x1c, 0x28, 0x01, 'v', 0x00, 0x00};
    e = lml_test_pq_decode_fail(nokey, sizeof nokey);
    cr_assert(strstr(e.message, "KeyValue: required field 'key' (1) missing"), "%s", e.message);
}

Test(parquet_meta, wrong_wire_type_for_required_field_is_eformat)
{
    /* version sent as binary, num_rows as i32, schema as a struct */
    const uint8_t badver[] = {0x18, 0x01, 'x', 0x19, 0x1c, 0x48, 0x01, 's', 0x00, 0x16, 0x00, 0x19, 0x0c, 0x00};
    lml_error e = lml_test_pq_decode_fail(badver, sizeof badver);
    cr_assert(strstr(e.message, "FileMetaData: required field 'version' (1) has wire type binary, expected i32"),
              "%s", e.message);
    const uint8_t badrows[] = {0x15, 0x02, 0x19, 0x1c, 0x48, 0x01, 's', 0x00, 0x15, 0x00, 0x19, 0x0c, 0x00};
    e = lml_test_pq_decode_fail(badrows, sizeof badrows);
    cr_assert(strstr(e.message, "'num_rows' (3) has wire type i32, expected i64"), "%s", e.message);
    /* schema as list<i32>: the element type is checked */
    const uint8_t badelem[] = {0x15, 0x02, 0x19, 0x15, 0x02, 0x16, 0x00, 0x19, 0x0c, 0x00};
    e = lml_test_pq_decode_fail(badelem, sizeof badelem);
    cr_assert(strstr(e.message, "FileMetaData.schema: expected list<struct>, found list<i32>"), "%s", e.message);
    /* a known field appearing twice */
    const uint8_t twice[] = {0x15, 0x02, 0x19, 0x1c, 0x48, 0x01, 's', 0x08, 0x08, 0x01, 't', 0x00, 0x16, 0x00, 0x19,
                             0x0c, 0x00};
    e = lml_test_pq_decode_fail(twice, sizeof twice);
    cr_assert(strstr(e.message, "SchemaElement.name (field 4) appears twice"), "%s", e.message);
    /* LogicalType with two members set */
    const uint8_t twomembers[] = {0x15, 0x02, 0x19, 0x1c, 0x48, 0x01, 's', 0x6c, 0x1c, 0x00, 0x1c, 0x00, 0x00,
                                  0x00, 0x16, 0x00, 0x19, 0x0c, 0x00};
    e = lml_test_pq_decode_fail(twomembers, sizeof twomembers);
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

/* Thrift compact protocol (src/io/parquet/thrift.c): encodings checked against hand-computed bytes
 * from spec/parquet.md §2, and hostile inputs that must fail cleanly with LML_EFORMAT. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/io/parquet/thrift.h"

typedef struct obuf {
    uint8_t *buf;
    size_t len, cap;
    lml_pq_tc_writer w;
} obuf;

static void ob_init(obuf *o)
{
    memset(o, 0, sizeof *o);
    lml_pq_tc_writer_init(&o->w, &o->buf, &o->len, &o->cap);
}

static void assert_bytes(const obuf *o, const uint8_t *want, size_t n)
{
    cr_assert_eq(o->len, n, "length %zu, expected %zu", o->len, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(o->buf[i], want[i], "byte %zu: %02x, expected %02x", i, o->buf[i], want[i]);
}

Test(parquet_thrift, uvarint_50399_is_df_89_03)
{
    obuf o;
    ob_init(&o);
    lml_pq_tc_write_uvarint(&o.w, 50399);
    assert_bytes(&o, (const uint8_t[]){0xdf, 0x89, 0x03}, 3);
    lml_pq_tc_reader r;
    lml_pq_tc_reader_init(&r, o.buf, o.len, "t");
    uint64_t v;
    cr_assert(lml_pq_tc_read_uvarint(&r, &v, NULL));
    cr_assert_eq(v, 50399);
    cr_assert_eq(lml_pq_tc_left(&r), 0);
    free(o.buf);
}

Test(parquet_thrift, zigzag_small_values_and_extremes_round_trip)
{
    obuf o;
    ob_init(&o);
    const int32_t v32[] = {0, -1, 1, -2, 2, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < 7; i++)
        lml_pq_tc_write_i32(&o.w, v32[i]);
    lml_pq_tc_write_i64(&o.w, INT64_MIN);
    lml_pq_tc_write_i64(&o.w, INT64_MAX);
    /* zigzag: 0->0, -1->1, 1->2, -2->3, 2->4 (one byte each) */
    cr_assert_eq(memcmp(o.buf, (const uint8_t[]){0, 1, 2, 3, 4}, 5), 0);
    /* INT32_MIN -> 2^32-1 -> ff ff ff ff 0f */
    cr_assert_eq(memcmp(o.buf + 5, (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0x0f}, 5), 0);
    lml_pq_tc_reader r;
    lml_pq_tc_reader_init(&r, o.buf, o.len, "t");
    for (size_t i = 0; i < 7; i++) {
        int32_t x;
        cr_assert(lml_pq_tc_read_i32(&r, &x, NULL));
        cr_assert_eq(x, v32[i]);
    }
    int64_t a, b;
    cr_assert(lml_pq_tc_read_i64(&r, &a, NULL) && lml_pq_tc_read_i64(&r, &b, NULL));
    cr_assert_eq(a, INT64_MIN);
    cr_assert_eq(b, INT64_MAX);
    cr_assert_eq(lml_pq_tc_left(&r), 0);
    free(o.buf);
}

Test(parquet_thrift, i32_out_of_range_and_overlong_varint_are_eformat)
{
    /* zigzag 2^32 = i64 2^31, one past INT32_MAX */
    const uint8_t big[] = {0x80, 0x80, 0x80, 0x80, 0x10};
    lml_pq_tc_reader r;
    lml_error err = {0};
    int32_t x;
    lml_pq_tc_reader_init(&r, big, sizeof big, "big.bin");
    cr_assert_not(lml_pq_tc_read_i32(&r, &x, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "big.bin: offset 5: i32 value 2147483648 out of range"), "%s", err.message);

    uint8_t longv[11];
    memset(longv, 0xff, sizeof longv);
    uint64_t u;
    lml_pq_tc_reader_init(&r, longv, sizeof longv, "t");
    cr_assert_not(lml_pq_tc_read_uvarint(&r, &u, &err));
    cr_assert(strstr(err.message, "longer than 64 bits"), "%s", err.message);

    lml_pq_tc_reader_init(&r, longv, 3, "t"); /* continuation bits to the end */
    cr_assert_not(lml_pq_tc_read_uvarint(&r, &u, &err));
    cr_assert(strstr(err.message, "truncated varint"), "%s", err.message);
}

Test(parquet_thrift, double_is_little_endian)
{
    obuf o;
    ob_init(&o);
    lml_pq_tc_write_double(&o.w, 1.0);
    assert_bytes(&o, (const uint8_t[]){0, 0, 0, 0, 0, 0, 0xf0, 0x3f}, 8);
    lml_pq_tc_reader r;
    lml_pq_tc_reader_init(&r, o.buf, o.len, "t");
    double d;
    cr_assert(lml_pq_tc_read_double(&r, &d, NULL));
    cr_assert_eq(d, 1.0);
    free(o.buf);
}

/* Field headers: short form for deltas 1..15, long form otherwise (17, 32767, going backwards),
 * booleans folded into the header, each nested struct with its own id context. */
Test(parquet_thrift, field_headers_short_long_and_nested_contexts)
{
    obuf o;
    ob_init(&o);
    lml_pq_tc_write_struct_begin(&o.w);
    lml_pq_tc_field_i32(&o.w, 1, 1);              /* 15 02 */
    lml_pq_tc_field_i32(&o.w, 17, -1);            /* 05 22 01 (long: zigzag 17 = 34) */
    lml_pq_tc_write_bool_field(&o.w, 18, true);   /* 11 */
    lml_pq_tc_write_bool_field(&o.w, 19, false);  /* 12 */
    lml_pq_tc_field_struct_begin(&o.w, 20);       /* 1c */
    lml_pq_tc_field_string(&o.w, 4, "ab");        /* 48 02 61 62 */
    lml_pq_tc_write_struct_end(&o.w);             /* 00 */
    lml_pq_tc_field_i64(&o.w, 2, 5);              /* 06 04 0a (backwards: long form) */
    lml_pq_tc_field_i32(&o.w, 32767, 0);          /* 05 fe ff 03 00 */
    lml_pq_tc_write_struct_end(&o.w);             /* 00 */
    cr_assert(lml_pq_tc_writer_finish(&o.w, NULL));
    const uint8_t want[] = {0x15, 0x02, 0x05, 0x22, 0x01, 0x11, 0x12, 0x1c, 0x48, 0x02, 0x61, 0x62, 0x00,
                            0x06, 0x04, 0x0a, 0x05, 0xfe, 0xff, 0x03, 0x00, 0x00};
    assert_bytes(&o, want, sizeof want);

    lml_pq_tc_reader r;
    lml_pq_tc_reader_init(&r, o.buf, o.len, "t");
    int16_t id;
    int t;
    cr_assert(lml_pq_tc_struct_begin(&r, NULL));
    const int16_t ids[] = {1, 17, 18, 19, 20};
    const int types[] = {LML_PQ_TC_I32, LML_PQ_TC_I32, LML_PQ_TC_TRUE, LML_PQ_TC_FALSE, LML_PQ_TC_STRUCT};
    for (int i = 0; i < 5; i++) {
        cr_assert(lml_pq_tc_read_field(&r, &id, &t, NULL));
        cr_assert_eq(id, ids[i]);
        cr_assert_eq(t, types[i]);
        if (t != LML_PQ_TC_STRUCT)
            cr_assert(lml_pq_tc_skip(&r, t, NULL));
    }
    cr_assert(lml_pq_tc_struct_begin(&r, NULL));
    cr_assert(lml_pq_tc_read_field(&r, &id, &t, NULL));
    cr_assert_eq(id, 4);
    const uint8_t *s;
    size_t n;
    cr_assert(lml_pq_tc_read_binary(&r, &s, &n, NULL));
    cr_assert_eq(n, 2);
    cr_assert_eq(memcmp(s, "ab", 2), 0);
    cr_assert(lml_pq_tc_read_field(&r, &id, &t, NULL));
    cr_assert_eq(t, LML_PQ_TC_STOP);
    lml_pq_tc_struct_end(&r);
    cr_assert(lml_pq_tc_read_field(&r, &id, &t, NULL));
    cr_assert_eq(id, 2, "outer context restored after the nested STOP: %d", id);
    cr_assert_eq(t, LML_PQ_TC_I64);
    cr_assert(lml_pq_tc_skip(&r, t, NULL));
    cr_assert(lml_pq_tc_read_field(&r, &id, &t, NULL));
    cr_assert_eq(id, 32767);
    cr_assert(lml_pq_tc_skip(&r, t, NULL));
    cr_assert(lml_pq_tc_read_field(&r, &id, &t, NULL));
    cr_assert_eq(t, LML_PQ_TC_STOP);
    cr_assert_eq(lml_pq_tc_left(&r), 0);
    free(o.buf);
}

Test(parquet_thrift, list_headers_short_and_long_form)
{
    obuf o;
    ob_init(&o);
    lml_pq_tc_write_list(&o.w, LML_PQ_TC_I32, 3);     /* 35 */
    lml_pq_tc_write_list(&o.w, LML_PQ_TC_STRUCT, 19); /* fc 13 (spec §2.6) */
    lml_pq_tc_write_list(&o.w, LML_PQ_TC_BINARY, 14); /* e8 */
    lml_pq_tc_write_list(&o.w, LML_PQ_TC_BINARY, 15); /* f8 0f */
    assert_bytes(&o, (const uint8_t[]){0x35, 0xfc, 0x13, 0xe8, 0xf8, 0x0f}, 6);
    free(o.buf);

    /* 19 struct elements: 19 STOP bytes follow the header. */
    uint8_t in[21] = {0xfc, 0x13};
    lml_pq_tc_reader r;
    lml_pq_tc_reader_init(&r, in, sizeof in, "t");
    int et;
    size_t count;
    cr_assert(lml_pq_tc_read_list(&r, &et, &count, NULL));
    cr_assert_eq(et, LML_PQ_TC_STRUCT);
    cr_assert_eq(count, 19);
}

Test(parquet_thrift, list_size_larger_than_buffer_is_eformat)
{
    /* 2^31-1 i32 elements announced in a 10-byte input */
    const uint8_t huge[] = {0xf5, 0xff, 0xff, 0xff, 0xff, 0x07, 0, 0, 0, 0};
    lml_pq_tc_reader r;
    lml_error err = {0};
    int et;
    size_t count;
    lml_pq_tc_reader_init(&r, huge, sizeof huge, "footer");
    cr_assert_not(lml_pq_tc_read_list(&r, &et, &count, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "list of 2147483647 i32 elements cannot fit in the 4 bytes left"), "%s",
              err.message);
    /* 2^31 itself exceeds the i32 size field */
    const uint8_t over[] = {0xf5, 0x80, 0x80, 0x80, 0x80, 0x08};
    lml_pq_tc_reader_init(&r, over, sizeof over, "footer");
    cr_assert_not(lml_pq_tc_read_list(&r, &et, &count, &err));
    cr_assert(strstr(err.message, "list size 2147483648 out of range"), "%s", err.message);
    /* doubles take 8 bytes each: 2 doubles do not fit in 15 bytes */
    uint8_t dbl[16] = {0x27};
    lml_pq_tc_reader_init(&r, dbl, sizeof dbl, "footer");
    cr_assert_not(lml_pq_tc_read_list(&r, &et, &count, &err));
    dbl[0] = 0x17;
    lml_pq_tc_reader_init(&r, dbl, sizeof dbl, "footer");
    cr_assert(lml_pq_tc_read_list(&r, &et, &count, NULL));
    cr_assert_eq(count, 1);
}

Test(parquet_thrift, binary_length_past_end_is_eformat)
{
    const uint8_t in[] = {0x05, 'a', 'b', 'c', 'd'};
    lml_pq_tc_reader r;
    lml_error err = {0};
    const uint8_t *d;
    size_t n;
    lml_pq_tc_reader_init(&r, in, sizeof in, "x.parquet");
    cr_assert_not(lml_pq_tc_read_binary(&r, &d, &n, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "x.parquet: offset 1: binary length 5 exceeds the 4 bytes left"), "%s",
              err.message);
    lml_pq_tc_reader_init(&r, in, sizeof in, "x.parquet");
    cr_assert_not(lml_pq_tc_skip(&r, LML_PQ_TC_BINARY, &err));
}

/* k nested structs: field 1 (struct) k-1 times, then k STOP bytes. */
static size_t nested_structs(uint8_t *buf, int k)
{
    size_t n = 0;
    for (int i = 0; i < k - 1; i++)
        buf[n++] = 0x1c;
    for (int i = 0; i < k; i++)
        buf[n++] = 0x00;
    return n;
}

Test(parquet_thrift, nesting_deeper_than_limit_is_eformat)
{
    static uint8_t buf[40000];
    lml_pq_tc_reader r;
    lml_error err = {0};
    size_t n = nested_structs(buf, LML_PQ_TC_MAX_DEPTH);
    lml_pq_tc_reader_init(&r, buf, n, "t");
    cr_assert(lml_pq_tc_skip(&r, LML_PQ_TC_STRUCT, &err), "%s", err.message);
    cr_assert_eq(lml_pq_tc_left(&r), 0);
    cr_assert_eq(r.depth, 0);

    n = nested_structs(buf, LML_PQ_TC_MAX_DEPTH + 1);
    lml_pq_tc_reader_init(&r, buf, n, "t");
    cr_assert_not(lml_pq_tc_skip(&r, LML_PQ_TC_STRUCT, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "nesting deeper than 64 levels"), "%s", err.message);

    /* 20000 lists of one list each: must stop at the limit, not overflow the stack */
    memset(buf, 0x19, 20000);
    buf[20000] = 0x00;
    lml_pq_tc_reader_init(&r, buf, 20001, "t");
    cr_assert_not(lml_pq_tc_skip(&r, LML_PQ_TC_LIST, &err));
    cr_assert(strstr(err.message, "nesting deeper"), "%s", err.message);
}

/* A struct holding one field of every wire type (map included) is skipped exactly. */
Test(parquet_thrift, skip_handles_every_wire_type)
{
    obuf o;
    ob_init(&o);
    lml_pq_tc_write_struct_begin(&o.w);
    lml_pq_tc_write_bool_field(&o.w, 1, true);
    lml_pq_tc_write_field(&o.w, 2, LML_PQ_TC_I8);
    lml_pq_tc_write_i8(&o.w, -3);
    lml_pq_tc_write_field(&o.w, 3, LML_PQ_TC_I16);
    lml_pq_tc_write_i32(&o.w, -300);
    lml_pq_tc_field_i32(&o.w, 4, 70000);
    lml_pq_tc_field_i64(&o.w, 5, -5000000000LL);
    lml_pq_tc_write_field(&o.w, 6, LML_PQ_TC_DOUBLE);
    lml_pq_tc_write_double(&o.w, 2.5);
    lml_pq_tc_field_string(&o.w, 7, "hello");
    lml_pq_tc_write_field(&o.w, 8, LML_PQ_TC_LIST); /* list<bool> 1, 2 */
    lml_pq_tc_write_list(&o.w, LML_PQ_TC_TRUE, 2);
    lml_pq_tc_write_raw(&o.w, (const uint8_t[]){1, 2}, 2);
    lml_pq_tc_write_field(&o.w, 9, LML_PQ_TC_SET); /* set<i64> */
    lml_pq_tc_write_list(&o.w, LML_PQ_TC_I64, 1);
    lml_pq_tc_write_i64(&o.w, 7);
    lml_pq_tc_write_field(&o.w, 10, LML_PQ_TC_MAP); /* map<binary,i32> 2 entries */
    lml_pq_tc_write_uvarint(&o.w, 2);
    lml_pq_tc_write_raw(&o.w, (const uint8_t[]){0x85}, 1);
    lml_pq_tc_write_binary(&o.w, "k", 1);
    lml_pq_tc_write_i32(&o.w, 1);
    lml_pq_tc_write_binary(&o.w, "l", 1);
    lml_pq_tc_write_i32(&o.w, 2);
    lml_pq_tc_write_field(&o.w, 11, LML_PQ_TC_MAP); /* empty map */
    lml_pq_tc_write_uvarint(&o.w, 0);
    lml_pq_tc_write_field(&o.w, 12, LML_PQ_TC_UUID);
    lml_pq_tc_write_raw(&o.w, "0123456789abcdef", 16);
    lml_pq_tc_field_struct_begin(&o.w, 13);
    lml_pq_tc_field_i32(&o.w, 1, 1);
    lml_pq_tc_write_struct_end(&o.w);
    lml_pq_tc_write_struct_end(&o.w);
    lml_pq_tc_write_raw(&o.w, "Z", 1); /* a sentinel after the struct */
    cr_assert(lml_pq_tc_writer_finish(&o.w, NULL));

    lml_pq_tc_reader r;
    lml_pq_tc_reader_init(&r, o.buf, o.len, "t");
    lml_error err = {0};
    cr_assert(lml_pq_tc_skip(&r, LML_PQ_TC_STRUCT, &err), "%s", err.message);
    cr_assert_eq(lml_pq_tc_left(&r), 1);
    cr_assert_eq(*r.p, 'Z');

    /* every truncation of it fails cleanly */
    for (size_t cut = 0; cut + 1 < o.len; cut++) {
        lml_pq_tc_reader_init(&r, o.buf, cut, "t");
        cr_assert_not(lml_pq_tc_skip(&r, LML_PQ_TC_STRUCT, &err), "cut %zu", cut);
        cr_assert_eq(err.code, LML_EFORMAT);
    }
    free(o.buf);
}

Test(parquet_thrift, bool_list_elements_follow_parquet_mr)
{
    /* ColumnIndex.null_pages as parquet-mr writes it: header 41 (4 x bool), values 02 02 01 02 */
    const uint8_t in[] = {0x41, 0x02, 0x02, 0x01, 0x02};
    lml_pq_tc_reader r;
    lml_pq_tc_reader_init(&r, in, sizeof in, "t");
    int et;
    size_t count;
    cr_assert(lml_pq_tc_read_list(&r, &et, &count, NULL));
    cr_assert_eq(count, 4);
    cr_assert_eq(et, LML_PQ_TC_TRUE);
    bool want[] = {false, false, true, false};
    for (size_t i = 0; i < count; i++) {
        bool v;
        cr_assert(lml_pq_tc_read_bool_elem(&r, &v, NULL));
        cr_assert_eq(v, want[i]);
    }
}

Test(parquet_thrift, invalid_types_and_bad_map_header_are_eformat)
{
    lml_pq_tc_reader r;
    lml_error err = {0};
    int16_t id;
    int t;
    const uint8_t badfield[] = {0x1e};
    lml_pq_tc_reader_init(&r, badfield, 1, "t");
    cr_assert(lml_pq_tc_struct_begin(&r, NULL));
    cr_assert_not(lml_pq_tc_read_field(&r, &id, &t, &err));
    cr_assert(strstr(err.message, "invalid field type 14"), "%s", err.message);

    const uint8_t badmap[] = {0x02, 0xe5, 0, 0, 0, 0};
    lml_pq_tc_reader_init(&r, badmap, sizeof badmap, "t");
    cr_assert_not(lml_pq_tc_skip(&r, LML_PQ_TC_MAP, &err));
    cr_assert(strstr(err.message, "invalid map key/value types 14/5"), "%s", err.message);

    const uint8_t bigmap[] = {0xff, 0xff, 0x03, 0x85, 0, 0};
    lml_pq_tc_reader_init(&r, bigmap, sizeof bigmap, "t");
    cr_assert_not(lml_pq_tc_skip(&r, LML_PQ_TC_MAP, &err));
    cr_assert(strstr(err.message, "map of 65535 entries cannot fit"), "%s", err.message);

    /* field id delta overflowing i16 */
    const uint8_t ovf[] = {0x05, 0xfe, 0xff, 0x03, 0x00, 0x15};
    lml_pq_tc_reader_init(&r, ovf, sizeof ovf, "t");
    cr_assert(lml_pq_tc_struct_begin(&r, NULL));
    cr_assert(lml_pq_tc_read_field(&r, &id, &t, NULL));
    cr_assert_eq(id, 32767);
    cr_assert(lml_pq_tc_skip(&r, t, NULL));
    cr_assert_not(lml_pq_tc_read_field(&r, &id, &t, &err));
    cr_assert(strstr(err.message, "field id 32768 out of range"), "%s", err.message);
}

Test(parquet_thrift, writer_reports_unbalanced_and_too_deep_nesting)
{
    obuf o;
    lml_error err = {0};
    ob_init(&o);
    lml_pq_tc_write_struct_begin(&o.w);
    cr_assert_not(lml_pq_tc_writer_finish(&o.w, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    free(o.buf);

    ob_init(&o);
    for (int i = 0; i < LML_PQ_TC_MAX_DEPTH + 1; i++)
        lml_pq_tc_write_struct_begin(&o.w);
    cr_assert_not(lml_pq_tc_writer_finish(&o.w, &err));
    cr_assert(strstr(err.message, "nesting deeper than 64"), "%s", err.message);
    free(o.buf);
}

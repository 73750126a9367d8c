/* Delta table schemas, the write side (src/delta/schema_write.c, delta.md §8.3): a frame checked
 * against a table's schema (enforcement, and evolution with merge), and hostile schema JSON that
 * must fail cleanly. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "delta/schema.h"
#include "delta_schema_support.h"
#include "lakeml/lakeml.h"
#include "support.h"

/* ---------------------------------------------------------------- helpers */

/* json must fail to parse with `code`, leave no fields, and name `needle` when one is given. */
static void expect_fail(const char *json, lml_errcode code, const char *needle)
{
    lml_delta_schema s;
    lml_error err = {0};
    cr_assert_not(lml_delta_schema_parse(json, &s, &err), "accepted: %s", json ? json : "(null)");
    cr_assert_eq(err.code, code, "%s: code %s (%s)", json ? json : "(null)", lml_errcode_name(err.code), err.message);
    cr_assert(s.fields == NULL && s.nfields == 0);
    if (needle)
        cr_assert(strstr(err.message, needle), "message '%s' lacks '%s'", err.message, needle);
}

/* ---------------------------------------------------------------- write checks */

static lml_frame *frame1(const char *name, lml_column *c)
{
    lml_error err = {0};
    lml_frame *f = lml_frame_new(1, (const char *[]){name}, &c, &err);
    cr_assert(f, "%s", err.message);
    lml_column_free(c);
    return f;
}

static lml_column *ints(void) { return lml_column_from_int32s((int32_t[]){1, 2}, NULL, 2, NULL); }
static lml_column *longs(void) { return lml_column_from_int64s((int64_t[]){1, 2}, NULL, 2, NULL); }

#define SCHEMA(...) "{\"type\":\"struct\",\"fields\":[" __VA_ARGS__ "]}"
#define FIELD(name, type, nullable) "{\"name\":\"" name "\",\"type\":" type ",\"nullable\":" nullable ",\"metadata\":{}}"

/* check_write of frame f into the table schema json; returns the merged schema's JSON (or NULL
 * with *err set). */
static char *check(const char *table_json, const lml_frame *f, bool merge, lml_error *err)
{
    lml_delta_schema t, m;
    lml_test_schema_parse_ok(table_json, &t);
    bool ok = lml_delta_schema_check_write(&t, f, merge, &m, err);
    lml_delta_schema_clear(&t);
    if (!ok) {
        cr_assert(m.fields == NULL && m.nfields == 0);
        return NULL;
    }
    char *j = lml_test_schema_to_json(&m);
    lml_delta_schema_clear(&m);
    return j;
}

Test(delta_schema, write_with_the_table_schema_passes_unchanged)
{
    lml_frame *f = lml_test_schema_sample_frame();
    lml_delta_schema t, m;
    lml_error err = {0};
    cr_assert(lml_delta_schema_from_frame(f, &t, &err), "%s", err.message);
    for (int merge = 0; merge < 2; merge++) {
        cr_assert(lml_delta_schema_check_write(&t, f, merge, &m, &err), "%s", err.message);
        char *a = lml_test_schema_to_json(&t), *b = lml_test_schema_to_json(&m);
        cr_assert_str_eq(a, b);
        free(a), free(b);
        lml_delta_schema_clear(&m);
    }
    lml_delta_schema_clear(&t);
    lml_frame_free(f);
}

Test(delta_schema, missing_nullable_column_passes_missing_not_null_fails)
{
    lml_frame *f = frame1("A", ints());
    lml_error err = {0};
    char *j = check(SCHEMA(FIELD("a", "\"integer\"", "true") "," FIELD("b", "\"string\"", "true")), f, false, &err);
    cr_assert(j, "%s", err.message);
    /* the table keeps its own case */
    cr_assert(strstr(j, "{\"name\":\"a\",\"type\":\"integer\""));
    free(j);
    cr_assert_null(check(SCHEMA(FIELD("a", "\"integer\"", "true") "," FIELD("b", "\"string\"", "false")), f, false,
                         &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "'b'") && strstr(err.message, "NOT NULL"), "%s", err.message);
    lml_frame_free(f);
    /* a NOT NULL column given nulls */
    f = frame1("a", lml_column_from_int32s((int32_t[]){1, 0}, (uint8_t[]){1}, 2, NULL));
    cr_assert_null(check(SCHEMA(FIELD("a", "\"integer\"", "false")), f, false, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "1 null"), "%s", err.message);
    lml_frame_free(f);
}

Test(delta_schema, extra_column_needs_merge_and_is_appended_at_the_end)
{
    lml_column *c[2] = {lml_column_from_strings((const char *[]){"x", "y"}, 2, NULL), ints()};
    lml_error err = {0};
    lml_frame *f = lml_frame_new(2, (const char *[]){"extra", "a"}, c, &err);
    lml_column_free(c[0]), lml_column_free(c[1]);
    const char *table = SCHEMA(FIELD("a", "\"integer\"", "true") "," FIELD("b", "\"long\"", "true"));
    cr_assert_null(check(table, f, false, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "'extra'"), "%s", err.message);
    char *j = check(table, f, true, &err);
    cr_assert(j, "%s", err.message);
    cr_assert_str_eq(j, SCHEMA(FIELD("a", "\"integer\"", "true") "," FIELD("b", "\"long\"", "true") ","
                                   FIELD("extra", "\"string\"", "true")));
    free(j);
    lml_frame_free(f);
}

Test(delta_schema, type_mismatch_names_the_column_and_both_types)
{
    lml_frame *f = frame1("a", lml_column_from_strings((const char *[]){"x", "y"}, 2, NULL));
    lml_error err = {0};
    for (int merge = 0; merge < 2; merge++) {
        cr_assert_null(check(SCHEMA(FIELD("a", "\"long\"", "true")), f, merge, &err));
        cr_assert_eq(err.code, LML_ETYPE);
        cr_assert(strstr(err.message, "'a'") && strstr(err.message, "long") && strstr(err.message, "string"), "%s",
                  err.message);
    }
    lml_frame_free(f);
    /* decimals must match exactly */
    uint8_t dec[32] = {0};
    f = frame1("d", lml_column_from_decimals(dec, NULL, 2, 10, 2, NULL));
    cr_assert_null(check(SCHEMA(FIELD("d", "\"decimal(10,3)\"", "true")), f, true, &err));
    cr_assert_eq(err.code, LML_ETYPE);
    cr_assert(strstr(err.message, "decimal(10,3)") && strstr(err.message, "decimal(10,2)"), "%s", err.message);
    lml_frame_free(f);
}

Test(delta_schema, int_into_long_needs_type_widening_and_fails)
{
    lml_frame *f = frame1("a", longs());
    lml_error err = {0};
    /* table integer, input long: not a byte/short/int interchange */
    for (int merge = 0; merge < 2; merge++) {
        cr_assert_null(check(SCHEMA(FIELD("a", "\"integer\"", "true")), f, merge, &err));
        cr_assert_eq(err.code, LML_ETYPE, "%s", err.message);
        cr_assert(strstr(err.message, "integer") && strstr(err.message, "long"), "%s", err.message);
    }
    lml_frame_free(f);
    /* table long, input integer: a different type too (Delta does not upcast int → long without widening) */
    f = frame1("a", ints());
    cr_assert_null(check(SCHEMA(FIELD("a", "\"long\"", "true")), f, true, &err));
    cr_assert_eq(err.code, LML_ETYPE);
    lml_frame_free(f);
}

Test(delta_schema, byte_short_int_interchange_widens_with_merge)
{
    lml_frame *f = frame1("a", ints());
    lml_error err = {0};
    cr_assert_null(check(SCHEMA(FIELD("a", "\"byte\"", "true")), f, false, &err));
    cr_assert_eq(err.code, LML_ETYPE);
    char *j = check(SCHEMA(FIELD("a", "\"byte\"", "true")), f, true, &err);
    cr_assert(j, "%s", err.message);
    cr_assert_str_eq(j, SCHEMA(FIELD("a", "\"integer\"", "true")));
    free(j);
    lml_frame_free(f);
    /* a narrower input keeps the table's wider type */
    f = frame1("a", lml_column_from_int16s((int16_t[]){1, 2}, NULL, 2, NULL));
    j = check(SCHEMA(FIELD("a", "\"integer\"", "true")), f, false, &err);
    cr_assert(j, "%s", err.message);
    cr_assert_str_eq(j, SCHEMA(FIELD("a", "\"integer\"", "true")));
    free(j);
    lml_frame_free(f);
}

Test(delta_schema, void_column_takes_the_input_type_with_merge)
{
    lml_frame *f = frame1("n", longs());
    lml_error err = {0};
    cr_assert_null(check(SCHEMA(FIELD("n", "\"void\"", "true")), f, false, &err));
    cr_assert_eq(err.code, LML_ETYPE);
    char *j = check(SCHEMA(FIELD("n", "\"void\"", "true")), f, true, &err);
    cr_assert(j, "%s", err.message);
    cr_assert_str_eq(j, SCHEMA(FIELD("n", "\"long\"", "true")));
    free(j);
    lml_frame_free(f);
}

Test(delta_schema, nested_struct_fields_merge_at_the_end_of_their_struct)
{
    lml_error err = {0};
    lml_column *a = ints(), *b = lml_column_from_strings((const char *[]){"p", "q"}, 2, NULL);
    lml_column *st = lml_column_struct_new(2, 2, (const char *[]){"A", "b"}, (lml_column *[]){a, b}, NULL, &err);
    lml_column_free(a), lml_column_free(b);
    lml_frame *f = frame1("s", st);
    const char *table = SCHEMA(FIELD("s", "{\"type\":\"struct\",\"fields\":[" FIELD("a", "\"integer\"", "true") "]}",
                                     "true"));
    cr_assert_null(check(table, f, false, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "'s.b'"), "%s", err.message);
    char *j = check(table, f, true, &err);
    cr_assert(j, "%s", err.message);
    cr_assert_str_eq(j, SCHEMA(FIELD("s", "{\"type\":\"struct\",\"fields\":[" FIELD("a", "\"integer\"", "true") ","
                                          FIELD("b", "\"string\"", "true") "]}",
                                     "true")));
    free(j);
    lml_frame_free(f);
}

Test(delta_schema, names_differing_only_by_case_are_rejected)
{
    lml_error err = {0};
    lml_column *a = ints(), *b = ints();
    lml_column *st = lml_column_struct_new(2, 2, (const char *[]){"x", "X"}, (lml_column *[]){a, b}, NULL, &err);
    cr_assert(st, "%s", err.message);
    lml_column_free(a), lml_column_free(b);
    lml_frame *f = frame1("s", st);
    const char *table = SCHEMA(FIELD("s", "{\"type\":\"struct\",\"fields\":[" FIELD("x", "\"integer\"", "true") "]}",
                                     "true"));
    cr_assert_null(check(table, f, true, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "'x' and 'X'") || strstr(err.message, "'X' and 'x'"), "%s", err.message);
    lml_delta_schema s;
    cr_assert_not(lml_delta_schema_from_frame(f, &s, &err));
    cr_assert_eq(err.code, LML_EINVAL, "%s", err.message);
    lml_frame_free(f);
    expect_fail(SCHEMA(FIELD("Id", "\"long\"", "true") "," FIELD("iD", "\"long\"", "true")), LML_EFORMAT,
                "differ only by case");
}

/* ---------------------------------------------------------------- hostile JSON */

Test(delta_schema, hostile_schema_strings_fail_cleanly)
{
    expect_fail(NULL, LML_EINVAL, NULL);
    expect_fail("", LML_EFORMAT, NULL);
    expect_fail("[]", LML_EFORMAT, "StructType");
    expect_fail("42", LML_EFORMAT, NULL);
    expect_fail("\"struct\"", LML_EFORMAT, NULL);
    expect_fail("{\"type\":\"struct\"}", LML_EFORMAT, "fields");
    expect_fail("{\"type\":\"struct\",\"fields\":{}}", LML_EFORMAT, "not an array");
    expect_fail("{\"type\":\"struct\",\"fields\":[1]}", LML_EFORMAT, "not an object");
    expect_fail("{\"type\":\"struct\",\"fields\":[{\"type\":\"long\"}]}", LML_EFORMAT, "name");
    expect_fail("{\"type\":\"struct\",\"fields\":[{\"name\":\"a\"}]}", LML_EFORMAT, "type");
    expect_fail("{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":\"long\"", LML_EFORMAT, "JSON");
    expect_fail("{\"type\":\"struct\",\"fields\":[]} trailing", LML_EFORMAT, "JSON");
    expect_fail(SCHEMA(FIELD("a", "\"varchar\"", "true")), LML_EUNSUPPORTED, "'a'");
    expect_fail(SCHEMA(FIELD("zz", "{\"type\":\"struct\",\"fields\":[" FIELD("q", "\"uuid\"", "true") "]}", "true")),
                LML_EUNSUPPORTED, "zz.q");
    expect_fail(SCHEMA(FIELD("v", "\"variant\"", "true")), LML_EUNSUPPORTED, "variant");
    expect_fail(SCHEMA(FIELD("a", "{\"type\":\"interval\"}", "true")), LML_EUNSUPPORTED, "interval");
    expect_fail(SCHEMA(FIELD("a", "17", "true")), LML_EFORMAT, NULL);
    expect_fail(SCHEMA(FIELD("a", "\"decimal(99,2)\"", "true")), LML_EFORMAT, "decimal(99,2)");
    expect_fail(SCHEMA(FIELD("a", "\"decimal(5,7)\"", "true")), LML_EFORMAT, NULL);
    expect_fail(SCHEMA(FIELD("a", "\"decimal(10,2\"", "true")), LML_EFORMAT, "malformed");
    expect_fail(SCHEMA(FIELD("a", "\"decimal(1000000000000,2)\"", "true")), LML_EFORMAT, NULL);
    expect_fail(SCHEMA(FIELD("a", "\"decimal(10,-2)\"", "true")), LML_EUNSUPPORTED, NULL);
    expect_fail(SCHEMA(FIELD("a", "\"long\"", "\"yes\"")), LML_EFORMAT, "nullable");
    expect_fail(SCHEMA("{\"name\":\"a\",\"type\":\"long\",\"metadata\":[]}"), LML_EFORMAT, "metadata");
    expect_fail(SCHEMA("{\"name\":\"a\",\"type\":\"long\",\"metadata\":{\"delta.columnMapping.id\":\"1\"}}"),
                LML_EFORMAT, "columnMapping.id");
    expect_fail(SCHEMA("{\"name\":\"a\",\"type\":\"long\",\"metadata\":{\"delta.columnMapping.id\":1.5}}"),
                LML_EFORMAT, "columnMapping.id");
    expect_fail(SCHEMA("{\"name\":\"a\",\"type\":\"long\",\"metadata\":{\"delta.columnMapping.physicalName\":7}}"),
                LML_EFORMAT, "physicalName");
    expect_fail(SCHEMA(FIELD("a", "{\"type\":\"udt\",\"class\":\"X\"}", "true")), LML_EFORMAT, "sqlType");
    expect_fail(SCHEMA(FIELD("a", "{\"type\":\"udt\",\"sqlType\":\"long\"}", "true")), LML_EFORMAT, "class");
    expect_fail(SCHEMA(FIELD("m", "{\"type\":\"map\",\"keyType\":\"string\"}", "true")), LML_EFORMAT, "valueType");
    expect_fail(SCHEMA(FIELD("m", "{\"type\":\"array\",\"elementType\":\"long\",\"containsNull\":1}", "true")),
                LML_EFORMAT, "containsNull");
    expect_fail(SCHEMA(FIELD("m", "{\"type\":\"array\"}", "true")), LML_EFORMAT, "elementType");
    expect_fail(SCHEMA(FIELD("m", "{\"elementType\":\"long\"}", "true")), LML_EFORMAT, NULL);
}

/* Arrays nested k deep: under the cap they parse, over it they fail cleanly (also past cJSON's own
 * nesting limit), and the error names where. */
static char *put(char *p, const char *t)
{
    size_t n = strlen(t);
    memcpy(p, t, n + 1);
    return p + n;
}

static char *nested_arrays(int k)
{
    char *s = malloc((size_t)k * 64 + 256), *p = s;
    if (!s)
        return NULL;
    p = put(p, "{\"type\":\"struct\",\"fields\":[{\"name\":\"deep\",\"type\":");
    for (int i = 0; i < k; i++)
        p = put(p, "{\"type\":\"array\",\"elementType\":");
    p = put(p, "\"long\"");
    for (int i = 0; i < k; i++)
        p = put(p, ",\"containsNull\":true}");
    put(p, ",\"nullable\":true,\"metadata\":{}}]}");
    return s;
}

Test(delta_schema, deeply_nested_garbage_fails_cleanly)
{
    char *ok = nested_arrays(20);
    cr_assert(ok);
    lml_delta_schema s;
    lml_test_schema_parse_ok(ok, &s);
    lml_error err = {0};
    lml_column *c = lml_delta_field_null_column(&s.fields[0], 2, &err);
    cr_assert(c, "%s", err.message);
    lml_column_free(c);
    char *j = lml_test_schema_to_json(&s);
    cr_assert_str_eq(j, ok);
    free(j);
    lml_delta_schema_clear(&s);
    free(ok);
    int depths[3] = {100, 999, 5000};
    for (int i = 0; i < 3; i++) {
        char *bad = nested_arrays(depths[i]);
        cr_assert(bad);
        cr_assert_not(lml_delta_schema_parse(bad, &s, &err));
        cr_assert(err.code == LML_EUNSUPPORTED || err.code == LML_EFORMAT, "%s", err.message);
        free(bad);
    }
    /* garbage bytes of every kind */
    const char *junk[] = {"{", "}", "{\"type\":\"struct\",\"fields\":[{]}", "\xff\xfe", "{\"type\":null}",
                          "{\"type\":\"struct\",\"fields\":null}", "nul", "{\"type\":\"struct\",\"fields\":[[[[[]]]]]}"};
    for (size_t i = 0; i < sizeof junk / sizeof *junk; i++) {
        cr_assert_not(lml_delta_schema_parse(junk[i], &s, &err), "accepted %s", junk[i]);
        cr_assert_eq(err.code, LML_EFORMAT, "%s: %s", junk[i], err.message);
    }
}

Test(delta_schema, matches_rejects_near_misses)
{
    lml_delta_schema s;
    lml_test_schema_parse_ok(SCHEMA(FIELD("d", "\"decimal(9,2)\"", "true") "," FIELD("l", "{\"type\":\"array\",\"elementType\":"
                                                                         "\"integer\",\"containsNull\":true}", "true")
                        "," FIELD("st", "{\"type\":\"struct\",\"fields\":[" FIELD("B8", "\"byte\"", "true") ","
                                        FIELD("ntz", "\"timestamp_ntz\"", "true") "]}", "true") ","
                        FIELD("st2", "{\"type\":\"struct\",\"fields\":[" FIELD("b8", "\"byte\"", "true") ","
                                         FIELD("other", "\"timestamp_ntz\"", "true") "]}", "true") ","
                        FIELD("m", "{\"type\":\"map\",\"keyType\":\"string\",\"valueType\":\"integer\","
                                   "\"valueContainsNull\":true}", "true")),
             &s);
    lml_frame *f = lml_test_schema_sample_frame(); /* i s d(9,2) l<double> m<string,long> st<b8:byte,ntz> vec f */
    cr_assert(lml_delta_field_matches(&s.fields[0], lml_frame_column(f, 2)));
    cr_assert_not(lml_delta_field_matches(&s.fields[0], lml_frame_column(f, 0)));
    cr_assert_not(lml_delta_field_matches(&s.fields[1], lml_frame_column(f, 3))); /* array<integer> vs <double> */
    cr_assert(lml_delta_field_matches(&s.fields[2], lml_frame_column(f, 5)));     /* names case-insensitive */
    cr_assert_not(lml_delta_field_matches(&s.fields[3], lml_frame_column(f, 5))); /* other name */
    cr_assert_not(lml_delta_field_matches(&s.fields[4], lml_frame_column(f, 4))); /* map value long vs int */
    lml_test_schema_expect_type(&s.fields[4], "m", "map<string,integer>");
    lml_error err = {0};
    /* merge = false with merged = NULL: just the verdict */
    lml_delta_schema fs;
    cr_assert(lml_delta_schema_from_frame(f, &fs, &err), "%s", err.message);
    cr_assert(lml_delta_schema_check_write(&fs, f, false, NULL, &err), "%s", err.message);
    lml_delta_schema_clear(&fs);
    lml_delta_schema_clear(&s);
    lml_frame_free(f);
}

Test(delta_schema, nested_not_null_field_missing_and_nested_vector_fail)
{
    lml_error err = {0};
    lml_column *a = ints();
    lml_frame *f = frame1("s", lml_column_struct_new(2, 1, (const char *[]){"a"}, (lml_column *[]){a}, NULL, &err));
    lml_column_free(a);
    const char *table = SCHEMA(FIELD("s", "{\"type\":\"struct\",\"fields\":[" FIELD("a", "\"integer\"", "true") ","
                                          FIELD("req", "\"long\"", "false") "]}", "true"));
    cr_assert_null(check(table, f, true, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "'s.req'") && strstr(err.message, "NOT NULL"), "%s", err.message);
    lml_frame_free(f);
    /* a vector inside a struct has no Spark/Parquet form here */
    lml_column *v = lml_column_vector_from_dense((double[]){1, 2}, 2, 1, &err);
    f = frame1("s", lml_column_struct_new(2, 1, (const char *[]){"v"}, (lml_column *[]){v}, NULL, &err));
    lml_column_free(v);
    lml_delta_schema s;
    cr_assert_not(lml_delta_schema_from_frame(f, &s, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED, "%s", err.message);
    cr_assert_null(check(SCHEMA(FIELD("x", "\"long\"", "true")), f, true, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED, "%s", err.message);
    lml_frame_free(f);
}

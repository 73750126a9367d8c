/* Per-file statistics (delta.md §8.6): exact stats JSON for hand-built frames, and agreement with
 * the stats Spark wrote for a real file. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "delta/actions.h"
#include "delta/schema.h"
#include "delta/stats.h"
#include "lakeml/parquet.h"
#include "support.h"

#define NCOLS_MAX 24

/* A frame from name/column pairs; drops the caller's references. */
static lml_frame *frame_of(size_t n, const char **names, lml_column **cols) {
    lml_error err = {0};
    for (size_t i = 0; i < n; i++) cr_assert_not_null(cols[i], "column %s not built", names[i]);
    lml_frame *f = lml_frame_new(n, names, cols, &err);
    cr_assert_not_null(f, "%s", err.message);
    for (size_t i = 0; i < n; i++) lml_column_free(cols[i]);
    return f;
}

static lml_column *built(lml_type t, size_t n, const int64_t *v, const bool *null) {
    lml_error err = {0};
    lml_column_builder *b = lml_column_builder_new(t, n, &err);
    cr_assert_not_null(b, "%s", err.message);
    for (size_t i = 0; i < n; i++) {
        bool ok = null && null[i] ? lml_column_builder_append_null(b, &err)
                  : t == LML_BOOL ? lml_column_builder_append_bool(b, v[i] != 0, &err)
                  : t == LML_DATE ? lml_column_builder_append_int32(b, (int32_t)v[i], &err)
                                  : lml_column_builder_append_int64(b, v[i], &err);
        cr_assert(ok, "%s", err.message);
    }
    lml_column *c = lml_column_builder_finish(b, &err);
    cr_assert_not_null(c, "%s", err.message);
    return c;
}

/* Stats of f against the schema derived from f itself. */
static char *stats_of(const lml_frame *f, int nidx) {
    lml_delta_schema s;
    lml_error err = {0};
    cr_assert(lml_delta_schema_from_frame(f, &s, &err), "%s", err.message);
    char *js = lml_delta_stats_json(f, &s, nidx, false, &err);
    cr_assert_not_null(js, "%s", err.message);
    lml_delta_schema_clear(&s);
    return js;
}

static void dec16(uint8_t *out, int64_t v) {
    for (int i = 0; i < 16; i++) out[i] = (uint8_t)((i < 8 ? (uint64_t)v >> (8 * i) : (v < 0 ? 0xFFu : 0u)) & 0xFF);
}

Test(delta_stats, every_type_gets_the_exact_bounds_and_null_counts) {
    lml_error err = {0};
    const uint8_t v011 = 0x5, v001 = 0x1; /* validity: rows {0,2} present; only row 0 */
    const char *names[] = {"i", "l", "b", "h", "f", "d", "s", "dt", "ts", "ntz", "dec", "bin", "bo", "lst", "vec"};
    lml_column *c[15];
    c[0] = lml_column_from_int32s((int32_t[]){3, 0, -7}, &v011, 3, &err);
    c[1] = lml_column_from_int64s((int64_t[]){1, INT64_MAX, INT64_MIN}, NULL, 3, &err);
    c[2] = lml_column_from_int8s((int8_t[]){-128, 127, 0}, NULL, 3, &err);
    c[3] = lml_column_from_int16s((int16_t[]){5, 0, 0}, &v001, 3, &err);
    const uint8_t v110 = 0x3;
    c[4] = lml_column_from_floats((float[]){0.1f, -2.5f, 0}, &v110, 3, &err);
    c[5] = lml_column_from_doubles((double[]){NAN, -0.0, 0.0}, NULL, 3, &err);
    c[6] = lml_column_from_strings((const char *[]){"b", "a\"\\\n", NULL}, 3, &err);
    c[7] = built(LML_DATE, 3, (int64_t[]){0, -1, 10957}, NULL);
    c[8] = built(LML_TIMESTAMP, 3, (int64_t[]){1500, -1, 0}, (bool[]){false, false, true});
    c[9] = lml_column_from_timestamps_ntz((int64_t[]){946684800123456, 946684800000000, 0}, &v110, 3, &err);
    uint8_t dv[48];
    dec16(dv, 123), dec16(dv + 16, -5), dec16(dv + 32, 0);
    c[10] = lml_column_from_decimals(dv, NULL, 3, 5, 2, &err);
    c[11] = lml_column_from_binary((int32_t[]){0, 1, 1, 3}, (const uint8_t *)"\x00\xff\x01", &v011, 3, &err);
    c[12] = built(LML_BOOL, 3, (int64_t[]){1, 0, 1}, (bool[]){false, true, false});
    lml_column *elems = lml_column_from_int32s((int32_t[]){9, 8}, NULL, 2, &err);
    c[13] = lml_column_list_new((int32_t[]){0, 2, 2, 2}, &v011, 3, elems, &err);
    lml_column_free(elems);
    c[14] = lml_column_vector_from_dense((double[]){1, 2, 3, 4, 5, 6}, 3, 2, &err);
    lml_frame *f = frame_of(15, names, c);
    char *js = stats_of(f, -1);
    cr_expect_str_eq(js,
        "{\"numRecords\":3,"
        "\"minValues\":{\"i\":-7,\"l\":-9223372036854775808,\"b\":-128,\"h\":5,\"f\":-2.5,\"d\":-0.0,"
        "\"s\":\"a\\\"\\\\\\n\",\"dt\":\"1969-12-31\",\"ts\":\"1969-12-31T23:59:59.999Z\","
        "\"ntz\":\"2000-01-01T00:00:00.000\",\"dec\":-0.05},"
        "\"maxValues\":{\"i\":3,\"l\":9223372036854775807,\"b\":127,\"h\":5,\"f\":0.1,\"d\":0.0,"
        "\"s\":\"b\",\"dt\":\"2000-01-01\",\"ts\":\"1970-01-01T00:00:00.002Z\","
        "\"ntz\":\"2000-01-01T00:00:00.124\",\"dec\":1.23},"
        "\"nullCount\":{\"i\":1,\"l\":0,\"b\":0,\"h\":2,\"f\":1,\"d\":0,\"s\":1,\"dt\":0,\"ts\":1,\"ntz\":1,"
        "\"dec\":0,\"bin\":1,\"bo\":1,\"lst\":1,\"vec\":0},"
        "\"tightBounds\":true}");
    cJSON *parsed = cJSON_Parse(js);
    cr_expect_not_null(parsed, "stats must be valid JSON: %s", js);
    cJSON_Delete(parsed);
    cr_expect_eq(lml_delta_stats_num_records(js), 3);
    free(js);
    lml_frame_free(f);
}

Test(delta_stats, nan_infinity_all_null_and_empty_files) {
    lml_error err = {0};
    const uint8_t none = 0;
    const char *names[] = {"nan", "inf", "nul", "s", "mixed"};
    lml_column *c[5];
    c[0] = lml_column_from_doubles((double[]){NAN, NAN}, NULL, 2, &err);
    c[1] = lml_column_from_doubles((double[]){1.0, INFINITY}, NULL, 2, &err);
    c[2] = lml_column_from_int64s((int64_t[]){7, 8}, &none, 2, &err);
    c[3] = lml_column_from_strings((const char *[]){NULL, NULL}, 2, &err);
    c[4] = lml_column_from_floats((float[]){-INFINITY, 1e-45f}, NULL, 2, &err);
    lml_frame *f = frame_of(5, names, c);
    char *js = stats_of(f, -1);
    /* NaN is no bound; an infinite bound is not a JSON number and is left out (never a wrong
     * finite one); all-null columns have only their null count. 1e-45f is the smallest
     * subnormal float, 1.4E-45 in Float.toString. */
    cr_expect_str_eq(js, "{\"numRecords\":2,\"minValues\":{\"inf\":1.0},\"maxValues\":{\"mixed\":1.4E-45},"
                         "\"nullCount\":{\"nan\":0,\"inf\":0,\"nul\":2,\"s\":2,\"mixed\":0},\"tightBounds\":true}");
    free(js);
    lml_frame_free(f);

    const char *n1[] = {"a"};
    lml_column *e[1] = {lml_column_from_int32s((int32_t[]){0}, NULL, 0, &err)};
    f = frame_of(1, n1, e);
    js = stats_of(f, 32);
    cr_expect_str_eq(js, "{\"numRecords\":0,\"minValues\":{},\"maxValues\":{},\"nullCount\":{\"a\":0},\"tightBounds\":true}");
    free(js);
    lml_frame_free(f);
}

Test(delta_stats, struct_leaves_are_nested_and_a_null_struct_row_nulls_its_leaves) {
    lml_error err = {0};
    lml_column *x = lml_column_from_int32s((int32_t[]){1, 99, 3}, NULL, 3, &err);
    lml_column *y = lml_column_from_strings((const char *[]){"p", "zz", NULL}, 3, &err);
    lml_column *inner_b = lml_column_from_doubles((double[]){0.5, 0.25, 2}, NULL, 3, &err);
    lml_column *inner = lml_column_struct_new(3, 1, (const char *[]){"b"}, (lml_column *[]){inner_b}, NULL, &err);
    const uint8_t v101 = 0x5;
    lml_column *st = lml_column_struct_new(3, 3, (const char *[]){"x", "y", "in"}, (lml_column *[]){x, y, inner}, &v101,
                                           &err);
    cr_assert_not_null(st, "%s", err.message);
    lml_column_free(x), lml_column_free(y), lml_column_free(inner_b), lml_column_free(inner);
    lml_column *bo = built(LML_BOOL, 3, (int64_t[]){1, 1, 1}, NULL);
    lml_column *st2 = lml_column_struct_new(3, 1, (const char *[]){"flag"}, (lml_column *[]){bo}, NULL, &err);
    lml_column_free(bo);
    const char *names[] = {"st", "st2"};
    lml_frame *f = frame_of(2, names, (lml_column *[]){st, st2});
    char *js = stats_of(f, -1);
    /* Row 1's struct is null: its 99, "zz" and 0.25 are not values. A struct of booleans has no
     * bounds, so st2 appears only in nullCount. */
    cr_expect_str_eq(js, "{\"numRecords\":3,\"minValues\":{\"st\":{\"x\":1,\"y\":\"p\",\"in\":{\"b\":0.5}}},"
                         "\"maxValues\":{\"st\":{\"x\":3,\"y\":\"p\",\"in\":{\"b\":2.0}}},"
                         "\"nullCount\":{\"st\":{\"x\":1,\"y\":2,\"in\":{\"b\":1}},\"st2\":{\"flag\":0}},\"tightBounds\":true}");
    free(js);
    lml_frame_free(f);
}

/* One-column string stats: (min, max) out of the JSON, NULL when absent. */
static void string_bounds(const char *const *vals, size_t n, char **mn, char **mx) {
    lml_error err = {0};
    const char *names[] = {"s"};
    lml_frame *f = frame_of(1, names, (lml_column *[]){lml_column_from_strings(vals, n, &err)});
    char *js = stats_of(f, -1);
    cJSON *j = cJSON_Parse(js);
    cr_assert_not_null(j, "invalid JSON: %s", js);
    const cJSON *a = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "minValues"), "s");
    const cJSON *b = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "maxValues"), "s");
    *mn = cJSON_IsString(a) ? strdup(a->valuestring) : NULL;
    *mx = cJSON_IsString(b) ? strdup(b->valuestring) : NULL;
    cJSON_Delete(j);
    free(js);
    lml_frame_free(f);
}

static char *repeat(const char *unit, int times, const char *tail) {
    size_t ul = strlen(unit);
    char *s = malloc(ul * (size_t)times + strlen(tail) + 1);
    for (int i = 0; i < times; i++) memcpy(s + ul * (size_t)i, unit, ul);
    strcpy(s + ul * (size_t)times, tail);
    return s;
}

Test(delta_stats, long_strings_are_cut_at_32_characters_with_a_tie_breaker_on_the_max) {
    char *mn, *mx;
    /* ASCII: the cut-off 'b' is below U+007F, so the max gets U+007F. */
    char *a40 = repeat("a", 32, "bcdefghi"), *a32 = repeat("a", 32, ""), *a32x = repeat("a", 32, "\x7f");
    string_bounds((const char *[]){a40, "0"}, 2, &mn, &mx);
    cr_expect_str_eq(mn, "0");
    cr_expect_str_eq(mx, a32x);
    free(mn), free(mx);
    string_bounds((const char *[]){a40}, 1, &mn, &mx);
    cr_expect_str_eq(mn, a32);
    cr_expect_str_eq(mx, a32x);
    free(mn), free(mx);
    /* Multi-byte: 33 × "é" (2 bytes each) → min 32 characters = 64 bytes; the cut-off é is
     * above U+007F, so the max gets U+10FFFF (F4 8F BF BF). */
    char *e33 = repeat("\xc3\xa9", 33, ""), *e32 = repeat("\xc3\xa9", 32, ""),
         *e32m = repeat("\xc3\xa9", 32, "\xf4\x8f\xbf\xbf");
    string_bounds((const char *[]){e33}, 1, &mn, &mx);
    cr_expect_str_eq(mn, e32);
    cr_expect_eq(strlen(mn), 64);
    cr_expect_str_eq(mx, e32m);
    free(mn), free(mx);
    /* Exactly 32 four-byte characters: no cut, both bounds the whole string. */
    char *g32 = repeat("\xf0\x9f\x98\x80", 32, "");
    string_bounds((const char *[]){g32}, 1, &mn, &mx);
    cr_expect_str_eq(mn, g32);
    cr_expect_str_eq(mx, g32);
    free(mn), free(mx);
    /* A cut-off U+10FFFF has nothing above it: the prefix takes it and the next 'b' decides. */
    char *mxc = repeat("a", 32, "\xf4\x8f\xbf\xbf" "bz"), *mxw = repeat("a", 32, "\xf4\x8f\xbf\xbf\x7f");
    string_bounds((const char *[]){mxc}, 1, &mn, &mx);
    cr_expect_str_eq(mn, a32);
    cr_expect_str_eq(mx, mxw);
    free(mn), free(mx);
    /* Bytewise order: "é" (C3 A9) sorts after "z". */
    string_bounds((const char *[]){"z", "\xc3\xa9", "Z"}, 3, &mn, &mx);
    cr_expect_str_eq(mn, "Z");
    cr_expect_str_eq(mx, "\xc3\xa9");
    free(mn), free(mx);
    /* Invalid UTF-8 cannot be written as JSON text: that bound is left out, the other kept. */
    string_bounds((const char *[]){"a", "b\xff"}, 2, &mn, &mx);
    cr_expect_str_eq(mn, "a");
    cr_expect_null(mx);
    free(mn), free(mx);
    free(a40), free(a32), free(a32x), free(e33), free(e32), free(e32m), free(g32), free(mxc), free(mxw);
}

Test(delta_stats, num_indexed_cols_counts_leaves_in_schema_order_skipping_partition_columns) {
    lml_error err = {0};
    lml_delta_schema s;
    cr_assert(lml_delta_schema_parse(
                  "{\"type\":\"struct\",\"fields\":["
                  "{\"name\":\"part\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
                  "{\"name\":\"a\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}},"
                  "{\"name\":\"st\",\"type\":{\"type\":\"struct\",\"fields\":["
                  "{\"name\":\"x\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
                  "{\"name\":\"y\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]},\"nullable\":true,\"metadata\":{}},"
                  "{\"name\":\"c\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}}]}",
                  &s, &err),
              "%s", err.message);
    lml_column *x = lml_column_from_int64s((int64_t[]){10, 20}, NULL, 2, &err);
    lml_column *y = lml_column_from_int64s((int64_t[]){30, 40}, NULL, 2, &err);
    lml_column *st = lml_column_struct_new(2, 2, (const char *[]){"x", "y"}, (lml_column *[]){x, y}, NULL, &err);
    lml_column_free(x), lml_column_free(y);
    /* The frame (one data file) has no partition column; its column order differs from the
     * schema's, which is the order that counts. */
    const char *names[] = {"c", "st", "a"};
    lml_frame *f = frame_of(3, names, (lml_column *[]){lml_column_from_int32s((int32_t[]){5, 6}, NULL, 2, &err), st,
                                                      lml_column_from_int32s((int32_t[]){1, 2}, NULL, 2, &err)});
    char *js = lml_delta_stats_json(f, &s, 2, false, &err);
    cr_assert_not_null(js, "%s", err.message);
    cr_expect_str_eq(js, "{\"numRecords\":2,\"minValues\":{\"a\":1,\"st\":{\"x\":10}},\"maxValues\":{\"a\":2,\"st\":{\"x\":20}},"
                         "\"nullCount\":{\"a\":0,\"st\":{\"x\":0}},\"tightBounds\":true}");
    free(js);
    js = lml_delta_stats_json(f, &s, 0, false, &err);
    cr_expect_str_eq(js, "{\"numRecords\":2,\"minValues\":{},\"maxValues\":{},\"nullCount\":{},\"tightBounds\":true}");
    free(js);
    js = lml_delta_stats_json(f, &s, -1, false, &err);
    cr_expect_str_eq(js, "{\"numRecords\":2,\"minValues\":{\"a\":1,\"st\":{\"x\":10,\"y\":30},\"c\":5},"
                         "\"maxValues\":{\"a\":2,\"st\":{\"x\":20,\"y\":40},\"c\":6},"
                         "\"nullCount\":{\"a\":0,\"st\":{\"x\":0,\"y\":0},\"c\":0},\"tightBounds\":true}");
    free(js);
    lml_frame_free(f);
    lml_delta_schema_clear(&s);
}

Test(delta_stats, column_mapping_keys_stats_by_physical_name) {
    lml_error err = {0};
    lml_delta_schema s;
    cr_assert(lml_delta_schema_parse(
                  "{\"type\":\"struct\",\"fields\":["
                  "{\"name\":\"Id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{\"delta.columnMapping.id\":1,"
                  "\"delta.columnMapping.physicalName\":\"col-1a\"}},"
                  "{\"name\":\"n\",\"type\":{\"type\":\"struct\",\"fields\":[{\"name\":\"v\",\"type\":\"string\","
                  "\"nullable\":true,\"metadata\":{\"delta.columnMapping.id\":3,\"delta.columnMapping.physicalName\":"
                  "\"col-3c\"}}]},\"nullable\":true,\"metadata\":{\"delta.columnMapping.id\":2,"
                  "\"delta.columnMapping.physicalName\":\"col-2b\"}}]}",
                  &s, &err),
              "%s", err.message);
    lml_column *v = lml_column_from_strings((const char *[]){"q", "r"}, 2, &err);
    lml_column *n = lml_column_struct_new(2, 1, (const char *[]){"v"}, (lml_column *[]){v}, NULL, &err);
    lml_column_free(v);
    /* The frame's names are logical (matched case-insensitively, as Spark). */
    const char *names[] = {"id", "n"};
    lml_frame *f = frame_of(2, names, (lml_column *[]){lml_column_from_int64s((int64_t[]){4, 2}, NULL, 2, &err), n});
    char *js = lml_delta_stats_json(f, &s, -1, true, &err);
    cr_assert_not_null(js, "%s", err.message);
    cr_expect_str_eq(js, "{\"numRecords\":2,\"minValues\":{\"col-1a\":2,\"col-2b\":{\"col-3c\":\"q\"}},"
                         "\"maxValues\":{\"col-1a\":4,\"col-2b\":{\"col-3c\":\"r\"}},"
                         "\"nullCount\":{\"col-1a\":0,\"col-2b\":{\"col-3c\":0}},\"tightBounds\":true}");
    free(js);
    js = lml_delta_stats_json(f, &s, -1, false, &err);
    cr_expect_str_eq(js, "{\"numRecords\":2,\"minValues\":{\"Id\":2,\"n\":{\"v\":\"q\"}},\"maxValues\":{\"Id\":4,\"n\":"
                         "{\"v\":\"r\"}},\"nullCount\":{\"Id\":0,\"n\":{\"v\":0}},\"tightBounds\":true}");
    free(js);
    lml_frame_free(f);
    lml_delta_schema_clear(&s);
}

Test(delta_stats, mismatched_or_missing_inputs_are_clean_errors) {
    lml_error err = {0};
    lml_delta_schema s;
    cr_assert(lml_delta_schema_parse("{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":{\"type\":\"struct\","
                                     "\"fields\":[]},\"nullable\":true,\"metadata\":{}}]}",
                                     &s, &err),
              "%s", err.message);
    const char *names[] = {"a"};
    lml_frame *f = frame_of(1, names, (lml_column *[]){lml_column_from_int32s((int32_t[]){1}, NULL, 1, &err)});
    cr_expect_null(lml_delta_stats_json(f, &s, -1, false, &err));
    cr_expect_eq(err.code, LML_ETYPE, "%s", err.message);
    cr_expect(strstr(err.message, "'a'") != NULL, "%s", err.message);
    err = (lml_error){0};
    cr_expect_null(lml_delta_stats_json(NULL, &s, -1, false, &err));
    cr_expect_eq(err.code, LML_EINVAL);
    err = (lml_error){0};
    cr_expect_null(lml_delta_stats_json(f, NULL, -1, false, &err));
    cr_expect_eq(err.code, LML_EINVAL);
    lml_frame_free(f);
    lml_delta_schema_clear(&s);
}

/* ---------------------------------------------------------------- Spark's own stats */

/* "yyyy-MM-ddTHH:mm:ss.SSS" + "Z" or "±HH:MM" → ms since the epoch. */
static int64_t instant_ms(const char *s) {
    int y, mo, d, h, mi, se, ms, n = 0;
    cr_assert_eq(sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%n", &y, &mo, &d, &h, &mi, &se, &ms, &n), 7, "%s", s);
    int64_t off = 0;
    if (s[n] == '+' || s[n] == '-') {
        int oh, om;
        cr_assert_eq(sscanf(s + n + 1, "%2d:%2d", &oh, &om), 2, "%s", s);
        off = (s[n] == '-' ? -1 : 1) * (oh * 60 + om) * 60000LL;
    } else {
        cr_assert_eq(s[n], 'Z', "%s", s);
    }
    int64_t yy = y - (mo <= 2), era = (yy >= 0 ? yy : yy - 399) / 400, yoe = yy - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return ((days * 24 + h) * 60 + mi) * 60000LL + se * 1000LL + ms - off;
}

static void expect_same_value(const cJSON *ours, const cJSON *spark, const char *where) {
    cr_assert_not_null(ours, "%s: missing in our stats", where);
    if (cJSON_IsNumber(spark)) {
        cr_expect(cJSON_IsNumber(ours) && ours->valuedouble == spark->valuedouble, "%s: %g vs Spark's %g", where,
                  ours->valuedouble, spark->valuedouble);
    } else if (cJSON_IsString(spark) && strlen(spark->valuestring) > 10 && spark->valuestring[10] == 'T') {
        cr_assert(cJSON_IsString(ours), "%s", where);
        cr_expect_eq(instant_ms(ours->valuestring), instant_ms(spark->valuestring), "%s: %s vs Spark's %s", where,
                     ours->valuestring, spark->valuestring);
    } else {
        cr_assert(cJSON_IsString(spark) && cJSON_IsString(ours), "%s", where);
        cr_expect_str_eq(ours->valuestring, spark->valuestring, "%s", where);
    }
}

Test(delta_stats, agrees_with_the_stats_spark_wrote_for_all_primitive_types) {
    LML_REQUIRE_SHARED(dir, "conformance/delta/golden/data-skipping-basic-stats-all-types");
    char path[4096];
    snprintf(path, sizeof path, "%s/_delta_log/00000000000000000000.json", dir);
    FILE *fp = fopen(path, "r");
    cr_assert_not_null(fp, "%s", path);
    char *line = NULL, *schema_string = NULL, *spark_stats = NULL, *file = NULL;
    size_t cap = 0;
    lml_error err = {0};
    while (getline(&line, &cap, fp) > 0) {
        lml_delta_action a;
        cr_assert(lml_delta_action_parse(line, strlen(line), &a, &err), "%s", err.message);
        if (a.kind == LML_DA_METADATA) schema_string = strdup(a.u.metadata.schema_string);
        if (a.kind == LML_DA_ADD && a.u.file.stats && lml_delta_stats_num_records(a.u.file.stats) > 0) {
            spark_stats = strdup(a.u.file.stats);
            file = strdup(a.u.file.path);
        }
        lml_delta_action_clear(&a);
    }
    free(line);
    fclose(fp);
    cr_assert(schema_string && spark_stats && file, "metaData and a non-empty add expected in %s", path);
    lml_delta_schema s;
    cr_assert(lml_delta_schema_parse(schema_string, &s, &err), "%s", err.message);
    snprintf(path, sizeof path, "%s/%s", dir, file);
    lml_frame *f = lml_parquet_read(path, NULL, &err);
    cr_assert_not_null(f, "%s: %s", path, err.message);
    char *ours = lml_delta_stats_json(f, &s, 32, false, &err);
    cr_assert_not_null(ours, "%s", err.message);
    cJSON *o = cJSON_Parse(ours), *sp = cJSON_Parse(spark_stats);
    cr_assert(o && sp, "ours: %s", ours);
    cr_expect_eq(cJSON_GetObjectItem(o, "numRecords")->valuedouble, cJSON_GetObjectItem(sp, "numRecords")->valuedouble);
    size_t compared = 0;
    static const char *objs[] = {"minValues", "maxValues", "nullCount"};
    for (int k = 0; k < 3; k++) {
        const cJSON *so = cJSON_GetObjectItem(sp, objs[k]), *oo = cJSON_GetObjectItem(o, objs[k]), *e;
        cr_assert_not_null(so);
        cJSON_ArrayForEach(e, so) {
            char where[256];
            snprintf(where, sizeof where, "%s.%s", objs[k], e->string);
            expect_same_value(cJSON_GetObjectItemCaseSensitive(oo, e->string), e, where);
            compared++;
        }
        /* Nothing in ours that Spark left out. */
        cr_expect_eq(cJSON_GetArraySize(oo), cJSON_GetArraySize(so), "%s: %d keys vs Spark's %d", objs[k],
                     cJSON_GetArraySize(oo), cJSON_GetArraySize(so));
    }
    cr_expect_eq(compared, 30, "10 columns × 3 objects, got %zu", compared);
    cJSON_Delete(o);
    cJSON_Delete(sp);
    free(ours);
    lml_frame_free(f);
    lml_delta_schema_clear(&s);
    free(schema_string), free(spark_stats), free(file);
}

/* A VectorUDT column read back from Parquet is a struct of its sqlType: still one leaf with only a
 * null count, not a struct of leaves. */
Test(delta_stats, a_vector_field_stored_as_its_sqltype_struct_gets_only_a_null_count) {
    lml_error err = {0};
    const char *vn[] = {"v"};
    lml_frame *vf = frame_of(1, vn, (lml_column *[]){lml_column_vector_from_dense((double[]){1, 2}, 2, 1, &err)});
    lml_delta_schema s;
    cr_assert(lml_delta_schema_from_frame(vf, &s, &err), "%s", err.message);
    cr_assert_eq(s.fields[0].type, LML_VECTOR);
    lml_column *t = lml_column_from_int8s((int8_t[]){1, 1}, NULL, 2, &err);
    const uint8_t v10 = 0x1;
    lml_column *st = lml_column_struct_new(2, 1, (const char *[]){"type"}, (lml_column *[]){t}, &v10, &err);
    lml_column_free(t);
    lml_frame *f = frame_of(1, vn, (lml_column *[]){st});
    char *js = lml_delta_stats_json(f, &s, -1, false, &err);
    cr_assert_not_null(js, "%s", err.message);
    cr_expect_str_eq(js, "{\"numRecords\":2,\"minValues\":{},\"maxValues\":{},\"nullCount\":{\"v\":1},\"tightBounds\":true}");
    free(js);
    lml_frame_free(f);
    lml_frame_free(vf);
    lml_delta_schema_clear(&s);
}

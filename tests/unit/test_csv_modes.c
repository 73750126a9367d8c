/* Malformed records (spec §1.7): PERMISSIVE, DROPMALFORMED, FAILFAST, the corrupt-record column
 * and the bad-records file. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/csv/csv_internal.h"
#include "lakeml/lakeml.h"
#include "support.h"

static lml_frame *read_ok(const char *text, const lml_csv_options *o)
{
    lml_error err = {0};
    lml_frame *f = lml_csv_read_buffer(text, strlen(text), "m.csv", o, &err);
    cr_assert(f, "read failed: %s", err.message);
    return f;
}

static const char *str_at(const lml_frame *f, size_t r, size_t c)
{
    static char buf[256];
    const lml_column *col = lml_frame_column(f, c);
    if (lml_column_is_null(col, r))
        return "<null>";
    size_t len;
    const char *s = lml_column_string_at(col, r, &len);
    snprintf(buf, sizeof buf, "%.*s", (int)len, s);
    return buf;
}

static const lml_csv_field schema3[] = {{"id", LML_INT32}, {"name", LML_STRING}, {"score", LML_DOUBLE}};
static const lml_csv_field schema3c[] = {
    {"id", LML_INT32}, {"name", LML_STRING}, {"score", LML_DOUBLE}, {"_corrupt_record", LML_STRING}};

static const char *messy = "id,name,score\n"
                           "1,ann,1.5\n"
                           "2,bob\n"          /* short */
                           "3,cy,2.5,extra\n" /* long */
                           "x,dan,3.5\n"      /* id does not convert */
                           "5,eve,4.5\n";

Test(csv_modes, permissive_pads_short_rows_ignores_extra_tokens_and_nulls_bad_values)
{
    lml_frame *f = read_ok(messy, &(lml_csv_options){.header = true, .schema = schema3, .schema_len = 3});
    cr_assert_eq(lml_frame_num_rows(f), 5);
    const lml_column *id = lml_frame_column(f, 0), *score = lml_frame_column(f, 2);
    cr_assert(lml_column_is_null(score, 1));
    cr_assert_str_eq(str_at(f, 1, 1), "bob");
    cr_assert_eq(lml_column_doubles(score)[2], 2.5);
    cr_assert(lml_column_is_null(id, 3));
    cr_assert_str_eq(str_at(f, 3, 1), "dan"); /* the rest of the row is kept */
    cr_assert_eq(lml_column_int32s(id)[4], 5);
    lml_frame_free(f);
}

Test(csv_modes, permissive_fills_the_corrupt_record_column_of_an_explicit_schema)
{
    const char *text = "1,ann,1.5\n2,bob\nx,dan,3.5\n4,bad,zz,extra\n5,eve,4.5\n";
    lml_frame *f = read_ok(text, &(lml_csv_options){.schema = schema3c, .schema_len = 4});
    cr_assert_eq(lml_frame_num_cols(f), 4);
    cr_assert_eq(lml_frame_num_rows(f), 5);
    cr_assert_str_eq(str_at(f, 0, 3), "<null>");
    cr_assert_str_eq(str_at(f, 1, 3), "2,bob");
    cr_assert_str_eq(str_at(f, 2, 3), "x,dan,3.5");
    cr_assert_str_eq(str_at(f, 3, 3), "4,bad,zz,extra");
    cr_assert_str_eq(str_at(f, 4, 3), "<null>");
    /* A wrong field count plus a value that does not convert leaves no partial row (Spark). */
    cr_assert(lml_column_is_null(lml_frame_column(f, 0), 3));
    cr_assert_str_eq(str_at(f, 3, 1), "<null>");
    cr_assert_str_eq(str_at(f, 2, 1), "dan");
    cr_assert_eq(lml_column_int32s(lml_frame_column(f, 0))[4], 5);
    lml_frame_free(f);
}

Test(csv_modes, corrupt_record_column_must_be_a_string)
{
    static const lml_csv_field bad[] = {{"a", LML_INT32}, {"_corrupt_record", LML_INT32}};
    lml_error err = {0};
    cr_assert_null(lml_csv_read_buffer("1,2\n", 4, "m.csv", &(lml_csv_options){.schema = bad, .schema_len = 2}, &err));
    cr_assert_eq(err.code, LML_EINVAL);
}

Test(csv_modes, inference_never_creates_a_corrupt_record_column)
{
    lml_frame *f = read_ok(messy, &(lml_csv_options){.header = true, .infer_schema = true});
    cr_assert_eq(lml_frame_num_cols(f), 3);
    cr_assert_eq(lml_column_type(lml_frame_column(f, 0)), LML_STRING); /* "x" */
    cr_assert_eq(lml_column_type(lml_frame_column(f, 2)), LML_DOUBLE);
    lml_frame_free(f);
}

Test(csv_modes, dropmalformed_drops_rows_with_wrong_field_counts_and_bad_values)
{
    lml_frame *f = read_ok(messy, &(lml_csv_options){.header = true, .schema = schema3, .schema_len = 3,
                                                      .mode = LML_CSV_DROPMALFORMED});
    cr_assert_eq(lml_frame_num_rows(f), 2);
    cr_assert_eq(lml_column_int32s(lml_frame_column(f, 0))[0], 1);
    cr_assert_eq(lml_column_int32s(lml_frame_column(f, 0))[1], 5);
    cr_assert_str_eq(str_at(f, 1, 1), "eve");
    cr_assert_eq(lml_column_doubles(lml_frame_column(f, 2))[1], 4.5);
    cr_assert_eq(lml_column_null_count(lml_frame_column(f, 1)), 0);
    lml_frame_free(f);
}

Test(csv_modes, dropmalformed_with_inference_drops_wrong_field_counts)
{
    lml_frame *f = read_ok(messy, &(lml_csv_options){.header = true, .infer_schema = true,
                                                      .mode = LML_CSV_DROPMALFORMED});
    cr_assert_eq(lml_frame_num_rows(f), 3);
    cr_assert_str_eq(str_at(f, 1, 0), "x");
    cr_assert_eq(lml_column_doubles(lml_frame_column(f, 2))[2], 4.5);
    lml_frame_free(f);
}

Test(csv_modes, failfast_names_file_line_column_and_value)
{
    lml_error err = {0};
    const char *text = "id,name,score\n1,ann,1.5\n\n2,bob,abc\n";
    lml_frame *f = lml_csv_read_buffer(text, strlen(text), "titanic.csv",
                                       &(lml_csv_options){.header = true, .schema = schema3, .schema_len = 3,
                                                          .mode = LML_CSV_FAILFAST},
                                       &err);
    cr_assert_null(f);
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert_str_eq(err.message, "titanic.csv:4: column 'score': cannot parse \"abc\" as double");
}

Test(csv_modes, failfast_on_a_wrong_field_count_quotes_the_record)
{
    lml_error err = {0};
    lml_frame *f = lml_csv_read_buffer(messy, strlen(messy), "m.csv",
                                       &(lml_csv_options){.header = true, .infer_schema = true,
                                                          .mode = LML_CSV_FAILFAST},
                                       &err);
    cr_assert_null(f);
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert_str_eq(err.message, "m.csv:3: malformed record: expected 3 fields, found 2: \"2,bob\"");
}

Test(csv_modes, failfast_accepts_a_clean_file)
{
    lml_frame *f = read_ok("a,b\n1,2\n", &(lml_csv_options){.header = true, .infer_schema = true,
                                                             .mode = LML_CSV_FAILFAST});
    cr_assert_eq(lml_frame_num_rows(f), 1);
    lml_frame_free(f);
}

static cJSON *read_json_lines(const char *path, int *n)
{
    FILE *fp = fopen(path, "rb");
    cr_assert(fp, "no bad-records file %s", path);
    static char line[4096];
    cJSON *arr = cJSON_CreateArray();
    *n = 0;
    while (fgets(line, sizeof line, fp)) {
        cJSON *o = cJSON_Parse(line);
        cr_assert(o, "not JSON: %s", line);
        cJSON_AddItemToArray(arr, o);
        (*n)++;
    }
    fclose(fp);
    return arr;
}

Test(csv_modes, bad_records_are_written_as_json_lines_in_file_order)
{
    const char *dir = lml_test_temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/bad.jsonl", dir);
    const char *text = "id,name,score\n1,ann,1.5\n2,\"b\\\"o\tb\"\nx,d\xff\n5,eve,zz\n";
    lml_frame *f = read_ok(text, &(lml_csv_options){.header = true, .schema = schema3, .schema_len = 3,
                                                     .mode = LML_CSV_DROPMALFORMED, .bad_records_path = path});
    cr_assert_eq(lml_frame_num_rows(f), 1);
    lml_frame_free(f);
    int n;
    cJSON *arr = read_json_lines(path, &n);
    cr_assert_eq(n, 3);
    cJSON *o = cJSON_GetArrayItem(arr, 0);
    cr_assert_str_eq(cJSON_GetObjectItem(o, "file")->valuestring, "m.csv");
    cr_assert_eq(cJSON_GetObjectItem(o, "line")->valuedouble, 3);
    cr_assert_str_eq(cJSON_GetObjectItem(o, "record")->valuestring, "2,\"b\\\"o\tb\"");
    cr_assert(strstr(cJSON_GetObjectItem(o, "reason")->valuestring, "expected 3 fields, found 2"));
    o = cJSON_GetArrayItem(arr, 1);
    cr_assert_eq(cJSON_GetObjectItem(o, "line")->valuedouble, 4);
    cr_assert_str_eq(cJSON_GetObjectItem(o, "record")->valuestring, "x,d\xEF\xBF\xBD"); /* invalid UTF-8 */
    o = cJSON_GetArrayItem(arr, 2);
    cr_assert_eq(cJSON_GetObjectItem(o, "line")->valuedouble, 5);
    cr_assert_str_eq(cJSON_GetObjectItem(o, "reason")->valuestring, "column 'score': cannot parse \"zz\" as double");
    cJSON_Delete(arr);
    /* A second read appends. */
    f = read_ok(text, &(lml_csv_options){.header = true, .schema = schema3, .schema_len = 3,
                                          .bad_records_path = path});
    lml_frame_free(f);
    arr = read_json_lines(path, &n);
    cr_assert_eq(n, 6);
    cJSON_Delete(arr);
}

Test(csv_modes, an_unwritable_bad_records_path_fails_the_read)
{
    lml_error err = {0};
    lml_frame *f = lml_csv_read_buffer(messy, strlen(messy), "m.csv",
                                       &(lml_csv_options){.header = true, .bad_records_path = "/nonexistent/dir/x"},
                                       &err);
    cr_assert_null(f);
    cr_assert_eq(err.code, LML_EIO);
}

/* Rows dropped in pass 2 leave gaps that are closed afterwards; this file spans several chunks
 * so gaps sit in every chunk, and the result must be the same on 1 and 2 threads. */
Test(csv_modes, dropmalformed_compacts_values_across_chunks)
{
    const size_t n = 150000;
    size_t cap = n * 48, len = 0;
    char *text = malloc(cap);
    len += (size_t)snprintf(text, cap, "id,s,b,d\n");
    for (size_t i = 0; i < n; i++) {
        const char *id = i % 97 == 0 ? "x" : NULL;
        char idbuf[24];
        snprintf(idbuf, sizeof idbuf, "%zu", i);
        len += (size_t)snprintf(text + len, cap - len, "%s,%s%zu,%s,%s%zu.25\n", id ? id : idbuf, i % 5 ? "s" : "",
                                i % 5 ? i : 0, i % 3 ? "true" : i % 2 ? "" : "false", i % 7 ? "" : "-", i);
    }
    static const lml_csv_field sch[] = {{"id", LML_INT32}, {"s", LML_STRING}, {"b", LML_BOOL}, {"d", LML_DOUBLE}};
    lml_csv_options o = {.header = true, .schema = sch, .schema_len = 4, .mode = LML_CSV_DROPMALFORMED};
    for (int threads = 1; threads <= 2; threads++) {
        lml_set_num_threads(threads);
        lml_error err = {0};
        lml_frame *f = lml_csv_read_buffer(text, len, "big.csv", &o, &err);
        cr_assert(f, "%s", err.message);
        size_t kept = n - (n + 96) / 97;
        cr_assert_eq(lml_frame_num_rows(f), kept);
        const lml_column *id = lml_frame_column(f, 0), *s = lml_frame_column(f, 1), *b = lml_frame_column(f, 2),
                         *d = lml_frame_column(f, 3);
        size_t r = 0;
        for (size_t i = 0; i < n; i++) {
            if (i % 97 == 0)
                continue;
            cr_assert_eq((size_t)lml_column_int32s(id)[r], i, "row %zu", r);
            size_t sl;
            const char *sv = lml_column_string_at(s, r, &sl);
            char want[32];
            int wl = snprintf(want, sizeof want, "%s%zu", i % 5 ? "s" : "", i % 5 ? i : 0);
            cr_assert(sl == (size_t)wl && memcmp(sv, want, sl) == 0, "row %zu string", r);
            bool bnull = i % 3 == 0 && i % 2 == 1;
            cr_assert_eq(lml_column_is_null(b, r), bnull, "row %zu bool null", r);
            if (!bnull)
                cr_assert_eq(lml_column_bool_at(b, r), i % 3 != 0, "row %zu bool", r);
            double dv = (i % 7 ? 1.0 : -1.0) * ((double)i + 0.25);
            cr_assert_eq(lml_column_doubles(d)[r], dv, "row %zu double", r);
            r++;
        }
        lml_frame_free(f);
    }
    lml_set_num_threads(0);
    free(text);
}

static bool same_cells(const lml_frame *a, const lml_frame *b)
{
    if (lml_frame_num_rows(a) != lml_frame_num_rows(b) || lml_frame_num_cols(a) != lml_frame_num_cols(b))
        return false;
    for (size_t c = 0; c < lml_frame_num_cols(a); c++) {
        const lml_column *x = lml_frame_column(a, c), *y = lml_frame_column(b, c);
        for (size_t r = 0; r < lml_column_length(x); r++) {
            char bx[256], by[256];
            if (lml_column_is_null(x, r) != lml_column_is_null(y, r))
                return false;
            lml_format_value(x, r, bx, sizeof bx);
            lml_format_value(y, r, by, sizeof by);
            if (strcmp(bx, by) != 0)
                return false;
        }
    }
    return true;
}

/* Without inference nothing may depend on where chunks end: read with chunks of every size from
 * 1 byte up and compare with the one-chunk result, in every mode. Rows emptied or dropped in
 * pass 2 leave gaps (rows, string bytes) that must be closed. */
Test(csv_modes, results_do_not_depend_on_chunk_boundaries)
{
    const char *text = "1,ann,1.5\n2,bob\nx,dan,3.5\n4,bad,zz,extra\n5,\"e,ve\",4.5\n,,\n7,gus,zz\n8,hal,8\n";
    for (int mode = 0; mode < 3; mode++) {
        lml_csv_options o = {.schema = schema3c, .schema_len = mode == 0 ? 4 : 3, .mode = (lml_csv_mode)mode};
        lml_error e1 = {0};
        lml_frame *whole = lml_csv_read_buffer(text, strlen(text), "c.csv", &o, &e1);
        for (size_t chunk = 1; chunk < 48; chunk++) {
            csv_chunk_bytes_for_tests = chunk;
            lml_error e2 = {0};
            lml_frame *parts = lml_csv_read_buffer(text, strlen(text), "c.csv", &o, &e2);
            csv_chunk_bytes_for_tests = 0;
            cr_assert_eq(!whole, !parts, "mode %d chunk %zu", mode, chunk);
            if (whole)
                cr_assert(same_cells(whole, parts), "mode %d, chunks of %zu bytes", mode, chunk);
            else
                cr_assert_str_eq(e1.message, e2.message);
            lml_frame_free(parts);
        }
        if (mode == LML_CSV_DROPMALFORMED)
            cr_assert_eq(lml_frame_num_rows(whole), 4);
        if (mode == LML_CSV_FAILFAST)
            cr_assert_str_eq(e1.message, "c.csv:2: malformed record: expected 3 fields, found 2: \"2,bob\"");
        lml_frame_free(whole);
    }
}

Test(csv_modes, the_corrupt_record_column_holds_the_decoded_line)
{
    /* Spark's corrupt record is the line as decoded text: malformed UTF-8 is U+FFFD there too,
     * across chunks (the column's size is counted after replacement). */
    const char *text = "1,\xC7" "a,1.5\n2,b\xFF\n3,\xE2\x82,zz\n4,ok,2.5\n";
    for (size_t chunk = 0; chunk <= 8; chunk += 8) {
        csv_chunk_bytes_for_tests = chunk;
        lml_frame *f = read_ok(text, &(lml_csv_options){.schema = schema3c, .schema_len = 4});
        csv_chunk_bytes_for_tests = 0;
        cr_assert_eq(lml_frame_num_rows(f), 4);
        cr_assert_str_eq(str_at(f, 0, 1), "\xEF\xBF\xBD" "a");
        cr_assert_str_eq(str_at(f, 0, 3), "<null>");
        cr_assert_str_eq(str_at(f, 1, 3), "2,b\xEF\xBF\xBD");
        cr_assert_str_eq(str_at(f, 2, 3), "3,\xEF\xBF\xBD,zz");
        cr_assert_str_eq(str_at(f, 3, 1), "ok");
        lml_frame_free(f);
    }
}

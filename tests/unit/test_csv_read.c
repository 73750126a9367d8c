/* Reading files: value conversion (spec §1.6), exact doubles, dates and timestamps, explicit
 * schemas, multi-chunk files on 1 and 2 threads, progress and cancellation, I/O errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/csv/csv_internal.h"
#include "lakeml/lakeml.h"
#include "support.h"

static lml_frame *read_text(const char *text, const lml_csv_options *o)
{
    lml_error err = {0};
    lml_frame *f = lml_csv_read_buffer(text, strlen(text), "r.csv", o, &err);
    cr_assert(f, "read failed: %s", err.message);
    return f;
}

static uint64_t bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

Test(csv_read, missing_file_and_directory_are_reported)
{
    lml_error err = {0};
    cr_assert_null(lml_csv_read("/nonexistent/x.csv", NULL, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    cr_assert(strstr(err.message, "/nonexistent/x.csv"), "%s", err.message);
    cr_assert_null(lml_csv_read(lml_test_temp_dir(), NULL, &err));
    cr_assert_eq(err.code, LML_EIO);
}

Test(csv_read, a_file_reads_like_the_same_buffer)
{
    const char *text = "a,b,c\n1,x,2.5\n\"3\",\"y,z\",\n";
    const char *path = lml_test_write_temp("same.csv", text);
    lml_csv_options o = {.header = true, .infer_schema = true};
    lml_error err = {0};
    lml_frame *f = lml_csv_read(path, &o, &err);
    cr_assert(f, "%s", err.message);
    lml_frame *g = read_text(text, &o);
    cr_assert_eq(lml_frame_num_rows(f), 2);
    cr_assert_eq(lml_column_type(lml_frame_column(f, 0)), LML_INT32);
    cr_assert_eq(lml_column_int32s(lml_frame_column(f, 0))[1], 3);
    size_t len;
    const char *s = lml_column_string_at(lml_frame_column(f, 1), 1, &len);
    cr_assert(len == 3 && memcmp(s, "y,z", 3) == 0);
    cr_assert(lml_column_is_null(lml_frame_column(f, 2), 1));
    cr_assert_eq(lml_column_doubles(lml_frame_column(g, 2))[0], 2.5);
    lml_frame_free(f);
    lml_frame_free(g);
}

Test(csv_read, empty_file_reads_as_an_empty_frame)
{
    const char *path = lml_test_write_temp("empty.csv", "");
    lml_error err = {0};
    lml_frame *f = lml_csv_read(path, &(lml_csv_options){.header = true}, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_cols(f), 0);
    lml_frame_free(f);
}

Test(csv_read, numbers_convert_exactly)
{
    lml_frame *f = read_text("i,l,d\n-2147483648,9223372036854775807,0.1\n7,-1,1e-320\n0,0,-0\n1,2,"
                             "1.7976931348623157e308\n1,2,2.2250738585072011e-308\n",
                             &(lml_csv_options){.header = true, .infer_schema = true});
    cr_assert_eq(lml_column_int32s(lml_frame_column(f, 0))[0], INT32_MIN);
    cr_assert_eq(lml_column_int64s(lml_frame_column(f, 1))[0], INT64_MAX);
    const double *d = lml_column_doubles(lml_frame_column(f, 2));
    cr_assert_eq(bits(d[0]), bits(0.1));
    cr_assert_eq(bits(d[1]), bits(1e-320));
    cr_assert_eq(bits(d[2]), bits(-0.0));
    cr_assert_eq(bits(d[3]), bits(1.7976931348623157e308));
    cr_assert_eq(bits(d[4]), bits(2.2250738585072011e-308));
    lml_frame_free(f);
}

Test(csv_read, special_doubles_convert)
{
    lml_frame *f = read_text("d\nNaN\nInf\n-Inf\nInfinity\n-Infinity\n 2.5 \n1.5f\n0x1.8p1\n",
                             &(lml_csv_options){.header = true, .infer_schema = true});
    const double *d = lml_column_doubles(lml_frame_column(f, 0));
    cr_assert(d, "not a double column");
    cr_assert(isnan(d[0]));
    cr_assert(isinf(d[1]) && d[1] > 0);
    cr_assert(isinf(d[2]) && d[2] < 0);
    cr_assert(isinf(d[3]) && d[3] > 0);
    cr_assert(isinf(d[4]) && d[4] < 0);
    cr_assert_eq(d[5], 2.5);
    cr_assert_eq(d[6], 1.5);
    cr_assert_eq(d[7], 3.0);
    lml_frame_free(f);
}

/* The fast paths must agree with strtod bit for bit, whatever the field's surroundings. */
Test(csv_read, parse_double_agrees_with_strtod)
{
    srand(12345);
    char buf[96];
    for (int iter = 0; iter < 200000; iter++) {
        int kind = iter % 6;
        int n;
        long long a = ((long long)rand() << 31 | rand()) % 100000000000000000LL;
        if (kind == 0)
            n = snprintf(buf, sizeof buf, "%.*f", rand() % 12, (double)rand() / 1000.0);
        else if (kind == 1)
            n = snprintf(buf, sizeof buf, "%lld.%0*d", a % 100000, rand() % 10 + 1, rand() % 1000000);
        else if (kind == 2)
            n = snprintf(buf, sizeof buf, "%.17g", (double)rand() / (rand() + 1) * pow(10, rand() % 40 - 20));
        else if (kind == 3)
            n = snprintf(buf, sizeof buf, "-%lld.%lld", a, a / 7);
        else if (kind == 4)
            n = snprintf(buf, sizeof buf, "%llu", (unsigned long long)a * (unsigned)(rand() % 100));
        else
            n = snprintf(buf, sizeof buf, "%de%d", rand() % 100000, rand() % 60 - 30);
        /* Digits after the field must not leak into it. */
        memcpy(buf + n, "12345678901234567890123456789012345", 36);
        char z[96];
        memcpy(z, buf, (size_t)n);
        z[n] = '\0';
        double want = strtod(z, NULL);
        double got_fast = -1, got_slow = -1;
        cr_assert(csv_parse_double(buf, (size_t)n, sizeof buf, &got_fast), "'%s' rejected", z);
        cr_assert(csv_parse_double(z, (size_t)n, (size_t)n, &got_slow), "'%s' rejected", z);
        cr_assert_eq(bits(got_fast), bits(want), "'%s': %.17g != %.17g", z, got_fast, want);
        cr_assert_eq(bits(got_slow), bits(want), "'%s' (slow): %.17g != %.17g", z, got_slow, want);
    }
}

Test(csv_read, dates_and_timestamps_convert_to_days_and_utc_microseconds)
{
    lml_frame *f = read_text("d,t\n2020-01-31,2020-01-31T10:20:30.123456+01:00\n1969-12-31,1969-12-31 23:59:59.5\n"
                             "1970-01-01,2020-02-29 00:00:00Z\n",
                             &(lml_csv_options){.header = true, .infer_schema = true});
    cr_assert_eq(lml_column_type(lml_frame_column(f, 0)), LML_DATE);
    cr_assert_eq(lml_column_type(lml_frame_column(f, 1)), LML_TIMESTAMP);
    const int32_t *d = lml_column_int32s(lml_frame_column(f, 0));
    const int64_t *t = lml_column_int64s(lml_frame_column(f, 1));
    cr_assert_eq(d[0], 18292);
    cr_assert_eq(d[1], -1);
    cr_assert_eq(d[2], 0);
    cr_assert_eq(t[0], INT64_C(18292) * 86400000000 + (9 * 3600 + 20 * 60 + 30) * INT64_C(1000000) + 123456);
    cr_assert_eq(t[1], -500000);
    cr_assert_eq(t[2], INT64_C(18321) * 86400000000);
    lml_frame_free(f);
}

Test(csv_read, explicit_schema_converts_every_type)
{
    static const lml_csv_field sch[] = {{"b", LML_BOOL},   {"i", LML_INT32}, {"l", LML_INT64}, {"d", LML_DOUBLE},
                                        {"s", LML_STRING}, {"dt", LML_DATE}, {"ts", LML_TIMESTAMP}};
    lml_frame *f = read_text("TRUE,1,2,3,x,2020-1-5,2020-01-05\nfalse,,,,,2020-01-05 10:00,\n",
                             &(lml_csv_options){.schema = sch, .schema_len = 7});
    cr_assert_eq(lml_frame_num_rows(f), 2);
    cr_assert_str_eq(lml_frame_column_name(f, 5), "dt");
    cr_assert(lml_column_bool_at(lml_frame_column(f, 0), 0));
    cr_assert(!lml_column_bool_at(lml_frame_column(f, 0), 1));
    cr_assert(!lml_column_is_null(lml_frame_column(f, 0), 1));
    cr_assert_eq(lml_column_int64s(lml_frame_column(f, 2))[0], 2);
    cr_assert_eq(lml_column_int32s(lml_frame_column(f, 5))[0], 18266); /* lenient date */
    cr_assert_eq(lml_column_int32s(lml_frame_column(f, 5))[1], 18266);
    cr_assert_eq(lml_column_int64s(lml_frame_column(f, 6))[0], INT64_C(18266) * 86400000000);
    for (size_t c = 1; c < 5; c++)
        cr_assert(lml_column_is_null(lml_frame_column(f, c), 1), "column %zu", c);
    cr_assert(lml_column_is_null(lml_frame_column(f, 6), 1));
    lml_frame_free(f);
}

/* A file of several chunks whose column types only settle late, read on 1 and 2 threads. */
static char *mixed_file(size_t n, size_t *len)
{
    size_t cap = n * 64;
    char *t = malloc(cap);
    size_t k = (size_t)snprintf(t, cap, "id,late_double,late_string,when,flag,name\n");
    for (size_t i = 0; i < n; i++) {
        char ld[32], ls[32], when[32];
        snprintf(ld, sizeof ld, i == n - 2 ? "%zu.5" : "%zu", i);
        snprintf(ls, sizeof ls, i == n / 2 ? "oops" : "%zu", i % 1000);
        snprintf(when, sizeof when, "2020-01-%02zu%s", i % 28 + 1, i == n - 5 ? " 12:00:00" : "");
        k += (size_t)snprintf(t + k, cap - k, "%zu,%s,%s,%s,%s,\"n,%zu\"\n", i, ld, ls, when,
                              i % 11 ? (i % 2 ? "true" : "false") : "", i);
    }
    *len = k;
    return t;
}

static bool same_cell(const lml_column *a, const lml_column *b, size_t r)
{
    if (lml_column_is_null(a, r) || lml_column_is_null(b, r))
        return lml_column_is_null(a, r) == lml_column_is_null(b, r);
    switch (lml_column_type(a)) {
    case LML_BOOL: return lml_column_bool_at(a, r) == lml_column_bool_at(b, r);
    case LML_INT32:
    case LML_DATE: return lml_column_int32s(a)[r] == lml_column_int32s(b)[r];
    case LML_INT64:
    case LML_TIMESTAMP: return lml_column_int64s(a)[r] == lml_column_int64s(b)[r];
    case LML_DOUBLE: return bits(lml_column_doubles(a)[r]) == bits(lml_column_doubles(b)[r]);
    case LML_STRING: {
        size_t la, lb;
        const char *sa = lml_column_string_at(a, r, &la), *sb = lml_column_string_at(b, r, &lb);
        return la == lb && memcmp(sa, sb, la) == 0;
    }
    default: return false;
    }
}

Test(csv_read, multi_chunk_file_reads_identically_on_one_and_two_threads)
{
    size_t len, n = 120000;
    char *text = mixed_file(n, &len);
    lml_csv_options o = {.header = true, .infer_schema = true};
    lml_frame *fr[2];
    for (int th = 1; th <= 2; th++) {
        lml_set_num_threads(th);
        lml_error err = {0};
        fr[th - 1] = lml_csv_read_buffer(text, len, "mixed.csv", &o, &err);
        cr_assert(fr[th - 1], "%s", err.message);
    }
    lml_set_num_threads(0);
    lml_type want[] = {LML_INT32, LML_DOUBLE, LML_STRING, LML_TIMESTAMP, LML_BOOL, LML_STRING};
    for (size_t c = 0; c < 6; c++) {
        const lml_column *a = lml_frame_column(fr[0], c), *b = lml_frame_column(fr[1], c);
        cr_assert_eq(lml_column_type(a), want[c], "column %zu is %s", c, lml_type_name(lml_column_type(a)));
        cr_assert_eq(lml_column_length(a), n);
        cr_assert_eq(lml_column_null_count(a), lml_column_null_count(b));
        for (size_t r = 0; r < n; r++)
            cr_assert(same_cell(a, b, r), "column %zu row %zu differs", c, r);
    }
    cr_assert_eq(lml_column_null_count(lml_frame_column(fr[0], 4)), (n + 10) / 11);
    cr_assert_eq(lml_column_doubles(lml_frame_column(fr[0], 1))[n - 2], (double)(n - 2) + 0.5);
    size_t sl;
    const char *s = lml_column_string_at(lml_frame_column(fr[0], 5), n - 1, &sl);
    char want_name[32];
    snprintf(want_name, sizeof want_name, "n,%zu", n - 1);
    cr_assert(sl == strlen(want_name) && !memcmp(s, want_name, sl));
    lml_frame_free(fr[0]);
    lml_frame_free(fr[1]);
    free(text);
}

Test(csv_read, errors_in_later_chunks_name_the_right_line)
{
    size_t len, n = 120000;
    char *text = mixed_file(n, &len);
    static const lml_csv_field sch[] = {{"id", LML_INT32},  {"a", LML_INT64},  {"b", LML_INT32},
                                        {"w", LML_TIMESTAMP}, {"f", LML_BOOL}, {"n", LML_STRING}};
    lml_csv_options o = {.header = true, .schema = sch, .schema_len = 6, .mode = LML_CSV_FAILFAST};
    for (int th = 1; th <= 2; th++) {
        lml_set_num_threads(th);
        lml_error err = {0};
        cr_assert_null(lml_csv_read_buffer(text, len, "mixed.csv", &o, &err));
        char want[128];
        snprintf(want, sizeof want, "mixed.csv:%zu: column 'b': cannot parse \"oops\" as integer", n / 2 + 2);
        cr_assert_str_eq(err.message, want);
    }
    lml_set_num_threads(0);
    free(text);
}

static bool count_progress(void *user, const char *what, uint64_t done, uint64_t total)
{
    (void)what;
    uint64_t *seen = user;
    cr_assert_leq(done, total);
    cr_assert_geq(done, seen[1]);
    seen[0]++;
    seen[1] = done;
    return seen[2] == 0 || seen[0] < seen[2];
}

Test(csv_read, progress_is_reported_and_can_cancel)
{
    size_t len;
    char *text = mixed_file(120000, &len);
    uint64_t seen[3] = {0, 0, 0};
    lml_csv_options o = {.header = true, .infer_schema = true, .progress = {count_progress, seen}};
    lml_set_num_threads(1);
    lml_error err = {0};
    lml_frame *f = lml_csv_read_buffer(text, len, "p.csv", &o, &err);
    cr_assert(f, "%s", err.message);
    lml_frame_free(f);
    cr_assert_geq(seen[0], 4, "only %llu progress calls", (unsigned long long)seen[0]);
    uint64_t stop_after[3] = {0, 0, 2};
    o.progress.user = stop_after;
    cr_assert_null(lml_csv_read_buffer(text, len, "p.csv", &o, &err));
    cr_assert_eq(err.code, LML_ECANCELED);
    lml_set_num_threads(0);
    free(text);
}

/* ---- UTF-8 decoding like Spark's (Java's decoder: malformed sequences become U+FFFD) ---- */

#define R "\xEF\xBF\xBD" /* U+FFFD */

static void assert_cell(const lml_frame *f, size_t c, size_t r, const char *want, const char *what)
{
    size_t len;
    const char *s = lml_column_string_at(lml_frame_column(f, c), r, &len);
    cr_assert(len == strlen(want) && memcmp(s, want, len) == 0, "%s: row %zu column %zu: got %zu bytes '%.*s'", what,
              r, c, len, (int)len, s);
}

/* Each malformed class with the number of U+FFFD Java's decoder gives (checked against
 * new String(bytes, UTF_8) on OpenJDK 17, whose decoder matches the JDK 8 one here). */
static const struct {
    const char *in, *want, *what;
} utf8_cases[] = {
    {"a\x80z", "a" R "z", "stray continuation byte"},
    {"\xBF\xBF", R R, "two stray continuation bytes"},
    {"\xC0\xAF", R R, "overlong C0 (each byte)"},
    {"\xC1\xBF", R R, "overlong C1"},
    {"\xE0\x80\xAF", R R R, "overlong E0 80-9F: the lead alone"},
    {"\xE0\x9F\xBF", R R R, "overlong E0 9F"},
    {"\xF0\x80\x80\xAF", R R R R, "overlong F0 80-8F"},
    {"\xF0\x8F\xBF\xBF", R R R R, "overlong F0 8F"},
    {"x\xED\xA0\x80y", "x" R "y", "surrogate D800: one U+FFFD for the three bytes"},
    {"\xED\xBF\xBF", R, "surrogate DFFF"},
    {"\xF4\x90\x80\x80", R R R R, "beyond U+10FFFF (F4 90)"},
    {"\xF5\x80\x80\x80", R R R R, "F5 lead"},
    {"\xF8\xFE\xFF", R R R, "F8, FE, FF"},
    {"\xC3x", R "x", "two-byte lead followed by ASCII"},
    {"\xE2\x82x", R "x", "three-byte sequence cut after two bytes: replaced once"},
    {"\xE2x", R "x", "three-byte lead followed by ASCII"},
    {"\xF0\x9F\x98x", R "x", "four-byte sequence cut after three bytes: replaced once"},
    {"\xF0\x9Fx", R "x", "four-byte sequence cut after two bytes"},
    {"ab\xE2\x82", "ab" R, "truncated at the end of the field"},
    {"ab\xF0\x9F\x98", "ab" R, "four-byte truncated at the end of the field"},
    {"\xE9t\xE9", R "t" R, "Latin-1 \xC3\xA9t\xC3\xA9"},
    {"\xC3\xA7 \xE6\x97\xA5 \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF \xED\x9F\xBF \xEE\x80\x80 " R,
     "\xC3\xA7 \xE6\x97\xA5 \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF \xED\x9F\xBF \xEE\x80\x80 " R, "valid: unchanged"},
};

Test(csv_read, malformed_utf8_becomes_u_fffd_with_javas_granularity)
{
    /* Each case as an unquoted field, a quoted field, and the first field of a two-field row,
     * so field ends at the delimiter, the quote and the line end are all covered. */
    size_t n = sizeof utf8_cases / sizeof utf8_cases[0];
    lml_strbuf sb = {0};
    lml_strbuf_puts(&sb, "a,b,c\n");
    for (size_t i = 0; i < n; i++)
        lml_strbuf_printf(&sb, "%s,\"%s\",%s\n", utf8_cases[i].in, utf8_cases[i].in, utf8_cases[i].in);
    cr_assert(!sb.failed);
    lml_error err = {0};
    lml_csv_options o = {.header = true, .infer_schema = true};
    lml_frame *f = lml_csv_read_buffer(sb.data, sb.len, "u.csv", &o, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(f), n);
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < 3; c++)
            assert_cell(f, c, i, utf8_cases[i].want, utf8_cases[i].what);
    lml_frame_free(f);
    lml_strbuf_free(&sb);
    /* The last field of a file without a final newline ends at the end of the input. */
    f = read_text("s\n\xF0\x9F\x98", &o);
    assert_cell(f, 0, 0, R, "truncated at the end of the file");
    lml_frame_free(f);
}

Test(csv_read, a_latin1_file_reads_like_spark)
{
    /* "ürün,şehir\nÇa,İz\nda,Köln\n" in Latin-1 (ş and İ are not Latin-1: written as ?). */
    const char *path = lml_test_write_temp("latin1.csv", "\xFCr\xFCn,?ehir\n\xC7" "a,?z\nda,K\xF6ln\n");
    lml_error err = {0};
    lml_frame *f = lml_csv_read(path, &(lml_csv_options){.header = true, .infer_schema = true}, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_str_eq(lml_frame_column_name(f, 0), R "r" R "n");
    cr_assert_str_eq(lml_frame_column_name(f, 1), "?ehir");
    assert_cell(f, 0, 0, R "a", "C7 61");
    assert_cell(f, 0, 1, "da", "ASCII");
    assert_cell(f, 1, 1, "K" R "ln", "F6 inside a word");
    lml_frame_free(f);
}

Test(csv_read, header_names_are_decoded_before_duplicates_are_renamed)
{
    /* FF and FE both decode to U+FFFD: Spark sees the same name twice and appends positions. */
    lml_frame *f = read_text("\xFF,\xFE,ok\n1,2,3\n", &(lml_csv_options){.header = true});
    cr_assert_str_eq(lml_frame_column_name(f, 0), R "0");
    cr_assert_str_eq(lml_frame_column_name(f, 1), R "1");
    cr_assert_str_eq(lml_frame_column_name(f, 2), "ok");
    lml_frame_free(f);
}

Test(csv_read, replacement_keeps_string_offsets_right_across_chunks_and_threads)
{
    /* Rows whose decoded length differs from their byte length, cut into many small chunks:
     * pass 1 must count the bytes pass 2 writes, or the columns would overlap or leave gaps. */
    size_t n = 3000;
    lml_strbuf sb = {0}, want = {0};
    lml_strbuf_puts(&sb, "k,s,t\n");
    for (size_t i = 0; i < n; i++) {
        const char *in = i % 3 == 0 ? "\xFF\xC3" : i % 3 == 1 ? "\xC3\xA9" : "plain";
        lml_strbuf_printf(&sb, "%zu,%s%zu,%s\n", i, in, i, i % 7 ? "x" : "\xED\xA0\x80");
    }
    cr_assert(!sb.failed);
    for (int th = 1; th <= 2; th++) {
        lml_set_num_threads(th);
        csv_chunk_bytes_for_tests = 512;
        lml_error err = {0};
        lml_csv_options o = {.header = true, .infer_schema = true};
        lml_frame *f = lml_csv_read_buffer(sb.data, sb.len, "c.csv", &o, &err);
        csv_chunk_bytes_for_tests = 0;
        cr_assert(f, "%s", err.message);
        cr_assert_eq(lml_frame_num_rows(f), n);
        cr_assert_eq(lml_column_type(lml_frame_column(f, 0)), LML_INT32);
        for (size_t i = 0; i < n; i++) {
            want.len = 0;
            lml_strbuf_printf(&want, "%s%zu", i % 3 == 0 ? R R : i % 3 == 1 ? "\xC3\xA9" : "plain", i);
            assert_cell(f, 1, i, want.data, "mixed rows");
            assert_cell(f, 2, i, i % 7 ? "x" : R, "surrogates");
        }
        lml_frame_free(f);
    }
    lml_set_num_threads(0);
    lml_strbuf_free(&sb);
    lml_strbuf_free(&want);
}

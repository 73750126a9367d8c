/* Paths and partition values (delta.md §2.3, §8.4, §8.5). */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "delta/pvalue.h"
#include "support.h"

__extension__ typedef __int128 i128;

/* ---- escaping and encoding */

static void expect_str_fn(char *(*fn)(const char *, lml_error *), const char *in, const char *want)
{
    lml_error err = {0};
    char *got = fn(in, &err);
    cr_assert_not_null(got, "\"%s\": %s", in, err.message);
    cr_expect_str_eq(got, want, "input \"%s\"", in);
    free(got);
}

Test(delta_pvalue, hive_escape_follows_spec_examples_and_set)
{
    expect_str_fn(lml_delta_hive_escape, "2021-09-08 11:11:11", "2021-09-08 11%3A11%3A11");
    expect_str_fn(lml_delta_hive_escape, "bar+%21", "bar+%2521");
    expect_str_fn(lml_delta_hive_escape, "A/A", "A%2FA");
    expect_str_fn(lml_delta_hive_escape, "\"#%'*/:=?\\\x7f{[]^", "%22%23%25%27%2A%2F%3A%3D%3F%5C%7F%7B%5B%5D%5E");
    expect_str_fn(lml_delta_hive_escape, "\x01\x1f x", "%01%1F x");
    /* Kept: space, non-ASCII, and the characters Hive leaves alone. */
    expect_str_fn(lml_delta_hive_escape, "a b\xc3\xa9<>|}!&+,;$@~`()", "a b\xc3\xa9<>|}!&+,;$@~`()");
    expect_str_fn(lml_delta_hive_escape, "", "");
    lml_error err = {0};
    cr_expect_null(lml_delta_hive_escape(NULL, &err));
    cr_expect_eq(err.code, LML_EINVAL);
}

Test(delta_pvalue, uri_encode_path_follows_spec_examples)
{
    expect_str_fn(lml_delta_uri_encode_path, "as_timestamp=2021-09-08 11%3A11%3A11/part-0.parquet",
                  "as_timestamp=2021-09-08%2011%253A11%253A11/part-0.parquet");
    expect_str_fn(lml_delta_uri_encode_path, "_2=bar+%2521/part-0.parquet", "_2=bar+%252521/part-0.parquet");
    expect_str_fn(lml_delta_uri_encode_path, "x=A%2FA/p.parquet", "x=A%252FA/p.parquet");
    /* java.net.URI keeps unreserved characters and :@&=+$,;/ in a path, quotes the rest. */
    expect_str_fn(lml_delta_uri_encode_path, "a-_.!~*'():@&=+$,;/z", "a-_.!~*'():@&=+$,;/z");
    expect_str_fn(lml_delta_uri_encode_path, " \"#<>?[\\]^`{|}%", "%20%22%23%3C%3E%3F%5B%5C%5D%5E%60%7B%7C%7D%25");
    expect_str_fn(lml_delta_uri_encode_path, "\x01\x7f", "%01%7F");
    /* Non-ASCII stays raw except Unicode spaces and C1 controls; invalid UTF-8 is escaped. */
    expect_str_fn(lml_delta_uri_encode_path, "c=\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80", "c=\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80");
    expect_str_fn(lml_delta_uri_encode_path, "\xc2\xa0|\xe3\x80\x80|\xc2\x85", "%C2%A0%7C%E3%80%80%7C%C2%85");
    expect_str_fn(lml_delta_uri_encode_path, "\xff\xc3(\xe6\x97", "%FF%C3(%E6%97");
}

Test(delta_pvalue, uri_decode_undoes_one_level)
{
    expect_str_fn(lml_delta_uri_decode, "as_timestamp=2021-09-08%2011%253A11%253A11/p", "as_timestamp=2021-09-08 11%3A11%3A11/p");
    expect_str_fn(lml_delta_uri_decode, "_2=bar+%252521/p", "_2=bar+%2521/p");
    expect_str_fn(lml_delta_uri_decode, "%2f%2F%c3%A9+", "//\xc3\xa9+");
    expect_str_fn(lml_delta_uri_decode, "plain/no escapes", "plain/no escapes");
    expect_str_fn(lml_delta_uri_decode, "", "");
}

Test(delta_pvalue, encode_then_decode_round_trips_every_byte)
{
    char in[600];
    size_t k = 0;
    for (int c = 1; c < 256; c++)
        in[k++] = (char)c;
    in[k] = '\0';
    strcat(in, "x=\xc3\xa9/\xe2\x80\xa8/\xf0\x9f\x98\x80%41%%");
    lml_error err = {0};
    char *enc = lml_delta_uri_encode_path(in, &err);
    cr_assert_not_null(enc, "%s", err.message);
    for (char *p = enc; *p; p++)
        cr_expect(*p != ' ' && *p != '"' && *p != '\\', "unescaped byte 0x%02x", (unsigned char)*p);
    char *dec = lml_delta_uri_decode(enc, &err);
    cr_assert_not_null(dec, "%s", err.message);
    cr_expect_str_eq(dec, in);
    free(enc);
    free(dec);
}

Test(delta_pvalue, bad_percent_escapes_are_format_errors)
{
    static const char *const bad[] = {"%", "a%", "%2", "x%2/", "%zz", "a%G1", "%1G", "%00", "ok%2",  "%-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lml_error err = {0};
        char *got = lml_delta_uri_decode(bad[i], &err);
        cr_expect_null(got, "accepted \"%s\"", bad[i]);
        free(got);
        cr_expect_eq(err.code, LML_EFORMAT, "\"%s\"", bad[i]);
        cr_expect(strstr(err.message, bad[i]) != NULL, "message names the text: %s", err.message);
    }
    lml_error err = {0};
    cr_expect_null(lml_delta_uri_decode(NULL, &err));
    cr_expect_eq(err.code, LML_EINVAL);
}

/* ---- real tables: every add.path decodes to a file on disk, and the Spark-written ones are
 * reproduced from partitionValues by Hive escaping + URI encoding. */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static size_t check_table(const char *table, bool rebuild)
{
    char logdir[4700];
    snprintf(logdir, sizeof logdir, "%s/_delta_log", table);
    DIR *d = opendir(logdir);
    cr_assert_not_null(d, "cannot open %s", logdir);
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 256) {
        size_t l = strlen(de->d_name);
        if (l > 5 && strcmp(de->d_name + l - 5, ".json") == 0)
            names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    cJSON *part_cols = NULL;
    size_t adds = 0;
    for (size_t f = 0; f < n; f++) {
        char path[5000];
        snprintf(path, sizeof path, "%s/%s", logdir, names[f]);
        FILE *fp = fopen(path, "r");
        cr_assert_not_null(fp);
        static char line[1 << 20];
        while (fgets(line, sizeof line, fp)) {
            cJSON *j = cJSON_Parse(line);
            cr_assert_not_null(j, "%s: bad JSON line", path);
            cJSON *md = cJSON_GetObjectItemCaseSensitive(j, "metaData");
            if (md) {
                cJSON_Delete(part_cols);
                part_cols = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(md, "partitionColumns"), 1);
            }
            cJSON *add = cJSON_GetObjectItemCaseSensitive(j, "add");
            if (add) {
                const char *ap = cJSON_GetObjectItemCaseSensitive(add, "path")->valuestring;
                lml_error err = {0};
                char *rel = lml_delta_uri_decode(ap, &err);
                cr_assert_not_null(rel, "%s: %s", ap, err.message);
                char full[6000];
                snprintf(full, sizeof full, "%s/%s", table, rel);
                struct stat st;
                cr_expect_eq(stat(full, &st), 0, "add.path %s decodes to %s, which does not exist", ap, full);
                if (rebuild) {
                    cJSON *pv = cJSON_GetObjectItemCaseSensitive(add, "partitionValues");
                    char built[4096] = "";
                    const cJSON *col;
                    cJSON_ArrayForEach(col, part_cols) {
                        const cJSON *v = cJSON_GetObjectItemCaseSensitive(pv, col->valuestring);
                        char *ec = lml_delta_hive_escape(col->valuestring, NULL);
                        char *ev = cJSON_IsString(v) && v->valuestring[0]
                                       ? lml_delta_hive_escape(v->valuestring, NULL)
                                       : strdup("__HIVE_DEFAULT_PARTITION__");
                        cr_assert(ec && ev);
                        snprintf(built + strlen(built), sizeof built - strlen(built), "%s=%s/", ec, ev);
                        free(ec);
                        free(ev);
                    }
                    const char *base = strrchr(rel, '/');
                    snprintf(built + strlen(built), sizeof built - strlen(built), "%s", base ? base + 1 : rel);
                    char *enc = lml_delta_uri_encode_path(built, NULL);
                    cr_assert_not_null(enc);
                    cr_expect_str_eq(enc, ap, "rebuilt add.path");
                    free(enc);
                }
                free(rel);
                adds++;
            }
            cJSON_Delete(j);
        }
        fclose(fp);
        free(names[f]);
    }
    cJSON_Delete(part_cols);
    return adds;
}

Test(delta_pvalue, real_add_paths_decode_to_existing_files)
{
    LML_REQUIRE_SHARED(dir, "conformance/delta");
    char base[4096];
    snprintf(base, sizeof base, "%s", dir);
    static const struct {
        const char *table;
        bool rebuild;
        size_t min_adds;
    } t[] = {
        {"golden/data-reader-escaped-chars", true, 3},
        {"golden/data-reader-partition-values", true, 3},
        {"golden/kernel-timestamp-TIMESTAMP_MICROS", true, 4},
        {"golden/kernel-timestamp-INT96", true, 4},
        /* Written by a writer that also escaped the space ("x=B%20B" on disk): decode only. */
        {"delta-rs/delta-0.8.0-special-partition", false, 2},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char table[4600];
        snprintf(table, sizeof table, "%s/%s", base, t[i].table);
        size_t adds = check_table(table, t[i].rebuild);
        cr_expect_geq(adds, t[i].min_adds, "%s: %zu add actions", t[i].table, adds);
    }
}

/* ---- partition values */

static lml_value parse_ok(const char *s, lml_type type, int p, int sc)
{
    lml_value v;
    lml_error err = {0};
    cr_assert(lml_delta_pvalue_parse(s, type, p, sc, &v, &err), "\"%s\" as %s: %s", s ? s : "(null)",
              lml_type_name(type), err.message);
    cr_expect_eq(v.type, type);
    return v;
}

static void expect_format(const lml_value *v, const char *want)
{
    lml_error err = {0};
    char *got = lml_delta_pvalue_format(v, &err);
    cr_assert_not_null(got, "format: %s", err.message);
    cr_expect_str_eq(got, want);
    free(got);
}

/* Parses s, checks that formatting gives `canon` back, and that canon parses to the same value. */
static lml_value round_trip(const char *s, lml_type type, int p, int sc, const char *canon)
{
    lml_value v = parse_ok(s, type, p, sc);
    cr_expect_not(v.is_null, "\"%s\" parsed as null", s);
    expect_format(&v, canon);
    lml_value w = parse_ok(canon, type, p, sc);
    if (type == LML_DOUBLE || type == LML_FLOAT)
        cr_expect(memcmp(&v.v.f64, &w.v.f64, sizeof(double)) == 0 || (isnan(v.v.f64) && isnan(w.v.f64)), "%s", s);
    else if (type == LML_DECIMAL)
        cr_expect(v.v.dec.lo == w.v.dec.lo && v.v.dec.hi == w.v.dec.hi, "%s", s);
    else if (type == LML_INT64 || type == LML_TIMESTAMP || type == LML_TIMESTAMP_NTZ)
        cr_expect_eq(v.v.i64, w.v.i64, "%s", s);
    else if (type == LML_BOOL)
        cr_expect_eq(v.v.b, w.v.b, "%s", s);
    else if (type != LML_STRING && type != LML_BINARY)
        cr_expect_eq(v.v.i32, w.v.i32, "%s", s);
    return v;
}

static i128 dec_of(lml_value v) { return (i128)((__extension__(unsigned __int128)(uint64_t)v.v.dec.hi << 64) | v.v.dec.lo); }

Test(delta_pvalue, null_and_empty_are_null_for_every_type)
{
    static const lml_type types[] = {LML_BOOL, LML_INT8, LML_INT16, LML_INT32, LML_INT64, LML_FLOAT, LML_DOUBLE,
                                     LML_DECIMAL, LML_STRING, LML_BINARY, LML_DATE, LML_TIMESTAMP, LML_TIMESTAMP_NTZ};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        lml_value v = parse_ok(NULL, types[i], 10, 2);
        cr_expect(v.is_null);
        v = parse_ok("", types[i], 10, 2);
        cr_expect(v.is_null);
        lml_error err = {.code = LML_EIO};
        cr_expect_null(lml_delta_pvalue_format(&v, &err));
        cr_expect_eq(err.code, LML_OK, "a null value is not an error");
    }
}

Test(delta_pvalue, integers_round_trip_at_their_limits)
{
    cr_expect_eq(round_trip("-128", LML_INT8, 0, 0, "-128").v.i32, -128);
    cr_expect_eq(round_trip("127", LML_INT8, 0, 0, "127").v.i32, 127);
    cr_expect_eq(round_trip("-32768", LML_INT16, 0, 0, "-32768").v.i32, -32768);
    cr_expect_eq(round_trip("32767", LML_INT16, 0, 0, "32767").v.i32, 32767);
    cr_expect_eq(round_trip("-2147483648", LML_INT32, 0, 0, "-2147483648").v.i32, INT32_MIN);
    cr_expect_eq(round_trip("+2147483647", LML_INT32, 0, 0, "2147483647").v.i32, INT32_MAX);
    cr_expect_eq(round_trip("-9223372036854775808", LML_INT64, 0, 0, "-9223372036854775808").v.i64, INT64_MIN);
    cr_expect_eq(round_trip("9223372036854775807", LML_INT64, 0, 0, "9223372036854775807").v.i64, INT64_MAX);
    cr_expect_eq(round_trip(" 0042 ", LML_INT32, 0, 0, "42").v.i32, 42); /* Spark's cast trims */
}

Test(delta_pvalue, booleans_take_spark_spellings)
{
    cr_expect(round_trip("true", LML_BOOL, 0, 0, "true").v.b);
    cr_expect_not(round_trip("false", LML_BOOL, 0, 0, "false").v.b);
    cr_expect(round_trip("TRUE", LML_BOOL, 0, 0, "true").v.b);
    cr_expect(round_trip("y", LML_BOOL, 0, 0, "true").v.b);
    cr_expect_not(round_trip("0", LML_BOOL, 0, 0, "false").v.b);
}

Test(delta_pvalue, doubles_and_floats_print_like_java)
{
    cr_expect_eq(round_trip("0.0", LML_DOUBLE, 0, 0, "0.0").v.f64, 0.0);
    cr_expect_eq(round_trip("1", LML_DOUBLE, 0, 0, "1.0").v.f64, 1.0);
    cr_expect_eq(round_trip("1e10", LML_DOUBLE, 0, 0, "1.0E10").v.f64, 1e10);
    cr_expect_eq(round_trip("0.1", LML_DOUBLE, 0, 0, "0.1").v.f64, 0.1);
    cr_expect_eq(round_trip("-1.5E-5", LML_DOUBLE, 0, 0, "-1.5E-5").v.f64, -1.5e-5);
    cr_expect_eq(round_trip("2.5d", LML_DOUBLE, 0, 0, "2.5").v.f64, 2.5);
    cr_expect(signbit(round_trip("-0.0", LML_DOUBLE, 0, 0, "-0.0").v.f64));
    cr_expect(isnan(round_trip("NaN", LML_DOUBLE, 0, 0, "NaN").v.f64));
    cr_expect_eq(round_trip("Infinity", LML_DOUBLE, 0, 0, "Infinity").v.f64, INFINITY);
    cr_expect_eq(round_trip("-Infinity", LML_DOUBLE, 0, 0, "-Infinity").v.f64, -INFINITY);
    cr_expect_eq(round_trip("-inf", LML_DOUBLE, 0, 0, "-Infinity").v.f64, -INFINITY);
    cr_expect_eq(round_trip("1.7976931348623157E308", LML_DOUBLE, 0, 0, "1.7976931348623157E308").v.f64, 1.7976931348623157e308);
    /* Float.toString, not Double.toString of the widened value (which would be 0.10000000149011612). */
    cr_expect_eq(round_trip("0.1", LML_FLOAT, 0, 0, "0.1").v.f64, (double)0.1f);
    cr_expect_eq(round_trip("1.0", LML_FLOAT, 0, 0, "1.0").v.f64, 1.0);
    cr_expect_eq(round_trip("123456.79", LML_FLOAT, 0, 0, "123456.79").v.f64, (double)123456.79f);
    cr_expect_eq(round_trip("1e7", LML_FLOAT, 0, 0, "1.0E7").v.f64, 1e7);
    cr_expect_eq(round_trip("3.4028235E38", LML_FLOAT, 0, 0, "3.4028235E38").v.f64, (double)3.4028235e38f);
    cr_expect_eq(round_trip("1.4E-45", LML_FLOAT, 0, 0, "1.4E-45").v.f64, (double)1.4e-45f);
    cr_expect_eq(round_trip("0.001", LML_FLOAT, 0, 0, "0.001").v.f64, (double)0.001f);
    cr_expect_eq(round_trip("1.0E-4", LML_FLOAT, 0, 0, "1.0E-4").v.f64, (double)1e-4f);
    cr_expect(isnan(round_trip("NaN", LML_FLOAT, 0, 0, "NaN").v.f64));
}

Test(delta_pvalue, decimals_scale_round_half_up_and_respect_precision)
{
    lml_value v = round_trip("1.23", LML_DECIMAL, 10, 2, "1.23");
    cr_expect(dec_of(v) == 123);
    cr_expect_eq(v.v.dec.precision, 10);
    cr_expect_eq(v.v.dec.scale, 2);
    cr_expect(dec_of(round_trip("-0.05", LML_DECIMAL, 10, 2, "-0.05")) == -5);
    cr_expect(dec_of(round_trip("1", LML_DECIMAL, 10, 2, "1.00")) == 100);
    cr_expect(dec_of(round_trip("1e2", LML_DECIMAL, 5, 2, "100.00")) == 10000);
    cr_expect(dec_of(round_trip("1.5", LML_DECIMAL, 2, 0, "2")) == 2);
    cr_expect(dec_of(round_trip("-1.5", LML_DECIMAL, 2, 0, "-2")) == -2);
    cr_expect(dec_of(round_trip("1.44", LML_DECIMAL, 2, 1, "1.4")) == 14);
    cr_expect(dec_of(round_trip("0.000", LML_DECIMAL, 5, 3, "0.000")) == 0);
    cr_expect(dec_of(round_trip("1.2000000000000000000000000000000000000000000", LML_DECIMAL, 5, 2, "1.20")) == 120);
    cr_expect(dec_of(round_trip("12.5E-1", LML_DECIMAL, 5, 2, "1.25")) == 125);
    i128 max = 0;
    for (int i = 0; i < 38; i++)
        max = max * 10 + 9;
    v = round_trip("99999999999999999999999999999999999999", LML_DECIMAL, 38, 0, "99999999999999999999999999999999999999");
    cr_expect(dec_of(v) == max);
    cr_expect_eq(v.v.dec.hi, INT64_C(5421010862427522170));
    cr_expect_eq(v.v.dec.lo, UINT64_C(687399551400673279));
    v = round_trip("-9999999999999999999999999999.9999999999", LML_DECIMAL, 38, 10,
                   "-9999999999999999999999999999.9999999999");
    cr_expect(dec_of(v) == -max);
    v = round_trip("0.0000000001", LML_DECIMAL, 38, 10, "0.0000000001");
    cr_expect(dec_of(v) == 1);
}

Test(delta_pvalue, dates_cover_leap_years_and_far_years)
{
    cr_expect_eq(round_trip("1970-01-01", LML_DATE, 0, 0, "1970-01-01").v.i32, 0);
    cr_expect_eq(round_trip("1969-12-31", LML_DATE, 0, 0, "1969-12-31").v.i32, -1);
    cr_expect_eq(round_trip("2021-09-08", LML_DATE, 0, 0, "2021-09-08").v.i32, 18878);
    cr_expect_eq(round_trip("2000-02-29", LML_DATE, 0, 0, "2000-02-29").v.i32, 11016);
    cr_expect_eq(round_trip("2021-9-8", LML_DATE, 0, 0, "2021-09-08").v.i32, 18878);
    cr_expect_eq(round_trip("0001-01-01", LML_DATE, 0, 0, "0001-01-01").v.i32, -719162);
    cr_expect_eq(round_trip("9999-12-31", LML_DATE, 0, 0, "9999-12-31").v.i32, 2932896);
    round_trip("+10000-01-01", LML_DATE, 0, 0, "+10000-01-01");
    round_trip("-0001-03-01", LML_DATE, 0, 0, "-0001-03-01");
    round_trip("0000-02-29", LML_DATE, 0, 0, "0000-02-29"); /* year 0 is a leap year */
}

Test(delta_pvalue, timestamps_accept_both_spark_forms)
{
    /* Old Spark's session-zone text, read as UTC; written back in the ISO UTC form. */
    cr_expect_eq(round_trip("2021-09-08 11:11:11", LML_TIMESTAMP, 0, 0, "2021-09-08T11:11:11.000000Z").v.i64,
                 INT64_C(1631099471000000));
    cr_expect_eq(round_trip("2000-01-01T12:00:00.000000Z", LML_TIMESTAMP, 0, 0, "2000-01-01T12:00:00.000000Z").v.i64,
                 INT64_C(946728000000000));
    cr_expect_eq(round_trip("2020-01-01 08:09:10.001", LML_TIMESTAMP, 0, 0, "2020-01-01T08:09:10.001000Z").v.i64,
                 INT64_C(1577866150001000));
    cr_expect_eq(round_trip("1969-01-01 00:00:00", LML_TIMESTAMP, 0, 0, "1969-01-01T00:00:00.000000Z").v.i64,
                 INT64_C(-31536000000000));
    cr_expect_eq(round_trip("1969-12-31T23:59:59.999999Z", LML_TIMESTAMP, 0, 0, "1969-12-31T23:59:59.999999Z").v.i64, -1);
    cr_expect_eq(round_trip("2000-01-01T17:30:00+05:30", LML_TIMESTAMP, 0, 0, "2000-01-01T12:00:00.000000Z").v.i64,
                 INT64_C(946728000000000));
    cr_expect_eq(round_trip("2000-01-01T07:00:00-0500", LML_TIMESTAMP, 0, 0, "2000-01-01T12:00:00.000000Z").v.i64,
                 INT64_C(946728000000000));
    cr_expect_eq(round_trip("2000-01-01", LML_TIMESTAMP, 0, 0, "2000-01-01T00:00:00.000000Z").v.i64,
                 INT64_C(946684800000000));
    /* Forms found in real add.stats min/max values (millisecond text, a session-zone offset). */
    cr_expect_eq(round_trip("2000-01-01T00:00:00.000-08:00", LML_TIMESTAMP, 0, 0, "2000-01-01T08:00:00.000000Z").v.i64,
                 INT64_C(946713600000000));
    cr_expect_eq(round_trip("1970-01-03T17:03:54.000", LML_TIMESTAMP_NTZ, 0, 0, "1970-01-03 17:03:54").v.i64,
                 INT64_C(234234000000));
    /* Wall-clock timestamps keep the space form; the fraction loses its trailing zeros. */
    cr_expect_eq(round_trip("2021-09-08 11:11:11.5", LML_TIMESTAMP_NTZ, 0, 0, "2021-09-08 11:11:11.5").v.i64,
                 INT64_C(1631099471500000));
    cr_expect_eq(round_trip("2021-09-08T11:11:11", LML_TIMESTAMP_NTZ, 0, 0, "2021-09-08 11:11:11").v.i64,
                 INT64_C(1631099471000000));
    round_trip("1900-01-01 00:00:00.000001", LML_TIMESTAMP_NTZ, 0, 0, "1900-01-01 00:00:00.000001");
}

Test(delta_pvalue, extreme_timestamps_format_and_parse_back)
{
    static const int64_t xs[] = {INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX - 1, INT64_MAX};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        for (int utc = 0; utc < 2; utc++) {
            lml_value v = {.type = utc ? LML_TIMESTAMP : LML_TIMESTAMP_NTZ, .v.i64 = xs[i]};
            char *s = lml_delta_pvalue_format(&v, NULL);
            cr_assert_not_null(s);
            lml_value w = parse_ok(s, v.type, 0, 0);
            cr_expect_eq(w.v.i64, xs[i], "%s", s);
            free(s);
        }
        lml_value d = {.type = LML_DATE, .v.i32 = (int32_t)(xs[i] >> 32)};
        char *s = lml_delta_pvalue_format(&d, NULL);
        cr_assert_not_null(s);
        cr_expect_eq(parse_ok(s, LML_DATE, 0, 0).v.i32, d.v.i32, "%s", s);
        free(s);
    }
}

Test(delta_pvalue, strings_and_binary_point_into_the_text)
{
    const char *s = "bar+%21";
    lml_value v = round_trip(s, LML_STRING, 0, 0, "bar+%21");
    cr_expect_eq(v.v.str.ptr, s);
    cr_expect_eq(v.v.str.len, 7);
    v = round_trip("null", LML_STRING, 0, 0, "null"); /* the text "null" is not a null */
    const char *bin = "\x01\x02\xff";
    v = round_trip(bin, LML_BINARY, 0, 0, bin);
    cr_expect_eq(v.v.str.len, 3);
    cr_expect_eq(v.v.str.ptr, bin);
    lml_value nul = {.type = LML_STRING, .v.str = {"a\0b", 3}};
    lml_error err = {0};
    cr_expect_null(lml_delta_pvalue_format(&nul, &err));
    cr_expect_eq(err.code, LML_EUNSUPPORTED);
}

Test(delta_pvalue, real_partition_values_of_every_type_parse)
{
    LML_REQUIRE_SHARED(path, "conformance/delta/golden/data-reader-partition-values/_delta_log/00000000000000000000.json");
    /* Types from the table's schemaString. */
    static const struct {
        const char *name;
        lml_type type;
        int p, s;
    } cols[] = {
        {"as_int", LML_INT32, 0, 0},    {"as_long", LML_INT64, 0, 0},       {"as_byte", LML_INT8, 0, 0},
        {"as_short", LML_INT16, 0, 0},  {"as_boolean", LML_BOOL, 0, 0},     {"as_float", LML_FLOAT, 0, 0},
        {"as_double", LML_DOUBLE, 0, 0}, {"as_string", LML_STRING, 0, 0},   {"as_string_lit_null", LML_STRING, 0, 0},
        {"as_date", LML_DATE, 0, 0},    {"as_timestamp", LML_TIMESTAMP, 0, 0}, {"as_big_decimal", LML_DECIMAL, 1, 0},
    };
    FILE *fp = fopen(path, "r");
    cr_assert_not_null(fp);
    static char line[1 << 20];
    int rows = 0, nulls = 0, seen[2] = {0, 0};
    while (fgets(line, sizeof line, fp)) {
        cJSON *j = cJSON_Parse(line);
        cr_assert_not_null(j);
        cJSON *pv = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "add"), "partitionValues");
        if (!pv) {
            cJSON_Delete(j);
            continue;
        }
        rows++;
        cr_expect_eq(cJSON_GetArraySize(pv), 12);
        const cJSON *iv = cJSON_GetObjectItemCaseSensitive(pv, "as_int");
        int k = cJSON_IsString(iv) ? atoi(iv->valuestring) : -1;
        for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(pv, cols[c].name);
            cr_assert_not_null(e, "%s missing", cols[c].name);
            const char *text = cJSON_IsString(e) ? e->valuestring : NULL;
            lml_value v = parse_ok(text, cols[c].type, cols[c].p, cols[c].s);
            if (k < 0) {
                cr_expect(v.is_null, "%s of the null row", cols[c].name);
                nulls++;
                continue;
            }
            cr_assert_not(v.is_null);
            switch (cols[c].type) {
            case LML_INT8: case LML_INT16: case LML_INT32: cr_expect_eq(v.v.i32, k); break;
            case LML_INT64: cr_expect_eq(v.v.i64, k); break;
            case LML_BOOL: cr_expect_eq(v.v.b, k == 0); break; /* row 0 is true, row 1 false */
            case LML_FLOAT: case LML_DOUBLE: cr_expect_eq(v.v.f64, (double)k); break;
            case LML_DECIMAL: cr_expect(dec_of(v) == k); break;
            case LML_DATE: cr_expect_eq(v.v.i32, 18878); break;
            case LML_TIMESTAMP: cr_expect_eq(v.v.i64, INT64_C(1631099471000000)); break;
            case LML_STRING:
                cr_expect_str_eq(v.v.str.ptr, strcmp(cols[c].name, "as_string") == 0 ? (k ? "1" : "0") : "null");
                break;
            default: break;
            }
            /* Spark's own text comes back from format (timestamps move to the ISO form). */
            char *back = lml_delta_pvalue_format(&v, NULL);
            cr_assert_not_null(back);
            cr_expect_str_eq(back, cols[c].type == LML_TIMESTAMP ? "2021-09-08T11:11:11.000000Z" : text);
            free(back);
        }
        if (k == 0 || k == 1)
            seen[k] = 1;
        cJSON_Delete(j);
    }
    fclose(fp);
    cr_expect_eq(rows, 3);
    cr_expect_eq(nulls, 12);
    cr_expect(seen[0] && seen[1]);
}

static void expect_bad(const char *s, lml_type type, int p, int sc, lml_errcode code)
{
    lml_value v;
    lml_error err = {0};
    cr_expect_not(lml_delta_pvalue_parse(s, type, p, sc, &v, &err), "accepted \"%s\" as %s", s, lml_type_name(type));
    cr_expect_eq(err.code, code, "\"%s\" as %s: code %d (%s)", s, lml_type_name(type), (int)err.code, err.message);
    if (code == LML_EFORMAT)
        cr_expect(strstr(err.message, s) != NULL && strstr(err.message, lml_type_name(type)) != NULL,
                  "message names text and type: %s", err.message);
}

Test(delta_pvalue, hostile_values_are_clean_errors)
{
    static const char *const ints[] = {"12a", "+", "-", " ", "1.0", "0x10", "1e3", "--1", "1 2", "\xc3\xa9"};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        expect_bad(ints[i], LML_INT32, 0, 0, LML_EFORMAT);
    expect_bad("128", LML_INT8, 0, 0, LML_EFORMAT);
    expect_bad("-129", LML_INT8, 0, 0, LML_EFORMAT);
    expect_bad("32768", LML_INT16, 0, 0, LML_EFORMAT);
    expect_bad("2147483648", LML_INT32, 0, 0, LML_EFORMAT);
    expect_bad("-2147483649", LML_INT32, 0, 0, LML_EFORMAT);
    expect_bad("9223372036854775808", LML_INT64, 0, 0, LML_EFORMAT);
    expect_bad("-9223372036854775809", LML_INT64, 0, 0, LML_EFORMAT);
    expect_bad("99999999999999999999999999", LML_INT64, 0, 0, LML_EFORMAT);
    expect_bad("maybe", LML_BOOL, 0, 0, LML_EFORMAT);
    expect_bad("truee", LML_BOOL, 0, 0, LML_EFORMAT);
    static const char *const dbl[] = {"1.0.0", "e5", "1e", "1e+", ".", "0x1p3", "nan(1)", "--1", "1e5x", "Infinityy", "1,5", "1.0dd"};
    for (size_t i = 0; i < sizeof dbl / sizeof dbl[0]; i++) {
        expect_bad(dbl[i], LML_DOUBLE, 0, 0, LML_EFORMAT);
        expect_bad(dbl[i], LML_FLOAT, 0, 0, LML_EFORMAT);
    }
    static const char *const dec[] = {"1.2.3", "abc", "1e", "-", ".", "1e100000000", "12345678901", "1e10",
                                      "123456789012345678901234567890123456789", "1.5x"};
    for (size_t i = 0; i < sizeof dec / sizeof dec[0]; i++)
        expect_bad(dec[i], LML_DECIMAL, 10, 0, LML_EFORMAT);
    expect_bad("999.995", LML_DECIMAL, 5, 2, LML_EFORMAT); /* rounds to 1000.00: seven digits */
    expect_bad("1", LML_DECIMAL, 0, 0, LML_EINVAL);
    expect_bad("1", LML_DECIMAL, 39, 0, LML_EINVAL);
    expect_bad("1", LML_DECIMAL, 5, 6, LML_EINVAL);
    expect_bad("1", LML_DECIMAL, 5, -1, LML_EINVAL);
    static const char *const dates[] = {"2021-02-29", "1900-02-29", "2021-13-01", "2021-00-10", "2021-01-00",
                                        "2021-01-32", "2021-04-31", "21-01-01", "2021/01/01", "2021-01-01x",
                                        "12345678-01-01", "+5881581-01-01", "-5877642-01-01", "2021-001-01", "2021-01", "2021", "-", "2021-01-01 00:00:00"};
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++)
        expect_bad(dates[i], LML_DATE, 0, 0, LML_EFORMAT);
    static const char *const ts[] = {
        "2021-09-08 24:00:00", "2021-09-08 11:60:00", "2021-09-08 11:11:60", "2021-09-08 11:11:11.1234567",
        "2021-09-08 11:11:11.", "2021-09-08T11:11:11+25:00", "2021-09-08 11:11", "2021-09-08 11:11:11Zjunk",
        "2021-09-08 11:11:11+5", "2021-09-08X11:11:11", "2021-02-30 00:00:00", "+294248-01-01 00:00:00",
        "-290309-01-01 00:00:00", "2021-09-08 1:1:1", "2021-09-08 11:11:11 Z", "2021-09-08T", "2021-09-08T11:11:11+05:3",
    };
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        expect_bad(ts[i], LML_TIMESTAMP, 0, 0, LML_EFORMAT);
        expect_bad(ts[i], LML_TIMESTAMP_NTZ, 0, 0, LML_EFORMAT);
    }
    /* A wall-clock value has no zone to shift by. */
    expect_bad("2021-09-08 11:11:11+01:00", LML_TIMESTAMP_NTZ, 0, 0, LML_EFORMAT);
    expect_bad("x", LML_VECTOR, 0, 0, LML_EUNSUPPORTED);
    expect_bad("[1]", LML_LIST, 0, 0, LML_EUNSUPPORTED);
    lml_error err = {0};
    cr_expect_not(lml_delta_pvalue_parse("1", LML_INT32, 0, 0, NULL, &err));
    cr_expect_eq(err.code, LML_EINVAL);
}

Test(delta_pvalue, long_hostile_text_is_bounded_in_messages)
{
    size_t n = 100000;
    char *s = malloc(n + 1);
    cr_assert_not_null(s);
    memset(s, '7', n);
    s[n] = '\0';
    lml_value v;
    lml_error err = {0};
    cr_expect_not(lml_delta_pvalue_parse(s, LML_INT64, 0, 0, &v, &err));
    cr_expect_eq(err.code, LML_EFORMAT);
    cr_expect_not(lml_delta_pvalue_parse(s, LML_DOUBLE, 0, 0, &v, &err)); /* longer than any double needs */
    cr_expect_not(lml_delta_pvalue_parse(s, LML_DECIMAL, 38, 0, &v, &err));
    cr_expect_not(lml_delta_pvalue_parse(s, LML_TIMESTAMP, 0, 0, &v, &err));
    cr_expect(lml_delta_pvalue_parse(s, LML_STRING, 0, 0, &v, &err));
    cr_expect_eq(v.v.str.len, n);
    s[0] = '%';
    s[1] = 'z';
    char *d = lml_delta_uri_decode(s, &err);
    cr_expect_null(d);
    cr_expect_lt(strlen(err.message), LML_ERROR_MESSAGE_MAX);
    free(s);
}

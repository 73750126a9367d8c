#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "frame/internal.h"

/* One string cast to `to` through lml_frame_cast (the public path). */
static lml_value cast_str(const char *s, lml_type to, lml_frame **keep)
{
    lml_column *c = lml_column_from_strings(&s, 1, NULL);
    lml_frame *f = lml_frame_new(1, (const char *[]){"v"}, &c, NULL);
    lml_column_free(c);
    lml_error err = {0};
    lml_frame *g = lml_frame_cast(f, "v", to, &err);
    lml_frame_free(f);
    cr_assert_not_null(g, "%s", err.message);
    cr_assert_eq(lml_column_type(lml_frame_column(g, 0)), to);
    *keep = g;
    return lml_column_get(lml_frame_column(g, 0), 0);
}

#define EXPECT_NULL(s, to)                                                                                        \
    do {                                                                                                          \
        lml_frame *g_;                                                                                            \
        cr_expect(cast_str(s, to, &g_).is_null, "'%s' as %s should be null", s, lml_type_name(to));              \
        lml_frame_free(g_);                                                                                       \
    } while (0)

#define EXPECT_VAL(s, to, field, want)                                                                            \
    do {                                                                                                          \
        lml_frame *g_;                                                                                            \
        lml_value v_ = cast_str(s, to, &g_);                                                                      \
        cr_expect(!v_.is_null && v_.v.field == (want), "'%s' as %s", s, lml_type_name(to));                      \
        lml_frame_free(g_);                                                                                       \
    } while (0)

Test(cast, strings_to_integers_like_utf8string_toint)
{
    EXPECT_VAL(" 42 ", LML_INT32, i32, 42);
    EXPECT_VAL("+7", LML_INT32, i32, 7);
    EXPECT_VAL("1.9", LML_INT32, i32, 1);
    EXPECT_VAL("-1.9", LML_INT32, i32, -1);
    EXPECT_VAL("-2147483648", LML_INT32, i32, INT32_MIN);
    EXPECT_VAL(".", LML_INT32, i32, 0);
    EXPECT_NULL("2147483648", LML_INT32);
    EXPECT_NULL("1e3", LML_INT32);
    EXPECT_NULL("abc", LML_INT32);
    EXPECT_NULL("+", LML_INT32);
    EXPECT_NULL("", LML_INT32);
    EXPECT_NULL("1.x", LML_INT32);
    EXPECT_VAL("9223372036854775807", LML_INT64, i64, INT64_MAX);
    EXPECT_VAL("-9223372036854775808", LML_INT64, i64, INT64_MIN);
    EXPECT_NULL("9223372036854775808", LML_INT64);
}

Test(cast, strings_to_doubles_like_java_parse_double)
{
    EXPECT_VAL(" 1.5 ", LML_DOUBLE, f64, 1.5);
    EXPECT_VAL("1e3", LML_DOUBLE, f64, 1000.0);
    EXPECT_VAL(".5", LML_DOUBLE, f64, 0.5);
    EXPECT_VAL("1.5d", LML_DOUBLE, f64, 1.5);
    EXPECT_VAL("0x1p3", LML_DOUBLE, f64, 8.0);
    EXPECT_VAL("-Infinity", LML_DOUBLE, f64, -INFINITY);
    EXPECT_VAL("INF", LML_DOUBLE, f64, INFINITY);
    EXPECT_VAL("-infinity", LML_DOUBLE, f64, -INFINITY);
    EXPECT_VAL("0.1", LML_DOUBLE, f64, 0.1);
    lml_frame *g;
    cr_expect(isnan(cast_str("nan", LML_DOUBLE, &g).v.f64));
    lml_frame_free(g);
    EXPECT_NULL("1,5", LML_DOUBLE);
    EXPECT_NULL("abc", LML_DOUBLE);
    EXPECT_NULL("1e", LML_DOUBLE);
    EXPECT_NULL("", LML_DOUBLE);
    EXPECT_NULL("0x10", LML_DOUBLE);
}

Test(cast, strings_to_booleans)
{
    EXPECT_VAL("TRUE", LML_BOOL, b, true);
    EXPECT_VAL(" yes ", LML_BOOL, b, true);
    EXPECT_VAL("1", LML_BOOL, b, true);
    EXPECT_VAL("n", LML_BOOL, b, false);
    EXPECT_VAL("False", LML_BOOL, b, false);
    EXPECT_NULL("maybe", LML_BOOL);
    EXPECT_NULL("2", LML_BOOL);
}

Test(cast, strings_to_dates_and_timestamps)
{
    EXPECT_VAL("2020-03-01", LML_DATE, i32, 18322);
    EXPECT_VAL("2020-3-1", LML_DATE, i32, 18322);
    EXPECT_VAL("2020-03", LML_DATE, i32, 18322);
    EXPECT_VAL("2020", LML_DATE, i32, 18262);
    EXPECT_VAL("2020-03-01T10:00:00", LML_DATE, i32, 18322);
    EXPECT_VAL(" 1969-12-31 ", LML_DATE, i32, -1);
    EXPECT_NULL("2020-02-30", LML_DATE);
    EXPECT_NULL("2019-02-29", LML_DATE);
    EXPECT_NULL("20-03-01", LML_DATE);
    EXPECT_NULL("2020-03x", LML_DATE);
    EXPECT_VAL("2020-03-01", LML_TIMESTAMP, i64, INT64_C(1583020800000000));
    EXPECT_VAL("2020-03-01 00:00:00.123", LML_TIMESTAMP, i64, INT64_C(1583020800123000));
    EXPECT_VAL("2020-03-01T01:00:00+01:00", LML_TIMESTAMP, i64, INT64_C(1583020800000000));
    EXPECT_VAL("2020-03-01 10:30Z", LML_TIMESTAMP, i64, INT64_C(1583020800000000) + INT64_C(37800000000));
    EXPECT_VAL("2020-03-01 00:00:01.1234567", LML_TIMESTAMP, i64, INT64_C(1583020801123456));
    EXPECT_NULL("2020-03-01 25:00:00", LML_TIMESTAMP);
    EXPECT_NULL("2020-03-01 10:00:00 Mars/Olympus", LML_TIMESTAMP);
}

static lml_frame *doubles(const double *v, size_t n)
{
    lml_column *c = lml_column_from_doubles(v, NULL, n, NULL);
    lml_frame *f = lml_frame_new(1, (const char *[]){"d"}, &c, NULL);
    lml_column_free(c);
    return f;
}

Test(cast, doubles_to_integers_truncate_and_saturate_like_the_jvm)
{
    lml_frame *f = doubles((double[]){2.9, -2.9, NAN, 1e10, -1e10, 1e300}, 6);
    lml_error err = {0};
    lml_frame *g = lml_frame_cast(f, "d", LML_INT32, &err);
    cr_assert_not_null(g, "%s", err.message);
    const int32_t *i = lml_column_int32s(lml_frame_column(g, 0));
    cr_assert(i[0] == 2 && i[1] == -2 && i[2] == 0 && i[3] == INT32_MAX && i[4] == INT32_MIN && i[5] == INT32_MAX);
    cr_assert_eq(lml_column_null_count(lml_frame_column(g, 0)), 0);
    lml_frame *h = lml_frame_cast(f, "d", LML_INT64, &err);
    const int64_t *l = lml_column_int64s(lml_frame_column(h, 0));
    cr_assert(l[0] == 2 && l[3] == 10000000000 && l[5] == INT64_MAX);
    lml_frame *s = lml_frame_cast(f, "d", LML_STRING, &err);
    char buf[32];
    lml_format_value(lml_frame_column(s, 0), 3, buf, sizeof buf);
    cr_assert_str_eq(buf, "1.0E10");
    lml_format_value(lml_frame_column(s, 0), 2, buf, sizeof buf);
    cr_assert_str_eq(buf, "NaN");
    lml_frame *t = lml_frame_cast(f, "d", LML_TIMESTAMP, &err);
    cr_assert_eq(lml_column_int64s(lml_frame_column(t, 0))[0], 2900000);
    cr_assert(lml_column_is_null(lml_frame_column(t, 0), 2), "NaN seconds is no time");
    lml_frame_free(f);
    lml_frame_free(g);
    lml_frame_free(h);
    lml_frame_free(s);
    lml_frame_free(t);
}

Test(cast, longs_wrap_to_int_and_timestamps_convert_in_seconds)
{
    int64_t v[3] = {INT64_C(4294967297), -1, INT64_C(1583020800123000)};
    lml_column *c = lml_column_from_int64s(v, (uint8_t[]){0x07}, 3, NULL);
    lml_frame *f = lml_frame_new(1, (const char *[]){"l"}, &c, NULL);
    lml_column_free(c);
    lml_error err = {0};
    lml_frame *i = lml_frame_cast(f, "l", LML_INT32, &err);
    cr_assert_eq(lml_column_int32s(lml_frame_column(i, 0))[0], 1, "long → int wraps");
    lml_frame *ts = lml_frame_cast(f, "l", LML_TIMESTAMP, &err);
    cr_assert_eq(lml_column_int64s(lml_frame_column(ts, 0))[1], -1000000, "a number is seconds");
    /* now a real timestamp column: microseconds → seconds (floor), date (floor), text */
    lml_column *t = lml_column_alloc(LML_TIMESTAMP, 3, 0, false, NULL);
    memcpy(t->values, v, sizeof v);
    lml_frame *tf = lml_frame_new(1, (const char *[]){"t"}, &t, NULL);
    lml_column_free(t);
    lml_frame *sec = lml_frame_cast(tf, "t", LML_INT64, &err);
    cr_assert_eq(lml_column_int64s(lml_frame_column(sec, 0))[1], -1, "floor(-1 µs) is -1 s");
    cr_assert_eq(lml_column_int64s(lml_frame_column(sec, 0))[2], 1583020800);
    lml_frame *dd = lml_frame_cast(tf, "t", LML_DOUBLE, &err);
    cr_assert_eq(lml_column_doubles(lml_frame_column(dd, 0))[2], 1583020800.123);
    lml_frame *day = lml_frame_cast(tf, "t", LML_DATE, &err);
    cr_assert_eq(lml_column_int32s(lml_frame_column(day, 0))[1], -1);
    cr_assert_eq(lml_column_int32s(lml_frame_column(day, 0))[2], 18322);
    lml_frame *txt = lml_frame_cast(tf, "t", LML_STRING, &err);
    size_t len;
    const char *s = lml_column_string_at(lml_frame_column(txt, 0), 2, &len);
    cr_assert(len == 23 && memcmp(s, "2020-03-01 00:00:00.123", 23) == 0);
    lml_frame *back = lml_frame_cast(day, "t", LML_TIMESTAMP, &err);
    cr_assert_eq(lml_column_int64s(lml_frame_column(back, 0))[2], INT64_C(1583020800000000));
    lml_frame *num = lml_frame_cast(day, "t", LML_INT32, &err);
    cr_assert_not_null(num, "%s", err.message);
    cr_assert_eq(lml_column_null_count(lml_frame_column(num, 0)), 3, "date → int is null in Spark");
    lml_frame *all[] = {f, i, ts, tf, sec, dd, day, txt, back, num};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        lml_frame_free(all[k]);
}

Test(cast, strings_keep_nulls_and_same_type_shares)
{
    const char *s[3] = {"1", NULL, "x"};
    lml_column *c = lml_column_from_strings(s, 3, NULL);
    lml_frame *f = lml_frame_new(1, (const char *[]){"s"}, &c, NULL);
    lml_column_free(c);
    lml_error err = {0};
    lml_frame *g = lml_frame_cast(f, "S", LML_INT32, &err);
    cr_assert_not_null(g, "%s", err.message);
    const lml_column *gc = lml_frame_column(g, 0);
    cr_assert(!lml_column_is_null(gc, 0) && lml_column_int32s(gc)[0] == 1);
    cr_assert(lml_column_is_null(gc, 1) && lml_column_is_null(gc, 2));
    lml_frame *same = lml_frame_cast(f, "s", LML_STRING, &err);
    cr_assert_eq(lml_frame_column(same, 0), lml_frame_column(f, 0));
    lml_frame *text = lml_frame_cast(g, "s", LML_STRING, &err);
    cr_assert(lml_column_is_null(lml_frame_column(text, 0), 1));
    size_t len;
    cr_assert_eq(*lml_column_string_at(lml_frame_column(text, 0), 0, &len), '1');
    lml_frame_free(f);
    lml_frame_free(g);
    lml_frame_free(same);
    lml_frame_free(text);
}

Test(cast, impossible_casts_fail_with_etype)
{
    int32_t v[1] = {5};
    lml_column *c = lml_column_from_int32s(v, NULL, 1, NULL);
    double dv[2] = {1, 2};
    lml_column *vec = lml_column_vector_from_dense(dv, 1, 2, NULL);
    lml_frame *f = lml_frame_new(2, (const char *[]){"i", "vec"}, (lml_column *[]){c, vec}, NULL);
    lml_column_free(c);
    lml_column_free(vec);
    lml_error err = {0};
    cr_assert_null(lml_frame_cast(f, "i", LML_DATE, &err));
    cr_assert_eq(err.code, LML_ETYPE);
    cr_assert(strstr(err.message, "'i'") && strstr(err.message, "date"), "%s", err.message);
    cr_assert_null(lml_frame_cast(f, "vec", LML_DOUBLE, &err));
    cr_assert_eq(err.code, LML_ETYPE);
    cr_assert_null(lml_frame_cast(f, "i", LML_VECTOR, &err));
    cr_assert_null(lml_frame_cast(f, "nope", LML_INT64, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    lml_frame *s = lml_frame_cast(f, "vec", LML_STRING, &err);
    cr_assert_not_null(s, "%s", err.message);
    size_t len;
    const char *t = lml_column_string_at(lml_frame_column(s, 1), 0, &len);
    cr_assert(len == 9 && memcmp(t, "[1.0,2.0]", 9) == 0);
    lml_frame_free(s);
    lml_frame_free(f);
}

Test(cast, booleans_and_numbers_convert_both_ways)
{
    lml_column *b = lml_column_alloc(LML_BOOL, 3, 0, true, NULL);
    lml_bit_set(b->values, 0);
    lml_bit_set(b->validity, 0);
    lml_bit_set(b->validity, 1);
    lml_column_seal(b);
    double dv[3] = {0.0, NAN, -0.5};
    lml_column *d = lml_column_from_doubles(dv, NULL, 3, NULL);
    lml_frame *f = lml_frame_new(2, (const char *[]){"b", "d"}, (lml_column *[]){b, d}, NULL);
    lml_column_free(b);
    lml_column_free(d);
    lml_error err = {0};
    lml_frame *bi = lml_frame_cast(f, "b", LML_INT64, &err);
    const lml_column *c = lml_frame_column(bi, 0);
    cr_assert(lml_column_int64s(c)[0] == 1 && lml_column_int64s(c)[1] == 0 && lml_column_is_null(c, 2));
    lml_frame *bt = lml_frame_cast(f, "b", LML_TIMESTAMP, &err);
    cr_assert_eq(lml_column_int64s(lml_frame_column(bt, 0))[0], 1, "true is one microsecond in Spark");
    lml_frame *db = lml_frame_cast(f, "d", LML_BOOL, &err);
    c = lml_frame_column(db, 1);
    cr_assert(!lml_column_bool_at(c, 0) && lml_column_bool_at(c, 1) && lml_column_bool_at(c, 2), "NaN != 0 is true");
    lml_frame *bs = lml_frame_cast(f, "b", LML_STRING, &err);
    size_t len;
    const char *s = lml_column_string_at(lml_frame_column(bs, 0), 1, &len);
    cr_assert(len == 5 && memcmp(s, "false", 5) == 0);
    lml_frame_free(bi);
    lml_frame_free(bt);
    lml_frame_free(db);
    lml_frame_free(bs);
    lml_frame_free(f);
}

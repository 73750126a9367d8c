/* The built-in functions and CAST, with Spark's results. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../expr_support.h"

Test(expr_functions, coalesce_takes_the_first_non_null_in_the_wider_type)
{
    lml_frame *f = ex_frame();
    EX_EQ(f, "coalesce(i, l)", "1,2,3000000000,4,-5");
    cr_expect_eq(ex_type(f, "coalesce(i, l)"), LML_INT64);
    EX_EQ(f, "coalesce(s, 'none')", "a,abc,none,x_y,Abc");
    EX_EQ(f, "COALESCE(i, 2.5)", "1.0,2.0,2.5,4.0,-5.0");
    EX_EQ(f, "coalesce(NULL, i, 0)", "1,2,0,4,-5");
    EX_EQ(f, "coalesce(ts, dt)", "2024-01-31 10:00:00,2024-02-29 00:00:00,1970-01-01 00:00:00,"
                                 "2024-02-29 23:59:59.5,1969-12-31 23:59:59");
    EX_CONST("coalesce(NULL, NULL)", "NULL");
    EX_CONST("coalesce(NULL, 'x')", "x");
    lml_frame_free(f);
}

Test(expr_functions, string_functions)
{
    lml_frame *f = ex_frame();
    EX_EQ(f, "upper(s)", "A,ABC,NULL,X_Y,ABC");
    EX_EQ(f, "lower(s)", "a,abc,NULL,x_y,abc");
    EX_EQ(f, "length(s)", "1,3,NULL,3,3");
    EX_EQ(f, "concat(s, '-', i)", "a-1,abc-2,NULL,x_y-4,Abc--5");
    EX_EQ(f, "s || '!'", "a!,abc!,NULL,x_y!,Abc!");
    EX_EQ(f, "upper(s) = 'ABC'", "false,true,NULL,false,true");
    lml_frame_free(f);
    EX_CONST("lower('\xc3\x80\xc3\x89\xc3\x8e Stra\xc3\x9f" "e \xce\xa3\xce\x91\xce\xa3 \xd0\x9f\xd0\x81')",
             "\xc3\xa0\xc3\xa9\xc3\xae stra\xc3\x9f" "e \xcf\x83\xce\xb1\xcf\x83 \xd0\xbf\xd1\x91");
    EX_CONST("upper('\xc3\xa0\xc3\xa9 stra\xc3\x9f" "e \xcf\x83\xce\xb1\xcf\x82')",
             "\xc3\x80\xc3\x89 STRA\xc3\x9f" "E \xce\xa3\xce\x91\xce\xa3"); /* ß stays, final ς → Σ */
    EX_CONST("trim('  a b  ')", "a b");
    EX_CONST("ltrim('  a b  ')", "a b  ");
    EX_CONST("rtrim('  a b  ')", "  a b");
    EX_CONST("trim('\\ta ')", "\ta"); /* only spaces are trimmed */
    EX_CONST("trim('   ')", "");
    EX_CONST("length('h\xc3\xa9llo')", "5");
    EX_CONST("length(12345)", "5");
    EX_CONST("length('')", "0");
    EX_CONST("concat()", "");
    EX_CONST("concat('a', NULL)", "NULL");
    EX_CONST("concat(1.5, TRUE, DATE '2024-01-31')", "1.5true2024-01-31");
    cr_expect_eq(ex_type(NULL, "length('x')"), LML_INT32);
}

Test(expr_functions, numeric_functions)
{
    lml_frame *f = ex_frame();
    EX_EQ(f, "abs(i)", "1,2,NULL,4,5");
    EX_EQ(f, "abs(d)", "1.5,NaN,NULL,0.5,2.0");
    EX_EQ(f, "floor(d)", "1,0,NULL,-1,2");
    EX_EQ(f, "ceil(d)", "2,0,NULL,0,2");
    cr_expect_eq(ex_type(f, "floor(d)"), LML_INT64);
    cr_expect_eq(ex_type(f, "ceil(i)"), LML_INT64);
    EX_EQ(f, "round(i, -1)", "0,0,NULL,0,-10");
    cr_expect_eq(ex_type(f, "round(i)"), LML_INT32);
    EX_EQ(f, "round(d)", "2.0,NaN,NULL,-1.0,2.0");
    lml_frame_free(f);
    EX_CONST("abs(-2147483648)", "-2147483648"); /* wraps, as Java's Math.abs */
    EX_CONST("abs('-3')", "3.0");
    EX_CONST("round(2.5)", "3.0");
    EX_CONST("round(-2.5)", "-3.0");
    EX_CONST("round(2.675, 2)", "2.68");  /* HALF_UP on the decimal text, not the binary value */
    EX_CONST("round(1.005, 2)", "1.01");
    EX_CONST("round(9.995, 2)", "10.0");
    EX_CONST("round(123.456, -1)", "120.0");
    EX_CONST("round(0.0001, 2)", "0.0");
    EX_CONST("round(1e300, 2)", "1.0E300");
    EX_CONST("round(1234, -2)", "1200");
    EX_CONST("round(1250, -2)", "1300");
    EX_CONST("round(-1250, -2)", "-1300");
    EX_CONST("round(1250L, -5)", "0");
    EX_CONST("floor(-0.5)", "-1");
    EX_CONST("ceil(1.2)", "2");
    EX_CONST("ceil(-0.5)", "0");
    EX_CONST("floor(1e30)", "9223372036854775807");
}

Test(expr_functions, date_parts)
{
    lml_frame *f = ex_frame();
    EX_EQ(f, "year(dt)", "2024,2024,NULL,1970,1969");
    EX_EQ(f, "month(dt)", "1,2,NULL,1,12");
    EX_EQ(f, "day(dt)", "31,29,NULL,1,31");
    EX_EQ(f, "dayofmonth(ts)", "31,NULL,1,29,31");
    lml_frame_free(f);
    EX_CONST("year('2024-05-06')", "2024");
    EX_CONST("month('garbage')", "NULL");
    EX_CONST("day(DATE '2000-02-29')", "29");
    EX_CONST("year(DATE '-0044-03-15')", "-44");
}

Test(expr_functions, current_date_and_timestamp_are_one_value_per_evaluation)
{
    time_t before = time(NULL);
    lml_frame *f = ex_frame();
    lml_error err = {0};
    lml_expr *e = lml_expr_parse("current_timestamp()", &err);
    lml_expr_input in = {NULL, f};
    lml_column *c = lml_expr_eval(e, &in, 1, &err);
    time_t after = time(NULL);
    cr_assert_not_null(c, "%s", err.message);
    cr_assert_eq(lml_column_type(c), LML_TIMESTAMP);
    const int64_t *ts = lml_column_int64s(c);
    for (int k = 1; k < 5; k++)
        cr_expect_eq(ts[k], ts[0]);
    cr_expect(ts[0] >= (int64_t)before * 1000000 && ts[0] <= ((int64_t)after + 1) * 1000000);
    lml_column_free(c);
    lml_expr_free(e);
    EX_EQ(f, "current_date() = CAST(current_timestamp() AS DATE)", "true,true,true,true,true");
    EX_EQ(f, "CURRENT_DATE > DATE '2020-01-01'", "true,true,true,true,true");
    cr_expect_eq(ex_type(f, "current_date"), LML_DATE);
    lml_frame_free(f);
}

Test(expr_functions, casts_follow_sparks_non_ansi_rules)
{
    EX_CONST("CAST('1.5' AS INT)", "1");
    EX_CONST("CAST('abc' AS INT)", "NULL");
    EX_CONST("CAST(' 42 ' AS BIGINT)", "42");
    EX_CONST("CAST('1e3' AS DOUBLE)", "1000.0");
    EX_CONST("CAST(3.99 AS INT)", "3");
    EX_CONST("CAST(-3.99 AS INT)", "-3");
    EX_CONST("CAST(3000000000 AS INT)", "-1294967296");
    EX_CONST("CAST(1e20 AS BIGINT)", "9223372036854775807");
    EX_CONST("CAST('2024-02-30' AS DATE)", "NULL");
    EX_CONST("CAST('2024-01-31' AS DATE)", "2024-01-31");
    EX_CONST("CAST(TIMESTAMP '2024-01-31 10:00:00' AS DATE)", "2024-01-31");
    EX_CONST("CAST(DATE '2024-01-31' AS TIMESTAMP)", "2024-01-31 00:00:00");
    EX_CONST("CAST('yes' AS BOOLEAN)", "true");
    EX_CONST("CAST('maybe' AS BOOLEAN)", "NULL");
    EX_CONST("CAST(0 AS BOOLEAN)", "false");
    EX_CONST("CAST(300 AS TINYINT)", "44");
    EX_CONST("CAST('300' AS TINYINT)", "NULL");
    EX_CONST("CAST(70000 AS SMALLINT)", "4464");
    EX_CONST("CAST(1.5 AS FLOAT)", "1.5");
    EX_CONST("CAST(123.456 AS DECIMAL(5,2))", "123.46");
    EX_CONST("CAST(1234.5 AS DECIMAL(5,2))", "NULL");
    EX_CONST("CAST('x' AS DECIMAL)", "NULL");
    EX_CONST("CAST(DATE '2024-01-31' AS INT)", "NULL");
    EX_CONST("CAST(NULL AS INT) IS NULL", "true");
    EX_CONST("CAST(1.0 AS STRING)", "1.0");
    cr_expect_eq(ex_type(NULL, "CAST(1 AS SMALLINT)"), LML_INT16);
    cr_expect_eq(ex_type(NULL, "CAST(1 AS float)"), LML_FLOAT);
    cr_expect_eq(ex_type(NULL, "CAST(1 AS decimal(3, 1))"), LML_DOUBLE);
    cr_expect_eq(ex_type(NULL, "CAST(1 AS string)"), LML_STRING);
    lml_frame *f = ex_frame();
    EX_EQ(f, "CAST(i AS STRING)", "1,2,NULL,4,-5");
    EX_EQ(f, "CAST(d AS STRING)", "1.5,NaN,NULL,-0.5,2.0");
    EX_EQ(f, "CAST(b AS INT)", "1,0,NULL,1,0");
    EX_EQ(f, "CAST(ts AS BIGINT)", "1706695200,NULL,0,1709251199,-1");
    EX_EQ(f, "CAST(s AS INT)", "NULL,NULL,NULL,NULL,NULL");
    EX_EQ(f, "CAST(dt AS STRING) LIKE '2024%'", "true,true,NULL,false,false");
    lml_frame_free(f);
    char msg[LML_ERROR_MESSAGE_MAX];
    cr_expect_eq(ex_fail(NULL, "CAST(1 AS DATE)", msg), LML_ETYPE);
    cr_expect(strstr(msg, "position 1") && strstr(msg, "int") && strstr(msg, "date"), "%s", msg);
    ex_fails_as(NULL, "CAST(1 AS vector)", LML_EINVAL, NULL);
    ex_fails_as(NULL, "CAST(1 AS DECIMAL(40,2))", LML_EINVAL, NULL);
}

Test(expr_functions, function_errors)
{
    char msg[LML_ERROR_MESSAGE_MAX];
    lml_frame *f = ex_frame();
    ex_fails_as(f, "nosuch(i)", LML_ENOTFOUND, "unknown function 'nosuch' at position 1");
    cr_expect_eq(ex_fail(f, "lower(s, s)", msg), LML_EINVAL);
    cr_expect(strstr(msg, "lower") && strstr(msg, "1 argument"), "%s", msg);
    cr_expect_eq(ex_fail(f, "abs(b)", msg), LML_ETYPE);
    cr_expect(strstr(msg, "abs") && strstr(msg, "boolean"), "%s", msg);
    ex_fails_as(f, "round(d, i)", LML_ETYPE, NULL);
    ex_fails_as(f, "year(i)", LML_ETYPE, NULL);
    ex_fails_as(f, "coalesce(i, b)", LML_ETYPE, NULL);
    ex_fails_as(f, "current_date(1)", LML_EINVAL, NULL);
    lml_frame_free(f);
}

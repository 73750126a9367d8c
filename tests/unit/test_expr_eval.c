/* Literals, column references, arithmetic and comparisons, with Spark's types and results. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "../expr_support.h"

Test(expr_eval, literals_take_sparks_types)
{
    cr_expect_eq(ex_type(NULL, "1"), LML_INT32);
    cr_expect_eq(ex_type(NULL, "2147483647"), LML_INT32);
    cr_expect_eq(ex_type(NULL, "2147483648"), LML_INT64);
    cr_expect_eq(ex_type(NULL, "-2147483648"), LML_INT32);
    cr_expect_eq(ex_type(NULL, "3000000000"), LML_INT64);
    cr_expect_eq(ex_type(NULL, "1L"), LML_INT64);
    cr_expect_eq(ex_type(NULL, "1.5"), LML_DOUBLE);
    cr_expect_eq(ex_type(NULL, "1e3"), LML_DOUBLE);
    cr_expect_eq(ex_type(NULL, "9223372036854775808"), LML_DOUBLE); /* Spark: a decimal */
    cr_expect_eq(ex_type(NULL, "'a'"), LML_STRING);
    cr_expect_eq(ex_type(NULL, "DATE '2024-01-31'"), LML_DATE);
    cr_expect_eq(ex_type(NULL, "TIMESTAMP '2024-01-31 10:00:00'"), LML_TIMESTAMP);
    cr_expect_eq(ex_type(NULL, "TRUE"), LML_BOOL);
    EX_CONST("-2147483648", "-2147483648");
    EX_CONST("-9223372036854775808", "-9223372036854775808");
    EX_CONST("1e3", "1000.0");
    EX_CONST(".5", "0.5");
    EX_CONST("TRUE", "true");
    EX_CONST("false", "false");
    EX_CONST("NULL", "NULL");
    EX_CONST("DATE '2024-01-31'", "2024-01-31");
    EX_CONST("TIMESTAMP '2024-01-31 10:00:00'", "2024-01-31 10:00:00");
    EX_CONST("TIMESTAMP '2024-01-31T10:00:00.25Z'", "2024-01-31 10:00:00.25");
}

Test(expr_eval, string_literals_unescape_as_spark)
{
    EX_CONST("'it''s'", "it's");
    EX_CONST("'it\\'s'", "it's");
    EX_CONST("\"dq\"", "dq");
    EX_CONST("'a' 'b'", "ab");
    EX_CONST("'tab\\there'", "tab\there");
    EX_CONST("'\\u00e9'", "\xc3\xa9");
    EX_CONST("'back\\\\slash'", "back\\slash");
    EX_CONST("'\\101'", "A");
    EX_CONST("r'raw\\n'", "raw\\n");
    EX_CONST("''", "");
}

Test(expr_eval, constant_arithmetic_wraps_and_divides_like_spark)
{
    EX_CONST("1 / 2", "0.5");
    EX_CONST("1 + 2 * 3", "7");
    EX_CONST("(1 + 2) * 3", "9");
    EX_CONST("10 - 2 - 3", "5");
    EX_CONST("7 % 3", "1");
    EX_CONST("-7 % 3", "-1");
    EX_CONST("7 % -3", "1");
    EX_CONST("-2147483648 % -1", "0");
    EX_CONST("5.5 % 2", "1.5");
    EX_CONST("1 / 0", "NULL");
    EX_CONST("1.0 / 0.0", "NULL");
    EX_CONST("1 % 0", "NULL");
    EX_CONST("2147483647 + 1", "-2147483648");
    EX_CONST("9223372036854775807L + 1", "-9223372036854775808");
    EX_CONST("65536 * 65536", "0");
    EX_CONST("-(-2147483648)", "-2147483648");
    EX_CONST("'1' + 1", "2.0");
    EX_CONST("1 + 1.5", "2.5");
    EX_CONST("1L + 1", "2");
    EX_CONST("NULL + 1", "NULL");
    EX_CONST("DATE '2024-02-28' + 2", "2024-03-01");
    EX_CONST("DATE '2024-03-01' - 1", "2024-02-29");
    cr_expect_eq(ex_type(NULL, "1L + 1"), LML_INT64);
    cr_expect_eq(ex_type(NULL, "1 / 1"), LML_DOUBLE);
    cr_expect_eq(ex_type(NULL, "7 % 2"), LML_INT32);
    cr_expect_eq(ex_type(NULL, "'1' + 1"), LML_DOUBLE);
}

Test(expr_eval, column_arithmetic_propagates_nulls)
{
    lml_frame *f = ex_frame();
    EX_EQ(f, "i + 1", "2,3,NULL,5,-4");
    EX_EQ(f, "i + l", "11,NULL,NULL,3,-5");
    cr_expect_eq(ex_type(f, "i + l"), LML_INT64);
    EX_EQ(f, "i * 2.0", "2.0,4.0,NULL,8.0,-10.0");
    EX_EQ(f, "d * 2", "3.0,NaN,NULL,-1.0,4.0");
    EX_EQ(f, "i / 2", "0.5,1.0,NULL,2.0,-2.5");
    EX_EQ(f, "l % 3", "1,NULL,0,-1,0");
    EX_EQ(f, "-i", "-1,-2,NULL,-4,5");
    EX_EQ(f, "i / (i - 2)", "-1.0,NULL,NULL,2.0,0.7142857142857143");
    EX_EQ(f, "i % (i - 2)", "0,NULL,NULL,0,-5");
    EX_EQ(f, "dt + 1", "2024-02-01,2024-03-01,NULL,1970-01-02,1970-01-01");
    EX_EQ(f, "I + 0", "1,2,NULL,4,-5"); /* names resolve case-insensitively */
    lml_frame_free(f);
}

Test(expr_eval, comparisons_coerce_like_spark)
{
    lml_frame *f = ex_frame();
    EX_EQ(f, "i > 1", "false,true,NULL,true,false");
    EX_EQ(f, "1 < i", "false,true,NULL,true,false");
    EX_EQ(f, "i = l", "false,NULL,NULL,false,false");
    EX_EQ(f, "d > 1", "true,true,NULL,false,true"); /* NaN is above everything */
    EX_EQ(f, "d = d", "true,true,NULL,true,true");  /* and equal to itself */
    EX_EQ(f, "d <= 2", "true,false,NULL,true,true");
    EX_EQ(f, "s < 'b'", "true,true,NULL,false,true");
    EX_EQ(f, "s = 'abc'", "false,true,NULL,false,false");
    EX_EQ(f, "s >= s", "true,true,NULL,true,true");
    EX_EQ(f, "dt = '2024-01-31'", "true,false,NULL,false,false");
    EX_EQ(f, "dt < ts", "true,NULL,NULL,true,true");
    EX_EQ(f, "ts >= '2024-01-31 10:00:00'", "true,NULL,false,true,false");
    EX_EQ(f, "i = '2'", "false,true,NULL,false,false");
    EX_EQ(f, "i <> 2", "true,false,NULL,true,true");
    EX_EQ(f, "i != 2", "true,false,NULL,true,true");
    EX_EQ(f, "b = TRUE", "true,false,NULL,true,false");
    EX_EQ(f, "b < TRUE", "false,true,NULL,false,true");
    EX_EQ(f, "i <=> NULL", "false,false,true,false,false");
    EX_EQ(f, "i <=> 2", "false,true,false,false,false");
    EX_EQ(f, "d < 'x'", "NULL,NULL,NULL,NULL,NULL"); /* 'x' as a double is NULL */
    EX_CONST("'1.5' = 1", "true"); /* the string takes the int's type: CAST('1.5' AS INT) = 1 */
    EX_CONST("NULL = NULL", "NULL");
    EX_CONST("NULL <=> NULL", "true");
    EX_CONST("'b' > 'a'", "true");
    EX_CONST("'\xc3\xa9' > 'z'", "true"); /* bytewise UTF-8 order */
    lml_frame_free(f);
}

/* More rows than a byte of mask bits, not a multiple of 8, to exercise the packed loops. */
Test(expr_eval, masks_pack_bits_across_bytes)
{
    int32_t v[21];
    for (int k = 0; k < 21; k++)
        v[k] = k;
    lml_column *c = lml_column_from_int32s(v, NULL, 21, NULL);
    lml_frame *f = ex_frame_of(1, (const char *[]){"k"}, &c);
    lml_error err = {0};
    lml_expr *e = lml_expr_parse("k % 3 = 0 OR k > 18", &err);
    cr_assert_not_null(e, "%s", err.message);
    lml_expr_input in = {NULL, f};
    uint8_t *mask = NULL;
    cr_assert(lml_expr_eval_mask(e, &in, 1, &mask, &err), "%s", err.message);
    for (int k = 0; k < 21; k++)
        cr_expect_eq((mask[k / 8] >> (k % 8)) & 1, k % 3 == 0 || k > 18, "row %d", k);
    cr_expect_eq(mask[2] >> 5, 0, "no bits past the last row");
    free(mask);
    lml_expr_free(e);
    EX_EQ(f, "5 * 2 < k", "false,false,false,false,false,false,false,false,false,false,false,"
                          "true,true,true,true,true,true,true,true,true,true");
    lml_frame_free(f);
}

Test(expr_eval, mask_counts_null_as_false_and_rejects_non_boolean)
{
    lml_frame *f = ex_frame();
    lml_error err = {0};
    lml_expr *e = lml_expr_parse("i > 1 OR i IS NULL AND FALSE", &err);
    lml_expr_input in = {NULL, f};
    uint8_t *mask = NULL;
    cr_assert(lml_expr_eval_mask(e, &in, 1, &mask, &err), "%s", err.message);
    cr_expect_eq(mask[0], 0x0A); /* rows 1 and 3 */
    free(mask);
    lml_expr_free(e);
    e = lml_expr_parse("i + 1", &err);
    cr_expect_not(lml_expr_eval_mask(e, &in, 1, &mask, &err));
    cr_expect_eq(err.code, LML_ETYPE);
    cr_expect(strstr(err.message, "int") != NULL, "%s", err.message);
    lml_expr_free(e);
    e = lml_expr_parse("NULL", &err);
    cr_assert(lml_expr_eval_mask(e, &in, 1, &mask, &err), "%s", err.message);
    cr_expect_eq(mask[0], 0);
    free(mask);
    lml_expr_free(e);
    lml_frame_free(f);
}

static lml_frame *keyed(const char *key, const int32_t *v, const char *other)
{
    lml_column *cols[] = {lml_column_from_int32s(v, NULL, 3, NULL), lml_column_from_int32s(v, NULL, 3, NULL)};
    return ex_frame_of(2, (const char *[]){key, other}, cols);
}

Test(expr_eval, qualified_names_and_ambiguity_across_inputs)
{
    lml_frame *t = keyed("id", (int32_t[]){1, 2, 3}, "tv"), *s = keyed("id", (int32_t[]){1, 5, 3}, "sv");
    lml_expr_input in[] = {{"t", t}, {"s", s}};
    lml_error err = {0};
    lml_expr *e = lml_expr_parse("t.id = s.id AND tv + sv > 2", &err);
    lml_column *c = lml_expr_eval(e, in, 2, &err);
    cr_assert_not_null(c, "%s", err.message);
    cr_expect(lml_column_bool_at(c, 0) == false && lml_column_bool_at(c, 1) == false && lml_column_bool_at(c, 2));
    lml_column_free(c);
    lml_expr_free(e);

    e = lml_expr_parse("id = 1", &err);
    cr_expect_null(lml_expr_eval(e, in, 2, &err));
    cr_expect_eq(err.code, LML_EINVAL);
    cr_expect(strstr(err.message, "ambiguous") && strstr(err.message, "'id'"), "%s", err.message);
    lml_expr_free(e);

    e = lml_expr_parse("T.ID + 0", &err); /* qualifiers too are case-insensitive */
    c = lml_expr_eval(e, in, 2, &err);
    cr_assert_not_null(c, "%s", err.message);
    cr_expect_eq(lml_column_int32s(c)[2], 3);
    lml_column_free(c);
    lml_expr_free(e);

    e = lml_expr_parse("s.tv = 1", &err);
    cr_expect_null(lml_expr_eval(e, in, 2, &err));
    cr_expect_eq(err.code, LML_ENOTFOUND);
    cr_expect_str_eq(err.message, "column 's.tv' at position 1 does not exist");
    lml_expr_free(e);

    lml_frame *short_frame = lml_frame_head(s, 2, NULL);
    lml_expr_input bad[] = {{"t", t}, {"s", short_frame}};
    e = lml_expr_parse("t.id = s.id", &err);
    cr_expect_null(lml_expr_eval(e, bad, 2, &err));
    cr_expect_eq(err.code, LML_EINVAL);
    lml_expr_free(e);
    lml_frame_free(short_frame);
    lml_frame_free(t);
    lml_frame_free(s);
}

Test(expr_eval, back_quoted_names)
{
    int32_t v[] = {1, 2};
    lml_column *cols[] = {lml_column_from_int32s(v, NULL, 2, NULL), lml_column_from_int32s(v, NULL, 2, NULL)};
    lml_frame *f = ex_frame_of(2, (const char *[]){"weird name", "a`b"}, cols);
    EX_EQ(f, "`weird name` * 10", "10,20");
    EX_EQ(f, "`a``b` + `weird name`", "2,4");
    lml_frame_free(f);
}

Test(expr_eval, narrow_and_decimal_columns_widen)
{
    int8_t b8[] = {100, -3};
    float fl[] = {1.5f, -2.25f};
    uint8_t dec[32] = {0};
    dec[0] = 0x39; /* 12345 = 0x3039 → 123.45 at scale 2 */
    dec[1] = 0x30;
    lml_column *cols[] = {lml_column_from_int8s(b8, NULL, 2, NULL), lml_column_from_floats(fl, NULL, 2, NULL),
                          lml_column_from_decimals(dec, NULL, 2, 5, 2, NULL)};
    lml_frame *f = ex_frame_of(3, (const char *[]){"b8", "fl", "dc"}, cols);
    EX_EQ(f, "b8 + b8", "200,-6"); /* int arithmetic: no byte wrap-around */
    cr_expect_eq(ex_type(f, "b8 + 1"), LML_INT32);
    EX_EQ(f, "fl * 2", "3.0,-4.5");
    EX_EQ(f, "dc > 100", "true,false");
    EX_EQ(f, "dc + 0", "123.45,0.0");
    cr_expect_eq(ex_type(f, "b8"), LML_INT8);
    EX_EQ(f, "CAST(fl AS STRING)", "1.5,-2.25");
    EX_EQ(f, "CAST(dc AS STRING)", "123.45,0.00");
    lml_frame_free(f);
}

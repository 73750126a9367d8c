/* Spark's CSV schema inference (spec §1.5): one small file per rule. Each column is written
 * top to bottom, one value per line, under the header "c". */
#include <criterion/criterion.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include "lakeml/lakeml.h"

static lml_frame *infer_opts(const char *text, lml_csv_options o)
{
    o.header = true;
    o.infer_schema = true;
    lml_error err = {0};
    lml_frame *f = lml_csv_read_buffer(text, strlen(text), "i.csv", &o, &err);
    cr_assert(f, "read failed: %s", err.message);
    return f;
}

/* The inferred type of a one-column file holding the given lines. */
static lml_type type_of(const char *text)
{
    lml_frame *f = infer_opts(text, (lml_csv_options){0});
    lml_type t = lml_column_type(lml_frame_column(f, 0));
    lml_frame_free(f);
    return t;
}

#define ASSERT_TYPE(text, want)                                                                              \
    do {                                                                                                     \
        lml_type got_ = type_of(text);                                                                       \
        cr_assert_eq(got_, want, "%s: got %s, want %s", #text, lml_type_name(got_), lml_type_name(want));   \
    } while (0)

Test(csv_infer, integers_infer_as_int32)
{
    ASSERT_TYPE("c\n1\n-2\n+3\n007\n2147483647\n-2147483648\n", LML_INT32);
}

Test(csv_infer, integers_beyond_int32_infer_as_long)
{
    ASSERT_TYPE("c\n1\n2147483648\n", LML_INT64);
    ASSERT_TYPE("c\n-2147483649\n5\n", LML_INT64);
    ASSERT_TYPE("c\n9223372036854775807\n-9223372036854775808\n", LML_INT64);
}

Test(csv_infer, integers_beyond_long_infer_as_double_since_there_is_no_decimal_type)
{
    ASSERT_TYPE("c\n9223372036854775808\n", LML_DOUBLE);
    ASSERT_TYPE("c\n1\n123456789012345678901234567890\n", LML_DOUBLE);
}

Test(csv_infer, int_then_fraction_widens_to_double)
{
    ASSERT_TYPE("c\n1\n2.5\n", LML_DOUBLE);
    ASSERT_TYPE("c\n2.5\n1\n", LML_DOUBLE);
    ASSERT_TYPE("c\n3000000000\n0.5\n", LML_DOUBLE);
}

Test(csv_infer, java_double_syntax_is_accepted)
{
    const char *ok[] = {"1e5", "1.", ".5", "-0.0", "1.5d", "2F", " 5", "7 ", "NaN", "-Infinity", "+Infinity",
                        "0x1.8p1", "0X1P-3d", "1E+300", "Inf", "-Inf"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        char text[64];
        snprintf(text, sizeof text, "c\n%s\n", ok[i]);
        lml_type t = type_of(text);
        cr_assert_eq(t, LML_DOUBLE, "'%s' inferred as %s", ok[i], lml_type_name(t));
    }
}

Test(csv_infer, text_that_is_not_a_java_double_is_string)
{
    const char *bad[] = {".", "1e", "e5", "0x10", "inf", "nan", "1,5", "1.5.2", "--1", "1d5", "Infinityx", "- 1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[64];
        snprintf(text, sizeof text, "c\n\"%s\"\n", bad[i]);
        lml_type t = type_of(text);
        cr_assert_eq(t, LML_STRING, "'%s' inferred as %s", bad[i], lml_type_name(t));
    }
}

Test(csv_infer, custom_nan_and_infinity_spellings_infer_as_double)
{
    lml_frame *f = infer_opts("c\n1.5\nn/a\nbig\n", (lml_csv_options){.nan_value = "n/a", .positive_inf = "big"});
    const lml_column *c = lml_frame_column(f, 0);
    cr_assert_eq(lml_column_type(c), LML_DOUBLE);
    cr_assert(isnan(lml_column_doubles(c)[1]));
    cr_assert(isinf(lml_column_doubles(c)[2]) && lml_column_doubles(c)[2] > 0);
    lml_frame_free(f);
}

Test(csv_infer, whitespace_around_an_integer_makes_it_double)
{
    /* Integer.parseInt refuses spaces; Double.parseDouble trims them. */
    ASSERT_TYPE("c\n1\n 2\n", LML_DOUBLE);
}

Test(csv_infer, booleans_infer_case_insensitively)
{
    ASSERT_TYPE("c\ntrue\nFALSE\nTrue\n", LML_BOOL);
}

Test(csv_infer, mixing_types_gives_string)
{
    ASSERT_TYPE("c\n1\nx\n", LML_STRING);
    ASSERT_TYPE("c\ntrue\n1\n", LML_STRING);
    ASSERT_TYPE("c\n1\ntrue\n", LML_STRING);
    ASSERT_TYPE("c\n1.5\n2020-01-01\n", LML_STRING);
    ASSERT_TYPE("c\n2020-01-01\ntrue\n", LML_STRING);
}

Test(csv_infer, the_word_null_is_a_string_unless_it_is_the_null_value)
{
    ASSERT_TYPE("c\n1\nnull\n", LML_STRING);
    lml_frame *f = infer_opts("c\n1\nnull\n3\n", (lml_csv_options){.null_value = "null"});
    const lml_column *c = lml_frame_column(f, 0);
    cr_assert_eq(lml_column_type(c), LML_INT32);
    cr_assert(lml_column_is_null(c, 1));
    cr_assert_eq(lml_column_int32s(c)[2], 3);
    lml_frame_free(f);
}

Test(csv_infer, empty_fields_do_not_influence_the_type)
{
    ASSERT_TYPE("c\n\n1\n\"\"\n2\n", LML_INT32);
    lml_frame *f = infer_opts("a,b\n1,\n,\n3,\n", (lml_csv_options){0});
    cr_assert_eq(lml_column_type(lml_frame_column(f, 0)), LML_INT32);
    cr_assert_eq(lml_column_null_count(lml_frame_column(f, 0)), 1);
    /* A column of nulls only is string. */
    cr_assert_eq(lml_column_type(lml_frame_column(f, 1)), LML_STRING);
    cr_assert_eq(lml_column_null_count(lml_frame_column(f, 1)), 3);
    lml_frame_free(f);
}

Test(csv_infer, strict_dates_infer_as_date)
{
    ASSERT_TYPE("c\n2020-01-31\n1999-12-01\n2000-02-29\n", LML_DATE);
}

Test(csv_infer, impossible_dates_are_strings)
{
    ASSERT_TYPE("c\n2021-02-29\n", LML_STRING);
    ASSERT_TYPE("c\n2020-13-01\n", LML_STRING);
}

Test(csv_infer, loose_dates_and_datetimes_infer_as_timestamp)
{
    ASSERT_TYPE("c\n2020-1-5\n", LML_TIMESTAMP);
    ASSERT_TYPE("c\n2020-01-31 10:20:30\n", LML_TIMESTAMP);
    ASSERT_TYPE("c\n2020-01-31T10:20:30.123456Z\n2020-02-01T00:00:00+01:00\n", LML_TIMESTAMP);
    ASSERT_TYPE("c\n2020-01\n", LML_TIMESTAMP);
}

Test(csv_infer, date_then_timestamp_merges_to_timestamp)
{
    ASSERT_TYPE("c\n2020-01-31\n2020-01-31 10:00:00\n", LML_TIMESTAMP);
    ASSERT_TYPE("c\n2020-01-31 10:00:00\n2020-01-31\n", LML_TIMESTAMP);
}

Test(csv_infer, integer_then_date_gives_string)
{
    ASSERT_TYPE("c\n5\n2020-01-31\n", LML_STRING);
}

Test(csv_infer, without_prefer_date_dates_infer_as_timestamp)
{
    lml_frame *f = infer_opts("c\n2020-01-31\n", (lml_csv_options){.no_prefer_date = true});
    cr_assert_eq(lml_column_type(lml_frame_column(f, 0)), LML_TIMESTAMP);
    cr_assert_eq(lml_column_int64s(lml_frame_column(f, 0))[0], INT64_C(1580428800000000));
    lml_frame_free(f);
}

Test(csv_infer, time_only_text_and_region_zones_are_strings)
{
    ASSERT_TYPE("c\n10:20:30\n", LML_STRING);
    ASSERT_TYPE("c\n2020-01-31 10:20:30 Europe/Paris\n", LML_STRING);
}

Test(csv_infer, copies_of_the_header_line_are_ignored_during_inference)
{
    lml_frame *f = infer_opts("n,s\n1,a\nn,s\n2,b\n", (lml_csv_options){0});
    const lml_column *c = lml_frame_column(f, 0);
    cr_assert_eq(lml_column_type(c), LML_INT32);
    cr_assert_eq(lml_frame_num_rows(f), 3);
    cr_assert(lml_column_is_null(c, 1)); /* "n" does not convert to int: PERMISSIVE gives null */
    cr_assert_eq(lml_column_int32s(c)[2], 2);
    lml_frame_free(f);
}

Test(csv_infer, short_rows_do_not_contribute_to_missing_columns)
{
    lml_frame *f = infer_opts("a,b\n1,x\n2\n", (lml_csv_options){0});
    cr_assert_eq(lml_column_type(lml_frame_column(f, 0)), LML_INT32);
    cr_assert_eq(lml_column_type(lml_frame_column(f, 1)), LML_STRING);
    cr_assert(lml_column_is_null(lml_frame_column(f, 1), 1));
    lml_frame_free(f);
}

Test(csv_infer, without_infer_schema_everything_is_string)
{
    const char *text = "a,b\n1,2.5\n";
    lml_error err = {0};
    lml_frame *f = lml_csv_read_buffer(text, strlen(text), "s.csv", &(lml_csv_options){.header = true}, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_column_type(lml_frame_column(f, 0)), LML_STRING);
    cr_assert_eq(lml_column_type(lml_frame_column(f, 1)), LML_STRING);
    lml_frame_free(f);
}

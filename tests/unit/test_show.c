#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frame/internal.h"

static lml_frame *sample(void)
{
    int32_t id[3] = {1, 2, 3};
    const char *name[3] = {"Alice", NULL, "Bartholomew Montgomery III"};
    double score[3] = {1.5, NAN, 1e7};
    lml_column *ok = lml_column_alloc(LML_BOOL, 3, 0, true, NULL);
    lml_bit_set(ok->values, 0);
    lml_bit_set(ok->validity, 0);
    lml_bit_set(ok->validity, 1);
    lml_column_seal(ok);
    lml_column *cols[4] = {lml_column_from_int32s(id, NULL, 3, NULL), lml_column_from_strings(name, 3, NULL),
                           lml_column_from_doubles(score, NULL, 3, NULL), ok};
    lml_frame *f = lml_frame_new(4, (const char *[]){"id", "name", "score", "ok"}, cols, NULL);
    for (int i = 0; i < 4; i++)
        lml_column_free(cols[i]);
    return f;
}

static void expect_show(const lml_frame *f, size_t n, int truncate, const char *want)
{
    lml_error err = {0};
    char *s = lml_frame_show_string(f, n, truncate, &err);
    cr_assert_not_null(s, "%s", err.message);
    cr_assert_str_eq(s, want, "show(%zu, %d):\n%s", n, truncate, s);
    free(s);
}

Test(show, default_truncation_right_aligns_and_cuts_long_cells)
{
    lml_frame *f = sample();
    expect_show(f, 20, 20,
                "+---+--------------------+-----+-----+\n"
                "| id|                name|score|   ok|\n"
                "+---+--------------------+-----+-----+\n"
                "|  1|               Alice|  1.5| true|\n"
                "|  2|                NULL|  NaN|false|\n"
                "|  3|Bartholomew Montg...|1.0E7| NULL|\n"
                "+---+--------------------+-----+-----+\n");
    lml_frame_free(f);
}

Test(show, fewer_rows_than_the_frame_print_the_footer)
{
    lml_frame *f = sample();
    expect_show(f, 2, 20,
                "+---+-----+-----+-----+\n"
                "| id| name|score|   ok|\n"
                "+---+-----+-----+-----+\n"
                "|  1|Alice|  1.5| true|\n"
                "|  2| NULL|  NaN|false|\n"
                "+---+-----+-----+-----+\n"
                "only showing top 2 rows\n");
    expect_show(f, 3, 20 /* exactly all rows: no footer */,
                "+---+--------------------+-----+-----+\n"
                "| id|                name|score|   ok|\n"
                "+---+--------------------+-----+-----+\n"
                "|  1|               Alice|  1.5| true|\n"
                "|  2|                NULL|  NaN|false|\n"
                "|  3|Bartholomew Montg...|1.0E7| NULL|\n"
                "+---+--------------------+-----+-----+\n");
    lml_frame_free(f);
}

Test(show, truncate_zero_left_aligns_and_keeps_whole_cells)
{
    lml_frame *f = sample();
    expect_show(f, 1, 0,
                "+---+-----+-----+----+\n"
                "|id |name |score|ok  |\n"
                "+---+-----+-----+----+\n"
                "|1  |Alice|1.5  |true|\n"
                "+---+-----+-----+----+\n"
                "only showing top 1 row\n");
    expect_show(f, 20, 0,
                "+---+--------------------------+-----+-----+\n"
                "|id |name                      |score|ok   |\n"
                "+---+--------------------------+-----+-----+\n"
                "|1  |Alice                     |1.5  |true |\n"
                "|2  |NULL                      |NaN  |false|\n"
                "|3  |Bartholomew Montgomery III|1.0E7|NULL |\n"
                "+---+--------------------------+-----+-----+\n");
    lml_frame_free(f);
}

Test(show, truncate_below_four_cuts_without_ellipsis_but_not_headers)
{
    lml_frame *f = sample();
    expect_show(f, 20, 3,
                "+---+----+-----+---+\n"
                "| id|name|score| ok|\n"
                "+---+----+-----+---+\n"
                "|  1| Ali|  1.5|tru|\n"
                "|  2| NUL|  NaN|fal|\n"
                "|  3| Bar|  1.0|NUL|\n"
                "+---+----+-----+---+\n");
    lml_frame_free(f);
}

Test(show, control_characters_are_escaped_and_wide_characters_count_twice)
{
    const char *s[3] = {"a\tb\nc", "\xe6\x97\xa5\xe6\x9c\xac", "\xc3\xa9"}; /* "日本", "é" */
    lml_column *c = lml_column_from_strings(s, 3, NULL);
    lml_frame *f = lml_frame_new(1, (const char *[]){"t"}, &c, NULL);
    lml_column_free(c);
    expect_show(f, 20, 20,
                "+-------+\n"
                "|      t|\n"
                "+-------+\n"
                "|a\\tb\\nc|\n"
                "|   \xe6\x97\xa5\xe6\x9c\xac|\n"
                "|      \xc3\xa9|\n"
                "+-------+\n");
    lml_frame_free(f);
}

Test(show, empty_frame_shows_header_only)
{
    int32_t none[1] = {0};
    lml_column *c = lml_column_from_int32s(none, NULL, 0, NULL);
    lml_frame *f = lml_frame_new(1, (const char *[]){"Survived"}, &c, NULL);
    lml_column_free(c);
    expect_show(f, 20, 20, "+--------+\n|Survived|\n+--------+\n+--------+\n");
    lml_frame_free(f);
}

Test(show, schema_string_is_spark_tree_string)
{
    lml_frame *f = sample();
    lml_error err = {0};
    char *s = lml_frame_schema_string(f, &err);
    cr_assert_str_eq(s, "root\n"
                        " |-- id: integer (nullable = true)\n"
                        " |-- name: string (nullable = true)\n"
                        " |-- score: double (nullable = true)\n"
                        " |-- ok: boolean (nullable = true)\n");
    free(s);
    lml_frame_free(f);
}

Test(show, print_functions_add_printlns_newline)
{
    lml_frame *f = sample();
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    lml_error err = {0};
    cr_assert(lml_frame_print_schema(f, out, &err));
    cr_assert(lml_frame_show(f, out, 1, 20, &err));
    fclose(out);
    cr_assert_str_eq(buf, "root\n"
                          " |-- id: integer (nullable = true)\n"
                          " |-- name: string (nullable = true)\n"
                          " |-- score: double (nullable = true)\n"
                          " |-- ok: boolean (nullable = true)\n"
                          "\n"
                          "+---+-----+-----+----+\n"
                          "| id| name|score|  ok|\n"
                          "+---+-----+-----+----+\n"
                          "|  1|Alice|  1.5|true|\n"
                          "+---+-----+-----+----+\n"
                          "only showing top 1 row\n"
                          "\n");
    free(buf);
    lml_frame_free(f);
}

static void expect_cell(const lml_column *c, size_t i, const char *want)
{
    char buf[128];
    size_t n = lml_format_value(c, i, buf, sizeof buf);
    cr_assert_str_eq(buf, want);
    cr_assert_eq(n, strlen(want));
}

Test(show, format_value_dates_timestamps_and_longs)
{
    lml_column *d = lml_column_alloc(LML_DATE, 4, 0, false, NULL);
    int32_t dv[4] = {0, -1, 18322, -719162};
    memcpy(d->values, dv, sizeof dv);
    expect_cell(d, 0, "1970-01-01");
    expect_cell(d, 1, "1969-12-31");
    expect_cell(d, 2, "2020-03-01");
    expect_cell(d, 3, "0001-01-01");
    lml_column *t = lml_column_alloc(LML_TIMESTAMP, 4, 0, false, NULL);
    int64_t tv[4] = {0, 1500000, -1, INT64_C(1583020800123000)};
    memcpy(t->values, tv, sizeof tv);
    expect_cell(t, 0, "1970-01-01 00:00:00");
    expect_cell(t, 1, "1970-01-01 00:00:01.5");
    expect_cell(t, 2, "1969-12-31 23:59:59.999999");
    expect_cell(t, 3, "2020-03-01 00:00:00.123");
    int64_t lv[1] = {INT64_MIN};
    lml_column *l = lml_column_from_int64s(lv, NULL, 1, NULL);
    expect_cell(l, 0, "-9223372036854775808");
    lml_column_free(d);
    lml_column_free(t);
    lml_column_free(l);
}

Test(show, format_value_vectors_like_spark_tostring)
{
    double dv[4] = {1, 0, 22, 7.25};
    lml_column *d = lml_column_vector_from_dense(dv, 1, 4, NULL);
    expect_cell(d, 0, "[1.0,0.0,22.0,7.25]");
    int64_t ip[3] = {0, 2, 2};
    int32_t ix[2] = {0, 3};
    double vv[2] = {1, 7.25};
    lml_column *s = lml_column_vector_from_csr(ip, ix, vv, 2, 5, NULL);
    expect_cell(s, 0, "(5,[0,3],[1.0,7.25])");
    expect_cell(s, 1, "(5,[],[])");
    /* snprintf-style: the full length comes back even when the buffer is short */
    char small[6];
    cr_assert_eq(lml_format_value(d, 0, small, sizeof small), 19);
    cr_assert_str_eq(small, "[1.0,");
    lml_column_free(d);
    lml_column_free(s);
}

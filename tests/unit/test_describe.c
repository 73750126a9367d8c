#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frame/internal.h"
#include "support.h"

static void expect_cell(const lml_frame *d, const char *col, size_t row, const char *want)
{
    const lml_column *c = lml_frame_column_by_name(d, col, NULL);
    cr_assert_not_null(c, "no column %s", col);
    cr_assert_eq(lml_column_type(c), LML_STRING);
    if (!want) {
        cr_assert(lml_column_is_null(c, row), "%s row %zu should be null", col, row);
        return;
    }
    cr_assert_not(lml_column_is_null(c, row), "%s row %zu is null, want %s", col, row, want);
    size_t len;
    const char *s = lml_column_string_at(c, row, &len);
    cr_assert(len == strlen(want) && memcmp(s, want, len) == 0, "%s row %zu: '%.*s', want '%s'", col, row, (int)len, s,
              want);
}

static lml_frame *sample(void)
{
    int32_t x[4] = {1, 2, 3, 4};
    double y[4] = {0.5, 0, 1e-4, 100.0};
    const char *s[4] = {"10", "x", NULL, " 20 "};
    lml_column *b = lml_column_alloc(LML_BOOL, 4, 0, false, NULL);
    lml_column *cols[4] = {lml_column_from_int32s(x, NULL, 4, NULL), lml_column_from_doubles(y, (uint8_t[]){0x0D}, 4, NULL),
                           lml_column_from_strings(s, 4, NULL), b};
    lml_frame *f = lml_frame_new(4, (const char *[]){"x", "y", "s", "flag"}, cols, NULL);
    for (int i = 0; i < 4; i++)
        lml_column_free(cols[i]);
    return f;
}

Test(describe, numbers_and_strings_summarised_like_spark)
{
    lml_frame *f = sample();
    lml_error err = {0};
    lml_frame *d = lml_frame_describe(f, NULL, &err);
    cr_assert_not_null(d, "%s", err.message);
    cr_assert_eq(lml_frame_num_cols(d), 4, "summary, x, y, s (booleans are not described)");
    cr_assert_eq(lml_frame_count(d), 5);
    cr_assert_str_eq(lml_frame_column_name(d, 0), "summary");
    const char *stats[5] = {"count", "mean", "stddev", "min", "max"};
    for (size_t r = 0; r < 5; r++)
        expect_cell(d, "summary", r, stats[r]);
    const char *x[5] = {"4", "2.5", "1.2909944487358056", "1", "4"};
    /* Average adds 0.0 for the null and divides by the 3 values */
    const char *y[5] = {"3", "33.500033333333334", "57.59120288727553", "1.0E-4", "100.0"};
    /* strings: mean/stddev over the values TRY_CAST to double ("10", " 20 "); min/max by bytes */
    const char *s[5] = {"3", "15.0", "7.0710678118654755", " 20 ", "x"};
    for (size_t r = 0; r < 5; r++) {
        expect_cell(d, "x", r, x[r]);
        expect_cell(d, "y", r, y[r]);
        expect_cell(d, "s", r, s[r]);
    }
    char *shown = lml_frame_show_string(d, 20, 20, &err);
    cr_assert_str_eq(shown, "+-------+------------------+------------------+------------------+\n"
                            "|summary|                 x|                 y|                 s|\n"
                            "+-------+------------------+------------------+------------------+\n"
                            "|  count|                 4|                 3|                 3|\n"
                            "|   mean|               2.5|33.500033333333334|              15.0|\n"
                            "| stddev|1.2909944487358056| 57.59120288727553|7.0710678118654755|\n"
                            "|    min|                 1|            1.0E-4|               20 |\n"
                            "|    max|                 4|             100.0|                 x|\n"
                            "+-------+------------------+------------------+------------------+\n");
    free(shown);
    lml_frame_free(d);
    lml_frame_free(f);
}

Test(describe, one_value_has_null_stddev_and_no_values_null_mean)
{
    double v[1] = {7.0};
    const char *s[1] = {"abc"};
    lml_column *cols[2] = {lml_column_from_doubles(v, NULL, 1, NULL), lml_column_from_strings(s, 1, NULL)};
    lml_frame *f = lml_frame_new(2, (const char *[]){"v", "name"}, cols, NULL);
    lml_column_free(cols[0]);
    lml_column_free(cols[1]);
    lml_error err = {0};
    lml_frame *d = lml_frame_describe(f, (const char *[]){"V", "name", NULL}, &err);
    cr_assert_not_null(d, "%s", err.message);
    const char *v5[5] = {"1", "7.0", NULL, "7.0", "7.0"};
    const char *n5[5] = {"1", NULL, NULL, "abc", "abc"};
    for (size_t r = 0; r < 5; r++) {
        expect_cell(d, "v", r, v5[r]);
        expect_cell(d, "name", r, n5[r]);
    }
    lml_frame_free(d);
    cr_assert_null(lml_frame_describe(f, (const char *[]){"missing", NULL}, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    lml_frame_free(f);
}

/* ---- titanic.csv, all twelve columns with Spark's inferred types, read by a small RFC 4180
 * reader here; the expected cells are those Spark 3.5 prints for df.describe(). */

static char *field(char **p, size_t *len)
{
    char *s = *p, *o = s, *start = s;
    if (*s == '"') {
        for (s++;;) {
            if (*s == '"' && s[1] == '"') {
                *o++ = '"';
                s += 2;
            } else if (*s == '"') {
                s++;
                break;
            } else {
                *o++ = *s++;
            }
        }
    } else {
        while (*s && *s != ',' && *s != '\n')
            *o++ = *s++;
    }
    *len = (size_t)(o - start);
    if (*s == ',')
        s++;
    *p = s;
    return start;
}

static lml_frame *titanic(const char *path)
{
    enum { N = 891, C = 12 };
    static char buf[1 << 17];
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp);
    buf[fread(buf, 1, sizeof buf - 1, fp)] = 0;
    fclose(fp);
    static char *cells[C][N];
    char *p = strchr(buf, '\n') + 1;
    for (size_t r = 0; r < N; r++) {
        for (int c = 0; c < C; c++) {
            size_t len;
            char *s = field(&p, &len);
            cells[c][r] = len ? strndup(s, len) : NULL;
        }
        cr_assert(*p == '\n');
        p++;
    }
    const char *names[C] = {"PassengerId", "Survived", "Pclass", "Name", "Sex", "Age",
                            "SibSp", "Parch", "Ticket", "Fare", "Cabin", "Embarked"};
    lml_column *cols[C];
    for (int c = 0; c < C; c++) {
        bool is_int = c == 0 || c == 1 || c == 2 || c == 6 || c == 7, is_dbl = c == 5 || c == 9;
        lml_column_builder *b = lml_column_builder_new(is_int ? LML_INT32 : is_dbl ? LML_DOUBLE : LML_STRING, N, NULL);
        for (size_t r = 0; r < N; r++) {
            const char *s = cells[c][r];
            if (!s)
                lml_column_builder_append_null(b, NULL);
            else if (is_int)
                lml_column_builder_append_int32(b, atoi(s), NULL);
            else if (is_dbl)
                lml_column_builder_append_double(b, strtod(s, NULL), NULL);
            else
                lml_column_builder_append_string(b, s, strlen(s), NULL);
            free(cells[c][r]);
        }
        cols[c] = lml_column_builder_finish(b, NULL);
        cr_assert_not_null(cols[c]);
    }
    lml_frame *f = lml_frame_new(C, names, cols, NULL);
    for (int c = 0; c < C; c++)
        lml_column_free(cols[c]);
    return f;
}

Test(describe, titanic_matches_spark_describe)
{
    LML_REQUIRE_SHARED(path, "datasets/titanic.csv");
    lml_frame *f = titanic(path);
    lml_error err = {0};
    lml_frame *d = lml_frame_describe(f, NULL, &err);
    cr_assert_not_null(d, "%s", err.message);
    cr_assert_eq(lml_frame_num_cols(d), 13);
    static const struct {
        const char *col, *cells[5];
    } want[] = {
        {"PassengerId", {"891", "446.0", "257.3538420152301", "1", "891"}},
        {"Survived", {"891", "0.3838383838383838", "0.48659245426485753", "0", "1"}},
        {"Pclass", {"891", "2.308641975308642", "0.8360712409770491", "1", "3"}},
        {"Sex", {"891", NULL, NULL, "female", "male"}},
        {"Age", {"714", "29.69911764705882", "14.526497332334035", "0.42", "80.0"}},
        {"SibSp", {"891", "0.5230078563411896", "1.1027434322934315", "0", "8"}},
        {"Parch", {"891", "0.38159371492704824", "0.8060572211299488", "0", "6"}},
        {"Ticket", {"891", "260318.54916792738", "471609.26868834975", "110152", "WE/P 5735"}},
        {"Fare", {"891", "32.2042079685746", "49.69342859718089", "0.0", "512.3292"}},
        {"Cabin", {"204", NULL, NULL, "A10", "T"}},
        {"Embarked", {"889", NULL, NULL, "C", "S"}},
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
        for (size_t r = 0; r < 5; r++)
            expect_cell(d, want[k].col, r, want[k].cells[r]);
    expect_cell(d, "Name", 0, "891");
    expect_cell(d, "Name", 1, NULL);
    lml_frame_free(d);
    lml_frame_free(f);
}

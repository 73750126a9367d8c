/* The narrow scalar types (float, byte, short, timestamp_ntz, decimal): printSchema and show()
 * as Spark prints them, decimal validation, take/sort/distinct/cast/CSV, and Arrow export and
 * import. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "frame/internal.h"
#include "lakeml/arrow.h"
#include "lakeml/csv.h"
#include "nested_support.h"
#include "support.h"

/* Little-endian two's-complement 16-byte decimals from small values. */
static void dec16(uint8_t *out, const int64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t hi = v[i] < 0 ? -1 : 0;
        memcpy(out + i * 16, &v[i], 8);
        memcpy(out + i * 16 + 8, &hi, 8);
    }
}

static lml_frame *scalar_frame(void)
{
    uint8_t d[5 * 16];
    dec16(d, (int64_t[]){12345, -5, 0, 99999, 7}, 5);
    lml_error err = {0};
    lml_column *cols[5] = {
        lml_column_from_floats((float[]){1.5f, 0.1f, 1e10f, 3.4028235e38f, 1.4e-45f}, NULL, 5, &err),
        lml_column_from_int8s((int8_t[]){-128, 0, 127, 5, 0}, (uint8_t[]){0x0F}, 5, &err),
        lml_column_from_int16s((int16_t[]){32767, -32768, 1, 0, 2}, NULL, 5, &err),
        lml_column_from_timestamps_ntz((int64_t[]){1704164645500000, 0, -1, 86400000000, 0}, (uint8_t[]){0x0F}, 5, &err),
        lml_column_from_decimals(d, (uint8_t[]){0x1B}, 5, 10, 2, &err),
    };
    for (int i = 0; i < 5; i++)
        cr_assert_not_null(cols[i], "column %d: %s", i, err.message);
    return lml_test_frame_of(5, (const char *[]){"f", "b", "s", "t", "d"}, cols);
}

Test(frame_nested, scalar_types_print_and_show_like_spark)
{
    lml_frame *f = scalar_frame();
    lml_test_assert_schema(f, "root\n"
                     " |-- f: float (nullable = true)\n"
                     " |-- b: byte (nullable = true)\n"
                     " |-- s: short (nullable = true)\n"
                     " |-- t: timestamp_ntz (nullable = true)\n"
                     " |-- d: decimal(10,2) (nullable = true)\n");
    lml_test_assert_show(f, 20, 0,
                "+------------+----+------+--------------------------+------+\n"
                "|f           |b   |s     |t                         |d     |\n"
                "+------------+----+------+--------------------------+------+\n"
                "|1.5         |-128|32767 |2024-01-02 03:04:05.5     |123.45|\n"
                "|0.1         |0   |-32768|1970-01-01 00:00:00       |-0.05 |\n"
                "|1.0E10      |127 |1     |1969-12-31 23:59:59.999999|NULL  |\n"
                "|3.4028235E38|5   |0     |1970-01-02 00:00:00       |999.99|\n"
                "|1.4E-45     |NULL|2     |NULL                      |0.07  |\n"
                "+------------+----+------+--------------------------+------+\n");
    const lml_column *d = lml_frame_column(f, 4);
    cr_assert_eq(lml_column_decimal_precision(d), 10);
    cr_assert_eq(lml_column_decimal_scale(d), 2);
    lml_value v = lml_column_get(d, 1);
    cr_assert(v.type == LML_DECIMAL && v.v.dec.lo == (uint64_t)-5 && v.v.dec.hi == -1 && v.v.dec.scale == 2);
    cr_assert_eq(lml_column_get_double(d, 0), 123.45);
    cr_assert_eq(lml_column_get(lml_frame_column(f, 0), 0).v.f64, 1.5);
    cr_assert_eq(lml_column_get(lml_frame_column(f, 1), 0).v.i32, -128);
    cr_assert_eq(lml_column_int8s(lml_frame_column(f, 1))[4], 0, "null slots hold zero");
    lml_type t;
    cr_assert(lml_type_parse("smallint", &t) && t == LML_INT16);
    cr_assert(lml_type_parse("timestamp_ntz", &t) && t == LML_TIMESTAMP_NTZ);
    lml_frame_free(f);
}

Test(frame_nested, decimal_constructor_checks_precision_and_digits)
{
    uint8_t d[2 * 16];
    dec16(d, (int64_t[]){99999, 100000}, 2);
    lml_error err = {0};
    cr_assert_null(lml_column_from_decimals(d, NULL, 2, 5, 2, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "row 1 holds 1000.00, more than 5 digits"), "%s", err.message);
    cr_assert_null(lml_column_from_decimals(d, NULL, 2, 39, 0, &err));
    cr_assert(strstr(err.message, "decimal(39,0)"), "%s", err.message);
    cr_assert_null(lml_column_from_decimals(d, NULL, 2, 5, 6, &err));
    lml_column *ok = lml_column_from_decimals(d, (uint8_t[]){0x01}, 2, 5, 0, &err); /* the wide row is null */
    cr_assert_not_null(ok, "%s", err.message);
    cr_assert_eq(lml_column_null_count(ok), 1);
    lml_column_free(ok);
    /* 38 digits: the largest decimal(38,0), -(10^38 - 1) = 0xB4C2… two's complement. */
    uint8_t big[16];
    uint64_t lo = 0x098a223fffffffffULL, hi = 0x4b3b4ca85a86c47aULL; /* 10^38 - 1 */
    lo = ~lo + 1;
    hi = ~hi + (lo == 0);
    memcpy(big, &lo, 8);
    memcpy(big + 8, &hi, 8);
    lml_column *c = lml_column_from_decimals(big, NULL, 1, 38, 0, &err);
    cr_assert_not_null(c, "%s", err.message);
    char buf[64];
    lml_format_value(c, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "-99999999999999999999999999999999999999");
    lml_column_free(c);
}

Test(frame_nested, scalar_types_survive_take_sort_distinct_cast_and_csv)
{
    lml_frame *f = scalar_frame();
    lml_error err = {0};
    lml_frame *t = lml_frame_take(f, (size_t[]){4, 1}, 2, &err);
    cr_assert_not_null(t, "%s", err.message);
    char buf[64];
    lml_format_value(lml_frame_column(t, 4), 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "0.07");
    cr_assert_eq(lml_column_decimal_scale(lml_frame_column(t, 4)), 2);
    lml_format_value(lml_frame_column(t, 0), 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "0.1");
    lml_frame_free(t);

    lml_frame *c = lml_frame_cast(f, "d", LML_STRING, &err);
    cr_assert_not_null(c, "%s", err.message);
    size_t len;
    const char *s = lml_column_string_at(lml_frame_column(c, 4), 1, &len);
    cr_assert(len == 5 && memcmp(s, "-0.05", 5) == 0);
    lml_frame_free(c);
    cr_assert_null(lml_frame_cast(f, "f", LML_DOUBLE, &err));
    cr_assert_eq(err.code, LML_ETYPE);
    cr_assert(strstr(err.message, "column 'f' from float to double"), "%s", err.message);

    lml_column *fl = lml_column_from_floats((float[]){0.0f, -0.0f, 2.5f, 0.0f}, NULL, 4, NULL);
    uint8_t d[4 * 16];
    dec16(d, (int64_t[]){-3, 2, -3, 1000}, 4);
    lml_column *dc = lml_column_from_decimals(d, NULL, 4, 6, 1, NULL);
    lml_column *cols[2] = {fl, dc};
    lml_frame *g = lml_test_frame_of(2, (const char *[]){"x", "y"}, cols);
    lml_frame *dx = lml_frame_distinct(g, "x", &err);
    cr_assert_eq(lml_frame_num_rows(dx), 2, "-0.0 and 0.0 are one value, as Spark groups them");
    lml_frame *dy = lml_frame_distinct(g, "y", &err);
    cr_assert_eq(lml_frame_num_rows(dy), 3);
    lml_frame_free(dx);
    lml_frame_free(dy);
    lml_column *nan = lml_column_from_floats((float[]){1.0f, __builtin_nanf(""), 3.0f, 4.0f}, NULL, 4, NULL);
    lml_frame *gn = lml_frame_with_column(g, "n", nan, &err);
    lml_column_free(nan);
    lml_frame *kept = lml_frame_drop_nulls(gn, NULL, &err);
    cr_assert_eq(lml_frame_num_rows(kept), 3, "a float NaN counts as missing in na.drop, as for doubles");
    lml_frame_free(kept);
    lml_frame_free(gn);
    lml_frame *split[1];
    cr_assert(lml_frame_random_split(g, (double[]){1.0}, 1, 1, split, &err));
    lml_format_value(lml_frame_column(split[0], 1), 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "-0.3", "sorted by x then y: (-0.0|0.0, -0.3) first");
    lml_frame_free(split[0]);
    lml_frame_free(g);

    const char *dir = lml_test_temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/scalars.csv", dir);
    lml_frame *h = lml_frame_head(f, 2, &err);
    cr_assert(lml_csv_write(h, path, NULL, &err), "%s", err.message);
    FILE *fp = fopen(path, "rb");
    char text[256] = {0};
    size_t got = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    cr_assert_gt(got, 0);
    cr_assert_str_eq(text, "f,b,s,t,d\n1.5,-128,32767,2024-01-02T03:04:05.500,123.45\n"
                           "0.1,0,-32768,1970-01-01T00:00:00.000,-0.05\n");
    lml_frame_free(h);
    lml_frame_free(f);
}

Test(frame_nested, scalar_types_export_to_arrow_formats_and_back)
{
    lml_frame *f = scalar_frame();
    struct ArrowSchema s;
    struct ArrowArray a;
    lml_error err = {0};
    cr_assert(lml_arrow_export_frame(f, &s, &a, &err), "%s", err.message);
    const char *want[5] = {"f", "c", "s", "tsu:", "d:10,2"};
    for (int i = 0; i < 5; i++)
        cr_assert_str_eq(s.children[i]->format, want[i]);
    int64_t lo;
    memcpy(&lo, (const uint8_t *)a.children[4]->buffers[1] + 16, 8);
    cr_assert_eq(lo, -5);
    lml_frame *g = lml_arrow_import_frame(&s, &a, &err);
    cr_assert_not_null(g, "%s", err.message);
    char *t1 = lml_frame_show_string(f, 20, 0, NULL), *t2 = lml_frame_show_string(g, 20, 0, NULL);
    cr_assert_str_eq(t1, t2);
    char *p1 = lml_frame_schema_string(f, NULL), *p2 = lml_frame_schema_string(g, NULL);
    cr_assert_str_eq(p1, p2);
    free(t1);
    free(t2);
    free(p1);
    free(p2);
    s.release(&s);
    lml_frame_free(g);
    lml_frame_free(f);
}

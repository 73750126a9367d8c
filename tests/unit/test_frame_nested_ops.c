/* Frame operations on binary and nested columns: filter/take/slice/head/select/drop rebuild
 * offsets and children, deep nesting prints, and distinct/cast/fill/CSV/randomSplit follow Spark
 * or refuse. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "frame/internal.h"
#include "lakeml/csv.h"
#include "nested_support.h"
#include "support.h"

/* ---------------------------------------------------------------- row operations */

Test(frame_nested, filter_and_take_rebuild_offsets_and_children)
{
    lml_frame *f = lml_test_sample_frame();
    lml_column_builder *b = lml_column_builder_new(LML_BOOL, 4, NULL);
    bool keep[4] = {false, true, false, true};
    for (int i = 0; i < 4; i++)
        lml_column_builder_append_bool(b, keep[i], NULL);
    lml_column *mask = lml_column_builder_finish(b, NULL);
    lml_error err = {0};
    lml_frame *g = lml_frame_filter(f, mask, &err);
    cr_assert_not_null(g, "%s", err.message);
    lml_test_assert_show(g, 20, 0,
                "+----+---------+---------+----+-----------+\n"
                "|a   |s        |m        |bin |ls         |\n"
                "+----+---------+---------+----+-----------+\n"
                "|NULL|{2, NULL}|{}       |[]  |[{3, -1.0}]|\n"
                "|[4] |{4, w}   |{c -> -7}|[FF]|[]         |\n"
                "+----+---------+---------+----+-----------+\n");
    lml_frame_free(g);
    lml_column_free(mask);
    lml_frame_free(f);
}

Test(frame_nested, take_skips_null_list_ranges_and_slice_head_select_drop_keep_children)
{
    lml_frame *f = lml_test_sample_frame();
    lml_error err = {0};
    size_t idx[3] = {3, 0, 3};
    lml_frame *t = lml_frame_take(f, idx, 3, &err);
    cr_assert_not_null(t, "%s", err.message);
    const lml_column *a = lml_frame_column(t, 0);
    const int32_t *o = lml_column_offsets(a);
    cr_assert(o[0] == 0 && o[1] == 1 && o[2] == 4 && o[3] == 5, "%d %d %d %d", o[0], o[1], o[2], o[3]);
    const lml_column *e = lml_column_child(a, 0);
    cr_assert_eq(lml_column_length(e), 5);
    cr_assert_eq(lml_column_int32s(e)[0], 4);
    cr_assert(lml_column_is_null(e, 3));
    const lml_column *m = lml_frame_column(t, 2);
    cr_assert_eq(lml_column_length(lml_column_map_keys(m)), 4); /* {c}, {a, b}, {c} */
    char buf[64];
    lml_format_value(m, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "{a -> 1, b -> NULL}");
    lml_frame_free(t);

    /* A null list row whose range is not empty: take leaves it empty and drops its elements. */
    lml_column *el = lml_test_ints((int32_t[]){5, 6, 7}, NULL, 3);
    lml_column *l = lml_column_list_new((int32_t[]){0, 2, 3}, (uint8_t[]){0x02}, 2, el, &err);
    cr_assert_not_null(l, "%s", err.message);
    lml_column *lt = lml_column_take(l, (size_t[]){0, 1}, 2, &err);
    cr_assert_eq(lml_column_offsets(lt)[1], 0);
    cr_assert_eq(lml_column_length(lml_column_child(lt, 0)), 1);
    cr_assert_eq(lml_column_int32s(lml_column_child(lt, 0))[0], 7);
    lml_column_free(lt);
    lml_column_free(l);
    lml_column_free(el);

    lml_frame *h = lml_frame_head(f, 1, &err);
    lml_frame *sel = lml_frame_select(h, (const char *[]){"ls", "s", NULL}, &err);
    cr_assert_not_null(sel, "%s", err.message);
    lml_test_assert_show(sel, 20, 20,
                "+--------------------+------+\n"
                "|                  ls|     s|\n"
                "+--------------------+------+\n"
                "|[{1, 0.5}, {2, NU...|{1, x}|\n"
                "+--------------------+------+\n");
    lml_frame *dr = lml_frame_drop(f, (const char *[]){"a", "s", "bin", "ls", NULL}, &err);
    lml_frame *sl = lml_frame_slice(dr, 2, 5, &err);
    lml_test_assert_schema(sl, "root\n |-- m: map (nullable = true)\n |    |-- key: string\n"
                      " |    |-- value: long (valueContainsNull = true)\n");
    cr_assert_eq(lml_frame_num_rows(sl), 2);
    lml_format_value(lml_frame_column(sl, 0), 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "{c -> -7}");
    lml_frame_free(sl);
    lml_frame_free(dr);
    lml_frame_free(sel);
    lml_frame_free(h);
    lml_frame_free(f);
}

Test(frame_nested, struct_of_map_of_list_nests_in_schema_and_show)
{
    lml_column *el = lml_test_ints((int32_t[]){1, 2, 3}, NULL, 3);
    lml_column *vals = lml_column_list_new((int32_t[]){0, 2, 3}, NULL, 2, el, NULL);
    lml_column *keys = lml_test_strs((const char *[]){"k1", "k2"}, 2);
    lml_column *m = lml_column_map_new((int32_t[]){0, 2}, NULL, 1, keys, vals, NULL);
    lml_column *st = lml_column_struct_new(1, 1, (const char *[]){"inner"}, (lml_column *[]){m}, NULL, NULL);
    cr_assert_not_null(st);
    lml_column_free(el);
    lml_column_free(vals);
    lml_column_free(keys);
    lml_column_free(m);
    lml_column *cols[1] = {st};
    lml_frame *f = lml_test_frame_of(1, (const char *[]){"deep"}, cols);
    lml_test_assert_schema(f, "root\n"
                     " |-- deep: struct (nullable = true)\n"
                     " |    |-- inner: map (nullable = true)\n"
                     " |    |    |-- key: string\n"
                     " |    |    |-- value: array (valueContainsNull = true)\n"
                     " |    |    |    |-- element: integer (containsNull = true)\n");
    char buf[64];
    lml_format_value(lml_frame_column(f, 0), 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "{{k1 -> [1, 2], k2 -> [3]}}");
    lml_frame_free(f);
}

/* ---------------------------------------------------------------- other operations */

Test(frame_nested, distinct_cast_fill_and_csv_follow_spark_or_refuse)
{
    lml_error err = {0};
    /* [1, 2], [3], [1, 2], NULL: distinct keeps three rows in first-appearance order. */
    lml_column *el = lml_test_ints((int32_t[]){1, 2, 3, 1, 2}, NULL, 5);
    lml_column *l = lml_column_list_new((int32_t[]){0, 2, 3, 5, 5}, (uint8_t[]){0x07}, 4, el, NULL);
    lml_column_free(el);
    lml_column *cols[2] = {l, lml_test_sample_map()};
    lml_frame *f = lml_test_frame_of(2, (const char *[]){"l", "m"}, cols);
    lml_frame *d = lml_frame_distinct(f, "l", &err);
    cr_assert_not_null(d, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(d), 3);
    char buf[32];
    lml_format_value(lml_frame_column(d, 0), 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "[3]");
    lml_format_value(lml_frame_column(d, 0), 2, buf, sizeof buf);
    cr_assert_str_eq(buf, "NULL");
    lml_frame_free(d);
    cr_assert_null(lml_frame_distinct(f, "m", &err));
    cr_assert_eq(err.code, LML_ETYPE);
    cr_assert(strstr(err.message, "column 'm' (map)"), "%s", err.message);
    cr_assert_null(lml_frame_cast(f, "l", LML_STRING, &err));
    cr_assert_eq(err.code, LML_ETYPE);
    cr_assert(strstr(err.message, "cannot cast column 'l' from array to string"), "%s", err.message);
    lml_fill fill = {.column = "l", .value = {.type = LML_INT32, .v.i32 = 0}};
    cr_assert_null(lml_frame_fill_nulls(f, &fill, 1, &err));
    cr_assert_eq(err.code, LML_ETYPE);
    const char *dir = lml_test_temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/out.csv", dir);
    cr_assert(!lml_csv_write(f, path, NULL, &err));
    cr_assert_eq(err.code, LML_ETYPE);
    cr_assert(strstr(err.message, "column 'l' has type array"), "%s", err.message);
    cr_assert_eq(access(path, F_OK), -1, "no file is left behind");
    lml_frame_free(f);
}

Test(frame_nested, random_split_sorts_frames_with_nested_columns)
{
    lml_frame *f = lml_test_sample_frame();
    lml_frame *out[2];
    lml_error err = {0};
    cr_assert(lml_frame_random_split(f, (double[]){0.5, 0.5}, 2, 7, out, &err), "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(out[0]) + lml_frame_num_rows(out[1]), 4);
    lml_frame_free(out[0]);
    lml_frame_free(out[1]);
    lml_frame_free(f);
}

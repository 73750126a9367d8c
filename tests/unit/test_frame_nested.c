/* Binary and nested columns (array, struct, map): constructors and their validation,
 * printSchema and show() text as Spark 3.5 prints them, take/filter/slice/select, Arrow export
 * (format strings and children a consumer sees) and import round trips. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "frame/internal.h"
#include "lakeml/arrow.h"
#include "lakeml/csv.h"
#include "support.h"

/* ---------------------------------------------------------------- builders of the sample columns */

static lml_column *ints(const int32_t *v, const uint8_t *valid, size_t n)
{
    lml_column *c = lml_column_from_int32s(v, valid, n, NULL);
    cr_assert_not_null(c);
    return c;
}

static lml_column *strs(const char *const *v, size_t n)
{
    lml_column *c = lml_column_from_strings(v, n, NULL);
    cr_assert_not_null(c);
    return c;
}

/* list<int>: [1, 2, NULL], NULL, [], [4] — nulls at both levels. */
static lml_column *sample_list(void)
{
    lml_column *elems = ints((int32_t[]){1, 2, 0, 4}, (uint8_t[]){0x0B}, 4);
    lml_error err = {0};
    lml_column *c = lml_column_list_new((int32_t[]){0, 3, 3, 3, 4}, (uint8_t[]){0x0D}, 4, elems, &err);
    lml_column_free(elems);
    cr_assert_not_null(c, "%s", err.message);
    return c;
}

/* struct<a: int, b: string>: {1, x}, {2, NULL}, NULL, {4, w}. */
static lml_column *sample_struct(void)
{
    lml_column *kids[2] = {ints((int32_t[]){1, 2, 0, 4}, NULL, 4), strs((const char *[]){"x", NULL, NULL, "w"}, 4)};
    lml_error err = {0};
    lml_column *c = lml_column_struct_new(4, 2, (const char *[]){"a", "b"}, kids, (uint8_t[]){0x0B}, &err);
    lml_column_free(kids[0]);
    lml_column_free(kids[1]);
    cr_assert_not_null(c, "%s", err.message);
    return c;
}

/* map<string, long>: {a -> 1, b -> NULL}, {}, NULL, {c -> -7}. */
static lml_column *sample_map(void)
{
    lml_column *keys = strs((const char *[]){"a", "b", "c"}, 3);
    lml_column *vals = lml_column_from_int64s((int64_t[]){1, 0, -7}, (uint8_t[]){0x05}, 3, NULL);
    lml_error err = {0};
    lml_column *c = lml_column_map_new((int32_t[]){0, 2, 2, 2, 3}, (uint8_t[]){0x0B}, 4, keys, vals, &err);
    lml_column_free(keys);
    lml_column_free(vals);
    cr_assert_not_null(c, "%s", err.message);
    return c;
}

/* binary: 01 02 0A, (empty), NULL, FF. */
static lml_column *sample_binary(void)
{
    lml_error err = {0};
    lml_column *c = lml_column_from_binary((int32_t[]){0, 3, 3, 3, 4}, (uint8_t[]){0x01, 0x02, 0x0A, 0xFF},
                                           (uint8_t[]){0x0B}, 4, &err);
    cr_assert_not_null(c, "%s", err.message);
    return c;
}

/* array<struct<x: int, y: double>>: [{1, 0.5}, {2, NULL}], [{3, -1.0}], NULL, []. */
static lml_column *sample_list_of_struct(void)
{
    lml_column *x = ints((int32_t[]){1, 2, 3}, NULL, 3);
    lml_column *y = lml_column_from_doubles((double[]){0.5, 0, -1.0}, (uint8_t[]){0x05}, 3, NULL);
    lml_column *st = lml_column_struct_new(3, 2, (const char *[]){"x", "y"}, (lml_column *[]){x, y}, NULL, NULL);
    lml_column *c = lml_column_list_new((int32_t[]){0, 2, 3, 3, 3}, (uint8_t[]){0x0B}, 4, st, NULL);
    lml_column_free(x);
    lml_column_free(y);
    lml_column_free(st);
    cr_assert_not_null(c);
    return c;
}

static lml_frame *frame_of(size_t n, const char *const *names, lml_column **cols)
{
    lml_error err = {0};
    lml_frame *f = lml_frame_new(n, names, cols, &err);
    for (size_t i = 0; i < n; i++)
        lml_column_free(cols[i]);
    cr_assert_not_null(f, "%s", err.message);
    return f;
}

static lml_frame *sample_frame(void)
{
    lml_column *cols[5] = {sample_list(), sample_struct(), sample_map(), sample_binary(), sample_list_of_struct()};
    return frame_of(5, (const char *[]){"a", "s", "m", "bin", "ls"}, cols);
}

static void assert_schema(const lml_frame *f, const char *want)
{
    char *s = lml_frame_schema_string(f, NULL);
    cr_assert_not_null(s);
    cr_assert_str_eq(s, want);
    free(s);
}

static void assert_show(const lml_frame *f, size_t n, int truncate, const char *want)
{
    char *s = lml_frame_show_string(f, n, truncate, NULL);
    cr_assert_not_null(s);
    cr_assert_str_eq(s, want);
    free(s);
}

/* ---------------------------------------------------------------- printSchema and show */

Test(frame_nested, print_schema_matches_spark_for_array_struct_map_binary)
{
    lml_frame *f = sample_frame();
    assert_schema(f, "root\n"
                     " |-- a: array (nullable = true)\n"
                     " |    |-- element: integer (containsNull = true)\n"
                     " |-- s: struct (nullable = true)\n"
                     " |    |-- a: integer (nullable = true)\n"
                     " |    |-- b: string (nullable = true)\n"
                     " |-- m: map (nullable = true)\n"
                     " |    |-- key: string\n"
                     " |    |-- value: long (valueContainsNull = true)\n"
                     " |-- bin: binary (nullable = true)\n"
                     " |-- ls: array (nullable = true)\n"
                     " |    |-- element: struct (containsNull = true)\n"
                     " |    |    |-- x: integer (nullable = true)\n"
                     " |    |    |-- y: double (nullable = true)\n");
    lml_frame_free(f);
}

Test(frame_nested, show_formats_nested_values_like_spark_3_5)
{
    lml_frame *f = sample_frame();
    assert_show(f, 20, 0,
                "+------------+---------+-------------------+----------+---------------------+\n"
                "|a           |s        |m                  |bin       |ls                   |\n"
                "+------------+---------+-------------------+----------+---------------------+\n"
                "|[1, 2, NULL]|{1, x}   |{a -> 1, b -> NULL}|[01 02 0A]|[{1, 0.5}, {2, NULL}]|\n"
                "|NULL        |{2, NULL}|{}                 |[]        |[{3, -1.0}]          |\n"
                "|[]          |NULL     |NULL               |NULL      |NULL                 |\n"
                "|[4]         |{4, w}   |{c -> -7}          |[FF]      |[]                   |\n"
                "+------------+---------+-------------------+----------+---------------------+\n");
    lml_frame_free(f);
}

Test(frame_nested, show_truncates_long_nested_cells_to_20)
{
    lml_column *cols[1] = {sample_list_of_struct()};
    lml_frame *f = frame_of(1, (const char *[]){"ls"}, cols);
    assert_show(f, 2, 20,
                "+--------------------+\n"
                "|                  ls|\n"
                "+--------------------+\n"
                "|[{1, 0.5}, {2, NU...|\n"
                "|         [{3, -1.0}]|\n"
                "+--------------------+\n"
                "only showing top 2 rows\n");
    lml_frame_free(f);
}

Test(frame_nested, delta_checkpoint_add_struct_prints_like_spark)
{
    /* Two checkpoint rows: an add action, and a row whose add is null (another action). */
    lml_column *path = strs((const char *[]){"part-00000-1.snappy.parquet", NULL}, 2);
    lml_column *pk = strs((const char *[]){"date"}, 1), *pv = strs((const char *[]){"2024-01-01"}, 1);
    lml_column *pvals = lml_column_map_new((int32_t[]){0, 1, 1}, NULL, 2, pk, pv, NULL);
    lml_column *size = lml_column_from_int64s((int64_t[]){1234, 0}, NULL, 2, NULL);
    lml_column *mtime = lml_column_from_int64s((int64_t[]){1700000000000, 0}, NULL, 2, NULL);
    lml_column_builder *b = lml_column_builder_new(LML_BOOL, 2, NULL);
    lml_column_builder_append_bool(b, true, NULL);
    lml_column_builder_append_bool(b, false, NULL);
    lml_column *dc = lml_column_builder_finish(b, NULL);
    lml_column *kids[5] = {path, pvals, size, mtime, dc};
    lml_error err = {0};
    lml_column *add = lml_column_struct_new(2, 5, (const char *[]){"path", "partitionValues", "size", "modificationTime", "dataChange"},
                                            kids, (uint8_t[]){0x01}, &err);
    cr_assert_not_null(add, "%s", err.message);
    for (int i = 0; i < 5; i++)
        lml_column_free(kids[i]);
    lml_column_free(pk);
    lml_column_free(pv);
    cr_assert_eq(lml_column_null_count(add), 1);
    cr_assert_eq(lml_column_num_children(add), 5);
    cr_assert_str_eq(lml_column_child_name(add, 1), "partitionValues");
    const lml_column *pcol = lml_column_struct_field(add, "partitionValues");
    cr_assert_eq(lml_column_type(pcol), LML_MAP);
    cr_assert_eq(lml_column_offsets(pcol)[1], 1);
    size_t len;
    cr_assert_eq(memcmp(lml_column_string_at(lml_column_map_values(pcol), 0, &len), "2024-01-01", 10), 0);
    cr_assert_null(lml_column_struct_field(add, "stats"));
    lml_column *cols[1] = {add};
    lml_frame *f = frame_of(1, (const char *[]){"add"}, cols);
    assert_schema(f, "root\n"
                     " |-- add: struct (nullable = true)\n"
                     " |    |-- path: string (nullable = true)\n"
                     " |    |-- partitionValues: map (nullable = true)\n"
                     " |    |    |-- key: string\n"
                     " |    |    |-- value: string (valueContainsNull = true)\n"
                     " |    |-- size: long (nullable = true)\n"
                     " |    |-- modificationTime: long (nullable = true)\n"
                     " |    |-- dataChange: boolean (nullable = true)\n");
    assert_show(f, 20, 0,
                "+------------------------------------------------------------------------------+\n"
                "|add                                                                           |\n"
                "+------------------------------------------------------------------------------+\n"
                "|{part-00000-1.snappy.parquet, {date -> 2024-01-01}, 1234, 1700000000000, true}|\n"
                "|NULL                                                                          |\n"
                "+------------------------------------------------------------------------------+\n");
    lml_frame_free(f);
}

/* ---------------------------------------------------------------- accessors */

Test(frame_nested, accessors_expose_children_offsets_and_bytes)
{
    lml_column *l = sample_list(), *m = sample_map(), *bin = sample_binary();
    cr_assert_eq(lml_column_type(l), LML_LIST);
    cr_assert_eq(lml_column_null_count(l), 1);
    cr_assert(lml_column_is_null(l, 1));
    cr_assert_eq(lml_column_num_children(l), 1);
    cr_assert_str_eq(lml_column_child_name(l, 0), "element");
    const lml_column *e = lml_column_child(l, 0);
    cr_assert_eq(lml_column_length(e), 4);
    cr_assert(lml_column_is_null(e, 2));
    cr_assert_eq(lml_column_int32s(e)[3], 4);
    cr_assert_eq(lml_column_offsets(l)[1], 3);
    cr_assert_null(lml_column_child(l, 1));
    lml_value v = lml_column_get(l, 0);
    cr_assert_eq(v.type, LML_LIST);
    cr_assert(!v.is_null);
    cr_assert(lml_column_get(l, 1).is_null);

    cr_assert_str_eq(lml_column_child_name(m, 0), "entries");
    cr_assert_eq(lml_column_length(lml_column_map_keys(m)), 3);
    cr_assert_eq(lml_column_int64s(lml_column_map_values(m))[2], -7);
    cr_assert(lml_column_is_null(lml_column_map_values(m), 1));
    cr_assert_null(lml_column_map_keys(l));

    size_t len;
    const uint8_t *p = lml_column_binary_at(bin, 0, &len);
    cr_assert_eq(len, 3);
    cr_assert_eq(p[2], 0x0A);
    v = lml_column_get(bin, 3);
    cr_assert_eq(v.type, LML_BINARY);
    cr_assert_eq(v.v.str.len, 1);
    cr_assert_eq((uint8_t)v.v.str.ptr[0], 0xFF);
    cr_assert_null(lml_column_binary_at(l, 0, &len));
    cr_assert_str_eq(lml_type_name(LML_BINARY), "binary");
    lml_type t;
    cr_assert(lml_type_parse("binary", &t) && t == LML_BINARY);
    lml_column_free(l);
    lml_column_free(m);
    lml_column_free(bin);
}

/* ---------------------------------------------------------------- invalid input */

Test(frame_nested, constructors_reject_bad_offsets_lengths_and_names)
{
    lml_error err = {0};
    lml_column *e = ints((int32_t[]){1, 2, 3}, NULL, 3);
    cr_assert_null(lml_column_list_new((int32_t[]){0, 2, 1}, NULL, 2, e, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "offsets[2] = 1 is below offsets[1] = 2"), "%s", err.message);
    cr_assert_null(lml_column_list_new((int32_t[]){0, 2, 4}, NULL, 2, e, &err));
    cr_assert(strstr(err.message, "offsets[2] = 4 is past the 3 rows of its child"), "%s", err.message);
    cr_assert_null(lml_column_list_new((int32_t[]){-1, 2}, NULL, 1, e, &err));
    cr_assert(strstr(err.message, "below 0"), "%s", err.message);
    cr_assert_null(lml_column_list_new((int32_t[]){0, 1}, NULL, 1, NULL, &err));
    /* offsets need not start at 0 */
    lml_column *ok = lml_column_list_new((int32_t[]){1, 3}, NULL, 1, e, &err);
    cr_assert_not_null(ok, "%s", err.message);
    char buf[32];
    lml_format_value(ok, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "[2, 3]");
    lml_column_free(ok);

    lml_column *s = strs((const char *[]){"a", "b"}, 2);
    cr_assert_null(lml_column_struct_new(3, 2, (const char *[]){"x", "y"}, (lml_column *[]){e, s}, NULL, &err));
    cr_assert(strstr(err.message, "field 'y' has 2 rows, the struct 3"), "%s", err.message);
    lml_column *e2 = ints((int32_t[]){1, 2}, NULL, 2);
    cr_assert_null(lml_column_struct_new(2, 2, (const char *[]){"x", "x"}, (lml_column *[]){e2, s}, NULL, &err));
    cr_assert(strstr(err.message, "duplicate field name 'x'"), "%s", err.message);
    cr_assert_null(lml_column_struct_new(2, 1, (const char *[]){""}, (lml_column *[]){e2}, NULL, &err));
    cr_assert(strstr(err.message, "field 0 has no name"), "%s", err.message);

    lml_column *nk = strs((const char *[]){"a", NULL}, 2);
    cr_assert_null(lml_column_map_new((int32_t[]){0, 2}, NULL, 1, nk, e2, &err));
    cr_assert(strstr(err.message, "1 map keys are null"), "%s", err.message);
    cr_assert_null(lml_column_map_new((int32_t[]){0, 2}, NULL, 1, s, e, &err));
    cr_assert(strstr(err.message, "2 keys but 3 values"), "%s", err.message);
    cr_assert_null(lml_column_map_new((int32_t[]){0, 3}, NULL, 1, s, e2, &err));
    cr_assert(strstr(err.message, "map column: offsets[1] = 3 is past the 2 rows"), "%s", err.message);

    cr_assert_null(lml_column_from_binary((int32_t[]){1, 2}, (uint8_t[]){1, 2}, NULL, 1, &err));
    cr_assert(strstr(err.message, "must be 0"), "%s", err.message);
    cr_assert_null(lml_column_from_binary((int32_t[]){0, 2, 1}, (uint8_t[]){1, 2}, NULL, 2, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    lml_column_free(e);
    lml_column_free(e2);
    lml_column_free(s);
    lml_column_free(nk);
}

/* ---------------------------------------------------------------- row operations */

Test(frame_nested, filter_and_take_rebuild_offsets_and_children)
{
    lml_frame *f = sample_frame();
    lml_column_builder *b = lml_column_builder_new(LML_BOOL, 4, NULL);
    bool keep[4] = {false, true, false, true};
    for (int i = 0; i < 4; i++)
        lml_column_builder_append_bool(b, keep[i], NULL);
    lml_column *mask = lml_column_builder_finish(b, NULL);
    lml_error err = {0};
    lml_frame *g = lml_frame_filter(f, mask, &err);
    cr_assert_not_null(g, "%s", err.message);
    assert_show(g, 20, 0,
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
    lml_frame *f = sample_frame();
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
    lml_column *el = ints((int32_t[]){5, 6, 7}, NULL, 3);
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
    assert_show(sel, 20, 20,
                "+--------------------+------+\n"
                "|                  ls|     s|\n"
                "+--------------------+------+\n"
                "|[{1, 0.5}, {2, NU...|{1, x}|\n"
                "+--------------------+------+\n");
    lml_frame *dr = lml_frame_drop(f, (const char *[]){"a", "s", "bin", "ls", NULL}, &err);
    lml_frame *sl = lml_frame_slice(dr, 2, 5, &err);
    assert_schema(sl, "root\n |-- m: map (nullable = true)\n |    |-- key: string\n"
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
    lml_column *el = ints((int32_t[]){1, 2, 3}, NULL, 3);
    lml_column *vals = lml_column_list_new((int32_t[]){0, 2, 3}, NULL, 2, el, NULL);
    lml_column *keys = strs((const char *[]){"k1", "k2"}, 2);
    lml_column *m = lml_column_map_new((int32_t[]){0, 2}, NULL, 1, keys, vals, NULL);
    lml_column *st = lml_column_struct_new(1, 1, (const char *[]){"inner"}, (lml_column *[]){m}, NULL, NULL);
    cr_assert_not_null(st);
    lml_column_free(el);
    lml_column_free(vals);
    lml_column_free(keys);
    lml_column_free(m);
    lml_column *cols[1] = {st};
    lml_frame *f = frame_of(1, (const char *[]){"deep"}, cols);
    assert_schema(f, "root\n"
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
    lml_column *el = ints((int32_t[]){1, 2, 3, 1, 2}, NULL, 5);
    lml_column *l = lml_column_list_new((int32_t[]){0, 2, 3, 5, 5}, (uint8_t[]){0x07}, 4, el, NULL);
    lml_column_free(el);
    lml_column *cols[2] = {l, sample_map()};
    lml_frame *f = frame_of(2, (const char *[]){"l", "m"}, cols);
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
    lml_frame *f = sample_frame();
    lml_frame *out[2];
    lml_error err = {0};
    cr_assert(lml_frame_random_split(f, (double[]){0.5, 0.5}, 2, 7, out, &err), "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(out[0]) + lml_frame_num_rows(out[1]), 4);
    lml_frame_free(out[0]);
    lml_frame_free(out[1]);
    lml_frame_free(f);
}

/* ---------------------------------------------------------------- Arrow */

static void assert_format(const struct ArrowSchema *s, const char *format, const char *name, int64_t nkids)
{
    cr_assert_str_eq(s->format, format, "node '%s'", name);
    cr_assert_str_eq(s->name, name);
    cr_assert_eq(s->n_children, nkids, "node '%s'", name);
}

Test(frame_nested, arrow_export_uses_arrow_format_strings_and_children)
{
    lml_frame *f = sample_frame();
    struct ArrowSchema s;
    struct ArrowArray a;
    lml_error err = {0};
    cr_assert(lml_arrow_export_frame(f, &s, &a, &err), "%s", err.message);
    assert_format(s.children[0], "+l", "a", 1);
    assert_format(s.children[0]->children[0], "i", "element", 0);
    assert_format(s.children[1], "+s", "s", 2);
    assert_format(s.children[1]->children[0], "i", "a", 0);
    assert_format(s.children[1]->children[1], "u", "b", 0);
    const struct ArrowSchema *m = s.children[2];
    assert_format(m, "+m", "m", 1);
    assert_format(m->children[0], "+s", "entries", 2);
    cr_assert_eq(m->children[0]->flags & ARROW_FLAG_NULLABLE, 0);
    assert_format(m->children[0]->children[0], "u", "key", 0);
    cr_assert_eq(m->children[0]->children[0]->flags & ARROW_FLAG_NULLABLE, 0);
    assert_format(m->children[0]->children[1], "l", "value", 0);
    cr_assert_eq(m->children[0]->children[1]->flags & ARROW_FLAG_NULLABLE, ARROW_FLAG_NULLABLE);
    assert_format(s.children[3], "z", "bin", 0);
    assert_format(s.children[4], "+l", "ls", 1);
    assert_format(s.children[4]->children[0], "+s", "element", 2);
    assert_format(s.children[4]->children[0]->children[1], "g", "y", 0);
    /* Arrays: list = validity + offsets; struct = validity only; map child = entries struct. */
    const struct ArrowArray *la = a.children[0];
    cr_assert_eq(la->n_buffers, 2);
    cr_assert_eq(la->null_count, 1);
    cr_assert_eq(((const int32_t *)la->buffers[1])[4], 4);
    cr_assert_eq(la->children[0]->length, 4);
    cr_assert_eq(la->children[0]->null_count, 1);
    cr_assert_eq(a.children[1]->n_buffers, 1);
    cr_assert_eq(a.children[1]->children[1]->n_buffers, 3);
    cr_assert_eq(a.children[2]->children[0]->length, 3);
    cr_assert_eq(a.children[2]->children[0]->n_children, 2);
    cr_assert_eq(((const int64_t *)a.children[2]->children[0]->children[1]->buffers[1])[2], -7);
    cr_assert_eq(a.children[3]->n_buffers, 3);
    cr_assert_eq(((const uint8_t *)a.children[3]->buffers[2])[3], 0xFF);

    /* Round trip: the same schema text and the same cells. */
    lml_frame *g = lml_arrow_import_frame(&s, &a, &err);
    cr_assert_not_null(g, "%s", err.message);
    char *s1 = lml_frame_schema_string(f, NULL), *s2 = lml_frame_schema_string(g, NULL);
    cr_assert_str_eq(s1, s2);
    char *t1 = lml_frame_show_string(f, 20, 0, NULL), *t2 = lml_frame_show_string(g, 20, 0, NULL);
    cr_assert_str_eq(t1, t2);
    cr_assert_eq(lml_column_null_count(lml_column_child(lml_frame_column(g, 0), 0)), 1);
    free(s1);
    free(s2);
    free(t1);
    free(t2);
    s.release(&s);
    lml_frame_free(g);
    lml_frame_free(f);
}

Test(frame_nested, arrow_child_may_outlive_its_parent)
{
    lml_column *l = sample_list_of_struct();
    struct ArrowSchema s;
    struct ArrowArray a;
    cr_assert(lml_arrow_export_column(l, "ls", &s, &a, NULL));
    lml_column_free(l);
    struct ArrowArray kid = *a.children[0]; /* move the element struct out */
    a.children[0]->release = NULL;
    a.release(&a);
    cr_assert_eq(kid.length, 3);
    cr_assert_eq(((const double *)kid.children[1]->buffers[1])[2], -1.0);
    kid.release(&kid);
    s.release(&s);
}

/* A hand-built list<int32> array as another producer would hand it over. */
typedef struct hand {
    struct ArrowSchema s, es;
    struct ArrowSchema *skids[1];
    struct ArrowArray a, ea;
    struct ArrowArray *akids[1];
    const void *bufs[2], *ebufs[2];
} hand;

static void noop_schema(struct ArrowSchema *s) { s->release = NULL; }
static void noop_array(struct ArrowArray *a) { a->release = NULL; }

static void hand_list(hand *h, const int32_t *offs, int64_t len, int64_t offset, const int32_t *vals, int64_t nvals)
{
    memset(h, 0, sizeof *h);
    h->es = (struct ArrowSchema){.format = "i", .name = "item", .flags = 2, .release = noop_schema};
    h->skids[0] = &h->es;
    h->s = (struct ArrowSchema){.format = "+l", .name = "xs", .flags = 2, .n_children = 1, .children = h->skids,
                                .release = noop_schema};
    h->ebufs[1] = vals;
    h->ea = (struct ArrowArray){.length = nvals, .n_buffers = 2, .buffers = h->ebufs, .release = noop_array};
    h->akids[0] = &h->ea;
    h->bufs[1] = offs;
    h->a = (struct ArrowArray){.length = len, .offset = offset, .n_buffers = 2, .buffers = h->bufs, .n_children = 1,
                               .children = h->akids, .release = noop_array};
}

Test(frame_nested, arrow_import_rebases_offsets_and_rejects_offsets_past_the_child)
{
    static const int32_t vals[6] = {10, 11, 12, 13, 14, 15};
    static const int32_t offs[5] = {0, 1, 3, 3, 6};
    hand h;
    hand_list(&h, offs, 2, 1, vals, 6); /* rows 1..2 of the list: [11, 12], [] */
    lml_error err = {0};
    lml_column *c = lml_arrow_import_column(&h.s, &h.a, &err);
    cr_assert_not_null(c, "%s", err.message);
    cr_assert_eq(lml_column_type(c), LML_LIST);
    cr_assert_eq(lml_column_length(c), 2);
    cr_assert_eq(lml_column_offsets(c)[0], 0);
    cr_assert_eq(lml_column_offsets(c)[1], 2);
    cr_assert_eq(lml_column_length(lml_column_child(c, 0)), 2);
    char buf[32];
    lml_format_value(c, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "[11, 12]");
    lml_column_free(c);

    static const int32_t bad[3] = {0, 4, 7};
    hand_list(&h, bad, 2, 0, vals, 6);
    cr_assert_null(lml_arrow_import_column(&h.s, &h.a, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "offset 7 at row 2 goes backwards or past 6"), "%s", err.message);
    static const int32_t back[3] = {0, 4, 2};
    hand_list(&h, back, 2, 0, vals, 6);
    cr_assert_null(lml_arrow_import_column(&h.s, &h.a, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    hand_list(&h, offs, 2, 0, vals, 6);
    h.a.n_children = 0;
    h.s.n_children = 0;
    cr_assert_null(lml_arrow_import_column(&h.s, &h.a, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
}

Test(frame_nested, arrow_import_of_empty_nested_columns_keeps_child_types)
{
    lml_column *el = ints((int32_t[]){0}, NULL, 0);
    lml_column *l = lml_column_list_new((int32_t[]){0}, NULL, 0, el, NULL);
    lml_column_free(el);
    cr_assert_not_null(l);
    struct ArrowSchema s;
    struct ArrowArray a;
    cr_assert(lml_arrow_export_column(l, "e", &s, &a, NULL));
    lml_error err = {0};
    lml_column *back = lml_arrow_import_column(&s, &a, &err);
    cr_assert_not_null(back, "%s", err.message);
    cr_assert_eq(lml_column_type(back), LML_LIST);
    cr_assert_eq(lml_column_type(lml_column_child(back, 0)), LML_INT32);
    s.release(&s);
    lml_column_free(back);
    lml_column_free(l);
}

/* ---------------------------------------------------------------- float, byte, short, timestamp_ntz, decimal */

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
    return frame_of(5, (const char *[]){"f", "b", "s", "t", "d"}, cols);
}

Test(frame_nested, scalar_types_print_and_show_like_spark)
{
    lml_frame *f = scalar_frame();
    assert_schema(f, "root\n"
                     " |-- f: float (nullable = true)\n"
                     " |-- b: byte (nullable = true)\n"
                     " |-- s: short (nullable = true)\n"
                     " |-- t: timestamp_ntz (nullable = true)\n"
                     " |-- d: decimal(10,2) (nullable = true)\n");
    assert_show(f, 20, 0,
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
    lml_frame *g = frame_of(2, (const char *[]){"x", "y"}, cols);
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

Test(frame_nested, spark_vector_udt_struct_prints_and_imports_as_a_vector)
{
    /* Spark's VectorUDT sqlType: a sparse (3,[0,2],[1.0,2.5]) and a dense [1.0,2.0,3.0]. */
    lml_column *type = lml_column_from_int8s((int8_t[]){0, 1}, NULL, 2, NULL);
    lml_column *size = lml_column_from_int32s((int32_t[]){3, 0}, (uint8_t[]){0x01}, 2, NULL);
    lml_column *ie = ints((int32_t[]){0, 2}, NULL, 2);
    lml_column *ind = lml_column_list_new((int32_t[]){0, 2, 2}, (uint8_t[]){0x01}, 2, ie, NULL);
    lml_column *ve = lml_column_from_doubles((double[]){1.0, 2.5, 1.0, 2.0, 3.0}, NULL, 5, NULL);
    lml_column *val = lml_column_list_new((int32_t[]){0, 2, 5}, NULL, 2, ve, NULL);
    lml_column *kids[4] = {type, size, ind, val};
    lml_column *vec = lml_column_struct_new(2, 4, (const char *[]){"type", "size", "indices", "values"}, kids, NULL,
                                            NULL);
    cr_assert_not_null(vec);
    for (int i = 0; i < 4; i++)
        lml_column_free(kids[i]);
    lml_column_free(ie);
    lml_column_free(ve);
    lml_column *cols[1] = {vec};
    lml_frame *f = frame_of(1, (const char *[]){"features"}, cols);
    assert_schema(f, "root\n"
                     " |-- features: struct (nullable = true)\n"
                     " |    |-- type: byte (nullable = true)\n"
                     " |    |-- size: integer (nullable = true)\n"
                     " |    |-- indices: array (nullable = true)\n"
                     " |    |    |-- element: integer (containsNull = true)\n"
                     " |    |-- values: array (nullable = true)\n"
                     " |    |    |-- element: double (containsNull = true)\n");
    assert_show(f, 20, 0,
                "+--------------------------------+\n"
                "|features                        |\n"
                "+--------------------------------+\n"
                "|{0, 3, [0, 2], [1.0, 2.5]}      |\n"
                "|{1, NULL, NULL, [1.0, 2.0, 3.0]}|\n"
                "+--------------------------------+\n");
    struct ArrowSchema s;
    struct ArrowArray a;
    lml_error err = {0};
    cr_assert(lml_arrow_export_frame(f, &s, &a, &err), "%s", err.message);
    const struct ArrowSchema *v = s.children[0];
    assert_format(v, "+s", "features", 4);
    assert_format(v->children[0], "c", "type", 0);
    assert_format(v->children[1], "i", "size", 0);
    assert_format(v->children[2], "+l", "indices", 1);
    assert_format(v->children[3], "+l", "values", 1);
    assert_format(v->children[3]->children[0], "g", "element", 0);
    /* lakeml reads this shape back as its ML vector column (what Spark's VectorUDT stores). */
    lml_frame *g = lml_arrow_import_frame(&s, &a, &err);
    cr_assert_not_null(g, "%s", err.message);
    const lml_column *c = lml_frame_column(g, 0);
    cr_assert_eq(lml_column_type(c), LML_VECTOR);
    cr_assert_eq(lml_column_vector_size(c), 3);
    char buf[64];
    lml_format_value(c, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "(3,[0,2],[1.0,2.5])");
    lml_format_value(c, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "(3,[0,1,2],[1.0,2.0,3.0])");
    s.release(&s);
    lml_frame_free(g);
    lml_frame_free(f);
}

Test(frame_nested, arrow_import_refuses_hostile_nesting_depth)
{
    enum { DEPTH = 200 };
    static struct ArrowSchema s[DEPTH];
    static struct ArrowArray a[DEPTH];
    static struct ArrowSchema *sk[DEPTH];
    static struct ArrowArray *ak[DEPTH];
    static const void *bufs[DEPTH][2];
    static const int32_t one[1] = {42};
    for (int i = DEPTH - 1; i >= 0; i--) { /* struct of struct of … of int */
        bool leaf = i == DEPTH - 1;
        s[i] = (struct ArrowSchema){.format = leaf ? "i" : "+s", .name = "n", .flags = 2, .n_children = !leaf,
                                    .children = leaf ? NULL : &sk[i], .release = noop_schema};
        bufs[i][1] = leaf ? one : NULL;
        a[i] = (struct ArrowArray){.length = 1, .n_buffers = leaf ? 2 : 1, .buffers = bufs[i], .n_children = !leaf,
                                   .children = leaf ? NULL : &ak[i], .release = noop_array};
        if (!leaf) {
            sk[i] = &s[i + 1];
            ak[i] = &a[i + 1];
        }
    }
    lml_error err = {0};
    cr_assert_null(lml_arrow_import_column(&s[0], &a[0], &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
    cr_assert(strstr(err.message, "nesting deeper than 64 levels"), "%s", err.message);
    /* 10 levels are fine. */
    s[9] = (struct ArrowSchema){.format = "i", .name = "n", .flags = 2, .release = noop_schema};
    bufs[9][1] = one;
    a[9] = (struct ArrowArray){.length = 1, .n_buffers = 2, .buffers = bufs[9], .release = noop_array};
    for (int i = 0; i < 9; i++)
        a[i].release = noop_array;
    lml_column *c = lml_arrow_import_column(&s[0], &a[0], &err);
    cr_assert_not_null(c, "%s", err.message);
    char buf[64];
    lml_format_value(c, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "{{{{{{{{{42}}}}}}}}}");
    lml_column_free(c);
}

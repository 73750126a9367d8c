/* Binary and nested columns (array, struct, map): constructors and their validation, accessors,
 * and printSchema and show() text as Spark 3.5 prints them. Row operations are in
 * test_frame_nested_ops.c, Arrow in test_frame_nested_arrow.c, the narrow scalar types in
 * test_frame_nested_scalar.c. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "frame/internal.h"
#include "nested_support.h"
#include "support.h"

/* ---------------------------------------------------------------- printSchema and show */

Test(frame_nested, print_schema_matches_spark_for_array_struct_map_binary)
{
    lml_frame *f = lml_test_sample_frame();
    lml_test_assert_schema(f, "root\n"
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
    lml_frame *f = lml_test_sample_frame();
    lml_test_assert_show(f, 20, 0,
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
    lml_column *cols[1] = {lml_test_sample_list_of_struct()};
    lml_frame *f = lml_test_frame_of(1, (const char *[]){"ls"}, cols);
    lml_test_assert_show(f, 2, 20,
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
    lml_column *path = lml_test_strs((const char *[]){"part-00000-1.snappy.parquet", NULL}, 2);
    lml_column *pk = lml_test_strs((const char *[]){"date"}, 1), *pv = lml_test_strs((const char *[]){"2024-01-01"}, 1);
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
    lml_frame *f = lml_test_frame_of(1, (const char *[]){"add"}, cols);
    lml_test_assert_schema(f, "root\n"
                     " |-- add: struct (nullable = true)\n"
                     " |    |-- path: string (nullable = true)\n"
                     " |    |-- partitionValues: map (nullable = true)\n"
                     " |    |    |-- key: string\n"
                     " |    |    |-- value: string (valueContainsNull = true)\n"
                     " |    |-- size: long (nullable = true)\n"
                     " |    |-- modificationTime: long (nullable = true)\n"
                     " |    |-- dataChange: boolean (nullable = true)\n");
    lml_test_assert_show(f, 20, 0,
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
    lml_column *l = lml_test_sample_list(), *m = lml_test_sample_map(), *bin = lml_test_sample_binary();
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
    lml_column *e = lml_test_ints((int32_t[]){1, 2, 3}, NULL, 3);
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

    lml_column *s = lml_test_strs((const char *[]){"a", "b"}, 2);
    cr_assert_null(lml_column_struct_new(3, 2, (const char *[]){"x", "y"}, (lml_column *[]){e, s}, NULL, &err));
    cr_assert(strstr(err.message, "field 'y' has 2 rows, the struct 3"), "%s", err.message);
    lml_column *e2 = lml_test_ints((int32_t[]){1, 2}, NULL, 2);
    cr_assert_null(lml_column_struct_new(2, 2, (const char *[]){"x", "x"}, (lml_column *[]){e2, s}, NULL, &err));
    cr_assert(strstr(err.message, "duplicate field name 'x'"), "%s", err.message);
    cr_assert_null(lml_column_struct_new(2, 1, (const char *[]){""}, (lml_column *[]){e2}, NULL, &err));
    cr_assert(strstr(err.message, "field 0 has no name"), "%s", err.message);

    lml_column *nk = lml_test_strs((const char *[]){"a", NULL}, 2);
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

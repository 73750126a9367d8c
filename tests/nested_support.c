/* Sample nested columns for the frame_nested tests: see nested_support.h. */
#include "nested_support.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include "support.h"

lml_column *lml_test_ints(const int32_t *v, const uint8_t *valid, size_t n)
{
    lml_column *c = lml_column_from_int32s(v, valid, n, NULL);
    cr_assert_not_null(c);
    return c;
}

lml_column *lml_test_strs(const char *const *v, size_t n)
{
    lml_column *c = lml_column_from_strings(v, n, NULL);
    cr_assert_not_null(c);
    return c;
}

lml_column *lml_test_sample_list(void)
{
    lml_column *elems = lml_test_ints((int32_t[]){1, 2, 0, 4}, (uint8_t[]){0x0B}, 4);
    lml_error err = {0};
    lml_column *c = lml_column_list_new((int32_t[]){0, 3, 3, 3, 4}, (uint8_t[]){0x0D}, 4, elems, &err);
    lml_column_free(elems);
    cr_assert_not_null(c, "%s", err.message);
    return c;
}

/* struct<a: int, b: string>: {1, x}, {2, NULL}, NULL, {4, w}. */
static lml_column *sample_struct(void)
{
    lml_column *kids[2] = {lml_test_ints((int32_t[]){1, 2, 0, 4}, NULL, 4),
                           lml_test_strs((const char *[]){"x", NULL, NULL, "w"}, 4)};
    lml_error err = {0};
    lml_column *c = lml_column_struct_new(4, 2, (const char *[]){"a", "b"}, kids, (uint8_t[]){0x0B}, &err);
    lml_column_free(kids[0]);
    lml_column_free(kids[1]);
    cr_assert_not_null(c, "%s", err.message);
    return c;
}

lml_column *lml_test_sample_map(void)
{
    lml_column *keys = lml_test_strs((const char *[]){"a", "b", "c"}, 3);
    lml_column *vals = lml_column_from_int64s((int64_t[]){1, 0, -7}, (uint8_t[]){0x05}, 3, NULL);
    lml_error err = {0};
    lml_column *c = lml_column_map_new((int32_t[]){0, 2, 2, 2, 3}, (uint8_t[]){0x0B}, 4, keys, vals, &err);
    lml_column_free(keys);
    lml_column_free(vals);
    cr_assert_not_null(c, "%s", err.message);
    return c;
}

lml_column *lml_test_sample_binary(void)
{
    lml_error err = {0};
    lml_column *c = lml_column_from_binary((int32_t[]){0, 3, 3, 3, 4}, (uint8_t[]){0x01, 0x02, 0x0A, 0xFF},
                                           (uint8_t[]){0x0B}, 4, &err);
    cr_assert_not_null(c, "%s", err.message);
    return c;
}

lml_column *lml_test_sample_list_of_struct(void)
{
    lml_column *x = lml_test_ints((int32_t[]){1, 2, 3}, NULL, 3);
    lml_column *y = lml_column_from_doubles((double[]){0.5, 0, -1.0}, (uint8_t[]){0x05}, 3, NULL);
    lml_column *st = lml_column_struct_new(3, 2, (const char *[]){"x", "y"}, (lml_column *[]){x, y}, NULL, NULL);
    lml_column *c = lml_column_list_new((int32_t[]){0, 2, 3, 3, 3}, (uint8_t[]){0x0B}, 4, st, NULL);
    lml_column_free(x);
    lml_column_free(y);
    lml_column_free(st);
    cr_assert_not_null(c);
    return c;
}

lml_frame *lml_test_frame_of(size_t n, const char *const *names, lml_column **cols)
{
    lml_error err = {0};
    lml_frame *f = lml_frame_new(n, names, cols, &err);
    for (size_t i = 0; i < n; i++)
        lml_column_free(cols[i]);
    cr_assert_not_null(f, "%s", err.message);
    return f;
}

lml_frame *lml_test_sample_frame(void)
{
    lml_column *cols[5] = {lml_test_sample_list(), sample_struct(), lml_test_sample_map(), lml_test_sample_binary(),
                           lml_test_sample_list_of_struct()};
    return lml_test_frame_of(5, (const char *[]){"a", "s", "m", "bin", "ls"}, cols);
}

void lml_test_assert_schema(const lml_frame *f, const char *want)
{
    char *s = lml_frame_schema_string(f, NULL);
    cr_assert_not_null(s);
    cr_assert_str_eq(s, want);
    free(s);
}

void lml_test_assert_show(const lml_frame *f, size_t n, int truncate, const char *want)
{
    char *s = lml_frame_show_string(f, n, truncate, NULL);
    cr_assert_not_null(s);
    cr_assert_str_eq(s, want);
    free(s);
}

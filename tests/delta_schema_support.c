/* Helpers shared by tests/unit/test_delta_schema*.c. They check with cr_assert, so they fail the
 * calling Criterion test. */
#include "delta_schema_support.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

void lml_test_schema_parse_ok(const char *json, lml_delta_schema *s)
{
    lml_error err = {0};
    cr_assert(lml_delta_schema_parse(json, s, &err), "%s", err.message);
}

void lml_test_schema_expect_type(const lml_delta_field *f, const char *name, const char *type)
{
    lml_error err = {0};
    char *t = lml_delta_field_type_string(f, &err);
    cr_assert(t, "%s", err.message);
    cr_assert_str_eq(f->name, name);
    cr_assert_str_eq(t, type, "field %s: %s, expected %s", name, t, type);
    free(t);
}

char *lml_test_schema_to_json(const lml_delta_schema *s)
{
    lml_error err = {0};
    char *j = lml_delta_schema_to_json(s, &err);
    cr_assert(j, "%s", err.message);
    return j;
}

/* A frame with every kind of column, for the frame → schema tests. */
lml_frame *lml_test_schema_sample_frame(void)
{
    lml_error err = {0};
    lml_column *c[8];
    c[0] = lml_column_from_int32s((int32_t[]){1, 2}, NULL, 2, &err);
    c[1] = lml_column_from_strings((const char *[]){"a", NULL}, 2, &err);
    uint8_t dec[32] = {5};
    c[2] = lml_column_from_decimals(dec, NULL, 2, 9, 2, &err);
    lml_column *el = lml_column_from_doubles((double[]){1, 2, 3}, NULL, 3, &err);
    c[3] = lml_column_list_new((int32_t[]){0, 1, 3}, NULL, 2, el, &err);
    lml_column *k = lml_column_from_strings((const char *[]){"x", "y"}, 2, &err);
    lml_column *v = lml_column_from_int64s((int64_t[]){7, 8}, NULL, 2, &err);
    c[4] = lml_column_map_new((int32_t[]){0, 2, 2}, NULL, 2, k, v, &err);
    lml_column *sa = lml_column_from_int8s((int8_t[]){1, 2}, NULL, 2, &err);
    lml_column *sb = lml_column_from_timestamps_ntz((int64_t[]){1, 2}, NULL, 2, &err);
    c[5] = lml_column_struct_new(2, 2, (const char *[]){"b8", "ntz"}, (lml_column *[]){sa, sb}, NULL, &err);
    c[6] = lml_column_vector_from_dense((double[]){1, 2, 3, 4}, 2, 2, &err);
    c[7] = lml_column_from_floats((float[]){1, 2}, NULL, 2, &err);
    for (int i = 0; i < 8; i++)
        cr_assert(c[i], "column %d: %s", i, err.message);
    lml_frame *f = lml_frame_new(8, (const char *[]){"i", "s", "d", "l", "m", "st", "vec", "f"}, c, &err);
    cr_assert(f, "%s", err.message);
    lml_frame *g = lml_frame_with_metadata(f, "i", "{\"ml_attr\": {\"type\": \"nominal\"}}", &err);
    cr_assert(g, "%s", err.message);
    lml_frame_free(f);
    for (int i = 0; i < 8; i++)
        lml_column_free(c[i]);
    lml_column_free(el), lml_column_free(k), lml_column_free(v), lml_column_free(sa), lml_column_free(sb);
    return g;
}

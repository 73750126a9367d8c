#include <criterion/criterion.h>
#include <string.h>
#include "lakeml/frame.h"

Test(builder, grows_past_initial_capacity_and_keeps_nulls)
{
    lml_error err = {0};
    lml_column_builder *b = lml_column_builder_new(LML_INT32, 2, &err);
    for (int i = 0; i < 1000; i++) {
        bool ok = i % 7 == 0 ? lml_column_builder_append_null(b, &err) : lml_column_builder_append_int32(b, i, &err);
        cr_assert(ok, "%s", err.message);
    }
    lml_column *c = lml_column_builder_finish(b, &err);
    cr_assert_eq(lml_column_length(c), 1000);
    cr_assert_eq(lml_column_null_count(c), 143);
    cr_assert_eq(lml_column_int32s(c)[999], 999);
    cr_assert(lml_column_is_null(c, 994));
    lml_column_free(c);
}

Test(builder, strings_and_bools)
{
    lml_column_builder *s = lml_column_builder_new(LML_STRING, 0, NULL);
    lml_column_builder_append_string(s, "abc", 3, NULL);
    lml_column_builder_append_null(s, NULL);
    lml_column_builder_append_string(s, "", 0, NULL);
    lml_column *c = lml_column_builder_finish(s, NULL);
    size_t len;
    cr_assert_eq(memcmp(lml_column_string_at(c, 0, &len), "abc", 3), 0);
    cr_assert_eq(len, 3);
    cr_assert(lml_column_is_null(c, 1));
    cr_assert_not(lml_column_is_null(c, 2));
    lml_column_free(c);

    lml_column_builder *b = lml_column_builder_new(LML_BOOL, 0, NULL);
    for (int i = 0; i < 20; i++)
        lml_column_builder_append_bool(b, i % 3 == 0, NULL);
    c = lml_column_builder_finish(b, NULL);
    cr_assert(lml_column_bool_at(c, 18));
    cr_assert_not(lml_column_bool_at(c, 19));
    cr_assert_eq(lml_column_bool_bits(c)[0], 0x49);
    lml_column_free(c);
}

Test(builder, wrong_type_is_an_error)
{
    lml_error err = {0};
    lml_column_builder *b = lml_column_builder_new(LML_DOUBLE, 0, NULL);
    cr_assert_not(lml_column_builder_append_string(b, "x", 1, &err));
    cr_assert_eq(err.code, LML_ETYPE);
    cr_assert_str_eq(err.message, "cannot append a string to a double column");
    lml_column_builder_free(b);
    cr_assert_null(lml_column_builder_new(LML_VECTOR, 0, &err));
}

Test(builder, append_value_dispatches_on_type)
{
    lml_column_builder *b = lml_column_builder_new(LML_TIMESTAMP, 0, NULL);
    lml_value v = {.type = LML_TIMESTAMP, .v.i64 = 1700000000000000};
    cr_assert(lml_column_builder_append_value(b, &v, NULL));
    lml_value n = {.type = LML_TIMESTAMP, .is_null = true};
    cr_assert(lml_column_builder_append_value(b, &n, NULL));
    lml_column *c = lml_column_builder_finish(b, NULL);
    cr_assert_eq(lml_column_int64s(c)[0], 1700000000000000);
    cr_assert_eq(lml_column_null_count(c), 1);
    lml_column_free(c);
}

#include <criterion/criterion.h>
#include <string.h>
#include "lakeml/frame.h"

static lml_frame *two_cols(void)
{
    int32_t a[3] = {1, 2, 3};
    const char *s[3] = {"x", "y", NULL};
    lml_column *ca = lml_column_from_int32s(a, NULL, 3, NULL);
    lml_column *cs = lml_column_from_strings(s, 3, NULL);
    lml_frame *f = lml_frame_new(2, (const char *[]){"id", "Name"}, (lml_column *[]){ca, cs}, NULL);
    lml_column_free(ca);
    lml_column_free(cs);
    return f;
}

Test(frame, new_shares_columns_and_looks_up_names_case_insensitively)
{
    lml_frame *f = two_cols();
    cr_assert_eq(lml_frame_num_rows(f), 3);
    cr_assert_eq(lml_frame_num_cols(f), 2);
    cr_assert_str_eq(lml_frame_column_name(f, 1), "Name");
    cr_assert_eq(lml_frame_column_index(f, "name"), 1);
    cr_assert_eq(lml_frame_column_index(f, "nope"), -1);
    lml_error err = {0};
    cr_assert_null(lml_frame_column_by_name(f, "Age", &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    cr_assert_str_eq(err.message, "column 'Age' not found; the frame has [id, Name]");
    lml_frame_free(f);
}

Test(frame, rejects_unequal_lengths_and_duplicate_names)
{
    int32_t a[3] = {1, 2, 3};
    lml_column *c3 = lml_column_from_int32s(a, NULL, 3, NULL);
    lml_column *c2 = lml_column_from_int32s(a, NULL, 2, NULL);
    lml_error err = {0};
    cr_assert_null(lml_frame_new(2, (const char *[]){"a", "b"}, (lml_column *[]){c3, c2}, &err));
    cr_assert_str_eq(err.message, "column 'b' has 2 rows but column 'a' has 3");
    cr_assert_null(lml_frame_new(2, (const char *[]){"a", "A"}, (lml_column *[]){c3, c3}, &err));
    cr_assert_str_eq(err.message, "duplicate column name 'A' (columns 0 and 1)");
    lml_column_free(c3);
    lml_column_free(c2);
}

Test(frame, metadata_is_per_field_and_copied)
{
    lml_frame *f = two_cols();
    lml_frame *g = lml_frame_with_metadata(f, "id", "{\"ml_attr\":{\"type\":\"nominal\"}}", NULL);
    cr_assert_null(lml_frame_column_metadata(f, 0));
    cr_assert_str_eq(lml_frame_column_metadata(g, 0), "{\"ml_attr\":{\"type\":\"nominal\"}}");
    cr_assert_eq(lml_frame_column(f, 1), lml_frame_column(g, 1), "columns are shared, not copied");
    lml_frame *h = lml_frame_retain(g);
    lml_frame_free(g);
    cr_assert_eq(lml_frame_num_rows(h), 3);
    lml_frame_free(h);
    lml_frame_free(f);
    lml_frame_free(NULL);
}

Test(frame, empty_frame_has_no_rows)
{
    lml_frame *f = lml_frame_new(0, NULL, NULL, NULL);
    cr_assert_not_null(f);
    cr_assert_eq(lml_frame_num_rows(f), 0);
    lml_frame_free(f);
}

#include <criterion/criterion.h>
#include <string.h>
#include "frame/internal.h"

/* A 3-row frame: Age double, Name string, Pclass int32, with metadata on Pclass. */
static lml_frame *sample(void)
{
    double age[3] = {22, 38, 26};
    int32_t pclass[3] = {3, 1, 3};
    const char *name[3] = {"Braund", "Cumings", "Heikkinen"};
    lml_column *cols[3] = {lml_column_from_doubles(age, NULL, 3, NULL), lml_column_from_strings(name, 3, NULL),
                           lml_column_from_int32s(pclass, NULL, 3, NULL)};
    const char *names[3] = {"Age", "Name", "Pclass"};
    lml_frame *f = lml_frame_new(3, names, cols, NULL);
    for (int i = 0; i < 3; i++)
        lml_column_free(cols[i]);
    lml_frame *g = lml_frame_with_metadata(f, "Pclass", "{\"ml_attr\":{\"type\":\"nominal\"}}", NULL);
    lml_frame_free(f);
    cr_assert_not_null(g);
    return g;
}

Test(frame_select, select_reorders_and_shares_columns)
{
    lml_frame *f = sample();
    lml_error err = {0};
    lml_frame *s = lml_frame_select(f, (const char *[]){"pclass", "Age", NULL}, &err);
    cr_assert_not_null(s, "%s", err.message);
    cr_assert_eq(lml_frame_num_cols(s), 2);
    cr_assert_eq(lml_frame_num_rows(s), 3);
    cr_assert_str_eq(lml_frame_column_name(s, 0), "Pclass", "the frame's own spelling is kept");
    cr_assert_str_eq(lml_frame_column_name(s, 1), "Age");
    cr_assert_eq(lml_frame_column(s, 0), lml_frame_column(f, 2), "shared, not copied");
    cr_assert_eq(lml_frame_column(s, 1), lml_frame_column(f, 0));
    cr_assert_str_eq(lml_frame_column_metadata(s, 0), "{\"ml_attr\":{\"type\":\"nominal\"}}");
    cr_assert_null(lml_frame_column_metadata(s, 1));
    lml_frame_free(f); /* the selection keeps its columns alive */
    cr_assert_eq(lml_column_doubles(lml_frame_column(s, 1))[1], 38.0);
    lml_frame_free(s);
}

Test(frame_select, select_unknown_column_names_it)
{
    lml_frame *f = sample();
    lml_error err = {0};
    cr_assert_null(lml_frame_select(f, (const char *[]){"Age", "Fare", NULL}, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    cr_assert(strstr(err.message, "'Fare'") != NULL, "%s", err.message);
    lml_frame_free(f);
}

Test(frame_select, select_same_column_twice_is_rejected)
{
    lml_frame *f = sample();
    lml_error err = {0};
    cr_assert_null(lml_frame_select(f, (const char *[]){"Age", "age", NULL}, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    lml_frame_free(f);
}

Test(frame_select, drop_is_case_insensitive_and_ignores_unknown_names)
{
    lml_frame *f = sample();
    lml_error err = {0};
    lml_frame *d = lml_frame_drop(f, (const char *[]){"NAME", "nonexistent", NULL}, &err);
    cr_assert_not_null(d, "%s", err.message);
    cr_assert_eq(lml_frame_num_cols(d), 2);
    cr_assert_str_eq(lml_frame_column_name(d, 0), "Age");
    cr_assert_str_eq(lml_frame_column_name(d, 1), "Pclass");
    cr_assert_eq(lml_frame_column(d, 1), lml_frame_column(f, 2));
    cr_assert_not_null(lml_frame_column_metadata(d, 1));
    lml_frame_free(d);
    lml_frame_free(f);
}

Test(frame_select, with_column_appends_and_replaces_in_place)
{
    lml_frame *f = sample();
    lml_error err = {0};
    double fare[3] = {7.25, 71.2833, 7.925};
    lml_column *c = lml_column_from_doubles(fare, NULL, 3, NULL);
    lml_frame *g = lml_frame_with_column(f, "Fare", c, &err);
    cr_assert_not_null(g, "%s", err.message);
    cr_assert_eq(lml_frame_num_cols(g), 4);
    cr_assert_str_eq(lml_frame_column_name(g, 3), "Fare");
    cr_assert_eq(lml_frame_column(g, 3), c);
    /* replacing "pclass" keeps the position, takes the new name, drops the old metadata */
    lml_frame *h = lml_frame_with_column(g, "pclass", c, &err);
    cr_assert_not_null(h, "%s", err.message);
    cr_assert_eq(lml_frame_num_cols(h), 4);
    cr_assert_str_eq(lml_frame_column_name(h, 2), "pclass");
    cr_assert_eq(lml_frame_column(h, 2), c);
    cr_assert_null(lml_frame_column_metadata(h, 2));
    cr_assert_eq(lml_frame_column(h, 1), lml_frame_column(f, 1));
    lml_column_free(c); /* the caller's reference; the frames hold their own */
    cr_assert_eq(lml_column_doubles(lml_frame_column(h, 3))[1], 71.2833);
    lml_frame_free(h);
    lml_frame_free(g);
    lml_frame_free(f);
}

Test(frame_select, with_column_of_the_wrong_length_fails)
{
    lml_frame *f = sample();
    lml_error err = {0};
    double v[2] = {1, 2};
    lml_column *c = lml_column_from_doubles(v, NULL, 2, NULL);
    cr_assert_null(lml_frame_with_column(f, "x", c, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "'x'") != NULL, "%s", err.message);
    lml_column_free(c);
    lml_frame_free(f);
}

Test(frame_select, with_column_renamed_keeps_data_and_metadata)
{
    lml_frame *f = sample();
    lml_error err = {0};
    lml_frame *g = lml_frame_with_column_renamed(f, "PCLASS", "ticket_class", &err);
    cr_assert_not_null(g, "%s", err.message);
    cr_assert_str_eq(lml_frame_column_name(g, 2), "ticket_class");
    cr_assert_eq(lml_frame_column(g, 2), lml_frame_column(f, 2));
    cr_assert_str_eq(lml_frame_column_metadata(g, 2), "{\"ml_attr\":{\"type\":\"nominal\"}}");
    cr_assert_str_eq(lml_frame_column_name(f, 2), "Pclass", "the input is unchanged");
    lml_frame *same = lml_frame_with_column_renamed(f, "missing", "x", &err);
    cr_assert_not_null(same, "a missing column is not an error");
    cr_assert_eq(lml_frame_num_cols(same), 3);
    cr_assert_str_eq(lml_frame_column_name(same, 2), "Pclass");
    cr_assert_null(lml_frame_with_column_renamed(f, "Age", "name", &err), "would duplicate Name");
    cr_assert_eq(err.code, LML_EINVAL);
    lml_frame_free(same);
    lml_frame_free(g);
    lml_frame_free(f);
}

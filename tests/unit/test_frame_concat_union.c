/* Spark's unionByName (lml_frame_union_by_name): columns matched by name whatever their order
 * and case, missing, extra and mistyped columns named with their frame, one frame shared, and
 * the Delta scan's case of 1000 one-row frames against one frame of 1000 rows. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frame/internal.h"
#include "frame_concat_support.h"
#include "support.h"

/* ---------------------------------------------------------------- union by name */

static lml_frame *frame3(const char *n0, lml_column *c0, const char *n1, lml_column *c1, const char *n2,
                         lml_column *c2)
{
    lml_error err = {0};
    lml_frame *f = lml_frame_new(n2 ? 3 : 2, (const char *[]){n0, n1, n2}, (lml_column *[]){c0, c1, c2}, &err);
    cr_assert_not_null(f, "%s", err.message);
    lml_column_free(c0);
    lml_column_free(c1);
    lml_column_free(c2);
    return f;
}

Test(frame_concat, union_by_name_matches_reordered_case_different_names)
{
    lml_frame *a0 = frame3("id", lml_test_concat_part(K_INT32, 5, 0), "Name", lml_test_concat_part(K_STRING, 5, 0), "v",
                           lml_test_concat_part(K_DOUBLE, 5, 0));
    lml_frame *a = lml_frame_with_metadata(a0, "v", "{\"ml_attr\":{\"type\":\"numeric\"}}", NULL);
    lml_frame_free(a0);
    lml_frame *b = frame3("V", lml_test_concat_part(K_DOUBLE, 13, 5), "ID", lml_test_concat_part(K_INT32, 13, 5), "name",
                          lml_test_concat_part(K_STRING, 13, 5));
    lml_frame *e = frame3("NAME", lml_test_concat_part(K_STRING, 0, 0), "iD", lml_test_concat_part(K_INT32, 0, 0), "V",
                          lml_test_concat_part(K_DOUBLE, 0, 0));
    lml_error err = {0};
    lml_frame *u = lml_frame_union_by_name((const lml_frame *const[]){a, e, b}, 3, &err);
    cr_assert_not_null(u, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(u), 18);
    cr_assert_eq(lml_frame_num_cols(u), 3);
    cr_assert_str_eq(lml_frame_column_name(u, 0), "id");
    cr_assert_str_eq(lml_frame_column_name(u, 1), "Name");
    cr_assert_str_eq(lml_frame_column_name(u, 2), "v");
    cr_assert_str_eq(lml_frame_column_metadata(u, 2), "{\"ml_attr\":{\"type\":\"numeric\"}}");
    /* column j of the union against the same-named column of a (rows 0..4) and b (rows 5..17) */
    for (size_t j = 0; j < 3; j++) {
        const char *name = lml_frame_column_name(u, j);
        const lml_column *uc = lml_frame_column(u, j);
        const lml_column *ac = lml_frame_column_by_name(a, name, NULL), *bc = lml_frame_column_by_name(b, name, NULL);
        cr_assert_eq(lml_column_type(uc), lml_column_type(ac));
        for (size_t r = 0; r < 18; r++) {
            char want[128], got[128];
            lml_format_value(r < 5 ? ac : bc, r < 5 ? r : r - 5, want, sizeof want);
            lml_format_value(uc, r, got, sizeof got);
            cr_assert_str_eq(got, want, "column %s row %zu", name, r);
        }
    }
    cr_assert_eq(lml_column_int32s(lml_frame_column(u, 0))[17], 17 * 7 - 50);
    size_t len;
    cr_assert_eq(strncmp(lml_column_string_at(lml_frame_column(u, 1), 7, &len), "s7", 2), 0);
    cr_assert_eq(len, 2);
    cr_assert_eq(lml_column_null_count(lml_frame_column(u, 2)), 8);
    lml_frame_free(u);
    lml_frame_free(a);
    lml_frame_free(b);
    lml_frame_free(e);
}

Test(frame_concat, union_by_name_names_a_missing_or_extra_column_and_the_frame)
{
    lml_frame *a = frame3("id", lml_test_concat_part(K_INT32, 2, 0), "v", lml_test_concat_part(K_DOUBLE, 2, 0), NULL, NULL);
    lml_frame *missing = frame3("id", lml_test_concat_part(K_INT32, 2, 0), "w", lml_test_concat_part(K_DOUBLE, 2, 0), NULL, NULL);
    lml_frame *extra = frame3("v", lml_test_concat_part(K_DOUBLE, 2, 0), "id", lml_test_concat_part(K_INT32, 2, 0), "extra",
                              lml_test_concat_part(K_STRING, 2, 0));
    lml_error err = {0};
    cr_assert_null(lml_frame_union_by_name((const lml_frame *const[]){a, a, missing}, 3, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "frame 2") && strstr(err.message, "'v'"), "%s", err.message);
    cr_assert_null(lml_frame_union_by_name((const lml_frame *const[]){a, extra}, 2, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "frame 1") && strstr(err.message, "'extra'"), "%s", err.message);
    /* the other way round, the column frame 1 lacks is frame 0's */
    cr_assert_null(lml_frame_union_by_name((const lml_frame *const[]){extra, a}, 2, &err));
    cr_assert(strstr(err.message, "frame 1") && strstr(err.message, "'extra'"), "%s", err.message);
    cr_assert_null(lml_frame_union_by_name((const lml_frame *const[]){a}, 0, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_null(lml_frame_union_by_name((const lml_frame *const[]){a, NULL}, 2, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    lml_frame_free(a);
    lml_frame_free(missing);
    lml_frame_free(extra);
}

Test(frame_concat, union_by_name_of_one_frame_shares_it)
{
    lml_frame *a = frame3("id", lml_test_concat_part(K_INT32, 2, 0), "v", lml_test_concat_part(K_DOUBLE, 2, 0), NULL, NULL);
    lml_error err = {0};
    lml_frame *u = lml_frame_union_by_name((const lml_frame *const[]){a}, 1, &err);
    cr_assert_eq(u, a, "%s", err.message);
    lml_frame_free(u);
    cr_assert_eq(lml_frame_num_rows(a), 2);
    lml_frame_free(a);
}

Test(frame_concat, union_by_name_type_mismatch_names_column_and_types)
{
    lml_frame *a = frame3("id", lml_test_concat_part(K_INT32, 2, 0), "v", lml_test_concat_part(K_DOUBLE, 2, 0), NULL, NULL);
    lml_frame *b = frame3("ID", lml_test_concat_part(K_INT32, 2, 0), "V", lml_test_concat_part(K_STRING, 2, 0), NULL, NULL);
    lml_error err = {0};
    cr_assert_null(lml_frame_union_by_name((const lml_frame *const[]){a, b}, 2, &err));
    cr_assert_eq(err.code, LML_ETYPE);
    cr_assert(strstr(err.message, "'v'") && strstr(err.message, "frame 1 it is string") &&
              strstr(err.message, "frame 0 is double"), "%s", err.message);
    lml_frame_free(a);
    lml_frame_free(b);
}

/* The Delta scan's case: one frame per data file, many of them tiny. */
Test(frame_concat, thousand_one_row_frames_equal_one_frame_of_a_thousand_rows)
{
    enum { N = 1000 };
    lml_column_builder *ib = lml_column_builder_new(LML_INT64, N, NULL);
    lml_column_builder *sb = lml_column_builder_new(LML_STRING, N, NULL);
    lml_column_builder *bb = lml_column_builder_new(LML_BOOL, N, NULL);
    double *dv = malloc(N * 2 * sizeof *dv);
    for (int i = 0; i < N; i++) {
        char s[32];
        snprintf(s, sizeof s, "row-%d", i * 37 % 1001);
        i % 7 == 3 ? lml_column_builder_append_null(ib, NULL) : lml_column_builder_append_int64(ib, (int64_t)i * i - 5, NULL);
        i % 5 == 1 ? lml_column_builder_append_null(sb, NULL) : lml_column_builder_append_string(sb, s, strlen(s), NULL);
        i % 3 == 2 ? lml_column_builder_append_null(bb, NULL) : lml_column_builder_append_bool(bb, i % 2, NULL);
        dv[2 * i] = i, dv[2 * i + 1] = -i;
    }
    lml_column *cols[5] = {lml_column_builder_finish(ib, NULL), lml_column_builder_finish(sb, NULL),
                           lml_column_builder_finish(bb, NULL), lml_column_vector_from_dense(dv, N, 2, NULL),
                           NULL};
    free(dv);
    /* a list column (with junk behind its null rows): 8 parts of 125 rows, concatenated */
    lml_column *lp[8];
    for (int p = 0; p < 8; p++)
        lp[p] = lml_test_concat_list_of_strings(N / 8, (size_t)p * (N / 8), true);
    lml_error err = {0};
    cols[4] = lml_column_concat((const lml_column *const *)lp, 8, &err);
    cr_assert_not_null(cols[4], "%s", err.message);
    for (int p = 0; p < 8; p++)
        lml_column_free(lp[p]);
    lml_frame *whole = lml_frame_new(5, (const char *[]){"id", "s", "b", "vec", "tags"}, cols, &err);
    cr_assert_not_null(whole, "%s", err.message);
    for (int c = 0; c < 5; c++)
        lml_column_free(cols[c]);

    lml_frame **rows = malloc(N * sizeof *rows);
    for (size_t i = 0; i < N; i++) {
        rows[i] = lml_frame_slice(whole, i, 1, &err);
        cr_assert_not_null(rows[i], "%s", err.message);
    }
    lml_frame *u = lml_frame_union_by_name((const lml_frame *const *)rows, N, &err);
    cr_assert_not_null(u, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(u), N);
    for (size_t c = 0; c < 5; c++) {
        const lml_column *a = lml_frame_column(whole, c), *b = lml_frame_column(u, c);
        cr_assert_eq(lml_column_null_count(a), lml_column_null_count(b), "column %zu", c);
        if (lml_column_validity(a))
            cr_assert(memcmp(lml_column_validity(a), lml_column_validity(b), N / 8) == 0, "column %zu validity", c);
        for (size_t r = 0; r < N; r++) {
            char want[128], got[128];
            lml_format_value(a, r, want, sizeof want);
            lml_format_value(b, r, got, sizeof got);
            cr_assert_str_eq(got, want, "column %zu row %zu", c, r);
        }
    }
    cr_assert(memcmp(lml_column_string_offsets(lml_frame_column(whole, 1)), lml_column_string_offsets(lml_frame_column(u, 1)),
                     (N + 1) * sizeof(int32_t)) == 0);
    lml_frame_free(u);
    for (size_t i = 0; i < N; i++)
        lml_frame_free(rows[i]);
    free(rows);
    lml_frame_free(whole);
}

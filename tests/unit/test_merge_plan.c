/* MERGE's row-level engine (src/delta/merge_plan.c): small frames whose outcome is worked out by
 * hand in each test's comment, plus a 3M × 185k timing run whose time is printed, not asserted. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lakeml/threads.h"
#include "merge_plan_support.h"

/* ---------------------------------------------------------------- one clause kind at a time */

Test(merge_plan, matched_update_sets_assigned_columns_and_keeps_the_rest)
{
    /* Source 2 and 4: only target row 1 (id 2) matches; amount = 25 + 1, name stays b. */
    lml_frame *t = target3(), *s = source_of(2, (int64_t[]){2, 4}, (const char *[]){"x", "y"}, (double[]){25, 40});
    lml_merge_spec spec = make_spec("t.id = s.id", CLAUSES(MATCHED_UPDATE(NULL, "amount", "s.amount + 1")), false);
    lml_merge_outcome o;
    run_ok(&spec, t, s, &o);
    cr_assert_str_eq(actions(&o, 3), "KUK");
    counters_are(&o, 1, 0, 0, 0, 0);
    cr_assert_eq(o.num_source_rows, 2);
    cr_assert_str_eq(row_text(o.updated, 0), "2|b|26.0");
    cr_assert_eq(o.updated_rows[0], 1);
    cr_assert_eq(lml_frame_num_cols(o.schema), 3);
    cr_assert_eq(lml_frame_num_rows(o.schema), 0);
    merge_done(&o, &spec, t, s);
}

Test(merge_plan, matched_delete_removes_only_matched_rows)
{
    lml_frame *t = target3(), *s = source_of(2, (int64_t[]){3, 1}, (const char *[]){"x", "y"}, (double[]){0, 0});
    lml_merge_spec spec = make_spec("t.id = s.id", CLAUSES(MATCHED_DELETE(NULL)), false);
    lml_merge_outcome o;
    run_ok(&spec, t, s, &o);
    cr_assert_str_eq(actions(&o, 3), "DKD");
    counters_are(&o, 0, 2, 0, 0, 0);
    merge_done(&o, &spec, t, s);
}

Test(merge_plan, insert_with_columns_leaves_unspecified_columns_null)
{
    /* Source ids 5, 2, 7: 2 matches, 5 and 7 are inserted in source order; name is not given. */
    lml_frame *t = target3(),
              *s = source_of(3, (int64_t[]){5, 2, 7}, (const char *[]){"e", "b", "g"}, (double[]){1.5, 2, 3});
    lml_merge_spec spec = make_spec("t.id = s.id", CLAUSES(INSERT(NULL, "id", "s.id", "amount", "s.amount * 2")), false);
    lml_merge_outcome o;
    run_ok(&spec, t, s, &o);
    cr_assert_str_eq(actions(&o, 3), "KKK");
    counters_are(&o, 0, 0, 0, 0, 2);
    cr_assert_str_eq(row_text(o.inserted, 0), "5|NULL|3.0");
    cr_assert_str_eq(row_text(o.inserted, 1), "7|NULL|6.0");
    merge_done(&o, &spec, t, s);
}

Test(merge_plan, not_matched_by_source_update_and_delete_follow_their_conditions)
{
    /* Source matches id 1 only; unmatched targets 2 (amount 20) and 3 (amount 30): amount > 25 is
     * deleted, the other gets name 'gone'. */
    lml_frame *t = target3(), *s = source_of(1, (int64_t[]){1}, (const char *[]){"x"}, (double[]){0});
    lml_merge_spec spec = make_spec("t.id = s.id", CLAUSES(BY_SOURCE_DELETE("t.amount > 25"),
                                                           BY_SOURCE_UPDATE(NULL, "name", "'gone'")), false);
    lml_merge_outcome o;
    run_ok(&spec, t, s, &o);
    cr_assert_str_eq(actions(&o, 3), "KUD");
    counters_are(&o, 0, 0, 1, 1, 0);
    cr_assert_str_eq(row_text(o.updated, 0), "2|gone|20.0");
    cr_assert_eq(o.updated_rows[0], 1);
    merge_done(&o, &spec, t, s);
}

/* ---------------------------------------------------------------- combinations and ordering */

Test(merge_plan, upsert_with_star_clauses_matches_source_columns_by_name_ignoring_case)
{
    /* Source columns in another order and case: AMOUNT, Id, NAME. */
    lml_frame *t = target3();
    lml_frame *s = frame_of(3, (const char *[]){"AMOUNT", "Id", "NAME"},
                            (lml_column *[]){col_f64(3, (double[]){99, 33, 44}, NULL),
                                             col_i64(3, (int64_t[]){9, 3, 4}, NULL),
                                             col_str(3, (const char *[]){"i", "cc", "d"})});
    lml_merge_spec spec = make_spec("t.id = s.id", CLAUSES(MATCHED_UPDATE_ALL(NULL), INSERT_ALL(NULL)), false);
    lml_merge_outcome o;
    run_ok(&spec, t, s, &o);
    cr_assert_str_eq(actions(&o, 3), "KKU");
    counters_are(&o, 1, 0, 0, 0, 2);
    cr_assert_str_eq(lml_frame_column_name(o.schema, 0), "id"); /* the target's names and order */
    cr_assert_str_eq(row_text(o.updated, 0), "3|cc|33.0");
    cr_assert_str_eq(row_text(o.inserted, 0), "9|i|99.0");
    cr_assert_str_eq(row_text(o.inserted, 1), "4|d|44.0");
    merge_done(&o, &spec, t, s);
}

Test(merge_plan, first_clause_whose_condition_holds_fires)
{
    /* Matches: id 1 (s.amount 500), id 2 (s.amount 5), id 3 (s.amount 50). Clause 1 deletes when
     * s.amount > 100 (id 1); clause 2 updates when s.amount > 10 (id 3; id 1 would also qualify but
     * clause 1 came first); clause 3 updates the rest (id 2). */
    lml_frame *t = target3(),
              *s = source_of(3, (int64_t[]){3, 2, 1}, (const char *[]){"x", "y", "z"}, (double[]){50, 5, 500});
    lml_merge_spec spec = make_spec("t.id = s.id", CLAUSES(MATCHED_DELETE("s.amount > 100"),
                                                           MATCHED_UPDATE("s.amount > 10", "name", "'big'"),
                                                           MATCHED_UPDATE(NULL, "name", "'small'")), false);
    lml_merge_outcome o;
    run_ok(&spec, t, s, &o);
    cr_assert_str_eq(actions(&o, 3), "DUU");
    counters_are(&o, 2, 1, 0, 0, 0);
    /* Updates come back in target order although two clauses wrote them. */
    cr_assert_eq(o.updated_rows[0], 1);
    cr_assert_eq(o.updated_rows[1], 2);
    cr_assert_str_eq(row_text(o.updated, 0), "2|small|20.0");
    cr_assert_str_eq(row_text(o.updated, 1), "3|big|30.0");
    merge_done(&o, &spec, t, s);
}

Test(merge_plan, all_clause_kinds_together_in_target_and_source_order)
{
    /* Target 1..3; source 3 (update), 8 (insert 'hi' as amount > 5), 1 (delete via op), 6 (insert
     * 'lo'). Target 2 is unmatched: BY SOURCE sets amount 0. Inserts in source order: 8 then 6. */
    lml_frame *t = target3();
    lml_frame *s = frame_of(4, (const char *[]){"id", "name", "amount", "op"},
                            (lml_column *[]){col_i64(4, (int64_t[]){3, 8, 1, 6}, NULL),
                                             col_str(4, (const char *[]){"c2", "h", "a2", "f"}),
                                             col_f64(4, (double[]){31, 8, 11, 1}, NULL),
                                             col_str(4, (const char *[]){"u", "c", "d", "c"})});
    lml_merge_spec spec = make_spec(
        "t.id = s.id",
        CLAUSES(MATCHED_DELETE("s.op = 'd'"), MATCHED_UPDATE(NULL, "name", "s.name", "amount", "s.amount"),
                INSERT("s.amount > 5", "id", "s.id", "name", "'hi'"), INSERT(NULL, "id", "s.id", "name", "'lo'"),
                BY_SOURCE_UPDATE(NULL, "amount", "0")),
        false);
    lml_merge_outcome o;
    run_ok(&spec, t, s, &o);
    cr_assert_str_eq(actions(&o, 3), "DUU");
    counters_are(&o, 1, 1, 1, 0, 2);
    cr_assert_eq(o.updated_rows[0], 1);
    cr_assert_eq(o.updated_rows[1], 2);
    cr_assert_str_eq(row_text(o.updated, 0), "2|b|0.0"); /* 0 (an int) cast to double */
    cr_assert_str_eq(row_text(o.updated, 1), "3|c2|31.0");
    cr_assert_str_eq(row_text(o.inserted, 0), "8|hi|NULL");
    cr_assert_str_eq(row_text(o.inserted, 1), "6|lo|NULL");
    merge_done(&o, &spec, t, s);
}

/* ---------------------------------------------------------------- several source rows per target row */

Test(merge_plan, two_source_rows_updating_one_target_row_is_deltas_error)
{
    lml_frame *t = target3(), *s = source_of(3, (int64_t[]){9, 2, 2}, (const char *[]){"x", "y", "z"}, (double[]){1, 2, 3});
    lml_merge_spec spec = make_spec("t.id = s.id", CLAUSES(MATCHED_UPDATE_ALL(NULL)), false);
    fails_with(&spec, t, s, LML_EINVAL, "[DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE] Cannot perform Merge");
    fails_with(&spec, t, s, LML_EINVAL, "(source rows 1 and 2)");
    lml_merge_spec_clear(&spec);
    /* A conditional DELETE is not the exception: it fires for one of the pairs. */
    spec = make_spec("t.id = s.id", CLAUSES(MATCHED_DELETE("s.amount > 2")), false);
    fails_with(&spec, t, s, LML_EINVAL, "DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE");
    lml_merge_spec_clear(&spec);
    lml_frame_free(t);
    lml_frame_free(s);
}

Test(merge_plan, lone_unconditional_delete_accepts_several_matches)
{
    lml_frame *t = target3(), *s = source_of(3, (int64_t[]){2, 3, 2}, (const char *[]){"x", "y", "z"}, (double[]){1, 2, 3});
    lml_merge_spec spec = make_spec("t.id = s.id", CLAUSES(MATCHED_DELETE(NULL), INSERT_ALL(NULL)), false);
    lml_merge_outcome o;
    run_ok(&spec, t, s, &o);
    cr_assert_str_eq(actions(&o, 3), "KDD");
    counters_are(&o, 0, 2, 0, 0, 0); /* target rows, not pairs */
    merge_done(&o, &spec, t, s);
}

Test(merge_plan, several_matches_that_no_clause_acts_on_are_not_an_error)
{
    /* Both source rows for id 2 fail the clause condition: the row is not modified (delta.md
     * §10.3: the error is raised when a MATCHED clause would modify the row). */
    lml_frame *t = target3(), *s = source_of(2, (int64_t[]){2, 2}, (const char *[]){"x", "y"}, (double[]){1, 2});
    lml_merge_spec spec = make_spec("t.id = s.id", CLAUSES(MATCHED_UPDATE("s.amount > 5", "name", "s.name")), false);
    lml_merge_outcome o;
    run_ok(&spec, t, s, &o);
    cr_assert_str_eq(actions(&o, 3), "KKK");
    counters_are(&o, 0, 0, 0, 0, 0);
    merge_done(&o, &spec, t, s);
}

/* ---------------------------------------------------------------- keys */

Test(merge_plan, null_keys_never_match)
{
    /* Target row 1 and source row 0 have NULL ids: the source row is inserted, the target row is
     * unmatched (BY SOURCE deletes it). Target row 3 has id 0, the value a NULL slot holds: it must
     * not meet the NULL source key either. */
    lml_frame *t = frame_of(2, (const char *[]){"id", "name"},
                            (lml_column *[]){col_i64(4, (int64_t[]){1, 0, 3, 0}, ".n.."),
                                             col_str(4, (const char *[]){"a", "b", "c", "d"})});
    lml_frame *s = frame_of(2, (const char *[]){"id", "name"},
                            (lml_column *[]){col_i64(2, (int64_t[]){0, 3}, "n."), col_str(2, (const char *[]){"x", "y"})});
    lml_merge_spec spec = make_spec("t.id = s.id", CLAUSES(MATCHED_UPDATE_ALL(NULL), INSERT_ALL(NULL),
                                                           BY_SOURCE_DELETE("t.id IS NULL")), false);
    lml_merge_outcome o;
    run_ok(&spec, t, s, &o);
    cr_assert_str_eq(actions(&o, 4), "KDUK");
    counters_are(&o, 1, 0, 0, 1, 1);
    cr_assert_str_eq(row_text(o.updated, 0), "3|y");
    cr_assert_str_eq(row_text(o.inserted, 0), "NULL|x");
    merge_done(&o, &spec, t, s);
}

Test(merge_plan, duplicated_source_keys_match_in_source_order)
{
    /* 60000 source rows, ids alternating 1 and 7: target id 1 meets source rows 0, 2, 4, … The lone
     * unconditional DELETE takes them all; an UPDATE names the first two in the error. */
    const size_t ns = 60000;
    int64_t *id = malloc(ns * sizeof *id);
    double *amount = malloc(ns * sizeof *amount);
    const char **name = malloc(ns * sizeof *name);
    for (size_t i = 0; i < ns; i++) {
        id[i] = i % 2 ? 7 : 1;
        amount[i] = (double)i;
        name[i] = "x";
    }
    lml_frame *t = target3(), *s = source_of(ns, id, name, amount);
    lml_merge_spec spec = make_spec("t.id = s.id", CLAUSES(MATCHED_DELETE(NULL), INSERT_ALL("s.amount < 4")), false);
    lml_merge_outcome o;
    run_ok(&spec, t, s, &o);
    cr_assert_str_eq(actions(&o, 3), "DKK");
    counters_are(&o, 0, 1, 0, 0, 2); /* source rows 1 and 3 (id 7) are inserted */
    cr_assert_str_eq(row_text(o.inserted, 0), "7|x|1.0");
    cr_assert_str_eq(row_text(o.inserted, 1), "7|x|3.0");
    lml_merge_outcome_clear(&o);
    lml_merge_spec_clear(&spec);
    spec = make_spec("t.id = s.id", CLAUSES(MATCHED_UPDATE("s.amount = 59998", "name", "'y'")), false);
    fails_with(&spec, t, s, LML_EINVAL, "(source rows 0 and 2)");
    lml_merge_spec_clear(&spec);
    lml_frame_free(t);
    lml_frame_free(s);
    free(id);
    free(amount);
    free(name);
}

Test(merge_plan, integer_keys_of_different_widths_and_doubles_compare_by_value)
{
    /* Target long ids 1, -5, 4294967297 (2^32 + 1); source int ids -5, 1 (2^32 + 1 must not match 1
     * by truncation). A second merge joins the long ids with doubles -5.0 and -0.0 vs 0. */
    lml_frame *t = frame_of(1, (const char *[]){"id"},
                            (lml_column *[]){col_i64(4, (int64_t[]){1, -5, INT64_C(4294967297), 0}, NULL)});
    lml_frame *s = frame_of(1, (const char *[]){"k"}, (lml_column *[]){col_i32(2, (int32_t[]){-5, 1}, NULL)});
    lml_merge_spec spec = make_spec("t.id = s.k", CLAUSES(MATCHED_DELETE(NULL)), false);
    lml_merge_outcome o;
    run_ok(&spec, t, s, &o);
    cr_assert_str_eq(actions(&o, 4), "DDKK");
    lml_merge_outcome_clear(&o);
    lml_merge_spec_clear(&spec);
    lml_frame *d = frame_of(1, (const char *[]){"k"}, (lml_column *[]){col_f64(2, (double[]){-0.0, -5.0}, NULL)});
    spec = make_spec("s.k = t.id", CLAUSES(MATCHED_DELETE(NULL)), false); /* source side first */
    run_ok(&spec, t, d, &o);
    cr_assert_str_eq(actions(&o, 4), "KDKD");
    merge_done(&o, &spec, t, s);
    lml_frame_free(d);
}

Test(merge_plan, composite_string_and_date_keys_with_a_residual_conjunct)
{
    /* Keys (name, day); the residual s.v > 0 rejects the pair of target row 2. Unqualified `v` is
     * the source's (the target has no v). */
    lml_frame *t = frame_of(3, (const char *[]){"name", "day", "amount"},
                            (lml_column *[]){col_str(3, (const char *[]){"a", "a", "b"}),
                                             col_date(3, (int32_t[]){100, 101, 100}),
                                             col_f64(3, (double[]){1, 2, 3}, NULL)});
    lml_frame *s = frame_of(3, (const char *[]){"name", "day", "v"},
                            (lml_column *[]){col_str(3, (const char *[]){"b", "a", "a"}),
                                             col_date(3, (int32_t[]){100, 101, 100}),
                                             col_f64(3, (double[]){-1, 7, 8}, NULL)});
    lml_merge_spec spec = make_spec("t.name = s.name AND s.day = t.day AND v > 0",
                                    CLAUSES(MATCHED_UPDATE(NULL, "amount", "s.v"), INSERT_ALL(NULL)), true);
    lml_merge_outcome o;
    run_ok(&spec, t, s, &o);
    cr_assert_str_eq(actions(&o, 3), "UUK");
    /* With schema evolution INSERT * adds v; the updated rows get NULL there (not assigned). */
    cr_assert_eq(lml_frame_num_cols(o.schema), 4);
    cr_assert_str_eq(row_text(o.updated, 0), "a|1970-04-11|8.0|NULL");
    cr_assert_str_eq(row_text(o.updated, 1), "a|1970-04-12|7.0|NULL");
    cr_assert_str_eq(row_text(o.inserted, 0), "b|1970-04-11|NULL|-1.0");
    merge_done(&o, &spec, t, s);
}

Test(merge_plan, condition_without_equality_joins_by_nested_loop)
{
    /* t.id + 1 = s.id is no column equality: pairs (t 1, s 2) and (t 2, s 3); or the OR below. */
    lml_frame *t = target3(), *s = source_of(2, (int64_t[]){3, 2}, (const char *[]){"x", "y"}, (double[]){0, 0});
    lml_merge_spec spec = make_spec("t.id + 1 = s.id", CLAUSES(MATCHED_UPDATE(NULL, "name", "s.name"),
                                                               INSERT_ALL(NULL)), false);
    lml_merge_outcome o;
    run_ok(&spec, t, s, &o);
    cr_assert_str_eq(actions(&o, 3), "UUK");
    cr_assert_str_eq(row_text(o.updated, 0), "1|y|10.0");
    cr_assert_str_eq(row_text(o.updated, 1), "2|x|20.0");
    counters_are(&o, 2, 0, 0, 0, 0);
    lml_merge_outcome_clear(&o);
    lml_merge_spec_clear(&spec);
    spec = make_spec("t.id = s.id OR t.amount = 30", CLAUSES(MATCHED_DELETE(NULL)), false);
    run_ok(&spec, t, s, &o);
    cr_assert_str_eq(actions(&o, 3), "KDD");
    merge_done(&o, &spec, t, s);
}

/* ---------------------------------------------------------------- schema and types */

Test(merge_plan, schema_evolution_appends_new_source_columns)
{
    /* Source adds `note`: UPDATE * writes it into the updated row, INSERT * into the new one; the
     * kept row 0 is untouched (merge.c fills NULL there). Without evolution the extra column is
     * ignored. */
    lml_frame *t = target3();
    lml_frame *s = frame_of(4, (const char *[]){"id", "note", "name", "amount"},
                            (lml_column *[]){col_i64(2, (int64_t[]){2, 5}, NULL),
                                             col_str(2, (const char *[]){"n2", "n5"}),
                                             col_str(2, (const char *[]){"bb", "e"}),
                                             col_f64(2, (double[]){21, 50}, NULL)});
    lml_merge_spec spec = make_spec("t.id = s.id", CLAUSES(MATCHED_UPDATE_ALL(NULL), INSERT_ALL(NULL)), true);
    lml_merge_outcome o;
    run_ok(&spec, t, s, &o);
    cr_assert_eq(lml_frame_num_cols(o.schema), 4);
    cr_assert_str_eq(lml_frame_column_name(o.schema, 3), "note");
    cr_assert_eq(lml_column_type(lml_frame_column(o.schema, 3)), LML_STRING);
    cr_assert_str_eq(row_text(o.updated, 0), "2|bb|21.0|n2");
    cr_assert_str_eq(row_text(o.inserted, 0), "5|e|50.0|n5");
    lml_merge_outcome_clear(&o);
    lml_merge_spec_clear(&spec);
    spec = make_spec("t.id = s.id", CLAUSES(MATCHED_UPDATE_ALL(NULL), INSERT_ALL(NULL)), false);
    run_ok(&spec, t, s, &o);
    cr_assert_eq(lml_frame_num_cols(o.schema), 3);
    cr_assert_str_eq(row_text(o.updated, 0), "2|bb|21.0");
    cr_assert_str_eq(row_text(o.inserted, 0), "5|e|50.0");
    merge_done(&o, &spec, t, s);
}

Test(merge_plan, star_clauses_need_every_target_column_unless_evolving)
{
    /* The source lacks `name`. Without evolution: an error naming it. With evolution UPDATE *
     * keeps the target's name, INSERT * leaves it NULL. */
    lml_frame *t = target3();
    lml_frame *s = frame_of(2, (const char *[]){"id", "amount"},
                            (lml_column *[]){col_i64(2, (int64_t[]){3, 4}, NULL), col_f64(2, (double[]){3.5, 4.5}, NULL)});
    lml_merge_spec spec = make_spec("t.id = s.id", CLAUSES(MATCHED_UPDATE_ALL(NULL), INSERT_ALL(NULL)), false);
    fails_with(&spec, t, s, LML_EINVAL, "no column 'name'");
    lml_merge_spec_clear(&spec);
    spec = make_spec("t.id = s.id", CLAUSES(MATCHED_UPDATE_ALL(NULL), INSERT_ALL(NULL)), true);
    lml_merge_outcome o;
    run_ok(&spec, t, s, &o);
    cr_assert_eq(lml_frame_num_cols(o.schema), 3);
    cr_assert_str_eq(row_text(o.updated, 0), "3|c|3.5");
    cr_assert_str_eq(row_text(o.inserted, 0), "4|NULL|4.5");
    merge_done(&o, &spec, t, s);
}

Test(merge_plan, assigned_values_are_cast_to_the_target_types)
{
    /* Source amount is an int and id a string: UPDATE * casts 7 to 7.0; the string '12' becomes
     * long 12 in an INSERT, 'x' (no number) becomes NULL as Spark's cast does, NULL literals fit any
     * column. */
    lml_frame *t = target3();
    lml_frame *s = frame_of(3, (const char *[]){"id", "name", "amount"},
                            (lml_column *[]){col_i64(3, (int64_t[]){1, 5, 6}, NULL),
                                             col_str(3, (const char *[]){"12", "x", "q"}),
                                             col_i32(3, (int32_t[]){7, 8, 9}, NULL)});
    lml_merge_spec spec = make_spec(
        "t.id = s.id",
        CLAUSES(MATCHED_UPDATE_ALL(NULL), INSERT("s.id = 5", "id", "s.name", "name", "NULL", "amount", "s.amount"),
                INSERT(NULL, "id", "s.name", "amount", "NULL")),
        false);
    lml_merge_outcome o;
    run_ok(&spec, t, s, &o);
    cr_assert_str_eq(row_text(o.updated, 0), "1|12|7.0");
    cr_assert_eq(lml_column_type(lml_frame_column(o.inserted, 0)), LML_INT64);
    cr_assert_eq(lml_column_type(lml_frame_column(o.inserted, 2)), LML_DOUBLE);
    cr_assert_str_eq(row_text(o.inserted, 0), "NULL|NULL|8.0");
    cr_assert_str_eq(row_text(o.inserted, 1), "NULL|NULL|NULL");
    lml_merge_outcome_clear(&o);
    lml_merge_spec_clear(&spec);
    /* An integer cannot become a date: LML_ETYPE naming the column, before any row is read. */
    lml_frame *td = frame_of(2, (const char *[]){"id", "day"},
                             (lml_column *[]){col_i64(1, (int64_t[]){1}, NULL), col_date(1, (int32_t[]){3})});
    spec = make_spec("t.id = s.id", CLAUSES(MATCHED_UPDATE(NULL, "t.day", "s.amount")), false);
    fails_with(&spec, td, s, LML_ETYPE, "column 'day'");
    lml_merge_spec_clear(&spec);
    /* the string '12' cast for an INSERT id: 12 */
    spec = make_spec("t.id = s.id", CLAUSES(INSERT("s.id = 1", "id", "s.name")), false);
    lml_frame *s2 = frame_of(3, (const char *[]){"id", "name", "amount"},
                             (lml_column *[]){col_i64(1, (int64_t[]){1}, NULL), col_str(1, (const char *[]){"12"}),
                                              col_i32(1, (int32_t[]){0}, NULL)});
    lml_frame *t0 = lml_frame_head(t, 0, NULL);
    run_ok(&spec, t0, s2, &o);
    cr_assert_str_eq(row_text(o.inserted, 0), "12|NULL|NULL");
    lml_merge_outcome_clear(&o);
    lml_merge_spec_clear(&spec);
    lml_frame_free(t0);
    lml_frame_free(s2);
    lml_frame_free(td);
    lml_frame_free(t);
    lml_frame_free(s);
}

/* ---------------------------------------------------------------- refused merges */

Test(merge_plan, clauses_referencing_the_wrong_side_are_refused)
{
    lml_frame *t = target3(), *s = frame_of(2, (const char *[]){"id", "v"},
                                            (lml_column *[]){col_i64(1, (int64_t[]){1}, NULL),
                                                             col_f64(1, (double[]){1}, NULL)});
    lml_merge_spec spec = make_spec("t.id = s.id", CLAUSES(INSERT("t.amount > 0", "id", "s.id")), false);
    fails_with(&spec, t, s, LML_EINVAL, "may only reference source columns, but its condition references target column 't.amount'");
    lml_merge_spec_clear(&spec);
    spec = make_spec("t.id = s.id", CLAUSES(INSERT(NULL, "id", "s.id", "name", "name")), false);
    fails_with(&spec, t, s, LML_EINVAL, "target column 'name'"); /* unqualified, only the target has it */
    lml_merge_spec_clear(&spec);
    spec = make_spec("t.id = s.id", CLAUSES(BY_SOURCE_UPDATE(NULL, "amount", "s.v")), false);
    fails_with(&spec, t, s, LML_EINVAL, "WHEN NOT MATCHED BY SOURCE clause may only reference target columns");
    lml_merge_spec_clear(&spec);
    spec = make_spec("t.id = s.id", CLAUSES(BY_SOURCE_DELETE("v > 1")), false);
    fails_with(&spec, t, s, LML_EINVAL, "source column 'v'");
    lml_merge_spec_clear(&spec);
    lml_frame_free(t);
    lml_frame_free(s);
}

Test(merge_plan, bad_clauses_are_refused_before_reading_rows)
{
    lml_frame *t = target3(), *s = source_of(1, (int64_t[]){1}, (const char *[]){"x"}, (double[]){1});
    lml_merge_spec spec = make_spec("t.id = s.id", CLAUSES(MATCHED_DELETE(NULL), MATCHED_UPDATE_ALL("s.id > 0")), false);
    fails_with(&spec, t, s, LML_EINVAL, "only the last one may omit its condition");
    lml_merge_spec_clear(&spec);
    spec = make_spec("t.id = s.id", CLAUSES(MATCHED_UPDATE(NULL, "nope", "1")), false);
    fails_with(&spec, t, s, LML_ENOTFOUND, "'nope' is not a column of the target table");
    lml_merge_spec_clear(&spec);
    spec = make_spec("t.id = s.id", CLAUSES(MATCHED_UPDATE(NULL, "name", "'a'", "NAME", "'b'")), false);
    fails_with(&spec, t, s, LML_EINVAL, "assigns column 'name' more than once");
    lml_merge_spec_clear(&spec);
    spec = make_spec("t.id = s.id", CLAUSES(MATCHED_UPDATE("s.amount", "name", "'a'")), false);
    fails_with(&spec, t, s, LML_ETYPE, "not boolean");
    lml_merge_spec_clear(&spec);
    lml_frame_free(t);
    lml_frame_free(s);
}

/* ---------------------------------------------------------------- scale */

/* 3M target rows, 185k source rows of which 150k update and 35k insert: the benchmark's shape.
 * The time is printed (it depends on the machine and the build); the outcome is asserted. */
Test(merge_plan, three_million_by_185k_upsert, .timeout = 240)
{
    const size_t nt = 3000000, ns = 185000, nup = 150000;
    int64_t *tid = malloc(nt * sizeof *tid), *sid = malloc(ns * sizeof *sid);
    double *tam = malloc(nt * sizeof *tam), *sam = malloc(ns * sizeof *sam);
    for (size_t i = 0; i < nt; i++) {
        tid[i] = (int64_t)((i * 2654435761u) % nt); /* a permutation of 0 … nt-1 */
        tam[i] = (double)i;
    }
    for (size_t k = 0; k < ns; k++) {
        sid[k] = k < nup ? (int64_t)(k * 19) : (int64_t)(nt + k); /* 19 k < nt: existing ids */
        sam[k] = -(double)k;
    }
    lml_frame *t = frame_of(2, (const char *[]){"id", "amount"},
                            (lml_column *[]){col_i64(nt, tid, NULL), col_f64(nt, tam, NULL)});
    lml_frame *s = frame_of(2, (const char *[]){"id", "amount"},
                            (lml_column *[]){col_i64(ns, sid, NULL), col_f64(ns, sam, NULL)});
    lml_merge_spec spec = make_spec("t.id = s.id", CLAUSES(MATCHED_UPDATE_ALL(NULL), INSERT_ALL(NULL)), false);
    lml_merge_outcome o;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    run_ok(&spec, t, s, &o);
    clock_gettime(CLOCK_MONOTONIC, &b);
    fprintf(stderr, "merge_plan: 3M x 185k upsert in %.3f s\n",
            (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
    counters_are(&o, (int64_t)nup, 0, 0, 0, (int64_t)(ns - nup));
    /* Every updated row carries its source amount: target id 19k gets -k. */
    const int64_t *uid = lml_column_int64s(lml_frame_column(o.updated, 0));
    const double *uam = lml_column_doubles(lml_frame_column(o.updated, 1));
    for (size_t r = 0; r < nup; r++) {
        cr_assert_eq(uid[r], tid[o.updated_rows[r]]);
        cr_assert_eq(uam[r], -(double)(uid[r] / 19));
        cr_assert(r == 0 || o.updated_rows[r] > o.updated_rows[r - 1]);
    }
    cr_assert_eq(lml_column_int64s(lml_frame_column(o.inserted, 0))[0], (int64_t)(nt + nup));
    /* The same outcome on one thread (the probe is split into chunks run in parallel). */
    int threads = lml_get_num_threads();
    lml_set_num_threads(1);
    lml_merge_outcome one;
    run_ok(&spec, t, s, &one);
    lml_set_num_threads(threads);
    cr_assert_eq(memcmp(one.row_action, o.row_action, nt), 0);
    cr_assert_eq(memcmp(one.updated_rows, o.updated_rows, nup * sizeof *o.updated_rows), 0);
    cr_assert_eq(memcmp(lml_column_doubles(lml_frame_column(one.updated, 1)), uam, nup * sizeof *uam), 0);
    lml_merge_outcome_clear(&one);
    merge_done(&o, &spec, t, s);
    free(tid);
    free(sid);
    free(tam);
    free(sam);
}

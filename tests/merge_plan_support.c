/* Helpers of tests/unit/test_merge_plan.c: building small inputs and MERGE specs, reading the
 * outcome. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frame/internal.h"
#include "merge_plan_support.h"

/* ---------------------------------------------------------------- building inputs */

/* nulls: NULL, or one character per row, 'n' for a NULL. */
static bool is_null_at(const char *nulls, size_t i) { return nulls && nulls[i] == 'n'; }

lml_column *col_i64(size_t n, const int64_t *v, const char *nulls)
{
    lml_column_builder *b = lml_column_builder_new(LML_INT64, n, NULL);
    for (size_t i = 0; i < n; i++)
        is_null_at(nulls, i) ? lml_column_builder_append_null(b, NULL) : lml_column_builder_append_int64(b, v[i], NULL);
    return lml_column_builder_finish(b, NULL);
}

lml_column *col_i32(size_t n, const int32_t *v, const char *nulls)
{
    lml_column_builder *b = lml_column_builder_new(LML_INT32, n, NULL);
    for (size_t i = 0; i < n; i++)
        is_null_at(nulls, i) ? lml_column_builder_append_null(b, NULL) : lml_column_builder_append_int32(b, v[i], NULL);
    return lml_column_builder_finish(b, NULL);
}

lml_column *col_f64(size_t n, const double *v, const char *nulls)
{
    lml_column_builder *b = lml_column_builder_new(LML_DOUBLE, n, NULL);
    for (size_t i = 0; i < n; i++)
        is_null_at(nulls, i) ? lml_column_builder_append_null(b, NULL) : lml_column_builder_append_double(b, v[i], NULL);
    return lml_column_builder_finish(b, NULL);
}

lml_column *col_str(size_t n, const char *const *v) { return lml_column_from_strings(v, n, NULL); }

lml_column *col_date(size_t n, const int32_t *days)
{
    lml_column *c = lml_column_alloc(LML_DATE, n, 0, false, NULL);
    memcpy(c->values, days, n * sizeof *days);
    return lml_column_seal(c);
}

/* A frame of the given columns (their references are handed over). */
lml_frame *frame_of(size_t ncols, const char *const *names, lml_column **cols)
{
    lml_error err = {0};
    lml_frame *f = lml_frame_new(ncols, names, cols, &err);
    cr_assert_not_null(f, "%s", err.message);
    for (size_t i = 0; i < ncols; i++)
        lml_column_free(cols[i]);
    return f;
}

/* The target most tests use: id long, name string, amount double.
 *   row 0: 1 a 10   row 1: 2 b 20   row 2: 3 c 30 */
lml_frame *target3(void)
{
    return frame_of(3, (const char *[]){"id", "name", "amount"},
                    (lml_column *[]){col_i64(3, (int64_t[]){1, 2, 3}, NULL),
                                     col_str(3, (const char *[]){"a", "b", "c"}),
                                     col_f64(3, (double[]){10, 20, 30}, NULL)});
}

/* A source of id long, name string, amount double. */
lml_frame *source_of(size_t n, const int64_t *id, const char *const *name, const double *amount)
{
    return frame_of(3, (const char *[]){"id", "name", "amount"},
                    (lml_column *[]){col_i64(n, id, NULL), col_str(n, name), col_f64(n, amount, NULL)});
}



lml_expr *parse(const char *text)
{
    lml_error err = {0};
    lml_expr *e = lml_expr_parse(text, &err);
    cr_assert_not_null(e, "parsing %s: %s", text, err.message);
    return e;
}

lml_merge_spec make_spec(const char *cond, const clause_def *defs, size_t n, bool evolve)
{
    lml_merge_spec s = {.target_alias = "t", .source_alias = "s", .condition = parse(cond), .nclauses = n,
                        .schema_evolution = evolve};
    s.clauses = calloc(n + 1, sizeof *s.clauses);
    for (size_t c = 0; c < n; c++) {
        lml_merge_clause *cl = &s.clauses[c];
        cl->kind = defs[c].kind;
        cl->action = defs[c].action;
        cl->condition = defs[c].cond ? parse(defs[c].cond) : NULL;
        size_t k = 0;
        while (defs[c].assign && defs[c].assign[2 * k])
            k++;
        cl->nassign = k;
        cl->columns = calloc(k + 1, sizeof *cl->columns);
        cl->values = calloc(k + 1, sizeof *cl->values);
        for (size_t a = 0; a < k; a++) {
            cl->columns[a] = strdup(defs[c].assign[2 * a]);
            cl->values[a] = parse(defs[c].assign[2 * a + 1]);
        }
    }
    return s;
}



/* ---------------------------------------------------------------- reading the outcome */

/* Row i as "v0|v1|…" in show()'s formatting (NULL for nulls). */
const char *row_text(const lml_frame *f, size_t i)
{
    static char buf[512];
    size_t at = 0;
    for (size_t c = 0; c < lml_frame_num_cols(f); c++) {
        if (c)
            buf[at++] = '|';
        at += lml_format_value(lml_frame_column(f, c), i, buf + at, sizeof buf - at);
    }
    buf[at] = 0;
    return buf;
}

/* The target rows' fates as one letter each: K kept, U updated, D deleted. */
const char *actions(const lml_merge_outcome *o, size_t n)
{
    static char buf[64];
    for (size_t i = 0; i < n; i++)
        buf[i] = "KUD"[o->row_action[i]];
    buf[n] = 0;
    return buf;
}

void run_ok(const lml_merge_spec *spec, const lml_frame *t, const lml_frame *s, lml_merge_outcome *o)
{
    lml_error err = {0};
    cr_assert(lml_merge_plan_run(spec, t, s, o, &err), "merge failed: %s", err.message);
}

void counters_are(const lml_merge_outcome *o, int64_t upd, int64_t del, int64_t bs_upd, int64_t bs_del,
                         int64_t ins)
{
    cr_assert_eq(o->matched_updated, upd);
    cr_assert_eq(o->matched_deleted, del);
    cr_assert_eq(o->not_matched_by_source_updated, bs_upd);
    cr_assert_eq(o->not_matched_by_source_deleted, bs_del);
    cr_assert_eq(o->inserted_rows, ins);
    cr_assert_eq((int64_t)lml_frame_num_rows(o->updated), upd + bs_upd);
    cr_assert_eq((int64_t)lml_frame_num_rows(o->inserted), ins);
}

void fails_with(const lml_merge_spec *spec, const lml_frame *t, const lml_frame *s, lml_errcode code,
                       const char *needle)
{
    lml_error err = {0};
    lml_merge_outcome o;
    cr_assert_not(lml_merge_plan_run(spec, t, s, &o, &err), "merge should fail with %s", needle);
    cr_assert_eq(err.code, code, "code %s: %s", lml_errcode_name(err.code), err.message);
    cr_assert(strstr(err.message, needle), "message '%s' lacks '%s'", err.message, needle);
    cr_assert_null(o.schema);
    cr_assert_null(o.row_action);
}

void merge_done(lml_merge_outcome *o, lml_merge_spec *spec, lml_frame *t, lml_frame *s)
{
    lml_merge_outcome_clear(o);
    lml_merge_spec_clear(spec);
    lml_frame_free(t);
    lml_frame_free(s);
}

/* Helpers of tests/unit/test_merge_plan.c (tests/merge_plan_support.c). */
#ifndef LML_TEST_MERGE_PLAN_SUPPORT_H
#define LML_TEST_MERGE_PLAN_SUPPORT_H

#include "delta/merge_plan.h"

typedef struct clause_def {
    lml_merge_kind kind;
    lml_merge_action action;
    const char *cond;
    const char *const *assign; /* column, expression, …, NULL */
} clause_def;

/* Columns of n rows; nulls: NULL, or one character per row, 'n' for a NULL. */
lml_column *col_i64(size_t n, const int64_t *v, const char *nulls);
lml_column *col_i32(size_t n, const int32_t *v, const char *nulls);
lml_column *col_f64(size_t n, const double *v, const char *nulls);
lml_column *col_str(size_t n, const char *const *v);
lml_column *col_date(size_t n, const int32_t *days);
/* A frame of the given columns (their references are handed over). */
lml_frame *frame_of(size_t ncols, const char *const *names, lml_column **cols);
/* id long, name string, amount double: (1, a, 10), (2, b, 20), (3, c, 30). */
lml_frame *target3(void);
lml_frame *source_of(size_t n, const int64_t *id, const char *const *name, const double *amount);
/* Parses or fails the test. make_spec: aliases t and s, the clauses in order (free with
 * lml_merge_spec_clear). */
lml_expr *parse(const char *text);
lml_merge_spec make_spec(const char *cond, const clause_def *defs, size_t n, bool evolve);
/* Row i as "v0|v1|…" in show()'s formatting; the target rows' fates as K/U/D letters (static
 * buffers). */
const char *row_text(const lml_frame *f, size_t i);
const char *actions(const lml_merge_outcome *o, size_t n);
/* Runs the merge and asserts success / the counters / a failure with this code and text. */
void run_ok(const lml_merge_spec *spec, const lml_frame *t, const lml_frame *s, lml_merge_outcome *o);
void counters_are(const lml_merge_outcome *o, int64_t upd, int64_t del, int64_t bs_upd, int64_t bs_del, int64_t ins);
void fails_with(const lml_merge_spec *spec, const lml_frame *t, const lml_frame *s, lml_errcode code, const char *needle);
/* Frees the outcome, the spec and both frames at the end of a test. */
void merge_done(lml_merge_outcome *o, lml_merge_spec *spec, lml_frame *t, lml_frame *s);

/* Clause literals for make_spec: CLAUSES(MATCHED_UPDATE(cond, "col", "expr", …), …). */
#define A(...) ((const char *const[]){__VA_ARGS__, NULL})
#define MATCHED_UPDATE(cond, ...) {LML_MERGE_MATCHED, LML_MERGE_UPDATE, cond, A(__VA_ARGS__)}
#define MATCHED_UPDATE_ALL(cond) {LML_MERGE_MATCHED, LML_MERGE_UPDATE_ALL, cond, NULL}
#define MATCHED_DELETE(cond) {LML_MERGE_MATCHED, LML_MERGE_DELETE, cond, NULL}
#define INSERT(cond, ...) {LML_MERGE_NOT_MATCHED, LML_MERGE_INSERT, cond, A(__VA_ARGS__)}
#define INSERT_ALL(cond) {LML_MERGE_NOT_MATCHED, LML_MERGE_INSERT_ALL, cond, NULL}
#define BY_SOURCE_UPDATE(cond, ...) {LML_MERGE_NOT_MATCHED_BY_SOURCE, LML_MERGE_UPDATE, cond, A(__VA_ARGS__)}
#define BY_SOURCE_DELETE(cond) {LML_MERGE_NOT_MATCHED_BY_SOURCE, LML_MERGE_DELETE, cond, NULL}
#define CLAUSES(...) (const clause_def[]){__VA_ARGS__}, sizeof((const clause_def[]){__VA_ARGS__}) / sizeof(clause_def)

#endif

/* MERGE's row-level engine (delta.md §10.3), independent of files: joins the candidate target
 * rows with the source on the merge condition, applies the clauses in order and says what
 * happens to every target row and which rows are inserted. merge.c feeds it the rows of the
 * candidate files and turns its outcome into rewritten files, deletion vectors and a commit.
 * Internal header. */
#ifndef LML_DELTA_MERGE_PLAN_H
#define LML_DELTA_MERGE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lakeml/expr.h"
#include "lakeml/frame.h"

typedef enum lml_merge_kind {
    LML_MERGE_MATCHED = 0,
    LML_MERGE_NOT_MATCHED,           /* [BY TARGET] */
    LML_MERGE_NOT_MATCHED_BY_SOURCE
} lml_merge_kind;

typedef enum lml_merge_action {
    LML_MERGE_UPDATE = 0,   /* SET col = expr, … */
    LML_MERGE_UPDATE_ALL,   /* SET * */
    LML_MERGE_DELETE,
    LML_MERGE_INSERT,       /* (cols) VALUES (exprs) */
    LML_MERGE_INSERT_ALL    /* INSERT * */
} lml_merge_action;

typedef struct lml_merge_clause {
    lml_merge_kind kind;
    lml_merge_action action;
    lml_expr *condition;    /* NULL = unconditional */
    size_t nassign;         /* UPDATE / INSERT: columns and their expressions */
    char **columns;
    lml_expr **values;
} lml_merge_clause;

typedef struct lml_merge_spec {
    const char *target_alias, *source_alias; /* may be NULL */
    lml_expr *condition;
    lml_merge_clause *clauses;               /* in the order added */
    size_t nclauses;
    bool schema_evolution;
} lml_merge_spec;

/* What happens to a target row. */
enum { LML_MERGE_ROW_KEPT = 0, LML_MERGE_ROW_UPDATED = 1, LML_MERGE_ROW_DELETED = 2 };

typedef struct lml_merge_outcome {
    /* The table's columns after the merge: the target's, then (schema evolution with UPDATE *
     * or INSERT *) the source columns the target lacks, in source order, nullable. */
    lml_frame *schema;            /* 0 rows */
    uint8_t *row_action;          /* per target row: LML_MERGE_ROW_* */
    lml_frame *updated;           /* the new values of the updated rows, in `schema`'s columns and
                                     types, ordered by target row (0 rows when none) */
    size_t *updated_rows;         /* target row of each row of `updated` (NULL when none) */
    lml_frame *inserted;          /* rows inserted, in `schema`'s columns, source order (0 rows
                                     when none) */
    /* Spark's counters. */
    int64_t num_source_rows;
    int64_t matched_updated, matched_deleted;
    int64_t not_matched_by_source_updated, not_matched_by_source_deleted;
    int64_t inserted_rows;
} lml_merge_outcome;

/* Runs the merge over `target` (the candidate rows: every table column, partition columns
 * included, with their table types) and `source`. Equality conjuncts between a target and a
 * source column become hash-join keys (SQL: NULL keys never match); the rest of the condition is
 * evaluated on the joined pairs. A target row matched by more than one source row that a MATCHED
 * clause would update or delete is LML_EINVAL with Delta's
 * DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE message (not when the only MATCHED
 * clause is an unconditional DELETE). Assigned values are cast to the column's type as Spark's
 * UPDATE does (LML_ETYPE when no cast exists, naming the column); UPDATE * / INSERT * need every
 * target column in the source unless schema evolution (LML_EINVAL naming the missing one); a
 * NOT MATCHED clause may only reference source columns, a NOT MATCHED BY SOURCE clause only
 * target columns (LML_EINVAL). */
/* The multiple-match rule is delta.md §10.3's: a target row with several matches is an error only
 * when one of its pairs fires a MATCHED clause (Delta 3.2 counts matches before the clauses'
 * conditions, delta-io/delta#3413, so it also fails when none fires). Deterministic: the outcome
 * does not depend on the thread count. On failure *out is zeroed. */
bool lml_merge_plan_run(const lml_merge_spec *spec, const lml_frame *target, const lml_frame *source,
                        lml_merge_outcome *out, lml_error *err);
void lml_merge_outcome_clear(lml_merge_outcome *o);
/* Frees the condition, every clause (condition, column names, values) and the clause array; the
 * aliases are borrowed and left alone. */
void lml_merge_spec_clear(lml_merge_spec *s);

#endif

/* The pieces of MERGE's row-level engine (merge_plan.h), shared by merge_plan.c (the clauses and
 * the outcome), merge_join.c (the join on the merge condition) and merge_assign.c (the result
 * schema, what each clause may reference, and the rows an UPDATE or INSERT produces).
 * Internal header. */
#ifndef LML_DELTA_MERGE_PLAN_INTERNAL_H
#define LML_DELTA_MERGE_PLAN_INTERNAL_H

#include "delta/merge_plan.h"

/* The (target row, source row) pairs for which the merge condition is true, ordered by target
 * row, then source row. */
typedef struct lml_merge_pairs {
    size_t *t, *s;
    size_t n, cap;
} lml_merge_pairs;

void lml_merge_pairs_clear(lml_merge_pairs *p);

/* Joins target and source on spec->condition: a hash join on its target = source column
 * equalities (typed keys; NULL keys never match), the other conjuncts evaluated on the joined
 * pairs; a nested loop evaluating the whole condition when there is no such equality. */
bool lml_merge_join(const lml_merge_spec *spec, const lml_frame *target, const lml_frame *source,
                    lml_merge_pairs *out, lml_error *err);

/* Where a result column's value comes from in the rows a clause writes. */
typedef enum lml_merge_slot_kind {
    LML_MERGE_SLOT_KEEP = 0, /* the target row's value (UPDATE of a column not assigned) */
    LML_MERGE_SLOT_NULL,     /* NULL (INSERT of a column not given, a new column not assigned) */
    LML_MERGE_SLOT_EXPR,     /* clause->values[index] */
    LML_MERGE_SLOT_SOURCE    /* the source column `index` (UPDATE * / INSERT *) */
} lml_merge_slot_kind;

typedef struct lml_merge_slot {
    lml_merge_slot_kind kind;
    size_t index;
} lml_merge_slot;

typedef struct lml_merge_ctx {
    const lml_merge_spec *spec;
    const lml_frame *target, *source;
    lml_frame *schema;        /* 0 rows: the target's columns, then new source columns */
    size_t ncols;             /* columns of schema */
    lml_merge_slot **slots;   /* per clause: ncols slots for UPDATE / INSERT clauses, else NULL */
} lml_merge_ctx;

/* Checks the clauses against the inputs (clause order, which side each clause may reference,
 * assignment targets, condition and value types) and builds the result schema and the slots. */
bool lml_merge_ctx_init(lml_merge_ctx *ctx, const lml_merge_spec *spec, const lml_frame *target,
                        const lml_frame *source, lml_error *err);
void lml_merge_ctx_clear(lml_merge_ctx *ctx);

/* The expression inputs of a clause of this kind: target and source rows for MATCHED, the source
 * for NOT MATCHED, the target for NOT MATCHED BY SOURCE. Returns how many (≤ 2). */
size_t lml_merge_inputs(const lml_merge_spec *spec, lml_merge_kind kind, const lml_frame *t, const lml_frame *s,
                        lml_expr_input in[2]);

/* The n rows clause `c` writes, in the schema's columns and types, from its n input rows (t:
 * target rows, s: source rows; the one a clause kind does not see may be NULL). */
lml_frame *lml_merge_assign(const lml_merge_ctx *ctx, size_t c, const lml_frame *t, const lml_frame *s, size_t n,
                            lml_error *err);

#endif

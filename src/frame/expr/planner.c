/* What planners read off a parsed expression without evaluating it: the AND conjuncts (Delta's
 * file skipping takes them one at a time), column = column pairs (MERGE's join keys), column-op-
 * literal predicates (min/max statistics and Parquet row-group pruning), and the columns named. */
#include "frame/expr/ast.h"

static size_t collect_conjuncts(const lml_expr *e, const lml_expr **out, size_t cap, size_t n)
{
    if (e->kind == N_AND) {
        n = collect_conjuncts(e->kids[0], out, cap, n);
        return collect_conjuncts(e->kids[1], out, cap, n);
    }
    if (n < cap)
        out[n] = e;
    return n + 1;
}

size_t lml_expr_conjuncts(const lml_expr *e, const lml_expr **out, size_t cap)
{
    return e ? collect_conjuncts(e, out, out ? cap : 0, 0) : 0;
}

bool lml_expr_is_column_equality(const lml_expr *e, const char **lalias, const char **lname, const char **ralias,
                                 const char **rname)
{
    if (!e || e->kind != N_CMP || e->op != OP_EQ || e->kids[0]->kind != N_COL || e->kids[1]->kind != N_COL)
        return false;
    if (lalias)
        *lalias = e->kids[0]->qual;
    if (lname)
        *lname = e->kids[0]->name;
    if (ralias)
        *ralias = e->kids[1]->qual;
    if (rname)
        *rname = e->kids[1]->name;
    return true;
}

static bool usable_literal(const lml_expr *e) { return e->kind == N_LIT && !e->lit.is_null; }

bool lml_expr_as_predicate(const lml_expr *e, const char **alias, lml_parquet_predicate *out)
{
    if (!e || !out)
        return false;
    const lml_expr *col = NULL, *lit = NULL;
    lml_parquet_op op = LML_PQ_OP_EQ;
    if (e->kind == N_CMP && e->op != OP_NSEQ) {
        bool flip = e->kids[0]->kind != N_COL;
        col = e->kids[flip];
        lit = e->kids[!flip];
        static const lml_parquet_op ops[] = {LML_PQ_OP_EQ, LML_PQ_OP_LT, LML_PQ_OP_LE, LML_PQ_OP_GT, LML_PQ_OP_GE};
        static const lml_parquet_op flipped[] = {LML_PQ_OP_EQ, LML_PQ_OP_GT, LML_PQ_OP_GE, LML_PQ_OP_LT, LML_PQ_OP_LE};
        op = flip ? flipped[e->op - OP_EQ] : ops[e->op - OP_EQ];
    } else if (e->kind == N_IN && e->nkids == 2) {
        col = e->kids[0];
        lit = e->kids[1];
    } else if (e->kind == N_ISNULL) {
        col = e->kids[0];
        op = e->negated ? LML_PQ_OP_IS_NOT_NULL : LML_PQ_OP_IS_NULL;
    } else {
        return false;
    }
    if (col->kind != N_COL || (lit && !usable_literal(lit)))
        return false;
    if (alias)
        *alias = col->qual;
    *out = (lml_parquet_predicate){.column = col->name, .op = op};
    if (lit)
        out->value = lit->lit;
    else
        out->value = (lml_value){.type = LML_BOOL, .is_null = true};
    return true;
}

bool lml_expr_visit_columns(const lml_expr *e, bool (*fn)(const char *alias, const char *name, void *ctx), void *ctx)
{
    if (!e || !fn)
        return true;
    if (e->kind == N_COL)
        return fn(e->qual, e->name, ctx);
    for (size_t i = 0; i < e->nkids; i++)
        if (!lml_expr_visit_columns(e->kids[i], fn, ctx))
            return false;
    return true;
}

bool lml_expr_is_constant(const lml_expr *e)
{
    if (!e)
        return true;
    if (e->kind == N_COL)
        return false;
    for (size_t i = 0; i < e->nkids; i++)
        if (!lml_expr_is_constant(e->kids[i]))
            return false;
    return true;
}

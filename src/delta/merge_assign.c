/* MERGE's clauses checked against the inputs before any row is read, the result schema, and the
 * rows an UPDATE or INSERT clause writes (delta.md §10.3).
 *
 * Every check that depends only on the schemas happens here, up front: a merge whose clause
 * names a missing column or assigns a value that cannot be cast fails the same way whether or
 * not any row reaches that clause, as Spark's analyzer fails it before execution. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/internal.h"
#include "delta/merge_plan_internal.h"
#include "delta/schema.h"
#include "frame/internal.h"

static const char *kind_name(lml_merge_kind k)
{
    return k == LML_MERGE_MATCHED ? "WHEN MATCHED" : k == LML_MERGE_NOT_MATCHED ? "WHEN NOT MATCHED"
                                                                                : "WHEN NOT MATCHED BY SOURCE";
}

static bool same_name(const char *a, const char *b) { return a && b && strcasecmp(a, b) == 0; }

size_t lml_merge_inputs(const lml_merge_spec *spec, lml_merge_kind kind, const lml_frame *t, const lml_frame *s,
                        lml_expr_input in[2])
{
    size_t n = 0;
    if (kind != LML_MERGE_NOT_MATCHED)
        in[n++] = (lml_expr_input){spec->target_alias, t};
    if (kind != LML_MERGE_NOT_MATCHED_BY_SOURCE)
        in[n++] = (lml_expr_input){spec->source_alias, s};
    return n;
}

/* ---------------------------------------------------------------- columns of one type */

/* n NULLs of proto's type (decimal precision and scale, vector size and nested shape kept), so
 * that the pieces of a result column concatenate. */
static lml_column *null_like(const lml_column *proto, size_t n, lml_error *err)
{
    if (proto->type == LML_VECTOR) {
        lml_column *c = lml_column_shell(LML_VECTOR, n, err);
        size_t bytes;
        if (!c)
            return NULL;
        c->vec_size = proto->vec_size;
        if (!lml_mul_ok(n, proto->vec_size, &bytes) || !lml_mul_ok(bytes, sizeof(double), &bytes) ||
            !(c->vvalues = lml_aligned_calloc(bytes)) || !(c->validity = lml_aligned_calloc(lml_bitmap_bytes(n)))) {
            lml_column_free(c);
            return lml_error_set(err, LML_ENOMEM, "out of memory making %zu null vectors", n), NULL;
        }
        return lml_column_seal(c);
    }
    if (!lml_type_is_nested(proto->type)) {
        lml_column *c = lml_column_alloc(proto->type, n, 0, true, err);
        if (c) {
            c->precision = proto->precision;
            c->scale = proto->scale;
        }
        return c ? lml_column_seal(c) : NULL;
    }
    /* Nested: the Delta field of the column knows how to make null rows of its shape. */
    const char *name = "v";
    lml_column *cols[1] = {(lml_column *)proto};
    lml_frame *f = lml_frame_new(1, &name, cols, err);
    lml_delta_schema sch = {0};
    lml_column *c = NULL;
    if (f && lml_delta_schema_from_frame(f, &sch, err))
        c = lml_delta_field_null_column(&sch.fields[0], n, err);
    lml_delta_schema_clear(&sch);
    lml_frame_free(f);
    return c;
}

/* True when Spark's cast takes `from` to `to` (lakeml's lml_frame_cast rules), tried on an empty
 * column so that the rule lives in one place. */
static bool castable(lml_type from, lml_type to)
{
    if (from == to)
        return true;
    if (from == LML_VECTOR || lml_type_is_nested(from) || from == LML_BINARY)
        return false;
    lml_column *c = lml_column_alloc(from, 0, 0, false, NULL);
    if (!c)
        return false;
    const char *name = "v";
    lml_frame *f = lml_frame_new(1, &name, &c, NULL);
    lml_column_free(c);
    lml_frame *g = f ? lml_frame_cast(f, name, to, NULL) : NULL;
    bool ok = g != NULL;
    lml_frame_free(g);
    lml_frame_free(f);
    return ok;
}

/* col cast to the type of result column j (a new reference either way). */
static lml_column *cast_to(const lml_merge_ctx *ctx, size_t j, lml_column *col, lml_error *err)
{
    const lml_column *proto = ctx->schema->fields[j].col;
    if (col->type == proto->type)
        return lml_column_retain(col);
    if (col->null_count == col->length) /* a NULL literal, whatever type it was given */
        return null_like(proto, col->length, err);
    const char *name = ctx->schema->fields[j].name;
    lml_frame *f = lml_frame_new(1, &name, &col, err);
    lml_frame *g = f ? lml_frame_cast(f, name, proto->type, err) : NULL;
    lml_column *out = g ? lml_column_retain(g->fields[0].col) : NULL;
    lml_frame_free(g);
    lml_frame_free(f);
    if (!out && err)
        lml_error_prefix(err, "MERGE: column '%s'", name);
    return out;
}

/* ---------------------------------------------------------------- the result schema */

static bool has_star_clause(const lml_merge_spec *spec)
{
    for (size_t c = 0; c < spec->nclauses; c++)
        if (spec->clauses[c].action == LML_MERGE_UPDATE_ALL || spec->clauses[c].action == LML_MERGE_INSERT_ALL)
            return true;
    return false;
}

static bool build_schema(lml_merge_ctx *ctx, lml_error *err)
{
    const lml_frame *t = ctx->target, *s = ctx->source;
    bool evolve = ctx->spec->schema_evolution && has_star_clause(ctx->spec);
    size_t extra = 0;
    for (size_t k = 0; evolve && k < s->ncols; k++)
        extra += lml_frame_column_index(t, s->fields[k].name) < 0;
    lml_frame *t0 = lml_frame_slice(t, 0, 0, err);
    lml_frame *s0 = extra ? lml_frame_slice(s, 0, 0, err) : NULL;
    lml_field *fields = t0 && (s0 || !extra) ? lml_frame_copy_fields(t0, extra, err) : NULL;
    size_t n = t->ncols;
    bool ok = fields != NULL;
    for (size_t k = 0; ok && extra && k < s->ncols; k++) {
        if (lml_frame_column_index(t, s->fields[k].name) >= 0)
            continue;
        ok = (fields[n].name = lml_strdup(s->fields[k].name, err)) != NULL;
        if (ok)
            fields[n++].col = lml_column_retain(s0->fields[k].col);
    }
    lml_frame_free(t0);
    lml_frame_free(s0);
    if (!ok) {
        if (fields)
            lml_fields_free(fields, t->ncols + extra);
        return false;
    }
    ctx->ncols = n;
    return (ctx->schema = lml_frame_adopt(fields, n, err)) != NULL;
}

/* ---------------------------------------------------------------- what clauses may reference */

typedef struct ref_check {
    const lml_merge_ctx *ctx;
    lml_merge_kind kind;
    const char *alias, *name; /* the first reference to the wrong side */
} ref_check;

static bool ref_ok(const char *alias, const char *name, void *p)
{
    ref_check *rc = p;
    const lml_merge_spec *spec = rc->ctx->spec;
    bool by_target = rc->kind == LML_MERGE_NOT_MATCHED_BY_SOURCE;
    const char *own_alias = by_target ? spec->target_alias : spec->source_alias;
    const char *other_alias = by_target ? spec->source_alias : spec->target_alias;
    const lml_frame *own = by_target ? rc->ctx->target : rc->ctx->source;
    const lml_frame *other = by_target ? rc->ctx->source : rc->ctx->target;
    bool bad = alias ? !same_name(alias, own_alias) && same_name(alias, other_alias)
                     : lml_frame_column_index(own, name) < 0 && lml_frame_column_index(other, name) >= 0;
    if (bad) {
        rc->alias = alias;
        rc->name = name;
    }
    return !bad;
}

static bool check_refs(const lml_merge_ctx *ctx, const lml_merge_clause *cl, const lml_expr *e, const char *what,
                       lml_error *err)
{
    if (!e || cl->kind == LML_MERGE_MATCHED)
        return true;
    ref_check rc = {ctx, cl->kind, NULL, NULL};
    if (lml_expr_visit_columns(e, ref_ok, &rc))
        return true;
    bool by_target = cl->kind == LML_MERGE_NOT_MATCHED_BY_SOURCE;
    return lml_error_set(err, LML_EINVAL,
                         "MERGE: a %s clause may only reference %s columns, but its %s references %s column "
                         "'%s%s%s'",
                         kind_name(cl->kind), by_target ? "target" : "source", what, by_target ? "source" : "target",
                         rc.alias ? rc.alias : "", rc.alias ? "." : "", rc.name);
}

/* ---------------------------------------------------------------- checks and slots */

/* Only the last clause of a kind may omit its condition (Delta's rule: a row would otherwise
 * never reach the clauses after it). */
static bool check_clause_order(const lml_merge_spec *spec, lml_error *err)
{
    for (size_t c = 0; c < spec->nclauses; c++) {
        if (spec->clauses[c].condition)
            continue;
        for (size_t d = c + 1; d < spec->nclauses; d++)
            if (spec->clauses[d].kind == spec->clauses[c].kind)
                return lml_error_set(err, LML_EINVAL,
                                     "MERGE: when there is more than one %s clause, only the last one may omit "
                                     "its condition (clause %zu of the merge has none)",
                                     kind_name(spec->clauses[c].kind), c + 1);
    }
    return true;
}

/* Result column named by an UPDATE SET / INSERT key: its name, or the target alias and its name. */
static long assigned_column(const lml_merge_ctx *ctx, const char *key)
{
    long j = lml_frame_column_index(ctx->schema, key);
    const char *dot = strchr(key, '.');
    const char *ta = ctx->spec->target_alias;
    if (j < 0 && dot && ta && (size_t)(dot - key) == strlen(ta) && strncasecmp(key, ta, strlen(ta)) == 0)
        j = lml_frame_column_index(ctx->schema, dot + 1);
    return j;
}

static bool check_value_type(const lml_merge_ctx *ctx, const lml_merge_clause *cl, size_t j, lml_type from,
                             lml_error *err)
{
    lml_type to = ctx->schema->fields[j].col->type;
    if (castable(from, to))
        return true;
    return lml_error_set(err, LML_ETYPE, "MERGE: %s clause: cannot cast %s to %s for column '%s'", kind_name(cl->kind),
                         lml_type_name(from), lml_type_name(to), ctx->schema->fields[j].name);
}

static bool star_slots(const lml_merge_ctx *ctx, const lml_merge_clause *cl, lml_merge_slot *slots, lml_error *err)
{
    const lml_frame *t = ctx->target, *s = ctx->source;
    bool update = cl->action == LML_MERGE_UPDATE_ALL;
    for (size_t j = 0; j < ctx->ncols; j++) {
        long k = lml_frame_column_index(s, ctx->schema->fields[j].name);
        if (k < 0) {
            if (!ctx->spec->schema_evolution)
                return lml_error_set(err, LML_EINVAL,
                                     "MERGE: %s clause %s needs every target column in the source, but the source "
                                     "has no column '%s'",
                                     kind_name(cl->kind), update ? "UPDATE SET *" : "INSERT *",
                                     t->fields[j].name);
            /* With schema evolution a column the source lacks keeps its value (UPDATE) or is NULL
             * (INSERT), as Delta does. */
            slots[j] = (lml_merge_slot){update ? LML_MERGE_SLOT_KEEP : LML_MERGE_SLOT_NULL, 0};
            continue;
        }
        if (!check_value_type(ctx, cl, j, s->fields[k].col->type, err))
            return false;
        slots[j] = (lml_merge_slot){LML_MERGE_SLOT_SOURCE, (size_t)k};
    }
    return true;
}

static bool explicit_slots(const lml_merge_ctx *ctx, const lml_merge_clause *cl, const lml_expr_input *in,
                           size_t nin, lml_merge_slot *slots, lml_error *err)
{
    bool update = cl->action == LML_MERGE_UPDATE;
    size_t nt = ctx->target->ncols;
    for (size_t j = 0; j < ctx->ncols; j++)
        slots[j] = (lml_merge_slot){update && j < nt ? LML_MERGE_SLOT_KEEP : LML_MERGE_SLOT_NULL, 0};
    for (size_t a = 0; a < cl->nassign; a++) {
        const char *key = cl->columns ? cl->columns[a] : NULL;
        const lml_expr *v = cl->values ? cl->values[a] : NULL;
        if (!key || !v)
            return lml_error_set(err, LML_EINVAL, "MERGE: %s clause: assignment %zu has no column or no value",
                                 kind_name(cl->kind), a + 1);
        long j = assigned_column(ctx, key);
        if (j < 0)
            return lml_error_set(err, LML_ENOTFOUND, "MERGE: %s clause %s: '%s' is not a column of the target table",
                                 kind_name(cl->kind), update ? "UPDATE SET" : "INSERT", key);
        if (slots[j].kind == LML_MERGE_SLOT_EXPR)
            return lml_error_set(err, LML_EINVAL, "MERGE: %s clause assigns column '%s' more than once",
                                 kind_name(cl->kind), ctx->schema->fields[j].name);
        char what[128];
        snprintf(what, sizeof what, "value for column '%s'", ctx->schema->fields[j].name);
        if (!check_refs(ctx, cl, v, what, err))
            return false;
        lml_type ty;
        if (!lml_expr_result_type(v, in, nin, &ty, err)) {
            lml_error_prefix(err, "MERGE: %s clause, %s", kind_name(cl->kind), what);
            return false;
        }
        /* A constant may be a NULL literal, which casts to anything: it is checked on its value. */
        if (!lml_expr_is_constant(v) && !check_value_type(ctx, cl, (size_t)j, ty, err))
            return false;
        slots[j] = (lml_merge_slot){LML_MERGE_SLOT_EXPR, (size_t)a};
    }
    return true;
}

static bool check_clause(lml_merge_ctx *ctx, size_t c, const lml_frame *t0, const lml_frame *s0, lml_error *err)
{
    const lml_merge_clause *cl = &ctx->spec->clauses[c];
    lml_merge_action a = cl->action;
    bool fits = cl->kind == LML_MERGE_NOT_MATCHED
                    ? a == LML_MERGE_INSERT || a == LML_MERGE_INSERT_ALL
                    : a == LML_MERGE_DELETE || a == LML_MERGE_UPDATE ||
                          (a == LML_MERGE_UPDATE_ALL && cl->kind == LML_MERGE_MATCHED);
    if (!fits)
        return lml_error_set(err, LML_EINVAL, "MERGE: clause %zu: a %s clause cannot %s", c + 1, kind_name(cl->kind),
                             a == LML_MERGE_DELETE ? "DELETE" : a == LML_MERGE_UPDATE_ALL ? "UPDATE SET *"
                                                           : a == LML_MERGE_UPDATE ? "UPDATE" : "INSERT");
    lml_expr_input in[2];
    size_t nin = lml_merge_inputs(ctx->spec, cl->kind, t0, s0, in);
    if (cl->condition) {
        lml_type ty;
        if (!check_refs(ctx, cl, cl->condition, "condition", err))
            return false;
        if (!lml_expr_result_type(cl->condition, in, nin, &ty, err)) {
            lml_error_prefix(err, "MERGE: %s clause condition", kind_name(cl->kind));
            return false;
        }
        if (ty != LML_BOOL)
            return lml_error_set(err, LML_ETYPE, "MERGE: %s clause condition '%s' is %s, not boolean",
                                 kind_name(cl->kind), lml_expr_text(cl->condition), lml_type_name(ty));
    }
    if (a == LML_MERGE_DELETE)
        return true;
    lml_merge_slot *slots = calloc(ctx->ncols + 1, sizeof *slots);
    if (!slots)
        return lml_error_set(err, LML_ENOMEM, "out of memory planning a MERGE clause");
    ctx->slots[c] = slots;
    if (a == LML_MERGE_UPDATE_ALL || a == LML_MERGE_INSERT_ALL)
        return star_slots(ctx, cl, slots, err);
    return explicit_slots(ctx, cl, in, nin, slots, err);
}

bool lml_merge_ctx_init(lml_merge_ctx *ctx, const lml_merge_spec *spec, const lml_frame *target,
                        const lml_frame *source, lml_error *err)
{
    *ctx = (lml_merge_ctx){.spec = spec, .target = target, .source = source};
    if (!check_clause_order(spec, err) || !build_schema(ctx, err))
        return false;
    if (!(ctx->slots = calloc(spec->nclauses + 1, sizeof *ctx->slots)))
        return lml_error_set(err, LML_ENOMEM, "out of memory planning a MERGE");
    lml_frame *t0 = lml_frame_slice(target, 0, 0, err);
    lml_frame *s0 = t0 ? lml_frame_slice(source, 0, 0, err) : NULL;
    bool ok = s0 != NULL;
    lml_type ty;
    lml_expr_input in[2] = {{spec->target_alias, t0}, {spec->source_alias, s0}};
    if (ok && !(ok = lml_expr_result_type(spec->condition, in, 2, &ty, err)))
        lml_error_prefix(err, "MERGE condition");
    if (ok && ty != LML_BOOL)
        ok = lml_error_set(err, LML_ETYPE, "MERGE condition '%s' is %s, not boolean", lml_expr_text(spec->condition),
                           lml_type_name(ty));
    for (size_t c = 0; ok && c < spec->nclauses; c++)
        ok = check_clause(ctx, c, t0, s0, err);
    lml_frame_free(t0);
    lml_frame_free(s0);
    return ok;
}

void lml_merge_ctx_clear(lml_merge_ctx *ctx)
{
    for (size_t c = 0; ctx->slots && c < ctx->spec->nclauses; c++)
        free(ctx->slots[c]);
    free(ctx->slots);
    lml_frame_free(ctx->schema);
    *ctx = (lml_merge_ctx){0};
}

/* ---------------------------------------------------------------- rows a clause writes */

static lml_column *slot_column(const lml_merge_ctx *ctx, const lml_merge_clause *cl, size_t j,
                               const lml_merge_slot *sl, const lml_frame *t, const lml_frame *s, size_t n,
                               lml_error *err)
{
    switch (sl->kind) {
    case LML_MERGE_SLOT_KEEP: return lml_column_retain(t->fields[j].col);
    case LML_MERGE_SLOT_NULL: return null_like(ctx->schema->fields[j].col, n, err);
    case LML_MERGE_SLOT_SOURCE: return cast_to(ctx, j, s->fields[sl->index].col, err);
    case LML_MERGE_SLOT_EXPR: break;
    }
    lml_expr_input in[2];
    size_t nin = lml_merge_inputs(ctx->spec, cl->kind, t, s, in);
    lml_column *v = lml_expr_eval(cl->values[sl->index], in, nin, err);
    if (!v) {
        lml_error_prefix(err, "MERGE: %s clause, value for column '%s'", kind_name(cl->kind),
                         ctx->schema->fields[j].name);
        return NULL;
    }
    lml_column *out = NULL;
    if (v->length != n)
        lml_error_set(err, LML_EINVAL, "MERGE: the value for column '%s' has %zu rows, not %zu",
                      ctx->schema->fields[j].name, v->length, n);
    else
        out = cast_to(ctx, j, v, err);
    lml_column_free(v);
    return out;
}

lml_frame *lml_merge_assign(const lml_merge_ctx *ctx, size_t c, const lml_frame *t, const lml_frame *s, size_t n,
                            lml_error *err)
{
    const lml_merge_clause *cl = &ctx->spec->clauses[c];
    const lml_merge_slot *slots = ctx->slots[c];
    lml_field *fields = lml_frame_copy_fields(ctx->schema, 0, err);
    if (!fields)
        return NULL;
    bool ok = true;
    for (size_t j = 0; j < ctx->ncols; j++) {
        lml_column *col = ok ? slot_column(ctx, cl, j, &slots[j], t, s, n, err) : NULL;
        ok = col != NULL;
        lml_column_free(fields[j].col);
        fields[j].col = col;
    }
    if (!ok) {
        lml_fields_free(fields, ctx->ncols);
        return NULL;
    }
    return lml_frame_adopt(fields, ctx->ncols, err);
}

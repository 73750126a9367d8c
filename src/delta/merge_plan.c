/* MERGE's row-level engine (merge_plan.h, delta.md §10.3): the join's pairs go through the
 * MATCHED clauses, the target rows no source row matched through the NOT MATCHED BY SOURCE
 * clauses, the source rows no target row matched through the NOT MATCHED clauses; in each group
 * the first clause whose condition holds fires. Conditions and assignments are evaluated a clause
 * at a time over gathered rows (columns, not rows, are the unit of work), then each clause's
 * rows are put back in target (updates) or source (inserts) order. */
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "delta/merge_plan_internal.h"
#include "frame/internal.h"

/* Delta's message (delta-error-classes.json) with the source rows that collided; to fit lml_error's
 * 512 bytes it leaves out "By SQL semantics of Merge," and the documentation link. */
#define MULTIPLE_MATCH_MESSAGE                                                                                       \
    "[DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE] Cannot perform Merge as multiple source rows "        \
    "matched and attempted to modify the same target row in the Delta table in possibly conflicting ways "          \
    "(source rows %zu and %zu). When multiple source rows match on the same target "                           \
    "row, the result may be ambiguous as it is unclear which source row should be used to update or delete the "   \
    "matching target row. You can preprocess the source table to eliminate the possibility of multiple matches."

/* Rows one clause wrote, with the target (or source) row each came from, ascending. */
typedef struct piece {
    lml_frame *f;
    size_t *key;
    size_t n;
} piece;

typedef struct run {
    lml_merge_ctx ctx;
    const lml_merge_spec *spec;
    const lml_frame *target, *source;
    lml_merge_outcome *out;
    lml_merge_pairs pairs;
    uint8_t *t_matched, *s_matched; /* bitmaps */
    piece *updates, *inserts;
    size_t nupdates, ninserts;
} run;

static bool nomem(lml_error *err, const char *what)
{
    return lml_error_set(err, LML_ENOMEM, "out of memory in MERGE (%s)", what);
}

static bool has_kind(const lml_merge_spec *spec, lml_merge_kind k)
{
    for (size_t c = 0; c < spec->nclauses; c++)
        if (spec->clauses[c].kind == k)
            return true;
    return false;
}

/* fired[i] = the first clause of `kind` whose condition holds on row i of the inputs, or -1. */
static bool fire(const run *r, lml_merge_kind kind, const lml_frame *t, const lml_frame *s, size_t n, long *fired,
                 lml_error *err)
{
    size_t left = n;
    for (size_t i = 0; i < n; i++)
        fired[i] = -1;
    for (size_t c = 0; c < r->spec->nclauses && left; c++) {
        const lml_merge_clause *cl = &r->spec->clauses[c];
        if (cl->kind != kind)
            continue;
        if (!cl->condition) {
            for (size_t i = 0; i < n; i++)
                if (fired[i] < 0)
                    fired[i] = (long)c;
            return true;
        }
        lml_expr_input in[2];
        size_t nin = lml_merge_inputs(r->spec, kind, t, s, in);
        uint8_t *m = NULL;
        if (!lml_expr_eval_mask(cl->condition, in, nin, &m, err)) {
            lml_error_prefix(err, "MERGE: clause %zu condition", c + 1);
            return false;
        }
        for (size_t i = 0; i < n; i++)
            if (fired[i] < 0 && lml_bit_get(m, i)) {
                fired[i] = (long)c;
                left--;
            }
        free(m);
    }
    return true;
}

/* The rows clause c writes for the selected rows sel[0..n) of its inputs (t: target rows, s:
 * source rows, either may be NULL), keyed by key_of[sel[i]]. */
static bool add_piece(run *r, size_t c, const lml_frame *t, const lml_frame *s, const size_t *sel, size_t n,
                      const size_t *key_of, piece *p, lml_error *err)
{
    *p = (piece){0};
    lml_frame *ts = t ? lml_frame_take(t, sel, n, err) : NULL;
    lml_frame *ss = s && (ts || !t) ? lml_frame_take(s, sel, n, err) : NULL;
    bool ok = (ts || !t) && (ss || !s);
    if (ok && !(p->key = malloc((n + 1) * sizeof *p->key)))
        ok = nomem(err, "row keys");
    if (ok)
        p->f = lml_merge_assign(&r->ctx, c, ts, ss, n, err);
    lml_frame_free(ts);
    lml_frame_free(ss);
    if (!p->f) {
        free(p->key);
        p->key = NULL;
        return false;
    }
    for (size_t i = 0; i < n; i++)
        p->key[i] = key_of[sel[i]];
    p->n = n;
    return true;
}

/* Runs the UPDATE / INSERT clauses of `kind` over the rows that fired them: one piece each. */
static bool clause_pieces(run *r, lml_merge_kind kind, const long *fired, size_t n, const lml_frame *t,
                          const lml_frame *s, const size_t *key_of, lml_error *err)
{
    size_t *sel = malloc((n + 1) * sizeof *sel);
    if (!sel)
        return nomem(err, "clause rows");
    bool ok = true;
    for (size_t c = 0; ok && c < r->spec->nclauses; c++) {
        const lml_merge_clause *cl = &r->spec->clauses[c];
        if (cl->kind != kind || cl->action == LML_MERGE_DELETE)
            continue;
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (fired[i] == (long)c)
                sel[m++] = i;
        if (!m)
            continue;
        bool insert = kind == LML_MERGE_NOT_MATCHED;
        piece *p = insert ? &r->inserts[r->ninserts] : &r->updates[r->nupdates];
        if ((ok = add_piece(r, c, t, s, sel, m, key_of, p, err)))
            *(insert ? &r->ninserts : &r->nupdates) += 1;
    }
    free(sel);
    return ok;
}

/* ---------------------------------------------------------------- the three row groups */

static bool matched(run *r, lml_error *err)
{
    lml_merge_pairs *pp = &r->pairs;
    size_t n = pp->n;
    lml_merge_outcome *out = r->out;
    if (!n || !has_kind(r->spec, LML_MERGE_MATCHED))
        return true;
    lml_frame *t = lml_frame_take(r->target, pp->t, n, err);
    lml_frame *s = t ? lml_frame_take(r->source, pp->s, n, err) : NULL;
    long *fired = s ? malloc(n * sizeof *fired) : NULL;
    bool ok = fired != NULL;
    if (s && !fired)
        nomem(err, "matched rows");
    ok = ok && fire(r, LML_MERGE_MATCHED, t, s, n, fired, err);
    /* Several source rows for one target row are an error as soon as one of them would modify
     * it, except under a lone unconditional DELETE, which deletes the row whichever matched. */
    size_t nmatched = 0;
    for (size_t c = 0; c < r->spec->nclauses; c++)
        nmatched += r->spec->clauses[c].kind == LML_MERGE_MATCHED;
    const lml_merge_clause *first = NULL;
    for (size_t c = 0; c < r->spec->nclauses && !first; c++)
        if (r->spec->clauses[c].kind == LML_MERGE_MATCHED)
            first = &r->spec->clauses[c];
    bool delete_only = nmatched == 1 && first->action == LML_MERGE_DELETE && !first->condition;
    for (size_t i = 0, j; ok && i < n; i = j) {
        bool acts = fired[i] >= 0;
        for (j = i + 1; j < n && pp->t[j] == pp->t[i]; j++)
            acts |= fired[j] >= 0;
        if (j - i > 1 && acts && !delete_only) {
            ok = lml_error_set(err, LML_EINVAL, MULTIPLE_MATCH_MESSAGE, pp->s[i], pp->s[i + 1]);
            break;
        }
        for (size_t k = i + 1; k < j; k++)
            fired[k] = -1; /* one action per target row */
        if (fired[i] < 0)
            continue;
        if (r->spec->clauses[fired[i]].action == LML_MERGE_DELETE) {
            out->row_action[pp->t[i]] = LML_MERGE_ROW_DELETED;
            out->matched_deleted++;
        } else {
            out->row_action[pp->t[i]] = LML_MERGE_ROW_UPDATED;
            out->matched_updated++;
        }
    }
    ok = ok && clause_pieces(r, LML_MERGE_MATCHED, fired, n, t, s, pp->t, err);
    free(fired);
    lml_frame_free(t);
    lml_frame_free(s);
    return ok;
}

/* The rows of f not set in bitmap `matched`, ascending; NULL on ENOMEM. */
static size_t *unmatched_rows(const uint8_t *matched, size_t n, size_t *count)
{
    size_t *u = malloc((n + 1) * sizeof *u), m = 0;
    if (!u)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!lml_bit_get(matched, i))
            u[m++] = i;
    *count = m;
    return u;
}

/* NOT MATCHED BY SOURCE (target rows) or NOT MATCHED (source rows). */
static bool unmatched(run *r, lml_merge_kind kind, lml_error *err)
{
    if (!has_kind(r->spec, kind))
        return true;
    bool by_source = kind == LML_MERGE_NOT_MATCHED_BY_SOURCE;
    const lml_frame *all = by_source ? r->target : r->source;
    size_t nu = 0, *u = unmatched_rows(by_source ? r->t_matched : r->s_matched, all->nrows, &nu);
    if (!u)
        return nomem(err, "unmatched rows");
    /* Gathered only when a clause looks at the rows (an unconditional DELETE does not). */
    bool need = false;
    for (size_t c = 0; c < r->spec->nclauses; c++) {
        const lml_merge_clause *cl = &r->spec->clauses[c];
        need |= cl->kind == kind && (cl->condition || cl->action != LML_MERGE_DELETE);
    }
    lml_frame *rows = NULL;
    long *fired = malloc((nu + 1) * sizeof *fired);
    bool ok = fired != NULL;
    if (!ok)
        nomem(err, "unmatched rows");
    if (ok && nu && need)
        ok = (rows = nu == all->nrows ? lml_frame_retain(all) : lml_frame_take(all, u, nu, err)) != NULL;
    const lml_frame *t = by_source ? rows : NULL, *s = by_source ? NULL : rows;
    ok = ok && fire(r, kind, t, s, nu, fired, err);
    for (size_t i = 0; ok && by_source && i < nu; i++) {
        if (fired[i] < 0)
            continue;
        bool del = r->spec->clauses[fired[i]].action == LML_MERGE_DELETE;
        r->out->row_action[u[i]] = del ? LML_MERGE_ROW_DELETED : LML_MERGE_ROW_UPDATED;
        *(del ? &r->out->not_matched_by_source_deleted : &r->out->not_matched_by_source_updated) += 1;
    }
    ok = ok && clause_pieces(r, kind, fired, nu, t, s, u, err);
    free(fired);
    free(u);
    lml_frame_free(rows);
    return ok;
}

/* ---------------------------------------------------------------- putting the pieces together */

/* The pieces' rows as one frame ordered by key (pieces are ascending and share no key). */
static bool combine(const run *r, const piece *ps, size_t k, lml_frame **f, size_t **keys, lml_error *err)
{
    *f = NULL;
    *keys = NULL;
    if (!k)
        return (*f = lml_frame_retain(r->ctx.schema)) != NULL;
    size_t total = 0;
    const lml_frame **frames = malloc(k * sizeof *frames);
    size_t *cursor = calloc(k, sizeof *cursor);
    for (size_t c = 0; c < k; c++)
        total += ps[c].n;
    size_t *perm = malloc((total + 1) * sizeof *perm);
    *keys = malloc((total + 1) * sizeof **keys);
    lml_frame *u = NULL;
    bool ok = frames && cursor && perm && *keys;
    if (!ok)
        nomem(err, "combining clause rows");
    for (size_t c = 0; ok && c < k; c++)
        frames[c] = ps[c].f;
    ok = ok && (u = lml_frame_union_by_name(frames, k, err)) != NULL;
    for (size_t o = 0; ok && o < total; o++) {
        size_t best = k, base = 0, best_base = 0;
        for (size_t c = 0; c < k; base += ps[c].n, c++)
            if (cursor[c] < ps[c].n && (best == k || ps[c].key[cursor[c]] < ps[best].key[cursor[best]])) {
                best = c;
                best_base = base;
            }
        perm[o] = best_base + cursor[best];
        (*keys)[o] = ps[best].key[cursor[best]++];
    }
    if (ok && k > 1) {
        *f = lml_frame_take(u, perm, total, err);
        ok = *f != NULL;
    } else if (ok) {
        *f = lml_frame_retain(u);
    }
    lml_frame_free(u);
    free(frames);
    free(cursor);
    free(perm);
    if (!ok) {
        free(*keys);
        *keys = NULL;
    }
    return ok;
}

static void pieces_free(piece *ps, size_t k)
{
    for (size_t c = 0; ps && c < k; c++) {
        lml_frame_free(ps[c].f);
        free(ps[c].key);
    }
    free(ps);
}

static bool run_all(run *r, lml_error *err)
{
    size_t nt = r->target->nrows, ns = r->source->nrows, nc = r->spec->nclauses;
    lml_merge_outcome *out = r->out;
    out->num_source_rows = (int64_t)ns;
    if (!lml_merge_ctx_init(&r->ctx, r->spec, r->target, r->source, err))
        return false;
    if (!(out->schema = lml_frame_retain(r->ctx.schema)))
        return false;
    out->row_action = calloc(nt + 1, 1);
    r->t_matched = calloc(lml_bitmap_bytes(nt) + 1, 1);
    r->s_matched = calloc(lml_bitmap_bytes(ns) + 1, 1);
    r->updates = calloc(nc + 1, sizeof *r->updates);
    r->inserts = calloc(nc + 1, sizeof *r->inserts);
    if (!out->row_action || !r->t_matched || !r->s_matched || !r->updates || !r->inserts)
        return nomem(err, "row state");
    if (!lml_merge_join(r->spec, r->target, r->source, &r->pairs, err))
        return false;
    for (size_t i = 0; i < r->pairs.n; i++) {
        lml_bit_set(r->t_matched, r->pairs.t[i]);
        lml_bit_set(r->s_matched, r->pairs.s[i]);
    }
    if (!matched(r, err) || !unmatched(r, LML_MERGE_NOT_MATCHED_BY_SOURCE, err) ||
        !unmatched(r, LML_MERGE_NOT_MATCHED, err))
        return false;
    size_t *ikeys = NULL;
    bool ok = combine(r, r->updates, r->nupdates, &out->updated, &out->updated_rows, err) &&
              combine(r, r->inserts, r->ninserts, &out->inserted, &ikeys, err);
    free(ikeys);
    if (ok)
        out->inserted_rows = (int64_t)out->inserted->nrows;
    return ok;
}

bool lml_merge_plan_run(const lml_merge_spec *spec, const lml_frame *target, const lml_frame *source,
                        lml_merge_outcome *out, lml_error *err)
{
    if (!out)
        return lml_error_set(err, LML_EINVAL, "MERGE needs an outcome to fill");
    *out = (lml_merge_outcome){0};
    if (!spec || !target || !source || !spec->condition || (spec->nclauses && !spec->clauses))
        return lml_error_set(err, LML_EINVAL, "MERGE needs a target, a source, a condition and its clauses");
    run r = {.spec = spec, .target = target, .source = source, .out = out};
    bool ok = run_all(&r, err);
    pieces_free(r.updates, r.nupdates);
    pieces_free(r.inserts, r.ninserts);
    free(r.t_matched);
    free(r.s_matched);
    lml_merge_pairs_clear(&r.pairs);
    lml_merge_ctx_clear(&r.ctx);
    if (!ok)
        lml_merge_outcome_clear(out);
    return ok;
}

void lml_merge_outcome_clear(lml_merge_outcome *o)
{
    if (!o)
        return;
    lml_frame_free(o->schema);
    free(o->row_action);
    lml_frame_free(o->updated);
    free(o->updated_rows);
    lml_frame_free(o->inserted);
    *o = (lml_merge_outcome){0};
}

void lml_merge_spec_clear(lml_merge_spec *s)
{
    if (!s)
        return;
    lml_expr_free(s->condition);
    for (size_t c = 0; s->clauses && c < s->nclauses; c++) {
        lml_merge_clause *cl = &s->clauses[c];
        lml_expr_free(cl->condition);
        for (size_t a = 0; a < cl->nassign; a++) {
            free(cl->columns ? cl->columns[a] : NULL);
            lml_expr_free(cl->values ? cl->values[a] : NULL);
        }
        free(cl->columns);
        free(cl->values);
    }
    free(s->clauses);
    *s = (lml_merge_spec){0};
}

/* UPDATE t SET c = expr, … [WHERE cond] (delta.md §10.2). Rows where the condition is true get
 * the new values, each expression evaluated over the row's current values and cast to its
 * column's type; the other rows of a touched file are copied (copy-on-write) or stay where they
 * are (deletion vectors: the updated rows are marked deleted and written to new files). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "../core/internal.h"
#include "../frame/internal.h"
#include "dml.h"

typedef struct update {
    lml_dml *d;
    lml_expr *cond;
    size_t nset;
    const lml_delta_field **fields; /* the columns assigned */
    lml_expr **exprs;
} update;

/* col as a column of type `to` (Spark's cast), a new reference. */
static lml_column *cast_to(const lml_column *col, const lml_delta_field *f, lml_error *err) {
    lml_type have = lml_column_type(col);
    if (have == f->type && (have != LML_DECIMAL || (lml_column_decimal_precision(col) == f->precision &&
                                                    lml_column_decimal_scale(col) == f->scale)))
        return lml_column_retain(col);
    if (have == LML_DECIMAL || f->type == LML_DECIMAL || lml_type_is_nested(f->type) || lml_type_is_nested(have)) {
        lml_error_set(err, LML_ETYPE, "cannot assign a %s value to column '%s' of type %s", lml_type_name(have), f->name,
                      lml_type_name(f->type));
        return NULL;
    }
    size_t n = lml_column_length(col);
    lml_column_builder *b = lml_column_builder_new(f->type, n, err);
    bool ok = b != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        lml_value v = lml_column_get(col, i), w;
        ok = lml_value_cast(&v, f->type, &w, err) && lml_column_builder_append_value(b, &w, err);
        if (!ok) lml_error_prefix(err, "column '%s'", f->name);
    }
    lml_column *out = ok ? lml_column_builder_finish(b, err) : NULL;
    if (!out) lml_column_builder_free(b);
    return out;
}

/* The rows of `rows` with the assignments applied (every expression sees the old values). */
static lml_frame *assign(const update *u, const lml_frame *rows, lml_error *err) {
    lml_expr_input in = {.frame = rows};
    lml_column **cols = calloc(u->nset + 1, sizeof *cols);
    if (!cols) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    bool ok = true;
    for (size_t i = 0; ok && i < u->nset; i++) {
        lml_column *v = lml_expr_eval(u->exprs[i], &in, 1, err);
        ok = v && (cols[i] = cast_to(v, u->fields[i], err)) != NULL;
        lml_column_free(v);
        if (ok && !u->fields[i]->nullable && lml_column_null_count(cols[i]))
            ok = lml_error_set(err, LML_EINVAL, "NOT NULL constraint violated for column: %s (DELTA_NOT_NULL_CONSTRAINT_VIOLATED)",
                               u->fields[i]->name);
    }
    lml_frame *out = ok ? lml_frame_retain(rows) : NULL;
    for (size_t i = 0; out && i < u->nset; i++) {
        lml_frame *next = lml_frame_with_column(out, u->fields[i]->name, cols[i], err);
        lml_frame_free(out);
        out = next;
    }
    for (size_t i = 0; i < u->nset; i++) lml_column_free(cols[i]);
    free(cols);
    return out;
}

static bool eval_update(void *ctx, lml_dml_file *f, lml_error *err) {
    const update *u = ctx;
    size_t n = lml_frame_num_rows(f->rows), hits = 0;
    uint8_t *mask = NULL;
    lml_expr_input in = {.frame = f->rows};
    if (u->cond && !lml_expr_eval_mask(u->cond, &in, 1, &mask, err)) return false;
    for (size_t i = 0; i < n; i++) hits += !mask || lml_bit_get(mask, i);
    bool ok = true;
    if (hits) {
        size_t *idx = malloc((hits + 1) * sizeof *idx), k = 0;
        f->action = calloc(n + 1, 1);
        ok = idx && f->action;
        if (!ok) lml_error_set(err, LML_ENOMEM, "out of memory");
        for (size_t i = 0; ok && i < n; i++)
            if (!mask || lml_bit_get(mask, i)) f->action[i] = LML_DML_UPDATE, idx[k++] = i;
        lml_frame *sub = ok ? lml_frame_take(f->rows, idx, k, err) : NULL;
        ok = sub && (f->updated = assign(u, sub, err)) != NULL;
        f->nupdated = hits;
        lml_frame_free(sub);
        free(idx);
    }
    free(mask);
    return ok;
}

/* Resolves the SET list against the table and checks every expression's type and cast. */
static bool prepare(update *u, const char *const *set, lml_error *err) {
    lml_dml *d = u->d;
    size_t n = 0;
    while (set && set[n]) n++;
    if (n == 0 || n % 2) return lml_error_set(err, LML_EINVAL, "%s: UPDATE needs column, expression pairs", d->root);
    u->fields = calloc(n / 2 + 1, sizeof *u->fields);
    u->exprs = calloc(n / 2 + 1, sizeof *u->exprs);
    if (!u->fields || !u->exprs) return lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i += 2) {
        long k = lml_delta_schema_find(&d->t->schema, set[i]);
        if (k < 0) return lml_error_set(err, LML_ENOTFOUND, "%s: UPDATE SET names no column '%s' of the table", d->root, set[i]);
        for (size_t j = 0; j < u->nset; j++)
            if (u->fields[j] == &d->t->schema.fields[k])
                return lml_error_set(err, LML_EINVAL, "%s: column '%s' is assigned twice in UPDATE SET", d->root, set[i]);
        u->fields[u->nset] = &d->t->schema.fields[k];
        if (!(u->exprs[u->nset++] = lml_expr_parse(set[i + 1], err))) return false;
    }
    lml_frame *empty = lml_dml_empty_frame(d, err);
    lml_frame *probe = empty ? assign(u, empty, err) : NULL;
    bool ok = probe != NULL;
    lml_frame_free(probe);
    lml_frame_free(empty);
    return ok;
}

static char *update_metrics(const lml_dml *d, lml_error *err) {
    lml_strbuf sb = {0};
    lml_dml_metric(&sb, "numAddedFiles", d->files_added);
    lml_dml_metric(&sb, "numRemovedFiles", d->files_removed);
    lml_dml_metric(&sb, "numAddedChangeFiles", d->planned ? d->plan.cdc_files : 0);
    lml_dml_metric(&sb, "numDeletionVectorsAdded", d->dv_added);
    lml_dml_metric(&sb, "numDeletionVectorsRemoved", d->dv_removed);
    lml_dml_metric(&sb, "numDeletionVectorsUpdated", d->dv_updated);
    lml_dml_metric(&sb, "numUpdatedRows", d->rows_updated);
    lml_dml_metric(&sb, "numCopiedRows", d->rows_copied);
    return lml_dml_metrics_finish(&sb, d, err);
}

static bool run(update *u, const char *condition, const char *const *set, lml_delta_result *out, lml_error *err) {
    lml_dml *d = u->d;
    const lml_delta_file **files = NULL;
    char *params = NULL, *metrics = NULL;
    size_t n = 0;
    bool ok = lml_dml_condition(d, condition, &u->cond, err) && prepare(u, set, err) &&
              lml_dml_set_predicate(d, u->cond, NULL, NULL, err) && lml_dml_plan(d, NULL, false, err);
    const lml_delta_metadata *m = &d->t->state.metadata;
    const char *ao = lml_delta_map_get(&m->configuration, "delta.appendOnly", NULL);
    if (ok && ao && strcasecmp(ao, "true") == 0)
        ok = lml_error_set(err, LML_EUNSUPPORTED,
                           "%s: this table is configured to only allow appends (delta.appendOnly); UPDATE would change "
                           "data (DELTA_CANNOT_MODIFY_APPEND_ONLY)",
                           d->root);
    /* Assigning a partition column moves rows to other partitions: updated rows then go through
     * the partitioned write instead of into the rewritten file. */
    for (size_t i = 0; ok && i < u->nset; i++)
        for (size_t p = 0; p < m->npartition; p++) d->moves_rows |= strcasecmp(m->partition_columns[p], u->fields[i]->name) == 0;
    if (ok) ok = (files = lml_dml_candidates(d, &n, err)) != NULL;
    ok = ok && lml_dml_read(d, files, n, eval_update, u, err);
    d->scan_ms = lml_dml_elapsed(d);
    ok = ok && lml_dml_apply(d, err) && lml_dml_finish(d, err);
    if (ok) ok = (params = lml_dml_predicate_params(u->cond, err)) && (metrics = update_metrics(d, err));
    ok = ok && lml_dml_commit(d, params, metrics, out, err);
    free(files);
    free(params);
    free(metrics);
    return ok;
}

bool lml_delta_update(const char *path, const char *condition, const char *const *set, const lml_delta_dml_options *opt,
                      lml_delta_result *out, lml_error *err) {
    if (out) memset(out, 0, sizeof *out);
    lml_dml d;
    update u = {.d = &d};
    bool ok = lml_dml_open(&d, path, "UPDATE", opt, err);
    if (ok && d.skipped) {
        ok = lml_dml_skipped_result(&d, out, err);
    } else if (ok) {
        ok = run(&u, condition, set, out, err);
    }
    lml_expr_free(u.cond);
    for (size_t i = 0; i < u.nset; i++) lml_expr_free(u.exprs[i]);
    free(u.exprs);
    free(u.fields);
    lml_dml_close(&d);
    return ok;
}

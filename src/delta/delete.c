/* DELETE FROM t [WHERE cond] (delta.md §10.1). No condition, or one over partition columns only,
 * removes whole files without reading them (Spark then reports no row counts); otherwise the
 * candidate files are read and the rows where the condition is true (not false, not NULL) are
 * deleted by rewriting the file or by a deletion vector. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "../core/internal.h"
#include "../frame/internal.h"
#include "dml.h"

/* Marks the rows where the condition holds; a file with none stays untouched. */
static bool eval_delete(void *ctx, lml_dml_file *f, lml_error *err) {
    const lml_expr *cond = ctx;
    lml_expr_input in = {.frame = f->rows};
    uint8_t *mask = NULL;
    if (!lml_expr_eval_mask(cond, &in, 1, &mask, err)) return false;
    size_t n = lml_frame_num_rows(f->rows), hits = 0;
    for (size_t i = 0; i < n; i++) hits += lml_bit_get(mask, i);
    if (hits) {
        if (!(f->action = calloc(n + 1, 1))) {
            free(mask);
            return lml_error_set(err, LML_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < n; i++)
            if (lml_bit_get(mask, i)) f->action[i] = LML_DML_DELETE;
        f->ndeleted = hits;
    }
    free(mask);
    return true;
}

typedef struct only_ctx {
    const lml_delta_metadata *m;
} only_ctx;

static bool is_partition(const char *alias, const char *name, void *ctx) {
    (void)alias;
    const lml_delta_metadata *m = ((only_ctx *)ctx)->m;
    for (size_t i = 0; i < m->npartition; i++)
        if (strcasecmp(m->partition_columns[i], name) == 0) return true;
    return false;
}

/* Whole-file deletes: every candidate (no condition) or those whose partition values satisfy it. */
static bool delete_files(lml_dml *d, const lml_expr *cond, const lml_delta_file **files, size_t n, lml_error *err) {
    if (!cond) {
        for (size_t i = 0; i < n; i++)
            if (!lml_dml_remove_file(d, files[i], err)) return false;
        return true;
    }
    lml_frame *rows = lml_delta_partition_rows(&d->spec, files, n, err);
    lml_expr_input in = {.frame = rows};
    uint8_t *mask = NULL;
    bool ok = rows && lml_expr_eval_mask(cond, &in, 1, &mask, err);
    for (size_t i = 0; ok && i < n; i++)
        if (lml_bit_get(mask, i)) ok = lml_dml_remove_file(d, files[i], err);
    free(mask);
    lml_frame_free(rows);
    return ok;
}

static char *delete_metrics(const lml_dml *d, bool rows_counted, lml_error *err) {
    lml_strbuf sb = {0};
    lml_dml_metric(&sb, "numAddedFiles", d->files_added);
    lml_dml_metric(&sb, "numRemovedFiles", d->files_removed);
    lml_dml_metric(&sb, "numDeletionVectorsAdded", d->dv_added);
    lml_dml_metric(&sb, "numDeletionVectorsRemoved", d->dv_removed);
    lml_dml_metric(&sb, "numDeletionVectorsUpdated", d->dv_updated);
    lml_dml_metric(&sb, "numAddedChangeFiles", d->planned ? d->plan.cdc_files : 0);
    if (rows_counted) {
        lml_dml_metric(&sb, "numDeletedRows", d->rows_deleted);
        lml_dml_metric(&sb, "numCopiedRows", d->rows_copied);
    }
    return lml_dml_metrics_finish(&sb, d, err);
}

bool lml_dml_delete_where(lml_dml *d, const lml_expr *cond, bool *whole, lml_error *err) {
    size_t n = 0;
    const lml_delta_file **files = lml_dml_candidates(d, &n, err);
    if (!files) return false;
    only_ctx oc = {.m = &d->t->state.metadata};
    *whole = !cond || lml_expr_visit_columns(cond, is_partition, &oc);
    bool ok;
    if (*whole) {
        ok = delete_files(d, cond, files, n, err);
        d->scan_ms = lml_dml_elapsed(d);
    } else {
        ok = lml_dml_read(d, files, n, eval_delete, (void *)cond, err);
        d->scan_ms = lml_dml_elapsed(d);
        ok = ok && lml_dml_apply(d, err);
    }
    free(files);
    return ok;
}

static bool run(lml_dml *d, const char *condition, lml_delta_result *out, lml_error *err) {
    lml_expr *cond = NULL;
    char *params = NULL, *metrics = NULL;
    bool whole = false;
    bool ok = lml_dml_condition(d, condition, &cond, err) && lml_dml_set_predicate(d, cond, NULL, NULL, err) &&
              lml_dml_plan(d, NULL, false, err);
    const lml_delta_metadata *m = &d->t->state.metadata;
    const char *ao = lml_delta_map_get(&m->configuration, "delta.appendOnly", NULL);
    if (ok && ao && strcasecmp(ao, "true") == 0)
        ok = lml_error_set(err, LML_EUNSUPPORTED,
                           "%s: this table is configured to only allow appends (delta.appendOnly); DELETE would remove "
                           "data (DELTA_CANNOT_MODIFY_APPEND_ONLY)",
                           d->root);
    ok = ok && lml_dml_delete_where(d, cond, &whole, err) && lml_dml_finish(d, err);
    if (ok) ok = (params = lml_dml_predicate_params(cond, err)) && (metrics = delete_metrics(d, !whole, err));
    ok = ok && lml_dml_commit(d, params, metrics, out, err);
    free(params);
    free(metrics);
    lml_expr_free(cond);
    return ok;
}

bool lml_delta_delete(const char *path, const char *condition, const lml_delta_dml_options *opt, lml_delta_result *out,
                      lml_error *err) {
    if (out) memset(out, 0, sizeof *out);
    lml_dml d;
    bool ok = lml_dml_open(&d, path, "DELETE", opt, err);
    if (ok && d.skipped) {
        ok = lml_dml_skipped_result(&d, out, err);
    } else if (ok) {
        ok = run(&d, condition, out, err);
    }
    lml_dml_close(&d);
    return ok;
}

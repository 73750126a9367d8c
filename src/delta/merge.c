/* MERGE INTO target USING source ON cond (delta.md §10.3): the builder (Delta's
 * DeltaTable.merge(…).whenMatched…().execute()), then execution: the candidate target files
 * (the condition's target-only conjuncts prune them, unless a NOT MATCHED BY SOURCE clause needs
 * every target row) are read, the row-level engine (merge_plan.c) decides every target row's
 * fate and the inserted rows, and dml_rewrite.c turns that into files and one commit. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "../core/internal.h"
#include "../frame/internal.h"
#include "../io/parquet/writer_internal.h"
#include "dml.h"
#include "merge_plan.h"

struct lml_delta_merge {
    char *path, *talias, *salias;
    const lml_frame *source;
    lml_merge_spec spec; /* aliases point at talias / salias */
    size_t cap;
};

static char *dup_opt(const char *s, bool *ok, lml_error *err) {
    if (!s) return NULL;
    char *d = lml_strdup(s, err);
    if (!d) *ok = false;
    return d;
}

lml_delta_merge *lml_delta_merge_new(const char *path, const char *target_alias, const lml_frame *source,
                                    const char *source_alias, const char *condition, lml_error *err) {
    if (!path || !source || !condition) {
        lml_error_set(err, LML_EINVAL, "lml_delta_merge_new: NULL %s", !path ? "path" : !source ? "source" : "condition");
        return NULL;
    }
    lml_delta_merge *m = calloc(1, sizeof *m);
    if (!m) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    bool ok = true;
    m->path = dup_opt(path, &ok, err);
    m->talias = dup_opt(target_alias, &ok, err);
    m->salias = dup_opt(source_alias, &ok, err);
    m->source = source;
    m->spec.target_alias = m->talias;
    m->spec.source_alias = m->salias;
    if (ok) ok = (m->spec.condition = lml_expr_parse(condition, err)) != NULL;
    if (ok) return m;
    lml_delta_merge_free(m);
    return NULL;
}

void lml_delta_merge_free(lml_delta_merge *m) {
    if (!m) return;
    lml_merge_spec_clear(&m->spec);
    free(m->path);
    free(m->talias);
    free(m->salias);
    free(m);
}

void lml_delta_merge_with_schema_evolution(lml_delta_merge *m) {
    if (m) m->spec.schema_evolution = true;
}

static const char *const kind_names[] = {"WHEN MATCHED", "WHEN NOT MATCHED", "WHEN NOT MATCHED BY SOURCE"};

static bool add_clause(lml_delta_merge *m, lml_merge_kind kind, lml_merge_action action, const char *condition,
                       const char *const *set, lml_error *err) {
    if (!m) return lml_error_set(err, LML_EINVAL, "merge clause: NULL merge");
    /* Only the last clause of a kind may omit its condition. */
    for (size_t i = 0; i < m->spec.nclauses; i++)
        if (m->spec.clauses[i].kind == kind && !m->spec.clauses[i].condition)
            return lml_error_set(err, LML_EINVAL,
                                 "%s: when there are more than one %s clauses in a MERGE statement, only the last %s "
                                 "clause can omit the condition",
                                 m->path, kind_names[kind], kind_names[kind]);
    size_t n = 0;
    while (set && set[n]) n++;
    bool needs = action == LML_MERGE_UPDATE || action == LML_MERGE_INSERT;
    if (needs && (n == 0 || n % 2))
        return lml_error_set(err, LML_EINVAL, "%s: %s needs column, expression pairs", m->path, kind_names[kind]);
    if (m->spec.nclauses == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 4;
        lml_merge_clause *c = realloc(m->spec.clauses, cap * sizeof *c);
        if (!c) return lml_error_set(err, LML_ENOMEM, "out of memory");
        m->spec.clauses = c;
        m->cap = cap;
    }
    lml_merge_clause cl = {.kind = kind, .action = action};
    bool ok = !condition || (cl.condition = lml_expr_parse(condition, err)) != NULL;
    if (ok && needs) {
        cl.columns = calloc(n / 2 + 1, sizeof *cl.columns);
        cl.values = calloc(n / 2 + 1, sizeof *cl.values);
        if (!cl.columns || !cl.values) ok = lml_error_set(err, LML_ENOMEM, "out of memory");
        for (size_t i = 0; ok && i < n; i += 2) {
            ok = (cl.columns[cl.nassign] = lml_strdup(set[i], err)) != NULL;
            ok = ok && (cl.values[cl.nassign] = lml_expr_parse(set[i + 1], err)) != NULL;
            cl.nassign++;
        }
    }
    if (ok) {
        m->spec.clauses[m->spec.nclauses++] = cl;
        return true;
    }
    lml_expr_free(cl.condition);
    for (size_t i = 0; i < n / 2 && cl.columns && cl.values; i++) {
        free(cl.columns[i]);
        lml_expr_free(cl.values[i]);
    }
    free(cl.columns);
    free(cl.values);
    return false;
}

bool lml_delta_merge_when_matched_update(lml_delta_merge *m, const char *condition, const char *const *set,
                                         lml_error *err) {
    return add_clause(m, LML_MERGE_MATCHED, LML_MERGE_UPDATE, condition, set, err);
}
bool lml_delta_merge_when_matched_update_all(lml_delta_merge *m, const char *condition, lml_error *err) {
    return add_clause(m, LML_MERGE_MATCHED, LML_MERGE_UPDATE_ALL, condition, NULL, err);
}
bool lml_delta_merge_when_matched_delete(lml_delta_merge *m, const char *condition, lml_error *err) {
    return add_clause(m, LML_MERGE_MATCHED, LML_MERGE_DELETE, condition, NULL, err);
}
bool lml_delta_merge_when_not_matched_insert(lml_delta_merge *m, const char *condition, const char *const *values,
                                             lml_error *err) {
    return add_clause(m, LML_MERGE_NOT_MATCHED, LML_MERGE_INSERT, condition, values, err);
}
bool lml_delta_merge_when_not_matched_insert_all(lml_delta_merge *m, const char *condition, lml_error *err) {
    return add_clause(m, LML_MERGE_NOT_MATCHED, LML_MERGE_INSERT_ALL, condition, NULL, err);
}
bool lml_delta_merge_when_not_matched_by_source_update(lml_delta_merge *m, const char *condition,
                                                       const char *const *set, lml_error *err) {
    return add_clause(m, LML_MERGE_NOT_MATCHED_BY_SOURCE, LML_MERGE_UPDATE, condition, set, err);
}
bool lml_delta_merge_when_not_matched_by_source_delete(lml_delta_merge *m, const char *condition, lml_error *err) {
    return add_clause(m, LML_MERGE_NOT_MATCHED_BY_SOURCE, LML_MERGE_DELETE, condition, NULL, err);
}

/* ---- execution */

/* operationParameters: predicate, then each kind's clauses as Spark lists them. */
static char *merge_parameters(const lml_delta_merge *m, lml_error *err) {
    static const char *const keys[] = {"matchedPredicates", "notMatchedPredicates", "notMatchedBySourcePredicates"};
    char *pred = lml_dml_predicate_json(m->spec.condition, err);
    if (!pred) return NULL;
    lml_strbuf sb = {0};
    lml_strbuf_puts(&sb, "{\"predicate\":");
    lml_pq_json_string(&sb, pred);
    free(pred);
    bool ok = true;
    for (int k = 0; ok && k < 3; k++) {
        lml_strbuf arr = {0};
        lml_strbuf_putc(&arr, '[');
        for (size_t i = 0, n = 0; ok && i < m->spec.nclauses; i++) {
            const lml_merge_clause *c = &m->spec.clauses[i];
            if ((int)c->kind != k) continue;
            if (n++) lml_strbuf_putc(&arr, ',');
            lml_strbuf_putc(&arr, '{');
            if (c->condition) {
                char *sql = lml_expr_sql(c->condition, err);
                if (!(ok = sql != NULL)) break;
                lml_strbuf_puts(&arr, "\"predicate\":");
                lml_pq_json_string(&arr, sql);
                lml_strbuf_putc(&arr, ',');
                free(sql);
            }
            const char *type = c->action == LML_MERGE_DELETE ? "delete"
                               : c->action == LML_MERGE_INSERT || c->action == LML_MERGE_INSERT_ALL ? "insert"
                                                                                                    : "update";
            lml_strbuf_printf(&arr, "\"actionType\":\"%s\"}", type);
        }
        lml_strbuf_putc(&arr, ']');
        char *a = lml_strbuf_finish(&arr, err);
        if (!(ok = ok && a)) {
            free(a);
            break;
        }
        lml_strbuf_printf(&sb, ",\"%s\":", keys[k]);
        lml_pq_json_string(&sb, a);
        free(a);
    }
    lml_strbuf_putc(&sb, '}');
    if (ok) return lml_strbuf_finish(&sb, err);
    lml_strbuf_free(&sb);
    return NULL;
}

static char *merge_metrics(const lml_dml *d, const lml_merge_outcome *o, int64_t copied, lml_error *err) {
    lml_strbuf sb = {0};
    int64_t updated = o->matched_updated + o->not_matched_by_source_updated;
    lml_dml_metric(&sb, "numSourceRows", o->num_source_rows);
    lml_dml_metric(&sb, "numTargetRowsInserted", o->inserted_rows);
    lml_dml_metric(&sb, "numTargetRowsUpdated", updated);
    lml_dml_metric(&sb, "numTargetRowsMatchedUpdated", o->matched_updated);
    lml_dml_metric(&sb, "numTargetRowsNotMatchedBySourceUpdated", o->not_matched_by_source_updated);
    lml_dml_metric(&sb, "numTargetRowsDeleted", o->matched_deleted + o->not_matched_by_source_deleted);
    lml_dml_metric(&sb, "numTargetRowsMatchedDeleted", o->matched_deleted);
    lml_dml_metric(&sb, "numTargetRowsNotMatchedBySourceDeleted", o->not_matched_by_source_deleted);
    lml_dml_metric(&sb, "numTargetRowsCopied", copied);
    lml_dml_metric(&sb, "numTargetBytesAdded", d->bytes_added);
    lml_dml_metric(&sb, "numTargetBytesRemoved", d->bytes_removed);
    lml_dml_metric(&sb, "numOutputRows", o->inserted_rows + updated + copied);
    lml_dml_metric(&sb, "numTargetFilesAdded", d->files_added);
    lml_dml_metric(&sb, "numTargetFilesRemoved", d->files_removed);
    lml_dml_metric(&sb, "numTargetChangeFilesAdded", d->planned ? d->plan.cdc_files : 0);
    lml_dml_metric(&sb, "executionTimeMs", lml_dml_elapsed(d));
    lml_dml_metric(&sb, "materializeSourceTimeMs", 0);
    lml_dml_metric(&sb, "scanTimeMs", d->scan_ms);
    lml_dml_metric(&sb, "rewriteTimeMs", d->rewrite_ms);
    lml_dml_metric(&sb, "numTargetDeletionVectorsAdded", d->dv_added);
    lml_dml_metric(&sb, "numTargetDeletionVectorsRemoved", d->dv_removed);
    lml_dml_metric(&sb, "numTargetDeletionVectorsUpdated", d->dv_updated);
    lml_strbuf_putc(&sb, '}');
    return lml_strbuf_finish(&sb, err);
}

/* Every candidate file's rows as one target frame (the table's columns). */
static lml_frame *target_rows(lml_dml *d, lml_error *err) {
    if (d->nfiles == 0) return lml_dml_empty_frame(d, err);
    if (d->nfiles == 1) return lml_frame_retain(d->files[0].rows);
    const lml_frame **parts = calloc(d->nfiles + 1, sizeof *parts);
    if (!parts) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < d->nfiles; i++) parts[i] = d->files[i].rows;
    lml_frame *all = lml_frame_union_by_name(parts, d->nfiles, err);
    free(parts);
    return all;
}

/* Hands each file its rows' fates and updated values from the outcome. */
static bool split_outcome(lml_dml *d, const lml_merge_outcome *o, lml_error *err) {
    size_t base = 0, u = 0, nupd = o->updated ? lml_frame_num_rows(o->updated) : 0;
    for (size_t i = 0; i < d->nfiles; i++) {
        lml_dml_file *f = &d->files[i];
        size_t n = lml_frame_num_rows(f->rows), nd = 0, nu = 0;
        for (size_t r = 0; r < n; r++) {
            nd += o->row_action[base + r] == LML_MERGE_ROW_DELETED;
            nu += o->row_action[base + r] == LML_MERGE_ROW_UPDATED;
        }
        if (nd + nu) {
            if (!(f->action = malloc(n + 1))) return lml_error_set(err, LML_ENOMEM, "out of memory");
            memcpy(f->action, o->row_action + base, n);
            f->ndeleted = nd;
            f->nupdated = nu;
            if (nu) {
                if (u + nu > nupd || o->updated_rows[u] < base || o->updated_rows[u + nu - 1] >= base + n)
                    return lml_error_set(err, LML_EINVAL, "%s: MERGE's updated rows do not match its row actions", d->root);
                if (!(f->updated = lml_frame_slice(o->updated, u, nu, err))) return false;
            }
        }
        u += nu;
        base += n;
    }
    return true;
}

static bool modifies(const lml_merge_spec *s) {
    for (size_t i = 0; i < s->nclauses; i++)
        if (s->clauses[i].kind != LML_MERGE_NOT_MATCHED) return true;
    return false;
}

static bool execute(lml_delta_merge *m, lml_dml *d, lml_delta_result *out, lml_error *err) {
    const lml_merge_spec *s = &m->spec;
    const lml_delta_metadata *md = &d->t->state.metadata;
    bool by_source = false;
    for (size_t i = 0; i < s->nclauses; i++) by_source |= s->clauses[i].kind == LML_MERGE_NOT_MATCHED_BY_SOURCE;
    const char *ao = lml_delta_map_get(&md->configuration, "delta.appendOnly", NULL);
    if (ao && strcasecmp(ao, "true") == 0 && modifies(s))
        return lml_error_set(err, LML_EUNSUPPORTED,
                             "%s: this table is configured to only allow appends (delta.appendOnly); this MERGE could "
                             "change data (DELTA_CANNOT_MODIFY_APPEND_ONLY)",
                             d->root);
    /* With NOT MATCHED BY SOURCE every target row may change: all files are candidates. */
    if (!lml_dml_set_predicate(d, by_source ? NULL : s->condition, m->talias, m->source, err)) return false;
    size_t n = 0;
    const lml_delta_file **files = lml_dml_candidates(d, &n, err);
    lml_merge_outcome o = {0};
    lml_frame *target = NULL;
    char *params = NULL, *metrics = NULL;
    bool ok = files && lml_dml_read(d, files, n, NULL, NULL, err) && (target = target_rows(d, err));
    d->scan_ms = lml_dml_elapsed(d);
    ok = ok && lml_merge_plan_run(s, target, m->source, &o, err);
    lml_frame_free(target);
    ok = ok && split_outcome(d, &o, err) && lml_dml_plan(d, o.schema, s->schema_evolution, err);
    /* An UPDATE that may assign a partition column moves rows between partitions. */
    for (size_t i = 0; ok && md->npartition && i < s->nclauses; i++) {
        const lml_merge_clause *c = &s->clauses[i];
        d->moves_rows |= c->action == LML_MERGE_UPDATE_ALL;
        for (size_t a = 0; c->action == LML_MERGE_UPDATE && a < c->nassign; a++)
            for (size_t p = 0; p < md->npartition; p++) {
                const char *col = strrchr(c->columns[a], '.') ? strrchr(c->columns[a], '.') + 1 : c->columns[a];
                d->moves_rows |= strcasecmp(md->partition_columns[p], col) == 0;
            }
    }
    ok = ok && lml_dml_apply(d, err) && lml_dml_insert(d, o.inserted, err) && lml_dml_finish(d, err);
    if (ok) ok = (params = merge_parameters(m, err)) && (metrics = merge_metrics(d, &o, d->rows_copied, err));
    ok = ok && lml_dml_commit(d, params, metrics, out, err);
    lml_merge_outcome_clear(&o);
    free(params);
    free(metrics);
    free(files);
    return ok;
}

bool lml_delta_merge_execute(lml_delta_merge *m, const lml_delta_dml_options *opt, lml_delta_result *out,
                             lml_error *err) {
    if (out) memset(out, 0, sizeof *out);
    if (!m) return lml_error_set(err, LML_EINVAL, "lml_delta_merge_execute: NULL merge");
    lml_dml d;
    bool ok = lml_dml_open(&d, m->path, "MERGE", opt, err);
    if (ok && d.skipped) {
        ok = lml_dml_skipped_result(&d, out, err);
    } else if (ok) {
        ok = execute(m, &d, out, err);
    }
    lml_dml_close(&d);
    return ok;
}

/* The frame of a DML transaction (delta.md §10, §8.2): the table as read, the read predicate the
 * conflict checks use, the write plan, and the one commit with Spark's commitInfo. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "../core/internal.h"
#include "../frame/internal.h"
#include "../io/parquet/writer_internal.h"
#include "dml.h"

static bool truthy(const lml_delta_map *conf, const char *key) {
    const char *v = lml_delta_map_get(conf, key, NULL);
    return v && strcasecmp(v, "true") == 0;
}

static bool has_feature(const lml_delta_protocol *p, const char *name) {
    bool found = false;
    if (p->has_writer_features) lml_delta_map_get(&p->writer_features, name, &found);
    return found;
}

int64_t lml_dml_elapsed(const lml_dml *d) { return lml_delta_now_ms() - d->t0; }

char *lml_dml_metrics_finish(lml_strbuf *sb, const lml_dml *d, lml_error *err) {
    lml_dml_metric(sb, "executionTimeMs", lml_dml_elapsed(d));
    lml_dml_metric(sb, "scanTimeMs", d->scan_ms);
    lml_dml_metric(sb, "rewriteTimeMs", d->rewrite_ms);
    lml_dml_metric(sb, "numRemovedBytes", d->bytes_removed);
    lml_dml_metric(sb, "numAddedBytes", d->bytes_added);
    lml_strbuf_putc(sb, '}');
    return lml_strbuf_finish(sb, err);
}

void lml_dml_metric(lml_strbuf *sb, const char *key, int64_t v) {
    lml_strbuf_printf(sb, "%c\"%s\":\"%lld\"", sb->len ? ',' : '{', key, (long long)v);
}

bool lml_dml_open(lml_dml *d, const char *path, const char *operation, const lml_delta_dml_options *opt,
                  lml_error *err) {
    memset(d, 0, sizeof *d);
    d->operation = operation;
    d->t0 = lml_delta_now_ms();
    if (opt) d->opt = *opt;
    if (!path) return lml_error_set(err, LML_EINVAL, "%s: NULL table path", operation);
    if (!(d->t = lml_delta_table_open(path, NULL, err))) return false;
    const lml_delta_table *t = d->t;
    if (!(d->root = lml_strdup(t->log.root, err))) return false;
    if (!lml_delta_writer_supports(t, err)) return false;
    const lml_delta_map *conf = &t->state.metadata.configuration;
    const lml_delta_protocol *p = &t->state.protocol;
    /* Deletion vectors are written only when the property asks for them and the protocol lists
     * the feature (§7.5); otherwise copy-on-write. */
    d->dv = truthy(conf, "delta.enableDeletionVectors") && has_feature(p, "deletionVectors");
    d->cdf = truthy(conf, "delta.enableChangeDataFeed");
    if (d->cdf && !(p->min_writer >= 4 && (p->min_writer < 7 || has_feature(p, "changeDataFeed"))))
        return lml_error_set(err, LML_EUNSUPPORTED,
                             "%s: delta.enableChangeDataFeed is set but the protocol (writer version %d) does not "
                             "support the change data feed",
                             d->root, p->min_writer);
    d->skipped = lml_delta_txn_done(t, d->opt.txn_app_id, d->opt.txn_version);
    d->wopt.mode = LML_DELTA_APPEND;
    d->wopt.txn_app_id = d->opt.txn_app_id;
    d->wopt.txn_version = d->opt.txn_version;
    d->read_whole = true;
    lml_delta_read_options ro = {0};
    return lml_delta_scan_spec_init(&d->spec, t, &ro, err);
}

bool lml_dml_skipped_result(const lml_dml *d, lml_delta_result *out, lml_error *err) {
    if (!out) return true;
    *out = (lml_delta_result){.version = d->t->state.version, .skipped = true};
    return (out->metrics = lml_strdup("{}", err)) != NULL;
}

void lml_dml_close(lml_dml *d) {
    for (size_t i = 0; i < d->nfiles; i++) {
        lml_dml_file *f = &d->files[i];
        lml_frame_free(f->rows);
        lml_frame_free(f->updated);
        free(f->pos);
        free(f->action);
    }
    free(d->files);
    for (size_t i = 0; i < d->nread; i++) free(d->read_paths[i]);
    free(d->read_paths);
    free(d->preds);
    free(d->filters);
    if (d->planned) lml_delta_plan_clear(&d->plan);
    for (size_t i = 0; i < d->ncdc; i++) lml_frame_free(d->cdc[i]);
    free(d->cdc);
    if (d->t) lml_delta_scan_spec_clear(&d->spec);
    lml_delta_table_free(d->t);
    free(d->root);
    memset(d, 0, sizeof *d);
}

lml_frame *lml_dml_empty_frame(const lml_dml *d, lml_error *err) {
    const lml_delta_schema *s = &d->t->schema;
    lml_field *fields = calloc(s->nfields + 1, sizeof *fields);
    if (!fields) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    bool ok = true;
    for (size_t i = 0; ok && i < s->nfields; i++)
        ok = (fields[i].name = lml_strdup(s->fields[i].name, err)) &&
             (fields[i].col = lml_delta_field_null_column(&s->fields[i], 0, err));
    if (ok) return lml_frame_adopt(fields, s->nfields, err);
    lml_fields_free(fields, s->nfields);
    return NULL;
}

bool lml_dml_condition(const lml_dml *d, const char *text, lml_expr **out, lml_error *err) {
    *out = NULL;
    if (!text || !*text) return true;
    lml_expr *e = lml_expr_parse(text, err);
    lml_frame *empty = e ? lml_dml_empty_frame(d, err) : NULL;
    lml_expr_input in = {.frame = empty};
    lml_type type;
    bool ok = empty && lml_expr_result_type(e, &in, 1, &type, err);
    if (ok && type != LML_BOOL)
        ok = lml_error_set(err, LML_ETYPE, "%s: the condition '%s' is of type %s, not boolean", d->root, text,
                           lml_type_name(type));
    lml_frame_free(empty);
    if (ok) *out = e;
    else lml_expr_free(e);
    return ok;
}

bool lml_dml_set_predicate(lml_dml *d, const lml_expr *cond, const char *alias, const lml_frame *other,
                           lml_error *err) {
    d->read_whole = cond == NULL;
    if (!cond) return true;
    size_t n = lml_expr_conjuncts(cond, NULL, 0);
    const lml_expr **parts = calloc(n + 1, sizeof *parts);
    d->preds = calloc(n + 1, sizeof *d->preds);
    d->filters = calloc(n + 1, sizeof *d->filters);
    if (!parts || !d->preds || !d->filters) {
        free(parts);
        return lml_error_set(err, LML_ENOMEM, "out of memory");
    }
    lml_expr_conjuncts(cond, parts, n);
    const lml_delta_table *t = d->t;
    for (size_t i = 0; i < n; i++) {
        const char *q = NULL;
        lml_parquet_predicate p;
        if (!lml_expr_as_predicate(parts[i], &q, &p) || !p.column) continue;
        if (q && (!alias || strcasecmp(q, alias) != 0)) continue; /* the source's, or unknown */
        if (!q && other && lml_frame_column_index(other, p.column) >= 0) continue; /* ambiguous: not the target's */
        long k = lml_delta_schema_find(&t->schema, p.column);
        if (k < 0) continue;
        lml_delta_skip_filter *sf = &d->filters[d->nfilters];
        d->preds[d->nfilters] = p;
        sf->pred = &d->preds[d->nfilters];
        sf->field = &t->schema.fields[k];
        sf->key = lml_delta_physical_name(t, sf->field);
        for (size_t c = 0; c < t->state.metadata.npartition; c++)
            sf->partition |= strcasecmp(t->state.metadata.partition_columns[c], sf->field->name) == 0;
        d->nfilters++;
    }
    free(parts);
    return true;
}

bool lml_dml_plan(lml_dml *d, const lml_frame *schema, bool merge_schema, lml_error *err) {
    if (d->planned) return true;
    lml_frame *empty = schema ? lml_frame_retain(schema) : lml_dml_empty_frame(d, err);
    if (!empty) return false;
    d->wopt.merge_schema = merge_schema;
    bool ok = lml_delta_plan_init(&d->plan, d->t, d->root, empty, &d->wopt, err);
    lml_frame_free(empty);
    d->planned = ok;
    return ok;
}

char *lml_dml_predicate_json(const lml_expr *e, lml_error *err) {
    lml_strbuf sb = {0};
    lml_strbuf_putc(&sb, '[');
    if (!e) lml_strbuf_puts(&sb, "\"true\"");
    if (e) {
        char *sql = lml_expr_sql(e, err);
        if (!sql) {
            lml_strbuf_free(&sb);
            return NULL;
        }
        lml_pq_json_string(&sb, sql);
        free(sql);
    }
    lml_strbuf_putc(&sb, ']');
    return lml_strbuf_finish(&sb, err);
}

char *lml_dml_predicate_params(const lml_expr *e, lml_error *err) {
    char *pred = lml_dml_predicate_json(e, err);
    if (!pred) return NULL;
    lml_strbuf sb = {0};
    lml_strbuf_puts(&sb, "{\"predicate\":");
    lml_pq_json_string(&sb, pred);
    lml_strbuf_putc(&sb, '}');
    free(pred);
    return lml_strbuf_finish(&sb, err);
}

/* True when the plan holds a file action (add, remove or cdc): something to commit. */
static bool changes(const lml_dml *d) {
    for (size_t i = 0; d->planned && i < d->plan.nactions; i++) {
        lml_delta_action_kind k = d->plan.actions[i].kind;
        if (k == LML_DA_ADD || k == LML_DA_REMOVE || k == LML_DA_CDC) return true;
    }
    return false;
}

bool lml_dml_commit(lml_dml *d, const char *params, const char *metrics, lml_delta_result *out, lml_error *err) {
    const lml_delta_table *t = d->t;
    lml_delta_result r = {.version = t->state.version};
    if (!(r.metrics = lml_strdup(metrics, err))) return false;
    if (changes(d)) {
        const lml_delta_metadata *m = &d->plan.metadata;
        lml_delta_tx tx = {.root = d->root,
                           .read_version = t->state.version,
                           .read_whole_table = d->read_whole,
                           .changes_metadata = d->plan.new_metadata,
                           .app_id = d->opt.txn_app_id,
                           .read_paths = (const char *const *)d->read_paths,
                           .nread_paths = d->nread,
                           .check_read_predicate = true,
                           .read_filters = d->filters,
                           .nread_filters = d->nfilters,
                           .actions = d->plan.actions,
                           .nactions = d->plan.nactions,
                           .operation = d->operation,
                           .parameters = params,
                           .metrics = metrics,
                           .user_metadata = d->opt.user_metadata,
                           .ict = truthy(&m->configuration, "delta.enableInCommitTimestamps"),
                           .previous_ict = t->state.has_ict ? t->state.in_commit_timestamp : 0};
        if (!lml_delta_commit(t->st, &tx, &r.version, err) ||
            !lml_delta_maybe_checkpoint(d->root, m, r.version, err)) {
            free(r.metrics);
            return false;
        }
        r.committed = true;
    }
    if (out) *out = r;
    else free(r.metrics);
    return true;
}

void lml_delta_result_clear(lml_delta_result *r) {
    if (!r) return;
    free(r->metrics);
    memset(r, 0, sizeof *r);
}

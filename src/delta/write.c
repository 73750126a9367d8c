/* df.write.format("delta") (delta.md §8): create, append, overwrite (whole table, or replaceWhere:
 * the rows a SQL condition selects), schema enforcement and evolution, partitioned data files,
 * stats, and the commit. A write is a writer (lml_delta_writer_*) fed one batch or many: data files are
 * written as batches arrive (write_files.c) and stay invisible until the one commit exists;
 * lml_delta_write is open + one batch + commit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "../core/internal.h"
#include "../frame/internal.h"
#include "../io/parquet/writer_internal.h"
#include "checkpoint.h"
#include "commit.h"
#include "dml.h"
#include "pvalue.h"
#include "skip.h"
#include "stats.h"
#include "table.h"
#include "write_internal.h"

static const char *const mode_names[] = {"ErrorIfExists", "Append", "Overwrite", "Ignore"};

/* ---- protocol */

/* Writer features lakeml honours when it appends or overwrites (§5.3): anything else listed, or
 * a legacy feature that is active, makes the write refuse rather than break the table. */
static const char *const writer_features[] = {"appendOnly", "invariants", "timestampNtz", "deletionVectors",
                                              "domainMetadata", "inCommitTimestamp", "vacuumProtocolCheck",
                                              "checkConstraints", "generatedColumns", "identityColumns",
                                              "changeDataFeed", "columnMapping", "timestampWithoutTimezone"};

static bool truthy(const lml_delta_map *conf, const char *key) {
    const char *v = lml_delta_map_get(conf, key, NULL);
    return v && strcasecmp(v, "true") == 0;
}

bool lml_delta_writer_feature_known(const char *name) {
    for (size_t k = 0; k < sizeof writer_features / sizeof *writer_features; k++)
        if (strcmp(name, writer_features[k]) == 0) return true;
    return false;
}

bool lml_delta_writer_supports(const lml_delta_table *t, lml_error *err) {
    const lml_delta_protocol *p = &t->state.protocol;
    const lml_delta_metadata *m = &t->state.metadata;
    const char *root = t->log.root;
    if (p->min_writer > 7)
        return lml_error_set(err, LML_EUNSUPPORTED, "%s: the table requires Delta writer version %d; lakeml writes 1 to 7",
                             root, p->min_writer);
    for (size_t i = 0; i < p->writer_features.n; i++) {
        if (!lml_delta_writer_feature_known(p->writer_features.keys[i]))
            return lml_error_set(err, LML_EUNSUPPORTED,
                                 "%s: the table requires writer feature '%s', which lakeml does not implement "
                                 "(DELTA_UNSUPPORTED_FEATURES_FOR_WRITE)",
                                 root, p->writer_features.keys[i]);
    }
    /* Features lakeml can carry but not yet enforce are refused only when they are in use. */
    for (size_t i = 0; i < m->configuration.n; i++)
        if (strncmp(m->configuration.keys[i], "delta.constraints.", 18) == 0)
            return lml_error_set(err, LML_EUNSUPPORTED, "%s: CHECK constraint '%s' is not enforced by lakeml's writer", root,
                                 m->configuration.keys[i] + 18);
    /* A change data feed needs nothing from appends and overwrites (readers take their adds and
     * removes as the changes); DELETE / UPDATE / MERGE write the cdc files (dml_cdf.c). */
    if (t->mapping != LML_MAPPING_NONE)
        return lml_error_set(err, LML_EUNSUPPORTED, "%s: writing to a table with column mapping is not supported", root);
    for (size_t i = 0; i < t->schema.nfields; i++) {
        const char *md = t->schema.fields[i].metadata;
        if (md && (strstr(md, "\"delta.generationExpression\"") || strstr(md, "\"delta.identity.") ||
                   strstr(md, "\"delta.invariants\"")))
            return lml_error_set(err, LML_EUNSUPPORTED,
                                 "%s: column '%s' is generated, an identity column or has an invariant; lakeml's "
                                 "writer cannot enforce it",
                                 root, t->schema.fields[i].name);
    }
    return true;
}

/* ---- the write */

static void put_string_array(lml_strbuf *sb, const char *const *items, size_t n) {
    lml_strbuf_putc(sb, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) lml_strbuf_putc(sb, ',');
        lml_pq_json_string(sb, items[i]);
    }
    lml_strbuf_putc(sb, ']');
}

/* operationParameters of a WRITE: mode, partitionBy (a JSON array inside a string), predicate. */
static char *write_parameters(const lml_delta_write_options *opt, const lml_delta_metadata *m, const char *predicate,
                              lml_error *err) {
    lml_strbuf arr = {0}, sb = {0};
    put_string_array(&arr, (const char *const *)m->partition_columns, m->npartition);
    char *a = lml_strbuf_finish(&arr, err);
    if (!a) return NULL;
    lml_strbuf_printf(&sb, "{\"mode\":\"%s\",\"partitionBy\":", mode_names[opt->mode]);
    lml_pq_json_string(&sb, a);
    free(a);
    if (predicate) {
        lml_strbuf_puts(&sb, ",\"predicate\":");
        lml_pq_json_string(&sb, predicate);
    }
    lml_strbuf_putc(&sb, '}');
    return lml_strbuf_finish(&sb, err);
}

/* An overwrite replaces every live file. */
static bool collect_removes(const lml_delta_table *t, lml_delta_plan *plan, lml_error *err) {
    int64_t now = lml_delta_now_ms();
    bool ok = true;
    for (size_t i = 0; ok && i < t->state.nfiles; i++) ok = lml_delta_plan_remove(plan, &t->state.files[i], now, err);
    return ok;
}

static bool existing_table(const char *path, lml_delta_table **t, lml_error *err) {
    *t = NULL;
    if (!lml_delta_is_table(path)) return true;
    lml_error e = {0};
    *t = lml_delta_table_open(path, NULL, &e);
    if (*t) return true;
    if (e.code == LML_ENOTFOUND && strstr(e.message, "not a Delta table")) return true; /* an empty _delta_log */
    if (err) *err = e;
    return false;
}

struct lml_delta_writer {
    char *path;
    const lml_delta_write_options *opt; /* the caller's, alive until commit or abort */
    lml_delta_table *t;                 /* the table as it was at open (NULL: the write creates it) */
    bool noop;                          /* IGNORE on an existing table, or a transaction already done */
    int64_t noop_version;
    bool started, failed;
    lml_delta_plan plan;                /* from the first batch on */
    lml_frame *proto;                   /* no rows: the first batch's columns, for later batches */
    /* replaceWhere: the condition every written row must satisfy and, on an existing table, the
     * transaction that deletes the rows it selects (as DELETE does) and writes the new ones. */
    lml_expr *rw;
    lml_dml *dml;
    lml_expr *rw_bound;                 /* rw checked against the table's columns (the dml's) */
    int64_t rows_in;
};

lml_delta_writer *lml_delta_writer_open(const char *path, const lml_delta_write_options *opt, lml_error *err) {
    static const lml_delta_write_options dflt = {0};
    if (!opt) opt = &dflt;
    if (!path) {
        lml_error_set(err, LML_EINVAL, "lml_delta_writer_open: NULL path");
        return NULL;
    }
    if ((unsigned)opt->mode > LML_DELTA_IGNORE) {
        lml_error_set(err, LML_EINVAL, "lml_delta_write: bad mode %d", (int)opt->mode);
        return NULL;
    }
    if (opt->replace_where && opt->mode != LML_DELTA_OVERWRITE) {
        lml_error_set(err, LML_EINVAL, "%s: replaceWhere needs mode overwrite", path);
        return NULL;
    }
    lml_delta_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->path = lml_strdup(path, err))) {
        if (!w) lml_error_set(err, LML_ENOMEM, "out of memory");
        free(w);
        return NULL;
    }
    w->opt = opt;
    if (!existing_table(path, &w->t, err)) {
        lml_delta_writer_abort(w);
        return NULL;
    }
    lml_delta_table *t = w->t;
    if (t && opt->mode == LML_DELTA_ERROR_IF_EXISTS) {
        lml_delta_writer_abort(w);
        lml_error_set(err, LML_EINVAL, "%s: the Delta table already exists (mode ErrorIfExists)", path);
        return NULL;
    }
    w->noop = t && opt->mode == LML_DELTA_IGNORE;
    /* Idempotent writes: a transaction of this application at this version or later is done. */
    w->noop |= t && lml_delta_txn_done(t, opt->txn_app_id, opt->txn_version);
    if (w->noop) w->noop_version = lml_delta_table_version(t);
    bool ok = !opt->replace_where || (w->rw = lml_expr_parse(opt->replace_where, err)) != NULL;
    if (ok && w->rw && t && !w->noop) {
        lml_delta_dml_options o = {.txn_app_id = opt->txn_app_id, .txn_version = opt->txn_version,
                                   .user_metadata = opt->user_metadata};
        ok = (w->dml = calloc(1, sizeof *w->dml)) ? lml_dml_open(w->dml, path, "WRITE", &o, err)
                                                  : lml_error_set(err, LML_ENOMEM, "out of memory");
    }
    if (!ok) {
        lml_delta_writer_abort(w);
        return NULL;
    }
    return w;
}

/* DELTA_REPLACE_WHERE_MISMATCH unless the condition is true for every row of f. */
static bool check_replace_where(const lml_delta_writer *w, const lml_frame *f, lml_error *err) {
    lml_expr_input in = {.frame = f};
    uint8_t *mask = NULL;
    if (!lml_expr_eval_mask(w->rw, &in, 1, &mask, err)) return false;
    size_t n = lml_frame_num_rows(f), r = 0;
    while (r < n && lml_bit_get(mask, r)) r++;
    free(mask);
    if (r == n) return true;
    return lml_error_set(err, LML_EINVAL,
                         "%s: row %zu of the data to write does not satisfy replaceWhere '%s' "
                         "(DELTA_REPLACE_WHERE_MISMATCH)",
                         w->path, (size_t)(w->rows_in + (int64_t)r), w->opt->replace_where);
}

/* replaceWhere on an existing table: the plan is the dml's, checked like an overwrite. */
static bool start_replace(lml_delta_writer *w, const lml_frame *f, lml_error *err) {
    lml_dml *d = w->dml;
    d->wopt.mode = LML_DELTA_OVERWRITE;
    d->wopt.partition_by = w->opt->partition_by;
    lml_frame *schema = lml_frame_slice(f, 0, 0, err);
    bool ok = schema && lml_dml_condition(d, w->opt->replace_where, &w->rw_bound, err) &&
              lml_dml_set_predicate(d, w->rw_bound, NULL, NULL, err) && lml_dml_plan(d, schema, w->opt->merge_schema, err);
    lml_frame_free(schema);
    w->started = ok;
    return ok;
}

static bool replace_metrics_and_commit(lml_delta_writer *w, int64_t *version, lml_error *err) {
    lml_dml *d = w->dml;
    bool whole = false;
    char *pred = NULL, *params = NULL, *metrics = NULL;
    bool ok = lml_dml_delete_where(d, w->rw_bound, &whole, err) && lml_dml_finish(d, err) &&
              (pred = lml_dml_predicate_json(w->rw_bound, err)) &&
              (params = write_parameters(w->opt, &d->plan.metadata, pred, err));
    if (ok) {
        lml_strbuf sb = {0};
        lml_dml_metric(&sb, "numFiles", d->files_added);
        lml_dml_metric(&sb, "numOutputRows", w->rows_in);
        lml_dml_metric(&sb, "numOutputBytes", d->bytes_added);
        lml_dml_metric(&sb, "numRemovedFiles", d->files_removed);
        lml_dml_metric(&sb, "numRemovedBytes", d->bytes_removed);
        if (!whole) { /* rows are counted only when files were read */
            lml_dml_metric(&sb, "numDeletedRows", d->rows_deleted);
            lml_dml_metric(&sb, "numCopiedRows", d->rows_copied);
        }
        lml_dml_metric(&sb, "numAddedChangeFiles", d->plan.cdc_files);
        lml_strbuf_putc(&sb, '}');
        ok = (metrics = lml_strbuf_finish(&sb, err)) != NULL;
    }
    lml_delta_result r = {0};
    ok = ok && lml_dml_commit(d, params, metrics, &r, err);
    if (ok && version) *version = r.version;
    lml_delta_result_clear(&r);
    free(pred);
    free(params);
    free(metrics);
    return ok;
}

/* Later batches: the first batch's column names, in order, and types. */
static bool same_columns(const lml_delta_writer *w, const lml_frame *f, lml_error *err) {
    const lml_frame *p = w->proto;
    if (lml_frame_num_cols(f) != lml_frame_num_cols(p))
        return lml_error_set(err, LML_EINVAL, "%s: batch has %zu columns, the first batch had %zu", w->path,
                             lml_frame_num_cols(f), lml_frame_num_cols(p));
    for (size_t i = 0; i < lml_frame_num_cols(f); i++) {
        const char *a = lml_frame_column_name(f, i), *b = lml_frame_column_name(p, i);
        if (strcmp(a, b) != 0)
            return lml_error_set(err, LML_EINVAL, "%s: batch column %zu is '%s', the first batch had '%s'", w->path, i, a, b);
        if (!lml_pq_same_type(lml_frame_column(f, i), lml_frame_column(p, i))) {
            char x[48], y[48];
            return lml_error_set(err, LML_EINVAL, "%s: column '%s' is %s in this batch but %s in the first batch", w->path,
                                 a, lml_column_type_string(lml_frame_column(f, i), x, sizeof x),
                                 lml_column_type_string(lml_frame_column(p, i), y, sizeof y));
        }
    }
    return true;
}

/* The first batch decides the table's schema after the write (enforcement, evolution) and,
 * for an overwrite, the files it replaces. */
static bool start(lml_delta_writer *w, const lml_frame *f, lml_error *err) {
    if (w->rw && !check_replace_where(w, f, err)) return false;
    if (w->dml) {
        if (!start_replace(w, f, err) || !(w->proto = lml_frame_slice(f, 0, 0, err))) return false;
        w->rows_in = (int64_t)lml_frame_num_rows(f);
        return lml_dml_insert(w->dml, f, err);
    }
    if (!lml_delta_plan_init(&w->plan, w->t, w->path, f, w->opt, err)) return false;
    w->started = true;
    if (w->t && w->opt->mode == LML_DELTA_OVERWRITE && !collect_removes(w->t, &w->plan, err)) return false;
    if (!(w->proto = lml_frame_slice(f, 0, 0, err))) return false;
    lml_frame *rows = w->plan.rows;
    w->plan.rows = NULL;
    bool ok = lml_delta_plan_add_rows(&w->plan, rows, err);
    lml_frame_free(rows);
    return ok;
}

bool lml_delta_writer_write(lml_delta_writer *w, const lml_frame *f, lml_error *err) {
    if (!w || !f) return lml_error_set(err, LML_EINVAL, "lml_delta_writer_write: NULL %s", w ? "frame" : "writer");
    if (w->noop) return true;
    if (w->failed) return lml_error_set(err, LML_EINVAL, "%s: an earlier batch failed; the write can only be aborted", w->path);
    if (!w->started) {
        if (!start(w, f, err)) w->failed = true;
        return !w->failed;
    }
    /* Refused before anything was written: the writer stays usable. */
    if (!same_columns(w, f, err) || (w->rw && !check_replace_where(w, f, err))) return false;
    bool ok;
    if (w->dml) {
        ok = lml_dml_insert(w->dml, f, err);
    } else {
        lml_frame *rows = NULL;
        ok = lml_delta_plan_conform(&w->plan, f, &rows, err) && lml_delta_plan_add_rows(&w->plan, rows, err);
        lml_frame_free(rows);
    }
    w->rows_in += (int64_t)lml_frame_num_rows(f);
    if (!ok) w->failed = true;
    return ok;
}

static bool commit(lml_delta_writer *w, int64_t *version, lml_error *err) {
    const lml_delta_write_options *opt = w->opt;
    const lml_delta_table *t = w->t;
    lml_delta_plan *plan = &w->plan;
    if (w->failed) return lml_error_set(err, LML_EINVAL, "%s: an earlier batch failed; nothing was committed", w->path);
    if (!w->started) return lml_error_set(err, LML_EINVAL, "%s: no batch was written, so there is no schema", w->path);
    if (w->dml) return replace_metrics_and_commit(w, version, err);
    bool ok = lml_delta_plan_flush(plan, err);
    char *predicate = NULL, *params = NULL, *metrics = NULL;
    /* replaceWhere creating the table: nothing to replace, the predicate is still recorded. */
    if (ok && w->rw) ok = (predicate = lml_dml_predicate_json(w->rw, err)) != NULL;
    if (ok) ok = (params = write_parameters(opt, &plan->metadata, predicate, err)) != NULL;
    if (ok) ok = (metrics = lml_delta_plan_metrics(plan, err)) != NULL;
    int64_t v = -1;
    if (ok) {
        lml_delta_tx tx = {.root = plan->root,
                            .read_version = t ? lml_delta_table_version(t) : -1,
                            .read_whole_table = opt->mode == LML_DELTA_OVERWRITE,
                            .blind_append = opt->mode != LML_DELTA_OVERWRITE,
                            .changes_metadata = plan->new_metadata,
                            .app_id = opt->txn_app_id,
                            .actions = plan->actions,
                            .nactions = plan->nactions,
                            .operation = "WRITE",
                            .parameters = params,
                            .metrics = metrics,
                            .user_metadata = opt->user_metadata,
                            .ict = truthy(&plan->metadata.configuration, "delta.enableInCommitTimestamps"),
                            .previous_ict = t && t->state.has_ict ? t->state.in_commit_timestamp : 0};
        ok = lml_delta_commit(lml_storage_local(), &tx, &v, err);
    }
    if (ok) ok = lml_delta_maybe_checkpoint(plan->root, &plan->metadata, v, err);
    if (ok && version) *version = v;
    free(predicate);
    free(params);
    free(metrics);
    return ok;
}

bool lml_delta_writer_commit(lml_delta_writer *w, int64_t *version, lml_error *err) {
    if (!w) return lml_error_set(err, LML_EINVAL, "lml_delta_writer_commit: NULL writer");
    bool ok = true;
    if (w->noop) {
        if (version) *version = w->noop_version;
    } else {
        ok = commit(w, version, err);
    }
    lml_delta_writer_abort(w);
    return ok;
}

void lml_delta_writer_abort(lml_delta_writer *w) {
    if (!w) return;
    if (w->started && !w->dml) lml_delta_plan_clear(&w->plan);
    if (w->dml) lml_dml_close(w->dml);
    free(w->dml);
    lml_expr_free(w->rw);
    lml_expr_free(w->rw_bound);
    lml_frame_free(w->proto);
    lml_delta_table_free(w->t);
    free(w->path);
    free(w);
}

bool lml_delta_write(const lml_frame *f, const char *path, const lml_delta_write_options *opt, int64_t *version,
                     lml_error *err) {
    if (!f || !path) return lml_error_set(err, LML_EINVAL, "lml_delta_write: NULL frame or path");
    lml_delta_writer *w = lml_delta_writer_open(path, opt, err);
    if (!w) return false;
    if (!lml_delta_writer_write(w, f, err)) {
        lml_delta_writer_abort(w);
        return false;
    }
    return lml_delta_writer_commit(w, version, err);
}

/* df.write.format("delta") (delta.md §8): create, append, overwrite (whole table or replaceWhere
 * on partition columns), schema enforcement and evolution, partitioned data files, stats, and
 * the commit. Data files are written before the commit and stay invisible until it exists. */
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

bool lml_delta_writer_supports(const lml_delta_table *t, lml_error *err) {
    const lml_delta_protocol *p = &t->state.protocol;
    const lml_delta_metadata *m = &t->state.metadata;
    const char *root = t->log.root;
    if (p->min_writer > 7)
        return lml_error_set(err, LML_EUNSUPPORTED, "%s: the table requires Delta writer version %d; lakeml writes 1 to 7",
                             root, p->min_writer);
    for (size_t i = 0; i < p->writer_features.n; i++) {
        bool known = false;
        for (size_t k = 0; k < sizeof writer_features / sizeof *writer_features && !known; k++)
            known = strcmp(p->writer_features.keys[i], writer_features[k]) == 0;
        if (!known)
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
    if (truthy(&m->configuration, "delta.enableChangeDataFeed"))
        return lml_error_set(err, LML_EUNSUPPORTED,
                             "%s: the table records a change data feed (delta.enableChangeDataFeed), which lakeml's "
                             "writer does not produce yet",
                             root);
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

/* The files an overwrite replaces: all, or those whose partition values satisfy replaceWhere. */
static bool collect_removes(const lml_delta_table *t, const lml_delta_write_options *opt, lml_delta_plan *plan,
                            lml_error *err) {
    lml_delta_skip_filter *filters = calloc(opt->num_replace_where + 1, sizeof *filters);
    if (!filters) return lml_error_set(err, LML_ENOMEM, "out of memory");
    bool ok = lml_delta_replace_where_filters(t, opt, filters, err);
    int64_t now = lml_delta_now_ms();
    for (size_t i = 0; ok && i < t->state.nfiles; i++) {
        const lml_delta_file *f = &t->state.files[i];
        /* replaceWhere holds only partition predicates: a file is replaced when its (constant)
         * partition values satisfy all of them, i.e. when they cannot rule it out. */
        if (opt->num_replace_where && lml_delta_file_skipped(f, filters, opt->num_replace_where)) continue;
        ok = lml_delta_plan_remove(plan, f, now, err);
    }
    free(filters);
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

bool lml_delta_write(const lml_frame *f, const char *path, const lml_delta_write_options *opt, int64_t *version,
                     lml_error *err) {
    static const lml_delta_write_options dflt = {0};
    if (!opt) opt = &dflt;
    if (!f || !path) return lml_error_set(err, LML_EINVAL, "lml_delta_write: NULL frame or path");
    if ((unsigned)opt->mode > LML_DELTA_IGNORE) return lml_error_set(err, LML_EINVAL, "lml_delta_write: bad mode %d", (int)opt->mode);
    if (opt->num_replace_where && opt->mode != LML_DELTA_OVERWRITE)
        return lml_error_set(err, LML_EINVAL, "%s: replaceWhere needs mode overwrite", path);
    lml_delta_table *t = NULL;
    if (!existing_table(path, &t, err)) return false;
    if (t && opt->mode == LML_DELTA_ERROR_IF_EXISTS) {
        lml_delta_table_free(t);
        return lml_error_set(err, LML_EINVAL, "%s: the Delta table already exists (mode ErrorIfExists)", path);
    }
    if (t && opt->mode == LML_DELTA_IGNORE) {
        if (version) *version = lml_delta_table_version(t);
        lml_delta_table_free(t);
        return true;
    }
    /* Idempotent writes: a transaction of this application at this version or later is done. */
    if (t && opt->txn_app_id)
        for (size_t i = 0; i < t->state.ntxns; i++)
            if (strcmp(t->state.txns[i].app_id, opt->txn_app_id) == 0 && t->state.txns[i].version >= opt->txn_version) {
                if (version) *version = lml_delta_table_version(t);
                lml_delta_table_free(t);
                return true;
            }
    lml_delta_plan plan;
    bool ok = lml_delta_plan_init(&plan, t, path, f, opt, err);
    if (ok && t && opt->mode == LML_DELTA_OVERWRITE) ok = collect_removes(t, opt, &plan, err);
    if (ok) ok = lml_delta_plan_write_files(&plan, err);
    char *predicate = NULL, *params = NULL, *metrics = NULL;
    if (ok && opt->num_replace_where) ok = (predicate = lml_delta_predicate_text(opt, err)) != NULL;
    if (ok) ok = (params = write_parameters(opt, &plan.metadata, predicate, err)) != NULL;
    if (ok) ok = (metrics = lml_delta_plan_metrics(&plan, err)) != NULL;
    int64_t v = -1;
    if (ok) {
        lml_delta_tx tx = {.root = plan.root,
                            .read_version = t ? lml_delta_table_version(t) : -1,
                            .read_whole_table = opt->mode == LML_DELTA_OVERWRITE,
                            .blind_append = opt->mode != LML_DELTA_OVERWRITE,
                            .changes_metadata = plan.new_metadata,
                            .app_id = opt->txn_app_id,
                            .actions = plan.actions,
                            .nactions = plan.nactions,
                            .operation = "WRITE",
                            .parameters = params,
                            .metrics = metrics,
                            .user_metadata = opt->user_metadata,
                            .ict = truthy(&plan.metadata.configuration, "delta.enableInCommitTimestamps"),
                            .previous_ict = t && t->state.has_ict ? t->state.in_commit_timestamp : 0};
        ok = lml_delta_commit(lml_storage_local(), &tx, &v, err);
    }
    if (ok) ok = lml_delta_maybe_checkpoint(plan.root, &plan.metadata, v, err);
    if (ok && version) *version = v;
    free(predicate);
    free(params);
    free(metrics);
    lml_delta_plan_clear(&plan);
    lml_delta_table_free(t);
    return ok;
}

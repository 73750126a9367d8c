/* OPTIMIZE path [WHERE partition predicate] [ZORDER BY (cols)] (delta.md §11): choose the files
 * and bins (optimize_plan.c), rewrite each bin streaming (optimize_write.c, zorder.c), and
 * commit removes and adds with dataChange=false as operation OPTIMIZE with Spark's parameters and
 * metrics. The commit reads nothing but its own inputs, so a concurrent append never conflicts;
 * a winning commit that removed one of the inputs (or changed metadata or protocol) does, which
 * is Spark's rule that OPTIMIZE retries only while all its input files are still live. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "../core/internal.h"
#include "../io/parquet/writer_internal.h"
#include "commit.h"
#include "optimize_internal.h"
#include "write_internal.h"

#define DEFAULT_FILE_SIZE ((int64_t)1 << 30) /* Spark's optimize.maxFileSize / minFileSize: 1 GiB */
#define DEFAULT_INDEXED_COLS 32

/* delta.targetFileSize (bytes; a plain integer, or with a b/k/m/g suffix as Spark size strings). */
static int64_t target_file_size(const lml_delta_table *t) {
    const char *v = lml_delta_map_get(&t->state.metadata.configuration, "delta.targetFileSize", NULL);
    if (!v) return 0;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (end == v || n <= 0) return 0;
    while (*end == ' ') end++;
    int shift = 0;
    switch (*end | 0x20) {
    case 'k': shift = 10; break;
    case 'm': shift = 20; break;
    case 'g': shift = 30; break;
    default: break;
    }
    return n > (INT64_MAX >> shift) ? 0 : (int64_t)n << shift;
}

/* Z-order columns: existing data columns of an orderable primitive type, in the schema's
 * spelling (names[i] points into the schema). */
static bool resolve_zorder(const lml_delta_table *t, const char *const *cols, const char ***names, size_t *n,
                           lml_error *err) {
    const lml_delta_metadata *m = &t->state.metadata;
    size_t k = 0;
    while (cols && cols[k]) k++;
    *n = k;
    if (k > LML_ZORDER_MAX_COLUMNS)
        return lml_error_set(err, LML_EINVAL, "%s: ZORDER BY %zu columns; lakeml interleaves at most %d", t->log.root, k,
                             LML_ZORDER_MAX_COLUMNS);
    *names = calloc(k + 1, sizeof **names);
    if (!*names) return lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t i = 0; i < k; i++) {
        for (size_t p = 0; p < m->npartition; p++)
            if (strcasecmp(m->partition_columns[p], cols[i]) == 0)
                return lml_error_set(err, LML_EINVAL,
                                     "%s: %s is a partition column. Z-Ordering can only be performed on data columns "
                                     "(DELTA_ZORDERING_ON_PARTITION_COLUMN)",
                                     t->log.root, cols[i]);
        const lml_delta_field *f = NULL;
        for (size_t j = 0; j < t->schema.nfields && !f; j++)
            if (strcasecmp(t->schema.fields[j].name, cols[i]) == 0) f = &t->schema.fields[j];
        if (!f)
            return lml_error_set(err, LML_ENOTFOUND,
                                 "%s: Z-Ordering column %s does not exist in data schema "
                                 "(DELTA_ZORDERING_COLUMN_DOES_NOT_EXIST)",
                                 t->log.root, cols[i]);
        if (!lml_zorder_type_ok(f->type))
            return lml_error_set(err, LML_EINVAL, "%s: Z-Ordering column %s has type %s, which has no order", t->log.root,
                                 f->name, lml_type_name(f->type));
        for (size_t j = 0; j < i; j++)
            if ((*names)[j] == f->name)
                return lml_error_set(err, LML_EINVAL, "%s: Z-Ordering column %s is given twice", t->log.root, f->name);
        (*names)[i] = f->name;
    }
    return true;
}

static char *parameters(const char *predicate, const char *const *z, size_t nz, lml_error *err) {
    lml_strbuf arr = {0}, sb = {0};
    lml_strbuf_putc(&arr, '[');
    for (size_t i = 0; i < nz; i++) {
        if (i) lml_strbuf_putc(&arr, ',');
        lml_pq_json_string(&arr, z[i]);
    }
    lml_strbuf_putc(&arr, ']');
    char *a = lml_strbuf_finish(&arr, err);
    if (!a) return NULL;
    lml_strbuf_puts(&sb, "{\"predicate\":");
    lml_pq_json_string(&sb, predicate);
    lml_strbuf_puts(&sb, ",\"zOrderBy\":");
    lml_pq_json_string(&sb, a);
    lml_strbuf_puts(&sb, ",\"clusterBy\":\"[]\",\"auto\":false}");
    free(a);
    return lml_strbuf_finish(&sb, err);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Spark's OPTIMIZE operationMetrics (in the order Spark's map prints them); file size
 * percentiles over the added files as FileSizeStatsWithHistogram: sorted[(int)(count · p)]. */
static char *metrics(const lml_opt_ctx *c, lml_error *err) {
    int64_t added = 0, removed = 0, added_bytes = 0, removed_bytes = 0;
    int64_t *sizes = malloc((c->nactions + 1) * sizeof *sizes);
    if (!sizes) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < c->nactions; i++) {
        const lml_delta_action *a = &c->actions[i];
        if (a->kind == LML_DA_ADD) sizes[added++] = a->u.file.size, added_bytes += a->u.file.size;
        else if (a->kind == LML_DA_REMOVE) removed++, removed_bytes += a->u.file.size;
    }
    qsort(sizes, (size_t)added, sizeof *sizes, cmp_i64);
#define PCT(p) (added ? sizes[(size_t)((double)added * (p))] : 0)
    lml_strbuf sb = {0};
    lml_strbuf_printf(&sb,
                      "{\"numRemovedFiles\":\"%lld\",\"numRemovedBytes\":\"%lld\",\"p25FileSize\":\"%lld\","
                      "\"numDeletionVectorsRemoved\":\"%lld\",\"minFileSize\":\"%lld\",\"numAddedFiles\":\"%lld\","
                      "\"maxFileSize\":\"%lld\",\"p75FileSize\":\"%lld\",\"p50FileSize\":\"%lld\",\"numAddedBytes\":\"%lld\"}",
                      (long long)removed, (long long)removed_bytes, (long long)PCT(0.25), (long long)c->dvs_removed,
                      (long long)(added ? sizes[0] : 0), (long long)added, (long long)(added ? sizes[added - 1] : 0),
                      (long long)PCT(0.75), (long long)PCT(0.5), (long long)added_bytes);
#undef PCT
    free(sizes);
    return lml_strbuf_finish(&sb, err);
}

/* Commit order as Spark's: txn, then the adds, then the removes. */
static bool order_actions(lml_opt_ctx *c, const lml_delta_dml_options *dml, lml_delta_action **out, size_t *n,
                          lml_error *err) {
    lml_delta_action *a = calloc(c->nactions + 2, sizeof *a);
    if (!a) return lml_error_set(err, LML_ENOMEM, "out of memory");
    size_t k = 0;
    if (dml && dml->txn_app_id) {
        a[k].kind = LML_DA_TXN;
        if (!(a[k].u.txn.app_id = lml_strdup(dml->txn_app_id, err))) {
            free(a);
            return false;
        }
        a[k].u.txn.version = dml->txn_version;
        a[k].u.txn.has_last_updated = true;
        a[k++].u.txn.last_updated = lml_delta_now_ms();
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < c->nactions; i++)
            if (c->actions[i].kind == (pass ? LML_DA_REMOVE : LML_DA_ADD)) a[k++] = c->actions[i];
    /* The actions moved into a: c keeps none of them. */
    free(c->actions);
    c->actions = NULL;
    c->nactions = c->cap = 0;
    *out = a;
    *n = k;
    return true;
}

static bool run(lml_opt_ctx *c, const lml_delta_optimize_options *opt, lml_delta_result *out, lml_error *err) {
    const lml_delta_table *t = c->t;
    const lml_delta_dml_options *dml = opt->dml;
    size_t nf = t->state.nfiles, nbins = 0;
    bool *selected = calloc(nf + 1, sizeof *selected);
    char *predicate = NULL, *params = NULL, *mjson = NULL;
    lml_opt_bin *bins = NULL;
    lml_delta_action *actions = NULL;
    size_t nactions = 0;
    bool ok = selected != NULL;
    if (!ok) lml_error_set(err, LML_ENOMEM, "out of memory");
    if (ok) ok = lml_opt_select(t, opt->where, selected, &predicate, err);
    if (ok) ok = lml_opt_bins(c, selected, c->nz > 0, &bins, &nbins, err);
    for (size_t i = 0; ok && i < nbins; i++)
        ok = c->nz ? lml_opt_zorder_bin(c, &bins[i], err) : lml_opt_compact_bin(c, &bins[i], err);
    if (ok) ok = (mjson = metrics(c, err)) != NULL;
    if (ok) ok = (params = parameters(predicate, c->zorder, c->nz, err)) != NULL;
    if (ok && nbins) ok = order_actions(c, dml, &actions, &nactions, err);
    if (ok && nbins) {
        const char *ict = lml_delta_map_get(&t->state.metadata.configuration, "delta.enableInCommitTimestamps", NULL);
        lml_delta_tx tx = {.root = c->root,
                            .read_version = lml_delta_table_version(t),
                            .read_whole_table = false, /* only its inputs, which it removes (delete-delete) */
                            .blind_append = false,
                            .app_id = dml ? dml->txn_app_id : NULL,
                            .actions = actions,
                            .nactions = nactions,
                            .operation = "OPTIMIZE",
                            .parameters = params,
                            .metrics = mjson,
                            .user_metadata = dml ? dml->user_metadata : NULL,
                            .isolation_level = "SnapshotIsolation",
                            .ict = ict && strcasecmp(ict, "true") == 0,
                            .previous_ict = t->state.has_ict ? t->state.in_commit_timestamp : 0};
        int64_t v = -1;
        ok = lml_delta_commit(lml_storage_local(), &tx, &v, err) &&
             lml_delta_maybe_checkpoint(c->root, &t->state.metadata, v, err);
        if (ok) {
            out->version = v;
            out->committed = true;
        }
    }
    if (ok) {
        out->metrics = mjson;
        mjson = NULL;
    }
    for (size_t i = 0; i < nactions; i++) lml_delta_action_clear(&actions[i]);
    free(actions);
    lml_opt_bins_free(bins, nbins);
    free(selected);
    free(predicate);
    free(params);
    free(mjson);
    return ok;
}

bool lml_delta_optimize(const char *path, const lml_delta_optimize_options *opt, lml_delta_result *out,
                        lml_error *err) {
    static const lml_delta_optimize_options dflt = {0};
    if (!opt) opt = &dflt;
    if (!path || !out) return lml_error_set(err, LML_EINVAL, "lml_delta_optimize: NULL %s", path ? "result" : "path");
    memset(out, 0, sizeof *out);
    if (opt->max_file_size < 0 || opt->min_file_size < 0)
        return lml_error_set(err, LML_EINVAL, "%s: OPTIMIZE file sizes must not be negative (max %lld, min %lld)", path,
                             (long long)opt->max_file_size, (long long)opt->min_file_size);
    lml_delta_table *t = lml_delta_table_open(path, NULL, err);
    if (!t) return false;
    out->version = lml_delta_table_version(t);
    const lml_delta_dml_options *dml = opt->dml;
    bool ok = lml_delta_writer_supports(t, err);
    out->skipped = ok && dml && lml_delta_txn_done(t, dml->txn_app_id, dml->txn_version);
    if (!ok || out->skipped) {
        lml_delta_table_free(t);
        return ok;
    }
    int64_t dflt_size = target_file_size(t);
    if (!dflt_size) dflt_size = DEFAULT_FILE_SIZE;
    const char *icols = lml_delta_map_get(&t->state.metadata.configuration, "delta.dataSkippingNumIndexedCols", NULL);
    lml_opt_ctx c = {.t = t,
                     .root = t->log.root,
                     .max_file_size = opt->max_file_size ? opt->max_file_size : dflt_size,
                     .min_file_size = opt->min_file_size ? opt->min_file_size : dflt_size,
                     .indexed = icols ? atoi(icols) : DEFAULT_INDEXED_COLS,
                     .now = lml_delta_now_ms()};
    const char **z = NULL;
    ok = resolve_zorder(t, opt->zorder_by, &z, &c.nz, err);
    c.zorder = z;
    if (ok) ok = run(&c, opt, out, err);
    for (size_t i = 0; i < c.nactions; i++) lml_delta_action_clear(&c.actions[i]);
    free(c.actions);
    free(z);
    lml_delta_table_free(t);
    if (!ok) {
        free(out->metrics);
        out->metrics = NULL;
        out->committed = false;
    }
    return ok;
}

/* Which files OPTIMIZE rewrites and how they are grouped (delta.md §11.1, §11.2): the partition
 * predicate evaluated on each live file's typed partition values, then Spark's bin-packing
 * (OptimizeExecutor.groupFilesIntoBins) or one bin per partition for Z-order. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "../core/internal.h"
#include "../io/parquet/writer_internal.h"
#include "lakeml/expr.h"
#include "optimize_internal.h"
#include "scan_internal.h"

/* ---- the partition predicate */

typedef struct col_check {
    const lml_delta_table *t;
    const char *bad;
} col_check;

static bool is_partition_column(const char *alias, const char *name, void *ctx) {
    (void)alias;
    col_check *k = ctx;
    const lml_delta_metadata *m = &k->t->state.metadata;
    for (size_t i = 0; i < m->npartition; i++)
        if (strcasecmp(m->partition_columns[i], name) == 0) return true;
    k->bad = name;
    return false;
}

/* Spark's message for a predicate on a data column. */
static bool non_partition(const lml_delta_table *t, const char *name, lml_error *err) {
    const lml_delta_metadata *m = &t->state.metadata;
    lml_strbuf sb = {0};
    for (size_t i = 0; i < m->npartition; i++) lml_strbuf_printf(&sb, "%s%s", i ? ", " : "", m->partition_columns[i]);
    lml_error_set(err, LML_EINVAL,
                  "%s: OPTIMIZE predicate references non-partition column '%s'. Only the partition columns may be "
                  "referenced: [%s] (DELTA_NON_PARTITION_COLUMN_REFERENCE)",
                  t->log.root, name, sb.data ? sb.data : "");
    lml_strbuf_free(&sb);
    return false;
}

/* One row per live file: its partition values, typed as the schema declares them. */
static lml_frame *partition_frame(const lml_delta_table *t, lml_error *err) {
    size_t nf = t->state.nfiles;
    const lml_delta_file **files = calloc(nf + 1, sizeof *files);
    lml_delta_scan_spec spec;
    if (!files) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < nf; i++) files[i] = &t->state.files[i];
    lml_frame *fr = NULL;
    if (lml_delta_scan_spec_init(&spec, t, &(lml_delta_read_options){0}, err)) {
        fr = lml_delta_partition_rows(&spec, files, nf, err);
        lml_delta_scan_spec_clear(&spec);
    }
    free(files);
    return fr;
}

bool lml_opt_select(const lml_delta_table *t, const char *where, bool *selected, char **predicate, lml_error *err) {
    size_t nf = t->state.nfiles;
    *predicate = NULL;
    if (!where || !*where) {
        for (size_t i = 0; i < nf; i++) selected[i] = true;
        return (*predicate = lml_strdup("[]", err)) != NULL;
    }
    lml_expr *e = lml_expr_parse(where, err);
    if (!e) return false;
    col_check k = {.t = t};
    bool ok = lml_expr_visit_columns(e, is_partition_column, &k) || non_partition(t, k.bad, err);
    /* The predicate is evaluated on a frame of partition values; a table without partition
     * columns has none to evaluate it on (and any column it names is a data column). */
    if (ok && t->state.metadata.npartition == 0)
        ok = lml_error_set(err, LML_EINVAL, "%s: OPTIMIZE WHERE needs a partitioned table; this one has no partition columns",
                           t->log.root);
    lml_frame *pf = ok ? partition_frame(t, err) : NULL;
    uint8_t *mask = NULL;
    ok = pf != NULL;
    if (ok) {
        lml_expr_input in = {.alias = NULL, .frame = pf};
        ok = lml_expr_eval_mask(e, &in, 1, &mask, err);
    }
    for (size_t i = 0; ok && i < nf; i++) selected[i] = mask[i >> 3] >> (i & 7) & 1;
    char *sql = ok ? lml_expr_sql(e, err) : NULL;
    if (ok && sql) {
        /* Spark: JsonUtils.toJson(predicate.map(_.sql)), a JSON array of the printed conditions. */
        lml_strbuf sb = {0};
        lml_strbuf_putc(&sb, '[');
        lml_pq_json_string(&sb, sql);
        lml_strbuf_putc(&sb, ']');
        ok = (*predicate = lml_strbuf_finish(&sb, err)) != NULL;
    } else {
        ok = false;
    }
    free(sql);
    free(mask);
    lml_frame_free(pf);
    lml_expr_free(e);
    return ok;
}

/* ---- bins */

typedef struct cand {
    char *key; /* partition values, each followed by \x02, \x01 for null */
    const lml_delta_file *f;
} cand;

static int by_key_size(const void *a, const void *b) {
    const cand *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c) return c;
    if (x->f->size != y->f->size) return x->f->size < y->f->size ? -1 : 1;
    return strcmp(x->f->path, y->f->path); /* equal sizes: a stable, reproducible order */
}

static char *partition_key(const lml_delta_table *t, const lml_delta_file *f, lml_error *err) {
    const lml_delta_metadata *m = &t->state.metadata;
    lml_strbuf sb = {0};
    for (size_t k = 0; k < m->npartition; k++) {
        const char *v = lml_delta_map_get(&f->partition_values, m->partition_columns[k], NULL);
        if (v && *v) lml_strbuf_puts(&sb, v);
        else lml_strbuf_putc(&sb, '\x01');
        lml_strbuf_putc(&sb, '\x02');
    }
    if (!sb.data && !sb.failed) return lml_strdup("", err);
    return lml_strbuf_finish(&sb, err);
}

/* A deletion vector worth purging: more than maxDeletedRowsRatio of the rows deleted, or a DV on
 * a file whose row count the log does not give. */
static bool dv_heavy(const lml_delta_file *f) {
    if (!f->dv.present) return false;
    if (f->num_records <= 0) return true;
    return (double)f->dv.cardinality / (double)f->num_records > LML_OPT_MAX_DELETED_RATIO;
}

static bool push_bin(lml_opt_bin **bins, size_t *n, size_t *cap, const cand *cs, size_t from, size_t to, lml_error *err) {
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 8;
        lml_opt_bin *q = realloc(*bins, nc * sizeof *q);
        if (!q) return lml_error_set(err, LML_ENOMEM, "out of memory");
        *bins = q;
        *cap = nc;
    }
    lml_opt_bin *b = &(*bins)[*n];
    memset(b, 0, sizeof *b);
    if (!(b->files = malloc((to - from) * sizeof *b->files))) return lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t i = from; i < to; i++) {
        b->files[b->nfiles++] = cs[i].f;
        b->bytes += cs[i].f->size;
    }
    (*n)++;
    return true;
}

bool lml_opt_bins(const lml_opt_ctx *c, const bool *selected, bool zorder, lml_opt_bin **bins, size_t *nbins,
                  lml_error *err) {
    const lml_delta_table *t = c->t;
    size_t nf = t->state.nfiles, n = 0, cap = 0;
    *bins = NULL;
    *nbins = 0;
    cand *cs = calloc(nf + 1, sizeof *cs);
    if (!cs) return lml_error_set(err, LML_ENOMEM, "out of memory");
    bool ok = true;
    for (size_t i = 0; ok && i < nf; i++) {
        const lml_delta_file *f = &t->state.files[i];
        if (!selected[i]) continue;
        if (!zorder && !(f->size < c->min_file_size || dv_heavy(f))) continue;
        cs[n].f = f;
        ok = (cs[n++].key = partition_key(t, f, err)) != NULL;
    }
    if (ok) qsort(cs, n, sizeof *cs, by_key_size);
    for (size_t from = 0; ok && from < n;) {
        size_t end = from + 1;
        while (end < n && strcmp(cs[end].key, cs[from].key) == 0) end++;
        if (zorder) {
            ok = push_bin(bins, nbins, &cap, cs, from, end, err);
        } else {
            /* Spark: add a file while the bin stays within maxFileSize, else start a new bin. */
            size_t start = from;
            int64_t size = 0;
            for (size_t i = from; ok && i <= end; i++) {
                bool close = i == end || (i > start && size + cs[i].f->size > c->max_file_size);
                if (close) {
                    bool keep = i - start > 1 || (i - start == 1 && cs[start].f->dv.present);
                    if (keep) ok = push_bin(bins, nbins, &cap, cs, start, i, err);
                    start = i;
                    size = 0;
                }
                if (i < end) size += cs[i].f->size;
            }
        }
        from = end;
    }
    for (size_t i = 0; i < n; i++) free(cs[i].key);
    free(cs);
    if (!ok) {
        lml_opt_bins_free(*bins, *nbins);
        *bins = NULL;
        *nbins = 0;
    }
    return ok;
}

void lml_opt_bins_free(lml_opt_bin *bins, size_t n) {
    for (size_t i = 0; bins && i < n; i++) free(bins[i].files);
    free(bins);
}

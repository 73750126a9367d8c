/* Reading a snapshot into a frame: every live data file that filters cannot skip is read with
 * the Parquet reader and turned into table columns (scan_file.c), and the per-file columns are
 * stacked in the log's file order. Many small files are read in parallel; a few large ones each
 * use the whole pool. The projection and filters are resolved here for both this read and the
 * streaming scan (scan_stream.c). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "../core/internal.h"
#include "../frame/internal.h"
#include "scan_internal.h"

typedef struct scan {
    const lml_delta_scan_spec *spec;
    const lml_delta_file **files;   /* files to read */
    size_t nfiles;
    lml_column ***parts;            /* parts[file][col] */
    lml_error *errs;
    bool *failed;
} scan;

/* ---- the projection and filters */

bool lml_delta_scan_spec_init(lml_delta_scan_spec *s, const lml_delta_table *t, const lml_delta_read_options *opt,
                              lml_error *err) {
    memset(s, 0, sizeof *s);
    s->t = t;
    size_t n = t->schema.nfields;
    if (opt->columns)
        for (n = 0; opt->columns[n]; n++) {}
    s->ncols = n;
    s->nfilters = opt->num_filters;
    s->fields = calloc(n + 1, sizeof *s->fields);
    s->is_partition = calloc(n + 1, sizeof *s->is_partition);
    s->filters = calloc(opt->num_filters + 1, sizeof *s->filters);
    if (!s->fields || !s->is_partition || !s->filters) return lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t c = 0; c < n; c++) {
        long k = opt->columns ? lml_delta_schema_find(&t->schema, opt->columns[c]) : (long)c;
        if (k < 0) return lml_error_set(err, LML_ENOTFOUND, "%s: no column '%s' in the table", t->log.root, opt->columns[c]);
        s->fields[c] = &t->schema.fields[k];
        for (size_t p = 0; p < t->state.metadata.npartition; p++)
            s->is_partition[c] |= strcasecmp(t->state.metadata.partition_columns[p], s->fields[c]->name) == 0;
    }
    for (size_t i = 0; i < opt->num_filters; i++) {
        const lml_parquet_predicate *p = &opt->filters[i];
        long k = p->column ? lml_delta_schema_find(&t->schema, p->column) : -1;
        if (k < 0)
            return lml_error_set(err, LML_ENOTFOUND, "%s: filter column '%s' is not in the table", t->log.root,
                                 p->column ? p->column : "(null)");
        lml_delta_skip_filter *sf = &s->filters[i];
        sf->pred = p;
        sf->field = &t->schema.fields[k];
        sf->key = lml_delta_physical_name(t, sf->field);
        for (size_t q = 0; q < t->state.metadata.npartition; q++)
            sf->partition |= strcasecmp(t->state.metadata.partition_columns[q], sf->field->name) == 0;
        if (!sf->partition && !s->row_group_filter && lml_type_is_nested(sf->field->type) == false) {
            s->rg_pred = *p;
            s->rg_pred.column = sf->key;
            s->row_group_filter = &s->rg_pred;
        }
    }
    return true;
}

void lml_delta_scan_spec_clear(lml_delta_scan_spec *s) {
    free(s->fields);
    free(s->is_partition);
    free(s->filters);
    memset(s, 0, sizeof *s);
}

const lml_delta_file **lml_delta_scan_files(const lml_delta_scan_spec *s, size_t *n, lml_error *err) {
    const lml_delta_table *t = s->t;
    const lml_delta_file **files = calloc(t->state.nfiles + 1, sizeof *files);
    if (!files) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    *n = 0;
    for (size_t i = 0; i < t->state.nfiles; i++)
        if (!lml_delta_file_skipped(&t->state.files[i], s->filters, s->nfilters)) files[(*n)++] = &t->state.files[i];
    return files;
}

/* ---- the whole read */

static bool read_file(scan *s, size_t fi, lml_error *err) {
    const lml_delta_scan_spec *sp = s->spec;
    lml_delta_file_reader r;
    bool ok = lml_delta_file_reader_open(sp, s->files[fi], &r, err);
    lml_frame *fr = NULL;
    size_t rows = 0, kept = 0;
    /* The deletion vector's row indexes are positions in the whole file, so a file with one is
     * read without row-group pruning. A file nothing is read from still has its rows. */
    if (ok && r.nread) {
        lml_parquet_read_options ro = {.columns = r.names, .predicate = r.del.n ? NULL : sp->row_group_filter};
        ok = (fr = lml_parquet_file_read(r.pf, &ro, err)) != NULL;
        rows = ok ? lml_frame_num_rows(fr) : 0;
    } else if (ok) {
        rows = (size_t)lml_parquet_num_rows(r.pf);
    }
    if (ok) ok = (s->parts[fi] = lml_delta_file_columns(sp, &r, fr, 0, rows, &kept, err)) != NULL;
    lml_frame_free(fr);
    lml_delta_file_reader_close(&r);
    return ok;
}

static void read_task(void *ctx, size_t i, int worker) {
    (void)worker;
    scan *s = ctx;
    if (!read_file(s, i, &s->errs[i])) s->failed[i] = true;
}

static lml_frame *stack(scan *s, lml_error *err) {
    const lml_delta_scan_spec *sp = s->spec;
    lml_column **out = calloc(sp->ncols + 1, sizeof *out);
    const lml_column **parts = calloc(s->nfiles + 1, sizeof *parts);
    bool ok = out && parts;
    if (!ok) lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t c = 0; ok && c < sp->ncols; c++) {
        if (s->nfiles == 0) {
            ok = (out[c] = lml_delta_field_null_column(sp->fields[c], 0, err)) != NULL;
            continue;
        }
        for (size_t i = 0; i < s->nfiles; i++) parts[i] = s->parts[i][c];
        ok = (out[c] = lml_column_concat(parts, s->nfiles, err)) != NULL;
    }
    free(parts);
    if (ok) return lml_delta_scan_frame(sp, out, err);
    lml_delta_columns_free(out, sp->ncols);
    return NULL;
}

lml_frame *lml_delta_table_read(const lml_delta_table *t, const lml_delta_read_options *opt, lml_error *err) {
    static const lml_delta_read_options all = {0};
    if (!opt) opt = &all;
    lml_delta_scan_spec spec;
    scan s = {.spec = &spec};
    lml_frame *out = NULL;
    bool ok = lml_delta_scan_spec_init(&spec, t, opt, err);
    if (ok) ok = (s.files = lml_delta_scan_files(&spec, &s.nfiles, err)) != NULL;
    if (ok) {
        s.parts = calloc(s.nfiles + 1, sizeof *s.parts);
        s.errs = calloc(s.nfiles + 1, sizeof *s.errs);
        s.failed = calloc(s.nfiles + 1, sizeof *s.failed);
        if (!s.parts || !s.errs || !s.failed) ok = lml_error_set(err, LML_ENOMEM, "out of memory");
    }
    if (ok) {
        /* Inside lml_parallel_for each file's Parquet read runs on one thread; with few files it
         * is better to let each read use the pool. */
        size_t threads = (size_t)(lml_pool_size() > 0 ? lml_pool_size() : 1);
        if (s.nfiles >= 2 * threads) lml_parallel_for(s.nfiles, read_task, &s);
        else
            for (size_t i = 0; i < s.nfiles; i++) read_task(&s, i, 0);
        for (size_t i = 0; ok && i < s.nfiles; i++)
            if (s.failed[i]) {
                if (err) *err = s.errs[i];
                ok = false;
            }
    }
    if (ok) out = stack(&s, err);
    for (size_t i = 0; s.parts && i < s.nfiles; i++) lml_delta_columns_free(s.parts[i], spec.ncols);
    free(s.parts);
    free(s.errs);
    free(s.failed);
    free(s.files);
    lml_delta_scan_spec_clear(&spec);
    return out;
}

lml_frame *lml_delta_read(const char *path, const lml_delta_open_options *open, const lml_delta_read_options *opt,
                          lml_error *err) {
    lml_delta_table *t = lml_delta_table_open(path, open, err);
    if (!t) return NULL;
    lml_frame *f = lml_delta_table_read(t, opt, err);
    lml_delta_table_free(t);
    return f;
}

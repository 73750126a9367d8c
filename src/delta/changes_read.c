/* Reading change rows (delta.md §14): the rows of a data file that a version inserted or deleted
 * (all of its live rows, or only those a deletion vector newly marks or unmarks), or the rows of
 * a change-data file with the _change_type it carries, each followed by the commit's version
 * and timestamp. Files are read with the end version's schema through the scan's file reader,
 * so partition values, column mapping and columns added later behave as in a normal read. */
#include <stdlib.h>
#include <string.h>
#include "../core/internal.h"
#include "../frame/internal.h"
#include "changes_internal.h"

/* ---- parts */

static bool push_part(lml_changes *c, lml_column **cols, lml_error *err) {
    if (c->nparts == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        lml_column ***g = realloc(c->parts, cap * sizeof *g);
        if (!g) return lml_error_set(err, LML_ENOMEM, "table_changes: out of memory");
        c->parts = g;
        c->cap = cap;
    }
    c->parts[c->nparts++] = cols;
    return true;
}

/* The three change columns for n rows: a given _change_type column (or a constant one), the
 * version and the timestamp. */
static bool change_columns(lml_column **out, lml_column *types, const char *type, size_t n, int64_t version,
                           int64_t ts_ms, lml_error *err) {
    if (types) {
        out[0] = types;
    } else {
        const char **v = malloc((n + 1) * sizeof *v);
        if (!v) return lml_error_set(err, LML_ENOMEM, "table_changes: out of memory");
        for (size_t i = 0; i < n; i++) v[i] = type;
        out[0] = lml_column_from_strings(v, n, err);
        free(v);
        if (!out[0]) return false;
    }
    /* lml_column_builder_finish frees its builder whatever happens. */
    lml_column_builder *bv = lml_column_builder_new(LML_INT64, n, err);
    lml_column_builder *bt = bv ? lml_column_builder_new(LML_TIMESTAMP, n, err) : NULL;
    bool ok = bv && bt;
    for (size_t i = 0; ok && i < n; i++)
        ok = lml_column_builder_append_int64(bv, version, err) && lml_column_builder_append_int64(bt, ts_ms * 1000, err);
    if (ok) {
        out[1] = lml_column_builder_finish(bv, err);
        bv = NULL;
        ok = out[1] != NULL;
    }
    if (ok) {
        out[2] = lml_column_builder_finish(bt, err);
        bt = NULL;
        ok = out[2] != NULL;
    }
    lml_column_builder_free(bv);
    lml_column_builder_free(bt);
    return ok;
}

/* ---- one file */

typedef struct file_rows {
    lml_delta_file copy; /* the action without its deletion vector (shallow: borrowed fields) */
    lml_delta_file_reader r;
    lml_frame *fr;
    size_t nrows;
    lml_column **cols; /* the table's columns for every physical row */
} file_rows;

static bool read_all(const lml_delta_scan_spec *s, const lml_delta_file *f, file_rows *fr, lml_error *err) {
    memset(fr, 0, sizeof *fr);
    fr->copy = *f;
    fr->copy.dv.present = false;
    if (!lml_delta_file_reader_open(s, &fr->copy, &fr->r, err)) return false;
    if (fr->r.nread) {
        lml_parquet_read_options ro = {.columns = fr->r.names};
        if (!(fr->fr = lml_parquet_file_read(fr->r.pf, &ro, err))) return false;
        fr->nrows = lml_frame_num_rows(fr->fr);
    } else {
        fr->nrows = (size_t)lml_parquet_num_rows(fr->r.pf);
    }
    size_t kept;
    return (fr->cols = lml_delta_file_columns(s, &fr->r, fr->fr, 0, fr->nrows, &kept, err)) != NULL;
}

static void file_rows_clear(const lml_delta_scan_spec *s, file_rows *fr) {
    lml_delta_columns_free(fr->cols, s->ncols);
    lml_frame_free(fr->fr);
    lml_delta_file_reader_close(&fr->r);
}

/* A file of the log that is gone is Spark's DELTA_CHANGE_DATA_FILE_NOT_FOUND: most likely VACUUM
 * removed it once it was older than the retention. */
static void missing_file(const lml_delta_scan_spec *s, const file_rows *fr, lml_error *err) {
    lml_storage_entry e;
    lml_error se = {0};
    if (fr->r.path && !s->t->st->stat(s->t->st, fr->r.path, &e, &se) && se.code == LML_ENOTFOUND)
        lml_error_set(err, LML_ENOTFOUND,
                      "file %s referenced in the transaction log cannot be found; it was probably deleted by "
                      "VACUUM after the retention period (DELTA_CHANGE_DATA_FILE_NOT_FOUND)",
                      fr->r.path);
}

static bool load_dv(const lml_delta_scan_spec *s, const lml_delta_dv *d, size_t nrows, lml_dv_rows *out,
                    const char *path, lml_error *err) {
    *out = (lml_dv_rows){0};
    if (!d || !d->present) return true;
    lml_dv_descriptor desc = {.storage_type = d->storage_type, .path_or_inline = d->path_or_inline,
                              .has_offset = d->has_offset, .offset = d->offset, .size_in_bytes = d->size_in_bytes,
                              .cardinality = d->cardinality};
    if (!lml_dv_load(s->t->st, s->t->log.root, &desc, out, err)) return false;
    if (out->n && out->rows[out->n - 1] >= nrows)
        return lml_error_set(err, LML_EFORMAT, "%s: deletion vector marks row %llu of a %zu-row file", path,
                             (unsigned long long)out->rows[out->n - 1], nrows);
    return true;
}

/* Whether row is in the sorted set, advancing *at past smaller entries (rows are visited in order). */
static bool member(const lml_dv_rows *d, size_t *at, uint64_t row) {
    while (*at < d->n && d->rows[*at] < row) (*at)++;
    return *at < d->n && d->rows[*at] == row;
}

bool lml_changes_add_rows(lml_changes *c, const lml_delta_file *f, const lml_delta_dv *exclude,
                          const lml_delta_dv *include, const char *change_type, int64_t version, int64_t timestamp_ms,
                          lml_error *err) {
    const lml_delta_scan_spec *s = c->spec;
    file_rows fr;
    lml_dv_rows ex = {0}, in = {0};
    size_t *idx = NULL, n = 0;
    lml_column **cols = NULL;
    bool ok = read_all(s, f, &fr, err);
    if (!ok) missing_file(s, &fr, err);
    ok = ok && load_dv(s, exclude, fr.nrows, &ex, fr.r.path, err) && load_dv(s, include, fr.nrows, &in, fr.r.path, err);
    if (ok && !(idx = malloc((fr.nrows + 1) * sizeof *idx))) ok = lml_error_set(err, LML_ENOMEM, "table_changes: out of memory");
    bool use_in = include && include->present;
    for (size_t r = 0, ai = 0, bi = 0; ok && r < fr.nrows; r++)
        if (!member(&ex, &ai, r) && (!use_in || member(&in, &bi, r))) idx[n++] = r;
    if (ok && !(cols = calloc(s->ncols + 4, sizeof *cols))) ok = lml_error_set(err, LML_ENOMEM, "table_changes: out of memory");
    for (size_t k = 0; ok && k < s->ncols; k++)
        ok = (cols[k] = n == fr.nrows ? lml_column_retain(fr.cols[k]) : lml_column_take(fr.cols[k], idx, n, err)) != NULL;
    if (ok) ok = change_columns(cols + s->ncols, NULL, change_type, n, version, timestamp_ms, err);
    if (ok) ok = push_part(c, cols, err);
    if (!ok) {
        lml_delta_columns_free(cols, s->ncols + 3);
        lml_error_prefix(err, "table_changes: version %lld", (long long)version);
    }
    free(idx);
    lml_dv_rows_clear(&ex);
    lml_dv_rows_clear(&in);
    file_rows_clear(s, &fr);
    return ok;
}

bool lml_changes_add_cdc(lml_changes *c, const lml_delta_file *f, int64_t version, int64_t timestamp_ms,
                         lml_error *err) {
    const lml_delta_scan_spec *s = c->spec;
    file_rows fr;
    lml_frame *types = NULL;
    lml_column **cols = NULL;
    bool ok = read_all(s, f, &fr, err);
    if (!ok) missing_file(s, &fr, err);
    if (ok) {
        const char *names[] = {"_change_type", NULL};
        lml_parquet_read_options ro = {.columns = names};
        ok = (types = lml_parquet_file_read(fr.r.pf, &ro, err)) != NULL;
        if (!ok) lml_error_prefix(err, "change data file %s", fr.r.path);
    }
    if (ok && lml_column_type(lml_frame_column(types, 0)) != LML_STRING)
        ok = lml_error_set(err, LML_EFORMAT, "change data file %s: _change_type is not a string column", fr.r.path);
    if (ok && !(cols = calloc(s->ncols + 4, sizeof *cols))) ok = lml_error_set(err, LML_ENOMEM, "table_changes: out of memory");
    for (size_t k = 0; ok && k < s->ncols; k++) ok = (cols[k] = lml_column_retain(fr.cols[k])) != NULL;
    if (ok) {
        lml_column *t = lml_column_retain(lml_frame_column(types, 0));
        /* change_columns stores t in cols first, so cols owns it from here on. */
        ok = change_columns(cols + s->ncols, t, NULL, fr.nrows, version, timestamp_ms, err);
    }
    if (ok) ok = push_part(c, cols, err);
    if (!ok) {
        lml_delta_columns_free(cols, s->ncols + 3);
        lml_error_prefix(err, "table_changes: version %lld", (long long)version);
    }
    lml_frame_free(types);
    file_rows_clear(s, &fr);
    return ok;
}

/* ---- the frame */

lml_frame *lml_changes_frame(const lml_changes *c, lml_error *err) {
    const lml_delta_scan_spec *s = c->spec;
    static const char *const extra[] = {"_change_type", "_commit_version", "_commit_timestamp"};
    size_t n = s->ncols + 3;
    lml_field *fields = calloc(n + 1, sizeof *fields);
    const lml_column **parts = calloc(c->nparts + 1, sizeof *parts);
    bool ok = fields && parts;
    if (!ok) lml_error_set(err, LML_ENOMEM, "table_changes: out of memory");
    for (size_t k = 0; ok && k < n; k++) {
        const lml_delta_field *f = k < s->ncols ? s->fields[k] : NULL;
        ok = (fields[k].name = lml_strdup(f ? f->name : extra[k - s->ncols], err)) != NULL;
        if (ok && f && f->metadata && strcmp(f->metadata, "{}") != 0)
            ok = (fields[k].metadata = lml_strdup(f->metadata, err)) != NULL;
        if (!ok) break;
        if (c->nparts == 0) {
            if (f) fields[k].col = lml_delta_field_null_column(f, 0, err);
            else if (k == s->ncols) fields[k].col = lml_column_from_strings(extra, 0, err);
            else {
                lml_column_builder *b = lml_column_builder_new(k == s->ncols + 1 ? LML_INT64 : LML_TIMESTAMP, 0, err);
                fields[k].col = b ? lml_column_builder_finish(b, err) : NULL;
            }
        } else {
            for (size_t i = 0; i < c->nparts; i++) parts[i] = c->parts[i][k];
            fields[k].col = lml_column_concat(parts, c->nparts, err);
        }
        ok = fields[k].col != NULL;
    }
    free(parts);
    if (ok) return lml_frame_adopt(fields, n, err);
    if (fields) lml_fields_free(fields, n);
    return NULL;
}

void lml_changes_clear(lml_changes *c) {
    for (size_t i = 0; i < c->nparts; i++) lml_delta_columns_free(c->parts[i], c->spec->ncols + 3);
    free(c->parts);
    c->parts = NULL;
    c->nparts = c->cap = 0;
}

/* Reading a snapshot into a frame: every live data file that filters cannot skip is read with
 * the Parquet reader, its columns matched to the table schema (by physical name or field id
 * under column mapping, nested fields included), partition columns made from the log's values,
 * rows its deletion vector removes dropped, and the per-file frames stacked in the log's file
 * order. Many small files are read in parallel; a few large ones each use the whole pool. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "../core/internal.h"
#include "../frame/internal.h"
#include "dv.h"
#include "pvalue.h"
#include "skip.h"
#include "table.h"

typedef struct scan {
    const lml_delta_table *t;
    size_t ncols;
    const lml_delta_field **fields; /* projected fields, in output order */
    bool *is_partition;
    const lml_parquet_predicate *row_group_filter; /* passed to the Parquet reader (physical name) */
    lml_parquet_predicate rg_pred;
    const lml_delta_file **files;   /* files to read */
    size_t nfiles;
    lml_column ***parts;            /* parts[file][col] */
    lml_error *errs;
    bool *failed;
} scan;

/* ---- matching a file column to its field */

static lml_column *adapt(const lml_delta_table *t, const lml_delta_field *f, const lml_column *col, const char *what,
                         lml_error *err);

static const lml_column *struct_child(const lml_column *col, const char *name) {
    for (size_t k = 0; k < lml_column_num_children(col); k++)
        if (strcasecmp(lml_column_child_name(col, k), name) == 0) return lml_column_child(col, k);
    return NULL;
}

static lml_column *adapt_struct(const lml_delta_table *t, const lml_delta_field *f, const lml_column *col,
                                const char *what, lml_error *err) {
    size_t n = f->nchildren, rows = lml_column_length(col);
    lml_column **kids = calloc(n + 1, sizeof *kids);
    const char **names = calloc(n + 1, sizeof *names);
    lml_column *out = NULL;
    bool ok = kids && names;
    if (!ok) lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t k = 0; ok && k < n; k++) {
        const lml_delta_field *cf = &f->children[k];
        const lml_column *c = struct_child(col, lml_delta_physical_name(t, cf));
        names[k] = cf->name;
        kids[k] = c ? adapt(t, cf, c, what, err) : lml_delta_field_null_column(cf, rows, err);
        ok = kids[k] != NULL;
    }
    if (ok) out = lml_column_struct_new(rows, n, names, kids, lml_column_validity(col), err);
    for (size_t k = 0; kids && k < n; k++) lml_column_free(kids[k]);
    free(kids);
    free(names);
    return out;
}

/* Widening a stored integer or float to the field's type (type widening, and writers that
 * store byte/short columns as plain INT32). */
static lml_column *widen(const lml_column *col, lml_type to, lml_error *err) {
    size_t n = lml_column_length(col);
    lml_column *out = lml_column_alloc(to, n, 0, lml_column_null_count(col) > 0, err);
    if (!out) return NULL;
    if (out->validity) memcpy(out->validity, lml_column_validity(col), lml_bitmap_bytes(n));
    for (size_t i = 0; i < n; i++) {
        lml_value v = lml_column_get(col, i);
        if (v.is_null) continue;
        double d = v.type == LML_FLOAT || v.type == LML_DOUBLE ? v.v.f64 : v.type == LML_INT64 ? (double)v.v.i64 : v.v.i32;
        if (to == LML_INT64) ((int64_t *)out->values)[i] = v.type == LML_INT64 ? v.v.i64 : v.v.i32;
        else if (to == LML_INT32) ((int32_t *)out->values)[i] = v.v.i32;
        else if (to == LML_INT16) ((int16_t *)out->values)[i] = (int16_t)v.v.i32;
        else ((double *)out->values)[i] = d;
    }
    return lml_column_seal(out);
}

static bool widens(lml_type from, lml_type to) {
    int rank_from = from == LML_INT8 ? 1 : from == LML_INT16 ? 2 : from == LML_INT32 ? 3 : from == LML_INT64 ? 4 : 0;
    int rank_to = to == LML_INT16 ? 2 : to == LML_INT32 ? 3 : to == LML_INT64 ? 4 : 0;
    if (rank_from && rank_to) return rank_from < rank_to;
    return to == LML_DOUBLE && (from == LML_FLOAT || rank_from);
}

static lml_column *adapt(const lml_delta_table *t, const lml_delta_field *f, const lml_column *col, const char *what,
                         lml_error *err) {
    lml_type have = lml_column_type(col);
    if (f->type == LML_STRUCT && have == LML_STRUCT) return adapt_struct(t, f, col, what, err);
    if ((f->type == LML_LIST && have == LML_LIST) || (f->type == LML_MAP && have == LML_MAP)) {
        const lml_column *inner = lml_column_child(col, 0);
        lml_column *el = NULL, *keys = NULL, *vals = NULL, *out = NULL;
        if (f->type == LML_LIST) {
            if ((el = adapt(t, &f->children[0], inner, what, err)))
                out = lml_column_list_new(lml_column_offsets(col), lml_column_validity(col), lml_column_length(col), el, err);
        } else if ((keys = adapt(t, &f->children[0], lml_column_map_keys(col), what, err)) &&
                   (vals = adapt(t, &f->children[1], lml_column_map_values(col), what, err))) {
            out = lml_column_map_new(lml_column_offsets(col), lml_column_validity(col), lml_column_length(col), keys, vals,
                                     err);
        }
        lml_column_free(el);
        lml_column_free(keys);
        lml_column_free(vals);
        return out;
    }
    if (lml_delta_field_matches(f, col)) return lml_column_retain(col);
    /* A timestamp written without the UTC flag (delta-rs) holds the same microseconds. */
    if ((f->type == LML_TIMESTAMP && have == LML_TIMESTAMP_NTZ) || (f->type == LML_TIMESTAMP_NTZ && have == LML_TIMESTAMP)) {
        lml_column *out = lml_column_alloc(f->type, lml_column_length(col), 0, false, err);
        if (!out) return NULL;
        memcpy(out->values, lml_column_int64s(col), lml_column_length(col) * sizeof(int64_t));
        if (lml_column_null_count(col)) {
            out->validity = lml_aligned_malloc(lml_bitmap_bytes(lml_column_length(col)));
            if (!out->validity) {
                lml_column_free(out);
                lml_error_set(err, LML_ENOMEM, "out of memory");
                return NULL;
            }
            memcpy(out->validity, lml_column_validity(col), lml_bitmap_bytes(lml_column_length(col)));
        }
        return lml_column_seal(out);
    }
    if (widens(have, f->type)) return widen(col, f->type, err);
    char want[64], got[64];
    char *ws = lml_delta_field_type_string(f, NULL);
    snprintf(want, sizeof want, "%s", ws ? ws : lml_type_name(f->type));
    free(ws);
    lml_error_set(err, LML_EFORMAT, "%s: column '%s' holds %s values, the table schema says %s", what, f->name,
                  lml_column_type_string(col, got, sizeof got), want);
    return NULL;
}

/* ---- partition columns */

static lml_column *const_column(const lml_delta_field *f, const char *text, size_t n, const char *what, lml_error *err) {
    lml_value v = {.type = f->type, .is_null = true};
    if (text && !lml_delta_pvalue_parse(text, f->type, f->precision, f->scale, &v, err)) {
        lml_error_prefix(err, "%s: partition column '%s'", what, f->name);
        return NULL;
    }
    bool bytes = f->type == LML_STRING || f->type == LML_BINARY;
    size_t len = bytes && !v.is_null ? v.v.str.len : 0, total;
    if (!lml_mul_ok(len, n, &total)) {
        lml_error_set(err, LML_ERANGE, "%s: partition column '%s' is too large", what, f->name);
        return NULL;
    }
    lml_column *c = lml_column_alloc(f->type, n, total, v.is_null, err);
    if (!c) return NULL;
    if (f->type == LML_DECIMAL) c->precision = f->precision, c->scale = f->scale;
    if (v.is_null) return lml_column_seal(c);
    uint8_t *p = c->values;
    for (size_t i = 0; i < n; i++) {
        switch (f->type) {
        case LML_BOOL: if (v.v.b) lml_bit_set(p, i); break;
        case LML_INT8: ((int8_t *)p)[i] = (int8_t)v.v.i32; break;
        case LML_INT16: ((int16_t *)p)[i] = (int16_t)v.v.i32; break;
        case LML_INT32: case LML_DATE: ((int32_t *)p)[i] = v.v.i32; break;
        case LML_INT64: case LML_TIMESTAMP: case LML_TIMESTAMP_NTZ: ((int64_t *)p)[i] = v.v.i64; break;
        case LML_FLOAT: ((float *)p)[i] = (float)v.v.f64; break;
        case LML_DOUBLE: ((double *)p)[i] = v.v.f64; break;
        case LML_DECIMAL:
            memcpy(p + 16 * i, &v.v.dec.lo, 8);
            memcpy(p + 16 * i + 8, &v.v.dec.hi, 8);
            break;
        case LML_STRING: case LML_BINARY:
            memcpy(p + i * len, v.v.str.ptr, len);
            c->offsets[i + 1] = (int32_t)((i + 1) * len);
            break;
        default:
            lml_column_free(c);
            lml_error_set(err, LML_EUNSUPPORTED, "%s: partition column '%s' of type %s", what, f->name,
                          lml_type_name(f->type));
            return NULL;
        }
    }
    return lml_column_seal(c);
}

/* ---- one file */

/* The data file's path on disk: add.path URI-decoded once, relative to the root, never
 * leaving it (a hostile log must not make lakeml read /etc/passwd). */
static char *data_path(const lml_delta_table *t, const char *logged, lml_error *err) {
    char *rel = lml_delta_uri_decode(logged, err);
    if (!rel) return NULL;
    const char *p = rel;
    size_t rl = strlen(t->log.root);
    if (strncmp(p, "file:", 5) == 0) {
        p += 5;
        while (p[0] == '/' && p[1] == '/') p++;
    }
    if (p[0] == '/') {
        if (strncmp(p, t->log.root, rl) != 0 || p[rl] != '/') {
            lml_error_set(err, LML_EFORMAT, "%s: data file '%s' lies outside the table", t->log.root, logged);
            free(rel);
            return NULL;
        }
        p += rl + 1;
    }
    for (const char *s = p; *s; s = strchr(s, '/') ? strchr(s, '/') + 1 : s + strlen(s))
        if (strncmp(s, "..", 2) == 0 && (s[2] == '/' || s[2] == 0)) {
            lml_error_set(err, LML_EFORMAT, "%s: data file '%s' lies outside the table", t->log.root, logged);
            free(rel);
            return NULL;
        }
    lml_strbuf sb = {0};
    lml_strbuf_printf(&sb, "%s/%s", t->log.root, p);
    free(rel);
    return lml_strbuf_finish(&sb, err);
}

/* Rows of the file that its deletion vector keeps, as indexes for lml_column_take. */
static bool kept_rows(const scan *s, const lml_delta_file *file, size_t nrows, const char *path, size_t **idx,
                      size_t *nkept, lml_error *err) {
    const lml_delta_dv *d = &file->dv;
    lml_dv_descriptor desc = {.storage_type = d->storage_type, .path_or_inline = d->path_or_inline,
                              .has_offset = d->has_offset, .offset = d->offset, .size_in_bytes = d->size_in_bytes,
                              .cardinality = d->cardinality};
    lml_dv_rows del = {0};
    if (!lml_dv_load(s->t->st, s->t->log.root, &desc, &del, err)) return false;
    if (del.n && del.rows[del.n - 1] >= nrows) {
        lml_error_set(err, LML_EFORMAT, "%s: deletion vector removes row %llu of a %zu-row file", path,
                      (unsigned long long)del.rows[del.n - 1], nrows);
        lml_dv_rows_clear(&del);
        return false;
    }
    *idx = malloc((nrows - del.n + 1) * sizeof **idx);
    if (!*idx) {
        lml_dv_rows_clear(&del);
        return lml_error_set(err, LML_ENOMEM, "out of memory");
    }
    size_t k = 0, j = 0;
    for (size_t r = 0; r < nrows; r++) {
        if (j < del.n && del.rows[j] == r) {
            j++;
            continue;
        }
        (*idx)[k++] = r;
    }
    *nkept = k;
    lml_dv_rows_clear(&del);
    return true;
}

/* The file's parquet field holding table field f: by field id in id mode, else by (physical)
 * name, case-insensitively as Spark resolves columns. */
static const char *file_column(const scan *s, const lml_parquet_file *pf, const lml_delta_field *f) {
    for (size_t i = 0; i < lml_parquet_num_fields(pf); i++) {
        const lml_parquet_field *x = lml_parquet_field_at(pf, i);
        if (s->t->mapping == LML_MAPPING_ID && f->has_id ? (x->has_field_id && x->field_id == f->id)
                                                         : strcasecmp(x->name, lml_delta_physical_name(s->t, f)) == 0)
            return x->name;
    }
    return NULL;
}

static bool read_file(scan *s, size_t fi, lml_error *err) {
    const lml_delta_file *file = s->files[fi];
    char *path = data_path(s->t, file->path, err);
    if (!path) return false;
    lml_parquet_file *pf = lml_parquet_open(path, err);
    const char **names = calloc(s->ncols + 1, sizeof *names);
    long *at = calloc(s->ncols + 1, sizeof *at);
    lml_frame *fr = NULL;
    size_t *idx = NULL, nkept = 0;
    bool ok = pf && names && at;
    if (pf && (!names || !at)) lml_error_set(err, LML_ENOMEM, "out of memory");
    size_t nread = 0;
    for (size_t c = 0; ok && c < s->ncols; c++) {
        const char *fc = s->is_partition[c] ? NULL : file_column(s, pf, s->fields[c]);
        at[c] = fc ? (long)nread : -1;
        if (fc) names[nread++] = fc;
    }
    if (ok) {
        lml_parquet_read_options ro = {.columns = names, .predicate = s->row_group_filter};
        ok = (fr = lml_parquet_file_read(pf, &ro, err)) != NULL;
    }
    /* Rows come from the row groups read; when a filter pruned some, the deletion vector's row
     * indexes (positions in the whole file) no longer line up, so such a file is read whole. */
    if (ok && file->dv.present && s->row_group_filter &&
        (int64_t)lml_frame_num_rows(fr) != lml_parquet_num_rows(pf)) {
        lml_frame_free(fr);
        lml_parquet_read_options ro = {.columns = names};
        ok = (fr = lml_parquet_file_read(pf, &ro, err)) != NULL;
    }
    size_t rows = ok ? lml_frame_num_rows(fr) : 0;
    if (ok && file->dv.present) ok = kept_rows(s, file, rows, path, &idx, &nkept, err);
    lml_column **cols = calloc(s->ncols + 1, sizeof *cols);
    if (ok && !cols) ok = lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t c = 0; ok && c < s->ncols; c++) {
        const lml_delta_field *f = s->fields[c];
        lml_column *col;
        if (s->is_partition[c]) {
            const char *text = lml_delta_map_get(&file->partition_values, lml_delta_physical_name(s->t, f), NULL);
            col = const_column(f, text, rows, path, err);
        } else if (at[c] < 0) {
            col = lml_delta_field_null_column(f, rows, err); /* a column added after this file */
        } else {
            col = adapt(s->t, f, lml_frame_column(fr, (size_t)at[c]), path, err);
        }
        if (col && idx) {
            lml_column *taken = lml_column_take(col, idx, nkept, err);
            lml_column_free(col);
            col = taken;
        }
        ok = (cols[c] = col) != NULL;
    }
    if (ok) s->parts[fi] = cols;
    else if (cols) {
        for (size_t c = 0; c < s->ncols; c++) lml_column_free(cols[c]);
        free(cols);
    }
    free(idx);
    lml_frame_free(fr);
    lml_parquet_close(pf);
    free(names);
    free(at);
    free(path);
    return ok;
}

static void read_task(void *ctx, size_t i, int worker) {
    (void)worker;
    scan *s = ctx;
    if (!read_file(s, i, &s->errs[i])) s->failed[i] = true;
}

/* ---- the read */

static bool resolve(scan *s, const lml_delta_read_options *opt, lml_delta_skip_filter **filters, lml_error *err) {
    const lml_delta_table *t = s->t;
    size_t n = t->schema.nfields;
    if (opt->columns)
        for (n = 0; opt->columns[n]; n++) {}
    s->ncols = n;
    s->fields = calloc(n + 1, sizeof *s->fields);
    s->is_partition = calloc(n + 1, sizeof *s->is_partition);
    *filters = calloc(opt->num_filters + 1, sizeof **filters);
    if (!s->fields || !s->is_partition || !*filters) return lml_error_set(err, LML_ENOMEM, "out of memory");
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
        lml_delta_skip_filter *sf = &(*filters)[i];
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

static lml_frame *stack(scan *s, lml_error *err) {
    lml_field *out = calloc(s->ncols + 1, sizeof *out);
    const lml_column **parts = calloc(s->nfiles + 1, sizeof *parts);
    bool ok = out && parts;
    if (!ok) lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t c = 0; ok && c < s->ncols; c++) {
        const lml_delta_field *f = s->fields[c];
        ok = (out[c].name = lml_strdup(f->name, err)) != NULL;
        if (ok && f->metadata && strcmp(f->metadata, "{}") != 0) ok = (out[c].metadata = lml_strdup(f->metadata, err));
        if (!ok) break;
        if (s->nfiles == 0) {
            ok = (out[c].col = lml_delta_field_null_column(f, 0, err)) != NULL;
            continue;
        }
        for (size_t i = 0; i < s->nfiles; i++) parts[i] = s->parts[i][c];
        ok = (out[c].col = lml_column_concat(parts, s->nfiles, err)) != NULL;
    }
    free(parts);
    if (ok) return lml_frame_adopt(out, s->ncols, err);
    for (size_t c = 0; out && c < s->ncols; c++) {
        free(out[c].name);
        free(out[c].metadata);
        lml_column_free(out[c].col);
    }
    free(out);
    return NULL;
}

lml_frame *lml_delta_table_read(const lml_delta_table *t, const lml_delta_read_options *opt, lml_error *err) {
    static const lml_delta_read_options all = {0};
    if (!opt) opt = &all;
    scan s = {.t = t};
    lml_delta_skip_filter *filters = NULL;
    lml_frame *out = NULL;
    bool ok = resolve(&s, opt, &filters, err);
    if (ok && !(s.files = calloc(t->state.nfiles + 1, sizeof *s.files))) ok = lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t i = 0; ok && i < t->state.nfiles; i++)
        if (!lml_delta_file_skipped(&t->state.files[i], filters, opt->num_filters)) s.files[s.nfiles++] = &t->state.files[i];
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
    for (size_t i = 0; s.parts && i < s.nfiles; i++) {
        for (size_t c = 0; s.parts[i] && c < s.ncols; c++) lml_column_free(s.parts[i][c]);
        free(s.parts[i]);
    }
    free(s.parts);
    free(s.errs);
    free(s.failed);
    free(s.files);
    free(s.fields);
    free(s.is_partition);
    free(filters);
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

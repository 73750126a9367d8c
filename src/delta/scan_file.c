/* One data file of a Delta scan: the file's columns matched to the table schema (by physical
 * name or field id under column mapping, nested fields included, integer and float widening),
 * partition columns made from the log's values, and the rows its deletion vector removes dropped.
 * Shared by the whole-table read (scan.c) and the streaming scan (scan_stream.c), which hands it
 * one row group at a time. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "../core/internal.h"
#include "../frame/internal.h"
#include "dv.h"
#include "pvalue.h"
#include "scan_internal.h"

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

/* The file's parquet field holding table field f: by field id in id mode, else by (physical)
 * name, case-insensitively as Spark resolves columns. */
static const char *file_column(const lml_delta_scan_spec *s, const lml_parquet_file *pf, const lml_delta_field *f) {
    for (size_t i = 0; i < lml_parquet_num_fields(pf); i++) {
        const lml_parquet_field *x = lml_parquet_field_at(pf, i);
        if (s->t->mapping == LML_MAPPING_ID && f->has_id ? (x->has_field_id && x->field_id == f->id)
                                                         : strcasecmp(x->name, lml_delta_physical_name(s->t, f)) == 0)
            return x->name;
    }
    return NULL;
}

bool lml_delta_file_reader_open(const lml_delta_scan_spec *s, const lml_delta_file *file, lml_delta_file_reader *r,
                                lml_error *err) {
    memset(r, 0, sizeof *r);
    r->file = file;
    if (!(r->path = data_path(s->t, file->path, err)) || !(r->pf = lml_parquet_open(r->path, err))) return false;
    r->names = calloc(s->ncols + 1, sizeof *r->names);
    r->at = calloc(s->ncols + 1, sizeof *r->at);
    if (!r->names || !r->at) return lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t c = 0; c < s->ncols; c++) {
        const char *fc = s->is_partition[c] ? NULL : file_column(s, r->pf, s->fields[c]);
        r->at[c] = fc ? (long)r->nread : -1;
        if (fc) r->names[r->nread++] = fc;
    }
    if (!file->dv.present) return true;
    const lml_delta_dv *d = &file->dv;
    lml_dv_descriptor desc = {.storage_type = d->storage_type, .path_or_inline = d->path_or_inline,
                              .has_offset = d->has_offset, .offset = d->offset, .size_in_bytes = d->size_in_bytes,
                              .cardinality = d->cardinality};
    if (!lml_dv_load(s->t->st, s->t->log.root, &desc, &r->del, err)) return false;
    uint64_t nrows = (uint64_t)lml_parquet_num_rows(r->pf);
    if (r->del.n && r->del.rows[r->del.n - 1] >= nrows)
        return lml_error_set(err, LML_EFORMAT, "%s: deletion vector removes row %llu of a %llu-row file", r->path,
                             (unsigned long long)r->del.rows[r->del.n - 1], (unsigned long long)nrows);
    return true;
}

void lml_delta_file_reader_close(lml_delta_file_reader *r) {
    lml_parquet_close(r->pf);
    lml_dv_rows_clear(&r->del);
    free(r->names);
    free(r->at);
    free(r->path);
    memset(r, 0, sizeof *r);
}

void lml_delta_columns_free(lml_column **cols, size_t n) {
    for (size_t c = 0; cols && c < n; c++) lml_column_free(cols[c]);
    free(cols);
}

/* Rows of [row0, row0 + n) that the deletion vector keeps, as indexes from row0 (binary search for
 * the first deleted row of the range: the rows are sorted). */
static size_t *kept_rows(const lml_dv_rows *del, size_t row0, size_t n, size_t *nkept, lml_error *err) {
    size_t lo = 0, hi = del->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (del->rows[mid] < row0) lo = mid + 1;
        else hi = mid;
    }
    size_t *idx = malloc((n + 1) * sizeof *idx), k = 0;
    if (!idx) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t r = 0, j = lo; r < n; r++) {
        if (j < del->n && del->rows[j] == row0 + r) {
            j++;
            continue;
        }
        idx[k++] = r;
    }
    *nkept = k;
    return idx;
}

lml_column **lml_delta_file_columns(const lml_delta_scan_spec *s, const lml_delta_file_reader *r, const lml_frame *fr,
                                    size_t row0, size_t rows, size_t *nout, lml_error *err) {
    const lml_delta_file *file = r->file;
    size_t *idx = NULL, nkept = rows;
    if (r->del.n && !(idx = kept_rows(&r->del, row0, rows, &nkept, err))) return NULL;
    lml_column **cols = calloc(s->ncols + 1, sizeof *cols);
    bool ok = cols != NULL;
    if (!ok) lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t c = 0; ok && c < s->ncols; c++) {
        const lml_delta_field *f = s->fields[c];
        lml_column *col;
        if (s->is_partition[c]) {
            const char *text = lml_delta_map_get(&file->partition_values, lml_delta_physical_name(s->t, f), NULL);
            col = const_column(f, text, rows, r->path, err);
        } else if (r->at[c] < 0) {
            col = lml_delta_field_null_column(f, rows, err); /* a column added after this file */
        } else {
            col = adapt(s->t, f, lml_frame_column(fr, (size_t)r->at[c]), r->path, err);
        }
        if (col && idx) {
            lml_column *taken = lml_column_take(col, idx, nkept, err);
            lml_column_free(col);
            col = taken;
        }
        ok = (cols[c] = col) != NULL;
    }
    free(idx);
    if (!ok) {
        lml_delta_columns_free(cols, s->ncols);
        return NULL;
    }
    *nout = nkept;
    return cols;
}

lml_frame *lml_delta_scan_frame(const lml_delta_scan_spec *s, lml_column **cols, lml_error *err) {
    lml_field *out = calloc(s->ncols + 1, sizeof *out);
    bool ok = out != NULL;
    if (!ok) lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t c = 0; ok && c < s->ncols; c++) {
        const lml_delta_field *f = s->fields[c];
        ok = (out[c].name = lml_strdup(f->name, err)) != NULL;
        if (ok && f->metadata && strcmp(f->metadata, "{}") != 0) ok = (out[c].metadata = lml_strdup(f->metadata, err));
    }
    if (ok) {
        for (size_t c = 0; c < s->ncols; c++) out[c].col = cols[c], cols[c] = NULL;
        free(cols);
        return lml_frame_adopt(out, s->ncols, err);
    }
    for (size_t c = 0; out && c < s->ncols; c++) free(out[c].name), free(out[c].metadata);
    free(out);
    lml_delta_columns_free(cols, s->ncols);
    return NULL;
}

lml_frame *lml_delta_partition_rows(const lml_delta_scan_spec *s, const lml_delta_file *const *files, size_t n,
                                    lml_error *err) {
    lml_column ***parts = calloc(n + 1, sizeof *parts);
    const lml_column **one = calloc(n + 1, sizeof *one);
    lml_column **cols = calloc(s->ncols + 1, sizeof *cols);
    long *at = malloc((s->ncols + 1) * sizeof *at);
    bool ok = parts && one && cols && at;
    if (!ok) lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t c = 0; ok && c < s->ncols; c++) at[c] = -1;
    for (size_t i = 0; ok && i < n; i++) {
        /* A reader that reads nothing: partition columns from the log, the others null. */
        lml_delta_file_reader r = {.file = files[i], .path = files[i]->path, .at = at};
        size_t kept;
        ok = (parts[i] = lml_delta_file_columns(s, &r, NULL, 0, 1, &kept, err)) != NULL;
    }
    for (size_t c = 0; ok && c < s->ncols; c++) {
        if (n == 0) {
            ok = (cols[c] = lml_delta_field_null_column(s->fields[c], 0, err)) != NULL;
            continue;
        }
        for (size_t i = 0; i < n; i++) one[i] = parts[i][c];
        ok = (cols[c] = lml_column_concat(one, n, err)) != NULL;
    }
    for (size_t i = 0; parts && i < n; i++) lml_delta_columns_free(parts[i], s->ncols);
    free(parts);
    free(one);
    free(at);
    if (ok) return lml_delta_scan_frame(s, cols, err);
    lml_delta_columns_free(cols, s->ncols);
    return NULL;
}

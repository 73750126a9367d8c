/* Frames: construction, reference counting, field look-up and metadata. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/internal.h"
#include "frame/internal.h"

static void free_fields(lml_field *fields, size_t n)
{
    if (!fields)
        return;
    for (size_t i = 0; i < n; i++) {
        free(fields[i].name);
        free(fields[i].metadata);
        lml_column_free(fields[i].col);
    }
    free(fields);
}

lml_frame *lml_frame_adopt(lml_field *fields, size_t ncols, lml_error *err)
{
    size_t nrows = ncols ? fields[0].col->length : 0;
    for (size_t i = 0; i < ncols; i++) {
        if (fields[i].col->length != nrows) {
            lml_error_set(err, LML_EINVAL, "column '%s' has %zu rows but column '%s' has %zu", fields[i].name,
                          fields[i].col->length, fields[0].name, nrows);
            goto fail;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcasecmp(fields[i].name, fields[j].name) == 0) {
                lml_error_set(err, LML_EINVAL, "duplicate column name '%s' (columns %zu and %zu)", fields[i].name, j,
                              i);
                goto fail;
            }
        }
    }
    lml_frame *f = malloc(sizeof *f);
    if (!f) {
        lml_error_set(err, LML_ENOMEM, "out of memory creating a frame");
        goto fail;
    }
    atomic_init(&f->refs, 1);
    f->ncols = ncols;
    f->nrows = nrows;
    f->fields = fields;
    return f;
fail:
    free_fields(fields, ncols);
    return NULL;
}

lml_frame *lml_frame_new(size_t ncols, const char *const *names, lml_column *const *cols, lml_error *err)
{
    lml_field *fields = calloc(ncols ? ncols : 1, sizeof *fields);
    if (!fields) {
        lml_error_set(err, LML_ENOMEM, "out of memory creating a frame of %zu columns", ncols);
        return NULL;
    }
    for (size_t i = 0; i < ncols; i++) {
        if (!names[i] || !cols[i]) {
            lml_error_set(err, LML_EINVAL, "column %zu has no %s", i, names[i] ? "data" : "name");
            free_fields(fields, i);
            return NULL;
        }
        fields[i].name = strdup(names[i]);
        fields[i].col = lml_column_retain(cols[i]);
        if (!fields[i].name) {
            free_fields(fields, i + 1);
            lml_error_set(err, LML_ENOMEM, "out of memory creating a frame");
            return NULL;
        }
    }
    return lml_frame_adopt(fields, ncols, err);
}

lml_frame *lml_frame_retain(const lml_frame *f)
{
    lml_frame *m = (lml_frame *)f;
    if (m)
        atomic_fetch_add(&m->refs, 1);
    return m;
}

void lml_frame_free(lml_frame *f)
{
    if (!f || atomic_fetch_sub(&f->refs, 1) > 1)
        return;
    free_fields(f->fields, f->ncols);
    free(f);
}

size_t lml_frame_num_rows(const lml_frame *f) { return f->nrows; }
size_t lml_frame_num_cols(const lml_frame *f) { return f->ncols; }
size_t lml_frame_count(const lml_frame *f) { return f->nrows; }

const char *lml_frame_column_name(const lml_frame *f, size_t i) { return i < f->ncols ? f->fields[i].name : NULL; }

const lml_column *lml_frame_column(const lml_frame *f, size_t i) { return i < f->ncols ? f->fields[i].col : NULL; }

const char *lml_frame_column_metadata(const lml_frame *f, size_t i)
{
    return i < f->ncols ? f->fields[i].metadata : NULL;
}

long lml_frame_column_index(const lml_frame *f, const char *name)
{
    for (size_t i = 0; i < f->ncols; i++)
        if (strcasecmp(f->fields[i].name, name) == 0)
            return (long)i;
    return -1;
}

const lml_column *lml_frame_column_by_name(const lml_frame *f, const char *name, lml_error *err)
{
    long i = lml_frame_column_index(f, name);
    if (i >= 0)
        return f->fields[i].col;
    lml_strbuf sb = {0};
    for (size_t j = 0; j < f->ncols; j++)
        lml_strbuf_printf(&sb, "%s%s", j ? ", " : "", f->fields[j].name);
    lml_error_set(err, LML_ENOTFOUND, "column '%s' not found; the frame has [%s]", name, sb.data ? sb.data : "");
    lml_strbuf_free(&sb);
    return NULL;
}

/* A copy of f's field array with one more reference on every column. */
lml_field *lml_frame_copy_fields(const lml_frame *f, size_t extra, lml_error *err)
{
    lml_field *fields = calloc(f->ncols + extra + 1, sizeof *fields);
    if (!fields) {
        lml_error_set(err, LML_ENOMEM, "out of memory copying a frame");
        return NULL;
    }
    for (size_t i = 0; i < f->ncols; i++) {
        fields[i].name = strdup(f->fields[i].name);
        fields[i].metadata = f->fields[i].metadata ? strdup(f->fields[i].metadata) : NULL;
        fields[i].col = lml_column_retain(f->fields[i].col);
        if (!fields[i].name || (f->fields[i].metadata && !fields[i].metadata)) {
            free_fields(fields, i + 1);
            lml_error_set(err, LML_ENOMEM, "out of memory copying a frame");
            return NULL;
        }
    }
    return fields;
}

void lml_fields_free(lml_field *fields, size_t n) { free_fields(fields, n); }

lml_frame *lml_frame_with_metadata(const lml_frame *f, const char *name, const char *json, lml_error *err)
{
    long i = lml_frame_column_index(f, name);
    if (i < 0) {
        lml_frame_column_by_name(f, name, err);
        return NULL;
    }
    char *copy = NULL;
    if (json && !(copy = lml_strdup(json, err)))
        return NULL;
    lml_field *fields = lml_frame_copy_fields(f, 0, err);
    if (!fields) {
        free(copy);
        return NULL;
    }
    free(fields[i].metadata);
    fields[i].metadata = copy;
    return lml_frame_adopt(fields, f->ncols, err);
}

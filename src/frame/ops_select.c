/* Column-level frame operations: select, drop, withColumn, withColumnRenamed. Every result
 * shares the input's columns (one more reference each); nothing is copied. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/internal.h"
#include "frame/internal.h"

static size_t count_names(const char *const *names)
{
    size_t n = 0;
    while (names && names[n])
        n++;
    return n;
}

/* dst := src with duplicated name and metadata and one more reference on the column. */
static bool copy_field(lml_field *dst, const lml_field *src, lml_error *err)
{
    dst->name = strdup(src->name);
    dst->metadata = src->metadata ? strdup(src->metadata) : NULL;
    dst->col = lml_column_retain(src->col);
    if (!dst->name || (src->metadata && !dst->metadata))
        return lml_error_set(err, LML_ENOMEM, "out of memory copying column '%s'", src->name);
    return true;
}

lml_frame *lml_frame_select(const lml_frame *f, const char *const *names, lml_error *err)
{
    if (!f) {
        lml_error_set(err, LML_EINVAL, "select needs a frame");
        return NULL;
    }
    size_t n = count_names(names);
    lml_field *fields = calloc(n + 1, sizeof *fields);
    if (!fields) {
        lml_error_set(err, LML_ENOMEM, "out of memory selecting %zu columns", n);
        return NULL;
    }
    for (size_t k = 0; k < n; k++) {
        long i = lml_frame_column_index(f, names[k]);
        if (i < 0) {
            lml_frame_column_by_name(f, names[k], err); /* sets the ENOTFOUND message */
            lml_fields_free(fields, k);
            return NULL;
        }
        if (!copy_field(&fields[k], &f->fields[i], err)) {
            lml_fields_free(fields, k + 1);
            return NULL;
        }
    }
    return lml_frame_adopt(fields, n, err);
}

lml_frame *lml_frame_drop(const lml_frame *f, const char *const *names, lml_error *err)
{
    if (!f) {
        lml_error_set(err, LML_EINVAL, "drop needs a frame");
        return NULL;
    }
    lml_field *fields = calloc(f->ncols + 1, sizeof *fields);
    if (!fields) {
        lml_error_set(err, LML_ENOMEM, "out of memory dropping columns");
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < f->ncols; i++) {
        bool dropped = false;
        for (size_t k = 0; names && names[k] && !dropped; k++) /* unknown names are ignored, as in Spark */
            dropped = strcasecmp(names[k], f->fields[i].name) == 0;
        if (dropped)
            continue;
        if (!copy_field(&fields[n++], &f->fields[i], err)) {
            lml_fields_free(fields, n);
            return NULL;
        }
    }
    return lml_frame_adopt(fields, n, err);
}

lml_frame *lml_frame_with_column(const lml_frame *f, const char *name, lml_column *col, lml_error *err)
{
    if (!f || !name || !col) {
        lml_error_set(err, LML_EINVAL, "with_column needs a frame, a name and a column");
        return NULL;
    }
    if (f->ncols > 0 && col->length != f->nrows) {
        lml_error_set(err, LML_EINVAL, "column '%s' has %zu rows but the frame has %zu", name, col->length, f->nrows);
        return NULL;
    }
    long at = lml_frame_column_index(f, name);
    size_t n = at < 0 ? f->ncols + 1 : f->ncols;
    lml_field *fields = lml_frame_copy_fields(f, 1, err);
    if (!fields)
        return NULL;
    size_t slot = at < 0 ? f->ncols : (size_t)at;
    /* Spark's withColumn replaces in place and the new column takes the given name and no
     * metadata of the old one. */
    char *dup = strdup(name);
    if (!dup) {
        lml_fields_free(fields, n);
        lml_error_set(err, LML_ENOMEM, "out of memory adding column '%s'", name);
        return NULL;
    }
    free(fields[slot].name);
    free(fields[slot].metadata);
    lml_column_free(fields[slot].col);
    fields[slot].name = dup;
    fields[slot].metadata = NULL;
    fields[slot].col = lml_column_retain(col);
    return lml_frame_adopt(fields, n, err);
}

lml_frame *lml_frame_with_column_renamed(const lml_frame *f, const char *from, const char *to, lml_error *err)
{
    if (!f || !from || !to) {
        lml_error_set(err, LML_EINVAL, "with_column_renamed needs a frame and two names");
        return NULL;
    }
    if (lml_frame_column_index(f, from) < 0)
        return lml_frame_retain(f);
    lml_field *fields = lml_frame_copy_fields(f, 0, err);
    if (!fields)
        return NULL;
    for (size_t i = 0; i < f->ncols; i++) {
        if (strcasecmp(f->fields[i].name, from) != 0)
            continue;
        char *dup = strdup(to);
        if (!dup) {
            lml_fields_free(fields, f->ncols);
            lml_error_set(err, LML_ENOMEM, "out of memory renaming column '%s'", from);
            return NULL;
        }
        free(fields[i].name);
        fields[i].name = dup;
    }
    return lml_frame_adopt(fields, f->ncols, err);
}

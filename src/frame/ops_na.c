/* Spark's DataFrameNaFunctions: na.drop (drop_nulls) and na.fill (fill_nulls). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/internal.h"
#include "frame/internal.h"

/* True when row i of c counts as a value for na.drop: present and, for doubles and floats, not NaN. */
static bool has_value(const lml_column *c, size_t i)
{
    if (c->validity && !lml_bit_get(c->validity, i))
        return false;
    if (c->type == LML_FLOAT)
        return !isnan(((const float *)c->values)[i]);
    return c->type != LML_DOUBLE || !isnan(((const double *)c->values)[i]);
}

lml_frame *lml_frame_drop_nulls(const lml_frame *f, const lml_na_drop_options *opts, lml_error *err)
{
    if (!f) {
        lml_error_set(err, LML_EINVAL, "drop_nulls needs a frame");
        return NULL;
    }
    const char *how = opts && opts->how ? opts->how : "any";
    bool any = strcasecmp(how, "any") == 0;
    if (!any && strcasecmp(how, "all") != 0) {
        lml_error_set(err, LML_EINVAL, "na.drop: how must be 'any' or 'all', not '%s'", how);
        return NULL;
    }
    size_t nsub = 0;
    const char *const *subset = opts ? opts->subset : NULL;
    if (subset)
        while (subset[nsub])
            nsub++;
    else
        nsub = f->ncols;
    const lml_column **cols = calloc(nsub + 1, sizeof *cols);
    uint32_t *present = calloc(f->nrows + 1, sizeof *present);
    size_t *keep = malloc((f->nrows + 1) * sizeof *keep);
    lml_frame *out = NULL;
    if (!cols || !present || !keep) {
        lml_error_set(err, LML_ENOMEM, "out of memory in na.drop over %zu rows", f->nrows);
        goto done;
    }
    for (size_t k = 0; k < nsub; k++) {
        cols[k] = subset ? lml_frame_column_by_name(f, subset[k], err) : f->fields[k].col;
        if (!cols[k])
            goto done;
    }
    long long thresh = opts && opts->thresh >= 0 ? opts->thresh : any ? (long long)nsub : 1;
    for (size_t k = 0; k < nsub; k++) {
        const lml_column *c = cols[k];
        if (!c->validity && c->type != LML_DOUBLE && c->type != LML_FLOAT) {
            for (size_t i = 0; i < f->nrows; i++)
                present[i]++;
            continue;
        }
        for (size_t i = 0; i < f->nrows; i++)
            present[i] += has_value(c, i);
    }
    size_t n = 0;
    for (size_t i = 0; i < f->nrows; i++)
        if ((long long)present[i] >= thresh)
            keep[n++] = i;
    out = n == f->nrows ? lml_frame_retain(f) : lml_frame_take(f, keep, n, err);
done:
    free(cols);
    free(present);
    free(keep);
    return out;
}

/* Which fill values a column accepts: its own type, any number for a numeric column (cast as
 * Spark casts), and a date or timestamp written as a string. */
static bool fill_allowed(lml_type col, lml_type val)
{
    bool num_col = col == LML_INT32 || col == LML_INT64 || col == LML_DOUBLE;
    bool num_val = val == LML_INT32 || val == LML_INT64 || val == LML_DOUBLE;
    if (col == val) /* Spark's na.fill takes numbers, strings and booleans only */
        return col <= LML_TIMESTAMP;
    if (num_col)
        return num_val;
    return (col == LML_DATE || col == LML_TIMESTAMP) && val == LML_STRING;
}

static bool needs_fill(const lml_column *c, size_t i)
{
    if (c->validity && !lml_bit_get(c->validity, i))
        return true;
    return c->type == LML_DOUBLE && isnan(((const double *)c->values)[i]);
}

/* A copy of c with every null (and, for doubles, NaN) replaced by v (non-null, of c's type). */
static lml_column *fill_column(const lml_column *c, const lml_value *v, lml_error *err)
{
    size_t n = c->length, holes = 0;
    for (size_t i = 0; i < n; i++)
        holes += needs_fill(c, i);
    if (holes == 0)
        return lml_column_retain(c);
    size_t bytes = 0;
    if (c->type == LML_STRING) {
        size_t extra;
        if (!lml_mul_ok(holes, v->v.str.len, &extra)) {
            lml_error_set(err, LML_ERANGE, "na.fill: filled string column too large");
            return NULL;
        }
        bytes = c->data_len + extra;
    }
    lml_column *o = lml_column_alloc(c->type, n, bytes, false, err);
    if (!o)
        return NULL;
    switch (c->type) {
    case LML_BOOL:
        for (size_t i = 0; i < n; i++)
            if (needs_fill(c, i) ? v->v.b : lml_bit_get(c->values, i))
                lml_bit_set(o->values, i);
        break;
    case LML_INT32:
    case LML_DATE:
        for (size_t i = 0; i < n; i++)
            ((int32_t *)o->values)[i] = needs_fill(c, i) ? v->v.i32 : ((const int32_t *)c->values)[i];
        break;
    case LML_INT64:
    case LML_TIMESTAMP:
        for (size_t i = 0; i < n; i++)
            ((int64_t *)o->values)[i] = needs_fill(c, i) ? v->v.i64 : ((const int64_t *)c->values)[i];
        break;
    case LML_DOUBLE:
        for (size_t i = 0; i < n; i++)
            ((double *)o->values)[i] = needs_fill(c, i) ? v->v.f64 : ((const double *)c->values)[i];
        break;
    case LML_STRING: {
        size_t pos = 0;
        o->offsets[0] = 0;
        for (size_t i = 0; i < n; i++) {
            const char *s = v->v.str.ptr;
            size_t len = v->v.str.len;
            if (!needs_fill(c, i)) {
                s = (const char *)c->values + c->offsets[i];
                len = (size_t)(c->offsets[i + 1] - c->offsets[i]);
            }
            if (len)
                memcpy((char *)o->values + pos, s, len);
            pos += len;
            o->offsets[i + 1] = (int32_t)pos;
        }
        break;
    }
    default: break; /* fill_allowed admits no vector, binary or nested column */
    }
    return o;
}

lml_frame *lml_frame_fill_nulls(const lml_frame *f, const lml_fill *fills, size_t nfills, lml_error *err)
{
    if (!f || (nfills && !fills)) {
        lml_error_set(err, LML_EINVAL, "fill_nulls needs a frame and its fills");
        return NULL;
    }
    /* Check every entry first, as Spark does, so a bad one fails before any work. */
    for (size_t k = 0; k < nfills; k++) {
        const lml_column *c = lml_frame_column_by_name(f, fills[k].column ? fills[k].column : "", err);
        if (!c)
            return NULL;
        if (!fills[k].value.is_null && !fill_allowed(c->type, fills[k].value.type)) {
            lml_error_set(err, LML_ETYPE, "na.fill: a %s value cannot fill column '%s' of type %s",
                          lml_type_name(fills[k].value.type), fills[k].column, lml_type_name(c->type));
            return NULL;
        }
    }
    lml_field *fields = lml_frame_copy_fields(f, 0, err);
    if (!fields)
        return NULL;
    for (size_t i = 0; i < f->ncols; i++) {
        const lml_fill *fill = NULL; /* the last entry naming a column wins */
        for (size_t k = 0; k < nfills; k++)
            if (strcasecmp(fills[k].column, f->fields[i].name) == 0)
                fill = &fills[k];
        if (!fill || fill->value.is_null)
            continue;
        const lml_column *c = f->fields[i].col;
        lml_value v;
        if (!lml_value_cast(&fill->value, c->type, &v, err))
            goto fail;
        if (v.is_null) {
            lml_error_set(err, LML_ETYPE, "na.fill: the value for column '%s' does not convert to %s",
                          f->fields[i].name, lml_type_name(c->type));
            goto fail;
        }
        lml_column *filled = fill_column(c, &v, err);
        if (!filled)
            goto fail;
        lml_column_free(fields[i].col);
        fields[i].col = filled;
    }
    return lml_frame_adopt(fields, f->ncols, err);
fail:
    lml_fields_free(fields, f->ncols);
    return NULL;
}

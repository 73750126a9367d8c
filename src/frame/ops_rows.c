/* Row selection: gathering rows of a column or frame, filter by a mask, slice and head. */
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"

/* Vector columns are not made by lml_column_alloc, so gathering them builds the struct here. */
static lml_column *take_vector(const lml_column *col, const size_t *idx, size_t n, lml_error *err)
{
    lml_column *c = calloc(1, sizeof *c);
    if (!c)
        goto nomem;
    atomic_init(&c->refs, 1);
    c->type = LML_VECTOR;
    c->length = n;
    c->vec_size = col->vec_size;
    c->sparse = col->sparse;
    if (col->validity && !(c->validity = lml_aligned_calloc(lml_bitmap_bytes(n))))
        goto nomem;
    size_t d = col->vec_size, bytes;
    if (!col->sparse) {
        if (!lml_mul_ok(n, d, &bytes) || !lml_mul_ok(bytes, sizeof(double), &bytes))
            goto nomem;
        if (!(c->vvalues = lml_aligned_malloc(bytes)))
            goto nomem;
        for (size_t k = 0; k < n; k++)
            memcpy(c->vvalues + k * d, col->vvalues + idx[k] * d, d * sizeof(double));
    } else {
        size_t nnz = 0;
        for (size_t k = 0; k < n; k++)
            nnz += (size_t)(col->indptr[idx[k] + 1] - col->indptr[idx[k]]);
        if (!(c->indptr = lml_aligned_malloc((n + 1) * sizeof(int64_t))) ||
            !(c->indices = lml_aligned_malloc(nnz * sizeof(int32_t))) ||
            !(c->vvalues = lml_aligned_malloc(nnz * sizeof(double))))
            goto nomem;
        size_t pos = 0;
        c->indptr[0] = 0;
        for (size_t k = 0; k < n; k++) {
            size_t a = (size_t)col->indptr[idx[k]], len = (size_t)col->indptr[idx[k] + 1] - a;
            memcpy(c->indices + pos, col->indices + a, len * sizeof(int32_t));
            memcpy(c->vvalues + pos, col->vvalues + a, len * sizeof(double));
            pos += len;
            c->indptr[k + 1] = (int64_t)pos;
        }
    }
    if (c->validity)
        for (size_t k = 0; k < n; k++)
            if (lml_bit_get(col->validity, idx[k]))
                lml_bit_set(c->validity, k);
    return lml_column_seal(c);
nomem:
    lml_column_free(c);
    lml_error_set(err, LML_ENOMEM, "out of memory gathering %zu rows of a vector column", n);
    return NULL;
}

lml_column *lml_column_take(const lml_column *col, const size_t *idx, size_t n, lml_error *err)
{
    if (col->type == LML_VECTOR)
        return take_vector(col, idx, n, err);
    if (lml_type_is_nested(col->type))
        return lml_column_take_nested(col, idx, n, err);
    size_t bytes = 0;
    if (col->type == LML_STRING || col->type == LML_BINARY) {
        for (size_t k = 0; k < n; k++)
            bytes += (size_t)(col->offsets[idx[k] + 1] - col->offsets[idx[k]]);
    }
    lml_column *c = lml_column_alloc(col->type, n, bytes, col->validity != NULL, err);
    if (!c)
        return NULL;
    c->precision = col->precision;
    c->scale = col->scale;
    switch (col->type) {
    case LML_BOOL:
        for (size_t k = 0; k < n; k++)
            if (lml_bit_get(col->values, idx[k]))
                lml_bit_set(c->values, k);
        break;
    case LML_INT8:
        for (size_t k = 0; k < n; k++)
            ((int8_t *)c->values)[k] = ((const int8_t *)col->values)[idx[k]];
        break;
    case LML_INT16:
        for (size_t k = 0; k < n; k++)
            ((int16_t *)c->values)[k] = ((const int16_t *)col->values)[idx[k]];
        break;
    case LML_DECIMAL:
        for (size_t k = 0; k < n; k++)
            memcpy((uint8_t *)c->values + k * 16, (const uint8_t *)col->values + idx[k] * 16, 16);
        break;
    case LML_INT32:
    case LML_FLOAT: /* 4-byte values copied as bits */
    case LML_DATE: {
        const int32_t *s = col->values;
        int32_t *d = c->values;
        for (size_t k = 0; k < n; k++)
            d[k] = s[idx[k]];
        break;
    }
    case LML_INT64:
    case LML_TIMESTAMP:
    case LML_TIMESTAMP_NTZ:
    case LML_DOUBLE: { /* 8-byte values copied as bits: keeps NaN payloads and -0.0 */
        const uint64_t *s = col->values;
        uint64_t *d = c->values;
        for (size_t k = 0; k < n; k++)
            d[k] = s[idx[k]];
        break;
    }
    case LML_STRING:
    case LML_BINARY: {
        int32_t pos = 0;
        c->offsets[0] = 0;
        for (size_t k = 0; k < n; k++) {
            int32_t a = col->offsets[idx[k]], len = col->offsets[idx[k] + 1] - a;
            memcpy((char *)c->values + pos, (const char *)col->values + a, (size_t)len);
            pos += len;
            c->offsets[k + 1] = pos;
        }
        break;
    }
    default: break; /* vector and nested columns returned above */
    }
    if (c->validity)
        for (size_t k = 0; k < n; k++)
            if (lml_bit_get(col->validity, idx[k]))
                lml_bit_set(c->validity, k);
    return lml_column_seal(c);
}

typedef struct take_ctx {
    const lml_frame *f;
    const size_t *idx;
    size_t n;
    lml_column **cols;
    lml_error *errs;
} take_ctx;

static void take_task(void *p, size_t t, int worker)
{
    take_ctx *ctx = p;
    ctx->cols[t] = lml_column_take(ctx->f->fields[t].col, ctx->idx, ctx->n, &ctx->errs[t]);
}

lml_frame *lml_frame_take(const lml_frame *f, const size_t *idx, size_t n, lml_error *err)
{
    lml_field *fields = lml_frame_copy_fields(f, 0, err);
    if (!fields)
        return NULL;
    lml_column **cols = calloc(f->ncols + 1, sizeof *cols);
    lml_error *errs = calloc(f->ncols + 1, sizeof *errs);
    if (!cols || !errs) {
        free(cols);
        free(errs);
        lml_fields_free(fields, f->ncols);
        lml_error_set(err, LML_ENOMEM, "out of memory gathering %zu rows", n);
        return NULL;
    }
    take_ctx ctx = {f, idx, n, cols, errs};
    /* One task per column: columns are independent, and the result does not depend on which
     * worker gathers which column. */
    lml_parallel_for(f->ncols, take_task, &ctx);
    bool ok = true;
    for (size_t c = 0; c < f->ncols; c++) {
        if (!cols[c] && ok) {
            ok = false;
            if (err)
                *err = errs[c];
        }
        lml_column_free(fields[c].col);
        fields[c].col = cols[c];
    }
    free(cols);
    free(errs);
    if (!ok) {
        lml_fields_free(fields, f->ncols);
        return NULL;
    }
    return lml_frame_adopt(fields, f->ncols, err);
}

lml_frame *lml_frame_filter(const lml_frame *f, const lml_column *mask, lml_error *err)
{
    if (!f || !mask) {
        lml_error_set(err, LML_EINVAL, "filter needs a frame and a mask column");
        return NULL;
    }
    if (mask->type != LML_BOOL) {
        lml_error_set(err, LML_ETYPE, "filter mask must be a boolean column, not %s", lml_type_name(mask->type));
        return NULL;
    }
    if (mask->length != f->nrows) {
        lml_error_set(err, LML_EINVAL, "filter mask has %zu rows but the frame has %zu", mask->length, f->nrows);
        return NULL;
    }
    size_t *idx = malloc((f->nrows + 1) * sizeof *idx);
    if (!idx) {
        lml_error_set(err, LML_ENOMEM, "out of memory filtering %zu rows", f->nrows);
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < f->nrows; i++) /* a null mask value counts as false, as in SQL WHERE */
        if (lml_bit_get(mask->values, i) && !(mask->validity && !lml_bit_get(mask->validity, i)))
            idx[n++] = i;
    lml_frame *out = lml_frame_take(f, idx, n, err);
    free(idx);
    return out;
}

lml_frame *lml_frame_slice(const lml_frame *f, size_t offset, size_t n, lml_error *err)
{
    if (!f) {
        lml_error_set(err, LML_EINVAL, "slice needs a frame");
        return NULL;
    }
    if (offset > f->nrows)
        offset = f->nrows;
    if (n > f->nrows - offset)
        n = f->nrows - offset;
    if (offset == 0 && n == f->nrows) /* the whole frame: share it */
        return lml_frame_retain(f);
    size_t *idx = malloc((n + 1) * sizeof *idx);
    if (!idx) {
        lml_error_set(err, LML_ENOMEM, "out of memory slicing %zu rows", n);
        return NULL;
    }
    for (size_t k = 0; k < n; k++)
        idx[k] = offset + k;
    lml_frame *out = lml_frame_take(f, idx, n, err);
    free(idx);
    return out;
}

lml_frame *lml_frame_head(const lml_frame *f, size_t n, lml_error *err) { return lml_frame_slice(f, 0, n, err); }

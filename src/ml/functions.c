/* pyspark.ml.functions for lakeml columns: vector_to_array, array_to_vector, and VectorUDT's
 * struct form (what Parquet and Delta files store) back to a vector column. Built on the public
 * column API only. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/ml/functions.h"

lml_column *lml_vector_to_array(const lml_column *vec, lml_error *err)
{
    if (!vec || lml_column_type(vec) != LML_VECTOR) {
        lml_error_set(err, LML_ETYPE, "vector_to_array: expected a vector column, got %s",
                      vec ? lml_type_name(lml_column_type(vec)) : "NULL");
        return NULL;
    }
    size_t n = lml_column_length(vec), d = lml_column_vector_size(vec);
    if (d > 0 && n > (size_t)INT32_MAX / d) {
        lml_error_set(err, LML_ERANGE, "vector_to_array: %zu rows of %zu elements exceed an array column's 2^31 "
                      "elements", n, d);
        return NULL;
    }
    int32_t *offsets = malloc((n + 1) * sizeof *offsets);
    size_t total = n * d; /* checked against INT32_MAX above */
    double *values = calloc(total > 0 ? total : 1, sizeof *values);
    lml_column *out = NULL;
    if (!offsets || !values) {
        lml_error_set(err, LML_ENOMEM, "vector_to_array: out of memory for %zu rows", n);
        goto done;
    }
    for (size_t i = 0; i <= n; i++)
        offsets[i] = (int32_t)(i * d);
    if (!lml_column_vector_is_sparse(vec)) {
        if (total > 0)
            memcpy(values, lml_column_vector_dense(vec), total * sizeof *values);
    } else {
        const int64_t *ip = lml_column_vector_indptr(vec);
        const int32_t *ix = lml_column_vector_indices(vec);
        const double *vv = lml_column_vector_values(vec);
        for (size_t i = 0; i < n; i++)
            for (int64_t k = ip[i]; k < ip[i + 1]; k++)
                values[i * d + (size_t)ix[k]] = vv[k];
    }
    lml_column *child = lml_column_from_doubles(values, NULL, total, err);
    if (child) {
        out = lml_column_list_new(offsets, NULL, n, child, err);
        lml_column_free(child);
    }
done:
    free(offsets);
    free(values);
    return out;
}

static bool numeric(lml_type t)
{
    return t == LML_DOUBLE || t == LML_FLOAT || t == LML_INT32 || t == LML_INT64 || t == LML_INT16 || t == LML_INT8;
}

lml_column *lml_array_to_vector(const lml_column *arr, lml_error *err)
{
    const lml_column *el = arr && lml_column_type(arr) == LML_LIST ? lml_column_child(arr, 0) : NULL;
    if (!el || !numeric(lml_column_type(el))) {
        lml_error_set(err, LML_ETYPE, "array_to_vector: expected an array of numbers, got %s%s%s",
                      arr ? lml_type_name(lml_column_type(arr)) : "NULL", el ? " of " : "",
                      el ? lml_type_name(lml_column_type(el)) : "");
        return NULL;
    }
    size_t n = lml_column_length(arr);
    const int32_t *off = lml_column_offsets(arr);
    size_t d = n ? (size_t)(off[1] - off[0]) : 0;
    for (size_t i = 0; i < n; i++) {
        if (lml_column_is_null(arr, i)) {
            lml_error_set(err, LML_EINVAL, "array_to_vector: row %zu is null (a vector column holds no nulls)", i);
            return NULL;
        }
        if ((size_t)(off[i + 1] - off[i]) != d) {
            lml_error_set(err, LML_EINVAL, "array_to_vector: row %zu has %d elements, row 0 has %zu (a vector column "
                          "has one size)", i, (int)(off[i + 1] - off[i]), d);
            return NULL;
        }
    }
    size_t total = n * d; /* ≤ the child's length: the offsets bound it */
    double *values = malloc(total > 0 ? total * sizeof *values : 1);
    if (!values) {
        lml_error_set(err, LML_ENOMEM, "array_to_vector: out of memory for %zu rows", n);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < d; k++) {
            size_t at = (size_t)off[i] + k;
            if (lml_column_is_null(el, at)) {
                free(values);
                lml_error_set(err, LML_EINVAL, "array_to_vector: row %zu: element %zu is null", i, k);
                return NULL;
            }
            values[i * d + k] = lml_column_get_double(el, at);
        }
    lml_column *out = lml_column_vector_from_dense(values, n, d, err);
    free(values);
    return out;
}

/* The child `name` of a struct when it has type t (an array of elem when t is LML_LIST). */
static const lml_column *field(const lml_column *s, const char *name, lml_type t, lml_type elem)
{
    const lml_column *c = lml_column_struct_field(s, name);
    if (!c || lml_column_type(c) != t)
        return NULL;
    if (t == LML_LIST && lml_column_type(lml_column_child(c, 0)) != elem)
        return NULL;
    return c;
}

bool lml_is_vector_struct(const lml_column *col)
{
    return col && lml_column_type(col) == LML_STRUCT && lml_column_num_children(col) == 4 &&
           field(col, "type", LML_INT8, LML_INT8) && field(col, "size", LML_INT32, LML_INT32) &&
           field(col, "indices", LML_LIST, LML_INT32) && field(col, "values", LML_LIST, LML_DOUBLE);
}

typedef struct udt_view {
    const lml_column *type, *size, *idx, *val, *idx_el, *val_el;
    const int32_t *io, *vo;
} udt_view;

/* Row i's size, after checking the row (null, type byte, lengths, indices). */
static bool row_size(const udt_view *u, const lml_column *s, size_t i, size_t *size, bool *sparse, lml_error *err)
{
    if (lml_column_is_null(s, i) || lml_column_is_null(u->type, i) || lml_column_is_null(u->val, i))
        return lml_error_set(err, LML_EINVAL, "vector struct: row %zu is null (a vector column holds no nulls)", i);
    int t = lml_column_get(u->type, i).v.i32;
    size_t nv = (size_t)(u->vo[i + 1] - u->vo[i]);
    for (size_t k = 0; k < nv; k++)
        if (lml_column_is_null(u->val_el, (size_t)u->vo[i] + k))
            return lml_error_set(err, LML_EINVAL, "vector struct: row %zu: value %zu is null", i, k);
    if (t == 1) {
        *sparse = false;
        *size = nv;
        return true;
    }
    if (t != 0)
        return lml_error_set(err, LML_EINVAL, "vector struct: row %zu: type %d is neither 0 (sparse) nor 1 (dense)", i, t);
    if (lml_column_is_null(u->size, i) || lml_column_is_null(u->idx, i))
        return lml_error_set(err, LML_EINVAL, "vector struct: row %zu: a sparse vector without size or indices", i);
    int32_t sz = lml_column_int32s(u->size)[i];
    size_t ni = (size_t)(u->io[i + 1] - u->io[i]);
    if (sz < 0 || ni != nv)
        return lml_error_set(err, LML_EINVAL, "vector struct: row %zu: size %d with %zu indices and %zu values", i,
                             (int)sz, ni, nv);
    const int32_t *ix = lml_column_int32s(u->idx_el) + u->io[i];
    for (size_t k = 0; k < ni; k++)
        if (lml_column_is_null(u->idx_el, (size_t)u->io[i] + k) || ix[k] < 0 || ix[k] >= sz ||
            (k > 0 && ix[k] <= ix[k - 1]))
            return lml_error_set(err, LML_EINVAL, "vector struct: row %zu: index %zu (%d) is not increasing within "
                                 "size %d", i, k, (int)ix[k], (int)sz);
    *sparse = true;
    *size = (size_t)sz;
    return true;
}

lml_column *lml_vector_from_struct(const lml_column *s, lml_error *err)
{
    if (!lml_is_vector_struct(s)) {
        lml_error_set(err, LML_ETYPE, "expected Spark's VectorUDT struct {type, size, indices, values}, got %s",
                      s ? lml_type_name(lml_column_type(s)) : "NULL");
        return NULL;
    }
    udt_view u = {.type = lml_column_struct_field(s, "type"), .size = lml_column_struct_field(s, "size"),
                  .idx = lml_column_struct_field(s, "indices"), .val = lml_column_struct_field(s, "values")};
    u.idx_el = lml_column_child(u.idx, 0);
    u.val_el = lml_column_child(u.val, 0);
    u.io = lml_column_offsets(u.idx);
    u.vo = lml_column_offsets(u.val);
    size_t n = lml_column_length(s), d = 0, nnz = 0;
    bool any_sparse = false;
    for (size_t i = 0; i < n; i++) {
        size_t sz = 0;
        bool sparse = false;
        if (!row_size(&u, s, i, &sz, &sparse, err))
            return NULL;
        if (i == 0)
            d = sz;
        else if (sz != d) {
            lml_error_set(err, LML_EINVAL, "vector struct: row %zu has size %zu, row 0 has %zu (a vector column has "
                          "one size)", i, sz, d);
            return NULL;
        }
        any_sparse |= sparse;
        nnz += (size_t)(u.vo[i + 1] - u.vo[i]);
    }
    const double *vals = lml_column_doubles(u.val_el);
    if (!any_sparse) {
        size_t total = n * d; /* ≤ the values child's length: every row holds d of them */
        double *dense = malloc(total > 0 ? total * sizeof *dense : 1);
        if (!dense) {
            lml_error_set(err, LML_ENOMEM, "vector struct: out of memory for %zu rows", n);
            return NULL;
        }
        for (size_t i = 0; i < n; i++)
            memcpy(dense + i * d, vals + u.vo[i], d * sizeof *dense);
        lml_column *out = lml_column_vector_from_dense(dense, n, d, err);
        free(dense);
        return out;
    }
    /* CSR: a dense row among sparse ones keeps every element (zeros included, so -0.0 stays
     * -0.0 and nothing about the row changes but its storage). */
    int64_t *indptr = malloc((n + 1) * sizeof *indptr);
    int32_t *indices = malloc(nnz ? nnz * sizeof *indices : 1);
    double *values = malloc(nnz ? nnz * sizeof *values : 1);
    lml_column *out = NULL;
    if (!indptr || !indices || !values) {
        lml_error_set(err, LML_ENOMEM, "vector struct: out of memory for %zu rows", n);
        goto done;
    }
    size_t at = 0;
    indptr[0] = 0;
    for (size_t i = 0; i < n; i++) {
        const double *v = vals + u.vo[i];
        size_t nv = (size_t)(u.vo[i + 1] - u.vo[i]);
        bool dense = lml_column_get(u.type, i).v.i32 == 1;
        const int32_t *ix = dense ? NULL : lml_column_int32s(u.idx_el) + u.io[i];
        for (size_t k = 0; k < nv; k++) {
            indices[at] = dense ? (int32_t)k : ix[k];
            values[at++] = v[k];
        }
        indptr[i + 1] = (int64_t)at;
    }
    out = lml_column_vector_from_csr(indptr, indices, values, n, d, err);
done:
    free(indptr);
    free(indices);
    free(values);
    return out;
}

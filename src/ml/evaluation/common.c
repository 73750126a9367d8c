/* Column readers and checks shared by the evaluators. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "core/internal.h"

static double *alloc_doubles(size_t n, lml_error *err)
{
    size_t bytes;
    if (!lml_mul_ok(n ? n : 1, sizeof(double), &bytes)) {
        lml_error_set(err, LML_ENOMEM, "size overflow allocating %zu doubles", n);
        return NULL;
    }
    double *p = malloc(bytes);
    if (!p)
        lml_error_set(err, LML_ENOMEM, "out of memory allocating %zu doubles", n);
    return p;
}

double *lml_eval_read_column(const lml_frame *df, const char *col, lml_eval_coltype type, const char *who,
                             lml_error *err)
{
    if (!col) {
        lml_error_set(err, LML_EINVAL, "%s: column name is not set", who);
        return NULL;
    }
    const lml_column *c = lml_frame_column_by_name(df, col, err);
    if (!c) {
        lml_error_prefix(err, "%s", who);
        return NULL;
    }
    lml_type t = lml_column_type(c);
    bool ok = type == LML_EVAL_DOUBLE ? t == LML_DOUBLE : (t == LML_DOUBLE || t == LML_INT32 || t == LML_INT64);
    if (!ok) {
        lml_error_set(err, LML_ETYPE, "%s: column '%s' must be of type %s but was %s", who, col,
                      type == LML_EVAL_DOUBLE ? "double" : "numeric (integer, long or double)", lml_type_name(t));
        return NULL;
    }
    size_t n = lml_column_length(c);
    if (lml_column_null_count(c) > 0) {
        for (size_t i = 0; i < n; i++)
            if (lml_column_is_null(c, i)) {
                lml_error_set(err, LML_EINVAL, "%s: column '%s': null value at row %zu", who, col, i);
                return NULL;
            }
    }
    double *out = alloc_doubles(n, err);
    if (!out)
        return NULL;
    if (t == LML_DOUBLE) {
        if (n)
            memcpy(out, lml_column_doubles(c), n * sizeof *out);
    } else if (t == LML_INT32) {
        const int32_t *v = lml_column_int32s(c);
        for (size_t i = 0; i < n; i++)
            out[i] = (double)v[i];
    } else {
        const int64_t *v = lml_column_int64s(c);
        for (size_t i = 0; i < n; i++)
            out[i] = (double)v[i];
    }
    return out;
}

double *lml_eval_read_weights(const lml_frame *df, const char *weight_col, const char *who, lml_error *err)
{
    if (!weight_col || !*weight_col) {
        size_t n = lml_frame_num_rows(df);
        double *w = alloc_doubles(n, err);
        for (size_t i = 0; w && i < n; i++)
            w[i] = 1.0;
        return w;
    }
    double *w = lml_eval_read_column(df, weight_col, LML_EVAL_NUMERIC, who, err);
    if (!w)
        return NULL;
    size_t n = lml_frame_num_rows(df);
    for (size_t i = 0; i < n; i++)
        if (!(w[i] >= 0) || isinf(w[i])) {
            lml_error_set(err, LML_ERANGE,
                          "%s: column '%s': illegal weight %g at row %zu (weights must be >= 0 and finite)", who,
                          weight_col, w[i], i);
            free(w);
            return NULL;
        }
    return w;
}

bool lml_eval_check_nonempty(const lml_frame *df, const char *who, lml_error *err)
{
    return lml_frame_num_rows(df) > 0 ? true
                                      : lml_error_set(err, LML_EINVAL, "%s: cannot evaluate an empty frame", who);
}

bool lml_eval_check_one_of(const lml_param_value *v, const char *const *names, size_t n, lml_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v->v.s, names[i]) == 0)
            return true;
    char list[LML_ERROR_MESSAGE_MAX];
    size_t len = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n && len < sizeof list; i++) {
        int k = snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", names[i]);
        if (k < 0)
            break;
        len += (size_t)k;
    }
    return lml_error_set(err, LML_EINVAL, "must be one of %s; got '%s'", list, v->v.s);
}

double lml_eval_vector_at(const lml_column *col, size_t i, size_t idx)
{
    if (!lml_column_vector_is_sparse(col))
        return lml_column_vector_dense(col)[i * lml_column_vector_size(col) + idx];
    const int64_t *ip = lml_column_vector_indptr(col);
    const int32_t *ix = lml_column_vector_indices(col);
    const double *vals = lml_column_vector_values(col);
    /* Indices are strictly increasing within a row: binary search. */
    int64_t lo = ip[i], hi = ip[i + 1];
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if ((size_t)ix[mid] < idx)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ip[i + 1] && (size_t)ix[lo] == idx ? vals[lo] : 0.0;
}

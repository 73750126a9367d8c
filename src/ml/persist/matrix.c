/* Spark's ML Vector and Matrix values in data/ tables (spec §3.4): one-row columns that the
 * Parquet writer stores as the VectorUDT / MatrixUDT structs, and the decoding of either struct
 * (all four matrix forms: dense or sparse, column- or row-major) into dense arrays. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "ml/persist/persist_internal.h"

lml_column *lml_persist_vector_col(const double *v, size_t n, lml_error *err)
{
    size_t nnz = 0;
    for (size_t i = 0; i < n; i++)
        nnz += v[i] != 0.0;
    if (!(1.5 * ((double)nnz + 1.0) < (double)n)) /* Spark's Vector.compressed */
        return lml_column_vector_from_dense(v, 1, n, err);
    int32_t *idx = malloc((nnz ? nnz : 1) * sizeof *idx);
    double *val = malloc((nnz ? nnz : 1) * sizeof *val);
    lml_column *c = NULL;
    if (!idx || !val)
        lml_error_set(err, LML_ENOMEM, "out of memory building a vector");
    else {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (v[i] != 0.0)
                idx[k] = (int32_t)i, val[k++] = v[i];
        int64_t indptr[2] = {0, (int64_t)nnz};
        c = lml_column_vector_from_csr(indptr, idx, val, 1, n, err);
    }
    free(idx);
    free(val);
    return c;
}

/* A one-row list<int32> or list<double> column holding n values, or a null list when v is NULL. */
static lml_column *one_list(const void *v, size_t n, bool dbl, lml_error *err)
{
    static const int32_t zi = 0;
    static const double zd = 0;
    lml_column *child = dbl ? lml_column_from_doubles(v ? v : &zd, NULL, v ? n : 0, err)
                            : lml_column_from_int32s(v ? v : &zi, NULL, v ? n : 0, err);
    if (!child)
        return NULL;
    int32_t off[2] = {0, v ? (int32_t)n : 0};
    uint8_t valid = v ? 1 : 0;
    lml_column *l = lml_column_list_new(off, &valid, 1, child, err);
    lml_column_free(child);
    return l;
}

lml_column *lml_persist_matrix_col(const double *a, size_t rows, size_t cols, lml_error *err)
{
    size_t total;
    if (!lml_mul_ok(rows, cols, &total) || rows > INT32_MAX || cols > INT32_MAX) {
        lml_error_set(err, LML_ERANGE, "matrix of %zu x %zu is too large to save", rows, cols);
        return NULL;
    }
    size_t nnz = 0;
    for (size_t i = 0; i < total; i++)
        nnz += a[i] != 0.0;
    /* Spark's Matrix.compressed: the smallest of dense, CSC and CSR (ties: dense, then CSC). */
    double dense = 8.0 * (double)total + 21, csc = 12.0 * (double)nnz + 4.0 * ((double)cols + 1) + 45,
           csr = 12.0 * (double)nnz + 4.0 * ((double)rows + 1) + 45;
    int kind = dense <= fmin(csc, csr) ? 0 : csc <= csr ? 1 : 2;
    int32_t *ptr = NULL, *ind = NULL;
    double *val = NULL;
    lml_column *ch[7] = {0}, *out = NULL;
    if (kind) {
        size_t np = (kind == 1 ? cols : rows) + 1;
        ptr = calloc(np, sizeof *ptr);
        ind = malloc((nnz ? nnz : 1) * sizeof *ind);
        val = malloc((nnz ? nnz : 1) * sizeof *val);
        if (!ptr || !ind || !val) {
            lml_error_set(err, LML_ENOMEM, "out of memory building a matrix");
            goto done;
        }
        size_t outer = kind == 1 ? cols : rows, inner = kind == 1 ? rows : cols, k = 0;
        for (size_t o = 0; o < outer; o++) {
            for (size_t in = 0; in < inner; in++) {
                double x = kind == 1 ? a[in * cols + o] : a[o * cols + in];
                if (x != 0.0)
                    ind[k] = (int32_t)in, val[k++] = x;
            }
            ptr[o + 1] = (int32_t)k;
        }
    }
    int8_t type = kind ? 0 : 1;
    int32_t nr = (int32_t)rows, nc = (int32_t)cols;
    lml_column_builder *bb = lml_column_builder_new(LML_BOOL, 1, err);
    if (!bb || !lml_column_builder_append_bool(bb, kind != 1, err)) { /* dense is row-major here */
        lml_column_builder_free(bb);
        goto done;
    }
    ch[6] = lml_column_builder_finish(bb, err);
    ch[0] = lml_column_from_int8s(&type, NULL, 1, err);
    ch[1] = lml_column_from_int32s(&nr, NULL, 1, err);
    ch[2] = lml_column_from_int32s(&nc, NULL, 1, err);
    ch[3] = one_list(ptr, kind ? (kind == 1 ? cols : rows) + 1 : 0, false, err);
    ch[4] = one_list(ind, nnz, false, err);
    ch[5] = kind ? one_list(val, nnz, true, err) : one_list(a, total, true, err);
    for (int i = 0; i < 7; i++)
        if (!ch[i])
            goto done;
    static const char *const names[7] = {"type", "numRows", "numCols", "colPtrs", "rowIndices", "values",
                                         "isTransposed"};
    out = lml_column_struct_new(1, 7, names, ch, NULL, err);
done:
    for (int i = 0; i < 7; i++)
        lml_column_free(ch[i]);
    free(ptr);
    free(ind);
    free(val);
    return out;
}

/* ---------------------------------------------------------------- reading */

/* Field `name` of struct s (row r) as a list of ints/doubles: pointer to the first element and
 * the count; *present false for a null list. */
static bool struct_list(const lml_column *s, const char *name, size_t r, lml_type et, const void **v, size_t *n,
                        bool *present)
{
    const lml_column *l = lml_column_struct_field(s, name);
    if (!l || lml_column_type(l) != LML_LIST)
        return false;
    const lml_column *el = lml_column_child(l, 0);
    if (lml_column_type(el) != et || lml_column_null_count(el))
        return false;
    *present = !lml_column_is_null(l, r);
    if (!*present) {
        *v = NULL;
        *n = 0;
        return true;
    }
    const int32_t *off = lml_column_offsets(l);
    *n = (size_t)(off[r + 1] - off[r]);
    *v = et == LML_INT32 ? (const void *)(lml_column_int32s(el) + off[r]) : (const void *)(lml_column_doubles(el) + off[r]);
    return true;
}

static bool struct_int(const lml_column *s, const char *name, size_t r, lml_type t, int64_t *out, bool *present)
{
    const lml_column *c = lml_column_struct_field(s, name);
    if (!c || lml_column_type(c) != t)
        return false;
    *present = !lml_column_is_null(c, r);
    *out = !*present ? 0 : t == LML_INT8 ? lml_column_int8s(c)[r] : t == LML_INT32 ? lml_column_int32s(c)[r] : 0;
    if (t == LML_BOOL && *present)
        *out = lml_column_bool_at(c, r);
    return true;
}

static const lml_column *struct_cell(const lml_frame *f, const char *where, const char *col, size_t r,
                                     lml_error *err)
{
    long i = lml_frame_column_index(f, col);
    if (i < 0) {
        lml_error_set(err, LML_EFORMAT, "%s: data has no column '%s'", where, col);
        return NULL;
    }
    const lml_column *c = lml_frame_column(f, (size_t)i);
    if (r >= lml_column_length(c) || lml_column_is_null(c, r)) {
        lml_error_set(err, LML_EFORMAT, "%s: data column '%s' has no value in row %zu", where, col, r);
        return NULL;
    }
    return c;
}

bool lml_persist_cell_vector(const lml_frame *f, const char *where, const char *col, size_t r, double **out,
                             size_t *n, lml_error *err)
{
    const lml_column *c = struct_cell(f, where, col, r, err);
    if (!c)
        return false;
    if (lml_column_type(c) == LML_VECTOR) { /* a reader that already decoded the UDT */
        size_t d = lml_column_vector_size(c);
        double *v = calloc(d ? d : 1, sizeof *v);
        if (!v)
            return lml_error_set(err, LML_ENOMEM, "out of memory reading %s", where);
        if (lml_column_vector_is_sparse(c)) {
            const int64_t *ip = lml_column_vector_indptr(c);
            for (int64_t k = ip[r]; k < ip[r + 1]; k++)
                v[lml_column_vector_indices(c)[k]] = lml_column_vector_values(c)[k];
        } else if (d)
            memcpy(v, lml_column_vector_dense(c) + r * d, d * sizeof *v);
        *out = v;
        *n = d;
        return true;
    }
    int64_t type = 0, size = 0;
    bool has_t, has_s, has_i, has_v;
    const void *iv, *vv;
    size_t ni, nv;
    if (lml_column_type(c) != LML_STRUCT || !struct_int(c, "type", r, LML_INT8, &type, &has_t) ||
        !struct_int(c, "size", r, LML_INT32, &size, &has_s) || !struct_list(c, "indices", r, LML_INT32, &iv, &ni, &has_i) ||
        !struct_list(c, "values", r, LML_DOUBLE, &vv, &nv, &has_v) || !has_t || !has_v)
        return lml_error_set(err, LML_EFORMAT,
                             "%s: data column '%s' is not a Spark Vector struct {type byte, size int, indices "
                             "array<int>, values array<double>}", where, col);
    const int32_t *idx = iv;
    const double *val = vv;
    size_t d = type == 1 ? nv : (size_t)size;
    if (type == 0 && (!has_s || !has_i || size < 0 || size > INT32_MAX || ni != nv))
        return lml_error_set(err, LML_EFORMAT, "%s: data column '%s': sparse vector needs size >= 0 and as many "
                             "indices as values (got %zu and %zu)", where, col, ni, nv);
    if (type != 0 && type != 1)
        return lml_error_set(err, LML_EFORMAT, "%s: data column '%s': vector type must be 0 or 1, got %lld", where,
                             col, (long long)type);
    double *v = calloc(d ? d : 1, sizeof *v);
    if (!v)
        return lml_error_set(err, LML_ENOMEM, "out of memory reading %s", where);
    for (size_t k = 0; k < nv; k++) {
        if (type == 1) {
            v[k] = val[k];
            continue;
        }
        if (idx[k] < 0 || (size_t)idx[k] >= d || (k && idx[k] <= idx[k - 1])) {
            free(v);
            return lml_error_set(err, LML_EFORMAT, "%s: data column '%s': sparse index %d at position %zu is out of "
                                 "range or not increasing (size %zu)", where, col, idx[k], k, d);
        }
        v[idx[k]] = val[k];
    }
    *out = v;
    *n = d;
    return true;
}

bool lml_persist_cell_matrix(const lml_frame *f, const char *where, const char *col, size_t r, double **out,
                             size_t *rows, size_t *cols, lml_error *err)
{
    const lml_column *c = struct_cell(f, where, col, r, err);
    if (!c)
        return false;
    int64_t type = 0, nr = 0, nc = 0, tr = 0;
    bool p[7];
    const void *pv, *iv, *vv;
    size_t np, ni, nv;
    if (lml_column_type(c) != LML_STRUCT || !struct_int(c, "type", r, LML_INT8, &type, &p[0]) ||
        !struct_int(c, "numRows", r, LML_INT32, &nr, &p[1]) || !struct_int(c, "numCols", r, LML_INT32, &nc, &p[2]) ||
        !struct_list(c, "colPtrs", r, LML_INT32, &pv, &np, &p[3]) ||
        !struct_list(c, "rowIndices", r, LML_INT32, &iv, &ni, &p[4]) ||
        !struct_list(c, "values", r, LML_DOUBLE, &vv, &nv, &p[5]) ||
        !struct_int(c, "isTransposed", r, LML_BOOL, &tr, &p[6]) || !p[0] || !p[1] || !p[2] || !p[5] || !p[6])
        return lml_error_set(err, LML_EFORMAT,
                             "%s: data column '%s' is not a Spark Matrix struct {type byte, numRows int, numCols int, "
                             "colPtrs, rowIndices, values, isTransposed boolean}", where, col);
    size_t total;
    if (nr < 0 || nc < 0 || !lml_mul_ok((size_t)nr, (size_t)nc, &total) || total > ((size_t)1 << 31))
        return lml_error_set(err, LML_EFORMAT, "%s: data column '%s': bad matrix shape %lld x %lld", where, col,
                             (long long)nr, (long long)nc);
    const int32_t *ptr = pv, *ind = iv;
    const double *val = vv;
    size_t R = (size_t)nr, C = (size_t)nc, outer = tr ? R : C, inner = tr ? C : R;
    if (type == 1 && nv != total)
        return lml_error_set(err, LML_EFORMAT, "%s: data column '%s': dense %zu x %zu matrix has %zu values", where,
                             col, R, C, nv);
    if (type == 0 && (!p[3] || !p[4] || np != outer + 1 || ni != nv || ptr[0] != 0 || (size_t)ptr[outer] != nv))
        return lml_error_set(err, LML_EFORMAT, "%s: data column '%s': sparse %zu x %zu matrix needs %zu colPtrs "
                             "ending at the %zu values, got %zu colPtrs and %zu indices", where, col, R, C, outer + 1,
                             nv, np, ni);
    if (type != 0 && type != 1)
        return lml_error_set(err, LML_EFORMAT, "%s: data column '%s': matrix type must be 0 or 1, got %lld", where,
                             col, (long long)type);
    double *m = calloc(total ? total : 1, sizeof *m);
    if (!m)
        return lml_error_set(err, LML_ENOMEM, "out of memory reading %s", where);
    for (size_t o = 0; o < outer; o++) {
        size_t b = type ? o * inner : (size_t)ptr[o], e = type ? (o + 1) * inner : (size_t)ptr[o + 1];
        if (!type && (ptr[o] < 0 || ptr[o + 1] < ptr[o] || e > nv)) {
            free(m);
            return lml_error_set(err, LML_EFORMAT, "%s: data column '%s': colPtrs not increasing at %zu", where, col,
                                 o);
        }
        for (size_t k = b; k < e; k++) {
            size_t in = type ? k - b : (size_t)ind[k];
            if (!type && (ind[k] < 0 || in >= inner)) {
                free(m);
                return lml_error_set(err, LML_EFORMAT, "%s: data column '%s': index %d out of range at %zu", where,
                                     col, ind[k], k);
            }
            size_t i = tr ? o : in, j = tr ? in : o;
            m[i * C + j] = val[k];
        }
    }
    *out = m;
    *rows = R;
    *cols = C;
    return true;
}

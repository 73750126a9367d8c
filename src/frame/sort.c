/* Spark SQL's ascending order on rows and a stable merge sort of row numbers by every column. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/sort.h"

int lml_compare_doubles(double a, double b)
{
    if (a < b)
        return -1;
    if (a > b)
        return 1;
    if (a == b)
        return 0;
    return isnan(a) ? (isnan(b) ? 0 : 1) : -1; /* at least one is NaN */
}

static int cmp_i64(int64_t a, int64_t b) { return (a > b) - (a < b); }

/* Arrays compare element by element, then the shorter one first. */
static int cmp_double_arrays(const double *a, size_t na, const double *b, size_t nb)
{
    size_t n = na < nb ? na : nb;
    for (size_t k = 0; k < n; k++) {
        int c = lml_compare_doubles(a[k], b[k]);
        if (c)
            return c;
    }
    return cmp_i64((int64_t)na, (int64_t)nb);
}

static int cmp_int_arrays(const int32_t *a, size_t na, const int32_t *b, size_t nb)
{
    size_t n = na < nb ? na : nb;
    for (size_t k = 0; k < n; k++)
        if (a[k] != b[k])
            return a[k] < b[k] ? -1 : 1;
    return cmp_i64((int64_t)na, (int64_t)nb);
}

/* A vector column is all dense or all sparse, so the struct's type byte (and, for dense rows,
 * the null size and indices) never decides between two rows of one column. */
static int cmp_vectors(const lml_column *c, size_t i, size_t j)
{
    if (!c->sparse) {
        size_t d = c->vec_size;
        return cmp_double_arrays(c->vvalues + i * d, d, c->vvalues + j * d, d);
    }
    size_t ai = (size_t)c->indptr[i], an = (size_t)(c->indptr[i + 1] - c->indptr[i]);
    size_t bi = (size_t)c->indptr[j], bn = (size_t)(c->indptr[j + 1] - c->indptr[j]);
    int r = cmp_int_arrays(c->indices + ai, an, c->indices + bi, bn);
    return r ? r : cmp_double_arrays(c->vvalues + ai, an, c->vvalues + bi, bn);
}

/* Spark's array and struct orderings: element by element (nulls first), then the shorter
 * array first; struct fields in order. Maps have no order in Spark: they compare equal, so
 * sorting "by every orderable column" passes over them. */
static int cmp_nested(const lml_column *c, size_t i, size_t j)
{
    if (c->type == LML_STRUCT) {
        for (size_t k = 0; k < c->nchildren; k++) {
            int r = lml_column_compare(c->children[k], i, j);
            if (r)
                return r;
        }
        return 0;
    }
    if (c->type != LML_LIST)
        return 0;
    size_t a = (size_t)c->offsets[i], an = (size_t)(c->offsets[i + 1] - c->offsets[i]);
    size_t b = (size_t)c->offsets[j], bn = (size_t)(c->offsets[j + 1] - c->offsets[j]);
    for (size_t k = 0; k < an && k < bn; k++) {
        int r = lml_column_compare(c->children[0], a + k, b + k);
        if (r)
            return r;
    }
    return cmp_i64((int64_t)an, (int64_t)bn);
}

int lml_column_compare(const lml_column *c, size_t i, size_t j)
{
    if (c->validity) {
        bool pi = lml_bit_get(c->validity, i), pj = lml_bit_get(c->validity, j);
        if (!pi || !pj)
            return (int)pi - (int)pj;
    }
    switch (c->type) {
    case LML_BOOL: return (int)lml_bit_get(c->values, i) - (int)lml_bit_get(c->values, j);
    case LML_INT32:
    case LML_DATE: return cmp_i64(((const int32_t *)c->values)[i], ((const int32_t *)c->values)[j]);
    case LML_INT64:
    case LML_TIMESTAMP:
    case LML_TIMESTAMP_NTZ: return cmp_i64(((const int64_t *)c->values)[i], ((const int64_t *)c->values)[j]);
    case LML_INT8: return cmp_i64(((const int8_t *)c->values)[i], ((const int8_t *)c->values)[j]);
    case LML_INT16: return cmp_i64(((const int16_t *)c->values)[i], ((const int16_t *)c->values)[j]);
    case LML_FLOAT: return lml_compare_doubles(((const float *)c->values)[i], ((const float *)c->values)[j]);
    case LML_DECIMAL: { /* one scale per column: compare the unscaled values, high word signed */
        const uint8_t *a = (const uint8_t *)c->values + i * 16, *b = (const uint8_t *)c->values + j * 16;
        int64_t ah, bh;
        uint64_t al, bl;
        memcpy(&al, a, 8);
        memcpy(&ah, a + 8, 8);
        memcpy(&bl, b, 8);
        memcpy(&bh, b + 8, 8);
        return ah != bh ? cmp_i64(ah, bh) : (al > bl) - (al < bl);
    }
    case LML_DOUBLE: return lml_compare_doubles(((const double *)c->values)[i], ((const double *)c->values)[j]);
    case LML_STRING:
    case LML_BINARY: { /* unsigned bytes, then the shorter first: Spark's order for both */
        size_t la = (size_t)(c->offsets[i + 1] - c->offsets[i]), lb = (size_t)(c->offsets[j + 1] - c->offsets[j]);
        int r = memcmp((const char *)c->values + c->offsets[i], (const char *)c->values + c->offsets[j],
                       la < lb ? la : lb);
        return r ? (r < 0 ? -1 : 1) : cmp_i64((int64_t)la, (int64_t)lb);
    }
    case LML_VECTOR: return cmp_vectors(c, i, j);
    case LML_LIST:
    case LML_STRUCT:
    case LML_MAP: return cmp_nested(c, i, j);
    }
    return 0;
}

static int cmp_rows(const lml_frame *f, size_t i, size_t j)
{
    for (size_t c = 0; c < f->ncols; c++) {
        int r = lml_column_compare(f->fields[c].col, i, j);
        if (r)
            return r;
    }
    return 0;
}

/* Bottom-up merge sort: insertion-sorted runs of 16, then stable merges into tmp and back. */
bool lml_frame_sort_order(const lml_frame *f, size_t *perm, lml_error *err)
{
    size_t n = f->nrows;
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    if (n < 2 || f->ncols == 0)
        return true;
    size_t bytes;
    if (!lml_mul_ok(n, sizeof(size_t), &bytes))
        return lml_error_set(err, LML_ENOMEM, "sorting %zu rows: size overflow", n);
    size_t *tmp = malloc(bytes);
    if (!tmp)
        return lml_error_set(err, LML_ENOMEM, "out of memory sorting %zu rows", n);
    const size_t run = 16;
    for (size_t lo = 0; lo < n; lo += run) {
        size_t hi = lo + run < n ? lo + run : n;
        for (size_t k = lo + 1; k < hi; k++) {
            size_t v = perm[k], m = k;
            while (m > lo && cmp_rows(f, perm[m - 1], v) > 0) {
                perm[m] = perm[m - 1];
                m--;
            }
            perm[m] = v;
        }
    }
    size_t *src = perm, *dst = tmp;
    for (size_t width = run; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t a = lo, b = mid, o = lo;
            if (mid < hi && cmp_rows(f, src[mid - 1], src[mid]) <= 0) {
                memcpy(dst + lo, src + lo, (hi - lo) * sizeof *src); /* already in order */
                continue;
            }
            while (a < mid && b < hi)
                dst[o++] = cmp_rows(f, src[b], src[a]) < 0 ? src[b++] : src[a++];
            while (a < mid)
                dst[o++] = src[a++];
            while (b < hi)
                dst[o++] = src[b++];
        }
        size_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != perm)
        memcpy(perm, src, n * sizeof *perm);
    free(tmp);
    return true;
}

/* Column builders (append one value at a time) and columns made from plain arrays. */
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"

struct lml_column_builder {
    lml_type type;
    size_t len, cap;       /* rows */
    uint8_t *validity;     /* grown with the rows; bit set = present */
    size_t nulls;
    void *values;          /* fixed width or bool bits */
    int32_t *offsets;      /* strings */
    char *data;
    size_t data_len, data_cap;
    size_t hint;           /* first capacity, from the caller */
};

static size_t width(lml_type t)
{
    return t == LML_INT32 || t == LML_DATE ? 4 : t == LML_BOOL || t == LML_STRING ? 0 : 8;
}

lml_column_builder *lml_column_builder_new(lml_type type, size_t capacity_hint, lml_error *err)
{
    if (type == LML_VECTOR || (unsigned)type > LML_VECTOR) {
        lml_error_set(err, LML_EINVAL, "column builders make scalar columns, not %s", lml_type_name(type));
        return NULL;
    }
    lml_column_builder *b = calloc(1, sizeof *b);
    if (!b) {
        lml_error_set(err, LML_ENOMEM, "out of memory creating a column builder");
        return NULL;
    }
    b->type = type;
    b->hint = capacity_hint;
    return b;
}

void lml_column_builder_free(lml_column_builder *b)
{
    if (!b)
        return;
    free(b->validity);
    free(b->values);
    free(b->offsets);
    free(b->data);
    free(b);
}

static bool grow(lml_column_builder *b, lml_error *err)
{
    if (b->len < b->cap)
        return true;
    size_t cap = b->cap ? b->cap * 2 : b->hint > 0 && b->hint < ((size_t)1 << 32) ? b->hint : 64;
    if (cap <= b->cap)
        return lml_error_set(err, LML_ENOMEM, "a column cannot grow past %zu rows", b->cap);
    size_t bytes = b->type == LML_BOOL ? lml_bitmap_bytes(cap) : b->type == LML_STRING ? 0 : cap * width(b->type);
    uint8_t *v = realloc(b->validity, lml_bitmap_bytes(cap));
    if (!v)
        goto nomem;
    memset(v + lml_bitmap_bytes(b->cap), 0, lml_bitmap_bytes(cap) - lml_bitmap_bytes(b->cap));
    b->validity = v;
    if (b->type == LML_STRING) {
        int32_t *o = realloc(b->offsets, (cap + 1) * sizeof *o);
        if (!o)
            goto nomem;
        if (!b->cap)
            o[0] = 0;
        b->offsets = o;
    } else {
        void *p = realloc(b->values, bytes);
        if (!p)
            goto nomem;
        size_t old = lml_bitmap_bytes(b->cap);
        if (b->type == LML_BOOL && bytes > old) /* the test also tells GCC the size cannot wrap */
            memset((uint8_t *)p + old, 0, bytes - old);
        b->values = p;
    }
    b->cap = cap;
    return true;
nomem:
    return lml_error_set(err, LML_ENOMEM, "out of memory growing a %s column to %zu rows", lml_type_name(b->type), cap);
}

static bool check_type(lml_column_builder *b, bool ok, const char *what, lml_error *err)
{
    if (!ok)
        return lml_error_set(err, LML_ETYPE, "cannot append a %s to a %s column", what, lml_type_name(b->type));
    return grow(b, err);
}

static void present(lml_column_builder *b)
{
    lml_bit_set(b->validity, b->len);
    if (b->type == LML_STRING)
        b->offsets[b->len + 1] = (int32_t)b->data_len;
    b->len++;
}

bool lml_column_builder_append_null(lml_column_builder *b, lml_error *err)
{
    if (!grow(b, err))
        return false;
    if (b->type == LML_STRING)
        b->offsets[b->len + 1] = (int32_t)b->data_len;
    else if (b->type != LML_BOOL)
        memset((char *)b->values + b->len * width(b->type), 0, width(b->type));
    b->nulls++;
    b->len++;
    return true;
}

bool lml_column_builder_append_bool(lml_column_builder *b, bool v, lml_error *err)
{
    if (!check_type(b, b->type == LML_BOOL, "boolean", err))
        return false;
    if (v)
        lml_bit_set(b->values, b->len);
    present(b);
    return true;
}

bool lml_column_builder_append_int32(lml_column_builder *b, int32_t v, lml_error *err)
{
    if (!check_type(b, b->type == LML_INT32 || b->type == LML_DATE, "32-bit integer", err))
        return false;
    ((int32_t *)b->values)[b->len] = v;
    present(b);
    return true;
}

bool lml_column_builder_append_int64(lml_column_builder *b, int64_t v, lml_error *err)
{
    if (!check_type(b, b->type == LML_INT64 || b->type == LML_TIMESTAMP, "64-bit integer", err))
        return false;
    ((int64_t *)b->values)[b->len] = v;
    present(b);
    return true;
}

bool lml_column_builder_append_double(lml_column_builder *b, double v, lml_error *err)
{
    if (!check_type(b, b->type == LML_DOUBLE, "double", err))
        return false;
    ((double *)b->values)[b->len] = v;
    present(b);
    return true;
}

bool lml_column_builder_append_string(lml_column_builder *b, const char *s, size_t len, lml_error *err)
{
    if (!check_type(b, b->type == LML_STRING, "string", err))
        return false;
    if (len > (size_t)INT32_MAX - b->data_len)
        return lml_error_set(err, LML_ERANGE, "a string column is over the 2 GiB a column can hold");
    if (b->data_len + len > b->data_cap) {
        size_t cap = b->data_cap ? b->data_cap : 256;
        while (cap < b->data_len + len)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d)
            return lml_error_set(err, LML_ENOMEM, "out of memory growing a string column to %zu bytes", cap);
        b->data = d;
        b->data_cap = cap;
    }
    if (len)
        memcpy(b->data + b->data_len, s, len);
    b->data_len += len;
    present(b);
    return true;
}

bool lml_column_builder_append_value(lml_column_builder *b, const lml_value *v, lml_error *err)
{
    if (v->is_null)
        return lml_column_builder_append_null(b, err);
    switch (v->type) {
    case LML_BOOL: return lml_column_builder_append_bool(b, v->v.b, err);
    case LML_INT32:
    case LML_DATE: return lml_column_builder_append_int32(b, v->v.i32, err);
    case LML_INT64:
    case LML_TIMESTAMP: return lml_column_builder_append_int64(b, v->v.i64, err);
    case LML_DOUBLE: return lml_column_builder_append_double(b, v->v.f64, err);
    case LML_STRING: return lml_column_builder_append_string(b, v->v.str.ptr, v->v.str.len, err);
    default: return lml_error_set(err, LML_ETYPE, "cannot append a %s value to a builder", lml_type_name(v->type));
    }
}

lml_column *lml_column_builder_finish(lml_column_builder *b, lml_error *err)
{
    if (!b)
        return NULL;
    lml_column *c = lml_column_alloc(b->type, b->len, b->data_len, b->nulls > 0, err);
    if (c) {
        if (b->type == LML_STRING) {
            if (b->len)
                memcpy(c->offsets, b->offsets, (b->len + 1) * sizeof(int32_t));
            if (b->data_len)
                memcpy(c->values, b->data, b->data_len);
        } else if (b->len) {
            size_t bytes = b->type == LML_BOOL ? lml_bitmap_bytes(b->len) : b->len * width(b->type);
            memcpy(c->values, b->values, bytes);
        }
        if (c->validity && b->len)
            memcpy(c->validity, b->validity, lml_bitmap_bytes(b->len));
        lml_column_seal(c);
    }
    lml_column_builder_free(b);
    return c;
}

/* ---- columns from arrays */

static lml_column *from_fixed(lml_type type, const void *values, const uint8_t *validity, size_t n, size_t w,
                              lml_error *err)
{
    lml_column *c = lml_column_alloc(type, n, 0, validity != NULL, err);
    if (!c)
        return NULL;
    if (n) {
        memcpy(c->values, values, n * w);
        if (validity)
            memcpy(c->validity, validity, lml_bitmap_bytes(n));
    }
    if (c->validity) {
        /* Null slots hold zero, so that sums over raw buffers never see garbage. */
        for (size_t i = 0; i < n; i++)
            if (!lml_bit_get(c->validity, i))
                memset((char *)c->values + i * w, 0, w);
    }
    return lml_column_seal(c);
}

lml_column *lml_column_from_doubles(const double *values, const uint8_t *validity, size_t n, lml_error *err)
{
    return from_fixed(LML_DOUBLE, values, validity, n, sizeof(double), err);
}

lml_column *lml_column_from_int32s(const int32_t *values, const uint8_t *validity, size_t n, lml_error *err)
{
    return from_fixed(LML_INT32, values, validity, n, sizeof(int32_t), err);
}

lml_column *lml_column_from_int64s(const int64_t *values, const uint8_t *validity, size_t n, lml_error *err)
{
    return from_fixed(LML_INT64, values, validity, n, sizeof(int64_t), err);
}

lml_column *lml_column_from_strings(const char *const *values, size_t n, lml_error *err)
{
    size_t bytes = 0;
    bool nulls = false;
    for (size_t i = 0; i < n; i++) {
        if (values[i])
            bytes += strlen(values[i]);
        else
            nulls = true;
    }
    lml_column *c = lml_column_alloc(LML_STRING, n, bytes, nulls, err);
    if (!c)
        return NULL;
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (values[i]) {
            size_t len = strlen(values[i]);
            memcpy((char *)c->values + pos, values[i], len);
            pos += len;
            if (nulls)
                lml_bit_set(c->validity, i);
        }
        c->offsets[i + 1] = (int32_t)pos;
    }
    return lml_column_seal(c);
}

static lml_column *vector_shell(size_t n, size_t size, lml_error *err)
{
    lml_column *c = calloc(1, sizeof *c);
    if (!c) {
        lml_error_set(err, LML_ENOMEM, "out of memory creating a vector column");
        return NULL;
    }
    atomic_init(&c->refs, 1);
    c->type = LML_VECTOR;
    c->length = n;
    c->vec_size = size;
    return c;
}

lml_column *lml_column_vector_from_dense(const double *values, size_t n, size_t size, lml_error *err)
{
    size_t count, bytes;
    if (!lml_mul_ok(n, size, &count) || !lml_mul_ok(count, sizeof(double), &bytes)) {
        lml_error_set(err, LML_ENOMEM, "a dense vector column of %zu × %zu is too large", n, size);
        return NULL;
    }
    lml_column *c = vector_shell(n, size, err);
    if (!c)
        return NULL;
    c->vvalues = lml_aligned_malloc(bytes);
    if (!c->vvalues) {
        lml_column_free(c);
        lml_error_set(err, LML_ENOMEM, "out of memory for a dense vector column of %zu × %zu", n, size);
        return NULL;
    }
    if (bytes)
        memcpy(c->vvalues, values, bytes);
    return c;
}

lml_column *lml_column_vector_from_csr(const int64_t *indptr, const int32_t *indices, const double *values, size_t n,
                                       size_t size, lml_error *err)
{
    if (indptr[0] != 0)
        return lml_error_set(err, LML_EINVAL, "CSR indptr must start at 0, not %lld", (long long)indptr[0]), NULL;
    for (size_t i = 0; i < n; i++) {
        if (indptr[i + 1] < indptr[i])
            return lml_error_set(err, LML_EINVAL, "CSR indptr decreases at row %zu", i), NULL;
        for (int64_t k = indptr[i]; k < indptr[i + 1]; k++) {
            if (indices[k] < 0 || (size_t)indices[k] >= size || (k > indptr[i] && indices[k] <= indices[k - 1]))
                return lml_error_set(err, LML_EINVAL,
                                     "CSR row %zu: index %d is out of order or outside the vector size %zu", i,
                                     indices[k], size),
                       NULL;
        }
    }
    size_t nnz = (size_t)indptr[n];
    lml_column *c = vector_shell(n, size, err);
    if (!c)
        return NULL;
    c->sparse = true;
    c->indptr = lml_aligned_malloc((n + 1) * sizeof(int64_t));
    c->indices = lml_aligned_malloc(nnz * sizeof(int32_t));
    c->vvalues = lml_aligned_malloc(nnz * sizeof(double));
    if (!c->indptr || !c->indices || !c->vvalues) {
        lml_column_free(c);
        lml_error_set(err, LML_ENOMEM, "out of memory for a sparse vector column with %zu entries", nnz);
        return NULL;
    }
    memcpy(c->indptr, indptr, (n + 1) * sizeof(int64_t));
    if (nnz) {
        memcpy(c->indices, indices, nnz * sizeof(int32_t));
        memcpy(c->vvalues, values, nnz * sizeof(double));
    }
    return c;
}

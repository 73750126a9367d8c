/* Columns: allocation, reference counting and read access. */
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"

/* Aligned buffers come from malloc/calloc with up to LML_ALIGN bytes of slack in front; the byte
 * just before the aligned pointer records the slack so that free can find the block. calloc (not
 * aligned_alloc + memset) lets large zeroed buffers come straight from fresh, already-zero pages. */
static void *align_block(unsigned char *block)
{
    if (!block)
        return NULL;
    unsigned char *p = (unsigned char *)(((uintptr_t)block + LML_ALIGN) & ~(uintptr_t)(LML_ALIGN - 1));
    p[-1] = (unsigned char)(p - block);
    return p;
}

void *lml_aligned_malloc(size_t n)
{
    return n > SIZE_MAX - LML_ALIGN ? NULL : align_block(malloc(n + LML_ALIGN));
}

void *lml_aligned_calloc(size_t n)
{
    return n > SIZE_MAX - LML_ALIGN ? NULL : align_block(calloc(1, n + LML_ALIGN));
}

void lml_aligned_free(void *p)
{
    if (p)
        free((unsigned char *)p - ((unsigned char *)p)[-1]);
}

static size_t fixed_width(lml_type type)
{
    switch (type) {
    case LML_INT8: return 1;
    case LML_INT16: return 2;
    case LML_INT32:
    case LML_DATE:
    case LML_FLOAT: return 4;
    case LML_INT64:
    case LML_TIMESTAMP:
    case LML_TIMESTAMP_NTZ:
    case LML_DOUBLE: return 8;
    case LML_DECIMAL: return 16;
    default: return 0;
    }
}

lml_column *lml_column_alloc(lml_type type, size_t n, size_t string_bytes, bool with_validity, lml_error *err)
{
    if (type == LML_VECTOR || lml_type_is_nested(type)) {
        lml_error_set(err, LML_EINVAL, "lml_column_alloc cannot make %s columns", lml_type_name(type));
        return NULL;
    }
    bool varlen = type == LML_STRING || type == LML_BINARY;
    lml_column *c = calloc(1, sizeof *c);
    if (!c)
        goto nomem;
    atomic_init(&c->refs, 1);
    c->type = type;
    c->length = n;
    size_t bytes;
    if (type == LML_BOOL)
        bytes = lml_bitmap_bytes(n);
    else if (varlen)
        bytes = string_bytes;
    else if (!lml_mul_ok(n, fixed_width(type), &bytes))
        goto nomem;
    if (varlen) {
        if (string_bytes > INT32_MAX || n >= SIZE_MAX / sizeof(int32_t)) {
            lml_column_free(c);
            lml_error_set(err, LML_ERANGE, "a %s column of %zu bytes is over the 2 GiB a column can hold",
                          lml_type_name(type), string_bytes);
            return NULL;
        }
        c->offsets = lml_aligned_calloc((n + 1) * sizeof(int32_t));
        if (!c->offsets)
            goto nomem;
        c->data_len = string_bytes;
    }
    c->values = lml_aligned_calloc(bytes);
    if (!c->values)
        goto nomem;
    if (with_validity) {
        c->validity = lml_aligned_calloc(lml_bitmap_bytes(n));
        if (!c->validity)
            goto nomem;
    }
    return c;
nomem:
    lml_column_free(c);
    lml_error_set(err, LML_ENOMEM, "out of memory allocating a %s column of %zu rows", lml_type_name(type), n);
    return NULL;
}

lml_column *lml_column_seal(lml_column *col)
{
    if (!col || !col->validity)
        return col;
    size_t present = 0, full = col->length / 8;
    for (size_t i = 0; i < full; i++)
        present += (size_t)__builtin_popcount(col->validity[i]);
    for (size_t i = full * 8; i < col->length; i++)
        present += lml_bit_get(col->validity, i);
    col->null_count = col->length - present;
    if (col->null_count == 0) {
        lml_aligned_free(col->validity);
        col->validity = NULL;
    }
    return col;
}

lml_column *lml_column_retain(const lml_column *col)
{
    lml_column *c = (lml_column *)col;
    if (c)
        atomic_fetch_add(&c->refs, 1);
    return c;
}

void lml_column_free(lml_column *col)
{
    if (!col || atomic_fetch_sub(&col->refs, 1) > 1)
        return;
    lml_column_free_children(col); /* children hold their own references (and foreign holders) */
    if (col->foreign_release) { /* an Arrow import's buffers: their owner frees them */
        col->foreign_release(col->foreign);
        free(col);
        return;
    }
    lml_aligned_free(col->validity);
    lml_aligned_free(col->values);
    lml_aligned_free(col->offsets);
    lml_aligned_free(col->indptr);
    lml_aligned_free(col->indices);
    lml_aligned_free(col->vvalues);
    free(col);
}

lml_type lml_column_type(const lml_column *col) { return col->type; }
size_t lml_column_length(const lml_column *col) { return col->length; }
size_t lml_column_null_count(const lml_column *col) { return col->null_count; }
const uint8_t *lml_column_validity(const lml_column *col) { return col->validity; }

bool lml_column_is_null(const lml_column *col, size_t i)
{
    return col->validity && !lml_bit_get(col->validity, i);
}

const double *lml_column_doubles(const lml_column *col)
{
    return col->type == LML_DOUBLE ? col->values : NULL;
}

const int32_t *lml_column_int32s(const lml_column *col)
{
    return col->type == LML_INT32 || col->type == LML_DATE ? col->values : NULL;
}

const int64_t *lml_column_int64s(const lml_column *col)
{
    return col->type == LML_INT64 || col->type == LML_TIMESTAMP || col->type == LML_TIMESTAMP_NTZ ? col->values : NULL;
}

const uint8_t *lml_column_bool_bits(const lml_column *col) { return col->type == LML_BOOL ? col->values : NULL; }

bool lml_column_bool_at(const lml_column *col, size_t i)
{
    return col->type == LML_BOOL && lml_bit_get(col->values, i);
}

const char *lml_column_string_at(const lml_column *col, size_t i, size_t *len)
{
    if (col->type != LML_STRING) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = (size_t)(col->offsets[i + 1] - col->offsets[i]);
    return (const char *)col->values + col->offsets[i];
}

const int32_t *lml_column_string_offsets(const lml_column *col) { return col->type == LML_STRING ? col->offsets : NULL; }
const char *lml_column_string_data(const lml_column *col) { return col->type == LML_STRING ? col->values : NULL; }

lml_value lml_column_get(const lml_column *col, size_t i)
{
    lml_value v = {.type = col->type, .is_null = lml_column_is_null(col, i)};
    if (v.is_null)
        return v;
    switch (col->type) {
    case LML_BOOL: v.v.b = lml_bit_get(col->values, i); break;
    case LML_INT32:
    case LML_DATE: v.v.i32 = ((const int32_t *)col->values)[i]; break;
    case LML_INT64:
    case LML_TIMESTAMP:
    case LML_TIMESTAMP_NTZ: v.v.i64 = ((const int64_t *)col->values)[i]; break;
    case LML_DOUBLE: v.v.f64 = ((const double *)col->values)[i]; break;
    case LML_FLOAT: v.v.f64 = ((const float *)col->values)[i]; break;
    case LML_INT8: v.v.i32 = ((const int8_t *)col->values)[i]; break;
    case LML_INT16: v.v.i32 = ((const int16_t *)col->values)[i]; break;
    case LML_DECIMAL:
        memcpy(&v.v.dec.lo, (const uint8_t *)col->values + i * 16, 8);
        memcpy(&v.v.dec.hi, (const uint8_t *)col->values + i * 16 + 8, 8);
        v.v.dec.precision = col->precision;
        v.v.dec.scale = col->scale;
        break;
    case LML_STRING: v.v.str.ptr = lml_column_string_at(col, i, &v.v.str.len); break;
    case LML_BINARY: v.v.str.ptr = (const char *)lml_column_binary_at(col, i, &v.v.str.len); break;
    case LML_VECTOR:
    case LML_LIST:
    case LML_STRUCT:
    case LML_MAP: break; /* read through the children */
    }
    return v;
}

double lml_column_get_double(const lml_column *col, size_t i)
{
    if (lml_column_is_null(col, i))
        return __builtin_nan("");
    switch (col->type) {
    case LML_BOOL: return lml_bit_get(col->values, i) ? 1.0 : 0.0;
    case LML_INT32:
    case LML_DATE: return ((const int32_t *)col->values)[i];
    case LML_INT64:
    case LML_TIMESTAMP:
    case LML_TIMESTAMP_NTZ: return (double)((const int64_t *)col->values)[i];
    case LML_DOUBLE: return ((const double *)col->values)[i];
    case LML_FLOAT: return ((const float *)col->values)[i];
    case LML_INT8: return ((const int8_t *)col->values)[i];
    case LML_INT16: return ((const int16_t *)col->values)[i];
    case LML_DECIMAL: return lml_decimal_to_double((const uint8_t *)col->values + i * 16, col->scale);
    default: return __builtin_nan("");
    }
}

size_t lml_column_vector_size(const lml_column *col) { return col->type == LML_VECTOR ? col->vec_size : 0; }
bool lml_column_vector_is_sparse(const lml_column *col) { return col->type == LML_VECTOR && col->sparse; }
const double *lml_column_vector_dense(const lml_column *col)
{
    return col->type == LML_VECTOR && !col->sparse ? col->vvalues : NULL;
}
const int64_t *lml_column_vector_indptr(const lml_column *col) { return col->sparse ? col->indptr : NULL; }
const int32_t *lml_column_vector_indices(const lml_column *col) { return col->sparse ? col->indices : NULL; }
const double *lml_column_vector_values(const lml_column *col) { return col->sparse ? col->vvalues : NULL; }

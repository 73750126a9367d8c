/* Distinct values of one column in order of first appearance, found with an open-addressing
 * hash table of row numbers. Equality is Spark's grouping equality: -0.0 equals 0.0 and all
 * NaNs are one value (Spark normalises both before grouping, so the result holds 0.0 and NaN);
 * null is a value of its own. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"
#include "frame/sort.h"

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    return h ^ (h >> 33);
}

static uint64_t hash_double(double x)
{
    if (x == 0)
        x = 0.0; /* -0.0 hashes as 0.0 */
    if (isnan(x))
        return UINT64_C(0x7ff8000000000000);
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static uint64_t hash_bytes(const unsigned char *p, size_t n, uint64_t h)
{
    for (size_t k = 0; k < n; k++) /* FNV-1a */
        h = (h ^ p[k]) * UINT64_C(0x100000001b3);
    return h;
}

static uint64_t hash_row(const lml_column *c, size_t i)
{
    if (c->validity && !lml_bit_get(c->validity, i))
        return UINT64_C(0x9e3779b97f4a7c15);
    switch (c->type) {
    case LML_BOOL: return mix64(lml_bit_get(c->values, i) + 1);
    case LML_INT32:
    case LML_DATE: return mix64((uint64_t)(int64_t)((const int32_t *)c->values)[i]);
    case LML_INT64:
    case LML_TIMESTAMP:
    case LML_TIMESTAMP_NTZ: return mix64((uint64_t)((const int64_t *)c->values)[i]);
    case LML_INT8: return mix64((uint64_t)(int64_t)((const int8_t *)c->values)[i]);
    case LML_INT16: return mix64((uint64_t)(int64_t)((const int16_t *)c->values)[i]);
    case LML_FLOAT: return mix64(hash_double(((const float *)c->values)[i]));
    case LML_DECIMAL:
        return mix64(hash_bytes((const unsigned char *)c->values + i * 16, 16, UINT64_C(0xcbf29ce484222325)));
    case LML_DOUBLE: return mix64(hash_double(((const double *)c->values)[i]));
    case LML_STRING:
    case LML_BINARY:
        return mix64(hash_bytes((const unsigned char *)c->values + c->offsets[i],
                                (size_t)(c->offsets[i + 1] - c->offsets[i]), UINT64_C(0xcbf29ce484222325)));
    case LML_VECTOR: {
        uint64_t h = UINT64_C(0xcbf29ce484222325);
        const double *v;
        size_t n;
        if (c->sparse) {
            size_t a = (size_t)c->indptr[i];
            n = (size_t)c->indptr[i + 1] - a;
            h = hash_bytes((const unsigned char *)(c->indices + a), n * sizeof(int32_t), h);
            v = c->vvalues + a;
        } else {
            n = c->vec_size;
            v = c->vvalues + i * n;
        }
        for (size_t k = 0; k < n; k++)
            h = mix64(h ^ hash_double(v[k]));
        return h;
    }
    case LML_LIST: { /* consistent with lml_column_compare: equal arrays hash alike */
        uint64_t h = UINT64_C(0x84222325cbf29ce4);
        for (int32_t k = c->offsets[i]; k < c->offsets[i + 1]; k++)
            h = mix64(h ^ hash_row(c->children[0], (size_t)k));
        return h;
    }
    case LML_STRUCT: {
        uint64_t h = UINT64_C(0x2545f4914f6cdd1d);
        for (size_t k = 0; k < c->nchildren; k++)
            h = mix64(h ^ hash_row(c->children[k], i));
        return h;
    }
    case LML_MAP: return 0; /* refused by lml_frame_distinct */
    }
    return 0;
}

static bool has_map(const lml_column *c)
{
    if (c->type == LML_MAP)
        return true;
    for (size_t k = 0; k < c->nchildren; k++)
        if (has_map(c->children[k]))
            return true;
    return false;
}

lml_frame *lml_frame_distinct(const lml_frame *f, const char *column, lml_error *err)
{
    if (!f || !column) {
        lml_error_set(err, LML_EINVAL, "distinct needs a frame and a column name");
        return NULL;
    }
    long at = lml_frame_column_index(f, column);
    if (at < 0) {
        lml_frame_column_by_name(f, column, err);
        return NULL;
    }
    const lml_column *c = f->fields[at].col;
    if (has_map(c)) { /* Spark: "Cannot have map type columns in DataFrame which calls set operations" */
        lml_error_set(err, LML_ETYPE, "distinct: column '%s' (%s) holds a map, which has no equality in Spark",
                      f->fields[at].name, lml_type_name(c->type));
        return NULL;
    }
    size_t n = c->length, cap = 16;
    while (cap < 2 * n) {
        if (cap > SIZE_MAX / 4 / sizeof(size_t)) {
            lml_error_set(err, LML_ENOMEM, "distinct over %zu rows: size overflow", n);
            return NULL;
        }
        cap *= 2;
    }
    size_t *slots = malloc(cap * sizeof *slots), *first = malloc((n + 1) * sizeof *first);
    if (!slots || !first) {
        free(slots);
        free(first);
        lml_error_set(err, LML_ENOMEM, "out of memory finding distinct values of %zu rows", n);
        return NULL;
    }
    memset(slots, 0xff, cap * sizeof *slots); /* SIZE_MAX marks an empty slot */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t s = (size_t)hash_row(c, i) & (cap - 1);
        while (slots[s] != SIZE_MAX && !lml_column_equal(c, slots[s], i))
            s = (s + 1) & (cap - 1);
        if (slots[s] == SIZE_MAX) {
            slots[s] = i;
            first[k++] = i;
        }
    }
    free(slots);
    lml_column *col = lml_column_take(c, first, k, err);
    free(first);
    if (!col)
        return NULL;
    if (col->type == LML_DOUBLE) { /* Spark's NormalizeFloatingNumbers */
        double *v = col->values;
        for (size_t i = 0; i < k; i++) {
            if (v[i] == 0)
                v[i] = 0.0;
            else if (isnan(v[i]))
                v[i] = NAN;
        }
    }
    lml_field *fields = calloc(2, sizeof *fields);
    if (!fields || !(fields[0].name = strdup(f->fields[at].name)) ||
        (f->fields[at].metadata && !(fields[0].metadata = strdup(f->fields[at].metadata)))) {
        if (fields) {
            free(fields[0].name);
            free(fields);
        }
        lml_column_free(col);
        lml_error_set(err, LML_ENOMEM, "out of memory finding distinct values");
        return NULL;
    }
    fields[0].col = col;
    return lml_frame_adopt(fields, 1, err);
}

/* Binary and nested (list, struct, map) columns: construction with validation, accessors, and
 * gathering rows (take). Producers such as the Parquet reader build these through the public
 * constructors, so every input is checked: offsets monotone and within the child, children of
 * the struct's length, map keys never null. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"

lml_column *lml_column_shell(lml_type type, size_t n, lml_error *err)
{
    lml_column *c = calloc(1, sizeof *c);
    if (!c)
        return lml_error_set(err, LML_ENOMEM, "out of memory making a %s column", lml_type_name(type)), NULL;
    atomic_init(&c->refs, 1);
    c->type = type;
    c->length = n;
    return c;
}

void lml_column_free_children(lml_column *col)
{
    for (size_t i = 0; i < col->nchildren; i++) {
        lml_column_free(col->children ? col->children[i] : NULL);
        free(col->child_names ? col->child_names[i] : NULL);
    }
    free(col->children);
    free(col->child_names);
    col->children = NULL;
    col->child_names = NULL;
    col->nchildren = 0;
}

bool lml_column_alloc_children(lml_column *c, size_t k, lml_error *err)
{
    c->children = calloc(k ? k : 1, sizeof *c->children);
    c->child_names = calloc(k ? k : 1, sizeof *c->child_names);
    if (!c->children || !c->child_names)
        return lml_error_set(err, LML_ENOMEM, "out of memory making a %s column", lml_type_name(c->type));
    c->nchildren = k;
    return true;
}

static bool set_child(lml_column *c, size_t i, const char *name, lml_column *child, lml_error *err)
{
    if (!(c->child_names[i] = lml_strdup(name, err)))
        return false;
    c->children[i] = lml_column_retain(child);
    return true;
}

/* A copy of the caller's bitmap for n rows; the column's null count follows from it. */
static bool copy_validity(lml_column *c, const uint8_t *validity, lml_error *err)
{
    if (!validity)
        return true;
    size_t bytes = lml_bitmap_bytes(c->length);
    if (!(c->validity = lml_aligned_calloc(bytes)))
        return lml_error_set(err, LML_ENOMEM, "out of memory copying a validity bitmap of %zu rows", c->length);
    memcpy(c->validity, validity, bytes);
    if (c->length % 8) /* bits past the last row must not count as rows */
        c->validity[bytes - 1] &= (uint8_t)((1u << (c->length % 8)) - 1);
    lml_column_seal(c);
    return true;
}

/* offsets[0..n]: ≥ 0, non-decreasing, last ≤ limit. `what` names the column kind for messages. */
static bool check_offsets(const int32_t *offsets, size_t n, int64_t limit, const char *what, lml_error *err)
{
    if (!offsets)
        return lml_error_set(err, LML_EINVAL, "%s column: offsets are NULL", what);
    if (offsets[0] < 0)
        return lml_error_set(err, LML_EINVAL, "%s column: offsets[0] is %" PRId32 ", below 0", what, offsets[0]);
    for (size_t i = 1; i <= n; i++)
        if (offsets[i] < offsets[i - 1])
            return lml_error_set(err, LML_EINVAL, "%s column: offsets[%zu] = %" PRId32 " is below offsets[%zu] = %" PRId32,
                                 what, i, offsets[i], i - 1, offsets[i - 1]);
    if (offsets[n] > limit)
        return lml_error_set(err, LML_EINVAL, "%s column: offsets[%zu] = %" PRId32 " is past the %" PRId64
                             " rows of its child", what, n, offsets[n], limit);
    return true;
}

static int32_t *copy_offsets(const int32_t *offsets, size_t n, lml_error *err)
{
    size_t bytes;
    int32_t *o = lml_mul_ok(n + 1, sizeof *o, &bytes) ? lml_aligned_malloc(bytes) : NULL;
    if (!o)
        return lml_error_set(err, LML_ENOMEM, "out of memory copying %zu offsets", n + 1), NULL;
    memcpy(o, offsets, bytes);
    return o;
}

/* ---------------------------------------------------------------- constructors */

lml_column *lml_column_from_binary(const int32_t *offsets, const uint8_t *data, const uint8_t *validity, size_t n,
                                   lml_error *err)
{
    if (n >= (size_t)INT32_MAX)
        return lml_error_set(err, LML_ERANGE, "binary column of %zu rows is too long", n), NULL;
    if (!check_offsets(offsets, n, INT32_MAX, "binary", err))
        return NULL;
    if (offsets[0] != 0)
        return lml_error_set(err, LML_EINVAL, "binary column: offsets[0] is %" PRId32 ", must be 0", offsets[0]), NULL;
    if (offsets[n] > 0 && !data)
        return lml_error_set(err, LML_EINVAL, "binary column: data is NULL but offsets[%zu] is %" PRId32, n,
                             offsets[n]), NULL;
    lml_column *c = lml_column_alloc(LML_BINARY, n, (size_t)offsets[n], false, err);
    if (!c)
        return NULL;
    memcpy(c->offsets, offsets, (n + 1) * sizeof *offsets);
    if (offsets[n])
        memcpy(c->values, data, (size_t)offsets[n]);
    if (!copy_validity(c, validity, err)) {
        lml_column_free(c);
        return NULL;
    }
    return c;
}

lml_column *lml_column_list_new(const int32_t *offsets, const uint8_t *validity, size_t n, lml_column *child,
                                lml_error *err)
{
    if (!child)
        return lml_error_set(err, LML_EINVAL, "list column: the element column is NULL"), NULL;
    if (n >= (size_t)INT32_MAX)
        return lml_error_set(err, LML_ERANGE, "list column of %zu rows is too long", n), NULL;
    if (!check_offsets(offsets, n, (int64_t)child->length, "list", err))
        return NULL;
    lml_column *c = lml_column_shell(LML_LIST, n, err);
    if (!c)
        return NULL;
    if (!(c->offsets = copy_offsets(offsets, n, err)) || !lml_column_alloc_children(c, 1, err) ||
        !set_child(c, 0, "element", child, err) || !copy_validity(c, validity, err)) {
        lml_column_free(c);
        return NULL;
    }
    return c;
}

lml_column *lml_column_struct_new(size_t n, size_t nchildren, const char *const *names,
                                  lml_column *const *children, const uint8_t *validity, lml_error *err)
{
    if (nchildren && (!names || !children))
        return lml_error_set(err, LML_EINVAL, "struct column: names or children are NULL"), NULL;
    for (size_t i = 0; i < nchildren; i++) {
        if (!names[i] || !*names[i] || !children[i])
            return lml_error_set(err, LML_EINVAL, "struct column: field %zu has %s", i,
                                 children[i] ? "no name" : "no column"), NULL;
        if (children[i]->length != n)
            return lml_error_set(err, LML_EINVAL, "struct column: field '%s' has %zu rows, the struct %zu", names[i],
                                 children[i]->length, n), NULL;
        for (size_t j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0)
                return lml_error_set(err, LML_EINVAL, "struct column: duplicate field name '%s' (fields %zu and %zu)",
                                     names[i], j, i), NULL;
    }
    lml_column *c = lml_column_shell(LML_STRUCT, n, err);
    if (!c)
        return NULL;
    bool ok = lml_column_alloc_children(c, nchildren, err);
    for (size_t i = 0; ok && i < nchildren; i++)
        ok = set_child(c, i, names[i], children[i], err);
    if (!ok || !copy_validity(c, validity, err)) {
        lml_column_free(c);
        return NULL;
    }
    return c;
}

lml_column *lml_column_map_new(const int32_t *offsets, const uint8_t *validity, size_t n, lml_column *keys,
                               lml_column *values, lml_error *err)
{
    if (!keys || !values)
        return lml_error_set(err, LML_EINVAL, "map column: the %s column is NULL", keys ? "values" : "keys"), NULL;
    if (keys->null_count)
        return lml_error_set(err, LML_EINVAL, "map column: %zu map keys are null (Spark's map keys are never null)",
                             keys->null_count), NULL;
    if (keys->length != values->length)
        return lml_error_set(err, LML_EINVAL, "map column: %zu keys but %zu values", keys->length,
                             values->length), NULL;
    lml_column *kv[2] = {keys, values};
    static const char *const kv_names[2] = {"key", "value"};
    lml_column *entries = lml_column_struct_new(keys->length, 2, kv_names, kv, NULL, err);
    if (!entries)
        return NULL;
    lml_column *c = NULL;
    if (n >= (size_t)INT32_MAX)
        lml_error_set(err, LML_ERANGE, "map column of %zu rows is too long", n);
    else if (check_offsets(offsets, n, (int64_t)entries->length, "map", err) && (c = lml_column_shell(LML_MAP, n, err))) {
        if (!(c->offsets = copy_offsets(offsets, n, err)) || !lml_column_alloc_children(c, 1, err) ||
            !set_child(c, 0, "entries", entries, err) || !copy_validity(c, validity, err)) {
            lml_column_free(c);
            c = NULL;
        }
    }
    lml_column_free(entries);
    return c;
}

/* ---------------------------------------------------------------- accessors */

const uint8_t *lml_column_binary_at(const lml_column *col, size_t i, size_t *len)
{
    if (col->type != LML_BINARY) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = (size_t)(col->offsets[i + 1] - col->offsets[i]);
    return (const uint8_t *)col->values + col->offsets[i];
}

size_t lml_column_num_children(const lml_column *col) { return col->nchildren; }

const lml_column *lml_column_child(const lml_column *col, size_t i)
{
    return i < col->nchildren ? col->children[i] : NULL;
}

const char *lml_column_child_name(const lml_column *col, size_t i)
{
    return i < col->nchildren ? col->child_names[i] : NULL;
}

const lml_column *lml_column_struct_field(const lml_column *col, const char *name)
{
    if (col->type != LML_STRUCT || !name)
        return NULL;
    for (size_t i = 0; i < col->nchildren; i++)
        if (strcmp(col->child_names[i], name) == 0)
            return col->children[i];
    return NULL;
}

const int32_t *lml_column_offsets(const lml_column *col)
{
    lml_type t = col->type;
    return t == LML_STRING || t == LML_BINARY || t == LML_LIST || t == LML_MAP ? col->offsets : NULL;
}

const lml_column *lml_column_map_keys(const lml_column *col)
{
    return col->type == LML_MAP ? col->children[0]->children[0] : NULL;
}

const lml_column *lml_column_map_values(const lml_column *col)
{
    return col->type == LML_MAP ? col->children[0]->children[1] : NULL;
}

/* ---------------------------------------------------------------- take */

/* List and map: new offsets from 0 (null rows empty), and the children's rows gathered. */
static lml_column *take_offsets_kind(const lml_column *col, const size_t *idx, size_t n, lml_error *err)
{
    size_t total = 0;
    for (size_t k = 0; k < n; k++)
        if (!lml_column_is_null(col, idx[k]))
            total += (size_t)(col->offsets[idx[k] + 1] - col->offsets[idx[k]]);
    if (total > INT32_MAX)
        return lml_error_set(err, LML_ERANGE, "gathering %zu rows of a %s column: %zu elements are over int32 offsets",
                             n, lml_type_name(col->type), total), NULL;
    lml_column *c = lml_column_shell(col->type, n, err);
    size_t *cidx = malloc((total + 1) * sizeof *cidx);
    if (!c || !cidx || !(c->offsets = lml_aligned_malloc((n + 1) * sizeof(int32_t))) ||
        !lml_column_alloc_children(c, 1, err))
        goto nomem;
    size_t pos = 0;
    c->offsets[0] = 0;
    for (size_t k = 0; k < n; k++) {
        if (!lml_column_is_null(col, idx[k]))
            for (int32_t e = col->offsets[idx[k]]; e < col->offsets[idx[k] + 1]; e++)
                cidx[pos++] = (size_t)e;
        c->offsets[k + 1] = (int32_t)pos;
    }
    if (!(c->child_names[0] = lml_strdup(col->child_names[0], err)) ||
        !(c->children[0] = lml_column_take(col->children[0], cidx, total, err)))
        goto fail;
    free(cidx);
    return c;
nomem:
    lml_error_set(err, LML_ENOMEM, "out of memory gathering %zu rows of a %s column", n, lml_type_name(col->type));
fail:
    free(cidx);
    lml_column_free(c);
    return NULL;
}

lml_column *lml_column_take_nested(const lml_column *col, const size_t *idx, size_t n, lml_error *err)
{
    lml_column *c;
    if (col->type == LML_STRUCT) {
        if (!(c = lml_column_shell(LML_STRUCT, n, err)))
            return NULL;
        bool ok = lml_column_alloc_children(c, col->nchildren, err);
        for (size_t i = 0; ok && i < col->nchildren; i++)
            ok = (c->child_names[i] = lml_strdup(col->child_names[i], err)) &&
                 (c->children[i] = lml_column_take(col->children[i], idx, n, err));
        if (!ok) {
            lml_column_free(c);
            return NULL;
        }
    } else if (!(c = take_offsets_kind(col, idx, n, err))) {
        return NULL;
    }
    if (col->validity) {
        if (!(c->validity = lml_aligned_calloc(lml_bitmap_bytes(n)))) {
            lml_column_free(c);
            return lml_error_set(err, LML_ENOMEM, "out of memory gathering %zu rows", n), NULL;
        }
        for (size_t k = 0; k < n; k++)
            if (lml_bit_get(col->validity, idx[k]))
                lml_bit_set(c->validity, k);
        lml_column_seal(c);
    }
    return c;
}

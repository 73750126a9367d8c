/* Arrow C Data Interface export: frames and columns leave lakeml as ArrowSchema + ArrowArray.
 *
 * Every exported ArrowArray node (the frame's struct, each column, each child of a vector) owns
 * its own private block holding a column reference, so a consumer may move any child out and
 * release the parent and the child independently, in any order; the column's buffers stay
 * alive until the last node that points into them is released. Column buffers are handed out
 * as they are (zero copy): they are 64-byte aligned and start at offset 0. Only the sparse
 * vector's `type` and `size` children need buffers of their own (constant columns). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/arrow_internal.h"
#include "frame/internal.h"

/* ---------------------------------------------------------------- metadata */

static void put_i32(char *p, int32_t v) { memcpy(p, &v, sizeof v); }

char *lml_arrow_metadata_encode(const char *key, const char *value, lml_error *err)
{
    size_t kl = strlen(key), vl = strlen(value);
    if (kl > INT32_MAX || vl > (size_t)INT32_MAX - 64)
        return lml_error_set(err, LML_ERANGE, "Arrow metadata value of %zu bytes is over 2 GiB", vl), NULL;
    char *buf = malloc(12 + kl + vl);
    if (!buf)
        return lml_error_set(err, LML_ENOMEM, "out of memory encoding Arrow metadata"), NULL;
    put_i32(buf, 1);
    put_i32(buf + 4, (int32_t)kl);
    memcpy(buf + 8, key, kl);
    put_i32(buf + 8 + kl, (int32_t)vl);
    memcpy(buf + 12 + kl, value, vl);
    return buf;
}

/* ---------------------------------------------------------------- schemas */

/* Strings a schema node owns. Children are separate nodes (each with its own release), held in
 * `kids` so the parent can free their storage after releasing them. */
typedef struct schema_node {
    char *format;
    char *name;
    char *metadata;
    struct ArrowSchema **kid_ptrs;
    struct ArrowSchema *kids;
} schema_node;

static void release_schema(struct ArrowSchema *s)
{
    if (!s || !s->release)
        return;
    schema_node *p = s->private_data;
    /* A consumer may have moved a child out (copied it and set our copy's release to NULL):
     * then it is theirs to release. */
    for (int64_t i = 0; i < s->n_children; i++)
        if (s->children[i]->release)
            s->children[i]->release(s->children[i]);
    free(p->format);
    free(p->name);
    free(p->metadata);
    free(p->kid_ptrs);
    free(p->kids);
    free(p);
    s->release = NULL;
}

/* Fills *s as a node named `name` with `nkids` zeroed children (filled by the caller). On
 * failure *s is left released-looking (release NULL) and nothing leaks. */
static bool schema_init(struct ArrowSchema *s, const char *format, const char *name, const char *metadata_json,
                        int64_t flags, size_t nkids, lml_error *err)
{
    memset(s, 0, sizeof *s);
    schema_node *p = calloc(1, sizeof *p);
    if (!p)
        goto nomem;
    p->format = strdup(format);
    p->name = strdup(name ? name : "");
    if (!p->format || !p->name)
        goto nomem;
    if (metadata_json && !(p->metadata = lml_arrow_metadata_encode(LML_ARROW_ML_ATTR_KEY, metadata_json, err)))
        goto fail;
    if (nkids) {
        p->kid_ptrs = calloc(nkids, sizeof *p->kid_ptrs);
        p->kids = calloc(nkids, sizeof *p->kids);
        if (!p->kid_ptrs || !p->kids)
            goto nomem;
        for (size_t i = 0; i < nkids; i++)
            p->kid_ptrs[i] = &p->kids[i];
    }
    s->format = p->format;
    s->name = p->name;
    s->metadata = p->metadata;
    s->flags = flags;
    s->n_children = 0; /* raised by the caller as each child is filled, so a failed build releases only those */
    s->children = p->kid_ptrs;
    s->release = release_schema;
    s->private_data = p;
    return true;
nomem:
    lml_error_set(err, LML_ENOMEM, "out of memory exporting an Arrow schema");
fail:
    if (p) {
        free(p->format);
        free(p->name);
        free(p->metadata);
        free(p->kid_ptrs);
        free(p->kids);
        free(p);
    }
    return false;
}

/* A leaf child schema (`format`, no children). */
static bool schema_leaf(struct ArrowSchema *parent, const char *format, const char *name, int64_t flags,
                        lml_error *err)
{
    struct ArrowSchema *kid = parent->children[parent->n_children];
    if (!schema_init(kid, format, name, NULL, flags, 0, err))
        return false;
    parent->n_children++;
    return true;
}

/* A large-list child schema whose elements have `elem_format`. */
static bool schema_list(struct ArrowSchema *parent, const char *name, const char *elem_format, lml_error *err)
{
    struct ArrowSchema *kid = parent->children[parent->n_children];
    if (!schema_init(kid, "+L", name, NULL, ARROW_FLAG_NULLABLE, 1, err))
        return false;
    parent->n_children++;
    return schema_leaf(kid, elem_format, "item", 0, err);
}

static const char *scalar_format(lml_type t)
{
    switch (t) {
    case LML_BOOL: return "b";
    case LML_INT32: return "i";
    case LML_INT64: return "l";
    case LML_DOUBLE: return "g";
    case LML_STRING: return "u";
    case LML_DATE: return "tdD";
    case LML_TIMESTAMP: return "tsu:UTC";
    case LML_BINARY: return "z";
    case LML_LIST: return "+l";
    case LML_STRUCT: return "+s";
    case LML_MAP: return "+m";
    case LML_FLOAT: return "f";
    case LML_INT8: return "c";
    case LML_INT16: return "s";
    case LML_TIMESTAMP_NTZ: return "tsu:"; /* no zone: Arrow's naive (wall-clock) timestamp */
    case LML_DECIMAL: /* "d:p,s" is built by schema_for_column */
    case LML_VECTOR: break;
    }
    return NULL;
}

static bool schema_for_column(struct ArrowSchema *s, const lml_column *col, const char *name, const char *metadata,
                              lml_error *err);

/* List, struct and map: one child schema per child column, recursively. A map's entries struct
 * and its keys are non-nullable, as Arrow's map type requires. */
static bool schema_nested(struct ArrowSchema *s, const lml_column *col, const char *name, const char *metadata,
                          lml_error *err)
{
    if (!schema_init(s, scalar_format(col->type), name, metadata, ARROW_FLAG_NULLABLE, col->nchildren, err))
        return false;
    for (size_t k = 0; k < col->nchildren; k++) {
        const lml_column *kid = col->children[k];
        bool ok;
        if (col->type == LML_MAP) {
            struct ArrowSchema *e = s->children[0];
            ok = schema_init(e, "+s", "entries", NULL, 0, 2, err);
            if (ok)
                s->n_children++;
            ok = ok && schema_for_column(e->children[0], kid->children[0], "key", NULL, err);
            if (ok) {
                e->n_children++;
                e->children[0]->flags = 0;
                ok = schema_for_column(e->children[1], kid->children[1], "value", NULL, err);
                if (ok)
                    e->n_children++;
            }
        } else {
            ok = schema_for_column(s->children[k], kid, col->child_names[k], NULL, err);
            if (ok)
                s->n_children++;
        }
        if (!ok) {
            release_schema(s);
            return false;
        }
    }
    return true;
}

/* Fills *s (zeroed by schema_init) for one column. */
static bool schema_for_column(struct ArrowSchema *s, const lml_column *col, const char *name, const char *metadata,
                              lml_error *err)
{
    if (lml_type_is_nested(col->type))
        return schema_nested(s, col, name, metadata, err);
    if (col->type == LML_DECIMAL) {
        char fmt[32];
        snprintf(fmt, sizeof fmt, "d:%d,%d", col->precision, col->scale);
        return schema_init(s, fmt, name, metadata, ARROW_FLAG_NULLABLE, 0, err);
    }
    if (col->type != LML_VECTOR)
        return schema_init(s, scalar_format(col->type), name, metadata, ARROW_FLAG_NULLABLE, 0, err);
    if (!col->sparse) {
        char fmt[32];
        snprintf(fmt, sizeof fmt, "+w:%zu", col->vec_size);
        if (!schema_init(s, fmt, name, metadata, ARROW_FLAG_NULLABLE, 1, err))
            return false;
        if (!schema_leaf(s, "g", "item", 0, err)) {
            release_schema(s);
            return false;
        }
        return true;
    }
    if (!schema_init(s, "+s", name, metadata, ARROW_FLAG_NULLABLE, 4, err))
        return false;
    bool ok = schema_leaf(s, "c", "type", 0, err) && schema_leaf(s, "i", "size", ARROW_FLAG_NULLABLE, err) &&
              schema_list(s, "indices", "i", err) && schema_list(s, "values", "g", err);
    if (!ok)
        release_schema(s);
    return ok;
}

/* ---------------------------------------------------------------- arrays */

typedef struct array_node {
    lml_column *col;   /* reference held while this node lives (NULL for a frame's struct) */
    void *owned;       /* a buffer this node allocated (sparse type/size children), or NULL */
    const void *buffers[3];
    struct ArrowArray **kid_ptrs;
    struct ArrowArray *kids;
} array_node;

static void release_array(struct ArrowArray *a)
{
    if (!a || !a->release)
        return;
    array_node *p = a->private_data;
    for (int64_t i = 0; i < a->n_children; i++)
        if (a->children[i]->release)
            a->children[i]->release(a->children[i]);
    lml_column_free(p->col);
    lml_aligned_free(p->owned);
    free(p->kid_ptrs);
    free(p->kids);
    free(p);
    a->release = NULL;
}

/* Fills *a as a node over col (one more reference) with the given buffers and `nkids` children
 * for the caller to fill. */
static bool array_init(struct ArrowArray *a, lml_column *col, size_t length, size_t null_count, size_t nbuf,
                       const void *b0, const void *b1, const void *b2, size_t nkids, lml_error *err)
{
    memset(a, 0, sizeof *a);
    array_node *p = calloc(1, sizeof *p);
    if (!p)
        goto nomem;
    if (nkids) {
        p->kid_ptrs = calloc(nkids, sizeof *p->kid_ptrs);
        p->kids = calloc(nkids, sizeof *p->kids);
        if (!p->kid_ptrs || !p->kids)
            goto nomem;
        for (size_t i = 0; i < nkids; i++)
            p->kid_ptrs[i] = &p->kids[i];
    }
    p->col = lml_column_retain(col);
    p->buffers[0] = b0;
    p->buffers[1] = b1;
    p->buffers[2] = b2;
    a->length = (int64_t)length;
    a->null_count = (int64_t)null_count;
    a->offset = 0;
    a->n_buffers = (int64_t)nbuf;
    a->n_children = 0; /* raised by the caller as each child is filled */
    a->buffers = p->buffers;
    a->children = p->kid_ptrs;
    a->release = release_array;
    a->private_data = p;
    return true;
nomem:
    if (p) {
        free(p->kid_ptrs);
        free(p->kids);
        free(p);
    }
    return lml_error_set(err, LML_ENOMEM, "out of memory exporting an Arrow array");
}

/* The next child of parent, filled by array_init. */
static bool array_kid(struct ArrowArray *parent, lml_column *col, size_t length, size_t nbuf, const void *b0,
                      const void *b1, const void *b2, size_t nkids, lml_error *err)
{
    if (!array_init(parent->children[parent->n_children], col, length, 0, nbuf, b0, b1, b2, nkids, err))
        return false;
    parent->n_children++;
    return true;
}

/* The sparse vector's constant `type` (all 0) or `size` (all vec_size) child: one buffer of its own. */
static bool array_const_kid(struct ArrowArray *parent, lml_column *col, size_t width, int32_t value,
                            lml_error *err)
{
    size_t n = col->length, bytes;
    if (!lml_mul_ok(n, width, &bytes))
        return lml_error_set(err, LML_ENOMEM, "a sparse vector column of %zu rows is too large to export", n);
    void *buf = width == 1 ? lml_aligned_calloc(bytes) : lml_aligned_malloc(bytes);
    if (!buf)
        return lml_error_set(err, LML_ENOMEM, "out of memory exporting a sparse vector column");
    if (width == 4)
        for (size_t i = 0; i < n; i++)
            ((int32_t *)buf)[i] = value;
    if (!array_kid(parent, col, n, 2, NULL, buf, NULL, 0, err)) {
        lml_aligned_free(buf);
        return false;
    }
    ((array_node *)parent->children[parent->n_children - 1]->private_data)->owned = buf;
    return true;
}

static bool array_for_column(struct ArrowArray *a, const lml_column *ccol, lml_error *err)
{
    lml_column *col = (lml_column *)ccol; /* only its reference count changes */
    size_t n = col->length;
    const void *valid = col->null_count ? col->validity : NULL;
    switch (col->type) {
    case LML_STRING:
    case LML_BINARY:
        return array_init(a, col, n, col->null_count, 3, valid, col->offsets, col->values, 0, err);
    case LML_LIST:
    case LML_MAP:
    case LML_STRUCT: {
        /* Each child node holds its own column reference, so children can outlive the parent. */
        bool ok = col->type == LML_STRUCT
                      ? array_init(a, col, n, col->null_count, 1, valid, NULL, NULL, col->nchildren, err)
                      : array_init(a, col, n, col->null_count, 2, valid, col->offsets, NULL, 1, err);
        for (size_t k = 0; ok && k < col->nchildren; k++) {
            ok = array_for_column(a->children[k], col->children[k], err);
            if (ok)
                a->n_children++;
        }
        if (!ok)
            release_array(a);
        return ok;
    }
    case LML_VECTOR:
        break;
    default:
        return array_init(a, col, n, col->null_count, 2, valid, col->values, NULL, 0, err);
    }
    if (!col->sparse) {
        size_t count;
        if (!lml_mul_ok(n, col->vec_size, &count) || count > INT64_MAX)
            return lml_error_set(err, LML_ERANGE, "a dense vector column of %zu × %zu is too large to export", n,
                                 col->vec_size);
        if (!array_init(a, col, n, col->null_count, 1, valid, NULL, NULL, 1, err))
            return false;
        if (!array_kid(a, col, count, 2, NULL, col->vvalues, NULL, 0, err)) {
            release_array(a);
            return false;
        }
        return true;
    }
    if (col->vec_size > INT32_MAX)
        return lml_error_set(err, LML_ERANGE, "a sparse vector size of %zu does not fit Arrow's int32 size field",
                             col->vec_size);
    size_t nnz = (size_t)col->indptr[n];
    if (!array_init(a, col, n, col->null_count, 1, valid, NULL, NULL, 4, err))
        return false;
    bool ok = array_const_kid(a, col, 1, LML_ARROW_VEC_SPARSE, err) &&
              array_const_kid(a, col, 4, (int32_t)col->vec_size, err) &&
              array_kid(a, col, n, 2, NULL, col->indptr, NULL, 1, err) &&
              array_kid(a->children[2], col, nnz, 2, NULL, col->indices, NULL, 0, err) &&
              array_kid(a, col, n, 2, NULL, col->indptr, NULL, 1, err) &&
              array_kid(a->children[3], col, nnz, 2, NULL, col->vvalues, NULL, 0, err);
    if (!ok)
        release_array(a);
    return ok;
}

/* ---------------------------------------------------------------- entry points */

bool lml_arrow_export_column(const lml_column *col, const char *name, struct ArrowSchema *schema,
                             struct ArrowArray *array, lml_error *err)
{
    if (!col || !schema || !array)
        return lml_error_set(err, LML_EINVAL, "lml_arrow_export_column: column, schema and array must not be NULL");
    struct ArrowSchema s;
    struct ArrowArray a;
    if (!schema_for_column(&s, col, name, NULL, err))
        return false;
    if (!array_for_column(&a, col, err)) {
        release_schema(&s);
        return false;
    }
    *schema = s;
    *array = a;
    return true;
}

bool lml_arrow_export_frame(const lml_frame *f, struct ArrowSchema *schema, struct ArrowArray *array,
                            lml_error *err)
{
    if (!f || !schema || !array)
        return lml_error_set(err, LML_EINVAL, "lml_arrow_export_frame: frame, schema and array must not be NULL");
    struct ArrowSchema s;
    struct ArrowArray a;
    if (!schema_init(&s, "+s", "", NULL, 0, f->ncols, err))
        return false;
    if (!array_init(&a, NULL, f->nrows, 0, 1, NULL, NULL, NULL, f->ncols, err)) {
        release_schema(&s);
        return false;
    }
    size_t i;
    for (i = 0; i < f->ncols; i++) {
        const lml_field *fd = &f->fields[i];
        if (!schema_for_column(s.children[i], fd->col, fd->name, fd->metadata, err))
            goto fail;
        s.n_children++;
        if (!array_for_column(a.children[i], fd->col, err))
            goto fail;
        a.n_children++;
    }
    *schema = s;
    *array = a;
    return true;
fail:
    lml_error_prefix(err, "exporting column '%s'", f->fields[i].name);
    release_schema(&s);
    release_array(&a);
    return false;
}

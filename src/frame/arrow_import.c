/* Arrow C Data Interface import: an ArrowSchema + ArrowArray from any producer becomes a frame.
 *
 * The importer is a parser of untrusted structures: every count, length, offset and child is
 * checked before a buffer is read, and a bad structure is an error, never a crash. (The C
 * interface carries no buffer sizes, so what can be checked is that lengths, offsets and list
 * offsets agree with each other; a producer lying about a buffer's size cannot be caught.)
 *
 * The moved array lives in a reference-counted holder. A column whose buffers lakeml can use as
 * they are (64-byte aligned, offset 0, null slots already zero as lakeml's columns promise)
 * points into them and keeps the holder alive; every other column is copied (and converted:
 * narrower integers and floats widen, other time units become µs / days). The holder releases
 * the array when the last column that uses it goes. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/arrow_internal.h"
#include "frame/internal.h"

/* ---------------------------------------------------------------- the holder */

typedef struct holder {
    atomic_long refs;
    struct ArrowArray array;
} holder;

static void holder_unref(void *h_)
{
    holder *h = h_;
    if (!h || atomic_fetch_sub(&h->refs, 1) > 1)
        return;
    if (h->array.release)
        h->array.release(&h->array);
    free(h);
}

/* ---------------------------------------------------------------- metadata */

static int32_t get_i32(const char *p)
{
    int32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

#define MD_MAX_LEN (1 << 30)
#define MD_MAX_PAIRS (1 << 20)

bool lml_arrow_metadata_find(const char *md, const char *key, char **out, lml_error *err)
{
    *out = NULL;
    if (!md)
        return true;
    int32_t n = get_i32(md);
    if (n < 0 || n > MD_MAX_PAIRS)
        return lml_error_set(err, LML_EFORMAT, "Arrow metadata declares %" PRId32 " key/value pairs", n);
    const char *p = md + 4;
    size_t klen = strlen(key);
    for (int32_t i = 0; i < n; i++) {
        int32_t kl = get_i32(p);
        if (kl < 0 || kl > MD_MAX_LEN)
            return lml_error_set(err, LML_EFORMAT, "Arrow metadata key %" PRId32 " has length %" PRId32, i, kl);
        const char *k = p + 4;
        int32_t vl = get_i32(k + kl);
        if (vl < 0 || vl > MD_MAX_LEN)
            return lml_error_set(err, LML_EFORMAT, "Arrow metadata value %" PRId32 " has length %" PRId32, i, vl);
        const char *v = k + kl + 4;
        if ((size_t)kl == klen && memcmp(k, key, klen) == 0 && !*out) {
            if (!(*out = malloc((size_t)vl + 1)))
                return lml_error_set(err, LML_ENOMEM, "out of memory reading Arrow metadata");
            memcpy(*out, v, (size_t)vl);
            (*out)[vl] = '\0';
        }
        p = v + vl;
    }
    return true;
}

/* ---------------------------------------------------------------- column building */

static lml_column *shell(lml_type type, size_t n, lml_error *err)
{
    lml_column *c = calloc(1, sizeof *c);
    if (!c)
        return lml_error_set(err, LML_ENOMEM, "out of memory importing an Arrow column"), NULL;
    atomic_init(&c->refs, 1);
    c->type = type;
    c->length = n;
    return c;
}

/* Copies the validity of v's rows into a fresh bitmap (v->valid must be set); counts nulls. */
static bool copy_validity(lml_column *c, const iview *v, lml_error *err)
{
    size_t n = (size_t)v->len;
    if (!(c->validity = lml_aligned_calloc(lml_bitmap_bytes(n))))
        return lml_error_set(err, LML_ENOMEM, "out of memory importing a validity bitmap");
    for (size_t i = 0; i < n; i++)
        if (!iview_null(v, (int64_t)i))
            lml_bit_set(c->validity, i);
    lml_column_seal(c);
    return true;
}

static bool aligned(const void *p) { return ((uintptr_t)p & (LML_ALIGN - 1)) == 0; }

static bool all_zero(const void *p, size_t bytes)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < bytes; i++)
        if (b[i])
            return false;
    return true;
}

/* Whether the null slots of a buffer hold zeros, as lakeml's columns promise (width 0: bits). */
static bool null_slots_zero(const iview *v, const void *buf, size_t width)
{
    for (int64_t i = 0; v->valid && i < v->len; i++) {
        if (!iview_null(v, i))
            continue;
        size_t k = (size_t)(v->off + i);
        if (width ? !all_zero((const char *)buf + k * width, width) : lml_bit_get(buf, k))
            return false;
    }
    return true;
}

/* Points c at the array's buffers: c keeps the holder alive. */
static lml_column *adopt(lml_column *c, const iview *v, holder *h)
{
    if (v->valid) {
        c->validity = (uint8_t *)v->valid;
        c->null_count = (size_t)v->nulls;
    }
    atomic_fetch_add(&h->refs, 1);
    c->foreign = h;
    c->foreign_release = holder_unref;
    return c;
}

/* bool, integers, floats, dates, timestamps. */
static lml_column *import_fixed(const iview *v, const iformat *fmt, holder *h, lml_error *err)
{
    size_t n = (size_t)v->len;
    const void *src = v->a->buffers[1];
    lml_column *c = shell(fmt->type, n, err);
    if (!c)
        return NULL;
    c->precision = fmt->precision;
    c->scale = fmt->scale;
    bool bits = fmt->src_width == 0;
    if (fmt->zero_copy && src && v->off == 0 && aligned(src) && (!v->valid || aligned(v->valid)) &&
        null_slots_zero(v, src, fmt->src_width)) {
        c->values = (void *)src;
        return adopt(c, v, h);
    }
    size_t width = bits ? 0 : lml_arrow_type_width(fmt->type), bytes;
    if (bits)
        bytes = lml_bitmap_bytes(n);
    else if (!lml_mul_ok(n, width, &bytes))
        goto nomem;
    if (!(c->values = lml_aligned_calloc(bytes)))
        goto nomem;
    if (v->valid && !copy_validity(c, v, err))
        goto fail;
    for (size_t i = 0; i < n; i++) {
        if (c->validity && !lml_bit_get(c->validity, i))
            continue; /* null slots stay zero */
        size_t k = (size_t)v->off + i;
        if (bits) {
            if (lml_bit_get(src, k))
                lml_bit_set(c->values, i);
        } else if (!iconvert(fmt, src, k, (char *)c->values + i * width)) {
            lml_error_set(err, LML_ERANGE, "field '%s' (format '%s'): row %zu is outside lakeml's %s range",
                          v->field, v->s->format, i, lml_type_name(fmt->type));
            goto fail;
        }
    }
    return c;
nomem:
    lml_error_set(err, LML_ENOMEM, "out of memory importing field '%s'", v->field);
fail:
    lml_column_free(c);
    return NULL;
}

static lml_column *import_string(const iview *v, const iformat *fmt, holder *h, lml_error *err)
{
    size_t n = (size_t)v->len;
    const void *offs = v->a->buffers[1];
    const char *data = v->a->buffers[2];
    int64_t first = ioffset(offs, fmt->src_width, v->off), last = ioffset(offs, fmt->src_width, v->off + v->len);
    if (last - first > INT32_MAX)
        return lml_error_set(err, LML_ERANGE, "field '%s' (format '%s'): %" PRId64
                             " bytes of strings are over the 2 GiB a lakeml column holds",
                             v->field, v->s->format, last - first), NULL;
    lml_column *c = shell(fmt->type, n, err);
    if (!c)
        return NULL;
    bool nulls_empty = true;
    for (int64_t i = 0; v->valid && i < v->len && nulls_empty; i++)
        nulls_empty = !iview_null(v, i) ||
                      ioffset(offs, fmt->src_width, v->off + i) == ioffset(offs, fmt->src_width, v->off + i + 1);
    if (fmt->zero_copy && v->off == 0 && first == 0 && aligned(offs) && aligned(data) &&
        (!v->valid || aligned(v->valid)) && nulls_empty) {
        c->offsets = (int32_t *)offs;
        c->values = (void *)data;
        c->data_len = (size_t)last;
        return adopt(c, v, h);
    }
    size_t bytes = 0;
    for (int64_t i = 0; i < v->len; i++)
        if (!iview_null(v, i))
            bytes += (size_t)(ioffset(offs, fmt->src_width, v->off + i + 1) - ioffset(offs, fmt->src_width, v->off + i));
    size_t off_bytes;
    if (lml_mul_ok(n + 1, sizeof(int32_t), &off_bytes))
        c->offsets = lml_aligned_calloc(off_bytes);
    c->values = lml_aligned_malloc(bytes);
    if (!c->offsets || !c->values) {
        lml_column_free(c);
        return lml_error_set(err, LML_ENOMEM, "out of memory importing field '%s'", v->field), NULL;
    }
    if (v->valid && !copy_validity(c, v, err)) {
        lml_column_free(c);
        return NULL;
    }
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (!iview_null(v, (int64_t)i)) {
            int64_t a = ioffset(offs, fmt->src_width, v->off + (int64_t)i);
            size_t len = (size_t)(ioffset(offs, fmt->src_width, v->off + (int64_t)i + 1) - a);
            if (len)
                memcpy((char *)c->values + pos, data + a, len);
            pos += len;
        }
        c->offsets[i + 1] = (int32_t)pos;
    }
    c->data_len = pos;
    return c;
}

/* "+w:d" of "g": a dense vector column. */
static lml_column *import_fixed_list(const iview *v, const iformat *fmt, holder *h, lml_error *err)
{
    iview kid;
    if (!iview_fixed_list_child(v, fmt->list_size, &kid, err))
        return NULL;
    if (strcmp(kid.s->format, "g") != 0)
        return lml_error_set(err, LML_EUNSUPPORTED,
                             "field '%s' (format '%s'): fixed-size lists of '%s' are not a lakeml type (only of 'g')",
                             v->field, v->s->format, kid.s->format), NULL;
    if (kid.valid)
        return lml_error_set(err, LML_EUNSUPPORTED, "field '%s' (format '%s'): vectors with null elements",
                             v->field, v->s->format), NULL;
    size_t n = (size_t)v->len, d = (size_t)fmt->list_size;
    lml_column *c = shell(LML_VECTOR, n, err);
    if (!c)
        return NULL;
    c->vec_size = d;
    const double *src = kid.a->buffers[1];
    if (src && kid.off == 0 && aligned(src) && (!v->valid || aligned(v->valid))) {
        bool zero = true;
        for (int64_t i = 0; v->valid && i < v->len && zero; i++)
            zero = !iview_null(v, i) || all_zero(src + (size_t)i * d, d * sizeof(double));
        if (zero) {
            c->vvalues = (double *)src;
            return adopt(c, v, h);
        }
    }
    size_t bytes = (size_t)kid.len * sizeof(double); /* kid.len = n·d, bounded by iview_fixed_list_child */
    if (!(c->vvalues = lml_aligned_calloc(bytes))) {
        lml_column_free(c);
        return lml_error_set(err, LML_ENOMEM, "out of memory importing field '%s'", v->field), NULL;
    }
    if (v->valid && !copy_validity(c, v, err)) {
        lml_column_free(c);
        return NULL;
    }
    for (size_t i = 0; d && i < n; i++)
        if (!c->validity || lml_bit_get(c->validity, i))
            memcpy(c->vvalues + i * d, src + (size_t)kid.off + i * d, d * sizeof(double));
    return c;
}

static lml_column *import_any(const iview *v, holder *h, lml_error *err);

/* The validity of v's rows as a bitmap from bit 0 (NULL when no row is null; *ok false on OOM). */
static uint8_t *rebased_validity(const iview *v, bool *ok, lml_error *err)
{
    *ok = true;
    if (!v->valid)
        return NULL;
    uint8_t *bits = lml_aligned_calloc(lml_bitmap_bytes((size_t)v->len));
    if (!bits) {
        *ok = lml_error_set(err, LML_ENOMEM, "out of memory importing field '%s'", v->field);
        return NULL;
    }
    for (int64_t i = 0; i < v->len; i++)
        if (!iview_null(v, i))
            lml_bit_set(bits, (size_t)i);
    return bits;
}

/* A struct's fields, each imported as a column (unnamed fields get Spark's _cN names). */
static lml_column *import_struct(const iview *v, const uint8_t *valid, holder *h, lml_error *err)
{
    size_t k = (size_t)v->s->n_children, i;
    lml_column **kids = calloc(k + 1, sizeof *kids);
    char **names = calloc(k + 1, sizeof *names);
    lml_column *c = NULL;
    if (!kids || !names) {
        lml_error_set(err, LML_ENOMEM, "out of memory importing field '%s'", v->field);
        goto done;
    }
    for (i = 0; i < k; i++) {
        iview kid;
        const char *nm = v->s->children[i] ? v->s->children[i]->name : NULL;
        char auto_name[32];
        if (!nm || !*nm) {
            snprintf(auto_name, sizeof auto_name, "_c%zu", i);
            nm = auto_name;
        }
        if (!(names[i] = lml_strdup(nm, err)) || !iview_struct_child(v, i, &kid, err) ||
            !(kids[i] = import_any(&kid, h, err)))
            goto done;
    }
    c = lml_column_struct_new((size_t)v->len, k, (const char *const *)names, kids, valid, err);
done:
    for (i = 0; kids && names && i < k; i++) {
        lml_column_free(kids[i]);
        free(names[i]);
    }
    free(kids);
    free(names);
    return c;
}

/* List ("+l", "+L") and map ("+m"): the reached child rows are imported (only those), and the
 * offsets rebased to start at 0. Offsets were checked against the child by iformat_parse. */
static lml_column *import_offsets_kind(const iview *v, const iformat *fmt, const uint8_t *valid, holder *h,
                                       lml_error *err)
{
    const void *offs = v->a->buffers[1];
    size_t n = (size_t)v->len;
    int64_t first = n ? ioffset(offs, fmt->src_width, v->off) : 0;
    int64_t last = n ? ioffset(offs, fmt->src_width, v->off + v->len) : 0;
    if (last - first > INT32_MAX)
        return lml_error_set(err, LML_ERANGE, "field '%s' (format '%s'): %" PRId64
                             " elements are over the int32 offsets of a lakeml column", v->field, v->s->format,
                             last - first), NULL;
    int32_t *o = malloc((n + 1) * sizeof *o);
    if (!o)
        return lml_error_set(err, LML_ENOMEM, "out of memory importing field '%s'", v->field), NULL;
    o[0] = 0;
    for (size_t i = 1; i <= n; i++)
        o[i] = (int32_t)(ioffset(offs, fmt->src_width, v->off + (int64_t)i) - first);
    lml_column *c = NULL, *kid = NULL, *keys = NULL, *vals = NULL;
    iview cv, kv, vv;
    if (!iview_list_child(v, first, last - first, &cv, err))
        goto done;
    if (fmt->kind == IK_LIST) {
        if ((kid = import_any(&cv, h, err)))
            c = lml_column_list_new(o, valid, n, kid, err);
    } else if (cv.valid) {
        lml_error_set(err, LML_EFORMAT, "field '%s' (format '+m'): %" PRId64 " null map entries", v->field, cv.nulls);
    } else if (iview_struct_child(&cv, 0, &kv, err) && iview_struct_child(&cv, 1, &vv, err) &&
               (keys = import_any(&kv, h, err)) && (vals = import_any(&vv, h, err))) {
        c = lml_column_map_new(o, valid, n, keys, vals, err);
    }
done:
    lml_column_free(kid);
    lml_column_free(keys);
    lml_column_free(vals);
    free(o);
    return c;
}

static lml_column *import_nested(const iview *v, const iformat *fmt, holder *h, lml_error *err)
{
    bool ok;
    uint8_t *valid = rebased_validity(v, &ok, err);
    if (!ok)
        return NULL;
    lml_column *c = fmt->kind == IK_STRUCT ? import_struct(v, valid, h, err) : import_offsets_kind(v, fmt, valid, h, err);
    lml_aligned_free(valid);
    return c;
}

/* One column: the format decides. */
static lml_column *import_any(const iview *v, holder *h, lml_error *err)
{
    iformat fmt;
    if (!iformat_parse(v, &fmt, err))
        return NULL;
    if (v->len == 0 && (fmt.kind == IK_FIXED || fmt.kind == IK_STRING)) {
        lml_column *c = lml_column_alloc(fmt.type, 0, 0, false, err); /* producers may leave empty buffers out */
        if (c) {
            c->precision = fmt.precision;
            c->scale = fmt.scale;
        }
        return c;
    }
    switch (fmt.kind) {
    case IK_FIXED: return import_fixed(v, &fmt, h, err);
    case IK_STRING: return import_string(v, &fmt, h, err);
    case IK_FIXED_LIST: return import_fixed_list(v, &fmt, h, err);
    case IK_VECTOR_UDT: return lml_arrow_import_vector_udt(v, err);
    case IK_LIST:
    case IK_STRUCT:
    case IK_MAP: return import_nested(v, &fmt, h, err);
    }
    return NULL;
}

/* ---------------------------------------------------------------- entry points */

/* Moves *array into a fresh holder (array->release becomes NULL). */
static holder *take(struct ArrowArray *array, lml_error *err)
{
    if (!array || !array->release)
        return lml_error_set(err, LML_EINVAL, "the ArrowArray is NULL or already released"), NULL;
    holder *h = malloc(sizeof *h);
    if (!h) {
        /* Ownership passed to us all the same: release rather than leak the producer's memory. */
        array->release(array);
        return lml_error_set(err, LML_ENOMEM, "out of memory importing an Arrow array"), NULL;
    }
    atomic_init(&h->refs, 1);
    h->array = *array;
    array->release = NULL;
    return h;
}

lml_column *lml_arrow_import_column(const struct ArrowSchema *schema, struct ArrowArray *array, lml_error *err)
{
    holder *h = take(array, err);
    if (!h)
        return NULL;
    lml_column *c = NULL;
    iview v;
    if (!schema || !schema->release)
        lml_error_set(err, LML_EINVAL, "the ArrowSchema is NULL or already released");
    else if (iview_root(schema, &h->array, &v, err))
        c = import_any(&v, h, err);
    holder_unref(h);
    return c;
}

lml_frame *lml_arrow_import_frame(const struct ArrowSchema *schema, struct ArrowArray *array, lml_error *err)
{
    holder *h = take(array, err);
    if (!h)
        return NULL;
    lml_field *fields = NULL;
    size_t ncols = 0;
    iview root;
    if (!schema || !schema->release) {
        lml_error_set(err, LML_EINVAL, "the ArrowSchema is NULL or already released");
        goto fail;
    }
    if (!schema->format || strcmp(schema->format, "+s") != 0) {
        lml_error_set(err, LML_EINVAL, "a frame is imported from a struct array (format '+s'), not format '%s'",
                      schema->format ? schema->format : "(null)");
        goto fail;
    }
    if (!iview_root(schema, &h->array, &root, err))
        goto fail;
    if (root.valid) {
        lml_error_set(err, LML_EUNSUPPORTED, "a struct array with %" PRId64 " null rows cannot become a frame",
                      root.nulls);
        goto fail;
    }
    ncols = (size_t)schema->n_children;
    if (!(fields = calloc(ncols + 1, sizeof *fields))) {
        lml_error_set(err, LML_ENOMEM, "out of memory importing a frame of %zu columns", ncols);
        goto fail;
    }
    for (size_t i = 0; i < ncols; i++) {
        iview kid;
        const char *nm = schema->children[i] ? schema->children[i]->name : NULL;
        char auto_name[32];
        if (!nm || !*nm) {
            snprintf(auto_name, sizeof auto_name, "_c%zu", i); /* Spark's name for an unnamed column */
            nm = auto_name;
        }
        if (!(fields[i].name = lml_strdup(nm, err)) || !iview_struct_child(&root, i, &kid, err) ||
            !lml_arrow_metadata_find(kid.s->metadata, LML_ARROW_ML_ATTR_KEY, &fields[i].metadata, err) ||
            !(fields[i].col = import_any(&kid, h, err))) {
            lml_error_prefix(err, "importing column %zu '%s'", i, nm);
            goto fail;
        }
    }
    holder_unref(h);
    return lml_frame_adopt(fields, ncols, err);
fail:
    lml_fields_free(fields, ncols);
    holder_unref(h);
    return NULL;
}

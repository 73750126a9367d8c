/* Arrow import, the checking half: every imported node is validated here (counts, lengths,
 * offsets, children, formats) before a buffer is read, and Spark's VectorUDT struct form becomes
 * a vector column. The C interface gives no buffer sizes, so the checks make the structure
 * consistent with itself; a buffer shorter than its declared length cannot be detected. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/arrow_internal.h"

#define BAD(...) (lml_error_set(err, LML_EFORMAT, __VA_ARGS__), false)
#define BADN(...) (lml_error_set(err, LML_EFORMAT, __VA_ARGS__), (lml_column *)NULL)

/* A node at buffer offset `inherited` (from parents) + a->offset, `len` rows. */
static bool make(const struct ArrowSchema *s, const struct ArrowArray *a, int64_t inherited, int64_t len,
                 const char *field, iview *out, lml_error *err)
{
    if (!s || !s->format)
        return BAD("field '%s': the ArrowSchema node or its format is NULL", field);
    if (!a || !a->release)
        return BAD("field '%s' (format '%s'): the ArrowArray node is NULL or released", field, s->format);
    if (a->length < 0 || a->offset < 0 || a->null_count < -1 || a->null_count > a->length)
        return BAD("field '%s' (format '%s'): bad length %" PRId64 ", offset %" PRId64 " or null count %" PRId64,
                   field, s->format, a->length, a->offset, a->null_count);
    int64_t end, off;
    if (__builtin_add_overflow(inherited, len, &end) || end > a->length ||
        __builtin_add_overflow(a->offset, inherited, &off) || __builtin_add_overflow(off, len, &end))
        return BAD("field '%s' (format '%s'): rows %" PRId64 "..%" PRId64 " asked of an array of length %" PRId64,
                   field, s->format, inherited, inherited + len, a->length);
    if (s->dictionary || a->dictionary)
        return lml_error_set(err, LML_EUNSUPPORTED,
                             "field '%s' (format '%s'): dictionary-encoded columns are not supported", field,
                             s->format);
    if (a->n_buffers < 1 || a->n_buffers > 3 || !a->buffers)
        return BAD("field '%s' (format '%s'): %" PRId64 " buffers", field, s->format, a->n_buffers);
    if (a->n_children < 0 || a->n_children != s->n_children || (a->n_children && (!a->children || !s->children)))
        return BAD("field '%s' (format '%s'): the schema has %" PRId64 " children, the array %" PRId64, field,
                   s->format, s->n_children, a->n_children);
    *out = (iview){.s = s, .a = a, .off = off, .len = len, .field = field};
    const uint8_t *bits = a->buffers[0];
    if (bits && a->null_count != 0) {
        int64_t nulls = 0;
        for (int64_t i = 0; i < len; i++)
            nulls += !lml_bit_get(bits, (size_t)(off + i));
        if (nulls) {
            out->valid = bits;
            out->nulls = nulls;
        }
    } else if (!bits && a->null_count > 0) {
        return BAD("field '%s' (format '%s'): %" PRId64 " nulls but no validity bitmap", field, s->format,
                   a->null_count);
    }
    return true;
}

bool iview_root(const struct ArrowSchema *s, const struct ArrowArray *a, iview *out, lml_error *err)
{
    const char *name = s && s->name && *s->name ? s->name : "(root)";
    return make(s, a, 0, a->length < 0 ? 0 : a->length, name, out, err);
}

/* One level below p: refused past LML_ARROW_MAX_DEPTH so that recursion stays bounded. */
static bool deeper(const iview *p, iview *out, lml_error *err)
{
    if (p->depth >= LML_ARROW_MAX_DEPTH)
        return lml_error_set(err, LML_EUNSUPPORTED, "field '%s': nesting deeper than %d levels", p->field,
                             LML_ARROW_MAX_DEPTH);
    out->depth = p->depth + 1;
    return true;
}

bool iview_struct_child(const iview *p, size_t i, iview *out, lml_error *err)
{
    const struct ArrowSchema *s = p->s->children[i];
    const char *name = s && s->name && *s->name ? s->name : p->field;
    return make(s, p->a->children[i], p->off, p->len, name, out, err) && deeper(p, out, err);
}

bool iview_fixed_list_child(const iview *p, int64_t size, iview *out, lml_error *err)
{
    int64_t from, count;
    if (__builtin_mul_overflow(p->off, size, &from) || __builtin_mul_overflow(p->len, size, &count) ||
        (uint64_t)count > SIZE_MAX / sizeof(double))
        return BAD("field '%s': a fixed-size list of %" PRId64 " × %" PRId64 " is too large", p->field, p->len,
                   size);
    /* The list's own offset already sits in p->off; the child's offset is its own business. */
    return make(p->s->children[0], p->a->children[0], from, count, p->field, out, err);
}

bool iview_list_child(const iview *p, int64_t from, int64_t count, iview *out, lml_error *err)
{
    const struct ArrowSchema *s = p->s->children[0];
    const char *name = s && s->name && *s->name ? s->name : p->field;
    return make(s, p->a->children[0], from, count, name, out, err) && deeper(p, out, err);
}

size_t lml_arrow_type_width(lml_type t)
{
    switch (t) {
    case LML_INT8: return 1;
    case LML_INT16: return 2;
    case LML_INT32:
    case LML_FLOAT:
    case LML_DATE: return 4;
    case LML_INT64:
    case LML_TIMESTAMP:
    case LML_TIMESTAMP_NTZ:
    case LML_DOUBLE: return 8;
    case LML_DECIMAL: return 16;
    default: return 0;
    }
}

static bool nbuf(const iview *v, int64_t want, lml_error *err)
{
    const struct ArrowArray *a = v->a;
    if (a->n_buffers != want)
        return BAD("field '%s' (format '%s'): %" PRId64 " buffers, the format has %" PRId64, v->field,
                   v->s->format, a->n_buffers, want);
    for (int64_t i = 1; i < want; i++)
        if (!a->buffers[i] && a->length > 0)
            return BAD("field '%s' (format '%s'): buffer %" PRId64 " is NULL", v->field, v->s->format, i);
    return true;
}

static bool unsupported(const iview *v, const char *what, lml_error *err)
{
    return lml_error_set(err, LML_EUNSUPPORTED, "field '%s' (format '%s'): %s has no lakeml column type", v->field,
                         v->s->format, what);
}

/* Offsets [off, off + len] of a string or list node: non-negative and non-decreasing. */
static bool check_offsets(const iview *v, const void *offs, size_t width, int64_t limit, lml_error *err)
{
    int64_t prev = ioffset(offs, width, v->off);
    if (prev < 0 || prev > limit)
        return BAD("field '%s' (format '%s'): offset %" PRId64 " at row 0 is outside 0..%" PRId64, v->field,
                   v->s->format, prev, limit);
    for (int64_t i = 1; i <= v->len; i++) {
        int64_t cur = ioffset(offs, width, v->off + i);
        if (cur < prev || cur > limit)
            return BAD("field '%s' (format '%s'): offset %" PRId64 " at row %" PRId64
                       " goes backwards or past %" PRId64, v->field, v->s->format, cur, i, limit);
        prev = cur;
    }
    return true;
}

bool iformat_parse(const iview *v, iformat *fmt, lml_error *err)
{
    const char *f = v->s->format;
    *fmt = (iformat){.kind = IK_FIXED, .src = f[0]};
    if (f[0] && !f[1]) {
        switch (f[0]) {
        case 'b': fmt->type = LML_BOOL; fmt->zero_copy = true; break;
        case 'c': fmt->type = LML_INT8; fmt->src_width = 1; fmt->zero_copy = true; break;
        case 'C': fmt->type = LML_INT32; fmt->src_width = 1; break;
        case 's': fmt->type = LML_INT16; fmt->src_width = 2; fmt->zero_copy = true; break;
        case 'S': fmt->type = LML_INT32; fmt->src_width = 2; break;
        case 'i': fmt->type = LML_INT32; fmt->src_width = 4; fmt->zero_copy = true; break;
        case 'I': fmt->type = LML_INT64; fmt->src_width = 4; break;
        case 'l': fmt->type = LML_INT64; fmt->src_width = 8; fmt->zero_copy = true; break;
        case 'f': fmt->type = LML_FLOAT; fmt->src_width = 4; fmt->zero_copy = true; break;
        case 'g': fmt->type = LML_DOUBLE; fmt->src_width = 8; fmt->zero_copy = true; break;
        case 'u':
        case 'U':
            *fmt = (iformat){.kind = IK_STRING, .type = LML_STRING, .src = f[0], .src_width = f[0] == 'u' ? 4 : 8,
                             .zero_copy = f[0] == 'u'};
            if (!nbuf(v, 3, err))
                return false;
            if (v->a->length == 0 && (!v->a->buffers[1] || !v->a->buffers[2]))
                return true; /* an empty array may leave its buffers out */
            return check_offsets(v, v->a->buffers[1], fmt->src_width, INT64_MAX, err);
        case 'L': return unsupported(v, "uint64", err);
        case 'n': return unsupported(v, "the null type", err);
        case 'z':
        case 'Z':
            *fmt = (iformat){.kind = IK_STRING, .type = LML_BINARY, .src = f[0], .src_width = f[0] == 'z' ? 4 : 8,
                             .zero_copy = f[0] == 'z'};
            if (!nbuf(v, 3, err))
                return false;
            if (v->a->length == 0 && (!v->a->buffers[1] || !v->a->buffers[2]))
                return true;
            return check_offsets(v, v->a->buffers[1], fmt->src_width, INT64_MAX, err);
        case 'e': return unsupported(v, "float16", err);
        default: return unsupported(v, "this format", err);
        }
        return nbuf(v, 2, err);
    }
    if (strcmp(f, "tdD") == 0 || strcmp(f, "tdm") == 0) {
        fmt->type = LML_DATE;
        fmt->src = f[2] == 'D' ? 'D' : 'M';
        fmt->src_width = f[2] == 'D' ? 4 : 8;
        fmt->zero_copy = f[2] == 'D';
        return nbuf(v, 2, err);
    }
    if (strncmp(f, "ts", 2) == 0 && f[2] && strchr("smun", f[2]) && f[3] == ':') {
        /* Arrow stores instants in UTC whatever the zone; a zone-less timestamp is a wall clock,
         * Spark's timestamp_ntz. */
        fmt->type = f[4] ? LML_TIMESTAMP : LML_TIMESTAMP_NTZ;
        fmt->timestamp = true;
        fmt->src = f[2];
        fmt->src_width = 8;
        fmt->zero_copy = f[2] == 'u';
        return nbuf(v, 2, err);
    }
    if (strncmp(f, "d:", 2) == 0) { /* decimal128 "d:p,s" (or "d:p,s,128"); other widths refused */
        int p, sc, bits = 128, used = 0;
        int got = sscanf(f + 2, "%d,%d%n", &p, &sc, &used);
        if (got == 2 && f[2 + used] == ',' && sscanf(f + 3 + used, "%d", &bits) != 1)
            got = 0;
        if (got != 2 || p < 1 || p > 38 || sc < 0 || sc > p)
            return lml_error_set(err, LML_EUNSUPPORTED, "field '%s': decimal format '%s' is not decimal(p,s) with "
                                 "1 ≤ p ≤ 38 and 0 ≤ s ≤ p", v->field, f);
        if (bits != 128)
            return unsupported(v, "a decimal of other than 128 bits", err);
        *fmt = (iformat){.kind = IK_FIXED, .type = LML_DECIMAL, .src = 'd', .src_width = 16, .zero_copy = true,
                         .precision = p, .scale = sc};
        return nbuf(v, 2, err);
    }
    if (strncmp(f, "+w:", 3) == 0) {
        char *end;
        long long d = strtoll(f + 3, &end, 10);
        if (*end || end == f + 3 || d < 0 || d > INT32_MAX)
            return BAD("field '%s': bad fixed-size list format '%s'", v->field, f);
        *fmt = (iformat){.kind = IK_FIXED_LIST, .type = LML_VECTOR, .list_size = d};
        if (v->a->n_children != 1)
            return BAD("field '%s' (format '%s'): %" PRId64 " children, a list has 1", v->field, f,
                       v->a->n_children);
        return nbuf(v, 1, err);
    }
    if (strcmp(f, "+s") == 0) {
        static const char *const names[] = {"type", "size", "indices", "values"};
        bool ok = v->s->n_children == 4;
        for (int i = 0; ok && i < 4; i++)
            ok = v->s->children[i] && v->s->children[i]->name && strcmp(v->s->children[i]->name, names[i]) == 0;
        /* Spark's VectorUDT form becomes an ML vector column; any other struct a struct column. */
        *fmt = ok ? (iformat){.kind = IK_VECTOR_UDT, .type = LML_VECTOR} : (iformat){.kind = IK_STRUCT, .type = LML_STRUCT};
        return nbuf(v, 1, err);
    }
    if (strcmp(f, "+l") == 0 || strcmp(f, "+L") == 0 || strcmp(f, "+m") == 0) {
        bool map = f[1] == 'm';
        *fmt = (iformat){.kind = map ? IK_MAP : IK_LIST, .type = map ? LML_MAP : LML_LIST,
                         .src_width = f[1] == 'L' ? 8 : 4};
        const struct ArrowArray *kid = v->a->n_children == 1 ? v->a->children[0] : NULL;
        if (!kid || !v->s->children[0] || kid->length < 0)
            return BAD("field '%s' (format '%s'): %" PRId64 " children (or a NULL child), a list or map has 1",
                       v->field, f, v->a->n_children);
        if (map && (!v->s->children[0]->format || strcmp(v->s->children[0]->format, "+s") != 0 ||
                    v->s->children[0]->n_children != 2))
            return BAD("field '%s' (format '+m'): the entries child must be a struct of key and value", v->field);
        if (!nbuf(v, 2, err))
            return false;
        if (v->len == 0 && !v->a->buffers[1])
            return true;
        return check_offsets(v, v->a->buffers[1], fmt->src_width, kid->length, err);
    }
    if (strncmp(f, "vu", 2) == 0 || strncmp(f, "vz", 2) == 0)
        return unsupported(v, "a string/binary view", err);
    if (f[0] == '+')
        return unsupported(v, "this nested type", err);
    return unsupported(v, "this format", err);
}

bool iconvert(const iformat *fmt, const void *src, size_t k, void *dst)
{
    if (fmt->timestamp) {
        int64_t x = ((const int64_t *)src)[k], us;
        switch (fmt->src) {
        case 's': if (__builtin_mul_overflow(x, 1000000, &us)) return false; break;
        case 'm': if (__builtin_mul_overflow(x, 1000, &us)) return false; break;
        case 'n': us = x / 1000 - (x % 1000 < 0); break; /* floor, so instants before 1970 round down */
        default: us = x; break;
        }
        memcpy(dst, &us, sizeof us);
        return true;
    }
    int32_t i32;
    int64_t i64;
    double f64;
    switch (fmt->src) {
    case 'c': memcpy(dst, (const int8_t *)src + k, 1); return true;
    case 's': memcpy(dst, (const int16_t *)src + k, 2); return true;
    case 'f': memcpy(dst, (const float *)src + k, 4); return true;
    case 'd': memcpy(dst, (const uint8_t *)src + k * 16, 16); return true;
    case 'C': i32 = ((const uint8_t *)src)[k]; goto out32;
    case 'S': i32 = ((const uint16_t *)src)[k]; goto out32;
    case 'i':
    case 'D': i32 = ((const int32_t *)src)[k]; goto out32;
    case 'I': i64 = ((const uint32_t *)src)[k]; goto out64;
    case 'l': i64 = ((const int64_t *)src)[k]; goto out64;
    case 'g': f64 = ((const double *)src)[k]; memcpy(dst, &f64, sizeof f64); return true;
    case 'M': {
        int64_t ms = ((const int64_t *)src)[k], days = ms / 86400000 - (ms % 86400000 < 0);
        if (days < INT32_MIN || days > INT32_MAX)
            return false;
        i32 = (int32_t)days;
        goto out32;
    }
    default: return false;
    }
out32:
    memcpy(dst, &i32, sizeof i32);
    return true;
out64:
    memcpy(dst, &i64, sizeof i64);
    return true;
}

/* ---------------------------------------------------------------- Spark's VectorUDT */

/* A list<T> child of the vector struct: its offsets checked against its element child. */
typedef struct ulist {
    iview list, elems;
    const void *offs;
    size_t width;
} ulist;

static bool udt_list(const iview *p, size_t i, const char *elem, ulist *out, lml_error *err)
{
    if (!iview_struct_child(p, i, &out->list, err))
        return false;
    const char *f = out->list.s->format;
    if ((strcmp(f, "+l") != 0 && strcmp(f, "+L") != 0) || out->list.a->n_children != 1 || !nbuf(&out->list, 2, err))
        return BAD("field '%s': vector part '%s' must be a list with one child, not format '%s'", p->field,
                   out->list.s->name, f);
    out->width = f[1] == 'l' ? 4 : 8;
    out->offs = out->list.a->buffers[1];
    const struct ArrowArray *ea = out->list.a->children[0];
    if (!make(out->list.s->children[0], ea, 0, ea && ea->length > 0 ? ea->length : 0, p->field, &out->elems, err))
        return false;
    if (strcmp(out->elems.s->format, elem) != 0 || out->elems.valid || !nbuf(&out->elems, 2, err))
        return BAD("field '%s': vector part '%s' must hold non-null '%s', not '%s'", p->field, out->list.s->name,
                   elem, out->elems.s->format);
    if (out->list.len == 0 && !out->offs)
        return true;
    return check_offsets(&out->list, out->offs, out->width, out->elems.len, err);
}

static int64_t ul_start(const ulist *l, int64_t row) { return ioffset(l->offs, l->width, l->list.off + row); }
static int64_t ul_len(const ulist *l, int64_t row) { return ul_start(l, row + 1) - ul_start(l, row); }

lml_column *lml_arrow_import_vector_udt(const iview *v, lml_error *err)
{
    iview type, size;
    ulist ind, val;
    if (!iview_struct_child(v, 0, &type, err) || !iview_struct_child(v, 1, &size, err) ||
        !udt_list(v, 2, "i", &ind, err) || !udt_list(v, 3, "g", &val, err))
        return NULL;
    if (strcmp(type.s->format, "c") != 0 || !nbuf(&type, 2, err) || strcmp(size.s->format, "i") != 0 ||
        !nbuf(&size, 2, err))
        return BADN("field '%s': vector parts type/size must be int8/int32, not '%s'/'%s'", v->field,
                   type.s->format, size.s->format);
    if (v->len == 0) {
        lml_column *c = lml_column_vector_from_dense(NULL, 0, 0, err);
        return c;
    }
    /* Pass 1: every row's kind, size and entry count; one size for the whole column. */
    int64_t dim = -1, nnz = 0;
    bool any_sparse = false;
    const int8_t *tv = type.a->buffers[1];
    const int32_t *sv = size.a->buffers[1];
    for (int64_t r = 0; r < v->len; r++) {
        if (iview_null(v, r))
            continue;
        if (iview_null(&type, r))
            return BADN("field '%s': row %" PRId64 " has a null vector type", v->field, r);
        int8_t t = tv[type.off + r];
        int64_t d, cnt = iview_null(&val.list, r) ? -1 : ul_len(&val, r);
        if (cnt < 0)
            return BADN("field '%s': row %" PRId64 " has null values", v->field, r);
        if (t == LML_ARROW_VEC_SPARSE) {
            if (iview_null(&size, r) || iview_null(&ind.list, r) || ul_len(&ind, r) != cnt)
                return BADN("field '%s': sparse row %" PRId64 " needs a size and as many indices as values",
                           v->field, r);
            d = sv[size.off + r];
            any_sparse = true;
        } else if (t == LML_ARROW_VEC_DENSE) {
            d = cnt;
        } else {
            return BADN("field '%s': row %" PRId64 " has vector type %d (0 sparse, 1 dense)", v->field, r, t);
        }
        if (d < 0 || d > INT32_MAX || (dim >= 0 && d != dim))
            return lml_error_set(err, LML_EUNSUPPORTED,
                                 "field '%s': row %" PRId64 " has a vector of size %" PRId64
                                 " but earlier rows have size %" PRId64 "; a lakeml vector column has one size",
                                 v->field, r, d, dim), NULL;
        dim = d;
        if (t == LML_ARROW_VEC_SPARSE && cnt > 0) {
            const int32_t *ix = (const int32_t *)ind.elems.a->buffers[1] + ind.elems.off + ul_start(&ind, r);
            for (int64_t k = 0; k < cnt; k++)
                if (ix[k] < 0 || ix[k] >= d || (k && ix[k] <= ix[k - 1]))
                    return BADN("field '%s': sparse row %" PRId64 ": index %" PRId32
                               " is out of order or outside size %" PRId64, v->field, r, ix[k], d);
        }
        nnz += cnt; /* cnt ≤ the element child's length, and rows ≤ INT64_MAX / that, so no overflow worth a check */
    }
    size_t n = (size_t)v->len, d = dim < 0 ? 0 : (size_t)dim, total;
    lml_column *c = calloc(1, sizeof *c);
    if (!c)
        return lml_error_set(err, LML_ENOMEM, "out of memory importing field '%s'", v->field), NULL;
    atomic_init(&c->refs, 1);
    c->type = LML_VECTOR;
    c->length = n;
    c->vec_size = d;
    c->sparse = any_sparse;
    size_t ip_bytes, ix_bytes;
    bool ok = lml_mul_ok(n, d, &total) && lml_mul_ok(any_sparse ? (size_t)nnz : total, sizeof(double), &total) &&
              lml_mul_ok(n + 1, sizeof(int64_t), &ip_bytes) && lml_mul_ok((size_t)nnz, sizeof(int32_t), &ix_bytes);
    if (ok && any_sparse)
        ok = (c->indptr = lml_aligned_calloc(ip_bytes)) && (c->indices = lml_aligned_malloc(ix_bytes));
    ok = ok && (c->vvalues = lml_aligned_calloc(total));
    if (ok && v->valid) {
        ok = (c->validity = lml_aligned_calloc(lml_bitmap_bytes(n))) != NULL;
        for (size_t i = 0; ok && i < n; i++)
            if (!iview_null(v, (int64_t)i))
                lml_bit_set(c->validity, i);
        c->null_count = (size_t)v->nulls;
    }
    if (!ok) {
        lml_column_free(c);
        return lml_error_set(err, LML_ENOMEM, "out of memory importing field '%s'", v->field), NULL;
    }
    /* Pass 2: copy. Dense rows in a sparse column keep every entry (explicit zeros included). */
    /* The element buffers may be NULL when every list is empty: then nothing is read from them. */
    const double *vals = val.elems.len ? (const double *)val.elems.a->buffers[1] + val.elems.off : NULL;
    const int32_t *idx = ind.elems.len ? (const int32_t *)ind.elems.a->buffers[1] + ind.elems.off : NULL;
    int64_t pos = 0;
    for (size_t r = 0; r < n; r++) {
        if (!iview_null(v, (int64_t)r)) {
            int64_t s0 = ul_start(&val, (int64_t)r), cnt = ul_len(&val, (int64_t)r);
            if (!any_sparse) {
                if (cnt)
                    memcpy(c->vvalues + r * d, vals + s0, (size_t)cnt * sizeof(double));
            } else {
                bool sp = tv[type.off + (int64_t)r] == LML_ARROW_VEC_SPARSE;
                int64_t i0 = sp ? ul_start(&ind, (int64_t)r) : 0;
                for (int64_t k = 0; k < cnt; k++) {
                    c->indices[pos + k] = sp ? idx[i0 + k] : (int32_t)k;
                    c->vvalues[pos + k] = vals[s0 + k];
                }
                pos += cnt;
            }
        }
        if (any_sparse)
            c->indptr[r + 1] = pos;
    }
    return c;
}

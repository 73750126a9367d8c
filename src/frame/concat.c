/* Row concatenation: lml_column_concat and Spark's unionByName (lml_frame_union_by_name).
 *
 * Everything works on spans (a column and a row range of it) so that list and map children are
 * concatenated straight from the ranges their parents reach, without gathering them first. Every
 * output buffer is sized in a first pass and allocated once, so stitching thousands of one-row
 * parts (a Delta scan over many small files) stays linear in the total size. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/internal.h"
#include "frame/internal.h"

typedef struct span {
    const lml_column *col;
    size_t start, len;
} span;

/* ---------------------------------------------------------------- types */

/* True when a and b hold the same type all the way down (decimal precision/scale, vector size,
 * struct field names and order, element/key/value types). Dense and sparse vectors mix. */
static bool same_type(const lml_column *a, const lml_column *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case LML_DECIMAL: return a->precision == b->precision && a->scale == b->scale;
    case LML_VECTOR: return a->vec_size == b->vec_size;
    case LML_STRUCT:
    case LML_LIST:
    case LML_MAP:
        if (a->nchildren != b->nchildren)
            return false;
        for (size_t i = 0; i < a->nchildren; i++)
            if ((a->type == LML_STRUCT && strcmp(a->child_names[i], b->child_names[i]) != 0) ||
                !same_type(a->children[i], b->children[i]))
                return false;
        return true;
    default: return true;
    }
}

/* Spark's simpleString-like text of the full type ("array<struct<a:integer,b:string>>"), so a
 * mismatch deep inside a nested column can be seen in the message. */
static void describe_type(const lml_column *c, lml_strbuf *sb)
{
    char buf[32];
    switch (c->type) {
    case LML_VECTOR: lml_strbuf_printf(sb, "vector(size %zu)", c->vec_size); return;
    case LML_LIST:
        lml_strbuf_puts(sb, "array<");
        describe_type(c->children[0], sb);
        lml_strbuf_putc(sb, '>');
        return;
    case LML_MAP:
        lml_strbuf_puts(sb, "map<");
        describe_type(c->children[0]->children[0], sb);
        lml_strbuf_putc(sb, ',');
        describe_type(c->children[0]->children[1], sb);
        lml_strbuf_putc(sb, '>');
        return;
    case LML_STRUCT:
        lml_strbuf_puts(sb, "struct<");
        for (size_t i = 0; i < c->nchildren; i++) {
            lml_strbuf_printf(sb, "%s%s:", i ? "," : "", c->child_names[i]);
            describe_type(c->children[i], sb);
        }
        lml_strbuf_putc(sb, '>');
        return;
    default: lml_strbuf_puts(sb, lml_column_type_string(c, buf, sizeof buf)); return;
    }
}

/* Sets an LML_ETYPE error "<prefix>: <what_a> is <type a>, <what_b> is <type b>". */
static void type_mismatch(lml_error *err, const char *prefix, const char *what_a, const lml_column *a,
                          const char *what_b, const lml_column *b)
{
    lml_strbuf ta = {0}, tb = {0};
    describe_type(a, &ta);
    describe_type(b, &tb);
    lml_error_set(err, LML_ETYPE, "%s: %s is %s, %s is %s", prefix, what_a, ta.data ? ta.data : "?", what_b,
                  tb.data ? tb.data : "?");
    lml_strbuf_free(&ta);
    lml_strbuf_free(&tb);
}

/* ---------------------------------------------------------------- bitmaps */

/* ORs len bits of src starting at bit spos into the zero-filled dst starting at bit dpos. Whole
 * destination bytes are written eight bits at a time (two source bytes shifted together), so
 * parts whose row counts are not multiples of 8 still merge bit for bit. */
static void copy_bits(uint8_t *dst, size_t dpos, const uint8_t *src, size_t spos, size_t len)
{
    while (len && (dpos & 7)) {
        if (lml_bit_get(src, spos))
            lml_bit_set(dst, dpos);
        dpos++, spos++, len--;
    }
    unsigned sh = (unsigned)(spos & 7);
    uint8_t *d = dst + (dpos >> 3);
    const uint8_t *s = src + (spos >> 3);
    size_t whole = len >> 3;
    if (sh == 0) {
        memcpy(d, s, whole);
    } else { /* bit spos + 7 lies in s[k + 1], so that byte is inside src */
        for (size_t k = 0; k < whole; k++)
            d[k] = (uint8_t)((s[k] >> sh) | (s[k + 1] << (8 - sh)));
    }
    dpos += whole * 8, spos += whole * 8, len -= whole * 8;
    for (; len; dpos++, spos++, len--)
        if (lml_bit_get(src, spos))
            lml_bit_set(dst, dpos);
}

/* Sets bits [dpos, dpos + len) of dst. */
static void set_bits(uint8_t *dst, size_t dpos, size_t len)
{
    for (; len && (dpos & 7); dpos++, len--)
        lml_bit_set(dst, dpos);
    memset(dst + (dpos >> 3), 0xFF, len >> 3);
    dpos += len & ~(size_t)7;
    for (len &= 7; len; dpos++, len--)
        lml_bit_set(dst, dpos);
}

/* c's validity from the spans' bitmaps (none when no span has one), then its null count. */
static bool concat_validity(lml_column *c, const span *s, size_t ns, lml_error *err)
{
    bool any = false;
    for (size_t k = 0; k < ns && !any; k++)
        any = s[k].len && s[k].col->validity;
    if (!any)
        return true;
    if (!(c->validity = lml_aligned_calloc(lml_bitmap_bytes(c->length))))
        return lml_error_set(err, LML_ENOMEM, "out of memory concatenating the validity of %zu rows", c->length);
    size_t pos = 0;
    for (size_t k = 0; k < ns; k++) {
        if (s[k].col->validity)
            copy_bits(c->validity, pos, s[k].col->validity, s[k].start, s[k].len);
        else
            set_bits(c->validity, pos, s[k].len);
        pos += s[k].len;
    }
    lml_column_seal(c);
    return true;
}

/* ---------------------------------------------------------------- per kind */

static lml_column *concat_spans(const lml_column *tmpl, const span *s, size_t ns, size_t total, lml_error *err);

static size_t fixed_width(lml_type t)
{
    switch (t) {
    case LML_INT8: return 1;
    case LML_INT16: return 2;
    case LML_INT32:
    case LML_DATE:
    case LML_FLOAT: return 4;
    case LML_DECIMAL: return 16;
    default: return 8; /* int64, double, timestamp(_ntz) */
    }
}

/* Scalars, strings and binary: one lml_column_alloc, values copied as bits (NaN payloads and
 * -0.0 survive), string offsets rebased onto the running byte count. */
static lml_column *concat_flat(const lml_column *tmpl, const span *s, size_t ns, size_t total, lml_error *err)
{
    bool varlen = tmpl->type == LML_STRING || tmpl->type == LML_BINARY;
    size_t bytes = 0;
    if (varlen) {
        for (size_t k = 0; k < ns; k++) { /* checked as it grows: each part alone may be near 2 GiB */
            bytes += (size_t)(s[k].col->offsets[s[k].start + s[k].len] - s[k].col->offsets[s[k].start]);
            if (bytes > INT32_MAX)
                return lml_error_set(err, LML_ERANGE, "concatenating %zu %s parts: the bytes of parts 0..%zu are over "
                                     "the 2 GiB a column's int32 offsets can address", ns,
                                     lml_type_name(tmpl->type), k), NULL;
        }
    }
    lml_column *c = lml_column_alloc(tmpl->type, total, bytes, false, err);
    if (!c)
        return NULL;
    c->precision = tmpl->precision;
    c->scale = tmpl->scale;
    size_t pos = 0;
    if (varlen) {
        int32_t cur = 0;
        c->offsets[0] = 0;
        for (size_t k = 0; k < ns; k++) {
            const int32_t *o = s[k].col->offsets + s[k].start;
            int32_t base = o[0];
            for (size_t i = 0; i < s[k].len; i++)
                c->offsets[pos + i + 1] = cur + (o[i + 1] - base);
            size_t nb = (size_t)(o[s[k].len] - base);
            if (nb)
                memcpy((char *)c->values + cur, (const char *)s[k].col->values + base, nb);
            cur += (int32_t)nb;
            pos += s[k].len;
        }
    } else if (tmpl->type == LML_BOOL) {
        for (size_t k = 0; k < ns; pos += s[k].len, k++)
            copy_bits(c->values, pos, s[k].col->values, s[k].start, s[k].len);
    } else {
        size_t w = fixed_width(tmpl->type);
        for (size_t k = 0; k < ns; pos += s[k].len, k++)
            if (s[k].len)
                memcpy((char *)c->values + pos * w, (const char *)s[k].col->values + s[k].start * w, s[k].len * w);
    }
    if (!concat_validity(c, s, ns, err)) {
        lml_column_free(c);
        return NULL;
    }
    return c;
}

/* Vectors: dense when every part is dense, else CSR; a dense part's rows enter the CSR with their
 * non-zero entries only (what Spark's toSparse keeps). */
static lml_column *concat_vector(const lml_column *tmpl, const span *s, size_t ns, size_t total, lml_error *err)
{
    size_t d = tmpl->vec_size, bytes;
    bool sparse = false;
    for (size_t k = 0; k < ns; k++)
        sparse |= s[k].col->sparse;
    lml_column *c = lml_column_shell(LML_VECTOR, total, err);
    if (!c)
        return NULL;
    c->vec_size = d;
    c->sparse = sparse;
    if (!sparse) {
        if (!lml_mul_ok(total, d, &bytes) || !lml_mul_ok(bytes, sizeof(double), &bytes) ||
            !(c->vvalues = lml_aligned_malloc(bytes)))
            goto nomem;
        size_t pos = 0;
        for (size_t k = 0; k < ns; pos += s[k].len, k++)
            if (s[k].len && d)
                memcpy(c->vvalues + pos * d, s[k].col->vvalues + s[k].start * d, s[k].len * d * sizeof(double));
    } else {
        size_t nnz = 0;
        for (size_t k = 0; k < ns; k++) {
            const lml_column *p = s[k].col;
            if (p->sparse) {
                nnz += (size_t)(p->indptr[s[k].start + s[k].len] - p->indptr[s[k].start]);
            } else {
                const double *v = p->vvalues + s[k].start * d;
                for (size_t e = 0; e < s[k].len * d; e++)
                    nnz += v[e] != 0.0;
            }
        }
        if (total >= SIZE_MAX / sizeof(int64_t) || nnz >= SIZE_MAX / sizeof(double) ||
            !(c->indptr = lml_aligned_malloc((total + 1) * sizeof(int64_t))) ||
            !(c->indices = lml_aligned_malloc(nnz * sizeof(int32_t))) ||
            !(c->vvalues = lml_aligned_malloc(nnz * sizeof(double))))
            goto nomem;
        size_t pos = 0, at = 0;
        c->indptr[0] = 0;
        for (size_t k = 0; k < ns; k++) {
            const lml_column *p = s[k].col;
            if (p->sparse) {
                size_t a = (size_t)p->indptr[s[k].start], m = (size_t)p->indptr[s[k].start + s[k].len] - a;
                if (m) {
                    memcpy(c->indices + at, p->indices + a, m * sizeof(int32_t));
                    memcpy(c->vvalues + at, p->vvalues + a, m * sizeof(double));
                }
                for (size_t i = 0; i < s[k].len; i++)
                    c->indptr[pos + i + 1] = (int64_t)at + (p->indptr[s[k].start + i + 1] - (int64_t)a);
                at += m;
            } else {
                for (size_t i = 0; i < s[k].len; i++) {
                    const double *v = p->vvalues + (s[k].start + i) * d;
                    for (size_t j = 0; j < d; j++)
                        if (v[j] != 0.0) {
                            c->indices[at] = (int32_t)j;
                            c->vvalues[at++] = v[j];
                        }
                    c->indptr[pos + i + 1] = (int64_t)at;
                }
            }
            pos += s[k].len;
        }
    }
    if (!concat_validity(c, s, ns, err)) {
        lml_column_free(c);
        return NULL;
    }
    return c;
nomem:
    lml_column_free(c);
    return lml_error_set(err, LML_ENOMEM, "out of memory concatenating a vector column of %zu rows", total), NULL;
}

/* Structs: each field is the concatenation of the parts' fields over the same row ranges. */
static lml_column *concat_struct(const lml_column *tmpl, const span *s, size_t ns, size_t total, lml_error *err)
{
    lml_column *c = lml_column_shell(LML_STRUCT, total, err);
    span *cs = malloc((ns ? ns : 1) * sizeof *cs);
    bool ok = c && cs && lml_column_alloc_children(c, tmpl->nchildren, err);
    if (c && !cs)
        lml_error_set(err, LML_ENOMEM, "out of memory concatenating a struct column of %zu rows", total);
    for (size_t j = 0; ok && j < tmpl->nchildren; j++) {
        for (size_t k = 0; k < ns; k++)
            cs[k] = (span){s[k].col->children[j], s[k].start, s[k].len};
        ok = (c->child_names[j] = lml_strdup(tmpl->child_names[j], err)) &&
             (c->children[j] = concat_spans(tmpl->children[j], cs, ns, total, err));
    }
    free(cs);
    if (!ok || !concat_validity(c, s, ns, err)) {
        lml_column_free(c);
        return NULL;
    }
    return c;
}

/* Lists and maps: offsets rebased from 0, and the child built from the element ranges the
 * present rows reach (adjacent ranges merged). A null row becomes empty and its elements are
 * dropped, as lml_column_take does. */
static lml_column *concat_offsets_kind(const lml_column *tmpl, const span *s, size_t ns, size_t total,
                                       lml_error *err)
{
    const char *kind = lml_type_name(tmpl->type);
    if (total >= (size_t)INT32_MAX)
        return lml_error_set(err, LML_ERANGE, "a %s column of %zu rows is too long", kind, total), NULL;
    size_t maxspans = 0;
    for (size_t k = 0; k < ns; k++)
        maxspans += s[k].col->validity ? s[k].len : 1;
    lml_column *c = lml_column_shell(tmpl->type, total, err);
    if (!c)
        return NULL;
    span *cs = malloc((maxspans ? maxspans : 1) * sizeof *cs);
    if (!cs || !(c->offsets = lml_aligned_malloc((total + 1) * sizeof(int32_t))) ||
        !lml_column_alloc_children(c, 1, err)) {
        free(cs);
        lml_column_free(c);
        return lml_error_set(err, LML_ENOMEM, "out of memory concatenating a %s column of %zu rows", kind, total), NULL;
    }
    size_t nspans = 0, elems = 0, pos = 0;
    c->offsets[0] = 0;
    for (size_t k = 0; k < ns; k++) {
        const lml_column *p = s[k].col;
        const lml_column *child = p->children[0];
        const int32_t *o = p->offsets + s[k].start;
        for (size_t i = 0; i < s[k].len; i++) {
            if (!p->validity || lml_bit_get(p->validity, s[k].start + i)) {
                size_t a = (size_t)o[i], m = (size_t)(o[i + 1] - o[i]);
                if (m && nspans && cs[nspans - 1].col == child && cs[nspans - 1].start + cs[nspans - 1].len == a)
                    cs[nspans - 1].len += m;
                else if (m)
                    cs[nspans++] = (span){child, a, m};
                elems += m;
                if (elems > INT32_MAX) {
                    free(cs);
                    lml_column_free(c);
                    return lml_error_set(err, LML_ERANGE, "concatenating a %s column of %zu rows: over %d elements "
                                         "are past its int32 offsets", kind, total, INT32_MAX), NULL;
                }
            }
            c->offsets[pos + i + 1] = (int32_t)elems;
        }
        pos += s[k].len;
    }
    bool ok = (c->child_names[0] = lml_strdup(tmpl->child_names[0], err)) &&
              (c->children[0] = concat_spans(tmpl->children[0], cs, nspans, elems, err)) &&
              concat_validity(c, s, ns, err);
    free(cs);
    if (!ok) {
        lml_column_free(c);
        return NULL;
    }
    return c;
}

/* The rows of every span, in order, as one new column of tmpl's type (all spans share it). */
static lml_column *concat_spans(const lml_column *tmpl, const span *s, size_t ns, size_t total, lml_error *err)
{
    switch (tmpl->type) {
    case LML_VECTOR: return concat_vector(tmpl, s, ns, total, err);
    case LML_STRUCT: return concat_struct(tmpl, s, ns, total, err);
    case LML_LIST:
    case LML_MAP: return concat_offsets_kind(tmpl, s, ns, total, err);
    default: return concat_flat(tmpl, s, ns, total, err);
    }
}

/* ---------------------------------------------------------------- public */

/* Concatenation once the types are known to agree (shared by the frame union). */
static lml_column *concat_checked(const lml_column *const *cols, size_t n, lml_error *err)
{
    if (n == 1)
        return lml_column_retain(cols[0]);
    span *s = malloc(n * sizeof *s);
    if (!s)
        return lml_error_set(err, LML_ENOMEM, "out of memory concatenating %zu columns", n), NULL;
    size_t total = 0;
    for (size_t k = 0; k < n; k++) {
        s[k] = (span){cols[k], 0, cols[k]->length};
        if (__builtin_add_overflow(total, cols[k]->length, &total)) {
            free(s);
            return lml_error_set(err, LML_ERANGE, "concatenating %zu columns: the row count overflows", n), NULL;
        }
    }
    lml_column *c = concat_spans(cols[0], s, n, total, err);
    free(s);
    return c;
}

lml_column *lml_column_concat(const lml_column *const *cols, size_t n, lml_error *err)
{
    if (!cols || n == 0)
        return lml_error_set(err, LML_EINVAL, "concatenating columns needs at least one column"), NULL;
    for (size_t k = 0; k < n; k++) {
        if (!cols[k])
            return lml_error_set(err, LML_EINVAL, "concatenating %zu columns: column %zu is NULL", n, k), NULL;
        if (!same_type(cols[0], cols[k])) {
            char what[48];
            snprintf(what, sizeof what, "column %zu", k);
            type_mismatch(err, "cannot concatenate columns of different types", what, cols[k], "column 0", cols[0]);
            return NULL;
        }
    }
    return concat_checked(cols, n, err);
}

typedef struct union_ctx {
    const lml_column **parts; /* ncols × n, column-major */
    size_t n;
    lml_column **out;
    lml_error *errs;
} union_ctx;

static void union_task(void *p, size_t t, int worker)
{
    (void)worker;
    union_ctx *u = p;
    u->out[t] = concat_checked(u->parts + t * u->n, u->n, &u->errs[t]);
}

/* Column j of frame 0 in frame f (index), or -1. Frames usually agree on the order, so the same
 * position is tried before a search. */
static long match_column(const lml_frame *f, const char *name, size_t j)
{
    if (j < f->ncols && strcasecmp(f->fields[j].name, name) == 0)
        return (long)j;
    return lml_frame_column_index(f, name);
}

lml_frame *lml_frame_union_by_name(const lml_frame *const *frames, size_t n, lml_error *err)
{
    if (!frames || n == 0)
        return lml_error_set(err, LML_EINVAL, "union by name needs at least one frame"), NULL;
    for (size_t k = 0; k < n; k++)
        if (!frames[k])
            return lml_error_set(err, LML_EINVAL, "union by name of %zu frames: frame %zu is NULL", n, k), NULL;
    const lml_frame *f0 = frames[0];
    size_t nc = f0->ncols, cells;
    if (!lml_mul_ok(nc, n, &cells))
        return lml_error_set(err, LML_ENOMEM, "union of %zu frames of %zu columns is too large", n, nc), NULL;
    const lml_column **parts = malloc((cells ? cells : 1) * sizeof *parts);
    if (!parts)
        return lml_error_set(err, LML_ENOMEM, "out of memory for a union of %zu frames", n), NULL;
    for (size_t k = 0; k < n; k++) {
        const lml_frame *f = frames[k];
        for (size_t j = 0; j < nc; j++) {
            long i = match_column(f, f0->fields[j].name, j);
            if (i < 0) {
                lml_error_set(err, LML_EINVAL, "union by name: frame %zu has no column '%s' (frame 0 has it)", k,
                              f0->fields[j].name);
                goto fail;
            }
            const lml_column *c = f->fields[i].col;
            if (!same_type(f0->fields[j].col, c)) {
                char prefix[LML_ERROR_MESSAGE_MAX / 2], what[48];
                snprintf(prefix, sizeof prefix, "union by name: column '%s' has different types", f0->fields[j].name);
                snprintf(what, sizeof what, "in frame %zu it", k);
                type_mismatch(err, prefix, what, c, "in frame 0", f0->fields[j].col);
                goto fail;
            }
            parts[j * n + k] = c;
        }
        if (f->ncols != nc) { /* every frame-0 name matched, so f has a column frame 0 lacks */
            for (size_t i = 0; i < f->ncols; i++)
                if (lml_frame_column_index(f0, f->fields[i].name) < 0) {
                    lml_error_set(err, LML_EINVAL, "union by name: frame %zu has a column '%s' that frame 0 lacks", k,
                                  f->fields[i].name);
                    goto fail;
                }
        }
    }
    if (n == 1) {
        free(parts);
        return lml_frame_retain(f0);
    }
    lml_field *fields = lml_frame_copy_fields(f0, 0, err); /* frame 0's names and metadata */
    lml_column **out = calloc(nc + 1, sizeof *out);
    lml_error *errs = calloc(nc + 1, sizeof *errs);
    if (!fields || !out || !errs) {
        if (fields)
            lml_error_set(err, LML_ENOMEM, "out of memory for a union of %zu frames", n);
        free(out);
        free(errs);
        lml_fields_free(fields, nc);
        goto fail;
    }
    /* One task per column: columns are independent and each is built the same way whichever
     * worker builds it. */
    union_ctx u = {parts, n, out, errs};
    lml_parallel_for(nc, union_task, &u);
    bool ok = true;
    for (size_t j = 0; j < nc; j++) {
        if (!out[j] && ok) {
            ok = false;
            if (err)
                *err = errs[j];
        }
        lml_column_free(fields[j].col);
        fields[j].col = out[j];
    }
    free(out);
    free(errs);
    free(parts);
    if (!ok) {
        lml_fields_free(fields, nc);
        return NULL;
    }
    return lml_frame_adopt(fields, nc, err);
fail:
    free(parts);
    return NULL;
}

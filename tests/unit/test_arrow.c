/* Arrow C Data Interface: round trips, byte-level layout against the Arrow specification,
 * release semantics, import of hand-built arrays (offsets, conversions) and rejection of bad
 * structures. Run under ASan, the release tests also prove there is no leak or double free. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "frame/internal.h"
#include "lakeml/arrow.h"

#define N 10

/* ---------------------------------------------------------------- a frame with every type */

/* Marks the given rows of a vector column null (lakeml keeps null slots zero: the caller made them so). */
static lml_column *with_nulls(lml_column *c, const int *rows, int k)
{
    c->validity = lml_aligned_calloc(lml_bitmap_bytes(c->length));
    for (size_t i = 0; i < c->length; i++)
        lml_bit_set(c->validity, i);
    for (int j = 0; j < k; j++)
        lml_bit_clear(c->validity, (size_t)rows[j]);
    c->null_count = (size_t)k;
    return c;
}

static lml_column *build(lml_type t, int null_row)
{
    lml_column_builder *b = lml_column_builder_new(t, N, NULL);
    static const char *strs[N] = {"", "a", "h\xc3\xa9llo", NULL, "xyz", "0123456789", "q", "", "rr", "end"};
    for (int i = 0; i < N; i++) {
        if (i == null_row || (t == LML_STRING && !strs[i])) {
            lml_column_builder_append_null(b, NULL);
            continue;
        }
        switch (t) {
        case LML_BOOL: lml_column_builder_append_bool(b, i % 2, NULL); break;
        case LML_INT32: lml_column_builder_append_int32(b, i * 7 - 20, NULL); break;
        case LML_DATE: lml_column_builder_append_int32(b, 19000 + i * 31 - 40000 * (i == 8), NULL); break;
        case LML_INT64: lml_column_builder_append_int64(b, 1000000000000LL * i - 3, NULL); break;
        case LML_TIMESTAMP: lml_column_builder_append_int64(b, 1700000000000000LL + i - (i == 2) * 4000000000000000LL, NULL); break;
        case LML_DOUBLE: lml_column_builder_append_double(b, i == 4 ? -0.0 : i * 0.5 - 1e-300, NULL); break;
        case LML_STRING: lml_column_builder_append_string(b, strs[i], strlen(strs[i]), NULL); break;
        default: break;
        }
    }
    return lml_column_builder_finish(b, NULL);
}

static lml_frame *sample_frame(void)
{
    double dense[N * 3];
    for (int i = 0; i < N * 3; i++)
        dense[i] = i / 3 == 7 ? 0.0 : i * 1.25 - 3;
    int64_t indptr[N + 1] = {0, 2, 2, 2, 5, 5, 6, 6, 7, 7, 8};
    int32_t idx[8] = {0, 4, 1, 2, 3, 4, 0, 2};
    double vals[8] = {1, -2, 3.5, 4, 5, 6, 7, 8};
    lml_column *cols[9] = {
        build(LML_BOOL, 3),
        build(LML_INT32, 1),
        build(LML_INT64, 9),
        build(LML_DOUBLE, 0),
        build(LML_STRING, 6),
        build(LML_DATE, 5),
        build(LML_TIMESTAMP, 6),
        with_nulls(lml_column_vector_from_dense(dense, N, 3, NULL), (int[]){7}, 1),
        with_nulls(lml_column_vector_from_csr(indptr, idx, vals, N, 5, NULL), (int[]){2, 4}, 2),
    };
    const char *names[9] = {"b", "i", "l", "d", "s", "dt", "ts", "dense", "sparse"};
    lml_frame *f0 = lml_frame_new(9, names, cols, NULL);
    for (int i = 0; i < 9; i++)
        lml_column_free(cols[i]);
    cr_assert_not_null(f0);
    lml_frame *f = lml_frame_with_metadata(f0, "i", "{\"ml_attr\":{\"type\":\"nominal\",\"vals\":[\"a\",\"b\"]}}", NULL);
    lml_frame_free(f0);
    cr_assert_not_null(f);
    return f;
}

static void assert_columns_equal(const lml_column *a, const lml_column *b, const char *name)
{
    cr_assert_eq(a->type, b->type, "%s: type", name);
    cr_assert_eq(a->length, b->length, "%s: length", name);
    cr_assert_eq(a->null_count, b->null_count, "%s: null count", name);
    for (size_t i = 0; i < a->length; i++) {
        cr_assert_eq(lml_column_is_null(a, i), lml_column_is_null(b, i), "%s row %zu: null", name, i);
        if (lml_column_is_null(a, i) && a->type != LML_VECTOR)
            continue;
        switch (a->type) {
        case LML_BOOL: cr_assert_eq(lml_column_bool_at(a, i), lml_column_bool_at(b, i), "%s row %zu", name, i); break;
        case LML_INT32:
        case LML_DATE: cr_assert_eq(((int32_t *)a->values)[i], ((int32_t *)b->values)[i], "%s row %zu", name, i); break;
        case LML_INT64:
        case LML_TIMESTAMP: cr_assert_eq(((int64_t *)a->values)[i], ((int64_t *)b->values)[i], "%s row %zu", name, i); break;
        case LML_DOUBLE: cr_assert_eq(memcmp((double *)a->values + i, (double *)b->values + i, 8), 0, "%s row %zu", name, i); break;
        case LML_STRING: {
            size_t la, lb;
            const char *sa = lml_column_string_at(a, i, &la), *sb = lml_column_string_at(b, i, &lb);
            cr_assert(la == lb && memcmp(sa, sb, la) == 0, "%s row %zu: '%.*s' vs '%.*s'", name, i, (int)la, sa, (int)lb, sb);
            break;
        }
        case LML_VECTOR:
            cr_assert_eq(a->vec_size, b->vec_size, "%s: vector size", name);
            cr_assert_eq(a->sparse, b->sparse, "%s: sparse", name);
            if (!a->sparse) {
                cr_assert_eq(memcmp(a->vvalues + i * a->vec_size, b->vvalues + i * b->vec_size, a->vec_size * 8), 0);
            } else {
                cr_assert_eq(a->indptr[i + 1], b->indptr[i + 1], "%s row %zu: indptr", name, i);
                for (int64_t k = a->indptr[i]; k < a->indptr[i + 1]; k++) {
                    cr_assert_eq(a->indices[k], b->indices[k]);
                    cr_assert_eq(a->vvalues[k], b->vvalues[k]);
                }
            }
            break;
        default: { /* binary and nested columns: compared through their show() text */
            char ta[256], tb[256];
            lml_format_value(a, i, ta, sizeof ta);
            lml_format_value(b, i, tb, sizeof tb);
            cr_assert_str_eq(ta, tb, "%s row %zu", name, i);
            break;
        }
        }
    }
}

Test(arrow, round_trip_keeps_every_type_value_null_name_and_metadata)
{
    lml_frame *f = sample_frame();
    struct ArrowSchema s;
    struct ArrowArray a;
    lml_error err = {0};
    cr_assert(lml_arrow_export_frame(f, &s, &a, &err), "%s", err.message);
    lml_frame *g = lml_arrow_import_frame(&s, &a, &err);
    cr_assert_not_null(g, "%s", err.message);
    cr_assert_null(a.release, "import moves the array");
    cr_assert_eq(lml_frame_num_cols(g), 9);
    cr_assert_eq(lml_frame_num_rows(g), N);
    for (size_t i = 0; i < 9; i++) {
        cr_assert_str_eq(lml_frame_column_name(g, i), lml_frame_column_name(f, i));
        assert_columns_equal(lml_frame_column(f, i), lml_frame_column(g, i), lml_frame_column_name(f, i));
    }
    cr_assert_str_eq(lml_frame_column_metadata(g, 1), "{\"ml_attr\":{\"type\":\"nominal\",\"vals\":[\"a\",\"b\"]}}");
    cr_assert_null(lml_frame_column_metadata(g, 0));
    /* Our own buffers are aligned with offset 0, so scalar columns come back zero-copy. */
    cr_assert_eq(lml_frame_column(g, 1)->values, lml_frame_column(f, 1)->values);
    cr_assert_eq(lml_frame_column(g, 4)->offsets, lml_frame_column(f, 4)->offsets);
    cr_assert_eq(lml_frame_column(g, 7)->vvalues, lml_frame_column(f, 7)->vvalues);
    s.release(&s);
    lml_frame_free(f);
    /* g still reads the exported buffers, kept alive by the moved array. */
    cr_assert_eq(lml_column_int64s(lml_frame_column(g, 2))[3], 3000000000000LL - 3);
    lml_frame_free(g);
}

/* ---------------------------------------------------------------- layout, byte by byte */

static uint32_t rd32(const char *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return (uint32_t)v;
}

Test(arrow, export_layout_follows_the_specification)
{
    lml_frame *f = sample_frame();
    struct ArrowSchema s;
    struct ArrowArray a;
    cr_assert(lml_arrow_export_frame(f, &s, &a, NULL));
    cr_assert_str_eq(s.format, "+s");
    cr_assert_eq(s.n_children, 9);
    cr_assert_null(s.dictionary);
    cr_assert_eq(a.length, N);
    cr_assert_eq(a.null_count, 0);
    cr_assert_eq(a.offset, 0);
    cr_assert_eq(a.n_buffers, 1);
    cr_assert_null(a.buffers[0]);
    cr_assert_eq(a.n_children, 9);
    static const char *formats[9] = {"b", "i", "l", "g", "u", "tdD", "tsu:UTC", "+w:3", "+s"};
    static const int64_t nbuf[9] = {2, 2, 2, 2, 3, 2, 2, 1, 1};
    static const int64_t nulls[9] = {1, 1, 1, 1, 2, 1, 1, 1, 2};
    for (int i = 0; i < 9; i++) {
        const struct ArrowArray *c = a.children[i];
        cr_assert_str_eq(s.children[i]->format, formats[i], "column %d", i);
        cr_assert_str_eq(s.children[i]->name, lml_frame_column_name(f, (size_t)i));
        cr_assert_eq(s.children[i]->flags, ARROW_FLAG_NULLABLE);
        cr_assert_eq(c->n_buffers, nbuf[i], "column %d", i);
        cr_assert_eq(c->null_count, nulls[i], "column %d", i);
        cr_assert_eq(c->length, N);
        cr_assert_eq(c->offset, 0);
        for (int64_t k = 0; k < c->n_buffers; k++)
            cr_assert_eq((uintptr_t)c->buffers[k] % 64, 0, "column %d buffer %lld is 64-byte aligned", i, (long long)k);
        cr_assert_not_null(c->release);
    }
    /* Validity LSB first: bool's null at row 3 → 1111 0111, then rows 8, 9 → 0000 0011. */
    const uint8_t *bv = a.children[0]->buffers[0], *bits = a.children[0]->buffers[1];
    cr_assert_eq(bv[0], 0xF7);
    cr_assert_eq(bv[1] & 0x03, 0x03);
    /* Values i % 2 with the null slot (row 3) zero: rows 1, 5, 7 → 1010 0010; row 9 → bit 1. */
    cr_assert_eq(bits[0], 0xA2);
    cr_assert_eq(bits[1] & 0x03, 0x02);
    /* Zero copy: the column's own buffers. */
    const lml_column *ci = lml_frame_column(f, 1);
    cr_assert_eq(a.children[1]->buffers[1], ci->values);
    cr_assert_eq(((const int32_t *)a.children[1]->buffers[1])[2], 2 * 7 - 20);
    cr_assert_eq(((const uint8_t *)a.children[1]->buffers[0])[0], 0xFD); /* row 1 null */
    /* Strings: int32 offsets then UTF-8 bytes; the null at row 3 and the one at row 6 are empty. */
    const int32_t *off = a.children[4]->buffers[1];
    static const int32_t want_off[N + 1] = {0, 0, 1, 7, 7, 10, 20, 20, 20, 22, 25};
    cr_assert_eq(memcmp(off, want_off, sizeof want_off), 0);
    cr_assert_eq(memcmp((const char *)a.children[4]->buffers[2], "ah\xc3\xa9llo", 7), 0);
    cr_assert_eq(((const uint8_t *)a.children[4]->buffers[0])[0], 0xB7); /* rows 3, 6 null */
    /* Field metadata: int32 count, int32 len + key, int32 len + value, native order. */
    const char *md = s.children[1]->metadata, *json = "{\"ml_attr\":{\"type\":\"nominal\",\"vals\":[\"a\",\"b\"]}}";
    cr_assert_eq(rd32(md), 1);
    cr_assert_eq(rd32(md + 4), 7);
    cr_assert_eq(memcmp(md + 8, "ml_attr", 7), 0);
    cr_assert_eq(rd32(md + 15), strlen(json));
    cr_assert_eq(memcmp(md + 19, json, strlen(json)), 0);
    cr_assert_null(s.children[0]->metadata);
    /* Dense vector: fixed-size list of 3 doubles, one child of length 30 over the column's block. */
    const struct ArrowArray *dv = a.children[7];
    cr_assert_eq(dv->n_children, 1);
    cr_assert_str_eq(s.children[7]->children[0]->format, "g");
    cr_assert_eq(dv->children[0]->length, N * 3);
    cr_assert_eq(dv->children[0]->n_buffers, 2);
    cr_assert_null(dv->children[0]->buffers[0]);
    cr_assert_eq(dv->children[0]->buffers[1], lml_frame_column(f, 7)->vvalues);
    cr_assert_eq(((const uint8_t *)dv->buffers[0])[0], 0x7F);
    /* Sparse vector: Spark's VectorUDT {type int8 = 0, size int32, indices, values as large lists}. */
    const struct ArrowSchema *ss = s.children[8];
    const struct ArrowArray *sv = a.children[8];
    const char *kid_fmt[4] = {"c", "i", "+L", "+L"}, *kid_name[4] = {"type", "size", "indices", "values"};
    for (int k = 0; k < 4; k++) {
        cr_assert_str_eq(ss->children[k]->format, kid_fmt[k]);
        cr_assert_str_eq(ss->children[k]->name, kid_name[k]);
        cr_assert_eq(sv->children[k]->length, N);
    }
    cr_assert_str_eq(ss->children[2]->children[0]->format, "i");
    cr_assert_str_eq(ss->children[3]->children[0]->format, "g");
    for (int r = 0; r < N; r++) {
        cr_assert_eq(((const int8_t *)sv->children[0]->buffers[1])[r], 0);
        cr_assert_eq(((const int32_t *)sv->children[1]->buffers[1])[r], 5);
    }
    cr_assert_eq(sv->children[2]->buffers[1], lml_frame_column(f, 8)->indptr);
    cr_assert_eq(((const int64_t *)sv->children[3]->buffers[1])[4], 5);
    cr_assert_eq(sv->children[2]->children[0]->length, 8);
    cr_assert_eq(((const int32_t *)sv->children[2]->children[0]->buffers[1])[1], 4);
    cr_assert_eq(((const double *)sv->children[3]->children[0]->buffers[1])[2], 3.5);
    cr_assert_eq(((const uint8_t *)sv->buffers[0])[0], 0xEB); /* rows 2, 4 null */
    /* A column without nulls has no validity buffer. */
    lml_column *nn = lml_column_from_doubles((double[]){1, 2}, NULL, 2, NULL);
    struct ArrowSchema s2;
    struct ArrowArray a2;
    cr_assert(lml_arrow_export_column(nn, "x", &s2, &a2, NULL));
    cr_assert_null(a2.buffers[0]);
    cr_assert_eq(a2.null_count, 0);
    cr_assert_str_eq(s2.name, "x");
    s2.release(&s2);
    a2.release(&a2);
    lml_column_free(nn);
    s.release(&s);
    a.release(&a);
    lml_frame_free(f);
}

/* ---------------------------------------------------------------- release semantics */

Test(arrow, exported_array_outlives_the_frame_and_releases_once)
{
    lml_frame *f = sample_frame();
    lml_column *col = lml_column_retain(lml_frame_column(f, 2));
    long before = atomic_load(&col->refs);
    struct ArrowSchema s;
    struct ArrowArray a;
    cr_assert(lml_arrow_export_frame(f, &s, &a, NULL));
    cr_assert_gt(atomic_load(&col->refs), before, "export holds a column reference");
    lml_frame_free(f);
    cr_assert_eq(((const int64_t *)a.children[2]->buffers[1])[1], 1000000000000LL - 3);
    cr_assert_str_eq(s.children[2]->name, "l");
    a.release(&a);
    cr_assert_null(a.release, "release marks the array released");
    s.release(&s);
    cr_assert_null(s.release);
    cr_assert_eq(atomic_load(&col->refs), 1, "only our own reference is left");
    lml_column_free(col);
}

Test(arrow, a_moved_child_survives_its_parents_release)
{
    lml_frame *f = sample_frame();
    struct ArrowSchema s;
    struct ArrowArray a;
    cr_assert(lml_arrow_export_frame(f, &s, &a, NULL));
    lml_frame_free(f);
    /* Move column 8 (the sparse struct) and its schema out, as a consumer may. */
    struct ArrowArray kid = *a.children[8];
    a.children[8]->release = NULL;
    struct ArrowSchema kid_s = *s.children[8];
    s.children[8]->release = NULL;
    a.release(&a);
    s.release(&s);
    cr_assert_eq(((const double *)kid.children[3]->children[0]->buffers[1])[7], 8.0);
    cr_assert_str_eq(kid_s.children[2]->name, "indices");
    /* Then move a grandchild out of the moved child and release in the other order. */
    struct ArrowArray grand = *kid.children[2];
    kid.children[2]->release = NULL;
    kid.release(&kid);
    kid_s.release(&kid_s);
    cr_assert_eq(((const int64_t *)grand.buffers[1])[10], 8);
    grand.release(&grand);
}

/* ---------------------------------------------------------------- hand-built producers */

static int released; /* nodes released by the producer below */

static void t_release(struct ArrowArray *a)
{
    for (int64_t i = 0; i < a->n_children; i++) {
        if (a->children[i] && a->children[i]->release)
            a->children[i]->release(a->children[i]);
        free(a->children[i]);
    }
    free(a->private_data);
    a->release = NULL;
    released++;
}

typedef struct t_priv {
    const void *bufs[3];
    struct ArrowArray *kids[4];
} t_priv;

/* A heap node: length, null_count, offset, n buffers, then children (heap nodes, owned). */
static struct ArrowArray *node(int64_t len, int64_t nulls, int64_t off, int nb, const void *b0, const void *b1,
                               const void *b2, int nk, struct ArrowArray *k0, struct ArrowArray *k1)
{
    t_priv *p = calloc(1, sizeof *p);
    struct ArrowArray *a = calloc(1, sizeof *a);
    p->bufs[0] = b0, p->bufs[1] = b1, p->bufs[2] = b2;
    p->kids[0] = k0, p->kids[1] = k1;
    *a = (struct ArrowArray){len, nulls, off, nb, nk, p->bufs, p->kids, NULL, t_release, p};
    return a;
}
#define LEAF(len, nulls, off, b0, b1) node(len, nulls, off, 2, b0, b1, NULL, 0, NULL, NULL)

/* Moves a heap node onto the stack, as a producer hands an array over. */
static struct ArrowArray mv(struct ArrowArray *p)
{
    struct ArrowArray a = *p;
    free(p);
    return a;
}

/* The root: a struct of one child, moved to the stack as a producer hands it over. */
static struct ArrowArray root1(int64_t len, struct ArrowArray *kid)
{
    return mv(node(len, 0, 0, 1, NULL, NULL, NULL, 1, kid, NULL));
}

static void s_release(struct ArrowSchema *s) { s->release = NULL; }
#define SCHEMA(fmt, nm, nk, kids) ((struct ArrowSchema){fmt, nm, NULL, ARROW_FLAG_NULLABLE, nk, kids, NULL, s_release, NULL})

static _Alignas(64) int32_t i32buf[8] = {10, 11, 12, 13, 14, 15, 16, 17};
static _Alignas(64) uint8_t validity_buf[2] = {0xEF, 0xFF}; /* bit 4 clear */

Test(arrow, import_handles_offsets_in_arrays_validity_strings_and_bools)
{
    /* int32 child with offset 2, read through a struct with offset 1: rows are elements 3..6. */
    struct ArrowSchema kid_s = SCHEMA("i", "x", 0, NULL), *kids[1] = {&kid_s};
    struct ArrowSchema s = SCHEMA("+s", "", 1, kids);
    struct ArrowArray *kid = LEAF(6, -1, 2, validity_buf, i32buf);
    struct ArrowArray a = mv(node(4, 0, 1, 1, NULL, NULL, NULL, 1, kid, NULL));
    released = 0;
    lml_error err = {0};
    lml_frame *f = lml_arrow_import_frame(&s, &a, &err);
    cr_assert_not_null(f, "%s", err.message);
    cr_assert_eq(released, 2, "the copy needed nothing from the array, so it is released at once");
    const lml_column *c = lml_frame_column(f, 0);
    cr_assert_eq(lml_column_length(c), 4);
    cr_assert_eq(lml_column_null_count(c), 1);
    cr_assert(lml_column_is_null(c, 1), "element 4's validity bit is clear");
    cr_assert_eq(lml_column_int32s(c)[0], 13);
    cr_assert_eq(lml_column_int32s(c)[1], 0, "null slots hold 0");
    cr_assert_eq(lml_column_int32s(c)[3], 16);
    cr_assert_eq((uintptr_t)lml_column_int32s(c) % 64, 0);
    lml_frame_free(f);

    /* Strings at offset 1 (offsets not starting at 0) and bools at offset 3. */
    static const int32_t soff[5] = {0, 2, 5, 5, 9};
    static const uint8_t bits[2] = {0x28, 0x00}, bvalid[1] = {0xFB}; /* bits 3, 5 set; row 2 null */
    struct ArrowSchema str_s = SCHEMA("u", "s", 0, NULL);
    struct ArrowArray sa = mv(node(3, 1, 1, 3, bvalid, soff, "abcdefghi", 0, NULL, NULL));
    lml_column *sc = lml_arrow_import_column(&str_s, &sa, &err);
    cr_assert_not_null(sc, "%s", err.message);
    size_t len;
    const char *p = lml_column_string_at(sc, 0, &len);
    cr_assert(len == 3 && memcmp(p, "cde", 3) == 0);
    cr_assert(lml_column_is_null(sc, 1));
    p = lml_column_string_at(sc, 2, &len);
    cr_assert(len == 4 && memcmp(p, "fghi", 4) == 0);
    cr_assert_eq(lml_column_string_offsets(sc)[0], 0);
    lml_column_free(sc);
    struct ArrowSchema b_s = SCHEMA("b", "b", 0, NULL);
    struct ArrowArray ba = mv(node(4, 0, 3, 2, NULL, bits, NULL, 0, NULL, NULL));
    lml_column *bc = lml_arrow_import_column(&b_s, &ba, &err);
    cr_assert_not_null(bc, "%s", err.message);
    cr_assert(lml_column_bool_at(bc, 0) && !lml_column_bool_at(bc, 1) && lml_column_bool_at(bc, 2) &&
              !lml_column_bool_at(bc, 3));
    lml_column_free(bc);
}

Test(arrow, zero_copy_import_keeps_the_array_until_the_last_column_goes)
{
    static _Alignas(64) int64_t vals[4] = {5, 6, 7, 8};
    struct ArrowSchema k0 = SCHEMA("l", "a", 0, NULL), k1 = SCHEMA("l", "b", 0, NULL), *kids[2] = {&k0, &k1};
    struct ArrowSchema s = SCHEMA("+s", "", 2, kids);
    /* Column b starts one element in: it is unaligned and so copied. */
    struct ArrowArray a =
        mv(node(3, 0, 0, 1, NULL, NULL, NULL, 2, LEAF(3, 0, 0, NULL, vals), LEAF(3, 0, 0, NULL, vals + 1)));
    released = 0;
    lml_frame *f = lml_arrow_import_frame(&s, &a, NULL);
    cr_assert_not_null(f);
    cr_assert_eq(lml_column_int64s(lml_frame_column(f, 0)), vals, "aligned, offset 0: zero copy");
    cr_assert_neq(lml_column_int64s(lml_frame_column(f, 1)), vals + 1, "unaligned: copied");
    cr_assert_eq(lml_column_int64s(lml_frame_column(f, 1))[2], 8);
    lml_column *keep = lml_column_retain(lml_frame_column(f, 0));
    lml_frame_free(f);
    cr_assert_eq(released, 0, "a column still uses the array");
    cr_assert_eq(lml_column_int64s(keep)[2], 7);
    lml_column_free(keep);
    cr_assert_eq(released, 3, "root and both children released exactly once");
}

Test(arrow, import_converts_narrow_types_and_other_time_units)
{
    static const int8_t i8[3] = {-5, 0, 127};
    static const uint16_t u16[3] = {65535, 1, 2};
    static const float f32[3] = {1.5f, -0.25f, 3e38f};
    static const int64_t ms[3] = {1500, -1, 86400000};
    static const int64_t ns[3] = {-1500, 999, 2000};
    static const int64_t sec[3] = {2, -3, 9223372036855LL}; /* the last overflows µs */
    static const int64_t big_off[4] = {0, 1, 3, 6};
    lml_error err = {0};
    struct {
        const char *fmt;
        const void *buf;
        lml_type type;
        int64_t want[3];
    } cases[] = {
        {"c", i8, LML_INT8, {-5, 0, 127}}, /* Spark's byte */
        {"S", u16, LML_INT32, {65535, 1, 2}},
        {"tsm:", ms, LML_TIMESTAMP_NTZ, {1500000, -1000, 86400000000LL}}, /* no zone: a wall clock */
        {"tsn:America/New_York", ns, LML_TIMESTAMP, {-2, 0, 2}},
        {"tdm", ms, LML_DATE, {0, -1, 1}},
        {"tss:UTC", sec, LML_TIMESTAMP, {2000000, -3000000, 0}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        struct ArrowSchema s = SCHEMA(cases[k].fmt, "x", 0, NULL);
        struct ArrowArray a = mv(LEAF(k == 5 ? 2 : 3, 0, 0, NULL, cases[k].buf));
        lml_column *c = lml_arrow_import_column(&s, &a, &err);
        cr_assert_not_null(c, "%s: %s", cases[k].fmt, err.message);
        cr_assert_eq(lml_column_type(c), cases[k].type, "%s", cases[k].fmt);
        for (size_t i = 0; i < lml_column_length(c); i++) {
            bool wide = cases[k].type == LML_TIMESTAMP || cases[k].type == LML_TIMESTAMP_NTZ;
            int64_t got = wide                           ? lml_column_int64s(c)[i]
                          : cases[k].type == LML_INT8    ? lml_column_int8s(c)[i]
                                                         : lml_column_int32s(c)[i];
            cr_assert_eq(got, cases[k].want[i], "%s row %zu: %lld", cases[k].fmt, i, (long long)got);
        }
        lml_column_free(c);
    }
    struct ArrowSchema s = SCHEMA("tss:", "when", 0, NULL);
    struct ArrowArray a = mv(LEAF(3, 0, 0, NULL, sec));
    cr_assert_null(lml_arrow_import_column(&s, &a, &err));
    cr_assert_eq(err.code, LML_ERANGE);
    cr_assert(strstr(err.message, "'when'") && strstr(err.message, "row 2"), "%s", err.message);
    struct ArrowSchema fs = SCHEMA("f", "x", 0, NULL);
    struct ArrowArray fa = mv(LEAF(3, 0, 0, NULL, f32));
    lml_column *fc = lml_arrow_import_column(&fs, &fa, &err);
    cr_assert_eq(lml_column_type(fc), LML_FLOAT); /* Spark's float, kept as binary32 */
    cr_assert_eq(lml_column_floats(fc)[1], -0.25f);
    cr_assert_eq(lml_column_floats(fc)[2], 3e38f);
    lml_column_free(fc);
    struct ArrowSchema us = SCHEMA("U", "x", 0, NULL);
    struct ArrowArray ua = mv(node(2, 0, 1, 3, NULL, big_off, "abcdef", 0, NULL, NULL));
    lml_column *uc = lml_arrow_import_column(&us, &ua, &err);
    size_t len;
    cr_assert_eq(memcmp(lml_column_string_at(uc, 1, &len), "def", 3), 0);
    cr_assert_eq(len, 3);
    lml_column_free(uc);
}

/* ---------------------------------------------------------------- bad structures */

static void expect_rejected(const struct ArrowSchema *s, struct ArrowArray a, int nodes, lml_errcode code,
                            const char *needle)
{
    lml_error err = {0};
    released = 0;
    lml_frame *f = lml_arrow_import_frame(s, &a, &err);
    cr_assert_null(f, "expected failure (%s)", needle);
    cr_assert_eq(err.code, code, "%s: got %s: %s", needle, lml_errcode_name(err.code), err.message);
    cr_assert(strstr(err.message, needle), "message '%s' lacks '%s'", err.message, needle);
    cr_assert_null(a.release);
    cr_assert_eq(released, nodes, "%s: the array is released exactly once, also on failure", needle);
}

Test(arrow, bad_structures_are_errors_not_crashes)
{
    static const int32_t desc_off[4] = {0, 3, 2, 4}, neg_off[2] = {-1, 0};
    static const int64_t huge_off[3] = {0, 1, 3000000000LL};
    struct ArrowSchema xi = SCHEMA("i", "x", 0, NULL), *ki[1] = {&xi}, si = SCHEMA("+s", "", 1, ki);
    struct ArrowSchema xu = SCHEMA("u", "x", 0, NULL), *ku[1] = {&xu}, su = SCHEMA("+s", "", 1, ku);
    expect_rejected(&si, root1(3, node(3, 0, 0, 3, NULL, i32buf, i32buf, 0, NULL, NULL)), 2, LML_EFORMAT, "3 buffers");
    expect_rejected(&si, root1(3, LEAF(-1, 0, 0, NULL, i32buf)), 2, LML_EFORMAT, "bad length -1");
    expect_rejected(&si, root1(3, LEAF(2, 0, 0, NULL, i32buf)), 2, LML_EFORMAT, "array of length 2");
    expect_rejected(&si, root1(3, LEAF(3, 4, 0, NULL, i32buf)), 2, LML_EFORMAT, "null count 4");
    expect_rejected(&si, root1(3, LEAF(3, 1, 0, NULL, i32buf)), 2, LML_EFORMAT, "no validity bitmap");
    expect_rejected(&si, root1(3, LEAF(3, 0, 0, NULL, NULL)), 2, LML_EFORMAT, "buffer 1 is NULL");
    expect_rejected(&si, root1(3, LEAF(3, 0, INT64_MAX, NULL, i32buf)), 2, LML_EFORMAT, "rows");
    expect_rejected(&si, root1(3, NULL), 1, LML_EFORMAT, "NULL or released");
    expect_rejected(&su, root1(3, node(3, 0, 0, 3, NULL, desc_off, "abcd", 0, NULL, NULL)), 2, LML_EFORMAT,
                    "goes backwards");
    struct ArrowSchema xU = SCHEMA("U", "big", 0, NULL), *kU[1] = {&xU}, sU = SCHEMA("+s", "", 1, kU);
    expect_rejected(&sU, root1(2, node(2, 0, 0, 3, NULL, huge_off, "ab", 0, NULL, NULL)), 2, LML_ERANGE, "2 GiB");
    expect_rejected(&su, root1(1, node(1, 0, 0, 3, NULL, neg_off, "ab", 0, NULL, NULL)), 2, LML_EFORMAT,
                    "outside 0..");
    struct ArrowSchema two = SCHEMA("+s", "", 2, ((struct ArrowSchema *[]){&xi, &xi}));
    expect_rejected(&two, root1(3, LEAF(3, 0, 0, NULL, i32buf)), 2, LML_EFORMAT, "the schema has 2 children");
    struct ArrowSchema z = SCHEMA("z", "blob", 0, NULL), *kz[1] = {&z}, sz = SCHEMA("+s", "", 1, kz);
    /* Binary and maps are lakeml types now: bad offsets and a childless map are format errors. */
    expect_rejected(&sz, root1(3, node(3, 0, 0, 3, NULL, desc_off, "ab", 0, NULL, NULL)), 2, LML_EFORMAT,
                    "field 'blob' (format 'z'): offset 2 at row 2 goes backwards");
    struct ArrowSchema m = SCHEMA("+m", "map", 0, NULL), *km[1] = {&m}, sm = SCHEMA("+s", "", 1, km);
    expect_rejected(&sm, root1(3, LEAF(3, 0, 0, NULL, i32buf)), 2, LML_EFORMAT,
                    "field 'map' (format '+m'): 0 children");
    struct ArrowSchema dict_vals = SCHEMA("u", "", 0, NULL), d = SCHEMA("i", "cat", 0, NULL);
    d.dictionary = &dict_vals;
    struct ArrowSchema *kd[1] = {&d}, sd = SCHEMA("+s", "", 1, kd);
    expect_rejected(&sd, root1(3, LEAF(3, 0, 0, NULL, i32buf)), 2, LML_EUNSUPPORTED, "dictionary");
    struct ArrowSchema w = SCHEMA("+w:x", "v", 0, NULL), *kw[1] = {&w}, sw = SCHEMA("+s", "", 1, kw);
    expect_rejected(&sw, root1(3, node(3, 0, 0, 1, NULL, NULL, NULL, 0, NULL, NULL)), 2, LML_EFORMAT, "'+w:x'");
    /* The frame itself must be a struct. */
    expect_rejected(&xi, mv(LEAF(3, 0, 0, NULL, i32buf)), 1, LML_EINVAL, "format 'i'");
    /* Metadata with a negative pair count. */
    static const char bad_md[4] = {(char)0xFF, (char)0xFF, (char)0xFF, (char)0xFF};
    struct ArrowSchema xm = SCHEMA("i", "x", 0, NULL), *kxm[1] = {&xm}, sxm = SCHEMA("+s", "", 1, kxm);
    xm.metadata = bad_md;
    expect_rejected(&sxm, root1(3, LEAF(3, 0, 0, NULL, i32buf)), 2, LML_EFORMAT, "-1 key/value pairs");
    /* A released array is refused without being touched. */
    struct ArrowArray gone = {0};
    lml_error err = {0};
    cr_assert_null(lml_arrow_import_frame(&si, &gone, &err));
    cr_assert_eq(err.code, LML_EINVAL);
}

/* Spark's VectorUDT rows as another producer (pyarrow from Spark) would write them. */
Test(arrow, imports_spark_vector_structs_and_rejects_inconsistent_ones)
{
    static const int8_t types[3] = {0, 1, 0};
    static const int32_t sizes[3] = {4, 0, 4};
    static const int32_t ioff[4] = {0, 2, 2, 3}, voff[4] = {0, 2, 6, 7}, idx[3] = {1, 3, 0};
    static const int32_t bad_idx[3] = {3, 1, 0};
    static const double vals[7] = {1, 2, 9, 8, 7, 6, 5};
    static const uint8_t sz_valid[1] = {0x05}; /* size null for the dense row, as Spark writes it */
    struct ArrowSchema ie = SCHEMA("i", "element", 0, NULL), ve = SCHEMA("g", "element", 0, NULL);
    struct ArrowSchema t = SCHEMA("c", "type", 0, NULL), sz = SCHEMA("i", "size", 0, NULL);
    struct ArrowSchema il = SCHEMA("+l", "indices", 1, ((struct ArrowSchema *[]){&ie}));
    struct ArrowSchema vl = SCHEMA("+l", "values", 1, ((struct ArrowSchema *[]){&ve}));
    struct ArrowSchema vec = SCHEMA("+s", "features", 4, ((struct ArrowSchema *[]){&t, &sz, &il, &vl}));
    for (int bad = 0; bad < 3; bad++) {
        const int32_t *ix = bad == 1 ? bad_idx : idx;
        struct ArrowArray *kids[4] = {
            LEAF(3, 0, 0, NULL, types), LEAF(3, 1, 0, sz_valid, sizes),
            node(3, 0, 0, 2, NULL, ioff, NULL, 1, LEAF(3, 0, 0, NULL, ix), NULL),
            node(3, 0, 0, 2, NULL, voff, NULL, 1, LEAF(7, 0, 0, NULL, vals), NULL),
        };
        t_priv *p = calloc(1, sizeof *p);
        memcpy(p->kids, kids, sizeof kids);
        p->bufs[0] = NULL;
        struct ArrowArray a = {bad == 2 ? 2 : 3, 0, 0, 1, 4, p->bufs, p->kids, NULL, t_release, p};
        if (bad == 2)
            a.offset = 1; /* rows 1..2: the dense row then a sparse one */
        lml_error err = {0};
        released = 0;
        lml_column *c = lml_arrow_import_column(&vec, &a, &err);
        cr_assert_eq(released, 7);
        if (bad == 1) {
            cr_assert_null(c);
            cr_assert_eq(err.code, LML_EFORMAT);
            cr_assert(strstr(err.message, "out of order"), "%s", err.message);
            continue;
        }
        cr_assert_not_null(c, "%s", err.message);
        cr_assert(lml_column_vector_is_sparse(c));
        cr_assert_eq(lml_column_vector_size(c), 4);
        const int64_t *ip = lml_column_vector_indptr(c);
        if (bad == 0) {
            static const int64_t want_ip[4] = {0, 2, 6, 7};
            static const int32_t want_ix[7] = {1, 3, 0, 1, 2, 3, 0};
            cr_assert_eq(memcmp(ip, want_ip, sizeof want_ip), 0);
            cr_assert_eq(memcmp(lml_column_vector_indices(c), want_ix, sizeof want_ix), 0);
            cr_assert_eq(memcmp(lml_column_vector_values(c), vals, sizeof vals), 0);
        } else {
            cr_assert_eq(lml_column_length(c), 2);
            cr_assert_eq(ip[1], 4);
            cr_assert_eq(ip[2], 5);
            cr_assert_eq(lml_column_vector_values(c)[4], 5.0);
        }
        lml_column_free(c);
    }
    /* A dense row of a different size than the sparse rows cannot live in one lakeml column. */
    static const int32_t voff2[4] = {0, 2, 5, 6};
    struct ArrowArray *kids[4] = {
        LEAF(3, 0, 0, NULL, types), LEAF(3, 1, 0, sz_valid, sizes),
        node(3, 0, 0, 2, NULL, ioff, NULL, 1, LEAF(3, 0, 0, NULL, idx), NULL),
        node(3, 0, 0, 2, NULL, voff2, NULL, 1, LEAF(7, 0, 0, NULL, vals), NULL),
    };
    t_priv *p = calloc(1, sizeof *p);
    memcpy(p->kids, kids, sizeof kids);
    struct ArrowArray a = {3, 0, 0, 1, 4, p->bufs, p->kids, NULL, t_release, p};
    lml_error err = {0};
    cr_assert_null(lml_arrow_import_column(&vec, &a, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
    cr_assert(strstr(err.message, "size 3") && strstr(err.message, "'features'"), "%s", err.message);
}

Test(arrow, dense_vectors_with_an_offset_are_copied_and_empty_arrays_need_no_buffers)
{
    static _Alignas(64) double el[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    static const uint8_t valid[1] = {0x0B}; /* list rows 0, 1, 3 present, row 2 null */
    struct ArrowSchema g = SCHEMA("g", "item", 0, NULL), w = SCHEMA("+w:3", "v", 1, ((struct ArrowSchema *[]){&g}));
    struct ArrowArray a = mv(node(3, 1, 1, 1, valid, NULL, NULL, 1, LEAF(12, 0, 0, NULL, el), NULL));
    lml_error err = {0};
    lml_column *c = lml_arrow_import_column(&w, &a, &err);
    cr_assert_not_null(c, "%s", err.message);
    cr_assert_eq(lml_column_vector_size(c), 3);
    cr_assert_neq(lml_column_vector_dense(c), el + 3, "offset 1: copied");
    cr_assert_eq(lml_column_vector_dense(c)[0], 3.0);
    cr_assert(lml_column_is_null(c, 1));
    cr_assert_eq(lml_column_vector_dense(c)[4], 0.0, "the null row is zero-filled");
    cr_assert_eq(lml_column_vector_dense(c)[8], 11.0);
    lml_column_free(c);
    /* Producers may leave the buffers of an empty array out. */
    struct ArrowSchema i = SCHEMA("i", "x", 0, NULL), u = SCHEMA("u", "s", 0, NULL), *ks[2] = {&i, &u};
    struct ArrowSchema s = SCHEMA("+s", "", 2, ks);
    struct ArrowArray e = mv(node(0, 0, 0, 1, NULL, NULL, NULL, 2, LEAF(0, 0, 0, NULL, NULL),
                                  node(0, 0, 0, 3, NULL, NULL, NULL, 0, NULL, NULL)));
    lml_frame *f = lml_arrow_import_frame(&s, &e, &err);
    cr_assert_not_null(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(f), 0);
    cr_assert_eq(lml_column_type(lml_frame_column(f, 1)), LML_STRING);
    struct ArrowSchema s2;
    struct ArrowArray a2;
    cr_assert(lml_arrow_export_frame(f, &s2, &a2, NULL));
    cr_assert_eq(a2.children[1]->length, 0);
    cr_assert_eq(((const int32_t *)a2.children[1]->buffers[1])[0], 0, "an empty string array still has offsets[0]");
    lml_frame_free(f);
    s2.release(&s2);
    a2.release(&a2);
}

Test(arrow, vector_struct_list_offsets_past_their_elements_are_rejected)
{
    static const int8_t types[1] = {0};
    static const int32_t sizes[1] = {4}, off[2] = {0, 9}, idx[2] = {0, 1};
    static const double vals[2] = {1, 2};
    struct ArrowSchema ie = SCHEMA("i", "element", 0, NULL), ve = SCHEMA("g", "element", 0, NULL);
    struct ArrowSchema t = SCHEMA("c", "type", 0, NULL), sz = SCHEMA("i", "size", 0, NULL);
    struct ArrowSchema il = SCHEMA("+l", "indices", 1, ((struct ArrowSchema *[]){&ie}));
    struct ArrowSchema vl = SCHEMA("+l", "values", 1, ((struct ArrowSchema *[]){&ve}));
    struct ArrowSchema vec = SCHEMA("+s", "features", 4, ((struct ArrowSchema *[]){&t, &sz, &il, &vl}));
    t_priv *p = calloc(1, sizeof *p);
    p->kids[0] = LEAF(1, 0, 0, NULL, types);
    p->kids[1] = LEAF(1, 0, 0, NULL, sizes);
    p->kids[2] = node(1, 0, 0, 2, NULL, off, NULL, 1, LEAF(2, 0, 0, NULL, idx), NULL);
    p->kids[3] = node(1, 0, 0, 2, NULL, off, NULL, 1, LEAF(2, 0, 0, NULL, vals), NULL);
    struct ArrowArray a = {1, 0, 0, 1, 4, p->bufs, p->kids, NULL, t_release, p};
    lml_error err = {0};
    released = 0;
    cr_assert_null(lml_arrow_import_column(&vec, &a, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "offset 9 at row 1 goes backwards or past 2"), "%s", err.message);
    cr_assert_eq(released, 7);
}

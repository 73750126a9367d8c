/* Record assembly (spec §5): definition/repetition levels + stored values → Arrow-layout frame
 * columns, for primitives, structs, lists (3-level and legacy), maps and bare repeated fields.
 *
 * Method: every output column is built in a "context" (R, D) = the repetition and definition
 * level of the innermost enclosing list element (0, 0 at the top). Its rows ("slots") are the
 * entries e of any leaf below it with r_e <= R and d_e >= D: one per row of the enclosing
 * element, whether or not the node itself is present there. A node is non-null at a slot iff
 * d_e >= def_at(node). A list opens a new context (rep_at(repeated), def_at(repeated)); its
 * element slots between two of its own slots give the offsets. Leaves below one node describe
 * the same structure, so each child is built from its own leaf and the lengths must agree. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../frame/internal.h"
#include "column.h"

typedef struct asm_ctx {
    const lml_pq_schema *s;
    const lml_pq_rchunk *chunks;
    const char *what;
} asm_ctx;

static inline uint32_t lv_r(const lml_pq_rchunk *c, size_t e) { return c->rep ? c->rep[e] : 0; }
static inline uint32_t lv_d(const lml_pq_rchunk *c, size_t e) { return c->def ? c->def[e] : 0; }

size_t lml_pq_rchunk_rows(const lml_pq_rchunk *c, size_t from) {
    if (!c->rep) return c->num_levels - from;
    size_t n = 0;
    for (size_t e = from; e < c->num_levels; e++) n += c->rep[e] == 0;
    return n;
}

static bool bad(const asm_ctx *a, const lml_pq_node *nd, lml_error *err, const char *why) {
    return lml_error_set(err, LML_EFORMAT, "%s: column '%s': %s", a->what, nd->path ? nd->path : "(root)", why);
}

static int first_leaf(const lml_pq_schema *s, int node) {
    for (size_t j = (size_t)node; j < s->num_nodes; j++) {
        if (!s->nodes[j].is_leaf) continue;
        for (int p = (int)j; p >= 0; p = s->nodes[p].parent)
            if (p == node) return s->nodes[j].leaf_index;
        return -1;
    }
    return -1;
}

static int child_at(const lml_pq_schema *s, int node, size_t k) {
    for (size_t j = (size_t)node + 1; j < s->num_nodes; j++)
        if (s->nodes[j].parent == node && k-- == 0) return (int)j;
    return -1;
}

static int rep_of(const lml_pq_node *nd) { return nd->el->has_repetition ? nd->el->repetition : LML_PQ_REQUIRED; }

static bool is_list_group(const lml_pq_node *nd) {
    return nd->el->logical.kind == LML_PQ_LT_LIST ||
           (nd->el->has_converted_type && nd->el->converted_type == LML_PQ_CT_LIST);
}
static bool is_map_group(const lml_pq_node *nd) {
    return nd->el->logical.kind == LML_PQ_LT_MAP ||
           (nd->el->has_converted_type &&
            (nd->el->converted_type == LML_PQ_CT_MAP || nd->el->converted_type == LML_PQ_CT_MAP_KEY_VALUE));
}

static lml_column *build(const asm_ctx *a, int node, bool as_element, uint32_t R, uint32_t D, lml_error *err);

/* ---- primitives */

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

static double half_to_double(uint16_t h) {
    int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(m + 1024, e - 25);
    return (h & 0x8000) ? -v : v;
}

/* Big-endian two's complement unscaled integer → double. */
static double be_decimal(const uint8_t *p, size_t n) {
    if (n == 0) return 0;
    bool neg = p[0] & 0x80;
    double v = 0;
    /* Negate byte-wise (two's complement) so large magnitudes keep double precision. */
    int carry = 1;
    uint8_t tmp[64];
    for (size_t i = n; i-- > 0;) {
        uint8_t b = p[i];
        if (neg) {
            int x = (uint8_t)~b + carry;
            carry = x >> 8;
            b = (uint8_t)x;
        }
        if (n - 1 - i < sizeof tmp) tmp[n - 1 - i] = b;
    }
    if (n > sizeof tmp) return NAN;
    for (size_t i = n; i-- > 0;) v = v * 256.0 + tmp[i];
    return neg ? -v : v;
}

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

/* Decimal value k as 16 little-endian two's-complement bytes (Arrow decimal128), checked to
 * have at most `precision` digits. */
static bool put_decimal(const asm_ctx *a, const lml_pq_rleaf *lf, const lml_pq_rchunk *c, size_t k, uint8_t *out,
                        lml_error *err) {
    i128 v = 0;
    if (lf->physical == LML_PQ_INT32 || lf->physical == LML_PQ_INT64) {
        v = lf->physical == LML_PQ_INT32 ? (int32_t)le32(c->fixed + k * 4) : (int64_t)le64(c->fixed + k * 8);
    } else {
        const uint8_t *p = c->width ? c->fixed + k * c->width : c->bytes + c->off[k];
        size_t n = c->width ? c->width : (size_t)(c->off[k + 1] - c->off[k]);
        uint8_t sign = n && (p[0] & 0x80) ? 0xff : 0;
        /* Bytes beyond 16 may only repeat the sign. */
        for (size_t i = 0; n > 16 && i < n - 16; i++)
            if (p[i] != sign) goto range;
        if (n > 16 && ((p[n - 16] & 0x80) ? 0xff : 0) != sign) goto range;
        u128 u = sign ? ~(u128)0 : 0;
        for (size_t i = n > 16 ? n - 16 : 0; i < n; i++) u = (u << 8) | p[i];
        v = (i128)u;
    }
    u128 mag = v < 0 ? -(u128)v : (u128)v, lim = 1;
    for (int i = 0; i < lf->precision; i++) lim *= 10;
    if (mag >= lim) goto range;
    for (int i = 0; i < 16; i++) out[i] = (uint8_t)((u128)v >> (8 * i));
    return true;
range:
    return lml_error_set(err, LML_ERANGE, "%s: column '%s': decimal value %zu has more than %d digits", a->what, lf->path,
                         k, lf->precision);
}

/* Writes value k of the chunk into row `row` of col; false on a value outside the frame type. */
static bool put_value(const asm_ctx *a, const lml_pq_rleaf *lf, const lml_pq_rchunk *c, size_t k, lml_column *col,
                      size_t row, int32_t *str_pos, lml_error *err) {
    const uint8_t *fx = c->width ? c->fixed + k * c->width : NULL;
    switch (lf->conv) {
    case LML_PQ_CONV_BOOL:
        if (fx[0]) lml_bit_set(col->values, row);
        return true;
    case LML_PQ_CONV_I32: ((int32_t *)col->values)[row] = (int32_t)le32(fx); return true;
    case LML_PQ_CONV_I8: case LML_PQ_CONV_I16: case LML_PQ_CONV_U8: case LML_PQ_CONV_U16: {
        int64_t v = lf->conv == LML_PQ_CONV_I8 || lf->conv == LML_PQ_CONV_I16 ? (int64_t)(int32_t)le32(fx)
                                                                               : (int64_t)le32(fx);
        int64_t lo = lf->conv == LML_PQ_CONV_I8 ? INT8_MIN : lf->conv == LML_PQ_CONV_I16 ? INT16_MIN : 0;
        int64_t hi = lf->conv == LML_PQ_CONV_I8 ? INT8_MAX : lf->conv == LML_PQ_CONV_I16 ? INT16_MAX
                   : lf->conv == LML_PQ_CONV_U8 ? UINT8_MAX : UINT16_MAX;
        if (v < lo || v > hi)
            return lml_error_set(err, LML_ERANGE, "%s: column '%s': value %lld outside its %d-bit annotation", a->what,
                                 lf->path, (long long)v, lf->conv == LML_PQ_CONV_I8 || lf->conv == LML_PQ_CONV_U8 ? 8 : 16);
        if (lf->type == LML_INT8) ((int8_t *)col->values)[row] = (int8_t)v;
        else if (lf->type == LML_INT16) ((int16_t *)col->values)[row] = (int16_t)v;
        else ((int32_t *)col->values)[row] = (int32_t)v;
        return true;
    }
    case LML_PQ_CONV_U32: ((int64_t *)col->values)[row] = (int64_t)le32(fx); return true;
    case LML_PQ_CONV_I64: ((int64_t *)col->values)[row] = (int64_t)le64(fx); return true;
    case LML_PQ_CONV_U64: /* decimal(20,0): the unsigned value is the unscaled integer */
        memcpy((uint8_t *)col->values + row * 16, fx, 8);
        return true;
    case LML_PQ_CONV_TS_MILLIS: {
        int64_t v = (int64_t)le64(fx), us;
        if (__builtin_mul_overflow(v, 1000, &us))
            return lml_error_set(err, LML_ERANGE, "%s: column '%s': timestamp %lld ms out of range", a->what, lf->path,
                                 (long long)v);
        ((int64_t *)col->values)[row] = us;
        return true;
    }
    case LML_PQ_CONV_TS_MICROS: ((int64_t *)col->values)[row] = (int64_t)le64(fx); return true;
    case LML_PQ_CONV_TS_NANOS: {
        int64_t v = (int64_t)le64(fx), q = v / 1000;
        ((int64_t *)col->values)[row] = (v % 1000 < 0) ? q - 1 : q; /* floor, as Spark truncates to µs */
        return true;
    }
    case LML_PQ_CONV_INT96: {
        /* nanoseconds within the day (i64 LE) + Julian day (i32 LE); epoch = Julian day 2440588.
         * Spark computes (day - epoch) * µs_per_day + nanos / 1000 in wrapping 64-bit arithmetic,
         * and writes values beyond the int64 nanosecond range that way, so read them the same
         * way (int96_from_spark.parquet's year-290000 row). */
        int64_t nanos = (int64_t)le64(fx);
        int64_t day = (int32_t)le32(fx + 8);
        uint64_t us = (uint64_t)(day - 2440588) * 86400000000ull + (uint64_t)(nanos / 1000);
        ((int64_t *)col->values)[row] = (int64_t)us;
        return true;
    }
    case LML_PQ_CONV_FLOAT: memcpy((float *)col->values + row, fx, 4); return true;
    case LML_PQ_CONV_DOUBLE: memcpy((double *)col->values + row, fx, 8); return true;
    case LML_PQ_CONV_FLOAT16: ((float *)col->values)[row] = (float)half_to_double((uint16_t)(fx[0] | fx[1] << 8)); return true;
    case LML_PQ_CONV_DECIMAL:
        return put_decimal(a, lf, c, k, (uint8_t *)col->values + row * 16, err);
    case LML_PQ_CONV_DECIMAL_DOUBLE: {
        double v;
        if (lf->physical == LML_PQ_INT32) v = (int32_t)le32(fx);
        else if (lf->physical == LML_PQ_INT64) v = (double)(int64_t)le64(fx);
        else if (fx) v = be_decimal(fx, c->width);
        else v = be_decimal(c->bytes + c->off[k], (size_t)(c->off[k + 1] - c->off[k]));
        ((double *)col->values)[row] = v / pow(10.0, lf->scale);
        return true;
    }
    case LML_PQ_CONV_UUID: {
        char *dst = (char *)col->values + *str_pos;
        static const char hex[] = "0123456789abcdef";
        for (int i = 0, o = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) dst[o++] = '-';
            dst[o++] = hex[fx[i] >> 4];
            dst[o++] = hex[fx[i] & 15];
        }
        *str_pos += 36;
        col->offsets[row + 1] = *str_pos;
        return true;
    }
    case LML_PQ_CONV_BYTES: {
        const uint8_t *src = fx ? fx : c->bytes + c->off[k];
        size_t n = fx ? c->width : (size_t)(c->off[k + 1] - c->off[k]);
        memcpy((char *)col->values + *str_pos, src, n);
        *str_pos += (int32_t)n;
        col->offsets[row + 1] = *str_pos;
        return true;
    }
    case LML_PQ_CONV_NULL: return true;
    }
    return true;
}

static size_t value_bytes(const lml_pq_rleaf *lf, const lml_pq_rchunk *c, size_t k) {
    if (lf->conv == LML_PQ_CONV_UUID) return 36;
    if (lf->conv != LML_PQ_CONV_BYTES) return 0;
    return c->width ? c->width : (size_t)(c->off[k + 1] - c->off[k]);
}

static lml_column *build_primitive(const asm_ctx *a, const lml_pq_rleaf *lf, uint32_t R, uint32_t D, lml_error *err) {
    if (lf->unsupported) {
        lml_error_set(err, LML_EUNSUPPORTED, "%s: column '%s': %s", a->what, lf->path, lf->unsupported);
        return NULL;
    }
    const lml_pq_rchunk *c = &a->chunks[lf - a->s->leaves];
    uint32_t maxd = (uint32_t)lf->max_def;
    size_t n = 0, bytes = 0, k = 0;
    for (size_t e = 0; e < c->num_levels; e++) {
        bool has = lv_d(c, e) == maxd;
        if (lv_r(c, e) <= R && lv_d(c, e) >= D) n++;
        if (has) {
            if (k >= c->num_values) break;
            bytes += lf->conv == LML_PQ_CONV_NULL ? 0 : value_bytes(lf, c, k);
            k++;
        }
    }
    if (k != c->num_values || bytes > INT32_MAX) {
        lml_error_set(err, k != c->num_values ? LML_EFORMAT : LML_ERANGE,
                      "%s: column '%s': %zu stored values for %zu defined entries (or over 2 GiB of bytes)", a->what,
                      lf->path, c->num_values, k);
        return NULL;
    }
    bool nullable = maxd > D || lf->conv == LML_PQ_CONV_NULL;
    lml_column *col = lml_column_alloc(lf->type, n, bytes, nullable, err);
    if (!col) return NULL;
    if (lf->type == LML_DECIMAL) {
        col->precision = lf->precision;
        col->scale = lf->scale;
    }
    int32_t pos = 0;
    size_t row = 0;
    k = 0;
    for (size_t e = 0; e < c->num_levels; e++) {
        uint32_t d = lv_d(c, e);
        bool slot = lv_r(c, e) <= R && d >= D;
        if (d == maxd) {
            if (slot && lf->conv != LML_PQ_CONV_NULL) {
                if (!put_value(a, lf, c, k, col, row, &pos, err)) {
                    lml_column_free(col);
                    return NULL;
                }
                if (col->validity) lml_bit_set(col->validity, row);
            }
            k++;
        }
        if (slot) {
            if (col->offsets) col->offsets[row + 1] = pos;
            row++;
        }
    }
    return lml_column_seal(col);
}

/* ---- lists and maps */

/* Offsets and validity of a list whose node's slots are (R, D) in leaf chunk c: null below
 * def_list, empty below def_elem, elements at entries with r <= R_elem and d >= def_elem. */
static bool list_layout(const asm_ctx *a, const lml_pq_node *nd, const lml_pq_rchunk *c, uint32_t R, uint32_t D,
                        uint32_t def_list, uint32_t R_elem, uint32_t def_elem, int32_t **offsets, uint8_t **validity,
                        size_t *n_out, lml_error *err) {
    size_t n = 0;
    for (size_t e = 0; e < c->num_levels; e++) n += lv_r(c, e) <= R && lv_d(c, e) >= D;
    *offsets = calloc(n + 1, sizeof(int32_t));
    *validity = calloc(lml_bitmap_bytes(n) + 1, 1);
    if (!*offsets || !*validity) return lml_error_set(err, LML_ENOMEM, "out of memory");
    size_t row = 0;
    int64_t count = 0;
    for (size_t e = 0; e < c->num_levels; e++) {
        uint32_t r = lv_r(c, e), d = lv_d(c, e);
        if (r <= R && d >= D) {
            if (row > 0) (*offsets)[row] = (int32_t)count;
            if (d >= def_list) lml_bit_set(*validity, row);
            row++;
        }
        if (r <= R_elem && d >= def_elem) {
            if (row == 0) return bad(a, nd, err, "list element outside any list");
            if (++count > INT32_MAX) return bad(a, nd, err, "more than 2^31 list elements");
        }
    }
    (*offsets)[n] = (int32_t)count;
    *n_out = n;
    return true;
}

static bool same_len(const asm_ctx *a, const lml_pq_node *nd, const lml_column *child, size_t want, lml_error *err) {
    if (child && child->length != want) {
        char why[96];
        snprintf(why, sizeof why, "levels disagree between leaves (%zu vs %zu entries)", child->length, want);
        return bad(a, nd, err, why);
    }
    return true;
}

/* Element node of a LIST-annotated group per spec §5.4; *elem_is_rep when the repeated node
 * itself is the element. */
static int list_element(const lml_pq_schema *s, int g, int rn, bool *elem_is_rep) {
    const lml_pq_node *r = &s->nodes[rn];
    *elem_is_rep = true;
    if (r->is_leaf || r->num_children != 1) return rn;
    int only = child_at(s, rn, 0);
    const lml_pq_node *o = &s->nodes[only];
    const char *gname = s->nodes[g].el->name, *rname = r->el->name;
    size_t gl = strlen(gname);
    bool tuple = strncmp(rname, gname, gl) == 0 && strcmp(rname + gl, "_tuple") == 0;
    if (rep_of(o) == LML_PQ_REPEATED || strcmp(rname, "array") == 0 || tuple) return rn;
    *elem_is_rep = false;
    return only;
}

static lml_column *build_list(const asm_ctx *a, int g, int rn, int elem, bool elem_is_rep, uint32_t R, uint32_t D,
                              uint32_t def_list, bool is_map, lml_error *err) {
    const lml_pq_node *nd = &a->s->nodes[g], *rnode = &a->s->nodes[rn];
    int lf = first_leaf(a->s, rn);
    if (lf < 0) {
        lml_error_set(err, LML_EUNSUPPORTED, "%s: column '%s': a group without leaf columns", a->what, nd->path);
        return NULL;
    }
    int32_t *off = NULL;
    uint8_t *val = NULL;
    size_t n = 0;
    lml_column *out = NULL, *child = NULL, *keys = NULL, *vals = NULL;
    uint32_t Re = (uint32_t)rnode->rep_level, De = (uint32_t)rnode->def_level;
    if (!list_layout(a, nd, &a->chunks[lf], R, D, def_list, Re, De, &off, &val, &n, err)) goto done;
    size_t nelem = (size_t)off[n];
    if (!is_map) {
        child = build(a, elem, elem_is_rep, Re, De, err);
        if (!child || !same_len(a, nd, child, nelem, err)) goto done;
        out = lml_column_list_new(off, val, n, child, err);
    } else {
        int kn = child_at(a->s, rn, 0), vn = rnode->num_children > 1 ? child_at(a->s, rn, 1) : -1;
        keys = build(a, kn, false, Re, De, err);
        if (!keys || !same_len(a, nd, keys, nelem, err)) goto done;
        if (vn >= 0) {
            vals = build(a, vn, false, Re, De, err);
        } else { /* a key-only map (a set): every value null */
            vals = lml_column_alloc(LML_INT32, nelem, 0, true, err);
            if (vals) lml_column_seal(vals);
        }
        if (!vals || !same_len(a, nd, vals, nelem, err)) goto done;
        if (keys->null_count) {
            bad(a, nd, err, "map with a null key");
            goto done;
        }
        out = lml_column_map_new(off, val, n, keys, vals, err);
    }
    if (!out && err && err->code == LML_EINVAL) err->code = LML_EFORMAT;
done:
    free(off);
    free(val);
    lml_column_free(child);
    lml_column_free(keys);
    lml_column_free(vals);
    return out;
}

/* ---- structs */

static lml_column *build_struct(const asm_ctx *a, int node, uint32_t R, uint32_t D, lml_error *err) {
    const lml_pq_node *nd = &a->s->nodes[node];
    int lf = first_leaf(a->s, node);
    if (lf < 0) {
        lml_error_set(err, LML_EUNSUPPORTED, "%s: column '%s': a group without leaf columns", a->what,
                      nd->path ? nd->path : "(root)");
        return NULL;
    }
    const lml_pq_rchunk *c = &a->chunks[lf];
    size_t n = 0, nc = nd->num_children;
    for (size_t e = 0; e < c->num_levels; e++) n += lv_r(c, e) <= R && lv_d(c, e) >= D;
    uint8_t *val = calloc(lml_bitmap_bytes(n) + 1, 1);
    lml_column **kids = calloc(nc + 1, sizeof *kids);
    const char **names = calloc(nc + 1, sizeof *names);
    lml_column *out = NULL;
    if (!val || !kids || !names) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        goto done;
    }
    size_t row = 0;
    for (size_t e = 0; e < c->num_levels; e++) {
        if (lv_r(c, e) > R || lv_d(c, e) < D) continue;
        if (lv_d(c, e) >= (uint32_t)nd->def_level) lml_bit_set(val, row);
        row++;
    }
    for (size_t k = 0; k < nc; k++) {
        int ch = child_at(a->s, node, k);
        names[k] = a->s->nodes[ch].el->name;
        kids[k] = build(a, ch, false, R, D, err);
        if (!kids[k] || !same_len(a, nd, kids[k], n, err)) goto done;
    }
    out = lml_column_struct_new(n, nc, names, kids, val, err);
    if (!out && err && err->code == LML_EINVAL) err->code = LML_EFORMAT;
done:
    for (size_t k = 0; kids && k < nc; k++) lml_column_free(kids[k]);
    free(kids);
    free(names);
    free(val);
    return out;
}

static lml_column *build(const asm_ctx *a, int node, bool as_element, uint32_t R, uint32_t D, lml_error *err) {
    const lml_pq_node *nd = &a->s->nodes[node];
    if (rep_of(nd) == LML_PQ_REPEATED && !as_element) /* a bare repeated field: a required list */
        return build_list(a, node, node, node, true, R, D, D, false, err);
    if (nd->is_leaf) return build_primitive(a, &a->s->leaves[nd->leaf_index], R, D, err);
    if (nd->num_children == 1) {
        int rn = child_at(a->s, node, 0);
        const lml_pq_node *r = &a->s->nodes[rn];
        if (rep_of(r) == LML_PQ_REPEATED && is_list_group(nd)) {
            bool elem_is_rep;
            int elem = list_element(a->s, node, rn, &elem_is_rep);
            return build_list(a, node, rn, elem, elem_is_rep, R, D, (uint32_t)nd->def_level, false, err);
        }
        if (rep_of(r) == LML_PQ_REPEATED && is_map_group(nd) && !r->is_leaf && r->num_children >= 1)
            return build_list(a, node, rn, rn, true, R, D, (uint32_t)nd->def_level, true, err);
    }
    return build_struct(a, node, R, D, err);
}

lml_type lml_pq_node_type(const lml_pq_schema *s, int node) {
    const lml_pq_node *nd = &s->nodes[node];
    if (rep_of(nd) == LML_PQ_REPEATED) return LML_LIST;
    if (nd->is_leaf) return s->leaves[nd->leaf_index].type;
    if (nd->num_children == 1) {
        const lml_pq_node *r = &s->nodes[child_at(s, node, 0)];
        if (rep_of(r) == LML_PQ_REPEATED && is_list_group(nd)) return LML_LIST;
        if (rep_of(r) == LML_PQ_REPEATED && is_map_group(nd) && !r->is_leaf && r->num_children >= 1) return LML_MAP;
    }
    return LML_STRUCT;
}

lml_column *lml_pq_assemble(const lml_pq_schema *s, int node, const lml_pq_rchunk *chunks, const char *what,
                            lml_error *err) {
    asm_ctx a = {.s = s, .chunks = chunks, .what = what};
    return build(&a, node, false, 0, 0, err);
}

/* The Parquet schema: rebuilds the tree from the depth-first list (spec §3.3), computes each
 * leaf's levels (§5.1) and maps its annotation to a frame type the way Spark reads it (§8, §9).
 *
 * Mapping (Spark's): FLOAT → float, FLOAT16 → float; DECIMAL(p ≤ 38) → decimal, wider → double;
 * INT(8) → byte, INT(16) → short, UINT(8) → short, UINT(16) → int, UINT(32) → long, UINT(64) →
 * decimal(20,0); INT96 and TIMESTAMP adjusted to UTC (millis, micros, nanos) → timestamp µs,
 * not adjusted → timestamp_ntz µs; TIME keeps its physical integer (ms, µs or ns since
 * midnight; Spark has no time type); STRING/ENUM/JSON → string, other byte arrays → binary; UUID
 * → its text form; INTERVAL is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "column.h"

#define MAX_DEPTH 64

typedef struct walk {
    const lml_pq_file_meta *m;
    lml_pq_schema *s;
    const char *what;
    size_t next;
} walk;

static char *join_path(const char *parent, const char *name) {
    size_t a = parent ? strlen(parent) : 0, b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p) return NULL;
    if (a) {
        memcpy(p, parent, a);
        p[a++] = '.';
    }
    memcpy(p + a, name, b + 1);
    return p;
}

/* Consumes the node at w->next and, for a group, its num_children subtrees. */
static bool build(walk *w, int parent, int depth, lml_error *err) {
    if (depth > MAX_DEPTH) return lml_error_set(err, LML_EUNSUPPORTED, "%s: schema nested deeper than %d", w->what, MAX_DEPTH);
    if (w->next >= w->m->num_schema)
        return lml_error_set(err, LML_EFORMAT, "%s: schema: num_children counts run past the %zu elements", w->what,
                             w->m->num_schema);
    size_t i = w->next++;
    const lml_pq_schema_element *el = &w->m->schema[i];
    lml_pq_node *nd = &w->s->nodes[i];
    nd->el = el;
    nd->parent = parent;
    nd->leaf_index = -1;
    if (!el->name) return lml_error_set(err, LML_EFORMAT, "%s: schema element %zu has no name", w->what, i);
    if (parent >= 0) {
        const lml_pq_node *pn = &w->s->nodes[parent];
        if (!el->has_repetition && parent != 0)
            return lml_error_set(err, LML_EFORMAT, "%s: schema element '%s' has no repetition type", w->what, el->name);
        int rep = el->has_repetition ? el->repetition : LML_PQ_REQUIRED;
        if (rep < LML_PQ_REQUIRED || rep > LML_PQ_REPEATED)
            return lml_error_set(err, LML_EFORMAT, "%s: schema element '%s': repetition type %d", w->what, el->name, rep);
        nd->def_level = pn->def_level + (rep != LML_PQ_REQUIRED);
        nd->rep_level = pn->rep_level + (rep == LML_PQ_REPEATED);
        nd->path = join_path(parent == 0 ? NULL : pn->path, el->name);
        if (!nd->path) return lml_error_set(err, LML_ENOMEM, "out of memory");
    }
    bool group = el->has_num_children || parent < 0;
    if (!group) {
        if (!el->has_type || el->type < LML_PQ_BOOLEAN || el->type > LML_PQ_FIXED_LEN_BYTE_ARRAY)
            return lml_error_set(err, LML_EFORMAT, "%s: schema leaf '%s' has no valid physical type", w->what, el->name);
        nd->is_leaf = true;
        nd->leaf_index = (int)w->s->num_leaves++;
        return true;
    }
    int nc = el->has_num_children ? el->num_children : 0;
    if (nc < 0 || (size_t)nc > w->m->num_schema - w->next)
        return lml_error_set(err, LML_EFORMAT, "%s: schema group '%s' claims %d children, %zu elements remain", w->what,
                             el->name, nc, w->m->num_schema - w->next);
    nd->num_children = (size_t)nc;
    for (int k = 0; k < nc; k++)
        if (!build(w, (int)i, depth + 1, err)) return false;
    return true;
}

static void set_unsupported(lml_pq_rleaf *lf, const char *why) {
    lf->unsupported = why;
    lf->type = LML_BINARY;
    lf->conv = LML_PQ_CONV_NULL;
}

/* Legacy ConvertedType → the LogicalType it stands for (spec §3.4). */
static lml_pq_logical_type from_converted(const lml_pq_schema_element *el) {
    lml_pq_logical_type lt = {0};
    if (!el->has_converted_type) return lt;
    switch (el->converted_type) {
    case LML_PQ_CT_UTF8: lt.kind = LML_PQ_LT_STRING; break;
    case LML_PQ_CT_ENUM: lt.kind = LML_PQ_LT_ENUM; break;
    case LML_PQ_CT_JSON: lt.kind = LML_PQ_LT_JSON; break;
    case LML_PQ_CT_BSON: lt.kind = LML_PQ_LT_BSON; break;
    case LML_PQ_CT_DATE: lt.kind = LML_PQ_LT_DATE; break;
    case LML_PQ_CT_DECIMAL:
        lt.kind = LML_PQ_LT_DECIMAL;
        lt.scale = el->has_scale ? el->scale : 0;
        lt.precision = el->has_precision ? el->precision : 0;
        break;
    case LML_PQ_CT_TIME_MILLIS: case LML_PQ_CT_TIME_MICROS:
        lt.kind = LML_PQ_LT_TIME;
        lt.adjusted_to_utc = true;
        lt.unit = el->converted_type == LML_PQ_CT_TIME_MILLIS ? LML_PQ_MILLIS : LML_PQ_MICROS;
        break;
    case LML_PQ_CT_TIMESTAMP_MILLIS: case LML_PQ_CT_TIMESTAMP_MICROS:
        lt.kind = LML_PQ_LT_TIMESTAMP;
        lt.adjusted_to_utc = true;
        lt.unit = el->converted_type == LML_PQ_CT_TIMESTAMP_MILLIS ? LML_PQ_MILLIS : LML_PQ_MICROS;
        break;
    case LML_PQ_CT_UINT_8: case LML_PQ_CT_UINT_16: case LML_PQ_CT_UINT_32: case LML_PQ_CT_UINT_64:
    case LML_PQ_CT_INT_8: case LML_PQ_CT_INT_16: case LML_PQ_CT_INT_32: case LML_PQ_CT_INT_64: {
        static const int bw[] = {8, 16, 32, 64};
        int k = el->converted_type;
        lt.kind = LML_PQ_LT_INTEGER;
        lt.is_signed = k >= LML_PQ_CT_INT_8;
        lt.bit_width = bw[lt.is_signed ? k - LML_PQ_CT_INT_8 : k - LML_PQ_CT_UINT_8];
        break;
    }
    case LML_PQ_CT_INTERVAL: lt.kind = -LML_PQ_CT_INTERVAL; break; /* marker: refused below */
    default: break;
    }
    return lt;
}

static bool known_kind(int k) {
    return (k >= LML_PQ_LT_STRING && k <= LML_PQ_LT_TIMESTAMP) || (k >= LML_PQ_LT_INTEGER && k <= LML_PQ_LT_GEOGRAPHY);
}

static void map_leaf(lml_pq_rleaf *lf, const lml_pq_schema_element *el) {
    lml_pq_logical_type lt = el->logical;
    /* An unknown LogicalType member falls back to the ConvertedType, then to the physical type. */
    if (!known_kind(lt.kind)) lt = from_converted(el);
    int ph = lf->physical;
    lf->type_length = el->has_type_length ? el->type_length : 0;
    if (lt.kind == -LML_PQ_CT_INTERVAL) { set_unsupported(lf, "INTERVAL type"); return; }
    if (lt.kind == LML_PQ_LT_UNKNOWN) {
        /* Always null: keep the frame type of the physical type, every row null. */
        lml_pq_schema_element plain = *el;
        plain.logical.kind = LML_PQ_LT_NONE;
        plain.has_converted_type = false;
        map_leaf(lf, &plain);
        lf->conv = LML_PQ_CONV_NULL;
        return;
    }
    if (lt.kind == LML_PQ_LT_DECIMAL) {
        if (lt.scale < 0 || lt.scale > 76 || lt.precision < 0)
            { set_unsupported(lf, "DECIMAL with an invalid scale or precision"); return; }
        if (ph != LML_PQ_INT32 && ph != LML_PQ_INT64 && ph != LML_PQ_BYTE_ARRAY && ph != LML_PQ_FIXED_LEN_BYTE_ARRAY)
            { set_unsupported(lf, "DECIMAL on this physical type"); return; }
        lf->scale = lt.scale;
        lf->precision = lt.precision;
        /* Spark's decimal holds up to 38 digits; wider ones (legal in Parquet) become double. */
        bool fits = lt.precision >= 1 && lt.precision <= 38 && lt.scale <= lt.precision;
        lf->conv = fits ? LML_PQ_CONV_DECIMAL : LML_PQ_CONV_DECIMAL_DOUBLE;
        lf->type = fits ? LML_DECIMAL : LML_DOUBLE;
        return;
    }
    switch (ph) {
    case LML_PQ_BOOLEAN: lf->conv = LML_PQ_CONV_BOOL; lf->type = LML_BOOL; return;
    case LML_PQ_INT32:
        lf->conv = LML_PQ_CONV_I32;
        lf->type = LML_INT32;
        if (lt.kind == LML_PQ_LT_DATE) lf->type = LML_DATE;
        if (lt.kind == LML_PQ_LT_INTEGER) {
            /* Spark: INT(8) byte, INT(16) short, UINT(8) short, UINT(16) int, UINT(32) long. */
            int bw = lt.bit_width;
            if (lt.is_signed && bw == 8) lf->conv = LML_PQ_CONV_I8, lf->type = LML_INT8;
            if (lt.is_signed && bw == 16) lf->conv = LML_PQ_CONV_I16, lf->type = LML_INT16;
            if (!lt.is_signed && bw == 8) lf->conv = LML_PQ_CONV_U8, lf->type = LML_INT16;
            if (!lt.is_signed && bw == 16) lf->conv = LML_PQ_CONV_U16, lf->type = LML_INT32;
            if (!lt.is_signed && bw >= 32) lf->conv = LML_PQ_CONV_U32, lf->type = LML_INT64;
        }
        return;
    case LML_PQ_INT64:
        lf->conv = LML_PQ_CONV_I64;
        lf->type = LML_INT64;
        if (lt.kind == LML_PQ_LT_INTEGER && !lt.is_signed) { /* Spark: decimal(20,0) */
            lf->conv = LML_PQ_CONV_U64;
            lf->type = LML_DECIMAL;
            lf->precision = 20;
        }
        if (lt.kind == LML_PQ_LT_TIMESTAMP) {
            lf->type = lt.adjusted_to_utc ? LML_TIMESTAMP : LML_TIMESTAMP_NTZ;
            lf->conv = lt.unit == LML_PQ_MILLIS ? LML_PQ_CONV_TS_MILLIS
                     : lt.unit == LML_PQ_NANOS  ? LML_PQ_CONV_TS_NANOS
                                                : LML_PQ_CONV_TS_MICROS;
        }
        return;
    case LML_PQ_INT96: lf->conv = LML_PQ_CONV_INT96; lf->type = LML_TIMESTAMP; return;
    case LML_PQ_FLOAT: lf->conv = LML_PQ_CONV_FLOAT; lf->type = LML_FLOAT; return;
    case LML_PQ_DOUBLE: lf->conv = LML_PQ_CONV_DOUBLE; lf->type = LML_DOUBLE; return;
    case LML_PQ_FIXED_LEN_BYTE_ARRAY:
        if (lf->type_length <= 0) { set_unsupported(lf, "FIXED_LEN_BYTE_ARRAY without a positive type_length"); return; }
        if (lt.kind == LML_PQ_LT_UUID && lf->type_length == 16) {
            lf->conv = LML_PQ_CONV_UUID;
            lf->type = LML_STRING;
            return;
        }
        if (lt.kind == LML_PQ_LT_FLOAT16 && lf->type_length == 2) {
            lf->conv = LML_PQ_CONV_FLOAT16;
            lf->type = LML_FLOAT; /* every half value is exact in a float */
            return;
        }
        lf->conv = LML_PQ_CONV_BYTES;
        lf->type = LML_BINARY;
        return;
    default:
        /* STRING, ENUM and JSON are text; everything else (BSON, no annotation, VARIANT and
         * geometry blobs, unknown annotations) stays bytes, as Spark reads them. */
        lf->conv = LML_PQ_CONV_BYTES;
        lf->type = lt.kind == LML_PQ_LT_STRING || lt.kind == LML_PQ_LT_ENUM || lt.kind == LML_PQ_LT_JSON ? LML_STRING
                                                                                                         : LML_BINARY;
        return;
    }
}

bool lml_pq_schema_build(const lml_pq_file_meta *m, const char *what, lml_pq_schema *out, lml_error *err) {
    memset(out, 0, sizeof *out);
    if (m->num_schema == 0) return lml_error_set(err, LML_EFORMAT, "%s: empty schema", what);
    out->nodes = calloc(m->num_schema, sizeof *out->nodes);
    if (!out->nodes) return lml_error_set(err, LML_ENOMEM, "out of memory");
    out->num_nodes = m->num_schema;
    walk w = {.m = m, .s = out, .what = what};
    if (!build(&w, -1, 0, err)) goto fail;
    if (w.next != m->num_schema) {
        lml_error_set(err, LML_EFORMAT, "%s: schema: the root's children cover %zu of %zu elements", what, w.next,
                      m->num_schema);
        goto fail;
    }
    out->leaves = calloc(out->num_leaves ? out->num_leaves : 1, sizeof *out->leaves);
    if (!out->leaves) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < out->num_nodes; i++) {
        lml_pq_node *nd = &out->nodes[i];
        if (!nd->is_leaf) continue;
        lml_pq_rleaf *lf = &out->leaves[nd->leaf_index];
        lf->node = (int)i;
        lf->path = nd->path;
        lf->physical = nd->el->type;
        lf->max_def = nd->def_level;
        lf->max_rep = nd->rep_level;
        map_leaf(lf, nd->el);
    }
    return true;
fail:
    lml_pq_schema_clear(out);
    return false;
}

void lml_pq_schema_clear(lml_pq_schema *s) {
    if (!s) return;
    for (size_t i = 0; i < s->num_nodes; i++) free(s->nodes[i].path);
    free(s->nodes);
    free(s->leaves);
    memset(s, 0, sizeof *s);
}

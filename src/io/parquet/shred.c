/* Nested columns (list, struct, map) for the Parquet writer: their Spark schema (3-level LIST with
 * `list`/`element`, MAP with `key_value`/`key`/`value`, spec §5.3, §5.5, §9.1), their Spark JSON
 * type, and Dremel shredding of one leaf into repetition/definition levels (§5.8).
 *
 * Every field is written optional (Spark's nullable = true, containsNull = true,
 * valueContainsNull = true) except map keys, which Parquet and Spark require. */
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"
#include "io/parquet/writer_internal.h"

static const lml_column *map_part(const lml_column *col, size_t k) { return col->children[0]->children[k]; }

bool lml_pq_writable(const lml_column *col, bool top) {
    switch (col->type) {
    case LML_VECTOR: return top; /* VectorUDT is handled by writer.c at the top level only */
    case LML_LIST: return col->nchildren == 1 && lml_pq_writable(col->children[0], false);
    case LML_MAP:
        return col->nchildren == 1 && col->children[0]->nchildren == 2 && lml_pq_writable(map_part(col, 0), false) &&
               lml_pq_writable(map_part(col, 1), false);
    case LML_STRUCT:
        if (col->nchildren == 0) return false; /* Parquet has no empty groups */
        for (size_t i = 0; i < col->nchildren; i++)
            if (!lml_pq_writable(col->children[i], false)) return false;
        return true;
    case LML_DECIMAL: return col->precision >= 1 && col->precision <= 38;
    default: return true;
    }
}

size_t lml_pq_leaf_count(const lml_column *col) {
    switch (col->type) {
    case LML_VECTOR: return 4;
    case LML_LIST: return lml_pq_leaf_count(col->children[0]);
    case LML_MAP: return lml_pq_leaf_count(map_part(col, 0)) + lml_pq_leaf_count(map_part(col, 1));
    case LML_STRUCT: {
        size_t n = 0;
        for (size_t i = 0; i < col->nchildren; i++) n += lml_pq_leaf_count(col->children[i]);
        return n;
    }
    default: return 1;
    }
}

size_t lml_pq_schema_count(const lml_column *col) {
    switch (col->type) {
    case LML_VECTOR: return 9;
    case LML_LIST: return 2 + lml_pq_schema_count(col->children[0]);
    case LML_MAP: return 2 + lml_pq_schema_count(map_part(col, 0)) + lml_pq_schema_count(map_part(col, 1));
    case LML_STRUCT: {
        size_t n = 1;
        for (size_t i = 0; i < col->nchildren; i++) n += lml_pq_schema_count(col->children[i]);
        return n;
    }
    default: return 1;
    }
}

/* ---------------------------------------------------------------- schema */

/* Bytes of the smallest FIXED_LEN_BYTE_ARRAY holding `precision` digits (Spark's rule, §8.3). */
static int32_t decimal_bytes(int precision) {
    int32_t n = 1;
    while ((8.0 * n - 1) * 0.30102999566398120 < precision) n++;
    return n;
}

int32_t lml_pq_physical(const lml_column *col, size_t *src_width, int32_t *type_length) {
    *src_width = 0;
    *type_length = 0;
    switch (col->type) {
    case LML_BOOL: return LML_PQ_BOOLEAN;
    case LML_INT8: *src_width = 1; return LML_PQ_INT32;
    case LML_INT16: *src_width = 2; return LML_PQ_INT32;
    case LML_INT32:
    case LML_DATE: return LML_PQ_INT32;
    case LML_INT64:
    case LML_TIMESTAMP:
    case LML_TIMESTAMP_NTZ: return LML_PQ_INT64;
    case LML_FLOAT: return LML_PQ_FLOAT;
    case LML_DOUBLE: return LML_PQ_DOUBLE;
    case LML_STRING:
    case LML_BINARY: return LML_PQ_BYTE_ARRAY;
    case LML_DECIMAL:
        *src_width = 16;
        if (col->precision <= 9) return LML_PQ_INT32;
        if (col->precision <= 18) return LML_PQ_INT64;
        *type_length = decimal_bytes(col->precision);
        return LML_PQ_FIXED_LEN_BYTE_ARRAY;
    default: return -1;
    }
}

static lml_pq_schema_element *add(lml_pq_file_meta *m, const char *name, int rep, int32_t type, int nchildren,
                                  lml_error *err) {
    lml_pq_schema_element *e = &m->schema[m->num_schema];
    memset(e, 0, sizeof *e);
    if (!(e->name = lml_strdup(name, err))) return NULL;
    m->num_schema++;
    if (rep >= 0) e->has_repetition = true, e->repetition = rep;
    if (type >= 0) e->has_type = true, e->type = type;
    if (nchildren >= 0) e->has_num_children = true, e->num_children = nchildren;
    return e;
}

static void annotate(lml_pq_schema_element *e, int converted, int logical) {
    e->has_converted_type = true;
    e->converted_type = converted;
    e->logical.kind = logical;
}

bool lml_pq_schema_add(const lml_column *col, const char *name, int rep, lml_pq_file_meta *m, lml_error *err) {
    lml_type t = col->type;
    lml_pq_schema_element *e;
    switch (t) {
    case LML_LIST:
        if (!(e = add(m, name, rep, -1, 1, err))) return false;
        annotate(e, LML_PQ_CT_LIST, LML_PQ_LT_LIST);
        return add(m, "list", LML_PQ_REPEATED, -1, 1, err) &&
               lml_pq_schema_add(col->children[0], "element", LML_PQ_OPTIONAL, m, err);
    case LML_MAP:
        if (!(e = add(m, name, rep, -1, 1, err))) return false;
        annotate(e, LML_PQ_CT_MAP, LML_PQ_LT_MAP);
        return add(m, "key_value", LML_PQ_REPEATED, -1, 2, err) &&
               lml_pq_schema_add(map_part(col, 0), "key", LML_PQ_REQUIRED, m, err) &&
               lml_pq_schema_add(map_part(col, 1), "value", LML_PQ_OPTIONAL, m, err);
    case LML_STRUCT:
        if (!add(m, name, rep, -1, (int)col->nchildren, err)) return false;
        for (size_t i = 0; i < col->nchildren; i++)
            if (!lml_pq_schema_add(col->children[i], col->child_names[i], LML_PQ_OPTIONAL, m, err)) return false;
        return true;
    default:
    {
        size_t sw;
        int32_t tl;
        if (!(e = add(m, name, rep, lml_pq_physical(col, &sw, &tl), -1, err))) return false;
        if (tl) e->has_type_length = true, e->type_length = tl;
        if (t == LML_STRING) annotate(e, LML_PQ_CT_UTF8, LML_PQ_LT_STRING);
        if (t == LML_DATE) annotate(e, LML_PQ_CT_DATE, LML_PQ_LT_DATE);
        if (t == LML_TIMESTAMP || t == LML_TIMESTAMP_NTZ) {
            annotate(e, LML_PQ_CT_TIMESTAMP_MICROS, LML_PQ_LT_TIMESTAMP);
            e->logical.adjusted_to_utc = t == LML_TIMESTAMP;
            e->logical.unit = LML_PQ_MICROS;
        }
        if (t == LML_INT8 || t == LML_INT16) {
            annotate(e, t == LML_INT8 ? LML_PQ_CT_INT_8 : LML_PQ_CT_INT_16, LML_PQ_LT_INTEGER);
            e->logical.bit_width = t == LML_INT8 ? 8 : 16;
            e->logical.is_signed = true;
        }
        if (t == LML_DECIMAL) {
            annotate(e, LML_PQ_CT_DECIMAL, LML_PQ_LT_DECIMAL);
            e->has_precision = e->has_scale = true;
            e->precision = e->logical.precision = col->precision;
            e->scale = e->logical.scale = col->scale;
        }
        return true;
    }
    }
}

static const char *spark_name(lml_type t) {
    switch (t) {
    case LML_BOOL: return "boolean";
    case LML_INT8: return "byte";
    case LML_INT16: return "short";
    case LML_INT32: return "integer";
    case LML_INT64: return "long";
    case LML_FLOAT: return "float";
    case LML_DOUBLE: return "double";
    case LML_STRING: return "string";
    case LML_BINARY: return "binary";
    case LML_DATE: return "date";
    case LML_TIMESTAMP: return "timestamp";
    default: return "timestamp_ntz";
    }
}

void lml_pq_spark_type_json(const lml_column *col, lml_strbuf *sb) {
    switch (col->type) {
    case LML_LIST:
        lml_strbuf_puts(sb, "{\"type\":\"array\",\"elementType\":");
        lml_pq_spark_type_json(col->children[0], sb);
        lml_strbuf_puts(sb, ",\"containsNull\":true}");
        return;
    case LML_MAP:
        lml_strbuf_puts(sb, "{\"type\":\"map\",\"keyType\":");
        lml_pq_spark_type_json(map_part(col, 0), sb);
        lml_strbuf_puts(sb, ",\"valueType\":");
        lml_pq_spark_type_json(map_part(col, 1), sb);
        lml_strbuf_puts(sb, ",\"valueContainsNull\":true}");
        return;
    case LML_STRUCT:
        lml_strbuf_puts(sb, "{\"type\":\"struct\",\"fields\":[");
        for (size_t i = 0; i < col->nchildren; i++) {
            lml_strbuf_puts(sb, i ? ",{\"name\":" : "{\"name\":");
            lml_pq_json_string(sb, col->child_names[i]);
            lml_strbuf_puts(sb, ",\"type\":");
            lml_pq_spark_type_json(col->children[i], sb);
            lml_strbuf_puts(sb, ",\"nullable\":true,\"metadata\":{}}");
        }
        lml_strbuf_puts(sb, "]}");
        return;
    case LML_DECIMAL: lml_strbuf_printf(sb, "\"decimal(%d,%d)\"", col->precision, col->scale); return;
    default: lml_strbuf_printf(sb, "\"%s\"", spark_name(col->type));
    }
}

void lml_pq_json_string(lml_strbuf *sb, const char *s) {
    lml_strbuf_putc(sb, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') lml_strbuf_putc(sb, '\\'), lml_strbuf_putc(sb, (char)*p);
        else if (*p < 0x20) lml_strbuf_printf(sb, "\\u%04x", *p);
        else lml_strbuf_putc(sb, (char)*p);
    }
    lml_strbuf_putc(sb, '"');
}

/* ---------------------------------------------------------------- one leaf's path */

#define MAX_DEPTH 64

typedef struct step {
    const lml_column *col;
    const char *name;
    bool optional;
} step;

/* The chain of columns from the top-level column down to leaf `leaf` (depth-first numbering),
 * with the schema names along the way (the repeated `list`/`key_value` groups included). */
static bool chain(const lml_column *col, const char *name, bool optional, size_t leaf, step *out, size_t *depth,
                  const char **names, size_t *nnames) {
    if (*depth >= MAX_DEPTH || *nnames + 2 >= MAX_DEPTH * 2) return false;
    out[(*depth)++] = (step){col, name, optional};
    names[(*nnames)++] = name;
    switch (col->type) {
    case LML_LIST: names[(*nnames)++] = "list"; return chain(col->children[0], "element", true, leaf, out, depth, names, nnames);
    case LML_MAP: {
        names[(*nnames)++] = "key_value";
        size_t nk = lml_pq_leaf_count(map_part(col, 0));
        return leaf < nk ? chain(map_part(col, 0), "key", false, leaf, out, depth, names, nnames)
                         : chain(map_part(col, 1), "value", true, leaf - nk, out, depth, names, nnames);
    }
    case LML_STRUCT:
        for (size_t i = 0; i < col->nchildren; i++) {
            size_t n = lml_pq_leaf_count(col->children[i]);
            if (leaf < n) return chain(col->children[i], col->child_names[i], true, leaf, out, depth, names, nnames);
            leaf -= n;
        }
        return false;
    default: return leaf == 0;
    }
}

bool lml_pq_leaf_path(const lml_column *col, const char *name, size_t leaf, char ***path, size_t *len, lml_error *err) {
    step st[MAX_DEPTH];
    const char *names[MAX_DEPTH * 2];
    size_t depth = 0, n = 0;
    if (!chain(col, name, true, leaf, st, &depth, names, &n))
        return lml_error_set(err, LML_EUNSUPPORTED, "parquet write: column '%s' nests deeper than %d levels", name, MAX_DEPTH);
    if (!(*path = calloc(n, sizeof **path))) return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
    *len = n;
    for (size_t i = 0; i < n; i++)
        if (!((*path)[i] = lml_strdup(names[i], err))) return false;
    return true;
}

/* ---------------------------------------------------------------- shredding (§5.8) */

typedef struct shred {
    const step *st;
    size_t depth;
    uint8_t *def, *rep;
    size_t *sel;
    size_t n, cap, nv, vcap;
    bool failed;
} shred;

static void emit(shred *s, int r, int d, bool value, size_t i) {
    if (s->failed) return;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        uint8_t *def = realloc(s->def, cap);
        if (def) s->def = def;
        uint8_t *rep = def ? realloc(s->rep, cap) : NULL;
        if (!rep) { s->failed = true; return; }
        s->rep = rep;
        s->cap = cap;
    }
    s->def[s->n] = (uint8_t)d;
    s->rep[s->n++] = (uint8_t)r;
    if (!value) return;
    if (s->nv == s->vcap) {
        size_t cap = s->vcap ? s->vcap * 2 : 1024;
        size_t *sel = realloc(s->sel, cap * sizeof *sel);
        if (!sel) { s->failed = true; return; }
        s->sel = sel;
        s->vcap = cap;
    }
    s->sel[s->nv++] = i;
}

/* Row i of the column at chain step j, reached with repetition level r and definition level d;
 * rl = repetition levels of the repeated nodes above. */
static void walk(shred *s, size_t j, size_t i, int r, int d, int rl) {
    const step *c = &s->st[j];
    if (c->optional) {
        if (lml_column_is_null(c->col, i)) { emit(s, r, d, false, 0); return; }
        d++;
    }
    if (j + 1 == s->depth) { emit(s, r, d, true, i); return; }
    if (c->col->type == LML_STRUCT) { walk(s, j + 1, i, r, d, rl); return; }
    int32_t a = c->col->offsets[i], b = c->col->offsets[i + 1];
    if (a == b) { emit(s, r, d, false, 0); return; }
    for (int32_t k = a; k < b; k++) walk(s, j + 1, (size_t)k, k == a ? r : rl + 1, d + 1, rl + 1);
}

bool lml_pq_shred(const lml_column *col, const char *name, size_t leaf, size_t r0, size_t n, lml_pq_leaf *out,
                  uint8_t **def, uint8_t **rep, size_t **sel, lml_error *err) {
    step st[MAX_DEPTH];
    const char *names[MAX_DEPTH * 2];
    size_t depth = 0, nn = 0;
    if (!chain(col, name, true, leaf, st, &depth, names, &nn))
        return lml_error_set(err, LML_EUNSUPPORTED, "parquet write: column '%s' nests deeper than %d levels", name, MAX_DEPTH);
    int max_def = 0, max_rep = 0;
    for (size_t j = 0; j < depth; j++) {
        max_def += st[j].optional;
        if (j + 1 < depth && (st[j].col->type == LML_LIST || st[j].col->type == LML_MAP)) max_def++, max_rep++;
    }
    if (max_def > 255 || max_rep > 255)
        return lml_error_set(err, LML_EUNSUPPORTED, "parquet write: column '%s' nests too deeply", name);
    shred s = {.st = st, .depth = depth};
    for (size_t i = 0; i < n; i++) walk(&s, 0, r0 + i, 0, 0, 0);
    *def = s.def, *rep = s.rep, *sel = s.sel;
    if (s.failed) return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory shredding column '%s'", name);
    const lml_column *lc = st[depth - 1].col;
    memset(out, 0, sizeof *out);
    out->type = lml_pq_physical(lc, &out->src_width, &out->type_length);
    out->max_def = max_def;
    out->max_rep = max_rep;
    out->num_levels = s.n;
    out->def = s.def;
    out->rep = max_rep ? s.rep : NULL;
    out->num_values = s.nv;
    out->sel = s.sel; /* NULL only when there are no values */
    out->values = lc->values;
    out->offsets = lc->offsets;
    out->data = lc->values;
    return true;
}

/* Uncompressed bytes of the whole column, to size row groups. */
size_t lml_pq_column_bytes(const lml_column *col) {
    switch (col->type) {
    case LML_BOOL: return col->length / 8 + 1;
    case LML_INT8:
    case LML_INT16:
    case LML_FLOAT:
    case LML_INT32:
    case LML_DATE: return col->length * 4;
    case LML_DECIMAL: return col->length * (col->precision <= 9 ? 4 : col->precision <= 18 ? 8 : 16);
    case LML_STRING:
    case LML_BINARY: return col->length * 4 + col->data_len;
    case LML_VECTOR:
        return col->length * 8 + (col->sparse ? (size_t)col->indptr[col->length] * 12 : col->length * col->vec_size * 8);
    case LML_LIST:
    case LML_MAP:
    case LML_STRUCT: {
        size_t n = col->length;
        for (size_t i = 0; i < col->nchildren; i++) n += lml_pq_column_bytes(col->children[i]);
        return n;
    }
    default: return col->length * 8;
    }
}

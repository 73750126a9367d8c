/* The write side of Delta schemas (delta.md §3, §8.3): the schema of a frame (each column's type
 * as the Parquet writer gives it), all-null columns for fields a data file lacks, whether a
 * column has a field's exact type, and the enforcement / evolution check of a write. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/internal.h"
#include "delta/schema_internal.h"
#include "frame/internal.h"
#include "io/parquet/writer_internal.h"

/* ---------------------------------------------------------------- frames */

static bool has_inner_vector(const lml_column *c)
{
    for (size_t i = 0; i < c->nchildren; i++)
        if (c->children[i]->type == LML_VECTOR || has_inner_vector(c->children[i]))
            return true;
    return false;
}

/* The field of a column (name and nullability set by the caller): the Spark type the Parquet
 * writer gives it (lml_pq_spark_type_json; VectorUDT for vectors) parsed back, so a table's schema
 * and its data files' footers agree. Nested fields are nullable with empty metadata. */
static bool field_of_column(const lml_column *c, lml_delta_field *f, const lml_delta_path *p, lml_error *err)
{
    char b[LML_DELTA_PATHBUF];
    if (has_inner_vector(c)) /* neither lml_pq_spark_type_json nor the Parquet writer has them */
        return lml_error_set(err, LML_EUNSUPPORTED, "column '%s': an ML vector nested in a %s cannot be stored "
                             "in a Delta table", lml_delta_path_str(p, b), lml_type_name(c->type));
    lml_strbuf sb = {0};
    if (c->type == LML_VECTOR)
        lml_strbuf_puts(&sb, "{\"type\":\"udt\",\"class\":\"" LML_DELTA_VECTOR_UDT_CLASS "\",\"pyClass\":\""
                        LML_DELTA_VECTOR_UDT_PYCLASS "\",\"sqlType\":" LML_DELTA_VECTOR_SQLTYPE "}");
    else
        lml_pq_spark_type_json(c, &sb);
    char *text = lml_strbuf_finish(&sb, err);
    if (!text)
        return false;
    cJSON *t = cJSON_Parse(text);
    free(text);
    if (!t)
        return lml_error_set(err, LML_ENOMEM, "out of memory describing a %s column", lml_type_name(c->type));
    bool ok = lml_delta_parse_type(t, f, p, 1, err);
    cJSON_Delete(t);
    if (!ok && err && err->code == LML_EFORMAT) /* e.g. struct fields differing only by case */
        err->code = LML_EINVAL;
    return ok;
}

/* Frame field metadata is JSON text; kept compact when it is an object. */
static bool frame_metadata(const char *text, lml_delta_field *f, const lml_delta_path *p, lml_error *err)
{
    cJSON *m = text && *text ? cJSON_Parse(text) : NULL;
    char b[LML_DELTA_PATHBUF];
    if (text && *text && !cJSON_IsObject(m)) {
        cJSON_Delete(m);
        return lml_error_set(err, LML_EINVAL, "column '%s': metadata is not a JSON object", lml_delta_path_str(p, b));
    }
    free(f->metadata);
    f->metadata = NULL;
    bool ok = lml_delta_parse_metadata(m, f, p, err);
    cJSON_Delete(m);
    return ok;
}

static bool top_field(const lml_frame *fr, size_t i, lml_delta_field *f, lml_error *err)
{
    lml_delta_path p = {fr->fields[i].name, NULL};
    return lml_delta_field_set_name(f, fr->fields[i].name, true, err) &&
           frame_metadata(fr->fields[i].metadata, f, &p, err) && field_of_column(fr->fields[i].col, f, &p, err);
}

bool lml_delta_schema_from_frame(const lml_frame *f, lml_delta_schema *out, lml_error *err)
{
    memset(out, 0, sizeof *out);
    if (!(out->fields = lml_delta_fields_alloc(f->ncols, err)))
        return false;
    for (; out->nfields < f->ncols; out->nfields++)
        if (!top_field(f, out->nfields, &out->fields[out->nfields], err)) {
            out->nfields++;
            lml_delta_schema_clear(out);
            return false;
        }
    return true;
}

/* ---------------------------------------------------------------- null columns */

static lml_column *null_column(const lml_delta_field *f, size_t n, int depth, lml_error *err);

static lml_column *null_vector(size_t n, lml_error *err)
{
    lml_column *c = lml_column_shell(LML_VECTOR, n, err); /* dense, 0 elements per row */
    if (!c)
        return NULL;
    c->vvalues = lml_aligned_calloc(0);
    c->validity = lml_aligned_calloc(lml_bitmap_bytes(n));
    if (!c->vvalues || !c->validity) {
        lml_column_free(c);
        return lml_error_set(err, LML_ENOMEM, "out of memory making %zu null vectors", n), NULL;
    }
    return lml_column_seal(c);
}

static lml_column *null_struct(const lml_delta_field *f, size_t n, const uint8_t *valid, int depth, lml_error *err)
{
    size_t k = f->nchildren;
    lml_column **kids = calloc(k ? k : 1, sizeof *kids);
    const char **names = calloc(k ? k : 1, sizeof *names);
    lml_column *c = NULL;
    bool ok = kids && names;
    if (!ok)
        lml_error_set(err, LML_ENOMEM, "out of memory making a null struct column '%s'", f->name ? f->name : "");
    for (size_t i = 0; ok && i < k; i++) {
        names[i] = f->children[i].name;
        ok = (kids[i] = null_column(&f->children[i], n, depth + 1, err)) != NULL;
    }
    if (ok)
        c = lml_column_struct_new(n, k, names, kids, valid, err);
    for (size_t i = 0; kids && i < k; i++)
        lml_column_free(kids[i]);
    free(kids);
    free(names);
    return c;
}

/* Lists and maps: every row null, offsets all 0 over empty children. */
static lml_column *null_offsets_kind(const lml_delta_field *f, size_t n, const uint8_t *valid, int depth,
                                     lml_error *err)
{
    bool is_map = f->type == LML_MAP;
    if (n >= (size_t)INT32_MAX)
        return lml_error_set(err, LML_ERANGE, "a null %s column of %zu rows is too long", lml_type_name(f->type),
                             n), NULL;
    int32_t *offs = calloc(n + 1, sizeof *offs);
    lml_column *a = offs ? null_column(&f->children[0], 0, depth + 1, err) : NULL;
    lml_column *b = a && is_map ? null_column(&f->children[1], 0, depth + 1, err) : NULL, *c = NULL;
    if (!offs)
        lml_error_set(err, LML_ENOMEM, "out of memory making %zu null offsets", n);
    else if (a && (!is_map || b))
        c = is_map ? lml_column_map_new(offs, valid, n, a, b, err) : lml_column_list_new(offs, valid, n, a, err);
    lml_column_free(a);
    lml_column_free(b);
    free(offs);
    return c;
}

static lml_column *null_column(const lml_delta_field *f, size_t n, int depth, lml_error *err)
{
    if (depth > LML_DELTA_SCHEMA_MAX_DEPTH)
        return lml_error_set(err, LML_EUNSUPPORTED, "field '%s': nested deeper than %d levels", f->name,
                             LML_DELTA_SCHEMA_MAX_DEPTH), NULL;
    if (f->type == LML_VECTOR)
        return null_vector(n, err);
    if (!lml_type_is_nested(f->type)) {
        lml_column *c = lml_column_alloc(f->type, n, 0, true, err);
        if (c && f->type == LML_DECIMAL)
            c->precision = f->precision, c->scale = f->scale;
        return lml_column_seal(c);
    }
    if (f->nchildren < (f->type == LML_LIST ? 1u : f->type == LML_MAP ? 2u : 0u))
        return lml_error_set(err, LML_EINVAL, "field '%s': a %s field without its children", f->name,
                             lml_type_name(f->type)), NULL;
    uint8_t *valid = calloc(lml_bitmap_bytes(n) + 1, 1); /* every row null */
    if (!valid)
        return lml_error_set(err, LML_ENOMEM, "out of memory making %zu null rows", n), NULL;
    lml_column *c = f->type == LML_STRUCT ? null_struct(f, n, valid, depth, err)
                                          : null_offsets_kind(f, n, valid, depth, err);
    free(valid);
    return c;
}

lml_column *lml_delta_field_null_column(const lml_delta_field *f, size_t n, lml_error *err)
{
    return null_column(f, n, 0, err);
}

/* ---------------------------------------------------------------- matching */

static long find_child(const lml_delta_field *f, const char *name)
{
    for (size_t i = 0; i < f->nchildren; i++)
        if (strcasecmp(f->children[i].name, name) == 0)
            return (long)i;
    return -1;
}

static bool struct_matches(const lml_delta_field *f, const lml_column *col)
{
    if (col->type != LML_STRUCT || col->nchildren != f->nchildren)
        return false;
    for (size_t i = 0; i < col->nchildren; i++) {
        long k = find_child(f, col->child_names[i]);
        if (k < 0 || !lml_delta_field_matches(&f->children[k], col->children[i]))
            return false;
    }
    return true;
}

bool lml_delta_field_matches(const lml_delta_field *f, const lml_column *col)
{
    if (f->is_void) /* NullType holds only nulls, whatever the column's type */
        return col->null_count == col->length;
    if (f->type == LML_VECTOR) /* a vector, or its sqlType struct as the Parquet reader returns it */
        return col->type == LML_VECTOR || struct_matches(f, col);
    if (f->type != col->type)
        return false;
    switch (f->type) {
    case LML_DECIMAL: return f->precision == col->precision && f->scale == col->scale;
    case LML_STRUCT: return struct_matches(f, col);
    case LML_LIST: return f->nchildren == 1 && lml_delta_field_matches(&f->children[0], col->children[0]);
    case LML_MAP:
        return f->nchildren == 2 && lml_delta_field_matches(&f->children[0], lml_column_map_keys(col)) &&
               lml_delta_field_matches(&f->children[1], lml_column_map_values(col));
    default: return true;
    }
}

/* ---------------------------------------------------------------- write checks (§8.3) */

static bool conform(lml_delta_field *f, const lml_column *c, const lml_delta_path *p, bool merge, int depth,
                    lml_error *err);

/* 1, 2, 3 for byte, short, int (the types §8.3 lets interchange), 0 for others. */
static int int_rank(lml_type t)
{
    return t == LML_INT8 ? 1 : t == LML_INT16 ? 2 : t == LML_INT32 ? 3 : 0;
}

static bool mismatch(const lml_delta_field *f, const lml_column *c, const lml_delta_path *p, bool merge, lml_error *err)
{
    lml_delta_field tmp = {0};
    char *want = lml_delta_field_type_string(f, err), *got = NULL;
    if (want && field_of_column(c, &tmp, p, err))
        got = lml_delta_field_type_string(&tmp, err);
    if (got) {
        char b[LML_DELTA_PATHBUF];
        lml_error_set(err, LML_ETYPE, "column '%s': the table has type %s but the input has %s%s",
                      lml_delta_path_str(p, b), want, got,
                      merge ? " (no merge between these types; type widening is not supported)"
                            : " (schema evolution needs mergeSchema)");
    }
    free(want);
    free(got);
    lml_delta_field_free(&tmp);
    return false;
}

/* The fields of one struct level against named input columns: each column must find its field
 * (or be appended with merge), fields the input lacks must be nullable. metas: the frame's field
 * metadata for top-level columns, else NULL. */
static bool conform_fields(lml_delta_field **fields, size_t *nfields, size_t k, const char *const *names,
                           lml_column *const *cols, const char *const *metas, const lml_delta_path *parent, bool merge,
                           int depth, lml_error *err)
{
    char b[LML_DELTA_PATHBUF];
    if (!lml_delta_check_unique(names, k, parent, LML_EINVAL, err))
        return false;
    lml_delta_field holder = {.children = *fields, .nchildren = *nfields};
    size_t table_n = *nfields;
    bool ok = true;
    for (size_t i = 0; ok && i < k; i++) {
        lml_delta_path p = {names[i], parent};
        long at = find_child(&holder, names[i]);
        if (at >= 0) {
            ok = conform(&holder.children[at], cols[i], &p, merge, depth + 1, err);
            if (ok && !parent && !holder.children[at].nullable && cols[i]->null_count)
                ok = lml_error_set(err, LML_EINVAL, "column '%s' is NOT NULL in the table but the input has %zu "
                                   "null(s)", names[i], cols[i]->null_count);
            continue;
        }
        if (!merge) {
            ok = lml_error_set(err, LML_EINVAL, "column '%s' is not in the table schema (use mergeSchema to add it)",
                               lml_delta_path_str(&p, b));
            break;
        }
        lml_delta_field *grown = realloc(holder.children, (holder.nchildren + 1) * sizeof *grown);
        if (!grown) {
            ok = lml_error_set(err, LML_ENOMEM, "out of memory adding column '%s'", lml_delta_path_str(&p, b));
            break;
        }
        holder.children = grown;
        lml_delta_field *nf = &grown[holder.nchildren++];
        memset(nf, 0, sizeof *nf);
        ok = lml_delta_field_set_name(nf, names[i], true, err) && (!metas || frame_metadata(metas[i], nf, &p, err)) &&
             field_of_column(cols[i], nf, &p, err);
    }
    for (size_t j = 0; ok && j < table_n; j++) {
        bool present = false;
        for (size_t i = 0; !present && i < k; i++)
            present = strcasecmp(holder.children[j].name, names[i]) == 0;
        if (!present && !holder.children[j].nullable) {
            lml_delta_path p = {holder.children[j].name, parent};
            ok = lml_error_set(err, LML_EINVAL, "column '%s' is NOT NULL in the table but missing from the input",
                               lml_delta_path_str(&p, b));
        }
    }
    *fields = holder.children;
    *nfields = holder.nchildren;
    return ok;
}

static bool conform_struct(lml_delta_field *f, const lml_column *c, const lml_delta_path *p, bool merge, int depth,
                           lml_error *err)
{
    return conform_fields(&f->children, &f->nchildren, c->nchildren, (const char *const *)c->child_names,
                          c->children, NULL, p, merge, depth, err);
}

/* Checks column c against field f (part of the merged copy), evolving f where merge allows. */
static bool conform(lml_delta_field *f, const lml_column *c, const lml_delta_path *p, bool merge, int depth,
                    lml_error *err)
{
    char b[LML_DELTA_PATHBUF];
    if (depth > LML_DELTA_SCHEMA_MAX_DEPTH)
        return lml_error_set(err, LML_EUNSUPPORTED, "%s: nested deeper than %d levels", lml_delta_path_str(p, b),
                             LML_DELTA_SCHEMA_MAX_DEPTH);
    if (f->is_void) { /* NullType → any type under merge (§8.3); without it only nulls fit */
        if (!merge)
            return c->null_count == c->length || mismatch(f, c, p, merge, err);
        lml_delta_field nf = {0};
        if (!field_of_column(c, &nf, p, err)) {
            lml_delta_field_free(&nf);
            return false;
        }
        f->type = nf.type, f->precision = nf.precision, f->scale = nf.scale, f->is_void = false;
        f->children = nf.children, f->nchildren = nf.nchildren;
        f->udt_class = nf.udt_class, f->udt_pyclass = nf.udt_pyclass;
        nf.children = NULL, nf.nchildren = 0, nf.udt_class = nf.udt_pyclass = NULL;
        lml_delta_field_free(&nf);
        return true;
    }
    int rf = int_rank(f->type), rc = int_rank(c->type);
    if (rf && rc) { /* byte/short/int: a narrower input is upcast; a wider one widens the table with merge */
        if (rc <= rf)
            return true;
        if (!merge)
            return mismatch(f, c, p, merge, err);
        f->type = c->type;
        return true;
    }
    if (f->type == LML_VECTOR && c->type == LML_STRUCT)
        return struct_matches(f, c) || mismatch(f, c, p, merge, err);
    if (f->type != c->type || (f->type == LML_DECIMAL && (f->precision != c->precision || f->scale != c->scale)))
        return mismatch(f, c, p, merge, err);
    if (f->type == LML_STRUCT)
        return conform_struct(f, c, p, merge, depth, err);
    if (f->type == LML_LIST || f->type == LML_MAP) {
        if (f->nchildren != (f->type == LML_MAP ? 2u : 1u))
            return lml_error_set(err, LML_EINVAL, "%s: a %s field without its children", lml_delta_path_str(p, b),
                                 lml_type_name(f->type));
        lml_delta_path ep = {f->type == LML_MAP ? "key" : "element", p}, vp = {"value", p};
        if (f->type == LML_LIST)
            return conform(&f->children[0], c->children[0], &ep, merge, depth + 1, err);
        return conform(&f->children[0], lml_column_map_keys(c), &ep, merge, depth + 1, err) &&
               conform(&f->children[1], lml_column_map_values(c), &vp, merge, depth + 1, err);
    }
    return true;
}

bool lml_delta_schema_check_write(const lml_delta_schema *table, const lml_frame *in, bool merge,
                                  lml_delta_schema *merged, lml_error *err)
{
    lml_delta_schema work;
    if (!lml_delta_schema_copy(table, &work, err))
        return false;
    size_t k = in->ncols;
    const char **names = calloc(k ? k : 1, sizeof *names), **metas = calloc(k ? k : 1, sizeof *metas);
    lml_column **cols = calloc(k ? k : 1, sizeof *cols);
    bool ok = names && metas && cols;
    if (!ok)
        lml_error_set(err, LML_ENOMEM, "out of memory checking a write of %zu columns", k);
    for (size_t i = 0; ok && i < k; i++)
        names[i] = in->fields[i].name, metas[i] = in->fields[i].metadata, cols[i] = in->fields[i].col;
    ok = ok && conform_fields(&work.fields, &work.nfields, k, names, cols, metas, NULL, merge, 0, err);
    free(names);
    free(metas);
    free(cols);
    if (ok && merged)
        *merged = work;
    else
        lml_delta_schema_clear(&work);
    if (!ok && merged)
        memset(merged, 0, sizeof *merged);
    return ok;
}

/* The schema side of the Parquet writer (spec/parquet.md §9.1, §10): Spark's Parquet schema for a
 * frame, the Spark schema JSON of the footer (with ML attribute metadata and the VectorUDT /
 * MatrixUDT declarations) and each leaf's path_in_schema. writer.c fixes these from the first batch. */
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"
#include "io/parquet/writer_internal.h"
#include "lakeml/version.h"

#define SPARK_ROW_METADATA "org.apache.spark.sql.parquet.row.metadata"
#define VECTOR_UDT_SQLTYPE                                                                                   \
    "{\"type\":\"udt\",\"class\":\"org.apache.spark.ml.linalg.VectorUDT\",\"pyClass\":\"pyspark.ml.linalg." \
    "VectorUDT\",\"sqlType\":{\"type\":\"struct\",\"fields\":[{\"name\":\"type\",\"type\":\"byte\","       \
    "\"nullable\":false,\"metadata\":{}},{\"name\":\"size\",\"type\":\"integer\",\"nullable\":true,"       \
    "\"metadata\":{}},{\"name\":\"indices\",\"type\":{\"type\":\"array\",\"elementType\":\"integer\","     \
    "\"containsNull\":false},\"nullable\":true,\"metadata\":{}},{\"name\":\"values\",\"type\":{\"type\":"  \
    "\"array\",\"elementType\":\"double\",\"containsNull\":false},\"nullable\":true,\"metadata\":{}}]}}"

/* Spark ML's MatrixUDT (ml/persist writes matrices as this struct; Spark's model loaders
 * pattern-match on Matrix, so the row metadata must name the UDT). */
#define MATRIX_UDT_SQLTYPE                                                                                   \
    "{\"type\":\"udt\",\"class\":\"org.apache.spark.ml.linalg.MatrixUDT\",\"pyClass\":\"pyspark.ml.linalg." \
    "MatrixUDT\",\"sqlType\":{\"type\":\"struct\",\"fields\":[{\"name\":\"type\",\"type\":\"byte\","       \
    "\"nullable\":false,\"metadata\":{}},{\"name\":\"numRows\",\"type\":\"integer\",\"nullable\":false,"     \
    "\"metadata\":{}},{\"name\":\"numCols\",\"type\":\"integer\",\"nullable\":false,\"metadata\":{}},"       \
    "{\"name\":\"colPtrs\",\"type\":{\"type\":\"array\",\"elementType\":\"integer\",\"containsNull\":false},"  \
    "\"nullable\":true,\"metadata\":{}},{\"name\":\"rowIndices\",\"type\":{\"type\":\"array\",\"elementType\":" \
    "\"integer\",\"containsNull\":false},\"nullable\":true,\"metadata\":{}},{\"name\":\"values\",\"type\":"     \
    "{\"type\":\"array\",\"elementType\":\"double\",\"containsNull\":false},\"nullable\":true,\"metadata\":{}}," \
    "{\"name\":\"isTransposed\",\"type\":\"boolean\",\"nullable\":false,\"metadata\":{}}]}}"

/* A top-level struct with exactly MatrixUDT's fields, names and types is declared as that UDT. */
static bool is_matrix_struct(const lml_column *c) {
    static const char *const names[7] = {"type", "numRows", "numCols", "colPtrs", "rowIndices", "values",
                                         "isTransposed"};
    static const lml_type types[7] = {LML_INT8, LML_INT32, LML_INT32, LML_LIST, LML_LIST, LML_LIST, LML_BOOL};
    if (c->type != LML_STRUCT || c->nchildren != 7) return false;
    for (size_t i = 0; i < 7; i++)
        if (strcmp(c->child_names[i], names[i]) != 0 || c->children[i]->type != types[i]) return false;
    return c->children[3]->children[0]->type == LML_INT32 && c->children[4]->children[0]->type == LML_INT32 &&
           c->children[5]->children[0]->type == LML_DOUBLE;
}

/* One leaf of one row group, with the level and value arrays it owns. */

/* ---------------------------------------------------------------- schema and footer pieces */

/* Spark's StructType JSON (as DataFrame.schema.json prints it), every field nullable, with the
 * field's ML attribute metadata so Spark and lakeml recover nominal/vector attributes. */
static char *spark_schema_json(const lml_frame *f, lml_error *err) {
    lml_strbuf sb = {0};
    lml_strbuf_puts(&sb, "{\"type\":\"struct\",\"fields\":[");
    for (size_t i = 0; i < f->ncols; i++) {
        const char *meta = f->fields[i].metadata;
        lml_strbuf_puts(&sb, i ? ",{\"name\":" : "{\"name\":");
        lml_pq_json_string(&sb, f->fields[i].name);
        lml_strbuf_puts(&sb, ",\"type\":");
        if (f->fields[i].col->type == LML_VECTOR) lml_strbuf_puts(&sb, VECTOR_UDT_SQLTYPE);
        else if (is_matrix_struct(f->fields[i].col)) lml_strbuf_puts(&sb, MATRIX_UDT_SQLTYPE);
        else lml_pq_spark_type_json(f->fields[i].col, &sb);
        lml_strbuf_printf(&sb, ",\"nullable\":true,\"metadata\":%s}", meta && *meta ? meta : "{}");
    }
    lml_strbuf_puts(&sb, "]}");
    return lml_strbuf_finish(&sb, err);
}

static bool add_element(lml_pq_file_meta *m, const char *name, int rep, int32_t type, int nchildren,
                        lml_error *err) {
    lml_pq_schema_element *e = &m->schema[m->num_schema];
    memset(e, 0, sizeof *e);
    if (!(e->name = lml_strdup(name, err))) return false;
    m->num_schema++;
    if (rep >= 0) e->has_repetition = true, e->repetition = rep;
    if (type >= 0) e->has_type = true, e->type = type;
    if (nchildren >= 0) e->has_num_children = true, e->num_children = nchildren;
    return true;
}

static void annotate(lml_pq_schema_element *e, int converted, int logical) {
    e->has_converted_type = true;
    e->converted_type = converted;
    e->logical.kind = logical;
}

/* Spark's Parquet schema for the frame (§9.1): every column optional; a vector is the VectorUDT
 * struct {required int32 type (INT_8), optional int32 size, optional LIST indices, optional
 * LIST values} (§5.6). */
static bool build_schema(const lml_frame *f, size_t nleaves, lml_pq_file_meta *m, lml_error *err) {
    size_t n = 1;
    for (size_t i = 0; i < f->ncols; i++) n += lml_pq_schema_count(f->fields[i].col);
    if (!(m->schema = calloc(n, sizeof *m->schema)) || !(m->column_orders = calloc(nleaves, sizeof(int32_t))))
        return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
    m->num_column_orders = nleaves;
    for (size_t k = 0; k < nleaves; k++) m->column_orders[k] = 1; /* TYPE_ORDER */
    if (!add_element(m, "spark_schema", -1, -1, (int)f->ncols, err)) return false;
    for (size_t i = 0; i < f->ncols; i++) {
        lml_type t = f->fields[i].col->type;
        const char *name = f->fields[i].name;
        if (t != LML_VECTOR) {
            if (!lml_pq_schema_add(f->fields[i].col, name, LML_PQ_OPTIONAL, m, err)) return false;
            continue;
        }
        if (!add_element(m, name, LML_PQ_OPTIONAL, -1, 4, err) ||
            !add_element(m, "type", LML_PQ_REQUIRED, LML_PQ_INT32, -1, err))
            return false;
        lml_pq_schema_element *e = &m->schema[m->num_schema - 1];
        annotate(e, LML_PQ_CT_INT_8, LML_PQ_LT_INTEGER);
        e->logical.bit_width = 8;
        e->logical.is_signed = true;
        if (!add_element(m, "size", LML_PQ_OPTIONAL, LML_PQ_INT32, -1, err)) return false;
        static const char *const lists[2] = {"indices", "values"};
        for (int k = 0; k < 2; k++) {
            if (!add_element(m, lists[k], LML_PQ_OPTIONAL, -1, 1, err)) return false;
            annotate(&m->schema[m->num_schema - 1], LML_PQ_CT_LIST, LML_PQ_LT_LIST);
            if (!add_element(m, "list", LML_PQ_REPEATED, -1, 1, err) ||
                !add_element(m, "element", LML_PQ_REQUIRED, k ? LML_PQ_DOUBLE : LML_PQ_INT32, -1, err))
                return false;
        }
    }
    return true;
}

/* path_in_schema of leaf k of column i. */
bool lml_pq_writer_leaf_path(const lml_column *col, const char *name, size_t k, lml_pq_column_meta *cm, lml_error *err) {
    if (col->type != LML_VECTOR) return lml_pq_leaf_path(col, name, k, &cm->path_in_schema, &cm->path_len, err);
    static const char *const vec[4][4] = {
        {"type"}, {"size"}, {"indices", "list", "element"}, {"values", "list", "element"}};
    size_t n = k < 2 ? 2 : 4;
    if (!(cm->path_in_schema = calloc(n, sizeof(char *)))) return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
    cm->path_len = n;
    for (size_t j = 0; j < n; j++)
        if (!(cm->path_in_schema[j] = lml_strdup(j ? vec[k][j - 1] : name, err))) return false;
    return true;
}


/* "column 'v.values.list.element'": how messages name leaf k of the column. */
char *lml_pq_writer_leaf_what(const lml_column *col, const char *name, size_t k, lml_error *err) {
    lml_pq_column_meta cm = {0};
    bool ok = lml_pq_writer_leaf_path(col, name, k, &cm, err);
    lml_strbuf sb = {0};
    lml_strbuf_puts(&sb, "column '");
    for (size_t p = 0; p < cm.path_len; p++) {
        if (p) lml_strbuf_putc(&sb, '.');
        if (cm.path_in_schema[p]) lml_strbuf_puts(&sb, cm.path_in_schema[p]);
        free(cm.path_in_schema[p]);
    }
    free(cm.path_in_schema);
    lml_strbuf_putc(&sb, '\'');
    if (!ok) {
        lml_strbuf_free(&sb);
        return NULL;
    }
    return lml_strbuf_finish(&sb, err);
}

bool lml_pq_writer_footer_init(const lml_frame *f, size_t nleaves, lml_pq_file_meta *m, lml_error *err) {
    m->version = 1;
    lml_strbuf sb = {0};
    lml_strbuf_printf(&sb, "lakeml version %s", LML_VERSION_STRING);
    if (!(m->created_by = lml_strbuf_finish(&sb, err))) return false;
    if (!(m->kv = calloc(1, sizeof *m->kv))) return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
    m->num_kv = 1;
    if (!(m->kv[0].key = lml_strdup(SPARK_ROW_METADATA, err)) || !(m->kv[0].value = spark_schema_json(f, err)))
        return false;
    return build_schema(f, nleaves, m, err);
}

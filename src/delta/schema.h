/* A Delta table schema (delta.md §3: metaData.schemaString, Spark's StructType JSON) as a tree
 * of fields with frame types, column-mapping facts, and the checks writes need (§8.3).
 * Internal header. */
#ifndef LML_DELTA_SCHEMA_H
#define LML_DELTA_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lakeml/error.h"
#include "lakeml/frame.h"

typedef struct lml_delta_field {
    char *name;
    lml_type type;             /* frame type; "void" → LML_STRING kept all-null (is_void); a udt → its sqlType */
    int precision, scale;      /* decimal(p,s) */
    bool nullable;             /* for list elements: containsNull; map values: valueContainsNull */
    bool is_void;
    char *metadata;            /* the field's metadata object as compact JSON ("{}" when empty) */
    char *physical_name;       /* delta.columnMapping.physicalName, or NULL */
    bool has_id;
    int64_t id;                /* delta.columnMapping.id */
    /* A udt type ({"type":"udt","class":…,"pyClass":…,"sqlType":…}): its class and pyClass (NULL
     * when absent), kept so the schema serializes back unchanged; the field's type and children
     * describe the sqlType. Spark ML's VectorUDT (org.apache.spark.ml.linalg / mllib.linalg) is
     * LML_VECTOR with the sqlType struct's four fields (type, size, indices, values) as children. */
    char *udt_class;
    char *udt_pyclass;
    /* struct: one child per field; list: children[0] is the element ("element"); map:
     * children[0] the key ("key"), children[1] the value ("value"). */
    struct lml_delta_field *children;
    size_t nchildren;
} lml_delta_field;

typedef struct lml_delta_schema {
    lml_delta_field *fields;
    size_t nfields;
} lml_delta_schema;

/* Parses a schemaString. Unknown primitive type names are LML_EUNSUPPORTED naming the type and
 * field; malformed JSON or a shape that is not a StructType is LML_EFORMAT. */
bool lml_delta_schema_parse(const char *json, lml_delta_schema *out, lml_error *err);
/* Serializes as Spark does (DataFrame.schema.json: {"type":"struct","fields":[{"name","type",
 * "nullable","metadata"}…]}, decimal as "decimal(p,s)", nested array/map/struct objects). malloc'd. */
char *lml_delta_schema_to_json(const lml_delta_schema *s, lml_error *err);
/* The schema of a frame (every field nullable; field metadata kept; vectors as Spark's VectorUDT
 * udt, LML_VECTOR with the sqlType struct's fields as children). Each column's type is the one
 * the Parquet writer puts in its footer (lml_pq_spark_type_json), so to_json of this schema is the
 * writer's `org.apache.spark.sql.parquet.row.metadata` text. A vector nested in a list/struct/map
 * is LML_EUNSUPPORTED; struct fields differing only by case, or column metadata that is not a
 * JSON object, LML_EINVAL. */
bool lml_delta_schema_from_frame(const lml_frame *f, lml_delta_schema *out, lml_error *err);
bool lml_delta_schema_copy(const lml_delta_schema *src, lml_delta_schema *dst, lml_error *err);
void lml_delta_schema_clear(lml_delta_schema *s);

/* Top-level field by name, case-insensitively; -1 when absent. */
long lml_delta_schema_find(const lml_delta_schema *s, const char *name);
/* The Spark type text of a field ("long", "decimal(10,2)", "array<string>", "struct<a:integer>",
 * "map<string,long>", "void", "vector") for messages. malloc'd. */
char *lml_delta_field_type_string(const lml_delta_field *f, lml_error *err);

/* An all-null column of the field's type with n rows (a column a data file does not have):
 * nested fields give null rows over empty (list/map) or all-null (struct) children; a void field
 * an all-null string column; a vector field all-null dense vectors of size 0. */
lml_column *lml_delta_field_null_column(const lml_delta_field *f, size_t n, lml_error *err);
/* True when column col has exactly the field's type (nested types compared field by field, by
 * name case-insensitively, in any order; decimals by precision and scale; nullability is not
 * compared). A void field matches any all-null column; a vector field matches a vector column or
 * a struct column shaped as its sqlType (what the Parquet reader returns for a VectorUDT). */
bool lml_delta_field_matches(const lml_delta_field *f, const lml_column *col);

/* Schema enforcement for a write of frame `in` into table schema `table` (§8.3): every input
 * column must exist in the table with the same type, no two input names may differ only by
 * case (top level or inside structs); table fields missing from the input (top level or nested
 * struct fields) must be nullable; a top-level NOT NULL column must hold no nulls. With merge,
 * new input columns (and new nested struct fields) are appended, nullable, to a copy of the table
 * schema, and NullType/byte/short/int widening follows §8.3 (void takes the input's type; a wider
 * byte/short/int input widens the field). A narrower byte/short/int input than the field passes
 * in both modes without changing the schema: the writer must cast such a column (detect it with
 * !lml_delta_field_matches). merged may be NULL; otherwise it receives the resulting schema (a
 * copy of table when nothing changed; zeroed on failure). Errors are LML_ETYPE (type mismatch,
 * naming the column and both types), LML_EINVAL (unknown column without merge, a missing or null
 * NOT NULL column, names differing only by case, naming them) or LML_EUNSUPPORTED (a nested
 * vector to add). */
bool lml_delta_schema_check_write(const lml_delta_schema *table, const lml_frame *in, bool merge,
                                  lml_delta_schema *merged, lml_error *err);

#endif

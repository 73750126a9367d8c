/* What schema.c (parsing, serializing) and schema_write.c (frames, null columns, write checks)
 * share: field paths for messages, the VectorUDT texts, and the parsing steps the write side
 * reuses to describe a column. Internal to src/delta/schema*.c. */
#ifndef LML_DELTA_SCHEMA_INTERNAL_H
#define LML_DELTA_SCHEMA_INTERNAL_H

#include <cjson/cJSON.h>
#include "delta/schema.h"

/* Deeper than any real schema; keeps recursion on hostile input bounded (cJSON allows 1000). */
#define LML_DELTA_SCHEMA_MAX_DEPTH 64
#define LML_DELTA_VECTOR_UDT_CLASS "org.apache.spark.ml.linalg.VectorUDT"
#define LML_DELTA_VECTOR_UDT_PYCLASS "pyspark.ml.linalg.VectorUDT"
/* Spark ML's VectorUDT sqlType, as the Parquet writer (writer.c) puts it in its footer. */
#define LML_DELTA_VECTOR_SQLTYPE                                                                          \
    "{\"type\":\"struct\",\"fields\":[{\"name\":\"type\",\"type\":\"byte\",\"nullable\":false,"         \
    "\"metadata\":{}},{\"name\":\"size\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}},"       \
    "{\"name\":\"indices\",\"type\":{\"type\":\"array\",\"elementType\":\"integer\",\"containsNull\":"   \
    "false},\"nullable\":true,\"metadata\":{}},{\"name\":\"values\",\"type\":{\"type\":\"array\","        \
    "\"elementType\":\"double\",\"containsNull\":false},\"nullable\":true,\"metadata\":{}}]}"

/* A field's place in the schema ("a.b.element"), built on the stack and printed only for errors. */
typedef struct lml_delta_path {
    const char *name;
    const struct lml_delta_path *up;
} lml_delta_path;

/* Two path texts may be needed in one message, hence a caller-owned buffer. */
#define LML_DELTA_PATHBUF 192
/* "a.b.element", or "(root)" for NULL. */
const char *lml_delta_path_str(const lml_delta_path *p, char buf[LML_DELTA_PATHBUF]);

void lml_delta_field_free(lml_delta_field *f);
/* Room for k zeroed fields. */
lml_delta_field *lml_delta_fields_alloc(size_t k, lml_error *err);
/* Sets name (copied), nullable and empty metadata "{}". */
bool lml_delta_field_set_name(lml_delta_field *f, const char *name, bool nullable, lml_error *err);
/* Names unique case-insensitively (§3), else `code` naming the pair and the place p. */
bool lml_delta_check_unique(const char *const *names, size_t n, const lml_delta_path *p, lml_errcode code,
                            lml_error *err);
/* The Spark type JSON t (a name or a type object) into f's type, children and udt class. */
bool lml_delta_parse_type(const cJSON *t, lml_delta_field *f, const lml_delta_path *p, int depth, lml_error *err);
/* A field's metadata object m (NULL → "{}") into f->metadata, with column-mapping id / physicalName. */
bool lml_delta_parse_metadata(const cJSON *m, lml_delta_field *f, const lml_delta_path *p, lml_error *err);

#endif

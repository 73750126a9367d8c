/* Spark's ML attribute metadata (field metadata key "ml_attr", spec §3) — read and written as
 * the JSON text a frame keeps per field (lml_frame_column_metadata), e.g.
 * {"ml_attr":{"type":"nominal","name":"SexIndex","vals":["male","female"]}}. Internal header. */
#ifndef LML_ML_ATTR_H
#define LML_ML_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include "lakeml/error.h"

typedef enum lml_attr_type { LML_ATTR_NUMERIC = 0, LML_ATTR_NOMINAL, LML_ATTR_BINARY } lml_attr_type;

typedef struct lml_attr {
    lml_attr_type type;
    char *name;     /* NULL when unnamed */
    long idx;       /* position in a vector, -1 for a scalar column */
    char **vals;    /* nominal/binary labels, or NULL */
    size_t nvals;
    long num_vals;  /* nominal without labels: the count; -1 when unknown */
} lml_attr;

typedef struct lml_attr_group {
    long num_attrs; /* vector size, -1 when unknown */
    lml_attr *attrs; /* per-slot attributes (sorted by idx; may be fewer than num_attrs) */
    size_t nattrs;
} lml_attr_group;

/* Number of values of a nominal/binary scalar attribute in `metadata` (nvals, else num_vals,
 * binary → 2), or -1 when metadata is NULL, has no ml_attr, or is numeric. Classifiers use it for
 * numClasses; OneHotEncoder for category counts. Malformed JSON is an LML_EFORMAT error (-2). */
long lml_attr_num_values(const char *metadata, lml_error *err);

/* Parses a scalar attribute; *present = false when metadata has no ml_attr. */
bool lml_attr_parse(const char *metadata, lml_attr *out, bool *present, lml_error *err);
/* Parses a vector column's attribute group; *present = false when there is none. */
bool lml_attr_group_parse(const char *metadata, lml_attr_group *out, bool *present, lml_error *err);
/* The metadata JSON text (malloc'd) for a scalar attribute / a group. */
char *lml_attr_to_json(const lml_attr *a, lml_error *err);
char *lml_attr_group_to_json(const lml_attr_group *g, lml_error *err);
void lml_attr_clear(lml_attr *a);
void lml_attr_group_clear(lml_attr_group *g);

#endif

/* lakeml — the Arrow C Data Interface: frames leave and enter lakeml as ArrowSchema + ArrowArray
 * (a struct array with one child per column), readable by DuckDB, pyarrow, polars … without an
 * Arrow library. Exported buffers are the column's own (no copy); the release callbacks drop the
 * column references, so the consumer may outlive the frame. */
#ifndef LAKEML_ARROW_H
#define LAKEML_ARROW_H

#include <stdint.h>
#include "error.h"
#include "frame.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};

struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

/* Exports f as a struct array ("+s") whose children are its columns; field metadata (ML
 * attributes) travels as Arrow field metadata under the key "ml_attr". The caller owns *schema
 * and *array and calls their release callbacks. */
LML_API bool lml_arrow_export_frame(const lml_frame *f, struct ArrowSchema *schema, struct ArrowArray *array,
                                    lml_error *err);
/* Exports one column. */
LML_API bool lml_arrow_export_column(const lml_column *col, const char *name, struct ArrowSchema *schema,
                                     struct ArrowArray *array, lml_error *err);

/* Imports a struct array as a frame. Takes ownership of *array (moves it: array->release is set
 * to NULL) and borrows *schema. Buffers are copied when not 64-byte aligned or when the array
 * has a non-zero offset; types lakeml has no column for are an LML_EUNSUPPORTED error naming
 * the field and its format string. */
LML_API lml_frame *lml_arrow_import_frame(const struct ArrowSchema *schema, struct ArrowArray *array, lml_error *err);
LML_API lml_column *lml_arrow_import_column(const struct ArrowSchema *schema, struct ArrowArray *array,
                                            lml_error *err);

#ifdef __cplusplus
}
#endif
#endif

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

/* How lakeml types travel (format strings of the Arrow C Data Interface):
 *   bool "b" · int32 "i" · int64 "l" · double "g" · string "u" (int32 offsets) · date "tdD" ·
 *   timestamp "tsu:UTC" · dense vector: fixed-size list "+w:<size>" of "g" ·
 *   sparse vector: Spark's VectorUDT struct "+s" {type: int8 "c" (0 = sparse), size: int32 "i",
 *   indices: large list "+L" of "i", values: large list "+L" of "g"}. The lists are large lists
 *   (int64 offsets) because that is the CSR indptr lakeml already holds, so they too leave
 *   without a copy. Every field is flagged nullable; null_count is exact; a column without nulls
 *   has a NULL validity buffer. A field's ML attributes (JSON text) travel as Arrow field
 *   metadata under the key "ml_attr". */

/* Exports f as a struct array ("+s") with one child per column, named as the columns. The
 * arrays point at the columns' own buffers (64-byte aligned, offset 0, no copy) and hold a
 * reference to each column, so the frame may be freed before the consumer is done. Every node
 * (the struct, each column, each child of a vector) has its own release callback and private
 * data, so a consumer may move children out and release them in any order. The caller owns
 * *schema and *array and must call their release callbacks. On failure neither is written. */
LML_API bool lml_arrow_export_frame(const lml_frame *f, struct ArrowSchema *schema, struct ArrowArray *array,
                                    lml_error *err);
/* Exports one column as a top-level array named `name` (NULL: ""), as above. */
LML_API bool lml_arrow_export_column(const lml_column *col, const char *name, struct ArrowSchema *schema,
                                     struct ArrowArray *array, lml_error *err);

/* Imports a struct array ("+s", without null rows) as a frame; unnamed fields become "_c<i>",
 * "ml_attr" field metadata becomes the field's metadata. Takes ownership of *array: it is moved
 * (array->release set to NULL) and released by lakeml, on failure too; *schema is borrowed.
 *
 * Accepted formats: "b"; "i", "l", "g" as they are; "c", "s", "C", "S" widened to int32, "I"
 * to int64, "f" to double; "u" and "U" (large strings, at most 2 GiB per column) as string;
 * "tdD" and "tdm" (ms, floored to days) as date; "tss:", "tsm:", "tsu:", "tsn:" with any or no
 * time zone as timestamp µs (ns floored; the instants are taken as UTC, as Arrow stores them;
 * an s/ms value beyond int64 µs is LML_ERANGE); "+w:<d>" of "g" as a dense vector; Spark's
 * VectorUDT struct {type, size, indices, values} (lists "+l" or "+L") as a vector column, sparse
 * when any row is sparse (all non-null rows must have one size). Anything else ("z", "vu",
 * "+m", dictionaries, other structs …) is an LML_EUNSUPPORTED error naming field and format.
 *
 * Zero copy: a column whose buffers are 64-byte aligned, at offset 0 and whose null slots hold
 * zeros (lakeml's promise to readers) uses the producer's buffers and keeps the array alive
 * until the last such column is freed; any other column is copied into lakeml's own buffers.
 * Array offsets (struct offsets passed down to children, bit offsets in bitmaps) are honoured.
 * The structure is checked before any buffer is read (buffer and child counts, lengths,
 * offsets, null counts, string and list offsets non-decreasing and within their data):
 * violations are LML_EFORMAT errors, never crashes. The interface carries no buffer sizes, so
 * a producer whose buffers are shorter than its own lengths cannot be detected. */
LML_API lml_frame *lml_arrow_import_frame(const struct ArrowSchema *schema, struct ArrowArray *array, lml_error *err);
/* Imports one array of any accepted format as a column, with the same ownership rules. */
LML_API lml_column *lml_arrow_import_column(const struct ArrowSchema *schema, struct ArrowArray *array,
                                            lml_error *err);

#ifdef __cplusplus
}
#endif
#endif

/* Parquet read path internals (column_read.c, schema.c, assemble.c, reader.c): the resolved
 * schema tree, one column chunk decoded to levels + values, and the assembly into frame columns.
 * Internal header. */
#ifndef LML_IO_PARQUET_COLUMN_H
#define LML_IO_PARQUET_COLUMN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lakeml/error.h"
#include "lakeml/frame.h"
#include "meta.h"

/* ---- schema (schema.c) */

/* How a leaf's stored values become frame values (the Spark mapping of spec §8/§9). */
typedef enum lml_pq_conv {
    LML_PQ_CONV_BOOL,      /* BOOLEAN */
    LML_PQ_CONV_I32,       /* INT32 (also INT_32, DATE, TIME_MILLIS) */
    LML_PQ_CONV_I8,        /* INT32 INT(8) → int8, range-checked */
    LML_PQ_CONV_I16,       /* INT32 INT(16) → int16, range-checked */
    LML_PQ_CONV_U8,        /* INT32 UINT(8) → int16 */
    LML_PQ_CONV_U16,       /* INT32 UINT(16) → int32 */
    LML_PQ_CONV_U32,       /* INT32 UINT(32) → int64 */
    LML_PQ_CONV_I64,       /* INT64 (also TIME micros/nanos, plain INT_64) */
    LML_PQ_CONV_U64,       /* INT64 UINT(64) → decimal(20,0) */
    LML_PQ_CONV_TS_MILLIS, /* INT64 TIMESTAMP(MILLIS) → µs */
    LML_PQ_CONV_TS_MICROS,
    LML_PQ_CONV_TS_NANOS,  /* floor division to µs */
    LML_PQ_CONV_INT96,     /* Impala/Spark INT96 timestamp → µs */
    LML_PQ_CONV_FLOAT,     /* FLOAT → float */
    LML_PQ_CONV_DOUBLE,
    LML_PQ_CONV_FLOAT16,   /* FLBA(2) IEEE half → float */
    LML_PQ_CONV_DECIMAL,   /* INT32/INT64/FLBA/BYTE_ARRAY unscaled → decimal128 (precision ≤ 38) */
    LML_PQ_CONV_DECIMAL_DOUBLE, /* the same, wider than 38 digits → double */
    LML_PQ_CONV_BYTES,     /* BYTE_ARRAY / FLBA as string or binary bytes */
    LML_PQ_CONV_UUID,      /* FLBA(16) → "xxxxxxxx-xxxx-…" */
    LML_PQ_CONV_NULL       /* UNKNOWN logical type: an all-null column of the physical type's frame type */
} lml_pq_conv;

typedef struct lml_pq_node {
    const lml_pq_schema_element *el;
    char *path;           /* dotted path from the root's child ("a.b.c") */
    int parent;           /* index into nodes, -1 for the root */
    size_t num_children;  /* children are the later nodes whose parent is this one */
    int def_level, rep_level; /* def_at / rep_at of spec §5.1 (counting this node) */
    bool is_leaf;
    int leaf_index;       /* column chunk index for leaves, -1 otherwise */
} lml_pq_node;

typedef struct lml_pq_rleaf {
    int node;             /* index into nodes */
    const char *path;     /* borrowed from the node */
    int physical, type_length;
    int max_def, max_rep;
    lml_pq_conv conv;
    lml_type type;        /* frame type of the assembled column */
    int scale, precision; /* DECIMAL (precision 20 for UINT(64)) */
    const char *unsupported; /* non-NULL: why this leaf cannot be read (the conversion is refused) */
} lml_pq_rleaf;

typedef struct lml_pq_schema {
    size_t num_nodes;
    lml_pq_node *nodes;   /* nodes[0] = root; depth-first like the file */
    size_t num_leaves;
    lml_pq_rleaf *leaves;
} lml_pq_schema;

/* Builds the tree from the flattened list (validating num_children, names, leaf types) and maps
 * every leaf to a frame type. A leaf whose annotation lakeml refuses keeps a reason in
 * `unsupported` (the file still opens; reading that column fails). */
bool lml_pq_schema_build(const lml_pq_file_meta *m, const char *what, lml_pq_schema *out, lml_error *err);
void lml_pq_schema_clear(lml_pq_schema *s);

/* ---- one column chunk (column_read.c) */

typedef struct lml_pq_rchunk {
    size_t num_levels;     /* level entries (nulls and list slots included) */
    uint32_t *def, *rep;   /* num_levels entries each; NULL when the max level is 0 */
    size_t num_values;     /* stored (non-null) values */
    size_t width;          /* bytes per value in `fixed` (1 for BOOLEAN as 0/1), 0 for BYTE_ARRAY */
    uint8_t *fixed;        /* num_values * width bytes */
    int64_t *off;          /* BYTE_ARRAY: num_values + 1 offsets into bytes */
    uint8_t *bytes;
    size_t level_cap, value_cap, bytes_len, bytes_cap; /* growth bookkeeping */
    /* Flat mode (flat.c): when sink is set, every page's values go straight into rows
     * [sink_from, …) of that frame column, and the levels and values above hold one page at a
     * time — except a string column's bytes, which stay here until lml_pq_flat_finish. */
    lml_column *sink;
    size_t sink_from, sink_row; /* first row of this piece; next row to fill */
} lml_pq_rchunk;

typedef struct lml_pq_rchunk_source {
    const uint8_t *file;   /* the whole file */
    size_t data_end;       /* where the footer starts: no chunk may reach past it */
    const char *what;      /* file name for messages */
    int row_group;
    int64_t num_rows;      /* the row group's rows (flat mode: the chunk must hold exactly these) */
    bool skip_checksums;
} lml_pq_rchunk_source;

/* Reads every page of one column chunk and appends its levels and values to out (zeroed by the
 * caller before the first chunk; chunks of later row groups are appended). Errors name the file,
 * column, row group, page and offset; on failure out is cleared. */
bool lml_pq_rchunk_read(const lml_pq_rchunk_source *src, const lml_pq_column_chunk *cc, const lml_pq_rleaf *leaf,
                       lml_pq_rchunk *out, lml_error *err);
void lml_pq_rchunk_clear(lml_pq_rchunk *c);

/* ---- flat leaves straight into frame columns (flat.c) */

/* True when field node `node` is a leaf without repetition whose stored values are frame values
 * byte for byte (INT32, INT64, FLOAT, DOUBLE, TIMESTAMP micros, BYTE_ARRAY): its column can be
 * allocated for every row up front and filled page by page, with no assembly. */
bool lml_pq_flat_eligible(const lml_pq_schema *s, int node);
/* Moves the page just decoded into out (num_levels entries, num_values values) into out->sink
 * and empties out for the next page; `in_place`: the fixed-width values were decoded into the
 * column's rows already (a page without nulls). Pieces filling disjoint rows of one column may
 * run in parallel. */
bool lml_pq_flat_flush(lml_pq_rchunk *out, const lml_pq_rleaf *leaf, bool in_place, lml_error *err);
/* Completes a flat column from its n pieces (in row order): joins a string column's bytes and
 * rebases its offsets, then seals the column (null count). */
bool lml_pq_flat_finish(lml_column *col, const lml_pq_rchunk *pieces, size_t n, const char *what, const char *path,
                        lml_error *err);

/* ---- row-group pruning (prune.c) */

struct lml_parquet_predicate;
/* True when the statistics of leaf `leaf` (lf) in row group rg prove that no row satisfies p. */
bool lml_pq_rg_pruned(const lml_pq_file_meta *m, const lml_pq_rleaf *lf, size_t leaf, size_t rg,
                      const struct lml_parquet_predicate *p);
/* Whether a predicate value can be compared with the leaf's values (numbers with numbers,
 * strings with string columns). */
bool lml_pq_value_fits(const lml_pq_rleaf *lf, const lml_value *v);

/* ---- assembly (assemble.c) */

/* The frame column of schema node `node` (a child of the root, or any node for tests) from the
 * decoded chunks of its leaves (chunks[i] belongs to leaf i; the chunks of several row groups
 * are appended into one). Primitive, struct, LIST (3-level and the legacy forms of spec §5.4),
 * MAP and unannotated repeated fields at any depth. Inconsistent levels are LML_EFORMAT. */
lml_column *lml_pq_assemble(const lml_pq_schema *s, int node, const lml_pq_rchunk *chunks, const char *what,
                            lml_error *err);
/* The frame type node's column will have (what lml_pq_assemble builds for it). */
lml_type lml_pq_node_type(const lml_pq_schema *s, int node);
/* Rows in a chunk's entries [from, num_levels): entries with repetition level 0. */
size_t lml_pq_rchunk_rows(const lml_pq_rchunk *c, size_t from);

#endif

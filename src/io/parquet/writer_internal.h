/* The Parquet column-chunk encoder (page_write.c) that writer.c drives: one leaf column of one row
 * group in, the chunk's page bytes, statistics and metadata pieces out. Internal header. */
#ifndef LML_IO_PARQUET_WRITER_INTERNAL_H
#define LML_IO_PARQUET_WRITER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "io/parquet/meta.h"
#include "lakeml/error.h"

/* One leaf column of one row group, already shredded into levels (spec §5.8).
 * Value i (0 ≤ i < num_values, one per entry with def == max_def) is source element
 * `sel ? sel[i] : base + i` of the source arrays, so a flat column is written without copying its
 * values: `sel` skips its null slots. */
typedef struct lml_pq_leaf {
    int32_t type;        /* LML_PQ_BOOLEAN, INT32, INT64, FLOAT, DOUBLE, BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY */
    int max_def, max_rep;
    size_t num_levels;   /* level entries (rows for a flat column) */
    const uint8_t *def;  /* num_levels entries; NULL = every entry is max_def */
    const uint8_t *rep;  /* num_levels entries; NULL when max_rep is 0 */
    size_t num_values;
    size_t base;
    const size_t *sel;
    const void *values;      /* BOOLEAN: Arrow bits; INT32: int32_t; INT64: int64_t; FLOAT: float; DOUBLE: double;
                                FIXED_LEN_BYTE_ARRAY: 16-byte LE decimals */
    size_t src_width;        /* bytes of one source element when it differs from the physical width:
                                1/2 (int8/int16 widened to INT32), 16 (decimal128 narrowed to INT32/INT64
                                or written big-endian as FLBA); 0 = the physical width */
    int32_t type_length;     /* FIXED_LEN_BYTE_ARRAY width */
    const int32_t *offsets;  /* BYTE_ARRAY: element j is data[offsets[j], offsets[j+1]) */
    const uint8_t *data;
    const char *what;        /* "column 'x'", for messages */
} lml_pq_leaf;

typedef struct lml_pq_chunk_options {
    int codec;        /* LML_PQ_UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW */
    int level;        /* codec level, 0 = default */
    size_t page_size; /* target bytes of values per data page */
    size_t page_rows; /* most rows per data page */
    bool dictionary;
    size_t dict_limit; /* bytes of PLAIN-encoded dictionary before falling back to PLAIN */
} lml_pq_chunk_options;

/* The encoded chunk: `dict` (empty when no dictionary page) followed by `data` on disk. */
typedef struct lml_pq_chunk {
    uint8_t *dict;
    size_t dict_len, dict_cap;
    uint8_t *data;
    size_t data_len, data_cap;
    int64_t num_values;          /* level entries */
    int64_t uncompressed_size;   /* headers + uncompressed bodies, both parts */
    lml_pq_statistics stats;     /* chunk statistics (owned; writer.c may move them out) */
    int32_t encodings[4];
    size_t num_encodings;
    lml_pq_page_encoding_stats encoding_stats[3];
    size_t num_encoding_stats;
    size_t num_pages;            /* data pages */
} lml_pq_chunk;

/* Encodes the leaf into data pages v1 (levels RLE hybrid; values RLE_DICTIONARY with a PLAIN
 * dictionary page, or PLAIN — per page, falling back when the dictionary passes the limit or does
 * not pay off on the first page), compressed with the codec, each with a CRC and statistics.
 * *out is overwritten; free it with lml_pq_chunk_clear (also after a failure). */
bool lml_pq_chunk_encode(const lml_pq_leaf *leaf, const lml_pq_chunk_options *opt, lml_pq_chunk *out,
                         lml_error *err);
void lml_pq_chunk_clear(lml_pq_chunk *c);

/* ---- schema and shredding of nested columns (shred.c) */

struct lml_column;
struct lml_strbuf;
/* True when the column (and every column nested in it) can be written; vectors only at the top. */
bool lml_pq_writable(const struct lml_column *col, bool top);
/* Leaves (column chunks) and schema elements the column takes; a vector takes 4 and 9. */
size_t lml_pq_leaf_count(const struct lml_column *col);
size_t lml_pq_schema_count(const struct lml_column *col);
/* The physical type of a primitive column (-1 for others), with the leaf's src_width and
 * type_length (see lml_pq_leaf). */
int32_t lml_pq_physical(const struct lml_column *col, size_t *src_width, int32_t *type_length);
/* Appends the column's schema elements (depth-first) to m->schema (sized by the caller) with
 * repetition `rep` for its own element. Not for vectors. */
bool lml_pq_schema_add(const struct lml_column *col, const char *name, int rep, lml_pq_file_meta *m, lml_error *err);
/* Spark's JSON data type of a column (not for vectors), and a JSON string literal. */
void lml_pq_spark_type_json(const struct lml_column *col, struct lml_strbuf *sb);
void lml_pq_json_string(struct lml_strbuf *sb, const char *s);
/* path_in_schema of leaf `leaf` (depth-first) of the column (malloc'd strings). Not for vectors. */
bool lml_pq_leaf_path(const struct lml_column *col, const char *name, size_t leaf, char ***path, size_t *len,
                      lml_error *err);
/* Shreds rows [r0, r0 + n) of leaf `leaf` into *out; *def, *rep and *sel receive the arrays out
 * points to (the caller frees them, also after a failure). Not for vectors. */
bool lml_pq_shred(const struct lml_column *col, const char *name, size_t leaf, size_t r0, size_t n, lml_pq_leaf *out,
                  uint8_t **def, uint8_t **rep, size_t **sel, lml_error *err);
/* Uncompressed bytes of the whole column (an estimate to size row groups). */
size_t lml_pq_column_bytes(const struct lml_column *col);

/* ---- the footer's schema (writer_schema.c) */

struct lml_frame;
/* Spark's Parquet schema, created_by and Spark row-metadata JSON of frames like f into m. */
bool lml_pq_writer_footer_init(const struct lml_frame *f, size_t nleaves, lml_pq_file_meta *m, lml_error *err);
/* path_in_schema of leaf k of a top-level column (vectors included), into cm. */
bool lml_pq_writer_leaf_path(const struct lml_column *col, const char *name, size_t k, lml_pq_column_meta *cm,
                             lml_error *err);
/* Same type all the way down (decimal precision/scale, vector size, struct field names, element,
 * key and value types): what one schema holds across batches. Dense and sparse vectors mix. */
bool lml_pq_same_type(const struct lml_column *a, const struct lml_column *b);
/* "column 'v.values.list.element'", for messages about leaf k. */
char *lml_pq_writer_leaf_what(const struct lml_column *col, const char *name, size_t k, lml_error *err);

#endif

/* lakeml — Parquet files: reading into frames and writing frames (spec: Apache Parquet format).
 *
 * lakeml reads and writes Parquet itself (no Arrow or parquet-mr): the Thrift footer, every
 * standard encoding and codec, nested columns, statistics. Errors name the file, column, row
 * group and page. */
#ifndef LAKEML_PARQUET_H
#define LAKEML_PARQUET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "frame.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- reading */

/* An open Parquet file: its footer decoded and its bytes mapped; the data pages are read only
 * when a column is asked for. Safe to read from several threads once opened. */
typedef struct lml_parquet_file lml_parquet_file;

/* Opens `path`, checks the magic bytes and decodes the footer and schema. Errors: LML_EIO
 * naming the file when it cannot be opened or read; LML_EFORMAT when it is not Parquet,
 * truncated or its footer is corrupt; LML_EUNSUPPORTED for encrypted files. Close with
 * lml_parquet_close. */
LML_API lml_parquet_file *lml_parquet_open(const char *path, lml_error *err);
/* Unmaps and frees the file (NULL is a no-op). Frames already read stay valid. */
LML_API void lml_parquet_close(lml_parquet_file *f);

/* Footer facts. Row counts come from the row groups (not the file-level count, which some
 * writers leave at 0). Strings are borrowed from f and live until lml_parquet_close. */
LML_API int64_t lml_parquet_num_rows(const lml_parquet_file *f);
LML_API size_t lml_parquet_num_row_groups(const lml_parquet_file *f);
LML_API int64_t lml_parquet_row_group_num_rows(const lml_parquet_file *f, size_t i);
/* The writer ("parquet-mr version 1.13.1 (build …)"), or NULL when absent. */
LML_API const char *lml_parquet_created_by(const lml_parquet_file *f);
/* File-level key/value metadata: entry i (value may be NULL), and the value of `key` (NULL when
 * the key is absent or has no value). */
LML_API size_t lml_parquet_num_metadata(const lml_parquet_file *f);
LML_API bool lml_parquet_metadata_at(const lml_parquet_file *f, size_t i, const char **key, const char **value);
LML_API const char *lml_parquet_metadata_get(const lml_parquet_file *f, const char *key);

/* The top-level fields (the columns a read returns), with Spark's type mapping: INT96 and
 * TIMESTAMP adjusted to UTC (millis, micros, nanos) → timestamp µs; TIMESTAMP not adjusted →
 * timestamp_ntz µs; DATE → date; DECIMAL(p ≤ 38) → decimal(p,s), wider → double; FLOAT and
 * FLOAT16 → float; INT(8) → byte, INT(16) → short, UINT(8) → short, UINT(16) → integer, UINT(32)
 * → long, UINT(64) → decimal(20,0); TIME → its stored integer (ms/µs/ns since midnight); STRING,
 * ENUM, JSON → string; UUID → string "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"; other byte arrays →
 * binary; LIST (3-level and legacy forms) and bare repeated fields → array, MAP → map, groups →
 * struct. `supported` is false (with a reason) for a field lakeml cannot read (e.g. INTERVAL);
 * reading it fails with LML_EUNSUPPORTED. A value outside its annotation (an INT(8) of 300) is
 * LML_ERANGE on read. */
typedef struct lml_parquet_field {
    const char *name;
    lml_type type;
    bool nullable;
    bool supported;
    const char *unsupported_reason; /* NULL when supported */
    bool has_field_id;
    int32_t field_id;               /* the schema element's field_id (Delta column mapping id mode) */
} lml_parquet_field;
LML_API size_t lml_parquet_num_fields(const lml_parquet_file *f);
/* Field i (borrowed), or NULL when i is out of range. */
LML_API const lml_parquet_field *lml_parquet_field_at(const lml_parquet_file *f, size_t i);

/* Row-group pruning on one column's footer statistics: a row group is skipped only when its
 * min/max/null_count prove that no row can satisfy `column op value`. Rows of the row groups
 * that remain are all returned (this is not a row filter). Statistics that cannot be trusted are
 * ignored (NaN bounds, deprecated min/max of string columns unless equal, INT96, unsigned and
 * decimal columns, byte-array statistics of parquet-mr before 1.8). Supported columns: byte,
 * short, integer, long, date, timestamp(_ntz), float, double and string columns at the top level;
 * a predicate on another column prunes nothing. */
typedef enum lml_parquet_op {
    LML_PQ_OP_EQ = 0, LML_PQ_OP_LT, LML_PQ_OP_LE, LML_PQ_OP_GT, LML_PQ_OP_GE,
    LML_PQ_OP_IS_NULL, LML_PQ_OP_IS_NOT_NULL
} lml_parquet_op;
typedef struct lml_parquet_predicate {
    const char *column;
    lml_parquet_op op;
    lml_value value; /* compared in the column's type; ints compare with longs and doubles */
} lml_parquet_predicate;

/* Read options; a NULL pointer or a zero-initialised struct reads every column of every row
 * group and verifies page checksums. */
typedef struct lml_parquet_read_options {
    const char *const *columns;       /* NULL-terminated top-level field names (case-insensitive), or NULL = all */
    const size_t *row_groups;         /* indexes of the row groups to read, in that order, or NULL = all */
    size_t num_row_groups;            /* entries in row_groups */
    const lml_parquet_predicate *predicate; /* NULL = no pruning */
    bool skip_checksums;              /* true: do not verify page CRCs */
} lml_parquet_read_options;

/* Reads the selected columns of the selected row groups of an open file into one frame (columns
 * in the order asked for, or the file's order). Errors: LML_ENOTFOUND for an unknown column name
 * or LML_EINVAL for a row-group index out of range; LML_EFORMAT for corrupt pages (checksum
 * mismatch included), naming file, column, row group, page and offset; LML_EUNSUPPORTED for a
 * codec, encoding or type lakeml does not handle. */
LML_API lml_frame *lml_parquet_file_read(const lml_parquet_file *f, const lml_parquet_read_options *opt, lml_error *err);
/* Opens path, reads it with opt and closes it. */
LML_API lml_frame *lml_parquet_read(const char *path, const lml_parquet_read_options *opt, lml_error *err);
/* Reads one row group (columns NULL-terminated or NULL = all): for streaming a large file one row
 * group at a time. */
LML_API lml_frame *lml_parquet_read_row_group(const lml_parquet_file *f, size_t i, const char *const *columns,
                                              lml_error *err);

/* ---- footer facts for tools */

/* The footer of a Parquet file as plain facts, for tools that print them (`lakeml schema
 * --parquet-meta`, like parquet-tools meta). Independent of lml_parquet_file: it reads only the
 * footer of `path`. */
typedef struct lml_parquet_footer lml_parquet_footer;

/* One row group: rows and sizes as the footer states them (-1 when the footer omits
 * total_compressed_size). */
typedef struct lml_parquet_row_group_info {
    int64_t num_rows;
    int64_t total_byte_size;       /* uncompressed bytes of all its column chunks */
    int64_t total_compressed_size; /* -1 when absent */
    size_t num_columns;
} lml_parquet_row_group_info;

/* One column chunk. Strings are borrowed from the footer and live until lml_parquet_footer_free.
 * min/max are formatted by physical type: integers in decimal, FLOAT/DOUBLE in their shortest
 * round-trip text, BOOLEAN as true/false, byte arrays as "quoted text" when they are printable
 * UTF-8 (longer than 64 bytes: cut, with "..."), otherwise as 0x-prefixed hex; INT96 as hex. They
 * come from the statistics' min_value/max_value, or the deprecated min/max when those are absent. */
typedef struct lml_parquet_chunk_info {
    const char *path;          /* path_in_schema joined with '.', e.g. "a.list.element" */
    const char *physical_type; /* "INT32", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY", or "UNKNOWN(n)" */
    const char *encodings;     /* "PLAIN,RLE,RLE_DICTIONARY" in footer order; "" when the list is empty */
    const char *codec;         /* "UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD",
                                  "LZ4_RAW", or "UNKNOWN(n)" */
    int64_t num_values;
    int64_t compressed_size, uncompressed_size;
    const char *min, *max;     /* NULL when the statistics carry no bound */
    bool has_null_count;
    int64_t null_count;
} lml_parquet_chunk_info;

/* Reads and decodes the footer of the Parquet file `path`. Errors: LML_EIO naming the file when it
 * cannot be opened or read; LML_EFORMAT (naming the file) when the magic bytes, the footer length
 * or the footer itself is wrong; LML_EUNSUPPORTED for an encrypted footer; LML_ENOMEM. Free with
 * lml_parquet_footer_free (NULL is a no-op). */
LML_API lml_parquet_footer *lml_parquet_footer_read(const char *path, lml_error *err);
LML_API void lml_parquet_footer_free(lml_parquet_footer *ft);
LML_API size_t lml_parquet_footer_num_row_groups(const lml_parquet_footer *ft);
/* Fills *out for row group rg; false when rg is out of range. */
LML_API bool lml_parquet_footer_row_group(const lml_parquet_footer *ft, size_t rg, lml_parquet_row_group_info *out);
/* Fills *out for column chunk col of row group rg; false when either index is out of range or the
 * chunk has no column metadata. */
LML_API bool lml_parquet_footer_chunk(const lml_parquet_footer *ft, size_t rg, size_t col,
                                      lml_parquet_chunk_info *out);

/* ---- writing */

/* Compression codec of the written pages (Spark's spark.sql.parquet.compression.codec). */
typedef enum lml_parquet_codec {
    LML_PARQUET_SNAPPY = 0, /* Spark's default; also what a zero-initialised options struct means */
    LML_PARQUET_UNCOMPRESSED,
    LML_PARQUET_GZIP,
    LML_PARQUET_ZSTD,       /* level 3, as parquet-mr */
    LML_PARQUET_LZ4_RAW
} lml_parquet_codec;

/* Writer options. A zero-initialised struct (or a NULL pointer) means Spark's / parquet-mr's
 * defaults: SNAPPY, row groups of about 128 MiB, pages of about 1 MiB (and at most 20,000 rows),
 * dictionary encoding on with a 1 MiB dictionary page limit (a column chunk whose dictionary
 * grows past it falls back to PLAIN for its remaining pages). */
typedef struct lml_parquet_write_options {
    lml_parquet_codec codec;
    int compression_level;       /* 0 = the codec's default */
    size_t row_group_size;       /* bytes of uncompressed data per row group; 0 = 128 MiB */
    size_t page_size;            /* bytes per data page; 0 = 1 MiB */
    size_t page_row_limit;       /* rows per data page; 0 = 20,000 */
    bool disable_dictionary;     /* true = PLAIN only */
    size_t dictionary_page_size; /* dictionary limit in bytes; 0 = 1 MiB */
} lml_parquet_write_options;

/* Writes frame f to the Parquet file `path` the way Spark writes a DataFrame: message
 * `spark_schema`, every column optional (nullable), boolean → BOOLEAN, integer → INT32, long →
 * INT64, double → DOUBLE, string → BYTE_ARRAY (STRING), date → INT32 (DATE), timestamp → INT64
 * TIMESTAMP(UTC, MICROS) (Spark's TIMESTAMP_MICROS output type), binary → BYTE_ARRAY, array →
 * 3-level LIST (`list`/`element`), map → MAP (`key_value`, required `key`, optional `value`),
 * struct → group (nested fields all optional), vector (top level only) → Spark ML's VectorUDT
 * struct {type INT_8, size, indices list, values list}; the Spark schema JSON (with each field's ML
 * attribute metadata) in the footer key `org.apache.spark.sql.parquet.row.metadata`; data page v1
 * with statistics and CRC; created_by "lakeml version <LML_VERSION_STRING>".
 *
 * The file is written under a temporary name in the same directory, fsync'd and renamed into
 * place, so a reader never sees a partial file; an existing file at `path` is replaced. On failure
 * nothing is left behind. Errors: LML_EINVAL (NULL frame/path, no columns, bad options),
 * LML_EUNSUPPORTED (a column Parquet output cannot hold: a struct without fields, a vector nested
 * in another column; reported before any file is created), LML_EIO (naming the path and
 * the system's reason), LML_ENOMEM. opt may be NULL. */
LML_API bool lml_parquet_write(const lml_frame *f, const char *path, const lml_parquet_write_options *opt,
                               lml_error *err);

/* ---- writing batch by batch (lml_parquet_write is open + one write + close) */

typedef struct lml_parquet_writer lml_parquet_writer;
/* Starts writing a Parquet file at path batch by batch (options as lml_parquet_write; the
 * temporary file beside path is created here, so a directory that cannot be written fails now).
 * Nothing is visible at path until lml_parquet_writer_close. opt may be NULL. */
LML_API lml_parquet_writer *lml_parquet_writer_open(const char *path, const lml_parquet_write_options *opt,
                                                    lml_error *err);
/* Appends f's rows. The first batch fixes the schema (columns, types, ML attribute metadata for the
 * Spark row-metadata key; its errors are lml_parquet_write's); later batches must have the same
 * column names (in order) and types all the way down (else LML_EINVAL naming the column, and the
 * writer stays usable). Rows are buffered and written as row groups of about opt->row_group_size
 * uncompressed bytes (rows per group = row_group_size over the average row of the buffered rows
 * plus the batch), so memory stays about one row group plus one batch whatever the number of
 * batches. A frame written as one batch is cut into exactly the row groups lml_parquet_write
 * makes. Any other failure (I/O) leaves the writer able only to be aborted or closed (close then
 * fails). */
LML_API bool lml_parquet_writer_write(lml_parquet_writer *w, const lml_frame *f, lml_error *err);
/* Writes the remaining rows and the footer, fsyncs, renames into place (replacing a file at path);
 * frees w whatever happens (on failure nothing is left behind and a file already at path is
 * untouched). LML_EINVAL when no batch was written (no schema). */
LML_API bool lml_parquet_writer_close(lml_parquet_writer *w, lml_error *err);
/* Frees w and removes its temporary file: path is left as it was. NULL is a no-op. */
LML_API void lml_parquet_writer_abort(lml_parquet_writer *w);

#ifdef __cplusplus
}
#endif

#endif

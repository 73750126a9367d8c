/* lakeml — columns and frames.
 *
 * A column is an immutable, reference-counted array in Apache Arrow's memory layout: an
 * optional validity bitmap (LSB first, bit set = value present), a values buffer (bit-packed for
 * bool; int32 days for date; int64 microseconds since the epoch, UTC, for timestamp), and for
 * strings int32 offsets[n+1] into UTF-8 bytes. Every buffer is 64-byte aligned.
 * A vector column (ML features) holds either a dense row-major n × size block of doubles or CSR
 * (indptr[n+1], indices, values).
 *
 * A frame is an ordered list of named columns (fields). Frame operations return new frames that
 * share the unchanged columns with their input; frames and columns are safe to read from several
 * threads at once. */
#ifndef LAKEML_FRAME_H
#define LAKEML_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lml_type {
    LML_BOOL = 0,
    LML_INT32,
    LML_INT64,
    LML_DOUBLE,
    LML_STRING,
    LML_DATE,      /* int32 days since 1970-01-01 */
    LML_TIMESTAMP, /* int64 microseconds since 1970-01-01T00:00:00Z */
    LML_VECTOR
} lml_type;

/* Spark's SQL name of the type as printSchema() shows it: "boolean", "integer", "long",
 * "double", "string", "date", "timestamp", "vector". */
LML_API const char *lml_type_name(lml_type type);
/* Parses a type name: Spark's names above plus "int", "bigint", "bool", "float64", "str". */
LML_API bool lml_type_parse(const char *name, lml_type *out);

/* One cell, for reading single values and for fill values. `str` is borrowed. */
typedef struct lml_value {
    lml_type type;
    bool is_null;
    union {
        bool b;
        int32_t i32; /* int32 and date */
        int64_t i64; /* int64 and timestamp */
        double f64;
        struct { const char *ptr; size_t len; } str;
    } v;
} lml_value;

/* ---------------------------------------------------------------- columns */

typedef struct lml_column lml_column;

/* Takes one more reference; returns col. Columns are freed when the last reference goes. */
LML_API lml_column *lml_column_retain(const lml_column *col);
/* Drops one reference (NULL is a no-op). */
LML_API void lml_column_free(lml_column *col);

LML_API lml_type lml_column_type(const lml_column *col);
LML_API size_t lml_column_length(const lml_column *col);
LML_API size_t lml_column_null_count(const lml_column *col);
/* True when row i holds no value. */
LML_API bool lml_column_is_null(const lml_column *col, size_t i);
/* The Arrow validity bitmap, or NULL when the column has no nulls. */
LML_API const uint8_t *lml_column_validity(const lml_column *col);

/* Raw values (the caller checks the type; the wrong type returns NULL). Null slots hold 0. */
LML_API const double *lml_column_doubles(const lml_column *col);
LML_API const int32_t *lml_column_int32s(const lml_column *col);  /* int32 and date */
LML_API const int64_t *lml_column_int64s(const lml_column *col);  /* int64 and timestamp */
LML_API const uint8_t *lml_column_bool_bits(const lml_column *col);
LML_API bool lml_column_bool_at(const lml_column *col, size_t i);
/* String row i (not NUL-terminated); *len receives its length. */
LML_API const char *lml_column_string_at(const lml_column *col, size_t i, size_t *len);
LML_API const int32_t *lml_column_string_offsets(const lml_column *col);
LML_API const char *lml_column_string_data(const lml_column *col);
/* Row i as a value (strings borrowed from the column). */
LML_API lml_value lml_column_get(const lml_column *col, size_t i);
/* Row i as a double: numeric and bool columns converted, NaN for null or non-numeric. */
LML_API double lml_column_get_double(const lml_column *col, size_t i);

/* Vector columns. */
LML_API size_t lml_column_vector_size(const lml_column *col);  /* elements per row */
LML_API bool lml_column_vector_is_sparse(const lml_column *col);
LML_API const double *lml_column_vector_dense(const lml_column *col); /* n × size, row-major */
LML_API const int64_t *lml_column_vector_indptr(const lml_column *col); /* CSR, n + 1 */
LML_API const int32_t *lml_column_vector_indices(const lml_column *col);
LML_API const double *lml_column_vector_values(const lml_column *col);

/* A column made from a plain array (copied). `validity` may be NULL (no nulls). */
LML_API lml_column *lml_column_from_doubles(const double *values, const uint8_t *validity, size_t n, lml_error *err);
LML_API lml_column *lml_column_from_int32s(const int32_t *values, const uint8_t *validity, size_t n, lml_error *err);
LML_API lml_column *lml_column_from_int64s(const int64_t *values, const uint8_t *validity, size_t n, lml_error *err);
/* Strings from NUL-terminated C strings; a NULL entry is a null. */
LML_API lml_column *lml_column_from_strings(const char *const *values, size_t n, lml_error *err);
/* Dense vectors: n rows × size, row-major (copied). */
LML_API lml_column *lml_column_vector_from_dense(const double *values, size_t n, size_t size, lml_error *err);
/* CSR vectors (copied); indices within each row strictly increasing and < size. */
LML_API lml_column *lml_column_vector_from_csr(const int64_t *indptr, const int32_t *indices, const double *values,
                                               size_t n, size_t size, lml_error *err);

/* ---------------------------------------------------------------- builders */

/* Appends values one by one; `finish` seals the column. For producers (CSV, Parquet, ML). */
typedef struct lml_column_builder lml_column_builder;

/* type must not be LML_VECTOR. capacity_hint may be 0. */
LML_API lml_column_builder *lml_column_builder_new(lml_type type, size_t capacity_hint, lml_error *err);
LML_API void lml_column_builder_free(lml_column_builder *b);
LML_API bool lml_column_builder_append_null(lml_column_builder *b, lml_error *err);
LML_API bool lml_column_builder_append_bool(lml_column_builder *b, bool v, lml_error *err);
LML_API bool lml_column_builder_append_int32(lml_column_builder *b, int32_t v, lml_error *err); /* int32, date */
LML_API bool lml_column_builder_append_int64(lml_column_builder *b, int64_t v, lml_error *err); /* int64, timestamp */
LML_API bool lml_column_builder_append_double(lml_column_builder *b, double v, lml_error *err);
LML_API bool lml_column_builder_append_string(lml_column_builder *b, const char *s, size_t len, lml_error *err);
/* Appends a value of the builder's type (a null value appends a null). */
LML_API bool lml_column_builder_append_value(lml_column_builder *b, const lml_value *v, lml_error *err);
/* Seals and returns the column, and frees the builder (also on failure). */
LML_API lml_column *lml_column_builder_finish(lml_column_builder *b, lml_error *err);

/* ---------------------------------------------------------------- frames */

typedef struct lml_frame lml_frame;

/* A frame of ncols columns with the given names. Each column gains a reference; all must have
 * the same length; names must be distinct (Spark compares them case-insensitively). */
LML_API lml_frame *lml_frame_new(size_t ncols, const char *const *names, lml_column *const *cols, lml_error *err);
LML_API void lml_frame_free(lml_frame *f);
/* A second handle to the same frame (shares everything). */
LML_API lml_frame *lml_frame_retain(const lml_frame *f);

LML_API size_t lml_frame_num_rows(const lml_frame *f);
LML_API size_t lml_frame_num_cols(const lml_frame *f);
LML_API const char *lml_frame_column_name(const lml_frame *f, size_t i);
LML_API const lml_column *lml_frame_column(const lml_frame *f, size_t i);
/* Index of the named column (case-insensitive, as Spark), or -1. */
LML_API long lml_frame_column_index(const lml_frame *f, const char *name);
/* The named column, or NULL with LML_ENOTFOUND naming the column and the frame's columns. */
LML_API const lml_column *lml_frame_column_by_name(const lml_frame *f, const char *name, lml_error *err);
/* Spark-style ML attribute metadata of a field (a JSON object as text), or NULL. */
LML_API const char *lml_frame_column_metadata(const lml_frame *f, size_t i);
/* A frame equal to f with field i's metadata replaced (json NULL removes it). */
LML_API lml_frame *lml_frame_with_metadata(const lml_frame *f, const char *name, const char *json, lml_error *err);

/* ---------------------------------------------------------------- operations
 * Each returns a new frame (free it with lml_frame_free) and leaves f unchanged.
 * Column lists are NULL-terminated arrays of names. */

LML_API lml_frame *lml_frame_select(const lml_frame *f, const char *const *names, lml_error *err);
LML_API lml_frame *lml_frame_drop(const lml_frame *f, const char *const *names, lml_error *err);
/* Adds col as `name`, replacing a column of that name in place (Spark's withColumn). */
LML_API lml_frame *lml_frame_with_column(const lml_frame *f, const char *name, lml_column *col, lml_error *err);
/* Renames a column; a missing `from` is not an error (Spark returns the frame unchanged). */
LML_API lml_frame *lml_frame_with_column_renamed(const lml_frame *f, const char *from, const char *to, lml_error *err);
/* Keeps rows where the bool column `mask` is true (null counts as false). */
LML_API lml_frame *lml_frame_filter(const lml_frame *f, const lml_column *mask, lml_error *err);
/* Rows [offset, offset + n) (clamped to the frame). */
LML_API lml_frame *lml_frame_slice(const lml_frame *f, size_t offset, size_t n, lml_error *err);
/* The first n rows (Spark's limit(n)). */
LML_API lml_frame *lml_frame_head(const lml_frame *f, size_t n, lml_error *err);
LML_API size_t lml_frame_count(const lml_frame *f);

/* Spark's na.drop(how, thresh, subset): a row is kept iff it has at least `thresh` values in
 * `subset` that are non-null and (for doubles) non-NaN. thresh < 0 derives it from how:
 * "any" (default when how is NULL) → |subset|, "all" → 1. subset NULL → every column. */
typedef struct lml_na_drop_options {
    const char *how;
    int thresh;                 /* < 0: unset. Note: a zero-initialised struct sets thresh 0. */
    const char *const *subset;  /* NULL-terminated, or NULL */
} lml_na_drop_options;
/* opts NULL = Spark's na.drop() defaults (how any, every column). */
LML_API lml_frame *lml_frame_drop_nulls(const lml_frame *f, const lml_na_drop_options *opts, lml_error *err);

/* Spark's na.fill: each entry names a column and the value to put in its nulls (and, for a
 * double column, its NaNs). The value is cast to the column's type as Spark does; a value that
 * cannot fill the column (a string into a double column) is an LML_ETYPE error. */
typedef struct lml_fill {
    const char *column;
    lml_value value;
} lml_fill;
LML_API lml_frame *lml_frame_fill_nulls(const lml_frame *f, const lml_fill *fills, size_t nfills, lml_error *err);

/* Spark's randomSplit(weights, seed) for single-partition data, row for row: the rows are sorted
 * by every orderable column (ascending, nulls first), then one XORShiftRandom(seed) draw per row
 * picks the split whose cumulative normalised weight range holds it. Writes k frames to out. */
LML_API bool lml_frame_random_split(const lml_frame *f, const double *weights, size_t k, uint64_t seed,
                                    lml_frame **out, lml_error *err);

/* The distinct values of one column, in order of first appearance, as a one-column frame. */
LML_API lml_frame *lml_frame_distinct(const lml_frame *f, const char *column, lml_error *err);

/* Casts a column to `type` with Spark's cast rules (unparsable strings become null). */
LML_API lml_frame *lml_frame_cast(const lml_frame *f, const char *column, lml_type type, lml_error *err);

/* Spark's describe(cols…): a frame of strings with a `summary` column (count, mean, stddev, min,
 * max) and one column per numeric or string column (cols NULL → all of them). */
LML_API lml_frame *lml_frame_describe(const lml_frame *f, const char *const *cols, lml_error *err);

/* ---------------------------------------------------------------- printing (to a caller's stream) */

/* Spark's printSchema(): "root\n |-- Age: double (nullable = true)\n…". Returns a malloc'd string. */
LML_API char *lml_frame_schema_string(const lml_frame *f, lml_error *err);
/* Spark's show(n, truncate): truncate > 0 cuts cells to that width (Spark's default 20),
 * 0 does not cut. Returns a malloc'd string. */
LML_API char *lml_frame_show_string(const lml_frame *f, size_t n, int truncate, lml_error *err);
/* The same, written to `out`. */
LML_API bool lml_frame_print_schema(const lml_frame *f, FILE *out, lml_error *err);
LML_API bool lml_frame_show(const lml_frame *f, FILE *out, size_t n, int truncate, lml_error *err);

/* Formats one cell as Spark's show() does (doubles as Java's Double.toString, dates
 * yyyy-MM-dd, timestamps yyyy-MM-dd HH:mm:ss[.ffffff], vectors as Spark's toString).
 * Writes at most cap bytes including the NUL; returns the full length. */
LML_API size_t lml_format_value(const lml_column *col, size_t i, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif

/* lakeml — columns and frames.
 *
 * A column is an immutable, reference-counted array in Apache Arrow's memory layout: an
 * optional validity bitmap (LSB first, bit set = value present), a values buffer (bit-packed for
 * bool; int32 days for date; int64 microseconds since the epoch, UTC, for timestamp), and for
 * strings int32 offsets[n+1] into UTF-8 bytes. Every buffer is 64-byte aligned.
 * A vector column (ML features) holds either a dense row-major n × size block of doubles or CSR
 * (indptr[n+1], indices, values).
 *
 * Binary, list, struct and map columns, and float/byte/short/timestamp_ntz/decimal columns,
 * are described with their constructors below (Arrow's layouts for each).
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
    LML_VECTOR,
    LML_BINARY,    /* Spark "binary": bytes, laid out like LML_STRING (int32 offsets + bytes) */
    LML_LIST,      /* Spark array<T>: int32 offsets[n+1] into one child column (the elements) */
    LML_STRUCT,    /* Spark struct<...>: named child columns of the column's length */
    LML_MAP,       /* Spark map<K,V>: int32 offsets[n+1] into a child struct {key, value} */
    LML_FLOAT,     /* Spark "float": IEEE binary32 */
    LML_INT8,      /* Spark "byte" */
    LML_INT16,     /* Spark "short" */
    LML_TIMESTAMP_NTZ, /* Spark "timestamp_ntz": int64 µs since 1970-01-01T00:00:00, wall clock, no zone */
    LML_DECIMAL    /* Spark decimal(p,s), p ≤ 38: 16-byte little-endian two's-complement unscaled
                      values (Arrow decimal128); precision and scale belong to the column */
} lml_type;

/* Spark's SQL name of the type as printSchema() shows it: "boolean", "integer", "long",
 * "double", "string", "date", "timestamp", "vector", "binary", "array", "struct", "map",
 * "float", "byte", "short", "timestamp_ntz", "decimal". (A nested column's element/field types
 * are described by its children; a decimal column's full name, "decimal(10,2)", comes from
 * lml_column_type_string.) */
LML_API const char *lml_type_name(lml_type type);
/* Parses a type name: Spark's names above plus "int", "bigint", "bool", "float64", "str",
 * "tinyint", "smallint", "float32" (not array/struct/map/decimal, which need parameters). */
LML_API bool lml_type_parse(const char *name, lml_type *out);

/* One cell, for reading single values and for fill values. `str` is borrowed. */
typedef struct lml_value {
    lml_type type;
    bool is_null;
    union {
        bool b;
        int32_t i32; /* int32, date, and int8/int16 (widened) */
        int64_t i64; /* int64, timestamp, timestamp_ntz */
        double f64;  /* double, and float (widened exactly) */
        struct { const char *ptr; size_t len; } str; /* string; binary bytes */
        struct { uint64_t lo; int64_t hi; int precision, scale; } dec; /* decimal: unscaled = hi·2^64 + lo */
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
LML_API const int64_t *lml_column_int64s(const lml_column *col);  /* int64, timestamp, timestamp_ntz */
LML_API const float *lml_column_floats(const lml_column *col);
LML_API const int8_t *lml_column_int8s(const lml_column *col);
LML_API const int16_t *lml_column_int16s(const lml_column *col);
/* Decimal values: 16 bytes per row, little-endian two's complement (Arrow decimal128). */
LML_API const uint8_t *lml_column_decimals(const lml_column *col);
/* A decimal column's precision (1..38) and scale (0..precision); 0 for other columns. */
LML_API int lml_column_decimal_precision(const lml_column *col);
LML_API int lml_column_decimal_scale(const lml_column *col);
/* The column's type as Spark's printSchema shows it ("decimal(10,2)", else lml_type_name).
 * Writes at most cap bytes including the NUL; returns buf. */
LML_API const char *lml_column_type_string(const lml_column *col, char *buf, size_t cap);
LML_API const uint8_t *lml_column_bool_bits(const lml_column *col);
LML_API bool lml_column_bool_at(const lml_column *col, size_t i);
/* String row i (not NUL-terminated); *len receives its length. */
LML_API const char *lml_column_string_at(const lml_column *col, size_t i, size_t *len);
LML_API const int32_t *lml_column_string_offsets(const lml_column *col);
LML_API const char *lml_column_string_data(const lml_column *col);
/* Row i as a value (strings borrowed from the column). For binary, v.str holds the bytes
 * (borrowed, not text). For list, struct and map columns get returns only the type and is_null:
 * read their contents through the children (lml_column_child and friends below). */
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
LML_API lml_column *lml_column_from_floats(const float *values, const uint8_t *validity, size_t n, lml_error *err);
LML_API lml_column *lml_column_from_int8s(const int8_t *values, const uint8_t *validity, size_t n, lml_error *err);
LML_API lml_column *lml_column_from_int16s(const int16_t *values, const uint8_t *validity, size_t n, lml_error *err);
/* Microseconds since 1970-01-01T00:00:00 of a wall clock (no time zone). */
LML_API lml_column *lml_column_from_timestamps_ntz(const int64_t *values, const uint8_t *validity, size_t n,
                                                   lml_error *err);
/* Decimals: values holds 16 bytes per row (little-endian two's complement unscaled values).
 * 1 ≤ precision ≤ 38, 0 ≤ scale ≤ precision; every present value must have at most `precision`
 * digits (LML_EINVAL naming the row otherwise). Null rows' bytes are ignored (stored as 0). */
LML_API lml_column *lml_column_from_decimals(const uint8_t *values, const uint8_t *validity, size_t n, int precision,
                                             int scale, lml_error *err);
/* Strings from NUL-terminated C strings; a NULL entry is a null. */
LML_API lml_column *lml_column_from_strings(const char *const *values, size_t n, lml_error *err);
/* Dense vectors: n rows × size, row-major (copied). */
LML_API lml_column *lml_column_vector_from_dense(const double *values, size_t n, size_t size, lml_error *err);
/* CSR vectors (copied); indices within each row strictly increasing and < size. */
LML_API lml_column *lml_column_vector_from_csr(const int64_t *indptr, const int32_t *indices, const double *values,
                                               size_t n, size_t size, lml_error *err);

/* ---------------------------------------------------------------- binary and nested columns
 *
 * Layout (Arrow's): a binary column is int32 offsets[n+1] + bytes, exactly like a string column
 * but not text. A list column has int32 offsets[n+1] into one child column: row i holds child rows
 * [offsets[i], offsets[i+1]); a null row's range is ignored (lakeml's operations make it
 * empty). A struct column has
 * named child columns, each of the struct's length, and its own validity (a null struct row may
 * hold anything in its children; readers must check the struct's validity first). A map column
 * has int32 offsets[n+1] into one child struct column named "entries" whose two children,
 * "key" and "value", hold the keys (never null) and values. Children are ordinary columns
 * (reference-counted); nesting is arbitrary (a list of structs of maps …).
 *
 * Constructors copy `offsets` and `validity` (validity may be NULL: no nulls; bit i set = row i
 * present, LSB first) and take one new reference on each child column (the caller keeps its
 * own). List and map offsets: offsets[0] ≥ 0 (it need not be 0), non-decreasing, and
 * offsets[n] ≤ the child's length; the child may hold rows no offset reaches. The new column's
 * null count is computed from validity. Errors: LML_EINVAL naming the bad offset/row, the child or the name. */

/* Binary values: row i is bytes data[offsets[i] .. offsets[i+1]) (both copied). offsets has
 * n + 1 entries, offsets[0] == 0, non-decreasing, offsets[n] = total bytes (≤ INT32_MAX). */
LML_API lml_column *lml_column_from_binary(const int32_t *offsets, const uint8_t *data, const uint8_t *validity,
                                           size_t n, lml_error *err);
/* Row i of a binary column (*len receives its length), or NULL for another type. */
LML_API const uint8_t *lml_column_binary_at(const lml_column *col, size_t i, size_t *len);

/* A list column of n rows (offsets has n + 1 entries) over `child`. */
LML_API lml_column *lml_column_list_new(const int32_t *offsets, const uint8_t *validity, size_t n,
                                        lml_column *child, lml_error *err);
/* A struct column of n rows with nchildren fields: names (distinct, non-empty, copied) and
 * children (each of length n). nchildren may be 0 (a struct with no fields). */
LML_API lml_column *lml_column_struct_new(size_t n, size_t nchildren, const char *const *names,
                                          lml_column *const *children, const uint8_t *validity, lml_error *err);
/* A map column of n rows: row i holds the entries keys[k], values[k] for k in
 * [offsets[i], offsets[i+1]). keys and values have the same length; keys hold no nulls. */
LML_API lml_column *lml_column_map_new(const int32_t *offsets, const uint8_t *validity, size_t n,
                                       lml_column *keys, lml_column *values, lml_error *err);

/* Children: a list has one ("element"), a struct one per field, a map one (the "entries"
 * struct). Other columns have none. The returned columns are borrowed from col. */
LML_API size_t lml_column_num_children(const lml_column *col);
LML_API const lml_column *lml_column_child(const lml_column *col, size_t i);
/* The name of child i: the struct's field name, "element" for a list, "entries" for a map. */
LML_API const char *lml_column_child_name(const lml_column *col, size_t i);
/* The struct child named `name` (exact match), or NULL. */
LML_API const lml_column *lml_column_struct_field(const lml_column *col, const char *name);
/* List and map offsets (length + 1 entries; binary and string offsets also), or NULL. */
LML_API const int32_t *lml_column_offsets(const lml_column *col);
/* A map's keys and values columns (children of its entries struct), or NULL. */
LML_API const lml_column *lml_column_map_keys(const lml_column *col);
LML_API const lml_column *lml_column_map_values(const lml_column *col);

/* ---------------------------------------------------------------- builders */

/* Appends values one by one; `finish` seals the column. For producers (CSV, Parquet, ML). */
typedef struct lml_column_builder lml_column_builder;

/* type must be one of the first seven scalar types (bool … timestamp): not vector, binary,
 * nested or the narrower/decimal types, which producers build with the lml_column_from_*
 * constructors. capacity_hint may be 0. */
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
/* Spark's unionByName: the rows of frames[0], frames[1], … frames[n-1] in order, as one new
 * frame. Every frame must have the same set of column names (compared case-insensitively, in
 * any order); the result has frame 0's column order, names and metadata. Matching columns must
 * have the same type all the way down (decimal precision/scale, vector size, struct field names);
 * dense and sparse vector columns mix (sparse if any part is). n == 1 returns a new reference to
 * frames[0]. Linear in the total size, so many small frames (one per data file) concatenate
 * cheaply. Errors: LML_EINVAL for n == 0, a NULL frame, or a column missing from / extra in a
 * frame (naming the column and the frame's index); LML_ETYPE naming the column and both types;
 * LML_ERANGE when a string/binary/list/map column outgrows its int32 offsets. */
LML_API lml_frame *lml_frame_union_by_name(const lml_frame *const *frames, size_t n, lml_error *err);
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

/* The distinct values of one column, in order of first appearance, as a one-column frame.
 * Arrays and structs compare element by element; a column holding a map anywhere is an
 * LML_ETYPE error (Spark has no equality on maps). */
LML_API lml_frame *lml_frame_distinct(const lml_frame *f, const char *column, lml_error *err);

/* Casts a column to `type` with Spark's cast rules (unparsable strings become null). Float, byte,
 * short, timestamp_ntz and decimal columns cast only to string (their show() text); binary,
 * array, struct and map columns, and casts to any of the newer types, are LML_ETYPE errors
 * naming the column and both types. */
LML_API lml_frame *lml_frame_cast(const lml_frame *f, const char *column, lml_type type, lml_error *err);

/* Spark's describe(cols…): a frame of strings with a `summary` column (count, mean, stddev, min,
 * max) and one column per numeric or string column (cols NULL → all of them). */
LML_API lml_frame *lml_frame_describe(const lml_frame *f, const char *const *cols, lml_error *err);

/* ---------------------------------------------------------------- printing (to a caller's stream) */

/* Spark's printSchema(): "root\n |-- Age: double (nullable = true)\n…", nested types with their
 * elements/fields/key/value indented beneath (" |    |-- element: integer (containsNull =
 * true)"); every nullable flag is true, as Spark reports any schema read from files.
 * Returns a malloc'd string. */
LML_API char *lml_frame_schema_string(const lml_frame *f, lml_error *err);
/* Spark's show(n, truncate): truncate > 0 cuts cells to that width (Spark's default 20),
 * 0 does not cut. Returns a malloc'd string. */
LML_API char *lml_frame_show_string(const lml_frame *f, size_t n, int truncate, lml_error *err);
/* The same, written to `out`. */
LML_API bool lml_frame_print_schema(const lml_frame *f, FILE *out, lml_error *err);
LML_API bool lml_frame_show(const lml_frame *f, FILE *out, size_t n, int truncate, lml_error *err);

/* Formats one cell as Spark 3.5's show() does (doubles as Java's Double.toString, floats as
 * Float.toString, dates yyyy-MM-dd, timestamps yyyy-MM-dd HH:mm:ss[.ffffff], decimals with every
 * digit of their scale, vectors as Spark's toString, binary as "[01 02 0A]", arrays
 * "[1, 2, NULL]", structs "{1, a}", maps "{a -> 1, b -> NULL}"; nulls "NULL").
 * Writes at most cap bytes including the NUL; returns the full length. */
LML_API size_t lml_format_value(const lml_column *col, size_t i, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif

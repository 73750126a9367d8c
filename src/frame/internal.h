/* Column and frame internals, shared by src/frame and the producers in src/io (never installed).
 * A producer that knows its sizes up front allocates a column with lml_column_alloc, fills the
 * buffers directly (several threads may fill disjoint rows), then calls lml_column_seal. */
#ifndef LML_FRAME_INTERNAL_H
#define LML_FRAME_INTERNAL_H

#include <stdatomic.h>
#include "lakeml/frame.h"

#define LML_ALIGN 64

struct lml_column {
    atomic_long refs;
    lml_type type;
    size_t length;
    size_t null_count;
    uint8_t *validity; /* NULL when null_count == 0 */
    void *values;      /* bool: bits; int32/date; int64/timestamp; double; string: UTF-8 bytes;
                          binary: bytes; NULL for list/struct/map */
    int32_t *offsets;  /* string, binary, list, map: length + 1 entries */
    size_t data_len;   /* string, binary: bytes in values */
    /* list: children[0] (elements); map: children[0], a struct {key, value}; struct: one child
     * per field, each of `length` rows. Each child is a counted reference, freed with col.
     * child_names[i] is malloc'd (NULL-free for structs; "element"/"entries" for list/map). */
    lml_column **children;
    char **child_names;
    size_t nchildren;
    int precision, scale; /* decimal only (lml_column_alloc leaves them 0: the producer sets them) */
    /* vector only */
    size_t vec_size;
    bool sparse;
    int64_t *indptr;   /* sparse: length + 1 */
    int32_t *indices;  /* sparse: nnz */
    double *vvalues;   /* dense: length × vec_size; sparse: nnz */
    /* Buffers that belong to someone else (a zero-copy Arrow import): when foreign_release is
     * set, the last lml_column_free calls foreign_release(foreign) instead of freeing them. */
    void *foreign;
    void (*foreign_release)(void *foreign);
};

typedef struct lml_field {
    char *name;
    lml_column *col;
    char *metadata; /* JSON text or NULL */
} lml_field;

struct lml_frame {
    atomic_long refs;
    size_t ncols;
    size_t nrows;
    lml_field *fields;
};

/* 64-byte aligned, zero-filled allocation of n bytes (n == 0 gives a valid pointer); NULL on
 * failure. Free with lml_aligned_free. */
void *lml_aligned_calloc(size_t n);
void *lml_aligned_malloc(size_t n);
void lml_aligned_free(void *p);

/* Bytes of the bit-packed bitmap for n bits, rounded up to whole bytes. */
static inline size_t lml_bitmap_bytes(size_t n) { return (n + 7) / 8; }
static inline bool lml_bit_get(const uint8_t *bits, size_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }
static inline void lml_bit_set(uint8_t *bits, size_t i) { bits[i >> 3] |= (uint8_t)(1u << (i & 7)); }
static inline void lml_bit_clear(uint8_t *bits, size_t i) { bits[i >> 3] &= (uint8_t)~(1u << (i & 7)); }

/* A column of n rows with zeroed buffers: values sized for the type (string_bytes of UTF-8 data
 * and n + 1 offsets for strings and binary; 1/2/4/8/16 bytes per value for int8/int16/
 * int32·date·float/int64·double·timestamp(_ntz)/decimal), and a validity bitmap with every bit
 * CLEAR when with_validity (the producer sets the bit of each present value). A decimal
 * producer sets precision and scale itself. Not for vectors, lists, structs or maps (build those
 * with the public constructors). */
lml_column *lml_column_alloc(lml_type type, size_t n, size_t string_bytes, bool with_validity, lml_error *err);
/* Counts nulls from the bitmap and drops it when there are none. Returns col. */
lml_column *lml_column_seal(lml_column *col);

/* A frame taking ownership of the given fields array (names, metadata and column references). */
lml_frame *lml_frame_adopt(lml_field *fields, size_t ncols, lml_error *err);

/* A copy of f's fields (names, metadata duplicated; one more reference on each column) with
 * room for `extra` more entries, zero-filled. Free with lml_fields_free. */
lml_field *lml_frame_copy_fields(const lml_frame *f, size_t extra, lml_error *err);
void lml_fields_free(lml_field *fields, size_t n);

/* True for list, struct and map columns (their contents live in children). */
static inline bool lml_type_is_nested(lml_type t) { return t == LML_LIST || t == LML_STRUCT || t == LML_MAP; }
/* An empty column shell of `type` and n rows with one reference (src/frame/nested.c). */
lml_column *lml_column_shell(lml_type type, size_t n, lml_error *err);
/* Room for k children and their names on a nested column (k == 0 still allocates): the caller
 * fills them, and a partial fill frees cleanly (src/frame/nested.c). */
bool lml_column_alloc_children(lml_column *c, size_t k, lml_error *err);
/* Frees the children and names of a nested column (src/frame/nested.c). */
void lml_column_free_children(lml_column *col);
/* lml_column_take for list, struct and map columns (src/frame/nested.c). */
lml_column *lml_column_take_nested(const lml_column *col, const size_t *idx, size_t n, lml_error *err);
/* A decimal value (16 bytes, little-endian two's complement) as a double: unscaled / 10^scale. */
double lml_decimal_to_double(const uint8_t *v, int scale);
/* The plain text of a decimal value ("-0.05", "123"): writes at most cap bytes incl. the NUL,
 * returns the full length (≤ 42). (src/frame/scalar.c) */
size_t lml_decimal_format(const uint8_t *v, int scale, char *buf, size_t cap);

/* A new column holding rows idx[0..n) of col (indices < length). */
lml_column *lml_column_take(const lml_column *col, const size_t *idx, size_t n, lml_error *err);
/* A new frame holding rows idx[0..n) of every column of f (names and metadata kept). */
lml_frame *lml_frame_take(const lml_frame *f, const size_t *idx, size_t n, lml_error *err);

/* The rows of cols[0], cols[1], … cols[n-1] in order, as one new column (src/frame/concat.c).
 * Every column must have the same type all the way down (decimal precision and scale, vector
 * size, struct field names in order, element/key/value types); dense and sparse vectors mix
 * (the result is sparse if any part is). Offsets are rebased; a null list/map row becomes empty.
 * n == 1 returns a new reference to cols[0]. Errors: LML_EINVAL for n == 0 or a NULL column,
 * LML_ETYPE naming both types, LML_ERANGE when string/binary bytes or list/map elements pass
 * what int32 offsets can address. */
lml_column *lml_column_concat(const lml_column *const *cols, size_t n, lml_error *err);

/* One value cast to `to` with Spark's (non-ANSI) cast rules (src/frame/cast.c); a result that
 * Spark makes null (an unparsable string) sets out->is_null. `to` must not be LML_STRING or
 * LML_VECTOR unless in has that type already (then out = *in). False with LML_ETYPE when Spark
 * has no such cast. */
bool lml_value_cast(const lml_value *in, lml_type to, lml_value *out, lml_error *err);
/* Proleptic Gregorian year, month (1-12) and day of a day count since 1970-01-01 (Howard
 * Hinnant's civil_from_days). (format.c) */
void lml_civil_from_days(int64_t z, int64_t *y, int *m, int *d);
/* The JVM's d2l (Spark's double → long): toward zero, saturating, NaN → 0. (cast.c) */
int64_t lml_java_d2l(double d);

#endif

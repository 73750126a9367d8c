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
    void *values;      /* bool: bits; int32/date; int64/timestamp; double; string: UTF-8 bytes */
    int32_t *offsets;  /* string only: length + 1 entries */
    size_t data_len;   /* string only: bytes in values */
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
 * and n + 1 offsets for strings), and a validity bitmap with every bit CLEAR when with_validity
 * (the producer sets the bit of each present value). Not for vectors. */
lml_column *lml_column_alloc(lml_type type, size_t n, size_t string_bytes, bool with_validity, lml_error *err);
/* Counts nulls from the bitmap and drops it when there are none. Returns col. */
lml_column *lml_column_seal(lml_column *col);

/* A frame taking ownership of the given fields array (names, metadata and column references). */
lml_frame *lml_frame_adopt(lml_field *fields, size_t ncols, lml_error *err);

/* A copy of f's fields (names, metadata duplicated; one more reference on each column) with
 * room for `extra` more entries, zero-filled. Free with lml_fields_free. */
lml_field *lml_frame_copy_fields(const lml_frame *f, size_t extra, lml_error *err);
void lml_fields_free(lml_field *fields, size_t n);

/* A new column holding rows idx[0..n) of col (indices < length). */
lml_column *lml_column_take(const lml_column *col, const size_t *idx, size_t n, lml_error *err);
/* A new frame holding rows idx[0..n) of every column of f (names and metadata kept). */
lml_frame *lml_frame_take(const lml_frame *f, const size_t *idx, size_t n, lml_error *err);

/* One value cast to `to` with Spark's (non-ANSI) cast rules (src/frame/cast.c); a result that
 * Spark makes null (an unparsable string) sets out->is_null. `to` must not be LML_STRING or
 * LML_VECTOR unless in has that type already (then out = *in). False with LML_ETYPE when Spark
 * has no such cast. */
bool lml_value_cast(const lml_value *in, lml_type to, lml_value *out, lml_error *err);

#endif

/* Thrift compact protocol (spec/parquet.md §2): a bounds-checked reader over a byte range and a
 * writer appending to a growable buffer. Only what Parquet metadata needs, plus skipping of every
 * wire type so that unknown fields of newer writers pass through. Internal header.
 *
 * Reader: every length and count read from the input is checked against the bytes left before
 * the caller can allocate for it; nesting (struct/list/set/map) is limited to
 * LML_PQ_TC_MAX_DEPTH levels so hostile input cannot exhaust the stack. Failures are LML_EFORMAT
 * with a message "<what>: offset <n>: ...".
 *
 * Writer: failures (allocation, nesting too deep) are sticky; the encoder checks once at the end
 * with lml_pq_tc_writer_finish, which keeps the encoding code free of per-call error plumbing. */
#ifndef LML_IO_PARQUET_THRIFT_H
#define LML_IO_PARQUET_THRIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lakeml/error.h"

#define LML_PQ_TC_MAX_DEPTH 64

/* Wire type ids (low nibble of a field header or of a list header). */
enum { LML_PQ_TC_STOP = 0, LML_PQ_TC_TRUE = 1, LML_PQ_TC_FALSE = 2, LML_PQ_TC_I8 = 3, LML_PQ_TC_I16 = 4,
       LML_PQ_TC_I32 = 5, LML_PQ_TC_I64 = 6, LML_PQ_TC_DOUBLE = 7, LML_PQ_TC_BINARY = 8, LML_PQ_TC_LIST = 9,
       LML_PQ_TC_SET = 10, LML_PQ_TC_MAP = 11, LML_PQ_TC_STRUCT = 12, LML_PQ_TC_UUID = 13 };

/* The name of a wire type for messages ("i32", "list", ...); "type <n>" style for unknown ids is
 * not needed because the reader rejects them. */
const char *lml_pq_tc_type_name(int type);

/* ---- reader */

typedef struct lml_pq_tc_reader {
    const uint8_t *start, *p, *end;
    const char *what;                           /* names the input in messages */
    int depth;                                  /* open structs/containers */
    int16_t last_id[LML_PQ_TC_MAX_DEPTH + 1];   /* previous field id per open struct */
} lml_pq_tc_reader;

void lml_pq_tc_reader_init(lml_pq_tc_reader *r, const uint8_t *buf, size_t len, const char *what);
/* Bytes consumed so far / still available. */
static inline size_t lml_pq_tc_offset(const lml_pq_tc_reader *r) { return (size_t)(r->p - r->start); }
static inline size_t lml_pq_tc_left(const lml_pq_tc_reader *r) { return (size_t)(r->end - r->p); }

/* Records LML_EFORMAT "<what>: offset <current>: <message>"; returns false. */
bool lml_pq_tc_fail(const lml_pq_tc_reader *r, lml_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Opens a struct (its own field-id context); fails past the depth limit. */
bool lml_pq_tc_struct_begin(lml_pq_tc_reader *r, lml_error *err);
/* Closes the struct whose STOP lml_pq_tc_read_field just returned. */
void lml_pq_tc_struct_end(lml_pq_tc_reader *r);
/* Reads a field header: *type is LML_PQ_TC_STOP at the end of the struct (then *id is 0),
 * otherwise a valid wire type 1..13 and *id the field id (short delta or long form). */
bool lml_pq_tc_read_field(lml_pq_tc_reader *r, int16_t *id, int *type, lml_error *err);

/* Values. Integers are zigzag varints range-checked for their width; i8 is one raw byte. */
bool lml_pq_tc_read_i8(lml_pq_tc_reader *r, int8_t *v, lml_error *err);
bool lml_pq_tc_read_i16(lml_pq_tc_reader *r, int16_t *v, lml_error *err);
bool lml_pq_tc_read_i32(lml_pq_tc_reader *r, int32_t *v, lml_error *err);
bool lml_pq_tc_read_i64(lml_pq_tc_reader *r, int64_t *v, lml_error *err);
bool lml_pq_tc_read_double(lml_pq_tc_reader *r, double *v, lml_error *err);
/* An unsigned varint of at most 10 bytes. */
bool lml_pq_tc_read_uvarint(lml_pq_tc_reader *r, uint64_t *v, lml_error *err);
/* Binary/string: *data points into the input (not copied); *len was checked against the bytes left. */
bool lml_pq_tc_read_binary(lml_pq_tc_reader *r, const uint8_t **data, size_t *len, lml_error *err);
/* A boolean list element: one byte, 1 = true, anything else false (parquet-mr writes 1/2). */
bool lml_pq_tc_read_bool_elem(lml_pq_tc_reader *r, bool *v, lml_error *err);
/* List or set header. *count is at most the bytes left (every element takes at least one byte;
 * eight for doubles, sixteen for uuids), so callers may allocate count elements safely. */
bool lml_pq_tc_read_list(lml_pq_tc_reader *r, int *elem_type, size_t *count, lml_error *err);
/* Skips one value of wire type `type` (a struct, list, set or map recursively; BOOL field
 * types consume nothing). Respects the depth limit. */
bool lml_pq_tc_skip(lml_pq_tc_reader *r, int type, lml_error *err);

/* ---- writer */

typedef struct lml_pq_tc_writer {
    uint8_t **buf;
    size_t *len, *cap;
    int depth;
    int16_t last_id[LML_PQ_TC_MAX_DEPTH + 1];
    bool failed;    /* an allocation failed or nesting went too deep; later writes are ignored */
    bool too_deep;
} lml_pq_tc_writer;

/* Appends to *buf (realloc'd; *len bytes used of *cap). */
void lml_pq_tc_writer_init(lml_pq_tc_writer *w, uint8_t **buf, size_t *len, size_t *cap);
/* False with LML_ENOMEM (or LML_EINVAL for unbalanced/too deep nesting) if any write failed. */
bool lml_pq_tc_writer_finish(const lml_pq_tc_writer *w, lml_error *err);

void lml_pq_tc_write_raw(lml_pq_tc_writer *w, const void *data, size_t n);
void lml_pq_tc_write_uvarint(lml_pq_tc_writer *w, uint64_t v);
void lml_pq_tc_write_i8(lml_pq_tc_writer *w, int8_t v);
void lml_pq_tc_write_i32(lml_pq_tc_writer *w, int32_t v); /* also i16: same zigzag varint */
void lml_pq_tc_write_i64(lml_pq_tc_writer *w, int64_t v);
void lml_pq_tc_write_double(lml_pq_tc_writer *w, double v);
void lml_pq_tc_write_binary(lml_pq_tc_writer *w, const void *data, size_t n);
/* A field header: short form when the id is 1..15 above the previous id of this struct, else
 * the long form. Boolean fields go through lml_pq_tc_write_bool_field (value in the header). */
void lml_pq_tc_write_field(lml_pq_tc_writer *w, int16_t id, int type);
void lml_pq_tc_write_bool_field(lml_pq_tc_writer *w, int16_t id, bool v);
/* List header: count < 15 in the nibble, else 0xF? and a varint. Boolean elements: type TRUE. */
void lml_pq_tc_write_list(lml_pq_tc_writer *w, int elem_type, size_t count);
/* Opens a struct (after its field header, as a list element, or at top level) / writes its STOP. */
void lml_pq_tc_write_struct_begin(lml_pq_tc_writer *w);
void lml_pq_tc_write_struct_end(lml_pq_tc_writer *w);

/* Shorthands: field header + value. */
void lml_pq_tc_field_i32(lml_pq_tc_writer *w, int16_t id, int32_t v);
void lml_pq_tc_field_i64(lml_pq_tc_writer *w, int16_t id, int64_t v);
void lml_pq_tc_field_binary(lml_pq_tc_writer *w, int16_t id, const void *data, size_t n);
void lml_pq_tc_field_string(lml_pq_tc_writer *w, int16_t id, const char *s);
void lml_pq_tc_field_struct_begin(lml_pq_tc_writer *w, int16_t id);

#endif

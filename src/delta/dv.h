/* Deletion vectors (delta.md §7): Z85, the RoaringBitmapArray portable serialization, and DV
 * files / inline DVs resolved from an add action's descriptor. Internal header. */
#ifndef LML_DELTA_DV_H
#define LML_DELTA_DV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lakeml/error.h"
#include "storage.h"

typedef struct lml_dv_descriptor {
    char storage_type;          /* 'u' (relative, UUID), 'i' (inline), 'p' (absolute path) */
    const char *path_or_inline; /* borrowed */
    bool has_offset;
    int64_t offset;             /* position of the DV's size field in its file (absent: 0; never for 'i') */
    int64_t size_in_bytes;      /* bytes of the serialized bitmap */
    int64_t cardinality;        /* deleted rows */
} lml_dv_descriptor;

/* Deleted row indexes (positions in the data file, 0-based), sorted ascending, distinct. */
typedef struct lml_dv_rows {
    uint64_t *rows;
    size_t n;
} lml_dv_rows;

/* Z85 (ZeroMQ RFC 32; alphabet of §7.5): len must be a multiple of 5; writes len / 5 * 4 bytes.
 * A character outside the alphabet or a group over 2^32 - 1 is LML_EFORMAT naming its position. */
bool lml_z85_decode(const char *s, size_t len, uint8_t *out, lml_error *err);
/* n must be a multiple of 4; writes n / 4 * 5 characters and a NUL. */
void lml_z85_encode(const uint8_t *in, size_t n, char *out);

/* Decodes a serialized RoaringBitmapArray (§7.3: portable magic 1681511377; the legacy native
 * magic 1681511376 is accepted as Spark does) into sorted rows. Every count, offset and length
 * is checked against the buffer: a malformed bitmap is LML_EFORMAT, never a crash. */
bool lml_dv_bitmap_decode(const uint8_t *p, size_t n, lml_dv_rows *out, lml_error *err);
/* Serializes sorted distinct rows in the portable format as Spark writes it (a bucket for every
 * key 0..max, array containers up to 4096 values, bitset containers above, no run containers).
 * *out is malloc'd. */
bool lml_dv_bitmap_encode(const uint64_t *rows, size_t n, uint8_t **out, size_t *len, lml_error *err);

/* The file a 'u' or 'p' descriptor points at (malloc'd): 'u' → <table_root>/<prefix>/
 * deletion_vector_<uuid>.bin; 'p' → the URI-decoded absolute path (file: URIs only).
 * Unknown storage types are LML_EUNSUPPORTED naming the type. */
char *lml_dv_file_path(const char *table_root, const lml_dv_descriptor *d, lml_error *err);
/* The rows a descriptor deletes: inline bytes decoded, or the DV read from its file (version
 * byte 1, big-endian size equal to sizeInBytes, bitmap, big-endian CRC-32 checked), and the row
 * count checked against cardinality. Errors name the file/descriptor. */
bool lml_dv_load(const lml_storage *st, const char *table_root, const lml_dv_descriptor *d, lml_dv_rows *out,
                 lml_error *err);
void lml_dv_rows_clear(lml_dv_rows *r);
/* Writes rows (sorted, distinct) as a new deletion-vector file <table_root>/deletion_vector_<uuid>.bin
 * in Spark's format (version byte 1, big-endian bitmap size, the portable bitmap, big-endian
 * CRC-32 of the bitmap), written to a temporary name, fsync'd and renamed, and describes it in
 * *d: storage type 'u', path_or_inline = the 20-character Z85 encoding of the UUID (in *owned,
 * malloc'd, which d->path_or_inline points to), offset 1, size_in_bytes, cardinality n.
 * lml_dv_load reads it back. */
bool lml_dv_write(const char *table_root, const uint64_t *rows, size_t n, lml_dv_descriptor *d, char **owned,
                  lml_error *err);


#endif

/* Parquet value and level encodings (spec/parquet.md §4): decoders for every encoding a reader
 * meets and encoders for what lakeml writes. Internal header.
 *
 * Decoders read from [p, p + len), never past it; malformed input (a run past the end, a bit
 * width above 32/64, a negative count, an index outside the dictionary) is LML_EFORMAT with `what`
 * (file and column) in the message. Output arrays are the caller's, sized for `n` values. */
#ifndef LML_IO_PARQUET_ENCODING_H
#define LML_IO_PARQUET_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "lakeml/error.h"

/* Byte strings decoded from BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY: value i is data[off[i] ..
 * off[i+1]). data may point into the page (DELTA_LENGTH_BYTE_ARRAY) or into `own` (PLAIN, whose
 * length prefixes interleave with the bytes, and DELTA_BYTE_ARRAY), which the caller frees. */
typedef struct lml_pq_byte_values {
    const uint8_t *data;
    int64_t *off; /* n + 1 entries, caller-allocated */
    uint8_t *own;
} lml_pq_byte_values;

/* ---- output buffers of the encoders (realloc'd; *len bytes used of *cap) */

/* Makes room for `extra` more bytes after *len (LML_ENOMEM on overflow or failure). */
bool lml_pq_reserve(uint8_t **buf, size_t *len, size_t *cap, size_t extra, lml_error *err);
/* Reads an unsigned LEB128 varint at *pos (advanced); false when it runs past len or 64 bits. */
static inline bool lml_pq_read_uleb(const uint8_t *p, size_t len, size_t *pos, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*pos >= len)
            return false;
        uint8_t b = p[(*pos)++];
        if (shift == 63 && b > 1)
            return false;
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return true;
        }
    }
    return false;
}
/* Appends v as an unsigned LEB128 varint; the caller reserved 10 bytes. */
static inline void lml_pq_put_uleb(uint8_t *buf, size_t *len, uint64_t v)
{
    while (v >= 0x80) {
        buf[(*len)++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    buf[(*len)++] = (uint8_t)v;
}

/* ---- RLE / bit-packing hybrid (levels, dictionary indexes, RLE booleans) */

/* Decodes n values of bit_width (0..32) from the hybrid stream [p, p + len) into out.
 * *used receives the bytes consumed. */
bool lml_pq_rle_decode(const uint8_t *p, size_t len, int bit_width, uint32_t *out, size_t n, size_t *used,
                       const char *what, lml_error *err);
/* The deprecated BIT_PACKED level encoding (MSB-first packing, no header). */
bool lml_pq_bitpacked_decode(const uint8_t *p, size_t len, int bit_width, uint32_t *out, size_t n,
                             const char *what, lml_error *err);
/* Appends the hybrid encoding of n values (each < 2^bit_width) to *buf (realloc'd). */
bool lml_pq_rle_encode(const uint32_t *v, size_t n, int bit_width, uint8_t **buf, size_t *len, size_t *cap,
                       lml_error *err);
/* Bits needed for values up to max (0 for max 0). */
int lml_pq_bit_width(uint64_t max);

/* ---- PLAIN */

/* Fixed-width types: copies n values of `width` bytes (4, 8, 12 for INT96, type_length for FLBA)
 * into out; booleans (width 0) are bit-packed LSB first and are written one byte (0/1) each.
 * *used receives the bytes consumed. */
bool lml_pq_plain_decode_fixed(const uint8_t *p, size_t len, size_t width, void *out, size_t n, size_t *used,
                               const char *what, lml_error *err);
/* BYTE_ARRAY: 4-byte LE length + bytes per value. */
bool lml_pq_plain_decode_bytes(const uint8_t *p, size_t len, size_t n, lml_pq_byte_values *out, size_t *used,
                               const char *what, lml_error *err);

/* ---- DELTA_BINARY_PACKED (INT32 with is64 false, INT64 with is64 true; out is int32_t/int64_t) */
bool lml_pq_delta_binary_decode(const uint8_t *p, size_t len, bool is64, void *out, size_t n, size_t *used,
                                const char *what, lml_error *err);
/* Encodes n values with block 128 / 4 miniblocks. For INT32 (is64 false; values must fit) the
 * deltas wrap modulo 2^32 so every miniblock width stays within 32 bits, as readers require. */
bool lml_pq_delta_binary_encode(const int64_t *v, size_t n, bool is64, uint8_t **buf, size_t *len, size_t *cap,
                                lml_error *err);

/* ---- DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY (BYTE_ARRAY and FLBA) */
bool lml_pq_delta_length_decode(const uint8_t *p, size_t len, size_t n, lml_pq_byte_values *out, size_t *used,
                                const char *what, lml_error *err);
bool lml_pq_delta_byte_array_decode(const uint8_t *p, size_t len, size_t n, lml_pq_byte_values *out,
                                    size_t *used, const char *what, lml_error *err);

/* ---- BYTE_STREAM_SPLIT (FLOAT, DOUBLE, INT32, INT64, FLBA: width bytes per value) */
bool lml_pq_byte_stream_split_decode(const uint8_t *p, size_t len, size_t width, void *out, size_t n,
                                     const char *what, lml_error *err);

/* 8 bytes at p as a little-endian integer: the bit unpackers (rle.c, delta.c) read whole words. */
static inline uint64_t lml_pq_load64le(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

#endif

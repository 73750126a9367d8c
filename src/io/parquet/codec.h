/* Parquet compression codecs (spec/parquet.md §6): UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW and
 * the deprecated LZ4 with Hadoop's block framing, on Debian's libsnappy, zlib, libzstd and liblz4.
 * Internal header. */
#ifndef LML_IO_PARQUET_CODEC_H
#define LML_IO_PARQUET_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lakeml/error.h"

/* Decompresses `in` (codec id from meta.h) into out, which has room for exactly `out_len` bytes
 * (the page header's uncompressed size): the output must fill it exactly, so a lying size, a
 * truncated stream or a decompression bomb is LML_EFORMAT (`what` names the file and column).
 * LZO, BROTLI and unknown ids are LML_EUNSUPPORTED naming the codec. */
bool lml_pq_decompress(int codec, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len, const char *what,
                       lml_error *err);

/* Largest compressed size of n input bytes (to size the output buffer), or 0 for a codec the
 * writer does not produce (the writer produces UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW) or an n
 * the codec's API cannot take (over 2 GiB for GZIP and LZ4_RAW). */
size_t lml_pq_compress_bound(int codec, size_t n);
/* Compresses in into out (room for lml_pq_compress_bound bytes); *out_len receives the size.
 * `level` is the codec's level, 0 for its default (GZIP 1..9, ZSTD 3 by default; SNAPPY ignores
 * it; for LZ4_RAW a positive level is LZ4's acceleration factor). */
bool lml_pq_compress(int codec, int level, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len,
                     lml_error *err);

/* The codec's Parquet name ("SNAPPY", "ZSTD", ...) or NULL for an unknown id; and the reverse,
 * case-insensitive (also "none" for UNCOMPRESSED, "lz4" for LZ4_RAW as Spark spells it). */
const char *lml_pq_codec_name(int codec);
bool lml_pq_codec_parse(const char *name, int *codec);

/* CRC-32 (zlib's, as Parquet page checksums use). */
uint32_t lml_pq_crc32(const uint8_t *p, size_t n);

#endif

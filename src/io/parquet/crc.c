/* CRC-32 of page bodies (Parquet's PageHeader.crc is zlib's CRC-32). */
#include <limits.h>
#include <zlib.h>
#include "io/parquet/codec.h"

uint32_t lml_pq_crc32(const uint8_t *p, size_t n)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    /* zlib takes a uInt length, so feed buffers past 4 GiB in pieces. */
    while (n > 0) {
        uInt piece = n > UINT_MAX ? UINT_MAX : (uInt)n;
        crc = crc32(crc, p, piece);
        p += piece;
        n -= piece;
    }
    return (uint32_t)crc;
}

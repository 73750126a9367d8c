/* BYTE_STREAM_SPLIT (spec/parquet.md §4.8): K streams of N bytes, stream j holding byte j of every
 * value. N is the page's value count, which we take from the section length (as Arrow does), so
 * a caller asking for fewer values still finds the streams where the writer put them. */
#include <string.h>
#include "io/parquet/encoding.h"

bool lml_pq_byte_stream_split_decode(const uint8_t *p, size_t len, size_t width, void *out, size_t n,
                                     const char *what, lml_error *err)
{
    const char *w = what ? what : "page";
    if (width == 0)
        return lml_error_set(err, LML_EFORMAT, "%s: BYTE_STREAM_SPLIT with a value width of 0", w);
    if (len % width)
        return lml_error_set(err, LML_EFORMAT, "%s: BYTE_STREAM_SPLIT section of %zu bytes is not a multiple of %zu",
                             w, len, width);
    size_t stride = len / width;
    if (n > stride)
        return lml_error_set(err, LML_EFORMAT, "%s: BYTE_STREAM_SPLIT section holds %zu values of %zu bytes, %zu expected",
                             w, stride, width, n);
    uint8_t *o = out;
    if (width == 4) {
        for (size_t i = 0; i < n; i++) {
            o[4 * i] = p[i];
            o[4 * i + 1] = p[stride + i];
            o[4 * i + 2] = p[2 * stride + i];
            o[4 * i + 3] = p[3 * stride + i];
        }
        return true;
    }
    if (width == 8) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < 8; j++)
                o[8 * i + j] = p[j * stride + i];
        return true;
    }
    /* Any other width (FIXED_LEN_BYTE_ARRAY): stream by stream, so reads stay sequential. */
    for (size_t j = 0; j < width; j++) {
        const uint8_t *s = p + j * stride;
        for (size_t i = 0; i < n; i++)
            o[i * width + j] = s[i];
    }
    return true;
}

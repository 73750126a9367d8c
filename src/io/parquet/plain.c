/* PLAIN encoding (spec/parquet.md §4.1): fixed-width values, LSB-first booleans, and BYTE_ARRAY as
 * u32 LE length + bytes. */
#include <stdlib.h>
#include <string.h>
#include "io/parquet/encoding.h"

static const char *label(const char *what) { return what ? what : "page"; }

bool lml_pq_plain_decode_fixed(const uint8_t *p, size_t len, size_t width, void *out, size_t n, size_t *used,
                               const char *what, lml_error *err)
{
    if (width == 0) {
        size_t need = n / 8 + (n % 8 != 0);
        if (need > len)
            return lml_error_set(err, LML_EFORMAT, "%s: %zu PLAIN booleans need %zu bytes, %zu present", label(what), n,
                                 need, len);
        uint8_t *o = out;
        for (size_t i = 0; i < n; i++)
            o[i] = (uint8_t)(p[i >> 3] >> (i & 7) & 1);
        if (used)
            *used = need;
        return true;
    }
    if (n > SIZE_MAX / width || n * width > len)
        return lml_error_set(err, LML_EFORMAT, "%s: %zu PLAIN values of %zu bytes do not fit in %zu bytes",
                             label(what), n, width, len);
    if (n)
        memcpy(out, p, n * width);
    if (used)
        *used = n * width;
    return true;
}

/* The length prefixes interleave with the bytes, so the values are gathered into `own` to give
 * the contiguous data + offsets layout the caller (and Arrow) wants. */
bool lml_pq_plain_decode_bytes(const uint8_t *p, size_t len, size_t n, lml_pq_byte_values *out, size_t *used,
                               const char *what, lml_error *err)
{
    out->own = NULL;
    out->data = NULL;
    out->off[0] = 0;
    /* First pass: validate every length against the bytes left and total them. */
    size_t pos = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        if (len - pos < 4)
            return lml_error_set(err, LML_EFORMAT, "%s: BYTE_ARRAY value %zu of %zu: length cut off at byte %zu",
                                 label(what), i, n, pos);
        uint32_t l = (uint32_t)p[pos] | (uint32_t)p[pos + 1] << 8 | (uint32_t)p[pos + 2] << 16 |
                     (uint32_t)p[pos + 3] << 24;
        pos += 4;
        if (l > len - pos)
            return lml_error_set(err, LML_EFORMAT,
                                 "%s: BYTE_ARRAY value %zu at byte %zu has length %u, only %zu bytes left",
                                 label(what), i, pos - 4, l, len - pos);
        pos += l;
        total += l;
    }
    out->own = malloc(total ? total : 1);
    if (!out->own)
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory for %zu bytes of strings", label(what), total);
    size_t at = 0;
    pos = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = (size_t)p[pos] | (size_t)p[pos + 1] << 8 | (size_t)p[pos + 2] << 16 | (size_t)p[pos + 3] << 24;
        pos += 4;
        if (l)
            memcpy(out->own + at, p + pos, l);
        pos += l;
        at += l;
        out->off[i + 1] = (int64_t)at;
    }
    out->data = out->own;
    if (used)
        *used = pos;
    return true;
}

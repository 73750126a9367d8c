/* RLE / bit-packing hybrid (spec/parquet.md §4.2) and the legacy BIT_PACKED level encoding
 * (§4.3). Levels and dictionary indexes of every page pass through here, so bit-packed groups are
 * unpacked eight values at a time with a loop specialised per bit width. */
#include <stdlib.h>
#include <string.h>
#include "io/parquet/encoding.h"

static const char *label(const char *what) { return what ? what : "page"; }

/* Unpacks `groups` groups of 8 values (each group is exactly w bytes). Every 64-bit load starts at
 * most 7·w/8 bytes into its group, so the caller guarantees w + 8 readable bytes past the start of
 * the last group. always_inline + a constant w lets the compiler unroll each width separately. */
static inline __attribute__((always_inline)) void unpack_w(const uint8_t *src, uint32_t *out, size_t groups, int w)
{
    const uint64_t mask = w == 32 ? 0xFFFFFFFFu : ((uint64_t)1 << w) - 1;
    for (size_t g = 0; g < groups; g++, src += w, out += 8) {
        for (int j = 0; j < 8; j++) {
            int bit = j * w;
            out[j] = (uint32_t)((lml_pq_load64le(src + (bit >> 3)) >> (bit & 7)) & mask);
        }
    }
}

#define W8(a) W(a) W(a + 1) W(a + 2) W(a + 3) W(a + 4) W(a + 5) W(a + 6) W(a + 7)
static void unpack_groups(const uint8_t *src, uint32_t *out, size_t groups, int w)
{
    switch (w) {
#define W(k)                                                                                                           \
    case k: unpack_w(src, out, groups, k); break;
        W8(1) W8(9) W8(17) W8(25)
#undef W
    default: memset(out, 0, groups * 8 * sizeof *out); break;
    }
}

/* One bit-packed run: `take` values wanted out of groups·8. Only the bytes of wanted values must
 * be present (some writers cut the padding of the last run); the whole run is skipped when it is. */
static bool bitpacked_run(const uint8_t *p, size_t len, size_t *pos, int w, uint64_t groups, uint32_t *out,
                          size_t take, const char *what, lml_error *err)
{
    size_t avail = len - *pos;
    if (w == 0) {
        memset(out, 0, take * sizeof *out);
        return true;
    }
    size_t need = (take * (size_t)w + 7) / 8; /* take ≤ n, and n·32 was checked by the caller */
    if (need > avail)
        return lml_error_set(err, LML_EFORMAT,
                             "%s: bit-packed run of %llu groups at byte %zu needs %zu bytes, %zu left", label(what),
                             (unsigned long long)groups, *pos, need, avail);
    const uint8_t *src = p + *pos;
    size_t full = take / 8, fast = 0;
    if (avail >= (size_t)w + 8)
        fast = (avail - (size_t)w - 8) / (size_t)w + 1;
    if (fast > full)
        fast = full;
    unpack_groups(src, out, fast, w);
    /* The tail (a partial group, or groups too near the end for 8-byte loads) goes through a
     * zero-padded copy. */
    for (size_t g = fast; g * 8 < take; g++) {
        uint8_t tmp[32 + 8] = {0};
        uint32_t vals[8];
        size_t off = g * (size_t)w, nb = avail - off < (size_t)w ? avail - off : (size_t)w;
        memcpy(tmp, src + off, nb);
        unpack_groups(tmp, vals, 1, w);
        size_t k = take - g * 8 < 8 ? take - g * 8 : 8;
        memcpy(out + g * 8, vals, k * sizeof *vals);
    }
    uint64_t run_bytes = groups * (uint64_t)w; /* groups < 2^63/32 checked by the caller */
    *pos += run_bytes < avail ? (size_t)run_bytes : avail;
    return true;
}

bool lml_pq_rle_decode(const uint8_t *p, size_t len, int bit_width, uint32_t *out, size_t n, size_t *used,
                       const char *what, lml_error *err)
{
    if (bit_width < 0 || bit_width > 32)
        return lml_error_set(err, LML_EFORMAT, "%s: RLE bit width %d outside 0..32", label(what), bit_width);
    if (n > SIZE_MAX / 32)
        return lml_error_set(err, LML_EFORMAT, "%s: %zu RLE values is too many", label(what), n);
    size_t pos = 0, i = 0;
    const size_t vbytes = ((size_t)bit_width + 7) / 8;
    while (i < n) {
        size_t start = pos;
        uint64_t h;
        if (!lml_pq_read_uleb(p, len, &pos, &h))
            return lml_error_set(err, LML_EFORMAT, "%s: RLE stream ends at byte %zu after %zu of %zu values",
                                 label(what), start, i, n);
        uint64_t count = h >> 1;
        if (h & 1) {
            if (count > ((uint64_t)1 << 58))
                return lml_error_set(err, LML_EFORMAT, "%s: bit-packed run of %llu groups at byte %zu", label(what),
                                     (unsigned long long)count, start);
            size_t take = count * 8 < n - i ? (size_t)count * 8 : n - i;
            if (!bitpacked_run(p, len, &pos, bit_width, count, out + i, take, what, err))
                return false;
            i += take;
        } else {
            if (count == 0)
                return lml_error_set(err, LML_EFORMAT, "%s: empty RLE run at byte %zu", label(what), start);
            if (len - pos < vbytes)
                return lml_error_set(err, LML_EFORMAT, "%s: RLE run value at byte %zu cut off", label(what), pos);
            uint32_t v = 0;
            for (size_t b = 0; b < vbytes; b++)
                v |= (uint32_t)p[pos + b] << (8 * b);
            pos += vbytes;
            if (bit_width < 32 && (v >> bit_width) != 0)
                return lml_error_set(err, LML_EFORMAT, "%s: RLE run value %u at byte %zu does not fit %d bits",
                                     label(what), v, start, bit_width);
            size_t take = count < n - i ? (size_t)count : n - i;
            for (size_t k = 0; k < take; k++)
                out[i + k] = v;
            i += take;
        }
    }
    if (used)
        *used = pos;
    return true;
}

bool lml_pq_bitpacked_decode(const uint8_t *p, size_t len, int bit_width, uint32_t *out, size_t n, const char *what,
                             lml_error *err)
{
    if (bit_width < 0 || bit_width > 32)
        return lml_error_set(err, LML_EFORMAT, "%s: BIT_PACKED bit width %d outside 0..32", label(what), bit_width);
    if (n > SIZE_MAX / 32)
        return lml_error_set(err, LML_EFORMAT, "%s: %zu BIT_PACKED values is too many", label(what), n);
    size_t need = (n * (size_t)bit_width + 7) / 8;
    if (need > len)
        return lml_error_set(err, LML_EFORMAT, "%s: BIT_PACKED levels need %zu bytes, %zu present", label(what), need,
                             len);
    /* MSB first: the first value sits in the high bits of byte 0. */
    uint64_t acc = 0;
    int nb = 0;
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        while (nb < bit_width) {
            acc = acc << 8 | p[pos++];
            nb += 8;
        }
        nb -= bit_width;
        out[i] = (uint32_t)((acc >> nb) & (bit_width == 32 ? 0xFFFFFFFFu : ((uint64_t)1 << bit_width) - 1));
        acc &= ((uint64_t)1 << nb) - 1;
    }
    return true;
}

int lml_pq_bit_width(uint64_t max) { return max == 0 ? 0 : 64 - __builtin_clzll(max); }

/* ---- encoder: RLE runs for repeats of 8 or more, bit-packed groups for the rest */

bool lml_pq_reserve(uint8_t **buf, size_t *len, size_t *cap, size_t extra, lml_error *err)
{
    if (extra > SIZE_MAX - *len)
        return lml_error_set(err, LML_ENOMEM, "Parquet encoder: output too large");
    if (*len + extra <= *cap)
        return true;
    size_t nc = *cap ? *cap : 64;
    while (nc < *len + extra)
        nc = nc > SIZE_MAX / 2 ? *len + extra : nc * 2;
    uint8_t *nb = realloc(*buf, nc);
    if (!nb)
        return lml_error_set(err, LML_ENOMEM, "Parquet encoder: out of memory growing a buffer to %zu bytes", nc);
    *buf = nb;
    *cap = nc;
    return true;
}

static void pack8(const uint32_t *v, int w, uint8_t *dst)
{
    uint64_t acc = 0;
    int nb = 0;
    for (int j = 0; j < 8; j++) {
        acc |= (uint64_t)v[j] << nb;
        nb += w;
        while (nb >= 8) {
            *dst++ = (uint8_t)acc;
            acc >>= 8;
            nb -= 8;
        }
    }
}

/* Bit-packs v[a, b), padding the last group with zeros (only the stream's final run is ragged). */
static bool emit_literals(const uint32_t *v, size_t a, size_t b, int w, uint8_t **buf, size_t *len, size_t *cap,
                          lml_error *err)
{
    const size_t max_groups = (size_t)1 << 20;
    while (a < b) {
        size_t groups = (b - a + 7) / 8;
        if (groups > max_groups)
            groups = max_groups;
        if (!lml_pq_reserve(buf, len, cap, 10 + groups * (size_t)w, err))
            return false;
        lml_pq_put_uleb(*buf, len, (uint64_t)groups << 1 | 1);
        for (size_t g = 0; g < groups; g++, a += 8) {
            uint32_t tmp[8] = {0};
            size_t k = b - a < 8 ? b - a : 8;
            memcpy(tmp, v + a, k * sizeof *tmp);
            pack8(tmp, w, *buf + *len);
            *len += (size_t)w;
        }
        if (a > b)
            a = b;
    }
    return true;
}

static bool emit_repeat(uint32_t value, size_t count, int w, uint8_t **buf, size_t *len, size_t *cap, lml_error *err)
{
    const size_t max_run = 0x7FFFFFFF;
    while (count > 0) {
        size_t c = count < max_run ? count : max_run;
        if (!lml_pq_reserve(buf, len, cap, 10 + 4, err))
            return false;
        lml_pq_put_uleb(*buf, len, (uint64_t)c << 1);
        for (int b = 0; b < (w + 7) / 8; b++)
            (*buf)[(*len)++] = (uint8_t)(value >> (8 * b));
        count -= c;
    }
    return true;
}

bool lml_pq_rle_encode(const uint32_t *v, size_t n, int bit_width, uint8_t **buf, size_t *len, size_t *cap,
                       lml_error *err)
{
    if (bit_width < 0 || bit_width > 32)
        return lml_error_set(err, LML_EINVAL, "RLE bit width %d outside 0..32", bit_width);
    if (bit_width < 32) {
        for (size_t i = 0; i < n; i++)
            if (v[i] >> bit_width)
                return lml_error_set(err, LML_EINVAL, "value %u at %zu does not fit in %d bits", v[i], i, bit_width);
    }
    size_t lit = 0, i = 0; /* v[lit, i) waits to be bit-packed */
    while (i < n) {
        size_t r = 1;
        while (i + r < n && v[i + r] == v[i])
            r++;
        if (r >= 8) {
            /* Complete the pending literal groups with the first repeats, so that only the final
             * bit-packed run of the stream ever carries padding. */
            size_t fill = (i - lit) % 8 ? 8 - (i - lit) % 8 : 0;
            if (r - fill >= 8) {
                if (!emit_literals(v, lit, i + fill, bit_width, buf, len, cap, err))
                    return false;
                if (!emit_repeat(v[i], r - fill, bit_width, buf, len, cap, err))
                    return false;
                i += r;
                lit = i;
                continue;
            }
        }
        i += r;
    }
    return emit_literals(v, lit, n, bit_width, buf, len, cap, err);
}

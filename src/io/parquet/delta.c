/* DELTA_BINARY_PACKED (spec/parquet.md §4.5), DELTA_LENGTH_BYTE_ARRAY (§4.6) and DELTA_BYTE_ARRAY
 * (§4.7). All arithmetic on values wraps (done in uint64, truncated for INT32), as the format
 * requires: writers compute deltas modulo 2^32 / 2^64. */
#include <stdlib.h>
#include <string.h>
#include "io/parquet/encoding.h"

static const char *label(const char *what) { return what ? what : "page"; }

static uint64_t unzigzag(uint64_t u) { return (u >> 1) ^ (0 - (u & 1)); }
static uint64_t zigzag(int64_t s) { return ((uint64_t)s << 1) ^ (uint64_t)(s >> 63); }

/* Bits [bit, bit + w) of the LSB-first stream s, which has `avail` bytes (the caller made sure
 * the value lies inside them); near the end the loads go through a zero-padded copy. */
static inline uint64_t bits_at(const uint8_t *s, size_t avail, size_t bit, int w)
{
    size_t byte = bit >> 3;
    int sh = (int)(bit & 7);
    uint8_t tmp[16] = {0};
    const uint8_t *q = s + byte;
    if (avail - byte < 16) {
        memcpy(tmp, q, avail - byte);
        q = tmp;
    }
    uint64_t v = lml_pq_load64le(q) >> sh;
    if (sh && sh + w > 64)
        v |= lml_pq_load64le(q + 8) << (64 - sh);
    return w == 64 ? v : v & (((uint64_t)1 << w) - 1);
}

static void store(bool is64, void *out, size_t i, uint64_t v)
{
    if (is64)
        ((int64_t *)out)[i] = (int64_t)v;
    else
        ((int32_t *)out)[i] = (int32_t)(uint32_t)v;
}

bool lml_pq_delta_binary_decode(const uint8_t *p, size_t len, bool is64, void *out, size_t n, size_t *used,
                                const char *what, lml_error *err)
{
    size_t pos = 0;
    uint64_t block, mbs, total, first;
    if (!lml_pq_read_uleb(p, len, &pos, &block) || !lml_pq_read_uleb(p, len, &pos, &mbs) ||
        !lml_pq_read_uleb(p, len, &pos, &total) || !lml_pq_read_uleb(p, len, &pos, &first))
        return lml_error_set(err, LML_EFORMAT, "%s: DELTA_BINARY_PACKED header cut off at byte %zu", label(what), pos);
    if (block == 0 || block % 128 || block > ((uint64_t)1 << 31) || mbs == 0 || block % mbs || (block / mbs) % 32)
        return lml_error_set(err, LML_EFORMAT,
                             "%s: DELTA_BINARY_PACKED block of %llu values in %llu miniblocks is invalid", label(what),
                             (unsigned long long)block, (unsigned long long)mbs);
    if (total < n)
        return lml_error_set(err, LML_EFORMAT, "%s: DELTA_BINARY_PACKED stream holds %llu values, %zu expected",
                             label(what), (unsigned long long)total, n);
    const size_t vpm = (size_t)(block / mbs);
    const int max_w = is64 ? 64 : 32;
    uint64_t last = unzigzag(first), remaining = total ? total - 1 : 0;
    size_t idx = 0;
    if (n > 0)
        store(is64, out, idx++, last);
    while (remaining > 0) {
        size_t bstart = pos;
        uint64_t zmin;
        if (!lml_pq_read_uleb(p, len, &pos, &zmin))
            return lml_error_set(err, LML_EFORMAT, "%s: DELTA_BINARY_PACKED block at byte %zu cut off (%llu values left)",
                                 label(what), bstart, (unsigned long long)remaining);
        uint64_t min_delta = unzigzag(zmin);
        if (len - pos < mbs)
            return lml_error_set(err, LML_EFORMAT, "%s: DELTA_BINARY_PACKED bit widths at byte %zu cut off",
                                 label(what), pos);
        const uint8_t *widths = p + pos;
        pos += (size_t)mbs;
        for (size_t m = 0; m < mbs && remaining > 0; m++) {
            int w = widths[m];
            if (w > max_w)
                return lml_error_set(err, LML_EFORMAT, "%s: DELTA_BINARY_PACKED miniblock at byte %zu has bit width %d > %d",
                                     label(what), bstart, w, max_w);
            size_t cnt = remaining < vpm ? (size_t)remaining : vpm;
            size_t full = vpm / 8 * (size_t)w, avail = len - pos;
            /* Miniblocks are padded to full length; a last one cut short at the very end of the
             * input is accepted as long as the values it holds are there. */
            size_t need = remaining <= vpm ? (cnt * (size_t)w + 7) / 8 : full;
            if (need > avail)
                return lml_error_set(err, LML_EFORMAT,
                                     "%s: DELTA_BINARY_PACKED miniblock at byte %zu needs %zu bytes, %zu left",
                                     label(what), pos, need, avail);
            size_t keep = idx < n ? (n - idx < cnt ? n - idx : cnt) : 0;
            const uint8_t *src = p + pos;
            for (size_t k = 0; k < keep; k++) {
                uint64_t d = w ? bits_at(src, avail, k * (size_t)w, w) : 0;
                last += min_delta + d;
                store(is64, out, idx++, last);
            }
            pos += full < avail ? full : avail;
            remaining -= cnt;
        }
    }
    if (used)
        *used = pos;
    return true;
}

/* ---- encoder: block 128, 4 miniblocks of 32 (parquet-mr's and Arrow's defaults) */

bool lml_pq_delta_binary_encode(const int64_t *v, size_t n, bool is64, uint8_t **buf, size_t *len, size_t *cap,
                                lml_error *err)
{
    enum { BLOCK = 128, MBS = 4, VPM = 32 };
    if (!is64)
        for (size_t i = 0; i < n; i++)
            if (v[i] < INT32_MIN || v[i] > INT32_MAX)
                return lml_error_set(err, LML_EINVAL, "value %lld at %zu is not an INT32", (long long)v[i], i);
    if (!lml_pq_reserve(buf, len, cap, 4 * 10, err))
        return false;
    lml_pq_put_uleb(*buf, len, BLOCK);
    lml_pq_put_uleb(*buf, len, MBS);
    lml_pq_put_uleb(*buf, len, n);
    lml_pq_put_uleb(*buf, len, zigzag(n ? v[0] : 0));
    for (size_t start = 1; start < n; start += BLOCK) {
        size_t cnt = n - start < BLOCK ? n - start : BLOCK;
        int64_t d[BLOCK];
        int64_t mn = INT64_MAX;
        for (size_t k = 0; k < cnt; k++) {
            /* Wrapping deltas: INT32 modulo 2^32 keeps every width within 32 bits. */
            uint64_t diff = (uint64_t)v[start + k] - (uint64_t)v[start + k - 1];
            d[k] = is64 ? (int64_t)diff : (int64_t)(int32_t)(uint32_t)diff;
            if (d[k] < mn)
                mn = d[k];
        }
        uint8_t widths[MBS] = {0};
        for (size_t m = 0; m < MBS && m * VPM < cnt; m++) {
            uint64_t mx = 0;
            for (size_t k = m * VPM; k < cnt && k < (m + 1) * VPM; k++) {
                uint64_t r = (uint64_t)d[k] - (uint64_t)mn;
                if (r > mx)
                    mx = r;
            }
            widths[m] = (uint8_t)lml_pq_bit_width(mx);
        }
        if (!lml_pq_reserve(buf, len, cap, 10 + MBS + MBS * VPM * 8, err))
            return false;
        lml_pq_put_uleb(*buf, len, zigzag(mn));
        memcpy(*buf + *len, widths, MBS);
        *len += MBS;
        for (size_t m = 0; m < MBS && m * VPM < cnt; m++) {
            int w = widths[m];
            uint8_t *dst = *buf + *len;
            size_t bytes = VPM / 8 * (size_t)w;
            memset(dst, 0, bytes);
            for (size_t j = 0; j < VPM && m * VPM + j < cnt; j++) {
                uint64_t r = (uint64_t)d[m * VPM + j] - (uint64_t)mn;
                for (int b = 0; b < w;) {
                    size_t bit = j * (size_t)w + (size_t)b;
                    int sh = (int)(bit & 7), take = 8 - sh < w - b ? 8 - sh : w - b;
                    dst[bit >> 3] |= (uint8_t)(((r >> b) & ((1u << take) - 1)) << sh);
                    b += take;
                }
            }
            *len += bytes;
        }
    }
    return true;
}

/* ---- byte arrays */

bool lml_pq_delta_length_decode(const uint8_t *p, size_t len, size_t n, lml_pq_byte_values *out, size_t *used,
                                const char *what, lml_error *err)
{
    out->own = NULL;
    out->data = NULL;
    out->off[0] = 0;
    if (n > SIZE_MAX / sizeof(int32_t))
        return lml_error_set(err, LML_EFORMAT, "%s: %zu values is too many", label(what), n);
    int32_t *lens = malloc(n ? n * sizeof *lens : 1);
    if (!lens)
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory for %zu lengths", label(what), n);
    size_t u;
    if (!lml_pq_delta_binary_decode(p, len, false, lens, n, &u, what, err)) {
        free(lens);
        return false;
    }
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (lens[i] < 0 || (size_t)lens[i] > len - u - total) {
            lml_error_set(err, LML_EFORMAT, "%s: DELTA_LENGTH_BYTE_ARRAY value %zu has length %d, %zu bytes left",
                          label(what), i, lens[i], len - u - total);
            free(lens);
            return false;
        }
        total += (size_t)lens[i];
        out->off[i + 1] = (int64_t)total;
    }
    free(lens);
    out->data = p + u;
    if (used)
        *used = u + total;
    return true;
}

bool lml_pq_delta_byte_array_decode(const uint8_t *p, size_t len, size_t n, lml_pq_byte_values *out, size_t *used,
                                    const char *what, lml_error *err)
{
    out->own = NULL;
    out->data = NULL;
    out->off[0] = 0;
    if (n > SIZE_MAX / sizeof(int32_t))
        return lml_error_set(err, LML_EFORMAT, "%s: %zu values is too many", label(what), n);
    int32_t *pre = malloc(n ? n * sizeof *pre : 1);
    if (!pre)
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory for %zu prefix lengths", label(what), n);
    size_t u1, u2;
    lml_pq_byte_values suf = {.off = out->off};
    if (!lml_pq_delta_binary_decode(p, len, false, pre, n, &u1, what, err) ||
        !lml_pq_delta_length_decode(p + u1, len - u1, n, &suf, &u2, what, err)) {
        free(pre);
        return false;
    }
    /* First pass: validate prefixes and size the output. Front coding can legitimately expand a
     * lot (repeated long strings cost almost nothing), so only Arrow's 2 GiB limit applies. */
    const size_t cap = (size_t)INT32_MAX;
    size_t total = 0, prev = 0;
    for (size_t i = 0; i < n; i++) {
        size_t slen = (size_t)(out->off[i + 1] - out->off[i]);
        if (pre[i] < 0 || (size_t)pre[i] > prev || (i == 0 && pre[i] != 0)) {
            lml_error_set(err, LML_EFORMAT, "%s: DELTA_BYTE_ARRAY value %zu has prefix length %d, previous value has %zu bytes",
                          label(what), i, pre[i], prev);
            free(pre);
            return false;
        }
        prev = (size_t)pre[i] + slen;
        if (prev > cap - total) {
            lml_error_set(err, LML_EUNSUPPORTED, "%s: DELTA_BYTE_ARRAY page expands past 2 GiB at value %zu",
                          label(what), i);
            free(pre);
            return false;
        }
        total += prev;
    }
    uint8_t *own = malloc(total ? total : 1);
    if (!own) {
        free(pre);
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory for %zu bytes of strings", label(what), total);
    }
    size_t at = 0, prev_at = 0, s_start = 0;
    for (size_t i = 0; i < n; i++) {
        size_t s_end = (size_t)out->off[i + 1], pl = (size_t)pre[i];
        if (pl)
            memcpy(own + at, own + prev_at, pl);
        if (s_end > s_start)
            memcpy(own + at + pl, suf.data + s_start, s_end - s_start);
        prev_at = at;
        at += pl + (s_end - s_start);
        out->off[i + 1] = (int64_t)at;
        s_start = s_end;
    }
    free(pre);
    out->own = own;
    out->data = own;
    if (used)
        *used = u1 + u2;
    return true;
}

/* Deletion vectors (delta.md §7.3): the RoaringBitmapArray serialization, decoded (portable and
 * legacy native) and encoded (portable, as Spark writes it). The bytes come from the log or from
 * DV files, so every count and length is checked against what remains. Z85, descriptors and DV
 * files are in dv.c. */
#include "delta/dv.h"

#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "delta/dv_internal.h"

#define DV_MAGIC_PORTABLE 1681511377u
#define DV_MAGIC_NATIVE 1681511376u
#define ROARING_COOKIE_NO_RUN 12346u
#define ROARING_COOKIE_RUN 12347u
#define ROARING_ARRAY_MAX 4096u
#define ROARING_BITSET_BYTES 8192u

/* ---- little-endian reads over a bounded buffer */

typedef struct rd {
    const uint8_t *p;
    size_t n, pos;
} rd;

static bool rd_need(rd *r, size_t k, const char *what, lml_error *err)
{
    if (r->n - r->pos < k)
        return lml_error_set(err, LML_EFORMAT, "deletion vector bitmap: %s needs %zu bytes at offset %zu, only %zu left",
                             what, k, r->pos, r->n - r->pos);
    return true;
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

/* ---- decoding. One parser runs twice: first with no row array, to validate and count (so that
 * hostile run containers cannot make us allocate, or loop over values, before the total is known
 * and checked against the descriptor), then into an array of exactly that size. */

typedef struct sink {
    uint64_t *rows; /* NULL: count only */
    size_t n;
} sink;

static void emit(sink *s, uint64_t v)
{
    if (s->rows)
        s->rows[s->n] = v;
    s->n++;
}

/* One standard 32-bit Roaring bitmap (RoaringFormatSpec) starting at r->pos, whose values are
 * the low halves of rows with high half `hi`. */
static bool roaring32_parse(rd *r, uint64_t hi, sink *s, lml_error *err)
{
    size_t start = r->pos;
    if (!rd_need(r, 4, "roaring cookie", err))
        return false;
    uint32_t cookie = le32(r->p + r->pos);
    r->pos += 4;
    size_t count;
    const uint8_t *runbits = NULL;
    bool has_offsets;
    if (cookie == ROARING_COOKIE_NO_RUN) {
        if (!rd_need(r, 4, "roaring container count", err))
            return false;
        uint32_t c = le32(r->p + r->pos);
        r->pos += 4;
        if (c > 65536)
            return lml_error_set(err, LML_EFORMAT, "deletion vector bitmap: %u containers at offset %zu (at most 65536)",
                                 c, start);
        count = c;
        has_offsets = true;
    } else if ((cookie & 0xFFFFu) == ROARING_COOKIE_RUN) {
        count = (size_t)(cookie >> 16) + 1;
        size_t nbytes = (count + 7) / 8;
        if (!rd_need(r, nbytes, "roaring run bitset", err))
            return false;
        runbits = r->p + r->pos;
        r->pos += nbytes;
        has_offsets = count >= 4;
    } else {
        return lml_error_set(err, LML_EFORMAT, "deletion vector bitmap: bad roaring cookie %u at offset %zu", cookie,
                             start);
    }
    /* Key/cardinality pairs, then (maybe) offsets; readers of this format skip the offsets and
     * read the containers in sequence, as we do. */
    if (!rd_need(r, count * 4, "roaring container headers", err))
        return false;
    const uint8_t *hdr = r->p + r->pos;
    r->pos += count * 4;
    if (has_offsets) {
        if (!rd_need(r, count * 4, "roaring offset header", err))
            return false;
        r->pos += count * 4;
    }
    long prev_key = -1;
    for (size_t c = 0; c < count; c++) {
        uint32_t key = le16(hdr + 4 * c);
        uint32_t card = (uint32_t)le16(hdr + 4 * c + 2) + 1;
        if ((long)key <= prev_key)
            return lml_error_set(err, LML_EFORMAT, "deletion vector bitmap: container key %u after %ld (not ascending)",
                                 key, prev_key);
        prev_key = key;
        uint64_t base = hi << 32 | (uint64_t)key << 16;
        bool is_run = runbits && (runbits[c / 8] >> (c % 8) & 1);
        if (is_run) {
            if (!rd_need(r, 2, "run count", err))
                return false;
            size_t nruns = le16(r->p + r->pos);
            r->pos += 2;
            if (!rd_need(r, nruns * 4, "runs", err))
                return false;
            uint32_t total = 0;
            long prev_end = -1;
            for (size_t k = 0; k < nruns; k++) {
                uint32_t rs = le16(r->p + r->pos), rl = (uint32_t)le16(r->p + r->pos + 2) + 1;
                r->pos += 4;
                if ((long)rs <= prev_end || rs + rl > 65536)
                    return lml_error_set(err, LML_EFORMAT,
                                         "deletion vector bitmap: run [%u, +%u) in container %u overlaps or leaves 0..65535",
                                         rs, rl, key);
                prev_end = (long)(rs + rl - 1);
                total += rl;
                if (!s->rows)
                    s->n += rl;
                else
                    for (uint32_t v = 0; v < rl; v++)
                        emit(s, base | (rs + v));
            }
            if (total != card)
                return lml_error_set(err, LML_EFORMAT,
                                     "deletion vector bitmap: run container %u holds %u values, header says %u", key,
                                     total, card);
        } else if (card <= ROARING_ARRAY_MAX) {
            if (!rd_need(r, (size_t)card * 2, "array container", err))
                return false;
            long prev = -1;
            for (uint32_t k = 0; k < card; k++) {
                uint32_t v = le16(r->p + r->pos + 2 * k);
                if ((long)v <= prev)
                    return lml_error_set(err, LML_EFORMAT,
                                         "deletion vector bitmap: array container %u: value %u after %ld (not ascending)",
                                         key, v, prev);
                prev = v;
                emit(s, base | v);
            }
            r->pos += (size_t)card * 2;
        } else {
            if (!rd_need(r, ROARING_BITSET_BYTES, "bitset container", err))
                return false;
            const uint8_t *w = r->p + r->pos;
            uint32_t total = 0;
            for (uint32_t j = 0; j < 1024; j++) {
                uint64_t word = le64(w + 8 * j);
                total += (uint32_t)__builtin_popcountll(word);
                if (!s->rows) {
                    s->n += (size_t)__builtin_popcountll(word);
                    continue;
                }
                while (word) {
                    emit(s, base | (j * 64 + (uint32_t)__builtin_ctzll(word)));
                    word &= word - 1;
                }
            }
            r->pos += ROARING_BITSET_BYTES;
            if (total != card)
                return lml_error_set(err, LML_EFORMAT,
                                     "deletion vector bitmap: bitset container %u holds %u values, header says %u", key,
                                     total, card);
        }
    }
    return true;
}

static bool bitmap_parse(const uint8_t *p, size_t n, sink *s, lml_error *err)
{
    rd r = {p, n, 0};
    if (!rd_need(&r, 4, "magic", err))
        return false;
    uint32_t magic = le32(p);
    r.pos = 4;
    if (magic == DV_MAGIC_PORTABLE) {
        if (!rd_need(&r, 8, "bucket count", err))
            return false;
        uint64_t nb = le64(p + r.pos);
        r.pos += 8;
        /* Each bucket takes at least 12 bytes (key, cookie, count), so the loop is bounded by n. */
        if (nb > (n - r.pos) / 12)
            return lml_error_set(err, LML_EFORMAT, "deletion vector bitmap: %llu buckets cannot fit in %zu bytes",
                                 (unsigned long long)nb, n);
        long long prev = -1;
        for (uint64_t b = 0; b < nb; b++) {
            if (!rd_need(&r, 4, "bucket key", err))
                return false;
            uint32_t key = le32(p + r.pos);
            r.pos += 4;
            if (key >= 0x80000000u || (long long)key <= prev)
                return lml_error_set(err, LML_EFORMAT,
                                     "deletion vector bitmap: bucket key %u after %lld (keys must ascend and be < 2^31)",
                                     key, prev);
            prev = key;
            if (!roaring32_parse(&r, key, s, err))
                return false;
        }
    } else if (magic == DV_MAGIC_NATIVE) {
        /* Legacy: u32 count, then per bucket (key = its index) a u32 length and the bitmap. */
        if (!rd_need(&r, 4, "bucket count", err))
            return false;
        uint32_t nb = le32(p + r.pos);
        r.pos += 4;
        if (nb > 0x80000000u || nb > (n - r.pos) / 12)
            return lml_error_set(err, LML_EFORMAT, "deletion vector bitmap: %u native buckets cannot fit in %zu bytes",
                                 nb, n);
        for (uint32_t b = 0; b < nb; b++) {
            if (!rd_need(&r, 4, "native bitmap length", err))
                return false;
            uint32_t blen = le32(p + r.pos);
            r.pos += 4;
            if (!rd_need(&r, blen, "native bitmap", err))
                return false;
            size_t end = r.pos + blen;
            rd sub = {p, end, r.pos};
            if (!roaring32_parse(&sub, b, s, err))
                return false;
            if (sub.pos != end)
                return lml_error_set(err, LML_EFORMAT,
                                     "deletion vector bitmap: native bucket %u is %u bytes but its bitmap ends after %zu",
                                     b, blen, sub.pos - r.pos);
            r.pos = end;
        }
    } else {
        return lml_error_set(err, LML_EFORMAT, "deletion vector bitmap: bad magic %u (expected %u)", magic,
                             DV_MAGIC_PORTABLE);
    }
    if (r.pos != n)
        return lml_error_set(err, LML_EFORMAT, "deletion vector bitmap: %zu trailing bytes after the last bucket",
                             n - r.pos);
    return true;
}

bool lml_dv_bitmap_decode_checked(const uint8_t *p, size_t n, int64_t expect, lml_dv_rows *out, lml_error *err)
{
    out->rows = NULL;
    out->n = 0;
    sink s = {NULL, 0};
    if (!bitmap_parse(p, n, &s, err))
        return false;
    if (expect >= 0 && (uint64_t)s.n != (uint64_t)expect)
        return lml_error_set(err, LML_EFORMAT, "deletion vector holds %zu rows, cardinality says %lld", s.n,
                             (long long)expect);
    if (s.n == 0)
        return true;
    size_t bytes;
    if (!lml_mul_ok(s.n, sizeof(uint64_t), &bytes) || !(s.rows = malloc(bytes)))
        return lml_error_set(err, LML_ENOMEM, "deletion vector: cannot allocate %zu rows", s.n);
    size_t total = s.n;
    s.n = 0;
    if (!bitmap_parse(p, n, &s, err) || s.n != total) {
        free(s.rows);
        return lml_error_set(err, LML_EFORMAT, "deletion vector bitmap: second pass disagrees with the first");
    }
    out->rows = s.rows;
    out->n = total;
    return true;
}

bool lml_dv_bitmap_decode(const uint8_t *p, size_t n, lml_dv_rows *out, lml_error *err)
{
    return lml_dv_bitmap_decode_checked(p, n, -1, out, err);
}

void lml_dv_rows_clear(lml_dv_rows *r)
{
    if (!r)
        return;
    free(r->rows);
    r->rows = NULL;
    r->n = 0;
}

/* ---- encoding (portable, as Spark writes it) */

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* The rows [i, end) sharing the top 48 bits of rows[i]. */
static size_t container_end(const uint64_t *rows, size_t n, size_t i)
{
    size_t j = i;
    while (j < n && rows[j] >> 16 == rows[i] >> 16)
        j++;
    return j;
}

static size_t container_bytes(size_t card) { return card <= ROARING_ARRAY_MAX ? card * 2 : ROARING_BITSET_BYTES; }

bool lml_dv_bitmap_encode(const uint64_t *rows, size_t n, uint8_t **out, size_t *len, lml_error *err)
{
    *out = NULL;
    *len = 0;
    for (size_t i = 0; i < n; i++) {
        if (rows[i] >> 32 >= 0x80000000u)
            return lml_error_set(err, LML_EINVAL, "deletion vector: row index %llu is beyond 2^63 - 2^32",
                                 (unsigned long long)rows[i]);
        if (i > 0 && rows[i] <= rows[i - 1])
            return lml_error_set(err, LML_EINVAL, "deletion vector: row %llu at %zu follows %llu (rows must ascend)",
                                 (unsigned long long)rows[i], i, (unsigned long long)rows[i - 1]);
    }
    uint64_t nbuckets = n ? (rows[n - 1] >> 32) + 1 : 0;
    /* Every bucket costs 12 bytes even when empty; the containers add their headers and data. */
    size_t total;
    if (!lml_mul_ok((size_t)nbuckets, 12, &total) || total > SIZE_MAX - 12)
        return lml_error_set(err, LML_ENOMEM, "deletion vector: %llu buckets overflow the size",
                             (unsigned long long)nbuckets);
    total += 12;
    for (size_t i = 0; i < n;) {
        size_t j = container_end(rows, n, i);
        total += 8 + container_bytes(j - i); /* cannot overflow: bounded by 8192 / value */
        i = j;
    }
    uint8_t *buf = malloc(total);
    if (!buf)
        return lml_error_set(err, LML_ENOMEM, "deletion vector: cannot allocate %zu bytes", total);
    uint8_t *w = buf;
    put32(w, DV_MAGIC_PORTABLE);
    put32(w + 4, (uint32_t)nbuckets);
    put32(w + 8, (uint32_t)(nbuckets >> 32));
    w += 12;
    size_t i = 0;
    for (uint64_t key = 0; key < nbuckets; key++) {
        size_t bend = i;
        size_t ncont = 0;
        while (bend < n && rows[bend] >> 32 == key) {
            bend = container_end(rows, n, bend);
            ncont++;
        }
        put32(w, (uint32_t)key);
        put32(w + 4, ROARING_COOKIE_NO_RUN);
        put32(w + 8, (uint32_t)ncont);
        uint8_t *bm = w + 4; /* container offsets count from the cookie */
        uint8_t *hdr = w + 12, *offs = hdr + 4 * ncont, *data = offs + 4 * ncont;
        for (size_t c = 0; c < ncont; c++) {
            size_t cend = container_end(rows, n, i), card = cend - i;
            put16(hdr + 4 * c, (uint32_t)(rows[i] >> 16 & 0xFFFF));
            put16(hdr + 4 * c + 2, (uint32_t)(card - 1));
            put32(offs + 4 * c, (uint32_t)(data - bm));
            if (card <= ROARING_ARRAY_MAX) {
                for (size_t k = i; k < cend; k++, data += 2)
                    put16(data, (uint32_t)(rows[k] & 0xFFFF));
            } else {
                memset(data, 0, ROARING_BITSET_BYTES);
                for (size_t k = i; k < cend; k++) {
                    uint32_t v = (uint32_t)(rows[k] & 0xFFFF);
                    data[v / 8] |= (uint8_t)(1u << (v % 8));
                }
                data += ROARING_BITSET_BYTES;
            }
            i = cend;
        }
        w = data;
    }
    *out = buf;
    *len = (size_t)(w - buf);
    return true;
}

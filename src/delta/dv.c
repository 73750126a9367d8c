/* Deletion vectors (delta.md §7): Z85 text, the RoaringBitmapArray serialization (portable and
 * legacy native), DV file framing, and the path a descriptor names. Everything here reads bytes
 * from the log or from DV files, so every count and length is checked against what remains. */
#include "delta/dv.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "core/internal.h"

#define DV_MAGIC_PORTABLE 1681511377u
#define DV_MAGIC_NATIVE 1681511376u
#define ROARING_COOKIE_NO_RUN 12346u
#define ROARING_COOKIE_RUN 12347u
#define ROARING_ARRAY_MAX 4096u
#define ROARING_BITSET_BYTES 8192u

static const char z85_chars[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/* ---- Z85 */

static int z85_value(unsigned char c)
{
    /* 85 entries: a linear search keeps the table obviously right and DV strings are short. */
    const char *hit = c ? strchr(z85_chars, c) : NULL;
    return hit ? (int)(hit - z85_chars) : -1;
}

bool lml_z85_decode(const char *s, size_t len, uint8_t *out, lml_error *err)
{
    if (len % 5 != 0)
        return lml_error_set(err, LML_EFORMAT, "Z85: length %zu is not a multiple of 5", len);
    for (size_t i = 0; i < len; i += 5) {
        uint64_t v = 0;
        for (size_t k = 0; k < 5; k++) {
            int d = z85_value((unsigned char)s[i + k]);
            if (d < 0)
                return lml_error_set(err, LML_EFORMAT, "Z85: character 0x%02x at position %zu is not in the alphabet",
                                     (unsigned char)s[i + k], i + k);
            v = v * 85 + (uint64_t)d;
        }
        if (v > UINT32_MAX)
            return lml_error_set(err, LML_EFORMAT, "Z85: group at position %zu exceeds 2^32 - 1", i);
        uint8_t *o = out + i / 5 * 4;
        o[0] = (uint8_t)(v >> 24);
        o[1] = (uint8_t)(v >> 16);
        o[2] = (uint8_t)(v >> 8);
        o[3] = (uint8_t)v;
    }
    return true;
}

void lml_z85_encode(const uint8_t *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i + 4 <= n; i += 4) {
        uint32_t v = (uint32_t)in[i] << 24 | (uint32_t)in[i + 1] << 16 | (uint32_t)in[i + 2] << 8 | in[i + 3];
        for (int k = 4; k >= 0; k--) {
            out[o + (size_t)k] = z85_chars[v % 85];
            v /= 85;
        }
        o += 5;
    }
    out[o] = '\0';
}

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
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

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

/* Decodes with an optional expected cardinality (< 0: none) checked before allocating. */
static bool bitmap_decode_checked(const uint8_t *p, size_t n, int64_t expect, lml_dv_rows *out, lml_error *err)
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
    return bitmap_decode_checked(p, n, -1, out, err);
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

/* ---- descriptors, paths, files */

static void join(lml_strbuf *sb, const char *root)
{
    lml_strbuf_puts(sb, root);
    if (sb->len && sb->data[sb->len - 1] != '/')
        lml_strbuf_putc(sb, '/');
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static char *absolute_path(const char *uri, lml_error *err)
{
    const char *p = uri;
    if (strncmp(p, "file:", 5) == 0) {
        p += 5;
        if (strncmp(p, "//", 2) == 0) {
            p += 2;
            /* The authority must be empty or localhost: a path on another host is not ours. */
            if (strncmp(p, "localhost/", 10) == 0)
                p += 9;
            else if (*p != '/') {
                lml_error_set(err, LML_EUNSUPPORTED, "deletion vector path '%s': remote host in file URI", uri);
                return NULL;
            }
        }
    } else if (*p != '/' && strcspn(p, ":/") < strlen(p) && p[strcspn(p, ":/")] == ':') {
        lml_error_set(err, LML_EUNSUPPORTED, "deletion vector path '%s': only file: URIs are supported", uri);
        return NULL;
    }
    if (*p != '/') {
        lml_error_set(err, LML_EFORMAT, "deletion vector path '%s' is not absolute", uri);
        return NULL;
    }
    lml_strbuf sb = {0};
    for (; *p; p++) {
        if (*p != '%') {
            lml_strbuf_putc(&sb, *p);
            continue;
        }
        int h = hexval(p[1]), l = h < 0 ? -1 : hexval(p[2]);
        if (h < 0 || l < 0 || (h == 0 && l == 0)) {
            lml_strbuf_free(&sb);
            lml_error_set(err, LML_EFORMAT, "deletion vector path '%s': bad escape at position %td", uri, p - uri);
            return NULL;
        }
        lml_strbuf_putc(&sb, (char)(h * 16 + l));
        p += 2;
    }
    return lml_strbuf_finish(&sb, err);
}

char *lml_dv_file_path(const char *table_root, const lml_dv_descriptor *d, lml_error *err)
{
    if (d->storage_type == 'p')
        return absolute_path(d->path_or_inline ? d->path_or_inline : "", err);
    if (d->storage_type != 'u') {
        lml_error_set(err, d->storage_type == 'i' ? LML_EINVAL : LML_EUNSUPPORTED,
                      "deletion vector storage type '%c' names no file", d->storage_type);
        return NULL;
    }
    const char *s = d->path_or_inline ? d->path_or_inline : "";
    size_t len = strlen(s);
    if (!table_root) {
        lml_error_set(err, LML_EINVAL, "deletion vector '%s': no table root to resolve it against", s);
        return NULL;
    }
    if (len < 20) {
        lml_error_set(err, LML_EFORMAT, "deletion vector '%s': shorter than the 20-character Z85 UUID", s);
        return NULL;
    }
    size_t plen = len - 20;
    /* Spark's prefixes are alphanumeric; refuse any that could climb out of the table. */
    if (memchr(s, '/', plen) || memchr(s, '\\', plen) || (plen == 1 && s[0] == '.') ||
        (plen == 2 && s[0] == '.' && s[1] == '.')) {
        lml_error_set(err, LML_EFORMAT, "deletion vector '%s': prefix '%.*s' is not a plain directory name", s,
                      (int)plen, s);
        return NULL;
    }
    uint8_t u[16];
    lml_error zerr = {0};
    if (!lml_z85_decode(s + plen, 20, u, &zerr)) {
        lml_error_set(err, LML_EFORMAT, "deletion vector '%s': UUID: %s", s, zerr.message);
        return NULL;
    }
    lml_strbuf sb = {0};
    join(&sb, table_root);
    if (plen) {
        lml_strbuf_append(&sb, s, plen);
        lml_strbuf_putc(&sb, '/');
    }
    lml_strbuf_printf(&sb,
                      "deletion_vector_%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x.bin",
                      u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
                      u[14], u[15]);
    return lml_strbuf_finish(&sb, err);
}

static bool load_inline(const lml_dv_descriptor *d, lml_dv_rows *out, lml_error *err)
{
    const char *s = d->path_or_inline;
    size_t len = strlen(s);
    if (len % 5 != 0 || (uint64_t)d->size_in_bytes > len / 5 * 4 || len / 5 * 4 - (size_t)d->size_in_bytes >= 4)
        return lml_error_set(err, LML_EFORMAT,
                             "inline deletion vector: %zu Z85 characters cannot hold sizeInBytes %lld", len,
                             (long long)d->size_in_bytes);
    uint8_t *bytes = malloc(len / 5 * 4 + 1);
    if (!bytes)
        return lml_error_set(err, LML_ENOMEM, "inline deletion vector: cannot allocate %zu bytes", len / 5 * 4);
    bool ok = lml_z85_decode(s, len, bytes, err) &&
              bitmap_decode_checked(bytes, (size_t)d->size_in_bytes, d->cardinality, out, err);
    free(bytes);
    if (!ok)
        lml_error_prefix(err, "inline deletion vector '%.40s'", s);
    return ok;
}

bool lml_dv_load(const lml_storage *st, const char *table_root, const lml_dv_descriptor *d, lml_dv_rows *out,
                 lml_error *err)
{
    out->rows = NULL;
    out->n = 0;
    if (!d->path_or_inline)
        return lml_error_set(err, LML_EFORMAT, "deletion vector: pathOrInlineDv is missing");
    if (d->size_in_bytes < 0 || d->size_in_bytes > INT32_MAX || d->cardinality < 0)
        return lml_error_set(err, LML_EFORMAT, "deletion vector '%s': sizeInBytes %lld / cardinality %lld out of range",
                             d->path_or_inline, (long long)d->size_in_bytes, (long long)d->cardinality);
    if (d->storage_type == 'i')
        return load_inline(d, out, err);
    char *path = lml_dv_file_path(table_root, d, err);
    if (!path)
        return false;
    /* A file without an offset holds one DV right after the version byte. */
    int64_t off = d->has_offset ? d->offset : 1;
    uint8_t *data = NULL;
    size_t n = 0;
    bool ok = false, named = false; /* the storage's own errors already name the path */
    if (off < 1 || off > INT64_MAX - 8 - d->size_in_bytes) {
        lml_error_set(err, LML_EFORMAT, "offset %lld is not inside the file", (long long)off);
        goto done;
    }
    /* Spark's offsets and sizes are Java ints, so a DV file never needs more than 2^32 + 8 bytes. */
    uint64_t cap = (uint64_t)1 << 33;
    if (!st->read(st, path, cap > SIZE_MAX ? SIZE_MAX : (size_t)cap, &data, &n, err)) {
        named = true;
        goto done;
    }
    uint64_t end = (uint64_t)off + 8 + (uint64_t)d->size_in_bytes;
    if (n < 1 || data[0] != 1) {
        lml_error_set(err, LML_EFORMAT, "version byte is %d, expected 1", n < 1 ? -1 : data[0]);
        goto done;
    }
    if (end > n) {
        lml_error_set(err, LML_EFORMAT, "DV at offset %lld with %lld bytes runs past the end of the %zu-byte file",
                      (long long)off, (long long)d->size_in_bytes, n);
        goto done;
    }
    const uint8_t *dv = data + off;
    uint32_t size = be32(dv);
    if ((int64_t)size != d->size_in_bytes) {
        lml_error_set(err, LML_EFORMAT, "size field at offset %lld is %u, sizeInBytes says %lld", (long long)off,
                      size, (long long)d->size_in_bytes);
        goto done;
    }
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, dv + 4, (uInt)size);
    uint32_t want = be32(dv + 4 + size);
    if ((uint32_t)crc != want) {
        lml_error_set(err, LML_EFORMAT, "CRC-32 of the bitmap is %08x, the file says %08x", (unsigned)crc, want);
        goto done;
    }
    ok = bitmap_decode_checked(dv + 4, size, d->cardinality, out, err);
done:
    if (!ok && !named)
        lml_error_prefix(err, "%s", path);
    free(data);
    free(path);
    return ok;
}

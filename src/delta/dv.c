/* Deletion vectors (delta.md §7): Z85 text, DV file framing, inline DVs and the path a
 * descriptor names (the RoaringBitmapArray itself is in dv_bitmap.c). Everything here reads bytes
 * from the log or from DV files, so every count and length is checked against what remains. */
#include "delta/dv.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "core/internal.h"
#include "delta/dv_internal.h"
#include "delta/pvalue.h"

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

/* ---- descriptors, paths, files */

static void join(lml_strbuf *sb, const char *root)
{
    lml_strbuf_puts(sb, root);
    if (sb->len && sb->data[sb->len - 1] != '/')
        lml_strbuf_putc(sb, '/');
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
    char *path = lml_delta_uri_decode(p, err);
    if (!path) lml_error_prefix(err, "deletion vector path '%s'", uri);
    return path;
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

/* DV files frame the bitmap with a big-endian size and CRC-32. */
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

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
              lml_dv_bitmap_decode_checked(bytes, (size_t)d->size_in_bytes, d->cardinality, out, err);
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
    ok = lml_dv_bitmap_decode_checked(dv + 4, size, d->cardinality, out, err);
done:
    if (!ok && !named)
        lml_error_prefix(err, "%s", path);
    free(data);
    free(path);
    return ok;
}

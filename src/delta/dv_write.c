/* Writing a deletion-vector file (delta.md §7.4) for DELETE/UPDATE/MERGE on tables with
 * delta.enableDeletionVectors: one DV per file, as Spark does when a task writes a single DV, so
 * the descriptor's offset is always 1 (just after the version byte). The file name comes from a
 * fresh random UUID, and the descriptor carries that UUID as 20 Z85 characters with no prefix
 * directory (storage type 'u'), which lml_dv_file_path maps back to the same name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "core/internal.h"
#include "delta/commit.h"
#include "delta/dv.h"

/* The 16 big-endian bytes of a canonical UUID text (most significant long first, §7.1). */
static void uuid_bytes(const char *text, uint8_t out[16])
{
    size_t k = 0;
    for (const char *p = text; *p && k < 16; p++) {
        if (*p == '-') continue;
        out[k++] = (uint8_t)(lml_hex_digit(p[0]) << 4 | lml_hex_digit(p[1]));
        p++;
    }
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

bool lml_dv_write(const char *table_root, const uint64_t *rows, size_t n, lml_dv_descriptor *d, char **owned,
                  lml_error *err)
{
    *owned = NULL;
    uint8_t *bitmap = NULL;
    size_t blen = 0;
    if (!table_root)
        return lml_error_set(err, LML_EINVAL, "deletion vector: no table root to write it under");
    if (!lml_dv_bitmap_encode(rows, n, &bitmap, &blen, err))
        return false;
    /* Spark's sizeInBytes and offsets are Java ints. */
    if (blen > (size_t)INT32_MAX - 9) {
        free(bitmap);
        return lml_error_set(err, LML_EINVAL, "deletion vector of %zu rows: %zu bitmap bytes exceed what a DV file holds",
                             n, blen);
    }
    size_t flen = 1 + 4 + blen + 4;
    uint8_t *file = malloc(flen);
    if (!file) {
        free(bitmap);
        return lml_error_set(err, LML_ENOMEM, "deletion vector: cannot allocate %zu bytes", flen);
    }
    file[0] = 1;
    put_be32(file + 1, (uint32_t)blen);
    memcpy(file + 5, bitmap, blen);
    uLong crc = crc32(crc32(0L, Z_NULL, 0), bitmap, (uInt)blen);
    put_be32(file + 5 + blen, (uint32_t)crc);
    free(bitmap);

    char uuid[37];
    lml_delta_uuid(uuid);
    uint8_t ub[16];
    uuid_bytes(uuid, ub);
    char *z85 = malloc(21);
    lml_strbuf sb = {0};
    lml_strbuf_puts(&sb, table_root);
    if (sb.len && sb.data[sb.len - 1] != '/')
        lml_strbuf_putc(&sb, '/');
    lml_strbuf_printf(&sb, "deletion_vector_%s.bin", uuid);
    char *path = lml_strbuf_finish(&sb, err);
    bool ok = path && z85;
    if (!z85)
        lml_error_set(err, LML_ENOMEM, "deletion vector: out of memory");
    if (ok) {
        lml_z85_encode(ub, 16, z85);
        const lml_storage *st = lml_storage_local();
        ok = st->write_atomic(st, path, file, flen, err);
    }
    free(file);
    free(path);
    if (!ok) {
        free(z85);
        return false;
    }
    *owned = z85;
    *d = (lml_dv_descriptor){.storage_type = 'u',
                             .path_or_inline = z85,
                             .has_offset = true,
                             .offset = 1,
                             .size_in_bytes = (int64_t)blen,
                             .cardinality = (int64_t)n};
    return true;
}

/* Writing deletion-vector files (src/delta/dv_write.c, spec/delta.md §7.4): the bytes are
 * decoded here independently of src/delta (version byte, big-endian size, a RoaringBitmapArray
 * reader of its own, zlib's CRC-32), the descriptor's Z85 UUID is turned into the file name by
 * Spark's rule with a Z85 decoder of its own, and every file round-trips through lml_dv_load. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "delta/dv.h"
#include "support.h"

/* ---- an independent reader */

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]; }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[1] << 8 | p[0]); }

/* Decodes a portable RoaringBitmapArray (§7.3) into rows (malloc'd); asserts on anything odd. */
static uint64_t *read_bitmap_array(const uint8_t *p, size_t len, size_t *nrows, uint64_t *nbuckets_out)
{
    cr_assert_geq(len, 12);
    cr_assert_eq(le32(p), 1681511377u, "magic %u", le32(p));
    uint64_t nb = (uint64_t)le32(p + 4) | (uint64_t)le32(p + 8) << 32;
    *nbuckets_out = nb;
    size_t pos = 12, n = 0, cap = 16;
    uint64_t *rows = malloc(cap * sizeof *rows);
    for (uint64_t b = 0; b < nb; b++) {
        cr_assert_leq(pos + 8, len);
        uint64_t key = le32(p + pos);
        cr_assert_eq(key, b, "buckets are written for every key, in order");
        pos += 4;
        size_t start = pos;
        uint32_t cookie = le32(p + pos);
        uint32_t ncont;
        const uint8_t *runbits = NULL;
        if ((cookie & 0xFFFF) == 12347) {
            ncont = (cookie >> 16) + 1;
            runbits = p + pos + 4;
            pos += 4 + (ncont + 7) / 8;
        } else {
            cr_assert_eq(cookie, 12346u, "cookie %u", cookie);
            ncont = le32(p + pos + 4);
            pos += 8;
        }
        const uint8_t *hdr = p + pos;
        pos += 4u * ncont;
        if (!runbits || ncont >= 4)
            pos += 4u * ncont; /* offset header */
        for (uint32_t c = 0; c < ncont; c++) {
            uint32_t hi = le16(hdr + 4 * c), card = (uint32_t)le16(hdr + 4 * c + 2) + 1;
            bool run = runbits && (runbits[c / 8] >> (c % 8) & 1);
            if (n + 65536 > cap) {
                while (n + 65536 > cap) cap *= 2;
                rows = realloc(rows, cap * sizeof *rows);
            }
            if (run) {
                uint32_t nr = le16(p + pos);
                pos += 2;
                for (uint32_t r = 0; r < nr; r++, pos += 4)
                    for (uint32_t v = le16(p + pos); v <= (uint32_t)le16(p + pos) + le16(p + pos + 2); v++)
                        rows[n++] = key << 32 | hi << 16 | v;
            } else if (card <= 4096) {
                for (uint32_t k = 0; k < card; k++, pos += 2)
                    rows[n++] = key << 32 | hi << 16 | le16(p + pos);
            } else {
                for (uint32_t v = 0; v < 65536; v++)
                    if (p[pos + v / 8] >> (v % 8) & 1)
                        rows[n++] = key << 32 | hi << 16 | v;
                pos += 8192;
            }
            cr_assert_leq(pos, len);
        }
        (void)start;
    }
    cr_assert_eq(pos, len, "the bitmap ends at byte %zu of %zu", pos, len);
    *nrows = n;
    return rows;
}

static const char z85_alphabet[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/* The file name Spark's rule gives a 'u' descriptor without prefix: deletion_vector_<uuid>.bin,
 * the UUID being the 16 big-endian bytes the 20 Z85 characters decode to. */
static void spark_dv_name(const char *z85, char out[64])
{
    cr_assert_eq(strlen(z85), 20, "'%s' is the bare 20-character Z85 UUID", z85);
    uint8_t u[16];
    for (int g = 0; g < 4; g++) {
        uint64_t v = 0;
        for (int k = 0; k < 5; k++) {
            const char *hit = strchr(z85_alphabet, z85[g * 5 + k]);
            cr_assert_not_null(hit);
            v = v * 85 + (uint64_t)(hit - z85_alphabet);
        }
        for (int k = 0; k < 4; k++) u[g * 4 + k] = (uint8_t)(v >> (24 - 8 * k));
    }
    snprintf(out, 64,
             "deletion_vector_%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x.bin", u[0], u[1],
             u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* The only entry of dir (asserts there is exactly one). */
static void only_file(const char *dir, char name[256])
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int count = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
            snprintf(name, 256, "%s", de->d_name);
            count++;
        }
    closedir(d);
    cr_assert_eq(count, 1, "%s holds %d entries (no temporary file left behind)", dir, count);
}

/* Writes rows, then checks the file byte by byte, the name, and the round trip. */
static void write_and_check(const uint64_t *rows, size_t n)
{
    const char *dir = lml_test_temp_dir();
    cr_assert_not_null(dir);
    char root[512];
    snprintf(root, sizeof root, "%s", dir);
    lml_dv_descriptor d;
    char *owned = NULL;
    lml_error err = {0};
    cr_assert(lml_dv_write(root, rows, n, &d, &owned, &err), "%s", err.message);
    cr_assert_eq(d.storage_type, 'u');
    cr_assert_eq(d.path_or_inline, owned);
    cr_assert(d.has_offset);
    cr_assert_eq(d.offset, 1);
    cr_assert_eq(d.cardinality, (int64_t)n);

    char name[256], want[64], path[1024];
    only_file(root, name);
    spark_dv_name(owned, want);
    cr_assert_str_eq(name, want);
    /* A version-4 UUID: Spark's UUID.randomUUID(). */
    cr_assert_eq(name[16 + 14], '4', "%s", name);
    cr_assert(strchr("89ab", name[16 + 19]), "%s", name);
    snprintf(path, sizeof path, "%s/%s", root, name);
    char *resolved = lml_dv_file_path(root, &d, &err);
    cr_assert_str_eq(resolved, path);
    free(resolved);

    size_t len = 0;
    uint8_t *bytes = (uint8_t *)lml_test_slurp_n(path, &len);
    cr_assert_not_null(bytes);
    cr_assert_eq(len, (size_t)d.size_in_bytes + 9, "1 + 4 + %lld + 4 bytes, got %zu", (long long)d.size_in_bytes,
                 len);
    cr_assert_eq(bytes[0], 1, "version byte");
    cr_assert_eq(be32(bytes + 1), (uint32_t)d.size_in_bytes);
    uLong crc = crc32(crc32(0L, Z_NULL, 0), bytes + 5, (uInt)d.size_in_bytes);
    cr_assert_eq(be32(bytes + 5 + d.size_in_bytes), (uint32_t)crc);
    size_t got_n = 0;
    uint64_t nbuckets = 0;
    uint64_t *got = read_bitmap_array(bytes + 5, (size_t)d.size_in_bytes, &got_n, &nbuckets);
    cr_assert_eq(nbuckets, n ? (rows[n - 1] >> 32) + 1 : 0);
    cr_assert_eq(got_n, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(got[i], rows[i], "row %zu: %llu, want %llu", i, (unsigned long long)got[i],
                     (unsigned long long)rows[i]);
    free(got);
    free(bytes);

    lml_dv_rows back = {0};
    cr_assert(lml_dv_load(lml_storage_local(), root, &d, &back, &err), "%s", err.message);
    cr_assert_eq(back.n, n);
    for (size_t i = 0; i < n; i++) cr_assert_eq(back.rows[i], rows[i]);
    lml_dv_rows_clear(&back);
    remove(path);
    free(owned);
}

Test(delta_dv_write, small_row_set_has_spark_bytes_and_name)
{
    static const uint64_t rows[] = {3, 4, 7, 11, 18, 29};
    write_and_check(rows, 6);
}

Test(delta_dv_write, single_row_zero_matches_the_spark_written_file)
{
    /* §7.4: Spark's file for one deleted row 0, byte for byte except the name. */
    static const uint8_t spark[] = {0x01, 0x00, 0x00, 0x00, 0x22, 0xd1, 0xd3, 0x39, 0x64, 0x01, 0x00, 0x00, 0x00,
                                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x30, 0x00, 0x00, 0x01,
                                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
                                    0xf7, 0xa6, 0xb4, 0xb5};
    const char *root = lml_test_temp_dir();
    lml_dv_descriptor d;
    char *owned = NULL;
    lml_error err = {0};
    uint64_t row = 0;
    cr_assert(lml_dv_write(root, &row, 1, &d, &owned, &err), "%s", err.message);
    char name[256], path[1024];
    only_file(root, name);
    snprintf(path, sizeof path, "%s/%s", root, name);
    size_t len = 0;
    char *bytes = lml_test_slurp_n(path, &len);
    cr_assert_eq(len, sizeof spark);
    cr_assert_arr_eq(bytes, spark, sizeof spark);
    cr_assert_eq(d.size_in_bytes, 0x22);
    free(bytes);
    free(owned);
}

Test(delta_dv_write, empty_row_set_writes_a_bitmap_without_buckets)
{
    write_and_check(NULL, 0);
}

Test(delta_dv_write, large_sets_with_bitset_containers_and_rows_above_2_pow_32)
{
    size_t n = 0;
    uint64_t *rows = malloc(80000 * sizeof *rows);
    for (uint64_t v = 0; v < 70000; v += 2) rows[n++] = v;          /* a bitset container (32768 values) and more */
    for (uint64_t v = 0; v < 5000; v++) rows[n++] = 100000 + v * 7; /* array containers */
    rows[n++] = (1ull << 32) + 5;                                   /* bucket 1 */
    rows[n++] = (3ull << 32) + 65537;                               /* bucket 3, bucket 2 empty */
    rows[n++] = (3ull << 32) + 0xFFFFFFFFull;
    write_and_check(rows, n);
    free(rows);
}

Test(delta_dv_write, two_writes_get_different_files)
{
    const char *dir = lml_test_temp_dir();
    char root[512];
    snprintf(root, sizeof root, "%s", dir);
    lml_dv_descriptor a, b;
    char *oa, *ob;
    uint64_t row = 9;
    cr_assert(lml_dv_write(root, &row, 1, &a, &oa, NULL));
    cr_assert(lml_dv_write(root, &row, 1, &b, &ob, NULL));
    cr_assert_str_neq(oa, ob);
    char *pa = lml_dv_file_path(root, &a, NULL), *pb = lml_dv_file_path(root, &b, NULL);
    cr_assert_str_neq(pa, pb);
    remove(pa);
    remove(pb);
    free(pa);
    free(pb);
    free(oa);
    free(ob);
}

Test(delta_dv_write, unsorted_rows_and_missing_directory_are_errors)
{
    const char *root = lml_test_temp_dir();
    lml_dv_descriptor d;
    char *owned = (char *)1;
    lml_error err = {0};
    static const uint64_t bad[] = {5, 3};
    cr_assert_not(lml_dv_write(root, bad, 2, &d, &owned, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_null(owned);
    char missing[600];
    snprintf(missing, sizeof missing, "%s/no/such/dir", root);
    static const uint64_t ok[] = {1};
    cr_assert_not(lml_dv_write(missing, ok, 1, &d, &owned, &err));
    cr_assert_eq(err.code, LML_EIO, "%d %s", err.code, err.message);
    cr_assert(strstr(err.message, "no/such/dir"), "%s", err.message);
}

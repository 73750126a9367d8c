/* Parquet compression codecs (spec/parquet.md §6) and the page CRC. Known bytes come from the
 * gzip/zstd command-line tools and from pages of the conformance files. */
#include <criterion/criterion.h>
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include "../support.h"
#include "io/parquet/codec.h"
#include "io/parquet/meta.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)rng_state;
}

/* Half text-like (compressible), half random bytes. */
static uint8_t *sample(size_t n)
{
    uint8_t *b = malloc(n ? n : 1);
    static const char words[] = "parquet lakeml spark delta column page ";
    for (size_t i = 0; i < n; i++)
        b[i] = i < n / 2 ? (uint8_t)words[(i * 7 / 5) % (sizeof words - 1)] : (uint8_t)rnd();
    return b;
}

/* An exact-size heap copy of p[0, l), so ASan flags any read past l (the previous copy is freed;
 * the last one stays reachable from the static pointer). */
static const uint8_t *exact(const uint8_t *p, size_t l)
{
    static uint8_t *last;
    free(last);
    last = malloc(l ? l : 1);
    if (l)
        memcpy(last, p, l);
    return last;
}

static const int writable[] = {LML_PQ_UNCOMPRESSED, LML_PQ_SNAPPY, LML_PQ_GZIP, LML_PQ_ZSTD, LML_PQ_LZ4_RAW};

Test(parquet_codec, crc32_of_check_string)
{
    cr_assert_eq(lml_pq_crc32((const uint8_t *)"123456789", 9), 0xCBF43926u);
    cr_assert_eq(lml_pq_crc32((const uint8_t *)"", 0), 0u);
    cr_assert_eq(lml_pq_crc32((const uint8_t *)"a", 1), 0xE8B7BE43u);
}

Test(parquet_codec, names_and_spark_spellings)
{
    cr_assert_str_eq(lml_pq_codec_name(LML_PQ_SNAPPY), "SNAPPY");
    cr_assert_str_eq(lml_pq_codec_name(LML_PQ_LZ4_RAW), "LZ4_RAW");
    cr_assert_str_eq(lml_pq_codec_name(LML_PQ_LZ4), "LZ4");
    cr_assert_null(lml_pq_codec_name(8));
    cr_assert_null(lml_pq_codec_name(-1));
    int c = -1;
    cr_assert(lml_pq_codec_parse("snappy", &c) && c == LML_PQ_SNAPPY);
    cr_assert(lml_pq_codec_parse("none", &c) && c == LML_PQ_UNCOMPRESSED);
    cr_assert(lml_pq_codec_parse("Uncompressed", &c) && c == LML_PQ_UNCOMPRESSED);
    cr_assert(lml_pq_codec_parse("lz4", &c) && c == LML_PQ_LZ4_RAW);
    cr_assert(lml_pq_codec_parse("lz4_raw", &c) && c == LML_PQ_LZ4_RAW);
    cr_assert(lml_pq_codec_parse("ZSTD", &c) && c == LML_PQ_ZSTD);
    cr_assert(lml_pq_codec_parse("gzip", &c) && c == LML_PQ_GZIP);
    c = 42;
    cr_assert_not(lml_pq_codec_parse("deflate", &c));
    cr_assert_eq(c, 42);
}

Test(parquet_codec, round_trip_every_writable_codec)
{
    static const size_t sizes[] = {0, 1, 17, 1000, 65536, 1 << 20};
    for (size_t k = 0; k < sizeof writable / sizeof *writable; k++) {
        int codec = writable[k];
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
            size_t n = sizes[s];
            uint8_t *in = sample(n);
            size_t cap = lml_pq_compress_bound(codec, n), clen = 0;
            cr_assert(cap > 0 || n == 0, "%s bound of %zu", lml_pq_codec_name(codec), n);
            uint8_t *c = malloc(cap ? cap : 1), *out = malloc(n + 1);
            lml_error err = {0};
            cr_assert(lml_pq_compress(codec, 0, in, n, c, &clen, &err), "%s: %s", lml_pq_codec_name(codec), err.message);
            cr_assert_leq(clen, cap);
            if (codec != LML_PQ_UNCOMPRESSED && n == (1 << 20))
                cr_assert_lt(clen, n * 3 / 4, "%s did not compress half-text data", lml_pq_codec_name(codec));
            out[n] = 0xEE;
            cr_assert(lml_pq_decompress(codec, c, clen, out, n, "t.parquet column 'x'", &err), "%s %zu: %s",
                      lml_pq_codec_name(codec), n, err.message);
            cr_assert(n == 0 || memcmp(in, out, n) == 0, "%s %zu bytes differ", lml_pq_codec_name(codec), n);
            cr_assert_eq(out[n], 0xEE, "wrote past out_len");
            /* The header's size is the contract: one byte more or less is corrupt. */
            if (n > 0) {
                lml_error e2 = {0};
                out[n - 1] = (uint8_t)~in[n - 1];
                cr_assert_not(lml_pq_decompress(codec, c, clen, out, n - 1, "t.parquet", &e2));
                cr_assert_eq(e2.code, LML_EFORMAT, "%s short: %s", lml_pq_codec_name(codec), e2.message);
                cr_assert_eq(out[n - 1], (uint8_t)~in[n - 1], "%s wrote past a smaller out_len",
                             lml_pq_codec_name(codec));
            }
            lml_error e3 = {0};
            cr_assert_not(lml_pq_decompress(codec, c, clen, out, n + 1, "t.parquet", &e3));
            cr_assert_eq(e3.code, LML_EFORMAT, "%s long: %s", lml_pq_codec_name(codec), e3.message);
            free(in);
            free(c);
            free(out);
        }
    }
}

Test(parquet_codec, levels_are_accepted_and_checked)
{
    uint8_t *in = sample(10000);
    size_t cap = lml_pq_compress_bound(LML_PQ_ZSTD, 10000), n1 = 0, n19 = 0;
    uint8_t *c = malloc(cap), *out = malloc(10000);
    lml_error err = {0};
    cr_assert(lml_pq_compress(LML_PQ_ZSTD, 1, in, 10000, c, &n1, &err));
    cr_assert(lml_pq_compress(LML_PQ_ZSTD, 19, in, 10000, c, &n19, &err));
    cr_assert(lml_pq_decompress(LML_PQ_ZSTD, c, n19, out, 10000, "x", &err));
    cr_assert_eq(memcmp(in, out, 10000), 0);
    size_t g = lml_pq_compress_bound(LML_PQ_GZIP, 10000), gl = 0;
    uint8_t *gc = malloc(g);
    cr_assert(lml_pq_compress(LML_PQ_GZIP, 9, in, 10000, gc, &gl, &err));
    cr_assert(lml_pq_decompress(LML_PQ_GZIP, gc, gl, out, 10000, "x", &err));
    cr_assert_eq(memcmp(in, out, 10000), 0);
    cr_assert_not(lml_pq_compress(LML_PQ_GZIP, 12, in, 10000, gc, &gl, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    free(in), free(c), free(out), free(gc);
}

Test(parquet_codec, gzip_bytes_from_the_gzip_tool)
{
    /* printf 'hello parquet' | gzip -n -9 */
    static const uint8_t gz[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb,
                                 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0x28, 0x48, 0x2c, 0x2a, 0x2c, 0x4d,
                                 0x2d, 0x01, 0x00, 0x75, 0x60, 0x45, 0x62, 0x0d, 0x00, 0x00, 0x00};
    uint8_t out[13];
    lml_error err = {0};
    cr_assert(lml_pq_decompress(LML_PQ_GZIP, gz, sizeof gz, out, 13, "x", &err), "%s", err.message);
    cr_assert_eq(memcmp(out, "hello parquet", 13), 0);
    /* Every truncation is caught (the CRC/length trailer included). */
    for (size_t l = 0; l < sizeof gz; l++) {
        lml_error e = {0};
        cr_assert_not(lml_pq_decompress(LML_PQ_GZIP, exact(gz, l), l, out, 13, "x", &e), "prefix %zu accepted", l);
        cr_assert_eq(e.code, LML_EFORMAT);
    }
}

Test(parquet_codec, gzip_concatenated_members)
{
    /* (printf abc | gzip -n; printf 'def\n' | gzip -n) */
    static const uint8_t gz[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4b, 0x4c, 0x4a, 0x06,
                                 0x00, 0xc2, 0x41, 0x24, 0x35, 0x03, 0x00, 0x00, 0x00, 0x1f, 0x8b, 0x08, 0x00, 0x00,
                                 0x00, 0x00, 0x00, 0x00, 0x03, 0x4b, 0x49, 0x4d, 0xe3, 0x02, 0x00, 0xbc, 0x93, 0x6e,
                                 0x08, 0x04, 0x00, 0x00, 0x00};
    uint8_t out[7];
    lml_error err = {0};
    cr_assert(lml_pq_decompress(LML_PQ_GZIP, gz, sizeof gz, out, 7, "x", &err), "%s", err.message);
    cr_assert_eq(memcmp(out, "abcdef\n", 7), 0);
    /* The first member alone is 3 bytes, not 7; garbage after a member is corrupt. */
    cr_assert_not(lml_pq_decompress(LML_PQ_GZIP, gz, 23, out, 7, "x", &err));
    uint8_t junk[sizeof gz + 2];
    memcpy(junk, gz, 23);
    junk[23] = 'x', junk[24] = 'y';
    cr_assert_not(lml_pq_decompress(LML_PQ_GZIP, junk, 25, out, 3, "x", &err));
    cr_assert_eq(err.code, LML_EFORMAT);
}

Test(parquet_codec, zstd_frame_without_content_size_and_concatenated_frames)
{
    /* printf 'hello parquet hello parquet hello parquet' | zstd -c: from a pipe, so the frame
     * header (FHD 0x04) carries no content size. */
    static const uint8_t zs[] = {0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58, 0xa5, 0x00, 0x00, 0x70, 0x68, 0x65,
                                 0x6c, 0x6c, 0x6f, 0x20, 0x70, 0x61, 0x72, 0x71, 0x75, 0x65, 0x74, 0x20,
                                 0x01, 0x00, 0x11, 0x4e, 0x25, 0xac, 0x21, 0x74, 0xe0};
    static const char text[] = "hello parquet hello parquet hello parquet";
    cr_assert_eq(ZSTD_getFrameContentSize(zs, sizeof zs), ZSTD_CONTENTSIZE_UNKNOWN);
    uint8_t out[2 * 41];
    lml_error err = {0};
    cr_assert(lml_pq_decompress(LML_PQ_ZSTD, zs, sizeof zs, out, 41, "x", &err), "%s", err.message);
    cr_assert_eq(memcmp(out, text, 41), 0);
    uint8_t two[2 * sizeof zs];
    memcpy(two, zs, sizeof zs);
    memcpy(two + sizeof zs, zs, sizeof zs);
    cr_assert(lml_pq_decompress(LML_PQ_ZSTD, two, sizeof two, out, 82, "x", &err), "%s", err.message);
    cr_assert_eq(memcmp(out + 41, text, 41), 0);
    cr_assert_not(lml_pq_decompress(LML_PQ_ZSTD, two, sizeof two, out, 41, "x", &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    for (size_t l = 0; l < sizeof zs; l++) {
        lml_error e = {0};
        cr_assert_not(lml_pq_decompress(LML_PQ_ZSTD, exact(zs, l), l, out, 41, "x", &e), "prefix %zu accepted", l);
        cr_assert_eq(e.code, LML_EFORMAT);
    }
}

Test(parquet_codec, zstd_empty_payload_is_a_valid_frame)
{
    /* page_v2_empty_compressed.parquet: the dictionary page (0 bytes) and the v2 values section
     * (1 byte: dictionary index bit width 0) of the all-null column. */
    static const uint8_t empty[] = {0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x00, 0x01, 0x00, 0x00};
    static const uint8_t one[] = {0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x01, 0x09, 0x00, 0x00, 0x00};
    uint8_t out[2] = {0xAA, 0xAA};
    lml_error err = {0};
    cr_assert(lml_pq_decompress(LML_PQ_ZSTD, empty, sizeof empty, NULL, 0, "x", &err), "%s", err.message);
    cr_assert_not(lml_pq_decompress(LML_PQ_ZSTD, empty, sizeof empty, out, 1, "x", &err));
    cr_assert(lml_pq_decompress(LML_PQ_ZSTD, one, sizeof one, out, 1, "x", &err), "%s", err.message);
    cr_assert_eq(out[0], 0x00);
    cr_assert_eq(out[1], 0xAA);
    cr_assert_not(lml_pq_decompress(LML_PQ_ZSTD, one, sizeof one, out, 0, "x", &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    /* Zero stored bytes for zero bytes (datapage_v2_empty_datapage.snappy.parquet's case) is
     * fine for every codec we read; zero stored bytes for one byte is not. */
    for (int c = LML_PQ_UNCOMPRESSED; c <= LML_PQ_LZ4_RAW; c++) {
        if (c == LML_PQ_LZO || c == LML_PQ_BROTLI)
            continue;
        cr_assert(lml_pq_decompress(c, NULL, 0, NULL, 0, "x", &err), "%s: %s", lml_pq_codec_name(c), err.message);
        lml_error e = {0};
        cr_assert_not(lml_pq_decompress(c, NULL, 0, out, 1, "x", &e), "%s", lml_pq_codec_name(c));
        cr_assert_eq(e.code, LML_EFORMAT, "%s: %s", lml_pq_codec_name(c), e.message);
    }
}

Test(parquet_codec, snappy_page_from_alltypes_plain)
{
    /* alltypes_plain.snappy.parquet, dictionary page of `id` at byte 17: ids 6 and 7. */
    static const uint8_t sn[] = {0x08, 0x1c, 0x06, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00};
    static const uint8_t want[] = {6, 0, 0, 0, 7, 0, 0, 0};
    uint8_t out[8];
    lml_error err = {0};
    cr_assert(lml_pq_decompress(LML_PQ_SNAPPY, sn, sizeof sn, out, 8, "x", &err), "%s", err.message);
    cr_assert_eq(memcmp(out, want, 8), 0);
    for (size_t l = 0; l < sizeof sn; l++)
        cr_assert_not(lml_pq_decompress(LML_PQ_SNAPPY, exact(sn, l), l, out, 8, "x", &err), "prefix %zu accepted", l);
    /* A preamble that lies about the size. */
    uint8_t liar[sizeof sn];
    memcpy(liar, sn, sizeof sn);
    liar[0] = 0x09;
    cr_assert_not(lml_pq_decompress(LML_PQ_SNAPPY, liar, sizeof liar, out, 8, "x", &err));
    cr_assert_eq(err.code, LML_EFORMAT);
}

/* hadoop_lz4_compressed.parquet: dictionary page of the string column (byte 129, 23 bytes ->
 * 14), and the data page of the timestamp column (byte 104, 12 bytes -> 3). */
static const uint8_t hadoop_dict[] = {0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x0f, 0xe0, 0x03, 0x00, 0x00,
                                      0x00, 0x61, 0x62, 0x63, 0x03, 0x00, 0x00, 0x00, 0x64, 0x65, 0x66};
static const uint8_t hadoop_data[] = {0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x30, 0x01, 0x03, 0x0c};
/* lz4_raw_compressed.parquet: data page of the string column (byte 202, 27 bytes -> 28). */
static const uint8_t raw_strings[] = {0x70, 0x03, 0x00, 0x00, 0x00, 0x61, 0x62, 0x63, 0x07, 0x00, 0x30, 0x64, 0x65, 0x66,
                                      0x07, 0x00, 0xa0, 0x61, 0x62, 0x63, 0x03, 0x00, 0x00, 0x00, 0x64, 0x65, 0x66};

Test(parquet_codec, lz4_hadoop_framing_from_conformance_file)
{
    uint8_t out[14];
    lml_error err = {0};
    cr_assert(lml_pq_decompress(LML_PQ_LZ4, hadoop_dict, sizeof hadoop_dict, out, 14, "x", &err), "%s", err.message);
    cr_assert_eq(memcmp(out, "\x03\0\0\0abc\x03\0\0\0def", 14), 0);
    cr_assert(lml_pq_decompress(LML_PQ_LZ4, hadoop_data, sizeof hadoop_data, out, 3, "x", &err), "%s", err.message);
    cr_assert_eq(memcmp(out, "\x01\x03\x0c", 3), 0); /* bit width 1, one group: indexes 0,0,1,1 */
    for (size_t l = 0; l < sizeof hadoop_dict; l++)
        cr_assert_not(lml_pq_decompress(LML_PQ_LZ4, exact(hadoop_dict, l), l, out, 14, "x", &err), "prefix %zu accepted", l);
    cr_assert_not(lml_pq_decompress(LML_PQ_LZ4, hadoop_dict, sizeof hadoop_dict, out, 13, "x", &err));
    cr_assert_eq(err.code, LML_EFORMAT);
}

Test(parquet_codec, lz4_raw_from_conformance_file)
{
    uint8_t out[28];
    lml_error err = {0};
    cr_assert(lml_pq_decompress(LML_PQ_LZ4_RAW, raw_strings, sizeof raw_strings, out, 28, "x", &err), "%s",
              err.message);
    cr_assert_eq(memcmp(out, "\x03\0\0\0abc\x03\0\0\0def\x03\0\0\0abc\x03\0\0\0def", 28), 0);
    /* Codec 5 without Hadoop framing (old parquet-cpp) falls back to the raw block. */
    cr_assert(lml_pq_decompress(LML_PQ_LZ4, raw_strings, sizeof raw_strings, out, 28, "x", &err), "%s", err.message);
    cr_assert_eq(memcmp(out + 25, "def", 3), 0);
    for (size_t l = 0; l < sizeof raw_strings; l++)
        cr_assert_not(lml_pq_decompress(LML_PQ_LZ4_RAW, exact(raw_strings, l), l, out, 28, "x", &err), "prefix %zu", l);
}

Test(parquet_codec, conformance_pages_match_the_files)
{
    LML_REQUIRE_SHARED(hadoop, "conformance/parquet/hadoop_lz4_compressed.parquet");
    uint8_t buf[64];
    FILE *f = fopen(hadoop, "rb");
    cr_assert_not_null(f);
    cr_assert_eq(fseek(f, 129, SEEK_SET), 0);
    cr_assert_eq(fread(buf, 1, sizeof hadoop_dict, f), sizeof hadoop_dict);
    cr_assert_eq(memcmp(buf, hadoop_dict, sizeof hadoop_dict), 0);
    cr_assert_eq(fseek(f, 104, SEEK_SET), 0);
    cr_assert_eq(fread(buf, 1, sizeof hadoop_data, f), sizeof hadoop_data);
    cr_assert_eq(memcmp(buf, hadoop_data, sizeof hadoop_data), 0);
    fclose(f);
    LML_REQUIRE_SHARED(raw, "conformance/parquet/lz4_raw_compressed.parquet");
    f = fopen(raw, "rb");
    cr_assert_not_null(f);
    cr_assert_eq(fseek(f, 202, SEEK_SET), 0);
    cr_assert_eq(fread(buf, 1, sizeof raw_strings, f), sizeof raw_strings);
    cr_assert_eq(memcmp(buf, raw_strings, sizeof raw_strings), 0);
    fclose(f);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

Test(parquet_codec, lz4_hadoop_several_chunks_and_blocks)
{
    /* Chunk 1 = 3000 bytes in two blocks (1000 + 2000), chunk 2 = 500 bytes in one block. */
    uint8_t *in = sample(3500);
    uint8_t frame[8192];
    size_t pos = 0;
    const size_t pieces[][2] = {{0, 1000}, {1000, 2000}, {3000, 500}};
    for (int k = 0; k < 3; k++) {
        if (k != 1) {
            put_be32(frame + pos, k == 0 ? 3000 : 500);
            pos += 4;
        }
        int c = LZ4_compress_default((const char *)in + pieces[k][0], (char *)frame + pos + 4, (int)pieces[k][1],
                                     (int)(sizeof frame - pos - 4));
        cr_assert_gt(c, 0);
        put_be32(frame + pos, (uint32_t)c);
        pos += 4 + (size_t)c;
    }
    uint8_t out[3500];
    lml_error err = {0};
    cr_assert(lml_pq_decompress(LML_PQ_LZ4, frame, pos, out, 3500, "x", &err), "%s", err.message);
    cr_assert_eq(memcmp(in, out, 3500), 0);
    /* A chunk claiming more than the page: neither framing nor raw block fits. */
    put_be32(frame, 5000);
    cr_assert_not(lml_pq_decompress(LML_PQ_LZ4, frame, pos, out, 3500, "x", &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    free(in);
}

Test(parquet_codec, decompression_bombs_fail_cleanly)
{
    /* ~1 KB streams that inflate to 10 MB, against a page header that says 1 MB. */
    const size_t big = 10u << 20, claim = 1u << 20;
    uint8_t *zeros = calloc(big, 1), *out = malloc(claim + 1);
    size_t zcap = ZSTD_compressBound(big);
    uint8_t *zc = malloc(zcap);
    size_t zl = ZSTD_compress(zc, zcap, zeros, big, 3);
    cr_assert_not(ZSTD_isError(zl));
    cr_assert_leq(zl, 1024, "zstd bomb is %zu bytes", zl);
    lml_error err = {0};
    out[claim] = 0x5A;
    cr_assert_not(lml_pq_decompress(LML_PQ_ZSTD, zc, zl, out, claim, "bomb.parquet column 'b'", &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "bomb.parquet column 'b'") && strstr(err.message, "more than"), "%s", err.message);
    cr_assert_eq(out[claim], 0x5A);
    /* gzip's best ratio is ~1000:1: 1 MB of zeros is a ~1 KB stream, claimed as 64 KB. */
    uLongf gl = compressBound(claim) + 32;
    uint8_t *gc = malloc(gl);
    z_stream s = {0};
    cr_assert_eq(deflateInit2(&s, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    s.next_in = zeros, s.avail_in = (uInt)claim, s.next_out = gc, s.avail_out = (uInt)gl;
    cr_assert_eq(deflate(&s, Z_FINISH), Z_STREAM_END);
    gl = s.total_out;
    deflateEnd(&s);
    cr_assert_leq(gl, 1100, "gzip bomb is %lu bytes", (unsigned long)gl);
    out[65536] = 0x5A;
    cr_assert_not(lml_pq_decompress(LML_PQ_GZIP, gc, gl, out, 65536, "bomb.parquet", &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert_eq(out[65536], 0x5A);
    /* The same streams with the right size succeed. */
    cr_assert(lml_pq_decompress(LML_PQ_GZIP, gc, gl, out, claim, "x", &err), "%s", err.message);
    cr_assert_eq(out[claim - 1], 0);
    free(zeros), free(out), free(zc), free(gc);
}

Test(parquet_codec, flipped_bytes_never_crash)
{
    /* Every single-byte corruption either still decodes to exactly out_len or is EFORMAT. */
    uint8_t *in = sample(4000), *out = malloc(4000);
    for (size_t k = 1; k < sizeof writable / sizeof *writable; k++) {
        int codec = writable[k];
        size_t cap = lml_pq_compress_bound(codec, 4000), cl = 0;
        uint8_t *c = malloc(cap);
        cr_assert(lml_pq_compress(codec, 0, in, 4000, c, &cl, NULL));
        for (size_t i = 0; i < cl; i++) {
            uint8_t keep = c[i];
            c[i] ^= (uint8_t)(1 + rnd() % 255);
            lml_error err = {0};
            if (!lml_pq_decompress(codec, c, cl, out, 4000, "x", &err))
                cr_assert_eq(err.code, LML_EFORMAT, "%s byte %zu: %s", lml_pq_codec_name(codec), i, err.message);
            c[i] = keep;
        }
        free(c);
    }
    free(in), free(out);
}

Test(parquet_codec, unsupported_codecs_are_refused)
{
    uint8_t in[4] = {1, 2, 3, 4}, out[4];
    lml_error err = {0};
    cr_assert_not(lml_pq_decompress(LML_PQ_LZO, in, 4, out, 4, "f.parquet column 'c'", &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
    cr_assert(strstr(err.message, "LZO") && strstr(err.message, "f.parquet column 'c'"), "%s", err.message);
    cr_assert_not(lml_pq_decompress(LML_PQ_BROTLI, in, 4, out, 4, "x", &err));
    cr_assert(strstr(err.message, "BROTLI"), "%s", err.message);
    cr_assert_not(lml_pq_decompress(99, in, 4, out, 4, "x", &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
    cr_assert_eq(lml_pq_compress_bound(LML_PQ_LZ4, 100), 0);
    cr_assert_eq(lml_pq_compress_bound(LML_PQ_BROTLI, 100), 0);
    size_t ol;
    cr_assert_not(lml_pq_compress(LML_PQ_LZ4, 0, in, 4, out, &ol, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
    /* Uncompressed pages must also match the header size. */
    cr_assert_not(lml_pq_decompress(LML_PQ_UNCOMPRESSED, in, 4, out, 3, "x", &err));
    cr_assert_eq(err.code, LML_EFORMAT);
}

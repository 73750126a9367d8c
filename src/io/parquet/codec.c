/* Parquet page compression (spec/parquet.md §6). Every decompressor writes into the caller's
 * exactly-sized buffer and must fill it exactly: the page header's uncompressed size is the only
 * size we trust, so a stream that stops short or would go on past it is corrupt. Output past
 * out_len is detected by steering the codec into a one-byte spill buffer once `out` is full, so
 * a decompression bomb stops after one extra byte instead of inflating. */
#include <limits.h>
#include <lz4.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include <zstd.h>
#include "io/parquet/codec.h"
#include "io/parquet/meta.h"

static const char *const codec_names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};

const char *lml_pq_codec_name(int codec)
{
    if (codec < 0 || codec >= (int)(sizeof codec_names / sizeof codec_names[0]))
        return NULL;
    return codec_names[codec];
}

bool lml_pq_codec_parse(const char *name, int *codec)
{
    if (!name || !codec)
        return false;
    /* Spark's spellings first: "none" and "lz4" (which Spark writes as LZ4_RAW since 3.x's
     * parquet-mr 1.12; the Hadoop-framed codec 5 is never a writing target). */
    if (strcasecmp(name, "none") == 0) {
        *codec = LML_PQ_UNCOMPRESSED;
        return true;
    }
    if (strcasecmp(name, "lz4") == 0) {
        *codec = LML_PQ_LZ4_RAW;
        return true;
    }
    for (int i = 0; i < (int)(sizeof codec_names / sizeof codec_names[0]); i++) {
        if (strcasecmp(name, codec_names[i]) == 0) {
            *codec = i;
            return true;
        }
    }
    return false;
}

static const char *label(const char *what) { return what ? what : "page"; }

static bool short_or_long(const char *what, const char *codec, size_t got, size_t out_len, bool more, lml_error *err)
{
    if (more)
        return lml_error_set(err, LML_EFORMAT, "%s: %s data decompresses to more than the %zu bytes the page header says",
                             label(what), codec, out_len);
    return lml_error_set(err, LML_EFORMAT, "%s: %s data decompresses to %zu bytes, the page header says %zu",
                         label(what), codec, got, out_len);
}

static bool snappy_dec(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len, const char *what,
                       lml_error *err)
{
    size_t ulen = 0;
    if (snappy_uncompressed_length((const char *)in, in_len, &ulen) != SNAPPY_OK)
        return lml_error_set(err, LML_EFORMAT, "%s: SNAPPY data has no valid length preamble (%zu bytes)",
                             label(what), in_len);
    if (ulen != out_len)
        return short_or_long(what, "SNAPPY", ulen, out_len, ulen > out_len, err);
    /* snappy_uncompress validates the stream and refuses to write past *len. */
    uint8_t spill;
    size_t got = out_len;
    if (snappy_uncompress((const char *)in, in_len, (char *)(out_len ? out : &spill), &got) != SNAPPY_OK)
        return lml_error_set(err, LML_EFORMAT, "%s: corrupt SNAPPY data (%zu bytes)", label(what), in_len);
    if (got != out_len)
        return short_or_long(what, "SNAPPY", got, out_len, false, err);
    return true;
}

static bool gzip_dec(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len, const char *what, lml_error *err)
{
    if (in_len > UINT_MAX || out_len > UINT_MAX)
        return lml_error_set(err, LML_EUNSUPPORTED, "%s: GZIP page larger than 4 GiB", label(what));
    z_stream s;
    memset(&s, 0, sizeof s);
    /* 15 + 32: gzip or zlib header, detected per member. */
    if (inflateInit2(&s, 15 + 32) != Z_OK)
        return lml_error_set(err, LML_ENOMEM, "%s: cannot start the GZIP decoder", label(what));
    uint8_t spill;
    s.next_in = (Bytef *)in;
    s.avail_in = (uInt)in_len;
    s.next_out = out_len ? out : &spill;
    s.avail_out = out_len ? (uInt)out_len : 1;
    bool in_spill = out_len == 0, ok = false, more = false;
    for (;;) {
        int rc = inflate(&s, Z_NO_FLUSH);
        if (in_spill && s.avail_out == 0) {
            more = true;
            break;
        }
        if (rc == Z_STREAM_END) {
            if (s.avail_in == 0) {
                ok = true;
                break;
            }
            /* Another gzip member follows (concatenated members are one valid stream). */
            if (inflateReset(&s) != Z_OK)
                break;
            continue;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            break; /* Z_DATA_ERROR, Z_NEED_DICT, Z_MEM_ERROR */
        if (!in_spill && s.avail_out == 0) {
            s.next_out = &spill;
            s.avail_out = 1;
            in_spill = true;
            continue;
        }
        if (s.avail_in == 0 || rc == Z_BUF_ERROR)
            break; /* truncated member, or no progress possible */
    }
    size_t got = in_spill ? out_len : (size_t)(s.next_out - out);
    inflateEnd(&s);
    if (more)
        return short_or_long(what, "GZIP", got, out_len, true, err);
    if (!ok)
        return lml_error_set(err, LML_EFORMAT, "%s: corrupt or truncated GZIP data (%zu bytes, %zu decoded)",
                             label(what), in_len, got);
    if (got != out_len)
        return short_or_long(what, "GZIP", got, out_len, false, err);
    return true;
}

static bool zstd_dec(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len, const char *what, lml_error *err)
{
    /* Streaming, because Java writers may omit the frame content size; concatenated and
     * skippable frames are handled by the stream decoder itself. */
    ZSTD_DCtx *d = ZSTD_createDCtx();
    if (!d)
        return lml_error_set(err, LML_ENOMEM, "%s: cannot start the ZSTD decoder", label(what));
    uint8_t spill;
    ZSTD_inBuffer ib = {in, in_len, 0};
    ZSTD_outBuffer ob = {out_len ? out : &spill, out_len ? out_len : 1, 0};
    bool in_spill = out_len == 0, more = false, ok = false;
    const char *why = "truncated";
    size_t ret = 1;
    for (;;) {
        size_t in_before = ib.pos, out_before = ob.pos;
        ret = ZSTD_decompressStream(d, &ob, &ib);
        if (ZSTD_isError(ret)) {
            why = ZSTD_getErrorName(ret);
            break;
        }
        if (in_spill && ob.pos > 0) {
            more = true;
            break;
        }
        if (ret == 0 && ib.pos == ib.size) {
            ok = true; /* the last frame is complete and flushed */
            break;
        }
        if (!in_spill && ob.pos == ob.size) {
            /* Full: anything still to come (pending or from more input) lands in the spill. */
            ob = (ZSTD_outBuffer){&spill, 1, 0};
            in_spill = true;
            continue;
        }
        if (ib.pos == in_before && ob.pos == out_before)
            break; /* no progress: the input ends inside a frame */
    }
    size_t got = in_spill ? out_len : ob.pos;
    ZSTD_freeDCtx(d);
    if (more)
        return short_or_long(what, "ZSTD", got, out_len, true, err);
    if (!ok)
        return lml_error_set(err, LML_EFORMAT, "%s: corrupt ZSTD data (%zu bytes): %s", label(what), in_len, why);
    if (got != out_len)
        return short_or_long(what, "ZSTD", got, out_len, false, err);
    return true;
}

static bool lz4_raw_dec(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len, const char *what,
                        lml_error *err)
{
    if (in_len > INT_MAX || out_len > INT_MAX)
        return lml_error_set(err, LML_EUNSUPPORTED, "%s: LZ4 page larger than 2 GiB", label(what));
    uint8_t spill;
    /* LZ4_decompress_safe never writes past dstCapacity and fails when the block needs more. */
    int r = LZ4_decompress_safe((const char *)in, (char *)(out_len ? out : &spill), (int)in_len, (int)out_len);
    if (r < 0)
        return lml_error_set(err, LML_EFORMAT,
                             "%s: corrupt LZ4 block (%zu bytes) or it decompresses to more than %zu bytes", label(what),
                             in_len, out_len);
    if ((size_t)r != out_len)
        return short_or_long(what, "LZ4", (size_t)r, out_len, false, err);
    return true;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Hadoop's BlockCompressorStream framing: chunks of [u32 BE raw length] followed by
 * [u32 BE compressed length][LZ4 block] pieces until the chunk's raw length is produced.
 * False when the bytes do not follow that framing exactly. */
static bool lz4_hadoop(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len)
{
    size_t pos = 0, done = 0;
    uint8_t spill;
    uint8_t *dst = out_len ? out : &spill;
    if (in_len == 0)
        return false;
    while (pos < in_len) {
        if (in_len - pos < 4)
            return false;
        size_t ulen = be32(in + pos);
        pos += 4;
        if (ulen > out_len - done)
            return false;
        size_t chunk_end = done + ulen;
        do {
            if (in_len - pos < 4)
                return false;
            size_t clen = be32(in + pos);
            pos += 4;
            if (clen > in_len - pos || clen > INT_MAX || chunk_end - done > INT_MAX)
                return false;
            int r = 0; /* an empty piece of an empty chunk (empty page) needs no decoder */
            if (clen > 0 || chunk_end > done)
                r = LZ4_decompress_safe((const char *)in + pos, (char *)dst + done, (int)clen, (int)(chunk_end - done));
            if (r < 0)
                return false;
            pos += clen;
            done += (size_t)r;
        } while (done < chunk_end);
    }
    return done == out_len;
}

bool lml_pq_decompress(int codec, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len, const char *what,
                       lml_error *err)
{
    /* A v2 page with an empty values section stores zero bytes whatever the codec (no codec's
     * own empty stream): there is nothing to decompress. */
    if (in_len == 0 && out_len == 0 && lml_pq_compress_bound(codec == LML_PQ_LZ4 ? LML_PQ_LZ4_RAW : codec, 1) > 0)
        return true;
    switch (codec) {
    case LML_PQ_UNCOMPRESSED:
        if (in_len != out_len)
            return lml_error_set(err, LML_EFORMAT, "%s: uncompressed page has %zu bytes, the page header says %zu",
                                 label(what), in_len, out_len);
        if (in_len)
            memcpy(out, in, in_len);
        return true;
    case LML_PQ_SNAPPY: return snappy_dec(in, in_len, out, out_len, what, err);
    case LML_PQ_GZIP: return gzip_dec(in, in_len, out, out_len, what, err);
    case LML_PQ_ZSTD: return zstd_dec(in, in_len, out, out_len, what, err);
    case LML_PQ_LZ4_RAW: return lz4_raw_dec(in, in_len, out, out_len, what, err);
    case LML_PQ_LZ4:
        if (lz4_hadoop(in, in_len, out, out_len))
            return true;
        /* Old parquet-cpp wrote codec 5 as a bare LZ4 block. */
        return lz4_raw_dec(in, in_len, out, out_len, what, err);
    default:
        if (lml_pq_codec_name(codec))
            return lml_error_set(err, LML_EUNSUPPORTED, "%s: compression codec %s is not supported", label(what),
                                 lml_pq_codec_name(codec));
        return lml_error_set(err, LML_EUNSUPPORTED, "%s: unknown compression codec %d", label(what), codec);
    }
}

size_t lml_pq_compress_bound(int codec, size_t n)
{
    switch (codec) {
    case LML_PQ_UNCOMPRESSED: return n;
    case LML_PQ_SNAPPY: return n > UINT32_MAX ? 0 : snappy_max_compressed_length(n);
    case LML_PQ_GZIP:
        /* compressBound covers the 6-byte zlib wrapper; gzip's header and trailer take 18. */
        return n > UINT_MAX / 2 ? 0 : (size_t)compressBound((uLong)n) + 18;
    case LML_PQ_ZSTD: {
        size_t b = ZSTD_compressBound(n);
        return ZSTD_isError(b) ? 0 : b;
    }
    case LML_PQ_LZ4_RAW: return n > LZ4_MAX_INPUT_SIZE ? 0 : (size_t)LZ4_compressBound((int)n);
    default: return 0;
    }
}

static bool gzip_enc(int level, const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len,
                     lml_error *err)
{
    if (level == 0)
        level = Z_DEFAULT_COMPRESSION;
    if (level < 1 || level > 9) {
        if (level != Z_DEFAULT_COMPRESSION)
            return lml_error_set(err, LML_EINVAL, "GZIP level %d outside 1..9", level);
    }
    z_stream s;
    memset(&s, 0, sizeof s);
    if (deflateInit2(&s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return lml_error_set(err, LML_ENOMEM, "cannot start the GZIP encoder");
    s.next_in = (Bytef *)in;
    s.avail_in = (uInt)in_len;
    s.next_out = out;
    s.avail_out = (uInt)cap;
    int rc = deflate(&s, Z_FINISH);
    *out_len = (size_t)(s.next_out - out);
    deflateEnd(&s);
    if (rc != Z_STREAM_END)
        return lml_error_set(err, LML_ENOMEM, "GZIP compression of %zu bytes failed (%d)", in_len, rc);
    return true;
}

bool lml_pq_compress(int codec, int level, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len,
                     lml_error *err)
{
    size_t cap = lml_pq_compress_bound(codec, in_len);
    if (cap == 0 && !(codec == LML_PQ_UNCOMPRESSED && in_len == 0)) {
        if (!lml_pq_codec_name(codec) || codec == LML_PQ_LZO || codec == LML_PQ_BROTLI || codec == LML_PQ_LZ4)
            return lml_error_set(err, LML_EUNSUPPORTED, "cannot write compression codec %s",
                                 lml_pq_codec_name(codec) ? lml_pq_codec_name(codec) : "(unknown)");
        return lml_error_set(err, LML_EUNSUPPORTED, "page of %zu bytes too large for %s", in_len,
                             lml_pq_codec_name(codec));
    }
    switch (codec) {
    case LML_PQ_UNCOMPRESSED:
        if (in_len)
            memcpy(out, in, in_len);
        *out_len = in_len;
        return true;
    case LML_PQ_SNAPPY: { /* snappy has no levels */
        size_t got = cap;
        if (snappy_compress((const char *)in, in_len, (char *)out, &got) != SNAPPY_OK)
            return lml_error_set(err, LML_ENOMEM, "SNAPPY compression of %zu bytes failed", in_len);
        *out_len = got;
        return true;
    }
    case LML_PQ_GZIP: return gzip_enc(level, in, in_len, out, cap, out_len, err);
    case LML_PQ_ZSTD: {
        /* Level 3 is parquet-mr's default (and zstd's). */
        if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())
            return lml_error_set(err, LML_EINVAL, "ZSTD level %d outside %d..%d", level, ZSTD_minCLevel(),
                                 ZSTD_maxCLevel());
        size_t r = ZSTD_compress(out, cap, in, in_len, level ? level : 3);
        if (ZSTD_isError(r))
            return lml_error_set(err, LML_ENOMEM, "ZSTD compression of %zu bytes failed: %s", in_len,
                                 ZSTD_getErrorName(r));
        *out_len = r;
        return true;
    }
    case LML_PQ_LZ4_RAW: {
        /* The block format has no levels that readers see; a positive level is LZ4's
         * acceleration factor (higher = faster, larger output). */
        int r = LZ4_compress_fast((const char *)in, (char *)out, (int)in_len, (int)cap, level > 0 ? level : 1);
        if (r <= 0)
            return lml_error_set(err, LML_ENOMEM, "LZ4 compression of %zu bytes failed", in_len);
        *out_len = (size_t)r;
        return true;
    }
    default: return lml_error_set(err, LML_EUNSUPPORTED, "cannot write compression codec %d", codec);
    }
}

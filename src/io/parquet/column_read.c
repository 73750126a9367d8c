/* Reads one column chunk: locates it (spec §1.1 quirks), walks its pages, checks CRCs,
 * decompresses, and decodes levels and values with every encoding of spec §4. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "../../frame/internal.h"
#include "codec.h"
#include "column.h"
#include "encoding.h"

/* Sanity caps for hostile headers: a page may not claim more than this decompressed, and a
 * chunk may not hold more level entries than an int32 offset column can address. */
#define PAGE_MAX_BYTES ((size_t)1 << 30)
#define CHUNK_MAX_LEVELS ((size_t)INT32_MAX)

typedef struct ctx {
    const lml_pq_rchunk_source *src;
    const lml_pq_rleaf *leaf;
    int codec;
    int page;
    size_t page_off;
    lml_pq_rchunk *out;
    size_t got;    /* level entries of this chunk decoded so far */
    size_t expect; /* level entries the chunk metadata announces */
    bool direct;   /* flat mode, a page with a value in every row: fixed values go straight to the column */
    /* dictionary, decoded once per chunk */
    bool has_dict;
    size_t dict_n;
    uint8_t *dict_fixed;
    int64_t *dict_off;
    uint8_t *dict_bytes;
} ctx;

static const char *enc_name(int e) {
    switch (e) {
    case LML_PQ_PLAIN: return "PLAIN";
    case LML_PQ_PLAIN_DICTIONARY: return "PLAIN_DICTIONARY";
    case LML_PQ_RLE: return "RLE";
    case LML_PQ_BIT_PACKED: return "BIT_PACKED";
    case LML_PQ_DELTA_BINARY_PACKED: return "DELTA_BINARY_PACKED";
    case LML_PQ_DELTA_LENGTH_BYTE_ARRAY: return "DELTA_LENGTH_BYTE_ARRAY";
    case LML_PQ_DELTA_BYTE_ARRAY: return "DELTA_BYTE_ARRAY";
    case LML_PQ_RLE_DICTIONARY: return "RLE_DICTIONARY";
    case LML_PQ_BYTE_STREAM_SPLIT: return "BYTE_STREAM_SPLIT";
    default: return "unknown";
    }
}

/* Adds "file: column 'x', row group r, page p at offset o: " in front of a message from below. */
static bool fail_here(ctx *c, lml_error *err) {
    lml_error_prefix(err, "%s: column '%s', row group %d, page %d at offset %zu", c->src->what, c->leaf->path,
                     c->src->row_group, c->page, c->page_off);
    return false;
}

__attribute__((format(printf, 3, 4))) static bool fmt_err(ctx *c, lml_error *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    lml_error_setv(err, LML_EFORMAT, fmt, ap);
    va_end(ap);
    return fail_here(c, err);
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem, lml_error *err) {
    if (need <= *cap) return true;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) return lml_error_set(err, LML_ENOMEM, "buffer size overflow");
        ncap *= 2;
    }
    size_t bytes;
    if (__builtin_mul_overflow(ncap, elem, &bytes)) return lml_error_set(err, LML_ENOMEM, "buffer size overflow");
    void *q = realloc(*p, bytes ? bytes : 1);
    if (!q) return lml_error_set(err, LML_ENOMEM, "out of memory (%zu bytes)", bytes);
    *p = q;
    *cap = ncap;
    return true;
}

/* Dictionary strings are mostly short: one that fits copies as a single 16-byte move, which
 * the dictionary's and the chunk's byte buffers leave room for (DICT_SLACK bytes past the end). */
#define DICT_SLACK 16
static inline void copy_short(uint8_t *dst, const uint8_t *src, size_t n) {
    if (n <= 16) memcpy(dst, src, 16);
    else memcpy(dst, src, n);
}

/* Makes room for n more values (fixed or byte-array offsets). */
static bool reserve_values(lml_pq_rchunk *o, size_t n, lml_error *err) {
    size_t need = o->num_values + n;
    if (o->width) { /* + 1: the buffer exists even before the first value (no NULL + 0) */
        size_t cap_vals = o->value_cap;
        if (!grow((void **)&o->fixed, &cap_vals, need + 1, o->width, err)) return false;
        o->value_cap = cap_vals;
        return true;
    }
    size_t cap = o->value_cap;
    if (!grow((void **)&o->off, &cap, need + 1, sizeof(int64_t), err)) return false;
    o->value_cap = cap;
    if (o->num_values == 0) o->off[0] = (int64_t)o->bytes_len; /* flat mode keeps the bytes of earlier pages */
    return true;
}

static bool append_bytes(lml_pq_rchunk *o, const uint8_t *p, size_t n, lml_error *err) {
    if (!grow((void **)&o->bytes, &o->bytes_cap, o->bytes_len + n, 1, err)) return false;
    if (n) memcpy(o->bytes + o->bytes_len, p, n);
    o->bytes_len += n;
    o->off[o->num_values + 1] = (int64_t)o->bytes_len;
    o->num_values++;
    return true;
}

/* Moves decoded byte strings (PLAIN or DELTA) into the chunk; FLBA values must have the width. */
static bool take_byte_values(ctx *c, const lml_pq_byte_values *bv, size_t n, lml_error *err) {
    lml_pq_rchunk *o = c->out;
    for (size_t i = 0; i < n; i++) {
        int64_t a = bv->off[i], b = bv->off[i + 1];
        if (a < 0 || b < a) return fmt_err(c, err, "bad byte-array offsets at value %lld", (long long)i);
        if (o->width) {
            if ((size_t)(b - a) != o->width)
                return fmt_err(c, err, "fixed-length value of %lld bytes does not match the column width",
                               (long long)(b - a));
            memcpy(o->fixed + (o->num_values++) * o->width, bv->data + a, o->width);
        } else if (!append_bytes(o, bv->data + a, (size_t)(b - a), err)) {
            return fail_here(c, err);
        }
    }
    return true;
}

static size_t fixed_width(const lml_pq_rleaf *leaf) {
    switch (leaf->physical) {
    case LML_PQ_BOOLEAN: return 1;
    case LML_PQ_INT32: case LML_PQ_FLOAT: return 4;
    case LML_PQ_INT64: case LML_PQ_DOUBLE: return 8;
    case LML_PQ_INT96: return 12;
    case LML_PQ_FIXED_LEN_BYTE_ARRAY: return (size_t)leaf->type_length;
    default: return 0;
    }
}

/* Where the next fixed-width values go: the chunk's buffer, or their rows of the flat column. */
static uint8_t *fixed_dst(ctx *c) {
    lml_pq_rchunk *o = c->out;
    if (c->direct) return (uint8_t *)o->sink->values + (o->sink_row + o->num_values) * o->width;
    return o->fixed + o->num_values * o->width;
}

/* PLAIN values (data pages and the dictionary page alike) appended to the chunk. */
static bool decode_plain(ctx *c, const uint8_t *p, size_t len, size_t n, lml_error *err) {
    lml_pq_rchunk *o = c->out;
    size_t used;
    if (o->width) {
        size_t w = c->leaf->physical == LML_PQ_BOOLEAN ? 0 : o->width;
        if (!lml_pq_plain_decode_fixed(p, len, w, fixed_dst(c), n, &used, c->leaf->path, err))
            return fail_here(c, err);
        o->num_values += n;
        return true;
    }
    lml_pq_byte_values bv = {0};
    bv.off = malloc((n + 1) * sizeof(int64_t));
    if (!bv.off) return lml_error_set(err, LML_ENOMEM, "out of memory");
    bool ok = lml_pq_plain_decode_bytes(p, len, n, &bv, &used, c->leaf->path, err) ? take_byte_values(c, &bv, n, err)
                                                                                   : fail_here(c, err);
    free(bv.off);
    free(bv.own);
    return ok;
}

static bool decode_dictionary_page(ctx *c, const lml_pq_page_header *h, const uint8_t *body, size_t len,
                                   lml_error *err) {
    if (c->has_dict) return fmt_err(c, err, "second dictionary page in the chunk");
    if (h->dict_num_values < 0) return fmt_err(c, err, "dictionary page with %d values", h->dict_num_values);
    if (h->dict_encoding != LML_PQ_PLAIN && h->dict_encoding != LML_PQ_PLAIN_DICTIONARY) {
        lml_error_set(err, LML_EUNSUPPORTED, "dictionary page encoding %s (%d)", enc_name(h->dict_encoding),
                      (int)h->dict_encoding);
        return fail_here(c, err);
    }
    size_t n = (size_t)h->dict_num_values;
    /* Decode into a scratch chunk of the same shape, then keep its buffers as the dictionary. */
    lml_pq_rchunk d = {.width = c->out->width};
    lml_pq_rchunk *saved = c->out;
    c->out = &d;
    /* Every PLAIN value takes at least a byte (4 for byte arrays): refuse a count the page
     * cannot hold before allocating for it. */
    size_t min_bytes = d.width == 0 ? 4 : c->leaf->physical == LML_PQ_BOOLEAN ? 0 : d.width;
    if (min_bytes && n > len / min_bytes) {
        c->out = saved;
        return fmt_err(c, err, "dictionary of %zu values does not fit its %zu-byte page", n, len);
    }
    bool ok = reserve_values(&d, n, err) ? decode_plain(c, body, len, n, err) : fail_here(c, err);
    c->out = saved;
    if (!ok) {
        lml_pq_rchunk_clear(&d);
        return false;
    }
    /* Room for copy_short's 16-byte reads past the last string (and a buffer even when empty). */
    if (!d.width && !grow((void **)&d.bytes, &d.bytes_cap, d.bytes_len + DICT_SLACK, 1, err)) {
        lml_pq_rchunk_clear(&d);
        return fail_here(c, err);
    }
    c->has_dict = true;
    c->dict_n = n;
    c->dict_fixed = d.fixed;
    c->dict_off = d.off;
    c->dict_bytes = d.bytes;
    free(d.def);
    free(d.rep);
    return true;
}

static bool decode_dict_indices(ctx *c, const uint8_t *p, size_t len, size_t n, lml_error *err) {
    if (!c->has_dict) return fmt_err(c, err, "dictionary-encoded page without a dictionary page");
    if (n == 0) return true;
    if (len < 1) return fmt_err(c, err, "dictionary page values are empty");
    int w = p[0];
    if (w > 32) return fmt_err(c, err, "dictionary index bit width %d", w);
    uint32_t *idx = malloc(n * sizeof(uint32_t));
    if (!idx) return lml_error_set(err, LML_ENOMEM, "out of memory");
    size_t used;
    bool ok = lml_pq_rle_decode(p + 1, len - 1, w, idx, n, &used, c->leaf->path, err);
    uint32_t top = 0;
    for (size_t i = 0; ok && i < n; i++) top = idx[i] > top ? idx[i] : top;
    if (!ok) {
        free(idx);
        return fail_here(c, err);
    }
    if (top >= c->dict_n) {
        free(idx);
        return fmt_err(c, err, "dictionary index %lld out of range", (long long)top);
    }
    lml_pq_rchunk *o = c->out;
    const uint8_t *d = c->dict_fixed;
    if (o->width) {
        uint8_t *dst = fixed_dst(c);
        if (o->width == 8)
            for (size_t i = 0; i < n; i++) memcpy(dst + 8 * i, d + 8 * (size_t)idx[i], 8);
        else if (o->width == 4)
            for (size_t i = 0; i < n; i++) memcpy(dst + 4 * i, d + 4 * (size_t)idx[i], 4);
        else
            for (size_t i = 0; i < n; i++) memcpy(dst + o->width * i, d + o->width * (size_t)idx[i], o->width);
        o->num_values += n;
    } else {
        size_t total = 0;
        for (size_t i = 0; i < n; i++) total += (size_t)(c->dict_off[idx[i] + 1] - c->dict_off[idx[i]]);
        ok = grow((void **)&o->bytes, &o->bytes_cap, o->bytes_len + total + DICT_SLACK, 1, err);
        if (ok) {
            int64_t *off = o->off + o->num_values + 1;
            size_t at = o->bytes_len;
            for (size_t i = 0; i < n; i++) {
                int64_t a = c->dict_off[idx[i]], b = c->dict_off[idx[i] + 1];
                copy_short(o->bytes + at, c->dict_bytes + a, (size_t)(b - a));
                at += (size_t)(b - a);
                off[i] = (int64_t)at;
            }
            o->bytes_len = at;
            o->num_values += n;
        }
    }
    free(idx);
    return ok || fail_here(c, err);
}

/* Decodes n non-null values of the page's encoding from [p, p + len). */
static bool decode_values(ctx *c, int enc, const uint8_t *p, size_t len, size_t n, lml_error *err) {
    lml_pq_rchunk *o = c->out;
    const lml_pq_rleaf *leaf = c->leaf;
    /* Encodings with a fixed minimum size per value cannot hold more values than their bytes
     * allow: refuse a lying count before allocating for it. */
    size_t min_bits = enc == LML_PQ_PLAIN ? (leaf->physical == LML_PQ_BOOLEAN ? 1 : o->width ? o->width * 8 : 32)
                    : enc == LML_PQ_BYTE_STREAM_SPLIT ? o->width * 8 : 0;
    if (min_bits && n > len * 8 / min_bits)
        return fmt_err(c, err, "%zu %s values do not fit in %zu bytes", n, enc_name(enc), len);
    if (!reserve_values(o, n, err)) return fail_here(c, err);
    size_t used;
    int phys = leaf->physical;
    switch (enc) {
    case LML_PQ_PLAIN: return decode_plain(c, p, len, n, err);
    case LML_PQ_PLAIN_DICTIONARY:
    case LML_PQ_RLE_DICTIONARY: return decode_dict_indices(c, p, len, n, err);
    case LML_PQ_RLE:
        if (phys == LML_PQ_BOOLEAN) {
            if (n == 0) return true;
            if (len < 4) return fmt_err(c, err, "RLE boolean values without a length prefix (%lld bytes)", (long long)len);
            uint32_t blen = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
            if (blen > len - 4) return fmt_err(c, err, "RLE boolean length %u past the page end", blen);
            uint32_t *tmp = malloc(n * sizeof(uint32_t));
            if (!tmp) return lml_error_set(err, LML_ENOMEM, "out of memory");
            if (!lml_pq_rle_decode(p + 4, blen, 1, tmp, n, &used, leaf->path, err)) {
                free(tmp);
                return fail_here(c, err);
            }
            for (size_t i = 0; i < n; i++) o->fixed[o->num_values++] = (uint8_t)(tmp[i] != 0);
            free(tmp);
            return true;
        }
        break;
    case LML_PQ_DELTA_BINARY_PACKED:
        if (phys == LML_PQ_INT32 || phys == LML_PQ_INT64) {
            if (!lml_pq_delta_binary_decode(p, len, phys == LML_PQ_INT64, fixed_dst(c), n, &used, leaf->path, err))
                return fail_here(c, err);
            o->num_values += n;
            return true;
        }
        break;
    case LML_PQ_DELTA_LENGTH_BYTE_ARRAY:
    case LML_PQ_DELTA_BYTE_ARRAY:
        if (phys == LML_PQ_BYTE_ARRAY || (enc == LML_PQ_DELTA_BYTE_ARRAY && phys == LML_PQ_FIXED_LEN_BYTE_ARRAY)) {
            lml_pq_byte_values bv = {0};
            bv.off = malloc((n + 1) * sizeof(int64_t));
            if (!bv.off) return lml_error_set(err, LML_ENOMEM, "out of memory");
            bool ok = enc == LML_PQ_DELTA_BYTE_ARRAY ? lml_pq_delta_byte_array_decode(p, len, n, &bv, &used, leaf->path, err)
                                                     : lml_pq_delta_length_decode(p, len, n, &bv, &used, leaf->path, err);
            ok = ok ? take_byte_values(c, &bv, n, err) : fail_here(c, err);
            free(bv.off);
            free(bv.own);
            return ok;
        }
        break;
    case LML_PQ_BYTE_STREAM_SPLIT:
        if (phys != LML_PQ_BOOLEAN && phys != LML_PQ_BYTE_ARRAY && phys != LML_PQ_INT96) {
            if (!lml_pq_byte_stream_split_decode(p, len, o->width, fixed_dst(c), n, leaf->path, err))
                return fail_here(c, err);
            o->num_values += n;
            return true;
        }
        break;
    default: break;
    }
    lml_error_set(err, LML_EUNSUPPORTED, "value encoding %s (%d) for this physical type", enc_name(enc), enc);
    return fail_here(c, err);
}

/* Decodes n level entries into dst (the caller's slice of out->def or out->rep). v1 levels
 * (`prefixed`) are RLE with a 4-byte length or the deprecated BIT_PACKED with none; v2 levels
 * are RLE over exactly `len` bytes. *consumed receives the bytes used. */
static bool decode_levels_into(ctx *c, uint32_t *dst, int max, int enc, const uint8_t *p, size_t len, size_t n,
                               bool prefixed, size_t *consumed, lml_error *err) {
    int w = lml_pq_bit_width((uint64_t)max);
    if (enc == LML_PQ_BIT_PACKED && prefixed) {
        size_t bytes = (n * (size_t)w + 7) / 8;
        if (bytes > len) return fmt_err(c, err, "BIT_PACKED levels need %lld bytes past the page end", (long long)bytes);
        if (!lml_pq_bitpacked_decode(p, bytes, w, dst, n, c->leaf->path, err)) return fail_here(c, err);
        *consumed = bytes;
    } else if (enc == LML_PQ_RLE || !prefixed) {
        size_t l = len, skip = 0, used;
        if (prefixed) {
            if (len < 4) return fmt_err(c, err, "level section of %lld bytes has no length prefix", (long long)len);
            uint32_t ll = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
            if (ll > len - 4) return fmt_err(c, err, "level length %u past the page end", ll);
            l = ll;
            skip = 4;
        }
        if (!lml_pq_rle_decode(p + skip, l, w, dst, n, &used, c->leaf->path, err)) return fail_here(c, err);
        *consumed = skip + l;
    } else {
        lml_error_set(err, LML_EUNSUPPORTED, "level encoding %s (%d)", enc_name(enc), enc);
        return fail_here(c, err);
    }
    for (size_t i = 0; i < n; i++)
        if (dst[i] > (uint32_t)max) return fmt_err(c, err, "level %u above the column's maximum", dst[i]);
    return true;
}

/* Shared tail of v1 and v2 pages: levels already decoded for n entries; count stored values and
 * decode them. */
static bool finish_page(ctx *c, size_t n, int enc, const uint8_t *vals, size_t vlen, lml_error *err) {
    lml_pq_rchunk *o = c->out;
    size_t nv = n;
    if (c->leaf->max_def > 0) {
        nv = 0;
        for (size_t i = 0; i < n; i++) nv += o->def[o->num_levels + i] == (uint32_t)c->leaf->max_def;
    }
    if (c->leaf->max_rep > 0 && n > 0 && c->got == 0 && o->rep[o->num_levels] != 0)
        return fmt_err(c, err, "first repetition level is %u, not 0", o->rep[o->num_levels]);
    o->num_levels += n;
    c->got += n;
    c->direct = o->sink && o->width && nv == n;
    bool ok = decode_values(c, enc, vals, vlen, nv, err);
    bool in_place = c->direct;
    c->direct = false;
    if (!ok) return false;
    return !o->sink || lml_pq_flat_flush(o, c->leaf, in_place, err) || fail_here(c, err);
}

static bool reserve_levels(ctx *c, size_t n, lml_error *err) {
    lml_pq_rchunk *o = c->out;
    if (n > c->expect - c->got)
        return fmt_err(c, err, "page of %zu entries exceeds the chunk's %zu", n, c->expect);
    /* One spare entry: the arrays then exist even for pages of 0 entries (no NULL + 0). */
    size_t need = o->num_levels + n + 1, cap = o->level_cap;
    if (c->leaf->max_def > 0 && !grow((void **)&o->def, &cap, need, sizeof(uint32_t), err)) return fail_here(c, err);
    if (c->leaf->max_rep > 0) {
        size_t cap2 = o->level_cap;
        if (!grow((void **)&o->rep, &cap2, need, sizeof(uint32_t), err)) return fail_here(c, err);
        cap = cap2;
    }
    o->level_cap = cap;
    return true;
}

static bool data_page_v1(ctx *c, const lml_pq_page_header *h, const uint8_t *body, size_t len, lml_error *err) {
    if (h->dp_num_values < 0) return fmt_err(c, err, "data page with %d values", h->dp_num_values);
    size_t n = (size_t)h->dp_num_values, used = 0, pos = 0;
    if (!reserve_levels(c, n, err)) return false;
    lml_pq_rchunk *o = c->out;
    if (c->leaf->max_rep > 0) {
        if (!decode_levels_into(c, o->rep + o->num_levels, c->leaf->max_rep, h->dp_rep_encoding, body, len, n, true,
                                &used, err))
            return false;
        pos += used;
    }
    if (c->leaf->max_def > 0) {
        if (!decode_levels_into(c, o->def + o->num_levels, c->leaf->max_def, h->dp_def_encoding, body + pos, len - pos,
                                n, true, &used, err))
            return false;
        pos += used;
    }
    return finish_page(c, n, h->dp_encoding, body + pos, len - pos, err);
}

static bool data_page_v2(ctx *c, const lml_pq_page_header *h, const uint8_t *raw, size_t raw_len,
                         lml_error *err) {
    if (h->v2_num_values < 0 || h->v2_rep_length < 0 || h->v2_def_length < 0)
        return fmt_err(c, err, "data page v2 with negative counts (%d values)", h->v2_num_values);
    size_t n = (size_t)h->v2_num_values, rl = (size_t)h->v2_rep_length, dl = (size_t)h->v2_def_length;
    if (rl > raw_len || dl > raw_len - rl) return fmt_err(c, err, "level lengths exceed the page (%lld bytes)", (long long)raw_len);
    if ((size_t)h->uncompressed_page_size < rl + dl)
        return fmt_err(c, err, "uncompressed size %d smaller than the levels", h->uncompressed_page_size);
    if (!reserve_levels(c, n, err)) return false;
    lml_pq_rchunk *o = c->out;
    size_t used;
    if (c->leaf->max_rep > 0 &&
        !decode_levels_into(c, o->rep + o->num_levels, c->leaf->max_rep, LML_PQ_RLE, raw, rl, n, false, &used, err))
        return false;
    if (c->leaf->max_def > 0 &&
        !decode_levels_into(c, o->def + o->num_levels, c->leaf->max_def, LML_PQ_RLE, raw + rl, dl, n, false, &used, err))
        return false;
    const uint8_t *vals = raw + rl + dl;
    size_t vlen = raw_len - rl - dl, ulen = (size_t)h->uncompressed_page_size - rl - dl;
    uint8_t *buf = NULL;
    /* Only the values section is compressed; an empty section is never fed to the codec (some
     * writers store nothing, others a valid empty frame). */
    if (h->v2_is_compressed && c->codec != LML_PQ_UNCOMPRESSED && ulen > 0) {
        if (ulen > PAGE_MAX_BYTES) return fmt_err(c, err, "uncompressed page size %lld is too large", (long long)ulen);
        buf = malloc(ulen);
        if (!buf) return lml_error_set(err, LML_ENOMEM, "out of memory (%zu bytes)", ulen);
        if (!lml_pq_decompress(c->codec, vals, vlen, buf, ulen, c->leaf->path, err)) {
            free(buf);
            return fail_here(c, err);
        }
        vals = buf;
        vlen = ulen;
    } else if (ulen == 0) {
        vlen = 0;
    }
    bool ok = finish_page(c, n, h->v2_encoding, vals, vlen, err);
    free(buf);
    return ok;
}

/* Chunk start per spec §1.1: the dictionary offset only when it is positive and precedes the
 * first data page; otherwise the data page offset (which may point at a dictionary page). */
static bool chunk_range(const lml_pq_rchunk_source *src, const lml_pq_column_meta *m, const char *path, size_t *start,
                        size_t *end, lml_error *err) {
    int64_t s = m->data_page_offset;
    if (m->has_dictionary_page_offset && m->dictionary_page_offset > 0 && m->dictionary_page_offset < s)
        s = m->dictionary_page_offset;
    if (s < 4 || (uint64_t)s >= src->data_end || m->total_compressed_size < 0 ||
        (uint64_t)m->total_compressed_size > src->data_end - (uint64_t)s)
        return lml_error_set(err, LML_EFORMAT,
                             "%s: column '%s', row group %d: chunk at offset %lld of %lld bytes lies outside the data "
                             "area (%zu bytes)",
                             src->what, path, src->row_group, (long long)s, (long long)m->total_compressed_size,
                             src->data_end);
    *start = (size_t)s;
    *end = (size_t)s + (size_t)m->total_compressed_size;
    return true;
}

bool lml_pq_rchunk_read(const lml_pq_rchunk_source *src, const lml_pq_column_chunk *cc, const lml_pq_rleaf *leaf,
                       lml_pq_rchunk *out, lml_error *err) {
    if (cc->file_path || cc->encrypted)
        return lml_error_set(err, LML_EUNSUPPORTED, "%s: column '%s', row group %d: %s column chunk", src->what,
                             leaf->path, src->row_group, cc->encrypted ? "encrypted" : "external (file_path)");
    if (!cc->has_meta_data)
        return lml_error_set(err, LML_EFORMAT, "%s: column '%s', row group %d: column chunk has no metadata", src->what,
                             leaf->path, src->row_group);
    const lml_pq_column_meta *m = &cc->meta;
    if (m->type != leaf->physical)
        return lml_error_set(err, LML_EFORMAT, "%s: column '%s', row group %d: chunk type %d differs from schema type %d",
                             src->what, leaf->path, src->row_group, (int)m->type, leaf->physical);
    if (m->num_values < 0 || (uint64_t)m->num_values > CHUNK_MAX_LEVELS)
        return lml_error_set(err, LML_EFORMAT, "%s: column '%s', row group %d: num_values %lld", src->what, leaf->path,
                             src->row_group, (long long)m->num_values);
    if (out->sink && m->num_values != src->num_rows)
        return lml_error_set(err, LML_EFORMAT, "%s: column '%s', row group %d: %lld values in a row group of %lld rows",
                             src->what, leaf->path, src->row_group, (long long)m->num_values, (long long)src->num_rows);
    ctx c = {.src = src, .leaf = leaf, .codec = m->codec, .out = out, .expect = (size_t)m->num_values};
    out->width = fixed_width(leaf);
    if (m->num_values == 0) return true; /* an empty chunk: no page to find (its offsets may be 0) */
    size_t pos = 0, end = 0; /* set by chunk_range; initialised for -Wmaybe-uninitialized */
    if (!chunk_range(src, m, leaf->path, &pos, &end, err)) return false;
    if (leaf->physical == LML_PQ_FIXED_LEN_BYTE_ARRAY && out->width == 0)
        return lml_error_set(err, LML_EFORMAT, "%s: column '%s': FIXED_LEN_BYTE_ARRAY of length 0", src->what, leaf->path);
    bool ok = true;
    uint8_t *buf = NULL;
    while (ok && c.got < c.expect && pos < end) {
        lml_pq_page_header h;
        size_t hlen;
        c.page_off = pos;
        /* Pages are bounded by the data area, not by total_compressed_size: some writers
         * under-count the chunk (nation.dict-malformed.parquet), and readers such as DuckDB
         * still read it. The loop still stops at the chunk's end or its value count. */
        if (!lml_pq_page_header_decode(src->file + pos, src->data_end - pos, src->what, &h, &hlen, err)) {
            ok = fail_here(&c, err);
            break;
        }
        size_t body_at = pos + hlen;
        if (h.compressed_page_size < 0 || h.uncompressed_page_size < 0 ||
            (size_t)h.compressed_page_size > src->data_end - body_at) {
            ok = fmt_err(&c, err, "page body of %d bytes runs past the data area", h.compressed_page_size);
        } else if ((size_t)h.uncompressed_page_size > PAGE_MAX_BYTES) {
            ok = fmt_err(&c, err, "uncompressed page size %d is too large", h.uncompressed_page_size);
        } else {
            const uint8_t *body = src->file + body_at;
            size_t clen = (size_t)h.compressed_page_size, ulen = (size_t)h.uncompressed_page_size;
            if (h.has_crc && !src->skip_checksums && lml_pq_crc32(body, clen) != h.crc) {
                ok = fmt_err(&c, err, "page CRC mismatch (stored %#llx)", (long long)h.crc);
            } else if (h.type == LML_PQ_DATA_PAGE_V2) {
                ok = h.has_data_page_v2 ? data_page_v2(&c, &h, body, clen, err)
                                        : fmt_err(&c, err, "data page v2 without its header");
            } else if (h.type == LML_PQ_DATA_PAGE || h.type == LML_PQ_DICTIONARY_PAGE) {
                const uint8_t *p = body;
                size_t plen = clen;
                if (m->codec != LML_PQ_UNCOMPRESSED) {
                    buf = malloc(ulen ? ulen : 1);
                    if (!buf) {
                        ok = lml_error_set(err, LML_ENOMEM, "out of memory (%zu bytes)", ulen);
                    } else if (ulen > 0 && !lml_pq_decompress(m->codec, body, clen, buf, ulen, leaf->path, err)) {
                        ok = fail_here(&c, err);
                    }
                    p = buf;
                    plen = ulen;
                }
                if (ok && h.type == LML_PQ_DATA_PAGE)
                    ok = h.has_data_page ? data_page_v1(&c, &h, p, plen, err)
                                         : fmt_err(&c, err, "data page without its header");
                else if (ok)
                    ok = h.has_dictionary_page ? decode_dictionary_page(&c, &h, p, plen, err)
                                               : fmt_err(&c, err, "dictionary page without its header");
                free(buf);
                buf = NULL;
            } /* index pages and unknown types are skipped */
            pos = body_at + clen;
        }
        lml_pq_page_header_clear(&h);
        c.page++;
    }
    if (ok && c.got != c.expect)
        ok = lml_error_set(err, LML_EFORMAT, "%s: column '%s', row group %d: pages hold %zu of %lld values", src->what,
                           leaf->path, src->row_group, c.got, (long long)m->num_values);
    free(c.dict_fixed);
    free(c.dict_off);
    free(c.dict_bytes);
    if (!ok) lml_pq_rchunk_clear(out);
    return ok;
}

void lml_pq_rchunk_clear(lml_pq_rchunk *c) {
    if (!c) return;
    free(c->def);
    free(c->rep);
    free(c->fixed);
    free(c->off);
    free(c->bytes);
    memset(c, 0, sizeof *c);
}

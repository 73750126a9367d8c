/* One column chunk of a written Parquet file (spec/parquet.md §1.2, §4, §7, §10): data pages v1
 * of `[rep levels][def levels][values]`, values RLE_DICTIONARY against a PLAIN dictionary page or
 * PLAIN, each page compressed, CRC'd and carrying statistics.
 *
 * Dictionary policy follows parquet-mr: try the dictionary first; drop it when the first page
 * shows it does not pay (dictionary + indexes ≥ plain bytes, e.g. random doubles), and fall back
 * to PLAIN for the remaining pages once the PLAIN-encoded dictionary passes the limit. The
 * dictionary page must precede the data pages, so the chunk is built in memory in two parts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "io/parquet/codec.h"
#include "io/parquet/encoding.h"
#include "io/parquet/writer_internal.h"

/* parquet-mr drops min/max of byte arrays larger than this rather than truncating them. */
#define STATS_MAX_BYTES 4096

typedef struct bytes {
    uint8_t *p;
    size_t len, cap;
} bytes;

static bool reserve(bytes *b, size_t extra, lml_error *err) { return lml_pq_reserve(&b->p, &b->len, &b->cap, extra, err); }

static bool put(bytes *b, const void *src, size_t n, lml_error *err) {
    if (!reserve(b, n, err)) return false;
    if (n) memcpy(b->p + b->len, src, n);
    b->len += n;
    return true;
}

static void put_u32_at(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static size_t width_of(const lml_pq_leaf *l) {
    switch (l->type) {
    case LML_PQ_INT32:
    case LML_PQ_FLOAT: return 4;
    case LML_PQ_INT64:
    case LML_PQ_DOUBLE: return 8;
    case LML_PQ_FIXED_LEN_BYTE_ARRAY: return (size_t)l->type_length;
    default: return 0;
    }
}

static size_t src_width_of(const lml_pq_leaf *l) { return l->src_width ? l->src_width : width_of(l); }

static inline size_t elem(const lml_pq_leaf *l, size_t i) { return l->sel ? l->sel[i] : l->base + i; }

/* The value's PLAIN bytes (without a length prefix): little-endian fixed width (the host is
 * little-endian, as everywhere Arrow layout is used), the string's bytes, or a conversion into
 * tmp: int8/int16 sign-extended to INT32, a decimal128 as big-endian FLBA (its low-order bytes:
 * the value fits the precision). A decimal narrowed to INT32/INT64 is its low-order LE bytes. */
static inline const uint8_t *value_bytes(const lml_pq_leaf *l, size_t j, size_t *len, uint8_t tmp[16]) {
    if (l->type == LML_PQ_BYTE_ARRAY) {
        *len = (size_t)(l->offsets[j + 1] - l->offsets[j]);
        return l->data + l->offsets[j];
    }
    size_t w = width_of(l), sw = src_width_of(l);
    const uint8_t *src = (const uint8_t *)l->values + j * sw;
    *len = w;
    if (l->type == LML_PQ_FIXED_LEN_BYTE_ARRAY) {
        for (size_t k = 0; k < w; k++) tmp[k] = src[w - 1 - k];
        return tmp;
    }
    if (sw == 1 || sw == 2) {
        int32_t v = sw == 1 ? (int32_t)(int8_t)src[0] : (int32_t)(int16_t)(src[0] | src[1] << 8);
        memcpy(tmp, &v, 4);
        return tmp;
    }
    return src;
}

/* ---------------------------------------------------------------- statistics (§7) */

typedef struct stats_acc {
    bool has; /* a non-null (and non-NaN) value was seen */
    int64_t nulls;
    int64_t imin, imax; /* INT32, INT64, BOOLEAN */
    double dmin, dmax;  /* FLOAT, DOUBLE */
    const uint8_t *smin, *smax; /* BYTE_ARRAY: borrowed from the source */
    size_t sminlen, smaxlen;
    uint8_t fmin[16], fmax[16]; /* FIXED_LEN_BYTE_ARRAY (decimals) */
} stats_acc;

/* Decimal FLBA order: signed big-endian two's complement (flip the sign bit, compare bytes). */
static int cmp_decimal(const uint8_t *a, const uint8_t *b, size_t n) {
    if ((a[0] ^ b[0]) & 0x80) return (a[0] & 0x80) ? -1 : 1;
    return memcmp(a, b, n);
}

/* Unsigned byte-wise order, a proper prefix first (TYPE_ORDER for BYTE_ARRAY / UTF8). */
static int cmp_bytes(const uint8_t *a, size_t al, const uint8_t *b, size_t bl) {
    int c = memcmp(a, b, al < bl ? al : bl);
    if (c) return c;
    return al < bl ? -1 : al > bl;
}

static void acc_value(stats_acc *s, const lml_pq_leaf *l, size_t j) {
    switch (l->type) {
    case LML_PQ_BOOLEAN:
    case LML_PQ_INT32:
    case LML_PQ_INT64: {
        int64_t v;
        if (l->type == LML_PQ_BOOLEAN) v = (((const uint8_t *)l->values)[j >> 3] >> (j & 7)) & 1;
        else {
            uint8_t tmp[16];
            size_t n;
            const uint8_t *p = value_bytes(l, j, &n, tmp);
            int32_t v32;
            if (n == 4) memcpy(&v32, p, 4), v = v32;
            else memcpy(&v, p, 8);
        }
        if (!s->has || v < s->imin) s->imin = v;
        if (!s->has || v > s->imax) s->imax = v;
        s->has = true;
        break;
    }
    case LML_PQ_FIXED_LEN_BYTE_ARRAY: {
        uint8_t tmp[16];
        size_t n;
        const uint8_t *p = value_bytes(l, j, &n, tmp);
        if (!s->has || cmp_decimal(p, s->fmin, n) < 0) memcpy(s->fmin, p, n);
        if (!s->has || cmp_decimal(p, s->fmax, n) > 0) memcpy(s->fmax, p, n);
        s->has = true;
        break;
    }
    case LML_PQ_FLOAT:
    case LML_PQ_DOUBLE: {
        double v = l->type == LML_PQ_FLOAT ? ((const float *)l->values)[j] : ((const double *)l->values)[j];
        if (isnan(v)) break; /* NaN has no place in the order: bounds ignore it */
        if (!s->has || v < s->dmin) s->dmin = v;
        if (!s->has || v > s->dmax) s->dmax = v;
        s->has = true;
        break;
    }
    default: {
        size_t n;
        uint8_t tmp[16];
        const uint8_t *p = value_bytes(l, j, &n, tmp);
        if (!s->has || cmp_bytes(p, n, s->smin, s->sminlen) < 0) s->smin = p, s->sminlen = n;
        if (!s->has || cmp_bytes(p, n, s->smax, s->smaxlen) > 0) s->smax = p, s->smaxlen = n;
        s->has = true;
    }
    }
}

static void acc_merge(stats_acc *into, const stats_acc *s, size_t flba) {
    into->nulls += s->nulls;
    if (!s->has) return;
    if (!into->has) {
        int64_t nulls = into->nulls;
        *into = *s;
        into->nulls = nulls;
        return;
    }
    if (s->imin < into->imin) into->imin = s->imin;
    if (s->imax > into->imax) into->imax = s->imax;
    if (s->dmin < into->dmin) into->dmin = s->dmin;
    if (s->dmax > into->dmax) into->dmax = s->dmax;
    if (s->smin && cmp_bytes(s->smin, s->sminlen, into->smin, into->sminlen) < 0) into->smin = s->smin, into->sminlen = s->sminlen;
    if (s->smax && cmp_bytes(s->smax, s->smaxlen, into->smax, into->smaxlen) > 0) into->smax = s->smax, into->smaxlen = s->smaxlen;
    if (flba && cmp_decimal(s->fmin, into->fmin, flba) < 0) memcpy(into->fmin, s->fmin, flba);
    if (flba && cmp_decimal(s->fmax, into->fmax, flba) > 0) memcpy(into->fmax, s->fmax, flba);
}

static bool dup_bytes(lml_pq_bytes *b, const void *p, size_t n, lml_error *err) {
    b->data = malloc(n ? n : 1);
    if (!b->data) return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
    if (n) memcpy(b->data, p, n);
    b->len = n;
    return true;
}

/* Statistics as parquet-mr writes them: null_count always; min_value/max_value in the type's
 * order; the deprecated min/max too where the order is signed (all but byte arrays) or min == max. */
static bool acc_export(const stats_acc *s, const lml_pq_leaf *l, lml_pq_statistics *out, lml_error *err) {
    int32_t type = l->type;
    memset(out, 0, sizeof *out);
    out->present = true;
    out->has_null_count = true;
    out->null_count = s->nulls;
    if (!s->has) return true;
    uint8_t lo[8], hi[8];
    const uint8_t *pmin = lo, *pmax = hi;
    size_t nmin, nmax;
    bool legacy = true;
    switch (type) {
    case LML_PQ_BOOLEAN: lo[0] = (uint8_t)s->imin, hi[0] = (uint8_t)s->imax, nmin = nmax = 1; break;
    case LML_PQ_INT32: {
        int32_t a = (int32_t)s->imin, b = (int32_t)s->imax;
        memcpy(lo, &a, 4), memcpy(hi, &b, 4), nmin = nmax = 4;
        break;
    }
    case LML_PQ_INT64: memcpy(lo, &s->imin, 8), memcpy(hi, &s->imax, 8), nmin = nmax = 8; break;
    case LML_PQ_DOUBLE: {
        /* A zero bound is written as -0.0 (min) / +0.0 (max) so both zeros fall inside. */
        double a = s->dmin == 0 ? -0.0 : s->dmin, b = s->dmax == 0 ? 0.0 : s->dmax;
        memcpy(lo, &a, 8), memcpy(hi, &b, 8), nmin = nmax = 8;
        break;
    }
    case LML_PQ_FLOAT: {
        float a = s->dmin == 0 ? -0.0f : (float)s->dmin, b = s->dmax == 0 ? 0.0f : (float)s->dmax;
        memcpy(lo, &a, 4), memcpy(hi, &b, 4), nmin = nmax = 4;
        break;
    }
    case LML_PQ_FIXED_LEN_BYTE_ARRAY:
        /* The deprecated pair's order for FLBA was unsigned: only when it cannot mislead. */
        pmin = s->fmin, pmax = s->fmax, nmin = nmax = width_of(l);
        legacy = memcmp(pmin, pmax, nmin) == 0;
        break;
    default:
        if (s->sminlen > STATS_MAX_BYTES || s->smaxlen > STATS_MAX_BYTES) return true;
        pmin = s->smin, nmin = s->sminlen, pmax = s->smax, nmax = s->smaxlen;
        legacy = cmp_bytes(pmin, nmin, pmax, nmax) == 0;
    }
    if (!dup_bytes(&out->min_value, pmin, nmin, err) || !dup_bytes(&out->max_value, pmax, nmax, err)) return false;
    if (legacy && (!dup_bytes(&out->min, pmin, nmin, err) || !dup_bytes(&out->max, pmax, nmax, err))) return false;
    return true;
}

/* ---------------------------------------------------------------- dictionary */

typedef struct dict {
    bytes plain;      /* the dictionary page body: PLAIN values */
    size_t *pos;      /* entry k: offset of its value bytes in plain (after the length prefix) */
    size_t *len;
    size_t count, cap;
    uint32_t *slots;  /* open addressing: entry + 1, 0 = free */
    size_t nslots;
} dict;

static uint64_t hash_bytes(const uint8_t *p, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15u ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdu;
        h ^= h >> 32;
        p += 8, n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
    return h ^ (h >> 29);
}

static bool dict_grow(dict *d, lml_error *err) {
    size_t ns = d->nslots ? d->nslots * 2 : 1024;
    uint32_t *slots = calloc(ns, sizeof *slots);
    if (!slots) return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory (dictionary)");
    for (size_t k = 0; k < d->count; k++) {
        size_t h = (size_t)hash_bytes(d->plain.p + d->pos[k], d->len[k]) & (ns - 1);
        while (slots[h]) h = (h + 1) & (ns - 1);
        slots[h] = (uint32_t)(k + 1);
    }
    free(d->slots);
    d->slots = slots;
    d->nslots = ns;
    return true;
}

/* The index of the value (p, n), added when new. */
static bool dict_index(dict *d, int32_t type, const uint8_t *p, size_t n, uint32_t *idx, lml_error *err) {
    if ((d->count + 1) * 2 > d->nslots && !dict_grow(d, err)) return false;
    size_t h = (size_t)hash_bytes(p, n) & (d->nslots - 1);
    for (uint32_t s; (s = d->slots[h]) != 0; h = (h + 1) & (d->nslots - 1)) {
        size_t k = s - 1;
        if (d->len[k] == n && memcmp(d->plain.p + d->pos[k], p, n) == 0) {
            *idx = (uint32_t)k;
            return true;
        }
    }
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 256;
        size_t *pos = realloc(d->pos, cap * sizeof *pos);
        if (pos) d->pos = pos;
        size_t *len = pos ? realloc(d->len, cap * sizeof *len) : NULL;
        if (!len) return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory (dictionary)");
        d->len = len;
        d->cap = cap;
    }
    if (type == LML_PQ_BYTE_ARRAY) {
        uint8_t pre[4];
        put_u32_at(pre, (uint32_t)n);
        if (!put(&d->plain, pre, 4, err)) return false;
    }
    d->pos[d->count] = d->plain.len;
    d->len[d->count] = n;
    if (!put(&d->plain, p, n, err)) return false;
    d->slots[h] = (uint32_t)(d->count + 1);
    *idx = (uint32_t)d->count++;
    return true;
}

static void dict_free(dict *d) {
    free(d->plain.p), free(d->pos), free(d->len), free(d->slots);
    memset(d, 0, sizeof *d);
}

/* ---------------------------------------------------------------- pages */

typedef struct enc {
    const lml_pq_leaf *l;
    const lml_pq_chunk_options *o;
    lml_pq_chunk *c;
    dict d;
    bool dict_on;     /* still adding to the dictionary */
    size_t dict_pages, plain_pages;
    bytes body, vals, comp;
    bytes data, dictpage; /* the chunk's two parts */
    uint32_t *lv, *idx; /* scratch: one page of levels / dictionary indexes */
    size_t lv_cap, idx_cap;
    stats_acc chunk_stats;
    lml_error *err;
} enc;

static bool grow_u32(uint32_t **a, size_t *cap, size_t n, lml_error *err) {
    if (*cap >= n) return true;
    uint32_t *p = realloc(*a, n * sizeof *p);
    if (!p) return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
    *a = p;
    *cap = n;
    return true;
}

/* Appends a v1 level section: u32 byte length, then the RLE hybrid stream. */
static bool put_levels(enc *e, const uint8_t *lv, size_t from, size_t n, int max) {
    if (!lv && n > 0) {
        /* Every entry is max (a column without nulls): one RLE run, written directly. */
        uint8_t run[16];
        size_t k = 4;
        for (uint64_t h = (uint64_t)n << 1; ; h >>= 7) {
            run[k++] = (uint8_t)((h & 0x7f) | (h >= 0x80 ? 0x80 : 0));
            if (h < 0x80) break;
        }
        for (int b = 0; b < (lml_pq_bit_width((uint64_t)max) + 7) / 8; b++) run[k++] = (uint8_t)(max >> (8 * b));
        put_u32_at(run, (uint32_t)(k - 4));
        return put(&e->body, run, k, e->err);
    }
    if (!grow_u32(&e->lv, &e->lv_cap, n ? n : 1, e->err)) return false;
    for (size_t i = 0; i < n; i++) e->lv[i] = lv ? lv[from + i] : (uint32_t)max;
    size_t at = e->body.len;
    if (!reserve(&e->body, 4, e->err)) return false;
    e->body.len += 4;
    if (!lml_pq_rle_encode(e->lv, n, lml_pq_bit_width((uint64_t)max), &e->body.p, &e->body.len, &e->body.cap, e->err))
        return false;
    put_u32_at(e->body.p + at, (uint32_t)(e->body.len - at - 4));
    return true;
}

static bool put_plain(enc *e, size_t v0, size_t nv) {
    const lml_pq_leaf *l = e->l;
    e->vals.len = 0;
    if (l->type == LML_PQ_BOOLEAN) {
        if (!reserve(&e->vals, (nv + 7) / 8, e->err)) return false;
        if (nv) memset(e->vals.p, 0, (nv + 7) / 8); /* a page of only nulls has no buffer yet */
        const uint8_t *bits = l->values;
        for (size_t i = 0; i < nv; i++) {
            size_t j = elem(l, v0 + i);
            if ((bits[j >> 3] >> (j & 7)) & 1) e->vals.p[i >> 3] |= (uint8_t)(1u << (i & 7));
        }
        e->vals.len = (nv + 7) / 8;
        return true;
    }
    if (l->type != LML_PQ_BYTE_ARRAY && l->type != LML_PQ_FIXED_LEN_BYTE_ARRAY && !l->sel && src_width_of(l) == width_of(l)) {
        size_t w = width_of(l); /* contiguous and already in PLAIN form: one copy */
        return put(&e->vals, (const uint8_t *)l->values + (l->base + v0) * w, nv * w, e->err);
    }
    uint8_t tmp[16];
    for (size_t i = 0; i < nv; i++) {
        size_t n;
        const uint8_t *p = value_bytes(l, elem(l, v0 + i), &n, tmp);
        if (l->type == LML_PQ_BYTE_ARRAY) {
            uint8_t pre[4];
            put_u32_at(pre, (uint32_t)n);
            if (!put(&e->vals, pre, 4, e->err)) return false;
        }
        if (!put(&e->vals, p, n, e->err)) return false;
    }
    return true;
}

/* Looks every value of the page up in the dictionary. *ok false = the dictionary passed its
 * limit: the page goes PLAIN and the dictionary stops growing. */
static bool dict_lookup(enc *e, size_t v0, size_t nv, bool *ok) {
    *ok = true;
    if (!grow_u32(&e->idx, &e->idx_cap, nv ? nv : 1, e->err)) return false;
    for (size_t i = 0; i < nv; i++) {
        size_t n;
        uint8_t tmp[16];
        const uint8_t *p = value_bytes(e->l, elem(e->l, v0 + i), &n, tmp);
        if (!dict_index(&e->d, e->l->type, p, n, &e->idx[i], e->err)) return false;
        if (e->d.plain.len > e->o->dict_limit) {
            *ok = false;
            return true;
        }
    }
    return true;
}

static bool put_dict_indexes(enc *e, size_t nv) {
    e->vals.len = 0;
    int w = lml_pq_bit_width(e->d.count ? e->d.count - 1 : 0);
    if (w < 1) w = 1; /* width 0 is legal but some readers mishandle it */
    uint8_t wb = (uint8_t)w;
    return put(&e->vals, &wb, 1, e->err) && lml_pq_rle_encode(e->idx, nv, w, &e->vals.p, &e->vals.len, &e->vals.cap, e->err);
}

/* Compresses `body` and appends header + stored body to out. */
static bool emit_page(enc *e, lml_pq_page_header *h, const bytes *body, bytes *out) {
    if (body->len > INT32_MAX)
        return lml_error_set(e->err, LML_EUNSUPPORTED, "parquet write: %s: page of %zu bytes exceeds 2 GiB",
                             e->l->what, body->len);
    const uint8_t *stored = body->p;
    size_t stored_len = body->len;
    if (e->o->codec != LML_PQ_UNCOMPRESSED) {
        size_t bound = lml_pq_compress_bound(e->o->codec, body->len);
        if (!bound) return lml_error_set(e->err, LML_EUNSUPPORTED, "parquet write: codec %d cannot be written", e->o->codec);
        e->comp.len = 0;
        if (!reserve(&e->comp, bound, e->err)) return false;
        if (!lml_pq_compress(e->o->codec, e->o->level, body->p, body->len, e->comp.p, &stored_len, e->err)) {
            lml_error_prefix(e->err, "parquet write: %s", e->l->what);
            return false;
        }
        if (stored_len > INT32_MAX)
            return lml_error_set(e->err, LML_EUNSUPPORTED, "parquet write: %s: compressed page exceeds 2 GiB", e->l->what);
        stored = e->comp.p;
    }
    h->uncompressed_page_size = (int32_t)body->len;
    h->compressed_page_size = (int32_t)stored_len;
    h->has_crc = true;
    h->crc = lml_pq_crc32(stored, stored_len);
    size_t before = out->len;
    if (!lml_pq_page_header_encode(h, &out->p, &out->len, &out->cap, e->err)) return false;
    size_t hdr = out->len - before;
    e->c->uncompressed_size += (int64_t)(hdr + body->len);
    return put(out, stored, stored_len, e->err);
}

/* Encodes level entries [l0, l1) holding values [v0, v0 + nv) as one data page. */
static bool write_page(enc *e, size_t l0, size_t l1, size_t v0, size_t nv) {
    const lml_pq_leaf *l = e->l;
    e->body.len = 0;
    if (l->max_rep > 0 && !put_levels(e, l->rep, l0, l1 - l0, l->max_rep)) return false;
    if (l->max_def > 0 && !put_levels(e, l->def, l0, l1 - l0, l->max_def)) return false;

    bool use_dict = false;
    if (e->dict_on) {
        bool ok;
        if (!dict_lookup(e, v0, nv, &ok)) return false;
        if (ok) {
            if (!put_dict_indexes(e, nv)) return false;
            use_dict = true;
            if (e->dict_pages == 0 && e->plain_pages == 0) {
                /* parquet-mr's test on the first page: keep the dictionary only if it pays. */
                if (!put_plain(e, v0, nv)) return false;
                size_t plain = e->vals.len;
                if (!put_dict_indexes(e, nv)) return false;
                if (e->d.plain.len + e->vals.len >= plain) {
                    use_dict = false;
                    dict_free(&e->d);
                }
            }
        }
        if (!use_dict) e->dict_on = false;
    }
    if (!use_dict && !put_plain(e, v0, nv)) return false;
    if (!put(&e->body, e->vals.p, e->vals.len, e->err)) return false;

    stats_acc s = {0};
    s.nulls = (int64_t)((l1 - l0) - nv);
    for (size_t i = 0; i < nv; i++) acc_value(&s, l, elem(l, v0 + i));
    acc_merge(&e->chunk_stats, &s, l->type == LML_PQ_FIXED_LEN_BYTE_ARRAY ? width_of(l) : 0);

    lml_pq_page_header h = {0};
    h.type = LML_PQ_DATA_PAGE;
    h.has_data_page = true;
    h.dp_num_values = (int32_t)(l1 - l0);
    h.dp_encoding = use_dict ? LML_PQ_RLE_DICTIONARY : LML_PQ_PLAIN;
    h.dp_def_encoding = LML_PQ_RLE;
    h.dp_rep_encoding = LML_PQ_RLE;
    bool ok = acc_export(&s, l, &h.statistics, e->err) && emit_page(e, &h, &e->body, &e->data);
    lml_pq_statistics_clear(&h.statistics);
    if (!ok) return false;
    if (use_dict) e->dict_pages++;
    else e->plain_pages++;
    return true;
}

/* Bytes a value adds to a PLAIN page, to size pages before encoding them. */
static size_t value_cost(const lml_pq_leaf *l, size_t i) {
    if (l->type == LML_PQ_BOOLEAN) return 1; /* an overestimate (1 bit) that keeps pages small */
    if (l->type != LML_PQ_BYTE_ARRAY) return width_of(l);
    size_t j = elem(l, i);
    return 4 + (size_t)(l->offsets[j + 1] - l->offsets[j]);
}

static bool finish_chunk(enc *e) {
    lml_pq_chunk *c = e->c;
    if (e->dict_pages) {
        lml_pq_page_header h = {0};
        h.type = LML_PQ_DICTIONARY_PAGE;
        h.has_dictionary_page = true;
        h.dict_num_values = (int32_t)e->d.count;
        h.dict_encoding = LML_PQ_PLAIN;
        if (!emit_page(e, &h, &e->d.plain, &e->dictpage)) return false;
        c->encoding_stats[c->num_encoding_stats++] =
            (lml_pq_page_encoding_stats){LML_PQ_DICTIONARY_PAGE, LML_PQ_PLAIN, 1};
        c->encoding_stats[c->num_encoding_stats++] =
            (lml_pq_page_encoding_stats){LML_PQ_DATA_PAGE, LML_PQ_RLE_DICTIONARY, (int32_t)e->dict_pages};
    }
    if (e->plain_pages)
        c->encoding_stats[c->num_encoding_stats++] =
            (lml_pq_page_encoding_stats){LML_PQ_DATA_PAGE, LML_PQ_PLAIN, (int32_t)e->plain_pages};
    /* Every encoding used, levels included (spec §3.7), in enum order as parquet-mr lists them. */
    if (e->dict_pages || e->plain_pages) c->encodings[c->num_encodings++] = LML_PQ_PLAIN;
    c->encodings[c->num_encodings++] = LML_PQ_RLE;
    if (e->dict_pages) c->encodings[c->num_encodings++] = LML_PQ_RLE_DICTIONARY;
    c->num_pages = e->dict_pages + e->plain_pages;
    c->dict = e->dictpage.p, c->dict_len = e->dictpage.len, c->dict_cap = e->dictpage.cap;
    c->data = e->data.p, c->data_len = e->data.len, c->data_cap = e->data.cap;
    e->dictpage = (bytes){0};
    e->data = (bytes){0};
    return acc_export(&e->chunk_stats, e->l, &c->stats, e->err);
}

bool lml_pq_chunk_encode(const lml_pq_leaf *leaf, const lml_pq_chunk_options *opt, lml_pq_chunk *out,
                         lml_error *err) {
    memset(out, 0, sizeof *out);
    if (leaf->num_levels > INT32_MAX || leaf->num_values > leaf->num_levels)
        return lml_error_set(err, LML_EINVAL, "parquet write: %s: %zu level entries, %zu values", leaf->what,
                             leaf->num_levels, leaf->num_values);
    enc e = {.l = leaf, .o = opt, .c = out, .err = err};
    e.dict_on = opt->dictionary && leaf->type != LML_PQ_BOOLEAN; /* parquet-mr never dictionary-encodes booleans */
    out->num_values = (int64_t)leaf->num_levels;
    size_t page_rows = opt->page_rows ? opt->page_rows : 20000;
    bool ok = true;
    size_t l0 = 0, v0 = 0;
    while (ok && l0 < leaf->num_levels) {
        /* A page ends before the entry that starts a row once it holds page_rows rows or
         * page_size bytes of values, so no row spans two pages. */
        size_t l1 = l0, nv = 0, rows = 0, cost = 0;
        while (l1 < leaf->num_levels) {
            bool row_start = !leaf->rep || leaf->rep[l1] == 0;
            if (row_start && l1 > l0 && (rows >= page_rows || cost >= opt->page_size)) break;
            rows += row_start;
            if (!leaf->def || leaf->def[l1] == leaf->max_def) {
                if (v0 + nv >= leaf->num_values) {
                    ok = lml_error_set(err, LML_EINVAL, "parquet write: %s: more defined levels than %zu values",
                                       leaf->what, leaf->num_values);
                    break;
                }
                cost += value_cost(leaf, v0 + nv);
                nv++;
            }
            l1++;
        }
        ok = ok && write_page(&e, l0, l1, v0, nv);
        l0 = l1;
        v0 += nv;
    }
    if (ok && v0 != leaf->num_values)
        ok = lml_error_set(err, LML_EINVAL, "parquet write: %s: %zu values for %zu defined levels", leaf->what,
                           leaf->num_values, v0);
    ok = ok && finish_chunk(&e);
    dict_free(&e.d);
    free(e.body.p), free(e.vals.p), free(e.comp.p), free(e.data.p), free(e.dictpage.p), free(e.lv), free(e.idx);
    return ok;
}

void lml_pq_chunk_clear(lml_pq_chunk *c) {
    if (!c) return;
    free(c->dict);
    free(c->data);
    lml_pq_statistics_clear(&c->stats);
    memset(c, 0, sizeof *c);
}

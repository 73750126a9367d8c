/* OPTIMIZE … ZORDER BY (delta.md §11.2), Spark's ZOrderClustering curve in bounded memory.
 *
 * Range ids: for each Z column, one pass reads only that column of the bin's files (a row group
 * at a time, deletion vectors applied), sorts an order-preserving 64-bit image of its non-null
 * values and takes the range bounds Spark's RangePartitioner.determineBounds would take — over
 * *all* values (exact ranks) rather than a sample: deterministic, free of sampling error, and
 * sorting 8-byte integers costs little next to the Parquet I/O; the 8 bytes per row are freed
 * before the next column. A value's range id (0 … 999) is the index of the first bound at or
 * above it; nulls get 0, as Spark's. Keys: one more pass over the Z columns interleaves the ids
 * MSB-first into a 4·n-byte key per row; row positions (4 bytes each) are merge-sorted by key
 * (stable, so ties keep row order) and cut into max(1, bin bytes / maxFileSize) outputs of equal
 * row counts (Spark range-partitions by the key plus a random noise byte instead: lakeml stays
 * reproducible). What survives is one route (output index) per row. Peak: 4·n + 8 bytes per row.
 *
 * Rows: a last pass streams the bin's rows and sends each to its output's streaming writer, so
 * memory is one input row group plus one open row group per output (their size is shared out so
 * the outputs together buffer about one default row group). Rows keep their input order within
 * an output, as Spark does (mdc.sortWithinFiles defaults to false).
 *
 * Value images: integers, dates and timestamps exactly; floating point by its IEEE bits made
 * order-preserving (-0.0 as 0.0, NaN above +Infinity as Spark orders it); booleans 0/1; decimals
 * clamped to the long range; strings and binary by their first 8 bytes (longer values sharing a
 * prefix share a range id — an approximate rank bucket, which is all the curve needs). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../core/internal.h"
#include "../frame/internal.h"
#include "optimize_internal.h"

#define MIN_ROW_GROUP ((size_t)1 << 20)

void lml_zorder_interleave(const uint32_t *rid, size_t n, uint8_t *out) {
    memset(out, 0, 4 * n);
    size_t pos = 0;
    for (int b = 31; b >= 0; b--)
        for (size_t i = 0; i < n; i++, pos++)
            if (rid[i] >> b & 1) out[pos >> 3] |= (uint8_t)(0x80 >> (pos & 7));
}

size_t lml_zorder_bounds(const uint64_t *sorted, size_t n, size_t parts, uint64_t *bounds) {
    if (parts < 2 || n == 0) return 0;
    double step = (double)n / (double)parts, cum = 0, target = step;
    size_t nb = 0;
    for (size_t i = 0; i < n && nb < parts - 1; i++) {
        cum += 1;
        if (cum >= target && (nb == 0 || sorted[i] > bounds[nb - 1])) { /* duplicates are skipped */
            bounds[nb++] = sorted[i];
            target += step;
        }
    }
    return nb;
}

uint32_t lml_zorder_range_id(const uint64_t *bounds, size_t nbounds, uint64_t key) {
    size_t lo = 0, hi = nbounds;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (bounds[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    return (uint32_t)lo;
}

/* ---- pass 1 */

static uint64_t flip(int64_t v) { return (uint64_t)v ^ (UINT64_C(1) << 63); }

static uint64_t image(const lml_column *c, size_t i) {
    switch (lml_column_type(c)) {
    case LML_BOOL: case LML_INT8: case LML_INT16: case LML_INT32: case LML_DATE: case LML_INT64: case LML_TIMESTAMP:
    case LML_TIMESTAMP_NTZ: {
        lml_value v = lml_column_get(c, i);
        return v.type == LML_BOOL ? (uint64_t)v.v.b
               : v.type == LML_INT64 || v.type == LML_TIMESTAMP || v.type == LML_TIMESTAMP_NTZ ? flip(v.v.i64)
                                                                                              : flip(v.v.i32);
    }
    case LML_FLOAT: case LML_DOUBLE: {
        double x = lml_column_get(c, i).v.f64;
        if (x == 0) x = 0; /* -0.0 */
        if (isnan(x)) return UINT64_MAX;
        uint64_t bits;
        memcpy(&bits, &x, sizeof bits);
        return bits >> 63 ? ~bits : bits | (UINT64_C(1) << 63);
    }
    case LML_DECIMAL: {
        lml_value v = lml_column_get(c, i);
        bool neg = v.v.dec.hi < 0;
        bool fits = neg ? v.v.dec.hi == -1 && v.v.dec.lo >= (UINT64_C(1) << 63) : v.v.dec.hi == 0 && v.v.dec.lo < (UINT64_C(1) << 63);
        return fits ? flip((int64_t)v.v.dec.lo) : neg ? 0 : UINT64_MAX;
    }
    case LML_STRING: case LML_BINARY: {
        lml_value v = lml_column_get(c, i);
        uint64_t k = 0;
        for (size_t b = 0; b < 8; b++) k = k << 8 | (b < v.v.str.len ? (uint8_t)v.v.str.ptr[b] : 0);
        return k;
    }
    default: return 0;
    }
}

bool lml_zorder_type_ok(lml_type t) {
    switch (t) {
    case LML_BOOL: case LML_INT8: case LML_INT16: case LML_INT32: case LML_DATE: case LML_INT64: case LML_TIMESTAMP:
    case LML_TIMESTAMP_NTZ: case LML_FLOAT: case LML_DOUBLE: case LML_DECIMAL: case LML_STRING: case LML_BINARY:
        return true;
    default: return false;
    }
}

/* ---- pass 1a: one Z column's range bounds */

typedef struct values {
    uint64_t *v;
    size_t n, cap;
} values;

static bool gather(void *ctx, const lml_frame *piece, lml_error *err) {
    values *p = ctx;
    const lml_column *col = lml_frame_column(piece, 0);
    size_t m = lml_frame_num_rows(piece);
    if (p->n + m > p->cap) {
        size_t cap = p->cap ? p->cap : 1024;
        while (cap < p->n + m) cap *= 2;
        uint64_t *q = realloc(p->v, cap * sizeof *q);
        if (!q) return lml_error_set(err, LML_ENOMEM, "out of memory");
        p->v = q;
        p->cap = cap;
    }
    for (size_t i = 0; i < m; i++)
        if (!lml_column_is_null(col, i)) p->v[p->n++] = image(col, i);
    return true;
}

/* LSD radix sort of v[0..n) (tmp as large; a byte whose value is the same for all keys is
 * skipped): several times faster than qsort on tens of millions of keys. false on ENOMEM. */
static bool radix_sort(uint64_t *v, size_t n, lml_error *err) {
    uint64_t *tmp = malloc((n ? n : 1) * sizeof *tmp), *src = v, *dst = tmp;
    if (!tmp) return lml_error_set(err, LML_ENOMEM, "out of memory");
    for (int shift = 0; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++) count[(src[i] >> shift & 0xFF) + 1]++;
        if (n && count[(src[0] >> shift & 0xFF) + 1] == n) continue;
        for (int b = 0; b < 256; b++) count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++) dst[count[src[i] >> shift & 0xFF]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) memcpy(v, src, n * sizeof *v);
    free(tmp);
    return true;
}

/* bounds[LML_ZORDER_RANGES] of column `name` over the bin's non-null values; *nb receives how
 * many. Memory: 8 bytes per row of the bin, released before the next column. */
static bool column_bounds(const lml_opt_ctx *c, const lml_opt_bin *b, const char *name, uint64_t *bounds, size_t *nb,
                          lml_error *err) {
    values vals = {0};
    const char *cols[2] = {name, NULL};
    bool ok = lml_opt_stream(c, b->files, b->nfiles, cols, gather, &vals, err);
    if (ok) ok = radix_sort(vals.v, vals.n, err);
    if (ok) *nb = lml_zorder_bounds(vals.v, vals.n, LML_ZORDER_RANGES, bounds);
    free(vals.v);
    return ok;
}

/* ---- pass 1b: the Z-order key of every row */

typedef struct keys {
    size_t nz, rows, cap;
    const uint64_t *bounds; /* nz × LML_ZORDER_RANGES */
    const size_t *nb;
    uint8_t *key;           /* rows × 4·nz bytes */
} keys;

static bool make_keys(void *ctx, const lml_frame *piece, lml_error *err) {
    keys *k = ctx;
    size_t m = lml_frame_num_rows(piece), w = 4 * k->nz, bytes;
    if (k->rows + m > k->cap) {
        size_t cap = k->cap ? k->cap : 1024;
        if (k->rows + m > UINT32_MAX) /* row positions are 32-bit */
            return lml_error_set(err, LML_EUNSUPPORTED, "Z-order: a partition of more than 2^32 - 1 rows");
        while (cap < k->rows + m) cap *= 2;
        if (cap > UINT32_MAX) cap = UINT32_MAX;
        uint8_t *q = lml_mul_ok(cap, w, &bytes) ? realloc(k->key, bytes) : NULL;
        if (!q) return lml_error_set(err, LML_ENOMEM, "out of memory");
        k->key = q;
        k->cap = cap;
    }
    uint32_t rid[LML_ZORDER_MAX_COLUMNS];
    for (size_t i = 0; i < m; i++) {
        for (size_t c = 0; c < k->nz; c++) {
            const lml_column *col = lml_frame_column(piece, c);
            rid[c] = lml_column_is_null(col, i) ? 0
                                                : lml_zorder_range_id(k->bounds + c * LML_ZORDER_RANGES, k->nb[c], image(col, i));
        }
        lml_zorder_interleave(rid, k->nz, k->key + (k->rows + i) * w);
    }
    k->rows += m;
    return true;
}

/* memcmp of two keys of `words` 4-byte words (unsigned, most significant byte first), inline:
 * a library call per comparison dominated the sort. */
static int key_cmp(const uint8_t *a, const uint8_t *b, size_t words) {
    for (size_t i = 0; i < words; i++, a += 4, b += 4) {
        uint32_t x = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
        uint32_t y = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        if (x != y) return x < y ? -1 : 1;
    }
    return 0;
}

/* Stable merge sort of row positions by their keys (w bytes each): equal keys keep row order. */
static void sort_rows(uint32_t *idx, uint32_t *tmp, size_t n, const uint8_t *key, size_t w) {
    uint32_t *src = idx, *dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                dst[k++] = key_cmp(key + (size_t)src[b] * w, key + (size_t)src[a] * w, w / 4) < 0 ? src[b++] : src[a++];
            while (a < mid) dst[k++] = src[a++];
            while (b < hi) dst[k++] = src[b++];
        }
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != idx) memcpy(idx, src, n * sizeof *idx);
}

/* route[row] = the output of each row of the bin: rows ordered by (key, position) and cut into
 * *nout runs of equal length (*nout lowered to the number of rows when there are fewer, so
 * that every output gets at least one). *nrows receives the bin's rows. */
static bool routes(const lml_opt_ctx *c, const lml_opt_bin *b, size_t *nout, uint32_t **route, size_t *nrows,
                   lml_error *err) {
    size_t nz = c->nz;
    uint64_t *bounds = malloc(nz * LML_ZORDER_RANGES * sizeof *bounds);
    size_t *nb = calloc(nz, sizeof *nb);
    keys k = {.nz = nz, .bounds = bounds, .nb = nb};
    bool ok = bounds && nb;
    if (!ok) lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t i = 0; ok && i < nz; i++) ok = column_bounds(c, b, c->zorder[i], bounds + i * LML_ZORDER_RANGES, &nb[i], err);
    if (ok) ok = lml_opt_stream(c, b->files, b->nfiles, c->zorder, make_keys, &k, err);
    free(bounds);
    free(nb);
    size_t n = k.rows;
    uint32_t *idx = ok ? malloc((n + 1) * sizeof *idx) : NULL, *tmp = ok ? malloc((n + 1) * sizeof *tmp) : NULL;
    if (ok && (!idx || !tmp)) ok = lml_error_set(err, LML_ENOMEM, "out of memory");
    if (ok) {
        for (size_t r = 0; r < n; r++) idx[r] = (uint32_t)r;
        sort_rows(idx, tmp, n, k.key, 4 * nz);
        if (*nout > n) *nout = n ? n : 1;
        /* tmp becomes the routes: output o takes sorted positions [o·n/nout, (o+1)·n/nout). */
        for (size_t i = 0; i < n; i++) tmp[idx[i]] = (uint32_t)((uint64_t)i * *nout / n);
        *route = tmp;
        *nrows = n;
        tmp = NULL;
    }
    free(k.key);
    free(idx);
    free(tmp);
    return ok;
}

/* ---- pass 2 */

typedef struct pass2 {
    lml_opt_out *outs;
    size_t nout;
    const uint32_t *route;
    size_t nrows;   /* rows the key pass saw */
    size_t row;     /* the piece's first row in the bin */
    size_t *idx;    /* scratch: the piece's row indexes grouped by output, in row order */
    size_t *start;  /* scratch: nout + 1 group offsets */
    size_t idx_cap;
} pass2;

static bool scatter(void *ctx, const lml_frame *piece, lml_error *err) {
    pass2 *p = ctx;
    size_t m = lml_frame_num_rows(piece);
    if (m > p->nrows - p->row)
        return lml_error_set(err, LML_EFORMAT, "Z-order: the bin's files gave more rows on the second read than the %zu of "
                             "the first", p->nrows);
    if (m > p->idx_cap) {
        size_t *q = realloc(p->idx, m * sizeof *q);
        if (!q) return lml_error_set(err, LML_ENOMEM, "out of memory");
        p->idx = q;
        p->idx_cap = m;
    }
    /* A counting sort of the piece's rows by output, so each output takes its rows in one go
     * (rows arrive in input order; outputs cover consecutive runs of the sorted keys). */
    const uint32_t *route = p->route + p->row;
    memset(p->start, 0, (p->nout + 1) * sizeof *p->start);
    for (size_t i = 0; i < m; i++) p->start[route[i] + 1]++;
    for (size_t o = 0; o < p->nout; o++) p->start[o + 1] += p->start[o];
    for (size_t i = 0; i < m; i++) p->idx[p->start[route[i]]++] = i;
    /* start[o] now ends group o: group o is [start[o-1], start[o]). */
    bool ok = true;
    for (size_t o = 0, from = 0; ok && o < p->nout; from = p->start[o++]) {
        size_t k = p->start[o] - from;
        if (!k) continue;
        lml_frame *part = k == m ? lml_frame_retain(piece) : lml_frame_take(piece, p->idx + from, k, err);
        ok = part && lml_opt_out_write(&p->outs[o], part, err);
        lml_frame_free(part);
    }
    p->row += m;
    return ok;
}

bool lml_opt_zorder_bin(lml_opt_ctx *c, const lml_opt_bin *b, lml_error *err) {
    const lml_delta_map *pv = &b->files[0]->partition_values;
    int64_t want = c->max_file_size > 0 ? b->bytes / c->max_file_size : 1;
    size_t nout = want > 1 ? (size_t)want : 1;
    uint32_t *route = NULL;
    size_t nrows = 0;
    bool ok = routes(c, b, &nout, &route, &nrows, err);
    size_t rg = LML_OPT_ROW_GROUP_BUDGET / nout;
    if (rg < MIN_ROW_GROUP) rg = MIN_ROW_GROUP;
    pass2 p2 = {.nout = nout, .route = route, .nrows = nrows};
    if (ok && (!(p2.outs = calloc(nout, sizeof *p2.outs)) || !(p2.start = malloc((nout + 1) * sizeof *p2.start))))
        ok = lml_error_set(err, LML_ENOMEM, "out of memory");
    size_t opened = 0;
    for (; ok && opened < nout; opened++) ok = lml_opt_out_open(c, pv, rg, &p2.outs[opened], err);
    if (ok && nrows) ok = lml_opt_stream(c, b->files, b->nfiles, NULL, scatter, &p2, err);
    if (ok && p2.row != nrows)
        ok = lml_error_set(err, LML_EFORMAT, "%s: Z-order: the bin's files gave %zu rows on the second read, %zu on the first",
                           c->root, p2.row, nrows);
    for (size_t o = 0; o < opened; o++) {
        if (ok) ok = lml_opt_out_close(c, &p2.outs[o], pv, err);
        else lml_opt_out_abort(&p2.outs[o]);
    }
    free(p2.outs);
    free(p2.start);
    free(p2.idx);
    free(route);
    for (size_t i = 0; ok && i < b->nfiles; i++) ok = lml_opt_remove(c, b->files[i], err);
    return ok;
}

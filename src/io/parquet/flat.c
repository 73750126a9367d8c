/* Flat leaves straight into frame columns: a top-level column without repetition needs no
 * record assembly, so each page's values are moved into their final rows as soon as they are
 * decoded, while the page is still in cache — no chunk-long intermediate buffers, no join of
 * row-group pieces, no second pass. Pieces of one column fill disjoint rows in parallel. */
#include <stdlib.h>
#include <string.h>
#include "../../frame/internal.h"
#include "column.h"

bool lml_pq_flat_eligible(const lml_pq_schema *s, int node) {
    const lml_pq_node *nd = &s->nodes[node];
    if (!nd->is_leaf || nd->parent != 0) return false;
    const lml_pq_rleaf *lf = &s->leaves[nd->leaf_index];
    if (lf->max_rep != 0 || lf->unsupported) return false;
    switch (lf->conv) {
    case LML_PQ_CONV_I32: case LML_PQ_CONV_I64: case LML_PQ_CONV_TS_MICROS: case LML_PQ_CONV_FLOAT:
    case LML_PQ_CONV_DOUBLE: return true;
    case LML_PQ_CONV_BYTES: return lf->physical == LML_PQ_BYTE_ARRAY;
    default: return false;
    }
}

/* Validity bits of rows [row, row + n) from the page's definition levels. A bitmap byte shared
 * with a neighbouring piece (at most the first and the last) is OR-ed atomically; bytes wholly
 * inside the range belong to this call alone. */
static void set_validity(uint8_t *bm, size_t row, const uint32_t *def, size_t n, uint32_t maxd) {
    size_t i = 0;
    uint8_t acc = 0;
    for (; i < n && ((row + i) & 7); i++) acc |= (uint8_t)((def[i] == maxd) << ((row + i) & 7));
    if (acc) __atomic_fetch_or(&bm[row >> 3], acc, __ATOMIC_RELAXED);
    for (; i + 8 <= n; i += 8) {
        uint8_t b = 0;
        for (int k = 0; k < 8; k++) b |= (uint8_t)((def[i + k] == maxd) << k);
        bm[(row + i) >> 3] = b;
    }
    if (i == n) return;
    size_t at = (row + i) >> 3;
    for (acc = 0; i < n; i++) acc |= (uint8_t)((def[i] == maxd) << ((row + i) & 7));
    if (acc) __atomic_fetch_or(&bm[at], acc, __ATOMIC_RELAXED);
}

/* Spreads the page's packed values over its rows, leaving null rows zero. */
static void scatter_fixed(uint8_t *dst, const uint8_t *src, size_t w, const uint32_t *def, size_t n, uint32_t maxd) {
    size_t k = 0;
    if (w == 8) {
        for (size_t i = 0; i < n; i++)
            if (def[i] == maxd) memcpy(dst + i * 8, src + 8 * k++, 8);
    } else {
        for (size_t i = 0; i < n; i++)
            if (def[i] == maxd) memcpy(dst + i * 4, src + 4 * k++, 4);
    }
}

bool lml_pq_flat_flush(lml_pq_rchunk *o, const lml_pq_rleaf *leaf, bool in_place, lml_error *err) {
    lml_column *col = o->sink;
    size_t n = o->num_levels, row = o->sink_row;
    uint32_t maxd = (uint32_t)leaf->max_def;
    const uint32_t *def = o->def; /* NULL: a required column, every entry has a value */
    if (def && col->validity) set_validity(col->validity, row, def, n, maxd);
    if (o->width) {
        uint8_t *dst = (uint8_t *)col->values + row * o->width;
        if (in_place) {} /* decoded into the column already */
        else if (o->num_values == n) memcpy(dst, o->fixed, n * o->width);
        else scatter_fixed(dst, o->fixed, o->width, def, n, maxd);
    } else {
        /* Offsets are local to this piece's bytes until lml_pq_flat_finish rebases them. */
        int32_t *offs = col->offsets + row + 1;
        int64_t pos = o->off[0];
        for (size_t i = 0, k = 0; i < n; i++) {
            if (!def || def[i] == maxd) pos = o->off[++k];
            offs[i] = (int32_t)pos;
        }
        if (pos > INT32_MAX)
            return lml_error_set(err, LML_ERANGE, "column '%s': over 2 GiB of string bytes in one column", leaf->path);
    }
    o->sink_row += n;
    o->num_levels = 0;
    o->num_values = 0;
    return true;
}

bool lml_pq_flat_finish(lml_column *col, const lml_pq_rchunk *pieces, size_t n, const char *what, const char *path,
                        lml_error *err) {
    if (col->offsets) {
        size_t total = 0;
        for (size_t k = 0; k < n; k++) total += pieces[k].bytes_len;
        if (total > INT32_MAX)
            return lml_error_set(err, LML_ERANGE, "%s: column '%s': %zu string bytes, over the 2 GiB a column can hold",
                                 what, path, total);
        uint8_t *bytes = lml_aligned_malloc(total);
        if (!bytes) return lml_error_set(err, LML_ENOMEM, "out of memory (%zu bytes)", total);
        size_t base = 0;
        for (size_t k = 0; k < n; k++) {
            const lml_pq_rchunk *p = &pieces[k];
            if (p->bytes_len) memcpy(bytes + base, p->bytes, p->bytes_len);
            if (base)
                for (size_t r = p->sink_from + 1; r <= p->sink_row; r++) col->offsets[r] += (int32_t)base;
            base += p->bytes_len;
        }
        lml_aligned_free(col->values);
        col->values = bytes;
        col->data_len = total;
    }
    lml_column_seal(col);
    return true;
}

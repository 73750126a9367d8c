/* After pass 2: closing the gaps left by rows that conversion dropped (DROPMALFORMED with a
 * value that does not convert — pass 1 could only foresee wrong field counts) or emptied
 * (PERMISSIVE with a wrong field count and a value that does not convert: their string bytes
 * were counted but not written), and the corrupt-record column. */
#include <stdlib.h>
#include "io/csv/csv_internal.h"

static void copy_bits(uint8_t *bits, size_t src, size_t dst, size_t n)
{
    /* dst <= src, so a forward copy never reads a bit it already overwrote. */
    for (size_t i = 0; i < n; i++) {
        if (lml_bit_get(bits, src + i))
            lml_bit_set(bits, dst + i);
        else
            lml_bit_clear(bits, dst + i);
    }
}

static size_t width_of(lml_type t)
{
    return t == LML_INT32 || t == LML_DATE ? 4 : 8;
}

static void compact_column(void *vx, size_t c, int worker)
{
    (void)worker;
    csv_ctx *x = vx;
    lml_column *col = x->cols[c];
    if (!col || (long)c == x->cfg->corrupt_index)
        return;
    size_t dst = 0, dbytes = 0;
    for (size_t k = 0; k < x->nchunks; k++) {
        const csv_chunk *ch = &x->chunks[k];
        size_t src = ch->row0, n = ch->written;
        if (n == 0)
            continue;
        if (col->validity)
            copy_bits(col->validity, src, dst, n);
        if (col->type == LML_BOOL) {
            copy_bits(col->values, src, dst, n);
        } else if (col->type == LML_STRING) {
            size_t base = ch->bytes[c], len = (size_t)col->offsets[src + n] - base;
            memmove((char *)col->values + dbytes, (char *)col->values + base, len);
            for (size_t i = 0; i < n; i++)
                col->offsets[dst + i + 1] = (int32_t)((size_t)col->offsets[src + i + 1] - base + dbytes);
            dbytes += len;
        } else {
            size_t w = width_of(col->type);
            memmove((char *)col->values + dst * w, (char *)col->values + src * w, n * w);
        }
        dst += n;
    }
    /* Bits past the new end are padding: keep them clear. */
    for (size_t i = dst; i < col->length; i++) {
        if (col->validity)
            lml_bit_clear(col->validity, i);
        if (col->type == LML_BOOL)
            lml_bit_clear(col->values, i);
    }
    if (col->type == LML_STRING)
        col->data_len = dbytes;
    col->length = dst;
}

/* True when some chunk wrote fewer bytes into string column c than pass 1 planned, leaving a
 * gap before the next chunk's bytes. */
static bool has_byte_gap(const csv_ctx *x, size_t c)
{
    const lml_column *col = x->cols[c];
    for (size_t k = 0; k + 1 < x->nchunks; k++) {
        const csv_chunk *ch = &x->chunks[k];
        size_t end = ch->written ? (size_t)col->offsets[ch->row0 + ch->written] : ch->bytes[c];
        if (end != x->chunks[k + 1].bytes[c])
            return true;
    }
    return false;
}

size_t csv_compact(csv_ctx *x)
{
    size_t total = 0;
    for (size_t k = 0; k < x->nchunks; k++)
        total += x->chunks[k].written;
    if (total != x->nrows) {
        lml_parallel_for(x->ncols, compact_column, x);
    } else {
        for (size_t s = 0; s < x->nstr; s++) {
            size_t c = x->str_cols[s];
            if (has_byte_gap(x, c))
                compact_column(x, c, 0);
        }
    }
    return total;
}

bool csv_build_corrupt(csv_ctx *x, size_t nrows, lml_error *err)
{
    size_t bytes = 0;
    for (size_t k = 0; k < x->nchunks; k++)
        for (size_t e = 0; e < x->chunks[k].ncorrupt; e++)
            bytes += csv_utf8_out_len(x->chunks[k].corrupt[e].raw, x->chunks[k].corrupt[e].len);
    size_t c = (size_t)x->cfg->corrupt_index;
    lml_column *col = lml_column_alloc(LML_STRING, nrows, bytes, true, err);
    if (!col) {
        lml_error_prefix(err, "%s: column '%s'", x->cfg->name, x->names[c]);
        return false;
    }
    x->cols[c] = col;
    size_t next = 0, pos = 0, base = 0;
    for (size_t k = 0; k < x->nchunks; k++) {
        const csv_chunk *ch = &x->chunks[k];
        for (size_t e = 0; e < ch->ncorrupt; e++) {
            const csv_corrupt *cr = &ch->corrupt[e];
            size_t r = base + cr->row;
            while (next < r)
                col->offsets[++next] = (int32_t)pos;
            /* Spark's corrupt record is the decoded line: malformed UTF-8 becomes U+FFFD. */
            char *dst = (char *)col->values + pos;
            pos += csv_utf8_fix(dst, cr->raw, cr->len, csv_utf8_scan(cr->raw, cr->len));
            col->offsets[r + 1] = (int32_t)pos;
            lml_bit_set(col->validity, r);
            next = r + 1;
        }
        base += ch->written;
    }
    while (next < nrows)
        col->offsets[++next] = (int32_t)pos;
    return true;
}

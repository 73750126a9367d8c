/* Pass 2: converts a chunk's records straight into the preallocated columns, at the chunk's row
 * offset (and, for strings, its byte offset), with Spark's malformed-record modes.
 *
 * Chunks run in parallel and write disjoint rows; only bitmap bytes shared with a neighbouring
 * chunk (the first and last byte of the chunk's row range) are updated atomically. A row that
 * is dropped after some of its values were written is undone before the next row reuses its
 * slot. */
#include <stdlib.h>
#include "io/csv/csv_internal.h"

typedef struct conv {
    csv_ctx *x;
    csv_chunk *ch;
    size_t ci;
    size_t lo, hi;      /* bitmap bytes shared with neighbours */
    size_t *cur;        /* [ncols] string write positions */
    size_t *row_start;  /* [ncols] string positions at the start of the current row */
    size_t *limit;      /* [ncols] end of this chunk's string bytes */
    const csv_tok *t;
} conv;

static void bit_set(const conv *cv, uint8_t *bits, size_t r)
{
    size_t b = r >> 3;
    uint8_t m = (uint8_t)(1u << (r & 7));
    if (b == cv->lo || b == cv->hi)
        __atomic_fetch_or(&bits[b], m, __ATOMIC_RELAXED);
    else
        bits[b] |= m;
}

static void bit_clear(const conv *cv, uint8_t *bits, size_t r)
{
    size_t b = r >> 3;
    uint8_t m = (uint8_t)~(1u << (r & 7));
    if (b == cv->lo || b == cv->hi)
        __atomic_fetch_and(&bits[b], m, __ATOMIC_RELAXED);
    else
        bits[b] &= m;
}

static bool equals(const csv_field *f, const char *v, size_t vn) { return f->len == vn && memcmp(f->p, v, vn) == 0; }

/* Writes field f into column c at row r; false when the text does not convert. */
static bool put(conv *cv, size_t c, size_t r, const csv_field *f)
{
    const csv_cfg *cfg = cv->x->cfg;
    lml_column *col = cv->x->cols[c];
    switch (col->type) {
    case LML_DOUBLE: {
        double v;
        if (equals(f, cfg->nan_value, cfg->nan_len))
            v = __builtin_nan("");
        else if (equals(f, cfg->pos_inf, cfg->pos_inf_len))
            v = __builtin_inf();
        else if (equals(f, cfg->neg_inf, cfg->neg_inf_len))
            v = -__builtin_inf();
        else if (!csv_parse_double(f->p, f->len, csv_field_avail(cv->t, f, cv->x->buf_end), &v))
            return false;
        ((double *)col->values)[r] = v;
        break;
    }
    case LML_INT32:
        if (!csv_parse_i32(f->p, f->len, &((int32_t *)col->values)[r]))
            return false;
        break;
    case LML_INT64:
        if (!csv_parse_i64(f->p, f->len, &((int64_t *)col->values)[r]))
            return false;
        break;
    case LML_BOOL: {
        bool b;
        if (!csv_parse_bool(f->p, f->len, &b))
            return false;
        if (b)
            bit_set(cv, col->values, r);
        break;
    }
    case LML_DATE: {
        int32_t *d = &((int32_t *)col->values)[r];
        if (!csv_parse_date_strict(f->p, f->len, d) && !csv_parse_date_lenient(f->p, f->len, d))
            return false;
        break;
    }
    case LML_TIMESTAMP:
        if (!csv_parse_timestamp(f->p, f->len, &((int64_t *)col->values)[r]))
            return false;
        break;
    case LML_STRING: {
        /* Spark's text is decoded UTF-8: malformed sequences become U+FFFD. Valid text (nearly
         * always) is copied as it is after one scan. */
        size_t v = cv->ch->utf8_valid ? f->len : csv_utf8_scan(f->p, f->len);
        size_t out = v == f->len ? v : csv_utf8_fixed_len(f->p, f->len, v);
        if (out > cv->limit[c] - cv->cur[c])
            return false; /* cannot happen: pass 1 counted these bytes */
        char *dst = (char *)col->values + cv->cur[c];
        if (v == f->len)
            memcpy(dst, f->p, f->len);
        else
            csv_utf8_fix(dst, f->p, f->len, v);
        cv->cur[c] += out;
        break;
    }
    default:
        return false;
    }
    if (col->validity)
        bit_set(cv, col->validity, r);
    return true;
}

/* Makes row r all null again (values 0, as null slots hold). */
static void undo_row(conv *cv, size_t r)
{
    csv_ctx *x = cv->x;
    for (size_t j = 0; j < x->width; j++) {
        size_t c = x->data_col[j];
        lml_column *col = x->cols[c];
        if (col->validity)
            bit_clear(cv, col->validity, r);
        switch (col->type) {
        case LML_BOOL: bit_clear(cv, col->values, r); break;
        case LML_INT32:
        case LML_DATE: ((int32_t *)col->values)[r] = 0; break;
        case LML_STRING: cv->cur[c] = cv->row_start[c]; break;
        default: ((int64_t *)col->values)[r] = 0; break; /* int64, timestamp, double: 8 zero bytes */
        }
    }
}

static bool add_corrupt(csv_chunk *ch, const csv_record *r)
{
    if (ch->ncorrupt == ch->corrupt_cap) {
        size_t cap = ch->corrupt_cap ? ch->corrupt_cap * 2 : 16;
        csv_corrupt *c = realloc(ch->corrupt, cap * sizeof *c);
        if (!c)
            return false;
        ch->corrupt = c;
        ch->corrupt_cap = cap;
    }
    ch->corrupt[ch->ncorrupt++] = (csv_corrupt){ch->written, r->raw, r->raw_len};
    return true;
}

/* Describes why record r is malformed into sb (no location). */
static void reason(conv *cv, lml_strbuf *sb, const csv_record *r, long bad_col)
{
    csv_ctx *x = cv->x;
    if (bad_col >= 0) {
        size_t c = x->data_col[bad_col];
        lml_strbuf_printf(sb, "column '%s': cannot parse ", x->names[c]);
        csv_quote_value(sb, r->f[bad_col].p, r->f[bad_col].len);
        lml_strbuf_printf(sb, " as %s", lml_type_name(x->types[c]));
    } else {
        lml_strbuf_printf(sb, "malformed record: expected %zu fields, found %zu: ", x->width, r->nf);
        csv_quote_value(sb, r->raw, r->raw_len);
    }
}

/* Handles a malformed record; returns false when the chunk must stop (FAILFAST, no memory). */
static bool malformed(conv *cv, const csv_record *r, long bad_col)
{
    csv_chunk *ch = cv->ch;
    const csv_cfg *cfg = cv->x->cfg;
    ch->malformed++;
    lml_strbuf why = {0};
    reason(cv, &why, r, bad_col);
    if (why.failed) {
        csv_chunk_fail(cv->x, cv->ci, r->line, LML_ENOMEM, "out of memory describing a malformed record");
        return false;
    }
    if (cfg->bad_records_path)
        csv_bad_record_json(&ch->bad, cfg->name, ch->line0 + r->line - 1, r->raw, r->raw_len, why.data);
    bool go_on = true;
    if (cfg->mode == LML_CSV_FAILFAST) {
        csv_chunk_fail(cv->x, cv->ci, r->line, LML_EFORMAT, "%s", why.data);
        go_on = false;
    }
    lml_strbuf_free(&why);
    return go_on;
}

static void run(conv *cv)
{
    csv_ctx *x = cv->x;
    csv_chunk *ch = cv->ch;
    const csv_cfg *cfg = x->cfg;
    const size_t width = x->width;
    csv_tok t;
    csv_tok_init(&t, cfg);
    t.names = x->names;
    t.data_col = x->data_col;
    t.width = x->width;
    cv->t = &t;
    csv_cursor cur = {ch->begin, ch->end, 1};
    csv_record r;
    size_t n = 0;
    int rc;
    while ((rc = csv_next_record(&t, &cur, &r)) > 0) {
        bool mismatch = r.nf != width;
        if (mismatch && cfg->mode != LML_CSV_PERMISSIVE) {
            if (!malformed(cv, &r, -1))
                break;
            continue;
        }
        if (ch->written >= ch->rows) {
            csv_chunk_fail(x, cv->ci, r.line, LML_EFORMAT, "internal error: more rows than counted in pass 1");
            break;
        }
        size_t row = ch->row0 + ch->written;
        for (size_t s = 0; s < x->nstr; s++)
            cv->row_start[x->str_cols[s]] = cv->cur[x->str_cols[s]];
        size_t nf = r.nf < width ? r.nf : width;
        long bad_col = -1;
        for (size_t j = 0; j < nf; j++) {
            const csv_field *f = &r.f[j];
            if (!csv_field_is_null(cfg, f) && !put(cv, x->data_col[j], row, f) && bad_col < 0)
                bad_col = (long)j;
        }
        if (bad_col >= 0 || mismatch) {
            if (cfg->mode != LML_CSV_PERMISSIVE || (mismatch && bad_col >= 0))
                undo_row(cv, row); /* dropped, or Spark's partial result is unavailable */
            if (!malformed(cv, &r, bad_col))
                break;
            if (cfg->mode == LML_CSV_DROPMALFORMED)
                continue;
            if (cfg->corrupt_index >= 0 && !add_corrupt(ch, &r)) {
                csv_chunk_fail(x, cv->ci, r.line, LML_ENOMEM, "out of memory recording a malformed record");
                break;
            }
        }
        for (size_t s = 0; s < x->nstr; s++) {
            size_t c = x->str_cols[s];
            x->cols[c]->offsets[row + 1] = (int32_t)cv->cur[c];
        }
        ch->written++;
        if ((++n & 4095) == 0 && csv_should_stop(x, cv->ci))
            break;
    }
    if (rc < 0)
        csv_chunk_fail(x, cv->ci, r.line, t.code, "%s", t.msg);
    csv_tok_free(&t);
}

void csv_convert_chunk(void *vctx, size_t i, int worker)
{
    csv_ctx *x = vctx;
    csv_chunk *ch = &x->chunks[i];
    if (csv_should_stop(x, i))
        return;
    conv cv = {.x = x, .ch = ch, .ci = i, .lo = ch->row0 >> 3, .hi = (ch->row0 + ch->rows) >> 3};
    cv.cur = calloc(x->ncols ? 3 * x->ncols : 1, sizeof(size_t));
    if (!cv.cur) {
        csv_chunk_fail(x, i, 1, LML_ENOMEM, "out of memory converting a chunk");
        return;
    }
    cv.row_start = cv.cur + x->ncols;
    cv.limit = cv.row_start + x->ncols;
    for (size_t s = 0; s < x->nstr; s++) {
        size_t c = x->str_cols[s];
        cv.cur[c] = ch->bytes[c];
        cv.limit[c] = i + 1 < x->nchunks ? x->chunks[i + 1].bytes[c] : x->cols[c]->data_len;
    }
    run(&cv);
    free(cv.cur);
    csv_chunk_done(x, i, worker);
}

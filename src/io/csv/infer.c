/* Type inference (Spark's CSVInferSchema) and pass 1.
 *
 * Each column starts as IT_NULL; every non-null value is tried from the column's current type up
 * the chain int → long → (decimal) → double → date → timestamp → boolean → string, and the type
 * found is merged with the current one. Spark's decimal step (integer text too long for a long)
 * has no lakeml type: such text infers as double, as it would after merging with any fraction.
 *
 * Chunks are inferred independently and merged in chunk order, like Spark's partitions. Chunk
 * boundaries depend only on the data, never on the thread count, so the result is deterministic.
 * Per-chunk inference equals one sequential pass except in one corner that Spark's partitioning
 * shares: a bare year ("2020") after dates in the same chunk widens to timestamp, while across
 * chunks int + date merges to string. */
#include "io/csv/csv_internal.h"

uint8_t csv_infer_merge(uint8_t a, uint8_t b)
{
    if (a == b || b == IT_NULL)
        return a;
    if (a == IT_NULL)
        return b;
    if (a <= IT_DOUBLE && b <= IT_DOUBLE)
        return a > b ? a : b;
    if ((a == IT_DATE && b == IT_TIMESTAMP) || (a == IT_TIMESTAMP && b == IT_DATE))
        return IT_TIMESTAMP;
    return IT_STRING;
}

static bool equals(const char *s, size_t n, const char *v, size_t vn) { return n == vn && memcmp(s, v, n) == 0; }

static bool is_special_double(const csv_cfg *cfg, const char *s, size_t n)
{
    return equals(s, n, cfg->nan_value, cfg->nan_len) || equals(s, n, cfg->pos_inf, cfg->pos_inf_len) ||
           equals(s, n, cfg->neg_inf, cfg->neg_inf_len);
}

/* The first type of the chain, starting at `from`, that s parses as. */
static uint8_t try_from(const csv_cfg *cfg, uint8_t from, const char *s, size_t n, size_t avail)
{
    int32_t i32;
    int64_t i64;
    bool b;
    switch (from) {
    case IT_NULL:
    case IT_INT:
        if (csv_parse_i32(s, n, &i32))
            return IT_INT;
        /* fall through */
    case IT_LONG:
        if (csv_parse_i64(s, n, &i64))
            return IT_LONG;
        /* fall through */
    case IT_DOUBLE:
        if (csv_is_double(s, n, avail) || is_special_double(cfg, s, n))
            return IT_DOUBLE;
        /* fall through */
    case IT_DATE:
        if (cfg->prefer_date && csv_parse_date_strict(s, n, &i32))
            return IT_DATE;
        /* fall through */
    case IT_TIMESTAMP:
        if (csv_parse_timestamp(s, n, &i64))
            return IT_TIMESTAMP;
        /* fall through */
    case IT_BOOL:
        if (csv_parse_bool(s, n, &b))
            return IT_BOOL;
        /* fall through */
    default:
        return IT_STRING;
    }
}

uint8_t csv_infer_field(const csv_cfg *cfg, uint8_t so_far, const char *s, size_t n, size_t avail)
{
    if (so_far == IT_STRING)
        return IT_STRING;
    return csv_infer_merge(so_far, try_from(cfg, so_far, s, n, avail));
}

lml_type csv_itype_to_type(uint8_t it)
{
    switch (it) {
    case IT_INT: return LML_INT32;
    case IT_LONG: return LML_INT64;
    case IT_DOUBLE: return LML_DOUBLE;
    case IT_DATE: return LML_DATE;
    case IT_TIMESTAMP: return LML_TIMESTAMP;
    case IT_BOOL: return LML_BOOL;
    default: return LML_STRING; /* a column of nulls only is string, as in Spark */
    }
}

/* Spark skips, during inference only, every line identical to the header line. */
static bool is_header_copy(const csv_ctx *x, const csv_record *r)
{
    return x->header_raw && r->raw_len == x->header_len && memcmp(r->raw, x->header_raw, r->raw_len) == 0;
}

void csv_infer_chunk(void *vctx, size_t i, int worker)
{
    csv_ctx *x = vctx;
    csv_chunk *ch = &x->chunks[i];
    const csv_cfg *cfg = x->cfg;
    if (csv_should_stop(x, i))
        return;
    csv_tok t;
    csv_tok_init(&t, cfg);
    t.names = x->names;
    t.data_col = x->data_col;
    t.width = x->width;
    /* A batch's end is only known once its rows are counted: its fields are checked one by one,
     * and the flag is set for pass 2 at the end. */
    size_t chunk_len = ch->row_limit ? 0 : (size_t)(ch->end - ch->begin);
    ch->utf8_valid = !ch->row_limit && csv_utf8_scan(ch->begin, chunk_len) == chunk_len;
    const bool all_valid = ch->utf8_valid;
    csv_cursor cur = {ch->begin, ch->end, 1};
    csv_record r;
    const size_t width = x->width;
    const bool drop = cfg->mode == LML_CSV_DROPMALFORMED;
    uint8_t *types = ch->types;
    size_t *bytes = ch->bytes;
    size_t n = 0;
    int rc;
    while ((rc = csv_next_record(&t, &cur, &r)) > 0) {
        ch->records++;
        size_t nf = r.nf < width ? r.nf : width;
        bool count = !(drop && r.nf != width);
        bool infer = cfg->infer && !is_header_copy(x, &r);
        ch->rows += count;
        for (size_t j = 0; j < nf; j++) {
            const csv_field *f = &r.f[j];
            if (csv_field_is_null(cfg, f))
                continue;
            if (count) /* as pass 2 will write them: malformed UTF-8 becomes U+FFFD */
                bytes[x->data_col[j]] += all_valid ? f->len : csv_utf8_out_len(f->p, f->len);
            if (!infer || types[j] == IT_STRING)
                continue;
            size_t avail = csv_field_avail(&t, f, x->buf_end);
            if (types[j] == IT_DOUBLE && csv_is_double(f->p, f->len, avail))
                continue; /* the common case, without the calls of the general chain */
            types[j] = csv_infer_field(cfg, types[j], f->p, f->len, avail);
        }
        if (__builtin_expect(ch->row_limit != 0, 0) && ch->rows == ch->row_limit)
            break;
        if ((++n & 4095) == 0 && csv_should_stop(x, i))
            break;
    }
    if (rc < 0)
        csv_chunk_fail(x, i, r.line, t.code, "%s", t.msg);
    if (ch->row_limit) {
        ch->end = cur.p;
        chunk_len = (size_t)(ch->end - ch->begin);
        ch->utf8_valid = csv_utf8_scan(ch->begin, chunk_len) == chunk_len;
    }
    ch->lines = cur.line - 1;
    csv_tok_free(&t);
    csv_chunk_done(x, i, worker);
}

/* The batch reader (lml_csv_reader_*): the whole-file read's passes, one batch at a time.
 *
 * Opening maps the file and reads the header as lml_csv_read does. With inference, the body is
 * then scanned once with pass 1 over the very chunks lml_csv_read would cut (csv_chunk_cut),
 * a window of them at a time on the pool, folding each chunk's types in chunk order: the types
 * are exactly lml_csv_read's and memory is bounded by the window, not the file.
 *
 * Each batch is one chunk that starts where the last one stopped: pass 1 (with a row limit)
 * counts its rows and string bytes and finds where it ends, the columns are allocated to size,
 * pass 2 converts into them, and the frame is assembled, all by the code lml_csv_read uses.
 * Line numbers continue from the previous batch, so messages and bad records name the same
 * lines. The mapped pages of finished batches are released (csv_chunk_done), so resident memory
 * follows the batch. */
#include <stdio.h>
#include <stdlib.h>
#include "io/csv/csv_internal.h"

struct lml_csv_reader {
    lml_csv_options opts; /* a deep copy: cfg points into it */
    lml_csv_field *schema;
    char *path;
    csv_cfg cfg;
    lml_input in;
    csv_ctx x;
    const char *pos, *end; /* the rest of the body */
    size_t line;           /* number of the line at pos */
    lml_frame *schema_frame;
    bool failed; /* an error ends the reader: later calls repeat it */
    lml_errcode code;
    char msg[LML_ERROR_MESSAGE_MAX];
};

static char *dup_opt(const char *s, bool *ok)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    *ok &= d != NULL;
    return d;
}

/* The caller's options may not outlive the call: the strings and the schema are copied. */
static bool copy_options(lml_csv_reader *r, const lml_csv_options *opts)
{
    static const lml_csv_options defaults = {0};
    r->opts = opts ? *opts : defaults;
    bool ok = true;
    r->opts.null_value = dup_opt(r->opts.null_value, &ok);
    r->opts.nan_value = dup_opt(r->opts.nan_value, &ok);
    r->opts.positive_inf = dup_opt(r->opts.positive_inf, &ok);
    r->opts.negative_inf = dup_opt(r->opts.negative_inf, &ok);
    r->opts.corrupt_record_column = dup_opt(r->opts.corrupt_record_column, &ok);
    r->opts.bad_records_path = dup_opt(r->opts.bad_records_path, &ok);
    if (r->opts.schema_len && r->opts.schema) {
        r->schema = calloc(r->opts.schema_len, sizeof *r->schema);
        ok &= r->schema != NULL;
        for (size_t i = 0; r->schema && i < r->opts.schema_len; i++) {
            r->schema[i].type = r->opts.schema[i].type;
            r->schema[i].name = dup_opt(r->opts.schema[i].name, &ok);
        }
        r->opts.schema = r->schema;
    }
    return ok;
}

static void free_options(lml_csv_reader *r)
{
    free((char *)r->opts.null_value);
    free((char *)r->opts.nan_value);
    free((char *)r->opts.positive_inf);
    free((char *)r->opts.negative_inf);
    free((char *)r->opts.corrupt_record_column);
    free((char *)r->opts.bad_records_path);
    for (size_t i = 0; r->schema && i < r->opts.schema_len; i++)
        free((char *)r->schema[i].name);
    free(r->schema);
}

/* Inference over the whole body, in windows of chunks; fills x->types. */
static bool infer_scan(lml_csv_reader *r, lml_error *err)
{
    csv_ctx *x = &r->x;
    size_t len = (size_t)(r->end - r->pos);
    size_t max = csv_chunk_max(x, len);
    size_t window = 4 * (size_t)(lml_pool_size() > 0 ? lml_pool_size() : 1);
    if (window > max)
        window = max;
    if (!csv_chunks_alloc(x, window, err))
        return false;
    uint8_t *merged = calloc(x->width ? x->width : 1, 1);
    if (!merged)
        return lml_error_set(err, LML_ENOMEM, "out of memory for %zu columns", x->width);
    x->total_bytes = len;
    const char *p = r->pos;
    size_t k = 0, line = r->line;
    bool ok = true;
    while (ok && p < r->end && k < max) {
        x->nchunks = 0;
        for (; x->nchunks < window && p < r->end && k < max; k++, x->nchunks++) {
            csv_chunk *ch = &x->chunks[x->nchunks];
            uint8_t *types = ch->types;
            size_t *bytes = ch->bytes;
            memset(types, 0, x->width ? x->width : 1);
            memset(bytes, 0, (x->ncols ? x->ncols : 1) * sizeof *bytes);
            *ch = (csv_chunk){.begin = p, .end = csv_chunk_cut(x, p, r->end, k, max), .types = types, .bytes = bytes};
            p = ch->end;
        }
        lml_parallel_for(x->nchunks, csv_infer_chunk, x);
        for (size_t i = 0; i < x->nchunks; i++) {
            x->chunks[i].line0 = line;
            line += x->chunks[i].lines;
        }
        if (csv_ctx_error(x, err)) {
            ok = false;
            break;
        }
        for (size_t i = 0; i < x->nchunks; i++)
            for (size_t j = 0; j < x->width; j++)
                merged[j] = csv_infer_merge(merged[j], x->chunks[i].types[j]);
    }
    for (size_t j = 0; ok && j < x->width; j++)
        x->types[x->data_col[j]] = csv_itype_to_type(merged[j]);
    free(merged);
    return ok;
}

/* Final types, string columns, and the one chunk every batch reuses. */
static bool plan(lml_csv_reader *r, lml_error *err)
{
    csv_ctx *x = &r->x;
    const csv_cfg *cfg = &r->cfg;
    if (!csv_alloc_plan(x, err))
        return false;
    for (size_t c = 0; c < x->ncols; c++)
        x->types[c] = cfg->schema_len ? cfg->schema[c].type : LML_STRING;
    if (cfg->infer && !infer_scan(r, err))
        return false;
    for (size_t j = 0; j < x->width; j++)
        if (x->types[x->data_col[j]] == LML_STRING)
            x->str_cols[x->nstr++] = x->data_col[j];
    if (cfg->corrupt_index >= 0)
        x->types[cfg->corrupt_index] = LML_STRING;
    /* From here on pass 1 only counts, and progress is the caller's to ask for. */
    r->cfg.infer = false;
    r->cfg.progress.fn = NULL;
    if (!x->chunks && !csv_chunks_alloc(x, 1, err))
        return false;
    return true;
}

static void drop_columns(csv_ctx *x)
{
    for (size_t c = 0; c < x->ncols; c++) {
        lml_column_free(x->cols[c]);
        x->cols[c] = NULL;
    }
}

/* Resets chunk 0 for a batch starting at r->pos. */
static csv_chunk *start_batch(lml_csv_reader *r, size_t max_rows)
{
    csv_ctx *x = &r->x;
    csv_chunk *ch = &x->chunks[0];
    uint8_t *types = ch->types;
    size_t *bytes = ch->bytes;
    csv_corrupt *corrupt = ch->corrupt;
    size_t corrupt_cap = ch->corrupt_cap;
    lml_strbuf bad = ch->bad;
    bad.len = 0;
    memset(bytes, 0, (x->ncols ? x->ncols : 1) * sizeof *bytes);
    *ch = (csv_chunk){.begin = r->pos, .end = r->end, .row_limit = max_rows, .line0 = r->line, .types = types,
                      .bytes = bytes, .corrupt = corrupt, .corrupt_cap = corrupt_cap, .bad = bad};
    x->nchunks = 1;
    x->nrows = 0;
    atomic_store(&x->first_failed, SIZE_MAX);
    return ch;
}

/* One batch; *out stays NULL when every record of it was dropped. */
static bool read_batch(lml_csv_reader *r, size_t max_rows, lml_frame **out, lml_error *err)
{
    csv_ctx *x = &r->x;
    csv_chunk *ch = start_batch(r, max_rows);
    csv_infer_chunk(x, 0, 0);
    if (csv_ctx_error(x, err))
        return false;
    x->nrows = ch->rows;
    for (size_t s = 0; s < x->nstr; s++) {
        size_t c = x->str_cols[s];
        x->col_bytes[c] = ch->bytes[c];
        ch->bytes[c] = 0; /* the chunk's byte offset in its columns */
    }
    if (!csv_alloc_columns(x, err))
        return false;
    csv_convert_chunk(x, 0, 0);
    if (r->cfg.bad_records_path && !csv_bad_records_write(r->cfg.bad_records_path, x->chunks, 1, err))
        return false;
    if (csv_ctx_error(x, err))
        return false;
    r->pos = ch->end;
    r->line += ch->lines;
    if (ch->written == 0)
        return true;
    *out = csv_assemble(x, true, err);
    return *out != NULL;
}

static lml_frame *empty_frame(lml_csv_reader *r, lml_error *err)
{
    start_batch(r, 1);
    r->x.chunks[0].end = r->x.chunks[0].begin;
    for (size_t s = 0; s < r->x.nstr; s++)
        r->x.col_bytes[r->x.str_cols[s]] = 0;
    if (!csv_alloc_columns(&r->x, err))
        return NULL;
    return csv_assemble(&r->x, true, err);
}

lml_csv_reader *lml_csv_reader_open(const char *path, const lml_csv_options *opts, lml_error *err)
{
    if (!path)
        return lml_error_set(err, LML_EINVAL, "lml_csv_reader_open: path is NULL"), NULL;
    lml_csv_reader *r = calloc(1, sizeof *r);
    if (!r)
        return lml_error_set(err, LML_ENOMEM, "out of memory opening %s", path), NULL;
    atomic_init(&r->x.first_failed, SIZE_MAX);
    r->path = strdup(path);
    if (!copy_options(r, opts) || !r->path) {
        lml_error_set(err, LML_ENOMEM, "out of memory opening %s", path);
        goto fail;
    }
    if (!csv_cfg_init(&r->cfg, &r->opts, r->path, err) || !lml_input_open(path, &r->in, err))
        goto fail;
    if (!csv_ctx_begin(&r->x, &r->cfg, r->in.data, r->in.len, r->in.mapped, &r->pos, &r->line, err))
        goto fail;
    r->end = r->in.data + r->in.len;
    if (!plan(r, err) || !(r->schema_frame = empty_frame(r, err)))
        goto fail;
    return r;
fail:
    lml_csv_reader_free(r);
    return NULL;
}

bool lml_csv_reader_next(lml_csv_reader *r, size_t max_rows, lml_frame **out, lml_error *err)
{
    if (out)
        *out = NULL;
    if (!r || !out)
        return lml_error_set(err, LML_EINVAL, "lml_csv_reader_next: %s is NULL", r ? "out" : "reader");
    if (max_rows == 0)
        return lml_error_set(err, LML_EINVAL, "lml_csv_reader_next %s: max_rows must be at least 1", r->path);
    if (r->failed)
        return lml_error_set(err, r->code, "%s", r->msg);
    while (r->pos < r->end && !*out) {
        lml_error e = {0};
        if (!read_batch(r, max_rows, out, &e)) {
            drop_columns(&r->x);
            r->failed = true;
            r->code = e.code;
            snprintf(r->msg, sizeof r->msg, "%s", e.message);
            return lml_error_set(err, e.code, "%s", e.message);
        }
        drop_columns(&r->x); /* a batch whose rows were all dropped */
    }
    return true;
}

const lml_frame *lml_csv_reader_schema(const lml_csv_reader *r)
{
    return r ? r->schema_frame : NULL;
}

void lml_csv_reader_progress(const lml_csv_reader *r, uint64_t *done, uint64_t *total)
{
    uint64_t d = 0, t = 0;
    if (r && r->in.data) {
        t = r->in.len;
        d = (uint64_t)(r->pos - r->in.data);
    }
    if (done)
        *done = d;
    if (total)
        *total = t;
}

void lml_csv_reader_free(lml_csv_reader *r)
{
    if (!r)
        return;
    csv_ctx_free(&r->x);
    lml_frame_free(r->schema_frame);
    if (r->in.data)
        lml_input_close(&r->in);
    free_options(r);
    free(r->path);
    free(r);
}

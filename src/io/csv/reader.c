/* lml_csv_read / lml_csv_read_buffer: maps the file, reads the header, cuts the body into chunks
 * at newlines, runs the two passes (infer.c, convert.c) and assembles the frame.
 *
 * Inference reads the whole file (Spark's default samplingRatio 1.0), so the schema is exactly
 * Spark's; pass 1 is cheap (a syntax check per field) and also yields the row and string-byte
 * counts that let pass 2 write every value once, into its final place. Peak memory is the frame
 * plus the chunks being worked on: mapped pages are released as each chunk is finished. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "io/csv/csv_internal.h"

#define MIN_CHUNK_BYTES ((size_t)1 << 20)

size_t csv_chunk_bytes_for_tests;

size_t csv_chunk_max(const csv_ctx *x, size_t len)
{
    return x->cfg->multi_line ? 1 : len / csv_chunk_target(x) + 1;
}

size_t csv_chunk_target(const csv_ctx *x)
{
    if (csv_chunk_bytes_for_tests)
        return csv_chunk_bytes_for_tests;
    return x->ncols > 4096 ? x->ncols * 256 : MIN_CHUNK_BYTES;
}

/* The size depends only on the data and the column count (never on threads), so inference
 * merges the same chunks on any machine and in the batch reader's scan. */
const char *csv_chunk_cut(const csv_ctx *x, const char *p, const char *end, size_t k, size_t max)
{
    size_t target = csv_chunk_target(x);
    if (!x->cfg->multi_line && (size_t)(end - p) > target && k + 1 < max) {
        const char *nl = memchr(p + target - 1, '\n', (size_t)(end - (p + target - 1)));
        return nl ? nl + 1 : end;
    }
    return end;
}

bool csv_chunks_alloc(csv_ctx *x, size_t n, lml_error *err)
{
    x->chunks = calloc(n ? n : 1, sizeof *x->chunks);
    if (!x->chunks)
        return lml_error_set(err, LML_ENOMEM, "out of memory for %zu chunks", n);
    x->chunk_cap = n;
    for (size_t i = 0; i < n; i++) {
        csv_chunk *ch = &x->chunks[i];
        ch->types = calloc(x->width ? x->width : 1, 1);
        ch->bytes = calloc(x->ncols ? x->ncols : 1, sizeof *ch->bytes);
        if (!ch->types || !ch->bytes)
            return lml_error_set(err, LML_ENOMEM, "out of memory for chunk bookkeeping");
    }
    return true;
}

/* Cuts [body, end) into chunks that end after a '\n'. */
static bool make_chunks(csv_ctx *x, const char *body, const char *end, lml_error *err)
{
    size_t max = csv_chunk_max(x, (size_t)(end - body));
    const char *p = body;
    size_t n = 0; /* the count first (one short memchr per chunk), so bookkeeping is exact */
    for (const char *q = p; q < end && n < max; n++)
        q = csv_chunk_cut(x, q, end, n, max);
    if (!csv_chunks_alloc(x, n, err))
        return false;
    while (p < end && x->nchunks < max) {
        const char *e = csv_chunk_cut(x, p, end, x->nchunks, max);
        x->chunks[x->nchunks].begin = p;
        x->chunks[x->nchunks].end = e;
        x->nchunks++;
        p = e;
    }
    return true;
}

void csv_ctx_free(csv_ctx *x)
{
    for (size_t i = 0; i < x->chunk_cap; i++) {
        free(x->chunks[i].types);
        free(x->chunks[i].bytes);
        free(x->chunks[i].corrupt);
        lml_strbuf_free(&x->chunks[i].bad);
    }
    free(x->chunks);
    if (x->cols)
        for (size_t c = 0; c < x->ncols; c++)
            lml_column_free(x->cols[c]);
    free(x->cols);
    free(x->types);
    free(x->data_col);
    free(x->str_cols);
    free(x->col_bytes);
    csv_names_free(x->names, x->ncols);
}

bool csv_ctx_error(csv_ctx *x, lml_error *err)
{
    if (atomic_load(&x->canceled)) {
        lml_error_set(err, LML_ECANCELED, "%s: reading canceled", x->cfg->name);
        return true;
    }
    size_t i = atomic_load(&x->first_failed);
    if (i >= x->nchunks)
        return false;
    const csv_chunk *ch = &x->chunks[i];
    lml_error_set(err, ch->code, "%s:%zu: %s", x->cfg->name, ch->line0 + ch->err_line - 1, ch->msg);
    return true;
}

bool csv_alloc_plan(csv_ctx *x, lml_error *err)
{
    size_t n = x->ncols ? x->ncols : 1;
    x->types = calloc(n, sizeof *x->types);
    x->str_cols = calloc(n, sizeof *x->str_cols);
    x->cols = calloc(n, sizeof *x->cols);
    x->col_bytes = calloc(n, sizeof *x->col_bytes);
    if (!x->types || !x->str_cols || !x->cols || !x->col_bytes)
        return lml_error_set(err, LML_ENOMEM, "out of memory for %zu columns", x->ncols);
    return true;
}

/* Between the passes: final types, row offsets, per-chunk string byte offsets. */
static bool plan(csv_ctx *x, lml_error *err)
{
    const csv_cfg *cfg = x->cfg;
    if (!csv_alloc_plan(x, err))
        return false;
    for (size_t j = 0; j < x->width; j++) {
        uint8_t it = IT_NULL;
        for (size_t i = 0; i < x->nchunks; i++)
            it = csv_infer_merge(it, x->chunks[i].types[j]);
        size_t c = x->data_col[j];
        x->types[c] = cfg->schema_len ? cfg->schema[c].type : cfg->infer ? csv_itype_to_type(it) : LML_STRING;
        if (x->types[c] == LML_STRING)
            x->str_cols[x->nstr++] = c;
    }
    if (cfg->corrupt_index >= 0)
        x->types[cfg->corrupt_index] = LML_STRING;
    for (size_t i = 0; i < x->nchunks; i++) {
        x->chunks[i].row0 = x->nrows;
        x->nrows += x->chunks[i].rows;
    }
    for (size_t s = 0; s < x->nstr; s++) {
        size_t c = x->str_cols[s], total = 0;
        for (size_t i = 0; i < x->nchunks; i++) {
            size_t b = x->chunks[i].bytes[c];
            x->chunks[i].bytes[c] = total;
            total += b; /* cannot overflow: bounded by the input size */
        }
        x->col_bytes[c] = total;
    }
    return true;
}

typedef struct alloc_job {
    csv_ctx *x;
    atomic_flag err_taken;
    lml_error err;
} alloc_job;

/* Allocating (and zeroing) the columns touches every page of the frame: done on the pool. */
static void alloc_column(void *vjob, size_t c, int worker)
{
    (void)worker;
    alloc_job *job = vjob;
    csv_ctx *x = job->x;
    if ((long)c == x->cfg->corrupt_index)
        return; /* built after pass 2, when its size is known */
    lml_error e = {0};
    x->cols[c] = lml_column_alloc(x->types[c], x->nrows, x->col_bytes[c], true, &e);
    if (!x->cols[c] && !atomic_flag_test_and_set(&job->err_taken))
        job->err = e;
}

bool csv_alloc_columns(csv_ctx *x, lml_error *err)
{
    alloc_job job = {.x = x, .err_taken = ATOMIC_FLAG_INIT};
    lml_parallel_for(x->ncols, alloc_column, &job);
    for (size_t c = 0; c < x->ncols; c++) {
        if (!x->cols[c] && (long)c != x->cfg->corrupt_index) {
            lml_error_set(err, job.err.code, "%s: column '%s': %s", x->cfg->name, x->names[c], job.err.message);
            return false;
        }
    }
    return true;
}

lml_frame *csv_assemble(csv_ctx *x, bool copy_names, lml_error *err)
{
    size_t nrows = csv_compact(x);
    if (x->cfg->corrupt_index >= 0 && !csv_build_corrupt(x, nrows, err))
        return NULL;
    lml_field *fields = calloc(x->ncols ? x->ncols : 1, sizeof *fields);
    if (!fields) {
        lml_error_set(err, LML_ENOMEM, "out of memory for a frame of %zu columns", x->ncols);
        return NULL;
    }
    bool copy_failed = false;
    for (size_t c = 0; c < x->ncols; c++) {
        fields[c].name = copy_names ? strdup(x->names[c]) : x->names[c];
        fields[c].col = lml_column_seal(x->cols[c]);
        x->cols[c] = NULL;
        if (!copy_names)
            x->names[c] = NULL;
        else if (!fields[c].name)
            copy_failed = true;
    }
    if (copy_failed) {
        for (size_t c = 0; c < x->ncols; c++) {
            free(fields[c].name);
            lml_column_free(fields[c].col);
        }
        free(fields);
        lml_error_set(err, LML_ENOMEM, "out of memory for a frame of %zu columns", x->ncols);
        return NULL;
    }
    return lml_frame_adopt(fields, x->ncols, err);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool run_passes(csv_ctx *x, size_t body_line, lml_error *err)
{
    double t0 = now();
    lml_parallel_for(x->nchunks, csv_infer_chunk, x);
    double t1 = now();
    size_t line = body_line; /* exact up to the first failed chunk, which is all messages need */
    for (size_t i = 0; i < x->nchunks; i++) {
        x->chunks[i].line0 = line;
        line += x->chunks[i].lines;
    }
    if (csv_ctx_error(x, err) || !plan(x, err) || !csv_alloc_columns(x, err))
        return false;
    double t2 = now();
    lml_parallel_for(x->nchunks, csv_convert_chunk, x);
    LML_LOG_DEBUG("csv", "%s: pass 1 (infer) %.3f s, allocation %.3f s, pass 2 (convert) %.3f s on %d threads",
                  x->cfg->name, t1 - t0, t2 - t1, now() - t2, lml_pool_size());
    size_t last = atomic_load(&x->first_failed);
    if (x->cfg->bad_records_path && !atomic_load(&x->canceled) &&
        !csv_bad_records_write(x->cfg->bad_records_path, x->chunks, last < x->nchunks ? last + 1 : x->nchunks, err))
        return false;
    return !csv_ctx_error(x, err);
}

bool csv_ctx_begin(csv_ctx *x, const csv_cfg *cfg, const char *data, size_t len, bool mapped, const char **body,
                   size_t *body_line, lml_error *err)
{
    memset(x, 0, sizeof *x);
    x->cfg = cfg;
    x->mapped = mapped;
    x->buf_end = data + len;
    atomic_init(&x->first_failed, SIZE_MAX);
    const char *p = data, *end = data + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* a UTF-8 byte-order mark is not part of the first name */
    csv_tok t;
    csv_tok_init(&t, cfg);
    csv_cursor cur = {p, end, 1};
    csv_record first = {0};
    int rc = csv_next_record(&t, &cur, &first);
    bool ok = false;
    if (rc < 0) {
        lml_error_set(err, t.code, "%s:%zu: %s", cfg->name, first.line, t.msg);
        goto out;
    }
    *body = p;
    *body_line = 1;
    if (cfg->header && rc > 0) {
        *body = cur.p;
        *body_line = cur.line;
        x->header_raw = first.raw;
        x->header_len = first.raw_len;
    }
    x->ncols = cfg->schema_len ? cfg->schema_len : rc > 0 ? first.nf : 0;
    x->width = x->ncols - (cfg->corrupt_index >= 0);
    x->names = csv_column_names(cfg, rc > 0 ? &first : NULL, x->ncols, err);
    x->data_col = calloc(x->width ? x->width : 1, sizeof *x->data_col);
    if (!x->names || !x->data_col) {
        if (x->names)
            lml_error_set(err, LML_ENOMEM, "out of memory for %zu columns", x->ncols);
        goto out;
    }
    for (size_t j = 0; j < x->width; j++)
        x->data_col[j] = cfg->corrupt_index >= 0 && (long)j >= cfg->corrupt_index ? j + 1 : j;
    ok = true;
out:
    csv_tok_free(&t);
    return ok;
}

static lml_frame *read_impl(const char *data, size_t len, const csv_cfg *cfg, bool mapped, lml_error *err)
{
    csv_ctx x;
    const char *body, *end = data + len;
    size_t body_line;
    lml_frame *f = NULL;
    if (!csv_ctx_begin(&x, cfg, data, len, mapped, &body, &body_line, err))
        goto out;
    x.total_bytes = 2 * (uint64_t)(end - body); /* two passes over the body */
    if (!make_chunks(&x, body, end, err) || !run_passes(&x, body_line, err))
        goto out;
    f = csv_assemble(&x, false, err);
    if (f) {
        size_t bad = 0;
        for (size_t i = 0; i < x.nchunks; i++)
            bad += x.chunks[i].malformed;
        LML_LOG_DEBUG("csv", "%s: %zu rows, %zu columns, %zu chunks, %zu malformed records", cfg->name,
                      lml_frame_num_rows(f), x.ncols, x.nchunks, bad);
        if (bad)
            LML_LOG_INFO("csv", "%s: %zu malformed records (%s)", cfg->name, bad,
                         cfg->mode == LML_CSV_DROPMALFORMED ? "dropped" : "kept with nulls");
    }
out:
    csv_ctx_free(&x);
    return f;
}

lml_frame *lml_csv_read_buffer(const char *data, size_t len, const char *name, const lml_csv_options *opts,
                               lml_error *err)
{
    csv_cfg cfg;
    if (!data && len)
        return lml_error_set(err, LML_EINVAL, "lml_csv_read_buffer: data is NULL"), NULL;
    if (!csv_cfg_init(&cfg, opts, name, err))
        return NULL;
    return read_impl(data ? data : "", len, &cfg, false, err);
}

lml_frame *lml_csv_read(const char *path, const lml_csv_options *opts, lml_error *err)
{
    csv_cfg cfg;
    if (!path)
        return lml_error_set(err, LML_EINVAL, "lml_csv_read: path is NULL"), NULL;
    if (!csv_cfg_init(&cfg, opts, path, err))
        return NULL;
    lml_input in;
    if (!lml_input_open(path, &in, err))
        return NULL;
    lml_frame *f = read_impl(in.data, in.len, &cfg, in.mapped, err);
    lml_input_close(&in);
    return f;
}

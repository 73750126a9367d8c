/* `lakeml score`: the input read a bounded piece at a time and the output written batch by batch,
 * so a table larger than memory scores in bounded memory. */
#include "score.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ input */

/* Takes f: a Parquet or Delta file holds a vector column as Spark's VectorUDT storage struct,
 * which the reader returns as such; the model wants the vectors back (Spark's deserialize). */
static lml_frame *with_vectors(lml_frame *f, lml_error *err)
{
    for (size_t c = 0; f && c < lml_frame_num_cols(f); c++) {
        if (!lml_is_vector_struct(lml_frame_column(f, c)))
            continue;
        lml_column *v = lml_vector_from_struct(lml_frame_column(f, c), err);
        if (!v)
            lml_error_prefix(err, "column '%s'", lml_frame_column_name(f, c));
        lml_frame *g = v ? lml_frame_with_column(f, lml_frame_column_name(f, c), v, err) : NULL;
        lml_column_free(v);
        lml_frame_free(f);
        f = g;
    }
    return f;
}

static bool open_parquet(score_source *s, lml_error *err)
{
    s->pq = lml_parquet_open(s->path, err);
    if (!s->pq)
        return false;
    s->nrg = lml_parquet_num_row_groups(s->pq);
    s->total_rows = lml_parquet_num_rows(s->pq);
    /* A non-NULL, empty row-group list reads the columns without a row. */
    size_t none = 0;
    lml_parquet_read_options o = {.row_groups = &none, .num_row_groups = 0};
    s->schema = with_vectors(lml_parquet_file_read(s->pq, &o, err), err);
    return s->schema != NULL;
}

static bool open_delta(score_source *s, const cli_csv *c, lml_error *err)
{
    s->table = lml_delta_table_open(s->path, &c->delta, err);
    if (!s->table)
        return false;
    s->schema = with_vectors(lml_delta_table_schema(s->table, err), err);
    if (!s->schema)
        return false;
    s->scan = lml_delta_scan_open(s->table, NULL, err);
    if (!s->scan)
        return false;
    s->total_rows = lml_delta_scan_total_rows(s->scan);
    return true;
}

static bool open_csv(score_source *s, const cli_csv *c, lml_error *err)
{
    /* Inferring the schema reads the whole file once before the first batch: worth a bar. */
    char label[512];
    snprintf(label, sizeof label, "%s (inferring the schema)", s->path);
    lml_csv_options o = c->opts;
    o.progress = cli_progress_bar(label);
    s->csv = lml_csv_reader_open(s->path, &o, err);
    cli_progress_done();
    if (!s->csv)
        return false;
    const lml_frame *schema = lml_csv_reader_schema(s->csv);
    s->schema = schema ? lml_frame_slice(schema, 0, 0, err) : NULL;
    if (!schema && err)
        lml_error_set(err, LML_EINVAL, "%s: the CSV reader gave no schema", s->path);
    return s->schema != NULL;
}

bool score_source_open(score_source *s, const cli_csv *c, const char *path, size_t batch_rows, lml_error *err)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->batch_rows = batch_rows;
    s->total_rows = -1;
    bool ok;
    if (lml_delta_is_table(path)) {
        s->format = CLI_FORMAT_DELTA;
        ok = open_delta(s, c, err);
    } else if (c->delta.has_version || c->delta.timestamp) {
        ok = lml_error_set(err, LML_EINVAL,
                           "%s: --version and --timestamp apply to Delta tables (a directory with _delta_log)", path);
    } else if (cli_is_parquet(path)) {
        s->format = CLI_FORMAT_PARQUET;
        cli_warn_csv_flags(c, path);
        ok = open_parquet(s, err);
    } else {
        s->format = CLI_FORMAT_CSV;
        ok = open_csv(s, c, err);
    }
    if (!ok)
        score_source_close(s);
    return ok;
}

bool score_source_next(score_source *s, lml_frame **out, lml_error *err)
{
    *out = NULL;
    switch (s->format) {
    case CLI_FORMAT_PARQUET:
        /* An empty row group is skipped rather than ending the stream. */
        while (s->next_rg < s->nrg) {
            size_t rg = s->next_rg++;
            if (lml_parquet_row_group_num_rows(s->pq, rg) == 0)
                continue;
            *out = with_vectors(lml_parquet_read_row_group(s->pq, rg, NULL, err), err);
            return *out != NULL;
        }
        return true;
    case CLI_FORMAT_DELTA:
        for (;;) {
            if (!lml_delta_scan_next(s->scan, out, err))
                return false;
            if (*out && !(*out = with_vectors(*out, err)))
                return false;
            if (!*out || lml_frame_num_rows(*out) > 0)
                return true;
            lml_frame_free(*out);
            *out = NULL;
        }
    default:
        return lml_csv_reader_next(s->csv, s->batch_rows, out, err);
    }
}

double score_source_fraction(const score_source *s, uint64_t rows_done)
{
    if (s->format == CLI_FORMAT_CSV) {
        uint64_t done = 0, total = 0;
        lml_csv_reader_progress(s->csv, &done, &total);
        return total > 0 ? (done >= total ? 1.0 : (double)done / (double)total) : -1;
    }
    if (s->total_rows <= 0)
        return s->total_rows == 0 ? 1.0 : -1;
    return rows_done >= (uint64_t)s->total_rows ? 1.0 : (double)rows_done / (double)s->total_rows;
}

void score_source_close(score_source *s)
{
    if (s->csv)
        lml_csv_reader_free(s->csv);
    if (s->pq)
        lml_parquet_close(s->pq);
    if (s->scan)
        lml_delta_scan_free(s->scan);
    if (s->table)
        lml_delta_table_free(s->table);
    lml_frame_free(s->schema);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------------ output */

bool score_sink_open(score_sink *k, cli_format format, const char *path, score_mode mode, lml_error *err)
{
    memset(k, 0, sizeof *k);
    k->format = format;
    switch (format) {
    case CLI_FORMAT_CSV:
        k->csv = lml_csv_writer_open(path, &(lml_csv_write_options){0}, mode == SCORE_APPEND, err);
        return k->csv != NULL;
    case CLI_FORMAT_PARQUET:
        /* The caller refuses append: a Parquet file cannot grow in place (its footer is last). */
        k->pq = lml_parquet_writer_open(path, &(lml_parquet_write_options){0}, err);
        return k->pq != NULL;
    default:
        k->delta_opt.mode = mode == SCORE_APPEND      ? LML_DELTA_APPEND
                            : mode == SCORE_OVERWRITE ? LML_DELTA_OVERWRITE
                                                      : LML_DELTA_ERROR_IF_EXISTS;
        k->delta = lml_delta_writer_open(path, &k->delta_opt, err);
        return k->delta != NULL;
    }
}

bool score_sink_write(score_sink *k, const lml_frame *f, lml_error *err)
{
    switch (k->format) {
    case CLI_FORMAT_CSV:
        return lml_csv_writer_write(k->csv, f, err);
    case CLI_FORMAT_PARQUET:
        return lml_parquet_writer_write(k->pq, f, err);
    default:
        return lml_delta_writer_write(k->delta, f, err);
    }
}

bool score_sink_close(score_sink *k, int64_t *version, lml_error *err)
{
    *version = -1;
    bool ok;
    /* Each close frees its writer, also on failure. */
    switch (k->format) {
    case CLI_FORMAT_CSV:
        ok = lml_csv_writer_close(k->csv, err);
        break;
    case CLI_FORMAT_PARQUET:
        ok = lml_parquet_writer_close(k->pq, err);
        break;
    default:
        ok = lml_delta_writer_commit(k->delta, version, err);
        break;
    }
    memset(k, 0, sizeof *k);
    return ok;
}

void score_sink_abort(score_sink *k)
{
    if (k->csv)
        lml_csv_writer_abort(k->csv);
    if (k->pq)
        lml_parquet_writer_abort(k->pq);
    if (k->delta)
        lml_delta_writer_abort(k->delta);
    memset(k, 0, sizeof *k);
}

/* `lakeml score`: what its files share. score.c parses the command line and runs the loop,
 * score_io.c streams the input and output, score_batch.c transforms one batch and isolates the
 * rows the model rejects. */
#ifndef LML_CLI_SCORE_H
#define LML_CLI_SCORE_H

#include <stdint.h>
#include "cli.h"

typedef enum score_mode { SCORE_ERROR_IF_EXISTS = 0, SCORE_APPEND, SCORE_OVERWRITE } score_mode;

/* The input, read a bounded piece at a time: a Parquet row group, a Delta scan piece (one row
 * group of one file), or up to batch_rows CSV records. */
typedef struct score_source {
    cli_format format;
    const char *path;
    size_t batch_rows;
    lml_csv_reader *csv;
    lml_parquet_file *pq;
    size_t next_rg, nrg;
    lml_delta_table *table;
    lml_delta_scan *scan;
    lml_frame *schema;   /* the input's columns, zero rows */
    int64_t total_rows;  /* -1 when unknown (CSV: progress is counted in bytes) */
} score_source;

/* Opens `path` as cli_read_input would read it (Delta table directory, Parquet by its magic, else
 * CSV with c's options). */
bool score_source_open(score_source *s, const cli_csv *c, const char *path, size_t batch_rows, lml_error *err);
/* The next piece (owned by the caller), or *out = NULL at the end. */
bool score_source_next(score_source *s, lml_frame **out, lml_error *err);
/* How far the reading is, as a fraction in [0, 1], or -1 when unknown. rows_done is what the
 * caller has taken so far. */
double score_source_fraction(const score_source *s, uint64_t rows_done);
void score_source_close(score_source *s);

/* The output, written batch by batch and made visible only by score_sink_close. */
typedef struct score_sink {
    cli_format format;
    lml_delta_write_options delta_opt; /* the Delta writer reads it until the commit */
    lml_csv_writer *csv;
    lml_parquet_writer *pq;
    lml_delta_writer *delta;
} score_sink;

bool score_sink_open(score_sink *k, cli_format format, const char *path, score_mode mode, lml_error *err);
bool score_sink_write(score_sink *k, const lml_frame *f, lml_error *err);
/* Publishes the output (Delta: one commit, its version in *version; else -1). */
bool score_sink_close(score_sink *k, int64_t *version, lml_error *err);
/* Removes what was written; the output stays as it was. No-op on a closed or unopened sink. */
void score_sink_abort(score_sink *k);

/* Scoring one batch. Rows are numbered from 1 in the order the input is read. */
typedef struct score_ctx {
    const lml_stage *model;
    const char *input;               /* for messages */
    const char *const *out_cols;     /* NULL-terminated columns to keep */
    const char *bad_path;            /* --bad-records, or NULL: the first rejected row stops the job */
    FILE *bad;                       /* opened on the first bad record, NULL before */
    uint64_t rows_bad, rows_skipped;
} score_ctx;

/* The name of the row-number column added to each batch before the transform (so the rows a
 * handleInvalid=skip stage drops can be found), never written out. */
#define SCORE_ROW_COLUMN "__lakeml_score_row"

/* Applies the model to `batch` (whose first row is row first_row, counting from 1) and sets *out
 * to the rows it scored, restricted to ctx->out_cols (NULL when it scored none). Rows the model rejects are found by scoring
 * halves of the batch until single rows remain: with ctx->bad_path they are recorded there and
 * left out, without it the first one fails the call with an error naming its row. Rows a
 * handleInvalid=skip stage drops are counted, and recorded when ctx->bad_path is set. Returns
 * false with err set on failure. */
bool score_batch(score_ctx *ctx, const lml_frame *batch, uint64_t first_row, lml_frame **out, lml_error *err);

/* The model applied to zero rows of the input's schema: a missing or mistyped input column is
 * reported before any data is read. Returns the (zero-row) output. */
lml_frame *score_schema_check(const score_ctx *ctx, const lml_frame *schema, lml_error *err);

/* The columns the model adds that a user wants by default: every predictor's rawPrediction,
 * probability, prediction (and variance) columns and IndexToString outputs, found through the
 * stages of a PipelineModel (nested ones, the best model of a tuning model); when the model has
 * none of those, the columns its last stage outputs. Appends to names (NULL-terminated, cap
 * entries) the ones `out` holds that `in` does not, in `out`'s order. Returns how many. */
size_t score_final_columns(const lml_stage *model, const lml_frame *in, const lml_frame *out, const char **names,
                           size_t cap);

#endif

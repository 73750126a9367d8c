/* `lakeml score --model DIR --input IN --output OUT`: batch scoring with a saved model (Spark's
 * `PipelineModel.load(dir).transform(spark.read…(in)).write…(out)`), streamed a bounded batch at
 * a time so that a table larger than memory scores in bounded memory. */
#include "score.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_BATCH_ROWS 65536
#define MAX_COLUMNS 1024

enum {
    OPT_MODEL = OPT_FIRST_COMMAND_OPTION,
    OPT_INPUT,
    OPT_OUTPUT,
    OPT_FORMAT,
    OPT_COLUMNS,
    OPT_BATCH_ROWS
};

typedef struct score_opts {
    const char *model, *input, *output, *columns, *bad_records;
    cli_format format;
    score_mode mode;
    long batch_rows;
} score_opts;

static void usage(FILE *out)
{
    fputs("Usage: lakeml score --model DIR --input IN --output OUT [OPTIONS]\n"
          "\n"
          "Apply the model saved at DIR (by lakeml or by Spark: a PipelineModel, a\n"
          "classifier, a regressor, a feature transformer ...) to every row of IN and write\n"
          "the scored rows to OUT, in IN's order. IN is a Delta table (a directory holding\n"
          "_delta_log), a Parquet file (recognised by its PAR1 magic) or a CSV file. OUT is\n"
          "written as CSV when it ends in '.csv', as Parquet when it ends in '.parquet',\n"
          "otherwise as a Delta table (--format overrides the name). Vector columns are\n"
          "written as Spark's text form in CSV and as Spark ML's VectorUDT in Parquet and\n"
          "Delta.\n"
          "\n"
          "The input is read a bounded piece at a time (a Parquet row group, a Delta data\n"
          "file's row group, or --batch-rows CSV records) and scored --batch-rows rows at a\n"
          "time, so memory does not grow with the input (a Parquet or Delta OUT also\n"
          "buffers up to about 128 MiB of rows before writing a row group or a data file).\n"
          "A vector column of a Parquet or Delta input (Spark's VectorUDT) is read as\n"
          "vectors. Nothing appears at OUT until every row is scored; if the job fails,\n"
          "OUT is left exactly as it was.\n"
          "\n"
          "Output columns: IN's columns plus the model's final outputs (each predictor's\n"
          "rawPrediction, probability and prediction columns, IndexToString outputs; for a\n"
          "model without a predictor, its last stage's outputs), not intermediate columns\n"
          "such as features. --columns picks exactly the columns to write.\n"
          "\n"
          "Rows the model rejects (an unseen label or a null where a stage has\n"
          "handleInvalid=error): without --bad-records the first one stops the job with the\n"
          "model's error and its row number (rows count from 1 in the order IN is read;\n"
          "in a CSV file with a header and one line per record, row N is line N + 1).\n"
          "With --bad-records PATH the job goes on, and each rejected row is appended to\n"
          "PATH as a JSON line {\"row\": N, \"error\": \"...\", \"values\": {column: value, ...}};\n"
          "rows a handleInvalid=skip stage drops are appended there too, with the stage\n"
          "that dropped them. For CSV input the same PATH receives the reader's malformed\n"
          "records ({\"file\", \"line\", \"record\", \"reason\"}, see --mode). Records are\n"
          "appended as they are found, also by a job that fails later.\n"
          "\n"
          "At the end one JSON line goes to standard output: model, input, output,\n"
          "rows_read, rows_written, rows_bad, rows_skipped, batches, seconds,\n"
          "rows_per_second, peak_rss_mb, and output_version for a Delta table. A progress\n"
          "bar (rows, rows/s, ETA) is drawn on standard error when it is a terminal.\n"
          "\n"
          "Score options:\n"
          "      --model DIR        the saved model (required)\n"
          "      --input IN         the table to score (required)\n"
          "      --output OUT       where the scores go (required; not standard output,\n"
          "                         which carries the summary)\n"
          "      --format F         csv, parquet or delta (default: from OUT's name)\n"
          "      --mode M           errorifexists (default: refuse an existing OUT before\n"
          "                         any work), overwrite (replace OUT), append (a Delta\n"
          "                         table: one new commit; CSV: rows added after OUT's,\n"
          "                         without a second header; not Parquet: a Parquet file\n"
          "                         cannot grow in place, write a Delta table instead)\n"
          "      --columns A,B,...  write exactly these columns (IN's or the model's)\n"
          "      --batch-rows N     rows per scoring batch (default 65536)\n"
          "      --bad-records PATH record rejected rows there and go on (see above)\n"
          "\n",
          out);
    cli_csv_help(out);
}

static int own_option(void *ctx, int code, const char *arg)
{
    score_opts *o = ctx;
    switch (code) {
    case OPT_MODEL:
        o->model = arg;
        return CLI_OK;
    case OPT_INPUT:
        o->input = arg;
        return CLI_OK;
    case OPT_OUTPUT:
        o->output = arg;
        return CLI_OK;
    case OPT_COLUMNS:
        o->columns = arg;
        return CLI_OK;
    case OPT_BAD_RECORDS: /* not only a CSV reading flag here: no warning for other inputs */
        if (!arg[0])
            return cli_usage_error("score", "--bad-records: expected a path");
        o->bad_records = arg;
        return CLI_OK;
    case OPT_BATCH_ROWS:
        if (!cli_parse_count(arg, 1L << 40, &o->batch_rows) || o->batch_rows == 0)
            return cli_usage_error("score", "--batch-rows: expected a positive number of rows, got '%s'", arg);
        return CLI_OK;
    case OPT_FORMAT:
        return cli_parse_format("score", arg, &o->format);
    case OPT_MODE: /* a save mode here; CSV parse modes fall through to the common parser */
        if (strcasecmp(arg, "errorifexists") == 0 || strcasecmp(arg, "error") == 0)
            o->mode = SCORE_ERROR_IF_EXISTS;
        else if (strcasecmp(arg, "append") == 0)
            o->mode = SCORE_APPEND;
        else if (strcasecmp(arg, "overwrite") == 0)
            o->mode = SCORE_OVERWRITE;
        else
            return -1;
        return CLI_OK;
    default:
        return -1;
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Checks made before any work: the command line's combinations and the output's existence. */
static int check_output(const score_opts *o, cli_format fmt)
{
    if (o->mode == SCORE_APPEND && fmt == CLI_FORMAT_PARQUET)
        return cli_usage_error("score", "--mode append: a Parquet file cannot be appended to in place (its footer comes "
                               "last); write the scores to a Delta table instead (OUT without '.parquet', or --format delta)");
    struct stat st;
    bool exists = stat(o->output, &st) == 0;
    if (exists && o->mode == SCORE_ERROR_IF_EXISTS) {
        fprintf(stderr, "lakeml: %s already exists (--mode overwrite replaces it, --mode append adds to it)\n", o->output);
        return CLI_FAILED;
    }
    /* Spark refuses to overwrite a path it is reading from; for a file, the output would replace
     * the input under the reader. A Delta table keeps its old version readable, so it may. */
    struct stat in;
    if (exists && fmt != CLI_FORMAT_DELTA && stat(o->input, &in) == 0 && in.st_dev == st.st_dev && in.st_ino == st.st_ino) {
        fprintf(stderr, "lakeml: %s is both the input and the output; write the scores elsewhere\n", o->output);
        return CLI_FAILED;
    }
    return CLI_OK;
}

/* Splits --columns into names (pointers into buf, a copy of text). */
static size_t split_columns(char *buf, const char **names, size_t cap)
{
    size_t n = 0;
    for (char *p = buf; *p && n < cap;) {
        size_t len = strcspn(p, ",");
        char *next = p + len + (p[len] == ',');
        p[len] = '\0';
        while (*p == ' ')
            p++;
        for (char *e = p + strlen(p); e > p && e[-1] == ' ';)
            *--e = '\0';
        if (*p)
            names[n++] = p;
        p = next;
    }
    names[n] = NULL;
    return n;
}

/* The output columns: --columns checked against what the model produces, or the default. */
static bool output_columns(const score_opts *o, const lml_stage *model, const lml_frame *in, const lml_frame *scored,
                           char *buf, const char **names, lml_error *err)
{
    if (o->columns) {
        size_t n = split_columns(buf, names, MAX_COLUMNS);
        if (n == 0)
            return lml_error_set(err, LML_EINVAL, "--columns: no column names in '%s'", o->columns);
        for (size_t i = 0; i < n; i++) {
            if (lml_frame_column_index(scored, names[i]) >= 0)
                continue;
            char have[LML_ERROR_MESSAGE_MAX];
            size_t used = 0;
            have[0] = '\0';
            for (size_t c = 0; c < lml_frame_num_cols(scored) && used < sizeof have; c++)
                used += (size_t)snprintf(have + used, sizeof have - used, "%s%s", c ? ", " : "",
                                         lml_frame_column_name(scored, c));
            return lml_error_set(err, LML_ENOTFOUND, "--columns: no column '%s' in the input or the model's output "
                                 "(there are: %s)", names[i], have);
        }
        return true;
    }
    size_t n = 0;
    for (size_t c = 0; c < lml_frame_num_cols(in) && n < MAX_COLUMNS; c++)
        names[n++] = lml_frame_column_name(in, c);
    n += score_final_columns(model, in, scored, names + n, MAX_COLUMNS - n);
    names[n] = NULL;
    return true;
}

typedef struct run_stats {
    uint64_t rows_read, rows_written, batches;
    int64_t version;
    double start;
} run_stats;

/* Redraws the bar after a batch: the label carries the rows, the rate and the ETA, progress.c the
 * bar and the elapsed time. Drawn only when the fraction done is known. */
static void show_progress(lml_progress *bar, char *label, size_t cap, const score_source *src, const run_stats *st)
{
    if (!bar->fn)
        return;
    double frac = score_source_fraction(src, st->rows_read), t = now_s() - st->start;
    if (frac < 0)
        return;
    double rate = t > 0 ? (double)st->rows_read / t : 0;
    char eta[32] = "";
    if (frac > 0 && frac < 1)
        snprintf(eta, sizeof eta, ", ETA %.0fs", t * (1 - frac) / frac);
    snprintf(label, cap, "%s: %" PRIu64 " rows, %.0f rows/s%s", src->path, st->rows_read, rate, eta);
    bar->fn(bar->user, NULL, (uint64_t)(frac * 1e6), 1000000);
}

/* The read-score-write loop, from `first` (the piece read ahead, owned; NULL for an empty input). */
static bool run(score_ctx *ctx, score_source *src, lml_frame *first, score_sink *sink, size_t batch_rows,
                run_stats *st, const lml_frame *empty_out, lml_error *err)
{
    char label[512];
    snprintf(label, sizeof label, "%s", src->path);
    lml_progress bar = cli_progress_bar(label);
    bool ok = true;
    /* A NULL first piece: the read-ahead already met the end (no second call past it). */
    bool more = first != NULL;
    while (ok && more) {
        lml_frame *piece = first;
        first = NULL;
        if (!piece && !score_source_next(src, &piece, err)) {
            ok = false;
            break;
        }
        if (!piece)
            break;
        size_t n = lml_frame_num_rows(piece);
        /* A row group may hold millions of rows; the transform's intermediate columns are bounded
         * by scoring it batch_rows at a time. */
        for (size_t off = 0; ok && off < n; off += batch_rows) {
            size_t len = n - off < batch_rows ? n - off : batch_rows;
            lml_frame *batch = off == 0 && len == n ? lml_frame_retain(piece) : lml_frame_slice(piece, off, len, err);
            lml_frame *scored = NULL;
            ok = batch && score_batch(ctx, batch, st->rows_read + 1, &scored, err);
            if (ok && scored && lml_frame_num_rows(scored) > 0) {
                ok = score_sink_write(sink, scored, err);
                st->rows_written += lml_frame_num_rows(scored);
            }
            lml_frame_free(scored);
            lml_frame_free(batch);
            if (ok) {
                st->rows_read += len;
                st->batches++;
                show_progress(&bar, label, sizeof label, src, st);
            }
        }
        lml_frame_free(piece);
    }
    /* With no row scored, the writer still learns the output's columns. */
    if (ok && st->rows_written == 0)
        ok = score_sink_write(sink, empty_out, err);
    cli_progress_done();
    return ok;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return (double)ru.ru_maxrss / 1024.0; /* Linux: kilobytes */
}

static void print_summary(const score_opts *o, const lml_stage *model, const score_ctx *ctx, const run_stats *st)
{
    double secs = now_s() - st->start;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "model", lml_stage_name(model));
    cJSON_AddStringToObject(j, "model_path", o->model);
    cJSON_AddStringToObject(j, "input", o->input);
    cJSON_AddStringToObject(j, "output", o->output);
    cJSON_AddNumberToObject(j, "rows_read", (double)st->rows_read);
    cJSON_AddNumberToObject(j, "rows_written", (double)st->rows_written);
    cJSON_AddNumberToObject(j, "rows_bad", (double)ctx->rows_bad);
    cJSON_AddNumberToObject(j, "rows_skipped", (double)ctx->rows_skipped);
    cJSON_AddNumberToObject(j, "batches", (double)st->batches);
    cJSON_AddNumberToObject(j, "seconds", (double)(long long)(secs * 1000 + 0.5) / 1000);
    cJSON_AddNumberToObject(j, "rows_per_second", secs > 0 ? (double)(long long)((double)st->rows_read / secs) : 0);
    cJSON_AddNumberToObject(j, "peak_rss_mb", (double)(long long)(peak_rss_mb() * 10 + 0.5) / 10);
    if (st->version >= 0)
        cJSON_AddNumberToObject(j, "output_version", (double)st->version);
    if (o->bad_records)
        cJSON_AddStringToObject(j, "bad_records", o->bad_records);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (text)
        puts(text);
    free(text);
}

/* Everything after the command line: load, check, stream, publish. */
static int score(const score_opts *o, cli_csv *csv, cli_format fmt)
{
    run_stats st = {.start = now_s(), .version = -1};
    lml_error err = {0};
    lml_stage *model = lml_load(o->model, &err);
    if (!model)
        return cli_fail(&err);
    if (o->bad_records)
        csv->opts.bad_records_path = o->bad_records;
    score_ctx ctx = {.model = model, .input = o->input, .bad_path = o->bad_records};
    score_source src;
    score_sink sink = {0};
    lml_frame *scored0 = NULL, *empty_out = NULL;
    char *colbuf = o->columns ? strdup(o->columns) : NULL;
    const char **names = calloc(MAX_COLUMNS + 1, sizeof *names);
    bool ok = names && (!o->columns || colbuf);
    if (!ok)
        lml_error_set(&err, LML_ENOMEM, "out of memory");
    bool opened = ok && score_source_open(&src, csv, o->input, (size_t)o->batch_rows, &err);
    ok = opened;
    /* The first piece, read ahead: zero rows of it carry what the bare schema may lack (the size
     * of a vector column), for the check that the model applies to the input at all. */
    lml_frame *first = NULL, *sample = NULL;
    ok = ok && score_source_next(&src, &first, &err);
    if (ok && first)
        ok = (sample = lml_frame_slice(first, 0, 0, &err)) != NULL;
    const lml_frame *schema = sample ? sample : src.schema;
    if (ok) {
        scored0 = score_schema_check(&ctx, schema, &err);
        if (!scored0)
            lml_error_prefix(&err, "cannot apply the model %s to %s", o->model, o->input);
        ok = scored0 && output_columns(o, model, schema, scored0, colbuf, names, &err);
    }
    if (ok) {
        ctx.out_cols = names;
        ok = (empty_out = lml_frame_select(scored0, names, &err)) != NULL;
    }
    ok = ok && score_sink_open(&sink, fmt, o->output, o->mode, &err);
    if (ok) {
        ok = run(&ctx, &src, first, &sink, (size_t)o->batch_rows, &st, empty_out, &err);
        first = NULL; /* run() took it */
    }
    if (ok)
        ok = score_sink_close(&sink, &st.version, &err);
    else
        score_sink_abort(&sink);
    if (ctx.bad)
        fclose(ctx.bad); /* every record was flushed and checked when written */
    int rc = ok ? CLI_OK : cli_fail(&err);
    if (ok)
        print_summary(o, model, &ctx, &st);
    if (opened)
        score_source_close(&src);
    lml_frame_free(first);
    lml_frame_free(sample);
    lml_frame_free(scored0);
    lml_frame_free(empty_out);
    free(names);
    free(colbuf);
    lml_stage_free(model);
    return rc;
}

int cli_score(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"model", required_argument, NULL, OPT_MODEL},
        {"input", required_argument, NULL, OPT_INPUT},
        {"output", required_argument, NULL, OPT_OUTPUT},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"columns", required_argument, NULL, OPT_COLUMNS},
        {"batch-rows", required_argument, NULL, OPT_BATCH_ROWS},
        {0},
    };
    score_opts o = {.batch_rows = DEFAULT_BATCH_ROWS};
    const cli_args args = {.command = "score", .shortopts = "h", .longopts = longopts, .usage = usage,
                           .min_operands = 0, .max_operands = 0, .operands = "no operands (use --input and --output)",
                           .own = own_option, .ctx = &o};
    cli_csv csv;
    cli_csv_init(&csv);
    int first = 0;
    int rc = cli_parse_args(&args, &csv, argc, argv, &first);
    if (rc != CLI_OK)
        return rc == CLI_HELP_SHOWN ? CLI_OK : rc;
    const char *missing = !o.model ? "--model DIR" : !o.input ? "--input IN" : !o.output ? "--output OUT" : NULL;
    cli_format fmt = o.output ? cli_output_format(o.output, o.format) : CLI_FORMAT_AUTO;
    if (missing)
        rc = cli_usage_error("score", "score: missing %s", missing);
    else if (strcmp(o.output, "-") == 0)
        rc = cli_usage_error("score", "--output: standard output carries the JSON summary; name a file or table");
    else if (strcmp(o.input, "-") == 0)
        rc = cli_usage_error("score", "--input: standard input cannot be streamed twice (schema, then rows); name a "
                             "file or table");
    else
        rc = check_output(&o, fmt);
    if (rc == CLI_OK)
        rc = score(&o, &csv, fmt);
    cli_csv_free(&csv);
    return rc;
}

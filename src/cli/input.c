/* A subcommand's tables: reading its input (Delta table, Parquet by its magic bytes, or CSV) and
 * choosing its output format. */
#include "cli.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int cli_parse_format(const char *command, const char *arg, cli_format *out)
{
    static const char *const names[] = {"csv", "parquet", "delta"};
    for (int i = 0; i < 3; i++)
        if (strcasecmp(arg, names[i]) == 0) {
            *out = (cli_format)(CLI_FORMAT_CSV + i);
            return CLI_OK;
        }
    return cli_usage_error(command, "--format: expected csv, parquet or delta, got '%s'", arg);
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

cli_format cli_output_format(const char *path, cli_format given)
{
    if (given != CLI_FORMAT_AUTO)
        return given;
    if (has_suffix(path, ".parquet"))
        return CLI_FORMAT_PARQUET;
    return has_suffix(path, ".csv") || strcmp(path, "-") == 0 ? CLI_FORMAT_CSV : CLI_FORMAT_DELTA;
}

bool cli_is_parquet(const char *path)
{
    if (strcmp(path, "-") == 0)
        return false;
    /* The magic decides, not the name: Spark writes part-0000…snappy.parquet, others write
     * whatever they like. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char magic[4];
        ssize_t n = read(fd, magic, sizeof magic);
        close(fd);
        if (n == (ssize_t)sizeof magic && memcmp(magic, "PAR1", 4) == 0)
            return true;
    }
    return has_suffix(path, ".parquet");
}

/* The row groups holding the first `rows` rows: the smallest prefix whose footer row counts
 * reach it (all of them when the file is shorter). */
static size_t leading_row_groups(const lml_parquet_file *f, int64_t rows)
{
    size_t n = lml_parquet_num_row_groups(f), k = 0;
    int64_t have = 0;
    while (k < n && have < rows) {
        int64_t r = lml_parquet_row_group_num_rows(f, k++);
        if (r > 0)
            have = r > INT64_MAX - have ? INT64_MAX : have + r;
    }
    return k;
}

static lml_frame *read_parquet(const char *path, const char *const *columns, long max_rows, lml_error *err)
{
    lml_parquet_file *f = lml_parquet_open(path, err);
    if (!f)
        return NULL;
    lml_parquet_read_options o = {.columns = columns};
    size_t *rgs = NULL;
    if (max_rows >= 0) {
        /* One row more than shown, so show() knows whether to say "only showing top N rows". */
        size_t k = leading_row_groups(f, (int64_t)max_rows < INT64_MAX ? (int64_t)max_rows + 1 : INT64_MAX);
        rgs = calloc(k + 1, sizeof *rgs);
        if (!rgs) {
            lml_parquet_close(f);
            lml_error_set(err, LML_ENOMEM, "out of memory");
            return NULL;
        }
        for (size_t i = 0; i < k; i++)
            rgs[i] = i;
        o.row_groups = rgs;
        o.num_row_groups = k;
    }
    lml_frame *fr = lml_parquet_file_read(f, &o, err);
    free(rgs);
    lml_parquet_close(f);
    return fr;
}

void cli_warn_csv_flags(const cli_csv *c, const char *path)
{
    if (c->csv_flag)
        fprintf(stderr, "lakeml: warning: %s is a Parquet file; CSV options such as %s do not apply and are ignored\n",
                path, c->csv_flag);
}

/* A Delta table: the rows at the chosen version, or only its schema (max_rows 0). */
static lml_frame *read_delta(const cli_csv *c, const char *path, const char *const *columns, long max_rows,
                             lml_error *err)
{
    if (c->csv_flag)
        fprintf(stderr, "lakeml: warning: %s is a Delta table; CSV options such as %s do not apply and are ignored\n",
                path, c->csv_flag);
    lml_delta_table *t = lml_delta_table_open(path, &c->delta, err);
    if (!t)
        return NULL;
    lml_delta_read_options o = {.columns = columns};
    lml_frame *f = max_rows == 0 && !columns ? lml_delta_table_schema(t, err) : lml_delta_table_read(t, &o, err);
    lml_delta_table_free(t);
    return f;
}

lml_frame *cli_read_input(const cli_csv *c, const char *path, const char *const *columns, long max_rows,
                          lml_error *err)
{
    if (lml_delta_is_table(path))
        return read_delta(c, path, columns, max_rows, err);
    if (c->delta.has_version || c->delta.timestamp) {
        lml_error_set(err, LML_EINVAL, "%s: --version and --timestamp apply to Delta tables (a directory with _delta_log)",
                      path);
        return NULL;
    }
    if (!cli_is_parquet(path))
        return cli_csv_read(c, path, err);
    cli_warn_csv_flags(c, path);
    return read_parquet(path, columns, max_rows, err);
}

/* `lakeml schema FILE`: the file's schema as Spark's printSchema() prints it; for a Parquet file
 * `--parquet-meta` prints its footer facts instead. */
#include "cli.h"

#include <string.h>

enum { OPT_PARQUET_META = OPT_FIRST_COMMAND_OPTION };

static void usage(FILE *out)
{
    fputs("Usage: lakeml schema [OPTIONS] FILE\n"
          "\n"
          "Print the schema of FILE, a Delta table (a directory holding _delta_log), a\n"
          "Parquet file (recognised by its PAR1 magic) or a CSV file ('-' for standard\n"
          "input), as Spark's printSchema() does:\n"
          "  root\n"
          "   |-- Age: double (nullable = true)\n"
          "\n"
          "Schema options:\n"
          "      --parquet-meta     print the Parquet footer instead: created_by, rows, and\n"
          "                         each row group and column chunk (type, encodings,\n"
          "                         codec, sizes, statistics min/max/null_count)\n"
          "\n",
          out);
    cli_csv_help(out);
}

static int own_option(void *ctx, int code, const char *arg)
{
    (void)arg;
    if (code != OPT_PARQUET_META)
        return -1;
    *(bool *)ctx = true;
    return CLI_OK;
}

/* A Parquet file's schema: read no row group at all, which gives an empty frame whose columns
 * have the full nested types, so that print_schema shows them as Spark does. */
static bool print_parquet_schema(const char *path, lml_error *err)
{
    lml_parquet_file *f = lml_parquet_open(path, err);
    if (!f)
        return false;
    size_t none = 0;
    lml_parquet_read_options o = {.row_groups = &none, .num_row_groups = 0};
    lml_frame *fr = lml_parquet_file_read(f, &o, err);
    bool ok = fr && lml_frame_print_schema(fr, stdout, err);
    lml_frame_free(fr);
    lml_parquet_close(f);
    return ok;
}

int cli_schema(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"parquet-meta", no_argument, NULL, OPT_PARQUET_META},
        {0},
    };
    bool meta = false;
    const cli_args args = {.command = "schema", .shortopts = "h", .longopts = longopts, .usage = usage,
                           .own = own_option, .ctx = &meta, .min_operands = 1, .max_operands = 1,
                           .operands = "FILE"};
    cli_csv csv;
    cli_csv_init(&csv);
    int first = 0;
    int rc = cli_parse_args(&args, &csv, argc, argv, &first);
    if (rc != CLI_OK)
        return rc == CLI_HELP_SHOWN ? CLI_OK : rc;

    const char *path = argv[first];
    lml_error err = {0};
    if (lml_delta_is_table(path) && !meta) {
        lml_frame *f = cli_read_input(&csv, path, NULL, 0, &err);
        rc = f && lml_frame_print_schema(f, stdout, &err) ? CLI_OK : cli_fail(&err);
        lml_frame_free(f);
    } else if (csv.delta.has_version || csv.delta.timestamp) {
        fprintf(stderr, "lakeml: --version and --timestamp apply to Delta tables; %s is not one\n", path);
        rc = CLI_FAILED;
    } else if (cli_is_parquet(path)) {
        cli_warn_csv_flags(&csv, path);
        bool ok = meta ? cli_print_parquet_meta(path, stdout, &err) : print_parquet_schema(path, &err);
        rc = ok ? CLI_OK : cli_fail(&err);
    } else if (meta) {
        fprintf(stderr, "lakeml: --parquet-meta: %s is not a Parquet file (no PAR1 magic)\n", path);
        rc = CLI_FAILED;
    } else {
        lml_frame *f = cli_csv_read(&csv, path, &err);
        /* print_schema adds the blank line that Spark's println of treeString leaves. */
        rc = f && lml_frame_print_schema(f, stdout, &err) ? CLI_OK : cli_fail(&err);
        lml_frame_free(f);
    }
    cli_csv_free(&csv);
    return rc;
}

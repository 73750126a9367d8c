/* `lakeml schema FILE`: the file's schema as Spark's printSchema() prints it. */
#include "cli.h"


static void usage(FILE *out)
{
    fputs("Usage: lakeml schema [OPTIONS] FILE\n"
          "\n"
          "Print the schema of the CSV file FILE ('-' for standard input) as Spark's\n"
          "printSchema() does:\n"
          "  root\n"
          "   |-- Age: double (nullable = true)\n"
          "\n",
          out);
    cli_csv_help(out);
}

int cli_schema(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_COMMON_LONG_OPTIONS, {0}};
    const cli_args args = {.command = "schema", .shortopts = "h", .longopts = longopts, .usage = usage, .min_operands = 1, .max_operands = 1, .operands = "FILE"};
    cli_csv csv;
    cli_csv_init(&csv);
    int first = 0;
    int rc = cli_parse_args(&args, &csv, argc, argv, &first);
    if (rc != CLI_OK)
        return rc == CLI_HELP_SHOWN ? CLI_OK : rc;

    lml_error err = {0};
    lml_frame *f = cli_csv_read(&csv, argv[first], &err);
    /* print_schema adds the blank line that Spark's println of treeString leaves. */
    rc = f && lml_frame_print_schema(f, stdout, &err) ? CLI_OK : cli_fail(&err);
    lml_frame_free(f);
    cli_csv_free(&csv);
    return rc;
}

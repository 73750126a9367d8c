/* `lakeml describe FILE [COL...]`: count, mean, stddev, min and max per column, printed as
 * Spark's describe(cols...).show(). */
#include "cli.h"

#include <limits.h>
#include <stdlib.h>

enum { OPT_TRUNCATE = OPT_FIRST_COMMAND_OPTION, OPT_NO_TRUNCATE };

static void usage(FILE *out)
{
    fputs("Usage: lakeml describe [OPTIONS] FILE [COLUMN...]\n"
          "\n"
          "Print count, mean, stddev, min and max of the numeric and string columns of\n"
          "FILE, a Parquet file (recognised by its PAR1 magic) or a CSV file ('-' for\n"
          "standard input), or of the named columns, as Spark's describe(...).show() does.\n"
          "\n"
          "Describe options:\n"
          "      --truncate N       cut cells to N characters (default 20; 0 = no cutting)\n"
          "      --no-truncate      print cells in full\n"
          "\n",
          out);
    cli_csv_help(out);
}

static int own_option(void *ctx, int code, const char *arg)
{
    long *truncate = ctx;
    switch (code) {
    case OPT_TRUNCATE:
        if (!cli_parse_count(arg, INT_MAX, truncate))
            return cli_usage_error("describe", "--truncate: expected a non-negative number, got '%s'", arg);
        return CLI_OK;
    case OPT_NO_TRUNCATE:
        *truncate = 0;
        return CLI_OK;
    default:
        return -1;
    }
}

int cli_describe(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"truncate", required_argument, NULL, OPT_TRUNCATE},
        {"no-truncate", no_argument, NULL, OPT_NO_TRUNCATE},
        {0},
    };
    long truncate = 20;
    const cli_args args = {.command = "describe",
                           .shortopts = "h",
                           .longopts = longopts,
                           .usage = usage, .min_operands = 1, .max_operands = -1, .operands = "FILE",
                           .own = own_option,
                           .ctx = &truncate};
    cli_csv csv;
    cli_csv_init(&csv);
    int first = 0;
    int rc = cli_parse_args(&args, &csv, argc, argv, &first);
    if (rc != CLI_OK)
        return rc == CLI_HELP_SHOWN ? CLI_OK : rc;

    /* The operands after FILE, NULL-terminated as the library wants; argv[argc] is NULL. */
    const char *const *cols = argc - first > 1 ? (const char *const *)&argv[first + 1] : NULL;
    lml_error err = {0};
    /* For Parquet, only the named columns are read. */
    lml_frame *f = cli_read_input(&csv, argv[first], cols, -1, &err);
    lml_frame *d = f ? lml_frame_describe(f, cols, &err) : NULL;
    /* Spark's describe().show() prints up to 20 rows; describe has five. */
    rc = d && lml_frame_show(d, stdout, 20, (int)truncate, &err) ? CLI_OK : cli_fail(&err);
    lml_frame_free(d);
    lml_frame_free(f);
    cli_csv_free(&csv);
    return rc;
}

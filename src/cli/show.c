/* `lakeml show FILE [-n N] [--truncate N | --no-truncate] [--where EXPR]`: the first rows as
 * Spark's show(), optionally only those matching a SQL condition (df.filter(EXPR).show()). A
 * Parquet file is read only as far as its leading row groups cover the rows shown (all of it
 * with --where, since any row may match). */
#include "cli.h"

#include <limits.h>
#include <stdlib.h>

enum { OPT_TRUNCATE = OPT_FIRST_COMMAND_OPTION, OPT_NO_TRUNCATE, OPT_WHERE };

typedef struct show_ctx {
    long rows;
    long truncate;
    const char *where;
} show_ctx;

static void usage(FILE *out)
{
    fputs("Usage: lakeml show [OPTIONS] FILE\n"
          "\n"
          "Print the first rows of FILE, a Parquet file (recognised by its PAR1 magic) or a\n"
          "CSV file ('-' for standard input), as a table, as Spark's show(n, truncate)\n"
          "does.\n"
          "\n"
          "Show options:\n"
          "  -n, --rows N           rows to print (default 20)\n"
          "      --truncate N       cut cells to N characters (default 20; 0 = no cutting)\n"
          "      --no-truncate      print cells in full (same as --truncate 0)\n"
          "      --where EXPR       only rows where the SQL condition EXPR is true, e.g.\n"
          "                         \"age > 30 AND name LIKE 'A%'\" (Spark SQL syntax)\n"
          "\n",
          out);
    cli_csv_help(out);
}

static int own_option(void *ctx, int code, const char *arg)
{
    show_ctx *s = ctx;
    switch (code) {
    case 'n':
        if (!cli_parse_count(arg, LONG_MAX, &s->rows))
            return cli_usage_error("show", "-n/--rows: expected a non-negative number, got '%s'", arg);
        return CLI_OK;
    case OPT_TRUNCATE:
        if (!cli_parse_count(arg, INT_MAX, &s->truncate))
            return cli_usage_error("show", "--truncate: expected a non-negative number, got '%s'", arg);
        return CLI_OK;
    case OPT_NO_TRUNCATE:
        s->truncate = 0;
        return CLI_OK;
    case OPT_WHERE:
        s->where = arg;
        return CLI_OK;
    default:
        return -1;
    }
}

int cli_show(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"rows", required_argument, NULL, 'n'},
        {"truncate", required_argument, NULL, OPT_TRUNCATE},
        {"no-truncate", no_argument, NULL, OPT_NO_TRUNCATE},
        {"where", required_argument, NULL, OPT_WHERE},
        {0},
    };
    show_ctx s = {.rows = 20, .truncate = 20};
    const cli_args args = {
        .command = "show", .shortopts = "hn:", .longopts = longopts, .usage = usage, .min_operands = 1, .max_operands = 1, .operands = "FILE", .own = own_option, .ctx = &s};
    cli_csv csv;
    cli_csv_init(&csv);
    int first = 0;
    int rc = cli_parse_args(&args, &csv, argc, argv, &first);
    if (rc != CLI_OK)
        return rc == CLI_HELP_SHOWN ? CLI_OK : rc;

    lml_error err = {0};
    lml_frame *f = cli_read_input(&csv, argv[first], NULL, s.where ? -1 : s.rows, &err);
    if (f && s.where) {
        lml_frame *kept = lml_frame_filter_expr(f, s.where, &err);
        if (!kept)
            lml_error_prefix(&err, "--where");
        lml_frame_free(f);
        f = kept;
    }
    rc = f && lml_frame_show(f, stdout, (size_t)s.rows, (int)s.truncate, &err) ? CLI_OK : cli_fail(&err);
    lml_frame_free(f);
    cli_csv_free(&csv);
    return rc;
}

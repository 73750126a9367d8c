/* `lakeml convert IN OUT`: reads IN with the CSV options and writes OUT as RFC 4180 CSV (with
 * doubles in their shortest round-trip form). Later formats (Parquet, Delta) plug in here. */
#include "cli.h"

enum { OPT_OUT_DELIMITER = OPT_FIRST_COMMAND_OPTION, OPT_OUT_NULL_VALUE, OPT_OUT_NO_HEADER };

static void usage(FILE *out)
{
    fputs("Usage: lakeml convert [OPTIONS] IN OUT\n"
          "\n"
          "Read the CSV file IN ('-' for standard input) and write it to OUT as CSV: a\n"
          "header line, RFC 4180 quoting, nulls as empty fields, numbers in the shortest\n"
          "text that reads back to the same value. OUT is replaced only when the whole\n"
          "write succeeds.\n"
          "\n"
          "Output options:\n"
          "      --out-delimiter C  field separator of OUT (default ',')\n"
          "      --out-null-value S text written for nulls (default: empty)\n"
          "      --out-no-header    do not write a header line\n"
          "\n",
          out);
    cli_csv_help(out);
}

static int own_option(void *ctx, int code, const char *arg)
{
    lml_csv_write_options *w = ctx;
    switch (code) {
    case OPT_OUT_DELIMITER:
        if (arg[0] == '\\' && arg[1] == 't' && !arg[2])
            w->delimiter = '\t';
        else if (arg[0] && !arg[1] && arg[0] != '\n' && arg[0] != '\r' && (unsigned char)arg[0] < 0x80)
            w->delimiter = arg[0];
        else
            return cli_usage_error("convert", "--out-delimiter: expected one character, got '%s'", arg);
        return CLI_OK;
    case OPT_OUT_NULL_VALUE:
        w->null_value = arg;
        return CLI_OK;
    case OPT_OUT_NO_HEADER:
        w->no_header = true;
        return CLI_OK;
    default:
        return -1;
    }
}

int cli_convert(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"out-delimiter", required_argument, NULL, OPT_OUT_DELIMITER},
        {"out-null-value", required_argument, NULL, OPT_OUT_NULL_VALUE},
        {"out-no-header", no_argument, NULL, OPT_OUT_NO_HEADER},
        {0},
    };
    lml_csv_write_options w = {0};
    const cli_args args = {
        .command = "convert", .shortopts = "h", .longopts = longopts, .usage = usage, .min_operands = 2, .max_operands = 2, .operands = "IN and OUT", .own = own_option, .ctx = &w};
    cli_csv csv;
    cli_csv_init(&csv);
    int first = 0;
    int rc = cli_parse_args(&args, &csv, argc, argv, &first);
    if (rc != CLI_OK)
        return rc == CLI_HELP_SHOWN ? CLI_OK : rc;

    lml_error err = {0};
    lml_frame *f = cli_csv_read(&csv, argv[first], &err);
    rc = f && lml_csv_write(f, argv[first + 1], &w, &err) ? CLI_OK : cli_fail(&err);
    lml_frame_free(f);
    cli_csv_free(&csv);
    return rc;
}

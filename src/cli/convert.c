/* `lakeml convert IN OUT`: reads IN (Parquet, recognised by its magic, or CSV with the CSV
 * options) and writes OUT as Parquet (when OUT ends in .parquet or --format parquet) or as
 * RFC 4180 CSV (with doubles in their shortest round-trip form). */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    OPT_OUT_DELIMITER = OPT_FIRST_COMMAND_OPTION,
    OPT_OUT_NULL_VALUE,
    OPT_OUT_NO_HEADER,
    OPT_FORMAT,
    OPT_CODEC,
    OPT_ROW_GROUP_SIZE
};

typedef enum out_format { OUT_AUTO = 0, OUT_CSV, OUT_PARQUET } out_format;

typedef struct convert_ctx {
    lml_csv_write_options csv;
    lml_parquet_write_options pq;
    out_format format;
    const char *csv_out_flag; /* first CSV output flag given, for the Parquet-output check */
    const char *pq_out_flag;  /* first Parquet output flag given, for the CSV-output check */
} convert_ctx;

static void usage(FILE *out)
{
    fputs("Usage: lakeml convert [OPTIONS] IN OUT\n"
          "\n"
          "Read IN, a Parquet file (recognised by its PAR1 magic) or a CSV file ('-' for\n"
          "standard input), and write it to OUT: as Parquet when OUT ends in '.parquet' or\n"
          "with --format parquet (as Spark writes a DataFrame: every column nullable, the\n"
          "Spark schema in the footer), otherwise as CSV (a header line, RFC 4180 quoting,\n"
          "nulls as empty fields, numbers in the shortest text that reads back to the same\n"
          "value). OUT is replaced only when the whole write succeeds.\n"
          "\n"
          "Output options:\n"
          "      --format F         csv or parquet (default: from OUT's name)\n"
          "      --codec C          Parquet compression: snappy (default), zstd, gzip, lz4\n"
          "                         or none\n"
          "      --row-group-size N Parquet row group size in bytes of uncompressed data\n"
          "                         (suffix k, m or g for KiB, MiB, GiB; default 128m)\n"
          "      --out-delimiter C  CSV field separator of OUT (default ',')\n"
          "      --out-null-value S CSV text written for nulls (default: empty)\n"
          "      --out-no-header    do not write a CSV header line\n"
          "\n",
          out);
    cli_csv_help(out);
}

/* "134217728", "128m", "64k", "1g": a positive byte count. */
static bool parse_size(const char *arg, size_t *out)
{
    if (!isdigit((unsigned char)arg[0]))
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno || v == 0)
        return false;
    unsigned shift = 0;
    if (*end) {
        char s = (char)tolower((unsigned char)*end);
        shift = s == 'k' ? 10 : s == 'm' ? 20 : s == 'g' ? 30 : 99;
        if (shift == 99 || end[1])
            return false;
    }
    if (v > (SIZE_MAX >> shift))
        return false;
    *out = (size_t)(v << shift);
    return true;
}

static bool parse_codec(const char *arg, lml_parquet_codec *out)
{
    static const struct {
        const char *name;
        lml_parquet_codec codec;
    } codecs[] = {{"snappy", LML_PARQUET_SNAPPY}, {"zstd", LML_PARQUET_ZSTD},
                  {"gzip", LML_PARQUET_GZIP},     {"lz4", LML_PARQUET_LZ4_RAW},
                  {"lz4_raw", LML_PARQUET_LZ4_RAW}, {"none", LML_PARQUET_UNCOMPRESSED},
                  {"uncompressed", LML_PARQUET_UNCOMPRESSED}};
    for (size_t i = 0; i < sizeof codecs / sizeof *codecs; i++)
        if (strcasecmp(arg, codecs[i].name) == 0) {
            *out = codecs[i].codec;
            return true;
        }
    return false;
}

static int own_option(void *ctx, int code, const char *arg)
{
    convert_ctx *c = ctx;
    switch (code) {
    case OPT_OUT_DELIMITER:
        if (arg[0] == '\\' && arg[1] == 't' && !arg[2])
            c->csv.delimiter = '\t';
        else if (arg[0] && !arg[1] && arg[0] != '\n' && arg[0] != '\r' && (unsigned char)arg[0] < 0x80)
            c->csv.delimiter = arg[0];
        else
            return cli_usage_error("convert", "--out-delimiter: expected one character, got '%s'", arg);
        c->csv_out_flag = c->csv_out_flag ? c->csv_out_flag : "--out-delimiter";
        return CLI_OK;
    case OPT_OUT_NULL_VALUE:
        c->csv.null_value = arg;
        c->csv_out_flag = c->csv_out_flag ? c->csv_out_flag : "--out-null-value";
        return CLI_OK;
    case OPT_OUT_NO_HEADER:
        c->csv.no_header = true;
        c->csv_out_flag = c->csv_out_flag ? c->csv_out_flag : "--out-no-header";
        return CLI_OK;
    case OPT_FORMAT:
        if (strcasecmp(arg, "csv") == 0)
            c->format = OUT_CSV;
        else if (strcasecmp(arg, "parquet") == 0)
            c->format = OUT_PARQUET;
        else
            return cli_usage_error("convert", "--format: expected csv or parquet, got '%s'", arg);
        return CLI_OK;
    case OPT_CODEC:
        if (!parse_codec(arg, &c->pq.codec))
            return cli_usage_error("convert", "--codec: expected snappy, zstd, gzip, lz4 or none, got '%s'", arg);
        c->pq_out_flag = c->pq_out_flag ? c->pq_out_flag : "--codec";
        return CLI_OK;
    case OPT_ROW_GROUP_SIZE:
        if (!parse_size(arg, &c->pq.row_group_size))
            return cli_usage_error("convert", "--row-group-size: expected a positive byte count such as 1048576 or 64m, got '%s'",
                                   arg);
        c->pq_out_flag = c->pq_out_flag ? c->pq_out_flag : "--row-group-size";
        return CLI_OK;
    default:
        return -1;
    }
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

int cli_convert(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"out-delimiter", required_argument, NULL, OPT_OUT_DELIMITER},
        {"out-null-value", required_argument, NULL, OPT_OUT_NULL_VALUE},
        {"out-no-header", no_argument, NULL, OPT_OUT_NO_HEADER},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"codec", required_argument, NULL, OPT_CODEC},
        {"row-group-size", required_argument, NULL, OPT_ROW_GROUP_SIZE},
        {0},
    };
    convert_ctx c = {0};
    const cli_args args = {
        .command = "convert", .shortopts = "h", .longopts = longopts, .usage = usage, .min_operands = 2, .max_operands = 2, .operands = "IN and OUT", .own = own_option, .ctx = &c};
    cli_csv csv;
    cli_csv_init(&csv);
    int first = 0;
    int rc = cli_parse_args(&args, &csv, argc, argv, &first);
    if (rc != CLI_OK)
        return rc == CLI_HELP_SHOWN ? CLI_OK : rc;

    const char *in = argv[first], *out = argv[first + 1];
    bool parquet = c.format == OUT_PARQUET || (c.format == OUT_AUTO && has_suffix(out, ".parquet"));
    /* Output flags of the other format are a command-line mistake, caught before any work. */
    if (parquet && c.csv_out_flag)
        rc = cli_usage_error("convert", "%s applies to CSV output, but %s is written as Parquet", c.csv_out_flag, out);
    else if (!parquet && c.pq_out_flag)
        rc = cli_usage_error("convert", "%s applies to Parquet output, but %s is written as CSV (name it .parquet or "
                             "add --format parquet)", c.pq_out_flag, out);
    else if (parquet && strcmp(out, "-") == 0)
        rc = cli_usage_error("convert", "Parquet cannot be written to standard output; name a file");
    if (rc != CLI_OK) {
        cli_csv_free(&csv);
        return rc;
    }

    lml_error err = {0};
    lml_frame *f = cli_read_input(&csv, in, NULL, -1, &err);
    bool ok = f && (parquet ? lml_parquet_write(f, out, &c.pq, &err) : lml_csv_write(f, out, &c.csv, &err));
    rc = ok ? CLI_OK : cli_fail(&err);
    lml_frame_free(f);
    cli_csv_free(&csv);
    return rc;
}

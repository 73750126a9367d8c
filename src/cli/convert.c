/* `lakeml convert IN OUT`: reads IN (a Delta table, Parquet recognised by its magic, or CSV with
 * the CSV options) and writes OUT as CSV (OUT ends in .csv, or is standard output), Parquet (OUT
 * ends in .parquet) or a Delta table (any other name); --format overrides the name. */
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
    OPT_ROW_GROUP_SIZE,
    OPT_PARTITION_BY,
    OPT_MERGE_SCHEMA,
    OPT_OVERWRITE_SCHEMA
};


#define MAX_PARTITION_COLUMNS 64

typedef struct convert_ctx {
    lml_csv_write_options csv;
    lml_parquet_write_options pq;
    cli_format format;
    lml_delta_write_options delta;
    const char *partition_by[MAX_PARTITION_COLUMNS + 1];
    size_t npartition;
    const char *csv_out_flag;   /* first CSV output flag given, for the Parquet-output check */
    const char *pq_out_flag;    /* first Parquet output flag given, for the CSV-output check */
    const char *delta_out_flag; /* first Delta output flag given */
} convert_ctx;

static void usage(FILE *out)
{
    fputs("Usage: lakeml convert [OPTIONS] IN OUT\n"
          "\n"
          "Read IN, a Parquet file (recognised by its PAR1 magic) or a CSV file ('-' for\n"
          "standard input) or a Delta table (a directory holding _delta_log), and write it\n"
          "to OUT: as CSV when OUT ends in '.csv' or is '-' (a header line, RFC 4180\n"
          "quoting, nulls as empty fields, numbers in the shortest text that reads back to\n"
          "the same value); as Parquet when it ends in '.parquet' (as Spark writes a\n"
          "DataFrame: every column nullable, the Spark schema in the footer); otherwise as\n"
          "a Delta table (created, appended to or overwritten by --mode). A CSV or Parquet\n"
          "OUT is replaced only when the whole write succeeds; a Delta commit is atomic.\n"
          "\n"
          "Output options:\n"
          "      --format F         csv, parquet or delta (default: from OUT's name)\n"
          "      --mode M           Delta: errorifexists (default), append, overwrite or\n"
          "                         ignore (CSV input modes PERMISSIVE, DROPMALFORMED and\n"
          "                         FAILFAST are told apart by name)\n"
          "      --partition-by C   Delta: partition a new table by column C (repeatable,\n"
          "                         or C1,C2)\n"
          "      --merge-schema     Delta: add the input's new columns to the table\n"
          "      --overwrite-schema Delta, with --mode overwrite: replace the schema\n"
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
        return cli_parse_format("convert", arg, &c->format);
    case OPT_MODE: { /* a Delta save mode here; the CSV parse modes fall through to the common parser */
        static const char *const modes[] = {"errorifexists", "append", "overwrite", "ignore"};
        for (int i = 0; i < 4; i++)
            if (strcasecmp(arg, modes[i]) == 0) {
                c->delta.mode = (lml_delta_mode)i;
                c->delta_out_flag = c->delta_out_flag ? c->delta_out_flag : "--mode";
                return CLI_OK;
            }
        return -1;
    }
    case OPT_PARTITION_BY:
        for (const char *p = arg; *p;) {
            size_t n = strcspn(p, ",");
            if (n == 0 || c->npartition == MAX_PARTITION_COLUMNS)
                return cli_usage_error("convert", "--partition-by: expected column names, got '%s'", arg);
            char *name = strndup(p, n);
            if (!name)
                return cli_usage_error("convert", "out of memory");
            c->partition_by[c->npartition++] = name;
            p += n + (p[n] == ',');
        }
        c->delta.partition_by = c->partition_by;
        c->delta_out_flag = c->delta_out_flag ? c->delta_out_flag : "--partition-by";
        return CLI_OK;
    case OPT_MERGE_SCHEMA:
        c->delta.merge_schema = true;
        c->delta_out_flag = c->delta_out_flag ? c->delta_out_flag : "--merge-schema";
        return CLI_OK;
    case OPT_OVERWRITE_SCHEMA:
        c->delta.overwrite_schema = true;
        c->delta_out_flag = c->delta_out_flag ? c->delta_out_flag : "--overwrite-schema";
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
        {"partition-by", required_argument, NULL, OPT_PARTITION_BY},
        {"merge-schema", no_argument, NULL, OPT_MERGE_SCHEMA},
        {"overwrite-schema", no_argument, NULL, OPT_OVERWRITE_SCHEMA},
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
    cli_format fmt = cli_output_format(out, c.format);
    static const char *const fmt_names[] = {"", "CSV", "Parquet", "a Delta table"};
    /* Output flags of another format are a command-line mistake, caught before any work. */
    const char *stray = NULL, *for_fmt = NULL;
    if (fmt != CLI_FORMAT_CSV && c.csv_out_flag)
        stray = c.csv_out_flag, for_fmt = "CSV";
    else if (fmt != CLI_FORMAT_PARQUET && c.pq_out_flag)
        stray = c.pq_out_flag, for_fmt = "Parquet";
    else if (fmt != CLI_FORMAT_DELTA && c.delta_out_flag)
        stray = c.delta_out_flag, for_fmt = "Delta";
    if (stray)
        rc = cli_usage_error("convert", "%s applies to %s output, but %s is written as %s (the format comes from OUT's "
                             "name or --format)", stray, for_fmt, out, fmt_names[fmt]);
    else if (fmt != CLI_FORMAT_CSV && strcmp(out, "-") == 0)
        rc = cli_usage_error("convert", "%s cannot be written to standard output; name a file", fmt_names[fmt]);
    if (rc == CLI_OK) {
        lml_error err = {0};
        lml_frame *f = cli_read_input(&csv, in, NULL, -1, &err);
        bool ok = f && (fmt == CLI_FORMAT_PARQUET ? lml_parquet_write(f, out, &c.pq, &err)
                        : fmt == CLI_FORMAT_DELTA ? lml_delta_write(f, out, &c.delta, NULL, &err)
                                           : lml_csv_write(f, out, &c.csv, &err));
        rc = ok ? CLI_OK : cli_fail(&err);
        lml_frame_free(f);
    }
    for (size_t i = 0; i < c.npartition; i++)
        free((char *)c.partition_by[i]);
    cli_csv_free(&csv);
    return rc;
}

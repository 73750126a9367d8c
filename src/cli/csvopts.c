/* Option parsing shared by the subcommands: the CSV reading flags, --threads, --log, --help,
 * the --schema mini-language, and reading the input file (or standard input). */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void cli_csv_init(cli_csv *c)
{
    memset(c, 0, sizeof *c);
    c->opts.header = true;
    c->opts.infer_schema = true;
}

void cli_csv_free(cli_csv *c)
{
    free(c->fields);
    free(c->names);
    c->fields = NULL;
    c->names = NULL;
    c->nfields = 0;
}

void cli_csv_help(FILE *out)
{
    fputs("CSV options (defaults: header on, schema inference on; not for Parquet input):\n"
          "      --delimiter C      field separator (default ','; 'tab' or '\\t' for a tab)\n"
          "      --quote C          quote character (default '\"'; '' disables quoting)\n"
          "      --escape C         escapes a quote inside a quoted value (default '\\';\n"
          "                         use '\"' for RFC 4180 doubled quotes; '' disables)\n"
          "      --null-value S     text read as null (default: the empty field)\n"
          "      --comment C        skip lines starting with C\n"
          "      --mode M           PERMISSIVE (default), DROPMALFORMED or FAILFAST\n"
          "      --no-header        the first line is data; columns are _c0, _c1, ...\n"
          "      --no-infer-schema  read every column as string\n"
          "      --schema S         explicit schema, e.g. \"a int, b double, c string\"\n"
          "      --bad-records PATH append rejected lines to PATH as JSON lines\n"
          "      --multi-line       quoted values may span lines\n"
          "\n"
          "Delta table options (time travel):\n"
          "      --version N        read the table as of version N (Spark's versionAsOf)\n"
          "      --timestamp T      read it as of time T, e.g. 2024-05-01 or\n"
          "                         '2024-05-01 10:00:00' (UTC) (Spark's timestampAsOf)\n"
          "\n"
          "General options:\n"
          "      --threads N        worker threads (default: LAKEML_NUM_THREADS, else all\n"
          "                         cores)\n"
          "      --log LEVEL        off, error, warn, info, debug or trace (default:\n"
          "                         LAKEML_LOG, else warn)\n"
          "  -h, --help             show this help\n",
          out);
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("lakeml: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (command)
        fprintf(stderr, "Try 'lakeml %s --help' for more information.\n", command);
    else
        fputs("Try 'lakeml --help' for more information.\n", stderr);
    return CLI_USAGE;
}

int cli_bad_option(const char *command)
{
    /* getopt_long has printed "lakeml: unrecognized option ..." already. */
    if (command)
        fprintf(stderr, "Try 'lakeml %s --help' for more information.\n", command);
    else
        fputs("Try 'lakeml --help' for more information.\n", stderr);
    return CLI_USAGE;
}

int cli_fail(const lml_error *err)
{
    cli_progress_done();
    if (err->message[0])
        fprintf(stderr, "lakeml: %s\n", err->message);
    else
        fprintf(stderr, "lakeml: failed (%s)\n", lml_errcode_name(err->code));
    return CLI_FAILED;
}

bool cli_parse_count(const char *text, long max, long *out)
{
    if (!text || !isdigit((unsigned char)text[0]))
        return false;
    errno = 0;
    char *end;
    long v = strtol(text, &end, 10);
    if (errno || *end || v < 0 || v > max)
        return false;
    *out = v;
    return true;
}

/* A one-character option value. `allow_none` lets '' mean "none" (quote, escape). */
static bool parse_char(const char *arg, bool allow_none, char none, char *out)
{
    if (arg[0] == '\0') {
        if (!allow_none)
            return false;
        *out = none;
        return true;
    }
    if (strcmp(arg, "\\t") == 0 || strcasecmp(arg, "tab") == 0) {
        *out = '\t';
        return true;
    }
    if (strcmp(arg, "\\\\") == 0) {
        *out = '\\';
        return true;
    }
    /* Multi-byte characters (UTF-8) cannot be a one-byte separator. */
    if (arg[1] != '\0' || (unsigned char)arg[0] >= 0x80 || arg[0] == '\n' || arg[0] == '\r')
        return false;
    *out = arg[0];
    return true;
}

int cli_common_option(cli_csv *c, const char *command, int code, const char *arg)
{
    /* Indexed by code - OPT_DELIMITER, in the enum's order. */
    static const char *const csv_flags[] = {"--delimiter", "--quote",     "--escape",          "--null-value",
                                            "--comment",   "--mode",      "--no-header",       "--no-infer-schema",
                                            "--schema",    "--bad-records", "--multi-line"};
    _Static_assert(sizeof csv_flags / sizeof *csv_flags == OPT_MULTI_LINE - OPT_DELIMITER + 1, "csv_flags");
    if (code >= OPT_DELIMITER && code <= OPT_MULTI_LINE && !c->csv_flag)
        c->csv_flag = csv_flags[code - OPT_DELIMITER];
    lml_csv_options *o = &c->opts;
    switch (code) {
    case OPT_DELIMITER:
        if (!parse_char(arg, false, 0, &o->delimiter))
            return cli_usage_error(command, "--delimiter: expected one character, got '%s'", arg);
        return CLI_OK;
    case OPT_QUOTE:
        if (!parse_char(arg, true, LML_CSV_NO_QUOTE, &o->quote))
            return cli_usage_error(command, "--quote: expected one character or '', got '%s'", arg);
        return CLI_OK;
    case OPT_ESCAPE:
        if (!parse_char(arg, true, LML_CSV_NO_ESCAPE, &o->escape))
            return cli_usage_error(command, "--escape: expected one character or '', got '%s'", arg);
        return CLI_OK;
    case OPT_COMMENT:
        if (!parse_char(arg, false, 0, &o->comment))
            return cli_usage_error(command, "--comment: expected one character, got '%s'", arg);
        return CLI_OK;
    case OPT_NULL_VALUE:
        o->null_value = arg;
        return CLI_OK;
    case OPT_MODE:
        if (strcasecmp(arg, "PERMISSIVE") == 0)
            o->mode = LML_CSV_PERMISSIVE;
        else if (strcasecmp(arg, "DROPMALFORMED") == 0)
            o->mode = LML_CSV_DROPMALFORMED;
        else if (strcasecmp(arg, "FAILFAST") == 0)
            o->mode = LML_CSV_FAILFAST;
        else
            return cli_usage_error(command, "--mode: expected PERMISSIVE, DROPMALFORMED or FAILFAST, got '%s'", arg);
        return CLI_OK;
    case OPT_NO_HEADER:
        o->header = false;
        return CLI_OK;
    case OPT_NO_INFER_SCHEMA:
        o->infer_schema = false;
        return CLI_OK;
    case OPT_SCHEMA: {
        lml_error err = {0};
        if (!cli_parse_schema(c, arg, &err))
            return cli_usage_error(command, "--schema: %s", err.message);
        return CLI_OK;
    }
    case OPT_BAD_RECORDS:
        if (!arg[0])
            return cli_usage_error(command, "--bad-records: expected a path");
        o->bad_records_path = arg;
        return CLI_OK;
    case OPT_MULTI_LINE:
        o->multi_line = true;
        return CLI_OK;
    case OPT_THREADS: {
        long n;
        if (!cli_parse_count(arg, 4096, &n))
            return cli_usage_error(command, "--threads: expected a number from 0 (all cores) to 4096, got '%s'", arg);
        lml_set_num_threads((int)n);
        return CLI_OK;
    }
    case OPT_VERSION_AS_OF: {
        long n;
        if (!cli_parse_count(arg, LONG_MAX, &n))
            return cli_usage_error(command, "--version: expected a table version (0, 1, ...), got '%s'", arg);
        c->delta.has_version = true;
        c->delta.version = n;
        return c->delta.timestamp ? cli_usage_error(command, "give --version or --timestamp, not both") : CLI_OK;
    }
    case OPT_TIMESTAMP_AS_OF:
        c->delta.timestamp = arg;
        return c->delta.has_version ? cli_usage_error(command, "give --version or --timestamp, not both") : CLI_OK;
    case OPT_LOG: {
        lml_log_level level;
        if (!lml_log_level_parse(arg, &level))
            return cli_usage_error(command, "--log: expected off, error, warn, info, debug or trace, got '%s'", arg);
        lml_log_set_level(level);
        return CLI_OK;
    }
    default:
        return -1;
    }
}

static int parse_options(const cli_args *a, cli_csv *c, int argc, char **argv)
{
    optind = 0; /* glibc: 0 re-initialises getopt fully (each subcommand parses afresh) */
    opterr = 1;
    int code;
    while ((code = getopt_long(argc, argv, a->shortopts, a->longopts, NULL)) != -1) {
        if (code == 'h') {
            a->usage(stdout);
            return CLI_HELP_SHOWN;
        }
        if (code == '?' || code == ':')
            return cli_bad_option(a->command);
        /* The command's own handler first: it may claim some values of a common option
         * (convert's --mode takes Delta save modes besides the CSV parse modes). */
        int rc = a->own ? a->own(a->ctx, code, optarg) : -1;
        if (rc == -1)
            rc = cli_common_option(c, a->command, code, optarg);
        if (rc == -1)
            return cli_bad_option(a->command);
        if (rc != CLI_OK)
            return rc;
    }
    int n = argc - optind;
    if (n == 0 && a->min_operands > 0)
        return cli_usage_error(a->command, "%s: missing %s", a->command, a->operands);
    if (n < a->min_operands || (a->max_operands >= 0 && n > a->max_operands))
        return cli_usage_error(a->command, "%s: expected %s, got %d operand%s", a->command, a->operands, n,
                               n == 1 ? "" : "s");
    return CLI_OK;
}

int cli_parse_args(const cli_args *a, cli_csv *c, int argc, char **argv, int *first)
{
    int rc = parse_options(a, c, argc, argv);
    if (rc != CLI_OK)
        cli_csv_free(c);
    *first = optind;
    return rc;
}

/* ------------------------------------------------------------------ --schema */

bool cli_parse_schema(cli_csv *c, const char *text, lml_error *err)
{
    free(c->fields);
    free(c->names);
    c->fields = NULL;
    c->nfields = 0;
    size_t len = strlen(text);
    /* Every field takes at least one comma or the end, so len + 1 bounds the count. */
    size_t cap = 1;
    for (const char *p = text; *p; p++)
        cap += *p == ',';
    c->names = malloc(len + 1);
    c->fields = calloc(cap, sizeof *c->fields);
    if (!c->names || !c->fields)
        return lml_error_set(err, LML_ENOMEM, "out of memory");
    char *out = c->names;
    const char *p = text;
    size_t n = 0;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        size_t pos = n + 1;
        /* The name: `quoted` (may hold spaces and commas) or a bare word. */
        char *name = out;
        if (*p == '`') {
            const char *close = strchr(p + 1, '`');
            if (!close)
                return lml_error_set(err, LML_EINVAL, "field %zu: unclosed '`'", pos);
            memcpy(out, p + 1, (size_t)(close - p - 1));
            out += close - p - 1;
            p = close + 1;
        } else {
            while (*p && !isspace((unsigned char)*p) && *p != ',' && *p != ':')
                *out++ = *p++;
        }
        *out++ = '\0';
        if (!name[0])
            return lml_error_set(err, LML_EINVAL, "field %zu: missing column name in \"%s\"", pos, text);
        while (isspace((unsigned char)*p) || *p == ':')
            p++;
        /* The type: one word up to the comma, compared case-insensitively. */
        char type[32];
        size_t tl = 0;
        while (*p && *p != ',' && !isspace((unsigned char)*p)) {
            if (tl + 1 >= sizeof type)
                return lml_error_set(err, LML_EINVAL, "field %zu ('%s'): type name too long", pos, name);
            type[tl++] = (char)tolower((unsigned char)*p++);
        }
        type[tl] = '\0';
        while (isspace((unsigned char)*p))
            p++;
        if (!tl)
            return lml_error_set(err, LML_EINVAL, "field %zu ('%s'): missing type", pos, name);
        if (*p && *p != ',')
            return lml_error_set(err, LML_EINVAL, "field %zu ('%s'): unexpected text \"%s\" after the type", pos,
                                 name, p);
        lml_type t;
        /* Only the types the CSV reader produces (the frame knows more: float, byte, short,
         * binary, nested types). */
        if (!lml_type_parse(type, &t) ||
            !(t == LML_BOOL || t == LML_INT32 || t == LML_INT64 || t == LML_DOUBLE || t == LML_STRING ||
              t == LML_DATE || t == LML_TIMESTAMP))
            return lml_error_set(err, LML_EINVAL,
                                 "field %zu ('%s'): unknown type '%s' (use boolean, int, bigint, double, string, "
                                 "date or timestamp)",
                                 pos, name, type);
        for (size_t i = 0; i < n; i++)
            if (strcasecmp(c->fields[i].name, name) == 0)
                return lml_error_set(err, LML_EINVAL, "field %zu: duplicate column name '%s'", pos, name);
        c->fields[n].name = name;
        c->fields[n].type = t;
        n++;
        if (!*p)
            break;
        p++; /* the comma */
    }
    c->nfields = n;
    c->opts.schema = c->fields;
    c->opts.schema_len = n;
    return true;
}

/* ------------------------------------------------------------------ reading */

/* Reads all of standard input (CSV cannot be parsed from a pipe in place: the reader wants the
 * bytes twice, once to infer and once to convert). */
static char *read_stdin(size_t *len, lml_error *err)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            if (cap > SIZE_MAX / 2) {
                free(buf);
                lml_error_set(err, LML_ENOMEM, "<stdin>: input too large");
                return NULL;
            }
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                lml_error_set(err, LML_ENOMEM, "<stdin>: out of memory after %zu bytes", n);
                return NULL;
            }
            buf = grown;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, stdin);
        n += got;
        if (got == 0) {
            if (ferror(stdin)) {
                free(buf);
                lml_error_set(err, LML_EIO, "<stdin>: read failed: %s", strerror(errno));
                return NULL;
            }
            break;
        }
    }
    *len = n;
    return buf;
}

lml_frame *cli_csv_read(const cli_csv *c, const char *path, lml_error *err)
{
    lml_csv_options opts = c->opts;
    opts.progress = cli_progress_bar(strcmp(path, "-") == 0 ? "<stdin>" : path);
    lml_frame *f;
    if (strcmp(path, "-") == 0) {
        size_t len = 0;
        char *data = read_stdin(&len, err);
        if (!data)
            return NULL;
        f = lml_csv_read_buffer(data, len, "<stdin>", &opts, err);
        free(data);
    } else {
        f = lml_csv_read(path, &opts, err);
    }
    cli_progress_done();
    return f;
}

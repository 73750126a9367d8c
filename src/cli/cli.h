/* The `lakeml` command: what the subcommand files share. Each subcommand is
 * `int cli_<name>(int argc, char **argv)` with argv[0] = "lakeml" and argv[1..] its own
 * arguments, and returns the process exit status. */
#ifndef LML_CLI_H
#define LML_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include "lakeml/lakeml.h"

/* Exit statuses, as a Unix tool: 0 success, 1 the work failed, 2 the command line was wrong. */
enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

/* Long-option codes beyond the char range, shared by every subcommand's option table. */
enum {
    OPT_DELIMITER = 256,
    OPT_QUOTE,
    OPT_ESCAPE,
    OPT_NULL_VALUE,
    OPT_COMMENT,
    OPT_MODE,
    OPT_NO_HEADER,
    OPT_NO_INFER_SCHEMA,
    OPT_SCHEMA,
    OPT_BAD_RECORDS,
    OPT_MULTI_LINE,
    OPT_THREADS,
    OPT_LOG,
    OPT_VERSION_AS_OF,
    OPT_TIMESTAMP_AS_OF,
    OPT_HELP,
    OPT_FIRST_COMMAND_OPTION /* subcommands number their own options from here */
};

/* The CSV reading flags plus --threads/--log/--help, for splicing into a subcommand's
 * getopt_long table (the table still needs its own terminating zero entry). */
#define CLI_COMMON_LONG_OPTIONS                                        \
    {"delimiter", required_argument, NULL, OPT_DELIMITER},             \
    {"quote", required_argument, NULL, OPT_QUOTE},                     \
    {"escape", required_argument, NULL, OPT_ESCAPE},                   \
    {"null-value", required_argument, NULL, OPT_NULL_VALUE},           \
    {"comment", required_argument, NULL, OPT_COMMENT},                 \
    {"mode", required_argument, NULL, OPT_MODE},                       \
    {"no-header", no_argument, NULL, OPT_NO_HEADER},                   \
    {"no-infer-schema", no_argument, NULL, OPT_NO_INFER_SCHEMA},       \
    {"schema", required_argument, NULL, OPT_SCHEMA},                   \
    {"bad-records", required_argument, NULL, OPT_BAD_RECORDS},         \
    {"multi-line", no_argument, NULL, OPT_MULTI_LINE},                 \
    {"threads", required_argument, NULL, OPT_THREADS},                 \
    {"log", required_argument, NULL, OPT_LOG},                         \
    {"version", required_argument, NULL, OPT_VERSION_AS_OF},           \
    {"timestamp", required_argument, NULL, OPT_TIMESTAMP_AS_OF},       \
    {"help", no_argument, NULL, 'h'}

/* CSV reading options as the command line sets them. The command's defaults differ from the
 * library's: header and schema inference are on (as DuckDB's read_csv_auto). */
typedef struct cli_csv {
    lml_csv_options opts;
    lml_csv_field *fields; /* parsed --schema (owned) */
    size_t nfields;
    char *names;           /* storage for the field names (owned) */
    const char *csv_flag;  /* the first CSV reading flag given ("--delimiter"), or NULL: such
                              flags do not apply to Parquet input, and the user is told so */
    lml_delta_open_options delta; /* --version / --timestamp: time travel in a Delta table */
} cli_csv;

void cli_csv_init(cli_csv *c);
void cli_csv_free(cli_csv *c);

/* Handles option `code` (one of the OPT_… values of CLI_COMMON_LONG_OPTIONS except 'h').
 * Returns CLI_OK when handled, CLI_USAGE after printing a message for a bad value, or -1 when
 * the code is not a common option. `command` names the subcommand for messages. */
int cli_common_option(cli_csv *c, const char *command, int code, const char *arg);

/* Prints the common options' help text. */
void cli_csv_help(FILE *out);

/* Reads FILE ("-" = standard input) with the options, drawing a progress bar on stderr when
 * stderr is a terminal. Returns NULL with err set on failure. */
lml_frame *cli_csv_read(const cli_csv *c, const char *path, lml_error *err);

/* True when `path` is a Parquet file: its first bytes are the magic "PAR1" (whatever its name),
 * or it cannot be read and its name ends in ".parquet" (so the Parquet reader names the problem).
 * Standard input ("-") is CSV. */
bool cli_is_parquet(const char *path);

/* Reads FILE as a Delta table when it is a directory holding _delta_log/ (at c->delta's version;
 * max_rows 0 reads only its schema), as Parquet when cli_is_parquet says so, else as CSV with c's
 * options. --version/--timestamp on anything but a Delta table is an error. For Parquet,
 * `columns` (NULL-terminated, or NULL = all) are the only columns read and, when max_rows >= 0,
 * only the leading row groups needed for max_rows + 1 rows; a CSV flag in c draws a warning on
 * stderr that it does not apply. Returns NULL with err set on failure. */
lml_frame *cli_read_input(const cli_csv *c, const char *path, const char *const *columns, long max_rows,
                          lml_error *err);

/* Where a subcommand writes a table (convert, score). */
typedef enum cli_format { CLI_FORMAT_AUTO = 0, CLI_FORMAT_CSV, CLI_FORMAT_PARQUET, CLI_FORMAT_DELTA } cli_format;
/* --format's argument for `command`: CLI_OK, or a usage error naming csv, parquet and delta. */
int cli_parse_format(const char *command, const char *arg, cli_format *out);
/* The format `given` (--format), else by the output's name: `.csv` or "-" is CSV, `.parquet` is
 * Parquet (case-insensitive), anything else a Delta table. */
cli_format cli_output_format(const char *path, cli_format given);

/* The warning cli_read_input prints when c holds a CSV flag and `path` is Parquet. */
void cli_warn_csv_flags(const cli_csv *c, const char *path);

/* Prints the footer facts of the Parquet file `path` (schema --parquet-meta, pqmeta.c). */
bool cli_print_parquet_meta(const char *path, FILE *out, lml_error *err);

/* Parses "a int, b double, c string" (Spark's DDL-like list; a name may be `back-quoted`)
 * into c->fields. Returns false with a message in err. */
bool cli_parse_schema(cli_csv *c, const char *text, lml_error *err);

/* One subcommand's command line: its getopt tables and a handler for its own options. */
typedef struct cli_args {
    const char *command;            /* "show" */
    const char *shortopts;          /* e.g. "hn:" ('h' is handled here) */
    const struct option *longopts;  /* CLI_COMMON_LONG_OPTIONS + the command's own */
    void (*usage)(FILE *out);       /* the command's --help text */
    /* Handles a code that is not a common option; returns CLI_OK, CLI_USAGE or -1 (unknown). */
    int (*own)(void *ctx, int code, const char *arg);
    void *ctx;
    int min_operands, max_operands; /* max -1: no limit */
    const char *operands;           /* for messages: "FILE", "IN and OUT" */
} cli_args;

/* Status of cli_parse_args when --help was printed: the command exits 0 without doing work. */
#define CLI_HELP_SHOWN (-1)

/* Runs getopt_long over argv (options may follow operands) and checks the operand count. On
 * CLI_OK the operands are argv[*first .. argc). Otherwise frees c and returns CLI_USAGE after a
 * message, or CLI_HELP_SHOWN after --help. */
int cli_parse_args(const cli_args *a, cli_csv *c, int argc, char **argv, int *first);

/* Parses a non-negative decimal integer no larger than max. */
bool cli_parse_count(const char *text, long max, long *out);

/* Messages: "lakeml: <message>" on stderr. cli_usage_error also points at --help and returns
 * CLI_USAGE; cli_fail prints err's message and returns CLI_FAILED. */
int cli_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_fail(const lml_error *err);
/* Handles getopt_long's '?' / ':' results (getopt has already printed the reason). */
int cli_bad_option(const char *command);

/* The progress callback behind the bar (progress.c): draws "label [####    ] 42% 1.2s" on
 * stderr, or nothing when stderr is not a terminal. `label` must outlive the call. */
lml_progress cli_progress_bar(const char *label);
/* Clears the bar's line if one was drawn. */
void cli_progress_done(void);

/* Subcommands. */
int cli_schema(int argc, char **argv);
int cli_show(int argc, char **argv);
int cli_describe(int argc, char **argv);
int cli_convert(int argc, char **argv);
int cli_fit(int argc, char **argv);
int cli_delta(int argc, char **argv);
/* `lakeml delta`'s help (delta.c), and its DML and maintenance actions (delta_dml.c): their part
 * of the help, whether argv's action (its first operand) is one of them, running one. */
void cli_delta_usage(FILE *out);
void cli_delta_dml_help(FILE *out);
bool cli_delta_is_dml(int argc, char **argv);
int cli_delta_dml(int argc, char **argv);
int cli_score(int argc, char **argv);
int cli_export_c(int argc, char **argv);

#endif

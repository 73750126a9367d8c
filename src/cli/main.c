/* `lakeml`: global options, then one subcommand (schema, show, describe, convert, fit, delta). */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"schema", cli_schema, "print a CSV/Parquet file's or Delta table's schema as printSchema()"},
    {"show", cli_show, "print the first rows as Spark's show()"},
    {"describe", cli_describe, "print count, mean, stddev, min, max per column"},
    {"convert", cli_convert, "convert between CSV, Parquet and Delta tables"},
    {"fit", cli_fit, "train what a JSON spec describes and print a JSON report"},
    {"delta", cli_delta, "Delta tables: history, files; delete, update, merge; optimize, vacuum"},
    {"score", cli_score, "score a table with a saved model, streaming, to CSV/Parquet/Delta"},
    {"export-c", cli_export_c, "write a fitted model as dependency-free C99 source"},
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

static void usage(FILE *out)
{
    fputs("Usage: lakeml [--threads N] [--log LEVEL] COMMAND [OPTIONS] [ARGS...]\n"
          "\n"
          "Spark-style data tools in C: read CSV and Parquet files and Delta tables with\n"
          "Spark's rules and print them as Spark does.\n"
          "\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("  help       show the help of a command\n"
          "\n"
          "Options:\n"
          "      --threads N    worker threads (default: LAKEML_NUM_THREADS or all cores)\n"
          "      --log LEVEL    off, error, warn, info, debug or trace (default: LAKEML_LOG\n"
          "                     or warn)\n"
          "  -h, --help         show this help\n"
          "  -V, --version      print the version\n"
          "\n"
          "Run 'lakeml COMMAND --help' for a command's options. Exit status: 0 success,\n"
          "1 failure, 2 wrong usage.\n",
          out);
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* Runs cmd with argv[0] = "lakeml" (so getopt's messages read "lakeml: …") and the operands
 * that followed the command's name. */
static int run_command(const command *cmd, int argc, char **argv)
{
    char **sub = calloc((size_t)argc + 1, sizeof *sub);
    if (!sub) {
        fputs("lakeml: out of memory\n", stderr);
        return CLI_FAILED;
    }
    sub[0] = "lakeml";
    for (int i = 1; i < argc; i++)
        sub[i] = argv[i];
    int rc = cmd->run(argc, sub);
    free(sub);
    return rc;
}

static int dispatch(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"threads", required_argument, NULL, OPT_THREADS},
        {"log", required_argument, NULL, OPT_LOG},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {0},
    };
    cli_csv unused;
    cli_csv_init(&unused);
    opterr = 1;
    int code;
    /* '+': stop at the command name; what follows belongs to the command. */
    while ((code = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
        switch (code) {
        case 'h':
            usage(stdout);
            return CLI_OK;
        case 'V':
            printf("lakeml %s\n", lml_version());
            return CLI_OK;
        case OPT_THREADS:
        case OPT_LOG: {
            int rc = cli_common_option(&unused, NULL, code, optarg);
            if (rc != CLI_OK)
                return rc;
            break;
        }
        default:
            return cli_bad_option(NULL);
        }
    }
    if (optind >= argc)
        return cli_usage_error(NULL, "missing COMMAND (one of: schema, show, describe, convert)");
    const char *name = argv[optind];
    if (strcmp(name, "help") == 0) {
        if (optind + 1 >= argc) {
            usage(stdout);
            return CLI_OK;
        }
        const command *cmd = find_command(argv[optind + 1]);
        if (!cmd)
            return cli_usage_error(NULL, "unknown command '%s'", argv[optind + 1]);
        char *help_argv[] = {"lakeml", "--help", NULL};
        return cmd->run(2, help_argv);
    }
    const command *cmd = find_command(name);
    if (!cmd)
        return cli_usage_error(NULL, "unknown command '%s'", name);
    return run_command(cmd, argc - optind, argv + optind);
}

int main(int argc, char **argv)
{
    argv[0] = "lakeml"; /* getopt's messages name the command, not the path it was run by */
    int rc = dispatch(argc, argv);
    /* A full disk or closed pipe shows up only when stdout is flushed. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "lakeml: cannot write to standard output: %s\n", strerror(errno));
        if (rc == CLI_OK)
            rc = CLI_FAILED;
    }
    return rc;
}

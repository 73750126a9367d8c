/* `lakeml delta history|detail|files|restore|checkpoint TABLE`: Spark's DeltaTable operations
 * (DESCRIBE HISTORY, DESCRIBE DETAIL, the files view, RESTORE, a checkpoint) from the shell. The
 * DML and maintenance actions (delete, update, merge, optimize, zorder, vacuum, changes) have
 * their own options and live in delta_dml.c. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_LIMIT = OPT_FIRST_COMMAND_OPTION };

typedef struct delta_ctx {
    long limit;
} delta_ctx;

void cli_delta_usage(FILE *out)
{
    fputs("Usage: lakeml delta ACTION [OPTIONS] TABLE\n"
          "\n"
          "Inspect or maintain the Delta table TABLE (a directory holding _delta_log):\n"
          "  history     DESCRIBE HISTORY: one row per commit, newest first (--limit N)\n"
          "  detail      DESCRIBE DETAIL: format, id, location, sizes, properties, protocol\n"
          "  files       the live data files: path, size, partition values, rows, stats\n"
          "  restore     RESTORE TABLE TO VERSION AS OF --version N (or --timestamp T):\n"
          "              a new commit bringing back the files of that version\n"
          "  checkpoint  write a checkpoint of the latest version now\n",
          out);
    cli_delta_dml_help(out);
    fputs("\n"
          "history, detail and files read the latest version, or the one --version N /\n"
          "--timestamp T selects.\n"
          "\n"
          "Options:\n"
          "      --limit N          history: at most N commits (default: all)\n",
          out);
    cli_csv_help(out);
}

static int own_option(void *ctx, int code, const char *arg)
{
    delta_ctx *d = ctx;
    if (code != OPT_LIMIT)
        return -1;
    if (!cli_parse_count(arg, 1000000000L, &d->limit) || d->limit == 0)
        return cli_usage_error("delta", "--limit: expected a positive number, got '%s'", arg);
    return CLI_OK;
}

/* Prints a frame whole, without truncating cells (history and files hold long texts). */
static int print_all(lml_frame *f, const lml_error *err)
{
    lml_error e = {0};
    int rc = f && lml_frame_show(f, stdout, lml_frame_num_rows(f), 0, &e) ? CLI_OK : cli_fail(f ? &e : err);
    lml_frame_free(f);
    return rc;
}

int cli_delta(int argc, char **argv)
{
    if (cli_delta_is_dml(argc, argv))
        return cli_delta_dml(argc, argv);
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"limit", required_argument, NULL, OPT_LIMIT},
        {0},
    };
    static const char *const actions[] = {"history", "detail", "files", "restore", "checkpoint"};
    delta_ctx d = {0};
    const cli_args args = {.command = "delta", .shortopts = "h", .longopts = longopts, .usage = cli_delta_usage,
                           .own = own_option, .ctx = &d, .min_operands = 2, .max_operands = 2,
                           .operands = "ACTION and TABLE"};
    cli_csv csv;
    cli_csv_init(&csv);
    int first = 0;
    int rc = cli_parse_args(&args, &csv, argc, argv, &first);
    if (rc != CLI_OK)
        return rc == CLI_HELP_SHOWN ? CLI_OK : rc;
    const char *action = argv[first], *table = argv[first + 1];
    int which = -1;
    for (int i = 0; i < 5; i++)
        if (strcmp(action, actions[i]) == 0)
            which = i;
    lml_error err = {0};
    if (which < 0) {
        rc = cli_usage_error("delta", "unknown action '%s' (history, detail, files, restore, checkpoint, delete, "
                             "update, merge, optimize, zorder, vacuum or changes)", action);
    } else if (which == 3) {
        int64_t v = -1;
        bool ok = csv.delta.has_version   ? lml_delta_restore_to_version(table, csv.delta.version, &v, &err)
                  : csv.delta.timestamp ? lml_delta_restore_to_timestamp(table, csv.delta.timestamp, &v, &err)
                                        : (rc = cli_usage_error("delta", "restore needs --version N or --timestamp T"), false);
        if (ok)
            printf("restored %s as version %lld\n", table, (long long)v);
        else if (rc == CLI_OK)
            rc = cli_fail(&err);
    } else if (which == 4) {
        if (lml_delta_checkpoint(table, &err))
            printf("checkpoint written for %s\n", table);
        else
            rc = cli_fail(&err);
    } else {
        lml_delta_table *t = lml_delta_table_open(table, &csv.delta, &err);
        if (!t)
            rc = cli_fail(&err);
        else if (which == 0)
            rc = print_all(lml_delta_table_history(t, (size_t)d.limit, &err), &err);
        else if (which == 1)
            rc = print_all(lml_delta_table_detail(t, &err), &err);
        else
            rc = print_all(lml_delta_table_files(t, &err), &err);
        lml_delta_table_free(t);
    }
    cli_csv_free(&csv);
    return rc;
}

/* `lakeml delta delete|update|merge|optimize|zorder|vacuum|changes TABLE`: Delta's DML and
 * maintenance commands (DeltaTable.delete / update / merge, OPTIMIZE [ZORDER BY], VACUUM,
 * table_changes) from the shell. The commands that change the table print one JSON line with what
 * the library reports (version, committed, operationMetrics), so that scripts need no parsing of
 * prose; `changes` prints rows as `lakeml show` does or writes them as `convert` does. */
#include "delta_dml.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

typedef enum action { DELETE, UPDATE, MERGE, OPTIMIZE, ZORDER, VACUUM, CHANGES, NACTIONS } action;
static const char *const action_names[NACTIONS] = {"delete", "update", "merge", "optimize", "zorder", "vacuum", "changes"};

enum {
    OPT_WHERE = OPT_FIRST_COMMAND_OPTION,
    OPT_SET,
    OPT_SOURCE,
    OPT_FORMAT,
    OPT_ON,
    OPT_TARGET_ALIAS,
    OPT_SOURCE_ALIAS,
    OPT_WM_UPDATE,
    OPT_WM_UPDATE_ALL,
    OPT_WM_DELETE,
    OPT_WNM_INSERT,
    OPT_WNM_INSERT_ALL,
    OPT_WNMBS_UPDATE,
    OPT_WNMBS_DELETE,
    OPT_IF,
    OPT_SCHEMA_EVOLUTION,
    OPT_BY,
    OPT_MAX_FILE_SIZE,
    OPT_RETENTION_HOURS,
    OPT_DRY_RUN,
    OPT_DISABLE_RETENTION_CHECK,
    OPT_FROM,
    OPT_TO,
    OPT_FROM_TIMESTAMP,
    OPT_TO_TIMESTAMP,
    OPT_OUTPUT,
    OPT_TRUNCATE,
    OPT_NO_TRUNCATE,
    OPT_ROWS, /* -n */
    OPT_END
};

#define A(x) (1u << (x))

static const struct option longopts[] = {
    CLI_COMMON_LONG_OPTIONS,
    {"where", required_argument, NULL, OPT_WHERE},
    {"set", required_argument, NULL, OPT_SET},
    {"source", required_argument, NULL, OPT_SOURCE},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"on", required_argument, NULL, OPT_ON},
    {"target-alias", required_argument, NULL, OPT_TARGET_ALIAS},
    {"source-alias", required_argument, NULL, OPT_SOURCE_ALIAS},
    {"when-matched-update", required_argument, NULL, OPT_WM_UPDATE},
    {"when-matched-update-all", no_argument, NULL, OPT_WM_UPDATE_ALL},
    {"when-matched-delete", no_argument, NULL, OPT_WM_DELETE},
    {"when-not-matched-insert", required_argument, NULL, OPT_WNM_INSERT},
    {"when-not-matched-insert-all", no_argument, NULL, OPT_WNM_INSERT_ALL},
    {"when-not-matched-by-source-update", required_argument, NULL, OPT_WNMBS_UPDATE},
    {"when-not-matched-by-source-delete", no_argument, NULL, OPT_WNMBS_DELETE},
    {"if", required_argument, NULL, OPT_IF},
    {"schema-evolution", no_argument, NULL, OPT_SCHEMA_EVOLUTION},
    {"by", required_argument, NULL, OPT_BY},
    {"max-file-size", required_argument, NULL, OPT_MAX_FILE_SIZE},
    {"retention-hours", required_argument, NULL, OPT_RETENTION_HOURS},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"disable-retention-check", no_argument, NULL, OPT_DISABLE_RETENTION_CHECK},
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {"from-timestamp", required_argument, NULL, OPT_FROM_TIMESTAMP},
    {"to-timestamp", required_argument, NULL, OPT_TO_TIMESTAMP},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"truncate", required_argument, NULL, OPT_TRUNCATE},
    {"no-truncate", no_argument, NULL, OPT_NO_TRUNCATE},
    {"rows", required_argument, NULL, OPT_ROWS},
    {0},
};

/* Which actions take each option; another action given it is a usage error. */
static const struct {
    int code;
    unsigned actions;
} applies[] = {
    {OPT_WHERE, A(DELETE) | A(UPDATE) | A(OPTIMIZE) | A(ZORDER)},
    {OPT_SET, A(UPDATE)},
    {OPT_SOURCE, A(MERGE)}, {OPT_ON, A(MERGE)}, {OPT_TARGET_ALIAS, A(MERGE)}, {OPT_SOURCE_ALIAS, A(MERGE)},
    {OPT_WM_UPDATE, A(MERGE)}, {OPT_WM_UPDATE_ALL, A(MERGE)}, {OPT_WM_DELETE, A(MERGE)},
    {OPT_WNM_INSERT, A(MERGE)}, {OPT_WNM_INSERT_ALL, A(MERGE)}, {OPT_WNMBS_UPDATE, A(MERGE)},
    {OPT_WNMBS_DELETE, A(MERGE)}, {OPT_IF, A(MERGE)}, {OPT_SCHEMA_EVOLUTION, A(MERGE)},
    {OPT_FORMAT, A(MERGE) | A(CHANGES)},
    {OPT_BY, A(ZORDER)},
    {OPT_MAX_FILE_SIZE, A(OPTIMIZE) | A(ZORDER)},
    {OPT_RETENTION_HOURS, A(VACUUM)}, {OPT_DRY_RUN, A(VACUUM)}, {OPT_DISABLE_RETENTION_CHECK, A(VACUUM)},
    {OPT_FROM, A(CHANGES)}, {OPT_TO, A(CHANGES)}, {OPT_FROM_TIMESTAMP, A(CHANGES)}, {OPT_TO_TIMESTAMP, A(CHANGES)},
    {OPT_OUTPUT, A(CHANGES)}, {OPT_TRUNCATE, A(CHANGES)}, {OPT_NO_TRUNCATE, A(CHANGES)}, {OPT_ROWS, A(CHANGES)},
};

#define MAX_ZORDER_COLUMNS 32

typedef struct dml_ctx {
    action act;
    const char *seen[OPT_END - OPT_FIRST_COMMAND_OPTION]; /* each option's long name once it was given */
    const char *where;
    cli_assignments set;
    cli_merge merge;
    char *by_text;                                /* --by, split in place */
    const char *by[MAX_ZORDER_COLUMNS + 1];
    int64_t max_file_size;
    lml_delta_vacuum_options vacuum;
    lml_delta_changes_options changes;
    bool has_from, has_to;
    const char *output;
    cli_format format;
    long rows, truncate;
} dml_ctx;

void cli_delta_dml_help(FILE *out)
{
    fputs("  delete      DELETE FROM TABLE [WHERE --where COND] (no --where: every row)\n"
          "  update      UPDATE TABLE SET --set 'col=EXPR' ... [WHERE --where COND]\n"
          "  merge       MERGE INTO TABLE t USING --source PATH s ON --on COND, then the\n"
          "              WHEN clauses in the order given (below)\n"
          "  optimize    OPTIMIZE: compact small files into ones near --max-file-size\n"
          "              (--where: a condition on partition columns)\n"
          "  zorder      OPTIMIZE ... ZORDER BY (--by C1,C2): rewrite clustered on the columns\n"
          "  vacuum      VACUUM: delete the files no version within the retention needs\n"
          "  changes     table_changes: the change data feed (delta.enableChangeDataFeed) of\n"
          "              versions --from V [--to V], or --from-timestamp T [--to-timestamp T];\n"
          "              printed as `lakeml show` does, or written to --output PATH\n"
          "\n"
          "DML and maintenance options (COND and EXPR are Spark SQL: \"id > 10 AND city IS\n"
          "NOT NULL\", \"coalesce(s.v, 0) * 2\"):\n"
          "      --where COND       the rows (optimize, zorder: the partitions) to work on\n"
          "      --set 'C=EXPR'     update: an assignment; repeatable, or several joined by\n"
          "                         commas (commas inside parentheses or quotes do not split)\n"
          "      --source PATH      merge: the source rows, a CSV or Parquet file or a Delta\n"
          "                         table (CSV options apply; --version/--timestamp pick a\n"
          "                         Delta source's version)\n"
          "      --format F         merge: the source's format; changes: --output's format\n"
          "                         (csv, parquet or delta; default: from the file itself / its\n"
          "                         name)\n"
          "      --on COND          merge: the join condition, e.g. \"t.id = s.id\"\n"
          "      --target-alias A   merge: the table's alias (default t)\n"
          "      --source-alias A   merge: the source's alias (default s)\n",
          out);
    fputs("  merge clauses, as DeltaTable.merge's builder: each option adds one clause; the\n"
          "  first clause of its kind (matched, not matched, not matched by source) whose\n"
          "  condition holds fires:\n"
          "      --when-matched-update 'C=EXPR,...'   --when-matched-update-all\n"
          "      --when-matched-delete\n"
          "      --when-not-matched-insert 'C=EXPR,...'   --when-not-matched-insert-all\n"
          "      --when-not-matched-by-source-update 'C=EXPR,...'\n"
          "      --when-not-matched-by-source-delete\n"
          "      --if COND          the condition of the clause just before it, e.g.\n"
          "                         --when-matched-delete --if \"s.deleted\"\n"
          "      --schema-evolution merge: the update-all / insert-all clauses add the\n"
          "                         source's columns the table lacks\n"
          "      --by C1,C2         zorder: the columns to cluster by\n"
          "      --max-file-size N  optimize, zorder: target file size in bytes (suffix k, m\n"
          "                         or g; default: delta.targetFileSize, else 1g)\n"
          "      --retention-hours H  vacuum: keep what the versions of the last H hours need\n"
          "                         (default: delta.deletedFileRetentionDuration, 7 days)\n"
          "      --dry-run          vacuum: print the files it would delete, one a line;\n"
          "                         delete and commit nothing\n"
          "      --disable-retention-check  vacuum: allow a retention below the table's\n"
          "      --from V, --to V   changes: the first and last version (default: the latest)\n"
          "      --from-timestamp T, --to-timestamp T  changes: the same by commit time\n",
          out);
    fputs("      --output PATH      changes: write the rows (CSV/Parquet/Delta by PATH's name\n"
          "                         or --format) instead of printing them\n"
          "  -n, --rows N           changes: print at most N rows (default: all)\n"
          "      --truncate N       changes: cut cells to N characters (default 20; 0: none)\n"
          "      --no-truncate      changes: print cells in full\n"
          "\n"
          "delete, update, merge, optimize, zorder and vacuum print one line of JSON:\n"
          "  {\"operation\":\"DELETE\",\"table\":\"PATH\",\"version\":3,\"committed\":true,\n"
          "   \"metrics\":{\"numDeletedRows\":\"2\",...}}\n"
          "version is the one committed, or the table's when nothing changed (committed\n"
          "false: Delta commits nothing then); metrics are the operationMetrics of the commit\n"
          "as Delta writes them (values as strings; vacuum: VACUUM START's and END's, a dry\n"
          "run's what START would record). vacuum adds \"dryRun\" and \"files\" (how many files\n"
          "it deleted or would delete); a dry run prints the paths before that line.\n",
          out);
}

/* "1073741824", "128m", "64k", "1g": a positive byte count. */
static bool parse_bytes(const char *arg, int64_t *out)
{
    if (arg[0] < '0' || arg[0] > '9')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(arg, &end, 10);
    unsigned shift = 0;
    if (*end) {
        shift = strchr("kK", *end) ? 10 : strchr("mM", *end) ? 20 : strchr("gG", *end) ? 30 : 99;
        if (shift == 99 || end[1])
            return false;
    }
    if (errno || v == 0 || v > ((unsigned long long)INT64_MAX >> shift))
        return false;
    *out = (int64_t)(v << shift);
    return true;
}

static int64_t version_arg(const char *opt, const char *arg, int *rc)
{
    long v = 0;
    if (!cli_parse_count(arg, LONG_MAX, &v))
        *rc = cli_usage_error("delta", "%s: expected a table version (0, 1, ...), got '%s'", opt, arg);
    return v;
}

/* --by C1,C2: the column list, split in place in a copy. */
static int parse_by(dml_ctx *d, const char *arg)
{
    free(d->by_text);
    d->by_text = strdup(arg);
    if (!d->by_text)
        return cli_usage_error("delta", "out of memory");
    size_t n = 0;
    for (char *p = d->by_text;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        while (*p == ' ')
            p++;
        for (char *e = p + strlen(p); e > p && e[-1] == ' ';)
            *--e = '\0';
        if (!*p || n == MAX_ZORDER_COLUMNS)
            return cli_usage_error("delta", "--by: expected up to %d column names separated by commas, got '%s'",
                                   MAX_ZORDER_COLUMNS, arg);
        d->by[n++] = p;
        if (!comma)
            break;
        p = comma + 1;
    }
    d->by[n] = NULL;
    return CLI_OK;
}

static const char *option_name(int code)
{
    for (const struct option *o = longopts; o->name; o++)
        if (o->val == code)
            return o->name;
    return "?";
}

static int merge_option(dml_ctx *d, int code, const char *arg)
{
    static const cli_merge_kind kinds[] = {CLI_MATCHED_UPDATE, CLI_MATCHED_UPDATE_ALL, CLI_MATCHED_DELETE,
                                           CLI_NOT_MATCHED_INSERT, CLI_NOT_MATCHED_INSERT_ALL,
                                           CLI_BY_SOURCE_UPDATE, CLI_BY_SOURCE_DELETE};
    if (code == OPT_IF)
        return cli_merge_add_condition(&d->merge, arg);
    char flag[64];
    snprintf(flag, sizeof flag, "--%s", option_name(code));
    return cli_merge_add_clause(&d->merge, kinds[code - OPT_WM_UPDATE], flag, arg);
}

static int own_option(void *ctx, int code, const char *arg)
{
    dml_ctx *d = ctx;
    if (code == 'n')
        code = OPT_ROWS;
    if (code < OPT_FIRST_COMMAND_OPTION || code >= OPT_END)
        return -1;
    if (!d->seen[code - OPT_FIRST_COMMAND_OPTION])
        d->seen[code - OPT_FIRST_COMMAND_OPTION] = option_name(code);
    int rc = CLI_OK;
    double h;
    char *end;
    switch (code) {
    case OPT_WHERE:
        d->where = arg;
        break;
    case OPT_SET:
        return cli_assignments_parse(&d->set, "--set", arg);
    case OPT_SOURCE:
        d->merge.source = arg;
        break;
    case OPT_FORMAT:
        rc = cli_parse_format("delta", arg, &d->format);
        d->merge.format = d->format;
        break;
    case OPT_ON:
        d->merge.on = arg;
        break;
    case OPT_TARGET_ALIAS:
        d->merge.target_alias = arg;
        break;
    case OPT_SOURCE_ALIAS:
        d->merge.source_alias = arg;
        break;
    case OPT_SCHEMA_EVOLUTION:
        d->merge.schema_evolution = true;
        break;
    case OPT_BY:
        return parse_by(d, arg);
    case OPT_MAX_FILE_SIZE:
        if (!parse_bytes(arg, &d->max_file_size))
            return cli_usage_error("delta", "--max-file-size: expected a positive byte count such as 134217728 or 128m, "
                                   "got '%s'", arg);
        break;
    case OPT_RETENTION_HOURS:
        errno = 0;
        h = strtod(arg, &end);
        if (!arg[0] || *end || errno || !isfinite(h))
            return cli_usage_error("delta", "--retention-hours: expected a number of hours, got '%s'", arg);
        d->vacuum.has_retention_hours = true;
        d->vacuum.retention_hours = h;
        break;
    case OPT_DRY_RUN:
        d->vacuum.dry_run = true;
        break;
    case OPT_DISABLE_RETENTION_CHECK:
        d->vacuum.disable_retention_check = true;
        break;
    case OPT_FROM:
        d->changes.starting_version = version_arg("--from", arg, &rc);
        d->has_from = true;
        break;
    case OPT_TO:
        d->changes.ending_version = version_arg("--to", arg, &rc);
        d->changes.has_ending_version = d->has_to = true;
        break;
    case OPT_FROM_TIMESTAMP:
        d->changes.starting_timestamp = arg;
        break;
    case OPT_TO_TIMESTAMP:
        d->changes.ending_timestamp = arg;
        break;
    case OPT_OUTPUT:
        d->output = arg;
        break;
    case OPT_ROWS:
        if (!cli_parse_count(arg, LONG_MAX, &d->rows))
            return cli_usage_error("delta", "-n/--rows: expected a non-negative number, got '%s'", arg);
        break;
    case OPT_TRUNCATE:
        if (!cli_parse_count(arg, INT_MAX, &d->truncate))
            return cli_usage_error("delta", "--truncate: expected a non-negative number, got '%s'", arg);
        break;
    case OPT_NO_TRUNCATE:
        d->truncate = 0;
        break;
    default:
        return merge_option(d, code, arg);
    }
    return rc;
}

/* The checks of the whole command line: options of other actions, missing or conflicting ones. */
static int check_options(const dml_ctx *d, const cli_csv *csv)
{
    const char *act = action_names[d->act];
    for (size_t i = 0; i < sizeof applies / sizeof *applies; i++) {
        const char *name = d->seen[applies[i].code - OPT_FIRST_COMMAND_OPTION];
        if (name && !(applies[i].actions & A(d->act)))
            return cli_usage_error("delta", "--%s does not apply to %s (see lakeml delta --help)", name, act);
    }
    if (d->act != MERGE && csv->csv_flag)
        return cli_usage_error("delta", "%s applies to reading merge's --source, not to %s", csv->csv_flag, act);
    if (d->act != MERGE && (csv->delta.has_version || csv->delta.timestamp))
        return cli_usage_error("delta", "%s works on the latest version; --version and --timestamp apply to merge's "
                               "Delta --source%s", act, d->act == CHANGES ? " (changes: --from, --to)" : "");
    switch (d->act) {
    case UPDATE:
        if (d->set.n == 0)
            return cli_usage_error("delta", "update needs at least one --set 'col=EXPR'");
        break;
    case MERGE:
        if (!d->merge.source || !d->merge.on)
            return cli_usage_error("delta", "merge needs --source PATH and --on COND");
        if (d->merge.nclauses == 0)
            return cli_usage_error("delta", "merge needs at least one --when-… clause");
        break;
    case ZORDER:
        if (!d->by_text)
            return cli_usage_error("delta", "zorder needs --by C1,C2,...");
        break;
    case CHANGES: {
        bool ts = d->changes.starting_timestamp || d->changes.ending_timestamp;
        if (ts && (d->has_from || d->has_to))
            return cli_usage_error("delta", "changes: give versions (--from, --to) or timestamps (--from-timestamp, "
                                   "--to-timestamp), not both");
        if (!d->has_from && !d->changes.starting_timestamp)
            return cli_usage_error("delta", "changes needs --from V or --from-timestamp T");
        if (d->output && d->seen[OPT_ROWS - OPT_FIRST_COMMAND_OPTION])
            return cli_usage_error("delta", "changes: -n/--rows applies to printing, not to --output");
        if (!d->output && d->seen[OPT_FORMAT - OPT_FIRST_COMMAND_OPTION])
            return cli_usage_error("delta", "changes: --format applies to --output");
        if (d->output && strcmp(d->output, "-") == 0)
            return cli_usage_error("delta", "changes: --output names a file or table; without it the rows are printed");
        break;
    }
    default:
        break;
    }
    return CLI_OK;
}

static const char *operation_name(action a)
{
    static const char *const names[NACTIONS] = {"DELETE", "UPDATE", "MERGE", "OPTIMIZE", "OPTIMIZE", "VACUUM", ""};
    return names[a];
}

/* Prints the result line; vacuum's `files` (may be NULL) adds its count. */
static int print_result(const dml_ctx *d, const char *table, const lml_delta_result *r, const lml_frame *files)
{
    cJSON *metrics = r->metrics ? cJSON_Parse(r->metrics) : cJSON_CreateObject();
    if (!cJSON_IsObject(metrics)) {
        cJSON_Delete(metrics);
        fprintf(stderr, "lakeml: the operation's metrics are not a JSON object: %s\n", r->metrics);
        return CLI_FAILED;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "operation", operation_name(d->act));
    cJSON_AddStringToObject(o, "table", table);
    cJSON_AddNumberToObject(o, "version", (double)r->version);
    cJSON_AddBoolToObject(o, "committed", r->committed);
    if (d->act == VACUUM) {
        cJSON_AddBoolToObject(o, "dryRun", d->vacuum.dry_run);
        cJSON_AddNumberToObject(o, "files", files ? (double)lml_frame_num_rows(files) : 0);
    }
    cJSON_AddItemToObject(o, "metrics", metrics);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!text) {
        fputs("lakeml: out of memory\n", stderr);
        return CLI_FAILED;
    }
    puts(text);
    cJSON_free(text);
    return CLI_OK;
}

/* A dry run's list: one absolute path a line, as Spark's VACUUM … DRY RUN returns them. */
static bool print_paths(const lml_frame *files, lml_error *err)
{
    const lml_column *c = lml_frame_column_by_name(files, "path", err);
    if (!c)
        return false;
    for (size_t i = 0; i < lml_column_length(c); i++) {
        size_t n = 0;
        const char *s = lml_column_is_null(c, i) ? "" : lml_column_string_at(c, i, &n);
        printf("%.*s\n", (int)n, s);
    }
    return true;
}

static int run_changes(const dml_ctx *d, const char *table)
{
    lml_error err = {0};
    lml_frame *f = lml_delta_table_changes(table, &d->changes, &err);
    bool ok = f != NULL;
    if (ok && d->output) {
        cli_format fmt = cli_output_format(d->output, d->format);
        ok = fmt == CLI_FORMAT_PARQUET ? lml_parquet_write(f, d->output, NULL, &err)
           : fmt == CLI_FORMAT_DELTA   ? lml_delta_write(f, d->output, NULL, NULL, &err)
                                       : lml_csv_write(f, d->output, NULL, &err);
    } else if (ok) {
        size_t n = d->rows < 0 ? lml_frame_num_rows(f) : (size_t)d->rows;
        ok = lml_frame_show(f, stdout, n, (int)d->truncate, &err);
    }
    lml_frame_free(f);
    return ok ? CLI_OK : cli_fail(&err);
}

static int run(dml_ctx *d, const char *table, const cli_csv *csv)
{
    if (d->act == CHANGES)
        return run_changes(d, table);
    lml_error err = {0};
    lml_delta_result r = {0};
    lml_frame *files = NULL;
    bool ok = false;
    switch (d->act) {
    case DELETE:
        ok = lml_delta_delete(table, d->where, NULL, &r, &err);
        break;
    case UPDATE:
        ok = lml_delta_update(table, d->where, cli_assignments_list(&d->set), NULL, &r, &err);
        break;
    case MERGE:
        ok = cli_merge_run(&d->merge, table, csv, &r, &err);
        break;
    case OPTIMIZE:
    case ZORDER: {
        lml_delta_optimize_options o = {.where = d->where, .zorder_by = d->act == ZORDER ? d->by : NULL,
                                        .max_file_size = d->max_file_size};
        ok = lml_delta_optimize(table, &o, &r, &err);
        break;
    }
    default: /* VACUUM */
        ok = lml_delta_vacuum(table, &d->vacuum, &files, &r, &err) && (!d->vacuum.dry_run || print_paths(files, &err));
        break;
    }
    int rc = ok ? print_result(d, table, &r, files) : cli_fail(&err);
    lml_frame_free(files);
    lml_delta_result_clear(&r);
    return rc;
}

/* The first operand of argv under this command's option table (options may come first, and an
 * option's separate value is not an operand), or NULL. */
static const char *first_operand(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            return i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-' || !a[1])
            return a;
        if (a[1] != '-') { /* -n N or -nN; -h takes nothing */
            i += a[1] == 'n' && !a[2];
            continue;
        }
        size_t len = strcspn(a + 2, "=");
        if (a[2 + len] == '=')
            continue;
        /* getopt_long accepts unambiguous prefixes: an exact name wins, else the only match. */
        const struct option *hit = NULL;
        int matches = 0;
        for (const struct option *o = longopts; o->name; o++)
            if (strncmp(o->name, a + 2, len) == 0) {
                if (strlen(o->name) == len) {
                    hit = o;
                    matches = 1;
                    break;
                }
                hit = o;
                matches++;
            }
        if (matches == 1 && hit->has_arg == required_argument)
            i++;
    }
    return NULL;
}

bool cli_delta_is_dml(int argc, char **argv)
{
    const char *a = first_operand(argc, argv);
    for (int i = 0; a && i < NACTIONS; i++)
        if (strcmp(a, action_names[i]) == 0)
            return true;
    return false;
}

int cli_delta_dml(int argc, char **argv)
{
    dml_ctx d = {.rows = -1, .truncate = 20, .merge = {.target_alias = "t", .source_alias = "s"}};
    const char *act = first_operand(argc, argv);
    for (int i = 0; act && i < NACTIONS; i++)
        if (strcmp(act, action_names[i]) == 0)
            d.act = (action)i;
    const cli_args args = {.command = "delta", .shortopts = "hn:", .longopts = longopts, .usage = cli_delta_usage,
                           .own = own_option, .ctx = &d, .min_operands = 2, .max_operands = 2,
                           .operands = "ACTION and TABLE"};
    cli_csv csv;
    cli_csv_init(&csv);
    int first = 0;
    int rc = cli_parse_args(&args, &csv, argc, argv, &first);
    if (rc == CLI_OK) {
        rc = check_options(&d, &csv);
        if (rc == CLI_OK)
            rc = run(&d, argv[first + 1], &csv);
        cli_csv_free(&csv);
    } else if (rc == CLI_HELP_SHOWN) {
        rc = CLI_OK;
    }
    cli_assignments_free(&d.set);
    cli_merge_free(&d.merge);
    free(d.by_text);
    return rc;
}

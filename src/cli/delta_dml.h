/* What delta_dml.c (the `lakeml delta` DML and maintenance actions) and delta_merge.c (MERGE's
 * clauses and source, assignment lists) share. Private to src/cli. */
#ifndef LML_CLI_DELTA_DML_H
#define LML_CLI_DELTA_DML_H

#include "cli.h"

/* col, expr, col, expr, …, NULL (strings owned), the shape lml_delta_update's `set` and the
 * merge clauses' `set` / `values` take. */
typedef struct cli_assignments {
    char **items; /* n strings then NULL, or NULL while empty */
    size_t n, cap;
} cli_assignments;

/* Appends the assignments of `text`, "c = EXPR, d = EXPR, …": split at the commas outside
 * parentheses and quotes, each at its first '=' that is not part of <=, >=, !=, <=>, ==; a column
 * written `in back-quotes` loses them. CLI_OK, or a usage error naming `option` and the piece. */
int cli_assignments_parse(cli_assignments *a, const char *option, const char *text);
/* The list as lml_delta_update takes it (never NULL: an empty list is just the NULL). */
const char *const *cli_assignments_list(const cli_assignments *a);
void cli_assignments_free(cli_assignments *a);

/* MERGE's clauses, in Delta builder order. */
typedef enum cli_merge_kind {
    CLI_MATCHED_UPDATE,
    CLI_MATCHED_UPDATE_ALL,
    CLI_MATCHED_DELETE,
    CLI_NOT_MATCHED_INSERT,
    CLI_NOT_MATCHED_INSERT_ALL,
    CLI_BY_SOURCE_UPDATE,
    CLI_BY_SOURCE_DELETE
} cli_merge_kind;

typedef struct cli_merge_clause {
    cli_merge_kind kind;
    cli_assignments set;   /* the update's or insert's assignments; empty for the others */
    const char *condition; /* --if, or NULL */
} cli_merge_clause;

typedef struct cli_merge {
    const char *source;       /* --source */
    cli_format format;        /* --format of the source, or auto */
    const char *on;           /* --on */
    const char *target_alias; /* --target-alias (t) */
    const char *source_alias; /* --source-alias (s) */
    bool schema_evolution;
    cli_merge_clause *clauses; /* in command-line order */
    size_t nclauses, cap;
} cli_merge;

/* Appends a clause of `kind` (with `assignments` text for the update and insert kinds, else
 * NULL). CLI_OK or a usage error. */
int cli_merge_add_clause(cli_merge *m, cli_merge_kind kind, const char *option, const char *assignments);
/* --if COND: the condition of the clause just added (a usage error when there is none, or when
 * it has one already). */
int cli_merge_add_condition(cli_merge *m, const char *condition);
void cli_merge_free(cli_merge *m);
/* Reads the source (CSV options, --version/--timestamp of a Delta source from csv), builds the
 * merge clause by clause and executes it. False with err set on failure. */
bool cli_merge_run(const cli_merge *m, const char *table, const cli_csv *csv, lml_delta_result *out,
                   lml_error *err);

#endif

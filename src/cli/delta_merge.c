/* `lakeml delta merge`: the WHEN clauses as the command line lists them, the source table, and
 * the `col = expr, …` assignment lists that merge's clauses and `update --set` share. */
#include "delta_dml.h"

#include <stdlib.h>
#include <string.h>

/* The first `want` (',' or '=') in [p, end) outside parentheses and quoted text ('…', "…", `…`;
 * a backslash escapes inside '…' and "…" as Spark SQL reads them), or NULL. An '=' that belongs
 * to <=, >=, !=, <=> or == is not an assignment's. */
static const char *top_level(const char *start, const char *end, char want)
{
    int depth = 0;
    char quote = 0;
    for (const char *p = start; p < end; p++) {
        char c = *p;
        if (quote) {
            if (c == '\\' && quote != '`' && p + 1 < end)
                p++;
            else if (c == quote)
                quote = 0;
            continue;
        }
        if (c == '\'' || c == '"' || c == '`')
            quote = c;
        else if (c == '(')
            depth++;
        else if (c == ')')
            depth -= depth > 0;
        else if (depth == 0 && c == want) {
            bool op = want == '=' && ((p > start && strchr("<>!=", p[-1])) || (p + 1 < end && (p[1] == '=' || p[1] == '>')));
            if (!op)
                return p;
        }
    }
    return NULL;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* [a, b) without surrounding blanks, as a new string; a column name `quoted` loses its quotes
 * (and `` inside becomes `). NULL when out of memory. */
static char *trimmed(const char *a, const char *b, bool column)
{
    while (a < b && is_space(*a))
        a++;
    while (b > a && is_space(b[-1]))
        b--;
    if (!column || b - a < 2 || *a != '`' || b[-1] != '`')
        return strndup(a, (size_t)(b - a));
    char *s = malloc((size_t)(b - a));
    if (!s)
        return NULL;
    size_t n = 0;
    for (const char *p = a + 1; p < b - 1; p++) {
        s[n++] = *p;
        p += *p == '`' && p[1] == '`';
    }
    s[n] = '\0';
    return s;
}

static bool push(cli_assignments *a, char *s)
{
    if (!s)
        return false;
    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 8;
        char **items = realloc(a->items, cap * sizeof *items);
        if (!items) {
            free(s);
            return false;
        }
        a->items = items;
        a->cap = cap;
    }
    a->items[a->n++] = s;
    a->items[a->n] = NULL;
    return true;
}

int cli_assignments_parse(cli_assignments *a, const char *option, const char *text)
{
    const char *end = text + strlen(text);
    for (const char *p = text;;) {
        const char *comma = top_level(p, end, ',');
        const char *stop = comma ? comma : end;
        const char *eq = top_level(p, stop, '=');
        char *col = eq ? trimmed(p, eq, true) : NULL;
        char *val = eq ? trimmed(eq + 1, stop, false) : NULL;
        if (!eq || !col || !val || !col[0] || !val[0]) {
            bool oom = eq && (!col || !val);
            free(col);
            free(val);
            if (oom)
                return cli_usage_error("delta", "out of memory");
            return cli_usage_error("delta", "%s: expected column = expression, got '%.*s' in \"%s\"", option,
                                   (int)(stop - p), p, text);
        }
        if (!push(a, col) || !push(a, val))
            return cli_usage_error("delta", "out of memory");
        if (!comma)
            return CLI_OK;
        p = comma + 1;
    }
}

const char *const *cli_assignments_list(const cli_assignments *a)
{
    static const char *const empty[] = {NULL};
    return a->items ? (const char *const *)a->items : empty;
}

void cli_assignments_free(cli_assignments *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->items[i]);
    free(a->items);
    *a = (cli_assignments){0};
}

int cli_merge_add_clause(cli_merge *m, cli_merge_kind kind, const char *option, const char *assignments)
{
    if (m->nclauses == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 4;
        cli_merge_clause *c = realloc(m->clauses, cap * sizeof *c);
        if (!c)
            return cli_usage_error("delta", "out of memory");
        m->clauses = c;
        m->cap = cap;
    }
    cli_merge_clause *c = &m->clauses[m->nclauses++];
    *c = (cli_merge_clause){.kind = kind};
    return assignments ? cli_assignments_parse(&c->set, option, assignments) : CLI_OK;
}

int cli_merge_add_condition(cli_merge *m, const char *condition)
{
    if (m->nclauses == 0)
        return cli_usage_error("delta", "--if '%s': no --when-… clause before it to apply to", condition);
    cli_merge_clause *c = &m->clauses[m->nclauses - 1];
    if (c->condition)
        return cli_usage_error("delta", "--if '%s': the clause before it has a condition already ('%s')", condition,
                               c->condition);
    c->condition = condition;
    return CLI_OK;
}

void cli_merge_free(cli_merge *m)
{
    for (size_t i = 0; i < m->nclauses; i++)
        cli_assignments_free(&m->clauses[i].set);
    free(m->clauses);
    m->clauses = NULL;
    m->nclauses = m->cap = 0;
}

/* The source rows: by --format, else as every other command reads its input (a Delta table, a
 * Parquet file by its magic, else CSV with the CSV options). */
static lml_frame *read_source(const cli_merge *m, const cli_csv *csv, lml_error *err)
{
    bool travel = csv->delta.has_version || csv->delta.timestamp;
    switch (m->format) {
    case CLI_FORMAT_CSV:
    case CLI_FORMAT_PARQUET:
        if (travel) {
            lml_error_set(err, LML_EINVAL, "%s: --version and --timestamp apply to a Delta source", m->source);
            return NULL;
        }
        if (m->format == CLI_FORMAT_CSV)
            return cli_csv_read(csv, m->source, err);
        /* The Parquet reader names what is wrong with a file that lacks the magic. */
        return cli_is_parquet(m->source) ? cli_read_input(csv, m->source, NULL, -1, err)
                                         : lml_parquet_read(m->source, NULL, err);
    case CLI_FORMAT_DELTA:
        return lml_delta_is_table(m->source) ? cli_read_input(csv, m->source, NULL, -1, err)
                                             : lml_delta_read(m->source, &csv->delta, NULL, err);
    default:
        return cli_read_input(csv, m->source, NULL, -1, err);
    }
}

static bool add_clause(lml_delta_merge *mg, const cli_merge_clause *c, lml_error *err)
{
    const char *const *set = cli_assignments_list(&c->set);
    switch (c->kind) {
    case CLI_MATCHED_UPDATE:
        return lml_delta_merge_when_matched_update(mg, c->condition, set, err);
    case CLI_MATCHED_UPDATE_ALL:
        return lml_delta_merge_when_matched_update_all(mg, c->condition, err);
    case CLI_MATCHED_DELETE:
        return lml_delta_merge_when_matched_delete(mg, c->condition, err);
    case CLI_NOT_MATCHED_INSERT:
        return lml_delta_merge_when_not_matched_insert(mg, c->condition, set, err);
    case CLI_NOT_MATCHED_INSERT_ALL:
        return lml_delta_merge_when_not_matched_insert_all(mg, c->condition, err);
    case CLI_BY_SOURCE_UPDATE:
        return lml_delta_merge_when_not_matched_by_source_update(mg, c->condition, set, err);
    case CLI_BY_SOURCE_DELETE:
        return lml_delta_merge_when_not_matched_by_source_delete(mg, c->condition, err);
    }
    return lml_error_set(err, LML_EINVAL, "unknown merge clause %d", (int)c->kind);
}

bool cli_merge_run(const cli_merge *m, const char *table, const cli_csv *csv, lml_delta_result *out,
                   lml_error *err)
{
    lml_frame *src = read_source(m, csv, err);
    if (!src)
        return false;
    lml_delta_merge *mg = lml_delta_merge_new(table, m->target_alias, src, m->source_alias, m->on, err);
    bool ok = mg != NULL;
    for (size_t i = 0; ok && i < m->nclauses; i++)
        ok = add_clause(mg, &m->clauses[i], err);
    if (ok && m->schema_evolution)
        lml_delta_merge_with_schema_evolution(mg);
    ok = ok && lml_delta_merge_execute(mg, NULL, out, err);
    lml_delta_merge_free(mg);
    lml_frame_free(src);
    return ok;
}

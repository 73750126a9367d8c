/* DELETE, UPDATE and MERGE (delta.md §10) share this machinery: the table and what the
 * transaction read (dml.c), the candidate files and their rows with physical positions
 * (dml_scan.c), turning per-row outcomes into rewritten files or deletion vectors (dml_rewrite.c),
 * change data files (dml_cdf.c), and the commit with Spark's parameters and metrics (dml.c).
 * Internal header. */
#ifndef LML_DELTA_DML_H
#define LML_DELTA_DML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "commit.h"
#include "lakeml/delta.h"
#include "lakeml/expr.h"
#include "scan_internal.h"
#include "write_internal.h"

/* What happens to a row of a candidate file (the same values as merge_plan.h's LML_MERGE_ROW_*). */
enum { LML_DML_KEEP = 0, LML_DML_UPDATE = 1, LML_DML_DELETE = 2 };

/* One candidate file read for the operation. */
typedef struct lml_dml_file {
    const lml_delta_file *file; /* the live add (borrowed from the table's state) */
    lml_frame *rows;            /* every table column, the current DV's rows dropped */
    uint64_t *pos;              /* physical row position (in the Parquet file) of each row */
    size_t nphys;               /* rows in the Parquet file */
    uint8_t *action;            /* per row LML_DML_*, or NULL when no row changes */
    lml_frame *updated;         /* new values of the UPDATE rows, in row order (table columns) */
    size_t ndeleted, nupdated;
} lml_dml_file;

/* Evaluates the operation on one file right after it is read (in a worker thread): sets
 * f->action / f->updated / the counts, or leaves action NULL when no row changes. */
typedef bool (*lml_dml_file_fn)(void *ctx, lml_dml_file *f, lml_error *err);

typedef struct lml_dml {
    const char *operation;      /* "DELETE", "UPDATE", "MERGE" */
    char *root;
    lml_delta_table *t;
    lml_delta_dml_options opt;
    bool dv, cdf;               /* the table writes deletion vectors / a change data feed */
    bool skipped;               /* the txn app id is at txn_version already */
    bool moves_rows;            /* updates may change partition values: updated rows are written
                                   through the partitioned write, not into the rewritten file */
    int64_t t0, scan_ms, rewrite_ms;
    lml_delta_scan_spec spec;   /* every table column, no filters */
    /* The read predicate: skip filters from the condition's conjuncts (values borrowed from the
     * parsed expressions, which must outlive the dml). read_whole: no predicate at all. */
    lml_parquet_predicate *preds;
    lml_delta_skip_filter *filters;
    size_t nfilters;
    bool read_whole;
    char **read_paths;          /* log paths of the files read */
    size_t nread;
    lml_dml_file *files;        /* the candidate files read */
    size_t nfiles;
    lml_delta_write_options wopt;
    lml_delta_plan plan;
    bool planned;
    int64_t files_added, files_removed, bytes_added, bytes_removed;
    int64_t dv_added, dv_removed, dv_updated;
    int64_t rows_copied, rows_deleted, rows_updated;
    lml_frame **cdc;            /* change rows gathered so far (table columns + _change_type) */
    size_t ncdc, cdc_cap;
} lml_dml;

/* dml.c */
/* Opens the table for a DML operation: the writer-side protocol check, deletion vectors and
 * change data feed settings, and the idempotent-write check (d->skipped). */
bool lml_dml_open(lml_dml *d, const char *path, const char *operation, const lml_delta_dml_options *opt,
                  lml_error *err);
void lml_dml_close(lml_dml *d);
/* The result of an operation skipped because its txn is done: the table's version, skipped set,
 * metrics "{}". */
bool lml_dml_skipped_result(const lml_dml *d, lml_delta_result *out, lml_error *err);
/* The WHERE condition parsed and checked against the table's columns (LML_ENOTFOUND for an
 * unknown column, LML_ETYPE when not boolean); NULL text or "" gives *out = NULL. */
bool lml_dml_condition(const lml_dml *d, const char *text, lml_expr **out, lml_error *err);
/* Zero rows with every table column (for type-checking expressions). */
lml_frame *lml_dml_empty_frame(const lml_dml *d, lml_error *err);
/* The read predicate from the conjuncts of cond that compare one table column with literals;
 * alias: the target's alias in MERGE (conjuncts qualified by another alias, or naming a column
 * of `other` unqualified, are left out), NULL otherwise. cond NULL: the whole table is read. */
bool lml_dml_set_predicate(lml_dml *d, const lml_expr *cond, const char *alias, const lml_frame *other, lml_error *err);
/* Starts the write (the plan: metadata, txn action) for the table's schema after the operation:
 * `schema` (zero rows) or NULL for the table's own. merge_schema: schema evolution. */
bool lml_dml_plan(lml_dml *d, const lml_frame *schema, bool merge_schema, lml_error *err);
/* Operation parameters' predicate value: the expression's SQL as a JSON array text (["true"] for
 * no condition, as Spark shows it). */
char *lml_dml_predicate_json(const lml_expr *e, lml_error *err);
/* DELETE's and UPDATE's operationParameters: {"predicate": that array as a JSON string}. */
char *lml_dml_predicate_params(const lml_expr *e, lml_error *err);
/* Commits the plan's actions with commitInfo (operation, parameters, metrics) and fills *out;
 * nothing to commit leaves the table alone (out->committed false). */
bool lml_dml_commit(lml_dml *d, const char *params, const char *metrics, lml_delta_result *out, lml_error *err);
/* Appends "key":"v" to a metrics object being built ('{' before the first; the caller closes it). */
struct lml_strbuf;
void lml_dml_metric(struct lml_strbuf *sb, const char *key, int64_t v);
/* DELETE's and UPDATE's last metrics (executionTimeMs, scanTimeMs, rewriteTimeMs,
 * numRemovedBytes, numAddedBytes), the object closed and returned (malloc'd). */
char *lml_dml_metrics_finish(struct lml_strbuf *sb, const lml_dml *d, lml_error *err);
/* Milliseconds since the operation started. */
int64_t lml_dml_elapsed(const lml_dml *d);

/* dml_scan.c */
/* The live files the read predicate cannot rule out (pointers into the table's state). */
const lml_delta_file **lml_dml_candidates(const lml_dml *d, size_t *n, lml_error *err);
/* Reads the files (in parallel, results in the given order) into d->files, records them as read
 * and runs fn on each (fn may be NULL). */
bool lml_dml_read(lml_dml *d, const lml_delta_file *const *files, size_t n, lml_dml_file_fn fn, void *ctx,
                  lml_error *err);

/* dml_rewrite.c */
/* A whole-file remove (dataChange true; the file's DV goes with it). */
bool lml_dml_remove_file(lml_dml *d, const lml_delta_file *f, lml_error *err);
/* Turns every touched file of d->files into actions: copy-on-write rewrites, or deletion vectors
 * plus new files for the updated rows; change rows gathered for the feed. Needs lml_dml_plan. */
bool lml_dml_apply(lml_dml *d, lml_error *err);
/* New rows (MERGE's inserts; the post-operation schema's columns) as new data files. */
bool lml_dml_insert(lml_dml *d, const lml_frame *rows, lml_error *err);
/* Writes what is still buffered (new rows, change rows) and tallies files_added / bytes_added. */
bool lml_dml_finish(lml_dml *d, lml_error *err);

/* delete.c */
/* Deletes the rows of the candidate files where cond is true (every row when cond is NULL):
 * whole files, decided on their partition values, when cond names partition columns only
 * (*whole set), else by reading the files and rewriting them or adding deletion vectors. */
bool lml_dml_delete_where(lml_dml *d, const lml_expr *cond, bool *whole, lml_error *err);

/* dml_cdf.c */
/* Adds rows (table columns) to the change rows with _change_type = type. */
bool lml_dml_cdc_add(lml_dml *d, const lml_frame *rows, const char *type, lml_error *err);
/* Writes the gathered change rows as _change_data files, one per partition value. */
bool lml_dml_cdc_flush(lml_dml *d, lml_error *err);

#endif

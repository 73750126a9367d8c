/* The pieces of a Delta write shared by write.c, write_plan.c and restore.c. Internal header. */
#ifndef LML_DELTA_WRITE_INTERNAL_H
#define LML_DELTA_WRITE_INTERNAL_H

#include "skip.h"
#include "table.h"

/* What one write will commit: the table's (new) metadata and protocol, the rows to write in
 * table-schema order, and the actions gathered so far. */
typedef struct lml_delta_plan {
    char *root;
    const lml_delta_table *table;    /* NULL when the write creates the table */
    const lml_delta_write_options *opt;
    lml_delta_schema schema;         /* the schema after the write */
    lml_delta_metadata metadata;
    lml_delta_protocol protocol;
    bool new_metadata, new_protocol; /* committed with the write */
    lml_frame *rows;                 /* the input conformed to `schema` (missing columns as nulls) */
    size_t nactions, cap;
    lml_delta_action *actions;
    int64_t files_added, bytes_added, rows_added, files_removed, bytes_removed;
} lml_delta_plan;

bool lml_delta_plan_init(lml_delta_plan *plan, const lml_delta_table *t, const char *path, const lml_frame *f,
                         const lml_delta_write_options *opt, lml_error *err);
/* Adds a remove action for a live file (deletionTimestamp = now_ms, dataChange true). */
bool lml_delta_plan_remove(lml_delta_plan *plan, const lml_delta_file *f, int64_t now_ms, lml_error *err);
/* Writes the rows as data files (one per partition value, split at max_records_per_file) and
 * adds their add actions. */
bool lml_delta_plan_write_files(lml_delta_plan *plan, lml_error *err);
/* operationMetrics of a WRITE as a JSON object text (numbers as strings, as Spark writes them). */
char *lml_delta_plan_metrics(const lml_delta_plan *plan, lml_error *err);
void lml_delta_plan_clear(lml_delta_plan *plan);

/* replaceWhere resolved against the table; every predicate must name a partition column
 * (LML_EUNSUPPORTED otherwise). */
bool lml_delta_replace_where_filters(const lml_delta_table *t, const lml_delta_write_options *opt,
                                     lml_delta_skip_filter *filters, lml_error *err);
/* replaceWhere as Spark shows it in operationParameters.predicate: ["(a = 1)", …] as JSON text. */
char *lml_delta_predicate_text(const lml_delta_write_options *opt, lml_error *err);
/* The writer-side protocol check (§5.3). */
bool lml_delta_writer_supports(const lml_delta_table *t, lml_error *err);
/* After committing version v: a checkpoint when v is a positive multiple of
 * delta.checkpointInterval (default 10). */
bool lml_delta_maybe_checkpoint(const char *root, const lml_delta_metadata *m, int64_t v, lml_error *err);
/* True when the field or any field nested in it has type t. */
bool lml_delta_field_has_type(const lml_delta_field *f, lml_type t);

#endif

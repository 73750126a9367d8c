/* The pieces of a Delta write shared by write.c, write_plan.c and restore.c. Internal header. */
#ifndef LML_DELTA_WRITE_INTERNAL_H
#define LML_DELTA_WRITE_INTERNAL_H

#include "skip.h"
#include "table.h"

/* Rows of one partition value waiting to be written as a data file (write_files.c). */
typedef struct lml_delta_pending {
    char *key;        /* the partition values, as group keys compare them ("" unpartitioned) */
    lml_frame **parts;
    size_t nparts, cap;
    size_t rows, bytes; /* bytes: uncompressed estimate, as the Parquet writer sizes row groups */
} lml_delta_pending;

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
    lml_delta_pending *pending;      /* sorted by key */
    size_t npending, pending_cap, pending_bytes;
    int counter;                     /* part-NNNNN of the next data file */
    int64_t cdc_files, cdc_bytes;    /* change data files written (lml_delta_plan_write_file) */
} lml_delta_plan;

bool lml_delta_plan_init(lml_delta_plan *plan, const lml_delta_table *t, const char *path, const lml_frame *f,
                         const lml_delta_write_options *opt, lml_error *err);
/* Adds a remove action for a live file (deletionTimestamp = now_ms, dataChange true). */
bool lml_delta_plan_remove(lml_delta_plan *plan, const lml_delta_file *f, int64_t now_ms, lml_error *err);
/* The input's columns in table-schema order; a table column the input lacks is all null. */
bool lml_delta_plan_conform(const lml_delta_plan *plan, const lml_frame *f, lml_frame **out, lml_error *err);
lml_delta_action *lml_delta_plan_push(lml_delta_plan *plan, lml_delta_action_kind kind, lml_error *err);
bool lml_delta_mkdirs(const char *path, lml_error *err);
/* Adds conformed rows to the write (write_files.c): grouped by partition value and buffered
 * per partition; a partition's rows are written out as a data
 * file (with its add action and stats) when they reach max_records_per_file rows (whole files of
 * that many rows), and every partition's rows are when all buffered rows reach about 128 MiB
 * uncompressed — so memory stays about 128 MiB (twice that while a file's rows are joined for its
 * stats) plus one batch, and files roll over near that size. */
bool lml_delta_plan_add_rows(lml_delta_plan *plan, const lml_frame *rows, lml_error *err);
/* Writes `rows` (table columns, all of one partition value; with cdc also _change_type) as one
 * file numbered `counter` and describes it in *out (path, partition values, size, and for data
 * files mtime and stats), pushing no action: reads only the plan's metadata and options, so
 * several threads may write files of one plan at once. */
bool lml_delta_plan_write_one(const lml_delta_plan *plan, const lml_frame *rows, bool cdc, int counter,
                              lml_delta_file *out, lml_error *err);
/* Adds the add (or cdc) action of a file lml_delta_plan_write_one wrote; takes *f's contents. */
bool lml_delta_plan_push_file(lml_delta_plan *plan, lml_delta_file *f, bool cdc, lml_error *err);
/* Writes `rows` (table columns, all of one partition value) right away as data files (the
 * add actions with stats), bypassing the buffers: DML's rewrite of one touched file. With `cdc`
 * the rows also hold _change_type and become change data files under _change_data/ with cdc
 * actions (dataChange false, counted in cdc_files / cdc_bytes). */
bool lml_delta_plan_write_file(lml_delta_plan *plan, const lml_frame *rows, bool cdc, lml_error *err);
/* Writes every partition's remaining rows (in partition-value order), before the commit. */
bool lml_delta_plan_flush(lml_delta_plan *plan, lml_error *err);
void lml_delta_plan_pending_clear(lml_delta_plan *plan);
/* operationMetrics of a WRITE as a JSON object text (numbers as strings, as Spark writes them). */
char *lml_delta_plan_metrics(const lml_delta_plan *plan, lml_error *err);
void lml_delta_plan_clear(lml_delta_plan *plan);

/* True for a writer feature lakeml honours when it writes (write.c). */
bool lml_delta_writer_feature_known(const char *name);
/* The writer-side protocol check (§5.3). */
bool lml_delta_writer_supports(const lml_delta_table *t, lml_error *err);
/* After committing version v: a checkpoint when v is a positive multiple of
 * delta.checkpointInterval (default 10). */
bool lml_delta_maybe_checkpoint(const char *root, const lml_delta_metadata *m, int64_t v, lml_error *err);
/* True when the field or any field nested in it has type t. */
bool lml_delta_field_has_type(const lml_delta_field *f, lml_type t);

#endif

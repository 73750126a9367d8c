/* Delta Lake tables: open a table at its latest version or by time travel (versionAsOf,
 * timestampAsOf), read it into a frame, and inspect it like Spark's DeltaTable (history, detail,
 * files). lakeml reads tables that Spark and delta-rs wrote: checkpoints (classic, multi-part,
 * V2 with sidecars), partition columns, column mapping (name and id), deletion vectors. */
#ifndef LAKEML_DELTA_H
#define LAKEML_DELTA_H

#include <stdbool.h>
#include <stdint.h>
#include "error.h"
#include "frame.h"
#include "parquet.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lml_delta_table lml_delta_table;

/* Which version to open: the latest (a zeroed struct or NULL), `version` (Spark's versionAsOf),
 * or `timestamp` (Spark's timestampAsOf: "yyyy-MM-dd", "yyyy-MM-dd HH:mm:ss[.ffffff]" in UTC, or
 * ISO-8601 with "Z" or an offset) — the latest commit whose timestamp is at or before it. A
 * commit's timestamp is its inCommitTimestamp when the table has in-commit timestamps, else the
 * modification time of its log file, made strictly increasing across versions as Spark does. */
typedef struct lml_delta_open_options {
    bool has_version;
    int64_t version;
    const char *timestamp;
} lml_delta_open_options;

/* Opens the Delta table at `path` (a directory holding _delta_log/) at the chosen version: lists
 * the log, replays the newest checkpoint at or below the version and the commits after it.
 * Errors: LML_ENOTFOUND (not a Delta table; a version outside the ones the log can rebuild, with
 * Spark's "Cannot time travel … Available versions: [a, b]"; a timestamp before the first or after
 * the last commit), LML_EFORMAT (a malformed or inconsistent log: naming the file and line, a
 * missing commit in the sequence, no protocol or metaData), LML_EUNSUPPORTED (a reader version
 * above 3 or a reader feature lakeml does not implement, named), LML_EINVAL (both version and
 * timestamp, or an unparsable timestamp), LML_EIO, LML_ENOMEM. Free with lml_delta_table_free. */
LML_API lml_delta_table *lml_delta_table_open(const char *path, const lml_delta_open_options *opt, lml_error *err);
LML_API void lml_delta_table_free(lml_delta_table *t);

LML_API const char *lml_delta_table_path(const lml_delta_table *t);
/* The version this handle holds, and the latest version the log had when it was opened. */
LML_API int64_t lml_delta_table_version(const lml_delta_table *t);
LML_API int64_t lml_delta_table_latest_version(const lml_delta_table *t);
/* The table's columns (schemaString, partition columns included, in schema order) as a frame
 * of 0 rows; field metadata is kept. */
LML_API lml_frame *lml_delta_table_schema(const lml_delta_table *t, lml_error *err);
LML_API size_t lml_delta_table_num_partition_columns(const lml_delta_table *t);
LML_API const char *lml_delta_table_partition_column(const lml_delta_table *t, size_t i);
/* Live data files at this version. */
LML_API size_t lml_delta_table_num_files(const lml_delta_table *t);
/* A table property (metaData.configuration), or NULL when unset. */
LML_API const char *lml_delta_table_property(const lml_delta_table *t, const char *key);
LML_API int lml_delta_table_min_reader_version(const lml_delta_table *t);
LML_API int lml_delta_table_min_writer_version(const lml_delta_table *t);

/* Read options; NULL or a zeroed struct reads every column of every file. `filters` (ANDed) only
 * skip work: files whose partition values or statistics (minValues, maxValues, nullCount) prove
 * no row can match are not read, and row groups are pruned the same way, but rows of the files
 * that are read are returned whether they match or not. */
typedef struct lml_delta_read_options {
    const char *const *columns;            /* NULL-terminated names (case-insensitive), or NULL = all */
    const lml_parquet_predicate *filters;  /* column op value, in the column's table type */
    size_t num_filters;
} lml_delta_read_options;

/* The rows of the table at the handle's version: each live file's rows minus those its deletion
 * vector removes, columns by logical name (physical names under column mapping), partition
 * columns from the log with their declared types, columns a file lacks (added later) as nulls.
 * Errors: LML_ENOTFOUND (unknown column), LML_EFORMAT (a data file or deletion vector that does
 * not match the log), LML_EUNSUPPORTED, LML_EIO, LML_ENOMEM. */
LML_API lml_frame *lml_delta_table_read(const lml_delta_table *t, const lml_delta_read_options *opt, lml_error *err);
/* Opens, reads and frees: `spark.read.format("delta").option(...).load(path)`. */
LML_API lml_frame *lml_delta_read(const char *path, const lml_delta_open_options *open, const lml_delta_read_options *opt,
                                  lml_error *err);

/* ---- scanning a piece at a time (for tables larger than memory) */

typedef struct lml_delta_scan lml_delta_scan;
/* A scan of the snapshot t with the options of lml_delta_table_read (projection, filters, …) that
 * returns the rows a piece at a time: one piece per (data file, row group) left after file
 * skipping and row-group pruning, in log order, deletion vectors applied (a piece may have 0
 * rows), partition columns and column mapping as lml_delta_table_read; the pieces concatenated
 * equal lml_delta_table_read's frame (a table with no files gives no pieces). t must outlive the
 * scan. Memory: one row group plus its file's deletion vector. */
LML_API lml_delta_scan *lml_delta_scan_open(const lml_delta_table *t, const lml_delta_read_options *opt, lml_error *err);
/* The next piece (*out = NULL at the end); false on error (lml_delta_table_read's errors). */
LML_API bool lml_delta_scan_next(lml_delta_scan *s, lml_frame **out, lml_error *err);
/* Rows the scan returns, from the log: numRecords of the files left after skipping minus their
 * deletion vectors' cardinality (row-group pruning not counted), or -1 when a file has no
 * numRecords; for progress. */
LML_API int64_t lml_delta_scan_total_rows(const lml_delta_scan *s);
LML_API void lml_delta_scan_free(lml_delta_scan *s);

/* One row per live file (the `.files` view): path (decoded, relative to the table), size,
 * modificationTime (timestamp), partitionValues (map<string,string>), numRecords (long, null when
 * unknown), deletedRows (long: the deletion vector's cardinality, 0 without one), minValues,
 * maxValues, nullCount (the stats JSON objects as strings, null when absent). */
LML_API lml_frame *lml_delta_table_files(const lml_delta_table *t, lml_error *err);
/* DESCRIBE HISTORY: one row per commit from the handle's version down (at most `limit` rows; 0 =
 * all the log still has), newest first, with Spark's columns: version, timestamp, userId, userName,
 * operation, operationParameters (map<string,string>), job, notebook, clusterId, readVersion,
 * isolationLevel, isBlindAppend, operationMetrics (map<string,string>), userMetadata, engineInfo.
 * timestamp is the commit's timestamp as timestampAsOf uses it. */
LML_API lml_frame *lml_delta_table_history(const lml_delta_table *t, size_t limit, lml_error *err);
/* DESCRIBE DETAIL: one row with Spark's columns: format, id, name, description, location,
 * createdAt, lastModified, partitionColumns (array<string>), clusteringColumns, numFiles,
 * sizeInBytes, properties (map<string,string>), minReaderVersion, minWriterVersion, tableFeatures
 * (array<string>). */
LML_API lml_frame *lml_delta_table_detail(const lml_delta_table *t, lml_error *err);

/* ---------------------------------------------------------------- writing */

/* Spark's SaveMode: what a write does when the table exists (it is created when it does not).
 * The zero value is Spark's default, ErrorIfExists. */
typedef enum lml_delta_mode {
    LML_DELTA_ERROR_IF_EXISTS = 0,
    LML_DELTA_APPEND,
    LML_DELTA_OVERWRITE,
    LML_DELTA_IGNORE
} lml_delta_mode;

typedef struct lml_delta_write_options {
    lml_delta_mode mode;
    const char *const *partition_by;   /* NULL-terminated column names (a new table, or overwriteSchema) */
    bool merge_schema;                 /* add new columns (nullable) to the table schema */
    bool overwrite_schema;             /* with OVERWRITE: replace schema and partitioning */
    /* With OVERWRITE: Spark's replaceWhere, a SQL condition (include/lakeml/expr.h) — only the
     * rows where it is true are replaced, and every row written must satisfy it
     * (DELTA_REPLACE_WHERE_MISMATCH). On partition columns only, the matching files are removed
     * whole; on data columns the matching rows are deleted as DELETE does (files rewritten, or
     * deletion vectors), in the same commit as the new rows. */
    const char *replace_where;
    /* Table properties for a new table: key, value, key, value, …, NULL ("delta.appendOnly",
     * "delta.checkpointInterval", "delta.enableDeletionVectors", user keys …). */
    const char *const *properties;
    const char *description;           /* metaData.description of a new table */
    /* Idempotent writes (Spark's txnAppId / txnVersion): the write is skipped when the table
     * already holds a transaction of this application id at this version or later. */
    const char *txn_app_id;
    int64_t txn_version;
    const char *user_metadata;         /* commitInfo.userMetadata */
    size_t max_records_per_file;       /* 0 = one file per partition (per ~128 MiB when streaming) */
    size_t row_group_size;             /* Parquet row group bytes of the data files; 0 = 128 MiB */
} lml_delta_write_options;

/* Writes frame f to the Delta table at path (df.write.format("delta").mode(…).save(path)):
 * creates the table when absent (protocol from the features used), otherwise appends or
 * overwrites by the mode. Data files are written first (Parquet, SNAPPY, Hive-style partition
 * directories, Spark's part-NNNNN-<uuid>-c000.snappy.parquet names, stats for the first 32
 * columns) and become visible only when the commit is created atomically; a failed write leaves
 * the table as it was (files it wrote are unreferenced, for VACUUM). Schema enforcement as Delta:
 * a column absent from the table, or of another type, is LML_ETYPE / LML_EINVAL naming it, unless
 * merge_schema (new nullable columns) or overwrite_schema. Concurrent writers: blind appends
 * never conflict; an overwrite that lost the race to a commit touching what it read is
 * LML_ECONFLICT naming the winning version and operation. ERROR_IF_EXISTS on an existing table
 * is LML_EINVAL ("… already exists"); IGNORE on one does nothing. Tables with column mapping, a
 * change data feed or constraints lakeml cannot enforce are refused (LML_EUNSUPPORTED). A
 * checkpoint is written when the new version is a multiple of delta.checkpointInterval (10).
 * *version (may be NULL) receives the committed version, or the existing one when nothing was
 * written. */
LML_API bool lml_delta_write(const lml_frame *f, const char *path, const lml_delta_write_options *opt, int64_t *version,
                             lml_error *err);

/* ---- writing batch by batch (lml_delta_write is open + one write + commit) */

typedef struct lml_delta_writer lml_delta_writer;
/* Starts a write to the Delta table at path with the options and checks of lml_delta_write
 * (mode, partitioning, schema enforcement/evolution, …). ERROR_IF_EXISTS on an existing table
 * fails here (LML_EINVAL); IGNORE on one (or a txn_app_id/txn_version already committed) makes
 * every write and the commit no-ops that report the existing version. opt (may be NULL) and
 * what it points to must stay alive until commit or abort. */
LML_API lml_delta_writer *lml_delta_writer_open(const char *path, const lml_delta_write_options *opt, lml_error *err);
/* Writes f's rows as data files (not visible until the commit). The first batch is checked
 * against the table schema and decides the schema after the write (lml_delta_write's errors;
 * a failed first batch leaves the writer only to be aborted); later batches must have the first
 * batch's column names (in order) and types (LML_EINVAL naming the column; such a batch is
 * refused before anything is written and the writer stays usable). Rows are buffered per
 * partition value: a partition's rows become a file when they reach max_records_per_file, and
 * every partition's rows do when all buffered rows reach about 128 MiB uncompressed, so memory
 * stays bounded whatever the number of batches (about 128 MiB of buffered rows, twice that while
 * a file is written since its stats need its rows together, plus one batch) and files roll over
 * near 128 MiB (a write with many partitions thus makes one file per partition per 128 MiB of
 * input). */
LML_API bool lml_delta_writer_write(lml_delta_writer *w, const lml_frame *f, lml_error *err);
/* Writes the buffered rows and commits every file written in one atomic commit (Spark's WRITE
 * operation, parameters and metrics — numFiles, numOutputRows, numOutputBytes —, conflict checks
 * and checkpoint as lml_delta_write); *version (may be NULL) receives the new version. LML_EINVAL
 * when no batch was written. Frees w whatever happens. */
LML_API bool lml_delta_writer_commit(lml_delta_writer *w, int64_t *version, lml_error *err);
/* Abandons the write: the table is unchanged (files already written stay unreferenced, for
 * VACUUM). Frees w; NULL is a no-op. */
LML_API void lml_delta_writer_abort(lml_delta_writer *w);

/* RESTORE TABLE … TO VERSION AS OF v / TIMESTAMP AS OF t: a new commit (operation RESTORE, Spark's
 * metrics) re-adding the files live at that version and removing the ones live now but not
 * then, with that version's metadata. Errors: the version or timestamp cannot be travelled to
 * (LML_ENOTFOUND), a file to restore no longer exists (LML_ENOTFOUND naming it), a conflict. */
LML_API bool lml_delta_restore_to_version(const char *path, int64_t target, int64_t *version, lml_error *err);
LML_API bool lml_delta_restore_to_timestamp(const char *path, const char *timestamp, int64_t *version, lml_error *err);

/* ---------------------------------------------------------------- DML and maintenance */

/* Options shared by DELETE, UPDATE, MERGE and OPTIMIZE; NULL or a zeroed struct = Delta's
 * defaults. */
typedef struct lml_delta_dml_options {
    /* Idempotent writes (Spark's txnAppId / txnVersion, streaming's exactly-once): the operation
     * commits a txn(app_id, version) action with its changes, and is skipped (nothing read or
     * written, result.skipped set) when the table already holds a transaction of this
     * application id at this version or later. */
    const char *txn_app_id;
    int64_t txn_version;
    const char *user_metadata;       /* commitInfo.userMetadata */
} lml_delta_dml_options;

/* What an operation did. As Spark counts them for DELETE / UPDATE / MERGE, a file re-added with
 * a new deletion vector counts in numDeletionVectorsAdded (or …Updated when it had one), not in
 * the added / removed file counts, which count whole files written and removed. */
typedef struct lml_delta_result {
    int64_t version;  /* the version committed, or the table's version when nothing was committed */
    bool committed;   /* false when the operation changed nothing (no commit, as Delta) */
    bool skipped;     /* the txn_app_id/txn_version was already committed */
    /* The operationMetrics committed (Spark's keys; values as JSON strings, as in commitInfo),
     * a JSON object text; computed even when nothing was committed. malloc'd. */
    char *metrics;
} lml_delta_result;
LML_API void lml_delta_result_clear(lml_delta_result *r);

/* DELETE FROM path WHERE condition (NULL or "" = every row): a SQL boolean expression over the
 * table's columns (include/lakeml/expr.h). Rows where it is true are removed; rows where it is
 * false or NULL stay. Only files whose partition values and statistics allow a match are read;
 * a condition on partition columns only removes whole files. Copy-on-write (a touched file is
 * rewritten without its deleted rows) unless the table has delta.enableDeletionVectors=true,
 * then the deleted rows are marked in a deletion vector and the file is kept. With
 * delta.enableChangeDataFeed=true the deleted rows are written to _change_data/. One commit
 * (operation DELETE, Spark's parameters and metrics), conflicts as Delta. Errors: the
 * expression's (LML_EINVAL/LML_ENOTFOUND/LML_ETYPE with the position), LML_ECONFLICT,
 * LML_EUNSUPPORTED (a table feature lakeml cannot write), I/O. The table is unchanged on failure. */
LML_API bool lml_delta_delete(const char *path, const char *condition, const lml_delta_dml_options *opt,
                              lml_delta_result *out, lml_error *err);

/* UPDATE path SET col = expr, … WHERE condition: `set` is col, expr, col, expr, …, NULL (each
 * expression over the row's current values, cast to the column's type as Spark does; a value that
 * does not fit is LML_ETYPE naming the column). NULL/"" condition = every row. Updated rows are
 * rewritten (copy-on-write), or with deletion vectors marked deleted in the old file and written
 * to a new one; CDF: update_preimage + update_postimage. Operation UPDATE. */
LML_API bool lml_delta_update(const char *path, const char *condition, const char *const *set,
                              const lml_delta_dml_options *opt, lml_delta_result *out, lml_error *err);

/* MERGE INTO target USING source ON condition, built clause by clause as Delta's
 * DeltaTable.alias(t).merge(source.alias(s), condition).whenMatched…().execute(). */
typedef struct lml_delta_merge lml_delta_merge;
/* target_alias / source_alias may be NULL (then columns are qualified by nothing). The source
 * frame is borrowed until execute. Errors: the condition's syntax. */
LML_API lml_delta_merge *lml_delta_merge_new(const char *path, const char *target_alias, const lml_frame *source,
                                            const char *source_alias, const char *condition, lml_error *err);
LML_API void lml_delta_merge_free(lml_delta_merge *m);
/* Clauses, evaluated in the order added within their kind: the first whose condition (NULL = none)
 * holds fires. Only the last clause of a kind may omit its condition (LML_EINVAL otherwise).
 * `set` / `values` are col, expr, …, NULL; expressions of MATCHED and NOT MATCHED BY SOURCE
 * clauses see target and source (BY SOURCE: target only), of NOT MATCHED clauses the source. */
LML_API bool lml_delta_merge_when_matched_update(lml_delta_merge *m, const char *condition, const char *const *set,
                                                 lml_error *err);
LML_API bool lml_delta_merge_when_matched_update_all(lml_delta_merge *m, const char *condition, lml_error *err);
LML_API bool lml_delta_merge_when_matched_delete(lml_delta_merge *m, const char *condition, lml_error *err);
LML_API bool lml_delta_merge_when_not_matched_insert(lml_delta_merge *m, const char *condition,
                                                     const char *const *values, lml_error *err);
LML_API bool lml_delta_merge_when_not_matched_insert_all(lml_delta_merge *m, const char *condition, lml_error *err);
LML_API bool lml_delta_merge_when_not_matched_by_source_update(lml_delta_merge *m, const char *condition,
                                                               const char *const *set, lml_error *err);
LML_API bool lml_delta_merge_when_not_matched_by_source_delete(lml_delta_merge *m, const char *condition,
                                                               lml_error *err);
/* Delta's withSchemaEvolution(): UpdateAll / InsertAll add source columns the table lacks. */
LML_API void lml_delta_merge_with_schema_evolution(lml_delta_merge *m);
/* Runs the merge: one commit (operation MERGE, Spark's parameters and metrics). More than one
 * source row matching a target row that a MATCHED clause would change is LML_EINVAL with Delta's
 * DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE message; nothing is written then. Only
 * candidate files are read (partition pruning and min/max skipping on the condition's target-only
 * conjuncts), only files with changed rows are rewritten (or get deletion vectors), inserted rows
 * go to new files. Does not free m. */
LML_API bool lml_delta_merge_execute(lml_delta_merge *m, const lml_delta_dml_options *opt, lml_delta_result *out,
                                     lml_error *err);

/* OPTIMIZE path [WHERE partition predicate] [ZORDER BY (cols)]. */
typedef struct lml_delta_optimize_options {
    const char *where;               /* SQL over partition columns only (LML_EINVAL otherwise), or NULL */
    const char *const *zorder_by;    /* NULL-terminated data columns, or NULL = bin-packing compaction */
    /* Target output size (Spark's optimize.maxFileSize; files of at least min_file_size are left
     * alone). 0 = the table's delta.targetFileSize when set, else Spark's 1 GiB. */
    int64_t max_file_size;
    int64_t min_file_size;
    const lml_delta_dml_options *dml;
} lml_delta_optimize_options;
/* Compacts small files (and files whose deletion vectors delete more than 5% of their rows) of
 * each partition into files near max_file_size, or with zorder_by rewrites each selected
 * partition's files clustered along Spark's Z-order curve; removes and adds carry dataChange=false
 * (operation OPTIMIZE, Spark's parameters and metrics). Rows are streamed a row group at a time:
 * memory stays about one output row group plus one input row group whatever the table's size
 * (Z-order: one sort key and row position per row, 4·n + 8 bytes for n columns; the outputs share
 * one row group's worth of buffer). Nothing to do commits nothing (out->committed false, metrics
 * still set). Z-order columns must be data columns (a partition column is LML_EINVAL, an unknown
 * one LML_ENOTFOUND, as Spark's DELTA_ZORDERING_* errors); rows of a partition are cut into
 * max(1, bytes / max_file_size) files of equal row counts, ordered by exact per-column range ids
 * (0…999). Conflicts: a concurrent commit that removed an input file, or changed metadata or
 * protocol, is LML_ECONFLICT; concurrent appends are not. out->metrics is malloc'd. */
LML_API bool lml_delta_optimize(const char *path, const lml_delta_optimize_options *opt, lml_delta_result *out,
                                lml_error *err);

/* VACUUM path [RETAIN n HOURS] [DRY RUN]. */
typedef struct lml_delta_vacuum_options {
    bool has_retention_hours;        /* false: the table's delta.deletedFileRetentionDuration (7 days) */
    double retention_hours;
    bool dry_run;
    /* Spark's spark.databricks.delta.retentionDurationCheck.enabled=false: allow a retention
     * shorter than the table's. */
    bool disable_retention_check;
} lml_delta_vacuum_options;
/* Deletes the files under the table (data, deletion-vector and _change_data files, in any
 * directory but hidden ones) that no version inside the retention still references and that are
 * older than it, then directories left empty; never _delta_log or other names starting with '_'
 * or '.'. A retention below the table's is LML_EINVAL (DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT)
 * unless disable_retention_check; a negative one always is. Commits VACUUM START and VACUUM END
 * (Spark's parameters and metrics) around the deletion; a dry run deletes and commits nothing.
 * As Spark, the hours are rounded to a whole number first, and a directory is a candidate when it
 * holds no file older than the retention (it goes only if it is empty by then).
 * *files (may be NULL) receives one row per path deleted (or, in a dry run, that would be;
 * directories included, as Spark's DRY RUN lists them), column `path` (absolute), sorted.
 * out (may be NULL): version = VACUUM END's (the table's for a dry run), metrics =
 * numFilesToDelete, sizeOfDataToDelete and, when not a dry run, numDeletedFiles and
 * numVacuumedDirectories. A file that cannot be deleted is logged and skipped, as Spark does. */
LML_API bool lml_delta_vacuum(const char *path, const lml_delta_vacuum_options *opt, lml_frame **files,
                              lml_delta_result *out, lml_error *err);

/* ---- Change Data Feed (delta.enableChangeDataFeed) */

/* Which changes to read: versions [starting_version, ending_version] (Spark's startingVersion /
 * endingVersion; has_ending_version false = up to the latest), or timestamps
 * (startingTimestamp / endingTimestamp, as timestampAsOf parses them) when set. */
typedef struct lml_delta_changes_options {
    int64_t starting_version;
    bool has_ending_version;
    int64_t ending_version;
    const char *starting_timestamp;
    const char *ending_timestamp;
} lml_delta_changes_options;
/* table_changes(path, start, end): the table's columns plus _change_type (insert, delete,
 * update_preimage, update_postimage), _commit_version (long) and _commit_timestamp (timestamp),
 * in version order: a version's cdc files when it has them, else its added files (dataChange)
 * as inserts and removed files as deletes, rows newly deleted by a deletion vector as deletes;
 * versions of dataChange=false actions only (OPTIMIZE) contribute nothing. Columns are the end
 * version's; _commit_timestamp is the in-commit timestamp or the commit file's mtime made
 * increasing, as history shows it. An ending version past the latest means the latest; a
 * startingTimestamp selects the first commit at or after it, an endingTimestamp the last at or
 * before it. Errors: start beyond the latest version, or a start the log can no longer rebuild,
 * LML_ENOTFOUND; end before start LML_EINVAL (DELTA_INVALID_CDC_RANGE); a version in the range
 * written while delta.enableChangeDataFeed was off LML_EINVAL (DELTA_MISSING_CHANGE_DATA); a file
 * VACUUM deleted LML_ENOTFOUND (DELTA_CHANGE_DATA_FILE_NOT_FOUND). opt must not be NULL. */
LML_API lml_frame *lml_delta_table_changes(const char *path, const lml_delta_changes_options *opt, lml_error *err);

/* Writes a checkpoint of the latest version now (and _last_checkpoint). */
LML_API bool lml_delta_checkpoint(const char *path, lml_error *err);

/* True when path is a directory holding a _delta_log directory. */
LML_API bool lml_delta_is_table(const char *path);

#ifdef __cplusplus
}
#endif

#endif

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
    /* With OVERWRITE: Spark's replaceWhere on partition columns — only files whose partition
     * values satisfy every predicate are replaced, and every row written must satisfy them. */
    const lml_parquet_predicate *replace_where;
    size_t num_replace_where;
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

/* Writes a checkpoint of the latest version now (and _last_checkpoint). */
LML_API bool lml_delta_checkpoint(const char *path, lml_error *err);

/* True when path is a directory holding a _delta_log directory. */
LML_API bool lml_delta_is_table(const char *path);

#ifdef __cplusplus
}
#endif

#endif

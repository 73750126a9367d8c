/* Writing checkpoints (delta.md §4.2, §4.4, §8.9): the state at a version as one Parquet file in
 * Spark's checkpoint schema, then _last_checkpoint. Internal header. */
#ifndef LML_DELTA_CHECKPOINT_H
#define LML_DELTA_CHECKPOINT_H

#include <stdbool.h>
#include <stdint.h>
#include "lakeml/frame.h"
#include "replay.h"
#include "storage.h"

/* ---- reading add / remove rows (checkpoint_files.c) */

/* The child columns of a checkpoint's add or remove struct column, looked up once. */
typedef struct lml_delta_file_cols {
    const lml_column *path, *partition_values, *size, *modification_time, *deletion_timestamp, *data_change,
        *extended, *stats, *tags, *base_row_id, *default_row_commit_version, *clustering_provider, *num_records, *dv,
        *dv_type, *dv_path, *dv_offset, *dv_size, *dv_cardinality, *dv_max_row;
} lml_delta_file_cols;

/* A child of a type no Delta writer uses is LML_EFORMAT naming it. */
bool lml_delta_file_cols_resolve(const lml_column *action, lml_delta_file_cols *c, lml_error *err);
/* Row r (non-null) as a file action, with the checks a commit line gets (path; for an add
 * partitionValues, size, modificationTime); numRecords from stats, else stats_parsed. */
bool lml_delta_file_from_row(const lml_delta_file_cols *c, size_t r, bool is_add, lml_delta_file *f, lml_error *err);

/* ---- writing (checkpoint_write.c) */

/* Writes <log_dir>/<version:020>.checkpoint.parquet holding every action of `state` — protocol,
 * metaData, txn, domainMetadata, live adds (with stats as JSON), and the removes still in the
 * state whose deletionTimestamp is at or after `tombstone_cutoff_ms` — in Spark 3.5's column
 * layout (txn, add, remove, metaData, protocol, domainMetadata; every struct and field optional;
 * maps as MAP key_value; arrays as 3-level LIST), written atomically (temporary name, rename).
 * Then replaces <log_dir>/_last_checkpoint with {"version","size","sizeInBytes","numOfAddFiles",
 * "checksum"} (checksum per §4.2). */
bool lml_delta_checkpoint_write(const lml_storage *st, const char *log_dir, const lml_delta_state *state,
                                int64_t tombstone_cutoff_ms, lml_error *err);

#endif

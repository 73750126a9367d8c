/* Writing checkpoints (delta.md §4.2, §4.4, §8.9): the state at a version as one Parquet file in
 * Spark's checkpoint schema, then _last_checkpoint. Internal header. */
#ifndef LML_DELTA_CHECKPOINT_H
#define LML_DELTA_CHECKPOINT_H

#include <stdbool.h>
#include <stdint.h>
#include "replay.h"
#include "storage.h"

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

/* Snapshot reconstruction (delta.md §4.3): the table state at one version from a checkpoint and
 * the commits after it. Internal header. */
#ifndef LML_DELTA_REPLAY_H
#define LML_DELTA_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "actions.h"
#include "log.h"

typedef struct lml_delta_state {
    int64_t version;
    lml_delta_protocol protocol;
    lml_delta_metadata metadata;
    size_t nfiles;
    lml_delta_file *files;      /* live add actions, sorted by path (then DV id) */
    size_t ntombstones;
    lml_delta_file *tombstones; /* remove actions still in the state */
    size_t ntxns;
    lml_delta_txn *txns;        /* latest version per appId */
    size_t ndomains;
    lml_delta_domain *domains;  /* live (not removed) domains */
    bool has_ict;
    int64_t in_commit_timestamp; /* commitInfo.inCommitTimestamp of the version, when present */
} lml_delta_state;

/* Receives one action; it may take the action's contents (moving pointers out and zeroing
 * them) — whatever is left is cleared by the caller. */
typedef bool (*lml_delta_emit_fn)(void *ctx, lml_delta_action *a, lml_error *err);

/* Every action of a commit file, in order; errors name the file and line. */
bool lml_delta_commit_read(const lml_storage *st, const char *path, lml_delta_emit_fn emit, void *ctx, lml_error *err);
/* Every action of the segment's checkpoint (classic and multi-part Parquet, V2 JSON or Parquet
 * with their sidecars); errors name the file. (checkpoint_read.c) */
bool lml_delta_checkpoint_read(const lml_storage *st, const lml_delta_log *log, const lml_delta_segment *seg,
                               lml_delta_emit_fn emit, void *ctx, lml_error *err);

/* Replays the segment. A state without protocol or metaData is LML_EFORMAT; a protocol this
 * reader cannot honour is LML_EUNSUPPORTED naming the version or features (§5.3), reported
 * before a missing metaData. */
bool lml_delta_replay(const lml_storage *st, const lml_delta_log *log, const lml_delta_segment *seg,
                      lml_delta_state *out, lml_error *err);
void lml_delta_state_clear(lml_delta_state *s);

/* Reader features lakeml implements (§5.3). */
bool lml_delta_reader_supports(const lml_delta_protocol *p, lml_error *err);

#endif

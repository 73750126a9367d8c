/* The files of a Delta log (delta.md §1, §4.1): which checkpoint and which commits rebuild a
 * version, from a listing of _delta_log. Internal header. */
#ifndef LML_DELTA_LOG_H
#define LML_DELTA_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lakeml/error.h"
#include "storage.h"

typedef enum lml_delta_cp_kind {
    LML_CP_CLASSIC,   /* N.checkpoint.parquet */
    LML_CP_MULTIPART, /* N.checkpoint.P.T.parquet, parts 1..T */
    LML_CP_V2_JSON,   /* N.checkpoint.<uuid>.json */
    LML_CP_V2_PARQUET /* N.checkpoint.<uuid>.parquet */
} lml_delta_cp_kind;

typedef struct lml_delta_commit_file {
    int64_t version;
    char *path;       /* full path of N.json */
    int64_t mtime_ms;
    uint64_t size;
} lml_delta_commit_file;

/* Everything one listing of _delta_log tells. */
typedef struct lml_delta_log {
    char *root;                     /* table root */
    char *log_dir;                  /* <root>/_delta_log */
    size_t ncommits;
    lml_delta_commit_file *commits; /* ascending by version */
    size_t ncheckpoints;
    struct lml_delta_cp {
        int64_t version;
        lml_delta_cp_kind kind;
        int part, parts;
        char *path;
        uint64_t size;
    } *checkpoints;                 /* ascending by version, then name */
} lml_delta_log;

/* The files that rebuild one version: a checkpoint (possibly none) and the commits after it. */
typedef struct lml_delta_segment {
    int64_t version;
    int64_t checkpoint_version;     /* -1: replay from version 0 */
    lml_delta_cp_kind checkpoint_kind;
    size_t ncheckpoint_files;
    const char **checkpoint_files;  /* borrowed from the log; multi-part in part order */
    size_t ncommits;
    const lml_delta_commit_file *commits; /* borrowed: versions checkpoint_version + 1 .. version */
} lml_delta_segment;

/* Lists <root>/_delta_log (names that match none of §1's patterns are ignored: temporary
 * files, Hadoop .crc sidecars, _staged_commits). A root without _delta_log, or a log with no
 * commit and no checkpoint, is LML_ENOTFOUND ("not a Delta table"). */
bool lml_delta_log_list(const lml_storage *st, const char *root, lml_delta_log *out, lml_error *err);
void lml_delta_log_clear(lml_delta_log *log);

/* The newest version the log can rebuild (highest commit or checkpoint version). */
int64_t lml_delta_log_latest(const lml_delta_log *log);
/* The oldest version the log can rebuild: 0 when every commit from 0 is there, else the oldest
 * complete checkpoint's version (older commits were cleaned up); -1 when none. */
int64_t lml_delta_log_earliest(const lml_delta_log *log);
/* The files that rebuild `version` (§4.1): the newest complete checkpoint at or below it, then
 * the commits above it, which must be contiguous. A version above the latest or below the
 * earliest is LML_ENOTFOUND with Spark's "Cannot time travel … Available versions: [a, b]";
 * a missing commit in the needed range is LML_EFORMAT naming the versions. */
bool lml_delta_log_segment(const lml_delta_log *log, int64_t version, lml_delta_segment *seg, lml_error *err);
void lml_delta_segment_clear(lml_delta_segment *seg);

#endif

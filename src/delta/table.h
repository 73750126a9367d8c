/* The opened table (lml_delta_table) shared by table.c, timetravel.c, scan.c and info.c.
 * Internal header. */
#ifndef LML_DELTA_TABLE_H
#define LML_DELTA_TABLE_H

#include "lakeml/delta.h"
#include "log.h"
#include "replay.h"
#include "schema.h"
#include "storage.h"

typedef enum lml_delta_mapping { LML_MAPPING_NONE, LML_MAPPING_NAME, LML_MAPPING_ID } lml_delta_mapping;

struct lml_delta_table {
    const lml_storage *st;
    lml_delta_log log;
    lml_delta_state state;
    lml_delta_schema schema;
    lml_delta_mapping mapping;
    int64_t latest;
};

/* Commit timestamps (ms) of versions [from, to] that have commit files, as timestampAsOf and
 * history see them: inCommitTimestamp where the table enables it, else the file's mtime made
 * strictly increasing. ts[i] belongs to version from + i; versions without a commit file get
 * INT64_MIN. (timetravel.c) */
bool lml_delta_commit_timestamps(const lml_delta_table *t, int64_t from, int64_t to, int64_t *ts, lml_error *err);
/* A timestamp option ("yyyy-MM-dd", or a timestamp form lml_delta_pvalue_parse accepts) as µs
 * since the epoch; `what` names the option in the error. (timetravel.c) */
bool lml_delta_parse_time(const char *what, const char *text, int64_t *us, lml_error *err);
/* A Delta duration property ("interval 1 week", "interval 2 days 12 hours", "1 week": Spark's
 * CalendarInterval text without months or years) in milliseconds, as Spark's
 * DeltaConfigs.getMilliSeconds counts it; LML_EINVAL naming `what` and the text otherwise.
 * (vacuum_list.c) */
bool lml_delta_interval_ms(const char *text, const char *what, int64_t *ms, lml_error *err);
/* The version timestampAsOf `text` selects (Spark's rule, §9). */
bool lml_delta_version_at(const lml_delta_table *t, const char *text, int64_t *version, lml_error *err);
/* Idempotent writes (Spark's txnAppId / txnVersion): true when the table holds a transaction of
 * app_id (NULL: none) at `version` or later, so the write is already done. */
bool lml_delta_txn_done(const lml_delta_table *t, const char *app_id, int64_t version);
/* The physical (file) name of a top-level field under the table's column mapping. */
const char *lml_delta_physical_name(const lml_delta_table *t, const lml_delta_field *f);

#endif

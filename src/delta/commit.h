/* Committing a transaction to a Delta log (delta.md §8.1, §8.2): put-if-absent of the next
 * version, and on a lost race Delta's conflict checks against each winning commit before trying
 * the version after it. Internal header. */
#ifndef LML_DELTA_COMMIT_H
#define LML_DELTA_COMMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "actions.h"
#include "storage.h"

struct lml_delta_skip_filter;

typedef struct lml_delta_tx {
    const char *root;            /* table root */
    int64_t read_version;        /* the snapshot the transaction read; -1 when creating the table */
    /* What the transaction read, for the conflict checks: the whole table (an overwrite), or
     * nothing at all (a blind append). */
    bool read_whole_table;
    bool blind_append;
    bool changes_metadata;       /* carries protocol or metaData */
    const char *app_id;          /* txn appId it sets, or NULL */
    /* DELETE / UPDATE / MERGE (§8.2): the files the transaction read (log paths) and the read
     * predicate (an AND of skip filters). With check_read_predicate, a winning add that these
     * filters cannot rule out is a concurrent append into the region read (no filters: any add
     * is); a winning remove of a file read is a delete-read conflict. */
    const char *const *read_paths;
    size_t nread_paths;
    bool check_read_predicate;
    const struct lml_delta_skip_filter *read_filters;
    size_t nread_filters;
    lml_delta_action *actions;   /* protocol/metaData/txn/add/remove, in that order; commitInfo is added */
    size_t nactions;
    /* commitInfo */
    const char *operation;       /* Spark's name: "WRITE", "CREATE TABLE", "RESTORE", … */
    const char *parameters;      /* operationParameters: a JSON object text */
    const char *metrics;         /* operationMetrics: a JSON object text (values as strings) */
    const char *user_metadata;   /* or NULL */
    /* commitInfo.isolationLevel: NULL = "Serializable"; "SnapshotIsolation" for commits whose
     * file actions all have dataChange=false (OPTIMIZE) or that have none (VACUUM). */
    const char *isolation_level;
    bool ict;                    /* write inCommitTimestamp (the table enables in-commit timestamps) */
    int64_t previous_ict;        /* the read version's inCommitTimestamp (ICT must increase) */
} lml_delta_tx;

/* Commits the transaction as version read_version + 1, or a later one when other writers won
 * the race and none of their commits conflicts (blind appends never do). A conflict is
 * LML_ECONFLICT naming the winning version, its operation and Spark's exception
 * (DELTA_CONCURRENT_APPEND, …); creating a table that another writer created meanwhile is
 * LML_ECONFLICT too. *version receives the committed version. */
bool lml_delta_commit(const lml_storage *st, const lml_delta_tx *txn, int64_t *version, lml_error *err);

/* A random (version 4) UUID in canonical text form. */
void lml_delta_uuid(char out[37]);

#endif

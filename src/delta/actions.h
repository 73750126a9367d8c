/* Delta log actions (delta.md §2) as C structs: parsed from commit JSON lines and checkpoint
 * rows, serialized back into commit lines. Internal header. */
#ifndef LML_DELTA_ACTIONS_H
#define LML_DELTA_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lakeml/error.h"
#include "dv.h"

/* A map<string,string> with null values allowed (partitionValues, configuration, tags). */
typedef struct lml_delta_map {
    size_t n;
    char **keys;
    char **values; /* NULL entry: a null value */
} lml_delta_map;

typedef struct lml_delta_protocol {
    int min_reader, min_writer;
    bool has_reader_features, has_writer_features;
    lml_delta_map reader_features, writer_features; /* names as keys, values NULL */
} lml_delta_protocol;

typedef struct lml_delta_metadata {
    char *id, *name, *description, *provider;
    char *schema_string;
    size_t npartition;
    char **partition_columns;
    lml_delta_map configuration;
    lml_delta_map format_options;
    bool has_created_time;
    int64_t created_time;
} lml_delta_metadata;

typedef struct lml_delta_dv {
    bool present;
    char storage_type;
    char *path_or_inline;
    bool has_offset;
    int64_t offset, size_in_bytes, cardinality;
    bool has_max_row_index;
    int64_t max_row_index;
} lml_delta_dv;

/* add, remove and cdc share one shape (remove leaves stats/tags unset; only add is live). */
typedef struct lml_delta_file {
    char *path;                 /* as in the log: URI-encoded, relative or absolute */
    lml_delta_map partition_values;
    bool has_partition_values;
    bool has_size;
    int64_t size;
    int64_t modification_time;  /* add */
    bool has_deletion_timestamp;
    int64_t deletion_timestamp; /* remove */
    bool data_change;
    bool extended_file_metadata; /* remove */
    char *stats;                /* add.stats JSON text, or NULL */
    int64_t num_records;        /* from stats or stats_parsed; -1 when unknown */
    lml_delta_map tags;
    bool has_tags;
    lml_delta_dv dv;
    bool has_base_row_id, has_default_row_commit_version;
    int64_t base_row_id, default_row_commit_version;
    char *clustering_provider;
} lml_delta_file;

typedef struct lml_delta_txn {
    char *app_id;
    int64_t version;
    bool has_last_updated;
    int64_t last_updated;
} lml_delta_txn;

typedef struct lml_delta_domain {
    char *domain, *configuration;
    bool removed;
} lml_delta_domain;

typedef struct lml_delta_sidecar {
    char *path;
    int64_t size_in_bytes, modification_time;
} lml_delta_sidecar;

typedef enum lml_delta_action_kind {
    LML_DA_NONE, /* an unknown action: ignored */
    LML_DA_PROTOCOL,
    LML_DA_METADATA,
    LML_DA_ADD,
    LML_DA_REMOVE,
    LML_DA_CDC,
    LML_DA_TXN,
    LML_DA_DOMAIN,
    LML_DA_COMMIT_INFO,
    LML_DA_CHECKPOINT_METADATA,
    LML_DA_SIDECAR
} lml_delta_action_kind;

typedef struct lml_delta_action {
    lml_delta_action_kind kind;
    union {
        lml_delta_protocol protocol;
        lml_delta_metadata metadata;
        lml_delta_file file; /* add, remove, cdc */
        lml_delta_txn txn;
        lml_delta_domain domain;
        lml_delta_sidecar sidecar;
        struct {
            char *json;         /* the whole commitInfo object, compact */
            bool has_timestamp, has_ict;
            int64_t timestamp, in_commit_timestamp;
            char *operation;
        } commit_info;
        struct {
            int64_t version;
        } checkpoint_metadata;
    } u;
} lml_delta_action;

/* Parses one commit line (a JSON object with one action key). Unknown action keys give
 * LML_DA_NONE; missing required fields and wrong JSON types are LML_EFORMAT naming the action
 * and field (the caller prefixes file and line). */
bool lml_delta_action_parse(const char *line, size_t len, lml_delta_action *out, lml_error *err);
/* The same from a parsed JSON object (a checkpoint row converted to JSON, say). */
struct cJSON;
/* True when v is a JSON number holding an integer within ±2^53 (where doubles are exact);
 * *out receives it. Anything else — a fraction, 1e300, a string — is false, never cast. */
bool lml_delta_json_int(const struct cJSON *v, int64_t *out);
bool lml_delta_action_from_json(const struct cJSON *root, lml_delta_action *out, lml_error *err);
void lml_delta_action_clear(lml_delta_action *a);
/* Makes the pushed action a the remove of live file f (Spark's removeWithTimestamp: the add's
 * path, partition values, size and deletion vector, no stats or tags, extendedFileMetadata),
 * deleted at now_ms; on failure a becomes LML_DA_NONE. */
bool lml_delta_remove_of(lml_delta_action *a, const lml_delta_file *f, int64_t now_ms, bool data_change,
                         lml_error *err);
/* Appends a zeroed action of `kind` to a growing array (*n used of *cap); NULL on ENOMEM. */
lml_delta_action *lml_delta_actions_push(lml_delta_action **arr, size_t *n, size_t *cap, lml_delta_action_kind kind,
                                         lml_error *err);

/* Deep copies (for snapshots that outlive the actions they were built from). */
bool lml_delta_file_copy(const lml_delta_file *src, lml_delta_file *dst, lml_error *err);
void lml_delta_file_clear(lml_delta_file *f);
bool lml_delta_protocol_copy(const lml_delta_protocol *src, lml_delta_protocol *dst, lml_error *err);
void lml_delta_protocol_clear(lml_delta_protocol *p);
bool lml_delta_metadata_copy(const lml_delta_metadata *src, lml_delta_metadata *dst, lml_error *err);
void lml_delta_metadata_clear(lml_delta_metadata *m);
bool lml_delta_map_copy(const lml_delta_map *src, lml_delta_map *dst, lml_error *err);
void lml_delta_map_clear(lml_delta_map *m);
/* A map whose keys are the n names and whose values are all null (feature lists). */
bool lml_delta_map_from_keys(const char *const *keys, size_t n, lml_delta_map *m, lml_error *err);
/* The value for key (exact match), or NULL; *found tells a null value from an absent key. */
const char *lml_delta_map_get(const lml_delta_map *m, const char *key, bool *found);

/* ---- writing (actions_write.c) */

/* Appends the action as one commit line (JSON object + '\n') to sb, fields in the order Spark
 * writes them (delta.md §2; commitInfo's free-form object is written from commit_info.json as
 * is). Absent optional fields are omitted; partitionValues null values are JSON null; integers
 * are written exactly. LML_EINVAL for an action of kind NONE. */
struct lml_strbuf;
bool lml_delta_action_write(const lml_delta_action *a, struct lml_strbuf *sb, lml_error *err);

/* The logical-file key of §4.3: path, plus the DV's unique id when there is one. malloc'd. */
char *lml_delta_file_key(const lml_delta_file *f, lml_error *err);
/* numRecords from a stats JSON text; -1 when absent or unreadable. */
int64_t lml_delta_stats_num_records(const char *stats);

#endif

/* Opening a Delta table at a version (latest, versionAsOf, timestampAsOf) and the facts of the
 * snapshot it holds. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "../core/internal.h"
#include "../frame/internal.h"
#include "table.h"

/* Replays `version` into t's state, schema and mapping mode (replacing what was there). */
static bool load_version(lml_delta_table *t, int64_t version, lml_error *err) {
    lml_delta_state_clear(&t->state);
    lml_delta_schema_clear(&t->schema);
    lml_delta_segment seg;
    if (!lml_delta_log_segment(&t->log, version, &seg, err)) return false;
    bool ok = lml_delta_replay(t->st, &t->log, &seg, &t->state, err);
    lml_delta_segment_clear(&seg);
    if (!ok) return false;
    const lml_delta_metadata *m = &t->state.metadata;
    if (!m->schema_string)
        return lml_error_set(err, LML_EFORMAT, "%s: metaData at version %lld has no schemaString", t->log.root,
                             (long long)version);
    if (!lml_delta_schema_parse(m->schema_string, &t->schema, err)) {
        lml_error_prefix(err, "%s: metaData.schemaString", t->log.root);
        return false;
    }
    for (size_t i = 0; i < m->npartition; i++)
        if (lml_delta_schema_find(&t->schema, m->partition_columns[i]) < 0)
            return lml_error_set(err, LML_EFORMAT, "%s: partition column '%s' is not in the schema", t->log.root,
                                 m->partition_columns[i]);
    const char *mode = lml_delta_map_get(&m->configuration, "delta.columnMapping.mode", NULL);
    t->mapping = LML_MAPPING_NONE;
    if (mode && strcmp(mode, "name") == 0) t->mapping = LML_MAPPING_NAME;
    else if (mode && strcmp(mode, "id") == 0) t->mapping = LML_MAPPING_ID;
    else if (mode && strcmp(mode, "none") != 0)
        return lml_error_set(err, LML_EUNSUPPORTED, "%s: column mapping mode '%s'", t->log.root, mode);
    return true;
}

lml_delta_table *lml_delta_table_open(const char *path, const lml_delta_open_options *opt, lml_error *err) {
    static const lml_delta_open_options latest = {0};
    if (!opt) opt = &latest;
    if (!path) {
        lml_error_set(err, LML_EINVAL, "lml_delta_table_open: path is NULL");
        return NULL;
    }
    if (opt->has_version && opt->timestamp) {
        lml_error_set(err, LML_EINVAL, "%s: give either a version or a timestamp to time travel to, not both", path);
        return NULL;
    }
    lml_delta_table *t = calloc(1, sizeof *t);
    if (!t) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    t->st = lml_storage_local();
    bool ok = lml_delta_log_list(t->st, path, &t->log, err);
    if (ok) {
        t->latest = lml_delta_log_latest(&t->log);
        int64_t v = opt->has_version ? opt->version : t->latest;
        ok = load_version(t, v, err);
        /* The in-commit-timestamp properties of the latest metadata decide which clock a
         * timestamp is compared with, so the latest state comes first. */
        if (ok && opt->timestamp) ok = lml_delta_version_at(t, opt->timestamp, &v, err);
        if (ok && v != t->state.version) ok = load_version(t, v, err);
    }
    if (!ok) {
        lml_delta_table_free(t);
        return NULL;
    }
    return t;
}

void lml_delta_table_free(lml_delta_table *t) {
    if (!t) return;
    lml_delta_state_clear(&t->state);
    lml_delta_schema_clear(&t->schema);
    lml_delta_log_clear(&t->log);
    free(t);
}

const char *lml_delta_table_path(const lml_delta_table *t) { return t->log.root; }
int64_t lml_delta_table_version(const lml_delta_table *t) { return t->state.version; }
int64_t lml_delta_table_latest_version(const lml_delta_table *t) { return t->latest; }
size_t lml_delta_table_num_partition_columns(const lml_delta_table *t) { return t->state.metadata.npartition; }
const char *lml_delta_table_partition_column(const lml_delta_table *t, size_t i) {
    return i < t->state.metadata.npartition ? t->state.metadata.partition_columns[i] : NULL;
}
size_t lml_delta_table_num_files(const lml_delta_table *t) { return t->state.nfiles; }
const char *lml_delta_table_property(const lml_delta_table *t, const char *key) {
    return lml_delta_map_get(&t->state.metadata.configuration, key, NULL);
}
int lml_delta_table_min_reader_version(const lml_delta_table *t) { return t->state.protocol.min_reader; }
int lml_delta_table_min_writer_version(const lml_delta_table *t) { return t->state.protocol.min_writer; }

bool lml_delta_txn_done(const lml_delta_table *t, const char *app_id, int64_t version) {
    for (size_t i = 0; app_id && i < t->state.ntxns; i++)
        if (strcmp(t->state.txns[i].app_id, app_id) == 0 && t->state.txns[i].version >= version) return true;
    return false;
}

const char *lml_delta_physical_name(const lml_delta_table *t, const lml_delta_field *f) {
    return t->mapping != LML_MAPPING_NONE && f->physical_name ? f->physical_name : f->name;
}

lml_frame *lml_delta_table_schema(const lml_delta_table *t, lml_error *err) {
    size_t n = t->schema.nfields;
    lml_field *fields = calloc(n + 1, sizeof *fields);
    if (!fields) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        const lml_delta_field *f = &t->schema.fields[i];
        ok = (fields[i].name = lml_strdup(f->name, err)) && (fields[i].col = lml_delta_field_null_column(f, 0, err));
        if (ok && f->metadata && strcmp(f->metadata, "{}") != 0) ok = (fields[i].metadata = lml_strdup(f->metadata, err));
    }
    if (ok) return lml_frame_adopt(fields, n, err);
    for (size_t i = 0; i < n; i++) {
        free(fields[i].name);
        lml_column_free(fields[i].col);
        free(fields[i].metadata);
    }
    free(fields);
    return NULL;
}

bool lml_delta_is_table(const char *path) {
    if (!path) return false;
    lml_strbuf sb = {0};
    lml_strbuf_printf(&sb, "%s/_delta_log", path);
    char *p = lml_strbuf_finish(&sb, NULL);
    struct stat st;
    bool yes = p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
    free(p);
    return yes;
}

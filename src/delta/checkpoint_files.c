/* add and remove rows of a Parquet checkpoint straight from its columns. A checkpoint of a big
 * table is almost all file actions, so they skip the JSON round trip other actions take
 * (checkpoint_read.c): the child columns are looked up once per row group, and each row is
 * copied field by field with the same rules as a commit line. */
#include <stdlib.h>
#include <string.h>
#include "checkpoint.h"

/* Child `name` of struct col when it has type t (or t2); NULL when absent; *bad names a child
 * of another type (a damaged or foreign checkpoint). */
static const lml_column *child(const lml_column *col, const char *name, lml_type t, lml_type t2, const char **bad) {
    const lml_column *c = col ? lml_column_struct_field(col, name) : NULL;
    if (!c) return NULL;
    if (lml_column_type(c) != t && lml_column_type(c) != t2) {
        *bad = name;
        return NULL;
    }
    return c;
}

bool lml_delta_file_cols_resolve(const lml_column *action, lml_delta_file_cols *c, lml_error *err) {
    memset(c, 0, sizeof *c);
    const char *bad = NULL;
    c->path = child(action, "path", LML_STRING, LML_STRING, &bad);
    c->partition_values = child(action, "partitionValues", LML_MAP, LML_MAP, &bad);
    c->size = child(action, "size", LML_INT64, LML_INT32, &bad);
    c->modification_time = child(action, "modificationTime", LML_INT64, LML_INT32, &bad);
    c->deletion_timestamp = child(action, "deletionTimestamp", LML_INT64, LML_INT32, &bad);
    c->data_change = child(action, "dataChange", LML_BOOL, LML_BOOL, &bad);
    c->extended = child(action, "extendedFileMetadata", LML_BOOL, LML_BOOL, &bad);
    c->stats = child(action, "stats", LML_STRING, LML_STRING, &bad);
    c->tags = child(action, "tags", LML_MAP, LML_MAP, &bad);
    c->base_row_id = child(action, "baseRowId", LML_INT64, LML_INT32, &bad);
    c->default_row_commit_version = child(action, "defaultRowCommitVersion", LML_INT64, LML_INT32, &bad);
    c->clustering_provider = child(action, "clusteringProvider", LML_STRING, LML_STRING, &bad);
    const lml_column *sp = child(action, "stats_parsed", LML_STRUCT, LML_STRUCT, &bad);
    c->num_records = child(sp, "numRecords", LML_INT64, LML_INT32, &bad);
    c->dv = child(action, "deletionVector", LML_STRUCT, LML_STRUCT, &bad);
    c->dv_type = child(c->dv, "storageType", LML_STRING, LML_STRING, &bad);
    c->dv_path = child(c->dv, "pathOrInlineDv", LML_STRING, LML_STRING, &bad);
    c->dv_offset = child(c->dv, "offset", LML_INT32, LML_INT64, &bad);
    c->dv_size = child(c->dv, "sizeInBytes", LML_INT32, LML_INT64, &bad);
    c->dv_cardinality = child(c->dv, "cardinality", LML_INT64, LML_INT32, &bad);
    c->dv_max_row = child(c->dv, "maxRowIndex", LML_INT64, LML_INT32, &bad);
    if (bad) return lml_error_set(err, LML_EFORMAT, "checkpoint field '%s' has an unexpected type", bad);
    return true;
}

static bool get_i64(const lml_column *c, size_t r, int64_t *out) {
    if (!c || lml_column_is_null(c, r)) return false;
    *out = lml_column_type(c) == LML_INT64 ? lml_column_int64s(c)[r] : lml_column_int32s(c)[r];
    return true;
}

static bool get_str(const lml_column *c, size_t r, char **out, lml_error *err) {
    *out = NULL;
    if (!c || lml_column_is_null(c, r)) return true;
    size_t len;
    const char *s = lml_column_string_at(c, r, &len);
    if (memchr(s, 0, len)) return lml_error_set(err, LML_EFORMAT, "checkpoint string with a NUL byte");
    if (!(*out = malloc(len + 1))) return lml_error_set(err, LML_ENOMEM, "out of memory");
    memcpy(*out, s, len);
    (*out)[len] = 0;
    return true;
}

static bool get_map(const lml_column *c, size_t r, lml_delta_map *m, bool *has, lml_error *err) {
    memset(m, 0, sizeof *m);
    if (has) *has = false;
    if (!c || lml_column_is_null(c, r)) return true;
    const int32_t *off = lml_column_offsets(c);
    const lml_column *ks = lml_column_map_keys(c), *vs = lml_column_map_values(c);
    size_t n = (size_t)(off[r + 1] - off[r]);
    if (lml_column_type(ks) != LML_STRING || lml_column_type(vs) != LML_STRING)
        return lml_error_set(err, LML_EFORMAT, "checkpoint map that is not map<string,string>");
    m->keys = calloc(n + 1, sizeof *m->keys);
    m->values = calloc(n + 1, sizeof *m->values);
    if (!m->keys || !m->values) return lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t j = 0; j < n; j++) {
        m->n = j + 1; /* what is filled so far is freed with the file on failure */
        if (!get_str(ks, (size_t)off[r] + j, &m->keys[j], err) || !get_str(vs, (size_t)off[r] + j, &m->values[j], err))
            return false;
        if (!m->keys[j]) return lml_error_set(err, LML_EFORMAT, "checkpoint map with a null key");
    }
    if (has) *has = true;
    return true;
}

bool lml_delta_file_from_row(const lml_delta_file_cols *c, size_t r, bool is_add, lml_delta_file *f, lml_error *err) {
    memset(f, 0, sizeof *f);
    f->num_records = -1;
    bool ok = get_str(c->path, r, &f->path, err) &&
              get_map(c->partition_values, r, &f->partition_values, &f->has_partition_values, err) &&
              get_str(c->stats, r, &f->stats, err) && get_map(c->tags, r, &f->tags, &f->has_tags, err) &&
              get_str(c->clustering_provider, r, &f->clustering_provider, err);
    f->has_size = ok && get_i64(c->size, r, &f->size);
    f->data_change = !c->data_change || lml_column_is_null(c->data_change, r) || lml_column_bool_at(c->data_change, r);
    f->extended_file_metadata = c->extended && !lml_column_is_null(c->extended, r) && lml_column_bool_at(c->extended, r);
    f->has_base_row_id = get_i64(c->base_row_id, r, &f->base_row_id);
    f->has_default_row_commit_version = get_i64(c->default_row_commit_version, r, &f->default_row_commit_version);
    f->has_deletion_timestamp = get_i64(c->deletion_timestamp, r, &f->deletion_timestamp);
    if (ok && c->dv && !lml_column_is_null(c->dv, r)) {
        char *type = NULL;
        ok = get_str(c->dv_type, r, &type, err) && get_str(c->dv_path, r, &f->dv.path_or_inline, err);
        if (ok && (!type || !type[0] || type[1] || !f->dv.path_or_inline || !get_i64(c->dv_size, r, &f->dv.size_in_bytes) ||
                   !get_i64(c->dv_cardinality, r, &f->dv.cardinality)))
            ok = lml_error_set(err, LML_EFORMAT, "checkpoint deletionVector without storageType, pathOrInlineDv, "
                                                 "sizeInBytes or cardinality");
        if (ok) {
            f->dv.present = true;
            f->dv.storage_type = type[0];
            f->dv.has_offset = get_i64(c->dv_offset, r, &f->dv.offset);
            f->dv.has_max_row_index = get_i64(c->dv_max_row, r, &f->dv.max_row_index);
        }
        free(type);
    }
    if (ok && (!f->path || !f->path[0])) ok = lml_error_set(err, LML_EFORMAT, "checkpoint file action without a path");
    if (ok && is_add) {
        if (!f->has_partition_values || !f->has_size || !get_i64(c->modification_time, r, &f->modification_time))
            ok = lml_error_set(err, LML_EFORMAT, "checkpoint add '%s' without partitionValues, size or modificationTime",
                               f->path);
        f->num_records = lml_delta_stats_num_records(f->stats);
        int64_t nr;
        if (f->num_records < 0 && get_i64(c->num_records, r, &nr) && nr >= 0) f->num_records = nr;
    }
    if (!ok) lml_delta_file_clear(f);
    return ok;
}

/* Planning and writing the data of one Delta write: the table's schema and metadata after it
 * (new table, enforcement, mergeSchema, overwriteSchema), the rows in table order, the data
 * files per partition with their stats, and the actions the commit will carry. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "../core/internal.h"
#include "../frame/internal.h"
#include "../io/parquet/writer_internal.h"
#include "checkpoint.h"
#include "commit.h"
#include "pvalue.h"
#include "stats.h"
#include "write_internal.h"

#define DEFAULT_CHECKPOINT_INTERVAL 10
#define WEEK_MS (7LL * 24 * 3600 * 1000)

static bool truthy(const lml_delta_map *conf, const char *key) {
    const char *v = lml_delta_map_get(conf, key, NULL);
    return v && strcasecmp(v, "true") == 0;
}

bool lml_delta_field_has_type(const lml_delta_field *f, lml_type t) {
    if (f->type == t) return true;
    for (size_t i = 0; i < f->nchildren; i++)
        if (lml_delta_field_has_type(&f->children[i], t)) return true;
    return false;
}

lml_delta_action *lml_delta_plan_push(lml_delta_plan *p, lml_delta_action_kind kind, lml_error *err) {
    return lml_delta_actions_push(&p->actions, &p->nactions, &p->cap, kind, err);
}

bool lml_delta_mkdirs(const char *path, lml_error *err) {
    char *p = strdup(path);
    if (!p) return lml_error_set(err, LML_ENOMEM, "out of memory");
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            lml_error_set(err, LML_EIO, "cannot create directory %s: %s", p, strerror(errno));
            free(p);
            return false;
        }
        *s = '/';
    }
    bool ok = mkdir(p, 0755) == 0 || errno == EEXIST || lml_error_set(err, LML_EIO, "cannot create directory %s: %s", p,
                                                                      strerror(errno));
    free(p);
    return ok;
}

/* ---- protocol of a new table */

/* The protocol a new table needs for its schema and properties: Spark's 1/2 unless a feature
 * asks for table features (writer 7, and reader 3 when readers must know it too). */
static bool new_protocol(const lml_delta_schema *s, const lml_delta_map *conf, lml_delta_protocol *p, lml_error *err) {
    memset(p, 0, sizeof *p);
    p->min_reader = 1;
    p->min_writer = 2;
    bool ntz = false, dv = truthy(conf, "delta.enableDeletionVectors"), ict = truthy(conf, "delta.enableInCommitTimestamps");
    for (size_t i = 0; i < s->nfields; i++) ntz |= lml_delta_field_has_type(&s->fields[i], LML_TIMESTAMP_NTZ);
    bool cdf = truthy(conf, "delta.enableChangeDataFeed");
    if (!ntz && !dv && !ict) {
        /* A change data feed alone: Spark's legacy writer version 4. */
        if (cdf) p->min_writer = 4;
        return true;
    }
    const char *reader[2], *writer[6];
    size_t nr = 0, nw = 0;
    writer[nw++] = "appendOnly";
    writer[nw++] = "invariants";
    if (ntz) reader[nr++] = writer[nw++] = "timestampNtz";
    if (dv) reader[nr++] = writer[nw++] = "deletionVectors";
    if (ict) writer[nw++] = "inCommitTimestamp";
    if (cdf) writer[nw++] = "changeDataFeed";
    p->min_writer = 7;
    p->has_writer_features = true;
    if (nr) {
        p->min_reader = 3;
        p->has_reader_features = true;
        if (!lml_delta_map_from_keys(reader, nr, &p->reader_features, err)) return false;
    }
    return lml_delta_map_from_keys(writer, nw, &p->writer_features, err);
}

/* ---- metadata */

static bool set_partitioning(lml_delta_plan *p, const char *const *by, lml_error *err) {
    size_t n = 0;
    while (by && by[n]) n++;
    lml_delta_metadata *m = &p->metadata;
    for (size_t i = 0; i < m->npartition; i++) free(m->partition_columns[i]);
    free(m->partition_columns);
    m->npartition = 0;
    if (!(m->partition_columns = calloc(n + 1, sizeof *m->partition_columns)))
        return lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        long k = lml_delta_schema_find(&p->schema, by[i]);
        if (k < 0) return lml_error_set(err, LML_EINVAL, "%s: partition column '%s' is not in the data", p->root, by[i]);
        const lml_delta_field *f = &p->schema.fields[k];
        if (lml_type_is_nested(f->type) || f->type == LML_VECTOR)
            return lml_error_set(err, LML_EINVAL, "%s: partition column '%s' is of type %s, which cannot partition a table",
                                 p->root, by[i], lml_type_name(f->type));
        if (!(m->partition_columns[m->npartition++] = lml_strdup(f->name, err))) return false;
    }
    if (n && n == p->schema.nfields)
        return lml_error_set(err, LML_EINVAL, "%s: cannot use all columns for partition columns", p->root);
    return true;
}

static bool set_schema_string(lml_delta_plan *p, lml_error *err) {
    free(p->metadata.schema_string);
    return (p->metadata.schema_string = lml_delta_schema_to_json(&p->schema, err)) != NULL;
}

static bool create_metadata(lml_delta_plan *p, const lml_frame *f, lml_error *err) {
    const lml_delta_write_options *opt = p->opt;
    lml_delta_metadata *m = &p->metadata;
    char id[37];
    lml_delta_uuid(id);
    size_t nprops = 0;
    while (opt->properties && opt->properties[nprops]) nprops++;
    if (nprops % 2) return lml_error_set(err, LML_EINVAL, "%s: properties must come as key, value pairs", p->root);
    bool ok = lml_delta_schema_from_frame(f, &p->schema, err) && (m->id = lml_strdup(id, err)) &&
              (m->provider = lml_strdup("parquet", err)) &&
              (!opt->description || (m->description = lml_strdup(opt->description, err)));
    if (!ok) return false;
    m->has_created_time = true;
    m->created_time = lml_delta_now_ms();
    m->configuration.keys = calloc(nprops / 2 + 1, sizeof(char *));
    m->configuration.values = calloc(nprops / 2 + 1, sizeof(char *));
    if (!m->configuration.keys || !m->configuration.values) return lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t i = 0; i < nprops; i += 2) {
        const char *k = opt->properties[i], *v = opt->properties[i + 1];
        if (strcmp(k, "delta.checkpointInterval") == 0 && atoll(v) <= 0)
            return lml_error_set(err, LML_EINVAL, "%s: delta.checkpointInterval must be a positive integer, not '%s'",
                                 p->root, v);
        m->configuration.keys[m->configuration.n] = lml_strdup(k, err);
        m->configuration.values[m->configuration.n] = lml_strdup(v, err);
        if (!m->configuration.keys[m->configuration.n++] || !m->configuration.values[m->configuration.n - 1]) return false;
    }
    return set_partitioning(p, opt->partition_by, err) && set_schema_string(p, err) &&
           new_protocol(&p->schema, &m->configuration, &p->protocol, err);
}

static bool same_partitioning(const lml_delta_metadata *m, const char *const *by) {
    size_t n = 0;
    for (; by && by[n]; n++)
        if (n >= m->npartition || strcasecmp(by[n], m->partition_columns[n]) != 0) return false;
    return n == m->npartition;
}

/* The schema and metadata of an existing table after this write. */
static bool evolve_metadata(lml_delta_plan *p, const lml_frame *f, lml_error *err) {
    const lml_delta_table *t = p->table;
    const lml_delta_write_options *opt = p->opt;
    if (!lml_delta_writer_supports(t, err)) return false;
    if (opt->mode == LML_DELTA_OVERWRITE && truthy(&t->state.metadata.configuration, "delta.appendOnly"))
        return lml_error_set(err, LML_EUNSUPPORTED,
                             "%s: this table is configured to only allow appends (delta.appendOnly); an overwrite "
                             "would remove data (DELTA_CANNOT_MODIFY_APPEND_ONLY)",
                             p->root);
    if (!lml_delta_metadata_copy(&t->state.metadata, &p->metadata, err) ||
        !lml_delta_protocol_copy(&t->state.protocol, &p->protocol, err))
        return false;
    if (opt->mode == LML_DELTA_OVERWRITE && opt->overwrite_schema) {
        if (opt->replace_where)
            return lml_error_set(err, LML_EINVAL, "%s: overwriteSchema cannot be used with replaceWhere", p->root);
        p->new_metadata = true;
        return lml_delta_schema_from_frame(f, &p->schema, err) && set_partitioning(p, opt->partition_by, err) &&
               set_schema_string(p, err);
    }
    if (opt->partition_by && !same_partitioning(&t->state.metadata, opt->partition_by))
        return lml_error_set(err, LML_EINVAL,
                             "%s: the partition columns given differ from the table's; use overwriteSchema with mode "
                             "overwrite to change them",
                             p->root);
    if (!lml_delta_schema_check_write(&t->schema, f, opt->merge_schema, &p->schema, err)) {
        lml_error_prefix(err, "%s", p->root);
        return false;
    }
    char *before = lml_delta_schema_to_json(&t->schema, err), *after = before ? lml_delta_schema_to_json(&p->schema, err) : NULL;
    bool ok = after != NULL;
    if (ok && strcmp(before, after) != 0) { /* mergeSchema added or widened columns */
        p->new_metadata = true;
        free(p->metadata.schema_string);
        p->metadata.schema_string = after;
        after = NULL;
        for (size_t i = 0; i < p->schema.nfields; i++)
            if (lml_delta_field_has_type(&p->schema.fields[i], LML_TIMESTAMP_NTZ) && p->protocol.min_writer < 7)
                ok = lml_error_set(err, LML_EUNSUPPORTED,
                                   "%s: adding a timestamp_ntz column needs a protocol upgrade lakeml does not make",
                                   p->root);
    }
    free(before);
    free(after);
    return ok;
}

/* The input's columns in schema order; a table column the input lacks is all null. */
bool lml_delta_plan_conform(const lml_delta_plan *p, const lml_frame *f, lml_frame **out, lml_error *err) {
    size_t n = p->schema.nfields, rows = lml_frame_num_rows(f);
    lml_field *fields = calloc(n + 1, sizeof *fields);
    if (!fields) return lml_error_set(err, LML_ENOMEM, "out of memory");
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        const lml_delta_field *fd = &p->schema.fields[i];
        long k = -1;
        for (size_t c = 0; c < lml_frame_num_cols(f) && k < 0; c++)
            if (strcasecmp(lml_frame_column_name(f, c), fd->name) == 0) k = (long)c;
        ok = (fields[i].name = lml_strdup(fd->name, err)) != NULL;
        if (ok) fields[i].col = k >= 0 ? lml_column_retain(lml_frame_column(f, (size_t)k))
                                       : lml_delta_field_null_column(fd, rows, err);
        ok = ok && fields[i].col;
        if (ok && k >= 0 && lml_frame_column_metadata(f, (size_t)k))
            ok = (fields[i].metadata = lml_strdup(lml_frame_column_metadata(f, (size_t)k), err)) != NULL;
    }
    if (ok && (*out = lml_frame_adopt(fields, n, err))) return true;
    for (size_t i = 0; i < n; i++) {
        free(fields[i].name);
        free(fields[i].metadata);
        lml_column_free(fields[i].col);
    }
    free(fields);
    return false;
}

bool lml_delta_plan_init(lml_delta_plan *p, const lml_delta_table *t, const char *path, const lml_frame *f,
                         const lml_delta_write_options *opt, lml_error *err) {
    memset(p, 0, sizeof *p);
    p->table = t;
    p->opt = opt;
    size_t rl = strlen(path);
    while (rl > 1 && path[rl - 1] == '/') rl--;
    if (!(p->root = strndup(path, rl))) return lml_error_set(err, LML_ENOMEM, "out of memory");
    bool ok;
    if (!t) {
        p->new_metadata = p->new_protocol = true;
        lml_strbuf sb = {0};
        lml_strbuf_printf(&sb, "%s/_delta_log", p->root);
        char *log = lml_strbuf_finish(&sb, err);
        ok = log && create_metadata(p, f, err) && lml_delta_mkdirs(log, err);
        free(log);
    } else {
        ok = evolve_metadata(p, f, err);
    }
    if (ok) ok = lml_delta_plan_conform(p, f, &p->rows, err);
    lml_delta_action *a;
    if (ok && p->new_protocol) {
        ok = (a = lml_delta_plan_push(p, LML_DA_PROTOCOL, err)) && lml_delta_protocol_copy(&p->protocol, &a->u.protocol, err);
        if (!ok && a) a->kind = LML_DA_NONE;
    }
    if (ok && p->new_metadata) {
        ok = (a = lml_delta_plan_push(p, LML_DA_METADATA, err)) && lml_delta_metadata_copy(&p->metadata, &a->u.metadata, err);
        if (!ok && a) a->kind = LML_DA_NONE;
    }
    if (ok && opt->txn_app_id) {
        ok = (a = lml_delta_plan_push(p, LML_DA_TXN, err)) && (a->u.txn.app_id = lml_strdup(opt->txn_app_id, err));
        if (ok) {
            a->u.txn.version = opt->txn_version;
            a->u.txn.has_last_updated = true;
            a->u.txn.last_updated = lml_delta_now_ms();
        }
    }
    if (!ok) lml_delta_plan_clear(p);
    return ok;
}

bool lml_delta_plan_remove(lml_delta_plan *p, const lml_delta_file *f, int64_t now, lml_error *err) {
    lml_delta_action *a = lml_delta_plan_push(p, LML_DA_REMOVE, err);
    if (!a || !lml_delta_remove_of(a, f, now, true, err)) return false;
    p->files_removed++;
    p->bytes_removed += f->size;
    return true;
}

void lml_delta_plan_clear(lml_delta_plan *p) {
    for (size_t i = 0; i < p->nactions; i++) lml_delta_action_clear(&p->actions[i]);
    free(p->actions);
    lml_delta_schema_clear(&p->schema);
    lml_delta_metadata_clear(&p->metadata);
    lml_delta_protocol_clear(&p->protocol);
    lml_frame_free(p->rows);
    lml_delta_plan_pending_clear(p);
    free(p->root);
    memset(p, 0, sizeof *p);
}

char *lml_delta_plan_metrics(const lml_delta_plan *p, lml_error *err) {
    lml_strbuf sb = {0};
    lml_strbuf_printf(&sb, "{\"numFiles\":\"%lld\"", (long long)p->files_added);
    if (p->opt->mode == LML_DELTA_OVERWRITE && p->table)
        lml_strbuf_printf(&sb, ",\"numRemovedFiles\":\"%lld\",\"numRemovedBytes\":\"%lld\"", (long long)p->files_removed,
                          (long long)p->bytes_removed);
    lml_strbuf_printf(&sb, ",\"numOutputRows\":\"%lld\",\"numOutputBytes\":\"%lld\"}", (long long)p->rows_added,
                      (long long)p->bytes_added);
    return lml_strbuf_finish(&sb, err);
}

/* ---- checkpoints after a commit */

/* A checkpoint of the table's state, dropping tombstones older than
 * delta.deletedFileRetentionDuration (one week). */
static bool checkpoint_table(const lml_delta_table *t, lml_error *err) {
    const char *keep = lml_delta_map_get(&t->state.metadata.configuration, "delta.deletedFileRetentionDuration", NULL);
    /* The commit has landed already: an unreadable property keeps the default rather than
     * failing the write after the fact (VACUUM reports it). */
    int64_t keep_ms = WEEK_MS;
    lml_error ignored = {0};
    if (keep && !lml_delta_interval_ms(keep, "delta.deletedFileRetentionDuration", &keep_ms, &ignored)) keep_ms = WEEK_MS;
    return lml_delta_checkpoint_write(t->st, t->log.log_dir, &t->state, lml_delta_now_ms() - keep_ms, err);
}

bool lml_delta_maybe_checkpoint(const char *root, const lml_delta_metadata *m, int64_t v, lml_error *err) {
    (void)err;
    const char *iv = lml_delta_map_get(&m->configuration, "delta.checkpointInterval", NULL);
    int64_t interval = iv && atoll(iv) > 0 ? atoll(iv) : DEFAULT_CHECKPOINT_INTERVAL;
    if (v <= 0 || v % interval != 0) return true;
    /* The commit stands whatever happens here: a checkpoint only speeds up later reads, so a
     * failure is logged (Spark does the same), not returned. */
    lml_error e = {0};
    lml_delta_open_options o = {.has_version = true, .version = v};
    lml_delta_table *t = lml_delta_table_open(root, &o, &e);
    if (!t || !checkpoint_table(t, &e))
        LML_LOG_WARN("delta", "%s: checkpoint at version %lld not written: %s", root, (long long)v, e.message);
    lml_delta_table_free(t);
    return true;
}

bool lml_delta_checkpoint(const char *path, lml_error *err) {
    lml_delta_table *t = lml_delta_table_open(path, NULL, err);
    bool ok = t && checkpoint_table(t, err);
    lml_delta_table_free(t);
    return ok;
}

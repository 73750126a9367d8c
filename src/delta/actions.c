/* Commit lines → actions (delta.md §2). Unknown actions and unknown fields are ignored, as the
 * protocol requires; a known field of the wrong JSON type is an error, never a guess. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../core/internal.h"
#include "actions.h"

typedef struct pctx {
    const char *action;
    lml_error *err;
} pctx;

static bool bad(pctx *c, const char *field, const char *why) {
    return lml_error_set(c->err, LML_EFORMAT, "%s action: field '%s' %s", c->action, field, why);
}

/* Optional string field: *out NULL when absent or JSON null. */
static bool opt_str(pctx *c, const cJSON *o, const char *key, char **out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v)) return true;
    if (!cJSON_IsString(v)) return bad(c, key, "is not a string");
    return (*out = lml_strdup(v->valuestring, c->err)) != NULL;
}

static bool req_str(pctx *c, const cJSON *o, const char *key, char **out) {
    if (!opt_str(c, o, key, out)) return false;
    return *out ? true : bad(c, key, "is missing");
}

bool lml_delta_json_int(const cJSON *v, int64_t *out) {
    if (!cJSON_IsNumber(v)) return false;
    double d = v->valuedouble;
    if (d != floor(d) || fabs(d) > 9007199254740992.0) return false;
    *out = (int64_t)d;
    return true;
}

/* JSON numbers are doubles to cJSON: an integer field must be integral and within ±2^53, where
 * every integer is exact. */
static bool opt_i64(pctx *c, const cJSON *o, const char *key, bool *has, int64_t *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (has) *has = false;
    if (!v || cJSON_IsNull(v)) return true;
    if (!lml_delta_json_int(v, out)) return bad(c, key, "is not an integer");
    if (has) *has = true;
    return true;
}

static bool req_i64(pctx *c, const cJSON *o, const char *key, int64_t *out) {
    bool has;
    if (!opt_i64(c, o, key, &has, out)) return false;
    return has ? true : bad(c, key, "is missing");
}

static bool opt_bool(pctx *c, const cJSON *o, const char *key, bool dflt, bool *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = dflt;
    if (!v || cJSON_IsNull(v)) return true;
    if (!cJSON_IsBool(v)) return bad(c, key, "is not a boolean");
    *out = cJSON_IsTrue(v);
    return true;
}

/* map<string,string>; values may be null. A JSON array of strings (feature lists) also fills
 * keys with NULL values. */
static bool opt_map(pctx *c, const cJSON *o, const char *key, bool *has, lml_delta_map *m) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    memset(m, 0, sizeof *m);
    if (has) *has = false;
    if (!v || cJSON_IsNull(v)) return true;
    bool array = cJSON_IsArray(v);
    if (!cJSON_IsObject(v) && !array) return bad(c, key, "is not an object");
    int n = cJSON_GetArraySize(v);
    m->keys = calloc((size_t)n + 1, sizeof *m->keys);
    m->values = calloc((size_t)n + 1, sizeof *m->values);
    if (!m->keys || !m->values) return lml_error_set(c->err, LML_ENOMEM, "out of memory");
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        const char *k = array ? e->valuestring : e->string;
        if (array ? !cJSON_IsString(e) : !(cJSON_IsString(e) || cJSON_IsNull(e) || cJSON_IsNumber(e) || cJSON_IsBool(e)))
            return bad(c, key, array ? "holds a non-string entry" : "holds a non-string value");
        if (!(m->keys[m->n] = lml_strdup(k, c->err))) return false;
        m->n++;
        if (array || cJSON_IsNull(e)) continue;
        /* Some writers put numbers or booleans in string maps: keep their JSON text. */
        char *text = cJSON_IsString(e) ? lml_strdup(e->valuestring, c->err) : cJSON_PrintUnformatted(e);
        if (!text) return lml_error_set(c->err, LML_ENOMEM, "out of memory");
        m->values[m->n - 1] = text;
    }
    if (has) *has = true;
    return true;
}

static bool parse_protocol(pctx *c, const cJSON *o, lml_delta_protocol *p) {
    int64_t r = 0, w = 0;
    if (!req_i64(c, o, "minReaderVersion", &r) || !req_i64(c, o, "minWriterVersion", &w)) return false;
    if (r < 0 || r > INT32_MAX || w < 0 || w > INT32_MAX) return bad(c, "minReaderVersion", "is out of range");
    p->min_reader = (int)r;
    p->min_writer = (int)w;
    return opt_map(c, o, "readerFeatures", &p->has_reader_features, &p->reader_features) &&
           opt_map(c, o, "writerFeatures", &p->has_writer_features, &p->writer_features);
}

static bool parse_metadata(pctx *c, const cJSON *o, lml_delta_metadata *m) {
    if (!req_str(c, o, "id", &m->id) || !opt_str(c, o, "name", &m->name) ||
        !opt_str(c, o, "description", &m->description) || !opt_str(c, o, "schemaString", &m->schema_string) ||
        !opt_map(c, o, "configuration", NULL, &m->configuration) ||
        !opt_i64(c, o, "createdTime", &m->has_created_time, &m->created_time))
        return false;
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(o, "format");
    if (fmt && cJSON_IsObject(fmt)) {
        pctx fc = {"metaData.format", c->err};
        if (!opt_str(&fc, fmt, "provider", &m->provider) || !opt_map(&fc, fmt, "options", NULL, &m->format_options))
            return false;
    }
    const cJSON *pc = cJSON_GetObjectItemCaseSensitive(o, "partitionColumns");
    if (!pc || cJSON_IsNull(pc)) return true;
    if (!cJSON_IsArray(pc)) return bad(c, "partitionColumns", "is not an array");
    int n = cJSON_GetArraySize(pc);
    if (!(m->partition_columns = calloc((size_t)n + 1, sizeof *m->partition_columns)))
        return lml_error_set(c->err, LML_ENOMEM, "out of memory");
    const cJSON *e;
    cJSON_ArrayForEach(e, pc) {
        if (!cJSON_IsString(e)) return bad(c, "partitionColumns", "holds a non-string entry");
        if (!(m->partition_columns[m->npartition++] = lml_strdup(e->valuestring, c->err))) return false;
    }
    return true;
}

static bool parse_dv(pctx *c, const cJSON *o, lml_delta_dv *dv) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "deletionVector");
    if (!v || cJSON_IsNull(v)) return true;
    if (!cJSON_IsObject(v)) return bad(c, "deletionVector", "is not an object");
    pctx dc = {"deletionVector", c->err};
    char *st = NULL;
    if (!req_str(&dc, v, "storageType", &st)) return false;
    dv->storage_type = st[0] && !st[1] ? st[0] : '?';
    free(st);
    if (dv->storage_type == '?') return bad(&dc, "storageType", "is not one character");
    dv->present = true;
    return req_str(&dc, v, "pathOrInlineDv", &dv->path_or_inline) &&
           opt_i64(&dc, v, "offset", &dv->has_offset, &dv->offset) &&
           req_i64(&dc, v, "sizeInBytes", &dv->size_in_bytes) && req_i64(&dc, v, "cardinality", &dv->cardinality) &&
           opt_i64(&dc, v, "maxRowIndex", &dv->has_max_row_index, &dv->max_row_index);
}

static bool parse_file(pctx *c, const cJSON *o, lml_delta_action_kind kind, lml_delta_file *f) {
    f->num_records = -1;
    if (!req_str(c, o, "path", &f->path) ||
        !opt_map(c, o, "partitionValues", &f->has_partition_values, &f->partition_values) ||
        !opt_i64(c, o, "size", &f->has_size, &f->size) || !opt_bool(c, o, "dataChange", true, &f->data_change) ||
        !opt_str(c, o, "stats", &f->stats) || !opt_map(c, o, "tags", &f->has_tags, &f->tags) ||
        !parse_dv(c, o, &f->dv) || !opt_i64(c, o, "baseRowId", &f->has_base_row_id, &f->base_row_id) ||
        !opt_i64(c, o, "defaultRowCommitVersion", &f->has_default_row_commit_version, &f->default_row_commit_version) ||
        !opt_str(c, o, "clusteringProvider", &f->clustering_provider))
        return false;
    if (kind == LML_DA_ADD) {
        if (!f->has_partition_values) return bad(c, "partitionValues", "is missing");
        if (!f->has_size) return bad(c, "size", "is missing");
        if (!req_i64(c, o, "modificationTime", &f->modification_time)) return false;
        f->num_records = lml_delta_stats_num_records(f->stats);
    }
    if (kind == LML_DA_REMOVE &&
        (!opt_i64(c, o, "deletionTimestamp", &f->has_deletion_timestamp, &f->deletion_timestamp) ||
         !opt_bool(c, o, "extendedFileMetadata", false, &f->extended_file_metadata)))
        return false;
    if (f->path[0] == 0) return bad(c, "path", "is empty");
    return true;
}

static const struct {
    const char *key;
    lml_delta_action_kind kind;
} kinds[] = {{"protocol", LML_DA_PROTOCOL}, {"metaData", LML_DA_METADATA}, {"add", LML_DA_ADD},
             {"remove", LML_DA_REMOVE},     {"cdc", LML_DA_CDC},           {"txn", LML_DA_TXN},
             {"domainMetadata", LML_DA_DOMAIN}, {"commitInfo", LML_DA_COMMIT_INFO},
             {"checkpointMetadata", LML_DA_CHECKPOINT_METADATA}, {"sidecar", LML_DA_SIDECAR}};

static bool parse_object(const cJSON *root, lml_delta_action *out, lml_error *err) {
    const cJSON *o = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && !o; i++)
        if ((o = cJSON_GetObjectItemCaseSensitive(root, kinds[i].key))) out->kind = kinds[i].kind;
    if (!o) return true; /* an action this reader does not know: ignored */
    pctx c = {o->string, err};
    if (!cJSON_IsObject(o)) return lml_error_set(err, LML_EFORMAT, "%s action is not a JSON object", o->string);
    switch (out->kind) {
    case LML_DA_PROTOCOL: return parse_protocol(&c, o, &out->u.protocol);
    case LML_DA_METADATA: return parse_metadata(&c, o, &out->u.metadata);
    case LML_DA_ADD: case LML_DA_REMOVE: case LML_DA_CDC: return parse_file(&c, o, out->kind, &out->u.file);
    case LML_DA_TXN:
        return req_str(&c, o, "appId", &out->u.txn.app_id) && req_i64(&c, o, "version", &out->u.txn.version) &&
               opt_i64(&c, o, "lastUpdated", &out->u.txn.has_last_updated, &out->u.txn.last_updated);
    case LML_DA_DOMAIN:
        return req_str(&c, o, "domain", &out->u.domain.domain) &&
               opt_str(&c, o, "configuration", &out->u.domain.configuration) &&
               opt_bool(&c, o, "removed", false, &out->u.domain.removed);
    case LML_DA_SIDECAR:
        return req_str(&c, o, "path", &out->u.sidecar.path) &&
               opt_i64(&c, o, "sizeInBytes", NULL, &out->u.sidecar.size_in_bytes) &&
               opt_i64(&c, o, "modificationTime", NULL, &out->u.sidecar.modification_time);
    case LML_DA_CHECKPOINT_METADATA: return req_i64(&c, o, "version", &out->u.checkpoint_metadata.version);
    case LML_DA_COMMIT_INFO:
        if (!(out->u.commit_info.json = cJSON_PrintUnformatted(o)))
            return lml_error_set(err, LML_ENOMEM, "out of memory");
        /* commitInfo is free-form: a field of an unexpected type is simply not used. */
        {
            const cJSON *ts = cJSON_GetObjectItemCaseSensitive(o, "timestamp"),
                        *ict = cJSON_GetObjectItemCaseSensitive(o, "inCommitTimestamp"),
                        *op = cJSON_GetObjectItemCaseSensitive(o, "operation");
            out->u.commit_info.has_timestamp = lml_delta_json_int(ts, &out->u.commit_info.timestamp);
            out->u.commit_info.has_ict = lml_delta_json_int(ict, &out->u.commit_info.in_commit_timestamp);
            if (cJSON_IsString(op) && !(out->u.commit_info.operation = lml_strdup(op->valuestring, err))) return false;
        }
        return true;
    default: return true;
    }
}

bool lml_delta_action_parse(const char *line, size_t len, lml_delta_action *out, lml_error *err) {
    memset(out, 0, sizeof *out);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(line, len, &end, false);
    if (!root || !cJSON_IsObject(root)) {
        size_t at = root ? 0 : (size_t)(cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() - line : 0);
        cJSON_Delete(root);
        if (at > len) at = len;
        return lml_error_set(err, LML_EFORMAT, "not a JSON object (malformed at byte %zu)", at);
    }
    bool ok = lml_delta_action_from_json(root, out, err);
    cJSON_Delete(root);
    return ok;
}

bool lml_delta_action_from_json(const cJSON *root, lml_delta_action *out, lml_error *err) {
    memset(out, 0, sizeof *out);
    bool ok = parse_object(root, out, err);
    if (!ok) lml_delta_action_clear(out);
    return ok;
}

/* ---- copies and cleanup */

void lml_delta_map_clear(lml_delta_map *m) {
    for (size_t i = 0; i < m->n; i++) {
        free(m->keys[i]);
        free(m->values[i]);
    }
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof *m);
}

static bool dup_opt(const char *s, char **out, lml_error *err) {
    *out = NULL;
    return !s || (*out = lml_strdup(s, err)) != NULL;
}

bool lml_delta_map_copy(const lml_delta_map *src, lml_delta_map *dst, lml_error *err) {
    memset(dst, 0, sizeof *dst);
    dst->keys = calloc(src->n + 1, sizeof *dst->keys);
    dst->values = calloc(src->n + 1, sizeof *dst->values);
    if (!dst->keys || !dst->values) {
        lml_delta_map_clear(dst);
        return lml_error_set(err, LML_ENOMEM, "out of memory");
    }
    for (; dst->n < src->n; dst->n++)
        if (!dup_opt(src->keys[dst->n], &dst->keys[dst->n], err) ||
            !dup_opt(src->values[dst->n], &dst->values[dst->n], err)) {
            dst->n++;
            lml_delta_map_clear(dst);
            return false;
        }
    return true;
}

bool lml_delta_map_from_keys(const char *const *keys, size_t n, lml_delta_map *m, lml_error *err) {
    memset(m, 0, sizeof *m);
    m->keys = calloc(n + 1, sizeof *m->keys);
    m->values = calloc(n + 1, sizeof *m->values);
    if (!m->keys || !m->values) {
        lml_delta_map_clear(m);
        return lml_error_set(err, LML_ENOMEM, "out of memory");
    }
    for (; m->n < n; m->n++)
        if (!(m->keys[m->n] = lml_strdup(keys[m->n], err))) {
            lml_delta_map_clear(m);
            return false;
        }
    return true;
}

const char *lml_delta_map_get(const lml_delta_map *m, const char *key, bool *found) {
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->keys[i], key) == 0) {
            if (found) *found = true;
            return m->values[i];
        }
    if (found) *found = false;
    return NULL;
}

void lml_delta_file_clear(lml_delta_file *f) {
    free(f->path);
    lml_delta_map_clear(&f->partition_values);
    free(f->stats);
    lml_delta_map_clear(&f->tags);
    free(f->dv.path_or_inline);
    free(f->clustering_provider);
    memset(f, 0, sizeof *f);
}

bool lml_delta_file_copy(const lml_delta_file *src, lml_delta_file *dst, lml_error *err) {
    *dst = *src;
    dst->path = dst->stats = dst->dv.path_or_inline = dst->clustering_provider = NULL;
    memset(&dst->partition_values, 0, sizeof dst->partition_values);
    memset(&dst->tags, 0, sizeof dst->tags);
    bool ok = dup_opt(src->path, &dst->path, err) && dup_opt(src->stats, &dst->stats, err) &&
              dup_opt(src->dv.path_or_inline, &dst->dv.path_or_inline, err) &&
              dup_opt(src->clustering_provider, &dst->clustering_provider, err) &&
              lml_delta_map_copy(&src->partition_values, &dst->partition_values, err) &&
              lml_delta_map_copy(&src->tags, &dst->tags, err);
    if (!ok) lml_delta_file_clear(dst);
    return ok;
}

void lml_delta_protocol_clear(lml_delta_protocol *p) {
    lml_delta_map_clear(&p->reader_features);
    lml_delta_map_clear(&p->writer_features);
    memset(p, 0, sizeof *p);
}

bool lml_delta_protocol_copy(const lml_delta_protocol *src, lml_delta_protocol *dst, lml_error *err) {
    *dst = *src;
    memset(&dst->reader_features, 0, sizeof dst->reader_features);
    memset(&dst->writer_features, 0, sizeof dst->writer_features);
    bool ok = lml_delta_map_copy(&src->reader_features, &dst->reader_features, err) &&
              lml_delta_map_copy(&src->writer_features, &dst->writer_features, err);
    if (!ok) lml_delta_protocol_clear(dst);
    return ok;
}

void lml_delta_metadata_clear(lml_delta_metadata *m) {
    free(m->id);
    free(m->name);
    free(m->description);
    free(m->provider);
    free(m->schema_string);
    for (size_t i = 0; i < m->npartition; i++) free(m->partition_columns[i]);
    free(m->partition_columns);
    lml_delta_map_clear(&m->configuration);
    lml_delta_map_clear(&m->format_options);
    memset(m, 0, sizeof *m);
}

bool lml_delta_metadata_copy(const lml_delta_metadata *src, lml_delta_metadata *dst, lml_error *err) {
    memset(dst, 0, sizeof *dst);
    dst->has_created_time = src->has_created_time;
    dst->created_time = src->created_time;
    bool ok = dup_opt(src->id, &dst->id, err) && dup_opt(src->name, &dst->name, err) &&
              dup_opt(src->description, &dst->description, err) && dup_opt(src->provider, &dst->provider, err) &&
              dup_opt(src->schema_string, &dst->schema_string, err) &&
              lml_delta_map_copy(&src->configuration, &dst->configuration, err) &&
              lml_delta_map_copy(&src->format_options, &dst->format_options, err);
    if (ok && !(dst->partition_columns = calloc(src->npartition + 1, sizeof *dst->partition_columns)))
        ok = lml_error_set(err, LML_ENOMEM, "out of memory");
    for (; ok && dst->npartition < src->npartition; dst->npartition++)
        ok = dup_opt(src->partition_columns[dst->npartition], &dst->partition_columns[dst->npartition], err);
    if (!ok) lml_delta_metadata_clear(dst);
    return ok;
}

void lml_delta_action_clear(lml_delta_action *a) {
    switch (a->kind) {
    case LML_DA_PROTOCOL: lml_delta_protocol_clear(&a->u.protocol); break;
    case LML_DA_METADATA: lml_delta_metadata_clear(&a->u.metadata); break;
    case LML_DA_ADD: case LML_DA_REMOVE: case LML_DA_CDC: lml_delta_file_clear(&a->u.file); break;
    case LML_DA_TXN: free(a->u.txn.app_id); break;
    case LML_DA_DOMAIN:
        free(a->u.domain.domain);
        free(a->u.domain.configuration);
        break;
    case LML_DA_SIDECAR: free(a->u.sidecar.path); break;
    case LML_DA_COMMIT_INFO:
        free(a->u.commit_info.json);
        free(a->u.commit_info.operation);
        break;
    default: break;
    }
    memset(a, 0, sizeof *a);
}

char *lml_delta_file_key(const lml_delta_file *f, lml_error *err) {
    lml_strbuf sb = {0};
    lml_strbuf_puts(&sb, f->path);
    if (f->dv.present) {
        /* A NUL-free separator no path can contain unescaped: '\n'. */
        lml_strbuf_putc(&sb, '\n');
        lml_strbuf_putc(&sb, f->dv.storage_type);
        lml_strbuf_puts(&sb, f->dv.path_or_inline);
        if (f->dv.has_offset) lml_strbuf_printf(&sb, "@%lld", (long long)f->dv.offset);
    }
    return lml_strbuf_finish(&sb, err);
}

/* Snapshots of large tables read numRecords from every add's stats: rather than parse the whole
 * JSON, scan for the top-level key (strings and nesting skipped) and read its integer. */
int64_t lml_delta_stats_num_records(const char *stats) {
    if (!stats) return -1;
    int depth = 0;
    for (const char *p = stats; *p; p++) {
        if (*p == '{' || *p == '[') depth++;
        else if (*p == '}' || *p == ']') depth--;
        else if (*p == '"') {
            const char *key = p + 1;
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1]) p++;
            if (!*p) return -1;
            if (depth != 1 || p - key != 10 || memcmp(key, "numRecords", 10) != 0) continue;
            const char *q = p + 1;
            while (*q == ' ') q++;
            if (*q != ':') continue;
            for (q++; *q == ' '; q++) {}
            if (*q < '0' || *q > '9') return -1;
            int64_t v = 0;
            for (; *q >= '0' && *q <= '9'; q++) {
                if (v > (INT64_MAX - 9) / 10) return -1;
                v = v * 10 + (*q - '0');
            }
            return *q == ',' || *q == '}' || *q == ' ' ? v : -1;
        }
    }
    return -1;
}

lml_delta_action *lml_delta_actions_push(lml_delta_action **arr, size_t *n, size_t *cap, lml_delta_action_kind kind,
                                         lml_error *err) {
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        lml_delta_action *a = realloc(*arr, c * sizeof *a);
        if (!a) {
            lml_error_set(err, LML_ENOMEM, "out of memory");
            return NULL;
        }
        *arr = a;
        *cap = c;
    }
    lml_delta_action *a = &(*arr)[(*n)++];
    memset(a, 0, sizeof *a);
    a->kind = kind;
    return a;
}

bool lml_delta_remove_of(lml_delta_action *a, const lml_delta_file *f, int64_t now_ms, bool data_change,
                         lml_error *err) {
    a->kind = LML_DA_REMOVE;
    if (!lml_delta_file_copy(f, &a->u.file, err)) {
        a->kind = LML_DA_NONE;
        return false;
    }
    lml_delta_file *r = &a->u.file;
    free(r->stats);
    r->stats = NULL;
    lml_delta_map_clear(&r->tags);
    r->has_tags = false;
    r->has_deletion_timestamp = true;
    r->deletion_timestamp = now_ms;
    r->data_change = data_change;
    r->extended_file_metadata = true;
    r->has_size = true;
    return true;
}

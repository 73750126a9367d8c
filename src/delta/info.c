/* Table introspection as Spark shows it: the live files, DESCRIBE HISTORY and DESCRIBE DETAIL,
 * each as a frame with Spark's column names and types. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include "../core/internal.h"
#include "pvalue.h"
#include "table.h"

/* A map<string,string> column built row by row. */
typedef struct map_builder {
    int32_t *off;
    size_t rows, cap;
    char **keys, **vals;
    size_t n, ncap;
    bool failed;
} map_builder;

static void mb_put(map_builder *m, const char *k, const char *v) {
    if (m->failed) return;
    if (m->n == m->ncap) {
        size_t c = m->ncap ? m->ncap * 2 : 16;
        char **k2 = realloc(m->keys, c * sizeof *k2);
        if (k2) m->keys = k2;
        char **v2 = k2 ? realloc(m->vals, c * sizeof *v2) : NULL;
        if (!k2 || !v2) {
            m->failed = true;
            return;
        }
        m->vals = v2;
        m->ncap = c;
    }
    m->keys[m->n] = strdup(k);
    m->vals[m->n] = v ? strdup(v) : NULL;
    m->failed |= !m->keys[m->n] || (v && !m->vals[m->n]);
    m->n++;
}

static void mb_end_row(map_builder *m) {
    if (m->failed) return;
    if (m->rows + 2 > m->cap) {
        size_t c = m->cap ? m->cap * 2 : 16;
        int32_t *o = realloc(m->off, c * sizeof *o);
        if (!o) {
            m->failed = true;
            return;
        }
        m->off = o;
        m->cap = c;
        if (m->rows == 0) m->off[0] = 0;
    }
    m->off[++m->rows] = (int32_t)m->n;
}

static void mb_put_map(map_builder *m, const lml_delta_map *x) {
    for (size_t i = 0; i < x->n; i++) mb_put(m, x->keys[i], x->values[i]);
    mb_end_row(m);
}

static lml_column *mb_finish(map_builder *m, lml_error *err) {
    lml_column *out = NULL, *k = NULL, *v = NULL;
    if (m->failed) lml_error_set(err, LML_ENOMEM, "out of memory");
    else {
        int32_t zero = 0;
        if ((k = lml_column_from_strings((const char *const *)m->keys, m->n, err)) &&
            (v = lml_column_from_strings((const char *const *)m->vals, m->n, err)))
            out = lml_column_map_new(m->rows ? m->off : &zero, NULL, m->rows, k, v, err);
    }
    lml_column_free(k);
    lml_column_free(v);
    for (size_t i = 0; i < m->n; i++) {
        free(m->keys[i]);
        free(m->vals[i]);
    }
    free(m->keys);
    free(m->vals);
    free(m->off);
    memset(m, 0, sizeof *m);
    return out;
}

/* Frame from names and columns it takes (frees them whatever happens). */
static lml_frame *adopt(size_t n, const char *const *names, lml_column **cols, lml_error *err) {
    bool ok = true;
    for (size_t i = 0; i < n; i++) ok &= cols[i] != NULL;
    lml_frame *f = ok ? lml_frame_new(n, names, cols, err) : NULL;
    for (size_t i = 0; i < n; i++) lml_column_free(cols[i]);
    return f;
}

static lml_column *strings(lml_column_builder *b, lml_error *err) { return lml_column_builder_finish(b, err); }

static void put_str(lml_column_builder *b, const char *s, lml_error *err) {
    if (s) lml_column_builder_append_string(b, s, strlen(s), err);
    else lml_column_builder_append_null(b, err);
}

/* ---- files */

static void put_stats_object(lml_column_builder *b, const cJSON *stats, const char *key, lml_error *err) {
    const cJSON *o = stats ? cJSON_GetObjectItemCaseSensitive(stats, key) : NULL;
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    put_str(b, text, err);
    free(text);
}

lml_frame *lml_delta_table_files(const lml_delta_table *t, lml_error *err) {
    size_t n = t->state.nfiles;
    lml_column_builder *path = lml_column_builder_new(LML_STRING, n, err), *size = lml_column_builder_new(LML_INT64, n, err),
                       *mtime = lml_column_builder_new(LML_TIMESTAMP, n, err),
                       *nrec = lml_column_builder_new(LML_INT64, n, err), *del = lml_column_builder_new(LML_INT64, n, err),
                       *mn = lml_column_builder_new(LML_STRING, n, err), *mx = lml_column_builder_new(LML_STRING, n, err),
                       *nc = lml_column_builder_new(LML_STRING, n, err);
    map_builder pv = {0};
    for (size_t i = 0; path && size && mtime && nrec && del && mn && mx && nc && i < n; i++) {
        const lml_delta_file *f = &t->state.files[i];
        char *p = lml_delta_uri_decode(f->path, NULL);
        put_str(path, p ? p : f->path, err);
        free(p);
        lml_column_builder_append_int64(size, f->size, err);
        lml_column_builder_append_int64(mtime, f->modification_time * 1000, err);
        mb_put_map(&pv, &f->partition_values);
        if (f->num_records >= 0) lml_column_builder_append_int64(nrec, f->num_records, err);
        else lml_column_builder_append_null(nrec, err);
        lml_column_builder_append_int64(del, f->dv.present ? f->dv.cardinality : 0, err);
        cJSON *stats = f->stats ? cJSON_Parse(f->stats) : NULL;
        put_stats_object(mn, stats, "minValues", err);
        put_stats_object(mx, stats, "maxValues", err);
        put_stats_object(nc, stats, "nullCount", err);
        cJSON_Delete(stats);
    }
    static const char *const names[] = {"path", "size", "modificationTime", "partitionValues", "numRecords",
                                        "deletedRows", "minValues", "maxValues", "nullCount"};
    lml_column *cols[] = {strings(path, err), lml_column_builder_finish(size, err), lml_column_builder_finish(mtime, err),
                          mb_finish(&pv, err), lml_column_builder_finish(nrec, err), lml_column_builder_finish(del, err),
                          strings(mn, err), strings(mx, err), strings(nc, err)};
    return adopt(9, names, cols, err);
}

/* ---- history */

typedef struct commit_info {
    cJSON *obj;
} commit_info;

static bool grab_info(void *ctx, lml_delta_action *a, lml_error *err) {
    commit_info *ci = ctx;
    if (a->kind == LML_DA_COMMIT_INFO && !ci->obj && !(ci->obj = cJSON_Parse(a->u.commit_info.json)))
        return lml_error_set(err, LML_ENOMEM, "out of memory");
    return true;
}

/* A commitInfo member as text: strings as they are, anything else as its JSON. */
static char *member_text(const cJSON *o, const char *key) {
    const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
    if (!v || cJSON_IsNull(v)) return NULL;
    return cJSON_IsString(v) ? strdup(v->valuestring) : cJSON_PrintUnformatted(v);
}

static void put_member(lml_column_builder *b, const cJSON *o, const char *key, lml_error *err) {
    char *s = member_text(o, key);
    put_str(b, s, err);
    free(s);
}

static void put_member_map(map_builder *m, const cJSON *o, const char *key) {
    const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL, *e;
    if (cJSON_IsObject(v))
        cJSON_ArrayForEach(e, v) {
            char *s = member_text(v, e->string);
            mb_put(m, e->string, s);
            free(s);
        }
    mb_end_row(m);
}

lml_frame *lml_delta_table_history(const lml_delta_table *t, size_t limit, lml_error *err) {
    int64_t first = lml_delta_log_earliest(&t->log), last = t->state.version;
    if (first < 0) first = 0;
    size_t span = last >= first ? (size_t)(last - first + 1) : 0, rows = limit && limit < span ? limit : span;
    int64_t *ts = calloc(span + 1, sizeof *ts);
    if (!ts) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    if (span && !lml_delta_commit_timestamps(t, first, last, ts, err)) {
        free(ts);
        return NULL;
    }
    enum { NCOLS = 15 };
    static const char *const names[NCOLS] = {"version", "timestamp", "userId", "userName", "operation",
                                             "operationParameters", "job", "notebook", "clusterId", "readVersion",
                                             "isolationLevel", "isBlindAppend", "operationMetrics", "userMetadata",
                                             "engineInfo"};
    static const char *const text_keys[] = {"userId", "userName", "operation", "job", "notebook", "clusterId"};
    lml_column_builder *version = lml_column_builder_new(LML_INT64, rows, err),
                       *stamp = lml_column_builder_new(LML_TIMESTAMP, rows, err),
                       *readv = lml_column_builder_new(LML_INT64, rows, err),
                       *iso = lml_column_builder_new(LML_STRING, rows, err),
                       *blind = lml_column_builder_new(LML_BOOL, rows, err),
                       *umeta = lml_column_builder_new(LML_STRING, rows, err),
                       *engine = lml_column_builder_new(LML_STRING, rows, err), *text[6];
    for (int k = 0; k < 6; k++) text[k] = lml_column_builder_new(LML_STRING, rows, err);
    map_builder params = {0}, metrics = {0};
    bool ok = true;
    for (size_t r = 0; ok && r < rows; r++) {
        int64_t v = last - (int64_t)r;
        const lml_delta_commit_file *c = NULL;
        for (size_t i = 0; i < t->log.ncommits && !c; i++)
            if (t->log.commits[i].version == v) c = &t->log.commits[i];
        commit_info ci = {0};
        if (c) ok = lml_delta_commit_read(t->st, c->path, grab_info, &ci, err);
        lml_column_builder_append_int64(version, v, err);
        if (ts[v - first] != INT64_MIN) lml_column_builder_append_int64(stamp, ts[v - first] * 1000, err);
        else lml_column_builder_append_null(stamp, err);
        for (int k = 0; k < 6; k++) put_member(text[k], ci.obj, text_keys[k], err);
        put_member_map(&params, ci.obj, "operationParameters");
        const cJSON *rv = ci.obj ? cJSON_GetObjectItemCaseSensitive(ci.obj, "readVersion") : NULL;
        int64_t rvv;
        if (lml_delta_json_int(rv, &rvv)) lml_column_builder_append_int64(readv, rvv, err);
        else lml_column_builder_append_null(readv, err);
        put_member(iso, ci.obj, "isolationLevel", err);
        const cJSON *ba = ci.obj ? cJSON_GetObjectItemCaseSensitive(ci.obj, "isBlindAppend") : NULL;
        if (cJSON_IsBool(ba)) lml_column_builder_append_bool(blind, cJSON_IsTrue(ba), err);
        else lml_column_builder_append_null(blind, err);
        put_member_map(&metrics, ci.obj, "operationMetrics");
        put_member(umeta, ci.obj, "userMetadata", err);
        put_member(engine, ci.obj, "engineInfo", err);
        cJSON_Delete(ci.obj);
    }
    free(ts);
    lml_column *cols[NCOLS] = {lml_column_builder_finish(version, err), lml_column_builder_finish(stamp, err),
                               strings(text[0], err), strings(text[1], err), strings(text[2], err),
                               mb_finish(&params, err), strings(text[3], err), strings(text[4], err),
                               strings(text[5], err), lml_column_builder_finish(readv, err), strings(iso, err),
                               lml_column_builder_finish(blind, err), mb_finish(&metrics, err), strings(umeta, err),
                               strings(engine, err)};
    if (!ok) {
        for (int k = 0; k < NCOLS; k++) lml_column_free(cols[k]);
        return NULL;
    }
    return adopt(NCOLS, names, cols, err);
}

/* ---- detail */

static lml_column *string_list(const char *const *items, size_t n, lml_error *err) {
    lml_column *el = lml_column_from_strings(items, n, err);
    int32_t off[2] = {0, (int32_t)n};
    lml_column *out = el ? lml_column_list_new(off, NULL, 1, el, err) : NULL;
    lml_column_free(el);
    return out;
}

lml_frame *lml_delta_table_detail(const lml_delta_table *t, lml_error *err) {
    const lml_delta_state *s = &t->state;
    int64_t bytes = 0, last_ts = INT64_MIN;
    for (size_t i = 0; i < s->nfiles; i++) bytes += s->files[i].size;
    if (!lml_delta_commit_timestamps(t, s->version, s->version, &last_ts, err)) return NULL;
    /* Table features: the listed ones at reader 3 / writer 7, else those the legacy versions imply. */
    const char *feat[64];
    size_t nf = 0;
    const lml_delta_map *lists[] = {&s->protocol.reader_features, &s->protocol.writer_features};
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->n && nf < 64; i++) {
            bool dup = false;
            for (size_t k = 0; k < nf; k++) dup |= strcmp(feat[k], lists[l]->keys[i]) == 0;
            if (!dup) feat[nf++] = lists[l]->keys[i];
        }
    if (s->protocol.min_writer < 7) {
        static const char *const legacy[] = {"appendOnly", "invariants", "checkConstraints", "changeDataFeed",
                                             "generatedColumns", "columnMapping", "identityColumns"};
        static const int since[] = {2, 2, 3, 4, 4, 5, 6};
        for (int k = 0; k < 7; k++)
            if (s->protocol.min_writer >= since[k]) feat[nf++] = legacy[k];
    }
    map_builder props = {0};
    mb_put_map(&props, &s->metadata.configuration);
    lml_column_builder *created_at = lml_column_builder_new(LML_TIMESTAMP, 1, err),
                       *last_mod = lml_column_builder_new(LML_TIMESTAMP, 1, err);
    if (s->metadata.has_created_time) lml_column_builder_append_int64(created_at, s->metadata.created_time * 1000, err);
    else lml_column_builder_append_null(created_at, err);
    if (last_ts != INT64_MIN) lml_column_builder_append_int64(last_mod, last_ts * 1000, err);
    else lml_column_builder_append_null(last_mod, err);
    const char *format = "delta", *id = s->metadata.id, *name = s->metadata.name, *desc = s->metadata.description,
               *loc = t->log.root;
    int64_t nfiles = (int64_t)s->nfiles;
    int32_t rv = s->protocol.min_reader, wv = s->protocol.min_writer;
    static const char *const names[] = {"format", "id", "name", "description", "location", "createdAt", "lastModified",
                                        "partitionColumns", "clusteringColumns", "numFiles", "sizeInBytes",
                                        "properties", "minReaderVersion", "minWriterVersion", "tableFeatures"};
    lml_column *cols[] = {lml_column_from_strings(&format, 1, err), lml_column_from_strings(&id, 1, err),
                          lml_column_from_strings(&name, 1, err), lml_column_from_strings(&desc, 1, err),
                          lml_column_from_strings(&loc, 1, err), lml_column_builder_finish(created_at, err),
                          lml_column_builder_finish(last_mod, err),
                          string_list((const char *const *)s->metadata.partition_columns, s->metadata.npartition, err),
                          string_list(NULL, 0, err), lml_column_from_int64s(&nfiles, NULL, 1, err),
                          lml_column_from_int64s(&bytes, NULL, 1, err), mb_finish(&props, err),
                          lml_column_from_int32s(&rv, NULL, 1, err), lml_column_from_int32s(&wv, NULL, 1, err),
                          string_list(feat, nf, err)};
    return adopt(15, names, cols, err);
}

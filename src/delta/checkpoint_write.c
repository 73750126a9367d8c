/* State → classic checkpoint (delta.md §4.2, §4.4, §8.9). The state becomes one frame with a row
 * per action and Spark 3.5's six top-level struct columns (each row non-null in exactly one), is
 * written as one SNAPPY Parquet file, and _last_checkpoint is then replaced to point at it.
 *
 * Columns are built row by row with builders: every child of a top-level struct gets a value or
 * a null for every row of the checkpoint, so all columns have the frame's length and a null
 * struct row has null children (what Spark's files hold too). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "../core/internal.h"
#include "checkpoint.h"
#include "checksum.h"
#include "lakeml/parquet.h"

#define MAXF 12

static void bit_set(uint8_t *v, size_t i) { v[i >> 3] |= (uint8_t)(1u << (i & 7)); }

static uint8_t *bitmap_new(size_t n, lml_error *err) {
    uint8_t *v = calloc(n / 8 + 1, 1);
    if (!v) lml_error_set(err, LML_ENOMEM, "out of memory building a checkpoint");
    return v;
}

/* ---- nullable appends */

static bool put_str(lml_column_builder *b, const char *s, lml_error *err) {
    return s ? lml_column_builder_append_string(b, s, strlen(s), err) : lml_column_builder_append_null(b, err);
}

static bool put_i64(lml_column_builder *b, bool has, int64_t v, lml_error *err) {
    return has ? lml_column_builder_append_int64(b, v, err) : lml_column_builder_append_null(b, err);
}

static bool put_i32(lml_column_builder *b, bool has, int32_t v, lml_error *err) {
    return has ? lml_column_builder_append_int32(b, v, err) : lml_column_builder_append_null(b, err);
}

static bool put_bool(lml_column_builder *b, bool has, bool v, lml_error *err) {
    return has ? lml_column_builder_append_bool(b, v, err) : lml_column_builder_append_null(b, err);
}

/* ---- a map<string,string> column, row by row */

typedef struct macc {
    lml_column_builder *keys, *vals;
    int32_t *off;
    uint8_t *valid;
    size_t rows;
} macc;

static bool macc_init(macc *m, size_t n, lml_error *err) {
    memset(m, 0, sizeof *m);
    m->keys = lml_column_builder_new(LML_STRING, 0, err);
    m->vals = m->keys ? lml_column_builder_new(LML_STRING, 0, err) : NULL;
    m->off = m->vals ? calloc(n + 1, sizeof *m->off) : NULL;
    m->valid = m->off ? bitmap_new(n, err) : NULL;
    if (m->vals && !m->off) lml_error_set(err, LML_ENOMEM, "out of memory building a checkpoint");
    return m->valid != NULL;
}

/* map NULL: a null row. */
static bool macc_add(macc *m, const lml_delta_map *map, const char *what, lml_error *err) {
    size_t r = m->rows++;
    int32_t cur = m->off[r];
    m->off[r + 1] = cur;
    if (!map) return true;
    bit_set(m->valid, r);
    if (map->n > (size_t)(INT32_MAX - cur))
        return lml_error_set(err, LML_ERANGE, "checkpoint: more than %d entries in column %s", INT32_MAX, what);
    for (size_t i = 0; i < map->n; i++) {
        if (!map->keys[i]) return lml_error_set(err, LML_EINVAL, "checkpoint: %s has a null key", what);
        if (!put_str(m->keys, map->keys[i], err) || !put_str(m->vals, map->values[i], err)) return false;
    }
    m->off[r + 1] = cur + (int32_t)map->n;
    return true;
}

/* Frees everything; the map column when ok, else NULL. */
static lml_column *macc_finish(macc *m, bool ok, lml_error *err) {
    lml_column *k = NULL, *v = NULL, *col = NULL;
    if (ok) {
        k = lml_column_builder_finish(m->keys, err);
        v = lml_column_builder_finish(m->vals, err);
    } else {
        lml_column_builder_free(m->keys);
        lml_column_builder_free(m->vals);
    }
    if (k && v) col = lml_column_map_new(m->off, m->valid, m->rows, k, v, err);
    lml_column_free(k);
    lml_column_free(v);
    free(m->off);
    free(m->valid);
    memset(m, 0, sizeof *m);
    return col;
}

/* ---- an array<string> column, row by row */

typedef struct lacc {
    lml_column_builder *el;
    int32_t *off;
    uint8_t *valid;
    size_t rows;
} lacc;

static bool lacc_init(lacc *l, size_t n, lml_error *err) {
    memset(l, 0, sizeof *l);
    l->el = lml_column_builder_new(LML_STRING, 0, err);
    l->off = l->el ? calloc(n + 1, sizeof *l->off) : NULL;
    l->valid = l->off ? bitmap_new(n, err) : NULL;
    if (l->el && !l->off) lml_error_set(err, LML_ENOMEM, "out of memory building a checkpoint");
    return l->valid != NULL;
}

static bool lacc_add(lacc *l, bool present, char *const *items, size_t count, const char *what, lml_error *err) {
    size_t r = l->rows++;
    int32_t cur = l->off[r];
    l->off[r + 1] = cur;
    if (!present) return true;
    bit_set(l->valid, r);
    if (count > (size_t)(INT32_MAX - cur))
        return lml_error_set(err, LML_ERANGE, "checkpoint: more than %d entries in column %s", INT32_MAX, what);
    for (size_t i = 0; i < count; i++)
        if (!put_str(l->el, items[i], err)) return false;
    l->off[r + 1] = cur + (int32_t)count;
    return true;
}

static lml_column *lacc_finish(lacc *l, bool ok, lml_error *err) {
    lml_column *e = NULL, *col = NULL;
    if (ok) e = lml_column_builder_finish(l->el, err);
    else lml_column_builder_free(l->el);
    if (e) col = lml_column_list_new(l->off, l->valid, l->rows, e, err);
    lml_column_free(e);
    free(l->off);
    free(l->valid);
    memset(l, 0, sizeof *l);
    return col;
}

/* ---- a struct column: scalar fields through builders, nested fields (map, list, struct types
 * in `types`) set by the caller in cols[] before sacc_finish */

typedef struct sacc {
    size_t k, rows;
    const char *const *names;
    lml_column_builder *b[MAXF];
    lml_column *cols[MAXF];
    uint8_t *valid;
} sacc;

static bool nested(lml_type t) { return t == LML_MAP || t == LML_LIST || t == LML_STRUCT; }

static bool sacc_init(sacc *s, size_t k, const char *const *names, const lml_type *types, size_t n, lml_error *err) {
    memset(s, 0, sizeof *s);
    s->k = k;
    s->names = names;
    for (size_t i = 0; i < k; i++)
        if (!nested(types[i]) && !(s->b[i] = lml_column_builder_new(types[i], n, err))) return false;
    return (s->valid = bitmap_new(n, err)) != NULL;
}

/* Starts row r: present or null. */
static void sacc_row(sacc *s, bool present) {
    if (present) bit_set(s->valid, s->rows);
    s->rows++;
}

static lml_column *sacc_finish(sacc *s, bool ok, lml_error *err) {
    for (size_t i = 0; i < s->k; i++) {
        if (!s->b[i]) continue;
        if (ok) {
            s->cols[i] = lml_column_builder_finish(s->b[i], err);
            ok = s->cols[i] != NULL;
        } else {
            lml_column_builder_free(s->b[i]);
        }
        s->b[i] = NULL;
    }
    for (size_t i = 0; ok && i < s->k; i++) ok = s->cols[i] != NULL;
    lml_column *col = ok ? lml_column_struct_new(s->rows, s->k, s->names, s->cols, s->valid, err) : NULL;
    for (size_t i = 0; i < s->k; i++) lml_column_free(s->cols[i]);
    free(s->valid);
    memset(s, 0, sizeof *s);
    return col;
}

/* ---- the checkpoint's rows: protocol, metaData, txns, domains, adds, live tombstones */

typedef struct layout {
    const lml_delta_state *s;
    size_t n;
    size_t txn0, dom0, add0, rm0;
    size_t ndom, nrm;
    const lml_delta_domain **doms;
    const lml_delta_file **rms;
    bool clustering; /* some add has clusteringProvider: the optional add field is written */
} layout;

#define ROW_PROTOCOL 0
#define ROW_METADATA 1

static const void *row_item(size_t r, size_t start, size_t count, const void *base, size_t size) {
    return r >= start && r - start < count ? (const char *)base + (r - start) * size : NULL;
}

static lml_column *txn_column(const layout *L, lml_error *err) {
    static const char *const names[] = {"appId", "version", "lastUpdated"};
    static const lml_type types[] = {LML_STRING, LML_INT64, LML_INT64};
    sacc s = {0};
    bool ok = sacc_init(&s, 3, names, types, L->n, err);
    for (size_t r = 0; ok && r < L->n; r++) {
        const lml_delta_txn *t = row_item(r, L->txn0, L->s->ntxns, L->s->txns, sizeof *t);
        sacc_row(&s, t);
        ok = put_str(s.b[0], t ? t->app_id : NULL, err) && put_i64(s.b[1], t, t ? t->version : 0, err) &&
             put_i64(s.b[2], t && t->has_last_updated, t ? t->last_updated : 0, err);
    }
    return sacc_finish(&s, ok, err);
}

static lml_column *domain_column(const layout *L, lml_error *err) {
    static const char *const names[] = {"domain", "configuration", "removed"};
    static const lml_type types[] = {LML_STRING, LML_STRING, LML_BOOL};
    sacc s = {0};
    bool ok = sacc_init(&s, 3, names, types, L->n, err);
    for (size_t r = 0; ok && r < L->n; r++) {
        const lml_delta_domain *const *dp = row_item(r, L->dom0, L->ndom, L->doms, sizeof *dp);
        const lml_delta_domain *d = dp ? *dp : NULL;
        sacc_row(&s, d);
        ok = put_str(s.b[0], d ? d->domain : NULL, err) && put_str(s.b[1], d ? d->configuration : NULL, err) &&
             put_bool(s.b[2], d, false, err);
    }
    return sacc_finish(&s, ok, err);
}

static lml_column *protocol_column(const layout *L, lml_error *err) {
    static const char *const names[] = {"minReaderVersion", "minWriterVersion", "readerFeatures", "writerFeatures"};
    static const lml_type types[] = {LML_INT32, LML_INT32, LML_LIST, LML_LIST};
    const lml_delta_protocol *p = &L->s->protocol;
    sacc s = {0};
    lacc rf = {0}, wf = {0};
    bool ok = sacc_init(&s, 4, names, types, L->n, err) && lacc_init(&rf, L->n, err) && lacc_init(&wf, L->n, err);
    for (size_t r = 0; ok && r < L->n; r++) {
        bool me = r == ROW_PROTOCOL;
        sacc_row(&s, me);
        ok = put_i32(s.b[0], me, p->min_reader, err) && put_i32(s.b[1], me, p->min_writer, err) &&
             lacc_add(&rf, me && p->has_reader_features, p->reader_features.keys, p->reader_features.n,
                      "protocol.readerFeatures", err) &&
             lacc_add(&wf, me && p->has_writer_features, p->writer_features.keys, p->writer_features.n,
                      "protocol.writerFeatures", err);
    }
    s.cols[2] = lacc_finish(&rf, ok, err);
    s.cols[3] = lacc_finish(&wf, ok, err);
    return sacc_finish(&s, ok, err);
}

static lml_column *metadata_column(const layout *L, lml_error *err) {
    static const char *const names[] = {"id", "name", "description", "format", "schemaString", "partitionColumns",
                                        "configuration", "createdTime"};
    static const lml_type types[] = {LML_STRING, LML_STRING, LML_STRING, LML_STRUCT,
                                     LML_STRING, LML_LIST,   LML_MAP,    LML_INT64};
    static const char *const fnames[] = {"provider", "options"};
    static const lml_type ftypes[] = {LML_STRING, LML_MAP};
    const lml_delta_metadata *m = &L->s->metadata;
    sacc s = {0}, f = {0};
    lacc pc = {0};
    macc conf = {0}, opts = {0};
    bool ok = sacc_init(&s, 8, names, types, L->n, err) && sacc_init(&f, 2, fnames, ftypes, L->n, err) &&
              lacc_init(&pc, L->n, err) && macc_init(&conf, L->n, err) && macc_init(&opts, L->n, err);
    for (size_t r = 0; ok && r < L->n; r++) {
        bool me = r == ROW_METADATA;
        sacc_row(&s, me);
        sacc_row(&f, me);
        /* format is required; Delta only knows "parquet" */
        ok = put_str(s.b[0], me ? m->id : NULL, err) && put_str(s.b[1], me ? m->name : NULL, err) &&
             put_str(s.b[2], me ? m->description : NULL, err) &&
             put_str(f.b[0], me ? (m->provider ? m->provider : "parquet") : NULL, err) &&
             macc_add(&opts, me ? &m->format_options : NULL, "metaData.format.options", err) &&
             put_str(s.b[4], me ? m->schema_string : NULL, err) &&
             lacc_add(&pc, me, m->partition_columns, m->npartition, "metaData.partitionColumns", err) &&
             macc_add(&conf, me ? &m->configuration : NULL, "metaData.configuration", err) &&
             put_i64(s.b[7], me && m->has_created_time, m->created_time, err);
    }
    f.cols[1] = macc_finish(&opts, ok, err);
    s.cols[3] = sacc_finish(&f, ok, err);
    s.cols[5] = lacc_finish(&pc, ok, err);
    s.cols[6] = macc_finish(&conf, ok, err);
    return sacc_finish(&s, ok, err);
}

/* ---- add and remove */

static const char *const dv_names[] = {"storageType", "pathOrInlineDv", "offset", "sizeInBytes", "cardinality",
                                       "maxRowIndex"};
static const lml_type dv_types[] = {LML_STRING, LML_STRING, LML_INT32, LML_INT32, LML_INT64, LML_INT64};

static bool dv_add(sacc *d, const lml_delta_file *f, lml_error *err) {
    const lml_delta_dv *dv = f && f->dv.present ? &f->dv : NULL;
    sacc_row(d, dv);
    if (dv && ((dv->has_offset && (dv->offset < 0 || dv->offset > INT32_MAX)) || dv->size_in_bytes < 0 ||
               dv->size_in_bytes > INT32_MAX))
        return lml_error_set(err, LML_EINVAL, "checkpoint: deletion vector of '%s': offset or sizeInBytes "
                             "does not fit a Parquet int", f->path);
    char st[2] = {dv ? dv->storage_type : 0, 0};
    return put_str(d->b[0], dv ? st : NULL, err) && put_str(d->b[1], dv ? dv->path_or_inline : NULL, err) &&
           put_i32(d->b[2], dv && dv->has_offset, dv ? (int32_t)dv->offset : 0, err) &&
           put_i32(d->b[3], dv, dv ? (int32_t)dv->size_in_bytes : 0, err) &&
           put_i64(d->b[4], dv, dv ? dv->cardinality : 0, err) &&
           put_i64(d->b[5], dv && dv->has_max_row_index, dv ? dv->max_row_index : 0, err);
}

/* Spark's layout (delta.md §4.4); clusteringProvider only when some add has one. Like Spark's
 * log replay, a checkpoint's files carry dataChange = false: they add nothing new. */
static lml_column *add_column(const layout *L, lml_error *err) {
    static const char *const names[] = {"path", "partitionValues", "size", "modificationTime", "dataChange", "tags",
                                        "deletionVector", "baseRowId", "defaultRowCommitVersion", "stats",
                                        "clusteringProvider"};
    static const lml_type types[] = {LML_STRING, LML_MAP,   LML_INT64, LML_INT64, LML_BOOL,  LML_MAP,
                                     LML_STRUCT, LML_INT64, LML_INT64, LML_STRING, LML_STRING};
    size_t k = L->clustering ? 11 : 10;
    sacc s = {0}, d = {0};
    macc pv = {0}, tags = {0};
    bool ok = sacc_init(&s, k, names, types, L->n, err) && sacc_init(&d, 6, dv_names, dv_types, L->n, err) &&
              macc_init(&pv, L->n, err) && macc_init(&tags, L->n, err);
    for (size_t r = 0; ok && r < L->n; r++) {
        const lml_delta_file *f = row_item(r, L->add0, L->s->nfiles, L->s->files, sizeof *f);
        sacc_row(&s, f);
        ok = put_str(s.b[0], f ? f->path : NULL, err) &&
             macc_add(&pv, f ? &f->partition_values : NULL, "add.partitionValues", err) &&
             put_i64(s.b[2], f, f ? f->size : 0, err) && put_i64(s.b[3], f, f ? f->modification_time : 0, err) &&
             put_bool(s.b[4], f, false, err) &&
             macc_add(&tags, f && f->has_tags ? &f->tags : NULL, "add.tags", err) && dv_add(&d, f, err) &&
             put_i64(s.b[7], f && f->has_base_row_id, f ? f->base_row_id : 0, err) &&
             put_i64(s.b[8], f && f->has_default_row_commit_version, f ? f->default_row_commit_version : 0, err) &&
             put_str(s.b[9], f ? f->stats : NULL, err) &&
             (k < 11 || put_str(s.b[10], f ? f->clustering_provider : NULL, err));
    }
    s.cols[1] = macc_finish(&pv, ok, err);
    s.cols[5] = macc_finish(&tags, ok, err);
    s.cols[6] = sacc_finish(&d, ok, err);
    return sacc_finish(&s, ok, err);
}

/* No stats and no tags in a checkpoint's removes (§2.4). */
static lml_column *remove_column(const layout *L, lml_error *err) {
    static const char *const names[] = {"path", "deletionTimestamp", "dataChange", "extendedFileMetadata",
                                        "partitionValues", "size", "deletionVector", "baseRowId",
                                        "defaultRowCommitVersion"};
    static const lml_type types[] = {LML_STRING, LML_INT64, LML_BOOL,   LML_BOOL, LML_MAP,
                                     LML_INT64,  LML_STRUCT, LML_INT64, LML_INT64};
    sacc s = {0}, d = {0};
    macc pv = {0};
    bool ok = sacc_init(&s, 9, names, types, L->n, err) && sacc_init(&d, 6, dv_names, dv_types, L->n, err) &&
              macc_init(&pv, L->n, err);
    for (size_t r = 0; ok && r < L->n; r++) {
        const lml_delta_file *const *fp = row_item(r, L->rm0, L->nrm, L->rms, sizeof *fp);
        const lml_delta_file *f = fp ? *fp : NULL;
        sacc_row(&s, f);
        ok = put_str(s.b[0], f ? f->path : NULL, err) &&
             put_i64(s.b[1], f && f->has_deletion_timestamp, f ? f->deletion_timestamp : 0, err) &&
             put_bool(s.b[2], f, false, err) && put_bool(s.b[3], f, f && f->extended_file_metadata, err) &&
             macc_add(&pv, f && f->has_partition_values ? &f->partition_values : NULL, "remove.partitionValues",
                      err) &&
             put_i64(s.b[5], f && f->has_size, f ? f->size : 0, err) && dv_add(&d, f, err) &&
             put_i64(s.b[7], f && f->has_base_row_id, f ? f->base_row_id : 0, err) &&
             put_i64(s.b[8], f && f->has_default_row_commit_version, f ? f->default_row_commit_version : 0, err);
    }
    s.cols[4] = macc_finish(&pv, ok, err);
    s.cols[6] = sacc_finish(&d, ok, err);
    return sacc_finish(&s, ok, err);
}

/* ---- the file and _last_checkpoint */

static bool plan(const lml_delta_state *s, int64_t cutoff, layout *L, lml_error *err) {
    memset(L, 0, sizeof *L);
    L->s = s;
    L->doms = calloc(s->ndomains + 1, sizeof *L->doms);
    L->rms = calloc(s->ntombstones + 1, sizeof *L->rms);
    if (!L->doms || !L->rms) return lml_error_set(err, LML_ENOMEM, "out of memory building a checkpoint");
    for (size_t i = 0; i < s->ndomains; i++)
        if (!s->domains[i].removed) L->doms[L->ndom++] = &s->domains[i];
    /* A remove without deletionTimestamp counts as removed at time 0, as Spark does. */
    for (size_t i = 0; i < s->ntombstones; i++) {
        const lml_delta_file *t = &s->tombstones[i];
        if ((t->has_deletion_timestamp ? t->deletion_timestamp : 0) >= cutoff) L->rms[L->nrm++] = t;
    }
    for (size_t i = 0; i < s->nfiles; i++) L->clustering |= s->files[i].clustering_provider != NULL;
    L->txn0 = 2;
    L->dom0 = L->txn0 + s->ntxns;
    L->add0 = L->dom0 + L->ndom;
    L->rm0 = L->add0 + s->nfiles;
    L->n = L->rm0 + L->nrm;
    if (L->dom0 < L->txn0 || L->add0 < L->dom0 || L->rm0 < L->add0 || L->n < L->rm0)
        return lml_error_set(err, LML_ERANGE, "checkpoint: too many actions");
    return true;
}

static lml_frame *checkpoint_frame(const layout *L, lml_error *err) {
    static const char *const names[] = {"txn", "add", "remove", "metaData", "protocol", "domainMetadata"};
    lml_column *(*const make[])(const layout *, lml_error *) = {txn_column,      add_column,      remove_column,
                                                              metadata_column, protocol_column, domain_column};
    lml_column *cols[6] = {0};
    bool ok = true;
    for (size_t i = 0; ok && i < 6; i++) ok = (cols[i] = make[i](L, err)) != NULL;
    lml_frame *fr = ok ? lml_frame_new(6, names, cols, err) : NULL;
    for (size_t i = 0; i < 6; i++) lml_column_free(cols[i]);
    return fr;
}

static bool write_last_checkpoint(const lml_storage *st, const char *log_dir, int64_t version, size_t size,
                                  uint64_t bytes, size_t nadd, lml_error *err) {
    lml_strbuf sb = {0};
    lml_strbuf_printf(&sb, "{\"version\":%" PRId64 ",\"size\":%zu,\"sizeInBytes\":%" PRIu64 ",\"numOfAddFiles\":%zu}",
                      version, size, bytes, nadd);
    char sum[33];
    char *body = lml_strbuf_finish(&sb, err);
    if (!body || !lml_delta_json_checksum(body, strlen(body), sum, err)) {
        free(body);
        return false;
    }
    /* the checksum joins the object it was computed without: drop the closing brace, append it */
    lml_strbuf_append(&sb, body, strlen(body) - 1);
    lml_strbuf_printf(&sb, ",\"checksum\":\"%s\"}", sum);
    free(body);
    char *json = lml_strbuf_finish(&sb, err);
    lml_strbuf_printf(&sb, "%s/_last_checkpoint", log_dir);
    char *path = lml_strbuf_finish(&sb, err);
    bool ok = json && path && st->write_atomic(st, path, json, strlen(json), err);
    free(json);
    free(path);
    return ok;
}

bool lml_delta_checkpoint_write(const lml_storage *st, const char *log_dir, const lml_delta_state *state,
                                int64_t tombstone_cutoff_ms, lml_error *err) {
    if (!st || !log_dir || !state) return lml_error_set(err, LML_EINVAL, "checkpoint: NULL argument");
    if (state->version < 0)
        return lml_error_set(err, LML_EINVAL, "checkpoint: version %" PRId64 " is negative", state->version);
    if (!state->metadata.id)
        return lml_error_set(err, LML_EINVAL, "checkpoint of version %" PRId64 ": the state has no metaData",
                             state->version);
    layout L;
    bool ok = plan(state, tombstone_cutoff_ms, &L, err);
    lml_frame *fr = ok ? checkpoint_frame(&L, err) : NULL;
    free(L.doms);
    free(L.rms);
    if (!fr) return false;
    lml_strbuf sb = {0};
    lml_strbuf_printf(&sb, "%s/%020" PRId64 ".checkpoint.parquet", log_dir, state->version);
    char *path = lml_strbuf_finish(&sb, err);
    /* lml_parquet_write goes through its own temporary file and rename: readers never see a
     * partial checkpoint, and a failed write leaves nothing behind. */
    lml_parquet_write_options opt = {.codec = LML_PARQUET_SNAPPY};
    ok = path && lml_parquet_write(fr, path, &opt, err);
    size_t nrows = lml_frame_num_rows(fr);
    lml_frame_free(fr);
    lml_storage_entry e = {0};
    ok = ok && st->stat(st, path, &e, err) &&
         write_last_checkpoint(st, log_dir, state->version, nrows, e.size, state->nfiles, err);
    if (!ok) lml_error_prefix(err, "writing checkpoint %s", path ? path : log_dir);
    free(e.name);
    free(path);
    return ok;
}

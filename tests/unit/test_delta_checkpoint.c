/* Writing Delta checkpoints (delta.md §4.2, §4.4, §8.9): a hand-built state written as a
 * checkpoint and read back through the log reader field by field, the Parquet schema checked on
 * its own and against a checkpoint Spark wrote, _last_checkpoint and its checksum, and states the
 * writer must refuse cleanly. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include "delta/checkpoint.h"
#include "delta/checksum.h"
#include "delta/log.h"
#include "delta/replay.h"
#include "lakeml/parquet.h"
#include "support.h"

#define CUTOFF 1700000000000LL
#define SPARK_CP "conformance/delta/golden/basic-with-inserts-deletes-checkpoint/_delta_log/" \
                 "00000000000000000010.checkpoint.parquet"

/* ---- building a state by hand */

static char *dup(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    cr_assert(d);
    return memcpy(d, s, n);
}

/* kv: key, value, key, value, …, NULL (a value may be NULL via "\x01" → null) */
static lml_delta_map mk_map(const char *const *kv) {
    lml_delta_map m = {0};
    size_t n = 0;
    while (kv[2 * n]) n++;
    m.keys = calloc(n + 1, sizeof *m.keys);
    m.values = calloc(n + 1, sizeof *m.values);
    for (size_t i = 0; i < n; i++) {
        m.keys[i] = dup(kv[2 * i]);
        m.values[i] = strcmp(kv[2 * i + 1], "\x01") == 0 ? NULL : dup(kv[2 * i + 1]);
    }
    m.n = n;
    return m;
}

static lml_delta_map mk_list(const char *const *names) {
    lml_delta_map m = {0};
    while (names[m.n]) m.n++;
    m.keys = calloc(m.n + 1, sizeof *m.keys);
    m.values = calloc(m.n + 1, sizeof *m.values);
    for (size_t i = 0; i < m.n; i++) m.keys[i] = dup(names[i]);
    return m;
}

#define NUL "\x01"

static void build_state(lml_delta_state *s, int64_t version) {
    memset(s, 0, sizeof *s);
    s->version = version;
    s->protocol.min_reader = 3;
    s->protocol.min_writer = 7;
    s->protocol.has_reader_features = s->protocol.has_writer_features = true;
    s->protocol.reader_features = mk_list((const char *[]){"deletionVectors", NULL});
    s->protocol.writer_features = mk_list((const char *[]){"deletionVectors", "domainMetadata", "rowTracking", NULL});

    lml_delta_metadata *m = &s->metadata;
    m->id = dup("5f8a0c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b");
    m->name = dup("events");
    m->provider = dup("parquet");
    m->schema_string = dup("{\"type\":\"struct\",\"fields\":[{\"name\":\"x\",\"type\":\"long\",\"nullable\":true,"
                           "\"metadata\":{}},{\"name\":\"country\",\"type\":\"string\",\"nullable\":true,"
                           "\"metadata\":{}},{\"name\":\"day\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}}]}");
    m->npartition = 2;
    m->partition_columns = calloc(3, sizeof(char *));
    m->partition_columns[0] = dup("country");
    m->partition_columns[1] = dup("day");
    m->configuration = mk_map((const char *[]){"delta.enableDeletionVectors", "true", "delta.checkpointInterval",
                                               "10", "user.unset", NUL, NULL});
    m->format_options = mk_map((const char *[]){NULL});
    m->has_created_time = true;
    m->created_time = 1699999999123LL;

    s->nfiles = 3;
    s->files = calloc(3, sizeof *s->files);
    lml_delta_file *f = &s->files[0];
    f->path = dup("country=FR/day=3/part-00002%20x.snappy.parquet");
    f->has_partition_values = true;
    f->partition_values = mk_map((const char *[]){"country", "FR", "day", "3", NULL});
    f->has_size = true;
    f->size = 5000000000LL; /* past 32 bits */
    f->modification_time = 1700000003000LL;
    f->data_change = true;
    f->stats = dup("{\"numRecords\":12,\"minValues\":{\"x\":1},\"maxValues\":{\"x\":40},\"nullCount\":{\"x\":0}}");
    f->num_records = 12;
    f->dv = (lml_delta_dv){.present = true, .storage_type = 'u', .path_or_inline = dup("ab^-aqEH.-t@S}K{vb[*k^"),
                           .has_offset = true, .offset = 4, .size_in_bytes = 40, .cardinality = 6,
                           .has_max_row_index = true, .max_row_index = 29};
    f = &s->files[1];
    f->path = dup("country=US/day=1/part-00000.snappy.parquet");
    f->has_partition_values = true;
    f->partition_values = mk_map((const char *[]){"country", "US", "day", "1", NULL});
    f->has_size = true;
    f->size = 1234;
    f->modification_time = 1700000001000LL;
    f->stats = dup("{\"numRecords\":10}");
    f->num_records = 10;
    f->has_tags = true;
    f->tags = mk_map((const char *[]){"INSERTION_TIME", "1700000001000000", "OPTIMIZE_TARGET_SIZE", "268435456", NULL});
    f->has_base_row_id = f->has_default_row_commit_version = true;
    f->base_row_id = 100;
    f->default_row_commit_version = 3;
    f = &s->files[2];
    f->path = dup("country=__HIVE_DEFAULT_PARTITION__/day=2/part-00001.snappy.parquet");
    f->has_partition_values = true;
    f->partition_values = mk_map((const char *[]){"country", NUL, "day", "2", NULL});
    f->has_size = true;
    f->size = 99;
    f->modification_time = 1700000002000LL;
    f->num_records = -1;

    s->ntombstones = 3;
    s->tombstones = calloc(3, sizeof *s->tombstones);
    f = &s->tombstones[0];
    f->path = dup("country=US/day=1/part-old.snappy.parquet");
    f->has_deletion_timestamp = true;
    f->deletion_timestamp = CUTOFF + 5000;
    f->data_change = true;
    f->extended_file_metadata = true;
    f->has_partition_values = true;
    f->partition_values = mk_map((const char *[]){"country", "US", "day", NUL, NULL});
    f->has_size = true;
    f->size = 777;
    f->dv = (lml_delta_dv){.present = true, .storage_type = 'p', .path_or_inline = dup("/tmp/dv.bin"),
                           .size_in_bytes = 34, .cardinality = 2};
    f->num_records = -1;
    f = &s->tombstones[1];
    f->path = dup("country=FR/day=3/part-expired.snappy.parquet");
    f->has_deletion_timestamp = true;
    f->deletion_timestamp = CUTOFF - 1; /* one millisecond too old */
    f->data_change = true;
    f->num_records = -1;
    f = &s->tombstones[2];
    f->path = dup("part-at-cutoff.snappy.parquet");
    f->has_deletion_timestamp = true;
    f->deletion_timestamp = CUTOFF; /* exactly at the cutoff: kept */
    f->num_records = -1;

    s->ntxns = 2;
    s->txns = calloc(2, sizeof *s->txns);
    s->txns[0] = (lml_delta_txn){dup("app-a"), 7, true, 1700000002500LL};
    s->txns[1] = (lml_delta_txn){dup("streaming-query-b"), 42, false, 0};
    s->ndomains = 2;
    s->domains = calloc(2, sizeof *s->domains);
    s->domains[0] = (lml_delta_domain){dup("delta.rowTracking"), dup("{\"rowIdHighWaterMark\":17}"), false};
    s->domains[1] = (lml_delta_domain){dup("gone"), dup("{}"), true}; /* removed: never written */
}

/* ---- reading back */

typedef struct got {
    size_t n;
    lml_delta_action a[32];
} got;

static bool collect(void *ctx, lml_delta_action *a, lml_error *err) {
    got *g = ctx;
    if (g->n == 32) return lml_error_set(err, LML_ERANGE, "too many actions");
    g->a[g->n++] = *a;
    memset(a, 0, sizeof *a);
    return true;
}

static const char *table_dir(void) {
    static char root[512];
    const char *d = lml_test_temp_dir();
    cr_assert(d);
    snprintf(root, sizeof root, "%s", d);
    char log[600];
    snprintf(log, sizeof log, "%s/_delta_log", root);
    cr_assert_eq(mkdir(log, 0755), 0);
    return root;
}

static const char *log_dir_of(const char *root) {
    static char log[600];
    snprintf(log, sizeof log, "%s/_delta_log", root);
    return log;
}

static const char *cp_path(const char *root, int64_t v) {
    static char p[700];
    snprintf(p, sizeof p, "%s/_delta_log/%020lld.checkpoint.parquet", root, (long long)v);
    return p;
}

static void read_back(const char *root, int64_t version, got *g) {
    lml_error err = {0};
    lml_delta_log log;
    const lml_storage *st = lml_storage_local();
    cr_assert(lml_delta_log_list(st, root, &log, &err), "%s", err.message);
    lml_delta_segment seg;
    cr_assert(lml_delta_log_segment(&log, version, &seg, &err), "%s", err.message);
    cr_assert_eq(seg.checkpoint_version, version);
    cr_assert_eq(seg.ncheckpoint_files, 1);
    cr_assert_eq(seg.ncommits, 0);
    memset(g, 0, sizeof *g);
    cr_assert(lml_delta_checkpoint_read(st, &log, &seg, collect, g, &err), "%s", err.message);
    lml_delta_segment_clear(&seg);
    lml_delta_log_clear(&log);
}

static void free_got(got *g) {
    for (size_t i = 0; i < g->n; i++) lml_delta_action_clear(&g->a[i]);
}

static void str_eq(const char *what, const char *want, const char *have) {
    if (!want) cr_assert_null(have, "%s: want null, got '%s'", what, have);
    else {
        cr_assert(have, "%s: want '%s', got null", what, want);
        cr_assert_str_eq(have, want, "%s", what);
    }
}

static void map_eq(const char *what, const lml_delta_map *want, const lml_delta_map *have) {
    cr_assert_eq(have->n, want->n, "%s: %zu entries, want %zu", what, have->n, want->n);
    for (size_t i = 0; i < want->n; i++) {
        str_eq(what, want->keys[i], have->keys[i]);
        str_eq(want->keys[i], want->values[i], have->values[i]);
    }
}

static void dv_eq(const lml_delta_dv *w, const lml_delta_dv *h) {
    cr_assert_eq(h->present, w->present);
    if (!w->present) return;
    cr_assert_eq(h->storage_type, w->storage_type);
    str_eq("pathOrInlineDv", w->path_or_inline, h->path_or_inline);
    cr_assert_eq(h->has_offset, w->has_offset);
    if (w->has_offset) cr_assert_eq(h->offset, w->offset);
    cr_assert_eq(h->size_in_bytes, w->size_in_bytes);
    cr_assert_eq(h->cardinality, w->cardinality);
    cr_assert_eq(h->has_max_row_index, w->has_max_row_index);
    if (w->has_max_row_index) cr_assert_eq(h->max_row_index, w->max_row_index);
}

/* Every field but dataChange, which a checkpoint always writes false (as Spark's replay does). */
static void file_eq(const lml_delta_file *w, const lml_delta_file *h, bool add) {
    str_eq("path", w->path, h->path);
    cr_assert_eq(h->has_partition_values, w->has_partition_values, "%s", w->path);
    map_eq("partitionValues", &w->partition_values, &h->partition_values);
    cr_assert_eq(h->has_size, w->has_size, "%s", w->path);
    if (w->has_size) cr_assert_eq(h->size, w->size, "%s", w->path);
    cr_assert_not(h->data_change, "%s: dataChange must be false in a checkpoint", w->path);
    dv_eq(&w->dv, &h->dv);
    cr_assert_eq(h->has_base_row_id, w->has_base_row_id);
    if (w->has_base_row_id) cr_assert_eq(h->base_row_id, w->base_row_id);
    cr_assert_eq(h->has_default_row_commit_version, w->has_default_row_commit_version);
    if (w->has_default_row_commit_version) cr_assert_eq(h->default_row_commit_version, w->default_row_commit_version);
    if (add) {
        cr_assert_eq(h->modification_time, w->modification_time);
        str_eq("stats", w->stats, h->stats);
        cr_assert_eq(h->num_records, w->num_records, "%s", w->path);
        cr_assert_eq(h->has_tags, w->has_tags, "%s", w->path);
        map_eq("tags", &w->tags, &h->tags);
    } else {
        cr_assert_eq(h->has_deletion_timestamp, w->has_deletion_timestamp);
        cr_assert_eq(h->deletion_timestamp, w->deletion_timestamp);
        cr_assert_eq(h->extended_file_metadata, w->extended_file_metadata);
        cr_assert_null(h->stats);
        cr_assert_not(h->has_tags);
    }
}

static const lml_delta_action *find(const got *g, lml_delta_action_kind kind, const char *key) {
    for (size_t i = 0; i < g->n; i++) {
        const lml_delta_action *a = &g->a[i];
        if (a->kind != kind) continue;
        if (!key) return a;
        const char *k = kind == LML_DA_TXN ? a->u.txn.app_id : kind == LML_DA_DOMAIN ? a->u.domain.domain
                                                                                      : a->u.file.path;
        if (strcmp(k, key) == 0) return a;
    }
    return NULL;
}

static size_t count(const got *g, lml_delta_action_kind kind) {
    size_t n = 0;
    for (size_t i = 0; i < g->n; i++) n += g->a[i].kind == kind;
    return n;
}

static const char *write_state(lml_delta_state *s) {
    const char *root = table_dir();
    lml_error err = {0};
    cr_assert(lml_delta_checkpoint_write(lml_storage_local(), log_dir_of(root), s, CUTOFF, &err), "%s",
              err.message);
    return root;
}

Test(delta_checkpoint, round_trip_through_the_log_reader_field_by_field) {
    lml_delta_state s;
    build_state(&s, 5);
    const char *root = write_state(&s);
    got g;
    read_back(root, 5, &g);
    /* protocol, metaData, 2 txns, 1 live domain, 3 adds, 2 unexpired removes */
    cr_assert_eq(g.n, 10);
    cr_assert_eq(count(&g, LML_DA_PROTOCOL), 1);
    cr_assert_eq(count(&g, LML_DA_METADATA), 1);
    cr_assert_eq(count(&g, LML_DA_TXN), 2);
    cr_assert_eq(count(&g, LML_DA_DOMAIN), 1);
    cr_assert_eq(count(&g, LML_DA_ADD), 3);
    cr_assert_eq(count(&g, LML_DA_REMOVE), 2);

    const lml_delta_protocol *p = &find(&g, LML_DA_PROTOCOL, NULL)->u.protocol;
    cr_assert_eq(p->min_reader, 3);
    cr_assert_eq(p->min_writer, 7);
    cr_assert(p->has_reader_features && p->has_writer_features);
    map_eq("readerFeatures", &s.protocol.reader_features, &p->reader_features);
    map_eq("writerFeatures", &s.protocol.writer_features, &p->writer_features);

    const lml_delta_metadata *m = &find(&g, LML_DA_METADATA, NULL)->u.metadata;
    str_eq("id", s.metadata.id, m->id);
    str_eq("name", "events", m->name);
    str_eq("description", NULL, m->description);
    str_eq("provider", "parquet", m->provider);
    str_eq("schemaString", s.metadata.schema_string, m->schema_string);
    cr_assert_eq(m->npartition, 2);
    str_eq("partitionColumns[0]", "country", m->partition_columns[0]);
    str_eq("partitionColumns[1]", "day", m->partition_columns[1]);
    map_eq("configuration", &s.metadata.configuration, &m->configuration);
    cr_assert_eq(m->format_options.n, 0);
    cr_assert(m->has_created_time);
    cr_assert_eq(m->created_time, 1699999999123LL);

    for (size_t i = 0; i < 3; i++) {
        const lml_delta_action *a = find(&g, LML_DA_ADD, s.files[i].path);
        cr_assert(a, "add %s missing", s.files[i].path);
        file_eq(&s.files[i], &a->u.file, true);
    }
    file_eq(&s.tombstones[0], &find(&g, LML_DA_REMOVE, s.tombstones[0].path)->u.file, false);
    file_eq(&s.tombstones[2], &find(&g, LML_DA_REMOVE, s.tombstones[2].path)->u.file, false);
    cr_assert_null(find(&g, LML_DA_REMOVE, s.tombstones[1].path), "the expired tombstone was written");

    const lml_delta_txn *t = &find(&g, LML_DA_TXN, "app-a")->u.txn;
    cr_assert_eq(t->version, 7);
    cr_assert(t->has_last_updated);
    cr_assert_eq(t->last_updated, 1700000002500LL);
    t = &find(&g, LML_DA_TXN, "streaming-query-b")->u.txn;
    cr_assert_eq(t->version, 42);
    cr_assert_not(t->has_last_updated);

    const lml_delta_domain *d = &find(&g, LML_DA_DOMAIN, "delta.rowTracking")->u.domain;
    str_eq("domain configuration", "{\"rowIdHighWaterMark\":17}", d->configuration);
    cr_assert_not(d->removed);
    cr_assert_null(find(&g, LML_DA_DOMAIN, "gone"));
    free_got(&g);
    lml_delta_state_clear(&s);
}

Test(delta_checkpoint, replay_of_the_written_checkpoint_gives_the_state) {
    lml_delta_state s;
    build_state(&s, 5);
    const char *root = write_state(&s);
    lml_error err = {0};
    lml_delta_log log;
    const lml_storage *st = lml_storage_local();
    cr_assert(lml_delta_log_list(st, root, &log, &err), "%s", err.message);
    lml_delta_segment seg;
    cr_assert(lml_delta_log_segment(&log, 5, &seg, &err), "%s", err.message);
    lml_delta_state r;
    cr_assert(lml_delta_replay(st, &log, &seg, &r, &err), "%s", err.message);
    cr_assert_eq(r.version, 5);
    cr_assert_eq(r.nfiles, 3);
    cr_assert_eq(r.ntombstones, 2);
    cr_assert_eq(r.ntxns, 2);
    cr_assert_eq(r.ndomains, 1);
    cr_assert_eq(r.protocol.min_reader, 3);
    lml_delta_state_clear(&r);
    lml_delta_segment_clear(&seg);
    lml_delta_log_clear(&log);
    lml_delta_state_clear(&s);
}

/* ---- the Parquet file on its own */

static const lml_column *child(const lml_column *c, const char *name, lml_type type) {
    const lml_column *ch = lml_column_struct_field(c, name);
    cr_assert(ch, "field %s missing", name);
    cr_assert_eq(lml_column_type(ch), type, "field %s: type %s", name, lml_type_name(lml_column_type(ch)));
    return ch;
}

static const char *const top[] = {"txn", "add", "remove", "metaData", "protocol", "domainMetadata"};

Test(delta_checkpoint, parquet_schema_is_spark_layout) {
    lml_delta_state s;
    build_state(&s, 5);
    const char *root = write_state(&s);
    lml_error err = {0};
    lml_parquet_file *pf = lml_parquet_open(cp_path(root, 5), &err);
    cr_assert(pf, "%s", err.message);
    cr_assert_eq(lml_parquet_num_fields(pf), 6);
    for (size_t i = 0; i < 6; i++) {
        const lml_parquet_field *fd = lml_parquet_field_at(pf, i);
        cr_assert_str_eq(fd->name, top[i]);
        cr_assert_eq(fd->type, LML_STRUCT, "%s", top[i]);
        cr_assert(fd->nullable, "%s", top[i]);
    }
    cr_assert_eq(lml_parquet_num_rows(pf), 10);
    cr_assert(lml_parquet_metadata_get(pf, "org.apache.spark.sql.parquet.row.metadata"));
    lml_parquet_close(pf);

    lml_frame *fr = lml_parquet_read(cp_path(root, 5), NULL, &err);
    cr_assert(fr, "%s", err.message);
    size_t n = lml_frame_num_rows(fr);
    cr_assert_eq(n, 10);
    /* every row non-null in exactly one action column */
    for (size_t r = 0; r < n; r++) {
        int nonnull = 0;
        for (size_t c = 0; c < 6; c++) nonnull += !lml_column_is_null(lml_frame_column(fr, c), r);
        cr_assert_eq(nonnull, 1, "row %zu has %d actions", r, nonnull);
    }
    const lml_column *add = lml_frame_column_by_name(fr, "add", &err);
    cr_assert_eq(lml_column_null_count(add), 7);
    child(add, "path", LML_STRING);
    child(add, "partitionValues", LML_MAP);
    child(add, "size", LML_INT64);
    child(add, "modificationTime", LML_INT64);
    child(add, "dataChange", LML_BOOL);
    child(add, "tags", LML_MAP);
    child(add, "stats", LML_STRING);
    const lml_column *dv = child(add, "deletionVector", LML_STRUCT);
    child(dv, "storageType", LML_STRING);
    child(dv, "offset", LML_INT32);
    child(dv, "sizeInBytes", LML_INT32);
    child(dv, "cardinality", LML_INT64);
    cr_assert_eq(lml_column_num_children(add), 10, "no clusteringProvider without a clustered file");
    /* a null partition value stays a null map value */
    const lml_column *pv = lml_column_struct_field(add, "partitionValues");
    const lml_column *vals = lml_column_map_values(pv);
    cr_assert_eq(lml_column_null_count(vals), 1);
    const lml_column *meta = lml_frame_column_by_name(fr, "metaData", &err);
    const lml_column *pc = child(meta, "partitionColumns", LML_LIST);
    cr_assert_eq(lml_column_type(lml_column_child(pc, 0)), LML_STRING);
    child(meta, "configuration", LML_MAP);
    child(child(meta, "format", LML_STRUCT), "options", LML_MAP);
    const lml_column *proto = lml_frame_column_by_name(fr, "protocol", &err);
    child(proto, "minReaderVersion", LML_INT32);
    child(proto, "readerFeatures", LML_LIST);
    child(proto, "writerFeatures", LML_LIST);
    const lml_column *rm = lml_frame_column_by_name(fr, "remove", &err);
    cr_assert_null(lml_column_struct_field(rm, "stats"), "a checkpoint's removes carry no stats");
    cr_assert_null(lml_column_struct_field(rm, "tags"), "a checkpoint's removes carry no tags");
    child(rm, "deletionTimestamp", LML_INT64);
    child(rm, "extendedFileMetadata", LML_BOOL);
    lml_frame_free(fr);
    lml_delta_state_clear(&s);
}

Test(delta_checkpoint, legacy_protocol_writes_null_feature_lists) {
    lml_delta_state s;
    build_state(&s, 2);
    lml_delta_map_clear(&s.protocol.reader_features);
    lml_delta_map_clear(&s.protocol.writer_features);
    s.protocol = (lml_delta_protocol){.min_reader = 1, .min_writer = 2};
    const char *root = write_state(&s);
    lml_error err = {0};
    lml_frame *fr = lml_parquet_read(cp_path(root, 2), NULL, &err);
    cr_assert(fr, "%s", err.message);
    const lml_column *proto = lml_frame_column_by_name(fr, "protocol", &err);
    const lml_column *rf = lml_column_struct_field(proto, "readerFeatures");
    const lml_column *wf = lml_column_struct_field(proto, "writerFeatures");
    const int32_t *mr = lml_column_int32s(lml_column_struct_field(proto, "minReaderVersion"));
    size_t seen = 0;
    for (size_t r = 0; r < lml_frame_num_rows(fr); r++) {
        if (lml_column_is_null(proto, r)) continue;
        seen++;
        cr_assert_eq(mr[r], 1);
        cr_assert(lml_column_is_null(rf, r) && lml_column_is_null(wf, r));
    }
    cr_assert_eq(seen, 1);
    lml_frame_free(fr);
    got g;
    read_back(root, 2, &g);
    const lml_delta_protocol *p = &find(&g, LML_DA_PROTOCOL, NULL)->u.protocol;
    cr_assert_eq(p->min_writer, 2);
    cr_assert_not(p->has_reader_features);
    cr_assert_not(p->has_writer_features);
    free_got(&g);
    lml_delta_state_clear(&s);
}

/* ---- _last_checkpoint */

static void check_last_checkpoint(const char *root, int64_t version, int size, int nadd) {
    char path[700];
    snprintf(path, sizeof path, "%s/_delta_log/_last_checkpoint", root);
    char *text = lml_test_slurp(path);
    cr_assert(text, "no _last_checkpoint");
    cJSON *j = cJSON_Parse(text);
    cr_assert(j, "_last_checkpoint is not JSON: %s", text);
    struct stat stt;
    cr_assert_eq(stat(cp_path(root, version), &stt), 0);
    cr_assert_eq(cJSON_GetObjectItem(j, "version")->valuedouble, (double)version);
    cr_assert_eq(cJSON_GetObjectItem(j, "size")->valuedouble, size);
    cr_assert_eq(cJSON_GetObjectItem(j, "sizeInBytes")->valuedouble, (double)stt.st_size);
    cr_assert_eq(cJSON_GetObjectItem(j, "numOfAddFiles")->valuedouble, nadd);
    const cJSON *sum = cJSON_GetObjectItem(j, "checksum");
    cr_assert(cJSON_IsString(sum));
    char want[33];
    lml_error err = {0};
    cr_assert(lml_delta_json_checksum(text, strlen(text), want, &err), "%s", err.message);
    cr_assert_str_eq(sum->valuestring, want);
    cr_assert_eq(strlen(want), 32);
    /* the checksum is over the object without it: recompute from the fields alone */
    char body[256];
    snprintf(body, sizeof body, "{\"version\":%lld,\"size\":%d,\"sizeInBytes\":%lld,\"numOfAddFiles\":%d}",
             (long long)version, size, (long long)stt.st_size, nadd);
    cr_assert(lml_delta_json_checksum(body, strlen(body), want, &err));
    cr_assert_str_eq(sum->valuestring, want);
    cJSON_Delete(j);
    free(text);
}

Test(delta_checkpoint, last_checkpoint_fields_and_checksum) {
    lml_delta_state s;
    build_state(&s, 5);
    const char *root = write_state(&s);
    check_last_checkpoint(root, 5, 10, 3);
    /* a later checkpoint replaces it */
    s.version = 10;
    lml_error err = {0};
    cr_assert(lml_delta_checkpoint_write(lml_storage_local(), log_dir_of(root), &s, CUTOFF + 10000, &err), "%s",
              err.message);
    check_last_checkpoint(root, 10, 8, 3); /* the tombstones expired at the new cutoff */
    lml_delta_state_clear(&s);
}

/* ---- against a checkpoint Spark (Delta 3.0) wrote */

static void same_shape(const char *where, const lml_column *ours, const lml_column *spark) {
    cr_assert_eq(lml_column_type(ours), lml_column_type(spark), "%s: type %s vs Spark's %s", where,
                 lml_type_name(lml_column_type(ours)), lml_type_name(lml_column_type(spark)));
    size_t n = lml_column_num_children(spark);
    cr_assert_eq(lml_column_num_children(ours), n, "%s: %zu children vs Spark's %zu", where,
                 lml_column_num_children(ours), n);
    for (size_t i = 0; i < n; i++) {
        char sub[256];
        snprintf(sub, sizeof sub, "%s.%s", where, lml_column_child_name(spark, i));
        cr_assert_str_eq(lml_column_child_name(ours, i), lml_column_child_name(spark, i), "%s", sub);
        same_shape(sub, lml_column_child(ours, i), lml_column_child(spark, i));
    }
}

Test(delta_checkpoint, same_columns_as_a_spark_checkpoint) {
    LML_REQUIRE_SHARED(spark_path, SPARK_CP);
    lml_error err = {0};
    lml_parquet_file *sp = lml_parquet_open(spark_path, &err);
    cr_assert(sp, "%s", err.message);
    cr_assert_eq(lml_parquet_num_fields(sp), 6);
    for (size_t i = 0; i < 6; i++) cr_assert_str_eq(lml_parquet_field_at(sp, i)->name, top[i]);
    lml_parquet_close(sp);
    lml_frame *spark = lml_parquet_read(spark_path, NULL, &err);
    cr_assert(spark, "%s", err.message);

    lml_delta_state s;
    build_state(&s, 5);
    const char *root = write_state(&s);
    lml_frame *ours = lml_parquet_read(cp_path(root, 5), NULL, &err);
    cr_assert(ours, "%s", err.message);
    for (size_t i = 0; i < 6; i++) {
        cr_assert_str_eq(lml_frame_column_name(ours, i), lml_frame_column_name(spark, i));
        same_shape(top[i], lml_frame_column(ours, i), lml_frame_column(spark, i));
    }
    /* Spark's checkpoint adds carry dataChange = false, as ours do */
    const lml_column *add = lml_frame_column_by_name(spark, "add", &err);
    const lml_column *dc = lml_column_struct_field(add, "dataChange");
    size_t nadd = 0;
    for (size_t r = 0; r < lml_frame_num_rows(spark); r++) {
        if (lml_column_is_null(add, r)) continue;
        nadd++;
        cr_assert_not(lml_column_bool_at(dc, r), "Spark row %zu: dataChange true", r);
    }
    cr_assert_eq(nadd, 6);
    lml_frame_free(ours);
    lml_frame_free(spark);
    lml_delta_state_clear(&s);
}

/* ---- states the writer refuses */

static size_t entries(const char *dir) {
    DIR *d = opendir(dir);
    cr_assert(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.' || (e->d_name[1] && e->d_name[1] != '.');
    closedir(d);
    return n;
}

static void refused(lml_delta_state *s, lml_errcode code, const char *needle) {
    const char *root = table_dir();
    lml_error err = {0};
    cr_assert_not(lml_delta_checkpoint_write(lml_storage_local(), log_dir_of(root), s, CUTOFF, &err));
    cr_assert_eq(err.code, code, "code %d: %s", err.code, err.message);
    cr_assert(strstr(err.message, needle), "message '%s' lacks '%s'", err.message, needle);
    cr_assert_eq(entries(log_dir_of(root)), 0, "a refused checkpoint left files behind");
}

Test(delta_checkpoint, refuses_a_state_without_metadata) {
    lml_delta_state s;
    build_state(&s, 5);
    free(s.metadata.id);
    s.metadata.id = NULL;
    refused(&s, LML_EINVAL, "no metaData");
    lml_delta_state_clear(&s);
}

Test(delta_checkpoint, refuses_a_negative_version) {
    lml_delta_state s;
    build_state(&s, -3);
    refused(&s, LML_EINVAL, "-3");
    lml_delta_state_clear(&s);
}

Test(delta_checkpoint, refuses_a_dv_size_past_int32) {
    lml_delta_state s;
    build_state(&s, 5);
    s.files[0].dv.size_in_bytes = 3000000000LL;
    refused(&s, LML_EINVAL, "country=FR/day=3/part-00002%20x.snappy.parquet");
    s.files[0].dv.size_in_bytes = 40;
    s.files[0].dv.offset = -1;
    refused(&s, LML_EINVAL, "offset");
    lml_delta_state_clear(&s);
}

Test(delta_checkpoint, refuses_a_null_map_key) {
    lml_delta_state s;
    build_state(&s, 5);
    free(s.files[1].tags.keys[1]);
    s.files[1].tags.keys[1] = NULL;
    refused(&s, LML_EINVAL, "add.tags");
    lml_delta_state_clear(&s);
}

Test(delta_checkpoint, missing_log_dir_is_an_io_error) {
    lml_delta_state s;
    build_state(&s, 5);
    const char *root = lml_test_temp_dir();
    char dir[600];
    snprintf(dir, sizeof dir, "%s/no/such/_delta_log", root);
    lml_error err = {0};
    cr_assert_not(lml_delta_checkpoint_write(lml_storage_local(), dir, &s, CUTOFF, &err));
    cr_assert_eq(err.code, LML_EIO, "%s", err.message);
    cr_assert(strstr(err.message, "no/such"), "%s", err.message);
    cr_assert_eq(entries(root), 0);
    lml_delta_state_clear(&s);
}

Test(delta_checkpoint, null_arguments_are_refused) {
    lml_error err = {0};
    cr_assert_not(lml_delta_checkpoint_write(lml_storage_local(), "/tmp", NULL, 0, &err));
    cr_assert_eq(err.code, LML_EINVAL);
}

Test(delta_checkpoint, clustering_provider_written_only_when_present) {
    lml_delta_state s;
    build_state(&s, 5);
    s.files[2].clustering_provider = dup("liquid");
    const char *root = write_state(&s);
    lml_error err = {0};
    lml_frame *fr = lml_parquet_read(cp_path(root, 5), NULL, &err);
    cr_assert(fr, "%s", err.message);
    const lml_column *add = lml_frame_column_by_name(fr, "add", &err);
    cr_assert_eq(lml_column_num_children(add), 11);
    cr_assert_str_eq(lml_column_child_name(add, 10), "clusteringProvider");
    lml_frame_free(fr);
    got g;
    read_back(root, 5, &g);
    str_eq("clusteringProvider", "liquid", find(&g, LML_DA_ADD, s.files[2].path)->u.file.clustering_provider);
    str_eq("clusteringProvider", NULL, find(&g, LML_DA_ADD, s.files[1].path)->u.file.clustering_provider);
    free_got(&g);
    lml_delta_state_clear(&s);
}

Test(delta_checkpoint, state_with_only_protocol_and_metadata) {
    lml_delta_state s;
    build_state(&s, 0);
    for (size_t i = 0; i < s.nfiles; i++) lml_delta_file_clear(&s.files[i]);
    for (size_t i = 0; i < s.ntombstones; i++) lml_delta_file_clear(&s.tombstones[i]);
    s.nfiles = s.ntombstones = 0;
    s.protocol.has_reader_features = false; /* reader 3 with the list dropped: written as null */
    const char *root = write_state(&s);
    check_last_checkpoint(root, 0, 5, 0);
    got g;
    read_back(root, 0, &g);
    cr_assert_eq(g.n, 5);
    cr_assert_eq(count(&g, LML_DA_ADD), 0);
    const lml_delta_protocol *p = &find(&g, LML_DA_PROTOCOL, NULL)->u.protocol;
    cr_assert_not(p->has_reader_features);
    cr_assert(p->has_writer_features);
    free_got(&g);
    lml_delta_state_clear(&s);
}

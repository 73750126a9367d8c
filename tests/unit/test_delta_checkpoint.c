/* Writing Delta checkpoints (delta.md §4.2, §4.4, §8.9): a hand-built state written as a
 * checkpoint and read back through the log reader field by field, replayed, and _last_checkpoint
 * with its checksum. The Parquet file's layout (on its own and against a checkpoint Spark wrote),
 * and states the writer must refuse cleanly: test_delta_checkpoint_parquet.c. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "delta/checkpoint.h"
#include "delta/checksum.h"
#include "delta/log.h"
#include "delta/replay.h"
#include "delta_checkpoint_support.h"
#include "support.h"

/* ---- comparing what was read back with what was written */

static void map_eq(const char *what, const lml_delta_map *want, const lml_delta_map *have) {
    cr_assert_eq(have->n, want->n, "%s: %zu entries, want %zu", what, have->n, want->n);
    for (size_t i = 0; i < want->n; i++) {
        lml_test_cp_str_eq(what, want->keys[i], have->keys[i]);
        lml_test_cp_str_eq(want->keys[i], want->values[i], have->values[i]);
    }
}

static void dv_eq(const lml_delta_dv *w, const lml_delta_dv *h) {
    cr_assert_eq(h->present, w->present);
    if (!w->present) return;
    cr_assert_eq(h->storage_type, w->storage_type);
    lml_test_cp_str_eq("pathOrInlineDv", w->path_or_inline, h->path_or_inline);
    cr_assert_eq(h->has_offset, w->has_offset);
    if (w->has_offset) cr_assert_eq(h->offset, w->offset);
    cr_assert_eq(h->size_in_bytes, w->size_in_bytes);
    cr_assert_eq(h->cardinality, w->cardinality);
    cr_assert_eq(h->has_max_row_index, w->has_max_row_index);
    if (w->has_max_row_index) cr_assert_eq(h->max_row_index, w->max_row_index);
}

/* Every field but dataChange, which a checkpoint always writes false (as Spark's replay does). */
static void file_eq(const lml_delta_file *w, const lml_delta_file *h, bool add) {
    lml_test_cp_str_eq("path", w->path, h->path);
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
        lml_test_cp_str_eq("stats", w->stats, h->stats);
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

static size_t count(const lml_test_cp_got *g, lml_delta_action_kind kind) {
    size_t n = 0;
    for (size_t i = 0; i < g->n; i++) n += g->a[i].kind == kind;
    return n;
}

Test(delta_checkpoint, round_trip_through_the_log_reader_field_by_field) {
    lml_delta_state s;
    lml_test_cp_build_state(&s, 5);
    const char *root = lml_test_cp_write_state(&s);
    lml_test_cp_got g;
    lml_test_cp_read_back(root, 5, &g);
    /* protocol, metaData, 2 txns, 1 live domain, 3 adds, 2 unexpired removes */
    cr_assert_eq(g.n, 10);
    cr_assert_eq(count(&g, LML_DA_PROTOCOL), 1);
    cr_assert_eq(count(&g, LML_DA_METADATA), 1);
    cr_assert_eq(count(&g, LML_DA_TXN), 2);
    cr_assert_eq(count(&g, LML_DA_DOMAIN), 1);
    cr_assert_eq(count(&g, LML_DA_ADD), 3);
    cr_assert_eq(count(&g, LML_DA_REMOVE), 2);

    const lml_delta_protocol *p = &lml_test_cp_find(&g, LML_DA_PROTOCOL, NULL)->u.protocol;
    cr_assert_eq(p->min_reader, 3);
    cr_assert_eq(p->min_writer, 7);
    cr_assert(p->has_reader_features && p->has_writer_features);
    map_eq("readerFeatures", &s.protocol.reader_features, &p->reader_features);
    map_eq("writerFeatures", &s.protocol.writer_features, &p->writer_features);

    const lml_delta_metadata *m = &lml_test_cp_find(&g, LML_DA_METADATA, NULL)->u.metadata;
    lml_test_cp_str_eq("id", s.metadata.id, m->id);
    lml_test_cp_str_eq("name", "events", m->name);
    lml_test_cp_str_eq("description", NULL, m->description);
    lml_test_cp_str_eq("provider", "parquet", m->provider);
    lml_test_cp_str_eq("schemaString", s.metadata.schema_string, m->schema_string);
    cr_assert_eq(m->npartition, 2);
    lml_test_cp_str_eq("partitionColumns[0]", "country", m->partition_columns[0]);
    lml_test_cp_str_eq("partitionColumns[1]", "day", m->partition_columns[1]);
    map_eq("configuration", &s.metadata.configuration, &m->configuration);
    cr_assert_eq(m->format_options.n, 0);
    cr_assert(m->has_created_time);
    cr_assert_eq(m->created_time, 1699999999123LL);

    for (size_t i = 0; i < 3; i++) {
        const lml_delta_action *a = lml_test_cp_find(&g, LML_DA_ADD, s.files[i].path);
        cr_assert(a, "add %s missing", s.files[i].path);
        file_eq(&s.files[i], &a->u.file, true);
    }
    file_eq(&s.tombstones[0], &lml_test_cp_find(&g, LML_DA_REMOVE, s.tombstones[0].path)->u.file, false);
    file_eq(&s.tombstones[2], &lml_test_cp_find(&g, LML_DA_REMOVE, s.tombstones[2].path)->u.file, false);
    cr_assert_null(lml_test_cp_find(&g, LML_DA_REMOVE, s.tombstones[1].path), "the expired tombstone was written");

    const lml_delta_txn *t = &lml_test_cp_find(&g, LML_DA_TXN, "app-a")->u.txn;
    cr_assert_eq(t->version, 7);
    cr_assert(t->has_last_updated);
    cr_assert_eq(t->last_updated, 1700000002500LL);
    t = &lml_test_cp_find(&g, LML_DA_TXN, "streaming-query-b")->u.txn;
    cr_assert_eq(t->version, 42);
    cr_assert_not(t->has_last_updated);

    const lml_delta_domain *d = &lml_test_cp_find(&g, LML_DA_DOMAIN, "delta.rowTracking")->u.domain;
    lml_test_cp_str_eq("domain configuration", "{\"rowIdHighWaterMark\":17}", d->configuration);
    cr_assert_not(d->removed);
    cr_assert_null(lml_test_cp_find(&g, LML_DA_DOMAIN, "gone"));
    lml_test_cp_free_got(&g);
    lml_delta_state_clear(&s);
}

Test(delta_checkpoint, replay_of_the_written_checkpoint_gives_the_state) {
    lml_delta_state s;
    lml_test_cp_build_state(&s, 5);
    const char *root = lml_test_cp_write_state(&s);
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

/* ---- _last_checkpoint */

static void check_last_checkpoint(const char *root, int64_t version, int size, int nadd) {
    char path[700];
    snprintf(path, sizeof path, "%s/_delta_log/_last_checkpoint", root);
    char *text = lml_test_slurp(path);
    cr_assert(text, "no _last_checkpoint");
    cJSON *j = cJSON_Parse(text);
    cr_assert(j, "_last_checkpoint is not JSON: %s", text);
    struct stat stt;
    cr_assert_eq(stat(lml_test_cp_path(root, version), &stt), 0);
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
    lml_test_cp_build_state(&s, 5);
    const char *root = lml_test_cp_write_state(&s);
    check_last_checkpoint(root, 5, 10, 3);
    /* a later checkpoint replaces it */
    s.version = 10;
    lml_error err = {0};
    cr_assert(lml_delta_checkpoint_write(lml_storage_local(), lml_test_cp_log_dir_of(root), &s, CUTOFF + 10000, &err), "%s",
              err.message);
    check_last_checkpoint(root, 10, 8, 3); /* the tombstones expired at the new cutoff */
    lml_delta_state_clear(&s);
}

Test(delta_checkpoint, state_with_only_protocol_and_metadata) {
    lml_delta_state s;
    lml_test_cp_build_state(&s, 0);
    for (size_t i = 0; i < s.nfiles; i++) lml_delta_file_clear(&s.files[i]);
    for (size_t i = 0; i < s.ntombstones; i++) lml_delta_file_clear(&s.tombstones[i]);
    s.nfiles = s.ntombstones = 0;
    s.protocol.has_reader_features = false; /* reader 3 with the list dropped: written as null */
    const char *root = lml_test_cp_write_state(&s);
    check_last_checkpoint(root, 0, 5, 0);
    lml_test_cp_got g;
    lml_test_cp_read_back(root, 0, &g);
    cr_assert_eq(g.n, 5);
    cr_assert_eq(count(&g, LML_DA_ADD), 0);
    const lml_delta_protocol *p = &lml_test_cp_find(&g, LML_DA_PROTOCOL, NULL)->u.protocol;
    cr_assert_not(p->has_reader_features);
    cr_assert(p->has_writer_features);
    lml_test_cp_free_got(&g);
    lml_delta_state_clear(&s);
}

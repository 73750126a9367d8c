/* Helpers shared by tests/unit/test_delta_checkpoint*.c: a Delta state built by hand, written as
 * a checkpoint into a fresh table and read back through the log reader. They check with
 * cr_assert, so they fail the calling Criterion test. */
#include "delta_checkpoint_support.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "delta/log.h"
#include "support.h"

/* ---- building a state by hand */

char *lml_test_cp_dup(const char *s) {
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
        m.keys[i] = lml_test_cp_dup(kv[2 * i]);
        m.values[i] = strcmp(kv[2 * i + 1], "\x01") == 0 ? NULL : lml_test_cp_dup(kv[2 * i + 1]);
    }
    m.n = n;
    return m;
}

static lml_delta_map mk_list(const char *const *names) {
    lml_delta_map m = {0};
    while (names[m.n]) m.n++;
    m.keys = calloc(m.n + 1, sizeof *m.keys);
    m.values = calloc(m.n + 1, sizeof *m.values);
    for (size_t i = 0; i < m.n; i++) m.keys[i] = lml_test_cp_dup(names[i]);
    return m;
}

#define NUL "\x01"

void lml_test_cp_build_state(lml_delta_state *s, int64_t version) {
    memset(s, 0, sizeof *s);
    s->version = version;
    s->protocol.min_reader = 3;
    s->protocol.min_writer = 7;
    s->protocol.has_reader_features = s->protocol.has_writer_features = true;
    s->protocol.reader_features = mk_list((const char *[]){"deletionVectors", NULL});
    s->protocol.writer_features = mk_list((const char *[]){"deletionVectors", "domainMetadata", "rowTracking", NULL});

    lml_delta_metadata *m = &s->metadata;
    m->id = lml_test_cp_dup("5f8a0c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b");
    m->name = lml_test_cp_dup("events");
    m->provider = lml_test_cp_dup("parquet");
    m->schema_string = lml_test_cp_dup(
        "{\"type\":\"struct\",\"fields\":[{\"name\":\"x\",\"type\":\"long\",\"nullable\":true,"
        "\"metadata\":{}},{\"name\":\"country\",\"type\":\"string\",\"nullable\":true,"
        "\"metadata\":{}},{\"name\":\"day\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}}]}");
    m->npartition = 2;
    m->partition_columns = calloc(3, sizeof(char *));
    m->partition_columns[0] = lml_test_cp_dup("country");
    m->partition_columns[1] = lml_test_cp_dup("day");
    m->configuration = mk_map((const char *[]){"delta.enableDeletionVectors", "true", "delta.checkpointInterval",
                                               "10", "user.unset", NUL, NULL});
    m->format_options = mk_map((const char *[]){NULL});
    m->has_created_time = true;
    m->created_time = 1699999999123LL;

    s->nfiles = 3;
    s->files = calloc(3, sizeof *s->files);
    lml_delta_file *f = &s->files[0];
    f->path = lml_test_cp_dup("country=FR/day=3/part-00002%20x.snappy.parquet");
    f->has_partition_values = true;
    f->partition_values = mk_map((const char *[]){"country", "FR", "day", "3", NULL});
    f->has_size = true;
    f->size = 5000000000LL; /* past 32 bits */
    f->modification_time = 1700000003000LL;
    f->data_change = true;
    f->stats = lml_test_cp_dup(
        "{\"numRecords\":12,\"minValues\":{\"x\":1},\"maxValues\":{\"x\":40},\"nullCount\":{\"x\":0}}");
    f->num_records = 12;
    f->dv = (lml_delta_dv){.present = true, .storage_type = 'u',
                           .path_or_inline = lml_test_cp_dup("ab^-aqEH.-t@S}K{vb[*k^"),
                           .has_offset = true, .offset = 4, .size_in_bytes = 40, .cardinality = 6,
                           .has_max_row_index = true, .max_row_index = 29};
    f = &s->files[1];
    f->path = lml_test_cp_dup("country=US/day=1/part-00000.snappy.parquet");
    f->has_partition_values = true;
    f->partition_values = mk_map((const char *[]){"country", "US", "day", "1", NULL});
    f->has_size = true;
    f->size = 1234;
    f->modification_time = 1700000001000LL;
    f->stats = lml_test_cp_dup("{\"numRecords\":10}");
    f->num_records = 10;
    f->has_tags = true;
    f->tags = mk_map((const char *[]){"INSERTION_TIME", "1700000001000000", "OPTIMIZE_TARGET_SIZE", "268435456", NULL});
    f->has_base_row_id = f->has_default_row_commit_version = true;
    f->base_row_id = 100;
    f->default_row_commit_version = 3;
    f = &s->files[2];
    f->path = lml_test_cp_dup("country=__HIVE_DEFAULT_PARTITION__/day=2/part-00001.snappy.parquet");
    f->has_partition_values = true;
    f->partition_values = mk_map((const char *[]){"country", NUL, "day", "2", NULL});
    f->has_size = true;
    f->size = 99;
    f->modification_time = 1700000002000LL;
    f->num_records = -1;

    s->ntombstones = 3;
    s->tombstones = calloc(3, sizeof *s->tombstones);
    f = &s->tombstones[0];
    f->path = lml_test_cp_dup("country=US/day=1/part-old.snappy.parquet");
    f->has_deletion_timestamp = true;
    f->deletion_timestamp = CUTOFF + 5000;
    f->data_change = true;
    f->extended_file_metadata = true;
    f->has_partition_values = true;
    f->partition_values = mk_map((const char *[]){"country", "US", "day", NUL, NULL});
    f->has_size = true;
    f->size = 777;
    f->dv = (lml_delta_dv){.present = true, .storage_type = 'p', .path_or_inline = lml_test_cp_dup("/tmp/dv.bin"),
                           .size_in_bytes = 34, .cardinality = 2};
    f->num_records = -1;
    f = &s->tombstones[1];
    f->path = lml_test_cp_dup("country=FR/day=3/part-expired.snappy.parquet");
    f->has_deletion_timestamp = true;
    f->deletion_timestamp = CUTOFF - 1; /* one millisecond too old */
    f->data_change = true;
    f->num_records = -1;
    f = &s->tombstones[2];
    f->path = lml_test_cp_dup("part-at-cutoff.snappy.parquet");
    f->has_deletion_timestamp = true;
    f->deletion_timestamp = CUTOFF; /* exactly at the cutoff: kept */
    f->num_records = -1;

    s->ntxns = 2;
    s->txns = calloc(2, sizeof *s->txns);
    s->txns[0] = (lml_delta_txn){lml_test_cp_dup("app-a"), 7, true, 1700000002500LL};
    s->txns[1] = (lml_delta_txn){lml_test_cp_dup("streaming-query-b"), 42, false, 0};
    s->ndomains = 2;
    s->domains = calloc(2, sizeof *s->domains);
    s->domains[0] = (lml_delta_domain){lml_test_cp_dup("delta.rowTracking"),
                                       lml_test_cp_dup("{\"rowIdHighWaterMark\":17}"), false};
    s->domains[1] = (lml_delta_domain){lml_test_cp_dup("gone"), lml_test_cp_dup("{}"), true}; /* removed: never written */
}

/* ---- reading back */

static bool collect(void *ctx, lml_delta_action *a, lml_error *err) {
    lml_test_cp_got *g = ctx;
    if (g->n == 32) return lml_error_set(err, LML_ERANGE, "too many actions");
    g->a[g->n++] = *a;
    memset(a, 0, sizeof *a);
    return true;
}

const char *lml_test_cp_table_dir(void) {
    static char root[512];
    const char *d = lml_test_temp_dir();
    cr_assert(d);
    snprintf(root, sizeof root, "%s", d);
    char log[600];
    snprintf(log, sizeof log, "%s/_delta_log", root);
    cr_assert_eq(mkdir(log, 0755), 0);
    return root;
}

const char *lml_test_cp_log_dir_of(const char *root) {
    static char log[600];
    snprintf(log, sizeof log, "%s/_delta_log", root);
    return log;
}

const char *lml_test_cp_path(const char *root, int64_t v) {
    static char p[700];
    snprintf(p, sizeof p, "%s/_delta_log/%020lld.checkpoint.parquet", root, (long long)v);
    return p;
}

void lml_test_cp_read_back(const char *root, int64_t version, lml_test_cp_got *g) {
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

void lml_test_cp_free_got(lml_test_cp_got *g) {
    for (size_t i = 0; i < g->n; i++) lml_delta_action_clear(&g->a[i]);
}

void lml_test_cp_str_eq(const char *what, const char *want, const char *have) {
    if (!want) cr_assert_null(have, "%s: want null, got '%s'", what, have);
    else {
        cr_assert(have, "%s: want '%s', got null", what, want);
        cr_assert_str_eq(have, want, "%s", what);
    }
}

const lml_delta_action *lml_test_cp_find(const lml_test_cp_got *g, lml_delta_action_kind kind, const char *key) {
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

const char *lml_test_cp_write_state(lml_delta_state *s) {
    const char *root = lml_test_cp_table_dir();
    lml_error err = {0};
    cr_assert(lml_delta_checkpoint_write(lml_storage_local(), lml_test_cp_log_dir_of(root), s, CUTOFF, &err), "%s",
              err.message);
    return root;
}

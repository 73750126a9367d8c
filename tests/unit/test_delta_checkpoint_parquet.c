/* Writing Delta checkpoints, the Parquet file (delta.md §4.2, §4.4): its schema is Spark's layout,
 * legacy protocols write null feature lists, clusteringProvider appears only when a file has one,
 * the columns are those of a checkpoint Spark (Delta 3.0) wrote; and states the writer must refuse
 * cleanly, leaving nothing behind. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "delta/checkpoint.h"
#include "delta/log.h"
#include "delta_checkpoint_support.h"
#include "lakeml/parquet.h"
#include "support.h"

#define SPARK_CP "conformance/delta/golden/basic-with-inserts-deletes-checkpoint/_delta_log/" \
                 "00000000000000000010.checkpoint.parquet"

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
    lml_test_cp_build_state(&s, 5);
    const char *root = lml_test_cp_write_state(&s);
    lml_error err = {0};
    lml_parquet_file *pf = lml_parquet_open(lml_test_cp_path(root, 5), &err);
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

    lml_frame *fr = lml_parquet_read(lml_test_cp_path(root, 5), NULL, &err);
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
    lml_test_cp_build_state(&s, 2);
    lml_delta_map_clear(&s.protocol.reader_features);
    lml_delta_map_clear(&s.protocol.writer_features);
    s.protocol = (lml_delta_protocol){.min_reader = 1, .min_writer = 2};
    const char *root = lml_test_cp_write_state(&s);
    lml_error err = {0};
    lml_frame *fr = lml_parquet_read(lml_test_cp_path(root, 2), NULL, &err);
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
    lml_test_cp_got g;
    lml_test_cp_read_back(root, 2, &g);
    const lml_delta_protocol *p = &lml_test_cp_find(&g, LML_DA_PROTOCOL, NULL)->u.protocol;
    cr_assert_eq(p->min_writer, 2);
    cr_assert_not(p->has_reader_features);
    cr_assert_not(p->has_writer_features);
    lml_test_cp_free_got(&g);
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
    lml_test_cp_build_state(&s, 5);
    const char *root = lml_test_cp_write_state(&s);
    lml_frame *ours = lml_parquet_read(lml_test_cp_path(root, 5), NULL, &err);
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
    const char *root = lml_test_cp_table_dir();
    lml_error err = {0};
    cr_assert_not(lml_delta_checkpoint_write(lml_storage_local(), lml_test_cp_log_dir_of(root), s, CUTOFF, &err));
    cr_assert_eq(err.code, code, "code %d: %s", err.code, err.message);
    cr_assert(strstr(err.message, needle), "message '%s' lacks '%s'", err.message, needle);
    cr_assert_eq(entries(lml_test_cp_log_dir_of(root)), 0, "a refused checkpoint left files behind");
}

Test(delta_checkpoint, refuses_a_state_without_metadata) {
    lml_delta_state s;
    lml_test_cp_build_state(&s, 5);
    free(s.metadata.id);
    s.metadata.id = NULL;
    refused(&s, LML_EINVAL, "no metaData");
    lml_delta_state_clear(&s);
}

Test(delta_checkpoint, refuses_a_negative_version) {
    lml_delta_state s;
    lml_test_cp_build_state(&s, -3);
    refused(&s, LML_EINVAL, "-3");
    lml_delta_state_clear(&s);
}

Test(delta_checkpoint, refuses_a_dv_size_past_int32) {
    lml_delta_state s;
    lml_test_cp_build_state(&s, 5);
    s.files[0].dv.size_in_bytes = 3000000000LL;
    refused(&s, LML_EINVAL, "country=FR/day=3/part-00002%20x.snappy.parquet");
    s.files[0].dv.size_in_bytes = 40;
    s.files[0].dv.offset = -1;
    refused(&s, LML_EINVAL, "offset");
    lml_delta_state_clear(&s);
}

Test(delta_checkpoint, refuses_a_null_map_key) {
    lml_delta_state s;
    lml_test_cp_build_state(&s, 5);
    free(s.files[1].tags.keys[1]);
    s.files[1].tags.keys[1] = NULL;
    refused(&s, LML_EINVAL, "add.tags");
    lml_delta_state_clear(&s);
}

Test(delta_checkpoint, missing_log_dir_is_an_io_error) {
    lml_delta_state s;
    lml_test_cp_build_state(&s, 5);
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
    lml_test_cp_build_state(&s, 5);
    s.files[2].clustering_provider = lml_test_cp_dup("liquid");
    const char *root = lml_test_cp_write_state(&s);
    lml_error err = {0};
    lml_frame *fr = lml_parquet_read(lml_test_cp_path(root, 5), NULL, &err);
    cr_assert(fr, "%s", err.message);
    const lml_column *add = lml_frame_column_by_name(fr, "add", &err);
    cr_assert_eq(lml_column_num_children(add), 11);
    cr_assert_str_eq(lml_column_child_name(add, 10), "clusteringProvider");
    lml_frame_free(fr);
    lml_test_cp_got g;
    lml_test_cp_read_back(root, 5, &g);
    lml_test_cp_str_eq("clusteringProvider", "liquid", lml_test_cp_find(&g, LML_DA_ADD, s.files[2].path)->u.file.clustering_provider);
    lml_test_cp_str_eq("clusteringProvider", NULL, lml_test_cp_find(&g, LML_DA_ADD, s.files[1].path)->u.file.clustering_provider);
    lml_test_cp_free_got(&g);
    lml_delta_state_clear(&s);
}

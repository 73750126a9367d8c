/* Writing Delta actions as commit lines (delta.md §2): round trips through the parser over every
 * line of the golden tables, Spark's bytes reproduced exactly, Jackson's string escaping, and
 * clean refusals. */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "delta/actions.h"
#include "support.h"

/* ---------------------------------------------------------------- field-by-field comparison */

static void expect_str(const char *a, const char *b, const char *what, const char *where) {
    if (!a || !b) cr_expect(a == b, "%s: %s: one side is NULL (%s vs %s)", where, what, a ? a : "NULL", b ? b : "NULL");
    else cr_expect_str_eq(a, b, "%s: %s", where, what);
}

static void expect_map(const lml_delta_map *a, const lml_delta_map *b, const char *what, const char *where) {
    cr_expect_eq(a->n, b->n, "%s: %s size %zu vs %zu", where, what, a->n, b->n);
    for (size_t i = 0; i < a->n && i < b->n; i++) {
        expect_str(a->keys[i], b->keys[i], what, where);
        expect_str(a->values[i], b->values[i], what, where);
    }
}

static void expect_file(const lml_delta_file *a, const lml_delta_file *b, const char *w) {
    expect_str(a->path, b->path, "path", w);
    cr_expect_eq(a->has_partition_values, b->has_partition_values, "%s: has partitionValues", w);
    expect_map(&a->partition_values, &b->partition_values, "partitionValues", w);
    cr_expect_eq(a->has_size, b->has_size, "%s: has size", w);
    cr_expect_eq(a->size, b->size, "%s: size", w);
    cr_expect_eq(a->modification_time, b->modification_time, "%s: modificationTime", w);
    cr_expect_eq(a->has_deletion_timestamp, b->has_deletion_timestamp, "%s: has deletionTimestamp", w);
    cr_expect_eq(a->deletion_timestamp, b->deletion_timestamp, "%s: deletionTimestamp", w);
    cr_expect_eq(a->data_change, b->data_change, "%s: dataChange", w);
    cr_expect_eq(a->extended_file_metadata, b->extended_file_metadata, "%s: extendedFileMetadata", w);
    expect_str(a->stats, b->stats, "stats", w);
    cr_expect_eq(a->num_records, b->num_records, "%s: numRecords", w);
    cr_expect_eq(a->has_tags, b->has_tags, "%s: has tags", w);
    expect_map(&a->tags, &b->tags, "tags", w);
    cr_expect_eq(a->dv.present, b->dv.present, "%s: dv present", w);
    cr_expect_eq(a->dv.storage_type, b->dv.storage_type, "%s: dv storageType", w);
    expect_str(a->dv.path_or_inline, b->dv.path_or_inline, "dv pathOrInlineDv", w);
    cr_expect_eq(a->dv.has_offset, b->dv.has_offset, "%s: dv has offset", w);
    cr_expect_eq(a->dv.offset, b->dv.offset, "%s: dv offset", w);
    cr_expect_eq(a->dv.size_in_bytes, b->dv.size_in_bytes, "%s: dv sizeInBytes", w);
    cr_expect_eq(a->dv.cardinality, b->dv.cardinality, "%s: dv cardinality", w);
    cr_expect_eq(a->dv.has_max_row_index, b->dv.has_max_row_index, "%s: dv has maxRowIndex", w);
    cr_expect_eq(a->dv.max_row_index, b->dv.max_row_index, "%s: dv maxRowIndex", w);
    cr_expect_eq(a->has_base_row_id, b->has_base_row_id, "%s: has baseRowId", w);
    cr_expect_eq(a->base_row_id, b->base_row_id, "%s: baseRowId", w);
    cr_expect_eq(a->has_default_row_commit_version, b->has_default_row_commit_version, "%s: has drcv", w);
    cr_expect_eq(a->default_row_commit_version, b->default_row_commit_version, "%s: drcv", w);
    expect_str(a->clustering_provider, b->clustering_provider, "clusteringProvider", w);
}

static void expect_action(const lml_delta_action *a, const lml_delta_action *b, const char *w) {
    cr_assert_eq(a->kind, b->kind, "%s: kind %d vs %d", w, (int)a->kind, (int)b->kind);
    switch (a->kind) {
    case LML_DA_PROTOCOL:
        cr_expect_eq(a->u.protocol.min_reader, b->u.protocol.min_reader, "%s: minReaderVersion", w);
        cr_expect_eq(a->u.protocol.min_writer, b->u.protocol.min_writer, "%s: minWriterVersion", w);
        cr_expect_eq(a->u.protocol.has_reader_features, b->u.protocol.has_reader_features, "%s: has readerFeatures", w);
        cr_expect_eq(a->u.protocol.has_writer_features, b->u.protocol.has_writer_features, "%s: has writerFeatures", w);
        expect_map(&a->u.protocol.reader_features, &b->u.protocol.reader_features, "readerFeatures", w);
        expect_map(&a->u.protocol.writer_features, &b->u.protocol.writer_features, "writerFeatures", w);
        break;
    case LML_DA_METADATA: {
        const lml_delta_metadata *x = &a->u.metadata, *y = &b->u.metadata;
        expect_str(x->id, y->id, "id", w);
        expect_str(x->name, y->name, "name", w);
        expect_str(x->description, y->description, "description", w);
        expect_str(x->provider, y->provider, "provider", w);
        expect_str(x->schema_string, y->schema_string, "schemaString", w);
        cr_expect_eq(x->npartition, y->npartition, "%s: partitionColumns", w);
        for (size_t i = 0; i < x->npartition && i < y->npartition; i++)
            expect_str(x->partition_columns[i], y->partition_columns[i], "partitionColumns", w);
        expect_map(&x->configuration, &y->configuration, "configuration", w);
        expect_map(&x->format_options, &y->format_options, "format.options", w);
        cr_expect_eq(x->has_created_time, y->has_created_time, "%s: has createdTime", w);
        cr_expect_eq(x->created_time, y->created_time, "%s: createdTime", w);
        break;
    }
    case LML_DA_ADD: case LML_DA_REMOVE: case LML_DA_CDC: expect_file(&a->u.file, &b->u.file, w); break;
    case LML_DA_TXN:
        expect_str(a->u.txn.app_id, b->u.txn.app_id, "appId", w);
        cr_expect_eq(a->u.txn.version, b->u.txn.version, "%s: version", w);
        cr_expect_eq(a->u.txn.has_last_updated, b->u.txn.has_last_updated, "%s: has lastUpdated", w);
        cr_expect_eq(a->u.txn.last_updated, b->u.txn.last_updated, "%s: lastUpdated", w);
        break;
    case LML_DA_DOMAIN:
        expect_str(a->u.domain.domain, b->u.domain.domain, "domain", w);
        expect_str(a->u.domain.configuration, b->u.domain.configuration, "configuration", w);
        cr_expect_eq(a->u.domain.removed, b->u.domain.removed, "%s: removed", w);
        break;
    case LML_DA_SIDECAR:
        expect_str(a->u.sidecar.path, b->u.sidecar.path, "sidecar path", w);
        cr_expect_eq(a->u.sidecar.size_in_bytes, b->u.sidecar.size_in_bytes, "%s: sizeInBytes", w);
        cr_expect_eq(a->u.sidecar.modification_time, b->u.sidecar.modification_time, "%s: modificationTime", w);
        break;
    case LML_DA_CHECKPOINT_METADATA:
        cr_expect_eq(a->u.checkpoint_metadata.version, b->u.checkpoint_metadata.version, "%s: version", w);
        break;
    case LML_DA_COMMIT_INFO:
        expect_str(a->u.commit_info.json, b->u.commit_info.json, "commitInfo json", w);
        cr_expect_eq(a->u.commit_info.has_timestamp, b->u.commit_info.has_timestamp, "%s: has timestamp", w);
        cr_expect_eq(a->u.commit_info.timestamp, b->u.commit_info.timestamp, "%s: timestamp", w);
        cr_expect_eq(a->u.commit_info.has_ict, b->u.commit_info.has_ict, "%s: has ict", w);
        cr_expect_eq(a->u.commit_info.in_commit_timestamp, b->u.commit_info.in_commit_timestamp, "%s: ict", w);
        expect_str(a->u.commit_info.operation, b->u.commit_info.operation, "operation", w);
        break;
    default: break;
    }
}

/* Parses `line`, writes it, returns the written text (malloc'd) and the parsed action in *a. */
static char *rewrite(const char *line, lml_delta_action *a) {
    lml_error err = {0};
    cr_assert(lml_delta_action_parse(line, strlen(line), a, &err), "parse: %s\n%s", err.message, line);
    lml_strbuf sb = {0};
    cr_assert(lml_delta_action_write(a, &sb, &err), "write: %s\n%s", err.message, line);
    char *out = lml_strbuf_finish(&sb, &err);
    cr_assert_not_null(out);
    return out;
}

/* ---------------------------------------------------------------- every golden commit line */

Test(delta_actions, every_golden_commit_line_round_trips_and_spark_lines_come_back_byte_for_byte) {
    LML_REQUIRE_SHARED(root, "conformance/delta/golden");
    char pat[4096];
    snprintf(pat, sizeof pat, "%s/*/_delta_log/*.json", root);
    glob_t g;
    cr_assert_eq(glob(pat, 0, NULL, &g), 0, "no commit files under %s", root);
    size_t lines = 0, exact = 0, kinds[LML_DA_SIDECAR + 1] = {0};
    for (size_t k = 0; k < g.gl_pathc; k++) {
        FILE *f = fopen(g.gl_pathv[k], "r");
        cr_assert_not_null(f, "%s", g.gl_pathv[k]);
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        for (int ln = 1; (n = getline(&line, &cap, f)) > 0; ln++) {
            char where[4200];
            snprintf(where, sizeof where, "%s:%d", g.gl_pathv[k], ln);
            lml_delta_action a, b;
            char *out = rewrite(line, &a);
            lml_error err = {0};
            cr_assert(lml_delta_action_parse(out, strlen(out), &b, &err), "%s: reparse: %s\n%s", where, err.message, out);
            expect_action(&a, &b, where);
            cr_expect(out[strlen(out) - 1] == '\n' && !strchr(out, '\n')[1], "%s: one line ending in \\n", where);
            /* Every golden line was written by Spark (Jackson): our text must be the same bytes.
             * commitInfo is the caller's text and is checked by the round trip above. */
            if (a.kind != LML_DA_COMMIT_INFO) {
                cr_expect_str_eq(out, line, "%s: written text differs from Spark's", where);
                exact += strcmp(out, line) == 0;
            }
            kinds[a.kind]++;
            lines++;
            lml_delta_action_clear(&a);
            lml_delta_action_clear(&b);
            free(out);
        }
        free(line);
        fclose(f);
    }
    globfree(&g);
    cr_log_info("%zu golden lines round-tripped, %zu non-commitInfo lines byte-identical", lines, exact);
    cr_expect_geq(lines, 400, "only %zu golden lines found", lines);
    /* The golden tables cover each kind Spark writes in commits (and the V2 checkpoint kinds). */
    cr_expect_gt(kinds[LML_DA_ADD], 0);
    cr_expect_gt(kinds[LML_DA_REMOVE], 0);
    cr_expect_gt(kinds[LML_DA_PROTOCOL], 0);
    cr_expect_gt(kinds[LML_DA_METADATA], 0);
    cr_expect_gt(kinds[LML_DA_COMMIT_INFO], 0);
    cr_expect_gt(kinds[LML_DA_SIDECAR], 0);
    cr_expect_gt(kinds[LML_DA_CHECKPOINT_METADATA], 0);
}

/* ---------------------------------------------------------------- known Spark lines, without the files */

static void expect_identity(const char *line) {
    lml_delta_action a;
    char *out = rewrite(line, &a);
    cr_expect_str_eq(out, line);
    lml_delta_action_clear(&a);
    free(out);
}

Test(delta_actions, known_spark_lines_are_reproduced_exactly) {
    /* golden/basic-with-inserts-overwrite-restore/_delta_log/00000…0.json, …2.json, …3.json */
    expect_identity("{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n");
    expect_identity("{\"metaData\":{\"id\":\"testId\",\"format\":{\"provider\":\"parquet\",\"options\":{}},\"schemaString\":"
                    "\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{\\\"name\\\":\\\"id\\\",\\\"type\\\":\\\"long\\\","
                    "\\\"nullable\\\":true,\\\"metadata\\\":{}}]}\",\"partitionColumns\":[],\"configuration\":{},"
                    "\"createdTime\":1697588658132}}\n");
    expect_identity("{\"add\":{\"path\":\"part-00000-d24c9b15-187d-4542-90ef-7834bfaa4971-c000.snappy.parquet\","
                    "\"partitionValues\":{},\"size\":765,\"modificationTime\":1697588663000,\"dataChange\":true,\"stats\":"
                    "\"{\\\"numRecords\\\":50,\\\"minValues\\\":{\\\"id\\\":0},\\\"maxValues\\\":{\\\"id\\\":49},"
                    "\\\"nullCount\\\":{\\\"id\\\":0}}\"}}\n");
    expect_identity("{\"remove\":{\"path\":\"part-00001-180c081a-f358-4bf9-8daa-4d04a5aa7f51-c000.snappy.parquet\","
                    "\"deletionTimestamp\":1697588681179,\"dataChange\":true,\"extendedFileMetadata\":true,"
                    "\"partitionValues\":{},\"size\":691}}\n");
    expect_identity("{\"remove\":{\"path\":\"part-00001-bc9b37c2-a201-499d-b604-93623e2de1d6-c000.snappy.parquet\","
                    "\"deletionTimestamp\":1697588691416,\"dataChange\":true,\"extendedFileMetadata\":true,"
                    "\"partitionValues\":{},\"size\":1499,\"stats\":\"{\\\"numRecords\\\":250,\\\"minValues\\\":"
                    "{\\\"id\\\":750},\\\"maxValues\\\":{\\\"id\\\":999},\\\"nullCount\\\":{\\\"id\\\":0}}\"}}\n");
    /* delta.md §2.1, §2.7 (Spark): table features, a change data file. */
    expect_identity("{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,\"readerFeatures\":[\"deletionVectors\"],"
                    "\"writerFeatures\":[\"deletionVectors\"]}}\n");
    expect_identity("{\"cdc\":{\"path\":\"_change_data/birthyear=1995/cdc-00000-x.c000.snappy.parquet\","
                    "\"partitionValues\":{\"birthyear\":\"1995\"},\"size\":976,\"dataChange\":false}}\n");
    /* Partition values that are null, a DV, row tracking, a txn, a domain. */
    expect_identity("{\"add\":{\"path\":\"p=__HIVE_DEFAULT_PARTITION__/f.parquet\",\"partitionValues\":{\"p\":null,"
                    "\"q\":\"a b\"},\"size\":1,\"modificationTime\":2,\"dataChange\":false,\"stats\":\"{}\","
                    "\"tags\":{\"INSERTION_TIME\":\"1\"},\"deletionVector\":{\"storageType\":\"u\",\"pathOrInlineDv\":"
                    "\"ab^-aqEH.-t@S}K{vb[*k^\",\"offset\":4,\"sizeInBytes\":40,\"cardinality\":6,\"maxRowIndex\":29},"
                    "\"baseRowId\":7,\"defaultRowCommitVersion\":3,\"clusteringProvider\":\"liquid\"}}\n");
    expect_identity("{\"txn\":{\"appId\":\"stream-1\",\"version\":42,\"lastUpdated\":1697588691416}}\n");
    expect_identity("{\"domainMetadata\":{\"domain\":\"delta.rowTracking\",\"configuration\":"
                    "\"{\\\"rowIdHighWaterMark\\\":9}\",\"removed\":false}}\n");
}

/* ---------------------------------------------------------------- escaping and integers */

Test(delta_actions, strings_are_escaped_as_jackson_does_and_integers_exactly) {
    lml_delta_action a = {.kind = LML_DA_TXN};
    a.u.txn.app_id = "q\"b\\s/\x01\x1f\b\t\n\f\r\x7f caf\xc3\xa9 \xf0\x9f\x98\x80";
    a.u.txn.version = INT64_MAX;
    a.u.txn.has_last_updated = true;
    a.u.txn.last_updated = INT64_MIN;
    lml_strbuf sb = {0};
    lml_error err = {0};
    cr_assert(lml_delta_action_write(&a, &sb, &err), "%s", err.message);
    cr_expect_str_eq(sb.data, "{\"txn\":{\"appId\":\"q\\\"b\\\\s/\\u0001\\u001F\\b\\t\\n\\f\\r\x7f caf\xc3\xa9 \xf0\x9f\x98\x80\","
                              "\"version\":9223372036854775807,\"lastUpdated\":-9223372036854775808}}\n");
    /* A second action appends its own line after the first. */
    lml_delta_action p = {.kind = LML_DA_PROTOCOL};
    p.u.protocol.min_reader = 1;
    p.u.protocol.min_writer = 2;
    size_t first_len = sb.len;
    cr_assert(lml_delta_action_write(&p, &sb, &err), "%s", err.message);
    cr_expect_str_eq(sb.data + first_len, "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n");
    lml_strbuf_free(&sb);
}

Test(delta_actions, escaped_text_parses_back_to_the_same_bytes) {
    lml_delta_action a = {.kind = LML_DA_ADD};
    char *keys[] = {"k\"1", "k\n2"}, *vals[] = {"v\\1", NULL};
    a.u.file.path = "dir%20x/\x02part\t\xe2\x82\xac.parquet";
    a.u.file.partition_values = (lml_delta_map){2, keys, vals};
    a.u.file.has_partition_values = a.u.file.has_size = true;
    a.u.file.size = 9007199254740992LL; /* 2^53: the largest the parser accepts */
    a.u.file.modification_time = -1;
    a.u.file.data_change = true;
    a.u.file.stats = "{\"numRecords\":3,\"minValues\":{\"s\":\"a\\\"b\"}}";
    a.u.file.num_records = 3;
    lml_strbuf sb = {0};
    lml_error err = {0};
    cr_assert(lml_delta_action_write(&a, &sb, &err), "%s", err.message);
    lml_delta_action b;
    cr_assert(lml_delta_action_parse(sb.data, sb.len, &b, &err), "%s\n%s", err.message, sb.data);
    expect_action(&a, &b, "hand-built add");
    lml_delta_action_clear(&b);
    lml_strbuf_free(&sb);
}

Test(delta_actions, commit_info_is_written_verbatim) {
    const char *ci = "{\"timestamp\":1,\"operation\":\"WRITE\",\"operationParameters\":{\"mode\":\"Append\"},\"x\":[1.5,null]}";
    lml_delta_action a = {.kind = LML_DA_COMMIT_INFO};
    a.u.commit_info.json = (char *)ci;
    lml_strbuf sb = {0};
    lml_error err = {0};
    cr_assert(lml_delta_action_write(&a, &sb, &err), "%s", err.message);
    char want[512];
    snprintf(want, sizeof want, "{\"commitInfo\":%s}\n", ci);
    cr_expect_str_eq(sb.data, want);
    lml_strbuf_free(&sb);
}

/* ---------------------------------------------------------------- refusals */

/* A failed write reports `code` and leaves what sb held before untouched. */
static void expect_refused(const lml_delta_action *a, lml_errcode code, const char *needle) {
    lml_strbuf sb = {0};
    lml_strbuf_puts(&sb, "before\n");
    lml_error err = {0};
    cr_expect_not(lml_delta_action_write(a, &sb, &err));
    cr_expect_eq(err.code, code, "code %d: %s", (int)err.code, err.message);
    cr_expect(strstr(err.message, needle) != NULL, "message '%s' should mention '%s'", err.message, needle);
    cr_expect_str_eq(sb.data, "before\n");
    lml_strbuf_free(&sb);
}

Test(delta_actions, hostile_actions_are_refused_cleanly) {
    lml_delta_action none = {.kind = LML_DA_NONE};
    expect_refused(&none, LML_EINVAL, "unknown kind");
    lml_delta_action bogus = {.kind = (lml_delta_action_kind)99};
    expect_refused(&bogus, LML_EINVAL, "unknown kind");

    lml_delta_action bad_utf8 = {.kind = LML_DA_ADD};
    bad_utf8.u.file.path = "part-\xc3(.parquet"; /* a lead byte without its continuation */
    expect_refused(&bad_utf8, LML_EINVAL, "path");
    bad_utf8.u.file.path = "part-\xed\xa0\x80.parquet"; /* an encoded surrogate */
    expect_refused(&bad_utf8, LML_EINVAL, "UTF-8");
    bad_utf8.u.file.path = "x\xf4\x90\x80\x80"; /* above U+10FFFF */
    expect_refused(&bad_utf8, LML_EINVAL, "UTF-8");

    lml_delta_action no_path = {.kind = LML_DA_REMOVE};
    expect_refused(&no_path, LML_EINVAL, "path");

    char *keys[] = {NULL}, *vals[] = {"v"};
    lml_delta_action null_key = {.kind = LML_DA_ADD};
    null_key.u.file.path = "f";
    null_key.u.file.partition_values = (lml_delta_map){1, keys, vals};
    expect_refused(&null_key, LML_EINVAL, "null key");

    lml_delta_action ci = {.kind = LML_DA_COMMIT_INFO};
    expect_refused(&ci, LML_EINVAL, "commitInfo");
    ci.u.commit_info.json = "{\"a\":1}\n{\"add\":{}}";
    expect_refused(&ci, LML_EINVAL, "one-line");
    ci.u.commit_info.json = "[1]";
    expect_refused(&ci, LML_EINVAL, "commitInfo");

    lml_delta_action md = {.kind = LML_DA_METADATA};
    expect_refused(&md, LML_EINVAL, "id");
    lml_delta_action txn = {.kind = LML_DA_TXN};
    expect_refused(&txn, LML_EINVAL, "appId");
}

/* numRecords is read from the top level of the stats only, whatever comes before it. */
Test(delta_actions, num_records_from_stats_text) {
    cr_assert_eq(lml_delta_stats_num_records("{\"numRecords\":50,\"minValues\":{\"id\":0}}"), 50);
    cr_assert_eq(lml_delta_stats_num_records("{\"minValues\":{\"numRecords\":7,\"s\":\"x\\\"numRecords\\\":9\"},"
                                             "\"numRecords\" : 12}"), 12);
    cr_assert_eq(lml_delta_stats_num_records("{\"minValues\":{\"numRecords\":7}}"), -1);
    cr_assert_eq(lml_delta_stats_num_records("{\"numRecords\":-3}"), -1);
    cr_assert_eq(lml_delta_stats_num_records("{\"numRecords\":99999999999999999999999}"), -1);
    cr_assert_eq(lml_delta_stats_num_records("{\"numRecords\":1.5}"), -1);
    cr_assert_eq(lml_delta_stats_num_records("{\"numRecords"), -1);
    cr_assert_eq(lml_delta_stats_num_records(NULL), -1);
}

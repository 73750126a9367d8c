/* MERGE (delta.md §10.3): upserts with Spark's parameters and metrics, conditional clauses and
 * NOT MATCHED BY SOURCE, pruning of target files by the condition's target-only conjuncts,
 * insert-only merges, the multiple-match error and clause validation leaving the table alone,
 * deletion vectors and the change data feed. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/delta.h"
#include "lakeml/parquet.h"
#include "delta_dml_support.h"
#include "support.h"

/* (id long, name string "n<id>", part int = id % parts) for the given ids; names may be overridden. */
static lml_frame *frame_of(const int64_t *ids, size_t n, const char *const *names, int parts) {
    lml_error err = {0};
    int32_t *part = malloc((n + 1) * sizeof *part);
    const char **nm = malloc((n + 1) * sizeof *nm);
    char (*buf)[24] = malloc((n + 1) * sizeof *buf);
    for (size_t i = 0; i < n; i++) {
        part[i] = parts ? (int32_t)(ids[i] % parts) : 0;
        snprintf(buf[i], sizeof buf[i], "n%lld", (long long)ids[i]);
        nm[i] = names ? names[i] : buf[i];
    }
    lml_column *cols[3] = {lml_column_from_int64s(ids, NULL, n, &err), lml_column_from_strings(nm, n, &err),
                           lml_column_from_int32s(part, NULL, n, &err)};
    lml_frame *f = lml_frame_new(3, (const char *[]){"id", "name", "part"}, cols, &err);
    cr_assert(f, "%s", err.message);
    for (int k = 0; k < 3; k++) lml_column_free(cols[k]);
    free(part), free(nm), free(buf);
    return f;
}

/* Target: ids 0..9 and 10..19 in two files. */
static void make_table(const char *path, int parts, const char *const *props) {
    lml_error err = {0};
    int64_t a[10], b[10];
    for (int i = 0; i < 10; i++) a[i] = i, b[i] = 10 + i;
    lml_frame *fa = frame_of(a, 10, NULL, parts), *fb = frame_of(b, 10, NULL, parts);
    lml_delta_write_options o = {.properties = props, .partition_by = parts ? (const char *[]){"part", NULL} : NULL};
    cr_assert(lml_delta_write(fa, path, &o, NULL, &err), "%s", err.message);
    o.mode = LML_DELTA_APPEND;
    cr_assert(lml_delta_write(fb, path, &o, NULL, &err), "%s", err.message);
    lml_frame_free(fa);
    lml_frame_free(fb);
}

/* The table as "id:name" items sorted by id, e.g. "0:n0,1:n1". */
static char *table_text(const char *path) {
    lml_error err = {0};
    lml_frame *f = lml_delta_read(path, NULL, NULL, &err);
    cr_assert(f, "%s", err.message);
    size_t n = lml_frame_num_rows(f);
    const lml_column *id = lml_frame_column_by_name(f, "id", &err), *nm = lml_frame_column_by_name(f, "name", &err);
    size_t *order = malloc((n + 1) * sizeof *order);
    for (size_t i = 0; i < n; i++) order[i] = i;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (lml_column_int64s(id)[order[j]] < lml_column_int64s(id)[order[i]]) {
                size_t t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
    char *s = calloc(n * 48 + 1, 1);
    for (size_t k = 0; k < n; k++) {
        size_t r = order[k], len;
        const char *v = lml_column_is_null(nm, r) ? "null" : lml_column_string_at(nm, r, &len);
        if (lml_column_is_null(nm, r)) len = 4;
        sprintf(s + strlen(s), "%s%lld:%.*s", k ? "," : "", (long long)lml_column_int64s(id)[r], (int)len, v);
    }
    free(order);
    lml_frame_free(f);
    return s;
}

/* "id:n<id>" for ids [0, 20) with replacements: rep(id) returns a name, "" to drop the row, NULL to keep. */
static char *expect(const char *(*rep)(int64_t), const char *extra) {
    char *s = calloc(4096, 1);
    for (int64_t i = 0; i < 20; i++) {
        const char *r = rep ? rep(i) : NULL;
        if (r && !*r) continue;
        char item[48];
        if (r) snprintf(item, sizeof item, "%lld:%s", (long long)i, r);
        else snprintf(item, sizeof item, "%lld:n%lld", (long long)i, (long long)i);
        sprintf(s + strlen(s), "%s%s", *s ? "," : "", item);
    }
    if (extra) sprintf(s + strlen(s), "%s%s", *s ? "," : "", extra);
    return s;
}

static cJSON *commit_info(const char *path, int64_t v) {
    char *text = dml_commit_text(path, v);
    cJSON *first = cJSON_Parse(strtok(text, "\n"));
    free(text);
    cJSON *ci = cJSON_DetachItemFromObject(first, "commitInfo");
    cJSON_Delete(first);
    cr_assert(ci);
    return ci;
}

static void assert_param(const cJSON *ci, const char *key, const char *want) {
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(ci, "operationParameters"), key);
    cr_assert(cJSON_IsString(v), "parameter %s missing", key);
    cr_assert_str_eq(v->valuestring, want, "parameter %s", key);
}

static const char *upsert_rep(int64_t id) { return id == 5 ? "s5" : id == 15 ? "s15" : NULL; }

Test(delta_merge, upsert_parameters_and_metrics) {
    const char *path = dml_table_dir("upsert");
    make_table(path, 0, NULL);
    int64_t ids[] = {5, 15, 25, 26};
    lml_frame *src = frame_of(ids, 4, (const char *[]){"s5", "s15", "s25", "s26"}, 0);
    lml_error err = {0};
    lml_delta_merge *m = lml_delta_merge_new(path, "t", src, "s", "t.id = s.id", &err);
    cr_assert(m, "%s", err.message);
    cr_assert(lml_delta_merge_when_matched_update(m, NULL, (const char *[]){"name", "s.name", NULL}, &err), "%s", err.message);
    cr_assert(lml_delta_merge_when_not_matched_insert_all(m, NULL, &err), "%s", err.message);
    lml_delta_result r = {0};
    cr_assert(lml_delta_merge_execute(m, NULL, &r, &err), "%s", err.message);
    cr_assert(r.committed);
    cr_assert_eq(r.version, 2);
    lml_delta_result_clear(&r);
    lml_delta_merge_free(m);
    lml_frame_free(src);
    char *got = table_text(path), *want = expect(upsert_rep, "25:s25,26:s26");
    cr_assert_str_eq(got, want);
    free(got), free(want);
    cJSON *ci = commit_info(path, 2);
    cr_assert_str_eq(cJSON_GetObjectItem(ci, "operation")->valuestring, "MERGE");
    cr_assert_eq(cJSON_GetObjectItem(ci, "readVersion")->valuedouble, 1);
    assert_param(ci, "matchedPredicates", "[{\"actionType\":\"update\"}]");
    assert_param(ci, "notMatchedPredicates", "[{\"actionType\":\"insert\"}]");
    assert_param(ci, "notMatchedBySourcePredicates", "[]");
    dml_assert_metric(ci, "numSourceRows", "4");
    dml_assert_metric(ci, "numTargetRowsInserted", "2");
    dml_assert_metric(ci, "numTargetRowsUpdated", "2");
    dml_assert_metric(ci, "numTargetRowsMatchedUpdated", "2");
    dml_assert_metric(ci, "numTargetRowsNotMatchedBySourceUpdated", "0");
    dml_assert_metric(ci, "numTargetRowsDeleted", "0");
    dml_assert_metric(ci, "numTargetRowsCopied", "18");
    dml_assert_metric(ci, "numOutputRows", "22");
    dml_assert_metric(ci, "numTargetFilesRemoved", "2");
    dml_assert_metric(ci, "numTargetFilesAdded", "3"); /* two rewrites, one file of inserts */
    dml_assert_metric(ci, "numTargetChangeFilesAdded", "0");
    dml_assert_metric(ci, "numTargetDeletionVectorsAdded", "0");
    const char *keys[] = {"numTargetBytesAdded", "numTargetBytesRemoved", "executionTimeMs", "materializeSourceTimeMs",
                          "scanTimeMs", "rewriteTimeMs", "numTargetDeletionVectorsRemoved",
                          "numTargetDeletionVectorsUpdated", "numTargetRowsMatchedDeleted",
                          "numTargetRowsNotMatchedBySourceDeleted"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
        cr_assert(cJSON_GetObjectItem(cJSON_GetObjectItem(ci, "operationMetrics"), keys[k]), "%s", keys[k]);
    cJSON_Delete(ci);
}

static const char *clauses_rep(int64_t id) {
    if (id == 2) return "";             /* matched, s.name = 'del' */
    if (id == 3) return "u3";           /* matched, updated */
    if (id == 18 || id == 19) return ""; /* not matched by source, id >= 18 */
    if (id == 17) return "old";         /* not matched by source update */
    return NULL;
}

Test(delta_merge, conditional_clauses_and_not_matched_by_source) {
    const char *path = dml_table_dir("clauses");
    make_table(path, 0, NULL);
    int64_t ids[] = {2, 3, 40};
    lml_frame *src = frame_of(ids, 3, (const char *[]){"del", "u3", "ignored"}, 0);
    lml_error err = {0};
    lml_delta_merge *m = lml_delta_merge_new(path, "t", src, "s", "t.id = s.id", &err);
    cr_assert(m, "%s", err.message);
    cr_assert(lml_delta_merge_when_matched_delete(m, "s.name = 'del'", &err), "%s", err.message);
    cr_assert(lml_delta_merge_when_matched_update_all(m, NULL, &err), "%s", err.message);
    cr_assert(lml_delta_merge_when_not_matched_insert(m, "s.id < 10", (const char *[]){"id", "s.id", NULL}, &err), "%s",
              err.message);
    cr_assert(lml_delta_merge_when_not_matched_by_source_delete(m, "t.id >= 18", &err), "%s", err.message);
    cr_assert(lml_delta_merge_when_not_matched_by_source_update(m, "t.id = 17", (const char *[]){"name", "'old'", NULL},
                                                                &err),
              "%s", err.message);
    /* Only the last clause of a kind may omit its condition. */
    cr_assert_not(lml_delta_merge_when_matched_delete(m, "s.id = 1", &err));
    cr_assert_eq(err.code, LML_EINVAL);
    lml_delta_result r = {0};
    cr_assert(lml_delta_merge_execute(m, NULL, &r, &err), "%s", err.message);
    lml_delta_result_clear(&r);
    lml_delta_merge_free(m);
    lml_frame_free(src);
    char *got = table_text(path), *want = expect(clauses_rep, NULL);
    cr_assert_str_eq(got, want);
    free(got), free(want);
    cJSON *ci = commit_info(path, 2);
    dml_assert_metric(ci, "numTargetRowsMatchedDeleted", "1");
    dml_assert_metric(ci, "numTargetRowsMatchedUpdated", "1");
    dml_assert_metric(ci, "numTargetRowsNotMatchedBySourceDeleted", "2");
    dml_assert_metric(ci, "numTargetRowsNotMatchedBySourceUpdated", "1");
    dml_assert_metric(ci, "numTargetRowsDeleted", "3");
    dml_assert_metric(ci, "numTargetRowsUpdated", "2");
    dml_assert_metric(ci, "numTargetRowsInserted", "0");
    dml_assert_metric(ci, "numTargetRowsCopied", "15");
    dml_assert_metric(ci, "numOutputRows", "17");
    const cJSON *p = cJSON_GetObjectItem(cJSON_GetObjectItem(ci, "operationParameters"), "matchedPredicates");
    cJSON *arr = cJSON_Parse(p->valuestring);
    cr_assert_eq(cJSON_GetArraySize(arr), 2);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "actionType")->valuestring, "delete");
    cr_assert(strstr(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "predicate")->valuestring, "del"));
    cr_assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 1), "predicate"));
    cJSON_Delete(arr);
    cJSON_Delete(ci);
}

Test(delta_merge, target_only_conjuncts_prune_files_and_insert_only_adds) {
    const char *path = dml_table_dir("prune");
    make_table(path, 0, NULL);
    int64_t ids[] = {4, 30};
    lml_frame *src = frame_of(ids, 2, (const char *[]){"s4", "s30"}, 0);
    lml_error err = {0};
    lml_delta_merge *m = lml_delta_merge_new(path, "t", src, "s", "t.id = s.id AND t.id < 10", &err);
    cr_assert(m, "%s", err.message);
    cr_assert(lml_delta_merge_when_matched_update(m, NULL, (const char *[]){"name", "s.name", NULL}, &err));
    lml_delta_result r = {0};
    cr_assert(lml_delta_merge_execute(m, NULL, &r, &err), "%s", err.message);
    lml_delta_result_clear(&r);
    lml_delta_merge_free(m);
    cJSON *ci = commit_info(path, 2);
    dml_assert_metric(ci, "numTargetFilesRemoved", "1"); /* ids 10..19 were never read */
    dml_assert_metric(ci, "numTargetRowsCopied", "9");
    cJSON_Delete(ci);
    /* Insert-only: adds one file, removes nothing. */
    m = lml_delta_merge_new(path, "t", src, "s", "t.id = s.id", &err);
    cr_assert(m, "%s", err.message);
    cr_assert(lml_delta_merge_when_not_matched_insert_all(m, NULL, &err));
    cr_assert(lml_delta_merge_execute(m, NULL, &r, &err), "%s", err.message);
    lml_delta_result_clear(&r);
    lml_delta_merge_free(m);
    lml_frame_free(src);
    ci = commit_info(path, 3);
    dml_assert_metric(ci, "numTargetFilesRemoved", "0");
    dml_assert_metric(ci, "numTargetFilesAdded", "1");
    dml_assert_metric(ci, "numTargetRowsInserted", "1");
    cJSON_Delete(ci);
    char *got = table_text(path);
    cr_assert(strstr(got, "4:s4,5:n5") && strstr(got, "19:n19,30:s30"), "%s", got);
    free(got);
}

Test(delta_merge, multiple_matches_fail_untouched) {
    const char *path = dml_table_dir("multi");
    make_table(path, 0, NULL);
    size_t before = dml_log_entries(path);
    int64_t ids[] = {5, 5};
    lml_frame *src = frame_of(ids, 2, NULL, 0);
    lml_error err = {0};
    lml_delta_merge *m = lml_delta_merge_new(path, "t", src, "s", "t.id = s.id", &err);
    cr_assert(lml_delta_merge_when_matched_update_all(m, NULL, &err));
    lml_delta_result r = {0};
    cr_assert_not(lml_delta_merge_execute(m, NULL, &r, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE"), "%s", err.message);
    lml_delta_merge_free(m);
    m = lml_delta_merge_new(path, "t", src, "s", "t.nosuch = s.id", &err);
    cr_assert(m, "%s", err.message);
    cr_assert(lml_delta_merge_when_matched_delete(m, NULL, &err));
    cr_assert_not(lml_delta_merge_execute(m, NULL, &r, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND, "%s", err.message);
    lml_delta_merge_free(m);
    lml_frame_free(src);
    cr_assert_eq(dml_log_entries(path), before);
}

Test(delta_merge, deletion_vectors_and_change_data_feed) {
    const char *path = dml_table_dir("dvcdf");
    make_table(path, 3, (const char *[]){"delta.enableDeletionVectors", "true", "delta.enableChangeDataFeed", "true", NULL});
    int64_t ids[] = {4, 7, 50};
    lml_frame *src = frame_of(ids, 3, (const char *[]){"del", "s7", "s50"}, 3);
    lml_error err = {0};
    lml_delta_merge *m = lml_delta_merge_new(path, "t", src, "s", "t.id = s.id", &err);
    cr_assert(m, "%s", err.message);
    cr_assert(lml_delta_merge_when_matched_delete(m, "s.name = 'del'", &err));
    cr_assert(lml_delta_merge_when_matched_update(m, NULL, (const char *[]){"name", "s.name", NULL}, &err));
    cr_assert(lml_delta_merge_when_not_matched_insert_all(m, NULL, &err));
    lml_delta_result r = {0};
    cr_assert(lml_delta_merge_execute(m, NULL, &r, &err), "%s", err.message);
    lml_delta_result_clear(&r);
    lml_delta_merge_free(m);
    lml_frame_free(src);
    char *got = table_text(path);
    cr_assert(strstr(got, "3:n3,5:n5") && strstr(got, "7:s7") && strstr(got, "19:n19,50:s50"), "%s", got);
    free(got);
    cJSON *ci = commit_info(path, 2);
    /* ids 4 and 7 both live in part=1 of the first file: one DV. */
    dml_assert_metric(ci, "numTargetDeletionVectorsAdded", "1");
    dml_assert_metric(ci, "numTargetFilesRemoved", "0");
    dml_assert_metric(ci, "numTargetRowsCopied", "0");
    /* change rows: delete (4) in part 1, pre/post of 7 in part 1, insert 50 in part 2. */
    dml_assert_metric(ci, "numTargetChangeFilesAdded", "2");
    cJSON_Delete(ci);
    char p[1024];
    snprintf(p, sizeof p, "%s/_delta_log/%020d.json", path, 2);
    char *text = lml_test_slurp(p);
    int seen[4] = {0};
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *o = cJSON_Parse(line);
        const cJSON *c = cJSON_GetObjectItem(o, "cdc");
        if (c) {
            char full[1024];
            snprintf(full, sizeof full, "%s/%s", path, cJSON_GetObjectItem(c, "path")->valuestring);
            lml_frame *f = lml_parquet_read(full, NULL, &err);
            cr_assert(f, "%s", err.message);
            const lml_column *ct = lml_frame_column_by_name(f, "_change_type", &err),
                             *id = lml_frame_column_by_name(f, "id", &err);
            for (size_t k = 0; k < lml_frame_num_rows(f); k++) {
                size_t n;
                const char *t = lml_column_string_at(ct, k, &n);
                int64_t v = lml_column_int64s(id)[k];
                int kind = n == 6 && !memcmp(t, "delete", 6)             ? 0
                           : n == 15 && !memcmp(t, "update_preimage", 15)  ? 1
                           : n == 16 && !memcmp(t, "update_postimage", 16) ? 2
                           : n == 6 && !memcmp(t, "insert", 6)             ? 3
                                                                           : -1;
                static const int64_t want[] = {4, 7, 7, 50};
                cr_assert(kind >= 0, "change type '%.*s'", (int)n, t);
                cr_assert_eq(v, want[kind], "change type %d", kind);
                seen[kind]++;
            }
            lml_frame_free(f);
        }
        cJSON_Delete(o);
    }
    free(text);
    for (int k = 0; k < 4; k++) cr_assert_eq(seen[k], 1, "change type %d", k);
}

/* withSchemaEvolution: UPDATE * / INSERT * add the source's extra column to the table. */
Test(delta_merge, schema_evolution_adds_source_columns) {
    const char *path = dml_table_dir("evolve");
    make_table(path, 0, NULL);
    lml_error err = {0};
    int64_t ids[] = {1, 30};
    lml_frame *base = frame_of(ids, 2, (const char *[]){"e1", "e30"}, 0);
    lml_column *extra = lml_column_from_doubles((const double[]){1.5, 2.5}, NULL, 2, &err);
    lml_frame *src = lml_frame_with_column(base, "score", extra, &err);
    lml_column_free(extra);
    lml_frame_free(base);
    lml_delta_merge *m = lml_delta_merge_new(path, "t", src, "s", "t.id = s.id", &err);
    cr_assert(m, "%s", err.message);
    cr_assert(lml_delta_merge_when_matched_update_all(m, NULL, &err));
    cr_assert(lml_delta_merge_when_not_matched_insert_all(m, NULL, &err));
    lml_delta_result r = {0};
    lml_delta_merge_with_schema_evolution(m);
    cr_assert(lml_delta_merge_execute(m, NULL, &r, &err), "%s", err.message);
    lml_delta_result_clear(&r);
    lml_delta_merge_free(m);
    lml_frame_free(src);
    lml_frame *f = lml_delta_read(path, NULL, NULL, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_cols(f), 4);
    cr_assert_str_eq(lml_frame_column_name(f, 3), "score");
    cr_assert_eq(lml_frame_num_rows(f), 21);
    const lml_column *id = lml_frame_column_by_name(f, "id", &err), *sc = lml_frame_column_by_name(f, "score", &err);
    int nonnull = 0;
    for (size_t i = 0; i < 21; i++) {
        int64_t k = lml_column_int64s(id)[i];
        if (k == 1 || k == 30) {
            cr_assert_not(lml_column_is_null(sc, i));
            cr_assert_eq(lml_column_doubles(sc)[i], k == 1 ? 1.5 : 2.5);
            nonnull++;
        } else {
            cr_assert(lml_column_is_null(sc, i), "id %lld", (long long)k);
        }
    }
    cr_assert_eq(nonnull, 2);
    lml_frame_free(f);
    /* The commit carries the new schema. */
    char p[1024];
    snprintf(p, sizeof p, "%s/_delta_log/%020d.json", path, 2);
    char *text = lml_test_slurp(p);
    cr_assert(strstr(text, "\"metaData\"") && strstr(text, "score"));
    free(text);
}

/* "col1:col2:part" items of a frame of the Spark table's shape, sorted. */
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static char **golden_items(const lml_frame *f, size_t *n) {
    lml_error err = {0};
    *n = lml_frame_num_rows(f);
    char **items = calloc(*n + 1, sizeof *items);
    const lml_column *c1 = lml_frame_column_by_name(f, "col1", &err), *c2 = lml_frame_column_by_name(f, "col2", &err),
                     *pt = lml_frame_column_by_name(f, "part", &err);
    for (size_t i = 0; i < *n; i++) {
        size_t len;
        const char *s = lml_column_string_at(c2, i, &len);
        items[i] = malloc(64);
        snprintf(items[i], 64, "%d:%.*s:%d", lml_column_int32s(c1)[i], (int)len, s, lml_column_int32s(pt)[i]);
    }
    qsort(items, *n, sizeof *items, cmp_str);
    return items;
}

/* A Spark-written partitioned table with deletion vectors: an upsert with lakeml, compared with
 * the original read transformed here. */
Test(delta_merge, spark_dv_table_takes_an_upsert) {
    LML_REQUIRE_SHARED(src, "conformance/delta/golden/dv-partitioned-with-checkpoint");
    const char *path;
    lml_frame *before = dml_golden_copy(src, "golden", &path);
    lml_error err = {0};
    /* Source: col1 3, 13 (present unless deleted) and 99 (new), col2 'm', part = col1 % 10. */
    int32_t keys[] = {3, 13, 99}, parts[] = {3, 3, 9};
    lml_column *cols[3] = {lml_column_from_int32s(parts, NULL, 3, &err), lml_column_from_int32s(keys, NULL, 3, &err),
                           lml_column_from_strings((const char *[]){"m", "m", "m"}, 3, &err)};
    lml_frame *source = lml_frame_new(3, (const char *[]){"part", "col1", "col2"}, cols, &err);
    for (int k = 0; k < 3; k++) lml_column_free(cols[k]);
    size_t n0;
    char **want = golden_items(before, &n0);
    const lml_column *c1 = lml_frame_column_by_name(before, "col1", &err);
    bool present[3] = {false, false, false};
    size_t matched = 0;
    for (size_t i = 0; i < n0; i++) {
        int v = lml_column_int32s(c1)[i];
        for (int k = 0; k < 3; k++)
            if (v == keys[k]) present[k] = true, matched++;
    }
    /* Rebuild the expectation: matched rows get col2 'm', unmatched keys are inserted. */
    size_t nw = n0;
    want = realloc(want, (n0 + 4) * sizeof *want);
    for (size_t i = 0; i < n0; i++) {
        int v = atoi(want[i]);
        int p = atoi(strrchr(want[i], ':') + 1);
        for (int k = 0; k < 3; k++)
            if (v == keys[k]) snprintf(want[i], 64, "%d:m:%d", v, p);
    }
    for (int k = 0; k < 3; k++)
        if (!present[k]) {
            want[nw] = malloc(64);
            snprintf(want[nw++], 64, "%d:m:%d", keys[k], parts[k]);
        }
    qsort(want, nw, sizeof *want, cmp_str);
    lml_frame_free(before);
    lml_delta_merge *m = lml_delta_merge_new(path, "t", source, "s", "t.col1 = s.col1", &err);
    cr_assert(m, "%s", err.message);
    cr_assert(lml_delta_merge_when_matched_update(m, NULL, (const char *[]){"col2", "s.col2", NULL}, &err));
    cr_assert(lml_delta_merge_when_not_matched_insert_all(m, NULL, &err));
    lml_delta_result r = {0};
    cr_assert(lml_delta_merge_execute(m, NULL, &r, &err), "%s", err.message);
    cJSON *mt = cJSON_Parse(r.metrics);
    cr_assert_eq(atoll(cJSON_GetObjectItem(mt, "numTargetRowsUpdated")->valuestring), (long long)matched);
    cr_assert_eq(atoll(cJSON_GetObjectItem(mt, "numTargetRowsInserted")->valuestring), (long long)(nw - n0));
    cJSON_Delete(mt);
    lml_delta_result_clear(&r);
    lml_delta_merge_free(m);
    lml_frame_free(source);
    lml_frame *after = lml_delta_read(path, NULL, NULL, &err);
    cr_assert(after, "%s", err.message);
    size_t n1;
    char **got = golden_items(after, &n1);
    cr_assert_eq(n1, nw);
    for (size_t i = 0; i < nw; i++) cr_assert_str_eq(got[i], want[i], "row %zu", i);
    for (size_t i = 0; i < nw; i++) free(got[i]), free(want[i]);
    free(got);
    free(want);
    lml_frame_free(after);
}

/* A table whose files are all deleted: nothing to read, every source row is inserted. */
Test(delta_merge, into_an_emptied_table_inserts_everything) {
    const char *path = dml_table_dir("empty");
    make_table(path, 2, NULL);
    lml_error err = {0};
    lml_delta_result r = {0};
    cr_assert(lml_delta_delete(path, NULL, NULL, &r, &err), "%s", err.message);
    lml_delta_result_clear(&r);
    int64_t ids[] = {7, 8, 9};
    lml_frame *src = frame_of(ids, 3, NULL, 2);
    lml_delta_merge *m = lml_delta_merge_new(path, "t", src, "s", "t.id = s.id", &err);
    cr_assert(m, "%s", err.message);
    cr_assert(lml_delta_merge_when_matched_delete(m, NULL, &err));
    cr_assert(lml_delta_merge_when_not_matched_insert_all(m, NULL, &err));
    cr_assert(lml_delta_merge_execute(m, NULL, &r, &err), "%s", err.message);
    cr_assert_eq(r.version, 3);
    lml_delta_result_clear(&r);
    lml_delta_merge_free(m);
    lml_frame_free(src);
    char *got = table_text(path);
    cr_assert_str_eq(got, "7:n7,8:n8,9:n9");
    free(got);
    cJSON *ci = commit_info(path, 3);
    dml_assert_metric(ci, "numTargetFilesAdded", "2"); /* one per partition */
    dml_assert_metric(ci, "numTargetFilesRemoved", "0");
    cJSON_Delete(ci);
}

/* UPDATE (delta.md §10.2): copy-on-write keeping row order, casts to the column's type, every
 * row, a partition column moving rows, deletion vectors plus a new file, the change data feed's
 * pre/post images, and errors leaving the table untouched. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/delta.h"
#include "lakeml/parquet.h"
#include "delta_dml_support.h"
#include "support.h"

/* Per id 0..19 of the table: name ("<null>" for null, "<gone>" when the row is absent) and part. */
typedef struct row_view {
    char name[20][32];
    int part[20];
    size_t n;
} row_view;

static void view(const char *path, row_view *v) {
    lml_error err = {0};
    lml_frame *f = lml_delta_read(path, NULL, NULL, &err);
    cr_assert(f, "%s", err.message);
    for (int i = 0; i < 20; i++) strcpy(v->name[i], "<gone>"), v->part[i] = -1;
    v->n = lml_frame_num_rows(f);
    const lml_column *id = lml_frame_column_by_name(f, "id", &err), *nm = lml_frame_column_by_name(f, "name", &err),
                     *pt = lml_frame_column_by_name(f, "part", &err);
    for (size_t r = 0; r < v->n; r++) {
        int64_t k = lml_column_int64s(id)[r];
        cr_assert(k >= 0 && k < 20 && strcmp(v->name[k], "<gone>") == 0, "id %lld once", (long long)k);
        size_t len;
        const char *s = lml_column_is_null(nm, r) ? NULL : lml_column_string_at(nm, r, &len);
        snprintf(v->name[k], sizeof v->name[k], "%.*s", s ? (int)len : 6, s ? s : "<null>");
        v->part[k] = lml_column_int32s(pt)[r];
    }
    lml_frame_free(f);
}

Test(delta_update, copy_on_write_keeps_row_order_and_counts) {
    const char *path = dml_table_dir("cow");
    dml_make_table(path, 0, NULL);
    lml_error err = {0};
    lml_delta_result r = {0};
    const char *set[] = {"name", "concat('x', name)", "part", "id * 2", NULL};
    cr_assert(lml_delta_update(path, "id % 2 = 0 AND id < 10", set, NULL, &r, &err), "%s", err.message);
    cr_assert(r.committed);
    cr_assert_eq(r.version, 2);
    lml_delta_result_clear(&r);
    row_view v;
    view(path, &v);
    cr_assert_eq(v.n, 20);
    for (int i = 0; i < 20; i++) {
        char want[32];
        bool upd = i % 2 == 0 && i < 10;
        if (i % 7 == 3) strcpy(want, "<null>");
        else snprintf(want, sizeof want, "%sn%d", upd ? "x" : "", i);
        cr_assert_str_eq(v.name[i], want, "id %d", i);
        cr_assert_eq(v.part[i], upd ? 2 * i : 0, "id %d", i); /* id * 2 (long) cast to the int column */
    }
    cJSON **l = dml_commit_lines(path, 2);
    cr_assert_str_eq(cJSON_GetObjectItem(dml_first_kind(l, "commitInfo"), "operation")->valuestring, "UPDATE");
    dml_assert_lines_metric(l, "numUpdatedRows", "5");
    dml_assert_lines_metric(l, "numCopiedRows", "5");
    dml_assert_lines_metric(l, "numRemovedFiles", "1");
    dml_assert_lines_metric(l, "numAddedFiles", "1");
    dml_assert_lines_metric(l, "numAddedChangeFiles", "0");
    dml_assert_lines_metric(l, "numDeletionVectorsAdded", "0");
    /* The rewritten file holds ids 0..9 in their original order. */
    char full[1024];
    snprintf(full, sizeof full, "%s/%s", path, cJSON_GetObjectItem(dml_first_kind(l, "add"), "path")->valuestring);
    lml_frame *f = lml_parquet_read(full, NULL, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(f), 10);
    for (int i = 0; i < 10; i++) cr_assert_eq(lml_column_int64s(lml_frame_column_by_name(f, "id", &err))[i], i);
    lml_frame_free(f);
    dml_free_lines(l);
    /* No condition: every row; the SET expression sees the old value. */
    cr_assert(lml_delta_update(path, NULL, (const char *[]){"id", "id + 0", "name", "'same'", NULL}, NULL, &r, &err), "%s",
              err.message);
    l = dml_commit_lines(path, 3);
    dml_assert_lines_metric(l, "numUpdatedRows", "20");
    dml_assert_lines_metric(l, "numCopiedRows", "0");
    dml_assert_lines_metric(l, "numRemovedFiles", "2");
    dml_free_lines(l);
    lml_delta_result_clear(&r);
    view(path, &v);
    for (int i = 0; i < 20; i++) cr_assert_str_eq(v.name[i], "same");
}

Test(delta_update, partition_column_moves_rows) {
    const char *path = dml_table_dir("part");
    dml_make_table(path, 3, NULL);
    lml_error err = {0};
    lml_delta_result r = {0};
    cr_assert(lml_delta_update(path, "id = 4 OR id = 13", (const char *[]){"part", "7", NULL}, NULL, &r, &err), "%s",
              err.message);
    lml_delta_result_clear(&r);
    row_view v;
    view(path, &v);
    cr_assert_eq(v.n, 20);
    for (int i = 0; i < 20; i++) cr_assert_eq(v.part[i], i == 4 || i == 13 ? 7 : i % 3, "id %d", i);
    cJSON **l = dml_commit_lines(path, 2);
    /* ids 4 and 13 lived in part=1 of each commit: two files rewritten, moved rows under part=7. */
    dml_assert_lines_metric(l, "numRemovedFiles", "2");
    int in7 = 0;
    for (size_t i = 0; l[i]; i++) {
        const cJSON *a = cJSON_GetObjectItem(l[i], "add");
        if (a && strncmp(cJSON_GetObjectItem(a, "path")->valuestring, "part=7/", 7) == 0) {
            in7++;
            cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(a, "partitionValues"), "part")->valuestring, "7");
        }
    }
    cr_assert_eq(in7, 1);
    dml_free_lines(l);
}

Test(delta_update, deletion_vectors_and_change_data_feed) {
    const char *path = dml_table_dir("dvcdf");
    dml_make_table(path, 0, (const char *[]){"delta.enableDeletionVectors", "true", "delta.enableChangeDataFeed", "true", NULL});
    lml_error err = {0};
    lml_delta_result r = {0};
    cr_assert(lml_delta_update(path, "id = 12 OR id = 15", (const char *[]){"name", "'z'", NULL}, NULL, &r, &err), "%s",
              err.message);
    lml_delta_result_clear(&r);
    row_view v;
    view(path, &v);
    cr_assert_eq(v.n, 20);
    for (int i = 0; i < 20; i++)
        if (i == 12 || i == 15) cr_assert_str_eq(v.name[i], "z");
    cr_assert_str_eq(v.name[11], "n11");
    cr_assert_str_eq(v.name[17], "<null>");
    cJSON **l = dml_commit_lines(path, 2);
    dml_assert_lines_metric(l, "numUpdatedRows", "2");
    dml_assert_lines_metric(l, "numCopiedRows", "0");
    dml_assert_lines_metric(l, "numDeletionVectorsAdded", "1");
    dml_assert_lines_metric(l, "numAddedFiles", "1");
    dml_assert_lines_metric(l, "numRemovedFiles", "0");
    dml_assert_lines_metric(l, "numAddedChangeFiles", "1");
    cr_assert_eq(dml_count_kind(l, "add"), 2); /* the file again with its DV, and the updated rows' file */
    cr_assert_eq(dml_count_kind(l, "cdc"), 1);
    /* The re-added file's DV deletes positions 2 and 5 of ids 10..19. */
    for (size_t i = 0; l[i]; i++) {
        const cJSON *a = cJSON_GetObjectItem(l[i], "add");
        const cJSON *dv = a ? cJSON_GetObjectItem(a, "deletionVector") : NULL;
        if (dv) cr_assert_eq(cJSON_GetObjectItem(dv, "cardinality")->valuedouble, 2);
    }
    char full[1024];
    snprintf(full, sizeof full, "%s/%s", path, cJSON_GetObjectItem(dml_first_kind(l, "cdc"), "path")->valuestring);
    lml_frame *f = lml_parquet_read(full, NULL, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(f), 4);
    const lml_column *ct = lml_frame_column_by_name(f, "_change_type", &err), *nm = lml_frame_column_by_name(f, "name", &err),
                     *id = lml_frame_column_by_name(f, "id", &err);
    int pre = 0, post = 0;
    for (size_t k = 0; k < 4; k++) {
        size_t n, m;
        const char *t = lml_column_string_at(ct, k, &n), *s = lml_column_string_at(nm, k, &m);
        int64_t i = lml_column_int64s(id)[k];
        cr_assert(i == 12 || i == 15);
        if (n == 15 && memcmp(t, "update_preimage", 15) == 0) {
            char want[8];
            snprintf(want, sizeof want, "n%lld", (long long)i);
            cr_assert(m == strlen(want) && memcmp(s, want, m) == 0);
            pre++;
        } else {
            cr_assert(n == 16 && memcmp(t, "update_postimage", 16) == 0);
            cr_assert(m == 1 && s[0] == 'z');
            post++;
        }
    }
    cr_assert(pre == 2 && post == 2);
    lml_frame_free(f);
    dml_free_lines(l);
}

Test(delta_update, errors_leave_the_table_untouched) {
    const char *path = dml_table_dir("bad");
    dml_make_table(path, 0, NULL);
    size_t before = dml_log_entries(path);
    lml_error err = {0};
    lml_delta_result r = {0};
    cr_assert_not(lml_delta_update(path, "id = 1", (const char *[]){"nosuch", "1", NULL}, NULL, &r, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    cr_assert_not(lml_delta_update(path, "id = 1", (const char *[]){"name", "missing + 1", NULL}, NULL, &r, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND, "%s", err.message);
    cr_assert_not(lml_delta_update(path, "bogus = 1", (const char *[]){"name", "'a'", NULL}, NULL, &r, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    cr_assert_not(lml_delta_update(path, "id = 1", (const char *[]){"name", NULL}, NULL, &r, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_eq(dml_log_entries(path), before);
    /* A condition nothing satisfies: no commit. */
    cr_assert(lml_delta_update(path, "id < 0", (const char *[]){"name", "'a'", NULL}, NULL, &r, &err), "%s", err.message);
    cr_assert_not(r.committed);
    cr_assert_eq(r.version, 1);
    lml_delta_result_clear(&r);
    cr_assert_eq(dml_log_entries(path), before);
}

/* A Spark-written table (appends, deletes, a checkpoint): UPDATE the ids ending in 3 and compare
 * with the original read transformed here. */
Test(delta_update, spark_table_takes_an_update) {
    LML_REQUIRE_SHARED(src, "conformance/delta/golden/basic-with-inserts-deletes-checkpoint");
    const char *path;
    lml_frame *before = dml_golden_copy(src, "golden", &path);
    lml_error err = {0};
    size_t n = lml_frame_num_rows(before), hits = 0;
    int64_t *want = malloc((n + 1) * sizeof *want);
    for (size_t i = 0; i < n; i++) {
        int64_t v = lml_column_int64s(lml_frame_column_by_name(before, "id", &err))[i];
        hits += v % 10 == 3;
        want[i] = v % 10 == 3 ? v + 1000 : v;
    }
    cr_assert_gt(hits, 0);
    lml_frame_free(before);
    lml_delta_result r = {0};
    cr_assert(lml_delta_update(path, "id % 10 = 3", (const char *[]){"id", "id + 1000", NULL}, NULL, &r, &err), "%s",
              err.message);
    cr_assert(r.committed);
    cr_assert_eq(r.version, 14);
    cJSON *m = cJSON_Parse(r.metrics);
    cr_assert_eq(atoll(cJSON_GetObjectItem(m, "numUpdatedRows")->valuestring), (long long)hits);
    cJSON_Delete(m);
    lml_delta_result_clear(&r);
    lml_frame *after = lml_delta_read(path, NULL, NULL, &err);
    cr_assert(after, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(after), n);
    int64_t *got = malloc((n + 1) * sizeof *got);
    memcpy(got, lml_column_int64s(lml_frame_column_by_name(after, "id", &err)), n * sizeof *got);
    qsort(got, n, sizeof *got, dml_cmp_i64);
    qsort(want, n, sizeof *want, dml_cmp_i64);
    for (size_t i = 0; i < n; i++) cr_assert_eq(got[i], want[i], "row %zu", i);
    free(got);
    free(want);
    lml_frame_free(after);
}

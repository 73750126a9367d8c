/* DML conflict rules (delta.md §8.2) with a winning commit injected between the read and the
 * commit: the transaction is driven step by step through dml.h, another writer commits, then
 * the transaction tries to commit. Appends outside the read predicate retry and succeed; an
 * append into it, a delete of a file read, or a delete of a file also deleted is LML_ECONFLICT. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "delta/dml.h"
#include "lakeml/delta.h"
#include "delta_dml_support.h"
#include "support.h"

static lml_frame *rows(int64_t from, size_t n, int parts) {
    lml_error err = {0};
    int64_t *id = malloc(n * sizeof *id);
    int32_t *part = malloc(n * sizeof *part);
    for (size_t i = 0; i < n; i++) {
        id[i] = from + (int64_t)i;
        part[i] = parts ? (int32_t)(id[i] % parts) : 0;
    }
    lml_column *cols[2] = {lml_column_from_int64s(id, NULL, n, &err), lml_column_from_int32s(part, NULL, n, &err)};
    lml_frame *f = lml_frame_new(2, (const char *[]){"id", "part"}, cols, &err);
    cr_assert(f, "%s", err.message);
    lml_column_free(cols[0]);
    lml_column_free(cols[1]);
    free(id), free(part);
    return f;
}

static void append(const char *path, int64_t from, size_t n, int parts) {
    lml_error err = {0};
    lml_frame *f = rows(from, n, parts);
    lml_delta_write_options o = {.mode = LML_DELTA_APPEND, .partition_by = parts ? (const char *[]){"part", NULL} : NULL};
    cr_assert(lml_delta_write(f, path, &o, NULL, &err), "%s", err.message);
    lml_frame_free(f);
}

static bool eval_delete(void *ctx, lml_dml_file *f, lml_error *err) {
    lml_expr_input in = {.frame = f->rows};
    uint8_t *mask = NULL;
    if (!lml_expr_eval_mask(ctx, &in, 1, &mask, err)) return false;
    size_t n = lml_frame_num_rows(f->rows);
    for (size_t i = 0; i < n; i++)
        if (mask[i / 8] >> (i % 8) & 1) {
            if (!f->action) f->action = calloc(n, 1);
            f->action[i] = LML_DML_DELETE;
            f->ndeleted++;
        }
    free(mask);
    return true;
}

/* A DELETE read and written but not committed. */
typedef struct pending {
    lml_dml d;
    lml_expr *cond;
} pending;

static void start_delete(pending *p, const char *path, const char *cond, bool whole_files) {
    lml_error err = {0};
    cr_assert(lml_dml_open(&p->d, path, "DELETE", NULL, &err), "%s", err.message);
    cr_assert(lml_dml_condition(&p->d, cond, &p->cond, &err), "%s", err.message);
    cr_assert(lml_dml_set_predicate(&p->d, p->cond, NULL, NULL, &err) && lml_dml_plan(&p->d, NULL, false, &err), "%s",
              err.message);
    size_t n;
    const lml_delta_file **files = lml_dml_candidates(&p->d, &n, &err);
    cr_assert(files, "%s", err.message);
    if (whole_files) {
        for (size_t i = 0; i < n; i++) cr_assert(lml_dml_remove_file(&p->d, files[i], &err), "%s", err.message);
    } else {
        cr_assert(lml_dml_read(&p->d, files, n, eval_delete, p->cond, &err), "%s", err.message);
        cr_assert(lml_dml_apply(&p->d, &err), "%s", err.message);
    }
    cr_assert(lml_dml_finish(&p->d, &err), "%s", err.message);
    free(files);
}

static bool finish_delete(pending *p, lml_delta_result *r, lml_error *err) {
    bool ok = lml_dml_commit(&p->d, "{\"predicate\":\"[]\"}", "{}", r, err);
    lml_expr_free(p->cond);
    lml_dml_close(&p->d);
    return ok;
}

/* Asserts the pending delete loses with LML_ECONFLICT and a message naming `why`; returns that error. */
static lml_error loses_with(pending *p, const char *why) {
    lml_delta_result r = {0};
    lml_error err = {0};
    cr_assert_not(finish_delete(p, &r, &err));
    cr_assert_eq(err.code, LML_ECONFLICT);
    cr_assert(strstr(err.message, why), "%s", err.message);
    return err;
}

static size_t count_rows(const char *path) {
    lml_error err = {0};
    lml_frame *f = lml_delta_read(path, NULL, NULL, &err);
    cr_assert(f, "%s", err.message);
    size_t n = lml_frame_num_rows(f);
    lml_frame_free(f);
    return n;
}

Test(delta_dml_conflict, append_outside_the_read_predicate_retries) {
    const char *path = dml_table_dir("outside");
    append(path, 0, 10, 0); /* v0: ids 0..9 */
    pending p;
    start_delete(&p, path, "id < 5", false);
    append(path, 100, 10, 0); /* v1: ids 100..109, min 100: cannot match id < 5 */
    lml_delta_result r = {0};
    lml_error err = {0};
    cr_assert(finish_delete(&p, &r, &err), "%s", err.message);
    cr_assert_eq(r.version, 2);
    lml_delta_result_clear(&r);
    cr_assert_eq(count_rows(path), 5 + 10);
}

Test(delta_dml_conflict, append_into_the_read_predicate_conflicts) {
    const char *path = dml_table_dir("inside");
    append(path, 0, 10, 0);
    pending p;
    start_delete(&p, path, "id < 5", false);
    append(path, 3, 1, 0); /* a new id 3: the delete should have seen it */
    lml_error err = loses_with(&p, "DELTA_CONCURRENT_APPEND");
    cr_assert(strstr(err.message, "version 1"), "%s", err.message);
    cr_assert_eq(count_rows(path), 11, "nothing of the losing delete was committed");
}

Test(delta_dml_conflict, delete_of_a_file_read_conflicts) {
    const char *path = dml_table_dir("delread");
    append(path, 0, 10, 0);
    pending p;
    start_delete(&p, path, "id < 5", false);
    lml_delta_result r = {0};
    lml_error err = {0};
    /* The same delete won: it rewrote the file read, and its new file (ids 5..9) cannot match. */
    cr_assert(lml_delta_delete(path, "id < 5", NULL, &r, &err), "%s", err.message);
    lml_delta_result_clear(&r);
    loses_with(&p, "DELTA_CONCURRENT_DELETE_READ");
    /* A winner whose rewrite still holds rows the predicate matches is a concurrent append first
     * (Spark's order of checks). */
    const char *path2 = dml_table_dir("delread2");
    append(path2, 0, 10, 0);
    start_delete(&p, path2, "id < 5", false);
    cr_assert(lml_delta_delete(path2, "id = 7", NULL, &r, &err), "%s", err.message);
    lml_delta_result_clear(&r);
    cr_assert_not(finish_delete(&p, &r, &err));
    cr_assert(strstr(err.message, "DELTA_CONCURRENT_APPEND"), "%s", err.message);
}

Test(delta_dml_conflict, whole_file_deletes_of_the_same_file_conflict) {
    const char *path = dml_table_dir("deldel");
    append(path, 0, 12, 3);
    pending p;
    start_delete(&p, path, "part = 1", true);
    lml_delta_result r = {0};
    lml_error err = {0};
    cr_assert(lml_delta_delete(path, "part = 1", NULL, &r, &err), "%s", err.message);
    lml_delta_result_clear(&r);
    loses_with(&p, "DELTA_CONCURRENT_DELETE_DELETE");
}

Test(delta_dml_conflict, partition_predicate_ignores_other_partitions) {
    const char *path = dml_table_dir("parts");
    append(path, 0, 12, 3);
    pending p;
    start_delete(&p, path, "part = 1", true);
    lml_frame *f = rows(0, 1, 3); /* part 0 only */
    lml_error err = {0};
    lml_delta_write_options o = {.mode = LML_DELTA_APPEND, .partition_by = (const char *[]){"part", NULL}};
    cr_assert(lml_delta_write(f, path, &o, NULL, &err), "%s", err.message);
    lml_frame_free(f);
    lml_delta_result r = {0};
    cr_assert(finish_delete(&p, &r, &err), "%s", err.message);
    cr_assert_eq(r.version, 2);
    lml_delta_result_clear(&r);
    cr_assert_eq(count_rows(path), 12 - 4 + 1);
    /* An append into part 2 while a part-2 delete is pending does conflict. */
    start_delete(&p, path, "part = 2", true);
    f = rows(2, 1, 3);
    cr_assert(lml_delta_write(f, path, &o, NULL, &err), "%s", err.message);
    lml_frame_free(f);
    cr_assert_not(finish_delete(&p, &r, &err));
    cr_assert(strstr(err.message, "DELTA_CONCURRENT_APPEND"), "%s", err.message);
}

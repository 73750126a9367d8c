/* Helpers shared by the Delta DML and maintenance tests (tests/unit/test_delta_{delete,update,
 * merge,write,dml_conflict,optimize,zorder,vacuum}.c): the tables they write and the commit JSON
 * they read back. They check with cr_assert, so they fail the calling Criterion test. */
#ifndef LML_TEST_DELTA_DML_SUPPORT_H
#define LML_TEST_DELTA_DML_SUPPORT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include "lakeml/frame.h"

/* (id long, name string "n<id>" — null when id % 7 == 3 —, part int = id % parts, 0 when parts is 0) for ids [from, from+n). */
lml_frame *dml_rows(int64_t from, size_t n, int parts);
/* "<test temp dir>/<name>", in a static buffer the next call overwrites. */
const char *dml_table_dir(const char *name);
/* A table of dml_rows ids [0, 10) and [10, 20) in two commits (two files, partitioned by part when parts > 0). */
void dml_make_table(const char *path, int parts, const char *const *props);
/* qsort comparator of int64_t values, ascending. */
int dml_cmp_i64(const void *a, const void *b);
/* The table's ids (column "id"), sorted, as a "a,b,c" string the caller frees. */
char *dml_ids_text(const char *path);
/* The text of commit v of the table at path (asserts the file exists); the caller frees it. */
char *dml_commit_text(const char *path, int64_t v);
/* The lines of commit v of the table at path, each parsed as JSON, NULL-terminated; free with dml_free_lines. */
cJSON **dml_commit_lines(const char *path, int64_t v);
/* Frees what dml_commit_lines returned. */
void dml_free_lines(cJSON **l);
/* How many of the lines hold an action of that kind ("add", "remove", "cdc", …). */
int dml_count_kind(cJSON **l, const char *kind);
/* The first action of that kind among the lines, or NULL. */
const cJSON *dml_first_kind(cJSON **l, const char *kind);
/* The commitInfo's operationMetrics[key] string among the lines, or NULL when absent. */
const char *dml_lines_metric(cJSON **l, const char *key);
/* Asserts the commitInfo among the lines has operationMetrics[key] == want (a string). */
void dml_assert_lines_metric(cJSON **l, const char *key, const char *want);
/* Asserts the commitInfo object ci has operationMetrics[key] == want (a string). */
void dml_assert_metric(const cJSON *ci, const char *key, const char *want);
/* How many entries (not "." files) the directory path/sub holds. */
size_t dml_dir_entries(const char *path, const char *sub);
/* How many entries (not "." files) the table's _delta_log directory holds. */
size_t dml_log_entries(const char *path);
/* Copies the directory src's contents into dst (`cp -r src/. dst/`, creating dst if need be). */
void dml_copy_tree(const char *src, const char *dst);
/* Copies the shared table src to dml_table_dir(name), sets *path to it, and returns the copy as read. */
lml_frame *dml_golden_copy(const char *src, const char *name, const char **path);

#endif

/* Helpers shared by the Delta DML and maintenance tests; see delta_dml_support.h. */
#include "delta_dml_support.h"
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/delta.h"
#include "support.h"

lml_frame *dml_rows(int64_t from, size_t n, int parts) {
    lml_error err = {0};
    int64_t *id = malloc(n * sizeof *id);
    int32_t *part = malloc(n * sizeof *part);
    const char **name = malloc(n * sizeof *name);
    char (*buf)[24] = malloc(n * sizeof *buf);
    for (size_t i = 0; i < n; i++) {
        id[i] = from + (int64_t)i;
        part[i] = parts ? (int32_t)(id[i] % parts) : 0;
        snprintf(buf[i], sizeof buf[i], "n%lld", (long long)id[i]);
        name[i] = id[i] % 7 == 3 ? NULL : buf[i];
    }
    lml_column *cols[3] = {lml_column_from_int64s(id, NULL, n, &err), lml_column_from_strings(name, n, &err),
                           lml_column_from_int32s(part, NULL, n, &err)};
    lml_frame *f = lml_frame_new(3, (const char *[]){"id", "name", "part"}, cols, &err);
    cr_assert(f, "%s", err.message);
    for (int k = 0; k < 3; k++) lml_column_free(cols[k]);
    free(id), free(part), free(name), free(buf);
    return f;
}

const char *dml_table_dir(const char *name) {
    static char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", lml_test_temp_dir(), name);
    return buf;
}

void dml_make_table(const char *path, int parts, const char *const *props) {
    lml_error err = {0};
    lml_frame *a = dml_rows(0, 10, parts), *b = dml_rows(10, 10, parts);
    lml_delta_write_options o = {.properties = props, .partition_by = parts ? (const char *[]){"part", NULL} : NULL};
    cr_assert(lml_delta_write(a, path, &o, NULL, &err), "%s", err.message);
    o.mode = LML_DELTA_APPEND;
    cr_assert(lml_delta_write(b, path, &o, NULL, &err), "%s", err.message);
    lml_frame_free(a);
    lml_frame_free(b);
}

int dml_cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

char *dml_ids_text(const char *path) {
    lml_error err = {0};
    lml_frame *f = lml_delta_read(path, NULL, NULL, &err);
    cr_assert(f, "%s", err.message);
    size_t n = lml_frame_num_rows(f);
    int64_t *v = malloc((n + 1) * sizeof *v);
    memcpy(v, lml_column_int64s(lml_frame_column_by_name(f, "id", &err)), n * sizeof *v);
    qsort(v, n, sizeof *v, dml_cmp_i64);
    char *s = calloc(n * 21 + 1, 1);
    for (size_t i = 0; i < n; i++) sprintf(s + strlen(s), "%s%lld", i ? "," : "", (long long)v[i]);
    free(v);
    lml_frame_free(f);
    return s;
}

char *dml_commit_text(const char *path, int64_t v) {
    char p[4096];
    snprintf(p, sizeof p, "%s/_delta_log/%020lld.json", path, (long long)v);
    char *text = lml_test_slurp(p);
    cr_assert(text, "no commit %s", p);
    return text;
}

cJSON **dml_commit_lines(const char *path, int64_t v) {
    char *text = dml_commit_text(path, v);
    cJSON **out = calloc(256, sizeof *out);
    size_t n = 0;
    for (char *line = strtok(text, "\n"); line && n < 255; line = strtok(NULL, "\n")) out[n++] = cJSON_Parse(line);
    free(text);
    return out;
}

void dml_free_lines(cJSON **l) {
    for (size_t i = 0; l[i]; i++) cJSON_Delete(l[i]);
    free(l);
}

int dml_count_kind(cJSON **l, const char *kind) {
    int n = 0;
    for (size_t i = 0; l[i]; i++) n += cJSON_GetObjectItem(l[i], kind) != NULL;
    return n;
}

const cJSON *dml_first_kind(cJSON **l, const char *kind) {
    for (size_t i = 0; l[i]; i++)
        if (cJSON_GetObjectItem(l[i], kind)) return cJSON_GetObjectItem(l[i], kind);
    return NULL;
}

const char *dml_lines_metric(cJSON **l, const char *key) {
    const cJSON *m = cJSON_GetObjectItem(dml_first_kind(l, "commitInfo"), "operationMetrics");
    const cJSON *v = cJSON_GetObjectItem(m, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

void dml_assert_lines_metric(cJSON **l, const char *key, const char *want) {
    dml_assert_metric(dml_first_kind(l, "commitInfo"), key, want);
}

void dml_assert_metric(const cJSON *ci, const char *key, const char *want) {
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(ci, "operationMetrics"), key);
    cr_assert(cJSON_IsString(v), "metric %s missing", key);
    cr_assert_str_eq(v->valuestring, want, "metric %s", key);
}

size_t dml_dir_entries(const char *path, const char *sub) {
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", path, sub);
    DIR *d = opendir(p);
    cr_assert(d, "cannot open %s", p);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

size_t dml_log_entries(const char *path) { return dml_dir_entries(path, "_delta_log"); }

void dml_copy_tree(const char *src, const char *dst) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cp -r '%s'/. '%s'/", src, dst);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

lml_frame *dml_golden_copy(const char *src, const char *name, const char **path) {
    *path = dml_table_dir(name);
    dml_copy_tree(src, *path);
    lml_error err = {0};
    lml_frame *f = lml_delta_read(*path, NULL, NULL, &err);
    cr_assert(f, "%s", err.message);
    return f;
}

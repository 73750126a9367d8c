/* The data/ tables of saved models (spec §3): writing a frame as Spark's one Parquet part file
 * plus _SUCCESS, reading every data file of a directory back, and typed access to their cells. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "core/internal.h"
#include "lakeml/parquet.h"
#include "ml/persist/persist_internal.h"

bool lml_persist_write_table(const char *dir, const char *sub, const lml_frame *f, lml_error *err)
{
    char *d = lml_persist_join(dir, sub, err), *file = NULL, *succ = NULL;
    bool ok = false;
    if (!d)
        return false;
    if (mkdir(d, 0755) != 0) {
        lml_error_set(err, LML_EIO, "cannot create directory %s: %s", d, strerror(errno));
        goto done;
    }
    /* Spark's name; the uuid part only has to be unique within the directory. */
    if (!(file = lml_persist_join(d, "part-00000-00000000-0000-0000-0000-000000000000-c000.snappy.parquet", err)) ||
        !(succ = lml_persist_join(d, "_SUCCESS", err)))
        goto done;
    if (!lml_parquet_write(f, file, NULL, err)) {
        lml_error_prefix(err, "%s", d);
        goto done;
    }
    FILE *fp = fopen(succ, "wb");
    if (!fp || fclose(fp) != 0) {
        lml_error_set(err, LML_EIO, "cannot create %s: %s", succ, strerror(errno));
        goto done;
    }
    ok = true;
done:
    free(d);
    free(file);
    free(succ);
    return ok;
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

lml_frame *lml_persist_read_table(const char *dir, const char *sub, lml_error *err)
{
    char *d = lml_persist_join(dir, sub, err);
    if (!d)
        return NULL;
    DIR *dp = opendir(d);
    if (!dp) {
        lml_error_set(err, errno == ENOENT ? LML_ENOTFOUND : LML_EIO, "%s: cannot open directory: %s", d,
                      strerror(errno));
        free(d);
        return NULL;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    bool oom = false;
    while ((e = readdir(dp))) {
        if (e->d_name[0] == '.' || e->d_name[0] == '_')
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 4;
            char **g = realloc(names, nc * sizeof *g);
            if (!g) {
                oom = true;
                break;
            }
            names = g;
            cap = nc;
        }
        if (!(names[n] = strdup(e->d_name))) {
            oom = true;
            break;
        }
        n++;
    }
    closedir(dp);
    lml_frame *out = NULL;
    lml_frame **parts = NULL;
    size_t got = 0;
    if (oom) {
        lml_error_set(err, LML_ENOMEM, "out of memory listing %s", d);
        goto done;
    }
    if (n == 0) {
        lml_error_set(err, LML_ENOTFOUND, "%s: no data file", d);
        goto done;
    }
    qsort(names, n, sizeof *names, cmp_name);
    if (!(parts = calloc(n, sizeof *parts))) {
        lml_error_set(err, LML_ENOMEM, "out of memory reading %s", d);
        goto done;
    }
    for (; got < n; got++) {
        char *p = lml_persist_join(d, names[got], err);
        parts[got] = p ? lml_parquet_read(p, NULL, err) : NULL;
        free(p);
        if (!parts[got])
            goto done;
    }
    out = n == 1 ? lml_frame_retain(parts[0]) : lml_frame_union_by_name((const lml_frame *const *)parts, n, err);
    if (!out)
        lml_error_prefix(err, "%s", d);
done:
    for (size_t i = 0; i < got; i++)
        lml_frame_free(parts[i]);
    free(parts);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(d);
    return out;
}

/* ---------------------------------------------------------------- cells */

static const lml_column *cell_col(const lml_frame *f, const char *where, const char *col, size_t r, lml_type want,
                                  const char *want_name, lml_error *err)
{
    long i = lml_frame_column_index(f, col);
    if (i < 0) {
        lml_error_set(err, LML_EFORMAT, "%s: data has no column '%s'", where, col);
        return NULL;
    }
    const lml_column *c = lml_frame_column(f, (size_t)i);
    if (lml_column_type(c) != want) {
        lml_error_set(err, LML_EFORMAT, "%s: data column '%s' must be %s, got %s", where, col, want_name,
                      lml_type_name(lml_column_type(c)));
        return NULL;
    }
    if (r >= lml_column_length(c) || lml_column_is_null(c, r)) {
        lml_error_set(err, LML_EFORMAT, "%s: data column '%s' has no value in row %zu", where, col, r);
        return NULL;
    }
    return c;
}

bool lml_persist_cell_int(const lml_frame *f, const char *where, const char *col, size_t r, int32_t *out,
                          lml_error *err)
{
    const lml_column *c = cell_col(f, where, col, r, LML_INT32, "integer (int32)", err);
    return c ? (*out = lml_column_int32s(c)[r], true) : false;
}

bool lml_persist_cell_double(const lml_frame *f, const char *where, const char *col, size_t r, double *out,
                             lml_error *err)
{
    const lml_column *c = cell_col(f, where, col, r, LML_DOUBLE, "double", err);
    return c ? (*out = lml_column_doubles(c)[r], true) : false;
}

bool lml_persist_cell_bool(const lml_frame *f, const char *where, const char *col, size_t r, bool *out,
                           lml_error *err)
{
    const lml_column *c = cell_col(f, where, col, r, LML_BOOL, "boolean", err);
    return c ? (*out = lml_column_bool_at(c, r), true) : false;
}

/* The [begin, end) element range of list row r; false for a null list. */
static bool list_range(const lml_column *list, size_t r, size_t *b, size_t *e)
{
    if (lml_column_is_null(list, r))
        return false;
    const int32_t *off = lml_column_offsets(list);
    *b = (size_t)off[r];
    *e = (size_t)off[r + 1];
    return true;
}

bool lml_persist_list_strings(const lml_column *list, const char *where, const char *col, size_t r,
                              const char ***out, size_t **lens, size_t *n, lml_error *err)
{
    size_t b, e;
    const lml_column *el = lml_column_type(list) == LML_LIST ? lml_column_child(list, 0) : NULL;
    if (!el || lml_column_type(el) != LML_STRING)
        return lml_error_set(err, LML_EFORMAT, "%s: data column '%s' must be an array of strings", where, col);
    if (!list_range(list, r, &b, &e))
        return lml_error_set(err, LML_EFORMAT, "%s: data column '%s' is null in row %zu", where, col, r);
    const char **v = malloc((e - b + 1) * sizeof *v);
    size_t *l = malloc((e - b + 1) * sizeof *l);
    if (!v || !l) {
        free(v);
        free(l);
        return lml_error_set(err, LML_ENOMEM, "out of memory reading %s", where);
    }
    for (size_t k = b; k < e; k++) {
        if (lml_column_is_null(el, k) || !(v[k - b] = lml_column_string_at(el, k, &l[k - b]))) {
            free(v);
            free(l);
            return lml_error_set(err, LML_EFORMAT, "%s: data column '%s': null string at position %zu of row %zu",
                                 where, col, k - b, r);
        }
    }
    *out = v;
    *lens = l;
    *n = e - b;
    return true;
}

bool lml_persist_list_ints(const lml_column *list, const char *where, const char *col, size_t r, int32_t **out,
                           size_t *n, lml_error *err)
{
    size_t b, e;
    const lml_column *el = lml_column_type(list) == LML_LIST ? lml_column_child(list, 0) : NULL;
    if (!el || lml_column_type(el) != LML_INT32)
        return lml_error_set(err, LML_EFORMAT, "%s: data column '%s' must be an array of integers", where, col);
    if (!list_range(list, r, &b, &e))
        return lml_error_set(err, LML_EFORMAT, "%s: data column '%s' is null in row %zu", where, col, r);
    int32_t *v = malloc((e - b + 1) * sizeof *v);
    if (!v)
        return lml_error_set(err, LML_ENOMEM, "out of memory reading %s", where);
    for (size_t k = b; k < e; k++) {
        if (lml_column_is_null(el, k)) {
            free(v);
            return lml_error_set(err, LML_EFORMAT, "%s: data column '%s': null at position %zu of row %zu", where,
                                 col, k - b, r);
        }
        v[k - b] = lml_column_int32s(el)[k];
    }
    *out = v;
    *n = e - b;
    return true;
}

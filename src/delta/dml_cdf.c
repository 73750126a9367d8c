/* Change Data Feed writes (delta.md §14): the rows DELETE / UPDATE / MERGE change, with
 * _change_type (delete, update_preimage, update_postimage, insert), gathered while files are
 * rewritten and written at the end as _change_data/<partition dirs>/cdc-….snappy.parquet files,
 * one per partition value, committed as cdc actions (dataChange false). */
#include <stdlib.h>
#include <string.h>
#include "../core/internal.h"
#include "../frame/internal.h"
#include "dml.h"

bool lml_dml_cdc_add(lml_dml *d, const lml_frame *rows, const char *type, lml_error *err) {
    size_t n = rows ? lml_frame_num_rows(rows) : 0;
    if (n == 0) return true;
    if (d->ncdc == d->cdc_cap) {
        size_t cap = d->cdc_cap ? 2 * d->cdc_cap : 16;
        lml_frame **a = realloc(d->cdc, cap * sizeof *a);
        if (!a) return lml_error_set(err, LML_ENOMEM, "out of memory");
        d->cdc = a;
        d->cdc_cap = cap;
    }
    size_t len = strlen(type), total;
    if (!lml_mul_ok(len, n, &total) || total > INT32_MAX)
        return lml_error_set(err, LML_ERANGE, "%s: too many change rows in one batch", d->root);
    lml_column *c = lml_column_alloc(LML_STRING, n, total, false, err);
    if (!c) return false;
    char *p = c->values;
    for (size_t i = 0; i < n; i++) {
        memcpy(p + i * len, type, len);
        c->offsets[i + 1] = (int32_t)((i + 1) * len);
    }
    lml_column_seal(c);
    lml_frame *f = lml_frame_with_column(rows, "_change_type", c, err);
    lml_column_free(c);
    if (!f) return false;
    d->cdc[d->ncdc++] = f;
    return true;
}

typedef struct keyed {
    char *key;
    size_t row;
} keyed;

static int by_key(const void *a, const void *b) {
    const keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

/* The partition values of row r as one comparable string (\x01 for null, \x02 after each). */
static char *row_key(const lml_frame *f, const long *pcols, size_t np, size_t r, lml_error *err) {
    lml_strbuf sb = {0};
    for (size_t k = 0; k < np; k++) {
        const lml_column *c = lml_frame_column(f, (size_t)pcols[k]);
        size_t len;
        char buf[256];
        const char *s = lml_column_type(c) == LML_STRING ? lml_column_string_at(c, r, &len) : NULL;
        if (lml_column_is_null(c, r)) lml_strbuf_putc(&sb, '\x01');
        else if (s) lml_strbuf_append(&sb, s, len);
        else lml_format_value(c, r, buf, sizeof buf), lml_strbuf_puts(&sb, buf);
        lml_strbuf_putc(&sb, '\x02');
    }
    if (!np) lml_strbuf_putc(&sb, '\x02');
    return lml_strbuf_finish(&sb, err);
}

static bool write_grouped(lml_dml *d, const lml_frame *all, lml_error *err) {
    const lml_delta_metadata *m = &d->plan.metadata;
    size_t np = m->npartition, n = lml_frame_num_rows(all);
    if (!np) return lml_delta_plan_write_file(&d->plan, all, true, err);
    long *pcols = calloc(np + 1, sizeof *pcols);
    keyed *keys = calloc(n + 1, sizeof *keys);
    size_t *idx = malloc((n + 1) * sizeof *idx);
    bool ok = pcols && keys && idx;
    if (!ok) ok = lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t k = 0; ok && k < np; k++) pcols[k] = lml_frame_column_index(all, m->partition_columns[k]);
    for (size_t r = 0; ok && r < n; r++) {
        keys[r].row = r;
        ok = (keys[r].key = row_key(all, pcols, np, r, err)) != NULL;
    }
    if (ok) qsort(keys, n, sizeof *keys, by_key);
    for (size_t from = 0; ok && from < n;) {
        size_t to = from;
        while (to < n && strcmp(keys[to].key, keys[from].key) == 0) idx[to - from] = keys[to].row, to++;
        lml_frame *g = lml_frame_take(all, idx, to - from, err);
        ok = g && lml_delta_plan_write_file(&d->plan, g, true, err);
        lml_frame_free(g);
        from = to;
    }
    for (size_t r = 0; keys && r < n; r++) free(keys[r].key);
    free(keys);
    free(idx);
    free(pcols);
    return ok;
}

bool lml_dml_cdc_flush(lml_dml *d, lml_error *err) {
    if (!d->ncdc) return true;
    lml_frame *all = lml_frame_union_by_name((const lml_frame *const *)d->cdc, d->ncdc, err);
    bool ok = all && write_grouped(d, all, err);
    lml_frame_free(all);
    for (size_t i = 0; i < d->ncdc; i++) lml_frame_free(d->cdc[i]);
    d->ncdc = 0;
    return ok;
}

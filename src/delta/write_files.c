/* The data files of a Delta write: rows grouped by partition value, buffered per partition and
 * written as Spark names and lays them out (Hive-style partition directories,
 * part-NNNNN-<uuid>-c000.snappy.parquet), each with its add action and the stats of its rows.
 * Rows arrive a batch at a time (lml_delta_writer_write); a one-shot lml_delta_write of a frame
 * under 128 MiB gives one file per partition value, as before batches existed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "../core/internal.h"
#include "../frame/internal.h"
#include "../io/parquet/writer_internal.h"
#include "commit.h"
#include "pvalue.h"
#include "stats.h"
#include "write_internal.h"

#define DEFAULT_INDEXED_COLS 32
/* Buffered rows (all partitions) that make the write flush its files: Spark's usual file size. */
#define ROLL_BYTES ((size_t)128 << 20)

static size_t frame_bytes(const lml_frame *f) {
    size_t total = 0;
    for (size_t i = 0; i < lml_frame_num_cols(f); i++) total += lml_pq_column_bytes(lml_frame_column(f, i));
    return total;
}

/* The partition values of part's first row and the relative directory of its files
 * ("k=v/…", under "_change_data/" for change data files). */
static bool partition_of(const lml_delta_plan *p, const lml_frame *part, bool cdc, lml_delta_map *pv, lml_strbuf *dir,
                         lml_error *err) {
    const lml_delta_metadata *m = &p->metadata;
    size_t np = m->npartition;
    if (cdc) lml_strbuf_puts(dir, "_change_data/");
    if (!(pv->keys = calloc(np + 1, sizeof *pv->keys)) + !(pv->values = calloc(np + 1, sizeof *pv->values)))
        return lml_error_set(err, LML_ENOMEM, "out of memory");
    bool ok = true;
    for (size_t k = 0; ok && k < np; k++) {
        long at = lml_frame_column_index(part, m->partition_columns[k]);
        lml_value v = lml_column_get(lml_frame_column(part, (size_t)at), 0);
        char *text = v.is_null ? NULL : lml_delta_pvalue_format(&v, err);
        if (!v.is_null && !text) return false;
        /* Spark writes an empty string as a null partition value. */
        if (text && !*text) {
            free(text);
            text = NULL;
        }
        char *en = lml_delta_hive_escape(m->partition_columns[k], err), *ev = text ? lml_delta_hive_escape(text, err) : NULL;
        ok = en && (!text || ev);
        if (ok) lml_strbuf_printf(dir, "%s=%s/", en, ev ? ev : "__HIVE_DEFAULT_PARTITION__");
        free(en);
        free(ev);
        pv->keys[pv->n] = lml_strdup(m->partition_columns[k], err);
        pv->values[pv->n++] = text;
        ok = ok && pv->keys[pv->n - 1];
    }
    return ok;
}

bool lml_delta_plan_write_one(const lml_delta_plan *p, const lml_frame *rows, bool cdc, int counter, lml_delta_file *out,
                              lml_error *err) {
    const lml_delta_metadata *m = &p->metadata;
    size_t np = m->npartition, n = lml_frame_num_rows(rows);
    memset(out, 0, sizeof *out);
    out->num_records = -1;
    lml_strbuf dir = {0};
    lml_delta_map pv = {0};
    lml_frame *data = np ? lml_frame_drop(rows, (const char *const *)m->partition_columns, err) : lml_frame_retain(rows);
    bool ok = data && partition_of(p, rows, cdc, &pv, &dir, err);
    const char *prefix = dir.data ? dir.data : "";
    if (ok && (np || cdc)) {
        lml_strbuf full = {0};
        lml_strbuf_printf(&full, "%s/%s", p->root, prefix);
        char *d = lml_strbuf_finish(&full, err);
        ok = d && lml_delta_mkdirs(d, err);
        free(d);
    }
    char uuid[37], rel[1024], full[4096];
    lml_delta_uuid(uuid);
    if (cdc) snprintf(rel, sizeof rel, "%scdc-%05d-%s.c000.snappy.parquet", prefix, counter, uuid);
    else snprintf(rel, sizeof rel, "%spart-%05d-%s-c000.snappy.parquet", prefix, counter, uuid);
    snprintf(full, sizeof full, "%s/%s", p->root, rel);
    lml_parquet_write_options wo = {.codec = LML_PARQUET_SNAPPY, .row_group_size = p->opt->row_group_size};
    struct stat st;
    ok = ok && lml_parquet_write(data, full, &wo, err);
    if (ok && stat(full, &st) != 0) ok = lml_error_set(err, LML_EIO, "cannot stat %s: %s", full, strerror(errno));
    if (ok) {
        out->data_change = !cdc;
        out->has_partition_values = out->has_size = true;
        out->size = (int64_t)st.st_size;
        out->num_records = (int64_t)n;
        if (!cdc) out->modification_time = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
        ok = (out->path = lml_delta_uri_encode_path(rel, err)) && lml_delta_map_copy(&pv, &out->partition_values, err);
    }
    if (ok && !cdc) {
        const char *icols = lml_delta_map_get(&m->configuration, "delta.dataSkippingNumIndexedCols", NULL);
        ok = (out->stats = lml_delta_stats_json(data, &p->schema, icols ? atoi(icols) : DEFAULT_INDEXED_COLS, false, err));
    }
    if (!ok) lml_delta_file_clear(out);
    lml_delta_map_clear(&pv);
    lml_strbuf_free(&dir);
    lml_frame_free(data);
    return ok;
}

bool lml_delta_plan_push_file(lml_delta_plan *p, lml_delta_file *f, bool cdc, lml_error *err) {
    lml_delta_action *a = lml_delta_plan_push(p, cdc ? LML_DA_CDC : LML_DA_ADD, err);
    if (!a) {
        lml_delta_file_clear(f);
        return false;
    }
    a->u.file = *f;
    memset(f, 0, sizeof *f);
    if (cdc) {
        p->cdc_files++;
        p->cdc_bytes += a->u.file.size;
    } else {
        p->files_added++;
        p->bytes_added += a->u.file.size;
        p->rows_added += a->u.file.num_records;
    }
    return true;
}

/* Writes all rows of `part` (one partition value; table columns) as data files of at most
 * max_records_per_file rows and adds their actions; with `cdc`, as change data files under
 * _change_data/ (part also holds _change_type) with cdc actions (§14). */
static bool write_partition(lml_delta_plan *p, const lml_frame *part, bool cdc, lml_error *err) {
    size_t n = lml_frame_num_rows(part);
    size_t per = p->opt->max_records_per_file ? p->opt->max_records_per_file : (n ? n : 1);
    bool ok = true;
    for (size_t from = 0; ok && from < n; from += per) {
        lml_frame *chunk = lml_frame_slice(part, from, n - from < per ? n - from : per, err);
        lml_delta_file f;
        ok = chunk && lml_delta_plan_write_one(p, chunk, cdc, p->counter++, &f, err) &&
             lml_delta_plan_push_file(p, &f, cdc, err);
        lml_frame_free(chunk);
    }
    return ok;
}

/* ---- buffering per partition */

static void pending_free(lml_delta_pending *q) {
    for (size_t i = 0; i < q->nparts; i++) lml_frame_free(q->parts[i]);
    free(q->parts);
    free(q->key);
    memset(q, 0, sizeof *q);
}

void lml_delta_plan_pending_clear(lml_delta_plan *p) {
    for (size_t i = 0; i < p->npending; i++) pending_free(&p->pending[i]);
    free(p->pending);
    p->pending = NULL;
    p->npending = p->pending_cap = p->pending_bytes = 0;
}

/* The pending entry of a key, created (in key order) when new; takes key. */
static lml_delta_pending *pending_of(lml_delta_plan *p, char *key, lml_error *err) {
    size_t lo = 0, hi = p->npending;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(p->pending[mid].key, key);
        if (c == 0) {
            free(key);
            return &p->pending[mid];
        }
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    if (p->npending == p->pending_cap) {
        size_t cap = p->pending_cap ? 2 * p->pending_cap : 8;
        lml_delta_pending *q = realloc(p->pending, cap * sizeof *q);
        if (!q) {
            free(key);
            lml_error_set(err, LML_ENOMEM, "out of memory");
            return NULL;
        }
        p->pending = q;
        p->pending_cap = cap;
    }
    memmove(&p->pending[lo + 1], &p->pending[lo], (p->npending - lo) * sizeof *p->pending);
    p->npending++;
    memset(&p->pending[lo], 0, sizeof p->pending[lo]);
    p->pending[lo].key = key;
    return &p->pending[lo];
}

/* Writes the first `rows` buffered rows of q (all of them, or whole max_records_per_file files)
 * and keeps the rest buffered. */
static bool flush_pending(lml_delta_plan *p, lml_delta_pending *q, size_t rows, lml_error *err) {
    if (rows == 0) return true;
    lml_frame *all = lml_frame_union_by_name((const lml_frame *const *)q->parts, q->nparts, err);
    lml_frame *head = all ? lml_frame_slice(all, 0, rows, err) : NULL;
    lml_frame *rest = head && rows < q->rows ? lml_frame_slice(all, rows, q->rows - rows, err) : NULL;
    bool ok = head && (rows == q->rows || rest) && write_partition(p, head, false, err);
    lml_frame_free(head);
    lml_frame_free(all);
    if (!ok) {
        lml_frame_free(rest);
        return false;
    }
    for (size_t i = 0; i < q->nparts; i++) lml_frame_free(q->parts[i]);
    q->nparts = 0;
    p->pending_bytes -= q->bytes;
    q->rows = q->bytes = 0;
    if (rest) {
        q->parts[q->nparts++] = rest;
        q->rows = lml_frame_num_rows(rest);
        q->bytes = frame_bytes(rest);
        p->pending_bytes += q->bytes;
    }
    return true;
}

static bool append_pending(lml_delta_plan *p, char *key, lml_frame *rows, lml_error *err) {
    lml_delta_pending *q = pending_of(p, key, err);
    if (!q) {
        lml_frame_free(rows);
        return false;
    }
    if (q->nparts == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 4;
        lml_frame **a = realloc(q->parts, cap * sizeof *a);
        if (!a) {
            lml_frame_free(rows);
            return lml_error_set(err, LML_ENOMEM, "out of memory");
        }
        q->parts = a;
        q->cap = cap;
    }
    size_t bytes = frame_bytes(rows);
    q->parts[q->nparts++] = rows;
    q->rows += lml_frame_num_rows(rows);
    q->bytes += bytes;
    p->pending_bytes += bytes;
    size_t per = p->opt->max_records_per_file;
    return !per || q->rows < per || flush_pending(p, q, q->rows / per * per, err);
}

bool lml_delta_plan_write_file(lml_delta_plan *p, const lml_frame *rows, bool cdc, lml_error *err) {
    return lml_frame_num_rows(rows) == 0 || write_partition(p, rows, cdc, err);
}

bool lml_delta_plan_flush(lml_delta_plan *p, lml_error *err) {
    for (size_t i = 0; i < p->npending; i++)
        if (!flush_pending(p, &p->pending[i], p->pending[i].rows, err)) return false;
    return true;
}

/* ---- grouping a batch */

typedef struct group_key {
    char *key;  /* the row's partition values, each followed by \x02, \x01 for null */
    size_t row;
} group_key;

static int by_key(const void *a, const void *b) {
    const group_key *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

bool lml_delta_plan_add_rows(lml_delta_plan *p, const lml_frame *rows, lml_error *err) {
    const lml_delta_metadata *m = &p->metadata;
    size_t n = lml_frame_num_rows(rows), np = m->npartition;
    if (n == 0) return true;
    long *pcols = calloc(np + 1, sizeof *pcols);
    size_t *idx = malloc((n + 1) * sizeof *idx);
    group_key *keys = calloc(n + 1, sizeof *keys);
    bool ok = pcols && idx && keys;
    if (!ok) lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t k = 0; ok && k < np; k++) pcols[k] = lml_frame_column_index(rows, m->partition_columns[k]);
    /* Group rows by their partition values (sorted, so files come out in a stable order). */
    for (size_t r = 0; ok && r < n; r++) {
        keys[r].row = r;
        if (!np && r) continue;
        lml_strbuf sb = {0}; /* an unpartitioned write has one group, key "" */
        for (size_t k = 0; k < np; k++) {
            /* Whole strings (a formatted cell may be cut short); other types format exactly. */
            char buf[256];
            size_t len;
            const lml_column *c = lml_frame_column(rows, (size_t)pcols[k]);
            const char *str = lml_column_type(c) == LML_STRING ? lml_column_string_at(c, r, &len) : NULL;
            if (lml_column_is_null(c, r)) lml_strbuf_putc(&sb, '\x01');
            else if (str) lml_strbuf_append(&sb, str, len);
            else lml_format_value(c, r, buf, sizeof buf), lml_strbuf_puts(&sb, buf);
            lml_strbuf_putc(&sb, '\x02');
        }
        ok = (keys[r].key = lml_strbuf_finish(&sb, err)) != NULL;
    }
    if (ok && np) qsort(keys, n, sizeof *keys, by_key);
    for (size_t r = 0; ok && r < n; r++) idx[r] = keys[r].row;
    for (size_t from = 0; ok && from < n;) {
        size_t to = from + 1;
        while (np && to < n && strcmp(keys[to].key, keys[from].key) == 0) to++;
        if (!np) to = n;
        /* An unpartitioned batch is kept as it is: no copy of its rows. */
        lml_frame *part = !ok ? NULL : np ? lml_frame_take(rows, &idx[from], to - from, err) : lml_frame_retain(rows);
        char *key = part ? lml_strdup(keys[from].key, err) : NULL;
        if (ok && key) ok = append_pending(p, key, part, err); /* takes both */
        else if (ok) {
            lml_frame_free(part);
            ok = false;
        }
        from = to;
    }
    /* Past the buffer budget: every partition becomes a file, so memory stays bounded. */
    if (ok && p->pending_bytes >= ROLL_BYTES) ok = lml_delta_plan_flush(p, err);
    for (size_t r = 0; keys && r < n; r++) free(keys[r].key);
    free(keys);
    free(idx);
    free(pcols);
    return ok;
}

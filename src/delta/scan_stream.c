/* The streaming scan: lml_delta_table_read's rows one (file, row group) piece at a time, so a
 * table larger than memory can be scored. Each piece goes through the same per-file code as the
 * whole read (scan_file.c); memory is one row group plus its file's deletion vector. */
#include <stdlib.h>
#include <string.h>
#include "../core/internal.h"
#include "scan_internal.h"

struct lml_delta_scan {
    lml_delta_scan_spec spec;
    const lml_delta_file **files; /* files left after skipping, in log order */
    size_t nfiles, next_file;
    lml_delta_file_reader cur;    /* the file being read (cur.pf NULL between files) */
    size_t next_rg, row0;         /* next row group of cur and its first row in the file */
    int64_t total_rows;
};

lml_delta_scan *lml_delta_scan_open(const lml_delta_table *t, const lml_delta_read_options *opt, lml_error *err) {
    static const lml_delta_read_options all = {0};
    if (!t) {
        lml_error_set(err, LML_EINVAL, "lml_delta_scan_open: table is NULL");
        return NULL;
    }
    lml_delta_scan *s = calloc(1, sizeof *s);
    if (!s) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    if (!lml_delta_scan_spec_init(&s->spec, t, opt ? opt : &all, err) ||
        !(s->files = lml_delta_scan_files(&s->spec, &s->nfiles, err))) {
        lml_delta_scan_free(s);
        return NULL;
    }
    for (size_t i = 0; i < s->nfiles && s->total_rows >= 0; i++)
        s->total_rows = s->files[i]->num_records >= 0 ? s->total_rows + s->files[i]->num_records -
                                                             (s->files[i]->dv.present ? s->files[i]->dv.cardinality : 0)
                                                       : -1;
    return s;
}

int64_t lml_delta_scan_total_rows(const lml_delta_scan *s) { return s ? s->total_rows : -1; }

/* Reads row group rg of the current file; *pruned when the row-group filter rules it out. */
static lml_frame *read_group(lml_delta_scan *s, size_t rg, bool *pruned, lml_error *err) {
    const lml_delta_file_reader *r = &s->cur;
    size_t rows = (size_t)lml_parquet_row_group_num_rows(r->pf, rg), kept = 0;
    lml_frame *fr = NULL;
    *pruned = false;
    if (r->nread) {
        /* As the whole read: no pruning in a file with deleted rows (their positions are whole-file). */
        lml_parquet_read_options ro = {.columns = r->names, .row_groups = &rg, .num_row_groups = 1,
                                       .predicate = r->del.n ? NULL : s->spec.row_group_filter};
        if (!(fr = lml_parquet_file_read(r->pf, &ro, err))) return NULL;
        if (lml_frame_num_rows(fr) != rows) { /* pruned: the reader skipped the group */
            lml_frame_free(fr);
            *pruned = true;
            return NULL;
        }
    }
    lml_column **cols = lml_delta_file_columns(&s->spec, r, fr, s->row0, rows, &kept, err);
    lml_frame_free(fr);
    return cols ? lml_delta_scan_frame(&s->spec, cols, err) : NULL;
}

bool lml_delta_scan_next(lml_delta_scan *s, lml_frame **out, lml_error *err) {
    if (!out) return lml_error_set(err, LML_EINVAL, "lml_delta_scan_next: out is NULL");
    *out = NULL;
    if (!s) return lml_error_set(err, LML_EINVAL, "lml_delta_scan_next: scan is NULL");
    for (;;) {
        if (!s->cur.pf) {
            if (s->next_file == s->nfiles) return true; /* the end */
            if (!lml_delta_file_reader_open(&s->spec, s->files[s->next_file], &s->cur, err)) {
                lml_delta_file_reader_close(&s->cur);
                return false;
            }
            s->next_file++;
            s->next_rg = s->row0 = 0;
        }
        if (s->next_rg == lml_parquet_num_row_groups(s->cur.pf)) {
            lml_delta_file_reader_close(&s->cur);
            continue;
        }
        size_t rg = s->next_rg++, row0 = s->row0;
        bool pruned;
        lml_frame *f = read_group(s, rg, &pruned, err);
        s->row0 = row0 + (size_t)lml_parquet_row_group_num_rows(s->cur.pf, rg);
        if (pruned) continue;
        if (!f) return false;
        *out = f;
        return true;
    }
}

void lml_delta_scan_free(lml_delta_scan *s) {
    if (!s) return;
    if (s->cur.pf || s->cur.path) lml_delta_file_reader_close(&s->cur);
    free(s->files);
    lml_delta_scan_spec_clear(&s->spec);
    free(s);
}

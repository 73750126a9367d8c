/* Reading what a DML operation may change: the live files that partition values and statistics
 * cannot rule out, each read whole with its current deletion vector applied and the physical
 * position of every row kept (a new deletion vector names rows by position). Files are read, and
 * the operation evaluated on them, in parallel; results stay in file order. */
#include <stdlib.h>
#include <string.h>
#include "../core/internal.h"
#include "../frame/internal.h"
#include "dml.h"

const lml_delta_file **lml_dml_candidates(const lml_dml *d, size_t *n, lml_error *err) {
    const lml_delta_state *s = &d->t->state;
    const lml_delta_file **out = calloc(s->nfiles + 1, sizeof *out);
    if (!out) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    *n = 0;
    for (size_t i = 0; i < s->nfiles; i++)
        if (!lml_delta_file_skipped(&s->files[i], d->filters, d->nfilters)) out[(*n)++] = &s->files[i];
    return out;
}

/* Positions 0..nphys-1 without the deleted ones (both ascending). */
static uint64_t *positions(const lml_dv_rows *del, size_t nphys, size_t nkept, lml_error *err) {
    uint64_t *pos = malloc((nkept + 1) * sizeof *pos);
    if (!pos) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    size_t k = 0, j = 0;
    for (uint64_t r = 0; r < nphys && k < nkept; r++) {
        if (j < del->n && del->rows[j] == r) {
            j++;
            continue;
        }
        pos[k++] = r;
    }
    return pos;
}

static bool read_one(const lml_dml *d, lml_dml_file *out, lml_error *err) {
    lml_delta_file_reader r;
    bool ok = lml_delta_file_reader_open(&d->spec, out->file, &r, err);
    lml_frame *fr = NULL;
    size_t rows = 0, kept = 0;
    if (ok && r.nread) {
        lml_parquet_read_options ro = {.columns = r.names};
        ok = (fr = lml_parquet_file_read(r.pf, &ro, err)) != NULL;
        rows = ok ? lml_frame_num_rows(fr) : 0;
    } else if (ok) {
        rows = (size_t)lml_parquet_num_rows(r.pf);
    }
    lml_column **cols = ok ? lml_delta_file_columns(&d->spec, &r, fr, 0, rows, &kept, err) : NULL;
    ok = cols && (out->rows = lml_delta_scan_frame(&d->spec, cols, err)) && (out->pos = positions(&r.del, rows, kept, err));
    out->nphys = rows;
    lml_frame_free(fr);
    lml_delta_file_reader_close(&r);
    return ok;
}

typedef struct read_job {
    const lml_dml *d;
    lml_dml_file *files;
    lml_dml_file_fn fn;
    void *ctx;
    lml_error *errs;
    bool *failed;
} read_job;

static void read_task(void *ctx, size_t i, int worker) {
    (void)worker;
    read_job *j = ctx;
    lml_dml_file *f = &j->files[i];
    bool ok = read_one(j->d, f, &j->errs[i]) && (!j->fn || j->fn(j->ctx, f, &j->errs[i]));
    /* A file the operation leaves alone needs none of its rows any more. */
    if (ok && j->fn && !f->action) {
        lml_frame_free(f->rows);
        f->rows = NULL;
    }
    if (!ok) j->failed[i] = true;
}

bool lml_dml_read(lml_dml *d, const lml_delta_file *const *files, size_t n, lml_dml_file_fn fn, void *ctx,
                  lml_error *err) {
    d->files = calloc(n + 1, sizeof *d->files);
    d->read_paths = calloc(n + 1, sizeof *d->read_paths);
    read_job j = {.d = d, .files = d->files, .fn = fn, .ctx = ctx, .errs = calloc(n + 1, sizeof *j.errs),
                  .failed = calloc(n + 1, sizeof *j.failed)};
    bool ok = d->files && d->read_paths && j.errs && j.failed;
    if (!ok) lml_error_set(err, LML_ENOMEM, "out of memory");
    if (ok) d->nfiles = n;
    for (size_t i = 0; ok && i < n; i++) {
        d->files[i].file = files[i];
        ok = (d->read_paths[d->nread] = lml_strdup(files[i]->path, err)) != NULL;
        if (ok) d->nread++;
    }
    if (ok) {
        /* Parallel over files when there are enough of them; else each read uses the pool. */
        size_t threads = (size_t)(lml_pool_size() > 0 ? lml_pool_size() : 1);
        if (n >= 2 && threads > 1) lml_parallel_for(n, read_task, &j);
        else
            for (size_t i = 0; i < n; i++) read_task(&j, i, 0);
        for (size_t i = 0; ok && i < n; i++)
            if (j.failed[i]) {
                if (err) *err = j.errs[i];
                ok = false;
            }
    }
    free(j.errs);
    free(j.failed);
    return ok;
}

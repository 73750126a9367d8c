/* From per-row outcomes to file actions (delta.md §10, §7.5). Copy-on-write: a touched file is
 * removed and rewritten as one new file of its kept and updated rows in the file's row order
 * (as Spark keeps it); a file left with no rows is only removed. Deletion vectors: the touched
 * file is re-added under the same path with a DV of every row no longer live (old DV ∪ rows
 * deleted or updated now), its stats no longer tight, and updated rows go to new files. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include "../core/internal.h"
#include "../frame/internal.h"
#include "dml.h"

bool lml_dml_remove_file(lml_dml *d, const lml_delta_file *f, lml_error *err) {
    if (!lml_delta_plan_remove(&d->plan, f, lml_delta_now_ms(), err)) return false;
    d->files_removed++;
    d->bytes_removed += f->size;
    if (f->dv.present) d->dv_removed++;
    return true;
}

/* Where the value of top-level key `key` starts in the JSON object text, or NULL (strings
 * skipped, so a column named like the key inside minValues does not count). */
static const char *top_level_value(const char *json, const char *key) {
    size_t kl = strlen(key);
    int depth = 0;
    for (const char *p = json; *p; p++) {
        if (*p == '{' || *p == '[') depth++;
        else if (*p == '}' || *p == ']') depth--;
        else if (*p == '"') {
            const char *start = p + 1;
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1]) p++;
            if (!*p) return NULL;
            const char *after = p + 1;
            while (*after == ' ') after++;
            if (depth == 1 && *after == ':' && (size_t)(p - start) == kl && memcmp(start, key, kl) == 0) {
                for (after++; *after == ' '; after++) {}
                return after;
            }
        }
    }
    return NULL;
}

/* The stats of a file that gains a deletion vector: numRecords (physical rows) kept, bounds no
 * longer tight (§8.6). Edited as text so that bounds keep their exact digits (a JSON round trip
 * through doubles would round 64-bit bounds). */
static char *loose_stats(const char *stats, size_t nphys, lml_error *err) {
    cJSON *o = stats ? cJSON_Parse(stats) : NULL;
    bool usable = o && cJSON_IsObject(o);
    cJSON_Delete(o);
    lml_strbuf sb = {0};
    if (!usable) {
        lml_strbuf_printf(&sb, "{\"numRecords\":%zu,\"tightBounds\":false}", nphys);
        return lml_strbuf_finish(&sb, err);
    }
    const char *tb = top_level_value(stats, "tightBounds");
    if (tb && strncmp(tb, "true", 4) == 0) {
        lml_strbuf_append(&sb, stats, (size_t)(tb - stats));
        lml_strbuf_puts(&sb, "false");
        lml_strbuf_puts(&sb, tb + 4);
        return lml_strbuf_finish(&sb, err);
    }
    if (tb) return lml_strdup(stats, err);
    const char *end = strrchr(stats, '}');
    lml_strbuf_append(&sb, stats, (size_t)(end - stats));
    bool empty = true;
    for (const char *p = strchr(stats, '{') + 1; p < end && empty; p++) empty = *p == ' ' || *p == '\n' || *p == '\t';
    if (!top_level_value(stats, "numRecords")) {
        lml_strbuf_printf(&sb, "%s\"numRecords\":%zu", empty ? "" : ",", nphys);
        empty = false;
    }
    lml_strbuf_printf(&sb, "%s\"tightBounds\":false}", empty ? "" : ",");
    return lml_strbuf_finish(&sb, err);
}

/* The rows of a copy-on-write rewrite: kept rows from `rows`, updated ones from `upd`, in the
 * file's row order. */
static lml_frame *rewrite_rows(const lml_dml_file *f, const lml_frame *rows, const lml_frame *upd, size_t nout,
                               lml_error *err) {
    size_t n = lml_frame_num_rows(rows), k = 0, u = n;
    size_t *idx = malloc((nout + 1) * sizeof *idx);
    if (!idx) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t r = 0; r < n; r++)
        if (f->action[r] == LML_DML_KEEP) idx[k++] = r;
        else if (f->action[r] == LML_DML_UPDATE) idx[k++] = u++;
    lml_frame *out = NULL;
    if (!upd || lml_frame_num_rows(upd) == 0) {
        out = lml_frame_take(rows, idx, k, err);
    } else {
        const lml_frame *both[2] = {rows, upd};
        lml_frame *all = lml_frame_union_by_name(both, 2, err);
        out = all ? lml_frame_take(all, idx, k, err) : NULL;
        lml_frame_free(all);
    }
    free(idx);
    return out;
}

/* The rows of f whose action is `what`. */
static lml_frame *rows_with(const lml_dml_file *f, const lml_frame *rows, uint8_t what, size_t count, lml_error *err) {
    size_t n = lml_frame_num_rows(rows), k = 0;
    size_t *idx = malloc((count + 1) * sizeof *idx);
    if (!idx) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t r = 0; r < n && k < count; r++)
        if (f->action[r] == what) idx[k++] = r;
    lml_frame *out = lml_frame_take(rows, idx, k, err);
    free(idx);
    return out;
}

/* What the parallel phase prepared for one touched file; the actions are added afterwards in
 * file order, so the commit is the same whatever the thread count. */
typedef struct prepared {
    lml_dml_file *f;
    int counter;                /* number of the rewritten file */
    lml_frame *rows, *upd;      /* conformed to the schema after the operation */
    lml_frame *deleted, *pre;   /* change rows (feed enabled) */
    bool written;               /* copy-on-write: the new file */
    lml_delta_file out;
    bool has_dv;                /* deletion vectors: the new DV */
    lml_dv_descriptor desc;
    char *owned;
    lml_error err;
    bool failed;
} prepared;

typedef struct apply_job {
    lml_dml *d;
    prepared *p;
} apply_job;

/* Writes a deletion vector of every physical row of f not kept. */
static bool write_dv(lml_dml *d, prepared *pr, size_t nkeep, lml_error *err) {
    const lml_dml_file *f = pr->f;
    size_t n = lml_frame_num_rows(f->rows), ndel = f->nphys - nkeep, k = 0, j = 0;
    uint64_t *keep = malloc((nkeep + 1) * sizeof *keep), *del = malloc((ndel + 1) * sizeof *del);
    bool ok = keep && del;
    if (!ok) lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t r = 0; ok && r < n; r++)
        if (f->action[r] == LML_DML_KEEP) keep[k++] = f->pos[r];
    for (uint64_t r = 0, m = 0; ok && r < f->nphys; r++) {
        if (j < k && keep[j] == r) {
            j++;
            continue;
        }
        del[m++] = r;
    }
    ok = ok && lml_dv_write(d->root, del, ndel, &pr->desc, &pr->owned, err);
    pr->has_dv = ok;
    free(keep);
    free(del);
    return ok;
}

static bool prepare(lml_dml *d, prepared *pr, lml_error *err) {
    lml_dml_file *f = pr->f;
    size_t nkeep = lml_frame_num_rows(f->rows) - f->ndeleted - f->nupdated;
    bool ok = lml_delta_plan_conform(&d->plan, f->rows, &pr->rows, err) &&
              (!f->updated || lml_delta_plan_conform(&d->plan, f->updated, &pr->upd, err));
    if (ok && d->cdf && f->ndeleted) ok = (pr->deleted = rows_with(f, pr->rows, LML_DML_DELETE, f->ndeleted, err)) != NULL;
    if (ok && d->cdf && f->nupdated) ok = (pr->pre = rows_with(f, pr->rows, LML_DML_UPDATE, f->nupdated, err)) != NULL;
    if (!ok) return false;
    if (d->dv) return nkeep == 0 || write_dv(d, pr, nkeep, err);
    /* Copy-on-write: kept rows (and updated ones, unless they may move partition) in row order. */
    size_t nout = nkeep + (d->moves_rows ? 0 : f->nupdated);
    if (nout == 0) return true;
    lml_frame *out = d->moves_rows ? rows_with(f, pr->rows, LML_DML_KEEP, nkeep, err)
                                   : rewrite_rows(f, pr->rows, pr->upd, nout, err);
    ok = out && lml_delta_plan_write_one(&d->plan, out, false, pr->counter, &pr->out, err);
    pr->written = ok;
    lml_frame_free(out);
    return ok;
}

static void prepare_task(void *ctx, size_t i, int worker) {
    (void)worker;
    apply_job *j = ctx;
    if (!prepare(j->d, &j->p[i], &j->p[i].err)) j->p[i].failed = true;
}

/* Re-adds f under its path with the new deletion vector (§7.5). */
static bool add_dv(lml_dml *d, prepared *pr, lml_error *err) {
    const lml_dml_file *f = pr->f;
    if (!lml_delta_plan_remove(&d->plan, f->file, lml_delta_now_ms(), err)) return false;
    lml_delta_action *a = lml_delta_plan_push(&d->plan, LML_DA_ADD, err);
    bool ok = a && lml_delta_file_copy(f->file, &a->u.file, err);
    if (a && !ok) a->kind = LML_DA_NONE;
    if (!ok) return false;
    lml_delta_file *af = &a->u.file;
    const lml_dv_descriptor *x = &pr->desc;
    af->data_change = true;
    free(af->dv.path_or_inline);
    af->dv = (lml_delta_dv){.present = true, .storage_type = x->storage_type, .path_or_inline = pr->owned,
                            .has_offset = x->has_offset, .offset = x->offset, .size_in_bytes = x->size_in_bytes,
                            .cardinality = x->cardinality};
    pr->owned = NULL;
    char *st = loose_stats(af->stats, f->nphys, err);
    free(af->stats);
    af->stats = st;
    if (f->file->dv.present) d->dv_updated++;
    else d->dv_added++;
    return st != NULL;
}

/* The actions of one prepared file, in file order. */
static bool finish_file(lml_dml *d, prepared *pr, lml_error *err) {
    lml_dml_file *f = pr->f;
    size_t nkeep = lml_frame_num_rows(f->rows) - f->ndeleted - f->nupdated;
    d->rows_deleted += (int64_t)f->ndeleted;
    d->rows_updated += (int64_t)f->nupdated;
    bool ok = !d->cdf || (lml_dml_cdc_add(d, pr->deleted, "delete", err) &&
                          lml_dml_cdc_add(d, pr->pre, "update_preimage", err) &&
                          lml_dml_cdc_add(d, pr->upd, "update_postimage", err));
    if (ok && !d->dv) {
        d->rows_copied += (int64_t)nkeep;
        ok = lml_dml_remove_file(d, f->file, err) && (!pr->written || lml_delta_plan_push_file(&d->plan, &pr->out, false, err));
        pr->written = false;
        if (ok && d->moves_rows && pr->upd) ok = lml_delta_plan_add_rows(&d->plan, pr->upd, err);
    } else if (ok) {
        ok = pr->has_dv ? add_dv(d, pr, err) : lml_dml_remove_file(d, f->file, err);
        if (ok && pr->upd && f->nupdated) ok = lml_delta_plan_add_rows(&d->plan, pr->upd, err);
    }
    return ok;
}

static void prepared_clear(prepared *pr) {
    lml_frame_free(pr->rows);
    lml_frame_free(pr->upd);
    lml_frame_free(pr->deleted);
    lml_frame_free(pr->pre);
    if (pr->written) lml_delta_file_clear(&pr->out);
    free(pr->owned);
}

bool lml_dml_apply(lml_dml *d, lml_error *err) {
    int64_t t0 = lml_delta_now_ms();
    size_t n = 0;
    prepared *p = calloc(d->nfiles + 1, sizeof *p);
    if (!p) return lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t i = 0; i < d->nfiles; i++) {
        lml_dml_file *f = &d->files[i];
        if (!f->action || f->ndeleted + f->nupdated == 0) continue;
        p[n].f = f;
        p[n].counter = d->plan.counter++;
        n++;
    }
    /* The rewrites (or deletion vectors) of the touched files are independent: in parallel. */
    apply_job j = {.d = d, .p = p};
    if (n >= 2) lml_parallel_for(n, prepare_task, &j);
    else if (n == 1) prepare_task(&j, 0, 0);
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++)
        if (p[i].failed) {
            if (err) *err = p[i].err;
            ok = false;
        }
    for (size_t i = 0; ok && i < n; i++) ok = finish_file(d, &p[i], err);
    for (size_t i = 0; i < n; i++) {
        prepared_clear(&p[i]);
        /* Done with this file's rows. */
        lml_frame_free(p[i].f->rows);
        lml_frame_free(p[i].f->updated);
        p[i].f->rows = p[i].f->updated = NULL;
    }
    free(p);
    d->rewrite_ms += lml_delta_now_ms() - t0;
    return ok;
}

bool lml_dml_insert(lml_dml *d, const lml_frame *rows, lml_error *err) {
    if (!rows || lml_frame_num_rows(rows) == 0) return true;
    lml_frame *c = NULL;
    bool ok = lml_delta_plan_conform(&d->plan, rows, &c, err) && lml_delta_plan_add_rows(&d->plan, c, err) &&
              (!d->cdf || lml_dml_cdc_add(d, c, "insert", err));
    lml_frame_free(c);
    return ok;
}

bool lml_dml_finish(lml_dml *d, lml_error *err) {
    int64_t t0 = lml_delta_now_ms();
    bool ok = lml_delta_plan_flush(&d->plan, err) && lml_dml_cdc_flush(d, err);
    d->files_added = d->plan.files_added;
    d->bytes_added = d->plan.bytes_added;
    d->rewrite_ms += lml_delta_now_ms() - t0;
    return ok;
}

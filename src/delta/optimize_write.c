/* OPTIMIZE's rewriting (delta.md §11.1 steps 5–6): a bin's input files are read a row group at a
 * time (deletion vectors applied, as the streaming scan reads them) and appended to a streaming
 * Parquet writer whose row groups go to disk as they fill, while the output's statistics are
 * accumulated batch by batch; so memory is one input row group plus one output row group,
 * whatever the bin's size. Outputs are named and laid out as the writer does
 * (<partition dirs>/part-NNNNN-<uuid>-c000.snappy.parquet); adds and removes carry
 * dataChange=false (the rows do not change, only their files). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "../core/internal.h"
#include "../io/parquet/writer_internal.h"
#include "commit.h"
#include "optimize_internal.h"
#include "pvalue.h"
#include "write_internal.h"


static lml_delta_action *push(lml_opt_ctx *c, lml_delta_action_kind kind, lml_error *err) {
    return lml_delta_actions_push(&c->actions, &c->nactions, &c->cap, kind, err);
}

bool lml_opt_remove(lml_opt_ctx *c, const lml_delta_file *f, lml_error *err) {
    lml_delta_action *a = push(c, LML_DA_REMOVE, err);
    if (!a || !lml_delta_remove_of(a, f, c->now, false, err)) return false;
    if (f->dv.present) c->dvs_removed++;
    return true;
}

/* ---- outputs */

/* "col=value/…" for the partition values (Hive-escaped, null as __HIVE_DEFAULT_PARTITION__). */
static char *partition_dir(const lml_opt_ctx *c, const lml_delta_map *pv, lml_error *err) {
    const lml_delta_metadata *m = &c->t->state.metadata;
    lml_strbuf sb = {0};
    bool ok = true;
    for (size_t k = 0; ok && k < m->npartition; k++) {
        const char *v = lml_delta_map_get(pv, m->partition_columns[k], NULL);
        char *en = lml_delta_hive_escape(m->partition_columns[k], err);
        char *ev = v && *v ? lml_delta_hive_escape(v, err) : NULL;
        ok = en && (!(v && *v) || ev);
        if (ok) lml_strbuf_printf(&sb, "%s=%s/", en, ev ? ev : "__HIVE_DEFAULT_PARTITION__");
        free(en);
        free(ev);
    }
    if (!ok) {
        lml_strbuf_free(&sb);
        return NULL;
    }
    if (!sb.data && !sb.failed) return lml_strdup("", err);
    return lml_strbuf_finish(&sb, err);
}

bool lml_opt_out_open(lml_opt_ctx *c, const lml_delta_map *pv, size_t row_group_size, lml_opt_out *o, lml_error *err) {
    memset(o, 0, sizeof *o);
    char *dir = partition_dir(c, pv, err);
    if (!dir) return false;
    char uuid[37];
    lml_delta_uuid(uuid);
    lml_strbuf rel = {0}, full = {0}, d = {0};
    lml_strbuf_printf(&rel, "%spart-%05d-%s-c000.snappy.parquet", dir, c->counter++, uuid);
    o->rel = lml_strbuf_finish(&rel, err);
    if (o->rel) lml_strbuf_printf(&full, "%s/%s", c->root, o->rel);
    o->full = o->rel ? lml_strbuf_finish(&full, err) : NULL;
    bool ok = o->full != NULL;
    if (ok && *dir) {
        lml_strbuf_printf(&d, "%s/%s", c->root, dir);
        char *dp = lml_strbuf_finish(&d, err);
        ok = dp && lml_delta_mkdirs(dp, err);
        free(dp);
    }
    free(dir);
    lml_parquet_write_options wo = {.codec = LML_PARQUET_SNAPPY, .row_group_size = row_group_size};
    if (ok) ok = (o->w = lml_parquet_writer_open(o->full, &wo, err)) != NULL;
    if (ok) ok = (o->stats = lml_delta_stats_acc_new(&c->t->schema, c->indexed, false, err)) != NULL;
    if (!ok) lml_opt_out_abort(o);
    return ok;
}

bool lml_opt_out_write(lml_opt_out *o, const lml_frame *f, lml_error *err) {
    return lml_delta_stats_acc_add(o->stats, f, err) && lml_parquet_writer_write(o->w, f, err);
}

void lml_opt_out_abort(lml_opt_out *o) {
    lml_parquet_writer_abort(o->w);
    lml_delta_stats_acc_free(o->stats);
    free(o->rel);
    free(o->full);
    memset(o, 0, sizeof *o);
}

bool lml_opt_out_close(lml_opt_ctx *c, lml_opt_out *o, const lml_delta_map *pv, lml_error *err) {
    size_t rows = lml_delta_stats_acc_rows(o->stats);
    if (!o->w || rows == 0) { /* every input row was deleted: nothing to add */
        lml_opt_out_abort(o);
        return true;
    }
    lml_parquet_writer *w = o->w;
    o->w = NULL;
    bool ok = lml_parquet_writer_close(w, err);
    struct stat st;
    if (ok && stat(o->full, &st) != 0) ok = lml_error_set(err, LML_EIO, "cannot stat %s: %s", o->full, strerror(errno));
    lml_delta_action *a = ok ? push(c, LML_DA_ADD, err) : NULL;
    if ((ok = a != NULL)) {
        lml_delta_file *af = &a->u.file;
        af->data_change = false;
        af->has_partition_values = af->has_size = true;
        af->size = (int64_t)st.st_size;
        af->modification_time = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
        af->num_records = (int64_t)rows;
        ok = (af->path = lml_delta_uri_encode_path(o->rel, err)) && lml_delta_map_copy(pv, &af->partition_values, err) &&
             (af->stats = lml_delta_stats_acc_json(o->stats, err));
    }
    lml_opt_out_abort(o);
    return ok;
}

/* ---- reading */

const char **lml_opt_data_columns(const lml_delta_table *t, lml_error *err) {
    const lml_delta_metadata *m = &t->state.metadata;
    const char **names = calloc(t->schema.nfields + 1, sizeof *names);
    if (!names) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < t->schema.nfields; i++) {
        bool part = false;
        for (size_t k = 0; k < m->npartition && !part; k++)
            part = strcasecmp(m->partition_columns[k], t->schema.fields[i].name) == 0;
        if (!part) names[n++] = t->schema.fields[i].name;
    }
    return names;
}

/* Row group rg of an open file as table columns, deletion vector applied. */
static lml_frame *read_group(const lml_delta_scan_spec *s, const lml_delta_file_reader *r, size_t rg, size_t row0,
                             lml_error *err) {
    size_t rows = (size_t)lml_parquet_row_group_num_rows(r->pf, rg), kept = 0;
    lml_frame *fr = NULL;
    if (r->nread) {
        lml_parquet_read_options ro = {.columns = r->names, .row_groups = &rg, .num_row_groups = 1};
        if (!(fr = lml_parquet_file_read(r->pf, &ro, err))) return NULL;
    }
    lml_column **cols = lml_delta_file_columns(s, r, fr, row0, rows, &kept, err);
    lml_frame_free(fr);
    return cols ? lml_delta_scan_frame(s, cols, err) : NULL;
}

bool lml_opt_stream(const lml_opt_ctx *c, const lml_delta_file *const *files, size_t n, const char *const *columns,
                    lml_opt_piece_fn fn, void *ctx, lml_error *err) {
    const char **all = columns ? NULL : lml_opt_data_columns(c->t, err);
    if (!columns && !all) return false;
    lml_delta_read_options ro = {.columns = columns ? columns : all};
    lml_delta_scan_spec spec;
    bool ok = lml_delta_scan_spec_init(&spec, c->t, &ro, err);
    free(all);
    if (!ok) return false;
    for (size_t i = 0; ok && i < n; i++) {
        lml_delta_file_reader r;
        memset(&r, 0, sizeof r);
        ok = lml_delta_file_reader_open(&spec, files[i], &r, err);
        size_t row0 = 0;
        for (size_t rg = 0; ok && rg < lml_parquet_num_row_groups(r.pf); rg++) {
            lml_frame *piece = read_group(&spec, &r, rg, row0, err);
            row0 += (size_t)lml_parquet_row_group_num_rows(r.pf, rg);
            ok = piece && fn(ctx, piece, err);
            lml_frame_free(piece);
        }
        lml_delta_file_reader_close(&r);
    }
    lml_delta_scan_spec_clear(&spec);
    return ok;
}

/* ---- bin-packing */

static bool to_out(void *ctx, const lml_frame *piece, lml_error *err) {
    return lml_frame_num_rows(piece) == 0 || lml_opt_out_write(ctx, piece, err);
}

bool lml_opt_compact_bin(lml_opt_ctx *c, const lml_opt_bin *b, lml_error *err) {
    const lml_delta_map *pv = &b->files[0]->partition_values;
    lml_opt_out o;
    if (!lml_opt_out_open(c, pv, LML_OPT_ROW_GROUP_BUDGET, &o, err)) return false;
    if (!lml_opt_stream(c, b->files, b->nfiles, NULL, to_out, &o, err)) {
        lml_opt_out_abort(&o);
        return false;
    }
    if (!lml_opt_out_close(c, &o, pv, err)) return false;
    for (size_t i = 0; i < b->nfiles; i++)
        if (!lml_opt_remove(c, b->files[i], err)) return false;
    return true;
}

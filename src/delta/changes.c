/* table_changes (delta.md §14, Spark's CDCReader): the version range from versions or
 * timestamps, the check that the feed was on for every version of it, and for each commit the
 * changes its actions stand for — its change-data files when it has any, else the files it
 * added (inserts) and removed (deletes) with dataChange, a file re-added with another deletion
 * vector giving the rows whose marks changed. Reading the rows is changes_read.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "../core/internal.h"
#include "changes_internal.h"
#include "pvalue.h"

/* ---- the range */

static bool cdf_enabled(const lml_delta_metadata *m) {
    const char *v = lml_delta_map_get(&m->configuration, "delta.enableChangeDataFeed", NULL);
    return v && strcasecmp(v, "true") == 0;
}

static bool missing_change_data(const char *root, int64_t start, int64_t end, int64_t v, lml_error *err) {
    return lml_error_set(err, LML_EINVAL,
                         "%s: Error getting change data for range [%lld , %lld] as change data was not recorded for "
                         "version [%lld]. If you've enabled change data feed on this table, use `DESCRIBE HISTORY` to "
                         "see when it was first enabled. Otherwise, to start recording change data, use `ALTER TABLE "
                         "table_name SET TBLPROPERTIES (delta.enableChangeDataFeed=true)`. (DELTA_MISSING_CHANGE_DATA)",
                         root, (long long)start, (long long)end, (long long)v);
}

/* startingTimestamp: the first commit at or after it (Spark's getStartingVersionFromTimestamp;
 * a time before the first commit means the first). */
static bool start_from_time(const lml_delta_table *t, const int64_t *ts, int64_t from, const char *text,
                            int64_t *version, lml_error *err) {
    int64_t us;
    if (!lml_delta_parse_time("startingTimestamp", text, &us, err)) return false;
    for (int64_t v = from; v <= t->latest; v++)
        if (ts[v - from] != INT64_MIN && ts[v - from] * 1000 >= us) {
            *version = v;
            return true;
        }
    return lml_error_set(err, LML_ENOTFOUND,
                         "%s: the provided timestamp (%s) is after the latest version available to this table; use a "
                         "timestamp before or at the latest commit (DELTA_TIMESTAMP_GREATER_THAN_COMMIT)",
                         t->log.root, text);
}

/* endingTimestamp: the last commit at or before it, the latest when it is after every commit. */
static bool end_from_time(const lml_delta_table *t, const int64_t *ts, int64_t from, const char *text,
                          int64_t *version, lml_error *err) {
    int64_t us;
    if (!lml_delta_parse_time("endingTimestamp", text, &us, err)) return false;
    int64_t best = -1;
    for (int64_t v = from; v <= t->latest; v++)
        if (ts[v - from] != INT64_MIN && ts[v - from] * 1000 <= us) best = v;
    if (best < 0)
        return lml_error_set(err, LML_ENOTFOUND,
                             "%s: the provided timestamp (%s) is before the earliest version available to this table "
                             "(DELTA_TIMESTAMP_EARLIER_THAN_COMMIT_RETENTION)",
                             t->log.root, text);
    *version = best;
    return true;
}

/* ---- one commit */

typedef struct commit_actions {
    lml_delta_action *v;
    size_t n, cap;
    bool disables_cdf; /* a metaData action without the feed */
} commit_actions;

static bool collect(void *ctx, lml_delta_action *a, lml_error *err) {
    commit_actions *c = ctx;
    if (a->kind == LML_DA_METADATA) {
        c->disables_cdf |= !cdf_enabled(&a->u.metadata);
        return true;
    }
    if (a->kind != LML_DA_ADD && a->kind != LML_DA_REMOVE && a->kind != LML_DA_CDC) return true;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        lml_delta_action *g = realloc(c->v, cap * sizeof *g);
        if (!g) return lml_error_set(err, LML_ENOMEM, "table_changes: out of memory");
        c->v = g;
        c->cap = cap;
    }
    c->v[c->n++] = *a; /* moved: the caller clears only what is left in a */
    memset(a, 0, sizeof *a);
    return true;
}

static void actions_clear(commit_actions *c) {
    for (size_t i = 0; i < c->n; i++) lml_delta_action_clear(&c->v[i]);
    free(c->v);
}

/* The other action of the commit for the same path (a remove for an add, an add for a remove). */
static const lml_delta_file *partner(const commit_actions *c, size_t i) {
    lml_delta_action_kind want = c->v[i].kind == LML_DA_ADD ? LML_DA_REMOVE : LML_DA_ADD;
    for (size_t k = 0; k < c->n; k++)
        if (c->v[k].kind == want && c->v[k].u.file.data_change && strcmp(c->v[k].u.file.path, c->v[i].u.file.path) == 0)
            return &c->v[k].u.file;
    return NULL;
}

static bool same_dv(const lml_delta_dv *a, const lml_delta_dv *b) {
    if (a->present != b->present) return false;
    if (!a->present) return true;
    return a->storage_type == b->storage_type && strcmp(a->path_or_inline, b->path_or_inline) == 0 &&
           a->has_offset == b->has_offset && (!a->has_offset || a->offset == b->offset);
}

static bool commit_changes(lml_changes *out, const commit_actions *c, int64_t v, int64_t ts, lml_error *err) {
    bool has_cdc = false;
    for (size_t i = 0; i < c->n; i++) has_cdc |= c->v[i].kind == LML_DA_CDC;
    bool ok = true;
    for (size_t i = 0; ok && i < c->n; i++) {
        const lml_delta_file *f = &c->v[i].u.file;
        if (has_cdc) {
            if (c->v[i].kind == LML_DA_CDC) ok = lml_changes_add_cdc(out, f, v, ts, err);
            continue;
        }
        if (c->v[i].kind == LML_DA_CDC || !f->data_change) continue;
        const lml_delta_file *p = partner(c, i);
        if (c->v[i].kind == LML_DA_REMOVE) {
            if (!p) ok = lml_changes_add_rows(out, f, &f->dv, NULL, "delete", v, ts, err);
            continue; /* a re-added file is handled at its add */
        }
        if (!p) {
            ok = lml_changes_add_rows(out, f, &f->dv, NULL, "insert", v, ts, err);
        } else if (!same_dv(&f->dv, &p->dv)) {
            /* The same file with another deletion vector: rows it newly marks were deleted, rows
             * it no longer marks (a RESTORE) came back. */
            if (f->dv.present) ok = lml_changes_add_rows(out, f, &p->dv, &f->dv, "delete", v, ts, err);
            if (ok && p->dv.present) ok = lml_changes_add_rows(out, f, &f->dv, &p->dv, "insert", v, ts, err);
        }
    }
    return ok;
}

/* ---- the read */

typedef struct tables {
    lml_delta_table *latest, *start, *end;
} tables;

static const lml_delta_commit_file *commit_of(const lml_delta_log *log, int64_t v) {
    for (size_t i = 0; i < log->ncommits; i++)
        if (log->commits[i].version == v) return &log->commits[i];
    return NULL;
}

static bool resolve_range(const char *path, const lml_delta_changes_options *o, tables *t, int64_t **ts,
                          int64_t *from, int64_t *start, int64_t *end, lml_error *err) {
    if (!(t->latest = lml_delta_table_open(path, NULL, err))) return false;
    lml_delta_table *l = t->latest;
    *from = lml_delta_log_earliest(&l->log);
    if (*from < 0) *from = 0;
    if (!(*ts = calloc((size_t)(l->latest - *from + 1), sizeof **ts)))
        return lml_error_set(err, LML_ENOMEM, "table_changes: out of memory");
    if (!lml_delta_commit_timestamps(l, *from, l->latest, *ts, err)) return false;
    if (o->starting_timestamp) {
        if (!start_from_time(l, *ts, *from, o->starting_timestamp, start, err)) return false;
    } else {
        *start = o->starting_version;
    }
    *end = l->latest;
    if (o->ending_timestamp) {
        if (!end_from_time(l, *ts, *from, o->ending_timestamp, end, err)) return false;
    } else if (o->has_ending_version && o->ending_version < l->latest) {
        *end = o->ending_version;
    }
    if (*start < 0)
        return lml_error_set(err, LML_EINVAL, "%s: startingVersion %lld is negative", l->log.root, (long long)*start);
    if (*start > l->latest)
        return lml_error_set(err, LML_ENOTFOUND,
                             "%s: Provided Start version(%lld) for reading change data is invalid. Start version cannot "
                             "be greater than the latest version of the table(%lld).",
                             l->log.root, (long long)*start, (long long)l->latest);
    if (*end < *start)
        return lml_error_set(err, LML_EINVAL,
                             "%s: CDC range from start %lld to end %lld was invalid. End cannot be before start. "
                             "(DELTA_INVALID_CDC_RANGE)",
                             l->log.root, (long long)*start, (long long)*end);
    /* The feed must be on at the start (the snapshot of the first version read); later versions
     * are checked as their metaData actions are met. */
    lml_delta_open_options so = {.has_version = true, .version = *start};
    if (!(t->start = lml_delta_table_open(path, &so, err))) return false;
    if (!cdf_enabled(&t->start->state.metadata)) return missing_change_data(l->log.root, *start, *end, *start, err);
    if (*end == l->latest) return true;
    lml_delta_open_options eo = {.has_version = true, .version = *end};
    return (t->end = lml_delta_table_open(path, &eo, err)) != NULL;
}

lml_frame *lml_delta_table_changes(const char *path, const lml_delta_changes_options *opt, lml_error *err) {
    if (!path || !opt) {
        lml_error_set(err, LML_EINVAL, "lml_delta_table_changes: %s is NULL", path ? "opt" : "path");
        return NULL;
    }
    tables t = {0};
    int64_t *ts = NULL, from = 0, start = 0, end = 0;
    lml_delta_scan_spec spec;
    memset(&spec, 0, sizeof spec);
    lml_changes out = {.spec = &spec};
    lml_frame *f = NULL;
    bool ok = resolve_range(path, opt, &t, &ts, &from, &start, &end, err);
    /* Rows are read with the end version's schema. */
    lml_delta_read_options all = {0};
    if (ok) ok = lml_delta_scan_spec_init(&spec, t.end ? t.end : t.latest, &all, err);
    for (int64_t v = start; ok && v <= end; v++) {
        const lml_delta_commit_file *cf = commit_of(&t.latest->log, v);
        if (!cf) {
            ok = lml_error_set(err, LML_ENOTFOUND,
                               "%s: the commit of version %lld is no longer in the log (cleaned up); change data "
                               "between versions %lld and %lld cannot be read",
                               t.latest->log.root, (long long)v, (long long)start, (long long)end);
            break;
        }
        commit_actions c = {0};
        ok = lml_delta_commit_read(t.latest->st, cf->path, collect, &c, err);
        if (ok && c.disables_cdf) ok = missing_change_data(t.latest->log.root, start, end, v, err);
        if (ok) ok = commit_changes(&out, &c, v, ts[v - from], err);
        actions_clear(&c);
    }
    if (ok) f = lml_changes_frame(&out, err);
    lml_changes_clear(&out);
    lml_delta_scan_spec_clear(&spec);
    free(ts);
    lml_delta_table_free(t.latest);
    lml_delta_table_free(t.start);
    lml_delta_table_free(t.end);
    return f;
}

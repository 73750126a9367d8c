/* Listing _delta_log and choosing the files that rebuild a version (delta.md §4.1). The listing
 * is authoritative: _last_checkpoint is only a hint for stores where listing is expensive, and a
 * local listing is cheap, so a stale, empty or corrupt _last_checkpoint can never mislead a read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/internal.h"
#include "log.h"

/* 20 decimal digits at s → *v (the zero padding makes name order = version order). */
static bool digits(const char *s, size_t n, int64_t *v) {
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        if (x > (UINT64_MAX - 9) / 10) return false;
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    if (x > INT64_MAX) return false;
    *v = (int64_t)x;
    return true;
}

typedef enum { NAME_OTHER, NAME_COMMIT, NAME_CHECKPOINT } name_kind;

static name_kind classify(const char *name, int64_t *version, lml_delta_cp_kind *kind, int *part, int *parts) {
    size_t n = strlen(name);
    if (n < 25 || !digits(name, 20, version) || name[20] != '.') return NAME_OTHER;
    const char *rest = name + 21;
    if (strcmp(rest, "json") == 0) return NAME_COMMIT;
    if (strncmp(rest, "checkpoint.", 11) != 0) return NAME_OTHER;
    rest += 11;
    if (strcmp(rest, "parquet") == 0) {
        *kind = LML_CP_CLASSIC;
        return NAME_CHECKPOINT;
    }
    int64_t p, t;
    if (strlen(rest) == 29 && digits(rest, 10, &p) && rest[10] == '.' && digits(rest + 11, 10, &t) &&
        strcmp(rest + 21, ".parquet") == 0) {
        if (p < 1 || t < 1 || p > t || t > 1000000) return NAME_OTHER;
        *kind = LML_CP_MULTIPART;
        *part = (int)p;
        *parts = (int)t;
        return NAME_CHECKPOINT;
    }
    const char *dot = strchr(rest, '.');
    if (dot && dot > rest && !strchr(dot + 1, '.')) {
        if (strcmp(dot + 1, "json") == 0) *kind = LML_CP_V2_JSON;
        else if (strcmp(dot + 1, "parquet") == 0) *kind = LML_CP_V2_PARQUET;
        else return NAME_OTHER;
        return NAME_CHECKPOINT;
    }
    return NAME_OTHER;
}

static char *join(const char *a, const char *b, lml_error *err) {
    lml_strbuf sb = {0};
    lml_strbuf_printf(&sb, "%s/%s", a, b);
    return lml_strbuf_finish(&sb, err);
}

bool lml_delta_log_list(const lml_storage *st, const char *root, lml_delta_log *out, lml_error *err) {
    memset(out, 0, sizeof *out);
    size_t rl = strlen(root);
    while (rl > 1 && root[rl - 1] == '/') rl--; /* "t/" and "t" are the same table */
    lml_storage_entry *es = NULL;
    size_t n = 0;
    bool ok = (out->root = strndup(root, rl)) != NULL;
    if (!ok) return lml_error_set(err, LML_ENOMEM, "out of memory");
    if (!(out->log_dir = join(out->root, "_delta_log", err))) goto fail;
    if (!st->list(st, out->log_dir, &es, &n, err)) {
        if (err && err->code == LML_ENOTFOUND)
            lml_error_set(err, LML_ENOTFOUND, "%s is not a Delta table (no _delta_log directory)", out->root);
        goto fail;
    }
    out->commits = calloc(n + 1, sizeof *out->commits);
    out->checkpoints = calloc(n + 1, sizeof *out->checkpoints);
    if (!out->commits || !out->checkpoints) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t v;
        lml_delta_cp_kind kind = LML_CP_CLASSIC;
        int part = 1, parts = 1;
        if (es[i].is_dir) continue;
        name_kind nk = classify(es[i].name, &v, &kind, &part, &parts);
        if (nk == NAME_COMMIT) {
            lml_delta_commit_file *c = &out->commits[out->ncommits];
            if (!(c->path = join(out->log_dir, es[i].name, err))) goto fail;
            c->version = v;
            c->mtime_ms = es[i].mtime_ms;
            c->size = es[i].size;
            out->ncommits++;
        } else if (nk == NAME_CHECKPOINT) {
            struct lml_delta_cp *c = &out->checkpoints[out->ncheckpoints];
            if (!(c->path = join(out->log_dir, es[i].name, err))) goto fail;
            c->version = v;
            c->kind = kind;
            c->part = part;
            c->parts = parts;
            c->size = es[i].size;
            out->ncheckpoints++;
        }
    }
    lml_storage_entries_free(es, n);
    if (out->ncommits == 0 && out->ncheckpoints == 0) {
        lml_error_set(err, LML_ENOTFOUND, "%s is not a Delta table (_delta_log holds no commit)", out->root);
        lml_delta_log_clear(out);
        return false;
    }
    return true;
fail:
    lml_storage_entries_free(es, n);
    lml_delta_log_clear(out);
    return false;
}

void lml_delta_log_clear(lml_delta_log *log) {
    for (size_t i = 0; i < log->ncommits; i++) free(log->commits[i].path);
    for (size_t i = 0; i < log->ncheckpoints; i++) free(log->checkpoints[i].path);
    free(log->commits);
    free(log->checkpoints);
    free(log->root);
    free(log->log_dir);
    memset(log, 0, sizeof *log);
}

/* Index of a complete checkpoint at exactly version v (the first part for multi-part), or -1.
 * A 0-byte file is incomplete (a writer died); a multi-part checkpoint needs all its parts. */
static long complete_checkpoint(const lml_delta_log *log, int64_t v) {
    for (size_t i = 0; i < log->ncheckpoints; i++) {
        const struct lml_delta_cp *c = &log->checkpoints[i];
        if (c->version != v || c->size == 0) continue;
        if (c->kind != LML_CP_MULTIPART) return (long)i;
        if (c->part != 1) continue;
        int found = 0;
        for (size_t j = 0; j < log->ncheckpoints; j++) {
            const struct lml_delta_cp *d = &log->checkpoints[j];
            found += d->version == v && d->kind == LML_CP_MULTIPART && d->parts == c->parts && d->size > 0;
        }
        if (found == c->parts) return (long)i;
    }
    return -1;
}

static bool has_commit(const lml_delta_log *log, int64_t v) {
    size_t lo = 0, hi = log->ncommits;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (log->commits[mid].version < v) lo = mid + 1;
        else hi = mid;
    }
    return lo < log->ncommits && log->commits[lo].version == v;
}

int64_t lml_delta_log_latest(const lml_delta_log *log) {
    int64_t v = log->ncommits ? log->commits[log->ncommits - 1].version : -1;
    for (size_t i = 0; i < log->ncheckpoints; i++)
        if (log->checkpoints[i].version > v && complete_checkpoint(log, log->checkpoints[i].version) >= 0)
            v = log->checkpoints[i].version;
    return v;
}

int64_t lml_delta_log_earliest(const lml_delta_log *log) {
    if (has_commit(log, 0)) return 0;
    for (size_t i = 0; i < log->ncheckpoints; i++)
        if (complete_checkpoint(log, log->checkpoints[i].version) >= 0) return log->checkpoints[i].version;
    return -1;
}

bool lml_delta_log_segment(const lml_delta_log *log, int64_t version, lml_delta_segment *seg, lml_error *err) {
    memset(seg, 0, sizeof *seg);
    int64_t latest = lml_delta_log_latest(log), earliest = lml_delta_log_earliest(log);
    if (version < 0 || version > latest || earliest < 0 || version < earliest)
        return lml_error_set(err, LML_ENOTFOUND,
                             "%s: Cannot time travel Delta table to version %lld. Available versions: [%lld, %lld].",
                             log->root, (long long)version, (long long)(earliest < 0 ? 0 : earliest), (long long)latest);
    long cp = -1;
    for (size_t i = log->ncheckpoints; i-- > 0 && cp < 0;)
        if (log->checkpoints[i].version <= version) cp = complete_checkpoint(log, log->checkpoints[i].version);
    seg->version = version;
    seg->checkpoint_version = cp >= 0 ? log->checkpoints[cp].version : -1;
    if (cp >= 0) {
        const struct lml_delta_cp *c = &log->checkpoints[cp];
        size_t parts = c->kind == LML_CP_MULTIPART ? (size_t)c->parts : 1;
        seg->checkpoint_kind = c->kind;
        if (!(seg->checkpoint_files = calloc(parts, sizeof *seg->checkpoint_files)))
            return lml_error_set(err, LML_ENOMEM, "out of memory");
        seg->ncheckpoint_files = parts;
        if (parts == 1) seg->checkpoint_files[0] = c->path;
        for (size_t j = 0; parts > 1 && j < log->ncheckpoints; j++) {
            const struct lml_delta_cp *d = &log->checkpoints[j];
            if (d->version == c->version && d->kind == LML_CP_MULTIPART && d->parts == c->parts && d->size > 0)
                seg->checkpoint_files[d->part - 1] = d->path;
        }
    }
    /* Commits after the checkpoint, up to the version, without a gap. */
    size_t first = 0;
    while (first < log->ncommits && log->commits[first].version <= seg->checkpoint_version) first++;
    int64_t want = seg->checkpoint_version + 1;
    size_t k = first;
    for (; want <= version; want++, k++)
        if (k >= log->ncommits || log->commits[k].version != want) {
            lml_delta_segment_clear(seg);
            return lml_error_set(err, LML_EFORMAT,
                                 "%s: versions are not contiguous: commit %lld is missing from _delta_log "
                                 "(DELTA_VERSIONS_NOT_CONTIGUOUS), so version %lld cannot be rebuilt",
                                 log->root, (long long)want, (long long)version);
        }
    seg->commits = log->commits + first;
    seg->ncommits = k - first;
    return true;
}

void lml_delta_segment_clear(lml_delta_segment *seg) {
    free(seg->checkpoint_files);
    memset(seg, 0, sizeof *seg);
}

/* Commit timestamps and timestampAsOf (delta.md §9): in-commit timestamps where the table turned
 * them on, otherwise each commit file's modification time, made strictly increasing as Spark's
 * DeltaHistoryManager does; the answer is the latest version at or before the asked time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvalue.h"
#include "table.h"

typedef struct ict_ctx {
    bool has;
    int64_t ts;
} ict_ctx;

static bool find_ict(void *ctx, lml_delta_action *a, lml_error *err) {
    (void)err;
    ict_ctx *c = ctx;
    if (a->kind == LML_DA_COMMIT_INFO && a->u.commit_info.has_ict && !c->has) {
        c->has = true;
        c->ts = a->u.commit_info.in_commit_timestamp;
    }
    return true;
}

static const lml_delta_commit_file *commit_of(const lml_delta_log *log, int64_t v) {
    for (size_t i = 0; i < log->ncommits; i++)
        if (log->commits[i].version == v) return &log->commits[i];
    return NULL;
}

bool lml_delta_commit_timestamps(const lml_delta_table *t, int64_t from, int64_t to, int64_t *ts, lml_error *err) {
    const lml_delta_map *conf = &t->state.metadata.configuration;
    const char *on = lml_delta_map_get(conf, "delta.enableInCommitTimestamps", NULL);
    const char *since = lml_delta_map_get(conf, "delta.inCommitTimestampEnablementVersion", NULL);
    bool ict = on && strcmp(on, "true") == 0;
    int64_t ict_from = since ? strtoll(since, NULL, 10) : 0;
    int64_t prev = INT64_MIN;
    for (int64_t v = from; v <= to; v++) {
        const lml_delta_commit_file *c = commit_of(&t->log, v);
        int64_t *out = &ts[v - from];
        *out = INT64_MIN;
        if (!c) continue;
        if (ict && v >= ict_from) {
            ict_ctx ic = {0};
            if (!lml_delta_commit_read(t->st, c->path, find_ict, &ic, err)) return false;
            if (ic.has) {
                *out = ic.ts;
                continue;
            }
        }
        /* File times can tie or go backwards (coarse clocks, copies): each commit is at least
         * 1 ms after the one before, as Spark adjusts them. */
        *out = c->mtime_ms <= prev ? prev + 1 : c->mtime_ms;
        prev = *out;
    }
    return true;
}

bool lml_delta_parse_time(const char *what, const char *text, int64_t *us, lml_error *err) {
    lml_value v;
    lml_error e2 = {0};
    if (lml_delta_pvalue_parse(text, LML_TIMESTAMP, 0, 0, &v, &e2) && !v.is_null) {
        *us = v.v.i64;
        return true;
    }
    if (lml_delta_pvalue_parse(text, LML_DATE, 0, 0, &v, &e2) && !v.is_null) {
        *us = (int64_t)v.v.i32 * 86400000000LL;
        return true;
    }
    return lml_error_set(err, LML_EINVAL, "%s '%s' is not a date or timestamp (yyyy-MM-dd[ HH:mm:ss[.ffffff]] or ISO-8601)",
                         what, text);
}

static void format_ms(int64_t ms, char *buf, size_t cap) {
    lml_value v = {.type = LML_TIMESTAMP, .v.i64 = ms * 1000};
    lml_error e = {0};
    char *s = lml_delta_pvalue_format(&v, &e);
    snprintf(buf, cap, "%s", s ? s : "?");
    free(s);
}

bool lml_delta_version_at(const lml_delta_table *t, const char *text, int64_t *version, lml_error *err) {
    int64_t us = 0;
    if (!lml_delta_parse_time("timestampAsOf", text, &us, err)) return false;
    int64_t from = lml_delta_log_earliest(&t->log), to = t->latest;
    if (from < 0 || to < from) return lml_error_set(err, LML_ENOTFOUND, "%s: no commit to time travel to", t->log.root);
    int64_t *ts = calloc((size_t)(to - from + 1), sizeof *ts);
    if (!ts) return lml_error_set(err, LML_ENOMEM, "out of memory");
    bool ok = lml_delta_commit_timestamps(t, from, to, ts, err);
    int64_t first = INT64_MIN, last = INT64_MIN, best = -1;
    for (int64_t v = from; ok && v <= to; v++) {
        int64_t x = ts[v - from];
        if (x == INT64_MIN) continue;
        if (first == INT64_MIN) first = x;
        last = x;
        if (x * 1000 <= us) best = v; /* the latest version at or before the time */
    }
    free(ts);
    if (!ok) return false;
    char asked[48], bound[48];
    snprintf(asked, sizeof asked, "%s", text);
    if (first == INT64_MIN) return lml_error_set(err, LML_ENOTFOUND, "%s: no commit to time travel to", t->log.root);
    if (us < first * 1000 || best < 0) {
        format_ms(first, bound, sizeof bound);
        return lml_error_set(err, LML_ENOTFOUND,
                             "%s: the provided timestamp (%s) is before the earliest version available to this table "
                             "(%s) (DELTA_TIMESTAMP_EARLIER_THAN_COMMIT_RETENTION)",
                             t->log.root, asked, bound);
    }
    if (us > last * 1000 + 999) {
        format_ms(last, bound, sizeof bound);
        return lml_error_set(err, LML_ENOTFOUND,
                             "%s: the provided timestamp (%s) is after the latest version available to this table "
                             "(%s); use a timestamp before or at it (DELTA_TIMESTAMP_GREATER_THAN_COMMIT)",
                             t->log.root, asked, bound);
    }
    *version = best;
    return true;
}

/* Which files and directories VACUUM deletes (delta.md §12, Spark's VacuumCommand.gc in FULL
 * mode): the paths the retained state still needs are protected, everything else under the root
 * that is older than the cutoff goes, and so do directories that hold nothing old. The listing
 * skips hidden names the way Spark's DeltaTableUtils.isHiddenDirectory does, so _delta_log (and
 * anything else starting with '_' or '.') is never even looked at. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/internal.h"
#include "dv.h"
#include "pvalue.h"
#include "vacuum_internal.h"

/* ---- a sorted set of strings */

typedef struct strset {
    char **v;
    size_t n, cap;
} strset;

static bool set_add(strset *s, const char *text, size_t len, lml_error *err) {
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        char **g = realloc(s->v, cap * sizeof *g);
        if (!g) return lml_error_set(err, LML_ENOMEM, "vacuum: out of memory");
        s->v = g;
        s->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy) return lml_error_set(err, LML_ENOMEM, "vacuum: out of memory");
    memcpy(copy, text, len);
    copy[len] = 0;
    s->v[s->n++] = copy;
    return true;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void set_seal(strset *s) {
    if (s->n) qsort(s->v, s->n, sizeof *s->v, cmp_str);
}

static bool set_has(const strset *s, const char *key) {
    return s->n && bsearch(&key, s->v, s->n, sizeof *s->v, cmp_str) != NULL;
}

static void set_free(strset *s) {
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
}

/* rel and every directory above it ("a/b/c" → "a/b/c", "a/b", "a"). */
static bool add_with_parents(strset *s, const char *rel, bool self, lml_error *err) {
    size_t len = strlen(rel);
    if (self && !set_add(s, rel, len, err)) return false;
    for (size_t i = len; i-- > 0;)
        if (rel[i] == '/' && i > 0 && !set_add(s, rel, i, err)) return false;
    return true;
}

/* ---- the protected paths */

/* A log path (URI-encoded, relative or absolute) as a path relative to the root, or NULL with
 * no error when it lies outside the table (Spark ignores those: shallow clones). */
static char *relative_path(const char *log_path, const char *root_abs, bool *outside, lml_error *err) {
    *outside = false;
    char *dec = lml_delta_uri_decode(log_path, err);
    if (!dec) return NULL;
    const char *p = dec;
    bool absolute = false;
    if (strncmp(p, "file:", 5) == 0) {
        p += 5;
        if (strncmp(p, "//", 2) == 0) p += 2; /* file:///x: the authority is empty */
        absolute = true;
    } else if (p[0] == '/') {
        absolute = true;
    } else {
        size_t scheme = strcspn(p, ":/");
        if (p[scheme] == ':' && scheme > 0) { /* s3://…: not under a local root */
            free(dec);
            *outside = true;
            return NULL;
        }
    }
    if (absolute) {
        size_t rl = strlen(root_abs);
        if (strncmp(p, root_abs, rl) != 0 || p[rl] != '/') {
            free(dec);
            *outside = true;
            return NULL;
        }
        p += rl + 1;
    }
    while (p[0] == '.' && p[1] == '/') p += 2;
    char *rel = lml_strdup(p, err);
    free(dec);
    return rel;
}

static bool protect_path(strset *valid, const char *log_path, const char *root_abs, lml_error *err) {
    bool outside;
    char *rel = relative_path(log_path, root_abs, &outside, err);
    if (!rel) return outside;
    bool ok = add_with_parents(valid, rel, true, err);
    free(rel);
    return ok;
}

/* The deletion-vector file of an add or tombstone. Spark protects only 'u' DVs ('p' ones are
 * "never relative to the table"); an absolute DV path that does lie under the root is protected
 * too here, since deleting a referenced file is the one mistake VACUUM must never make. */
static bool protect_dv(strset *valid, const lml_delta_file *f, const char *root_abs, lml_error *err) {
    if (!f->dv.present || (f->dv.storage_type != 'u' && f->dv.storage_type != 'p')) return true;
    lml_dv_descriptor d = {.storage_type = f->dv.storage_type, .path_or_inline = f->dv.path_or_inline};
    char *abs = lml_dv_file_path(root_abs, &d, err);
    if (!abs) {
        lml_error_prefix(err, "vacuum: deletion vector of %s", f->path);
        return false;
    }
    size_t rl = strlen(root_abs);
    bool ok = true;
    if (strncmp(abs, root_abs, rl) == 0 && abs[rl] == '/') ok = add_with_parents(valid, abs + rl + 1, true, err);
    free(abs);
    return ok;
}

static bool protect_file(strset *valid, const lml_delta_file *f, const char *root_abs, lml_error *err) {
    return protect_path(valid, f->path, root_abs, err) && protect_dv(valid, f, root_abs, err);
}

/* ---- the listing */

typedef struct listed {
    char *rel;
    bool is_dir;
    uint64_t size;
    int64_t mtime_ms;
} listed;

typedef struct lister {
    const lml_storage *st;
    const lml_delta_metadata *meta;
    bool hide_metadata_dir; /* UniForm Iceberg keeps its metadata in `metadata/` */
    listed *v;
    size_t n, cap;
} lister;

/* Spark's DeltaTableUtils.isHiddenDirectory, applied to file and directory names alike. */
static bool hidden(const lister *l, const char *name) {
    if (l->hide_metadata_dir && strcmp(name, "metadata") == 0) return true;
    if (name[0] != '_' && name[0] != '.') return false;
    if (strncmp(name, "_delta_index", 12) == 0 || strncmp(name, "_change_data", 12) == 0) return false;
    for (size_t i = 0; i < l->meta->npartition; i++) {
        size_t cl = strlen(l->meta->partition_columns[i]);
        if (strncmp(name, l->meta->partition_columns[i], cl) == 0 && name[cl] == '=') return false;
    }
    return true;
}

static bool push(lister *l, char *rel, const lml_storage_entry *e, lml_error *err) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        listed *g = realloc(l->v, cap * sizeof *g);
        if (!g) {
            free(rel);
            return lml_error_set(err, LML_ENOMEM, "vacuum: out of memory");
        }
        l->v = g;
        l->cap = cap;
    }
    l->v[l->n++] = (listed){.rel = rel, .is_dir = e->is_dir, .size = e->size, .mtime_ms = e->mtime_ms};
    return true;
}

static bool list_dir(lister *l, const char *root_abs, const char *rel, int depth, lml_error *err) {
    if (depth > 256) return lml_error_set(err, LML_EINVAL, "vacuum: %s/%s: directories nested too deep", root_abs, rel);
    lml_strbuf sb = {0};
    lml_strbuf_puts(&sb, root_abs);
    if (*rel) lml_strbuf_printf(&sb, "/%s", rel);
    char *dir = lml_strbuf_finish(&sb, err);
    if (!dir) return false;
    lml_storage_entry *es = NULL;
    size_t ne = 0;
    lml_error le = {0};
    bool ok = l->st->list(l->st, dir, &es, &ne, &le);
    if (!ok && le.code == LML_ENOTFOUND && *rel) ok = true; /* removed while we listed */
    else if (!ok) *err = le;
    free(dir);
    for (size_t i = 0; ok && i < ne; i++) {
        if (hidden(l, es[i].name)) continue;
        lml_strbuf pb = {0};
        if (*rel) lml_strbuf_printf(&pb, "%s/", rel);
        lml_strbuf_puts(&pb, es[i].name);
        char *child = lml_strbuf_finish(&pb, err);
        ok = child && push(l, child, &es[i], err);
        if (ok && es[i].is_dir) ok = list_dir(l, root_abs, child, depth + 1, err);
    }
    lml_storage_entries_free(es, ne);
    return ok;
}

/* ---- the plan */

static int cmp_item(const void *a, const void *b) {
    const lml_vacuum_item *x = a, *y = b;
    if (x->is_dir != y->is_dir) return x->is_dir ? 1 : -1;
    return strcmp(x->rel, y->rel);
}

static bool iceberg_uniform(const lml_delta_metadata *m) {
    const char *f = lml_delta_map_get(&m->configuration, "delta.universalFormat.enabledFormats", NULL);
    if (!f) return false;
    for (const char *p = f; (p = strstr(p, "iceberg")); p += 7)
        if ((p == f || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[7])) return true;
    return false;
}

bool lml_vacuum_plan_build(const lml_delta_table *t, const char *root_abs, int64_t cutoff_ms, lml_vacuum_plan *plan,
                           lml_error *err) {
    *plan = (lml_vacuum_plan){0};
    const lml_delta_state *s = &t->state;
    strset valid = {0}, old_dirs = {0};
    lister l = {.st = t->st, .meta = &s->metadata, .hide_metadata_dir = iceberg_uniform(&s->metadata)};
    bool ok = true;
    for (size_t i = 0; ok && i < s->nfiles; i++) ok = protect_file(&valid, &s->files[i], root_abs, err);
    /* A tombstone without deletionTimestamp counts as deleted at 0, so it has expired (Spark). */
    for (size_t i = 0; ok && i < s->ntombstones; i++) {
        const lml_delta_file *f = &s->tombstones[i];
        if (f->has_deletion_timestamp && f->deletion_timestamp >= cutoff_ms) ok = protect_file(&valid, f, root_abs, err);
    }
    set_seal(&valid);
    if (ok) ok = list_dir(&l, root_abs, "", 0, err);
    /* Directories holding an old file (valid or not) are not empty enough for this VACUUM:
     * Spark counts the old files under each directory and keeps those with any. */
    for (size_t i = 0; ok && i < l.n; i++)
        if (!l.v[i].is_dir && l.v[i].mtime_ms < cutoff_ms) ok = add_with_parents(&old_dirs, l.v[i].rel, false, err);
    set_seal(&old_dirs);
    int64_t ndirs = 1;
    for (size_t i = 0; ok && i < l.n; i++) {
        listed *e = &l.v[i];
        if (e->is_dir) ndirs++;
        bool candidate = e->is_dir ? !set_has(&old_dirs, e->rel) : e->mtime_ms < cutoff_ms;
        if (!candidate || set_has(&valid, e->rel)) continue;
        if (plan->n % 64 == 0) {
            lml_vacuum_item *g = realloc(plan->items, (plan->n + 64) * sizeof *g);
            if (!g) {
                ok = lml_error_set(err, LML_ENOMEM, "vacuum: out of memory");
                break;
            }
            plan->items = g;
        }
        plan->items[plan->n++] = (lml_vacuum_item){.rel = e->rel, .is_dir = e->is_dir, .size = e->is_dir ? 0 : e->size};
        e->rel = NULL; /* moved */
        if (!e->is_dir) {
            plan->nfiles++;
            plan->size_to_delete += (int64_t)e->size;
        }
    }
    plan->dirs_listed = ndirs;
    if (plan->n) qsort(plan->items, plan->n, sizeof *plan->items, cmp_item);
    for (size_t i = 0; i < l.n; i++) free(l.v[i].rel);
    free(l.v);
    set_free(&valid);
    set_free(&old_dirs);
    if (!ok) lml_vacuum_plan_clear(plan);
    return ok;
}

void lml_vacuum_plan_clear(lml_vacuum_plan *plan) {
    for (size_t i = 0; i < plan->n; i++) free(plan->items[i].rel);
    free(plan->items);
    *plan = (lml_vacuum_plan){0};
}

/* ---- durations */

static int64_t unit_us(const char *u, size_t len, bool *months) {
    static const struct {
        const char *name;
        int64_t us;
    } units[] = {{"week", 7 * 86400000000LL}, {"day", 86400000000LL}, {"hour", 3600000000LL},
                 {"minute", 60000000LL},      {"second", 1000000LL},   {"millisecond", 1000LL},
                 {"microsecond", 1LL}};
    *months = false;
    if (len > 1 && u[len - 1] == 's') len--; /* plural */
    if ((len == 5 && strncmp(u, "month", 5) == 0) || (len == 4 && strncmp(u, "year", 4) == 0)) {
        *months = true;
        return 0;
    }
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (strlen(units[i].name) == len && strncmp(u, units[i].name, len) == 0) return units[i].us;
    return -1;
}

bool lml_delta_interval_ms(const char *text, const char *what, int64_t *ms, lml_error *err) {
    char buf[256];
    size_t n = 0;
    for (const char *p = text; *p && n + 1 < sizeof buf; p++) buf[n++] = (char)tolower((unsigned char)*p);
    buf[n] = 0;
    if (text[n]) goto bad;
    const char *p = buf;
    while (isspace((unsigned char)*p)) p++;
    if (strncmp(p, "interval", 8) == 0 && (isspace((unsigned char)p[8]))) p += 8;
    int64_t days = 0, us = 0;
    int terms = 0;
    for (;;) {
        while (isspace((unsigned char)*p)) p++;
        if (!*p) break;
        char *end;
        /* Integers for every unit; a fraction is accepted for seconds, as Spark does. */
        long long whole = strtoll(p, &end, 10);
        if (end == p || (*end && !isspace((unsigned char)*end) && *end != '.')) goto bad;
        double frac = 0;
        if (*end == '.') {
            char *fe;
            frac = strtod(end, &fe);
            if (fe == end + 1 && !isdigit((unsigned char)end[1])) goto bad;
            end = fe;
            if (p[0] == '-') frac = -frac;
        }
        p = end;
        while (isspace((unsigned char)*p)) p++;
        const char *u = p;
        while (*p && !isspace((unsigned char)*p)) p++;
        bool months;
        int64_t per = unit_us(u, (size_t)(p - u), &months);
        if (months)
            return lml_error_set(err, LML_EINVAL, "%s '%s': months and years are not allowed in a Delta duration", what,
                                 text);
        if (per < 0 || (frac != 0 && per != 1000000LL)) goto bad;
        if (whole > 1000000000LL || whole < -1000000000LL) goto bad;
        /* Spark's CalendarInterval keeps days apart from microseconds (weeks are 7 days). */
        if (per >= 86400000000LL) days += whole * (per / 86400000000LL);
        else us += whole * per + (int64_t)(frac * 1e6);
        terms++;
    }
    if (!terms) goto bad;
    /* Spark's isValidIntervalConfigValue: no months, and not negative in total. */
    *ms = days * 86400000LL + us / 1000;
    if (*ms < 0)
        return lml_error_set(err, LML_EINVAL, "%s '%s': a duration must not be negative", what, text);
    return true;
bad:
    return lml_error_set(err, LML_EINVAL,
                         "%s '%s' is not a valid interval (expected e.g. 'interval 1 week', 'interval 7 days', "
                         "'interval 36 hours')",
                         what, text);
}

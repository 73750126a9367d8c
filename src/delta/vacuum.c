/* VACUUM path [RETAIN n HOURS] [DRY RUN] (delta.md §12, Spark's VacuumCommand): the retention
 * and its safety check, the VACUUM START / VACUUM END commits around the deletion, the deletion
 * itself (files, then directories deepest first) and the list of paths. What may be deleted is
 * decided in vacuum_list.c. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../core/internal.h"
#include "commit.h"
#include "vacuum_internal.h"
#include "write_internal.h"

#define DEFAULT_RETENTION "interval 1 week"

/* Writer features whose tables VACUUM may clean (Spark's protocolWrite check): the ones lakeml
 * writes, plus two that change no file references (typeWidening, v2Checkpoint). An unknown
 * feature may change what "unreferenced" means (vacuumProtocolCheck exists so that old clients
 * refuse), so it is refused. */
static bool known_feature(const char *name) {
    return lml_delta_writer_feature_known(name) || strcmp(name, "typeWidening") == 0 || strcmp(name, "v2Checkpoint") == 0;
}

static bool protocol_ok(const lml_delta_table *t, lml_error *err) {
    const lml_delta_protocol *p = &t->state.protocol;
    if (p->min_writer > 7)
        return lml_error_set(err, LML_EUNSUPPORTED, "%s: the table requires Delta writer version %d; lakeml writes 1 to 7",
                             t->log.root, p->min_writer);
    for (size_t i = 0; i < p->writer_features.n; i++) {
        if (!known_feature(p->writer_features.keys[i]))
            return lml_error_set(err, LML_EUNSUPPORTED,
                                 "%s: the table requires writer feature '%s', which lakeml does not implement; VACUUM "
                                 "refuses to delete its files (DELTA_UNSUPPORTED_FEATURES_FOR_WRITE)",
                                 t->log.root, p->writer_features.keys[i]);
    }
    return true;
}

/* The table's retention (delta.deletedFileRetentionDuration) and the one asked for, in ms. */
static bool retention(const lml_delta_table *t, const lml_delta_vacuum_options *o, int64_t *configured,
                      bool *specified, int64_t *asked, lml_error *err) {
    const char *text = lml_delta_table_property(t, "delta.deletedFileRetentionDuration");
    if (!lml_delta_interval_ms(text ? text : DEFAULT_RETENTION, "delta.deletedFileRetentionDuration", configured, err)) {
        lml_error_prefix(err, "%s", t->log.root);
        return false;
    }
    *specified = o->has_retention_hours;
    *asked = *configured;
    if (!o->has_retention_hours) return true;
    double h = o->retention_hours;
    if (!isfinite(h) || fabs(h) > 1e12)
        return lml_error_set(err, LML_EINVAL, "%s: VACUUM retention of %g hours is out of range", t->log.root, h);
    /* Spark rounds the hours to a whole number (math.round) before anything else. */
    int64_t hours = (int64_t)floor(h + 0.5);
    *asked = hours * 3600000LL;
    if (*asked < 0)
        return lml_error_set(err, LML_EINVAL, "%s: requirement failed: Retention for Vacuum can't be less than 0. (%g hours)",
                             t->log.root, h);
    if (*asked < *configured && !o->disable_retention_check) {
        int64_t ch = *configured / 3600000LL + (*configured % 3600000LL ? 1 : 0);
        /* Spark's wording, shortened to fit an lml_error message. */
        return lml_error_set(err, LML_EINVAL,
                             "%s: DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT: Are you sure you would like to vacuum "
                             "files with such a low retention period (%lld hours)? Writers currently writing to this "
                             "table could corrupt its state. If no operations are running on it, turn this check off "
                             "(spark.databricks.delta.retentionDurationCheck.enabled = false; here "
                             "disable_retention_check); if you are not sure, please use a value not less than \"%lld "
                             "hours\".",
                             t->log.root, (long long)hours, (long long)ch);
    }
    return true;
}

/* ---- the commits */

typedef struct ict_seen {
    bool has;
    int64_t ts;
} ict_seen;

static bool find_ict(void *ctx, lml_delta_action *a, lml_error *err) {
    (void)err;
    ict_seen *c = ctx;
    if (a->kind == LML_DA_COMMIT_INFO && a->u.commit_info.has_ict && !c->has) *c = (ict_seen){true, a->u.commit_info.in_commit_timestamp};
    return true;
}

typedef struct vac_commit {
    const lml_delta_table *t;
    bool ict;
    int64_t read_version, previous_ict;
} vac_commit;

/* An empty transaction (commitInfo only) as Spark's VACUUM logging writes it. */
static bool commit_empty(vac_commit *c, const char *operation, const char *params, const char *metrics, int64_t *version,
                         lml_error *err) {
    lml_delta_tx tx = {.root = c->t->log.root, .read_version = c->read_version, .blind_append = true,
                       .operation = operation, .parameters = params, .metrics = metrics, .ict = c->ict,
                       .previous_ict = c->previous_ict, .isolation_level = "SnapshotIsolation"};
    if (!lml_delta_commit(c->t->st, &tx, version, err)) return false;
    c->read_version = *version;
    if (c->ict) { /* the next commit's in-commit timestamp must exceed this one's */
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%020lld.json", c->t->log.log_dir, (long long)*version);
        ict_seen s = {0};
        if (!lml_delta_commit_read(c->t->st, path, find_ict, &s, err)) return false;
        if (s.has) c->previous_ict = s.ts;
    }
    return lml_delta_maybe_checkpoint(c->t->log.root, &c->t->state.metadata, *version, err);
}

/* ---- deleting */

static char *absolute(const char *root_abs, const char *rel, lml_error *err) {
    lml_strbuf sb = {0};
    lml_strbuf_printf(&sb, "%s/%s", root_abs, rel);
    return lml_strbuf_finish(&sb, err);
}

/* Spark's tryDeleteNonRecursive: a path that cannot go (a directory that is not empty after
 * all, a permission problem) is skipped and not counted; it is not an error. Directories are
 * removed deepest first so that a tree of empty directories goes in one VACUUM. */
static bool delete_all(const lml_delta_table *t, const char *root_abs, const lml_vacuum_plan *plan, bool *deleted,
                       int64_t *count, lml_error *err) {
    *count = 0;
    for (size_t k = 0; k < plan->n; k++) {
        size_t i = k < plan->nfiles ? k : plan->n - 1 - (k - plan->nfiles);
        const lml_vacuum_item *it = &plan->items[i];
        char *p = absolute(root_abs, it->rel, err);
        if (!p) return false;
        lml_error e = {0};
        /* The storage interface removes files only; directories are local ones (rmdir). */
        if (it->is_dir) {
            deleted[i] = rmdir(p) == 0 || errno == ENOENT;
            if (!deleted[i]) snprintf(e.message, sizeof e.message, "%s", strerror(errno));
        } else {
            deleted[i] = t->st->remove(t->st, p, &e);
        }
        if (!deleted[i]) lml_log(LML_LOG_WARN, "delta", "vacuum: could not delete %s: %s", p, e.message);
        *count += deleted[i];
        free(p);
    }
    return true;
}

static int cmp_cstr(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static lml_frame *path_frame(const char *root_abs, const lml_vacuum_plan *plan, const bool *keep, lml_error *err) {
    /* Spark's dry run lists directories and files together, by path. */
    const char **paths = calloc(plan->n + 1, sizeof *paths);
    size_t n = 0;
    bool ok = paths != NULL;
    if (!ok) lml_error_set(err, LML_ENOMEM, "vacuum: out of memory");
    for (size_t i = 0; ok && i < plan->n; i++) {
        if (keep && !keep[i]) continue;
        ok = (paths[n] = absolute(root_abs, plan->items[i].rel, err)) != NULL;
        n += ok;
    }
    lml_frame *f = NULL;
    if (ok) {
        qsort(paths, n, sizeof *paths, cmp_cstr);
        lml_column *col = lml_column_from_strings(paths, n, err);
        const char *name = "path";
        f = col ? lml_frame_new(1, &name, &col, err) : NULL;
        lml_column_free(col);
    }
    for (size_t i = 0; paths && i < n; i++) free((char *)paths[i]);
    free(paths);
    return f;
}

bool lml_delta_vacuum(const char *path, const lml_delta_vacuum_options *opt, lml_frame **files, lml_delta_result *out,
                      lml_error *err) {
    static const lml_delta_vacuum_options defaults = {0};
    if (!opt) opt = &defaults;
    if (files) *files = NULL;
    if (out) *out = (lml_delta_result){.version = -1};
    if (!path) return lml_error_set(err, LML_EINVAL, "lml_delta_vacuum: path is NULL");
    lml_delta_table *t = lml_delta_table_open(path, NULL, err);
    if (!t) return false;
    char *root_abs = realpath(t->log.root, NULL);
    int64_t configured = 0, asked = 0;
    bool specified = false;
    bool ok = root_abs ? true : lml_error_set(err, LML_EIO, "%s: %s", t->log.root, strerror(errno));
    ok = ok && protocol_ok(t, err) && retention(t, opt, &configured, &specified, &asked, err);
    int64_t cutoff = lml_delta_now_ms() - asked;
    lml_vacuum_plan plan = {0};
    ok = ok && lml_vacuum_plan_build(t, root_abs, cutoff, &plan, err);
    bool *deleted = ok ? calloc(plan.n + 1, sizeof *deleted) : NULL;
    if (ok && !deleted) ok = lml_error_set(err, LML_ENOMEM, "vacuum: out of memory");
    char params[256], start_metrics[128], end_metrics[128], all[256];
    snprintf(params, sizeof params, "{\"retentionCheckEnabled\":%s,\"defaultRetentionMillis\":%lld",
             opt->disable_retention_check ? "false" : "true", (long long)configured);
    if (specified) snprintf(params + strlen(params), sizeof params - strlen(params), ",\"specifiedRetentionMillis\":%lld", (long long)asked);
    strcat(params, "}");
    snprintf(start_metrics, sizeof start_metrics, "{\"numFilesToDelete\":\"%zu\",\"sizeOfDataToDelete\":\"%lld\"}", plan.n,
             (long long)plan.size_to_delete);
    int64_t version = t->latest, ndeleted = 0;
    if (ok && !opt->dry_run) {
        const char *ict = lml_delta_table_property(t, "delta.enableInCommitTimestamps");
        vac_commit c = {.t = t, .ict = ict && strcmp(ict, "true") == 0, .read_version = t->state.version,
                        .previous_ict = t->state.in_commit_timestamp};
        int64_t v;
        ok = commit_empty(&c, "VACUUM START", params, start_metrics, &v, err);
        if (ok && !delete_all(t, root_abs, &plan, deleted, &ndeleted, err)) {
            /* Spark records the failure too; the first error is the one reported. */
            lml_error ignored = {0};
            (void)commit_empty(&c, "VACUUM END", "{\"status\":\"FAILED\"}", "{}", &v, &ignored);
            ok = false;
        }
        if (ok) {
            snprintf(end_metrics, sizeof end_metrics, "{\"numDeletedFiles\":\"%lld\",\"numVacuumedDirectories\":\"%lld\"}",
                     (long long)ndeleted, (long long)plan.dirs_listed);
            ok = commit_empty(&c, "VACUUM END", "{\"status\":\"COMPLETED\"}", end_metrics, &version, err);
        }
    }
    if (ok && files) ok = (*files = path_frame(root_abs, &plan, opt->dry_run ? NULL : deleted, err)) != NULL;
    if (ok && out) {
        if (opt->dry_run) snprintf(all, sizeof all, "%s", start_metrics);
        else
            snprintf(all, sizeof all,
                     "{\"numFilesToDelete\":\"%zu\",\"sizeOfDataToDelete\":\"%lld\",\"numDeletedFiles\":\"%lld\","
                     "\"numVacuumedDirectories\":\"%lld\"}",
                     plan.n, (long long)plan.size_to_delete, (long long)ndeleted, (long long)plan.dirs_listed);
        *out = (lml_delta_result){.version = version, .committed = !opt->dry_run, .metrics = lml_strdup(all, err)};
        ok = out->metrics != NULL;
    }
    if (!ok && files && *files) {
        lml_frame_free(*files);
        *files = NULL;
    }
    free(deleted);
    lml_vacuum_plan_clear(&plan);
    free(root_abs);
    lml_delta_table_free(t);
    return ok;
}

/* RESTORE TABLE … TO VERSION/TIMESTAMP AS OF (delta.md §9): one new commit that re-adds the
 * files live at the target version and removes those live now but not then, with the target's
 * metadata and a protocol never lower than today's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "../core/internal.h"
#include "../io/parquet/writer_internal.h"
#include "commit.h"
#include "pvalue.h"
#include "write_internal.h"

/* Live files of `a` whose (path, DV) key is not live in `b`. */
static bool missing_from(const lml_delta_state *a, const lml_delta_state *b, size_t i) {
    const lml_delta_file *f = &a->files[i];
    for (size_t k = 0; k < b->nfiles; k++) {
        const lml_delta_file *g = &b->files[k];
        if (strcmp(f->path, g->path) != 0 || f->dv.present != g->dv.present) continue;
        if (!f->dv.present || (strcmp(f->dv.path_or_inline, g->dv.path_or_inline) == 0 && f->dv.offset == g->dv.offset))
            return false;
    }
    return true;
}

/* A restored file must still be on disk (VACUUM may have deleted it). */
static bool still_there(const lml_delta_table *t, const lml_delta_file *f, lml_error *err) {
    char *rel = lml_delta_uri_decode(f->path, err);
    if (!rel) return false;
    lml_strbuf sb = {0};
    lml_strbuf_printf(&sb, "%s/%s", t->log.root, rel);
    char *p = lml_strbuf_finish(&sb, err);
    struct stat st;
    bool ok = p && stat(p, &st) == 0;
    if (p && !ok)
        lml_error_set(err, LML_ENOTFOUND, "%s: cannot restore: data file %s no longer exists (vacuumed?)", t->log.root, rel);
    free(p);
    free(rel);
    return ok;
}

static bool restore(const char *path, const lml_delta_open_options *target, int64_t *version, lml_error *err) {
    lml_delta_table *now = lml_delta_table_open(path, NULL, err);
    if (!now) return false;
    lml_delta_open_options o = *target;
    /* RESTORE accepts a timestamp after the last commit: it then means the latest version. */
    if (o.timestamp) {
        int64_t v;
        lml_error e = {0};
        if (lml_delta_version_at(now, o.timestamp, &v, &e)) o = (lml_delta_open_options){.has_version = true, .version = v};
        else if (strstr(e.message, "after the latest version")) o = (lml_delta_open_options){.has_version = true, .version = now->latest};
    }
    lml_delta_table *then = lml_delta_table_open(path, &o, err);
    lml_delta_action *acts = NULL;
    size_t n = 0, cap = 0;
    int64_t removed_bytes = 0, restored_bytes = 0, size_after = 0, nrem = 0, nres = 0, ts = lml_delta_now_ms();
    bool ok = then != NULL;
    if (ok && then->state.version >= now->state.version)
        ok = lml_error_set(err, LML_EINVAL, "%s: cannot restore to version %lld: the table is at version %lld", path,
                           (long long)then->state.version, (long long)now->state.version);
    if (ok) ok = lml_delta_writer_supports(now, err);
    /* Protocol: never downgrade; metadata: the target's. */
    const lml_delta_protocol *pn = &now->state.protocol, *pt = ok ? &then->state.protocol : NULL;
    lml_delta_action *a;
    if (ok && (pt->min_reader > pn->min_reader || pt->min_writer > pn->min_writer)) {
        ok = (a = lml_delta_actions_push(&acts, &n, &cap, LML_DA_NONE, err)) && lml_delta_protocol_copy(pt, &a->u.protocol, err);
        if (a) a->kind = ok ? LML_DA_PROTOCOL : LML_DA_NONE;
    }
    if (ok) {
        ok = (a = lml_delta_actions_push(&acts, &n, &cap, LML_DA_NONE, err)) && lml_delta_metadata_copy(&then->state.metadata, &a->u.metadata, err);
        if (a) a->kind = ok ? LML_DA_METADATA : LML_DA_NONE;
    }
    for (size_t i = 0; ok && i < then->state.nfiles; i++) {
        const lml_delta_file *f = &then->state.files[i];
        size_after += f->size;
        if (!missing_from(&then->state, &now->state, i)) continue;
        ok = still_there(now, f, err) && (a = lml_delta_actions_push(&acts, &n, &cap, LML_DA_NONE, err)) && lml_delta_file_copy(f, &a->u.file, err);
        if (!ok) break;
        a->kind = LML_DA_ADD;
        a->u.file.data_change = true;
        restored_bytes += f->size;
        nres++;
    }
    for (size_t i = 0; ok && i < now->state.nfiles; i++) {
        const lml_delta_file *f = &now->state.files[i];
        if (!missing_from(&now->state, &then->state, i)) continue;
        ok = (a = lml_delta_actions_push(&acts, &n, &cap, LML_DA_NONE, err)) && lml_delta_file_copy(f, &a->u.file, err);
        if (!ok) break;
        a->kind = LML_DA_REMOVE;
        lml_delta_file *r = &a->u.file;
        free(r->stats);
        r->stats = NULL;
        r->has_deletion_timestamp = r->data_change = r->extended_file_metadata = r->has_size = true;
        r->deletion_timestamp = ts;
        removed_bytes += f->size;
        nrem++;
    }
    char params[512], metrics[512];
    if (ok) {
        if (target->timestamp) {
            lml_strbuf sb = {0};
            lml_strbuf_puts(&sb, "{\"version\":null,\"timestamp\":");
            lml_pq_json_string(&sb, target->timestamp);
            lml_strbuf_putc(&sb, '}');
            snprintf(params, sizeof params, "%s", sb.data ? sb.data : "{}");
            lml_strbuf_free(&sb);
        } else {
            snprintf(params, sizeof params, "{\"version\":%lld,\"timestamp\":null}", (long long)then->state.version);
        }
        snprintf(metrics, sizeof metrics,
                 "{\"numRestoredFiles\":\"%lld\",\"removedFilesSize\":\"%lld\",\"numRemovedFiles\":\"%lld\","
                 "\"restoredFilesSize\":\"%lld\",\"numOfFilesAfterRestore\":\"%zu\",\"tableSizeAfterRestore\":\"%lld\"}",
                 (long long)nres, (long long)removed_bytes, (long long)nrem, (long long)restored_bytes, then->state.nfiles,
                 (long long)size_after);
        const char *ict = lml_delta_map_get(&now->state.metadata.configuration, "delta.enableInCommitTimestamps", NULL);
        lml_delta_tx tx = {.root = now->log.root, .read_version = now->state.version, .read_whole_table = true,
                           .changes_metadata = true, .actions = acts, .nactions = n, .operation = "RESTORE",
                           .parameters = params, .metrics = metrics, .ict = ict && strcmp(ict, "true") == 0,
                           .previous_ict = now->state.in_commit_timestamp};
        int64_t v;
        ok = lml_delta_commit(now->st, &tx, &v, err) &&
             lml_delta_maybe_checkpoint(now->log.root, &then->state.metadata, v, err);
        if (ok && version) *version = v;
    }
    for (size_t i = 0; i < n; i++) lml_delta_action_clear(&acts[i]);
    free(acts);
    lml_delta_table_free(then);
    lml_delta_table_free(now);
    return ok;
}

bool lml_delta_restore_to_version(const char *path, int64_t target, int64_t *version, lml_error *err) {
    lml_delta_open_options o = {.has_version = true, .version = target};
    return restore(path, &o, version, err);
}

bool lml_delta_restore_to_timestamp(const char *path, const char *timestamp, int64_t *version, lml_error *err) {
    if (!timestamp) return lml_error_set(err, LML_EINVAL, "lml_delta_restore_to_timestamp: timestamp is NULL");
    lml_delta_open_options o = {.timestamp = timestamp};
    return restore(path, &o, version, err);
}

/* Optimistic commits (delta.md §8.1–§8.2). The commit file is created with put-if-absent, so of
 * several writers racing for a version exactly one wins; a loser reads each winning commit and
 * applies Spark's ConflictChecker rules (Serializable isolation, Spark OSS's default) before
 * trying the next version. Nothing is written outside _delta_log here: data files were written
 * before and stay invisible until a commit names them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include "../core/internal.h"
#include "../io/parquet/writer_internal.h"
#include "commit.h"
#include "lakeml/version.h"
#include "replay.h"
#include "skip.h"

/* Attempts before giving up under sustained contention (each one follows a commit that won). */
#define MAX_ATTEMPTS 100000

void lml_delta_uuid(char out[37]) {
    uint8_t b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t n = getrandom(b + got, sizeof b - got, 0);
        if (n > 0) got += (size_t)n;
        else if (errno != EINTR) { /* no entropy source: a time- and address-based fallback */
            uint64_t x = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)&got ^ (uint64_t)clock();
            for (; got < sizeof b; got++) b[got] = (uint8_t)((x = x * 6364136223846793005ull + 1442695040888963407ull) >> 56);
        }
    }
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
             b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* The commit file's text: commitInfo first (as Spark writes it), then the actions. */
static char *commit_text(const lml_delta_tx *tx, int64_t version, int64_t ict, lml_error *err) {
    char txn_id[37];
    lml_delta_uuid(txn_id);
    lml_strbuf sb = {0};
    lml_strbuf_puts(&sb, "{\"commitInfo\":{");
    if (tx->ict) lml_strbuf_printf(&sb, "\"inCommitTimestamp\":%lld,", (long long)ict);
    lml_strbuf_printf(&sb, "\"timestamp\":%lld,\"operation\":", (long long)(tx->ict ? ict : lml_delta_now_ms()));
    lml_strbuf_puts(&sb, "\"");
    lml_strbuf_puts(&sb, tx->operation); /* Spark's operation names need no escaping */
    lml_strbuf_printf(&sb, "\",\"operationParameters\":%s", tx->parameters ? tx->parameters : "{}");
    if (version > 0 && tx->read_version >= 0) lml_strbuf_printf(&sb, ",\"readVersion\":%lld", (long long)tx->read_version);
    lml_strbuf_printf(&sb, ",\"isolationLevel\":\"%s\",\"isBlindAppend\":%s",
                      tx->isolation_level ? tx->isolation_level : "Serializable", tx->blind_append ? "true" : "false");
    lml_strbuf_printf(&sb, ",\"operationMetrics\":%s", tx->metrics ? tx->metrics : "{}");
    if (tx->user_metadata) {
        lml_strbuf_puts(&sb, ",\"userMetadata\":");
        lml_pq_json_string(&sb, tx->user_metadata);
    }
    lml_strbuf_printf(&sb, ",\"engineInfo\":\"lakeml/%s\",\"txnId\":\"%s\"}}\n", LML_VERSION_STRING, txn_id);
    bool ok = true;
    for (size_t i = 0; ok && i < tx->nactions; i++) ok = lml_delta_action_write(&tx->actions[i], &sb, err);
    if (!ok) {
        lml_strbuf_free(&sb);
        return NULL;
    }
    return lml_strbuf_finish(&sb, err);
}

/* What a winning commit did that matters to the checks. */
typedef struct winner {
    bool protocol, metadata, adds, removes, same_app;
    bool delete_delete; /* it removed a file this transaction removes too */
    bool append_read;   /* it added a file the read predicate cannot rule out */
    bool delete_read;   /* it removed a file this transaction read */
    char *operation;
    const lml_delta_tx *tx;
} winner;

static bool removes_path(const lml_delta_tx *tx, const char *path) {
    for (size_t i = 0; i < tx->nactions; i++)
        if (tx->actions[i].kind == LML_DA_REMOVE && strcmp(tx->actions[i].u.file.path, path) == 0) return true;
    return false;
}

static bool read_path(const lml_delta_tx *tx, const char *path) {
    for (size_t i = 0; i < tx->nread_paths; i++)
        if (strcmp(tx->read_paths[i], path) == 0) return true;
    return false;
}

static bool look(void *ctx, lml_delta_action *a, lml_error *err) {
    (void)err;
    winner *w = ctx;
    switch (a->kind) {
    case LML_DA_PROTOCOL: w->protocol = true; break;
    case LML_DA_METADATA: w->metadata = true; break;
    case LML_DA_ADD:
        w->adds = true;
        /* Serializable: every add of the winner counts, checked against what was read. */
        if (w->tx->check_read_predicate && !w->append_read)
            w->append_read = !lml_delta_file_skipped(&a->u.file, w->tx->read_filters, w->tx->nread_filters);
        break;
    case LML_DA_REMOVE:
        w->removes = true;
        w->delete_delete |= removes_path(w->tx, a->u.file.path);
        w->delete_read |= read_path(w->tx, a->u.file.path);
        break;
    case LML_DA_TXN: w->same_app |= w->tx->app_id && strcmp(a->u.txn.app_id, w->tx->app_id) == 0; break;
    case LML_DA_COMMIT_INFO:
        if (a->u.commit_info.operation && !w->operation) {
            w->operation = a->u.commit_info.operation;
            a->u.commit_info.operation = NULL;
        }
        break;
    default: break;
    }
    return true;
}

/* Spark's ConflictChecker, in its order, for one winning commit. */
static bool check_winner(const lml_storage *st, const lml_delta_tx *tx, const char *path, int64_t v, lml_error *err) {
    winner w = {.tx = tx};
    if (!lml_delta_commit_read(st, path, look, &w, err)) return false;
    const char *why = NULL, *code = NULL;
    if (w.protocol) why = "changed the protocol", code = "DELTA_PROTOCOL_CHANGED";
    else if (w.metadata) why = "changed the table's metadata", code = "DELTA_METADATA_CHANGED";
    else if (w.same_app) why = "committed a transaction of the same application id", code = "DELTA_CONCURRENT_TRANSACTION";
    else if (w.adds && (tx->read_whole_table || tx->changes_metadata))
        why = "added files this transaction should have read", code = "DELTA_CONCURRENT_APPEND";
    else if (w.append_read)
        why = "added files that match this transaction's read predicate", code = "DELTA_CONCURRENT_APPEND";
    else if (w.removes && tx->read_whole_table)
        why = "removed files this transaction read", code = "DELTA_CONCURRENT_DELETE_READ";
    else if (w.delete_read) why = "removed a file this transaction read", code = "DELTA_CONCURRENT_DELETE_READ";
    else if (w.delete_delete) why = "removed files this transaction also removes", code = "DELTA_CONCURRENT_DELETE_DELETE";
    bool ok = true;
    if (why)
        ok = lml_error_set(err, LML_ECONFLICT,
                           "%s: concurrent commit: version %lld (%s) %s since version %lld was read (%s); retry the "
                           "operation",
                           tx->root, (long long)v, w.operation ? w.operation : "unknown operation", why,
                           (long long)tx->read_version, code);
    free(w.operation);
    return ok;
}

bool lml_delta_commit(const lml_storage *st, const lml_delta_tx *tx, int64_t *version, lml_error *err) {
    lml_strbuf dir = {0};
    lml_strbuf_printf(&dir, "%s/_delta_log", tx->root);
    char *log_dir = lml_strbuf_finish(&dir, err);
    if (!log_dir) return false;
    int64_t v = tx->read_version + 1, ict = tx->previous_ict;
    bool ok = true, done = false;
    for (int attempt = 0; ok && !done && attempt < MAX_ATTEMPTS; attempt++) {
        if (tx->ict) { /* in-commit timestamps only increase, whatever the clock does */
            int64_t now = lml_delta_now_ms();
            ict = now > ict ? now : ict + 1;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%020lld.json", log_dir, (long long)v);
        char *text = commit_text(tx, v, ict, err);
        bool existed = false;
        ok = text && st->put_if_absent(st, path, text, strlen(text), &existed, err);
        free(text);
        if (!ok) break;
        if (!existed) {
            done = true;
            break;
        }
        if (tx->read_version < 0) {
            ok = lml_error_set(err, LML_ECONFLICT, "%s: another writer created the table at the same time", tx->root);
            break;
        }
        /* Lost the race for v: the winner must not conflict with what this transaction did. */
        ok = check_winner(st, tx, path, v, err);
        v++;
    }
    if (ok && !done)
        ok = lml_error_set(err, LML_ECONFLICT, "%s: gave up after %d concurrent commits", tx->root, MAX_ATTEMPTS);
    free(log_dir);
    if (ok) *version = v;
    return ok;
}

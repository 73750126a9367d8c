/* Log replay (delta.md §4.3): the checkpoint's actions, then each commit's in version order, fold
 * into one state. Files are keyed by (path, deletion-vector id) in a hash table, so an add
 * replaces the same logical file and a remove turns it into a tombstone. */
#include <stdlib.h>
#include <string.h>
#include "../core/internal.h"
#include "replay.h"

/* Commit files larger than this are refused rather than read whole (a hostile or broken log). */
#define COMMIT_MAX_BYTES ((size_t)1 << 30)

/* The hash table holds only keys, their hashes and an index into `files`, so probing and
 * growing touch 24-byte slots rather than whole file actions (a checkpoint of a big table puts
 * hundreds of thousands of files through here). */
typedef struct slot {
    char *key; /* NULL: empty */
    uint64_t hash;
    size_t idx;
} slot;

typedef struct rstate {
    slot *slots;
    size_t cap, used;
    lml_delta_file *files; /* every logical file met, live or not */
    bool *live;
    size_t nfiles, files_cap;
    bool has_protocol, has_metadata;
    lml_delta_state *out;
    int64_t version;       /* the commit being replayed (-1 inside the checkpoint) */
    int64_t target;
} rstate;

static uint64_t fnv1a(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h ^ (h >> 29); /* fold the high bits in: the table indexes by the low ones */
}

static slot *find(rstate *r, const char *key, uint64_t h) {
    size_t mask = r->cap - 1, i = (size_t)h & mask;
    while (r->slots[i].key && (r->slots[i].hash != h || strcmp(r->slots[i].key, key) != 0)) i = (i + 1) & mask;
    return &r->slots[i];
}

static bool grow(rstate *r, lml_error *err) {
    if (r->nfiles == r->files_cap) {
        size_t c = r->files_cap ? r->files_cap * 2 : 1024;
        lml_delta_file *f = realloc(r->files, c * sizeof *f);
        bool *l = f ? realloc(r->live, c * sizeof *l) : NULL;
        if (f) r->files = f;
        if (!f || !l) return lml_error_set(err, LML_ENOMEM, "out of memory replaying the log");
        r->live = l;
        r->files_cap = c;
    }
    if (r->used * 2 < r->cap) return true;
    size_t ncap = r->cap ? r->cap * 2 : 2048;
    slot *old = r->slots;
    size_t ocap = r->cap;
    if (!(r->slots = calloc(ncap, sizeof *r->slots))) {
        r->slots = old;
        return lml_error_set(err, LML_ENOMEM, "out of memory replaying the log");
    }
    r->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].key) {
            size_t j = (size_t)old[i].hash & (ncap - 1);
            while (r->slots[j].key) j = (j + 1) & (ncap - 1);
            r->slots[j] = old[i];
        }
    free(old);
    return true;
}

/* Moves a's file into the table under its key: live for an add, a tombstone for a remove. */
static bool put_file(rstate *r, lml_delta_file *f, bool live, lml_error *err) {
    char *key = lml_delta_file_key(f, err);
    if (!key || !grow(r, err)) {
        free(key);
        return false;
    }
    uint64_t h = fnv1a(key);
    slot *s = find(r, key, h);
    if (s->key) {
        free(key);
        lml_delta_file_clear(&r->files[s->idx]);
    } else {
        *s = (slot){.key = key, .hash = h, .idx = r->nfiles++};
        r->used++;
    }
    r->files[s->idx] = *f;
    r->live[s->idx] = live;
    memset(f, 0, sizeof *f);
    return true;
}

static bool put_txn(lml_delta_state *st, lml_delta_txn *t, lml_error *err) {
    for (size_t i = 0; i < st->ntxns; i++)
        if (strcmp(st->txns[i].app_id, t->app_id) == 0) {
            free(st->txns[i].app_id);
            st->txns[i] = *t;
            memset(t, 0, sizeof *t);
            return true;
        }
    lml_delta_txn *g = realloc(st->txns, (st->ntxns + 1) * sizeof *g);
    if (!g) return lml_error_set(err, LML_ENOMEM, "out of memory");
    st->txns = g;
    st->txns[st->ntxns++] = *t;
    memset(t, 0, sizeof *t);
    return true;
}

static bool put_domain(lml_delta_state *st, lml_delta_domain *d, lml_error *err) {
    for (size_t i = 0; i < st->ndomains; i++)
        if (strcmp(st->domains[i].domain, d->domain) == 0) {
            free(st->domains[i].domain);
            free(st->domains[i].configuration);
            if (d->removed) {
                st->domains[i] = st->domains[--st->ndomains];
                return true;
            }
            st->domains[i] = *d;
            memset(d, 0, sizeof *d);
            return true;
        }
    if (d->removed) return true;
    lml_delta_domain *g = realloc(st->domains, (st->ndomains + 1) * sizeof *g);
    if (!g) return lml_error_set(err, LML_ENOMEM, "out of memory");
    st->domains = g;
    st->domains[st->ndomains++] = *d;
    memset(d, 0, sizeof *d);
    return true;
}

static bool on_action(void *ctx, lml_delta_action *a, lml_error *err) {
    rstate *r = ctx;
    lml_delta_state *st = r->out;
    switch (a->kind) {
    case LML_DA_ADD: return put_file(r, &a->u.file, true, err);
    case LML_DA_REMOVE: return put_file(r, &a->u.file, false, err);
    case LML_DA_PROTOCOL:
        lml_delta_protocol_clear(&st->protocol);
        st->protocol = a->u.protocol;
        memset(&a->u.protocol, 0, sizeof a->u.protocol);
        r->has_protocol = true;
        return true;
    case LML_DA_METADATA:
        lml_delta_metadata_clear(&st->metadata);
        st->metadata = a->u.metadata;
        memset(&a->u.metadata, 0, sizeof a->u.metadata);
        r->has_metadata = true;
        return true;
    case LML_DA_TXN: return put_txn(st, &a->u.txn, err);
    case LML_DA_DOMAIN: return put_domain(st, &a->u.domain, err);
    case LML_DA_COMMIT_INFO:
        if (r->version == r->target && a->u.commit_info.has_ict) {
            st->has_ict = true;
            st->in_commit_timestamp = a->u.commit_info.in_commit_timestamp;
        }
        return true;
    default: return true; /* cdc, checkpointMetadata, unknown: not table state */
    }
}

bool lml_delta_commit_read(const lml_storage *st, const char *path, lml_delta_emit_fn emit, void *ctx, lml_error *err) {
    uint8_t *buf;
    size_t len;
    if (!st->read(st, path, COMMIT_MAX_BYTES, &buf, &len, err)) return false;
    const char *p = (const char *)buf, *end = p + len;
    bool ok = true;
    for (size_t line = 1; ok && p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        size_t n = (size_t)(stop - p);
        while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
        if (n) {
            lml_delta_action a;
            ok = lml_delta_action_parse(p, n, &a, err);
            if (ok) ok = emit(ctx, &a, err);
            else lml_error_prefix(err, "%s:%zu", path, line);
            lml_delta_action_clear(&a);
        }
        p = nl ? nl + 1 : end;
    }
    free(buf);
    return ok;
}

static int by_path(const void *a, const void *b) {
    const lml_delta_file *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    if (c || !x->dv.present || !y->dv.present) return c ? c : (int)x->dv.present - (int)y->dv.present;
    return strcmp(x->dv.path_or_inline, y->dv.path_or_inline);
}

/* Moves the files met into the state's sorted arrays: live ones, then tombstones. */
static bool collect(rstate *r, lml_error *err) {
    lml_delta_state *st = r->out;
    size_t live = 0;
    for (size_t i = 0; i < r->nfiles; i++) live += r->live[i];
    st->files = calloc(live + 1, sizeof *st->files);
    st->tombstones = calloc(r->nfiles - live + 1, sizeof *st->tombstones);
    if (!st->files || !st->tombstones) return lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->nfiles; i++) {
        if (r->live[i]) st->files[st->nfiles++] = r->files[i];
        else st->tombstones[st->ntombstones++] = r->files[i];
        memset(&r->files[i], 0, sizeof r->files[i]);
    }
    qsort(st->files, st->nfiles, sizeof *st->files, by_path);
    qsort(st->tombstones, st->ntombstones, sizeof *st->tombstones, by_path);
    return true;
}

static void rstate_free(rstate *r) {
    for (size_t i = 0; i < r->cap; i++) free(r->slots[i].key);
    for (size_t i = 0; i < r->nfiles; i++) lml_delta_file_clear(&r->files[i]);
    free(r->slots);
    free(r->files);
    free(r->live);
}

bool lml_delta_replay(const lml_storage *st, const lml_delta_log *log, const lml_delta_segment *seg,
                      lml_delta_state *out, lml_error *err) {
    memset(out, 0, sizeof *out);
    out->version = seg->version;
    rstate r = {.out = out, .version = -1, .target = seg->version};
    bool ok = lml_delta_checkpoint_read(st, log, seg, on_action, &r, err);
    for (size_t i = 0; ok && i < seg->ncommits; i++) {
        r.version = seg->commits[i].version;
        ok = lml_delta_commit_read(st, seg->commits[i].path, on_action, &r, err);
    }
    if (ok && !r.has_protocol)
        ok = lml_error_set(err, LML_EFORMAT, "%s: the log at version %lld has no protocol action (corrupt table)",
                           log->root, (long long)seg->version);
    /* A protocol lakeml cannot read is the first thing to say, before anything it implies. */
    if (ok && !lml_delta_reader_supports(&out->protocol, err)) {
        lml_error_prefix(err, "%s", log->root);
        ok = false;
    }
    if (ok && !r.has_metadata)
        ok = lml_error_set(err, LML_EFORMAT, "%s: the log at version %lld has no metaData action (corrupt table)",
                           log->root, (long long)seg->version);
    if (ok) ok = collect(&r, err);
    rstate_free(&r);
    if (!ok) lml_delta_state_clear(out);
    return ok;
}

void lml_delta_state_clear(lml_delta_state *s) {
    lml_delta_protocol_clear(&s->protocol);
    lml_delta_metadata_clear(&s->metadata);
    for (size_t i = 0; i < s->nfiles; i++) lml_delta_file_clear(&s->files[i]);
    for (size_t i = 0; i < s->ntombstones; i++) lml_delta_file_clear(&s->tombstones[i]);
    for (size_t i = 0; i < s->ntxns; i++) free(s->txns[i].app_id);
    for (size_t i = 0; i < s->ndomains; i++) {
        free(s->domains[i].domain);
        free(s->domains[i].configuration);
    }
    free(s->files);
    free(s->tombstones);
    free(s->txns);
    free(s->domains);
    memset(s, 0, sizeof *s);
}

/* Reader features this reader implements; "timestampWithoutTimezone" is the old name of
 * timestampNtz. vacuumProtocolCheck only asks VACUUM to check the protocol. */
static const char *const reader_features[] = {"columnMapping", "deletionVectors", "timestampNtz",
                                              "timestampWithoutTimezone", "v2Checkpoint", "vacuumProtocolCheck"};

bool lml_delta_reader_supports(const lml_delta_protocol *p, lml_error *err) {
    if (p->min_reader < 1 || p->min_reader > 3)
        return lml_error_set(err, LML_EUNSUPPORTED,
                             "the table requires Delta reader version %d; lakeml reads versions 1 to 3 "
                             "(DELTA_INVALID_PROTOCOL_VERSION)",
                             p->min_reader);
    if (p->min_reader < 3) return true;
    for (size_t i = 0; i < p->reader_features.n; i++) {
        bool known = false;
        for (size_t k = 0; k < sizeof reader_features / sizeof *reader_features && !known; k++)
            known = strcmp(p->reader_features.keys[i], reader_features[k]) == 0;
        if (!known)
            return lml_error_set(err, LML_EUNSUPPORTED,
                                 "the table requires reader feature '%s', which lakeml does not implement "
                                 "(DELTA_UNSUPPORTED_FEATURES_FOR_READ)",
                                 p->reader_features.keys[i]);
    }
    return true;
}

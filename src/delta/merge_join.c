/* MERGE's join of the target rows with the source on the merge condition (delta.md §10.3).
 *
 * The condition's `target column = source column` conjuncts become the keys of a hash join: the
 * table is built over the source (the small side in a CDC upsert: thousands of changes against
 * millions of rows), each target row probes it. Keys compare as SQL's `=` does after its implicit
 * casts: integers of any width by value, an integer against a double as doubles (-0.0 = 0.0 and
 * NaN = NaN, as Spark normalises join keys), strings byte for byte, dates, timestamps and booleans
 * by value; a NULL key never matches. Equalities between other types stay in the residual, which
 * is evaluated on the joined pairs with the expression evaluator; with no usable equality at all,
 * every pair is a candidate (a nested loop, in blocks so memory stays bounded).
 *
 * Output order is fixed — target row, then source row — whatever the thread count: the probe is
 * split into chunks of target rows whose pairs are concatenated in chunk order, and the table
 * yields a key's source rows in increasing order. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/internal.h"
#include "delta/merge_plan_internal.h"
#include "frame/internal.h"

#define MAX_CONJUNCTS 256
#define PAIR_BLOCK ((size_t)1 << 20) /* pairs gathered at once for the residual */
#define PROBE_CHUNK ((size_t)1 << 16)

void lml_merge_pairs_clear(lml_merge_pairs *p)
{
    free(p->t);
    free(p->s);
    *p = (lml_merge_pairs){0};
}

static bool pairs_reserve(lml_merge_pairs *p, size_t more)
{
    if (p->n + more <= p->cap)
        return true;
    size_t cap = p->cap ? p->cap : 1024;
    while (cap < p->n + more)
        cap *= 2;
    size_t *t = realloc(p->t, cap * sizeof *t);
    if (t)
        p->t = t;
    size_t *s = t ? realloc(p->s, cap * sizeof *s) : NULL;
    if (s)
        p->s = s;
    if (!t || !s)
        return false;
    p->cap = cap;
    return true;
}

/* ---------------------------------------------------------------- keys */

typedef enum key_kind { KEY_INT, KEY_DOUBLE, KEY_STRING } key_kind;

typedef enum type_class { CL_NONE, CL_INTEGRAL, CL_FLOATING, CL_STRING, CL_DATE, CL_TS, CL_TS_NTZ, CL_BOOL } type_class;

static type_class class_of(lml_type t)
{
    switch (t) {
    case LML_INT8:
    case LML_INT16:
    case LML_INT32:
    case LML_INT64: return CL_INTEGRAL;
    case LML_FLOAT:
    case LML_DOUBLE: return CL_FLOATING;
    case LML_STRING: return CL_STRING;
    case LML_DATE: return CL_DATE;
    case LML_TIMESTAMP: return CL_TS;
    case LML_TIMESTAMP_NTZ: return CL_TS_NTZ;
    case LML_BOOL: return CL_BOOL;
    default: return CL_NONE;
    }
}

/* How a target/source column pair compares, or false when the hash join cannot take it. */
static bool key_kind_of(lml_type a, lml_type b, key_kind *k)
{
    type_class ca = class_of(a), cb = class_of(b);
    if (ca == CL_NONE || cb == CL_NONE)
        return false;
    if ((ca == CL_INTEGRAL && cb == CL_FLOATING) || (ca == CL_FLOATING && cb == CL_INTEGRAL) ||
        (ca == CL_FLOATING && cb == CL_FLOATING)) {
        *k = KEY_DOUBLE;
        return true;
    }
    if (ca != cb)
        return false;
    *k = ca == CL_STRING ? KEY_STRING : KEY_INT;
    return true;
}

typedef struct key_col {
    const lml_column *c;
    key_kind kind;
} key_col;

typedef struct key_def {
    key_col t, s;
} key_def;

/* Key k of row i as 64 bits (KEY_INT, KEY_DOUBLE); false for NULL. */
static inline bool key_bits(const key_col *k, size_t i, uint64_t *out)
{
    const lml_column *c = k->c;
    if (c->validity && !lml_bit_get(c->validity, i))
        return false;
    int64_t v = 0;
    double d = 0;
    bool is_double = false;
    switch (c->type) {
    case LML_INT8: v = ((const int8_t *)c->values)[i]; break;
    case LML_INT16: v = ((const int16_t *)c->values)[i]; break;
    case LML_INT32:
    case LML_DATE: v = ((const int32_t *)c->values)[i]; break;
    case LML_INT64:
    case LML_TIMESTAMP:
    case LML_TIMESTAMP_NTZ: v = ((const int64_t *)c->values)[i]; break;
    case LML_BOOL: v = lml_bit_get(c->values, i); break;
    case LML_FLOAT: d = ((const float *)c->values)[i], is_double = true; break;
    case LML_DOUBLE: d = ((const double *)c->values)[i], is_double = true; break;
    default: break;
    }
    if (k->kind == KEY_INT) {
        *out = (uint64_t)v;
        return true;
    }
    if (!is_double)
        d = (double)v;
    if (d == 0)
        d = 0; /* -0.0 joins 0.0 */
    if (isnan(d))
        d = NAN; /* one NaN for all */
    memcpy(out, &d, sizeof d);
    return true;
}

static inline uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

static uint64_t hash_bytes(const char *p, size_t len)
{
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ len;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = mix64(h ^ w) + UINT64_C(0x9e3779b97f4a7c15);
        p += 8;
        len -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, len);
    return mix64(h ^ w);
}

/* The hash of row i's keys (side 0: target, 1: source); false when a key is NULL. */
static inline bool row_hash(const key_def *keys, size_t nkeys, int side, size_t i, uint64_t *out)
{
    uint64_t h = 0;
    for (size_t k = 0; k < nkeys; k++) {
        const key_col *kc = side ? &keys[k].s : &keys[k].t;
        uint64_t v;
        if (kc->kind == KEY_STRING) {
            if (kc->c->validity && !lml_bit_get(kc->c->validity, i))
                return false;
            const int32_t *o = kc->c->offsets;
            v = hash_bytes((const char *)kc->c->values + o[i], (size_t)(o[i + 1] - o[i]));
        } else if (!key_bits(kc, i, &v)) {
            return false;
        }
        h = mix64(h * 31 + v + k);
    }
    *out = h;
    return true;
}

/* True when row ia of side sa and row ib of side sb (0 target, 1 source) have equal keys; both
 * rows' keys are present (row_hash checked them). */
static inline bool keys_equal(const key_def *keys, size_t nkeys, int sa, size_t ia, int sb, size_t ib)
{
    for (size_t k = 0; k < nkeys; k++) {
        const key_col *a = sa ? &keys[k].s : &keys[k].t, *b = sb ? &keys[k].s : &keys[k].t;
        if (a->kind == KEY_STRING) {
            const int32_t *oa = a->c->offsets, *ob = b->c->offsets;
            size_t la = (size_t)(oa[ia + 1] - oa[ia]), lb = (size_t)(ob[ib + 1] - ob[ib]);
            if (la != lb || memcmp((const char *)a->c->values + oa[ia], (const char *)b->c->values + ob[ib], la))
                return false;
        } else {
            uint64_t x = 0, y = 0;
            key_bits(a, ia, &x);
            key_bits(b, ib, &y);
            if (x != y)
                return false;
        }
    }
    return true;
}

/* Which input a column reference belongs to: 0 target, 1 source, -1 neither or both. */
static int side_of(const lml_merge_spec *spec, const lml_frame *target, const lml_frame *source, const char *alias,
                   const char *name, long *col)
{
    long ti = lml_frame_column_index(target, name), si = lml_frame_column_index(source, name);
    if (alias) {
        if (spec->target_alias && strcasecmp(alias, spec->target_alias) == 0 && ti >= 0)
            return *col = ti, 0;
        if (spec->source_alias && strcasecmp(alias, spec->source_alias) == 0 && si >= 0)
            return *col = si, 1;
        return -1;
    }
    if (ti >= 0 && si < 0)
        return *col = ti, 0;
    if (si >= 0 && ti < 0)
        return *col = si, 1;
    return -1; /* ambiguous or unknown: the evaluator reports it */
}

/* Splits the condition into hash keys and the residual conjuncts. */
static void split_condition(const lml_merge_spec *spec, const lml_frame *target, const lml_frame *source,
                            key_def *keys, size_t *nkeys, const lml_expr **residual, size_t *nres)
{
    const lml_expr *conj[MAX_CONJUNCTS];
    size_t n = lml_expr_conjuncts(spec->condition, conj, MAX_CONJUNCTS);
    *nkeys = *nres = 0;
    if (n > MAX_CONJUNCTS) { /* not split: the whole condition is evaluated on every pair */
        residual[(*nres)++] = spec->condition;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *la, *ln, *ra, *rn;
        long lc = -1, rc = -1;
        key_kind kind;
        if (lml_expr_is_column_equality(conj[i], &la, &ln, &ra, &rn)) {
            int ls = side_of(spec, target, source, la, ln, &lc), rs = side_of(spec, target, source, ra, rn, &rc);
            if (ls >= 0 && rs >= 0 && ls != rs) {
                long tc = ls == 0 ? lc : rc, sc = ls == 0 ? rc : lc;
                const lml_column *a = target->fields[tc].col, *b = source->fields[sc].col;
                if (key_kind_of(a->type, b->type, &kind)) {
                    keys[*nkeys].t = (key_col){a, kind};
                    keys[*nkeys].s = (key_col){b, kind};
                    (*nkeys)++;
                    continue;
                }
            }
        }
        residual[(*nres)++] = conj[i];
    }
}

/* ---------------------------------------------------------------- hash join */

/* Open addressing with linear probing, one slot per distinct key: a slot is 8 bytes (the hash's
 * top 32 bits and the key's first source row + 1), so that a probe usually costs one cache line
 * however the source rows are laid out. The other source rows of a key hang off the first in a
 * list (next[]) kept in increasing row order, so duplicated keys neither lengthen the probe
 * sequences nor make the build quadratic. */
typedef struct slot {
    uint32_t tag;
    uint32_t row; /* first source row + 1; 0: empty */
} slot;

typedef struct hash_table {
    size_t mask;
    slot *slots;
    uint32_t *tail; /* per slot: last source row + 1 of its key */
    uint32_t *next; /* per source row: next source row + 1 of the same key, 0 at the end */
} hash_table;

static void table_free(hash_table *h)
{
    free(h->slots);
    free(h->tail);
    free(h->next);
}

static bool table_build(const key_def *keys, size_t nkeys, size_t ns, hash_table *h, lml_error *err)
{
    if (ns >= UINT32_MAX)
        return lml_error_set(err, LML_ERANGE, "MERGE: a source of %zu rows is more than the join can index", ns);
    size_t cap = 16;
    while (cap < 2 * ns)
        cap *= 2;
    *h = (hash_table){.mask = cap - 1, .slots = calloc(cap, sizeof(slot)), .tail = calloc(cap, sizeof(uint32_t)),
                      .next = calloc(ns + 1, sizeof(uint32_t))};
    if (!h->slots || !h->tail || !h->next) {
        table_free(h);
        return lml_error_set(err, LML_ENOMEM, "out of memory building the MERGE join table for %zu source rows", ns);
    }
    for (size_t i = 0; i < ns; i++) {
        uint64_t hv;
        if (!row_hash(keys, nkeys, 1, i, &hv))
            continue; /* a NULL key matches nothing */
        uint32_t tag = (uint32_t)(hv >> 32);
        size_t b = (size_t)hv & h->mask;
        while (h->slots[b].row &&
               (h->slots[b].tag != tag || !keys_equal(keys, nkeys, 1, h->slots[b].row - 1, 1, i)))
            b = (b + 1) & h->mask;
        if (h->slots[b].row)
            h->next[h->tail[b] - 1] = (uint32_t)(i + 1);
        else
            h->slots[b] = (slot){tag, (uint32_t)(i + 1)};
        h->tail[b] = (uint32_t)(i + 1);
    }
    return true;
}

typedef struct probe_ctx {
    const key_def *keys;
    size_t nkeys, nt;
    const hash_table *h;
    lml_merge_pairs *chunks;
    bool *failed;
} probe_ctx;

#define PROBE_GROUP 32 /* rows whose slots are prefetched together */

/* Probes target rows [lo, hi) in groups: the group's hashes first, with a prefetch of each home
 * slot, then the lookups, so that the cache misses of a group overlap (the table is larger than
 * the cache for a six-figure source, and a miss per target row would otherwise dominate). */
static void probe_task(void *p, size_t task, int worker)
{
    (void)worker;
    probe_ctx *c = p;
    const slot *slots = c->h->slots;
    size_t mask = c->h->mask;
    lml_merge_pairs *out = &c->chunks[task];
    size_t lo = task * PROBE_CHUNK, hi = lo + PROBE_CHUNK < c->nt ? lo + PROBE_CHUNK : c->nt;
    uint64_t hv[PROBE_GROUP];
    bool present[PROBE_GROUP];
    for (size_t g = lo; g < hi; g += PROBE_GROUP) {
        size_t n = hi - g < PROBE_GROUP ? hi - g : PROBE_GROUP;
        for (size_t k = 0; k < n; k++)
            if ((present[k] = row_hash(c->keys, c->nkeys, 0, g + k, &hv[k])))
                __builtin_prefetch(&slots[hv[k] & mask]);
        for (size_t k = 0; k < n; k++) {
            if (!present[k])
                continue; /* a NULL key matches nothing */
            size_t t = g + k;
            uint32_t tag = (uint32_t)(hv[k] >> 32);
            size_t b = (size_t)hv[k] & mask;
            while (slots[b].row && (slots[b].tag != tag || !keys_equal(c->keys, c->nkeys, 0, t, 1, slots[b].row - 1)))
                b = (b + 1) & mask;
            for (uint32_t s = slots[b].row; s; s = c->h->next[s - 1]) {
                if (!pairs_reserve(out, 1)) {
                    c->failed[task] = true;
                    return;
                }
                out->t[out->n] = t;
                out->s[out->n++] = s - 1;
            }
        }
    }
}

static bool hash_join(const key_def *keys, size_t nkeys, size_t nt, size_t ns, lml_merge_pairs *out, lml_error *err)
{
    hash_table h;
    if (!table_build(keys, nkeys, ns, &h, err))
        return false;
    size_t nchunks = (nt + PROBE_CHUNK - 1) / PROBE_CHUNK;
    lml_merge_pairs *chunks = calloc(nchunks + 1, sizeof *chunks);
    bool *failed = calloc(nchunks + 1, sizeof *failed);
    bool ok = chunks && failed;
    if (ok) {
        probe_ctx ctx = {keys, nkeys, nt, &h, chunks, failed};
        lml_parallel_for(nchunks, probe_task, &ctx);
    }
    size_t total = 0;
    for (size_t k = 0; ok && k < nchunks; k++) {
        ok = !failed[k];
        total += chunks[k].n;
    }
    ok = ok && pairs_reserve(out, total);
    for (size_t k = 0; ok && k < nchunks; k++) {
        if (chunks[k].n) {
            memcpy(out->t + out->n, chunks[k].t, chunks[k].n * sizeof *out->t);
            memcpy(out->s + out->n, chunks[k].s, chunks[k].n * sizeof *out->s);
        }
        out->n += chunks[k].n;
    }
    for (size_t k = 0; chunks && k < nchunks; k++)
        lml_merge_pairs_clear(&chunks[k]);
    free(chunks);
    free(failed);
    table_free(&h);
    if (!ok)
        return lml_error_set(err, LML_ENOMEM, "out of memory joining %zu target rows with %zu source rows", nt, ns);
    return true;
}

/* ---------------------------------------------------------------- residual */

/* Keeps the pairs [from, p->n) for which every residual conjunct is true, compacting them down to
 * `from`. */
static bool filter_pairs(const lml_merge_spec *spec, const lml_frame *target, const lml_frame *source,
                         const lml_expr *const *residual, size_t nres, lml_merge_pairs *p, size_t from,
                         lml_error *err)
{
    size_t n = p->n - from;
    lml_frame *t = lml_frame_take(target, p->t + from, n, err);
    lml_frame *s = t ? lml_frame_take(source, p->s + from, n, err) : NULL;
    uint8_t *keep = NULL;
    bool ok = s != NULL;
    lml_expr_input in[2] = {{spec->target_alias, t}, {spec->source_alias, s}};
    for (size_t r = 0; ok && r < nres; r++) {
        uint8_t *m = NULL;
        if (!(ok = lml_expr_eval_mask(residual[r], in, 2, &m, err))) {
            lml_error_prefix(err, "MERGE condition");
            break;
        }
        if (keep) {
            for (size_t b = 0; b < lml_bitmap_bytes(n); b++)
                keep[b] &= m[b];
            free(m);
        } else {
            keep = m;
        }
    }
    if (ok && keep) {
        size_t w = from;
        for (size_t i = 0; i < n; i++) {
            if (lml_bit_get(keep, i)) {
                p->t[w] = p->t[from + i];
                p->s[w++] = p->s[from + i];
            }
        }
        p->n = w;
    }
    free(keep);
    lml_frame_free(t);
    lml_frame_free(s);
    return ok;
}

static bool filter_all(const lml_merge_spec *spec, const lml_frame *target, const lml_frame *source,
                       const lml_expr *const *residual, size_t nres, lml_merge_pairs *p, lml_error *err)
{
    size_t total = p->n, w = 0;
    for (size_t from = 0; from < total; from += PAIR_BLOCK) {
        size_t n = total - from < PAIR_BLOCK ? total - from : PAIR_BLOCK;
        /* Move the block to the kept prefix's end, filter it there. */
        memmove(p->t + w, p->t + from, n * sizeof *p->t);
        memmove(p->s + w, p->s + from, n * sizeof *p->s);
        p->n = w + n;
        if (!filter_pairs(spec, target, source, residual, nres, p, w, err))
            return false;
        w = p->n;
    }
    p->n = w;
    return true;
}

/* Every (target, source) pair, a block of target rows at a time, filtered by the condition. */
static bool nested_loop(const lml_merge_spec *spec, const lml_frame *target, const lml_frame *source,
                        const lml_expr *const *residual, size_t nres, lml_merge_pairs *p, lml_error *err)
{
    size_t nt = target->nrows, ns = source->nrows;
    if (!nt || !ns)
        return true;
    size_t rows = PAIR_BLOCK / ns ? PAIR_BLOCK / ns : 1;
    for (size_t lo = 0; lo < nt; lo += rows) {
        size_t hi = lo + rows < nt ? lo + rows : nt, from = p->n;
        if (!pairs_reserve(p, (hi - lo) * ns))
            return lml_error_set(err, LML_ENOMEM, "out of memory joining %zu target rows with %zu source rows", nt,
                                 ns);
        for (size_t t = lo; t < hi; t++)
            for (size_t s = 0; s < ns; s++) {
                p->t[p->n] = t;
                p->s[p->n++] = s;
            }
        if (!filter_pairs(spec, target, source, residual, nres, p, from, err))
            return false;
    }
    return true;
}

bool lml_merge_join(const lml_merge_spec *spec, const lml_frame *target, const lml_frame *source,
                    lml_merge_pairs *out, lml_error *err)
{
    *out = (lml_merge_pairs){0};
    key_def keys[MAX_CONJUNCTS];
    const lml_expr *residual[MAX_CONJUNCTS];
    size_t nkeys, nres;
    split_condition(spec, target, source, keys, &nkeys, residual, &nres);
    bool ok;
    if (!nkeys)
        ok = nested_loop(spec, target, source, residual, nres, out, err);
    else
        ok = hash_join(keys, nkeys, target->nrows, source->nrows, out, err) &&
             (!nres || filter_all(spec, target, source, residual, nres, out, err));
    if (!ok)
        lml_merge_pairs_clear(out);
    return ok;
}

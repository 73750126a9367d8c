/* The public Parquet read API: open (mmap + footer, spec §1), footer facts, projection,
 * row-group selection and statistics pruning (§7, prune.c), and the read itself (column_read.c per
 * (leaf, row group) pair in parallel, then assemble.c per field). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../../core/internal.h"
#include "../../frame/internal.h"
#include "column.h"
#include "lakeml/parquet.h"

struct lml_parquet_file {
    char *path;
    uint8_t *map;
    size_t size;
    size_t footer_start;
    lml_pq_file_meta meta;
    lml_pq_schema schema;
    size_t num_fields;
    int *field_nodes; /* schema node of each top-level field */
    lml_parquet_field *fields;
};

static bool pq_open_map(lml_parquet_file *f, lml_error *err) {
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return lml_error_set(err, LML_EIO, "%s: cannot open: %s", f->path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return lml_error_set(err, LML_EIO, "%s: cannot stat: %s", f->path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return lml_error_set(err, LML_EIO, "%s: not a regular file", f->path);
    }
    f->size = (size_t)st.st_size;
    if (f->size < 12) {
        close(fd);
        return lml_error_set(err, LML_EFORMAT, "%s: not a Parquet file (%zu bytes, too short)", f->path, f->size);
    }
    void *m = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (m == MAP_FAILED) return lml_error_set(err, LML_EIO, "%s: cannot map: %s", f->path, strerror(e));
    f->map = m;
    return true;
}

static bool pq_footer(lml_parquet_file *f, lml_error *err) {
    const uint8_t *end = f->map + f->size;
    if (memcmp(end - 4, "PARE", 4) == 0)
        return lml_error_set(err, LML_EUNSUPPORTED, "%s: encrypted Parquet file (footer magic PARE)", f->path);
    if (memcmp(end - 4, "PAR1", 4) != 0 || memcmp(f->map, "PAR1", 4) != 0)
        return lml_error_set(err, LML_EFORMAT, "%s: not a Parquet file (no PAR1 magic at %s)", f->path,
                             memcmp(f->map, "PAR1", 4) != 0 ? "the start" : "the end");
    uint32_t n = (uint32_t)end[-8] | (uint32_t)end[-7] << 8 | (uint32_t)end[-6] << 16 | (uint32_t)end[-5] << 24;
    if (n == 0 || n > f->size - 12)
        return lml_error_set(err, LML_EFORMAT, "%s: footer length %u does not fit the %zu-byte file (truncated?)",
                             f->path, n, f->size);
    f->footer_start = f->size - 8 - n;
    if (!lml_pq_file_meta_decode(f->map + f->footer_start, n, f->path, &f->meta, err)) {
        if (err && err->code != LML_ENOMEM) err->code = err->code == LML_EUNSUPPORTED ? LML_EUNSUPPORTED : LML_EFORMAT;
        return false;
    }
    if (f->meta.encrypted)
        return lml_error_set(err, LML_EUNSUPPORTED, "%s: encrypted Parquet file (encryption_algorithm set)", f->path);
    if (!lml_pq_schema_build(&f->meta, f->path, &f->schema, err)) return false;
    for (size_t i = 0; i < f->meta.num_row_groups; i++) {
        const lml_pq_row_group *rg = &f->meta.row_groups[i];
        if (rg->num_columns != f->schema.num_leaves)
            return lml_error_set(err, LML_EFORMAT, "%s: row group %zu has %zu column chunks for %zu leaf columns",
                                 f->path, i, rg->num_columns, f->schema.num_leaves);
        if (rg->num_rows < 0)
            return lml_error_set(err, LML_EFORMAT, "%s: row group %zu has %lld rows", f->path, i,
                                 (long long)rg->num_rows);
    }
    return true;
}

static const char *first_unsupported(const lml_pq_schema *s, int node) {
    for (size_t j = 0; j < s->num_leaves; j++) {
        if (!s->leaves[j].unsupported) continue;
        for (int p = s->leaves[j].node; p >= 0; p = s->nodes[p].parent)
            if (p == node) return s->leaves[j].unsupported;
    }
    return NULL;
}

static bool pq_fields(lml_parquet_file *f, lml_error *err) {
    const lml_pq_schema *s = &f->schema;
    for (size_t j = 1; j < s->num_nodes; j++) f->num_fields += s->nodes[j].parent == 0;
    f->field_nodes = calloc(f->num_fields + 1, sizeof *f->field_nodes);
    f->fields = calloc(f->num_fields + 1, sizeof *f->fields);
    if (!f->field_nodes || !f->fields) return lml_error_set(err, LML_ENOMEM, "out of memory");
    size_t k = 0;
    for (size_t j = 1; j < s->num_nodes; j++) {
        if (s->nodes[j].parent != 0) continue;
        lml_parquet_field *fd = &f->fields[k];
        f->field_nodes[k++] = (int)j;
        fd->name = s->nodes[j].el->name;
        fd->type = lml_pq_node_type(s, (int)j);
        fd->nullable = s->nodes[j].el->has_repetition && s->nodes[j].el->repetition == LML_PQ_OPTIONAL;
        fd->unsupported_reason = first_unsupported(s, (int)j);
        fd->supported = fd->unsupported_reason == NULL;
        fd->has_field_id = s->nodes[j].el->has_field_id;
        fd->field_id = s->nodes[j].el->field_id;
    }
    return true;
}

lml_parquet_file *lml_parquet_open(const char *path, lml_error *err) {
    if (!path) {
        lml_error_set(err, LML_EINVAL, "lml_parquet_open: path is NULL");
        return NULL;
    }
    lml_parquet_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = lml_strdup(path, err))) {
        free(f);
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    if (!pq_open_map(f, err) || !pq_footer(f, err) || !pq_fields(f, err)) {
        lml_parquet_close(f);
        return NULL;
    }
    return f;
}

void lml_parquet_close(lml_parquet_file *f) {
    if (!f) return;
    if (f->map) munmap(f->map, f->size);
    lml_pq_file_meta_clear(&f->meta);
    lml_pq_schema_clear(&f->schema);
    free(f->field_nodes);
    free(f->fields);
    free(f->path);
    free(f);
}

int64_t lml_parquet_num_rows(const lml_parquet_file *f) {
    int64_t n = 0;
    for (size_t i = 0; i < f->meta.num_row_groups; i++) n += f->meta.row_groups[i].num_rows;
    return n;
}
size_t lml_parquet_num_row_groups(const lml_parquet_file *f) { return f->meta.num_row_groups; }
int64_t lml_parquet_row_group_num_rows(const lml_parquet_file *f, size_t i) {
    return i < f->meta.num_row_groups ? f->meta.row_groups[i].num_rows : -1;
}
const char *lml_parquet_created_by(const lml_parquet_file *f) { return f->meta.created_by; }
size_t lml_parquet_num_metadata(const lml_parquet_file *f) { return f->meta.num_kv; }
bool lml_parquet_metadata_at(const lml_parquet_file *f, size_t i, const char **key, const char **value) {
    if (i >= f->meta.num_kv) return false;
    if (key) *key = f->meta.kv[i].key;
    if (value) *value = f->meta.kv[i].value;
    return true;
}
const char *lml_parquet_metadata_get(const lml_parquet_file *f, const char *key) {
    for (size_t i = 0; i < f->meta.num_kv; i++)
        if (f->meta.kv[i].key && strcmp(f->meta.kv[i].key, key) == 0) return f->meta.kv[i].value;
    return NULL;
}
size_t lml_parquet_num_fields(const lml_parquet_file *f) { return f->num_fields; }
const lml_parquet_field *lml_parquet_field_at(const lml_parquet_file *f, size_t i) {
    return i < f->num_fields ? &f->fields[i] : NULL;
}

/* ---- reading */

static long find_field(const lml_parquet_file *f, const char *name) {
    for (size_t i = 0; i < f->num_fields; i++)
        if (strcasecmp(f->fields[i].name, name) == 0) return (long)i;
    return -1;
}

/* The unit of parallel work is a piece: one leaf over a run of consecutive row groups, decoded
 * on its own, so a few columns over several row groups still keep every worker busy. A flat
 * leaf (flat.c) gets one piece per row group, each filling its rows of the column allocated up
 * front; any other leaf is split only when there are too few leaves to go round, and its pieces
 * are joined in row-group order and assembled. Either way the result is the same whatever the
 * thread count. Fields are read in batches and each batch's chunks are freed as soon as its
 * frame columns are built, so the read peaks near frame + file rather than holding every
 * decoded chunk at once. */
typedef struct read_task {
    size_t slot;     /* index into the batch's leaves */
    size_t from, to; /* row groups [from, to) of the selection */
} read_task;

typedef struct read_job {
    const lml_parquet_file *f;
    const size_t *rgs;
    const size_t *rg_row0; /* first row of each selected row group in the result */
    bool skip_checksums;
    const int *leaves;     /* this batch's leaf indexes */
    size_t nleaves;
    const size_t *first;   /* pieces of leaf slot i: [first[i], first[i + 1]) */
    const read_task *tasks;
    lml_pq_rchunk *pieces; /* one per task */
    lml_column **sinks;    /* by leaf index: the flat column being filled, or NULL */
    lml_error *errs;       /* one per task, then one per field */
    bool *failed;
    /* assembly of the batch's fields */
    const int *nodes;      /* schema node of each field of the batch */
    lml_column **cols;     /* where each field's column goes */
    lml_pq_rchunk *chunks; /* by leaf index */
} read_job;

static void read_pair(void *ctx, size_t t, int worker) {
    (void)worker;
    read_job *j = ctx;
    const read_task *tk = &j->tasks[t];
    int li = j->leaves[tk->slot];
    const lml_pq_rleaf *lf = &j->f->schema.leaves[li];
    lml_pq_rchunk *c = &j->pieces[t];
    if ((c->sink = j->sinks[li])) c->sink_from = c->sink_row = j->rg_row0[tk->from];
    for (size_t k = tk->from; k < tk->to; k++) {
        size_t rg = j->rgs[k];
        int64_t want = j->f->meta.row_groups[rg].num_rows;
        lml_pq_rchunk_source src = {.file = j->f->map, .data_end = j->f->footer_start, .what = j->f->path,
                                   .row_group = (int)rg, .num_rows = want, .skip_checksums = j->skip_checksums};
        size_t before = c->num_levels;
        if (!lml_pq_rchunk_read(&src, &j->f->meta.row_groups[rg].columns[li], lf, c, &j->errs[t])) {
            j->failed[t] = true;
            return;
        }
        /* Never trust a count alone: the levels say how many rows the chunk holds. */
        size_t rows = c->sink ? (size_t)want : lml_pq_rchunk_rows(c, before);
        if ((int64_t)rows != want) {
            lml_error_set(&j->errs[t], LML_EFORMAT, "%s: column '%s', row group %zu: %zu rows decoded, footer says %lld",
                          j->f->path, lf->path, rg, rows, (long long)want);
            j->failed[t] = true;
            lml_pq_rchunk_clear(c);
            return;
        }
    }
}

static bool grow_to(void **p, size_t n, size_t elem) {
    void *q = realloc(*p, n * elem + 1);
    return q ? (*p = q, true) : false;
}

/* Joins n pieces (row groups in order) into dst, freeing each piece as it goes. The first
 * piece's buffers are grown in place (realloc of a large block remaps rather than copies), so
 * the join holds the leaf's data about once, not twice. */
static bool join_pieces(lml_pq_rchunk *pieces, size_t n, lml_pq_rchunk *dst, lml_error *err) {
    if (n == 0) return true;
    size_t nl = 0, nv = 0, nb = 0;
    bool has_def = false, has_rep = false;
    for (size_t k = 0; k < n; k++) {
        nl += pieces[k].num_levels;
        nv += pieces[k].num_values;
        nb += pieces[k].bytes_len;
        has_def |= pieces[k].def != NULL;
        has_rep |= pieces[k].rep != NULL;
    }
    lml_pq_rchunk o = pieces[0];
    memset(&pieces[0], 0, sizeof pieces[0]);
    if (n == 1) {
        *dst = o;
        return true;
    }
    bool ok = true;
    if (has_def) ok &= grow_to((void **)&o.def, nl, sizeof *o.def);
    if (has_rep) ok &= grow_to((void **)&o.rep, nl, sizeof *o.rep);
    if (o.width) {
        ok &= grow_to((void **)&o.fixed, nv, o.width);
    } else {
        ok &= grow_to((void **)&o.off, nv + 1, sizeof *o.off);
        ok &= grow_to((void **)&o.bytes, nb, 1);
    }
    if (!ok) {
        lml_pq_rchunk_clear(&o);
        return lml_error_set(err, LML_ENOMEM, "out of memory");
    }
    /* A piece without level arrays has no entries (a leaf with levels gets them on every page);
     * the loop below fills such gaps with zeros all the same. */
    if (!o.width && o.num_values == 0) o.off[0] = 0;
    size_t l = o.num_levels, v = o.num_values, b = o.bytes_len;
    for (size_t k = 1; k < n; k++) {
        lml_pq_rchunk *p = &pieces[k];
        size_t m = p->num_levels;
        if (o.def && m) {
            if (p->def) memcpy(o.def + l, p->def, m * sizeof *o.def);
            else memset(o.def + l, 0, m * sizeof *o.def);
        }
        if (o.rep && m) {
            if (p->rep) memcpy(o.rep + l, p->rep, m * sizeof *o.rep);
            else memset(o.rep + l, 0, m * sizeof *o.rep);
        }
        if (o.width && p->num_values) {
            memcpy(o.fixed + v * o.width, p->fixed, p->num_values * o.width);
        } else if (!o.width && p->num_values) {
            for (size_t i = 0; i < p->num_values; i++) o.off[v + i + 1] = p->off[i + 1] + (int64_t)b;
            if (p->bytes_len) memcpy(o.bytes + b, p->bytes, p->bytes_len);
        }
        l += m;
        v += p->num_values;
        b += p->bytes_len;
        lml_pq_rchunk_clear(p);
    }
    o.num_levels = nl;
    o.num_values = nv;
    o.bytes_len = nb;
    o.level_cap = nl;
    o.value_cap = o.width ? nv : nv + 1;
    o.bytes_cap = nb + 1;
    *dst = o;
    return true;
}

static void build_field(void *ctx, size_t t, int worker) {
    (void)worker;
    read_job *j = ctx;
    const lml_pq_schema *s = &j->f->schema;
    int node = j->nodes[t];
    lml_error *e = &j->errs[j->first[j->nleaves] + t];
    bool ok = true;
    for (size_t i = 0; i < j->nleaves; i++) {
        int li = j->leaves[i];
        bool mine = false;
        for (int p = s->leaves[li].node; p >= 0 && !mine; p = s->nodes[p].parent) mine = p == node;
        if (!mine || !ok) continue;
        lml_pq_rchunk *pieces = &j->pieces[j->first[i]];
        size_t n = j->first[i + 1] - j->first[i];
        if (j->sinks[li]) { /* the column moves from sinks to cols, or is freed by the caller */
            ok = lml_pq_flat_finish(j->sinks[li], pieces, n, j->f->path, s->leaves[li].path, e);
            if (ok) j->cols[t] = j->sinks[li], j->sinks[li] = NULL;
        } else {
            ok = join_pieces(pieces, n, &j->chunks[li], e);
        }
    }
    if (ok && !j->cols[t]) j->cols[t] = lml_pq_assemble(s, node, j->chunks, j->f->path, e);
    if (!ok || !j->cols[t]) j->failed[j->first[j->nleaves] + t] = true;
    for (size_t i = 0; i < j->nleaves; i++) {
        int li = j->leaves[i];
        for (int p = s->leaves[li].node; p >= 0; p = s->nodes[p].parent)
            if (p == node) {
                lml_pq_rchunk_clear(&j->chunks[li]);
                break;
            }
    }
}

static bool in_subtree(const lml_pq_schema *s, int node, int top) {
    for (int p = node; p >= 0; p = s->nodes[p].parent)
        if (p == top) return true;
    return false;
}

/* Whether field `node` is read flat (flat.c): a flat leaf whose every selected chunk claims
 * exactly its row group's rows, and no more rows than its bytes could plausibly hold — the
 * column is allocated for all of them before a page is read, so a lying footer must not make
 * that allocation huge; such a file takes the general path, which allocates page by page. */
static bool read_flat(const lml_parquet_file *f, int node, const size_t *rgs, size_t nrg) {
    if (!lml_pq_flat_eligible(&f->schema, node)) return false;
    int li = f->schema.nodes[node].leaf_index;
    for (size_t k = 0; k < nrg; k++) {
        const lml_pq_row_group *rg = &f->meta.row_groups[rgs[k]];
        const lml_pq_column_chunk *cc = &rg->columns[li];
        int64_t bytes = cc->meta.total_compressed_size;
        if (!cc->has_meta_data || cc->meta.num_values != rg->num_rows || bytes < 0 || (uint64_t)bytes > f->footer_start ||
            rg->num_rows > 64 * bytes + 4096)
            return false;
    }
    return true;
}

/* Reads the selected fields batch by batch: each batch takes whole fields until it holds enough
 * pieces to keep the pool busy, decodes the pieces in parallel, then builds the batch's columns
 * in parallel and frees their chunks. A field selected twice starts a new batch (its leaves'
 * chunks are rebuilt), since a leaf's chunk is consumed by its column. */
static bool read_batches(const lml_parquet_file *f, const lml_parquet_read_options *opt, const long *sel, size_t nsel,
                         const size_t *rgs, size_t nrg, int *leaves, lml_column **cols, lml_error *err) {
    const lml_pq_schema *s = &f->schema;
    size_t nthreads = (size_t)(lml_pool_size() > 0 ? lml_pool_size() : 1), target = 4 * nthreads;
    int *nodes = calloc(nsel + 1, sizeof *nodes);
    bool *inbatch = calloc(s->num_leaves + 1, sizeof *inbatch), *flat = calloc(nsel + 1, sizeof *flat);
    lml_pq_rchunk *chunks = calloc(s->num_leaves + 1, sizeof *chunks);
    lml_column **sinks = calloc(s->num_leaves + 1, sizeof *sinks);
    size_t *row0 = calloc(nrg + 1, sizeof *row0), *first = calloc(s->num_leaves + 2, sizeof *first);
    read_task *tasks = NULL;
    bool ok = nodes && inbatch && flat && chunks && sinks && row0 && first;
    if (!ok) lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t k = 0; ok && k < nrg; k++) row0[k + 1] = row0[k] + (size_t)f->meta.row_groups[rgs[k]].num_rows;
    size_t total = 0; /* leaves read, counted once per selection */
    for (size_t i = 0; ok && i < nsel; i++) {
        nodes[i] = f->field_nodes[sel[i]];
        flat[i] = read_flat(f, nodes[i], rgs, nrg);
        for (size_t li = 0; li < s->num_leaves; li++) total += in_subtree(s, s->leaves[li].node, nodes[i]);
    }
    /* Splitting a non-flat leaf's row groups costs a join (a copy of its data), so it is split
     * only when there are too few leaves to give every worker two tasks. */
    size_t nseg = 1;
    if (nthreads > 1 && total < 2 * nthreads && nrg > 1) {
        nseg = (2 * nthreads + total - 1) / (total ? total : 1);
        if (nseg > nrg) nseg = nrg;
    }
    for (size_t i0 = 0; ok && i0 < nsel;) {
        size_t i1 = i0, nl = 0, ntasks = 0;
        memset(inbatch, 0, s->num_leaves * sizeof *inbatch);
        while (i1 < nsel) {
            size_t start = nl;
            bool dup = false;
            for (size_t li = 0; li < s->num_leaves; li++)
                if (in_subtree(s, s->leaves[li].node, nodes[i1])) {
                    dup |= inbatch[li];
                    leaves[nl++] = (int)li;
                }
            if (dup && i1 > i0) {
                nl = start;
                break;
            }
            for (size_t k = start; k < nl; k++) inbatch[leaves[k]] = true;
            ntasks += (nl - start) * (flat[i1] ? nrg : nseg);
            i1++;
            if (ntasks >= target) break;
        }
        size_t nf = i1 - i0;
        read_task *nt = realloc(tasks, (ntasks + 1) * sizeof *tasks);
        lml_pq_rchunk *pieces = calloc(ntasks + 1, sizeof *pieces);
        lml_error *errs = calloc(ntasks + nf + 1, sizeof *errs);
        bool *failed = calloc(ntasks + nf + 1, sizeof *failed);
        if (nt) tasks = nt;
        if (!nt || !pieces || !errs || !failed) ok = lml_error_set(err, LML_ENOMEM, "out of memory");
        for (size_t i = i0, slot = 0, t = 0; ok && i < i1; i++) {
            for (; slot < nl && in_subtree(s, s->leaves[leaves[slot]].node, nodes[i]); slot++) {
                first[slot] = t;
                size_t per = flat[i] ? nrg : nseg;
                for (size_t g = 0; g < per; g++) tasks[t++] = (read_task){slot, g * nrg / per, (g + 1) * nrg / per};
                if (!flat[i]) continue;
                const lml_pq_rleaf *lf = &s->leaves[leaves[slot]];
                sinks[leaves[slot]] = lml_column_alloc(lf->type, row0[nrg], 0, lf->max_def > 0, err);
                ok = sinks[leaves[slot]] != NULL;
            }
            first[nl] = t;
        }
        if (ok) {
            read_job job = {.f = f, .rgs = rgs, .rg_row0 = row0, .skip_checksums = opt->skip_checksums,
                            .leaves = leaves, .nleaves = nl, .first = first, .tasks = tasks, .pieces = pieces,
                            .sinks = sinks, .errs = errs, .failed = failed, .nodes = nodes + i0, .cols = cols + i0,
                            .chunks = chunks};
            lml_parallel_for(ntasks, read_pair, &job);
            for (size_t t = 0; ok && t < ntasks; t++)
                if (failed[t]) {
                    if (err) *err = errs[t];
                    ok = false;
                }
            if (ok) lml_parallel_for(nf, build_field, &job);
            for (size_t t = ntasks; ok && t < ntasks + nf; t++)
                if (failed[t]) {
                    if (err) *err = errs[t];
                    ok = false;
                }
        }
        for (size_t t = 0; pieces && t < ntasks; t++) lml_pq_rchunk_clear(&pieces[t]);
        for (size_t k = 0; k < nl; k++) {
            lml_column_free(sinks[leaves[k]]);
            sinks[leaves[k]] = NULL;
        }
        free(pieces);
        free(errs);
        free(failed);
        i0 = i1;
    }
    for (size_t li = 0; chunks && li < s->num_leaves; li++) lml_pq_rchunk_clear(&chunks[li]);
    free(chunks);
    free(sinks);
    free(tasks);
    free(row0);
    free(first);
    free(flat);
    free(inbatch);
    free(nodes);
    return ok;
}

lml_frame *lml_parquet_file_read(const lml_parquet_file *f, const lml_parquet_read_options *opt, lml_error *err) {
    static const lml_parquet_read_options none = {0};
    if (!opt) opt = &none;
    size_t nsel = f->num_fields, nrg = opt->row_groups ? opt->num_row_groups : f->meta.num_row_groups;
    if (opt->columns)
        for (nsel = 0; opt->columns[nsel]; nsel++) {}
    long *sel = calloc(nsel + 1, sizeof *sel);
    size_t *rgs = calloc(nrg + 1, sizeof *rgs);
    int *leaves = calloc(f->schema.num_leaves + 1, sizeof *leaves);
    lml_column **cols = calloc(nsel + 1, sizeof *cols);
    const char **names = calloc(nsel + 1, sizeof *names);
    lml_frame *out = NULL;
    size_t kept = 0;
    if (!sel || !rgs || !leaves || !cols || !names) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nsel; i++) {
        sel[i] = opt->columns ? find_field(f, opt->columns[i]) : (long)i;
        if (sel[i] < 0) {
            lml_error_set(err, LML_ENOTFOUND, "%s: no column '%s' in the file", f->path, opt->columns[i]);
            goto done;
        }
        names[i] = f->fields[sel[i]].name;
    }
    const lml_pq_rleaf *plf = NULL;
    if (opt->predicate) {
        long pf = opt->predicate->column ? find_field(f, opt->predicate->column) : -1;
        if (pf < 0) {
            lml_error_set(err, LML_ENOTFOUND, "%s: predicate column '%s' not in the file", f->path,
                          opt->predicate->column ? opt->predicate->column : "(null)");
            goto done;
        }
        const lml_pq_node *nd = &f->schema.nodes[f->field_nodes[pf]];
        if (nd->is_leaf && nd->rep_level == 0) plf = &f->schema.leaves[nd->leaf_index];
        if (plf && !opt->predicate->value.is_null && opt->predicate->op <= LML_PQ_OP_GE &&
            !lml_pq_value_fits(plf, &opt->predicate->value)) {
            lml_error_set(err, LML_ETYPE, "%s: predicate on column '%s' compares a %s value", f->path, nd->el->name,
                          lml_type_name(opt->predicate->value.type));
            goto done;
        }
    }
    for (size_t k = 0; k < nrg; k++) {
        size_t rg = opt->row_groups ? opt->row_groups[k] : k;
        if (rg >= f->meta.num_row_groups) {
            lml_error_set(err, LML_EINVAL, "%s: row group %zu out of range (the file has %zu)", f->path, rg,
                          f->meta.num_row_groups);
            goto done;
        }
        if (plf && lml_pq_rg_pruned(&f->meta, plf, (size_t)(plf - f->schema.leaves), rg, opt->predicate)) continue;
        rgs[kept++] = rg;
    }
    if (!read_batches(f, opt, sel, nsel, rgs, kept, leaves, cols, err)) goto done;
    out = lml_frame_new(nsel, names, cols, err);
    if (!out && err && err->code == LML_EINVAL) {
        char msg[LML_ERROR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "%s", err->message);
        lml_error_set(err, LML_EFORMAT, "%s: columns do not fit one frame: %s", f->path, msg);
    }
done:
    for (size_t i = 0; cols && i < nsel; i++) lml_column_free(cols[i]);
    free(sel);
    free(rgs);
    free(leaves);
    free(cols);
    free(names);
    return out;
}

lml_frame *lml_parquet_read(const char *path, const lml_parquet_read_options *opt, lml_error *err) {
    lml_parquet_file *f = lml_parquet_open(path, err);
    if (!f) return NULL;
    lml_frame *fr = lml_parquet_file_read(f, opt, err);
    lml_parquet_close(f);
    return fr;
}

lml_frame *lml_parquet_read_row_group(const lml_parquet_file *f, size_t i, const char *const *columns, lml_error *err) {
    lml_parquet_read_options o = {.columns = columns, .row_groups = &i, .num_row_groups = 1};
    return lml_parquet_file_read(f, &o, err);
}

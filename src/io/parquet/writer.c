/* The Parquet writer: a frame, whole (lml_parquet_write) or batch by batch (lml_parquet_writer_*),
 * as a Parquet file the way Spark writes a DataFrame (spec/parquet.md §9, §10): rows buffered into
 * row groups of about row_group_size uncompressed bytes whose column chunks are encoded in
 * parallel (page_write.c), the footer with Spark's schema JSON (writer_schema.c), written under a
 * temporary name and renamed into place. lml_parquet_write is open + one write + close, so a frame
 * written whole and the same rows written as batches take the same path. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/internal.h"
#include "frame/internal.h"
#include "io/parquet/codec.h"
#include "io/parquet/writer_internal.h"
#include "lakeml/parquet.h"

#define MIB ((size_t)1 << 20)
typedef struct leafbuf {
    lml_pq_leaf leaf;
    uint8_t *def, *rep;
    size_t *sel;
    void *vals;
    lml_pq_chunk chunk;
    lml_error err;
    bool ok;
} leafbuf;

typedef struct wctx {
    lml_pq_chunk_options copt;
    size_t nleaves;
    leafbuf *lb;
    char **what; /* per leaf: "file: column 'v.values.list.element'" */
} wctx;


static size_t leaves_of(const lml_column *col) { return lml_pq_leaf_count(col); }

static bool is_flat(lml_type t) { return t != LML_VECTOR && t != LML_LIST && t != LML_STRUCT && t != LML_MAP; }

/* ---------------------------------------------------------------- shredding one row group */

static bool flat_leaf(const lml_column *col, size_t r0, size_t n, leafbuf *b, lml_error *err) {
    lml_pq_leaf *l = &b->leaf;
    l->type = lml_pq_physical(col, &l->src_width, &l->type_length);
    l->max_def = 1;
    l->num_levels = n;
    l->num_values = n;
    l->base = r0;
    l->values = col->values;
    l->offsets = col->offsets;
    l->data = col->values;
    if (!col->validity) return true;
    size_t nv = 0;
    for (size_t i = 0; i < n; i++) nv += lml_bit_get(col->validity, r0 + i);
    if (nv == n) return true;
    b->def = malloc(n);
    b->sel = malloc((nv ? nv : 1) * sizeof *b->sel);
    if (!b->def || !b->sel) return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
    for (size_t i = 0, v = 0; i < n; i++) {
        bool present = lml_bit_get(col->validity, r0 + i);
        b->def[i] = present;
        if (present) b->sel[v++] = r0 + i;
    }
    l->def = b->def;
    l->sel = b->sel;
    l->num_values = nv;
    return true;
}

static bool alloc_levels(leafbuf *b, size_t entries, size_t vals, size_t width, bool rep, lml_error *err) {
    size_t bytes;
    if (!lml_mul_ok(vals ? vals : 1, width, &bytes)) return lml_error_set(err, LML_ENOMEM, "parquet write: size overflow");
    b->def = malloc(entries ? entries : 1);
    b->rep = rep ? malloc(entries ? entries : 1) : NULL;
    b->vals = malloc(bytes);
    if (!b->def || (rep && !b->rep) || !b->vals) return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
    b->leaf.def = b->def;
    b->leaf.rep = b->rep;
    b->leaf.values = b->vals;
    return true;
}

/* Spark's VectorUDT shredding (spec §5.6): type 1 dense (size and indices null, values = all
 * entries) or 0 sparse (size, indices, values); a null vector is def 0 in all four leaves. */
static bool vector_leaves(const lml_column *col, size_t r0, size_t n, leafbuf *b, lml_error *err) {
    /* Level entries of the indices and values leaves: one per null or empty list, else one per
     * element; a dense row has no indices (one entry, the null list). */
    size_t d = col->vec_size, entries[2] = {0, 0}, nvals[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        size_t r = r0 + i, cnt = col->sparse ? (size_t)(col->indptr[r + 1] - col->indptr[r]) : d;
        bool null = lml_column_is_null(col, r);
        size_t icnt = col->sparse ? cnt : 0;
        entries[0] += null || icnt == 0 ? 1 : icnt;
        entries[1] += null || cnt == 0 ? 1 : cnt;
        nvals[0] += null ? 0 : icnt;
        nvals[1] += null ? 0 : cnt;
    }
    static const int32_t types[4] = {LML_PQ_INT32, LML_PQ_INT32, LML_PQ_INT32, LML_PQ_DOUBLE};
    static const int maxdef[4] = {1, 2, 3, 3};
    for (int k = 0; k < 4; k++) {
        b[k].leaf.type = types[k];
        b[k].leaf.max_def = maxdef[k];
        b[k].leaf.max_rep = k >= 2;
        b[k].leaf.num_levels = k >= 2 ? entries[k - 2] : n;
        if (!alloc_levels(&b[k], b[k].leaf.num_levels, k >= 2 ? nvals[k - 2] : n, k == 3 ? 8 : 4, k >= 2, err))
            return false;
    }
    int32_t *tv = b[0].vals, *sv = b[1].vals, *iv = b[2].vals;
    double *vv = b[3].vals;
    size_t nt = 0, ns = 0, e2 = 0, e3 = 0, ni = 0, nvv = 0;
    for (size_t i = 0; i < n; i++) {
        size_t r = r0 + i;
        if (lml_column_is_null(col, r)) {
            b[0].def[i] = b[1].def[i] = 0;
            b[2].def[e2] = b[2].rep[e2] = 0, e2++;
            b[3].def[e3] = b[3].rep[e3] = 0, e3++;
            continue;
        }
        b[0].def[i] = 1;
        tv[nt++] = col->sparse ? 0 : 1;
        if (!col->sparse) {
            b[1].def[i] = 1;
            b[2].def[e2] = 1, b[2].rep[e2] = 0, e2++;
            if (d == 0) b[3].def[e3] = 2, b[3].rep[e3] = 0, e3++;
            for (size_t j = 0; j < d; j++, e3++) b[3].def[e3] = 3, b[3].rep[e3] = j > 0, vv[nvv++] = col->vvalues[r * d + j];
            continue;
        }
        b[1].def[i] = 2;
        sv[ns++] = (int32_t)d;
        int64_t a = col->indptr[r], z = col->indptr[r + 1];
        if (a == z) {
            b[2].def[e2] = 2, b[2].rep[e2] = 0, e2++;
            b[3].def[e3] = 2, b[3].rep[e3] = 0, e3++;
        }
        for (int64_t j = a; j < z; j++, e2++, e3++) {
            b[2].def[e2] = b[3].def[e3] = 3;
            b[2].rep[e2] = b[3].rep[e3] = j > a;
            iv[ni++] = col->indices[j];
            vv[nvv++] = col->vvalues[j];
        }
    }
    b[0].leaf.num_values = nt, b[1].leaf.num_values = ns, b[2].leaf.num_values = ni, b[3].leaf.num_values = nvv;
    b[0].leaf.def = col->null_count ? b[0].def : NULL; /* all 1 otherwise: a single run anyway */
    return true;
}

static void leafbuf_reset(leafbuf *b) {
    free(b->def), free(b->rep), free(b->sel), free(b->vals);
    lml_pq_chunk_clear(&b->chunk);
    memset(b, 0, sizeof *b);
}

static void encode_task(void *ctx, size_t k, int worker) {
    (void)worker;
    wctx *w = ctx;
    leafbuf *b = &w->lb[k];
    b->leaf.what = w->what[k];
    b->ok = lml_pq_chunk_encode(&b->leaf, &w->copt, &b->chunk, &b->err);
}

/* ---------------------------------------------------------------- file */

static bool write_all(int fd, const void *p, size_t n, int64_t *pos, const char *path, lml_error *err) {
    const uint8_t *c = p;
    while (n) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return lml_error_set(err, LML_EIO, "cannot write %s: %s", path, k < 0 ? strerror(errno) : "short write");
        c += k, n -= (size_t)k, *pos += k;
    }
    return true;
}

/* Uncompressed bytes of f's rows, to size row groups before encoding them. */
static size_t frame_bytes(const lml_frame *f) {
    size_t total = 0;
    for (size_t i = 0; i < f->ncols; i++) total += lml_pq_column_bytes(f->fields[i].col);
    return total;
}

/* Uncompressed bytes one row adds. */
static size_t row_bytes(const lml_frame *f) {
    size_t total = frame_bytes(f) / (f->nrows ? f->nrows : 1);
    return total ? total : 1;
}

static bool write_row_group(wctx *w, const lml_frame *f, int fd, int64_t *pos, size_t r0, size_t n,
                            const char *path, lml_pq_file_meta *m, lml_error *err) {
    for (size_t i = 0, k = 0; i < f->ncols; k += leaves_of(f->fields[i].col), i++) {
        const lml_column *col = f->fields[i].col;
        bool ok = true;
        if (col->type == LML_VECTOR) ok = vector_leaves(col, r0, n, &w->lb[k], err);
        else if (is_flat(col->type)) ok = flat_leaf(col, r0, n, &w->lb[k], err);
        else
            for (size_t j = 0; ok && j < leaves_of(col); j++) {
                leafbuf *b = &w->lb[k + j];
                ok = lml_pq_shred(col, f->fields[i].name, j, r0, n, &b->leaf, &b->def, &b->rep, &b->sel, err);
            }
        if (!ok) return false;
    }
    lml_parallel_for(w->nleaves, encode_task, w);

    size_t g = m->num_row_groups;
    lml_pq_row_group *rg = &m->row_groups[g];
    memset(rg, 0, sizeof *rg);
    m->num_row_groups++;
    if (!(rg->columns = calloc(w->nleaves, sizeof *rg->columns)))
        return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
    rg->num_columns = w->nleaves;
    rg->num_rows = (int64_t)n;
    rg->has_file_offset = rg->has_total_compressed_size = true;
    rg->file_offset = *pos;
    if (g <= INT16_MAX) rg->has_ordinal = true, rg->ordinal = (int16_t)g;
    for (size_t i = 0, k = 0; i < f->ncols; i++) {
        for (size_t j = 0; j < leaves_of(f->fields[i].col); j++, k++) {
            leafbuf *b = &w->lb[k];
            if (!b->ok) {
                if (err) *err = b->err;
                lml_error_prefix(err, "%s: row group %zu", path, g);
                return false;
            }
            lml_pq_chunk *c = &b->chunk;
            lml_pq_column_chunk *cc = &rg->columns[k];
            lml_pq_column_meta *cm = &cc->meta;
            cc->has_meta_data = true;
            cc->file_offset = *pos;
            if (!lml_pq_writer_leaf_path(f->fields[i].col, f->fields[i].name, j, cm, err)) return false;
            cm->type = b->leaf.type;
            cm->codec = w->copt.codec;
            cm->num_values = c->num_values;
            cm->total_uncompressed_size = c->uncompressed_size;
            cm->total_compressed_size = (int64_t)(c->dict_len + c->data_len);
            if (c->dict_len) cm->has_dictionary_page_offset = true, cm->dictionary_page_offset = *pos;
            cm->data_page_offset = *pos + (int64_t)c->dict_len;
            cm->statistics = c->stats;
            memset(&c->stats, 0, sizeof c->stats);
            cm->encodings = malloc(c->num_encodings * sizeof(int32_t));
            cm->encoding_stats = malloc((c->num_encoding_stats ? c->num_encoding_stats : 1) * sizeof *cm->encoding_stats);
            if (!cm->encodings || !cm->encoding_stats) return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
            memcpy(cm->encodings, c->encodings, c->num_encodings * sizeof(int32_t));
            cm->num_encodings = c->num_encodings;
            memcpy(cm->encoding_stats, c->encoding_stats, c->num_encoding_stats * sizeof *cm->encoding_stats);
            cm->num_encoding_stats = c->num_encoding_stats;
            if (!write_all(fd, c->dict, c->dict_len, pos, path, err) || !write_all(fd, c->data, c->data_len, pos, path, err))
                return false;
            rg->total_byte_size += c->uncompressed_size;
            rg->total_compressed_size += cm->total_compressed_size;
            leafbuf_reset(b);
        }
    }
    return true;
}

static bool options(const lml_parquet_write_options *o, lml_pq_chunk_options *c, size_t *rg_size, lml_error *err) {
    static const int codecs[] = {LML_PQ_SNAPPY, LML_PQ_UNCOMPRESSED, LML_PQ_GZIP, LML_PQ_ZSTD, LML_PQ_LZ4_RAW};
    if ((unsigned)o->codec >= sizeof codecs / sizeof *codecs)
        return lml_error_set(err, LML_EINVAL, "lml_parquet_write: unknown codec %d", (int)o->codec);
    c->codec = codecs[o->codec];
    c->level = o->compression_level ? o->compression_level : (c->codec == LML_PQ_ZSTD ? 3 : 0);
    c->page_size = o->page_size ? o->page_size : MIB;
    c->page_rows = o->page_row_limit ? o->page_row_limit : 20000;
    c->dictionary = !o->disable_dictionary;
    c->dict_limit = o->dictionary_page_size ? o->dictionary_page_size : MIB;
    *rg_size = o->row_group_size ? o->row_group_size : 128 * MIB;
    if (c->page_size > INT32_MAX / 2 || c->dict_limit > INT32_MAX / 2)
        return lml_error_set(err, LML_EINVAL, "lml_parquet_write: page and dictionary sizes must stay below 1 GiB");
    return true;
}


/* ---------------------------------------------------------------- the streaming writer */

struct lml_parquet_writer {
    char *path, *tmp;   /* tmp: the file being written, renamed to path by close */
    int fd;
    int64_t pos;        /* bytes written so far */
    size_t rg_size;     /* target uncompressed bytes per row group */
    wctx w;             /* chunk options and per-leaf buffers, fixed by the first batch */
    lml_pq_file_meta m; /* the footer, row groups appended as they are written */
    size_t rg_cap;
    lml_frame *proto;   /* no rows: the first batch's columns, to check later batches against */
    /* Rows not yet written (about one row group at most), kept as the batches they came in and
     * joined only when they may fill a row group: joining on every batch would copy the pending
     * rows once per batch, quadratic in the batches of a row group. */
    lml_frame **pending;
    size_t npending, pending_cap, pending_rows, pending_bytes;
    size_t nrows;       /* rows written or pending */
    bool failed;        /* a write failed: the file is incomplete, close refuses */
};

/* Rows per row group for rows like f's: row_group_size over f's average uncompressed row. */
static size_t group_rows(const lml_frame *f, size_t rg_size) {
    size_t rows = rg_size / row_bytes(f);
    if (rows == 0) rows = 1;
    return rows > INT32_MAX / 2 ? INT32_MAX / 2 : rows;
}

/* Same type all the way down (decimal precision/scale, vector size, struct field names, element,
 * key and value types): what one Parquet schema can hold. Dense and sparse vectors mix. */
bool lml_pq_same_type(const lml_column *a, const lml_column *b) {
    if (a->type != b->type) return false;
    if (a->type == LML_DECIMAL) return a->precision == b->precision && a->scale == b->scale;
    if (a->type == LML_VECTOR) return a->vec_size == b->vec_size;
    if (!lml_type_is_nested(a->type)) return true;
    if (a->nchildren != b->nchildren) return false;
    for (size_t i = 0; i < a->nchildren; i++)
        if ((a->type == LML_STRUCT && strcmp(a->child_names[i], b->child_names[i]) != 0) ||
            !lml_pq_same_type(a->children[i], b->children[i]))
            return false;
    return true;
}

lml_parquet_writer *lml_parquet_writer_open(const char *path, const lml_parquet_write_options *opt, lml_error *err) {
    static const lml_parquet_write_options defaults = {0};
    if (!path) {
        lml_error_set(err, LML_EINVAL, "lml_parquet_writer_open: path is NULL");
        return NULL;
    }
    lml_parquet_writer *w = calloc(1, sizeof *w);
    if (!w) {
        lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
        return NULL;
    }
    w->fd = -1;
    if (!options(opt ? opt : &defaults, &w->w.copt, &w->rg_size, err) || !(w->path = lml_strdup(path, err)) ||
        (w->fd = lml_tmpfile_open(path, &w->tmp, err)) < 0 || !write_all(w->fd, "PAR1", 4, &w->pos, path, err)) {
        lml_parquet_writer_abort(w);
        return NULL;
    }
    return w;
}

/* A frame Parquet can hold: at least one column, each of a writable type. */
static bool check_columns(const lml_frame *f, const char *path, lml_error *err) {
    if (f->ncols == 0)
        return lml_error_set(err, LML_EINVAL, "%s: cannot write a frame without columns (Parquet needs a schema)", path);
    for (size_t i = 0; i < f->ncols; i++)
        if (!lml_pq_writable(f->fields[i].col, true))
            return lml_error_set(err, LML_EUNSUPPORTED, "%s: column '%s': type %s cannot be written to Parquet", path,
                                 f->fields[i].name, lml_type_name(f->fields[i].col->type));
    return true;
}

/* The first batch fixes the schema: leaves, their names for messages, the footer's schema. */
static bool start(lml_parquet_writer *pw, const lml_frame *f, lml_error *err) {
    if (!check_columns(f, pw->path, err)) return false;
    wctx *w = &pw->w;
    for (size_t i = 0; i < f->ncols; i++) w->nleaves += leaves_of(f->fields[i].col);
    if (!(w->lb = calloc(w->nleaves, sizeof *w->lb)) || !(w->what = calloc(w->nleaves, sizeof *w->what)))
        return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
    for (size_t i = 0, k = 0; i < f->ncols; i++)
        for (size_t j = 0; j < leaves_of(f->fields[i].col); j++, k++)
            if (!(w->what[k] = lml_pq_writer_leaf_what(f->fields[i].col, f->fields[i].name, j, err))) return false;
    if (!lml_pq_writer_footer_init(f, w->nleaves, &pw->m, err)) return false;
    return (pw->proto = lml_frame_slice(f, 0, 0, err)) != NULL;
}

static bool check_schema(const lml_parquet_writer *pw, const lml_frame *f, lml_error *err) {
    const lml_frame *p = pw->proto;
    if (f->ncols != p->ncols)
        return lml_error_set(err, LML_EINVAL, "%s: batch has %zu columns, the first batch had %zu", pw->path, f->ncols,
                             p->ncols);
    for (size_t i = 0; i < f->ncols; i++) {
        if (strcmp(f->fields[i].name, p->fields[i].name) != 0)
            return lml_error_set(err, LML_EINVAL, "%s: batch column %zu is '%s', the first batch had '%s'", pw->path, i,
                                 f->fields[i].name, p->fields[i].name);
        if (!lml_pq_same_type(f->fields[i].col, p->fields[i].col)) {
            char a[48], b[48];
            return lml_error_set(err, LML_EINVAL, "%s: column '%s' is %s in this batch but %s in the first batch",
                                 pw->path, f->fields[i].name, lml_column_type_string(f->fields[i].col, a, sizeof a),
                                 lml_column_type_string(p->fields[i].col, b, sizeof b));
        }
    }
    return true;
}

static bool flush_group(lml_parquet_writer *pw, const lml_frame *f, size_t r0, size_t n, lml_error *err) {
    lml_pq_file_meta *m = &pw->m;
    if (m->num_row_groups == pw->rg_cap) {
        size_t cap = pw->rg_cap ? 2 * pw->rg_cap : 4;
        lml_pq_row_group *g = realloc(m->row_groups, cap * sizeof *g);
        if (!g) return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
        m->row_groups = g;
        pw->rg_cap = cap;
    }
    return write_row_group(&pw->w, f, pw->fd, &pw->pos, r0, n, pw->path, m, err);
}

static void pending_clear(lml_parquet_writer *pw) {
    for (size_t i = 0; i < pw->npending; i++) lml_frame_free(pw->pending[i]);
    pw->npending = pw->pending_rows = pw->pending_bytes = 0;
}

static bool pending_push(lml_parquet_writer *pw, lml_frame *f, lml_error *err) {
    if (pw->npending == pw->pending_cap) {
        size_t cap = pw->pending_cap ? 2 * pw->pending_cap : 8;
        lml_frame **p = realloc(pw->pending, cap * sizeof *p);
        if (!p) {
            lml_frame_free(f);
            return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
        }
        pw->pending = p;
        pw->pending_cap = cap;
    }
    pw->pending[pw->npending++] = f;
    pw->pending_rows += f->nrows;
    pw->pending_bytes += frame_bytes(f);
    return true;
}

/* The pending rows as one frame (NULL with *out when there are none). */
static bool pending_join(lml_parquet_writer *pw, lml_frame **out, lml_error *err) {
    *out = NULL;
    if (pw->npending == 0) return true;
    *out = pw->npending == 1 ? lml_frame_retain(pw->pending[0])
                             : lml_frame_union_by_name((const lml_frame *const *)pw->pending, pw->npending, err);
    pending_clear(pw);
    return *out != NULL;
}

/* Adds f to the pending rows and, once they may fill a row group, writes every whole row group
 * of them and keeps the rest pending. A frame written in one batch is cut exactly where the
 * one-shot writer always cut it (row_group_size over the frame's average row); batches are joined
 * first, so row groups do not follow batch edges. */
static bool append(lml_parquet_writer *pw, const lml_frame *f, lml_error *err) {
    /* A kept batch is shared, not copied; it is the caller's frame and stays unchanged. */
    if (!pending_push(pw, lml_frame_retain(f), err)) return false;
    size_t avg = pw->pending_bytes / pw->pending_rows;
    if (pw->pending_rows < pw->rg_size / (avg ? avg : 1)) return true;
    lml_frame *cur = NULL;
    if (!pending_join(pw, &cur, err)) return false;
    size_t rows = group_rows(cur, pw->rg_size), r0 = 0;
    bool ok = true;
    for (; ok && cur->nrows - r0 >= rows; r0 += rows) ok = flush_group(pw, cur, r0, rows, err);
    /* The rest is copied (or, when it is all of cur, shared): a few rows must not pin a large batch. */
    if (ok && r0 < cur->nrows) {
        lml_frame *rest = lml_frame_slice(cur, r0, cur->nrows - r0, err);
        ok = rest && pending_push(pw, rest, err);
    }
    lml_frame_free(cur);
    return ok;
}

bool lml_parquet_writer_write(lml_parquet_writer *w, const lml_frame *f, lml_error *err) {
    if (!w || !f) return lml_error_set(err, LML_EINVAL, "lml_parquet_writer_write: %s is NULL", w ? "frame" : "writer");
    if (w->failed) return lml_error_set(err, LML_EINVAL, "%s: an earlier batch failed; the writer can only be aborted", w->path);
    bool ok = w->proto ? check_schema(w, f, err) : start(w, f, err);
    if (!ok) {
        /* A refused batch (wrong schema) leaves the file as it was; a failed start does not. */
        if (!w->proto) w->failed = true;
        return false;
    }
    if (f->nrows == 0) return true;
    if (!append(w, f, err)) return w->failed = true, false;
    w->nrows += f->nrows;
    return true;
}

static bool finish(lml_parquet_writer *pw, lml_error *err) {
    const char *path = pw->path;
    if (pw->failed) return lml_error_set(err, LML_EINVAL, "%s: an earlier batch failed; nothing was written", path);
    if (!pw->proto) return lml_error_set(err, LML_EINVAL, "%s: no batch was written, so there is no schema", path);
    lml_frame *rest = NULL;
    if (!pending_join(pw, &rest, err)) return false;
    bool flushed = !rest || flush_group(pw, rest, 0, rest->nrows, err);
    lml_frame_free(rest);
    if (!flushed) return false;
    pw->m.num_rows = (int64_t)pw->nrows;
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    bool ok = lml_pq_file_meta_encode(&pw->m, &buf, &len, &cap, err);
    if (ok && len > UINT32_MAX) ok = lml_error_set(err, LML_EUNSUPPORTED, "%s: footer of %zu bytes", path, len);
    if (ok) {
        uint8_t tail[8] = {(uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16), (uint8_t)(len >> 24), 'P', 'A', 'R', '1'};
        ok = write_all(pw->fd, buf, len, &pw->pos, path, err) && write_all(pw->fd, tail, 8, &pw->pos, path, err);
    }
    free(buf);
    if (ok && fsync(pw->fd) != 0) ok = lml_error_set(err, LML_EIO, "cannot sync %s: %s", path, strerror(errno));
    int fd = pw->fd;
    pw->fd = -1;
    if (close(fd) != 0 && ok) ok = lml_error_set(err, LML_EIO, "cannot write %s: %s", path, strerror(errno));
    if (!ok) return false;
    char *tmp = pw->tmp;
    pw->tmp = NULL;
    return lml_tmpfile_commit(tmp, path, err);
}

bool lml_parquet_writer_close(lml_parquet_writer *w, lml_error *err) {
    if (!w) return lml_error_set(err, LML_EINVAL, "lml_parquet_writer_close: writer is NULL");
    bool ok = finish(w, err);
    lml_parquet_writer_abort(w);
    return ok;
}

/* Frees the writer; a file not yet renamed into place is removed. */
void lml_parquet_writer_abort(lml_parquet_writer *w) {
    if (!w) return;
    if (w->fd >= 0) close(w->fd);
    if (w->tmp) lml_tmpfile_discard(w->tmp);
    for (size_t k = 0; k < w->w.nleaves; k++) {
        if (w->w.lb) leafbuf_reset(&w->w.lb[k]);
        if (w->w.what) free(w->w.what[k]);
    }
    free(w->w.lb);
    free(w->w.what);
    lml_pq_file_meta_clear(&w->m);
    lml_frame_free(w->proto);
    pending_clear(w);
    free(w->pending);
    free(w->path);
    free(w);
}

/* The one-shot write: one batch. Unwritable columns are refused before any file is created. */
bool lml_parquet_write(const lml_frame *f, const char *path, const lml_parquet_write_options *opt, lml_error *err) {
    if (!f || !path) return lml_error_set(err, LML_EINVAL, "lml_parquet_write: %s is NULL", f ? "path" : "frame");
    if (!check_columns(f, path, err)) return false;
    lml_parquet_writer *w = lml_parquet_writer_open(path, opt, err);
    if (!w) return false;
    if (!lml_parquet_writer_write(w, f, err)) {
        lml_parquet_writer_abort(w);
        return false;
    }
    return lml_parquet_writer_close(w, err);
}

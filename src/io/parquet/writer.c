/* lml_parquet_write: a frame as a Parquet file the way Spark writes a DataFrame (spec/parquet.md
 * §9, §10): the schema Spark derives from the column types, row groups of about row_group_size
 * uncompressed bytes whose column chunks are encoded in parallel (page_write.c), the footer with
 * Spark's schema JSON, written under a temporary name and renamed into place. */
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
#define SPARK_ROW_METADATA "org.apache.spark.sql.parquet.row.metadata"
#define VECTOR_UDT_SQLTYPE                                                                                   \
    "{\"type\":\"udt\",\"class\":\"org.apache.spark.ml.linalg.VectorUDT\",\"pyClass\":\"pyspark.ml.linalg." \
    "VectorUDT\",\"sqlType\":{\"type\":\"struct\",\"fields\":[{\"name\":\"type\",\"type\":\"byte\","       \
    "\"nullable\":false,\"metadata\":{}},{\"name\":\"size\",\"type\":\"integer\",\"nullable\":true,"       \
    "\"metadata\":{}},{\"name\":\"indices\",\"type\":{\"type\":\"array\",\"elementType\":\"integer\","     \
    "\"containsNull\":false},\"nullable\":true,\"metadata\":{}},{\"name\":\"values\",\"type\":{\"type\":"  \
    "\"array\",\"elementType\":\"double\",\"containsNull\":false},\"nullable\":true,\"metadata\":{}}]}}"

/* Spark ML's MatrixUDT (ml/persist writes matrices as this struct; Spark's model loaders
 * pattern-match on Matrix, so the row metadata must name the UDT). */
#define MATRIX_UDT_SQLTYPE                                                                                   \
    "{\"type\":\"udt\",\"class\":\"org.apache.spark.ml.linalg.MatrixUDT\",\"pyClass\":\"pyspark.ml.linalg." \
    "MatrixUDT\",\"sqlType\":{\"type\":\"struct\",\"fields\":[{\"name\":\"type\",\"type\":\"byte\","       \
    "\"nullable\":false,\"metadata\":{}},{\"name\":\"numRows\",\"type\":\"integer\",\"nullable\":false,"     \
    "\"metadata\":{}},{\"name\":\"numCols\",\"type\":\"integer\",\"nullable\":false,\"metadata\":{}},"       \
    "{\"name\":\"colPtrs\",\"type\":{\"type\":\"array\",\"elementType\":\"integer\",\"containsNull\":false},"  \
    "\"nullable\":true,\"metadata\":{}},{\"name\":\"rowIndices\",\"type\":{\"type\":\"array\",\"elementType\":" \
    "\"integer\",\"containsNull\":false},\"nullable\":true,\"metadata\":{}},{\"name\":\"values\",\"type\":"     \
    "{\"type\":\"array\",\"elementType\":\"double\",\"containsNull\":false},\"nullable\":true,\"metadata\":{}}," \
    "{\"name\":\"isTransposed\",\"type\":\"boolean\",\"nullable\":false,\"metadata\":{}}]}}"

/* A top-level struct with exactly MatrixUDT's fields, names and types is declared as that UDT. */
static bool is_matrix_struct(const lml_column *c) {
    static const char *const names[7] = {"type", "numRows", "numCols", "colPtrs", "rowIndices", "values",
                                         "isTransposed"};
    static const lml_type types[7] = {LML_INT8, LML_INT32, LML_INT32, LML_LIST, LML_LIST, LML_LIST, LML_BOOL};
    if (c->type != LML_STRUCT || c->nchildren != 7) return false;
    for (size_t i = 0; i < 7; i++)
        if (strcmp(c->child_names[i], names[i]) != 0 || c->children[i]->type != types[i]) return false;
    return c->children[3]->children[0]->type == LML_INT32 && c->children[4]->children[0]->type == LML_INT32 &&
           c->children[5]->children[0]->type == LML_DOUBLE;
}

/* One leaf of one row group, with the level and value arrays it owns. */
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
    const lml_frame *f;
    lml_pq_chunk_options copt;
    size_t nleaves;
    leafbuf *lb;
    char **what; /* per leaf: "file: column 'v.values.list.element'" */
} wctx;


static size_t leaves_of(const lml_column *col) { return lml_pq_leaf_count(col); }

static bool is_flat(lml_type t) { return t != LML_VECTOR && t != LML_LIST && t != LML_STRUCT && t != LML_MAP; }

/* ---------------------------------------------------------------- schema and footer pieces */

/* Spark's StructType JSON (as DataFrame.schema.json prints it), every field nullable, with the
 * field's ML attribute metadata so Spark and lakeml recover nominal/vector attributes. */
static char *spark_schema_json(const lml_frame *f, lml_error *err) {
    lml_strbuf sb = {0};
    lml_strbuf_puts(&sb, "{\"type\":\"struct\",\"fields\":[");
    for (size_t i = 0; i < f->ncols; i++) {
        const char *meta = f->fields[i].metadata;
        lml_strbuf_puts(&sb, i ? ",{\"name\":" : "{\"name\":");
        lml_pq_json_string(&sb, f->fields[i].name);
        lml_strbuf_puts(&sb, ",\"type\":");
        if (f->fields[i].col->type == LML_VECTOR) lml_strbuf_puts(&sb, VECTOR_UDT_SQLTYPE);
        else if (is_matrix_struct(f->fields[i].col)) lml_strbuf_puts(&sb, MATRIX_UDT_SQLTYPE);
        else lml_pq_spark_type_json(f->fields[i].col, &sb);
        lml_strbuf_printf(&sb, ",\"nullable\":true,\"metadata\":%s}", meta && *meta ? meta : "{}");
    }
    lml_strbuf_puts(&sb, "]}");
    return lml_strbuf_finish(&sb, err);
}

static bool add_element(lml_pq_file_meta *m, const char *name, int rep, int32_t type, int nchildren,
                        lml_error *err) {
    lml_pq_schema_element *e = &m->schema[m->num_schema];
    memset(e, 0, sizeof *e);
    if (!(e->name = lml_strdup(name, err))) return false;
    m->num_schema++;
    if (rep >= 0) e->has_repetition = true, e->repetition = rep;
    if (type >= 0) e->has_type = true, e->type = type;
    if (nchildren >= 0) e->has_num_children = true, e->num_children = nchildren;
    return true;
}

static void annotate(lml_pq_schema_element *e, int converted, int logical) {
    e->has_converted_type = true;
    e->converted_type = converted;
    e->logical.kind = logical;
}

/* Spark's Parquet schema for the frame (§9.1): every column optional; a vector is the VectorUDT
 * struct {required int32 type (INT_8), optional int32 size, optional LIST indices, optional
 * LIST values} (§5.6). */
static bool build_schema(const lml_frame *f, size_t nleaves, lml_pq_file_meta *m, lml_error *err) {
    size_t n = 1;
    for (size_t i = 0; i < f->ncols; i++) n += lml_pq_schema_count(f->fields[i].col);
    if (!(m->schema = calloc(n, sizeof *m->schema)) || !(m->column_orders = calloc(nleaves, sizeof(int32_t))))
        return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
    m->num_column_orders = nleaves;
    for (size_t k = 0; k < nleaves; k++) m->column_orders[k] = 1; /* TYPE_ORDER */
    if (!add_element(m, "spark_schema", -1, -1, (int)f->ncols, err)) return false;
    for (size_t i = 0; i < f->ncols; i++) {
        lml_type t = f->fields[i].col->type;
        const char *name = f->fields[i].name;
        if (t != LML_VECTOR) {
            if (!lml_pq_schema_add(f->fields[i].col, name, LML_PQ_OPTIONAL, m, err)) return false;
            continue;
        }
        if (!add_element(m, name, LML_PQ_OPTIONAL, -1, 4, err) ||
            !add_element(m, "type", LML_PQ_REQUIRED, LML_PQ_INT32, -1, err))
            return false;
        lml_pq_schema_element *e = &m->schema[m->num_schema - 1];
        annotate(e, LML_PQ_CT_INT_8, LML_PQ_LT_INTEGER);
        e->logical.bit_width = 8;
        e->logical.is_signed = true;
        if (!add_element(m, "size", LML_PQ_OPTIONAL, LML_PQ_INT32, -1, err)) return false;
        static const char *const lists[2] = {"indices", "values"};
        for (int k = 0; k < 2; k++) {
            if (!add_element(m, lists[k], LML_PQ_OPTIONAL, -1, 1, err)) return false;
            annotate(&m->schema[m->num_schema - 1], LML_PQ_CT_LIST, LML_PQ_LT_LIST);
            if (!add_element(m, "list", LML_PQ_REPEATED, -1, 1, err) ||
                !add_element(m, "element", LML_PQ_REQUIRED, k ? LML_PQ_DOUBLE : LML_PQ_INT32, -1, err))
                return false;
        }
    }
    return true;
}

/* path_in_schema of leaf k of column i. */
static bool leaf_path(const lml_column *col, const char *name, size_t k, lml_pq_column_meta *cm, lml_error *err) {
    if (col->type != LML_VECTOR) return lml_pq_leaf_path(col, name, k, &cm->path_in_schema, &cm->path_len, err);
    static const char *const vec[4][4] = {
        {"type"}, {"size"}, {"indices", "list", "element"}, {"values", "list", "element"}};
    size_t n = k < 2 ? 2 : 4;
    if (!(cm->path_in_schema = calloc(n, sizeof(char *)))) return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
    cm->path_len = n;
    for (size_t j = 0; j < n; j++)
        if (!(cm->path_in_schema[j] = lml_strdup(j ? vec[k][j - 1] : name, err))) return false;
    return true;
}

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

/* Uncompressed bytes one row adds, to size row groups before encoding them. */
static size_t row_bytes(const lml_frame *f) {
    size_t total = 0;
    for (size_t i = 0; i < f->ncols; i++) total += lml_pq_column_bytes(f->fields[i].col);
    total /= f->nrows ? f->nrows : 1;
    return total ? total : 1;
}

static bool write_row_group(wctx *w, int fd, int64_t *pos, size_t r0, size_t n, const char *path,
                            lml_pq_file_meta *m, lml_error *err) {
    const lml_frame *f = w->f;
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
            if (!leaf_path(f->fields[i].col, f->fields[i].name, j, cm, err)) return false;
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

static bool write_file(wctx *w, int fd, const char *path, size_t rg_rows, lml_pq_file_meta *m, lml_error *err) {
    const lml_frame *f = w->f;
    int64_t pos = 0;
    if (!write_all(fd, "PAR1", 4, &pos, path, err)) return false;
    size_t ngroups = (f->nrows + rg_rows - 1) / rg_rows;
    if (ngroups && !(m->row_groups = calloc(ngroups, sizeof *m->row_groups)))
        return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
    for (size_t r0 = 0; r0 < f->nrows; r0 += rg_rows) {
        size_t n = f->nrows - r0 < rg_rows ? f->nrows - r0 : rg_rows;
        if (!write_row_group(w, fd, &pos, r0, n, path, m, err)) return false;
    }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    bool ok = lml_pq_file_meta_encode(m, &buf, &len, &cap, err);
    if (ok && len > UINT32_MAX) ok = lml_error_set(err, LML_EUNSUPPORTED, "%s: footer of %zu bytes", path, len);
    if (ok) {
        uint8_t tail[8] = {(uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16), (uint8_t)(len >> 24), 'P', 'A', 'R', '1'};
        ok = write_all(fd, buf, len, &pos, path, err) && write_all(fd, tail, 8, &pos, path, err);
    }
    free(buf);
    if (ok && fsync(fd) != 0) ok = lml_error_set(err, LML_EIO, "cannot sync %s: %s", path, strerror(errno));
    return ok;
}

static bool prepare(wctx *w, const char *path, lml_pq_file_meta *m, lml_error *err) {
    const lml_frame *f = w->f;
    for (size_t i = 0; i < f->ncols; i++) w->nleaves += leaves_of(f->fields[i].col);
    if (!(w->lb = calloc(w->nleaves, sizeof *w->lb)) || !(w->what = calloc(w->nleaves, sizeof *w->what)))
        return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
    for (size_t i = 0, k = 0; i < f->ncols; i++) {
        for (size_t j = 0; j < leaves_of(f->fields[i].col); j++, k++) {
            lml_pq_column_meta cm = {0};
            bool ok = leaf_path(f->fields[i].col, f->fields[i].name, j, &cm, err);
            lml_strbuf sb = {0};
            lml_strbuf_puts(&sb, "column '");
            for (size_t p = 0; p < cm.path_len; p++) {
                if (p) lml_strbuf_putc(&sb, '.');
                if (cm.path_in_schema[p]) lml_strbuf_puts(&sb, cm.path_in_schema[p]);
                free(cm.path_in_schema[p]);
            }
            free(cm.path_in_schema);
            lml_strbuf_putc(&sb, '\'');
            if (!ok) {
                lml_strbuf_free(&sb);
                return false;
            }
            if (!(w->what[k] = lml_strbuf_finish(&sb, err))) return false;
        }
    }
    m->version = 1;
    m->num_rows = (int64_t)f->nrows;
    lml_strbuf sb = {0};
    lml_strbuf_printf(&sb, "lakeml version %s", LML_VERSION_STRING);
    if (!(m->created_by = lml_strbuf_finish(&sb, err))) return false;
    if (!(m->kv = calloc(1, sizeof *m->kv))) return lml_error_set(err, LML_ENOMEM, "parquet write: out of memory");
    m->num_kv = 1;
    if (!(m->kv[0].key = lml_strdup(SPARK_ROW_METADATA, err)) || !(m->kv[0].value = spark_schema_json(f, err)))
        return false;
    (void)path;
    return build_schema(f, w->nleaves, m, err);
}

/* Makes the rename durable (best effort: some file systems refuse fsync on directories). */
bool lml_parquet_write(const lml_frame *f, const char *path, const lml_parquet_write_options *opt, lml_error *err) {
    if (!f || !path) return lml_error_set(err, LML_EINVAL, "lml_parquet_write: %s is NULL", f ? "path" : "frame");
    if (f->ncols == 0)
        return lml_error_set(err, LML_EINVAL, "%s: cannot write a frame without columns (Parquet needs a schema)", path);
    for (size_t i = 0; i < f->ncols; i++)
        if (!lml_pq_writable(f->fields[i].col, true))
            return lml_error_set(err, LML_EUNSUPPORTED, "%s: column '%s': type %s cannot be written to Parquet", path,
                                 f->fields[i].name, lml_type_name(f->fields[i].col->type));
    static const lml_parquet_write_options defaults = {0};
    wctx w = {.f = f};
    size_t rg_size = 0;
    if (!options(opt ? opt : &defaults, &w.copt, &rg_size, err)) return false;
    size_t rg_rows = rg_size / row_bytes(f);
    if (rg_rows == 0) rg_rows = 1;
    if (rg_rows > INT32_MAX / 2) rg_rows = INT32_MAX / 2;

    lml_pq_file_meta m = {0};
    bool ok = prepare(&w, path, &m, err);
    char *tmp = NULL;
    int fd = ok ? lml_tmpfile_open(path, &tmp, err) : -1;
    ok = ok && fd >= 0 && write_file(&w, fd, path, rg_rows, &m, err);
    if (fd >= 0 && close(fd) != 0 && ok) ok = lml_error_set(err, LML_EIO, "cannot write %s: %s", path, strerror(errno));
    if (ok)
        ok = lml_tmpfile_commit(tmp, path, err);
    else
        lml_tmpfile_discard(tmp);
    for (size_t k = 0; k < w.nleaves; k++) {
        if (w.lb) leafbuf_reset(&w.lb[k]);
        if (w.what) free(w.what[k]);
    }
    free(w.lb);
    free(w.what);
    lml_pq_file_meta_clear(&m);
    return ok;
}

/* VectorAssembler (spec §6): concatenates numeric, boolean and vector columns into one vector
 * column, with handleInvalid error/skip/keep and an attribute group naming every slot.
 *
 * Spark chooses dense or sparse per row (sparse iff 1.5·(nnz+1) < size). A lakeml vector column
 * is all dense or all CSR, so the output is CSR when any row would be sparse in Spark and dense
 * otherwise: the values are identical, only the per-row representation is not kept. Our vector
 * columns always know their size, so unlike Spark, keep does not need size metadata. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"
#include "ml/feature/feature_internal.h"

static const lml_param_def va_params[] = {
    {.name = "inputCols", .type = LML_PARAM_STRINGS, .doc = "input column names"},
    {.name = "outputCol", .type = LML_PARAM_STRING, .doc = "output column name"},
    {.name = "handleInvalid", .type = LML_PARAM_STRING,
     .doc = "How to handle invalid data (NULL and NaN values). Options are 'skip' (filter out rows with invalid "
            "data), 'error' (throw an error), or 'keep' (return relevant number of NaN in the output). Column "
            "lengths are taken from the size of ML Attribute Group, which can be set using VectorSizeHint in a "
            "pipeline before VectorAssembler.",
     .has_default = true, .def_s = "error", .check = lml_check_handle_invalid},
};

extern const lml_stage_vtable lml_vector_assembler_vt;

typedef struct {
    const char *name;
    const lml_column *col;
    const char *meta;
    size_t size; /* slots this input contributes */
} va_input;

/* A scalar is invalid when null or NaN; a vector only when null (NaN inside is not checked). */
static bool invalid_at(const va_input *in, size_t i)
{
    if (lml_column_is_null(in->col, i))
        return true;
    return in->col->type == LML_DOUBLE && isnan(((const double *)in->col->values)[i]);
}

/* Appends the attributes of one input to g (renamed and positioned as Spark does). */
static bool add_attrs(lml_attr_group *g, const va_input *in, lml_error *err)
{
    char buf[32];
    if (in->col->type != LML_VECTOR) {
        lml_attr a = {.type = LML_ATTR_NUMERIC, .idx = -1, .num_vals = -1};
        bool present = false;
        if (in->col->type == LML_DOUBLE && !lml_attr_parse(in->meta, &a, &present, err))
            return false;
        free(a.name);
        a.name = lml_strdup(in->name, err);
        a.idx = (long)g->nattrs;
        g->attrs[g->nattrs++] = a;
        return a.name != NULL;
    }
    lml_attr_group src;
    bool present;
    if (!lml_attr_group_parse(in->meta, &src, &present, err))
        return false;
    size_t k = 0;
    bool ok = true;
    for (size_t s = 0; ok && s < in->size; s++) {
        while (k < src.nattrs && src.attrs[k].idx < (long)s)
            k++;
        lml_attr *from = k < src.nattrs && src.attrs[k].idx == (long)s ? &src.attrs[k] : NULL;
        lml_attr a = {.type = LML_ATTR_NUMERIC, .num_vals = -1};
        if (from) { /* take over its type and values, then rename */
            a = *from;
            memset(from, 0, sizeof *from);
        }
        const char *suffix = a.name;
        if (!suffix) {
            snprintf(buf, sizeof buf, "%zu", s);
            suffix = buf;
        }
        lml_strbuf sb = {0};
        lml_strbuf_printf(&sb, "%s_%s", in->name, suffix);
        char *nm = lml_strbuf_finish(&sb, err);
        free(a.name);
        a.name = nm;
        a.idx = (long)g->nattrs;
        g->attrs[g->nattrs++] = a;
        ok = nm != NULL;
    }
    lml_attr_group_clear(&src);
    return ok;
}

/* The stored values of row i of one input (*idx NULL: positions 0…m-1, else CSR indices). */
static size_t row_values(const va_input *in, size_t i, const int32_t **idx, const double **val, double *scalar)
{
    const lml_column *c = in->col;
    if (c->type != LML_VECTOR) {
        *scalar = lml_column_is_null(c, i) ? NAN : lml_feat_num(c, i);
        *idx = NULL;
        *val = scalar;
        return 1;
    }
    if (c->sparse) {
        *idx = c->indices + c->indptr[i];
        *val = c->vvalues + c->indptr[i];
        return (size_t)(c->indptr[i + 1] - c->indptr[i]);
    }
    *idx = NULL;
    *val = c->vvalues + i * c->vec_size;
    return c->vec_size;
}

/* The rows are assembled in parallel blocks (src/core/pool.c), column by column inside a block so
 * each input is read as one stream; every slot gets the value the row-by-row definition gives it,
 * in the same order within a row, so the output does not depend on the thread count. */
#define VA_BLOCK 512

typedef struct va_run {
    const va_input *ins;
    const double **fast; /* per input: its doubles when it is a double column without nulls */
    size_t nin, n, total;
    uint32_t *rownnz;    /* pass 1: entries per row (NaN counts as non-zero, as in Spark) */
    bool *block_sparse;  /* pass 1: some row of the block is sparse in Spark's rule */
    bool sparse;
    int64_t *indptr;
    int32_t *indices;
    double *values;
} va_run;

static void va_count(void *vc, size_t task, int worker)
{
    (void)worker;
    va_run *c = vc;
    size_t i0 = task * VA_BLOCK, i1 = i0 + VA_BLOCK < c->n ? i0 + VA_BLOCK : c->n;
    uint32_t *rn = c->rownnz;
    for (size_t i = i0; i < i1; i++)
        rn[i] = 0;
    for (size_t k = 0; k < c->nin; k++) {
        const va_input *in = &c->ins[k];
        const double *f = c->fast[k];
        for (size_t i = i0; f && i < i1; i++)
            rn[i] += f[i] != 0.0;
        for (size_t i = i0; !f && i < i1; i++) {
            if (in->col->type == LML_VECTOR && lml_column_is_null(in->col, i)) {
                rn[i] += (uint32_t)in->size; /* keep: a null vector becomes size NaNs */
                continue;
            }
            const int32_t *ix;
            const double *v;
            double sc;
            size_t m = row_values(in, i, &ix, &v, &sc);
            for (size_t j = 0; j < m; j++)
                rn[i] += v[j] != 0.0;
        }
    }
    bool sp = false;
    for (size_t i = i0; i < i1 && !sp; i++)
        sp = 1.5 * ((double)rn[i] + 1.0) < (double)c->total;
    c->block_sparse[task] = sp;
}

static void va_fill(void *vc, size_t task, int worker)
{
    (void)worker;
    va_run *c = vc;
    size_t i0 = task * VA_BLOCK, i1 = i0 + VA_BLOCK < c->n ? i0 + VA_BLOCK : c->n, T = c->total;
    int64_t pos[VA_BLOCK]; /* sparse: the next entry of each row */
    for (size_t i = i0; c->sparse && i < i1; i++)
        pos[i - i0] = c->indptr[i];
    size_t base = 0;
    for (size_t k = 0; k < c->nin; base += c->ins[k++].size) {
        const va_input *in = &c->ins[k];
        const double *f = c->fast[k];
        if (f && !c->sparse) {
            for (size_t i = i0; i < i1; i++)
                c->values[i * T + base] = f[i];
            continue;
        }
        if (f) {
            for (size_t i = i0; i < i1; i++)
                if (f[i] != 0.0) {
                    int64_t p = pos[i - i0]++;
                    c->indices[p] = (int32_t)base;
                    c->values[p] = f[i];
                }
            continue;
        }
        for (size_t i = i0; i < i1; i++) {
            const int32_t *ix = NULL;
            const double *v = NULL;
            double sc;
            bool nullvec = in->col->type == LML_VECTOR && lml_column_is_null(in->col, i);
            size_t m = nullvec ? in->size : row_values(in, i, &ix, &v, &sc);
            double *drow = c->sparse ? NULL : c->values + i * T;
            if (drow && !nullvec && ix) /* a dense row only receives the stored values of sparse inputs */
                memset(drow + base, 0, in->size * sizeof(double));
            for (size_t j = 0; j < m; j++) {
                size_t slot = base + (nullvec || !ix ? j : (size_t)ix[j]);
                double x = nullvec ? NAN : v[j];
                if (drow)
                    drow[slot] = x;
                else if (x != 0.0) {
                    int64_t p = pos[i - i0]++;
                    c->indices[p] = (int32_t)slot;
                    c->values[p] = x;
                }
            }
        }
    }
}

/* A vector column that adopts buffers of lml_aligned_malloc (no copy of the assembled rows):
 * the public constructor makes an empty column of the right size, whose buffers are swapped. */
static lml_column *adopt_vector(bool sparse, int64_t *indptr, int32_t *indices, double *values, size_t n,
                                size_t total, lml_error *err)
{
    lml_column *col = sparse ? lml_column_vector_from_csr((const int64_t[]){0}, NULL, NULL, 0, total, err)
                             : lml_column_vector_from_dense(NULL, 0, total, err);
    if (!col) {
        lml_aligned_free(indptr), lml_aligned_free(indices), lml_aligned_free(values);
        return NULL;
    }
    lml_aligned_free(col->indptr), lml_aligned_free(col->indices), lml_aligned_free(col->vvalues);
    col->indptr = indptr, col->indices = indices, col->vvalues = values;
    col->length = n;
    return col;
}

/* Builds the output column from inputs with no invalid rows left (or keep semantics). */
static lml_column *assemble(const va_input *ins, size_t nin, size_t n, size_t total, lml_error *err)
{
    size_t tasks = (n + VA_BLOCK - 1) / VA_BLOCK;
    va_run c = {.ins = ins, .nin = nin, .n = n, .total = total};
    c.fast = malloc((nin ? nin : 1) * sizeof *c.fast);
    c.rownnz = malloc((n ? n : 1) * sizeof *c.rownnz);
    c.block_sparse = malloc(tasks ? tasks : 1);
    lml_column *out = NULL;
    if (!c.fast || !c.rownnz || !c.block_sparse) {
        lml_error_set(err, LML_ENOMEM, "out of memory assembling %zu rows", n);
        goto done;
    }
    for (size_t k = 0; k < nin; k++)
        c.fast[k] = ins[k].col->type == LML_DOUBLE && lml_column_null_count(ins[k].col) == 0
                        ? (const double *)ins[k].col->values
                        : NULL;
    /* Pass 1: nnz per row decides dense vs CSR. */
    lml_parallel_for(tasks, va_count, &c);
    size_t nnz = 0;
    for (size_t t = 0; t < tasks; t++)
        c.sparse |= c.block_sparse[t];
    for (size_t i = 0; i < n; i++)
        nnz += c.rownnz[i];
    size_t cells = 0;
    if (!c.sparse && !lml_mul_ok(n, total, &cells)) {
        lml_error_set(err, LML_ENOMEM, "output of %zu rows x %zu slots is too large", n, total);
        goto done;
    }
    c.indptr = c.sparse ? lml_aligned_malloc((n + 1) * sizeof *c.indptr) : NULL;
    c.indices = c.sparse ? lml_aligned_malloc((nnz ? nnz : 1) * sizeof *c.indices) : NULL;
    c.values = lml_aligned_malloc((c.sparse ? (nnz ? nnz : 1) : (cells ? cells : 1)) * sizeof *c.values);
    if (!c.values || (c.sparse && (!c.indptr || !c.indices))) {
        lml_aligned_free(c.indptr), lml_aligned_free(c.indices), lml_aligned_free(c.values);
        lml_error_set(err, LML_ENOMEM, "out of memory assembling %zu rows", n);
        goto done;
    }
    if (c.sparse) {
        c.indptr[0] = 0;
        for (size_t i = 0; i < n; i++)
            c.indptr[i + 1] = c.indptr[i] + (int64_t)c.rownnz[i];
    }
    /* Pass 2: the values. */
    lml_parallel_for(tasks, va_fill, &c);
    out = adopt_vector(c.sparse, c.indptr, c.indices, c.values, n, total, err);
done:
    free(c.fast), free(c.rownnz), free(c.block_sparse);
    return out;
}

typedef struct va_scan {
    const va_input *ins;
    size_t n;
    size_t *first; /* per input: its first invalid row, n when none */
} va_scan;

static void va_first_invalid(void *vc, size_t k, int worker)
{
    (void)worker;
    const va_scan *c = vc;
    const lml_column *col = c->ins[k].col;
    size_t i = 0;
    if (lml_column_null_count(col) == 0 && col->type != LML_DOUBLE)
        i = c->n; /* nothing can be invalid */
    else if (lml_column_null_count(col) == 0)
        for (const double *v = col->values; i < c->n && !isnan(v[i]); i++)
            ;
    else
        while (i < c->n && !invalid_at(&c->ins[k], i))
            i++;
    c->first[k] = i;
}

static lml_frame *va_transform(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    size_t nin;
    const char *const *names = lml_get_strings(self, "inputCols", &nin, NULL);
    const char *hi = lml_param_string(self, "handleInvalid");
    bool skip = strcmp(hi, "skip") == 0, keep = strcmp(hi, "keep") == 0;
    if (!nin) {
        lml_error_set(err, LML_EINVAL, "%s: inputCols is not set or empty", self->uid);
        return NULL;
    }
    const char *oc = lml_param_string(self, "outputCol");
    char *out_name = oc ? lml_strdup(oc, err) : lml_default_output_col(self, err);
    va_input *ins = calloc(nin, sizeof *ins);
    lml_attr_group g = {.num_attrs = -1};
    lml_frame *src = NULL, *result = NULL;
    size_t total = 0;
    if (!out_name || !ins) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        goto done;
    }
    if (lml_frame_column_index(df, out_name) >= 0) {
        lml_error_set(err, LML_EINVAL, "%s: output column '%s' already exists", self->uid, out_name);
        goto done;
    }
    for (size_t k = 0; k < nin; k++) {
        long ci = lml_frame_column_index(df, names[k]);
        if (ci < 0) {
            lml_frame_column_by_name(df, names[k], err);
            lml_feat_fail(self, err);
            goto done;
        }
        const lml_column *c = lml_frame_column(df, (size_t)ci);
        if (!lml_feat_is_numeric(c->type) && c->type != LML_VECTOR) {
            lml_error_set(err, LML_ETYPE, "%s: input column '%s' must be numeric, boolean or vector, got %s",
                          self->uid, names[k], lml_type_name(c->type));
            goto done;
        }
        ins[k] = (va_input){names[k], c, lml_frame_column_metadata(df, (size_t)ci),
                            c->type == LML_VECTOR ? c->vec_size : 1};
        total += ins[k].size;
    }
    if (total > INT32_MAX) {
        lml_error_set(err, LML_ERANGE, "%s: the output vector would have %zu slots", self->uid, total);
        goto done;
    }
    size_t n = lml_frame_num_rows(df);
    if (skip) {
        size_t *idx = malloc((n ? n : 1) * sizeof *idx), m = 0;
        if (!idx) {
            lml_error_set(err, LML_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            bool bad = false;
            for (size_t k = 0; k < nin && !bad; k++)
                bad = invalid_at(&ins[k], i);
            if (!bad)
                idx[m++] = i;
        }
        src = m == n ? lml_frame_retain(df) : lml_frame_take(df, idx, m, err);
        free(idx);
        if (!src)
            goto done;
        for (size_t k = 0; k < nin; k++)
            ins[k].col = lml_frame_column(src, (size_t)lml_frame_column_index(src, names[k]));
        n = m;
    } else {
        src = lml_frame_retain(df);
        /* The first invalid cell in row-major order: each column's first invalid row (columns
         * scanned in parallel), then the smallest row, the first column among equals. */
        size_t *first = keep ? NULL : malloc((nin ? nin : 1) * sizeof *first);
        if (!keep && !first) {
            lml_error_set(err, LML_ENOMEM, "out of memory");
            goto done;
        }
        va_scan scan = {ins, n, first};
        if (!keep)
            lml_parallel_for(nin, va_first_invalid, &scan);
        size_t bi = n, bk = 0;
        for (size_t k = 0; !keep && k < nin; k++)
            if (first[k] < bi)
                bi = first[k], bk = k;
        free(first);
        if (bi < n) {
            lml_error_set(err, LML_EINVAL,
                          "%s: %s value in column '%s' at row %zu (handleInvalid=error; consider removing "
                          "them or setting handleInvalid to keep or skip)",
                          self->uid, lml_column_is_null(ins[bk].col, bi) ? "null" : "NaN", names[bk], bi);
            goto done;
        }
    }
    g.attrs = calloc(total ? total : 1, sizeof *g.attrs);
    g.num_attrs = (long)total;
    if (!g.attrs) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < nin; k++)
        if (!add_attrs(&g, &ins[k], err))
            goto done;
    char *meta = lml_attr_group_to_json(&g, err);
    lml_column *col = meta ? assemble(ins, nin, n, total, err) : NULL;
    if (!col)
        free(meta);
    else
        result = lml_feat_add(src, out_name, col, meta, err);
done:
    lml_attr_group_clear(&g);
    lml_frame_free(src);
    free(ins);
    free(out_name);
    return result;
}

const lml_stage_vtable lml_vector_assembler_vt = {
    .name = "VectorAssembler", .class_name = "org.apache.spark.ml.feature.VectorAssembler",
    .kind = LML_STAGE_TRANSFORMER, .params = va_params, .nparams = sizeof va_params / sizeof va_params[0],
    .transform = va_transform};

lml_stage *lml_vector_assembler_new(const char *const *inputs, const char *output)
{
    return lml_feat_new(&lml_vector_assembler_vt, NULL, output, inputs, NULL);
}

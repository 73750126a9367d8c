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

/* Builds the output column from inputs with no invalid rows left (or keep semantics). */
static lml_column *assemble(const va_input *ins, size_t nin, size_t n, size_t total, lml_error *err)
{
    /* Pass 1: nnz per row (NaN counts as non-zero, as in Spark) decides dense vs CSR. */
    size_t nnz = 0;
    bool sparse = false;
    for (size_t i = 0; i < n; i++) {
        size_t row = 0;
        for (size_t k = 0; k < nin; k++) {
            const int32_t *ix;
            const double *v;
            double sc;
            if (ins[k].col->type == LML_VECTOR && lml_column_is_null(ins[k].col, i)) {
                row += ins[k].size; /* keep: a null vector becomes size NaNs */
                continue;
            }
            size_t m = row_values(&ins[k], i, &ix, &v, &sc);
            for (size_t j = 0; j < m; j++)
                row += v[j] != 0.0;
        }
        nnz += row;
        if (1.5 * ((double)row + 1.0) < (double)total)
            sparse = true;
    }
    size_t cells;
    if (!sparse && !lml_mul_ok(n, total, &cells)) {
        lml_error_set(err, LML_ENOMEM, "output of %zu rows x %zu slots is too large", n, total);
        return NULL;
    }
    int64_t *indptr = sparse ? malloc((n + 1) * sizeof *indptr) : NULL;
    int32_t *indices = sparse ? malloc((nnz ? nnz : 1) * sizeof *indices) : NULL;
    /* zeroed: a dense row only receives the stored values of sparse inputs */
    double *values = calloc(sparse ? (nnz ? nnz : 1) : (cells ? cells : 1), sizeof *values);
    lml_column *out = NULL;
    if (!values || (sparse && (!indptr || !indices))) {
        lml_error_set(err, LML_ENOMEM, "out of memory assembling %zu rows", n);
        goto done;
    }
    size_t pos = 0;
    if (sparse)
        indptr[0] = 0;
    for (size_t i = 0; i < n; i++) {
        double *drow = sparse ? NULL : values + i * total;
        size_t base = 0;
        for (size_t k = 0; k < nin; k++) {
            const int32_t *ix;
            const double *v;
            double sc;
            bool nullvec = ins[k].col->type == LML_VECTOR && lml_column_is_null(ins[k].col, i);
            size_t m = nullvec ? ins[k].size : row_values(&ins[k], i, &ix, &v, &sc);
            for (size_t j = 0; j < m; j++) {
                size_t slot = base + (nullvec || !ix ? j : (size_t)ix[j]);
                double x = nullvec ? NAN : v[j];
                if (!sparse)
                    drow[slot] = x;
                else if (x != 0.0) {
                    indices[pos] = (int32_t)slot;
                    values[pos++] = x;
                }
            }
            base += ins[k].size;
        }
        if (sparse)
            indptr[i + 1] = (int64_t)pos;
    }
    out = sparse ? lml_column_vector_from_csr(indptr, indices, values, n, total, err)
                 : lml_column_vector_from_dense(values, n, total, err);
done:
    free(indptr);
    free(indices);
    free(values);
    return out;
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
        for (size_t i = 0; !keep && i < n; i++)
            for (size_t k = 0; k < nin; k++)
                if (invalid_at(&ins[k], i)) {
                    lml_error_set(err, LML_EINVAL,
                                  "%s: %s value in column '%s' at row %zu (handleInvalid=error; consider removing "
                                  "them or setting handleInvalid to keep or skip)",
                                  self->uid, lml_column_is_null(ins[k].col, i) ? "null" : "NaN", names[k], i);
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

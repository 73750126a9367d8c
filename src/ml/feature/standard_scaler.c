/* StandardScaler / StandardScalerModel (spec §12): per-feature mean and sample (n − 1) standard
 * deviation of a vector column; transform subtracts the mean (withMean) and divides by the std
 * (withStd), a feature with std 0 scaling to 0. Sparse input stays sparse unless withMean. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"
#include "ml/feature/feature_internal.h"
#include "ml/persist/persist_internal.h"

typedef struct {
    lml_feat_state h;
    size_t d;
    double *mean, *std;
} ss_state;

static void ss_destroy(void *p)
{
    ss_state *st = p;
    free(st->mean);
    free(st->std);
    free(st);
}

static const lml_param_def ss_params[] = {
    {.name = "inputCol", .type = LML_PARAM_STRING, .doc = "input column name"},
    {.name = "outputCol", .type = LML_PARAM_STRING, .doc = "output column name"},
    {.name = "withMean", .type = LML_PARAM_BOOL, .doc = "Whether to center data with mean", .has_default = true,
     .def_b = false},
    {.name = "withStd", .type = LML_PARAM_BOOL, .doc = "Whether to scale the data to unit standard deviation",
     .has_default = true, .def_b = true},
};

extern const lml_stage_vtable lml_standard_scaler_vt, lml_standard_scaler_model_vt;

static const lml_column *vector_input(const lml_stage *s, const lml_frame *df, const char *name, lml_error *err)
{
    const lml_column *c = lml_frame_column_by_name(df, name, err);
    if (!c) {
        lml_feat_fail(s, err);
        return NULL;
    }
    if (c->type != LML_VECTOR) {
        lml_error_set(err, LML_ETYPE, "%s: input column '%s' must be a vector column, got %s", s->uid, name,
                      lml_type_name(c->type));
        return NULL;
    }
    for (size_t i = 0; i < c->length; i++)
        if (lml_column_is_null(c, i)) {
            lml_error_set(err, LML_EINVAL, "%s: null vector in column '%s' at row %zu", s->uid, name, i);
            return NULL;
        }
    return c;
}

static lml_stage *ss_fit(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    lml_feat_cols cols;
    if (!lml_feat_cols_get(self, false, &cols, err))
        return NULL;
    const lml_column *c = vector_input(self, df, cols.in[0], err);
    ss_state *st = NULL;
    if (!c)
        goto fail;
    size_t n = c->length, d = c->vec_size;
    if (n == 0) {
        lml_error_set(err, LML_EINVAL, "%s: cannot fit on an empty frame (column '%s')", self->uid, cols.in[0]);
        goto fail;
    }
    st = calloc(1, sizeof *st);
    if (!st || !(st->mean = calloc(d ? d : 1, sizeof(double))) || !(st->std = calloc(d ? d : 1, sizeof(double)))) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        goto fail;
    }
    st->h.refs = 1;
    st->h.destroy = ss_destroy;
    st->d = d;
    /* Two passes (mean, then squared deviations) for accuracy; zeros of sparse rows contribute
     * mean² each, added once per feature at the end. */
    size_t *nnz = NULL;
    if (c->sparse) {
        if (!(nnz = calloc(d ? d : 1, sizeof *nnz))) {
            lml_error_set(err, LML_ENOMEM, "out of memory");
            goto fail;
        }
        size_t total = (size_t)c->indptr[n];
        for (size_t k = 0; k < total; k++) {
            st->mean[c->indices[k]] += c->vvalues[k];
            nnz[c->indices[k]]++;
        }
        for (size_t j = 0; j < d; j++)
            st->mean[j] /= (double)n;
        for (size_t k = 0; k < total; k++) {
            double e = c->vvalues[k] - st->mean[c->indices[k]];
            st->std[c->indices[k]] += e * e;
        }
        for (size_t j = 0; j < d; j++)
            st->std[j] += (double)(n - nnz[j]) * st->mean[j] * st->mean[j];
        free(nnz);
    } else {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++)
                st->mean[j] += c->vvalues[i * d + j];
        for (size_t j = 0; j < d; j++)
            st->mean[j] /= (double)n;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++) {
                double e = c->vvalues[i * d + j] - st->mean[j];
                st->std[j] += e * e;
            }
    }
    /* One row has no spread: Spark's summarizer reports variance 0 then. */
    for (size_t j = 0; j < d; j++)
        st->std[j] = n > 1 ? sqrt(st->std[j] / (double)(n - 1)) : 0.0;
    lml_feat_cols_free(&cols);
    return lml_stage_create_model(&lml_standard_scaler_model_vt, self, st, err);
fail:
    if (st)
        ss_destroy(st);
    lml_feat_cols_free(&cols);
    return NULL;
}

static lml_frame *ss_transform(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const ss_state *st = lml_stage_state(self, &lml_standard_scaler_model_vt, err);
    lml_feat_cols cols;
    if (!st || !lml_feat_cols_get(self, false, &cols, err))
        return NULL;
    lml_frame *r = NULL;
    double *scale = NULL, *out = NULL;
    const lml_column *c = vector_input(self, df, cols.in[0], err);
    if (!c)
        goto done;
    size_t n = c->length, d = st->d, cells;
    if (c->vec_size != d) {
        lml_error_set(err, LML_EINVAL, "%s: column '%s' has vectors of size %zu, the model was fit on size %zu",
                      self->uid, cols.in[0], c->vec_size, d);
        goto done;
    }
    if (lml_frame_column_index(df, cols.out[0]) >= 0) {
        lml_error_set(err, LML_EINVAL, "%s: output column '%s' already exists", self->uid, cols.out[0]);
        goto done;
    }
    bool with_mean = lml_param_bool(self, "withMean"), with_std = lml_param_bool(self, "withStd");
    if (!(scale = malloc((d ? d : 1) * sizeof *scale))) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t j = 0; j < d; j++)
        scale[j] = !with_std ? 1.0 : st->std[j] != 0.0 ? 1.0 / st->std[j] : 0.0;
    lml_column *col;
    if (c->sparse && !with_mean) {
        size_t total = (size_t)c->indptr[n];
        if (!(out = malloc((total ? total : 1) * sizeof *out))) {
            lml_error_set(err, LML_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t k = 0; k < total; k++)
            out[k] = c->vvalues[k] * scale[c->indices[k]];
        col = lml_column_vector_from_csr(c->indptr, c->indices, out, n, d, err);
    } else {
        if (!lml_mul_ok(n, d, &cells) || !(out = calloc(cells ? cells : 1, sizeof *out))) {
            lml_error_set(err, LML_ENOMEM, "out of memory scaling %zu rows", n);
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            double *row = out + i * d;
            if (c->sparse)
                for (int64_t k = c->indptr[i]; k < c->indptr[i + 1]; k++)
                    row[c->indices[k]] = c->vvalues[k];
            else
                memcpy(row, c->vvalues + i * d, d * sizeof *row);
            for (size_t j = 0; j < d; j++)
                row[j] = (row[j] - (with_mean ? st->mean[j] : 0.0)) * scale[j];
        }
        col = lml_column_vector_from_dense(out, n, d, err);
    }
    lml_attr_group g = {.num_attrs = (long)d};
    char *meta = col ? lml_attr_group_to_json(&g, err) : NULL;
    if (col && !meta)
        lml_column_free(col);
    else if (col)
        r = lml_feat_add(df, cols.out[0], col, meta, err);
done:
    free(scale);
    free(out);
    lml_feat_cols_free(&cols);
    return r;
}

/* ---- persistence (spec §4.6): std and mean Vectors. */

static bool ss_save(const lml_stage *self, const char *dir, struct cJSON *meta, lml_error *err)
{
    const ss_state *st = self->state;
    lml_column *c[2] = {lml_persist_vector_col(st->std, st->d, err), lml_persist_vector_col(st->mean, st->d, err)};
    static const char *const names[2] = {"std", "mean"};
    lml_frame *f = c[0] && c[1] ? lml_frame_new(2, names, c, err) : NULL;
    lml_column_free(c[0]);
    lml_column_free(c[1]);
    bool ok = f && lml_persist_write_table(dir, "data", f, err);
    lml_frame_free(f);
    return ok;
}

static void *ss_load(const char *dir, const struct cJSON *meta, int version, lml_error *err)
{
    lml_frame *f = lml_persist_read_table(dir, "data", err);
    if (!f)
        return NULL;
    ss_state *st = calloc(1, sizeof *st);
    size_t nm = 0;
    bool ok = st && lml_persist_cell_vector(f, dir, "std", 0, &st->std, &st->d, err) &&
              lml_persist_cell_vector(f, dir, "mean", 0, &st->mean, &nm, err);
    if (!st)
        lml_error_set(err, LML_ENOMEM, "out of memory loading %s", dir);
    if (ok && nm != st->d)
        ok = lml_error_set(err, LML_EFORMAT, "%s: data: std has %zu values but mean %zu", dir, st->d, nm);
    lml_frame_free(f);
    if (!ok) {
        if (st)
            ss_destroy(st);
        return NULL;
    }
    st->h.refs = 1;
    st->h.destroy = ss_destroy;
    return st;
}

const lml_stage_vtable lml_standard_scaler_vt = {
    .name = "StandardScaler", .class_name = "org.apache.spark.ml.feature.StandardScaler",
    .kind = LML_STAGE_ESTIMATOR, .params = ss_params, .nparams = sizeof ss_params / sizeof ss_params[0],
    .fit = ss_fit};
const lml_stage_vtable lml_standard_scaler_model_vt = {
    .name = "StandardScalerModel", .class_name = "org.apache.spark.ml.feature.StandardScalerModel",
    .kind = LML_STAGE_MODEL, .params = ss_params, .nparams = sizeof ss_params / sizeof ss_params[0],
    .transform = ss_transform, .retain_state = lml_feat_state_retain, .release_state = lml_feat_state_release,
    .save_data = ss_save, .load_state = ss_load};

lml_stage *lml_standard_scaler_new(const char *input, const char *output)
{
    return lml_feat_new(&lml_standard_scaler_vt, input, output, NULL, NULL);
}

const double *lml_standard_scaler_model_mean(const lml_stage *model, size_t *n, lml_error *err)
{
    const ss_state *st = lml_stage_state(model, &lml_standard_scaler_model_vt, err);
    *n = st ? st->d : 0;
    return st ? st->mean : NULL;
}

const double *lml_standard_scaler_model_std(const lml_stage *model, size_t *n, lml_error *err)
{
    const ss_state *st = lml_stage_state(model, &lml_standard_scaler_model_vt, err);
    *n = st ? st->d : 0;
    return st ? st->std : NULL;
}

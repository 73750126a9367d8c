/* CrossValidator / CrossValidatorModel (spec §11.3) with PySpark's fold rule: a rand(seed)
 * column (one XORShiftRandom(seed + 0) draw per row, in row order) and fold f validating on
 * f·h <= u < (f+1)·h, h = 1/k in double arithmetic. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/xorshift.h"
#include "ml/tuning/tuning_internal.h"

static bool check_folds(const lml_param_value *v, lml_error *err)
{
    return v->v.i >= 2 || lml_error_set(err, LML_ERANGE, "must be >= 2, got %lld", (long long)v->v.i);
}

static bool check_parallelism(const lml_param_value *v, lml_error *err)
{
    return v->v.i >= 1 || lml_error_set(err, LML_ERANGE, "must be >= 1, got %lld", (long long)v->v.i);
}

static const lml_param_def cv_params[] = {
    {.name = "collectSubModels", .type = LML_PARAM_BOOL, .doc = "whether to collect a list of sub-models trained during tuning",
     .has_default = true, .def_b = false},
    {.name = "foldCol", .type = LML_PARAM_STRING, .doc = "the column holding user-specified fold numbers",
     .has_default = true, .def_s = ""},
    {.name = "numFolds", .type = LML_PARAM_INT, .doc = "number of folds for cross validation (>= 2)",
     .has_default = true, .def_i = 3, .check = check_folds},
    {.name = "parallelism", .type = LML_PARAM_INT, .doc = "the number of threads to use when running parallel algorithms (>= 1)",
     .has_default = true, .def_i = 1, .check = check_parallelism},
    /* Scala's default: "org.apache.spark.ml.tuning.CrossValidator".hashCode; PySpark's is random per process. */
    {.name = "seed", .type = LML_PARAM_INT, .doc = "random seed", .has_default = true, .def_i = -1191137437},
};

/* Spark's CrossValidatorModel has CrossValidatorParams only (no parallelism, collectSubModels):
 * a saved model naming those would not load in Spark. */
static const lml_param_def cvm_params[] = {
    {.name = "foldCol", .type = LML_PARAM_STRING, .doc = "the column holding user-specified fold numbers",
     .has_default = true, .def_s = ""},
    {.name = "numFolds", .type = LML_PARAM_INT, .doc = "number of folds for cross validation (>= 2)",
     .has_default = true, .def_i = 3, .check = check_folds},
    {.name = "seed", .type = LML_PARAM_INT, .doc = "random seed", .has_default = true, .def_i = -1191137437},
};

static lml_stage *cv_fit(const lml_stage *self, const lml_frame *df, lml_error *err);
static lml_frame *cvm_transform(const lml_stage *self, const lml_frame *df, lml_error *err);

const lml_stage_vtable lml_cv_vt = {
    .name = "CrossValidator", .class_name = "org.apache.spark.ml.tuning.CrossValidator",
    .kind = LML_STAGE_ESTIMATOR, .params = cv_params, .nparams = sizeof cv_params / sizeof cv_params[0],
    .fit = cv_fit, .retain_state = lml_tuning_spec_retain, .release_state = lml_tuning_spec_release,
    .save_data = lml_tuning_save_data, .load_state = lml_tuning_load_spec, .persist_keys = lml_tuning_persist_keys};
const lml_stage_vtable lml_cvm_vt = {
    .name = "CrossValidatorModel", .class_name = "org.apache.spark.ml.tuning.CrossValidatorModel",
    .kind = LML_STAGE_MODEL, .params = cvm_params, .nparams = sizeof cvm_params / sizeof cvm_params[0],
    .transform = cvm_transform, .retain_state = lml_tuning_result_retain, .release_state = lml_tuning_result_release,
    .save_data = lml_tuning_save_data, .load_state = lml_tuning_load_result,
    .persist_keys = lml_tuning_persist_keys};

lml_stage *lml_cross_validator_new(lml_stage *estimator, lml_param_grid *grid, lml_stage *evaluator, lml_error *err)
{
    return lml_tuning_create(&lml_cv_vt, estimator, grid, evaluator, err);
}

/* fold[i] = the fold row i validates, or -1 when its draw falls in no fold (possible only when
 * k·(1/k) rounds below 1; PySpark then keeps the row in every training set). */
static bool assign_folds(const lml_stage *self, const lml_frame *df, int64_t k, int *fold, lml_error *err)
{
    size_t n = lml_frame_num_rows(df);
    const char *fold_col = lml_param_string(self, "foldCol");
    if (fold_col && *fold_col) {
        const lml_column *c = lml_frame_column_by_name(df, fold_col, err);
        if (!c) {
            lml_error_prefix(err, "%s: foldCol", self->uid);
            return false;
        }
        lml_type t = lml_column_type(c);
        if (t != LML_INT32 && t != LML_INT64)
            return lml_error_set(err, LML_ETYPE, "%s: foldCol '%s' must be an integer column, got %s", self->uid,
                                 fold_col, lml_type_name(t));
        for (size_t i = 0; i < n; i++) {
            if (lml_column_is_null(c, i))
                return lml_error_set(err, LML_EINVAL, "%s: foldCol '%s' is null at row %zu", self->uid, fold_col, i);
            int64_t v = t == LML_INT32 ? lml_column_int32s(c)[i] : lml_column_int64s(c)[i];
            if (v < 0 || v >= k)
                return lml_error_set(err, LML_ERANGE,
                                     "%s: foldCol '%s' value %lld at row %zu is outside [0, numFolds = %lld)",
                                     self->uid, fold_col, (long long)v, i, (long long)k);
            fold[i] = (int)v;
        }
        return true;
    }
    lml_xorshift rng;
    lml_xorshift_init(&rng, lml_param_int(self, "seed"));
    double h = 1.0 / (double)k;
    for (size_t i = 0; i < n; i++) {
        double u = lml_xorshift_next_double(&rng);
        fold[i] = -1;
        for (int64_t f = 0; f < k; f++) {
            if ((double)f * h <= u && u < (double)(f + 1) * h) {
                fold[i] = (int)f;
                break;
            }
        }
    }
    return true;
}

static lml_stage *cv_fit(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const lml_tuning_spec *spec = self->state;
    size_t nmaps = lml_param_grid_num_maps(spec->grid), n = lml_frame_num_rows(df);
    int64_t k = lml_param_int(self, "numFolds");
    if (nmaps == 0) {
        lml_error_set(err, LML_EINVAL, "%s: estimatorParamMaps is empty (a grid param has no values)", self->uid);
        return NULL;
    }
    if (k > 1000000 || (size_t)k > SIZE_MAX / nmaps) {
        lml_error_set(err, LML_ERANGE, "%s: numFolds %lld is too large", self->uid, (long long)k);
        return NULL;
    }
    size_t nf = (size_t)k, total = nf * nmaps;
    lml_stage *model = NULL;
    int *fold = calloc(n ? n : 1, sizeof *fold);
    bool *keep = calloc(n ? n : 1, sizeof *keep);
    lml_frame **train = calloc(nf, sizeof *train), **valid = calloc(nf, sizeof *valid);
    double *all = calloc(total, sizeof *all), *avg = calloc(nmaps, sizeof *avg), *sd = calloc(nmaps, sizeof *sd);
    lml_stage **subs = lml_param_bool(self, "collectSubModels") ? calloc(total, sizeof *subs) : NULL;
    if (!fold || !keep || !train || !valid || !all || !avg || !sd ||
        (lml_param_bool(self, "collectSubModels") && !subs)) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory", self->uid);
        goto out;
    }
    if (!assign_folds(self, df, k, fold, err))
        goto out;
    for (size_t f = 0; f < nf; f++) {
        size_t nv = 0;
        for (size_t i = 0; i < n; i++)
            nv += (keep[i] = fold[i] == (int)f);
        if (nv == 0 || nv == n) {
            lml_error_set(err, LML_EINVAL, "%s: fold %zu has an empty %s set (%zu rows, numFolds %zu)", self->uid, f,
                          nv == 0 ? "validation" : "training", n, nf);
            goto out;
        }
        if (!(valid[f] = lml_tuning_rows(df, keep, err)))
            goto out;
        for (size_t i = 0; i < n; i++)
            keep[i] = !keep[i];
        if (!(train[f] = lml_tuning_rows(df, keep, err)))
            goto out;
    }
    if (!lml_tuning_run(self, spec, train, valid, nf, lml_param_int(self, "parallelism"), all, subs, err))
        goto out;
    /* np.mean / np.std (population) over the folds, fold order. */
    for (size_t j = 0; j < nmaps; j++) {
        double s = 0, q = 0;
        for (size_t f = 0; f < nf; f++)
            s += all[f * nmaps + j];
        avg[j] = s / (double)nf;
        for (size_t f = 0; f < nf; f++)
            q += (all[f * nmaps + j] - avg[j]) * (all[f * nmaps + j] - avg[j]);
        sd[j] = sqrt(q / (double)nf);
    }
    model = lml_tuning_finish(self, &lml_cvm_vt, df, nf, avg, sd, subs, err);
    avg = sd = NULL;
    subs = NULL;
out:
    if (subs)
        for (size_t i = 0; i < total; i++)
            lml_stage_free(subs[i]);
    free(subs);
    for (size_t f = 0; train && valid && f < nf; f++) {
        lml_frame_free(train[f]);
        lml_frame_free(valid[f]);
    }
    free(train);
    free(valid);
    free(fold);
    free(keep);
    free(all);
    free(avg);
    free(sd);
    return model;
}

static lml_frame *cvm_transform(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const lml_tuning_result *r = self->state;
    return lml_transform(r->best_model, df, err);
}

/* ---- accessors shared with TrainValidationSplit (declared in tuning.h) */

static const lml_tuning_spec *spec_of(const lml_stage *s, lml_error *err)
{
    if (s && (s->vt == &lml_cv_vt || s->vt == &lml_tvs_vt))
        return s->state;
    if (s && (s->vt == &lml_cvm_vt || s->vt == &lml_tvsm_vt))
        return ((const lml_tuning_result *)s->state)->spec;
    lml_error_set(err, LML_ETYPE, "expected a CrossValidator, TrainValidationSplit or their model, got %s",
                  s ? s->vt->name : "NULL");
    return NULL;
}

static const lml_tuning_result *result_of(const lml_stage *s, lml_error *err)
{
    if (s && (s->vt == &lml_cvm_vt || s->vt == &lml_tvsm_vt))
        return s->state;
    lml_error_set(err, LML_ETYPE, "expected a CrossValidatorModel or TrainValidationSplitModel, got %s",
                  s ? s->vt->name : "NULL");
    return NULL;
}

const lml_stage *lml_tuning_estimator(const lml_stage *s, lml_error *err)
{
    const lml_tuning_spec *sp = spec_of(s, err);
    return sp ? sp->estimator : NULL;
}

const lml_param_grid *lml_tuning_grid(const lml_stage *s, lml_error *err)
{
    const lml_tuning_spec *sp = spec_of(s, err);
    return sp ? sp->grid : NULL;
}

const lml_stage *lml_tuning_evaluator(const lml_stage *s, lml_error *err)
{
    const lml_tuning_spec *sp = spec_of(s, err);
    return sp ? sp->evaluator : NULL;
}

const double *lml_tuning_model_metrics(const lml_stage *model, size_t *n, lml_error *err)
{
    const lml_tuning_result *r = result_of(model, err);
    if (n)
        *n = r ? r->nmaps : 0;
    return r ? r->metrics : NULL;
}

const double *lml_tuning_model_std_metrics(const lml_stage *model, size_t *n, lml_error *err)
{
    const lml_tuning_result *r = result_of(model, err);
    if (r && !r->std_metrics) {
        lml_error_set(err, LML_ETYPE,
                      "%s: no stdMetrics (they exist for a CrossValidatorModel fitted by lakeml or loaded from a "
                      "file that has them)", model->uid);
        r = NULL;
    }
    if (n)
        *n = r ? r->nmaps : 0;
    return r ? r->std_metrics : NULL;
}

size_t lml_tuning_model_best_index(const lml_stage *model, lml_error *err)
{
    const lml_tuning_result *r = result_of(model, err);
    return r ? r->best : SIZE_MAX;
}

const lml_stage *lml_tuning_model_best_model(const lml_stage *model, lml_error *err)
{
    const lml_tuning_result *r = result_of(model, err);
    return r ? r->best_model : NULL;
}

const lml_stage *lml_tuning_model_sub_model(const lml_stage *model, size_t split, size_t j, lml_error *err)
{
    const lml_tuning_result *r = result_of(model, err);
    if (!r)
        return NULL;
    if (!r->sub_models) {
        lml_error_set(err, LML_ENOTFOUND, "%s: no sub-models (collectSubModels was false)", model->uid);
        return NULL;
    }
    if (split >= r->nsplits || j >= r->nmaps) {
        lml_error_set(err, LML_ERANGE, "%s: sub-model (%zu, %zu) out of range (%zu splits, %zu param maps)",
                      model->uid, split, j, r->nsplits, r->nmaps);
        return NULL;
    }
    return r->sub_models[split * r->nmaps + j];
}

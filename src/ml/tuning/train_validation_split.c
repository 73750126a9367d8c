/* TrainValidationSplit / TrainValidationSplitModel (spec §11.4) with PySpark's rule: a rand(seed)
 * column (one XORShiftRandom(seed + 0) draw per row, in row order); rows with u >= trainRatio
 * validate, the rest train. */
#include <stdlib.h>
#include "core/internal.h"
#include "frame/xorshift.h"
#include "ml/tuning/tuning_internal.h"

static bool check_parallelism(const lml_param_value *v, lml_error *err)
{
    return v->v.i >= 1 || lml_error_set(err, LML_ERANGE, "must be >= 1, got %lld", (long long)v->v.i);
}

static const lml_param_def tvs_params[] = {
    {.name = "collectSubModels", .type = LML_PARAM_BOOL, .doc = "whether to collect a list of sub-models trained during tuning",
     .has_default = true, .def_b = false},
    {.name = "parallelism", .type = LML_PARAM_INT, .doc = "the number of threads to use when running parallel algorithms (>= 1)",
     .has_default = true, .def_i = 1, .check = check_parallelism},
    /* Scala's default: "org.apache.spark.ml.tuning.TrainValidationSplit".hashCode; PySpark's is random per process. */
    {.name = "seed", .type = LML_PARAM_INT, .doc = "random seed", .has_default = true, .def_i = -1772833110},
    {.name = "trainRatio", .type = LML_PARAM_DOUBLE, .doc = "ratio between training set and validation set (>= 0 && <= 1)",
     .has_default = true, .def_d = 0.75, .check = lml_check_unit},
};

/* Spark's TrainValidationSplitModel has TrainValidationSplitParams only (no parallelism,
 * collectSubModels): a saved model naming those would not load in Spark. */
static const lml_param_def tvsm_params[] = {
    {.name = "seed", .type = LML_PARAM_INT, .doc = "random seed", .has_default = true, .def_i = -1772833110},
    {.name = "trainRatio", .type = LML_PARAM_DOUBLE, .doc = "ratio between training set and validation set (>= 0 && <= 1)",
     .has_default = true, .def_d = 0.75, .check = lml_check_unit},
};

static lml_stage *tvs_fit(const lml_stage *self, const lml_frame *df, lml_error *err);
static lml_frame *tvsm_transform(const lml_stage *self, const lml_frame *df, lml_error *err);

const lml_stage_vtable lml_tvs_vt = {
    .name = "TrainValidationSplit", .class_name = "org.apache.spark.ml.tuning.TrainValidationSplit",
    .kind = LML_STAGE_ESTIMATOR, .params = tvs_params, .nparams = sizeof tvs_params / sizeof tvs_params[0],
    .fit = tvs_fit, .retain_state = lml_tuning_spec_retain, .release_state = lml_tuning_spec_release,
    .save_data = lml_tuning_save_data, .load_state = lml_tuning_load_spec, .persist_keys = lml_tuning_persist_keys};
const lml_stage_vtable lml_tvsm_vt = {
    .name = "TrainValidationSplitModel", .class_name = "org.apache.spark.ml.tuning.TrainValidationSplitModel",
    .kind = LML_STAGE_MODEL, .params = tvsm_params, .nparams = sizeof tvsm_params / sizeof tvsm_params[0],
    .transform = tvsm_transform, .retain_state = lml_tuning_result_retain,
    .release_state = lml_tuning_result_release, .save_data = lml_tuning_save_data,
    .load_state = lml_tuning_load_result, .persist_keys = lml_tuning_persist_keys};

lml_stage *lml_train_validation_split_new(lml_stage *estimator, lml_param_grid *grid, lml_stage *evaluator,
                                          lml_error *err)
{
    return lml_tuning_create(&lml_tvs_vt, estimator, grid, evaluator, err);
}

static lml_stage *tvs_fit(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const lml_tuning_spec *spec = self->state;
    size_t nmaps = lml_param_grid_num_maps(spec->grid), n = lml_frame_num_rows(df);
    if (nmaps == 0) {
        lml_error_set(err, LML_EINVAL, "%s: estimatorParamMaps is empty (a grid param has no values)", self->uid);
        return NULL;
    }
    double ratio = lml_param_double(self, "trainRatio");
    lml_stage *model = NULL;
    lml_frame *train = NULL, *valid = NULL;
    bool *keep = calloc(n ? n : 1, sizeof *keep);
    double *metrics = calloc(nmaps, sizeof *metrics);
    lml_stage **subs = lml_param_bool(self, "collectSubModels") ? calloc(nmaps, sizeof *subs) : NULL;
    if (!keep || !metrics || (lml_param_bool(self, "collectSubModels") && !subs)) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory", self->uid);
        goto out;
    }
    lml_xorshift rng;
    lml_xorshift_init(&rng, lml_param_int(self, "seed"));
    size_t nv = 0;
    for (size_t i = 0; i < n; i++)
        nv += (keep[i] = lml_xorshift_next_double(&rng) >= ratio);
    if (nv == 0 || nv == n) {
        lml_error_set(err, LML_EINVAL, "%s: trainRatio %g leaves the %s set empty (%zu rows)", self->uid, ratio,
                      nv == 0 ? "validation" : "training", n);
        goto out;
    }
    if (!(valid = lml_tuning_rows(df, keep, err)))
        goto out;
    for (size_t i = 0; i < n; i++)
        keep[i] = !keep[i];
    if (!(train = lml_tuning_rows(df, keep, err)))
        goto out;
    if (!lml_tuning_run(self, spec, &train, &valid, 1, lml_param_int(self, "parallelism"), metrics, subs, err))
        goto out;
    model = lml_tuning_finish(self, &lml_tvsm_vt, df, 1, metrics, NULL, subs, err);
    metrics = NULL;
    subs = NULL;
out:
    if (subs)
        for (size_t i = 0; i < nmaps; i++)
            lml_stage_free(subs[i]);
    free(subs);
    lml_frame_free(train);
    lml_frame_free(valid);
    free(keep);
    free(metrics);
    return model;
}

static lml_frame *tvsm_transform(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const lml_tuning_result *r = self->state;
    return lml_transform(r->best_model, df, err);
}

/* Shared between CrossValidator and TrainValidationSplit (never installed). */
#ifndef LML_ML_TUNING_INTERNAL_H
#define LML_ML_TUNING_INTERNAL_H

#include <stdatomic.h>
#include "lakeml/ml/tuning.h"
#include "ml/stage_internal.h"

/* What a tuning estimator owns: shared by its copies and its models (reference-counted). */
typedef struct lml_tuning_spec {
    atomic_long refs;
    lml_stage *estimator;
    lml_param_grid *grid;
    lml_stage *evaluator;
} lml_tuning_spec;

/* The learned state of CrossValidatorModel / TrainValidationSplitModel. */
typedef struct lml_tuning_result {
    atomic_long refs;
    lml_tuning_spec *spec;
    size_t nsplits, nmaps;
    double *metrics;     /* nmaps: avgMetrics or validationMetrics */
    double *std_metrics; /* nmaps, CV only (NULL for TVS) */
    size_t best;
    lml_stage *best_model;
    lml_stage **sub_models; /* nsplits * nmaps when collectSubModels, else NULL */
} lml_tuning_result;

/* The four validator classes (cross_validator.c, train_validation_split.c), for the shared
 * accessors and the class table of lml_load. */
extern const lml_stage_vtable lml_cv_vt, lml_cvm_vt, lml_tvs_vt, lml_tvsm_vt;

/* Persistence of the four classes (src/ml/persist/tuning.c, spec §6), the vtable hooks:
 * save_data for all four; load_state for the estimators (returns an lml_tuning_spec) and for the
 * models (returns an lml_tuning_result). paramMap keys that are not params: estimatorParamMaps. */
bool lml_tuning_save_data(const lml_stage *self, const char *dir, struct cJSON *meta, lml_error *err);
void *lml_tuning_load_spec(const char *dir, const struct cJSON *meta, int version, lml_error *err);
void *lml_tuning_load_result(const char *dir, const struct cJSON *meta, int version, lml_error *err);
extern const char *const lml_tuning_persist_keys[];

/* Grid enumeration and explicit grids (param_grid.c). A grid holds its param maps either as a
 * builder's Cartesian product or, when made by lml_param_grid_new_explicit, as a plain list
 * (a saved estimatorParamMaps need not be a product in PySpark's order). Both modes enumerate
 * the same way: map j has lml_param_grid_map_len(g, j) entries, entry k being (uid, param name,
 * value), all borrowed from g; lml_param_grid_map_string, _apply and the fit loop read them so. */
size_t lml_param_grid_map_len(const lml_param_grid *g, size_t j);
void lml_param_grid_entry(const lml_param_grid *g, size_t j, size_t k, const char **uid, const char **name,
                          const lml_param_value **value);
/* An empty explicit grid (0 maps); NULL when out of memory. addGrid/baseOn refuse it. */
lml_param_grid *lml_param_grid_new_explicit(void);
/* Appends an empty map to an explicit grid. */
bool lml_param_grid_push_map(lml_param_grid *g, lml_error *err);
/* Appends (stage's uid, name, a copy of value) to the last map, after checking that stage has
 * the param (LML_EINVAL), that value has its type (LML_ETYPE) and that the stage's setter
 * accepts it (its own range error); a param set twice in one map is LML_EINVAL. */
bool lml_param_grid_push_entry(lml_param_grid *g, const lml_stage *stage, const char *name,
                               const lml_param_value *value, lml_error *err);

void lml_tuning_spec_retain(void *p);
void lml_tuning_spec_release(void *p);
void lml_tuning_result_retain(void *p);
void lml_tuning_result_release(void *p);
/* Creates a tuning estimator of class vt owning the three parts (frees them on failure). */
lml_stage *lml_tuning_create(const lml_stage_vtable *vt, lml_stage *estimator, lml_param_grid *grid,
                             lml_stage *evaluator, lml_error *err);

/* Fits every (split s, map j) pair on train[s], evaluates on valid[s] into metrics[s*nmaps + j],
 * at most `parallelism` fits at a time; each result has a fixed slot, so the outcome does not
 * depend on parallelism. subs (nullable, nsplits*nmaps) receives the models. On failure the first
 * failing pair in index order is reported. */
bool lml_tuning_run(const lml_stage *self, const lml_tuning_spec *spec, lml_frame *const *train,
                    lml_frame *const *valid, size_t nsplits, int64_t parallelism, double *metrics,
                    lml_stage **subs, lml_error *err);
/* argmax (larger_better) or argmin, first index on ties. */
size_t lml_tuning_best(const double *metrics, size_t n, bool larger_better);
/* The rows of df where keep[i] (df's row count entries). */
lml_frame *lml_tuning_rows(const lml_frame *df, const bool *keep, lml_error *err);
/* Finishes a fit: picks the best map, refits it on df and wraps everything in a model of class
 * model_vt. Takes ownership of metrics, std_metrics and subs (frees them on failure). */
lml_stage *lml_tuning_finish(const lml_stage *self, const lml_stage_vtable *model_vt, const lml_frame *df,
                             size_t nsplits, double *metrics, double *std_metrics, lml_stage **subs,
                             lml_error *err);

#endif

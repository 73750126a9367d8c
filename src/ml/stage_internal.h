/* How algorithms plug into the generic stage (never installed). An algorithm defines a static
 * lml_stage_vtable with its Spark names, its param table and its fit/transform functions, and
 * creates stages with lml_stage_create. Learned state lives in `state` (immutable once built,
 * shared by copies through the vtable's retain/release). */
#ifndef LML_ML_STAGE_INTERNAL_H
#define LML_ML_STAGE_INTERNAL_H

#include "lakeml/ml/stage.h"

struct cJSON;

typedef struct lml_param_value {
    lml_param_type type;
    union {
        bool b;
        int64_t i;
        double d;
        char *s;
        struct { char **items; size_t n; } strs; /* items NULL-terminated */
        struct { double *items; size_t n; } dbls;
    } v;
} lml_param_value;

/* One param of a stage class. `check` validates a value beyond its type (NULL: any value);
 * it sets err naming the constraint, the stage and param are prefixed by the caller. */
typedef struct lml_param_def {
    const char *name;
    lml_param_type type;
    const char *doc;
    bool has_default;
    /* Default, by type (only the one matching `type` is read). */
    bool def_b;
    int64_t def_i;
    double def_d;
    const char *def_s;
    bool (*check)(const lml_param_value *v, lml_error *err);
} lml_param_def;

typedef struct lml_stage_vtable {
    const char *name;       /* "LogisticRegression" (uid prefix) */
    const char *class_name; /* "org.apache.spark.ml.classification.LogisticRegression" */
    lml_stage_kind kind;
    const lml_param_def *params;
    size_t nparams;
    lml_stage *(*fit)(const lml_stage *self, const lml_frame *df, lml_error *err);
    lml_frame *(*transform)(const lml_stage *self, const lml_frame *df, lml_error *err);
    double (*evaluate)(const lml_stage *self, const lml_frame *df, lml_error *err); /* evaluators */
    bool (*larger_better)(const lml_stage *self);                                  /* evaluators */
    void (*retain_state)(void *state); /* NULL when state is always NULL */
    void (*release_state)(void *state);
    /* Persistence (src/ml/persist/persist_internal.h has the helpers). save_data writes the
     * learned state under the stage directory `dir` (data/, stages/ …) and may add keys to the
     * metadata object `meta` (model extras, or paramMap entries such as stageUids); load_state
     * reads them back and returns a new state (one reference) for lml_stage_create. `version` is
     * the file's sparkVersion as major * 100 + minor (305 for 3.5.1), for Spark's old layouts.
     * Both NULL for stages whose params are all there is to save. persist_keys: paramMap names
     * that are not params of the class but are read by load_state (NULL-terminated, or NULL). */
    bool (*save_data)(const lml_stage *self, const char *dir, struct cJSON *meta, lml_error *err);
    void *(*load_state)(const char *dir, const struct cJSON *meta, int version, lml_error *err);
    const char *const *persist_keys;
} lml_stage_vtable;

struct lml_stage {
    const lml_stage_vtable *vt;
    char *uid;
    lml_param_value *values; /* one per vt->params entry */
    bool *is_set;
    void *state;
};

/* Stage classes outside feature/ (feature_internal.h lists those), for loading saved stages. */
extern const lml_stage_vtable lml_logistic_regression_vt, lml_logistic_regression_model_vt,
    lml_linear_regression_vt, lml_linear_regression_model_vt, lml_pipeline_vt, lml_pipeline_model_vt,
    lml_binary_evaluator_vt, lml_multiclass_evaluator_vt, lml_regression_evaluator_vt;
/* Tree stages (src/ml/tree/). */
extern const lml_stage_vtable lml_dt_classifier_vt, lml_dt_classifier_model_vt, lml_dt_regressor_vt,
    lml_dt_regressor_model_vt, lml_rf_classifier_vt, lml_rf_classifier_model_vt, lml_rf_regressor_vt,
    lml_rf_regressor_model_vt, lml_gbt_classifier_vt, lml_gbt_classifier_model_vt, lml_gbt_regressor_vt,
    lml_gbt_regressor_model_vt;

/* A new stage of class vt with a fresh uid (or a copy of `uid` when non-NULL), all params at
 * their defaults, owning `state` (may be NULL). */
lml_stage *lml_stage_create(const lml_stage_vtable *vt, const char *uid, void *state, lml_error *err);
/* A model of class model_vt that takes over the uid and every param value of `estimator` that
 * model_vt also declares (Spark's copyValues). */
lml_stage *lml_stage_create_model(const lml_stage_vtable *model_vt, const lml_stage *estimator, void *state,
                                  lml_error *err);
/* The stage's state when its class is vt, else NULL with LML_ETYPE naming the expected class. */
void *lml_stage_state(const lml_stage *s, const lml_stage_vtable *vt, lml_error *err);

/* Reads with no error path, for params that have defaults (abort-free: a missing param gives
 * the zero value). */
bool lml_param_bool(const lml_stage *s, const char *name);
int64_t lml_param_int(const lml_stage *s, const char *name);
double lml_param_double(const lml_stage *s, const char *name);
const char *lml_param_string(const lml_stage *s, const char *name); /* NULL when undefined */

/* Param values: the default of def (an empty list for list params), a deep copy, and release. */
bool lml_param_init_default(const lml_param_def *def, lml_param_value *out, lml_error *err);
bool lml_param_value_copy(lml_param_value *dst, const lml_param_value *src, lml_error *err);
void lml_param_value_clear(lml_param_value *v);

/* Common checks for param tables. */
bool lml_check_nonneg(const lml_param_value *v, lml_error *err);   /* >= 0 (int or double) */
bool lml_check_positive(const lml_param_value *v, lml_error *err); /* > 0 */
bool lml_check_unit(const lml_param_value *v, lml_error *err);     /* in [0, 1] */
bool lml_check_handle_invalid(const lml_param_value *v, lml_error *err); /* error, skip, keep */

/* Spark's default output column name "<uid>__output". Returns a malloc'd string. */
char *lml_default_output_col(const lml_stage *s, lml_error *err);

#endif

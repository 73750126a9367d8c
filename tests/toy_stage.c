/* A toy stage class for tests of the generic stage code: the estimator "MeanCenterer" learns the
 * mean of inputCol; its model writes inputCol minus that mean to outputCol. */
#include <stdlib.h>
#include <string.h>
#include "toy_stage.h"

typedef struct {
    int refs;
    double mean;
} mean_state;

static void retain(void *st) { ((mean_state *)st)->refs++; }
static void release(void *st)
{
    if (--((mean_state *)st)->refs == 0)
        free(st);
}

static bool check_mode(const lml_param_value *v, lml_error *err)
{
    return strcmp(v->v.s, "a") == 0 || strcmp(v->v.s, "b") == 0
               ? true
               : lml_error_set(err, LML_EINVAL, "must be a or b, got '%s'", v->v.s);
}

static const lml_param_def params[] = {
    {.name = "inputCol", .type = LML_PARAM_STRING, .doc = "input column name"},
    {.name = "outputCol", .type = LML_PARAM_STRING, .doc = "output column name", .has_default = true,
     .def_s = "centered"},
    {.name = "regParam", .type = LML_PARAM_DOUBLE, .doc = "regularization parameter (>= 0)", .has_default = true,
     .def_d = 0.0, .check = lml_check_nonneg},
    {.name = "maxIter", .type = LML_PARAM_INT, .doc = "maximum number of iterations (>= 0)", .has_default = true,
     .def_i = 100, .check = lml_check_nonneg},
    {.name = "fitIntercept", .type = LML_PARAM_BOOL, .doc = "whether to fit an intercept term", .has_default = true,
     .def_b = true},
    {.name = "mode", .type = LML_PARAM_STRING, .doc = "a or b", .has_default = true, .def_s = "a",
     .check = check_mode},
    {.name = "inputCols", .type = LML_PARAM_STRINGS, .doc = "input column names"},
    {.name = "thresholds", .type = LML_PARAM_DOUBLES, .doc = "thresholds"},
};


static lml_stage *fit(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const lml_column *c = lml_frame_column_by_name(df, lml_param_string(self, "inputCol"), err);
    if (!c)
        return NULL;
    mean_state *st = calloc(1, sizeof *st);
    st->refs = 1;
    for (size_t i = 0; i < lml_column_length(c); i++)
        st->mean += lml_column_get_double(c, i) / (double)lml_column_length(c);
    return lml_stage_create_model(&toy_model_vt, self, st, err);
}

static lml_frame *transform(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const mean_state *st = lml_stage_state(self, &toy_model_vt, err);
    const lml_column *c = lml_frame_column_by_name(df, lml_param_string(self, "inputCol"), err);
    if (!st || !c)
        return NULL;
    size_t n = lml_column_length(c);
    double *out = malloc(n * sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = lml_column_get_double(c, i) - st->mean;
    lml_column *col = lml_column_from_doubles(out, NULL, n, err);
    free(out);
    lml_frame *r = lml_frame_with_column(df, lml_param_string(self, "outputCol"), col, err);
    lml_column_free(col);
    return r;
}

const lml_stage_vtable toy_est_vt = {
    .name = "MeanCenterer", .class_name = "test.MeanCenterer", .kind = LML_STAGE_ESTIMATOR,
    .params = params, .nparams = sizeof params / sizeof params[0], .fit = fit};
const lml_stage_vtable toy_model_vt = {
    .name = "MeanCentererModel", .class_name = "test.MeanCentererModel", .kind = LML_STAGE_MODEL,
    .params = params, .nparams = sizeof params / sizeof params[0], .transform = transform,
    .retain_state = retain, .release_state = release};


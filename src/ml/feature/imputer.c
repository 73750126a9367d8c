/* Imputer / ImputerModel (spec §12): one surrogate per numeric column (mean, median or mode of
 * the values that are not null, NaN or missingValue), written into the missing cells at
 * transform time and cast back to the column's type (an int column gets the truncated value).
 *
 * median: Spark's approxQuantile(0.5, relativeError) is exact for small data (the element of
 * rank ⌈n/2⌉, no interpolation); lakeml always returns that exact element, which lies within
 * any relativeError Spark would allow on larger data. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"
#include "ml/feature/feature_internal.h"
#include "ml/persist/persist_internal.h"

typedef struct {
    lml_feat_state h;
    size_t ncols;
    double *surrogates;
} imp_state;

static void imp_destroy(void *p)
{
    imp_state *st = p;
    free(st->surrogates);
    free(st);
}

static bool check_strategy(const lml_param_value *v, lml_error *err)
{
    if (strcmp(v->v.s, "mean") == 0 || strcmp(v->v.s, "median") == 0 || strcmp(v->v.s, "mode") == 0)
        return true;
    return lml_error_set(err, LML_EINVAL, "must be one of mean, median, mode; got '%s'", v->v.s);
}

static const lml_param_def imp_params[] = {
    {.name = "inputCol", .type = LML_PARAM_STRING, .doc = "input column name"},
    {.name = "outputCol", .type = LML_PARAM_STRING, .doc = "output column name"},
    {.name = "inputCols", .type = LML_PARAM_STRINGS, .doc = "input column names"},
    {.name = "outputCols", .type = LML_PARAM_STRINGS, .doc = "output column names"},
    {.name = "strategy", .type = LML_PARAM_STRING,
     .doc = "strategy for imputation. If mean, then replace missing values using the mean value of the feature. If "
            "median, then replace missing values using the median value of the feature. If mode, then replace "
            "missing using the most frequent value of the feature.",
     .has_default = true, .def_s = "mean", .check = check_strategy},
    {.name = "missingValue", .type = LML_PARAM_DOUBLE,
     .doc = "The placeholder for the missing values. All occurrences of missingValue will be imputed.",
     .has_default = true, .def_d = NAN},
    {.name = "relativeError", .type = LML_PARAM_DOUBLE,
     .doc = "the relative target precision for the approximate quantile algorithm. Must be in the range [0, 1]",
     .has_default = true, .def_d = 0.001, .check = lml_check_unit},
};

extern const lml_stage_vtable lml_imputer_vt, lml_imputer_model_vt;

static const lml_column *numeric_input(const lml_stage *s, const lml_frame *df, const char *name, lml_error *err)
{
    const lml_column *c = lml_frame_column_by_name(df, name, err);
    if (!c) {
        lml_feat_fail(s, err);
        return NULL;
    }
    if (c->type != LML_DOUBLE && c->type != LML_INT32 && c->type != LML_INT64) {
        lml_error_set(err, LML_ETYPE, "%s: input column '%s' must be numeric, got %s", s->uid, name,
                      lml_type_name(c->type));
        return NULL;
    }
    return c;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static bool surrogate(const lml_stage *s, const char *name, const lml_column *c, double *out, lml_error *err)
{
    double mv = lml_param_double(s, "missingValue");
    const char *strategy = lml_param_string(s, "strategy");
    double *v = malloc((c->length ? c->length : 1) * sizeof *v);
    if (!v)
        return lml_error_set(err, LML_ENOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < c->length; i++) {
        double x = lml_feat_num(c, i);
        if (!isnan(x) && x != mv)
            v[n++] = x;
    }
    if (n == 0) {
        free(v);
        return lml_error_set(err, LML_EINVAL,
                             "%s: surrogate cannot be computed: all the values in column '%s' are null, NaN or "
                             "missingValue (%g)",
                             s->uid, name, mv);
    }
    if (strcmp(strategy, "mean") == 0) {
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += v[i];
        *out = sum / (double)n;
    } else {
        qsort(v, n, sizeof *v, cmp_double);
        if (strcmp(strategy, "median") == 0) {
            *out = v[(n + 1) / 2 - 1]; /* rank ⌈n/2⌉, 1-based */
        } else {
            /* mode: the longest run in sorted order; the first (smallest) wins ties */
            size_t best = 0, best_len = 0;
            for (size_t i = 0; i < n;) {
                size_t j = i;
                while (j < n && v[j] == v[i])
                    j++;
                if (j - i > best_len) {
                    best = i;
                    best_len = j - i;
                }
                i = j;
            }
            *out = v[best];
        }
    }
    free(v);
    return true;
}

static lml_stage *imp_fit(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    lml_feat_cols cols;
    if (!lml_feat_cols_get(self, true, &cols, err))
        return NULL;
    imp_state *st = calloc(1, sizeof *st);
    bool ok = st && (st->surrogates = calloc(cols.n, sizeof(double)));
    if (!ok)
        lml_error_set(err, LML_ENOMEM, "out of memory");
    else {
        st->h.refs = 1;
        st->h.destroy = imp_destroy;
        st->ncols = cols.n;
    }
    for (size_t c = 0; ok && c < cols.n; c++) {
        const lml_column *col = numeric_input(self, df, cols.in[c], err);
        ok = col && surrogate(self, cols.in[c], col, &st->surrogates[c], err);
    }
    lml_feat_cols_free(&cols);
    if (!ok) {
        if (st)
            imp_destroy(st);
        return NULL;
    }
    return lml_stage_create_model(&lml_imputer_model_vt, self, st, err);
}

/* One imputed column of c's type: null and missingValue cells (NaN cells when missingValue is
 * NaN, as Spark's NaN = NaN) take the surrogate. */
static lml_column *impute(const lml_column *c, double sur, double mv, lml_error *err)
{
    size_t n = c->length;
    lml_column *o = lml_column_alloc(c->type, n, 0, false, err);
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        double x = lml_feat_num(c, i);
        bool missing = lml_column_is_null(c, i) || (isnan(mv) ? isnan(x) : x == mv);
        switch (c->type) {
        case LML_DOUBLE: ((double *)o->values)[i] = missing ? sur : x; break;
        case LML_INT32:
            ((int32_t *)o->values)[i] = missing ? (int32_t)sur : ((const int32_t *)c->values)[i];
            break;
        default: ((int64_t *)o->values)[i] = missing ? (int64_t)sur : ((const int64_t *)c->values)[i]; break;
        }
    }
    return lml_column_seal(o);
}

static lml_frame *imp_transform(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const imp_state *st = lml_stage_state(self, &lml_imputer_model_vt, err);
    lml_feat_cols cols;
    if (!st || !lml_feat_cols_get(self, true, &cols, err))
        return NULL;
    lml_frame *cur = NULL;
    if (cols.n != st->ncols) {
        lml_error_set(err, LML_EINVAL, "%s: the model has surrogates for %zu columns but %zu input columns are set",
                      self->uid, st->ncols, cols.n);
        goto done;
    }
    double mv = lml_param_double(self, "missingValue");
    /* Read every input from df first: an output may replace an input of a later pair. */
    const lml_column **ins = calloc(cols.n, sizeof *ins);
    if (!ins) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        goto done;
    }
    bool ok = true;
    for (size_t c = 0; ok && c < cols.n; c++)
        ok = (ins[c] = numeric_input(self, df, cols.in[c], err)) != NULL;
    cur = ok ? lml_frame_retain(df) : NULL;
    for (size_t c = 0; cur && c < cols.n; c++) {
        lml_column *col = impute(ins[c], st->surrogates[c], mv, err);
        lml_frame *next = col ? lml_feat_add(cur, cols.out[c], col, NULL, err) : NULL;
        lml_frame_free(cur);
        cur = next;
    }
    free(ins);
done:
    lml_feat_cols_free(&cols);
    return cur;
}

/* ---- persistence (spec §4.6): one row, one double column per input column named after it,
 * holding its surrogate. */

static bool imp_save(const lml_stage *self, const char *dir, struct cJSON *meta, lml_error *err)
{
    const imp_state *st = self->state;
    lml_feat_cols cols;
    if (!lml_feat_cols_get(self, true, &cols, err))
        return false;
    lml_column **c = calloc(cols.n ? cols.n : 1, sizeof *c);
    bool ok = c != NULL && cols.n == st->ncols;
    if (!ok)
        lml_error_set(err, c ? LML_EINVAL : LML_ENOMEM, "%s: %zu input columns but %zu surrogates", self->uid, cols.n,
                      st->ncols);
    for (size_t i = 0; ok && i < cols.n; i++)
        ok = (c[i] = lml_column_from_doubles(&st->surrogates[i], NULL, 1, err)) != NULL;
    lml_frame *f = ok ? lml_frame_new(cols.n, cols.in, c, err) : NULL;
    ok = f && lml_persist_write_table(dir, "data", f, err);
    lml_frame_free(f);
    for (size_t i = 0; c && i < cols.n; i++)
        lml_column_free(c[i]);
    free(c);
    lml_feat_cols_free(&cols);
    return ok;
}

static void *imp_load(const char *dir, const struct cJSON *meta, int version, lml_error *err)
{
    const cJSON *pm = lml_persist_param_map(meta);
    const cJSON *ins = cJSON_GetObjectItemCaseSensitive(pm, "inputCols");
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(pm, "inputCol");
    if (!cJSON_IsArray(ins) && !cJSON_IsString(in)) {
        lml_error_set(err, LML_EFORMAT, "%s: metadata paramMap has neither inputCols nor inputCol", dir);
        return NULL;
    }
    size_t n = cJSON_IsArray(ins) ? (size_t)cJSON_GetArraySize(ins) : 1;
    lml_frame *f = lml_persist_read_table(dir, "data", err);
    if (!f)
        return NULL;
    imp_state *st = calloc(1, sizeof *st);
    bool ok = st && (st->surrogates = calloc(n ? n : 1, sizeof(double)));
    if (!ok)
        lml_error_set(err, LML_ENOMEM, "out of memory loading %s", dir);
    for (size_t i = 0; ok && i < n; i++) {
        const cJSON *name = cJSON_IsArray(ins) ? cJSON_GetArrayItem(ins, (int)i) : in;
        ok = cJSON_IsString(name) ? lml_persist_cell_double(f, dir, name->valuestring, 0, &st->surrogates[i], err)
                                  : lml_error_set(err, LML_EFORMAT, "%s: metadata paramMap.inputCols[%zu] is not a "
                                                  "string", dir, i);
    }
    lml_frame_free(f);
    if (!ok) {
        if (st)
            imp_destroy(st);
        return NULL;
    }
    st->h.refs = 1;
    st->h.destroy = imp_destroy;
    st->ncols = n;
    return st;
}

const lml_stage_vtable lml_imputer_vt = {
    .name = "Imputer", .class_name = "org.apache.spark.ml.feature.Imputer", .kind = LML_STAGE_ESTIMATOR,
    .params = imp_params, .nparams = sizeof imp_params / sizeof imp_params[0], .fit = imp_fit};
const lml_stage_vtable lml_imputer_model_vt = {
    .name = "ImputerModel", .class_name = "org.apache.spark.ml.feature.ImputerModel", .kind = LML_STAGE_MODEL,
    .params = imp_params, .nparams = sizeof imp_params / sizeof imp_params[0], .transform = imp_transform,
    .retain_state = lml_feat_state_retain, .release_state = lml_feat_state_release, .save_data = imp_save,
    .load_state = imp_load};

lml_stage *lml_imputer_new(const char *input, const char *output)
{
    return lml_feat_new(&lml_imputer_vt, input, output, NULL, NULL);
}

lml_stage *lml_imputer_new2(const char *const *inputs, const char *const *outputs)
{
    return lml_feat_new(&lml_imputer_vt, NULL, NULL, inputs, outputs);
}

const double *lml_imputer_model_surrogates(const lml_stage *model, size_t *n, lml_error *err)
{
    const imp_state *st = lml_stage_state(model, &lml_imputer_model_vt, err);
    *n = st ? st->ncols : 0;
    return st ? st->surrogates : NULL;
}

/* Runs a training spec (JSON) — data, an optional preparation pipeline fitted on all rows, a
 * split, a pipeline fitted on the training part, evaluators on the test part — and reports what
 * each stage learned and each metric as one JSON object. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "cli.h"
#include "fit_spec.h"
#include "lakeml/ml/classification.h"
#include "lakeml/ml/feature.h"
#include "lakeml/ml/pipeline.h"
#include "lakeml/ml/regression.h"
#include "lakeml/ml/tree.h"
#include "lakeml/ml/tuning.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool spec_error(lml_error *err, const char *fmt, const char *what)
{
    return lml_error_set(err, LML_EINVAL, fmt, what);
}

/* A NULL-terminated array of the strings in a JSON array (borrowed from the JSON). */
static const char **string_list(const cJSON *arr, const char *key, lml_error *err)
{
    if (!cJSON_IsArray(arr)) {
        spec_error(err, "spec: '%s' must be an array of strings", key);
        return NULL;
    }
    int n = cJSON_GetArraySize(arr);
    const char **out = calloc((size_t)n + 1, sizeof *out);
    if (!out) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    int i = 0;
    for (const cJSON *e = arr->child; e; e = e->next, i++) {
        if (!cJSON_IsString(e)) {
            free(out);
            spec_error(err, "spec: '%s' must be an array of strings", key);
            return NULL;
        }
        out[i] = e->valuestring;
    }
    return out;
}

static bool set_param(lml_stage *s, const cJSON *p, lml_error *err)
{
    const char *name = p->string;
    if (cJSON_IsBool(p))
        return lml_set_bool(s, name, cJSON_IsTrue(p), err);
    if (cJSON_IsNumber(p)) {
        double v = p->valuedouble;
        if (v == floor(v) && fabs(v) < 9e15)
            return lml_set_int(s, name, (int64_t)v, err);
        return lml_set_double(s, name, v, err);
    }
    if (cJSON_IsString(p))
        return lml_set_string(s, name, p->valuestring, err);
    if (cJSON_IsArray(p) && p->child && cJSON_IsNumber(p->child)) {
        int n = cJSON_GetArraySize(p);
        double *v = malloc((size_t)n * sizeof *v);
        if (!v)
            return lml_error_set(err, LML_ENOMEM, "out of memory");
        int i = 0;
        for (const cJSON *e = p->child; e; e = e->next)
            v[i++] = cJSON_IsNumber(e) ? e->valuedouble : NAN;
        bool ok = lml_set_doubles(s, name, v, (size_t)n, err);
        free(v);
        return ok;
    }
    if (cJSON_IsArray(p)) {
        const char **list = string_list(p, name, err);
        bool ok = list && lml_set_strings(s, name, list, err);
        free(list);
        return ok;
    }
    return lml_error_set(err, LML_EINVAL, "spec: param '%s' of %s has an unsupported JSON value", name,
                         lml_stage_uid(s));
}

/* {"class": "StringIndexer", "params": {...}} → a stage. */
static lml_stage *make_stage(const cJSON *obj, lml_error *err)
{
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(obj, "class");
    if (!cJSON_IsString(cls)) {
        spec_error(err, "spec: every %s needs a \"class\" string", "stage");
        return NULL;
    }
    lml_stage *s = lml_stage_new_by_name(cls->valuestring, err);
    if (!s)
        return NULL;
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(obj, "params");
    for (const cJSON *p = params ? params->child : NULL; p; p = p->next) {
        if (!set_param(s, p, err)) {
            lml_stage_free(s);
            return NULL;
        }
    }
    return s;
}

static lml_stage *make_pipeline(const cJSON *arr, const char *key, lml_error *err)
{
    if (!cJSON_IsArray(arr)) {
        spec_error(err, "spec: '%s' must be an array of stages", key);
        return NULL;
    }
    int n = cJSON_GetArraySize(arr);
    lml_stage **stages = calloc((size_t)n + 1, sizeof *stages);
    if (!stages) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    int i = 0;
    for (const cJSON *e = arr->child; e; e = e->next, i++) {
        if (!(stages[i] = make_stage(e, err))) {
            for (int j = 0; j < i; j++)
                lml_stage_free(stages[j]);
            free(stages);
            lml_error_prefix(err, "%s[%d]", key, i);
            return NULL;
        }
    }
    lml_stage *p = lml_pipeline_new(stages, err);
    free(stages);
    return p;
}

static cJSON *doubles_json(const double *v, size_t n)
{
    return v ? cJSON_CreateDoubleArray(v, (int)n) : cJSON_CreateArray();
}

/* What a fitted stage learned, as JSON. */
static cJSON *stage_facts(const lml_stage *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "uid", lml_stage_uid(s));
    cJSON_AddStringToObject(o, "class", lml_stage_name(s));
    const char *name = lml_stage_name(s);
    size_t n = 0;
    if (strcmp(name, "StringIndexerModel") == 0) {
        cJSON *all = cJSON_AddArrayToObject(o, "labelsArray");
        for (size_t c = 0; c < lml_string_indexer_model_num_columns(s, NULL); c++) {
            const char *const *labels = lml_string_indexer_model_labels(s, c, &n, NULL);
            cJSON_AddItemToArray(all, labels ? cJSON_CreateStringArray(labels, (int)n) : cJSON_CreateArray());
        }
    } else if (strcmp(name, "OneHotEncoderModel") == 0) {
        const int64_t *sizes = lml_one_hot_encoder_model_category_sizes(s, &n, NULL);
        cJSON *arr = cJSON_AddArrayToObject(o, "categorySizes");
        for (size_t i = 0; sizes && i < n; i++)
            cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)sizes[i]));
    } else if (strcmp(name, "LogisticRegressionModel") == 0) {
        size_t rows = 0, cols = 0;
        const double *m = lml_logistic_regression_coefficient_matrix(s, &rows, &cols, NULL);
        const double *b = lml_logistic_regression_intercept_vector(s, &n, NULL);
        cJSON_AddNumberToObject(o, "numClasses", (double)lml_logistic_regression_num_classes(s, NULL));
        cJSON_AddNumberToObject(o, "numFeatures", (double)lml_logistic_regression_num_features(s, NULL));
        cJSON *cm = cJSON_AddArrayToObject(o, "coefficientMatrix");
        for (size_t r = 0; m && r < rows; r++)
            cJSON_AddItemToArray(cm, doubles_json(m + r * cols, cols));
        cJSON_AddItemToObject(o, "interceptVector", doubles_json(b, n));
        lml_logistic_regression_objective_history(s, &n, NULL);
        cJSON_AddNumberToObject(o, "objectiveHistoryLength", (double)n);
        cJSON_AddNumberToObject(o, "totalIterations", (double)lml_logistic_regression_total_iterations(s, NULL));
    } else if (strcmp(name, "LinearRegressionModel") == 0) {
        const double *c = lml_linear_regression_coefficients(s, &n, NULL);
        cJSON_AddItemToObject(o, "coefficients", doubles_json(c, n));
        cJSON_AddNumberToObject(o, "intercept", lml_linear_regression_intercept(s, NULL));
    } else if (strcmp(name, "StandardScalerModel") == 0) {
        const double *mean = lml_standard_scaler_model_mean(s, &n, NULL);
        cJSON_AddItemToObject(o, "mean", doubles_json(mean, n));
        const double *std = lml_standard_scaler_model_std(s, &n, NULL);
        cJSON_AddItemToObject(o, "std", doubles_json(std, n));
    } else if (strcmp(name, "DecisionTreeClassificationModel") == 0 || strcmp(name, "DecisionTreeRegressionModel") == 0) {
        cJSON_AddNumberToObject(o, "numNodes", (double)lml_decision_tree_num_nodes(s, NULL));
        cJSON_AddNumberToObject(o, "depth", (double)lml_decision_tree_depth(s, NULL));
        const double *imp = lml_decision_tree_feature_importances(s, &n, NULL);
        cJSON_AddItemToObject(o, "featureImportances", doubles_json(imp, n));
    } else if (strcmp(name, "RandomForestClassificationModel") == 0 ||
               strcmp(name, "RandomForestRegressionModel") == 0) {
        int64_t trees = lml_random_forest_num_trees(s, NULL);
        cJSON_AddNumberToObject(o, "numTrees", (double)trees);
        cJSON_AddNumberToObject(o, "totalNumNodes", (double)lml_random_forest_total_num_nodes(s, NULL));
        int64_t depth = 0;
        for (int64_t t = 0; t < trees; t++) {
            int64_t dt = lml_random_forest_tree_depth(s, (size_t)t, NULL);
            depth = dt > depth ? dt : depth;
        }
        cJSON_AddNumberToObject(o, "maxTreeDepth", (double)depth);
        const double *imp = lml_random_forest_feature_importances(s, &n, NULL);
        cJSON_AddItemToObject(o, "featureImportances", doubles_json(imp, n));
    } else if (strcmp(name, "GBTClassificationModel") == 0 || strcmp(name, "GBTRegressionModel") == 0) {
        cJSON_AddNumberToObject(o, "numTrees", (double)lml_gbt_num_trees(s, NULL));
        cJSON_AddNumberToObject(o, "totalNumNodes", (double)lml_gbt_total_num_nodes(s, NULL));
        const double *tw = lml_gbt_tree_weights(s, &n, NULL);
        cJSON_AddItemToObject(o, "treeWeights", doubles_json(tw, n));
        const double *imp = lml_gbt_feature_importances(s, &n, NULL);
        cJSON_AddItemToObject(o, "featureImportances", doubles_json(imp, n));
    } else if (strcmp(name, "ImputerModel") == 0) {
        const double *sur = lml_imputer_model_surrogates(s, &n, NULL);
        cJSON_AddItemToObject(o, "surrogates", doubles_json(sur, n));
    }
    return o;
}

static void add_stage_facts(cJSON *arr, const lml_stage *model)
{
    for (size_t i = 0; i < lml_pipeline_num_stages(model); i++)
        cJSON_AddItemToArray(arr, stage_facts(lml_pipeline_stage(model, i)));
}

static bool opt_bool(const cJSON *v)
{
    return cJSON_IsTrue(v) || (cJSON_IsString(v) && strcasecmp(v->valuestring, "true") == 0);
}

/* Spark's reader option names → lml_csv_options (strings borrowed from the JSON). */
static bool csv_options(const cJSON *opts, lml_csv_options *o, lml_error *err)
{
    for (const cJSON *v = opts ? opts->child : NULL; v; v = v->next) {
        const char *k = v->string;
        const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
        if (strcasecmp(k, "header") == 0)
            o->header = opt_bool(v);
        else if (strcasecmp(k, "inferSchema") == 0)
            o->infer_schema = opt_bool(v);
        else if (strcasecmp(k, "multiLine") == 0)
            o->multi_line = opt_bool(v);
        else if ((strcasecmp(k, "sep") == 0 || strcasecmp(k, "delimiter") == 0) && s && strlen(s) == 1)
            o->delimiter = s[0];
        else if (strcasecmp(k, "quote") == 0 && s && strlen(s) <= 1)
            o->quote = s[0] ? s[0] : LML_CSV_NO_QUOTE;
        else if (strcasecmp(k, "escape") == 0 && s && strlen(s) == 1)
            o->escape = s[0];
        else if (strcasecmp(k, "comment") == 0 && s && strlen(s) == 1)
            o->comment = s[0];
        else if (strcasecmp(k, "nullValue") == 0 && s)
            o->null_value = s;
        else if (strcasecmp(k, "mode") == 0 && s && strcasecmp(s, "PERMISSIVE") == 0)
            o->mode = LML_CSV_PERMISSIVE;
        else if (strcasecmp(k, "mode") == 0 && s && strcasecmp(s, "DROPMALFORMED") == 0)
            o->mode = LML_CSV_DROPMALFORMED;
        else if (strcasecmp(k, "mode") == 0 && s && strcasecmp(s, "FAILFAST") == 0)
            o->mode = LML_CSV_FAILFAST;
        else
            return lml_error_set(err, LML_EINVAL, "spec: data.options: unknown option or bad value for '%s'", k);
    }
    return true;
}

static lml_frame *load_data(const cJSON *data, cJSON *report, lml_error *err)
{
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(data, "path");
    if (!cJSON_IsString(path)) {
        spec_error(err, "spec: %s needs a \"path\" string", "data");
        return NULL;
    }
    const cJSON *opts = cJSON_GetObjectItemCaseSensitive(data, "options");
    lml_frame *f;
    if (lml_delta_is_table(path->valuestring)) {
        /* spark.read.format("delta").option("versionAsOf" | "timestampAsOf", …).load(path) */
        lml_delta_open_options d = {0};
        for (const cJSON *v = opts ? opts->child : NULL; v; v = v->next) {
            if (strcasecmp(v->string, "versionAsOf") == 0 && cJSON_IsNumber(v) && v->valuedouble >= 0 &&
                v->valuedouble < 9007199254740992.0 && v->valuedouble == (double)(int64_t)v->valuedouble)
                d.has_version = true, d.version = (int64_t)v->valuedouble;
            else if (strcasecmp(v->string, "timestampAsOf") == 0 && cJSON_IsString(v))
                d.timestamp = v->valuestring;
            else {
                lml_error_set(err, LML_EINVAL, "spec: data.options: '%s' is not a Delta reader option (versionAsOf, "
                              "timestampAsOf)", v->string);
                return NULL;
            }
        }
        f = lml_delta_read(path->valuestring, &d, NULL, err);
    } else if (cli_is_parquet(path->valuestring)) {
        if (opts && opts->child) {
            lml_error_set(err, LML_EINVAL, "spec: data.options: %s is a Parquet file; reader options do not apply",
                          path->valuestring);
            return NULL;
        }
        f = lml_parquet_read(path->valuestring, NULL, err);
    } else {
        lml_csv_options o = {0};
        if (!csv_options(opts, &o, err))
            return NULL;
        f = lml_csv_read(path->valuestring, &o, err);
    }
    const cJSON *select = cJSON_GetObjectItemCaseSensitive(data, "select");
    if (f && select) {
        const char **cols = string_list(select, "data.select", err);
        lml_frame *g = cols ? lml_frame_select(f, cols, err) : NULL;
        free(cols);
        lml_frame_free(f);
        f = g;
    }
    const cJSON *drop = cJSON_GetObjectItemCaseSensitive(data, "dropNulls");
    if (f && opt_bool(drop)) {
        lml_frame *g = lml_frame_drop_nulls(f, NULL, err);
        lml_frame_free(f);
        f = g;
    }
    if (f) {
        cJSON *d = cJSON_AddObjectToObject(report, "data");
        cJSON_AddStringToObject(d, "path", path->valuestring);
        cJSON_AddNumberToObject(d, "rows", (double)lml_frame_num_rows(f));
        cJSON_AddNumberToObject(d, "columns", (double)lml_frame_num_cols(f));
    }
    return f;
}

/* Fits a pipeline (owned, freed here) on `df`; returns the model and adds its facts. */
static lml_stage *fit_pipeline(lml_stage *p, const lml_frame *df, cJSON *facts, lml_error *err)
{
    lml_stage *m = p ? lml_fit(p, df, err) : NULL;
    lml_stage_free(p);
    if (m)
        add_stage_facts(facts, m);
    return m;
}

/* One grid line {"stage": index into "pipeline", "param": name, "values": [...]}: the values'
 * JSON type picks the param type (whole numbers try an int param first, then a double one). */
static bool add_grid_line(lml_param_grid *g, const lml_stage *pipeline, const cJSON *line, lml_error *err)
{
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(line, "stage");
    const cJSON *param = cJSON_GetObjectItemCaseSensitive(line, "param");
    const cJSON *values = cJSON_GetObjectItemCaseSensitive(line, "values");
    if (!cJSON_IsNumber(st) || !cJSON_IsString(param) || !cJSON_IsArray(values) || !values->child)
        return spec_error(err, "spec: %s needs \"stage\" (index into pipeline), \"param\" and non-empty \"values\"",
                          "every tuning.grid entry");
    const lml_stage *stage = st->valueint >= 0 ? lml_pipeline_stage(pipeline, (size_t)st->valueint) : NULL;
    if (!stage)
        return lml_error_set(err, LML_EINVAL, "spec: tuning.grid: pipeline has no stage %d", st->valueint);
    int n = cJSON_GetArraySize(values);
    const cJSON *first = values->child;
    bool ok = false;
    if (cJSON_IsBool(first)) {
        bool *v = calloc((size_t)n, sizeof *v);
        int i = 0;
        for (const cJSON *e = first; v && e; e = e->next)
            v[i++] = cJSON_IsTrue(e);
        ok = v && lml_param_grid_add_bool(g, stage, param->valuestring, v, (size_t)n, err);
        free(v);
    } else if (cJSON_IsString(first)) {
        const char **v = string_list(values, "tuning.grid.values", err);
        ok = v && lml_param_grid_add_string(g, stage, param->valuestring, v, (size_t)n, err);
        free(v);
    } else {
        double *d = calloc((size_t)n, sizeof *d);
        int64_t *iv = calloc((size_t)n, sizeof *iv);
        bool whole = true;
        int i = 0;
        for (const cJSON *e = first; d && iv && e; e = e->next, i++) {
            d[i] = cJSON_IsNumber(e) ? e->valuedouble : NAN;
            whole &= d[i] == floor(d[i]) && fabs(d[i]) < 9e15;
            iv[i] = whole ? (int64_t)d[i] : 0;
        }
        if (d && iv) {
            ok = whole && lml_param_grid_add_int(g, stage, param->valuestring, iv, (size_t)n, err);
            if (!ok && (!whole || (err && err->code == LML_ETYPE)))
                ok = lml_param_grid_add_double(g, stage, param->valuestring, d, (size_t)n, err);
        }
        free(d);
        free(iv);
    }
    return ok;
}

/* "tuning": {"class": CrossValidator | TrainValidationSplit, "params": {...}, "evaluator":
 * {class, params}, "grid": [...]} wrapped around the pipeline (which it takes over). */
static lml_stage *make_tuning(const cJSON *t, lml_stage *pipeline, lml_error *err)
{
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(t, "class");
    const cJSON *ev_spec = cJSON_GetObjectItemCaseSensitive(t, "evaluator");
    const cJSON *grid_spec = cJSON_GetObjectItemCaseSensitive(t, "grid");
    bool cv = cJSON_IsString(cls) && (strcmp(cls->valuestring, "CrossValidator") == 0 ||
                                       strcmp(cls->valuestring, "org.apache.spark.ml.tuning.CrossValidator") == 0);
    bool tvs = cJSON_IsString(cls) &&
               (strcmp(cls->valuestring, "TrainValidationSplit") == 0 ||
                strcmp(cls->valuestring, "org.apache.spark.ml.tuning.TrainValidationSplit") == 0);
    if (!cv && !tvs) {
        lml_stage_free(pipeline);
        spec_error(err, "spec: %s \"class\" must be CrossValidator or TrainValidationSplit", "tuning");
        return NULL;
    }
    lml_param_grid *g = lml_param_grid_new();
    lml_stage *ev = ev_spec ? make_stage(ev_spec, err) : NULL;
    bool ok = g && ev && cJSON_IsArray(grid_spec);
    if (g && ev && !cJSON_IsArray(grid_spec))
        spec_error(err, "spec: %s needs a \"grid\" array", "tuning");
    else if (g && !ev_spec)
        spec_error(err, "spec: %s needs an \"evaluator\"", "tuning");
    for (const cJSON *line = ok ? grid_spec->child : NULL; ok && line; line = line->next)
        ok = add_grid_line(g, pipeline, line, err);
    if (!ok) {
        lml_param_grid_free(g);
        lml_stage_free(ev);
        lml_stage_free(pipeline);
        return NULL;
    }
    lml_stage *tuner = cv ? lml_cross_validator_new(pipeline, g, ev, err)
                          : lml_train_validation_split_new(pipeline, g, ev, err);
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(t, "params");
    for (const cJSON *p = params && tuner ? params->child : NULL; p; p = p->next) {
        if (!set_param(tuner, p, err)) {
            lml_stage_free(tuner);
            return NULL;
        }
    }
    return tuner;
}

/* The grid's results: one entry per param map, and the best one. */
static void add_tuning_report(cJSON *report, const lml_stage *model)
{
    size_t n = 0, nstd = 0;
    const double *m = lml_tuning_model_metrics(model, &n, NULL);
    const double *sd = lml_tuning_model_std_metrics(model, &nstd, NULL);
    const lml_param_grid *g = lml_tuning_grid(model, NULL);
    cJSON *t = cJSON_AddObjectToObject(report, "tuning");
    cJSON *points = cJSON_AddArrayToObject(t, "grid");
    for (size_t j = 0; m && j < n; j++) {
        cJSON *pt = cJSON_CreateObject();
        char *text = g ? lml_param_grid_map_string(g, j, NULL) : NULL;
        cJSON_AddStringToObject(pt, "params", text ? text : "");
        free(text);
        cJSON_AddNumberToObject(pt, "metric", m[j]);
        if (sd && j < nstd)
            cJSON_AddNumberToObject(pt, "std", sd[j]);
        cJSON_AddItemToArray(points, pt);
    }
    size_t best = lml_tuning_model_best_index(model, NULL);
    char *text = g ? lml_param_grid_map_string(g, best, NULL) : NULL;
    cJSON_AddNumberToObject(t, "bestIndex", (double)best);
    cJSON_AddStringToObject(t, "bestParams", text ? text : "");
    free(text);
}

cJSON *cli_run_fit_spec(const cJSON *spec, lml_error *err)
{
    cJSON *report = cJSON_CreateObject();
    cJSON *timings = cJSON_CreateObject();
    cJSON *facts = cJSON_CreateArray();
    lml_frame *data = NULL, *prepared = NULL, *split[2] = {NULL, NULL}, *pred = NULL;
    lml_stage *prep_model = NULL, *model = NULL;
    bool ok = false;
    for (const cJSON *k = spec->child; k; k = k->next) {
        static const char *const known[] = {"data", "prepare", "split", "pipeline", "tuning", "evaluators"};
        bool found = false;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            found |= strcmp(k->string, known[i]) == 0;
        if (!found) {
            spec_error(err, "spec: unknown key '%s' (known: data, prepare, split, pipeline, tuning, evaluators)", k->string);
            goto done;
        }
    }
    double t0 = now_ms();
    if (!(data = load_data(cJSON_GetObjectItemCaseSensitive(spec, "data"), report, err)))
        goto done;
    double t1 = now_ms();
    cJSON_AddNumberToObject(timings, "load", t1 - t0);

    const cJSON *prep = cJSON_GetObjectItemCaseSensitive(spec, "prepare");
    prepared = lml_frame_retain(data);
    if (prep) {
        if (!(prep_model = fit_pipeline(make_pipeline(prep, "prepare", err), data, facts, err)))
            goto done;
        lml_frame_free(prepared);
        if (!(prepared = lml_transform(prep_model, data, err)))
            goto done;
    }
    double t2 = now_ms();
    cJSON_AddNumberToObject(timings, "prepare", t2 - t1);

    const cJSON *sp = cJSON_GetObjectItemCaseSensitive(spec, "split");
    if (sp) {
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(sp, "weights");
        const cJSON *seed = cJSON_GetObjectItemCaseSensitive(sp, "seed");
        if (cJSON_GetArraySize(w) != 2 || !cJSON_IsNumber(w->child) || !cJSON_IsNumber(w->child->next) ||
            !cJSON_IsNumber(seed)) {
            spec_error(err, "spec: %s needs \"weights\": [train, test] and a numeric \"seed\"", "split");
            goto done;
        }
        double weights[2] = {w->child->valuedouble, w->child->next->valuedouble};
        if (!lml_frame_random_split(prepared, weights, 2, (uint64_t)(int64_t)seed->valuedouble, split, err))
            goto done;
    } else {
        split[0] = lml_frame_retain(prepared);
        split[1] = lml_frame_retain(prepared);
    }
    cJSON *s = cJSON_AddObjectToObject(report, "split");
    cJSON_AddNumberToObject(s, "train", (double)lml_frame_num_rows(split[0]));
    cJSON_AddNumberToObject(s, "test", (double)lml_frame_num_rows(split[1]));

    const cJSON *pl = cJSON_GetObjectItemCaseSensitive(spec, "pipeline");
    if (!pl) {
        spec_error(err, "spec: %s is required", "pipeline");
        goto done;
    }
    const cJSON *tuning = cJSON_GetObjectItemCaseSensitive(spec, "tuning");
    if (!tuning) {
        if (!(model = fit_pipeline(make_pipeline(pl, "pipeline", err), split[0], facts, err)))
            goto done;
    } else {
        lml_stage *pipe = make_pipeline(pl, "pipeline", err);
        lml_stage *tuner = pipe ? make_tuning(tuning, pipe, err) : NULL;
        model = tuner ? lml_fit(tuner, split[0], err) : NULL;
        lml_stage_free(tuner);
        if (!model)
            goto done;
        add_tuning_report(report, model);
        add_stage_facts(facts, lml_tuning_model_best_model(model, NULL));
    }
    double t3 = now_ms();
    cJSON_AddNumberToObject(timings, "fit", t3 - t2);
    if (!(pred = lml_transform(model, split[1], err)))
        goto done;

    cJSON *metrics = cJSON_CreateArray();
    cJSON_AddItemToObject(report, "metrics", metrics);
    const cJSON *evs = cJSON_GetObjectItemCaseSensitive(spec, "evaluators");
    for (const cJSON *e = evs ? evs->child : NULL; e; e = e->next) {
        lml_stage *ev = make_stage(e, err);
        if (!ev)
            goto done;
        double v = lml_evaluate(ev, pred, err);
        const char *metric = lml_get_string(ev, "metricName", NULL);
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "evaluator", lml_stage_name(ev));
        cJSON_AddStringToObject(m, "metricName", metric ? metric : "");
        cJSON_AddNumberToObject(m, "value", v);
        cJSON_AddItemToArray(metrics, m);
        lml_stage_free(ev);
        if (isnan(v) && err && err->code != LML_OK)
            goto done;
    }
    cJSON_AddNumberToObject(timings, "evaluate", now_ms() - t3);
    ok = true;
done:
    cJSON_AddItemToObject(report, "stages", facts);
    cJSON_AddItemToObject(report, "timings_ms", timings);
    lml_frame_free(pred);
    lml_frame_free(split[0]);
    lml_frame_free(split[1]);
    lml_frame_free(prepared);
    lml_frame_free(data);
    lml_stage_free(model);
    lml_stage_free(prep_model);
    if (!ok) {
        cJSON_Delete(report);
        return NULL;
    }
    return report;
}

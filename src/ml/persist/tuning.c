/* CrossValidator, TrainValidationSplit and their models on disk (spec §6): the validator's own
 * metadata (paramMap with every param value, set or default, plus estimatorParamMaps; the models'
 * metrics and persistSubModels), and estimator/, evaluator/, bestModel/, subModels/ saved as
 * ordinary stage directories. Loading accepts Spark's Scala layout (each grid value JSON-encoded
 * in a string, "isJson":"true") and PySpark's pure-Python one (class pyspark.ml.tuning.*, raw
 * JSON values, a JSON boolean isJson, stdMetrics). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "core/internal.h"
#include "lakeml/ml/pipeline.h"
#include "ml/persist/persist_private.h"
#include "ml/tuning/tuning_internal.h"

const char *const lml_tuning_persist_keys[] = {"estimatorParamMaps", NULL};

static bool is_cv(const lml_stage_vtable *vt) { return vt == &lml_cv_vt || vt == &lml_cvm_vt; }

/* The stage of estimator (pipelines searched recursively) or the evaluator with this uid — the
 * stages Spark's loader maps parent uids to (MetaAlgorithmReadWrite.getUidMap + evaluator). */
static const lml_stage *resolve(const lml_stage *estimator, const lml_stage *evaluator, const char *uid)
{
    if (strcmp(evaluator->uid, uid) == 0)
        return evaluator;
    /* lml_pipeline_find_uid only reads its argument; it returns a mutable pointer for grid_apply. */
    return lml_pipeline_find_uid((lml_stage *)estimator, uid);
}

/* ================================================================ saving */

static bool add_item(cJSON *obj, const char *key, cJSON *v, const char *dir, lml_error *err)
{
    if (!v || !cJSON_AddItemToObject(obj, key, v)) {
        cJSON_Delete(v);
        return lml_error_set(err, LML_ENOMEM, "out of memory saving %s", dir);
    }
    return true;
}

/* One grid entry as the Scala writer encodes it: {"parent","name","value":<JSON text>,"isJson":"true"}. */
static cJSON *entry_json(const char *uid, const char *name, const lml_param_value *v)
{
    cJSON *val = lml_persist_param_json(v), *o = cJSON_CreateObject();
    char *text = val ? cJSON_PrintUnformatted(val) : NULL;
    cJSON_Delete(val);
    bool ok = text && o && cJSON_AddStringToObject(o, "parent", uid) && cJSON_AddStringToObject(o, "name", name) &&
              cJSON_AddStringToObject(o, "value", text) && cJSON_AddStringToObject(o, "isJson", "true");
    free(text);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* estimatorParamMaps, after Spark's save-time check that every parent resolves (else the file
 * could not be loaded back, by Spark or by lakeml). */
static cJSON *grid_json(const lml_stage *self, const lml_tuning_spec *spec, const char *dir, lml_error *err)
{
    cJSON *maps = cJSON_CreateArray();
    if (!maps) {
        lml_error_set(err, LML_ENOMEM, "out of memory saving %s", dir);
        return NULL;
    }
    size_t nmaps = lml_param_grid_num_maps(spec->grid);
    for (size_t j = 0; j < nmaps; j++) {
        cJSON *m = cJSON_CreateArray();
        if (!m || !cJSON_AddItemToArray(maps, m)) {
            cJSON_Delete(m);
            goto oom;
        }
        for (size_t k = 0, n = lml_param_grid_map_len(spec->grid, j); k < n; k++) {
            const char *uid, *name;
            const lml_param_value *v;
            lml_param_grid_entry(spec->grid, j, k, &uid, &name, &v);
            if (!resolve(spec->estimator, spec->evaluator, uid)) {
                lml_error_set(err, LML_EINVAL,
                              "%s: param map %zu sets %s.%s, but no stage with uid '%s' is the evaluator or inside "
                              "the estimator %s (Spark could not load it)",
                              self->uid, j, uid, name, uid, spec->estimator->uid);
                cJSON_Delete(maps);
                return NULL;
            }
            cJSON *e = entry_json(uid, name, v);
            if (!e || !cJSON_AddItemToArray(m, e)) {
                cJSON_Delete(e);
                goto oom;
            }
        }
    }
    return maps;
oom:
    cJSON_Delete(maps);
    lml_error_set(err, LML_ENOMEM, "out of memory saving %s", dir);
    return NULL;
}

static cJSON *doubles_json(const double *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++) {
        lml_param_value pv = {.type = LML_PARAM_DOUBLE, .v.d = v[i]};
        cJSON *e = lml_persist_param_json(&pv); /* Java-style text, exact: it reads back to the same bits */
        if (!e || !cJSON_AddItemToArray(a, e)) {
            cJSON_Delete(e);
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

static bool save_sub(const lml_stage *s, const char *dir, const char *sub, lml_error *err)
{
    char *p = lml_persist_join(dir, sub, err);
    bool ok = p && lml_persist_save_dir(s, p, err);
    if (p && !ok)
        lml_error_prefix(err, "%s", sub);
    free(p);
    return ok;
}

static bool mkdir_in(const char *dir, const char *sub, lml_error *err)
{
    char *p = lml_persist_join(dir, sub, err);
    if (!p)
        return false;
    bool ok = mkdir(p, 0755) == 0;
    if (!ok)
        lml_error_set(err, LML_EIO, "cannot create directory %s", p);
    free(p);
    return ok;
}

/* subModels/fold<i>/<j>/ (CV) or subModels/<j>/ (TVS). */
static bool save_sub_models(const lml_stage *self, const lml_tuning_result *r, const char *dir, lml_error *err)
{
    if (!mkdir_in(dir, "subModels", err))
        return false;
    bool cv = is_cv(self->vt);
    char rel[96];
    for (size_t s = 0; s < r->nsplits; s++) {
        if (cv) {
            snprintf(rel, sizeof rel, "subModels/fold%zu", s);
            if (!mkdir_in(dir, rel, err))
                return false;
        }
        for (size_t j = 0; j < r->nmaps; j++) {
            if (cv)
                snprintf(rel, sizeof rel, "subModels/fold%zu/%zu", s, j);
            else
                snprintf(rel, sizeof rel, "subModels/%zu", j);
            if (!save_sub(r->sub_models[s * r->nmaps + j], dir, rel, err))
                return false;
        }
    }
    return true;
}

bool lml_tuning_save_data(const lml_stage *self, const char *dir, cJSON *meta, lml_error *err)
{
    bool model = self->vt == &lml_cvm_vt || self->vt == &lml_tvsm_vt;
    const lml_tuning_result *r = model ? self->state : NULL;
    const lml_tuning_spec *spec = model ? r->spec : self->state;
    cJSON *pm = cJSON_GetObjectItemCaseSensitive(meta, "paramMap");
    /* Validators write every param value, set or default (ValidatorParams.saveImpl). */
    for (size_t i = 0; i < self->vt->nparams; i++) {
        const lml_param_def *def = &self->vt->params[i];
        if ((self->is_set[i] || def->has_default) && !cJSON_HasObjectItem(pm, def->name) &&
            !add_item(pm, def->name, lml_persist_param_json(&self->values[i]), dir, err))
            return false;
    }
    cJSON *maps = grid_json(self, spec, dir, err);
    if (!maps || !add_item(pm, "estimatorParamMaps", maps, dir, err))
        return false;
    if (model) {
        /* stdMetrics is not written by Spark's Scala writer (which ignores it on load) but by
         * PySpark's; keeping it lets a reloaded model report it. */
        if (!add_item(meta, is_cv(self->vt) ? "avgMetrics" : "validationMetrics", doubles_json(r->metrics, r->nmaps),
                      dir, err) ||
            (r->std_metrics && !add_item(meta, "stdMetrics", doubles_json(r->std_metrics, r->nmaps), dir, err)) ||
            !add_item(meta, "persistSubModels", cJSON_CreateBool(r->sub_models != NULL), dir, err))
            return false;
    }
    if (!save_sub(spec->evaluator, dir, "evaluator", err) || !save_sub(spec->estimator, dir, "estimator", err))
        return false;
    if (model && !save_sub(r->best_model, dir, "bestModel", err))
        return false;
    return !model || !r->sub_models || save_sub_models(self, r, dir, err);
}

/* ================================================================ loading */

typedef struct load_ctx {
    const char *dir;
    char *where; /* "<dir>/metadata", for messages */
    bool python; /* PySpark's pure-Python variant */
    bool cv;
} load_ctx;

static bool ctx_init(load_ctx *c, const char *dir, const cJSON *meta, lml_error *err)
{
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(meta, "class");
    const char *name = cJSON_IsString(cls) ? cls->valuestring : "";
    c->dir = dir;
    c->python = strncmp(name, "pyspark.", 8) == 0;
    c->cv = strstr(name, "CrossValidator") != NULL;
    c->where = lml_persist_join(dir, "metadata", err);
    return c->where != NULL;
}

static lml_stage *load_sub(const load_ctx *c, const char *sub, lml_stage_kind kind, const char *what,
                           lml_error *err)
{
    char *p = lml_persist_join(c->dir, sub, err);
    lml_stage *s = p ? lml_persist_load_dir(p, NULL, err) : NULL;
    if (p && !s)
        lml_error_prefix(err, "%s: %s", c->dir, sub);
    if (s && lml_stage_kind_of(s) != kind) {
        lml_error_set(err, LML_EFORMAT, "%s: %s holds a %s, which is not %s", c->dir, sub, s->vt->class_name, what);
        lml_stage_free(s);
        s = NULL;
    }
    free(p);
    return s;
}

static const char *type_word(lml_param_type t)
{
    switch (t) {
    case LML_PARAM_BOOL: return "a boolean";
    case LML_PARAM_INT: return "an integer";
    case LML_PARAM_DOUBLE: return "a double";
    default: return "a string";
    }
}

static bool json_double(const cJSON *j, double *out)
{
    if (cJSON_IsNumber(j)) {
        *out = j->valuedouble;
        return true;
    }
    if (!cJSON_IsString(j))
        return false;
    if (strcmp(j->valuestring, "NaN") == 0)
        *out = NAN;
    else if (strcmp(j->valuestring, "Inf") == 0 || strcmp(j->valuestring, "Infinity") == 0)
        *out = INFINITY;
    else if (strcmp(j->valuestring, "-Inf") == 0 || strcmp(j->valuestring, "-Infinity") == 0)
        *out = -INFINITY;
    else
        return false;
    return true;
}

/* The decoded JSON value j of a param of type t (Spark's jsonDecode); false when j is not of that
 * type. Strings stay borrowed from j. */
static bool decode_value(const cJSON *j, lml_param_type t, lml_param_value *out)
{
    out->type = t;
    switch (t) {
    case LML_PARAM_BOOL:
        out->v.b = cJSON_IsTrue(j);
        return cJSON_IsBool(j);
    case LML_PARAM_INT: {
        double d = cJSON_IsNumber(j) ? j->valuedouble : NAN;
        if (!(d == floor(d)) || !(fabs(d) < 9223372036854775808.0))
            return false;
        out->v.i = (int64_t)d;
        return true;
    }
    case LML_PARAM_DOUBLE: return json_double(j, &out->v.d);
    case LML_PARAM_STRING:
        out->v.s = cJSON_IsString(j) ? j->valuestring : NULL;
        return out->v.s != NULL;
    default: return false;
    }
}

/* isJson: absent means JSON (files before SPARK-21221); Scala writes "true"/"false", PySpark a boolean. */
static bool read_is_json(const cJSON *e, bool *out)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(e, "isJson");
    if (!j)
        *out = true;
    else if (cJSON_IsBool(j))
        *out = cJSON_IsTrue(j);
    else if (cJSON_IsString(j) && (strcasecmp(j->valuestring, "true") == 0 || strcasecmp(j->valuestring, "false") == 0))
        *out = strcasecmp(j->valuestring, "true") == 0;
    else
        return false;
    return true;
}

/* Entry k of param map j (`at` = "paramMap.estimatorParamMaps[j][k]") into the last map of g. */
static bool read_entry(const load_ctx *c, const cJSON *e, const char *at, lml_param_grid *g,
                       const lml_stage *estimator, const lml_stage *evaluator, lml_error *err)
{
    const cJSON *parent = cJSON_GetObjectItemCaseSensitive(e, "parent");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(e, "value");
    bool is_json;
    if (!cJSON_IsObject(e))
        return lml_error_set(err, LML_EFORMAT, "%s: %s must be an object {parent, name, value, isJson}", c->where, at);
    if (!cJSON_IsString(parent) || !cJSON_IsString(name))
        return lml_error_set(err, LML_EFORMAT, "%s: %s: field '%s' missing or not a string", c->where, at,
                             !cJSON_IsString(parent) ? "parent" : "name");
    if (!value)
        return lml_error_set(err, LML_EFORMAT, "%s: %s: field 'value' missing", c->where, at);
    if (!read_is_json(e, &is_json))
        return lml_error_set(err, LML_EFORMAT, "%s: %s.isJson must be true or false", c->where, at);
    const lml_stage *st = resolve(estimator, evaluator, parent->valuestring);
    if (!st)
        return lml_error_set(err, LML_EFORMAT,
                             "%s: %s: parent uid '%s' of param '%s' is neither the evaluator (%s) nor a stage of the "
                             "estimator (%s)",
                             c->where, at, parent->valuestring, name->valuestring, evaluator->uid, estimator->uid);
    if (!is_json)
        return lml_error_set(err, LML_EUNSUPPORTED,
                             "%s: %s: param '%s' of %s holds a stage (saved under %s); lakeml param grids hold only "
                             "numbers, strings and booleans",
                             c->where, at, name->valuestring, st->uid,
                             cJSON_IsString(value) ? value->valuestring : "an epm_ directory");
    const lml_param_def *def = NULL;
    for (size_t i = 0; i < st->vt->nparams; i++)
        if (strcmp(st->vt->params[i].name, name->valuestring) == 0)
            def = &st->vt->params[i];
    if (!def)
        return lml_error_set(err, LML_EINVAL, "%s: %s: %s (%s) has no param '%s'", c->where, at, st->uid,
                             st->vt->class_name, name->valuestring);
    if (def->type == LML_PARAM_STRINGS || def->type == LML_PARAM_DOUBLES)
        return lml_error_set(err, LML_EUNSUPPORTED, "%s: %s: param '%s' of %s takes a list; lakeml param grids hold "
                             "only numbers, strings and booleans", c->where, at, def->name, st->uid);
    /* Scala: the value is the param's JSON encoding inside a string; PySpark: the JSON itself. */
    cJSON *parsed = NULL;
    if (!c->python) {
        if (!cJSON_IsString(value))
            return lml_error_set(err, LML_EFORMAT, "%s: %s.value must be a string holding JSON (Spark's encoding)",
                                 c->where, at);
        if (!(parsed = cJSON_Parse(value->valuestring)))
            return lml_error_set(err, LML_EFORMAT, "%s: %s.value \"%.60s\" is not JSON", c->where, at,
                                 value->valuestring);
        value = parsed;
    }
    lml_param_value v;
    bool ok = decode_value(value, def->type, &v);
    if (!ok) {
        char *txt = cJSON_PrintUnformatted(value);
        lml_error_set(err, LML_EFORMAT, "%s: %s: param '%s' of %s expects %s, got %.60s", c->where, at, def->name,
                      st->uid, type_word(def->type), txt ? txt : "?");
        free(txt);
    } else if (!(ok = lml_param_grid_push_entry(g, st, def->name, &v, err))) {
        lml_error_prefix(err, "%s: %s", c->where, at);
    }
    cJSON_Delete(parsed);
    return ok;
}

static lml_param_grid *read_grid(const load_ctx *c, const cJSON *meta, const lml_stage *estimator,
                                 const lml_stage *evaluator, lml_error *err)
{
    const cJSON *epm = cJSON_GetObjectItemCaseSensitive(lml_persist_param_map(meta), "estimatorParamMaps");
    if (!cJSON_IsArray(epm)) {
        lml_error_set(err, LML_EFORMAT, "%s: paramMap.estimatorParamMaps %s", c->where,
                      epm ? "must be an array of param maps" : "is missing");
        return NULL;
    }
    lml_param_grid *g = lml_param_grid_new_explicit();
    if (!g) {
        lml_error_set(err, LML_ENOMEM, "out of memory reading %s", c->where);
        return NULL;
    }
    size_t j = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, epm) {
        if (!cJSON_IsArray(m)) {
            lml_error_set(err, LML_EFORMAT, "%s: paramMap.estimatorParamMaps[%zu] must be an array", c->where, j);
            goto fail;
        }
        if (!lml_param_grid_push_map(g, err))
            goto fail;
        size_t k = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, m) {
            char at[96];
            snprintf(at, sizeof at, "paramMap.estimatorParamMaps[%zu][%zu]", j, k);
            if (!read_entry(c, e, at, g, estimator, evaluator, err))
                goto fail;
            k++;
        }
        j++;
    }
    return g;
fail:
    lml_param_grid_free(g);
    return NULL;
}

/* estimator/, evaluator/ and the grid, as a spec with one reference. */
static lml_tuning_spec *read_spec(const load_ctx *c, const cJSON *meta, lml_error *err)
{
    lml_stage *evaluator = load_sub(c, "evaluator", LML_STAGE_EVALUATOR, "an evaluator", err);
    lml_stage *estimator = evaluator ? load_sub(c, "estimator", LML_STAGE_ESTIMATOR, "an estimator", err) : NULL;
    lml_param_grid *g = estimator ? read_grid(c, meta, estimator, evaluator, err) : NULL;
    lml_tuning_spec *s = g ? calloc(1, sizeof *s) : NULL;
    if (!s) {
        if (g)
            lml_error_set(err, LML_ENOMEM, "out of memory reading %s", c->where);
        lml_stage_free(evaluator);
        lml_stage_free(estimator);
        lml_param_grid_free(g);
        return NULL;
    }
    atomic_init(&s->refs, 1);
    s->estimator = estimator;
    s->grid = g;
    s->evaluator = evaluator;
    return s;
}

void *lml_tuning_load_spec(const char *dir, const cJSON *meta, int version, lml_error *err)
{
    (void)version;
    load_ctx c;
    if (!ctx_init(&c, dir, meta, err))
        return NULL;
    lml_tuning_spec *s = read_spec(&c, meta, err);
    free(c.where);
    return s;
}

/* A metrics array of meta (one double per param map); *out malloc'd. */
static bool read_metrics(const load_ctx *c, const cJSON *meta, const char *key, size_t nmaps, double **out,
                         lml_error *err)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(meta, key);
    if (!cJSON_IsArray(a) || (size_t)cJSON_GetArraySize(a) != nmaps)
        return lml_error_set(err, LML_EFORMAT, "%s: field '%s' must be an array of %zu doubles (one per param map)%s",
                             c->where, key, nmaps, a ? "" : ", it is missing");
    double *v = malloc((nmaps ? nmaps : 1) * sizeof *v);
    if (!v)
        return lml_error_set(err, LML_ENOMEM, "out of memory reading %s", c->where);
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, a) {
        if (!json_double(e, &v[i])) {
            free(v);
            return lml_error_set(err, LML_EFORMAT, "%s: field '%s'[%zu] is not a number", c->where, key, i);
        }
        i++;
    }
    *out = v;
    return true;
}

/* numFolds as the model's loader reads it (paramMap, else the saved default, else Spark's 3). */
static bool read_num_folds(const load_ctx *c, const cJSON *meta, size_t *out, lml_error *err)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(lml_persist_param_map(meta), "numFolds");
    if (!j)
        j = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(meta, "defaultParamMap"), "numFolds");
    if (!j) {
        *out = 3;
        return true;
    }
    if (!cJSON_IsNumber(j) || j->valuedouble != floor(j->valuedouble) || j->valuedouble < 2 || j->valuedouble > 1e6)
        return lml_error_set(err, LML_EFORMAT, "%s: paramMap.numFolds must be an integer in [2, 1000000]", c->where);
    *out = (size_t)j->valuedouble;
    return true;
}

static bool load_sub_models(const load_ctx *c, lml_tuning_result *r, lml_error *err)
{
    /* nmaps >= 1 and nsplits <= 1e6 here; calloc checks the product's byte size. */
    if (r->nsplits > SIZE_MAX / r->nmaps || !(r->sub_models = calloc(r->nsplits * r->nmaps, sizeof *r->sub_models)))
        return lml_error_set(err, LML_ENOMEM, "out of memory reading %s", c->where);
    char rel[96];
    for (size_t s = 0; s < r->nsplits; s++) {
        for (size_t j = 0; j < r->nmaps; j++) {
            if (c->cv)
                snprintf(rel, sizeof rel, "subModels/fold%zu/%zu", s, j);
            else
                snprintf(rel, sizeof rel, "subModels/%zu", j);
            if (!(r->sub_models[s * r->nmaps + j] = load_sub(c, rel, LML_STAGE_MODEL, "a model", err)))
                return false;
        }
    }
    return true;
}

void *lml_tuning_load_result(const char *dir, const cJSON *meta, int version, lml_error *err)
{
    (void)version;
    load_ctx c;
    if (!ctx_init(&c, dir, meta, err))
        return NULL;
    lml_tuning_result *r = calloc(1, sizeof *r);
    if (!r) {
        lml_error_set(err, LML_ENOMEM, "out of memory reading %s", c.where);
        free(c.where);
        return NULL;
    }
    atomic_init(&r->refs, 1);
    const cJSON *psm = cJSON_GetObjectItemCaseSensitive(meta, "persistSubModels");
    if (!(r->spec = read_spec(&c, meta, err)))
        goto fail;
    r->nmaps = lml_param_grid_num_maps(r->spec->grid);
    r->nsplits = 1;
    if (r->nmaps == 0) {
        lml_error_set(err, LML_EFORMAT, "%s: paramMap.estimatorParamMaps is empty; a fitted model has at least one",
                      c.where);
        goto fail;
    }
    if (!read_metrics(&c, meta, c.cv ? "avgMetrics" : "validationMetrics", r->nmaps, &r->metrics, err) ||
        (c.cv && cJSON_HasObjectItem(meta, "stdMetrics") &&
         !read_metrics(&c, meta, "stdMetrics", r->nmaps, &r->std_metrics, err)) ||
        (c.cv && !read_num_folds(&c, meta, &r->nsplits, err)))
        goto fail;
    if (psm && !cJSON_IsBool(psm)) {
        lml_error_set(err, LML_EFORMAT, "%s: field 'persistSubModels' must be a boolean", c.where);
        goto fail;
    }
    if (!(r->best_model = load_sub(&c, "bestModel", LML_STAGE_MODEL, "a model", err)))
        goto fail;
    if (cJSON_IsTrue(psm) && !load_sub_models(&c, r, err))
        goto fail;
    /* Spark keeps no best index in the file: it is the one the fit chose, by the same rule. */
    r->best = lml_tuning_best(r->metrics, r->nmaps, lml_is_larger_better(r->spec->evaluator));
    free(c.where);
    return r;
fail:
    if (r->spec)
        lml_tuning_result_release(r);
    else
        free(r); /* nothing else is read before the spec */
    free(c.where);
    return NULL;
}

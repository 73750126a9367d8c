/* Params in Spark's metadata JSON (spec §2.3): the encoding of each param type (doubles always
 * with '.' or an exponent, Java-style, NaN/±Inf as strings), paramMap / defaultParamMap on save,
 * and on load their decoding into the stage through the ordinary setters, so every range check of
 * the param table applies to files too. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "ml/persist/persist_internal.h"
#include "ml/persist/persist_private.h"

static cJSON *double_json(double d)
{
    if (isnan(d))
        return cJSON_CreateString("NaN");
    if (isinf(d))
        return cJSON_CreateString(d > 0 ? "Inf" : "-Inf");
    char buf[LML_DOUBLE_BUF];
    lml_format_double_java(d, buf); /* "0.0", "1.0E-6": json4s reads these back as doubles */
    return cJSON_CreateRaw(buf);
}

cJSON *lml_persist_param_json(const lml_param_value *v)
{
    cJSON *a;
    switch (v->type) {
    case LML_PARAM_BOOL: return cJSON_CreateBool(v->v.b);
    case LML_PARAM_INT: {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)v->v.i); /* exact for 64-bit seeds */
        return cJSON_CreateRaw(buf);
    }
    case LML_PARAM_DOUBLE: return double_json(v->v.d);
    case LML_PARAM_STRING: return cJSON_CreateString(v->v.s ? v->v.s : "");
    case LML_PARAM_STRINGS:
        if (!(a = cJSON_CreateArray()))
            return NULL;
        for (size_t i = 0; i < v->v.strs.n; i++) {
            cJSON *e = cJSON_CreateString(v->v.strs.items[i]);
            if (!e || !cJSON_AddItemToArray(a, e)) {
                cJSON_Delete(e);
                cJSON_Delete(a);
                return NULL;
            }
        }
        return a;
    case LML_PARAM_DOUBLES:
        if (!(a = cJSON_CreateArray()))
            return NULL;
        for (size_t i = 0; i < v->v.dbls.n; i++) {
            cJSON *e = double_json(v->v.dbls.items[i]);
            if (!e || !cJSON_AddItemToArray(a, e)) {
                cJSON_Delete(e);
                cJSON_Delete(a);
                return NULL;
            }
        }
        return a;
    }
    return NULL;
}

static bool add(cJSON *obj, const char *name, cJSON *v, lml_error *err)
{
    if (!v || !cJSON_AddItemToObject(obj, name, v)) {
        cJSON_Delete(v);
        return lml_error_set(err, LML_ENOMEM, "out of memory writing param '%s'", name);
    }
    return true;
}

bool lml_persist_params_to_meta(const lml_stage *s, cJSON *pm, cJSON *dm, lml_error *err)
{
    for (size_t i = 0; i < s->vt->nparams; i++) {
        const lml_param_def *def = &s->vt->params[i];
        if (s->is_set[i] && !add(pm, def->name, lml_persist_param_json(&s->values[i]), err))
            return false;
        if (def->has_default) {
            lml_param_value dv;
            if (!lml_param_init_default(def, &dv, err))
                return false;
            cJSON *j = lml_persist_param_json(&dv);
            lml_param_value_clear(&dv);
            if (!add(dm, def->name, j, err))
                return false;
        } else if (strcmp(def->name, "outputCol") == 0 && def->type == LML_PARAM_STRING) {
            /* Spark's HasOutputCol default, computed from the uid (spec §2.4). */
            char *o = lml_default_output_col(s, err);
            if (!o || !add(dm, def->name, cJSON_CreateString(o), err)) {
                free(o);
                return false;
            }
            free(o);
        }
    }
    return true;
}

/* ---- loading */

static bool bad(lml_error *err, const char *where, const char *map, const char *name, const char *want,
                const cJSON *j)
{
    char *txt = cJSON_PrintUnformatted(j);
    if (txt && strlen(txt) > 60)
        strcpy(txt + 57, "...");
    lml_error_set(err, LML_EFORMAT, "%s: %s.%s: expected %s, got %s", where, map, name, want, txt ? txt : "?");
    free(txt);
    return false;
}

static bool json_double(const cJSON *j, double *out)
{
    if (cJSON_IsNumber(j)) {
        *out = j->valuedouble;
        return true;
    }
    if (!cJSON_IsString(j))
        return false;
    const char *s = j->valuestring;
    if (strcmp(s, "NaN") == 0)
        *out = NAN;
    else if (strcmp(s, "Inf") == 0 || strcmp(s, "Infinity") == 0)
        *out = INFINITY;
    else if (strcmp(s, "-Inf") == 0 || strcmp(s, "-Infinity") == 0)
        *out = -INFINITY;
    else
        return false;
    return true;
}

/* Sets param `def` of s from JSON j. */
static bool set_from_json(lml_stage *s, const lml_param_def *def, const cJSON *j, const char *where, const char *map,
                          lml_error *err)
{
    const char *name = def->name;
    bool ok;
    switch (def->type) {
    case LML_PARAM_BOOL:
        if (!cJSON_IsBool(j))
            return bad(err, where, map, name, "a boolean", j);
        ok = lml_set_bool(s, name, cJSON_IsTrue(j), err);
        break;
    case LML_PARAM_INT: {
        /* cJSON keeps numbers as doubles: integers beyond 2^53 (64-bit seeds) lose their low
         * bits here. Only estimators' seeds are that large, and they do not change a transform. */
        double d = cJSON_IsNumber(j) ? j->valuedouble : NAN;
        if (!(d == floor(d)) || !(fabs(d) < 9223372036854775808.0))
            return bad(err, where, map, name, "an integer", j);
        ok = lml_set_int(s, name, (int64_t)d, err);
        break;
    }
    case LML_PARAM_DOUBLE: {
        double d;
        if (!json_double(j, &d))
            return bad(err, where, map, name, "a double", j);
        ok = lml_set_double(s, name, d, err);
        break;
    }
    case LML_PARAM_STRING:
        if (!cJSON_IsString(j))
            return bad(err, where, map, name, "a string", j);
        ok = lml_set_string(s, name, j->valuestring, err);
        break;
    case LML_PARAM_STRINGS: {
        if (!cJSON_IsArray(j))
            return bad(err, where, map, name, "an array of strings", j);
        size_t n = (size_t)cJSON_GetArraySize(j), k = 0;
        const char **v = calloc(n + 1, sizeof *v);
        if (!v)
            return lml_error_set(err, LML_ENOMEM, "out of memory reading %s", where);
        const cJSON *e;
        cJSON_ArrayForEach(e, j) {
            if (!cJSON_IsString(e)) {
                free(v);
                return bad(err, where, map, name, "an array of strings", j);
            }
            v[k++] = e->valuestring;
        }
        ok = lml_set_strings(s, name, v, err);
        free(v);
        break;
    }
    case LML_PARAM_DOUBLES: {
        if (!cJSON_IsArray(j))
            return bad(err, where, map, name, "an array of doubles", j);
        size_t n = (size_t)cJSON_GetArraySize(j), k = 0;
        double *v = malloc((n ? n : 1) * sizeof *v);
        if (!v)
            return lml_error_set(err, LML_ENOMEM, "out of memory reading %s", where);
        const cJSON *e;
        cJSON_ArrayForEach(e, j) {
            if (!json_double(e, &v[k++])) {
                free(v);
                return bad(err, where, map, name, "an array of doubles", j);
            }
        }
        ok = lml_set_doubles(s, name, v, n, err);
        free(v);
        break;
    }
    default: ok = false;
    }
    if (!ok)
        lml_error_prefix(err, "%s: %s.%s", where, map, name);
    return ok;
}

static long find_param(const lml_stage *s, const char *name)
{
    for (size_t i = 0; i < s->vt->nparams; i++)
        if (strcmp(s->vt->params[i].name, name) == 0)
            return (long)i;
    return -1;
}

static bool is_persist_key(const lml_stage *s, const char *name)
{
    for (const char *const *k = s->vt->persist_keys; k && *k; k++)
        if (strcmp(*k, name) == 0)
            return true;
    return false;
}

/* Whether value j equals the stage's own default for param i (then nothing is set, so the
 * loaded stage keeps "default" rather than "set" for it). */
static bool equals_default(lml_stage *s, size_t i, const cJSON *j, lml_error *err)
{
    const lml_param_def *def = &s->vt->params[i];
    cJSON *mine = NULL;
    if (def->has_default) {
        lml_param_value dv;
        if (!lml_param_init_default(def, &dv, err))
            return false;
        mine = lml_persist_param_json(&dv);
        lml_param_value_clear(&dv);
    } else if (strcmp(def->name, "outputCol") == 0) {
        char *o = lml_default_output_col(s, NULL);
        mine = o ? cJSON_CreateString(o) : NULL;
        free(o);
    }
    if (!mine)
        return false;
    char *a = cJSON_PrintUnformatted(mine), *b = cJSON_PrintUnformatted(j);
    bool same = a && b && strcmp(a, b) == 0;
    if (!same && cJSON_IsNumber(j) && def->type == LML_PARAM_DOUBLE && def->has_default)
        same = j->valuedouble == def->def_d; /* "1e-06" vs "1.0E-6" */
    free(a);
    free(b);
    cJSON_Delete(mine);
    return same;
}

bool lml_persist_params_from_meta(lml_stage *s, const cJSON *meta, int version, const char *where, lml_error *err)
{
    const cJSON *pm = cJSON_GetObjectItemCaseSensitive(meta, "paramMap");
    const cJSON *dm = cJSON_GetObjectItemCaseSensitive(meta, "defaultParamMap");
    if (!cJSON_IsObject(pm))
        return lml_error_set(err, LML_EFORMAT, "%s: field 'paramMap' must be a JSON object", where);
    /* Spark ignores defaultParamMap before 2.4 and requires it from 2.4 on (spec §2.2, §8). */
    if (version >= 204) {
        if (!cJSON_IsObject(dm))
            return lml_error_set(err, LML_EFORMAT, "%s: field 'defaultParamMap' must be a JSON object (sparkVersion >= 2.4)",
                                 where);
        const cJSON *j;
        cJSON_ArrayForEach(j, dm) {
            long i = find_param(s, j->string);
            if (i < 0) {
                if (is_persist_key(s, j->string))
                    continue;
                /* A default of a Spark param lakeml does not have changes nothing lakeml computes. */
                LML_LOG_DEBUG("persist", "%s: defaultParamMap.%s: not a param of lakeml's %s, ignored", where,
                              j->string, s->vt->name);
                continue;
            }
            if (s->is_set[i])
                continue;
            lml_error e2 = {0};
            if (equals_default(s, (size_t)i, j, &e2))
                continue;
            if (!set_from_json(s, &s->vt->params[i], j, where, "defaultParamMap", err))
                return false;
            /* A saved default that differs from lakeml's (another Spark version) is applied as a
             * value but stays a default in what lakeml writes back only if it matches. */
        }
    }
    const cJSON *j;
    cJSON_ArrayForEach(j, pm) {
        long i = find_param(s, j->string);
        if (i < 0) {
            if (is_persist_key(s, j->string))
                continue;
            return lml_error_set(err, LML_EINVAL, "%s: paramMap.%s: %s has no param '%s'", where, j->string,
                                 s->vt->class_name, j->string);
        }
        if (!set_from_json(s, &s->vt->params[i], j, where, "paramMap", err))
            return false;
    }
    return true;
}

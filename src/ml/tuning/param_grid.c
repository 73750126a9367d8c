/* ParamGridBuilder (spec §11.2): params kept in insertion order with their value lists; grid point
 * j is decoded as a mixed-radix number whose last digit is the last param (PySpark's
 * itertools.product order: first param slowest). A grid read back from a saved validator is
 * instead an explicit list of param maps: Spark's files hold whatever list the writer had (Scala's
 * builder orders it first-param-fastest, users pass arbitrary lists), which need not be a
 * Cartesian product in this order. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "lakeml/ml/pipeline.h"
#include "ml/tuning/tuning_internal.h"

typedef struct grid_param {
    char *uid;
    char *name;
    lml_param_type type;
    size_t n;
    lml_param_value *values;
} grid_param;

/* One entry of an explicit param map. */
typedef struct grid_entry {
    char *uid;
    char *name;
    lml_param_value value;
} grid_entry;

typedef struct grid_map {
    size_t n, cap;
    grid_entry *entries;
} grid_map;

struct lml_param_grid {
    size_t n, cap;
    grid_param *params;
    /* Explicit mode (lml_param_grid_new_explicit): the maps themselves; params is then unused. */
    bool is_explicit;
    size_t nmaps, maps_cap;
    grid_map *maps;
};

lml_param_grid *lml_param_grid_new(void) { return calloc(1, sizeof(lml_param_grid)); }

lml_param_grid *lml_param_grid_new_explicit(void)
{
    lml_param_grid *g = calloc(1, sizeof *g);
    if (g)
        g->is_explicit = true;
    return g;
}

static void clear_values(grid_param *p)
{
    for (size_t i = 0; i < p->n; i++)
        lml_param_value_clear(&p->values[i]);
    free(p->values);
    p->values = NULL;
    p->n = 0;
}

void lml_param_grid_free(lml_param_grid *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++) {
        clear_values(&g->params[i]);
        free(g->params[i].uid);
        free(g->params[i].name);
    }
    free(g->params);
    for (size_t j = 0; j < g->nmaps; j++) {
        for (size_t k = 0; k < g->maps[j].n; k++) {
            free(g->maps[j].entries[k].uid);
            free(g->maps[j].entries[k].name);
            lml_param_value_clear(&g->maps[j].entries[k].value);
        }
        free(g->maps[j].entries);
    }
    free(g->maps);
    free(g);
}

/* Sets one value of the param's own type on a stage (the value's type is already checked). */
static bool set_value(lml_stage *s, const char *name, const lml_param_value *v, lml_error *err)
{
    switch (v->type) {
    case LML_PARAM_BOOL: return lml_set_bool(s, name, v->v.b, err);
    case LML_PARAM_INT: return lml_set_int(s, name, v->v.i, err);
    case LML_PARAM_DOUBLE: return lml_set_double(s, name, v->v.d, err);
    case LML_PARAM_STRING: return lml_set_string(s, name, v->v.s, err);
    default: return lml_error_set(err, LML_EUNSUPPORTED, "%s: param '%s': list params cannot be gridded", s->uid, name);
    }
}

static const char *type_word(lml_param_type t)
{
    switch (t) {
    case LML_PARAM_BOOL: return "bool";
    case LML_PARAM_INT: return "int";
    case LML_PARAM_DOUBLE: return "double";
    case LML_PARAM_STRING: return "string";
    case LML_PARAM_STRINGS: return "string list";
    default: return "double list";
    }
}

/* Validates the values (type and range, by setting each on a scratch copy of the stage, so the
 * stage's own check names the problem) and stores them, replacing an earlier list for the param. */
static bool add(lml_param_grid *g, const lml_stage *stage, const char *name, lml_param_value *vals, size_t n,
                lml_error *err)
{
    bool ok = false;
    lml_stage *scratch = NULL;
    const lml_param_def *def = NULL;
    if (g->is_explicit) {
        lml_error_set(err, LML_EINVAL, "param '%s': a grid read from a saved validator is a fixed list of param maps; "
                      "addGrid and baseOn cannot extend it", name);
        goto out;
    }
    for (size_t k = 0; k < stage->vt->nparams; k++)
        if (strcmp(stage->vt->params[k].name, name) == 0)
            def = &stage->vt->params[k];
    if (!def) {
        lml_error_set(err, LML_ENOTFOUND, "%s: no param '%s'", stage->uid, name);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (vals[i].type != def->type) {
            lml_error_set(err, LML_ETYPE, "%s: param '%s' is a %s param, the grid gives %s values", stage->uid, name,
                          type_word(def->type), type_word(vals[i].type));
            goto out;
        }
    }
    scratch = lml_stage_copy(stage, err);
    if (!scratch)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (!set_value(scratch, name, &vals[i], err))
            goto out;
    grid_param *p = NULL;
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->params[i].uid, stage->uid) == 0 && strcmp(g->params[i].name, name) == 0)
            p = &g->params[i];
    if (!p) {
        if (g->n == g->cap) {
            size_t cap = g->cap ? 2 * g->cap : 4;
            grid_param *np = realloc(g->params, cap * sizeof *np);
            if (!np) {
                lml_error_set(err, LML_ENOMEM, "out of memory adding param '%s' to a grid", name);
                goto out;
            }
            g->params = np;
            g->cap = cap;
        }
        p = &g->params[g->n];
        memset(p, 0, sizeof *p);
        p->uid = strdup(stage->uid);
        p->name = strdup(name);
        if (!p->uid || !p->name) {
            free(p->uid);
            free(p->name);
            lml_error_set(err, LML_ENOMEM, "out of memory adding param '%s' to a grid", name);
            goto out;
        }
        p->type = def->type;
        g->n++;
    }
    clear_values(p);
    p->values = vals;
    p->n = n;
    vals = NULL;
    n = 0;
    ok = true;
out:
    for (size_t i = 0; i < n; i++)
        lml_param_value_clear(&vals[i]);
    free(vals);
    lml_stage_free(scratch);
    return ok;
}

static lml_param_value *alloc_values(size_t n, lml_error *err)
{
    lml_param_value *v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        lml_error_set(err, LML_ENOMEM, "out of memory building a param grid");
    return v;
}

bool lml_param_grid_add_double(lml_param_grid *g, const lml_stage *stage, const char *param, const double *values,
                               size_t n, lml_error *err)
{
    lml_param_value *v = alloc_values(n, err);
    if (!v)
        return false;
    for (size_t i = 0; i < n; i++)
        v[i] = (lml_param_value){.type = LML_PARAM_DOUBLE, .v.d = values[i]};
    return add(g, stage, param, v, n, err);
}

bool lml_param_grid_add_int(lml_param_grid *g, const lml_stage *stage, const char *param, const int64_t *values,
                            size_t n, lml_error *err)
{
    lml_param_value *v = alloc_values(n, err);
    if (!v)
        return false;
    for (size_t i = 0; i < n; i++)
        v[i] = (lml_param_value){.type = LML_PARAM_INT, .v.i = values[i]};
    return add(g, stage, param, v, n, err);
}

bool lml_param_grid_add_bool(lml_param_grid *g, const lml_stage *stage, const char *param, const bool *values,
                             size_t n, lml_error *err)
{
    lml_param_value *v = alloc_values(n, err);
    if (!v)
        return false;
    for (size_t i = 0; i < n; i++)
        v[i] = (lml_param_value){.type = LML_PARAM_BOOL, .v.b = values[i]};
    return add(g, stage, param, v, n, err);
}

bool lml_param_grid_add_string(lml_param_grid *g, const lml_stage *stage, const char *param,
                               const char *const *values, size_t n, lml_error *err)
{
    lml_param_value *v = alloc_values(n, err);
    if (!v)
        return false;
    for (size_t i = 0; i < n; i++) {
        v[i] = (lml_param_value){.type = LML_PARAM_STRING, .v.s = strdup(values[i] ? values[i] : "")};
        if (!v[i].v.s) {
            for (size_t k = 0; k < i; k++)
                free(v[k].v.s);
            free(v);
            return lml_error_set(err, LML_ENOMEM, "out of memory building a param grid");
        }
    }
    return add(g, stage, param, v, n, err);
}

bool lml_param_grid_base_on_double(lml_param_grid *g, const lml_stage *stage, const char *param, double v,
                                   lml_error *err)
{
    return lml_param_grid_add_double(g, stage, param, &v, 1, err);
}

bool lml_param_grid_base_on_int(lml_param_grid *g, const lml_stage *stage, const char *param, int64_t v,
                                lml_error *err)
{
    return lml_param_grid_add_int(g, stage, param, &v, 1, err);
}

bool lml_param_grid_base_on_string(lml_param_grid *g, const lml_stage *stage, const char *param, const char *v,
                                   lml_error *err)
{
    return lml_param_grid_add_string(g, stage, param, &v, 1, err);
}

bool lml_param_grid_base_on_bool(lml_param_grid *g, const lml_stage *stage, const char *param, bool v,
                                 lml_error *err)
{
    return lml_param_grid_add_bool(g, stage, param, &v, 1, err);
}

size_t lml_param_grid_num_maps(const lml_param_grid *g)
{
    if (g->is_explicit)
        return g->nmaps;
    size_t total = 1;
    for (size_t i = 0; i < g->n; i++) {
        if (g->params[i].n && total > SIZE_MAX / g->params[i].n)
            return SIZE_MAX; /* cannot be enumerated anyway */
        total *= g->params[i].n;
    }
    return total;
}

/* The value index of each param for grid point j (last param = fastest digit). */
static size_t digit(const lml_param_grid *g, size_t j, size_t p)
{
    for (size_t q = g->n; q-- > p + 1;)
        j /= g->params[q].n;
    return j % g->params[p].n;
}

size_t lml_param_grid_map_len(const lml_param_grid *g, size_t j)
{
    if (j >= lml_param_grid_num_maps(g))
        return 0;
    return g->is_explicit ? g->maps[j].n : g->n;
}

void lml_param_grid_entry(const lml_param_grid *g, size_t j, size_t k, const char **uid, const char **name,
                          const lml_param_value **value)
{
    if (g->is_explicit) {
        const grid_entry *e = &g->maps[j].entries[k];
        *uid = e->uid;
        *name = e->name;
        *value = &e->value;
        return;
    }
    *uid = g->params[k].uid;
    *name = g->params[k].name;
    *value = &g->params[k].values[digit(g, j, k)];
}

bool lml_param_grid_push_map(lml_param_grid *g, lml_error *err)
{
    if (!g->is_explicit)
        return lml_error_set(err, LML_EINVAL, "lml_param_grid_push_map needs a grid made by lml_param_grid_new_explicit");
    if (g->nmaps == g->maps_cap) {
        size_t cap = g->maps_cap ? 2 * g->maps_cap : 4;
        grid_map *m = realloc(g->maps, cap * sizeof *m);
        if (!m)
            return lml_error_set(err, LML_ENOMEM, "out of memory building a param grid");
        g->maps = m;
        g->maps_cap = cap;
    }
    g->maps[g->nmaps++] = (grid_map){0};
    return true;
}

bool lml_param_grid_push_entry(lml_param_grid *g, const lml_stage *stage, const char *name,
                               const lml_param_value *value, lml_error *err)
{
    if (!g->is_explicit || g->nmaps == 0)
        return lml_error_set(err, LML_EINVAL, "lml_param_grid_push_entry needs a map started by lml_param_grid_push_map");
    grid_map *m = &g->maps[g->nmaps - 1];
    const lml_param_def *def = NULL;
    for (size_t k = 0; k < stage->vt->nparams; k++)
        if (strcmp(stage->vt->params[k].name, name) == 0)
            def = &stage->vt->params[k];
    if (!def)
        return lml_error_set(err, LML_EINVAL, "%s has no param '%s'", stage->uid, name);
    if (value->type != def->type)
        return lml_error_set(err, LML_ETYPE, "%s: param '%s' is a %s param, got a %s value", stage->uid, name,
                             type_word(def->type), type_word(value->type));
    for (size_t k = 0; k < m->n; k++)
        if (strcmp(m->entries[k].uid, stage->uid) == 0 && strcmp(m->entries[k].name, name) == 0)
            return lml_error_set(err, LML_EINVAL, "param map %zu sets %s.%s twice", g->nmaps - 1, stage->uid, name);
    /* The stage's own setter checks the range, so a loaded grid holds only values a fit accepts. */
    lml_stage *scratch = lml_stage_copy(stage, err);
    bool ok = scratch && set_value(scratch, name, value, err);
    lml_stage_free(scratch);
    if (!ok)
        return false;
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 4;
        grid_entry *e = realloc(m->entries, cap * sizeof *e);
        if (!e)
            return lml_error_set(err, LML_ENOMEM, "out of memory building a param grid");
        m->entries = e;
        m->cap = cap;
    }
    grid_entry *e = &m->entries[m->n];
    *e = (grid_entry){.uid = strdup(stage->uid), .name = strdup(name)};
    if (!e->uid || !e->name || !lml_param_value_copy(&e->value, value, err)) {
        free(e->uid);
        free(e->name);
        return lml_error_set(err, LML_ENOMEM, "out of memory building a param grid");
    }
    m->n++;
    return true;
}

char *lml_param_grid_map_string(const lml_param_grid *g, size_t j, lml_error *err)
{
    if (j >= lml_param_grid_num_maps(g)) {
        lml_error_set(err, LML_ERANGE, "param map %zu out of range (the grid has %zu)", j, lml_param_grid_num_maps(g));
        return NULL;
    }
    lml_strbuf sb = {0};
    lml_strbuf_append(&sb, "{", 1);
    for (size_t k = 0, n = lml_param_grid_map_len(g, j); k < n; k++) {
        const char *uid, *name;
        const lml_param_value *v;
        lml_param_grid_entry(g, j, k, &uid, &name, &v);
        char buf[LML_DOUBLE_BUF > 32 ? LML_DOUBLE_BUF : 32];
        const char *text = buf;
        switch (v->type) {
        case LML_PARAM_BOOL: text = v->v.b ? "true" : "false"; break;
        case LML_PARAM_INT: snprintf(buf, sizeof buf, "%" PRId64, v->v.i); break;
        case LML_PARAM_DOUBLE: lml_format_double_java(v->v.d, buf); break;
        default: text = v->v.s; break;
        }
        lml_strbuf_printf(&sb, "%s%s.%s: %s", k ? ", " : "", uid, name, text);
    }
    lml_strbuf_append(&sb, "}", 1);
    return lml_strbuf_finish(&sb, err);
}

lml_stage *lml_param_grid_apply(const lml_param_grid *g, size_t j, const lml_stage *estimator, lml_error *err)
{
    if (j >= lml_param_grid_num_maps(g)) {
        lml_error_set(err, LML_ERANGE, "param map %zu out of range (the grid has %zu)", j, lml_param_grid_num_maps(g));
        return NULL;
    }
    lml_stage *c = lml_pipeline_copy_deep(estimator, err);
    if (!c)
        return NULL;
    for (size_t k = 0, n = lml_param_grid_map_len(g, j); k < n; k++) {
        const char *uid, *name;
        const lml_param_value *v;
        lml_param_grid_entry(g, j, k, &uid, &name, &v);
        lml_stage *target = lml_pipeline_find_uid(c, uid);
        if (!target) {
            lml_error_set(err, LML_ENOTFOUND, "param map %zu: no stage with uid '%s' (param '%s') in estimator %s", j,
                          uid, name, estimator->uid);
            lml_stage_free(c);
            return NULL;
        }
        if (!set_value(target, name, v, err)) {
            lml_stage_free(c);
            return NULL;
        }
    }
    return c;
}

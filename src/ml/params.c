/* The param map of a stage: typed values keyed by Spark's param names, validated on set. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/internal.h"
#include "ml/stage_internal.h"

static const char *const type_names[] = {"a boolean", "an int", "a double", "a string", "a string list", "a double list"};

static long find(const lml_stage *s, const char *name)
{
    for (size_t i = 0; i < s->vt->nparams; i++)
        if (strcmp(s->vt->params[i].name, name) == 0)
            return (long)i;
    return -1;
}

static long find_or_fail(const lml_stage *s, const char *name, lml_error *err)
{
    long i = find(s, name);
    if (i < 0) {
        lml_strbuf sb = {0};
        for (size_t j = 0; j < s->vt->nparams; j++)
            lml_strbuf_printf(&sb, "%s%s", j ? ", " : "", s->vt->params[j].name);
        lml_error_set(err, LML_ENOTFOUND, "%s: unknown param '%s'; %s has [%s]", s->uid, name, s->vt->name,
                      sb.data ? sb.data : "");
        lml_strbuf_free(&sb);
    }
    return i;
}

void lml_param_value_clear(lml_param_value *v)
{
    if (v->type == LML_PARAM_STRING) {
        free(v->v.s);
    } else if (v->type == LML_PARAM_STRINGS) {
        for (size_t i = 0; i < v->v.strs.n; i++)
            free(v->v.strs.items[i]);
        free(v->v.strs.items);
    } else if (v->type == LML_PARAM_DOUBLES) {
        free(v->v.dbls.items);
    }
    memset(&v->v, 0, sizeof v->v);
}

bool lml_param_value_copy(lml_param_value *dst, const lml_param_value *src, lml_error *err)
{
    *dst = *src;
    memset(&dst->v, 0, sizeof dst->v);
    switch (src->type) {
    case LML_PARAM_STRING:
        return (dst->v.s = lml_strdup(src->v.s, err)) != NULL;
    case LML_PARAM_STRINGS:
        dst->v.strs.items = calloc(src->v.strs.n + 1, sizeof(char *));
        if (!dst->v.strs.items)
            return lml_error_set(err, LML_ENOMEM, "out of memory copying a param");
        for (size_t i = 0; i < src->v.strs.n; i++) {
            if (!(dst->v.strs.items[i] = lml_strdup(src->v.strs.items[i], err))) {
                dst->v.strs.n = i;
                lml_param_value_clear(dst);
                return false;
            }
        }
        dst->v.strs.n = src->v.strs.n;
        return true;
    case LML_PARAM_DOUBLES:
        dst->v.dbls.items = malloc((src->v.dbls.n ? src->v.dbls.n : 1) * sizeof(double));
        if (!dst->v.dbls.items)
            return lml_error_set(err, LML_ENOMEM, "out of memory copying a param");
        if (src->v.dbls.n)
            memcpy(dst->v.dbls.items, src->v.dbls.items, src->v.dbls.n * sizeof(double));
        dst->v.dbls.n = src->v.dbls.n;
        return true;
    default:
        dst->v = src->v;
        return true;
    }
}

/* Validates and stores v (taking ownership of its heap parts on success and on failure). */
static bool store(lml_stage *s, const char *name, lml_param_value *v, lml_error *err)
{
    long i = find_or_fail(s, name, err);
    if (i < 0) {
        lml_param_value_clear(v);
        return false;
    }
    const lml_param_def *def = &s->vt->params[i];
    if (def->type != v->type) {
        lml_param_value_clear(v);
        return lml_error_set(err, LML_ETYPE, "%s: param '%s' takes %s, not %s", s->uid, name,
                             type_names[def->type], type_names[v->type]);
    }
    if (def->check && !def->check(v, err)) {
        lml_param_value_clear(v);
        lml_error_prefix(err, "%s: param '%s'", s->uid, name);
        return false;
    }
    lml_param_value_clear(&s->values[i]);
    s->values[i] = *v;
    s->is_set[i] = true;
    return true;
}

bool lml_param_init_default(const lml_param_def *def, lml_param_value *out, lml_error *err)
{
    *out = (lml_param_value){.type = def->type};
    if (!def->has_default)
        return true;
    switch (def->type) {
    case LML_PARAM_BOOL: out->v.b = def->def_b; return true;
    case LML_PARAM_INT: out->v.i = def->def_i; return true;
    case LML_PARAM_DOUBLE: out->v.d = def->def_d; return true;
    case LML_PARAM_STRING: return (out->v.s = lml_strdup(def->def_s ? def->def_s : "", err)) != NULL;
    case LML_PARAM_STRINGS:
        /* List defaults are empty lists. */
        out->v.strs.items = calloc(1, sizeof(char *));
        return out->v.strs.items ? true : lml_error_set(err, LML_ENOMEM, "out of memory");
    case LML_PARAM_DOUBLES:
        out->v.dbls.items = calloc(1, sizeof(double));
        return out->v.dbls.items ? true : lml_error_set(err, LML_ENOMEM, "out of memory");
    }
    return true;
}

bool lml_set_bool(lml_stage *s, const char *param, bool b, lml_error *err)
{
    lml_param_value v = {.type = LML_PARAM_BOOL, .v.b = b};
    return store(s, param, &v, err);
}

bool lml_set_int(lml_stage *s, const char *param, int64_t i, lml_error *err)
{
    lml_param_value v = {.type = LML_PARAM_INT, .v.i = i};
    /* A double param accepts an integer, as Python's 0 for regParam. */
    long k = find(s, param);
    if (k >= 0 && s->vt->params[k].type == LML_PARAM_DOUBLE)
        v = (lml_param_value){.type = LML_PARAM_DOUBLE, .v.d = (double)i};
    return store(s, param, &v, err);
}

bool lml_set_double(lml_stage *s, const char *param, double d, lml_error *err)
{
    lml_param_value v = {.type = LML_PARAM_DOUBLE, .v.d = d};
    return store(s, param, &v, err);
}

bool lml_set_string(lml_stage *s, const char *param, const char *str, lml_error *err)
{
    if (!str)
        return lml_error_set(err, LML_EINVAL, "%s: param '%s' cannot be set to NULL", s->uid, param);
    lml_param_value v = {.type = LML_PARAM_STRING, .v.s = lml_strdup(str, err)};
    return v.v.s && store(s, param, &v, err);
}

bool lml_set_strings(lml_stage *s, const char *param, const char *const *list, lml_error *err)
{
    size_t n = 0;
    while (list && list[n])
        n++;
    const lml_param_value src = {.type = LML_PARAM_STRINGS, .v.strs = {(char **)list, n}};
    lml_param_value v;
    return lml_param_value_copy(&v, &src, err) && store(s, param, &v, err);
}

bool lml_set_doubles(lml_stage *s, const char *param, const double *d, size_t n, lml_error *err)
{
    const lml_param_value src = {.type = LML_PARAM_DOUBLES, .v.dbls = {(double *)d, n}};
    lml_param_value v;
    return lml_param_value_copy(&v, &src, err) && store(s, param, &v, err);
}

static bool parse_double(const char *t, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(t, &end);
    return end != t && *end == '\0' && errno != ERANGE;
}

bool lml_set_param_text(lml_stage *s, const char *param, const char *text, lml_error *err)
{
    long i = find_or_fail(s, param, err);
    if (i < 0)
        return false;
    switch (s->vt->params[i].type) {
    case LML_PARAM_BOOL:
        if (strcasecmp(text, "true") == 0 || strcasecmp(text, "false") == 0)
            return lml_set_bool(s, param, strcasecmp(text, "true") == 0, err);
        break;
    case LML_PARAM_INT: {
        char *end;
        errno = 0;
        long long v = strtoll(text, &end, 10);
        if (end != text && *end == '\0' && errno != ERANGE)
            return lml_set_int(s, param, v, err);
        break;
    }
    case LML_PARAM_DOUBLE: {
        double d;
        if (parse_double(text, &d))
            return lml_set_double(s, param, d, err);
        break;
    }
    case LML_PARAM_STRING:
        return lml_set_string(s, param, text, err);
    case LML_PARAM_STRINGS:
    case LML_PARAM_DOUBLES: {
        char *copy = lml_strdup(text, err);
        if (!copy)
            return false;
        size_t cap = 1;
        for (const char *p = text; *p; p++)
            cap += *p == ',';
        const char **items = calloc(cap + 1, sizeof *items);
        double *nums = calloc(cap, sizeof *nums);
        size_t n = 0;
        bool ok = items && nums;
        for (char *save = NULL, *tok = ok && *copy ? strtok_r(copy, ",", &save) : NULL; ok && tok;
             tok = strtok_r(NULL, ",", &save)) {
            while (*tok == ' ')
                tok++;
            items[n] = tok;
            if (s->vt->params[i].type == LML_PARAM_DOUBLES && !parse_double(tok, &nums[n]))
                ok = false;
            n++;
        }
        if (ok)
            ok = s->vt->params[i].type == LML_PARAM_STRINGS ? lml_set_strings(s, param, items, err)
                                                            : lml_set_doubles(s, param, nums, n, err);
        else if (items && nums)
            lml_error_set(err, LML_EINVAL, "%s: param '%s': cannot read \"%s\" as a list of numbers", s->uid, param,
                          text);
        else
            lml_error_set(err, LML_ENOMEM, "out of memory");
        free(items);
        free(nums);
        free(copy);
        return ok;
    }
    }
    return lml_error_set(err, LML_EINVAL, "%s: param '%s' takes %s; cannot read \"%s\"", s->uid, param,
                         type_names[s->vt->params[i].type], text);
}

bool lml_clear_param(lml_stage *s, const char *param, lml_error *err)
{
    long i = find_or_fail(s, param, err);
    if (i < 0)
        return false;
    lml_param_value def;
    if (!lml_param_init_default(&s->vt->params[i], &def, err))
        return false;
    lml_param_value_clear(&s->values[i]);
    s->values[i] = def;
    s->is_set[i] = false;
    return true;
}

/* The value in force (set, else default), or NULL when there is none. */
static const lml_param_value *value_of(const lml_stage *s, long i)
{
    if (i < 0)
        return NULL;
    if (s->is_set[i])
        return &s->values[i];
    return s->vt->params[i].has_default ? &s->values[i] : NULL;
}

static const lml_param_value *get(const lml_stage *s, const char *name, lml_param_type type, lml_error *err)
{
    long i = find_or_fail(s, name, err);
    if (i < 0)
        return NULL;
    const lml_param_value *v = value_of(s, i);
    if (!v) {
        lml_error_set(err, LML_ENOTFOUND, "%s: param '%s' has no value and no default", s->uid, name);
        return NULL;
    }
    if (v->type != type) {
        lml_error_set(err, LML_ETYPE, "%s: param '%s' is %s, not %s", s->uid, name, type_names[v->type],
                      type_names[type]);
        return NULL;
    }
    return v;
}

bool lml_get_bool(const lml_stage *s, const char *param, bool *out, lml_error *err)
{
    const lml_param_value *v = get(s, param, LML_PARAM_BOOL, err);
    return v ? (*out = v->v.b, true) : false;
}

bool lml_get_int(const lml_stage *s, const char *param, int64_t *out, lml_error *err)
{
    const lml_param_value *v = get(s, param, LML_PARAM_INT, err);
    return v ? (*out = v->v.i, true) : false;
}

bool lml_get_double(const lml_stage *s, const char *param, double *out, lml_error *err)
{
    const lml_param_value *v = get(s, param, LML_PARAM_DOUBLE, err);
    return v ? (*out = v->v.d, true) : false;
}

const char *lml_get_string(const lml_stage *s, const char *param, lml_error *err)
{
    const lml_param_value *v = get(s, param, LML_PARAM_STRING, err);
    return v ? v->v.s : NULL;
}

const char *const *lml_get_strings(const lml_stage *s, const char *param, size_t *n, lml_error *err)
{
    const lml_param_value *v = get(s, param, LML_PARAM_STRINGS, err);
    *n = v ? v->v.strs.n : 0;
    return v && v->v.strs.n ? (const char *const *)v->v.strs.items : NULL;
}

const double *lml_get_doubles(const lml_stage *s, const char *param, size_t *n, lml_error *err)
{
    const lml_param_value *v = get(s, param, LML_PARAM_DOUBLES, err);
    *n = v ? v->v.dbls.n : 0;
    return v && v->v.dbls.n ? v->v.dbls.items : NULL;
}

bool lml_has_param(const lml_stage *s, const char *param) { return find(s, param) >= 0; }
bool lml_is_defined(const lml_stage *s, const char *param) { return value_of(s, find(s, param)) != NULL; }
bool lml_is_set(const lml_stage *s, const char *param)
{
    long i = find(s, param);
    return i >= 0 && s->is_set[i];
}

bool lml_param_bool(const lml_stage *s, const char *name)
{
    const lml_param_value *v = value_of(s, find(s, name));
    return v && v->type == LML_PARAM_BOOL && v->v.b;
}

int64_t lml_param_int(const lml_stage *s, const char *name)
{
    const lml_param_value *v = value_of(s, find(s, name));
    return v && v->type == LML_PARAM_INT ? v->v.i : 0;
}

double lml_param_double(const lml_stage *s, const char *name)
{
    const lml_param_value *v = value_of(s, find(s, name));
    return v && v->type == LML_PARAM_DOUBLE ? v->v.d : 0.0;
}

const char *lml_param_string(const lml_stage *s, const char *name)
{
    const lml_param_value *v = value_of(s, find(s, name));
    return v && v->type == LML_PARAM_STRING ? v->v.s : NULL;
}

/* A value as explainParams prints it: Scala's toString (0.0, true, [a, b], "x" without quotes). */
static void format_value(lml_strbuf *sb, const lml_param_value *v)
{
    char num[LML_DOUBLE_BUF];
    switch (v->type) {
    case LML_PARAM_BOOL: lml_strbuf_puts(sb, v->v.b ? "true" : "false"); break;
    case LML_PARAM_INT: lml_strbuf_printf(sb, "%lld", (long long)v->v.i); break;
    case LML_PARAM_DOUBLE:
        lml_format_double_java(v->v.d, num);
        lml_strbuf_puts(sb, num);
        break;
    case LML_PARAM_STRING: lml_strbuf_puts(sb, v->v.s); break;
    case LML_PARAM_STRINGS:
        lml_strbuf_putc(sb, '[');
        for (size_t i = 0; i < v->v.strs.n; i++)
            lml_strbuf_printf(sb, "%s%s", i ? ", " : "", v->v.strs.items[i]);
        lml_strbuf_putc(sb, ']');
        break;
    case LML_PARAM_DOUBLES:
        lml_strbuf_putc(sb, '[');
        for (size_t i = 0; i < v->v.dbls.n; i++) {
            lml_format_double_java(v->v.dbls.items[i], num);
            lml_strbuf_printf(sb, "%s%s", i ? ", " : "", num);
        }
        lml_strbuf_putc(sb, ']');
        break;
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(const lml_param_def *const *)a)->name, (*(const lml_param_def *const *)b)->name);
}

char *lml_explain_params(const lml_stage *s, lml_error *err)
{
    size_t n = s->vt->nparams;
    const lml_param_def **order = malloc((n ? n : 1) * sizeof *order);
    if (!order) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = &s->vt->params[i];
    qsort(order, n, sizeof *order, by_name);
    lml_strbuf sb = {0};
    for (size_t k = 0; k < n; k++) {
        long i = order[k] - s->vt->params;
        const lml_param_def *d = order[k];
        lml_strbuf_printf(&sb, "%s: %s", d->name, d->doc);
        bool has_default = d->has_default, set = s->is_set[i];
        if (has_default || set) {
            lml_strbuf_puts(&sb, " (");
            if (has_default) {
                lml_param_value def;
                if (!lml_param_init_default(d, &def, err)) {
                    free(order);
                    lml_strbuf_free(&sb);
                    return NULL;
                }
                lml_strbuf_puts(&sb, "default: ");
                format_value(&sb, &def);
                lml_param_value_clear(&def);
            }
            if (set) {
                lml_strbuf_puts(&sb, has_default ? ", current: " : "current: ");
                format_value(&sb, &s->values[i]);
            }
            lml_strbuf_putc(&sb, ')');
        } else {
            lml_strbuf_puts(&sb, " (undefined)");
        }
        lml_strbuf_putc(&sb, '\n');
    }
    free(order);
    return lml_strbuf_finish(&sb, err);
}

/* ---- checks shared by param tables */

static double numeric(const lml_param_value *v) { return v->type == LML_PARAM_INT ? (double)v->v.i : v->v.d; }

bool lml_check_nonneg(const lml_param_value *v, lml_error *err)
{
    double x = numeric(v);
    return x >= 0 ? true : lml_error_set(err, LML_ERANGE, "must be >= 0, got %g", x);
}

bool lml_check_positive(const lml_param_value *v, lml_error *err)
{
    double x = numeric(v);
    return x > 0 ? true : lml_error_set(err, LML_ERANGE, "must be > 0, got %g", x);
}

bool lml_check_unit(const lml_param_value *v, lml_error *err)
{
    double x = numeric(v);
    return x >= 0 && x <= 1 ? true : lml_error_set(err, LML_ERANGE, "must be in [0, 1], got %g", x);
}

bool lml_check_handle_invalid(const lml_param_value *v, lml_error *err)
{
    static const char *const ok[] = {"error", "skip", "keep"};
    for (size_t i = 0; i < 3; i++)
        if (strcmp(v->v.s, ok[i]) == 0)
            return true;
    return lml_error_set(err, LML_EINVAL, "must be one of error, skip, keep; got '%s'", v->v.s);
}

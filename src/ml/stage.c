/* The generic stage: creation with Spark-style uids, copies, and fit / transform / evaluate
 * dispatch through the algorithm's vtable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "core/internal.h"
#include "ml/stage_internal.h"

/* Spark's Identifiable.randomUID: the prefix and the last 12 hex digits of a random UUID. The
 * uid only names a stage; no result depends on it, so it comes from the OS, not a seeded RNG. */
static char *random_uid(const char *prefix, lml_error *err)
{
    unsigned char bytes[6] = {0};
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes) {
        /* No entropy source: fall back to a process-wide counter (uids stay distinct). */
        static _Atomic unsigned long counter;
        unsigned long c = ++counter;
        memcpy(bytes, &c, sizeof bytes < sizeof c ? sizeof bytes : sizeof c);
    }
    size_t len = strlen(prefix) + 14;
    char *uid = malloc(len);
    if (!uid) {
        lml_error_set(err, LML_ENOMEM, "out of memory creating a stage");
        return NULL;
    }
    snprintf(uid, len, "%s_%02x%02x%02x%02x%02x%02x", prefix, bytes[0], bytes[1], bytes[2], bytes[3], bytes[4],
             bytes[5]);
    return uid;
}

static void release(lml_stage *s)
{
    if (s->state && s->vt->release_state)
        s->vt->release_state(s->state);
    if (s->values)
        for (size_t i = 0; i < s->vt->nparams; i++)
            lml_param_value_clear(&s->values[i]);
    free(s->values);
    free(s->is_set);
    free(s->uid);
    free(s);
}

lml_stage *lml_stage_create(const lml_stage_vtable *vt, const char *uid, void *state, lml_error *err)
{
    lml_stage *s = calloc(1, sizeof *s);
    if (!s) {
        if (state && vt->release_state)
            vt->release_state(state);
        lml_error_set(err, LML_ENOMEM, "out of memory creating a %s", vt->name);
        return NULL;
    }
    s->vt = vt;
    s->state = state;
    s->uid = uid ? lml_strdup(uid, err) : random_uid(vt->name, err);
    s->values = calloc(vt->nparams ? vt->nparams : 1, sizeof *s->values);
    s->is_set = calloc(vt->nparams ? vt->nparams : 1, sizeof *s->is_set);
    if (!s->uid || !s->values || !s->is_set) {
        release(s);
        lml_error_set(err, LML_ENOMEM, "out of memory creating a %s", vt->name);
        return NULL;
    }
    for (size_t i = 0; i < vt->nparams; i++) {
        if (!lml_param_init_default(&vt->params[i], &s->values[i], err)) {
            release(s);
            return NULL;
        }
    }
    return s;
}

static bool copy_values(lml_stage *dst, const lml_stage *src, lml_error *err)
{
    for (size_t i = 0; i < src->vt->nparams; i++) {
        if (!src->is_set[i])
            continue;
        long j = -1;
        for (size_t k = 0; k < dst->vt->nparams; k++)
            if (strcmp(dst->vt->params[k].name, src->vt->params[i].name) == 0 &&
                dst->vt->params[k].type == src->vt->params[i].type)
                j = (long)k;
        if (j < 0)
            continue;
        lml_param_value v;
        if (!lml_param_value_copy(&v, &src->values[i], err))
            return false;
        lml_param_value_clear(&dst->values[j]);
        dst->values[j] = v;
        dst->is_set[j] = true;
    }
    return true;
}

lml_stage *lml_stage_create_model(const lml_stage_vtable *model_vt, const lml_stage *estimator, void *state,
                                  lml_error *err)
{
    lml_stage *m = lml_stage_create(model_vt, estimator->uid, state, err);
    if (m && !copy_values(m, estimator, err)) {
        release(m);
        return NULL;
    }
    return m;
}

lml_stage *lml_stage_copy(const lml_stage *s, lml_error *err)
{
    if (s->state && s->vt->retain_state)
        s->vt->retain_state(s->state);
    lml_stage *c = lml_stage_create(s->vt, s->uid, s->state, err);
    if (c && !copy_values(c, s, err)) {
        release(c);
        return NULL;
    }
    return c;
}

void lml_stage_free(lml_stage *s)
{
    if (s)
        release(s);
}

const char *lml_stage_uid(const lml_stage *s) { return s->uid; }
const char *lml_stage_name(const lml_stage *s) { return s->vt->name; }
const char *lml_stage_class(const lml_stage *s) { return s->vt->class_name; }
lml_stage_kind lml_stage_kind_of(const lml_stage *s) { return s->vt->kind; }

void *lml_stage_state(const lml_stage *s, const lml_stage_vtable *vt, lml_error *err)
{
    if (!s || s->vt != vt) {
        lml_error_set(err, LML_ETYPE, "expected a %s, got %s", vt->name, s ? s->vt->name : "NULL");
        return NULL;
    }
    return s->state;
}

lml_stage *lml_fit(const lml_stage *estimator, const lml_frame *df, lml_error *err)
{
    if (!estimator || !df) {
        lml_error_set(err, LML_EINVAL, "lml_fit needs an estimator and a frame");
        return NULL;
    }
    if (!estimator->vt->fit) {
        lml_error_set(err, LML_ETYPE, "%s is a %s, not an estimator: it has no fit", estimator->uid,
                      estimator->vt->name);
        return NULL;
    }
    return estimator->vt->fit(estimator, df, err);
}

lml_frame *lml_transform(const lml_stage *t, const lml_frame *df, lml_error *err)
{
    if (!t || !df) {
        lml_error_set(err, LML_EINVAL, "lml_transform needs a transformer and a frame");
        return NULL;
    }
    if (!t->vt->transform) {
        lml_error_set(err, LML_ETYPE, "%s is a %s, which cannot transform: fit it first", t->uid, t->vt->name);
        return NULL;
    }
    return t->vt->transform(t, df, err);
}

double lml_evaluate(const lml_stage *evaluator, const lml_frame *df, lml_error *err)
{
    if (!evaluator || !df || !evaluator->vt->evaluate) {
        lml_error_set(err, LML_ETYPE, "%s is not an evaluator", evaluator ? evaluator->uid : "NULL");
        return __builtin_nan("");
    }
    return evaluator->vt->evaluate(evaluator, df, err);
}

bool lml_is_larger_better(const lml_stage *evaluator)
{
    return evaluator && evaluator->vt->larger_better ? evaluator->vt->larger_better(evaluator) : true;
}

char *lml_default_output_col(const lml_stage *s, lml_error *err)
{
    size_t len = strlen(s->uid) + sizeof "__output";
    char *out = malloc(len);
    if (!out) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(out, len, "%s__output", s->uid);
    return out;
}

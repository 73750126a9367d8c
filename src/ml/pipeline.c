/* Pipeline → PipelineModel (spec §11.1). The stage list lives in a shared, immutable state, so
 * copies of a pipeline or model share it. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "core/internal.h"
#include "lakeml/ml/pipeline.h"
#include "ml/stage_internal.h"
#include "ml/persist/persist_internal.h"

typedef struct {
    atomic_long refs;
    size_t n;
    lml_stage **stages;
} stages_state;

static void retain(void *p) { atomic_fetch_add(&((stages_state *)p)->refs, 1); }

static void release(void *p)
{
    stages_state *st = p;
    if (atomic_fetch_sub(&st->refs, 1) > 1)
        return;
    for (size_t i = 0; i < st->n; i++)
        lml_stage_free(st->stages[i]);
    free(st->stages);
    free(st);
}

static lml_stage *pipeline_fit(const lml_stage *self, const lml_frame *df, lml_error *err);
static lml_frame *model_transform(const lml_stage *self, const lml_frame *df, lml_error *err);
static bool pl_save(const lml_stage *self, const char *dir, struct cJSON *meta, lml_error *err);
static void *pl_load(const char *dir, const struct cJSON *meta, int version, lml_error *err);
static const char *const pl_keys[] = {"stageUids", NULL};

const lml_stage_vtable lml_pipeline_vt = {
    .name = "Pipeline", .class_name = "org.apache.spark.ml.Pipeline", .kind = LML_STAGE_ESTIMATOR,
    .fit = pipeline_fit, .retain_state = retain, .release_state = release, .save_data = pl_save,
    .load_state = pl_load, .persist_keys = pl_keys};
const lml_stage_vtable lml_pipeline_model_vt = {
    .name = "PipelineModel", .class_name = "org.apache.spark.ml.PipelineModel", .kind = LML_STAGE_MODEL,
    .transform = model_transform, .retain_state = retain, .release_state = release, .save_data = pl_save,
    .load_state = pl_load, .persist_keys = pl_keys};

static stages_state *new_state(size_t n, lml_error *err)
{
    stages_state *st = calloc(1, sizeof *st);
    if (st)
        st->stages = calloc(n ? n : 1, sizeof *st->stages);
    if (!st || !st->stages) {
        free(st);
        lml_error_set(err, LML_ENOMEM, "out of memory creating a pipeline");
        return NULL;
    }
    atomic_init(&st->refs, 1);
    return st;
}

/* A Pipeline (vt = lml_pipeline_vt) or PipelineModel owning `stages`; a model takes only
 * transformers and models. */
static lml_stage *make(const lml_stage_vtable *vt, lml_stage *const *stages, lml_error *err)
{
    size_t n = 0;
    while (stages && stages[n])
        n++;
    stages_state *st = new_state(n, err);
    if (!st) {
        for (size_t i = 0; i < n; i++)
            lml_stage_free(stages[i]);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        st->stages[st->n++] = stages[i];
    bool model = vt == &lml_pipeline_model_vt;
    const char *what = model ? "PipelineModel" : "Pipeline";
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(lml_stage_uid(stages[i]), lml_stage_uid(stages[j])) == 0) {
                lml_error_set(err, LML_EINVAL, "%s: stages %zu and %zu have the same uid '%s'; uids must be unique",
                              what, j, i, lml_stage_uid(stages[i]));
                release(st);
                return NULL;
            }
        }
        lml_stage_kind k = lml_stage_kind_of(stages[i]);
        if (k == LML_STAGE_EVALUATOR || (model && k == LML_STAGE_ESTIMATOR)) {
            lml_error_set(err, LML_EINVAL, "%s: stage %zu (%s) is %s, not a %s stage", what, i,
                          lml_stage_uid(stages[i]), k == LML_STAGE_EVALUATOR ? "an evaluator" : "an estimator",
                          model ? "fitted pipeline" : "pipeline");
            release(st);
            return NULL;
        }
    }
    return lml_stage_create(vt, NULL, st, err);
}

lml_stage *lml_pipeline_new(lml_stage *const *stages, lml_error *err) { return make(&lml_pipeline_vt, stages, err); }

lml_stage *lml_pipeline_model_new(lml_stage *const *stages, lml_error *err)
{
    return make(&lml_pipeline_model_vt, stages, err);
}

static lml_stage *pipeline_fit(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const stages_state *st = self->state;
    size_t last_est = 0;
    bool any_est = false;
    for (size_t i = 0; i < st->n; i++) {
        if (lml_stage_kind_of(st->stages[i]) == LML_STAGE_ESTIMATOR) {
            last_est = i;
            any_est = true;
        }
    }
    stages_state *out = new_state(st->n, err);
    if (!out)
        return NULL;
    lml_frame *cur = lml_frame_retain(df);
    size_t i = 0;
    for (; i < st->n; i++) {
        const lml_stage *s = st->stages[i];
        lml_stage *fitted = lml_stage_kind_of(s) == LML_STAGE_ESTIMATOR ? lml_fit(s, cur, err) : lml_stage_copy(s, err);
        if (!fitted)
            goto fail;
        out->stages[out->n++] = fitted;
        /* Stages after the last estimator are not run during fit (Spark's rule). */
        if (any_est && i < last_est) {
            lml_frame *next = lml_transform(fitted, cur, err);
            if (!next)
                goto fail;
            lml_frame_free(cur);
            cur = next;
        }
    }
    lml_frame_free(cur);
    lml_stage *m = lml_stage_create_model(&lml_pipeline_model_vt, self, out, err);
    return m;
fail:
    lml_error_prefix(err, "%s: stage %zu (%s)", self->uid, i, lml_stage_uid(st->stages[i]));
    lml_frame_free(cur);
    release(out);
    return NULL;
}

static lml_frame *model_transform(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const stages_state *st = self->state;
    lml_frame *cur = lml_frame_retain(df);
    for (size_t i = 0; i < st->n; i++) {
        lml_frame *next = lml_transform(st->stages[i], cur, err);
        lml_frame_free(cur);
        if (!next) {
            lml_error_prefix(err, "%s: stage %zu (%s)", self->uid, i, lml_stage_uid(st->stages[i]));
            return NULL;
        }
        cur = next;
    }
    return cur;
}

size_t lml_pipeline_num_stages(const lml_stage *p)
{
    return p && (p->vt == &lml_pipeline_vt || p->vt == &lml_pipeline_model_vt) ? ((const stages_state *)p->state)->n : 0;
}

const lml_stage *lml_pipeline_stage(const lml_stage *p, size_t i)
{
    return i < lml_pipeline_num_stages(p) ? ((const stages_state *)p->state)->stages[i] : NULL;
}

lml_stage *lml_pipeline_copy_deep(const lml_stage *s, lml_error *err)
{
    if (s->vt != &lml_pipeline_vt)
        return lml_stage_copy(s, err);
    const stages_state *src = s->state;
    stages_state *st = new_state(src->n, err);
    if (!st)
        return NULL;
    for (size_t i = 0; i < src->n; i++) {
        st->stages[i] = lml_pipeline_copy_deep(src->stages[i], err);
        if (!st->stages[i]) {
            release(st);
            return NULL;
        }
        st->n++;
    }
    return lml_stage_create(&lml_pipeline_vt, s->uid, st, err); /* releases st on failure */
}

lml_stage *lml_pipeline_find_uid(lml_stage *root, const char *uid)
{
    if (strcmp(root->uid, uid) == 0)
        return root;
    if (root->vt != &lml_pipeline_vt)
        return NULL;
    stages_state *st = root->state;
    for (size_t i = 0; i < st->n; i++) {
        lml_stage *hit = lml_pipeline_find_uid(st->stages[i], uid);
        if (hit)
            return hit;
    }
    return NULL;
}

/* ---- persistence (spec §5): paramMap.stageUids and stages/<idx>_<uid>/, idx zero-padded to
 * the number of digits of the stage count. */

static char *stage_dir(const char *dir, size_t i, size_t n, const char *uid, lml_error *err)
{
    int width = snprintf(NULL, 0, "%zu", n);
    int len = snprintf(NULL, 0, "%s/stages/%0*zu_%s", dir, width, i, uid);
    char *p = malloc((size_t)len + 1);
    if (!p)
        lml_error_set(err, LML_ENOMEM, "out of memory saving %s", dir);
    else
        snprintf(p, (size_t)len + 1, "%s/stages/%0*zu_%s", dir, width, i, uid);
    return p;
}

static bool pl_save(const lml_stage *self, const char *dir, struct cJSON *meta, lml_error *err)
{
    const stages_state *st = self->state;
    cJSON *pm = cJSON_GetObjectItemCaseSensitive(meta, "paramMap"), *uids = cJSON_AddArrayToObject(pm, "stageUids");
    char *sd = lml_persist_join(dir, "stages", err);
    bool ok = sd && uids && mkdir(sd, 0755) == 0;
    if (sd && !ok)
        lml_error_set(err, uids ? LML_EIO : LML_ENOMEM, "cannot create %s", sd);
    free(sd);
    for (size_t i = 0; ok && i < st->n; i++) {
        char *p = stage_dir(dir, i, st->n, st->stages[i]->uid, err);
        cJSON *u = cJSON_CreateString(st->stages[i]->uid);
        ok = p && u && cJSON_AddItemToArray(uids, u) && lml_persist_save_dir(st->stages[i], p, err);
        if (!u)
            lml_error_set(err, LML_ENOMEM, "out of memory saving %s", dir);
        if (!ok)
            lml_error_prefix(err, "%s: stage %zu", self->uid, i);
        free(p);
    }
    return ok;
}

static void *pl_load(const char *dir, const struct cJSON *meta, int version, lml_error *err)
{
    const cJSON *uids = cJSON_GetObjectItemCaseSensitive(lml_persist_param_map(meta), "stageUids");
    if (!cJSON_IsArray(uids)) {
        lml_error_set(err, LML_EFORMAT, "%s: metadata field 'paramMap.stageUids' must be an array", dir);
        return NULL;
    }
    size_t n = (size_t)cJSON_GetArraySize(uids);
    stages_state *st = new_state(n, err);
    const cJSON *u;
    cJSON_ArrayForEach(u, uids) {
        if (!st)
            return NULL;
        if (!cJSON_IsString(u) || !*u->valuestring || strchr(u->valuestring, '/')) {
            lml_error_set(err, LML_EFORMAT, "%s: metadata paramMap.stageUids[%zu] is not a uid", dir, st->n);
            release(st);
            return NULL;
        }
        char *p = stage_dir(dir, st->n, n, u->valuestring, err);
        lml_stage *s = p ? lml_persist_load_dir(p, u->valuestring, err) : NULL;
        free(p);
        if (!s) {
            release(st);
            return NULL;
        }
        st->stages[st->n++] = s;
    }
    return st;
}

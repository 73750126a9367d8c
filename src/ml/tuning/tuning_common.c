/* The machinery CrossValidator and TrainValidationSplit share: owned parts, the (split, map)
 * fit-and-evaluate loop, best-map selection and the refit on all rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "ml/tuning/tuning_internal.h"

void lml_tuning_spec_retain(void *p) { atomic_fetch_add(&((lml_tuning_spec *)p)->refs, 1); }

void lml_tuning_spec_release(void *p)
{
    lml_tuning_spec *s = p;
    if (atomic_fetch_sub(&s->refs, 1) > 1)
        return;
    lml_stage_free(s->estimator);
    lml_param_grid_free(s->grid);
    lml_stage_free(s->evaluator);
    free(s);
}

void lml_tuning_result_retain(void *p) { atomic_fetch_add(&((lml_tuning_result *)p)->refs, 1); }

void lml_tuning_result_release(void *p)
{
    lml_tuning_result *r = p;
    if (atomic_fetch_sub(&r->refs, 1) > 1)
        return;
    if (r->sub_models)
        for (size_t i = 0; i < r->nsplits * r->nmaps; i++)
            lml_stage_free(r->sub_models[i]);
    free(r->sub_models);
    free(r->metrics);
    free(r->std_metrics);
    lml_stage_free(r->best_model);
    lml_tuning_spec_release(r->spec);
    free(r);
}

lml_stage *lml_tuning_create(const lml_stage_vtable *vt, lml_stage *estimator, lml_param_grid *grid,
                             lml_stage *evaluator, lml_error *err)
{
    const char *bad = !estimator ? "estimator is NULL"
                      : !grid ? "the param grid is NULL"
                      : !evaluator ? "evaluator is NULL"
                      : lml_stage_kind_of(estimator) != LML_STAGE_ESTIMATOR ? "estimator is not an estimator"
                      : lml_stage_kind_of(evaluator) != LML_STAGE_EVALUATOR ? "evaluator is not an evaluator"
                                                                            : NULL;
    lml_tuning_spec *s = bad ? NULL : calloc(1, sizeof *s);
    if (!s) {
        if (bad)
            lml_error_set(err, LML_EINVAL, "%s: %s", vt->name, bad);
        else
            lml_error_set(err, LML_ENOMEM, "out of memory creating a %s", vt->name);
        lml_stage_free(estimator);
        lml_param_grid_free(grid);
        lml_stage_free(evaluator);
        return NULL;
    }
    atomic_init(&s->refs, 1);
    s->estimator = estimator;
    s->grid = grid;
    s->evaluator = evaluator;
    return lml_stage_create(vt, NULL, s, err); /* releases s on failure */
}

typedef struct run_ctx {
    const lml_tuning_spec *spec;
    lml_frame *const *train, *const *valid;
    size_t nmaps, base;
    double *metrics;
    lml_stage **subs;
    lml_error *errs; /* one per task */
    bool *failed;
} run_ctx;

static void run_one(void *p, size_t t, int worker)
{
    (void)worker;
    run_ctx *c = p;
    size_t task = c->base + t, s = task / c->nmaps, j = task % c->nmaps;
    lml_error *err = &c->errs[task];
    lml_stage *est = lml_param_grid_apply(c->spec->grid, j, c->spec->estimator, err);
    lml_stage *model = est ? lml_fit(est, c->train[s], err) : NULL;
    lml_frame *pred = model ? lml_transform(model, c->valid[s], err) : NULL;
    double m = pred ? lml_evaluate(c->spec->evaluator, pred, err) : NAN;
    lml_frame_free(pred);
    lml_stage_free(est);
    c->metrics[task] = m;
    c->failed[task] = !pred || (m != m && err->code != LML_OK);
    if (c->subs && !c->failed[task])
        c->subs[task] = model;
    else
        lml_stage_free(model);
}

bool lml_tuning_run(const lml_stage *self, const lml_tuning_spec *spec, lml_frame *const *train,
                    lml_frame *const *valid, size_t nsplits, int64_t parallelism, double *metrics,
                    lml_stage **subs, lml_error *err)
{
    size_t nmaps = lml_param_grid_num_maps(spec->grid), n = nsplits * nmaps;
    run_ctx c = {.spec = spec, .train = train, .valid = valid, .nmaps = nmaps, .metrics = metrics, .subs = subs};
    c.errs = calloc(n ? n : 1, sizeof *c.errs);
    c.failed = calloc(n ? n : 1, sizeof *c.failed);
    if (!c.errs || !c.failed) {
        free(c.errs);
        free(c.failed);
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory", self->uid);
    }
    size_t width = parallelism < 1 ? 1 : (size_t)parallelism;
    /* Batches of `parallelism` tasks bound how many fits run at once; with 1 they run on this
     * thread, so each fit may use the whole pool itself. */
    for (size_t b = 0; b < n; b += width) {
        c.base = b;
        size_t k = n - b < width ? n - b : width;
        if (k == 1)
            run_one(&c, 0, 0);
        else
            lml_parallel_for(k, run_one, &c);
    }
    bool ok = true;
    for (size_t t = 0; t < n && ok; t++) {
        if (c.failed[t]) {
            ok = false;
            if (err) {
                *err = c.errs[t];
                if (nsplits > 1)
                    lml_error_prefix(err, "%s: fold %zu, param map %zu", self->uid, t / nmaps, t % nmaps);
                else
                    lml_error_prefix(err, "%s: param map %zu", self->uid, t % nmaps);
            }
        }
    }
    free(c.errs);
    free(c.failed);
    return ok;
}

size_t lml_tuning_best(const double *metrics, size_t n, bool larger_better)
{
    size_t best = 0;
    for (size_t j = 1; j < n; j++)
        if (larger_better ? metrics[j] > metrics[best] : metrics[j] < metrics[best])
            best = j;
    return best;
}

lml_frame *lml_tuning_rows(const lml_frame *df, const bool *keep, lml_error *err)
{
    size_t n = lml_frame_num_rows(df);
    lml_column_builder *b = lml_column_builder_new(LML_BOOL, n, err);
    if (!b)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!lml_column_builder_append_bool(b, keep[i], err)) {
            lml_column_builder_free(b);
            return NULL;
        }
    }
    lml_column *mask = lml_column_builder_finish(b, err);
    if (!mask)
        return NULL;
    lml_frame *out = lml_frame_filter(df, mask, err);
    lml_column_free(mask);
    return out;
}

lml_stage *lml_tuning_finish(const lml_stage *self, const lml_stage_vtable *model_vt, const lml_frame *df,
                             size_t nsplits, double *metrics, double *std_metrics, lml_stage **subs,
                             lml_error *err)
{
    lml_tuning_spec *spec = self->state;
    size_t nmaps = lml_param_grid_num_maps(spec->grid);
    lml_tuning_result *r = calloc(1, sizeof *r);
    if (!r) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory", self->uid);
        if (subs)
            for (size_t i = 0; i < nsplits * nmaps; i++)
                lml_stage_free(subs[i]);
        free(subs);
        free(metrics);
        free(std_metrics);
        return NULL;
    }
    atomic_init(&r->refs, 1);
    lml_tuning_spec_retain(spec);
    r->spec = spec;
    r->nsplits = nsplits;
    r->nmaps = nmaps;
    r->metrics = metrics;
    r->std_metrics = std_metrics;
    r->sub_models = subs;
    r->best = lml_tuning_best(metrics, nmaps, lml_is_larger_better(spec->evaluator));
    lml_stage *est = lml_param_grid_apply(spec->grid, r->best, spec->estimator, err);
    r->best_model = est ? lml_fit(est, df, err) : NULL;
    lml_stage_free(est);
    if (!r->best_model) {
        lml_error_prefix(err, "%s: refitting param map %zu on all rows", self->uid, r->best);
        lml_tuning_result_release(r);
        return NULL;
    }
    return lml_stage_create_model(model_vt, self, r, err); /* releases r on failure */
}

/* Pipeline and PipelineModel over the toy MeanCenterer class (tests/toy_stage.c). */
#include <criterion/criterion.h>
#include <string.h>
#include "lakeml/ml/pipeline.h"
#include "toy_stage.h"

static lml_stage *centerer(const char *in, const char *out)
{
    lml_stage *s = lml_stage_create(&toy_est_vt, NULL, NULL, NULL);
    lml_set_string(s, "inputCol", in, NULL);
    lml_set_string(s, "outputCol", out, NULL);
    return s;
}

static lml_frame *frame_x(void)
{
    lml_column *c = lml_column_from_doubles((double[]){1, 2, 6, 11}, NULL, 4, NULL);
    lml_frame *f = lml_frame_new(1, (const char *[]){"x"}, &c, NULL);
    lml_column_free(c);
    return f;
}

Test(pipeline, each_estimator_fits_on_the_previous_stages_output)
{
    lml_error err = {0};
    lml_stage *p = lml_pipeline_new((lml_stage *[]){centerer("x", "a"), centerer("a", "b"), NULL}, &err);
    cr_assert_not_null(p, "%s", err.message);
    cr_assert_eq(lml_pipeline_num_stages(p), 2);
    lml_frame *f = frame_x();
    lml_stage *m = lml_fit(p, f, &err);
    cr_assert_not_null(m, "%s", err.message);
    cr_assert_str_eq(lml_stage_name(m), "PipelineModel");
    cr_assert_str_eq(lml_stage_uid(m), lml_stage_uid(p), "the model keeps the pipeline's uid");
    cr_assert_str_eq(lml_stage_name(lml_pipeline_stage(m, 1)), "MeanCentererModel");
    cr_assert_str_eq(lml_stage_uid(lml_pipeline_stage(m, 1)), lml_stage_uid(lml_pipeline_stage(p, 1)));
    lml_frame *out = lml_transform(m, f, &err);
    cr_assert_not_null(out, "%s", err.message);
    cr_assert_eq(lml_frame_num_cols(out), 3);
    const double *a = lml_column_doubles(lml_frame_column_by_name(out, "a", NULL));
    const double *b = lml_column_doubles(lml_frame_column_by_name(out, "b", NULL));
    cr_assert_eq(a[0], -4.0); /* mean 5 */
    cr_assert_eq(a[3], 6.0);
    cr_assert_eq(b[3], 6.0, "a is already centred, so stage 2 learned mean 0");
    lml_frame_free(out);
    lml_frame_free(f);
    lml_stage_free(m);
    lml_stage_free(p);
}

Test(pipeline, fit_error_names_the_stage)
{
    lml_error err = {0};
    lml_stage *p = lml_pipeline_new((lml_stage *[]){centerer("x", "a"), centerer("nope", "b"), NULL}, &err);
    lml_frame *f = frame_x();
    cr_assert_null(lml_fit(p, f, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    char want[256];
    snprintf(want, sizeof want, "%s: stage 1 (%s): column 'nope' not found; the frame has [x, a]", lml_stage_uid(p),
             lml_stage_uid(lml_pipeline_stage(p, 1)));
    cr_assert_str_eq(err.message, want);
    lml_frame_free(f);
    lml_stage_free(p);
}

Test(pipeline, duplicate_uids_are_rejected)
{
    lml_error err = {0};
    lml_stage *a = lml_stage_create(&toy_est_vt, "MeanCenterer_1", NULL, NULL);
    lml_stage *b = lml_stage_create(&toy_est_vt, "MeanCenterer_1", NULL, NULL);
    cr_assert_null(lml_pipeline_new((lml_stage *[]){a, b, NULL}, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_str_eq(err.message, "Pipeline: stages 0 and 1 have the same uid 'MeanCenterer_1'; uids must be unique");
}

Test(pipeline, empty_pipeline_is_identity)
{
    lml_stage *p = lml_pipeline_new((lml_stage *[]){NULL}, NULL);
    lml_frame *f = frame_x();
    lml_stage *m = lml_fit(p, f, NULL);
    lml_frame *g = lml_transform(m, f, NULL);
    cr_assert_eq(lml_frame_num_cols(g), 1);
    cr_assert_eq(lml_frame_column(g, 0), lml_frame_column(f, 0));
    lml_frame_free(g);
    lml_frame_free(f);
    lml_stage_free(m);
    lml_stage_free(p);
    cr_assert_eq(lml_pipeline_num_stages(NULL), 0);
}

Test(pipeline, model_from_fitted_stages_transforms_as_its_parts)
{
    lml_error err = {0};
    lml_frame *f = frame_x();
    lml_stage *e1 = centerer("x", "a"), *e2 = centerer("a", "b");
    lml_stage *m1 = lml_fit(e1, f, &err);
    lml_frame *step = lml_transform(m1, f, &err);
    lml_stage *m2 = lml_fit(e2, step, &err);
    cr_assert(m1 && step && m2, "%s", err.message);
    lml_stage *m = lml_pipeline_model_new((lml_stage *[]){m1, m2, NULL}, &err);
    cr_assert_not_null(m, "%s", err.message);
    cr_assert_str_eq(lml_stage_name(m), "PipelineModel");
    cr_assert_eq(lml_pipeline_num_stages(m), 2);
    lml_frame *out = lml_transform(m, f, &err);
    cr_assert_not_null(out, "%s", err.message);
    const double *a = lml_column_doubles(lml_frame_column_by_name(out, "a", NULL));
    const double *b = lml_column_doubles(lml_frame_column_by_name(out, "b", NULL));
    cr_assert_eq(a[0], -4.0);
    cr_assert_eq(b[3], 6.0);
    lml_frame_free(out);

    /* An estimator is not a fitted stage (both stages are freed with the refused model). */
    char want[256];
    snprintf(want, sizeof want, "PipelineModel: stage 1 (%s) is an estimator, not a fitted pipeline stage",
             lml_stage_uid(e2));
    cr_assert_null(lml_pipeline_model_new((lml_stage *[]){lml_stage_copy(m1, NULL), e2, NULL}, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_str_eq(err.message, want);
    lml_stage_free(m);
    lml_stage_free(e1);
    lml_frame_free(step);
    lml_frame_free(f);
}

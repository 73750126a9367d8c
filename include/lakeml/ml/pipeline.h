/* lakeml — Pipeline and PipelineModel (Spark's org.apache.spark.ml.Pipeline). */
#ifndef LAKEML_ML_PIPELINE_H
#define LAKEML_ML_PIPELINE_H

#include "stage.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pipeline of the given stages (a NULL-terminated array). The pipeline takes ownership of the
 * stages, also on failure. Stage uids must be distinct (LML_EINVAL naming the duplicate).
 * lml_fit fits each estimator on the output of the stages before it, transforming the frame only
 * up to the last estimator (Spark's rule), and returns a PipelineModel with the pipeline's uid. */
LML_API lml_stage *lml_pipeline_new(lml_stage *const *stages, lml_error *err);
/* A PipelineModel of already fitted stages (transformers and models, a NULL-terminated array),
 * as PySpark's PipelineModel(stages): for assembling a model from parts fitted separately, e.g.
 * to save or score them as one. Takes ownership of the stages, also on failure. Errors as
 * lml_pipeline_new, and LML_EINVAL for an estimator among the stages. */
LML_API lml_stage *lml_pipeline_model_new(lml_stage *const *stages, lml_error *err);

/* The stages of a Pipeline or PipelineModel; NULL (LML_ETYPE) for another stage. */
LML_API size_t lml_pipeline_num_stages(const lml_stage *pipeline);
LML_API const lml_stage *lml_pipeline_stage(const lml_stage *pipeline, size_t i);

/* A copy of a Pipeline with the same uid whose stages are copied too (nested pipelines
 * recursively), so params set on its stages do not reach the original (lml_stage_copy shares
 * the stage list). Any other stage is copied with lml_stage_copy. NULL on out of memory. */
LML_API lml_stage *lml_pipeline_copy_deep(const lml_stage *s, lml_error *err);
/* The stage (the root itself, or a stage nested in a Pipeline, recursively) whose uid is `uid`,
 * writable; NULL when there is none. Only meant for a copy made by lml_pipeline_copy_deep. */
LML_API lml_stage *lml_pipeline_find_uid(lml_stage *root, const char *uid);

#ifdef __cplusplus
}
#endif
#endif

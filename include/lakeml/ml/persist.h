/* lakeml — saving and loading stages in Spark ML's on-disk format (Spark 3.5's
 * `model.write().save(path)` / `Model.load(path)`): a directory with metadata/part-00000 (one
 * line of JSON: class, timestamp, sparkVersion, uid, paramMap, defaultParamMap and model extras)
 * and, for models, data/ Parquet files whose Vector and Matrix columns carry Spark's UDTs, so
 * that Spark loads what lakeml saves and lakeml loads what Spark saved. */
#ifndef LAKEML_ML_PERSIST_H
#define LAKEML_ML_PERSIST_H

#include "stage.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lml_save_mode {
    LML_SAVE_ERROR_IF_EXISTS = 0, /* refuse an existing path (Spark's default save) */
    LML_SAVE_OVERWRITE            /* replace it (Spark's write().overwrite()) */
} lml_save_mode;

/* Saves stage s (estimator, transformer, model, evaluator, Pipeline or PipelineModel,
 * CrossValidator / TrainValidationSplit or their models, nested stages included) as the directory
 * `path`, in Spark 3.5's layout with sparkVersion "3.5.1". A validator's param grid is written as
 * Spark's estimatorParamMaps; every stage it names must be the evaluator or inside the estimator
 * (else LML_EINVAL, as Spark's writer). A validator model's sub-models (subModels/) are saved
 * exactly when the fit collected them (collectSubModels), which is Spark's persistSubModels
 * default; avgMetrics / validationMetrics, and for a CrossValidatorModel stdMetrics (which Spark's
 * Scala reader ignores), go into the metadata.
 * The directory is built beside `path` under a temporary name and renamed into place, so a
 * crash never leaves a half-written model at `path`; with LML_SAVE_OVERWRITE an existing
 * `path` is swapped out atomically and then deleted. Errors: LML_EINVAL "path already exists"
 * (mode LML_SAVE_ERROR_IF_EXISTS) or for a NULL argument; LML_EUNSUPPORTED for a stage class
 * lakeml cannot save yet; LML_EIO naming the file and the system's reason; LML_ENOMEM. */
LML_API bool lml_save(const lml_stage *s, const char *path, lml_save_mode mode, lml_error *err);

/* Loads the stage saved at `path` by lml_save or by Spark (2.x–4.x layouts: the first
 * non-hidden file of metadata/, defaultParamMap absent before 2.4, the old per-model data
 * layouts of spec §8; validators in Spark's Scala layout and in PySpark's pure-Python one, whose
 * grid values must be numbers, strings or booleans: a stage-valued grid entry is
 * LML_EUNSUPPORTED). The best param map index of a loaded validator model is recomputed from its
 * metrics and evaluator, as the fit chose it. Returns a new stage owned by the caller (free with
 * lml_stage_free).
 * Errors name the file and the field: LML_ENOTFOUND (missing metadata/ or data/), LML_EFORMAT
 * (truncated or invalid JSON, a missing or mistyped key, a param value of the wrong type, a
 * data table with the wrong columns), LML_EUNSUPPORTED (a class lakeml does not have, naming
 * it), LML_EINVAL (a param the class does not have, or a value outside its range), LML_EIO. */
LML_API lml_stage *lml_load(const char *path, lml_error *err);

#ifdef __cplusplus
}
#endif
#endif

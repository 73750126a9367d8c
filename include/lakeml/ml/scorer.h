/* lakeml — embedded scoring: a fitted PipelineModel compiled into a flat, immutable program that
 * scores one row at a time without allocating, locking or logging, and the same program written
 * out as dependency-free C99 source.
 *
 * A row is an array of lml_value, one per raw input column in the scorer's order
 * (lml_scorer_input_name). The outputs are doubles: out[0] is the prediction; a classifier with K
 * classes follows it with its K probabilities (out[1 .. K]) and its K raw predictions
 * (out[K+1 .. 2K]), exactly the values lml_transform puts in the probability and rawPrediction
 * columns. Every output is bit-identical to what lml_transform of the same model gives for that
 * row: the scorer performs the library's floating-point operations in the library's order. */
#ifndef LAKEML_ML_SCORER_H
#define LAKEML_ML_SCORER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "../error.h"
#include "../frame.h"
#include "stage.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lml_scorer lml_scorer;

/* lml_scorer_predict's result when the row would be dropped by a stage with
 * handleInvalid=skip (StringIndexer or VectorAssembler): out is left unspecified. It lies outside
 * the lml_errcode values. */
#define LML_SCORER_SKIPPED 100

/* Compiles a fitted model for row scoring: a PipelineModel (nested ones flattened), a single
 * model, or a CrossValidatorModel / TrainValidationSplitModel (their best model). Supported
 * stages: StringIndexerModel (single or multi column), OneHotEncoderModel, VectorAssembler,
 * ImputerModel, StandardScalerModel, then one predictor — LogisticRegressionModel,
 * LinearRegressionModel, DecisionTree/RandomForest/GBT Classification/Regression models — and
 * optionally IndexToString stages after it (see lml_scorer_label). Stages whose outputs the
 * predictor does not need (such as a StringIndexer of the label column) are left out, as Spark
 * skips a StringIndexer whose input column is absent. Any other stage class is LML_EUNSUPPORTED
 * naming it; a pipeline without a predictor is LML_EUNSUPPORTED too. When the predictor's features
 * column is not made by the pipeline (a single model), its d slots become d numeric inputs named
 * "features[0]" … (a null element counts as NaN). The model is retained
 * (shared, not copied) for lml_scorer_explain. Free with lml_scorer_free. */
LML_API lml_scorer *lml_scorer_new(const lml_stage *model, lml_error *err);
/* Releases the scorer (NULL is a no-op). */
LML_API void lml_scorer_free(lml_scorer *s);

/* The raw input columns a row must hold, in row order: their count, names (borrowed, valid for
 * the scorer's life) and kinds. A string input (the input of a StringIndexer) takes an LML_STRING
 * value, or a number that is converted to the string Spark's cast gives ("1", "2.5", "true"); a
 * numeric input takes LML_DOUBLE, LML_FLOAT, LML_INT32, LML_INT64 or LML_BOOL. */
LML_API size_t lml_scorer_num_inputs(const lml_scorer *s);
LML_API const char *lml_scorer_input_name(const lml_scorer *s, size_t i);
LML_API bool lml_scorer_input_is_string(const lml_scorer *s, size_t i);

/* The outputs one row gives: 1 for a regressor, 1 + 2K for a classifier of K classes. Names are
 * "prediction", "probability[k]" and "rawPrediction[k]" (k from 0); NULL past the end. */
LML_API size_t lml_scorer_num_outputs(const lml_scorer *s);
LML_API const char *lml_scorer_output_name(const lml_scorer *s, size_t i);
/* Classes of a classifier (0 for a regressor). */
LML_API size_t lml_scorer_num_classes(const lml_scorer *s);

/* The label an IndexToString stage after the predictor (on its prediction column, with the labels
 * param set, as the library's transform requires) gives for a prediction: borrowed, or NULL when
 * the pipeline has no such stage or the prediction is not a valid index. */
LML_API const char *lml_scorer_label(const lml_scorer *s, double prediction);

/* Bytes of scratch memory one concurrent call of lml_scorer_predict needs (at least 1). Any
 * alignment suitable for double is fine (malloc's is). */
LML_API size_t lml_scorer_workspace_size(const lml_scorer *s);

/* Scores one row: row[i] is the value of input i. Writes lml_scorer_num_outputs doubles to out
 * and returns LML_OK, or returns without a usable out:
 *   LML_ETYPE   a value of the wrong type (a string for a numeric input, a vector, a date …);
 *   LML_EINVAL  a value the pipeline rejects: an unseen or null label under handleInvalid=error, a
 *               null or NaN reaching a VectorAssembler with handleInvalid=error, an out-of-range
 *               category in a OneHotEncoder, non-finite features reaching a tree model, null
 *               features reaching a linear model;
 *   LML_SCORER_SKIPPED  a stage with handleInvalid=skip would drop the row.
 * lml_scorer_explain gives the message. Never allocates, locks or logs; the scorer is immutable,
 * so any number of threads may score at once, each with its own workspace. */
LML_API int lml_scorer_predict(const lml_scorer *s, const lml_value *row, double *out, void *workspace);

/* Scores every row of df (input columns found by the scorer's input names; extra columns ignored)
 * into out, n × lml_scorer_num_outputs doubles row-major, in parallel over row blocks; the result
 * of each row is bit-identical to lml_scorer_predict (and so to lml_transform). codes (n ints, may
 * be NULL) receives each row's result code (LML_OK, LML_EINVAL, LML_ETYPE, LML_SCORER_SKIPPED);
 * with codes NULL the first rejected row stops the call with err as lml_scorer_explain sets it.
 * Errors: a missing input column (LML_ENOTFOUND naming it), a column of a type the input cannot take (LML_ETYPE). */
LML_API bool lml_scorer_predict_frame(const lml_scorer *s, const lml_frame *df, double *out, int *codes, lml_error *err);

/* The slow path for a rejected row: true when the row scores; else false with err set as
 * lml_transform of the model on a one-row frame of these values sets it (the stage uid, the
 * column and the value), or, for a row a skip stage drops, LML_EINVAL naming that stage. Allocates. */
LML_API bool lml_scorer_explain(const lml_scorer *s, const lml_value *row, lml_error *err);

/* Writes the scorer as one dependency-free C99 source file (only <math.h>, <string.h>,
 * <stddef.h>, <stdint.h>): the program's tables as static const arrays and a small interpreter
 * behind one entry point, `int PREFIX_predict(const PREFIX_input *row, double *out)`, where
 * PREFIX_input has one member per input (const char * for strings, NULL for null; double for
 * numbers, NaN for null). `prefix` must be a C identifier (NULL: "lml_model"); `model_name` goes
 * into the file's top comment (may be NULL). Constants are printed as hex floats, so the generated
 * code computes the same bits as lml_scorer_predict (with the same libm, without -ffast-math).
 * LML_EINVAL for a bad prefix, LML_EIO when writing fails. */
LML_API bool lml_scorer_export_c(const lml_scorer *s, const char *prefix, const char *model_name, FILE *out,
                                 lml_error *err);
/* lml_scorer_export_c into the file `path`, written beside it under a temporary name, fsync'd and
 * renamed into place, so `path` is either untouched or complete. LML_EIO names the path. */
LML_API bool lml_scorer_export_c_file(const lml_scorer *s, const char *prefix, const char *model_name,
                                      const char *path, lml_error *err);

#ifdef __cplusplus
}
#endif
#endif

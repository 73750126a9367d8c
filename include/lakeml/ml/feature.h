/* lakeml — feature transformers with Spark ML's names, params and output metadata:
 * StringIndexer, IndexToString, OneHotEncoder, VectorAssembler, StandardScaler, Imputer.
 *
 * Each constructor returns a stage with Spark's defaults (NULL only when out of memory); the
 * column arguments are a shortcut for setting inputCol/outputCol (or inputCols/outputCols) and
 * every one of them can also be set through the param map (lml_set_string …). A NULL output
 * column leaves Spark's default "<uid>__output". Free stages with lml_stage_free. */
#ifndef LAKEML_ML_FEATURE_H
#define LAKEML_ML_FEATURE_H

#include <stddef.h>
#include "stage.h"

#ifdef __cplusplus
extern "C" {
#endif

/* StringIndexer (estimator): params inputCol/outputCol or inputCols/outputCols, handleInvalid
 * (error|skip|keep, default error), stringOrderType (frequencyDesc|frequencyAsc|alphabetDesc|
 * alphabetAsc, default frequencyDesc). Its model maps each value (numbers cast to strings as
 * Spark does: 3 → "3", 3.0 → "3.0") to the label's index as a double column carrying nominal
 * metadata. `inputs`/`outputs` are NULL-terminated lists of the same length. */
LML_API lml_stage *lml_string_indexer_new(const char *input, const char *output);
LML_API lml_stage *lml_string_indexer_new2(const char *const *inputs, const char *const *outputs);
/* The labels a StringIndexerModel learned for input column i (0 for the single-column form),
 * in index order; *n receives their number. Borrowed from the model. NULL with LML_ETYPE when
 * `model` is not a StringIndexerModel, LML_ERANGE when i is out of range. */
LML_API const char *const *lml_string_indexer_model_labels(const lml_stage *model, size_t i, size_t *n,
                                                           lml_error *err);
/* Number of input columns of a StringIndexerModel (Spark's labelsArray length); 0 on error. */
LML_API size_t lml_string_indexer_model_num_columns(const lml_stage *model, lml_error *err);

/* IndexToString (transformer): inputCol, outputCol, labels (string list; when empty the labels
 * come from the input column's nominal metadata). Writes the label of each index as a string. */
LML_API lml_stage *lml_index_to_string_new(const char *input, const char *output);

/* OneHotEncoder (estimator): inputCol(s)/outputCol(s), dropLast (default true), handleInvalid
 * (error|keep, default error). The model writes sparse vector columns whose sizes follow
 * Spark's table (C − 1 with dropLast, C without, one more with keep). */
LML_API lml_stage *lml_one_hot_encoder_new(const char *input, const char *output);
LML_API lml_stage *lml_one_hot_encoder_new2(const char *const *inputs, const char *const *outputs);
/* A OneHotEncoderModel's categorySizes (the plain category count C per input column), borrowed;
 * *n receives the number of columns. NULL with LML_ETYPE for another stage. */
LML_API const int64_t *lml_one_hot_encoder_model_category_sizes(const lml_stage *model, size_t *n,
                                                               lml_error *err);

/* VectorAssembler (transformer): inputCols (numeric, boolean and vector columns), outputCol,
 * handleInvalid (error|skip|keep, default error). A vector column here is all dense or all
 * CSR: the output is CSR when Spark would store any row sparse (1.5·(nnz+1) < size), dense
 * otherwise; the values are identical, only Spark's per-row choice of representation is not
 * kept. Output metadata names every slot (SexVec_male, Age …). A vector column always knows its
 * size, so keep fills a null vector with that many NaNs even without size metadata (Spark
 * would need the metadata). Errors name the stage, the column and the row. */
LML_API lml_stage *lml_vector_assembler_new(const char *const *inputs, const char *output);

/* StandardScaler (estimator): inputCol, outputCol (vector columns), withMean (default false),
 * withStd (default true, sample standard deviation; a feature with std 0 scales to 0). */
LML_API lml_stage *lml_standard_scaler_new(const char *input, const char *output);
/* A StandardScalerModel's per-feature mean / std, borrowed; *n receives the vector size. */
LML_API const double *lml_standard_scaler_model_mean(const lml_stage *model, size_t *n, lml_error *err);
LML_API const double *lml_standard_scaler_model_std(const lml_stage *model, size_t *n, lml_error *err);

/* Imputer (estimator): inputCol(s)/outputCol(s) (numeric columns), strategy (mean|median|mode,
 * default mean), missingValue (default NaN; null and NaN are always missing), relativeError
 * (default 0.001). Integer columns are written back as integers (Spark casts the surrogate). */
LML_API lml_stage *lml_imputer_new(const char *input, const char *output);
LML_API lml_stage *lml_imputer_new2(const char *const *inputs, const char *const *outputs);
/* An ImputerModel's surrogate per input column, borrowed; *n receives the count. */
LML_API const double *lml_imputer_model_surrogates(const lml_stage *model, size_t *n, lml_error *err);

#ifdef __cplusplus
}
#endif
#endif

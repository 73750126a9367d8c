/* Helpers shared by the three evaluators (never installed): reading label, prediction and weight
 * columns into plain double arrays with Spark's type rules and errors that name the stage, the
 * column and the row. */
#ifndef LML_ML_EVALUATION_INTERNAL_H
#define LML_ML_EVALUATION_INTERNAL_H

#include "lakeml/ml/evaluation.h"
#include "ml/stage_internal.h"

/* Which column types a reader accepts. Spark checks labelCol with checkNumericType (int, long,
 * double …) but predictionCol with checkColumnType(DoubleType). */
typedef enum lml_eval_coltype {
    LML_EVAL_NUMERIC = 0, /* int32, int64, double */
    LML_EVAL_DOUBLE       /* double only */
} lml_eval_coltype;

/* The named column converted to a malloc'd array of doubles (length = rows of df). A missing
 * column, a column of another type or a null cell is an error "<who>: column '<col>' …" (with the
 * row for a null). `who` is the stage uid (or the public function's name). */
double *lml_eval_read_column(const lml_frame *df, const char *col, lml_eval_coltype type, const char *who,
                             lml_error *err);

/* The weights: all ones when weight_col is NULL or empty (Spark's lit(1.0)), else the numeric
 * column, each weight checked to be >= 0, not NaN and not infinite (Spark's
 * checkNonNegativeWeights). */
double *lml_eval_read_weights(const lml_frame *df, const char *weight_col, const char *who, lml_error *err);

/* Fails with LML_EINVAL when df has no rows (every metric would be 0/0). */
bool lml_eval_check_nonempty(const lml_frame *df, const char *who, lml_error *err);

/* The metricName check: v must be one of the n names; the error lists them all. */
bool lml_eval_check_one_of(const lml_param_value *v, const char *const *names, size_t n, lml_error *err);

/* Element `idx` of vector row i (dense or CSR). The caller has checked idx < vector size. */
double lml_eval_vector_at(const lml_column *col, size_t i, size_t idx);

#endif

/* lakeml — column functions of pyspark.ml.functions: vector_to_array, array_to_vector, and the
 * VectorUDT struct a Parquet or Delta file stores a vector as, turned back into a vector column. */
#ifndef LAKEML_ML_FUNCTIONS_H
#define LAKEML_ML_FUNCTIONS_H

#include <stdbool.h>
#include "../error.h"
#include "../frame.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Spark's vector_to_array(col) (dtype "float64"): a new array<double> column holding each
 * vector's elements densely (a sparse vector's missing elements as 0.0), row for row. The vector
 * column is borrowed. Errors: LML_ETYPE for a column that is not a vector, LML_ERANGE when the
 * elements outgrow an array column's int32 offsets, LML_ENOMEM. */
LML_API lml_column *lml_vector_to_array(const lml_column *vec, lml_error *err);

/* Spark's array_to_vector(col): a new dense vector column from an array of double, float, int or
 * long (widened to double). Every row must be a non-null array without null elements, and all of
 * one length (a lakeml vector column has one size). Errors: LML_ETYPE for another column type,
 * LML_EINVAL naming the first null row, null element or row whose length differs, LML_ENOMEM. */
LML_API lml_column *lml_array_to_vector(const lml_column *arr, lml_error *err);

/* True when col is Spark ML's VectorUDT storage struct {type byte, size int, indices
 * array<int>, values array<double>} (how a Parquet reader returns a vector column). */
LML_API bool lml_is_vector_struct(const lml_column *col);

/* VectorUDT's deserialize: a new vector column from that struct (type 1 = dense: the values;
 * type 0 = sparse: size, indices, values), sparse when any row is sparse. Errors: LML_ETYPE when
 * lml_is_vector_struct is false; LML_EINVAL naming the row for a null row (vector columns hold no
 * nulls), a size that differs from the first row's, an unknown type byte, an index out of range
 * or not increasing, or indices and values of different lengths; LML_ENOMEM. */
LML_API lml_column *lml_vector_from_struct(const lml_column *udt, lml_error *err);

#ifdef __cplusplus
}
#endif
#endif

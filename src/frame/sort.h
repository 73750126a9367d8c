/* Spark SQL's ascending row order (internal): numbers numerically with -0.0 == 0.0 and NaN above
 * everything, strings by unsigned bytes, false < true, nulls first, and ML vectors compared as
 * Spark's VectorUDT struct (type byte 0 sparse < 1 dense, size, indices, values; arrays element
 * by element, then shorter first). Used by randomSplit, describe's min/max and distinct. */
#ifndef LML_FRAME_SORT_H
#define LML_FRAME_SORT_H

#include "frame/internal.h"

/* Spark's double comparison: -1, 0 or 1, with -0.0 == 0.0, NaN == NaN and NaN greatest. */
int lml_compare_doubles(double a, double b);
/* Rows i and j of one column in that order (a null sorts before every value). */
int lml_column_compare(const lml_column *col, size_t i, size_t j);
/* True when rows i and j hold equal values under that order (two nulls are equal). */
static inline bool lml_column_equal(const lml_column *col, size_t i, size_t j)
{
    return lml_column_compare(col, i, j) == 0;
}
/* Writes to perm[0..nrows) the row numbers of f sorted ascending by every column, in column
 * order; rows that compare equal keep their input order (stable). */
bool lml_frame_sort_order(const lml_frame *f, size_t *perm, lml_error *err);

#endif

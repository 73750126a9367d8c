/* Spark's Dataset.randomSplit on single-partition data, row for row.
 *
 * Spark sorts each partition by every orderable column (so that re-evaluating a split sees the
 * rows in the same order), normalises the weights into cumulative bounds c_0 = 0, c_k =
 * c_{k-1} + w_{k-1}/Σw (Scala's scanLeft, in floating point), and for split k keeps the rows
 * whose draw x from XORShiftRandom(seed + partition) satisfies c_k ≤ x < c_{k+1}; every split
 * replays the same generator, one nextDouble per row in sorted order. A split with c_{k+1} −
 * c_k ≤ 0 draws nothing and is empty (BernoulliCellSampler). A draw at or above the last bound
 * (possible when rounding leaves it below 1.0) lands in no split, exactly as in Spark. */
#include <math.h>
#include <stdlib.h>
#include "core/internal.h"
#include "frame/internal.h"
#include "frame/sort.h"
#include "frame/xorshift.h"

bool lml_frame_random_split(const lml_frame *f, const double *weights, size_t k, uint64_t seed, lml_frame **out,
                            lml_error *err)
{
    if (!f || !weights || !out || k == 0)
        return lml_error_set(err, LML_EINVAL, "random_split needs a frame, at least one weight and an output array");
    double sum = 0;
    for (size_t j = 0; j < k; j++) {
        if (!(weights[j] >= 0))
            return lml_error_set(err, LML_EINVAL, "random_split: weight %zu is %g; weights must be >= 0", j,
                                 weights[j]);
        sum += weights[j];
    }
    if (!(sum > 0))
        return lml_error_set(err, LML_EINVAL, "random_split: the weights sum to %g; the sum must be positive", sum);
    for (size_t j = 0; j < k; j++)
        out[j] = NULL;
    size_t n = f->nrows;
    double *bounds = malloc((k + 1) * sizeof *bounds);
    size_t *perm = malloc((n + 1) * sizeof *perm), *rows = malloc((n + 1) * sizeof *rows);
    double *draws = malloc((n + 1) * sizeof *draws);
    bool ok = false;
    if (!bounds || !perm || !rows || !draws) {
        lml_error_set(err, LML_ENOMEM, "out of memory splitting %zu rows", n);
        goto done;
    }
    bounds[0] = 0.0;
    for (size_t j = 0; j < k; j++)
        bounds[j + 1] = bounds[j] + weights[j] / sum;
    if (!lml_frame_sort_order(f, perm, err))
        goto done;
    lml_xorshift rng;
    lml_xorshift_init(&rng, (int64_t)seed); /* partition 0: seed + 0 */
    for (size_t i = 0; i < n; i++)
        draws[i] = lml_xorshift_next_double(&rng);
    for (size_t j = 0; j < k; j++) {
        double lb = bounds[j], ub = bounds[j + 1];
        size_t m = 0;
        if (ub - lb > 0)
            for (size_t i = 0; i < n; i++)
                if (draws[i] >= lb && draws[i] < ub)
                    rows[m++] = perm[i];
        if (!(out[j] = lml_frame_take(f, rows, m, err)))
            goto done;
    }
    ok = true;
done:
    if (!ok)
        for (size_t j = 0; j < k; j++) {
            lml_frame_free(out[j]);
            out[j] = NULL;
        }
    free(bounds);
    free(perm);
    free(rows);
    free(draws);
    return ok;
}

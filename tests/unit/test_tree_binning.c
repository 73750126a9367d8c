/* Continuous split candidates and the binned matrix of the tree learner (spec §9.3). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include "ml/tree/tree_internal.h"

Test(tree_binning, few_distinct_values_give_every_midpoint)
{
    /* Distinct values 1, 2, 4 (and 2 twice): midpoints 1.5 and 3. */
    double v[] = {4, 2, 1, 2}, w[] = {1, 1, 1, 1}, out[31];
    long ns = lml_tree_find_splits(v, w, 4, 4.0, 31, out);
    cr_assert_eq(ns, 2);
    cr_assert_eq(out[0], 1.5);
    cr_assert_eq(out[1], 3.0);
}

Test(tree_binning, zeros_are_added_back_from_the_expected_weight)
{
    /* Non-zeros 1 and 3 weigh 2; expected total 5 puts weight 3 on 0: thresholds 0.5 and 2. */
    double v[] = {1, 3}, w[] = {1, 1}, out[4];
    long ns = lml_tree_find_splits(v, w, 2, 5.0, 4, out);
    cr_assert_eq(ns, 2);
    cr_assert_eq(out[0], 0.5);
    cr_assert_eq(out[1], 2.0);
}

Test(tree_binning, many_values_use_the_weighted_stride_rule)
{
    /* 10 values 1..10 of weight 1, 3 splits: stride 2.5. cum after v_i = i+1 (0-based):
     * i=1 prev 1 cum 2 (|1-2.5|=1.5 vs .5) no; i=2 prev 2 cum 3: .5 < .5? no; i=3 prev 3 cum 4:
     * .5 < 1.5 yes → 3.5, target 5; i=5 prev 5 cum 6: 0 < 1 → 5.5, target 7.5; i=7 prev 7 cum 8:
     * .5 < .5 no; i=8 prev 8 cum 9: .5 < 1.5 → 8.5. */
    double v[10], w[10], out[3];
    for (int i = 0; i < 10; i++)
        v[i] = 10 - i, w[i] = 1;
    long ns = lml_tree_find_splits(v, w, 10, 10.0, 3, out);
    cr_assert_eq(ns, 3);
    cr_assert_eq(out[0], 3.5);
    cr_assert_eq(out[1], 5.5);
    cr_assert_eq(out[2], 8.5);
}

Test(tree_binning, constant_feature_has_no_split)
{
    double v[] = {7, 7, 7}, w[] = {1, 1, 1}, out[2];
    cr_assert_eq(lml_tree_find_splits(v, w, 3, 3.0, 2, out), 0);
}

Test(tree_binning, binned_matrix_is_column_major_with_left_inclusive_bins)
{
    /* Feature 0: 1, 2, 3 → thresholds 1.5, 2.5; feature 1 constant. */
    double X[] = {1, 5, 2, 5, 3, 5, 2, 5};
    lml_tree_data dt = {.n = 4, .d = 2, .X = X};
    lml_tree_bins b;
    lml_error err = {0};
    cr_assert(lml_tree_bins_build(&dt, 32, NULL, 1, &b, &err), "%s", err.message);
    cr_assert_eq(b.nsplits[0], 2);
    cr_assert_eq(b.thresholds[0][0], 1.5);
    cr_assert_eq(b.thresholds[0][1], 2.5);
    cr_assert_eq(b.nsplits[1], 0);
    cr_assert(b.b8 != NULL);
    unsigned want[] = {0, 1, 2, 1};
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(lml_tree_bin(&b, i, 0), want[i], "row %zu", i);
        cr_assert_eq(lml_tree_bin(&b, i, 1), 0);
        cr_assert_eq(b.b8[i * 2 + 0], want[i]); /* row-major: row i, feature 0 */
    }
    lml_tree_bins_clear(&b);
}

Test(tree_binning, max_bins_caps_the_splits_by_row_count)
{
    /* maxBinsEff = min(maxBins, numRows) = 3 → at most 2 splits from 3 distinct values... and
     * with 2 bins (maxBins 2) a single split at the weighted median. */
    double X[] = {1, 2, 3, 4};
    lml_tree_data dt = {.n = 4, .d = 1, .X = X};
    lml_tree_bins b;
    lml_error err = {0};
    cr_assert(lml_tree_bins_build(&dt, 2, NULL, 1, &b, &err), "%s", err.message);
    /* stride 2: i=1 prev 1 cum 2: 1 < 0 no; i=2 prev 2 cum 3: 0 < 1 → 2.5. */
    cr_assert_eq(b.nsplits[0], 1);
    cr_assert_eq(b.thresholds[0][0], 2.5);
    lml_tree_bins_clear(&b);
}

Test(tree_binning, large_input_is_sampled_deterministically)
{
    /* 40,000 rows > max(32², 10000): candidates come from a ~25% sample; still ≤ 31 ascending
     * thresholds strictly inside the data range, identical for the same seed. */
    size_t n = 40000;
    double *X = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++)
        X[i] = (double)((i * 7919) % 1000);
    lml_tree_data dt = {.n = n, .d = 1, .X = X};
    lml_tree_bins a, b;
    lml_error err = {0};
    cr_assert(lml_tree_bins_build(&dt, 32, NULL, 42, &a, &err), "%s", err.message);
    cr_assert(lml_tree_bins_build(&dt, 32, NULL, 42, &b, &err), "%s", err.message);
    cr_assert(a.nsplits[0] >= 25 && a.nsplits[0] <= 31, "%zu splits", a.nsplits[0]);
    cr_assert_eq(a.nsplits[0], b.nsplits[0]);
    for (size_t s = 0; s < a.nsplits[0]; s++) {
        cr_assert_eq(a.thresholds[0][s], b.thresholds[0][s]);
        cr_assert(a.thresholds[0][s] > 0 && a.thresholds[0][s] < 999);
        if (s)
            cr_assert(a.thresholds[0][s] > a.thresholds[0][s - 1]);
    }
    /* Equal-frequency bins of a uniform 0..999 column: the middle threshold near 500. */
    cr_assert(fabs(a.thresholds[0][a.nsplits[0] / 2] - 500) < 60, "%g", a.thresholds[0][a.nsplits[0] / 2]);
    lml_tree_bins_clear(&a);
    lml_tree_bins_clear(&b);
    free(X);
}

/* DecisionTreeClassifier / DecisionTreeRegressor (spec §9) on cases worked out by hand. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/ml/tree.h"
#include "lakeml/threads.h"

static lml_frame *make_frame(const double *X, size_t n, size_t d, const double *y)
{
    lml_error err = {0};
    const char *names[] = {"features", "label"};
    lml_column *cols[2] = {lml_column_vector_from_dense(X, n, d, &err), lml_column_from_doubles(y, NULL, n, &err)};
    cr_assert(cols[0] && cols[1], "%s", err.message);
    lml_frame *f = lml_frame_new(2, names, cols, &err);
    cr_assert(f, "%s", err.message);
    lml_column_free(cols[0]);
    lml_column_free(cols[1]);
    return f;
}

static lml_stage *fit(lml_stage *est, const lml_frame *df)
{
    lml_error err = {0};
    lml_stage *m = lml_fit(est, df, &err);
    cr_assert(m, "%s", err.message);
    lml_stage_free(est);
    return m;
}

/* x = 1..6, y = 0 0 0 1 1 0. Parent gini 1 − (4/6)² − (2/6)² = 4/9; at 3.5 the left child is pure
 * and the right {1,1,0} has gini 4/9, gain 4/9 − ½·4/9 = 2/9 (2.5 gives 1/9, 5.5 and 1.5 give
 * 2/45, 4.5 gives 1/36). Entropy: parent H(1/3) = 0.9182958340544896, gain at 3.5 = H(1/3)/2. */
static const double CX[] = {1, 2, 3, 4, 5, 6}, CY[] = {0, 0, 0, 1, 1, 0};

static void check_stump(const char *impurity, double want_gain)
{
    lml_error err = {0};
    lml_frame *df = make_frame(CX, 6, 1, CY);
    lml_stage *est = lml_decision_tree_classifier_new();
    cr_assert(lml_set_int(est, "maxDepth", 1, &err), "%s", err.message);
    cr_assert(lml_set_string(est, "impurity", impurity, &err), "%s", err.message);
    lml_stage *m = fit(est, df);
    cr_assert_eq(lml_decision_tree_num_nodes(m, &err), 3);
    cr_assert_eq(lml_decision_tree_depth(m, &err), 1);
    cr_assert_eq(lml_decision_tree_num_classes(m, &err), 2);
    lml_tree_node_info root, l, r;
    cr_assert(lml_decision_tree_node(m, 0, &root, &err) && lml_decision_tree_node(m, 1, &l, &err) &&
              lml_decision_tree_node(m, 2, &r, &err));
    cr_assert(!root.leaf);
    cr_assert_eq(root.feature, 0);
    cr_assert_eq(root.threshold, 3.5);
    cr_assert_float_eq(root.gain, want_gain, 1e-12, "%s gain %.17g", impurity, root.gain);
    cr_assert_eq(root.weight, 6.0);
    cr_assert(l.leaf && r.leaf);
    cr_assert_eq(l.prediction, 0.0);
    cr_assert_eq(r.prediction, 1.0);
    cr_assert_eq(l.impurity, 0.0);
    lml_frame *out = lml_transform(m, df, &err);
    cr_assert(out, "%s", err.message);
    const lml_column *raw = lml_frame_column(out, (size_t)lml_frame_column_index(out, "rawPrediction"));
    const lml_column *prob = lml_frame_column(out, (size_t)lml_frame_column_index(out, "probability"));
    const lml_column *pred = lml_frame_column(out, (size_t)lml_frame_column_index(out, "prediction"));
    cr_assert_eq(lml_frame_column_index(out, "rawPrediction"), 2);
    cr_assert_eq(lml_frame_column_index(out, "prediction"), 4);
    const double *rv = lml_column_vector_dense(raw), *pv = lml_column_vector_dense(prob);
    /* row 0 → left leaf counts [3, 0]; row 5 → right leaf counts [1, 2]. */
    cr_assert_eq(rv[0], 3.0);
    cr_assert_eq(rv[1], 0.0);
    cr_assert_eq(rv[10], 1.0);
    cr_assert_eq(rv[11], 2.0);
    cr_assert_float_eq(pv[10], 1.0 / 3, 1e-15);
    cr_assert_float_eq(pv[11], 2.0 / 3, 1e-15);
    cr_assert_eq(lml_column_get_double(pred, 0), 0.0);
    cr_assert_eq(lml_column_get_double(pred, 5), 1.0);
    char *s = lml_decision_tree_debug_string(m, &err);
    char want[512];
    snprintf(want, sizeof want,
             "DecisionTreeClassificationModel: uid=%s, depth=1, numNodes=3, numClasses=2, numFeatures=1\n"
             "  If (feature 0 <= 3.5)\n   Predict: 0.0\n  Else (feature 0 > 3.5)\n   Predict: 1.0\n",
             lml_stage_uid(m));
    cr_assert_str_eq(s, want);
    free(s);
    lml_frame_free(out);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(decision_tree, gini_stump_threshold_gain_and_outputs_match_hand_values) { check_stump("gini", 2.0 / 9); }

Test(decision_tree, entropy_stump_gain_is_half_the_parent_entropy)
{
    check_stump("entropy", 0.9182958340544896 / 2);
}

/* y = 1 3 1 11 13 11, x0 = 1..6, x1 = 0 1 0 0 1 0. Root variance Σy²/6 − ȳ² = 422/6 − (40/6)² =
 * 25.888…; x0 at 3.5 leaves 8/9 on each side: gain 25 (x1 at 0.5 gains only 8/9). Each child
 * {a, a+2, a} splits on x1 at 0.5 with gain 8/9 (x0 gains 2/9). Importances: x0 25·6 = 150,
 * x1 2·(8/9)·3 = 16/3, normalised 150/155.33 and 5.33/155.33. */
static const double RX[] = {1, 0, 2, 1, 3, 0, 4, 0, 5, 1, 6, 0}, RY[] = {1, 3, 1, 11, 13, 11};

Test(decision_tree, variance_tree_splits_and_importances_match_hand_values)
{
    lml_error err = {0};
    lml_frame *df = make_frame(RX, 6, 2, RY);
    lml_stage *m = fit(lml_decision_tree_regressor_new(), df);
    cr_assert_eq(lml_decision_tree_num_nodes(m, &err), 7);
    cr_assert_eq(lml_decision_tree_depth(m, &err), 2);
    lml_tree_node_info nd;
    cr_assert(lml_decision_tree_node(m, 0, &nd, &err));
    cr_assert_eq(nd.feature, 0);
    cr_assert_eq(nd.threshold, 3.5);
    cr_assert_float_eq(nd.gain, 25.0, 1e-9);
    cr_assert(lml_decision_tree_node(m, 1, &nd, &err));
    cr_assert_eq(nd.feature, 1);
    cr_assert_eq(nd.threshold, 0.5);
    cr_assert_float_eq(nd.gain, 8.0 / 9, 1e-9);
    cr_assert(lml_decision_tree_node(m, 6, &nd, &err));
    cr_assert(nd.leaf);
    cr_assert_eq(nd.prediction, 13.0);
    size_t d;
    const double *imp = lml_decision_tree_feature_importances(m, &d, &err);
    cr_assert_eq(d, 2);
    cr_assert_float_eq(imp[0], 150.0 / (150.0 + 16.0 / 3), 1e-12);
    cr_assert_float_eq(imp[1], (16.0 / 3) / (150.0 + 16.0 / 3), 1e-12);
    cr_assert_float_eq(imp[0] + imp[1], 1.0, 1e-15);
    lml_frame *out = lml_transform(m, df, &err);
    cr_assert(out, "%s", err.message);
    const lml_column *pred = lml_frame_column(out, (size_t)lml_frame_column_index(out, "prediction"));
    for (size_t i = 0; i < 6; i++)
        cr_assert_eq(lml_column_get_double(pred, i), RY[i], "row %zu", i);
    cr_assert_eq(lml_frame_column_index(out, "probability"), -1);
    /* A depth-1 regressor: the root alone, gain 25, leaves at the child means 5/3 and 35/3. */
    lml_stage *est = lml_decision_tree_regressor_new();
    cr_assert(lml_set_int(est, "maxDepth", 1, &err));
    lml_stage *m1 = fit(est, df);
    cr_assert_eq(lml_decision_tree_num_nodes(m1, &err), 3);
    cr_assert(lml_decision_tree_node(m1, 2, &nd, &err));
    cr_assert_float_eq(nd.prediction, 35.0 / 3, 1e-12);
    lml_stage_free(m1);
    lml_frame_free(out);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(decision_tree, split_whose_children_predict_alike_is_pruned)
{
    /* y = 0 0 0 0 1 0: the best split (4.5, gain 1/9) leaves {1, 0} on the right, which predicts
     * 0 (first maximum) like the left: Spark prunes the root back to a single leaf. */
    lml_error err = {0};
    const double y[] = {0, 0, 0, 0, 1, 0};
    lml_frame *df = make_frame(CX, 6, 1, y);
    lml_stage *est = lml_decision_tree_classifier_new();
    cr_assert(lml_set_int(est, "maxDepth", 1, &err));
    lml_stage *m = fit(est, df);
    cr_assert_eq(lml_decision_tree_num_nodes(m, &err), 1);
    cr_assert_eq(lml_decision_tree_depth(m, &err), 0);
    size_t d;
    const double *imp = lml_decision_tree_feature_importances(m, &d, &err);
    cr_assert_eq(imp[0], 0.0);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(decision_tree, min_instances_per_node_rejects_small_children)
{
    /* With minInstancesPerNode 3 only the 3.5 split of CX/CY is allowed — still the best; with 4
     * no split is valid and the root is a leaf whose impurity is −1 (Spark's invalid stats). */
    lml_error err = {0};
    lml_frame *df = make_frame(CX, 6, 1, CY);
    lml_stage *est = lml_decision_tree_classifier_new();
    cr_assert(lml_set_int(est, "minInstancesPerNode", 4, &err));
    lml_stage *m = fit(est, df);
    lml_tree_node_info nd;
    cr_assert(lml_decision_tree_node(m, 0, &nd, &err));
    cr_assert(nd.leaf);
    cr_assert_eq(nd.impurity, -1.0);
    cr_assert_eq(nd.prediction, 0.0);
    lml_stage_free(m);
    lml_frame_free(df);
}

static void expect_fit_error(const lml_frame *df, lml_stage *est, lml_errcode code, const char *a, const char *b)
{
    lml_error err = {0};
    lml_stage *m = lml_fit(est, df, &err);
    cr_assert_null(m);
    cr_assert_eq(err.code, code, "%s", err.message);
    cr_assert(strstr(err.message, a), "%s", err.message);
    if (b)
        cr_assert(strstr(err.message, b), "%s", err.message);
    lml_stage_free(est);
}

Test(decision_tree, bad_inputs_name_the_column_row_or_param)
{
    lml_error err = {0};
    const double bad_y[] = {0, 0, -1, 1, 1, 0}, frac_y[] = {0, 0.5, 0, 1, 1, 0};
    lml_frame *df = make_frame(CX, 6, 1, bad_y);
    expect_fit_error(df, lml_decision_tree_classifier_new(), LML_EINVAL, "'label'", "row 2");
    lml_frame_free(df);
    df = make_frame(CX, 6, 1, frac_y);
    expect_fit_error(df, lml_decision_tree_classifier_new(), LML_EINVAL, "'label'", "row 1");
    lml_frame_free(df);
    const double nanx[] = {1, 2, 3, NAN, 5, 6};
    df = make_frame(nanx, 6, 1, CY);
    expect_fit_error(df, lml_decision_tree_regressor_new(), LML_EINVAL, "'features'", "row 3");
    lml_frame_free(df);
    df = make_frame(CX, 0, 1, CY);
    expect_fit_error(df, lml_decision_tree_classifier_new(), LML_EINVAL, "empty", NULL);
    lml_frame_free(df);
    lml_stage *est = lml_decision_tree_classifier_new();
    cr_assert_not(lml_set_int(est, "maxBins", 1, &err));
    cr_assert(strstr(err.message, "maxBins"), "%s", err.message);
    cr_assert_not(lml_set_string(est, "impurity", "variance", &err));
    lml_stage_free(est);
}

Test(decision_tree, classification_labels_outside_metadata_classes_are_rejected)
{
    lml_error err = {0};
    lml_frame *df0 = make_frame(CX, 6, 1, CY);
    lml_frame *df = lml_frame_with_metadata(
        df0, "label", "{\"ml_attr\":{\"type\":\"nominal\",\"num_vals\":1}}", &err);
    cr_assert(df, "%s", err.message);
    expect_fit_error(df, lml_decision_tree_classifier_new(), LML_EINVAL, "outside [0, 1)", "row 3");
    lml_frame_free(df);
    lml_frame_free(df0);
}

/* A frame whose single feature is nominal with k values. */
static lml_frame *categorical_frame(const double *x, const double *y, size_t n, int k)
{
    lml_error err = {0};
    lml_frame *df0 = make_frame(x, n, 1, y);
    char meta[256];
    snprintf(meta, sizeof meta, "{\"ml_attr\":{\"attrs\":{\"nominal\":[{\"idx\":0,\"name\":\"colour\",\"num_vals\":%d}]},"
             "\"num_attrs\":1}}", k);
    lml_frame *df = lml_frame_with_metadata(df0, "features", meta, &err);
    cr_assert(df, "%s", err.message);
    lml_frame_free(df0);
    return df;
}

static lml_stage *stump(const lml_frame *df, bool cls, lml_tree_node_info *root)
{
    lml_error err = {0};
    lml_stage *est = cls ? lml_decision_tree_classifier_new() : lml_decision_tree_regressor_new();
    cr_assert(lml_set_int(est, "maxDepth", 1, &err));
    lml_stage *m = fit(est, df);
    cr_assert(lml_decision_tree_node(m, 0, root, &err), "%s", err.message);
    cr_assert(!root->leaf && root->categorical);
    return m;
}

Test(decision_tree, binary_classification_orders_categories_by_label1_count)
{
    /* Categories 0 0 1 1 2 2, labels 0 0 1 1 0 1: label-1 counts 0, 2, 1 → order 0, 2, 1.
     * {0} | {2,1}: right [1,3] gini 3/8, gain ½ − (4/6)(3/8) = ¼; {0,2} | {1} also ¼ → first. */
    lml_error err = {0};
    const double x[] = {0, 0, 1, 1, 2, 2}, y[] = {0, 0, 1, 1, 0, 1};
    lml_frame *df = categorical_frame(x, y, 6, 3);
    lml_tree_node_info root;
    lml_stage *m = stump(df, true, &root);
    cr_assert_float_eq(root.gain, 0.25, 1e-15);
    cr_assert_eq(root.num_left_categories, 1);
    cr_assert_eq(root.left_categories[0], 0.0);
    char *s = lml_decision_tree_debug_string(m, &err);
    cr_assert(strstr(s, "  If (feature 0 in {0.0})\n   Predict: 0.0\n  Else (feature 0 not in {0.0})\n   Predict: 1.0\n"),
              "%s", s);
    free(s);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(decision_tree, multiclass_small_arity_tries_every_subset)
{
    /* Categories 0 0 1 1 2 2, labels 0 0 1 1 0 2; parent [3,2,1], gini 22/36. Subsets in order:
     * {0}: right [1,2,1] gini 5/8 → gain 22/36 − 5/12 = 7/36; {1}: right [3,0,1] gini 3/8 →
     * 22/36 − 1/4 = 13/36 (best); {0,1}: ½ and ½ → 4/36. */
    lml_error err = {0};
    const double x[] = {0, 0, 1, 1, 2, 2}, y[] = {0, 0, 1, 1, 0, 2};
    lml_frame *df = categorical_frame(x, y, 6, 3);
    lml_tree_node_info root;
    lml_stage *m = stump(df, true, &root);
    cr_assert_float_eq(root.gain, 13.0 / 36, 1e-15);
    cr_assert_eq(root.num_left_categories, 1);
    cr_assert_eq(root.left_categories[0], 1.0);
    lml_frame *out = lml_transform(m, df, &err);
    cr_assert(out, "%s", err.message);
    const lml_column *pred = lml_frame_column(out, (size_t)lml_frame_column_index(out, "prediction"));
    cr_assert_eq(lml_column_get_double(pred, 2), 1.0); /* category 1 → left leaf, class 1 */
    cr_assert_eq(lml_column_get_double(pred, 5), 0.0); /* right leaf [3,0,1] → class 0 */
    lml_frame_free(out);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(decision_tree, regression_orders_categories_by_mean_label)
{
    /* Categories 0 1 2 0 1 2 with labels 5 1 3 5 1 3: means 5, 1, 3 → order 1, 2, 0. Variance 8/3;
     * {1} | {2,0}: right {3,3,5,5} var 1 → gain 8/3 − 2/3 = 2; {1,2} | {0} also 2 → first: {1}. */
    const double x[] = {0, 1, 2, 0, 1, 2}, y[] = {5, 1, 3, 5, 1, 3};
    lml_frame *df = categorical_frame(x, y, 6, 3);
    lml_tree_node_info root;
    lml_stage *m = stump(df, false, &root);
    cr_assert_float_eq(root.gain, 2.0, 1e-12);
    cr_assert_eq(root.num_left_categories, 1);
    cr_assert_eq(root.left_categories[0], 1.0);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(decision_tree, categorical_arity_above_max_bins_and_bad_category_are_rejected)
{
    lml_error err = {0};
    const double x[] = {0, 0, 1, 1, 2, 2}, y[] = {0, 0, 1, 1, 0, 1}, bad[] = {0, 0, 1, 3, 2, 2};
    lml_frame *df = categorical_frame(x, y, 6, 3);
    lml_stage *est = lml_decision_tree_classifier_new();
    cr_assert(lml_set_int(est, "maxBins", 2, &err));
    expect_fit_error(df, est, LML_EINVAL, "maxBins", "feature 0");
    lml_frame_free(df);
    df = categorical_frame(bad, y, 6, 3);
    expect_fit_error(df, lml_decision_tree_classifier_new(), LML_EINVAL, "row 3", "outside [0, 3)");
    lml_frame_free(df);
}

Test(decision_tree, sparse_features_grow_the_same_tree_as_dense)
{
    /* RX as CSR (zeros of x1 left out): same splits, gains and predictions. */
    lml_error err = {0};
    const int64_t indptr[] = {0, 1, 3, 4, 5, 7, 8};
    const int32_t idx[] = {0, 0, 1, 0, 0, 0, 1, 0};
    const double val[] = {1, 2, 1, 3, 4, 5, 1, 6};
    const char *names[] = {"features", "label"};
    lml_column *cols[2] = {lml_column_vector_from_csr(indptr, idx, val, 6, 2, &err),
                           lml_column_from_doubles(RY, NULL, 6, &err)};
    cr_assert(cols[0] && cols[1], "%s", err.message);
    lml_frame *df = lml_frame_new(2, names, cols, &err);
    cr_assert(df, "%s", err.message);
    lml_column_free(cols[0]);
    lml_column_free(cols[1]);
    lml_stage *m = fit(lml_decision_tree_regressor_new(), df);
    cr_assert_eq(lml_decision_tree_num_nodes(m, &err), 7);
    lml_tree_node_info nd;
    cr_assert(lml_decision_tree_node(m, 4, &nd, &err));
    cr_assert_eq(nd.feature, 1);
    cr_assert_eq(nd.threshold, 0.5);
    lml_frame *out = lml_transform(m, df, &err);
    cr_assert(out, "%s", err.message);
    const lml_column *pred = lml_frame_column(out, (size_t)lml_frame_column_index(out, "prediction"));
    for (size_t i = 0; i < 6; i++)
        cr_assert_eq(lml_column_get_double(pred, i), RY[i], "row %zu", i);
    lml_frame_free(out);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(decision_tree, weights_move_the_split_and_min_weight_fraction_applies)
{
    /* x = 1..4, y = 0 1 0 1, weights 1 1 1 5. Parent counts [2, 6], gini 1 − 1/16 − 9/16 = 3/8.
     * 1.5: L [1,0] R [1,6] gini 12/49 → gain 3/8 − (7/8)(12/49) = 3/8 − 3/14 = 9/56;
     * 2.5: L [1,1] ½, R [1,5] 10/36 → 3/8 − (2/8)(½) − (6/8)(10/36) = 3/8 − 1/8 − 5/24 = 1/24;
     * 3.5: L [2,1] 4/9, R [0,5] 0 → 3/8 − (3/8)(4/9) = 3/8 − 1/6 = 5/24 (best).
     * minWeightFractionPerNode 0.4 needs 3.2 of the 8 on each side: 1|7, 2|6 and 3|5 all fail, so
     * no split is valid and the root stays a leaf predicting class 1. */
    lml_error err = {0};
    const double x[] = {1, 2, 3, 4}, y[] = {0, 1, 0, 1}, w[] = {1, 1, 1, 5};
    const char *names[] = {"features", "label", "w"};
    lml_column *cols[3] = {lml_column_vector_from_dense(x, 4, 1, &err), lml_column_from_doubles(y, NULL, 4, &err),
                           lml_column_from_doubles(w, NULL, 4, &err)};
    lml_frame *df = lml_frame_new(3, names, cols, &err);
    cr_assert(df, "%s", err.message);
    for (int i = 0; i < 3; i++)
        lml_column_free(cols[i]);
    lml_stage *est = lml_decision_tree_classifier_new();
    cr_assert(lml_set_string(est, "weightCol", "w", &err));
    cr_assert(lml_set_int(est, "maxDepth", 1, &err));
    lml_stage *m = fit(est, df);
    lml_tree_node_info nd;
    cr_assert(lml_decision_tree_node(m, 0, &nd, &err));
    cr_assert_eq(nd.threshold, 3.5);
    cr_assert_float_eq(nd.gain, 5.0 / 24, 1e-15);
    cr_assert_eq(nd.weight, 8.0);
    lml_stage_free(m);
    est = lml_decision_tree_classifier_new();
    cr_assert(lml_set_string(est, "weightCol", "w", &err));
    cr_assert(lml_set_double(est, "minWeightFractionPerNode", 0.4, &err));
    m = fit(est, df);
    cr_assert_eq(lml_decision_tree_num_nodes(m, &err), 1);
    cr_assert(lml_decision_tree_node(m, 0, &nd, &err));
    cr_assert_eq(nd.prediction, 1.0);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(decision_tree, same_tree_with_one_and_two_threads)
{
    /* 3,000 rows × 6 features from a fixed LCG; the depth-6 trees (their debug strings, which
     * print every threshold in full, and importances) must be identical whatever the thread count. */
    size_t n = 3000, d = 6;
    double *X = malloc(n * d * sizeof(double)), *y = malloc(n * sizeof(double));
    uint64_t st = 12345;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < d; j++) {
            st = st * 6364136223846793005u + 1442695040888963407u;
            X[i * d + j] = (double)(st >> 11) / 9007199254740992.0;
            s += X[i * d + j] * (double)(j + 1);
        }
        y[i] = s > 10.5 ? 1 : 0;
    }
    lml_frame *df = make_frame(X, n, d, y);
    char *text[2];
    double imp[2][6];
    lml_error err = {0};
    for (int t = 0; t < 2; t++) {
        lml_set_num_threads(t + 1);
        lml_stage *est = lml_decision_tree_classifier_new();
        cr_assert(lml_set_int(est, "maxDepth", 6, &err));
        lml_stage *m = fit(est, df);
        text[t] = lml_decision_tree_debug_string(m, &err);
        cr_assert(text[t], "%s", err.message);
        size_t dd;
        const double *fi = lml_decision_tree_feature_importances(m, &dd, &err);
        memcpy(imp[t], fi, sizeof imp[t]);
        double sum = 0;
        for (size_t j = 0; j < d; j++)
            sum += fi[j];
        cr_assert_float_eq(sum, 1.0, 1e-12);
        /* y rises with every feature, most with the last: it must rank first. */
        for (size_t j = 0; j + 1 < d; j++)
            cr_assert(fi[5] > fi[j], "importance of feature 5 %g vs feature %zu %g", fi[5], j, fi[j]);
        lml_stage_free(m);
    }
    lml_set_num_threads(0);
    cr_assert_str_eq(strchr(text[0], '\n'), strchr(text[1], '\n')); /* after the uid line */
    cr_assert(memcmp(imp[0], imp[1], sizeof imp[0]) == 0);
    free(text[0]);
    free(text[1]);
    free(X);
    free(y);
    lml_frame_free(df);
}

Test(decision_tree, node_stats_equal_the_rows_routed_to_each_node)
{
    /* Below the root only the smaller child of a split gets its histograms built; the larger one's
     * are its parent's minus its sibling's. Every node's weight and mean label must still be those
     * of the training rows that reach it (routed through the fitted tree here). 4,000 rows, 5
     * features, a regression label, depth 8. */
    size_t n = 4000, d = 5;
    double *X = malloc(n * d * sizeof(double)), *y = malloc(n * sizeof(double));
    uint64_t st = 987654321;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++) {
            st = st * 6364136223846793005u + 1442695040888963407u;
            X[i * d + j] = floor((double)(st >> 11) / 9007199254740992.0 * 50.0) / 10.0;
        }
        y[i] = sin(X[i * d]) * 3.0 + X[i * d + 1] * X[i * d + 2] - X[i * d + 4];
    }
    lml_frame *df = make_frame(X, n, d, y);
    lml_error err = {0};
    lml_stage *est = lml_decision_tree_regressor_new();
    cr_assert(lml_set_int(est, "maxDepth", 8, &err));
    lml_stage *m = fit(est, df);
    int64_t nn = lml_decision_tree_num_nodes(m, &err);
    cr_assert_gt(nn, 100, "a deep tree: %lld nodes", (long long)nn);
    double *cnt = calloc((size_t)nn, sizeof(double)), *sum = calloc((size_t)nn, sizeof(double));
    lml_tree_node_info nd;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        for (;;) {
            cnt[k] += 1.0;
            sum[k] += y[i];
            cr_assert(lml_decision_tree_node(m, k, &nd, &err));
            if (nd.leaf)
                break;
            k = (size_t)(X[i * d + (size_t)nd.feature] <= nd.threshold ? nd.left : nd.right);
        }
    }
    for (size_t k = 0; k < (size_t)nn; k++) {
        cr_assert(lml_decision_tree_node(m, k, &nd, &err));
        cr_assert_eq(nd.weight, cnt[k], "node %zu weight %g, rows %g", k, nd.weight, cnt[k]);
        cr_assert_float_eq(nd.prediction, sum[k] / cnt[k], 1e-9, "node %zu mean %.17g vs %.17g", k, nd.prediction,
                           sum[k] / cnt[k]);
    }
    free(cnt), free(sum), free(X), free(y);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(decision_tree, leaf_col_numbers_the_leaves_in_pre_order)
{
    /* The gini stump: rows x <= 3.5 reach the left leaf (leaf 0), the others the right (leaf 1). */
    lml_error err = {0};
    lml_frame *df = make_frame(CX, 6, 1, CY);
    lml_stage *est = lml_decision_tree_classifier_new();
    cr_assert(lml_set_int(est, "maxDepth", 1, &err));
    cr_assert(lml_set_string(est, "leafCol", "leaf", &err), "%s", err.message);
    lml_stage *m = fit(est, df);
    lml_frame *out = lml_transform(m, df, &err);
    cr_assert(out, "%s", err.message);
    const lml_column *c = lml_frame_column_by_name(out, "leaf", &err);
    cr_assert(c, "leafCol adds the column");
    cr_assert_eq(lml_frame_num_cols(out), 6, "features, label, rawPrediction, probability, prediction, leaf");
    const double *v = lml_column_doubles(c);
    for (size_t i = 0; i < 6; i++)
        cr_assert_eq(v[i], CX[i] <= 3.5 ? 0.0 : 1.0, "row %zu leaf %g", i, v[i]);
    lml_frame_free(out);
    lml_stage_free(m);
    lml_frame_free(df);
}

Test(decision_tree, variance_col_is_the_leaf_label_variance)
{
    /* y = 1 2 3 20 22 24 at x = 1..6: the stump splits at 3.5 (squared error 2 + 8, any other
     * split leaves far more); left {1,2,3} has variance 2/3, right {20,22,24} 8/3. */
    const double y[] = {1, 2, 3, 20, 22, 24};
    lml_error err = {0};
    lml_frame *df = make_frame(CX, 6, 1, y);
    lml_stage *est = lml_decision_tree_regressor_new();
    cr_assert(lml_set_int(est, "maxDepth", 1, &err));
    cr_assert(lml_set_string(est, "varianceCol", "var", &err), "%s", err.message);
    lml_stage *m = fit(est, df);
    lml_frame *out = lml_transform(m, df, &err);
    cr_assert(out, "%s", err.message);
    const double *v = lml_column_doubles(lml_frame_column_by_name(out, "var", &err));
    cr_assert(v, "%s", err.message);
    for (size_t i = 0; i < 6; i++)
        cr_assert_float_eq(v[i], i < 3 ? 2.0 / 3 : 8.0 / 3, 1e-12, "row %zu variance %.17g", i, v[i]);
    lml_frame_free(out);
    lml_stage_free(m);
    lml_frame_free(df);
}

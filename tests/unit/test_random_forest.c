/* RandomForestClassifier / RandomForestRegressor (spec §9.1, §9.6–9.8): determinism across thread
 * counts, a one-tree forest equal to a DecisionTree, the Titanic known answers, param errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/csv.h"
#include "lakeml/ml/evaluation.h"
#include "lakeml/ml/feature.h"
#include "lakeml/ml/pipeline.h"
#include "lakeml/ml/tree.h"
#include "lakeml/threads.h"
#include "support.h"

/* n rows of d features from a fixed LCG; label from a noisy rule on features 0 and 2. */
static lml_frame *synth(size_t n, size_t d, bool cls)
{
    lml_error err = {0};
    double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y);
    uint64_t s = 12345;
    for (size_t i = 0; i < n * d; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        X[i] = (double)(s >> 11) / 9007199254740992.0;
    }
    for (size_t i = 0; i < n; i++) {
        double v = X[i * d] + 0.5 * X[i * d + 2] + 0.2 * X[i * d + 1] * X[i * d + 3];
        y[i] = cls ? (v > 0.8 ? 1.0 : 0.0) : v;
    }
    const char *names[] = {"features", "label"};
    lml_column *cols[2] = {lml_column_vector_from_dense(X, n, d, &err), lml_column_from_doubles(y, NULL, n, &err)};
    cr_assert(cols[0] && cols[1], "%s", err.message);
    lml_frame *f = lml_frame_new(2, names, cols, &err);
    cr_assert(f, "%s", err.message);
    lml_column_free(cols[0]);
    lml_column_free(cols[1]);
    free(X), free(y);
    return f;
}

static const double *col_values(const lml_frame *f, const char *name)
{
    const lml_column *c = lml_frame_column_by_name(f, name, NULL);
    cr_assert_not_null(c, "no column %s", name);
    return lml_column_type(c) == LML_VECTOR ? lml_column_vector_dense(c) : lml_column_doubles(c);
}

static void fit_predict(lml_stage *est, const lml_frame *f, int threads, double *pred, double *imp, size_t n, size_t d,
                        int64_t *nodes)
{
    lml_error err = {0};
    lml_set_num_threads(threads);
    lml_stage *m = lml_fit(est, f, &err);
    cr_assert_not_null(m, "%s", err.message);
    lml_frame *o = lml_transform(m, f, &err);
    cr_assert_not_null(o, "%s", err.message);
    memcpy(pred, col_values(o, "prediction"), n * sizeof *pred);
    size_t dd = 0;
    const double *fi = lml_random_forest_feature_importances(m, &dd, &err);
    cr_assert_eq(dd, d);
    memcpy(imp, fi, d * sizeof *imp);
    *nodes = lml_random_forest_total_num_nodes(m, &err);
    lml_frame_free(o);
    lml_stage_free(m);
    lml_set_num_threads(1);
}

Test(random_forest, identical_for_one_and_two_threads)
{
    for (int cls = 0; cls < 2; cls++) {
        size_t n = 400, d = 6;
        lml_frame *f = synth(n, d, cls);
        lml_stage *est = cls ? lml_random_forest_classifier_new() : lml_random_forest_regressor_new();
        lml_error err = {0};
        cr_assert(lml_set_int(est, "numTrees", 7, &err), "%s", err.message);
        double p1[400], p2[400], i1[6], i2[6];
        int64_t n1, n2;
        fit_predict(est, f, 1, p1, i1, n, d, &n1);
        fit_predict(est, f, 2, p2, i2, n, d, &n2);
        cr_expect_eq(n1, n2);
        cr_expect(n1 > 7, "a forest of stumps-only: %lld nodes", (long long)n1);
        cr_expect_eq(memcmp(p1, p2, sizeof p1), 0, "predictions differ between 1 and 2 threads");
        cr_expect_eq(memcmp(i1, i2, sizeof i1), 0, "importances differ between 1 and 2 threads");
        double s = 0;
        for (size_t j = 0; j < d; j++)
            s += i1[j];
        cr_expect(fabs(s - 1.0) < 1e-12, "importances sum %g", s);
        /* features 4 and 5 are noise; feature 0 drives the label */
        cr_expect(i1[0] > i1[4] && i1[0] > i1[5], "imp %g %g %g", i1[0], i1[4], i1[5]);
        lml_stage_free(est);
        lml_frame_free(f);
    }
}

Test(random_forest, one_tree_without_bootstrap_is_a_decision_tree)
{
    for (int cls = 0; cls < 2; cls++) {
        size_t n = 300, d = 5;
        lml_frame *f = synth(n, d, cls);
        lml_error err = {0};
        lml_stage *rf = cls ? lml_random_forest_classifier_new() : lml_random_forest_regressor_new();
        lml_stage *dt = cls ? lml_decision_tree_classifier_new() : lml_decision_tree_regressor_new();
        cr_assert(lml_set_int(rf, "numTrees", 1, &err) && lml_set_bool(rf, "bootstrap", false, &err) &&
                      lml_set_string(rf, "featureSubsetStrategy", "all", &err) && lml_set_int(rf, "seed", 7, &err) &&
                      lml_set_int(dt, "seed", 7, &err) && lml_set_string(rf, "leafCol", "leaf", &err) &&
                      lml_set_string(dt, "leafCol", "leaf", &err),
                  "%s", err.message);
        lml_stage *mr = lml_fit(rf, f, &err), *md = lml_fit(dt, f, &err);
        cr_assert(mr && md, "%s", err.message);
        cr_expect_eq(lml_random_forest_num_trees(mr, &err), 1);
        cr_expect_eq(lml_random_forest_tree_num_nodes(mr, 0, &err), lml_decision_tree_num_nodes(md, &err));
        cr_expect_eq(lml_random_forest_tree_depth(mr, 0, &err), lml_decision_tree_depth(md, &err));
        cr_expect_gt(lml_decision_tree_num_nodes(md, &err), 3);
        cr_expect_eq(lml_random_forest_tree_depth(mr, 1, &err), -1);
        cr_expect_eq(err.code, LML_ERANGE);
        lml_frame *or = lml_transform(mr, f, &err), *od = lml_transform(md, f, &err);
        cr_assert(or && od, "%s", err.message);
        cr_expect_eq(memcmp(col_values(or, "prediction"), col_values(od, "prediction"), n * sizeof(double)), 0);
        /* leafCol: a vector of one leaf index per tree, the tree's own double for a single tree */
        const lml_column *lr = lml_frame_column_by_name(or, "leaf", &err), *ld = lml_frame_column_by_name(od, "leaf", &err);
        cr_assert(lr && ld, "%s", err.message);
        cr_expect_eq(lml_column_vector_size(lr), 1);
        cr_expect_eq(memcmp(lml_column_vector_dense(lr), lml_column_doubles(ld), n * sizeof(double)), 0);
        if (cls) /* one tree: probability = the leaf's normalised counts, as the tree's */
            cr_expect_eq(memcmp(col_values(or, "probability"), col_values(od, "probability"), 2 * n * sizeof(double)), 0);
        size_t d1, d2;
        const double *a = lml_random_forest_feature_importances(mr, &d1, &err);
        const double *b = lml_decision_tree_feature_importances(md, &d2, &err);
        cr_assert(a && b && d1 == d && d2 == d);
        for (size_t j = 0; j < d; j++)
            cr_expect(fabs(a[j] - b[j]) < 1e-15, "importance %zu: %g vs %g", j, a[j], b[j]);
        lml_frame_free(or), lml_frame_free(od);
        lml_stage_free(mr), lml_stage_free(md), lml_stage_free(rf), lml_stage_free(dt);
        lml_frame_free(f);
    }
}

Test(random_forest, titanic_auc_and_sex_most_important)
{
    LML_REQUIRE_SHARED(path, "datasets/titanic.csv");
    lml_error err = {0};
    lml_frame *df = lml_csv_read(path, &(lml_csv_options){.header = true, .infer_schema = true}, &err);
    cr_assert_not_null(df, "%s", err.message);
    lml_frame *sel = lml_frame_select(df, (const char *[]){"Survived", "Pclass", "Sex", "Age", "Fare", NULL}, &err);
    lml_frame *data = lml_frame_drop_nulls(sel, NULL, &err);
    cr_assert_not_null(data, "%s", err.message);
    lml_stage *stages[] = {lml_string_indexer_new("Sex", "SexIndex"),
                           lml_vector_assembler_new((const char *[]){"Pclass", "SexIndex", "Age", "Fare", NULL}, "features"),
                           NULL};
    lml_stage *pipe = lml_pipeline_new(stages, &err);
    cr_assert_not_null(pipe, "%s", err.message);
    lml_stage *prep = lml_fit(pipe, data, &err);
    cr_assert_not_null(prep, "%s", err.message);
    lml_frame *all = lml_transform(prep, data, &err);
    cr_assert_not_null(all, "%s", err.message);
    lml_frame *parts[2];
    cr_assert(lml_frame_random_split(all, (const double[]){0.7, 0.3}, 2, 42, parts, &err), "%s", err.message);
    lml_stage *rf = lml_random_forest_classifier_new();
    cr_assert(lml_set_string(rf, "labelCol", "Survived", &err) && lml_set_int(rf, "numTrees", 50, &err) &&
                  lml_set_int(rf, "maxDepth", 5, &err),
              "%s", err.message);
    lml_set_num_threads(2);
    lml_stage *m = lml_fit(rf, parts[0], &err);
    lml_set_num_threads(1);
    cr_assert_not_null(m, "%s", err.message);
    lml_frame *pred = lml_transform(m, parts[1], &err);
    cr_assert_not_null(pred, "%s", err.message);
    lml_stage *ev = lml_binary_classification_evaluator_new();
    cr_assert(lml_set_string(ev, "labelCol", "Survived", &err), "%s", err.message);
    double auc = lml_evaluate(ev, pred, &err);
    cr_log_info("titanic RF test AUC %.6f", auc);
    cr_expect(auc >= 0.80 && auc <= 1.0, "test AUC %g (%s)", auc, err.message);
    size_t d = 0;
    const double *imp = lml_random_forest_feature_importances(m, &d, &err);
    cr_assert(imp && d == 4);
    cr_expect(fabs(imp[0] + imp[1] + imp[2] + imp[3] - 1.0) < 1e-12);
    cr_log_info("importances %.4f %.4f %.4f %.4f", imp[0], imp[1], imp[2], imp[3]);
    cr_expect(imp[1] > imp[0] && imp[1] > imp[2] && imp[1] > imp[3], "importances %g %g %g %g", imp[0], imp[1],
              imp[2], imp[3]);
    cr_expect_eq(lml_random_forest_num_trees(m, &err), 50);
    for (size_t t = 0; t < 50; t++)
        cr_expect(lml_random_forest_tree_depth(m, t, &err) <= 5);
    lml_stage_free(ev), lml_frame_free(pred), lml_stage_free(m), lml_stage_free(rf);
    lml_frame_free(parts[0]), lml_frame_free(parts[1]), lml_frame_free(all);
    lml_stage_free(prep), lml_stage_free(pipe), lml_frame_free(data), lml_frame_free(sel), lml_frame_free(df);
}

Test(random_forest, bad_params_name_the_param)
{
    lml_error err = {0};
    lml_stage *rf = lml_random_forest_classifier_new();
    cr_expect_not(lml_set_int(rf, "numTrees", 0, &err));
    cr_expect(strstr(err.message, "numTrees") != NULL, "%s", err.message);
    err = (lml_error){0};
    cr_expect_not(lml_set_double(rf, "subsamplingRate", 0.0, &err));
    cr_expect(strstr(err.message, "subsamplingRate") != NULL, "%s", err.message);
    err = (lml_error){0};
    cr_expect_not(lml_set_string(rf, "featureSubsetStrategy", "half", &err));
    cr_expect(strstr(err.message, "featureSubsetStrategy") != NULL, "%s", err.message);
    cr_expect(lml_set_string(rf, "featureSubsetStrategy", "0.5", &err), "%s", err.message);
    cr_expect(lml_set_string(rf, "featureSubsetStrategy", "3", &err), "%s", err.message);
    cr_expect_not(lml_set_string(rf, "featureSubsetStrategy", "1.5", &err));
    cr_expect_not(lml_set_string(rf, "featureSubsetStrategy", "0", &err));
    lml_stage_free(rf);
    lml_stage *dt = lml_decision_tree_classifier_new();
    cr_expect_eq(lml_random_forest_num_trees(dt, &err), -1);
    cr_expect_eq(err.code, LML_ETYPE);
    lml_stage_free(dt);
}

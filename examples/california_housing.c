/* The tutorial's exercise: predict a California district's median house value (1990 census).
 *
 *   df = spark.read.csv("datasets/housing.csv", header=True, inferSchema=True)
 *   prep = Pipeline(stages=[Imputer(inputCols=["total_bedrooms"], outputCols=["total_bedrooms_imputed"],
 *                                   strategy="median"),
 *                           StringIndexer(inputCol="ocean_proximity", outputCol="ocean_index"),
 *                           OneHotEncoder(inputCols=["ocean_index"], outputCols=["ocean_vec"]),
 *                           VectorAssembler(inputCols=[<8 numeric columns>, "ocean_vec"],
 *                                           outputCol="features")]).fit(df)
 *   train, test = prep.transform(df).randomSplit([0.8, 0.2], seed=42)
 *   rf = RandomForestRegressor(labelCol="median_house_value", numTrees=50, maxDepth=10).fit(train)
 *   RMSE and R² on test (RegressionEvaluator), featureImportances
 *   CrossValidator(rf, ParamGridBuilder().addGrid(numTrees, [20, 50]).addGrid(maxDepth, [5, 10]),
 *                  numFolds=3, seed=42, parallelism=2).fit(train): avgMetrics, best params
 *   the same for LinearRegression over regParam [0.0, 0.1, 1.0], for comparison
 *
 * total_bedrooms is empty in 207 districts. They are imputed with the column's median rather than
 * dropped: the rows are otherwise complete, and the median of a skewed count is a safer stand-in
 * than the mean. The Imputer sits in the preparation pipeline, fitted on all rows like the
 * indexer, as the tutorial does; it never sees the label. examples/california_housing.json is
 * the same program as a `lakeml fit` spec.
 *
 * Every result line is "<name>: <value>" so that tests/integration/test_housing.c can read it.
 *
 * Usage: california_housing [PATH]   (default datasets/housing.csv, else ../shared/datasets/housing.csv) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lakeml/lakeml.h"

#define LABEL "median_house_value"

/* The assembler's inputs; the one-hot slots follow them in the features vector. */
static const char *const numeric_cols[] = {"longitude",  "latitude",   "housing_median_age",     "total_rooms",
                                           "population", "households", "total_bedrooms_imputed", "median_income",
                                           NULL};
#define NUM_NUMERIC (sizeof numeric_cols / sizeof numeric_cols[0] - 1)

static const int64_t grid_trees[] = {20, 50};
static const int64_t grid_depth[] = {5, 10};
static const double grid_reg[] = {0.0, 0.1, 1.0};

static const char *find_data(int argc, char **argv)
{
    static const char *const candidates[] = {"datasets/housing.csv", "../shared/datasets/housing.csv"};
    if (argc > 1)
        return argv[1];
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
        if (access(candidates[i], R_OK) == 0)
            return candidates[i];
    return NULL;
}

static lml_stage *evaluator(const char *metric, lml_error *err)
{
    lml_stage *ev = lml_regression_evaluator_new();
    if (ev && (!lml_set_string(ev, "labelCol", LABEL, err) || !lml_set_string(ev, "metricName", metric, err))) {
        lml_stage_free(ev);
        return NULL;
    }
    return ev;
}

/* Test RMSE and R² of a fitted model, printed as "<prefix> test rmse: …" and "<prefix> test r2: …". */
static bool report_test(const lml_stage *model, const lml_frame *test, const char *prefix, lml_error *err)
{
    lml_frame *pred = lml_transform(model, test, err);
    lml_stage *rmse_ev = pred ? evaluator("rmse", err) : NULL;
    lml_stage *r2_ev = rmse_ev ? evaluator("r2", err) : NULL;
    bool ok = false;
    if (r2_ev) {
        double rmse = lml_evaluate(rmse_ev, pred, err);
        double r2 = err->code == LML_OK ? lml_evaluate(r2_ev, pred, err) : 0.0;
        if ((ok = err->code == LML_OK))
            printf("%s test rmse: %.1f\n%s test r2: %.4f\n", prefix, rmse, prefix, r2);
    }
    lml_stage_free(r2_ev);
    lml_stage_free(rmse_ev);
    lml_frame_free(pred);
    return ok;
}

/* The name of features slot i: a numeric column, or ocean_proximity=<label> for the one-hot
 * slots (dropLast drops the last label, so slot k is label k). */
static void slot_name(size_t i, const char *const *labels, char *buf, size_t cap)
{
    if (i < NUM_NUMERIC)
        snprintf(buf, cap, "%s", numeric_cols[i]);
    else
        snprintf(buf, cap, "ocean_proximity=%s", labels[i - NUM_NUMERIC]);
}

static bool print_importances(const lml_stage *rf_model, const char *const *labels, size_t top, lml_error *err)
{
    size_t d = 0;
    const double *imp = lml_random_forest_feature_importances(rf_model, &d, err);
    if (!imp)
        return false;
    size_t *order = malloc(d * sizeof *order);
    if (!order)
        return lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t i = 0; i < d; i++)
        order[i] = i;
    /* Insertion sort, descending; d is a dozen. */
    for (size_t i = 1; i < d; i++)
        for (size_t j = i; j > 0 && imp[order[j]] > imp[order[j - 1]]; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    printf("rf feature importances (top %zu of %zu):\n", top < d ? top : d, d);
    for (size_t k = 0; k < top && k < d; k++) {
        char name[128];
        slot_name(order[k], labels, name, sizeof name);
        printf("  importance %s: %.4f\n", name, imp[order[k]]);
    }
    free(order);
    return true;
}

/* A 3-fold CrossValidator (seed 42, 2 fits at once) of `estimator` over `grid` by RMSE; takes
 * ownership of both (also on failure) and returns the fitted CrossValidatorModel. */
static lml_stage *cross_validate(lml_stage *estimator, lml_param_grid *grid, const lml_frame *train, lml_error *err)
{
    lml_stage *ev = evaluator("rmse", err);
    if (!ev) {
        lml_stage_free(estimator);
        lml_param_grid_free(grid);
        return NULL;
    }
    lml_stage *cv = lml_cross_validator_new(estimator, grid, ev, err);
    lml_stage *model = NULL;
    if (cv && lml_set_int(cv, "numFolds", 3, err) && lml_set_int(cv, "seed", 42, err) &&
        lml_set_int(cv, "parallelism", 2, err))
        model = lml_fit(cv, train, err);
    lml_stage_free(cv);
    return model;
}

static bool random_forest_cv(const lml_frame *train, const lml_frame *test, lml_error *err)
{
    lml_stage *rf = lml_random_forest_regressor_new();
    lml_param_grid *grid = lml_param_grid_new();
    if (!rf || !grid || !lml_set_string(rf, "labelCol", LABEL, err) ||
        !lml_param_grid_add_int(grid, rf, "numTrees", grid_trees, 2, err) ||
        !lml_param_grid_add_int(grid, rf, "maxDepth", grid_depth, 2, err)) {
        lml_stage_free(rf);
        lml_param_grid_free(grid);
        return err->code != LML_OK ? false : lml_error_set(err, LML_ENOMEM, "out of memory");
    }
    lml_stage *model = cross_validate(rf, grid, train, err);
    if (!model)
        return false;
    size_t n = 0, nstd = 0;
    const double *avg = lml_tuning_model_metrics(model, &n, err);
    const double *sd = avg ? lml_tuning_model_std_metrics(model, &nstd, err) : NULL;
    const lml_stage *best = sd ? lml_tuning_model_best_model(model, err) : NULL;
    int64_t trees = 0, depth = 0;
    bool ok = best && lml_get_int(best, "numTrees", &trees, err) && lml_get_int(best, "maxDepth", &depth, err);
    if (ok) {
        printf("\nCrossValidator (3 folds, seed 42, parallelism 2), RandomForestRegressor, numTrees x maxDepth:\n");
        /* The first grid param varies slowest (ParamGridBuilder's order). */
        for (size_t j = 0; j < n && j < nstd; j++)
            printf("cv numTrees %lld maxDepth %lld: avg rmse %.1f (std %.1f)\n", (long long)grid_trees[j / 2],
                   (long long)grid_depth[j % 2], avg[j], sd[j]);
        printf("cv best params: numTrees %lld maxDepth %lld\n", (long long)trees, (long long)depth);
        ok = report_test(best, test, "cv best", err);
    }
    lml_stage_free(model);
    return ok;
}

static bool linear_regression_cv(const lml_frame *train, const lml_frame *test, lml_error *err)
{
    lml_stage *lr = lml_linear_regression_new();
    lml_param_grid *grid = lml_param_grid_new();
    if (!lr || !grid || !lml_set_string(lr, "labelCol", LABEL, err) ||
        !lml_param_grid_add_double(grid, lr, "regParam", grid_reg, 3, err)) {
        lml_stage_free(lr);
        lml_param_grid_free(grid);
        return err->code != LML_OK ? false : lml_error_set(err, LML_ENOMEM, "out of memory");
    }
    lml_stage *model = cross_validate(lr, grid, train, err);
    if (!model)
        return false;
    size_t n = 0;
    const double *avg = lml_tuning_model_metrics(model, &n, err);
    const lml_stage *best = avg ? lml_tuning_model_best_model(model, err) : NULL;
    double reg = 0.0;
    bool ok = best && lml_get_double(best, "regParam", &reg, err);
    if (ok) {
        printf("\nLinearRegression for comparison, CrossValidator over regParam:\n");
        for (size_t j = 0; j < n; j++)
            printf("lr cv regParam %g: avg rmse %.1f\n", grid_reg[j], avg[j]);
        printf("lr best params: regParam %g\n", reg);
        ok = report_test(best, test, "lr", err);
    }
    lml_stage_free(model);
    return ok;
}

int main(int argc, char **argv)
{
    const char *path = find_data(argc, argv);
    if (!path) {
        fprintf(stderr, "california_housing: housing.csv is neither in datasets/ (run datasets/fetch.sh) nor in "
                        "../shared/datasets/; pass its path as the argument\n");
        return 2;
    }
    lml_error err = {0};
    int status = 1;
    lml_frame *df = NULL, *processed = NULL, *split[2] = {NULL, NULL};
    lml_stage *pipeline = NULL, *prep = NULL, *rf = NULL, *rf_model = NULL;

    if (!(df = lml_csv_read(path, &(lml_csv_options){.header = true, .infer_schema = true}, &err)))
        goto done;
    const lml_column *bedrooms = lml_frame_column_by_name(df, "total_bedrooms", &err);
    if (!bedrooms)
        goto done;
    printf("%zu districts, total_bedrooms missing in %zu\n", lml_frame_count(df), lml_column_null_count(bedrooms));

    const char *assembled[NUM_NUMERIC + 2];
    memcpy(assembled, numeric_cols, NUM_NUMERIC * sizeof *assembled);
    assembled[NUM_NUMERIC] = "ocean_vec";
    assembled[NUM_NUMERIC + 1] = NULL;
    lml_stage *imputer = lml_imputer_new("total_bedrooms", "total_bedrooms_imputed");
    if (imputer && !lml_set_string(imputer, "strategy", "median", &err)) {
        lml_stage_free(imputer);
        goto done;
    }
    pipeline = lml_pipeline_new((lml_stage *[]){imputer, lml_string_indexer_new("ocean_proximity", "ocean_index"),
                                                lml_one_hot_encoder_new("ocean_index", "ocean_vec"),
                                                lml_vector_assembler_new(assembled, "features"), NULL},
                                &err);
    if (!pipeline || !(prep = lml_fit(pipeline, df, &err)) || !(processed = lml_transform(prep, df, &err)))
        goto done;
    size_t nsur = 0, nlabels = 0;
    const double *median = lml_imputer_model_surrogates(lml_pipeline_stage(prep, 0), &nsur, &err);
    const char *const *labels = lml_string_indexer_model_labels(lml_pipeline_stage(prep, 1), 0, &nlabels, &err);
    if (!median || !labels)
        goto done;
    printf("missing total_bedrooms imputed with the median: %.1f\n", median[0]);
    printf("ocean_proximity categories:");
    for (size_t i = 0; i < nlabels; i++)
        printf("%s %s", i ? "," : "", labels[i]);
    printf(" (one-hot, the last dropped)\n");

    if (!lml_frame_random_split(processed, (double[]){0.8, 0.2}, 2, 42, split, &err))
        goto done;
    printf("train %zu rows, test %zu rows\n\n", lml_frame_count(split[0]), lml_frame_count(split[1]));

    rf = lml_random_forest_regressor_new();
    if (!rf || !lml_set_string(rf, "labelCol", LABEL, &err) || !lml_set_int(rf, "numTrees", 50, &err) ||
        !lml_set_int(rf, "maxDepth", 10, &err))
        goto done;
    if (!(rf_model = lml_fit(rf, split[0], &err)))
        goto done;
    int64_t total_nodes = lml_random_forest_total_num_nodes(rf_model, &err);
    if (total_nodes < 0)
        goto done;
    printf("RandomForestRegressor (numTrees 50, maxDepth 10): %lld nodes in all\n", (long long)total_nodes);
    if (!report_test(rf_model, split[1], "rf", &err) || !print_importances(rf_model, labels, 5, &err))
        goto done;

    if (!random_forest_cv(split[0], split[1], &err) || !linear_regression_cv(split[0], split[1], &err))
        goto done;
    status = 0;

done:
    if (status != 0)
        fprintf(stderr, "california_housing: %s\n", err.message);
    lml_stage_free(rf_model);
    lml_stage_free(rf);
    lml_frame_free(split[0]);
    lml_frame_free(split[1]);
    lml_frame_free(processed);
    lml_stage_free(prep);
    lml_stage_free(pipeline);
    lml_frame_free(df);
    return status;
}

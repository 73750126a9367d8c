/* Spark's Titanic tutorial, end to end, in lakeml:
 *
 *   df = spark.read.csv("datasets/titanic.csv", header=True, inferSchema=True)
 *   data = df.select("Survived", "Pclass", "Sex", "Age", "Fare").na.drop()
 *   prep = Pipeline(stages=[StringIndexer(inputCol="Sex", outputCol="SexIndex"),
 *                           StringIndexer(inputCol="Pclass", outputCol="PclassIndex"),
 *                           OneHotEncoder(inputCols=["SexIndex", "PclassIndex"],
 *                                         outputCols=["SexVec", "PclassVec"]),
 *                           VectorAssembler(inputCols=["PclassVec", "SexVec", "Age", "Fare"],
 *                                           outputCol="features")]).fit(data)
 *   processed = prep.transform(data); processed.show(3)
 *   train, test = processed.randomSplit([0.7, 0.3], seed=42)
 *   model = LogisticRegression(labelCol="Survived", maxIter=10).fit(train)
 *   pred = model.transform(test); pred.show(5)
 *   AUC (BinaryClassificationEvaluator), accuracy (MulticlassClassificationEvaluator),
 *   confusion matrix (MulticlassMetrics)
 *   rf = RandomForestClassifier(labelCol="Survived", numTrees=50, seed=42).fit(train)
 *   its test AUC, accuracy and featureImportances
 *   grid = ParamGridBuilder().addGrid(lr.regParam, [0.01, 0.1])
 *                            .addGrid(lr.elasticNetParam, [0.0, 0.5, 1.0]).build()
 *   cv = CrossValidator(estimator=lr, estimatorParamMaps=grid, evaluator=<AUC>, numFolds=3,
 *                       seed=42, parallelism=2).fit(train)
 *   cv.avgMetrics, the best params, the best model's test AUC (examples/titanic_cv.json is this
 *   CrossValidator as a `lakeml fit` spec)
 *   PipelineModel(stages=prep.stages + [model]).write().overwrite().save(MODEL_DIR)
 *
 * Usage: titanic [PATH [MODEL_DIR]]   (default datasets/titanic.csv; run datasets/fetch.sh
 * first). With MODEL_DIR the preparation stages and the logistic regression are saved there as
 * one PipelineModel in Spark's format, which Spark loads and examples/embedded_scoring scores. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lakeml/lakeml.h"
#include "lakeml/ml/classification.h"
#include "lakeml/ml/evaluation.h"
#include "lakeml/ml/feature.h"
#include "lakeml/ml/tree.h"
#include "lakeml/ml/tuning.h"

static lml_stage *evaluator(lml_stage *ev, const char *metric, lml_error *err)
{
    if (ev && (!lml_set_string(ev, "labelCol", "Survived", err) || !lml_set_string(ev, "metricName", metric, err))) {
        lml_stage_free(ev);
        return NULL;
    }
    return ev;
}

/* AUC and accuracy of a fitted model on the test rows, as "<prefix> test auc: …" lines (lower
 * case, so that they never match the first model's "AUC: " line). */
static bool report_test(const lml_stage *model, const lml_frame *test, const char *prefix, lml_error *err)
{
    lml_frame *pred = lml_transform(model, test, err);
    lml_stage *auc_ev = pred ? evaluator(lml_binary_classification_evaluator_new(), "areaUnderROC", err) : NULL;
    lml_stage *acc_ev = auc_ev ? evaluator(lml_multiclass_classification_evaluator_new(), "accuracy", err) : NULL;
    bool ok = false;
    if (acc_ev) {
        double auc = lml_evaluate(auc_ev, pred, err);
        double acc = err->code == LML_OK ? lml_evaluate(acc_ev, pred, err) : 0.0;
        if ((ok = err->code == LML_OK))
            printf("%s test auc: %.4f\n%s test accuracy: %.4f\n", prefix, auc, prefix, acc);
    }
    lml_stage_free(acc_ev);
    lml_stage_free(auc_ev);
    lml_frame_free(pred);
    return ok;
}

/* The features slots: PclassVec (the Pclass labels but the last, dropLast), SexVec (likewise),
 * Age, Fare; the names come from the fitted indexers so that they follow the data. */
static void slot_name(const lml_stage *prep, size_t slot, char *buf, size_t cap)
{
    size_t nsex = 0, npclass = 0;
    const char *const *sex = lml_string_indexer_model_labels(lml_pipeline_stage(prep, 0), 0, &nsex, NULL);
    const char *const *pclass = lml_string_indexer_model_labels(lml_pipeline_stage(prep, 1), 0, &npclass, NULL);
    size_t np = npclass ? npclass - 1 : 0, ns = nsex ? nsex - 1 : 0;
    if (slot < np)
        snprintf(buf, cap, "Pclass=%s", pclass[slot]);
    else if (slot < np + ns)
        snprintf(buf, cap, "Sex=%s", sex[slot - np]);
    else if (slot == np + ns)
        snprintf(buf, cap, "Age");
    else if (slot == np + ns + 1)
        snprintf(buf, cap, "Fare");
    else
        snprintf(buf, cap, "slot %zu", slot);
}

/* RandomForestClassifier on the same features and split. */
static bool random_forest(const lml_stage *prep, const lml_frame *train, const lml_frame *test, lml_error *err)
{
    lml_stage *rf = lml_random_forest_classifier_new();
    lml_stage *model = NULL;
    bool ok = rf && lml_set_string(rf, "labelCol", "Survived", err) && lml_set_int(rf, "numTrees", 50, err) &&
              lml_set_int(rf, "seed", 42, err) && (model = lml_fit(rf, train, err));
    if (!rf)
        lml_error_set(err, LML_ENOMEM, "out of memory");
    size_t d = 0;
    const double *imp = ok ? lml_random_forest_feature_importances(model, &d, err) : NULL;
    if ((ok = imp != NULL)) {
        printf("\nRandomForestClassifier (numTrees 50, maxDepth 5, seed 42)\n");
        ok = report_test(model, test, "rf", err);
    }
    if (ok) {
        /* Slots by importance, largest first (a selection sort: there are five). */
        bool used[64] = {false};
        printf("rf feature importances:\n");
        for (size_t k = 0; k < d && k < 64; k++) {
            size_t best = SIZE_MAX;
            for (size_t i = 0; i < d && i < 64; i++)
                if (!used[i] && (best == SIZE_MAX || imp[i] > imp[best]))
                    best = i;
            used[best] = true;
            char name[64];
            slot_name(prep, best, name, sizeof name);
            printf("  importance %s: %.4f\n", name, imp[best]);
        }
    }
    lml_stage_free(model);
    lml_stage_free(rf);
    return ok;
}

/* The tutorial's CrossValidator over the logistic regression `lr` (copied; lr keeps its params). */
static bool cross_validate(const lml_stage *lr, const lml_frame *train, const lml_frame *test, lml_error *err)
{
    static const double reg[] = {0.01, 0.1}, enet[] = {0.0, 0.5, 1.0};
    lml_stage *est = lml_stage_copy(lr, err);
    lml_param_grid *grid = lml_param_grid_new();
    lml_stage *ev = evaluator(lml_binary_classification_evaluator_new(), "areaUnderROC", err);
    if (!est || !grid || !ev || !lml_param_grid_add_double(grid, est, "regParam", reg, 2, err) ||
        !lml_param_grid_add_double(grid, est, "elasticNetParam", enet, 3, err)) {
        lml_stage_free(est);
        lml_param_grid_free(grid);
        lml_stage_free(ev);
        return err->code != LML_OK ? false : lml_error_set(err, LML_ENOMEM, "out of memory");
    }
    lml_stage *cv = lml_cross_validator_new(est, grid, ev, err), *model = NULL;
    bool ok = cv && lml_set_int(cv, "numFolds", 3, err) && lml_set_int(cv, "seed", 42, err) &&
              lml_set_int(cv, "parallelism", 2, err) && (model = lml_fit(cv, train, err));
    size_t n = 0, nstd = 0;
    const double *avg = ok ? lml_tuning_model_metrics(model, &n, err) : NULL;
    const double *sd = avg ? lml_tuning_model_std_metrics(model, &nstd, err) : NULL;
    const lml_stage *best = sd ? lml_tuning_model_best_model(model, err) : NULL;
    double best_reg = 0, best_enet = 0;
    ok = best && lml_get_double(best, "regParam", &best_reg, err) &&
         lml_get_double(best, "elasticNetParam", &best_enet, err);
    if (ok) {
        printf("\nCrossValidator (3 folds, seed 42) of the logistic regression over regParam x elasticNetParam:\n");
        /* The first grid param varies slowest (ParamGridBuilder's order). */
        for (size_t j = 0; j < n && j < nstd; j++)
            printf("cv regParam %g elasticNetParam %g: avg auc %.4f (std %.4f)\n", reg[j / 3], enet[j % 3], avg[j],
                   sd[j]);
        printf("cv best params: regParam %g elasticNetParam %g\n", best_reg, best_enet);
        ok = report_test(best, test, "cv best", err);
    }
    lml_stage_free(model);
    lml_stage_free(cv);
    return ok;
}

/* Saves prep's stages followed by the fitted model as one PipelineModel (raw passenger fields in,
 * prediction out). */
static bool save_model(const lml_stage *prep, const lml_stage *model, const char *dir, lml_error *err)
{
    lml_stage *stages[8] = {NULL};
    size_t n = lml_pipeline_num_stages(prep);
    if (n + 2 > sizeof stages / sizeof *stages)
        return lml_error_set(err, LML_EINVAL, "the preparation pipeline has %zu stages, more than expected", n);
    for (size_t i = 0; i < n; i++)
        if (!(stages[i] = lml_stage_copy(lml_pipeline_stage(prep, i), err)))
            goto fail;
    if (!(stages[n] = lml_stage_copy(model, err)))
        goto fail;
    lml_stage *whole = lml_pipeline_model_new(stages, err);
    bool ok = whole && lml_save(whole, dir, LML_SAVE_OVERWRITE, err);
    lml_stage_free(whole);
    if (ok)
        printf("\nSaved the pipeline model (%zu stages) to %s\n", n + 1, dir);
    return ok;
fail:
    for (size_t i = 0; i < n + 1; i++)
        lml_stage_free(stages[i]);
    return false;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "datasets/titanic.csv";
    lml_error err = {0};
    int status = 1;
    lml_frame *df = NULL, *data = NULL, *processed = NULL, *split[2] = {NULL, NULL}, *pred = NULL, *shown = NULL;
    lml_stage *pipeline = NULL, *prep = NULL, *lr = NULL, *model = NULL, *auc_ev = NULL, *acc_ev = NULL;
    double *matrix = NULL, *labels = NULL;
    size_t nlabels = 0;

    if (!(df = lml_csv_read(path, &(lml_csv_options){.header = true, .infer_schema = true}, &err)))
        goto done;
    lml_frame *selected =
        lml_frame_select(df, (const char *[]){"Survived", "Pclass", "Sex", "Age", "Fare", NULL}, &err);
    data = selected ? lml_frame_drop_nulls(selected, NULL, &err) : NULL;
    lml_frame_free(selected);
    if (!data)
        goto done;
    printf("%zu passengers, %zu with every field present\n\n", lml_frame_count(df), lml_frame_count(data));

    pipeline = lml_pipeline_new(
        (lml_stage *[]){
            lml_string_indexer_new("Sex", "SexIndex"),
            lml_string_indexer_new("Pclass", "PclassIndex"),
            lml_one_hot_encoder_new2((const char *[]){"SexIndex", "PclassIndex", NULL},
                                     (const char *[]){"SexVec", "PclassVec", NULL}),
            lml_vector_assembler_new((const char *[]){"PclassVec", "SexVec", "Age", "Fare", NULL}, "features"),
            NULL},
        &err);
    if (!pipeline || !(prep = lml_fit(pipeline, data, &err)) || !(processed = lml_transform(prep, data, &err)))
        goto done;
    if (!lml_frame_show(processed, stdout, 3, 20, &err))
        goto done;

    if (!lml_frame_random_split(processed, (double[]){0.7, 0.3}, 2, 42, split, &err))
        goto done;
    printf("train %zu rows, test %zu rows\n\n", lml_frame_count(split[0]), lml_frame_count(split[1]));

    lr = lml_logistic_regression_new();
    if (!lr || !lml_set_string(lr, "labelCol", "Survived", &err) || !lml_set_int(lr, "maxIter", 10, &err))
        goto done;
    if (!(model = lml_fit(lr, split[0], &err)) || !(pred = lml_transform(model, split[1], &err)))
        goto done;
    shown = lml_frame_select(pred, (const char *[]){"Survived", "features", "rawPrediction", "probability",
                                                    "prediction", NULL},
                             &err);
    if (!shown || !lml_frame_show(shown, stdout, 5, 20, &err))
        goto done;

    if (!(auc_ev = evaluator(lml_binary_classification_evaluator_new(), "areaUnderROC", &err)) ||
        !(acc_ev = evaluator(lml_multiclass_classification_evaluator_new(), "accuracy", &err)))
        goto done;
    double auc = lml_evaluate(auc_ev, pred, &err);
    if (err.code != LML_OK)
        goto done;
    double acc = lml_evaluate(acc_ev, pred, &err);
    if (err.code != LML_OK)
        goto done;
    printf("AUC: %.4f\nAccuracy: %.4f\n", auc, acc);

    if (!lml_confusion_matrix(pred, "Survived", "prediction", NULL, &matrix, &labels, &nlabels, &err))
        goto done;
    printf("Confusion matrix (rows actual, columns predicted):\n");
    for (size_t i = 0; i < nlabels; i++) {
        for (size_t j = 0; j < nlabels; j++)
            printf("%s%6.0f", j ? " " : "", matrix[i * nlabels + j]);
        putchar('\n');
    }
    if (!random_forest(prep, split[0], split[1], &err) || !cross_validate(lr, split[0], split[1], &err))
        goto done;
    if (argc > 2 && !save_model(prep, model, argv[2], &err))
        goto done;
    status = 0;

done:
    if (status != 0)
        fprintf(stderr, "titanic: %s\n", err.message);
    free(matrix);
    free(labels);
    lml_stage_free(acc_ev);
    lml_stage_free(auc_ev);
    lml_frame_free(shown);
    lml_frame_free(pred);
    lml_stage_free(model);
    lml_stage_free(lr);
    lml_frame_free(split[0]);
    lml_frame_free(split[1]);
    lml_frame_free(processed);
    lml_stage_free(prep);
    lml_stage_free(pipeline);
    lml_frame_free(data);
    lml_frame_free(df);
    return status;
}

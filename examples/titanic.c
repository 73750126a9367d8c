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
 *
 * Usage: titanic [PATH]   (default datasets/titanic.csv; run datasets/fetch.sh first) */
#include <stdio.h>
#include <stdlib.h>

#include "lakeml/lakeml.h"
#include "lakeml/ml/classification.h"
#include "lakeml/ml/evaluation.h"
#include "lakeml/ml/feature.h"

static lml_stage *evaluator(lml_stage *ev, const char *metric, lml_error *err)
{
    if (ev && (!lml_set_string(ev, "labelCol", "Survived", err) || !lml_set_string(ev, "metricName", metric, err))) {
        lml_stage_free(ev);
        return NULL;
    }
    return ev;
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

/* Stages by Spark class name, for specs and (later) model loading: "StringIndexer" or
 * "org.apache.spark.ml.feature.StringIndexer" both give a new StringIndexer. */
#include <string.h>
#include "lakeml/ml/classification.h"
#include "lakeml/ml/evaluation.h"
#include "lakeml/ml/feature.h"
#include "lakeml/ml/regression.h"
#include "lakeml/ml/stage.h"
#include "lakeml/ml/tree.h"

static lml_stage *string_indexer(void) { return lml_string_indexer_new(NULL, NULL); }
static lml_stage *index_to_string(void) { return lml_index_to_string_new(NULL, NULL); }
static lml_stage *one_hot_encoder(void) { return lml_one_hot_encoder_new(NULL, NULL); }
static lml_stage *vector_assembler(void) { return lml_vector_assembler_new(NULL, NULL); }
static lml_stage *standard_scaler(void) { return lml_standard_scaler_new(NULL, NULL); }
static lml_stage *imputer(void) { return lml_imputer_new(NULL, NULL); }

static const struct {
    const char *package;
    const char *name;
    lml_stage *(*make)(void);
} registry[] = {
    {"org.apache.spark.ml.feature.", "StringIndexer", string_indexer},
    {"org.apache.spark.ml.feature.", "IndexToString", index_to_string},
    {"org.apache.spark.ml.feature.", "OneHotEncoder", one_hot_encoder},
    {"org.apache.spark.ml.feature.", "VectorAssembler", vector_assembler},
    {"org.apache.spark.ml.feature.", "StandardScaler", standard_scaler},
    {"org.apache.spark.ml.feature.", "Imputer", imputer},
    {"org.apache.spark.ml.classification.", "LogisticRegression", lml_logistic_regression_new},
    {"org.apache.spark.ml.regression.", "LinearRegression", lml_linear_regression_new},
    {"org.apache.spark.ml.classification.", "DecisionTreeClassifier", lml_decision_tree_classifier_new},
    {"org.apache.spark.ml.regression.", "DecisionTreeRegressor", lml_decision_tree_regressor_new},
    {"org.apache.spark.ml.classification.", "RandomForestClassifier", lml_random_forest_classifier_new},
    {"org.apache.spark.ml.regression.", "RandomForestRegressor", lml_random_forest_regressor_new},
    {"org.apache.spark.ml.classification.", "GBTClassifier", lml_gbt_classifier_new},
    {"org.apache.spark.ml.regression.", "GBTRegressor", lml_gbt_regressor_new},
    {"org.apache.spark.ml.evaluation.", "BinaryClassificationEvaluator", lml_binary_classification_evaluator_new},
    {"org.apache.spark.ml.evaluation.", "MulticlassClassificationEvaluator",
     lml_multiclass_classification_evaluator_new},
    {"org.apache.spark.ml.evaluation.", "RegressionEvaluator", lml_regression_evaluator_new},
};

lml_stage *lml_stage_new_by_name(const char *class_name, lml_error *err)
{
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++) {
        size_t plen = strlen(registry[i].package);
        const char *short_name = strncmp(class_name, registry[i].package, plen) == 0 ? class_name + plen : class_name;
        if (strcmp(short_name, registry[i].name) == 0) {
            lml_stage *s = registry[i].make();
            if (!s)
                lml_error_set(err, LML_ENOMEM, "out of memory creating a %s", registry[i].name);
            return s;
        }
    }
    lml_error_set(err, LML_ENOTFOUND,
                  "unknown stage class '%s'; lakeml has StringIndexer, IndexToString, OneHotEncoder, "
                  "VectorAssembler, StandardScaler, Imputer, LogisticRegression, LinearRegression, "
                  "DecisionTreeClassifier, DecisionTreeRegressor, RandomForestClassifier, RandomForestRegressor, "
                  "GBTClassifier, GBTRegressor, "
                  "BinaryClassificationEvaluator, MulticlassClassificationEvaluator, RegressionEvaluator",
                  class_name);
    return NULL;
}

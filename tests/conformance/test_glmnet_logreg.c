/* LogisticRegression against R glmnet's solutions of Spark's objective (spec §7.3):
 * ../shared/reference/titanic_lr_glmnet.json on titanic_lr_prepared.csv. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "../support.h"
#include "lakeml/csv.h"
#include "lakeml/ml/classification.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    cr_assert(fread(buf, 1, (size_t)len, f) == (size_t)len);
    buf[len] = 0;
    fclose(f);
    return buf;
}

/* features = [Pclass, Sex, Age, Fare] assembled by hand (VectorAssembler is tested elsewhere). */
static lml_frame *prepared_frame(const char *csv_path)
{
    lml_error err = {0};
    lml_frame *raw = lml_csv_read(csv_path, &(lml_csv_options){.header = true, .infer_schema = true}, &err);
    cr_assert(raw, "%s", err.message);
    size_t n = lml_frame_num_rows(raw);
    cr_assert_eq(n, 714);
    static const char *const feats[] = {"Pclass", "Sex", "Age", "Fare"};
    double *X = malloc(n * 4 * sizeof(double));
    for (size_t j = 0; j < 4; j++) {
        const lml_column *c = lml_frame_column_by_name(raw, feats[j], &err);
        cr_assert(c, "%s", err.message);
        for (size_t i = 0; i < n; i++)
            X[i * 4 + j] = lml_column_get_double(c, i);
    }
    lml_column *fc = lml_column_vector_from_dense(X, n, 4, &err);
    cr_assert(fc, "%s", err.message);
    const lml_column *lc = lml_frame_column_by_name(raw, "Survived", &err);
    cr_assert(lc, "%s", err.message);
    const char *names[] = {"features", "Survived"};
    lml_column *cols[] = {fc, (lml_column *)lc};
    lml_frame *df = lml_frame_new(2, names, cols, &err);
    cr_assert(df, "%s", err.message);
    lml_column_free(fc);
    lml_frame_free(raw);
    free(X);
    return df;
}

static void check_close(const char *what, double got, double ref)
{
    double tol = 1e-4 * fmax(1.0, fabs(ref));
    cr_expect(fabs(got - ref) <= tol, "%s: got %.10g, glmnet %.10g (diff %.3g > %.3g)", what, got, ref,
              fabs(got - ref), tol);
}

Test(glmnet_logreg, titanic_every_case_matches_spark_expected)
{
    LML_REQUIRE_SHARED(json_path_s, "reference/titanic_lr_glmnet.json");
    char json_path[4096]; /* the helper returns a static buffer */
    snprintf(json_path, sizeof json_path, "%s", json_path_s);
    LML_REQUIRE_SHARED(csv_path, "reference/titanic_lr_prepared.csv");
    char *text = slurp(json_path);
    cJSON *root = cJSON_Parse(text);
    cr_assert(root, "cannot parse %s", json_path);
    lml_frame *df = prepared_frame(csv_path);
    cJSON *cases = cJSON_GetObjectItem(root, "cases");
    cr_assert(cJSON_GetArraySize(cases) == 4);
    cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        double reg = cJSON_GetObjectItem(c, "regParam")->valuedouble;
        double en = cJSON_GetObjectItem(c, "elasticNetParam")->valuedouble;
        cJSON *exp = cJSON_GetObjectItem(c, "spark_expected");
        lml_error err = {0};
        lml_stage *lr = lml_logistic_regression_new();
        cr_assert(lml_set_string(lr, "labelCol", "Survived", &err), "%s", err.message);
        cr_assert(lml_set_double(lr, "regParam", reg, &err));
        cr_assert(lml_set_double(lr, "elasticNetParam", en, &err));
        cr_assert(lml_set_int(lr, "maxIter", 1000, &err));
        cr_assert(lml_set_double(lr, "tol", 1e-12, &err));
        lml_stage *model = lml_fit(lr, df, &err);
        cr_assert(model, "regParam %g elasticNet %g: %s", reg, en, err.message);
        const double *coef = lml_logistic_regression_coefficients(model, &err);
        cr_assert(coef, "%s", err.message);
        char what[64];
        snprintf(what, sizeof what, "(%g,%g) intercept", reg, en);
        check_close(what, lml_logistic_regression_intercept(model, &err),
                    cJSON_GetObjectItem(exp, "intercept")->valuedouble);
        cJSON *rc = cJSON_GetObjectItem(exp, "coefficients");
        for (int j = 0; j < 4; j++) {
            double ref = cJSON_GetArrayItem(rc, j)->valuedouble;
            snprintf(what, sizeof what, "(%g,%g) coefficient %d", reg, en, j);
            check_close(what, coef[j], ref);
            if (ref == 0.0) /* exact zeros under L1 stay exact zeros */
                cr_expect(coef[j] == 0.0, "%s: expected an exact 0, got %.17g", what, coef[j]);
        }
        size_t nh = 0;
        const double *h = lml_logistic_regression_objective_history(model, &nh, &err);
        cr_assert(nh >= 2 && h);
        cr_expect_eq(lml_logistic_regression_total_iterations(model, &err), (long)nh - 1);
        /* The objective never increases between accepted states. */
        for (size_t i = 1; i < nh; i++)
            cr_expect(h[i] <= h[i - 1] + 1e-12, "(%g,%g) history rises at %zu", reg, en, i);
        lml_stage_free(model);
        lml_stage_free(lr);
    }
    lml_frame_free(df);
    cJSON_Delete(root);
    free(text);
}

/* Runs examples/titanic (the Spark tutorial program) and `lakeml fit examples/titanic.json`, and
 * checks their metrics. The split is Spark's (fixed for seed 42), so the values are fixed too;
 * the ranges come from peers: over 50 random 70/30 splits scikit-learn gets AUC 0.847 ± 0.020 and
 * accuracy 0.791 ± 0.024 (worst 0.735). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "support.h"

static double metric_after(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    cr_assert_not_null(p, "'%s' not in the output:\n%s", key, text);
    return strtod(p + strlen(key), NULL);
}

Test(titanic, tutorial_program_prints_metrics_in_the_peer_range)
{
    const char *exe = getenv("LML_EXAMPLE_TITANIC");
    cr_assert_not_null(exe, "LML_EXAMPLE_TITANIC is not set (tests/integration/meson.build sets it)");
    const char *titanic = lml_it_titanic_path();
    if (!titanic)
        cr_skip_test("SKIPPED: titanic.csv not found in datasets/ (run datasets/fetch.sh) nor in ../shared");
    char *out, *err;
    int status = lml_it_run((const char *[]){exe, titanic, NULL}, &out, &err);
    cr_assert_eq(status, 0, "titanic exited %d; stderr:\n%s", status, err);
    cr_expect(strstr(out, "891 passengers, 714 with every field present\n") != NULL, "%s", out);
    cr_expect(strstr(out, "only showing top 3 rows\n") != NULL);
    double auc = metric_after(out, "AUC: ");
    double acc = metric_after(out, "Accuracy: ");
    cr_expect(auc >= 0.78 && auc <= 0.91, "AUC %.4f outside [0.78, 0.91]", auc);
    cr_expect(acc >= 0.72 && acc <= 0.85, "accuracy %.4f outside [0.72, 0.85]", acc);
    /* The confusion matrix holds every test row once. */
    const char *cm = strstr(out, "Confusion matrix (rows actual, columns predicted):\n");
    cr_assert_not_null(cm);
    double a, b, c, d;
    cr_assert_eq(sscanf(cm + strlen("Confusion matrix (rows actual, columns predicted):\n"), "%lf %lf %lf %lf", &a, &b,
                        &c, &d),
                 4);
    double test_rows = metric_after(out, ", test ");
    cr_expect_eq(a + b + c + d, test_rows);
    cr_expect(((a + d) / test_rows - acc) < 5e-5 && (acc - (a + d) / test_rows) < 5e-5,
              "accuracy %.4f disagrees with the confusion matrix", acc);

    /* The same program as a spec gives the same numbers. */
    const char *lakeml = getenv("LML_LAKEML");
    const char *src = getenv("LML_SOURCE_DIR");
    cr_assert(lakeml && src);
    char spec[4096];
    snprintf(spec, sizeof spec, "%s/examples/titanic.json", src);
    char *jout, *jerr;
    /* The spec names datasets/titanic.csv relative to the checkout. */
    cr_assert_eq(chdir(src), 0);
    if (!lml_test_shared_path("datasets/titanic.csv") && access("datasets/titanic.csv", R_OK) != 0)
        cr_skip_test("SKIPPED: datasets/titanic.csv missing (run datasets/fetch.sh)");
    status = lml_it_run((const char *[]){lakeml, "fit", "--compact", spec, NULL}, &jout, &jerr);
    cr_assert_eq(status, 0, "lakeml fit exited %d; stderr:\n%s", status, jerr);
    double jauc = metric_after(jout, "\"metricName\":\"areaUnderROC\",\"value\":");
    double jacc = metric_after(jout, "\"metricName\":\"accuracy\",\"value\":");
    cr_expect(fabs(jauc - auc) < 5e-5, "spec AUC %.6f vs program %.6f", jauc, auc);
    cr_expect(fabs(jacc - acc) < 5e-5, "spec accuracy %.6f vs program %.6f", jacc, acc);
    cr_expect(strstr(jout, "\"labelsArray\":[[\"male\",\"female\"]]") != NULL, "%s", jout);
    cr_expect(strstr(jout, "\"labelsArray\":[[\"3\",\"1\",\"2\"]]") != NULL, "%s", jout);
    cr_expect(strstr(jout, "\"categorySizes\":[2,3]") != NULL, "%s", jout);
    cr_expect(strstr(jout, "\"rows\":714") != NULL, "%s", jout);
    free(out);
    free(err);
    free(jout);
    free(jerr);
}

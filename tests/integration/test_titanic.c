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

    /* The RandomForestClassifier on the same split: the bound (scikit-learn's forest gets
     * 0.85 on its own seed-42 split), every feature slot ranked, Sex first. */
    double rf_auc = metric_after(out, "rf test auc: ");
    cr_expect(rf_auc >= 0.80 && rf_auc <= 0.95, "RF AUC %.4f outside [0.80, 0.95]", rf_auc);
    const char *imp = strstr(out, "rf feature importances:\n");
    cr_assert_not_null(imp, "%s", out);
    cr_expect_eq(strncmp(imp + 24, "  importance Sex=male: ", 23), 0, "%.80s", imp);
    double sum = 0, prev = 2;
    int nimp = 0;
    for (const char *q = imp; (q = strstr(q, "  importance ")); q++, nimp++) {
        double w = strtod(strstr(q, ": ") + 2, NULL);
        cr_expect(w > 0 && w <= prev, "importance %d: %.4f after %.4f", nimp, w, prev);
        prev = w;
        sum += w;
    }
    cr_expect_eq(nimp, 5, "Pclass 2 slots + Sex 1 + Age + Fare");
    cr_expect(fabs(sum - 1) < 3e-4, "importances sum to %.4f", sum);

    /* The CrossValidator: six grid points in ParamGridBuilder's order, the best is the argmax. */
    static const char *const cv_reg[] = {"0.01", "0.1"}, *const cv_enet[] = {"0", "0.5", "1"};
    double best_auc = -1;
    int best_j = -1, lines = 0;
    for (int j = 0; j < 6; j++) {
        char key[96];
        snprintf(key, sizeof key, "cv regParam %s elasticNetParam %s: avg auc ", cv_reg[j / 3], cv_enet[j % 3]);
        double m = metric_after(out, key);
        cr_expect(m > 0.75 && m < 0.95, "grid point %d: avg AUC %.4f", j, m);
        if (m > best_auc) {
            best_auc = m;
            best_j = j;
        }
    }
    for (const char *q = out; (q = strstr(q, "\ncv regParam ")); q++)
        lines++;
    cr_expect_eq(lines, 6, "%s", out);
    char best_line[96];
    snprintf(best_line, sizeof best_line, "cv best params: regParam %s elasticNetParam %s\n", cv_reg[best_j / 3],
             cv_enet[best_j % 3]);
    cr_expect(strstr(out, best_line) != NULL, "expected '%s' in:\n%s", best_line, out);
    double cv_auc = metric_after(out, "cv best test auc: ");
    cr_expect(cv_auc >= 0.78 && cv_auc <= 0.91, "CV best test AUC %.4f", cv_auc);
    free(out);
    free(err);
    free(jout);
    free(jerr);
}

/* examples/titanic_cv.json: the tutorial's CrossValidator over regParam × elasticNetParam. */
Test(titanic, cross_validated_spec_reports_every_grid_point_and_the_best)
{
    const char *lakeml = getenv("LML_LAKEML");
    const char *src = getenv("LML_SOURCE_DIR");
    cr_assert(lakeml && src);
    cr_assert_eq(chdir(src), 0);
    if (access("datasets/titanic.csv", R_OK) != 0)
        cr_skip_test("SKIPPED: datasets/titanic.csv missing (run datasets/fetch.sh)");
    char *out, *err;
    int status = lml_it_run((const char *[]){lakeml, "fit", "--compact", "examples/titanic_cv.json", NULL}, &out, &err);
    cr_assert_eq(status, 0, "lakeml fit exited %d; stderr:\n%s", status, err);
    /* Six grid points, in PySpark's order (regParam slowest), each a 3-fold mean AUC. */
    const char *p = strstr(out, "\"grid\":[");
    cr_assert_not_null(p, "%s", out);
    double best = -1;
    int best_j = -1, count = 0;
    static const char *const reg[] = {"regParam: 0.01,", "regParam: 0.1,"};
    static const char *const enet[] = {"elasticNetParam: 0.0}", "elasticNetParam: 0.5}", "elasticNetParam: 1.0}"};
    for (const char *q = strstr(p, "\"metric\":"); q; q = strstr(q + 1, "\"metric\":"), count++) {
        double m = strtod(q + 9, NULL);
        cr_expect(m > 0.75 && m < 0.95, "grid point %d: AUC %.4f", count, m);
        if (m > best) {
            best = m;
            best_j = count;
        }
        const char *params = q;
        while (params > p && strncmp(params, "\"params\":", 9) != 0)
            params--;
        const char *rp = strstr(params, "regParam: ");
        const char *ep = strstr(params, "elasticNetParam: ");
        cr_assert(rp && ep && count < 6);
        cr_expect_eq(strncmp(rp, reg[count / 3], strlen(reg[count / 3])), 0, "grid point %d: %.60s", count, rp);
        cr_expect_eq(strncmp(ep, enet[count % 3], strlen(enet[count % 3])), 0, "grid point %d: %.60s", count, ep);
    }
    cr_expect_eq(count, 6, "%s", out);
    char key[32];
    snprintf(key, sizeof key, "\"bestIndex\":%d", best_j);
    cr_expect(strstr(out, key) != NULL, "best index is not the argmax %d:\n%s", best_j, out);
    double auc = metric_after(out, "\"metricName\":\"areaUnderROC\",\"value\":");
    cr_expect(auc >= 0.78 && auc <= 0.91, "test AUC %.4f", auc);

    /* examples/titanic runs the same CrossValidator: the same table, best and test AUC. */
    const char *exe = getenv("LML_EXAMPLE_TITANIC");
    cr_assert_not_null(exe);
    char *pout, *perr;
    status = lml_it_run((const char *[]){exe, "datasets/titanic.csv", NULL}, &pout, &perr);
    cr_assert_eq(status, 0, "titanic exited %d; stderr:\n%s", status, perr);
    const char *line = pout;
    int j = 0;
    for (const char *q = strstr(p, "\"metric\":"); q; q = strstr(q + 1, "\"metric\":"), j++) {
        line = strstr(line, "\ncv regParam ");
        cr_assert_not_null(line, "grid point %d missing from the program's output:\n%s", j, pout);
        line++;
        double m = metric_after(line, ": avg auc ");
        cr_expect(fabs(m - strtod(q + 9, NULL)) < 5e-5, "grid point %d: program %.4f, spec %.6f", j, m,
                  strtod(q + 9, NULL));
    }
    static const char *const best_lines[] = {
        "cv best params: regParam 0.01 elasticNetParam 0\n", "cv best params: regParam 0.01 elasticNetParam 0.5\n",
        "cv best params: regParam 0.01 elasticNetParam 1\n", "cv best params: regParam 0.1 elasticNetParam 0\n",
        "cv best params: regParam 0.1 elasticNetParam 0.5\n", "cv best params: regParam 0.1 elasticNetParam 1\n"};
    cr_assert(best_j >= 0 && best_j < 6);
    cr_expect(strstr(pout, best_lines[best_j]) != NULL, "expected '%s' in:\n%s", best_lines[best_j], pout);
    double pauc = metric_after(pout, "cv best test auc: ");
    cr_expect(fabs(pauc - auc) < 5e-5, "program's CV best test AUC %.4f, spec's %.6f", pauc, auc);
    free(pout);
    free(perr);
    free(out);
    free(err);
}

/* examples/titanic saves its PipelineModel; examples/embedded_scoring loads it and scores
 * passengers typed on stdin. The printed probabilities must be the library's own (lml_transform of
 * the loaded model on the same rows), and rejected passengers must say why. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "lakeml/lakeml.h"
#include "support.h"

/* P(survived) lml_transform gives for one passenger, printed as the example prints it. */
static void expected_line(const lml_stage *model, const char *sex, int32_t pclass, double age, double fare, char *buf,
                          size_t cap)
{
    lml_error err = {0};
    lml_column *cols[4] = {lml_column_from_strings((const char *[]){sex}, 1, &err),
                           lml_column_from_int32s((int32_t[]){pclass}, NULL, 1, &err),
                           lml_column_from_doubles((double[]){age}, NULL, 1, &err),
                           lml_column_from_doubles((double[]){fare}, NULL, 1, &err)};
    for (int i = 0; i < 4; i++)
        cr_assert_not_null(cols[i], "%s", err.message);
    lml_frame *f = lml_frame_new(4, (const char *[]){"Sex", "Pclass", "Age", "Fare"}, cols, &err);
    cr_assert_not_null(f, "%s", err.message);
    lml_frame *p = lml_transform(model, f, &err);
    cr_assert_not_null(p, "%s", err.message);
    const lml_column *prob = lml_frame_column_by_name(p, "probability", &err);
    const lml_column *pred = lml_frame_column_by_name(p, "prediction", &err);
    cr_assert(prob && pred, "%s", err.message);
    const double *pv = lml_column_vector_dense(prob);
    snprintf(buf, cap, "prediction=%.6g probability[0]=%.6g probability[1]=%.6g\n", lml_column_doubles(pred)[0], pv[0],
             pv[1]);
    lml_frame_free(p);
    lml_frame_free(f);
    for (int i = 0; i < 4; i++)
        lml_column_free(cols[i]);
}

Test(embedded, titanic_model_scores_passengers_from_stdin_as_the_library_does)
{
    const char *titanic = getenv("LML_EXAMPLE_TITANIC"), *embedded = getenv("LML_EXAMPLE_EMBEDDED");
    cr_assert(titanic && embedded, "LML_EXAMPLE_TITANIC / LML_EXAMPLE_EMBEDDED unset (tests/integration/meson.build)");
    const char *data = lml_it_titanic_path();
    if (!data)
        cr_skip_test("SKIPPED: titanic.csv not found in datasets/ (run datasets/fetch.sh) nor in ../shared");
    char dir[] = "/tmp/lml_embedded_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char model_dir[256], input[256], cmd[1024];
    snprintf(model_dir, sizeof model_dir, "%s/titanic_model", dir);
    snprintf(input, sizeof input, "%s/passengers.csv", dir);

    char *out, *err;
    int status = lml_it_run((const char *[]){titanic, data, model_dir, NULL}, &out, &err);
    cr_assert_eq(status, 0, "titanic exited %d; stderr:\n%s", status, err);
    cr_expect(strstr(out, "Saved the pipeline model (5 stages) to ") != NULL, "%s", out);
    free(out);
    free(err);

    /* Fields in the scorer's order: the StringIndexer inputs, then the assembler's numbers. */
    FILE *f = fopen(input, "w");
    cr_assert_not_null(f);
    fputs("male,3,22,7.25\n"
          "female, 1, 38, 71.2833\n"
          "\n"
          "robot,2,30,10\n"
          "female,1,,50\n"
          "male,3,22\n"
          "male,3,twenty,7.25\n",
          f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' '%s' < '%s'", embedded, model_dir, input);
    status = lml_it_run((const char *[]){"/bin/sh", "-c", cmd, NULL}, &out, &err);
    cr_assert_eq(status, 0, "embedded_scoring exited %d; stderr:\n%s", status, err);
    cr_expect_str_eq(err, "fields: Sex (text), Pclass (text), Age (number), Fare (number)\n");

    lml_error e = {0};
    lml_stage *model = lml_load(model_dir, &e);
    cr_assert_not_null(model, "%s", e.message);
    cr_expect_str_eq(lml_stage_class(model), "org.apache.spark.ml.PipelineModel");
    cr_expect_eq(lml_pipeline_num_stages(model), 5);
    char want[4096], line[256];
    want[0] = '\0';
    expected_line(model, "male", 3, 22, 7.25, line, sizeof line);
    strcat(want, line);
    expected_line(model, "female", 1, 38, 71.2833, line, sizeof line);
    strcat(want, line);
    /* An unseen category and a null Age (VectorAssembler's handleInvalid=error) are rejected with
     * the stage's own message; bad lines are reported without stopping. */
    const char *uid_sex = lml_stage_uid(lml_pipeline_stage(model, 0));
    const char *uid_va = lml_stage_uid(lml_pipeline_stage(model, 3));
    const char *lines = out;
    cr_assert(strncmp(lines, want, strlen(want)) == 0, "expected\n%s\ngot\n%s", want, out);
    lines += strlen(want);
    const char *nl = strchr(lines, '\n');
    cr_assert_not_null(nl, "%s", out);
    cr_expect(strncmp(lines, "rejected: ", 10) == 0 && strstr(lines, uid_sex) && strstr(lines, "robot") &&
                  strstr(lines, "robot") < nl,
              "line 3: %.*s", (int)(nl - lines), lines);
    lines = nl + 1;
    nl = strchr(lines, '\n');
    cr_assert_not_null(nl, "%s", out);
    cr_expect(strncmp(lines, "rejected: ", 10) == 0 && strstr(lines, uid_va) && strstr(lines, uid_va) < nl,
              "line 4: %.*s", (int)(nl - lines), lines);
    lines = nl + 1;
    cr_expect_str_eq(lines, "error: expected 4 fields, got 3\n"
                            "error: field 3 (Age): 'twenty' is not a number\n");
    lml_stage_free(model);
    free(out);
    free(err);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

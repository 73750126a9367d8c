/* `lakeml export-c`: pipelines fitted and saved here are exported by the command, the generated
 * C is compiled with the system compiler (-std=c99 -Wall -Wextra -Werror -pedantic) together with
 * a small driver, and every output of 1,200 rows must equal lml_transform's bit for bit. Skips
 * when no `cc` is on PATH. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/lakeml.h"
#include "scorer_support.h"
#include "support.h"

#define CFLAGS "-std=c99 -O2 -Wall -Wextra -Werror -pedantic"

static void require_cc(void)
{
    if (system("command -v cc >/dev/null 2>&1") != 0)
        cr_skip_test("SKIPPED: no `cc` on PATH to compile the generated C");
}

static const char *lakeml_bin(void)
{
    static char path[512];
    const char *build = getenv("LML_BUILD_DIR");
    cr_assert_not_null(build, "LML_BUILD_DIR is not set (tests/meson.build sets it)");
    snprintf(path, sizeof path, "%s/src/cli/lakeml", build);
    return path;
}

static int run(const char *cmd)
{
    int rc = system(cmd);
    return rc == -1 ? -1 : WEXITSTATUS(rc);
}

/* Runs `lakeml export-c` on model_dir into dir/model.c. */
static void export_c(const char *model_dir, const char *dir, const char *prefix)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' export-c '%s' -o '%s/model.c' --prefix %s 2>'%s/export.err'", lakeml_bin(),
             model_dir, dir, prefix, dir);
    int rc = run(cmd);
    if (rc != 0) {
        char p[600];
        snprintf(p, sizeof p, "%s/export.err", dir);
        char *msg = lml_test_slurp(p);
        cr_assert_fail("export-c exited %d: %s", rc, msg ? msg : "");
    }
}

/* A driver reading one row per line (fields tab-separated; \N a null string; numbers as strtod
 * reads them) and printing the return code and each output with %a. */
static void write_driver(const lml_scorer *s, const char *dir, const char *P)
{
    char path[600];
    snprintf(path, sizeof path, "%s/driver.c", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include \"model.c\"\n"
               "int main(int argc, char **argv)\n{\n    static char line[65536];\n    FILE *in;\n"
               "    if (argc < 2 || !(in = fopen(argv[1], \"r\")))\n        return 3;\n"
               "    while (fgets(line, sizeof line, in)) {\n        char *fld[%zu], *p = line;\n"
               "        %s_input row;\n        double out[%s_NUM_OUTPUTS];\n        int k, rc;\n"
               "        line[strcspn(line, \"\\n\")] = 0;\n"
               "        for (k = 0; k < %zu; k++) {\n            fld[k] = p;\n            p += strcspn(p, \"\\t\");\n"
               "            if (*p)\n                *p++ = 0;\n        }\n",
            lml_scorer_num_inputs(s) + 1, P, P, lml_scorer_num_inputs(s));
    for (size_t i = 0; i < lml_scorer_num_inputs(s); i++) {
        const char *nm = lml_scorer_input_name(s, i);
        for (const char *c = nm; *c; c++)
            cr_assert(isalnum((unsigned char)*c) || *c == '_', "input name %s is not an identifier", nm);
        if (lml_scorer_input_is_string(s, i))
            fprintf(f, "        row.%s = strcmp(fld[%zu], \"\\\\N\") ? fld[%zu] : NULL;\n", nm, i, i);
        else
            fprintf(f, "        row.%s = strtod(fld[%zu], NULL);\n", nm, i);
    }
    fprintf(f, "        rc = %s_predict(&row, out);\n        printf(\"%%d\", rc);\n"
               "        for (k = 0; rc == 0 && k < %s_NUM_OUTPUTS; k++)\n            printf(\" %%a\", out[k]);\n"
               "        printf(\"\\n\");\n    }\n    fclose(in);\n    return 0;\n}\n",
            P, P);
    fclose(f);
}

/* Writes df's rows as the driver reads them. */
static void write_rows(const lml_scorer *s, const lml_frame *df, const char *path)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    lml_value row[64];
    for (size_t i = 0; i < lml_frame_num_rows(df); i++) {
        sc_row(s, df, i, row);
        for (size_t k = 0; k < lml_scorer_num_inputs(s); k++) {
            const lml_value *v = &row[k];
            if (k)
                fputc('\t', f);
            if (v->type == LML_STRING)
                fprintf(f, "%.*s", v->is_null ? 2 : (int)v->v.str.len, v->is_null ? "\\N" : v->v.str.ptr);
            else if (v->is_null)
                fputs("nan", f);
            else
                fprintf(f, "%a", v->type == LML_INT32 ? (double)v->v.i32 : v->type == LML_INT64 ? (double)v->v.i64
                                                                                                  : v->v.f64);
        }
        fputc('\n', f);
    }
    fclose(f);
}

/* Saves model, exports it with the command, compiles, runs on df and compares bit for bit. */
static void export_and_compare(const lml_stage *model, const lml_frame *df, size_t want_outputs)
{
    require_cc();
    lml_error err = {0};
    const char *tmp = lml_test_temp_dir();
    cr_assert_not_null(tmp);
    char dir[256], mdir[300], cmd[2048], path[400];
    snprintf(dir, sizeof dir, "%s", tmp);
    snprintf(mdir, sizeof mdir, "%s/model", dir);
    cr_assert(lml_save(model, mdir, LML_SAVE_OVERWRITE, &err), "%s", err.message);
    export_c(mdir, dir, "m");
    lml_scorer *s = lml_scorer_new(model, &err);
    cr_assert_not_null(s, "%s", err.message);
    cr_assert_eq(lml_scorer_num_outputs(s), want_outputs);
    write_driver(s, dir, "m");
    snprintf(cmd, sizeof cmd, "cd '%s' && cc " CFLAGS " -o driver driver.c -lm 2>cc.err", dir);
    if (run(cmd) != 0) {
        snprintf(path, sizeof path, "%s/cc.err", dir);
        char *msg = lml_test_slurp(path);
        cr_assert_fail("the generated C does not compile cleanly: %.2000s", msg ? msg : "");
    }
    snprintf(path, sizeof path, "%s/rows.tsv", dir);
    write_rows(s, df, path);
    snprintf(cmd, sizeof cmd, "cd '%s' && ./driver rows.tsv > out.txt", dir);
    cr_assert_eq(run(cmd), 0);
    snprintf(path, sizeof path, "%s/out.txt", dir);
    char *text = lml_test_slurp(path);
    cr_assert_not_null(text);
    lml_frame *out = lml_transform(model, df, &err);
    cr_assert_not_null(out, "%s", err.message);
    size_t n = lml_frame_num_rows(df), K = lml_scorer_num_classes(s);
    cr_assert_eq(lml_frame_num_rows(out), n);
    char *p = text;
    double want[64];
    for (size_t i = 0; i < n; i++) {
        char *end;
        long rc = strtol(p, &end, 10);
        cr_assert(end != p, "row %zu: no output line", i);
        cr_assert_eq(rc, 0, "row %zu: the generated code returned %ld", i, rc);
        p = end;
        sc_expected(out, i, K, want);
        for (size_t k = 0; k < want_outputs; k++) {
            double got = strtod(p, &end);
            cr_assert(end != p, "row %zu: output %zu missing", i, k);
            p = end;
            cr_assert(memcmp(&got, &want[k], sizeof got) == 0, "row %zu %s: generated %a, library %a", i,
                      lml_scorer_output_name(s, k), got, want[k]);
        }
        while (*p == ' ')
            p++;
        cr_assert_eq(*p, '\n', "row %zu: extra output", i);
        p++;
    }
    cr_assert_eq(*p, '\0', "more output lines than rows");
    free(text);
    lml_frame_free(out);
    lml_scorer_free(s);
}

static lml_stage *label(lml_stage *est, const char *col)
{
    lml_error err = {0};
    cr_assert(lml_set_string(est, "labelCol", col, &err), "%s", err.message);
    return est;
}

Test(export_c, logistic_pipeline_compiles_and_predicts_exactly_what_the_library_does)
{
    require_cc();
    lml_frame *df = sc_make_frame(7), *other = sc_make_frame(31);
    lml_stage *st[8];
    size_t n = sc_feature_stages(st, true);
    lml_stage *m = sc_fit(st, n, label(lml_logistic_regression_new(), "y"), df);
    export_and_compare(m, other, 5);
    lml_stage_free(m);
    lml_frame_free(df);
    lml_frame_free(other);
}

Test(export_c, random_forest_pipeline_of_60_trees_compiles_and_predicts_exactly)
{
    require_cc();
    lml_error err = {0};
    lml_frame *df = sc_make_frame(7), *other = sc_make_frame(32);
    lml_stage *st[8];
    size_t n = sc_feature_stages(st, false); /* categorical splits on the indices */
    lml_stage *rf = label(lml_random_forest_classifier_new(), "y3");
    cr_assert(lml_set_int(rf, "numTrees", 60, &err) && lml_set_int(rf, "maxDepth", 7, &err), "%s", err.message);
    lml_stage *m = sc_fit(st, n, rf, df);
    export_and_compare(m, other, 7);
    lml_stage_free(m);
    lml_frame_free(df);
    lml_frame_free(other);
}

/* Regression forests and GBTs add up one value per tree (13 trees: the 4-tree lockstep walk
 * and its remainder both run). */
Test(export_c, regression_forest_and_gbt_classifier_export_exactly)
{
    require_cc();
    lml_error err = {0};
    lml_frame *df = sc_make_frame(7), *other = sc_make_frame(33);
    lml_stage *st[8];
    size_t n = sc_feature_stages(st, false);
    lml_stage *rf = label(lml_random_forest_regressor_new(), "y");
    cr_assert(lml_set_int(rf, "numTrees", 13, &err), "%s", err.message);
    lml_stage *m = sc_fit(st, n, rf, df);
    export_and_compare(m, other, 1);
    lml_stage_free(m);

    n = sc_feature_stages(st, false);
    lml_stage *gbt = label(lml_gbt_classifier_new(), "y");
    cr_assert(lml_set_int(gbt, "maxIter", 13, &err), "%s", err.message);
    m = sc_fit(st, n, gbt, df);
    export_and_compare(m, other, 5);
    lml_stage_free(m);
    lml_frame_free(df);
    lml_frame_free(other);
}

Test(export_c, spark_saved_pipeline_exports_to_clean_c)
{
    require_cc();
    LML_REQUIRE_SHARED(dir, "conformance/spark-models/cugoapo-streaming-pipeline/pipeline_model");
    const char *tmp = lml_test_temp_dir();
    cr_assert_not_null(tmp);
    char out[256], cmd[1024], path[400];
    snprintf(out, sizeof out, "%s", tmp);
    export_c(dir, out, "cugoapo");
    snprintf(path, sizeof path, "%s/model.c", out);
    char *src = lml_test_slurp(path);
    cr_assert_not_null(src);
    cr_assert(strstr(src, "int cugoapo_predict(const cugoapo_input *row, double *out);"), "entry point declared");
    cr_assert(strstr(src, "const char *meslek;"), "a string input member");
    cr_assert_null(strstr(src, "ekonomik_durum;"), "the label indexer's input is not an input");
    free(src);
    snprintf(cmd, sizeof cmd, "cd '%s' && cc " CFLAGS " -c model.c -o model.o 2>cc.err", out);
    if (run(cmd) != 0) {
        snprintf(path, sizeof path, "%s/cc.err", out);
        char *msg = lml_test_slurp(path);
        cr_assert_fail("the generated C does not compile cleanly: %.2000s", msg ? msg : "");
    }
}

Test(export_c, bad_prefix_and_missing_model_fail)
{
    lml_error err = {0};
    lml_frame *df = sc_make_frame(3);
    lml_stage *st[8];
    size_t n = sc_feature_stages(st, true);
    lml_stage *m = sc_fit(st, n, label(lml_linear_regression_new(), "yr"), df);
    lml_scorer *s = lml_scorer_new(m, &err);
    cr_assert_not_null(s, "%s", err.message);
    FILE *f = tmpfile();
    cr_assert_not(lml_scorer_export_c(s, "9abc", NULL, f, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert(strstr(err.message, "not a C identifier"), "%s", err.message);
    cr_assert(lml_scorer_export_c(s, "ok_name", "m", f, &err), "%s", err.message);
    cr_assert_gt(ftell(f), 1000);
    fclose(f);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' export-c /nonexistent/model -o /tmp/never.c 2>/dev/null", lakeml_bin());
    cr_assert_eq(run(cmd), 1);
    lml_scorer_free(s);
    lml_stage_free(m);
    lml_frame_free(df);
}

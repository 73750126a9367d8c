/* ParamGridBuilder (spec §11.2): PySpark's product order, replacement, baseOn, nested stages. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/ml/pipeline.h"
#include "lakeml/ml/regression.h"
#include "lakeml/ml/tuning.h"

static double get_d(const lml_stage *s, const char *p)
{
    double v = -1;
    lml_error err = {0};
    cr_assert(lml_get_double(s, p, &v, &err), "%s", err.message);
    return v;
}

Test(param_grid, first_param_varies_slowest_and_base_on_is_fixed)
{
    lml_error err = {0};
    lml_stage *lr = lml_linear_regression_new();
    lml_param_grid *g = lml_param_grid_new();
    cr_assert(lml_param_grid_add_double(g, lr, "regParam", (double[]){0.1, 0.2}, 2, &err), "%s", err.message);
    cr_assert(lml_param_grid_add_double(g, lr, "elasticNetParam", (double[]){0, 0.5, 1}, 3, &err), "%s",
              err.message);
    cr_assert(lml_param_grid_base_on_bool(g, lr, "fitIntercept", false, &err), "%s", err.message);
    cr_assert_eq(lml_param_grid_num_maps(g), 6);
    const double reg[] = {0.1, 0.1, 0.1, 0.2, 0.2, 0.2}, en[] = {0, 0.5, 1, 0, 0.5, 1};
    for (size_t j = 0; j < 6; j++) {
        lml_stage *c = lml_param_grid_apply(g, j, lr, &err);
        cr_assert(c, "%s", err.message);
        cr_expect_str_eq(lml_stage_uid(c), lml_stage_uid(lr));
        cr_expect_eq(get_d(c, "regParam"), reg[j], "map %zu", j);
        cr_expect_eq(get_d(c, "elasticNetParam"), en[j], "map %zu", j);
        bool fi = true;
        cr_assert(lml_get_bool(c, "fitIntercept", &fi, &err));
        cr_expect_not(fi);
        lml_stage_free(c);
    }
    /* The estimator itself is untouched. */
    cr_expect_eq(get_d(lr, "regParam"), 0.0);
    char want[256];
    snprintf(want, sizeof want, "{%s.regParam: 0.2, %s.elasticNetParam: 0.5, %s.fitIntercept: false}",
             lml_stage_uid(lr), lml_stage_uid(lr), lml_stage_uid(lr));
    char *s = lml_param_grid_map_string(g, 4, &err);
    cr_assert(s, "%s", err.message);
    cr_expect_str_eq(s, want);
    free(s);
    cr_expect_null(lml_param_grid_map_string(g, 6, &err));
    cr_expect_eq(err.code, LML_ERANGE);
    cr_expect_null(lml_param_grid_apply(g, 6, lr, &err));
    lml_param_grid_free(g);
    lml_stage_free(lr);
}

Test(param_grid, later_add_replaces_values_in_place_and_zero_values_empty_the_grid)
{
    lml_error err = {0};
    lml_stage *lr = lml_linear_regression_new();
    lml_param_grid *g = lml_param_grid_new();
    cr_expect_eq(lml_param_grid_num_maps(g), 1); /* itertools.product() of nothing: one empty map */
    char *s = lml_param_grid_map_string(g, 0, &err);
    cr_expect_str_eq(s, "{}");
    free(s);
    cr_assert(lml_param_grid_add_double(g, lr, "regParam", (double[]){0.1, 0.2}, 2, &err));
    cr_assert(lml_param_grid_add_int(g, lr, "maxIter", (int64_t[]){5, 10, 20}, 3, &err), "%s", err.message);
    cr_assert(lml_param_grid_add_double(g, lr, "regParam", (double[]){3.0}, 1, &err));
    cr_expect_eq(lml_param_grid_num_maps(g), 3);
    char want[200];
    snprintf(want, sizeof want, "{%s.regParam: 3.0, %s.maxIter: 20}", lml_stage_uid(lr), lml_stage_uid(lr));
    s = lml_param_grid_map_string(g, 2, &err);
    cr_expect_str_eq(s, want);
    free(s);
    cr_assert(lml_param_grid_add_string(g, lr, "solver", (const char *[]){"normal", "l-bfgs"}, 2, &err));
    cr_expect_eq(lml_param_grid_num_maps(g), 6);
    lml_stage *c = lml_param_grid_apply(g, 5, lr, &err);
    cr_expect_str_eq(lml_get_string(c, "solver", &err), "l-bfgs");
    lml_stage_free(c);
    cr_assert(lml_param_grid_add_string(g, lr, "solver", NULL, 0, &err));
    cr_expect_eq(lml_param_grid_num_maps(g), 0);
    lml_param_grid_free(g);
    lml_stage_free(lr);
}

Test(param_grid, sets_params_on_a_stage_nested_in_a_pipeline_copy)
{
    lml_error err = {0};
    lml_stage *lr = lml_linear_regression_new();
    lml_param_grid *g = lml_param_grid_new();
    cr_assert(lml_param_grid_add_double(g, lr, "regParam", (double[]){0.5, 2.0}, 2, &err));
    lml_stage *inner = lml_pipeline_new((lml_stage *[]){lr, NULL}, &err);
    cr_assert(inner, "%s", err.message);
    lml_stage *outer = lml_pipeline_new((lml_stage *[]){inner, NULL}, &err);
    cr_assert(outer, "%s", err.message);
    lml_stage *c = lml_param_grid_apply(g, 1, outer, &err);
    cr_assert(c, "%s", err.message);
    cr_expect_str_eq(lml_stage_uid(c), lml_stage_uid(outer));
    const lml_stage *nested = lml_pipeline_stage(lml_pipeline_stage(c, 0), 0);
    cr_expect_eq(get_d(nested, "regParam"), 2.0);
    /* The original pipeline's stage keeps its default. */
    cr_expect_eq(get_d(lml_pipeline_stage(lml_pipeline_stage(outer, 0), 0), "regParam"), 0.0);
    lml_stage_free(c);
    /* A map for a stage that is not in the estimator names the uid. */
    lml_stage *other = lml_linear_regression_new();
    cr_expect_null(lml_param_grid_apply(g, 0, other, &err));
    cr_expect_eq(err.code, LML_ENOTFOUND);
    cr_expect(strstr(err.message, lml_stage_uid(lr)) != NULL, "%s", err.message);
    lml_stage_free(other);
    lml_stage_free(outer);
    lml_param_grid_free(g);
}

Test(param_grid, bad_params_are_errors_naming_stage_and_param)
{
    lml_error err = {0};
    lml_stage *lr = lml_linear_regression_new();
    lml_param_grid *g = lml_param_grid_new();
    cr_expect_not(lml_param_grid_add_double(g, lr, "noSuchParam", (double[]){1}, 1, &err));
    cr_expect_eq(err.code, LML_ENOTFOUND);
    cr_expect(strstr(err.message, "noSuchParam") && strstr(err.message, lml_stage_uid(lr)), "%s", err.message);
    cr_expect_not(lml_param_grid_add_int(g, lr, "regParam", (int64_t[]){1}, 1, &err));
    cr_expect_eq(err.code, LML_ETYPE);
    cr_expect(strstr(err.message, "regParam") != NULL, "%s", err.message);
    cr_expect_not(lml_param_grid_add_double(g, lr, "regParam", (double[]){0.1, -1}, 2, &err));
    cr_expect(strstr(err.message, "regParam") != NULL, "%s", err.message);
    cr_expect_eq(lml_param_grid_num_maps(g), 1); /* nothing was added */
    lml_param_grid_free(g);
    lml_stage_free(lr);
}

/* ML attribute metadata (spec §3): Spark's "ml_attr" JSON shapes read and written. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "ml/attr.h"

Test(ml_attr, parses_a_nominal_scalar_as_spark_writes_it)
{
    lml_error err = {0};
    lml_attr a;
    bool present;
    cr_assert(lml_attr_parse("{\"ml_attr\":{\"vals\":[\"male\",\"female\"],\"type\":\"nominal\",\"name\":\"SexIndex\"}}",
                             &a, &present, &err),
              "%s", err.message);
    cr_assert(present);
    cr_expect_eq(a.type, LML_ATTR_NOMINAL);
    cr_expect_str_eq(a.name, "SexIndex");
    cr_expect_eq(a.idx, -1);
    cr_assert_eq(a.nvals, 2);
    cr_expect_str_eq(a.vals[1], "female");
    char *json = lml_attr_to_json(&a, &err);
    cr_expect_str_eq(json, "{\"ml_attr\":{\"type\":\"nominal\",\"name\":\"SexIndex\",\"vals\":[\"male\",\"female\"]}}");
    free(json);
    lml_attr_clear(&a);
}

Test(ml_attr, num_values_of_each_kind)
{
    lml_error err = {0};
    cr_expect_eq(lml_attr_num_values("{\"ml_attr\":{\"type\":\"nominal\",\"vals\":[\"a\",\"b\",\"c\"]}}", &err), 3);
    cr_expect_eq(lml_attr_num_values("{\"ml_attr\":{\"type\":\"nominal\",\"num_vals\":7}}", &err), 7);
    cr_expect_eq(lml_attr_num_values("{\"ml_attr\":{\"type\":\"binary\"}}", &err), 2);
    cr_expect_eq(lml_attr_num_values("{\"ml_attr\":{\"name\":\"x\"}}", &err), -1); /* numeric by default */
    cr_expect_eq(lml_attr_num_values("{\"other\":1}", &err), -1);
    cr_expect_eq(lml_attr_num_values(NULL, &err), -1);
    cr_expect_eq(lml_attr_num_values("{\"ml_attr\":", &err), -2);
    cr_expect_eq(err.code, LML_EFORMAT);
    cr_expect_eq(lml_attr_num_values("{\"ml_attr\":{\"type\":\"weird\"}}", &err), -2);
    cr_expect(strstr(err.message, "weird") != NULL, "%s", err.message);
}

Test(ml_attr, group_lists_are_merged_in_index_order)
{
    lml_error err = {0};
    lml_attr_group g;
    bool present;
    const char *spark = "{\"ml_attr\":{\"attrs\":{\"numeric\":[{\"idx\":3,\"name\":\"Age\"},{\"idx\":4,\"name\":\"Fare\"}],"
                        "\"binary\":[{\"idx\":0,\"name\":\"PclassVec_3\"},{\"idx\":1,\"name\":\"PclassVec_1\"},"
                        "{\"idx\":2,\"name\":\"SexVec_male\"}]},\"num_attrs\":5}}";
    cr_assert(lml_attr_group_parse(spark, &g, &present, &err), "%s", err.message);
    cr_assert(present);
    cr_expect_eq(g.num_attrs, 5);
    cr_assert_eq(g.nattrs, 5);
    const char *names[] = {"PclassVec_3", "PclassVec_1", "SexVec_male", "Age", "Fare"};
    for (size_t i = 0; i < 5; i++) {
        cr_expect_eq(g.attrs[i].idx, (long)i);
        cr_expect_str_eq(g.attrs[i].name, names[i]);
        cr_expect_eq(g.attrs[i].type, i < 3 ? LML_ATTR_BINARY : LML_ATTR_NUMERIC);
    }
    /* written back in Spark's list order (numeric, nominal, binary) */
    char *json = lml_attr_group_to_json(&g, &err);
    cr_expect_str_eq(json, "{\"ml_attr\":{\"attrs\":{\"numeric\":[{\"name\":\"Age\",\"idx\":3},{\"name\":\"Fare\",\"idx\":4}],"
                           "\"binary\":[{\"name\":\"PclassVec_3\",\"idx\":0},{\"name\":\"PclassVec_1\",\"idx\":1},"
                           "{\"name\":\"SexVec_male\",\"idx\":2}]},\"num_attrs\":5}}");
    free(json);
    lml_attr_group_clear(&g);
}

Test(ml_attr, group_with_only_a_size_or_nothing)
{
    lml_error err = {0};
    lml_attr_group g;
    bool present;
    cr_assert(lml_attr_group_parse("{\"ml_attr\":{\"num_attrs\":4}}", &g, &present, &err));
    cr_expect(present);
    cr_expect_eq(g.num_attrs, 4);
    cr_expect_eq(g.nattrs, 0);
    char *json = lml_attr_group_to_json(&g, &err);
    cr_expect_str_eq(json, "{\"ml_attr\":{\"num_attrs\":4}}");
    free(json);
    lml_attr_group_clear(&g);
    cr_assert(lml_attr_group_parse(NULL, &g, &present, &err));
    cr_expect_not(present);
    cr_expect_eq(g.num_attrs, -1);
    /* an index beyond num_attrs, and an entry without idx, are format errors */
    cr_expect_not(lml_attr_group_parse("{\"ml_attr\":{\"attrs\":{\"numeric\":[{\"idx\":4,\"name\":\"a\"}]},"
                                       "\"num_attrs\":2}}",
                                       &g, &present, &err));
    cr_expect_eq(err.code, LML_EFORMAT);
    cr_expect_not(lml_attr_group_parse("{\"ml_attr\":{\"attrs\":{\"binary\":[{\"name\":\"a\"}]}}}", &g, &present, &err));
    cr_expect(strstr(err.message, "without \"idx\"") != NULL, "%s", err.message);
}

Test(ml_attr, unnamed_numeric_slots_are_omitted_and_nominal_num_vals_written)
{
    lml_error err = {0};
    lml_attr attrs[3] = {{.type = LML_ATTR_NUMERIC, .idx = 0, .num_vals = -1},
                         {.type = LML_ATTR_NOMINAL, .name = "c", .idx = 1, .num_vals = 3},
                         {.type = LML_ATTR_NUMERIC, .name = "x", .idx = 2, .num_vals = -1}};
    lml_attr_group g = {.num_attrs = 3, .attrs = attrs, .nattrs = 3};
    char *json = lml_attr_group_to_json(&g, &err);
    cr_expect_str_eq(json, "{\"ml_attr\":{\"attrs\":{\"numeric\":[{\"name\":\"x\",\"idx\":2}],"
                           "\"nominal\":[{\"name\":\"c\",\"idx\":1,\"num_vals\":3}]},\"num_attrs\":3}}");
    free(json);
}

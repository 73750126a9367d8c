/* Known answers on the shared datasets (../shared/datasets, facts in its MANIFEST.md and in the
 * spec §1.5). Skips loudly when ../shared is absent. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "lakeml/lakeml.h"
#include "support.h"

static lml_frame *read_auto(const char *path)
{
    lml_error err = {0};
    lml_frame *f = lml_csv_read(path, &(lml_csv_options){.header = true, .infer_schema = true}, &err);
    cr_assert(f, "%s", err.message);
    return f;
}

static const lml_column *col(const lml_frame *f, const char *name)
{
    lml_error err = {0};
    const lml_column *c = lml_frame_column_by_name(f, name, &err);
    cr_assert(c, "%s", err.message);
    return c;
}

static double mean(const lml_column *c, size_t *count)
{
    double s = 0;
    size_t n = 0;
    for (size_t i = 0; i < lml_column_length(c); i++) {
        if (!lml_column_is_null(c, i)) {
            s += lml_column_get_double(c, i);
            n++;
        }
    }
    *count = n;
    return s / (double)n;
}

static size_t count_value(const lml_column *c, const char *v)
{
    size_t n = 0, len;
    for (size_t i = 0; i < lml_column_length(c); i++) {
        if (lml_column_is_null(c, i))
            continue;
        const char *s = lml_column_string_at(c, i, &len);
        n += len == strlen(v) && memcmp(s, v, len) == 0;
    }
    return n;
}

Test(csv_datasets, titanic_has_sparks_schema_and_counts)
{
    LML_REQUIRE_SHARED(path, "datasets/titanic.csv");
    lml_frame *f = read_auto(path);
    cr_assert_eq(lml_frame_num_rows(f), 891);
    cr_assert_eq(lml_frame_num_cols(f), 12);
    const char *names[] = {"PassengerId", "Survived", "Pclass", "Name", "Sex", "Age",
                           "SibSp", "Parch", "Ticket", "Fare", "Cabin", "Embarked"};
    lml_type types[] = {LML_INT32, LML_INT32, LML_INT32, LML_STRING, LML_STRING, LML_DOUBLE,
                        LML_INT32, LML_INT32, LML_STRING, LML_DOUBLE, LML_STRING, LML_STRING};
    size_t nulls[] = {0, 0, 0, 0, 0, 177, 0, 0, 0, 0, 687, 2};
    for (size_t i = 0; i < 12; i++) {
        cr_assert_str_eq(lml_frame_column_name(f, i), names[i]);
        const lml_column *c = lml_frame_column(f, i);
        cr_assert_eq(lml_column_type(c), types[i], "%s is %s", names[i], lml_type_name(lml_column_type(c)));
        cr_assert_eq(lml_column_null_count(c), nulls[i], "%s has %zu nulls", names[i], lml_column_null_count(c));
    }
    size_t n;
    double age = mean(col(f, "Age"), &n);
    cr_assert_eq(n, 714);
    cr_assert_float_eq(age, 29.699118, 5e-7);
    cr_assert_float_eq(mean(col(f, "Fare"), &n), 32.204208, 5e-7);
    cr_assert_eq(n, 891);
    cr_assert_eq(count_value(col(f, "Sex"), "male"), 577);
    cr_assert_eq(count_value(col(f, "Embarked"), "S"), 644);
    double survived = mean(col(f, "Survived"), &n);
    cr_assert_float_eq(survived * 891, 342, 1e-9);
    /* Spark keeps RFC doubled quotes raw under default options (spec §1.3). */
    cr_assert_eq(count_value(col(f, "Name"), "\"McGowan, Miss. Anna \"\"Annie\"\"\""), 1);
    size_t raw = 0, len;
    const lml_column *name = col(f, "Name");
    for (size_t i = 0; i < 891; i++)
        raw += lml_column_string_at(name, i, &len)[0] == '"';
    cr_assert_eq(raw, 53);
    lml_frame_free(f);
}

Test(csv_datasets, titanic_with_rfc_escape_unquotes_names)
{
    LML_REQUIRE_SHARED(path, "datasets/titanic.csv");
    lml_error err = {0};
    lml_frame *f =
        lml_csv_read(path, &(lml_csv_options){.header = true, .infer_schema = true, .escape = '"'}, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(f), 891);
    cr_assert_eq(count_value(col(f, "Name"), "McGowan, Miss. Anna \"Annie\""), 1);
    cr_assert_eq(lml_column_type(col(f, "Age")), LML_DOUBLE);
    lml_frame_free(f);
}

Test(csv_datasets, housing_has_nine_doubles_and_a_string)
{
    LML_REQUIRE_SHARED(path, "datasets/housing.csv");
    lml_frame *f = read_auto(path);
    cr_assert_eq(lml_frame_num_rows(f), 20640);
    cr_assert_eq(lml_frame_num_cols(f), 10);
    for (size_t i = 0; i < 9; i++)
        cr_assert_eq(lml_column_type(lml_frame_column(f, i)), LML_DOUBLE, "%s", lml_frame_column_name(f, i));
    const lml_column *ocean = col(f, "ocean_proximity");
    cr_assert_eq(lml_column_type(ocean), LML_STRING);
    cr_assert_eq(lml_column_null_count(col(f, "total_bedrooms")), 207);
    for (size_t i = 0; i < 10; i++)
        if (strcmp(lml_frame_column_name(f, i), "total_bedrooms") != 0)
            cr_assert_eq(lml_column_null_count(lml_frame_column(f, i)), 0);
    const char *cats[] = {"<1H OCEAN", "INLAND", "NEAR OCEAN", "NEAR BAY", "ISLAND"};
    size_t counts[] = {9136, 6551, 2658, 2290, 5}, total = 0;
    for (size_t i = 0; i < 5; i++) {
        cr_assert_eq(count_value(ocean, cats[i]), counts[i], "%s", cats[i]);
        total += counts[i];
    }
    cr_assert_eq(total, 20640); /* so there are exactly 5 distinct values */
    size_t n;
    cr_assert_float_eq(mean(col(f, "median_house_value"), &n), 206855.816909, 5e-7);
    cr_assert_float_eq(mean(col(f, "total_bedrooms"), &n), 537.870553, 5e-7);
    cr_assert_eq(n, 20433);
    cr_assert_float_eq(mean(col(f, "median_income"), &n), 3.870671, 5e-7);
    lml_frame_free(f);
}

static bool same_frame(const lml_frame *a, const lml_frame *b)
{
    if (lml_frame_num_rows(a) != lml_frame_num_rows(b) || lml_frame_num_cols(a) != lml_frame_num_cols(b))
        return false;
    for (size_t c = 0; c < lml_frame_num_cols(a); c++) {
        const lml_column *x = lml_frame_column(a, c), *y = lml_frame_column(b, c);
        if (lml_column_type(x) != lml_column_type(y) || lml_column_null_count(x) != lml_column_null_count(y))
            return false;
        for (size_t r = 0; r < lml_column_length(x); r++) {
            if (lml_column_is_null(x, r) != lml_column_is_null(y, r))
                return false;
            char bx[256], by[256];
            lml_format_value(x, r, bx, sizeof bx);
            lml_format_value(y, r, by, sizeof by);
            if (strcmp(bx, by) != 0)
                return false;
        }
        if (lml_column_type(x) == LML_DOUBLE &&
            memcmp(lml_column_doubles(x), lml_column_doubles(y), lml_column_length(x) * sizeof(double)) != 0)
            return false;
    }
    return true;
}

Test(csv_datasets, one_and_two_threads_give_the_identical_frame)
{
    LML_REQUIRE_SHARED(path, "datasets/housing.csv");
    char housing[4096], titanic[4096]; /* lml_test_shared_path reuses one static buffer */
    snprintf(housing, sizeof housing, "%s", path);
    const char *tpath = lml_test_shared_path("datasets/titanic.csv");
    cr_assert(tpath);
    snprintf(titanic, sizeof titanic, "%s", tpath);
    const char *files[] = {housing, titanic};
    for (size_t k = 0; k < 2; k++) {
        lml_set_num_threads(1);
        lml_frame *a = read_auto(files[k]);
        lml_set_num_threads(2);
        lml_frame *b = read_auto(files[k]);
        lml_set_num_threads(0);
        cr_assert(same_frame(a, b), "%s differs between 1 and 2 threads", files[k]);
        lml_frame_free(a);
        lml_frame_free(b);
    }
}

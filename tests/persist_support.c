/* Helpers for the persistence tests: bit-exact frame and param comparison, round trips. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frame/internal.h"
#include "ml/stage_internal.h"
#include "persist_support.h"
#include "support.h"

static void cells_identical(const lml_column *a, const lml_column *b, const char *name)
{
    size_t n = lml_column_length(a);
    cr_assert_eq(lml_column_length(b), n, "column %s: length", name);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(lml_column_is_null(a, i), lml_column_is_null(b, i), "column %s row %zu: null flag", name, i);
        if (lml_column_is_null(a, i))
            continue;
        switch (lml_column_type(a)) {
        case LML_DOUBLE:
            cr_assert(memcmp(&lml_column_doubles(a)[i], &lml_column_doubles(b)[i], 8) == 0,
                      "column %s row %zu: %.17g vs %.17g", name, i, lml_column_doubles(a)[i], lml_column_doubles(b)[i]);
            break;
        case LML_INT32: cr_assert_eq(lml_column_int32s(a)[i], lml_column_int32s(b)[i], "column %s row %zu", name, i); break;
        case LML_INT64: cr_assert_eq(lml_column_int64s(a)[i], lml_column_int64s(b)[i], "column %s row %zu", name, i); break;
        case LML_BOOL: cr_assert_eq(lml_column_bool_at(a, i), lml_column_bool_at(b, i), "column %s row %zu", name, i); break;
        case LML_STRING: {
            size_t la, lb;
            const char *sa = lml_column_string_at(a, i, &la), *sb = lml_column_string_at(b, i, &lb);
            cr_assert(la == lb && memcmp(sa, sb, la) == 0, "column %s row %zu", name, i);
            break;
        }
        case LML_VECTOR: break; /* whole column compared below */
        default: cr_assert_fail("column %s: type %s not compared", name, lml_type_name(lml_column_type(a)));
        }
    }
    if (lml_column_type(a) != LML_VECTOR)
        return;
    size_t d = lml_column_vector_size(a);
    cr_assert_eq(lml_column_vector_size(b), d, "column %s: vector size", name);
    cr_assert_eq(lml_column_vector_is_sparse(a), lml_column_vector_is_sparse(b), "column %s: layout", name);
    if (!lml_column_vector_is_sparse(a)) {
        cr_assert(n * d == 0 || memcmp(lml_column_vector_dense(a), lml_column_vector_dense(b), n * d * 8) == 0,
                  "column %s: dense values differ", name);
        return;
    }
    const int64_t *pa = lml_column_vector_indptr(a), *pb = lml_column_vector_indptr(b);
    cr_assert(memcmp(pa, pb, (n + 1) * 8) == 0, "column %s: indptr", name);
    size_t nnz = (size_t)pa[n];
    cr_assert(nnz == 0 || memcmp(lml_column_vector_indices(a), lml_column_vector_indices(b), nnz * 4) == 0,
              "column %s: indices", name);
    cr_assert(nnz == 0 || memcmp(lml_column_vector_values(a), lml_column_vector_values(b), nnz * 8) == 0,
              "column %s: values", name);
}

void ps_assert_frames_identical(const lml_frame *a, const lml_frame *b)
{
    cr_assert_eq(lml_frame_num_cols(a), lml_frame_num_cols(b));
    cr_assert_eq(lml_frame_num_rows(a), lml_frame_num_rows(b));
    for (size_t j = 0; j < lml_frame_num_cols(a); j++) {
        const char *name = lml_frame_column_name(a, j);
        cr_assert_str_eq(lml_frame_column_name(b, j), name);
        const lml_column *ca = lml_frame_column(a, j), *cb = lml_frame_column(b, j);
        cr_assert_eq(lml_column_type(ca), lml_column_type(cb), "column %s: type", name);
        const char *ma = lml_frame_column_metadata(a, j), *mb = lml_frame_column_metadata(b, j);
        cr_assert_str_eq(ma ? ma : "", mb ? mb : "", "column %s: metadata", name);
        cells_identical(ca, cb, name);
    }
}

static void value_identical(const lml_param_value *a, const lml_param_value *b, const char *name)
{
    cr_assert_eq(a->type, b->type, "param %s: type", name);
    switch (a->type) {
    case LML_PARAM_BOOL: cr_assert_eq(a->v.b, b->v.b, "param %s", name); break;
    case LML_PARAM_INT: cr_assert_eq(a->v.i, b->v.i, "param %s", name); break;
    case LML_PARAM_DOUBLE: cr_assert(memcmp(&a->v.d, &b->v.d, 8) == 0, "param %s: %.17g vs %.17g", name, a->v.d, b->v.d); break;
    case LML_PARAM_STRING: cr_assert_str_eq(a->v.s ? a->v.s : "(null)", b->v.s ? b->v.s : "(null)", "param %s", name); break;
    case LML_PARAM_STRINGS:
        cr_assert_eq(a->v.strs.n, b->v.strs.n, "param %s: length", name);
        for (size_t i = 0; i < a->v.strs.n; i++)
            cr_assert_str_eq(a->v.strs.items[i], b->v.strs.items[i], "param %s[%zu]", name, i);
        break;
    case LML_PARAM_DOUBLES:
        cr_assert_eq(a->v.dbls.n, b->v.dbls.n, "param %s: length", name);
        cr_assert(a->v.dbls.n == 0 || memcmp(a->v.dbls.items, b->v.dbls.items, a->v.dbls.n * 8) == 0, "param %s", name);
        break;
    }
}

void ps_assert_params_identical(const lml_stage *a, const lml_stage *b)
{
    cr_assert_str_eq(lml_stage_class(b), lml_stage_class(a));
    cr_assert_str_eq(lml_stage_uid(b), lml_stage_uid(a));
    cr_assert_eq(a->vt, b->vt);
    for (size_t i = 0; i < a->vt->nparams; i++) {
        cr_assert_eq(a->is_set[i], b->is_set[i], "%s: param %s: is_set", a->uid, a->vt->params[i].name);
        value_identical(&a->values[i], &b->values[i], a->vt->params[i].name);
    }
    size_t n = lml_pipeline_num_stages(a);
    cr_assert_eq(lml_pipeline_num_stages(b), n);
    for (size_t i = 0; i < n; i++)
        ps_assert_params_identical(lml_pipeline_stage(a, i), lml_pipeline_stage(b, i));
}

lml_stage *ps_roundtrip(const lml_stage *s, const char **dir)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/model", lml_test_temp_dir());
    lml_error err = {0};
    cr_assert(lml_save(s, path, LML_SAVE_ERROR_IF_EXISTS, &err), "save: %s", err.message);
    lml_stage *l = lml_load(path, &err);
    cr_assert_not_null(l, "load: %s", err.message);
    if (dir)
        *dir = path;
    return l;
}

void ps_assert_roundtrip_transforms(const lml_stage *model, const lml_frame *df)
{
    lml_error err = {0};
    lml_stage *l = ps_roundtrip(model, NULL);
    ps_assert_params_identical(model, l);
    lml_frame *a = lml_transform(model, df, &err);
    cr_assert_not_null(a, "%s", err.message);
    lml_frame *b = lml_transform(l, df, &err);
    cr_assert_not_null(b, "%s", err.message);
    ps_assert_frames_identical(a, b);
    lml_frame_free(a);
    lml_frame_free(b);
    lml_stage_free(l);
}

char *ps_meta_line(const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/metadata/part-00000", dir);
    char *t = lml_test_slurp(p);
    cr_assert_not_null(t, "cannot read %s", p);
    size_t n = strlen(t);
    cr_assert(n > 0 && t[n - 1] == '\n' && strchr(t, '\n') == t + n - 1, "%s: one line ending in a newline", p);
    t[n - 1] = '\0';
    return t;
}

lml_frame *ps_titanic(void)
{
    lml_error err = {0};
    const char *sex[] = {"male", "female", "female", "male", "male", "female", "male", "male"};
    int32_t pclass[] = {3, 1, 3, 1, 3, 2, 2, 3};
    double age[] = {22, 38, 26, 35, 0, 27, 54, 2}, fare[] = {7.25, 71.2833, 7.925, 53.1, 8.05, 11.1333, 51.8625, 21.075};
    double surv[] = {0, 1, 1, 1, 0, 1, 0, 0};
    uint8_t age_valid = 0xEF; /* row 4 null */
    lml_column *c[5] = {lml_column_from_strings(sex, 8, &err), lml_column_from_int32s(pclass, NULL, 8, &err),
                        lml_column_from_doubles(age, &age_valid, 8, &err), lml_column_from_doubles(fare, NULL, 8, &err),
                        lml_column_from_doubles(surv, NULL, 8, &err)};
    const char *names[5] = {"Sex", "Pclass", "Age", "Fare", "Survived"};
    lml_frame *f = lml_frame_new(5, names, c, &err);
    cr_assert_not_null(f, "%s", err.message);
    for (int i = 0; i < 5; i++)
        lml_column_free(c[i]);
    return f;
}

const char *ps_data_file(const char *dir, const char *sub)
{
    static char out[8192];
    char d[4096];
    snprintf(d, sizeof d, "%s/%s", dir, sub);
    DIR *dp = opendir(d);
    cr_assert_not_null(dp, "cannot open %s", d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dp)))
        if (e->d_name[0] != '.' && e->d_name[0] != '_') {
            snprintf(out, sizeof out, "%s/%s", d, e->d_name);
            n++;
        }
    closedir(dp);
    cr_assert_eq(n, 1, "%s: exactly one data file", d);
    return out;
}

void ps_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    fputs(text, f);
    fclose(f);
}

void ps_close_rel(double got, double want, double rel, double abs_floor, const char *what, int row, int k)
{
    double tol = fmax(rel * fabs(want), abs_floor);
    cr_assert(fabs(got - want) <= tol, "row %d %s[%d]: got %.17g, want %.17g", row, what, k, got, want);
}

int ps_check_binary_scores(const lml_frame *out, const char *exp_path, double prob_floor, bool index0_is_label1)
{
    lml_error err = {0};
    const lml_column *raw = lml_frame_column_by_name(out, "rawPrediction", &err);
    const lml_column *prob = lml_frame_column_by_name(out, "probability", &err);
    const lml_column *pred = lml_frame_column_by_name(out, "prediction", &err);
    cr_assert(raw && prob && pred, "%s", err.message);
    char *text = lml_test_slurp(exp_path);
    cr_assert_not_null(text, "cannot read %s", exp_path);
    int rows = 0, correct = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *j = cJSON_Parse(line);
        cr_assert_not_null(j);
        int row = cJSON_GetObjectItem(j, "row")->valueint;
        cr_assert(row >= 0 && (size_t)row < lml_frame_num_rows(out));
        const double *rv = lml_column_vector_dense(raw) + 2 * (size_t)row;
        const double *pv = lml_column_vector_dense(prob) + 2 * (size_t)row;
        for (int k = 0; k < 2; k++) {
            ps_close_rel(rv[k], cJSON_GetArrayItem(cJSON_GetObjectItem(j, "rawPrediction"), k)->valuedouble, 1e-12, 0,
                      "rawPrediction", row, k);
            ps_close_rel(pv[k], cJSON_GetArrayItem(cJSON_GetObjectItem(j, "probability"), k)->valuedouble, 1e-12,
                      prob_floor, "probability", row, k);
        }
        double want = cJSON_GetObjectItem(j, "prediction")->valuedouble;
        cr_assert_eq(lml_column_doubles(pred)[row], want, "row %d prediction", row);
        double label = cJSON_GetObjectItem(j, "label")->valuedouble;
        correct += index0_is_label1 ? (want == 0 ? 1.0 : 0.0) == label : want == label;
        rows++;
        cJSON_Delete(j);
    }
    free(text);
    cr_assert_eq(rows, (int)lml_frame_num_rows(out), "one expected line per row");
    return correct;
}

/* lml_scorer_predict_frame: every output of every row equals lml_scorer_predict's and
 * lml_transform's bit for bit, and every row's code equals the row path's, on 9,000 generated
 * rows with nulls and NaN in double and int32 columns (int64 and boolean ones too); for numeric inputs straight into the
 * assembler (the column-copy path) and for indexer / one-hot / imputer pipelines (the row-by-row
 * feature path); linear models and tree models (the tree-major block walk: trees laid out complete,
 * and the node walk of trees deeper than that layout takes, forced through a lower limit too); 1 and
 * 2 threads. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/lakeml.h"
#include "ml/scorer/program.h"
#include "scorer_support.h"
#include "support.h"

#define N 9000

static uint64_t rng;
static double unif(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* cat (5 labels, nulls when dirty), cls (3 labels), x1 double, x2 int32, x3 double, x4 int64,
 * x5 bool; dirty frames put nulls and NaN into x1, nulls into x2 and x3 and NaN into x3. Labels y,
 * y3, yr depend on the inputs. */
static lml_frame *make_frame(uint64_t seed, bool dirty)
{
    static const char *cats[] = {"a", "b", "c", "d", "e"}, *clss[] = {"red", "green", "blue"};
    static const char *cat[N], *cls[N];
    static double x1[N], y[N], y3[N], yr[N];
    static int32_t x2[N];
    static double x3[N];
    static int64_t x4[N];
    uint8_t v1[(N + 7) / 8], v2[(N + 7) / 8], v3[(N + 7) / 8];
    memset(v1, 0xff, sizeof v1);
    memset(v2, 0xff, sizeof v2);
    memset(v3, 0xff, sizeof v3);
    lml_column_builder *b5 = NULL;
    lml_error err = {0};
    b5 = lml_column_builder_new(LML_BOOL, N, &err);
    rng = seed;
    for (size_t i = 0; i < N; i++) {
        int c = (int)(unif() * 5), k = (int)(unif() * 3);
        cat[i] = dirty && unif() < 0.05 ? NULL : cats[c];
        cls[i] = clss[k];
        x1[i] = unif() * 10 - 3;
        x2[i] = (int32_t)(unif() * 50) - 10;
        x3[i] = unif() * 4 - 2;
        x4[i] = (int64_t)(unif() * 1e6) - 500000;
        bool x5 = unif() < 0.4;
        double s = 0.8 * c - 1.1 * k + 0.3 * x1[i] + 0.02 * x2[i] + 0.5 * x3[i] + 1e-6 * (double)x4[i] +
                   (x5 ? 0.7 : 0.0) + (unif() - 0.5) * 3;
        if (dirty) {
            double u = unif();
            if (u < 0.02)
                x1[i] = NAN;
            else if (u < 0.04)
                v1[i / 8] &= (uint8_t)~(1u << (i % 8));
            else if (u < 0.05)
                v2[i / 8] &= (uint8_t)~(1u << (i % 8));
            else if (u < 0.06)
                v3[i / 8] &= (uint8_t)~(1u << (i % 8));
            else if (u < 0.07)
                x3[i] = NAN;
        }
        lml_column_builder_append_bool(b5, x5, &err);
        y[i] = s > 0.5 ? 1.0 : 0.0;
        y3[i] = s < -0.5 ? 0.0 : s < 1.5 ? 1.0 : 2.0;
        yr[i] = s * 2.5 + 1.0;
    }
    const char *names[] = {"cat", "cls", "x1", "x2", "x3", "x4", "x5", "y", "y3", "yr"};
    lml_column *cols[10] = {lml_column_from_strings(cat, N, &err), lml_column_from_strings(cls, N, &err),
                            lml_column_from_doubles(x1, v1, N, &err), lml_column_from_int32s(x2, v2, N, &err),
                            lml_column_from_doubles(x3, v3, N, &err), lml_column_from_int64s(x4, NULL, N, &err),
                            lml_column_builder_finish(b5, &err), lml_column_from_doubles(y, NULL, N, &err),
                            lml_column_from_doubles(y3, NULL, N, &err), lml_column_from_doubles(yr, NULL, N, &err)};
    lml_frame *f = lml_frame_new(10, names, cols, &err);
    cr_assert_not_null(f, "%s", err.message);
    for (int i = 0; i < 10; i++)
        lml_column_free(cols[i]);
    return f;
}

static lml_stage *with_label(lml_stage *est, const char *label)
{
    lml_error err = {0};
    cr_assert(lml_set_string(est, "labelCol", label, &err), "%s", err.message);
    return est;
}

/* Numeric columns straight into an assembler (the column-copy path), fitted on a clean frame. */
static lml_stage *fit_numeric(lml_stage *est, const char *va_mode, const lml_frame *clean)
{
    lml_error err = {0};
    lml_stage *st[4] = {lml_vector_assembler_new((const char *[]){"x1", "x2", "x3", "x4", "x5", "x1", NULL}, "features")};
    cr_assert(lml_set_string(st[0], "handleInvalid", va_mode, &err), "%s", err.message);
    return sc_fit(st, 1, est, clean);
}

/* The indexer / imputer / (one-hot) pipeline of scorer_support.c (the row-by-row feature path). */
static lml_stage *fit_indexed(lml_stage *est, bool onehot, const lml_frame *clean)
{
    lml_stage *st[8];
    size_t n = sc_feature_stages(st, onehot);
    return sc_fit(st, n, est, clean);
}

static lml_frame *ok_rows(const lml_frame *df, const int *codes)
{
    lml_error err = {0};
    lml_column_builder *mb = lml_column_builder_new(LML_BOOL, N, &err);
    for (size_t i = 0; i < lml_frame_num_rows(df); i++)
        lml_column_builder_append_bool(mb, codes[i] == LML_OK, &err);
    lml_column *mask = lml_column_builder_finish(mb, &err);
    lml_frame *f = lml_frame_filter(df, mask, &err);
    lml_column_free(mask);
    cr_assert_not_null(f, "%s", err.message);
    return f;
}

/* Scores df with 1 and 2 threads and checks every row against lml_scorer_predict and the OK rows
 * against lml_transform of those rows. Returns how many rows got each code (OK, EINVAL, SKIPPED). */
static void check_frame(const lml_stage *model, const lml_frame *df, size_t want_outputs, size_t counts[3])
{
    lml_error err = {0};
    lml_scorer *s = lml_scorer_new(model, &err);
    cr_assert_not_null(s, "%s", err.message);
    size_t no = lml_scorer_num_outputs(s), K = lml_scorer_num_classes(s), n = lml_frame_num_rows(df);
    cr_assert_eq(no, want_outputs);
    cr_assert_eq(n, N);
    /* runs: 1 thread, 2 threads, then through the internal entry: every tree by its node copy
     * (cmax 0, 2 threads), and trees deeper than 3 by it, the others complete (1 thread) */
    double *out[4], got[64], want[64];
    int *codes[4];
    for (int t = 0; t < 4; t++) {
        lml_set_num_threads(t == 0 || t == 3 ? 1 : 2);
        out[t] = malloc(n * no * sizeof(double));
        codes[t] = malloc(n * sizeof(int));
        memset(out[t], 0, n * no * sizeof(double));
        bool ok = t < 2 ? lml_scorer_predict_frame(s, df, out[t], codes[t], &err)
                        : lml_sc_predict_frame_walk(s, df, out[t], codes[t], t == 2 ? 0 : 3, &err);
        cr_assert(ok, "%s", err.message);
    }
    lml_set_num_threads(0);
    void *ws = malloc(lml_scorer_workspace_size(s));
    lml_value *row = calloc(lml_scorer_num_inputs(s) + 1, sizeof *row);
    memset(counts, 0, 3 * sizeof *counts);
    for (size_t i = 0; i < n; i++) {
        sc_row(s, df, i, row);
        int rc = lml_scorer_predict(s, row, got, ws);
        for (int t = 0; t < 4; t++)
            cr_assert_eq(codes[t][i], rc, "row %zu: run %d code %d, row code %d", i, t, codes[t][i], rc);
        counts[rc == LML_OK ? 0 : rc == LML_SCORER_SKIPPED ? 2 : 1]++;
        if (rc != LML_OK)
            continue;
        for (size_t k = 0; k < no; k++)
            for (int t = 0; t < 4; t++)
                cr_assert(memcmp(&out[t][i * no + k], &got[k], sizeof(double)) == 0, "row %zu output %s: run %d %a, row %a",
                          i, lml_scorer_output_name(s, k), t, out[t][i * no + k], got[k]);
    }
    lml_frame *good = ok_rows(df, codes[0]);
    lml_frame *tr = lml_transform(model, good, &err);
    cr_assert_not_null(tr, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(tr), counts[0]);
    for (size_t i = 0, j = 0; i < n; i++) {
        if (codes[0][i] != LML_OK)
            continue;
        sc_expected(tr, j++, K, want);
        cr_assert(memcmp(&out[0][i * no], want, no * sizeof(double)) == 0, "row %zu differs from lml_transform", i);
    }
    lml_frame_free(tr);
    lml_frame_free(good);
    free(ws);
    free(row);
    for (int t = 0; t < 4; t++)
        free(out[t]), free(codes[t]);
    lml_scorer_free(s);
}

Test(scorer_batch, binomial_logistic_on_numeric_columns_keeps_nan)
{
    lml_frame *clean = make_frame(3, false), *dirty = make_frame(4, true);
    lml_stage *m = fit_numeric(with_label(lml_logistic_regression_new(), "y"), "keep", clean);
    size_t c[3];
    check_frame(m, dirty, 5, c);
    cr_assert_eq(c[0], N, "keep scores every row"); /* NaN features give NaN margins, compared as bits */
    lml_stage_free(m);
    lml_frame_free(clean);
    lml_frame_free(dirty);
}

Test(scorer_batch, multinomial_logistic_and_titanic_like_one_hot_pipeline)
{
    lml_error err = {0};
    lml_frame *clean = make_frame(5, false), *dirty = make_frame(6, true);
    lml_stage *lr = with_label(lml_logistic_regression_new(), "y3");
    cr_assert(lml_set_string(lr, "family", "multinomial", &err) && lml_set_double(lr, "regParam", 0.01, &err), "%s",
              err.message);
    lml_stage *m = fit_indexed(lr, true, clean);
    size_t c[3];
    check_frame(m, dirty, 7, c);
    /* cat keeps null labels and x1 is imputed, but a null x2 reaches the (error) assembler */
    cr_assert_gt(c[1], 10, "%zu", c[1]);
    cr_assert_eq(c[0] + c[1], N);
    lml_stage_free(m);
    /* a binomial LR on StringIndexer + OneHotEncoder + VectorAssembler (the Titanic shape) */
    m = fit_indexed(with_label(lml_logistic_regression_new(), "y"), true, clean);
    check_frame(m, dirty, 5, c);
    lml_stage_free(m);
    lml_frame_free(clean);
    lml_frame_free(dirty);
}

Test(scorer_batch, multinomial_logistic_on_numeric_columns_rejects_with_error_mode)
{
    lml_error err = {0};
    lml_frame *clean = make_frame(7, false), *dirty = make_frame(8, true);
    lml_stage *lr = with_label(lml_logistic_regression_new(), "y3");
    cr_assert(lml_set_string(lr, "family", "multinomial", &err), "%s", err.message);
    lml_stage *m = fit_numeric(lr, "error", clean);
    size_t c[3];
    check_frame(m, dirty, 7, c);
    cr_assert_gt(c[1], 100, "null / NaN rows are LML_EINVAL: %zu", c[1]);
    cr_assert_eq(c[2], 0);
    cr_assert_eq(c[0] + c[1], N);
    lml_stage_free(m);
    lml_frame_free(clean);
    lml_frame_free(dirty);
}

Test(scorer_batch, random_forest_classifier_and_regressor)
{
    lml_error err = {0};
    lml_frame *clean = make_frame(9, false), *dirty = make_frame(10, true);
    lml_stage *rf = with_label(lml_random_forest_classifier_new(), "y3");
    cr_assert(lml_set_int(rf, "numTrees", 23, &err) && lml_set_int(rf, "maxDepth", 7, &err), "%s", err.message);
    lml_stage *m = fit_numeric(rf, "keep", clean);
    size_t c[3];
    check_frame(m, dirty, 7, c);
    cr_assert_gt(c[1], 100, "NaN features reaching the trees are LML_EINVAL: %zu", c[1]);
    cr_assert_eq(c[0] + c[1], N);
    lml_stage_free(m);
    lml_stage *rr = with_label(lml_random_forest_regressor_new(), "yr");
    cr_assert(lml_set_int(rr, "numTrees", 17, &err), "%s", err.message);
    m = fit_numeric(rr, "skip", clean);
    check_frame(m, dirty, 1, c);
    cr_assert_gt(c[2], 100, "skip drops the null / NaN rows: %zu", c[2]);
    cr_assert_eq(c[0] + c[2], N);
    lml_stage_free(m);
    rf = with_label(lml_random_forest_classifier_new(), "y");
    cr_assert(lml_set_int(rf, "numTrees", 10, &err), "%s", err.message);
    m = fit_indexed(rf, true, clean);
    check_frame(m, dirty, 5, c);
    lml_stage_free(m);
    lml_frame_free(clean);
    lml_frame_free(dirty);
}

Test(scorer_batch, trees_deeper_than_the_complete_layout_take_the_node_walk)
{
    lml_error err = {0};
    lml_frame *clean = make_frame(15, false), *dirty = make_frame(16, true);
    lml_stage *rr = with_label(lml_random_forest_regressor_new(), "yr");
    cr_assert(lml_set_int(rr, "numTrees", 6, &err) && lml_set_int(rr, "maxDepth", 16, &err), "%s", err.message);
    lml_stage *m = fit_numeric(rr, "keep", clean);
    int64_t deepest = 0;
    for (size_t t = 0; t < 6; t++) {
        int64_t dep = lml_random_forest_tree_depth(lml_pipeline_stage(m, 1), t, &err);
        cr_assert_geq(dep, 0, "%s", err.message);
        deepest = dep > deepest ? dep : deepest;
    }
    cr_assert_gt(deepest, 12, "a tree past the complete layout's depth 12: %lld", (long long)deepest);
    size_t c[3];
    check_frame(m, dirty, 1, c);
    cr_assert_gt(c[0], N / 2);
    cr_assert_eq(c[0] + c[1], N);
    lml_stage_free(m);
    lml_frame_free(clean);
    lml_frame_free(dirty);
}

Test(scorer_batch, gbt_classifier_and_regressor)
{
    lml_error err = {0};
    lml_frame *clean = make_frame(11, false), *dirty = make_frame(12, true);
    lml_stage *g = with_label(lml_gbt_classifier_new(), "y");
    cr_assert(lml_set_int(g, "maxIter", 12, &err), "%s", err.message);
    lml_stage *m = fit_numeric(g, "skip", clean);
    size_t c[3];
    check_frame(m, dirty, 5, c);
    cr_assert_gt(c[2], 100);
    lml_stage_free(m);
    lml_stage *gr = with_label(lml_gbt_regressor_new(), "yr");
    cr_assert(lml_set_int(gr, "maxIter", 9, &err), "%s", err.message);
    m = fit_indexed(gr, false, clean);
    check_frame(m, dirty, 1, c);
    cr_assert_gt(c[1], 10, "null x2 rows reach an error assembler: %zu", c[1]);
    lml_stage_free(m);
    lml_frame_free(clean);
    lml_frame_free(dirty);
}

Test(scorer_batch, decision_trees_with_categorical_splits)
{
    lml_error err = {0};
    lml_frame *clean = make_frame(13, false), *dirty = make_frame(14, true);
    lml_stage *dt = with_label(lml_decision_tree_classifier_new(), "y3");
    cr_assert(lml_set_int(dt, "maxDepth", 8, &err), "%s", err.message);
    lml_stage *m = fit_indexed(dt, false, clean); /* catIdx and clsIdx are nominal features */
    cr_assert_gt(lml_decision_tree_num_nodes(lml_pipeline_stage(m, 4), &err), 7);
    size_t c[3];
    check_frame(m, dirty, 7, c);
    lml_stage_free(m);
    m = fit_numeric(with_label(lml_decision_tree_regressor_new(), "yr"), "error", clean);
    check_frame(m, dirty, 1, c);
    cr_assert_gt(c[1], 100);
    lml_stage_free(m);
    lml_frame_free(clean);
    lml_frame_free(dirty);
}

Test(scorer_batch, without_codes_the_first_rejected_row_is_explained)
{
    lml_error err = {0}, want = {0};
    lml_frame *clean = make_frame(15, false), *dirty = make_frame(16, true);
    lml_stage *m = fit_numeric(with_label(lml_logistic_regression_new(), "y"), "error", clean);
    lml_scorer *s = lml_scorer_new(m, &err);
    cr_assert_not_null(s, "%s", err.message);
    double *out = malloc(N * 5 * sizeof(double));
    int *codes = malloc(N * sizeof(int));
    cr_assert(lml_scorer_predict_frame(s, dirty, out, codes, &err), "%s", err.message);
    size_t first = 0;
    while (first < N && codes[first] == LML_OK)
        first++;
    cr_assert_lt(first, N);
    cr_assert_eq(codes[first], LML_EINVAL);
    lml_value row[8];
    sc_row(s, dirty, first, row);
    cr_assert_not(lml_scorer_explain(s, row, &want));
    lml_set_num_threads(2);
    cr_assert_not(lml_scorer_predict_frame(s, dirty, out, NULL, &err));
    lml_set_num_threads(0);
    cr_assert_eq(err.code, want.code);
    cr_assert_str_eq(err.message, want.message);
    cr_assert_eq(want.code, LML_EINVAL);
    /* the clean frame scores with codes NULL */
    cr_assert(lml_scorer_predict_frame(s, clean, out, NULL, &err), "%s", err.message);
    free(out);
    free(codes);
    lml_scorer_free(s);
    lml_stage_free(m);
    lml_frame_free(clean);
    lml_frame_free(dirty);
}

Test(scorer_batch, missing_or_mistyped_input_column)
{
    lml_error err = {0};
    lml_frame *clean = make_frame(17, false);
    lml_stage *m = fit_numeric(with_label(lml_logistic_regression_new(), "y"), "keep", clean);
    lml_scorer *s = lml_scorer_new(m, &err);
    cr_assert_not_null(s, "%s", err.message);
    double *out = malloc(N * 5 * sizeof(double));
    lml_frame *no_x3 = lml_frame_drop(clean, (const char *[]){"x3", NULL}, &err);
    cr_assert_not_null(no_x3, "%s", err.message);
    cr_assert_not(lml_scorer_predict_frame(s, no_x3, out, NULL, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    cr_assert(strstr(err.message, "'x3'"), "%s", err.message);
    lml_frame *str_x3 = lml_frame_with_column_renamed(no_x3, "cat", "x3", &err);
    cr_assert_not_null(str_x3, "%s", err.message);
    cr_assert_not(lml_scorer_predict_frame(s, str_x3, out, NULL, &err));
    cr_assert_eq(err.code, LML_ETYPE);
    cr_assert(strstr(err.message, "'x3'"), "%s", err.message);
    lml_frame_free(str_x3);
    lml_frame_free(no_x3);
    free(out);
    lml_scorer_free(s);
    lml_stage_free(m);
    lml_frame_free(clean);
}

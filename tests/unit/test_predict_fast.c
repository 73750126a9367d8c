/* The parallel batch transforms (src/ml/tree/predict.c, the tree models', LogisticRegression's and
 * VectorAssembler's transforms): outputs bit-identical with 1 and 2 threads, and equal to a
 * straightforward row-by-row computation from the fitted model's own parameters, written here
 * independently (tree walks with Spark's categorical rule, margins summed in index order). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/frame.h"
#include "lakeml/ml/classification.h"
#include "lakeml/ml/feature.h"
#include "lakeml/ml/regression.h"
#include "lakeml/ml/tree.h"
#include "lakeml/threads.h"
#include "ml/tree/tree_internal.h"
#include "support.h"

#define N 2501 /* more than one block of every transform, not a multiple of the 8 / 4 interleaved rows */
#define D 5

static uint64_t lcg = 987654321;
static double unif(void)
{
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg >> 11) / 9007199254740992.0;
}

/* Features: 0, 1, 4 continuous; 2 categorical of arity 4; 3 categorical of arity 7 (nominal
 * metadata, so the trees make categorical splits). Label: 3 classes (cls 3), 2 (cls 2) or a
 * regression target (cls 0), from a rule on every feature plus noise. With `unseen`, some rows of
 * the categorical features hold values outside [0, k) or non-integers (allowed at transform). */
static void make_xy(double *X, double *y, int cls, bool unseen)
{
    lcg = 987654321;
    for (size_t i = 0; i < N; i++) {
        double *x = X + i * D;
        x[0] = unif() * 4 - 2, x[1] = unif(), x[2] = floor(unif() * 4), x[3] = floor(unif() * 7), x[4] = unif() * 10;
        if (i % 7 == 0)
            x[1] = 0.0; /* zeros, so the CSR copy stores fewer entries */
        if (unseen && i % 11 == 0)
            x[2] = i % 2 ? 9.0 : 1.5, x[3] = -1.0;
        double v = x[0] + (x[2] == 1 || x[2] == 3 ? 1.0 : -0.5) + (x[3] >= 4 ? 0.8 : 0.0) + 0.1 * x[4] * x[1] +
                   0.5 * (unif() - 0.5);
        y[i] = cls == 0 ? v : cls == 2 ? (v > 0.3) : (v < -0.5 ? 0 : v < 1.0 ? 1 : 2);
    }
}

static lml_frame *frame_of(const double *X, const double *y, bool sparse)
{
    lml_error err = {0};
    lml_column *fc;
    if (sparse) {
        int64_t *ip = malloc((N + 1) * sizeof *ip);
        int32_t *ix = malloc(N * D * sizeof *ix);
        double *v = malloc(N * D * sizeof *v);
        size_t z = 0;
        ip[0] = 0;
        for (size_t i = 0; i < N; i++) {
            for (int j = 0; j < D; j++)
                if (X[i * D + j] != 0.0)
                    ix[z] = j, v[z++] = X[i * D + j];
            ip[i + 1] = (int64_t)z;
        }
        fc = lml_column_vector_from_csr(ip, ix, v, N, D, &err);
        free(ip), free(ix), free(v);
    } else {
        fc = lml_column_vector_from_dense(X, N, D, &err);
    }
    lml_column *yc = lml_column_from_doubles(y, NULL, N, &err);
    cr_assert(fc && yc, "%s", err.message);
    lml_frame *f0 = lml_frame_new(2, (const char *[]){"features", "label"}, (lml_column *[]){fc, yc}, &err);
    lml_column_free(fc), lml_column_free(yc);
    cr_assert(f0, "%s", err.message);
    lml_frame *f = lml_frame_with_metadata(
        f0, "features",
        "{\"ml_attr\":{\"attrs\":{\"numeric\":[{\"idx\":0,\"name\":\"a\"},{\"idx\":1,\"name\":\"b\"},{\"idx\":4,"
        "\"name\":\"e\"}],\"nominal\":[{\"idx\":2,\"name\":\"c\",\"num_vals\":4},{\"idx\":3,\"name\":\"d\","
        "\"num_vals\":7}]},\"num_attrs\":5}}",
        &err);
    cr_assert(f, "%s", err.message);
    lml_frame_free(f0);
    return f;
}

/* The reference walk: Spark's Split.shouldGoLeft on the node's own fields. */
static size_t ref_leaf(const lml_tree *t, const double *x)
{
    size_t k = 0;
    while (t->nodes[k].left >= 0) {
        const lml_tree_node *nd = &t->nodes[k];
        double v = x[nd->feature];
        bool left;
        if (!nd->arity) {
            left = v <= nd->threshold;
        } else {
            bool in = false;
            for (int32_t c = 0; c < nd->ncats; c++)
                if (t->cats[nd->cat_off + (size_t)c] == v)
                    in = true;
            bool valid = v >= 0 && v < nd->arity && v == floor(v);
            /* cats are the left categories; Spark keeps the right set when it is smaller, and then
             * anything not in it (an unseen category included) goes left */
            left = nd->ncats <= nd->arity / 2 ? in : (in || !valid);
        }
        k = (size_t)(left ? nd->left : nd->right);
    }
    return k;
}

static size_t count_categorical(const lml_tree *trees, size_t T)
{
    size_t c = 0;
    for (size_t t = 0; t < T; t++)
        for (size_t k = 0; k < trees[t].nnodes; k++)
            c += trees[t].nodes[k].left >= 0 && trees[t].nodes[k].arity > 0;
    return c;
}

static const double *col(const lml_frame *f, const char *name)
{
    const lml_column *c = lml_frame_column_by_name(f, name, NULL);
    cr_assert_not_null(c, "no column %s", name);
    return lml_column_type(c) == LML_VECTOR ? lml_column_vector_dense(c) : lml_column_doubles(c);
}

static lml_frame *transform_with(const lml_stage *m, const lml_frame *f, int threads)
{
    lml_error err = {0};
    lml_set_num_threads(threads);
    lml_frame *o = lml_transform(m, f, &err);
    cr_assert_not_null(o, "%s", err.message);
    return o;
}

/* The named columns of a and b hold the same bits (n values each). */
static void same_bits(const lml_frame *a, const lml_frame *b, const char *name, size_t n)
{
    cr_assert(memcmp(col(a, name), col(b, name), n * sizeof(double)) == 0, "column %s differs", name);
}

static lml_stage *fit_model(lml_stage *est, const lml_frame *f)
{
    lml_error err = {0};
    lml_set_num_threads(2);
    lml_stage *m = lml_fit(est, f, &err);
    cr_assert_not_null(m, "%s", err.message);
    lml_stage_free(est);
    return m;
}

Test(predict_fast, forest_classifier_equals_reference_walk_for_any_thread_count_dense_and_sparse)
{
    static double X[N * D], Xs[N * D], y[N];
    make_xy(X, y, 3, false);
    lml_frame *train = frame_of(X, y, false);
    lml_error err = {0};
    lml_stage *est = lml_random_forest_classifier_new();
    cr_assert(lml_set_int(est, "numTrees", 13, &err) && lml_set_int(est, "maxDepth", 7, &err) &&
              lml_set_string(est, "featureSubsetStrategy", "all", &err));
    lml_stage *m = fit_model(est, train);
    size_t d = 0, K = 0, T = 0;
    const lml_tree *trees = lml_rf_model_trees(m, &d, &K, &T, &err);
    cr_assert(trees && K == 3 && T == 13 && d == D);
    cr_assert_gt(count_categorical(trees, T), 0, "the forest should make categorical splits");
    make_xy(Xs, y, 3, true); /* score rows with unseen categories too */
    lml_frame *dense = frame_of(Xs, y, false), *sparse = frame_of(Xs, y, true);
    lml_frame *o1 = transform_with(m, dense, 1), *o2 = transform_with(m, dense, 2), *o3 = transform_with(m, sparse, 2);
    const char *outs[] = {"rawPrediction", "probability"};
    for (int q = 0; q < 2; q++) {
        same_bits(o1, o2, outs[q], N * K);
        same_bits(o1, o3, outs[q], N * K);
    }
    same_bits(o1, o2, "prediction", N);
    same_bits(o1, o3, "prediction", N);
    const double *raw = col(o1, "rawPrediction"), *prob = col(o1, "probability"), *pred = col(o1, "prediction");
    for (size_t i = 0; i < N; i++) {
        double r[3] = {0, 0, 0}, tot = 0;
        for (size_t t = 0; t < T; t++) {
            const double *s = trees[t].stats + trees[t].nodes[ref_leaf(&trees[t], Xs + i * D)].stats;
            double st = s[0] + s[1] + s[2];
            for (int c = 0; c < 3 && st > 0; c++)
                r[c] += s[c] / st;
        }
        size_t best = 0;
        for (int c = 0; c < 3; c++) {
            tot += r[c];
            best = r[c] > r[best] ? (size_t)c : best;
            cr_assert(memcmp(&r[c], &raw[i * 3 + (size_t)c], sizeof(double)) == 0, "row %zu raw %d", i, c);
        }
        for (int c = 0; c < 3; c++) {
            double p = r[c] / tot;
            cr_assert(memcmp(&p, &prob[i * 3 + (size_t)c], sizeof p) == 0, "row %zu prob %d", i, c);
        }
        cr_assert_eq(pred[i], (double)best, "row %zu", i);
    }
    lml_frame_free(o1), lml_frame_free(o2), lml_frame_free(o3);
    lml_frame_free(dense), lml_frame_free(sparse), lml_frame_free(train);
    lml_stage_free(m);
}

Test(predict_fast, forest_regressor_gbt_and_decision_tree_equal_reference_walks)
{
    static double X[N * D], Xs[N * D], y[N], y2[N];
    make_xy(X, y, 0, false);
    make_xy(X, y2, 2, false);
    lml_frame *treg = frame_of(X, y, false), *tcls = frame_of(X, y2, false);
    make_xy(Xs, y, 0, true);
    lml_frame *sc = frame_of(Xs, y, false), *scs = frame_of(Xs, y, true);
    lml_error err = {0};

    lml_stage *rf = lml_random_forest_regressor_new();
    cr_assert(lml_set_int(rf, "numTrees", 9, &err) && lml_set_int(rf, "maxDepth", 6, &err));
    lml_stage *mrf = fit_model(rf, treg);
    size_t d, K, T;
    const lml_tree *trees = lml_rf_model_trees(mrf, &d, &K, &T, &err);
    cr_assert(trees && K == 0 && T == 9);
    cr_assert_gt(count_categorical(trees, T), 0);
    lml_frame *a = transform_with(mrf, sc, 1), *b = transform_with(mrf, sc, 2), *c = transform_with(mrf, scs, 2);
    same_bits(a, b, "prediction", N);
    same_bits(a, c, "prediction", N);
    for (size_t i = 0; i < N; i++) {
        double s = 0;
        for (size_t t = 0; t < T; t++)
            s += trees[t].nodes[ref_leaf(&trees[t], Xs + i * D)].prediction;
        s /= (double)T;
        cr_assert(memcmp(&s, &col(a, "prediction")[i], sizeof s) == 0, "rf row %zu", i);
    }
    lml_frame_free(a), lml_frame_free(b), lml_frame_free(c);

    lml_stage *gbt = lml_gbt_classifier_new();
    cr_assert(lml_set_int(gbt, "maxIter", 8, &err) && lml_set_int(gbt, "maxDepth", 4, &err));
    lml_stage *mg = fit_model(gbt, tcls);
    bool cls = false;
    const double *w = NULL;
    trees = lml_gbt_model_trees(mg, &d, &cls, &T, &w, &err);
    cr_assert(trees && cls && T == 8);
    a = transform_with(mg, sc, 1), b = transform_with(mg, sc, 2), c = transform_with(mg, scs, 2);
    const char *outs[] = {"rawPrediction", "probability", "prediction"};
    for (int q = 0; q < 3; q++) {
        same_bits(a, b, outs[q], q < 2 ? 2 * N : N);
        same_bits(a, c, outs[q], q < 2 ? 2 * N : N);
    }
    for (size_t i = 0; i < N; i++) {
        double F = 0.0;
        for (size_t t = 0; t < T; t++)
            F += w[t] * trees[t].nodes[ref_leaf(&trees[t], Xs + i * D)].prediction;
        double p0 = 1.0 / (1.0 + exp(2.0 * F));
        cr_assert(memcmp(&F, &col(a, "rawPrediction")[2 * i + 1], sizeof F) == 0, "gbt row %zu", i);
        cr_assert(memcmp(&p0, &col(a, "probability")[2 * i], sizeof p0) == 0, "gbt row %zu", i);
        cr_assert_eq(col(a, "prediction")[i], F > 0.0 ? 1.0 : 0.0);
    }
    lml_frame_free(a), lml_frame_free(b), lml_frame_free(c);

    lml_stage *dt = lml_decision_tree_classifier_new();
    cr_assert(lml_set_int(dt, "maxDepth", 8, &err));
    lml_stage *md = fit_model(dt, tcls);
    const lml_tree *tree = lml_dt_model_tree(md, &d, &K, &err);
    cr_assert(tree && K == 2);
    cr_assert_gt(count_categorical(tree, 1), 0);
    a = transform_with(md, sc, 1), b = transform_with(md, sc, 2), c = transform_with(md, scs, 2);
    for (int q = 0; q < 3; q++) {
        same_bits(a, b, outs[q], q < 2 ? 2 * N : N);
        same_bits(a, c, outs[q], q < 2 ? 2 * N : N);
    }
    for (size_t i = 0; i < N; i++) {
        const lml_tree_node *leaf = &tree->nodes[ref_leaf(tree, Xs + i * D)];
        const double *s = tree->stats + leaf->stats;
        double p1 = s[1] / (s[0] + s[1]);
        cr_assert(memcmp(&s[1], &col(a, "rawPrediction")[2 * i + 1], sizeof p1) == 0, "dt row %zu", i);
        cr_assert(memcmp(&p1, &col(a, "probability")[2 * i + 1], sizeof p1) == 0, "dt row %zu", i);
        cr_assert_eq(col(a, "prediction")[i], leaf->prediction);
    }
    lml_frame_free(a), lml_frame_free(b), lml_frame_free(c);

    lml_frame_free(sc), lml_frame_free(scs), lml_frame_free(treg), lml_frame_free(tcls);
    lml_stage_free(mrf), lml_stage_free(mg), lml_stage_free(md);
}

Test(predict_fast, logistic_regression_margins_in_index_order_for_any_thread_count)
{
    static double X[N * D], y[N], y3[N];
    make_xy(X, y, 2, false);
    make_xy(X, y3, 3, false);
    lml_frame *dense = frame_of(X, y, false), *sparse = frame_of(X, y, true);
    lml_frame *dense3 = frame_of(X, y3, false);
    lml_error err = {0};
    lml_stage *bin = fit_model(lml_logistic_regression_new(), dense);
    lml_stage *multi = fit_model(lml_logistic_regression_new(), dense3);
    cr_assert(lml_logistic_regression_is_multinomial(multi));
    const double *coef = lml_logistic_regression_coefficients(bin, &err);
    double icpt = lml_logistic_regression_intercept(bin, &err);
    cr_assert_not_null(coef, "%s", err.message);
    lml_frame *a = transform_with(bin, dense, 1), *b = transform_with(bin, dense, 2), *c = transform_with(bin, sparse, 2);
    const char *outs[] = {"rawPrediction", "probability", "prediction"};
    for (int q = 0; q < 3; q++)
        same_bits(a, b, outs[q], q < 2 ? 2 * N : N);
    for (size_t i = 0; i < N; i++) {
        double m = icpt, ms = icpt;
        for (size_t j = 0; j < D; j++) {
            m += coef[j] * X[i * D + j];
            if (X[i * D + j] != 0.0) /* CSR: the stored entries only */
                ms += coef[j] * X[i * D + j];
        }
        double p0 = 1.0 / (1.0 + exp(m)), p0s = 1.0 / (1.0 + exp(ms));
        cr_assert(memcmp(&m, &col(a, "rawPrediction")[2 * i + 1], sizeof m) == 0, "row %zu", i);
        cr_assert(memcmp(&p0, &col(a, "probability")[2 * i], sizeof m) == 0, "row %zu", i);
        cr_assert(memcmp(&ms, &col(c, "rawPrediction")[2 * i + 1], sizeof m) == 0, "sparse row %zu", i);
        cr_assert(memcmp(&p0s, &col(c, "probability")[2 * i], sizeof m) == 0, "sparse row %zu", i);
    }
    lml_frame_free(a), lml_frame_free(b), lml_frame_free(c);
    a = transform_with(multi, dense3, 1), b = transform_with(multi, dense3, 2);
    for (int q = 0; q < 3; q++)
        same_bits(a, b, outs[q], q < 2 ? 3 * N : N);
    size_t ncoef = 0;
    size_t ncols = 0;
    const double *cm = lml_logistic_regression_coefficient_matrix(multi, &ncoef, &ncols, &err);
    size_t ni = 0;
    const double *im = lml_logistic_regression_intercept_vector(multi, &ni, &err);
    cr_assert(cm && im && ni == 3, "%s", err.message);
    for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < 3; k++) {
            double m = im[k];
            for (size_t j = 0; j < D; j++)
                m += cm[k * D + j] * X[i * D + j];
            cr_assert(memcmp(&m, &col(a, "rawPrediction")[3 * i + k], sizeof m) == 0, "row %zu class %zu", i, k);
        }
    lml_frame_free(a), lml_frame_free(b);
    lml_frame_free(dense), lml_frame_free(sparse), lml_frame_free(dense3);
    lml_stage_free(bin), lml_stage_free(multi);
}

/* VectorAssembler over 3000 rows of a double column with NaNs and nulls (keep), an int column and
 * a 3-slot CSR vector column: every slot as the definition gives it, dense or CSR
 * by Spark's rule, the same bits with 1 and 2 threads. */
Test(predict_fast, vector_assembler_parallel_blocks_equal_the_definition)
{
    enum { R = 3000 };
    static double a[R], v[3 * R];
    static int32_t b[R];
    static uint8_t va[(R + 7) / 8];
    static int64_t ip[R + 1];
    static int32_t ix[3 * R];
    size_t z = 0;
    for (size_t i = 0; i < R; i++) {
        a[i] = i % 13 == 0 ? NAN : (double)(i % 5); /* zeros and NaNs */
        b[i] = (int32_t)(i % 3) - 1;
        if (i % 17 != 0)
            va[i / 8] |= (uint8_t)(1u << (i % 8));
        if (i % 2)
            ix[z] = (int32_t)(i % 3), v[z++] = 0.5 * (double)i;
        ip[i + 1] = (int64_t)z;
    }
    lml_error err = {0};
    lml_column *ca = lml_column_from_doubles(a, va, R, &err), *cb = lml_column_from_int32s(b, NULL, R, &err);
    lml_column *cv0 = lml_column_vector_from_csr(ip, ix, v, R, 3, &err);
    cr_assert(ca && cb && cv0, "%s", err.message);
    lml_frame *f0 = lml_frame_new(3, (const char *[]){"a", "b", "v"}, (lml_column *[]){ca, cb, cv0}, &err);
    cr_assert(f0, "%s", err.message);
    lml_column_free(ca), lml_column_free(cb), lml_column_free(cv0);
    lml_stage *asm_ = lml_vector_assembler_new((const char *[]){"a", "b", "v", NULL}, "out");
    cr_assert(lml_set_string(asm_, "handleInvalid", "keep", &err));
    lml_frame *o1 = transform_with(asm_, f0, 1), *o2 = transform_with(asm_, f0, 2);
    const lml_column *c1 = lml_frame_column_by_name(o1, "out", &err), *c2 = lml_frame_column_by_name(o2, "out", &err);
    cr_assert(c1 && c2);
    /* 5 slots, rows with at most 3 non-zeros: sparse by Spark's rule 1.5 (nnz + 1) < 5 */
    cr_assert(lml_column_vector_is_sparse(c1) && lml_column_vector_is_sparse(c2));
    size_t nnz = (size_t)lml_column_vector_indptr(c1)[R];
    cr_assert(memcmp(lml_column_vector_indptr(c1), lml_column_vector_indptr(c2), (R + 1) * sizeof(int64_t)) == 0);
    cr_assert(memcmp(lml_column_vector_indices(c1), lml_column_vector_indices(c2), nnz * sizeof(int32_t)) == 0);
    cr_assert(memcmp(lml_column_vector_values(c1), lml_column_vector_values(c2), nnz * sizeof(double)) == 0);
    lml_tree_data dt = {.n = R, .d = 5, .indptr = lml_column_vector_indptr(c1),
                        .indices = lml_column_vector_indices(c1), .values = lml_column_vector_values(c1)};
    for (size_t i = 0; i < R; i++) {
        double want[5] = {i % 17 == 0 ? NAN : a[i], (double)b[i], 0, 0, 0};
        if (i % 2)
            want[2 + i % 3] = 0.5 * (double)i;
        for (size_t j = 0; j < 5; j++) {
            double got = lml_tree_feature(&dt, i, j);
            cr_assert(isnan(want[j]) ? isnan(got) : got == want[j], "row %zu slot %zu: %g, want %g", i, j, got,
                      want[j]);
        }
    }
    lml_frame_free(o1), lml_frame_free(o2), lml_frame_free(f0);
    lml_stage_free(asm_);
}

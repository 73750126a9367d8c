/* bench/forest data generator: seeded random-forest benchmark data, binary classification or
 * regression.
 *
 *   gen_forest_data DIR cls|reg [ROWS [SEED]]        (ROWS default 1000000, SEED default 42)
 *
 * Writes into DIR (created by the caller):
 *   train_X.f64, test_X.f64   row-major n x d little-endian float64
 *   train_y.f64, test_y.f64   n labels (0.0 / 1.0 for cls)
 *   meta.txt                  "n_train n_test d" on one line
 *   truth.txt                 the best any model can do on this test set: "bayes_auc=A" (the AUC
 *                             of the true probabilities) for cls, "bayes_rmse=R" (the RMSE of the
 *                             true mean) for reg
 * The first 70% of the rows (rounded down) are the training set, the rest the test set; rows are
 * independent draws, so this is a random 70/30 split.
 *
 * cls, d = 103: 50 numeric columns, then 5 categorical variables one-hot encoded in 53 columns
 * (3 + 5 + 10 + 15 + 20 levels, level k drawn with probability proportional to 1/(k+2), so some
 * levels are rare). Numeric column j is N(0, 1) for j % 5 in {0, 1, 2}, U(-2, 2) for j % 5 == 3
 * and a rounded count in {0..12} for j % 5 == 4 (ties, few distinct values); the Gaussian columns
 * among 0-23 are correlated through 4 shared factors. The label is Bernoulli(sigmoid(f)) with f a
 * sum of nonlinear terms (sine, square, tanh, |x|, steps) and interactions of numeric columns 0-13
 * and of the first three categorical variables (the last two are noise, as are numeric columns
 * 14-49). The true probabilities reach a test AUC of about 0.97; depth-10 forests of sqrt(d)
 * features per node reach 0.87-0.88: they are far from the truth, so the tools' differences in
 * split finding show in their AUC.
 *
 * reg, d = 27: column j is U(0, 1) for j < 20 and N(0, 1) otherwise; y is an extended Friedman #1
 * function of columns 0-11, 20 and 21 (sines of products, a parabola, linear terms, a gated
 * interaction, a step, a bump) plus N(0, 2^2) noise, so the best possible RMSE is 2.0 (depth-10
 * forests: about 3.3).
 *
 * Its own xoshiro256** generator: the same bytes on every machine for a given kind and seed (only
 * log, sqrt, sin, cos, exp, tanh come from the C library). */
#define PROG "gen_forest_data"
#include "../gen_common.h"

#define PI 3.141592653589793

#define CLS_NUM 50
#define CLS_NCAT 5
#define CLS_D 103
#define REG_D 27

static const int cat_levels[CLS_NCAT] = {3, 5, 10, 15, 20};


/* Per-level effects of the categorical variables on the logit, fixed (not drawn) so that the
 * signal does not depend on the seed: variables 0-2 matter, 3-4 are noise. */
static double cat_effect(int var, int level)
{
    static const double e0[3] = {-0.7, 0.1, 0.8};
    static const double e1[5] = {0.5, -0.4, 0.0, 0.9, -0.8};
    switch (var) {
    case 0: return e0[level];
    case 1: return e1[level];
    case 2: return 0.6 * sin(1.7 * level); /* ten levels, no order a tree could exploit */
    default: return 0.0;
    }
}

/* A level in [0, k) with P(level) proportional to 1 / (level + 2). */
static int draw_level(int k)
{
    double total = 0.0;
    for (int l = 0; l < k; l++)
        total += 1.0 / (l + 2);
    double u = next_unit() * total;
    for (int l = 0; l < k - 1; l++) {
        u -= 1.0 / (l + 2);
        if (u < 0)
            return l;
    }
    return k - 1;
}

/* One classification row into x[CLS_D]; returns the true logit. */
static double cls_row(double *x)
{
    double f[4];
    for (int k = 0; k < 4; k++)
        f[k] = next_gauss();
    for (int j = 0; j < CLS_NUM; j++) {
        double v;
        switch (j % 5) {
        case 3: v = 4.0 * next_unit() - 2.0; break;
        case 4: v = floor(6.0 + 2.5 * next_gauss() + 0.5); v = v < 0 ? 0 : v > 12 ? 12 : v; break;
        default: v = next_gauss(); break;
        }
        if (j < 24 && j % 5 < 3) /* correlated Gaussians, still N(0, 1) */
            v = 0.8 * v + 0.6 * f[j % 4];
        x[j] = v;
    }
    int col = CLS_NUM, level[CLS_NCAT];
    for (int c = 0; c < CLS_NCAT; c++) {
        level[c] = draw_level(cat_levels[c]);
        for (int l = 0; l < cat_levels[c]; l++)
            x[col + l] = l == level[c] ? 1.0 : 0.0;
        col += cat_levels[c];
    }
    double m = -0.3;
    m += 1.1 * sin(1.5 * x[0]);
    m += 0.6 * (x[1] * x[1] - 1.0);
    m += x[2] > 0.3 ? 0.9 * x[3] : -0.4 * x[3];            /* x3 is U(-2, 2) */
    m += x[4] > 7.0 ? 0.5 : -0.3;                           /* x4 is a count: a step */
    m += 0.6 * x[5] * x[6];
    m += 0.9 * tanh(2.0 * x[7]);
    m += 0.5 * (fabs(x[8]) - 1.0);                          /* x8 is U(-2, 2) */
    m += x[9] > 8.0 ? 0.6 : 0.0;                            /* x9 is a count */
    m += (x[10] > 0.0 ? 0.3 : -0.3) + 0.3 * x[11];
    m += 0.4 * x[12] + 0.3 * x[13] * (x[13] > 0);          /* x13 is U(-2, 2) */
    for (int c = 0; c < 3; c++)
        m += cat_effect(c, level[c]);
    m += level[0] == 2 ? 0.4 * x[0] : 0.0;                  /* a categorical-numeric interaction */
    m *= 2.5; /* the signal's strength: the Bayes AUC */
    return m;
}

/* One regression row into x[REG_D]; returns the true mean. */
static double reg_row(double *x)
{
    for (int j = 0; j < REG_D; j++)
        x[j] = j < 20 ? next_unit() : next_gauss();
    double m = 10.0 * sin(PI * x[0] * x[1]) + 20.0 * (x[2] - 0.5) * (x[2] - 0.5) + 10.0 * x[3] + 5.0 * x[4];
    m += 5.0 * sin(2.0 * PI * x[5]) * (x[6] > 0.5 ? 1.0 : 0.2);
    m += 4.0 * x[7] * x[8] + (x[9] > 0.7 ? 3.0 : 0.0);
    m += 2.0 * tanh(x[20]) + 1.5 * x[21] * (x[10] - 0.5);
    m += 3.0 * exp(-8.0 * (x[11] - 0.5) * (x[11] - 0.5));
    return m;
}

static int cmp_pair(const void *a, const void *b)
{
    double x = ((const double *)a)[0], y = ((const double *)b)[0];
    return (x > y) - (x < y);
}

/* Exact AUC of scores against 0/1 labels, tied scores counted one half. pairs: n (score, label)
 * pairs, sorted here. */
static double exact_auc(double *pairs, size_t n)
{
    qsort(pairs, n, 2 * sizeof(double), cmp_pair);
    double rank_sum = 0.0, n_pos = 0.0;
    for (size_t i = 0; i < n;) {
        size_t k = i;
        double pos = 0.0;
        while (k < n && pairs[2 * k] == pairs[2 * i])
            pos += pairs[2 * k++ + 1];
        rank_sum += pos * (double)(i + 1 + k) / 2.0; /* mean rank of the tie group, 1-based */
        n_pos += pos;
        i = k;
    }
    double n_neg = (double)n - n_pos;
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg);
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5 || (strcmp(argv[2], "cls") != 0 && strcmp(argv[2], "reg") != 0)) {
        fprintf(stderr, "usage: gen_forest_data DIR cls|reg [ROWS [SEED]]\n");
        return 2;
    }
    const char *dir = argv[1];
    int cls = strcmp(argv[2], "cls") == 0;
    char *end;
    unsigned long long rows = argc > 3 ? strtoull(argv[3], &end, 10) : 1000000ULL;
    if (argc > 3 && (*end || rows < 10 || rows > 100000000ULL)) {
        fprintf(stderr, "gen_forest_data: ROWS must be an integer in [10, 1e8], not '%s'\n", argv[3]);
        return 2;
    }
    unsigned long long seed = argc > 4 ? strtoull(argv[4], &end, 10) : 42ULL;
    if (argc > 4 && *end) {
        fprintf(stderr, "gen_forest_data: SEED must be a non-negative integer, not '%s'\n", argv[4]);
        return 2;
    }
    seed_rng(seed);
    size_t n_train = (size_t)(rows * 7 / 10), n_test = (size_t)rows - n_train;
    int d = cls ? CLS_D : REG_D;

    /* For the Bayes figure on the test set: (true probability, label) pairs or the squared
     * errors of the true mean. */
    double *truth = malloc(2 * n_test * sizeof(double));
    if (!truth) {
        fprintf(stderr, "gen_forest_data: out of memory\n");
        return 1;
    }
    FILE *fx[2] = {open_out(dir, "train_X.f64"), open_out(dir, "test_X.f64")};
    FILE *fy[2] = {open_out(dir, "train_y.f64"), open_out(dir, "test_y.f64")};
    double x[CLS_D], y_sum = 0.0, y_sq = 0.0;
    for (size_t i = 0; i < (size_t)rows; i++) {
        int part = i >= n_train;
        double y;
        if (cls) {
            double p = 1.0 / (1.0 + exp(-cls_row(x)));
            y = next_unit() < p ? 1.0 : 0.0;
            if (part) {
                truth[2 * (i - n_train)] = p;
                truth[2 * (i - n_train) + 1] = y;
            }
        } else {
            double m = reg_row(x);
            y = m + 2.0 * next_gauss();
            if (part)
                truth[i - n_train] = (y - m) * (y - m);
        }
        y_sum += y;
        y_sq += y * y;
        if (fwrite(x, sizeof(double), (size_t)d, fx[part]) != (size_t)d || fwrite(&y, sizeof y, 1, fy[part]) != 1) {
            fprintf(stderr, "gen_forest_data: write failed: %s\n", strerror(errno));
            return 1;
        }
    }
    close_out(fx[0], "train_X.f64");
    close_out(fx[1], "test_X.f64");
    close_out(fy[0], "train_y.f64");
    close_out(fy[1], "test_y.f64");

    double best;
    if (cls) {
        best = exact_auc(truth, n_test);
    } else {
        double sse = 0.0;
        for (size_t i = 0; i < n_test; i++)
            sse += truth[i];
        best = sqrt(sse / (double)n_test);
    }
    free(truth);
    FILE *ft = open_out(dir, "truth.txt");
    fprintf(ft, "%s=%.6f\n", cls ? "bayes_auc" : "bayes_rmse", best);
    close_out(ft, "truth.txt");
    FILE *fm = open_out(dir, "meta.txt");
    fprintf(fm, "%zu %zu %d\n", n_train, n_test, d);
    close_out(fm, "meta.txt");
    double mean = y_sum / (double)rows;
    if (cls)
        fprintf(stderr, "gen_forest_data: cls %zu train + %zu test rows x %d, %.1f%% positive, bayes AUC %.4f\n",
                n_train, n_test, d, 100.0 * mean, best);
    else
        fprintf(stderr,
                "gen_forest_data: reg %zu train + %zu test rows x %d, label mean %.3f sd %.3f, bayes RMSE %.4f\n",
                n_train, n_test, d, mean, sqrt(y_sq / (double)rows - mean * mean), best);
    return 0;
}

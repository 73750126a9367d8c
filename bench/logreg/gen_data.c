/* bench/logreg data generator: a seeded, dense binary-classification data set for the
 * logistic-regression benchmark.
 *
 *   gen_data DIR [ROWS [SEED]]        (ROWS default 1000000, SEED default 42)
 *
 * Writes into DIR (created by the caller):
 *   train_X.f64, test_X.f64   row-major n x 50 little-endian float64
 *   train_y.f64, test_y.f64   n labels, 0.0 or 1.0
 *   train.libsvm              the training rows as liblinear-train reads them ("1 1:0.5 2:..")
 *   meta.txt                  "n_train n_test d" on one line
 * The first 70% of the rows (rounded down) are the training set, the rest the test set; rows are
 * independent draws, so this is a random 70/30 split.
 *
 * Every feature is N(0, 1) by construction (mean 0, standard deviation 1), so Spark's
 * standardization has nothing to change and all tools can run unstandardized on the same
 * objective. Features are correlated through 5 shared factors (x_j = 0.8 z_j + 0.6 f_{j mod 5})
 * so the problem is not trivially conditioned. Values are rounded to 6 decimals: the decimal text
 * in train.libsvm then parses back to exactly the doubles in the binary files, so liblinear's
 * command line fits the very same data as the others.
 *
 * Labels: y ~ Bernoulli(sigmoid(b + beta . x)) with b = -0.5, beta_j = +-(0.05 + 0.02 j) for
 * j < 25 and 0 for the other 25 features (so an L1 penalty has zeros to find).
 *
 * Its own xoshiro256** generator: the same bytes on every machine for a given seed (only log,
 * sqrt, sin, cos, exp come from the C library). */
#define PROG "gen_data"
#include "../gen_common.h"

#define D 50
#define NFACT 5


int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: gen_data DIR [ROWS [SEED]]\n");
        return 2;
    }
    const char *dir = argv[1];
    char *end;
    unsigned long long rows = argc > 2 ? strtoull(argv[2], &end, 10) : 1000000ULL;
    if (argc > 2 && (*end || rows < 10 || rows > 100000000ULL)) {
        fprintf(stderr, "gen_data: ROWS must be an integer in [10, 1e8], not '%s'\n", argv[2]);
        return 2;
    }
    unsigned long long seed = argc > 3 ? strtoull(argv[3], &end, 10) : 42ULL;
    if (argc > 3 && *end) {
        fprintf(stderr, "gen_data: SEED must be a non-negative integer, not '%s'\n", argv[3]);
        return 2;
    }
    seed_rng(seed);
    size_t n_train = (size_t)(rows * 7 / 10), n_test = (size_t)rows - n_train;

    double beta[D];
    for (int j = 0; j < D; j++)
        beta[j] = j < 25 ? (j % 2 ? -1.0 : 1.0) * (0.05 + 0.02 * j) : 0.0;
    const double b0 = -0.5;

    FILE *fx[2] = {open_out(dir, "train_X.f64"), open_out(dir, "test_X.f64")};
    FILE *fy[2] = {open_out(dir, "train_y.f64"), open_out(dir, "test_y.f64")};
    FILE *fsvm = open_out(dir, "train.libsvm");
    static char line[D * 24 + 16];
    size_t positives = 0;
    for (size_t i = 0; i < (size_t)rows; i++) {
        int part = i >= n_train;
        double f[NFACT], x[D], m = b0;
        for (int k = 0; k < NFACT; k++)
            f[k] = next_gauss();
        for (int j = 0; j < D; j++) {
            double v = 0.8 * next_gauss() + 0.6 * f[j % NFACT];
            x[j] = round(v * 1e6) / 1e6; /* the double nearest to a 6-decimal number */
            m += beta[j] * x[j];
        }
        double y = next_unit() < 1.0 / (1.0 + exp(-m)) ? 1.0 : 0.0;
        positives += y > 0;
        if (fwrite(x, sizeof x, 1, fx[part]) != 1 || fwrite(&y, sizeof y, 1, fy[part]) != 1) {
            fprintf(stderr, "gen_data: write failed: %s\n", strerror(errno));
            return 1;
        }
        if (!part) {
            size_t len = (size_t)snprintf(line, sizeof line, "%d", (int)y);
            for (int j = 0; j < D; j++)
                len += (size_t)snprintf(line + len, sizeof line - len, " %d:%.6f", j + 1, x[j]);
            line[len++] = '\n';
            fwrite(line, 1, len, fsvm);
        }
    }
    close_out(fx[0], "train_X.f64");
    close_out(fx[1], "test_X.f64");
    close_out(fy[0], "train_y.f64");
    close_out(fy[1], "test_y.f64");
    close_out(fsvm, "train.libsvm");
    FILE *fm = open_out(dir, "meta.txt");
    fprintf(fm, "%zu %zu %d\n", n_train, n_test, D);
    close_out(fm, "meta.txt");
    fprintf(stderr, "gen_data: %zu train + %zu test rows x %d features, %.1f%% positive\n", n_train,
            n_test, D, 100.0 * (double)positives / (double)rows);
    return 0;
}

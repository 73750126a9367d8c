"""bench/logreg: the one evaluator every tool's result goes through.

    /usr/bin/python3 bench/logreg/evaluate.py DATA_DIR REG_PARAM ELASTIC_NET COEF_FILE...

Each COEF_FILE is a tool's fitted model as text: the intercept on the first line, then the 50
coefficients, one per line (as the tools' scripts and logreg_bench write them). For each file it
prints one line

    COEF_FILE objective=%.12e auc=%.6f

objective is Spark's LogisticRegression objective with standardization=false on the training set,

    (1/n) sum_i [log(1 + e^{m_i}) - y_i m_i] + lambda [(1-alpha)/2 ||beta||^2 + alpha ||beta||_1],

m_i = b + beta . x_i (the intercept is not penalised), computed the same way for every tool so
that their objectives compare to the last digit. auc is the exact area under the ROC curve on the
test set (Mann-Whitney statistic, tied scores counted as one half).
"""
import math
import os
import sys

import numpy as np


def load(data_dir, part, d):
    x = np.fromfile(os.path.join(data_dir, f"{part}_X.f64"), dtype="<f8")
    y = np.fromfile(os.path.join(data_dir, f"{part}_y.f64"), dtype="<f8")
    if x.size != y.size * d:
        raise SystemExit(f"evaluate.py: {part}_X.f64 has {x.size} values, expected {y.size} x {d}")
    return x.reshape(y.size, d), y


def objective(x, y, b, beta, lam, alpha):
    m = x @ beta + b
    # log(1 + e^m) without overflow: max(m, 0) + log1p(e^{-|m|}).
    loss = np.maximum(m, 0.0) + np.log1p(np.exp(-np.abs(m))) - y * m
    # math.fsum: the sum exactly rounded, so no tool is favoured by summation order.
    data = math.fsum(loss.tolist()) / y.size
    pen = lam * ((1.0 - alpha) / 2.0 * float(beta @ beta) + alpha * float(np.abs(beta).sum()))
    return data + pen


def auc(score, y):
    # Average rank of each distinct score (ties share their mean rank), then Mann-Whitney.
    _, inv, cnt = np.unique(score, return_inverse=True, return_counts=True)
    cum = np.cumsum(cnt)
    ranks = (cum - (cnt - 1) / 2.0)[inv]
    pos = y > 0.5
    n_pos = int(pos.sum())
    n_neg = y.size - n_pos
    return (ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def main():
    if len(sys.argv) < 5:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    data_dir, lam, alpha = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    with open(os.path.join(data_dir, "meta.txt")) as f:
        _, _, d = (int(v) for v in f.read().split())
    xtr, ytr = load(data_dir, "train", d)
    xte, yte = load(data_dir, "test", d)
    for path in sys.argv[4:]:
        try:
            w = np.loadtxt(path, dtype=np.float64, ndmin=1)
        except (OSError, ValueError) as e:
            print(f"{path} error={e}")
            continue
        if w.size != d + 1 or not np.all(np.isfinite(w)):
            print(f"{path} error=expected {d + 1} finite numbers, got {w.size}")
            continue
        b, beta = float(w[0]), w[1:]
        obj = objective(xtr, ytr, b, beta, lam, alpha)
        print(f"{path} objective={obj:.12e} auc={auc(xte @ beta + b, yte):.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

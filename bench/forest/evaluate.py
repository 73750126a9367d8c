"""bench/forest: the one evaluator every tool's test predictions go through.

    /usr/bin/python3 bench/forest/evaluate.py DATA_DIR cls|reg PRED_FILE...

Each PRED_FILE holds one little-endian float64 per test row, as the tools write them: P(class 1)
for cls, the prediction for reg. For each file it prints one line

    PRED_FILE auc=%.6f        (cls: exact area under the ROC curve, Mann-Whitney, ties count 1/2)
    PRED_FILE rmse=%.6f       (reg: root mean squared error)

or "PRED_FILE error=..." when the file does not hold one finite number per test row. The same
code for every tool, so that no tool's own metric (lakeml's evaluator, scikit-learn's, a few lines
of R) decides the comparison.
"""
import math
import os
import sys

import numpy as np


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
    if len(sys.argv) < 4 or sys.argv[2] not in ("cls", "reg"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    data_dir, kind = sys.argv[1], sys.argv[2]
    y = np.fromfile(os.path.join(data_dir, "test_y.f64"), dtype="<f8")
    for path in sys.argv[3:]:
        try:
            p = np.fromfile(path, dtype="<f8")
        except OSError as e:
            print(f"{path} error={e}")
            continue
        if p.size != y.size or not np.all(np.isfinite(p)):
            print(f"{path} error=expected {y.size} finite numbers, got {p.size}")
            continue
        if kind == "cls":
            print(f"{path} auc={auc(p, y):.6f}")
        else:
            print(f"{path} rmse={math.sqrt(math.fsum(((p - y) ** 2).tolist()) / y.size):.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

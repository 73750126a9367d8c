"""bench/score: one evaluator for every tool's scores of the 1,000,000 rows.

    /usr/bin/python3 bench/score/evaluate.py SCORE_DIR PRED...

Each PRED is a file of float64 P(class 1), one per row of SCORE_DIR/train_X.f64. Prints
"PRED auc=A" per file (roc_auc_score against SCORE_DIR/train_y.f64), or "PRED error=..." when it
cannot be read or is not one finite score per row.
"""
import os
import sys

import numpy as np
from sklearn.metrics import roc_auc_score


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    data = sys.argv[1]
    with open(os.path.join(data, "meta.txt")) as f:
        n = int(f.read().split()[0])
    y = np.fromfile(os.path.join(data, "train_y.f64"), dtype="<f8")
    if y.size != n:
        raise SystemExit(f"evaluate.py: {data}: expected {n} labels, got {y.size}")
    for path in sys.argv[2:]:
        try:
            p = np.fromfile(path, dtype="<f8")
            if p.size != n:
                raise ValueError(f"{p.size} scores for {n} rows")
            if not np.all(np.isfinite(p)):
                raise ValueError("non-finite scores")
            print(f"{path} auc={roc_auc_score(y, p):.6f}")
        except (OSError, ValueError) as e:
            print(f"{path} error={str(e).replace(' ', '_')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""bench/forest peer: scikit-learn RandomForestClassifier / RandomForestRegressor.

    /usr/bin/python3 bench/forest/sk_forest.py DATA_DIR cls|reg NUM_TREES MAX_DEPTH MTRY THREADS SEED PRED_OUT

Run with Debian's python3 (package python3-sklearn). The forest: n_estimators = NUM_TREES,
max_depth = MAX_DEPTH, max_features = MTRY (an integer, the number of features lakeml's
featureSubsetStrategy gives), n_jobs = THREADS, random_state = SEED, everything else at
scikit-learn's defaults (bootstrap, gini / squared_error, min_samples_leaf 1, exact splits on
the sorted values). Only the fit() call is timed. The training arrays are dropped before the
test set is read, as in every tool of this benchmark.

Writes one float64 per test row to PRED_OUT (P(class 1) or the prediction) and prints one line
"seconds=S rss_mb=M fit_rss_mb=F auc=A" (or rmse=R): peak RSS of the process (ru_maxrss) at the
end and right after the fit, MB = 10^6 bytes.
"""
import gc
import os
import sys
import time

import numpy as np
from forest_common import load, rss_mb
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import mean_squared_error, roc_auc_score


def main():
    if len(sys.argv) != 9 or sys.argv[2] not in ("cls", "reg"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    data_dir, kind, out = sys.argv[1], sys.argv[2], sys.argv[8]
    trees, depth, mtry, threads, seed = (int(v) for v in sys.argv[3:8])
    with open(os.path.join(data_dir, "meta.txt")) as f:
        n, n_test, d = (int(v) for v in f.read().split())
    x, y = load(data_dir, "train", n, d, "sk_forest.py")
    cls = RandomForestClassifier if kind == "cls" else RandomForestRegressor
    model = cls(n_estimators=trees, max_depth=depth, max_features=mtry, n_jobs=threads, random_state=seed)
    t0 = time.perf_counter()
    model.fit(x, y)
    secs = time.perf_counter() - t0
    fit_rss = rss_mb()
    del x, y
    gc.collect()
    x, y = load(data_dir, "test", n_test, d, "sk_forest.py")
    if kind == "cls":
        p = model.predict_proba(x)[:, list(model.classes_).index(1.0)]
        metric = f"auc={roc_auc_score(y, p):.6f}"
    else:
        p = model.predict(x)
        metric = f"rmse={mean_squared_error(y, p) ** 0.5:.6f}"
    np.ascontiguousarray(p, dtype="<f8").tofile(out)
    print(f"seconds={secs:.4f} rss_mb={rss_mb():.1f} fit_rss_mb={fit_rss:.1f} {metric} threads={threads}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

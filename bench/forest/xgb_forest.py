"""bench/forest peer: XGBoost's random-forest mode (XGBRFClassifier / XGBRFRegressor).

    /usr/bin/python3 bench/forest/xgb_forest.py DATA_DIR cls|reg NUM_TREES MAX_DEPTH MTRY THREADS SEED PRED_OUT [MAX_BIN]

Run with Debian's python3 (package python3-xgboost). One boosting round of NUM_TREES parallel
trees (n_estimators), learning_rate 1 (XGBRF's default), tree_method "hist" with MAX_BIN bins
(default 256, XGBoost's own default), max_depth = MAX_DEPTH, colsample_bynode = (MTRY + 0.5) / d
(XGBoost takes floor(colsample_bynode * d) features per node: MTRY exactly), subsample 0.632
(XGBoost samples rows without replacement; a bootstrap sample holds 1 - 1/e = 63.2% distinct
rows), n_jobs = THREADS, random_state = SEED, the rest XGBoost's defaults (logistic loss with
reg_lambda 1e-5 for XGBRF, min_child_weight 1). Only the fit() call is timed; it includes
building XGBoost's quantised matrix, as lakeml's fit includes its binning.

Output as bench/forest/sk_forest.py: PRED_OUT and one "seconds=... rss_mb=... auc=..." line.
"""
import gc
import os
import sys
import time

import numpy as np
from forest_common import load, rss_mb
import xgboost as xgb
from sklearn.metrics import mean_squared_error, roc_auc_score


def main():
    if len(sys.argv) not in (9, 10) or sys.argv[2] not in ("cls", "reg"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    data_dir, kind, out = sys.argv[1], sys.argv[2], sys.argv[8]
    trees, depth, mtry, threads, seed = (int(v) for v in sys.argv[3:8])
    max_bin = int(sys.argv[9]) if len(sys.argv) > 9 else 256
    with open(os.path.join(data_dir, "meta.txt")) as f:
        n, n_test, d = (int(v) for v in f.read().split())
    x, y = load(data_dir, "train", n, d, "xgb_forest.py")
    params = dict(n_estimators=trees, max_depth=depth, tree_method="hist", max_bin=max_bin,
                  colsample_bynode=(mtry + 0.5) / d, subsample=0.632, n_jobs=threads, random_state=seed)
    model = xgb.XGBRFClassifier(**params) if kind == "cls" else xgb.XGBRFRegressor(**params)
    t0 = time.perf_counter()
    model.fit(x, y.astype(np.int64) if kind == "cls" else y)
    secs = time.perf_counter() - t0
    fit_rss = rss_mb()
    del x, y
    gc.collect()
    x, y = load(data_dir, "test", n_test, d, "xgb_forest.py")
    if kind == "cls":
        p = model.predict_proba(x)[:, 1]
        metric = f"auc={roc_auc_score(y, p):.6f}"
    else:
        p = model.predict(x)
        metric = f"rmse={mean_squared_error(y, p) ** 0.5:.6f}"
    np.ascontiguousarray(p, dtype="<f8").tofile(out)
    print(f"seconds={secs:.4f} rss_mb={rss_mb():.1f} fit_rss_mb={fit_rss:.1f} {metric} threads={threads}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

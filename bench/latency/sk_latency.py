"""bench/latency peer: scikit-learn's single-row predict_proba.

    /usr/bin/python3 bench/latency/sk_latency.py titanic CSV CALLS
    /usr/bin/python3 bench/latency/sk_latency.py forest MODEL_PKL DATA_DIR CALLS

titanic: the rows of CSV with Survived, Pclass, Sex, Age, Fare present; a Pipeline of
  ColumnTransformer(OneHotEncoder on Pclass and Sex, Age and Fare passed through) and
  LogisticRegression(penalty=None, max_iter=10) (Spark's maxIter 10, regParam 0), fitted on them.
  A call is predict_proba of one row as a 1 x 4 object array (columns chosen by position: a
  one-row DataFrame costs several times more per call), built before timing.
forest: the pickled RandomForestClassifier of bench/score (100 trees, max_depth 10), n_jobs=1
  (one row: no parallel work); a call is predict_proba of one row as a 1 x d array, the first
  1000 rows of DATA_DIR/train_X.f64 cycled.
Each call is timed alone with time.perf_counter_ns (100 warm-up calls first); the cost of the
clock itself (median of back-to-back pairs) is printed and not subtracted. Prints
"median_ns=… p99_ns=… mean_ns=… clock_ns=… calls=…".
"""
import os
import pickle
import sys
import time
import warnings

import numpy as np


def timed(fn, rows, calls):
    for i in range(100):
        fn(rows[i % len(rows)])
    lat = np.empty(calls, dtype=np.int64)
    clock = time.perf_counter_ns
    for c in range(calls):
        r = rows[c % len(rows)]
        t0 = clock()
        fn(r)
        lat[c] = clock() - t0
    ck = np.empty(calls, dtype=np.int64)
    for c in range(calls):
        t0 = clock()
        ck[c] = clock() - t0
    lat.sort()
    print(f"median_ns={lat[calls // 2]} p99_ns={lat[int(calls * 0.99)]} mean_ns={lat.mean():.1f} "
          f"clock_ns={int(np.median(ck))} calls={calls}")


def titanic(csv, calls):
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder
    df = pd.read_csv(csv)[["Survived", "Pclass", "Sex", "Age", "Fare"]].dropna()
    x = df[["Pclass", "Sex", "Age", "Fare"]].to_numpy(dtype=object)
    y = df["Survived"].to_numpy()
    pipe = Pipeline([("prep", ColumnTransformer([("onehot", OneHotEncoder(), [0, 1])],
                                                remainder="passthrough")),
                     ("lr", LogisticRegression(penalty=None, max_iter=10))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter=10, as Spark's maxIter: not converged, on purpose
        pipe.fit(x, y)
    rows = [x[i:i + 1] for i in range(min(len(x), 1000))]
    timed(pipe.predict_proba, rows, calls)


def forest(pkl, data_dir, calls):
    with open(pkl, "rb") as f:
        model = pickle.load(f)
    model.set_params(n_jobs=1)
    with open(os.path.join(data_dir, "meta.txt")) as f:
        n, _, d = (int(v) for v in f.read().split())
    n = min(n, 1000)
    x = np.fromfile(os.path.join(data_dir, "train_X.f64"), dtype="<f8", count=n * d).reshape(n, d)
    rows = [x[i:i + 1] for i in range(n)]
    timed(model.predict_proba, rows, calls)


def main():
    a = sys.argv
    if len(a) == 4 and a[1] == "titanic":
        titanic(a[2], int(a[3]))
    elif len(a) == 5 and a[1] == "forest":
        forest(a[2], a[3], int(a[4]))
    else:
        print("\n".join(__doc__.strip().splitlines()[2:4]), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""bench/score peer: scikit-learn's predict_proba on 1,000,000 in-memory rows.

    /usr/bin/python3 bench/score/sk_score.py train TRAIN_DIR N_TRAIN THREADS SEED MODEL_DIR
    /usr/bin/python3 bench/score/sk_score.py score lr|rf MODEL_DIR SCORE_DIR THREADS PRED_OUT

train: fits, on the first N_TRAIN rows of TRAIN_DIR/train_{X,y}.f64 (gen_forest_data's layout),
  lr: LogisticRegression(penalty=None, max_iter=1000): unregularised, like Spark's regParam 0
      (lakeml's pipeline: VectorAssembler + LogisticRegression, regParam 0);
  rf: RandomForestClassifier(n_estimators=100, max_depth=10, max_features=ceil(sqrt(d)) (Spark's
      sqrt count), n_jobs=THREADS, random_state=SEED),
and pickles them as MODEL_DIR/lr.pkl and MODEL_DIR/rf.pkl. Prints the fit seconds.
score: loads the model and SCORE_DIR/train_X.f64 (the 1,000,000 scoring rows; not timed), then
times ONE predict_proba call (the forest with n_jobs=THREADS; LogisticRegression has no n_jobs
for prediction, its matrix product runs on OpenBLAS with OPENBLAS_NUM_THREADS as the caller sets
it). Writes P(class 1) per row as float64 to PRED_OUT and prints one line
"seconds=S cpu_seconds=C rows=N rss_mb=M": C is the process CPU time (all threads) of the call,
M the peak RSS of the process (ru_maxrss, MB = 10^6 bytes).
"""
import math
import os
import pickle
import resource
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def meta(data_dir):
    with open(os.path.join(data_dir, "meta.txt")) as f:
        return [int(v) for v in f.read().split()]


def load_x(data_dir, n, d):
    x = np.fromfile(os.path.join(data_dir, "train_X.f64"), dtype="<f8", count=n * d)
    if x.size != n * d:
        raise SystemExit(f"sk_score.py: {data_dir}: expected {n} x {d} values, got {x.size}")
    return x.reshape(n, d)


def train(data_dir, n_train, threads, seed, model_dir):
    n, _, d = meta(data_dir)
    if n_train > n:
        raise SystemExit(f"sk_score.py: N_TRAIN {n_train} > {n} rows")
    x = load_x(data_dir, n_train, d)
    y = np.fromfile(os.path.join(data_dir, "train_y.f64"), dtype="<f8", count=n_train)
    out = []
    for name, model in (("lr", LogisticRegression(penalty=None, max_iter=1000)),
                        ("rf", RandomForestClassifier(n_estimators=100, max_depth=10,
                                                      max_features=math.ceil(math.sqrt(d)),
                                                      n_jobs=threads, random_state=seed))):
        t0 = time.perf_counter()
        model.fit(x, y)
        out.append(f"{name}_fit_seconds={time.perf_counter() - t0:.3f}")
        with open(os.path.join(model_dir, f"{name}.pkl"), "wb") as f:
            pickle.dump(model, f)
    print(" ".join(out))


def score(kind, model_dir, data_dir, threads, pred_out):
    with open(os.path.join(model_dir, f"{kind}.pkl"), "rb") as f:
        model = pickle.load(f)
    if kind == "rf":
        model.set_params(n_jobs=threads)
    n, _, d = meta(data_dir)
    x = load_x(data_dir, n, d)
    c0, t0 = time.process_time(), time.perf_counter()
    p = model.predict_proba(x)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    p1 = np.ascontiguousarray(p[:, list(model.classes_).index(1.0)], dtype="<f8")
    p1.tofile(pred_out)
    print(f"seconds={secs:.4f} cpu_seconds={cpu:.3f} rows={n} rss_mb={rss_mb():.1f} threads={threads}")


def main():
    a = sys.argv
    if len(a) == 7 and a[1] == "train":
        train(a[2], int(a[3]), int(a[4]), int(a[5]), a[6])
    elif len(a) == 7 and a[1] == "score" and a[2] in ("lr", "rf"):
        score(a[2], a[3], a[4], int(a[5]), a[6])
    else:
        print(__doc__.strip().splitlines()[2] + "\n" + __doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

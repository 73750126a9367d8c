"""bench/logreg peer: scikit-learn LogisticRegression on the generated data set.

    /usr/bin/python3 bench/logreg/sklearn.py DATA_DIR REG_PARAM ELASTIC_NET TOL MAX_ITER COEF_OUT

Run with Debian's python3 (package python3-sklearn). L2 (ELASTIC_NET = 0) uses solver lbfgs,
elastic net uses saga with l1_ratio = ELASTIC_NET. scikit-learn minimises
C sum_i loss_i + (1-rho)/2 ||beta||^2 + rho ||beta||_1; dividing by n C gives Spark's
(1/n) sum_i loss_i + lambda [(1-alpha)/2 ||beta||^2 + alpha ||beta||_1] exactly when
C = 1 / (n lambda) and rho = alpha (no standardization: the features are already N(0, 1)).
The intercept is not penalised by either solver.

Prints one line "seconds=S iterations=K" (S: the fit() call alone) and writes the intercept and
the coefficients, one per line, to COEF_OUT.
"""
import os
import sys
import time

# This file is named sklearn.py: drop its own folder from the path, or `import sklearn` finds it.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]

import warnings  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402


def main():
    if len(sys.argv) != 7:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    data_dir, lam, alpha = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    tol, max_iter, out = float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    with open(os.path.join(data_dir, "meta.txt")) as f:
        n, _, d = (int(v) for v in f.read().split())
    x = np.fromfile(os.path.join(data_dir, "train_X.f64"), dtype="<f8").reshape(n, d)
    y = np.fromfile(os.path.join(data_dir, "train_y.f64"), dtype="<f8")
    c = 1.0 / (n * lam)
    if alpha == 0.0:
        model = LogisticRegression(penalty="l2", C=c, solver="lbfgs", tol=tol, max_iter=max_iter)
    else:
        model = LogisticRegression(penalty="elasticnet", l1_ratio=alpha, C=c, solver="saga",
                                   tol=tol, max_iter=max_iter)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        t0 = time.perf_counter()
        model.fit(x, y)
        secs = time.perf_counter() - t0
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    np.savetxt(out, np.r_[model.intercept_, model.coef_.ravel()], fmt="%.17g")
    print(f"seconds={secs:.4f} iterations={int(model.n_iter_[0])} converged={int(converged)} "
          f"solver={model.solver} C={c:.6g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

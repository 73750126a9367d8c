"""bench/logreg peer: liblinear through its Python binding (Debian python3-liblinear).

    /usr/bin/python3 bench/logreg/liblinear_py.py DATA_DIR REG_PARAM EPS BIAS COEF_OUT

Solver -s 0 (L2-regularised logistic regression, primal trust-region Newton), which minimises
C sum_i loss_i + 1/2 ||w||^2: Spark's objective (alpha = 0, no standardization) times n C when
C = 1 / (n lambda). liblinear has no unpenalised intercept: with BIAS > 0 every row gets an extra
feature of value BIAS whose weight w_b is penalised like the others, so the intercept BIAS * w_b
carries a penalty lambda / (2 BIAS^2) b^2 that Spark does not have. A large BIAS makes that
negligible (100 moves the objective by under 1e-9 relative here, 10 by 1e-8, 1 by 1e-4); BIAS <= 0 fits no intercept at all.

Prints "seconds=S iterations=K convert_seconds=T": S is the train() call alone, K the number of
Newton iterations liblinear reports, T the conversion of the numpy arrays (through a CSR matrix)
into liblinear's problem structure (not part of S). Writes the intercept and the coefficients, one per line, to
COEF_OUT, signed for class 1 whichever label liblinear saw first.
"""
import os
import sys
import time

import numpy as np
import scipy
import scipy.sparse
import liblinear
import liblinearutil

# Debian's binding (2.3.0) fills y through scipy.ctypeslib, an alias of numpy.ctypeslib that
# scipy 1.10 no longer has; put it back rather than convert y element by element.
if not hasattr(scipy, "ctypeslib"):
    scipy.ctypeslib = np.ctypeslib


def main():
    if len(sys.argv) != 6:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    data_dir, lam, eps = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    bias, out = float(sys.argv[4]), sys.argv[5]
    with open(os.path.join(data_dir, "meta.txt")) as f:
        n, _, d = (int(v) for v in f.read().split())
    x = np.fromfile(os.path.join(data_dir, "train_X.f64"), dtype="<f8").reshape(n, d)
    y = np.fromfile(os.path.join(data_dir, "train_y.f64"), dtype="<f8")
    c = 1.0 / (n * lam)
    t0 = time.perf_counter()
    # A CSR matrix takes the binding's vectorised conversion path; a dense array would be
    # converted row by row in Python.
    prob = liblinear.problem(y, scipy.sparse.csr_matrix(x), bias=bias if bias > 0 else -1)
    convert = time.perf_counter() - t0
    param = liblinear.parameter(f"-s 0 -c {c!r} -e {eps!r} -B {bias if bias > 0 else -1!r}")
    # liblinear reports each Newton iteration through its print function: count them.
    lines = []
    param.print_func = liblinear.PRINT_STRING_FUN(lambda s: lines.append(s.decode()))
    t0 = time.perf_counter()
    model = liblinearutil.train(prob, param)
    secs = time.perf_counter() - t0
    iters = sum(1 for chunk in lines for ln in chunk.splitlines() if ln.startswith("iter"))
    w, b = model.get_decfun()
    sign = 1.0 if model.get_labels()[0] == 1 else -1.0
    np.savetxt(out, sign * np.r_[b, w], fmt="%.17g")
    print(f"seconds={secs:.4f} iterations={iters} convert_seconds={convert:.4f} C={c:.6g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

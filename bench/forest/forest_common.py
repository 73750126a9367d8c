"""What the forest peers' scripts share: reading the raw float64 data sets and the peak RSS."""
import os
import resource

import numpy as np


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def load(data_dir, part, n, d, prog):
    x = np.fromfile(os.path.join(data_dir, f"{part}_X.f64"), dtype="<f8")
    y = np.fromfile(os.path.join(data_dir, f"{part}_y.f64"), dtype="<f8")
    if x.size != n * d or y.size != n:
        raise SystemExit(f"{prog}: {part} set: expected {n} x {d} values, got {x.size} and {y.size}")
    return x.reshape(n, d), y

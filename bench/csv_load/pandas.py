"""bench/csv_load peer: pandas.read_csv with its default type inference (single-threaded).

    /usr/bin/python3 bench/csv_load/pandas.py FILE

Run with Debian's python3 (package python3-pandas), not another interpreter on PATH. Prints one
line of key=value pairs: the seconds of the read_csv call alone (interpreter start-up and the
pandas import are not counted), rows, columns, the dtype counts and pandas' own idea of the
frame's size (memory_usage(deep=True), which counts each Python string object).
"""
import os
import sys
import time

# This file is named pandas.py: drop its own folder from the path, or `import pandas` finds it.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]

import pandas as pd  # noqa: E402


def main():
    if len(sys.argv) != 2:
        print("usage: pandas.py FILE", file=sys.stderr)
        return 2
    path = sys.argv[1]
    size = os.path.getsize(path)
    t0 = time.perf_counter()
    df = pd.read_csv(path)
    secs = time.perf_counter() - t0
    dtypes = {}
    for dt in df.dtypes:
        dtypes[str(dt)] = dtypes.get(str(dt), 0) + 1
    types = ",".join(f"{k}:{v}" for k, v in sorted(dtypes.items()))
    frame_bytes = int(df.memory_usage(deep=True).sum())
    print(f"tool=pandas version={pd.__version__} seconds={secs:.4f} bytes={size} "
          f"rows={df.shape[0]} cols={df.shape[1]} types={types} frame_bytes={frame_bytes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

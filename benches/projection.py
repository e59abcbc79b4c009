#!/usr/bin/env python3
"""PROJ's side of `cargo bench --bench projection`: converts the grid the
benchmark wrote, with pyproj on numpy arrays, and times it in the same run.

    python3 benches/projection.py GRID OUT EPSG RUNS BATCH

GRID holds little-endian f64 pairs (x, y) in EPSG; OUT receives, per point,
PROJ's (longitude, latitude) and the forward conversion of that longitude
and latitude back to EPSG, for the accuracy comparison. Prints
`inverse BEST MEDIAN` and `forward BEST MEDIAN`: nanoseconds per point of
the fastest batch of BATCH points, and the median of whole passes, timed
the same way as the Rust side.
"""

import statistics
import sys
import time

import numpy as np
from pyproj import Transformer


def timed(convert, a, b, runs, batch):
    """Converts a, b in batches; returns (fastest batch, median pass) in ns
    per point, and the converted arrays."""
    count = len(a)
    out_a, out_b = np.empty(count), np.empty(count)
    best, passes = float("inf"), []
    for _ in range(runs):
        started = time.perf_counter()
        for start in range(0, count, batch):
            end = min(start + batch, count)
            batch_started = time.perf_counter()
            converted_a, converted_b = convert(a[start:end], b[start:end])
            best = min(best, (time.perf_counter() - batch_started) * 1e9 / (end - start))
            out_a[start:end], out_b[start:end] = converted_a, converted_b
        passes.append((time.perf_counter() - started) * 1e9 / count)
    return best, statistics.median(passes), out_a, out_b


def main():
    grid, out = sys.argv[1], sys.argv[2]
    code, runs, batch = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    xy = np.fromfile(grid, dtype="<f8").reshape(-1, 2)
    x, y = np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1])
    inverse = Transformer.from_crs(code, 4326, always_xy=True)
    forward = Transformer.from_crs(4326, code, always_xy=True)
    inverse_best, inverse_median, lon, lat = timed(inverse.transform, x, y, runs, batch)
    forward_best, forward_median, x2, y2 = timed(forward.transform, lon, lat, runs, batch)
    np.column_stack([lon, lat, x2, y2]).astype("<f8").tofile(out)
    print(f"inverse {inverse_best:.1f} {inverse_median:.1f}")
    print(f"forward {forward_best:.1f} {forward_median:.1f}")


if __name__ == "__main__":
    main()

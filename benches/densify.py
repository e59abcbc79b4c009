#!/usr/bin/env python3
"""Make a full-resolution stand-in of the communes: every border segment is
cut into N pieces, identically on both sides (the points are computed from
the segment's ends in a canonical order), so the coverage stays exact.

    python3 benches/densify.py [--pieces 19]   # ≈ 20 M vertices -> target/bench/dense/

The real full-precision ADMIN EXPRESS is not redistributable here; this
keeps the bundled topology and multiplies its vertices.
"""

import argparse
import shutil
from pathlib import Path

import numpy as np
import shapefile  # pyshp

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "bench" / "dense"


def densify_ring(points: np.ndarray, pieces: int) -> np.ndarray:
    a, b = points[:-1], points[1:]
    # canonical order: the same segment gives the same points on both sides
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    lo = np.where(swap[:, None], b, a)
    hi = np.where(swap[:, None], a, b)
    t = np.arange(1, pieces) / pieces
    inner = lo[:, None, :] + (hi - lo)[:, None, :] * t[None, :, None]
    inner = np.where(swap[:, None, None], inner[:, ::-1, :], inner)
    out = np.concatenate([a[:, None, :], inner], axis=1).reshape(-1, 2)
    return np.vstack([out, points[-1:]])


def densify(name: str, pieces: int) -> int:
    src = shapefile.Reader(str(ROOT / "geodata" / f"{name}.shp"), encoding="utf-8")
    total = 0
    with shapefile.Writer(str(OUT / name), shapeType=shapefile.POLYGON, encoding="utf-8") as w:
        w.fields = src.fields[1:]
        for sr in src.iterShapeRecords():
            if sr.shape.shapeType == 0:
                w.null()
            else:
                pts = np.asarray(sr.shape.points)
                parts = list(sr.shape.parts) + [len(pts)]
                rings = [densify_ring(pts[s:e], pieces) for s, e in zip(parts, parts[1:])]
                total += sum(len(r) for r in rings)
                w.poly([r.tolist() for r in rings])
            w.record(*sr.record)
    for ext in ("prj", "cpg"):
        shutil.copy(ROOT / "geodata" / f"{name}.{ext}", OUT / f"{name}.{ext}")
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pieces", type=int, default=19)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    n = densify("COMMUNE", args.pieces) + densify("ARRONDISSEMENT_MUNICIPAL", args.pieces)
    print(f"{n} vertices -> {OUT}")


if __name__ == "__main__":
    main()

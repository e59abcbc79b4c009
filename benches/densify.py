#!/usr/bin/env python3
"""Make a full-resolution stand-in of the communes: every border segment is
cut into N pieces, identically on both sides (the points are computed from
the segment's ends in a canonical order), so the coverage stays exact.

    python3 benches/densify.py [--pieces 19]   # ≈ 20 M vertices -> target/bench/dense/
    python3 benches/densify.py --lambert93     # and its Lambert-93 copy -> target/bench/dense-lambert93/

The Lambert-93 copy is what IGN ships for metropolitan France: its
metropole and the arrondissements reprojected by GDAL (`ogr2ogr -t_srs
EPSG:2154`, full precision), the overseas communes left in WGS84 (each has
its own projection; cptsmap reads several layers in several CRS).
`--pieces 2` makes the ≈ 2 M-vertex variant that the tests build themselves.

The real full-precision ADMIN EXPRESS is not redistributable here; this
keeps the bundled topology and multiplies its vertices.
"""

import argparse
import shutil
import subprocess
from pathlib import Path

import numpy as np
import shapefile  # pyshp

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "bench" / "dense"
LAMBERT93 = ROOT / "target" / "bench" / "dense-lambert93"
OVERSEAS = "INSEE_REG IN ('01','02','03','04','06')"


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


def lambert93():
    """The dense layers as IGN ships metropolitan France: Lambert-93."""
    LAMBERT93.mkdir(parents=True, exist_ok=True)
    communes, arrondissements = OUT / "COMMUNE.shp", OUT / "ARRONDISSEMENT_MUNICIPAL.shp"
    for out, extra, src in (
        ("metropole.shp", ["-t_srs", "EPSG:2154", "-where", f"NOT ({OVERSEAS})"], communes),
        ("outremer.shp", ["-where", OVERSEAS], communes),
        ("arr.shp", ["-t_srs", "EPSG:2154"], arrondissements),
    ):
        subprocess.run(["ogr2ogr", "-overwrite", "-lco", "ENCODING=UTF-8", *extra, str(LAMBERT93 / out), str(src)], check=True)
    print(f"Lambert-93 copy -> {LAMBERT93}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pieces", type=int, default=19)
    ap.add_argument("--lambert93", action="store_true", help="also write the Lambert-93 copy (needs ogr2ogr)")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    n = densify("COMMUNE", args.pieces) + densify("ARRONDISSEMENT_MUNICIPAL", args.pieces)
    print(f"{n} vertices -> {OUT}")
    if args.lambert93:
        lambert93()


if __name__ == "__main__":
    main()

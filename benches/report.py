#!/usr/bin/env python3
"""Benchmark: `cptsmap report` end to end on the bundled national data,
against GDAL and GEOS on the same data, in the same run.

    cargo build --release
    python3 -m pip install -r tools/requirements.txt   # shapely, pyshp (GEOS side)
    python3 benches/report.py [--runs 7]

What is timed (wall clock, whole processes, median of --runs after one warm-up):
  A  cptsmap report --format json      read COMMUNE.shp + arrondissements + the
                                       demo CPTS list, compute every figure,
                                       uncovered zones, write the JSON
  B  ogr2ogr -f Memory                 GDAL only reading COMMUNE.shp into memory
  C  GEOS (shapely 2) union part       in one Python process, after loading: the
                                       covered area as one coverage union of the
                                       covered communes (shapely.coverage_union_all)
  D  cptsmap with polygon territories  territories given as drawn polygons
                                       (GeoJSON, one per CPTS), membership by area
Target: A under 0.25 s on a 2-core machine, i.e. faster than B; D under 1 s.
"""

import argparse
import csv
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from timing import row, timed

ROOT = Path(__file__).resolve().parent.parent
CPTSMAP = ROOT / "target" / "release" / "cptsmap"



def geos_union_seconds(runs):
    """Seconds shapely/GEOS takes to union the covered communes (load excluded)."""
    import shapefile  # pyshp
    import shapely

    covered = set()
    cities = {}
    with open(ROOT / "geodata" / "cpts_demo_fictif.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter=";"):
            covered.add(row["code_commune"])
    geoms = []
    for name, key in (("COMMUNE", "INSEE_COM"), ("ARRONDISSEMENT_MUNICIPAL", "INSEE_ARM")):
        reader = shapefile.Reader(str(ROOT / "geodata" / f"{name}.shp"), encoding="utf-8")
        for sr in reader.iterShapeRecords():
            code = sr.record[key]
            if code in ("75056", "69123", "13055"):
                cities[code] = True
                continue
            if code in covered and sr.shape.shapeType != 0:
                geoms.append(shapely.geometry.shape(sr.shape.__geo_interface__))
    union, how = shapely.coverage_union_all, "coverage_union_all"
    try:
        union(geoms)
    except shapely.errors.GEOSException:
        # GEOS refuses the coverage when a few borders do not match exactly
        # (see geodata/README.md); fall back to the general union, as a GIS user would.
        union, how, runs = shapely.union_all, "union_all (coverage_union refused the data)", min(runs, 3)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        union(geoms)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times), len(geoms), how



def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    if not CPTSMAP.exists():
        sys.exit("build first: cargo build --release")
    a = timed([str(CPTSMAP), "report", "--format", "json"], args.runs, cwd=ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        b = timed(["ogr2ogr", "-f", "Memory", "mem", str(ROOT / "geodata" / "COMMUNE.shp")], args.runs, cwd=tmp)
    row("A  cptsmap report (whole report, JSON)", a)
    row("B  GDAL ogr2ogr -f Memory (read only)", b, a[0])
    try:
        c = geos_union_seconds(args.runs)
        row(f"C  GEOS {c[4]} of {c[3]} communes", c[:3], a[0])
    except ImportError:
        print("C  skipped: python3 -m pip install -r tools/requirements.txt")
    polygons = ROOT / "target" / "bench" / "cpts_polygons.geojson"
    if polygons.exists():
        d = timed([str(CPTSMAP), "report", "--format", "json", "--cpts", str(polygons)], args.runs, cwd=ROOT)
        row("D  cptsmap report, drawn polygon territories", d, a[0])
    else:
        print(f"D  skipped: make {polygons.relative_to(ROOT)} with python3 benches/make_polygons.py")
    verdict = "met" if a[0] < 0.25 else "NOT met"
    print(f"target A < 0.25 s: {verdict}; A/B = {a[0] / b[0]:.2f} (below 1 means faster than GDAL only reading)")


if __name__ == "__main__":
    main()

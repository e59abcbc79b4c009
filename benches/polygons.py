#!/usr/bin/env python3
"""Benchmark: territories drawn as polygons, cptsmap against shapely/GEOS,
in the same run.

    cargo build --release
    python3 -m pip install -r tools/requirements.txt   # shapely, pyshp
    python3 benches/make_polygons.py                   # the drawn demo territories
    python3 benches/make_polygons.py --zigzag 300000
    python3 benches/make_polygons.py --zigzag 1000000
    python3 benches/polygons.py [--runs 3] [--skip-reference] [--reference-limit 600]

For each input present under target/bench (the drawn demo territories, the
300 000- and 1 000 000-vertex zig-zag territories) it times, whole processes,
median of --runs:
  cptsmap    `cptsmap report --format json --cpts FILE`, with its peak RSS
             (getrusage, as /usr/bin/time -v reports it)
  reference  one Python process: read the communes (pyshp) and the drawn
             territories, then for each territory the intersection area of
             every commune whose box meets it (shapely 2 / GEOS, STRtree),
             the share a commune needs to belong to it
and prints the ratio. When the dense stand-in exists (python3 benches/densify.py
--lambert93), the drawn demo territories are also read against its
full-resolution communes, beside the same report with the demo list: what the
drawn input costs at full resolution. Same machine, same run: the ratio is what to read on a
shared, loaded machine. A reference run longer than --reference-limit seconds
is stopped, and the ratio printed as a bound.
"""

import argparse
import sys
from pathlib import Path

from timing import TooLong, timed

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "target" / "bench"
CPTSMAP = ROOT / "target" / "release" / "cptsmap"
INPUTS = [
    ("drawn demo territories", BENCH / "cpts_polygons.geojson"),
    ("zig-zag, 300 000 vertices", BENCH / "zigzag_300000.geojson"),
    ("zig-zag, 1 000 000 vertices", BENCH / "zigzag_1000000.geojson"),
]
REFERENCE = r"""
import json, sys
import shapefile, shapely
from shapely.strtree import STRtree
geoms = []
for name in ("COMMUNE", "ARRONDISSEMENT_MUNICIPAL"):
    for shape in shapefile.Reader(sys.argv[1] + "/" + name + ".shp").iterShapes():
        if shape.shapeType != 0:
            geoms.append(shapely.geometry.shape(shape.__geo_interface__))
tree = STRtree(geoms)
members = 0
for f in json.load(open(sys.argv[2]))["features"]:
    territory = shapely.make_valid(shapely.geometry.shape(f["geometry"]))
    shapely.prepare(territory)
    for i in tree.query(territory):
        g = geoms[i]
        if shapely.intersection(g, territory).area >= 0.5 * g.area:
            members += 1
print(members)
"""



def show(label, t):
    print(f"  {label:<10} median {t[0]:7.2f} s  (min {t[1]:.2f}, max {t[2]:.2f})  peak RSS {t[3]:.0f} MB")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-reference", action="store_true", help="time cptsmap only")
    ap.add_argument("--reference-limit", type=float, default=600, help="seconds after which a reference run is stopped")
    args = ap.parse_args()
    if not CPTSMAP.exists():
        sys.exit("build first: cargo build --release")
    for label, path in INPUTS:
        if not path.exists():
            print(f"{label}: skipped, make {path.relative_to(ROOT)} with benches/make_polygons.py")
            continue
        print(label)
        ours = timed([str(CPTSMAP), "report", "--format", "json", "--cpts", str(path)], args.runs, cwd=ROOT, warm_up=False)
        show("cptsmap", ours)
        if not args.skip_reference:
            cmd = [sys.executable, "-c", REFERENCE, str(ROOT / "geodata"), str(path)]
            try:
                ref = timed(cmd, args.runs, cwd=ROOT, warm_up=False, limit=args.reference_limit)
            except TooLong:
                print(f"  {'shapely':<10} stopped after {args.reference_limit:.0f} s")
                print(f"  cptsmap / shapely: < {ours[0] / args.reference_limit:.4f}×")
                continue
            show("shapely", ref)
            print(f"  cptsmap / shapely: {ours[0] / ref[0]:.2f}×")
    dense(args.runs)


def dense(runs):
    """The drawn demo territories over the full-resolution communes."""
    d = BENCH / "dense-lambert93"
    drawn = BENCH / "cpts_polygons.geojson"
    if not (d / "metropole.shp").exists() or not drawn.exists():
        print("drawn demo territories on the dense stand-in: skipped, make it with benches/densify.py --lambert93")
        return
    communes = ["--communes", d / "metropole.shp", "--communes", d / "outremer.shp", "--arrondissements", d / "arr.shp"]
    base = [CPTSMAP, "report", "--format", "json", *communes]
    print("drawn demo territories on the dense stand-in (Lambert-93, ≈ 20 M vertices)")
    ours = timed([*base, "--cpts", drawn], runs, cwd=ROOT)
    show("drawn", ours)
    listed = timed(base, runs, cwd=ROOT)
    show("list", listed)
    print(f"  drawn / list: {ours[0] / listed[0]:.2f}× (the drawn input costs {ours[0] - listed[0]:.2f} s)")


if __name__ == "__main__":
    main()

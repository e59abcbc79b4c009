#!/usr/bin/env python3
"""Benchmark of the territory geometry, cptsmap against GEOS, mapshaper and
GDAL on the same data in the same run.

    python3 -m pip install -r tools/requirements.txt     # shapely, pyshp, numpy
    npm install --prefix target/bench mapshaper@0.7       # optional: mapshaper side
    python3 benches/dissolve.py                           # bundled data (≈ 1.1 M vertices)
    python3 benches/densify.py && python3 benches/dissolve.py --dense   # ≈ 20 M vertices

Measured (wall clock, medians):
  dissolve   every CPTS territory + the covered area at each of the 4 stages +
             every uncovered zone (the groups of `cargo bench --bench dissolve`):
             cptsmap in-process (after its one-time topology build, reported
             apart) vs GEOS `coverage_union_all` per group (shapely 2, union_all
             where GEOS refuses a group), vs mapshaper `-dissolve` and GDAL/SQLite
             `ST_Union ... GROUP BY` on the territories (whole processes, minus the
             same tool only reading and writing the layer).
  write      all communes as GeoJSON: cptsmap (in-process writer) vs shapely
             (`to_geojson` + properties) vs GDAL (`ogr2ogr -f GeoJSON`).
Targets (issue 3): dissolve ≥ 10× faster than GEOS; write ≥ 5× faster than the
fastest of shapely and GDAL; peak memory of the dense export under 1 GB.
"""

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CPTSMAP = ROOT / "target" / "release" / "cptsmap"
MAPSHAPER = ROOT / "target" / "bench" / "node_modules" / ".bin" / "mapshaper"


def run_bench(env, runs):
    out = subprocess.run(
        ["cargo", "bench", "--quiet", "--bench", "dissolve", "--", str(runs)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout
    return {k: v for k, v in (line.split(" ", 1) for line in out.splitlines() if " " in line)}


def timed(cmd, runs=3, **kw):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, **kw)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def load_units(folder: Path):
    import shapefile
    import shapely

    geoms, cities = {}, defaultdict(list)
    for name, key in (("COMMUNE", "INSEE_COM"), ("ARRONDISSEMENT_MUNICIPAL", "INSEE_ARM")):
        reader = shapefile.Reader(str(folder / f"{name}.shp"), encoding="utf-8")
        for sr in reader.iterShapeRecords():
            if name == "ARRONDISSEMENT_MUNICIPAL":
                cities[sr.record["INSEE_COM"]].append(sr.record[key])
            if sr.shape.shapeType != 0:
                geoms[sr.record[key]] = shapely.geometry.shape(sr.shape.__geo_interface__)
    for city in cities:
        geoms.pop(city, None)
    return geoms, cities


def groups_of(geoms, cities, report):
    """The same groups as the Rust bench: territories, covered by stage, uncovered zones."""
    order = ["pre_projet", "lettre_intention", "projet_sante_valide", "aci_signe"]
    labels = {"Pré-projet": 0, "Lettre d'intention validée": 1, "Projet de santé validé": 2, "ACI signé": 3}
    territories, best = defaultdict(set), {}
    with open(ROOT / "geodata" / "cpts_demo_fictif.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter=";"):
            for code in cities.get(row["code_commune"], [row["code_commune"]]):
                if code in geoms:
                    territories[row["cpts_id"]].add(code)
                    best[code] = max(best.get(code, -1), labels[row["statut"]])
    groups = [sorted(t) for _, t in sorted(territories.items())]
    for level in range(len(order)):
        groups.append(sorted(c for c, b in best.items() if b >= level))
    for zone in report["uncovered_zones"]["zones"]:
        groups.append([c for c in zone["codes"] if c in geoms])
    return [g for g in groups if g]


def geos_dissolve(geoms, groups):
    import shapely

    refused = 0
    start = time.perf_counter()
    for g in groups:
        parts = [geoms[c] for c in g]
        try:
            shapely.coverage_union_all(parts)
        except shapely.errors.GEOSException:
            refused += 1
            shapely.union_all(parts)
    return time.perf_counter() - start, refused


def shapely_write(geoms, path):
    import shapely

    start = time.perf_counter()
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        for i, (code, g) in enumerate(geoms.items()):
            f.write(("," if i else "") + '{"type":"Feature","properties":{"code":' + json.dumps(code) + '},"geometry":')
            f.write(shapely.to_geojson(shapely.set_precision(g, 1e-6)))
            f.write("}\n")
        f.write("]}\n")
    return time.perf_counter() - start


def line(label, seconds, ref=None, note=""):
    ratio = f"   {seconds / ref:6.1f}× cptsmap" if ref else ""
    print(f"{label:<60} {seconds:8.3f} s{ratio}{note}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dense", action="store_true", help="use target/bench/dense (benches/densify.py)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    folder = ROOT / "target" / "bench" / "dense" if args.dense else ROOT / "geodata"
    env = dict(os.environ)
    if args.dense:
        env["CPTSMAP_BENCH_COMMUNES"] = str(folder / "COMMUNE.shp")
        env["CPTSMAP_BENCH_ARRONDISSEMENTS"] = str(folder / "ARRONDISSEMENT_MUNICIPAL.shp")
    ours = run_bench(env, args.runs)
    print(f"data: {folder.relative_to(ROOT)}, {ours['vertices']} vertices, {ours['groups']} groups")
    dissolve_s = float(ours["dissolve_all"])
    write_s = float(ours["write_communes_geojson"])
    line("cptsmap topology build (once, at load)", float(ours["topology_build"]))
    line("cptsmap dissolve of all groups", dissolve_s)

    report = json.loads(subprocess.run([str(CPTSMAP), "report", "--format", "json"], cwd=ROOT, check=True,
                                       capture_output=True).stdout)
    geoms, cities = load_units(folder)
    groups = groups_of(geoms, cities, report)
    geos_s, refused = geos_dissolve(geoms, groups)
    line("GEOS coverage_union_all per group (shapely 2)", geos_s, dissolve_s,
         f"  ({refused} groups refused by CoverageUnion, done with union_all)" if refused else "")

    with tempfile.TemporaryDirectory() as tmp:
        communes = Path(ours["communes_geojson_path"])
        if MAPSHAPER.exists():
            base = timed([str(MAPSHAPER), "-i", str(communes), "-o", f"{tmp}/copy.json"], 1)
            full = timed([str(MAPSHAPER), "-i", str(communes), "-dissolve", "cpts_ids", "-o", f"{tmp}/d.json"], 1)
            line("mapshaper -dissolve cpts_ids (minus its own read/write)", max(full - base, 0.0), dissolve_s,
                 "  (one territory per commune: overlaps lost)")
        else:
            print("mapshaper: skipped (npm install --prefix target/bench mapshaper@0.7)")
        copy = timed(["ogr2ogr", "-f", "GPKG", f"{tmp}/c.gpkg", str(communes)], 1)
        union = timed(["ogr2ogr", "-f", "GPKG", f"{tmp}/u.gpkg", str(communes), "-dialect", "sqlite", "-sql",
                       "SELECT cpts_ids, ST_Union(geometry) AS geometry FROM cptsmap_communes GROUP BY cpts_ids"], 1)
        line("GDAL/SQLite ST_Union GROUP BY cpts_ids (minus read/write)", max(union - copy, 0.0), dissolve_s)

        print()
        line("cptsmap write all communes as GeoJSON (in-process)", write_s)
        gdal_w = timed(["ogr2ogr", "-f", "GeoJSON", "-lco", "COORDINATE_PRECISION=6", f"{tmp}/g.geojson",
                        str(folder / "COMMUNE.shp")], 1)
        line("GDAL ogr2ogr -f GeoJSON (read + write)", gdal_w, write_s)
        shp_w = shapely_write(geoms, f"{tmp}/s.geojson")
        line("shapely to_geojson (write only)", shp_w, write_s)
        print(f"write: {min(gdal_w, shp_w) / write_s:.1f}× faster than the fastest reference (target ≥ 5×); "
              f"dissolve: {geos_s / dissolve_s:.1f}× faster than GEOS (target ≥ 10×)")
        # Peak memory of a whole export of the communes layer.
        start = time.perf_counter()
        cmd = [str(CPTSMAP), "export", "--layer", "communes", "-o", f"{tmp}/x.geojson"]
        if args.dense:
            cmd += ["--communes", str(folder / "COMMUNE.shp"), "--arrondissements",
                    str(folder / "ARRONDISSEMENT_MUNICIPAL.shp")]
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        line("cptsmap export --layer communes (whole process)", time.perf_counter() - start,
             note=f"  peak memory of the largest child so far: {peak:.0f} MiB")


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Benchmark: the national commune layer read as a GeoPackage and as
FlatGeobuf (ADMIN EXPRESS 4.0 style) against the same data as shapefiles and
against GDAL, in the same run.

    cargo build --release
    python3 benches/gpkg.py [--runs 7]

The GeoPackage, FlatGeobuf and Lambert-93 files are made once from the
bundled shapefiles with ogr2ogr (4.0 field names, MultiPolygon, geometry
column `geometrie`) under target/bench/gpkg/.

What is timed (wall clock, whole processes, median of --runs after one warm-up):
  A  cptsmap report --format json, bundled shapefiles (WGS84)
  B  the same, --communes national.gpkg (communes + arrondissements layers)
  C  the same, --communes commune.fgb --arrondissements arrondissement_municipal.fgb
     (GDAL's FlatGeobuf writer leaves out the 4 communes without contour)
  D  GDAL only reading the GeoPackage's commune layer (ogr2ogr -f Memory)
  E  Lambert-93 metropole + WGS84 overseas as shapefiles (reprojection on)
  F  the same as GeoPackages
Target: B within 1.5x of A (and F of E).
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import row, timed

ROOT = Path(__file__).resolve().parent.parent
CPTSMAP = ROOT / "target" / "release" / "cptsmap"
OUT = ROOT / "target" / "bench" / "gpkg"
SHP = ROOT / "geodata" / "COMMUNE.shp"
ARR = ROOT / "geodata" / "ARRONDISSEMENT_MUNICIPAL.shp"
OVERSEAS = "('01','02','03','04','06')"

COMMUNE_SQL = (
    "SELECT INSEE_COM AS code_insee, NOM AS nom_officiel, POPULATION AS population, "
    "INSEE_DEP AS code_insee_du_departement, INSEE_REG AS code_insee_de_la_region, "
    "SIREN_EPCI AS codes_siren_des_epci, geometry FROM COMMUNE"
)
ARR_SQL = (
    "SELECT INSEE_ARM AS code_insee, INSEE_COM AS code_insee_de_la_commune_de_rattach, "
    "NOM AS nom_officiel, POPULATION AS population, geometry FROM ARRONDISSEMENT_MUNICIPAL"
)


def ogr(*args):
    subprocess.run(["ogr2ogr", *args], check=True, capture_output=True)


def layer(dst, src, name, sql, *extra, update=False):
    fmt = "GPKG" if str(dst).endswith(".gpkg") else "FlatGeobuf"
    opts = ["-lco", "GEOMETRY_NAME=geometrie"] if fmt == "GPKG" else []
    ogr("-f", fmt, *(["-update"] if update else []), str(dst), str(src), "-nln", name, "-nlt", "MULTIPOLYGON",
        *opts, "-dialect", "SQLite", "-sql", sql, *extra)


def make_inputs():
    """Builds the inputs once (they are rebuilt when the bundled layer is newer)."""
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = OUT / "dom_wgs84_communes.shp"
    if stamp.exists() and stamp.stat().st_mtime > SHP.stat().st_mtime:
        return
    for f in OUT.iterdir():
        f.unlink()
    layer(OUT / "national.gpkg", SHP, "commune", COMMUNE_SQL)
    layer(OUT / "national.gpkg", ARR, "arrondissement_municipal", ARR_SQL, update=True)
    layer(OUT / "commune.fgb", SHP, "commune", COMMUNE_SQL)
    layer(OUT / "arrondissement_municipal.fgb", ARR, "arrondissement_municipal", ARR_SQL)
    where = lambda neg: f"{COMMUNE_SQL} WHERE INSEE_REG {'NOT ' if neg else ''}IN {OVERSEAS}"
    layer(OUT / "fxx_lamb93.gpkg", SHP, "commune", where(True), "-t_srs", "EPSG:2154")
    layer(OUT / "fxx_lamb93.gpkg", ARR, "arrondissement_municipal", ARR_SQL, "-t_srs", "EPSG:2154", update=True)
    layer(OUT / "dom_wgs84.gpkg", SHP, "commune", where(False))
    ogr(str(OUT / "fxx_lamb93_communes.shp"), str(SHP), "-t_srs", "EPSG:2154", "-where", f"INSEE_REG NOT IN {OVERSEAS}")
    ogr(str(OUT / "fxx_lamb93_arrondissements.shp"), str(ARR), "-t_srs", "EPSG:2154")
    ogr(str(OUT / "dom_wgs84_communes.shp"), str(SHP), "-where", f"INSEE_REG IN {OVERSEAS}")




def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    if not CPTSMAP.exists():
        sys.exit("build first: cargo build --release")
    make_inputs()
    report = [str(CPTSMAP), "report", "--format", "json"]
    a = timed(report, args.runs, cwd=ROOT)
    b = timed([*report, "--communes", str(OUT / "national.gpkg")], args.runs, cwd=ROOT)
    c = timed([*report, "--communes", str(OUT / "commune.fgb"), "--arrondissements",
               str(OUT / "arrondissement_municipal.fgb")], args.runs, cwd=ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        d = timed(["ogr2ogr", "-f", "Memory", "mem", str(OUT / "national.gpkg"), "commune"], args.runs, cwd=tmp)
    e = timed([*report, "--communes", str(OUT / "fxx_lamb93_communes.shp"), "--communes",
               str(OUT / "dom_wgs84_communes.shp"), "--arrondissements",
               str(OUT / "fxx_lamb93_arrondissements.shp")], args.runs, cwd=ROOT)
    f = timed([*report, "--communes", str(OUT / "fxx_lamb93.gpkg"), "--communes", str(OUT / "dom_wgs84.gpkg")],
              args.runs, cwd=ROOT)
    row("A  cptsmap report, shapefiles (WGS84)", a)
    row("B  cptsmap report, GeoPackage (WGS84)", b, a[0])
    row("C  cptsmap report, FlatGeobuf (WGS84)", c, a[0])
    row("D  GDAL ogr2ogr -f Memory, GeoPackage (read only)", d, b[0], "B")
    row("E  cptsmap report, shapefiles (Lambert-93 + WGS84)", e)
    row("F  cptsmap report, GeoPackages (Lambert-93 + WGS84)", f, e[0], "E")


if __name__ == "__main__":
    main()

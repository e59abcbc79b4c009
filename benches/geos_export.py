#!/usr/bin/env python3
"""The reference pipeline for `cptsmap export --layer cpts`, as a GIS
engineer would write it with GEOS and PROJ: read the communes, dissolve each
territory with GEOS (`shapely.coverage_union_all`, `union_all` where GEOS
refuses a group), reproject the result to WGS84 with PROJ (pyproj), write
RFC 7946 GeoJSON. One whole process, timed by benches/performance.py.

    python3 benches/geos_export.py --communes A.shp [--communes B.shp] \\
        --arrondissements ARR.shp --cpts geodata/cpts_demo_fictif.csv -o out.geojson

The .shp is read with numpy straight from its records (one array of
coordinates, GEOS rings built in one vectorised call), the fastest way to
get a shapefile into shapely without GDAL's Python bindings.
"""

import argparse
import csv
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import shapefile  # pyshp, for the attributes only
import shapely
from pyproj import CRS, Transformer

CITIES = {"75056", "69123", "13055"}  # replaced by their arrondissements


def read_layer(path: Path, key: str):
    """(codes, polygons, crs) of a polygon shapefile."""
    shx = np.fromfile(path.with_suffix(".shx"), dtype=">i4", offset=100).reshape(-1, 2)
    shp = np.memmap(path, dtype=np.uint8, mode="r")
    coords, ring_of_point, rings_of_record = [], [], []
    ring = 0
    for offset, _ in shx:
        at = int(offset) * 2 + 8
        if int(shp[at : at + 4].view("<i4")[0]) == 0:
            rings_of_record.append(range(0))
            continue
        parts, points = (int(n) for n in shp[at + 36 : at + 44].view("<i4"))
        starts = list(shp[at + 44 : at + 44 + 4 * parts].view("<i4")) + [points]
        xy = shp[at + 44 + 4 * parts : at + 44 + 4 * parts + 16 * points].view("<f8").reshape(-1, 2)
        coords.append(xy)
        lengths = np.diff(starts)
        ring_of_point.append(np.repeat(np.arange(ring, ring + parts), lengths))
        rings_of_record.append(range(ring, ring + parts))
        ring += parts
    rings = shapely.linearrings(np.concatenate(coords), indices=np.concatenate(ring_of_point))
    holes = shapely.is_ccw(rings)  # shapefile outer rings are clockwise
    polygons = []
    for record in rings_of_record:
        shells = []
        for r in record:
            if holes[r] and shells:
                shells[-1][1].append(rings[r])
            else:
                shells.append((rings[r], []))
        parts = [shapely.Polygon(shell, inner) for shell, inner in shells]
        polygons.append(parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts))
    records = shapefile.Reader(dbf=open(path.with_suffix(".dbf"), "rb"), encoding="utf-8")
    codes = [r[key] for r in records.iterRecords(fields=[key])]
    crs = CRS.from_wkt(path.with_suffix(".prj").read_text(encoding="utf-8", errors="replace"))
    return codes, polygons, crs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--communes", type=Path, action="append", required=True)
    ap.add_argument("--arrondissements", type=Path, required=True)
    ap.add_argument("--cpts", type=Path, required=True)
    ap.add_argument("-o", "--output", type=Path, required=True)
    args = ap.parse_args()

    units = {}  # code -> (polygon, crs)
    for path in args.communes:
        codes, polygons, crs = read_layer(path, "INSEE_COM")
        units.update((c, (p, crs)) for c, p in zip(codes, polygons) if c not in CITIES)
    codes, polygons, crs = read_layer(args.arrondissements, "INSEE_ARM")
    units.update((c, (p, crs)) for c, p in zip(codes, polygons))

    territories = defaultdict(list)
    names = {}
    with open(args.cpts, encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter=";"):
            if row["code_commune"] in units:
                territories[row["cpts_id"]].append(row["code_commune"])
                names[row["cpts_id"]] = (row["cpts_nom"], row["statut"])

    to_wgs84 = {}
    features = []
    for tid, codes in territories.items():
        geoms = [units[c][0] for c in codes]
        crs = units[codes[0]][1]
        try:
            merged = shapely.coverage_union_all(geoms)
        except shapely.errors.GEOSException:
            merged = shapely.union_all(geoms)
        if not crs.is_geographic:
            if crs not in to_wgs84:
                to_wgs84[crs] = Transformer.from_crs(crs, 4326, always_xy=True)
            merged = shapely.transform(merged, lambda xy, t=to_wgs84[crs]: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
        name, stage = names[tid]
        properties = json.dumps({"id": tid, "name": name, "stage_label": stage}, ensure_ascii=False)
        features.append(f'{{"type":"Feature","properties":{properties},"geometry":{shapely.to_geojson(merged)}}}')
    with open(args.output, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}")


if __name__ == "__main__":
    main()

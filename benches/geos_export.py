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
import struct
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
    shp = path.read_bytes()
    coords, ring_of_point, rings_of_record = [], [], []
    ring = 0
    for offset in shx[:, 0].tolist():
        at = offset * 2 + 8
        if struct.unpack_from("<i", shp, at)[0] == 0:
            rings_of_record.append(range(0))
            continue
        parts, points = struct.unpack_from("<2i", shp, at + 36)
        starts = struct.unpack_from(f"<{parts}i", shp, at + 44) + (points,)
        coords.append(np.frombuffer(shp, "<f8", 2 * points, at + 44 + 4 * parts).reshape(-1, 2))
        ring_of_point.append(np.repeat(np.arange(ring, ring + parts), np.diff(starts)))
        rings_of_record.append(range(ring, ring + parts))
        ring += parts
    rings = shapely.linearrings(np.concatenate(coords), indices=np.concatenate(ring_of_point))
    # shapefile outer rings are clockwise, holes counter-clockwise and after their outer ring
    shell = ~shapely.is_ccw(rings)
    polygon_of_ring = np.cumsum(shell) - 1
    record_of_ring = np.concatenate([np.full(len(r), i) for i, r in enumerate(rings_of_record)])
    polygons = shapely.polygons(rings, indices=polygon_of_ring)
    record_of_polygon = record_of_ring[shell]
    present = np.unique(record_of_polygon)  # records with a geometry (null shapes have none)
    multi = shapely.multipolygons(polygons, indices=np.searchsorted(present, record_of_polygon))
    polygons = [None] * len(rings_of_record)
    for record, geometry in zip(present, multi):
        polygons[record] = geometry
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

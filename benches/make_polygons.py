#!/usr/bin/env python3
"""Draw territories as polygons, the way users bring them.

    python3 benches/make_polygons.py                   # -> target/bench/cpts_polygons.geojson
    python3 benches/make_polygons.py --zigzag 300000   # -> target/bench/zigzag_300000.geojson

Without option: the demo territories as Santégraphie publishes its "CPTS et
projets de CPTS" layer, one GeoJSON feature per CPTS with `nom`, `statut`,
`date_signature_aci`, dissolved by GEOS (shapely), WGS84. Their borders are
the commune borders, vertex for vertex.

`--zigzag N`: one territory of N vertices around Clermont-Ferrand, a star
whose border zig-zags N/2 times between radius ≈ 9 km and half that: every
edge is a few km long and crosses the communes of the ring, so no commune of
the ring lies wholly inside or outside, and no small part of the border can be
dealt with alone. The worst case of a drawn border (an ordinary digitised
border only wiggles locally).

Used by benches/report.py (input D), benches/polygons.py (every input) and by hand to try
polygon inputs.
"""

import argparse
import csv
import json
import math
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "target" / "bench"
OUT = BENCH / "cpts_polygons.geojson"
# Centre of the zig-zag territory (Clermont-Ferrand) and its radii in degrees
# (≈ 9.3 km east-west and north-south at 45.8° N).
CENTRE = (3.0870, 45.7780)
RADIUS = (0.120, 0.084)


def zigzag_path(n):
    return BENCH / f"zigzag_{n}.geojson"


def zigzag_ring(n):
    """n vertices (n even), closed, counter-clockwise: tips on the outer circle, notches on the inner one."""
    teeth = n // 2
    ring = []
    for k in range(2 * teeth):
        a = math.pi * k / teeth
        r = 0.5 if k % 2 else 1.0
        ring.append([round(CENTRE[0] + RADIUS[0] * r * math.cos(a), 9),
                     round(CENTRE[1] + RADIUS[1] * r * math.sin(a), 9)])
    ring.append(ring[0])
    return ring


def write_zigzag(n):
    feature = {
        "type": "Feature",
        "properties": {"id": f"ZIGZAG-{n}", "nom": "CPTS en zig-zag", "statut": "ACI signé"},
        "geometry": {"type": "Polygon", "coordinates": [zigzag_ring(n)]},
    }
    path = zigzag_path(n)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    print(f"1 polygon of {n} vertices -> {path}")


def write_demo():
    import shapefile  # pyshp
    import shapely

    geoms, cities = {}, defaultdict(list)
    for name, key in (("COMMUNE", "INSEE_COM"), ("ARRONDISSEMENT_MUNICIPAL", "INSEE_ARM")):
        reader = shapefile.Reader(str(ROOT / "geodata" / f"{name}.shp"), encoding="utf-8")
        for sr in reader.iterShapeRecords():
            if sr.shape.shapeType != 0:
                geoms[sr.record[key]] = shapely.geometry.shape(sr.shape.__geo_interface__)
            if name == "ARRONDISSEMENT_MUNICIPAL":
                cities[sr.record["INSEE_COM"]].append(sr.record[key])
    members, attrs = defaultdict(list), {}
    with open(ROOT / "geodata" / "cpts_demo_fictif.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter=";"):
            for code in cities.get(row["code_commune"], [row["code_commune"]]):
                if code in geoms:
                    members[row["cpts_id"]].append(geoms[code])
            attrs[row["cpts_id"]] = row
    features = []
    for cid in sorted(members):
        area = shapely.union_all(members[cid])
        row = attrs[cid]
        features.append({
            "type": "Feature",
            "properties": {"id": cid, "nom": row["cpts_nom"], "statut": row["statut"],
                           "date_signature_aci": row["date_signature_aci"] or None},
            "geometry": shapely.geometry.mapping(area),
        })
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    print(f"{len(features)} polygons -> {OUT}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--zigzag", type=int, metavar="N", help="one zig-zag territory of N vertices instead")
    args = ap.parse_args()
    if args.zigzag:
        write_zigzag(args.zigzag - args.zigzag % 2)
    else:
        write_demo()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Draw the demo territories as polygons, the way Santégraphie publishes its
"CPTS et projets de CPTS" layer: one GeoJSON feature per CPTS with `nom`,
`statut`, `date_signature_aci`, dissolved by GEOS (shapely), WGS84.

    python3 benches/make_polygons.py     # -> target/bench/cpts_polygons.geojson

Used by benches/report.py (input D) and by hand to try polygon inputs.
"""

import csv
import json
from collections import defaultdict
from pathlib import Path

import shapefile  # pyshp
import shapely

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "bench" / "cpts_polygons.geojson"


def main():
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


if __name__ == "__main__":
    main()

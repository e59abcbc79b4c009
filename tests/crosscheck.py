#!/usr/bin/env python3
"""Independent cross-check of `cptsmap report` on the bundled data.

    python3 tests/crosscheck.py [--cptsmap target/release/cptsmap]

Recomputes, without any code of cptsmap, the national and per-département
population and covered population (any stage and ACI signé) of the demo
scenario: the attributes of the shapefiles are read by GDAL (`ogr2ogr -f CSV`),
the CPTS list by Python's csv module, and the counting rules are applied
from scratch (arrondissements replace their city, a city code covers its
arrondissements, each unit counted once). Exits 1 on any difference.
Needs python3 and gdal-bin only.
"""

import argparse
import csv
import io
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEODATA = ROOT / "geodata"


def attributes(shp: Path) -> list[dict]:
    out = subprocess.run(["ogr2ogr", "-f", "CSV", "/vsistdout/", str(shp)], check=True, capture_output=True)
    return list(csv.DictReader(io.StringIO(out.stdout.decode("utf-8"))))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cptsmap", default=str(ROOT / "target" / "release" / "cptsmap"))
    args = ap.parse_args()

    communes = attributes(GEODATA / "COMMUNE.shp")
    arrondissements = attributes(GEODATA / "ARRONDISSEMENT_MUNICIPAL.shp")
    city_dep = {c["INSEE_COM"]: c["INSEE_DEP"] for c in communes}
    units = {}  # code -> (population, département)
    cities = defaultdict(list)
    for a in arrondissements:
        cities[a["INSEE_COM"]].append(a["INSEE_ARM"])
        units[a["INSEE_ARM"]] = (int(a["POPULATION"] or 0), city_dep[a["INSEE_COM"]])
    for c in communes:
        if c["INSEE_COM"] not in cities:
            units[c["INSEE_COM"]] = (int(c["POPULATION"] or 0), c["INSEE_DEP"])

    covered_any, covered_aci = set(), set()
    with open(GEODATA / "cpts_demo_fictif.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter=";"):
            code = row["code_commune"]
            for unit in cities.get(code, [code]):
                if unit not in units:
                    continue
                covered_any.add(unit)
                if row["statut"] == "ACI signé":
                    covered_aci.add(unit)

    expected = defaultdict(lambda: [0, 0, 0])
    for code, (pop, dep) in units.items():
        for key in (dep, "FR"):
            expected[key][0] += pop
            expected[key][1] += pop if code in covered_any else 0
            expected[key][2] += pop if code in covered_aci else 0

    report = json.loads(subprocess.run([args.cptsmap, "report", "--format", "json"], cwd=ROOT, check=True,
                                       capture_output=True).stdout)
    got = {"FR": [report["population"], report["covered"]["population"], report["by_stage"][0]["population"]]}
    for d in report["departements"]:
        got[d["code"]] = [d["population"], d["covered_population"], d["by_stage"][0]["population"]]

    differences = [(k, expected[k], got.get(k)) for k in sorted(set(expected) | set(got)) if expected.get(k) != got.get(k)]
    for key, exp, actual in differences:
        print(f"{key}: expected [population, covered, ACI] {exp}, cptsmap says {actual}", file=sys.stderr)
    fr = expected["FR"]
    print(f"checked France and {len(got) - 1} départements: population {fr[0]}, covered {fr[1]} "
          f"({100 * fr[1] / fr[0]:.2f} %), ACI signé {fr[2]}; {len(differences)} differences")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())

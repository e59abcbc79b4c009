#!/usr/bin/env python3
"""Generate the FICTIONAL demo CPTS territories for the whole country.

    python3 tools/make_demo_cpts.py               # seed 2024 -> geodata/cpts_demo_fictif.csv
    python3 tools/make_demo_cpts.py --seed 7 --out /tmp/other.csv

These territories are invented. They exist so that cptsmap can be shown and
tested on the real communes of France without a real CPTS list. They are
drawn like real ones, from the bundled communes (geodata/COMMUNE.shp and
ARRONDISSEMENT_MUNICIPAL.shp):
  - contiguous groups of neighbouring units (shared border), grown inside a
    département around its most populous units, median about 80,000
    residents, all four ACI size classes;
  - Paris, Lyon and Marseille split by arrondissement;
  - about 84 % of the population covered, a few départements under a third;
  - all four stages, ACI signature dates from 2019 on for signed ones;
  - a few overlapping territories (zones de conciliation).
The output is the long CSV format cptsmap reads (one row per territory and
unit). The same seed gives the same file.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import random
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import shapefile  # pyshp

GEODATA = Path(__file__).resolve().parent.parent / "geodata"
CITIES = {"75056", "69123", "13055"}
MEDIAN_POPULATION = 80_000
STAGES = [  # (label written in the file, share of existing territories)
    ("ACI signé", 0.74),
    ("Projet de santé validé", 0.09),
    ("Lettre d'intention validée", 0.09),
    ("Pré-projet", 0.08),
]
NATIONAL_TARGET = 0.84
LOW_DEPARTEMENTS = 4  # départements left under a third covered
FIRST_ACI = dt.date(2019, 6, 1)
LAST_ACI = dt.date(2026, 9, 30)


# INSEE's TNCC → how « de » joins the official name (its "charnière"):
# « de Bayonne », « d'Ambérieu », « du Havre », « de La Rochelle », « des Abymes »,
# « de L'Haÿ-les-Roses », « des Marais » (Aux Marais), « de Las… », « de Los Masos ».
JOINS = {"0": ("", "de "), "1": ("", "d'"), "2": ("Le ", "du "), "3": ("La ", "de La "), "4": ("Les ", "des "),
         "5": ("L'", "de L'"), "6": ("Aux ", "des "), "7": ("Las ", "de Las "), "8": ("Los ", "de Los ")}


def of_name(name: str, tncc: str) -> str:
    """« de » + the official name, contracted the French way."""
    article, join = JOINS[tncc]
    if not name.startswith(article):
        sys.exit(f"{name}: name without the article of its TNCC {tncc}")
    return join + name[len(article):]


class Unit:
    def __init__(self, code: str, name: str, population: int, dep: str, points, tncc: str = "0"):
        self.code, self.name, self.population, self.dep = code, name, population, dep
        self.of_name = of_name(name, tncc)
        xs = [p[0] for p in points] or [0.0]
        ys = [p[1] for p in points] or [0.0]
        self.centre = (sum(xs) / len(xs), sum(ys) / len(ys))
        self.neighbours: set[str] = set()


def read_units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    segments: dict[tuple, list[str]] = defaultdict(list)
    cities_dep = {}
    for name in ("COMMUNE", "ARRONDISSEMENT_MUNICIPAL"):
        reader = shapefile.Reader(str(GEODATA / f"{name}.shp"), encoding="utf-8")
        for sr in reader.iterShapeRecords():
            rec = sr.record.as_dict()
            if name == "COMMUNE":
                code, dep = rec["INSEE_COM"], rec["INSEE_DEP"]
                if code in CITIES:
                    cities_dep[code] = dep
                    continue  # replaced by its arrondissements
            else:
                code, dep = rec["INSEE_ARM"], None
            points = sr.shape.points
            unit = Unit(code, rec["NOM"], rec["POPULATION"] or 0, dep, points, rec["TNCC"])
            units[code] = unit
            parts = list(sr.shape.parts) + [len(points)]
            for start, end in zip(parts, parts[1:]):
                ring = points[start:end]
                for a, b in zip(ring, ring[1:]):
                    a, b = tuple(a), tuple(b)
                    segments[(a, b) if a < b else (b, a)].append(code)
        if name == "ARRONDISSEMENT_MUNICIPAL":
            for rec in reader.iterRecords():
                units[rec["INSEE_ARM"]].dep = cities_dep[rec["INSEE_COM"]]
    for owners in segments.values():
        for a in owners:
            for b in owners:
                if a != b:
                    units[a].neighbours.add(b)
    return units


def distance(a: Unit, b: Unit) -> float:
    dx = (a.centre[0] - b.centre[0]) * math.cos(math.radians(a.centre[1]))
    return math.hypot(dx, a.centre[1] - b.centre[1])


def partition(units: dict[str, Unit], codes: list[str], rng: random.Random) -> list[list[str]]:
    """Grow contiguous territories inside one département."""
    free = set(codes)
    territories: list[list[str]] = []
    for seed in sorted(codes, key=lambda c: (-units[c].population, c)):
        if seed not in free:
            continue
        target = min(400_000, max(12_000, rng.lognormvariate(math.log(MEDIAN_POPULATION), 0.55)))
        members, pop = [seed], units[seed].population
        free.discard(seed)
        frontier = set(units[seed].neighbours) & free
        while pop < target and frontier:
            nxt = min(frontier, key=lambda c: (distance(units[seed], units[c]), c))
            frontier.discard(nxt)
            members.append(nxt)
            pop += units[nxt].population
            free.discard(nxt)
            frontier |= units[nxt].neighbours & free
        territories.append(members)
    # fold small leftovers into a neighbouring territory of the same département
    owner = {c: i for i, t in enumerate(territories) for c in t}
    for i, t in enumerate(territories):
        if not t or sum(units[c].population for c in t) >= 10_000:
            continue
        around = sorted({owner[n] for c in t for n in units[c].neighbours if n in owner and owner[n] != i})
        if around:
            j = min(around, key=lambda k: (sum(units[c].population for c in territories[k]), k))
            territories[j].extend(t)
            for c in t:
                owner[c] = j
            territories[i] = []
    return [t for t in territories if t]


def aci_date(rng: random.Random) -> dt.date:
    span = (LAST_ACI - FIRST_ACI).days
    return FIRST_ACI + dt.timedelta(days=int(span * rng.betavariate(2.0, 2.2)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--out", type=Path, default=GEODATA / "cpts_demo_fictif.csv")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    units = read_units()
    by_dep: dict[str, list[str]] = defaultdict(list)
    for u in units.values():
        by_dep[u.dep].append(u.code)
    deps = sorted(by_dep)
    low = set(rng.sample([d for d in deps if d not in ("75", "13", "69") and len(d) == 2], LOW_DEPARTEMENTS))
    rows, all_pops, existing = [], [], []
    for dep in deps:
        codes = sorted(by_dep[dep])
        territories = partition(units, codes, rng)
        rng.shuffle(territories)
        total = sum(units[c].population for c in codes) or 1
        target = rng.uniform(0.12, 0.30) if dep in low else min(0.995, rng.gauss(NATIONAL_TARGET - 0.05, 0.09))
        covered = 0
        for t in territories:
            if covered / total >= target:
                break
            existing.append((dep, t))
            covered += sum(units[c].population for c in t)
    # a few overlaps: a territory also claims neighbouring units of another one
    owner = {c: i for i, (_, t) in enumerate(existing) for c in t}
    for i in rng.sample(range(len(existing)), 12):
        t = existing[i][1]
        outside = sorted({n for c in t for n in units[c].neighbours if n in owner and owner[n] != i})
        t.extend(rng.sample(outside, min(len(outside), rng.randint(1, 3))))
    weights = [w for _, w in STAGES]
    names_seen: dict[str, int] = defaultdict(int)
    for n, (dep, t) in enumerate(existing):
        stage = rng.choices([s for s, _ in STAGES], weights)[0]
        date = aci_date(rng).isoformat() if stage == "ACI signé" else ""
        main_unit = max(t, key=lambda c: (units[c].population, c))
        base = f"CPTS fictive {units[main_unit].of_name}"
        names_seen[base] += 1
        name = base if names_seen[base] == 1 else f"{base} {names_seen[base]}"
        tid = f"DEMO-{dep}-{n + 1:04d}"
        all_pops.append(sum(units[c].population for c in t))
        for code in sorted(t):
            rows.append((tid, name, stage, date, code))
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(["cpts_id", "cpts_nom", "statut", "date_signature_aci", "code_commune"])
        w.writerows(rows)
    covered_units = {r[4] for r in rows}
    national = sum(u.population for u in units.values())
    print(
        f"{len(existing)} fictional territories, {len(rows)} rows, median population "
        f"{statistics.median(all_pops):.0f}, covered {sum(units[c].population for c in covered_units) / national:.1%}, "
        f"low départements {sorted(low)} -> {args.out}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()

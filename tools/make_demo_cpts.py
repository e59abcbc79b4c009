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
  - all four stages, with the date of each stage reached (lettre
    d'intention, projet de santé, ACI), in that order, none in the future;
  - a few overlapping territories (zones de conciliation).
The dates are calibrated so that the national curve passes through the
published milestones: 48.5 % of the population covered by an ACI-signed CPTS
on 1 March 2023, 75 % at any dated stage on 1 July 2023 (still fictional).
They come from a second random stream, so that the territories, their
communes and their stages are those the first stream always gave.
The output is the long CSV format cptsmap reads (one row per territory and
unit); the two earlier dates are the last columns, so that readers by
position keep working. The same seed gives the same file.
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
# The published milestones the national curve passes through (the value of a
# month is the situation on its first day, dates on that day included).
ACI_MILESTONE = (dt.date(2023, 3, 1), 0.485)
ANY_STAGE_MILESTONE = (dt.date(2023, 7, 1), 0.75)
FIRST_LI = dt.date(2018, 1, 15)


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


def between(rng: random.Random, start: dt.date, end: dt.date, a: float = 1.0, b: float = 1.0) -> dt.date:
    """A date from start to end (both included), beta(a, b)-distributed."""
    span = max(0, (end - start).days)
    return start + dt.timedelta(days=round(span * rng.betavariate(a, b)))


def covered_share(groups, units, national) -> float:
    """Population of the union of the groups' units, as a share of the nation."""
    return sum(units[c].population for c in set().union(*groups)) / national if groups else 0.0


def split_at_share(order, codes_of, units, national, share, base=()):
    """Reorders `order` so that its first k, taken after `base`, bring the union's share closest to
    `share`; returns (order, k). In turn order, then the last one picked among the next few (one
    territory is ≈ 0.1 % of the nation: the closest of a dozen lands within a few hundredths)."""
    covered = set().union(*base) if base else set()
    population = sum(units[c].population for c in covered)
    gain = lambda t: sum(units[c].population for c in codes_of[t] - covered)  # noqa: E731
    k = 0
    while k < len(order) and (population + gain(order[k])) / national <= share:
        population += gain(order[k])
        covered |= codes_of[order[k]]
        k += 1
    candidates = order[k:k + 12]
    if not candidates:
        return order, k
    best = min(candidates, key=lambda t: (abs((population + gain(t)) / national - share), t))
    if abs((population + gain(best)) / national - share) >= abs(population / national - share):
        return order, k
    order = order[:k] + [best] + [t for t in order[k:] if t != best]
    return order, k + 1


def stage_dates(territories, units, national, rng: random.Random) -> dict[str, dict[str, dt.date]]:
    """Dates of the stages reached, in order (LI <= PS <= ACI), calibrated on the milestones.

    `territories`: (id, stage label, drawn ACI date or None, set of codes). ACI-signed territories
    are signed before the ACI milestone in the order of their drawn date until the share signed
    by then is the milestone's; the projet de santé comes 3 to 14 months before the ACI, the
    lettre d'intention 5 to 18 months before the projet de santé. Then the lettres d'intention are
    moved around the any-stage milestone's day so that the share with a dated stage by then is that
    milestone's.
    """
    codes_of = {tid: codes for tid, _, _, codes in territories}
    stage_of = {tid: stage for tid, stage, _, _ in territories}
    dates: dict[str, dict[str, dt.date]] = {tid: {} for tid, _, _, _ in territories}
    # ACI: the first k by drawn date before the milestone's day, the others after it.
    signed = sorted((d, tid) for tid, stage, d, _ in territories if stage == "ACI signé")
    order = [tid for _, tid in signed]
    cut, share = ACI_MILESTONE
    order, k = split_at_share(order, codes_of, units, national, share)
    early = sorted(between(rng, FIRST_ACI, cut, 2.2, 1.3) for _ in order[:k])
    late = sorted(between(rng, cut + dt.timedelta(days=1), LAST_ACI, 1.2, 2.0) for _ in order[k:])
    for tid, d in zip(order, early + late):
        dates[tid]["aci"] = d
    # Projet de santé: before the ACI, or drawn for those still at that stage.
    for tid, stage, _, _ in territories:
        if stage == "ACI signé":
            dates[tid]["ps"] = dates[tid]["aci"] - dt.timedelta(days=rng.randint(90, 420))
        elif stage == "Projet de santé validé":
            dates[tid]["ps"] = between(rng, dt.date(2020, 6, 1), LAST_ACI, 2.0, 1.2)
    # Lettre d'intention: before the projet de santé, or drawn for those still at that stage.
    for tid, stage, _, _ in territories:
        if "ps" in dates[tid]:
            dates[tid]["li"] = max(FIRST_LI, dates[tid]["ps"] - dt.timedelta(days=rng.randint(150, 540)))
        elif stage == "Lettre d'intention validée":
            dates[tid]["li"] = between(rng, dt.date(2020, 1, 1), LAST_ACI, 1.6, 1.1)
    # Any stage on the milestone's day: those with a later stage dated by then had their lettre
    # d'intention by then; the others, in the order of their lettre d'intention, until the share is reached.
    cut, share = ANY_STAGE_MILESTONE
    bound = {tid: min(d for s, d in dates[tid].items() if s != "li") for tid in dates if len(dates[tid]) > 1}
    before = [tid for tid, d in bound.items() if d <= cut]
    rest = sorted((dates[tid]["li"], tid) for tid in dates if "li" in dates[tid] and tid not in before)
    rest = [tid for _, tid in rest]
    rest, k = split_at_share(rest, codes_of, units, national, share, [codes_of[t] for t in before])
    for i, tid in enumerate(rest):
        li, upper = dates[tid]["li"], min(bound.get(tid, LAST_ACI), LAST_ACI)
        if i < k and li > cut:
            dates[tid]["li"] = between(rng, cut - dt.timedelta(days=540), cut, 1.5, 1.0)
        elif i >= k and li <= cut:
            dates[tid]["li"] = between(rng, cut + dt.timedelta(days=1), upper, 1.0, 1.5)
    assert all(stage_of[t] != "Pré-projet" or not d for t, d in dates.items())
    assert all(d.get("li", FIRST_LI) <= d.get("ps", LAST_ACI) <= d.get("aci", LAST_ACI) for d in dates.values())
    assert all(x <= LAST_ACI for d in dates.values() for x in d.values())
    return dates


def share_on(day, key, dates, codes_of, units, national) -> float:
    """Share of the nation covered on `day` by the territories whose `key` stage is dated by then."""
    return covered_share([codes_of[t] for t, d in dates.items() if any(d.get(k, dt.date.max) <= day for k in key)],
                         units, national)


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
    drawn = []
    for n, (dep, t) in enumerate(existing):
        stage = rng.choices([s for s, _ in STAGES], weights)[0]
        # Drawn from the first stream as it always was (the stream decides the later territories):
        # its order only ranks the signatures, the dates themselves come from the second stream.
        signed = aci_date(rng) if stage == "ACI signé" else None
        main_unit = max(t, key=lambda c: (units[c].population, c))
        base = f"CPTS fictive {units[main_unit].of_name}"
        names_seen[base] += 1
        name = base if names_seen[base] == 1 else f"{base} {names_seen[base]}"
        tid = f"DEMO-{dep}-{n + 1:04d}"
        all_pops.append(sum(units[c].population for c in t))
        drawn.append((tid, name, stage, signed, t))
    national = sum(u.population for u in units.values())
    dates = stage_dates([(tid, stage, d, set(t)) for tid, _, stage, d, t in drawn], units, national,
                        random.Random(args.seed + 1))
    iso = lambda d: d.isoformat() if d else ""  # noqa: E731
    for tid, name, stage, _, t in drawn:
        d = dates[tid]
        for code in sorted(t):
            rows.append((tid, name, stage, iso(d.get("aci")), code, iso(d.get("li")), iso(d.get("ps"))))
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(["cpts_id", "cpts_nom", "statut", "date_signature_aci", "code_commune", "date_lettre_intention",
                    "date_projet_sante"])
        w.writerows(rows)
    codes_of = {tid: set(t) for tid, _, _, _, t in drawn}
    aci_day, any_day = ACI_MILESTONE[0], ANY_STAGE_MILESTONE[0]
    print(
        f"on {aci_day}: {share_on(aci_day, ['aci'], dates, codes_of, units, national):.2%} ACI signé; "
        f"on {any_day}: {share_on(any_day, ['li', 'ps', 'aci'], dates, codes_of, units, national):.2%} any dated stage",
        file=sys.stderr,
    )
    covered_units = {r[4] for r in rows}
    print(
        f"{len(existing)} fictional territories, {len(rows)} rows, median population "
        f"{statistics.median(all_pops):.0f}, covered {sum(units[c].population for c in covered_units) / national:.1%}, "
        f"low départements {sorted(low)} -> {args.out}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()

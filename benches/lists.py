#!/usr/bin/env python3
"""Benchmark: a territory list by commune NAMES in a spreadsheet against the
same list by INSEE codes, in the same run.

    cargo build --release
    python3 -m pip install -r tools/requirements.txt   # openpyxl, pyshp
    python3 benches/lists.py [--runs 7] [--rows 30000]

It writes, from the demo list (geodata/cpts_demo_fictif.csv, cycled to
--rows rows; the repeated rows are duplicates in every file alike):
  codes.csv    cpts_id;cpts_nom;statut;date_signature_aci;code_commune
  codes.xlsx   the same in a sheet, codes as numbers, dates as Excel dates
  noms.xlsx    title rows, French stage labels, Excel dates, a département
               column, the commune by NAME in the spellings of ARS files
               (official, without article, « Havre (Le) », upper case without
               accents, St-/Ste-, hyphens as spaces, « Marseille 14 »); a name
               shared by two communes of one département keeps its code
  noms.csv     the same as noms.xlsx, in CSV
then times `cptsmap report --format json --cpts FILE` on each (wall clock,
whole process, median of --runs after one warm-up, runs interleaved; CPU
time beside it) and checks that all four give the same figures.
Target: the resolution by names adds less than 0.5 s (noms.xlsx − codes.xlsx,
and noms.xlsx − codes.csv).
"""

import argparse
import csv
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

import openpyxl
import shapefile  # pyshp

ROOT = Path(__file__).resolve().parent.parent
GEODATA = ROOT / "geodata"
CPTSMAP = ROOT / "target" / "release" / "cptsmap"
STAGES = {
    "ACI signé": "En fonctionnement",
    "Projet de santé validé": "Projet validé",
    "Lettre d'intention validée": "LI validée",
    "Pré-projet": "En émergence",
}
ARTICLES = ("Le ", "La ", "Les ", "L'")


def fold(name: str) -> str:
    name = name.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", " ", plain.lower()).strip()


def units() -> dict[str, tuple[str, str]]:
    """INSEE code → (name, département)."""
    out = {}
    for r in shapefile.Reader(str(GEODATA / "COMMUNE.shp"), encoding="utf-8").iterRecords():
        out[r["INSEE_COM"]] = (r["NOM"], r["INSEE_DEP"])
    for r in shapefile.Reader(str(GEODATA / "ARRONDISSEMENT_MUNICIPAL.shp"), encoding="utf-8").iterRecords():
        out[r["INSEE_ARM"]] = (r["NOM"], out[r["INSEE_COM"]][1])
    return out


def spelling(name: str, n: int) -> str:
    """One of the ways ARS files write a name, in turn."""
    m = re.fullmatch(r"(Paris|Lyon|Marseille) (\d+)(?:er|e) Arrondissement", name)
    if m:
        return [name, f"{m[1]} {m[2]}", f"{m[1].upper()} {m[2]}EME"][n % 3]
    article = next((a for a in ARTICLES if name.startswith(a)), None)
    if article:
        rest = name[len(article):]
        return [name, rest, f"{rest} ({article.strip()})"][n % 3]
    if name.startswith(("Saint-", "Sainte-")):
        return name.replace("Sainte-", "Ste-", 1).replace("Saint-", "St-", 1)
    return [name, fold(name).upper(), name.replace("-", " ")][n % 3]


def write_files(out: Path, rows: int) -> dict[str, Path]:
    demo = list(csv.DictReader(open(GEODATA / "cpts_demo_fictif.csv", encoding="utf-8"), delimiter=";"))
    demo = [demo[i % len(demo)] for i in range(rows)]
    names = units()
    homonyms = Counter((fold(n), d) for n, d in names.values())
    paths = {k: out / k for k in ("codes.csv", "codes.xlsx", "noms.xlsx", "noms.csv")}
    with open(paths["codes.csv"], "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(["cpts_id", "cpts_nom", "statut", "date_signature_aci", "code_commune"])
        w.writerows([r["cpts_id"], r["cpts_nom"], r["statut"], r["date_signature_aci"], r["code_commune"]] for r in demo)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("CPTS")
    sheet.append(["cpts_id", "cpts_nom", "statut", "date_signature_aci", "code_commune"])
    for r in demo:
        date = dt.date.fromisoformat(r["date_signature_aci"]) if r["date_signature_aci"] else None
        sheet.append([r["cpts_id"], r["cpts_nom"], r["statut"], date, int(r["code_commune"]) if r["code_commune"].isdigit() else r["code_commune"]])
    book.save(paths["codes.xlsx"])
    header = ["ID CPTS", "Nom de la CPTS", "État d'avancement", "Date de signature de l'ACI", "Département", "Commune"]
    named = []
    for n, r in enumerate(demo):
        name, dep = names[r["code_commune"]]
        commune = r["code_commune"] if homonyms[(fold(name), dep)] > 1 else spelling(name, n)
        named.append([r["cpts_id"], r["cpts_nom"], STAGES[r["statut"]], r["date_signature_aci"], dep, commune])
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("CPTS 2025")
    sheet.append(["Liste des CPTS (fictive)"])
    sheet.append(["Mise à jour : janvier 2025"])
    sheet.append([])
    sheet.append(header)
    for row in named:
        row = list(row)
        row[3] = dt.date.fromisoformat(row[3]) if row[3] else None
        sheet.append(row)
    book.save(paths["noms.xlsx"])
    with open(paths["noms.csv"], "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(["Liste des CPTS (fictive)"])
        w.writerow(header)
        for row in named:
            d = row[3]
            w.writerow(row[:3] + [f"{d[8:10]}/{d[5:7]}/{d[:4]}" if d else ""] + row[4:])
    return paths


def report(path: Path) -> dict:
    out = subprocess.run([str(CPTSMAP), "report", "--format", "json", "--cpts", str(path)], check=True, capture_output=True)
    return json.loads(out.stdout)


def figures(r: dict):
    return r["cpts"], r["covered"], r["by_stage"], r["departements"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--rows", type=int, default=30_000)
    args = ap.parse_args()
    if not CPTSMAP.exists():
        sys.exit("build first: cargo build --release")
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        paths = write_files(Path(tmp), args.rows)
        print(f"wrote {args.rows} rows × 4 files in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        reports = {k: report(p) for k, p in paths.items()}
        for k, r in reports.items():
            if figures(r) != figures(reports["codes.csv"]):
                sys.exit(f"{k}: figures differ from codes.csv")
            kinds = Counter(w["kind"] for w in r["warnings"])
            print(f"{k:11} same figures as codes.csv; warnings: {dict(sorted(kinds.items()))}")
        times = {k: [] for k in paths}
        cpu = {k: [] for k in paths}
        for _ in range(args.runs):
            for k, p in paths.items():
                before, start = os.times(), time.perf_counter()
                subprocess.run([str(CPTSMAP), "report", "--format", "json", "--cpts", str(p)], check=True, capture_output=True)
                times[k].append(time.perf_counter() - start)
                after = os.times()
                cpu[k].append(after.children_user + after.children_system - before.children_user - before.children_system)
    median = {k: statistics.median(v) for k, v in times.items()}
    base = median["codes.csv"]
    # CPU time (user + system, both threads) moves less than wall time on a shared machine.
    print(f"\n{'list':11} {'median':>8} {'min':>8} {'cpu':>8}  ratio to codes.csv")
    for k, v in times.items():
        print(f"{k:11} {median[k]:7.3f}s {min(v):7.3f}s {statistics.median(cpu[k]):7.3f}s  ×{median[k] / base:.2f}")
    by_names = median["noms.xlsx"] - median["codes.xlsx"]
    print(f"\nresolution by names: +{by_names:.3f} s (noms.xlsx − codes.xlsx), "
          f"+{median['noms.xlsx'] - base:.3f} s (noms.xlsx − codes.csv); target < 0.5 s: "
          f"{'met' if max(by_names, median['noms.xlsx'] - base) < 0.5 else 'MISSED'}")


if __name__ == "__main__":
    main()

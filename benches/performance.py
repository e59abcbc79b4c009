#!/usr/bin/env python3
"""The README's performance table, measured in one run: each row of work by
cptsmap side by side with the reference tool on the same files, whole
processes, median wall time of --runs (after one warm-up that fills the file
cache) and peak resident memory (the kernel's getrusage figure for the child,
the one `/usr/bin/time -v` prints as "Maximum resident set size").

    cargo build --release
    python3 -m pip install -r tools/requirements.txt          # shapely, pyproj, pyshp, numpy
    python3 benches/densify.py --lambert93                     # ≈ 20 M vertices (optional)
    python3 benches/performance.py [--runs 3] [--data bundled|dense|both]

Rows, on the bundled data (≈ 1 M vertices, WGS84) and on the full-resolution
stand-in (≈ 20 M vertices, metropole in Lambert-93):
  report     `cptsmap report --format json`      vs GDAL only reading the layers
                                                    (`ogr2ogr -f Memory`): goal ≤ 2×
  export     `cptsmap export --layer cpts`        vs benches/geos_export.py (GEOS
             (read, dissolve, RFC 7946 WGS84)       coverage_union_all per territory,
                                                    PROJ reprojection, GeoJSON): goal ≥ 3× faster
  serve      `cptsmap serve` until /api/health    vs GDAL's bare read: goal ≤ 6×
  memory     peak RSS of each of the three        goal ≤ 1 GB
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from timing import repeat, timed

ROOT = Path(__file__).resolve().parent.parent
CPTSMAP = ROOT / "target" / "release" / "cptsmap"
GEODATA = ROOT / "geodata"
DENSE = ROOT / "target" / "bench" / "dense-lambert93"
LIST = GEODATA / "cpts_demo_fictif.csv"

DATASETS = {
    "bundled": ([GEODATA / "COMMUNE.shp"], GEODATA / "ARRONDISSEMENT_MUNICIPAL.shp"),
    "dense": ([DENSE / "metropole.shp", DENSE / "outremer.shp"], DENSE / "arr.shp"),
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(args):
    """(seconds until /api/health answers, peak RSS in MB at that moment)."""
    port = free_port()
    start = time.perf_counter()
    child = subprocess.Popen([CPTSMAP, "serve", "--port", str(port), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if child.poll() is not None:
                sys.exit("cptsmap serve stopped before answering")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.01)
        wall = time.perf_counter() - start
        status = Path(f"/proc/{child.pid}/status").read_text()
        rss = next(int(l.split()[1]) for l in status.splitlines() if l.startswith("VmHWM:")) / 1024
    finally:
        child.terminate()
        child.wait()
    return wall, rss


def rows(name, runs, out):
    communes, arrondissements = DATASETS[name]
    missing = [p for p in (*communes, arrondissements) if not p.exists()]
    if missing:
        print(f"{name}: {missing[0]} missing — run python3 benches/densify.py --lambert93", file=sys.stderr)
        return []
    data = [a for c in communes for a in ("--communes", c)] + ["--arrondissements", arrondissements, "--cpts", LIST]
    gdal = " && ".join(f"ogr2ogr -f Memory mem '{p}'" for p in (*communes, arrondissements))
    geos = [sys.executable, ROOT / "benches" / "geos_export.py", *[a for c in communes for a in ("--communes", c)],
            "--arrondissements", arrondissements, "--cpts", LIST, "-o", out / "geos.geojson"]

    bare = timed(["sh", "-c", gdal], runs)
    report = timed([CPTSMAP, "report", "--format", "json", *data], runs)
    export = timed([CPTSMAP, "export", "--layer", "cpts", "--force", "-o", out / "cpts.geojson", *data], runs)
    pipeline = timed(geos, runs)
    first = repeat(lambda: serve(data), runs)
    return [
        (name, "report", report, "GDAL bare read", bare, report[0] / bare[0], "×", "≤ 2×"),
        (name, "export --layer cpts", export, "GEOS + PROJ pipeline", pipeline, pipeline[0] / export[0], "× faster", "≥ 3× faster"),
        (name, "serve → /api/health", first, "GDAL bare read", bare, first[0] / bare[0], "×", "≤ 6×"),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--data", choices=["bundled", "dense", "both"], default="both")
    args = ap.parse_args()
    names = ["bundled", "dense"] if args.data == "both" else [args.data]
    with tempfile.TemporaryDirectory() as tmp:
        table = [row for name in names for row in rows(name, args.runs, Path(tmp))]
    print(f"\nmedian of {args.runs} whole processes, peak RSS; {os.cpu_count()} cores\n")
    print("| data | work | cptsmap | reference | reference time | ratio | goal |")
    print("|---|---|---|---|---|---|---|")
    for name, work, ours, ref, theirs, ratio, unit, goal in table:
        print(f"| {name} | {work} | {ours[0]:.2f} s, {ours[3]:.0f} MB | {ref} | {theirs[0]:.2f} s, {theirs[3]:.0f} MB "
              f"| {ratio:.2f}{unit} | {goal} |")
    worst = max((row[2][3] for row in table), default=0)
    print(f"\npeak RSS of cptsmap over every row: {worst:.0f} MB (goal ≤ 1024 MB)")


if __name__ == "__main__":
    main()

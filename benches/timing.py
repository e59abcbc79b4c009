"""Whole-process timing shared by the benchmark scripts: wall time and peak
resident memory of a child (the kernel's getrusage figure, the one
`/usr/bin/time -v` prints as "Maximum resident set size")."""

import os
import statistics
import subprocess
import sys
import tempfile
import time


class TooLong(Exception):
    """A run stopped at its time limit."""


def run(cmd, cwd=None, limit=None):
    """(wall seconds, peak RSS in MB) of one run of `cmd`; stops the script if it
    fails. With `limit` (seconds), a run still going then is killed: TooLong."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen([str(c) for c in cmd], cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        while True:
            pid, status, usage = os.wait4(child.pid, 0 if limit is None else os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > limit:
                child.kill()
                os.wait4(child.pid, 0)
                raise TooLong(limit)
            time.sleep(0.02)
        wall = time.perf_counter() - start
        if status != 0:
            err.seek(0)
            sys.exit(f"failed ({status}): {' '.join(map(str, cmd))}\n{err.read()[-2000:].decode(errors='replace')}")
    return wall, usage.ru_maxrss / 1024


def repeat(once, runs, warm_up=True):
    """(median, min, max wall seconds, largest peak RSS in MB) of `runs` calls of
    `once` (which returns wall seconds and peak RSS), after one warm-up call
    that fills the file cache unless `warm_up` is false."""
    if warm_up:
        once()
    results = [once() for _ in range(runs)]
    times = [r[0] for r in results]
    return statistics.median(times), min(times), max(times), max(r[1] for r in results)


def timed(cmd, runs, cwd=None, warm_up=True, limit=None):
    """[`repeat`] of a whole process; TooLong when one run passes `limit` seconds."""
    return repeat(lambda: run(cmd, cwd=cwd, limit=limit), runs, warm_up)


def row(label, t, ref=None, ref_label="A"):
    """One line of a table: median (min, max) of `t`, and its ratio to the median `ref`."""
    ratio = f"   ratio to {ref_label}: {t[0] / ref:.2f}×" if ref else ""
    print(f"{label:<52} median {t[0]:.3f} s  (min {t[1]:.3f}, max {t[2]:.3f}){ratio}")

#!/usr/bin/env bash
# End-to-end cost of reading Lambert-93: the full-resolution stand-in of
# benches/densify.py (≈ 20 M vertices, WGS84) with its metropole reprojected
# to Lambert-93 by GDAL, then `cptsmap report` timed on it and on the WGS84
# original (the difference is the cost of the projection). Give other
# cptsmap binaries as arguments to time them on the same files.
#
#   cargo build --release && python3 benches/densify.py --lambert93
#   bash benches/lambert93.sh [OTHER_CPTSMAP…]
set -euo pipefail
cd "$(dirname "$0")/.."
dense=target/bench/dense
out=target/bench/dense-lambert93
[ -f "$out/metropole.shp" ] || { echo "run python3 benches/densify.py --lambert93 first" >&2; exit 1; }
lambert93=(--communes "$out/metropole.shp" --communes "$out/outremer.shp" --arrondissements "$out/arr.shp")
wgs84=(--communes "$dense/COMMUNE.shp" --arrondissements "$dense/ARRONDISSEMENT_MUNICIPAL.shp")
for bin in ./target/release/cptsmap "$@"; do
  for run in 1 2 3; do
    /usr/bin/time -f "$bin, Lambert-93, run $run: %e s wall, %U s CPU" "$bin" report --format json "${lambert93[@]}" >/dev/null
  done
  /usr/bin/time -f "$bin, WGS84: %e s wall, %U s CPU" "$bin" report --format json "${wgs84[@]}" >/dev/null
done

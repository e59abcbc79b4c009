#!/usr/bin/env bash
# End-to-end cost of reading Lambert-93: the full-resolution stand-in of
# benches/densify.py (≈ 20 M vertices, WGS84) with its metropole reprojected
# to Lambert-93 by GDAL, then `cptsmap report` timed on it and on the WGS84
# original (the difference is the cost of the projection). Give other
# cptsmap binaries as arguments to time them on the same files.
#
#   cargo build --release && python3 benches/densify.py
#   bash benches/lambert93.sh [OTHER_CPTSMAP…]
set -euo pipefail
cd "$(dirname "$0")/.."
dense=target/bench/dense
out=target/bench/dense-lambert93
[ -f "$dense/COMMUNE.shp" ] || { echo "run python3 benches/densify.py first" >&2; exit 1; }
if [ ! -f "$out/metropole.shp" ]; then
  mkdir -p "$out"
  overseas="INSEE_REG IN ('01','02','03','04','06')"
  ogr2ogr -lco ENCODING=UTF-8 -t_srs EPSG:2154 -where "NOT ($overseas)" "$out/metropole.shp" "$dense/COMMUNE.shp"
  ogr2ogr -lco ENCODING=UTF-8 -where "$overseas" "$out/outremer.shp" "$dense/COMMUNE.shp"
  ogr2ogr -lco ENCODING=UTF-8 -t_srs EPSG:2154 "$out/arr.shp" "$dense/ARRONDISSEMENT_MUNICIPAL.shp"
fi
lambert93=(--communes "$out/metropole.shp" --communes "$out/outremer.shp" --arrondissements "$out/arr.shp")
wgs84=(--communes "$dense/COMMUNE.shp" --arrondissements "$dense/ARRONDISSEMENT_MUNICIPAL.shp")
for bin in ./target/release/cptsmap "$@"; do
  for run in 1 2 3; do
    /usr/bin/time -f "$bin, Lambert-93, run $run: %e s wall, %U s CPU" "$bin" report --format json "${lambert93[@]}" >/dev/null
  done
  /usr/bin/time -f "$bin, WGS84: %e s wall, %U s CPU" "$bin" report --format json "${wgs84[@]}" >/dev/null
done

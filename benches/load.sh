#!/usr/bin/env bash
# Load benchmark of `cptsmap serve` on loopback with wrk (Debian: apt-get install wrk).
#
#   cargo build --release && bash benches/load.sh [SECONDS [DATA OPTIONS…]]
#
# DATA OPTIONS go to `cptsmap serve`, e.g. the full-resolution stand-in of
# `python3 benches/densify.py --lambert93`:
#   bash benches/load.sh 10 --communes target/bench/dense-lambert93/metropole.shp \
#     --communes target/bench/dense-lambert93/outremer.shp --arrondissements target/bench/dense-lambert93/arr.shp
#
# Targets (issue 4, 2-core machine): point lookups and /api/communes/{code} at
# ≥ 30 000 requests/s with p99 ≤ 5 ms; national layers (cached, compressed)
# at ≥ 2 000 requests/s. Server and load generator share the two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
shift || true
port=18431
log=$(mktemp)
RUST_LOG=info ./target/release/cptsmap serve --port "$port" "$@" 2>"$log" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.2; done
# The server answers at once but draws its national layers in the background:
# measure the steady state, once both warm-ups have said they are done.
for _ in $(seq 300); do
  [ "$(grep -c -e 'couches nationales prêtes' -e 'résumés nationaux prêts' "$log")" -ge 2 ] && break
  sleep 0.2
done

# Rotating through many communes and points, so that no single answer is cached by the client.
lua=$(mktemp --suffix .lua)
cat > "$lua" <<'LUA'
local codes = {"75101","13214","69381","01001","2A004","97411","44116","34172","33063","59350","67482","31555"}
local points = {{2.3488,48.8534},{5.3698,43.2965},{4.8357,45.764},{-1.5536,47.2184},{7.7521,48.5734},{1.4442,43.6047},{-0.5792,44.8378},{3.0573,50.6292}}
local i = 0
request = function()
  i = i + 1
  if wrk.mode == "points" then
    local p = points[(i % #points) + 1]
    return wrk.format("GET", string.format("/api/communes?lon=%f&lat=%f", p[1], p[2]))
  end
  return wrk.format("GET", "/api/communes/" .. codes[(i % #codes) + 1])
end
LUA
run() {
  local label=$1; shift
  echo "== $label"
  wrk --latency "$@" | grep -E "Requests/sec|Latency  |  50%|  99%|Non-2xx"
}
run "commune by code" -t1 -c32 -d"${seconds}s" -s "$lua" "http://127.0.0.1:$port"
sed -i 's/wrk.mode == "points"/true/' "$lua"
run "commune at a point" -t1 -c32 -d"${seconds}s" -s "$lua" "http://127.0.0.1:$port"
run "national layer (departements, zoom 5, gzip)" -t1 -c32 -d"${seconds}s" -H "Accept-Encoding: gzip" \
  "http://127.0.0.1:$port/api/layers/departements.geojson?zoom=5"
run "national layer (cpts, zoom 5, brotli)" -t1 -c32 -d"${seconds}s" -H "Accept-Encoding: br" \
  "http://127.0.0.1:$port/api/layers/cpts.geojson?zoom=5"
rm -f "$lua"

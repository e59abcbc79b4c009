#!/usr/bin/env bash
# Load benchmark of the planner of `cptsmap serve` on loopback with wrk and jq.
#
#   cargo build --release && bash benches/plan.sh [SECONDS]
#
# Targets (issue 12, 2-core machine): `POST /api/plan` for drafts of 100
# communes at ≥ 5 000 requests/s with p99 ≤ 10 ms; the suggested cut of the
# largest zone blanche in ≤ 1 s. Server and load generator share the cores.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
port=18432
base="http://127.0.0.1:$port"
RUST_LOG=off ./target/release/cptsmap serve --port "$port" 2>/dev/null &
server=$!
lua=$(mktemp --suffix .lua)
cut=$(mktemp --suffix .json)
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true; rm -f "$lua" "$cut"' EXIT
for _ in $(seq 100); do curl -sf "$base/api/health" >/dev/null && break; sleep 0.2; done

# Sixteen different drafts of 100 communes, each a window over the communes of
# the largest zone blanche plus a few of a CPTS, so that every draft has new
# residents, overlaps and a real outline (no answer is cached: no-store).
zone=$(curl -sf "$base/api/plan/zones/1")
cpts=$(curl -sf "$base/api/cpts" | jq -r '[.. | objects | select(has("id")) | .id][0]')
overlap=$(curl -sf "$base/api/cpts/$cpts" | jq -c '[.communes[:5][].code]')
{
  echo 'local bodies = {'
  for i in $(seq 0 15); do
    echo "$zone" | jq -c --argjson i "$i" --argjson o "$overlap" \
      '{name: ("Essai " + ($i | tostring)), communes: (.codes[($i * 40):($i * 40 + 95)] + $o)} | tojson' | sed 's/$/,/'
  done
  echo '}'
  cat <<'LUA'
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i + 1
  return wrk.format(nil, "/api/plan", nil, bodies[(i % #bodies) + 1])
end
LUA
} > "$lua"
units=$(sed -n '2s/,$//p' "$lua" | jq -r 'fromjson | .communes | length')
echo "== POST /api/plan, drafts of $units communes (16 rotating)"
check=$(sed -n '2s/,$//p' "$lua" | jq -r . | curl -sf -X POST -H 'Content-Type: application/json' --data-binary @- "$base/api/plan")
echo "   one answer: $(echo "$check" | jq -c '{units, population, newly: .newly_covered.population, overlaps: (.overlaps | length)}')"
wrk --latency -t1 -c16 -d"${seconds}s" -s "$lua" "$base" | grep -E "Requests/sec|Latency  |  50%|  99%|Non-2xx"

# The cut is computed on the first request of a zone, then kept: time that first one.
echo "== suggestion for the largest zone blanche (first request: computed)"
curl -sf -o "$cut" -w '   answered in %{time_total} s\n' "$base/api/plan/zones/1/suggestion"
jq -r '"   \(.candidates | length) drafts for \(.units) communes, \(.population) residents; cut computed in \(.computed_in_ms) ms"' "$cut"

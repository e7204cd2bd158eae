#!/usr/bin/env bash
# Scenario: one client floods Stopzone at 50,000 queries a second over UDP while a second, normal client asks
# 200 a second from another /24; Stopzone has the default rate limit (10,000/s per /24, burst 20,000, slip 2).
#
# Hypothesis: with the limit, the flooder is answered at about 10,000 a second (plus TC=1 slips for half of the
# rest, the other half dropped) and the normal client gets every answer with latencies close to those on an
# idle server; without the limit (baseline: rateLimit.enabled false, same flood), the flooder takes the
# server's CPU and the normal client's latencies grow.
#
# Phases (each at most 30 s): 1. the normal client alone; 2. flood, limit off; 3. flood, limit on (defaults).
# Loopback only: Stopzone on 127.0.0.1, the flooder sends from 127.0.1.1 and the normal client from 127.0.2.1,
# two /24s; loopback's default exemption is removed (exempt: []) since every client here is on loopback.
# Stopzone has CPU 1 to itself; dnsperf (both clients) and NSD share CPU 0. Knobs (environment, optional):
#   BENCH_SECONDS=20     seconds of each flood phase (at most 30)
#   BENCH_FLOOD_QPS=50000
#   BENCH_NORMAL_QPS=200
#   BENCH_NICE=-10       niceness of every process started (as root: keeps other jobs off the pinned CPUs)
#   BENCH_SKIP_BUILD=1   do not run `npm run build` first
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH=$ROOT/node_modules/.bin:$PATH   # the pinned Node 24 (README, "Which Node"), as npm scripts have it
OUT_DIR=$ROOT/bench/out
SECONDS_PER_PHASE=${BENCH_SECONDS:-20}
FLOOD_QPS=${BENCH_FLOOD_QPS:-50000}
NORMAL_QPS=${BENCH_NORMAL_QPS:-200}
NSD_PORT=55320
STOPZONE_PORT=55321
ADMIN_PORT=55322
SERVER_CPU=1
LOAD_CPU=0
FLOODER=127.0.1.1
NORMAL=127.0.2.1
source "$ROOT/bench/lib/loopback.sh"

rate_limit_preflight

start_nsd
write_queries 10
STAMP=$(date +%Y%m%d-%H%M%S)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$OUT_DIR"

# The flooder: one address, four sockets, cached names (a flood of repeated questions), up to 60,000 in flight
# so that dropped queries (held until the 1 s timeout) do not throttle it.
flood() {
  "${PINNED[@]}" "$LOAD_CPU" dnsperf -s "$ADDR" -p "$STOPZONE_PORT" -a "$FLOODER" -d "$TMP/fixed.txt" -c 4 -q 60000 -Q "$FLOOD_QPS" \
    -l "$SECONDS_PER_PHASE" -t 1 -O suppress=timeout >"$1" 2>&1 || true
}

declare -A ROW
run_phase() {
  local name=$1 yaml=$2 with_flood=$3
  start_stopzone "$yaml"
  local before after raw=$OUT_DIR/$STAMP-flood-$name
  before=$(scrape_counts)
  local cpu_before started
  cpu_before=$(cpu_seconds "$SERVER_PID")
  started=$(date +%s.%N)
  local flood_pid=
  if [[ $with_flood == yes ]]; then
    flood "$raw-flooder.txt" &
    flood_pid=$!
    sleep 1 # the flood is under way when the measurement starts
  fi
  local normal
  normal=$(normal_client $((SECONDS_PER_PHASE - 2)) "$NORMAL_QPS" "$NORMAL" "$raw-normal.txt")
  [[ -n $flood_pid ]] && wait "$flood_pid"
  after=$(scrape_counts)
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/stopzone.log" >&2; die "Stopzone died in phase $name"; }
  local cpu
  cpu=$(awk -v a="$cpu_before" -v b="$(cpu_seconds "$SERVER_PID")" -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f %% of a core", (b - a) / (e - s) * 100 }')
  stop_stopzone
  local flooder="-"
  if [[ $with_flood == yes ]]; then
    flooder=$(awk '/Queries sent:/ { s = $3 } /Queries completed:/ { c = $3 } /Run time/ { t = $4 } END { printf "sent %.0f/s, got a reply to %.0f/s", s / t, c / t }' "$raw-flooder.txt")
  fi
  local counts
  counts=$(paste <(echo "$before") <(echo "$after") | awk '{ d[$1] = $4 - $2 } END { printf "answered %d, slipped %d, dropped %d", d["answered"], d["slipped"], d["dropped"] }')
  ROW[$name]="$normal|$flooder|$counts, CPU $cpu"
}

echo "phase 1/3: the normal client alone"
run_phase alone "rateLimit: { exempt: [] }" no
echo "phase 2/3: flood at $FLOOD_QPS qps, rate limit off"
run_phase flood-unlimited "rateLimit: { enabled: false }" yes
echo "phase 3/3: flood at $FLOOD_QPS qps, rate limit on (defaults)"
run_phase flood-limited "rateLimit: { exempt: [] }" yes

{
  echo
  echo "== One client at $FLOOD_QPS qps ($FLOODER) and a normal client at $NORMAL_QPS qps ($NORMAL); default rate limit =="
  echo "niceness ${BENCH_NICE:-0}; load average before ${LOAD_BEFORE}, after $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)"
  echo "flood: dnsperf -a $FLOODER -c 4 -q 60000 -Q $FLOOD_QPS -l $SECONDS_PER_PHASE -t 1; normal: dnsperf -a $NORMAL -c 1 -Q $NORMAL_QPS -t 2 -v"
  printf '%-16s | %-58s | %-42s | %s\n' phase "normal client: sent answered lost, p50 p99 max (ms)" "flooder (dnsperf)" "Stopzone (UDP queries over the phase)"
  for phase in alone flood-unlimited flood-limited; do
    IFS='|' read -r normal flooder counts <<<"${ROW[$phase]}"
    read -r sent answered lost p50 p99 max <<<"$normal"
    printf '%-16s | %6s %6s %5s, %8s %8s %8s          | %-42s | %s\n' "$phase" "$sent" "$answered" "$lost" "$p50" "$p99" "$max" "$flooder" "$counts"
  done
  echo "raw dnsperf output: $OUT_DIR/$STAMP-flood-*"
} | tee "$OUT_DIR/$STAMP-flood-summary.txt"

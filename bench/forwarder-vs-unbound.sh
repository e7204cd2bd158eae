#!/usr/bin/env bash
# Scenario: Stopzone vs Unbound as forwarders of the same NSD, measured with dnsperf.
#
# Hypothesis: with a 90 % cache-hit mix (fixed names, A and AAAA) and 10 % unique names that must be forwarded,
# Stopzone on one core answers at least 0.9x the queries per second of the baseline, Unbound with one thread as
# a plain forwarder (no validation, default caches), also on one core.
#
# Everything listens on 127.0.0.1 only; every run is bounded in time and in queries, and stops by itself.
# See bench/README.md for the figures and the pinning. Knobs (environment, all optional):
#   BENCH_SECONDS=15       dnsperf -l per server
#   BENCH_CLIENTS=4        dnsperf -c
#   BENCH_OUTSTANDING=200  dnsperf -q
#   BENCH_SERVERS="unbound stopzone"   which servers to measure, in order
#   BENCH_MISS_SHARE=0.1               share of unique names (cache misses) in the query mix
#   BENCH_NODE_FLAGS=                  extra node flags for Stopzone (e.g. --cpu-prof)
#   BENCH_STOPZONE_YAML=               extra YAML lines for Stopzone's config
#   BENCH_SKIP_BUILD=1     do not run `npm run build` first
#   BENCH_NICE=-10         niceness of every process started (as root: keeps other jobs off the pinned CPUs)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH=$ROOT/node_modules/.bin:$PATH   # the pinned Node 24 (README, "Which Node"), as npm scripts have it
OUT_DIR=$ROOT/bench/out

SECONDS_PER_RUN=${BENCH_SECONDS:-15}
CLIENTS=${BENCH_CLIENTS:-4}
OUTSTANDING=${BENCH_OUTSTANDING:-200}  # see bench/README.md, "Settings"
SERVERS=${BENCH_SERVERS:-unbound stopzone}
# 250k lines per second of run: more than any server here gets through (dnsperf -n 1 stops at the end of the
# file rather than wrap around, so the unique names stay unique; a run that ends early is flagged below).
QUERY_LINES=$((SECONDS_PER_RUN * 250000))
NSD_PORT=55300
UNBOUND_PORT=55301
STOPZONE_PORT=55302
# Pinning on a 2-core machine: the server under test has CPU 1 to itself; dnsperf and NSD share CPU 0.
SERVER_CPU=1
LOAD_CPU=0

# NSD, the temporary directory, the exit trap that kills every process started, die, need, port_free, wait_ready
# and PINNED (taskset at nice $BENCH_NICE) are shared with the rate-limit benchmarks.
source "$ROOT/bench/lib/loopback.sh"

for server in $SERVERS; do
  [[ $server == unbound || $server == stopzone ]] || die "unknown server \"$server\" in BENCH_SERVERS; expected unbound and/or stopzone"
done
need nsd nsd
need unbound unbound
need dnsperf dnsperf
need dig bind9-dnsutils
need taskset util-linux
need ss iproute2
for port in $NSD_PORT $UNBOUND_PORT $STOPZONE_PORT; do
  port_free "$port" || die "port $port is in use on this machine (ss -lntup | grep $port); stop what holds it"
done

# --- 1. NSD: authoritative for bench.test ------------------------------------------------------------------
start_nsd
echo "NSD       ready on $ADDR:$NSD_PORT (CPU $LOAD_CPU), $FIXED_NAMES names x A/AAAA + *.miss.bench.test"

# --- 2. The query files ------------------------------------------------------------------------------------
# fixed.txt: every fixed name once per type (the warm-up). queries.txt: 90 % fixed (cache hits after the
# warm-up), 10 % unique names under miss.bench.test, never repeated (cache misses, forwarded to NSD).
write_bench_queries 20251123 "$QUERY_LINES" "$TMP/queries.txt"
echo "queries   $(wc -l <"$TMP/queries.txt") lines, $(grep -c '\.miss\.' "$TMP/queries.txt") of them unique misses"

# --- 3. The servers ----------------------------------------------------------------------------------------
start_unbound() {
  write_unbound_conf 1 "$UNBOUND_PORT"
  unbound-checkconf "$TMP/unbound/unbound.conf" >/dev/null
  "${PINNED[@]}" "$SERVER_CPU" unbound -d -c "$TMP/unbound/unbound.conf" >"$TMP/unbound.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  SERVER_PORT=$UNBOUND_PORT
  wait_ready "$UNBOUND_PORT" "$SERVER_PID" "$TMP/unbound.log"
}

start_stopzone() {
  if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then npm run build --silent >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; die "npm run build failed (log above)"; }; fi
  cat >"$TMP/stopzone.yaml" <<EOF
listen: { addresses: ["$ADDR"], port: $STOPZONE_PORT }
upstreams: ["$ADDR:$NSD_PORT"]
log: { level: warn }
workers: 1
${BENCH_STOPZONE_YAML:-}
EOF
  "${PINNED[@]}" "$SERVER_CPU" node ${BENCH_NODE_FLAGS:-} dist/cli/main.js serve --config "$TMP/stopzone.yaml" >"$TMP/stopzone.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  SERVER_PORT=$STOPZONE_PORT
  wait_ready "$STOPZONE_PORT" "$SERVER_PID" "$TMP/stopzone.log"
}

rss_kib() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }

# --- 4. One measurement per server: warm up, run dnsperf, record ------------------------------------------
STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT_DIR"
declare -A QPS LATENCY LOST RSS HWM
for server in $SERVERS; do
  case $server in
    unbound) start_unbound ;;
    stopzone) start_stopzone ;;
  esac
  echo "$server ready on $ADDR:$SERVER_PORT (CPU $SERVER_CPU, PID $SERVER_PID); warming up"
  "${PINNED[@]}" "$LOAD_CPU" dnsperf -s "$ADDR" -p "$SERVER_PORT" -d "$TMP/fixed.txt" -n 1 -l 10 -c 1 -q 20 >"$TMP/warm-$server.txt" 2>&1 ||
    { cat "$TMP/warm-$server.txt" >&2; die "warm-up of $server failed"; }
  echo "$server measuring: dnsperf -l $SECONDS_PER_RUN -c $CLIENTS -q $OUTSTANDING -n 1"
  raw=$OUT_DIR/$STAMP-$server.txt
  "${PINNED[@]}" "$LOAD_CPU" dnsperf -s "$ADDR" -p "$SERVER_PORT" -d "$TMP/queries.txt" -n 1 \
    -l "$SECONDS_PER_RUN" -c "$CLIENTS" -q "$OUTSTANDING" -t 2 -S 5 >"$raw" 2>&1 ||
    { cat "$raw" >&2; die "dnsperf against $server failed"; }
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/$server.log" >&2; die "$server died during the run (log above)"; }
  grep -q 'Testing complete (end of file)' "$raw" && echo "bench: WARNING: $server got through the whole query file before the time limit" >&2
  QPS[$server]=$(awk '/Queries per second:/ { print $4 }' "$raw")
  LATENCY[$server]=$(awk '/Average Latency/ { sub(/,$/, "", $6); printf "avg %.3f ms (min %.3f, max %.3f)", $4 * 1000, $6 * 1000, $8 * 1000 }' "$raw")
  LOST[$server]=$(awk '/Queries lost:/ { print $3, $4 }' "$raw")
  RSS[$server]=$(rss_kib "$SERVER_PID" VmRSS)
  HWM[$server]=$(rss_kib "$SERVER_PID" VmHWM)
  cp "$TMP/$server.log" "$OUT_DIR/$STAMP-$server.log"
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  PIDS=("${PIDS[@]/$SERVER_PID/}")
done

# --- 5. Report ---------------------------------------------------------------------------------------------
{
  echo
  echo "== Stopzone vs Unbound (1 thread), forwarding to NSD; 90 % cached names, 10 % unique misses =="
  echo "dnsperf -l $SECONDS_PER_RUN -c $CLIENTS -q $OUTSTANDING -n 1 -t 2; servers on CPU $SERVER_CPU, dnsperf and NSD on CPU $LOAD_CPU"
  for server in $SERVERS; do
    printf '%-9s %10s qps   latency %s   lost %s   RSS %s KiB (peak %s KiB)\n' \
      "$server" "${QPS[$server]}" "${LATENCY[$server]}" "${LOST[$server]}" "${RSS[$server]}" "${HWM[$server]}"
  done
  if [[ -n "${QPS[unbound]:-}" && -n "${QPS[stopzone]:-}" ]]; then
    awk -v s="${QPS[stopzone]}" -v u="${QPS[unbound]}" 'BEGIN {
      r = s / u
      printf "ratio     Stopzone/Unbound = %.3f (goal >= 0.9: %s)\n", r, (r >= 0.9 ? "met" : "NOT met")
    }'
  fi
  echo "raw dnsperf output: $OUT_DIR/$STAMP-*.txt"
} | tee "$OUT_DIR/$STAMP-summary.txt"

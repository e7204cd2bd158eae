#!/usr/bin/env bash
# Scenario: Stopzone with workers 1 and 2 against Unbound with num-threads 1 and 2, all forwarding to the same
# NSD, measured with dnsperf over UDP (or TCP), in interleaved rounds.
#
# Hypothesis (issue 21 item 3): with 2 workers Stopzone answers at least 0.9x the queries per second of Unbound
# with 2 threads, as with 1 loop against 1 thread; a second worker costs no more CPU per query than the first.
#
# What the figures can show on a 2-core machine: the load generator (dnsperf, and NSD for the misses) needs a
# core of its own to drive the server near its capacity. With BENCH_SERVER_CPUS=1 (the default) every server
# has one core: 2 workers and 2 Unbound threads then share it, which shows what the second loop costs (context
# switches, a second cache to fill) but cannot show it scaling. With BENCH_SERVER_CPUS=0,1 the servers may use
# both cores, shared with dnsperf: the ratio between the two servers is meaningful, the absolute rates are not
# (whoever leaves dnsperf more CPU looks better). Real scaling needs a machine with more cores than the load.
#
# Everything listens on 127.0.0.1 only; every run is bounded in time and stops by itself. Knobs (environment):
#   BENCH_SECONDS=10        dnsperf -l per run
#   BENCH_ROUNDS=3          rounds, each running every server once, order alternating
#   BENCH_SERVERS="unbound-1 stopzone-1 unbound-2 stopzone-2"
#   BENCH_SERVER_CPUS=1     taskset list for the servers; BENCH_LOAD_CPUS=0 for dnsperf and NSD
#   BENCH_TRANSPORT=udp     or tcp (dnsperf -m tcp)
#   BENCH_CLIENTS=16 BENCH_OUTSTANDING=200  dnsperf -c and -q
#   BENCH_MISS_SHARE=0.1    share of unique names (forwarded to NSD) in the mix; 0 for cache hits only
#   BENCH_SKIP_BUILD=1      do not run `npm run build` first
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH=$ROOT/node_modules/.bin:$PATH   # the pinned Node 24, as npm scripts have it

SECONDS_PER_RUN=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-3}
SERVERS=${BENCH_SERVERS:-unbound-1 stopzone-1 unbound-2 stopzone-2}
SERVER_CPU=${BENCH_SERVER_CPUS:-1}
LOAD_CPU=${BENCH_LOAD_CPUS:-0}
TRANSPORT=${BENCH_TRANSPORT:-udp}
CLIENTS=${BENCH_CLIENTS:-16}  # many sockets, so that the kernel spreads them evenly over the workers (and threads)
OUTSTANDING=${BENCH_OUTSTANDING:-200}
NSD_PORT=55330
SERVER_PORT=55331

source "$ROOT/bench/lib/loopback.sh"

for server in $SERVERS; do
  [[ $server =~ ^(unbound|stopzone)-[0-9]+$ ]] || die "unknown server \"$server\" in BENCH_SERVERS; expected unbound-N or stopzone-N"
done
[[ $TRANSPORT == udp || $TRANSPORT == tcp ]] || die "BENCH_TRANSPORT must be udp or tcp, not \"$TRANSPORT\""
need nsd nsd
need unbound unbound
need dnsperf dnsperf
need dig bind9-dnsutils
need taskset util-linux
RUNS=$((ROUNDS * $(echo $SERVERS | wc -w)))
QUERY_LINES=$((SECONDS_PER_RUN * 250000 * RUNS))
for port in $NSD_PORT $SERVER_PORT; do port_free "$port" || die "port $port is in use (ss -lntup | grep $port)"; done
if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then npm run build --silent >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; die "npm run build failed"; }; fi

start_nsd
# Unique names are numbered across all runs, so that no run finds another's misses in a cache.
write_bench_queries 20261206 "$QUERY_LINES" "$TMP/queries-all.txt"

start_server() {
  local kind=${1%-*} threads=${1##*-}
  if [[ $kind == unbound ]]; then
    # dnsperf -m tcp holds BENCH_CLIENTS connections; Unbound takes 10 per thread by default.
    write_unbound_conf "$threads" "$SERVER_PORT" "so-reuseport: yes" "incoming-num-tcp: 256"
    "${PINNED[@]}" "$SERVER_CPU" unbound -d -c "$TMP/unbound/unbound.conf" >"$TMP/server.log" 2>&1 &
  else
    cat >"$TMP/stopzone.yaml" <<EOF
listen: { addresses: ["$ADDR"], port: $SERVER_PORT }
workers: $threads
upstreams: ["$ADDR:$NSD_PORT"]
admin: { listen: ["$ADDR:0"] }
stopPage: { enabled: false }
policy: { zones: [] }
state: { dir: "$TMP/state" }
log: { level: warn }
EOF
    MALLOC_MMAP_THRESHOLD_=131072 "${PINNED[@]}" "$SERVER_CPU" node --no-parallel-scavenge dist/cli/main.js serve --config "$TMP/stopzone.yaml" >"$TMP/server.log" 2>&1 &
  fi
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_ready "$SERVER_PORT" "$SERVER_PID" "$TMP/server.log"
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_mib() { awk '$1 == "VmRSS:" { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

declare -A QPS CPU_US RSS LOST
run=0
for round in $(seq "$ROUNDS"); do
  order=$SERVERS
  (( round % 2 == 0 )) && order=$(echo "$SERVERS" | tr ' ' '\n' | tac | tr '\n' ' ')
  for server in $order; do
    start_server "$server"
    "${PINNED[@]}" "$LOAD_CPU" dnsperf -s "$ADDR" -p "$SERVER_PORT" -m "$TRANSPORT" -d "$TMP/fixed.txt" -n 1 -l 10 -c 8 -q 20 >"$TMP/warm.txt" 2>&1 || { cat "$TMP/warm.txt" >&2; die "warm-up of $server failed"; }
    # Each run takes its own slice of the query file: unique names stay unique across runs.
    sed -n "$((run * SECONDS_PER_RUN * 250000 + 1)),$(((run + 1) * SECONDS_PER_RUN * 250000))p" "$TMP/queries-all.txt" >"$TMP/queries.txt"
    run=$((run + 1))
    before=$(cpu_ticks "$SERVER_PID")
    "${PINNED[@]}" "$LOAD_CPU" dnsperf -s "$ADDR" -p "$SERVER_PORT" -m "$TRANSPORT" -d "$TMP/queries.txt" -n 1 -l "$SECONDS_PER_RUN" -c "$CLIENTS" -q "$OUTSTANDING" -t 2 >"$TMP/run.txt" 2>&1 || { cat "$TMP/run.txt" >&2; die "dnsperf against $server failed"; }
    after=$(cpu_ticks "$SERVER_PID")
    completed=$(awk '/Queries completed:/ { print $3 }' "$TMP/run.txt")
    QPS[$server]+="$(awk '/Queries per second:/ { printf "%.0f", $4 }' "$TMP/run.txt") "
    LOST[$server]+="$(awk '/Queries lost:/ { print $3 }' "$TMP/run.txt") "
    CPU_US[$server]+="$(awk -v t=$((after - before)) -v n="$completed" 'BEGIN { printf "%.1f", t * 10000 / n }') "
    RSS[$server]+="$(rss_mib "$SERVER_PID") "
    printf 'round %d  %-11s %8s qps  lost %-6s %6s us CPU/query  RSS %s MiB\n' "$round" "$server" \
      "$(echo "${QPS[$server]}" | awk '{ print $NF }')" "$(echo "${LOST[$server]}" | awk '{ print $NF }')" \
      "$(echo "${CPU_US[$server]}" | awk '{ print $NF }')" "$(echo "${RSS[$server]}" | awk '{ print $NF }')"
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    PIDS=("${PIDS[@]/$SERVER_PID/}")
  done
done

echo
echo "== medians of $ROUNDS rounds: dnsperf -m $TRANSPORT -l $SECONDS_PER_RUN -c $CLIENTS -q $OUTSTANDING, miss share ${BENCH_MISS_SHARE:-0.1}; servers on CPU $SERVER_CPU, dnsperf and NSD on CPU $LOAD_CPU =="
declare -A MEDIAN
for server in $SERVERS; do
  MEDIAN[$server]=$(echo "${QPS[$server]}" | tr ' ' '\n' | grep . | median)
  printf '%-11s %8s qps  lost %s  %s us CPU/query  RSS %s MiB\n' "$server" "${MEDIAN[$server]}" "$(echo "${LOST[$server]}" | tr ' ' '\n' | grep . | median)" \
    "$(echo "${CPU_US[$server]}" | tr ' ' '\n' | grep . | median)" "$(echo "${RSS[$server]}" | tr ' ' '\n' | grep . | median)"
done
for n in 1 2; do
  if [[ -n "${MEDIAN[stopzone-$n]:-}" && -n "${MEDIAN[unbound-$n]:-}" ]]; then
    awk -v s="${MEDIAN[stopzone-$n]}" -v u="${MEDIAN[unbound-$n]}" -v n="$n" 'BEGIN { printf "ratio     stopzone-%d / unbound-%d = %.3f\n", n, n, s / u }'
  fi
done

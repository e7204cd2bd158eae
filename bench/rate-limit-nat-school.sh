#!/usr/bin/env bash
# Scenario: a school of 2,000 devices behind one NAT address uses Stopzone at a busy rate, 3 queries a second
# each (6,000 a second from one address), with a lesson-start burst on top: 500 devices loading a page at
# once, 40 queries each (20,000 queries in 2 s). A second, normal client asks 200 a second from another /24.
# Stopzone has the default rate limit (10,000/s per /24, burst 20,000, slip 2).
#
# Hypothesis: the default limit never touches the school (no query dropped or slipped), and the normal
# client's latencies stay close to those with the school absent.
#
# Phases (each at most 30 s): 1. the normal client alone; 2. the school (steady, and the burst in the middle)
# with the normal client. The school's queries are the realistic mix of bench/forwarder-vs-unbound.sh: 90 %
# names already cached, 10 % names never seen (forwarded to NSD). Loopback only: the school sends from
# 127.0.1.1 (dnsperf -c 2000: 2,000 sockets, one address, as behind a NAT), the normal client from 127.0.2.1;
# loopback's default exemption is removed (exempt: []). Stopzone has CPU 1 to itself; dnsperf and NSD share
# CPU 0. Knobs (environment, optional):
#   BENCH_SECONDS=20       seconds of the school phase (at most 30)
#   BENCH_DEVICES=2000     dnsperf -c for the school
#   BENCH_DEVICE_QPS=3     queries a second per device
#   BENCH_NICE=-10       niceness of every process started (as root: keeps other jobs off the pinned CPUs)
#   BENCH_SKIP_BUILD=1     do not run `npm run build` first
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH=$ROOT/node_modules/.bin:$PATH   # the pinned Node 24 (README, "Which Node"), as npm scripts have it
OUT_DIR=$ROOT/bench/out
SECONDS_PER_PHASE=${BENCH_SECONDS:-20}
DEVICES=${BENCH_DEVICES:-2000}
DEVICE_QPS=${BENCH_DEVICE_QPS:-3}
SCHOOL_QPS=$((DEVICES * DEVICE_QPS))
BURST_DEVICES=500
BURST_QUERIES=20000 # 500 devices x 40 queries
BURST_SECONDS=2
NORMAL_QPS=200
NSD_PORT=55330
STOPZONE_PORT=55331
ADMIN_PORT=55332
SERVER_CPU=1
LOAD_CPU=0
SCHOOL=127.0.1.1
NORMAL=127.0.2.1
source "$ROOT/bench/lib/loopback.sh"

rate_limit_preflight

start_nsd
write_queries $((SCHOOL_QPS * SECONDS_PER_PHASE + BURST_QUERIES + 10000))
# The burst reads its own unique names, so that it does not repeat the school's.
head -n "$BURST_QUERIES" "$TMP/mix.txt" | sed 's/^u\([0-9]*\)\.miss/b\1.miss/' >"$TMP/burst.txt"
STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT_DIR"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

start_stopzone "rateLimit: { exempt: [] }"
echo "phase 1/2: the normal client alone"
ALONE=$(normal_client $((SECONDS_PER_PHASE - 2)) "$NORMAL_QPS" "$NORMAL" "$OUT_DIR/$STAMP-school-alone-normal.txt")

echo "phase 2/2: $DEVICES devices at $DEVICE_QPS qps each from $SCHOOL, a burst of $BURST_QUERIES queries in ${BURST_SECONDS} s in the middle"
BEFORE=$(scrape_counts)
"${PINNED[@]}" "$LOAD_CPU" dnsperf -s "$ADDR" -p "$STOPZONE_PORT" -a "$SCHOOL" -d "$TMP/mix.txt" -n 1 -c "$DEVICES" -q 10000 -Q "$SCHOOL_QPS" \
  -l "$SECONDS_PER_PHASE" -t 2 -O suppress=timeout >"$OUT_DIR/$STAMP-school-steady.txt" 2>&1 &
STEADY_PID=$!
sleep 1
normal_client $((SECONDS_PER_PHASE - 2)) "$NORMAL_QPS" "$NORMAL" "$OUT_DIR/$STAMP-school-with-normal.txt" >"$TMP/with.txt" &
NORMAL_PID=$!
sleep $((SECONDS_PER_PHASE / 2 - 1))
"${PINNED[@]}" "$LOAD_CPU" dnsperf -s "$ADDR" -p "$STOPZONE_PORT" -a "$SCHOOL" -d "$TMP/burst.txt" -n 1 -c "$BURST_DEVICES" -q 10000 \
  -Q $((BURST_QUERIES / BURST_SECONDS)) -l $((BURST_SECONDS + 1)) -t 2 -O suppress=timeout >"$OUT_DIR/$STAMP-school-burst.txt" 2>&1 || true
wait "$STEADY_PID" || true
wait "$NORMAL_PID"
WITH=$(cat "$TMP/with.txt")
AFTER=$(scrape_counts)
kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/stopzone.log" >&2; die "Stopzone died"; }
stop_stopzone
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

school_line() { awk '/Queries sent:/ { s = $3 } /Queries completed:/ { c = $3 } /Queries lost:/ { l = $3 } /Run time/ { t = $4 } /Average Latency/ { a = $4 * 1000 } END { printf "sent %d (%.0f/s), completed %d, lost %d, avg latency %.2f ms", s, s / t, c, l, a }' "$1"; }
{
  echo
  echo "== A school: $DEVICES devices at $DEVICE_QPS qps through one address ($SCHOOL), a burst of $BURST_QUERIES in $BURST_SECONDS s; a normal client at $NORMAL_QPS qps ($NORMAL); default rate limit =="
  echo "school: dnsperf -a $SCHOOL -c $DEVICES -q 10000 -Q $SCHOOL_QPS -l $SECONDS_PER_PHASE -t 2 (90 % cached names, 10 % unique); burst: -c $BURST_DEVICES -Q $((BURST_QUERIES / BURST_SECONDS)), $BURST_QUERIES queries"
  echo "niceness ${BENCH_NICE:-0}; load average before ${LOAD_BEFORE}, after ${LOAD_AFTER} (the machine is shared)"
  printf '%-22s | %s\n' "normal client" "sent answered lost, p50 p99 max (ms)"
  printf '%-22s | %s\n' "  school absent" "$ALONE"
  printf '%-22s | %s\n' "  with the school" "$WITH"
  printf '%-22s | %s\n' "school, steady" "$(school_line "$OUT_DIR/$STAMP-school-steady.txt")"
  printf '%-22s | %s\n' "school, burst" "$(school_line "$OUT_DIR/$STAMP-school-burst.txt")"
  printf '%-22s | %s\n' "Stopzone (UDP)" "$(paste <(echo "$BEFORE") <(echo "$AFTER") | awk '{ d[$1] = $4 - $2 } END { printf "queries answered %d, slipped %d, dropped %d", d["answered"], d["slipped"], d["dropped"] }')"
  echo "raw dnsperf output: $OUT_DIR/$STAMP-school-*"
} | tee "$OUT_DIR/$STAMP-school-summary.txt"

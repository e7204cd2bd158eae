#!/usr/bin/env bash
# Shared by the shell benchmarks (source it; it is not a scenario): NSD as the loopback upstream, Stopzone
# started with extra YAML, readiness checks, dnsperf summaries, and a trap that kills every process started.
# Everything listens on 127.0.0.1 only; callers set NSD_PORT, STOPZONE_PORT, ADMIN_PORT, SERVER_CPU, LOAD_CPU.

ADDR=127.0.0.1           # loopback only, by design
FIXED_NAMES=300          # host001..host300.bench.test, each with A and AAAA

# No inherited STOPZONE_* override may point Stopzone anywhere but the loopback NSD.
for variable in $(compgen -e | grep '^STOPZONE_' || true); do unset "$variable"; done
export PATH=$PATH:/usr/sbin

die() { echo "bench: $*" >&2; exit 1; }

# "${PINNED[@]}" CPU command...: runs the command on that CPU at niceness $BENCH_NICE (0 by default; a negative
# value, as root, keeps other jobs on a shared machine off the pinned CPUs, as a dedicated server would have
# them). An array, not a function: nice and taskset exec the command, so $! of a background job is its PID.
PINNED=(nice -n "${BENCH_NICE:-0}" taskset -c)

need() {
  local command=$1 package=$2
  command -v "$command" >/dev/null 2>&1 || die "$command not found: install the Debian package $package"
}

port_free() {
  [[ -z "$(ss -Hlnu "sport = :$1")" && -z "$(ss -Hlnt "sport = :$1")" ]]
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/stopzone-bench.XXXXXX")
PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    [[ -n "$pid" ]] || continue
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits until $ADDR:$1 answers host001.bench.test; $2 is the PID that must stay alive, $3 its log.
wait_ready() {
  local port=$1 pid=$2 log=$3
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "the server on port $port exited during start-up (log above)"; }
    if dig +time=1 +tries=1 +short -p "$port" @"$ADDR" host001.bench.test A 2>/dev/null | grep -q '^192\.0\.2\.'; then return 0; fi
    sleep 0.05
  done
  cat "$log" >&2
  die "the server on port $port did not answer host001.bench.test within 100 tries (log above)"
}

# NSD, authoritative for bench.test: $FIXED_NAMES names with A and AAAA, and *.miss.bench.test for unique names.
start_nsd() {
  mkdir -p "$TMP/nsd"
  awk -v n="$FIXED_NAMES" 'BEGIN {
    print "$ORIGIN bench.test."
    print "$TTL 3600"
    print "@ IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 3600"
    print "@ IN NS ns"
    print "ns IN A 127.0.0.1"
    for (i = 1; i <= n; i++) {
      printf "host%03d IN A 192.0.2.%d\n", i, i % 250 + 1
      printf "host%03d IN AAAA 2001:db8::%x\n", i, i
    }
    print "*.miss IN A 192.0.2.254"
    print "*.miss IN AAAA 2001:db8::ffff"
  }' >"$TMP/nsd/bench.test.zone"
  cat >"$TMP/nsd/nsd.conf" <<CONF
server:
  ip-address: $ADDR
  port: $NSD_PORT
  username: ""
  chroot: ""
  database: ""
  zonesdir: "$TMP/nsd"
  pidfile: "$TMP/nsd/nsd.pid"
  xfrdfile: "$TMP/nsd/xfrd.state"
  zonelistfile: "$TMP/nsd/zone.list"
  xfrdir: "$TMP/nsd"
  verbosity: 0
  server-count: 1
  # NSD's own rate limiting off: every forwarded miss comes from 127.0.0.1.
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "bench.test"
  zonefile: "bench.test.zone"
CONF
  "${PINNED[@]}" "$LOAD_CPU" nsd -d -c "$TMP/nsd/nsd.conf" >"$TMP/nsd.log" 2>&1 &
  PIDS+=($!)
  wait_ready "$NSD_PORT" "${PIDS[-1]}" "$TMP/nsd.log"
}

# Query files: fixed.txt (every fixed name once per type) and mix.txt ($1 lines: 90 % fixed names, 10 % unique
# names under miss.bench.test, never repeated).
write_queries() {
  awk -v n="$FIXED_NAMES" 'BEGIN { for (i = 1; i <= n; i++) { printf "host%03d.bench.test A\nhost%03d.bench.test AAAA\n", i, i } }' >"$TMP/fixed.txt"
  awk -v n="$FIXED_NAMES" -v lines="$1" 'BEGIN {
    srand(20261206)
    for (i = 1; i <= lines; i++) {
      if (rand() < 0.1) printf "u%d.miss.bench.test %s\n", i, (i % 2 ? "A" : "AAAA")
      else printf "host%03d.bench.test %s\n", int(rand() * n) + 1, (rand() < 0.5 ? "A" : "AAAA")
    }
  }' >"$TMP/mix.txt"
}

# Starts Stopzone on $STOPZONE_PORT (CPU $SERVER_CPU) with the extra YAML in $1, and warms its cache with the
# fixed names; sets SERVER_PID. Builds first unless BENCH_SKIP_BUILD=1 (once per run).
start_stopzone() {
  if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
    (cd "$ROOT" && npm run build --silent) >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; die "npm run build failed (log above)"; }
    BENCH_SKIP_BUILD=1
  fi
  cat >"$TMP/stopzone.yaml" <<CONF
listen: { addresses: ["$ADDR"], port: $STOPZONE_PORT }
upstreams: ["$ADDR:$NSD_PORT"]
admin: { listen: ["$ADDR:$ADMIN_PORT"] }
stopPage: { enabled: false }
log: { level: warn }
$1
CONF
  MALLOC_MMAP_THRESHOLD_=131072 "${PINNED[@]}" "$SERVER_CPU" node --no-parallel-scavenge "$ROOT/dist/cli/main.js" serve --config "$TMP/stopzone.yaml" >"$TMP/stopzone.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_ready "$STOPZONE_PORT" "$SERVER_PID" "$TMP/stopzone.log"
  "${PINNED[@]}" "$LOAD_CPU" dnsperf -s "$ADDR" -p "$STOPZONE_PORT" -d "$TMP/fixed.txt" -n 1 -c 1 -q 20 -l 10 >"$TMP/warm.txt" 2>&1 || { cat "$TMP/warm.txt" >&2; die "warm-up failed"; }
}

stop_stopzone() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  PIDS=("${PIDS[@]/$SERVER_PID/}")
}

# CPU seconds (user + system) process $1 has used so far.
cpu_seconds() {
  awk -v tck="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / tck }' "/proc/$1/stat"
}

# Prints "name value" for Stopzone's rate-limit and query counters, from /metrics.
scrape_counts() {
  curl -s "http://$ADDR:$ADMIN_PORT/metrics" | awk '
    /^stopzone_rate_limited_total\{action="dropped"\}/ { dropped = $2 }
    /^stopzone_rate_limited_total\{action="slipped"\}/ { slipped = $2 }
    /^stopzone_queries_total\{transport="udp"/ { answered += $2 }
    END { printf "dropped %d\nslipped %d\nanswered %d\n", dropped, slipped, answered }'
}

# Runs the measured "normal client": $1 seconds at $2 qps from local address $3, one socket, cached names,
# verbose, so that every answer's latency is kept; writes $4 and prints "sent answered lost p50 p99 max" (ms).
normal_client() {
  local seconds=$1 qps=$2 from=$3 out=$4
  "${PINNED[@]}" "$LOAD_CPU" dnsperf -s "$ADDR" -p "$STOPZONE_PORT" -a "$from" -d "$TMP/fixed.txt" -c 1 -q 100 -Q "$qps" -l "$seconds" -t 2 -v -O suppress=timeout >"$out" 2>&1 ||
    { tail -20 "$out" >&2; die "the normal client's dnsperf failed"; }
  awk '/^> / { printf "%.3f\n", $NF * 1000 }' "$out" | sort -n >"$out.latencies"
  local sent lost
  sent=$(awk '/Queries sent:/ { print $3 }' "$out")
  lost=$(awk '/Queries lost:/ { print $3 }' "$out")
  awk -v sent="$sent" -v lost="$lost" '
    { lat[++n] = $1 }
    function at(share,   i) { i = int(n * share); if (i < n * share) i++; if (i < 1) i = 1; return lat[i] }
    END { printf "%d %d %d %.3f %.3f %.3f\n", sent, n, lost, (n ? at(0.5) : 0), (n ? at(0.99) : 0), (n ? lat[n] : 0) }' "$out.latencies"
}

# The rate-limit benches' checks before they start: a short phase, the tools they run, their ports free.
rate_limit_preflight() {
  ((SECONDS_PER_PHASE <= 30)) || die "BENCH_SECONDS is at most 30"
  for tool in nsd:nsd dnsperf:dnsperf dig:bind9-dnsutils taskset:util-linux ss:iproute2 curl:curl; do need "${tool%%:*}" "${tool#*:}"; done
  for port in $NSD_PORT $STOPZONE_PORT $ADMIN_PORT; do port_free "$port" || die "port $port is in use (ss -lntup | grep $port)"; done
}

# write_unbound_conf THREADS PORT [SERVER LINES...]: $TMP/unbound/unbound.conf for Unbound as the baseline, a plain
# caching forwarder of the loopback NSD ($NSD_PORT) with THREADS threads on $ADDR:PORT, each further argument one
# more line of its server: clause. bench/lib/unbound.ts writes the same for the TypeScript benchmarks.
write_unbound_conf() {
  local threads=$1 port=$2 line
  shift 2
  mkdir -p "$TMP/unbound"
  {
    echo "server:"
    echo "  num-threads: $threads"
    for line in "$@"; do echo "  $line"; done
    cat <<EOF
  interface: $ADDR
  port: $port
  interface-automatic: no
  do-not-query-localhost: no
  module-config: "iterator"
  chroot: ""
  username: ""
  directory: "$TMP/unbound"
  pidfile: "$TMP/unbound/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 0
  # RFC 6761 makes test. a default local zone in Unbound; the benchmark's names live under it.
  local-zone: "test." nodefault
remote-control:
  control-enable: no
forward-zone:
  name: "."
  forward-addr: $ADDR@$NSD_PORT
EOF
  } >"$TMP/unbound/unbound.conf"
}

# write_bench_queries SEED LINES FILE: $TMP/fixed.txt, every fixed name once per type (the warm-up), and FILE,
# LINES queries of which a share BENCH_MISS_SHARE (0.1) are unique names under miss.bench.test, never repeated
# (cache misses, forwarded to NSD), and the rest fixed names (cache hits once warmed), A or AAAA; seeded.
write_bench_queries() {
  local seed=$1 lines=$2 file=$3
  awk -v n="$FIXED_NAMES" 'BEGIN { for (i = 1; i <= n; i++) { printf "host%03d.bench.test A\nhost%03d.bench.test AAAA\n", i, i } }' >"$TMP/fixed.txt"
  awk -v n="$FIXED_NAMES" -v lines="$lines" -v miss="${BENCH_MISS_SHARE:-0.1}" -v seed="$seed" 'BEGIN {
    srand(seed)
    for (i = 1; i <= lines; i++) {
      if (rand() < miss) printf "u%d.miss.bench.test %s\n", i, (i % 2 ? "A" : "AAAA")
      else printf "host%03d.bench.test %s\n", int(rand() * n) + 1, (rand() < 0.5 ? "A" : "AAAA")
    }
  }' >"$file"
}

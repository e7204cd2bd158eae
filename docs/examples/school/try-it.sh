#!/usr/bin/env bash
# Tries the school config on this machine, at any hour you name, without touching the network: NSD on
# 127.0.0.1:5301 stands in for the upstream resolvers, Stopzone answers on 127.0.0.1:5300 with its clock set by
# faketime, and dig asks from 127.0.0.2 (a student), 127.0.0.3 (staff) and 127.0.0.4 (a guest).
#
#   bash docs/examples/school/try-it.sh "2026-12-07 10:00:00"     # a Monday lesson (times are UTC; London is UTC+0 in December)
#
# Needs the Debian packages nsd, bind9-dnsutils (dig) and faketime, and `npm run build` done once.
# Shown in docs/school.md.
set -euo pipefail
AT=${1:-"2026-12-07 10:00:00"}
shift || true
NAMES=("${@:-roblox.com www.google.com abuse.example netflix.com}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
# The project's pinned Node (24, from npm install), as npm scripts have it; NSD lives in /usr/sbin.
export PATH=$ROOT/node_modules/.bin:$PATH:/usr/sbin
for tool in nsd dig faketime; do command -v "$tool" >/dev/null || { echo "try-it: $tool not found (apt-get install nsd bind9-dnsutils faketime)" >&2; exit 1; }; done
[[ -f "$ROOT/dist/cli/main.js" ]] || { echo "try-it: run npm install and npm run build first" >&2; exit 1; }
for variable in $(compgen -e | grep '^STOPZONE_' || true); do unset "$variable"; done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/stopzone-school.XXXXXX")
PIDS=()
# Each server runs in a process group of its own (setsid), so that faketime's child goes with it.
# Stopzone is stopped through faketime's child: signalled itself, faketime leaves its shared memory and semaphore
# in /dev/shm, and a later run whose faketime gets the same pid fails ("sem_open: File exists"); when its child
# ends, it removes them and exits.
stop_stopzone() {
  pkill -TERM -P "${PIDS[1]}" 2>/dev/null || true
  # Wait for the whole group: the node faketime runs ends once it has written the block log.
  for _ in $(seq 100); do kill -0 -- -"${PIDS[1]}" 2>/dev/null || return 0; sleep 0.1; done
  kill -- -"${PIDS[1]}" 2>/dev/null || true
}
trap '((${#PIDS[@]} > 1)) && stop_stopzone; for pid in "${PIDS[@]}"; do kill -- -"$pid" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$TMP"' EXIT

# The stand-in upstream: authoritative for the root, so it answers every name below with long TTLs.
cat > "$TMP/root.zone" <<'ZONE'
$TTL 3600
.                           SOA ns.test. hostmaster.test. 1 3600 600 86400 3600
.                           NS  ns.test.
roblox.com.                 A   192.0.2.10
www.roblox.com.             A   192.0.2.10
www.google.com.             A   192.0.2.20
forcesafesearch.google.com. A   192.0.2.21
abuse.example.              A   192.0.2.30
netflix.com.                A   192.0.2.40
wikipedia.org.              A   192.0.2.50
ZONE
cat > "$TMP/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@5301
  zonesdir: "$TMP"
  pidfile: "$TMP/nsd.pid"
  username: ""
  database: ""
  xfrdfile: "$TMP/xfrd.state"
  zonelistfile: "$TMP/zone.list"
zone:
  name: "."
  zonefile: "root.zone"
CONF
setsid nsd -d -c "$TMP/nsd.conf" >"$TMP/nsd.log" 2>&1 &
PIDS+=($!)

# Stopzone with the school config, its listeners and upstreams moved to loopback by environment variables.
STOPZONE_LISTEN_ADDRESSES=127.0.0.1 STOPZONE_LISTEN_PORT=5300 STOPZONE_UPSTREAMS=127.0.0.1:5301 \
STOPZONE_STOP_PAGE_ADDRESSES=127.0.0.1 STOPZONE_STOP_PAGE_HTTP=127.0.0.1:8080 STOPZONE_STOP_PAGE_HTTPS=127.0.0.1:8443 \
STOPZONE_ADMIN_LISTEN=127.0.0.1:9154 STOPZONE_STATE_DIR="$TMP/state" \
  setsid faketime "$AT" node "$ROOT/dist/cli/main.js" serve --config "$HERE/stopzone.yaml" >"$TMP/stopzone.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  kill -0 "${PIDS[1]}" 2>/dev/null || break
  grep -q '"msg":"stopzone serving"' "$TMP/stopzone.log" 2>/dev/null && dig +short +time=1 +tries=1 -p 5301 @127.0.0.1 wikipedia.org | grep -q 192 && break
  sleep 0.1
done
grep -q '"msg":"stopzone serving"' "$TMP/stopzone.log" || { grep -v '"msg":"policy zone loaded"' "$TMP/stopzone.log" >&2; exit 1; }

echo "Stopzone's clock: $AT UTC"
for name in ${NAMES[*]}; do
  for client in 127.0.0.2:student 127.0.0.3:staff 127.0.0.4:guest; do
    echo
    echo "\$ dig -b ${client%%:*} -p 5300 @127.0.0.1 $name      # ${client##*:}"
    dig -b "${client%%:*}" -p 5300 @127.0.0.1 "$name" +noall +answer +comments | grep -E 'status:|EDE|IN\s+(A|CNAME)\s' || true
  done
done
echo
echo "Block log (one JSON line per block):"
# The block log is written in batches: stop Stopzone (SIGTERM flushes it), then read it.
stop_stopzone
grep -E '"msg":"(blocked|would block|passthru)"' "$TMP/stopzone.log" || echo "(none)"

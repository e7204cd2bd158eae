#!/usr/bin/env bash
# Builds the Dockerfile with rootful Podman (these machines have no Docker
# engine and no container registry), runs the image as an admin would, and
# checks what the admin relies on. Run as root from anywhere; adapted from
# ../shared/container-ci/container-check.sh (its README explains each Podman
# setting below). Prints 'container: N passed, N failed'; exits 1 if any failed.
#
# Network safety: the container shares the host's network (--network host,
# never a bridge or -p port maps), and every address it uses is on loopback:
# its DNS, stop page and admin listeners are moved to 127.0.0.1 by environment
# variables, and its only upstream is .ci/loopback-upstream.mjs on 127.0.0.1
# (the shipped default upstreams are public resolvers: never let a run use them).
# Its zones are files; none is downloaded or transferred.
#
# Env: NODE_MAJOR (24), BASE (the stand-in base image), IMAGE, NAME.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
NODE_MAJOR=${NODE_MAJOR:-24}
BASE=${BASE:-localhost/node-base:${NODE_MAJOR}}
IMAGE=${IMAGE:-localhost/stopzone:ci}
NAME=${NAME:-stopzone-ci}
STOP_PAGE_ADDRESS=127.0.0.1   # what blocked names must resolve to in this run
STARTED=$SECONDS
PASS=0 FAIL=0
WORK=$(mktemp -d /tmp/stopzone-container.XXXXXX)
UPSTREAM_PID=
ok()    { PASS=$((PASS+1)); echo "ok   - $*"; }
bad()   { FAIL=$((FAIL+1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
step()  { echo "== [$(date +%T)] $*"; }
# Podman without systemd cannot set up the health check's timer; the message is harmless noise.
quiet() { grep -v 'systemd connection' >&2; }
finish() {
  podman rm -f -v -t 0 "$NAME" >/dev/null 2>&1
  [ -z "$UPSTREAM_PID" ] || kill "$UPSTREAM_PID" 2>/dev/null
  # No `podman image prune`: the untagged build-stage image is the layer cache that makes a rerun take seconds.
  rm -rf "$WORK" "${CONTAINERS_CONF:-}"
  echo "container check took $((SECONDS - STARTED)) s"
  echo "container: $PASS passed, $FAIL failed"
  [ "$FAIL" -eq 0 ]
}
abort() { bad "$*"; finish; exit 1; }

step "tools (podman, runc, debootstrap from Debian)"
if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v debootstrap >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman runc debootstrap >/dev/null \
    || abort "apt-get install podman runc debootstrap"
fi
command -v dig >/dev/null && command -v curl >/dev/null || abort "dig and curl on the host (.ci/run installs bind9-dnsutils)"
[ -d "$ROOT/node_modules/dns-packet" ] || abort "node_modules (run npm install first: the loopback upstream uses dns-packet)"

# runc, not crun (cgroups in hybrid mode); rlimits this machine may set; host network.
CONTAINERS_CONF=$(mktemp /tmp/containers.conf.XXXXXX); export CONTAINERS_CONF
printf '%s\n' '[containers]' 'default_ulimits = ["nofile=8192:8192", "nproc=4096:4096"]' 'netns = "host"' \
  '[engine]' 'runtime = "runc"' >"$CONTAINERS_CONF"

step "base image $BASE"
if podman image exists "$BASE"; then ok "base image present (cached)"
elif "$HERE/build-node-base.sh" "$NODE_MAJOR" "$BASE"; then ok "base image built"
else abort "base image build"; fi

step "build $IMAGE"
# --format docker keeps HEALTHCHECK (the OCI format drops it); --network host lets RUN reach npm and Debian.
podman build --pull=never --format docker --network host --build-arg BASE="$BASE" -t "$IMAGE" "$ROOT" >"$WORK/build.log" 2>&1 \
  || { tail -30 "$WORK/build.log"; abort "image builds"; }
ok "image builds ($(podman image inspect "$IMAGE" --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}'))"
inspect() { podman image inspect "$IMAGE" --format "$1"; }
image_node=$(podman run --rm --network host --entrypoint node "$IMAGE" --version 2> >(quiet))
check "runs Node $NODE_MAJOR ($image_node)" grep -q "^v$NODE_MAJOR\." <<<"$image_node"
user=$(inspect '{{.Config.User}}')
case "$user" in ""|0|root|0:*|root:*) bad "runs as a non-root user (got '$user')";; *) ok "runs as non-root user '$user'";; esac
ports=$(inspect '{{json .Config.ExposedPorts}}')
missing=$(for port in 53/udp 53/tcp 80/tcp 443/tcp 9153/tcp; do [[ $ports == *"\"$port\""* ]] || echo -n "$port "; done)
check "exposes 53/udp 53/tcp 80/tcp 443/tcp 9153/tcp${missing:+ (missing: $missing)}" test -z "$missing"
health=$(inspect '{{json .HealthCheck.Test}}')
check "HEALTHCHECK in exec form runs stopzone healthcheck ($health)" grep -q '^\["CMD","node",.*"healthcheck"' <<<"$health"
volumes=$(inspect '{{json .Config.Volumes}}')
check "volumes /etc/stopzone and /var/lib/stopzone" grep -q '"/etc/stopzone".*"/var/lib/stopzone"\|"/var/lib/stopzone".*"/etc/stopzone"' <<<"$volumes"

# Every run: listeners on loopback, the loopback upstream, never the shipped public resolvers.
step "loopback upstream"
node "$HERE/loopback-upstream.mjs" >"$WORK/upstream.log" 2>&1 &
UPSTREAM_PID=$!
for _ in $(seq 1 50); do grep -q '^port ' "$WORK/upstream.log" && break; sleep 0.1; done
UPSTREAM_PORT=$(sed -n 's/^port //p' "$WORK/upstream.log")
[ -n "$UPSTREAM_PORT" ] || abort "loopback upstream starts ($(cat "$WORK/upstream.log"))"
free_port() { node -e 'const s=require("node:net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
# Port 53 when nothing holds it on 127.0.0.1 (UDP and TCP): it proves the non-root bind. Else a free port.
port_free() {
  node -e 'const p=+process.argv[1],u=require("node:dgram").createSocket("udp4");u.on("error",()=>process.exit(1));
    u.bind(p,"127.0.0.1",()=>{const t=require("node:net").createServer();t.on("error",()=>process.exit(1));
    t.listen(p,"127.0.0.1",()=>{t.close();u.close()})})' "$1"
}
if port_free 53; then DNS_PORT=53; else DNS_PORT=$(free_port); fi
HTTP_PORT=$(free_port) HTTPS_PORT=$(free_port) ADMIN_PORT=$(free_port)
loopback_env=(
  -e STOPZONE_UPSTREAMS="127.0.0.1:$UPSTREAM_PORT"
  -e STOPZONE_LISTEN_ADDRESSES=127.0.0.1 -e STOPZONE_LISTEN_PORT="$DNS_PORT"
  -e STOPZONE_STOP_PAGE_HTTP="127.0.0.1:$HTTP_PORT" -e STOPZONE_STOP_PAGE_HTTPS="127.0.0.1:$HTTPS_PORT"
  -e STOPZONE_ADMIN_LISTEN="127.0.0.1:$ADMIN_PORT"
)
echo "upstream 127.0.0.1:$UPSTREAM_PORT; container: dns 127.0.0.1:$DNS_PORT, stop page :$HTTP_PORT :$HTTPS_PORT, admin :$ADMIN_PORT"

step "configuration errors stop the container at once (the image's own /etc/stopzone)"
podman run --rm --network host "${loopback_env[@]}" "$IMAGE" >"$WORK/no-address.out" 2>"$WORK/no-address.err"
code=$?
check "without STOPZONE_STOP_PAGE_ADDRESSES: exit $code (78: EX_CONFIG) naming stopzone.yaml:line stopPage.addresses" \
  test "$code" = 78 -a -n "$(grep -E '^stopzone: bad configuration: /etc/stopzone/stopzone\.yaml:[0-9]+: stopPage\.addresses: found a list' "$WORK/no-address.err")"
podman run --rm --network host "${loopback_env[@]}" -e STOPZONE_STOP_PAGE_ADDRESSES="$STOP_PAGE_ADDRESS" -e STOPZONE_LISTEN_PORT=fifty \
  "$IMAGE" >/dev/null 2>"$WORK/bad-port.err"
code=$?
check "a bad variable: exit 78 naming it: $(grep -o 'STOPZONE_LISTEN_PORT ([^;]*' "$WORK/bad-port.err")" \
  test "$code" = 78 -a -n "$(grep -F 'STOPZONE_LISTEN_PORT (listen.port): found "fifty"' "$WORK/bad-port.err")"

step "run $NAME as compose.yaml does: /etc/stopzone copied out of the image and bind-mounted read-only"
mkdir -p "$WORK/etc" "$WORK/state" && chown 1000:1000 "$WORK/state" && chmod 755 "$WORK"
# The command compose.yaml gives (`podman cp` would find the anonymous volume still empty in a created container).
podman run --rm --network host --entrypoint tar "$IMAGE" -cC /etc/stopzone . 2> >(quiet) | tar -xC "$WORK/etc" \
  && [ -f "$WORK/etc/stopzone.yaml" ] && [ -f "$WORK/etc/zones/local.rpz" ] || abort "copy /etc/stopzone out of the image"
podman run -d --name "$NAME" --network host --runtime runc --ulimit nofile=8192:8192 --ulimit nproc=4096:4096 \
  -v "$WORK/etc:/etc/stopzone:ro" -v "$WORK/state:/var/lib/stopzone" \
  "${loopback_env[@]}" -e STOPZONE_STOP_PAGE_ADDRESSES="$STOP_PAGE_ADDRESS" "$IMAGE" >/dev/null 2> >(quiet) \
  || abort "container starts"
ok "container starts"
ask() { dig @127.0.0.1 -p "$DNS_PORT" +time=2 +tries=1 "$@"; }
# The list's name as the shipped config gives it (logName): the EDE and the stop page must show it.
list=$(sed -nE 's/.*name: local\.rpz,.*logName: "([^"]+)".*/\1/p' "$WORK/etc/stopzone.yaml")
for _ in $(seq 1 50); do ask +short allowed.ci.test | grep -q . && break; sleep 0.2; done
pid=$(podman inspect -f '{{.State.Pid}}' "$NAME")
[ "$pid" != 0 ] || { podman logs "$NAME" 2>&1 | tail -20; abort "container still running"; }
check "PID 1 is node itself (exec form, no shell or npm): $(tr '\0' ' ' </proc/"$pid"/cmdline)" \
  grep -qz '^node$' <(head -z -n1 /proc/"$pid"/cmdline)
status=$(grep -E '^(Uid|CapEff):' /proc/"$pid"/status | awk '{print $2}' | paste -sd' ')
# CapEff 0x400 is bit 10, CAP_NET_BIND_SERVICE, from the node binary's file capability.
check "runs as uid 1000 with CAP_NET_BIND_SERVICE only (uid, CapEff: $status)" test "$status" = "1000 0000000000000400"
if [ "$DNS_PORT" = 53 ]; then
  check "binds port 53 (UDP and TCP) on 127.0.0.1 as uid 1000" \
    test "$(ss -Hlnup 'sport = :53' | grep -c "pid=$pid,")" -ge 1 -a "$(ss -Hlntp 'sport = :53' | grep -c "pid=$pid,")" -ge 1
else
  echo "skip - port 53 is taken on this machine: the non-root bind to 53 is not shown (used $DNS_PORT)"
fi

step "health, DNS, stop page, block log, metrics"
healthy=0
for _ in $(seq 1 20); do podman healthcheck run "$NAME" >/dev/null 2>&1 && { healthy=1; break; }; sleep 0.5; done
check "HEALTHCHECK passes (podman healthcheck run)" test $healthy = 1
blocked=$(ask +short blocked.stopzone.test A)
check "blocked name (local.rpz, policy stop-page) answers the stop page address: '$blocked'" test "$blocked" = "$STOP_PAGE_ADDRESS"
check "  with Extended DNS Error 15 naming the list ('$list')" grep -qF "EDE: 15 (Blocked): (Blocked by ${list:-?}" <(ask blocked.stopzone.test A)
answer=$(ask +short allowed.ci.test)
check "allowed name is forwarded to the loopback upstream over UDP: '$answer'" \
  test "$answer" = 192.0.2.7 -a -n "$(grep -x 'query allowed.ci.test A udp' "$WORK/upstream.log")"
answer=$(ask +tcp +short tcp.ci.test)
check "allowed name over TCP, forwarded over TCP: '$answer'" \
  test "$answer" = 192.0.2.7 -a -n "$(grep -x 'query tcp.ci.test A tcp' "$WORK/upstream.log")"
check "bypass guard (bypass-guard.rpz): use-application-dns.net is NXDOMAIN" grep -q 'status: NXDOMAIN' <(ask use-application-dns.net)
check "policy names never reach the upstream" test -z "$(grep -E 'blocked\.stopzone\.test|use-application-dns' "$WORK/upstream.log")"
page=$(curl -s --max-time 5 -w '\n%{http_code}' --resolve "blocked.stopzone.test:$HTTP_PORT:$blocked" "http://blocked.stopzone.test:$HTTP_PORT/")
check "stop page over HTTP at the DNS answer's address: $(tail -n1 <<<"$page"), names the list" \
  test "$(tail -n1 <<<"$page")" = 403 -a -n "$(grep -F "<dd>${list:-?}</dd>" <<<"$page")"
https_start=$SECONDS
curl -s --max-time 5 -o /dev/null --resolve "blocked.stopzone.test:$HTTPS_PORT:127.0.0.1" "https://blocked.stopzone.test:$HTTPS_PORT/"
check "HTTPS without a CA is refused at once (curl exit $?, no hang)" test $((SECONDS - https_start)) -lt 3
# A block's line waits up to 250 ms for more (blockLog's batching), then goes through libuv's pool and podman's
# log: wait for it (at most 5 s) rather than read the log once.
logged() { grep -q '"msg":"blocked".*"qname":"blocked.stopzone.test".*"action":"stop-page"' <(podman logs "$NAME" 2>/dev/null); }
for _ in $(seq 1 25); do logged && break; sleep 0.2; done
check "block log on stdout (podman logs): one JSON line per block" logged
check "metrics on the admin listener count the hit" \
  grep -q '^stopzone_policy_hits_total{zone="local.rpz"' <(curl -s --max-time 5 "http://127.0.0.1:$ADMIN_PORT/metrics")

step "stop with SIGTERM"
stop_start=$SECONDS
podman stop -t 10 "$NAME" >/dev/null 2> >(quiet)
code=$(podman inspect -f '{{.State.ExitCode}}' "$NAME")
check "SIGTERM: exit $code in $((SECONDS - stop_start)) s, not killed after 10 s" test "$code" = 0 -a $((SECONDS - stop_start)) -lt 10
check "  logs 'stopzone stopped' (log flushed before exit)" grep -q '"msg":"stopzone stopped"' <(podman logs "$NAME" 2>/dev/null)
finish

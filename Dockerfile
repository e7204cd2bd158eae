# Stopzone: the DNS forwarder, its stop page and its admin listener in one container.
#
#   docker build -t stopzone .
#   docker run -d --name stopzone -e STOPZONE_STOP_PAGE_ADDRESSES=192.168.1.2 \
#     -p 192.168.1.2:53:53/udp -p 192.168.1.2:53:53/tcp -p 192.168.1.2:80:80 -p 192.168.1.2:443:443 stopzone
# where 192.168.1.2 is this host's LAN address: blocked names resolve to it.
#
# compose.yaml shows the volumes and every choice an admin makes. Classic
# Dockerfile syntax on purpose (no heredocs, no RUN --mount), so that Podman 4.3
# builds it too: .ci/container-check.sh builds it with Podman, runs it and checks it.

# The official Node image; CI passes a locally made stand-in (.ci/build-node-base.sh).
ARG BASE=node:24-bookworm-slim

# ---- build: compile the TypeScript, with the dev dependencies -----------------
FROM ${BASE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the "prepare" script runs the build, and src/ is not copied yet.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies, dist/, the zones and the container config -
FROM ${BASE}
ENV NODE_ENV=production
# glibc keeps what a zone reload frees (the compile thread's arrays) unless
# big blocks are mmap'd: a fixed threshold turns off its sliding one, so the
# memory goes back to the system after each reload (the same setting as
# `npm start`; bench/README.md has the figures).
ENV MALLOC_MMAP_THRESHOLD_=131072

# Port 53 (and the stop page's 80 and 443) as a non-root user: the node binary
# gets the file capability CAP_NET_BIND_SERVICE, and nothing else.
# Why this and not `--sysctl net.ipv4.ip_unprivileged_port_start=53`: a sysctl
# applies only to a container with its own network namespace, while the
# capability works the same on a bridge network, with network_mode: host
# (where no net.* sysctl may be set) and under Kubernetes, with no run flag.
# Node reads its environment normally with this one capability (it treats
# CAP_NET_BIND_SERVICE alone as not privileged). What it costs and requires:
# - a second copy of the node binary in this layer (setcap rewrites the file);
# - the runtime must leave NET_BIND_SERVICE in the container's bounding set,
#   as Docker, Podman and containerd do by default. With `cap_drop: [ALL]`
#   add it back (`cap_add: [NET_BIND_SERVICE]`), or node cannot even start
#   ("operation not permitted"); with `no-new-privileges` the capability is
#   not granted and binding port 53 fails with EACCES: then listen on a high
#   port (STOPZONE_LISTEN_PORT) and publish it as 53.
# libcap2-bin is installed only to run setcap, and removed with apt's lists and
# caches in the same layer (the explicit rm is for bases without Debian's docker-clean).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcap2-bin \
 && setcap cap_net_bind_service=+ep "$(readlink -f "$(command -v node)")" \
 && apt-get purge -y --auto-remove libcap2-bin \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log

WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; --ignore-scripts skips "prepare" (the build, done above).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY stopzone.schema.json ./
# The package's zones/: the embedded defaults (`serve` without --config) load them from here.
COPY zones ./zones

# /etc/stopzone: the configuration and the policy zones, read-only for the server.
# /var/lib/stopzone: last-good copies of downloaded and transferred zones (state.dir) and the event store
# (events.sqlite), written by it.
# The application and the configuration belong to root: the server cannot change its own code or policy.
COPY container/stopzone.yaml /etc/stopzone/stopzone.yaml
COPY zones /etc/stopzone/zones
RUN mkdir -p /var/lib/stopzone && chown node:node /var/lib/stopzone
VOLUME ["/etc/stopzone", "/var/lib/stopzone"]

# The base images' user node, uid 1000.
USER node
EXPOSE 53/udp 53/tcp 80/tcp 443/tcp 9153/tcp

# `stopzone healthcheck` asks the admin listener's /readyz (the slim image has no
# curl): healthy once every required policy zone has loaded. It reads the same
# config and environment as the server, so STOPZONE_ADMIN_LISTEN is honoured.
# start-period: a large feed may take a while to load the first time.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "/app/dist/cli/main.js", "healthcheck", "-c", "/etc/stopzone/stopzone.yaml"]

# node is PID 1 (exec form, no npm, no shell): it receives SIGTERM itself, closes
# the listeners, flushes the log and exits 0. SIGHUP reloads every policy zone.
# --no-parallel-scavenge: V8 would collect the zone compile thread's young
# garbage (a string per token) on its shared helper threads, at normal
# priority, beside the thread answering queries; with it each thread collects
# its own young garbage, and the compile's runs at its low priority. Major
# collections stay concurrent, so their pauses stay short (the same flag as
# `npm start`; bench/README.md has the figures).
ENTRYPOINT ["node", "--no-parallel-scavenge", "/app/dist/cli/main.js"]
CMD ["serve", "-c", "/etc/stopzone/stopzone.yaml"]

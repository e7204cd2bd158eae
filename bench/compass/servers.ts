/**
 * The two servers under test, started side by side for a set of workloads and kept for all its rounds (only the
 * one being measured gets queries; the other is idle): Unbound and Stopzone with the same upstream, the same
 * policy zone file (or none) and the same number of threads (Unbound's num-threads, Stopzone's workers).
 */
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { askUdp } from '../../test/helpers/dns-client.js';
import { freePort } from '../../test/helpers/daemon.js';
import { fixedName } from '../lib/bench-upstream.js';
import { dnsperf } from '../lib/dnsperf.js';
import { ADDR, alive, startPinned, stopProc, type Proc } from '../lib/processes.js';
import { startStopzoneProcess } from '../lib/stopzone-launch.js';
import { startUnbound } from '../lib/unbound.js';
import { BLOCK_LOG, CHALLENGER, EXTRA_YAML, LOAD_CPU, TMP, ZONE } from './settings.js';

/** A running server under test. */
export interface Server {
  /** The baseline, or the challenger: Stopzone, or with BENCH_CHALLENGER=floor the Node floor (settings.ts). */
  readonly kind: 'unbound' | 'stopzone';
  readonly proc: Proc;
  readonly pid: number;
  readonly port: number;
  /** The CPUs it is pinned to (taskset list). */
  readonly cpu: string;
  readonly logPath: string;
  /** From its start to its first NOERROR answer (with a zone: the zone read and in force). */
  readonly readyMs: number;
  /** Stopzone's admin listener ("127.0.0.1:port", where /metrics is); none for Unbound. */
  readonly admin?: string;
}

type Starting = Omit<Server, 'readyMs'> & { readonly startedAt: number };

/** What both servers of a set are given. */
export interface ServerSet {
  readonly label: string;
  readonly threads: number;
  readonly cpu: string;
  /** The policy zone file, or null for a plain forwarder. */
  readonly zoneFile: string | null;
}

/** Starts Unbound, then Stopzone (one at a time: each loads the zone on the CPU the other would use); resolves once both answer. */
export async function startServers(set: ServerSet, upstream: string): Promise<[Server, Server]> {
  const unboundPort = await freePort();
  const rpz = set.zoneFile === null ? {} : { rpz: { name: ZONE, file: set.zoneFile } };
  const startedAt = Date.now();
  const unbound = startUnbound(`unbound ${set.label}`, { port: unboundPort, upstream, threads: set.threads, dir: join(TMP, `unbound-${set.label}`), cpu: set.cpu, ...rpz });
  const first = await ready({ kind: 'unbound', proc: unbound.proc, pid: unbound.proc.child.pid!, port: unboundPort, cpu: set.cpu, logPath: unbound.logPath, startedAt });
  try {
    return [first, await ready(await (CHALLENGER === 'floor' ? startFloor : startStopzone)(set, upstream))];
  } catch (error) {
    await stopProc(first.proc);
    throw error;
  }
}

/** Starts Stopzone alone, as startServers does (bench/solo.ts); resolves once it answers. */
export async function startStopzoneAlone(set: ServerSet, upstream: string): Promise<Server> {
  return ready(await startStopzone(set, upstream));
}

/** Stops both servers. */
export async function stopServers(servers: readonly Server[]): Promise<void> {
  await Promise.all(servers.map((server) => stopProc(server.proc)));
}

async function startStopzone(set: ServerSet, upstream: string): Promise<Starting> {
  const port = await freePort();
  const admin = `${ADDR}:${await freePort()}`;
  const config = join(TMP, `stopzone-${set.label}.yaml`);
  const zone = set.zoneFile === null ? '' : `policy:\n  zones:\n    - { name: ${ZONE}, file: "${set.zoneFile}", log: ${BLOCK_LOG} }\n`;
  // Its own admin port, state directory and no stop page: nothing it opens may clash with other jobs on the machine.
  writeFileSync(
    config,
    `listen: { addresses: ["${ADDR}"], port: ${port} }
upstreams: ["${upstream}"]
log: { level: warn }
stopPage: { enabled: false }
admin: { listen: ["${admin}"] }
state: { dir: "${join(TMP, `state-${set.label}`)}" }
workers: ${set.threads}
${zone}${EXTRA_YAML}
`,
  );
  const logPath = join(TMP, `stopzone-${set.label}.log`);
  const out = openSync(logPath, 'w');
  const startedAt = Date.now();
  const proc = startStopzoneProcess({ name: `stopzone ${set.label}`, cpu: set.cpu, config, output: out });
  closeSync(out);
  return { kind: 'stopzone', proc, pid: proc.child.pid!, port, cpu: set.cpu, logPath, startedAt, admin };
}

/** The Node floor (bench/node-floor/answer-echo.mjs) with `set.threads` threads, relaying unique misses to `upstream`. */
async function startFloor(set: ServerSet, upstream: string): Promise<Starting> {
  const port = await freePort();
  const logPath = join(TMP, `floor-${set.label}.log`);
  const out = openSync(logPath, 'w');
  const startedAt = Date.now();
  const script = join(import.meta.dirname, '..', 'node-floor', 'answer-echo.mjs');
  const proc = startPinned(`node floor ${set.label}`, set.cpu, process.execPath, [script, ADDR, String(port), upstream, String(set.threads)], { out, err: out });
  closeSync(out);
  return { kind: 'stopzone', proc, pid: proc.child.pid!, port, cpu: set.cpu, logPath, startedAt };
}

/** Waits (at most 5 minutes: Unbound reads a 1M-trigger zone in 10-20 s here) until the server answers a fixed name with NOERROR. */
async function ready(server: Starting): Promise<Server> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (!alive(server.proc)) throw new Error(`${server.kind} exited during start-up; its log:\n${tail(server.logPath)}`);
    const reply = await askUdp({ address: ADDR, port: server.port }, fixedName(1), { timeoutMs: 500 }).catch(() => null);
    if (reply?.packet.rcode === 'NOERROR') {
      const { startedAt, ...started } = server;
      return { ...started, readyMs: Date.now() - startedAt };
    }
    if (Date.now() > deadline) throw new Error(`${server.kind} did not answer ${fixedName(1)} with NOERROR within 5 minutes; its log:\n${tail(server.logPath)}`);
    await sleep(100);
  }
}

/** The last 20 lines of a log file. */
export function tail(path: string): string {
  return readFileSync(path, 'utf8').split('\n').slice(-21).join('\n');
}

/** The warm-up of a server: every fixed name once per type, then `mixFile` (unmeasured, a second at full speed: Stopzone's JIT compiles its paths). */
export async function warm(server: Server, fixedFile: string, mixFile: string): Promise<void> {
  const target = ['-s', ADDR, '-p', String(server.port), '-n', '1'];
  await dnsperf({ label: `warm-fixed-${server.kind}-${server.port}`, cpu: LOAD_CPU, dir: TMP, args: [...target, '-d', fixedFile, '-c', '1', '-q', '20', '-l', '10'] });
  await dnsperf({ label: `warm-mix-${server.kind}-${server.port}`, cpu: LOAD_CPU, dir: TMP, args: [...target, '-d', mixFile, '-c', '4', '-q', '200', '-l', '1', '-t', '2'] });
}

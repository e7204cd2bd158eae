/**
 * Scenario: how close to Unbound can a Node.js DNS server come on cache hits at all? Three servers, each alone on
 * CPU 1, take turns (interleaved rounds, the order rotating) answering the same cached names from dnsperf on CPU 0:
 * Unbound 1.17 with one thread (its cache warmed from NSD), Stopzone with one loop as shipped (its cache warmed
 * from the same NSD), and bench/node-floor/answer-echo.mjs: one Node dgram socket answering each query with its own
 * bytes (no decoding, no cache, nothing): the floor of Node's cost per datagram in and out, kernel included.
 *
 * Hypothesis (issue 21's goals: cache hits at least 0.9x Unbound, at most 12 µs of CPU each): the floor is below
 * both, so that what stands between Stopzone and the goals is its own work. Baseline: Unbound, in the same rounds.
 *
 * Run: npx node --import ./test/helpers/ts-resolve.mjs bench/node-floor.ts   (BENCH_SECONDS=10, BENCH_ROUNDS=3)
 * Prints per round and as medians: qps, the ratio to Unbound, CPU µs per query (utime + stime from /proc over the
 * run / answered queries), queries lost. Loopback only; every process it starts is killed when it ends.
 */
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { askUdp } from '../test/helpers/dns-client.js';
import { freePort } from '../test/helpers/daemon.js';
import { fixedName, fixedQueryLines, startBenchNsd } from './lib/bench-upstream.js';
import { dnsperf } from './lib/dnsperf.js';
import { ADDR, alive, benchTmp, die, need, pinSelf, startPinned, stopOnSignal, stopProc, type Proc } from './lib/processes.js';
import { cpuSeconds } from './lib/sampler.js';
import { buildUnlessSkipped, launchLine, startStopzoneProcess } from './lib/stopzone-launch.js';
import { startUnbound } from './lib/unbound.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
if (!Number.isInteger(SECONDS) || SECONDS < 1 || !Number.isInteger(ROUNDS) || ROUNDS < 1) die('BENCH_SECONDS and BENCH_ROUNDS: whole numbers of at least 1');
const SERVER_CPU = '1';
const LOAD_CPU = '0';
const TMP = benchTmp('stopzone-node-floor-');

interface Server {
  readonly name: 'unbound' | 'stopzone' | 'node floor';
  readonly proc: Proc;
  readonly port: number;
}

interface Run {
  readonly qps: number;
  readonly cpuUs: number;
  readonly lost: number;
}

/** Waits until `server` answers the first fixed name with NOERROR (5 minutes at most). */
async function ready(server: Server): Promise<Server> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (!alive(server.proc)) die(`${server.name} exited during start-up (its output: ${TMP})`);
    const reply = await askUdp({ address: ADDR, port: server.port }, fixedName(1), { timeoutMs: 500 }).catch(() => null);
    if (reply?.packet.rcode === 'NOERROR') return server;
    if (Date.now() > deadline) die(`${server.name} did not answer within 5 minutes (its output: ${TMP})`);
    await sleep(100);
  }
}

/** One capacity run of the cached names: dnsperf -q 200 from 4 clients for SECONDS. */
async function capacity(server: Server, queries: string, label: string): Promise<Run> {
  const before = cpuSeconds(server.proc.child.pid!);
  const summary = await dnsperf({ label, cpu: LOAD_CPU, dir: TMP, args: ['-s', ADDR, '-p', String(server.port), '-d', queries, '-n', '1000', '-l', String(SECONDS), '-c', '4', '-q', '200', '-t', '2', '-b', '4096'] });
  const cpu = cpuSeconds(server.proc.child.pid!) - before;
  return { qps: summary.qps, cpuUs: (cpu * 1e6) / summary.completed, lost: summary.lost };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  for (const [command, debianPackage] of [['taskset', 'util-linux'], ['dnsperf', 'dnsperf'], ['nsd', 'nsd'], ['unbound', 'unbound']] as const) need(command, debianPackage);
  pinSelf(LOAD_CPU);
  buildUnlessSkipped();
  const nsd = await startBenchNsd();
  stopOnSignal(nsd.stop);
  const queries = join(TMP, 'cached.txt');
  writeFileSync(queries, `${fixedQueryLines().join('\n')}\n`);
  const servers: Server[] = [];
  try {
    const unboundPort = await freePort();
    servers.push({ name: 'unbound', port: unboundPort, proc: startUnbound('unbound', { port: unboundPort, upstream: nsd.hostPort, threads: 1, dir: join(TMP, 'unbound'), cpu: SERVER_CPU }).proc });
    const stopzonePort = await freePort();
    const config = join(TMP, 'stopzone.yaml');
    // As shipped (its three policy zones, the store, the rate limiter), one loop, nothing else on the machine's ports.
    writeFileSync(config, `listen: { addresses: ["${ADDR}"], port: ${stopzonePort} }\nupstreams: ["${nsd.hostPort}"]\nworkers: 1\nlog: { level: warn }\nstopPage: { enabled: false }\nadmin: { listen: ["${ADDR}:${await freePort()}"] }\nstate: { dir: "${join(TMP, 'state')}" }\n`);
    const out = openSync(join(TMP, 'stopzone.log'), 'w');
    servers.push({ name: 'stopzone', port: stopzonePort, proc: startStopzoneProcess({ name: 'stopzone', cpu: SERVER_CPU, config, output: out }) });
    closeSync(out);
    const floorPort = await freePort();
    servers.push({ name: 'node floor', port: floorPort, proc: startPinned('node floor', SERVER_CPU, process.execPath, [join(import.meta.dirname, 'node-floor', 'answer-echo.mjs'), ADDR, String(floorPort)], { out: 'ignore' }) });
    for (const server of servers) await ready(server);
    // Warm: every cached name once (Unbound and Stopzone fetch them from NSD), then a second at full speed for the JIT.
    for (const server of servers) {
      await dnsperf({ label: `warm-${server.port}`, cpu: LOAD_CPU, dir: TMP, args: ['-s', ADDR, '-p', String(server.port), '-d', queries, '-n', '1', '-c', '1', '-q', '20'] });
      await dnsperf({ label: `jit-${server.port}`, cpu: LOAD_CPU, dir: TMP, args: ['-s', ADDR, '-p', String(server.port), '-d', queries, '-n', '1000', '-l', '1', '-c', '4', '-q', '200'] });
    }
    console.log(`cache hits on CPU ${SERVER_CPU}, dnsperf on CPU ${LOAD_CPU}: -c 4 -q 200 -l ${SECONDS}, ${fixedQueryLines().length} cached names; Stopzone as \`${launchLine()}\`, workers: 1`);
    const runs = new Map<Server['name'], Run[]>(servers.map((s) => [s.name, []]));
    console.log('round  server          qps   ratio  CPU µs/q  lost');
    for (let round = 1; round <= ROUNDS; round++) {
      const order = servers.map((_, i) => servers[(i + round - 1) % servers.length]!);
      const figures = new Map<Server['name'], Run>();
      for (const server of order) figures.set(server.name, await capacity(server, queries, `r${round}-${server.port}`));
      const unbound = figures.get('unbound')!.qps;
      for (const server of servers) {
        const run = figures.get(server.name)!;
        runs.get(server.name)!.push(run);
        console.log(`${String(round).padEnd(6)} ${server.name.padEnd(11)} ${run.qps.toFixed(0).padStart(8)}  ${(run.qps / unbound).toFixed(3).padStart(6)}  ${run.cpuUs.toFixed(1).padStart(8)}  ${String(run.lost).padStart(4)}`);
      }
    }
    const ratio = (name: Server['name']): number => median(runs.get(name)!.map((run, i) => run.qps / runs.get('unbound')![i]!.qps));
    for (const server of servers) {
      const list = runs.get(server.name)!;
      console.log(`median ${server.name.padEnd(11)} ${median(list.map((r) => r.qps)).toFixed(0).padStart(8)}  ${ratio(server.name).toFixed(3).padStart(6)}  ${median(list.map((r) => r.cpuUs)).toFixed(1).padStart(8)}  ${String(list.reduce((sum, r) => sum + r.lost, 0)).padStart(4)}`);
    }
  } finally {
    await Promise.all(servers.map((server) => stopProc(server.proc)));
    await nsd.stop();
  }
}

await main();

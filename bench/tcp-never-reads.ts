/**
 * Scenario: TCP clients that pipeline queries for a large cached answer and never read (issue 17, D2).
 *
 * Each attacking connection writes queries for a ~60 KB TXT answer (cached after the first) as fast as the
 * server takes them and never reads a byte; when the server closes it, it connects again, for BENCH_SECONDS.
 * Meanwhile another client (127.0.0.2) asks a small cached name over UDP every 250 ms, and a new TCP
 * connection (127.0.0.3) asks it every second.
 *
 * Hypothesis: Stopzone's resident memory stays within tcpMaxQueuedBytesTotal (64 MiB by default) plus the
 * kernel's socket buffers of where it started, every UDP and TCP probe is answered, and the attacker's
 * connections are closed (write timeout or the byte budget). Baseline: the previous version, the same run
 * (BENCH_STOPZONE=path/to/other/checkout/dist/cli/main.js), which grew to 2.56 GB in 20 s in the review.
 *
 * Layout: Stopzone runs as its own process (`node dist/cli/main.js serve`, with npm start's flags and
 * environment: bench/lib/stopzone-launch.ts), so its RSS is its own; the fake upstream
 * (test/helpers/fake-upstream.ts) and the probes run in this process, the attackers in a worker thread of it, so
 * that their writes do not delay the probes' clocks. Every socket is on 127.0.0.1-3. The attack stops early if
 * Stopzone's RSS passes BENCH_RSS_LIMIT_MB, so the baseline cannot take the machine's memory.
 *
 * Run: npm run build && npx node --import ./test/helpers/ts-resolve.mjs bench/tcp-never-reads.ts
 * Knobs (environment): BENCH_SECONDS=20, BENCH_ATTACKERS=1 (connections at once), BENCH_RSS_LIMIT_MB=2048,
 * BENCH_STOPZONE (the main.js to run), BENCH_STOPZONE_YAML (extra config lines, e.g. "listen: {...}" is not
 * allowed twice: use BENCH_LISTEN_EXTRA="tcpWriteTimeoutMs: 2000" for keys of the listen section).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { freePort } from '../test/helpers/daemon.js';
import { buildQuery, framed, sendTcp, sendUdp } from '../test/helpers/dns-client.js';
import { startFakeUpstream } from '../test/helpers/fake-upstream.js';
import { ADDR, benchTmp, ROOT, stopOnSignal, stopProc } from './lib/processes.js';
import { rssKiB } from './lib/sampler.js';
import { startStopzoneProcess } from './lib/stopzone-launch.js';

const env = process.env;
const SECONDS = Number(env.BENCH_SECONDS ?? 20);
const ATTACKERS = Number(env.BENCH_ATTACKERS ?? 1);
const RSS_LIMIT_MB = Number(env.BENCH_RSS_LIMIT_MB ?? 2048);
const MAIN = env.BENCH_STOPZONE ?? join(ROOT, 'dist', 'cli', 'main.js');

/**
 * The attackers (plain JavaScript, run by the worker): `count` connections at once, each writing 64 queries at a
 * time while the kernel takes them and never reading; one closed by the server is replaced. On "stop" they
 * report their counts (queries handed to the socket, not those the server read).
 */
const ATTACK = `
const net = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const { host, port, count } = workerData;
const batch = Buffer.from(workerData.batch);
let attacking = true, connections = 0, closedByServer = 0, queriesWritten = 0;
const sockets = new Set();
function attack() {
  if (!attacking) return;
  connections++;
  const socket = net.connect({ host, port });
  sockets.add(socket);
  socket.pause();
  socket.on('error', () => {});
  const pump = () => {
    while (attacking && !socket.destroyed) {
      queriesWritten += 64;
      if (!socket.write(batch)) return void socket.once('drain', pump);
    }
  };
  socket.on('connect', pump);
  socket.on('close', () => {
    sockets.delete(socket);
    if (attacking) closedByServer++;
    attack();
  });
}
for (let i = 0; i < count; i++) attack();
parentPort.on('message', () => {
  attacking = false;
  for (const socket of sockets) socket.destroy();
  parentPort.postMessage({ connections, closedByServer, queriesWritten });
});
`;

// 240 strings of 250 bytes: a ~60 KB answer, whole over TCP, TC=1 over UDP.
const bigTxt = Array.from({ length: 240 }, (_, i) => `${String(i).padStart(3, '0')}${'x'.repeat(247)}`);
const upstream = await startFakeUpstream({
  records: { 'big.bench.test': [{ type: 'TXT', ttl: 86400, data: bigTxt }], 'small.bench.test': [{ type: 'A', ttl: 86400, data: '192.0.2.7' }] },
});
stopOnSignal(() => upstream.close());
const dir = benchTmp('stopzone-bench-');
const port = await freePort();
const adminPort = await freePort();
writeFileSync(
  join(dir, 'stopzone.yaml'),
  `listen: { addresses: ["${ADDR}"], port: ${port}${env.BENCH_LISTEN_EXTRA ? `, ${env.BENCH_LISTEN_EXTRA}` : ''} }\n` +
    `upstreams: ["${upstream.hostPort}"]\nstopPage: { enabled: false }\nadmin: { listen: ["${ADDR}:${adminPort}"] }\nlog: { level: warn }\n${env.BENCH_STOPZONE_YAML ?? ''}\n`,
);
const server = startStopzoneProcess({ name: 'stopzone', cpu: null, config: join(dir, 'stopzone.yaml'), output: 'inherit', main: MAIN });

const target = { address: ADDR, port };
const rssMb = (): number => (rssKiB(server.child.pid!) || 0) / 1024;
await waitForServer();
// Warm the cache: the attack is about answers already known.
await tcpAsk(ADDR, 'big.bench.test', 'TXT', 5000);
await tcpAsk(ADDR, 'small.bench.test', 'A', 5000);
const rssStart = rssMb();

// The attackers run in a worker thread: their writes must not delay the probes, which this thread times.
const attackers = new Worker(ATTACK, {
  eval: true,
  workerData: { host: ADDR, port, count: ATTACKERS, batch: Buffer.concat(Array.from({ length: 64 }, () => framed(buildQuery('big.bench.test', { type: 'TXT', id: 1 })))) },
});
const attackTally = new Promise<{ connections: number; closedByServer: number; queriesWritten: number }>((resolve) => attackers.once('message', resolve));

const udp = { sent: 0, answered: 0, worstMs: 0 };
const tcp = { sent: 0, answered: 0, worstMs: 0 };
let rssMax = rssStart;
const started = Date.now();
const samples: string[] = [];
while (Date.now() - started < SECONDS * 1000) {
  const tick = Date.now();
  const rss = rssMb();
  rssMax = Math.max(rssMax, rss);
  if (rss > RSS_LIMIT_MB) {
    samples.push(`RSS ${rss.toFixed(0)} MB passed BENCH_RSS_LIMIT_MB at ${((tick - started) / 1000).toFixed(1)} s: attack stopped`);
    break;
  }
  const probes: Array<Promise<void>> = [];
  for (let i = 0; i < 4; i++) probes.push(delay(i * 250).then(() => probe(udp, () => sendUdp(target, buildQuery('small.bench.test'), { from: '127.0.0.2', timeoutMs: 1000 }).then((r) => r !== null))));
  probes.push(probe(tcp, () => tcpAsk('127.0.0.3', 'small.bench.test', 'A', 1000).then(() => true, () => false)));
  await Promise.all(probes);
  samples.push(`${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s  RSS ${rss.toFixed(0).padStart(5)} MB  UDP ${udp.answered}/${udp.sent}  TCP ${tcp.answered}/${tcp.sent}`);
  await delay(Math.max(0, 1000 - (Date.now() - tick)));
}
attackers.postMessage('stop');
const { connections, closedByServer, queriesWritten } = await attackTally;
await attackers.terminate();
const attackSeconds = (Date.now() - started) / 1000;
await delay(5000);
const rssAfter = rssMb();
const metrics = await fetch(`http://${ADDR}:${adminPort}/metrics`).then((r) => r.text(), () => '');

console.log(samples.join('\n'));
console.log(`\nStopzone ${MAIN}`);
console.log(`attack: ${attackSeconds.toFixed(1)} s, ${ATTACKERS} connection(s) at once, ${connections} opened, ${closedByServer} closed by the server, ${queriesWritten} queries written`);
console.log(`RSS: ${rssStart.toFixed(0)} MB before, ${rssMax.toFixed(0)} MB at most, ${rssAfter.toFixed(0)} MB 5 s after the attack`);
console.log(`UDP probes from 127.0.0.2: ${udp.answered}/${udp.sent} answered, slowest ${udp.worstMs} ms`);
console.log(`TCP probes from 127.0.0.3: ${tcp.answered}/${tcp.sent} answered, slowest ${tcp.worstMs} ms`);
console.log(metrics.split('\n').filter((l) => l.startsWith('stopzone_tcp_')).join('\n') || '(no stopzone_tcp_ metrics)');
await stopProc(server);
await upstream.close();
process.exit(0);

async function probe(tally: { sent: number; answered: number; worstMs: number }, ask: () => Promise<boolean>): Promise<void> {
  const sentAt = Date.now();
  tally.sent++;
  const ok = await ask().catch(() => false);
  if (ok) tally.answered++;
  tally.worstMs = Math.max(tally.worstMs, Date.now() - sentAt);
}

/** One query over a new TCP connection from `from`; resolves when the whole answer is in. */
async function tcpAsk(from: string, name: string, type: string, timeoutMs: number): Promise<void> {
  await sendTcp(target, [buildQuery(name, { type })], timeoutMs, from);
}

async function waitForServer(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await sendUdp(target, buildQuery('small.bench.test'), { timeoutMs: 200 }).catch(() => null)) !== null) return;
    await delay(100);
  }
  throw new Error('Stopzone did not start');
}

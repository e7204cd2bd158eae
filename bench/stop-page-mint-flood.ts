/**
 * Scenario (issue 17, D12): while Stopzone answers a steady DNS stream from its cache, a client hammers the
 * HTTPS stop page for 10 s with TLS ClientHellos, each with a new random SNI name, 32 handshakes in flight.
 * The operator CA is RSA-4096. Two kinds of names, one run each:
 *
 *   blocked    <random>.flood.bench, under the stop-page wildcard *.flood.bench: the policy sends every one to
 *              the stop page, so the fixed version may sign a leaf for each, up to its rate cap.
 *   unblocked  <random>.example.net, listed nowhere: the fixed version signs nothing.
 *
 * Hypothesis: before the fix, every handshake costs a CA signature (RSA-4096, in libuv's pool, on the same CPU
 * as the answering thread), Stopzone's CPU is saturated and the DNS p99 latency grows several fold over the
 * quiet run. After it, at most certificatesPerSecond (10) + certificateBurst (20) leaves are signed in the 10 s,
 * every other ClientHello gets the unrecognized_name alert after ~1 KB of parsing, and the DNS p99 under the
 * flood stays within 2x of the quiet run. Baseline: the same run's quiet phase, and the previous version
 * (BENCH_STOPZONE_DIR pointing at a built checkout of it, e.g. from `git archive`).
 *
 * Layout (2 CPUs): Stopzone alone on CPU 1 (`node dist/cli/main.js serve` with npm start's flags and environment,
 * its libuv pool with it); this script (with the loopback fake upstream), dnsperf and the TLS flood client
 * (a child process of this script) on CPU 0. Every socket is on 127.0.0.1. DNS: dnsperf -Q 2000 over 300
 * names that are in Stopzone's cache (warmed first), with -v so that each response's latency is read.
 *
 * Run: npx node --import ./test/helpers/ts-resolve.mjs bench/stop-page-mint-flood.ts
 * Knobs (environment): BENCH_STOPZONE_DIR (the checkout whose dist/ is run; default this one, built first
 * unless BENCH_SKIP_BUILD=1),
 * BENCH_SECONDS=10, BENCH_QPS=2000, BENCH_IN_FLIGHT=32, BENCH_KINDS="blocked unblocked", BENCH_NICE (e.g. -10: runs
 * every process of the bench at that nice level, so that other work on a shared machine takes less of its
 * CPUs; needs root; both versions get the same).
 * Needs dnsperf, openssl and taskset. Every process started here is killed on exit; the temporary directory
 * is removed.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { dnsperf as runDnsperf, Responses } from './lib/dnsperf.js';
import { ADDR, benchTmp, ROOT, startPinned, stopOnSignal, stopProc, type Proc } from './lib/processes.js';
import { cpuSeconds } from './lib/sampler.js';
import { buildUnlessSkipped, startStopzoneProcess } from './lib/stopzone-launch.js';

const env = process.env;
const SECONDS = Number(env.BENCH_SECONDS ?? 10);
const QPS = Number(env.BENCH_QPS ?? 2000);
const IN_FLIGHT = Number(env.BENCH_IN_FLIGHT ?? 32);
const KINDS = (env.BENCH_KINDS ?? 'blocked unblocked').split(/\s+/).filter((k) => k !== '');
const STOPZONE_DIR = env.BENCH_STOPZONE_DIR ?? ROOT;
const NICE = env.BENCH_NICE;
const LOADER = ['--import', join(ROOT, 'test/helpers/ts-resolve.mjs')];

// --- The flood client: a child process (`--flood PORT SECONDS KIND`) --------------------------------------
if (process.argv[2] === '--flood') {
  const [port, seconds, kind] = [Number(process.argv[3]), Number(process.argv[4]), process.argv[5]];
  const end = Date.now() + seconds * 1000;
  const counts = { handshakes: 0, refused: 0, otherErrors: 0, firstError: '' };
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const label = randomBytes(6).toString('hex');
      const servername = kind === 'blocked' ? `${label}.flood.bench` : `${label}.example.net`;
      const socket = tlsConnect({ host: ADDR, port, servername, rejectUnauthorized: false }, () => {
        counts.handshakes += 1;
        socket.destroy();
        resolve();
      });
      socket.on('error', (error) => {
        if (/unrecognized name|alert number 112/i.test(error.message)) counts.refused += 1;
        else {
          counts.otherErrors += 1;
          counts.firstError ||= error.message;
        }
        socket.destroy();
        resolve();
      });
    });
  console.log('ready');
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (Date.now() < end) await one();
    }),
  );
  console.log(JSON.stringify(counts));
  process.exit(0);
}

// --- Pinning: this script runs on CPU 0 -------------------------------------------------------------------
if (env.BENCH_PINNED !== '1') {
  const child = spawnSync('taskset', ['-c', '0', process.execPath, ...LOADER, fileURLToPath(import.meta.url)], { stdio: 'inherit', env: { ...env, BENCH_PINNED: '1' } });
  process.exit(child.status ?? 1);
}

if (NICE !== undefined) setPriority(Number(NICE));
const { startFakeUpstream } = await import('../test/helpers/fake-upstream.js');
const TMP = benchTmp('stopzone-mint-bench-');

/** Runs dnsperf (-v) on CPU 0 against the names file; the latencies (ms, sorted) of its responses. */
async function dnsperf(port: number, names: string, seconds: number, qps: number): Promise<{ latencies: Float32Array; lost: number }> {
  const responses = new Responses();
  const args = ['-s', ADDR, '-p', String(port), '-d', names, '-c', '1', '-q', '500', '-Q', String(qps), '-l', String(seconds), '-t', '2'];
  await runDnsperf({ label: 'mint', cpu: '0', dir: TMP, args, responses, timeoutS: 2 });
  return { latencies: responses.window(-Infinity, Infinity), lost: responses.timeouts.length };
}

const pct = (sorted: Float32Array, p: number): string => (sorted.length === 0 ? 'n/a' : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2));
const summary = (sorted: Float32Array, lost: number): string => `${sorted.length} answers, p50 ${pct(sorted, 50)} ms, p90 ${pct(sorted, 90)} ms, p99 ${pct(sorted, 99)} ms, max ${pct(sorted, 100)} ms, lost ${lost}`;

// --- Set-up: CA, zone, upstream, Stopzone ------------------------------------------------------------------
if (STOPZONE_DIR === ROOT) buildUnlessSkipped();
spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:4096', '-nodes', '-keyout', join(TMP, 'ca.key'), '-out', join(TMP, 'ca.pem'), '-days', '2', '-subj', '/CN=bench CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], { stdio: 'ignore' });
writeFileSync(join(TMP, 'flood.rpz'), '$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\n*.flood.bench CNAME .\n');
const records: Record<string, Array<{ type: string; ttl: number; data: string }>> = {};
const names: string[] = [];
for (let i = 1; i <= 300; i++) {
  const name = `host${String(i).padStart(3, '0')}.bench.test`;
  records[name] = [{ type: 'A', ttl: 86_400, data: `192.0.2.${i % 250}` }];
  names.push(`${name} A`);
}
writeFileSync(join(TMP, 'names.txt'), `${names.join('\n')}\n`);
const upstream = await startFakeUpstream({ records });
stopOnSignal(() => upstream.close());
writeFileSync(
  join(TMP, 'stopzone.yaml'),
  `listen: { addresses: ["${ADDR}"], port: 0 }
upstreams: ["${upstream.hostPort}"]
access: { allow: ["127.0.0.0/8"] }
admin: { listen: ["${ADDR}:0"] }
state: { dir: ${join(TMP, 'state')} }
log: { level: info }
stopPage: { addresses: ["${ADDR}"], http: ["${ADDR}:0"], https: ["${ADDR}:0"], caCertFile: ${join(TMP, 'ca.pem')}, caKeyFile: ${join(TMP, 'ca.key')} }
policy:
  zones:
    - { name: flood.rpz, file: ${join(TMP, 'flood.rpz')}, policy: stop-page }
`,
);

interface Running {
  readonly proc: Proc;
  readonly dns: number;
  readonly https: number;
  readonly admin: string;
  readonly warnings: string[];
}

async function startStopzone(): Promise<Running> {
  const proc = startStopzoneProcess({ name: 'stopzone', cpu: '1', config: join(TMP, 'stopzone.yaml'), output: 'pipe', cwd: STOPZONE_DIR });
  const warnings: string[] = [];
  const lines = createInterface({ input: proc.child.stdout! });
  const serving = new Promise<Record<string, unknown>>((resolve) => {
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.msg === 'stopzone serving') resolve(entry);
      if (Number(entry.level) >= 40) warnings.push(String(entry.msg));
    });
  });
  const entry = (await serving) as { endpoints: Array<{ port: number }>; admin: string[]; stopPage: { https: string[] } };
  const https = entry.stopPage.https[0]!;
  return { proc, dns: entry.endpoints[0]!.port, https: Number(https.slice(https.lastIndexOf(':') + 1)), admin: entry.admin[0]!, warnings };
}

async function stopPageMetrics(admin: string): Promise<string> {
  const text = await (await fetch(`http://${admin}/metrics`)).text();
  const lines = text.split('\n').filter((l) => l.startsWith('stopzone_stop_page_') && !l.endsWith(' 0'));
  return lines.length === 0 ? '(none: this version has no stop page metrics, or all are 0)' : lines.join('; ');
}

// --- The runs ----------------------------------------------------------------------------------------------
console.log(`Stopzone from ${STOPZONE_DIR} (${spawnSync('git', ['-C', STOPZONE_DIR, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' }).stdout.trim() || 'not a git checkout'})`);
console.log(`CPU 1: Stopzone; CPU 0: dnsperf -Q ${QPS}, the flood (${IN_FLIGHT} handshakes in flight), this script. CA: RSA-4096.${NICE === undefined ? '' : ` nice ${NICE}.`}`);
console.log(`load average at start: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
for (const kind of KINDS) {
  const stopzone = await startStopzone();
  await dnsperf(stopzone.dns, join(TMP, 'names.txt'), 2, 1000); // warm the cache
  const quiet = await dnsperf(stopzone.dns, join(TMP, 'names.txt'), SECONDS, QPS);
  const flood = startPinned('flood', '0', process.execPath, [...LOADER, fileURLToPath(import.meta.url), '--flood', String(stopzone.https), String(SECONDS), kind], { out: 'pipe', err: 'inherit' });
  const floodLines = createInterface({ input: flood.child.stdout! })[Symbol.asyncIterator]();
  await floodLines.next(); // "ready"
  const cpuBefore = cpuSeconds(stopzone.proc.child.pid!);
  const loaded = await dnsperf(stopzone.dns, join(TMP, 'names.txt'), SECONDS, QPS);
  const cpu = (cpuSeconds(stopzone.proc.child.pid!) - cpuBefore) / SECONDS;
  const counts = JSON.parse(String((await floodLines.next()).value)) as { handshakes: number; refused: number; otherErrors: number; firstError: string };
  console.log(`\n== ${kind} SNIs ==`);
  console.log(`quiet:  ${summary(quiet.latencies, quiet.lost)}`);
  console.log(`flood:  ${summary(loaded.latencies, loaded.lost)}`);
  console.log(`p99 flood / quiet: ${(Number(pct(loaded.latencies, 99)) / Number(pct(quiet.latencies, 99))).toFixed(2)}x`);
  console.log(`flood:  ${counts.handshakes} handshakes completed (a leaf each), ${counts.refused} refused, ${counts.otherErrors} other errors${counts.firstError === '' ? '' : ` (first: ${counts.firstError})`} in ${SECONDS} s`);
  console.log(`Stopzone CPU during the flood: ${(cpu * 100).toFixed(0)} % of a core`);
  console.log(`metrics: ${await stopPageMetrics(stopzone.admin)}`);
  if (stopzone.warnings.length > 0) console.log(`warnings: ${[...new Set(stopzone.warnings)].join(' | ')}`);
  await stopProc(stopzone.proc);
}
await upstream.close();
process.exit(0);

/**
 * Scenario: Stopzone serving a 1,000,000-trigger QNAME policy zone (the reload benchmark's: 650,000 names, 350,000
 * of them also listed as wildcards), started with `workers` 1, 2 and 4 in turn; its resident memory once the zone
 * is in force, and again after every worker has answered policy hits (exact and wildcard, A and AAAA) for a while.
 *
 * Hypothesis (issue 21 item 3): the zone's indexes are SharedArrayBuffers that every worker thread shares, never
 * copies, so each worker beyond the first adds at most 30 MiB (a V8 isolate, Node's and Stopzone's modules, its
 * own small caches and pools), against some 100 MiB for a copy of the zone. Baseline beside it: workers 1, the
 * same zone answered on the main thread.
 *
 * Each configuration runs BENCH_ROUNDS times (default 2), in alternating order; the table gives each run and the
 * median. RSS is VmRSS from /proc: the process's pages in memory, shared buffers counted once.
 *
 * Run: npx node --import ./test/helpers/ts-resolve.mjs bench/workers-rss.ts
 * Knobs: BENCH_WORKERS="1 2 4", BENCH_ROUNDS=2, BENCH_SKIP_BUILD=1 (dist/ already built).
 */
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { dnsperf } from './lib/dnsperf.js';
import { ADDR, benchTmp, die, need, stopProc } from './lib/processes.js';
import { rssKiB } from './lib/sampler.js';
import { buildUnlessSkipped, launchLine, startStopzoneProcess } from './lib/stopzone-launch.js';
import { LogFollower } from './lib/stopzone-log.js';
import { base, writeZone } from './reload/names.js';
import { PAIRS, STABLE, ZONE } from './reload/settings.js';
import { prng } from '../test/helpers/prng.js';

const WORKERS = (process.env.BENCH_WORKERS ?? '1 2 4').split(/\s+/).filter((w) => w !== '').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PORT = 55320;
const ADMIN_PORT = 55321;
/** Policy hits answered per run, at a rate low enough to leave the machine quiet: every worker gets thousands. */
const QUERY_SECONDS = 10;
const QUERY_RATE = 5000;
/** Memory is read this long after the zone is in force (its compile thread's memory goes back meanwhile) and after the queries. */
const SETTLE_MS = 8000;

if (WORKERS.some((w) => !Number.isInteger(w) || w < 1)) die(`BENCH_WORKERS must list whole numbers from 1, not "${process.env.BENCH_WORKERS}"`);
need('dnsperf', 'dnsperf');
buildUnlessSkipped();
const tmp = benchTmp('stopzone-workers-rss-');
const zone = join(tmp, 'policy.zone');
await writeZone(zone, 1, 1);
const queries = join(tmp, 'queries.txt');
writeFileSync(queries, policyHits(50_000));

type Run = { workers: number; loaded: number; answered: number };
const runs: Run[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? WORKERS : [...WORKERS].reverse();
  for (const workers of order) runs.push(await measure(workers, round));
}
report();

async function measure(workers: number, round: number): Promise<Run> {
  const config = join(tmp, `stopzone-${workers}.yaml`);
  writeFileSync(
    config,
    [
      `listen: { addresses: ["${ADDR}"], port: ${PORT} }`,
      `workers: ${workers}`,
      `upstreams: ["${ADDR}:9"]`,
      `admin: { listen: ["${ADDR}:${ADMIN_PORT}"] }`,
      'stopPage: { enabled: false }',
      'log: { level: info }',
      `state: { dir: ${JSON.stringify(join(tmp, 'state'))} }`,
      `policy: { zones: [{ name: ${ZONE}, file: ${JSON.stringify(zone)} }] }`,
    ].join('\n'),
  );
  const logPath = join(tmp, `stopzone-${workers}-${round}.log`);
  const out = openSync(logPath, 'w');
  const proc = startStopzoneProcess({ name: `stopzone workers ${workers}`, cpu: null, config, output: out });
  closeSync(out);
  const log = new LogFollower(logPath);
  try {
    await log.waitFor('"stopzone serving"', (e) => e.msg === 'stopzone serving', 120_000, proc);
    await sleep(SETTLE_MS);
    const loaded = await steadyRss(proc.child.pid!);
    const run = await dnsperf({ label: `workers-${workers}-${round}`, cpu: '0', dir: tmp, args: ['-s', ADDR, '-p', String(PORT), '-d', queries, '-l', String(QUERY_SECONDS), '-Q', String(QUERY_RATE), '-c', '8', '-t', '2'] });
    if (run.lost > 0) console.log(`warning: workers ${workers}: ${run.lost} queries lost`);
    await sleep(SETTLE_MS);
    const answered = await steadyRss(proc.child.pid!);
    const result = { workers, loaded, answered };
    console.log(`round ${round + 1}, workers ${workers}: RSS ${mib(result.loaded)} once loaded, ${mib(result.answered)} after ${run.completed} policy answers (${run.rcodes})`);
    return result;
  } finally {
    log.close();
    await stopProc(proc);
  }
}

/** The median of five VmRSS readings 200 ms apart, in KiB. */
async function steadyRss(pid: number): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(rssKiB(pid));
    await sleep(200);
  }
  return median(readings);
}

function report(): void {
  console.log(`\n== RSS with a 1,000,000-trigger zone, by workers; ${launchLine()}; ${ROUNDS} rounds, medians ==`);
  console.log('workers  RSS loaded  RSS answering  per extra worker (answering, vs workers 1)');
  const one = median(runs.filter((r) => r.workers === 1).map((r) => r.answered));
  for (const workers of WORKERS) {
    const mine = runs.filter((r) => r.workers === workers);
    const answered = median(mine.map((r) => r.answered));
    const extra = workers === 1 || Number.isNaN(one) ? '-' : `${((answered - one) / (workers - 1) / 1024).toFixed(1)} MiB (goal <= 30 MiB)`;
    console.log(`${String(workers).padStart(7)}  ${mib(median(mine.map((r) => r.loaded))).padStart(10)}  ${mib(answered).padStart(13)}  ${extra}`);
  }
}

/** `count` policy hits: two in five below a wildcard (q<n>.<base>), the others exact names; A and AAAA. */
function policyHits(count: number): string {
  const random = prng(20261206);
  const lines: string[] = [];
  for (let n = 0; n < count; n++) {
    const type = random() < 0.5 ? 'A' : 'AAAA';
    lines.push(random() < 0.4 ? `q${n % 100}.${base(Math.floor(random() * PAIRS))}.  ${type}` : `${base(Math.floor(random() * STABLE))}. ${type}`);
  }
  return `${lines.join('\n')}\n`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function mib(kib: number): string {
  return `${(kib / 1024).toFixed(0)} MiB`;
}

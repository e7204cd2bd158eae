/**
 * Scenario: Stopzone alone on one of the compass workloads (bench/compass/mixes.ts), for finding where its time
 * goes rather than for comparing: no Unbound, one measured run, and what the comparison does not show. Per
 * thread of the process, the CPU it took during the run (the answering thread, V8's helpers, libuv's pool, the
 * event store's writer); how long the answering thread waited, runnable, for its CPU; the main thread's event-loop
 * delay (p99 and max: whether a slow answer was a stall inside the process); at a fixed rate, the latency
 * percentiles; optionally a `perf record -g` of the run with the JIT's symbols.
 *
 * Layout as compass.ts: Stopzone alone on CPU 1 (with BENCH_WORKERS above 1, on both CPUs), dnsperf and NSD on CPU
 * 0, everything on 127.0.0.1.
 *
 * Run: npx node --import ./test/helpers/ts-resolve.mjs bench/solo.ts
 * Knobs: BENCH_MIX (compass, hits, misses, policy or forwarder; default compass), BENCH_SECONDS (10), BENCH_RATE
 * (qps; unset: as fast as it answers), BENCH_WORKERS (its `workers`, default 1), BENCH_PERF=1 (perf record -g to
 * bench/out/<stamp>-solo.perf.data, Stopzone started with --perf-basic-prof; read it with `perf report -i FILE`),
 * BENCH_TRIGGERS, BENCH_ZONE=1 (load the policy zone for a mix without policy hits too: what the zone alone costs the
 * other answers), BENCH_FILL=N (N unique names forwarded before the run, unmeasured: a cache as full as a server's), and those of every
 * benchmark that starts Stopzone: BENCH_NODE_FLAGS, BENCH_STOPZONE_YAML, BENCH_STOPZONE_ENV, BENCH_SKIP_BUILD.
 * Needs nsd, dnsperf and taskset (and perf for BENCH_PERF=1).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng } from '../test/helpers/prng.js';
import { COMPASS_MIX, FORWARDER_MIX, HITS_MIX, MISSES_MIX, POLICY_MIX, writeMix } from './compass/mixes.js';
import { startStopzoneAlone, stopServers, warm } from './compass/servers.js';
import { BOTH_CPUS, LOAD_CPU, OUT_DIR, OUTSTANDING, SECONDS, SERVER_CPU, TMP, TRIGGERS } from './compass/settings.js';
import { fixedQueryLines, startBenchNsd } from './lib/bench-upstream.js';
import { blockRecords, recordsBetween, recordsText } from './lib/block-records.js';
import { dnsperf, ms, percentiles, Responses } from './lib/dnsperf.js';
import { millionZone, writeMillionZone } from './lib/million-zone.js';
import { ADDR, die, need, pinSelf, stopOnSignal } from './lib/processes.js';
import { cpuSeconds, mainThreadWaitNs, rssKiB, threadCpu } from './lib/sampler.js';
import { buildUnlessSkipped, LAUNCH } from './lib/stopzone-launch.js';
import { metrics } from './lib/stopzone-log.js';
import { dedupePerfMap } from './solo/perf-map.js';

const LOOP_DELAY = { p99: 'stopzone_process_nodejs_eventloop_lag_p99_seconds', max: 'stopzone_process_nodejs_eventloop_lag_max_seconds' } as const;
const MIXES = { compass: COMPASS_MIX, hits: HITS_MIX, misses: MISSES_MIX, policy: POLICY_MIX, forwarder: FORWARDER_MIX } as const;
const mixName = process.env.BENCH_MIX ?? 'compass';
if (!(mixName in MIXES)) die(`BENCH_MIX=${mixName}: expected one of ${Object.keys(MIXES).join(', ')}`);
const mix = MIXES[mixName as keyof typeof MIXES];
const rate = process.env.BENCH_RATE === undefined ? null : Number(process.env.BENCH_RATE);
if (rate !== null && !(Number.isInteger(rate) && rate > 0)) die(`BENCH_RATE=${process.env.BENCH_RATE}: expected a whole number of queries a second`);
const profile = process.env.BENCH_PERF === '1';
const workers = Number(process.env.BENCH_WORKERS ?? 1);
if (!(Number.isInteger(workers) && workers >= 1)) die(`BENCH_WORKERS=${process.env.BENCH_WORKERS}: expected a whole number of workers, 1 or more`);

for (const [command, debianPackage] of [['taskset', 'util-linux'], ['dnsperf', 'dnsperf'], ['nsd', 'nsd'], ...(profile ? [['perf', 'linux-perf']] : [])] as const) need(command, debianPackage);
// perf reads the JIT's symbols from /tmp/perf-<pid>.map, which this flag makes node write.
if (profile) LAUNCH.flags.push('--perf-basic-prof');
pinSelf(LOAD_CPU);
buildUnlessSkipped();
mkdirSync(OUT_DIR, { recursive: true });

const FILL = Number(process.env.BENCH_FILL ?? 0);
if (!Number.isInteger(FILL) || FILL < 0) die(`BENCH_FILL=${process.env.BENCH_FILL}: expected a whole number of names`);
const zone = mix.policy > 0 || process.env.BENCH_ZONE === '1' ? millionZone(TRIGGERS, prng(20261123), () => {}) : null;
if (zone !== null) await writeMillionZone(zone, join(TMP, 'rpz.zone'));
const fixedFile = join(TMP, 'fixed.txt');
writeFileSync(fixedFile, `${fixedQueryLines().join('\n')}\n`);
const nsd = await startBenchNsd();
stopOnSignal(nsd.stop);
const stopzone = await startStopzoneAlone({ label: 'solo', threads: workers, cpu: workers === 1 ? SERVER_CPU : BOTH_CPUS, zoneFile: zone === null ? null : join(TMP, 'rpz.zone') }, nsd.hostPort);
try {
  const warmFile = join(TMP, 'warm.txt');
  writeMix(warmFile, mix, 300_000, 'warm-', 99, zone);
  await warm(stopzone, fixedFile, warmFile);
  if (FILL > 0) {
    // Unmeasured: FILL unique names forwarded and cached, so that the run meets a cache as full as a server's.
    const fillFile = join(TMP, 'fill.txt');
    writeMix(fillFile, MISSES_MIX, FILL, 'fill-', 5, null);
    await dnsperf({ label: 'fill', cpu: LOAD_CPU, dir: TMP, args: ['-s', ADDR, '-p', String(stopzone.port), '-n', '1', '-d', fillFile, '-c', '4', '-q', '200', '-t', '2'] });
  }
  const runFile = join(TMP, 'run.txt');
  writeMix(runFile, mix, SECONDS * 250_000, 'run-', 7, zone);

  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const perfData = join(OUT_DIR, `${stamp}-solo.perf.data`);
  const recorder = profile ? spawn('perf', ['record', '-e', 'cpu-clock', '-F', '2000', '-g', '-p', String(stopzone.pid), '-o', perfData, '--', 'sleep', String(SECONDS)], { stdio: 'ignore' }) : null;
  const recorded = recorder === null ? null : once(recorder, 'exit');
  const responses = rate === null ? undefined : new Responses();
  const recordsBefore = await blockRecords(stopzone.admin!);
  const threadsBefore = threadCpu(stopzone.pid);
  const [cpuBefore, waitBefore] = [cpuSeconds(stopzone.pid), mainThreadWaitNs(stopzone.pid)];
  // As compass.ts: at a fixed rate 2,000 in flight, so that a stall does not stop dnsperf's clock and hide itself.
  const outstanding = rate === null ? OUTSTANDING : 2000;
  const args = ['-s', ADDR, '-p', String(stopzone.port), '-n', '1', '-d', runFile, '-c', '4', '-q', String(outstanding), '-l', String(SECONDS), '-t', '2', ...(rate === null ? [] : ['-Q', String(rate)])];
  const run = await dnsperf({ label: 'solo', cpu: LOAD_CPU, dir: TMP, args, responses, timeoutS: 2 });
  const [cpuAfter, waitAfter] = [cpuSeconds(stopzone.pid), mainThreadWaitNs(stopzone.pid)];
  const threadsAfter = threadCpu(stopzone.pid);
  // The main thread's event-loop delay over the run (prom-client's 10-ms monitor, reset by each scrape: the
  // records' scrape before the run began it): a stall inside the process shows here, one outside it does not.
  const loop = await metrics(stopzone.admin!, [LOOP_DELAY.p99, LOOP_DELAY.max]);
  await recorded;
  const recordsAfter = await blockRecords(stopzone.admin!);

  console.log(`${mixName} (${mix.text}), ${rate === null ? 'as fast as it answers' : `${rate} qps`}, ${SECONDS} s`);
  console.log(`${run.qps.toFixed(0)} qps, ${run.lost} lost, ${((1e6 * (cpuAfter - cpuBefore)) / run.completed).toFixed(1)} CPU µs a query, RSS ${(rssKiB(stopzone.pid) / 1024).toFixed(0)} MiB`);
  console.log(`answering thread waited ${((waitAfter - waitBefore) / 1e6).toFixed(0)} ms for its CPU`);
  if (responses !== undefined) {
    const p = percentiles(responses, -Infinity, Infinity);
    console.log(`latency ms: p50 ${ms(p.p50)}, p99 ${ms(p.p99)}, p99.9 ${ms(p.p999)}, max ${ms(p.max)}`);
  }
  const delayMs = (value: number | null): string => (value === null ? '?' : (value * 1000).toFixed(1));
  console.log(`main thread's event-loop delay during the run: p99 ${delayMs(loop[LOOP_DELAY.p99])} ms, max ${delayMs(loop[LOOP_DELAY.max])} ms${workers > 1 ? ' (the main thread only: the workers answer)' : ''}`);
  console.log(`records of blocks during the run: ${recordsText(recordsBetween(recordsBefore, recordsAfter))}`);
  console.log('CPU by thread during the run:');
  for (const [thread, ticks] of threadsAfter) {
    const used = ticks - (threadsBefore.get(thread) ?? 0);
    if (used > 0) console.log(`  ${thread}: ${used * 10} ms`);
  }
  if (profile) {
    dedupePerfMap(`/tmp/perf-${stopzone.pid}.map`);
    console.log(`profile: perf report -i ${perfData} --no-children --sort sym`);
  }
} finally {
  await stopServers([stopzone]);
  await nsd.stop();
}

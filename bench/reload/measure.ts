/**
 * One measured run: dnsperf at a fixed rate for BENCH_LOAD_SECONDS, the change made at BENCH_CHANGE_AT, and the
 * run cut into phases by each query's send time (steady, the swap, after), with Stopzone's RSS and CPU beside.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { dnsperf, mib, ms, percentiles, Responses, type DnsperfSummary, type Percentiles } from '../lib/dnsperf.js';
import { ADDR } from '../lib/processes.js';
import { disturbances, waitQuiet } from '../lib/quiet-machine.js';
import { Sampler, type Sample } from '../lib/sampler.js';
import { eventTime, memoryMetrics, type LogEvent } from '../lib/stopzone-log.js';
import { base } from './names.js';
import { digStatus } from './peers.js';
import { BASES, CHANGE_AT, LOAD_CPU, LOAD_SECONDS, NOTIFY_MODE, SERVER_CPU, SHARED_CPUS, STABLE, STEADY_SKIP_S, TIMEOUT_S, TMP } from './settings.js';
import type { Stopzone } from './stopzone.js';
import { quietWindows, secondsOffRate, series, swapTimeline } from './timeline.js';

/** The change a scenario makes during the run. */
export interface Change {
  /** When Stopzone was told (the rename, or the NOTIFY). */
  readonly at: number;
  /** When the work at the primary began (ixfr: the first nsupdate). */
  readonly primaryFrom?: number;
  readonly note: string;
}

/** Everything the report says about one scenario's run. */
export interface Result {
  readonly scenario: string;
  readonly rate: number;
  readonly capacity: number | null;
  readonly summary: DnsperfSummary;
  readonly phases: Array<[string, Percentiles]>;
  readonly steady: Percentiles;
  readonly swap: Percentiles;
  readonly swapMs: number;
  readonly loadMs: number;
  readonly swaps: number;
  readonly transfer: string;
  readonly rssBefore: number;
  readonly rssPeak: number;
  readonly rssAfter: number | null;
  readonly checks: string[];
  readonly extra: string[];
  /** The whole run, second by second (written to bench/out). */
  readonly series: string[];
  /** p99 (ms) of each window as long as the swap window that lies outside it, before then after it: the machine's noise. */
  readonly quietWindows: number[];
}

/** Runs the load, calls `change` at CHANGE_AT, waits for `expectedSerial` in force, and measures. */
export async function measure(scenario: string, stopzone: Stopzone, rate: number, capacity: number | null, queries: string, expectedSerial: string, change: () => Promise<Change>, extra: string[]): Promise<Result> {
  const removed = base(STABLE);
  const added = base(BASES);
  await waitQuiet(`${scenario} load run`);
  const checks = [`before: ${removed} ${await digStatus(stopzone.port, removed)} (listed), ${added} ${await digStatus(stopzone.port, added)} (not yet listed)`];
  // A first scrape costs Stopzone some 10 ms of lazy set-up (later ones about 1 ms): done here, not in the load.
  await memoryMetrics(stopzone.admin);
  const sampler = new Sampler(stopzone.proc.child.pid!, SERVER_CPU);
  const responses = new Responses();
  const firstEvent = stopzone.log.events.length;
  console.log(`${scenario}: dnsperf -Q ${rate} for ${LOAD_SECONDS} s; the change comes at ${CHANGE_AT} s`);
  const args = ['-s', ADDR, '-p', String(stopzone.port), '-d', queries, '-n', '1', '-c', '4', '-q', '60000', '-Q', String(rate), '-l', String(LOAD_SECONDS), '-t', String(TIMEOUT_S), '-S', '1'];
  const perf = dnsperf({ label: `${scenario}-load`, cpu: LOAD_CPU, dir: TMP, args, responses, timeoutS: TIMEOUT_S });
  const runStart = Date.now();
  let changed: Change;
  let loaded: LogEvent;
  let memoryBefore = '';
  let memoryAfter: Promise<string> = Promise.resolve('-');
  try {
    await Promise.race([sleep(CHANGE_AT * 1000 - 500), perf]);
    memoryBefore = await memoryMetrics(stopzone.admin);
    await sleep(Math.max(0, runStart + CHANGE_AT * 1000 - Date.now()));
    changed = await change();
    console.log(`${scenario}: ${changed.note}`);
    loaded = await stopzone.log.waitFor(`"policy zone loaded" with serial ${expectedSerial}`, (e) => e.msg === 'policy zone loaded' && e.serial === expectedSerial, 120_000, stopzone.proc, firstEvent);
    console.log(`${scenario}: serial ${expectedSerial} in force ${((eventTime(loaded) - changed.at) / 1000).toFixed(2)} s after the change; load continues`);
    memoryAfter = sleep(Math.max(0, eventTime(loaded) + 30_000 - Date.now())).then(() => memoryMetrics(stopzone.admin));
  } catch (error) {
    await perf.catch(() => undefined);
    sampler.stop();
    throw error;
  }
  const summary = await perf;
  sampler.stop();
  stopzone.log.poll();
  const hwm = sampler.hwmKiB();
  checks.push(`after:  ${removed} ${await digStatus(stopzone.port, removed)} (removed), ${added} ${await digStatus(stopzone.port, added)} (added)`);

  const loadedAt = eventTime(loaded);
  const swapEnd = loadedAt + 1000;
  const runEnd = summary.ended;
  const steadyFrom = runStart + STEADY_SKIP_S * 1000;
  const swapFrom = changed.at;
  const firstChange = changed.primaryFrom ?? changed.at;
  const phases: Array<[string, Percentiles]> = [['steady, before the change', percentiles(responses, steadyFrom, firstChange)]];
  if (changed.primaryFrom !== undefined && NOTIFY_MODE === 'once') phases.push(['updates at the primary (nsupdate)', percentiles(responses, changed.primaryFrom, changed.at)]);
  phases.push([`swap: ${NOTIFY_MODE === 'each' && changed.primaryFrom !== undefined ? 'first update' : 'change'} to in force + 1 s`, percentiles(responses, swapFrom, swapEnd)]);
  phases.push(['after: in force + 1 s to the end', percentiles(responses, swapEnd, runEnd)]);

  const rss = (samples: Sample[]): number[] => samples.map((s) => s.rssKiB).filter((v) => Number.isFinite(v));
  const before = rss(sampler.between(firstChange - 5000, firstChange)).sort((a, b) => a - b);
  const rssAt = (seconds: number): number | null => {
    const around = rss(sampler.between(loadedAt + seconds * 1000 - 500, loadedAt + seconds * 1000 + 500));
    return around.length === 0 ? null : around.reduce((a, b) => a + b, 0) / around.length;
  };
  const loads = stopzone.log.events.slice(firstEvent).filter((e) => e.msg === 'policy zone loaded');
  const transfer = loaded.transfer as { kind: string; bytes: number; ms: number } | undefined;
  const waitPerSecond = (from: number, to: number): string => ms((sampler.mainWaitMs(from, to) * 1000) / (to - from));
  const cpuSteady = sampler.cpu(steadyFrom, firstChange);
  const cpuSwap = sampler.cpu(swapFrom, swapEnd);
  if (!SHARED_CPUS && (cpuSteady.others > 10 || cpuSwap.others > 10)) {
    disturbances.push(`${scenario}: other processes took ${cpuSteady.others.toFixed(0)} % (steady) and ${cpuSwap.others.toFixed(0)} % (swap) of Stopzone's CPU: figures disturbed`);
  }
  const [steadyOff, swapOff] = [secondsOffRate(responses, rate, steadyFrom, firstChange), secondsOffRate(responses, rate, swapFrom, swapEnd)];
  if (steadyOff + swapOff > 0) {
    disturbances.push(`${scenario}: dnsperf sent more than 25 % off its rate in ${steadyOff} second(s) of the steady phase and ${swapOff} of the swap (the machine paused): figures disturbed`);
  }
  const loadsText = loads.map((e) => `serial ${String(e.serial)} at +${((eventTime(e) - changed.at) / 1000).toFixed(2)} s (${String(e.ms)} ms in Stopzone${e.transfer ? `, ${JSON.stringify(e.transfer)}` : ''})`);
  return {
    scenario,
    rate,
    capacity,
    summary,
    phases,
    steady: phases[0]![1],
    swap: phases.find(([name]) => name.startsWith('swap'))![1],
    swapMs: loadedAt - changed.at,
    loadMs: Number(loaded.ms),
    swaps: loads.length,
    transfer: transfer === undefined ? 'none (file)' : `${transfer.kind}, ${transfer.bytes} bytes in ${transfer.ms} ms`,
    rssBefore: before[Math.floor(before.length / 2)] ?? NaN,
    rssPeak: Math.max(...rss(sampler.between(swapFrom, swapEnd))),
    rssAfter: rssAt(30),
    checks,
    series: series(responses, sampler, changed.at, runStart, runEnd),
    quietWindows: quietWindows(responses, swapEnd - swapFrom, [[steadyFrom, firstChange], [swapEnd, runEnd]]),
    extra: [
      ...extra,
      `CPU ${SERVER_CPU}: Stopzone ${cpuSteady.self.toFixed(0)} % steady, ${cpuSwap.self.toFixed(0)} % during the swap; other processes took ${cpuSteady.others.toFixed(0)} % and ${cpuSwap.others.toFixed(0)} % of it (${SHARED_CPUS ? 'shared with dnsperf' : 'should be ~0: else the machine is busy'})`,
      `answering thread's wait for the CPU: ${waitPerSecond(steadyFrom, firstChange)} ms a second steady, ${waitPerSecond(swapFrom, swapEnd)} ms a second during the swap`,
      `RSS after the swap: ${[5, 10, 20, 30].map((seconds) => `+${seconds} s ${mib(rssAt(seconds))}`).join(', ')}`,
      `memory before the change: ${memoryBefore}; 30 s after the swap: ${await memoryAfter}`,
      `swaps logged: ${loadsText.join('; ')}`,
      `VmHWM at the end: ${(hwm / 1024).toFixed(0)} MiB`,
      'timeline (queries by send time):',
      ...swapTimeline(responses, sampler, changed.at, swapFrom - 1000, loadedAt + 2500),
    ],
  };
}

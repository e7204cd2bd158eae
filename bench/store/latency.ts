/**
 * The store beside a DNS load: Stopzone on CPU 1 answers a steady stream of cached names and a stream of
 * blocked names (one block event each), both from dnsperf on CPU 0, with the store on and off in interleaved
 * rounds; the p99 latency of each, and whether every block event reached the store.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { dnsperf, percentiles, Responses, ms, type Percentiles } from '../lib/dnsperf.js';
import { ADDR, stopProc, type Proc } from '../lib/processes.js';
import { waitQuiet } from '../lib/quiet-machine.js';
import { cpuSeconds } from '../lib/sampler.js';
import { launchLine, startStopzoneProcess } from '../lib/stopzone-launch.js';

/** What one round measured. */
interface Round {
  readonly store: boolean;
  readonly steady: Percentiles;
  readonly blocks: Percentiles;
  readonly answered: { steady: number; blocks: number };
  readonly hits: number;
  readonly written: number;
  readonly dropped: number;
  readonly queuePeak: number;
  /** CPU seconds over the two dnsperf runs: the answering (main) thread, and the whole process. */
  readonly cpu: { main: number; all: number };
  /** Seconds the answering thread was ready to run but waited for its CPU (schedstat), over the two dnsperf runs. */
  readonly waited: number;
  readonly steadyResponses: Responses;
  readonly blockResponses: Responses;
}

export interface LatencySettings {
  readonly dir: string;
  readonly upstream: string;
  readonly seconds: number;
  readonly rounds: number;
  readonly steadyQps: number;
  readonly blockQps: number;
}

/** CPU seconds (user + system) thread `tid` of process `pid` has used so far; the main thread's tid is the pid. */
function threadSeconds(pid: number, tid = pid): number {
  const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Seconds the main thread of `pid` has spent runnable, waiting for a CPU (the second field of its schedstat). */
function waitedSeconds(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
}

/** Sums every sample of a metric family on Stopzone's /metrics. */
async function metric(admin: string, name: string): Promise<number> {
  const text = await (await fetch(`http://${admin}/metrics`)).text();
  return text.split('\n').filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`)).reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function startStopzone(config: string): Promise<{ proc: Proc; port: number; admin: string }> {
  const proc = startStopzoneProcess({ name: 'stopzone', cpu: '1', config, output: 'pipe' });
  const lines = createInterface({ input: proc.child.stdout! });
  const serving = await new Promise<{ endpoints: Array<{ port: number }>; admin: string[] }>((resolve) =>
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as { msg: string };
      if (entry.msg === 'stopzone serving') resolve(entry as never);
      else if ((entry as { level?: number }).level! >= 40) console.log(`  stopzone: ${line}`);
    }),
  );
  return { proc, port: serving.endpoints[0]!.port, admin: serving.admin[0]! };
}

function writeConfig(settings: LatencySettings, store: boolean): string {
  const on = store ? 'on' : 'off';
  const file = join(settings.dir, `stopzone-${on}.yaml`);
  writeFileSync(
    file,
    `listen: { addresses: ["${ADDR}"], port: 0 }
upstreams: ["${settings.upstream}"]
access: { allow: ["127.0.0.0/8"] }
admin: { listen: ["${ADDR}:0"] }
state: { dir: ${join(settings.dir, `state-${on}`)} }
log: { level: info }
stopPage: { enabled: false }
blockLog: { destination: file, file: ${join(settings.dir, `blocks-${on}.log`)} }
store: { enabled: ${store} }
console: { enabled: false }
policy:
  zones:
    - { name: bench.rpz, file: ${join(settings.dir, 'bench.rpz')} }
`,
  );
  return file;
}

async function round(settings: LatencySettings, store: boolean, index: number): Promise<Round> {
  await waitQuiet(`round ${index} (store ${store ? 'on' : 'off'})`);
  const stopzone = await startStopzone(writeConfig(settings, store));
  const args = (names: string, qps: number, seconds = settings.seconds): string[] => ['-s', ADDR, '-p', String(stopzone.port), '-d', join(settings.dir, names), '-c', '1', '-q', '500', '-Q', String(qps), '-l', String(seconds), '-t', '2'];
  await dnsperf({ label: 'warm', cpu: '0', dir: settings.dir, args: args('steady.txt', 2000, 2) });
  const hitsBefore = await metric(stopzone.admin, 'stopzone_policy_hits_total');
  const pid = stopzone.proc.child.pid!;
  const cpuBefore = { main: threadSeconds(pid), all: cpuSeconds(pid), waited: waitedSeconds(pid) };
  const steadyResponses = new Responses();
  const blockResponses = new Responses();
  let queuePeak = 0;
  let running = true;
  const watch = (async () => {
    while (running) {
      queuePeak = Math.max(queuePeak, await metric(stopzone.admin, 'stopzone_store_queue_events'));
      await sleep(1000);
    }
  })();
  const [steady, blocks] = await Promise.all([
    dnsperf({ label: `steady-${index}`, cpu: '0', dir: settings.dir, args: args('steady.txt', settings.steadyQps), responses: steadyResponses, timeoutS: 2 }),
    dnsperf({ label: `blocks-${index}`, cpu: '0', dir: settings.dir, args: args('blocked.txt', settings.blockQps), responses: blockResponses, timeoutS: 2 }),
  ]);
  const cpu = { main: threadSeconds(pid) - cpuBefore.main, all: cpuSeconds(pid) - cpuBefore.all };
  const waited = waitedSeconds(pid) - cpuBefore.waited;
  running = false;
  await watch;
  // Until the queue is empty (at most 10 s): what is still waiting is not lost.
  for (let i = 0; i < 100 && (await metric(stopzone.admin, 'stopzone_store_queue_events')) > 0; i++) await sleep(100);
  const result: Round = {
    store,
    steady: percentiles(steadyResponses, -Infinity, Infinity),
    blocks: percentiles(blockResponses, -Infinity, Infinity),
    answered: { steady: steady.completed, blocks: blocks.completed },
    hits: (await metric(stopzone.admin, 'stopzone_policy_hits_total')) - hitsBefore,
    written: await metric(stopzone.admin, 'stopzone_store_events_written_total'),
    dropped: await metric(stopzone.admin, 'stopzone_store_events_dropped_total'),
    queuePeak,
    cpu,
    waited,
    steadyResponses,
    blockResponses,
  };
  await stopProc(stopzone.proc);
  const p = (x: Percentiles): string => `p50 ${ms(x.p50)} p99 ${ms(x.p99)} p99.9 ${ms(x.p999)} max ${ms(x.max)} ms, lost ${x.lost}`;
  console.log(`round ${index}, store ${store ? 'on ' : 'off'}: steady ${steady.completed} answers (${p(result.steady)}); blocks ${blocks.completed} (${p(result.blocks)})`);
  console.log(`  CPU: answering thread ${cpu.main.toFixed(2)} s (and ${(waited * 1000).toFixed(0)} ms ready but waiting for its CPU), whole process ${cpu.all.toFixed(2)} s`);
  if (store) console.log(`  store: ${result.hits} block events, ${result.written} written, ${result.dropped} dropped, queue peak ${result.queuePeak} (1 s samples)`);
  return result;
}

/** Off, on, off, on...: a slow drift of the machine shows in both. */
export async function latencyRounds(settings: LatencySettings): Promise<void> {
  console.log(`\n== the store beside a DNS load: ${settings.steadyQps} cached answers and ${settings.blockQps} blocks a second, ${settings.seconds} s a round, ${settings.rounds} rounds each, interleaved ==`);
  console.log(`Stopzone (${launchLine()}) alone on CPU 1, its writing thread with it at nice 19; dnsperf x2 on CPU 0. load average: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  const rounds: Round[] = [];
  for (let i = 0; i < settings.rounds * 2; i++) rounds.push(await round(settings, i % 2 === 1, i + 1));
  const pooled = (store: boolean, which: 'steadyResponses' | 'blockResponses' | 'both'): Percentiles => {
    const all = new Responses();
    for (const r of rounds.filter((r) => r.store === store)) {
      for (const responses of which === 'both' ? [r.steadyResponses, r.blockResponses] : [r[which]]) {
        for (let i = 0; i < responses.count; i++) all.add(responses.sent[i]!, responses.latency[i]!);
        all.timeouts.push(...responses.timeouts);
      }
    }
    return percentiles(all, -Infinity, Infinity);
  };
  console.log('\nall rounds pooled, p99 (ms):           store off   store on   on / off');
  for (const [what, which] of [['steady (cached names)', 'steadyResponses'], ['blocked names', 'blockResponses'], ['all queries', 'both']] as const) {
    const off = pooled(false, which);
    const on = pooled(true, which);
    console.log(`  ${what.padEnd(34)} ${ms(off.p99).padStart(9)} ${ms(on.p99).padStart(10)}   ${(on.p99 / off.p99).toFixed(2)}x   (p99.9 ${ms(off.p999)} / ${ms(on.p999)}; lost ${off.lost} / ${on.lost})`);
  }
  const on = rounds.filter((r) => r.store);
  const hits = on.reduce((sum, r) => sum + r.hits, 0);
  const written = on.reduce((sum, r) => sum + r.written, 0);
  const dropped = on.reduce((sum, r) => sum + r.dropped, 0);
  console.log(`events: ${hits} block events with the store on, ${written} written, ${dropped} dropped, ${hits - written - dropped} unaccounted; queue peak ${Math.max(...on.map((r) => r.queuePeak))} of 10000`);
  // CPU time is what contention disturbs least: what the store costs the answering thread, per event, and the rest of the process.
  const mean = (store: boolean, which: 'main' | 'all'): number => {
    const picked = rounds.filter((r) => r.store === store);
    return picked.reduce((sum, r) => sum + r.cpu[which], 0) / picked.length;
  };
  const events = hits / on.length;
  console.log(`CPU a round (mean): answering thread ${mean(false, 'main').toFixed(2)} s off, ${mean(true, 'main').toFixed(2)} s on: ${(((mean(true, 'main') - mean(false, 'main')) / events) * 1e6).toFixed(1)} µs an event; other threads ${(mean(false, 'all') - mean(false, 'main')).toFixed(2)} s off, ${(mean(true, 'all') - mean(true, 'main')).toFixed(2)} s on (the writing thread among them)`);
}

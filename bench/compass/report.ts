/**
 * The report: per workload, each round's figures and the medians, then the summary lines CI prints (the ratios,
 * never a pass/fail on timing). Lost queries are shouted: the goal is none in every run.
 */
import { recordsText, type BlockRecords } from '../lib/block-records.js';
import type { RunFigures } from './measure.js';
import type { Round, ServerRound } from './round.js';
import { CHALLENGER_NAME, CLIENTS, label, OUTSTANDING, ROUNDS, SECONDS } from './settings.js';

/** A workload's outcome: its rounds, or why it did not run. */
export interface WorkloadResult {
  /** "(a)", "(b)", "(c)" as the issue names them; "" for the cache-hits line. */
  readonly tag: string;
  readonly name: string;
  readonly threads: number;
  readonly title: string;
  readonly setup: string;
  readonly rounds: Round[];
}

const median = (values: number[]): number => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const ratio = (round: Round): number => round.stopzone.capacity.qps / round.unbound.capacity.qps;
const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const lostOf = (figures: ServerRound): number => figures.capacity.lost + figures.atRate.lost;

/** "workload (c)", "workload hits". */
/** "(b) compass", "hits". */
const short = (result: WorkloadResult): string => (result.tag === '' ? result.name : `${result.tag} ${result.name}`);

const HEADER = 'round  server       qps  ratio  CPU µs/q  CPU %  wait %  |  rate qps  p50 ms  p99 ms  CPU µs/q  lost  |  RSS MiB';

/** One server's line: capacity figures, then the fixed-rate run's, then RSS. */
function row(label: string, server: string, figures: { capacity: Pick<RunFigures, 'qps' | 'cpuUs' | 'cpuPercent' | 'waitPercent' | 'rssKiB'>; atRate: { rate: number; p50: number; p99: number; cpuUs: number } }, lost: number, ratioText: string): string {
  const { capacity, atRate } = figures;
  return (
    `${label.padEnd(6)} ${server.padEnd(8)} ${fixed(capacity.qps, 0).padStart(8)}  ${ratioText.padStart(5)}  ${fixed(capacity.cpuUs, 1).padStart(8)}  ${fixed(capacity.cpuPercent, 0).padStart(5)}  ${fixed(capacity.waitPercent, 0).padStart(6)}  |  ` +
    `${fixed(atRate.rate, 0).padStart(8)}  ${fixed(atRate.p50, 2).padStart(6)}  ${fixed(atRate.p99, 2).padStart(6)}  ${fixed(atRate.cpuUs, 1).padStart(8)}  ${String(lost).padStart(4)}${lost > 0 ? ' LOST' : ''}  |  ${fixed(capacity.rssKiB / 1024, 0).padStart(7)}`
  );
}

/** The median of every figure of one server over the rounds. */
function medians(rounds: Round[], kind: 'unbound' | 'stopzone'): Parameters<typeof row>[2] {
  const of = (pick: (r: ServerRound) => number): number => median(rounds.map((r) => pick(r[kind])));
  return {
    capacity: { qps: of((r) => r.capacity.qps), cpuUs: of((r) => r.capacity.cpuUs), cpuPercent: of((r) => r.capacity.cpuPercent), waitPercent: of((r) => r.capacity.waitPercent), rssKiB: of((r) => r.capacity.rssKiB) },
    atRate: { rate: of((r) => r.atRate.rate), p50: of((r) => r.atRate.p50), p99: of((r) => r.atRate.p99), cpuUs: of((r) => r.atRate.cpuUs) },
  };
}

/** A workload's table. */
function table(result: WorkloadResult): string[] {
  const lines = [`== ${result.title} ==`, `   ${result.setup}`];
  lines.push(`   ${result.rounds[0]?.agree ?? ''}`, HEADER);
  for (const round of result.rounds) {
    const first = round.order[0] === 'unbound' ? 'U' : CHALLENGER_NAME[0];
    lines.push(row(`${round.round} ${first}>`, 'unbound', round.unbound, lostOf(round.unbound), ''));
    lines.push(row('', label('stopzone'), round.stopzone, lostOf(round.stopzone), fixed(ratio(round), 3)));
  }
  const lost = (kind: 'unbound' | 'stopzone'): number => result.rounds.reduce((sum, r) => sum + lostOf(r[kind]), 0);
  lines.push(row('median', 'unbound', medians(result.rounds, 'unbound'), lost('unbound'), ''));
  lines.push(row('', label('stopzone'), medians(result.rounds, 'stopzone'), lost('stopzone'), fixed(median(result.rounds.map(ratio)), 3)));
  return [...lines, ...recordLines(result), ...threadLines(result), ...warnings(result)];
}

/** Stopzone's block records over the rounds of a workload, by run: what its block log and event store kept. */
function recordsOf(results: readonly WorkloadResult[], run: 'capacity' | 'atRate'): BlockRecords {
  const sum = { logDropped: 0, storeWritten: 0, storeDropped: 0, storeQueued: 0 };
  for (const result of results) {
    for (const round of result.rounds) {
      const records = round.stopzone[run].records;
      if (records === null) continue;
      sum.logDropped += records.logDropped;
      sum.storeWritten += records.storeWritten;
      sum.storeDropped += records.storeDropped;
      sum.storeQueued += records.storeQueued;
    }
  }
  return sum;
}

const anyRecords = (records: BlockRecords): boolean => records.logDropped + records.storeWritten + records.storeDropped > 0;

/**
 * The workload's block records, when it has policy hits: a block log and an event store that drop rather than
 * delay an answer, and at capacity on one CPU their low-priority writers get little of it (Unbound keeps none).
 */
function recordLines(result: WorkloadResult): string[] {
  const [capacity, atRate] = [recordsOf([result], 'capacity'), recordsOf([result], 'atRate')];
  if (!anyRecords(capacity) && !anyRecords(atRate)) return [];
  return [`   Stopzone's block records, sum of the rounds: capacity runs: ${recordsText(capacity)}; latency runs: ${recordsText(atRate)}`];
}

/**
 * Where Stopzone's CPU went in each round's capacity run, by thread: with workers, how the kernel spread the load
 * generator's sockets over them, and whether the event store's writer got CPU (the rates of (c) follow both).
 */
function threadLines(result: WorkloadResult): string[] {
  return result.rounds.flatMap(({ round, stopzone }) => (stopzone.capacity.threads === null ? [] : [`   round ${round}: ${CHALLENGER_NAME}'s CPU ms by thread in its capacity run: ${stopzone.capacity.threads}`]));
}

/** What makes a round's figures doubtful, one line each: lost queries (loud), a query file run through, a run disturbed, a rate not kept, a baseline that was not the limit. */
function warnings(result: WorkloadResult): string[] {
  const out: string[] = [];
  for (const round of result.rounds) {
    const disturbed: string[] = [];
    for (const kind of ['unbound', 'stopzone'] as const) {
      const figures = round[kind];
      for (const [run, f] of [['capacity', figures.capacity], ['latency', figures.atRate]] as const) {
        if (f.lost > 0) out.push(`   !!! LOST QUERIES: ${label(kind)} lost ${f.lost} in the ${run} run of round ${round.round} (the goal is 0); the kernel dropped ${f.socketDrops} at its socket and ${f.machineDrops} at all UDP sockets of the machine (full buffers) !!!`);
        if (f.endOfFile) out.push(`   warning: ${label(kind)} reached the end of the query file in the ${run} run of round ${round.round}: its qps is a floor`);
        if (f.waitPercent > 10) disturbed.push(`${label(kind)} ${f.waitPercent.toFixed(0)} % of its ${run} run`);
      }
      const { atRate } = figures;
      if (atRate.qps < 0.95 * atRate.rate) out.push(`   round ${round.round}: ${label(kind)} answered ${atRate.qps.toFixed(0)} of the ${atRate.rate} qps asked in the latency run: beyond what it managed, its latency is queueing`);
    }
    if (disturbed.length > 0) out.push(`   round ${round.round} disturbed: the server's main thread waited for the CPU (${disturbed.join(', ')})`);
    const unbound = round.unbound.capacity;
    if (unbound.cpuPercent + unbound.waitPercent < 90 * result.threads) {
      out.push(`   round ${round.round}: Unbound used ${unbound.cpuPercent.toFixed(0)} % of a CPU and waited ${unbound.waitPercent.toFixed(0)} % in its capacity run: idle the rest, so the load generator, not Unbound, set its rate (compare CPU µs/q)`);
    }
  }
  return out;
}

/** The whole report; the last lines start with "bench: " (CI shows them). */
export function render(results: WorkloadResult[], header: string[]): string {
  const lines = [
    ...header,
    `dnsperf -c ${CLIENTS} -q ${OUTSTANDING} -l ${SECONDS} -n 1 -t 2 -b 4096 (capacity) and -q 2000 -Q <half of the slower server's capacity in the round> (latency); ${ROUNDS} round(s); "1 U>" = round 1, Unbound first`,
    `columns: from the capacity run, qps, ratio (${CHALLENGER_NAME}/Unbound), CPU µs/q (utime + stime of the server from /proc over the run / answered queries), CPU % (of one CPU) and`,
    '  wait % (its main thread runnable but waiting for the CPU, from schedstat: above ~10 % other work held it back); from the latency run, its rate, p50, p99, CPU µs/q;',
    '  lost: both runs (no answer within 2 s); RSS after the capacity run. Medians over the rounds (lost: the sum).',
    "  Stopzone's block records: what its block log and event store dropped (bounded queues, never delaying an answer) and wrote; Unbound keeps none.",
    '',
  ];
  for (const result of results) lines.push(...table(result), '');
  const ratios = results.map((r) => `${short(r)} ${fixed(median(r.rounds.map(ratio)), 3)}`);
  const cpu = results.map((r) => `${short(r)} ${fixed(medians(r.rounds, 'unbound').capacity.cpuUs, 1)}/${fixed(medians(r.rounds, 'stopzone').capacity.cpuUs, 1)}`);
  const p99 = results.map((r) => `${short(r)} ${fixed(medians(r.rounds, 'unbound').atRate.p99, 2)}/${fixed(medians(r.rounds, 'stopzone').atRate.p99, 2)}`);
  const lost = results.reduce((sum, r) => sum + r.rounds.reduce((s, round) => s + lostOf(round.unbound) + lostOf(round.stopzone), 0), 0);
  lines.push(`bench: ${CHALLENGER_NAME}/Unbound qps, medians of ${ROUNDS} round(s) of ${SECONDS} s: ${ratios.join(', ')}`);
  lines.push(`bench: CPU µs/query at capacity (Unbound/${CHALLENGER_NAME}): ${cpu.join(', ')}; p99 ms at half the slower one's capacity: ${p99.join(', ')}`);
  lines.push(lost === 0 ? 'bench: queries lost: 0' : `bench: !!! QUERIES LOST: ${lost} (the goal is 0 in every run) !!!`);
  const [capacity, atRate] = [recordsOf(results, 'capacity'), recordsOf(results, 'atRate')];
  if (anyRecords(capacity) || anyRecords(atRate)) lines.push(`bench: Stopzone's block records: at capacity ${recordsText(capacity)}; at half capacity ${recordsText(atRate)}`);
  return lines.join('\n');
}

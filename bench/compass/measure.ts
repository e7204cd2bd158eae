/**
 * The two runs each server gets in a round: capacity (dnsperf -q OUTSTANDING, as fast as the server answers) and
 * latency at a fixed rate (dnsperf -Q, half of the slower server's capacity in the same round). Beside each: the server's
 * CPU time over the run from /proc/PID/stat (utime + stime of all its threads) per answered query, and its RSS.
 */
import { cpuSeconds, rssKiB, mainThreadWaitNs, threadCpu, threadCpuText, udpBufferErrors, udpDrops } from '../lib/sampler.js';
import { blockRecords, recordsBetween, type BlockRecords } from '../lib/block-records.js';
import { dnsperf, percentiles, Responses } from '../lib/dnsperf.js';
import { ADDR } from '../lib/processes.js';
import type { Server } from './servers.js';
import { CLIENTS, LOAD_CPU, OUTSTANDING, SECONDS, TIMEOUT_S, TMP } from './settings.js';

/** A run's figures. */
export interface RunFigures {
  readonly qps: number;
  readonly completed: number;
  readonly lost: number;
  /** Queries the kernel dropped at the server's socket during the run (its receive buffer was full). */
  readonly socketDrops: number;
  /** Receive-buffer drops and refused sends on the whole machine during the run (the load generator's sockets among them). */
  readonly machineDrops: number;
  /** The server's CPU time per answered query, microseconds. */
  readonly cpuUs: number;
  /** The server's CPU time over the run's wall time, percent of one CPU. */
  readonly cpuPercent: number;
  /**
   * How long the server's main thread (Stopzone's answering loop, Unbound's first thread) waited for a CPU while
   * runnable, percent of the run: the machine's other work, or the server's own other threads, holding it back.
   */
  readonly waitPercent: number;
  readonly rssKiB: number;
  /** dnsperf's response codes, e.g. "NOERROR 90%, NXDOMAIN 10%". */
  readonly rcodes: string;
  /** The run reached the end of its query file before its time: the figure is a floor. */
  readonly endOfFile: boolean;
  /** Stopzone's block records during the run (what its block log and event store kept); null for Unbound, which keeps none. */
  readonly records: BlockRecords | null;
  /** Stopzone's CPU by thread over the run (threadCpuText: its workers, main thread, store writer, V8's helpers); null for Unbound. */
  readonly threads: string | null;
}

/** Figures of a fixed-rate run: latency percentiles (ms) too. */
export interface RateFigures extends RunFigures {
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
}

async function run(server: Server, label: string, args: string[], responses?: Responses): Promise<RunFigures> {
  const cpuBefore = cpuSeconds(server.pid);
  const dropsBefore = udpDrops(server.port);
  const waitBefore = mainThreadWaitNs(server.pid);
  const errorsBefore = udpBufferErrors();
  const recordsBefore = server.admin === undefined ? null : await blockRecords(server.admin);
  const threadsBefore = server.kind === 'stopzone' ? threadCpu(server.pid) : null;
  // -b 4096: dnsperf's sockets get the servers' receive buffer (4 MiB): when the load generator is starved of CPU
  // for a moment, the answers wait in its buffer instead of counting as the server's losses.
  const common = ['-s', ADDR, '-p', String(server.port), '-n', '1', '-l', String(SECONDS), '-c', String(CLIENTS), '-t', String(TIMEOUT_S), '-b', '4096'];
  const summary = await dnsperf({ label, cpu: LOAD_CPU, dir: TMP, args: [...common, ...args], ...(responses && { responses, timeoutS: TIMEOUT_S }) });
  const cpu = cpuSeconds(server.pid) - cpuBefore;
  const threads = threadsBefore === null ? null : threadCpuText(threadsBefore, threadCpu(server.pid));
  const errorsAfter = udpBufferErrors();
  const records = recordsBefore === null ? null : recordsBetween(recordsBefore, await blockRecords(server.admin!));
  const wallS = (summary.ended - summary.started) / 1000;
  const waitS = (mainThreadWaitNs(server.pid) - waitBefore) / 1e9;
  return {
    qps: summary.qps,
    completed: summary.completed,
    lost: summary.lost,
    socketDrops: udpDrops(server.port) - dropsBefore,
    machineDrops: errorsAfter.rcvbuf + errorsAfter.sndbuf - errorsBefore.rcvbuf - errorsBefore.sndbuf,
    cpuUs: (cpu * 1e6) / summary.completed,
    cpuPercent: (cpu * 100) / wallS,
    waitPercent: (waitS * 100) / wallS,
    rssKiB: rssKiB(server.pid),
    rcodes: summary.rcodes,
    endOfFile: summary.text.includes('end of file'),
    records,
    threads,
  };
}

/** As many queries as the server answers with OUTSTANDING in flight, for SECONDS. */
export function capacityRun(server: Server, file: string, label: string): Promise<RunFigures> {
  return run(server, label, ['-d', file, '-q', String(OUTSTANDING)]);
}

/** `rate` queries a second for SECONDS; every response's latency kept. */
export async function rateRun(server: Server, file: string, rate: number, label: string): Promise<RateFigures> {
  const responses = new Responses();
  const figures = await run(server, label, ['-d', file, '-q', '2000', '-Q', String(rate)], responses);
  const { p50, p99 } = percentiles(responses, -Infinity, Infinity);
  return { ...figures, rate, p50, p99 };
}

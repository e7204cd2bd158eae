/** The RSS and CPU of one process, and how busy its CPU is, sampled every 250 ms from /proc. */
import { readdirSync, readFileSync } from 'node:fs';
import { cpuBusyTicks } from './quiet-machine.js';

/** One sample. */
export interface Sample {
  readonly t: number;
  readonly rssKiB: number;
  /** utime + stime, in clock ticks (1/100 s). */
  readonly ticks: number;
  /** Busy ticks of the process's CPU, all processes (from /proc/stat): minus `ticks`, what other processes took. */
  readonly cpuBusy: number;
  /**
   * Nanoseconds the main thread has spent runnable but waiting for the CPU, from its schedstat: what
   * tells a latency spike that another thread's CPU time caused (a scheduling delay) from one the thread caused
   * itself (a GC, a long task) or a lock.
   */
  readonly mainWaitNs: number;
}

/** The second field of the main thread's schedstat (time runnable but not running, ns); NaN where the kernel has none. */
export function mainThreadWaitNs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[1]);
  } catch {
    return NaN;
  }
}

/** Samples process `pid`, pinned to `cpus`, until stop(). */
export class Sampler {
  readonly samples: Sample[] = [];
  readonly #timer: NodeJS.Timeout;

  readonly pid: number;
  readonly cpus: string;
  constructor(pid: number, cpus: string) {
    this.pid = pid;
    this.cpus = cpus;
    this.#timer = setInterval(() => this.sample(), 250);
    this.sample();
  }

  sample(): void {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      this.samples.push({
        t: Date.now(),
        rssKiB: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN),
        ticks: Number(fields[11]) + Number(fields[12]),
        cpuBusy: cpuBusyTicks(this.cpus),
        mainWaitNs: mainThreadWaitNs(this.pid),
      });
    } catch {
      // the process is gone
    }
  }

  /** The process's peak RSS so far (VmHWM), in KiB. */
  hwmKiB(): number {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'))?.[1] ?? NaN);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  between(from: number, to: number): Sample[] {
    return this.samples.filter((s) => s.t >= from && s.t < to);
  }

  /** Percent of the process's CPU used by the process and by other processes over [from, to). */
  cpu(from: number, to: number): { self: number; others: number } {
    const ends = this.#ends(from, to);
    if (ends === null || ends.last.t - ends.first.t < 100) return { self: NaN, others: NaN };
    const { first, last } = ends;
    const seconds = (last.t - first.t) / 1000;
    const self = (last.ticks - first.ticks) / seconds;
    return { self, others: Math.max(0, (last.cpuBusy - first.cpuBusy) / seconds - self) };
  }

  /** Milliseconds the main thread waited for the CPU over [from, to). */
  mainWaitMs(from: number, to: number): number {
    const ends = this.#ends(from, to);
    return ends === null ? NaN : (ends.last.mainWaitNs - ends.first.mainWaitNs) / 1e6;
  }

  /** The first and last samples in [from, to), whose differences the counters above are; null when there are none. */
  #ends(from: number, to: number): { first: Sample; last: Sample } | null {
    const samples = this.between(from, to);
    return samples.length === 0 ? null : { first: samples[0]!, last: samples[samples.length - 1]! };
  }
}

/** The RSS of process `pid` now, in KiB (NaN when it is gone). */
export function rssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) process `pid` has used so far. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU ticks (user + system, 1/100 s) of each thread of process `pid`, by "name#tid". */
export function threadCpu(pid: number): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks.set(`${name}#${tid}`, Number(fields[11]) + Number(fields[12]));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return ticks;
}

/**
 * Milliseconds of CPU each thread took between two threadCpu() readings, by name, largest first: "stopzone-dns-0
 * 4950, stopzone-store 1730, MainThread 940, V8Worker 760" (threads of one name summed, those that took none left out).
 */
export function threadCpuText(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): string {
  const byName = new Map<string, number>();
  for (const [thread, ticks] of after) {
    const name = thread.slice(0, thread.lastIndexOf('#'));
    byName.set(name, (byName.get(name) ?? 0) + (ticks - (before.get(thread) ?? 0)) * 10);
  }
  return [...byName]
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${ms}`)
    .join(', ');
}

/**
 * Datagrams the kernel dropped at the UDP sockets bound to 127.0.0.1:`port` since they were opened (the drops
 * column of /proc/net/udp, summed over the sockets sharing the port): a full receive buffer, the server behind.
 */
export function udpDrops(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let drops = 0;
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === local) drops += Number(fields[12] ?? 0);
  }
  return drops;
}

/**
 * Datagrams dropped by the kernel for a full receive buffer and sends refused for a full send buffer, on the whole
 * machine since boot (/proc/net/snmp, Udp: RcvbufErrors, SndbufErrors): beside udpDrops, where else a loss happened
 * (the load generator's sockets, when it was starved of CPU).
 */
export function udpBufferErrors(): { rcvbuf: number; sndbuf: number } {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((line) => line.startsWith('Udp: '));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  const value = (name: string): number => Number(values[names.indexOf(name)] ?? NaN);
  return { rcvbuf: value('RcvbufErrors'), sndbuf: value('SndbufErrors') };
}

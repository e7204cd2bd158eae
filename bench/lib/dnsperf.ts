/** dnsperf as a benchmark's load generator: a run's summary, and with -v every response's latency dated by its send time. */
import { closeSync, mkdirSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPinned } from './processes.js';

/** Every response of a run: when its query was sent (epoch ms, arrival - latency) and its latency (ms). */
export class Responses {
  sent = new Float64Array(1 << 20);
  latency = new Float32Array(1 << 20);
  count = 0;
  /** Estimated send times of queries that timed out. */
  readonly timeouts: number[] = [];

  add(sent: number, latencyMs: number): void {
    if (this.count === this.sent.length) {
      const sentBigger = new Float64Array(this.sent.length * 2);
      sentBigger.set(this.sent);
      this.sent = sentBigger;
      const latencyBigger = new Float32Array(this.latency.length * 2);
      latencyBigger.set(this.latency);
      this.latency = latencyBigger;
    }
    this.sent[this.count] = sent;
    this.latency[this.count++] = latencyMs;
  }

  /** Latencies (ms, sorted) of the queries sent in [from, to). */
  window(from: number, to: number): Float32Array {
    const picked: number[] = [];
    for (let i = 0; i < this.count; i++) {
      const t = this.sent[i]!;
      if (t >= from && t < to) picked.push(this.latency[i]!);
    }
    return Float32Array.from(picked).sort();
  }

  lostIn(from: number, to: number): number {
    return this.timeouts.filter((t) => t >= from && t < to).length;
  }
}

/** What dnsperf printed at the end of a run, and when the run began and ended. */
export interface DnsperfSummary {
  readonly text: string;
  readonly sent: number;
  readonly completed: number;
  readonly lost: number;
  readonly qps: number;
  readonly rcodes: string;
  readonly started: number;
  readonly ended: number;
}

/**
 * Runs dnsperf on `cpu` with its output in a file in `dir`/dnsperf. With `responses`, it is run with -v and the
 * file is read every 20 ms while it runs: each response line is dated by when it was read (dnsperf's stdio buffer
 * and the polling make that up to ~25 ms late); a timed-out query is dated `timeoutS` before. A file, not a pipe: a
 * slow reader can never block dnsperf. A directory of its own, never the one a benchmark's zone file is in:
 * Stopzone watches a zone file through its directory, and dnsperf -v writes there some 10,000 times a second,
 * each write an event that wakes Stopzone's main thread (with two workers at 20,000 qps, 2.2 s of its CPU in a
 * 10-s run: bench/README.md, "A zone file's directory"; Unbound watches nothing).
 */
export async function dnsperf(options: { label: string; cpu: string; dir: string; args: string[]; responses?: Responses; timeoutS?: number }): Promise<DnsperfSummary> {
  const { label, responses } = options;
  const dir = join(options.dir, 'dnsperf');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `dnsperf-${label}.out`);
  const fd = openSync(path, 'w');
  const started = Date.now();
  const proc = startPinned(`dnsperf ${label}`, options.cpu, 'dnsperf', [...options.args, ...(responses ? ['-v'] : [])], { out: fd, err: fd });
  closeSync(fd);
  const other: string[] = [];
  const reader = openSync(path, 'r');
  const buffer = Buffer.alloc(4 << 20);
  let offset = 0;
  let rest = '';
  const drain = (): void => {
    for (;;) {
      const n = readSync(reader, buffer, 0, buffer.length, offset);
      if (n === 0) return;
      offset += n;
      const at = Date.now();
      const lines = (rest + buffer.toString('latin1', 0, n)).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('> ')) other.push(line);
        else if (responses === undefined) continue;
        // "> NOERROR name type 0.000123", or "> T name type" for a query that timed out
        else if (line.startsWith('> T ')) responses.timeouts.push(at - (options.timeoutS ?? 5) * 1000);
        else {
          const latencyMs = Number(line.slice(line.lastIndexOf(' ') + 1)) * 1000;
          responses.add(at - latencyMs, latencyMs);
        }
      }
    }
  };
  let code: number | null | undefined;
  void proc.exited.then((c) => (code = c));
  while (code === undefined) {
    drain();
    await sleep(20);
  }
  drain();
  closeSync(reader);
  const text = other.join('\n');
  if (code !== 0) throw new Error(`dnsperf ${label} exited with ${code}:\n${text}`);
  const number = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? NaN);
  return {
    text,
    sent: number(/Queries sent:\s+(\d+)/),
    completed: number(/Queries completed:\s+(\d+)/),
    lost: number(/Queries lost:\s+(\d+)/),
    qps: number(/Queries per second:\s+([\d.]+)/),
    rcodes: /Response codes:\s+(.*)/.exec(text)?.[1]?.trim() ?? '',
    started,
    ended: Date.now(),
  };
}

/** Count, losses and latency percentiles (ms) of the queries sent in a window. */
export interface Percentiles {
  readonly n: number;
  readonly lost: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Percentiles of the queries sent in [from, to) (nearest rank). */
export function percentiles(responses: Responses, from: number, to: number): Percentiles {
  const sorted = responses.window(from, to);
  const at = (q: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
  return { n: sorted.length, lost: responses.lostIn(from, to), p50: at(0.5), p99: at(0.99), p999: at(0.999), max: at(1) };
}

/** Milliseconds for a report: two decimals below 10, "-" when unknown. */
export const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 0) : '-');
/** KiB as whole MiB for a report, "-" when unknown. */
export const mib = (kib: number | null): string => (kib === null || !Number.isFinite(kib) ? '-' : `${(kib / 1024).toFixed(0)} MiB`);

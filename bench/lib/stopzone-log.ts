/** Follows Stopzone's JSON log (its stdout, in a file) while a benchmark runs, and scrapes its /metrics. */
import { closeSync, openSync, readSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { alive, type Proc } from './processes.js';

/** One line of Stopzone's own log. */
export interface LogEvent {
  readonly msg: string;
  readonly time: string;
  readonly level: number;
  readonly [key: string]: unknown;
}

/** When the event was logged (epoch ms, as Date.now()). */
export const eventTime = (event: LogEvent): number => Date.parse(event.time);

/** The events of a growing log file, read on demand. */
export class LogFollower {
  readonly events: LogEvent[] = [];
  readonly #fd: number;
  #offset = 0;
  #rest = '';
  readonly #buffer = Buffer.alloc(1 << 20);

  readonly path: string;
  constructor(path: string) {
    this.path = path;
    this.#fd = openSync(path, 'r');
  }

  /** Reads what was appended; keeps the process's own lines (block-log lines have no "name"). */
  poll(): void {
    for (;;) {
      const n = readSync(this.#fd, this.#buffer, 0, this.#buffer.length, this.#offset);
      if (n === 0) return;
      this.#offset += n;
      const lines = (this.#rest + this.#buffer.toString('utf8', 0, n)).split('\n');
      this.#rest = lines.pop()!;
      for (const line of lines) {
        if (!line.includes('"name":"stopzone"')) continue;
        try {
          this.events.push(JSON.parse(line) as LogEvent);
        } catch {
          // not JSON: ignore
        }
      }
    }
  }

  /** The first event from `fromIndex` on that passes `test`; throws on an error line, the process's exit or the timeout. */
  async waitFor(what: string, test: (event: LogEvent) => boolean, timeoutMs: number, process: Proc, fromIndex = 0): Promise<LogEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.poll();
      const found = this.events.slice(fromIndex).find(test);
      if (found !== undefined) return found;
      const failed = this.events.slice(fromIndex).find((e) => e.level >= 50);
      if (failed !== undefined) throw new Error(`Stopzone logged an error while waiting for ${what}: ${JSON.stringify(failed)}`);
      if (!alive(process)) throw new Error(`Stopzone exited while waiting for ${what}; its log:\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs / 1000} s; Stopzone's log:\n${this.tail()}`);
      await sleep(50);
    }
  }

  /** The last 20 events, one JSON line each, for error messages. */
  tail(): string {
    return this.events.slice(-20).map((e) => JSON.stringify(e)).join('\n');
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/** The lines of one scrape of Stopzone's /metrics at `admin` ("127.0.0.1:port"); none when it cannot be read. */
export async function scrapeMetrics(admin: string): Promise<string[]> {
  const text = await fetch(`http://${admin}/metrics`).then((response) => response.text()).catch(() => '');
  return text.split('\n');
}

/** The values of the named metrics (null for one not found), from one scrape; all null when it cannot be read. */
export async function metrics<Name extends string>(admin: string, names: readonly Name[]): Promise<Record<Name, number | null>> {
  const lines = await scrapeMetrics(admin);
  const value = (name: string): number | null => {
    const line = lines.find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
    return line === undefined ? null : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return Object.fromEntries(names.map((name) => [name, value(name)])) as Record<Name, number | null>;
}

/**
 * V8 heap (total, used) and external memory (ArrayBuffers; not the zones' name indexes, which are
 * SharedArrayBuffers V8 does not count), from one scrape of Stopzone's /metrics, in MiB.
 */
export async function memoryMetrics(admin: string): Promise<string> {
  const names = ['heap_size_total_bytes', 'heap_size_used_bytes', 'external_memory_bytes'] as const;
  const values = await metrics(admin, names.map((name) => `stopzone_process_nodejs_${name}` as const));
  const mib = (name: (typeof names)[number]): string => {
    const value = values[`stopzone_process_nodejs_${name}`];
    return value === null ? '-' : (value / 2 ** 20).toFixed(0);
  };
  return `V8 heap ${mib('heap_size_total_bytes')} MiB (used ${mib('heap_size_used_bytes')}), external ${mib('external_memory_bytes')} MiB`;
}

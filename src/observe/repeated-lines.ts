import type { Logger } from 'pino';

/** The levels a repeated line may be written at. */
export type RepeatLevel = 'info' | 'warn' | 'error';

/** One kind of line: when its minute began, and how many were left out since. */
interface Kind {
  level: RepeatLevel;
  windowStart: number;
  more: number;
  timer: NodeJS.Timeout | undefined;
}

/** Kinds remembered at most; callers name kinds in code (never from packet data), so this is a safety net. */
const MAX_KINDS = 1024;

/**
 * Keeps lines that a remote peer can cause once per packet (a refused NOTIFY,
 * a client over the rate limit) from flooding the log: the first line of a
 * kind in a window (a minute) is written, the others are only counted, and
 * when the window ends one summary line says how many were left out. Callers
 * ask `admit(kind, level)` and build the line's fields only when it says yes,
 * so a left-out line costs a Map lookup and an addition. The clock is
 * injected; a timer writes the summary when no further line of the kind
 * comes, and the next line of the kind writes it at once when the clock has
 * moved past the window (tests move the clock instead of waiting).
 */
export class RepeatedLines {
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #windowMs: number;
  readonly #kinds = new Map<string, Kind>();
  #closed = false;

  constructor(log: Logger, options: { now?: () => number; windowMs?: number } = {}) {
    this.#log = log;
    this.#now = options.now ?? Date.now;
    this.#windowMs = options.windowMs ?? 60_000;
  }

  /** Whether to write this line of `kind` now; when not, it is counted for the kind's summary. */
  admit(kind: string, level: RepeatLevel): boolean {
    const now = this.#now();
    let entry = this.#kinds.get(kind);
    if (entry !== undefined && now - entry.windowStart >= this.#windowMs) {
      this.#summarise(kind, entry);
      entry = undefined;
    }
    if (entry === undefined) {
      if (this.#kinds.size >= MAX_KINDS) this.#summariseAll();
      this.#kinds.set(kind, { level, windowStart: now, more: 0, timer: undefined });
      return true;
    }
    entry.more++;
    if (entry.timer === undefined && !this.#closed) this.#arm(kind, entry);
    return false;
  }

  /** Writes the summaries still pending and stops the timers (at shutdown). */
  close(): void {
    this.#closed = true;
    this.#summariseAll();
  }

  #summariseAll(): void {
    for (const [kind, entry] of this.#kinds) this.#summarise(kind, entry);
  }

  /** Writes the kind's summary when its window has ended, by the injected clock; until then waits the rest of it. */
  #arm(kind: string, entry: Kind): void {
    const left = entry.windowStart + this.#windowMs - this.#now();
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (this.#kinds.get(kind) !== entry) return;
      if (this.#now() - entry.windowStart >= this.#windowMs) this.#summarise(kind, entry);
      else this.#arm(kind, entry);
    }, Math.max(left, 1000));
    entry.timer.unref();
  }

  #summarise(kind: string, entry: Kind): void {
    clearTimeout(entry.timer);
    this.#kinds.delete(kind);
    if (entry.more === 0) return;
    const seconds = Math.round(this.#windowMs / 1000);
    const span = seconds === 60 ? 'the last minute' : `the last ${seconds} s`;
    this.#log[entry.level]({ kind, more: entry.more }, `${entry.more} more like this in ${span}: ${kind}`);
  }
}

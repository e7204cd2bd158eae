import type { Timers } from '../../src/runtime/bounded.js';

/**
 * Timers only the test moves: setTimeout registers, advance() runs those now
 * due in time order, and set() tells the test that a timer was set, so it can
 * wait on that event instead of sleeping.
 */
export class ManualTimers implements Timers {
  #now = 0;
  #next = 1;
  #pending = new Map<number, { at: number; callback: () => void }>();
  #onSet: Array<() => void> = [];

  setTimeout = (callback: () => void, ms: number): unknown => {
    const handle = this.#next++;
    this.#pending.set(handle, { at: this.#now + ms, callback });
    for (const wake of this.#onSet.splice(0)) wake();
    return handle;
  };

  clearTimeout = (handle: unknown): void => {
    this.#pending.delete(handle as number);
  };

  now = (): number => this.#now;

  /** Milliseconds moved so far. */
  get elapsed(): number {
    return this.#now;
  }

  /** How many timers are set and not yet due. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Resolves once at least `count` timers are pending. */
  async set(count = 1): Promise<void> {
    while (this.#pending.size < count) await new Promise<void>((resolve) => this.#onSet.push(resolve));
  }

  /**
   * Moves time on a millisecond at a time, letting the event loop turn after
   * each, until no timer is pending (the work that set them has ended);
   * resolves with the time that took.
   */
  async runOut(): Promise<number> {
    const start = this.#now;
    while (this.#pending.size > 0) {
      this.advance(1);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return this.#now - start;
  }

  /** Moves time on by `ms`, running each timer due (earliest first, each at its own time). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let first: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#pending) if (entry[1].at <= end && (first === undefined || entry[1].at < first[1].at)) first = entry;
      if (first === undefined) break;
      this.#pending.delete(first[0]);
      this.#now = first[1].at;
      first[1].callback();
    }
    this.#now = end;
  }
}

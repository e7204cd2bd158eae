import type { ZoneClock } from '../../src/sources/file-settle.js';

/**
 * A ZoneClock that only the test moves: now() stands still, delay() resolves
 * when advance() passes its end. waited() tells the test that something is
 * waiting on the clock, so it can change the world and then move time.
 */
export class ManualClock implements ZoneClock {
  #now: number;
  #pending: Array<{ at: number; resolve: () => void }> = [];
  #onWait: Array<() => void> = [];

  constructor(start: number) {
    this.#now = start;
  }

  now = (): number => this.#now;

  delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.#pending.push({ at: this.#now + ms, resolve });
      for (const notify of this.#onWait.splice(0)) notify();
    });

  /** Resolves once a delay is pending (at once when one already is). */
  waited(): Promise<void> {
    return this.#pending.length > 0 ? Promise.resolve() : new Promise((resolve) => this.#onWait.push(resolve));
  }

  /** Moves time on by `ms` and ends the delays now due. */
  advance(ms: number): void {
    this.#now += ms;
    const due = this.#pending.filter((p) => p.at <= this.#now);
    this.#pending = this.#pending.filter((p) => p.at > this.#now);
    for (const { resolve } of due) resolve();
  }
}

/**
 * Counts a listener's queries in flight so that closing can wait for them:
 * on shutdown every query already received still gets its answer.
 */
export class InFlight {
  #count = 0;
  #idle: Array<() => void> = [];

  /** Tracks `work` until it settles, and returns it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#count++;
    return work.finally(() => {
      this.#count--;
      if (this.#count === 0) for (const wake of this.#idle.splice(0)) wake();
    });
  }

  get count(): number {
    return this.#count;
  }

  /** Resolves once nothing is in flight. */
  drained(): Promise<void> {
    return this.#count === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }
}

import { isPending, type Awaitable } from './awaitable.js';

/**
 * Counts a listener's queries in flight so that closing can wait for them:
 * on shutdown every query already received still gets its answer.
 */
export class InFlight {
  #count = 0;
  #idle: Array<() => void> = [];

  /**
   * Tracks `work` and then `deliver` (what is done with its result, e.g.
   * sending the answer) as one: drained() resolves only after every result was
   * delivered, so a listener that closes its socket then loses no answer. A
   * result already here is delivered at once, with nothing to track.
   */
  track<T>(work: Awaitable<T>, deliver: (value: T) => void = () => {}): void {
    if (!isPending(work)) {
      deliver(work);
      return;
    }
    this.#count++;
    // One reaction, not then() and finally(): this runs for every query that is not answered at once.
    void work.then(
      (value) => {
        try {
          deliver(value);
        } finally {
          this.#ended();
        }
      },
      (error: unknown) => {
        this.#ended();
        throw error;
      },
    );
  }

  #ended(): void {
    this.#count--;
    if (this.#count === 0) for (const wake of this.#idle.splice(0)) wake();
  }

  /** Resolves once nothing is in flight. */
  drained(): Promise<void> {
    return this.#count === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }
}

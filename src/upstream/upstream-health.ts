/** Health settings, from the `upstream` config section. */
export interface HealthOptions {
  readonly deadAfterFailures: number;
  readonly probeAfterMs: number;
  readonly now: () => number;
}

/** One upstream's place in a query's plan; a probe must be handed back with `release`. */
export interface PlannedTry {
  readonly index: number;
  readonly probe: boolean;
}

interface Entry {
  consecutiveFailures: number;
  lastFailureAt: number;
  probing: boolean;
}

/**
 * Consecutive-failure bookkeeping for the upstreams, by index in config order.
 * An upstream with `deadAfterFailures` failures in a row is dead: skipped
 * until `probeAfterMs` has passed since its last failure, then handed to one
 * query at a time as a probe; one success makes it alive again.
 */
export class UpstreamHealth {
  readonly #entries: Entry[];
  readonly #options: HealthOptions;
  /** The plan while every upstream is alive: each in config order, none a probe. */
  readonly #everyAlive: readonly PlannedTry[];

  constructor(count: number, options: HealthOptions) {
    this.#options = options;
    this.#entries = Array.from({ length: count }, () => ({ consecutiveFailures: 0, lastFailureAt: 0, probing: false }));
    this.#everyAlive = Object.freeze(Array.from({ length: count }, (_, index) => Object.freeze({ index, probe: false })));
  }

  /**
   * The upstreams one query should try, in order: the alive ones and any dead
   * one due for a probe, in config order. When that leaves none, every
   * upstream, the longest-failed first: trying beats failing untried.
   */
  plan(): readonly PlannedTry[] {
    // The common case, every upstream alive: one plan, made once (a miss asks for one).
    if (this.#allAlive()) return this.#everyAlive;
    const now = this.#options.now();
    const plan: PlannedTry[] = [];
    this.#entries.forEach((entry, index) => {
      if (this.#alive(entry)) {
        plan.push({ index, probe: false });
      } else if (!entry.probing && now - entry.lastFailureAt >= this.#options.probeAfterMs) {
        entry.probing = true;
        plan.push({ index, probe: true });
      }
    });
    if (plan.length > 0) return plan;
    return this.#entries
      .map((entry, index) => ({ entry, index }))
      .sort((a, b) => a.entry.lastFailureAt - b.entry.lastFailureAt)
      .map(({ index }) => ({ index, probe: false }));
  }

  /** Hands back the probes of a plan, tried or not, so that a later query may probe again. */
  release(plan: readonly PlannedTry[]): void {
    for (const tried of plan) if (tried.probe) this.#entries[tried.index]!.probing = false;
  }

  /** Records an answer: the upstream is alive, its failure count reset. */
  succeeded(index: number): void {
    this.#entries[index]!.consecutiveFailures = 0;
  }

  /** Records a failure (timeout, error, failing RCODE) at the clock's now. */
  failed(index: number): void {
    const entry = this.#entries[index]!;
    entry.consecutiveFailures += 1;
    entry.lastFailureAt = this.#options.now();
  }

  /** Per upstream, in config order: alive or dead, and the failures in a row. */
  status(): Array<{ alive: boolean; consecutiveFailures: number }> {
    return this.#entries.map((entry) => ({ alive: this.#alive(entry), consecutiveFailures: entry.consecutiveFailures }));
  }

  #allAlive(): boolean {
    for (const entry of this.#entries) if (!this.#alive(entry)) return false;
    return true;
  }

  #alive(entry: Entry): boolean {
    return entry.consecutiveFailures < this.#options.deadAfterFailures;
  }
}

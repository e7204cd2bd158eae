import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Time given to a replaced version before a collection is asked for. Longer
 * than a query holds a policy set (upstream.deadlineMs, 3 s by default; a
 * version a slower query still holds is simply tried again), and short enough
 * that memory is back well within the 30 s the reload benchmark allows: with
 * 30 s here, the collection raced that measurement and lost it once (bench/HISTORY.md, 2026-11-23, last).
 */
const GRACE_MS = 10_000;
/** Collections asked for one version at most (a query still holding it makes the first one miss it). */
const ATTEMPTS = 3;

type Collect = () => Promise<void>;

/**
 * Sees to it that replaced zone versions are freed. Their indexes live in
 * SharedArrayBuffers (src/rpz/shared-arrays.ts), which V8 leaves out of its heap
 * accounting (a shared backing store counts 0 bytes per isolate), so nothing
 * makes V8 collect a version no longer used: on a quiet server they piled up,
 * 50 MiB per reload of a 1,000,000-rule zone; under load V8 can go a minute
 * without a major collection. Each replaced version is held weakly; one still
 * alive GRACE_MS after its swap gets a major collection asked for. That
 * collection stops the thread for the whole of it (28–55 ms under load in
 * bench/HISTORY.md, 2026-11-23, last, against a final pause of 11–16 ms for one V8 starts by
 * itself), which on a quiet server meets few queries. Reloads in quick
 * succession do not wait: a version replaced while an older one is still
 * alive asks at once, so that versions do not pile up.
 */
export class OldVersions {
  readonly #graceMs: number;
  readonly #collect: Collect;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Replaced versions not yet known to be freed. */
  #waiting: Array<WeakRef<object>> = [];

  constructor(graceMs = GRACE_MS, collect: Collect = majorCollection()) {
    this.#graceMs = graceMs;
    this.#collect = collect;
  }

  /** `version` has just been replaced (or dropped) and must be freed. */
  replaced(version: object): void {
    const ref = new WeakRef(version);
    this.#waiting = this.#waiting.filter((older) => older.deref() !== undefined);
    if (this.#waiting.length > 0) void this.#collect();
    this.#waiting.push(ref);
    this.#check(ref, ATTEMPTS);
  }

  /** Stops watching (server shutdown). */
  close(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #check(version: WeakRef<object>, attempts: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (version.deref() === undefined) return;
      void this.#collect().then(() => {
        if (attempts > 1) this.#check(version, attempts - 1);
      });
    }, this.#graceMs);
    timer.unref();
    this.#timers.add(timer);
  }
}

/** V8's major collection, run from a task (the `gc` of --expose-gc, taken from a new context once the flag is set). */
export function majorCollection(): Collect {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options: { type: 'major'; execution: 'async' }) => Promise<void>;
  return () => gc({ type: 'major', execution: 'async' });
}

/**
 * Counters that several threads add to and any reads, in one SharedArrayBuffer: each is two 32-bit words
 * (low, high) added to with Atomics, so no count is lost to a race and none wraps at 2^32. A read while
 * another thread carries into the high word may be off by one carry for that instant.
 */
export class SharedCounters {
  readonly words: Uint32Array;

  /** `count` counters at 0, or those of `words` (another SharedCounters' `words`, from another thread). */
  constructor(count: number, words?: Uint32Array) {
    this.words = words ?? new Uint32Array(new SharedArrayBuffer(count * 8));
  }

  /** Adds 1 to counter `index`. */
  increment(index: number): void {
    if (Atomics.add(this.words, index * 2, 1) === 0xffffffff) Atomics.add(this.words, index * 2 + 1, 1);
  }

  /** Counter `index` now. */
  get(index: number): number {
    return Atomics.load(this.words, index * 2 + 1) * 2 ** 32 + Atomics.load(this.words, index * 2);
  }
}

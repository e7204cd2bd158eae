import { randomInt } from 'node:crypto';
import { sharedArray } from '../../rpz/shared-arrays.js';

/** Slots a key may live in (a set): the least recently seen of them gives way to a new key. */
const WAYS = 4;

/** What a bucket table is built with. */
export interface BucketLimits {
  /** Tokens added each second. */
  readonly ratePerSecond: number;
  /** Tokens a bucket holds at most, and holds when new. */
  readonly burst: number;
  /** Buckets kept at most; rounded up to a power of two. */
  readonly maxKeys: number;
  /** The hash seed (random by default; tests fix it to be repeatable). */
  readonly seed?: number;
}

/** A bucket table's arrays, in SharedArrayBuffers, and its hash seed: what every answering thread's PrefixBuckets shares. */
export interface BucketTables {
  readonly seed: number;
  readonly keys: Uint32Array;
  readonly used: Uint8Array;
  readonly tokens: Float64Array;
  readonly stamp: Float64Array;
  readonly touched: Float64Array;
  readonly limited: Uint32Array;
}

/**
 * Token buckets keyed by a 128-bit key (a client prefix), in a fixed-size,
 * 4-way set-associative table of typed arrays: memory is set at start-up
 * whatever the number of distinct keys (spoofed random sources only push
 * each other out), and a lookup allocates nothing. A key that was pushed out
 * comes back with a full bucket, so the table errs towards answering. The
 * set is chosen by a hash seeded at random per process, so a sender cannot
 * aim keys at another's set.
 *
 * The arrays are SharedArrayBuffers, so that answering loops in worker threads
 * can share one table (`tables`): a client's queries, which the kernel spreads
 * over the loops, draw on one bucket. Loops update it without locks: two
 * updates of one bucket at the same instant can lose one (a token taken twice,
 * a key written over), which errs towards answering too, as does the order of
 * use, counted per loop, by which a full set picks the key to push out.
 */
export class PrefixBuckets {
  readonly #rate: number;
  readonly #burst: number;
  readonly #setMask: number;
  readonly #seed: number;
  readonly #keys: Uint32Array;
  readonly #used: Uint8Array;
  readonly #tokens: Float64Array;
  readonly #stamp: Float64Array;
  /** When each slot was last used, counted in lookups (a clock in milliseconds cannot order a burst). */
  readonly #touched: Float64Array;
  readonly #limited: Uint32Array;
  #lookups = 0;

  /** `tables`: another PrefixBuckets' (same limits), to share its buckets; left out, a table of its own. */
  constructor(limits: BucketLimits, tables?: BucketTables) {
    this.#rate = limits.ratePerSecond / 1000;
    this.#burst = limits.burst;
    let size = WAYS;
    while (size < limits.maxKeys) size *= 2;
    this.#setMask = size / WAYS - 1;
    const table = tables ?? {
      seed: limits.seed ?? randomInt(2 ** 31),
      keys: sharedArray(Uint32Array, size * 4),
      used: sharedArray(Uint8Array, size),
      tokens: sharedArray(Float64Array, size),
      stamp: sharedArray(Float64Array, size),
      touched: sharedArray(Float64Array, size),
      limited: sharedArray(Uint32Array, size),
    };
    this.#seed = table.seed;
    this.#keys = table.keys;
    this.#used = table.used;
    this.#tokens = table.tokens;
    this.#stamp = table.stamp;
    this.#touched = table.touched;
    this.#limited = table.limited;
  }

  /** The shared arrays and seed, for another thread's PrefixBuckets. */
  get tables(): BucketTables {
    return { seed: this.#seed, keys: this.#keys, used: this.#used, tokens: this.#tokens, stamp: this.#stamp, touched: this.#touched, limited: this.#limited };
  }

  /**
   * Takes a token from the bucket of key (k0..k3) at time `now` (ms): -1 when
   * there was one; otherwise the bucket's slot, and the query is over the
   * limit (queries over the limit take nothing, so a sender that slows down
   * to the rate is answered in full again at once).
   */
  take(k0: number, k1: number, k2: number, k3: number, now: number): number {
    const base = (this.#hash(k0, k1, k2, k3) & this.#setMask) * WAYS;
    let slot = -1;
    let victim = base;
    for (let way = 0; way < WAYS; way++) {
      const at = base + way;
      if (this.#used[at] === 0) {
        if (this.#used[victim] !== 0) victim = at;
        continue;
      }
      const k = at * 4;
      if (this.#keys[k] === k0 && this.#keys[k + 1] === k1 && this.#keys[k + 2] === k2 && this.#keys[k + 3] === k3) {
        slot = at;
        break;
      }
      if (this.#used[victim] !== 0 && this.#touched[at]! < this.#touched[victim]!) victim = at;
    }
    if (slot < 0) {
      slot = victim;
      const k = slot * 4;
      this.#keys[k] = k0;
      this.#keys[k + 1] = k1;
      this.#keys[k + 2] = k2;
      this.#keys[k + 3] = k3;
      this.#used[slot] = 1;
      this.#tokens[slot] = this.#burst;
      this.#stamp[slot] = now;
      this.#limited[slot] = 0;
    } else if (now > this.#stamp[slot]!) {
      this.#tokens[slot] = Math.min(this.#burst, this.#tokens[slot]! + (now - this.#stamp[slot]!) * this.#rate);
      this.#stamp[slot] = now;
    }
    this.#touched[slot] = ++this.#lookups;
    if (this.#tokens[slot]! >= 1) {
      this.#tokens[slot]! -= 1;
      return -1;
    }
    return slot;
  }

  /** Counts one more query over the limit in `slot` (as take() returned it); returns the count, for slip's every-Nth. */
  countLimited(slot: number): number {
    return ++this.#limited[slot]!;
  }

  /** Keys the table has room for. */
  get capacity(): number {
    return this.#used.length;
  }

  #hash(k0: number, k1: number, k2: number, k3: number): number {
    let h = this.#seed;
    h = Math.imul(h ^ k0, 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h ^ k1, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h ^ k2, 0xc2b2ae35);
    h ^= h >>> 16;
    h = Math.imul(h ^ k3, 0x27d4eb2f);
    return h ^ (h >>> 15);
  }
}

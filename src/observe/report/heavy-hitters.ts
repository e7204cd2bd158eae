/** One counted key: `count` is an upper bound, `count - overcount` a lower bound on its true count. */
export interface HeavyHitter {
  readonly key: string;
  readonly count: number;
  /** How much `count` may exceed the true count (0 while the table never overflowed). */
  readonly overcount: number;
}

/**
 * A copy of `text` that shares no memory with it. V8 makes a slice of 13 or
 * more characters a view into its parent: a key cut out of a line, itself cut
 * out of a 1 MiB chunk of the file, would keep the whole chunk alive for as
 * long as the table holds the key.
 */
export function detach(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8');
}

interface Slot {
  key: string;
  count: number;
  overcount: number;
  /** Position in the min-heap. */
  at: number;
}

/**
 * The most frequent keys of a stream in bounded memory: Space-Saving
 * (Metwally, Agrawal, El Abbadi, "Efficient computation of frequent and top-k
 * elements in data streams", 2005). Keeps at most `capacity` keys. While it
 * holds every distinct key the counts are exact; after that a new key
 * replaces the least counted one and inherits its count, so each count is
 * at most `overcount` too high, and any key seen more than total/capacity
 * times is guaranteed to be in the table.
 */
export class HeavyHitters {
  readonly #capacity: number;
  readonly #slots = new Map<string, Slot>();
  /** Min-heap on count: the root is the next to evict. */
  readonly #heap: Slot[] = [];
  #total = 0;
  #evictions = 0;

  constructor(capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`heavy-hitters capacity must be a positive integer, got ${capacity}`);
    this.#capacity = capacity;
  }

  /** Counts one occurrence of `key`. */
  add(key: string): void {
    this.#total++;
    const slot = this.#slots.get(key);
    if (slot !== undefined) {
      slot.count++;
      this.#down(slot.at);
      return;
    }
    key = detach(key);
    if (this.#heap.length < this.#capacity) {
      const fresh: Slot = { key, count: 1, overcount: 0, at: this.#heap.length };
      this.#heap.push(fresh);
      this.#slots.set(key, fresh);
      this.#up(fresh.at);
      return;
    }
    const least = this.#heap[0]!;
    this.#evictions++;
    this.#slots.delete(least.key);
    least.overcount = least.count;
    least.count++;
    least.key = key;
    this.#slots.set(key, least);
    this.#down(0);
  }

  /** Occurrences counted, exact. */
  get total(): number {
    return this.#total;
  }

  /** True once a key was evicted: counts are then estimates and `distinct` a lower bound. */
  get overflowed(): boolean {
    return this.#evictions > 0;
  }

  /** Distinct keys held (all distinct keys seen, unless overflowed). */
  get distinct(): number {
    return this.#heap.length;
  }

  /** The `n` highest counts, highest first (ties by key, for stable output). */
  top(n: number): HeavyHitter[] {
    return this.#heap
      .map(({ key, count, overcount }) => ({ key, count, overcount }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, n);
  }

  #up(at: number): void {
    const heap = this.#heap;
    const slot = heap[at]!;
    while (at > 0) {
      const parentAt = (at - 1) >> 1;
      const parent = heap[parentAt]!;
      if (parent.count <= slot.count) break;
      heap[at] = parent;
      parent.at = at;
      at = parentAt;
    }
    heap[at] = slot;
    slot.at = at;
  }

  #down(at: number): void {
    const heap = this.#heap;
    const size = heap.length;
    const slot = heap[at]!;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && heap[right]!.count < heap[child]!.count) child = right;
      const smaller = heap[child]!;
      if (smaller.count >= slot.count) break;
      heap[at] = smaller;
      smaller.at = at;
      at = child;
    }
    heap[at] = slot;
    slot.at = at;
  }
}

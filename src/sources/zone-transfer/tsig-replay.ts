import { FUDGE, type Clock } from './tsig.js';

/** Signed requests remembered at most; past this, the oldest is forgotten and nothing signed before it is accepted. */
const MAX_SEEN = 4096;

/**
 * The MACs of signed requests (NOTIFY) accepted within the time window, so
 * that a copy of one is refused. RFC 8945 section 5.2.3 asks a server to
 * remember the latest Time Signed per key and answer BADTIME to a request
 * signed earlier; an exact copy carries the same Time Signed, so this goes
 * one step further and remembers each MAC until its Time Signed plus fudge
 * has passed, when the time check refuses the copy anyway. Only verified
 * requests are recorded, so only a key holder can fill it; when it is full
 * the oldest is forgotten and every request signed no later than that one is
 * refused, so a replay never slips through a gap.
 */
export class SeenMacs {
  readonly #now: Clock;
  readonly #max: number;
  /** MAC (base64) -> when it may be forgotten (ms). Insertion order is nearly time order. */
  readonly #seen = new Map<string, { expires: number; timeSigned: number }>();
  /** Time Signed (s) of the newest request forgotten before its window ended. */
  #floor = -Infinity;

  constructor(options: { now?: Clock; max?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#max = options.max ?? MAX_SEEN;
  }

  /**
   * Records the MAC of a verified request signed at `timeSigned` (seconds)
   * with `fudge`; false when the MAC was seen already (a replay) or the
   * request is no newer than one the set had to forget.
   */
  fresh(mac: Buffer, timeSigned: number, fudge: number): boolean {
    const now = this.#now();
    for (const [key, entry] of this.#seen) {
      if (entry.expires > now) break;
      this.#seen.delete(key);
    }
    const key = mac.toString('base64');
    if (this.#seen.has(key) || timeSigned <= this.#floor) return false;
    if (this.#seen.size >= this.#max) {
      const [oldest, entry] = this.#seen.entries().next().value!;
      this.#seen.delete(oldest);
      this.#floor = Math.max(this.#floor, entry.timeSigned);
    }
    this.#seen.set(key, { expires: (timeSigned + Math.min(fudge, FUDGE)) * 1000 + 1000, timeSigned });
    return true;
  }
}

/**
 * How many answers a worker has sent the main thread for the block log that it has not handled yet, and how
 * many the worker dropped because too many were waiting: two 32-bit words in a SharedArrayBuffer, the first
 * added to by the worker and taken from by the main thread, the second the worker's count of drops. A
 * client flooding a worker with blocked names, while the main thread writes the block log more slowly than
 * the workers answer, can then make the main thread's message queue hold at most `limit` records per worker,
 * as the block log's own buffer holds at most blockLog.bufferEvents events.
 */
export class HitBacklog {
  readonly words: Int32Array;

  /** A new backlog, or the one whose `words` another thread shares. */
  constructor(words?: Int32Array) {
    this.words = words ?? new Int32Array(new SharedArrayBuffer(8));
  }

  /** The worker's side: true when one more record may be sent (and it is counted as waiting), false when it is dropped (and counted). */
  admit(limit: number): boolean {
    if (Atomics.load(this.words, 0) >= limit) {
      Atomics.add(this.words, 1, 1);
      return false;
    }
    Atomics.add(this.words, 0, 1);
    return true;
  }

  /** The main thread's side: `count` records were handled. */
  handled(count: number): void {
    // A replacement worker starts from 0 while its predecessor's last records may still arrive: never below 0.
    if (Atomics.sub(this.words, 0, count) - count < 0) Atomics.store(this.words, 0, 0);
  }

  /** A new worker takes this place: what its predecessor had waiting is gone with it. */
  reset(): void {
    Atomics.store(this.words, 0, 0);
  }

  /** Records waiting now. */
  get waiting(): number {
    return Atomics.load(this.words, 0);
  }

  /** Records the workers in this place dropped, since the pool started. */
  get dropped(): number {
    return Atomics.load(this.words, 1);
  }
}

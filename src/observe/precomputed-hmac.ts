import { createHash, type Hash } from 'node:crypto';

/** SHA-256's block size in bytes (RFC 2104's B). */
const BLOCK = 64;

/**
 * HMAC-SHA-256 (RFC 2104) with the key's two padded blocks hashed once, as RFC 2104 section 4 suggests ("the
 * intermediate results of the compression function on the B-byte blocks (K XOR ipad) and (K XOR opad) can be
 * precomputed only once"): each digest copies the two hash states (Hash.copy) instead of setting up a new HMAC,
 * which costs about 2.5 times as much per call (16 against 6 µs here). The output is createHmac('sha256', key)'s,
 * byte for byte (test/observe/precomputed-hmac.test.ts). The block log signs every event's reference code with it.
 */
export class PrecomputedHmac {
  readonly #inner: Hash;
  readonly #outer: Hash;

  constructor(key: string | Buffer) {
    let bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    if (bytes.length > BLOCK) bytes = createHash('sha256').update(bytes).digest();
    const padded = Buffer.alloc(BLOCK);
    bytes.copy(padded);
    this.#inner = createHash('sha256').update(padded.map((byte) => byte ^ 0x36));
    this.#outer = createHash('sha256').update(padded.map((byte) => byte ^ 0x5c));
  }

  /** HMAC-SHA-256 of `message` (UTF-8). */
  digest(message: string): Buffer {
    return this.#outer.copy().update(this.#inner.copy().update(message, 'utf8').digest()).digest();
  }
}

import { LRUCache } from 'lru-cache';
import type { Question } from '../dns/types.js';
import { cacheableAnswer, type TtlPolicy } from './answer-ttl.js';

/** The `cache` config section plus an injectable clock. */
export interface AnswerCacheOptions extends TtlPolicy {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly serveStale: boolean;
  readonly staleAnswerTtl: number;
  readonly maxStaleSeconds: number;
  /** Milliseconds clock; tests move it instead of sleeping. */
  readonly now?: () => number;
}

/**
 * One cached answer in a single buffer of its own: the message (without OPT),
 * then per record 6 bytes, its TTL field's offset (u16) and its capped TTL
 * (u32). One allocation per entry keeps the cache near 1 KiB of memory per
 * answer; separate typed arrays cost twice that. Shared and never mutated:
 * hits copy the message.
 */
interface Entry {
  readonly data: Buffer;
  readonly messageLength: number;
  readonly storedAt: number;
  readonly freshUntil: number;
  readonly staleUntil: number;
}

/** A cached answer, copied for one client with its TTLs counted down. */
export interface CacheHit {
  readonly message: Buffer;
  readonly rcode: number;
}

/** The cache key: lower-cased name, type, class, DO and CD bits. */
export function cacheKey(question: Question, dnssecOk: boolean, checkingDisabled: boolean): string {
  return `${question.lname}/${question.type}/${question.class}/${dnssecOk ? 1 : 0}${checkingDisabled ? 1 : 0}`;
}

/**
 * Memory per entry beyond its bytes (key, objects, LRU slots, V8 heap slack),
 * measured with 100,000 entries, so that maxBytes bounds what the process uses.
 */
const ENTRY_OVERHEAD = 900;

/**
 * Upstream answers by cache key, bounded by entries and bytes (LRU). TTLs are
 * honoured and counted down on every hit; expired entries can still be served
 * as stale answers (RFC 8767) when the caller says every upstream failed.
 */
export class AnswerCache {
  readonly #options: AnswerCacheOptions;
  readonly #now: () => number;
  readonly #entries: LRUCache<string, Entry> | null;

  constructor(options: AnswerCacheOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#entries =
      options.maxEntries > 0 && options.maxBytes > 0
        ? new LRUCache<string, Entry>({
            max: options.maxEntries,
            maxSize: options.maxBytes,
            sizeCalculation: (entry) => entry.data.length + ENTRY_OVERHEAD,
          })
        : null;
  }

  /** Stores a copy of an upstream answer (without OPT) if it is cacheable; says whether it did. */
  store(key: string, message: Buffer, questionEnd: number): boolean {
    if (this.#entries === null) return false;
    const cacheable = cacheableAnswer(message, questionEnd, this.#options);
    if (cacheable === null) return false;
    const storedAt = this.#now();
    const freshUntil = storedAt + cacheable.lifetime * 1000;
    const staleUntil = this.#options.serveStale ? freshUntil + this.#options.maxStaleSeconds * 1000 : freshUntil;
    // A buffer of its own: a slice of Node's shared 8 KiB pool would keep the whole slab alive.
    const data = Buffer.allocUnsafeSlow(message.length + cacheable.ttls.length * 6);
    message.copy(data);
    cacheable.ttlOffsets.forEach((offset, i) => {
      data.writeUInt16BE(offset, message.length + i * 6);
      data.writeUInt32BE(cacheable.ttls[i]!, message.length + i * 6 + 2);
    });
    this.#entries.set(key, { data, messageLength: message.length, storedAt, freshUntil, staleUntil });
    return true;
  }

  /** A fresh answer with TTLs decremented by its age, or undefined. */
  fresh(key: string): CacheHit | undefined {
    const entry = this.#entries?.get(key);
    if (entry === undefined) return undefined;
    const now = this.#now();
    if (now >= entry.freshUntil) {
      if (now >= entry.staleUntil) this.#entries!.delete(key);
      return undefined;
    }
    const age = Math.floor((now - entry.storedAt) / 1000);
    return copyWithTtls(entry, (ttl) => (ttl > age ? ttl - age : 0));
  }

  /** An expired answer still inside the serve-stale window, with the stale TTL, or undefined. */
  stale(key: string): CacheHit | undefined {
    const entry = this.#entries?.peek(key);
    if (entry === undefined || this.#now() >= entry.staleUntil) return undefined;
    const staleTtl = this.#options.staleAnswerTtl;
    return copyWithTtls(entry, () => staleTtl);
  }

  /** Entries held now. */
  get size(): number {
    return this.#entries?.size ?? 0;
  }

  /** Bytes accounted for now. */
  get bytes(): number {
    return this.#entries?.calculatedSize ?? 0;
  }
}

function copyWithTtls(entry: Entry, ttlFor: (storedTtl: number) => number): CacheHit {
  const { data, messageLength } = entry;
  const message = Buffer.allocUnsafe(messageLength);
  data.copy(message, 0, 0, messageLength);
  for (let at = messageLength; at < data.length; at += 6) message.writeUInt32BE(ttlFor(data.readUInt32BE(at + 2)), data.readUInt16BE(at));
  return { message, rcode: message[3]! & 0x0f };
}

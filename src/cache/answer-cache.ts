import { LRUCache } from 'lru-cache';
import type { Question } from '../dns/types.js';
import { cacheableAnswer, type TtlPolicy } from './answer-ttl.js';
import * as Entry from './cache-entry.js';

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

/** A cached answer, copied for one client with its TTLs counted down. */
export interface CacheHit {
  readonly message: Buffer;
  readonly rcode: number;
}

/**
 * The cache key: lower-cased name, type, class, DO and CD bits. Joined into
 * one flat string: a template literal would keep the key as a tree of the
 * pieces (and the name's own pieces from readQuestion), some 6 heap objects
 * per entry for every major GC to mark (see cache-entry.ts).
 */
export function cacheKey(question: Question, dnssecOk: boolean, checkingDisabled: boolean): string {
  return [question.lname, question.type, question.class, `${dnssecOk ? 1 : 0}${checkingDisabled ? 1 : 0}`].join('/');
}

/**
 * Memory per entry beyond its buffer (key, objects, LRU slots, V8 heap slack),
 * so that maxBytes bounds what the process uses: measured with 200,000 entries
 * of one A record, the process grew by 766 bytes per entry, 112 of them the
 * buffer.
 */
const ENTRY_OVERHEAD = 700;

/**
 * Upstream answers by cache key, bounded by entries and bytes (LRU). TTLs are
 * honoured and counted down on every hit; expired entries can still be served
 * as stale answers (RFC 8767) when the caller says every upstream failed.
 */
export class AnswerCache {
  readonly #options: AnswerCacheOptions;
  readonly #now: () => number;
  readonly #entries: LRUCache<string, Entry.CacheEntry> | null;

  constructor(options: AnswerCacheOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#entries =
      options.maxEntries > 0 && options.maxBytes > 0
        ? new LRUCache<string, Entry.CacheEntry>({
            max: options.maxEntries,
            maxSize: options.maxBytes,
            sizeCalculation: (entry) => entry.length + ENTRY_OVERHEAD,
          })
        : null;
  }

  /**
   * Stores a copy of an upstream answer (without OPT) if it is cacheable, and gives the answer as stored (its
   * TTLs capped), for the client that asked: the first client sees what the next ones will. Undefined when it
   * is not cacheable.
   */
  store(key: string, message: Buffer, questionEnd: number): CacheHit | undefined {
    if (this.#entries === null) return undefined;
    const cacheable = cacheableAnswer(message, questionEnd, this.#options);
    if (cacheable === null) return undefined;
    const storedAt = this.#now();
    const freshUntil = storedAt + cacheable.lifetime * 1000;
    const staleUntil = this.#options.serveStale ? freshUntil + this.#options.maxStaleSeconds * 1000 : freshUntil;
    const entry = Entry.encodeEntry(message, cacheable.ttlOffsets, cacheable.ttls, { storedAt, freshUntil, staleUntil });
    this.#entries.set(key, entry);
    return hit(Entry.agedCopy(entry, 0));
  }

  /** A fresh answer with TTLs decremented by its age, or undefined. */
  fresh(key: string): CacheHit | undefined {
    const entry = this.#entries?.get(key);
    if (entry === undefined) return undefined;
    const now = this.#now();
    const storedAt = Entry.storedAt(entry);
    // A wall clock stepped back (NTP, an admin) would make the age negative and the TTLs grow: drop the entry.
    if (now >= Entry.freshUntil(entry) || now < storedAt) {
      if (now >= Entry.staleUntil(entry) || now < storedAt) this.#entries!.delete(key);
      return undefined;
    }
    return hit(Entry.agedCopy(entry, Math.floor((now - storedAt) / 1000)));
  }

  /** An expired answer still inside the serve-stale window, with the stale TTL, or undefined. */
  stale(key: string): CacheHit | undefined {
    const entry = this.#entries?.peek(key);
    const now = this.#now();
    if (entry === undefined || now >= Entry.staleUntil(entry) || now < Entry.storedAt(entry)) return undefined;
    return hit(Entry.staleCopy(entry, this.#options.staleAnswerTtl));
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

function hit(message: Buffer): CacheHit {
  return { message, rcode: message[3]! & 0x0f };
}

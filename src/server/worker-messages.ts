import type { RateLimitTables } from './rate-limit/rate-limiter.js';
import type { ClockLink } from './clock-relay.js';
import type { HitBatch } from './hit-relay.js';
import type { RelayStart } from './policy-relay.js';
import type { ThreadData } from '../config/cross-thread.js';
import type { PacketMeta } from '../model/query.js';

/** What an answering worker thread starts from (its workerData). */
export interface WorkerStart {
  /** Its place in the pool (a replacement takes the place of the worker it replaces), for logs. */
  readonly index: number;
  /** Answering loops in all: each holds its share of the TCP limits. */
  readonly loops: number;
  /** The config (config/cross-thread.ts), its listen port the one every loop binds. */
  readonly config: ThreadData;
  readonly policy: RelayStart;
  readonly rateLimit: RateLimitTables | null;
  /** Whether NOTIFY requests are answered (some zone has primaries): they are passed to the main thread. */
  readonly notify: boolean;
  /** The main thread's injected clock (tests), or null for Date.now. */
  readonly clock: ClockLink | null;
  /** The words of this place's HitBacklog (hit-backlog.ts), and how many records may wait at most. */
  readonly backlog: { readonly words: Int32Array; readonly limit: number };
}

/** What the main thread sends a worker. */
export type ToWorker =
  | { readonly type: 'catch-up' }
  | { readonly type: 'metrics'; readonly id: number }
  | { readonly type: 'flush'; readonly id: number }
  | { readonly type: 'notify-answer'; readonly id: number; readonly reply: Uint8Array | null }
  | { readonly type: 'close' };

/** What a worker sends the main thread. */
export type FromWorker =
  | { readonly type: 'ready'; readonly endpoints: ReadonlyArray<{ address: string; port: number }> }
  | { readonly type: 'failed'; readonly message: string; readonly code?: string }
  | { readonly type: 'applied'; readonly generation: number }
  | { readonly type: 'hits'; readonly batch: HitBatch }
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'notify'; readonly id: number; readonly raw: Uint8Array; readonly meta: PacketMeta }
  | { readonly type: 'metrics'; readonly id: number; readonly metrics: readonly object[] }
  | { readonly type: 'flushed'; readonly id: number }
  | { readonly type: 'closed' };

/**
 * The event store's contract: what the console and its API read and what the
 * server writes. The one module that knows how events are kept is behind it
 * (sqlite-event-store.ts today; a PostgreSQL one for several instances later,
 * docs/scale.md). Times are milliseconds since 1970 (UTC).
 */

/** One stored event: a block-log event (or, with store.allQueries, a query no rule answered) and its id. */
export interface StoredEvent {
  /** Unique, and in the order of `time`: newer events have larger ids (the search cursor). */
  id: number;
  time: number;
  /** "query" for a query no policy rule answered (store.allQueries); the others as in the block log. */
  msg: 'blocked' | 'would block' | 'passthru' | 'query';
  /** The reference code on the stop page; "" for msg "query". */
  ref: string;
  /** As blockLog.client writes it: the address, its /24 or /56, or a keyed hash. */
  client: string;
  qname: string;
  qtype: string;
  /** Zone, list, rule and trigger of the rule that fired; "" for msg "query". */
  zone: string;
  list: string;
  rule: string;
  trigger: string;
  /** The policy action (nxdomain, stop-page, ...); for msg "query", where the answer came from (upstream, cache, stale, local). */
  action: string;
  group: string;
  ede: number | null;
  transport: 'udp' | 'tcp';
  listener: string;
}

/** What to search for; every given field must match. */
export interface EventFilter {
  /** A part of the name, in any letter case. */
  name?: string;
  client?: string;
  list?: string;
  zone?: string;
  group?: string;
  action?: string;
  ref?: string;
  /** from <= time < to (ms). */
  from?: number;
  to?: number;
  /** Events per page: default 50, at most 500. */
  limit?: number;
  /** Cursor: only events with id < before (the `next` of the previous page). */
  before?: number;
}

/**
 * One page of events, newest first. `next` is the cursor for the following page (pass it as `before`), null when
 * no more events match. A page may hold fewer than `limit` events with a non-null `next` when the search ran out
 * of its time budget before looking at every event: the following page goes on from there.
 */
export interface EventPage {
  events: StoredEvent[];
  next: number | null;
}

/**
 * Blocks (msg "blocked") counted per hour. `hour` is the start of the hour in ms (UTC), oldest first, with the
 * current hour last; hours with no blocks are there with count 0. The top lists and per-list and per-group counts
 * cover the last 24 hours (the current one included), largest first.
 */
export interface Dashboard {
  hours24: Array<{ hour: number; count: number }>;
  days7: Array<{ hour: number; count: number }>;
  topNames: Array<{ name: string; count: number }>;
  topClients: Array<{ client: string; count: number }>;
  perList: Array<{ list: string; count: number }>;
  perGroup: Array<{ group: string; count: number }>;
}

/** The store's counts, read by /metrics; `failing` says why events cannot be written now (null: they can). */
export interface StoreStats {
  readonly written: number;
  readonly dropped: number;
  readonly queued: number;
  readonly failing: string | null;
}

/** Where events are kept and searched. */
export interface EventStore {
  /** Never blocks, never throws; drops (and counts) the event when the queue is full. */
  record(event: Omit<StoredEvent, 'id'>): void;
  /** Throws StoreUnavailableError when the database cannot be read. */
  search(filter: EventFilter): EventPage;
  /**
   * A header line, then one line per matching event, newest first; each line ends with CRLF (RFC 4180). The
   * first page is read at once (a store that cannot be read throws here, before a response starts); the rest
   * as the lines are taken.
   */
  csv(filter: EventFilter): Iterable<string>;
  dashboard(now: number): Dashboard;
  readonly stats: StoreStats;
  /** Writes what is queued, then closes. */
  close(): Promise<void>;
}

/** The database cannot be read now: the message says why (the file, what SQLite said, what to do). */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  /** What an HTTP API answers with it (Fastify's error handler reads it): 503 Service Unavailable. */
  readonly statusCode = 503;
}

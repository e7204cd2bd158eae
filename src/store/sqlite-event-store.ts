import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { realTimers, type Timers } from '../runtime/bounded.js';
import { startLowPriorityWorker } from '../runtime/low-priority-threads.js';
import { appendEvent, FIELDS } from './event-batch.js';
import { csvLines } from './event-csv.js';
import { StoreUnavailableError, type Dashboard, type EventFilter, type EventPage, type EventStore, type StoredEvent, type StoreStats } from './event-store.js';
import type { FromWorker, ToWorker } from './store-messages.js';
import { StoreReader } from './store-reader.js';

/** How the store runs; only the first three come from the config (store.*), the rest have defaults for a server. */
export interface SqliteStoreOptions {
  readonly file: string;
  readonly retentionDays: number;
  readonly queueLimit: number;
  readonly log?: Logger;
  /** The clock retention reads (tests move it). */
  readonly now?: () => number;
  /**
   * Events are handed to the writing thread in chunks of at most batchLimit (250), once that many wait or flushMs
   * (250 ms) after the first at the latest: handing a chunk over copies it on this thread, about 1 µs an event, so
   * chunks stay small. The writing thread keeps what it is handed and writes it in one transaction once
   * transactionEvents (1,000) are there, or when asked flushMs after an event or by flushed(). A transaction's cost is
   * mostly per page it changes (the indexes on references, names and clients put nearly every event on a page of
   * its own), so larger ones cost less an event: 25.6-26.6 µs with 250, 17.3-18.1 with 1,000 (bench/README.md,
   * "store/writer-cost.ts"). The thread holds at most twice transactionEvents; the rest waits here.
   */
  readonly flushMs?: number;
  readonly batchLimit?: number;
  readonly transactionEvents?: number;
  /** After a failure, the file is opened again this often. */
  readonly retryMs?: number;
  /** How long the writing thread waits for another program's lock. */
  readonly busyMs?: number;
  /** Retention runs this often (and once the file is first open); 0: only when retain() is called. */
  readonly retentionEveryMs?: number;
  /** Events deleted per transaction by retention. */
  readonly retentionTransaction?: number;
  /** How long one search (one page) may hold the thread; and the clock it is measured with. */
  readonly searchBudgetMs?: number;
  readonly searchClock?: () => number;
  /** The writing thread's page cache, KiB. */
  readonly cacheKiB?: number;
  /** The timer that hands over and commits flushMs after an event (tests move it). */
  readonly timers?: Timers;
  /** Told how many events each commit wrote (tests, the benchmark): one transaction, or one per event when SQLite refused a value in it. */
  readonly onTransaction?: (count: number) => void;
}

const DAY_MS = 86_400_000;

/** The writing thread's file beside this one: .ts when run from source (tests), .js when built. */
const WORKER = new URL(import.meta.url.endsWith('.ts') ? './store-worker.ts' : './store-worker.js', import.meta.url);

/**
 * The event store on SQLite (node:sqlite). record() only appends to a
 * bounded queue; a thread of its own, at the lowest priority, is handed the
 * queue in small chunks, writes them in larger transactions, and deletes
 * what retention lets go.
 * Reads (search, csv, dashboard) run here, on their own read-only connection
 * (WAL: they never wait for the writer), each bounded in time. A file that
 * cannot be opened or written is reported (stats.failing, the log) and tried
 * again every retryMs; meanwhile events wait in the queue up to its bound.
 */
export class SqliteEventStore implements EventStore {
  readonly #options: Required<Omit<SqliteStoreOptions, 'log' | 'onTransaction'>> & Pick<SqliteStoreOptions, 'log' | 'onTransaction'>;
  readonly #worker: Worker;
  /** Resolves once the first attempt to open the file has ended (stats.failing says how). */
  readonly ready: Promise<void>;
  /** Events not yet handed over (FIELDS values each). */
  #pending: unknown[] = [];
  /** Events handed to the writing thread and not yet reported written or refused. */
  #handedOver = 0;
  /** A commit was asked for and its answer has not come back. */
  #committing = false;
  #written = 0;
  #dropped = 0;
  #failing: string | null = null;
  #opened = false;
  #closing = false;
  #flushTimer: unknown;
  #retentionTimer: NodeJS.Timeout | undefined;
  readonly #reader: StoreReader;
  /** Callers waiting for a reply of the writing thread, by kind. */
  readonly #waiting = { state: [] as Array<() => void>, retained: [] as Array<(done: { deleted: number; batches: number }) => void>, closed: [] as Array<(unwritten: number) => void>, idle: [] as Array<() => void> };

  constructor(options: SqliteStoreOptions) {
    this.#options = {
      now: Date.now,
      flushMs: 250,
      batchLimit: 250,
      transactionEvents: 1000,
      retryMs: 60_000,
      busyMs: 1000,
      retentionEveryMs: 3_600_000,
      retentionTransaction: 10_000,
      searchBudgetMs: 100,
      searchClock: () => performance.now(),
      cacheKiB: 16384,
      timers: realTimers,
      ...options,
    };
    const { file, busyMs, retryMs, cacheKiB } = this.#options;
    this.#reader = new StoreReader(file, { ms: this.#options.searchBudgetMs, clock: this.#options.searchClock });
    this.#worker = startLowPriorityWorker(WORKER, { workerData: { file, busyMs, retryMs, cacheKiB }, name: 'stopzone-store' });
    this.#worker.unref();
    this.#worker.on('message', (message: FromWorker) => this.#answer(message));
    this.#worker.on('error', (error) => this.#stopped(`the writing thread failed: ${error.message}`));
    this.#worker.on('exit', (code) => this.#stopped(`the writing thread exited (code ${code})`));
    this.ready = new Promise((resolve) => this.#waiting.state.push(resolve));
  }

  /** The database file. */
  get file(): string {
    return this.#options.file;
  }

  get stats(): StoreStats {
    return { written: this.#written, dropped: this.#dropped, queued: this.#pending.length / FIELDS + this.#handedOver, failing: this.#failing };
  }

  record(event: Omit<StoredEvent, 'id'>): void {
    this.recordAt(event, event.time);
  }

  /** As record, the time given beside the event (the block log's tap: no copy of the event to add it). */
  recordAt(event: Omit<StoredEvent, 'id' | 'time'>, time: number): void {
    if (this.#closing || this.#pending.length / FIELDS + this.#handedOver >= this.#options.queueLimit) {
      this.#dropped++;
      return;
    }
    appendEvent(this.#pending, event, time);
    if (this.#pending.length >= this.#options.batchLimit * FIELDS) this.#handOver();
    this.#later();
  }

  search(filter: EventFilter): EventPage {
    return this.#opened ? this.#reader.search(filter) : this.#notYet();
  }

  csv(filter: EventFilter): Iterable<string> {
    return csvLines((page) => this.search(page), filter);
  }

  dashboard(now: number): Dashboard {
    return this.#opened ? this.#reader.dashboard(now) : this.#notYet();
  }

  /** Deletes the events older than store.retentionDays (by the injected clock), in batches; resolves with how many and in how many batches. */
  retain(): Promise<{ deleted: number; batches: number }> {
    if (this.#closing) return Promise.resolve({ deleted: 0, batches: 0 });
    const done = new Promise<{ deleted: number; batches: number }>((resolve) => this.#waiting.retained.push(resolve));
    this.#send({ kind: 'retain', before: this.#options.now() - this.#options.retentionDays * DAY_MS, batch: this.#options.retentionTransaction });
    return done;
  }

  /** Opens the file again now (a failing one is otherwise retried every retryMs); resolves with stats.failing after it. */
  async retry(): Promise<string | null> {
    if (this.#closing) return this.#failing;
    const done = new Promise<void>((resolve) => this.#waiting.state.push(resolve));
    this.#send({ kind: 'retry' });
    await done;
    return this.#failing;
  }

  /** Resolves once every event recorded so far is written, or at once while the file is failing. */
  flushed(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    const idle = new Promise<void>((resolve) => this.#waiting.idle.push(resolve));
    this.#flush();
    return idle;
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#worker.ref();
    await this.flushed();
    this.#closing = true;
    this.#options.timers.clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    clearInterval(this.#retentionTimer);
    // The read connection first: the writer's close, the last one, then removes the -wal and -shm files.
    this.#reader.close();
    const closed = new Promise<number>((resolve) => this.#waiting.closed.push(resolve));
    this.#send({ kind: 'close' });
    const unwritten = await closed;
    this.#dropped += unwritten + this.#pending.length / FIELDS;
    this.#pending = [];
    this.#handedOver = 0;
    await this.#worker.terminate();
  }

  /** Hands over and commits what waits flushMs from now, unless that is already due. */
  #later(): void {
    this.#flushTimer ??= this.#options.timers.setTimeout(() => this.#flush(), this.#options.flushMs);
  }

  /** Hands over everything the writing thread may hold, and asks it to write what it holds. */
  #flush(): void {
    this.#options.timers.clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#handOver();
    this.#commit();
  }

  /** Hands the pending events over in chunks of at most batchLimit while the writing thread may hold more; commits once a transaction's worth is there. */
  #handOver(): void {
    const { batchLimit, transactionEvents } = this.#options;
    const holdLimit = Math.max(2 * transactionEvents, batchLimit);
    while (this.#pending.length > 0 && this.#handedOver < holdLimit) {
      const take = Math.min(this.#pending.length, batchLimit * FIELDS, (holdLimit - this.#handedOver) * FIELDS);
      const chunk = take === this.#pending.length ? this.#pending : this.#pending.slice(0, take);
      this.#pending = take === this.#pending.length ? [] : this.#pending.slice(take);
      this.#handedOver += chunk.length / FIELDS;
      this.#send({ kind: 'write', batch: chunk });
    }
    if (this.#handedOver >= transactionEvents) this.#commit();
  }

  /** Asks the writing thread to write what it holds in one transaction, unless a commit is under way (its answer asks again). */
  #commit(): void {
    if (this.#committing || this.#handedOver === 0) return;
    this.#committing = true;
    this.#send({ kind: 'commit' });
  }

  #answer(message: FromWorker): void {
    switch (message.kind) {
      case 'state':
        this.#changed(message.failing);
        for (const resolve of this.#waiting.state.splice(0)) resolve();
        break;
      case 'written':
        this.#committing = false;
        this.#handedOver -= message.count + message.refused;
        this.#written += message.count;
        this.#options.onTransaction?.(message.count);
        if (message.refused > 0) {
          this.#dropped += message.refused;
          this.#options.log?.warn({ store: this.#options.file, events: message.refused, reason: message.reason }, 'event store: events refused by SQLite were dropped');
        }
        if (this.#closing === false && this.#waiting.idle.length > 0) this.#flush();
        else this.#handOver();
        if (this.#pending.length > 0 || this.#handedOver > 0) this.#later();
        break;
      case 'retained':
        this.#waiting.retained.shift()?.({ deleted: message.deleted, batches: message.batches });
        break;
      case 'closed':
        this.#waiting.closed.shift()?.(message.unwritten);
        break;
    }
    if (this.#isIdle()) for (const resolve of this.#waiting.idle.splice(0)) resolve();
  }

  /** A new state of the file: logged when it changes; the read connection is opened afresh after a failure (the file may be a new one). */
  #changed(failing: string | null): void {
    const was = this.#failing;
    this.#failing = failing;
    if (failing === null && !this.#opened) {
      this.#opened = true;
      if (this.#options.retentionEveryMs > 0) {
        void this.retain();
        this.#retentionTimer = setInterval(() => void this.retain(), this.#options.retentionEveryMs).unref();
      }
    }
    if (failing === was) return;
    this.#reader.close();
    if (failing !== null) this.#options.log?.error({ store: this.#options.file, reason: failing }, 'event store failing: events are kept in the queue up to store.queueLimit, then dropped; DNS answers as before');
    else if (was !== null) this.#options.log?.info({ store: this.#options.file }, 'event store writing again');
  }

  #isIdle(): boolean {
    return (this.#pending.length === 0 && this.#handedOver === 0) || this.#failing !== null || this.#closing;
  }

  #send(message: ToWorker): void {
    this.#worker.postMessage(message);
  }

  /** The writing thread is gone: nothing more is written; the reason stays in stats.failing. */
  #stopped(reason: string): void {
    if (this.#closing) return;
    this.#changed(reason);
    this.#closing = true;
    this.#dropped += this.#pending.length / FIELDS + this.#handedOver;
    this.#pending = [];
    this.#handedOver = 0;
    for (const resolve of this.#waiting.state.splice(0)) resolve();
    for (const resolve of this.#waiting.idle.splice(0)) resolve();
    for (const resolve of this.#waiting.retained.splice(0)) resolve({ deleted: 0, batches: 0 });
    for (const resolve of this.#waiting.closed.splice(0)) resolve(0);
  }

  /** Reads before the file was ever opened: it is starting, or cannot be opened (and says why). */
  #notYet(): never {
    throw new StoreUnavailableError(this.#failing ?? `${this.#options.file}: the event store is starting`);
  }
}

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
   * A batch is sent this long after its first event at the latest (250 ms), or once it holds batchLimit
   * events (250): handing it over copies it on this thread, about 1 µs an event, so batches stay small.
   * Each batch is one transaction, whose cost is mostly per page written: at 3,000 events a second the
   * writing thread spent 33-36 µs an event with 25 ms (batches of 75), 25-32 µs with 250 ms (of 250).
   */
  readonly flushMs?: number;
  readonly batchLimit?: number;
  /** After a failure, the file is opened again this often. */
  readonly retryMs?: number;
  /** How long the writing thread waits for another program's lock. */
  readonly busyMs?: number;
  /** Retention runs this often (and once the file is first open); 0: only when retain() is called. */
  readonly retentionEveryMs?: number;
  /** Events deleted per transaction by retention. */
  readonly retentionBatch?: number;
  /** How long one search (one page) may hold the thread; and the clock it is measured with. */
  readonly searchBudgetMs?: number;
  readonly searchClock?: () => number;
  /** The writing thread's page cache, KiB. */
  readonly cacheKiB?: number;
  /** The timer that sends a batch flushMs after its first event (tests move it). */
  readonly timers?: Timers;
  /** Told the size of each batch once written (tests, the benchmark). */
  readonly onBatch?: (count: number) => void;
}

const DAY_MS = 86_400_000;

/** The writing thread's file beside this one: .ts when run from source (tests), .js when built. */
const WORKER = new URL(import.meta.url.endsWith('.ts') ? './store-worker.ts' : './store-worker.js', import.meta.url);

/**
 * The event store on SQLite (node:sqlite). record() only appends to a
 * bounded queue; a thread of its own, at the lowest priority, writes the
 * queue in batches, one batch at a time, and deletes what retention lets go.
 * Reads (search, csv, dashboard) run here, on their own read-only connection
 * (WAL: they never wait for the writer), each bounded in time. A file that
 * cannot be opened or written is reported (stats.failing, the log) and tried
 * again every retryMs; meanwhile events wait in the queue up to its bound.
 */
export class SqliteEventStore implements EventStore {
  readonly #options: Required<Omit<SqliteStoreOptions, 'log' | 'onBatch'>> & Pick<SqliteStoreOptions, 'log' | 'onBatch'>;
  readonly #worker: Worker;
  /** Resolves once the first attempt to open the file has ended (stats.failing says how). */
  readonly ready: Promise<void>;
  #pending: unknown[] = [];
  #inFlight = 0;
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
      retryMs: 60_000,
      busyMs: 1000,
      retentionEveryMs: 3_600_000,
      retentionBatch: 10_000,
      searchBudgetMs: 100,
      searchClock: () => performance.now(),
      cacheKiB: 16384,
      timers: realTimers,
      ...options,
    };
    const { file, busyMs, retryMs, cacheKiB } = this.#options;
    this.#reader = new StoreReader(file, { ms: this.#options.searchBudgetMs, clock: this.#options.searchClock });
    this.#worker = startLowPriorityWorker(WORKER, { workerData: { file, busyMs, retryMs, cacheKiB } });
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
    return { written: this.#written, dropped: this.#dropped, queued: this.#pending.length / FIELDS + this.#inFlight, failing: this.#failing };
  }

  record(event: Omit<StoredEvent, 'id'>): void {
    if (this.#closing || this.#pending.length / FIELDS + this.#inFlight >= this.#options.queueLimit) {
      this.#dropped++;
      return;
    }
    appendEvent(this.#pending, event);
    if (this.#inFlight > 0) return;
    if (this.#pending.length >= this.#options.batchLimit * FIELDS) this.#flush();
    else this.#later();
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
    this.#send({ kind: 'retain', before: this.#options.now() - this.#options.retentionDays * DAY_MS, batch: this.#options.retentionBatch });
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
    this.#inFlight = 0;
    await this.#worker.terminate();
  }

  /** Sends the pending events flushMs from now, unless a send is already due. */
  #later(): void {
    this.#flushTimer ??= this.#options.timers.setTimeout(() => this.#flush(), this.#options.flushMs);
  }

  #flush(): void {
    this.#options.timers.clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#inFlight > 0 || this.#pending.length === 0) return;
    const take = Math.min(this.#pending.length, this.#options.batchLimit * FIELDS);
    const batch = take === this.#pending.length ? this.#pending : this.#pending.slice(0, take);
    this.#pending = take === this.#pending.length ? [] : this.#pending.slice(take);
    this.#inFlight = batch.length / FIELDS;
    this.#send({ kind: 'write', batch });
  }

  #answer(message: FromWorker): void {
    switch (message.kind) {
      case 'state':
        this.#changed(message.failing);
        for (const resolve of this.#waiting.state.splice(0)) resolve();
        break;
      case 'written':
      case 'rejected':
        this.#inFlight = 0;
        if (message.kind === 'written') {
          this.#written += message.count;
          this.#options.onBatch?.(message.count);
        } else {
          this.#dropped += message.count;
          this.#options.log?.warn({ store: this.#options.file, events: message.count, reason: message.reason }, 'event store: events refused by SQLite were dropped');
        }
        if (this.#pending.length >= this.#options.batchLimit * FIELDS || (this.#closing === false && this.#waiting.idle.length > 0)) this.#flush();
        else if (this.#pending.length > 0) this.#later();
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
    return (this.#pending.length === 0 && this.#inFlight === 0) || this.#failing !== null || this.#closing;
  }

  #send(message: ToWorker): void {
    this.#worker.postMessage(message);
  }

  /** The writing thread is gone: nothing more is written; the reason stays in stats.failing. */
  #stopped(reason: string): void {
    if (this.#closing) return;
    this.#changed(reason);
    this.#closing = true;
    this.#dropped += this.#pending.length / FIELDS + this.#inFlight;
    this.#pending = [];
    this.#inFlight = 0;
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

/** What the answering thread tells the writing thread (store-worker.ts). */
export type ToWorker =
  /** Events to write (FIELDS values each, event-batch.ts); one batch at a time, the next after "written" or "rejected". */
  | { readonly kind: 'write'; readonly batch: unknown[] }
  /** Delete events older than `before` (ms), `batch` per transaction. */
  | { readonly kind: 'retain'; readonly before: number; readonly batch: number }
  /** Open the file again now, without waiting for retryMs. */
  | { readonly kind: 'retry' }
  | { readonly kind: 'close' };

/** What the writing thread answers. */
export type FromWorker =
  /** After the first attempt to open the file, after each retry asked for, and whenever writing starts or stops failing. */
  | { readonly kind: 'state'; readonly failing: string | null }
  | { readonly kind: 'written'; readonly count: number }
  /** The batch held values SQLite refuses: it is dropped, and counted so. */
  | { readonly kind: 'rejected'; readonly count: number; readonly reason: string }
  | { readonly kind: 'retained'; readonly deleted: number; readonly batches: number }
  | { readonly kind: 'closed'; readonly unwritten: number };

/** The writing thread's settings (its workerData). */
export interface WorkerSettings {
  readonly file: string;
  /** How long a write waits for another program's lock before the file counts as failing. */
  readonly busyMs: number;
  /** How long after a failure the file is opened again. */
  readonly retryMs: number;
  /** SQLite's page cache on the writing thread, in KiB. */
  readonly cacheKiB: number;
}

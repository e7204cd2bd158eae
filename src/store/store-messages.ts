/** What the answering thread tells the writing thread (store-worker.ts). */
export type ToWorker =
  /** Events to hold (FIELDS values each, event-batch.ts), written at the next "commit". */
  | { readonly kind: 'write'; readonly batch: unknown[] }
  /** Write every event held in one transaction; answered with "written" (or, while the file fails, once it is written). */
  | { readonly kind: 'commit' }
  /** Delete events older than `before` (ms), `batch` per transaction. */
  | { readonly kind: 'retain'; readonly before: number; readonly batch: number }
  /** Open the file again now, without waiting for retryMs. */
  | { readonly kind: 'retry' }
  | { readonly kind: 'close' };

/** What the writing thread answers. */
export type FromWorker =
  /** After the first attempt to open the file, after each retry asked for, and whenever writing starts or stops failing. */
  | { readonly kind: 'state'; readonly failing: string | null }
  /**
   * The events held at the commit (or, after a failure, at the retry) are written, `count` of them, but for
   * `refused` events holding values SQLite refuses, dropped (`reason`: SQLite's word on the last one).
   */
  | { readonly kind: 'written'; readonly count: number; readonly refused: number; readonly reason: string }
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

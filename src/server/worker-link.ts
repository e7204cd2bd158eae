import type { Worker } from 'node:worker_threads';
import type { PacketMeta } from '../model/query.js';
import { isPending, type Awaitable } from '../runtime/awaitable.js';
import type { HitBatch } from './hit-relay.js';
import type { MetricsJson } from './summed-metrics.js';
import type { FromWorker, ToWorker } from './worker-messages.js';

/** How long /metrics waits for a worker's metrics before it counts the last ones it gave (ms). */
const METRICS_WAIT_MS = 2000;

/** What the main thread does with what a worker sends. */
export interface LinkHandlers {
  readonly log: (line: string) => void;
  readonly hits: (batch: HitBatch) => void;
  /** After each batch of records: how many there were. */
  readonly hitsHandled: (count: number) => void;
  readonly notify: ((raw: Buffer, meta: PacketMeta) => Awaitable<Buffer | null>) | undefined;
  readonly applied: (generation: number) => void;
}

/**
 * The main thread's side of one answering worker (worker-messages.ts): routes what it sends, and asks it
 * for its metrics, to flush the hits it holds, and to close. `started` settles once it answers on its
 * port, or with the reason it could not bind.
 */
export class WorkerLink {
  readonly worker: Worker;
  readonly threadId: number;
  readonly started: Promise<void>;
  /** The generation of the policy set in force in the worker. */
  applied: number;
  ready = false;
  endpoints: ReadonlyArray<{ address: string; port: number }> = [];
  /** The worker's metrics at the last scrape (counted again if it dies). */
  lastMetrics: MetricsJson | null = null;
  readonly #waiting = new Map<number, (value: unknown) => void>();
  readonly #exited: Promise<void>;
  #nextId = 0;

  constructor(worker: Worker, applied: number, handlers: LinkHandlers) {
    this.worker = worker;
    this.threadId = worker.threadId;
    this.applied = applied;
    this.#exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    this.started = new Promise((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'ready':
            this.ready = true;
            this.endpoints = message.endpoints;
            resolve();
            break;
          case 'failed':
            reject(Object.assign(new Error(message.message), message.code === undefined ? {} : { code: message.code }));
            break;
          case 'applied':
            this.applied = message.generation;
            handlers.applied(message.generation);
            break;
          case 'hits':
            handlers.hits(message.batch);
            handlers.hitsHandled(message.batch.count);
            break;
          case 'log':
            handlers.log(message.line);
            break;
          case 'notify':
            this.#answerNotify(handlers, message.id, Buffer.from(message.raw.buffer, message.raw.byteOffset, message.raw.byteLength), message.meta);
            break;
          case 'metrics':
          case 'flushed':
            this.#waiting.get(message.id)?.(message.type === 'metrics' ? message.metrics : undefined);
            this.#waiting.delete(message.id);
            break;
          case 'closed':
            this.#waiting.get(-1)?.(undefined);
            break;
        }
      });
      let failure: Error | null = null;
      worker.once('error', (error) => (failure = error));
      void this.#exited.then(() => reject(failure ?? new Error(`DNS worker thread ${this.threadId} exited before it answered`)));
    });
  }

  /** The worker's registry now, or the last one it gave when it does not answer within METRICS_WAIT_MS. */
  async metrics(): Promise<MetricsJson> {
    const fresh = await this.#ask<MetricsJson>((id) => ({ type: 'metrics', id }), METRICS_WAIT_MS);
    if (fresh !== undefined) this.lastMetrics = fresh;
    return this.lastMetrics ?? [];
  }

  /** Resolves once the hits the worker held have been handed over (they come before its answer). */
  async flush(): Promise<void> {
    await this.#ask((id) => ({ type: 'flush', id }), METRICS_WAIT_MS);
  }

  /** Asks the worker to stop taking queries and answer those it has; ends the thread after that, or after `graceMs`. */
  async close(graceMs: number): Promise<void> {
    const closed = new Promise((resolve) => this.#waiting.set(-1, resolve));
    this.#post({ type: 'close' });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, this.#exited, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    await this.worker.terminate();
  }

  /** Posts a request and waits for its answer, at most `waitMs` (undefined then, or when the worker is gone). */
  #ask<T>(request: (id: number) => ToWorker, waitMs: number): Promise<T | undefined> {
    const id = this.#nextId++;
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<T | undefined>((resolve) => {
      this.#waiting.set(id, resolve as (value: unknown) => void);
      timer = setTimeout(() => resolve(undefined), waitMs);
    });
    this.#post(request(id));
    return Promise.race([answered, this.#exited.then(() => undefined)]).finally(() => {
      clearTimeout(timer);
      this.#waiting.delete(id);
    });
  }

  #post(message: ToWorker): void {
    try {
      this.worker.postMessage(message);
    } catch {} // a worker gone already answers nothing; its exit settles what waits
  }

  #answerNotify(handlers: LinkHandlers, id: number, raw: Buffer, meta: PacketMeta): void {
    const send = (reply: Buffer | null): void => this.#post({ type: 'notify-answer', id, reply: reply === null ? null : new Uint8Array(reply) });
    const reply = handlers.notify?.(raw, meta) ?? null;
    if (isPending(reply)) void reply.then(send, () => send(null));
    else send(reply);
  }
}

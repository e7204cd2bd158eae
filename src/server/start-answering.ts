import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AnswerCache } from '../cache/answer-cache.js';
import type { Config } from '../config/schema.js';
import type { RepeatedLines } from '../observe/repeated-lines.js';
import type { PolicyHolder } from '../rpz/policy-holder.js';
import type { Timers } from '../runtime/bounded.js';
import type { UpstreamPool } from '../upstream/index.js';
import { startAnsweringLoop } from './answering-loop.js';
import type { ClientGroups } from './client-groups.js';
import type { AnswerObserver, NotifyHandler } from './handle-packet.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';
import { SummedMetrics } from './summed-metrics.js';
import { WorkerPool } from './worker-pool.js';

/** What answers DNS: one loop on this thread (workers: 1), or a pool of worker threads. */
export interface Answering {
  readonly endpoints: ReadonlyArray<{ address: string; port: number }>;
  /** This thread's answer cache and upstream pool (of the top-level upstreams); null when worker threads answer. */
  readonly cache: AnswerCache | null;
  readonly pool: UpstreamPool | null;
  /** The worker threads; null with one loop on this thread. */
  readonly workers: WorkerPool | null;
  /** What /metrics serves. */
  readonly registry: Registry;
  /** Puts new client groups in force, with the policy set `publish` puts in force, in one step for every loop. */
  regroup(groups: ClientGroups, publish: () => void): void;
  /** Resolves once every answer for the block log so far has reached `onLogged` (worker threads send theirs later). */
  flushHits(): Promise<void>;
  /** Stops taking queries, answers those received, closes the upstream pools. */
  close(): Promise<void>;
}

/** What start-server hands over. */
export interface AnsweringOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly lines: RepeatedLines;
  readonly policy: PolicyHolder;
  /** The client groups in force (replaced by `regroup` in the caller's one step). */
  readonly groups: () => ClientGroups;
  /** Each answer for the block log: those on which a rule fired, and with store.allQueries every answer (answering-loop.ts). */
  readonly onLogged: AnswerObserver;
  readonly notify?: NotifyHandler;
  readonly rateLimiter?: RateLimiter;
  /** The main thread's metrics registry. */
  readonly registry: Registry;
  readonly now?: () => number;
  readonly upstreamTimers?: Timers;
}

/** Starts the answering: `config.workers` loops, on this thread when it is 1, else in worker threads (worker-pool.ts). */
export async function startAnswering(options: AnsweringOptions): Promise<Answering> {
  const { config, now } = options;
  if (config.workers === 1) {
    const loop = await startAnsweringLoop({
      ...options,
      groupOf: (client, listener) => options.groups().groupOf(client, listener),
      ...(options.rateLimiter !== undefined && { gate: options.rateLimiter }),
      loops: 1,
    });
    const registry = new SummedMetrics(options.registry, () => [loop.metrics.families()]);
    return { ...loop, workers: null, registry, regroup: (_groups, publish) => publish(), flushHits: async () => {} };
  }
  // Injected timers run callbacks on the thread that set them, and a test moves them from its own.
  if (options.upstreamTimers !== undefined) throw new Error('injected upstream timers cannot reach worker threads: run with workers: 1');
  const workers = await WorkerPool.start({ ...options, groups: options.groups(), ...(now && { now }) });
  return {
    endpoints: workers.endpoints,
    cache: null,
    pool: null,
    workers,
    registry: workers.registry,
    regroup: (groups, publish) => workers.regroup(groups, publish),
    flushHits: () => workers.flushHits(),
    close: () => workers.close(),
  };
}

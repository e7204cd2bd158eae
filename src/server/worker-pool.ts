import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import pino, { type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { forThread } from '../config/cross-thread.js';
import type { Config } from '../config/schema.js';
import type { PolicyHolder } from '../rpz/policy-holder.js';
import { bindDns } from './bind-dns.js';
import type { ClientGroups } from './client-groups.js';
import { serveClock } from './clock-relay.js';
import { answerNotify, type AnswerObserver, type NotifyHandler } from './handle-packet.js';
import { HitBacklog } from './hit-backlog.js';
import { hitReceiver } from './hit-relay.js';
import { PolicyRelay } from './policy-relay.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';
import { SummedMetrics, type MetricsJson } from './summed-metrics.js';
import { TcpConnections, tcpLimits } from './tcp-connections.js';
import { WorkerLink } from './worker-link.js';
import type { WorkerStart } from './worker-messages.js';

/** The worker body beside this file: .ts when run from source (tests), .js when built. */
const WORKER = new URL(import.meta.url.endsWith('.ts') ? './answer-worker.ts' : './answer-worker.js', import.meta.url);

/** A worker that dies sooner than this after it started counts as a quick death: the next start waits longer. */
const QUICK_DEATH_MS = 10_000;
const MAX_RESTART_DELAY_MS = 30_000;

/** What the pool is built from. */
export interface WorkerPoolOptions {
  /** `workers` threads are started; config.listen.port 0 is resolved to one free port they all bind. */
  readonly config: Config;
  readonly log: Logger;
  /** The policy in force here; every set put in it reaches every worker (PolicyRelay). */
  readonly policy: PolicyHolder;
  readonly groups: ClientGroups;
  /** The block log and the stop page's memory, for the answers a worker sends them (answering-loop.ts says which). */
  readonly onLogged: AnswerObserver;
  /** NOTIFY requests a worker receives are answered here. */
  readonly notify?: NotifyHandler;
  /** Its buckets and counts are shared with every worker's limiter. */
  readonly rateLimiter?: RateLimiter;
  /** The main thread's metrics, summed with the workers' at each scrape. */
  readonly registry: Registry;
  /** An injected clock (tests), read by the workers through the main thread. */
  readonly now?: () => number;
}

/**
 * The worker threads that answer DNS when `workers` is above 1 (issue 21): each runs one answering loop
 * (answer-worker.ts) on the same address and port, bound with SO_REUSEPORT, so the kernel spreads UDP
 * queries and TCP connections over them. The main thread keeps everything else (zones, transfers, NOTIFY,
 * the stop page, the block log, the admin listener). A worker that dies is logged and replaced (after a
 * growing delay when it keeps dying at start); the others answer meanwhile. Emits "replaced" ({ index,
 * threadId }) once a replacement answers, and "applied" (generation) once every worker has the policy set
 * of that generation in force.
 */
export class WorkerPool extends EventEmitter {
  /** What /metrics serves: the main thread's metrics and every worker's, summed. */
  readonly registry: SummedMetrics;
  readonly #options: WorkerPoolOptions;
  readonly #relay: PolicyRelay;
  readonly #threadConfig: unknown;
  readonly #links: Array<WorkerLink | null>;
  readonly #quickDeaths: number[];
  /** Per place, the records sent for the block log and not handled yet (a bound), and those dropped. */
  readonly #backlogs: HitBacklog[];
  readonly #restarts = new Set<NodeJS.Timeout>();
  #closing = false;

  private constructor(options: WorkerPoolOptions, threadConfig: unknown) {
    super();
    this.#options = options;
    this.#threadConfig = threadConfig;
    this.#relay = new PolicyRelay(options.policy, options.groups);
    this.#links = Array.from({ length: options.config.workers }, () => null);
    this.#quickDeaths = this.#links.map(() => 0);
    this.#backlogs = this.#links.map(() => new HitBacklog());
    this.registry = new SummedMetrics(options.registry, () => this.#gather());
  }

  /** Starts every worker and resolves once all answer; rejects (with every worker stopped) when one cannot bind. */
  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const port = await choosePort(options.config, options.log);
    const pool = new WorkerPool(options, forThread({ ...options.config, listen: { ...options.config.listen, port } }));
    const started = await Promise.allSettled(pool.#links.map((_, index) => pool.#spawn(index)));
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) {
      await pool.close();
      throw failed.reason;
    }
    return pool;
  }

  /** The addresses and port every worker answers on. */
  get endpoints(): ReadonlyArray<{ address: string; port: number }> {
    return this.#links.find((link) => link !== null)?.endpoints ?? [];
  }

  /** The worker threads answering now, by place (a replacement takes its predecessor's). */
  get workers(): readonly Worker[] {
    return this.#links.flatMap((link) => (link === null ? [] : [link.worker]));
  }

  /** Puts new client groups in force in every worker with the policy set `publish` puts in force (PolicyRelay.regroup). */
  regroup(groups: ClientGroups, publish: () => void): void {
    this.#relay.regroup(groups, publish);
  }

  /** Resolves once every worker has the policy set in force here now. */
  applied(): Promise<void> {
    const generation = this.#relay.generation;
    const behind = (): boolean => this.#links.some((link) => link !== null && link.applied < generation);
    if (!behind()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (behind()) return;
        this.off('applied', check);
        this.off('replaced', check);
        resolve();
      };
      this.on('applied', check);
      this.on('replaced', check);
    });
  }

  /** Answers for the block log the workers dropped because too many waited for the main thread (blockLog.bufferEvents per worker). */
  get hitsDropped(): number {
    return this.#backlogs.reduce((sum, backlog) => sum + backlog.dropped, 0);
  }

  /** Resolves once every answer on which a rule fired that the workers have sent so far has reached the block log. */
  async flushHits(): Promise<void> {
    await Promise.all(this.#links.map((link) => link?.flush()));
  }

  /** Stops every worker: each stops taking queries, answers those it received, and exits. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const timer of this.#restarts) clearTimeout(timer);
    await Promise.all(this.#links.map((link) => link?.close(this.#options.config.upstream.deadlineMs + 5000)));
  }

  async #spawn(index: number): Promise<void> {
    const { config, log, notify, rateLimiter, now } = this.#options;
    let worker: Worker | null = null;
    const { start: policy, detach } = this.#relay.attach(() => worker?.postMessage({ type: 'catch-up' }));
    const clock = now === undefined ? null : serveClock(now);
    const backlog = this.#backlogs[index]!;
    backlog.reset();
    const start: WorkerStart = {
      index,
      loops: config.workers,
      config: this.#threadConfig,
      policy,
      rateLimit: rateLimiter?.tables ?? null,
      notify: notify !== undefined,
      clock: clock?.link ?? null,
      backlog: { words: backlog.words, limit: config.blockLog.bufferEvents },
    };
    worker = new Worker(WORKER, { workerData: start, transferList: [policy.port, ...(clock === null ? [] : [clock.link.port])], name: `stopzone-dns-${index}` });
    const link = new WorkerLink(worker, policy.applied, {
      log: lineWriter(log),
      hits: hitReceiver(this.#options.policy, this.#options.onLogged),
      hitsHandled: (count) => backlog.handled(count),
      notify: notify === undefined ? undefined : (raw, meta) => answerNotify(notify, raw, meta, log),
      applied: (generation) => this.emit('applied', generation),
    });
    const startedAt = Date.now();
    worker.once('exit', (code) => {
      detach();
      clock?.close();
      if (this.#links[index] === link) this.#links[index] = null;
      if (this.#closing || !link.ready) return;
      log.error({ worker: index, threadId: link.threadId, code }, `DNS worker ${index} stopped (exit code ${code}); the others answer while another starts`);
      if (link.lastMetrics !== null) void this.registry.retire(link.lastMetrics);
      this.#quickDeaths[index] = Date.now() - startedAt < QUICK_DEATH_MS ? this.#quickDeaths[index]! + 1 : 0;
      this.#replace(index);
    });
    worker.on('error', (error) => log.error({ worker: index, err: error.message, stack: error.stack }, `DNS worker ${index} failed: ${error.message}`));
    await link.started;
    this.#links[index] = link;
  }

  #replace(index: number): void {
    const delay = this.#quickDeaths[index]! === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** this.#quickDeaths[index]!);
    const timer = setTimeout(() => {
      this.#restarts.delete(timer);
      if (this.#closing) return;
      this.#spawn(index).then(
        () => this.emit('replaced', { index, threadId: this.#links[index]?.threadId }),
        (error: unknown) => {
          this.#options.log.error({ worker: index, err: String(error) }, `DNS worker ${index} could not start again: ${String(error)}`);
          this.#quickDeaths[index]!++;
          if (!this.#closing) this.#replace(index);
        },
      );
    }, delay);
    this.#restarts.add(timer);
  }

  #gather(): Promise<MetricsJson[]> {
    return Promise.all(this.#links.flatMap((link) => (link === null ? [] : [link.metrics()])));
  }
}

/**
 * The port every worker binds. A fixed one is taken as configured. Port 0 is chosen here, by binding UDP and
 * TCP on every address without SO_REUSEPORT (so that no other process's SO_REUSEPORT socket can be joined
 * by accident) and closing them again, before the workers bind it with SO_REUSEPORT.
 */
async function choosePort(config: Config, log: Logger): Promise<number> {
  if (config.listen.port !== 0) return config.listen.port;
  const probe = await bindDns(config.listen, new TcpConnections(tcpLimits(config.listen)), () => null, log);
  await probe.close();
  return probe.endpoints[0]!.port;
}

/** Writes a worker's log line (JSON, as pino wrote it there) to the main thread's log destination. */
function lineWriter(log: Logger): (line: string) => void {
  const stream = (log as unknown as Record<symbol, { write(line: string): void }>)[pino.symbols.streamSym]!;
  return (line) => stream.write(line);
}


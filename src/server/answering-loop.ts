import type { Logger } from 'pino';
import { AnswerCache } from '../cache/answer-cache.js';
import type { Endpoint } from '../config/address.js';
import type { Config } from '../config/schema.js';
import type { Question } from '../dns/types.js';
import { LoopMetrics } from '../observe/loop-metrics.js';
import type { RepeatedLines } from '../observe/repeated-lines.js';
import type { PolicySource } from '../rpz/policy-holder.js';
import { stopPageRdata } from '../rpz/policy-holder.js';
import type { Timers } from '../runtime/bounded.js';
import { UpstreamPool } from '../upstream/index.js';
import { bindDns } from './bind-dns.js';
import { packetHandler, type AnswerObserver, type GroupOf, type NotifyHandler } from './handle-packet.js';
import { compose } from './pipeline.js';
import type { UdpGate } from './rate-limit/rate-limiter.js';
import { stagesInOrder } from './stage-order.js';
import { allowList } from './stages/access.js';
import { TcpConnections, tcpLimits } from './tcp-connections.js';
import { upstreamSets } from './upstream-sets.js';

/** What one answering loop is built from. */
export interface LoopOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly lines: RepeatedLines;
  /** The policy in force, read once per query. */
  readonly policy: PolicySource;
  /** The client group of each query (the groups in force, which a reload replaces). */
  readonly groupOf: GroupOf;
  /**
   * Called for each answer on which a policy rule fired (a hit or a "would have"), and with store.allQueries for
   * every answer (the block log hands those to the event store only): the block log, the stop page's memory. Must not throw.
   */
  readonly onLogged: AnswerObserver;
  readonly notify?: NotifyHandler;
  /** The UDP rate limiter. */
  readonly gate?: UdpGate;
  /** Answering loops in all: each holds its share of the TCP limits, and binds with SO_REUSEPORT when there are several. */
  readonly loops: number;
  readonly now?: () => number;
  readonly upstreamTimers?: Timers;
}

/** One event loop answering DNS: its listeners, caches and upstream pools. */
export interface AnsweringLoop {
  readonly endpoints: ReadonlyArray<{ address: string; port: number }>;
  /** The cache of the top-level upstreams (set 0). */
  readonly cache: AnswerCache;
  /** The pool of the top-level upstreams (set 0). */
  readonly pool: UpstreamPool;
  readonly metrics: LoopMetrics;
  /** Stops taking queries, answers those received, then closes the upstream pools. */
  close(): Promise<void>;
}

/**
 * Builds the stages (server/stage-order.ts), with one answer cache and upstream pool per distinct set of
 * upstreams (groups may name their own), and binds DNS on every listen address. The same whether it runs on
 * the main thread (workers: 1) or in one of several worker threads (server/answer-worker.ts).
 */
export async function startAnsweringLoop(options: LoopOptions): Promise<AnsweringLoop> {
  const { config, log, now } = options;
  // Groups with upstreams of their own: one cache (and below, one pool) per distinct set, so answers never cross sets.
  const { sets } = upstreamSets(config.upstreams, config.groups);
  // Each loop holds its share of the cache's limits, so that the loops' caches together stay within them.
  const share = (limit: number): number => Math.ceil(limit / options.loops);
  const caches = sets.map(() => new AnswerCache({ ...config.cache, maxEntries: share(config.cache.maxEntries), maxBytes: share(config.cache.maxBytes), ...(now && { now }) }));
  const tcp = new TcpConnections(tcpLimits(config.listen, options.loops));
  const metrics = new LoopMetrics({ cache: caches.length === 1 ? caches[0]! : allOf(caches), tcp: () => tcp.stats() });
  const onMalformedAnswer = (upstream: string, reason: string, question: Question): void => {
    metrics.malformedAnswer(upstream);
    if (log.isLevelEnabled('debug')) log.debug({ upstream, qname: question.name, qtype: question.type, reason }, 'malformed upstream answer');
  };
  const newPool = (upstreams: readonly Endpoint[]): UpstreamPool =>
    new UpstreamPool({ upstreams, ...config.upstream, ...(now && { now }), ...(options.upstreamTimers && { timers: options.upstreamTimers }), onMalformedAnswer });
  const tails = sets.map((upstreams, i) => ({ cache: caches[i]!, pool: newPool(upstreams) }));
  const closePools = async (): Promise<void> => {
    await Promise.all(tails.map((tail) => tail.pool.close()));
  };
  const stages = stagesInOrder({
    allowed: allowList(config.access.allow),
    cache: caches[0]!,
    pool: tails[0]!.pool,
    policy: options.policy,
    stopPage: stopPageRdata(config.stopPage.addresses),
    upstreamObserver: (upstream, seconds) => metrics.upstream(upstream, seconds),
    ...(now && { now }),
    upstreamSets: tails,
  });
  const onLogged = options.onLogged;
  const everyAnswer = config.store.enabled && config.store.allQueries;
  const handle = packetHandler(
    compose(stages),
    { maxUdpPayload: config.listen.maxUdpPayload },
    log,
    (query, answer, ede) => {
      metrics.observe(query, answer);
      if (everyAnswer || answer.policy !== undefined || answer.wouldHave !== undefined) onLogged(query, answer, ede);
    },
    options.notify,
    options.groupOf,
  );
  const guards = { ...(options.gate !== undefined && { gate: options.gate }), lines: options.lines, reusePort: options.loops > 1 };
  const dns = await bindDns(config.listen, tcp, handle, log, guards).catch(async (error: unknown) => {
    await closePools();
    throw error;
  });
  return {
    endpoints: dns.endpoints,
    cache: caches[0]!,
    pool: tails[0]!.pool,
    metrics,
    close: async () => {
      await dns.close();
      await closePools();
    },
  };
}

/** Several caches' sizes summed, read when /metrics is scraped. */
function allOf(caches: readonly AnswerCache[]): { readonly size: number; readonly bytes: number } {
  return {
    get size() {
      return caches.reduce((sum, c) => sum + c.size, 0);
    },
    get bytes() {
      return caches.reduce((sum, c) => sum + c.bytes, 0);
    },
  };
}

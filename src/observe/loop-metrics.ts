import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { AnswerCounts, type LabelledCount } from './answer-counts.js';
import type { Answer, Query } from '../model/query.js';
import { TCP_CLOSE_REASONS, type TcpStats } from '../model/tcp-stats.js';

/** What one answering loop's metrics read when scraped. */
export interface LoopMetricSources {
  /** Its answer caches, counted together. */
  readonly cache: { readonly size: number; readonly bytes: number };
  /** Its DNS-over-TCP connections' counts. */
  readonly tcp: () => TcpStats;
}

/**
 * The metrics of one event loop answering DNS: queries, policy hits, cache lookups, upstream exchanges, its
 * cache and its TCP connections. Per-query counts are plain numbers (AnswerCounts) read when /metrics is
 * scraped: a prom-client child from labels() hashes its labels on every inc(). Per-exchange upstream metrics
 * keep one child per upstream, found by the upstream's own label string. With worker threads each loop has
 * its own, in its own registry, and /metrics sums them (server/worker-pool.ts).
 */
export class LoopMetrics {
  readonly #counts = new AnswerCounts();
  readonly #upstreamSeconds: Histogram<'upstream'>;
  readonly #upstreamErrors: Counter<'upstream'>;
  readonly #malformedAnswers: Counter<'upstream'>;
  readonly #timings = new Map<string, { observe(value: number): void }>();
  readonly #errors = new Map<string, { inc(value?: number): void }>();
  readonly #malformed = new Map<string, { inc(value?: number): void }>();

  constructor(registry: Registry, sources: LoopMetricSources) {
    const registers = [registry];
    const counts = this.#counts;
    countedAtScrape(registers, 'stopzone_queries_total', 'Queries answered, by transport and RCODE.', ['transport', 'rcode'], () => counts.queries());
    countedAtScrape(registers, 'stopzone_policy_hits_total', 'Policy rules that fired, by zone, action, trigger and client group (groups are configured, so the label set stays bounded).', ['zone', 'action', 'trigger', 'group'], () => counts.policyHits());
    countedAtScrape(registers, 'stopzone_cache_lookups_total', 'Cache lookups by result (hit, stale, miss).', ['result'], () => counts.cacheLookups());
    this.#upstreamSeconds = new Histogram({
      name: 'stopzone_upstream_seconds',
      help: 'Time for an upstream to answer, by upstream.',
      labelNames: ['upstream'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.#upstreamErrors = new Counter({ name: 'stopzone_upstream_errors_total', help: 'Failed upstream attempts, by upstream.', labelNames: ['upstream'], registers });
    this.#malformedAnswers = new Counter({
      name: 'stopzone_upstream_malformed_answers_total',
      help: 'Upstream answers that matched the query but were malformed (never relayed nor cached), by upstream.',
      labelNames: ['upstream'],
      registers,
    });
    new Gauge({ name: 'stopzone_cache_entries', help: 'Answers in the cache.', registers, collect() { this.set(sources.cache.size); } });
    new Gauge({ name: 'stopzone_cache_bytes', help: 'Bytes the cache accounts for.', registers, collect() { this.set(sources.cache.bytes); } });
    tcpMetrics(registers, sources.tcp);
  }

  /** Counts one answered query (an AnswerObserver). */
  observe(query: Query, answer: Answer): void {
    this.#counts.count(query, answer);
  }

  /** Records an upstream exchange: its duration, or a failure. */
  upstream(upstream: string, seconds: number | null): void {
    if (seconds === null) childOf(this.#errors, upstream, () => this.#upstreamErrors.labels(upstream)).inc();
    else childOf(this.#timings, upstream, () => this.#upstreamSeconds.labels(upstream)).observe(seconds);
  }

  /** Counts one malformed upstream answer. */
  malformedAnswer(upstream: string): void {
    childOf(this.#malformed, upstream, () => this.#malformedAnswers.labels(upstream)).inc();
  }
}

/** The prom-client child kept for `key` (upstreams are configured: the maps stay small). */
function childOf<C>(children: Map<string, C>, key: string, make: () => C): C {
  let child = children.get(key);
  if (child === undefined) children.set(key, (child = make()));
  return child;
}

/** A counter whose values are read from `counts` when /metrics is scraped. */
function countedAtScrape<L extends string>(registers: Registry[], name: string, help: string, labelNames: readonly L[], counts: () => Iterable<LabelledCount<L>>): void {
  new Counter({
    name,
    help,
    labelNames,
    registers,
    collect() {
      this.reset();
      for (const { labels, value } of counts()) this.inc(labels as Partial<Record<L, string>>, value);
    },
  });
}

/** Open TCP connections, answer bytes waiting on them, and connections closed by each limit, read at scrape time. */
function tcpMetrics(registers: Registry[], stats: () => TcpStats): void {
  new Gauge({ name: 'stopzone_tcp_connections', help: 'Open DNS-over-TCP connections.', registers, collect() { this.set(stats().open); } });
  new Gauge({ name: 'stopzone_tcp_queued_bytes', help: 'Answer bytes waiting to be sent on TCP connections.', registers, collect() { this.set(stats().queuedBytes); } });
  new Gauge({
    name: 'stopzone_tcp_queued_bytes_peak',
    help: 'The most answer bytes that have waited on TCP connections at once since start (at most listen.tcpMaxQueuedBytesTotal; with workers, the sum of each worker\'s peak).',
    registers,
    collect() {
      this.set(stats().queuedBytesPeak);
    },
  });
  new Counter({
    name: 'stopzone_tcp_connections_closed_total',
    help: 'TCP connections closed or refused by a limit, by reason (idle, message-timeout, write-timeout, queued-bytes-total, max-connections-evicted/refused, per-client-evicted/refused).',
    labelNames: ['reason'],
    registers,
    collect() {
      const closed = stats().closed;
      this.reset();
      for (const reason of TCP_CLOSE_REASONS) this.inc({ reason }, closed[reason]);
    },
  });
}

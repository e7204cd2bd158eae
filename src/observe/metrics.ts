import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PolicySet } from '../rpz/policy-set.js';
import { AnswerCounts, type LabelledCount } from './answer-counts.js';
import type { Answer, Query } from '../model/query.js';
import { TCP_CLOSE_REASONS, type TcpStats } from '../model/tcp-stats.js';
import type { ZoneStatus } from '../model/zone-status.js';
import { storeMetrics, type StoreCounts } from './store-metrics.js';

/** What the metrics read when scraped. */
export interface MetricSources {
  readonly cache: { readonly size: number; readonly bytes: number };
  readonly policy: { current(): PolicySet };
  readonly droppedLogEvents: () => number;
  /** The event store's counts (null when it is off). */
  readonly store?: StoreCounts;
  /** Each configured zone's source state (loads, failures). */
  readonly zoneStatus: () => readonly ZoneStatus[];
  /** The DNS-over-TCP connections' counts. */
  readonly tcp: () => TcpStats;
  /** The HTTPS stop page's certificates and refusals (null until it runs, or when it is off). */
  readonly stopPageHttps?: () => { readonly certificatesSigned: number; readonly certificatesCached: number; readonly refused: Readonly<Record<string, number>> } | null;
  /** UDP queries the rate limiter left unanswered (dropped) or answered with TC=1 (slipped), since start; absent when it is off. */
  readonly rateLimited?: { readonly dropped: number; readonly slipped: number };
}

/**
 * Prometheus metrics (prom-client). Per-query counts are plain numbers (AnswerCounts) read when /metrics is
 * scraped: a prom-client child from labels() hashes its labels on every inc(). Per-exchange upstream metrics
 * keep one child per upstream, found by the upstream's own label string.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #counts = new AnswerCounts();
  readonly #upstreamSeconds: Histogram<'upstream'>;
  readonly #upstreamErrors: Counter<'upstream'>;
  readonly #malformedAnswers: Counter<'upstream'>;
  readonly #timings = new Map<string, { observe(value: number): void }>();
  readonly #errors = new Map<string, { inc(value?: number): void }>();
  readonly #malformed = new Map<string, { inc(value?: number): void }>();

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'stopzone_process_' });
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
    const limited = sources.rateLimited;
    if (limited !== undefined) {
      new Counter({
        name: 'stopzone_rate_limited_total',
        help: 'UDP queries over the rate limit: dropped (no answer) or slipped (an empty TC=1 answer, so the client retries over TCP).',
        labelNames: ['action'],
        registers,
        collect() {
          this.reset();
          this.inc({ action: 'dropped' }, limited.dropped);
          this.inc({ action: 'slipped' }, limited.slipped);
        },
      });
    }
    new Gauge({ name: 'stopzone_block_log_dropped_total', help: 'Block-log events dropped because the destination could not keep up.', registers, collect() { this.set(sources.droppedLogEvents()); } });
    storeMetrics(registers, () => sources.store?.() ?? null);
    tcpMetrics(registers, sources.tcp);
    const https = () => sources.stopPageHttps?.() ?? null;
    new Counter({
      name: 'stopzone_stop_page_certificates_minted_total',
      help: 'Leaf certificates the stop page signed with the operator CA.',
      registers,
      collect() {
        this.reset();
        this.inc(https()?.certificatesSigned ?? 0);
      },
    });
    new Gauge({ name: 'stopzone_stop_page_certificates_cached', help: 'Leaf certificates the stop page holds, one per name.', registers, collect() { this.set(https()?.certificatesCached ?? 0); } });
    new Counter({
      name: 'stopzone_stop_page_https_refused_total',
      help: 'HTTPS connections the stop page refused before any TLS work (unrecognized_name alert), by reason.',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, count] of Object.entries(https()?.refused ?? {})) this.inc({ reason }, count);
      },
    });
    const zones = (): PolicySet['zones'] => sources.policy.current().zones;
    new Gauge({
      name: 'stopzone_policy_zone_rules',
      help: 'Rules in force per policy zone.',
      labelNames: ['zone'],
      registers,
      collect() {
        this.reset();
        for (const { zone } of zones()) this.set({ zone: zone.name }, Object.values(zone.stats.triggers).reduce((a, b) => a + b, 0));
      },
    });
    new Gauge({
      name: 'stopzone_policy_zone_serial',
      help: 'SOA serial of each policy zone in force (modulo 2^32).',
      labelNames: ['zone'],
      registers,
      collect() {
        this.reset();
        for (const { zone } of zones()) this.set({ zone: zone.name }, Number(zone.stats.serial ?? 0) % 2 ** 32);
      },
    });
    const perZone = (name: string, help: string, value: (status: ZoneStatus) => number | null): void => {
      new Gauge({
        name,
        help,
        labelNames: ['zone'],
        registers,
        collect() {
          this.reset();
          for (const status of sources.zoneStatus()) {
            const v = value(status);
            if (v !== null) this.set({ zone: status.name }, v);
          }
        },
      });
    };
    perZone('stopzone_policy_zone_loaded_timestamp_seconds', 'When the version of each policy zone in force was loaded.', (s) => (s.lastSuccess === null ? null : s.lastSuccess / 1000));
    perZone('stopzone_policy_zone_attempt_timestamp_seconds', 'When each policy zone was last loaded or tried.', (s) => (s.lastAttempt === null ? null : s.lastAttempt / 1000));
    perZone('stopzone_policy_zone_failing', '1 when the last load of the zone failed (the last good version stays in force).', (s) => (s.lastError === null ? 0 : 1));
    perZone('stopzone_policy_zone_expired', '1 when a zone with primaries is past its SOA expire time (still enforced unless whenExpired is drop).', (s) => (s.expired ? 1 : 0));
    perZone('stopzone_policy_zone_next_attempt_timestamp_seconds', 'When the next refresh of each downloaded or transferred zone is due.', (s) => (s.nextAttempt === null ? null : s.nextAttempt / 1000));
    perZone('stopzone_policy_zone_transfer_bytes', 'Bytes received by the last transfer or download of each zone.', (s) => s.lastTransfer?.bytes ?? null);
    perZone('stopzone_policy_zone_transfer_seconds', 'Duration of the last transfer or download of each zone.', (s) => (s.lastTransfer === null ? null : s.lastTransfer.ms / 1000));
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
    help: 'The most answer bytes that have waited on TCP connections at once since start (at most listen.tcpMaxQueuedBytesTotal).',
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

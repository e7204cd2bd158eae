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
 * One metric with its values, in the form prom-client's Registry.getMetricsAsJSON gives and
 * AggregatorRegistry.aggregate sums (server/summed-metrics.ts): plain data, so a worker thread can post it.
 */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator: 'sum';
  readonly values: readonly MetricValue[];
}

/** One value of a metric; a histogram's carry the series they belong to (name_bucket, name_sum, name_count). */
interface MetricValue {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName?: string;
}

/** Upper bounds (seconds) of the upstream answer-time histogram's buckets. */
const UPSTREAM_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** One upstream's answer times: answers per bucket (not cumulative; the last slot is above every bound), their sum. */
interface Timings {
  readonly buckets: Float64Array;
  sum: number;
}

/**
 * The metrics of one event loop answering DNS: queries, policy hits, cache lookups, upstream exchanges, its
 * cache and its TCP connections, all kept as plain numbers and turned into metric families when /metrics is
 * scraped (`families`). It loads no prom-client: a worker thread that did held some 3 MiB more of RSS (4
 * workers with no zone, 6 s after start: 220-226 MiB against 236-238), and a prom-client child from
 * labels() hashes its labels on every inc(). The main thread sums every loop's families with its own
 * registry (server/summed-metrics.ts).
 */
export class LoopMetrics {
  readonly #counts = new AnswerCounts();
  readonly #sources: LoopMetricSources;
  /** By upstream (as configured: the maps stay small). */
  readonly #timings = new Map<string, Timings>();
  readonly #errors = new Map<string, number>();
  readonly #malformed = new Map<string, number>();

  constructor(sources: LoopMetricSources) {
    this.#sources = sources;
  }

  /** Counts one answered query (an AnswerObserver). */
  observe(query: Query, answer: Answer): void {
    this.#counts.count(query, answer);
  }

  /** Records an upstream exchange: its duration, or a failure. */
  upstream(upstream: string, seconds: number | null): void {
    if (seconds === null) {
      this.#errors.set(upstream, (this.#errors.get(upstream) ?? 0) + 1);
      return;
    }
    let timings = this.#timings.get(upstream);
    if (timings === undefined) this.#timings.set(upstream, (timings = { buckets: new Float64Array(UPSTREAM_BUCKETS.length + 1), sum: 0 }));
    let bucket = 0;
    while (bucket < UPSTREAM_BUCKETS.length && seconds > UPSTREAM_BUCKETS[bucket]!) bucket++;
    timings.buckets[bucket]!++;
    timings.sum += seconds;
  }

  /** Counts one malformed upstream answer. */
  malformedAnswer(upstream: string): void {
    this.#malformed.set(upstream, (this.#malformed.get(upstream) ?? 0) + 1);
  }

  /** Every metric of this loop as it stands now, in prom-client's JSON form; names, help and labels are the /metrics contract. */
  families(): MetricFamily[] {
    const counts = this.#counts;
    const cache = this.#sources.cache;
    const tcp = this.#sources.tcp();
    return [
      counter('stopzone_queries_total', 'Queries answered, by transport and RCODE.', counts.queries()),
      counter('stopzone_policy_hits_total', 'Policy rules that fired, by zone, action, trigger and client group (groups are configured, so the label set stays bounded).', counts.policyHits()),
      counter('stopzone_cache_lookups_total', 'Cache lookups by result (hit, stale, miss).', counts.cacheLookups()),
      this.#upstreamSeconds(),
      counter('stopzone_upstream_errors_total', 'Failed upstream attempts, by upstream.', byUpstream(this.#errors)),
      counter('stopzone_upstream_malformed_answers_total', 'Upstream answers that matched the query but were malformed (never relayed nor cached), by upstream.', byUpstream(this.#malformed)),
      gauge('stopzone_cache_entries', 'Answers in the cache.', cache.size),
      gauge('stopzone_cache_bytes', 'Bytes the cache accounts for.', cache.bytes),
      gauge('stopzone_tcp_connections', 'Open DNS-over-TCP connections.', tcp.open),
      gauge('stopzone_tcp_queued_bytes', 'Answer bytes waiting to be sent on TCP connections.', tcp.queuedBytes),
      gauge(
        'stopzone_tcp_queued_bytes_peak',
        "The most answer bytes that have waited on TCP connections at once since start (at most listen.tcpMaxQueuedBytesTotal; with workers, the sum of each worker's peak).",
        tcp.queuedBytesPeak,
      ),
      counter(
        'stopzone_tcp_connections_closed_total',
        'TCP connections closed or refused by a limit, by reason (idle, message-timeout, write-timeout, queued-bytes-total, max-connections-evicted/refused, per-client-evicted/refused).',
        TCP_CLOSE_REASONS.map((reason) => ({ labels: { reason }, value: tcp.closed[reason] })),
      ),
    ];
  }

  /** The answer-time histogram as prom-client writes one: cumulative buckets up to +Inf, then the sum and the count, per upstream. */
  #upstreamSeconds(): MetricFamily {
    const name = 'stopzone_upstream_seconds';
    const values: MetricValue[] = [];
    for (const [upstream, { buckets, sum }] of this.#timings) {
      let below = 0;
      for (const [i, le] of UPSTREAM_BUCKETS.entries()) values.push({ metricName: `${name}_bucket`, labels: { le, upstream }, value: (below += buckets[i]!) });
      below += buckets[UPSTREAM_BUCKETS.length]!;
      values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', upstream }, value: below });
      values.push({ metricName: `${name}_sum`, labels: { upstream }, value: sum });
      values.push({ metricName: `${name}_count`, labels: { upstream }, value: below });
    }
    return { name, help: 'Time for an upstream to answer, by upstream.', type: 'histogram', aggregator: 'sum', values };
  }
}

function counter(name: string, help: string, counts: Iterable<LabelledCount<string>>): MetricFamily {
  return { name, help, type: 'counter', aggregator: 'sum', values: Array.from(counts, ({ labels, value }) => ({ labels, value })) };
}

function gauge(name: string, help: string, value: number): MetricFamily {
  return { name, help, type: 'gauge', aggregator: 'sum', values: [{ labels: {}, value }] };
}

function* byUpstream(counts: ReadonlyMap<string, number>): Iterable<LabelledCount<'upstream'>> {
  for (const [upstream, value] of counts) yield { labels: { upstream }, value };
}

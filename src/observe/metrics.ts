import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { PolicySet } from '../rpz/policy-set.js';
import type { ZoneStatus } from '../model/zone-status.js';
import { storeMetrics, type StoreCounts } from './store-metrics.js';

/** What the metrics of the process (outside the answering loops) read when scraped. */
export interface MetricSources {
  readonly policy: { current(): PolicySet };
  readonly droppedLogEvents: () => number;
  /** The event store's counts (null when it is off). */
  readonly store?: StoreCounts;
  /** Each configured zone's source state (loads, failures). */
  readonly zoneStatus: () => readonly ZoneStatus[];
  /** The HTTPS stop page's certificates and refusals (null until it runs, or when it is off). */
  readonly stopPageHttps?: () => { readonly certificatesSigned: number; readonly certificatesCached: number; readonly refused: Readonly<Record<string, number>> } | null;
  /** UDP queries the rate limiter left unanswered (dropped) or answered with TC=1 (slipped), since start; absent when it is off. */
  readonly rateLimited?: { readonly dropped: number; readonly slipped: number };
}

/**
 * Prometheus metrics (prom-client) of the process: its own (CPU, memory), the policy zones, the block log,
 * the stop page and the rate limiter (whose counts every answering loop shares). The answering loops' metrics
 * are LoopMetrics (observe/loop-metrics.ts), summed with this registry when /metrics is scraped
 * (server/summed-metrics.ts).
 */
export class Metrics {
  readonly registry = new Registry();

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'stopzone_process_' });
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
    new Gauge({ name: 'stopzone_block_log_dropped_total', help: 'Block-log events dropped because the destination (or, with workers, the main thread that writes them) could not keep up.', registers, collect() { this.set(sources.droppedLogEvents()); } });
    storeMetrics(registers, () => sources.store?.() ?? null);
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
}

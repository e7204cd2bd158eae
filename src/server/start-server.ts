import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { AnswerCache } from '../cache/answer-cache.js';
import type { UpstreamPool } from '../upstream/index.js';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { ADMIN_HTTP_LIMITS, startAdminServer, type AdminServer } from '../observe/admin-server.js';
import { BlockLog } from '../observe/block-log.js';
import { Metrics } from '../observe/metrics.js';
import { RepeatedLines } from '../observe/repeated-lines.js';
import { startStopPage, type RunningStopPage } from '../stop-page/index.js';
import { RecentStopPageNames } from '../stop-page/recent-stop-page-names.js';
import type { Timers } from '../runtime/bounded.js';
import { PolicySet } from '../rpz/policy-set.js';
import { notifyResponder } from '../sources/notify.js';
import type { ZoneClock } from '../sources/file-settle.js';
import { NotifyChecks } from '../sources/notify-checks.js';
import { PolicyZones } from '../sources/policy-zones.js';
import { PolicyHolder } from '../rpz/policy-holder.js';
import { ClientGroups } from './client-groups.js';
import { RateLimiter } from './rate-limit/rate-limiter.js';
import { upstreamSets } from './upstream-sets.js';
import { startAnswering } from './start-answering.js';
import type { WorkerPool } from './worker-pool.js';
import { openEventStore } from '../store/open-event-store.js';
import type { SqliteEventStore } from '../store/sqlite-event-store.js';
import { planRegroup, type Reconfigured } from './regroup.js';
import { setUpConsole } from '../console/console-setup.js';
import type { EventStore } from '../store/event-store.js';

/** A running Stopzone: DNS, the admin listener, the block log. */
export interface RunningServer {
  /** The DNS listeners' bound addresses (UDP and TCP share the port). */
  readonly endpoints: ReadonlyArray<{ address: string; port: number }>;
  /** The answer cache and upstream pool of the top-level upstreams; null when worker threads answer (workers above 1), each with its own. */
  readonly cache: AnswerCache | null;
  readonly pool: UpstreamPool | null;
  /** The worker threads answering DNS (workers above 1), or null when this thread answers. */
  readonly workers: WorkerPool | null;
  readonly policy: PolicyHolder;
  /** The policy zones' sources: reload them (SIGHUP), read their status. */
  readonly zones: PolicyZones;
  readonly metrics: Metrics;
  /** The UDP rate limiter and its counts (undefined when rateLimit.enabled is false). */
  readonly rateLimiter: RateLimiter | undefined;
  readonly blockLog: BlockLog;
  /** The block events kept for search (null when store.enabled is false). */
  readonly store: SqliteEventStore | null;
  readonly admin: AdminServer;
  /** The stop page's bound HTTP and HTTPS addresses (empty when stopPage.enabled is false). */
  readonly stopPage: RunningStopPage;
  /** The client groups in force (replaced by a reload). */
  readonly groups: ClientGroups;
  /**
   * Puts a reloaded config's client groups, schedules and zones' groups lists in force (SIGHUP), in one
   * synchronous step: a query is decoded and its zones chosen under one set of groups. Refused, with the
   * running config kept, when a group names upstreams not running since start-up (regroup.ts).
   */
  reconfigure(next: Config): Reconfigured;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly config: Config;
  readonly log: Logger;
  /** Millisecond clock for the cache, upstream health, the rate limiter, NOTIFY checks, repeated log lines and schedules (tests inject one). */
  readonly now?: () => number;
  /** Where block events go instead of the configured destinations (tests). */
  readonly blockLogSink?: Writable;
  /** The clock zone files are waited for with (tests move it instead of sleeping). */
  readonly zoneClock?: ZoneClock;
  /** Timers for upstream timeouts and the deadline (tests move time instead of waiting). */
  readonly upstreamTimers?: Timers;
  /** The event store the console searches instead of the configured one (tests hand an in-memory one in); without either, the console's event routes answer 503. */
  readonly eventStore?: EventStore;
}

/**
 * Starts everything `stopzone serve` runs: loads the policy zones, builds the
 * pipeline, opens the block log, binds DNS and the admin listener. Closing
 * stops taking queries, answers those received, then flushes the log.
 */
export async function startServer({ config, log, now, blockLogSink, zoneClock, upstreamTimers, eventStore }: StartOptions): Promise<RunningServer> {
  const referenceKey = config.blockLog.hashKey === undefined ? randomBytes(32) : Buffer.from(config.blockLog.hashKey);
  const clock = now ?? Date.now;
  // Lines a remote peer can cause once per packet: the first of a kind a minute, then a count.
  const lines = new RepeatedLines(log, { now: clock });
  const finishLimits = { maxUdpPayload: config.listen.maxUdpPayload };
  const limiter = config.rateLimit.enabled ? new RateLimiter(config.rateLimit, { now: clock, finish: finishLimits, log, lines }) : undefined;
  // Groups with upstreams of their own: one cache and one pool per distinct set (answering-loop.ts); reloads may use only these sets.
  const { sets, setOf } = upstreamSets(config.upstreams, config.groups);
  const policy = new PolicyHolder(new PolicySet([]));
  const zones = new PolicyZones(config.policy.zones, policy, log, {
    stateDir: config.state.dir,
    keys: config.tsigKeys,
    settleMs: config.policy.fileSettleMs,
    startupWaitMs: config.policy.startupWaitSeconds * 1000,
    ...(zoneClock && { clock: zoneClock }),
  });
  await zones.loadAll();
  const notifyChecks = new NotifyChecks((index) => zones.refresh(index, 'notify'), { now: clock });
  const events = openEventStore(config.store, log, clock);
  const store = events?.store ?? null;
  const blockLog = await BlockLog.open(config.blockLog, referenceKey, blockLogSink, events?.tap, log);
  // The stop page starts last; until then (and when it is off) /metrics shows its counts as 0.
  let stopPageStarted: RunningStopPage | null = null;
  // The worker threads once started (null with one loop): /metrics adds the answers they dropped for the block log.
  let workers: WorkerPool | null = null;
  const metrics = new Metrics({
    policy,
    // The block log's own drops, and those of answers workers could not send it while the main thread was behind.
    droppedLogEvents: (): number => blockLog.dropped + (workers?.hitsDropped ?? 0),
    store: () => store?.stats ?? null,
    zoneStatus: () => zones.status(),
    stopPageHttps: () => stopPageStarted?.stats ?? null,
    ...(limiter !== undefined && { rateLimited: limiter }),
  });
  // Names DNS sends to the stop page through their answers, which the stop page cannot find again from the name alone.
  const recentStopPage = new RecentStopPageNames({ now: clock });
  let groups = new ClientGroups(config.groups, setOf);
  // One loop here, or `workers` threads (worker-pool.ts) whose answers for the block log come back here, to its one writer.
  const dns = await startAnswering({
    config,
    log,
    lines,
    policy,
    groups: () => groups,
    onLogged: (query, answer, ede) => {
      blockLog.record(query, answer, ede);
      if (answer.policy !== undefined) recentStopPage.record(query, answer.policy);
    },
    ...(config.policy.zones.some((zone) => zone.primaries !== undefined) && { notify: notifyResponder(zones, log, { now: clock, lines, checks: notifyChecks }) }),
    ...(limiter !== undefined && { rateLimiter: limiter }),
    registry: metrics.registry,
    ...(now && { now }),
    ...(upstreamTimers && { upstreamTimers }),
  }).catch(async (error: unknown) => {
    await blockLog.close();
    await store?.close();
    throw error;
  });
  workers = dns.workers;
  blockLog.gatherFirst(() => dns.flushHits());
  zones.watchSources();
  const opened: Array<() => Promise<void>> = [dns.close, async () => {
    await blockLog.close();
    await store?.close();
  }, async () => {
    notifyChecks.close();
    zones.close();
  }];
  const failed = async (error: unknown): Promise<never> => {
    await Promise.all(opened.map((close) => close()));
    throw error;
  };
  // The console's pauses go in force here, before the admin listener opens (console/console-setup.ts).
  const consoleSetup = await setUpConsole({ config, policy, zones, groups: () => groups, events: eventStore ?? store, now: clock, log }).catch(failed);
  opened.push(async () => consoleSetup.close());
  // Ready once every required zone has a version in force (zone files load before DNS binds; downloads may lag).
  const admin = await startAdminServer(config.admin.listen, dns.registry, () => zones.missingRequired().length === 0, log, ADMIN_HTTP_LIMITS, consoleSetup).catch(failed);
  opened.push(admin.close);
  const stopPage = await startStopPage({ config: config.stopPage, policy, log, referenceKey, recent: recentStopPage, groups: () => groups, lines, ...(now && { now }) }).catch(failed);
  stopPageStarted = stopPage;
  let closing: Promise<void> | undefined;
  return {
    endpoints: dns.endpoints,
    cache: dns.cache,
    pool: dns.pool,
    workers: dns.workers,
    policy,
    zones,
    metrics,
    rateLimiter: limiter,
    blockLog,
    store,
    admin,
    stopPage,
    get groups() {
      return groups;
    },
    reconfigure(next) {
      const plan = planRegroup(config, next, sets);
      if ('refused' in plan) return { applied: false, reason: plan.refused };
      // Both in this one synchronous step: no query sees the new groups with the old zones' rules (in any worker thread either: PolicyRelay.regroup).
      groups = plan.groups;
      dns.regroup(plan.groups, () => zones.regroup((name) => next.policy.zones.find((zone) => zone.name === name)?.groups, next.groups.length));
      consoleSetup.regrouped();
      return { applied: true, restartNeeded: plan.restartNeeded };
    },
    // Idempotent: a second SIGTERM, or a caller closing twice, waits for the same shutdown.
    close: () =>
      (closing ??= (async () => {
        notifyChecks.close();
        zones.close();
        consoleSetup.close();
        await Promise.all([dns.close(), admin.close(), stopPage.close()]);
        lines.close();
        await blockLog.close();
        await store?.close();
      })()),
  };
}

import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Endpoint } from '../config/address.js';
import type { Config } from '../config/schema.js';
import type { ZoneStatus } from '../model/zone-status.js';
import { PolicySet, type ZoneSettings } from '../rpz/policy-set.js';
import type { PolicyZone } from '../rpz/policy-zone.js';
import { systemClock, type ZoneClock } from './file-settle.js';
import { OldVersions } from './old-versions.js';
import { ZoneFeed, type RefreshReason } from './zone-feed.js';
import { zonePath, type ZoneConfig } from './zone-source.js';
import type { TsigKey } from './zone-transfer/tsig-key.js';
import type { ZoneWhen } from '../schedule/index.js';

/** Something that takes a new policy set (the PolicyHolder). */
export interface PolicyTarget {
  replace(set: PolicySet): void;
}

/** A zone paused for one client group (by index) until an instant (ms): the console's pauses, laid over the groups' rules. */
export interface ZonePause {
  /** The zone's configured name. */
  readonly zone: string;
  readonly group: number;
  readonly until: number;
}

/** How PolicyZones waits: for zone files to settle, for first downloads at start-up; and its clock. */
export interface PolicyZonesOptions {
  /** Holds the last-good copies of downloaded and transferred zones. */
  readonly stateDir: string;
  readonly keys?: Config['tsigKeys'];
  /** policy.fileSettleMs: a zone file is read once it has not changed for this long. */
  readonly settleMs?: number;
  /** policy.startupWaitSeconds, in ms: how long loadAll waits for first downloads and transfers. */
  readonly startupWaitMs?: number;
  readonly clock?: ZoneClock;
  readonly oldVersions?: OldVersions;
}

/**
 * The configured policy zones, one ZoneFeed each (zone-feed.ts: its source,
 * status, watcher or timer, and the version in force), in configured order.
 * Publishes one PolicySet of the versions in force whenever a feed's version
 * changes, and emits "reload" with the zone's status after each attempt.
 * Files are watched, URLs downloaded every refreshSeconds, primaries
 * transferred on the SOA timers and on NOTIFY; SIGHUP asks every feed again.
 */
export class PolicyZones extends EventEmitter {
  readonly #feeds: readonly ZoneFeed[];
  readonly #target: PolicyTarget;
  readonly #log: Logger;
  readonly #oldVersions: OldVersions;
  readonly #startupWaitMs: number;
  /** Each zone's rule per client group, by zone index: the config's, until `regroup` (SIGHUP) replaces them. */
  #zoneGroups: ReadonlyArray<readonly ZoneWhen[]>;
  /** Pauses laid over #zoneGroups at publish (`pause`); one past its end applies nothing more. */
  #pauses: readonly ZonePause[] = [];
  /** Aborted by close: downloads in flight stop, refresh threads end. */
  readonly #stopping = new AbortController();

  constructor(configs: readonly ZoneConfig[], target: PolicyTarget, log: Logger, options: PolicyZonesOptions) {
    super();
    const { stateDir, keys = [] } = options;
    this.#target = target;
    this.#log = log;
    this.#oldVersions = options.oldVersions ?? new OldVersions();
    this.#startupWaitMs = options.startupWaitMs ?? 30_000;
    const byName = new Map(keys.map((key) => [key.name, { name: key.name, algorithm: key.algorithm, secret: key.secret ?? '' }]));
    const context = {
      log,
      clock: options.clock ?? systemClock,
      settleMs: options.settleMs ?? 1000,
      oldVersions: this.#oldVersions,
      stopping: this.#stopping.signal,
      changed: () => this.#publish(),
      attempted: (status: ZoneStatus) => this.emit('reload', status),
    };
    if (configs.some((c) => c.file === undefined)) mkdirSync(stateDir, { recursive: true });
    this.#zoneGroups = configs.map((c) => c.groups);
    this.#feeds = configs.map((c) => new ZoneFeed(c, zonePath(c, stateDir), c.key === undefined ? undefined : byName.get(c.key), context));
  }

  /**
   * Loads every zone, in order. A zone file that cannot be read stops
   * start-up (file:line). A downloaded or transferred zone with a last-good
   * copy loads from the copy at once (no network needed) and is refreshed
   * once watchSources starts; those without a copy are fetched now, all at
   * once, and waited for startupWaitMs at most: then serving starts while
   * they go on, and while a required zone has no version every query gets
   * SERVFAIL.
   */
  async loadAll(): Promise<void> {
    const first: Array<Promise<boolean>> = [];
    for (const feed of this.#feeds) {
      if (feed.kind === 'file') {
        if (!(await feed.refresh('start-up'))) throw new Error(feed.status.lastError ?? 'the zone did not load');
      } else if (!(await feed.loadCopy())) {
        first.push(feed.refresh('start-up'));
      }
    }
    this.#publish();
    if (first.length > 0) await this.#waitForFirstFetches(Promise.all(first));
    this.#warnWhenNoneInForce();
  }

  /** Says loudly, once serving starts, that no zone filters anything: none configured, or none loaded yet. */
  #warnWhenNoneInForce(): void {
    if (this.#feeds.some((feed) => feed.inForce !== null)) return;
    const why = this.#feeds.length === 0 ? 'policy.zones is empty in the configuration' : `none of ${this.#feeds.map((feed) => feed.config.name).join(', ')} has loaded`;
    const effect = this.missingRequired().length > 0 ? 'queries get SERVFAIL until a required zone loads' : 'every name is forwarded unfiltered';
    this.#log.warn({ zones: this.#feeds.length }, `no policy zone in force (${why}): ${effect}`);
  }

  /** Waits for `fetches` up to startupWaitMs; says which zones are still coming when serving starts without them. */
  async #waitForFirstFetches(fetches: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([fetches.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.#startupWaitMs)))]);
    clearTimeout(timer);
    if (done) return;
    const pending = this.#feeds.filter((feed) => feed.busy).map((feed) => feed.config.name);
    const missing = this.missingRequired();
    this.#log.warn(
      { zones: pending, waitedSeconds: this.#startupWaitMs / 1000, missingRequired: missing },
      `serving starts while the first download or transfer of ${pending.join(', ')} goes on${missing.length > 0 ? '; queries get SERVFAIL until every required zone has loaded' : ''}`,
    );
  }

  /** Zones marked required that have never been in force. */
  missingRequired(): string[] {
    return this.#feeds.filter((feed) => feed.missing).map((feed) => feed.config.name);
  }

  /** Refreshes zone `index` (ZoneFeed.refresh); resolves to success. */
  refresh(index: number, reason: RefreshReason = 'reload'): Promise<boolean> {
    return this.#feeds[index]!.refresh(reason);
  }

  /** Reloads every zone (SIGHUP): files are read again, URLs and primaries asked again. */
  async reloadAll(): Promise<void> {
    await Promise.all(this.#feeds.map((feed) => feed.refresh('reload')));
  }

  /**
   * Puts new client-group rules in force (a reloaded config's groups and schedules, issue 19), by zone
   * name: `groupsOf(name)` gives the zone's rule for each of the `groupCount` groups of the new numbering.
   * A zone the new config no longer lists (undefined) stays loaded until a restart and, meanwhile, applies
   * to every group: a reload never lets a name through by dropping a zone halfway. Publishes at once, so
   * the new rules and the caller's new ClientGroups meet every query together when both are set in one
   * synchronous step.
   */
  regroup(groupsOf: (zone: string) => readonly ZoneWhen[] | undefined, groupCount: number): void {
    this.#zoneGroups = this.#feeds.map((feed) => groupsOf(feed.config.name) ?? Array.from({ length: groupCount }, (): ZoneWhen => 'always'));
    this.#publish();
  }

  /**
   * Puts `pauses` in force in place of those before, and publishes at once. A paused zone applies to none
   * of the group's queries until the pause ends, then as the group's rule says again with no further step:
   * the rule becomes ZonePaused (schedule/zone-when.ts), so the group's zone mask changes at the pause's end
   * and answers the zone would change get TTLs capped at the seconds left (PolicySet.boundaryTtl).
   */
  pause(pauses: readonly ZonePause[]): void {
    this.#pauses = pauses;
    this.#publish();
  }

  /** The zone with primaries named `name` (any case, trailing dot or not), for NOTIFY. */
  secondary(name: string): { index: number; primaries: readonly Endpoint[]; key: TsigKey | undefined } | null {
    const wanted = name.toLowerCase().replace(/\.$/, '');
    const index = this.#feeds.findIndex((feed) => feed.kind === 'primaries' && feed.config.name.toLowerCase().replace(/\.$/, '') === wanted);
    if (index < 0) return null;
    const feed = this.#feeds[index]!;
    return { index, primaries: feed.config.primaries!, key: feed.key };
  }

  /** Starts following every zone's source (ZoneFeed.follow). */
  watchSources(): void {
    for (const feed of this.#feeds) feed.follow();
  }

  /** Each zone's source state, in configured order. */
  status(): readonly ZoneStatus[] {
    return this.#feeds.map((feed) => feed.status);
  }

  /** Stops watching and refreshing. */
  close(): void {
    for (const feed of this.#feeds) feed.close();
    this.#stopping.abort();
    this.#oldVersions.close();
  }

  /** Builds the set from the zones in force, in configured order, and hands it over in one assignment. */
  #publish(): void {
    const zones: Array<{ zone: PolicyZone; settings: ZoneSettings }> = [];
    for (const [i, feed] of this.#feeds.entries()) {
      const inForce = feed.inForce;
      if (inForce === null) continue;
      const groups = this.#paused(feed.config.name, this.#zoneGroups[i]!);
      zones.push(inForce.settings.groups === groups ? inForce : { zone: inForce.zone, settings: { ...inForce.settings, groups } });
    }
    this.#target.replace(new PolicySet(zones, this.missingRequired()));
  }

  /** A zone's rule per group with its pauses laid over; the very array given when none concerns it (so the settings are shared). */
  #paused(zone: string, groups: readonly ZoneWhen[]): readonly ZoneWhen[] {
    const mine = this.#pauses.filter((p) => p.zone === zone && p.group < groups.length);
    if (mine.length === 0) return groups;
    return groups.map((when, group): ZoneWhen => {
      const until = Math.max(...mine.filter((p) => p.group === group).map((p) => p.until));
      return until === -Infinity ? when : { pausedUntil: until, then: when };
    });
  }
}

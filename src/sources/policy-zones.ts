import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, type FSWatcher } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { PolicySet, type ZoneSettings } from '../rpz/policy-set.js';
import type { PolicyZone } from '../rpz/policy-zone.js';
import { systemClock, type SettleOptions, type ZoneClock } from './file-settle.js';
import { OldVersions } from './old-versions.js';
import { runRefresh, type RefreshOutcome } from './refresh-off-thread.js';
import type { TransferStatus, ZoneStatus } from '../model/zone-status.js';
import { readCopyMeta, sourceKind, zonePath, type ZoneConfig } from './zone-source.js';
import { ZoneFile } from './zone-file.js';
import { initialStatus, keptVersion, ruleCount } from './zone-status.js';
import { zoneSettings } from './zone-settings.js';
import { soaTimers } from './zone-transfer/secondary.js';

import type { TsigKey } from './zone-transfer/tsig-key.js';

/** Something that takes a new policy set (the PolicyHolder). */
export interface PolicyTarget {
  replace(set: PolicySet): void;
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

/** A zone file still changing after this long is not read (the next change or SIGHUP tries again). */
const MAX_SETTLE_WAIT_MS = 60_000;

/**
 * The configured policy zones and where they come from: files (watched),
 * URLs (downloaded every refreshSeconds) and primaries (transferred on the
 * SOA refresh timer and on NOTIFY). Each new version is loaded beside the one
 * in force and swapped in whole; an attempt that fails leaves the last good
 * version in force and says why. Downloaded and transferred zones keep a
 * last-good copy in the state directory, which start-up loads at once.
 * Attempts on one zone never overlap: a request during one runs once more
 * after it. A zone file is read only once it has stopped changing
 * (file-settle.ts). Emits "reload" with the zone's status after each attempt.
 */
export class PolicyZones extends EventEmitter {
  readonly #configs: readonly ZoneConfig[];
  readonly #keys: ReadonlyMap<string, TsigKey>;
  readonly #target: PolicyTarget;
  readonly #log: Logger;
  readonly #zones: Array<PolicyZone | null>;
  /** Whether each zone has ever been in force (a zone dropped at expiry is not "missing"). */
  readonly #everLoaded: boolean[];
  readonly #status: ZoneStatus[];
  readonly #paths: string[];
  /** When a primary last confirmed each zone (SOA expire counts from there). */
  readonly #confirmed: Array<number | null>;
  readonly #running: Array<Promise<boolean> | null>;
  readonly #again: boolean[];
  /** Whether a pending attempt was asked for (start-up, SIGHUP) rather than set off by a file event. */
  readonly #asked: boolean[];
  /** Each zone's file, for zones that come from one. */
  readonly #files: Array<ZoneFile | null>;
  readonly #watchers: FSWatcher[] = [];
  readonly #timers: Array<NodeJS.Timeout | undefined>;
  readonly #oldVersions: OldVersions;
  readonly #settleMs: number;
  readonly #startupWaitMs: number;
  readonly #clock: ZoneClock;
  /** Aborted by close: downloads in flight stop, refresh threads end. */
  readonly #stopping = new AbortController();
  #watching = false;
  #closed = false;

  constructor(configs: readonly ZoneConfig[], target: PolicyTarget, log: Logger, options: PolicyZonesOptions) {
    super();
    const { stateDir, keys = [] } = options;
    this.#oldVersions = options.oldVersions ?? new OldVersions();
    this.#settleMs = options.settleMs ?? 1000;
    this.#startupWaitMs = options.startupWaitMs ?? 30_000;
    this.#clock = options.clock ?? systemClock;
    this.#configs = configs;
    this.#keys = new Map(keys.map((key) => [key.name, { name: key.name, algorithm: key.algorithm, secret: key.secret ?? '' }]));
    this.#target = target;
    this.#log = log;
    this.#zones = configs.map(() => null);
    this.#everLoaded = configs.map(() => false);
    this.#paths = configs.map((c) => zonePath(c, stateDir));
    this.#confirmed = configs.map(() => null);
    this.#running = configs.map(() => null);
    this.#again = configs.map(() => false);
    this.#asked = configs.map(() => false);
    this.#files = configs.map((c) => (c.file === undefined ? null : new ZoneFile(c.file, this.#settleOptions(c.file, c.name))));
    this.#timers = configs.map(() => undefined);
    if (configs.some((c) => c.file === undefined)) mkdirSync(stateDir, { recursive: true });
    this.#status = configs.map((c, i) => initialStatus(c, this.#paths[i]!));
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
    for (let i = 0; i < this.#configs.length; i++) {
      const config = this.#configs[i]!;
      if (sourceKind(config) === 'file') {
        if (!(await this.refresh(i))) throw new Error(this.#status[i]!.lastError ?? 'the zone did not load');
      } else if (!existsSync(this.#paths[i]!) || !(await this.#loadCopy(i))) {
        first.push(this.refresh(i));
      }
    }
    this.#publish();
    if (first.length > 0) await this.#waitForFirstFetches(Promise.all(first));
    this.#warnWhenNoneInForce();
  }

  /** Says loudly, once serving starts, that no zone filters anything: none configured, or none loaded yet. */
  #warnWhenNoneInForce(): void {
    if (this.#everLoaded.some(Boolean)) return;
    const why = this.#configs.length === 0 ? 'policy.zones is empty in the configuration' : `none of ${this.#configs.map((c) => c.name).join(', ')} has loaded`;
    const effect = this.missingRequired().length > 0 ? 'queries get SERVFAIL until a required zone loads' : 'every name is forwarded unfiltered';
    this.#log.warn({ zones: this.#configs.length }, `no policy zone in force (${why}): ${effect}`);
  }

  /** Waits for `fetches` up to startupWaitMs; says which zones are still coming when serving starts without them. */
  async #waitForFirstFetches(fetches: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([fetches.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.#startupWaitMs)))]);
    clearTimeout(timer);
    if (done) return;
    const pending = this.#configs.filter((_, i) => this.#running[i] !== null).map((c) => c.name);
    const missing = this.missingRequired();
    this.#log.warn(
      { zones: pending, waitedSeconds: this.#startupWaitMs / 1000, missingRequired: missing },
      `serving starts while the first download or transfer of ${pending.join(', ')} goes on${missing.length > 0 ? '; queries get SERVFAIL until every required zone has loaded' : ''}`,
    );
  }

  /** Zones marked required that have never been in force. */
  missingRequired(): string[] {
    return this.#configs.filter((c, i) => c.required && !this.#everLoaded[i]).map((c) => c.name);
  }

  /**
   * Brings zone `index` up to date from its source and swaps in the new
   * version; on failure keeps the one in force. Resolves to success. While an
   * attempt runs, a new request makes it run once more afterwards (a NOTIFY
   * during a transfer is not lost). `why`: a file event reads a zone file
   * only when it changed since the last read; a request always reads it.
   */
  refresh(index: number, why: 'asked' | 'file event' = 'asked'): Promise<boolean> {
    if (why === 'asked') this.#asked[index] = true;
    const running = this.#running[index];
    if (running !== null && running !== undefined) {
      this.#again[index] = true;
      return running;
    }
    const run = (async () => {
      let ok = false;
      try {
        do {
          this.#again[index] = false;
          const asked = this.#asked[index]!;
          this.#asked[index] = false;
          ok = await this.#attempt(index, asked);
        } while (this.#again[index] && !this.#closed);
      } finally {
        // Cleared with no await after the last look at #again: a request from then on starts a new run.
        this.#running[index] = null;
      }
      this.#schedule(index, ok);
      return ok;
    })();
    this.#running[index] = run;
    return run;
  }

  /** Reloads every zone (SIGHUP): files are read again, URLs and primaries asked again. */
  async reloadAll(): Promise<void> {
    await Promise.all(this.#configs.map((_, i) => this.refresh(i)));
  }

  /** The zone with primaries named `name` (any case, trailing dot or not), for NOTIFY. */
  secondary(name: string): { index: number; primaries: readonly string[]; key: TsigKey | undefined } | null {
    const wanted = name.toLowerCase().replace(/\.$/, '');
    const index = this.#configs.findIndex((c) => c.primaries !== undefined && c.name.toLowerCase().replace(/\.$/, '') === wanted);
    if (index < 0) return null;
    const config = this.#configs[index]!;
    return { index, primaries: config.primaries!, key: config.key === undefined ? undefined : this.#keys.get(config.key) };
  }

  /**
   * Starts following the sources: each zone file is watched (through its
   * directory, since editors replace files); URL zones are fetched again
   * every refreshSeconds; zones with primaries are checked now (they may have
   * loaded from a copy) and then on their SOA timers.
   */
  watchSources(): void {
    this.#watching = true;
    this.#configs.forEach((config, index) => {
      if (config.file === undefined) {
        // A first fetch still under way schedules the next one when it ends.
        if (this.#running[index] !== null) return;
        // Loaded from a copy at start-up, or not loaded at all: ask the source now. Otherwise wait for the timer.
        const { lastTransfer, lastError } = this.#status[index]!;
        if (lastTransfer === null || lastError !== null) void this.refresh(index);
        else this.#schedule(index, true);
        return;
      }
      // Each event starts (or repeats, once) an attempt, which reads the file once it has settled.
      const watcher = this.#files[index]!.watch(
        () => void this.refresh(index, 'file event'),
        (error) => this.#log.warn({ zone: config.name, file: config.file, err: error.message }, 'cannot watch the zone file; SIGHUP still reloads it'),
      );
      this.#watchers.push(watcher);
    });
  }

  /** Each zone's source state. */
  status(): readonly ZoneStatus[] {
    return this.#status;
  }

  /** Stops watching and refreshing. */
  close(): void {
    this.#closed = true;
    this.#stopping.abort();
    for (const watcher of this.#watchers) watcher.close();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#oldVersions.close();
  }

  /** One attempt: update the source, load it if it changed, swap it in. `asked`: read a zone file even when a file event finds it unchanged. */
  async #attempt(index: number, asked: boolean): Promise<boolean> {
    const config = this.#configs[index]!;
    const started = Date.now();
    const zoneInForce = this.#zones[index] ?? null;
    const held = zoneInForce === null ? null : Number(zoneInForce.stats.serial ?? 0) % 2 ** 32;
    const key = config.key === undefined ? undefined : this.#keys.get(config.key);
    const path = this.#paths[index]!;
    const load = (): Promise<RefreshOutcome> => runRefresh({ config, path, held, ...(key !== undefined && { key }) }, zoneInForce, this.#stopping.signal);
    try {
      const file = this.#files[index] ?? null;
      const fewerRules = (read: RefreshOutcome): boolean => zoneInForce !== null && read.zone !== null && ruleCount(read.zone) < ruleCount(zoneInForce);
      const outcome = file === null ? await load() : await file.read(load, asked ? 'asked' : 'file event', fewerRules);
      if (outcome === null) return this.#status[index]!.lastError === null; // a file event that changed nothing
      const { update, zone, offThread, edit, wholeBecause } = outcome;
      if (update?.note !== undefined) this.#log.info({ zone: config.name, reason: update.note }, 'IXFR not used; transferred the whole zone');
      if (wholeBecause !== undefined) this.#log.info({ zone: config.name, reason: wholeBecause }, 'IXFR received; the zone is compiled whole rather than changed in place');
      if (config.primaries !== undefined) this.#confirmed[index] = Date.now();
      const transfer = update?.transfer ?? null;
      if (zone === null) {
        this.#setStatus(index, { lastAttempt: started, lastError: null, lastTransfer: transfer ?? this.#status[index]!.lastTransfer, expired: false });
        return true;
      }
      this.#swapIn(index, zone, started, transfer, { offThread, compiled: edit === undefined ? 'whole' : 'delta' });
      return true;
    } catch (error) {
      if (this.#closed) return false; // stopped by close(): not a failure of the source
      this.#failed(index, started, (error as Error).message);
      return false;
    }
  }

  /** Loads the last-good copy (start-up without the network). */
  async #loadCopy(index: number): Promise<boolean> {
    const config = this.#configs[index]!;
    const path = this.#paths[index]!;
    const started = Date.now();
    try {
      const loaded = await runRefresh({ config, path, held: null, copyOnly: true });
      const zone = loaded.zone!; // a copy-only refresh always loads (or rejects)
      this.#confirmed[index] = (await readCopyMeta(path))?.confirmed ?? null;
      this.#log.info({ zone: config.name, copy: path, serial: zone.stats.serial }, 'policy zone loaded from its last-good copy; its source is asked once serving starts');
      this.#swapIn(index, zone, started, null, { offThread: loaded.offThread, compiled: 'whole' });
      return true;
    } catch (error) {
      this.#log.warn({ zone: config.name, copy: path, err: (error as Error).message }, 'the last-good copy does not load; asking the source');
      // Its ETag or Last-Modified would only get a 304 for a copy that does not load.
      if (config.url !== undefined) await rm(`${path}.meta.json`, { force: true });
      return false;
    }
  }

  /** `how`: whether the version was made in a worker thread, and whether it is the zone compiled whole or the zone in force changed by an IXFR. */
  #swapIn(index: number, zone: PolicyZone, started: number, transfer: TransferStatus | null, how: { offThread: boolean; compiled: 'whole' | 'delta' }): void {
    const config = this.#configs[index]!;
    this.#replace(index, zone);
    this.#everLoaded[index] = true;
    const { records, triggers, actions, warnings, serial } = zone.stats;
    const rules = ruleCount(zone);
    this.#publish();
    this.#setStatus(index, { serial, rules, lastAttempt: started, lastSuccess: Date.now(), lastError: null, lastTransfer: transfer ?? this.#status[index]!.lastTransfer, expired: false });
    this.#log.info({ zone: zone.name, source: this.#status[index]!.source, format: config.format, serial, records, triggers, actions, ...(transfer !== null && { transfer }), ...how, ms: Date.now() - started }, 'policy zone loaded');
    for (const warning of warnings) this.#log.warn({ zone: zone.name, ...warning }, `policy zone ${zone.name}: ${warning.count} × ${warning.kind}`);
  }

  /** How a zone file is waited for; why a read was thrown away goes to the log. */
  #settleOptions(file: string, zone: string): SettleOptions {
    const onRetry = (reason: string): void => this.#log.info({ zone, file, reason }, `${file} not loaded yet: ${reason}; waiting for it to settle`);
    return { settleMs: this.#settleMs, maxWaitMs: MAX_SETTLE_WAIT_MS, clock: this.#clock, onRetry };
  }

  /** Records a failed attempt; past the SOA expire time, warns loudly or drops the zone (whenExpired). Emits "reload" last. */
  #failed(index: number, started: number, message: string): void {
    const config = this.#configs[index]!;
    const zone = this.#zones[index] ?? null;
    const since = this.#confirmed[index] ?? null;
    const expired = config.primaries !== undefined && zone?.soa != null && since !== null && Date.now() - since > soaTimers(zone.soa.rdata).expire * 1000;
    this.#log.error({ zone: config.name, source: this.#status[index]!.source, err: message, kept: keptVersion(zone, this.#status[index]!) }, `policy zone ${config.name} failed to load`);
    if (expired && config.transfer.whenExpired === 'drop') {
      this.#replace(index, null);
      this.#publish();
      this.#log.error({ zone: config.name, since }, `policy zone ${config.name} is past its SOA expire time and is no longer enforced (whenExpired: drop)`);
    } else if (expired) {
      this.#log.warn(
        { zone: config.name, since },
        `policy zone ${config.name} is past its SOA expire time: no primary has answered since then; the last good version stays in force (whenExpired: enforce)`,
      );
    }
    this.#setStatus(index, { lastAttempt: started, lastError: message, expired });
  }

  /** Sets the next refresh: URL zones every refreshSeconds; zones with primaries on the SOA refresh (after a success) or retry timer. */
  #schedule(index: number, ok: boolean): void {
    const config = this.#configs[index]!;
    if (!this.#watching || this.#closed || config.file !== undefined) return;
    let seconds = config.refreshSeconds;
    if (config.primaries !== undefined) {
      const soa = this.#zones[index]?.soa;
      const timers = soa === null || soa === undefined ? null : soaTimers(soa.rdata);
      const wanted = timers === null ? config.transfer.minRefreshSeconds : ok ? timers.refresh : timers.retry;
      seconds = Math.min(config.transfer.maxRefreshSeconds, Math.max(config.transfer.minRefreshSeconds, wanted));
    }
    clearTimeout(this.#timers[index]);
    const timer = setTimeout(() => void this.refresh(index), seconds * 1000);
    timer.unref();
    this.#timers[index] = timer;
    this.#setStatus(index, { nextAttempt: Date.now() + seconds * 1000 });
    if (!ok) this.#log.warn({ zone: config.name, retryInSeconds: seconds }, `policy zone ${config.name}: next attempt in ${seconds} s`);
  }

  #setStatus(index: number, change: Partial<ZoneStatus>): void {
    this.#status[index] = { ...this.#status[index]!, ...change };
    if (change.lastAttempt !== undefined) this.emit('reload', this.#status[index]);
  }

  /** Puts `zone` in force for zone `index` (published by the caller); the version it replaces is seen to be freed. */
  #replace(index: number, zone: PolicyZone | null): void {
    const old = this.#zones[index];
    this.#zones[index] = zone;
    if (old !== null && old !== undefined) this.#oldVersions.replaced(old);
  }

  /** Builds the set from the zones in force, in configured order, and hands it over in one assignment. */
  #publish(): void {
    const zones: Array<{ zone: PolicyZone; settings: ZoneSettings }> = [];
    this.#configs.forEach((config, i) => {
      const zone = this.#zones[i];
      if (zone !== null && zone !== undefined) zones.push({ zone, settings: zoneSettings(config, zone.name) });
    });
    this.#target.replace(new PolicySet(zones, this.missingRequired()));
  }
}

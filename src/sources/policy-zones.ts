import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { PolicySet, type ZoneSettings } from '../rpz/policy-set.js';
import type { PolicyZone } from '../rpz/policy-zone.js';
import { OldVersions } from './old-versions.js';
import { runRefresh } from './refresh-off-thread.js';
import { readCopyMeta, sourceKind, zonePath, type TransferStatus, type ZoneConfig } from './zone-source.js';
import { soaTimers } from './zone-transfer/secondary.js';
import type { TsigKey } from './zone-transfer/tsig-key.js';

/** What /metrics and the logs say about one zone's source. */
export interface ZoneStatus {
  readonly name: string;
  readonly kind: 'file' | 'url' | 'primaries';
  /** The file, the URL, or the primaries. */
  readonly source: string;
  /** Where the zone is read from: the file itself, or the last-good copy. */
  readonly file: string;
  readonly format: string;
  readonly serial: string | null;
  readonly rules: number;
  readonly lastAttempt: number | null;
  readonly lastSuccess: number | null;
  readonly lastError: string | null;
  /** The last transfer or download that succeeded. */
  readonly lastTransfer: TransferStatus | null;
  /** When the next refresh is due (url and primaries zones). */
  readonly nextAttempt: number | null;
  /** Past the SOA expire time with no primary reachable (the zone stays in force unless whenExpired is drop). */
  readonly expired: boolean;
}

/** Something that takes a new policy set (the PolicyHolder). */
export interface PolicyTarget {
  replace(set: PolicySet): void;
}

/** Waits this long after the last change event before reloading (editors write a file in several steps). */
const DEBOUNCE_MS = 300;

/**
 * The configured policy zones and where they come from: files (watched),
 * URLs (downloaded every refreshSeconds) and primaries (transferred on the
 * SOA refresh timer and on NOTIFY). Each new version is loaded beside the one
 * in force and swapped in whole; an attempt that fails leaves the last good
 * version in force and says why. Downloaded and transferred zones keep a
 * last-good copy in the state directory, which start-up loads at once.
 * Attempts on one zone never overlap: a request during one runs once more
 * after it. Emits "reload" with the zone's status after each attempt.
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
  readonly #watchers: FSWatcher[] = [];
  readonly #timers: Array<NodeJS.Timeout | undefined>;
  readonly #oldVersions: OldVersions;
  #watching = false;
  #closed = false;

  /** `stateDir` holds the last-good copies of downloaded and transferred zones. */
  constructor(configs: readonly ZoneConfig[], target: PolicyTarget, log: Logger, stateDir: string, keys: Config['tsigKeys'] = [], oldVersions = new OldVersions()) {
    super();
    this.#oldVersions = oldVersions;
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
    this.#timers = configs.map(() => undefined);
    if (configs.some((c) => c.file === undefined)) mkdirSync(stateDir, { recursive: true });
    this.#status = configs.map((c, i) => ({
      name: c.name,
      kind: sourceKind(c),
      source: c.file ?? c.url ?? c.primaries!.join(', '),
      file: this.#paths[i]!,
      format: c.format,
      serial: null,
      rules: 0,
      lastAttempt: null,
      lastSuccess: null,
      lastError: null,
      lastTransfer: null,
      nextAttempt: null,
      expired: false,
    }));
  }

  /**
   * Loads every zone, in order. A zone file that cannot be read stops
   * start-up (file:line). A downloaded or transferred zone with a last-good
   * copy loads from the copy at once (no network needed) and is refreshed
   * once watchSources starts; one without a copy is fetched now, and while a
   * required zone has no version every query gets SERVFAIL.
   */
  async loadAll(): Promise<void> {
    for (let i = 0; i < this.#configs.length; i++) {
      const config = this.#configs[i]!;
      if (sourceKind(config) === 'file') {
        if (!(await this.refresh(i))) throw new Error(this.#status[i]!.lastError ?? 'the zone did not load');
      } else if (existsSync(this.#paths[i]!) && (await this.#loadCopy(i))) {
        continue;
      } else {
        await this.refresh(i);
      }
    }
    this.#publish();
  }

  /** Zones marked required that have never been in force. */
  missingRequired(): string[] {
    return this.#configs.filter((c, i) => c.required && !this.#everLoaded[i]).map((c) => c.name);
  }

  /**
   * Brings zone `index` up to date from its source and swaps in the new
   * version; on failure keeps the one in force. Resolves to success. While an
   * attempt runs, a new request makes it run once more afterwards (a NOTIFY
   * during a transfer is not lost).
   */
  refresh(index: number): Promise<boolean> {
    const running = this.#running[index];
    if (running !== null && running !== undefined) {
      this.#again[index] = true;
      return running;
    }
    const run = (async () => {
      let ok: boolean;
      do {
        this.#again[index] = false;
        ok = await this.#attempt(index);
      } while (this.#again[index] && !this.#closed);
      this.#schedule(index, ok);
      return ok;
    })().finally(() => {
      this.#running[index] = null;
    });
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
        // Loaded from a copy at start-up, or not loaded at all: ask the source now. Otherwise wait for the timer.
        const { lastTransfer, lastError } = this.#status[index]!;
        if (lastTransfer === null || lastError !== null) void this.refresh(index);
        else this.#schedule(index, true);
        return;
      }
      const file = config.file;
      let debounce: NodeJS.Timeout | undefined;
      const watcher = watch(dirname(file), (_event, name) => {
        if (name !== null && name !== basename(file)) return;
        clearTimeout(debounce);
        debounce = setTimeout(() => void this.refresh(index), DEBOUNCE_MS);
        this.#timers[index] = debounce;
      });
      watcher.on('error', (error) => this.#log.warn({ zone: config.name, file, err: error.message }, 'cannot watch the zone file; SIGHUP still reloads it'));
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
    for (const watcher of this.#watchers) watcher.close();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#oldVersions.close();
  }

  /** One attempt: update the source, load it if it changed, swap it in. */
  async #attempt(index: number): Promise<boolean> {
    const config = this.#configs[index]!;
    const started = Date.now();
    const zoneInForce = this.#zones[index] ?? null;
    const held = zoneInForce === null ? null : Number(zoneInForce.stats.serial ?? 0) % 2 ** 32;
    const key = config.key === undefined ? undefined : this.#keys.get(config.key);
    try {
      const { update, zone, offThread, edit, wholeBecause } = await runRefresh({ config, path: this.#paths[index]!, held, ...(key !== undefined && { key }) }, zoneInForce);
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
      return false;
    }
  }

  /** `how`: whether the version was made in a worker thread, and whether it is the zone compiled whole or the zone in force changed by an IXFR. */
  #swapIn(index: number, zone: PolicyZone, started: number, transfer: TransferStatus | null, how: { offThread: boolean; compiled: 'whole' | 'delta' }): void {
    const config = this.#configs[index]!;
    this.#replace(index, zone);
    this.#everLoaded[index] = true;
    const { records, triggers, actions, warnings, serial } = zone.stats;
    const rules = Object.values(triggers).reduce((a, b) => a + b, 0);
    this.#publish();
    this.#setStatus(index, { serial, rules, lastAttempt: started, lastSuccess: Date.now(), lastError: null, lastTransfer: transfer ?? this.#status[index]!.lastTransfer, expired: false });
    this.#log.info({ zone: zone.name, source: this.#status[index]!.source, format: config.format, serial, records, triggers, actions, ...(transfer !== null && { transfer }), ...how, ms: Date.now() - started }, 'policy zone loaded');
    for (const warning of warnings) this.#log.warn({ zone: zone.name, ...warning }, `policy zone ${zone.name}: ${warning.count} × ${warning.kind}`);
  }

  /** Records a failed attempt; past the SOA expire time, warns loudly or drops the zone (whenExpired). Emits "reload" last. */
  #failed(index: number, started: number, message: string): void {
    const config = this.#configs[index]!;
    const zone = this.#zones[index] ?? null;
    const since = this.#confirmed[index] ?? null;
    const expired = config.primaries !== undefined && zone?.soa != null && since !== null && Date.now() - since > soaTimers(zone.soa.rdata).expire * 1000;
    this.#log.error(
      { zone: config.name, source: this.#status[index]!.source, err: message, kept: zone !== null ? 'the last good version stays in force' : 'no version loaded yet' },
      `policy zone ${config.name} failed to load`,
    );
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

/** The engine's settings for a configured zone. */
export function zoneSettings(config: ZoneConfig, name: string): ZoneSettings {
  return {
    policy: config.policy,
    ...(config.cname !== undefined && { cname: config.cname }),
    maxPolicyTtl: config.maxPolicyTtl,
    breakDnssec: config.breakDnssec,
    logName: config.logName ?? name,
    ede: { code: config.ede.code, ...(config.ede.text !== undefined && { text: config.ede.text }) },
    log: config.log,
    page: config.page,
  };
}

import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { PolicySet, type ZoneSettings } from '../rpz/policy-set.js';
import type { PolicyZone } from '../rpz/policy-zone.js';
import { loadZoneSource } from './load-source.js';

type ZoneConfig = Config['policy']['zones'][number];

/** What /metrics and the logs say about one zone's source. */
export interface ZoneStatus {
  readonly name: string;
  readonly file: string;
  readonly format: string;
  readonly serial: string | null;
  readonly rules: number;
  readonly lastAttempt: number | null;
  readonly lastSuccess: number | null;
  readonly lastError: string | null;
}

/** Something that takes a new policy set (the PolicyHolder). */
export interface PolicyTarget {
  replace(set: PolicySet): void;
}

/** Waits this long after the last change event before reloading (editors write a file in several steps). */
const DEBOUNCE_MS = 300;

/**
 * The configured policy zones and where they come from. Each zone is loaded
 * beside the one in force and swapped in whole; a load that fails leaves the
 * last good zone in force and says why. Files are watched, and `reloadAll`
 * (SIGHUP) reloads every zone. Emits "reload" with the zone's status after
 * each attempt.
 */
export class PolicyZones extends EventEmitter {
  readonly #configs: readonly ZoneConfig[];
  readonly #target: PolicyTarget;
  readonly #log: Logger;
  readonly #zones: Array<PolicyZone | null>;
  readonly #status: ZoneStatus[];
  readonly #watchers: FSWatcher[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(configs: readonly ZoneConfig[], target: PolicyTarget, log: Logger) {
    super();
    this.#configs = configs;
    this.#target = target;
    this.#log = log;
    this.#zones = configs.map(() => null);
    this.#status = configs.map((c) => ({ name: c.name, file: c.file, format: c.format, serial: null, rules: 0, lastAttempt: null, lastSuccess: null, lastError: null }));
  }

  /** Loads every zone, in order; at start-up there is no last good zone, so a failure rejects (file:line). */
  async loadAll(): Promise<void> {
    for (let i = 0; i < this.#configs.length; i++) {
      if (!(await this.reload(i))) throw new Error(this.#status[i]!.lastError ?? 'the zone did not load');
    }
  }

  /** Loads zone `index` again; on success swaps it in, on failure keeps the one in force. Resolves to success. */
  async reload(index: number): Promise<boolean> {
    const config = this.#configs[index]!;
    const started = Date.now();
    let status: ZoneStatus;
    try {
      const zone = await loadZoneSource(config);
      this.#zones[index] = zone;
      const { records, triggers, actions, warnings, serial } = zone.stats;
      const rules = Object.values(triggers).reduce((a, b) => a + b, 0);
      status = { ...this.#status[index]!, serial, rules, lastAttempt: started, lastSuccess: Date.now(), lastError: null };
      this.#log.info({ zone: zone.name, file: config.file, format: config.format, serial, records, triggers, actions, ms: Date.now() - started }, 'policy zone loaded');
      for (const warning of warnings) this.#log.warn({ zone: zone.name, ...warning }, `policy zone ${zone.name}: ${warning.count} × ${warning.kind}`);
      this.#publish();
    } catch (error) {
      const message = (error as Error).message;
      status = { ...this.#status[index]!, lastAttempt: started, lastError: message };
      const kept = this.#zones[index] !== null;
      this.#log.error({ zone: config.name, file: config.file, err: message, kept: kept ? 'the last good version stays in force' : 'no version loaded yet' }, `policy zone ${config.name} failed to load`);
    }
    this.#status[index] = status;
    this.emit('reload', status);
    return status.lastError === null;
  }

  /** Reloads every zone (SIGHUP). */
  async reloadAll(): Promise<void> {
    for (let i = 0; i < this.#configs.length; i++) await this.reload(i);
  }

  /** Watches each zone's file (through its directory, since editors replace files) and reloads it after a change. */
  watchFiles(): void {
    this.#configs.forEach((config, index) => {
      let timer: NodeJS.Timeout | undefined;
      const watcher = watch(dirname(config.file), (_event, name) => {
        if (name !== null && name !== basename(config.file)) return;
        if (timer !== undefined) {
          clearTimeout(timer);
          this.#timers.delete(timer);
        }
        timer = setTimeout(() => {
          this.#timers.delete(timer!);
          void this.reload(index);
        }, DEBOUNCE_MS);
        this.#timers.add(timer);
      });
      watcher.on('error', (error) => this.#log.warn({ zone: config.name, file: config.file, err: error.message }, 'cannot watch the zone file; SIGHUP still reloads it'));
      this.#watchers.push(watcher);
    });
  }

  /** Each zone's source state. */
  status(): readonly ZoneStatus[] {
    return this.#status;
  }

  /** Stops watching. */
  close(): void {
    for (const watcher of this.#watchers) watcher.close();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  /** Builds the set from the zones in force, in configured order, and hands it over in one assignment. */
  #publish(): void {
    const zones: Array<{ zone: PolicyZone; settings: ZoneSettings }> = [];
    this.#configs.forEach((config, i) => {
      const zone = this.#zones[i];
      if (zone !== null && zone !== undefined) zones.push({ zone, settings: zoneSettings(config, zone.name) });
    });
    this.#target.replace(new PolicySet(zones));
  }
}

/** The engine's settings for a configured zone. */
export function zoneSettings(config: ZoneConfig, name: string): ZoneSettings {
  return {
    policy: config.policy,
    ...(config.cname !== undefined && { cname: config.cname }),
    maxPolicyTtl: config.maxPolicyTtl,
    recursiveOnly: config.recursiveOnly,
    breakDnssec: config.breakDnssec,
    logName: config.logName ?? name,
    ede: { code: config.ede.code, ...(config.ede.text !== undefined && { text: config.ede.text }) },
    log: config.log,
    page: config.page,
  };
}

import { existsSync, type FSWatcher } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { TransferStatus, ZoneStatus } from '../model/zone-status.js';
import type { ZoneSettings } from '../rpz/policy-set.js';
import type { PolicyZone } from '../rpz/policy-zone.js';
import type { ZoneClock } from './file-settle.js';
import type { OldVersions } from './old-versions.js';
import { runRefresh, type RefreshOutcome } from './refresh-off-thread.js';
import { readCopyMeta, sourceKind, type SourceKind, type ZoneConfig } from './zone-source.js';
import { ZoneFile } from './zone-file.js';
import { zoneSettings } from './zone-settings.js';
import { initialStatus, keptVersion, ruleCount } from './zone-status.js';
import { nextRefreshSeconds, pastExpire } from './zone-timers.js';
import type { TsigKey } from './zone-transfer/tsig-key.js';

/** Why a refresh runs. Only a file event lets a zone file that is as it was at the last read go unread. */
export type RefreshReason = 'start-up' | 'file event' | 'timer' | 'notify' | 'reload';

/** What the feeds of one PolicyZones share, and how a feed tells it what happened. */
export interface FeedContext {
  readonly log: Logger;
  /** Status times, the SOA expire time and the zone file's settling. */
  readonly clock: ZoneClock;
  readonly settleMs: number;
  readonly oldVersions: OldVersions;
  /** Aborted at shutdown: downloads in flight stop, refresh threads end. */
  readonly stopping: AbortSignal;
  /** The version in force changed (loaded, or dropped at expiry): the policy set is rebuilt. */
  readonly changed: () => void;
  /** An attempt ended, with the zone's status (the "reload" event). */
  readonly attempted: (status: ZoneStatus) => void;
}

/** A zone file still changing after this long is not read (the next change or SIGHUP tries again). */
const MAX_SETTLE_WAIT_MS = 60_000;

/**
 * One configured policy zone and everything about its source: the version
 * in force, its status, the file watcher or the refresh timer (SOA timers,
 * clamped: zone-timers.ts), when a primary last confirmed it, and the
 * last-good copy. Every refresh (file event, timer, NOTIFY, SIGHUP, start-up)
 * goes through `refresh`; attempts never overlap: a request during one runs
 * it once more afterwards. An attempt that fails leaves the version in force
 * and says why.
 */
export class ZoneFeed {
  readonly config: ZoneConfig;
  readonly kind: SourceKind;
  /** The zone's TSIG key, for transfers and NOTIFY. */
  readonly key: TsigKey | undefined;
  readonly #path: string;
  readonly #file: ZoneFile | null;
  readonly #context: FeedContext;
  #inForce: { readonly zone: PolicyZone; readonly settings: ZoneSettings } | null = null;
  /** Whether a version was ever in force (a zone dropped at expiry is not "missing"). */
  #everLoaded = false;
  #status: ZoneStatus;
  /** When a primary last confirmed the version in force (the SOA expire time counts from there). */
  #confirmed: number | null = null;
  #running: Promise<boolean> | null = null;
  #again = false;
  /** What asked for the pending attempt (a zone file is then read even when unchanged); null when only file events did. */
  #asked: RefreshReason | null = null;
  #watcher: FSWatcher | null = null;
  #timer: NodeJS.Timeout | undefined;
  #following = false;
  #closed = false;

  /** `path`: the zone file, or the last-good copy in the state directory (zonePath). */
  constructor(config: ZoneConfig, path: string, key: TsigKey | undefined, context: FeedContext) {
    this.config = config;
    this.kind = sourceKind(config);
    this.key = key;
    this.#path = path;
    this.#context = context;
    this.#status = initialStatus(config, path);
    this.#file = config.file === undefined ? null : new ZoneFile(config.file, { settleMs: context.settleMs, maxWaitMs: MAX_SETTLE_WAIT_MS, clock: context.clock, onRetry: (reason) => this.#settleRetry(reason) });
  }

  get status(): ZoneStatus {
    return this.#status;
  }

  /** The version in force with the engine's settings for it; null when none is. */
  get inForce(): { readonly zone: PolicyZone; readonly settings: ZoneSettings } | null {
    return this.#inForce;
  }

  /** Required, and never in force. */
  get missing(): boolean {
    return this.config.required && !this.#everLoaded;
  }

  /** Whether an attempt is under way. */
  get busy(): boolean {
    return this.#running !== null;
  }

  /**
   * Brings the zone up to date from its source and swaps in the new version;
   * on failure keeps the one in force. Resolves to success. While an attempt
   * runs, a new request makes it run once more afterwards (a NOTIFY during a
   * transfer is not lost).
   */
  refresh(reason: RefreshReason): Promise<boolean> {
    if (reason !== 'file event') this.#asked = reason;
    if (this.#running !== null) {
      this.#again = true;
      return this.#running;
    }
    const run = (async () => {
      let ok = false;
      try {
        do {
          this.#again = false;
          const cause = this.#asked ?? 'file event';
          this.#asked = null;
          ok = await this.#attempt(cause);
        } while (this.#again && !this.#closed);
      } finally {
        // Cleared with no await after the last look at #again: a request from then on starts a new run.
        this.#running = null;
      }
      this.#schedule(ok);
      return ok;
    })();
    this.#running = run;
    return run;
  }

  /** Loads the last-good copy of a downloaded or transferred zone, when there is one (start-up without the network). */
  async loadCopy(): Promise<boolean> {
    if (this.kind === 'file' || !existsSync(this.#path)) return false;
    const { config } = this;
    const started = this.#context.clock.now();
    const timing = performance.now();
    try {
      const loaded = await runRefresh({ config, path: this.#path, held: null, copyOnly: true });
      const zone = loaded.zone!; // a copy-only refresh always loads (or rejects)
      this.#confirmed = (await readCopyMeta(this.#path))?.confirmed ?? null;
      this.#context.log.info({ zone: config.name, copy: this.#path, serial: zone.stats.serial }, 'policy zone loaded from its last-good copy; its source is asked once serving starts');
      this.#swapIn(zone, started, timing, null, { cause: 'start-up', offThread: loaded.offThread, compiled: 'whole' });
      return true;
    } catch (error) {
      this.#context.log.warn({ zone: config.name, copy: this.#path, err: (error as Error).message }, 'the last-good copy does not load; asking the source');
      // Its ETag or Last-Modified would only get a 304 for a copy that does not load.
      if (config.url !== undefined) await rm(`${this.#path}.meta.json`, { force: true });
      return false;
    }
  }

  /**
   * Starts following the source: a zone file is watched (through its
   * directory, since editors replace files); a URL zone or a zone with
   * primaries is asked now when it loaded from a copy or not at all, and
   * then on its timer.
   */
  follow(): void {
    this.#following = true;
    const { config } = this;
    if (this.#file === null) {
      // A first fetch still under way schedules the next one when it ends.
      if (this.#running !== null) return;
      const { lastTransfer, lastError } = this.#status;
      if (lastTransfer === null || lastError !== null) void this.refresh('start-up');
      else this.#schedule(true);
      return;
    }
    // Each event starts (or repeats, once) an attempt, which reads the file once it has settled.
    this.#watcher = this.#file.watch(
      () => void this.refresh('file event'),
      (error) => this.#context.log.warn({ zone: config.name, file: config.file, err: error.message }, 'cannot watch the zone file; SIGHUP still reloads it'),
    );
  }

  /** Stops watching and refreshing. */
  close(): void {
    this.#closed = true;
    this.#watcher?.close();
    clearTimeout(this.#timer);
  }

  /** One attempt: update the source, load it if it changed, swap it in. Only for a file event is a zone file that is as it was at the last read left unread. */
  async #attempt(cause: RefreshReason): Promise<boolean> {
    const { config, key } = this;
    const started = this.#context.clock.now();
    const timing = performance.now();
    const inForce = this.#inForce?.zone ?? null;
    const held = inForce === null ? null : Number(inForce.stats.serial ?? 0) % 2 ** 32;
    const load = (): Promise<RefreshOutcome> => runRefresh({ config, path: this.#path, held, ...(key !== undefined && { key }) }, inForce, this.#context.stopping);
    try {
      const fewerRules = (read: RefreshOutcome): boolean => inForce !== null && read.zone !== null && ruleCount(read.zone) < ruleCount(inForce);
      const outcome = this.#file === null ? await load() : await this.#file.read(load, cause === 'file event' ? 'file event' : 'asked', fewerRules);
      if (outcome === null) return this.#status.lastError === null; // a file event that changed nothing
      const { update, zone, offThread, edit, wholeBecause } = outcome;
      if (update?.note !== undefined) this.#context.log.info({ zone: config.name, reason: update.note }, 'IXFR not used; transferred the whole zone');
      if (wholeBecause !== undefined) this.#context.log.info({ zone: config.name, reason: wholeBecause }, 'IXFR received; the zone is compiled whole rather than changed in place');
      if (this.kind === 'primaries') this.#confirmed = this.#context.clock.now();
      const transfer = update?.transfer ?? null;
      if (zone === null) {
        this.#setStatus({ lastAttempt: started, lastError: null, lastTransfer: transfer ?? this.#status.lastTransfer, expired: false });
        return true;
      }
      this.#swapIn(zone, started, timing, transfer, { cause, offThread, compiled: edit === undefined ? 'whole' : 'delta' });
      return true;
    } catch (error) {
      if (this.#closed) return false; // stopped by close(): not a failure of the source
      this.#failed(started, cause, (error as Error).message);
      return false;
    }
  }

  /** `how`: what asked for it, whether in a worker thread, and whether it is the zone compiled whole or the zone in force changed by an IXFR. */
  #swapIn(zone: PolicyZone, started: number, timing: number, transfer: TransferStatus | null, how: { cause: RefreshReason; offThread: boolean; compiled: 'whole' | 'delta' }): void {
    this.#replace({ zone, settings: zoneSettings(this.config, zone.name) });
    this.#everLoaded = true;
    const { records, triggers, actions, warnings, serial } = zone.stats;
    this.#context.changed();
    const now = this.#context.clock.now();
    this.#setStatus({ serial, rules: ruleCount(zone), lastAttempt: started, lastSuccess: now, lastError: null, lastTransfer: transfer ?? this.#status.lastTransfer, expired: false });
    const { log } = this.#context;
    const ms = Math.round(performance.now() - timing);
    log.info({ zone: zone.name, source: this.#status.source, format: this.config.format, serial, records, triggers, actions, ...(transfer !== null && { transfer }), ...how, ms }, 'policy zone loaded');
    for (const warning of warnings) log.warn({ zone: zone.name, ...warning }, `policy zone ${zone.name}: ${warning.count} × ${warning.kind}`);
  }

  /** Records a failed attempt; past the SOA expire time, warns loudly or drops the zone (whenExpired). Reports the attempt last. */
  #failed(started: number, cause: RefreshReason, message: string): void {
    const { config } = this;
    const { log } = this.#context;
    const zone = this.#inForce?.zone ?? null;
    const since = this.#confirmed;
    const expired = pastExpire(config, zone, since, this.#context.clock.now());
    log.error({ zone: config.name, source: this.#status.source, cause, err: message, kept: keptVersion(zone, this.#status) }, `policy zone ${config.name} failed to load`);
    if (expired && config.transfer.whenExpired === 'drop') {
      this.#replace(null);
      this.#context.changed();
      log.error({ zone: config.name, since }, `policy zone ${config.name} is past its SOA expire time and is no longer enforced (whenExpired: drop)`);
    } else if (expired) {
      log.warn({ zone: config.name, since }, `policy zone ${config.name} is past its SOA expire time: no primary has answered since then; the last good version stays in force (whenExpired: enforce)`);
    }
    this.#setStatus({ lastAttempt: started, lastError: message, expired });
  }

  /** Sets the timer of the next refresh (URL zones and zones with primaries, once following). */
  #schedule(ok: boolean): void {
    if (!this.#following || this.#closed) return;
    const seconds = nextRefreshSeconds(this.config, this.#inForce?.zone ?? null, ok);
    if (seconds === null) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.refresh('timer'), seconds * 1000);
    this.#timer.unref();
    this.#setStatus({ nextAttempt: this.#context.clock.now() + seconds * 1000 });
    if (!ok) this.#context.log.warn({ zone: this.config.name, retryInSeconds: seconds }, `policy zone ${this.config.name}: next attempt in ${seconds} s`);
  }

  #setStatus(change: Partial<ZoneStatus>): void {
    this.#status = { ...this.#status, ...change };
    if (change.lastAttempt !== undefined) this.#context.attempted(this.#status);
  }

  /** Puts `next` in force (the caller publishes); the version it replaces is seen to be freed. */
  #replace(next: { zone: PolicyZone; settings: ZoneSettings } | null): void {
    const old = this.#inForce;
    this.#inForce = next;
    if (old !== null) this.#context.oldVersions.replaced(old.zone);
  }

  /** Why a read of the zone file was thrown away, for the log. */
  #settleRetry(reason: string): void {
    const file = this.config.file!;
    this.#context.log.info({ zone: this.config.name, file, reason }, `${file} not loaded yet: ${reason}; waiting for it to settle`);
  }
}

/** Shortest time between two SOA checks that NOTIFYs start for one zone. */
export const NOTIFY_CHECK_INTERVAL_MS = 1000;

interface ZoneChecks {
  /** When the last check a NOTIFY started began (injected clock, ms). */
  last: number;
  /** A NOTIFY came since: one more check is due once the interval has passed. */
  pending: boolean;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Coalesces the SOA checks NOTIFYs ask for: a NOTIFY only says "check now",
 * so many NOTIFYs close together need one check. The first NOTIFY for a zone
 * starts a check at once; any number arriving within the interval after it set one pending
 * check, which runs when the interval has passed. A zone is thus checked at
 * most once a second however many NOTIFYs arrive (an unsigned NOTIFY forged
 * with the primary's address drove 103 checks a second before), and a change
 * announced during a check is still picked up. A check already running when
 * another starts makes PolicyZones run it once more afterwards. The clock is
 * injected; a timer runs the pending check, and so does the next NOTIFY once
 * the clock has passed the interval.
 */
export class NotifyChecks {
  readonly #refresh: (index: number) => unknown;
  readonly #now: () => number;
  readonly #intervalMs: number;
  readonly #zones = new Map<number, ZoneChecks>();
  #closed = false;

  /** `refresh` starts a check of zone `index` (PolicyZones.refresh). */
  constructor(refresh: (index: number) => unknown, options: { now?: () => number; intervalMs?: number } = {}) {
    this.#refresh = refresh;
    this.#now = options.now ?? Date.now;
    this.#intervalMs = options.intervalMs ?? NOTIFY_CHECK_INTERVAL_MS;
  }

  /** A NOTIFY for zone `index` was accepted: 'now' when its check starts, 'pending' when it joins the one due when the interval has passed. */
  request(index: number): 'now' | 'pending' {
    let zone = this.#zones.get(index);
    if (zone === undefined) this.#zones.set(index, (zone = { last: -Infinity, pending: false, timer: undefined }));
    if (this.#due(zone)) {
      this.#start(index, zone);
      return 'now';
    }
    if (!zone.pending) {
      zone.pending = true;
      this.#arm(index, zone);
    }
    return 'pending';
  }

  /** Stops the timers; pending checks do not run. */
  close(): void {
    this.#closed = true;
    for (const zone of this.#zones.values()) clearTimeout(zone.timer);
  }

  #due(zone: ZoneChecks): boolean {
    return this.#now() - zone.last >= this.#intervalMs;
  }

  #start(index: number, zone: ZoneChecks): void {
    clearTimeout(zone.timer);
    zone.timer = undefined;
    zone.pending = false;
    zone.last = this.#now();
    if (!this.#closed) this.#refresh(index);
  }

  #arm(index: number, zone: ZoneChecks): void {
    if (this.#closed) return;
    const wait = Math.max(zone.last + this.#intervalMs - this.#now(), 10);
    zone.timer = setTimeout(() => {
      zone.timer = undefined;
      if (!zone.pending) return;
      if (this.#due(zone)) this.#start(index, zone);
      else this.#arm(index, zone);
    }, wait);
    zone.timer.unref();
  }
}

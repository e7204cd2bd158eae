import { ZoneOffsets } from './zone-offsets.js';

/** Milliseconds in a calendar day; local dates are numbered in days since 1970-01-01 (day 0, a Thursday). */
export const DAY_MS = 86_400_000;

/** Milliseconds in a minute; times of day are minutes since local midnight. */
export const MINUTE_MS = 60_000;

/** The weekday of a day number: 0 = Sunday … 6 = Saturday, as `Date.prototype.getUTCDay` counts. */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/**
 * Wall-clock arithmetic in one IANA time zone, with its offsets from ZoneOffsets. A "wall" value is a local
 * date and time written as milliseconds as if it were UTC: `day * DAY_MS + minute * MINUTE_MS`.
 */
export class ZoneClock {
  readonly #offsets: ZoneOffsets;

  /** Throws RangeError when Intl does not know `timeZone`. */
  readonly timeZone: string;
  constructor(timeZone: string) {
    this.timeZone = timeZone;
    this.#offsets = ZoneOffsets.of(timeZone);
  }

  /** The zone's offset from UTC at instant `ms`, in milliseconds: wall = ms + offsetAt(ms). */
  offsetAt(ms: number): number {
    return this.#offsets.offsetAt(ms);
  }

  /** The local date (day number) of instant `ms`. */
  dayOf(ms: number): number {
    return Math.floor((ms + this.offsetAt(ms)) / DAY_MS);
  }

  /**
   * The instant of local wall time `wall`: the earliest instant whose wall clock reads `wall` or later. So a time
   * that happens twice (the clock falls back) is its first occurrence, and a time that never happens (the clock
   * springs forward over it) is the instant of the jump, when the clock first reads a later time.
   * Assumes at most one offset change within a day either side of `wall`, as in every zone since 1970.
   */
  instantOf(wall: number): number {
    const before = this.offsetAt(wall - DAY_MS);
    const after = this.offsetAt(wall + DAY_MS);
    const early = wall - before;
    const earlyFits = this.offsetAt(early) === before;
    if (before === after && earlyFits) return early;
    const late = wall - after;
    const lateFits = this.offsetAt(late) === after;
    if (earlyFits || lateFits) return earlyFits && lateFits ? Math.min(early, late) : earlyFits ? early : late;
    return this.#firstInstantReading(wall, Math.min(early, late), Math.max(early, late));
  }

  /** Binary search in (low, high] for the first instant whose wall clock reads `wall` or later (`high` does). */
  #firstInstantReading(wall: number, low: number, high: number): number {
    while (high - low > 1) {
      const middle = low + Math.floor((high - low) / 2);
      if (middle + this.offsetAt(middle) >= wall) high = middle;
      else low = middle;
    }
    return high;
  }

  /** Instant `ms` as an admin reads it: "2027-03-28 Sun 02:00 UTC+01:00". */
  describe(ms: number): string {
    const offset = this.offsetAt(ms);
    const wall = new Date(ms + offset).toISOString();
    const sign = offset < 0 ? '-' : '+';
    const minutes = Math.floor(Math.abs(offset) / MINUTE_MS);
    const hhmm = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][new Date(ms + offset).getUTCDay()];
    return `${wall.slice(0, 10)} ${weekday} ${wall.slice(11, 16)} UTC${sign}${hhmm}`;
  }
}

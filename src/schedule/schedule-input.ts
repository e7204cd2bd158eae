/** A day of the week as a schedule names it. */
export type DayName = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** The day names in the order of `Date.prototype.getUTCDay` (0 = Sunday), the order weekday numbers use here. */
export const DAY_NAMES: readonly DayName[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** One weekly window as written in the config: on each listed day, from `from` until `to` (local wall time). */
export interface WindowInput {
  readonly days: readonly string[];
  /** "HH:MM", 00:00 to 23:59. */
  readonly from: string;
  /** "HH:MM", 00:00 to 24:00; earlier than `from` means the window runs overnight into the next day. */
  readonly to: string;
}

/** A named schedule as written in the config (its shape already checked by the schema). */
export interface ScheduleInput {
  readonly name: string;
  /** An IANA time zone name, e.g. "Europe/London"; windows and days off are in its local time. */
  readonly timeZone: string;
  readonly windows: readonly WindowInput[];
  /** Local dates off: "2026-12-21", or an inclusive range "2026-12-21..2027-01-04". */
  readonly daysOff?: readonly string[];
}

import { DAY_MS } from './zone-clock.js';

/** Minutes in a day: the value of "24:00", the end of a day. */
export const END_OF_DAY = 1440;

/**
 * Minutes since midnight of an "HH:MM" time (two digits each, 24-hour clock), or null when it is not one.
 * "24:00" (the end of the day) only when `endOfDayAllowed`, as a window's `to`.
 */
export function parseClockTime(text: string, endOfDayAllowed: boolean): number | null {
  const match = /^(\d\d):(\d\d)$/.exec(text);
  if (match === null) return null;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  if (Number(match[2]) > 59) return null;
  return minutes < END_OF_DAY || (minutes === END_OF_DAY && endOfDayAllowed) ? minutes : null;
}

/** The day number (days since 1970-01-01) of a "YYYY-MM-DD" date that exists in the Gregorian calendar, or null. */
export function parseDate(text: string): number | null {
  const match = /^(\d{4})-(\d\d)-(\d\d)$/.exec(text);
  if (match === null) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const date = new Date(0);
  date.setUTCFullYear(year, month, day); // not Date.UTC, which reads years 0-99 as 1900-1999
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month || date.getUTCDate() !== day) return null;
  return date.getTime() / DAY_MS;
}

/** A day off as written: one date, or an inclusive range `first..last`; `first` and `last` as found. */
export function splitDayOff(text: string): { first: string; last: string } {
  const dots = text.indexOf('..');
  return dots === -1 ? { first: text, last: text } : { first: text.slice(0, dots), last: text.slice(dots + 2) };
}

import { DaysOff } from './days-off.js';
import { Schedule } from './schedule.js';
import { ScheduleError } from './schedule-error.js';
import { DAY_NAMES, type ScheduleInput, type WindowInput } from './schedule-input.js';
import type { CompiledWindow } from './schedule-sweep.js';
import { DAY_MS, ZoneClock } from './zone-clock.js';

const TIME_ZONE = 'an IANA time zone name such as "Europe/London", "America/New_York" or "UTC"';
const FROM = 'a time "HH:MM" from "00:00" to "23:59"';
const TO = 'a time "HH:MM" from "00:00" to "24:00" (the end of the day)';
const DAYS = 'one of mon, tue, wed, thu, fri, sat, sun';
const DATE = 'a date "YYYY-MM-DD" or an inclusive range "YYYY-MM-DD..YYYY-MM-DD", of dates that exist';

/**
 * Checks a schedule as written in the config and compiles it, or throws a ScheduleError naming the key path in
 * the schedule (`windows.0.from`), the value found and what is expected.
 */
export function compileSchedule(input: ScheduleInput): Schedule {
  const clock = zoneClock(input.timeZone);
  if (input.windows.length === 0) throw new ScheduleError(['windows'], input.windows, 'at least one window { days, from, to }');
  const windows = input.windows.map((window, i) => compileWindow(window, ['windows', String(i)]));
  windows.sort((a, b) => a.from - b.from || a.to - b.to);
  const ranges = (input.daysOff ?? []).map((text, i) => dayOffRange(text, ['daysOff', String(i)]));
  return new Schedule(input, { clock, windows, daysOff: new DaysOff(ranges) });
}

/** A clock for `timeZone`; fixed offsets ("+01:00") are refused on every Node version, though newer ones accept them. */
function zoneClock(timeZone: string): ZoneClock {
  if (/^[+-]/.test(timeZone)) throw new ScheduleError(['timeZone'], timeZone, `${TIME_ZONE}, not a fixed offset (a fixed offset has no DST)`);
  try {
    return new ZoneClock(timeZone);
  } catch (error) {
    if (error instanceof RangeError) throw new ScheduleError(['timeZone'], timeZone, TIME_ZONE);
    throw error;
  }
}

function compileWindow(window: WindowInput, path: string[]): CompiledWindow {
  if (window.days.length === 0) throw new ScheduleError([...path, 'days'], window.days, `at least ${DAYS}`);
  let dayMask = 0;
  for (const [i, name] of window.days.entries()) {
    const weekday = DAY_NAMES.indexOf(name as (typeof DAY_NAMES)[number]);
    if (weekday === -1) throw new ScheduleError([...path, 'days', String(i)], name, DAYS);
    dayMask |= 1 << weekday;
  }
  const from = parseClockTime(window.from, false);
  if (from === null) throw new ScheduleError([...path, 'from'], window.from, FROM);
  const to = parseClockTime(window.to, true);
  if (to === null) throw new ScheduleError([...path, 'to'], window.to, TO);
  if (to === from) throw new ScheduleError([...path, 'to'], window.to, `a time other than from ("${window.from}"); a whole day is "00:00" to "24:00"`);
  return { dayMask, from, to };
}

function dayOffRange(text: string, path: string[]): readonly [number, number] {
  const parts = text.split('..');
  const [first = '', last = first] = parts;
  const firstDay = parseDate(first);
  const lastDay = parseDate(last);
  if (firstDay === null || lastDay === null || parts.length > 2) throw new ScheduleError(path, text, DATE);
  if (lastDay < firstDay) throw new ScheduleError(path, text, `a range whose last date is not before its first ("${first}")`);
  return [firstDay, lastDay];
}

/**
 * Minutes since midnight of an "HH:MM" time (two digits each, 24-hour clock), or null when it is not one.
 * "24:00" (1440, the end of the day) only when `endOfDayAllowed`, as a window's `to`.
 */
function parseClockTime(text: string, endOfDayAllowed: boolean): number | null {
  const match = /^(\d\d):([0-5]\d)$/.exec(text);
  if (match === null) return null;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes < 1440 || (minutes === 1440 && endOfDayAllowed) ? minutes : null;
}

/** The day number (days since 1970-01-01) of a "YYYY-MM-DD" date that exists in the Gregorian calendar, or null. */
function parseDate(text: string): number | null {
  const match = /^(\d{4})-(\d\d)-(\d\d)$/.exec(text);
  if (match === null) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const date = new Date(0);
  date.setUTCFullYear(year, month, day); // not Date.UTC, which reads years 0-99 as 1900-1999
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month || date.getUTCDate() !== day) return null;
  return date.getTime() / DAY_MS;
}

import t from 'tap';
import { compileSchedule, HORIZON_MS } from '../../src/schedule/index.js';

// Europe/London between November and March is on GMT, so local times below are the UTC times written.
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];
const gmt = (month: number, day: number, hour: number, minute = 0, second = 0, ms = 0): number => Date.UTC(month >= 10 ? 2026 : 2027, month - 1, day, hour, minute, second, ms);

const school = compileSchedule({
  name: 'school-hours',
  timeZone: 'Europe/London',
  windows: [
    { days: WEEKDAYS, from: '12:15', to: '15:30' },
    { days: WEEKDAYS, from: '08:00', to: '11:30' },
  ],
  daysOff: ['2026-11-11', '2026-12-21..2027-01-04', '2027-02-15..2027-02-19'],
});

t.test('school hours Monday to Friday with lunch open, and the days off', async (t) => {
  const rows: Array<[string, number, boolean]> = [
    ['Monday 10:00', gmt(11, 2, 10), true],
    ['Monday 12:00, lunch', gmt(11, 2, 12), false],
    ['Monday 12:30', gmt(11, 2, 12, 30), true],
    ['Monday 07:00, before school', gmt(11, 2, 7), false],
    ['Monday 16:00, after school', gmt(11, 2, 16), false],
    ['Saturday 10:00', gmt(11, 7, 10), false],
    ['Sunday 10:00', gmt(11, 8, 10), false],
    ['Tuesday 10 November, the day before a day off', gmt(11, 10, 10), true],
    ['Wednesday 11 November, a day off', gmt(11, 11, 10), false],
    ['Thursday 12 November, the day after', gmt(11, 12, 10), true],
    ['Friday 18 December, the last day of term', gmt(12, 18, 10), true],
    ['Monday 21 December, the first day of the range', gmt(12, 21, 10), false],
    ['Thursday 31 December, inside the range', gmt(12, 31, 10), false],
    ['Friday 1 January, inside the range, after new year', gmt(1, 1, 10), false],
    ['Monday 4 January, the last day of the range', gmt(1, 4, 10), false],
    ['Tuesday 5 January, the first day back', gmt(1, 5, 10), true],
    ['Friday 12 February, before half term', gmt(2, 12, 10), true],
    ['Wednesday 17 February, half term', gmt(2, 17, 10), false],
    ['Monday 22 February, after half term', gmt(2, 22, 10), true],
  ];
  for (const [name, at, want] of rows) t.equal(school.inForce(at), want, name);
});

t.test('a window covers its start and stops at its end, to the millisecond', async (t) => {
  const rows: Array<[string, number, boolean]> = [
    ['07:59:59.999', gmt(11, 2, 7, 59, 59, 999), false],
    ['08:00:00.000', gmt(11, 2, 8), true],
    ['11:29:59.999', gmt(11, 2, 11, 29, 59, 999), true],
    ['11:30:00.000', gmt(11, 2, 11, 30), false],
    ['12:14:59.999', gmt(11, 2, 12, 14, 59, 999), false],
    ['12:15:00.000', gmt(11, 2, 12, 15), true],
    ['15:29:59.999', gmt(11, 2, 15, 29, 59, 999), true],
    ['15:30:00.000', gmt(11, 2, 15, 30), false],
  ];
  // In order, backwards and shuffled: the remembered stretch must never answer for an instant outside it.
  for (const order of [rows, [...rows].reverse(), [rows[3]!, rows[0]!, rows[6]!, rows[1]!, rows[7]!, rows[2]!, rows[5]!, rows[4]!]]) {
    for (const [name, at, want] of order) t.equal(school.inForce(at), want, name);
  }
});

t.test('the next change is the next boundary, skipping weekends and days off', async (t) => {
  const rows: Array<[string, number, number]> = [
    ['before school, to 08:00', gmt(11, 2, 6), gmt(11, 2, 8)],
    ['at 08:00, to 11:30', gmt(11, 2, 8), gmt(11, 2, 11, 30)],
    ['at lunch, to 12:15', gmt(11, 2, 11, 30), gmt(11, 2, 12, 15)],
    ['Friday afternoon, to Monday 08:00', gmt(11, 6, 15, 30), gmt(11, 9, 8)],
    ['Tuesday before a day off, to Thursday 08:00', gmt(11, 10, 16), gmt(11, 12, 8)],
    ['the last day of term, across the new year, to 5 January 08:00', gmt(12, 18, 15, 30), gmt(1, 5, 8)],
    ['during the holiday', gmt(12, 31, 23, 59, 59, 999), gmt(1, 5, 8)],
  ];
  for (const [name, at, want] of rows) {
    const change = school.nextChange(at);
    t.equal(change, want, name);
    t.not(school.inForce(want - 1), school.inForce(want), `${name}: the value changes at that instant`);
  }
});

t.test('the seconds to the next change round down, so an answer cached that long expires by then', async (t) => {
  t.equal(school.secondsToNextChange(gmt(11, 2, 7, 59)), 60, 'a minute before school');
  t.equal(school.secondsToNextChange(gmt(11, 2, 7, 58, 0, 500)), 119, '119.5 s before');
  t.equal(school.secondsToNextChange(gmt(11, 2, 7, 59, 59, 1)), 0, 'under a second before: not to be cached');
  t.equal(school.secondsToNextChange(gmt(11, 2, 15, 29)), 60, 'a minute before the end of school');
  t.equal(school.secondsToNextChange(gmt(12, 18, 15, 30)), 18 * 86400 - 7.5 * 3600, 'the whole holiday');
});

t.test('an overnight window runs from its day into the next morning', async (t) => {
  const night = compileSchedule({ name: 'friday-night', timeZone: 'Europe/London', windows: [{ days: ['fri'], from: '22:00', to: '06:00' }] });
  const rows: Array<[string, number, boolean]> = [
    ['Friday 21:59:59.999', gmt(11, 6, 21, 59, 59, 999), false],
    ['Friday 22:00', gmt(11, 6, 22), true],
    ['Saturday 03:00', gmt(11, 7, 3), true],
    ['Saturday 05:59:59.999', gmt(11, 7, 5, 59, 59, 999), true],
    ['Saturday 06:00', gmt(11, 7, 6), false],
    ['Saturday 23:00: the window is on Fridays only', gmt(11, 7, 23), false],
    ['Friday 03:00: nor does it run into Friday', gmt(11, 6, 3), false],
  ];
  for (const [name, at, want] of rows) t.equal(night.inForce(at), want, name);
  t.equal(night.nextChange(gmt(11, 6, 22)), gmt(11, 7, 6), 'from its start, to its end the next morning');
  t.equal(night.nextChange(gmt(11, 7, 6)), gmt(11, 13, 22), 'from its end, to next Friday');
});

t.test('a day off cancels the windows that start on it, whole: an overnight window belongs to the day it starts', async (t) => {
  const windows = [{ days: ['fri'], from: '22:00', to: '06:00' }];
  const fridayOff = compileSchedule({ name: 'n', timeZone: 'Europe/London', windows, daysOff: ['2026-11-06'] });
  const saturdayOff = compileSchedule({ name: 'n', timeZone: 'Europe/London', windows, daysOff: ['2026-11-07'] });
  t.equal(fridayOff.inForce(gmt(11, 6, 23)), false, 'Friday off: not on Friday evening');
  t.equal(fridayOff.inForce(gmt(11, 7, 3)), false, 'Friday off: nor on Saturday morning');
  t.equal(saturdayOff.inForce(gmt(11, 6, 23)), true, 'Saturday off: Friday evening still in force');
  t.equal(saturdayOff.inForce(gmt(11, 7, 3)), true, 'Saturday off: and on into Saturday morning');
  t.equal(saturdayOff.nextChange(gmt(11, 6, 23)), gmt(11, 7, 6), 'until it ends as usual');
});

t.test('windows that touch or overlap change nothing where they meet', async (t) => {
  const days = compileSchedule({ name: 'd', timeZone: 'Europe/London', windows: [{ days: ['mon', 'tue'], from: '00:00', to: '24:00' }] });
  t.equal(days.nextChange(gmt(11, 2, 10)), gmt(11, 4, 0), 'Monday and Tuesday whole: one stretch to Wednesday 00:00');
  t.equal(days.inForce(gmt(11, 3, 0)), true, 'Tuesday 00:00');
  const layered = compileSchedule({
    name: 'l',
    timeZone: 'Europe/London',
    windows: [
      { days: ['sun'], from: '20:00', to: '06:00' },
      { days: ['mon'], from: '05:00', to: '09:00' },
      { days: ['mon'], from: '09:00', to: '10:00' },
    ],
  });
  t.equal(layered.nextChange(gmt(11, 1, 21)), gmt(11, 2, 10), 'Sunday night into Monday, overlapping then touching: one stretch');
  t.equal(layered.nextChange(gmt(11, 2, 10)), gmt(11, 8, 20), 'then out until next Sunday');
});

t.test('a schedule that never changes, and the 400-day horizon', async (t) => {
  const always = compileSchedule({ name: 'a', timeZone: 'Europe/London', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '00:00', to: '24:00' }] });
  t.equal(always.inForce(gmt(11, 2, 10)), true);
  t.equal(always.nextChange(gmt(11, 2, 10)), null);
  t.equal(always.secondsToNextChange(gmt(11, 2, 10)), null);

  const long = (lastDayOff: string) => compileSchedule({ name: 'h', timeZone: 'Europe/London', windows: [{ days: WEEKDAYS, from: '08:00', to: '15:30' }], daysOff: [`2027-01-01..${lastDayOff}`] });
  const newYearsEve = Date.UTC(2026, 11, 31, 20);
  t.equal(long('2028-01-14').nextChange(newYearsEve), Date.UTC(2028, 0, 17, 8), 'a 379-day holiday: back on Monday 17 January 2028');
  const longer = long('2028-02-11');
  const back = Date.UTC(2028, 1, 14, 8);
  t.equal(longer.nextChange(newYearsEve), null, 'a 406-day holiday: no change within 400 days');
  t.equal(longer.nextChange(Date.UTC(2026, 11, 31, 10)), Date.UTC(2026, 11, 31, 15, 30), 'on its last school day: the end of that day, though nothing follows for 400 days');
  t.equal(longer.inForce(newYearsEve), false);
  t.equal(longer.nextChange(newYearsEve + 10 * 86_400_000), back, 'ten days later the return is within 400 days');
  t.equal(longer.nextChange(back - HORIZON_MS), back, 'exactly 400 days ahead: reported');
  t.equal(longer.nextChange(back - HORIZON_MS - 1), null, 'a millisecond more: not');
});

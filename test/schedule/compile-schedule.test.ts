import t from 'tap';
import { compileSchedule, ScheduleError, type ScheduleInput } from '../../src/schedule/index.js';

const good: ScheduleInput = {
  name: 'school-hours',
  timeZone: 'Europe/London',
  windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '15:30' }],
  daysOff: ['2026-12-21..2027-01-04'],
};
const window = good.windows[0]!;
const zone = '"Europe/London", "America/New_York" or "UTC"';

const refused: Array<{ name: string; input: ScheduleInput; message: string; path: string[] }> = [
  { name: 'an unknown time zone', input: { ...good, timeZone: 'Europe/Londn' }, path: ['timeZone'], message: `timeZone: found "Europe/Londn"; expected an IANA time zone name such as ${zone}` },
  { name: 'a fixed offset', input: { ...good, timeZone: '+01:00' }, path: ['timeZone'], message: `timeZone: found "+01:00"; expected an IANA time zone name such as ${zone}, not a fixed offset (a fixed offset has no DST)` },
  { name: 'no windows', input: { ...good, windows: [] }, path: ['windows'], message: 'windows: found []; expected at least one window { days, from, to }' },
  { name: 'a window without days', input: { ...good, windows: [{ ...window, days: [] }] }, path: ['windows', '0', 'days'], message: 'windows.0.days: found []; expected at least one of mon, tue, wed, thu, fri, sat, sun' },
  { name: 'an unknown day', input: { ...good, windows: [window, { ...window, days: ['mon', 'Tuesday'] }] }, path: ['windows', '1', 'days', '1'], message: 'windows.1.days.1: found "Tuesday"; expected one of mon, tue, wed, thu, fri, sat, sun' },
  { name: 'a time without two hour digits', input: { ...good, windows: [{ ...window, from: '8:00' }] }, path: ['windows', '0', 'from'], message: 'windows.0.from: found "8:00"; expected a time "HH:MM" from "00:00" to "23:59"' },
  { name: 'minute 60', input: { ...good, windows: [{ ...window, from: '07:60' }] }, path: ['windows', '0', 'from'], message: 'windows.0.from: found "07:60"; expected a time "HH:MM" from "00:00" to "23:59"' },
  { name: '24:00 as a start', input: { ...good, windows: [{ ...window, from: '24:00' }] }, path: ['windows', '0', 'from'], message: 'windows.0.from: found "24:00"; expected a time "HH:MM" from "00:00" to "23:59"' },
  { name: 'an end after 24:00', input: { ...good, windows: [{ ...window, to: '24:01' }] }, path: ['windows', '0', 'to'], message: 'windows.0.to: found "24:01"; expected a time "HH:MM" from "00:00" to "24:00" (the end of the day)' },
  { name: 'seconds', input: { ...good, windows: [{ ...window, to: '15:30:00' }] }, path: ['windows', '0', 'to'], message: 'windows.0.to: found "15:30:00"; expected a time "HH:MM" from "00:00" to "24:00" (the end of the day)' },
  { name: 'from equal to to', input: { ...good, windows: [{ ...window, from: '08:00', to: '08:00' }] }, path: ['windows', '0', 'to'], message: 'windows.0.to: found "08:00"; expected a time other than from ("08:00"); a whole day is "00:00" to "24:00"' },
  { name: 'a date that does not exist', input: { ...good, daysOff: ['2027-02-28', '2027-02-29'] }, path: ['daysOff', '1'], message: 'daysOff.1: found "2027-02-29"; expected a date "YYYY-MM-DD" or an inclusive range "YYYY-MM-DD..YYYY-MM-DD", of dates that exist' },
  { name: 'month 13 at the end of a range', input: { ...good, daysOff: ['2026-12-21..2026-13-04'] }, path: ['daysOff', '0'], message: 'daysOff.0: found "2026-12-21..2026-13-04"; expected a date "YYYY-MM-DD" or an inclusive range "YYYY-MM-DD..YYYY-MM-DD", of dates that exist' },
  { name: 'three dates', input: { ...good, daysOff: ['2026-12-21..2027-01-04..2027-01-05'] }, path: ['daysOff', '0'], message: 'daysOff.0: found "2026-12-21..2027-01-04..2027-01-05"; expected a date "YYYY-MM-DD" or an inclusive range "YYYY-MM-DD..YYYY-MM-DD", of dates that exist' },
  { name: 'an open range', input: { ...good, daysOff: ['2026-12-21..'] }, path: ['daysOff', '0'], message: 'daysOff.0: found "2026-12-21.."; expected a date "YYYY-MM-DD" or an inclusive range "YYYY-MM-DD..YYYY-MM-DD", of dates that exist' },
  { name: 'slashes', input: { ...good, daysOff: ['2026/12/21'] }, path: ['daysOff', '0'], message: 'daysOff.0: found "2026/12/21"; expected a date "YYYY-MM-DD" or an inclusive range "YYYY-MM-DD..YYYY-MM-DD", of dates that exist' },
  { name: 'a range ending before it starts', input: { ...good, daysOff: ['2027-01-04..2026-12-21'] }, path: ['daysOff', '0'], message: 'daysOff.0: found "2027-01-04..2026-12-21"; expected a range whose last date is not before its first ("2027-01-04")' },
];

t.test('a schedule that cannot work is refused with the key, the value found and what is expected', async (t) => {
  for (const row of refused) {
    let caught: unknown;
    try {
      compileSchedule(row.input);
    } catch (error) {
      caught = error;
    }
    t.type(caught, ScheduleError, `${row.name}: a ScheduleError`);
    t.equal((caught as Error).message, row.message, `${row.name}: message`);
    t.same((caught as ScheduleError).path, row.path, `${row.name}: path, for the config loader to prefix`);
  }
});

t.test('what the rules allow is accepted', async (t) => {
  const accepted: Array<[string, Partial<ScheduleInput>]> = [
    ['a whole day, 00:00 to 24:00', { windows: [{ days: ['sat'], from: '00:00', to: '24:00' }] }],
    ['an overnight window', { windows: [{ days: ['fri'], from: '22:00', to: '06:00' }] }],
    ['UTC', { timeZone: 'UTC' }],
    ['a zone name in the wrong case, as Intl accepts it', { timeZone: 'america/new_york' }],
    ['a one-day range and overlapping ranges', { daysOff: ['2026-12-24..2026-12-24', '2026-12-20..2026-12-28', '2026-12-27..2027-01-02'] }],
    ['a leap day', { daysOff: ['2028-02-29'] }],
    ['no days off', { daysOff: undefined }],
  ];
  for (const [name, change] of accepted) t.doesNotThrow(() => compileSchedule({ ...good, ...change }), name);
  t.equal(compileSchedule(good).name, 'school-hours');
  t.equal(compileSchedule(good).timeZone, 'Europe/London');
});

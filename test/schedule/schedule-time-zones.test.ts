import t from 'tap';
import { compileSchedule } from '../../src/schedule/index.js';

// Local times and dates are the schedule's zone's: 08:00 in Tokyo (UTC+09:00, no DST) is 23:00Z the day before.
const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'];
const schoolIn = (timeZone: string, daysOff: string[] = []) => compileSchedule({ name: 'school', timeZone, windows: [{ days: weekdays, from: '08:00', to: '15:30' }], daysOff });

t.test('the same school hours in four zones, at the same instants', async (t) => {
  const tokyo = schoolIn('Asia/Tokyo');
  const kolkata = schoolIn('Asia/Kolkata');
  const newYork = schoolIn('America/New_York');
  const utc = schoolIn('UTC');
  // Sunday 2026-11-01 23:00Z is Monday 08:00 in Tokyo, Monday 04:30 in Kolkata, Sunday 18:00 in New York (EST).
  const sundayNight = Date.UTC(2026, 10, 1, 23);
  t.same([tokyo.inForce(sundayNight), kolkata.inForce(sundayNight), newYork.inForce(sundayNight), utc.inForce(sundayNight)], [true, false, false, false], 'Sunday 23:00Z');
  t.equal(tokyo.inForce(sundayNight - 1), false, 'Tokyo: 07:59:59.999 Monday');
  t.equal(tokyo.nextChange(sundayNight), Date.UTC(2026, 10, 2, 6, 30), 'Tokyo: ends at 15:30 JST, 06:30Z');
  t.equal(kolkata.nextChange(sundayNight), Date.UTC(2026, 10, 2, 2, 30), 'Kolkata: starts at 08:00 IST, 02:30Z');
  t.equal(kolkata.nextChange(Date.UTC(2026, 10, 2, 2, 30)), Date.UTC(2026, 10, 2, 10), 'Kolkata: ends at 15:30 IST, 10:00Z');
  t.equal(newYork.nextChange(sundayNight), Date.UTC(2026, 10, 2, 13), 'New York: starts at 08:00 EST, 13:00Z');
  t.equal(utc.nextChange(sundayNight), Date.UTC(2026, 10, 2, 8), 'UTC: starts at 08:00Z');
  // Friday 2026-11-06 20:00Z: Saturday 05:00 in Tokyo (out), Friday 15:00 in New York (in).
  const fridayEvening = Date.UTC(2026, 10, 6, 20);
  t.same([tokyo.inForce(fridayEvening), newYork.inForce(fridayEvening)], [false, true], 'Friday 20:00Z');
  t.equal(tokyo.nextChange(fridayEvening), Date.UTC(2026, 10, 8, 23), 'Tokyo: next Monday 08:00 JST');
});

t.test('days off are local dates of the schedule\'s zone', async (t) => {
  // Tuesday 2026-11-03 off in Tokyo: from Monday 15:00Z to Tuesday 15:00Z.
  const tokyo = schoolIn('Asia/Tokyo', ['2026-11-03']);
  t.equal(tokyo.inForce(Date.UTC(2026, 10, 2, 23, 30)), false, 'Tuesday 08:30 JST, Monday 23:30Z: off');
  t.equal(tokyo.inForce(Date.UTC(2026, 10, 2, 1)), true, 'Monday 10:00 JST, Monday 01:00Z: in');
  t.equal(tokyo.inForce(Date.UTC(2026, 10, 3, 23, 30)), true, 'Wednesday 08:30 JST: in');
  t.equal(tokyo.nextChange(Date.UTC(2026, 10, 2, 6, 30)), Date.UTC(2026, 10, 3, 23), 'from Monday\'s end to Wednesday 08:00 JST');
  // A range across the new year in Kolkata: its last day ends at 2027-01-04 18:30Z (midnight IST).
  const kolkata = schoolIn('Asia/Kolkata', ['2026-12-21..2027-01-04']);
  t.equal(kolkata.inForce(Date.UTC(2026, 11, 18, 5)), true, 'Friday 18 December 10:30 IST');
  t.equal(kolkata.inForce(Date.UTC(2026, 11, 31, 5)), false, '31 December');
  t.equal(kolkata.inForce(Date.UTC(2027, 0, 4, 5)), false, '4 January, the last day off');
  t.equal(kolkata.nextChange(Date.UTC(2026, 11, 18, 10)), Date.UTC(2027, 0, 5, 2, 30), 'back on 5 January 08:00 IST');
});

t.test('describe shows an instant in the schedule\'s local time with its offset', async (t) => {
  t.equal(schoolIn('Europe/London').describe(Date.UTC(2027, 2, 28, 1)), '2027-03-28 Sun 02:00 UTC+01:00', 'London, the first instant of BST');
  t.equal(schoolIn('Europe/London').describe(Date.UTC(2027, 2, 28, 1) - 60_000), '2027-03-28 Sun 00:59 UTC+00:00', 'London, a minute before');
  t.equal(schoolIn('Asia/Kolkata').describe(Date.UTC(2026, 10, 2, 2, 30)), '2026-11-02 Mon 08:00 UTC+05:30');
  t.equal(schoolIn('America/New_York').describe(Date.UTC(2026, 10, 2, 13)), '2026-11-02 Mon 08:00 UTC-05:00');
});

import t from 'tap';
import { compileSchedule } from '../../src/schedule/index.js';

// The offset changes used below, from the tz database (all on Sundays):
// Europe/London      2027-03-28 01:00 GMT -> 02:00 BST at 01:00Z;   2027-10-31 02:00 BST -> 01:00 GMT at 01:00Z
// Europe/Berlin      2027-03-28 02:00 CET -> 03:00 CEST at 01:00Z;  2027-10-31 03:00 CEST -> 02:00 CET at 01:00Z
// America/New_York   2027-03-14 02:00 EST -> 03:00 EDT at 07:00Z;   2027-11-07 02:00 EDT -> 01:00 EST at 06:00Z
// Australia/Adelaide 2027-04-04 03:00 ACDT (+10:30) -> 02:00 ACST (+09:30) at 2027-04-03 16:30Z;
//                    2027-10-03 02:00 ACST -> 03:00 ACDT at 2027-10-02 16:30Z
const utc = (month: number, day: number, hour: number, minute = 0): number => Date.UTC(2027, month - 1, day, hour, minute);

interface Row {
  readonly name: string;
  readonly timeZone: string;
  readonly window: { days: string[]; from: string; to: string };
  /** Asked from here: the next start and the end after it. */
  readonly from: number;
  readonly start: number;
  readonly end: number;
  /** Instants inside the occurrence that a wall-clock comparison would get wrong. */
  readonly alsoIn?: readonly number[];
}

const rows: Row[] = [
  // Spring forward: an hour of wall time never happens.
  { name: 'London, spring: a window spanning the jump lasts an hour less', timeZone: 'Europe/London', window: { days: ['sun'], from: '00:00', to: '03:00' }, from: utc(3, 27, 12), start: utc(3, 28, 0), end: utc(3, 28, 2) },
  { name: 'London, spring: a window starting in the gap (01:30) starts at the jump', timeZone: 'Europe/London', window: { days: ['sun'], from: '01:30', to: '04:00' }, from: utc(3, 27, 12), start: utc(3, 28, 1), end: utc(3, 28, 3) },
  { name: 'London, spring: an overnight window across the jump', timeZone: 'Europe/London', window: { days: ['sat'], from: '22:00', to: '08:00' }, from: utc(3, 27, 12), start: utc(3, 27, 22), end: utc(3, 28, 7) },
  { name: 'London, spring: a window wholly in the gap does not happen that day', timeZone: 'Europe/London', window: { days: ['sun'], from: '01:15', to: '01:45' }, from: utc(3, 27, 12), start: utc(4, 4, 0, 15), end: utc(4, 4, 0, 45) },
  { name: 'Berlin, spring: a window starting in the gap (02:30) starts at the jump', timeZone: 'Europe/Berlin', window: { days: ['sun'], from: '02:30', to: '05:00' }, from: utc(3, 27, 12), start: utc(3, 28, 1), end: utc(3, 28, 3) },
  { name: 'Berlin, spring: a window ending in the gap ends at the jump', timeZone: 'Europe/Berlin', window: { days: ['sat'], from: '23:00', to: '02:30' }, from: utc(3, 27, 12), start: utc(3, 27, 22), end: utc(3, 28, 1) },
  { name: 'New York, spring: a window starting in the gap (02:30) starts at the jump', timeZone: 'America/New_York', window: { days: ['sun'], from: '02:30', to: '04:00' }, from: utc(3, 13, 12), start: utc(3, 14, 7), end: utc(3, 14, 8) },
  { name: 'New York, spring: an overnight window across the jump lasts 7 hours', timeZone: 'America/New_York', window: { days: ['sat'], from: '22:00', to: '06:00' }, from: utc(3, 13, 12), start: utc(3, 14, 3), end: utc(3, 14, 10) },
  { name: 'New York, spring: Friday on EST, Monday on EDT', timeZone: 'America/New_York', window: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '15:30' }, from: utc(3, 12, 20, 30), start: utc(3, 15, 12), end: utc(3, 15, 19, 30) },
  { name: 'Adelaide, spring (October): a window starting in the gap (02:30) starts at the jump', timeZone: 'Australia/Adelaide', window: { days: ['sun'], from: '02:30', to: '04:00' }, from: utc(10, 1, 12), start: utc(10, 2, 16, 30), end: utc(10, 2, 17, 30) },
  { name: 'Adelaide, spring (October): a window wholly in the gap does not happen that day', timeZone: 'Australia/Adelaide', window: { days: ['sun'], from: '02:15', to: '02:45' }, from: utc(10, 1, 12), start: utc(10, 9, 15, 45), end: utc(10, 9, 16, 15) },
  // Fall back: an hour of wall time happens twice; a time in it means its first occurrence.
  { name: 'London, autumn: a window spanning the repeat lasts an hour more', timeZone: 'Europe/London', window: { days: ['sun'], from: '00:00', to: '03:00' }, from: utc(10, 30, 12), start: utc(10, 30, 23), end: utc(10, 31, 3), alsoIn: [utc(10, 31, 1, 15)] },
  { name: 'London, autumn: a window starting in the repeat (01:30) starts at its first 01:30 and holds through the second 01:00-01:30', timeZone: 'Europe/London', window: { days: ['sun'], from: '01:30', to: '04:00' }, from: utc(10, 30, 12), start: utc(10, 31, 0, 30), end: utc(10, 31, 4), alsoIn: [utc(10, 31, 1), utc(10, 31, 1, 15)] },
  { name: 'London, autumn: a window ending in the repeat (01:30) ends at its first 01:30', timeZone: 'Europe/London', window: { days: ['sat'], from: '22:00', to: '01:30' }, from: utc(10, 30, 12), start: utc(10, 30, 21), end: utc(10, 31, 0, 30) },
  { name: 'Berlin, autumn: a window starting in the repeat (02:30) starts at its first 02:30', timeZone: 'Europe/Berlin', window: { days: ['sun'], from: '02:30', to: '04:00' }, from: utc(10, 30, 12), start: utc(10, 31, 0, 30), end: utc(10, 31, 3), alsoIn: [utc(10, 31, 1, 15)] },
  { name: 'New York, autumn: a window starting in the repeat (01:30) starts at its first 01:30', timeZone: 'America/New_York', window: { days: ['sun'], from: '01:30', to: '03:00' }, from: utc(11, 6, 12), start: utc(11, 7, 5, 30), end: utc(11, 7, 8), alsoIn: [utc(11, 7, 6, 10)] },
  { name: 'New York, autumn: Friday on EDT, Monday on EST', timeZone: 'America/New_York', window: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '15:30' }, from: utc(11, 5, 19, 30), start: utc(11, 8, 13), end: utc(11, 8, 20, 30) },
  { name: 'Adelaide, autumn (April): a window starting in the repeat (02:30) starts at its first 02:30', timeZone: 'Australia/Adelaide', window: { days: ['sun'], from: '02:30', to: '04:00' }, from: utc(4, 3, 0), start: utc(4, 3, 16), end: utc(4, 3, 18, 30), alsoIn: [utc(4, 3, 16, 45)] },
];

t.test('DST in both directions, in both hemispheres: when each window starts and ends', async (t) => {
  for (const row of rows) {
    const schedule = compileSchedule({ name: 'dst', timeZone: row.timeZone, windows: [row.window] });
    t.equal(schedule.inForce(row.from), false, `${row.name}: out when asked`);
    t.equal(schedule.nextChange(row.from), row.start, `${row.name}: starts at ${new Date(row.start).toISOString()}`);
    t.equal(schedule.nextChange(row.start), row.end, `${row.name}: ends at ${new Date(row.end).toISOString()}`);
    t.same([schedule.inForce(row.start - 1), schedule.inForce(row.start), schedule.inForce(row.end - 1), schedule.inForce(row.end)], [false, true, true, false], `${row.name}: to the millisecond`);
    for (const at of row.alsoIn ?? []) t.equal(schedule.inForce(at), true, `${row.name}: in at ${new Date(at).toISOString()}`);
  }
});

t.test('a week of school across each change keeps its local hours', async (t) => {
  const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'];
  // Starts at 08:00 local on the Friday before each change and the Monday after it.
  const cases: Array<[string, number, number]> = [
    ['Europe/London', utc(3, 26, 8), utc(3, 29, 7)],
    ['Europe/London', utc(10, 29, 7), utc(11, 1, 8)],
    ['Europe/Berlin', utc(3, 26, 7), utc(3, 29, 6)],
    ['America/New_York', utc(11, 5, 12), utc(11, 8, 13)],
    ['Australia/Adelaide', utc(4, 1, 21, 30), utc(4, 4, 22, 30)],
    ['Australia/Adelaide', utc(9, 30, 22, 30), utc(10, 3, 21, 30)],
  ];
  for (const [timeZone, ...starts] of cases) {
    const school = compileSchedule({ name: 's', timeZone, windows: [{ days: weekdays, from: '08:00', to: '15:30' }] });
    for (const start of starts) {
      t.same([school.inForce(start - 1), school.inForce(start)], [false, true], `${timeZone}: starts at ${new Date(start).toISOString()}, 08:00 local`);
      t.equal(school.nextChange(start), start + 7.5 * 3_600_000, `${timeZone}: ends 7.5 hours later, 15:30 local`);
    }
  }
});

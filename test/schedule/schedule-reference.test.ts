import t from 'tap';
import { compileSchedule, type ScheduleInput } from '../../src/schedule/index.js';

/**
 * Random schedules checked against a reference written from the rules alone: the local wall time is in a window
 * that starts on that local date or the one before, and that date is not off. In a zone without DST the wall
 * time is the instant plus a fixed offset, so the reference is exact at every instant, boundaries included.
 */
const DAY = 86_400_000;
const MINUTE = 60_000;
const NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FIXED: Array<[string, number]> = [['UTC', 0], ['Asia/Tokyo', 9 * 60], ['Asia/Kolkata', 5 * 60 + 30]];

function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const hhmm = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const isoDate = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10);

function randomSchedule(next: () => number, timeZone: string, firstDay: number): ScheduleInput {
  const windows = Array.from({ length: 1 + Math.floor(next() * 3) }, () => {
    const days = NAMES.filter(() => next() < 0.5);
    const from = next() < 0.3 ? 60 * Math.floor(next() * 24) : Math.floor(next() * 1440);
    let to = next() < 0.1 ? 1440 : Math.floor(next() * 1440);
    if (to === from) to = (from + 90) % 1440;
    return { days: days.length === 0 ? ['wed'] : days, from: hhmm(from), to: hhmm(to) };
  });
  const daysOff = Array.from({ length: Math.floor(next() * 4) }, () => {
    const first = firstDay + Math.floor(next() * 60);
    return next() < 0.5 ? isoDate(first) : `${isoDate(first)}..${isoDate(first + Math.floor(next() * 12))}`;
  });
  return { name: 'random', timeZone, windows, daysOff };
}

function reference(input: ScheduleInput, offsetMinutes: number): (at: number) => boolean {
  const off = new Set<number>();
  for (const entry of input.daysOff ?? []) {
    const [first, last = first] = entry.split('..').map((date) => Date.parse(`${date}T00:00:00Z`) / DAY);
    for (let day = first!; day <= last!; day++) off.add(day);
  }
  const minutes = (text: string): number => Number(text.slice(0, 2)) * 60 + Number(text.slice(3));
  return (at) => {
    const wall = at + offsetMinutes * MINUTE;
    const today = Math.floor(wall / DAY);
    for (const day of [today - 1, today]) {
      if (off.has(day)) continue;
      const name = NAMES[new Date(day * DAY).getUTCDay()]!;
      for (const window of input.windows) {
        if (!window.days.includes(name)) continue;
        const [from, to] = [minutes(window.from), minutes(window.to)];
        const start = day * DAY + from * MINUTE;
        const end = (to > from ? day : day + 1) * DAY + to * MINUTE;
        if (start <= wall && wall < end) return true;
      }
    }
    return false;
  };
}

t.test('random schedules in zones without DST agree with the reference at every instant asked', async (t) => {
  const next = random(19);
  const firstDay = Date.UTC(2026, 9, 1) / DAY;
  let checks = 0;
  for (let n = 0; n < 60; n++) {
    const [timeZone, offset] = FIXED[n % FIXED.length]!;
    const input = randomSchedule(next, timeZone, firstDay);
    const schedule = compileSchedule(input);
    const expected = reference(input, offset);
    const times = new Set(input.windows.flatMap((window) => [window.from, window.to]).map((text) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3))));
    const boundaries: number[] = [];
    for (let day = firstDay - 2; day < firstDay + 100; day++) for (const minutes of [...times].sort((a, b) => a - b)) boundaries.push(day * DAY + (minutes - offset) * MINUTE);
    for (let k = 0; k < 40; k++) {
      // Any millisecond of 70 days, asked in random order so the kept stretch is left both ways.
      const at = (firstDay + next() * 70) * DAY + (next() < 0.3 ? 0 : Math.floor(next() * MINUTE)) - (next() < 0.3 ? (next() * 60) | 0 : 0);
      const where = `${JSON.stringify(input)} at ${new Date(at).toISOString()}`;
      if (schedule.inForce(at) !== expected(at)) t.fail(`inForce: ${where}`);
      const change = schedule.nextChange(at);
      if (change === null) {
        t.fail(`nextChange null: ${where}`);
        continue;
      }
      if (expected(change - 1) === expected(change)) t.fail(`no change at ${new Date(change).toISOString()}: ${where}`);
      // The reference can only change where a window starts or ends: check each such instant before the change.
      const firstBoundary = boundaries.findIndex((boundary) => boundary > at);
      for (let i = firstBoundary; i !== -1 && i < boundaries.length && boundaries[i]! < change; i++) {
        if (expected(boundaries[i]!) !== expected(at)) {
          t.fail(`a change at ${new Date(boundaries[i]!).toISOString()} before the one reported: ${where}`);
          break;
        }
      }
      checks++;
    }
  }
  t.equal(checks, 60 * 40, 'every instant checked');
});

t.test('through a year with DST, every change reported is one, and a fresh schedule agrees', async (t) => {
  const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'];
  for (const timeZone of ['Europe/London', 'America/New_York', 'Australia/Adelaide']) {
    const input: ScheduleInput = {
      name: 'school',
      timeZone,
      windows: [
        { days: weekdays, from: '08:00', to: '11:30' },
        { days: weekdays, from: '12:15', to: '15:30' },
        { days: ['sat'], from: '22:30', to: '02:30' },
      ],
    };
    const schedule = compileSchedule(input);
    const local = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    let weekdayChanges = 0;
    let nightChanges = 0;
    let changes = 0;
    let at = Date.parse(`2027-01-01T00:00:00${timeZone === 'Europe/London' ? 'Z' : timeZone === 'America/New_York' ? '-05:00' : '+10:30'}`);
    const end = at + 365 * DAY;
    for (let change = schedule.nextChange(at); change !== null && change < end; change = schedule.nextChange(change)) {
      // A schedule compiled afresh (nothing kept) at every fifth change, else this one file would take seconds.
      const fresh = changes++ % 5 === 0 ? compileSchedule(input) : schedule;
      if (schedule.inForce(change - 1) === schedule.inForce(change) || fresh.inForce(change - 1) === schedule.inForce(change) || fresh.inForce(change) !== schedule.inForce(change)) {
        t.fail(`${timeZone}: ${new Date(change).toISOString()} is not a change`);
      }
      const time = local.format(change).slice(-5);
      if (['08:00', '11:30', '12:15', '15:30'].includes(time)) weekdayChanges++;
      else if (['22:30', '02:30', '03:00'].includes(time)) nightChanges++;
      else t.fail(`${timeZone}: a change at ${local.format(change)} local`);
      at = change;
    }
    // 2027 has 261 weekdays (52 weeks and a Friday) and 52 Saturdays; the last Saturday night, 25 December, ends on the 26th.
    t.equal(weekdayChanges, 261 * 4, `${timeZone}: four changes each weekday of the year, whatever the offset`);
    t.equal(nightChanges, 52 * 2, `${timeZone}: two for each Saturday night`);
  }
});

/**
 * Scenario: `Schedule.inForce(now)` as the query path will call it for each scheduled zone (issue 19).
 *
 * Hypothesis: while the clock stays inside the stretch the schedule keeps (hours on a school day), a call costs
 * a few ns, near the floor of a plain function comparing the instant with two numbers; passing a boundary costs
 * one sweep of the coming days, about a µs once the zone's offsets are kept, and happens a few times a day; the
 * first use of a zone reads its offsets from Intl, under a millisecond for a school day. Baselines beside it: the
 * floor, and a sweep at every call (what the query path would pay without the kept stretch).
 *
 * Measured 2026-12 (Node 20.20, 2 shared cores, load average 8), median of 7 runs:
 *   floor 1.1 ns; inForce inside the stretch 1.9-2.0 ns; through a school day (5 boundaries in 1,000,000 calls)
 *   1.9 ns; across a boundary at every call 0.3-0.6 µs; before a 17-day holiday 0.7-0.8 µs; a sweep at every
 *   call 0.29 µs; first inForce in a new zone 0.27 ms (school hours), 4.5-5.7 ms (in force all week: 400 days
 *   of offsets read). Under load average 20-25 the same runs gave 5-8 ns inside the stretch and 9-12 µs at a
 *   boundary. Before offsets were kept per zone (commit aecb066), a sweep cost ~0.4 ms and a 400-day one 170 ms (load average ~20).
 *
 * Run: node --import ./test/helpers/ts-resolve.mjs bench/schedule.ts [runs=5]
 */
import { compileSchedule } from '../src/schedule/index.js';
import { DaysOff } from '../src/schedule/days-off.js';
import { sweep } from '../src/schedule/schedule-sweep.js';
import { ZoneClock } from '../src/schedule/zone-clock.js';

const runs = Number(process.argv[2] ?? 5);
const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'];
const input = {
  name: 'school-hours',
  timeZone: 'Europe/London',
  windows: [
    { days: weekdays, from: '08:00', to: '11:30' },
    { days: weekdays, from: '12:15', to: '15:30' },
  ],
  daysOff: ['2026-12-21..2027-01-04', '2027-02-15..2027-02-19'],
};
const monday0800 = Date.UTC(2026, 10, 2, 8);
const lunch = Date.UTC(2026, 10, 2, 11, 30);

/** Median ns per call over `runs` runs (after one warm-up) of `loop`, which makes `calls` calls and returns a count. */
function measure(name: string, calls: number, loop: () => number): void {
  const times: number[] = [];
  let sink = 0;
  for (let run = 0; run <= runs; run++) {
    const start = process.hrtime.bigint();
    sink += loop();
    const ns = Number(process.hrtime.bigint() - start) / calls;
    if (run > 0) times.push(ns);
  }
  times.sort((a, b) => a - b);
  const median = times[times.length >> 1]!;
  const shown = (ns: number): string => (ns >= 1000 ? `${(ns / 1000).toFixed(1)} µs` : `${ns.toFixed(1)} ns`);
  console.log(`${name.padEnd(62)} ${shown(median).padStart(9)} per call (min ${shown(times[0]!)}, ${calls.toLocaleString('en-US')} calls, sink ${sink % 10})`);
}

// Each scenario has its own loop, so that no call site sees more than one function.
const [low, high] = [monday0800, lunch];
const floor = (now: number): boolean => now >= low && now < high;
measure('floor: a function comparing with two numbers', 10_000_000, () => {
  let n = 0;
  for (let i = 0; i < 10_000_000; i++) if (floor(monday0800 + i)) n++;
  return n;
});
const stretch = compileSchedule(input);
measure('inForce inside the kept stretch (1 ms apart from 08:00)', 10_000_000, () => {
  let n = 0;
  for (let i = 0; i < 10_000_000; i++) if (stretch.inForce(monday0800 + i)) n++;
  return n;
});
const day = compileSchedule(input);
const midnight = Date.UTC(2026, 10, 2);
measure('inForce through a school day (86.4 ms apart, 5 boundaries)', 1_000_000, () => {
  let n = 0;
  for (let i = 0; i < 1_000_000; i++) if (day.inForce(midnight + i * 86.4)) n++;
  return n;
});
const flip = compileSchedule(input);
measure('inForce across a boundary at every call (11:29:59.999, 11:30)', 2_000, () => {
  let n = 0;
  for (let i = 0; i < 2_000; i++) if (flip.inForce(lunch - (i & 1))) n++;
  return n;
});
const holiday = compileSchedule(input);
const lastBell = Date.UTC(2026, 11, 18, 15, 30);
measure('the same before a 17-day holiday (sweeps 18 days)', 2_000, () => {
  let n = 0;
  for (let i = 0; i < 2_000; i++) if (holiday.inForce(lastBell - (i & 1))) n++;
  return n;
});
const plan = { clock: new ZoneClock(input.timeZone), windows: [{ dayMask: 0b0111110, from: 480, to: 690 }, { dayMask: 0b0111110, from: 735, to: 930 }], daysOff: new DaysOff([]) };
measure('baseline: a sweep at every call (nothing kept)', 20_000, () => {
  let n = 0;
  for (let i = 0; i < 20_000; i++) if (sweep(plan, monday0800 + i).inForce) n++;
  return n;
});

// First use of a zone: its offsets are read from Intl, a 32-day chunk at a time, and kept for every schedule.
const everyDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
for (const [name, windows] of [['school hours', input.windows], ['in force all week (sweeps 400 days)', [{ days: everyDay, from: '00:00', to: '24:00' }]]] as const) {
  const costs = ['Europe/Paris', 'Asia/Seoul', 'America/Chicago', 'Pacific/Auckland', 'Europe/Madrid'].map((timeZone) => {
    const fresh = compileSchedule({ name, timeZone: name.startsWith('school') ? timeZone : timeZone.toLowerCase(), windows });
    const start = process.hrtime.bigint();
    fresh.inForce(monday0800);
    return Number(process.hrtime.bigint() - start) / 1e6;
  });
  costs.sort((a, b) => a - b);
  console.log(`${`first inForce in a zone not used before: ${name}`.padEnd(62)} ${costs[2]!.toFixed(2).padStart(6)} ms (median of 5 zones, max ${costs[4]!.toFixed(2)} ms)`);
}

import t from 'tap';
import { appliesAt, compileSchedule, nextChangeOf, scheduleOf, secondsToChangeOf, type ZoneWhen } from '../../src/schedule/index.js';

/** A zone paused for a group (the console's pauses): not in force until the pause ends, then as its rule says. */
const lessons = compileSchedule({ name: 'lessons', timeZone: 'UTC', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '12:00' }] });
const MONDAY_9 = Date.UTC(2026, 5, 1, 9, 0);
const END = MONDAY_9 + 90 * 60_000 + 500; // 10:30:00.5

t.test('paused over "always" and over a schedule', async (t) => {
  const rows: Array<{ name: string; when: ZoneWhen; at: number; applies: boolean; next: number; seconds: number | null }> = [
    { name: 'always, during the pause', when: { pausedUntil: END, then: 'always' }, at: MONDAY_9, applies: false, next: END, seconds: 5400 },
    { name: 'always, at the pause\'s end', when: { pausedUntil: END, then: 'always' }, at: END, applies: true, next: Infinity, seconds: null },
    { name: 'during lessons, paused in a lesson', when: { pausedUntil: END, then: { during: lessons } }, at: MONDAY_9, applies: false, next: END, seconds: 5400 },
    { name: 'during lessons, after the pause, still in the lesson', when: { pausedUntil: END, then: { during: lessons } }, at: END, applies: true, next: Date.UTC(2026, 5, 1, 12, 0), seconds: 5399 },
    { name: 'a pause over "never" changes nothing when it ends', when: { pausedUntil: END, then: 'never' }, at: END + 1, applies: false, next: Infinity, seconds: null },
  ];
  for (const row of rows) {
    t.equal(appliesAt(row.when, row.at), row.applies, `${row.name}: in force`);
    t.equal(nextChangeOf(row.when, row.at), row.next, `${row.name}: next change`);
    t.equal(secondsToChangeOf(row.when, row.at), row.seconds, `${row.name}: TTL cap (rounded down)`);
  }
  t.equal(scheduleOf({ pausedUntil: END, then: { outside: lessons } }), lessons, 'the schedule behind a pause');
  t.equal(scheduleOf({ pausedUntil: END, then: 'always' }), null);
});

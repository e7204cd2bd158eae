import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { compileSchedule, type ScheduleInput } from '../../src/schedule/index.js';

// docs/schedules.md shows admins a config and says what it does: parse its YAML and hold it to its word.
const doc = readFileSync(new URL('../../docs/schedules.md', import.meta.url), 'utf8');
const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
const { schedules } = parse(yaml) as { schedules: Record<string, Omit<ScheduleInput, 'name'>> };
const compiled = Object.fromEntries(Object.entries(schedules).map(([name, input]) => [name, compileSchedule({ name, ...input })]));
const school = compiled['school-hours']!;
const nights = compiled['boarding-nights']!;

// Europe/London is on GMT from November to March: the UTC times below are the local ones.
t.test('school-hours: in at 10:00 on a Monday, out at lunch, in at 12:30; out at weekends and on days off', async (t) => {
  t.same([10, 12, 12.5].map((hour) => school.inForce(Date.UTC(2026, 10, 2) + hour * 3_600_000)), [true, false, true], 'Monday 2 November');
  t.equal(school.inForce(Date.UTC(2026, 10, 7, 10)), false, 'Saturday');
  t.equal(school.inForce(Date.UTC(2026, 9, 27, 10)), false, 'half term, Tuesday 27 October (GMT since the 25th)');
  t.equal(school.inForce(Date.UTC(2026, 11, 21, 10)), false, 'Christmas');
  t.equal(school.inForce(Date.UTC(2027, 4, 3, 9)), false, 'the bank holiday, 10:00 BST');
  t.equal(school.inForce(Date.UTC(2027, 4, 4, 9)), true, 'the day after, 10:00 BST');
});

t.test('boarding-nights: a day off cancels the night that starts on it, not the one running into it', async (t) => {
  t.equal(nights.inForce(Date.UTC(2026, 11, 20, 23)), true, 'Sunday 20 December 23:00, the night before the holiday');
  t.equal(nights.nextChange(Date.UTC(2026, 11, 20, 23)), Date.UTC(2026, 11, 21, 6, 30), 'runs into Monday 21 December until 06:30');
  t.equal(nights.inForce(Date.UTC(2027, 0, 4, 23)), false, 'Monday 4 January, the last day off: no night');
  t.equal(nights.inForce(Date.UTC(2027, 0, 5, 23)), true, 'Tuesday 5 January: back');
  t.equal(nights.inForce(Date.UTC(2026, 10, 6, 23)), false, 'Friday: not in its days');
});

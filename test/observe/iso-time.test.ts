import t from 'tap';
import pino from 'pino';
import { isoTimestamps } from '../../src/observe/iso-time.js';

const expected = (ms: number): string => `,"time":"${new Date(ms).toISOString()}"`;

t.test('writes what pino.stdTimeFunctions.isoTime writes, for times in any order', async (t) => {
  const timestamp = isoTimestamps();
  const times = [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 59_999, 60_000, 1_765_000_000_000, 1_765_000_000_999, 1_765_000_001_000, 1_764_999_999_999, -1, -999, -1000, -1001, 253_402_300_799_999, 253_402_300_800_000, 8.64e15];
  // Random times, each followed by one up to 1.5 s later (the same second or the next).
  for (let i = 0; i < 2000; i++) {
    const ms = Math.floor(Math.random() * 4e12) - 1e12;
    times.push(ms, ms + Math.floor(Math.random() * 1500));
  }
  for (const ms of times) {
    const got = timestamp(ms);
    if (got !== expected(ms)) t.fail(`${ms}: ${got}, expected ${expected(ms)}`);
  }
  t.pass(`${times.length} times`);
  // On the real clock, as pino's own isoTime, read just after it: the same form, and no earlier.
  const [ours, pinos] = [isoTimestamps()(Date.now()), pino.stdTimeFunctions.isoTime()];
  const time = (field: string): number => Date.parse(/^,"time":"(.+)"$/.exec(field)![1]!);
  const apart = time(pinos) - time(ours);
  t.ok(apart >= 0 && apart < 1000, `${ours} then ${pinos}`);
});

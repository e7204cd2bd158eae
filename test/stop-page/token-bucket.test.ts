import t from 'tap';
import { TokenBucket } from '../../src/stop-page/token-bucket.js';

t.test('a full bucket of `burst` tokens, refilled at `perSecond`, never above `burst`, nothing added by a clock that steps back', async (t) => {
  let now = 1_000_000;
  const bucket = new TokenBucket(2, 3, () => now);
  const take = (n: number) => Array.from({ length: n }, () => bucket.take());
  t.same(take(4), [true, true, true, false], 'the burst, then empty');
  now += 499;
  t.same(take(1), [false], '0.998 of a token is not one');
  now += 1;
  t.same(take(2), [true, false], 'half a second at 2 a second: one token');
  now += 60_000;
  t.same(take(4), [true, true, true, false], 'a quiet minute refills to the burst, not beyond');
  now -= 10_000;
  t.same(take(1), [false], 'the clock stepped back: no tokens from it');
  now += 10_500;
  t.same(take(2), [true, false], 'time counts again from the latest reading');
});

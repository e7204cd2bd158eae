import t from 'tap';
import { PrefixBuckets } from '../../../src/server/rate-limit/prefix-buckets.js';
import { prng } from '../../helpers/prng.js';

/** Takes `count` tokens for key k at `now`; how many were allowed. */
function allowed(buckets: PrefixBuckets, k: number, count: number, now: number): number {
  let ok = 0;
  for (let i = 0; i < count; i++) if (buckets.take(k, 0, 0, 0, now) < 0) ok++;
  return ok;
}

t.test('a token bucket: burst at once, then the rate; time refills it up to the burst, never past', async (t) => {
  const buckets = new PrefixBuckets({ ratePerSecond: 100, burst: 50, maxKeys: 64, seed: 1 });
  t.equal(allowed(buckets, 1, 80, 0), 50, 'a new key has the burst');
  t.equal(allowed(buckets, 1, 80, 100), 10, '100 ms at 100/s: 10 more');
  t.equal(allowed(buckets, 1, 80, 10_100), 50, 'ten seconds later: the burst again, not 1,000');
  t.equal(allowed(buckets, 2, 80, 10_100), 50, 'another key has its own bucket');
});

t.test('queries over the limit take nothing: a sender back at the rate is answered in full at once', async (t) => {
  const buckets = new PrefixBuckets({ ratePerSecond: 1000, burst: 1000, maxKeys: 64, seed: 2 });
  let now = 0;
  let answered = 0;
  // Five seconds at 50,000 a second, in 1 ms steps: 1,000 a second get through (plus the first burst).
  for (; now < 5000; now++) answered += allowed(buckets, 7, 50, now);
  t.ok(answered >= 5900 && answered <= 6001, `${answered} of 250,000 answered in 5 s: the burst and 1,000 a second`);
  // Then 1,000 a second exactly (one a millisecond): every one is answered.
  let slowed = 0;
  for (let i = 0; i < 1000; i++) slowed += allowed(buckets, 7, 1, ++now);
  t.equal(slowed, 1000, 'no debt carried over from the flood');
});

t.test('many distinct sources cannot reset a flooder: its bucket stays empty while random keys churn the table', async (t) => {
  const buckets = new PrefixBuckets({ ratePerSecond: 10, burst: 10, maxKeys: 1024, seed: 99 });
  const random = prng(17);
  t.equal(allowed(buckets, 0xc0000200, 20, 0), 10, 'the flooder spends its burst');
  let flooderAnswered = 0;
  for (let i = 0; i < 100_000; i++) {
    buckets.take(Math.floor(random() * 2 ** 32), Math.floor(random() * 2 ** 32), 0, 0, 0);
    if (i % 2 === 0) flooderAnswered += allowed(buckets, 0xc0000200, 1, 0);
  }
  t.equal(flooderAnswered, 0, 'a flooder sending between 100,000 spoofed sources (2 to 1) gets nothing more');
  t.equal(buckets.capacity, 1024, 'and the table is the size it was made');
});

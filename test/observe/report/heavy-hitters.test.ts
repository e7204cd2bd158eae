import t from 'tap';
import { HeavyHitters } from '../../../src/observe/report/heavy-hitters.js';
import { prng } from '../../helpers/prng.js';

const SEED = 4711;

/** A Zipf-like stream (s = 1.1) over `distinct` keys, and its exact counts. */
function skewed(length: number, distinct: number): { stream: string[]; exact: Map<string, number> } {
  const random = prng(SEED);
  const weights = Array.from({ length: distinct }, (_, k) => 1 / (k + 1) ** 1.1);
  const total = weights.reduce((a, b) => a + b);
  const cumulative: number[] = [];
  weights.reduce((sum, w, k) => (cumulative[k] = sum + w / total), 0);
  const stream: string[] = [];
  const exact = new Map<string, number>();
  for (let i = 0; i < length; i++) {
    const r = random();
    let k = cumulative.findIndex((c) => c >= r);
    if (k < 0) k = distinct - 1;
    const key = `name${k}.example`;
    stream.push(key);
    exact.set(key, (exact.get(key) ?? 0) + 1);
  }
  return { stream, exact };
}

t.test(`a skewed stream, 20x more distinct keys than the table holds (seed ${SEED})`, async (t) => {
  const { stream, exact } = skewed(200_000, 20_000);
  const table = new HeavyHitters(1_000);
  for (const key of stream) table.add(key);
  t.equal(table.total, stream.length);
  t.ok(table.overflowed, 'says its counts are estimates');
  t.equal(table.distinct, 1_000, 'never holds more than its capacity');
  const top = table.top(10);
  const trueTop = [...exact].sort((a, b) => b[1] - a[1]).slice(0, 10);
  t.same(top.map((h) => h.key), trueTop.map(([key]) => key), 'finds the true top 10, in order');
  for (const h of top) {
    const truth = exact.get(h.key)!;
    t.ok(h.count >= truth && h.count - h.overcount <= truth, `${h.key}: ${h.count - h.overcount} <= ${truth} <= ${h.count}`);
  }
  // Space-Saving's bound: no count is more than total/capacity too high.
  t.ok(Math.max(...table.top(1_000).map((h) => h.overcount)) <= stream.length / 1_000);
});

t.test('exact while every key fits', async (t) => {
  const { stream, exact } = skewed(20_000, 500);
  const table = new HeavyHitters(500);
  for (const key of stream) table.add(key);
  t.notOk(table.overflowed);
  t.equal(table.distinct, exact.size);
  t.same(
    table.top(500).map((h) => [h.key, h.count, h.overcount]),
    [...exact].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([key, count]) => [key, count, 0]),
  );
});

t.test('a new key replaces the least counted one and inherits its count', async (t) => {
  const table = new HeavyHitters(2);
  for (const key of ['a', 'a', 'a', 'b', 'c']) table.add(key);
  t.same(table.top(2), [{ key: 'a', count: 3, overcount: 0 }, { key: 'c', count: 2, overcount: 1 }]);
  t.throws(() => new HeavyHitters(0), /capacity must be a positive integer, got 0/);
});

import t from 'tap';
import { Slots } from '../../src/upstream/slots.js';

t.test('holds what was added until it is deleted, and reuses freed slots', async (t) => {
  const slots = new Slots<string>();
  const a = slots.add('a');
  const b = slots.add('b');
  const c = slots.add('c');
  t.same(slots.values(), ['a', 'b', 'c']);
  slots.delete(b);
  t.same(slots.values(), ['a', 'c']);
  const d = slots.add('d');
  t.equal(d, b, 'the freed slot is taken again, so the array does not grow with churn');
  t.same(slots.values(), ['a', 'd', 'c']);
  slots.delete(a);
  slots.delete(c);
  slots.delete(d);
  t.same(slots.values(), []);
});

t.test('a slot freed and taken again holds only the new item', async (t) => {
  const slots = new Slots<number>();
  for (let round = 0; round < 1000; round++) slots.delete(slots.add(round));
  t.same(slots.values(), []);
  const kept = slots.add(7);
  t.equal(kept, 0, 'a thousand add/delete pairs used one slot');
  t.same(slots.values(), [7]);
});

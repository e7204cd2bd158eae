// The bound on answers a worker sends the main thread for the block log (server/hit-backlog.ts): past the limit
// they are dropped and counted, and room comes back as the main thread handles them.
import t from 'tap';
import { HitBacklog } from '../../src/server/hit-backlog.js';

t.test('admits up to the limit, then drops and counts; handled records make room again', async (t) => {
  const main = new HitBacklog();
  const worker = new HitBacklog(main.words);
  const admitted = Array.from({ length: 7 }, () => worker.admit(5));
  t.same(admitted, [true, true, true, true, true, false, false], 'five wait, two are dropped');
  t.equal(main.waiting, 5);
  t.equal(main.dropped, 2, 'the drops are counted where the main thread reads them');
  main.handled(3);
  t.equal(main.waiting, 2);
  t.same([worker.admit(5), worker.admit(5), worker.admit(5), worker.admit(5)], [true, true, true, false], 'room for three again');
  t.equal(main.dropped, 3);
});

t.test('a replacement worker starts from none waiting; its predecessor\'s late records never take it below 0', async (t) => {
  const backlog = new HitBacklog();
  for (let i = 0; i < 4; i++) backlog.admit(10);
  backlog.reset();
  t.equal(backlog.waiting, 0);
  backlog.handled(4);
  t.equal(backlog.waiting, 0, 'the dead worker\'s four records, handled after the reset');
  t.equal(backlog.admit(1), true);
  t.equal(backlog.admit(1), false, 'the limit still holds');
});

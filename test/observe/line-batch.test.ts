import t from 'tap';
import { LineBatch, linesIn, type BatchDestination } from '../../src/observe/line-batch.js';

/** A destination that keeps what it is handed; its flush calls back on the next turn, as a write finishing would. */
function keeper(): BatchDestination & { writes: string[] } {
  const writes: string[] = [];
  return { writes, write: (data) => writes.push(data) > 0, flush: (callback) => setImmediate(callback) };
}

t.test('lines are handed on whole, in order, in writes of at most maxBytes bytes (UTF-8), to every destination', async (t) => {
  const a = keeper();
  const b = keeper();
  const batch = new LineBatch([a, b], 100, 60_000);
  t.teardown(() => batch.stop());
  const lines = Array.from({ length: 200 }, (_, i) => `{"n":${i},"list":"${'é'.repeat(i % 23)}"}\n`);
  for (const line of lines) batch.write(line);
  await new Promise<void>((resolve) => batch.flush(resolve));
  t.equal(a.writes.join(''), lines.join(''), 'everything, in order');
  t.same(b.writes, a.writes, 'the same writes to each destination');
  t.ok(a.writes.length > 10, `${a.writes.length} writes`);
  const sizes = a.writes.map((write) => Buffer.byteLength(write));
  t.ok(Math.max(...sizes) <= 100, `writes of ${Math.min(...sizes)}-${Math.max(...sizes)} bytes (UTF-8), at most 100`);
  t.ok(a.writes.some((write) => Buffer.byteLength(write) > write.length), 'bytes, not characters, were counted where they differ');
  t.ok(a.writes.every((write) => write.endsWith('\n') && write.split('\n').slice(0, -1).every((line) => lines.includes(`${line}\n`))), 'whole lines');
  t.equal(a.writes.reduce((n, write) => n + linesIn(write), 0), 200, 'linesIn counts them');
});

t.test('a line longer than maxBytes is handed on alone; flush hands on the rest and waits for every destination', async (t) => {
  const a = keeper();
  const batch = new LineBatch([a], 10, 60_000);
  t.teardown(() => batch.stop());
  batch.write('short\n');
  batch.write('a line of more than ten bytes\n');
  t.same(a.writes, ['short\n'], 'what was gathered is handed on before the long line');
  batch.write('x\n');
  t.same(a.writes, ['short\n', 'a line of more than ten bytes\n'], 'the long line alone');
  let flushed = false;
  batch.flush(() => (flushed = true));
  t.same(a.writes, ['short\n', 'a line of more than ten bytes\n', 'x\n'], 'flush hands on the rest');
  t.notOk(flushed, 'called back only once the destination has written');
  await new Promise((resolve) => setImmediate(resolve));
  t.ok(flushed);
});

t.test('a lone line is handed on by the timer, without a flush', async (t) => {
  let handed!: (data: string) => void;
  const written = new Promise<string>((resolve) => (handed = resolve));
  const batch = new LineBatch([{ write: (data) => (handed(data), true), flush: (callback) => callback() }], 4096, 5);
  t.teardown(() => batch.stop());
  // The batch's timer does not hold the process open (a server's sockets do): this test's guard does.
  const guard = setTimeout(() => t.fail('not handed on within 10 s'), 10_000);
  batch.write('lone\n');
  t.equal(await written, 'lone\n');
  clearTimeout(guard);
});

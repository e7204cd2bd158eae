import { EventEmitter } from 'node:events';
import t from 'tap';
import { LineBatch, linesIn, type BatchDestination } from '../../src/observe/line-batch.js';

/**
 * A destination that keeps what it is handed, as SonicBoom does: its flush calls back on the next turn, as a write
 * finishing would; with `room`, it drops (emitting 'drop') what would take it past that many bytes not yet written,
 * and `written(n)` says n bytes went out.
 */
function keeper(room = Number.POSITIVE_INFINITY): BatchDestination & { writes: string[]; written(bytes: number): void } {
  const events = new EventEmitter();
  const writes: string[] = [];
  let unwritten = 0;
  return {
    writes,
    write: (data) => {
      const bytes = Buffer.byteLength(data);
      if (unwritten + bytes > room) return events.emit('drop', data);
      unwritten += bytes;
      return writes.push(data) > 0;
    },
    flush: (callback) => setImmediate(callback),
    on: (event: string, listener: (value: never) => void) => events.on(event, listener as (...args: unknown[]) => void),
    written: (bytes) => {
      unwritten -= bytes;
      events.emit('write', bytes);
    },
  };
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
  const batch = new LineBatch([{ write: (data) => (handed(data), true), flush: (callback) => callback(), on: () => undefined }], 4096, 5);
  t.teardown(() => batch.stop());
  // The batch's timer does not hold the process open (a server's sockets do): this test's guard does.
  const guard = setTimeout(() => t.fail('not handed on within 10 s'), 10_000);
  batch.write('lone\n');
  t.equal(await written, 'lone\n');
  clearTimeout(guard);
});

t.test('hasRoom: false once no destination could keep another line, true again as they write', async (t) => {
  const slow = keeper(100);
  const batch = new LineBatch([slow], 40, 60_000, 100);
  t.teardown(() => batch.stop());
  const line = `${'x'.repeat(19)}\n`; // 20 bytes
  t.ok(batch.hasRoom(20), 'room at first');
  for (let i = 0; i < 4; i++) batch.write(line); // two batches of 40 bytes handed on, 40 gathered
  t.same(slow.writes.length, 1, 'one batch handed on, the second gathered');
  batch.write(line); // hands on the second: 80 bytes unwritten, 20 gathered
  t.notOk(batch.hasRoom(1), '80 unwritten and 20 gathered: the 100 bytes of room are taken');
  slow.written(40);
  t.ok(batch.hasRoom(40), 'the destination wrote 40 bytes: room for 40 again');
  t.notOk(batch.hasRoom(41), 'not for 41');
  // A batch the destination drops is not counted as waiting in it.
  const full = keeper(10);
  const dropping = new LineBatch([full], 40, 60_000, 100);
  t.teardown(() => dropping.stop());
  for (let i = 0; i < 10; i++) dropping.write(line);
  dropping.flush();
  t.same(full.writes, [], 'every batch dropped');
  t.ok(dropping.hasRoom(100), 'and none counted as waiting');
  // With two destinations, room in either is room.
  const both = new LineBatch([keeper(100), keeper(0)], 40, 60_000, 100);
  t.teardown(() => both.stop());
  t.ok(both.hasRoom(20));
});

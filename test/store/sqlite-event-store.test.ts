// The SQLite event store on a real file: batches, the queue's bound, retention with a moved clock, and a file
// that is damaged or locked by another program (reported, retried, nothing thrown at the caller).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import t from 'tap';
import { StoreUnavailableError } from '../../src/store/event-store.js';
import { SqliteEventStore } from '../../src/store/sqlite-event-store.js';
import { openTestStore, storedEvent, testDir } from '../helpers/event-store.js';
import { ManualTimers } from '../helpers/manual-timers.js';

const DAY = 86_400_000;

t.test('events are handed over in chunks of batchLimit and written in transactions of transactionEvents, or flushMs after the first at the latest', async (t) => {
  const timers = new ManualTimers();
  const transactions: number[] = [];
  let written: () => void = () => {};
  const store = await openTestStore(t, { batchLimit: 4, transactionEvents: 8, flushMs: 100, timers, onTransaction: (count) => (transactions.push(count), written()) });
  const waitTransaction = () => new Promise<void>((resolve) => (written = resolve));

  store.record(storedEvent({ ref: 'AAAAAAA1' }));
  t.equal(store.stats.queued, 1, 'one event waits');
  t.equal(timers.pending, 1, 'a write is due flushMs after the first event');
  const first = waitTransaction();
  timers.advance(99);
  t.same(transactions, [], 'not written before flushMs');
  timers.advance(1);
  await first;
  t.same(transactions, [1], 'written once flushMs passed');

  const full = waitTransaction();
  for (let i = 0; i < 10; i++) store.record(storedEvent({ ref: `BBBBBBB${i}` }));
  await full;
  t.same(transactions, [1, 8], 'eight events, two chunks of four, go in one transaction at once, without waiting for the timer');
  t.equal(store.stats.queued, 2, 'the other two wait');
  await store.flushed();
  t.same(transactions, [1, 8, 2], 'flushed() writes what waits');
  t.same(store.stats, { written: 11, dropped: 0, queued: 0, failing: null });

  // A burst: the writing thread holds at most twice transactionEvents, the rest waits here.
  for (let i = 0; i < 40; i++) store.record(storedEvent({ ref: `CCCCCC${String(i).padStart(2, '0')}` }));
  await store.flushed();
  const burst = transactions.slice(3);
  t.equal(burst.reduce((sum, n) => sum + n, 0), 40, 'all forty written');
  t.ok(burst.every((n) => n <= 16), `no transaction above 16 events (${burst.join(', ')})`);
  t.ok(burst.some((n) => n > 8), `a commit takes every chunk handed over meanwhile (${burst.join(', ')})`);
  t.equal(store.search({ limit: 500 }).events.length, 51, 'all fifty-one are in the file');
});

t.test('past queueLimit events are dropped and counted, never thrown, and the ones kept are written', async (t) => {
  const store = await openTestStore(t, { queueLimit: 5 });
  for (let i = 0; i < 20; i++) store.record(storedEvent({ ref: `CCCCCC${String(i).padStart(2, '0')}` }));
  t.same(store.stats, { written: 0, dropped: 15, queued: 5, failing: null }, 'five wait, fifteen dropped');
  await store.flushed();
  t.same(store.stats, { written: 5, dropped: 15, queued: 0, failing: null });
  t.same(store.search({}).events.map((e) => e.ref).sort(), ['CCCCCC00', 'CCCCCC01', 'CCCCCC02', 'CCCCCC03', 'CCCCCC04'], 'the first five, the ones the queue held');
});

t.test('an event whose values SQLite refuses is dropped and counted alone: the others of its transaction are written', async (t) => {
  const warnings: Array<{ events: number; reason: string }> = [];
  const log = { warn: (fields: { events: number; reason: string }) => warnings.push(fields) } as unknown as Logger;
  const dir = testDir(t);
  const file = join(dir, 'events.sqlite');
  const store = new SqliteEventStore({ file, retentionDays: 90, queueLimit: 100, retentionEveryMs: 0, flushMs: 3_600_000, log });
  t.teardown(() => store.close());
  await store.ready;
  // Another connection makes SQLite refuse one name, as a constraint would (SQLITE_CONSTRAINT).
  const other = new DatabaseSync(file);
  other.exec("CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.qname = 'refused.example' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
  other.close();

  const names = ['one.example', 'refused.example', 'two.example', 'three.example'];
  for (const qname of names) store.record(storedEvent({ qname, ref: `GGGG${qname.slice(0, 4).toUpperCase()}` }));
  await store.flushed();
  t.same(store.stats, { written: 3, dropped: 1, queued: 0, failing: null }, 'three written, the refused one dropped and counted');
  t.same(store.search({}).events.map((e) => e.qname).sort(), ['one.example', 'three.example', 'two.example'], 'the other three are in the file');
  t.equal(warnings.length, 1, 'one warning for the commit');
  t.equal(warnings[0]?.events, 1, 'it counts the one event');
  t.match(warnings[0]?.reason, /refused by the test/, "it gives SQLite's reason");

  store.record(storedEvent({ qname: 'four.example', ref: 'GGGGFOUR' }));
  await store.flushed();
  t.same(store.stats, { written: 4, dropped: 1, queued: 0, failing: null }, 'the next transaction is written as usual');
});

t.test('close writes what waits; events recorded after close are dropped', async (t) => {
  const dir = testDir(t);
  const file = join(dir, 'events.sqlite');
  const store = new SqliteEventStore({ file, retentionDays: 90, queueLimit: 100, retentionEveryMs: 0, flushMs: 3_600_000 });
  await store.ready;
  for (let i = 0; i < 7; i++) store.record(storedEvent({ time: Date.UTC(2026, 0, 1) + i }));
  await store.close();
  store.record(storedEvent());
  t.same(store.stats, { written: 7, dropped: 1, queued: 0, failing: null });
  const again = new SqliteEventStore({ file, retentionDays: 90, queueLimit: 100, retentionEveryMs: 0 });
  t.teardown(() => again.close());
  await again.ready;
  t.equal(again.search({}).events.length, 7, 'a new store on the same file reads them');
});

t.test('retention deletes events older than retentionDays in batches, with their counts and names', async (t) => {
  let now = Date.UTC(2026, 5, 1, 12);
  const store = await openTestStore(t, { retentionDays: 90, retentionTransaction: 2, now: () => now });
  const ages = [100, 95, 91, 90.5, 89, 30, 1];
  for (const [i, age] of ages.entries()) store.record(storedEvent({ time: now - age * DAY, qname: `age${age}.example`, client: `192.0.2.${i}`, ref: `DDDDDDD${i}` }));
  await store.flushed();
  t.same(await store.retain(), { deleted: 4, batches: 2 }, 'four events past 90 days, two a batch');
  t.same(store.search({}).events.map((e) => e.qname), ['age1.example', 'age30.example', 'age89.example'], 'the others stay');
  const db = new DatabaseSync(store.file, { readOnly: true });
  t.teardown(() => db.close());
  const left = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
  t.equal(left(`SELECT count(*) AS n FROM hourly WHERE hour < ${Math.floor((now - 90 * DAY) / 3_600_000)}`), 0, 'no hourly count older than 90 days');
  t.equal(left("SELECT count(*) AS n FROM hourly WHERE key IN ('192.0.2.0', '192.0.2.1', '192.0.2.2', '192.0.2.3')"), 0, 'the deleted events\' clients are gone from the counts too');
  t.equal(left("SELECT count(*) AS n FROM names WHERE name LIKE 'age9%'"), 0, 'and their names from the name list');
  t.equal(left('SELECT count(*) AS n FROM names'), 3);

  now += 2 * DAY;
  t.same(await store.retain(), { deleted: 1, batches: 1 }, 'two days on, the 89-day-old event is past 90 days');
  t.same(await store.retain(), { deleted: 0, batches: 0 }, 'nothing more');
});

t.test('a damaged file is reported, nothing is thrown at callers, events wait, and a new file is started once it is moved aside', async (t) => {
  const dir = testDir(t);
  const file = join(dir, 'events.sqlite');
  writeFileSync(file, Buffer.alloc(8192, 'not a database, just bytes '));
  const store = new SqliteEventStore({ file, retentionDays: 90, queueLimit: 3, retentionEveryMs: 0, retryMs: 3_600_000 });
  t.teardown(() => store.close());
  await store.ready;
  t.match(store.stats.failing, `${file}: not an SQLite database, or damaged (SQLite: file is not a database); move it`);
  for (let i = 0; i < 5; i++) store.record(storedEvent({ ref: `EEEEEEE${i}` }));
  await store.flushed();
  t.same({ ...store.stats, failing: 'set' }, { written: 0, dropped: 2, queued: 3, failing: 'set' }, 'three wait (the queue bound), two dropped');
  t.throws(() => store.search({}), StoreUnavailableError, 'search says the store is unavailable');
  t.throws(() => store.dashboard(Date.now()), /not an SQLite database/);
  t.throws(() => store.csv({}), { name: 'StoreUnavailableError', statusCode: 503 }, 'the CSV export throws at once, before any line (an HTTP API answers 503)');

  renameSync(file, `${file}.damaged`);
  t.equal(await store.retry(), null, 'moved aside: a new file is started');
  await store.flushed();
  t.same(store.stats, { written: 3, dropped: 2, queued: 0, failing: null }, 'what waited is written');
  t.same(store.search({}).events.map((e) => e.ref).sort(), ['EEEEEEE0', 'EEEEEEE1', 'EEEEEEE2']);
});

t.test('a file locked by another program is reported and written once the lock goes', async (t) => {
  const dir = testDir(t);
  const file = join(dir, 'events.sqlite');
  // Another process takes the file and holds an exclusive lock until its stdin closes.
  const holder = spawn(
    process.execPath,
    ['-e', `const { DatabaseSync } = require('node:sqlite'); const db = new DatabaseSync(${JSON.stringify(file)}); db.exec('PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; CREATE TABLE held (x)'); console.log('locked'); process.stdin.on('end', () => { db.exec('COMMIT'); db.close(); process.exit(0); }); process.stdin.resume();`],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  t.teardown(() => holder.kill());
  const [line] = (await once(createInterface({ input: holder.stdout! }), 'line')) as [string];
  t.equal(line, 'locked', 'the other program holds the lock');

  const store = new SqliteEventStore({ file, retentionDays: 90, queueLimit: 100, retentionEveryMs: 0, retryMs: 3_600_000, busyMs: 50 });
  t.teardown(() => store.close());
  await store.ready;
  t.match(store.stats.failing, `${file}: locked by another program (SQLite: database is locked)`);
  store.record(storedEvent({ ref: 'FFFFFFF1' }));
  t.doesNotThrow(() => store.record(storedEvent({ ref: 'FFFFFFF2' })), 'recording never throws');
  t.throws(() => store.search({}), StoreUnavailableError);

  holder.stdin!.end();
  await once(holder, 'exit');
  t.equal(await store.retry(), null, 'the lock is gone: the file opens');
  await store.flushed();
  t.same(store.stats, { written: 2, dropped: 0, queued: 0, failing: null }, 'nothing was lost below the queue bound');
  t.same(store.search({}).events.map((e) => e.ref), ['FFFFFFF2', 'FFFFFFF1']);
});

t.test('a file written by a newer Stopzone is left alone and reported', async (t) => {
  const dir = testDir(t);
  const file = join(dir, 'events.sqlite');
  const db = new DatabaseSync(file);
  db.exec('PRAGMA user_version = 99');
  db.close();
  const store = new SqliteEventStore({ file, retentionDays: 90, queueLimit: 100, retentionEveryMs: 0, retryMs: 3_600_000 });
  t.teardown(() => store.close());
  await store.ready;
  t.match(store.stats.failing, `${file}: written by a newer Stopzone (layout 99; this one knows 1)`);
});

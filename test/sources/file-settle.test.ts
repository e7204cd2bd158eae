import { appendFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readSettled, type SettleOptions } from '../../src/sources/file-settle.js';
import { ManualClock } from '../helpers/manual-clock.js';

/** readSettled on its own: a real file, a clock the test moves. */
const SETTLE = 1000;

function fixture(text: string | null) {
  const path = join(mkdtempSync(join(tmpdir(), 'stopzone-settle-')), 'zone.rpz');
  if (text !== null) writeFileSync(path, text);
  const clock = new ManualClock(Date.now());
  const retries: string[] = [];
  const options: SettleOptions = { settleMs: SETTLE, maxWaitMs: 10 * SETTLE, clock, onRetry: (reason) => retries.push(reason) };
  return { path, clock, options, retries };
}

t.test('a file that changes while it is read is read again once it settles', async (t) => {
  const { path, clock, options, retries } = fixture('first\n');
  const reads: string[] = [];
  const reading = readSettled(path, options, false, async (look) => {
    reads.push(String(look?.size));
    if (reads.length === 1) appendFileSync(path, 'more\n'); // the writer goes on while the file is read
    return reads.length;
  }, () => false);
  await clock.waited();
  clock.advance(SETTLE); // two looks agree: read (and the writer appends)
  await clock.waited();
  clock.advance(SETTLE); // two looks agree again: read again
  t.equal(await reading, 2, 'the second read is the one taken');
  t.same(reads, ['6', '11'], 'each read saw the size of the file it read');
  t.same(retries, ['it changed while it was read']);
});

t.test('a file whose mtime is old counts as settled at once only when its age is trusted (start-up, SIGHUP)', async (t) => {
  const { path, clock, options } = fixture('old\n');
  const old = new Date(clock.now() - 10 * SETTLE);
  utimesSync(path, old, old);
  t.equal(await readSettled(path, options, true, async () => 'read', () => false), 'read', 'trusted: read without waiting');
  const event = readSettled(path, options, false, async () => 'read after two looks', () => false);
  await clock.waited();
  clock.advance(SETTLE);
  t.equal(await event, 'read after two looks', 'after a file event the age is not trusted');
});

t.test('a missing file must stay missing for one settle interval (editors delete, then write)', async (t) => {
  const { path, clock, options } = fixture(null);
  const reading = readSettled(path, options, true, async (look) => (look === null ? 'missing' : `found ${look.size} bytes`), () => false);
  await clock.waited();
  writeFileSync(path, 'saved\n');
  clock.advance(SETTLE); // the file appeared: not settled yet
  await clock.waited();
  clock.advance(SETTLE);
  t.equal(await reading, 'found 6 bytes');
});

t.test('a read that asks for a recheck is dropped when the file changes within one more interval', async (t) => {
  const { path, clock, options, retries } = fixture('prefix\n');
  let reads = 0;
  const reading = readSettled(path, options, false, async () => ++reads, (n) => n === 1);
  await clock.waited();
  clock.advance(SETTLE); // read 1: asks for a recheck
  await clock.waited();
  appendFileSync(path, 'rest\n');
  clock.advance(SETTLE); // changed: dropped
  await clock.waited();
  clock.advance(SETTLE); // read 2: taken
  t.equal(await reading, 2);
  t.same(retries, [`it changed again within ${SETTLE} ms of a read that found fewer rules than the version in force`]);
});

t.test('a file that never stops changing is given up after maxWaitMs', async (t) => {
  const { path, clock, options } = fixture('a\n');
  const reading = readSettled(path, options, false, async () => 'read', () => false);
  let settled = false;
  void reading.catch(() => (settled = true));
  for (let i = 0; i < 12 && !settled; i++) {
    await Promise.race([clock.waited(), reading.catch(() => undefined)]);
    appendFileSync(path, 'a\n');
    clock.advance(SETTLE);
  }
  await t.rejects(reading, { message: /zone\.rpz was still changing after 10 s; not read/ });
  rmSync(path);
});

import fs, { mkdtempSync, readdirSync, readFileSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { edeOption } from '../../src/dns/ede.js';
import { parseConfig } from '../../src/config/load-config.js';
import { BlockLog } from '../../src/observe/block-log.js';
import { loadPolicyZoneText } from '../../src/rpz/load-zone.js';
import { PolicySet } from '../../src/rpz/policy-set.js';
import type { Answer, Query } from '../../src/model/query.js';

t.test('destination "file": events land in the rotated file (pino-roll) and are flushed on close', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-blocklog-'));
  const config = parseConfig(`upstreams: ["127.0.0.1:53"]\nblockLog: { destination: file, file: ${join(dir, 'blocks.log')} }\n`, {}, 'test');
  const log = await BlockLog.open(config.blockLog, Buffer.from('k'));
  const { query, answer } = await sampleHit();
  for (let i = 0; i < 3; i++) log.record(query, answer, 15);
  await log.close();
  const files = readdirSync(dir).filter((f) => f.startsWith('blocks'));
  t.ok(files.length >= 1, `written: ${files.join(', ')}`);
  const lines = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== ''));
  t.equal(lines.length, 3);
  t.match(JSON.parse(lines[0]!), { msg: 'blocked', client: '192.0.2.7', zone: 'file.rpz', rule: 'bad.example.file.rpz', ede: 15 });
});

t.test('destination "file": events coming one per query are written in batches of a few KiB, and a lone one without waiting for close', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-blocklog-'));
  const config = parseConfig(`upstreams: ["127.0.0.1:53"]\nblockLog: { destination: file, file: ${join(dir, 'blocks.log')} }\n`, {}, 'test');
  const log = await BlockLog.open(config.blockLog, Buffer.from('k'));
  const { query, answer } = await sampleHit();
  const lines = (): string[] => readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== ''));

  // Each write is a trip through libuv's thread pool (see MIN_WRITE_BYTES in block-log.ts): count them.
  const write = fs.write;
  let writes = 0;
  fs.write = ((...args: Parameters<typeof fs.write>) => {
    writes++;
    return (write as (...a: unknown[]) => void)(...args);
  }) as typeof fs.write;
  t.teardown(() => {
    fs.write = write;
  });
  // One event per turn of the event loop, as queries bring them: a write can finish between two of them.
  for (let i = 0; i < 200; i++) {
    log.record(query, answer, 15);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await linesReach(dir, lines, 200);
  t.ok(writes <= 40, `200 events (about 70 KiB) in ${writes} writes of 2-4 KiB, not one each`);

  log.record(query, answer, 15);
  await linesReach(dir, lines, 201);
  t.equal(lines().length, 201, 'a lone event is written without close');
  await log.close();
});

t.test('destination "file": a burst beyond bufferEvents drops whole lines and counts each one; nothing else is lost', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-blocklog-'));
  const config = parseConfig(`upstreams: ["127.0.0.1:53"]\nblockLog: { destination: file, file: ${join(dir, 'blocks.log')}, bufferEvents: 100 }\n`, {}, 'test');
  const log = await BlockLog.open(config.blockLog, Buffer.from('k'));
  const { query, answer } = await sampleHit();
  // In one turn of the event loop: no write can finish, so what does not fit in 100 events' room is dropped.
  for (let i = 0; i < 2000; i++) log.record(query, answer, 15);
  await log.close();
  const lines = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== ''));
  t.ok(log.dropped > 0, `${log.dropped} dropped`);
  t.ok(lines.length >= 100, `${lines.length} written: at least the room of bufferEvents`);
  t.equal(lines.length + log.dropped, 2000, 'every event is written or counted as dropped');
  t.ok(lines.every((line) => JSON.parse(line).qname === 'bad.example'), 'each written line whole');
});

t.test('destination "file" that cannot be written (a full disk): reported once, never thrown, and close still ends', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-blocklog-'));
  // pino-roll writes blocks.1.log first: here it is /dev/full, where every write fails with ENOSPC, as on a full disk.
  fs.symlinkSync('/dev/full', join(dir, 'blocks.1.log'));
  const config = parseConfig(`upstreams: ["127.0.0.1:53"]\nblockLog: { destination: file, file: ${join(dir, 'blocks.log')} }\n`, {}, 'test');
  const reports: Array<{ level: string; fields: object; message: string }> = [];
  let reported!: () => void;
  const failed = new Promise<void>((resolve) => (reported = resolve));
  const processLog = {
    error: (fields: object, message: string) => {
      reports.push({ level: 'error', fields, message });
      reported();
    },
    info: (fields: object, message: string) => reports.push({ level: 'info', fields, message }),
  };
  const log = await BlockLog.open(config.blockLog, Buffer.from('k'), undefined, undefined, processLog as never);
  const { query, answer } = await sampleHit();
  log.record(query, answer, 15);
  await log.flush();
  await failed;
  // More events, and more failed writes: still one report, and nothing thrown (an 'error' with no listener would end the process).
  for (let i = 0; i < 20; i++) {
    log.record(query, answer, 15);
    await log.flush();
  }
  t.equal(reports.length, 1, 'one report while it fails');
  t.match(reports[0], { level: 'error', fields: { destination: join(dir, 'blocks.log'), reason: /ENOSPC/ }, message: /cannot write/ });
  await log.close();
  t.pass('close ended');
});

/** Resolves once the directory's files hold `count` lines (watched, not polled); fails after 10 s. */
function linesReach(dir: string, lines: () => string[], count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const watcher = watch(dir);
    const timer = setTimeout(() => finish(new Error(`${lines().length} lines of ${count} after 10 s`)), 10_000);
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      watcher.close();
      if (error === undefined) resolve();
      else reject(error);
    };
    const check = (): void => {
      if (lines().length >= count) finish();
    };
    watcher.on('change', check);
    check();
  });
}

async function sampleHit(): Promise<{ query: Query; answer: Answer }> {
  const zone = await loadPolicyZoneText('$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\nbad.example CNAME .\n', 'file.rpz');
  const set = new PolicySet([{ zone, settings: { policy: 'given', maxPolicyTtl: 5, breakDnssec: false, logName: 'file list', ede: { code: 15 }, log: true } }]);
  const hit = set.beforeResolution('bad.example', null).hit!;
  const query = { client: { address: '192.0.2.7', port: 1 }, question: { name: 'bad.example', lname: 'bad.example', type: 1, class: 1 }, listener: 'test', transport: 'udp' } as unknown as Query;
  return { query, answer: { message: Buffer.alloc(12), source: 'policy', rcode: 3, policy: hit } };
}

t.test('edeOption: code, length, INFO-CODE, UTF-8 text, bounded', async (t) => {
  const option = edeOption(16, 'Blocked by Liste nationale é');
  t.equal(option.readUInt16BE(0), 15, 'option code 15');
  t.equal(option.readUInt16BE(2), option.length - 4, 'option length');
  t.equal(option.readUInt16BE(4), 16, 'INFO-CODE');
  t.equal(option.subarray(6).toString('utf8'), 'Blocked by Liste nationale é');
  const long = edeOption(15, 'é'.repeat(300));
  t.ok(long.length - 6 <= 200, 'EXTRA-TEXT at most 200 bytes');
  t.notMatch(long.subarray(6).toString('utf8'), /\uFFFD/, 'not cut inside a character');
});

t.test('destination "file": rotated at rotateSize, keeping keepFiles old files besides the current one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-blocklog-'));
  const config = parseConfig(`upstreams: ["127.0.0.1:53"]\nblockLog: { destination: file, file: ${join(dir, 'blocks.log')}, rotateSize: 4k, keepFiles: 2 }\n`, {}, 'test');
  const log = await BlockLog.open(config.blockLog, Buffer.from('k'));
  const { query, answer } = await sampleHit();
  // About 300 bytes an event: 200 events are some 60 KiB, fifteen 4 KiB files' worth, recorded in ten bursts of
  // about 6 KiB, each written out before the next. pino-roll rolls only once its buffer has drained: under one
  // long burst a file overshoots rotateSize (45 KiB against 4 KiB seen), which this test does not assert.
  for (let burst = 0; burst < 10; burst++) {
    for (let i = 0; i < 20; i++) log.record(query, answer, 15);
    await log.flush();
  }
  await log.close();
  const files = readdirSync(dir).filter((f) => f.startsWith('blocks'));
  const sizes = files.map((f) => fs.statSync(join(dir, f)).size);
  t.ok(files.length > 1, `rotated: ${files.join(', ')}`);
  t.ok(files.length <= 3, `at most keepFiles (2) old files and the current one: ${files.join(', ')}`);
  const lines = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== ''));
  t.ok(lines.length > 0 && lines.length <= 200, `${lines.length} of 200 events in the files kept`);
  // Every line a whole event: none torn across a rotation.
  const whole = (line: string): boolean => {
    try {
      return (JSON.parse(line) as { msg?: string }).msg === 'blocked';
    } catch {
      return false;
    }
  };
  t.same(lines.filter((line) => !whole(line)), [], 'no torn or foreign lines');
  // Each burst passes rotateSize, so each is followed by a roll: the newest file's number counts them.
  const newest = Math.max(...files.map((f) => Number(/^blocks\.(\d+)\.log$/.exec(f)?.[1] ?? 0)));
  t.ok(newest >= 5, `rolled once a burst: the newest file is blocks.${newest}.log (${sizes.join(', ')} bytes)`);
});

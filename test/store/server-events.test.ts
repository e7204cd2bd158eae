// End to end: real UDP and TCP queries to a running Stopzone get blocked, and their events appear in the store,
// findable by the reference code the block log (and the stop page) gives; with the store's file damaged or
// locked, the server still answers every query and says what is wrong.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t, { type Test } from 'tap';
import { answerData, askTcp, askUdp } from '../helpers/dns-client.js';
import { testDir } from '../helpers/event-store.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { metricValue, startTestServer, testConfig, type TestServer } from '../helpers/stopzone.js';

async function setup(t: Test, store: string, extra = ''): Promise<{ server: TestServer; dir: string }> {
  const dir = testDir(t, 'stopzone-store-e2e-');
  writeFileSync(join(dir, 'school.rpz'), '$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\ngames.example CNAME .\n*.video.example CNAME .\nok.example CNAME rpz-passthru.\n');
  const upstream = await startFakeUpstream({ records: { 'open.example': [{ type: 'A', ttl: 60, data: '192.0.2.8' }], 'ok.example': [{ type: 'A', ttl: 60, data: '192.0.2.9' }] } });
  const yaml = testConfig(
    [upstream.hostPort],
    `state: { dir: ${JSON.stringify(dir)} }
store: ${store}
policy:
  zones:
    - { name: school.rpz, file: ${JSON.stringify(join(dir, 'school.rpz'))}, logName: "School policy" }
${extra}`,
    'info',
  );
  const server = await startTestServer(yaml);
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  return { server, dir };
}

t.test('blocked queries over UDP and TCP are in the store, found by their reference code', async (t) => {
  const { server, dir } = await setup(t, '{}');
  const store = server.server.store!;
  t.equal(store.file, join(dir, 'events.sqlite'), 'the file is events.sqlite in state.dir');
  await store.ready;
  t.equal(store.stats.failing, null);
  t.equal((await askUdp(server.target, 'Games.Example')).packet.rcode, 'NXDOMAIN');
  t.equal((await askTcp(server.target, 'clip.video.example', { type: 'AAAA' })).packet.rcode, 'NXDOMAIN');
  t.same(answerData(await askUdp(server.target, 'ok.example')), ['192.0.2.9'], 'an allowed name (PASSTHRU)');
  t.same(answerData(await askUdp(server.target, 'open.example')), ['192.0.2.8'], 'a name no rule names');
  await server.server.blockLog.flush();
  await store.flushed();

  const lines = server.blockEvents;
  // Sorted: across workers, events reach the one writer in no set order.
  t.same(lines.map((line) => line.msg).sort(), ['blocked', 'blocked', 'passthru'], 'the block log has the two blocks and the PASSTHRU hit');
  for (const line of lines) {
    const page = store.search({ ref: String(line.ref) });
    t.equal(page.events.length, 1, `the block of ${line.qname} is found by its code ${line.ref}`);
    const { id, time, ...event } = page.events[0]!;
    t.ok(id > 0 && Math.abs(time - Date.parse(String(line.time))) < 1000, 'with its time');
    const { time: _t, level: _l, ...logged } = line;
    t.same(event, logged, 'and every field the block log wrote');
  }
  t.same(store.search({ name: 'open' }).events, [], 'queries no rule answered are not kept (store.allQueries is off)');
  t.equal(store.search({}).events.length, 3);
  t.equal(await metricValue(server, 'stopzone_store_events_written_total'), 3, '/metrics counts what was written');
  t.equal(await metricValue(server, 'stopzone_store_events_dropped_total'), 0);
  t.equal(await metricValue(server, 'stopzone_store_queue_events'), 0);
  t.equal(await metricValue(server, 'stopzone_store_failing'), 0);
  t.same(store.dashboard(Date.now()).topNames, [{ name: 'clip.video.example', count: 1 }, { name: 'games.example', count: 1 }]);
});

// With worker threads each answer reaches the one block log (and its tap, the store) from the worker that gave it.
for (const workers of [1, 2]) {
  t.test(`with allQueries every query is kept, its client written as blockLog.client says (workers: ${workers})`, async (t) => {
    const { server } = await setup(t, '{ allQueries: true }', `blockLog: { client: truncate, passthru: true }\nworkers: ${workers}`);
    const store = server.server.store!;
    await store.ready;
    await askUdp(server.target, 'games.example');
    await askUdp(server.target, 'open.example');
    await askTcp(server.target, 'open.example', { type: 'AAAA' });
    await askUdp(server.target, 'ok.example');
    // Every answer given so far reaches the block log (from the workers too), then the store has written it.
    await server.server.blockLog.flush();
    await store.flushed();
    // Across workers, events reach the one writer in no set order: they are compared by name and type.
    const events = store.search({}).events.sort((a, b) => `${a.qname} ${a.qtype}`.localeCompare(`${b.qname} ${b.qtype}`));
    t.match(events, [
      { msg: 'blocked', qname: 'games.example', client: '127.0.0.0/24', action: 'nxdomain', list: 'School policy' },
      { msg: 'passthru', qname: 'ok.example', action: 'passthru' },
      { msg: 'query', qname: 'open.example', qtype: 'A', client: '127.0.0.0/24', action: 'upstream', zone: '', list: '', rule: '', ref: '', transport: 'udp' },
      { msg: 'query', qname: 'open.example', qtype: 'AAAA', action: 'upstream', transport: 'tcp' },
    ]);
    t.equal(events.length, 4);
    t.same(store.dashboard(Date.now()).hours24.at(-1)!.count, 1, 'only blocks are counted as blocks');
  });
}

/** Asks a blocked and an allowed name over UDP and TCP: the answers a user would see, store or no store. */
async function stillAnswers(t: Test, server: TestServer): Promise<void> {
  t.equal((await askUdp(server.target, 'games.example')).packet.rcode, 'NXDOMAIN', 'blocked over UDP');
  t.equal((await askTcp(server.target, 'games.example')).packet.rcode, 'NXDOMAIN', 'blocked over TCP');
  t.same(answerData(await askUdp(server.target, 'open.example')), ['192.0.2.8'], 'forwarded over UDP');
  t.same(answerData(await askTcp(server.target, 'open.example')), ['192.0.2.8'], 'forwarded over TCP');
}

t.test('a damaged store file: reported in the log and /metrics, and DNS answers as before', async (t) => {
  const dir = testDir(t);
  const file = join(dir, 'damaged.sqlite');
  writeFileSync(file, Buffer.alloc(4096, 'garbage '));
  const { server } = await setup(t, `{ file: ${JSON.stringify(file)} }`);
  await server.server.store!.ready;
  await stillAnswers(t, server);
  t.equal(await metricValue(server, 'stopzone_store_failing'), 1);
  const logged = server.logs.find((line) => String(line.msg).startsWith('event store failing'));
  t.match(logged, { level: 50, store: file, reason: /not an SQLite database, or damaged .*move it .* aside/ }, 'one error line names the file and what to do');
  await server.server.blockLog.flush();
  t.same(server.blockEvents.map((line) => line.qname), ['games.example', 'games.example'], 'the block log still has every block');
});

t.test('a store file locked by another program: DNS answers, and the events are written once the lock goes', async (t) => {
  const dir = testDir(t);
  const file = join(dir, 'locked.sqlite');
  const holder = spawn(
    process.execPath,
    ['-e', `const { DatabaseSync } = require('node:sqlite'); const db = new DatabaseSync(${JSON.stringify(file)}); db.exec('PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; CREATE TABLE held (x)'); console.log('locked'); process.stdin.on('end', () => { db.exec('COMMIT'); db.close(); process.exit(0); }); process.stdin.resume();`],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  t.teardown(() => holder.kill());
  await once(createInterface({ input: holder.stdout! }), 'line');
  const { server } = await setup(t, `{ file: ${JSON.stringify(file)} }`);
  const store = server.server.store!;
  await store.ready;
  t.match(store.stats.failing, /locked by another program/);
  await stillAnswers(t, server);
  t.equal(await metricValue(server, 'stopzone_store_failing'), 1);
  holder.stdin!.end();
  await once(holder, 'exit');
  t.equal(await store.retry(), null, 'the lock is gone');
  await store.flushed();
  t.equal(store.search({ name: 'games' }).events.length, 2, 'the two blocks made while it was locked are in the store');
  t.equal(await metricValue(server, 'stopzone_store_failing'), 0);
});

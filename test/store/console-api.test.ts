// The console's event API against the real SQLite store (store: {} in the config, the file in state.dir): a
// blocked query's event found by its reference code and by name over HTTP, its CSV line, the dashboard's count;
// and a damaged file answered 503 with the reason, while DNS answers.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { StoredEvent } from '../../src/store/event-store.js';
import { consoleZones } from '../helpers/console-client.js';
import { startConsoleServer } from '../helpers/console-server.js';
import { askUdp } from '../helpers/dns-client.js';

t.test('a blocked query\'s event, through the API, from the SQLite file', async (t) => {
  const console = await startConsoleServer(t, ['open.example'], { noStore: true, extra: 'store: {}\n' });
  const store = console.server.server.store!;
  t.equal(store.file, join(console.zones.state, 'events.sqlite'));
  await store.ready;
  t.equal((await askUdp(console.server.target, 'www.Blocked.example')).packet.rcode, 'NXDOMAIN');
  await console.server.server.blockLog.flush();
  await store.flushed();
  const ref = String(console.server.blockEvents[0]!.ref);
  const reader = console.client();
  const auth = { headers: { authorization: `Bearer ${console.tokens.read}` } };

  const byRef = await reader.call('GET', `/api/events?ref=${ref.toLowerCase()}`, auth);
  t.equal(byRef.status, 200);
  t.match(byRef.json, { events: [{ ref, qname: 'www.Blocked.example', zone: 'local.rpz', rule: '*.blocked.example.local.rpz', action: 'nxdomain', client: '127.0.0.1', msg: 'blocked' }], next: null }, 'found by its code, typed in lower case');
  const byName = await reader.call('GET', '/api/events?name=BLOCKED', auth);
  t.same(byName.json.events.map((e: StoredEvent) => e.ref), [ref], 'and by a part of its name');

  const csv = await reader.call('GET', '/api/events.csv?name=blocked', auth);
  t.equal(csv.status, 200);
  const [header, line, end] = csv.text.split('\r\n');
  t.equal(header, 'id,time,msg,ref,client,qname,qtype,zone,list,rule,trigger,action,group,ede,transport,listener');
  t.match(line, new RegExp(`^\\d+,\\d{4}-\\d\\d-\\d\\dT[^,]+Z,blocked,${ref},127\\.0\\.0\\.1,www\\.Blocked\\.example,A,local\\.rpz,`));
  t.equal(end, '', 'one event, CRLF at the end of each line');

  const board = await reader.call('GET', '/api/dashboard', auth);
  t.equal(board.status, 200);
  t.same(board.json.topNames, [{ name: 'www.blocked.example', count: 1 }]);
  t.equal(board.json.hours24.at(-1).count, 1);
});

t.test('a damaged store file: the event routes answer 503 with the reason; DNS answers', async (t) => {
  const zones = consoleZones();
  mkdirSync(zones.state, { recursive: true });
  writeFileSync(join(zones.state, 'events.sqlite'), Buffer.alloc(4096, 'not a database '));
  const console = await startConsoleServer(t, ['open.example'], { noStore: true, extra: 'store: {}\n', zones });
  await console.server.server.store!.ready;
  t.equal((await askUdp(console.server.target, 'blocked.example')).packet.rcode, 'NXDOMAIN');
  t.equal((await askUdp(console.server.target, 'open.example')).packet.rcode, 'NOERROR');
  const reader = console.client();
  const auth = { headers: { authorization: `Bearer ${console.tokens.read}` } };
  for (const path of ['/api/events', '/api/events.csv', '/api/dashboard']) {
    const reply = await reader.call('GET', path, auth);
    t.match(reply.json, { statusCode: 503, message: /events\.sqlite: not an SQLite database, or damaged .*move it/ }, `${path}: 503 with what is wrong and what to do`);
  }
});

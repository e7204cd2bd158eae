import t from 'tap';
import type { StoredEvent } from '../../src/store/event-store.js';
import { startConsoleServer } from '../helpers/console-server.js';

/**
 * The event routes over the EventStore interface (here the in-memory one of test/helpers, until the real
 * store is merged): search with its filters and cursor, CSV export, the dashboard with every zone's state;
 * and script in a query name reaching the page as data in every output (JSON, CSV).
 */
const NOW = Date.UTC(2026, 5, 1, 9, 0);
const SCRIPT = '<script>alert(1)</script>.evil.example';

function event(i: number, qname: string): Omit<StoredEvent, 'id'> {
  return { time: NOW - i * 60_000, msg: 'blocked', ref: `REF${String(i).padStart(5, '0')}`, client: '127.0.0.2', qname, qtype: 'A', zone: 'local.rpz', list: 'School list', rule: `${qname}.local.rpz`, trigger: 'qname', action: 'nxdomain', group: 'default', ede: 15, transport: 'udp', listener: '127.0.0.1:53' };
}

t.test('search: filters, pages by cursor, and markup in a name shown as data (escaped in the JSON bytes)', async (t) => {
  const console = await startConsoleServer(t, undefined, { now: () => NOW });
  for (let i = 9; i >= 0; i--) console.events.record(event(i, i === 3 ? SCRIPT : `n${i}.games.example`));
  const reader = console.client();
  await reader.login(console.tokens.read);
  const first = await reader.call('GET', '/api/events?name=GAMES&limit=4');
  t.equal(first.status, 200);
  t.same(first.json.events.map((e: StoredEvent) => e.qname), ['n0.games.example', 'n1.games.example', 'n2.games.example', 'n4.games.example'], 'newest first, name as a substring in any case');
  const second = await reader.call('GET', `/api/events?name=games&limit=4&before=${first.json.next}`);
  t.same(second.json.events.map((e: StoredEvent) => e.qname), ['n5.games.example', 'n6.games.example', 'n7.games.example', 'n8.games.example'], 'the next page from the cursor');
  t.match((await reader.call('GET', '/api/events?ref=REF00007')).json, { events: [{ qname: 'n7.games.example', ref: 'REF00007' }], next: null }, 'by reference code');

  const script = await reader.call('GET', '/api/events?name=script');
  t.match(script.headers.get('content-type'), /^application\/json/);
  t.equal(script.headers.get('x-content-type-options'), 'nosniff');
  t.match(script.headers.get('content-security-policy'), /default-src 'self'/);
  t.notMatch(script.text, /[<>]/, 'no < or > in the bytes: \\u003c and \\u003e');
  t.match(script.text, /\\u003cscript\\u003ealert\(1\)\\u003c\/script\\u003e/);
  t.equal(script.json.events[0].qname, SCRIPT, 'the same name once parsed');

  for (const [query, message] of [['limit=501', /querystring\/limit must be <= 500/], ['from=yesterday', /querystring\/from must be integer/], ['colour=red', null]] as const) {
    const reply = await reader.call('GET', `/api/events?${query}`);
    if (message === null) t.equal(reply.status, 200, `${query}: an unknown parameter is dropped`);
    else t.match(reply.json, { statusCode: 400, message }, query);
  }
});

t.test('CSV export: a download with every match, the name as CSV data', async (t) => {
  const console = await startConsoleServer(t, undefined, { now: () => NOW });
  for (let i = 60; i >= 0; i--) console.events.record(event(i, i === 3 ? `${SCRIPT},"x"` : `n${i}.example`));
  const reader = console.client();
  const csv = await reader.call('GET', '/api/events.csv?list=School%20list', { headers: { authorization: `Bearer ${console.tokens.read}` } });
  t.equal(csv.status, 200);
  t.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
  t.equal(csv.headers.get('content-disposition'), 'attachment; filename="stopzone-events.csv"', 'downloaded, never shown as a page');
  t.equal(csv.headers.get('x-content-type-options'), 'nosniff');
  const lines = csv.text.split('\n');
  t.equal(lines[0], 'time,ref,client,qname,qtype,zone,list,rule,trigger,action,group');
  t.equal(lines.length, 1 + 61 + 1, 'every match, not a page of 50 (and a final newline)');
  t.ok(lines.includes(`2026-06-01T08:57:00.000Z,REF00003,127.0.0.2,"${SCRIPT},""x""",A,local.rpz,School list,"${SCRIPT},""x"".local.rpz",qname,nxdomain,default`), 'the name quoted as one CSV field');
});

t.test('dashboard: the store\'s counts and every zone\'s state; without a store, the zones and 503 for events', async (t) => {
  const console = await startConsoleServer(t, undefined, { now: () => NOW });
  console.events.record(event(1, 'games.example'));
  const reader = console.client();
  await reader.login(console.tokens.read);
  const board = (await reader.call('GET', '/api/dashboard')).json;
  t.equal(board.hours24.length, 24);
  t.equal(board.days7.length, 168);
  t.same(board.topNames, [{ name: 'games.example', count: 1 }]);
  t.match(board.zones, [
    { name: 'allow.rpz', kind: 'file', rules: 0, serial: '1', lastError: null, expired: false },
    { name: 'local.rpz', kind: 'file', rules: 2, serial: '1', lastError: null, expired: false },
  ]);

  const bare = await startConsoleServer(t, undefined, { noStore: true });
  const client = bare.client();
  await client.login();
  const events = await client.call('GET', '/api/events');
  t.equal(events.status, 503);
  t.match(events.json.message, /the event store is off \(store\.enabled: false\)/);
  t.equal((await client.call('GET', '/api/events.csv')).status, 503);
  t.match((await client.call('GET', '/api/dashboard')).json, { hours24: [], topNames: [], zones: [{ name: 'allow.rpz' }, { name: 'local.rpz' }] }, 'the zones still show');
});

t.test('markup in a name asked about or a reason given is data in every JSON reply', async (t) => {
  const console = await startConsoleServer(t);
  const admin = console.client();
  await admin.login();
  const why = await admin.call('GET', `/api/why?name=${encodeURIComponent(SCRIPT)}`);
  t.equal(why.json.name, SCRIPT);
  t.notMatch(why.text, /[<>]/);
  const reason = '<img src=x onerror=alert(1)> & more';
  t.equal((await admin.call('POST', '/api/rules', { body: { name: 'open.example', action: 'block', reason } })).status, 200);
  for (const path of ['/api/rules', '/api/audit']) {
    const reply = await admin.call('GET', path);
    t.notMatch(reply.text, /[<>&]/, `${path}: no < > & in the bytes`);
    t.match(reply.text, /\\u003cimg src=x onerror=alert\(1\)\\u003e \\u0026 more/);
    t.ok(JSON.stringify(reply.json).includes(reason), `${path}: the reason intact once parsed`);
  }
});

import t from 'tap';
import dnsPacket from 'dns-packet';
import { AnswerCache, cacheKey, type AnswerCacheOptions } from '../../src/cache/answer-cache.js';
import { readQuestion } from '../../src/dns/wire.js';
import { response, soa } from '../helpers/messages.js';

const defaults: Omit<AnswerCacheOptions, 'now'> = {
  maxEntries: 100,
  maxBytes: 1 << 20,
  minTtl: 0,
  maxTtl: 86400,
  maxNegativeTtl: 3600,
  serveStale: true,
  staleAnswerTtl: 30,
  maxStaleSeconds: 600,
};

function setup(options: Partial<AnswerCacheOptions> = {}) {
  let clock = 1_000_000;
  const cache = new AnswerCache({ ...defaults, ...options, now: () => clock });
  return { cache, advance: (seconds: number) => (clock += seconds * 1000) };
}

const key = cacheKey({ name: 'example.com', lname: 'example.com', type: 1, class: 1 }, false, false);
const positive = response({
  name: 'example.com',
  answers: [
    { type: 'A', name: 'example.com', ttl: 300, data: '192.0.2.1' },
    { type: 'A', name: 'example.com', ttl: 100, data: '192.0.2.2' },
  ],
});
const store = (cache: AnswerCache, message: Buffer) => cache.store(key, message, readQuestion(message)!.end);
const ttls = (message: Buffer) => [...(dnsPacket.decode(message).answers ?? []), ...(dnsPacket.decode(message).authorities ?? [])].map((a) => (a as { ttl: number }).ttl);

t.test('cacheKey folds letter case and separates type, class, DO and CD', async (t) => {
  const q = (name: string, type = 1) => ({ name, lname: name.toLowerCase(), type, class: 1 });
  t.equal(cacheKey(q('Example.COM'), false, false), cacheKey(q('example.com'), false, false));
  const keys = new Set([cacheKey(q('a'), false, false), cacheKey(q('a', 28), false, false), cacheKey(q('a'), true, false), cacheKey(q('a'), false, true)]);
  t.equal(keys.size, 4);
});

t.test('TTLs count down on every hit and the entry expires with the shortest TTL', async (t) => {
  const { cache, advance } = setup();
  t.ok(store(cache, positive));
  t.same(ttls(cache.fresh(key)!.message), [300, 100]);
  advance(40);
  t.same(ttls(cache.fresh(key)!.message), [260, 60]);
  advance(59);
  t.same(ttls(cache.fresh(key)!.message), [201, 1]);
  advance(1);
  t.equal(cache.fresh(key), undefined, 'expired after 100 s');
});

t.test('a wall clock stepped back never makes a cached TTL grow: the entry is dropped', async (t) => {
  const { cache, advance } = setup();
  t.ok(store(cache, positive));
  advance(-3600);
  t.equal(cache.fresh(key), undefined, 'an hour back: a miss, not TTLs of 3,900 and 3,700 s');
  t.equal(cache.stale(key), undefined, 'nor a stale answer');
  advance(3600);
  t.equal(cache.fresh(key), undefined, 'the entry is gone, not kept for when the clock catches up');
});

t.test('hits are copies: patching one never changes the next', async (t) => {
  const { cache } = setup();
  store(cache, positive);
  const first = cache.fresh(key)!.message;
  first.fill(0);
  t.same(ttls(cache.fresh(key)!.message), [300, 100]);
});

t.test('negative answers live min(SOA TTL, SOA MINIMUM), capped (RFC 2308)', async (t) => {
  const rows = [
    { name: 'NXDOMAIN uses the SOA minimum', rcode: 'NXDOMAIN', soaTtl: 900, minimum: 60, want: 60 },
    { name: 'NODATA uses the SOA TTL when lower', rcode: 'NOERROR', soaTtl: 30, minimum: 600, want: 30 },
    { name: 'capped by maxNegativeTtl', rcode: 'NXDOMAIN', soaTtl: 86400, minimum: 86400, want: 3600 },
  ];
  for (const row of rows) {
    const { cache, advance } = setup();
    const message = response({ name: 'example.com', rcode: row.rcode, authorities: [soa('example.com', row.soaTtl, row.minimum)] });
    t.ok(store(cache, message), row.name);
    advance(row.want - 1);
    t.ok(cache.fresh(key), `${row.name}: fresh at ${row.want - 1} s`);
    advance(1);
    t.equal(cache.fresh(key), undefined, `${row.name}: expired at ${row.want} s`);
  }
});

t.test('what is never cached', async (t) => {
  const { cache } = setup();
  const rows: Array<[string, Buffer]> = [
    ['negative without SOA', response({ name: 'example.com', rcode: 'NXDOMAIN' })],
    ['SERVFAIL', response({ name: 'example.com', rcode: 'SERVFAIL' })],
    ['REFUSED', response({ name: 'example.com', rcode: 'REFUSED' })],
    ['truncated', response({ name: 'example.com', flags: dnsPacket.TRUNCATED_RESPONSE, answers: [{ type: 'A', name: 'example.com', ttl: 60, data: '192.0.2.1' }] })],
    ['TTL 0', response({ name: 'example.com', answers: [{ type: 'A', name: 'example.com', ttl: 0, data: '192.0.2.1' }] })],
  ];
  for (const [name, message] of rows) t.notOk(store(cache, message), name);
  t.equal(cache.size, 0);
});

t.test('min and max TTL caps', async (t) => {
  const { cache, advance } = setup({ minTtl: 200, maxTtl: 250 });
  store(cache, positive);
  t.same(ttls(cache.fresh(key)!.message), [250, 200]);
  advance(199);
  t.ok(cache.fresh(key), 'kept for minTtl although the record said 100');
  advance(1);
  t.equal(cache.fresh(key), undefined);
});

t.test('serve-stale: expired entries are served with the stale TTL inside the window only', async (t) => {
  const { cache, advance } = setup({ maxStaleSeconds: 600 });
  store(cache, positive);
  t.equal(cache.stale('other'), undefined);
  advance(100);
  t.equal(cache.fresh(key), undefined);
  t.same(ttls(cache.stale(key)!.message), [30, 30]);
  advance(599);
  t.ok(cache.stale(key), 'still inside the window');
  advance(1);
  t.equal(cache.stale(key), undefined, 'past the window');
});

t.test('serve-stale off: nothing past expiry', async (t) => {
  const { cache, advance } = setup({ serveStale: false });
  store(cache, positive);
  advance(100);
  t.equal(cache.stale(key), undefined);
});

t.test('bounded by entries and by bytes', async (t) => {
  const byEntries = setup({ maxEntries: 3 }).cache;
  for (let i = 0; i < 10; i++) byEntries.store(`k${i}`, positive, readQuestion(positive)!.end);
  t.equal(byEntries.size, 3);
  const byBytes = setup({ maxBytes: 2000 }).cache;
  for (let i = 0; i < 50; i++) byBytes.store(`k${i}`, positive, readQuestion(positive)!.end);
  t.ok(byBytes.bytes <= 2000, `bytes ${byBytes.bytes} <= 2000`);
  t.ok(byBytes.size > 1 && byBytes.size < 50, `kept ${byBytes.size}`);
  const off = setup({ maxEntries: 0 }).cache;
  t.notOk(off.store(key, positive, readQuestion(positive)!.end), 'maxEntries 0 turns caching off');
});

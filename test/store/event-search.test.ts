// Searching the store: each filter alone and together, against the same filter applied by hand to the events
// recorded; the cursor through every page; a search out of time budget going on where it stopped.
import t from 'tap';
import type { EventFilter, StoredEvent } from '../../src/store/event-store.js';
import { openTestStore, storedEvent } from '../helpers/event-store.js';
import { prng } from '../helpers/prng.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 2, 1);
const seed = 20;
const random = prng(seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

// 600 events over ten days, a few seconds to a few hours apart, some in the same millisecond.
const recorded: Array<Omit<StoredEvent, 'id'>> = [];
let time = START;
for (let i = 0; i < 600; i++) {
  time += random() < 0.1 ? 0 : Math.floor(random() * 3 * HOUR);
  const name = `${pick(['games', 'Video', 'chat', 'ads', 'tracker'])}${Math.floor(random() * 5)}.${pick(['example', 'example.net', 'test'])}`;
  recorded.push(
    storedEvent({
      time,
      msg: pick(['blocked', 'blocked', 'would block', 'passthru']),
      ref: `R${String(i).padStart(7, '0')}`.replace(/[ILOU]/g, '0'),
      client: pick(['192.0.2.1', '192.0.2.2', '2001:db8::7', '198.51.100.0/24']),
      qname: name,
      qtype: pick(['A', 'AAAA', 'HTTPS']),
      zone: pick(['law.rpz', 'school.rpz']),
      list: pick(['National list', 'School policy', 'Ads']),
      rule: random() < 0.5 ? `${name.toLowerCase()}.school.rpz` : name,
      action: pick(['nxdomain', 'stop-page']),
      group: pick(['default', 'students', 'staff']),
      ede: pick([15, 16, null]),
      transport: pick(['udp', 'tcp']),
    }),
  );
}

/** The filter applied by hand: what a search must return, newest first (equal times in recording order, last first). */
function expected(filter: EventFilter): Array<Omit<StoredEvent, 'id'>> {
  return recorded
    .map((event, order) => ({ event, order }))
    .filter(({ event }) =>
      (filter.name === undefined || event.qname.toLowerCase().includes(filter.name.toLowerCase())) &&
      (filter.client === undefined || event.client === filter.client) &&
      (filter.list === undefined || event.list === filter.list) &&
      (filter.zone === undefined || event.zone === filter.zone) &&
      (filter.group === undefined || event.group === filter.group) &&
      (filter.action === undefined || event.action === filter.action) &&
      (filter.ref === undefined || event.ref === filter.ref.toUpperCase()) &&
      (filter.from === undefined || event.time >= filter.from) &&
      (filter.to === undefined || event.time < filter.to),
    )
    .sort((a, b) => b.event.time - a.event.time || b.order - a.order)
    .map(({ event }) => event);
}

t.test(`each filter, alone and together, finds exactly the events it should (seed ${seed})`, async (t) => {
  const store = await openTestStore(t);
  for (const event of recorded) store.record(event);
  await store.flushed();
  const rows: EventFilter[] = [
    {},
    { name: 'games' },
    { name: 'VIDEO3' },
    { name: '.net' },
    { name: 'no-such-name' },
    { client: '192.0.2.2' },
    { client: '2001:db8::7' },
    { list: 'School policy' },
    { zone: 'law.rpz' },
    { group: 'students' },
    { action: 'stop-page' },
    { ref: recorded[123]!.ref },
    { ref: recorded[321]!.ref.toLowerCase() },
    { from: START + 24 * 3 * HOUR },
    { to: START + 24 * 2 * HOUR },
    { from: recorded[200]!.time, to: recorded[260]!.time },
    { name: 'chat', client: '192.0.2.1', group: 'staff' },
    { list: 'Ads', zone: 'school.rpz', action: 'nxdomain', from: START + 24 * HOUR },
  ];
  for (const filter of rows) {
    const want = expected(filter);
    const page = store.search({ ...filter, limit: 500 });
    t.same(
      page.events.map(({ id: _id, ...event }) => event),
      want.slice(0, 500),
      `${JSON.stringify(filter)}: ${want.length} events`,
    );
    t.equal(page.next, want.length > 500 ? page.events.at(-1)!.id : null, 'the cursor only when more match');
  }
  const code = recorded[77]!.ref;
  const misread = code.replace(/0/g, 'O').replace(/1/g, 'l').toLowerCase();
  t.same(store.search({ ref: ` ${misread} ` }).events.map((e) => e.ref), [code], `a code typed as read off a screen (${misread}: O for 0, l for 1, lower case) finds ${code}`);
});

t.test('the cursor walks every page, newest first, each event once; ids follow time', async (t) => {
  const store = await openTestStore(t);
  for (const event of recorded) store.record(event);
  await store.flushed();
  for (const filter of [{}, { name: 'ads' }, { group: 'default', list: 'Ads' }] as EventFilter[]) {
    const seen: StoredEvent[] = [];
    let before: number | undefined;
    let pages = 0;
    do {
      const page = store.search({ ...filter, limit: 7, ...(before !== undefined && { before }) });
      t.ok(page.events.length <= 7, 'at most limit events a page');
      t.ok(page.events.every((event) => before === undefined || event.id < before), 'every event below the cursor');
      seen.push(...page.events);
      before = page.next ?? undefined;
      pages++;
    } while (before !== undefined);
    const want = expected(filter);
    t.equal(pages, Math.max(1, Math.ceil(want.length / 7)), `${JSON.stringify(filter)}: ${pages} pages of 7`);
    t.same(seen.map(({ id: _id, ...event }) => event), want, 'every event once, in order');
    t.ok(seen.every((event, i) => i === 0 || event.id < seen[i - 1]!.id), 'ids descend');
    t.ok(seen.every((event) => event.time === recorded.find((r) => r.ref === event.ref)!.time), 'each event keeps its time');
  }
  t.equal(store.search({}).events.length, 50, 'limit defaults to 50');
  t.equal(store.search({ limit: 10_000 }).events.length, 500, 'and is at most 500');
});

t.test('a search past its time budget returns what it found with a cursor, and going on finds the rest', async (t) => {
  // A clock that moves 1 s each time the search looks at it: the budget (50 ms) runs out after the first span.
  let clock = 0;
  const store = await openTestStore(t, { searchBudgetMs: 50, searchClock: () => (clock += 1000) });
  for (const event of recorded) store.record(event);
  await store.flushed();
  const filter: EventFilter = { name: 'tracker' };
  const seen: StoredEvent[] = [];
  let before: number | undefined;
  let short = 0;
  do {
    const page = store.search({ ...filter, limit: 20, ...(before !== undefined && { before }) });
    if (page.next !== null && page.events.length < 20) short++;
    seen.push(...page.events);
    before = page.next ?? undefined;
  } while (before !== undefined);
  t.ok(short > 0, `${short} pages came back short, out of budget, with a cursor`);
  t.same(seen.map(({ id: _id, ...event }) => event), expected(filter), 'yet every match was found, once, in order');
});

t.test('a part of a name matching more distinct names than the name index is used for still finds every event', async (t) => {
  const store = await openTestStore(t);
  const many = Array.from({ length: 450 }, (_, i) => storedEvent({ time: START + i * 1000, qname: `host${i}.Common.example`, ref: `M${String(i).padStart(7, '0')}` }));
  for (const event of many) store.record(event);
  store.record(storedEvent({ time: START + 999_999, qname: 'other.example' }));
  await store.flushed();
  const page = store.search({ name: 'common', limit: 500 });
  t.equal(page.events.length, 450);
  t.same(page.events.map((e) => e.qname), many.map((e) => e.qname).reverse());
});

// The dashboard's numbers against the same counts made by hand from the events recorded: blocks per hour over
// 24 hours and 7 days, and the top names, clients, lists and groups of the last 24 hours.
import t from 'tap';
import type { StoredEvent } from '../../src/store/event-store.js';
import { openTestStore, storedEvent } from '../helpers/event-store.js';
import { prng } from '../helpers/prng.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 3, 10, 15, 20);
const seed = 7;
const random = prng(seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

// 3,000 events over the last 9 days (and a few in the next hour, which no count includes yet).
const recorded: Array<Omit<StoredEvent, 'id'>> = Array.from({ length: 3000 }, (_, i) =>
  storedEvent({
    time: NOW - Math.floor(random() ** 2 * 9 * 24 * HOUR) + (i % 500 === 0 ? 2 * HOUR : 0),
    msg: pick(['blocked', 'blocked', 'blocked', 'would block', 'passthru', 'query']),
    // Zipf-like: a few names often. The same name in two letter cases counts once.
    qname: `${pick(['', 'www.'])}site${Math.floor(random() ** 3 * 40)}.${pick(['example', 'EXAMPLE'])}`,
    client: `192.0.2.${Math.floor(random() ** 2 * 30)}`,
    list: pick(['Ads', 'School policy', 'National list']),
    group: pick(['default', 'students', 'staff']),
  }),
);

/** Blocks per key over the hours [first, last], largest first, then by key; at most `top`. */
function counted(key: (e: Omit<StoredEvent, 'id'>) => string, first: number, last: number, top: number): Array<{ key: string; count: number }> {
  const counts = new Map<string, number>();
  for (const e of recorded) {
    const hour = Math.floor(e.time / HOUR);
    if (e.msg === 'blocked' && hour >= first && hour <= last) counts.set(key(e), (counts.get(key(e)) ?? 0) + 1);
  }
  return [...counts].map(([k, count]) => ({ key: k, count })).sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1)).slice(0, top);
}

function perHour(hours: number): Array<{ hour: number; count: number }> {
  const last = Math.floor(NOW / HOUR);
  return Array.from({ length: hours }, (_, i) => {
    const hour = last - hours + 1 + i;
    return { hour: hour * HOUR, count: counted(() => '', hour, hour, 1)[0]?.count ?? 0 };
  });
}

t.test(`the dashboard's counts are the events' (seed ${seed})`, async (t) => {
  const store = await openTestStore(t, { batchLimit: 250 });
  for (const event of recorded) store.record(event);
  await store.flushed();
  const board = store.dashboard(NOW);
  const last = Math.floor(NOW / HOUR);
  t.same(board.hours24, perHour(24), '24 hours, oldest first, the current hour last');
  t.same(board.days7, perHour(24 * 7), '168 hours');
  t.equal(board.hours24.at(-1)!.hour, Date.UTC(2026, 3, 10, 15), 'the current hour starts at 15:00');
  const day = (key: (e: Omit<StoredEvent, 'id'>) => string, top: number) => counted(key, last - 23, last, top);
  t.same(board.topNames, day((e) => e.qname.toLowerCase(), 10).map(({ key, count }) => ({ name: key, count })), 'top 10 names of the last 24 hours, letter case folded');
  t.same(board.topClients, day((e) => e.client, 10).map(({ key, count }) => ({ client: key, count })), 'top 10 clients');
  t.same(board.perList, day((e) => e.list, 100).map(({ key, count }) => ({ list: key, count })), 'per list');
  t.same(board.perGroup, day((e) => e.group, 100).map(({ key, count }) => ({ group: key, count })), 'per group');
  t.equal(board.perList.reduce((sum, l) => sum + l.count, 0), board.hours24.reduce((sum, h) => sum + h.count, 0), 'the lists add up to the day\'s blocks');
});

t.test('an empty store has a dashboard of zeros', async (t) => {
  const store = await openTestStore(t);
  const board = store.dashboard(NOW);
  t.equal(board.hours24.length, 24);
  t.ok(board.days7.every((h) => h.count === 0));
  t.same([board.topNames, board.topClients, board.perList, board.perGroup], [[], [], [], []]);
});

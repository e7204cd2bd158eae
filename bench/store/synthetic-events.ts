/**
 * Block events for the store benchmark, seeded and in time order: what a school's or a small ISP's
 * 90 days could hold. Names follow a long tail (a few hundred trackers and ad hosts make most of the
 * blocks, tens of thousands appear now and then), clients are 2,000 addresses, six lists, four groups.
 */
import type { StoredEvent } from '../../src/store/event-store.js';
import { prng } from '../../test/helpers/prng.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const WORDS = ['tracker', 'ads', 'metrics', 'video', 'games', 'chat', 'casino', 'social', 'cdn', 'pixel'];
const TLDS = ['example', 'example.net', 'test', 'example.org'];
const LISTS = ['Ads', 'Trackers', 'School policy', 'Adult', 'Gambling', 'National list'];
const GROUPS = ['default', 'students', 'staff', 'guests'];
const ACTIONS = ['nxdomain', 'stop-page', 'nodata'];

/** The distinct clients. */
const CLIENT_COUNT = 2000;

/** The distinct names events are drawn from. */
export const NAME_COUNT = 50_000;

/** The name of rank `rank` (0: the most blocked). */
export function syntheticName(rank: number): string {
  return `${WORDS[rank % WORDS.length]}${rank}.${TLDS[rank % TLDS.length]}`;
}

/** `count` events from `from` to `to` (ms), oldest first, drawn with `seed`. */
export function* syntheticEvents(count: number, from: number, to: number, seed: number): Generator<Omit<StoredEvent, 'id'>> {
  const random = prng(seed);
  const step = (to - from) / count;
  for (let i = 0; i < count; i++) {
    // Log-uniform rank: rank r is drawn about 1/r as often, as with Zipf.
    const rank = Math.floor(NAME_COUNT ** random()) - 1;
    const name = syntheticName(rank);
    const list = LISTS[rank % LISTS.length]!;
    let ref = '';
    for (let j = 0; j < 8; j++) ref += ALPHABET[Math.floor(random() * 32)];
    const kind = random();
    const client = Math.floor(random() * CLIENT_COUNT);
    yield {
      time: Math.floor(from + i * step + random() * step),
      msg: kind < 0.9 ? 'blocked' : kind < 0.95 ? 'would block' : 'passthru',
      ref,
      client: `10.20.${client >> 8}.${client & 255}`,
      qname: name,
      qtype: random() < 0.7 ? 'A' : random() < 0.5 ? 'AAAA' : 'HTTPS',
      zone: `${list.toLowerCase().replace(/ /g, '-')}.rpz`,
      list,
      rule: rank % 3 === 0 ? `*.${name.slice(name.indexOf('.') + 1)}.${list.toLowerCase().replace(/ /g, '-')}.rpz` : name,
      trigger: 'qname',
      action: ACTIONS[rank % ACTIONS.length]!,
      group: GROUPS[Math.floor(random() * GROUPS.length)]!,
      ede: 15,
      transport: random() < 0.97 ? 'udp' : 'tcp',
      listener: '0.0.0.0:53',
    };
  }
}

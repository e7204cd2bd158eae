import t from 'tap';
import { addressToBytes, decodePrefixLabels, type IpPrefix } from '../../src/rpz/ip-prefix.js';
import { PrefixIndexBuilder, type PrefixIndex, type PrefixMatch } from '../../src/rpz/prefix-index.js';
import { prng } from '../helpers/prng.js';

function prefix(labels: string): IpPrefix {
  const decoded = decodePrefixLabels(labels);
  if (!decoded.ok) throw new Error(`${labels}: ${decoded.reason}`);
  return decoded.prefix;
}

function bytes(address: string): Uint8Array {
  const out = addressToBytes(address);
  if (out === null) throw new Error(`not an address: ${address}`);
  return out;
}

function build(rules: Array<[string, number]>): PrefixIndex {
  const builder = new PrefixIndexBuilder();
  for (const [labels, value] of rules) builder.add(prefix(labels), value);
  return builder.build();
}

/** [value, length128] */
type Want = [number, number];
const brief = (m: PrefixMatch | null): Want | null => (m === null ? null : [m.value, m.length128]);

const nested: Array<[string, number]> = [
  ['8.0.0.0.10', 1],
  ['16.0.0.1.10', 2],
  ['24.0.2.1.10', 3],
  ['32.5.2.1.10', 4],
];

t.test('longest(): one behaviour per row', async (t) => {
  const rows: Array<{ name: string; rules: Array<[string, number]>; query: string; want: Want | null }> = [
    { name: 'the /32 inside /24, /16, /8', rules: nested, query: '10.1.2.5', want: [4, 128] },
    { name: 'the /24 when the /32 does not hold it', rules: nested, query: '10.1.2.6', want: [3, 120] },
    { name: 'the /16', rules: nested, query: '10.1.3.1', want: [2, 112] },
    { name: 'the /8', rules: nested, query: '10.2.0.0', want: [1, 104] },
    { name: 'outside every prefix', rules: nested, query: '11.0.0.0', want: null },
    { name: 'order of adding does not matter', rules: [...nested].reverse(), query: '10.1.2.5', want: [4, 128] },
    { name: '/1 holds half the space', rules: [['1.0.0.0.128', 9]], query: '200.1.2.3', want: [9, 97] },
    { name: '/1 not the other half', rules: [['1.0.0.0.128', 9]], query: '127.255.255.255', want: null },
    { name: 'IPv4 given as mapped IPv6 text', rules: nested, query: '::ffff:10.1.2.5', want: [4, 128] },
    { name: 'IPv6 /32 ⊃ /48 ⊃ /128: the /128', rules: [['32.zz.db8.2001', 1], ['48.zz.bad.db8.2001', 2], ['128.1.zz.bad.db8.2001', 3]], query: '2001:db8:bad::1', want: [3, 128] },
    { name: 'IPv6: the /48', rules: [['32.zz.db8.2001', 1], ['48.zz.bad.db8.2001', 2], ['128.1.zz.bad.db8.2001', 3]], query: '2001:db8:bad::2', want: [2, 48] },
    { name: 'IPv6: the /32', rules: [['32.zz.db8.2001', 1], ['48.zz.bad.db8.2001', 2]], query: '2001:db8:bae::', want: [1, 32] },
    { name: 'IPv6: a miss', rules: [['32.zz.db8.2001', 1]], query: '2001:db9::', want: null },
    { name: 'v4 prefix, IPv4-compatible ::c000:201', rules: [['32.1.2.0.192', 1]], query: '::c000:201', want: null },
    { name: 'v4 prefix, NAT64 64:ff9b::192.0.2.1', rules: [['32.1.2.0.192', 1]], query: '64:ff9b::192.0.2.1', want: null },
    { name: 'v4 prefix, same low bits under 2001:db8::', rules: [['24.0.2.0.192', 1]], query: '2001:db8::ffff:c000:201', want: null },
    { name: 'v4 0.0.0.0/1 never holds ::1', rules: [['1.0.0.0.0', 1]], query: '::1', want: null },
    { name: 'v4 0.0.0.0/1 never holds ::', rules: [['1.0.0.0.0', 1]], query: '::', want: null },
    { name: 'v6 prefix over v4 space: ::/1 holds IPv4 (one 128-bit space, as BIND)', rules: [['1.zz', 7]], query: '192.0.2.1', want: [7, 1] },
    { name: 'v6 prefix over v4 space: ::/80', rules: [['80.zz', 7]], query: '192.0.2.1', want: [7, 80] },
    { name: 'v6 ::/96 is not ::ffff:0:0/96', rules: [['96.zz', 7]], query: '192.0.2.1', want: null },
    { name: 'v6 ::fffe:0:0/95 holds ::ffff:0:0/96', rules: [['95.0.0.fffe.zz', 7]], query: '192.0.2.1', want: [7, 95] },
    { name: 'v6 ::/1 loses to a v4 /8', rules: [['1.zz', 7], ['8.0.0.0.192', 8]], query: '192.0.2.1', want: [8, 104] },
    { name: 'v6 ::/1 when the v4 /8 does not hold it', rules: [['1.zz', 7], ['8.0.0.0.192', 8]], query: '193.0.2.1', want: [7, 1] },
    { name: 'v6 ::/1 holds ::1 too', rules: [['1.zz', 7], ['8.0.0.0.192', 8]], query: '::1', want: [7, 1] },
    { name: 'value 0', rules: [['32.1.2.0.192', 0]], query: '192.0.2.1', want: [0, 128] },
    { name: 'value 2^32-1', rules: [['32.1.2.0.192', 0xffffffff]], query: '192.0.2.1', want: [0xffffffff, 128] },
  ];
  for (const row of rows) {
    const index = build(row.rules);
    t.same(brief(index.longest(bytes(row.query))), row.want, row.name);
    // matches() starts with the longest.
    t.same(brief(index.matches(bytes(row.query))[0] ?? null), row.want, `${row.name}: matches()[0]`);
  }
});

t.test('matches(): every holder, longest first, across both families', async (t) => {
  const index = build([['1.zz', 1], ['80.zz', 2], ['8.0.0.0.192', 3], ['24.0.2.0.192', 4], ['32.1.2.0.192', 5], ['32.2.2.0.192', 6], ['32.zz.db8.2001', 7]]);
  t.same(index.matches(bytes('192.0.2.1')).map((m) => [m.value, m.length128]), [[5, 128], [4, 120], [3, 104], [2, 80], [1, 1]]);
  t.same(index.matches(bytes('192.0.3.1')).map((m) => [m.value, m.length128]), [[3, 104], [2, 80], [1, 1]]);
  t.same(index.matches(bytes('2001:db8::1')).map((m) => [m.value, m.length128]), [[7, 32], [1, 1]]);
  t.same(index.matches(bytes('9001:db8::1')).map((m) => [m.value, m.length128]), []);
  t.same(index.matches(bytes('::1')).map((m) => [m.value, m.length128]), [[2, 80], [1, 1]]);
  t.equal(index.size, 7);
});

t.test('duplicates: the first value wins, add says so', async (t) => {
  const builder = new PrefixIndexBuilder();
  t.equal(builder.add(prefix('24.0.2.0.192'), 1), true, 'first add');
  t.equal(builder.add(prefix('24.0.2.0.192'), 2), false, 'same prefix again');
  t.equal(builder.add(prefix('32.0.2.0.192'), 3), true, 'same address, other length');
  const sloppy: IpPrefix = { family: 4, bits: 24, address: bytes('192.0.2.77'), length128: 120 };
  t.equal(builder.add(sloppy, 4), false, 'bits past the prefix are ignored: still the same /24');
  t.equal(builder.add(prefix('24.zz.2'), 5), true, 'an IPv6 prefix beside it');
  t.equal(builder.add(prefix('24.zz.2'), 6), false, 'the IPv6 prefix again');
  const index = builder.build();
  t.equal(index.size, 3);
  t.same(brief(index.longest(bytes('192.0.2.9'))), [1, 120]);
  t.same(brief(index.longest(bytes('192.0.2.0'))), [3, 128]);
  t.same(brief(index.longest(bytes('2::1'))), [5, 24], '24.zz.2 is 2::/24');
  t.throws(() => builder.add(prefix('32.1.2.0.192'), 7), /after build/);
  t.throws(() => builder.build(), /twice/);
  t.throws(() => new PrefixIndexBuilder().add({ family: 6, bits: 129, address: new Uint8Array(16), length128: 129 }, 1), RangeError);
});

t.test('empty index', async (t) => {
  const index = new PrefixIndexBuilder().build();
  t.equal(index.size, 0);
  t.equal(index.longest(bytes('192.0.2.1')), null);
  t.equal(index.longest(bytes('2001:db8::1')), null);
  t.same(index.matches(bytes('::')), []);
});

t.test('::/0 holds every address; matches() returns fresh objects', async (t) => {
  const builder = new PrefixIndexBuilder();
  builder.add({ family: 6, bits: 0, address: new Uint8Array(16), length128: 0 }, 42);
  builder.add(prefix('1.zz'), 43);
  const index = builder.build();
  for (const address of ['0.0.0.0', '255.255.255.255', '::', 'ffff::1']) t.same(brief(index.longest(bytes(address))), address.startsWith('f') ? [42, 0] : [43, 1], address);
  const first = index.matches(bytes('192.0.2.1'));
  first[0]!.value = 99;
  t.same(index.matches(bytes('192.0.2.1')).map(brief), [[43, 1], [42, 0]], 'a caller changing a result changes nothing shared');
});


function bit(a: Uint8Array, n: number): number {
  return (a[n >> 3]! >> (7 - (n & 7))) & 1;
}

/** The specification: a prefix holds an address when their first length128 bits agree; the first value added wins. */
function naive(rules: Array<[IpPrefix, number]>, address: Uint8Array): Want[] {
  const seen = new Set<string>();
  const out: Want[] = [];
  for (const [p, value] of rules) {
    let key = `${p.length128}`;
    for (let n = 0; n < p.length128; n++) key += bit(p.address, n);
    if (seen.has(key)) continue;
    seen.add(key);
    let holds = true;
    for (let n = 0; n < p.length128 && holds; n++) holds = bit(p.address, n) === bit(address, n);
    if (holds) out.push([value, p.length128]);
  }
  return out.sort((x, y) => y[1] - x[1]);
}

const seed = Number(process.env.PREFIX_INDEX_SEED ?? Math.floor(Math.random() * 2 ** 32));

t.test(`randomized against a linear scan (seed ${seed}; PREFIX_INDEX_SEED=${seed} to repeat)`, async (t) => {
  t.comment(`seed ${seed}`);
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  // A few base addresses, so that prefixes nest and queries land inside them.
  const bases: Uint8Array[] = [];
  for (let i = 0; i < 6; i++) {
    const a = new Uint8Array(16);
    const kind = int(3);
    if (kind === 0) a.set([0xff, 0xff], 10); // IPv4-mapped
    if (kind !== 2) for (let b = kind === 0 ? 12 : 0; b < 16; b++) a[b] = int(256); // kind 2: near ::
    else a[15] = int(256);
    bases.push(a);
  }
  const near = (): Uint8Array => {
    const a = new Uint8Array(bases[int(bases.length)]!);
    const flips = int(4);
    for (let f = 0; f < flips; f++) {
      const n = 128 - 1 - int(random() < 0.5 ? 32 : 128);
      a[n >> 3]! ^= 1 << (7 - (n & 7));
    }
    return a;
  };
  let checks = 0;
  let hits = 0;
  let deep = 0;
  const mismatches: string[] = [];
  for (let round = 0; round < 60; round++) {
    const rules: Array<[IpPrefix, number]> = [];
    const builder = new PrefixIndexBuilder();
    const count = 1 + int(80);
    let distinct = 0;
    for (let i = 0; i < count; i++) {
      const address = near();
      const length128 = random() < 0.6 ? 96 + int(33) : int(129);
      const p: IpPrefix = { family: 6, bits: length128, address, length128 };
      const value = int(2 ** 32);
      if (builder.add(p, value)) distinct++;
      rules.push([p, value]);
    }
    const index = builder.build();
    const keys = new Set(rules.map(([p]) => naive([[p, 0]], p.address).length && `${p.length128}/${Array.from({ length: p.length128 }, (_, n) => bit(p.address, n)).join('')}`));
    if (index.size !== distinct || distinct !== keys.size) mismatches.push(`round ${round}: size ${index.size}, added ${distinct}, distinct ${keys.size}`);
    for (let q = 0; q < 200; q++) {
      const address = near();
      const want = naive(rules, address);
      const got = index.matches(address).map((m): Want => [m.value, m.length128]);
      const longest = index.longest(address);
      checks++;
      if (want.length > 0) hits++;
      if (want.length > 2) deep++;
      if (JSON.stringify(got) !== JSON.stringify(want) || JSON.stringify(brief(longest)) !== JSON.stringify(want[0] ?? null)) {
        mismatches.push(`${Buffer.from(address).toString('hex')}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      }
    }
  }
  t.same(mismatches.slice(0, 5), [], `${mismatches.length} of ${checks} lookups differ (seed ${seed})`);
  // The comparison only proves something if hits, misses and nesting all occurred.
  t.ok(hits > checks / 10 && hits < checks && deep > 50, `hits ${hits}, with 3+ holders ${deep}, of ${checks}`);
});

t.test(`removal (an IXFR delta): a copy of an index, changed, answers as one built from scratch (seed ${seed})`, async (t) => {
  const random = prng(seed + 1);
  const int = (n: number) => Math.floor(random() * n);
  const randomPrefix = (): IpPrefix => {
    const address = new Uint8Array(16);
    const v4 = random() < 0.6;
    if (v4) address.set([0xff, 0xff, 10, int(4), int(4), int(256)], 10);
    else address.set([0x20, 0x01, 0x0d, 0xb8, 0, int(4), 0, int(4)], 0);
    const length128 = v4 ? 96 + 8 + int(25) : 16 + int(113);
    return { family: 6, bits: length128, address, length128 };
  };
  const key = (p: IpPrefix): string => `${p.length128}/${Array.from({ length: p.length128 }, (_, n) => bit(p.address, n)).join('')}`;
  const queries = Array.from({ length: 300 }, () => randomPrefix().address);
  const mismatches: string[] = [];
  let removedTotal = 0;
  for (let round = 0; round < 40; round++) {
    // Distinct prefixes only, so that the rules held are exactly those present.
    let held = new Map<string, [IpPrefix, number]>();
    const builder = new PrefixIndexBuilder();
    for (let i = 0, count = 1 + int(120); i < count; i++) {
      const p = randomPrefix();
      if (held.has(key(p))) continue;
      held.set(key(p), [p, i]);
      builder.add(p, i);
    }
    const original = builder.build();
    const before = queries.map((a) => JSON.stringify(original.matches(a).map(brief)));

    const changed = new PrefixIndexBuilder(original.parts());
    const removed = [...held.values()].filter(() => random() < 0.4);
    for (const [p] of removed) if (!changed.remove(p)) mismatches.push(`round ${round}: ${key(p)} was not found to remove`);
    if (removed.length > 0 && changed.remove(removed[0]![0])) mismatches.push(`round ${round}: a prefix removed twice`);
    removedTotal += removed.length;
    held = new Map([...held].filter(([, rule]) => !removed.includes(rule)));
    for (let i = 0; i < 10; i++) {
      const p = randomPrefix();
      if (held.has(key(p))) continue;
      held.set(key(p), [p, 1000 + i]);
      changed.add(p, 1000 + i);
    }
    const index = changed.build();

    if (index.size !== held.size) mismatches.push(`round ${round}: size ${index.size}, want ${held.size}`);
    for (const address of queries) {
      const got = JSON.stringify(index.matches(address).map(brief));
      const want = JSON.stringify(naive([...held.values()], address));
      if (got !== want) mismatches.push(`round ${round} ${Buffer.from(address).toString('hex')}: got ${got}, want ${want}`);
    }
    if (JSON.stringify(queries.map((a) => JSON.stringify(original.matches(a).map(brief)))) !== JSON.stringify(before)) mismatches.push(`round ${round}: the original index changed`);
  }
  t.ok(removedTotal > 500, `prefixes removed: ${removedTotal}`);
  t.same(mismatches.slice(0, 5), [], `${mismatches.length} differences over 40 rounds × ${queries.length} lookups (seed ${seed})`);
});

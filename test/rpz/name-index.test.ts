import t, { type Test } from 'tap';
import { NameIndexBuilder, type NameIndex, type NameMatch } from '../../src/rpz/name-index.js';
import { prng } from '../helpers/prng.js';

/** [name, wildcard, value]: ('example.com', true) is the owner `*.example.com`. */
type Rule = [string, boolean, number];
/** [value, wildcard, labels, owner] or null for no match. */
type Want = [number, boolean, number, string] | null;

function build(rules: Rule[]): NameIndex {
  const builder = new NameIndexBuilder();
  for (const [name, wildcard, value] of rules) builder.add(name, wildcard, value);
  return builder.build();
}

function brief(match: NameMatch | null): Want {
  return match === null ? null : [match.value, match.wildcard, match.labels, match.owner];
}

t.test('lookup: one behaviour per row', async (t) => {
  const rows: Array<{ name: string; rules: Rule[]; query: string; want: Want }> = [
    { name: 'exact hit', rules: [['example.com', false, 1]], query: 'example.com', want: [1, false, 2, 'example.com'] },
    { name: 'exact does not cover names below', rules: [['example.com', false, 1]], query: 'www.example.com', want: null },
    { name: 'exact does not cover its parent', rules: [['www.example.com', false, 1]], query: 'example.com', want: null },
    { name: 'wildcard matches a child', rules: [['example.com', true, 1]], query: 'www.example.com', want: [1, true, 2, '*.example.com'] },
    { name: 'wildcard matches at any depth', rules: [['example.com', true, 1]], query: 'a.b.c.example.com', want: [1, true, 2, '*.example.com'] },
    { name: 'wildcard never matches its own parent', rules: [['example.com', true, 1]], query: 'example.com', want: null },
    { name: 'wildcard respects label boundaries', rules: [['ample.com', true, 1]], query: 'www.example.com', want: null },
    { name: 'exact over wildcard', rules: [['example.com', true, 1], ['www.example.com', false, 2]], query: 'www.example.com', want: [2, false, 3, 'www.example.com'] },
    { name: 'exact + wildcard pair: the name', rules: [['example.com', false, 1], ['example.com', true, 2]], query: 'example.com', want: [1, false, 2, 'example.com'] },
    { name: 'exact + wildcard pair: below', rules: [['example.com', false, 1], ['example.com', true, 2]], query: 'x.y.example.com', want: [2, true, 2, '*.example.com'] },
    { name: 'more labels over fewer', rules: [['b.c', true, 1], ['a.b.c', true, 2]], query: 'x.a.b.c', want: [2, true, 3, '*.a.b.c'] },
    { name: 'more labels over fewer, added in the other order', rules: [['a.b.c', true, 2], ['b.c', true, 1]], query: 'y.x.a.b.c', want: [2, true, 3, '*.a.b.c'] },
    { name: 'shorter wildcard beside a longer one', rules: [['b.c', true, 1], ['a.b.c', true, 2]], query: 'x.b.c', want: [1, true, 2, '*.b.c'] },
    { name: 'miss: unrelated name', rules: [['example.com', false, 1], ['example.com', true, 2]], query: 'example.org', want: null },
    { name: 'miss: the TLD', rules: [['example.com', true, 1]], query: 'com', want: null },
    { name: 'ENT: a rule below does not make the name match', rules: [['a.b.example', false, 1]], query: 'b.example', want: null },
    // BIND: the wildcard's parent is an empty non-terminal of the policy zone (see the NameIndex comment).
    { name: 'ENT of a deeper wildcard hides the shallower wildcard', rules: [['b.c', true, 1], ['a.b.c', true, 2]], query: 'a.b.c', want: null },
    { name: 'BIND: ENT below a wildcard is not matched', rules: [['example', true, 1], ['a.b.example', false, 2]], query: 'b.example', want: null },
    { name: 'BIND: name below an ENT is not matched', rules: [['example', true, 1], ['a.b.example', false, 2]], query: 'z.b.example', want: null },
    { name: 'BIND: the wildcard still covers other names', rules: [['example', true, 1], ['a.b.example', false, 2]], query: 'c.example', want: [1, true, 1, '*.example'] },
    { name: 'BIND: an exact rule hides a shallower wildcard from names below it', rules: [['example', true, 1], ['a.example', false, 2]], query: 'x.a.example', want: null },
    { name: '\\046 is part of a label: exact', rules: [['a\\046b.example', false, 1]], query: 'a\\046b.example', want: [1, false, 2, 'a\\046b.example'] },
    { name: '\\046 is part of a label: not below b.example', rules: [['b.example', true, 1]], query: 'a\\046b.example', want: null },
    { name: '\\046 is part of a label: no ENT at b.example', rules: [['example', true, 1], ['a\\046b.example', false, 2]], query: 'b.example', want: [1, true, 1, '*.example'] },
    { name: '\\046 is part of a label: wildcard owner', rules: [['a\\046b.example', true, 1]], query: 'x.a\\046b.example', want: [1, true, 2, '*.a\\046b.example'] },
    { name: 'root level: one-label exact', rules: [['com', false, 1]], query: 'com', want: [1, false, 1, 'com'] },
    { name: 'root level: wildcard below a TLD', rules: [['com', true, 1]], query: 'example.com', want: [1, true, 1, '*.com'] },
    { name: 'root level: "*" matches every name', rules: [['', true, 1]], query: 'www.example.com', want: [1, true, 0, '*'] },
    { name: 'root level: "*" does not match the root', rules: [['', true, 1]], query: '', want: null },
    { name: 'root level: exact root', rules: [['', false, 1]], query: '', want: [1, false, 0, ''] },
    { name: 'root level: "*" hidden below an ENT', rules: [['', true, 1], ['a.b', false, 2]], query: 'x.b', want: null },
    { name: 'root level: more labels over "*"', rules: [['', true, 1], ['org', true, 2]], query: 'x.org', want: [2, true, 1, '*.org'] },
    { name: 'literal "*": the wildcard owner itself', rules: [['w', true, 1]], query: '*.w', want: [1, true, 1, '*.w'] },
    { name: 'literal "*": below the wildcard owner (its closest encloser)', rules: [['w', true, 1]], query: 'y.*.w', want: null },
    { name: 'literal "*": exact rule with a "*" label', rules: [['w', true, 1], ['x.*.w', false, 2]], query: 'x.*.w', want: [2, false, 3, 'x.*.w'] },
    { name: 'literal "*": wildcard below a wildcard owner', rules: [['w', true, 1], ['*.w', true, 2]], query: 'y.*.w', want: [2, true, 2, '*.*.w'] },
    { name: 'literal "*" not under a wildcard is an ordinary label', rules: [['w', false, 1]], query: '*.w', want: null },
    { name: 'largest value', rules: [['example.com', false, 0xffffffff]], query: 'example.com', want: [0xffffffff, false, 2, 'example.com'] },
    { name: 'value 0', rules: [['example.com', true, 0]], query: 'a.example.com', want: [0, true, 2, '*.example.com'] },
  ];
  for (const row of rows) t.same(brief(build(row.rules).lookup(row.query)), row.want, `${row.name}: ${row.query}`);
});

t.test('duplicates: first one wins, counts exclude them', async (t) => {
  const builder = new NameIndexBuilder();
  t.equal(builder.add('example.com', false, 1), true, 'first exact');
  t.equal(builder.add('example.com', true, 2), true, 'the wildcard of the same name is another rule');
  t.equal(builder.add('example.com', false, 3), false, 'second exact');
  t.equal(builder.add('example.com', true, 4), false, 'second wildcard');
  t.equal(builder.add('', true, 5), true, 'root wildcard');
  t.equal(builder.add('', true, 6), false, 'second root wildcard');
  t.equal(builder.add('www.example.com', false, 7), true, 'a name whose parent already exists');
  t.equal(builder.add('com', false, 8), true, 'a name that existed only as an ENT');
  t.equal(builder.add('com', false, 9), false, 'then a duplicate');
  const index = builder.build();
  t.same(brief(index.lookup('example.com')), [1, false, 2, 'example.com']);
  t.same(brief(index.lookup('x.example.com')), [2, true, 2, '*.example.com']);
  t.same(brief(index.lookup('other.net')), [5, true, 0, '*']);
  t.same(brief(index.lookup('com')), [8, false, 1, 'com']);
  t.same(index.counts, { exact: 3, wildcard: 2 });
  t.equal(index.size, 5);
});

t.test('empty index', async (t) => {
  const index = new NameIndexBuilder().build();
  t.equal(index.size, 0);
  t.same(index.counts, { exact: 0, wildcard: 0 });
  for (const name of ['', 'com', 'www.example.com', '*.example.com']) t.equal(index.lookup(name), null, name);
});

t.test('bad input fails at add, and a built builder is closed', async (t) => {
  const builder = new NameIndexBuilder();
  for (const name of ['Example.com', 'a..b', '.a', 'a.', '.', 'a b', 'caf\u00e9.fr', 'tab\t.x']) {
    t.throws(() => builder.add(name, false, 1), TypeError, `name ${JSON.stringify(name)}`);
  }
  for (const value of [-1, 1.5, 2 ** 32, Number.NaN]) t.throws(() => builder.add('a', false, value), TypeError, `value ${value}`);
  t.equal(builder.add('a', false, 1), true, 'failed adds left no trace');
  const index = builder.build();
  t.same(index.counts, { exact: 1, wildcard: 0 });
  t.throws(() => builder.add('b', false, 2), /after build/);
  t.throws(() => builder.build(), /twice/);
});

/** The obvious implementation of the same rules: a zone's owner names, RFC 4592 closest encloser, Maps and a Set. */
class Reference {
  readonly exact = new Map<string, number>();
  readonly wild = new Map<string, number>();
  readonly #exists = new Set<string>(['']);

  add(name: string, wildcard: boolean, value: number): boolean {
    const rules = wildcard ? this.wild : this.exact;
    if (rules.has(name)) return false;
    rules.set(name, value);
    // The owner name and every ancestor exist in the zone.
    const labels = (wildcard ? (name === '' ? '*' : `*.${name}`) : name).split('.');
    for (let i = 0; i < labels.length; i++) this.#exists.add(labels.slice(i).join('.'));
    return true;
  }

  lookup(name: string): Want {
    const exact = this.exact.get(name);
    if (exact !== undefined) return [exact, false, count(name), name];
    if (name === '*' || name.startsWith('*.')) {
      const parent = name.slice(2);
      const wild = this.wild.get(parent);
      if (wild !== undefined) return [wild, true, count(parent), name];
    }
    if (this.#exists.has(name)) return null;
    const labels = name.split('.');
    for (let i = 1; i <= labels.length; i++) {
      const ancestor = labels.slice(i).join('.');
      if (!this.#exists.has(ancestor)) continue;
      const wild = this.wild.get(ancestor);
      return wild === undefined ? null : [wild, true, count(ancestor), ancestor === '' ? '*' : `*.${ancestor}`];
    }
    return null;
  }
}

function count(name: string): number {
  return name === '' ? 0 : name.split('.').length;
}


const seed = Number(process.env.NAME_INDEX_SEED ?? Date.now() % 2 ** 31);

type Outcomes = { exact: number; wildcard: number; none: number };

function compare(t: Test, rules: Rule[], queries: string[]): Outcomes {
  const builder = new NameIndexBuilder();
  const reference = new Reference();
  const addMismatches = rules.filter(([name, wildcard, value]) => builder.add(name, wildcard, value) !== reference.add(name, wildcard, value));
  t.same(addMismatches, [], 'add() reports duplicates like the reference');
  const index = builder.build();
  t.same(index.counts, { exact: reference.exact.size, wildcard: reference.wild.size }, 'counts');
  const seen: Outcomes = { exact: 0, wildcard: 0, none: 0 };
  const mismatches: Array<{ query: string; got: Want; want: Want }> = [];
  for (const query of queries) {
    const got = brief(index.lookup(query));
    const want = reference.lookup(query);
    seen[want === null ? 'none' : want[1] ? 'wildcard' : 'exact']++;
    if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push({ query, got, want });
  }
  t.same(mismatches.slice(0, 10), [], `${mismatches.length} of ${queries.length} lookups differ from the reference (seed ${seed})`);
  return seen;
}

t.test(`randomized against a Map-based reference, small alphabet (seed ${seed}; NAME_INDEX_SEED=${seed} to repeat)`, async (t) => {
  t.comment(`seed ${seed}`);
  const random = prng(seed);
  const alphabet = ['a', 'b', 'c', 'd', 'xn--e', '\\046', 'f\\046g', '*'];
  const name = (): string => {
    const labels: string[] = [];
    const depth = Math.floor(random() * 5);
    for (let i = 0; i < depth; i++) labels.push(alphabet[Math.floor(random() * (random() < 0.1 ? alphabet.length : alphabet.length - 1))]!);
    return labels.join('.');
  };
  const totals: Outcomes = { exact: 0, wildcard: 0, none: 0 };
  for (let round = 0; round < 40; round++) {
    const rules: Rule[] = [];
    const size = 1 + Math.floor(random() * 60);
    for (let i = 0; i < size; i++) rules.push([name(), random() < 0.35, Math.floor(random() * 2 ** 32)]);
    const queries: string[] = [];
    for (let i = 0; i < 300; i++) queries.push(random() < 0.3 && rules.length > 0 ? rules[Math.floor(random() * rules.length)]![0] : name());
    const seen = compare(t, rules, queries);
    for (const key of ['exact', 'wildcard', 'none'] as const) totals[key] += seen[key];
  }
  // The rows above only prove something if every outcome occurred.
  t.ok(totals.exact > 100 && totals.wildcard > 100 && totals.none > 100, `outcomes: ${JSON.stringify(totals)}`);
});

t.test(`randomized against a Map-based reference, 60,000 rules (seed ${seed})`, async (t) => {
  const random = prng(seed ^ 0x5eed);
  const tlds = ['com', 'net', 'org', 'de', 'co.uk', 'xn--p1ai'];
  const word = (): string => Math.floor(random() * 2 ** 32).toString(36).slice(0, 2 + Math.floor(random() * 6));
  const domains: string[] = [];
  for (let i = 0; i < 30000; i++) domains.push(`${word()}.${tlds[Math.floor(random() * tlds.length)]!}`);
  const name = (): string => {
    const base = domains[Math.floor(random() * domains.length)]!;
    const extra = Math.floor(random() * 3);
    let out = base;
    for (let i = 0; i < extra; i++) out = `${random() < 0.5 ? 'www' : word()}.${out}`;
    return out;
  };
  const rules: Rule[] = [];
  for (let i = 0; i < 60000; i++) rules.push([name(), random() < 0.35, i]);
  const queries: string[] = [];
  for (let i = 0; i < 60000; i++) queries.push(random() < 0.3 ? rules[Math.floor(random() * rules.length)]![0] : name());
  const seen = compare(t, rules, queries);
  t.ok(seen.exact > 1000 && seen.wildcard > 1000 && seen.none > 1000, `outcomes: ${JSON.stringify(seen)}`);
});

t.test('remove: an empty non-terminal that loses its last name stops hiding the wildcard above it', async (t) => {
  const index = build([['example', true, 1], ['a.b.example', false, 2]]);
  t.same(brief(index.lookup('z.b.example')), null, 'b.example exists (a.b.example is below it): *.example does not apply');
  const editing = new NameIndexBuilder(index.parts());
  t.equal(editing.remove('a.b.example', true), false, 'no wildcard rule there');
  t.equal(editing.remove('zz.example', false), false, 'no such name');
  t.equal(editing.remove('a.b.example', false), true);
  const edited = editing.build();
  t.same(brief(edited.lookup('z.b.example')), [1, true, 1, '*.example'], 'b.example is gone: its closest encloser is example');
  t.same(brief(edited.lookup('a.b.example')), [1, true, 1, '*.example']);
  t.same(edited.counts, { exact: 0, wildcard: 1 });
  t.same(brief(index.lookup('z.b.example')), null, 'the index edited from stays as it was');
  t.same(brief(index.lookup('a.b.example')), [2, false, 3, 'a.b.example']);
});

t.test(`edited three times against a Map-based reference built from scratch, 40,000 rules (seed ${seed})`, async (t) => {
  const random = prng(seed ^ 0xed17);
  const word = (): string => ['a', 'b', 'c', 'www', 'xn--e'][Math.floor(random() * 5)]!;
  const name = (): string => Array.from({ length: 1 + Math.floor(random() * 4) }, word).join('.') + `.${Math.floor(random() * 3000).toString(36)}`;
  const rules = new Map<string, Rule>();
  let next = 0;
  const grow = (count: number): Rule[] => {
    const added: Rule[] = [];
    while (added.length < count) {
      const rule: Rule = [name(), random() < 0.35, next++];
      const key = `${rule[0]}|${rule[1]}`;
      if (rules.has(key)) continue;
      rules.set(key, rule);
      added.push(rule);
    }
    return added;
  };
  let index = build(grow(40_000));
  for (let round = 1; round <= 3; round++) {
    const editing = new NameIndexBuilder(index.parts());
    const removed = [...rules.values()].filter(() => random() < 0.3);
    const notRemoved = removed.filter(([n, w]) => !editing.remove(n, w));
    t.same(notRemoved, [], `round ${round}: every rule held is removed`);
    for (const [n, w] of removed) rules.delete(`${n}|${w}`);
    for (const [n, w, v] of grow(4_000)) editing.add(n, w, v);
    index = editing.build();
    const reference = new Reference();
    for (const [n, w, v] of rules.values()) reference.add(n, w, v);
    t.same(index.counts, { exact: reference.exact.size, wildcard: reference.wild.size }, `round ${round}: counts`);
    const queries = Array.from({ length: 20_000 }, () => (random() < 0.5 ? [...rules.values()][Math.floor(random() * rules.size)]![0] : name()));
    queries.push(...removed.slice(0, 5_000).map(([n]) => n));
    const mismatches = queries.map((query) => ({ query, got: brief(index.lookup(query)), want: reference.lookup(query) })).filter((m) => JSON.stringify(m.got) !== JSON.stringify(m.want));
    t.same(mismatches.slice(0, 10), [], `round ${round}: ${mismatches.length} of ${queries.length} lookups differ from the reference`);
  }
});

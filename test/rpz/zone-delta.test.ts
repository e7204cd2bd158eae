import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { addressToBytes } from '../../src/rpz/ip-prefix.js';
import { loadPolicyZone } from '../../src/rpz/load-zone.js';
import { PolicyZone, type ZoneEdit } from '../../src/rpz/policy-zone.js';
import type { ZoneRecord } from '../../src/rpz/zone-reader.js';
import { editByDelta } from '../../src/sources/ixfr-delta.js';
import { applyDeltas, recordLine, writeZoneCopy, type Delta } from '../../src/sources/zone-transfer/zone-copy.js';
import { prng } from '../helpers/prng.js';

/**
 * An IXFR applied to the zone in force (zone-delta.ts) must give the zone a
 * whole compile of the new copy gives: the same rule for every name, the
 * same counts and warnings. Random zones over a few labels and prefixes (so
 * that wildcards, empty non-terminals, duplicate actions, local data at one
 * owner, nested prefixes and a bad prefix meet), changed by random deltas,
 * round after round on the edited zone.
 */

const ORIGIN = 'rpz.test';
const LABELS = ['a', 'b', 'c', 'd', 'e'];
const ACTIONS: ReadonlyArray<[string, string[]]> = [
  ['CNAME', ['.']],
  ['CNAME', ['*.']],
  ['CNAME', ['rpz-passthru.']],
  ['CNAME', ['rpz-drop.']],
  ['CNAME', ['rpz-tcp-only.']],
  ['CNAME', ['*.garden.example.']],
  ['CNAME', ['walled.example.']],
  ['A', ['192.0.2.1']],
  ['A', ['192.0.2.2']],
  ['TXT', ['blocked here']],
];

/** IP-trigger owners: nested IPv4 and IPv6 prefixes, and one whose length is out of range (a warning, no rule). */
const PREFIXES = ['32.1.2.0.192', '32.7.2.0.192', '24.0.2.0.192', '16.0.0.168.192', '8.0.0.0.10', '128.1.zz.db8.2001', '48.zz.db8.2001', '64.zz.1.db8.2001', '33.1.2.0.192'];
const IP_TRIGGERS = ['rpz-ip', 'rpz-client-ip', 'rpz-nsip'];
/** Addresses to ask every prefix index for: inside one, several or none of PREFIXES. */
const ADDRESSES = ['192.0.2.1', '192.0.2.7', '192.0.2.200', '192.168.3.4', '10.9.9.9', '172.16.0.1', '2001:db8::1', '2001:db8::2', '2001:db8:0:1::5', '2001:db9::1'];
const PREFIX_INDEXES = ['clientIp', 'ip', 'nsip'] as const;

const record = (owner: string, type: string, rdata: string[], ttl = 300): ZoneRecord => ({ owner, ttl, type, rdata, origin: ORIGIN, file: 'ixfr', line: 0 });
const soa = (serial: number): ZoneRecord => record(ORIGIN, 'SOA', ['ns.rpz.test.', 'hostmaster.rpz.test.', String(serial), '3600', '600', '86400', '60']);
const keyOf = (r: ZoneRecord): string => `${r.owner} ${r.type} ${r.rdata.join(' ')}`;

/** A random record: a name of one to three labels, maybe a wildcard, maybe an NSDNAME trigger; or an IP trigger. */
function randomRecord(random: () => number): ZoneRecord {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  if (random() < 0.2) {
    const [type, rdata] = pick(ACTIONS);
    return record(`${pick(PREFIXES)}.${pick(IP_TRIGGERS)}.${ORIGIN}`, type, rdata, 60 + Math.floor(random() * 3) * 60);
  }
  const labels = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(LABELS));
  if (random() < 0.25) labels.unshift('*');
  const suffix = random() < 0.15 ? `rpz-nsdname.${ORIGIN}` : ORIGIN;
  const [type, rdata] = pick(ACTIONS);
  return record(`${labels.join('.')}.${suffix}`, type, rdata, 60 + Math.floor(random() * 3) * 60);
}

/** Every name worth asking: the owners, their ancestors, and names below them. */
function namesToAsk(records: Iterable<ZoneRecord>): string[] {
  const names = new Set<string>(['', 'zz', 'a.zz']);
  for (const r of records) {
    if (/\.rpz-(client-)?(ip|nsip)\./.test(r.owner)) continue;
    const relative = r.owner.replace(`.rpz-nsdname.${ORIGIN}`, '').replace(`.${ORIGIN}`, '').replace(/^\*\.?/, '');
    const labels = relative === '' ? [] : relative.split('.');
    for (let i = 0; i <= labels.length; i++) {
      const name = labels.slice(i).join('.');
      names.add(name);
      names.add(name === '' ? 'x' : `x.${name}`);
      names.add(name === '' ? '*' : `*.${name}`);
    }
  }
  return [...names];
}

/** What a zone answers for `name` in one index, in terms that do not depend on rule ids. */
function answer(zone: PolicyZone, index: 'qname' | 'nsdname', name: string): unknown {
  const match = zone.indexes[index].lookup(name);
  if (match === null) return null;
  const rule = zone.rule(match.value);
  return { wildcard: match.wildcard, labels: match.labels, owner: match.owner, kind: rule.kind, ttl: rule.ttl, garden: rule.garden, local: rule.local?.map((l) => `${l.type} ${l.ttl} ${l.rdata.toString('hex')}`) };
}

/** What a zone's prefix index holds for `address`: every matching prefix, longest first, with its rule. */
function prefixAnswer(zone: PolicyZone, index: (typeof PREFIX_INDEXES)[number], address: string): unknown {
  return zone.indexes[index].matches(addressToBytes(address)!).map((match) => {
    const rule = zone.rule(match.value);
    return { length: match.length128, owner: zone.prefixOwner(match.value), kind: rule.kind, ttl: rule.ttl, garden: rule.garden, local: rule.local?.map((l) => `${l.type} ${l.ttl} ${l.rdata.toString('hex')}`) };
  });
}

function sameZone(t: Test, edited: PolicyZone, whole: PolicyZone, names: readonly string[], round: string): void {
  const differences: string[] = [];
  for (const index of ['qname', 'nsdname'] as const) {
    for (const name of names) {
      const got = JSON.stringify(answer(edited, index, name));
      const want = JSON.stringify(answer(whole, index, name));
      if (got !== want) differences.push(`${index} ${JSON.stringify(name)}: edited ${got}, whole ${want}`);
    }
    t.same(edited.indexes[index].counts, whole.indexes[index].counts, `${round}: ${index} counts`);
  }
  for (const index of PREFIX_INDEXES) {
    for (const address of ADDRESSES) {
      const got = JSON.stringify(prefixAnswer(edited, index, address));
      const want = JSON.stringify(prefixAnswer(whole, index, address));
      if (got !== want) differences.push(`${index} ${address}: edited ${got}, whole ${want}`);
    }
    t.equal(edited.indexes[index].size, whole.indexes[index].size, `${round}: ${index} prefixes`);
  }
  t.same(differences, [], `${round}: every name and address gets the same rules (${names.length} names × 2 indexes, ${ADDRESSES.length} addresses × 3)`);
  const { warnings: editedWarnings, ...editedStats } = edited.stats;
  const { warnings: wholeWarnings, ...wholeStats } = whole.stats;
  t.same(editedStats, wholeStats, `${round}: records, triggers, actions and serial`);
  // A kind first met in a delta comes last; a whole compile lists kinds in the order the zone first has them.
  const kinds = (w: typeof wholeWarnings): Array<[string, number]> => w.map((x): [string, number] => [x.kind, x.count]).sort(([a], [b]) => a.localeCompare(b));
  t.same(kinds(editedWarnings), kinds(wholeWarnings), `${round}: warning kinds and counts`);
  t.same(edited.soa, whole.soa, `${round}: SOA`);
}

for (const seed of [1, 2, 3, 4, 5, 6]) {
  t.test(`seed ${seed}: twelve IXFRs, each applied to the zone edited by the one before`, async (t) => {
    const random = prng(seed);
    const path = join(mkdtempSync(join(tmpdir(), 'stopzone-delta-')), 'rpz.test.rpz');
    const held = new Map<string, ZoneRecord>();
    while (held.size < 120) {
      const r = randomRecord(random);
      held.set(keyOf(r), r);
    }
    let serial = 1;
    await writeZoneCopy(path, [soa(serial), ...held.values()].map(recordLine));
    let zone = await loadPolicyZone(path, ORIGIN);
    let edits = 0;
    for (let round = 1; round <= 12; round++) {
      const deltas: Delta[] = [];
      for (let d = 0; d < 1 + Math.floor(random() * 3); d++) {
        const removed = [...held.values()].filter(() => random() < 0.06);
        for (const r of removed) held.delete(keyOf(r));
        const added: ZoneRecord[] = [];
        for (let i = 0; i < 8; i++) {
          const r = randomRecord(random);
          if (held.has(keyOf(r))) continue;
          held.set(keyOf(r), r);
          added.push(r);
        }
        deltas.push({ removed: [soa(serial), ...removed], added: [soa(serial + 1), ...added] });
        serial++;
      }
      const touched = await applyDeltas(path, deltas);
      const whole = await loadPolicyZone(path, ORIGIN);
      const outcome = await editByDelta(zone.deltaBase(), ORIGIN, touched, path);
      if ('rebuild' in outcome) {
        t.comment(`round ${round}: compiled whole (${outcome.rebuild})`);
        zone = whole;
        continue;
      }
      edits++;
      const edited = PolicyZone.edited(zone, outcome.edit);
      sameZone(t, edited, whole, namesToAsk(held.values()), `round ${round}`);
      zone = edited;
    }
    t.ok(edits >= 8, `most rounds were applied as deltas (${edits} of 12)`);
  });
}

t.test('what cannot be changed in place is compiled whole, with the reason; IP triggers can be', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'stopzone-delta-')), 'rpz.test.rpz');
  const a = record('a.rpz.test', 'CNAME', ['.']);
  await writeZoneCopy(path, [soa(1), a, record('32.1.2.0.192.rpz-ip.rpz.test', 'CNAME', ['.'])].map(recordLine));
  const zone = await loadPolicyZone(path, ORIGIN);

  const ip = await applyDeltas(path, [{ removed: [soa(1)], added: [soa(2), record('24.0.2.0.192.rpz-ip.rpz.test', 'CNAME', ['.'])] }]);
  const ipEdit = await editByDelta(zone.deltaBase(), ORIGIN, ip, path);
  if (!('edit' in ipEdit)) throw new Error(`the IP delta was compiled whole: ${ipEdit.rebuild}`);
  const withIp = PolicyZone.edited(zone, ipEdit.edit);
  t.same(withIp.indexes.ip.matches(addressToBytes('192.0.2.1')!).map((m) => [withIp.prefixOwner(m.value), m.length128]), [['32.1.2.0.192', 128], ['24.0.2.0.192', 120]], 'an IP trigger added in place');
  t.same(zone.indexes.ip.matches(addressToBytes('192.0.2.1')!).map((m) => m.length128), [128], 'the zone in force keeps its own prefix index');

  // The zone in force lacks a rule the copy holds: the copy was changed by a refresh whose zone never came into force.
  const stale = await loadPolicyZone(path, ORIGIN);
  const ahead = await applyDeltas(path, [{ removed: [soa(2)], added: [soa(3), record('b.rpz.test', 'CNAME', ['.'])] }]);
  const gone = await applyDeltas(path, [{ removed: [soa(3), record('b.rpz.test', 'CNAME', ['.'])], added: [soa(4)] }]);
  t.ok(ahead.after.length > 1);
  t.match(await editByDelta(stale.deltaBase(), ORIGIN, gone, path), { rebuild: 'the copy was at serial 3, the zone in force is at 2' });

  const edited = await editByDelta(zone.deltaBase(), ORIGIN, { before: [recordLine(soa(1)), recordLine(a)], after: [recordLine(soa(2))] }, path);
  t.ok('edit' in edited, 'a QNAME rule removed in place');
  t.equal(PolicyZone.edited(zone, (edited as { edit: ZoneEdit }).edit).indexes.qname.lookup('a'), null, 'gone from the edited zone');
  t.equal(zone.indexes.qname.lookup('a')?.value, 0, 'the zone in force is untouched by the edit of its copy');
});

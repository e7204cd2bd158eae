import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadPolicyZone } from '../../../src/rpz/load-zone.js';
import type { ZoneRecord } from '../../../src/rpz/zone-reader.js';
import { serialNewer } from '../../../src/sources/zone-transfer/secondary.js';
import { applyDeltas, recordLine, writeZoneCopy } from '../../../src/sources/zone-transfer/zone-copy.js';

/** The last-good copy of a transferred zone: written whole, changed by IXFR deltas, loadable as a zone file. */

const record = (owner: string, type: string, rdata: string[], ttl = 300): ZoneRecord => ({ owner, ttl, type, rdata, origin: 'rpz.test', file: 'axfr', line: 0 });
const soa = (serial: number) => record('rpz.test', 'SOA', ['ns.rpz.test.', 'hostmaster.rpz.test.', String(serial), '3600', '600', '86400', '60']);

t.test('an AXFR copy, then deltas in order: removals, additions, an addition removed later, a TXT with spaces', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'stopzone-copy-')), 'rpz.test.rpz');
  await writeZoneCopy(path, [soa(1), record('a.example.rpz.test', 'CNAME', ['.']), record('b.example.rpz.test', 'CNAME', ['.']), record('t.example.rpz.test', 'TXT', ['two words', 'quote \\" inside'])].map(recordLine));
  await applyDeltas(path, [
    { removed: [soa(1), record('a.example.rpz.test', 'CNAME', ['.'], 999)], added: [soa(2), record('c.example.rpz.test', 'CNAME', ['.']), record('d.example.rpz.test', 'CNAME', ['.'])] },
    { removed: [soa(2), record('d.example.rpz.test', 'CNAME', ['.'])], added: [soa(3)] },
  ]);
  const text = readFileSync(path, 'utf8');
  t.match(text.split('\n')[0], /^rpz\.test\. 300 IN SOA ns\.rpz\.test\. hostmaster\.rpz\.test\. 3 /, 'the new SOA first');
  t.notMatch(text, /^a\.example/m, 'removed (the TTL is not part of a record\'s identity)');
  t.notMatch(text, /^d\.example/m, 'added then removed');
  t.match(text, /^c\.example\.rpz\.test\. 300 IN CNAME \.$/m);
  const zone = await loadPolicyZone(path, 'rpz.test');
  t.equal(zone.stats.serial, '3');
  t.same(zone.stats.triggers.qname, 3, 'b, c and the TXT owner');
  t.same(zone.stats.warnings, [], 'the copy reads back without warnings');
});

t.test('a delta that removes a record the copy lacks is refused and the copy is left whole', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'stopzone-copy-')), 'rpz.test.rpz');
  await writeZoneCopy(path, [soa(1), record('a.example.rpz.test', 'CNAME', ['.'])].map(recordLine));
  const before = readFileSync(path, 'utf8');
  await t.rejects(applyDeltas(path, [{ removed: [soa(1), record('zzz.example.rpz.test', 'CNAME', ['.'])], added: [soa(2)] }]), /removes 1 record\(s\) the last-good copy does not hold \(first: zzz\.example\.rpz\.test\. IN CNAME \.\)/);
  t.equal(readFileSync(path, 'utf8'), before);
});

t.test('RFC 1982 serial arithmetic, across the wrap', async (t) => {
  t.ok(serialNewer(2, 1));
  t.notOk(serialNewer(1, 1));
  t.notOk(serialNewer(1, 2));
  t.ok(serialNewer(5, 4294967290), 'wrapped around');
  t.notOk(serialNewer(4294967290, 5));
});

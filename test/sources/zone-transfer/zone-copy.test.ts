import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { listRecords } from '../../../src/dns/wire.js';
import { loadPolicyZone } from '../../../src/rpz/load-zone.js';
import { readZone, type ZoneRecord } from '../../../src/rpz/zone-reader.js';
import { toZoneRecord } from '../../../src/sources/zone-transfer/record-text.js';
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

/** Labels on the wire: a length octet, then the bytes, then the root. */
const wireName = (labels: readonly Buffer[]) => Buffer.concat([...labels.flatMap((l) => [Buffer.from([l.length]), l]), Buffer.from([0])]);
const wireRecord = (owner: readonly Buffer[], type: number, rdata: Buffer) => {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(1, 2);
  fixed.writeUInt32BE(300, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([wireName(owner), fixed, rdata]);
};
/** A name's or string's master-file text back to bytes: \DDD and \X unescaped, labels split on unescaped dots. */
function unescape(text: string): Buffer[] {
  const parts: Buffer[] = [];
  let bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) {
      const digits = /^[0-9]{3}/.exec(text.slice(i + 1));
      bytes.push(digits === null ? text.charCodeAt(i + 1) : Number(digits[0]));
      i += digits === null ? 1 : 3;
    } else if (c === 0x2e) {
      parts.push(Buffer.from(bytes));
      bytes = [];
    } else bytes.push(c);
  }
  parts.push(Buffer.from(bytes));
  return parts;
}
const lower = (label: Buffer) => Buffer.from(label.map((b) => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b)));

t.test('hostile names and strings from a transfer: the copy reads back byte for byte and includes nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-copy-hostile-'));
  // Read only if a name in the copy became a directive; lower case and no dot, so that the old copy writer's text named it exactly.
  const secret = join(tmpdir(), `stopzone-secret-${randomBytes(6).toString('hex')}`);
  t.teardown(() => rmSync(secret, { force: true }));
  writeFileSync(secret, 'leak hunter2-from-the-secondary\nx CNAME .\n');
  const zone = [Buffer.from('rpz'), Buffer.from('test')];
  const owners: Buffer[][] = [
    [Buffer.from(`$INCLUDE(${secret});x`), ...zone],
    [Buffer.from(`$INCLUDE`), ...zone],
    [Buffer.from(`$origin evil.`), Buffer.from('$ttl'), ...zone],
    [Buffer.from('a"b'), Buffer.from('c;d'), Buffer.from('(e)'), ...zone],
    [Buffer.from('@'), ...zone],
    [Buffer.from('back\\slash'), Buffer.from('dot.inside'), ...zone],
    [Buffer.from([0x00, 0x09, 0x0a, 0x0d, 0x20, 0x7f, 0xff, 0x41]), ...zone],
    [Buffer.from('*'), Buffer.from('Mixed-CASE_ok'), ...zone],
  ];
  const target = [Buffer.from('t(x;'), Buffer.from('$INCLUDE "q"'), Buffer.from('example')];
  const txt = [Buffer.from('say "hi" \\ ; ( ) $INCLUDE'), Buffer.from([0x00, 0x0a, 0x22, 0x5c, 0xff])];
  const records = [
    ...owners.map((owner) => wireRecord(owner, 5, wireName([]))),
    wireRecord([Buffer.from('cname'), ...zone], 5, wireName(target)),
    wireRecord([Buffer.from('txt'), ...zone], 16, Buffer.concat(txt.flatMap((s) => [Buffer.from([s.length]), s]))),
  ];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(0x8400, 2);
  header.writeUInt16BE(records.length, 6);
  const message = Buffer.concat([header, ...records]);
  const transferred = listRecords(message, 12)!.map((at, i) => toZoneRecord(message, at, { file: 'axfr://test', origin: 'rpz.test' }, i + 1)!);
  const path = join(dir, 'rpz.test.rpz');
  await writeZoneCopy(path, [soa(1), ...transferred].map(recordLine));

  const read: ZoneRecord[] = [];
  const stats = await readZone(path, { origin: 'rpz.test' }, (r) => read.push(r));
  t.same(stats.files, [path], 'no other file was read, though the copy is read as a local zone file (includes allowed)');
  t.same(read.map((r) => r.owner), [soa(1), ...transferred].map((r) => r.owner), 'the owners as transferred');
  t.same(read.slice(1, 1 + owners.length).map((r) => unescape(r.owner)), owners.map((o) => o.map(lower)), 'byte for byte (A-Z folded to lower case)');
  const cname = read.find((r) => r.owner === 'cname.rpz.test')!;
  t.same(unescape(cname.rdata[0]!.replace(/\.$/, '')), target, 'the CNAME target byte for byte');
  const strings = read.find((r) => r.owner === 'txt.rpz.test')!;
  t.same(strings.rdata.map((s) => unescape(s)[0]), [Buffer.from('say "hi" \\ ; ( ) $INCLUDE'), Buffer.from([0x00, 0x0a, 0x22, 0x5c, 0xff])], 'the TXT strings byte for byte');
  t.same(read.map((r) => r.type), [soa(1), ...transferred].map((r) => r.type));

  // An IXFR finds the hostile lines by their text: removing them works.
  await applyDeltas(path, [{ removed: [soa(1), ...transferred.slice(0, 4)], added: [soa(2)] }]);
  const after: string[] = [];
  await readZone(path, { origin: 'rpz.test' }, (r) => after.push(r.owner));
  t.same(after, [soa(2), ...transferred.slice(4)].map((r) => r.owner), 'the removed records are gone, the others stay');
});

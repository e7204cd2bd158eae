import t from 'tap';
import dnsPacket from 'dns-packet';
import { listRecords, readEdns, readQuestion, skipName } from '../../src/dns/wire.js';
import { asciiLower, labelText } from '../../src/dns/name-text.js';
import { buildQuery } from '../helpers/dns-client.js';
import { prng } from '../helpers/prng.js';
import { response, soa } from '../helpers/messages.js';

t.test('readQuestion reads name, type and class from raw bytes', async (t) => {
  const rows = [
    { name: 'Example.COM', type: 'AAAA', want: { name: 'Example.COM', lname: 'example.com', type: 28 } },
    { name: '.', type: 'NS', want: { name: '', lname: '', type: 2 } },
    { name: 'a.b.c.d.e', type: 'SOA', want: { name: 'a.b.c.d.e', lname: 'a.b.c.d.e', type: 6 } },
  ];
  for (const row of rows) {
    const read = readQuestion(buildQuery(row.name, { type: row.type }));
    t.match(read?.question, { ...row.want, class: 1 }, row.name);
  }
});

t.test('readQuestion escapes bytes that would make names ambiguous', async (t) => {
  const raw = buildQuery('x.test');
  // Replace label "x" with the byte "." so the wire name is \046.test, not ".test".
  raw[13] = 0x2e;
  t.equal(readQuestion(raw)?.question.name, '\\046.test');
});

/** A query whose question name is the given labels (raw octets), type A, class IN. */
function queryOfLabels(labels: readonly Buffer[]): Buffer {
  const name = Buffer.concat([...labels.flatMap((label) => [Buffer.from([label.length]), label]), Buffer.from([0])]);
  return Buffer.concat([buildQuery('x.test').subarray(0, 12), name, Buffer.from([0, 1, 0, 1])]);
}

t.test('readQuestion gives each label as labelText does, joined by dots, and lname as asciiLower of it', async (t) => {
  const random = prng(20261207);
  // Octets of every kind: letters of both cases, digits, and those written \DDD (0x00-0x20, ".", "\\", 0x7f-0xff).
  const octet = (): number => (random() < 0.5 ? [0x41, 0x5a, 0x61, 0x7a, 0x30, 0x2d][Math.floor(random() * 6)]! + Math.floor(random() * 3) : Math.floor(random() * 256));
  for (let n = 0; n < 2000; n++) {
    const labels: Buffer[] = [];
    for (let used = 0, count = 1 + Math.floor(random() * 5); labels.length < count; ) {
      const len = Math.min(1 + Math.floor(random() * 63), 254 - used - 1);
      if (len < 1) break;
      labels.push(Buffer.from(Array.from({ length: len }, octet)));
      used += len + 1;
    }
    const want = labels.map((label) => labelText(label, 0, label.length)).join('.');
    const read = readQuestion(queryOfLabels(labels));
    if (read?.question.name !== want || read.question.lname !== asciiLower(want)) {
      t.fail(`labels ${labels.map((label) => label.toString('hex')).join(' ')}: read ${JSON.stringify(read?.question)}, want ${JSON.stringify(want)}`);
      return;
    }
  }
  t.pass('2,000 random names read as labelText and asciiLower give them');
});

t.test('readQuestion reads the longest name, every octet escaped, and no longer one', async (t) => {
  const longest = [63, 63, 63, 61].map((len) => Buffer.alloc(len, 0));
  const read = readQuestion(queryOfLabels(longest));
  t.equal(read?.question.name, longest.map((label) => '\\000'.repeat(label.length)).join('.'), '255 octets on the wire, 1,003 characters');
  t.equal(readQuestion(queryOfLabels([...longest.slice(0, 3), Buffer.alloc(62, 0)])), null, '256 octets');
});

t.test('readQuestion rejects malformed questions', async (t) => {
  const good = buildQuery('example.com');
  const rows: Array<[string, Buffer]> = [
    ['header only', good.subarray(0, 12)],
    ['name cut short', good.subarray(0, 16)],
    ['no type and class', good.subarray(0, good.length - 3)],
    ['compression pointer', Buffer.concat([good.subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])])],
    ['label longer than 63', Buffer.concat([good.subarray(0, 12), Buffer.from([64]), Buffer.alloc(64, 97), Buffer.from([0, 0, 1, 0, 1])])],
  ];
  for (const [name, raw] of rows) t.equal(readQuestion(raw), null, name);
  const long = Buffer.concat([good.subarray(0, 12), ...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([60]), Buffer.alloc(60, 97)])), Buffer.from([0, 0, 1, 0, 1])]);
  t.equal(readQuestion(long), null, 'name over 255 octets');
});

t.test('readEdns finds the OPT record and its DO bit', async (t) => {
  const plain = buildQuery('example.com');
  t.same(readEdns(plain, readQuestion(plain)!.end), { ok: true, edns: null });
  const withOpt = buildQuery('example.com', { bufsize: 4096, dnssecOk: true });
  t.same(readEdns(withOpt, readQuestion(withOpt)!.end), { ok: true, edns: { udpSize: 4096, version: 0, dnssecOk: true } });
  const small = buildQuery('example.com', { bufsize: 100 });
  t.equal((readEdns(small, readQuestion(small)!.end) as { edns: { udpSize: number } }).edns.udpSize, 512, 'sizes below 512 count as 512');
});

t.test('readEdns rejects two OPT records and records that overrun', async (t) => {
  const twice = dnsPacket.encode({
    type: 'query',
    id: 1,
    questions: [{ name: 'a.test', type: 'A', class: 'IN' }],
    additionals: [
      { type: 'OPT', name: '.', udpPayloadSize: 1232 } as unknown as dnsPacket.Answer,
      { type: 'OPT', name: '.', udpPayloadSize: 1232 } as unknown as dnsPacket.Answer,
    ],
  });
  t.same(readEdns(twice, readQuestion(twice)!.end), { ok: false });
  const overrun = buildQuery('a.test', { bufsize: 1232 });
  t.same(readEdns(overrun.subarray(0, overrun.length - 2), readQuestion(overrun)!.end), { ok: false });
  // The same OPT record (owner, type 41, payload size, TTL, no data) in the authority section, then owned by "a.test".
  const withOpt = buildQuery('a.test', { bufsize: 1232 });
  const end = readQuestion(withOpt)!.end;
  const inAuthority = Buffer.from(withOpt);
  inAuthority.writeUInt16BE(1, 8);
  inAuthority.writeUInt16BE(0, 10);
  t.same(readEdns(inAuthority, end), { ok: false }, 'an OPT in the authority section');
  const notRoot = Buffer.concat([withOpt.subarray(0, end), Buffer.from([0xc0, 12]), withOpt.subarray(end + 1)]);
  t.same(readEdns(notRoot, end), { ok: false }, 'an OPT not owned by the root');
  t.same(readEdns(withOpt, end), { ok: true, edns: { udpSize: 1232, version: 0, dnssecOk: false } }, 'the same OPT as it should be');
});

t.test('listRecords walks every section, following compressed owners', async (t) => {
  const message = response({
    name: 'www.example.com',
    answers: [
      { type: 'CNAME', name: 'www.example.com', ttl: 60, data: 'example.com' },
      { type: 'A', name: 'example.com', ttl: 120, data: '192.0.2.1' },
    ],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as unknown as dnsPacket.Answer],
  });
  const records = listRecords(message, readQuestion(message)!.end)!;
  t.same(records.map((r) => [r.section, r.type, message.readUInt32BE(r.ttlOffset)]), [
    ['answer', 5, 60],
    ['answer', 1, 120],
    ['additional', 41, 0],
  ]);
  t.equal(records.at(-1)!.end, message.length);
  t.equal(listRecords(message.subarray(0, message.length - 1), readQuestion(message)!.end), null, 'truncated message');
  t.equal(skipName(Buffer.from([0xc0]), 0), -1, 'pointer cut short');
});

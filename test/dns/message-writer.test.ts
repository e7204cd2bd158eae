import t from 'tap';
import dnsPacket from 'dns-packet';
import { copyRecord, MessageWriter, readNameWire } from '../../src/dns/message-writer.js';
import { wireToText } from '../../src/dns/name-text.js';
import { listRecords, readQuestion } from '../../src/dns/wire.js';
import { buildQuery } from '../helpers/dns-client.js';
import { answerWith, malformedAnswers, pointer } from '../helpers/malformed-answers.js';
import { response } from '../helpers/messages.js';

const query = buildQuery('www.example.test', { id: 1 });

t.test('readNameWire follows pointers that point back, and refuses loops and forward pointers', async (t) => {
  const message = response({ name: 'www.example.test', answers: [{ type: 'CNAME', name: 'www.example.test', ttl: 60, data: 'cdn.example.test' }] });
  const records = listRecords(message, readQuestion(message)!.end)!;
  t.equal(wireToText(readNameWire(message, records[0]!.rdataOffset)!), 'cdn.example.test', 'a compressed CNAME target');
  for (const what of ['a compression loop', 'a forward pointer', 'a pointer past the end'] as const) {
    const broken = malformedAnswers[what]!(query);
    t.equal(readNameWire(broken, readQuestion(broken)!.end), null, what);
  }
});

t.test('copyRecord writes every name uncompressed, SRV and MX included, so the copy reads the same in another message', async (t) => {
  const name = 'www.example.test';
  const upstream = response({
    name,
    type: 'SRV',
    answers: [
      { type: 'CNAME', name, ttl: 60, data: 'cdn.example.test' },
      { type: 'MX', name: 'cdn.example.test', ttl: 60, data: { preference: 5, exchange: 'mx.cdn.example.test' } },
    ],
  });
  // dns-packet writes SRV targets uncompressed (RFC 2782); an old server may compress them (RFC 3597 section 4): point back at the CNAME's target.
  const withSrv = answerWith(buildQuery(name, { type: 'SRV' }), [1, 0, 0], () => [...pointer(12), 0, 33, 0, 1, 0, 0, 0, 60, 0, 12, 0, 1, 0, 2, 1, 187, 3, 0x73, 0x72, 0x76, ...pointer(12)]);
  const writer = new MessageWriter(buildQuery('other.test', { type: 'SRV' }), readQuestion(buildQuery('other.test'))!.end, 0);
  for (const message of [upstream, withSrv]) {
    for (const record of listRecords(message, readQuestion(message)!.end)!) writer.addRaw('answer', copyRecord(message, record)!);
  }
  const decoded = dnsPacket.decode(writer.toBuffer());
  t.same(
    decoded.answers?.map((a) => [a.type, a.name, (a as { data: unknown }).data]),
    [
      ['CNAME', name, 'cdn.example.test'],
      ['MX', 'cdn.example.test', { preference: 5, exchange: 'mx.cdn.example.test' }],
      ['SRV', name, { priority: 1, weight: 2, port: 443, target: `srv.${name}` }],
    ],
  );
});

t.test('MessageWriter: the query head and question, then each section in order whatever order records came in', async (t) => {
  const asked = buildQuery('www.example.test', { id: 7, type: 'A' });
  const questionEnd = readQuestion(asked)!.end;
  const upstream = response({ name: 'www.example.test', answers: [{ type: 'CNAME', name: 'www.example.test', ttl: 60, data: 'cdn.example.test' }] });
  const cname = copyRecord(upstream, listRecords(upstream, readQuestion(upstream)!.end)![0]!)!;
  const txtOwner = Buffer.from([3, 0x72, 0x70, 0x7a, 4, 0x74, 0x65, 0x73, 0x74, 0]); // rpz.test
  const txtRdata = Buffer.from([0, 4, 3, 0x61, 0x62, 0x63]); // RDLENGTH 4: "abc"
  const aRdata = Buffer.from([0, 4, 192, 0, 2, 9]);
  const message = new MessageWriter(asked, questionEnd, 3, { truncated: true })
    .add('additional', txtOwner, 16, 30, txtRdata)
    .addRaw('answer', cname)
    .add('answer', Buffer.from([0xc0, 0x0c]), 1, 4_000_000_000, aRdata)
    .setRcode(0)
    .toBuffer();
  t.same([message[0], message[1]], [0, 7], "the query's ID (the finisher sets it again)");
  t.same([message[2], message[3]], [0x80 | (asked[2]! & 0x01) | 0x02, 0x80], "QR, the query's RD and TC; then RA and the last RCODE set");
  t.same([0, 1, 2, 3].map((i) => message.readUInt16BE(4 + 2 * i)), [1, 2, 0, 1], 'QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT');
  t.same(message.subarray(12, questionEnd), asked.subarray(12, questionEnd), 'the question as asked');
  const decoded = dnsPacket.decode(message);
  t.same(
    [...(decoded.answers ?? []), ...(decoded.additionals ?? [])].map((r) => [r.type, r.name, (r as { ttl?: number }).ttl]),
    [
      ['CNAME', 'www.example.test', 60],
      ['A', 'www.example.test', 4_000_000_000],
      ['TXT', 'rpz.test', 30],
    ],
  );
  t.equal(message.length, questionEnd + cname.length + (2 + 8 + aRdata.length) + (txtOwner.length + 8 + txtRdata.length), 'no byte more than the records');
});

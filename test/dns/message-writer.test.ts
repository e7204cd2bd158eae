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

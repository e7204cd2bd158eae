import t from 'tap';
import dnsPacket from 'dns-packet';
import { emptyReply } from '../../src/dns/replies.js';
import type { PacketMeta } from '../../src/model/query.js';
import { decodeQuery } from '../../src/server/decode-query.js';
import { finishAnswer } from '../../src/server/finish.js';
import type { Answer, Query } from '../../src/model/query.js';
import { buildQuery, decodeReply } from '../helpers/dns-client.js';
import { response } from '../helpers/messages.js';

const udp: PacketMeta = { client: { address: '127.0.0.1', port: 40000 }, transport: 'udp', listener: '127.0.0.1:5353' };
const tcp: PacketMeta = { ...udp, transport: 'tcp' };

function decoded(raw: Buffer, meta = udp): Query {
  const result = decodeQuery(raw, meta);
  if (result.kind !== 'query') throw new Error(`expected a query, got ${result.kind}`);
  return result.query;
}

t.test('decodeQuery: what is dropped, what gets an immediate reply', async (t) => {
  const good = buildQuery('example.com', { id: 7 });
  const withOpcode = (opcode: number) => {
    const raw = Buffer.from(good);
    raw[2] = (raw[2]! & 0x87) | (opcode << 3);
    return raw;
  };
  const withQdcount = (count: number) => {
    const raw = Buffer.from(good);
    raw.writeUInt16BE(count, 4);
    return raw;
  };
  const rows: Array<{ name: string; raw: Buffer; kind: string; rcode?: string }> = [
    { name: 'empty', raw: Buffer.alloc(0), kind: 'drop' },
    { name: '11 bytes', raw: good.subarray(0, 11), kind: 'drop' },
    { name: 'a response', raw: response({ name: 'example.com' }), kind: 'drop' },
    { name: 'NOTIFY opcode', raw: withOpcode(4), kind: 'reply', rcode: 'NOTIMP' },
    { name: 'UPDATE opcode', raw: withOpcode(5), kind: 'reply', rcode: 'NOTIMP' },
    { name: 'QDCOUNT 0', raw: withQdcount(0), kind: 'reply', rcode: 'FORMERR' },
    { name: 'QDCOUNT 2', raw: withQdcount(2), kind: 'reply', rcode: 'FORMERR' },
    { name: 'question cut short', raw: good.subarray(0, good.length - 1), kind: 'reply', rcode: 'FORMERR' },
    { name: 'ARCOUNT with no record', raw: (() => { const raw = Buffer.from(good); raw.writeUInt16BE(1, 10); return raw; })(), kind: 'reply', rcode: 'FORMERR' },
    { name: 'a plain query', raw: good, kind: 'query' },
  ];
  for (const row of rows) {
    const result = decodeQuery(row.raw, udp);
    t.equal(result.kind, row.kind, row.name);
    if (result.kind === 'reply') {
      const reply = decodeReply(result.reply);
      t.equal(reply.rcode, row.rcode, `${row.name}: ${row.rcode}`);
      t.equal(reply.id, 7, `${row.name}: same ID`);
      t.equal(reply.type, 'response');
    }
  }
});

t.test('decodeQuery reads ID, flags, question and EDNS', async (t) => {
  const query = decoded(buildQuery('WwW.Example.com', { id: 99, type: 'AAAA', bufsize: 1400, dnssecOk: true }));
  t.match(query, { id: 99, rd: true, cd: false, question: { name: 'WwW.Example.com', lname: 'www.example.com', type: 28, class: 1 }, edns: { udpSize: 1400, dnssecOk: true, version: 0 } });
});

const bigAnswer = (name: string): Answer => ({
  message: response({ name, answers: Array.from({ length: 20 }, (_, i) => ({ type: 'TXT', name, ttl: 60, data: `record ${i} ${'x'.repeat(20)}` })) }),
  source: 'upstream',
  rcode: 0,
});

t.test('finishAnswer: ID, 0x20 letter case, RD and CD from the client', async (t) => {
  const query = decoded(buildQuery('ExAmPlE.com', { id: 4321 }));
  const upstreamAnswer = response({ name: 'example.com', answers: [{ type: 'A', name: 'example.com', ttl: 60, data: '192.0.2.1' }] });
  const out = finishAnswer(query, { message: upstreamAnswer, source: 'cache', rcode: 0 }, { maxUdpPayload: 1232 })!;
  const reply = decodeReply(out);
  t.equal(reply.id, 4321);
  t.equal(reply.questions?.[0]?.name, 'ExAmPlE.com');
  t.ok(reply.flags! & dnsPacket.RECURSION_DESIRED);
  t.ok(reply.flags! & dnsPacket.RECURSION_AVAILABLE);
  t.equal(reply.additionals?.length, 0, 'no OPT without one in the query');
});

t.test('finishAnswer: OPT only when the query had one, DO echoed', async (t) => {
  const query = decoded(buildQuery('example.com', { bufsize: 4096, dnssecOk: true }));
  const out = finishAnswer(query, { message: response({ name: 'example.com' }), source: 'upstream', rcode: 0 }, { maxUdpPayload: 1232 })!;
  const opt = decodeReply(out).additionals?.[0] as unknown as { type: string; udpPayloadSize: number; flag_do: boolean };
  t.equal(opt.type, 'OPT');
  t.equal(opt.udpPayloadSize, 1232);
  t.equal(opt.flag_do, true);
});

t.test('finishAnswer: truncation by the client payload size over UDP only', async (t) => {
  const rows = [
    { name: 'no EDNS: 512', raw: buildQuery('big.test'), meta: udp, tc: true },
    { name: 'EDNS 4096 capped by maxUdpPayload 1232', raw: buildQuery('big.test', { bufsize: 4096 }), meta: udp, tc: false, limit: 1232 },
    { name: 'EDNS 512', raw: buildQuery('big.test', { bufsize: 512 }), meta: udp, tc: true },
    { name: 'TCP: whole', raw: buildQuery('big.test'), meta: tcp, tc: false },
  ];
  for (const row of rows) {
    const answer = bigAnswer('big.test');
    const size = answer.message!.length;
    const out = finishAnswer(decoded(row.raw, row.meta), answer, { maxUdpPayload: 1232 })!;
    const reply = decodeReply(out) as dnsPacket.Packet & { flag_tc: boolean };
    t.equal(reply.flag_tc, row.tc, `${row.name}: TC=${row.tc} (answer ${size} bytes)`);
    if (row.tc) {
      t.equal(reply.answers?.length, 0, `${row.name}: question only`);
      t.ok(out.length <= 512, `${row.name}: fits`);
    } else {
      t.equal(reply.answers?.length, 20, `${row.name}: whole`);
    }
  }
});

t.test('finishAnswer: BADVERS goes in the OPT extended RCODE', async (t) => {
  const raw = buildQuery('example.com', { bufsize: 1232 });
  const query = decoded(raw);
  const out = finishAnswer(query, { message: emptyReply(raw, 16, query.questionEnd), source: 'local', rcode: 16 }, { maxUdpPayload: 1232 })!;
  t.equal(out[3]! & 0x0f, 0);
  const opt = decodeReply(out).additionals?.[0] as unknown as { extendedRcode: number };
  t.equal(opt.extendedRcode, 1, 'BADVERS = 16 = extended 1, header 0');
});

t.test('finishAnswer: a null message means no answer', async (t) => {
  t.equal(finishAnswer(decoded(buildQuery('a.test')), { message: null, source: 'policy', rcode: 0 }, { maxUdpPayload: 1232 }), null);
});

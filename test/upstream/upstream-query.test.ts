import t from 'tap';
import { prng } from '../helpers/prng.js';
import dnsPacket from 'dns-packet';
import { buildUpstreamQuery, checkAnswer, type UpstreamQuery } from '../../src/upstream/upstream-query.js';

const question = (name: string, type = 1, klass = 1) => ({ name, lname: name.toLowerCase(), type, class: klass });
const flags = { dnssecOk: false, checkingDisabled: false, udpPayload: 1232 };

t.test('the query: RD=1, CD and DO as asked, one question, OPT with our payload size', async (t) => {
  const rows = [
    { dnssecOk: false, checkingDisabled: false },
    { dnssecOk: true, checkingDisabled: false },
    { dnssecOk: false, checkingDisabled: true },
    { dnssecOk: true, checkingDisabled: true },
  ];
  for (const row of rows) {
    const query = buildUpstreamQuery(question('Example.Test', 28), { ...row, udpPayload: 1400 });
    const packet = dnsPacket.decode(query.bytes);
    const name = `DO=${+row.dnssecOk} CD=${+row.checkingDisabled}`;
    t.equal(packet.id, query.id, `${name}: id`);
    t.equal(packet.flag_qr, false, `${name}: a query`);
    t.equal(packet.flag_rd, true, `${name}: RD`);
    t.equal(packet.flag_cd, row.checkingDisabled, `${name}: CD`);
    t.same(packet.questions, [{ name: 'Example.Test', type: 'AAAA', class: 'IN' }], `${name}: question, case kept`);
    t.equal(packet.answers?.length, 0);
    const opt = packet.additionals?.[0] as dnsPacket.OptAnswer | undefined;
    t.equal(packet.additionals?.length, 1, `${name}: one additional`);
    t.equal(opt?.type, 'OPT');
    t.equal(opt?.udpPayloadSize, 1400, `${name}: payload size`);
    t.equal(((opt?.flags ?? 0) & dnsPacket.DNSSEC_OK) !== 0, row.dnssecOk, `${name}: DO`);
  }
});

t.test('names with escapes, unknown types and other classes go out as their exact octets', async (t) => {
  const query = buildUpstreamQuery(question('a\\046b.test', 65280, 3), flags);
  t.equal(query.bytes.subarray(12, 12 + 14).toString('hex'), '03612e620474657374' + '00' + 'ff00' + '0003');
  t.equal(query.questionEnd, 12 + 14, 'the question section ends after the name, type and class');
  t.throws(() => buildUpstreamQuery(question('a..b'), flags), { message: /cannot encode the name "a\.\.b"/ });
});

t.test('IDs come from a random source: 12 queries, no repeats and no pattern', async (t) => {
  const ids = Array.from({ length: 12 }, () => buildUpstreamQuery(question('example.test'), flags).id);
  t.ok(new Set(ids).size >= 11, `mostly distinct: ${ids.join(',')}`);
  const steps = new Set(ids.slice(1).map((id, i) => (id - ids[i]! + 0x10000) % 0x10000));
  t.ok(steps.size > 2, 'not a counter');
});

/** An answer to `query`, then whatever the row changes. */
function answer(query: UpstreamQuery, change: { id?: number; type?: 'query'; name?: string; qtype?: string; qclass?: string; questions?: number; flags?: number } = {}): Buffer {
  const name = change.name ?? dnsPacket.decode(query.bytes).questions![0]!.name;
  const q = { name, type: (change.qtype ?? 'A') as 'A', class: (change.qclass ?? 'IN') as 'IN' };
  return dnsPacket.encode({
    type: change.type ?? 'response',
    id: change.id ?? query.id,
    flags: change.flags ?? dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: change.questions === 0 ? [] : change.questions === 2 ? [q, q] : [q],
    answers: [{ type: 'A', name, ttl: 60, data: '192.0.2.1' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0 } as dnsPacket.Answer],
  });
}

t.test('an answer is accepted only when ID, QR, opcode and the one question match; then it is checked whole', async (t) => {
  const query = buildUpstreamQuery(question('Www.Example.test'), flags);
  const good = answer(query);
  const ok = (rcode: number, truncated = false) => ({ rcode, truncated, questionEnd: query.questionEnd, fault: null });
  const cutShort = answer(query, { flags: dnsPacket.TRUNCATED_RESPONSE }).subarray(0, good.length - 5);
  const rows: Array<{ name: string; message: Buffer; transport?: 'udp' | 'tcp'; want: { rcode: number; truncated: boolean; fault: null | RegExp } | null }> = [
    { name: 'matching', message: good, want: ok(0) },
    { name: 'name in another letter case', message: answer(query, { name: 'WWW.EXAMPLE.TEST' }), want: ok(0) },
    { name: 'NXDOMAIN is an answer', message: answer(query, { flags: 3 }), want: ok(3) },
    { name: 'SERVFAIL is an answer (the pool judges it)', message: answer(query, { flags: 2 }), want: ok(2) },
    { name: 'wrong ID', message: answer(query, { id: (query.id + 1) & 0xffff }), want: null },
    { name: 'QR=0', message: answer(query, { type: 'query' }), want: null },
    { name: 'opcode IQUERY', message: answer(query, { flags: 1 << 11 }), want: null },
    { name: 'another name', message: answer(query, { name: 'www.example.tesu' }), want: null },
    { name: 'a longer name', message: answer(query, { name: 'www.example.test.evil' }), want: null },
    { name: 'another type', message: answer(query, { qtype: 'AAAA' }), want: null },
    { name: 'another class', message: answer(query, { qclass: 'CH' }), want: null },
    { name: 'no question', message: answer(query, { questions: 0 }), want: null },
    { name: 'two questions', message: answer(query, { questions: 2 }), want: null },
    { name: 'header only', message: good.subarray(0, 12), want: null },
    { name: 'eleven octets', message: good.subarray(0, 11), want: null },
    { name: 'empty', message: Buffer.alloc(0), want: null },
    { name: 'records cut short: ours, and malformed', message: good.subarray(0, good.length - 5), want: { rcode: 0, truncated: false, fault: /additional record 1 is cut short/ } },
    { name: 'TC=1 with records cut short over UDP: still a TCP signal', message: cutShort, want: ok(0, true) },
    { name: 'TC=1 with records cut short over TCP: malformed', message: cutShort, transport: 'tcp', want: { rcode: 0, truncated: true, fault: /is cut short/ } },
  ];
  for (const row of rows) {
    const result = checkAnswer(row.message, query, row.transport ?? 'udp');
    if (row.want === null || row.want.fault === null) t.same(result, row.want, row.name);
    else t.match(result, row.want, `${row.name}: ${result?.fault}`);
  }
});

t.test('letter case is folded in the name only: octets that differ by the case bit elsewhere are another question', async (t) => {
  // 0x41 is "A" and 0x61 "a", but as the low octet of a type they are HTTPS (65) and type 97; "@" (0x40) and "`" (0x60) are no letters.
  const https = buildUpstreamQuery(question('a@b.test', 65), flags);
  t.match(checkAnswer(answer(https, { qtype: 'UNKNOWN_65' }), https, 'udp'), { rcode: 0, fault: null }, 'the same question');
  t.match(checkAnswer(answer(https, { qtype: 'UNKNOWN_65', name: 'A@B.TEST' }), https, 'udp'), { rcode: 0, fault: null }, 'letters in another case');
  t.equal(checkAnswer(answer(https, { qtype: 'UNKNOWN_97' }), https, 'udp'), null, 'type 97 is not type 65');
  t.equal(checkAnswer(answer(https, { qtype: 'UNKNOWN_65', name: 'a`b.test' }), https, 'udp'), null, '"`" is not "@"');
});

t.test('garbage never throws; an answer cut short is never accepted', async (t) => {
  const query = buildUpstreamQuery(question('example.test'), flags);
  const good = answer(query);
  // Cut anywhere before its end, over TCP (no TC=1 excuse), the answer is ignored or refused as malformed: never used.
  const accepted: number[] = [];
  for (let length = 1; length < good.length; length++) {
    const result = checkAnswer(good.subarray(0, length), query, 'tcp');
    if (result !== null && result.fault === null) accepted.push(length);
  }
  t.same(accepted, [], `no prefix of the ${good.length}-byte answer is accepted`);
  t.match(checkAnswer(good, query, 'tcp'), { fault: null }, 'the whole answer is');
  // Random bytes changed (seeded: the seed replays a failure): read without a throw, whatever the verdict.
  const seed = 20261206;
  const random = prng(seed);
  t.doesNotThrow(() => {
    for (let i = 0; i < 500; i++) {
      const bad = Buffer.from(good);
      for (let j = 0; j < 3; j++) bad[4 + Math.floor(random() * (bad.length - 4))] = Math.floor(random() * 256);
      checkAnswer(bad.subarray(0, Math.floor(random() * bad.length) + 1), query, 'tcp');
    }
  }, `500 mangled answers (seed ${seed}) read without a throw`);
  t.equal(checkAnswer(Buffer.from('not a dns message at all, not at all'), query, 'udp'), null);
});

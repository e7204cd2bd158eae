import t from 'tap';
import dnsPacket from 'dns-packet';
import { messageFault } from '../../src/dns/message-fault.js';
import { listRecords, readQuestion } from '../../src/dns/wire.js';
import { buildQuery } from '../helpers/dns-client.js';
import { answerWith, malformedAnswers, pointer } from '../helpers/malformed-answers.js';
import { response, soa } from '../helpers/messages.js';
import { prng } from '../helpers/prng.js';

const query = buildQuery('www.example.test', { id: 1 });
/** A message answering `query`: the header with these counts, the question, then `body` (offsets from the question's end). */
const msg = (counts: [number, number, number], body: (at: number) => number[]) => answerWith(query, counts, body);
/** Type, class IN, TTL 60, then RDATA with its length. */
const rr = (type: number, rdata: number[], klass = 1) => [type >> 8, type & 0xff, klass >> 8, klass & 0xff, 0, 0, 0, 60, rdata.length >> 8, rdata.length & 0xff, ...rdata];
const label = (text: string) => [text.length, ...Buffer.from(text)];
const opt = { type: 'OPT', name: '.', udpPayloadSize: 1232 } as unknown as dnsPacket.Answer;

t.test('well-formed messages pass, compressed as servers compress them', async (t) => {
  const name = 'www.example.test';
  const rows: Array<[string, Buffer]> = [
    ['a CNAME chain, NS and glue, OPT', response({
      name,
      answers: [
        { type: 'CNAME', name, ttl: 60, data: 'cdn.example.test' },
        { type: 'A', name: 'cdn.example.test', ttl: 60, data: '192.0.2.1' },
        { type: 'AAAA', name: 'cdn.example.test', ttl: 60, data: '2001:db8::1' },
      ],
      authorities: [{ type: 'NS', name: 'example.test', ttl: 60, data: 'ns1.example.test' }],
      additionals: [{ type: 'A', name: 'ns1.example.test', ttl: 60, data: '192.0.2.53' }, opt],
    })],
    ['NXDOMAIN with the SOA', response({ name, rcode: 'NXDOMAIN', authorities: [soa('example.test', 60, 30)] })],
    ['MX, SRV, TXT, CAA, PTR', response({
      name,
      answers: [
        { type: 'MX', name, ttl: 60, data: { preference: 10, exchange: 'mail.example.test' } },
        { type: 'SRV', name, ttl: 60, data: { priority: 1, weight: 2, port: 443, target: 'srv.example.test' } },
        { type: 'TXT', name, ttl: 60, data: ['v=spf1 -all'] },
        { type: 'CAA', name, ttl: 60, data: { flags: 0, tag: 'issue', value: 'ca.example' } },
        { type: 'PTR', name, ttl: 60, data: 'host.example.test' },
      ],
    })],
    ['RRSIG and NSEC (names, then more octets)', response({
      name,
      answers: [
        { type: 'RRSIG', name, ttl: 60, data: { typeCovered: 'A', algorithm: 13, labels: 3, originalTTL: 60, expiration: 2, inception: 1, keyTag: 7, signersName: 'example.test', signature: Buffer.alloc(64, 1) } },
        { type: 'NSEC', name, ttl: 60, data: { nextDomain: 'x.example.test', rrtypes: ['A', 'RRSIG', 'NSEC'] } },
      ],
    })],
    ['an unknown type, any RDATA', msg([1, 0, 0], () => [...pointer(12), ...rr(65280, [0xc0, 0xff, 1, 2, 3])])],
    ['NSEC, NSEC3, DS, DNSKEY, TLSA, SSHFP, HINFO', response({
      name,
      answers: [
        { type: 'NSEC', name, ttl: 60, data: { nextDomain: 'z.example.test', rrtypes: ['A', 'AAAA', 'RRSIG'] } },
        { type: 'NSEC3', name, ttl: 60, data: { algorithm: 1, flags: 0, iterations: 0, salt: Buffer.from([1, 2]), nextDomain: Buffer.alloc(20, 7), rrtypes: ['A'] } },
        { type: 'DS', name, ttl: 60, data: { keyTag: 1, algorithm: 13, digestType: 2, digest: Buffer.alloc(32, 1) } },
        { type: 'DNSKEY', name, ttl: 60, data: { flags: 257, algorithm: 13, key: Buffer.alloc(64, 2) } },
        { type: 'TLSA', name, ttl: 60, data: { usage: 3, selector: 1, matchingType: 1, certificate: Buffer.alloc(32, 3) } },
        { type: 'SSHFP', name, ttl: 60, data: { algorithm: 4, hash: 2, fingerprint: 'ab'.repeat(32) } },
        { type: 'HINFO', name, ttl: 60, data: { cpu: 'x86', os: 'Linux' } },
      ],
    })],
    ['octets after the last record (tolerated, as BIND does)', Buffer.concat([response({ name, answers: [{ type: 'A', name, ttl: 60, data: '192.0.2.1' }] }), Buffer.from([1, 2, 3])])],
    ['a name of 255 octets', msg([1, 0, 0], () => [...label('a'.repeat(63)), ...label('b'.repeat(63)), ...label('c'.repeat(63)), ...label('d'.repeat(61)), 0, ...rr(1, [192, 0, 2, 1])])],
    ['a pointer to a pointer, 100 deep', chain(100)],
    ['the query itself (a question and an OPT)', buildQuery(name, { bufsize: 1232 })],
  ];
  for (const [what, message] of rows) t.equal(messageFault(message), null, what);
});

/** An unknown record whose RDATA is "a." then `depth` pointers, each to the one before; then an A record owned by the last. */
function chain(depth: number): Buffer {
  return msg([2, 0, 0], (at) => {
    const rdataAt = at + 2 + 10;
    const rdata = [...label('a'), 0];
    for (let i = 0; i < depth; i++) rdata.push(...pointer(i === 0 ? rdataAt : rdataAt + 3 + 2 * (i - 1)));
    return [...pointer(12), ...rr(65280, rdata), ...pointer(rdataAt + 3 + 2 * (depth - 1)), ...rr(1, [192, 0, 2, 1])];
  });
}

t.test('each fault is found and named', async (t) => {
  const good = response({ name: 'www.example.test', answers: [{ type: 'A', name: 'www.example.test', ttl: 60, data: '192.0.2.1' }] });
  const twoQuestions = buildQuery('www.example.test');
  twoQuestions.writeUInt16BE(2, 4);
  const rows: Array<[string, Buffer, RegExp]> = [
    ['eleven octets', good.subarray(0, 11), /11 octets, shorter than a DNS header/],
    ['QDCOUNT 2, one question', twoQuestions, /the header counts 2 question entries, but the message ends \(at 34 octets\) after 1/],
    ['a compression loop', malformedAnswers['a compression loop']!(query), /answer record 1: owner: a compression pointer back into its own name \(a loop\)/],
    ['a pointer to itself', msg([1, 0, 0], (at) => [...pointer(at), ...rr(1, [192, 0, 2, 1])]), /to itself or forward/],
    ['a forward pointer', malformedAnswers['a forward pointer']!(query), /answer record 1: owner: a compression pointer to itself or forward/],
    ['a pointer past the end', malformedAnswers['a pointer past the end']!(query), /past the end of the message/],
    ['a pointer into the header', msg([1, 0, 0], () => [...pointer(4), ...rr(1, [192, 0, 2, 1])]), /into the header/],
    ['a label of type 01', msg([1, 0, 0], () => [0x41, ...rr(1, [192, 0, 2, 1])]), /retired or reserved/],
    ['a label of type 10', msg([1, 0, 0], () => [0x80, 0, ...rr(1, [192, 0, 2, 1])]), /retired or reserved/],
    ['a name of 256 octets', msg([1, 0, 0], () => [...label('a'.repeat(63)), ...label('b'.repeat(63)), ...label('c'.repeat(63)), ...label('d'.repeat(62)), 0, ...rr(1, [192, 0, 2, 1])]), /longer than 255 octets/],
    ['a name made too long by pointers', msg([2, 0, 0], (at) => [...label('a'.repeat(63)), ...label('b'.repeat(63)), ...pointer(12), ...rr(1, [192, 0, 2, 1]), ...label('c'.repeat(63)), ...label('d'.repeat(63)), ...pointer(at), ...rr(1, [192, 0, 2, 2])]), /answer record 2: owner: a name longer than 255/],
    ['128 pointers in a row', chain(128), /more than 127 compression pointers/],
    ['counts larger than the records', malformedAnswers['counts larger than the records']!(query), /the header counts 2 answer records, but the message ends .* after 1/],
    ['a record cut short', good.subarray(0, good.length - 8), /answer record 1 is cut short/],
    ['RDATA past the end', good.subarray(0, good.length - 1), /answer record 1: its RDATA runs past the end/],
    ['a CNAME whose target is malformed', malformedAnswers['a CNAME whose target is malformed']!(query), /answer record 1 \(type 5\): a label of a retired or reserved type .* in its RDATA/],
    ['a CNAME with octets after its target', msg([1, 0, 0], () => [...pointer(12), ...rr(5, [...label('x'), 0, 9])]), /type 5\): its RDATA is 4 octets; its fields take 3/],
    ['a CNAME whose target runs out of its RDATA', msg([1, 0, 0], () => [...pointer(12), ...rr(5, [...label('x')]), 0, 0, 0]), /runs past the RDATA's end/],
    ['an empty CNAME', msg([1, 0, 0], () => [...pointer(12), ...rr(5, [])]), /ends before its names/],
    ['an MX without its exchange', msg([1, 0, 0], () => [...pointer(12), ...rr(15, [0, 10])]), /type 15\): its RDATA ends before its names/],
    ['a SOA one octet short', msg([0, 1, 0], () => [...pointer(12), ...rr(6, [0, 0, ...Array<number>(19).fill(0)])]), /authority record 1 \(type 6\): its RDATA is 21 octets; its fields take 22/],
    ['a SRV target pointing forward', msg([1, 0, 0], (at) => [...pointer(12), ...rr(33, [0, 1, 0, 1, 1, 187, ...pointer(at + 40)])]), /type 33\): a compression pointer past the end .* in its RDATA/],
    ['an A record of 5 octets', msg([1, 0, 0], () => [...pointer(12), ...rr(1, [192, 0, 2, 1, 0])]), /5 octets of RDATA; an address of class IN has 4/],
    ['an AAAA record of 4 octets', msg([1, 0, 0], () => [...pointer(12), ...rr(28, [192, 0, 2, 1])]), /an address of class IN has 16/],
    ['an A record of class CH in an answer to a question of class IN', msg([1, 0, 0], () => [...pointer(12), ...rr(1, [1, 2, 3, 4, 5], 3)]), /answer record 1: class 3 in an answer to a question of class 1/],
    ['a TXT string past its RDATA', msg([1, 0, 0], () => [...pointer(12), ...rr(16, [3, 0x61, 0x62, 0x63, 9, 0x61])]), /type 16\): a character-string runs past the RDATA/],
    ['a TXT of no strings', msg([1, 0, 0], () => [...pointer(12), ...rr(16, [])]), /type 16\): 0 character-strings where the type has at least 1/],
    ['a HINFO of one string', msg([1, 0, 0], () => [...pointer(12), ...rr(13, [1, 0x61])]), /type 13\): 1 character-strings where the type has 2/],
    ['an NSEC bitmap window of 40 octets', msg([1, 0, 0], () => [...pointer(12), ...rr(47, [0, 0, 40, ...Array<number>(40).fill(1)])]), /type 47\): a type bitmap window of 40 octets/],
    ['an NSEC3 whose hash runs past its RDATA', msg([1, 0, 0], () => [...pointer(12), ...rr(50, [1, 0, 0, 0, 0, 20, 1, 2])]), /type 50\): its next hashed owner runs past the RDATA/],
    ['a DS of 3 octets', msg([1, 0, 0], () => [...pointer(12), ...rr(43, [0, 1, 13])]), /type 43\): 3 octets of RDATA where its fixed fields take 4/],
    ['an HTTPS parameter past its RDATA', msg([1, 0, 0], () => [...pointer(12), ...rr(65, [0, 1, 0, 0, 1, 0, 9, 1])]), /type 65\): a parameter or option runs past the RDATA/],
    ['a CAA with an empty tag', msg([1, 0, 0], () => [...pointer(12), ...rr(257, [0, 0, 0x61])]), /type 257\): a CAA tag that is empty/],
    ['an OPT in the answer section', msg([1, 0, 0], () => [0, ...rr(41, [])]), /OPT record in the answer section/],
    ['two OPT records', msg([0, 0, 2], () => [0, ...rr(41, []), 0, ...rr(41, [])]), /additional record 2 \(type 41\): a second OPT record/],
    ['an OPT not owned by the root', msg([0, 0, 1], () => [...pointer(12), ...rr(41, [])]), /whose owner is not the root/],
  ];
  for (const [what, message, fault] of rows) t.match(messageFault(message), fault, what);
});

t.test('mangled messages: never a throw; what passes, dns-packet decodes and listRecords walks', async (t) => {
  const seed = 17;
  const random = prng(seed);
  const name = 'www.example.test';
  const base = response({
    name,
    answers: [
      { type: 'CNAME', name, ttl: 60, data: 'cdn.example.test' },
      { type: 'A', name: 'cdn.example.test', ttl: 60, data: '192.0.2.1' },
      { type: 'MX', name: 'cdn.example.test', ttl: 60, data: { preference: 1, exchange: 'mx.example.test' } },
    ],
    authorities: [soa('example.test', 60, 30)],
    additionals: [{ type: 'A', name: 'mx.example.test', ttl: 60, data: '192.0.2.25' }],
  });
  // Types dns-packet decodes no more strictly than messageFault checks them (A and AAAA of class IN only).
  const lenient = new Set([2, 5, 6, 12, 15, 65280]);
  let passed = 0;
  let compared = 0;
  for (let i = 0; i < 3000; i++) {
    const bad = Buffer.from(base);
    for (let j = 1 + Math.floor(random() * 3); j > 0; j--) bad[2 + Math.floor(random() * (bad.length - 2))] = random() < 0.5 ? 0xc0 | Math.floor(random() * 4) : Math.floor(random() * 256);
    const message = bad.subarray(0, random() < 0.2 ? Math.floor(random() * bad.length) : bad.length);
    if (messageFault(message) !== null) continue;
    passed += 1;
    const questionEnd = readQuestion(message)?.end;
    const records = questionEnd === undefined ? [] : listRecords(message, questionEnd);
    if (questionEnd !== undefined && records === null) t.fail(`seed ${seed}, case ${i}: accepted, but listRecords cannot walk it: ${message.toString('hex')}`);
    const plain = (records ?? []).every((r) => lenient.has(r.type) || ((r.type === 1 || r.type === 28) && message.readUInt16BE(r.ttlOffset - 2) === 1));
    if (questionEnd === undefined || !plain) continue;
    compared += 1;
    try {
      dnsPacket.decode(message);
    } catch (error) {
      t.fail(`seed ${seed}, case ${i}: accepted, but dns-packet says ${(error as Error).message}: ${message.toString('hex')}`);
    }
  }
  t.ok(passed > 100 && compared > 100, `seed ${seed}: ${passed} of 3000 mangled messages still well-formed, ${compared} of them compared with dns-packet`);
});

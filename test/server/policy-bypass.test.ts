import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import t, { type Test } from 'tap';
import { askTcp, askUdp, buildQuery, decodeReply, sendTcp, sendUdp, type Reply } from '../helpers/dns-client.js';
import { startFakeUpstream, type FakeRecord, type FakeUpstreamOptions } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig } from '../helpers/stopzone.js';

/**
 * Ways around the filter (issue 17: D1, DO=1, D3): no flag, query type,
 * CNAME chain or spelling of a name may yield an answer the policy blocks.
 * Stopzone in front of a fake upstream, over real sockets.
 */
const dir = mkdtempSync(join(tmpdir(), 'stopzone-bypass-'));
const zoneFile = (name: string, body: string): string => {
  const file = join(dir, `${name}.rpz`);
  writeFileSync(file, `$TTL 300\n@ SOA ns.${name}. hostmaster.${name}. 7 3600 600 86400 60\n@ NS ns.${name}.\n${body}\n`);
  return file;
};

const LISTED_ADDRESS = '192.0.2.66';
const block = zoneFile(
  'block',
  [
    'listed.test CNAME .',
    'chain-end.test CNAME .',
    `32.${LISTED_ADDRESS.split('.').reverse().join('.')}.rpz-ip CNAME .`,
    'esc.example CNAME a\\046b.target.test.',
  ].join('\n'),
);

/** A chain c0 -> c1 -> ... -> c<links> whose last name owns `last`. */
function chain(prefix: string, links: number, last: FakeRecord): Record<string, FakeRecord[]> {
  const records: Record<string, FakeRecord[]> = {};
  for (let i = 0; i < links; i++) records[`${prefix}${i}.test`] = [{ type: 'CNAME', data: `${prefix}${i + 1}.test` }];
  records[links === 0 ? `${prefix}0.test` : `${prefix}${links}.test`] = [last];
  return records;
}

async function setup(t: Test, records: Record<string, readonly FakeRecord[]>, zoneOptions = '', extra: Partial<FakeUpstreamOptions> = {}, yaml = '') {
  const upstream = await startFakeUpstream({ records, ...extra });
  const server = await startTestServer(testConfig([upstream.hostPort], `${yaml}policy:\n  zones:\n    - { name: block.rpz, file: ${block}${zoneOptions} }\n`, 'warn'));
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  const asked = (name: string): number => upstream.queries.filter((q) => q.name.toLowerCase() === name).length;
  return { server, upstream, asked };
}

function addresses(reply: Reply): string[] {
  return (reply.packet.answers ?? []).filter((a) => a.type === 'A').map((a) => String((a as { data: unknown }).data));
}

function ede(reply: Reply): number | null {
  const opt = reply.packet.additionals?.find((r) => r.type === 'OPT') as unknown as { options?: Array<{ code: number; data?: Buffer }> } | undefined;
  const option = opt?.options?.find((o) => o.code === 15);
  return option?.data === undefined ? null : option.data.readUInt16BE(0);
}

t.test('D1: RD=0 gets the policy, and answers from the cache only', async (t) => {
  // One answering loop: RD=0 is answered from the cache an RD=1 query filled, that loop's (with workers each has its own).
  const { server, asked } = await setup(
    t,
    {
      'listed.test': [{ type: 'A', data: '192.0.2.1' }],
      'viaip.test': [{ type: 'A', data: LISTED_ADDRESS }],
      'fine.test': [{ type: 'A', data: '192.0.2.9' }],
      'never.test': [{ type: 'A', data: '192.0.2.8' }],
    },
    '',
    {},
    'workers: 1\n',
  );
  for (const ask of [askUdp, askTcp]) {
    const listed = await ask(server.target, 'listed.test', { rd: false, bufsize: 1232 });
    t.equal(listed.packet.rcode, 'NXDOMAIN', `${ask.name}: a listed name with RD=0 gets the policy answer`);
  }
  t.equal(asked('listed.test'), 0, 'the listed name never reached the upstream');

  // Cached by an RD=1 query, asked again with RD=0: the cached answer is checked like any other.
  t.equal((await askUdp(server.target, 'viaip.test')).packet.rcode, 'NXDOMAIN', 'RD=1: the listed address is blocked');
  const viaIp = await askUdp(server.target, 'viaip.test', { rd: false });
  t.equal(viaIp.packet.rcode, 'NXDOMAIN', 'RD=0: the cached answer with a listed address is blocked too');
  t.same(addresses(viaIp), []);

  t.same(addresses(await askUdp(server.target, 'fine.test')), ['192.0.2.9'], 'RD=1 fills the cache');
  const cached = await askUdp(server.target, 'fine.test', { rd: false });
  t.same(addresses(cached), ['192.0.2.9'], 'RD=0 is answered from the cache');
  t.equal(cached.packet.flags! & 0x0100, 0, 'RD=0 echoed');
  t.equal(asked('fine.test'), 1, 'and not forwarded');

  const miss = await askUdp(server.target, 'never.test', { rd: false, bufsize: 1232 });
  t.equal(miss.packet.rcode, 'REFUSED', 'RD=0 for a name not in the cache: REFUSED');
  t.equal(ede(miss), 20, 'with EDE 20 (Not Authoritative, RFC 8914 section 4.21)');
  t.equal(asked('never.test'), 0, 'RD=0 is never forwarded');
});

t.test('D1: zone transfers, other meta query types and classes other than IN are refused, never forwarded', async (t) => {
  const { server, upstream } = await setup(t, { 'fine.test': [{ type: 'A', data: '192.0.2.9' }] });
  for (const type of ['AXFR', 'IXFR']) {
    const [raw] = await sendTcp(server.target, [buildQuery('listed.test', { type })]);
    t.equal(decodeReply(raw!).rcode, 'REFUSED', `${type} over TCP`);
    const udp = await sendUdp(server.target, buildQuery('fine.test', { type }));
    t.equal(decodeReply(udp!).rcode, 'REFUSED', `${type} over UDP`);
  }
  for (const type of [249, 250, 253, 254, 41]) {
    const query = buildQuery('fine.test');
    query.writeUInt16BE(type, query.length - 4);
    t.equal(decodeReply((await sendUdp(server.target, query))!).rcode, 'REFUSED', `meta type ${type}`);
  }
  for (const klass of ['CH', 'HS', 'ANY'] as const) {
    const query = dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'listed.test', type: 'A', class: klass }] });
    t.equal(decodeReply((await sendUdp(server.target, query))!).rcode, 'REFUSED', `class ${klass}`);
  }
  t.equal(upstream.queries.length, 0, 'nothing reached the upstream');
  t.equal((await askUdp(server.target, 'fine.test', { type: 'ANY' })).packet.rcode, 'NOERROR', 'ANY is still answered');
});

t.test('D1: recursiveOnly is refused at start-up with the reason', async (t) => {
  await t.rejects(
    startTestServer(testConfig(['127.0.0.1:9'], `policy:\n  zones:\n    - { name: block.rpz, file: ${block}, recursiveOnly: true }\n`)),
    /policy\.zones\.0: unknown key "recursiveOnly".*every query whatever its RD bit/,
  );
});

/** An upstream answer of A records, signed (an RRSIG beside them) as a DNSSEC-validating upstream sends to DO=1. */
function signedRecords(address: string): FakeRecord[] {
  return [
    { type: 'A', data: address },
    {
      type: 'RRSIG',
      data: { typeCovered: 'A', algorithm: 13, labels: 2, originalTTL: 300, expiration: 2000000000, inception: 1700000000, keyTag: 1, signersName: 'test', signature: Buffer.alloc(64) },
    },
  ];
}

t.test('DO=1: signed answers are rewritten by default; breakDnssec: false keeps BIND\'s behaviour as an opt-in', async (t) => {
  const records = { 'signed.test': signedRecords(LISTED_ADDRESS), 'sig-alias.test': [{ type: 'CNAME', data: 'listed.test' }], 'listed.test': signedRecords('192.0.2.1') };
  const strict = await setup(t, records);
  for (const name of ['signed.test', 'sig-alias.test', 'listed.test']) {
    const reply = await askUdp(strict.server.target, name, { bufsize: 1232, dnssecOk: true });
    t.equal(reply.packet.rcode, 'NXDOMAIN', `default: ${name} with DO=1 is blocked`);
  }
  const relaxed = await setup(t, records, ', breakDnssec: false');
  const kept = await askUdp(relaxed.server.target, 'signed.test', { bufsize: 1232, dnssecOk: true });
  t.same(addresses(kept), [LISTED_ADDRESS], 'breakDnssec: false: a DO=1 client gets the signed answer unrewritten');
  t.equal((await askUdp(relaxed.server.target, 'signed.test', { bufsize: 1232 })).packet.rcode, 'NXDOMAIN', 'and DO=0 is still rewritten');
});

t.test('D3: a CNAME chain is checked to its end, up to 32 links; a longer one gets SERVFAIL', async (t) => {
  const records: Record<string, FakeRecord[]> = {};
  const rows = [1, 15, 16, 17, 31, 32];
  for (const links of rows) {
    Object.assign(records, chain(`ip${links}-`, links, { type: 'A', data: LISTED_ADDRESS }));
    Object.assign(records, chain(`nm${links}-`, links - 1, { type: 'CNAME', data: 'chain-end.test' }));
  }
  records['chain-end.test'] = [{ type: 'A', data: '192.0.2.10' }];
  for (const links of [33, 100]) Object.assign(records, chain(`long${links}-`, links, { type: 'A', data: '192.0.2.11' }));
  const { server } = await setup(t, records);
  for (const links of rows) {
    const byIp = await askUdp(server.target, `ip${links}-0.test`, { bufsize: 1232 });
    t.equal(byIp.packet.rcode, 'NXDOMAIN', `${links} links ending at a listed address`);
    t.same(addresses(byIp), []);
    const byName = await askTcp(server.target, `nm${links}-0.test`);
    t.equal(byName.packet.rcode, 'NXDOMAIN', `${links} links ending at a listed name`);
    t.equal(byName.packet.answers?.filter((a) => a.type === 'CNAME').length, links, 'the CNAMEs up to the listed name are kept');
  }
  for (const links of [33, 100]) {
    const reply = await askTcp(server.target, `long${links}-0.test`);
    t.equal(reply.packet.rcode, 'SERVFAIL', `${links} links: past the bound`);
    t.same(addresses(reply), []);
  }
});

/** A query for a name given as raw labels (any octets). */
function rawQuery(labels: readonly Buffer[], id = 0x4242): Buffer {
  const name = Buffer.concat([...labels.flatMap((l) => [Buffer.from([l.length]), l]), Buffer.from([0])]);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(1, 0); // A
  tail.writeUInt16BE(1, 2); // IN
  return Buffer.concat([Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), name, tail]);
}

/** Offset just past the query's name (labels walked, so a NUL octet inside a label is no end). */
function nameEnd(query: Buffer): number {
  let pos = 12;
  while (query[pos]! !== 0) pos += query[pos]! + 1;
  return pos + 1;
}

/** The answer an upstream gives to `query`: its question, then one A record per owner (wire bytes, or null for a pointer to the question). */
function answerWith(query: Buffer, owners: ReadonlyArray<Buffer | null>, address: string): Buffer {
  const end = nameEnd(query) + 4;
  const head = Buffer.from(query.subarray(0, end));
  head[2] = 0x81;
  head[3] = 0x80;
  head.writeUInt16BE(owners.length, 6);
  head.writeUInt16BE(0, 10);
  const records = owners.map((owner) => {
    const fixed = Buffer.alloc(14);
    fixed.writeUInt16BE(1, 0);
    fixed.writeUInt16BE(1, 2);
    fixed.writeUInt32BE(300, 4);
    fixed.writeUInt16BE(4, 8);
    Buffer.from(address.split('.').map(Number)).copy(fixed, 10);
    return Buffer.concat([owner ?? Buffer.from([0xc0, 0x0c]), fixed]);
  });
  return Buffer.concat([head, ...records]);
}

t.test('D3: names with octets written as \\DDD compare in one form, so listed addresses stay blocked', async (t) => {
  // The upstream answers every question with the listed address, its owner written out or as a pointer.
  const upstreamSeen: Buffer[] = [];
  const { server } = await setup(t, {}, '', {
    script: (query) => {
      upstreamSeen.push(query);
      const owner = Buffer.from(query.subarray(12, nameEnd(query)));
      return answerWith(query, [query.readUInt16BE(0) % 2 === 0 ? null : owner], LISTED_ADDRESS);
    },
  });
  const spellings: Array<[string, Buffer[]]> = [
    ['a space', [Buffer.from('badip'), Buffer.from('a b'), Buffer.from('test')]],
    ['a dot inside a label', [Buffer.from('badip'), Buffer.from('a.b'), Buffer.from('test')]],
    ['a backslash', [Buffer.from('badip'), Buffer.from('a\\b'), Buffer.from('test')]],
    ['an octet >= 0x80 (Latin-1 capital E acute)', [Buffer.from('badip'), Buffer.from([0x78, 0xc9]), Buffer.from('test')]],
    ['a NUL octet', [Buffer.from('badip'), Buffer.from([0x61, 0x00]), Buffer.from('test')]],
    ['a quote and parentheses', [Buffer.from('badip'), Buffer.from('a"(;)'), Buffer.from('test')]],
  ];
  for (const [what, labels] of spellings) {
    for (const id of [0x1000, 0x1001]) {
      const raw = await sendUdp(server.target, rawQuery(labels, id));
      const reply = decodeReply(raw!);
      t.equal(reply.rcode, 'NXDOMAIN', `${what}, owner ${id % 2 === 0 ? 'as a pointer' : 'written out'}: the listed address is blocked`);
    }
  }
  t.ok(upstreamSeen.length > 0, 'the upstream was asked (the names are not listed themselves)');
});

t.test('D3: a local-data CNAME target keeps its escapes on the wire and when it is resolved', async (t) => {
  const targetLabels = Buffer.from([3, 0x61, 0x2e, 0x62, 6, ...Buffer.from('target'), 4, ...Buffer.from('test'), 0]);
  const upstreamNames: Buffer[] = [];
  const { server } = await setup(t, {}, '', {
    script: (query) => {
      upstreamNames.push(Buffer.from(query.subarray(12, nameEnd(query))));
      return answerWith(query, [null], '192.0.2.77');
    },
  });
  const reply = await askUdp(server.target, 'esc.example', { bufsize: 1232 });
  t.equal(reply.packet.rcode, 'NOERROR');
  const cnameRdata = Buffer.concat([Buffer.from([0, targetLabels.length]), targetLabels]);
  t.equal(reply.packet.answers?.[0]?.type, 'CNAME', 'the answer starts with the local CNAME');
  t.ok(reply.raw.includes(cnameRdata), 'its RDATA is the label "a.b" (one label with a dot in it), then target.test');
  t.same(addresses(reply), ['192.0.2.77'], 'the target was resolved');
  t.same(upstreamNames, [targetLabels], 'the upstream was asked for exactly that name');
});

import t from 'tap';
import dnsPacket from 'dns-packet';
import { relayForm } from '../../src/dns/relay-form.js';
import { readQuestion } from '../../src/dns/wire.js';
import { response, soa } from '../helpers/messages.js';
import { answerWith, pointer } from '../helpers/malformed-answers.js';

const relay = (message: Buffer, qname: string): dnsPacket.Packet => dnsPacket.decode(relayForm(message, readQuestion(message)!.end, qname)!);
const owners = (records: dnsPacket.Packet['answers']): string[] => (records ?? []).map((r) => `${r.name} ${r.type}`);
const a = (name: string, data: string): dnsPacket.Answer => ({ type: 'A', name, ttl: 120, data });
const cname = (name: string, data: string): dnsPacket.Answer => ({ type: 'CNAME', name, ttl: 120, data });

t.test('relayForm: positive answers keep the answer section, negative ones the authority, never OPT', async (t) => {
  const opt = { type: 'OPT', name: '.', udpPayloadSize: 1232 } as unknown as dnsPacket.Answer;
  const ns = { type: 'NS', name: 'example.com', ttl: 300, data: 'ns.example.com' } as dnsPacket.Answer;
  const glue = { type: 'A', name: 'ns.example.com', ttl: 5, data: '192.0.2.53' } as dnsPacket.Answer;
  const positive = response({ name: 'example.com', answers: [a('example.com', '192.0.2.1')], authorities: [ns], additionals: [opt, glue] });
  const relayedPositive = relay(positive, 'example.com');
  t.same([relayedPositive.answers?.length, relayedPositive.authorities?.length, relayedPositive.additionals?.length], [1, 0, 0]);
  const negative = response({ name: 'example.com', rcode: 'NXDOMAIN', authorities: [soa('example.com', 60, 60)], additionals: [opt] });
  const relayedNegative = relay(negative, 'example.com');
  t.same([relayedNegative.answers?.length, relayedNegative.authorities?.[0]?.type, relayedNegative.additionals?.length], [0, 'SOA', 0]);
  t.equal(relayForm(positive.subarray(0, positive.length - 3), readQuestion(positive)!.end, 'example.com'), null, 'malformed');
});

t.test('relayForm keeps the CNAME chain from the question and nothing beside it (issue 17: listed data relayed beside the chain)', async (t) => {
  const rows: Array<{ name: string; qname: string; answers: dnsPacket.Answer[]; authorities?: dnsPacket.Answer[]; rcode?: string; want: string[]; wantAuthority?: string[] }> = [
    { name: 'chain in order', qname: 'www.example.com', answers: [cname('www.example.com', 'cdn.example.net'), a('cdn.example.net', '192.0.2.1')], want: ['www.example.com CNAME', 'cdn.example.net A'] },
    { name: 'chain out of order', qname: 'www.example.com', answers: [a('cdn.example.net', '192.0.2.1'), cname('www.example.com', 'cdn.example.net')], want: ['cdn.example.net A', 'www.example.com CNAME'] },
    { name: 'a listed name beside the chain', qname: 'www.example.com', answers: [a('www.example.com', '192.0.2.1'), a('listed.example.org', '198.51.100.43')], want: ['www.example.com A'] },
    { name: 'a record before the chain, pointed into by later names', qname: 'www.example.com', answers: [a('x.www.example.com', '198.51.100.1'), a('www.example.com', '192.0.2.1')], want: ['www.example.com A'] },
    { name: 'letter case of owners', qname: 'www.example.com', answers: [a('WWW.Example.COM', '192.0.2.1')], want: ['WWW.Example.COM A'] },
    {
      name: 'DNAME above the chain and its synthesised CNAME',
      qname: 'www.old.example',
      answers: [{ type: 'DNAME', name: 'old.example', ttl: 60, data: 'new.example' } as dnsPacket.Answer, cname('www.old.example', 'www.new.example'), a('www.new.example', '192.0.2.9'), { type: 'DNAME', name: 'other.example', ttl: 60, data: 'x.example' } as dnsPacket.Answer],
      want: ['old.example DNAME', 'www.old.example CNAME', 'www.new.example A'],
    },
    {
      name: 'a negative answer keeps its SOA, not other records',
      qname: 'nothere.example.com',
      rcode: 'NXDOMAIN',
      answers: [],
      authorities: [soa('example.com', 60, 60), a('listed.example.org', '198.51.100.43')],
      want: [],
      wantAuthority: ['example.com SOA'],
    },
  ];
  for (const row of rows) {
    const message = response({ name: row.qname, answers: row.answers, authorities: row.authorities ?? [], ...(row.rcode && { rcode: row.rcode }) });
    const relayed = relay(message, row.qname.toLowerCase());
    t.same(owners(relayed.answers), row.want, row.name);
    if (row.wantAuthority !== undefined) t.same(owners(relayed.authorities), row.wantAuthority, `${row.name}: authority`);
  }
});

t.test('relayForm reads owners given as compression pointers, as real upstreams send them', async (t) => {
  // The question in mixed case (a client's 0x20 spelling, kept upstream); relayForm is given it in lower case.
  const query = dnsPacket.encode({ type: 'query', id: 9, questions: [{ name: 'WwW.Example.COM', type: 'A', class: 'IN' }] });
  const ttlAndA = (ip: number): number[] => [0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, ip];
  const cnameTo = (target: number[]): number[] => [0, 5, 0, 1, 0, 0, 0, 60, 0, target.length, ...target];
  const cases: Array<{ name: string; counts: [number, number, number]; body: (questionEnd: number) => number[]; want: string[] }> = [
    {
      name: 'two A records owned by the pointer to the question',
      counts: [2, 0, 0],
      body: () => [...pointer(12), ...ttlAndA(1), ...pointer(12), ...ttlAndA(2)],
      want: ['WwW.Example.COM A', 'WwW.Example.COM A'],
    },
    {
      // CNAME www -> cdn.<pointer to "example.com" in the question>, then an A owned by a pointer to that target.
      name: 'a chain whose target and its record are pointers',
      counts: [2, 0, 0],
      body: (questionEnd) => [...pointer(12), ...cnameTo([3, 0x63, 0x64, 0x6e, ...pointer(16)]), ...pointer(questionEnd + 12), ...ttlAndA(3)],
      want: ['WwW.Example.COM CNAME', 'cdn.Example.COM A'],
    },
    {
      // A record owned by "other" + pointer to "example.com": beside the chain, dropped; the pointer-owned one kept.
      name: 'a record beside the chain among pointer-owned ones',
      counts: [2, 0, 0],
      body: () => [5, ...Buffer.from('other'), ...pointer(16), ...ttlAndA(4), ...pointer(12), ...ttlAndA(5)],
      want: ['WwW.Example.COM A'],
    },
    {
      // Only a pointer to the question's own name is the question: one to its parent ("example.com") is not.
      name: 'a record owned by a pointer into the question, to its parent',
      counts: [2, 0, 0],
      body: () => [...pointer(16), ...ttlAndA(6), ...pointer(12), ...ttlAndA(7)],
      want: ['WwW.Example.COM A'],
    },
  ];
  for (const { name, counts, body, want } of cases) {
    const message = answerWith(query, counts, body);
    t.same(owners(relay(message, 'www.example.com').answers), want, name);
  }
});

t.test('relayForm follows a long chain listed last link first, and keeps branches and DNAMEs as a short one', async (t) => {
  // 2,000 links, the last first, as a hostile upstream may order them (each link is read once: passes over every
  // record until none adds a name were quadratic in the links).
  const link = (i: number): string => `l${i}.chain.example`;
  const links = Array.from({ length: 2000 }, (_, i) => cname(link(i), link(i + 1)));
  const message = response({ name: link(0), answers: [a(link(2000), '192.0.2.7'), ...links.reverse(), a('beside.example', '198.51.100.1')] });
  const relayed = relay(message, link(0));
  t.equal(relayed.answers?.length, 2001, 'every link and the address at its end');
  t.same(owners(relayed.answers).slice(0, 2), [`${link(2000)} A`, `${link(1999)} CNAME`], 'in the message\'s order');
  t.notOk(owners(relayed.answers).includes('beside.example A'), 'not the record beside the chain');

  // Two CNAMEs of one owner (invalid, but upstreams send it): both targets are followed, as before.
  const forked = response({ name: 'f.example', answers: [cname('f.example', 'x.example'), cname('f.example', 'y.example'), a('y.example', '192.0.2.8'), a('z.example', '192.0.2.9')] });
  t.same(owners(relay(forked, 'f.example').answers), ['f.example CNAME', 'f.example CNAME', 'y.example A']);
  // A DNAME at the root is above every name; one at a name on the chain itself is not above it.
  const rooted = response({ name: 'www.old.example', answers: [{ type: 'DNAME', name: '.', ttl: 60, data: 'new.example' } as dnsPacket.Answer, { type: 'DNAME', name: 'www.old.example', ttl: 60, data: 'n.example' } as dnsPacket.Answer, a('www.old.example', '192.0.2.1')] });
  t.same(owners(relay(rooted, 'www.old.example').answers), ['. DNAME', 'www.old.example DNAME', 'www.old.example A'], 'the root DNAME kept; the one owned by the name kept as a record of that name');
});

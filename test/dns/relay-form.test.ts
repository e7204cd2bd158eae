import t from 'tap';
import dnsPacket from 'dns-packet';
import { relayForm } from '../../src/dns/relay-form.js';
import { readQuestion } from '../../src/dns/wire.js';
import { response, soa } from '../helpers/messages.js';

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

// The RPZ engine inside another Node DNS server: a tiny UDP responder that
// answers listed names from the policy and everything else with REFUSED.
// Run from a checkout: npx node --import ./node_modules/@tapjs/typescript/dist/esm/import.mjs docs/examples/rpz-alone.ts zones/example.rpz
// (an installed package imports 'stopzone/rpz' instead of the relative path).
import dgram from 'node:dgram';
import { loadPolicyZone, PolicySet, rewrite, type ZoneSettings } from '../../src/rpz/index.js';

const settings: ZoneSettings = {
  policy: 'given', maxPolicyTtl: 5, breakDnssec: true,
  logName: 'example list', ede: { code: 15 }, log: true,
};
const zone = await loadPolicyZone(process.argv[2] ?? 'zones/example.rpz', 'example.rpz');
const policy = new PolicySet([{ zone, settings }]);
console.log(`loaded ${zone.name}:`, zone.stats.triggers);

const socket = dgram.createSocket('udp4');
socket.on('message', (raw, client) => {
  // Your server decodes the question its own way; here: the first question's name, read by hand.
  let at = 12;
  const labels: string[] = [];
  while (raw[at]! > 0) labels.push(raw.toString('latin1', at + 1, (at += raw[at]! + 1)).toLowerCase());
  const questionEnd = at + 5;
  const qtype = raw.readUInt16BE(at + 1);
  const { hit } = policy.beforeResolution(labels.join('.'), null);
  if (hit === null) return; // not listed: forward it as your server does
  const result = rewrite({ raw, questionEnd, qtype, transport: 'udp' }, hit, [], { a: [], aaaa: [] });
  console.log(`${labels.join('.')}: ${hit.via} -> ${result.kind}`);
  if (result.kind === 'answer') {
    result.message.writeUInt16BE(raw.readUInt16BE(0), 0); // the client's ID
    socket.send(result.message, client.port, client.address);
  }
});
socket.bind(5399, '127.0.0.1', () => console.log('answering on 127.0.0.1:5399'));

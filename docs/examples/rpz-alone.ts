// The RPZ engine inside another Node DNS server: a small UDP forwarder that
// applies the whole policy to every query with one call, evaluate(): client-IP
// and QNAME triggers, rpz-ip on the answer's addresses, every CNAME of the
// chain, every action (walled gardens and CNAME redirects are resolved through
// the resolver you give it).
// Run from a checkout (arguments: zone file, upstream resolver, listen port; 0 picks a free one):
//   npx node --import ./test/helpers/ts-resolve.mjs docs/examples/rpz-alone.ts zones/example.rpz 127.0.0.1:53 5399
// (an installed package imports 'stopzone/rpz' instead of the relative path).
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { basename } from 'node:path';
import { ACTION_NAMES, evaluate, loadPolicyZone, PolicySet, readPolicyQuery, type PolicyQuery, type Resolved, type ZoneSettings } from '../../src/rpz/index.js';

const [file = 'zones/example.rpz', upstream = '127.0.0.1:53', port = '5399'] = process.argv.slice(2);
const upstreamHost = upstream.replace(/^\[?(.*?)\]?:\d+$/, '$1');
const upstreamPort = Number(/:(\d+)$/.exec(upstream)?.[1] ?? 53);

const settings: ZoneSettings = {
  policy: 'given', maxPolicyTtl: 5, breakDnssec: true,
  logName: 'example list', ede: { code: 15 }, log: true,
};
const zone = await loadPolicyZone(file, basename(file));
const policy = new PolicySet([{ zone, settings }]);
console.log(`loaded ${zone.name}:`, zone.stats.triggers);

/** Your server's resolver (its cache, its upstreams); here one UDP exchange with the upstream, 2 s at most. */
function resolve(query: PolicyQuery): Promise<Resolved> {
  return new Promise((done, fail) => {
    const socket = dgram.createSocket(isIPv6(upstreamHost) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => (socket.close(), fail(new Error(`no answer from ${upstream}`))), 2000);
    socket.on('message', (reply) => {
      if (reply.length < 12 || reply.readUInt16BE(0) !== query.id) return; // not the answer to this query
      clearTimeout(timer);
      socket.close();
      done({ message: reply, rcode: reply[3]! & 0x0f });
    });
    socket.send(query.raw, upstreamPort, upstreamHost);
  });
}

const server = dgram.createSocket('udp4');
server.on('message', (raw, client) => {
  const query = readPolicyQuery(raw, client.address, 'udp');
  if (query === null) return; // not a query this example answers
  evaluate(policy, query, resolve).then(
    (decision) => {
      const rule = decision.policy === undefined ? 'no rule' : `${decision.policy.via} (${ACTION_NAMES[decision.policy.kind]})`;
      console.log(`${client.address} ${query.question.name}: ${rule}, ${decision.source ?? 'upstream'} answer`);
      // null: DROP, send nothing. Policy answers carry the client's ID, and so do the upstream's (its query was the client's bytes).
      if (decision.message !== null) server.send(decision.message, client.port, client.address);
    },
    (error: Error) => console.log(`${client.address} ${query.question.name}: unanswered (${error.message})`),
  );
});
server.bind(Number(port), '127.0.0.1', () => console.log(`answering on 127.0.0.1:${server.address().port}`));

import dgram from 'node:dgram';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { buildQuery } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { Campaign } from './campaign.js';
import type { ClientRoundOptions } from './client-round.js';
import { finish } from './round-end.js';
import { startFuzzServer } from './fuzz-server.js';
import { policyFailures, serverYaml, tcpOnce, writePolicyZone } from './policy.js';
import { decodeOrReason, hex, listedDataIn } from './reply-check.js';
import { correctAnswer, indexOfName, upstreamAnswer, upstreamQuestion } from './upstream-answers.js';

/** Queries in flight at once. */
const WINDOW = 256;
/** The server gives up on an upstream after 600 ms (deadlineMs in the fuzz config): no reply by then is a lost query. */
const CLIENT_TIMEOUT_MS = 5000;

/**
 * Upstream answers: a server whose only upstream is the fuzzing fake, which
 * answers q<index>.up.fuzz.test with upstreamAnswer() (valid, mutated,
 * garbage or nothing) and every other name correctly. Each input is one
 * client query (UDP, or TCP for a tenth); its reply must come, parse, match
 * the question and carry no listed data. At the end the policy must hold
 * and the unlisted name still have its right address (nothing poisoned).
 */
export async function upstreamRound(options: ClientRoundOptions): Promise<Campaign> {
  const seed = options.seed;
  const upstream = await startFakeUpstream({
    keepQueries: false,
    script(raw) {
      let query: dnsPacket.DecodedPacket;
      try {
        query = dnsPacket.decode(raw);
      } catch {
        return null;
      }
      const index = indexOfName(query.questions?.[0]?.name ?? '');
      return index < 0 ? correctAnswer(query) : upstreamAnswer(seed, index, raw, query);
    },
  });
  const server = await startFuzzServer(serverYaml({ upstream: upstream.hostPort, ...writePolicyZone(), extra: options.serverYaml }));
  const campaign = new Campaign('upstream', options, () => server.sample());
  try {
    const before = await policyFailures(server.dns);
    if (before.length > 0) throw new Error(`the fuzz policy does not hold before fuzzing (harness broken?): ${before.join('; ')}`);
    await campaign.begin();
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    socket.setRecvBufferSize(4 * 1024 * 1024);
    const waiting = new Map<number, (reply: Buffer | null) => void>();
    socket.on('message', (reply: Buffer) => {
      if (reply.length < 2) return campaign.fail('reply shorter than a header', -1, hex(reply));
      const wake = waiting.get(reply.readUInt16BE(0));
      if (wake === undefined) return campaign.count('late or unmatched UDP replies');
      wake(reply);
    });
    let nextId = 0;
    const askUdp = (query: Buffer): Promise<Buffer | null> =>
      new Promise((resolve) => {
        const id = query.readUInt16BE(0);
        const timer = setTimeout(() => done(null), CLIENT_TIMEOUT_MS);
        const done = (reply: Buffer | null): void => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(reply);
        };
        waiting.set(id, done);
        socket.send(query, server.dns.port, server.dns.address);
      });
    const one = async (index: number): Promise<void> => {
      const question = upstreamQuestion(seed, index);
      // IDs cycle through 65,536 values and at most WINDOW are in flight: never two alike.
      const query = buildQuery(question.name, { type: question.type, id: nextId++ & 0xffff, bufsize: 1232, dnssecOk: question.dnssecOk });
      if (question.cd) query[3]! |= 0x10;
      campaign.count(question.tcp ? 'tcp queries' : 'udp queries');
      const ask = async (): Promise<Buffer | string> => (question.tcp ? tcpOnce(server.dns, query, '127.0.0.1', CLIENT_TIMEOUT_MS) : ((await askUdp(query)) ?? `no reply within ${CLIENT_TIMEOUT_MS} ms`));
      let reply = await ask();
      if (typeof reply === 'string') {
        // Asked again before it counts: a loaded machine can lose one; a server that stopped answering it loses both.
        campaign.count(`${question.tcp ? 'tcp' : 'udp'} queries asked twice (${reply.replace(/after \d+ bytes/, '')})`);
        reply = await ask();
      }
      if (typeof reply === 'string') return campaign.fail('no reply to a valid query, twice', index, `${question.tcp ? 'tcp' : 'udp'} ${question.name} ${question.type}: ${reply}`);
      const packet = decodeOrReason(reply);
      if (typeof packet === 'string') return campaign.fail('reply does not parse', index, `${packet}; reply ${hex(reply)}`, reply);
      campaign.count(`rcode ${(packet as { rcode?: string }).rcode ?? '?'}`);
      if (packet.id !== query.readUInt16BE(0)) campaign.fail('reply ID differs from the query', index, `${packet.id} for ${query.readUInt16BE(0)}`, reply);
      if ((packet.questions?.[0]?.name ?? '').toLowerCase() !== question.name) campaign.fail('reply to another question', index, `${packet.questions?.[0]?.name} for ${question.name}`, reply);
      const listed = listedDataIn(packet);
      if (listed !== null) campaign.fail(listed.inChain ? 'listed data on the answer chain' : 'listed data relayed beside the answer chain', index, `${question.name} ${question.type}: ${listed.record}`, reply);
    };
    let next = options.from;
    const end = options.from + options.count;
    await Promise.all(
      Array.from({ length: WINDOW }, async () => {
        while (next < end) {
          await one(next++);
          await campaign.progress(next - options.from);
        }
      }),
    );
    socket.close();
    await finish(campaign, server);
  } finally {
    await server.close();
    await upstream.close();
  }
  return campaign;
}

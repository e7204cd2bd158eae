/**
 * Scenario: what a cache miss costs Stopzone in process, layer by layer, against a bare relay in the same run: one
 * miss at a time, each a new name, to an upstream on loopback in this process that answers every query with one A
 * record. The layers, in alternating order for each round:
 * - `relay`: the least a forwarder can do, as bench/node-floor/answer-echo.mjs does: the query's bytes sent on one
 *   connected socket, the first datagram back taken as the answer (no ID, no check, no timer);
 * - `pool`: UpstreamPool.resolve (random ID and rotating source ports, the answer checked whole, a timeout);
 * - `stopzone`: the whole answering path (packetHandler over the stages in their real order: decode, policy with
 *   no zone, the cache's miss and store, forwarding, the relayed form, the client's answer).
 * The same process's upstream receives and answers every query, so its cost is in each figure alike; the client's
 * own datagrams are not (no client socket: the handler is called with the query's bytes).
 *
 * Hypothesis (issue 21): a miss costs Stopzone about twice what it costs a bare relay; the distance is the pool's
 * bookkeeping (timers, promises, sockets) and the stages' work on the answer, and shrinks with each.
 *
 * Run: npx node --import ./test/helpers/ts-resolve.mjs bench/miss-path.ts [misses=50000] [rounds=4]
 * (BENCH_LAYERS: a comma-separated list of the layers to run, e.g. `stopzone` alone for a `--cpu-prof` of it; all
 * three by default.)
 * Prints per layer: CPU microseconds per miss (process.cpuUsage, user + system), each round and the median.
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import pino from 'pino';
import { AnswerCache } from '../src/cache/answer-cache.js';
import { parseConfig } from '../src/config/load-config.js';
import { readQuestion } from '../src/dns/wire.js';
import { PolicySet } from '../src/rpz/policy-set.js';
import { stopPageRdata } from '../src/rpz/policy-holder.js';
import { packetHandler } from '../src/server/handle-packet.js';
import { compose } from '../src/server/pipeline.js';
import { stagesInOrder } from '../src/server/stage-order.js';
import { allowList } from '../src/server/stages/access.js';
import { UpstreamPool } from '../src/upstream/index.js';

const misses = Number(process.argv[2] ?? 50_000);
const rounds = Number(process.argv[3] ?? 4);

const query = (name: string): Buffer =>
  dnsPacket.encode({ type: 'query', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }], additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as never] });

// The upstream: one A record for whatever is asked, its owner the pointer to the question, as real servers write it.
const ANSWER_RECORD = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 192, 0, 2, 1]);
const upstream = dgram.createSocket('udp4');
upstream.on('message', (asked, from) => {
  const questionEnd = readQuestion(asked)!.end;
  const reply = Buffer.concat([asked.subarray(0, questionEnd), ANSWER_RECORD]);
  reply.writeUInt16BE(0x8180, 2);
  reply.writeUInt32BE(0x00010001, 4); // QDCOUNT 1, ANCOUNT 1
  reply.writeUInt32BE(0, 8);
  upstream.send(reply, from.port, from.address);
});
await new Promise<void>((resolve) => upstream.bind(0, '127.0.0.1', resolve));
const upstreamPort = upstream.address().port;

const config = parseConfig(`upstreams: ["127.0.0.1:${upstreamPort}"]\npolicy: { zones: [] }\n`, {});
const pool = new UpstreamPool({ upstreams: config.upstreams, ...config.upstream });
const noPolicy = new PolicySet([]);
const stages = stagesInOrder({ allowed: allowList(config.access.allow.filter((network) => network.address === '127.0.0.0')), cache: new AnswerCache(config.cache), pool, policy: { current: () => noPolicy }, stopPage: stopPageRdata([]) });
const handle = packetHandler(compose(stages), { maxUdpPayload: 1232 }, pino({ level: 'warn' }, pino.destination('/dev/null')));
const meta = { client: { address: '127.0.0.1', port: 5353 }, transport: 'udp' as const, listener: '127.0.0.1:53' };

const relaySocket = dgram.createSocket('udp4');
await new Promise<void>((resolve) => relaySocket.connect(upstreamPort, '127.0.0.1', () => resolve()));
let waiting: ((answer: Buffer) => void) | null = null;
relaySocket.on('message', (answer) => {
  const wake = waiting;
  waiting = null;
  wake?.(answer);
});
const relay = (raw: Buffer): Promise<Buffer> =>
  new Promise((resolve) => {
    waiting = resolve;
    relaySocket.send(Buffer.from(raw));
  });

let named = 0;
const layers = {
  relay: (name: string) => relay(query(name)),
  pool: (name: string) => {
    query(name); // made and thrown away, as in the other layers
    return pool.resolve({ question: { name, lname: name, type: 1, class: 1 }, dnssecOk: false, checkingDisabled: false, tcp: false });
  },
  stopzone: (name: string) => handle(query(name), meta),
} as const;
type Layer = keyof typeof layers;

async function run(layer: Layer): Promise<number> {
  const ask = layers[layer];
  const cpu = process.cpuUsage();
  for (let i = 0; i < misses; i++) {
    const answer = ask(`n${named++}.miss.example`);
    if (answer instanceof Promise) await answer;
    else throw new Error(`${layer}: a new name was answered at once`);
  }
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / misses;
}

const order = (process.env.BENCH_LAYERS ?? Object.keys(layers).join(',')).split(',') as Layer[];
for (const layer of order) if (!(layer in layers)) throw new Error(`BENCH_LAYERS: unknown layer "${layer}"; expected some of ${Object.keys(layers).join(', ')}`);
const results = new Map<Layer, number[]>(order.map((layer) => [layer, []]));
await run(order.includes('stopzone') ? 'stopzone' : order[0]!); // warm-up
for (let round = 0; round < rounds; round++) {
  for (const layer of round % 2 === 0 ? order : [...order].reverse()) results.get(layer)!.push(await run(layer));
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(`a miss in process, one at a time: ${misses} misses per layer and round, ${rounds} rounds, Node ${process.version}`);
for (const [layer, values] of results) console.log(`${layer.padEnd(9)} CPU ${median(values).toFixed(1).padStart(5)} µs/miss   rounds: ${values.map((v) => v.toFixed(1)).join(', ')}`);
await pool.close();
relaySocket.close();
upstream.close();

/**
 * Scenario: the answering path in process, from the packet's bytes to the reply's bytes (packetHandler over the
 * stages in their real order, the real cache, policy set and metrics; no sockets, so the kernel's share, 40 % of
 * a cache hit in issue 21's profile, is left out): the CPU each common answer costs, garbage collection included.
 *
 * Hypothesis (issue 21 item 2): answers known at once (a cache hit, a QNAME policy hit, REFUSED, FORMERR) cost
 * far less when sent from the packet's own callback than through a promise per stage, and per-query metrics
 * without label hashing cost nothing measurable. Baseline: the same file run in a checkout of the previous commit
 * (`git worktree add ../before <commit>`, symlink node_modules, copy this file, run it there), alternating.
 *
 * Run: npx node --expose-gc --import ./test/helpers/ts-resolve.mjs bench/hot-path.ts [queries=300000] [rounds=5]
 * (BENCH_CASES: a comma-separated list of the cases to run, by the start of their names; all by default.)
 * Prints per case: CPU microseconds per query (user + system, process.cpuUsage: the work, whatever else the
 * machine runs) and wall microseconds per query, medians of the rounds, and the bytes of V8 heap a query
 * allocates (counted, not timed: the same on a busy machine).
 */
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import dnsPacket from 'dns-packet';
import pino from 'pino';
import { AnswerCache, cacheKey } from '../src/cache/answer-cache.js';
import { parseConfig } from '../src/config/load-config.js';
import { readQuestion } from '../src/dns/wire.js';
import { LoopMetrics } from '../src/observe/loop-metrics.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlockLog } from '../src/observe/block-log.js';
import { openEventStore } from '../src/store/open-event-store.js';
import { loadPolicyZoneText } from '../src/rpz/load-zone.js';
import { PolicySet, type ZoneSettings } from '../src/rpz/policy-set.js';
import { stopPageRdata } from '../src/rpz/policy-holder.js';
import { packetHandler } from '../src/server/handle-packet.js';
import { compose } from '../src/server/pipeline.js';
import { stagesInOrder } from '../src/server/stage-order.js';
import { allowList } from '../src/server/stages/access.js';
import { UpstreamPool } from '../src/upstream/index.js';

const queries = Number(process.argv[2] ?? 300_000);
const rounds = Number(process.argv[3] ?? 5);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

const settings: ZoneSettings = { policy: 'given', maxPolicyTtl: 5, breakDnssec: true, logName: 'bench', ede: { code: 15 }, log: true };
const names = Array.from({ length: 10_000 }, (_, i) => `listed${i}.example CNAME .`).join('\n');
const zone = await loadPolicyZoneText(`$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\n${names}\n`, 'bench.rpz');
const policy = new PolicySet([{ zone, settings }]);
// The shipped defaults; the upstream (discard port on loopback) is never asked: every case answers before forwarding.
const config = parseConfig('upstreams: ["127.0.0.1:9"]\npolicy: { zones: [] }\n', {});
const cache = new AnswerCache(config.cache);
const pool = new UpstreamPool({ upstreams: config.upstreams, ...config.upstream });
const metrics = new LoopMetrics({ cache, tcp: () => ({ open: 0, queuedBytes: 0, queuedBytesPeak: 0, closed: {} }) as never });
const stages = stagesInOrder({ allowed: allowList(config.access.allow.filter((network) => network.address === '127.0.0.0')), cache, pool, policy: { current: () => policy }, stopPage: stopPageRdata([]) });
const log = pino({ level: 'warn' }, pino.destination('/dev/null'));
const handle = packetHandler(compose(stages), { maxUdpPayload: 1232 }, log, (query, answer) => metrics.observe(query, answer));
// As shipped, a policy hit is also a block-log event (a JSON line) and a row in the event store (SQLite, written by
// its own thread, whose CPU process.cpuUsage counts too), both in a temporary directory (in memory where Linux has one).
const storeDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'stopzone-hot-path-'));
const events = openEventStore({ ...config.store, file: join(storeDir, 'events.sqlite') }, log, Date.now)!;
// The block log's own destinations, as shipped (a file here, rotated at 1 GiB, instead of stdout, which this prints
// to), with room for every event of a round: a round makes them faster than a server would, and what is dropped
// costs next to nothing, so a bound would measure dropping. Each round ends once its events are written.
const blockLogConfig = { ...config.blockLog, destination: 'file' as const, file: join(storeDir, 'blocks.log'), rotateSize: '1g', bufferEvents: 10 * queries };
const blockLog = await BlockLog.open(blockLogConfig, Buffer.alloc(32, 1), undefined, events.tap);
const handleLogged = packetHandler(compose(stages), { maxUdpPayload: 1232 }, log, (query, answer, ede) => {
  metrics.observe(query, answer);
  blockLog.record(query, answer, ede);
});

const wire = (name: string, id = 1): Buffer => dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }], additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as never] });
const cached = 'www.cached.example';
const answer = dnsPacket.encode({ type: 'response', id: 0, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: [{ name: cached, type: 'A', class: 'IN' }], answers: [{ type: 'A', name: cached, ttl: 86_400, data: '192.0.2.1' }] });
cache.store(cacheKey({ name: cached, lname: cached, type: 1, class: 1 }, false, false), answer, readQuestion(answer)!.end);

const inside = { client: { address: '127.0.0.1', port: 5353 }, transport: 'udp' as const, listener: '127.0.0.1:53' };
const outside = { client: { address: '192.0.2.7', port: 5353 }, transport: 'udp' as const, listener: '127.0.0.1:53' };
// Blocks of a new name each time (10,000 listed names in turn), beside the same name again (as a browser's A, AAAA
// and HTTPS, and its retries, are): the block log remembers a reference code per name and gives it again.
const listedInTurn = Array.from({ length: 10_000 }, (_, i) => wire(`listed${i}.example`));
/** A case's queries: the same one, a list in turn, or one made for each query (`i`: the query's number in the run). */
type Queries = Buffer | Buffer[] | ((i: number) => Buffer);
const queryAt = (raw: Queries, i: number): Buffer => (typeof raw === 'function' ? raw(i) : Array.isArray(raw) ? raw[i % raw.length]! : raw);

// A miss each time: an upstream in this process, on loopback, answers every query with one A record whose owner is
// the pointer to the question, as real servers write it. Its own receive and send count in the CPU here too.
const upstreamSocket = dgram.createSocket('udp4');
upstreamSocket.on('message', (asked, from) => {
  const questionEnd = readQuestion(asked)!.end;
  const reply = Buffer.concat([asked.subarray(0, questionEnd), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 192, 0, 2, 1])]);
  reply.writeUInt16BE(0x8180, 2);
  reply.writeUInt32BE(0x00010001, 4); // QDCOUNT 1, ANCOUNT 1
  reply.writeUInt32BE(0, 8);
  upstreamSocket.send(reply, from.port, from.address);
});
await new Promise<void>((resolve) => upstreamSocket.bind(0, '127.0.0.1', resolve));
const missConfig = parseConfig(`upstreams: ["127.0.0.1:${upstreamSocket.address().port}"]\npolicy: { zones: [] }\n`, {});
const missPool = new UpstreamPool({ upstreams: missConfig.upstreams, ...missConfig.upstream });
const missStages = stagesInOrder({ allowed: allowList(missConfig.access.allow.filter((network) => network.address === '127.0.0.0')), cache: new AnswerCache(missConfig.cache), pool: missPool, policy: { current: () => policy }, stopPage: stopPageRdata([]) });
const handleMiss = packetHandler(compose(missStages), { maxUdpPayload: 1232 }, log, (query, answer) => metrics.observe(query, answer));
let missed = 0;
const newName = (): Buffer => wire(`n${missed++}.miss.example`);

const cases: Array<{ name: string; raw: Queries; meta: typeof inside; handler?: typeof handle }> = [
  { name: 'cache hit', raw: wire(cached), meta: inside },
  { name: 'policy hit (NXDOMAIN)', raw: wire('listed42.example'), meta: inside },
  { name: 'policy hit, logged+stored', raw: wire('listed42.example'), meta: inside, handler: handleLogged },
  { name: 'the same, each name new', raw: listedInTurn, meta: inside, handler: handleLogged },
  { name: 'REFUSED (access)', raw: wire(cached), meta: outside },
  { name: 'FORMERR (QDCOUNT 2)', raw: Buffer.concat([wire(cached).subarray(0, 4), Buffer.from([0, 2]), wire(cached).subarray(6)]), meta: inside },
  { name: 'miss, forwarded (loopback)', raw: newName, meta: inside, handler: handleMiss },
];

async function run(raw: Queries, meta: typeof inside, handler = handle): Promise<{ cpuUs: number; wallUs: number }> {
  gc!();
  const cpu = process.cpuUsage();
  const started = performance.now();
  let replied = 0;
  for (let i = 0; i < queries; i++) {
    // A turn of the event loop now and then, as a server has between datagrams: the block log's writes go out.
    if ((i & 1023) === 1023) await new Promise((resolve) => setImmediate(resolve));
    let reply = handler(queryAt(raw, i), meta);
    if (reply instanceof Promise) reply = await reply;
    if (reply !== null) replied++;
  }
  if (handler === handleLogged) await blockLog.flush();
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (replied !== queries) throw new Error(`only ${replied} of ${queries} answered`);
  return { cpuUs: (used.user + used.system) / queries, wallUs: (wall * 1000) / queries };
}

/**
 * Bytes of V8 heap each query allocates, counted rather than timed (the same on a busy machine): the heap in use
 * after the queries, less before, plus what every collection in between freed (v8.GCProfiler's before and after).
 * What the young generation's collections cost grows with it.
 */
async function bytesPerQuery(raw: Queries, meta: typeof inside, handler = handle): Promise<number> {
  const count = 20_000;
  gc!();
  const collections = new v8.GCProfiler();
  collections.start();
  const before = v8.getHeapStatistics().used_heap_size;
  for (let i = 0; i < count; i++) {
    const reply = handler(queryAt(raw, i), meta);
    if (reply instanceof Promise) await reply;
  }
  const after = v8.getHeapStatistics().used_heap_size;
  const freed = collections.stop().statistics.reduce((sum, { beforeGC, afterGC }) => sum + beforeGC.heapStatistics.usedHeapSize - afterGC.heapStatistics.usedHeapSize, 0);
  if (handler === handleLogged) await blockLog.flush();
  return (after - before + freed) / count;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(`hot path in process: ${queries} queries per case and round, ${rounds} rounds, Node ${process.version}`);
// BENCH_CASES="cache hit,REFUSED": only the cases whose names start so (to profile one with --cpu-prof).
const only = process.env.BENCH_CASES?.split(',').map((prefix) => prefix.trim());
for (const { name, raw, meta, handler } of cases) {
  if (only !== undefined && !only.some((prefix) => name.startsWith(prefix))) continue;
  await run(raw, meta, handler); // warm-up
  const results = [];
  for (let r = 0; r < rounds; r++) results.push(await run(raw, meta, handler));
  const bytes = await bytesPerQuery(raw, meta, handler);
  console.log(`${name.padEnd(26)} CPU ${median(results.map((x) => x.cpuUs)).toFixed(2).padStart(6)} µs/query   wall ${median(results.map((x) => x.wallUs)).toFixed(2).padStart(6)} µs/query   heap ${bytes.toFixed(0).padStart(5)} bytes/query`);
}
await blockLog.flush();
await events.store.flushed();
console.log(`events the block log dropped: ${blockLog.dropped}; the store wrote ${events.store.stats.written}, dropped ${events.store.stats.dropped} (a store that falls behind drops and counts, so its share above is a floor)`);
await pool.close();
await missPool.close();
upstreamSocket.close();
await blockLog.close();
await events.store.close();
rmSync(storeDir, { recursive: true, force: true });

import { Writable } from 'node:stream';
import { endpoint } from '../../src/config/address.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/schema.js';
import { createLogger } from '../../src/observe/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import type { ZoneClock } from '../../src/sources/file-settle.js';
import type { Timers } from '../../src/runtime/bounded.js';
import type { EventStore } from '../../src/store/event-store.js';
import { assertConfigOnLoopback, guardFetch } from './loopback-guard.js';

/** A Stopzone server booted in-process for a test, with its log lines captured. */
export interface TestServer {
  readonly server: RunningServer;
  readonly config: Config;
  /** The first endpoint (UDP and TCP). */
  readonly target: { address: string; port: number };
  /** Parsed pino lines logged so far. */
  readonly logs: Array<Record<string, unknown>>;
  /** Parsed block-log events written so far. */
  readonly blockEvents: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * Boots Stopzone on 127.0.0.1:0 with `yaml` (upstreams are required and must
 * be on loopback: the guard refuses anything else, so a test can never reach
 * the default public resolvers; so must be every listener, primary and feed
 * URL, and every redirect a feed answers with).
 */
export async function startTestServer(yaml: string, options: { now?: () => number; zoneClock?: ZoneClock; upstreamTimers?: Timers; eventStore?: EventStore } & ConfigSource = {}): Promise<TestServer> {
  const parsed = parseTestConfig(yaml, options);
  // Timers the test moves by hand run their callbacks on the test's thread: the upstream code that sets them must run there too.
  const config = options.upstreamTimers === undefined ? parsed : { ...parsed, workers: 1 };
  const logs: Array<Record<string, unknown>> = [];
  const blockEvents: Array<Record<string, unknown>> = [];
  const log = createLogger(config.log.level, jsonLines(logs));
  const server = await startServer({ config, log, blockLogSink: jsonLines(blockEvents), ...(options.now && { now: options.now }), ...(options.zoneClock && { zoneClock: options.zoneClock }), ...(options.upstreamTimers && { upstreamTimers: options.upstreamTimers }), ...(options.eventStore && { eventStore: options.eventStore }) });
  const first = server.endpoints[0]!;
  return { server, config, target: { address: first.address, port: first.port }, logs, blockEvents, close: () => server.close() };
}

/** Where a test config's environment overrides (STOPZONE_*) come from, and what its file names are relative to (default: the working directory). */
export interface ConfigSource {
  readonly env?: Readonly<Record<string, string>>;
  readonly baseDir?: string;
}

/**
 * A test's YAML parsed as startTestServer runs it (also what a test hands `reconfigure`): checked to be on
 * loopback (upstreams, listeners, primaries, feed URLs; feed downloads go through the guarded fetch).
 */
export function parseTestConfig(yaml: string, { env = {}, baseDir }: ConfigSource = {}): Config {
  const parsed = parseConfig(yaml, env, 'test config', baseDir);
  // One answering loop unless STOPZONE_TEST_WORKERS says otherwise, so the suite can run both ways; a test that names workers keeps them.
  const workers = /^workers\s*:/m.test(yaml) ? parsed.workers : testWorkers();
  // Tests run in parallel: the admin listener takes a free port, and the stop page and the event store (a file in state.dir) stay off unless a test asks for them.
  // A test that names no policy zones means none (a config file without them would get the shipped zones).
  const config: Config = {
    ...parsed,
    workers,
    policy: /^policy\s*:/m.test(yaml) ? parsed.policy : { ...parsed.policy, zones: [] },
    admin: /^admin\s*:/m.test(yaml) ? parsed.admin : { ...parsed.admin, listen: [endpoint('127.0.0.1:0', 'admin', { listener: true })] },
    stopPage: /^stopPage\s*:/m.test(yaml) ? parsed.stopPage : { ...parsed.stopPage, enabled: false },
    store: /^store\s*:/m.test(yaml) ? parsed.store : { ...parsed.store, enabled: false },
  };
  if (!/^\s*upstreams\s*:/m.test(yaml)) throw new Error('test configs must name their (loopback) upstreams');
  assertConfigOnLoopback(config);
  guardFetch();
  return config;
}

/** Answering loops for test servers: STOPZONE_TEST_WORKERS (a whole number from 1), else 1. */
export function testWorkers(): number {
  const text = process.env.STOPZONE_TEST_WORKERS;
  if (text === undefined || text === '') return 1;
  if (!/^[1-9][0-9]*$/.test(text)) throw new Error(`STOPZONE_TEST_WORKERS: found "${text}"; expected a whole number of answering loops, 1 or more`);
  return Number(text);
}

/** The value of one sample on the server's /metrics, e.g. 'stopzone_tcp_connections_closed_total{reason="idle"}'; undefined when absent. */
export async function metricValue(server: TestServer, sample: string): Promise<number | undefined> {
  const text = await (await fetch(`http://${server.server.admin.endpoints[0]}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

/** A stream that parses each JSON line written to it into `into`. */
function jsonLines(into: Array<Record<string, unknown>>): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') into.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
}

/** A test config: listen on 127.0.0.1:0, the given upstreams, a log level, plus extra YAML lines. */
export function testConfig(upstreams: string[], extra = '', logLevel = 'debug'): string {
  return `listen: { addresses: ["127.0.0.1"], port: 0 }\nupstreams: ${JSON.stringify(upstreams)}\nlog: { level: ${logLevel} }\n${extra}`;
}

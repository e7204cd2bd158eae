import type { Test } from 'tap';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';
import { consoleZones, ConsoleClient, testPasswordHash, testToken } from './console-client.js';
import { InMemoryEventStore } from './in-memory-event-store.js';
import { startTestServer, testConfig, type TestServer } from './stopzone.js';

/** A Stopzone with the console on, its zones and tokens, for the console's tests. */
export interface ConsoleServer {
  readonly server: TestServer;
  readonly upstream: FakeUpstream;
  readonly zones: ReturnType<typeof consoleZones>;
  /** The in-memory event store the console reads (test/helpers/in-memory-event-store.ts). */
  readonly events: InMemoryEventStore;
  /** API tokens configured: one read, one admin. */
  readonly tokens: { readonly read: string; readonly admin: string };
  /** The YAML it was started with (a test edits it for `reconfigure`). */
  readonly yaml: string;
  /** A new client of the admin listener (not logged in). */
  client(): ConsoleClient;
}

/** Options of a console test server. */
export interface ConsoleServerOptions {
  /** False: no admin.passwordHash (the console without a password, on loopback). */
  readonly password?: boolean;
  /** More lines under `admin:` (two spaces in). */
  readonly admin?: string;
  /** YAML added at the top level (groups, schedules, console:). */
  readonly extra?: string;
  /** More keys of local.rpz's flow mapping, e.g. ", groups: [students]". */
  readonly localKeys?: string;
  /** Zones after allow.rpz and local.rpz, as YAML list items (four spaces in). */
  readonly moreZones?: string;
  readonly local?: string;
  readonly now?: () => number;
  /** No event store (as with store.enabled: false). */
  readonly noStore?: boolean;
  /** An earlier server's zones and state directory, to start again on them. */
  readonly zones?: ReturnType<typeof consoleZones>;
}

/**
 * Starts Stopzone with the console on 127.0.0.1: policy zones allow.rpz (empty) and local.rpz (blocked.example
 * and below), read from files settled after 20 ms, a fake upstream answering every name in `records` with an
 * address, a password (testPasswordHash) unless told otherwise, and tokens "reader" (read) and "deploy" (admin).
 */
export async function startConsoleServer(t: Test, records: readonly string[] = ['blocked.example', 'open.example'], options: ConsoleServerOptions = {}): Promise<ConsoleServer> {
  const zones = options.zones ?? consoleZones(options.local);
  const upstream = await startFakeUpstream({ records: Object.fromEntries(records.map((name, i) => [name, [{ type: 'A', ttl: 300, data: `192.0.2.${i + 1}` }]])) });
  const read = testToken('reader', 'read');
  const admin = testToken('deploy', 'admin');
  const password = options.password === false ? '' : `  passwordHash: '${await testPasswordHash()}'\n`;
  const yaml = testConfig(
    [upstream.hostPort],
    `admin:\n  listen: ["127.0.0.1:0"]\n${password}  tokens: [${read.yaml}, ${admin.yaml}]\n${options.admin ?? ''}state: { dir: ${zones.state} }\n${options.extra ?? ''}policy:\n  fileSettleMs: 20\n  zones:\n    - { name: allow.rpz, file: ${zones.allow} }\n    - { name: local.rpz, file: ${zones.local}${options.localKeys ?? ''} }\n${options.moreZones ?? ''}`,
    'warn',
  );
  const events = new InMemoryEventStore();
  const server = await startTestServer(yaml, { ...(options.noStore !== true && { eventStore: events }), ...(options.now && { now: options.now }) });
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  const hostPort = server.server.admin.endpoints[0]!;
  return { server, upstream, zones, events, yaml, tokens: { read: read.token, admin: admin.token }, client: () => new ConsoleClient(hostPort, server.server.admin.scheme === 'https') };
}

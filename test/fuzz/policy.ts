import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dgram from 'node:dgram';
import net from 'node:net';
import { buildQuery, decodeReply } from '../helpers/dns-client.js';
import { assertLoopback } from '../helpers/loopback-guard.js';

/**
 * The fixed policy every server round runs with, and the check that it
 * still holds at the end: one trigger of each kind a forwarder enforces
 * (QNAME exact and wildcard, rpz-ip for IPv4 and IPv6, rpz-client-ip).
 */
export const POLICY_ZONE = [
  '$TTL 300',
  '@ SOA ns.fuzz.rpz. hostmaster.fuzz.rpz. 1 3600 600 86400 60',
  '@ NS ns.fuzz.rpz.',
  'listed.fuzz.test CNAME .',
  '*.wild.fuzz.test CNAME .',
  '32.66.2.0.192.rpz-ip CNAME .',
  '24.0.113.0.203.rpz-ip CNAME .',
  '128.66.zz.db8.2001.rpz-ip CNAME .',
  '32.2.0.0.127.rpz-client-ip CNAME .',
  '',
].join('\n');

/** Addresses the zone lists (rpz-ip), which no relayed answer may carry. */
export const LISTED_V4 = '192.0.2.66';
export const LISTED_V4_NETWORK = '203.0.113.';
export const LISTED_V6 = '2001:db8::66';
/** A client address the zone lists (rpz-client-ip): every name is blocked for it. */
export const LISTED_CLIENT = '127.0.0.2';
/** Names the zone lists by QNAME: the exact one, and the parent of its wildcard. */
export const LISTED_NAME = 'listed.fuzz.test';
export const WILDCARD_PARENT = 'wild.fuzz.test';
/** The unlisted name, and the address the upstream gives it. */
export const UNLISTED_NAME = 'www.ok.fuzz.test';
export const UNLISTED_ADDRESS = '192.0.2.1';

/** What a correct upstream answers for the names the check asks (fake-upstream's table form). */
export const CHECK_RECORDS: Record<string, Array<{ type: string; ttl?: number; data: unknown }>> = {
  [UNLISTED_NAME]: [{ type: 'A', ttl: 3600, data: UNLISTED_ADDRESS }],
  'viaip.ok.fuzz.test': [{ type: 'A', ttl: 3600, data: LISTED_V4 }],
  'vianet.ok.fuzz.test': [{ type: 'A', ttl: 3600, data: `${LISTED_V4_NETWORK}7` }],
  'viaip6.ok.fuzz.test': [{ type: 'AAAA', ttl: 3600, data: LISTED_V6 }],
  'chain.ok.fuzz.test': [{ type: 'CNAME', ttl: 3600, data: 'hop.ok.fuzz.test' }],
  'hop.ok.fuzz.test': [{ type: 'CNAME', ttl: 3600, data: LISTED_NAME }],
  [LISTED_NAME]: [{ type: 'A', ttl: 3600, data: '192.0.2.9' }],
};

/** Writes the policy zone to a fresh temporary directory, with a state directory beside it; both go when the process exits. */
export function writePolicyZone(): { zoneFile: string; stateDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-fuzz-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const zoneFile = join(dir, 'fuzz.rpz');
  writeFileSync(zoneFile, POLICY_ZONE);
  mkdirSync(join(dir, 'state'));
  return { zoneFile, stateDir: join(dir, 'state') };
}

/** Server options a round may turn on. */
export interface ServerYamlOptions {
  readonly upstream: string;
  readonly zoneFile: string;
  readonly stateDir: string;
  /** Extra YAML lines (FUZZ_SERVER_YAML), e.g. keys a later version adds. */
  readonly extra?: string;
  readonly stopPage?: { readonly caCertFile?: string; readonly caKeyFile?: string };
}

/**
 * The fuzzed server's configuration: loopback only, short upstream timeouts
 * (an unanswered query costs a quarter second, not three), a small cache
 * that fills during the warm-up, so memory after it should stay flat, and
 * room for the fuzzer's many TCP connections from one address.
 */
export function serverYaml(options: ServerYamlOptions): string {
  assertLoopback(options.upstream);
  const ca = options.stopPage?.caCertFile === undefined ? '' : `, caCertFile: ${JSON.stringify(options.stopPage.caCertFile)}, caKeyFile: ${JSON.stringify(options.stopPage.caKeyFile)}`;
  return [
    // The upstream round holds up to 256 queries in flight, the slow ones longest, a tenth over TCP on connections of their
    // own, all from 127.0.0.1: at times more than the default 100 connections per client, whose new ones are then closed unanswered.
    'listen: { addresses: ["127.0.0.1"], port: 0, tcpMaxConnectionsPerClient: 1000 }',
    `upstreams: ["${options.upstream}"]`,
    'log: { level: warn }',
    'upstream: { timeoutMs: 250, deadlineMs: 600, retries: 0 }',
    'cache: { maxEntries: 5000, maxBytes: 4194304 }',
    `policy: { zones: [ { name: fuzz.rpz, file: ${JSON.stringify(options.zoneFile)} } ] }`,
    'admin: { listen: ["127.0.0.1:0"] }',
    `state: { dir: ${JSON.stringify(options.stateDir)} }`,
    options.stopPage === undefined
      ? 'stopPage: { enabled: false }'
      : `stopPage: { enabled: true, addresses: ["127.0.0.1"], http: ["127.0.0.1:0"], https: ["127.0.0.1:0"]${ca} }`,
    options.extra ?? '',
  ].join('\n');
}

type Target = { address: string; port: number };

/** One question over UDP or TCP from `from`; the decoded reply, or a description of what went wrong. */
async function ask(target: Target, transport: 'udp' | 'tcp', name: string, type: string, from = '127.0.0.1'): Promise<ReturnType<typeof decodeReply> | string> {
  assertLoopback(target.address);
  const query = buildQuery(name, { type, bufsize: 1232 });
  const raw = transport === 'udp' ? ((await udpOnce(target, query, from)) ?? 'no reply within 2 s') : await tcpOnce(target, query, from);
  if (typeof raw === 'string') return raw;
  try {
    const packet = decodeReply(raw);
    return packet.id === query.readUInt16BE(0) ? packet : `reply ID ${packet.id}, asked with ${query.readUInt16BE(0)}`;
  } catch (error) {
    return `reply does not parse: ${(error as Error).message}`;
  }
}

function udpOnce(target: Target, query: Buffer, from: string): Promise<Buffer | null> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(null), 2000);
    const done = (reply: Buffer | null): void => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    socket.on('message', (reply) => done(reply));
    socket.on('error', () => done(null));
    socket.bind(0, from, () => socket.send(query, target.port, target.address));
  });
}

/** One query over its own TCP connection: the reply, or why there is none ("closed by the server", "no reply within N ms", an error). */
export function tcpOnce(target: Target, query: Buffer, from = '127.0.0.1', timeoutMs = 2000): Promise<Buffer | string> {
  assertLoopback(target.address);
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.address, port: target.port, localAddress: from });
    let pending = Buffer.alloc(0);
    const timer = setTimeout(() => done(`no reply within ${timeoutMs} ms`), timeoutMs);
    const done = (outcome: Buffer | string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    socket.on('connect', () => {
      const framed = Buffer.alloc(query.length + 2);
      framed.writeUInt16BE(query.length, 0);
      query.copy(framed, 2);
      socket.write(framed);
    });
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) done(pending.subarray(2, 2 + pending.readUInt16BE(0)));
    });
    socket.on('error', (error) => done(`error: ${error.message}`));
    socket.on('close', () => done(`closed by the server after ${pending.length} bytes`));
  });
}

/**
 * Asks every listed name (each trigger kind) and the unlisted one over UDP
 * and TCP; returns what is wrong, empty when the policy holds: listed names
 * get NXDOMAIN with no address, the unlisted name its upstream address.
 */
export async function policyFailures(target: Target): Promise<string[]> {
  const blocked: Array<[string, string, string, string]> = [
    ['QNAME', LISTED_NAME, 'A', '127.0.0.1'],
    ['wildcard', `x.${WILDCARD_PARENT}`, 'AAAA', '127.0.0.1'],
    ['rpz-ip /32', 'viaip.ok.fuzz.test', 'A', '127.0.0.1'],
    ['rpz-ip /24', 'vianet.ok.fuzz.test', 'A', '127.0.0.1'],
    ['rpz-ip IPv6', 'viaip6.ok.fuzz.test', 'AAAA', '127.0.0.1'],
    ['CNAME chain to a listed name', 'chain.ok.fuzz.test', 'A', '127.0.0.1'],
    ['rpz-client-ip', UNLISTED_NAME, 'A', LISTED_CLIENT],
  ];
  const failures: string[] = [];
  for (const transport of ['udp', 'tcp'] as const) {
    for (const [trigger, name, type, from] of blocked) {
      const reply = await ask(target, transport, name, type, from);
      if (typeof reply === 'string') failures.push(`${transport} ${trigger} (${name} ${type} from ${from}): ${reply}`);
      // A chain keeps its CNAMEs up to the listed name (as BIND does); no address may follow.
      else if (reply.rcode !== 'NXDOMAIN' || (reply.answers ?? []).some((a) => a.type !== 'CNAME')) {
        failures.push(`${transport} ${trigger} (${name} ${type} from ${from}): ${reply.rcode} with ${(reply.answers ?? []).map((a) => a.type).join(',') || 'no answers'}, expected NXDOMAIN by policy`);
      }
    }
    const reply = await ask(target, transport, UNLISTED_NAME, 'A');
    const data = typeof reply === 'string' ? reply : (reply.answers ?? []).map((a) => String((a as { data?: unknown }).data)).join(',');
    if (data !== UNLISTED_ADDRESS) failures.push(`${transport} unlisted ${UNLISTED_NAME}: ${typeof reply === 'string' ? reply : `${reply.rcode} ${data}`}, expected ${UNLISTED_ADDRESS}`);
  }
  return failures;
}

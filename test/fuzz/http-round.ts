import net from 'node:net';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { assertLoopback } from '../helpers/loopback-guard.js';
import { Campaign } from './campaign.js';
import type { ClientRoundOptions } from './client-round.js';
import { finish } from './round-end.js';
import { startFuzzServer, type FuzzServer } from './fuzz-server.js';
import { httpInput, type HttpInput } from './http-requests.js';
import { CHECK_RECORDS, LISTED_NAME, policyFailures, serverYaml, writePolicyZone } from './policy.js';

const CONNECTIONS = 16;
/** A connection still open this long after we half-closed it is given up on (and counted). */
const RESPONSE_TIMEOUT_MS = 3000;

function split(hostPort: string): { host: string; port: number } {
  const at = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(hostPort.slice(at + 1)) };
}

/** Writes `bytes`, half-closes, and collects what comes back until the server closes (or the timeout). */
function exchange(hostPort: string, bytes: Buffer, firstBytesOnly: boolean): Promise<{ reply: Buffer; timedOut: boolean }> {
  assertLoopback(hostPort);
  const { host, port } = split(hostPort);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const socket = net.connect({ host, port });
    const done = (timedOut: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ reply: Buffer.concat(chunks), timedOut });
    };
    const timer = setTimeout(() => done(true), RESPONSE_TIMEOUT_MS);
    socket.on('connect', () => socket.end(bytes));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (firstBytesOnly && size >= 5) done(false);
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

/** What is wrong with the bytes an HTTP listener sent back, or null: each response a status line and a header block that ends. */
export function httpReplyProblem(reply: Buffer): string | null {
  if (reply.length === 0) return null;
  const text = reply.toString('latin1');
  const status = /^HTTP\/1\.[01] (\d{3}) [^\r\n]*\r\n/.exec(text);
  if (status === null) return `does not start with a status line: ${JSON.stringify(text.slice(0, 80))}`;
  if (!text.includes('\r\n\r\n')) return `header block never ends: ${JSON.stringify(text.slice(0, 200))}`;
  if (status[1] === '500') return `500: ${JSON.stringify(text.slice(0, 300))}`;
  return null;
}

/**
 * What is wrong with a TLS listener's first bytes, or null: a handshake or
 * alert record (RFC 8446 section 5.1), or nothing. The record's version is
 * not checked: OpenSSL echoes a damaged hello's version in its alert.
 */
function tlsReplyProblem(reply: Buffer): string | null {
  if (reply.length === 0) return null;
  return reply[0] === 0x15 || reply[0] === 0x16 ? null : `not a TLS record: ${reply.subarray(0, 16).toString('hex')}`;
}

async function one(server: FuzzServer, campaign: Campaign, index: number, input: HttpInput): Promise<void> {
  const endpoint = input.target === 'admin' ? server.admin[0]! : input.target === 'tls' ? server.https[0]! : server.http[0]!;
  campaign.count(`${input.target} requests`);
  const { reply, timedOut } = await exchange(endpoint, input.bytes, input.target === 'tls');
  if (timedOut) campaign.count(`${input.target} connections open after ${RESPONSE_TIMEOUT_MS} ms`);
  if (reply.length === 0) campaign.count(`${input.target} closed without a reply`);
  const problem = input.target === 'tls' ? tlsReplyProblem(reply) : httpReplyProblem(reply);
  if (problem !== null) campaign.fail(`${input.target} reply is wrong`, index, problem, input.bytes);
}

/** GET `path` on `hostPort` with `host`; the status code, or 0 when none came. */
async function status(hostPort: string, path: string, host: string): Promise<number> {
  const { reply } = await exchange(hostPort, Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`), false);
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply.toString('latin1'))?.[1] ?? 0);
}

/**
 * HTTP requests to the stop page and the admin listener, and TLS
 * ClientHellos to the HTTPS listener (certificates minted by a test CA),
 * over raw sockets, 16 at a time. Every reply must be HTTP (or a TLS record)
 * and no 500; at the end /healthz and /readyz answer 200, the stop page
 * shows a listed host's page (403), and the DNS policy holds.
 */
export async function httpRound(options: ClientRoundOptions): Promise<Campaign> {
  const upstream = await startFakeUpstream({ records: CHECK_RECORDS, keepQueries: false });
  const { makeTestCa } = await import('../helpers/chromium.js');
  const ca = await makeTestCa();
  const server = await startFuzzServer(
    serverYaml({ upstream: upstream.hostPort, ...writePolicyZone(), stopPage: { caCertFile: ca.certFile, caKeyFile: ca.keyFile }, extra: options.serverYaml }),
  );
  const campaign = new Campaign('http', options, () => server.sample());
  try {
    if ((await policyFailures(server.dns)).length > 0) throw new Error('the fuzz policy does not hold before fuzzing (harness broken?)');
    await campaign.begin();
    let next = options.from;
    const end = options.from + options.count;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < end) {
          const index = next++;
          await one(server, campaign, index, httpInput(options.seed, index, server.https.length > 0));
          await campaign.progress(next - options.from);
        }
      }),
    );
    for (const [path, want] of [['/healthz', 200], ['/readyz', 200]] as const) {
      const got = await status(server.admin[0]!, path, '127.0.0.1');
      if (got !== want) campaign.fail('admin listener no longer answers', -1, `${path}: ${got}, expected ${want}`);
    }
    const page = await status(server.http[0]!, '/', LISTED_NAME);
    if (page !== 403) campaign.fail('stop page no longer shown', -1, `GET / Host: ${LISTED_NAME}: ${page}, expected 403`);
    await finish(campaign, server);
  } finally {
    await server.close();
    await upstream.close();
  }
  return campaign;
}

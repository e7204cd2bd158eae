import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { buildQuery, decodeReply, sendUdp } from './dns-client.js';
import { assertLoopback } from './loopback-guard.js';

/**
 * The differential tests' way of asking a server one question and telling whether two servers answered alike
 * (test/conformance: BIND 9 against Stopzone, in front of the same NSD).
 */

/** Longer than any loopback answer, short enough that the DROP cases keep the run quick. */
const NO_ANSWER_MS = 1000;

/** One question: `from` is the client's source address (the system's choice unless given). */
export interface Question {
  readonly name: string;
  /** A, AAAA, TXT, MX, HTTPS (type 65), ANY... (default A) */
  readonly type?: string;
  readonly from?: string;
  readonly tcp?: boolean;
  readonly rd?: boolean;
}

/** What a server did with one question. */
export type Outcome =
  | { readonly kind: 'no answer' | 'not started'; readonly detail: string }
  | {
      readonly kind: 'answer';
      readonly rcode: string;
      readonly tc: boolean;
      readonly aa: boolean;
      readonly answers: string[];
      /** Shown, never compared: "NS .", "SOA example.test"... */
      readonly authority: string[];
      /** Shown, never compared (OPT left out): BIND puts the policy zone's SOA here. */
      readonly additional: string[];
    };

/** The tools a BIND-against-Stopzone run needs that are not installed, as Debian packages to name ([] when none). */
export function missingDaemons(): string[] {
  return [installed('named') ? '' : 'named (Debian package bind9)', installed('nsd') ? '' : 'nsd (Debian package nsd)'].filter((m) => m !== '');
}

function installed(binary: string): boolean {
  if (existsSync(`/usr/sbin/${binary}`)) return true;
  try {
    execFileSync('which', [binary], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** dns-packet has no name for HTTPS (65); it takes UNKNOWN_65. */
function wireType(type: string | undefined): string {
  return type === 'HTTPS' ? 'UNKNOWN_65' : (type ?? 'A');
}

/** Asks one question the way dig would (RD unless rd: false, EDNS 1232) and reports what came back. */
export async function ask(target: { address: string; port: number }, q: Question): Promise<Outcome> {
  const message = buildQuery(q.name, { type: wireType(q.type), rd: q.rd !== false, bufsize: 1232, ...(q.from && { from: q.from }) });
  const raw = q.tcp ? await sendTcpFrom(target, message, q.from) : await sendUdp(target, message, { timeoutMs: NO_ANSWER_MS, ...(q.from && { from: q.from }) }).then((r) => r ?? `no UDP reply within ${NO_ANSWER_MS} ms`);
  if (typeof raw === 'string') return { kind: 'no answer', detail: raw };
  const packet = decodeReply(raw);
  const flags = packet.flags ?? 0;
  return {
    kind: 'answer',
    rcode: packet.rcode ?? 'NOERROR',
    tc: (flags & dnsPacket.TRUNCATED_RESPONSE) !== 0,
    aa: (flags & dnsPacket.AUTHORITATIVE_ANSWER) !== 0,
    answers: (packet.answers ?? []).map(renderRecord),
    authority: (packet.authorities ?? []).map((r) => `${r.type} ${r.name.toLowerCase() || '.'}`),
    additional: (packet.additionals ?? []).filter((r) => r.type !== 'OPT').map((r) => `${r.type} ${r.name.toLowerCase() || '.'}`),
  };
}

/** One query over a fresh TCP connection from `from`; a string says why there was no reply (timeout, closed). */
function sendTcpFrom(target: { address: string; port: number }, message: Buffer, from?: string): Promise<Buffer | string> {
  assertLoopback(target.address);
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.address, port: target.port, ...(from && { localAddress: from }) });
    let pending = Buffer.alloc(0);
    const finish = (result: Buffer | string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(`no TCP reply within ${NO_ANSWER_MS} ms`), NO_ANSWER_MS);
    socket.on('connect', () => {
      const framed = Buffer.alloc(message.length + 2);
      framed.writeUInt16BE(message.length, 0);
      message.copy(framed, 2);
      socket.write(framed);
    });
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      if (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) finish(pending.subarray(2, 2 + pending.readUInt16BE(0)));
    });
    socket.on('close', () => finish('TCP connection closed with no reply'));
    socket.on('error', (error) => finish(`TCP error: ${error.message}`));
  });
}

/** "owner TTL TYPE data", owner and names in data lower-cased; the TTL is dropped later unless compared. */
function renderRecord(record: dnsPacket.Answer): string {
  const r = record as { name: string; type: string; ttl?: number; data?: unknown };
  const type = r.type === 'UNKNOWN_65' ? 'HTTPS' : r.type;
  return `${r.name.toLowerCase()} ${r.ttl ?? '-'} ${type} ${renderData(r.type, r.data)}`;
}

function renderData(type: string, data: unknown): string {
  if (typeof data === 'string') return ['CNAME', 'NS', 'PTR', 'DNAME'].includes(type) ? data.toLowerCase() : data;
  if (Buffer.isBuffer(data)) return `\\# ${data.length} ${data.toString('hex')}`;
  if (Array.isArray(data)) return data.map((part) => JSON.stringify(Buffer.isBuffer(part) ? part.toString() : part)).join(' ');
  if (type === 'MX' && typeof data === 'object' && data !== null) {
    const mx = data as { preference?: number; exchange?: string };
    return `${mx.preference ?? 0} ${(mx.exchange ?? '').toLowerCase()}`;
  }
  return JSON.stringify(data);
}

/** What is compared: the answer set sorted (RRset order is not significant), TTLs only when asked for. */
export function normalise(outcome: Outcome, withTtl: boolean): unknown {
  if (outcome.kind !== 'answer') return { kind: outcome.kind };
  const answers = outcome.answers.map((line) => (withTtl ? line : line.replace(/^(\S+) \S+ /, '$1 '))).sort();
  return { rcode: outcome.rcode, tc: outcome.tc, aa: outcome.aa, answers };
}

export function render(outcome: Outcome): string {
  if (outcome.kind !== 'answer') return `(${outcome.kind}: ${outcome.detail})`;
  const flags = [outcome.tc && 'TC', outcome.aa && 'AA'].filter(Boolean).join(' ');
  const authority = outcome.authority.length > 0 ? ` authority: ${[...new Set(outcome.authority)].join(', ')}` : '';
  const additional = outcome.additional.length > 0 ? ` additional: ${[...new Set(outcome.additional)].join(', ')}` : '';
  return `${outcome.rcode}${flags ? ` ${flags}` : ''} [${outcome.answers.join('; ')}]${authority}${additional}`;
}

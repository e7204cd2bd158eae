import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import dnsPacket from 'dns-packet';
import t from 'tap';
import { startBind, type RunningBind } from '../helpers/bind.js';
import { buildQuery, decodeReply, sendUdp } from '../helpers/dns-client.js';
import { assertLoopback } from '../helpers/loopback-guard.js';
import { skipWhenMissing } from '../helpers/missing-tool.js';
import { startNsd, type RunningNsd } from '../helpers/nsd.js';
import type { TestServer } from '../helpers/stopzone.js';
import { CASES, upstreamZones, type Case, type CaseQuery, type ZoneSpec } from './cases.js';

/**
 * Differential conformance: BIND 9 (the reference) and Stopzone, both forwarding to the same NSD with the same
 * policy zones, asked the same questions; Stopzone must give BIND's answer (rcode, TC, AA and the answer section;
 * TTLs only where a case asks). CONFORMANCE_ORACLE_ONLY=1 runs BIND alone and prints its answer per case.
 */

const ORACLE_ONLY = process.env.CONFORMANCE_ORACLE_ONLY === '1';
/** Longer than any loopback answer, short enough that the DROP cases keep the run quick. */
const NO_ANSWER_MS = 1000;

/** What a server did with one question. */
type Outcome =
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

// ---------------------------------------------------------------------------------------------------------------
// Tools present?
// ---------------------------------------------------------------------------------------------------------------

function installed(binary: string): boolean {
  if (existsSync(`/usr/sbin/${binary}`)) return true;
  try {
    execFileSync('which', [binary], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const missing = [installed('named') ? '' : 'named (Debian package bind9)', installed('nsd') ? '' : 'nsd (Debian package nsd)'].filter((m) => m !== '');
if (missing.length > 0) {
  const message = `BIND-vs-Stopzone conformance needs ${missing.join(' and ')}: apt-get install bind9 nsd`;
  t.plan(0, skipWhenMissing(true, message) || message);
} else {
  await run();
}

// ---------------------------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------------------------

async function run(): Promise<void> {
  const nsd: RunningNsd = await startNsd({ zones: upstreamZones(CASES) });
  t.teardown(() => nsd.stop());
  const tally = { cases: 0, agree: 0, differ: 0 };
  const differences: string[] = [];

  for (const [zones, cases] of groupByZones(CASES)) {
    const title = `policy zones ${zones.map((z) => describeZone(z)).join(', ')}`;
    await t.test(title, async (t) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'stopzone-conformance-'));
      t.teardown(() => rm(dir, { recursive: true, force: true }));
      const bind: RunningBind = await startBind({ forwarder: nsd.hostPort, policyZones: zones.map((z) => ({ ...z })) });
      t.teardown(() => bind.stop());
      let stopzone: TestServer | undefined;
      let stopzoneFailure: string | undefined;
      if (!ORACLE_ONLY) {
        try {
          // Imported here so that the oracle-only run needs nothing of Stopzone's source (handy while it is being changed).
          const { startTestServer } = await import('../helpers/stopzone.js');
          stopzone = await startTestServer(await stopzoneConfig(dir, nsd.hostPort, zones));
          t.teardown(() => stopzone?.close());
        } catch (error) {
          // Every case of the set still runs against BIND, and counts as a difference.
          stopzoneFailure = `Stopzone did not start: ${(error as Error).message}`;
          t.fail(stopzoneFailure);
        }
      }
      const bindTarget = { address: '127.0.0.1', port: bind.port };

      let logSeen = bind.output().length;
      // In order, one at a time: a case may rely on what an earlier one left in the caches (the RD=0 cases).
      for (const c of cases) {
        const [want, got] = await Promise.all([
          ask(bindTarget, c.query),
          stopzone ? ask(stopzone.target, c.query) : Promise.resolve(stopzoneFailure === undefined ? undefined : ({ kind: 'not started', detail: stopzoneFailure } as const)),
        ]);
        const wanted = normalise(want, c.compareTtl === true);
        if (got === undefined) {
          // named logs each rewrite ("rpz QNAME NXDOMAIN rewrite ... via ..."): the rule BIND used, for review
          // (a line named has not written yet shows with the next case).
          const log = bind.output();
          const via = log.slice(logSeen).split('\n').filter((line) => / rpz: /.test(line)).map((line) => line.replace(/^.*? rpz: (client @\S+ )?(\S+#\d+ )?/, '')).join(' / ');
          logSeen = log.length;
          t.comment(`${c.name} | ${describeQuery(c.query)} | BIND: ${render(want)}${via ? ` | log: ${via}` : ''}${c.known ? ` | known: ${c.known}` : ''}`);
          // Oracle only: that BIND answered is what this run can check (a case BIND does not answer is a broken case).
          t.equal(want.kind, 'answer', `${c.name}: BIND answered`);
          continue;
        }
        const gotten = normalise(got, c.compareTtl === true);
        tally.cases++;
        const same = JSON.stringify(gotten) === JSON.stringify(wanted);
        if (same) tally.agree++;
        else {
          tally.differ++;
          differences.push(`${c.name} (${describeQuery(c.query)})\n    BIND:     ${render(want)}\n    Stopzone: ${render(got)}${c.known ? `\n    known: ${c.known}` : ''}`);
        }
        const details = { diagnostic: true, bind: render(want), stopzone: render(got), ...(c.note && { note: c.note }), ...(c.known && { known: c.known }) };
        // A known, documented difference is asserted as a difference: the run fails when it goes away (then the case
        // loses its `known`) as well as when an unknown one appears.
        if (c.known === undefined) t.same(gotten, wanted, `${c.name} | ${describeQuery(c.query)}`, details);
        else t.notSame(gotten, wanted, `${c.name} | ${describeQuery(c.query)}: the known difference still stands`, details);
      }
    });
  }

  if (ORACLE_ONLY) {
    t.comment(`conformance: ${CASES.length} cases asked of BIND only (CONFORMANCE_ORACLE_ONLY=1)`);
    return;
  }
  if (differences.length > 0) t.comment(`differences from BIND:\n  ${differences.join('\n  ')}`);
  const summary = `conformance: ${tally.cases} cases, ${tally.agree} agree, ${tally.differ} differ`;
  t.comment(summary);
  console.error(summary);
}

/** Cases grouped by their list of policy zones (same list, same servers), in table order. */
function groupByZones(cases: readonly Case[]): Map<readonly ZoneSpec[], Case[]> {
  const byKey = new Map<string, { zones: readonly ZoneSpec[]; cases: Case[] }>();
  for (const c of cases) {
    const key = JSON.stringify(c.zones);
    const group = byKey.get(key) ?? { zones: c.zones, cases: [] };
    group.cases.push(c);
    byKey.set(key, group);
  }
  return new Map([...byKey.values()].map((g) => [g.zones, g.cases]));
}

function describeZone(zone: ZoneSpec): string {
  const options = Object.entries(zone.options ?? {}).map(([k, v]) => `${k}=${String(v)}`);
  return options.length > 0 ? `${zone.name} (${options.join(' ')})` : zone.name;
}

function describeQuery(q: CaseQuery): string {
  return `${q.name} ${q.type ?? 'A'} from ${q.from ?? '127.0.0.1'} over ${q.tcp ? 'TCP' : 'UDP'}${q.rd === false ? ' RD=0' : ''}`;
}

/** Stopzone's YAML for these zones: zone files written to `dir`, absolute paths. */
async function stopzoneConfig(dir: string, upstream: string, zones: readonly ZoneSpec[]): Promise<string> {
  const entries: string[] = [];
  for (const [i, z] of zones.entries()) {
    const file = path.join(dir, `policy-${i}-${z.name}`);
    await writeFile(file, z.text);
    const { recursiveOnly: _bindOnly, ...options } = z.options ?? {};
    const fields: Record<string, unknown> = { name: z.name, file, ...options };
    entries.push(`    - ${JSON.stringify(fields)}`);
  }
  return [
    'listen: { addresses: ["127.0.0.1"], port: 0 }',
    `upstreams: ${JSON.stringify([upstream])}`,
    'log: { level: warn }',
    'policy:',
    '  zones:',
    ...entries,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Asking and comparing
// ---------------------------------------------------------------------------------------------------------------

/** dns-packet has no name for HTTPS (65); it takes UNKNOWN_65. */
function wireType(type: string | undefined): string {
  return type === 'HTTPS' ? 'UNKNOWN_65' : (type ?? 'A');
}

/** Asks one question the way dig would (RD unless rd: false, EDNS 1232) and reports what came back. */
async function ask(target: { address: string; port: number }, q: CaseQuery): Promise<Outcome> {
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
function normalise(outcome: Outcome, withTtl: boolean): unknown {
  if (outcome.kind !== 'answer') return { kind: outcome.kind };
  const answers = outcome.answers.map((line) => (withTtl ? line : line.replace(/^(\S+) \S+ /, '$1 '))).sort();
  return { rcode: outcome.rcode, tc: outcome.tc, aa: outcome.aa, answers };
}

function render(outcome: Outcome): string {
  if (outcome.kind !== 'answer') return `(${outcome.kind}: ${outcome.detail})`;
  const flags = [outcome.tc && 'TC', outcome.aa && 'AA'].filter(Boolean).join(' ');
  const authority = outcome.authority.length > 0 ? ` authority: ${[...new Set(outcome.authority)].join(', ')}` : '';
  const additional = outcome.additional.length > 0 ? ` additional: ${[...new Set(outcome.additional)].join(', ')}` : '';
  return `${outcome.rcode}${flags ? ` ${flags}` : ''} [${outcome.answers.join('; ')}]${authority}${additional}`;
}

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import dnsPacket from 'dns-packet';
import { assertLoopback } from './loopback-guard.js';

/** Per-zone options of BIND's `response-policy` statement (the same meaning as Stopzone's `policy.zones` keys). */
export interface BindPolicyOptions {
  /** given (default), disabled, passthru, drop, tcp-only, nxdomain, nodata or cname (target in `cname`). */
  readonly policy?: 'given' | 'disabled' | 'passthru' | 'drop' | 'tcp-only' | 'nxdomain' | 'nodata' | 'cname';
  readonly cname?: string;
  readonly maxPolicyTtl?: number;
  readonly recursiveOnly?: boolean;
  readonly log?: boolean;
  /** RFC 8914 code name (`blocked`, `censored`, `filtered`, `prohibited`); written only when this BIND supports it. */
  readonly ede?: 'none' | 'forged' | 'blocked' | 'censored' | 'filtered' | 'prohibited';
}

/** A policy zone for BIND: its origin, master-file text and options. */
export interface BindPolicyZone {
  readonly name: string;
  readonly text: string;
  readonly options?: BindPolicyOptions;
}

/** A running BIND recursive server on 127.0.0.1, forwarding only to one loopback upstream. */
export interface RunningBind {
  /** "127.0.0.1:PORT". */
  readonly hostPort: string;
  readonly port: number;
  /** Whether this BIND accepts the per-zone `ede` option (9.19 and later). */
  readonly supportsEde: boolean;
  /** Everything named has logged so far (stderr, up to 1 MiB), its rpz rewrites included (category rpz, info). */
  output(): string;
  /** Stops named and removes its temporary directory. */
  stop(): Promise<void>;
}

const ADDRESS = '127.0.0.1';
const READY_TRIES = 100;
const READY_INTERVAL_MS = 50;
const START_ATTEMPTS = 3;

/**
 * Starts a real BIND 9 (`named -f`, in the foreground; `-g` would ignore the logging statement) on 127.0.0.1 and a free port, forwarding
 * only to `forwarder` (which must be on loopback: it never reaches the root
 * servers), with `policyZones` in its `response-policy` statement, in that order.
 * Resolves once it answers a query for the first policy zone's SOA. Throws,
 * naming the Debian package `bind9`, when named is not installed.
 */
export async function startBind(options: { forwarder: string; policyZones: BindPolicyZone[]; globalOptions?: string }): Promise<RunningBind> {
  assertLoopback(options.forwarder);
  const first = options.policyZones[0];
  if (first === undefined) throw new Error('startBind: give at least one policy zone');
  const binary = await findNamed();
  const supportsEde = await namedSupportsEde(binary);
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'stopzone-bind-'));
    try {
      const port = await freePort();
      await writeFiles(dir, port, options, supportsEde);
      const child = spawn(binary, ['-f', '-n', '1', '-c', path.join(dir, 'named.conf')], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, cwd: dir });
      const output = collect(child);
      const exited = exitOf(child);
      try {
        await waitUntilReady(port, first.name, exited);
      } catch (error) {
        await terminate(child, exited);
        throw new Error(`named did not start on ${ADDRESS}:${port}: ${(error as Error).message}\nnamed output:\n${output()}`);
      }
      return { hostPort: `${ADDRESS}:${port}`, port, supportsEde, output, stop: () => stop(child, exited, dir) };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      lastError = error as Error;
      if (!/address in use|already in use|could not listen/i.test(lastError.message)) throw lastError;
    }
  }
  throw lastError ?? new Error('named did not start');
}

/** The named binary: on PATH, or in /usr/sbin (a user's PATH may lack it). */
async function findNamed(): Promise<string> {
  const onPath = await run('which', ['named']);
  if (onPath.ok && onPath.stdout.trim() !== '') return onPath.stdout.trim();
  try {
    await access('/usr/sbin/named');
    return '/usr/sbin/named';
  } catch {
    throw new Error('named is not installed (not on PATH nor at /usr/sbin/named): install the Debian package `bind9` (apt-get install bind9)');
  }
}

/** The per-zone `ede` option of response-policy came with BIND 9.19; 9.18 (Debian 12) rejects it. */
async function namedSupportsEde(binary: string): Promise<boolean> {
  const version = await run(binary, ['-v']);
  const match = /BIND (\d+)\.(\d+)/.exec(version.stdout);
  if (match === null) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 9 || (major === 9 && minor >= 19);
}

function run(file: string, args: string[]): Promise<{ ok: boolean; stdout: string }> {
  return new Promise((resolve) => execFile(file, args, (error, stdout) => resolve({ ok: error === null, stdout })));
}

/** A port free for both UDP and TCP on 127.0.0.1 a moment ago. */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const tcp = net.createServer();
    await new Promise<void>((resolve, reject) => tcp.once('error', reject).listen(0, ADDRESS, resolve));
    const port = (tcp.address() as net.AddressInfo).port;
    const udp = dgram.createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, ADDRESS, () => resolve(true));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    if (udpFree) return port;
  }
  throw new Error(`no port free for both UDP and TCP on ${ADDRESS} after 20 tries`);
}

/** One `zone "x" policy ...;` clause of response-policy. */
function policyClause(zone: BindPolicyZone, supportsEde: boolean): string {
  const o = zone.options ?? {};
  const parts = [`zone "${zone.name.replace(/\.$/, '')}"`];
  if (o.policy !== undefined) parts.push(o.policy === 'cname' ? `policy cname ${o.cname ?? '.'}` : `policy ${o.policy}`);
  if (o.maxPolicyTtl !== undefined) parts.push(`max-policy-ttl ${o.maxPolicyTtl}`);
  if (o.recursiveOnly !== undefined) parts.push(`recursive-only ${o.recursiveOnly ? 'yes' : 'no'}`);
  if (o.log !== undefined) parts.push(`log ${o.log ? 'yes' : 'no'}`);
  if (o.ede !== undefined && supportsEde) parts.push(`ede ${o.ede}`);
  return `    ${parts.join(' ')};`;
}

/** named.conf and the policy zone files; every file named writes stays inside `dir`. */
async function writeFiles(dir: string, port: number, options: { forwarder: string; policyZones: BindPolicyZone[]; globalOptions?: string }, supportsEde: boolean): Promise<void> {
  const [fwdAddress, fwdPort] = splitHostPort(options.forwarder);
  const zoneStatements = options.policyZones.map(
    (zone, i) => `zone "${zone.name.replace(/\.$/, '')}" {\n  type primary;\n  file "${path.join(dir, `policy-${i}.zone`)}";\n  allow-query { localhost; };\n  notify no;\n};`,
  );
  const conf = `options {
  directory "${dir}";
  pid-file "${path.join(dir, 'named.pid')}";
  session-keyfile "${path.join(dir, 'session.key')}";
  managed-keys-directory "${dir}";
  listen-on port ${port} { ${ADDRESS}; };
  listen-on-v6 { none; };
  // Never anything but the loopback upstream: no root hints are used with "forward only".
  forward only;
  forwarders { ${fwdAddress} port ${fwdPort}; };
  recursion yes;
  allow-query { 127.0.0.0/8; };
  allow-recursion { 127.0.0.0/8; };
  allow-query-cache { 127.0.0.0/8; };
  dnssec-validation no;
  qname-minimization off;
  notify no;
  empty-zones-enable no;
  minimal-responses no;
  ${options.globalOptions ?? ''}
  response-policy {
${options.policyZones.map((zone) => policyClause(zone, supportsEde)).join('\n')}
  } qname-wait-recurse no break-dnssec no;
};
controls { };
logging {
  channel stderr_only { stderr; severity info; print-time yes; print-category yes; };
  category default { stderr_only; };
  category rpz { stderr_only; };
  category lame-servers { null; };
};
${zoneStatements.join('\n')}
`;
  await writeFile(path.join(dir, 'named.conf'), conf);
  await Promise.all(options.policyZones.map((zone, i) => writeFile(path.join(dir, `policy-${i}.zone`), zone.text.endsWith('\n') ? zone.text : `${zone.text}\n`)));
}

function splitHostPort(hostPort: string): [string, string] {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(hostPort);
  if (match === null) throw new Error(`startBind: forwarder "${hostPort}" is not "address:port"`);
  return [match[1]!, match[2]!];
}

/** Keeps the child's stdout and stderr (the last 1 MiB), for error messages and the rpz log. */
function collect(child: ChildProcess): () => string {
  let text = '';
  const add = (chunk: Buffer): void => {
    text = (text + chunk.toString()).slice(-1048576);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => text.trim() || '(nothing)';
}

function exitOf(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve(`could not run: ${error.message}`));
    child.once('close', (code, signal) => resolve(signal ? `killed by ${signal}` : `exited with code ${code}`));
  });
}

/** Polls with a SOA query for the first policy zone (served locally) until named answers it; bounded. */
async function waitUntilReady(port: number, zone: string, exited: Promise<string>): Promise<void> {
  let gone: string | undefined;
  void exited.then((how) => (gone = how));
  let last = 'no reply';
  for (let i = 0; i < READY_TRIES; i++) {
    if (gone !== undefined) throw new Error(`named ${gone}`);
    const reply = await querySoa(port, zone, READY_INTERVAL_MS);
    if (reply !== null) {
      const rcode = (reply as { rcode?: string }).rcode ?? 'NOERROR';
      if (rcode === 'NOERROR' && (reply.answers ?? []).some((a) => a.type === 'SOA')) return;
      last = `answered ${rcode} with ${(reply.answers ?? []).length} answers`;
    }
    await new Promise((resolve) => setTimeout(resolve, READY_INTERVAL_MS));
  }
  if (gone !== undefined) throw new Error(`named ${gone}`);
  throw new Error(`no SOA answer for ${zone} after ${READY_TRIES} tries ${READY_INTERVAL_MS} ms apart (last: ${last})`);
}

function querySoa(port: number, zone: string, timeoutMs: number): Promise<dnsPacket.Packet | null> {
  const socket = dgram.createSocket('udp4');
  const id = Math.floor(Math.random() * 65536);
  const query = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: zone, type: 'SOA', class: 'IN' }] });
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(null), timeoutMs);
    function finish(packet: dnsPacket.Packet | null): void {
      clearTimeout(timer);
      socket.close();
      resolve(packet);
    }
    socket.on('message', (raw) => {
      try {
        const packet = dnsPacket.decode(raw);
        if (packet.id === id) finish(packet);
      } catch {
        finish(null);
      }
    });
    socket.once('error', () => finish(null));
    socket.send(query, port, ADDRESS);
  });
}

async function stop(child: ChildProcess, exited: Promise<string>, dir: string): Promise<void> {
  await terminate(child, exited);
  await rm(dir, { recursive: true, force: true });
}

/** SIGTERM to named's process group, SIGKILL after two seconds if it is still there. */
async function terminate(child: ChildProcess, exited: Promise<string>): Promise<void> {
  if (child.pid === undefined) return;
  const pid = child.pid;
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };
  if (child.exitCode === null && child.signalCode === null) {
    signalGroup('SIGTERM');
    const timer = setTimeout(() => signalGroup('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
  signalGroup('SIGKILL');
}

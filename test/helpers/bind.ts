import { execFile } from 'node:child_process';
import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startDaemon } from './daemon.js';
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
  const daemon = await startDaemon({
    label: 'named',
    binary,
    tmpPrefix: 'stopzone-bind-',
    writeFiles: (dir, port) => writeFiles(dir, port, options, supportsEde),
    args: (dir) => ['-f', '-n', '1', '-c', path.join(dir, 'named.conf')],
    readyZone: first.name,
    failOnWrongAnswers: false,
    portRace: /address in use|already in use|could not listen/i,
    keepBytes: 1048576,
  });
  return { ...daemon, supportsEde };
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







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
  /** A file already holding `text` for named to load (the very file Stopzone loads); left out, named gets a copy of its own. */
  readonly file?: string;
}

/**
 * A BIND view: the clients (and local addresses) it matches, first match wins in the order given, and its own
 * response-policy list. BIND refuses a policy zone brought in with `in-view` ("not a primary or secondary zone"),
 * so each view that uses a zone declares it again, with the same file (named loads it once per view).
 */
export interface BindView {
  readonly name: string;
  /** match-clients elements: "127.0.0.2", "127.0.0.4/30", "::1", "any". */
  readonly matchClients: readonly string[];
  /** match-destinations elements (the local address a query arrived on); left out: any. */
  readonly matchDestinations?: readonly string[];
  /** Names of `policyZones`, in this view's order of precedence. */
  readonly policyZones: readonly string[];
}

/** What startBind runs: the forwarder, the policy zones and, optionally, views and more loopback addresses. */
export interface BindOptions {
  readonly forwarder: string;
  /** Every policy zone; without views, the response-policy list in this order. */
  readonly policyZones: BindPolicyZone[];
  readonly globalOptions?: string;
  /** Views in matching order; each has its own response-policy list. The view 127.0.0.1 falls in must hold the first policy zone (readiness asks it). */
  readonly views?: readonly BindView[];
  /** Loopback addresses to listen on besides 127.0.0.1, on the same port ("127.0.0.10", "::1"). */
  readonly alsoListen?: readonly string[];
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
 * servers), with `policyZones` in its `response-policy` statement, in that order (or, with `views`, each view's
 * own list).
 * Resolves once it answers a query for the first policy zone's SOA. Throws,
 * naming the Debian package `bind9`, when named is not installed.
 */
export async function startBind(options: BindOptions): Promise<RunningBind> {
  assertLoopback(options.forwarder);
  for (const address of options.alsoListen ?? []) assertLoopback(address);
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
async function writeFiles(dir: string, port: number, options: BindOptions, supportsEde: boolean): Promise<void> {
  const [fwdAddress, fwdPort] = splitHostPort(options.forwarder);
  const zoneFile = new Map(options.policyZones.map((zone, i) => [zone.name, zone.file ?? path.join(dir, `policy-${i}.zone`)]));
  const byName = new Map(options.policyZones.map((zone) => [zone.name, zone]));
  const zoneStatement = (name: string): string => `zone "${name.replace(/\.$/, '')}" {\n  type primary;\n  file "${zoneFile.get(name)!}";\n  allow-query { localhost; };\n  notify no;\n};`;
  const responsePolicy = (zones: readonly BindPolicyZone[]): string =>
    `response-policy {\n${zones.map((zone) => policyClause(zone, supportsEde)).join('\n')}\n  } qname-wait-recurse no break-dnssec no;`;
  const listen = [ADDRESS, ...(options.alsoListen ?? [])];
  const v4 = listen.filter((address) => !address.includes(':'));
  const v6 = listen.filter((address) => address.includes(':'));
  let policy: string;
  if (options.views === undefined) {
    policy = `  ${responsePolicy(options.policyZones)}\n};\n${options.policyZones.map((zone) => zoneStatement(zone.name)).join('\n')}`;
  } else {
    const views = options.views.map((view) => {
      const zones = view.policyZones.map((name) => {
        const zone = byName.get(name);
        if (zone === undefined) throw new Error(`startBind: view "${view.name}" names policy zone "${name}", which is not in policyZones`);
        return zone;
      });
      const destinations = view.matchDestinations === undefined ? '' : `\n  match-destinations { ${view.matchDestinations.join('; ')}; };`;
      return `view "${view.name}" {\n  match-clients { ${view.matchClients.join('; ')}; };${destinations}\n  ${responsePolicy(zones)}\n${view.policyZones.map(zoneStatement).join('\n')}\n};`;
    });
    policy = `};\n${views.join('\n')}`;
  }
  const conf = `options {
  directory "${dir}";
  pid-file "${path.join(dir, 'named.pid')}";
  session-keyfile "${path.join(dir, 'session.key')}";
  managed-keys-directory "${dir}";
  listen-on port ${port} { ${v4.join('; ')}; };
  listen-on-v6 ${v6.length > 0 ? `port ${port} { ${v6.join('; ')}; }` : '{ none; }'};
  // Never anything but the loopback upstream: no root hints are used with "forward only".
  forward only;
  forwarders { ${fwdAddress} port ${fwdPort}; };
  recursion yes;
  allow-query { 127.0.0.0/8; ::1; };
  allow-recursion { 127.0.0.0/8; ::1; };
  allow-query-cache { 127.0.0.0/8; ::1; };
  dnssec-validation no;
  qname-minimization off;
  notify no;
  empty-zones-enable no;
  minimal-responses no;
  ${options.globalOptions ?? ''}
${policy}
controls { };
logging {
  channel stderr_only { stderr; severity info; print-time yes; print-category yes; };
  category default { stderr_only; };
  category rpz { stderr_only; };
  category lame-servers { null; };
};
`;
  await writeFile(path.join(dir, 'named.conf'), conf);
  const copies = options.policyZones.flatMap((zone, i) => (zone.file === undefined ? [writeFile(path.join(dir, `policy-${i}.zone`), zone.text.endsWith('\n') ? zone.text : `${zone.text}\n`)] : []));
  await Promise.all(copies);
}

function splitHostPort(hostPort: string): [string, string] {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(hostPort);
  if (match === null) throw new Error(`startBind: forwarder "${hostPort}" is not "address:port"`);
  return [match[1]!, match[2]!];
}







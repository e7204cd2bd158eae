import { execFile } from 'node:child_process';
import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startDaemon } from './daemon.js';
import { assertLoopback } from './loopback-guard.js';

/** A TSIG key as BIND and Stopzone both take it. */
export interface TestKey {
  readonly name: string;
  readonly algorithm: 'hmac-sha256' | 'hmac-sha512' | 'hmac-sha1';
  /** Base64. */
  readonly secret: string;
}

/** A running BIND primary for one policy zone on 127.0.0.1. */
export interface BindPrimary {
  /** "127.0.0.1:PORT": what Stopzone lists in `primaries`. */
  readonly hostPort: string;
  readonly port: number;
  /** Changes the zone by dynamic update (RFC 2136) through `nsupdate`, signed with the key: BIND journals it (so IXFR has the delta), bumps the serial and sends NOTIFY. */
  update(commands: string[]): Promise<void>;
  /** named's log so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts a real BIND 9 as the primary of `zone` on 127.0.0.1: transfers
 * allowed only with `key`, dynamic updates with `key`, `ixfr-from-differences`,
 * and NOTIFY sent at once (`notify-delay 0`) to `notify` only (`notify
 * explicit`), signed with `key` unless `notifyUnsigned`. `notify` must be on
 * loopback.
 */
export async function startBindPrimary(options: { zone: string; text: string; key: TestKey; notify: string[]; notifyUnsigned?: boolean }): Promise<BindPrimary> {
  for (const target of options.notify) assertLoopback(target);
  const binary = await findBinary('named', 'bind9');
  const nsupdate = await findBinary('nsupdate', 'bind9-dnsutils');
  const daemon = await startDaemon({
    label: 'named (primary)',
    binary,
    tmpPrefix: 'stopzone-bind-primary-',
    writeFiles: (dir, port) => writeFiles(dir, port, options),
    args: (dir) => ['-f', '-n', '1', '-c', path.join(dir, 'named.conf')],
    readyZone: options.zone,
    failOnWrongAnswers: true,
    portRace: /address in use|already in use|could not listen/i,
    keepBytes: 262144,
  });
  const { key } = options;
  return {
    ...daemon,
    update: (commands) =>
      new Promise((resolve, reject) => {
        const script = [`server 127.0.0.1 ${daemon.port}`, `zone ${options.zone}`, ...commands, 'send', ''].join('\n');
        const child = execFile(nsupdate, ['-y', `${key.algorithm}:${key.name}:${key.secret}`], (error, _stdout, stderr) =>
          error === null ? resolve() : reject(new Error(`nsupdate failed: ${stderr}\n${daemon.output()}`)),
        );
        child.stdin!.end(script);
      }),
  };
}

async function findBinary(name: string, debianPackage: string): Promise<string> {
  const onPath = await new Promise<string | undefined>((resolve) => execFile('which', [name], (error, stdout) => resolve(error ? undefined : stdout.trim() || undefined)));
  if (onPath !== undefined) return onPath;
  for (const dir of ['/usr/sbin', '/usr/bin']) {
    try {
      await access(path.join(dir, name));
      return path.join(dir, name);
    } catch {
      // try the next directory
    }
  }
  throw new Error(`${name} is not installed: install the Debian package \`${debianPackage}\``);
}

async function writeFiles(dir: string, port: number, options: { zone: string; text: string; key: TestKey; notify: string[]; notifyUnsigned?: boolean }): Promise<void> {
  await writeFile(path.join(dir, 'named.conf'), primaryNamedConf({ dir, port, zone: options.zone, key: options.key, notify: options.notify, ...(options.notifyUnsigned !== undefined && { notifyUnsigned: options.notifyUnsigned }) }));
  await writeFile(path.join(dir, 'policy.zone'), options.text.endsWith('\n') ? options.text : `${options.text}\n`);
}

/**
 * named.conf for a primary of `zone` (file `dir`/policy.zone) on 127.0.0.1:`port`:
 * transfers and dynamic updates only with `key`, `ixfr-from-differences`,
 * and NOTIFY at once to `notify` only (signed unless `notifyUnsigned`), or
 * none when `notify` is null. Shared with bench/reload/peers.ts.
 */
export function primaryNamedConf(options: { dir: string; port: number; zone: string; key: TestKey; notify: string[] | null; notifyUnsigned?: boolean }): string {
  const { dir, key } = options;
  const targets = (options.notify ?? []).map((hostPort) => {
    const [address, targetPort] = hostPort.split(':');
    return `${address} port ${targetPort}${options.notifyUnsigned === true ? '' : ` key "${key.name}"`};`;
  });
  const notify =
    options.notify === null
      ? 'notify no;'
      : `// Only the listed targets, at once: the tests measure NOTIFY to enforcement.
  notify explicit;
  notify-delay 0;
  notify-source 127.0.0.1;
  also-notify { ${targets.join(' ')} };`;
  return `key "${key.name}" { algorithm ${key.algorithm}; secret "${key.secret}"; };
options {
  directory "${dir}";
  pid-file "${path.join(dir, 'named.pid')}";
  session-keyfile "${path.join(dir, 'session.key')}";
  managed-keys-directory "${dir}";
  listen-on port ${options.port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  allow-query { 127.0.0.0/8; };
  dnssec-validation no;
  ${notify}
  allow-transfer { key "${key.name}"; };
  ixfr-from-differences yes;
};
controls { };
logging {
  channel stderr_only { stderr; severity info; print-time yes; print-category yes; };
  category default { stderr_only; };
  category lame-servers { null; };
};
zone "${options.zone}" {
  type primary;
  file "${path.join(dir, 'policy.zone')}";
  allow-update { key "${key.name}"; };
};
`;
}

/**
 * Unbound as a benchmark's baseline: a plain caching forwarder of one upstream on 127.0.0.1 (`forward-zone "."`,
 * no DNSSEC validation, default cache sizes, Stopzone's socket receive buffer), with `num-threads` threads and,
 * when given, one RPZ zone read from a file (`rpz:` with `module-config: "respip iterator"`; its QNAME triggers
 * are applied before the cache).
 * Started in the foreground (`unbound -d`), pinned with taskset, killed with the benchmark.
 */
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADDR, startPinned, type Proc } from './processes.js';

/** What the Unbound under test is given. */
export interface UnboundOptions {
  readonly port: number;
  /** "127.0.0.1:port" of the upstream every query is forwarded to. */
  readonly upstream: string;
  readonly threads: number;
  /** An RPZ zone: its origin and its file. */
  readonly rpz?: { readonly name: string; readonly file: string };
  /** A directory of its own (config, log). */
  readonly dir: string;
  /** taskset CPU list. */
  readonly cpu: string;
}

/** unbound.conf for `options`. */
export function unboundConf(options: UnboundOptions): string {
  const [host, port] = options.upstream.split(':');
  const lines = [
    'server:',
    `  num-threads: ${options.threads}`,
    `  interface: ${ADDR}`,
    `  port: ${options.port}`,
    '  interface-automatic: no',
    '  do-not-query-localhost: no',
    `  module-config: "${options.rpz === undefined ? 'iterator' : 'respip iterator'}"`,
    '  chroot: ""',
    '  username: ""',
    `  directory: "${options.dir}"`,
    '  pidfile: ""',
    '  use-syslog: no',
    '  logfile: ""',
    '  verbosity: 1',
    // RFC 6761 makes test. a default local zone in Unbound; the benchmark's names live under it.
    '  local-zone: "test." nodefault',
    // The receive buffer Stopzone asks for (src/server/udp-listener.ts, 4 MiB, which the kernel doubles): a burst
    // of queries is queued alike by both, and a loss is the server's, not a default's.
    '  so-rcvbuf: 4m',
    'remote-control:',
    '  control-enable: no',
    'forward-zone:',
    '  name: "."',
    `  forward-addr: ${host!}@${port!}`,
  ];
  if (options.rpz !== undefined) lines.push('rpz:', `  name: "${options.rpz.name}"`, `  zonefile: "${options.rpz.file}"`, '  rpz-log: no');
  return `${lines.join('\n')}\n`;
}

/**
 * Writes the config and starts Unbound; its output goes to `dir`/unbound.log. A config Unbound refuses makes it
 * exit at once with the reason in that log (unbound-checkconf would read the whole RPZ zone first: 10-15 s here).
 */
export function startUnbound(name: string, options: UnboundOptions): { proc: Proc; logPath: string } {
  mkdirSync(options.dir, { recursive: true });
  const conf = join(options.dir, 'unbound.conf');
  writeFileSync(conf, unboundConf(options));
  const logPath = join(options.dir, 'unbound.log');
  const out = openSync(logPath, 'w');
  const proc = startPinned(name, options.cpu, 'unbound', ['-d', '-c', conf], { out, err: out });
  closeSync(out);
  return { proc, logPath };
}

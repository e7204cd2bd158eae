import { execFile } from 'node:child_process';
import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startDaemon } from './daemon.js';
import { assertNsdOptionLine } from './loopback-guard.js';

/** A zone to serve: its origin and the text of its master file. */
export interface NsdZone {
  readonly name: string;
  readonly text: string;
  /** Extra nsd.conf lines for the zone, e.g. `provide-xfr: 127.0.0.1 transfer-key`. */
  readonly options?: readonly string[];
}

/** A TSIG key for nsd.conf's `key:` clause. */
export interface NsdKey {
  readonly name: string;
  readonly algorithm: string;
  readonly secret: string;
}

/** A running NSD, authoritative for the given zones on 127.0.0.1. */
export interface RunningNsd {
  /** "127.0.0.1:PORT", ready to use as a Stopzone upstream. */
  readonly hostPort: string;
  readonly port: number;
  /** Kills NSD and removes its temporary directory. */
  stop(): Promise<void>;
}

const ADDRESS = '127.0.0.1';

/**
 * Starts a real NSD (`nsd -d`) on 127.0.0.1 and a free port, serving `zones`
 * from a fresh temporary directory, and resolves once it answers a SOA query
 * for the first zone. Throws, naming the Debian package `nsd`, when NSD is not
 * installed, and with NSD's stderr when it fails to start. Zone option lines
 * must be ones the loopback guard knows, naming only loopback addresses.
 */
export async function startNsd(options: { zones: NsdZone[]; keys?: NsdKey[] }): Promise<RunningNsd> {
  const first = options.zones[0];
  if (first === undefined) throw new Error('startNsd: give at least one zone');
  for (const zone of options.zones) for (const line of zone.options ?? []) assertNsdOptionLine(line);
  const binary = await findNsd();
  const daemon = await startDaemon({
    label: 'NSD',
    binary,
    tmpPrefix: 'stopzone-nsd-',
    writeFiles: (dir, port) => writeFiles(dir, port, options.zones, options.keys ?? []),
    args: (dir) => ['-d', '-c', path.join(dir, 'nsd.conf')],
    readyZone: first.name,
    failOnWrongAnswers: true,
    portRace: /already in use|can't bind/i,
    keepBytes: 8192,
  });
  return { hostPort: daemon.hostPort, port: daemon.port, stop: daemon.stop };
}

/** Whether NSD is installed (a test that needs it may skip outside CI only for this reason). */
export async function nsdInstalled(): Promise<boolean> {
  return findNsd().then(() => true, () => false);
}

/** The nsd binary: on PATH, or in /usr/sbin (root's PATH may lack it). */
async function findNsd(): Promise<string> {
  const onPath = await new Promise<string | undefined>((resolve) => {
    execFile('which', ['nsd'], (error, stdout) => resolve(error ? undefined : stdout.trim() || undefined));
  });
  if (onPath !== undefined) return onPath;
  try {
    await access('/usr/sbin/nsd');
    return '/usr/sbin/nsd';
  } catch {
    throw new Error('nsd is not installed (not on PATH nor at /usr/sbin/nsd): install the Debian package `nsd` (apt-get install nsd)');
  }
}


/** nsd.conf and the zone files; every state file NSD writes stays inside `dir`. */
async function writeFiles(dir: string, port: number, zones: NsdZone[], keys: NsdKey[]): Promise<void> {
  const zoneBlocks = zones.map((zone, i) => {
    const origin = zone.name === '.' ? '.' : zone.name.replace(/\.$/, '');
    return `zone:\n  name: "${origin}"\n  zonefile: "zone-${i}.zone"\n${(zone.options ?? []).map((line) => `  ${line}\n`).join('')}`;
  });
  const keyBlocks = keys.map((key) => `key:\n  name: "${key.name}"\n  algorithm: ${key.algorithm}\n  secret: "${key.secret}"\n`);
  const conf = [
    'server:',
    `  ip-address: ${ADDRESS}`,
    `  port: ${port}`,
    '  username: ""',
    '  chroot: ""',
    '  database: ""',
    `  zonesdir: "${dir}"`,
    `  pidfile: "${path.join(dir, 'nsd.pid')}"`,
    `  xfrdfile: "${path.join(dir, 'xfrd.state')}"`,
    `  zonelistfile: "${path.join(dir, 'zone.list')}"`,
    `  xfrdir: "${dir}"`,
    '  verbosity: 0',
    '  server-count: 1',
    '  hide-version: yes',
    // Debian builds NSD with response rate limiting, 200 answers/s per /24 by default: every test client is on
    // 127.0.0.0/24, so a busy test would see drops and truncated answers. Off.
    '  rrl-ratelimit: 0',
    '  rrl-whitelist-ratelimit: 0',
    'remote-control:',
    '  control-enable: no',
    ...keyBlocks,
    ...zoneBlocks,
  ].join('\n');
  await writeFile(path.join(dir, 'nsd.conf'), `${conf}\n`);
  await Promise.all(zones.map((zone, i) => writeFile(path.join(dir, `zone-${i}.zone`), zone.text.endsWith('\n') ? zone.text : `${zone.text}\n`)));
}







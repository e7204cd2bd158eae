import { execFile, spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import dnsPacket from 'dns-packet';

/** A zone to serve: its origin and the text of its master file. */
export interface NsdZone {
  readonly name: string;
  readonly text: string;
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
const READY_TRIES = 100;
const READY_INTERVAL_MS = 50;
const START_ATTEMPTS = 3;

/**
 * Starts a real NSD (`nsd -d`) on 127.0.0.1 and a free port, serving `zones`
 * from a fresh temporary directory, and resolves once it answers a SOA query
 * for the first zone. Throws, naming the Debian package `nsd`, when NSD is not
 * installed, and with NSD's stderr when it fails to start.
 */
export async function startNsd(options: { zones: NsdZone[] }): Promise<RunningNsd> {
  const first = options.zones[0];
  if (first === undefined) throw new Error('startNsd: give at least one zone');
  const binary = await findNsd();
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'stopzone-nsd-'));
    try {
      const port = await freePort();
      await writeFiles(dir, port, options.zones);
      // Its own process group, so that stopping it also stops the server and xfrd processes it forks.
      const child = spawn(binary, ['-d', '-c', path.join(dir, 'nsd.conf')], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      const output = collect(child);
      const exited = exitOf(child);
      try {
        await waitUntilReady(port, first.name, exited);
      } catch (error) {
        await terminate(child, exited);
        throw new Error(`NSD did not start on ${ADDRESS}:${port}: ${(error as Error).message}\nNSD output:\n${output()}`);
      }
      return { hostPort: `${ADDRESS}:${port}`, port, stop: () => stop(child, exited, dir) };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      lastError = error as Error;
      // Only a lost race for the port is worth another try.
      if (!/already in use|can't bind/i.test(lastError.message)) throw lastError;
    }
  }
  throw lastError ?? new Error('NSD did not start');
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

/** nsd.conf and the zone files; every state file NSD writes stays inside `dir`. */
async function writeFiles(dir: string, port: number, zones: NsdZone[]): Promise<void> {
  const zoneBlocks = zones.map((zone, i) => {
    const origin = zone.name.replace(/\.$/, '');
    return `zone:\n  name: "${origin}"\n  zonefile: "zone-${i}.zone"\n`;
  });
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
    ...zoneBlocks,
  ].join('\n');
  await writeFile(path.join(dir, 'nsd.conf'), `${conf}\n`);
  await Promise.all(zones.map((zone, i) => writeFile(path.join(dir, `zone-${i}.zone`), zone.text.endsWith('\n') ? zone.text : `${zone.text}\n`)));
}

/** Keeps the last 8 KiB of the child's stdout and stderr, for error messages. */
function collect(child: ChildProcess): () => string {
  let text = '';
  const add = (chunk: Buffer): void => {
    text = (text + chunk.toString()).slice(-8192);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => text.trim() || '(nothing)';
}

/** Resolves with a description of how the child ended (or failed to spawn). */
function exitOf(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve(`could not run: ${error.message}`));
    // 'close' rather than 'exit': it waits for the output, and for the forked processes that share the pipes.
    child.once('close', (code, signal) => resolve(signal ? `killed by ${signal}` : `exited with code ${code}`));
  });
}

/** Polls with a SOA query over UDP until NSD answers NOERROR; rejects if it exits or never answers. */
async function waitUntilReady(port: number, zone: string, exited: Promise<string>): Promise<void> {
  let gone: string | undefined;
  void exited.then((how) => (gone = how));
  let last = 'no reply';
  let wrongAnswers = 0;
  for (let i = 0; i < READY_TRIES; i++) {
    if (gone !== undefined) throw new Error(`NSD ${gone}`);
    const reply = await querySoa(port, zone, READY_INTERVAL_MS);
    if (reply !== null) {
      const rcode = (reply as { rcode?: string }).rcode ?? 'NOERROR';
      if (rcode === 'NOERROR' && (reply.answers ?? []).some((a) => a.type === 'SOA')) return;
      last = `answered ${rcode} with ${(reply.answers ?? []).length} answers`;
      // NSD loads its zones before it answers at all, so a wrong answer means the zone failed to load.
      if (++wrongAnswers >= 3) throw new Error(`the SOA query for ${zone} ${last} (the zone did not load?)`);
    }
    await new Promise((resolve) => setTimeout(resolve, READY_INTERVAL_MS));
  }
  if (gone !== undefined) throw new Error(`NSD ${gone}`);
  throw new Error(`no SOA answer for ${zone} after ${READY_TRIES} tries ${READY_INTERVAL_MS} ms apart (last: ${last})`);
}

/** One SOA query to 127.0.0.1:port; null on timeout or an undecodable reply. */
function querySoa(port: number, zone: string, timeoutMs: number): Promise<dnsPacket.Packet | null> {
  const socket = dgram.createSocket('udp4');
  const id = Math.floor(Math.random() * 65536);
  const query = dnsPacket.encode({ type: 'query', id, questions: [{ name: zone, type: 'SOA', class: 'IN' }] });
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

/** Stops NSD, then removes the temporary directory. */
async function stop(child: ChildProcess, exited: Promise<string>, dir: string): Promise<void> {
  await terminate(child, exited);
  await rm(dir, { recursive: true, force: true });
}

/** SIGTERM to NSD's process group, SIGKILL after a second if it is still there. */
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
    const timer = setTimeout(() => signalGroup('SIGKILL'), 1000);
    await exited;
    clearTimeout(timer);
  }
  signalGroup('SIGKILL'); // any forked child that outlived the main process
}

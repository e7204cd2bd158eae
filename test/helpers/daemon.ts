import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import dnsPacket from 'dns-packet';

/**
 * Runs a DNS daemon from Debian (NSD, BIND) for a test: a fresh temporary
 * directory, a port free for UDP and TCP on 127.0.0.1, the daemon in its own
 * process group, readiness by a real SOA query (bounded polling, not a
 * sleep), and its output in the error when it does not start.
 */

const ADDRESS = '127.0.0.1';
const READY_TRIES = 100;
const READY_INTERVAL_MS = 50;
const START_ATTEMPTS = 3;

/** What differs between daemons. */
export interface DaemonSpec {
  /** "NSD", "named": for messages. */
  readonly label: string;
  readonly binary: string;
  readonly tmpPrefix: string;
  /** Writes the config and zones for `port` into `dir`. */
  writeFiles(dir: string, port: number): Promise<void>;
  /** The command line, given the directory. */
  args(dir: string): string[];
  /** A zone it serves itself, asked for readiness. */
  readonly readyZone: string;
  /** NSD answers only once its zones are loaded, so wrong answers mean a zone failed; BIND may answer earlier. */
  readonly failOnWrongAnswers: boolean;
  /** Start errors that mean a lost race for the port (worth another try). */
  readonly portRace: RegExp;
  /** How much output to keep (BIND's RPZ log is read by the conformance suite). */
  readonly keepBytes: number;
}

/** A daemon that answers on 127.0.0.1:port. */
export interface RunningDaemon {
  readonly hostPort: string;
  readonly port: number;
  output(): string;
  stop(): Promise<void>;
}

/** Starts the daemon, retrying when it lost a race for its port. */
export async function startDaemon(spec: DaemonSpec): Promise<RunningDaemon> {
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const dir = await mkdtemp(path.join(os.tmpdir(), spec.tmpPrefix));
    try {
      const port = await freePort();
      await spec.writeFiles(dir, port);
      const child = spawn(spec.binary, spec.args(dir), { stdio: ['ignore', 'pipe', 'pipe'], detached: true, cwd: dir });
      const output = collect(child, spec.keepBytes);
      const exited = exitOf(child);
      try {
        await waitUntilReady(spec.label, port, spec.readyZone, exited, spec.failOnWrongAnswers);
      } catch (error) {
        await terminate(child, exited);
        throw new Error(`${spec.label} did not start on ${ADDRESS}:${port}: ${(error as Error).message}\n${spec.label} output:\n${output()}`);
      }
      const stop = async (): Promise<void> => {
        await terminate(child, exited);
        await rm(dir, { recursive: true, force: true });
      };
      return { hostPort: `${ADDRESS}:${port}`, port, output, stop };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      lastError = error as Error;
      if (!spec.portRace.test(lastError.message)) throw lastError;
    }
  }
  throw lastError ?? new Error(`${spec.label} did not start`);
}

/** A port free for both UDP and TCP on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
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

/** Keeps the last 8 KiB of the child's stdout and stderr, for error messages. */
function collect(child: ChildProcess, keepBytes: number): () => string {
  let text = '';
  const add = (chunk: Buffer): void => {
    text = (text + chunk.toString()).slice(-keepBytes);
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

/** Polls with a SOA query over UDP until the daemon answers it; rejects if it exits or never answers (bounded). */
async function waitUntilReady(label: string, port: number, zone: string, exited: Promise<string>, failOnWrongAnswers: boolean): Promise<void> {
  let gone: string | undefined;
  void exited.then((how) => (gone = how));
  let last = 'no reply';
  let wrongAnswers = 0;
  for (let i = 0; i < READY_TRIES; i++) {
    if (gone !== undefined) throw new Error(`${label} ${gone}`);
    const reply = await querySoa(port, zone, READY_INTERVAL_MS);
    if (reply !== null) {
      const rcode = (reply as { rcode?: string }).rcode ?? 'NOERROR';
      if (rcode === 'NOERROR' && (reply.answers ?? []).some((a) => a.type === 'SOA')) return;
      last = `answered ${rcode} with ${(reply.answers ?? []).length} answers`;
      // NSD loads its zones before it answers at all, so a wrong answer means the zone failed to load.
      if (failOnWrongAnswers && ++wrongAnswers >= 3) throw new Error(`the SOA query for ${zone} ${last} (the zone did not load?)`);
    }
    await new Promise((resolve) => setTimeout(resolve, READY_INTERVAL_MS));
  }
  if (gone !== undefined) throw new Error(`${label} ${gone}`);
  throw new Error(`no SOA answer for ${zone} after ${READY_TRIES} tries ${READY_INTERVAL_MS} ms apart (last: ${last})`);
}

/** One SOA query to 127.0.0.1:port; null on timeout or an undecodable reply. */
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

/** SIGTERM to the daemon's process group, SIGKILL after two seconds if it is still there. */
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
  signalGroup('SIGKILL'); // any forked child that outlived the main process
}

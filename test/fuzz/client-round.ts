import dgram from 'node:dgram';
import net from 'node:net';
import { join } from 'node:path';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { assertLoopback } from '../helpers/loopback-guard.js';
import { Campaign, type RoundOptions } from './campaign.js';
import { clientPacket } from './client-packets.js';
import { startFuzzServer, type FuzzServer } from './fuzz-server.js';
import { CHECK_RECORDS, policyFailures, serverYaml, writePolicyZone } from './policy.js';
import { checkMarker, marker, MARKER_ID, ReplyBook } from './reply-book.js';
import { finish } from './round-end.js';
import { framed, frames } from './tcp-frames.js';

/** How the client round sends. */
export interface ClientRoundOptions extends RoundOptions {
  /** Share of inputs sent over TCP (the rest over UDP). */
  readonly tcpShare: number;
  /** Decode every n-th reply with dns-packet (1: all); every reply's length and header are checked regardless. */
  readonly decodeEvery: number;
  /** Extra server YAML (FUZZ_SERVER_YAML). */
  readonly serverYaml?: string;
}

const UDP_SOCKETS = 3;
const TCP_CONNECTIONS = 2;
/** Packets sent before each marker; with 3 sockets at most ~200 wait in the server's socket buffer. */
const BATCH = 64;
/** Every n-th TCP batch goes on a connection of its own, framed badly (split writes, a lying last length). */
const FRAMING_EVERY = 25;
const MARKER_TRIES = 5;
const MARKER_TIMEOUT_MS = 2000;

/** Whether input `index` goes over TCP: a fixed function of the index, so a replay sends it the same way. */
function overTcp(index: number, share: number): boolean {
  return (Math.imul(index, 2654435761) >>> 0) % 1000 < share * 1000;
}

/** Hands out the inputs of one transport in order to the lanes that send them. */
class Inputs {
  #next: number;
  readonly options: ClientRoundOptions;
  readonly tcp: boolean;
  constructor(options: ClientRoundOptions, tcp: boolean) {
    this.options = options;
    this.tcp = tcp;
    this.#next = options.from;
  }
  /** The next index for this transport, or -1 when none is left. */
  take(): number {
    const end = this.options.from + this.options.count;
    while (this.#next < end && overTcp(this.#next, this.options.tcpShare) !== this.tcp) this.#next++;
    return this.#next < end ? this.#next++ : -1;
  }
}

async function udpLane(lane: number, server: FuzzServer, inputs: Inputs, campaign: Campaign, decodeEvery: number, done: { n: number }): Promise<void> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.setRecvBufferSize(4 * 1024 * 1024);
  const book = new ReplyBook(campaign, 'udp', decodeEvery);
  let markerWaiter: (() => void) | null = null;
  socket.on('message', (reply: Buffer) => {
    if (reply.length >= 12 && reply.readUInt16BE(0) === MARKER_ID) {
      checkMarker(campaign, reply, 'udp');
      markerWaiter?.();
      return;
    }
    book.check(reply);
  });
  const { address, port } = server.dns;
  const mark = marker(lane);
  try {
    for (;;) {
      let sent = 0;
      for (; sent < BATCH; sent++) {
        const index = inputs.take();
        if (index < 0) break;
        const packet = clientPacket(campaign.options.seed, index);
        book.register(packet, index);
        socket.send(packet, port, address);
      }
      campaign.count('udp packets', sent);
      done.n += sent;
      if (!(await roundTrip(() => socket.send(mark, port, address), (wake) => (markerWaiter = wake)))) {
        campaign.fail('server stopped answering', -1, `no UDP marker reply after ${MARKER_TRIES} tries of ${MARKER_TIMEOUT_MS} ms`);
        return;
      }
      await campaign.progress(done.n);
      if (sent < BATCH) return;
    }
  } finally {
    socket.close();
  }
}

/** Sends (and re-sends) until the waiter is woken; false after MARKER_TRIES timeouts. */
async function roundTrip(send: () => void, onWake: (wake: () => void) => void): Promise<boolean> {
  for (let attempt = 0; attempt < MARKER_TRIES; attempt++) {
    const woken = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), MARKER_TIMEOUT_MS);
      onWake(() => {
        clearTimeout(timer);
        resolve(true);
      });
      send();
    });
    if (woken) return true;
  }
  return false;
}

async function tcpLane(lane: number, server: FuzzServer, inputs: Inputs, campaign: Campaign, decodeEvery: number, done: { n: number }): Promise<void> {
  const book = new ReplyBook(campaign, 'tcp', decodeEvery);
  let markerWaiter: (() => void) | null = null;
  const onFrame = (reply: Buffer): void => {
    if (reply.length >= 12 && reply.readUInt16BE(0) === MARKER_ID) {
      checkMarker(campaign, reply, 'tcp');
      markerWaiter?.();
    } else book.check(reply);
  };
  let socket: net.Socket | null = null;
  const connection = async (): Promise<net.Socket> => {
    if (socket !== null && !socket.destroyed) return socket;
    const fresh = net.connect({ host: server.dns.address, port: server.dns.port });
    fresh.setNoDelay(true);
    fresh.on('data', frames(onFrame));
    fresh.on('error', () => {});
    fresh.on('close', () => {
      if (fresh === socket) campaign.count('tcp connections closed by the server');
    });
    await new Promise<void>((resolve, reject) => fresh.once('connect', resolve).once('error', reject));
    socket = fresh;
    return fresh;
  };
  const mark = framed([marker(lane)]);
  for (let batchNumber = 0; ; batchNumber++) {
    const packets: Buffer[] = [];
    while (packets.length < BATCH) {
      const index = inputs.take();
      if (index < 0) break;
      const packet = clientPacket(campaign.options.seed, index).subarray(0, 65535);
      book.register(packet, index);
      packets.push(packet);
    }
    campaign.count('tcp packets', packets.length);
    done.n += packets.length;
    if (batchNumber % FRAMING_EVERY === FRAMING_EVERY - 1) await badlyFramed(server, packets, onFrame, campaign);
    else {
      const open = await connection();
      open.write(framed(packets));
      const answered = await roundTrip(
        () => void connection().then((s) => s.write(mark), () => {}),
        (wake) => (markerWaiter = wake),
      );
      if (!answered) {
        campaign.fail('server stopped answering', -1, `no TCP marker reply after ${MARKER_TRIES} tries of ${MARKER_TIMEOUT_MS} ms`);
        break;
      }
    }
    await campaign.progress(done.n);
    if (packets.length < BATCH) break;
  }
  const last = socket as net.Socket | null;
  socket = null;
  last?.destroy();
}

/**
 * One connection of its own for a batch, written in a few pieces split at
 * random places, often ending in a length prefix that promises more than
 * follows; then half-closed. The server must answer what was whole and let go.
 */
async function badlyFramed(server: FuzzServer, packets: Buffer[], onFrame: (reply: Buffer) => void, campaign: Campaign): Promise<void> {
  campaign.count('badly framed connections');
  const bytes = framed(packets);
  const lie = packets.length > 0 && packets.length % 2 === 0 ? Buffer.from([0xff, 0xff, 1, 2, 3]) : Buffer.alloc(0);
  const whole = Buffer.concat([bytes, lie]);
  const socket = net.connect({ host: server.dns.address, port: server.dns.port });
  socket.setNoDelay(true);
  socket.on('data', frames(onFrame));
  socket.on('error', () => {});
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      campaign.count('badly framed connections still open after 3 s');
      socket.destroy();
      resolve();
    }, 3000);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('connect', () => {
      const cut = [0, Math.floor(whole.length / 3), Math.floor(whole.length / 2) + 1, whole.length - 1, whole.length];
      for (let i = 1; i < cut.length; i++) socket.write(whole.subarray(cut[i - 1], cut[i]));
      socket.end();
    });
  });
}

/** Reads the kernel's count of UDP datagrams dropped for a full receive buffer (all sockets; for context). */
async function udpBufferDrops(): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile('/proc/net/snmp', 'utf8').catch(() => '');
  const [names, values] = text.split('\n').filter((line) => line.startsWith('Udp:'));
  const at = names?.split(/\s+/).indexOf('RcvbufErrors') ?? -1;
  return at < 0 ? 0 : Number(values?.split(/\s+/)[at] ?? 0);
}

/**
 * Client packets over UDP and TCP at a server in front of a correct fake
 * upstream. Each lane sends a batch, then a marker query for a listed name
 * whose reply (the policy's NXDOMAIN) paces the lane and shows the list
 * still holds. Every reply is checked (length, ID, QR, UDP size), every
 * n-th decoded with dns-packet; at the end every listed name must still be
 * blocked over UDP and TCP and the unlisted one answered.
 */
export async function clientRound(options: ClientRoundOptions): Promise<Campaign> {
  const upstream = await startFakeUpstream({ records: CHECK_RECORDS, keepQueries: false });
  assertLoopback(upstream.hostPort);
  const server = await startFuzzServer(serverYaml({ upstream: upstream.hostPort, ...writePolicyZone(), extra: options.serverYaml }));
  const campaign = new Campaign('client', options, () => server.sample());
  try {
    const before = await policyFailures(server.dns);
    if (before.length > 0) throw new Error(`the fuzz policy does not hold before fuzzing (harness broken?): ${before.join('; ')}`);
    await campaign.begin();
    const drops = await udpBufferDrops();
    const done = { n: 0 };
    const udp = new Inputs(options, false);
    const tcp = new Inputs(options, true);
    await Promise.all([
      ...Array.from({ length: UDP_SOCKETS }, (_, lane) => udpLane(lane, server, udp, campaign, options.decodeEvery, done)),
      ...Array.from({ length: TCP_CONNECTIONS }, (_, lane) => tcpLane(UDP_SOCKETS + lane, server, tcp, campaign, options.decodeEvery, done)),
    ]);
    campaign.count('kernel UDP receive-buffer drops (machine-wide)', (await udpBufferDrops()) - drops);
    await finish(campaign, server);
  } finally {
    await server.close();
    await upstream.close();
  }
  return campaign;
}

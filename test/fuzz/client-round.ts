import dgram from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildQuery } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { assertLoopback } from '../helpers/loopback-guard.js';
import { Campaign, type RoundOptions } from './campaign.js';
import { clientPacket } from './client-packets.js';
import { startFuzzServer, type FuzzServer } from './fuzz-server.js';
import { CHECK_RECORDS, policyFailures, serverYaml, WILDCARD_PARENT, writePolicyZone } from './policy.js';
import { decodeOrReason, hex, listedDataIn } from './reply-check.js';

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
const MARKER_ID = 0;
const MARKER_TRIES = 5;
const MARKER_TIMEOUT_MS = 2000;

/** Whether input `index` goes over TCP: a fixed function of the index, so a replay sends it the same way. */
function overTcp(index: number, share: number): boolean {
  return (Math.imul(index, 2654435761) >>> 0) % 1000 < share * 1000;
}

/** Hands out the inputs of one transport in order to the lanes that send them. */
class Inputs {
  #next: number;
  constructor(
    readonly options: ClientRoundOptions,
    readonly tcp: boolean,
  ) {
    this.#next = options.from;
  }
  /** The next index for this transport, or -1 when none is left. */
  take(): number {
    const end = this.options.from + this.options.count;
    while (this.#next < end && overTcp(this.#next, this.options.tcpShare) !== this.tcp) this.#next++;
    return this.#next < end ? this.#next++ : -1;
  }
}

/** Checks replies against what was sent: every ID seen once, QR set, size within the client's limit, a sample decoded. */
class ReplyBook {
  readonly #sentIndex = new Int32Array(65536).fill(-1);
  readonly #limit = new Uint16Array(65536);
  readonly #answered = new Uint8Array(65536);
  #nextId = 1;
  #decodeCounter = 0;
  constructor(
    readonly campaign: Campaign,
    readonly transport: 'udp' | 'tcp',
    readonly decodeEvery: number,
  ) {}

  /** Gives the packet an ID of its own (never the marker's) and remembers which input it was. */
  register(packet: Buffer, index: number): void {
    if (packet.length < 2) return;
    const id = this.#nextId;
    this.#nextId = this.#nextId === 65535 ? 1 : this.#nextId + 1;
    packet.writeUInt16BE(id, 0);
    this.#sentIndex[id] = index;
    this.#answered[id] = 0;
    // RFC 6891 section 7: without an OPT a UDP reply fits 512 bytes; with one, at most our maxUdpPayload (1232 in the fuzz config).
    this.#limit[id] = this.transport === 'tcp' ? 65535 : packet.length >= 12 && packet.readUInt16BE(10) > 0 ? 1232 : 512;
  }

  check(reply: Buffer): void {
    const campaign = this.campaign;
    campaign.count('replies');
    if (reply.length < 12) return campaign.fail('reply shorter than a header', -1, hex(reply), reply);
    const id = reply.readUInt16BE(0);
    const index = this.#sentIndex[id]!;
    const input = (): Buffer => {
      const packet = clientPacket(campaign.options.seed, index);
      if (packet.length >= 2) packet.writeUInt16BE(id, 0);
      return packet;
    };
    if (index < 0) return campaign.fail('reply with an ID never sent', -1, hex(reply), reply);
    if (this.#answered[id] === 1) return campaign.fail('two replies to one query', index, `${this.transport} reply ${hex(reply)}`, input());
    this.#answered[id] = 1;
    if ((reply[2]! & 0x80) === 0) campaign.fail('reply without QR', index, `${this.transport} reply ${hex(reply)}`, input());
    if (reply.length > this.#limit[id]!) campaign.fail('UDP reply larger than the client allows', index, `${reply.length} bytes, limit ${this.#limit[id]}; query ${hex(input())}`, input());
    if (++this.#decodeCounter % this.decodeEvery !== 0) return;
    campaign.count('replies decoded');
    const packet = decodeOrReason(reply);
    if (typeof packet === 'string') return campaign.fail('reply does not parse', index, `${this.transport} ${packet}; query ${hex(input())}; reply ${hex(reply)}`, input());
    const listed = listedDataIn(packet);
    if (listed !== null) campaign.fail(listed.inChain ? 'listed data on the answer chain' : 'listed data relayed beside the answer chain', index, `${this.transport} ${listed.record}; query ${hex(input())}`, input());
  }
}

/** A marker: a query for a listed name, answered by the policy at once; its reply closes a batch. */
function marker(lane: number): Buffer {
  return buildQuery(`m${lane}.${WILDCARD_PARENT}`, { id: MARKER_ID });
}

/** The marker's reply must be the policy's NXDOMAIN with no answer: the list holds while the fuzzing goes on. */
function checkMarker(campaign: Campaign, reply: Buffer, transport: string): void {
  campaign.count('markers');
  if ((reply[3]! & 0x0f) !== 3 || reply.readUInt16BE(6) !== 0) campaign.fail('listed name answered during the run', -1, `${transport} marker reply ${hex(reply)}`);
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

/** Length-prefixed replies out of a TCP byte stream. */
function frames(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      onFrame(pending.subarray(2, 2 + pending.readUInt16BE(0)));
      pending = pending.subarray(2 + pending.readUInt16BE(0));
    }
  };
}

function framed(packets: readonly Buffer[]): Buffer {
  return Buffer.concat(packets.flatMap((packet) => [Buffer.from([packet.length >> 8, packet.length & 0xff]), packet]));
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
  const zoneFile = writePolicyZone();
  const server = await startFuzzServer(serverYaml({ upstream: upstream.hostPort, zoneFile, stateDir: mkdtempSync(join(tmpdir(), 'stopzone-fuzz-state-')), extra: options.serverYaml }));
  const campaign = new Campaign('client', options, async () => (await server.sample()).rss);
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

/** The checks every server round ends with: the policy holds, the process reported nothing, memory measured. */
export async function finish(campaign: Campaign, server: FuzzServer): Promise<void> {
  for (const failure of await policyFailures(server.dns)) campaign.fail('policy no longer holds', -1, failure);
  await campaign.end();
  const sample = await server.sample();
  campaign.count('block-log lines', sample.blockLines);
  for (const [line, n] of Object.entries(sample.logs)) campaign.count(`log ${line}`, n);
  for (const fault of server.faults) campaign.fail(fault.kind, -1, fault.detail);
}

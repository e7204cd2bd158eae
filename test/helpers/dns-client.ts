import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Packet } from 'dns-packet';
import { assertLoopback } from './loopback-guard.js';

/** What a test query asks. */
export interface AskOptions {
  readonly type?: string;
  readonly id?: number;
  /** EDNS UDP payload size; undefined sends no OPT. */
  readonly bufsize?: number;
  readonly dnssecOk?: boolean;
  readonly rd?: boolean;
  /** Local address to send from (e.g. 127.0.0.2 to look like another client). */
  readonly from?: string;
  readonly timeoutMs?: number;
}

/** A decoded reply plus its bytes. */
export interface Reply {
  readonly packet: Packet & { rcode?: string; flag_tc?: boolean };
  readonly raw: Buffer;
}

/** Builds a query message the way dig would. */
export function buildQuery(name: string, options: AskOptions = {}): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: options.id ?? Math.floor(Math.random() * 65536),
    flags: options.rd === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: (options.type ?? 'A') as 'A', class: 'IN' }],
    additionals:
      options.bufsize === undefined
        ? []
        : [{ type: 'OPT', name: '.', udpPayloadSize: options.bufsize, flags: options.dnssecOk ? dnsPacket.DNSSEC_OK : 0, options: [] } as unknown as dnsPacket.Answer],
  });
}

/** Sends raw bytes over UDP to a loopback server and resolves with the first reply, or null on timeout. */
export function sendUdp(target: { address: string; port: number }, message: Buffer, options: { from?: string; timeoutMs?: number } = {}): Promise<Buffer | null> {
  assertLoopback(target.address);
  const socket = dgram.createSocket(net.isIPv6(target.address) ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(null), options.timeoutMs ?? 2000);
    function finish(reply: Buffer | null): void {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    }
    socket.once('message', (reply) => finish(reply));
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
    socket.bind(0, options.from, () => socket.send(message, target.port, target.address));
  });
}

/** The message with its 2-byte length in front (RFC 1035 section 4.2.2), as sent over TCP. */
export function framed(message: Buffer): Buffer {
  const out = Buffer.alloc(message.length + 2);
  out.writeUInt16BE(message.length, 0);
  message.copy(out, 2);
  return out;
}

/** Sends length-framed messages over one TCP connection (from the local address `from`, when given) and resolves with as many replies, in arrival order. */
export function sendTcp(target: { address: string; port: number }, messages: Buffer[], timeoutMs = 2000, from?: string): Promise<Buffer[]> {
  assertLoopback(target.address);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.address, port: target.port, ...(from !== undefined && { localAddress: from }) });
    const replies: Buffer[] = [];
    let pending = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`TCP: ${replies.length} of ${messages.length} replies after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => {
      for (const message of messages) socket.write(framed(message));
    });
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        replies.push(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
      if (replies.length === messages.length) {
        clearTimeout(timer);
        socket.end();
        resolve(replies);
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Asks one question over UDP and decodes the reply; rejects on timeout. */
export async function askUdp(target: { address: string; port: number }, name: string, options: AskOptions = {}): Promise<Reply> {
  const raw = await sendUdp(target, buildQuery(name, options), options);
  if (raw === null) throw new Error(`no UDP reply for ${name} within ${options.timeoutMs ?? 2000} ms`);
  return { packet: dnsPacket.decode(raw) as Reply['packet'], raw };
}

/** Asks one question over TCP and decodes the reply. */
export async function askTcp(target: { address: string; port: number }, name: string, options: AskOptions = {}): Promise<Reply> {
  const [raw] = await sendTcp(target, [buildQuery(name, options)], options.timeoutMs, options.from);
  return { packet: dnsPacket.decode(raw!) as Reply['packet'], raw: raw! };
}

/** TTLs of the answer section, in order. */
export function answerTtls(reply: Reply): number[] {
  return (reply.packet.answers ?? []).map((a) => (a as { ttl?: number }).ttl ?? -1);
}

/** The answer section as [type, data] pairs, data rendered as dns-packet gives it. */
export function answerData(reply: Reply): unknown[] {
  return (reply.packet.answers ?? []).map((a) => (a as { data?: unknown }).data);
}

/** dns-packet's decode, typed with the fields its typings leave out (rcode, flag_tc). */
export function decodeReply(raw: Buffer): Reply['packet'] {
  return dnsPacket.decode(raw) as Reply['packet'];
}

/** The Extended DNS Error (RFC 8914) of a reply: its INFO-CODE and EXTRA-TEXT, or null when it has none. */
export function edeOf(reply: Reply): { code: number; text: string } | null {
  const opt = reply.packet.additionals?.find((r) => r.type === 'OPT') as unknown as { options?: Array<{ code: number; data?: Buffer }> } | undefined;
  const option = opt?.options?.find((o) => o.code === 15);
  if (option?.data === undefined) return null;
  return { code: option.data.readUInt16BE(0), text: option.data.subarray(2).toString('utf8') };
}

import net from 'node:net';
import { framed } from './dns-client.js';
import { assertLoopback } from './loopback-guard.js';

/** A raw DNS-over-TCP client for tests of the listener's limits: it sends what it is told and gathers replies. */
export interface TcpPeer {
  readonly socket: net.Socket;
  /** Replies received so far (the length prefix removed), in arrival order. */
  readonly replies: Buffer[];
  /** Resolves when the connection closes (the tests never close it themselves before awaiting this). */
  readonly closed: Promise<void>;
  /** Resolves with the first reply not yet taken, or rejects when the connection closes first. */
  nextReply(): Promise<Buffer>;
  /** Writes each message with its 2-byte length, in one write. */
  send(...messages: Buffer[]): void;
}

/**
 * Connects to a loopback server, from `from` (another 127.x address looks like
 * another client). With `read: false` the peer never reads a byte, as a
 * client that stalls the server's writes.
 */
export async function connectPeer(target: { address: string; port: number }, options: { from?: string; read?: boolean } = {}): Promise<TcpPeer> {
  assertLoopback(target.address);
  const socket = net.connect({ host: target.address, port: target.port, ...(options.from !== undefined && { localAddress: options.from }) });
  const replies: Buffer[] = [];
  let waiting: Array<{ resolve: (reply: Buffer) => void; reject: (error: Error) => void }> = [];
  let pending = Buffer.alloc(0);
  let taken = 0;
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void closed.then(() => {
    for (const waiter of waiting) waiter.reject(new Error(`connection closed after ${replies.length} replies`));
    waiting = [];
  });
  if (options.read === false) {
    socket.pause();
  } else {
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const reply = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + reply.length);
        replies.push(reply);
        const waiter = waiting.shift();
        if (waiter !== undefined) {
          taken++;
          waiter.resolve(reply);
        }
      }
    });
  }
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    replies,
    closed,
    nextReply: () =>
      new Promise((resolve, reject) => {
        if (taken < replies.length) resolve(replies[taken++]!);
        else if (socket.destroyed) reject(new Error(`connection closed after ${replies.length} replies`));
        else waiting.push({ resolve, reject });
      }),
    send: (...messages) => void socket.write(Buffer.concat(messages.map(framed))),
  };
}

/** Writes `bytes` one at a time, `everyMs` apart, until they are all sent or the socket closes (a slowloris client). */
export function trickle(socket: net.Socket, bytes: Buffer, everyMs: number): void {
  let sent = 0;
  const timer = setInterval(() => {
    if (sent === bytes.length || socket.destroyed) return clearInterval(timer);
    socket.write(bytes.subarray(sent, ++sent));
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

/** Opens a plain TCP connection to "host:port" ("[v6]:port" too) on loopback; resolves once connected. */
export async function connectRaw(hostPort: string): Promise<net.Socket> {
  assertLoopback(hostPort);
  const at = hostPort.lastIndexOf(':');
  const socket = net.connect({ host: hostPort.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(hostPort.slice(at + 1)) });
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

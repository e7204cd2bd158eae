import dgram from 'node:dgram';
import type { Endpoint } from '../config/address.js';

/**
 * Source ports for upstream queries. A fresh socket per query cost about
 * 150 µs in Node when this was written (create, bind, connect, close), which
 * capped forwarding at ~7,000 misses/s; on Node 24 it is 19-37 µs of CPU
 * (bench/README.md, "What a policy hit and a miss cost"). Instead each
 * upstream has a few connected sockets, each
 * bound to its own random ephemeral port (Linux randomises port 0), carrying
 * at most USES_PER_SOCKET queries and living at most MAX_AGE_MS before it is
 * retired and a new random port takes its place. A query picks one of them
 * at random and a fresh random ID (RFC 5452 sections 9.2 and 4.5): an
 * off-path attacker must guess both the ID and a port that changes every few
 * queries.
 */
const SOCKETS_PER_UPSTREAM = 8;
const USES_PER_SOCKET = 16;
const MAX_AGE_MS = 2000;

/** True when a datagram came from the upstream's own address and port (`host` is in the form the kernel reports). */
export function fromUpstream(rinfo: { address: string; port: number }, target: Endpoint): boolean {
  return rinfo.port === target.port && rinfo.address === target.host;
}

/** Called with each datagram whose ID matches; returns true when it was the answer. */
export type AnswerWaiter = (message: Buffer) => boolean;

/** One connected socket shared by a few queries, told apart by ID. */
export class UpstreamSocket {
  readonly #socket: dgram.Socket;
  readonly #waiters = new Map<number, { accept: AnswerWaiter; fail: (error: Error) => void }>();
  readonly #born = performance.now();
  readonly #onRetire: (socket: UpstreamSocket) => void;
  readonly #onClose: (socket: UpstreamSocket) => void;
  #uses = 0;
  #retired = false;
  #closed: Promise<void> | null = null;
  #connected = false;
  /** Settles once the socket is bound and connected. */
  readonly ready: Promise<void>;

  constructor(target: Endpoint, onRetire: (socket: UpstreamSocket) => void, onClose: (socket: UpstreamSocket) => void) {
    this.#onRetire = onRetire;
    this.#onClose = onClose;
    this.#socket = dgram.createSocket({ type: target.family === 6 ? 'udp6' : 'udp4' });
    this.#socket.on('message', (message, rinfo) => {
      if (message.length < 2 || !fromUpstream(rinfo, target)) return;
      const waiter = this.#waiters.get(message.readUInt16BE(0));
      if (waiter?.accept(message) === true) this.#waiters.delete(message.readUInt16BE(0));
    });
    // An ICMP unreachable arrives as an error on a connected socket: every query on it has failed.
    this.#socket.on('error', (error) => {
      for (const waiter of this.#waiters.values()) waiter.fail(new Error(`UDP: ${error.message}`));
      this.#waiters.clear();
      this.retire();
    });
    this.ready = new Promise<void>((resolve, reject) => {
      this.#socket.bind(0, () =>
        this.#socket.connect(target.port, target.host, (error?: Error) => {
          this.#connected = error === undefined || error === null;
          return error ? reject(error) : resolve();
        }),
      );
    });
    this.ready.catch(() => this.retire());
  }

  /** Whether a new query may use this socket. */
  get usable(): boolean {
    return !this.#retired && this.#uses < USES_PER_SOCKET && performance.now() - this.#born < MAX_AGE_MS;
  }

  /**
   * Registers a query's ID; false when that ID is already waiting here. The
   * returned function unregisters it (the answer came, or the query gave up).
   */
  register(id: number, accept: AnswerWaiter, fail: (error: Error) => void): (() => void) | null {
    if (this.#waiters.has(id) || this.#retired) return null;
    this.#uses++;
    this.#waiters.set(id, { accept, fail });
    if (!this.usable) this.retire();
    return () => {
      this.#waiters.delete(id);
      if (this.#retired && this.#waiters.size === 0) void this.close();
    };
  }

  /** Sends once the socket is ready; errors go to the query's `fail`. */
  send(bytes: Buffer, fail: (error: Error) => void): void {
    const sendNow = (): void => {
      if (this.#closed === null) this.#socket.send(bytes, (error) => error && fail(new Error(`UDP send: ${error.message}`)));
    };
    if (this.#connected) sendNow();
    else this.ready.then(sendNow, (error: Error) => fail(new Error(`UDP: ${error.message}`)));
  }

  /** No new queries; the socket closes when its last query ends. */
  retire(): void {
    if (this.#retired) return;
    this.#retired = true;
    this.#onRetire(this);
    if (this.#waiters.size === 0) void this.close();
  }

  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#socket.removeAllListeners('message');
      this.#socket.on('error', () => {});
      this.#socket.close(() => resolve());
      this.#onClose(this);
    });
    return this.#closed;
  }
}

/** The upstream sockets of one pool, per upstream. */
export class UdpSockets {
  readonly #active = new Map<string, UpstreamSocket[]>();
  readonly #all = new Set<UpstreamSocket>();

  /** A socket for one query to `target`: a random usable one, or a new one while there are few. */
  pick(target: Endpoint): UpstreamSocket {
    const key = `${target.host}|${target.port}`;
    let active = this.#active.get(key);
    if (active === undefined) this.#active.set(key, (active = []));
    const usable = active.filter((socket) => socket.usable);
    if (usable.length < SOCKETS_PER_UPSTREAM) return this.#open(target, active);
    return usable[Math.floor(Math.random() * usable.length)]!;
  }

  #open(target: Endpoint, active: UpstreamSocket[]): UpstreamSocket {
    const socket = new UpstreamSocket(
      target,
      (retired) => {
        const at = active.indexOf(retired);
        if (at >= 0) active.splice(at, 1);
      },
      (closed) => this.#all.delete(closed),
    );
    active.push(socket);
    this.#all.add(socket);
    void socket.ready.catch(() => {});
    return socket;
  }

  /** A socket of its own for a query whose ID collided on the picked one. */
  fresh(target: Endpoint): UpstreamSocket {
    return this.#open(target, this.#active.get(`${target.host}|${target.port}`) ?? []);
  }

  /** Closes every socket. */
  async close(): Promise<void> {
    await Promise.all([...this.#all].map((socket) => socket.close()));
    this.#all.clear();
    this.#active.clear();
  }
}

import dgram from 'node:dgram';
import type { Endpoint } from '../config/address.js';
import { literalAddress } from '../runtime/literal-address.js';

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

/**
 * A query waiting on a socket for its answer. `accept` is called with each
 * datagram from the upstream that carries the query's ID (the waiter tells
 * whether it is the answer, and unregisters when it is); `fail` when the
 * socket failed (an ICMP error, or its bind or connect): every query on it
 * has. Either may start another exchange at once, on this socket or another.
 */
export interface AnswerWaiter {
  accept(message: Buffer): void;
  fail(error: Error): void;
}

/** One connected socket shared by a few queries, told apart by ID. */
export class UpstreamSocket {
  readonly #socket: dgram.Socket;
  readonly #waiters = new Map<number, AnswerWaiter>();
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
    this.#socket = dgram.createSocket({ type: target.family === 6 ? 'udp6' : 'udp4', lookup: literalAddress });
    this.#socket.on('message', (message, rinfo) => {
      if (message.length < 2 || !fromUpstream(rinfo, target)) return;
      this.#waiters.get(message.readUInt16BE(0))?.accept(message);
    });
    // An ICMP unreachable arrives as an error on a connected socket: every query on it has failed.
    this.#socket.on('error', (error) => this.#failAll(new Error(`UDP: ${error.message}`)));
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

  /** Whether a new query may use this socket at `now` (performance.now()). */
  usableAt(now: number): boolean {
    return !this.#retired && this.#uses < USES_PER_SOCKET && now - this.#born < MAX_AGE_MS;
  }

  /** Registers a query's ID; false when that ID is already waiting here (or the socket is retired). */
  register(id: number, waiter: AnswerWaiter): boolean {
    if (this.#waiters.has(id) || this.#retired) return false;
    this.#uses++;
    this.#waiters.set(id, waiter);
    if (!this.usableAt(performance.now())) this.retire();
    return true;
  }

  /** Lets go of a query (its answer came, or it gave up); a retired socket closes with its last query. */
  unregister(id: number, waiter: AnswerWaiter): void {
    if (this.#waiters.get(id) === waiter) this.#waiters.delete(id);
    if (this.#retired && this.#waiters.size === 0) void this.close();
  }

  /**
   * Sends once the socket is ready. Without a callback: dgram calls one on the next tick for every send, which cost
   * a miss 4-5 µs in process. A send the kernel refuses at once (a full buffer, a firewall) is then lost as a
   * datagram on the way would be, and the query's timeout moves it on; an ICMP error still fails every query on
   * the socket at once (it arrives on the receive side).
   */
  send(bytes: Buffer): void {
    if (this.#connected) {
      if (this.#closed === null) this.#socket.send(bytes);
    } else {
      this.ready.then(
        () => this.#closed === null && this.#socket.send(bytes),
        (error: Error) => this.#failAll(new Error(`UDP: ${error.message}`)),
      );
    }
  }

  /** Fails every query waiting here and retires the socket; the list is emptied first, so a query that moves on may not land here. */
  #failAll(error: Error): void {
    const failed = [...this.#waiters.values()];
    this.#waiters.clear();
    this.retire();
    for (const waiter of failed) waiter.fail(error);
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

/** The upstream sockets of one pool, per upstream (by its Endpoint, as configured). */
export class UdpSockets {
  readonly #active = new Map<Endpoint, UpstreamSocket[]>();
  readonly #all = new Set<UpstreamSocket>();

  /** A socket for one query to `target`: a random usable one, or a new one while there are few. */
  pick(target: Endpoint): UpstreamSocket {
    let active = this.#active.get(target);
    if (active === undefined) this.#active.set(target, (active = []));
    // Retire what may take no more queries (retiring takes it off the list), so the list is the usable ones.
    const now = performance.now();
    for (let i = active.length - 1; i >= 0; i--) if (!active[i]!.usableAt(now)) active[i]!.retire();
    if (active.length < SOCKETS_PER_UPSTREAM) return this.#open(target, active);
    return active[Math.floor(Math.random() * active.length)]!;
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
    let active = this.#active.get(target);
    if (active === undefined) this.#active.set(target, (active = []));
    return this.#open(target, active);
  }

  /** Closes every socket. */
  async close(): Promise<void> {
    await Promise.all([...this.#all].map((socket) => socket.close()));
    this.#all.clear();
    this.#active.clear();
  }
}

import type { Socket } from 'node:net';
import type { PacketMeta } from '../model/query.js';
import type { PacketHandler } from './handle-packet.js';
import type { InFlight } from '../runtime/in-flight.js';
import type { TcpCloseReason } from '../model/tcp-stats.js';
import { clientKey, type TcpConnections, type TcpLimits } from './tcp-connections.js';
import { MessageFramer, frame } from '../dns/tcp-framing.js';

/** Queries one connection may have in flight; past this its reader stops until answers are sent. */
const MAX_IN_FLIGHT = 64;

/**
 * One client's DNS-over-TCP connection. Pipelined queries are answered as
 * each completes (RFC 7766 section 6.2.1.1 allows any order). Reading stops
 * while MAX_IN_FLIGHT queries are in flight or more than maxQueuedBytes of
 * answers wait to be sent, and resumes as answers are sent, not merely
 * produced: a client that does not read stops being read. A client may
 * half-close after its queries: they are still answered, then our side closes.
 */
export class TcpConnection {
  /** Whom the per-client cap counts this connection against (clientKey). */
  readonly client: string;
  #pending = 0;
  #queued = 0;
  #lastActiveAt: number;
  readonly #socket: Socket;
  readonly #connections: TcpConnections;
  readonly #handle: PacketHandler;
  readonly #meta: PacketMeta;
  readonly #tracker: InFlight;
  readonly #framer = new MessageFramer();
  /** When the message now arriving began, or -1 (none, or we are the ones not reading). */
  #messageStartedAt = -1;
  /** When answer bytes last went out while some were waiting. */
  #wroteAt = 0;
  #paused = false;
  #readEnded = false;
  #stopped = false;
  /** Set while #read runs, so that an answer given at once does not read again from inside it. */
  #reading = false;
  #ending = false;
  #closed = false;

  constructor(socket: Socket, connections: TcpConnections, handle: PacketHandler, meta: PacketMeta, inFlight: InFlight) {
    this.#socket = socket;
    this.#connections = connections;
    this.#handle = handle;
    this.#meta = meta;
    this.#tracker = inFlight;
    this.client = clientKey(meta.client.address);
    this.#lastActiveAt = connections.now();
  }

  /** Queries read and not yet answered. */
  get inFlight(): number {
    return this.#pending;
  }

  /** Answer bytes written to the socket and not yet handed to the kernel. */
  get queued(): number {
    return this.#queued;
  }

  /** When the last whole query arrived or the last answer went out (the idle clock, RFC 7766 section 6.2.3). */
  get lastActiveAt(): number {
    return this.#lastActiveAt;
  }

  /** Starts reading; call once the connection is admitted. */
  start(): void {
    this.#socket.on('data', (chunk: Buffer) => {
      this.#framer.push(chunk);
      this.#read();
    });
    this.#socket.on('end', () => {
      this.#readEnded = true;
      this.#read();
      this.#endIfDone();
    });
    this.#socket.on('close', () => this.#forget());
  }

  /** The limit this connection has passed at `now`, or null. */
  expired(now: number, limits: TcpLimits): TcpCloseReason | null {
    if (this.#queued > 0 && now - this.#wroteAt >= limits.writeTimeoutMs) return 'write-timeout';
    if (this.#messageStartedAt >= 0 && now - this.#messageStartedAt >= limits.messageTimeoutMs) return 'message-timeout';
    if (this.#pending === 0 && this.#queued === 0 && now - this.#lastActiveAt >= limits.idleTimeoutMs) return 'idle';
    return null;
  }

  /**
   * Closes the connection for `reason`. A client that does not read is reset,
   * so the kernel drops the answers it still holds for it rather than keep trying to deliver them.
   */
  close(reason: TcpCloseReason): void {
    if (this.#closed) return;
    this.#connections.count(reason);
    this.#forget();
    if (reason === 'write-timeout' || reason === 'queued-bytes-total') this.#socket.resetAndDestroy();
    else this.#socket.destroy();
  }

  /** Takes no more queries (the listener is closing); those in flight are still answered. */
  stopReading(): void {
    this.#stopped = true;
    this.#socket.pause();
  }

  #read(): void {
    if (this.#closed || this.#stopped || this.#reading) return;
    this.#reading = true;
    try {
      this.#readFrames();
    } finally {
      this.#reading = false;
    }
  }

  /** #read's loop: answers given at once come back through #answered while it runs, which must not read again. */
  #readFrames(): void {
    const limits = this.#connections.limits;
    const now = this.#connections.now();
    // An answer given at once may close the connection (a byte cap reset it): stop reading then.
    while (!this.#closed && this.#pending < MAX_IN_FLIGHT && this.#queued < limits.maxQueuedBytes) {
      const raw = this.#framer.next();
      if (raw === null) break;
      this.#messageStartedAt = -1;
      this.#lastActiveAt = now;
      this.#pending++;
      this.#tracker.track(this.#handle(raw, this.#meta), this.#answered);
    }
    const blocked = this.#pending >= MAX_IN_FLIGHT || this.#queued >= limits.maxQueuedBytes;
    if (blocked !== this.#paused) {
      this.#paused = blocked;
      if (blocked) this.#socket.pause();
      else this.#socket.resume();
    }
    // A message once begun must arrive whole in time; its clock stops while we are the ones not reading.
    if (!this.#framer.started || blocked || this.#readEnded) this.#messageStartedAt = -1;
    else if (this.#messageStartedAt < 0) this.#messageStartedAt = now;
  }

  readonly #answered = (reply: Buffer | null): void => {
    this.#pending--;
    if (this.#closed) return;
    this.#lastActiveAt = this.#connections.now();
    if (reply !== null) this.#send(reply);
    this.#read();
    this.#endIfDone();
  };

  #send(reply: Buffer): void {
    const size = reply.length + 2;
    if (!this.#connections.reserve(this, size)) return;
    if (this.#queued === 0) this.#wroteAt = this.#connections.now();
    this.#queued += size;
    this.#socket.write(frame(reply), this.#written);
  }

  readonly #written = (): void => {
    if (this.#closed) return;
    const left = this.#socket.writableLength;
    this.#connections.release(this.#queued - left);
    this.#queued = left;
    this.#wroteAt = this.#lastActiveAt = this.#connections.now();
    if (this.#paused) this.#read();
    this.#endIfDone();
  };

  /** After the client's half-close: once every query received is answered, close our side too. */
  #endIfDone(): void {
    if (!this.#readEnded || this.#ending || this.#closed || this.#pending > 0 || this.#framer.buffered) return;
    this.#ending = true;
    this.#socket.end();
  }

  #forget(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connections.forget(this);
    this.#queued = 0;
  }
}

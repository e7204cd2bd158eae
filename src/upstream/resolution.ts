import type { Endpoint } from '../config/address.js';
import { Rcode, type Question } from '../dns/types.js';
import type { Timers } from '../runtime/bounded.js';
import { Cancellation } from '../runtime/cancellation.js';
import { askOverTcp, type Exchanged } from './tcp-query.js';
import type { AnswerWaiter, UdpSockets, UpstreamSocket } from './udp-sockets.js';
import { MalformedAnswer, UpstreamFailure, type UpstreamAttempt } from './upstream-failure.js';
import type { PlannedTry, UpstreamHealth } from './upstream-health.js';
import { buildUpstreamQuery, checkAnswer, type QueryFlags, type UpstreamQuery } from './upstream-query.js';

/** What to ask the upstreams. */
export interface UpstreamRequest {
  question: Question;
  dnssecOk: boolean;
  checkingDisabled: boolean;
  /** Ask over TCP only (the client came over TCP). */
  tcp: boolean;
}

/** An upstream's usable answer (any RCODE but SERVFAIL, REFUSED, NOTIMP and FORMERR). */
export interface UpstreamAnswer {
  /** The bytes exactly as received, OPT included, and well-formed (messageFault). Shared between waiters: never mutate. */
  message: Buffer;
  /** Where its question section ends (the question asked, octet for octet but for letter case). */
  questionEnd: number;
  /** Which upstream answered, as configured ("127.0.0.1:5300"). */
  upstream: string;
  rcode: number;
  transport: 'udp' | 'tcp';
}

/** What every resolution of one pool shares: its upstreams, settings, health, sockets and bookkeeping. */
export interface PoolParts {
  readonly targets: readonly Endpoint[];
  readonly health: UpstreamHealth;
  readonly udpSockets: UdpSockets;
  readonly timers: Timers;
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  readonly retries: number;
  readonly udpPayload: number;
  /** Told of each TCP connection's closing that takes time (the pool's close() waits for them). */
  readonly track: (closed: Promise<void>) => void;
  readonly onMalformedAnswer: (upstream: string, reason: string, question: Question) => void;
  /** Told once, before the request's promise settles, that it has ended. */
  readonly ended: (resolution: Resolution) => void;
}

/** RCODEs that say this upstream could not answer: the next one is asked. */
const FAILING = new Map<number, string>([
  [Rcode.SERVFAIL, 'SERVFAIL'],
  [Rcode.REFUSED, 'REFUSED'],
  [Rcode.NOTIMP, 'NOTIMP'],
  [Rcode.FORMERR, 'FORMERR'],
]);

/** The request's deadline cut an attempt short: not that upstream's failure, and the end of the request. */
class DeadlinePassed extends Error {}

/**
 * One request's way through the upstreams: each upstream of the health plan
 * in turn, then round again `retries` times, one attempt at a time, each
 * within its timeout and what is left of the deadline, until one gives a
 * usable answer. A UDP attempt (TCP only after TC=1 or for a TCP client, as
 * RFC 7766 section 5 has it) is one registration on a shared socket and one
 * timer, driven by their callbacks: the request costs one promise, however
 * many attempts it takes. A malformed answer, a failing RCODE, a timeout or
 * a socket error fails the attempt and counts against the upstream's health;
 * the deadline and the pool's close() end the request without counting.
 * `promise` resolves with the answer or rejects with UpstreamFailure,
 * listing every attempt.
 */
export class Resolution implements AnswerWaiter {
  readonly promise: Promise<UpstreamAnswer>;
  /** The pool's key for sharing this request, and its slot among the running ones. */
  readonly key: string;
  slot = -1;
  readonly #parts: PoolParts;
  readonly #question: Question;
  readonly #tcpOnly: boolean;
  readonly #flags: QueryFlags;
  readonly #wireName: Buffer;
  readonly #plan: readonly PlannedTry[];
  readonly #deadlineAt: number;
  readonly #attempts: UpstreamAttempt[] = [];
  #resolve!: (answer: UpstreamAnswer) => void;
  #reject!: (failure: UpstreamFailure) => void;
  /** Attempts started, counting rounds; the current one's upstream (an index into targets). */
  #tried = 0;
  #index = -1;
  /** The UDP attempt in flight: its query, socket, timer and whether that timer is the deadline's. */
  #query: UpstreamQuery | null = null;
  #socket: UpstreamSocket | null = null;
  #timer: unknown = undefined;
  #timerIsDeadline = false;
  /** The TCP attempt in flight can be cancelled through this. */
  #tcp: Cancellation | null = null;
  #aborted: Error | null = null;
  #settled = false;
  /** One closure per request for the timers of all its attempts. */
  readonly #expire = (): void => this.#timedOut();

  constructor(parts: PoolParts, request: UpstreamRequest, wireName: Buffer, key: string) {
    this.#parts = parts;
    this.key = key;
    this.#question = request.question;
    this.#tcpOnly = request.tcp;
    this.#flags = { dnssecOk: request.dnssecOk, checkingDisabled: request.checkingDisabled, udpPayload: parts.udpPayload };
    this.#wireName = wireName;
    this.#plan = parts.health.plan();
    this.#deadlineAt = parts.timers.now() + parts.deadlineMs;
    this.promise = new Promise<UpstreamAnswer>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Starts the first attempt; the pool calls it once it holds the request (it may end at once). */
  start(): void {
    this.#next();
  }

  /** Ends the request now with `reason` (the pool closed): the attempt in flight is cut short, not counted as a failure. */
  abort(reason: Error): void {
    if (this.#settled || this.#aborted !== null) return;
    this.#aborted = reason;
    if (this.#query !== null) {
      this.#endUdp();
      this.#cut(reason);
    } else {
      this.#tcp?.abort(reason);
    }
  }

  /** A datagram from the upstream with the query's ID (AnswerWaiter): ignored unless it is the answer (checkAnswer). */
  accept(message: Buffer): void {
    const query = this.#query;
    if (query === null) return;
    const header = checkAnswer(message, query, 'udp');
    if (header === null) return;
    this.#endUdp();
    if (header.fault !== null) this.#failed(new MalformedAnswer('udp', header.fault));
    else if (header.truncated) this.#overTcp();
    else this.#answered(header.rcode, message, header.questionEnd, 'udp');
  }

  /** The socket of the UDP attempt failed (AnswerWaiter). */
  fail(error: Error): void {
    if (this.#query === null) return;
    this.#endUdp();
    this.#failed(error);
  }

  /** The next attempt, or the end when there is none or the deadline has passed. */
  #next(): void {
    const { targets, retries, timers, timeoutMs, udpSockets } = this.#parts;
    if (this.#tried >= this.#plan.length * (1 + retries)) return this.#fail('every upstream failed');
    const left = this.#deadlineAt - timers.now();
    if (left < 1) return this.#fail(this.#deadlineError().message);
    this.#index = this.#plan[this.#tried % this.#plan.length]!.index;
    this.#tried++;
    if (this.#tcpOnly) return this.#overTcp();
    const target = targets[this.#index]!;
    const query = buildUpstreamQuery(this.#question, this.#flags, this.#wireName);
    let socket = udpSockets.pick(target);
    if (!socket.register(query.id, this)) {
      socket = udpSockets.fresh(target);
      if (!socket.register(query.id, this)) return this.#failed(new Error('no upstream socket could take the query'));
    }
    this.#query = query;
    this.#socket = socket;
    this.#timerIsDeadline = left <= timeoutMs;
    this.#timer = timers.setTimeout(this.#expire, Math.min(timeoutMs, left));
    socket.send(query.bytes);
  }

  /** Asks the current upstream over TCP (a TCP client, or TC=1 over UDP: a new ID, a timeout of its own within the deadline). */
  #overTcp(): void {
    const { targets, timers, timeoutMs, track } = this.#parts;
    const left = this.#deadlineAt - timers.now();
    if (left < 1) return this.#cut(this.#deadlineError());
    const cancellation = (this.#tcp = new Cancellation());
    const query = buildUpstreamQuery(this.#question, this.#flags, this.#wireName);
    const limits = { timeoutMs: Math.min(timeoutMs, left), timers, signal: cancellation, track, ...(left <= timeoutMs && { timeoutError: () => this.#deadlineError() }) };
    askOverTcp(targets[this.#index]!, query, limits).then(
      (answer: Exchanged) => {
        this.#tcp = null;
        this.#answered(answer.rcode, answer.message, answer.questionEnd, 'tcp');
      },
      (error: unknown) => {
        this.#tcp = null;
        const reason = error instanceof Error ? error : new Error(String(error));
        if (this.#aborted !== null || reason instanceof DeadlinePassed) this.#cut(this.#aborted ?? reason);
        else this.#failed(reason);
      },
    );
  }

  #timedOut(): void {
    this.#timer = undefined;
    if (this.#query === null) return;
    this.#endUdp();
    if (this.#timerIsDeadline) this.#cut(this.#deadlineError());
    else this.#failed(new Error(`no answer within ${this.#parts.timeoutMs} ms`));
  }

  /** Ends the UDP attempt in flight: its timer and its place on the socket. */
  #endUdp(): void {
    this.#parts.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#socket!.unregister(this.#query!.id, this);
    this.#socket = null;
    this.#query = null;
  }

  /** A matching answer: usable, or a failing RCODE that sends the request on to the next upstream. */
  #answered(rcode: number, message: Buffer, questionEnd: number, transport: 'udp' | 'tcp'): void {
    const failing = FAILING.get(rcode);
    if (failing !== undefined) return this.#failed(new Error(`answered ${failing} over ${transport.toUpperCase()}`));
    const { health, targets } = this.#parts;
    health.succeeded(this.#index);
    if (this.#end()) this.#resolve({ message, questionEnd, upstream: targets[this.#index]!.label, rcode, transport });
  }

  /** The attempt failed: noted, counted against its upstream, and the next one started. */
  #failed(error: Error): void {
    const { targets, health, onMalformedAnswer } = this.#parts;
    const upstream = targets[this.#index]!.label;
    this.#attempts.push({ upstream, error: error.message });
    if (error instanceof MalformedAnswer) onMalformedAnswer(upstream, error.message, this.#question);
    health.failed(this.#index);
    if (this.#aborted !== null) this.#fail(this.#aborted.message);
    else this.#next();
  }

  /** The attempt was cut short by the deadline or close(): noted, not counted, and the request ends. */
  #cut(reason: Error): void {
    this.#attempts.push({ upstream: this.#parts.targets[this.#index]!.label, error: reason.message });
    this.#fail(reason.message);
  }

  #fail(why: string): void {
    if (!this.#end()) return;
    this.#reject(new UpstreamFailure(`no usable answer for ${described(this.#question)}: ${why}`, this.#attempts));
  }

  /** Marks the request ended (once): the plan's probes go back and the pool forgets it. False when it had already ended. */
  #end(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.#parts.health.release(this.#plan);
    this.#parts.ended(this);
    return true;
  }

  #deadlineError(): DeadlinePassed {
    return new DeadlinePassed(`the deadline of ${this.#parts.deadlineMs} ms passed`);
  }
}

/** The question as failures name it: "example.com type 1" ("." for the root). */
export function described(question: Question): string {
  return `${question.name === '' ? '.' : question.name} type ${question.type}`;
}

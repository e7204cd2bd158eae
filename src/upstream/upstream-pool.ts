import type { Question } from '../dns/types.js';
import { InFlight } from '../runtime/in-flight.js';
import { Cancellation } from '../runtime/cancellation.js';
import { Slots } from './slots.js';
import { UdpSockets } from './udp-sockets.js';
import { askUpstream, type AskOptions } from './ask-upstream.js';
import type { Endpoint } from '../config/address.js';
import { MalformedAnswer, UpstreamFailure, type UpstreamAttempt } from './upstream-failure.js';
import { UpstreamHealth } from './upstream-health.js';
import { realTimers, type Timers } from '../runtime/bounded.js';
import { textToWire } from '../dns/name-text.js';

/** The pool's settings: the `upstreams` list and the `upstream` config section. */
export interface UpstreamPoolOptions {
  /** Tried in this order (the config's upstreams). */
  upstreams: readonly Endpoint[];
  /** Wait this long for one upstream (per attempt; a TCP retry after TC=1 gets as long again). */
  timeoutMs: number;
  /** The whole budget of one resolve(); then it rejects. */
  deadlineMs: number;
  /** Consecutive failures after which an upstream is dead. */
  deadAfterFailures: number;
  /** A dead upstream is skipped until this long after its last failure, then probed by one query. */
  probeAfterMs: number;
  /** EDNS UDP payload size advertised upstream. */
  udpPayload: number;
  /** After every upstream in turn has failed, go round this many more times (within the deadline); default 1. */
  retries?: number;
  /** Millisecond clock for health bookkeeping; default Date.now. */
  now?: () => number;
  /** Timers for the per-attempt timeouts and the deadline; default Node's. */
  timers?: Timers;
  /** Told of each answer that matched but was malformed (its upstream, what was wrong, the question); for metrics and logs. Must not throw. */
  onMalformedAnswer?: (upstream: string, reason: string, question: Question) => void;
}

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

const NUMBERS = ['timeoutMs', 'deadlineMs', 'deadAfterFailures', 'probeAfterMs', 'udpPayload'] as const;

/**
 * Asks the upstream resolvers with failover, per-attempt timeouts and an
 * overall deadline, keeps their health, and shares one exchange between
 * identical concurrent requests. A malformed answer is a failure of its
 * upstream, like a timeout: the next one is asked.
 */
export class UpstreamPool {
  readonly #targets: readonly Endpoint[];
  readonly #options: Required<UpstreamPoolOptions>;
  readonly #health: UpstreamHealth;
  // Per-query bookkeeping in this long-lived object uses no Map or Set (see Slots): the requests in flight by key
  // in a null-prototype dictionary, whose table V8 does not reallocate each time it empties.
  readonly #inFlight: Record<string, Promise<UpstreamAnswer>> = Object.create(null) as Record<string, Promise<UpstreamAnswer>>;
  readonly #running = new Slots<Cancellation>();
  /** Sockets still closing: close() waits for them. */
  readonly #closing = new InFlight();
  readonly #track = (closed: Promise<void>): void => {
    this.#closing.track(closed);
  };
  readonly #udpSockets = new UdpSockets();
  #closed = false;

  /** Throws, naming the option, when an option cannot work. */
  constructor(options: UpstreamPoolOptions) {
    if (options.upstreams.length === 0) throw new Error('upstream pool: "upstreams" is empty; expected at least one upstream');
    for (const key of NUMBERS) {
      const value = options[key];
      if (!Number.isInteger(value) || value < 1) throw new Error(`upstream pool: "${key}" is ${String(value)}; expected a positive integer`);
    }
    this.#targets = options.upstreams;
    this.#options = { ...options, retries: options.retries ?? 1, now: options.now ?? Date.now, timers: options.timers ?? realTimers, onMalformedAnswer: options.onMalformedAnswer ?? (() => {}) };
    this.#health = new UpstreamHealth(this.#targets.length, this.#options);
  }

  /** Resolves with a usable answer, or rejects with UpstreamFailure (and nothing else). */
  resolve(request: UpstreamRequest): Promise<UpstreamAnswer> {
    const { question } = request;
    // Fixed-form fields first, the name last, so no two requests can spell the same key.
    const key = `${question.type}/${question.class}/${+request.dnssecOk}${+request.checkingDisabled}${+request.tcp}/${question.lname}`;
    const shared = this.#inFlight[key];
    if (shared !== undefined) return shared;
    const promise = this.#run(request);
    this.#inFlight[key] = promise;
    const forget = (): void => {
      delete this.#inFlight[key];
    };
    promise.then(forget, forget);
    return promise;
  }

  /** Each upstream as configured, in order: alive or dead, and its failures in a row. */
  status(): Array<{ upstream: string; alive: boolean; consecutiveFailures: number }> {
    return this.#health.status().map((health, i) => ({ upstream: this.#targets[i]!.label, ...health }));
  }

  /** Cancels every request in flight (they reject with UpstreamFailure), closing their sockets; later requests reject at once. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const controller of this.#running.values()) controller.abort(new Error('the upstream pool closed'));
    await Promise.allSettled(Object.values(this.#inFlight));
    await this.#closing.drained();
    await this.#udpSockets.close();
  }

  async #run(request: UpstreamRequest): Promise<UpstreamAnswer> {
    const { question } = request;
    if (this.#closed) throw new UpstreamFailure(`no answer for ${described(question)}: the upstream pool is closed`, []);
    const wireName = textToWire(question.name);
    if (wireName === null) throw new UpstreamFailure(`no answer for ${described(question)}: the name cannot be encoded`, []);
    const { deadlineMs, timeoutMs, udpPayload, retries, timers } = this.#options;
    const controller = new Cancellation();
    const running = this.#running.add(controller);
    const deadline = timers.setTimeout(() => controller.abort(new Error(`the deadline of ${deadlineMs} ms passed`)), deadlineMs);
    const plan = this.#health.plan();
    const attempts: UpstreamAttempt[] = [];
    try {
      // Written out, not spread from the request: one object of one shape for every query.
      const options: AskOptions = {
        question,
        dnssecOk: request.dnssecOk,
        checkingDisabled: request.checkingDisabled,
        tcp: request.tcp,
        wireName,
        udpPayload,
        timeoutMs,
        timers,
        signal: controller,
        track: this.#track,
        udpSockets: this.#udpSockets,
      };
      // Each upstream in the plan's order, then round again `retries` times, until the deadline.
      for (let attempt = 0; attempt < plan.length * (1 + retries); attempt++) {
        if (controller.aborted) break;
        const index = plan[attempt % plan.length]!.index;
        const target = this.#targets[index]!;
        try {
          const answer = await askUpstream(target, options);
          this.#health.succeeded(index);
          return { message: answer.message, questionEnd: answer.questionEnd, upstream: target.label, rcode: answer.rcode, transport: answer.transport };
        } catch (error) {
          attempts.push({ upstream: target.label, error: error instanceof Error ? error.message : String(error) });
          if (error instanceof MalformedAnswer) this.#options.onMalformedAnswer(target.label, error.message, question);
          // Cut short by the deadline or close(): not this upstream's failure.
          if (!controller.aborted) this.#health.failed(index);
        }
      }
      const why = controller.aborted ? controller.reason!.message : 'every upstream failed';
      throw new UpstreamFailure(`no usable answer for ${described(question)}: ${why}`, attempts);
    } finally {
      timers.clearTimeout(deadline);
      this.#running.delete(running);
      this.#health.release(plan);
    }
  }
}

/** The question as failures name it: "example.com type 1" ("." for the root). */
function described(question: Question): string {
  return `${question.name === '' ? '.' : question.name} type ${question.type}`;
}

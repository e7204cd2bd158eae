import type { Question } from '../dns/types.js';
import { InFlight } from '../runtime/in-flight.js';
import { Slots } from './slots.js';
import { UdpSockets } from './udp-sockets.js';
import type { Endpoint } from '../config/address.js';
import { UpstreamFailure } from './upstream-failure.js';
import { UpstreamHealth } from './upstream-health.js';
import { realTimers, type Timers } from '../runtime/bounded.js';
import { textToWire } from '../dns/name-text.js';
import { described, Resolution, type PoolParts, type UpstreamAnswer, type UpstreamRequest } from './resolution.js';

export type { UpstreamAnswer, UpstreamRequest } from './resolution.js';

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

const NUMBERS = ['timeoutMs', 'deadlineMs', 'deadAfterFailures', 'probeAfterMs', 'udpPayload'] as const;

/**
 * Asks the upstream resolvers with failover, per-attempt timeouts and an
 * overall deadline, keeps their health, and shares one exchange between
 * identical concurrent requests. A malformed answer is a failure of its
 * upstream, like a timeout: the next one is asked.
 */
export class UpstreamPool {
  readonly #targets: readonly Endpoint[];
  readonly #health: UpstreamHealth;
  // The requests in flight by key: a Map, not a null-prototype dictionary, whose keyed access interns each new key
  // in V8's string table. Measured with 3 million unique keys, 1 or 100 in flight: the Map 0.4-0.5 µs less a key,
  // and no major GC where the dictionary took 6 (the interned keys are old-generation garbage).
  readonly #inFlight = new Map<string, Resolution>();
  readonly #running = new Slots<Resolution>();
  /** TCP connections still closing: close() waits for them. */
  readonly #closing = new InFlight();
  readonly #udpSockets = new UdpSockets();
  readonly #parts: PoolParts;
  #closed = false;

  /** Throws, naming the option, when an option cannot work. */
  constructor(options: UpstreamPoolOptions) {
    if (options.upstreams.length === 0) throw new Error('upstream pool: "upstreams" is empty; expected at least one upstream');
    for (const key of NUMBERS) {
      const value = options[key];
      if (!Number.isInteger(value) || value < 1) throw new Error(`upstream pool: "${key}" is ${String(value)}; expected a positive integer`);
    }
    this.#targets = options.upstreams;
    this.#health = new UpstreamHealth(this.#targets.length, { deadAfterFailures: options.deadAfterFailures, probeAfterMs: options.probeAfterMs, now: options.now ?? Date.now });
    this.#parts = {
      targets: this.#targets,
      health: this.#health,
      udpSockets: this.#udpSockets,
      timers: options.timers ?? realTimers,
      timeoutMs: options.timeoutMs,
      deadlineMs: options.deadlineMs,
      retries: options.retries ?? 1,
      udpPayload: options.udpPayload,
      track: (closed) => this.#closing.track(closed),
      onMalformedAnswer: options.onMalformedAnswer ?? (() => {}),
      ended: (resolution) => {
        this.#inFlight.delete(resolution.key);
        this.#running.delete(resolution.slot);
      },
    };
  }

  /** Resolves with a usable answer, or rejects with UpstreamFailure (and nothing else). */
  resolve(request: UpstreamRequest): Promise<UpstreamAnswer> {
    const { question } = request;
    // Fixed-form fields first, the name last, so no two requests can spell the same key.
    const key = `${question.type}/${question.class}/${+request.dnssecOk}${+request.checkingDisabled}${+request.tcp}/${question.lname}`;
    const shared = this.#inFlight.get(key);
    if (shared !== undefined) return shared.promise;
    if (this.#closed) return Promise.reject(new UpstreamFailure(`no answer for ${described(question)}: the upstream pool is closed`, []));
    const wireName = textToWire(question.name);
    if (wireName === null) return Promise.reject(new UpstreamFailure(`no answer for ${described(question)}: the name cannot be encoded`, []));
    const resolution = new Resolution(this.#parts, request, wireName, key);
    this.#inFlight.set(key, resolution);
    resolution.slot = this.#running.add(resolution);
    resolution.start();
    return resolution.promise;
  }

  /** Each upstream as configured, in order: alive or dead, and its failures in a row. */
  status(): Array<{ upstream: string; alive: boolean; consecutiveFailures: number }> {
    return this.#health.status().map((health, i) => ({ upstream: this.#targets[i]!.label, ...health }));
  }

  /** Cancels every request in flight (they reject with UpstreamFailure), closing their sockets; later requests reject at once. */
  async close(): Promise<void> {
    this.#closed = true;
    const running = this.#running.values();
    for (const resolution of running) resolution.abort(new Error('the upstream pool closed'));
    await Promise.allSettled(running.map((resolution) => resolution.promise));
    await this.#closing.drained();
    await this.#udpSockets.close();
  }
}

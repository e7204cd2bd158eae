import type { Cancellation } from './cancellation.js';

/** How an exchange ends: once, with a value or an error. */
export interface Settle<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/** The timer functions of the upstream code; tests pass a manual one to move time instead of waiting. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds on the clock these timers run by (monotonic; only differences mean anything). */
  now(): number;
}

/** Node's own timers. */
export const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => performance.now(),
};

/** Limits on one exchange. */
export interface ExchangeLimits {
  readonly timeoutMs: number;
  /** Ends the exchange early, with its reason; none: only the timeout does. */
  readonly signal?: Cancellation;
  /** The error a timeout rejects with; default "no answer within N ms". */
  readonly timeoutError?: () => Error;
  /** Default: realTimers. */
  readonly timers?: Timers;
  /** Told of each socket's closing that takes time, so that the owner's close() can wait until nothing is left open. */
  readonly track?: (closed: Promise<void>) => void;
}

/**
 * Runs one exchange that must end within `timeoutMs` or when `signal` aborts.
 * `start` opens its sockets and returns the function that closes them (a
 * promise that settles once they are closed, or nothing when they are closed
 * at once); that cleanup runs exactly once, however the exchange ends, so no
 * socket or timer outlives it.
 */
export function bounded<T>({ timeoutMs, signal, track, timeoutError, timers = realTimers }: ExchangeLimits, start: (settle: Settle<T>) => () => Promise<void> | void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.reason != null) {
      reject(signal.reason);
      return;
    }
    let done = false;
    let cleanup: () => Promise<void> | void = () => {};
    const closing = (closed: Promise<void> | void): void => {
      if (closed !== undefined) track?.(closed);
    };
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      timers.clearTimeout(timer);
      stopListening();
      closing(cleanup());
      return true;
    };
    const settle: Settle<T> = {
      resolve: (value) => finish() && resolve(value),
      reject: (error) => finish() && reject(error),
    };

    const timer = timers.setTimeout(() => settle.reject(timeoutError?.() ?? new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const stopListening = signal?.onAbort((reason) => settle.reject(reason)) ?? (() => {});
    try {
      const close = start(settle);
      if (done) closing(close());
      else cleanup = close;
    } catch (error) {
      settle.reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

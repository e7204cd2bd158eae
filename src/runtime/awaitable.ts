/**
 * A value now or a promise of it: what the answering path passes along, so that an answer known at once (a cache
 * hit, a policy answer, a refusal) is sent from the packet's own callback, with no promise and no extra tick.
 */
export type Awaitable<T> = T | Promise<T>;

/** Whether `value` is still to come. Every promise on the answering path is a native one. */
export function isPending<T>(value: Awaitable<T>): value is Promise<T> {
  return value instanceof Promise;
}

/** `then(value)` at once when `value` is here, after it settles otherwise (its rejection passes through). */
export function whenReady<T, U>(value: Awaitable<T>, then: (value: T) => Awaitable<U>): Awaitable<U> {
  return value instanceof Promise ? value.then(then) : then(value);
}

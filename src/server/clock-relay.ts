import { MessageChannel, type MessagePort } from 'node:worker_threads';

/** A worker's way to read the main thread's injected clock: a port to ask on, and the shared words the answer comes in. */
export interface ClockLink {
  readonly port: MessagePort;
  /** [0]: 1 once the answer is written; bytes 8-15: the time, as a Float64. */
  readonly state: Int32Array;
}

/** How long a worker waits for the main thread to read the clock before it gives up (ms). */
const WAIT_MS = 10_000;

/**
 * Serves `now` (a clock a test injects, which cannot cross to another thread) to one worker thread: the
 * worker asks on the port and blocks until the main thread has written the time (clockReader). A round trip
 * per reading costs tens of microseconds: this is for tests, which move time by hand; a real server reads
 * Date.now in each thread.
 */
export function serveClock(now: () => number): { link: ClockLink; close: () => void } {
  const { port1, port2 } = new MessageChannel();
  const buffer = new SharedArrayBuffer(16);
  const state = new Int32Array(buffer, 0, 1);
  const time = new Float64Array(buffer, 8, 1);
  port1.on('message', () => {
    time[0] = now();
    Atomics.store(state, 0, 1);
    Atomics.notify(state, 0);
  });
  port1.unref();
  return { link: { port: port2, state }, close: () => port1.close() };
}

/** The clock `serveClock` serves, read from a worker thread. */
export function clockReader(link: ClockLink): () => number {
  const time = new Float64Array(link.state.buffer, 8, 1);
  return () => {
    Atomics.store(link.state, 0, 0);
    link.port.postMessage(0);
    if (Atomics.wait(link.state, 0, 0, WAIT_MS) === 'timed-out') throw new Error(`the main thread did not read the injected clock within ${WAIT_MS} ms`);
    return time[0]!;
  };
}

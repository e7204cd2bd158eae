import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The lowest priority (nice 19): the thread runs on whatever CPU time the answering thread leaves. */
const LOWEST = 19;

/**
 * Starts a worker thread at the lowest priority, before it runs a line: a
 * worker spends some 60 ms of CPU starting Node and loading its modules, and
 * on a one-CPU container that would be taken from the thread answering
 * queries. On Linux each thread has its own nice value and `new Worker`
 * creates its thread before it returns, so the thread is the one new entry
 * in /proc/self/task across the call (JavaScript runs nothing else
 * meanwhile). Where that cannot be told (no /proc, not exactly one new
 * thread, not permitted), the worker starts as it is; workers also lower
 * themselves once running.
 */
export function startLowPriorityWorker(file: URL | string, options: WorkerOptions): Worker {
  const before = threadIds();
  const worker = new Worker(file, options);
  const created = [...threadIds()].filter((id) => !before.has(id));
  if (created.length === 1) {
    try {
      setPriority(created[0]!, LOWEST);
    } catch {}
  }
  return worker;
}

/**
 * Lowers every thread of the process but the main one to the lowest
 * priority; returns how many it lowered. Call it first thing at start-up:
 * the threads there are then Node's helpers, V8's platform workers (its
 * concurrent marking and sweeping) and libuv's pool (file reads and writes,
 * the log lines among them). On a one-CPU container, V8's concurrent marking
 * otherwise preempts the thread answering queries for tens of milliseconds
 * at every major collection; at nice 19 the helpers run on the CPU time that
 * queries leave, and when there is none V8 does the work on the main thread
 * in small steps. The priority only matters when the CPU is contended.
 */
export function lowerHelperThreads(): number {
  let lowered = 0;
  for (const id of threadIds()) {
    if (id === process.pid) continue;
    try {
      setPriority(id, LOWEST);
      lowered++;
    } catch {}
  }
  return lowered;
}

/** Lowers the calling thread (in a worker: itself) to the lowest priority, where permitted. */
export function lowerOwnPriority(): void {
  try {
    setPriority(0, LOWEST);
  } catch {}
}

function threadIds(): Set<number> {
  try {
    return new Set(readdirSync('/proc/self/task').map(Number));
  } catch {
    return new Set();
  }
}

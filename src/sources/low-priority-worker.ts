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

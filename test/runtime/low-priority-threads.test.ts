import { readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import t from 'tap';
import { lowerHelperThreads, startLowPriorityWorker } from '../../src/runtime/low-priority-threads.js';

/**
 * Nothing but the thread answering queries may take its CPU: the refresh
 * thread, not even while it starts (its priority is lowered from outside
 * before its first line runs; the worker here reports its priority as its
 * first act), and Node's helper threads (V8's concurrent GC, libuv's pool).
 */

t.test('a worker starts at the lowest priority; the thread that started it keeps its own', { skip: process.platform !== 'linux' && 'per-thread nice values are a Linux feature' }, async (t) => {
  const own = getPriority(0);
  const worker = startLowPriorityWorker("require('node:worker_threads').parentPort.postMessage(require('node:os').getPriority(0))", { eval: true });
  const priority = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  t.equal(priority, 19, 'nice 19 before the worker ran a line of its own');
  t.equal(getPriority(0), own, 'the starting thread is unchanged');
});

t.test("Node's helper threads go to the lowest priority; the main thread keeps its own", { skip: process.platform !== 'linux' && 'per-thread nice values are a Linux feature' }, async (t) => {
  const own = getPriority(0);
  const lowered = lowerHelperThreads();
  const helpers = readdirSync('/proc/self/task').map(Number).filter((id) => id !== process.pid);
  t.ok(helpers.length >= 4, `${helpers.length} helper threads (V8's platform workers at least)`);
  t.equal(lowered, helpers.length, 'each one lowered');
  t.same(helpers.map((id) => getPriority(id)), helpers.map(() => 19), 'every helper at nice 19');
  t.equal(getPriority(0), own, 'the main thread is unchanged');
});
